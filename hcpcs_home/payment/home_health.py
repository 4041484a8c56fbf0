"""Medicare home health (PDGM): what a 30-day period pays, step by step as CMS's HH PPS Pricer does.

The steps and their rounding follow CMS's HH PPS Pricer (the COBOL ``HHCAL``
program and its Java translation, DSACMS/MedicareClaimsPricerSource; cited by
paragraph); the figures are the rate year's (:mod:`hcpcs_home.payment.rates`).
The rate year is the calendar year of the period's Through date (HH PPS
rate-update CRs: "periods ending on or after January 1").

* **Full period** (3000-PEP-N-ADJUST): ``weight x rate`` rounded half up to
  the cent; its labor part ``x labor share x wage index`` and its non-labor
  part ``x non-labor share``, each rounded; the payment is their sum.
* **Partial period** (4000-PEP-Y-ADJUST; Java ``CalculatePartialEpisodePayment``):
  the full payment ``x days / 30``, with ``days / 30`` rounded to 2 places
  first.  A period is partial when the claim's patient status is 06
  (transferred to another HHA) and it ends before day 30; its days run from the
  From date to the last visit (Pub. 100-04 ch. 10 s.10.1.15).
* **LUPA** (1050-LUPA): fewer visits than the HIPPS's threshold: per
  discipline, ``visits x per-visit amount``, its labor and non-labor parts
  each rounded.  The first period of an admission (From = admission date)
  adds ``per-visit amount x add-on factor`` for its earliest visit when that
  is SN, PT or SLP (ties on the day: SN, then PT), wage-adjusted the same way
  (Java ``CalculateAddOnVisit``).
* **Outlier** (COBOL 7000/8000/10000): the imputed cost (15-minute units x
  unit cost by discipline, wage-adjusted) above the threshold (the period or
  partial-period payment plus ``rate x FDL ratio``, wage-adjusted, the same
  fixed-dollar loss for every group: 42 CFR 484.240(b)) is paid at the
  loss-sharing ratio, rounded.
* **Late NOA** (9110-COMPUTE-LATE-SUB-PENALTY; Java ``LateSubmissionPenalty``):
  not for a LUPA; days from the From date to NOA acceptance, none when 5 or
  fewer, at most 30; the period payment and the outlier are each reduced by
  ``amount x days / 30`` rounded half up (CY 2021 HH PPS final rule, 85 FR
  70298; 42 CFR 484.205(j)).

What the library cannot know is never guessed: a claim is "not priced" with
the reason when its HIPPS is not in the loaded table, no rate year covers it,
the outlier needs a figure not shipped, or the NOA acceptance date is missing.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterator
from decimal import Decimal

import attrs

from .. import pdgm
from ..claims import HIPPS_REVENUE_CODE, Claim, ClaimLine
from . import _result as r
from .case_mix import CaseMix
from .outlier_cap import Totals, apply_outlier_cap
from .rates import HOME_HEALTH_DISCIPLINES, HomeHealthYear, Rates
from .wage_index import WageIndex

__all__ = ["LUPA_MAX_THRESHOLD", "price_home_health"]


def __dir__() -> list[str]:
    return __all__


LUPA_MAX_THRESHOLD = 6

"""The highest PDGM LUPA threshold; a period with at least this many visits is never
a LUPA (thresholds run from 2 to 6 visits; Palmetto GBA "LUPA", 2021-06-12)."""
_PRICER = "CMS HH PPS Pricer"
_ADDON_ORDER = ("SN", "PT", "SLP")
#: Years whose rural add-on (CBSA 999xx, by county category) is not 1 in CMS's HH PPS Pricer
#: (Hha2020..2023PricerContext; CY 2023 still pays category B 1.010; CY 2024 on pay 1.000).
_RURAL_ADDON_YEARS = range(2020, 2024)
_CHC_DAY_UNITS = 32  # 8 hours a day, the outlier's daily cap (42 CFR 484.240(d))
F = r.Factor


def _hipps(claim: Claim) -> str:
    found = {li.code for li in claim.lines if li.revenue_code == HIPPS_REVENUE_CODE}
    if len(found) != 1:
        raise r.NotPriced(f"the claim holds {len(found)} HIPPS codes on 0023 lines, not one")
    return found.pop()


def cbsa_of(claim: Claim, code: str = "61") -> str | None:
    """The CBSA a claim reports in value code ``code`` (61: where care was given), or ``None``."""
    value = claim.value(code)
    if value is None:
        return None
    amount = value.amount
    if amount != amount.to_integral() or not 0 < amount < 100_000:
        raise r.NotPriced(f"value code {code} amount {amount} is not a five-digit CBSA code")
    return f"{int(amount):05d}"


def wage_factor(
    wage_index: Decimal | WageIndex | None, cbsa: str | None, day: _dt.date, what: str
) -> tuple[Decimal, r.Factor]:
    """The wage index for ``cbsa`` on ``day`` and the factor that explains it."""
    if wage_index is None:
        raise r.NotPriced(f"no wage index given for {what}")
    if isinstance(wage_index, Decimal):
        return wage_index, F(f"wage index ({what})", wage_index, source="given by the caller")
    if cbsa is None:
        raise r.NotPriced(
            f"the claim names no CBSA (value code 61) to look up the wage index of {what}"
        )
    value, row = wage_index.lookup(cbsa, day)
    return value, F(f"wage index ({what})", value, row=row, source=wage_index.source)


def adjust(
    name: str,
    standard: Decimal,
    labor_share: Decimal,
    nonlabor_share: Decimal,
    wi: Decimal,
    source: str,
) -> tuple[Decimal, r.Factor]:
    """A standardized amount wage-adjusted as the HH pricer does: each part rounded, then summed."""
    labor = r.cents(standard * labor_share * wi)
    other = r.cents(standard * nonlabor_share)
    steps = (
        F("standardized amount", standard),
        F("labor part = amount x labor share x wage index, rounded half up", labor, source=source),
        F("non-labor part = amount x non-labor share, rounded half up", other, source=source),
    )
    return labor + other, F(name, labor + other, steps=steps)


def _discipline(line: ClaimLine) -> str | None:
    rev = line.revenue_code
    return None if rev is None else HOME_HEALTH_DISCIPLINES.get(rev[:3])


def _visits(claim: Claim) -> Iterator[tuple[int, ClaimLine, str | None]]:
    for i, line in enumerate(claim.lines):
        if pdgm.visit_count([line]):
            yield i, line, _discipline(line)


def price_home_health(
    claim: Claim,
    *,
    rates: Rates,
    wage_index: Decimal | WageIndex | None,
    case_mix: CaseMix | None,
    agency_totals: Totals | None = None,
) -> r.Payment:
    """The payment of one Medicare home-health period claim (TOB 032X), explained.

    ``agency_totals`` gives the agency's payments and outlier payments of the year
    before the claim, for its 10% outlier cap
    (:func:`~hcpcs_home.payment.outlier_cap.apply_outlier_cap`); without it the cap is
    not applied and the explanation says so.

    A claim that cannot be priced gives :func:`~hcpcs_home.payment.price` the reason.
    """
    if claim.frequency in ("A", "D"):
        raise r.NotPriced("a notice of admission (032A) or its cancellation (032D) is not paid")
    through = claim.statement_through
    year = rates.home_health_on(through)
    factors = [F("rate year", year.year, row=f"hh_rates.tsv year={year.year}", source=year.rule)]
    if case_mix is None:
        raise r.NotPriced("no case-mix table loaded: give case_mix (CMS's yearly PDGM file)")
    if case_mix.year is not None and case_mix.year != year.year:
        raise r.NotPriced(
            f"the case-mix table {case_mix.source} is for CY {case_mix.year}; the period is "
            f"priced in CY {year.year}"
        )
    hipps = _hipps(claim)
    weight = case_mix.weights.get(hipps)
    if weight is None:
        raise r.NotPriced(f"HIPPS {hipps} is not in the loaded case-mix table {case_mix.source}")
    cbsa = cbsa_of(claim)
    if year.year in _RURAL_ADDON_YEARS and (cbsa is None or cbsa.startswith("999")):
        raise r.NotPriced(
            f"CY {year.year} pays a rural add-on by county category that is not shipped; "
            "the claim's CBSA (value code 61) is rural or missing"
        )
    wi, wi_factor = wage_factor(wage_index, cbsa, through, "where the care was given")
    factors.append(wi_factor)
    visits = list(_visits(claim))
    threshold = case_mix.thresholds.get(hipps)
    lupa_source = f"{case_mix.source}; Palmetto GBA 'LUPA'"
    if threshold is None:
        if len(visits) < LUPA_MAX_THRESHOLD:
            raise r.NotPriced(
                f"no LUPA threshold for {hipps} is loaded and the period has {len(visits)} "
                f"visit(s), under {LUPA_MAX_THRESHOLD}: whether it is a LUPA is unknown"
            )
        factors.append(F("visits (no threshold loaded; 6 or more is never a LUPA)", len(visits)))
        lupa = False
    else:
        factors.append(F("visits", len(visits), source="CCW codebook CLM_HHA_TOT_VISIT_CNT"))
        factors.append(F(f"LUPA threshold of {hipps}", threshold, row=hipps, source=lupa_source))
        lupa = len(visits) < threshold
    if lupa:
        amount, parts, steps = _lupa(claim, year, wi, visits)
        factors += steps
        root = F("LUPA period payment", amount, source=f"{_PRICER} 1050-LUPA", steps=factors)
        return r.Payment(claim.id, "medicare home health", amount, parts, root)
    return _period(claim, year, wi, weight, hipps, visits, factors, case_mix, agency_totals)


def _lupa(
    claim: Claim, year: HomeHealthYear, wi: Decimal, visits: list[tuple[int, ClaimLine, str | None]]
) -> tuple[Decimal, list[r.PaymentPart], list[r.Factor]]:
    by_discipline: dict[str, list[int]] = {}
    for i, line, discipline in visits:
        if discipline is None or discipline not in year.visit:
            raise r.NotPriced(
                f"line {i} ({line.revenue_code}) has no per-visit amount for CY {year.year}"
            )
        by_discipline.setdefault(discipline, []).append(i)
    total = Decimal(0)
    parts, steps = [], []
    source = f"{year.rule}; {_PRICER} rev-{year.year}.csv"
    for discipline in sorted(by_discipline):
        count = len(by_discipline[discipline])
        rate = year.visit[discipline]
        standard = rate * count
        amount, factor = adjust(
            f"{discipline}: {count} visit(s) x {rate}",
            standard,
            year.labor_share,
            year.nonlabor_share,
            wi,
            source,
        )
        total += amount
        steps.append(factor)
        parts.append(r.PaymentPart(f"{discipline} visits x {count}", amount))
    addon = _addon(claim, year, wi, visits)
    if addon is not None:
        amount, factor = addon
        total += amount
        steps.append(factor)
        parts.append(r.PaymentPart("LUPA add-on (first visit)", amount))
    return total, parts, steps


def _addon(
    claim: Claim, year: HomeHealthYear, wi: Decimal, visits: list[tuple[int, ClaimLine, str | None]]
) -> tuple[Decimal, r.Factor] | None:
    if claim.admission_date is None or claim.admission_date != claim.statement_from:
        return None  # only the first period of an admission (From = admission date)
    first_day = min(line.date for _, line, _ in visits)
    on_first = {d for _, line, d in visits if line.date == first_day}
    discipline = next((d for d in _ADDON_ORDER if d in on_first), None)
    if discipline is None:
        return None  # the earliest visit is OT, MSS or aide: no add-on
    factor_value = year.addon[discipline]
    standard = r.cents(year.visit[discipline] * factor_value)
    amount, adjusted = adjust(
        f"LUPA add-on: first visit ({discipline}) {year.visit[discipline]} x {factor_value}, "
        "rounded half up",
        standard,
        year.labor_share,
        year.nonlabor_share,
        wi,
        f"{year.rule}; {_PRICER} CalculateAddOnVisit",
    )
    return amount, adjusted


def _period(
    claim: Claim,
    year: HomeHealthYear,
    wi: Decimal,
    weight: Decimal,
    hipps: str,
    visits: list[tuple[int, ClaimLine, str | None]],
    factors: list[r.Factor],
    case_mix: CaseMix,
    agency_totals: Totals | None = None,
) -> r.Payment:
    source = f"{year.rule}; {_PRICER} 3000-PEP-N-ADJUST"
    factors.append(F(f"case-mix weight of {hipps}", weight, row=hipps, source=case_mix.source))
    factors.append(
        F(
            "national 30-day period rate (quality data submitted)",
            year.rate,
            row=f"hh_rates.tsv year={year.year}",
            source=year.rule,
        )
    )
    base = r.cents(weight * year.rate)
    factors.append(
        F("case-mix adjusted rate = weight x rate, rounded half up", base, source=source)
    )
    pay, factor = adjust(
        "wage-adjusted period payment", base, year.labor_share, year.nonlabor_share, wi, source
    )
    factors.append(factor)
    period_end = claim.statement_from + _dt.timedelta(days=pdgm.PERIOD_DAYS - 1)
    partial = None
    if claim.patient_status == "06" and claim.statement_through < period_end:
        last_visit = max(line.date for _, line, _ in visits) if visits else claim.statement_through
        days = (last_visit - claim.statement_from).days + 1
        partial = r.cents(Decimal(days) / pdgm.PERIOD_DAYS)
        pay = r.cents(pay * partial)
        factors.append(
            F(
                "partial period: days From to last visit",
                days,
                source="Pub. 100-04 ch. 10 s.10.1.15; patient status 06",
            )
        )
        factors.append(
            F(
                "partial period payment = payment x (days / 30 rounded to 2 places), "
                "rounded half up",
                pay,
                source=f"{year.rule}; {_PRICER} 4000-PEP-Y-ADJUST",
            )
        )
    outlier = _outlier(claim, year, wi, pay, visits, factors, agency_totals)
    penalty_days = _late_noa_days(claim, factors)
    parts = [r.PaymentPart(f"period payment ({hipps})", pay)]
    total = pay + outlier
    if outlier:
        parts.append(r.PaymentPart("outlier", outlier))
    if penalty_days:
        cut = r.cents(pay * penalty_days / pdgm.PERIOD_DAYS)
        cut_outlier = r.cents(outlier * penalty_days / pdgm.PERIOD_DAYS)
        src = f"85 FR 70298; 42 CFR 484.205(j); {_PRICER} 9110-COMPUTE-LATE-SUB-PENALTY"
        factors.append(
            F(
                "late-NOA reduction of the period payment = payment x days / 30, rounded half up",
                -cut,
                source=src,
            )
        )
        parts.append(r.PaymentPart("late-NOA reduction", -cut))
        if outlier:
            factors.append(
                F(
                    "late-NOA reduction of the outlier = outlier x days / 30, rounded half up",
                    -cut_outlier,
                    source=src,
                )
            )
            parts.append(r.PaymentPart("late-NOA reduction of the outlier", -cut_outlier))
        total -= cut + cut_outlier
    root = F("home health period payment", total, steps=factors)
    return r.Payment(claim.id, "medicare home health", total, parts, root)


def _late_noa_days(claim: Claim, factors: list[r.Factor]) -> int:
    admission = claim.admission_date
    accepted = claim.notice_accepted
    if accepted is None:
        if admission is not None and admission < pdgm.NOA_START:
            return 0
        raise r.NotPriced(
            "the NOA acceptance date (notice_accepted) is needed to apply the late-NOA "
            "reduction to an admission from 2022-01-01"
        )
    days = max(0, (accepted - claim.statement_from).days)
    counted = 0 if days <= pdgm.NOA_DAYS else min(days, pdgm.PERIOD_DAYS)
    factors.append(
        F(
            "late-NOA days: From to NOA acceptance; none up to 5, at most 30",
            counted,
            source="CGS 'Late NOA' 2022-07-26; CMS HH PPS Pricer LateSubmissionPenalty",
        )
    )
    return counted


def _outlier(
    claim: Claim,
    year: HomeHealthYear,
    wi: Decimal,
    pay: Decimal,
    visits: list[tuple[int, ClaimLine, str | None]],
    factors: list[r.Factor],
    agency_totals: Totals | None = None,
) -> Decimal:
    units: dict[str, Decimal] = {}
    per_day: dict[_dt.date, Decimal] = {}
    for i, line, discipline in visits:
        if discipline is None or discipline not in year.unit:
            raise r.NotPriced(
                f"line {i} ({line.revenue_code}) has no outlier unit cost for CY {year.year}"
            )
        units[discipline] = units.get(discipline, Decimal(0)) + Decimal(line.units)
        per_day[line.date] = per_day.get(line.date, Decimal(0)) + Decimal(line.units)
    src = f"{year.rule}; {_PRICER} rev-{year.year}.csv, 7000/8000-OUTLIER"
    cost = Decimal(0)
    cost_steps = []
    for discipline in sorted(units):
        amount, factor = adjust(
            f"{discipline}: {units[discipline]} unit(s) x {year.unit[discipline]}",
            units[discipline] * year.unit[discipline],
            year.labor_share,
            year.nonlabor_share,
            wi,
            src,
        )
        cost += amount
        cost_steps.append(factor)
    imputed = F("imputed cost (15-minute units x unit cost, wage-adjusted)", cost, steps=cost_steps)
    if cost <= pay:
        factors.append(
            F(
                "outlier: none, the imputed cost is not above the period payment",
                0,
                steps=(imputed,),
            )
        )
        return Decimal(0)
    if year.fdl_ratio is None:
        raise r.NotPriced(
            f"outlier inputs missing: the CY {year.year} fixed-dollar-loss ratio is not shipped "
            f"and the imputed cost {cost} exceeds the period payment {pay}",
            (imputed,),
        )
    fdl = r.cents(year.rate * year.fdl_ratio)
    fdl_adjusted, fdl_factor = adjust(
        f"fixed-dollar loss = rate x FDL ratio {year.fdl_ratio}, rounded half up",
        fdl,
        year.labor_share,
        year.nonlabor_share,
        wi,
        src,
    )
    threshold = pay + fdl_adjusted
    if any(u > _CHC_DAY_UNITS for u in per_day.values()):
        raise r.NotPriced(
            "outlier units above 8 hours on a day: which units CMS drops is not confirmed"
        )
    outlier = max(Decimal(0), r.cents((cost - threshold) * year.loss_sharing))
    if agency_totals is None:
        cap = F(
            "agency 10% outlier cap (42 CFR 484.240(d))",
            "not applied: give the agency's year totals (agency_totals=, or history= and "
            "provider=)",
        )
    elif outlier > 0:
        paid, outliers, totals_factor = agency_totals(claim)
        outlier, cap = apply_outlier_cap(outlier, paid, outliers)
        cap = attrs.evolve(cap, steps=(totals_factor, *cap.steps))
    else:
        cap = F("agency 10% outlier cap (42 CFR 484.240(d))", "no outlier to cap")
    factors.append(
        F(
            f"outlier = (imputed cost - threshold) x loss sharing {year.loss_sharing}, "
            "rounded half up, under the agency's 10% cap",
            outlier,
            source=src,
            steps=(
                imputed,
                fdl_factor,
                F(
                    "outlier threshold = period (or partial period) payment + fixed-dollar loss, "
                    "the same for every case-mix group",
                    threshold,
                    source="42 CFR 484.240(b)",
                ),
                cap,
            ),
        )
    )
    return outlier
