"""Medicare hospice billing: levels of care, continuous home care, respite, notices, SIA.

A Medicare hospice claim (type of bill 081X/082X) is billed by calendar month
and pays one of four **levels of care** for each day (Pub. 100-04 ch. 11
§30.1).  Each level-of-care line carries the revenue code of its level and
the Q-code of where the care was given, dated with the first day of the
stretch (CR 5245, Transmittal 1011; NGS "Hospice Levels of Care: RHC"):

=======  ===========================  ==========================  ======================
Revenue  Level                        Units                       Q-code (site)
=======  ===========================  ==========================  ======================
0651     routine home care (RHC)      days of the stretch         any of Q5001-Q5010
0652     continuous home care (CHC)   15-minute increments, one   not Q5004-Q5008
                                      line a day, at least 32
0655     inpatient respite            days, at most 5 in a row    not Q5001/Q5002/Q5010
0656     general inpatient (GIP)      days                        not Q5001/Q5002/Q5010
=======  ===========================  ==========================  ======================

Visits are reported beside the level lines, one dated line per visit in
15-minute increments (CR 6440), counted under
:data:`hcpcs_home.units.HOSPICE_VISIT`.

>>> import datetime
>>> from hcpcs_home import Service, hospice
>>> day = datetime.date(2026, 3, 10)
>>> shifts = [Service.from_times("G0299", day, "00:00", "06:00", credential="RN"),
...           Service.from_times("G0156", day, "06:00", "09:00", credential="HHA")]
>>> chc = hospice.chc_day(shifts)
>>> chc.qualifies, str(chc.hours), str(chc.nurse_hours), chc.units
(True, '9', '6', 36)
>>> hospice.noe_timing(datetime.date(2026, 4, 7), datetime.date(2026, 4, 14)).provider_liable
(datetime.date(2026, 4, 7), datetime.date(2026, 4, 13))
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from decimal import Decimal
from typing import Any, TypeVar

import attrs

from . import _benefits
from ._facts import Facts, payer_of
from ._values import lazy_methods
from .bounds import MAX_STAY_DAYS
from .catalog import Catalog, default_catalog
from .claims import Claim, ClaimLine, Service
from .codes import Credential, Discipline
from .errors import InvalidFieldError, InvalidTimeError
from .payers import Payer

__all__ = [
    "CHC_AIDES",
    "CHC_MINIMUM_MINUTES",
    "CHC_MINIMUM_UNITS",
    "CHC_NURSES",
    "DEATH_STATUSES",
    "NOTICE_DAYS",
    "RESPITE_DAY_LIMIT",
    "SIA_DAILY_UNITS",
    "ChcDay",
    "LevelOfCare",
    "NoticeTiming",
    "NursingShare",
    "RhcSplit",
    "SiaDay",
    "chc_day",
    "level_days",
    "month_claim",
    "noe_timing",
    "notr_timing",
    "respite_excess",
    "rhc_split",
    "sia_days",
]


def __dir__() -> list[str]:
    return __all__


_T = TypeVar("_T")


# --- levels of care ---------------------------------------------------------------


class LevelOfCare(str, enum.Enum):
    """The four Medicare hospice levels of care, by revenue code (Pub. 100-04 ch. 11 §30.1).

    >>> from hcpcs_home.hospice import LevelOfCare
    >>> LevelOfCare("0652").name, LevelOfCare.INPATIENT_RESPITE.per_day
    ('CONTINUOUS_HOME_CARE', True)
    """

    ROUTINE_HOME_CARE = "0651"
    """Routine home care, one rate per day whatever the visits."""
    CONTINUOUS_HOME_CARE = "0652"
    """Continuous home care, hourly, reported in 15-minute increments, a line per day."""
    INPATIENT_RESPITE = "0655"
    """Inpatient respite care, per day, at most five consecutive days."""
    GENERAL_INPATIENT = "0656"
    """General inpatient care, per day."""

    @property
    def revenue_code(self) -> str:
        """The UB-04 revenue code of the level (FL42)."""
        return self.value

    @property
    def per_day(self) -> bool:
        """Whether the line's units are days (all but continuous home care)."""
        return self is not LevelOfCare.CONTINUOUS_HOME_CARE

    @property
    def sites(self) -> frozenset[str]:
        """The site-of-service Q-codes the level may be billed with."""
        return _SITES[self]

    @classmethod
    def of_line(cls, line: ClaimLine) -> LevelOfCare | None:
        """The level a claim line bills, or ``None`` for any other line."""
        rc = line.revenue_code
        return cls(rc) if rc in _LEVEL_CODES else None


_LEVEL_CODES = frozenset(level.value for level in LevelOfCare)
_ALL_SITES = frozenset(f"Q50{n:02d}" for n in range(1, 11))
#: Inpatient sites where continuous home care cannot be given: SNF (Q5004), inpatient
#: hospital (Q5005), inpatient hospice facility (Q5006), long-term care hospital (Q5007,
#: as CGS lists it) and inpatient psychiatric facility (Q5008) [CGS "Continuous Home Care"].
_INPATIENT_ONLY = frozenset({"Q5004", "Q5005", "Q5006", "Q5007", "Q5008"})
#: Home sites, where inpatient care is not given: the home (Q5001), assisted living (Q5002)
#: and "hospice home care provided in a hospice facility" (Q5010, CMS descriptor).
_HOME_ONLY = frozenset({"Q5001", "Q5002", "Q5010"})
#: Where general inpatient care may be given: a hospice inpatient facility (Q5006), a
#: hospital (inpatient Q5005, long-term care Q5007, psychiatric Q5008) or a SNF (Q5004);
#: not a nursing facility (Q5003) nor a place not otherwise specified (Q5009).  42 CFR
#: 418.108(a): inpatient care for pain control and symptom management "must be provided in"
#: a Medicare-certified hospice meeting 418.110, or a Medicare-certified hospital or SNF
#: meeting 418.110(b) and (e) (https://www.ecfr.gov/current/title-42/part-418/section-418.108).
#: Respite (418.108(b)) may also be given in a Medicare or Medicaid-certified nursing facility.
_GIP_SITES = frozenset({"Q5004", "Q5005", "Q5006", "Q5007", "Q5008"})
_SITES = {
    LevelOfCare.ROUTINE_HOME_CARE: _ALL_SITES,
    LevelOfCare.CONTINUOUS_HOME_CARE: _ALL_SITES - _INPATIENT_ONLY,
    LevelOfCare.INPATIENT_RESPITE: _ALL_SITES - _HOME_ONLY,
    LevelOfCare.GENERAL_INPATIENT: _GIP_SITES,
}


def _date(field: str, value: object) -> _dt.date:
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise InvalidTimeError(field, value, "must be a datetime.date")
    return value


def _items(field: str, value: object, kind: type[_T]) -> list[_T]:
    """``value`` as a list of ``kind`` (one ``kind`` alone is a list of one), or raise."""
    if isinstance(value, kind):
        return [value]
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError(field, value, f"must be a list of {kind.__name__}")
    out = list(value)
    for i, item in enumerate(out):
        if not isinstance(item, kind):
            raise InvalidFieldError(f"{field}[{i}]", item, f"is not a {kind.__name__}")
    return out


def _lines(value: object) -> list[ClaimLine]:
    return list(value.lines) if isinstance(value, Claim) else _items("lines", value, ClaimLine)


def level_days(lines: Claim | Iterable[ClaimLine]) -> dict[_dt.date, tuple[LevelOfCare, ...]]:
    """Every date the level-of-care lines bill, with the levels billed for it, in date order.

    A per-day line (0651, 0655, 0656) covers its date and the days after it,
    one per unit; a continuous-home-care line (0652) covers its own date
    (Pub. 100-04 ch. 11 §30.1; NGS RHC job aid: the line's date is the first
    day of the stretch).  A correct claim bills one level per date; two
    levels for one date show as two entries.

    >>> import datetime
    >>> from hcpcs_home import ClaimLine
    >>> from hcpcs_home.hospice import level_days
    >>> days = level_days([ClaimLine("Q5001", "2026-03-01", 2, revenue_code="0651"),
    ...                    ClaimLine("Q5001", "2026-03-03", 40, revenue_code="0652")])
    >>> [(d.day, [lv.name for lv in levels]) for d, levels in days.items()]
    [(1, ['ROUTINE_HOME_CARE']), (2, ['ROUTINE_HOME_CARE']), (3, ['CONTINUOUS_HOME_CARE'])]

    :raises ~hcpcs_home.errors.InvalidFieldError: an item is not a claim line, or a
        per-day line's units are not a whole number of days up to
        :data:`~hcpcs_home.bounds.MAX_STAY_DAYS`.
    """
    found: dict[_dt.date, list[LevelOfCare]] = {}
    for i, line in enumerate(_lines(lines)):
        level = LevelOfCare.of_line(line)
        if level is None:
            continue
        count = 1
        if level.per_day:
            count = int(line.units)
            if count != line.units or not 0 <= count <= MAX_STAY_DAYS:
                why = f"must be a whole number of days from 0 to {MAX_STAY_DAYS}"
                raise InvalidFieldError(f"lines[{i}].units", line.units, why)
        for n in range(count):
            found.setdefault(line.date + _dt.timedelta(days=n), []).append(level)
    return {day: tuple(found[day]) for day in sorted(found)}


RESPITE_DAY_LIMIT = 5
"""Inpatient respite is paid for at most 5 consecutive days; each further day is routine
home care (NGS respite job aid; edit from 2014-07-01, CR 8569, Transmittal 2867)."""


def respite_excess(days: Mapping[_dt.date, Iterable[LevelOfCare]]) -> tuple[_dt.date, ...]:
    """The respite days past the fifth in a row, which are to be billed as routine home care.

    ``days`` is what :func:`level_days` returns.  Respite days of an earlier
    claim are not seen: pass the previous month's days too when a stay crosses
    a month's end.

    >>> import datetime
    >>> from hcpcs_home.hospice import LevelOfCare, respite_excess
    >>> first = datetime.date(2026, 3, 20)
    >>> stay = {first + datetime.timedelta(days=n): [LevelOfCare.INPATIENT_RESPITE]
    ...         for n in range(6)}
    >>> respite_excess(stay)
    (datetime.date(2026, 3, 25),)
    """
    if not isinstance(days, Mapping):
        raise InvalidFieldError("days", days, "must map dates to levels of care")
    excess: list[_dt.date] = []
    run = 0
    previous: _dt.date | None = None
    for day in sorted(days, key=lambda d: _date("days", d)):
        respite = LevelOfCare.INPATIENT_RESPITE in tuple(days[day])
        consecutive = previous is not None and day - previous == _dt.timedelta(days=1)
        run = (run + 1 if consecutive else 1) if respite else 0
        if respite and run > RESPITE_DAY_LIMIT:
            excess.append(day)
        previous = day if respite else None
    return tuple(excess)


# --- continuous home care -----------------------------------------------------------

CHC_MINIMUM_MINUTES = 8 * 60
"""A continuous-home-care day needs at least 8 hours of care between midnight and midnight;
the hours need not be continuous (NGS CHC job aid, article 916402; CGS "Continuous Home
Care", citing Pub. 100-02 ch. 9 §40.2.1)."""

CHC_MINIMUM_UNITS = CHC_MINIMUM_MINUTES // 15
"""8 hours in 15-minute increments, so a 0652 line bills at least 32 units (Pub. 100-04
ch. 11 §30.1; Barnestorm knowledge base for the 32-unit figure)."""

CHC_NURSES = frozenset({Credential.RN, Credential.LPN})
"""Credentials whose hours are nursing care on a continuous-home-care day.

RN, and LPN (which includes LVN).  A nurse practitioner doing nursing work counts too (NGS CHC job
aid); the credential vocabulary has no NP, so record such hours as RN or LPN."""

CHC_AIDES = frozenset({Credential.HHA, Credential.CNA, Credential.NURSING_AIDE, Credential.PCA})
"""Credentials whose hours are hospice aide or homemaker care.

They count toward the 8 hours and must all be counted, so they weigh against the
nursing share (CGS "Continuous Home Care").  Social workers, counselors, chaplains and
bereavement staff do not count; the count "applies only to direct patient care provided
by a nurse, a homemaker, or a hospice aide" (NGS CHC job aid), so therapists do not
count either."""

_NURSE_DISCIPLINES = frozenset({Discipline.SKILLED_NURSING})
_AIDE_DISCIPLINES = frozenset(
    {Discipline.HOME_HEALTH_AIDE, Discipline.HOMEMAKER, Discipline.PERSONAL_CARE}
)


class NursingShare(str, enum.Enum):
    """How much of a continuous-home-care day nurses must give: the sources differ at 50%."""

    MORE_THAN_HALF = _benefits.MORE_THAN_HALF
    """Nursing for more than half of the period of care, so a 50/50 day is routine home
    care (NGS "Hospice Levels of Care: Continuous Home Care", article 916402; NHPCO CHC
    guidance quoting the 2009 rule).  The default."""
    AT_LEAST_HALF = _benefits.AT_LEAST_HALF
    """At least 50 percent of the care by a nurse; routine home care only when aide hours
    exceed nursing hours (CGS "Continuous Home Care", citing Pub. 100-02 ch. 9 §40.2.1)."""


def _hours(minutes: int) -> Decimal:
    """Minutes as hours to the hundredth, written without trailing zeros (``Decimal('7.5')``)."""
    hours = (Decimal(minutes) / 60).quantize(Decimal("0.01"))
    return hours.quantize(Decimal(1)) if hours == hours.to_integral() else hours.normalize()


@attrs.frozen(slots=True)
@lazy_methods
class ChcDay:
    """Whether one midnight-to-midnight day is continuous home care, and why.

    :ivar day: the calendar day.
    :ivar minutes: minutes of care that count (nursing, aide and homemaker).
    :ivar nurse_minutes: the nursing part of ``minutes``.
    :ivar excluded_minutes: minutes of services that do not count (social work,
        chaplaincy, therapy).
    :ivar qualifies: whether the day is billed as continuous home care (0652);
        otherwise it is a routine home care day (0651).
    :ivar reason: why, in words.
    :ivar units: the counted care in complete 15-minute increments (how a part
        increment counts is not published; complete increments never bill time
        not given).
    :ivar contested: the nursing share is exactly half, where sources differ.
    """

    day: _dt.date
    minutes: int
    nurse_minutes: int
    excluded_minutes: int
    qualifies: bool
    reason: str
    units: int
    contested: bool = False

    @property
    def hours(self) -> Decimal:
        """``minutes`` in hours."""
        return _hours(self.minutes)

    @property
    def nurse_hours(self) -> Decimal:
        """``nurse_minutes`` in hours."""
        return _hours(self.nurse_minutes)

    @property
    def level(self) -> LevelOfCare:
        """The level the day is billed at, continuous or routine home care."""
        if self.qualifies:
            return LevelOfCare.CONTINUOUS_HOME_CARE
        return LevelOfCare.ROUTINE_HOME_CARE


def _role(i: int, service: Service, catalog: Catalog) -> str:
    """``"nurse"``, ``"aide"`` or ``"other"`` for the continuous-home-care count."""
    if service.credential is not None:
        if service.credential in CHC_NURSES:
            return "nurse"
        return "aide" if service.credential in CHC_AIDES else "other"
    code = catalog.get(service.code)
    discipline = None if code is None else code.discipline
    if discipline in _NURSE_DISCIPLINES:
        return "nurse"
    if discipline in _AIDE_DISCIPLINES:
        return "aide"
    if discipline is Discipline.MEDICAL_SOCIAL_SERVICES:
        return "other"
    raise InvalidFieldError(
        f"services[{i}].credential", None, "is needed to tell nursing from other care"
    )


def _minutes_on(i: int, service: Service, day: _dt.date) -> int:
    if service.minutes is None:
        raise InvalidFieldError(
            f"services[{i}].minutes", None, "is needed to count continuous home care hours"
        )
    interval = service.interval()
    if interval is None:
        return service.minutes if service.date == day else 0
    start = _dt.datetime.combine(day, _dt.time())
    stop = start + _dt.timedelta(days=1)
    overlap = min(interval[1], stop) - max(interval[0], start)
    return max(0, overlap // _dt.timedelta(minutes=1))


def chc_day(
    services: Iterable[Service],
    *,
    day: _dt.date | None = None,
    share: NursingShare | str = NursingShare.MORE_THAN_HALF,
    catalog: Catalog | None = None,
) -> ChcDay:
    """Whether the services of one day make it a continuous-home-care day, and why.

    The rules (NGS CHC job aid, article 916402; CGS "Continuous Home Care",
    citing Pub. 100-02 ch. 9 §40.2.1 and Pub. 100-04 ch. 11 §30.1):

    * the day runs midnight to midnight; a shift over midnight counts only its
      minutes on ``day`` (the day of the first service when not given);
    * at least 8 hours (:data:`CHC_MINIMUM_MINUTES`) of nursing, aide and
      homemaker care, not necessarily continuous; overlapping hours of a nurse
      and an aide both count;
    * predominantly nursing (:data:`CHC_NURSES`): ``share`` chooses the reading
      at exactly half (:class:`NursingShare`), and such a day is marked
      ``contested``;
    * social work, counseling, chaplaincy and therapy do not count.

    A day that fails is routine home care.  A service's role comes from its
    credential, or without one from its code's discipline in ``catalog`` (the
    default catalog where ``None``; G0299 is nursing).

    >>> import datetime
    >>> from hcpcs_home import Service
    >>> from hcpcs_home.hospice import chc_day
    >>> day = datetime.date(2026, 3, 10)
    >>> short = chc_day([Service.from_times("G0299", day, "08:00", "15:30", credential="RN")])
    >>> short.qualifies, short.reason
    (False, '7.5 hours of care, under 8: bill the day as routine home care (0651)')
    >>> aides = chc_day([Service("G0299", day, minutes=240, credential="LPN"),
    ...                  Service("G0156", day, minutes=360, credential="HHA")])
    >>> aides.qualifies, str(aides.nurse_hours), str(aides.hours)
    (False, '4', '10')

    :raises ~hcpcs_home.errors.InvalidFieldError: an item is not a
        :class:`~hcpcs_home.claims.Service`, lacks minutes, touches none of
        ``day``, or has neither a credential nor a code that says who gave it.
    """
    items = _items("services", services, Service)
    if catalog is None:
        catalog = default_catalog()
    elif not isinstance(catalog, Catalog):
        raise InvalidFieldError("catalog", catalog, "must be a Catalog")
    try:
        rule = NursingShare(share)
    except ValueError:
        raise InvalidFieldError("share", share, "is not a NursingShare") from None
    if day is None:
        if not items:
            raise InvalidFieldError("services", items, "is empty and no day is given")
        day = min(s.date for s in items)
    day = _date("day", day)
    counted = {"nurse": 0, "aide": 0, "other": 0}
    for i, s in enumerate(items):
        on_day = _minutes_on(i, s, day)
        if on_day == 0 and s.minutes:
            raise InvalidFieldError(f"services[{i}]", s.id, f"has no minutes on {day.isoformat()}")
        counted[_role(i, s, catalog)] += on_day
    nurse = counted["nurse"]
    total = nurse + counted["aide"]
    half = 2 * nurse == total and total > 0
    predominant = 2 * nurse > total or (half and rule is NursingShare.AT_LEAST_HALF)
    hours, nurse_hours = _hours(total), _hours(nurse)
    if total < CHC_MINIMUM_MINUTES:
        reason = f"{hours} hours of care, under 8: bill the day as routine home care (0651)"
    elif not predominant:
        reason = (
            f"nurses gave {nurse_hours} of {hours} hours, not {rule.value}: bill the day as "
            f"routine home care (0651)"
        )
    else:
        reason = (
            f"{hours} hours of care, {nurse_hours} by nurses ({rule.value}): continuous home "
            f"care (0652)"
        )
    return ChcDay(
        day=day,
        minutes=total,
        nurse_minutes=nurse,
        excluded_minutes=counted["other"],
        qualifies=total >= CHC_MINIMUM_MINUTES and predominant,
        reason=reason,
        units=total // 15,
        contested=half,
    )


# --- notices -----------------------------------------------------------------------

NOTICE_DAYS = 5
"""An NOE (8XA) is timely when the MAC accepts it within 5 calendar days after the
hospice admission (election) date, for admissions from 2014-10-01 (CR 8877, Transmittal
3032; Palmetto NOE Q&A; CGS CR 8877 FAQ); an NOTR (8XB) is due within 5 calendar days
after the discharge or revocation (Palmetto NOE exception page)."""

_NOE_FROM = _dt.date(2014, 10, 1)


@attrs.frozen(slots=True)
@lazy_methods
class NoticeTiming:
    """When a hospice notice was due and what its lateness costs.

    :ivar notice: ``"NOE"`` (8XA) or ``"NOTR"`` (8XB).
    :ivar effective: the election (admission) date, or the NOTR's effective date.
    :ivar accepted_on: the day the MAC accepted the notice.
    :ivar due: the last timely day of acceptance.
    :ivar timely: whether it was accepted by ``due``.
    :ivar days_late: days past ``due`` (0 when timely).
    :ivar provider_liable: for a late NOE, the first and last day that are not
        covered and are the hospice's liability (reported with occurrence span
        code 77, non-covered charges); ``None`` otherwise.
    :ivar reason: the rule applied, with its source.
    """

    notice: str
    effective: _dt.date
    accepted_on: _dt.date
    due: _dt.date
    timely: bool
    days_late: int
    provider_liable: tuple[_dt.date, _dt.date] | None
    reason: str

    @property
    def liable_days(self) -> int:
        """How many days are the provider's liability."""
        if self.provider_liable is None:
            return 0
        first, last = self.provider_liable
        return (last - first).days + 1


def _timing(notice: str, effective: object, accepted_on: object) -> tuple[_dt.date, ...]:
    start = _date("election" if notice == "NOE" else "effective", effective)
    accepted = _date("accepted_on", accepted_on)
    if accepted < start:
        raise InvalidTimeError(
            "accepted_on", accepted, f"is before the {notice}'s date {start.isoformat()}"
        )
    return start, accepted, start + _dt.timedelta(days=NOTICE_DAYS)


def noe_timing(election: _dt.date, accepted_on: _dt.date) -> NoticeTiming:
    """Whether a Notice of Election was timely, or which days the hospice bears.

    Timely means accepted within 5 calendar days after the election date.  A
    late NOE leaves the days from the election date up to the day before
    acceptance uncovered and the hospice's liability (the beneficiary may not
    be billed); the claim reports them with occurrence span code 77 (NGS
    "Filing an Appeal for Claims Rejected for an Untimely NOE"; Palmetto job
    aid 2018-05-15).  Palmetto's example: admission 4/7, NOE accepted 4/14,
    OSC 77 from 4/7 through 4/13.

    >>> import datetime
    >>> from hcpcs_home.hospice import noe_timing
    >>> noe_timing(datetime.date(2026, 4, 7), datetime.date(2026, 4, 12)).timely
    True
    >>> late = noe_timing(datetime.date(2026, 4, 7), datetime.date(2026, 4, 14))
    >>> late.days_late, late.liable_days
    (2, 7)
    """
    start, accepted, due = _timing("NOE", election, accepted_on)
    if start < _NOE_FROM:
        reason = "elections before 2014-10-01 have no NOE timeliness rule (CR 8877)"
        return NoticeTiming("NOE", start, accepted, due, True, 0, None, reason)
    if accepted <= due:
        reason = "accepted within 5 calendar days after the election date (CR 8877)"
        return NoticeTiming("NOE", start, accepted, due, True, 0, None, reason)
    last = accepted - _dt.timedelta(days=1)
    reason = (
        f"accepted {(accepted - due).days} day(s) after the 5-day limit (CR 8877): "
        f"{start.isoformat()} through {last.isoformat()} are provider liable (OSC 77)"
    )
    return NoticeTiming(
        "NOE", start, accepted, due, False, (accepted - due).days, (start, last), reason
    )


def notr_timing(effective: _dt.date, accepted_on: _dt.date) -> NoticeTiming:
    """Whether a Notice of Termination/Revocation (8XB) was timely.

    Due within 5 calendar days after a live discharge or revocation, unless
    the final claim is already filed (Palmetto NOE exception page).  No payment
    consequence of a late NOTR was found, so none is computed.

    >>> import datetime
    >>> from hcpcs_home.hospice import notr_timing
    >>> notr_timing(datetime.date(2026, 5, 2), datetime.date(2026, 5, 9)).days_late
    2
    """
    start, accepted, due = _timing("NOTR", effective, accepted_on)
    late = max(0, (accepted - due).days)
    reason = (
        "accepted within 5 calendar days after the discharge or revocation"
        if not late
        else f"accepted {late} day(s) after the 5-day limit; the consequence is not published"
    )
    return NoticeTiming("NOTR", start, accepted, due, not late, late, None, reason)


# --- service intensity add-on ---------------------------------------------------------

SIA_DAILY_UNITS = 16
"""The service intensity add-on pays at most 4 hours (16 units) a day, RN and social
worker together (NGS "Service Intensity Add-on Payment"; CR 9201)."""

_SIA_FROM = _dt.date(2016, 1, 1)
_SIA_CODES = {"G0299": "055", "G0155": "056"}
DEATH_STATUSES = frozenset({"40", "41", "42"})
"""Patient discharge statuses of a death in hospice.

40 at home, 41 in a medical facility,
42 place unknown (CCW codebook ``PTNT_DSCHRG_STUS_CD``); the SIA needs one of them."""


@attrs.frozen(slots=True)
@lazy_methods
class SiaDay:
    """The service intensity add-on of one routine-home-care day in the last 7 days of life.

    :ivar day: the date.
    :ivar units: qualifying 15-minute units, at most :data:`SIA_DAILY_UNITS`.
    :ivar billed_units: qualifying units billed that day before the cap.
    :ivar lines: indexes of the qualifying visit lines.
    """

    day: _dt.date
    units: int
    billed_units: int
    lines: tuple[int, ...]


def sia_days(claim: Claim | Iterable[ClaimLine], death: _dt.date) -> tuple[SiaDay, ...]:
    """The days and units that earn the service intensity add-on (an informational fact).

    From 2016-01-01 (CR 9201) Medicare adds an hourly payment for RN visits
    (G0299 on 055X) and social-worker visits (G0155 on 056X, not 0569 phone
    calls) on routine-home-care (0651) days in the last 7 days of life of a
    patient discharged deceased, at least 15 minutes and at most 4 hours a
    day; visits with modifier PM (post-mortem) do not count (NGS "Service
    Intensity Add-on Payment").  The payment itself is Medicare's to compute.

    >>> import datetime
    >>> from hcpcs_home import ClaimLine
    >>> from hcpcs_home.hospice import sia_days
    >>> lines = [ClaimLine("Q5001", "2026-03-01", 20, revenue_code="0651"),
    ...          ClaimLine("G0299", "2026-03-19", 20, revenue_code="0551"),
    ...          ClaimLine("G0155", "2026-03-19", 2, revenue_code="0561"),
    ...          ClaimLine("G0299", "2026-03-20", 1, revenue_code="0551", modifiers=["PM"])]
    >>> [(d.day.day, d.units, d.billed_units) for d in sia_days(lines, datetime.date(2026, 3, 20))]
    [(19, 16, 22)]
    """
    death = _date("death", death)
    lines = _lines(claim)
    levels = level_days(lines)
    first = death - _dt.timedelta(days=6)
    by_day: dict[_dt.date, list[int]] = {}
    for i, line in enumerate(lines):
        family = _SIA_CODES.get(line.code)
        if (
            family is None
            or line.revenue_code is None
            or line.revenue_code[:3] != family
            or line.revenue_code == "0569"
            or "PM" in line.modifiers
            or not first <= line.date <= death
            or line.date < _SIA_FROM
            or line.units < 1
            or levels.get(line.date) != (LevelOfCare.ROUTINE_HOME_CARE,)
        ):
            continue
        by_day.setdefault(line.date, []).append(i)
    out = []
    for day in sorted(by_day):
        billed = sum(int(lines[i].units) for i in by_day[day])
        out.append(SiaDay(day, min(billed, SIA_DAILY_UNITS), billed, tuple(by_day[day])))
    return tuple(out)


# --- routine home care: days 1-60 and 61 on ---------------------------------------------

_RHC_HIGH_DAYS = 60


@attrs.frozen(slots=True)
@lazy_methods
class RhcSplit:
    """The routine-home-care days of a claim at the day 1-60 rate and at the day 61+ rate.

    :ivar high_days: RHC days paid at the higher (days 1-60) rate.
    :ivar low_days: RHC days paid at the lower (day 61 on) rate.
    :ivar first_low_day: the first RHC day at the lower rate, if any.
    """

    high_days: int
    low_days: int
    first_low_day: _dt.date | None


def rhc_split(
    claim: Claim | Iterable[ClaimLine] | Mapping[_dt.date, Iterable[LevelOfCare]],
    *,
    days_before: int = 0,
) -> RhcSplit:
    """Split a claim's routine-home-care days between the two RHC rates.

    From 2016-01-01 RHC pays a higher rate for days 1-60 of hospice care and a
    lower one from day 61 (FY 2016 hospice final rule, as summarised by
    Healthcare Provider Solutions and Simione).  The count runs across
    elections and restarts only after more than 60 days without hospice care,
    which the claim cannot show: pass ``days_before``, the hospice days the
    patient had before this claim's first day.  ``claim`` may also be the days
    :func:`level_days` gave for it.  Every level-of-care day counts
    toward the 60 (derived; CMS's wording of the count was not found).

    >>> from hcpcs_home import ClaimLine
    >>> from hcpcs_home.hospice import rhc_split
    >>> rhc_split([ClaimLine("Q5001", "2026-03-01", 31, revenue_code="0651")], days_before=45)
    RhcSplit(high_days=15, low_days=16, first_low_day=datetime.date(2026, 3, 16))
    """
    if (
        isinstance(days_before, bool)
        or not isinstance(days_before, int)
        or not 0 <= days_before <= MAX_STAY_DAYS
    ):
        why = f"must be a whole number of days from 0 to {MAX_STAY_DAYS}"
        raise InvalidFieldError("days_before", days_before, why)
    high = low = 0
    first_low: _dt.date | None = None
    days = claim if isinstance(claim, Mapping) else level_days(claim)
    for n, day in enumerate(sorted(days, key=lambda d: _date("days", d)), start=days_before + 1):
        levels = tuple(days[day])
        if LevelOfCare.ROUTINE_HOME_CARE not in levels:
            continue
        if n <= _RHC_HIGH_DAYS:
            high += 1
        else:
            low += 1
            first_low = first_low or day
    return RhcSplit(high, low, first_low)


# --- the month's claim, from the facts a biller has ----------------------------------------

#: Hospice claim types of bill: non-hospital-based (081X) and hospital-based (082X)
#: hospices, with the frequencies Palmetto GBA's "Hospice Monthly Billing Requirement"
#: (2020-09-02, quoting Pub. 100-04 ch. 11 §90) allows: 1 admit through discharge, 2
#: interim first, 3 interim continuing, 4 interim last, 7 replacement.
_MONTH_FREQUENCIES = frozenset("12347")


def _level(field: str) -> Any:
    """A level of care from a :class:`LevelOfCare`, its revenue code (``"651"`` too) or
    its name (``"routine_home_care"``)."""

    def convert(value: object) -> LevelOfCare:
        if isinstance(value, LevelOfCare):
            return value
        if isinstance(value, str) and len(value) < 40:
            text = value.strip()
            if text.isascii() and text.isdigit():
                text = text.zfill(4)
            if text in _LEVEL_CODES:
                return LevelOfCare(text)
            by_name = LevelOfCare.__members__.get(text.upper().replace(" ", "_"))
            if by_name is not None:
                return by_name
        names = ", ".join(f"{lv.value} ({lv.name.lower()})" for lv in LevelOfCare)
        raise InvalidFieldError(field, value, f"is not a level of care: {names}")

    return convert


def _month_bill(value: object) -> str:
    text = value.strip().upper().zfill(4) if isinstance(value, str) and len(value) < 8 else ""
    if text[:3] not in ("081", "082") or text[3:] not in _MONTH_FREQUENCIES:
        raise InvalidFieldError(
            "type_of_bill",
            value,
            "is not a hospice claim's type of bill (081X or 082X, X 1-4 or 7)",
        )
    return text


def _runs(days: list[_dt.date]) -> str:
    """Sorted dates as runs: ``2026-03-04..2026-03-06, 2026-03-09``."""
    out: list[str] = []
    first = prev = days[0]
    for day in [*days[1:], None]:
        if day is not None and day - prev == _DAY:
            prev = day
            continue
        out.append(first.isoformat() if first == prev else f"{first}..{prev}")
        if day is not None:
            first = prev = day
    return ", ".join(out)


_DAY = _dt.timedelta(days=1)


def _level_days(facts: Facts, levels: object) -> dict[_dt.date, LevelOfCare]:
    """The day-by-day list as ``{date: level}``; a repeated day is a problem."""
    if isinstance(levels, Mapping):
        pairs: list[Any] = list(levels.items())[: MAX_STAY_DAYS + 1]
    else:
        pairs = list(facts.items("levels", levels, object))
    if len(pairs) > MAX_STAY_DAYS:
        facts.add("levels", f"<{len(pairs)}+ days>", f"holds more than {MAX_STAY_DAYS} days")
        return {}
    out: dict[_dt.date, LevelOfCare] = {}
    for i, pair in enumerate(pairs):
        if not isinstance(pair, (tuple, list)) or len(pair) != 2:
            facts.add(f"levels[{i}]", pair, "must be a (date, level of care) pair")
            continue
        day = facts.date(f"levels[{i}].date", pair[0])
        level = facts.read(_level(f"levels[{i}].level"), pair[1], None)
        if day is None or level is None:
            continue
        if day in out:
            facts.add(f"levels[{i}].date", day, f"is listed twice ({out[day].name}, {level.name})")
        out[day] = level
    if not out and not facts.problems:
        facts.add("levels", levels, "holds no day: a hospice claim bills its days")
    return out


def _stretches(days: dict[_dt.date, LevelOfCare]) -> list[tuple[LevelOfCare, _dt.date, int]]:
    """Consecutive days at one level as ``(level, first day, days)``; each CHC day alone."""
    out: list[tuple[LevelOfCare, _dt.date, int]] = []
    for day in sorted(days):
        level = days[day]
        if out and level.per_day and out[-1][0] is level and out[-1][1] + out[-1][2] * _DAY == day:
            out[-1] = (level, out[-1][1], out[-1][2] + 1)
        else:
            out.append((level, day, 1))
    return out


def _share(value: object) -> NursingShare:
    try:
        return NursingShare(value)
    except ValueError:
        names = ", ".join(repr(n.value) for n in NursingShare)
        raise InvalidFieldError("share", value, f"is not a NursingShare ({names})") from None


def month_claim(
    levels: Mapping[_dt.date | str, LevelOfCare | str]
    | Iterable[tuple[_dt.date | str, LevelOfCare | str]],
    visits: Iterable[Service] = (),
    *,
    admission_date: _dt.date | str,
    sites: Mapping[LevelOfCare | str, str],
    charges: Mapping[str, Decimal | int | str],
    notice_accepted: _dt.date | str | None = None,
    patient_status: str = "30",
    death_date: _dt.date | str | None = None,
    type_of_bill: str | None = None,
    share: NursingShare | str = NursingShare.MORE_THAN_HALF,
    payer: Payer | str = "medicare",
    **claim_fields: Any,
) -> Claim:
    """A hospice claim of one calendar month, from its day-by-day levels of care and visits.

    ``levels`` gives each billed day its level of care (a mapping of date to
    :class:`LevelOfCare`, its revenue code or its name, or ``(date, level)``
    pairs), every day from the first to the last; ``sites`` the Q-code where
    each level was given (``{"0651": "Q5001", "0655": "Q5006"}``).  The claim
    (Pub. 100-04 ch. 11 §30.1 and §90, as Palmetto GBA quotes them; CR 5245;
    CR 6440):

    * From and Through are the first and last listed days, within one calendar
      month: From the 1st or the admission date, Through the month's last day or
      the discharge (``patient_status`` other than ``"30"``);
    * a line per stretch of routine home care, respite or general inpatient care
      (units the days, dated the first, HCPCS the level's site), and a line per
      continuous-home-care day whose units are the day's care in 15-minute
      increments (:func:`chc_day` of that day's visits, under ``share``);
    * a line per visit (:meth:`ClaimLine.from_service
      <hcpcs_home.claims.ClaimLine.from_service>` on the hospice bill: 1-15
      minutes is one increment, CMS hospice Q&A 9887);
    * the admission (election) date, the NOE's acceptance date and, when the NOE
      was late, occurrence span 77 over the provider-liable days in the month
      (:func:`noe_timing`); ``patient_status`` and, at death (40, 41, 42),
      occurrence code 55 with ``death_date``;
    * ``type_of_bill`` 081X by default, its frequency from the facts: 1 admitted
      and discharged this month, 2 admitted, 3 continuing, 4 discharged.

    ``charges`` maps a level's revenue code to the agency's charge of one unit
    (a day; a 15-minute increment of continuous home care) and a visit's code to
    the charge of one visit.  ``**claim_fields`` sets the claim's other fields;
    ``occurrence_codes``, ``occurrence_spans`` and ``lines`` are added after the
    builder's own.  The builder never checks the claim.

    >>> import datetime
    >>> from hcpcs_home import Service
    >>> march = {datetime.date(2026, 3, d): "0651" for d in range(1, 32)}
    >>> rn = Service.from_times("G0299", "2026-03-05", "10:00", "10:05", credential="RN")
    >>> claim = month_claim(march, [rn], admission_date="2026-01-20",
    ...     sites={"0651": "Q5001"}, charges={"0651": "210.00", "G0299": "95.00"})
    >>> claim.type_of_bill, [(li.revenue_code, li.code, li.units) for li in claim.lines]
    ('0813', [('0651', 'Q5001', 31), ('0551', 'G0299', 1)])

    :raises ~hcpcs_home.errors.InvalidClaimError: the facts contradict each other or
        cannot be read (a gap in the days, days across two months or before the
        admission, a visit outside the days, a level without a site or at a site
        where it is not given, a continuous-home-care day its visits do not make
        one, a death without its date, a code without a charge ...), every
        problem at once.
    """
    facts = Facts("month_claim")
    days = _level_days(facts, levels)
    services = facts.items("visits", visits, Service)
    admission = facts.date("admission_date", admission_date)
    accepted = facts.optional_date("notice_accepted", notice_accepted)
    death = facts.optional_date("death_date", death_date)
    rates = facts.charges(charges)
    rule = facts.read(_share, share, NursingShare.MORE_THAN_HALF)
    who = facts.read(payer_of, payer, None)
    extra = facts.claim_fields(claim_fields, ("statement_from", "statement_through"))
    where: dict[LevelOfCare, str] = {}
    if isinstance(sites, Mapping):
        for key, site in sites.items():
            level = facts.read(_level(f"sites[{key!r}]"), key, None)
            code = site.strip().upper() if isinstance(site, str) and len(site) < 16 else site
            if level is not None and code not in level.sites:
                facts.add(f"sites[{key!r}]", site, f"is not a site of {level.name.lower()}")
            elif level is not None:
                where[level] = str(code)
    else:
        facts.add("sites", sites, "must map each level of care to its site Q-code")
    if not days or who is None:
        facts.check()
    assert who is not None

    first, last = min(days), max(days)
    month_end = (first.replace(day=28) + 4 * _DAY).replace(day=1) - _DAY
    discharged = not (isinstance(patient_status, str) and patient_status.strip() == "30")
    missing = [first + n * _DAY for n in range((last - first).days + 1)]
    missing = [d for d in missing if d not in days]
    if missing:
        facts.add("levels", _runs(missing), "leave days without a level of care")
    if last > month_end:
        facts.add("levels", last, f"run past the month of {first} (bill each month on its own)")
    used = sorted({lv for lv in days.values()}, key=lambda lv: lv.value)
    for level in used:
        if level not in where and isinstance(sites, Mapping):
            facts.add("sites", level.value, f"names no site for {level.name.lower()}")
    if admission is not None:
        if first < admission:
            facts.add("levels", first, f"start before the admission date {admission}")
        elif first != admission and first.day != 1:
            facts.add("levels", first, "start neither on the 1st nor on the admission date")
        if accepted is not None and accepted < admission:
            facts.add("notice_accepted", accepted, f"is before the admission date {admission}")
    if not discharged and last != month_end and last <= month_end:
        facts.add("levels", last, f"end before the month's last day ({month_end}), status 30")
    dying = isinstance(patient_status, str) and patient_status.strip() in DEATH_STATUSES
    if dying and death is None:
        facts.add("death_date", None, f"is required with patient_status={patient_status}")
    if death is not None and not dying:
        facts.add("death_date", death, f"is given but patient_status={patient_status!r}")
    if death is not None and death != last:
        facts.add("death_date", death, f"is not the last listed day ({last})")
    for i, s in enumerate(services):
        if s.date not in days:
            facts.add(f"visits[{i}].date", s.date, f"has no level of care ({first}..{last})")

    admitted = admission == first
    frequency = {(True, True): "1", (True, False): "2", (False, False): "3", (False, True): "4"}
    derived = "081" + frequency[admitted, discharged]
    tob = facts.read(_month_bill, derived if type_of_bill is None else type_of_bill, "0813")
    lines: list[ClaimLine] = []
    for level, day, count in _stretches(days):
        if level not in where:
            continue
        site = where[level]
        units: int = count
        ids: list[str] = []
        if level is LevelOfCare.CONTINUOUS_HOME_CARE:
            on_day = [s for s in services if day in s.days()]
            care = facts.call(chc_day, on_day, day=day, share=rule)
            if care is not None and not care.qualifies:
                facts.add("levels", day, f"is listed as continuous home care, but {care.reason}")
            units = care.units if care is not None else 0
            ids = [s.id for s in on_day]
        charge = facts.charge(rates, level.value, level.name.lower(), units)
        line = facts.call(ClaimLine, site, day, units, level.value, charge=charge, service_ids=ids)
        if line is not None:
            lines.append(line)
    lines += facts.visit_lines(services, rates, payer=who, type_of_bill=tob)
    occurrences = [("55", death)] if death is not None else []
    spans = []
    if admission is not None and accepted is not None and accepted >= admission:
        liable = noe_timing(admission, accepted).provider_liable
        if liable is not None and liable[0] <= last and liable[1] >= first:
            spans.append(("77", max(liable[0], first), min(liable[1], last)))
    return facts.build(
        extra,
        payer=who,
        statement_from=first,
        statement_through=last,
        lines=lines,
        services=services,
        type_of_bill=tob,
        admission_date=admission,
        patient_status=patient_status,
        occurrence_codes=occurrences,
        occurrence_spans=spans,
        notice_accepted=accepted,
    )
