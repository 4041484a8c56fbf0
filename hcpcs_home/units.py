"""Billable units from documented time, counted the way CMS and payers count them.

:func:`billable_units` turns the minutes documented for one claim line into
units, dispatching on the code's ``BillingUnit``.
Where sources disagree, or a payer sets its own convention, the choice is a
:class:`UnitPolicy` value the caller (later, the payer) selects; the module
never guesses.  :data:`MEDICARE` is the default.

>>> from hcpcs_home import units
>>> units.billable_units("G0152", 23)                    # CMS chart: 23-37 minutes is 2
2
>>> units.billable_units("G0152", 5)                     # NGS chart: under 8 minutes is 0
0
>>> units.billable_units("G0152", 5, policy=units.MEDICARE_ANY_MINUTE_VISIT)
1
>>> units.billable_units("S9123", 100, policy=units.TEXAS_MEDICAID_TENTHS)
Decimal('1.7')
>>> units.total_time_units({"97110": 33, "97140": 7})    # Pub. 100-04 ch. 5 §20.2
{'97110': 2, '97140': 1}
>>> units.minutes_between("22:00", "06:00")
480

Every function validates its input and raises a
:class:`~hcpcs_home.errors.HcpcsError` leaf naming the argument:

>>> units.billable_units("G0152", -5)
Traceback (most recent call last):
...
hcpcs_home.errors.InvalidMinutesError: minutes=-5 must not be negative
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, TypeVar

import attrs

from . import _clock, _unit_checks, bounds
from ._lazy import first_use
from ._values import lazy_methods
from .catalog import lookup
from .codes import BillingUnit, Code
from .errors import InvalidFieldError, InvalidMinutesError, InvalidTimeError, NotTimedError

if TYPE_CHECKING:
    from ._span import Span

__all__ = [
    "AMA_PER_CODE",
    "DEFAULT_POLICY",
    "DOL_EEOICP_8_HOUR_SHIFT",
    "HOSPICE_VISIT",
    "MAX_LINE_MINUTES",
    "MEDICARE",
    "MEDICARE_ANY_MINUTE_VISIT",
    "MISSOURI_COMPLETE_UNITS",
    "QUARTER_HOUR",
    "TEXAS_CSHCN_HOURS",
    "TEXAS_MEDICAID_HOME_HEALTH",
    "TEXAS_MEDICAID_TENTHS",
    "VIRGINIA_WHOLE_HOURS",
    "WHOLE_HOURS",
    "FifteenMinuteRule",
    "HourRounding",
    "Span",
    "TimedMethod",
    "UnitPolicy",
    "billable_units",
    "carry_hours",
    "is_contested",
    "minutes_between",
    "per_diem_units",
    "policy_for_bill",
    "service_dates",
    "total_time_units",
    "units_for_many",
]


def __dir__() -> list[str]:
    return __all__


# Span is defined on first use: a check without per-diem shifts never needs the class.
__getattr__ = first_use(__name__, {"Span": "._span"})


_Units = int | Decimal  # a unit count: Decimal only where a payer bills fractions

MAX_LINE_MINUTES = bounds.MAX_LINE_MINUTES
"""The most minutes one line may document (one day, 1440); more is rejected as absurd."""


# --- the vocabularies a policy is made of -----------------------------------


class FifteenMinuteRule(str, enum.Enum):
    """How the minutes of one 15-minute line become units.

    All four agree on whole quarter hours; they differ on the part-unit left
    over, and the 8-minute rule and the any-minute reading differ only for
    visits of 1 to 7 minutes.
    """

    CMS_8_MINUTE = "CMS 8-minute chart"
    """0-7 minutes is 0 units, 8-22 is 1, 23-37 is 2, ... 113-127 is 8, and on by 15s.

    Source: the chart in Pub. 100-04 ch. 5 §20.2 C (quoted by chirocode.com and
    findacode.com), printed for 32X and 34X therapy lines by NGS, "Home Health
    Therapy Billing" (ngsmedicare.com, reviewed 2024-05-20).  "The pattern remains the
    same" past two hours.
    """
    HH_VISIT_ANY_MINUTE = "home-health visit, any minute"
    """Any visit of 1-22 minutes is 1 unit; from 23 minutes on, the CMS chart.

    Source: Cahaba GBA RHHI hospice FAQ 9970 on CR 6440 (a 5-minute visit is 1
    unit) and a state Medicaid manual quoting Medicare home-health policy (1 to
    less than 23 minutes is 1 unit).  Which one Pub. 100-04 ch. 10 §40.2 states
    today is UNCONFIRMED.
    """
    COMPLETE_UNITS = "complete 15-minute units only"
    """Only complete quarter hours count, so 59 minutes is 3 units.

    Source: Missouri Medicaid home care, as reported by Ankota's EVV blog [3rd].
    """
    ANY_PART = "any part of 15 minutes"
    """Any part of a 15-minute block is a unit (1-15 minutes is 1, 16-30 is 2).

    The reading of "up to 15 minutes" descriptors (T1000-T1005); derived from
    the CMS descriptor wording, payer rules vary (UNCONFIRMED).
    """


class HourRounding(str, enum.Enum):
    """How the minutes of one per-hour line become (possibly fractional) hours.

    CMS defines only "per hour"; the partial hour is payer policy (as the
    third-party billing guide Pabau, "HCPCS Code S9124", also says).  Whole-hour
    modes give an ``int``; the fractional ones give a :class:`~decimal.Decimal`
    with one (tenths) or two (quarters) places.
    """

    DOWN = "whole hours, round down"
    """Complete hours only (59 minutes is 0).  Virginia Medicaid home care bills
    this way and carries the leftover minutes within the month: see
    :func:`carry_hours` (Ankota EVV blog [3rd])."""
    HALF_UP = "nearest hour, half up"
    """Nearest hour, 30 minutes rounding up.  A plain arithmetic convention; no
    payer publishing it was found (UNCONFIRMED)."""
    UP = "whole hours, round up"
    """Any started hour is an hour.  A plain arithmetic convention (UNCONFIRMED)."""
    TENTHS = "tenths of an hour by 6-minute bands"
    """Tenths of an hour to the nearest 6 minutes, an exact half rounding down:
    0-3 minutes is 0.0, 4-9 is 0.1, 10-15 is 0.2, ... 58-63 is 1.0, 64-69 is 1.1.
    Source: Texas Medicaid (TMHP) TMPPM 2008 §42.7.5 and 2012 Children's
    Services Handbook §3.5.1."""
    QUARTERS = "quarter hours by the 8-minute bands"
    """Quarter hours by the CMS 15-minute chart (8-22 minutes is 0.25 ...):
    hourly private-duty nursing paid in 15-minute increments (BCBS Michigan
    Medicare Plus Blue PDN policy [3rd]).  Units stay in hours: 75 minutes is
    ``Decimal('1.25')``."""
    QUARTERS_DOWN = "complete quarter hours"
    """Complete quarter hours only, so 59 minutes is 0.75 (Missouri Medicaid home
    care, Ankota EVV blog [3rd])."""


class TimedMethod(str, enum.Enum):
    """How several 15-minute codes on one day share their minutes."""

    TOTAL_TIME = "total timed minutes"
    """CMS's method, in which the summed minutes set the day's units, shared out by
    :func:`total_time_units` (Pub. 100-04 ch. 5 §20.2 C)."""
    PER_CODE = "per code"
    """Each code judged on its own minutes alone (the "AMA/CPT" method some
    commercial payers use; therapycomply.com, "Medicare Total Time Rule v.
    AMA 8-Minute Rule" [3rd])."""


def _to_fifteen(value: object) -> FifteenMinuteRule:
    return _unit_checks.to_enum(FifteenMinuteRule, "fifteen_minute", value)  # type: ignore[no-any-return]


def _to_up_to_fifteen(value: object) -> FifteenMinuteRule:
    return _unit_checks.to_enum(FifteenMinuteRule, "up_to_fifteen_minutes", value)  # type: ignore[no-any-return]


def _to_hours(value: object) -> HourRounding:
    return _unit_checks.to_enum(HourRounding, "hours", value)  # type: ignore[no-any-return]


def _to_method(value: object) -> TimedMethod:
    return _unit_checks.to_enum(TimedMethod, "method", value)  # type: ignore[no-any-return]


@attrs.frozen(slots=True)
@lazy_methods
class UnitPolicy:
    """A payer's way of counting units: every convention :func:`billable_units` consults.

    Policies are immutable values; derive one with ``attrs.evolve``.

    >>> import attrs
    >>> from hcpcs_home.units import MEDICARE, HourRounding, billable_units
    >>> mine = attrs.evolve(MEDICARE, name="Acme PDN", hours=HourRounding.QUARTERS)
    >>> billable_units("S9124", 75, policy=mine)
    Decimal('1.25')
    >>> str(mine)
    'Acme PDN'

    :ivar name: a short name for audit logs.
    :ivar fifteen_minute: the rule for "per/each 15 minutes" lines.
    :ivar up_to_fifteen_minutes: the rule for "up to 15 minutes" lines (T1000-T1005).
    :ivar hours: the partial-hour convention for per-hour codes.
    :ivar method: how several 15-minute codes on one day share minutes.
    :ivar per_diem_shift_hours: ``None`` when a per diem is a calendar day (the
        HCPCS meaning); otherwise the hours of care one per-diem unit stands for.
    :ivar code_units: codes the payer counts in another unit than the HCPCS
        descriptor's, as ``(code, BillingUnit)`` pairs (Texas Medicaid pays
        G0299/G0300/G0156 per visit).
    :ivar source: where the conventions come from.
    """

    name: str = attrs.field(validator=attrs.validators.instance_of(str))
    fifteen_minute: FifteenMinuteRule = attrs.field(
        default=FifteenMinuteRule.CMS_8_MINUTE,
        converter=_to_fifteen,
    )
    up_to_fifteen_minutes: FifteenMinuteRule = attrs.field(
        default=FifteenMinuteRule.ANY_PART,
        converter=_to_up_to_fifteen,
    )
    hours: HourRounding = attrs.field(default=HourRounding.DOWN, converter=_to_hours)
    method: TimedMethod = attrs.field(default=TimedMethod.TOTAL_TIME, converter=_to_method)
    per_diem_shift_hours: int | None = attrs.field(
        default=None, validator=_unit_checks.check_shift_hours
    )
    source: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    code_units: tuple[tuple[str, BillingUnit], ...] = attrs.field(
        default=(), converter=_unit_checks.code_units
    )

    def __str__(self) -> str:
        return self.name

    def unit_of(self, code: Code) -> BillingUnit:
        """The unit this policy counts ``code`` in: its override, else the descriptor's.

        >>> from hcpcs_home import lookup
        >>> TEXAS_MEDICAID_HOME_HEALTH.unit_of(lookup("G0299")).value
        'visit'
        """
        for name, unit in self.code_units:
            if name == code.code:
                return unit
        return code.unit


MEDICARE = UnitPolicy(
    name="Medicare",
    source=(
        'Pub. 100-04 ch. 5 §20.2 C; NGS "Home Health Therapy Billing" (ngsmedicare.com); '
        "CMS HCPCS descriptors"
    ),
)
"""The default policy, with CMS's 8-minute chart per line, the total-time method
across 15-minute codes on one day, and a per diem as a calendar day.

15-minute lines follow the chart NGS prints for 32X and 34X claims (NGS "Home
Health Therapy Billing") and Pub. 100-04 ch. 5 §20.2 C, so a 1-7 minute
home-health visit line counts 0; choose :data:`MEDICARE_ANY_MINUTE_VISIT` to
follow the hospice FAQ instead, and see :func:`is_contested`.  Original
Medicare pays no per-hour or T codes; their settings here (complete hours; any
part of 15 minutes) only keep the policy total.
"""

DEFAULT_POLICY = MEDICARE
"""The policy used where none is given, :data:`MEDICARE`."""

WHOLE_HOURS = attrs.evolve(
    MEDICARE,
    name="whole hours",
    hours=HourRounding.DOWN,
    source="no published convention: complete hours only, never billing time not given",
)
"""Complete hours only, with no carry (the conservative choice for a payer that
publishes no partial-hour convention; none was found for most commercial
plans)."""

MEDICARE_ANY_MINUTE_VISIT = attrs.evolve(
    MEDICARE,
    name="Medicare, any-minute visit",
    fifteen_minute=FifteenMinuteRule.HH_VISIT_ANY_MINUTE,
    source=(
        "CMS hospice Q&A 9887 (2009-11-05, as quoted by NHPCO); Cahaba GBA RHHI hospice FAQ "
        "9970 (CR 6440); Medicaid manual quoting Medicare HH policy"
    ),
)
""":data:`MEDICARE` with any 1-22 minute visit line counted as 1 unit.

Source: CMS's hospice Q&A on CR 6440 visit reporting (ID 9887, 2009-11-05, as
quoted by NHPCO; Cahaba GBA RHHI heads it "CMS FAQ 9970"): a visit of up to 15
minutes is one unit, and a longer one rounds to the nearest 15 minutes (20
minutes is 1, 25 is 2).  A Medicaid manual quoting Medicare home-health policy
gives the same bands (1 to less than 23 minutes is 1 unit;
medicalbillingcptmodifiers.com [3rd]).  Rounding to the
nearest quarter hour with a floor of one unit is the CMS chart from 8 minutes
up, so this is one policy, not two.  :data:`HOSPICE_VISIT` names it for
hospice claims.
"""

HOSPICE_VISIT = MEDICARE_ANY_MINUTE_VISIT
"""The unit policy of hospice visit lines (TOB 081X/082X), :data:`MEDICARE_ANY_MINUTE_VISIT`.

The same value under the name a hospice biller looks for: each visit line
(G0299, G0300, G0151-G0153, G0155-G0158 on 042X-057X) counts its own
minutes, any visit of 1-15 minutes is one 15-minute increment, and longer
visits round to the nearest 15 minutes (CMS hospice Q&A 9887; Cahaba GBA
hospice FAQ 9970 on CR 6440).  :func:`policy_for_bill` makes it the default
on hospice claims.

>>> from hcpcs_home.units import HOSPICE_VISIT, billable_units
>>> [billable_units("G0299", m, policy=HOSPICE_VISIT) for m in (5, 15, 20, 25)]
[1, 1, 1, 2]
"""

#: Types of bill whose claims count visit lines under :data:`HOSPICE_VISIT` by default.
_HOSPICE_BILL_CLASSES = frozenset({"81", "82"})


def policy_for_bill(policy: UnitPolicy | None, type_of_bill: str | None) -> UnitPolicy:
    """The unit policy for one claim: the payer's, except Medicare's default on hospice bills.

    A hospice claim (type of bill 081X or 082X) whose payer counts units
    under the plain :data:`MEDICARE` default is counted under
    :data:`HOSPICE_VISIT`, the policy CMS's hospice Q&A states for hospice
    visit lines.  A payer that chose its own policy keeps it everywhere.

    >>> from hcpcs_home.units import MEDICARE, policy_for_bill
    >>> policy_for_bill(MEDICARE, "0811").name, policy_for_bill(MEDICARE, "0329").name
    ('Medicare, any-minute visit', 'Medicare')
    >>> policy_for_bill(None, None).name
    'Medicare'

    :raises ~hcpcs_home.errors.InvalidFieldError: ``type_of_bill`` is not a type of bill.
    """
    chosen = _policy(policy)
    if type_of_bill is None:
        return chosen
    text = type_of_bill.strip() if isinstance(type_of_bill, str) else None
    if text is None or not re.fullmatch("0?[0-9]{2}[0-9A-Za-z]", text):
        raise InvalidFieldError(
            "type_of_bill", type_of_bill, "is not a type of bill such as '0811'"
        )
    if chosen == MEDICARE and text.zfill(4)[1:3] in _HOSPICE_BILL_CLASSES:
        return HOSPICE_VISIT
    return chosen


AMA_PER_CODE = attrs.evolve(
    MEDICARE,
    name="AMA per-code",
    method=TimedMethod.PER_CODE,
    source="therapycomply.com, Medicare total time rule v. AMA 8-minute rule",
)
"""Each 15-minute code on a day judged alone by the 8-minute chart, as some
commercial payers do (therapycomply.com [3rd])."""

TEXAS_MEDICAID_TENTHS = attrs.evolve(
    MEDICARE,
    name="Texas Medicaid tenths",
    hours=HourRounding.TENTHS,
    source="TMHP TMPPM 2008 §42.7.5; 2012 Children's Services Handbook §3.5.1",
)
"""Hour-based codes in tenths of an hour by 6-minute bands (0-3 minutes 0.0,
4-9 0.1, ... 58-63 1.0).  Source: TMHP TMPPM 2008 §42.7.5 and the 2012
Children's Services Handbook §3.5.1.  TMHP sums a calendar day's minutes before
rounding: pass the day's total."""

TEXAS_CSHCN_HOURS = attrs.evolve(
    MEDICARE,
    name="Texas CSHCN whole hours",
    hours=HourRounding.DOWN,
    source=(
        "TMHP CSHCN Provider Manual §21.2.1.1 (S9123/S9124 per hour); no published partial-hour "
        "rule for them: complete hours (UNCONFIRMED); the TMPPM §42.7.5 tenths are for SHARS"
    ),
)
"""Per-hour CSHCN extended nursing (S9123/S9124) in complete hours.  TMHP's
tenths-of-an-hour bands (:data:`TEXAS_MEDICAID_TENTHS`) are the school-based
SHARS rule and do not govern home nursing; no TMHP rule for a partial hour of
S9123/S9124 was found, so only complete hours count (UNCONFIRMED: choose
another :class:`HourRounding` where your contract says so)."""

TEXAS_MEDICAID_HOME_HEALTH = attrs.evolve(
    MEDICARE,
    name="Texas Medicaid home health visits",
    code_units={
        "G0299": BillingUnit.VISIT,
        "G0300": BillingUnit.VISIT,
        "G0156": BillingUnit.VISIT,
    },
    source="TMHP TMPPM (Dec. 2016) Home Health Nursing and PDN Services Handbook §3.5",
)
"""Texas Medicaid home health, whose skilled nursing (G0299/G0300) and aide (G0156)
visits are paid per visit of up to 2.5 hours, one unit each, not in 15-minute
units.  Source: TMHP TMPPM (December 2016) Home Health Nursing and Private Duty
Nursing Services Handbook §3.5."""

VIRGINIA_WHOLE_HOURS = attrs.evolve(
    MEDICARE,
    name="Virginia Medicaid whole hours",
    hours=HourRounding.DOWN,
    source="Ankota EVV blog on Virginia Medicaid home care",
)
"""Only complete hours per line; leftover minutes of the same caregiver and
service carry within the calendar month (:func:`carry_hours`).  Source:
Virginia Medicaid home care as reported by Ankota's EVV blog [3rd]."""

QUARTER_HOUR = attrs.evolve(
    MEDICARE,
    name="quarter hour",
    hours=HourRounding.QUARTERS,
    source="BCBS Michigan Medicare Plus Blue PDN policy",
)
"""Per-hour codes in quarter hours by the 8-minute bands.  Source is BCBS
Michigan Medicare Plus Blue private-duty nursing policy, "paid in 15-minute
increments" [3rd]."""

MISSOURI_COMPLETE_UNITS = attrs.evolve(
    MEDICARE,
    name="Missouri Medicaid complete units",
    fifteen_minute=FifteenMinuteRule.COMPLETE_UNITS,
    up_to_fifteen_minutes=FifteenMinuteRule.COMPLETE_UNITS,
    hours=HourRounding.QUARTERS_DOWN,
    source="Ankota EVV blog on Missouri Medicaid home care",
)
"""Only complete 15-minute units (59 minutes is 3), for 15-minute codes and
for per-hour codes (in quarter hours).  Source: Missouri Medicaid home care as
reported by Ankota's EVV blog [3rd]."""

DOL_EEOICP_8_HOUR_SHIFT = attrs.evolve(
    MEDICARE,
    name="DOL EEOICP 8-hour shift",
    per_diem_shift_hours=8,
    source="US DOL DEEOIC Bulletin 08-09, attachment 4",
)
"""A per diem (T1030, T1031, S5126) is one 8-hour shift, so 24 hours of care is
3 units and less than 8 hours is none.  Source: US Department of Labor DEEOIC
Bulletin 08-09, attachment 4."""


# --- arithmetic: every unit rule as a function of whole minutes ---------------


_MINUTES = range(MAX_LINE_MINUTES + 1)
_Table = tuple[_Units, ...]
_fifteen_tables: dict[FifteenMinuteRule, tuple[int, ...]] = {}


def _fifteen_table(rule: FifteenMinuteRule) -> tuple[int, ...]:
    """The units of a 15-minute line under ``rule`` for each whole minute 0..1440."""
    table = _fifteen_tables.get(rule)
    if table is None:
        if rule is FifteenMinuteRule.CMS_8_MINUTE:
            table = tuple([(m + 7) // 15 for m in _MINUTES])  # 0-7 -> 0, 8-22 -> 1, 23-37 -> 2 ...
        elif rule is FifteenMinuteRule.HH_VISIT_ANY_MINUTE:
            table = (0, *[max(1, (m + 7) // 15) for m in _MINUTES[1:]])
        elif rule is FifteenMinuteRule.COMPLETE_UNITS:
            table = tuple([m // 15 for m in _MINUTES])
        else:
            table = tuple([-(-m // 15) for m in _MINUTES])
        _fifteen_tables[rule] = table
    return table


def _fifteen(rule: FifteenMinuteRule, m: int) -> int:
    return _fifteen_table(rule)[m]


# step in minutes, how a part step rounds, and how many steps make an hour
_HOUR_STEPS: dict[HourRounding, tuple[int, str, int]] = {
    HourRounding.DOWN: (60, "down", 1),
    HourRounding.HALF_UP: (60, "half up", 1),
    HourRounding.UP: (60, "up", 1),
    HourRounding.TENTHS: (6, "half down", 10),
    HourRounding.QUARTERS: (15, "half up", 4),
    HourRounding.QUARTERS_DOWN: (15, "down", 4),
}
_PLACES = {10: Decimal("0.1"), 4: Decimal("0.01")}


def _steps(step: int, how: str) -> list[int]:
    """The whole steps of ``step`` minutes in each whole minute 0..1440, a part step
    rounded ``how`` (one comprehension per rounding: no call per minute)."""
    if how == "down":
        return [m // step for m in _MINUTES]
    if how == "up":
        return [-(-m // step) for m in _MINUTES]
    if how == "half up":
        return [(2 * m + step) // (2 * step) for m in _MINUTES]
    return [(2 * m + step - 1) // (2 * step) for m in _MINUTES]  # half down: 3 of 6 stays down


def _hours_table(rounding: HourRounding) -> _Table:
    """The hours of a per-hour line under ``rounding`` for each whole minute 0..1440."""
    step, how, per_hour = _HOUR_STEPS[rounding]
    steps = _steps(step, how)
    if per_hour == 1:
        return tuple(steps)
    places = _PLACES[per_hour]
    hours = {n: (Decimal(n) / per_hour).quantize(places) for n in set(steps)}
    return tuple([hours[n] for n in steps])


def _units_table(unit: BillingUnit, min_minutes: int | None, policy: UnitPolicy) -> _Table:
    """The units of one line of ``unit`` under ``policy`` for each whole minute 0..1440."""
    if unit is BillingUnit.FIFTEEN_MINUTES:
        return _fifteen_table(policy.fifteen_minute)
    if unit is BillingUnit.UP_TO_FIFTEEN_MINUTES:
        return _fifteen_table(policy.up_to_fifteen_minutes)
    if unit is BillingUnit.MINUTE:
        return tuple(_MINUTES)
    if unit is BillingUnit.HOUR:
        return _hours_table(policy.hours)
    if unit is BillingUnit.SESSION:
        least = min_minutes or 0
        return tuple([int(m >= least) for m in _MINUTES])
    if unit is BillingUnit.DAY and policy.per_diem_shift_hours is not None:
        shift = policy.per_diem_shift_hours * 60
        return tuple([m // shift for m in _MINUTES])
    return (1,) * len(_MINUTES)  # per diem, half day, visit, month, untimed: one unit


# --- per-line tables and their caches ----------------------------------------
#
# Every line rule is a function of whole minutes 0..1440, so each (unit kind,
# policy) pair is computed once into a tuple and a call is one index.  The hot
# path must not hash a policy or a Code (attrs hashes them field by field in
# Python), so caches are keyed by the identity of the policy and of Code
# values, and each entry keeps a reference to its key object so an id cannot
# be reused while it is cached.

_by_kind: dict[tuple[UnitPolicy, BillingUnit, int | None], _Table] = {}
_CACHE_LIMIT = 4096


def _kind_table(code: Code, policy: UnitPolicy) -> _Table:
    unit = policy.unit_of(code) if policy.code_units else code.unit
    key = (policy, unit, code.min_minutes)
    table = _by_kind.get(key)
    if table is None:
        if unit is BillingUnit.DAYS_MONITORED:
            raise NotTimedError(
                code.code,
                unit.value,
                "its units are the days monitored; count them with service_dates()",
            )
        table = _by_kind[key] = _units_table(unit, code.min_minutes, policy)
    return table


class _PolicyCache:
    """The tables one policy has resolved, by code string and by Code identity."""

    __slots__ = ("by_code", "by_name", "policy")

    def __init__(self, policy: UnitPolicy) -> None:
        self.policy = policy
        self.by_name: dict[str, _Table] = {}
        self.by_code: dict[int, tuple[Code, _Table]] = {}

    def table(self, code: object) -> _Table:
        """Resolve ``code`` (a string or a Code) and remember its table."""
        if isinstance(code, Code):
            table = _kind_table(code, self.policy)
            if len(self.by_code) >= _CACHE_LIMIT:
                self.by_code.clear()
            self.by_code[id(code)] = (code, table)
            return table
        table = _kind_table(lookup(code), self.policy)
        if len(self.by_name) >= _CACHE_LIMIT:
            self.by_name.clear()
        self.by_name[code] = table  # type: ignore[index]  # lookup() took it, so a str
        return table


_caches: dict[int, _PolicyCache] = {}


def _cache_for(policy: object) -> _PolicyCache:
    if policy is None:
        return _DEFAULT_CACHE
    cache = _caches.get(id(policy))
    if cache is None or cache.policy is not policy:
        if not isinstance(policy, UnitPolicy):
            if isinstance(getattr(policy, "unit_policy", None), UnitPolicy):  # a Payer
                raise InvalidFieldError(
                    "policy",
                    policy,
                    "is a payer, not a UnitPolicy; pass its unit policy: policy=payer.unit_policy",
                )
            raise InvalidFieldError("policy", policy, "must be a UnitPolicy or None")
        if len(_caches) >= _CACHE_LIMIT:
            _caches.clear()
            _caches[id(MEDICARE)] = _DEFAULT_CACHE
        cache = _caches[id(policy)] = _PolicyCache(policy)
    return cache


_DEFAULT_CACHE = _caches[id(MEDICARE)] = _PolicyCache(MEDICARE)


def _policy(policy: object) -> UnitPolicy:
    """``policy`` checked, with ``None`` meaning :data:`MEDICARE`."""
    return _cache_for(policy).policy


def _table(code: object, policy: object) -> _Table:
    """The units for every whole minute 0..1440 of ``code`` under ``policy``."""
    cache = _cache_for(policy)
    if type(code) is str:
        table = cache.by_name.get(code)
    else:
        hit = cache.by_code.get(id(code))
        table = hit[1] if hit is not None and hit[0] is code else None
    return cache.table(code) if table is None else table


def billable_units(
    code: str | Code, minutes: int, *, policy: UnitPolicy | None = None
) -> int | Decimal:
    """The units one claim line of ``code`` bills for ``minutes`` of documented time.

    ``code`` is a code string (looked up in the shipped catalog) or a
    :class:`!hcpcs_home.codes.Code`; ``policy`` is a :class:`UnitPolicy`
    (:data:`MEDICARE` when ``None``).  The code's billing unit decides:

    * per/each 15 minutes: ``policy.fifteen_minute`` (CMS chart: 8-22 is 1,
      23-37 is 2, ... on by 15s; Pub. 100-04 ch. 5 §20.2 C, NGS "Home Health Therapy Billing");
    * up to 15 minutes (T1000-T1005): ``policy.up_to_fifteen_minutes``;
    * per minute (T1014): the minutes;
    * per hour: ``policy.hours``, an ``int`` or a ``Decimal``;
    * per session: 1 when the minutes reach the code's ``min_minutes`` (G0129,
      G0176, G0177: 45 minutes or more; CMS descriptors), else 0;
    * per diem: 1 whatever the duration (HCPCS descriptors), or complete shifts
      where ``policy.per_diem_shift_hours`` redefines it (DOL EEOICP);
    * per visit, per half day, per month and untimed codes (G0320/G0321
      telehealth lines among them): 1 (NGS "Home Health Therapy Billing": untimed codes are 1 unit);
    * days monitored (G0322): not a matter of minutes; raises
      :class:`~hcpcs_home.errors.NotTimedError` (count with :func:`service_dates`).

    A code's ``min_minutes`` matters only for sessions; 15-minute lines follow
    the policy.

    >>> from hcpcs_home.units import DOL_EEOICP_8_HOUR_SHIFT, billable_units
    >>> [billable_units("G0153", m) for m in (7, 8, 22, 23, 127, 128)]
    [0, 1, 1, 2, 8, 9]
    >>> billable_units("G0129", 44), billable_units("G0129", 45)
    (0, 1)
    >>> billable_units("T1030", 1440, policy=DOL_EEOICP_8_HOUR_SHIFT)
    3

    :raises ~hcpcs_home.errors.InvalidMinutesError: ``minutes`` negative, NaN, fractional, a bool,
        not a number or more than 1440.
    :raises ~hcpcs_home.errors.UnknownCodeError: a code string not in the catalog.
    :raises ~hcpcs_home.errors.NotTimedError: a code whose units are not counted from minutes.
    """
    # _table(), inlined: this is the per-claim-line hot path.
    if policy is None:
        cache = _DEFAULT_CACHE
    else:
        cache = _caches.get(id(policy))  # type: ignore[assignment]
        if cache is None or cache.policy is not policy:
            cache = _cache_for(policy)
    if type(code) is str:
        table = cache.by_name.get(code)
        if table is None:
            table = cache.table(code)
    else:
        hit = cache.by_code.get(id(code))
        table = hit[1] if hit is not None and hit[0] is code else cache.table(code)
    if type(minutes) is int and 0 <= minutes <= MAX_LINE_MINUTES:
        return table[minutes]
    return table[_clock.check_minutes("minutes", minutes)]


def units_for_many(
    code: str | Code, minutes_seq: Iterable[int], *, policy: UnitPolicy | None = None
) -> list[int | Decimal]:
    """:func:`billable_units` for many lines of one code, in order, with the same checks.

    The code and policy are resolved once and the minutes checked in bulk,
    which makes this several times faster than a loop of single calls.

    >>> from hcpcs_home.units import units_for_many
    >>> units_for_many("G0152", [0, 8, 23, 38])
    [0, 1, 2, 3]
    >>> units_for_many("G0152", [8, -1])
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidMinutesError: minutes_seq[1]=-1 must not be negative
    """
    table = _table(code, policy)
    values = minutes_seq if isinstance(minutes_seq, (list, tuple)) else list(minutes_seq)
    # Bulk checks at C speed: every value an exact int (bools excluded) and none
    # negative; a value past 1440 raises IndexError and takes the careful path.
    if values and set(map(type, values)) == {int} and min(values) >= 0:
        try:
            return [table[m] for m in values]
        except IndexError:
            pass
    return [table[_clock.check_minutes(f"minutes_seq[{i}]", m)] for i, m in enumerate(values)]


def is_contested(code: str | Code, minutes: int) -> bool:
    """Whether the published sources disagree on this line's units.

    True for a 15-minute line of 1 to 7 minutes: NGS's chart counts 0, the
    hospice FAQ (Cahaba GBA, CR 6440) and Medicaid manuals count 1.  A
    claim checker can warn on these whichever policy it applies.

    >>> from hcpcs_home.units import is_contested
    >>> is_contested("G0152", 5), is_contested("G0152", 8), is_contested("S9123", 5)
    (True, False, False)
    """
    m = _clock.check_minutes("minutes", minutes)
    resolved = code if isinstance(code, Code) else lookup(code)
    return resolved.unit is BillingUnit.FIFTEEN_MINUTES and 1 <= m <= 7


# --- several 15-minute codes on one day ---------------------------------------


_CodeKey = TypeVar("_CodeKey", bound="str | Code")


def total_time_units(
    minutes_by_code: Mapping[_CodeKey, int],
    *,
    untimed: Iterable[str | Code] = (),
    policy: UnitPolicy | None = None,
) -> dict[str, int]:
    """Units for each code billed on one day, by CMS's total-time method.

    Codes are 15-minute timed codes (CPT 97xxx need not be in the catalog)
    unless listed in ``untimed`` or given as a :class:`!hcpcs_home.codes.Code`
    whose unit is untimed or per visit.  Untimed codes bill 1 unit each and their
    minutes do not join the total (NGS "Home Health Therapy Billing"; therapycomply.com [3rd]).

    The method (Pub. 100-04 ch. 5 §20.2 C, as quoted by chirocode.com and
    findacode.com [3rd]):

    1. The timed minutes are summed and the CMS chart gives the day's units.
    2. Each code gets one unit per full 15 minutes of its own ("performed for at
       least 15 minutes ... billed for at least one unit").
    3. The units left over go, one each, to the codes with the most minutes left
       over after their full units; so two services of 7 minutes or less that
       together reach 8 bill one unit, for the one with more minutes.
    4. Ties, which CMS leaves to the provider, go to the code with more minutes
       in all, then to the code given first: put the clinically apt code first.

    With ``policy.method`` :attr:`TimedMethod.PER_CODE` each timed code is
    instead judged alone by ``policy.fifteen_minute``.  Codes come back in the
    order given, then any ``untimed`` codes not among the keys.

    >>> from hcpcs_home.units import AMA_PER_CODE, total_time_units
    >>> total_time_units({"97112": 24, "97110": 23})
    {'97112': 2, '97110': 1}
    >>> total_time_units({"97161": 45, "97110": 20}, untimed=["97161"])
    {'97161': 1, '97110': 1}
    >>> total_time_units({"97110": 33, "97140": 7}, policy=AMA_PER_CODE)
    {'97110': 2, '97140': 0}

    :raises ~hcpcs_home.errors.InvalidMinutesError: a code's minutes invalid, or the timed minutes
        together more than a day.
    :raises ~hcpcs_home.errors.InvalidFieldError: a malformed code or a code given twice.
    """
    policy = _policy(policy)
    if not isinstance(minutes_by_code, Mapping):
        raise InvalidFieldError("minutes_by_code", minutes_by_code, "must map codes to minutes")
    if isinstance(untimed, (str, Code)):
        untimed = [untimed]
    untimed_set = dict.fromkeys(_unit_checks.code_key("untimed", c)[0] for c in untimed)  # ordered
    minutes: dict[str, int] = {}
    timed: list[str] = []
    for raw, value in minutes_by_code.items():
        key, is_timed = _unit_checks.code_key("minutes_by_code", raw)
        if key in minutes:
            raise InvalidFieldError("minutes_by_code", raw, f"repeats code {key!r}")
        minutes[key] = _clock.check_minutes(f"minutes_by_code[{key!r}]", value)
        if is_timed is not False and key not in untimed_set:
            timed.append(key)
    out = {key: 0 if key in timed else 1 for key in minutes}
    out.update((key, 1) for key in untimed_set if key not in out)
    total = sum(minutes[key] for key in timed)
    if total > MAX_LINE_MINUTES:
        raise InvalidMinutesError(
            "minutes_by_code", total, f"sums timed minutes past one day ({MAX_LINE_MINUTES})"
        )
    if policy.method is TimedMethod.PER_CODE:
        out.update((key, _fifteen(policy.fifteen_minute, minutes[key])) for key in timed)
        return out
    for key in timed:
        out[key] = minutes[key] // 15
    left = _fifteen(FifteenMinuteRule.CMS_8_MINUTE, total) - sum(out[key] for key in timed)
    ranked = sorted(
        range(len(timed)), key=lambda i: (-(minutes[timed[i]] % 15), -minutes[timed[i]], i)
    )
    for i in ranked[:left]:
        out[timed[i]] += 1
    return out


# --- time from the record -----------------------------------------------------


def minutes_between(start: object, stop: object, *, full_day: bool = False) -> int:
    """Minutes from a start clock time to a stop clock time on a shift note.

    Times are :class:`datetime.time` values or text ``"HH:MM"``, ``"H:MM"`` or
    ``"HHMM"``; ``"24:00"`` is accepted as a stop.  A stop earlier than the start
    crosses midnight.  A stop equal to the start is 0 minutes unless
    ``full_day`` says the shift ran round the clock.

    >>> from hcpcs_home.units import minutes_between
    >>> minutes_between("22:00", "06:00"), minutes_between("0800", "0800")
    (480, 0)
    >>> minutes_between("08:00", "08:00", full_day=True)
    1440
    >>> minutes_between("8:00", "25:00")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidTimeError: stop='25:00' must be a clock time (HH:MM)
    """
    return _clock.minutes_between(start, stop, full_day=full_day)


def service_dates(services: Iterable[_dt.date | Span]) -> tuple[_dt.date, ...]:
    """The distinct calendar dates with any service, in order.

    Items are dates of service or :class:`Span` values; a span counts every date
    on which it has at least one minute.  The count of dates is the per-diem
    units (HCPCS "per diem") and the G0322 days monitored (Palmetto,
    "Telehealth Home Health Services: New G-Codes").

    >>> import datetime
    >>> from hcpcs_home.units import Span, service_dates
    >>> day = datetime.date(2026, 3, 1)
    >>> service_dates([day, day, Span.from_clock(day, "22:00", "06:00")])
    (datetime.date(2026, 3, 1), datetime.date(2026, 3, 2))
    """
    from ._span import Span  # defined on first use (see __getattr__)

    if isinstance(services, (_dt.date, Span)):
        services = [services]
    services = _unit_checks.iterable("services", services)
    dates: set[_dt.date] = set()
    for i, item in enumerate(services):
        if isinstance(item, Span):
            dates.update(item.minutes_by_date())
        elif isinstance(item, _dt.date) and not isinstance(item, _dt.datetime):
            dates.add(item)
        else:
            raise InvalidTimeError(f"services[{i}]", item, "must be a datetime.date or a Span")
    return tuple(sorted(dates))


def per_diem_units(services: Iterable[_dt.date | Span], *, policy: UnitPolicy | None = None) -> int:
    """Per-diem units for the given services of one per-diem code.

    By default (HCPCS "per diem": one day of service, not minutes; billing
    guides such as Carepatron "HCPCS code S9129" [3rd] say the same) one unit
    per calendar date with any service, however many visits that day:
    ``len(service_dates(services))``.  Under a policy that redefines a
    per diem as an N-hour shift (:data:`DOL_EEOICP_8_HOUR_SHIFT`) each
    :class:`Span` of continuous care bills its complete shifts, and bare dates
    are refused because they carry no duration.

    >>> import datetime
    >>> from hcpcs_home.units import DOL_EEOICP_8_HOUR_SHIFT, Span, per_diem_units
    >>> day = datetime.date(2026, 3, 1)
    >>> visits = [Span.from_clock(day, "08:00", "09:00"), Span.from_clock(day, "20:00", "21:00")]
    >>> per_diem_units(visits)
    1
    >>> per_diem_units([Span.from_clock(day, "07:00", "07:00", full_day=True)],
    ...                policy=DOL_EEOICP_8_HOUR_SHIFT)
    3
    """
    policy = _policy(policy)
    if policy.per_diem_shift_hours is None:
        return len(service_dates(services))
    shift = policy.per_diem_shift_hours * 60
    total = 0
    from ._span import Span

    items = (
        [services] if isinstance(services, Span) else _unit_checks.iterable("services", services)
    )
    for i, item in enumerate(items):
        if not isinstance(item, Span):
            raise InvalidTimeError(
                f"services[{i}]", item, f"must be a Span: policy {policy.name!r} counts shifts"
            )
        total += item.minutes // shift
    return total


def carry_hours(minutes_by_date: Mapping[_dt.date, int]) -> dict[_dt.date, int]:
    """Whole hours per date, carrying leftover minutes forward within each calendar month.

    For one caregiver and one service: each date bills its complete hours, and
    the minutes short of an hour carry to the next date of the same month,
    billing an extra hour on the date they reach 60.  What is left at a month's
    end is not billable.  Source: Virginia Medicaid home care, as reported by
    Ankota's EVV blog [3rd] (:data:`VIRGINIA_WHOLE_HOURS`).

    >>> import datetime
    >>> from hcpcs_home.units import carry_hours
    >>> d = datetime.date
    >>> carry_hours({d(2026, 1, 5): 90, d(2026, 1, 6): 100, d(2026, 2, 2): 50})
    {datetime.date(2026, 1, 5): 1, datetime.date(2026, 1, 6): 2, datetime.date(2026, 2, 2): 0}
    """
    if not isinstance(minutes_by_date, Mapping):
        raise InvalidFieldError("minutes_by_date", minutes_by_date, "must map dates to minutes")
    out: dict[_dt.date, int] = {}
    month: tuple[int, int] | None = None
    carried = 0
    for day in sorted(minutes_by_date, key=_unit_checks.date_key):
        m = _clock.check_minutes(f"minutes_by_date[{day.isoformat()}]", minutes_by_date[day])
        if (day.year, day.month) != month:
            month, carried = (day.year, day.month), 0
        out[day], carried = divmod(carried + m, 60)
    return out
