"""Rules about time and units: minutes documented, units they earn.

The time each visit line bills in home health and hospice (Pub. 100-04 ch. 10
§40.2, ch. 11 §30.3), the CMS 15-minute chart and total-time method (Pub. 100-04
ch. 5 §20.2), per-hour codes under each payer's rounding, per-diem codes,
minimum session lengths, and one unit per telehealth service.

The rules that read the minutes of the chart need it (``Need.CHART``): a claim
that carries no chart (read from an 837I, UB-04 or RIF file) is not judged by
them, and says so once (``chart-not-provided``).
"""

from __future__ import annotations

from decimal import Decimal

from .._engine import Context, Need, Rule, Severity, Vocabulary, code_level, inline
from . import _common as common
from ._common import (
    FIFTEEN_MINUTES,
    FixResult,
    Pred,
    documented_minutes,
    evv_times_documented,
    expected_units,
    hh_claim,
    known,
    unit_policy,
)

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def time_documented() -> Pred:
    """The line's time is documented: its services record start and stop clock times or
    minutes, or accepted EVV visits with clock-in and clock-out back it (BCBSTX
    coordinated home care policy: shift notes with start/stop times; Pub. 100-04 ch. 10
    §40.2 and ch. 11 §30.3: visit lines bill 15-minute increments of the visit's time;
    SSA §1903(l)(5): EVV records the time the service begins and ends)."""
    # In the compiled checker, the minutes a rule of the line has worked out already are
    # read without a call (documented_minutes keeps them in ctx.minutes).
    return inline(
        lambda ctx: documented_minutes(ctx) is not None or evv_times_documented(ctx),
        "(ctx.minutes if ctx.minutes is not {unset} else {minutes}(ctx)) is not None or {evv}(ctx)",
        minutes=documented_minutes,
        evv=evv_times_documented,
        unset=Context.UNSET,
    )


def meets_minimum_time() -> Pred:
    """The documented time earns at least one unit under the payer's policy (8 minutes
    for a 15-minute line by the CMS chart; 45 minutes for G0129/G0176/G0177)."""

    def test(ctx: Context) -> bool:
        expected = expected_units(ctx)
        return expected is None or expected > 0

    # Written in place: the units are worked out by the call (expected_units keeps them
    # in ctx.expected, which the rest reads), or read where a rule already did.
    return inline(
        code_level(test, _uncounted),
        "(ctx.expected if ctx.expected is not {unset} else {expected}(ctx)) is None"
        " or ctx.expected > 0",
        expected=expected_units,
        unset=Context.UNSET,
    )


def _uncounted(ctx: Context) -> bool | None:
    """``True`` for a code whose units are not checked (unknown, or outside the curated
    layer: :func:`~._common.expected_units` gives ``None``), else ``None``."""
    code = ctx.code
    return True if code is None or not code.curated else None


def minutes_contested() -> Pred:
    """A 15-minute line documenting 1-7 minutes, where NGS's chart gives 0 units and a CMS
    hospice FAQ and Medicaid manuals give 1 (Cahaba RHHI hospice FAQ 9970, CR 6440)."""

    def test(ctx: Context) -> bool:
        minutes = documented_minutes(ctx)
        return (
            ctx.code is not None
            and minutes is not None
            and ctx.code.unit is FIFTEEN_MINUTES
            and 1 <= minutes <= 7
        )

    # In the compiled checker: minutes a rule of the line worked out already are read
    # without a call, and "1 to 7" is a set of them (None is in no set).
    return inline(
        code_level(
            test,
            lambda ctx: False if ctx.code is None or ctx.code.unit is not FIFTEEN_MINUTES else None,
        ),
        "ctx.code is not None and ctx.code.unit is {fifteen}"
        " and (ctx.minutes if ctx.minutes is not {unset} else {minutes}(ctx)) in {short}",
        fifteen=FIFTEEN_MINUTES,
        unset=Context.UNSET,
        minutes=documented_minutes,
        short=_CONTESTED,
    )


#: The minutes a 15-minute line documents that NGS's chart and others count differently.
_CONTESTED = frozenset(range(1, 8))


def units_match_time() -> Pred:
    """The billed units equal what the documented time gives under the payer's unit
    policy (see :func:`hcpcs_home.units.billable_units`)."""

    def test(ctx: Context) -> bool:
        expected = expected_units(ctx)
        return expected is None or ctx.line is None or ctx.line.units == expected

    # ``in`` compares with ``==`` (after ``is``): None, or the units billed.  The units a
    # rule of the line has worked out already (expected_units keeps them in
    # ctx.expected) are read without a call.
    return inline(
        code_level(test, _uncounted),
        "(ctx.expected if ctx.expected is not {unset} else {expected}(ctx))"
        " in (None, ctx.line.units) if ctx.line is not None else {test}(ctx)",
        expected=expected_units,
        test=test,
        unset=Context.UNSET,
    )


def _span_days(ctx: Context) -> int:
    """The days a line covers: its date through its ``through`` date (a span-dated per-diem
    line, X12 DTP*472 RD8 / UB-04 FL45 with a from-through span), else 1."""
    line = ctx.line
    if line is None or line.through is None:
        return 1
    return (line.through - line.date).days + 1


def _per_diem_expected(ctx: Context) -> int | Decimal:
    expected = expected_units(ctx)
    return _span_days(ctx) if expected is None else expected


def per_diem_units_ok() -> Pred:
    """A per-diem line bills a whole, positive number of units, and no more than the
    distinct days its services touch (HCPCS "per diem" descriptors: one unit per day of
    service), or than the payer's shift definition gives; without services, at most the
    days the line's date span covers (1 for a line of one date).  0, 0.5 or 0.01 units of
    a per-diem code is no day at all."""

    def test(ctx: Context) -> bool:
        line = ctx.line
        if line is None:
            return True
        units = line.units
        if units <= 0 or units != int(units):
            return False
        return units <= _per_diem_expected(ctx)

    return test


def telehealth_units_ok() -> Pred:
    """G0320/G0321 bill one unit per telehealth service, not 15-minute increments
    (Palmetto "Telehealth Home Health Services: New G-Codes"; CR 12805)."""
    return lambda ctx: ctx.line is not None and ctx.line.units <= max(1, len(ctx.services))


def _fix_units(ctx: Context) -> FixResult:
    expected = expected_units(ctx)
    minutes = documented_minutes(ctx)
    facts = {"expected": expected, "minutes": minutes, "policy": unit_policy(ctx).name}
    if expected is None:
        return None, {}, facts
    return f"bill {expected} unit(s)", {"units": str(expected)}, facts


def _fix_per_diem(ctx: Context) -> FixResult:
    days = _per_diem_expected(ctx)
    hours = ctx.payer.unit_policy.per_diem_shift_hours
    basis = "day(s) of service" if hours is None else f"complete {hours}-hour shift(s)"
    return f"bill {days} unit(s)", {"units": str(days)}, {"expected": days, "basis": basis}


VOCABULARY = Vocabulary(
    predicates={
        "meets_minimum_time": meets_minimum_time,
        "minutes_contested": minutes_contested,
        "per_diem_units_ok": per_diem_units_ok,
        "telehealth_units_ok": telehealth_units_ok,
        "time_documented": time_documented,
        "units_match_time": units_match_time,
    },
    fixers={
        "expected-units": _fix_units,
        "per-diem-units": _fix_per_diem,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix


RULES: tuple[Rule, ...] = (
    Rule(
        "time-not-documented",
        Severity.ERROR,
        "{code} is billed by time but its services document no start/stop times or minutes",
        "Pub. 100-04 ch. 10 §40.2 (HH PPS claims: each visit line bills the visit's time in "
        "15-minute increments) and ch. 11 §30.3 (hospice visit lines in 15-minute increments, "
        "CR 6440); BCBSTX coordinated home care policy (shift notes with start and stop clock "
        "times)",
        known & p("code_timed") & ~p("time_documented"),
        field="service_ids",
        needs=[Need.CHART],
        description=(
            "On a claim that carries its chart, a timed code (15-minute, hourly, per-minute, "
            "session) whose services document neither start/stop clock times nor minutes, or "
            "which points at no service, and which no accepted EVV visit with clock-in and "
            "clock-out backs. A claim without a chart (837I, UB-04, RIF) is not judged."
        ),
        advice="None (document the visit times).",
    ),
    Rule(
        "below-minimum-time",
        Severity.ERROR,
        "{minutes} documented minutes earn no unit of {code} under {policy}",
        'Pub. 100-04 ch. 5 §20.2 C and the NGS "Home Health Therapy Billing" chart: under 8 '
        "minutes is 0 units; "
        "CMS descriptors of G0129/G0176/G0177: 45 minutes or more",
        known & p("code_timed") & p("time_documented") & ~p("meets_minimum_time"),
        fix=fix("expected-units"),
        field="units",
        needs=[Need.CHART],
        description=(
            "The documented minutes earn no unit under the payer's unit policy: under 8 minutes on "
            "the CMS chart, under 45 minutes for G0129/G0176/G0177, under an hour for a whole-hour "
            "payer."
        ),
        advice="The units the time does give (0).",
    ),
    Rule(
        "units-mismatch",
        Severity.ERROR,
        "{units} unit(s) billed for {code}, but {minutes} documented minutes give "
        "{expected} under {policy}",
        'Pub. 100-04 ch. 5 §20.2 C (15-minute chart, total-time method); NGS "Home Health '
        'Therapy Billing"; payer per-hour conventions (TMHP TMPPM; BCBSTX CPCP)',
        known
        & p("code_timed")
        & p("time_documented")
        & p("meets_minimum_time")
        & ~p("units_match_time"),
        fix=fix("expected-units"),
        field="units",
        needs=[Need.CHART],
        description=(
            "The billed units differ from what the documented minutes give under the payer's unit "
            "policy: the 15-minute chart per line, CMS's total-time method across 15-minute codes "
            "on a 34X day, tenths of an hour where a payer bills TMHP's bands, whole hours for "
            "BCBS TX and the Texas CSHCN program, one unit a visit for Texas Medicaid G0299."
        ),
        advice="The right number of units (``fix``: ``units``).",
    ),
    Rule(
        "short-visit-units",
        Severity.WARNING,
        "{code} documents {minutes} minute(s): sources disagree whether a 1-7 minute visit "
        "line is 0 or 1 unit; {policy} counts {expected}",
        'NGS "Home Health Therapy Billing" chart vs Cahaba RHHI hospice FAQ 9970 (CR 6440)',
        known & hh_claim & p("minutes_contested"),
        fix=fix("expected-units"),
        field="units",
        needs=[Need.CHART],
        description=(
            "A 15-minute home-health (032X) visit line documenting 1-7 minutes, where the NGS "
            "chart gives 0 units and the CMS hospice FAQ gives 1: a warning, since the sources "
            "disagree. Hospice lines are counted under the hospice FAQ itself "
            "(:data:`~hcpcs_home.units.HOSPICE_VISIT`), so they are not contested."
        ),
        advice=(
            "The units the payer's policy counts (choose "
            ":data:`~hcpcs_home.units.MEDICARE_ANY_MINUTE_VISIT` to count 1)."
        ),
    ),
    Rule(
        "per-diem-units",
        Severity.ERROR,
        "{units} unit(s) of per-diem {code} billed for {expected} {basis}",
        "CMS HCPCS 'per diem' descriptors (one unit per day of service); payer shift "
        "definitions (DOL DEEOIC Bulletin 08-09)",
        known & p("code_unit", units=["day"]) & ~p("per_diem_units_ok"),
        fix=fix("per-diem-units"),
        field="units",
        description=(
            "A per-diem line bills more units than the calendar days its services touch (or, for "
            "DOL EEOICP, than the complete 8-hour shifts; without services, than the days of "
            "the line's from-through span), or a number of units that is not a whole, positive "
            "count of days (0, 0.5, 0.01)."
        ),
        advice="The number of days (or shifts).",
    ),
    Rule(
        "telehealth-units",
        Severity.WARNING,
        "{code} bills {units} units; it is one unit per telehealth service",
        "Palmetto GBA 'Telehealth Home Health Services: New G-Codes' (CR 12805)",
        p("code_in", codes=["G0320", "G0321"]) & ~p("telehealth_units_ok"),
        field="units",
        description=(
            "G0320/G0321 billed with more units than telehealth services (they are one unit per "
            "service, not 15-minute increments)."
        ),
        advice="None (bill one unit per service).",
    ),
)
"""The rules of this family, in the order their findings are reported."""
