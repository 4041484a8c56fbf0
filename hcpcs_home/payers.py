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
>>> sorted(payers.PROFILES)
['bcbs-tx', 'dol-eeoicp', 'medicare', 'tx-medicaid-cshcn']
"""

from __future__ import annotations

import enum
from typing import Any

import attrs

from . import _fields as f
from . import units
from .errors import InvalidFieldError

__all__ = [
    "BCBS_TEXAS",
    "DOL_EEOICP",
    "MEDICARE",
    "PROFILES",
    "TEXAS_MEDICAID_CSHCN",
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


def _auth_codes(value: object) -> frozenset[str]:
    as_code = f.code("prior_auth_codes")
    return frozenset(
        v if v == ALL_CODES else as_code(v)
        for v in f.tuple_of(lambda x: x, "prior_auth_codes")(value)
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
    :ivar source: where each setting comes from.
    """

    id: str = attrs.field(converter=f.text("id"))
    name: str = attrs.field(converter=f.text("name"))
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
    source: str = attrs.field(default="", converter=f.text("source"))

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
    unit_policy=units.TEXAS_MEDICAID_TENTHS,
    requires_orders=True,
    requires_plan_of_care=True,
    source=(
        "S9123/S9124 for extended skilled nursing and prior authorization for all home-health "
        "services before start of care: TMHP CSHCN Provider Manual ch. 21 §21.2.1.1 and "
        "TMHP news 2023-04-14 (CSHCN home health changes); hours in tenths by 6-minute bands: "
        "TMPPM §42.7.5"
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
    source=(
        "per diem codes T1030/T1031/S5126 count one unit per 8-hour shift: DOL DEEOIC Bulletin "
        "08-09, attachment 4"
    ),
)
"""The federal program whose per-diem unit is one 8-hour shift."""

PROFILES: dict[str, Payer] = {
    p.id: p for p in (MEDICARE, TEXAS_MEDICAID_CSHCN, BCBS_TEXAS, DOL_EEOICP)
}
"""The shipped payer profiles by id."""


def payer_profile(payer_id: Any) -> Payer:
    """The shipped profile with that id.

    :raises InvalidFieldError: no shipped profile has that id.
    """
    if isinstance(payer_id, str) and payer_id.strip().lower() in PROFILES:
        return PROFILES[payer_id.strip().lower()]
    raise InvalidFieldError("payer", payer_id, f"is not a shipped profile ({', '.join(PROFILES)})")
