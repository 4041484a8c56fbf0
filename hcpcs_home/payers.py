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
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import _fields as f
from . import units
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


def _code_credentials(value: object) -> tuple[tuple[str, frozenset[Credential]], ...]:
    """``{code: credentials}`` as sorted ``(code, frozenset)`` pairs (also from pairs)."""
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InvalidFieldError("code_credentials", value, "must map codes to credentials")
    out: dict[str, frozenset[Credential]] = {}
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidFieldError("code_credentials", item, "must be a (code, credentials) pair")
        code = f.code("code_credentials")(item[0])
        out[code] = f.frozenset_of(f.enum_of(Credential, "code_credentials"), "code_credentials")(
            item[1]
        )
    return tuple(sorted(out.items()))


def _modifier_set(value: object) -> frozenset[str]:
    return frozenset(f.modifiers(value))


def _auth_codes(value: object) -> frozenset[str]:
    as_code = f.code("prior_auth_codes")
    return frozenset(
        v if v == ALL_CODES else as_code(v)
        for v in f.tuple_of(lambda x: x, "prior_auth_codes", MAX_AUTHORIZATIONS)(value)
    )


@attrs.frozen(slots=True)
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

        >>> NORTH_DAKOTA_MEDICAID.requires_evv("T1019", _dt.date(2024, 3, 4))
        True
        >>> NORTH_DAKOTA_MEDICAID.requires_evv("T1019", _dt.date(2019, 3, 4))
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
        >>> sorted(c.value for c in DOL_EEOICP.credentials_for(lookup("S5126")))
        ['HHA', 'PCA']
        >>> sorted(c.value for c in MEDICARE.credentials_for(lookup("S5126")))
        ['PCA']
        """
        for name, credentials in self.code_credentials:
            if name == code.code:
                return credentials
        return code.credentials

    def week_of(self, day: _dt.date) -> _dt.date:
        """The first day of the payer's service week holding ``day``.

        >>> import datetime
        >>> MEDICARE.week_of(datetime.date(2024, 3, 6))  # a Wednesday; weeks start Sunday
        datetime.date(2024, 3, 3)
        """
        back = (day.weekday() - WEEKDAYS.index(self.week_start)) % 7
        return day - _dt.timedelta(days=back)

    def requires_prior_auth(self, code: str) -> bool:
        """Whether ``code`` needs a prior authorization from this payer."""
        return ALL_CODES in self.prior_auth_codes or code in self.prior_auth_codes

    def accepts_code_family(self, code: str) -> bool:
        """Whether the payer takes the code's family at all (S and T codes).

        >>> MEDICARE.accepts_code_family("S9124"), MEDICARE.accepts_code_family("G0300")
        (False, True)
        """
        if code.startswith("S"):
            return self.accepts_s_codes
        if code.startswith("T"):
            return self.accepts_t_codes
        return True


MEDICARE = Payer(
    id="medicare",
    name="Original Medicare",
    kind=PayerKind.MEDICARE,
    accepts_s_codes=False,
    accepts_t_codes=False,
    unit_policy=units.MEDICARE,
    requires_orders=True,
    requires_plan_of_care=True,
    applies_kx_threshold=True,
    requires_site_of_service=True,
    requires_therapy_modifiers=True,
    requires_assistant_modifiers=True,
    source=(
        "S codes: CMS HCPCS processing note 0088 (not valid for Medicare); T codes: CMS HCPCS "
        "coverage I; orders and plan of care: 42 CFR 409.43 and Pub. 100-02 ch. 7 §30.2; KX "
        "threshold: BBA 2018 §50202 (Noridian); Q5001/Q5002/Q5009: CR 8136 (NGS); GN/GO/GP and "
        "CQ/CO: Pub. 100-04 ch. 5, CMS 'Billing Examples Using CQ/CO Modifiers'"
    ),
)
"""Original Medicare (Parts A and B) as home-health and hospice agencies bill it."""

TEXAS_MEDICAID_CSHCN = Payer(
    id="tx-medicaid-cshcn",
    name="Texas Medicaid (TMHP) CSHCN Services Program",
    kind=PayerKind.MEDICAID,
    accepts_s_codes=True,
    accepts_t_codes=True,
    prior_auth_codes=frozenset({ALL_CODES}),
    unit_policy=units.TEXAS_CSHCN_HOURS,
    requires_orders=True,
    requires_plan_of_care=True,
    source=(
        "S9123/S9124 for extended skilled nursing and prior authorization for all home-health "
        "services before start of care: TMHP CSHCN Provider Manual ch. 21 §21.2.1.1 and "
        "TMHP news 2023-04-14 (CSHCN home health changes); the TMPPM §42.7.5 tenths of an hour "
        "are the SHARS school rule, not home nursing: complete hours (UNCONFIRMED)"
    ),
)
"""Texas Medicaid's CSHCN Services Program; it pays S9123/S9124 for extended skilled nursing."""

BCBS_TEXAS = Payer(
    id="bcbs-tx",
    name="Blue Cross and Blue Shield of Texas",
    kind=PayerKind.COMMERCIAL,
    accepts_s_codes=True,
    accepts_t_codes=False,
    prior_auth_codes=frozenset({"S9122", "S9123", "S9124"}),
    unit_policy=attrs.evolve(
        units.MEDICARE,
        name="BCBS TX whole hours",
        hours=units.HourRounding.DOWN,
        source="no published partial-hour convention found: whole hours (UNCONFIRMED)",
    ),
    requires_orders=True,
    requires_plan_of_care=True,
    requires_cpt_home_visit_codes=True,
    source=(
        "S9123/S9124 accepted for private-duty and coordinated home care, general nursing only, "
        "not when CPT 99500-99602 apply: BCBSTX clinical payment and coding policy (copy on "
        "docslib.org); "
        "prior authorization for hourly nursing and orders/care plan on file: third-party billing "
        'guide Pabau, "HCPCS Code S9124" (pabau.com/procedure-codes/hcpcs-code-s9124); T codes '
        "are the national Medicaid codes (CMS HCPCS coverage I), not accepted here; no public "
        "partial-hour convention found, so whole hours only (UNCONFIRMED: set yours)"
    ),
)
"""A BCBS plan with the coordinated-home-care and private-duty-nursing rules of BCBSTX."""

DOL_EEOICP = Payer(
    id="dol-eeoicp",
    name="US Department of Labor EEOICP (DEEOIC)",
    kind=PayerKind.FEDERAL_PROGRAM,
    accepts_s_codes=True,
    accepts_t_codes=True,
    unit_policy=units.DOL_EEOICP_8_HOUR_SHIFT,
    code_credentials={"S5126": ["HHA", "PCA"]},
    source=(
        "per diem codes T1030/T1031/S5126 count one unit per 8-hour shift, and S5126 attendant "
        "care is billed for home health aide shifts: DOL DEEOIC Bulletin 08-09, attachment 4"
    ),
)
"""The federal program whose per-diem unit is one 8-hour shift."""

TEXAS_MEDICAID = Payer(
    id="tx-medicaid",
    name="Texas Medicaid (TMHP) home health and personal care",
    kind=PayerKind.MEDICAID,
    prior_auth_codes=frozenset({"G0299", "G0300", "G0156", "T1000", "T1002", "T1003"}),
    unit_policy=units.TEXAS_MEDICAID_HOME_HEALTH,
    requires_orders=True,
    requires_plan_of_care=True,
    evv_codes=frozenset({"G0299", "G0300", "G0156"}),
    evv_exempt_modifiers=frozenset({"KX", "HQ"}),
    evv_from=_dt.date(2024, 1, 1),
    source=(
        "G0299/G0300/G0156 per visit of up to 2.5 hours, at most 3 a day; T1000 with TD/TE: "
        "TMHP TMPPM (Dec. 2016) Home Health Nursing and PDN Services Handbook §3.5, §4.1; EVV "
        "claims matching for home health care services from dates of service 2024-01-01, KX "
        "(outside the home) and HQ (other residential setting) need no match: HHSC provider "
        "news 2023-11-13; claims must match an accepted visit: 1 TAC §354.4009, HHSC EVV Policy "
        "Handbook §8000, §12000; prior authorization for home health: TMPPM §5.1.6"
    ),
)
"""Texas Medicaid fee-for-service home health, with per-visit nursing and aide visits and EVV."""

NORTH_DAKOTA_MEDICAID = Payer(
    id="nd-medicaid",
    name="North Dakota Medicaid HCBS personal care",
    kind=PayerKind.MEDICAID,
    unit_policy=units.MEDICARE,
    evv_codes=frozenset({"T1019", "T1020"}),
    evv_from=_dt.date(2021, 1, 1),
    source=(
        "T1019 in 15-minute increments per day, time spent on authorized tasks only; T1020 one "
        "unit per client per day, only days care was given (day of return and day of death "
        "payable): ND DHS Service Chapter 535-05-45; EVV for personal care services by "
        "2021-01-01 at the latest (21st Century Cures Act §12006, SSA §1903(l), as amended by "
        "Pub. L. 115-222, with the one-year good-faith exemption)"
    ),
)
"""North Dakota Medicaid personal care (T1019/T1020) with EVV."""

WISCONSIN_MEDICAID = Payer(
    id="wi-medicaid",
    name="Wisconsin Medicaid personal care",
    kind=PayerKind.MEDICAID,
    unit_policy=units.MEDICARE,
    evv_codes=frozenset({"T1019", "T1020", "S5125", "S5126"}),
    evv_from=_dt.date(2021, 1, 1),
    source=(
        "EVV covers T1019, T1020, S5125, S5126: Wisconsin DHS EVV program as summarised by DCI "
        "[third party]; EVV for personal care by 2021-01-01 at the latest (Cures Act §12006, "
        "SSA §1903(l), Pub. L. 115-222); unit rounding: CMS chart (UNCONFIRMED for Wisconsin)"
    ),
)
"""Wisconsin Medicaid personal care and attendant care with EVV."""

MISSOURI_MEDICAID = Payer(
    id="mo-medicaid",
    name="Missouri Medicaid in-home services",
    kind=PayerKind.MEDICAID,
    unit_policy=units.MISSOURI_COMPLETE_UNITS,
    evv_codes=frozenset({"T1019", "S5125"}),
    evv_from=_dt.date(2021, 1, 1),
    source=(
        "complete 15-minute units only (59 minutes is 3; partial units may accrue across the "
        "billing period under 13 CSR 70-91): MITC 'When Rounding Rules Differ' and Ankota EVV "
        "blog [third party]; EVV for personal care by 2021-01-01 at the latest (Cures Act "
        "§12006, SSA §1903(l), Pub. L. 115-222); T1019/S5125 as Missouri's personal care codes "
        "(UNCONFIRMED)"
    ),
)
"""Missouri Medicaid in-home personal care, complete units only, with EVV."""

PROFILES: dict[str, Payer] = {
    p.id: p
    for p in (
        MEDICARE,
        TEXAS_MEDICAID_CSHCN,
        TEXAS_MEDICAID,
        BCBS_TEXAS,
        DOL_EEOICP,
        NORTH_DAKOTA_MEDICAID,
        WISCONSIN_MEDICAID,
        MISSOURI_MEDICAID,
    )
}
"""The shipped payer profiles by id."""


def payer_profile(payer_id: Any) -> Payer:
    """The shipped profile with that id.

    :raises InvalidFieldError: no shipped profile has that id.
    """
    if isinstance(payer_id, str) and payer_id.strip().lower() in PROFILES:
        return PROFILES[payer_id.strip().lower()]
    raise InvalidFieldError("payer", payer_id, f"is not a shipped profile ({', '.join(PROFILES)})")
