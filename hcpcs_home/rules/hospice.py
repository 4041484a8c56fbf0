"""Rules for Medicare hospice claims (081X/082X): levels of care, respite, notices, SIA.

Continuous home care, respite, the Notice of Election, and the facts a hospice
biller reads off a month.

The arithmetic is :mod:`hcpcs_home.hospice`; these rules apply it to a claim.
Sources: Pub. 100-04 ch. 11 §30.1 (levels of care), CR 5245 (site-of-service
Q-codes on level lines), NGS and CGS continuous-home-care and respite job aids,
CR 8569 (respite edit), CR 8877 (NOE timeliness), CR 9201 (service intensity
add-on), AAPC on MM7792 (OC 55 with a death status).
"""

from __future__ import annotations

import datetime as _dt
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._benefits import AT_LEAST_HALF, MORE_THAN_HALF
from .._engine import ClaimFact, Context, LineFact, Need, Rule, Scope, Severity, Vocabulary
from ..bounds import MAX_STAY_DAYS
from ..errors import HcpcsError, InvalidFieldError
from . import _common as common
from ._common import FixResult, Pred, hospice_claim

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def _load() -> ModuleType:
    from .. import hospice

    return hospice


if TYPE_CHECKING:
    from .. import hospice as _h
else:  # a cold boundary: imported by the first hospice claim's check, not by the rules
    _h = common.ColdModule(_load)


#: Frequencies of hospice claims (NUBC: 1 admit through discharge, 2-4 interim, 7
#: replacement); the notices 8XA-8XE and voids (8) bill no days.
_CLAIM_FREQUENCIES = frozenset("12347")
_ONE_DAY = _dt.timedelta(days=1)


def _level(ctx: Context) -> _h.LevelOfCare | None:
    return None if ctx.line is None else _h.LevelOfCare.of_line(ctx.line)


class _LevelDays:
    """The claim's level-of-care days, worked out in one pass over its lines
    (:func:`hcpcs_home.hospice.level_days`), or why they cannot be counted.

    A private record read by this family's rules, not a value: a plain slotted class,
    so that importing the rules compiles no attrs methods for it.

    :ivar days: the levels billed on each day (empty where ``error`` is set).
    :ivar error: why a line's units are not days (reported by ``level-of-care-days``,
        never raised by the rules reading the days), or ``None``.
    """

    __slots__ = ("days", "error")

    def __init__(self, days: dict[_dt.date, tuple[_h.LevelOfCare, ...]], error: str | None) -> None:
        self.days = days
        self.error = error


def _level_days(ctx: Context) -> _LevelDays:
    try:
        return _LevelDays(_h.level_days(ctx.claim), None)
    except HcpcsError as exc:  # a line's units are not days: reported by level-of-care-days
        return _LevelDays({}, str(exc))


# --- the family's claim facts, each worked out once per claim ---------------------------

#: The claim's level-of-care days, read by every rule of the family that counts days.
_DAYS: ClaimFact[_LevelDays] = ClaimFact(_level_days)


def _days(ctx: Context) -> dict[_dt.date, tuple[_h.LevelOfCare, ...]]:
    """The claim's level-of-care days (empty where a line's units are not days)."""
    return _DAYS.of(ctx).days


def _is_claim(ctx: Context) -> bool:
    return ctx.claim.frequency in _CLAIM_FREQUENCIES


# --- level-of-care lines ------------------------------------------------------------


def level_of_care_line() -> Pred:
    """A level-of-care line: revenue code 0651, 0652, 0655 or 0656 (Pub. 100-04 ch. 11
    §30.1)."""
    return lambda ctx: _level(ctx) is not None


def level_site_fits() -> Pred:
    """The level-of-care line's HCPCS is a site-of-service Q-code where that level may be
    given: any Q5001-Q5010 for routine home care; no inpatient facility (Q5004-Q5008) for
    continuous home care (CGS "Continuous Home Care"); no home (Q5001, Q5002, Q5010) for
    respite (42 CFR 418.108(b)); for general inpatient care only a hospice inpatient
    facility, hospital or SNF (Q5004-Q5008: 42 CFR 418.108(a)), not a nursing facility
    (Q5003) (CR 5245, Transmittal 1011; Cahaba hospice claim page 02)."""

    def test(ctx: Context) -> bool:
        level = _level(ctx)
        return level is None or ctx.line is None or ctx.line.code in level.sites

    return test


def _fix_site(ctx: Context) -> FixResult:
    level = _level(ctx)
    if level is None:
        return None, {}, {}
    home = level in (_h.LevelOfCare.ROUTINE_HOME_CARE, _h.LevelOfCare.CONTINUOUS_HOME_CARE)
    target, where = ("Q5001", "the patient's home") if home else ("Q5006", "a hospice facility")
    text = f"bill the Q-code of where the care was given ({target} for {where})"
    return text, {"code": target}, {"level": level.name.replace("_", " ").lower()}


def days_billed_once() -> Pred:
    """Each day of the statement period is billed at exactly one level of care, and no
    level-of-care day falls outside the period (Pub. 100-04 ch. 11 §30.1: one rate per
    day; a new line each time the level changes, NGS RHC job aid; CGS claim page 02).
    Trailing days are required only while the patient is still under care (status 30 or
    none), since the claim of a discharge ends on the discharge date (CGS RC 31287).  A
    claim with no level-of-care line bills no day at all."""
    return lambda ctx: not _DAY_PROBLEMS.of(ctx)


def _day_problems(ctx: Context) -> tuple[str, ...]:
    """What is wrong with the days the claim bills, in words."""
    problems: list[str] = []
    claim = ctx.claim
    level_days = _DAYS.of(ctx)
    days = level_days.days
    if level_days.error is not None:
        problems.append(level_days.error)
    elif _is_claim(ctx):
        last = claim.statement_through
        if claim.patient_status not in (None, "30") and days:
            last = min(last, max(days))
        day = claim.statement_from
        missing: list[_dt.date] = []
        while day <= last:
            if day not in days:
                missing.append(day)
            day += _ONE_DAY
        twice = [d for d, levels in days.items() if len(levels) > 1]
        outside = [d for d in days if not claim.statement_from <= d <= claim.statement_through]
        for label, dates in (
            ("not billed at any level", missing),
            ("billed at more than one level", twice),
            ("outside the statement period", outside),
        ):
            if dates:
                problems.append(f"{_span_text(dates)} {label}")
    return tuple(problems)


#: What is wrong with the days the claim bills (empty when nothing is).
_DAY_PROBLEMS: ClaimFact[tuple[str, ...]] = ClaimFact(_day_problems)


def _span_text(dates: list[_dt.date]) -> str:
    """Dates as runs: ``2026-03-05``, ``2026-03-05 to 2026-03-07``."""
    runs: list[list[_dt.date]] = []
    for d in sorted(dates):
        if runs and d - runs[-1][-1] == _ONE_DAY:
            runs[-1].append(d)
        else:
            runs.append([d])
    return ", ".join(
        r[0].isoformat() if len(r) == 1 else f"{r[0].isoformat()} to {r[-1].isoformat()}"
        for r in runs
    )


def _fix_days(ctx: Context) -> FixResult:
    detail = "; ".join(_DAY_PROBLEMS.of(ctx))
    return "bill each day of the period at one level of care", {}, {"detail": detail}


# --- continuous home care --------------------------------------------------------------


def _chc(ctx: Context, share: str) -> _h.ChcDay | str:
    """The line's continuous-home-care day, or why it cannot be counted (once per line
    and nursing share)."""
    return _CHC[share].of(ctx)


def _chc_day(ctx: Context, share: str) -> _h.ChcDay | str:
    line = ctx.line
    assert line is not None
    services = ctx.services or tuple(s for s in ctx.claim.services if line.date in s.days())
    result: _h.ChcDay | str
    if not services:
        result = "no services are documented for the day"
    else:
        try:
            result = _h.chc_day(services, day=line.date, share=share, catalog=ctx.catalog)
        except HcpcsError as exc:
            result = f"its services cannot be counted ({exc})"
    return result


def _chc_fact(share: str) -> LineFact[_h.ChcDay | str]:
    return LineFact(lambda ctx: _chc_day(ctx, share))


#: The line's continuous-home-care day by nursing share (the family's line facts).
_CHC = {share: _chc_fact(share) for share in (MORE_THAN_HALF, AT_LEAST_HALF)}


def _share(value: object) -> str:
    if type(value) is str and value in (MORE_THAN_HALF, AT_LEAST_HALF):
        return value
    try:
        return _h.NursingShare(value).value
    except ValueError:
        raise InvalidFieldError("share", value, "is not a NursingShare value") from None


def chc_day_qualifies(share: str = MORE_THAN_HALF) -> Pred:
    """A continuous-home-care (0652) line's day has at least 8 hours of nursing, aide and
    homemaker care between midnight and midnight, predominantly nursing (RN, LPN/LVN), as
    :func:`hcpcs_home.hospice.chc_day` counts it from the day's services (the line's own,
    else the claim's services that touch the day).  ``share`` is the reading at exactly
    half (NGS CHC job aid 916402: more than half; CGS: at least 50 percent)."""
    rule = _share(share)

    def test(ctx: Context) -> bool:
        if _level(ctx) is not _h.LevelOfCare.CONTINUOUS_HOME_CARE:
            return True
        found = _chc(ctx, rule)
        return isinstance(found, _h.ChcDay) and found.qualifies

    return test


def _fix_chc(ctx: Context) -> FixResult:
    found = _chc(ctx, MORE_THAN_HALF)
    reason = found if isinstance(found, str) else found.reason
    date = ctx.line.date.isoformat() if ctx.line is not None else ""
    text = f"bill {date} as routine home care: a 0651 day, not a 0652 line"
    return text, {"revenue_code": "0651", "units": "1"}, {"reason": reason}


def chc_units_ok() -> Pred:
    """A continuous-home-care line bills at least 32 units (8 hours in 15-minute
    increments; Pub. 100-04 ch. 11 §30.1) and no more quarter hours than the day's counted
    care, any part of an increment counted (how a part increment counts is not published)."""

    def test(ctx: Context) -> bool:
        if ctx.line is None or _level(ctx) is not _h.LevelOfCare.CONTINUOUS_HOME_CARE:
            return True
        found = _chc(ctx, MORE_THAN_HALF)
        if not isinstance(found, _h.ChcDay):
            return True
        most = -(-found.minutes // 15)
        return _h.CHC_MINIMUM_UNITS <= ctx.line.units <= most

    return test


def _fix_chc_units(ctx: Context) -> FixResult:
    found = _chc(ctx, MORE_THAN_HALF)
    if not isinstance(found, _h.ChcDay):
        return None, {}, {}
    facts = {"expected": found.units, "hours": found.hours}
    return f"bill {found.units} unit(s)", {"units": str(found.units)}, facts


# --- respite -----------------------------------------------------------------------------


def _respite_excess(ctx: Context) -> list[_dt.date]:
    """The excess respite days within this line's stretch."""
    line = ctx.line
    if line is None or _level(ctx) is not _h.LevelOfCare.INPATIENT_RESPITE:
        return []
    excess = _RESPITE_EXCESS.of(ctx)
    return sorted(d for d in excess if line.date <= d and (d - line.date).days < line.units)


#: The claim's respite days past the fifth in a row.
_RESPITE_EXCESS: ClaimFact[frozenset[_dt.date]] = ClaimFact(
    lambda ctx: frozenset(_h.respite_excess(_days(ctx)))
)


def respite_within_limit() -> Pred:
    """An inpatient respite (0655) line bills no day past the fifth in a row (NGS respite
    job aid; edit from 2014-07-01, CR 8569, Transmittal 2867)."""
    return lambda ctx: not _respite_excess(ctx)


def _fix_respite(ctx: Context) -> FixResult:
    excess = _respite_excess(ctx)
    if not excess or ctx.line is None:
        return None, {}, {}
    keep = int(ctx.line.units) - len(excess)
    text = (
        f"bill {_span_text(excess)} as routine home care (0651) and {keep} respite day(s) "
        "on this line"
    )
    facts = {"days": len(excess), "first": excess[0].isoformat()}
    return text, {"units": str(keep)}, facts


# --- notices --------------------------------------------------------------------------


def _noe(ctx: Context) -> tuple[_h.NoticeTiming, _dt.date, _dt.date] | str | None:
    """A late NOE's timing and the liable days inside this claim's period, a reason the
    dates cannot be read, or ``None`` when nothing is owed on this claim."""
    claim = ctx.claim
    if not _is_claim(ctx) or claim.admission_date is None or claim.notice_accepted is None:
        return None
    try:
        timing = _h.noe_timing(claim.admission_date, claim.notice_accepted)
    except HcpcsError as exc:
        return str(exc)
    if timing.provider_liable is None:
        return None
    first = max(timing.provider_liable[0], claim.statement_from)
    last = min(timing.provider_liable[1], claim.statement_through)
    return None if first > last else (timing, first, last)


def noe_liability_reported() -> Pred:
    """A claim whose Notice of Election was accepted more than 5 calendar days after the
    admission reports the provider-liable days inside its period with occurrence span code
    77 (CR 8877, Transmittal 3032; NGS "Filing an Appeal for Claims Rejected for an
    Untimely NOE"; Palmetto "NOE Exception Examples").  Reads ``admission_date`` and
    ``notice_accepted``."""

    def test(ctx: Context) -> bool:
        found = _noe(ctx)
        if found is None:
            return True
        if isinstance(found, str):
            return False
        _, first, last = found
        return any(
            s.code == "77" and s.start == first and s.through == last
            for s in ctx.claim.occurrence_spans
        )

    return test


def _fix_noe(ctx: Context) -> FixResult:
    found = _noe(ctx)
    if found is None:
        return None, {}, {}
    if isinstance(found, str):
        return "correct the admission date or the notice's acceptance date", {}, {"detail": found}
    timing, first, last = found
    detail = (
        f"the NOE was accepted {timing.accepted_on.isoformat()}, {timing.days_late} day(s) "
        f"late: {first.isoformat()} to {last.isoformat()} are provider liable, and the claim "
        "has no occurrence span code 77 for them"
    )
    text = (
        f"add occurrence span code 77 from {first.isoformat()} through {last.isoformat()} "
        "with those days' charges as non-covered"
    )
    return (
        text,
        {"occurrence_span": f"77 {first.isoformat()} {last.isoformat()}"},
        {"detail": detail},
    )


def notr_timely() -> Pred:
    """A Notice of Termination/Revocation (TOB 8XB) is accepted within 5 calendar days
    after the discharge or revocation, its Through date (Palmetto NOE exception page);
    reads ``notice_accepted``."""

    def test(ctx: Context) -> bool:
        claim = ctx.claim
        if claim.frequency != "B" or claim.notice_accepted is None:
            return True
        try:
            return _h.notr_timing(claim.statement_through, claim.notice_accepted).timely
        except HcpcsError:
            return False

    return test


def _fix_notr(ctx: Context) -> FixResult:
    claim = ctx.claim
    if claim.notice_accepted is None:
        return None, {}, {}
    try:
        detail = _h.notr_timing(claim.statement_through, claim.notice_accepted).reason
    except HcpcsError as exc:
        detail = str(exc)
    return "file NOTRs within 5 days of the discharge or revocation", {}, {"detail": detail}


# --- death, the service intensity add-on and the two RHC rates --------------------------


def _death(ctx: Context) -> _dt.date | None:
    claim = ctx.claim
    if claim.patient_status not in _h.DEATH_STATUSES:
        return None
    found = claim.occurrence("55")
    return claim.statement_through if found is None else found.date


def death_date_reported() -> Pred:
    """A hospice claim with a death discharge status (40, 41, 42) carries occurrence code
    55 with the date of death (AAPC on MM7792; CCW codebook for the statuses)."""
    return lambda ctx: (
        ctx.claim.patient_status not in _h.DEATH_STATUSES or ctx.claim.occurrence("55") is not None
    )


def _fix_death(ctx: Context) -> FixResult:
    status = ctx.claim.patient_status or ""
    text = "add occurrence code 55 with the date of death (the claim's Through date if so)"
    return text, {}, {"status": status}


def sia_earned() -> Pred:
    """Visits earn the service intensity add-on: RN (G0299, 055X) or social-worker (G0155,
    056X, not 0569) visits without modifier PM on routine-home-care days in the last 7 days
    of life of a patient discharged deceased (NGS "Service Intensity Add-on Payment";
    CR 9201, from 2016-01-01)."""
    return lambda ctx: bool(_SIA.of(ctx))


def _sia(ctx: Context) -> tuple[_h.SiaDay, ...]:
    """The days that earn the SIA of a claim of a patient discharged deceased."""
    death = _death(ctx)
    # A bad level line is reported by level-of-care-days, not raised here.
    if death is not None and _is_claim(ctx) and _DAYS.of(ctx).error is None:
        return _h.sia_days(ctx.claim, death)
    return ()


#: The days that earn the service intensity add-on.
_SIA: ClaimFact[tuple[_h.SiaDay, ...]] = ClaimFact(_sia)


def _fix_sia(ctx: Context) -> FixResult:
    parts = []
    for day in _SIA.of(ctx):
        part = f"{day.day.isoformat()} {day.units} unit(s)"
        if day.billed_units > day.units:
            part += f" ({day.billed_units} billed, at most {_h.SIA_DAILY_UNITS} a day)"
        parts.append(part)
    return None, {}, {"detail": "; ".join(parts)}


def _rhc(ctx: Context) -> _h.RhcSplit | None:
    """The claim's RHC rate split counted from its admission date."""
    claim = ctx.claim
    found: _h.RhcSplit | None = None
    level_days = _DAYS.of(ctx)
    # Without an admission date the count cannot start; a bad level line is reported
    # by level-of-care-days.
    if claim.admission_date and _is_claim(ctx) and level_days.error is None:
        before = min(max(0, (claim.statement_from - claim.admission_date).days), MAX_STAY_DAYS)
        split = _h.rhc_split(level_days.days, days_before=before)
        found = split if split.high_days or split.low_days else None
    return found


#: The claim's routine-home-care days at the day 1-60 and day 61+ rates, or ``None``.
_RHC: ClaimFact[_h.RhcSplit | None] = ClaimFact(_rhc)


def rhc_days_billed() -> Pred:
    """The claim bills routine-home-care days and gives its admission date, so the days at
    the day 1-60 and day 61+ RHC rates can be told (FY 2016 hospice final rule, from
    2016-01-01, as summarised by Healthcare Provider Solutions)."""
    return lambda ctx: _RHC.of(ctx) is not None


def _fix_rhc(ctx: Context) -> FixResult:
    split = _RHC.of(ctx)
    if split is None:
        return None, {}, {}
    admitted = ctx.claim.admission_date
    detail = (
        f"{split.high_days} RHC day(s) at the day 1-60 rate, {split.low_days} at the day 61+ rate"
    )
    if split.first_low_day is not None:
        detail += f" from {split.first_low_day.isoformat()}"
    detail += (
        f", counted from the admission date {admitted.isoformat() if admitted else ''}; "
        "hospice days of an earlier election less than 60 days before add to the count"
    )
    return None, {}, {"detail": detail}


VOCABULARY = Vocabulary(
    predicates={
        "chc_day_qualifies": chc_day_qualifies,
        "chc_units_ok": chc_units_ok,
        "days_billed_once": days_billed_once,
        "death_date_reported": death_date_reported,
        "level_of_care_line": level_of_care_line,
        "level_site_fits": level_site_fits,
        "noe_liability_reported": noe_liability_reported,
        "notr_timely": notr_timely,
        "respite_within_limit": respite_within_limit,
        "rhc_days_billed": rhc_days_billed,
        "sia_earned": sia_earned,
    },
    fixers={
        "chc-routine-day": _fix_chc,
        "chc-units": _fix_chc_units,
        "death-date": _fix_death,
        "hospice-days": _fix_days,
        "level-site": _fix_site,
        "noe-liability": _fix_noe,
        "notr": _fix_notr,
        "respite-routine-days": _fix_respite,
        "rhc-split": _fix_rhc,
        "sia-days": _fix_sia,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix
level_line = p("level_of_care_line")


def _rules() -> tuple[Rule, ...]:
    medicare: Any = ["medicare"]
    return (
        Rule(
            "level-of-care-site",
            Severity.ERROR,
            "{code} is not a site of service for {level} (revenue code {revenue_code})",
            "CR 5245 (Transmittal 1011): a Q-code for the site of each level of care; CGS "
            '"Continuous Home Care" (not in a SNF, hospital, hospice inpatient facility, LTCH '
            "or psychiatric facility); 42 CFR 418.108(a) (general inpatient care only in a "
            "hospice inpatient facility, hospital or SNF) and (b) (respite); CMS HCPCS "
            "Q5001-Q5010 descriptors",
            hospice_claim & level_line & ~p("level_site_fits"),
            fix=fix("level-site"),
            field="code",
            description=(
                "A level-of-care line (0651, 0652, 0655, 0656) whose HCPCS is not a Q-code of a "
                "site where that level is given: continuous home care in an inpatient facility "
                "(Q5004-Q5008), respite or general inpatient care at home (Q5001, Q5002, Q5010), "
                "general inpatient care in a nursing facility (Q5003) or a place not otherwise "
                "specified (Q5009), or no Q-code at all."
            ),
            advice="The Q-code of where the care was given (Q5001 home, Q5006 hospice facility).",
        ),
        Rule(
            "level-of-care-days",
            Severity.WARNING,
            "{detail}",
            'Pub. 100-04 ch. 11 §30.1 (one level of care per day); NGS "Hospice Levels of '
            'Care: RHC" (a line per stretch, dated its first day); CGS hospice claim page 02',
            hospice_claim & ~p("days_billed_once"),
            fix=fix("hospice-days"),
            scope=Scope.CLAIM,
            field="lines",
            description=(
                "A hospice claim's level-of-care lines leave a day of the statement period "
                "unbilled, bill a day at two levels, or bill days outside the period (a 0651 "
                "line's units are the days of its stretch)."
            ),
            advice="Bill each day at one level: correct the stretches' dates and units.",
        ),
        Rule(
            "chc-day-not-qualifying",
            Severity.WARNING,
            "{date} is billed as continuous home care, but {reason}",
            'NGS "Hospice Levels of Care: Continuous Home Care" (article 916402); CGS '
            '"Continuous Home Care" (Pub. 100-02 ch. 9 §40.2.1; Pub. 100-04 ch. 11 §30.1)',
            hospice_claim & level_line & ~p("chc_day_qualifies"),
            fix=fix("chc-routine-day"),
            field="revenue_code",
            needs=[Need.CHART],
            description=(
                "A 0652 day with under 8 hours of nursing, aide and homemaker care between "
                "midnight and midnight, or with nurses giving half or less of it, or with no "
                "documented services: such a day is routine home care."
            ),
            advice="Bill the day as routine home care (a 0651 day).",
        ),
        Rule(
            "chc-units",
            Severity.WARNING,
            "{units} unit(s) of continuous home care on {date}; the day's {hours} hours of care "
            "give {expected}",
            "Pub. 100-04 ch. 11 §30.1 (hours in 15-minute increments); CR 5245 (Transmittal "
            "1011); Barnestorm hospice knowledge base (32 units minimum, third-party)",
            hospice_claim & level_line & p("chc_day_qualifies") & ~p("chc_units_ok"),
            fix=fix("chc-units"),
            field="units",
            needs=[Need.CHART],
            description=(
                "A qualifying continuous-home-care line bills fewer than 32 units or more quarter "
                "hours than the day's counted care."
            ),
            advice="The day's care in 15-minute increments.",
        ),
        Rule(
            "respite-over-limit",
            Severity.WARNING,
            "inpatient respite from {date} bills {days} day(s) past the fifth in a row, "
            "from {first}",
            'NGS "Hospice Levels of Care: Inpatient Respite Care"; CR 8569 (Transmittal 2867): '
            "edit from 2014-07-01",
            hospice_claim & level_line & ~p("respite_within_limit"),
            fix=fix("respite-routine-days"),
            field="units",
            description=(
                "An inpatient respite (0655) stretch longer than 5 consecutive days: the sixth "
                "day on is routine home care."
            ),
            advice="Bill the days after the fifth as routine home care (0651).",
        ),
        Rule(
            "noe-late",
            Severity.ERROR,
            "{detail}",
            'CR 8877 (Transmittal 3032), admissions from 2014-10-01; NGS "Filing an Appeal for '
            'Claims Rejected for an Untimely NOE"; Palmetto "NOE Exception Examples"',
            hospice_claim & ~p("noe_liability_reported"),
            fix=fix("noe-liability"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="notice_accepted",
            description=(
                "The Notice of Election was accepted more than 5 calendar days after the "
                "admission (``notice_accepted``, ``admission_date``) and the claim does not "
                "report the provider-liable days in its period with occurrence span code 77."
            ),
            advice=(
                "Occurrence span code 77 over the liable days, their charges non-covered (or "
                "an exception request)."
            ),
        ),
        Rule(
            "notr-late",
            Severity.WARNING,
            "{detail}",
            'Palmetto "NOE Exception" page (NOTR due within 5 calendar days); no payment '
            "consequence published",
            hospice_claim & ~p("notr_timely"),
            fix=fix("notr"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="notice_accepted",
            description=(
                "A Notice of Termination/Revocation (8XB) accepted more than 5 calendar days "
                "after its Through date: a warning, since no consequence is published."
            ),
            advice="File NOTRs within 5 days of the live discharge or revocation.",
        ),
        Rule(
            "death-date-missing",
            Severity.ERROR,
            "patient status {status} is a death, but occurrence code 55 (date of death) is missing",
            "AAPC on MM7792 (OC 55 with statuses 40, 41, 42); CCW codebook PTNT_DSCHRG_STUS_CD",
            hospice_claim & ~p("death_date_reported"),
            fix=fix("death-date"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="occurrence_codes",
            description=(
                "A hospice claim with discharge status 40, 41 or 42 (died) has no occurrence code "
                "55 with the date of death."
            ),
            advice="Occurrence code 55 with the date of death.",
        ),
        Rule(
            "sia-eligible",
            Severity.INFO,
            "service intensity add-on: {detail}",
            'NGS "Service Intensity Add-on Payment"; CR 9201 (from 2016-01-01)',
            hospice_claim & p("sia_earned"),
            fix=fix("sia-days"),
            scope=Scope.CLAIM,
            payers=medicare,
            effective_from=_dt.date(2016, 1, 1),
            field="lines",
            description=(
                "Information: RN (G0299) and social-worker (G0155) visits on routine days in the "
                "last 7 days of life earn the add-on, at most 16 units a day; PM visits do not."
            ),
            advice="None: the add-on is paid on the claim as billed.",
        ),
        Rule(
            "rhc-rate-days",
            Severity.INFO,
            "{detail}",
            "FY 2016 hospice final rule (RHC days 1-60 and 61+, from 2016-01-01), as summarised "
            "by Healthcare Provider Solutions",
            hospice_claim & p("rhc_days_billed"),
            fix=fix("rhc-split"),
            scope=Scope.CLAIM,
            payers=medicare,
            effective_from=_dt.date(2016, 1, 1),
            field="lines",
            description=(
                "Information: how many routine-home-care days fall at the day 1-60 rate and how "
                "many at the day 61+ rate, counted from the admission date."
            ),
            advice="None: a fact for the biller (pass earlier elections' days to rhc_split).",
        ),
    )


RULES: tuple[Rule, ...] = _rules()
"""The rules of this family, in the order their findings are reported."""
