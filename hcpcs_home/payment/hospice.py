"""Medicare hospice: what a month's claim pays per level-of-care day, as CMS's hospice pricer does.

Each level's daily rate of the fiscal year (:mod:`hcpcs_home.payment.rates`)
is wage-adjusted as ``labor part x wage index + non-labor part``: routine and
continuous home care and the SIA with the wage index where the care was given
(value code 61), respite and general inpatient care with the facility's (value
code G8, else 61) (CMS Hospice Pricer ``getPatientWageIndex`` /
``getProviderWageIndex``).

* **Routine home care** (0651): days 1-60 of hospice care at the higher rate,
  day 61 on at the lower (FY 2016 hospice final rule, 80 FR 47142; 42 CFR
  418.302(b)(1)); each line's days at each rate ``x`` the adjusted rate,
  rounded half up (CMS Hospice Pricer ``EvaluateRoutineHomeCareDays``).  The
  days before the claim come from ``history`` or, without one, from the
  election (admission) date: every day since it counted.
* **Continuous home care** (0652): a day of at least 32 units (8 hours) pays
  the adjusted daily rate ``/ 24`` cut to 4 decimals, ``x units / 4``, rounded;
  a shorter day pays one routine-home-care day (Pub. 100-04 ch. 11 s.30.1;
  CMS Hospice Pricer continuous-home-care rules).
* **Inpatient respite** (0655) and **general inpatient** (0656): days ``x``
  the adjusted rate, rounded.  Respite past the fifth day in a row is not
  priced (it is billed as routine home care: CR 8569).
* **Service intensity add-on**: RN and social-worker visits on routine days in
  the last 7 days of life (:func:`hcpcs_home.hospice.sia_days`), at the
  adjusted CHC daily rate ``/ 24`` rounded to the cent per hour, 4 hours at
  most a day, the day's amount rounded (CMS Hospice Pricer
  ``CalculateEndOfLifeServiceIntensityAddOn``; 42 CFR 418.302(b)(1)).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable
from decimal import Decimal
from typing import Any

from .. import hospice as benefit
from ..bounds import MAX_STAY_DAYS
from ..claims import Claim
from . import _result as r
from .home_health import cbsa_of, wage_factor
from .rates import HospiceYear, Rates
from .wage_index import WageIndex

__all__ = ["RESTART_GAP_DAYS", "days_from_history", "price_hospice"]


def __dir__() -> list[str]:
    return __all__


_PRICER = "CMS Hospice Pricer"
_LEVEL_RATE = {
    benefit.LevelOfCare.INPATIENT_RESPITE: "irc",
    benefit.LevelOfCare.GENERAL_INPATIENT: "gip",
}
F = r.Factor


class _Adjusted:
    """Wage-adjusted daily rates per fiscal year and level, each explained once."""

    def __init__(self, rates: Rates, wage_index: Decimal | WageIndex | None, claim: Claim) -> None:
        self.rates = rates
        self.wage_index = wage_index
        self.home_cbsa = cbsa_of(claim, "61")
        self.facility_cbsa = cbsa_of(claim, "G8") or self.home_cbsa
        self.factors: dict[tuple[int, str], F] = {}
        self.values: dict[tuple[int, str], Decimal] = {}

    def year(self, day: _dt.date) -> HospiceYear:
        return self.rates.hospice_on(day)

    def rate(self, day: _dt.date, level: str) -> Decimal:
        year = self.year(day)
        key = (year.year, level)
        if key not in self.values:
            inpatient = level in ("irc", "gip")
            cbsa = self.facility_cbsa if inpatient else self.home_cbsa
            where = "the facility" if inpatient else "where the care was given"
            wi, wi_factor = wage_factor(self.wage_index, cbsa, day, where)
            labor, other = year.labor[level], year.nonlabor[level]
            value = labor * wi + other
            row = f"hospice_rates.tsv fy={year.year} level={level}"
            self.values[key] = value
            self.factors[key] = F(
                f"FY {year.year} {level} daily rate, wage-adjusted = labor x wage index + "
                "non-labor (not rounded)",
                value,
                steps=(
                    F("labor part", labor, row=row, source=year.rule),
                    F("non-labor part", other, row=row, source=year.rule),
                    wi_factor,
                ),
            )
        return self.values[key]


def price_hospice(
    claim: Claim,
    *,
    rates: Rates,
    wage_index: Decimal | WageIndex | None,
    days_before: Callable[[Claim], tuple[int, r.Factor]] | None = None,
) -> r.Payment:
    """The payment of one Medicare hospice claim (TOB 081X/082X), explained.

    ``days_before`` gives the hospice days before the claim's first day and the
    factor that explains them (from a claim history); without it they are
    counted from the claim's admission (election) date.

    A claim that cannot be priced gives :func:`~hcpcs_home.payment.price` the reason.
    """
    if claim.frequency in ("A", "B", "C", "D", "E"):
        raise r.NotPriced("a hospice notice (8XA-8XE) is not paid")
    days = benefit.level_days(claim)
    if not days:
        raise r.NotPriced("the claim bills no level-of-care (0651/0652/0655/0656) line")
    if any(len(levels) > 1 for levels in days.values()):
        raise r.NotPriced("a day is billed at two levels of care")
    excess = benefit.respite_excess(days)
    if excess:
        raise r.NotPriced(f"respite past 5 days in a row ({excess[0].isoformat()}): bill it as RHC")
    prior, prior_factor = (days_before or _from_election)(claim)
    factors = [prior_factor]
    number = {day: prior + n for n, day in enumerate(days, start=1)}
    adjusted = _Adjusted(rates, wage_index, claim)
    parts: list[r.PaymentPart] = []
    total = Decimal(0)
    for i, line in enumerate(claim.lines):
        level = benefit.LevelOfCare.of_line(line)
        if level is None:
            continue
        if level is benefit.LevelOfCare.CONTINUOUS_HOME_CARE:
            part, factor = _chc(i, line.date, Decimal(line.units), number[line.date], adjusted)
        else:
            line_days = [line.date + _dt.timedelta(days=n) for n in range(int(line.units))]
            part, factor = _per_day(i, line_days, level, number, adjusted)
        parts += part
        factors.append(factor)
        total += sum((p.amount or Decimal(0)) for p in part)
    sia_amount, sia_parts, sia_factors = _sia(claim, adjusted)
    parts += sia_parts
    factors += sia_factors
    total += sia_amount
    year = adjusted.year(claim.statement_from)
    if year.cap is not None:
        factors.append(
            F(
                f"FY {year.year} aggregate cap per beneficiary (42 CFR 418.309)",
                year.cap,
                row=f"hospice_rates.tsv fy={year.year} level=cap",
                source=year.rule,
            )
        )
    factors.extend(adjusted.factors.values())
    root = F("hospice claim payment", total, steps=factors)
    return r.Payment(claim.id, "medicare hospice", total, parts, root)


#: Days without hospice care after which the day count starts again at day 1.
RESTART_GAP_DAYS = 60
_NOTICES = frozenset("ABCDE")


def days_from_history(history: Any) -> Callable[[Claim], tuple[int, r.Factor]]:
    """The hospice days before a claim, counted from the beneficiary's earlier hospice
    claims in ``history`` (a :class:`~hcpcs_home.history.ClaimHistory`: its
    ``claims(beneficiary, start, end)``).

    Every level-of-care day of an earlier hospice claim (081X/082X, not a notice)
    counts, across elections and hospices, back to a gap of more than
    :data:`RESTART_GAP_DAYS` days without hospice care, where the count starts
    again (FY 2016 hospice final rule, 80 FR 47142, as summarised by Healthcare
    Provider Solutions; CMS's own wording of the gap was not found).
    """

    def before(claim: Claim) -> tuple[int, r.Factor]:
        if not claim.patient_id:
            raise r.NotPriced("the claim has no patient_id to find its earlier hospice claims by")
        start = claim.statement_from
        earlier = history.claims(
            claim.patient_id, start - _dt.timedelta(days=MAX_STAY_DAYS), start - _dt.timedelta(1)
        )
        days: set[_dt.date] = set()
        for other in earlier:
            if other.bill_class in ("81", "82") and other.frequency not in _NOTICES:
                days.update(d for d in benefit.level_days(other) if d < start)
        count, last = 0, start
        for day in sorted(days, reverse=True):
            if (last - day).days - 1 > RESTART_GAP_DAYS:
                break
            count, last = count + 1, day
        return count, F(
            "hospice days before the claim (earlier hospice claims in the history, back to a "
            f"gap of more than {RESTART_GAP_DAYS} days)",
            count,
            source="42 CFR 418.302(b)(1); FY 2016 hospice final rule, 80 FR 47142",
        )

    return before


def _from_election(claim: Claim) -> tuple[int, r.Factor]:
    election = claim.admission_date
    if election is None or election > claim.statement_from:
        raise r.NotPriced(
            "the hospice days before this claim are unknown: give the admission (election) "
            "date or a history"
        )
    prior = (claim.statement_from - election).days
    if prior > MAX_STAY_DAYS:
        raise r.NotPriced(
            f"the election date {election.isoformat()} is over {MAX_STAY_DAYS} days back"
        )
    return prior, F(
        "hospice days before the claim (from the election date; every day since counted)",
        prior,
        source="42 CFR 418.302(b)(1); a history gives days of earlier elections",
    )


def _per_day(
    i: int,
    line_days: list[_dt.date],
    level: benefit.LevelOfCare,
    number: dict[_dt.date, int],
    adjusted: _Adjusted,
) -> tuple[list[r.PaymentPart], r.Factor]:
    groups: dict[tuple[int, str], list[_dt.date]] = {}
    for day in line_days:
        if level is benefit.LevelOfCare.ROUTINE_HOME_CARE:
            name = "rhc_high" if number[day] <= 60 else "rhc_low"
        else:
            name = _LEVEL_RATE[level]
        groups.setdefault((adjusted.year(day).year, name), []).append(day)
    parts, steps = [], []
    for (fy, name), group in groups.items():
        rate = adjusted.rate(group[0], name)
        amount = r.cents(rate * len(group))
        what = f"{name} x {len(group)} day(s) from {group[0].isoformat()}"
        parts.append(r.PaymentPart(what, amount, line=i, day=group[0]))
        steps.append(
            F(
                f"{what} = days x FY {fy} adjusted rate, rounded half up",
                amount,
                source=f"{_PRICER} EvaluateRoutineHomeCareDays",
            )
        )
    total = sum((p.amount or Decimal(0) for p in parts), Decimal(0))
    return parts, F(f"line {i} ({level.name.lower().replace('_', ' ')})", total, steps=steps)


def _chc(
    i: int, day: _dt.date, units: Decimal, number: int, adjusted: _Adjusted
) -> tuple[list[r.PaymentPart], r.Factor]:
    if units < benefit.CHC_MINIMUM_UNITS:
        name = "rhc_high" if number <= 60 else "rhc_low"
        amount = r.cents(adjusted.rate(day, name))
        why = (
            f"line {i}: {units} CHC units, under 32 (8 hours): one routine home care day "
            f"({name}), rounded half up"
        )
        part = r.PaymentPart(f"CHC under 8 hours paid as {name}", amount, line=i, day=day)
        return [part], F(
            why, amount, source="Pub. 100-04 ch. 11 s.30.1; CGS 'Continuous Home Care'"
        )
    daily = adjusted.rate(day, "chc")
    hourly = r.truncate4(daily / 24)
    amount = r.cents(hourly * units / 4)
    steps = (
        F(
            "hourly rate = adjusted CHC daily rate / 24, cut to 4 decimals",
            hourly,
            source=f"{_PRICER} continuous home care",
        ),
        F("hours = units / 4", units / 4),
    )
    part = r.PaymentPart(f"CHC {units / 4} hours", amount, line=i, day=day)
    return [part], F(
        f"line {i} (continuous home care) = hourly x hours, rounded half up", amount, steps=steps
    )


def _sia(claim: Claim, adjusted: _Adjusted) -> tuple[Decimal, list[r.PaymentPart], list[r.Factor]]:
    if claim.patient_status not in benefit.DEATH_STATUSES:
        return Decimal(0), [], []
    death_code = claim.occurrence("55")
    death = death_code.date if death_code is not None else claim.statement_through
    total = Decimal(0)
    parts, factors = [], []
    for sia in benefit.sia_days(claim, death):
        hourly = r.cents(adjusted.rate(sia.day, "chc") / 24)
        hours = Decimal(4) if sia.units >= benefit.SIA_DAILY_UNITS else Decimal(sia.units) / 4
        amount = r.cents(hourly * hours)
        total += amount
        parts.append(r.PaymentPart(f"SIA {hours} hour(s)", amount, line=sia.lines[0], day=sia.day))
        factors.append(
            F(
                f"SIA {sia.day.isoformat()} = hourly x hours (at most 4), rounded half up",
                amount,
                source=f"{_PRICER} CalculateEndOfLifeServiceIntensityAddOn; 42 CFR 418.302(b)(1)",
                steps=(
                    F("hourly = adjusted CHC daily rate / 24, rounded half up", hourly),
                    F("hours", hours),
                ),
            )
        )
    return total, parts, factors
