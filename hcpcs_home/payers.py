"""Payers and the settings the rules read from them, with ready-made profiles.

A :class:`Payer` is a frozen value.  Start from a shipped profile and change
what your contract says with :func:`attrs.evolve`:

>>> import attrs
>>> from hcpcs_home import payers
>>> payers.MEDICARE.accepts_s_codes
False
>>> my_plan = attrs.evolve(payers.BCBS_TEXAS, id="bcbs-tx-ppo", name="BCBSTX PPO")
>>> my_plan.requires_prior_auth("S9123")
True
>>> sorted(payers.PROFILES)  # doctest: +NORMALIZE_WHITESPACE
['bcbs-tx', 'dol-eeoicp', 'medicare', 'mo-medicaid', 'nd-medicaid', 'tx-medicaid',
 'tx-medicaid-cshcn', 'wi-medicaid']
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import _fields as f
from . import units
from ._tables import read_table
from ._values import lazy_methods
from .bounds import MAX_AUTHORIZATIONS, MAX_NAME_LENGTH, MAX_TEXT_LENGTH
from .codes import Credential
from .errors import InvalidFieldError

if TYPE_CHECKING:
    from .codes import Code

__all__ = [
    "BCBS_TEXAS",
    "DOL_EEOICP",
    "MEDICARE",
    "MISSOURI_MEDICAID",
    "NORTH_DAKOTA_MEDICAID",
    "PROFILES",
    "TEXAS_MEDICAID",
    "TEXAS_MEDICAID_CSHCN",
    "WEEKDAYS",
    "WISCONSIN_MEDICAID",
    "Payer",
    "PayerKind",
    "payer_profile",
    "profile_versions",
]


def __dir__() -> list[str]:
    return __all__


class PayerKind(str, enum.Enum):
    """The kind of payer, which decides several defaults."""

    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    FEDERAL_PROGRAM = "federal program"
    OTHER = "other"


ALL_CODES = "*"
"""In :attr:`Payer.prior_auth_codes`, stands for every code."""


def _unit_policy(value: object) -> units.UnitPolicy:
    if not isinstance(value, units.UnitPolicy):
        raise InvalidFieldError("unit_policy", value, "must be a UnitPolicy")
    return value


WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
"""The day names a payer's ``week_start`` accepts, Monday first."""


def _weekday(value: object) -> str:
    word = value.strip().lower() if isinstance(value, str) else None
    if word is None or word not in WEEKDAYS:
        raise InvalidFieldError("week_start", value, f"is not a day name ({', '.join(WEEKDAYS)})")
    return word


# Converters made once (a converter per call also grew _fields' registries).
_CREDENTIAL_CODE = f.code("code_credentials")
_CREDENTIALS = f.frozenset_of(f.enum_of(Credential, "code_credentials"), "code_credentials")
_AUTH_CODE = f.code("prior_auth_codes")
_AUTH_ITEMS = f.tuple_of(lambda x: x, "prior_auth_codes", MAX_AUTHORIZATIONS)


def _code_credentials(value: object) -> tuple[tuple[str, frozenset[Credential]], ...]:
    """``{code: credentials}`` as sorted ``(code, frozenset)`` pairs (also from pairs)."""
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InvalidFieldError("code_credentials", value, "must map codes to credentials")
    out: dict[str, frozenset[Credential]] = {}
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidFieldError("code_credentials", item, "must be a (code, credentials) pair")
        out[_CREDENTIAL_CODE(item[0])] = _CREDENTIALS(item[1])
    return tuple(sorted(out.items()))


def _modifier_set(value: object) -> frozenset[str]:
    return frozenset(f.modifiers(value))


def _auth_codes(value: object) -> frozenset[str]:
    return frozenset(v if v == ALL_CODES else _AUTH_CODE(v) for v in _AUTH_ITEMS(value))


@attrs.frozen(slots=True)
@lazy_methods
class Payer:
    """A payer and the billing conventions the rules apply for it.

    :ivar id: a short stable identifier (``"medicare"``), used in JSON.
    :ivar name: the payer's name as people read it.
    :ivar kind: Medicare, Medicaid, commercial...
    :ivar accepts_s_codes: whether S codes (private-payer temporary codes) are accepted.
    :ivar accepts_t_codes: whether T codes (national Medicaid codes) are accepted.
    :ivar prior_auth_codes: codes that need prior authorization (``"*"``: all).
    :ivar unit_policy: how units are counted (:class:`hcpcs_home.units.UnitPolicy`).
    :ivar requires_orders: physician orders must be on file for each service.
    :ivar requires_plan_of_care: a plan of care must be on file for each service.
    :ivar requires_cpt_home_visit_codes: S9123 is refused where a CPT 99500-99602
        code describes the service.
    :ivar applies_kx_threshold: Medicare's KX threshold for outpatient therapy applies.
    :ivar requires_site_of_service: 032X claims need a Q5001/Q5002/Q5009 line.
    :ivar requires_therapy_modifiers: 34X therapy lines need GN/GO/GP.
    :ivar requires_assistant_modifiers: PTA/OTA services on 34X need CQ/CO (from 2020).
    :ivar week_start: the day the payer's service week begins, for weekly caps.  No
        payer publication was found for most payers; Sunday (the US calendar week)
        is the default: set your payer's.
    :ivar evv_codes: codes the payer requires electronic visit verification for
        (21st Century Cures Act §12006, SSA §1903(l)): each line needs an accepted
        :class:`~hcpcs_home.evv.EvvVisit`.
    :ivar evv_exempt_modifiers: modifiers that mark a service needing no EVV match
        (Texas HHCS: KX outside the home, HQ other residential settings).
    :ivar evv_from: first date of service the EVV requirement applies to.
    :ivar code_credentials: codes whose rendering credentials the payer defines
        itself, as ``(code, credentials)`` pairs, in place of the HCPCS descriptor's
        (DOL EEOICP: S5126 attendant care by a home health aide).
    :ivar source: where each setting comes from.
    """

    id: str = attrs.field(converter=f.identifier("id"))
    name: str = attrs.field(converter=f.text("name", MAX_NAME_LENGTH))
    kind: PayerKind = attrs.field(converter=f.enum_of(PayerKind, "kind"))
    accepts_s_codes: bool = attrs.field(default=True, converter=f.boolean("accepts_s_codes"))
    accepts_t_codes: bool = attrs.field(default=True, converter=f.boolean("accepts_t_codes"))
    prior_auth_codes: frozenset[str] = attrs.field(default=frozenset(), converter=_auth_codes)
    unit_policy: units.UnitPolicy = attrs.field(default=units.MEDICARE, converter=_unit_policy)
    requires_orders: bool = attrs.field(default=False, converter=f.boolean("requires_orders"))
    requires_plan_of_care: bool = attrs.field(
        default=False, converter=f.boolean("requires_plan_of_care")
    )
    requires_cpt_home_visit_codes: bool = attrs.field(
        default=False, converter=f.boolean("requires_cpt_home_visit_codes")
    )
    applies_kx_threshold: bool = attrs.field(
        default=False, converter=f.boolean("applies_kx_threshold")
    )
    requires_site_of_service: bool = attrs.field(
        default=False, converter=f.boolean("requires_site_of_service")
    )
    requires_therapy_modifiers: bool = attrs.field(
        default=False, converter=f.boolean("requires_therapy_modifiers")
    )
    requires_assistant_modifiers: bool = attrs.field(
        default=False, converter=f.boolean("requires_assistant_modifiers")
    )
    week_start: str = attrs.field(default="sunday", converter=_weekday)
    evv_codes: frozenset[str] = attrs.field(
        default=frozenset(), converter=f.frozenset_of(f.code("evv_codes"), "evv_codes")
    )
    evv_exempt_modifiers: frozenset[str] = attrs.field(default=frozenset(), converter=_modifier_set)
    evv_from: _dt.date | None = attrs.field(default=None, converter=f.optional(f.date("evv_from")))
    code_credentials: tuple[tuple[str, frozenset[Credential]], ...] = attrs.field(
        default=(), converter=_code_credentials
    )
    source: str = attrs.field(
        default="", converter=f.text("source", MAX_TEXT_LENGTH, multiline=True)
    )

    def requires_evv(self, code: str, day: _dt.date, modifiers: tuple[str, ...] = ()) -> bool:
        """Whether a line of ``code`` on ``day`` needs a verified visit from this payer.

        >>> nd = payer_profile("nd-medicaid")
        >>> nd.requires_evv("T1019", _dt.date(2024, 3, 4))
        True
        >>> nd.requires_evv("T1019", _dt.date(2019, 3, 4))
        False
        """
        return (
            code in self.evv_codes
            and (self.evv_from is None or self.evv_from <= day)
            and not self.evv_exempt_modifiers.intersection(modifiers)
        )

    def credentials_for(self, code: Code) -> frozenset[Credential]:
        """The credentials this payer lets render ``code``: its own, else the descriptor's.

        >>> from hcpcs_home import lookup
        >>> dol, medicare = payer_profile("dol-eeoicp"), payer_profile("medicare")
        >>> sorted(c.value for c in dol.credentials_for(lookup("S5126")))
        ['HHA', 'PCA']
        >>> sorted(c.value for c in medicare.credentials_for(lookup("S5126")))
        ['PCA']
        """
        for name, credentials in self.code_credentials:
            if name == code.code:
                return credentials
        return code.credentials

    def week_of(self, day: _dt.date) -> _dt.date:
        """The first day of the payer's service week holding ``day``.

        >>> import datetime
        >>> payer_profile("medicare").week_of(datetime.date(2024, 3, 6))  # weeks from Sunday
        datetime.date(2024, 3, 3)
        """
        back = (day.weekday() - WEEKDAYS.index(self.week_start)) % 7
        return day - _dt.timedelta(days=back)

    def requires_prior_auth(self, code: str) -> bool:
        """Whether ``code`` needs a prior authorization from this payer."""
        return ALL_CODES in self.prior_auth_codes or code in self.prior_auth_codes

    def accepts_code_family(self, code: str) -> bool:
        """Whether the payer takes the code's family at all (S and T codes).

        >>> medicare = payer_profile("medicare")
        >>> medicare.accepts_code_family("S9124"), medicare.accepts_code_family("G0300")
        (False, True)
        """
        if code.startswith("S"):
            return self.accepts_s_codes
        if code.startswith("T"):
            return self.accepts_t_codes
        return True


#: The module constants of the shipped profiles, by profile id.
_CONSTANTS = {
    "MEDICARE": "medicare",
    "TEXAS_MEDICAID_CSHCN": "tx-medicaid-cshcn",
    "TEXAS_MEDICAID": "tx-medicaid",
    "BCBS_TEXAS": "bcbs-tx",
    "DOL_EEOICP": "dol-eeoicp",
    "NORTH_DAKOTA_MEDICAID": "nd-medicaid",
    "WISCONSIN_MEDICAID": "wi-medicaid",
    "MISSOURI_MEDICAID": "mo-medicaid",
}
_TABLE = "payer_profiles.tsv"

if TYPE_CHECKING:  # built from data/payer_profiles.tsv on first use (module __getattr__)
    MEDICARE: Payer
    """Original Medicare (Parts A and B) as home-health and hospice agencies bill it."""
    TEXAS_MEDICAID_CSHCN: Payer
    """Texas Medicaid's CSHCN Services Program; it pays S9123/S9124 for extended skilled
    nursing, in complete hours."""
    TEXAS_MEDICAID: Payer
    """Texas Medicaid fee-for-service home health, with per-visit nursing and aide visits and
    EVV."""
    BCBS_TEXAS: Payer
    """A BCBS plan with the coordinated-home-care and private-duty-nursing rules of BCBSTX."""
    DOL_EEOICP: Payer
    """The federal program whose per-diem unit is one 8-hour shift."""
    NORTH_DAKOTA_MEDICAID: Payer
    """North Dakota Medicaid personal care (T1019/T1020) with EVV."""
    WISCONSIN_MEDICAID: Payer
    """Wisconsin Medicaid personal care and attendant care with EVV."""
    MISSOURI_MEDICAID: Payer
    """Missouri Medicaid in-home personal care, complete units only, with EVV."""
    PROFILES: dict[str, Payer]
    """The shipped payer profiles by id, in the table's order."""


def _flag(row: Mapping[str, str], column: str) -> bool:
    return {"yes": True, "no": False}[row[column]]


def _policy(name: str) -> units.UnitPolicy:
    policy = getattr(units, name, None) if name in units.__all__ else None
    if not isinstance(policy, units.UnitPolicy):
        raise InvalidFieldError("unit_policy", name, "names no hcpcs_home.units policy")
    return policy


def _profile(row: Mapping[str, str]) -> Payer:
    """One row of data/payer_profiles.tsv as a :class:`Payer`."""
    credentials = {
        code: creds.split(",")
        for code, _, creds in (item.partition("=") for item in row["code_credentials"].split())
    }
    return Payer(
        id=row["id"],
        name=row["name"],
        kind=row["kind"],
        accepts_s_codes=_flag(row, "accepts_s_codes"),
        accepts_t_codes=_flag(row, "accepts_t_codes"),
        prior_auth_codes=row["prior_auth_codes"].split(),
        unit_policy=_policy(row["unit_policy"]),
        requires_orders=_flag(row, "requires_orders"),
        requires_plan_of_care=_flag(row, "requires_plan_of_care"),
        requires_cpt_home_visit_codes=_flag(row, "requires_cpt_home_visit_codes"),
        applies_kx_threshold=_flag(row, "applies_kx_threshold"),
        requires_site_of_service=_flag(row, "requires_site_of_service"),
        requires_therapy_modifiers=_flag(row, "requires_therapy_modifiers"),
        requires_assistant_modifiers=_flag(row, "requires_assistant_modifiers"),
        week_start=row["week_start"],
        evv_codes=row["evv_codes"].split(),
        evv_exempt_modifiers=row["evv_exempt_modifiers"].split(),
        evv_from=row["evv_from"] or None,
        code_credentials=credentials,
        source=row["source"],
    )


@functools.cache
def _profiles() -> dict[str, Payer]:
    return {row["id"]: _profile(row) for row in read_table(_TABLE)}


def profile_versions() -> dict[str, int]:
    """Each shipped profile's revision in ``data/payer_profiles.tsv`` (a changed setting is
    a new version).

    >>> profile_versions()["dol-eeoicp"]
    2
    """
    return {row["id"]: int(row["version"]) for row in read_table(_TABLE)}


def __getattr__(name: str) -> Any:
    if name == "PROFILES":
        return _profiles()
    if name in _CONSTANTS:
        return _profiles()[_CONSTANTS[name]]
    raise AttributeError(f"module {__name__!r} has no attribute {name!r}")


def payer_profile(payer_id: Any) -> Payer:
    """The shipped profile with that id (profiles are read from ``data/payer_profiles.tsv``
    on first use).

    :raises InvalidFieldError: no shipped profile has that id.
    """
    profiles = _profiles()
    if isinstance(payer_id, str) and payer_id.strip().lower() in profiles:
        return profiles[payer_id.strip().lower()]
    raise InvalidFieldError("payer", payer_id, f"is not a shipped profile ({', '.join(profiles)})")
