"""Medicare home-health PDGM arithmetic: 30-day periods, NOA timeliness, HIPPS, LUPA.

Under the Patient-Driven Groupings Model (PDGM), for periods beginning on or
after 2020-01-01, Medicare pays a home-health admission in 30-day periods
(CGS "Final Claim" page, CR 11081; MLN SE19027).  The admission (start of
care) date is day 1 of period 1; period *n* starts 30 × (*n* − 1) days later
and ends 29 days after its start (CGS reason-code examples U538F: 06/25-07/24).
The first period of an admission is *early*, every later adjacent one *late*
(CMS MLN call 2019-08-21, as quoted by AAPC; Healthcare Synergy knowledge base).

>>> import datetime
>>> from hcpcs_home import pdgm_periods, noa_timing
>>> for p in pdgm_periods(datetime.date(2024, 3, 1), datetime.date(2024, 5, 10)):
...     print(p)
period 1 (early) 2024-03-01..2024-03-30
period 2 (late) 2024-03-31..2024-04-29
period 3 (late) 2024-04-30..2024-05-10
>>> late = noa_timing(datetime.date(2024, 3, 1), datetime.date(2024, 3, 7))
>>> late.timely, late.days_late, late.reduction
(False, 1, Fraction(1, 5))

Since 2022-01-01 each admission needs a notice of admission (NOA, type of bill
032A) submitted to and accepted by the MAC within 5 calendar days after the
admission date; a late NOA reduces the period payment by 1/30 for each day
from the admission date to the day the NOA was accepted (CY 2021 Home Health
PPS final rule, as quoted by AAPC; NGS and CGS "Late NOA – The Exception
Process", CGS 2022-07-26).
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterable, Mapping
from decimal import Decimal
from fractions import Fraction
from types import MappingProxyType
from typing import Any

import attrs

from . import _benefits, _tables
from . import _fields as f
from ._facts import Facts, payer_of
from ._read import read_at_most
from ._values import lazy_methods
from .catalog import lookup
from .claims import HIPPS_REVENUE_CODE, Claim, ClaimLine, Occurrence, Service, ValueCode
from .codes import Discipline
from .errors import HcpcsError, InvalidFieldError, InvalidTimeError, UnknownCodeError
from .payers import Payer

__all__ = [
    "MAX_ADMISSION_DAYS",
    "NOA_DAYS",
    "NOA_START",
    "PDGM_START",
    "PERIOD_DAYS",
    "TELEHEALTH_CODES",
    "LupaThresholds",
    "NoaTiming",
    "Period",
    "first_billable_visit",
    "is_lupa",
    "is_valid_hipps",
    "noa_timing",
    "pdgm_periods",
    "period_claim",
    "period_containing",
    "shipped_lupa_thresholds",
    "visit_count",
]


def __dir__() -> list[str]:
    return __all__


PDGM_START = _dt.date(2020, 1, 1)
"""First day of PDGM; periods beginning on or after it are 30-day periods (CR 11081)."""

PERIOD_DAYS = _benefits.PERIOD_DAYS
"""Length of a PDGM payment period in days."""

NOA_START = _dt.date(2022, 1, 1)
"""First admission date that needs a notice of admission (TOB 032A; CR 12227, CR 12256)."""

NOA_DAYS = 5
"""Calendar days after the admission date within which the NOA must be accepted (CGS; NGS)."""

MAX_ADMISSION_DAYS = 366 * 20
"""The longest admission these functions accept, in days (a bound on input, not a rule)."""

TELEHEALTH_CODES = _benefits.TELEHEALTH_CODES
"""Home-health telecommunications G-codes of CR 12805, reported on the claim but never visits.

Palmetto GBA "Telehealth Home Health Services: New G-Codes"; SSA §1895(e)(1)
and 42 CFR 409.43(a) (telecommunications do not replace an ordered visit).
"""

_SITE_CODES = frozenset(f"Q50{n:02d}" for n in range(1, 11))
# Revenue families whose lines are home-health visits (CCW codebook, CLM_HHA_TOT_VISIT_CNT).
_VISIT_FAMILIES = frozenset({"042", "043", "044", "055", "056", "057", "058", "059"})
_PDGM_HIPPS = re.compile(r"[1-4][A-L][A-C][1-3]1\Z")
_DAY = _dt.timedelta(days=1)
#: The converter of a list of claim lines, made once: ``_fields.tuple_of`` registers
#: each converter it makes, so making one per call grew that registry by a converter
#: (and its closures) with every home-health claim checked.
_LINES = f.tuple_of(f.instance_of(ClaimLine, "lines"), "lines")


def _admission_span(admission: object, through: object) -> tuple[_dt.date, _dt.date]:
    first = f.date("admission")(admission)
    last = f.date("through")(through)
    if last < first:
        raise InvalidTimeError("through", last, f"is before admission={first.isoformat()}")
    if (last - first).days > MAX_ADMISSION_DAYS:
        raise InvalidTimeError("through", last, f"is more than {MAX_ADMISSION_DAYS} days on")
    return first, last


@attrs.frozen(slots=True)
@lazy_methods
class Period:
    """One 30-day PDGM payment period of an admission.

    :ivar number: 1 for the period that starts on the admission date.
    :ivar start: first day of the period.
    :ivar end: last day: 29 days after ``start``, or earlier where the
        admission ends sooner (discharge, transfer, death).
    """

    number: int
    start: _dt.date
    end: _dt.date

    @property
    def early(self) -> bool:
        """Whether the period is early (the first of the admission); later ones are late."""
        return self.number == 1

    @property
    def days(self) -> int:
        """The number of days in the period (30 unless it was cut short)."""
        return (self.end - self.start).days + 1

    def __contains__(self, day: object) -> bool:
        return isinstance(day, _dt.date) and self.start <= day <= self.end

    def __str__(self) -> str:
        timing = "early" if self.early else "late"
        return f"period {self.number} ({timing}) {self.start.isoformat()}..{self.end.isoformat()}"


def pdgm_periods(admission: _dt.date | str, through: _dt.date | str) -> tuple[Period, ...]:
    """The 30-day periods of an admission from ``admission`` to ``through``.

    The last period ends on ``through`` (give the discharge date, or any day
    you want the periods up to).

    :raises InvalidTimeError: ``through`` is before ``admission``, or the
        span is absurdly long.
    """
    first, last = _admission_span(admission, through)
    out = []
    start, number = first, 1
    while start <= last:
        end = min(start + (PERIOD_DAYS - 1) * _DAY, last)
        out.append(Period(number, start, end))
        start, number = start + PERIOD_DAYS * _DAY, number + 1
    return tuple(out)


def period_containing(admission: _dt.date | str, day: _dt.date | str) -> Period:
    """The full 30-day period of the admission that ``day`` falls in.

    >>> import datetime
    >>> print(period_containing("2024-03-01", "2024-04-15"))
    period 2 (late) 2024-03-31..2024-04-29
    """
    first, on = _admission_span(admission, day)
    number = (on - first).days // PERIOD_DAYS + 1
    start = first + (number - 1) * PERIOD_DAYS * _DAY
    return Period(number, start, start + (PERIOD_DAYS - 1) * _DAY)


@attrs.frozen(slots=True)
@lazy_methods
class NoaTiming:
    """How timely a notice of admission was, and what a late one costs.

    :ivar admission: the admission (start-of-care) date.
    :ivar accepted_on: the day the MAC accepted the NOA.
    :ivar penalty_days: days from the admission date to acceptance (the
        admission day counts as the first penalty day).
    :ivar timely: accepted within :data:`NOA_DAYS` days after admission.
    :ivar days_late: days past the deadline (0 when timely).
    :ivar reduction: the share of the first period's payment (outlier
        included) lost, an exact fraction: ``penalty_days / 30`` when late,
        at most 1; 0 when timely.
    :ivar reaches_later_periods: acceptance came after the first period
        ended.  CMS says each affected period is reduced, but how the days are
        split across later periods is not confirmed in a public source: ask
        your MAC.  ``reduction`` covers the first period only.
    """

    admission: _dt.date
    accepted_on: _dt.date
    penalty_days: int
    timely: bool
    days_late: int
    reduction: Fraction
    reaches_later_periods: bool


def noa_timing(admission: _dt.date | str, accepted_on: _dt.date | str) -> NoaTiming:
    """Whether an NOA accepted on ``accepted_on`` was timely, and the late-NOA reduction.

    Worked examples (SOC 2024-03-01): accepted 03-06 is timely; 03-07 is one
    day late and loses 6/30 = 1/5 of period 1 (CMS: "one day late = 20%").

    >>> noa_timing("2024-03-01", "2024-03-06").timely
    True
    >>> noa_timing("2024-03-01", "2024-03-15").reduction
    Fraction(7, 15)

    :raises InvalidTimeError: acceptance before the admission date (NOAs
        with future dates are rejected: CGS news 2022-01-04).
    """
    first, accepted = _admission_span(admission, accepted_on)
    days = (accepted - first).days
    timely = days <= NOA_DAYS
    return NoaTiming(
        admission=first,
        accepted_on=accepted,
        penalty_days=days,
        timely=timely,
        days_late=0 if timely else days - NOA_DAYS,
        reduction=Fraction(0) if timely else Fraction(min(days, PERIOD_DAYS), PERIOD_DAYS),
        reaches_later_periods=not timely and days > PERIOD_DAYS,
    )


def is_valid_hipps(code: object) -> bool:
    """Whether ``code`` is a home-health HIPPS code in the PDGM layout; never raises.

    Five characters: admission source and timing ``1``-``4``, clinical group
    ``A``-``L``, functional level ``A``-``C``, comorbidity ``1``-``3``, and ``1``
    (CMS "Definition and Uses of HIPPS Codes", 2022-04-04; AAPC "Decode HIPPS
    Digits Under PDGM" quoting CMS; homecareanswers.com).  Which letter is
    which clinical group is not confirmed publicly; CMS's yearly case-mix
    weights file is the list of codes in use.

    >>> [is_valid_hipps(c) for c in ("1FC21", "1fc21", "5FC21", "G0402", None)]
    [True, False, False, False, False]
    """
    return isinstance(code, str) and _PDGM_HIPPS.match(code) is not None


def _is_visit(line: ClaimLine, count_site_lines: bool) -> bool:
    rev = line.revenue_code
    if rev is None or rev[:3] not in _VISIT_FAMILIES or line.code in TELEHEALTH_CODES:
        return False
    return count_site_lines or line.code not in _SITE_CODES


def first_billable_visit(claim_or_lines: Claim | Iterable[ClaimLine]) -> _dt.date | None:
    """The date of the first billable (in-person) visit line, or ``None`` without one.

    The 0023 HIPPS line and the Q5001/Q5002/Q5009 site line are dated with it
    (Palmetto GBA "Reason Code 32968"; CGS "Reason Code 38107"; NGS article
    522358).  A visit line is a HCPCS line under revenue codes 042X-044X or
    055X-059X (CCW codebook, ``CLM_HHA_TOT_VISIT_CNT``); telehealth lines
    (G0320-G0322: not visits, Palmetto "Telehealth Home Health Services: New
    G-Codes"), site Q-code lines and revenue-only lines never count.

    >>> from hcpcs_home import ClaimLine
    >>> first_billable_visit([ClaimLine("G0320", "2024-03-02", 1, revenue_code="0551"),
    ...                       ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421"),
    ...                       ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551")])
    datetime.date(2024, 3, 4)

    :raises InvalidFieldError: ``claim_or_lines`` is neither a claim nor claim lines.
    """
    if isinstance(claim_or_lines, Claim):
        items: tuple[ClaimLine, ...] = claim_or_lines.lines
    else:
        items = _LINES(claim_or_lines)
    days = [li.date for li in items if li.qualifier == "HC" and _is_visit(li, False)]
    return min(days) if days else None


def visit_count(lines: Iterable[ClaimLine], *, count_site_lines: bool = False) -> int:
    """The visits among ``lines``: one per visit-revenue line, whatever its units.

    Visit lines are those under revenue codes 042X-044X and 055X-059X (CCW
    codebook, ``CLM_HHA_TOT_VISIT_CNT``).  Telehealth G0320-G0322 lines never
    count.  Site-of-service Q5001-Q5010 lines reuse a visit revenue code but
    are not visits; whether CMS's own count skips them is not confirmed, so
    ``count_site_lines=True`` counts them.
    """
    items = _LINES(lines)
    return sum(1 for line in items if _is_visit(line, count_site_lines))


def _threshold(field: str, value: object) -> int:
    if isinstance(value, str) and value.strip().isdigit():
        value = int(value.strip())
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 99:
        raise InvalidFieldError(field, value, "is not a visit threshold (1 to 99)")
    return value


def _thresholds(value: object) -> Mapping[str, int]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError("by_hipps", value, "must be a mapping of HIPPS code to visits")
    out: dict[str, int] = {}
    for code, visits in value.items():
        if not isinstance(code, str) or not re.fullmatch(r"[A-Z0-9]{5}", code.strip().upper()):
            raise InvalidFieldError("by_hipps", code, "is not a five-character HIPPS code")
        out[code.strip().upper()] = _threshold(f"by_hipps[{code!r}]", visits)
    return MappingProxyType(out)


def _name(value: object) -> str:
    return f.text("name")(value)


def _source(value: object) -> str:
    return f.text("source")(value)


def _default(value: object) -> int | None:
    return None if value is None else _threshold("default", value)


@attrs.frozen(slots=True, eq=False)
class LupaThresholds:
    """LUPA visit thresholds: a period with fewer visits than its HIPPS's threshold is a LUPA.

    :ivar name: what the table is (``"CY 2024 PDGM"``).
    :ivar by_hipps: threshold per HIPPS code.
    :ivar default: threshold for a HIPPS not in ``by_hipps`` (the single
        threshold of the pre-PDGM system), or ``None``: an unknown HIPPS is
        then an error, never a guess.
    :ivar source: where the numbers come from.

    >>> table = LupaThresholds("example", {"1FC21": 4})
    >>> table.threshold("1FC21")
    4
    """

    name: str = attrs.field(converter=_name)
    by_hipps: Mapping[str, int] = attrs.field(converter=_thresholds)
    default: int | None = attrs.field(default=None, converter=_default)
    source: str = attrs.field(default="", converter=_source)

    def threshold(self, hipps: str) -> int:
        """The threshold for ``hipps``.

        :raises InvalidFieldError: ``hipps`` is not five letters or digits.
        :raises UnknownCodeError: the table has no threshold for it and no default.
        """
        key = hipps.strip().upper() if isinstance(hipps, str) else None
        if key is None or not re.fullmatch(r"[A-Z0-9]{5}", key):
            raise InvalidFieldError("hipps", hipps, "is not a five-character HIPPS code")
        found = self.by_hipps.get(key)
        if found is not None:
            return found
        if self.default is None:
            raise UnknownCodeError(hipps)
        return self.default

    @classmethod
    def load(
        cls,
        path: str | os.PathLike[str],
        *,
        name: str | None = None,
        source: str | None = None,
    ) -> LupaThresholds:
        """A table from a CSV or tab-separated file with a HIPPS column and a threshold column.

        Export CMS's "CY <year> PDGM Case-Mix Weights and LUPA Thresholds"
        sheet to CSV and load it: the header row's columns are found by name
        (one containing ``HIPPS``, one containing ``threshold``, any case);
        ``#`` lines and lines before the header are skipped.  Every row must
        hold a HIPPS code and a whole threshold, or the load fails naming the row.
        """
        # Imported on the first file read: checking claims never reads one.
        import csv
        import io
        from pathlib import Path

        file = Path(os.fspath(path))
        data = read_at_most(file, 5_000_000)
        if len(data) > 5_000_000:
            raise InvalidFieldError("path", str(file), "is larger than a thresholds table")
        try:
            text = data.decode("utf-8-sig")
        except UnicodeDecodeError as exc:
            raise InvalidFieldError("path", str(file), f"is not UTF-8 text: {exc.reason}") from None
        lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
        delimiter = "\t" if any("\t" in ln for ln in lines[:5]) else ","
        rows = list(csv.reader(io.StringIO("\n".join(lines)), delimiter=delimiter))
        found_header = next(
            (
                (at, _column(header, "hipps"), _column(header, "threshold"))
                for at, header in enumerate(rows)
                if _column(header, "hipps") is not None and _column(header, "threshold") is not None
            ),
            None,
        )
        if found_header is None:
            raise InvalidFieldError("path", str(file), "has no HIPPS and threshold columns")
        at, hipps, visits = found_header
        assert hipps is not None and visits is not None
        table: dict[str, Any] = {}
        for number, row in enumerate(rows[at + 1 :], start=at + 2):
            cells = [c.strip() for c in row]
            if len(cells) <= max(hipps, visits):
                raise InvalidFieldError(f"row {number}", row, "is missing cells")
            table[cells[hipps]] = cells[visits]
        try:
            found = _thresholds(table)
        except InvalidFieldError as exc:
            raise InvalidFieldError(f"{file.name}: {exc.field}", exc.value, exc.reason) from None
        return cls(name or file.stem, found, source=source or str(file))


def _column(header: list[str], word: str) -> int | None:
    """The index of the first column whose name contains ``word`` (any case)."""
    return next((i for i, c in enumerate(header) if word in c.strip().lower()), None)


def shipped_lupa_thresholds(on: _dt.date | str) -> LupaThresholds:
    """The thresholds this package ships for a period starting ``on``.

    Only the pre-PDGM rule is shipped (a 60-day episode with 4 visits or fewer
    is a LUPA, CCW codebook ``CLM_HHA_LUPA_IND_CD``).  PDGM thresholds vary by
    HIPPS and are published by CMS each year; for periods from 2020-01-01 load
    them with :meth:`LupaThresholds.load`.

    >>> shipped_lupa_thresholds("2019-06-01").threshold("1AFK1")
    5

    :raises InvalidTimeError: no shipped table covers ``on``.
    """
    day = f.date("on")(on)
    for row in _tables.read_table("lupa_thresholds.tsv"):
        first, last = _dt.date.fromisoformat(row["from"]), _dt.date.fromisoformat(row["through"])
        if first <= day <= last:
            source = " ".join(_tables.provenance("lupa_thresholds.tsv")[1:4])
            if row["hipps"] == "*":
                return LupaThresholds(row["scheme"], {}, int(row["threshold"]), source)
            return LupaThresholds(row["scheme"], {row["hipps"]: row["threshold"]}, source=source)
    raise InvalidTimeError(
        "on",
        day,
        "is not covered by a shipped LUPA table; load CMS's 'CY <year> PDGM Case-Mix Weights "
        "and LUPA Thresholds' with LupaThresholds.load()",
    )


def is_lupa(
    lines: Iterable[ClaimLine],
    thresholds: LupaThresholds,
    *,
    hipps: str | None = None,
    count_site_lines: bool = False,
) -> bool:
    """Whether a period billed with ``lines`` has fewer visits than its LUPA threshold.

    ``hipps`` defaults to the code on the period's 0023 line.  Visits are
    counted by :func:`visit_count` (telehealth lines never count).

    >>> from hcpcs_home import ClaimLine
    >>> lines = [ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023"),
    ...          ClaimLine("G0299", "2024-03-01", 4, revenue_code="0551"),
    ...          ClaimLine("G0320", "2024-03-03", 1, revenue_code="0551"),
    ...          ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421")]
    >>> is_lupa(lines, LupaThresholds("example", {"1FC21": 3}))
    True

    :raises InvalidFieldError: no HIPPS given and no single 0023 line holds one.
    :raises UnknownCodeError: the table has no threshold for the HIPPS.
    """
    items = _LINES(lines)
    if not isinstance(thresholds, LupaThresholds):
        raise InvalidFieldError("thresholds", thresholds, "must be LupaThresholds")
    if hipps is None:
        found = {li.code for li in items if li.revenue_code == HIPPS_REVENUE_CODE and li.code}
        if len(found) != 1:
            raise InvalidFieldError(
                "hipps", sorted(found), "must be given: the lines hold no single 0023 HIPPS code"
            )
        hipps = found.pop()
    return visit_count(items, count_site_lines=count_site_lines) < thresholds.threshold(hipps)


# --- the period's claim, from the facts a biller has ------------------------------------

_PERIOD_BILLS = ("0321", "0327", "0329")
#: Site-of-service Q-codes of home health (CR 8136, Transmittal 2680; NGS article 522358).
_HH_SITES = ("Q5001", "Q5002", "Q5009")
#: The nominal charge of the site-of-service line where ``charges`` names none (NGS
#: article 522358: one unit at a nominal charge).
_SITE_CHARGE = Decimal("0.01")
#: The revenue-code family of each discipline's visits on 032X (NGS "Home Health Therapy
#: Billing"; CGS "Submitting a Final Claim under the Home Health PDGM"): what a code billed
#: under several families (the telehealth G0320-G0322) takes from its clinician.
_DISCIPLINE_FAMILY = {
    Discipline.SKILLED_NURSING: "055",
    Discipline.PHYSICAL_THERAPY: "042",
    Discipline.OCCUPATIONAL_THERAPY: "043",
    Discipline.SPEECH_LANGUAGE_PATHOLOGY: "044",
    Discipline.MEDICAL_SOCIAL_SERVICES: "056",
    Discipline.HOME_HEALTH_AIDE: "057",
}
_MONITORING = "G0322"


def _hipps(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) and len(value) < 16 else value
    if not is_valid_hipps(text):
        raise InvalidFieldError("hipps", value, "is not a HIPPS code in the PDGM layout (1FC21)")
    assert isinstance(text, str)
    return text


def _period_bill(value: object) -> str:
    text = value.strip().upper().zfill(4) if isinstance(value, str) and len(value) < 8 else None
    if text not in _PERIOD_BILLS:
        raise InvalidFieldError(
            "type_of_bill", value, "is not a period claim's type of bill (0329, 0327 or 0321)"
        )
    return text


def _hh_site(value: object) -> str:
    text = value.strip().upper() if isinstance(value, str) and len(value) < 16 else None
    if text not in _HH_SITES:
        raise InvalidFieldError(
            "site", value, "is not a home-health site of service (Q5001, Q5002 or Q5009)"
        )
    return text


def _county_code(field: str) -> Any:
    """A five-digit CBSA or FIPS county code (text, or an int where leading zeros fell off)
    as the value code's amount (CBSA 35614 is ``35614``; FIPS 08019 is ``8019``)."""

    def convert(value: object) -> Decimal:
        if isinstance(value, int) and not isinstance(value, bool) and 0 < value <= 99_999:
            return Decimal(value)
        text = value.strip() if isinstance(value, str) and len(value) < 16 else None
        if text is None or len(text) != 5 or not text.isascii() or not text.isdigit():
            raise InvalidFieldError(field, value, "is not a five-digit code")
        return Decimal(int(text))

    return convert


def _visit_revenue(facts: Facts, i: int, service: Service) -> str | None:
    """The revenue code of a code billed under several families (telehealth), from its
    clinician's discipline; ``None`` leaves the choice to :meth:`ClaimLine.from_service`."""
    try:
        families = lookup(service.code).revenue_codes
    except HcpcsError:
        return None  # from_service names the unknown code
    if len(families) <= 1:
        return None
    if service.credential is None:
        facts.add(
            f"visits[{i}].credential",
            None,
            f"is needed to choose the revenue code of {service.code} ({', '.join(families)})",
        )
        return None
    family = _DISCIPLINE_FAMILY.get(service.credential.discipline)
    if family is None or f"{family}X" not in families:
        facts.add(
            f"visits[{i}].credential",
            service.credential.value,
            f"renders no home-health discipline {service.code} is billed under",
        )
        return None
    return family + "1"


def _monitoring_line(
    facts: Facts, found: list[tuple[int, Service]], charges: Mapping[str, Decimal]
) -> ClaimLine | None:
    """One G0322 line for the period: units the days monitored, dated the first (Palmetto
    GBA "Telehealth Home Health Services: New G-Codes")."""
    if not found:
        return None
    days = sorted({s.date for _, s in found})
    revenue = _visit_revenue(facts, found[0][0], found[0][1])
    return facts.call(
        ClaimLine,
        _MONITORING,
        days[0],
        len(days),
        revenue_code=revenue,
        charge=facts.charge(charges, _MONITORING, "remote monitoring"),
        service_ids=[s.id for _, s in sorted(found, key=lambda x: (x[1].date, x[0]))],
    )


def _period_of(
    facts: Facts,
    services: tuple[Service, ...],
    admission: _dt.date,
    start: _dt.date | None,
    end: _dt.date | None,
    patient_status: object,
) -> tuple[Period | None, _dt.date | None]:
    """The claim's period and Through date; every visit outside them is a problem."""
    days = sorted(s.date for s in services)
    anchor = start or next((d for d in days if d >= admission), admission)
    if anchor < admission:
        facts.add("statement_from", anchor, f"is before the admission date {admission}")
        anchor = admission
    period = facts.read(lambda a: period_containing(admission, a), anchor, None)
    if period is None:
        return None, None
    if start is not None and start != period.start:
        facts.add("statement_from", start, f"is not the first day of a period ({period.start})")
    if period.start < PDGM_START:
        facts.add("visits", days[0], f"fall before PDGM's 30-day periods ({PDGM_START})")
    still_here = isinstance(patient_status, str) and patient_status.strip() == "30"
    last = end or (period.end if still_here else max(days[-1], period.start))
    if end is not None and not period.start <= end <= period.end:
        facts.add("statement_through", end, f"is outside {period}")
    for i, s in enumerate(services):
        if s.date < admission:
            facts.add(f"visits[{i}].date", s.date, f"is before the admission date {admission}")
        elif not period.start <= s.date <= last:
            facts.add(f"visits[{i}].date", s.date, f"is outside the period {period.start}..{last}")
    return period, last


def period_claim(
    visits: Iterable[Service],
    *,
    admission_date: _dt.date | str,
    oasis_date: _dt.date | str,
    hipps: str,
    cbsa: str | int,
    fips: str | int,
    charges: Mapping[str, Decimal | int | str],
    notice_accepted: _dt.date | str | None = None,
    patient_status: str = "30",
    site: str = "Q5001",
    type_of_bill: str = "0329",
    payer: Payer | str = "medicare",
    **claim_fields: Any,
) -> Claim:
    """The complete claim of one 30-day period, from its documented visits and the episode's facts.

    The claim (CGS "Submitting a Final Claim under the Home Health PDGM"; NGS
    "Billing the Home Health Period of Care Claim - PDGM"):

    * the statement period is the 30-day period of the admission that holds
      the first visit (:func:`period_containing`); it ends on day 30, or on the
      last visit when ``patient_status`` says the patient left (give
      ``statement_from`` / ``statement_through`` to say otherwise);
    * a line per visit, :meth:`ClaimLine.from_service <hcpcs_home.claims.ClaimLine.from_service>`
      under the payer's policy for ``type_of_bill``, charged ``charges[code]``
      (the agency's charge of one visit); telehealth lines (G0320, G0321) take
      the revenue code of their clinician's discipline; remote monitoring
      (G0322) is one line, its units the days monitored, dated the first
      (Palmetto GBA "Telehealth Home Health Services: New G-Codes");
    * the 0023 line with ``hipps`` and the ``site`` line (Q5001 home, Q5002
      assisted living, Q5009 elsewhere), both dated the first billable visit
      (:func:`first_billable_visit`; Palmetto RC 32968, NGS article 522358);
      the site line bills one unit under the first visit's revenue code at
      ``charges[site]``, or a nominal $0.01 where none is given (NGS article
      522358); the 0023 line bills no charge of its own (the visit lines carry
      the charges);
    * occurrence code 50 with ``oasis_date`` (NGS RC 37253), value codes 61
      (``cbsa``) and 85 (``fips``) (CR 10782, CR 13543), the admission date,
      ``patient_status`` and ``notice_accepted``;
    * the total, the sum of the line charges
      (:attr:`~hcpcs_home.claims.Claim.billed_total`), which the writers put on
      the UB-04 ``0001`` line and in 837I ``CLM02``.

    ``**claim_fields`` sets the claim's other fields (``id``, ``patient_id``,
    ``point_of_origin``, ``condition_codes`` ...); ``occurrence_codes``,
    ``value_codes`` and ``lines`` (non-routine supplies, say) are added after
    the builder's own.  The builder never checks the claim: pass it to
    :func:`hcpcs_home.policy.check`.

    >>> from hcpcs_home import Service, check
    >>> visits = [Service.from_times("G0299", "2024-03-01", "09:00", "09:55", credential="RN"),
    ...           Service.from_times("G0151", "2024-03-05", "10:00", "10:45", credential="PT")]
    >>> claim = period_claim(visits, admission_date="2024-03-01", oasis_date="2024-03-01",
    ...     hipps="1FC21", cbsa="35614", fips="36061", notice_accepted="2024-03-04",
    ...     charges={"G0299": "150.00", "G0151": "145.50"}, id="HH-1")
    >>> for row in claim.ub04_rows():
    ...     print(*row.values())
    0023 1FC21 030124 1 0.00
    0551 Q5001 030124 1 0.01
    0551 G0299 030124 4 150.00
    0421 G0151 030524 3 145.50
    0001 TOTAL   295.51

    :raises ~hcpcs_home.errors.InvalidClaimError: the facts contradict each other or
        cannot be read (visits outside the period or before the admission, an OASIS
        date after the period, a notice accepted before the admission, a code
        without a charge, a visit too short to bill ...), every problem at once.
    """
    facts = Facts("period_claim")
    services = facts.items("visits", visits, Service)
    admission = facts.date("admission_date", admission_date)
    oasis = facts.date("oasis_date", oasis_date)
    accepted = facts.optional_date("notice_accepted", notice_accepted)
    code = facts.read(_hipps, hipps, None)
    cbsa_amount = facts.read(_county_code("cbsa"), cbsa, None)
    fips_amount = facts.read(_county_code("fips"), fips, None)
    rates = facts.charges(charges)
    tob = facts.read(_period_bill, type_of_bill, "0329")
    site_code = facts.read(_hh_site, site, "Q5001")
    who = facts.read(payer_of, payer, None)
    extra = facts.claim_fields(claim_fields, ())
    start = facts.optional_date("statement_from", extra.pop("statement_from", None))
    end = facts.optional_date("statement_through", extra.pop("statement_through", None))
    if not services and not facts.problems:
        facts.add("visits", visits, "holds no visit: a period claim bills its visits")
    period = None
    last = None
    if admission is not None and services:
        period, last = _period_of(facts, services, admission, start, end, patient_status)
    if period is not None and last is not None and oasis is not None and oasis > last:
        facts.add("oasis_date", oasis, f"is after the period ({period.start}..{last})")
    if admission is not None and accepted is not None and accepted < admission:
        facts.add("notice_accepted", accepted, f"is before the admission date {admission}")
    if who is None:
        facts.check()
    assert who is not None

    monitored = [(i, s) for i, s in enumerate(services) if s.code == _MONITORING]
    ordered = facts.visit_lines(
        services,
        rates,
        lambda i, s: _visit_revenue(facts, i, s),
        apart=frozenset({_MONITORING}),
        payer=who,
        type_of_bill=tob,
    )
    monitoring = _monitoring_line(facts, monitored, rates)
    if monitoring is not None:  # after the visits of its day (a stable sort)
        ordered = sorted([*ordered, monitoring], key=lambda li: li.date)
    first = first_billable_visit(ordered)
    first_line = next((li for li in ordered if li.date == first and li.qualifier == "HC"), None)
    if first is None and not facts.problems:
        facts.add("visits", [s.code for s in services], "hold no in-person visit to date 0023 by")
    facts.check()
    assert first is not None and first_line is not None and code is not None
    assert period is not None and last is not None and oasis is not None
    site_charge = rates.get(site_code, _SITE_CHARGE)
    return facts.build(
        extra,
        payer=who,
        statement_from=period.start,
        statement_through=last,
        lines=[
            ClaimLine(code, first, 1, revenue_code=HIPPS_REVENUE_CODE),
            ClaimLine(
                site_code, first, 1, revenue_code=first_line.revenue_code, charge=site_charge
            ),
            *ordered,
        ],
        services=services,
        type_of_bill=tob,
        admission_date=admission,
        patient_status=patient_status,
        occurrence_codes=[Occurrence("50", oasis)],
        value_codes=[ValueCode("61", cbsa_amount), ValueCode("85", fips_amount)],
        notice_accepted=accepted,
    )
