"""The Medicare hospice aggregate cap: a provider's payments in a cap year against the cap
amount times its beneficiaries (42 CFR 418.309).

The cap is the provider's, per cap year: no single claim's payment changes with it.
:func:`hospice_cap` adds up what the provider's hospice claims in a claim history pay
(each priced by :func:`~hcpcs_home.payment.price`, as the stored claims show them), counts
its beneficiaries by the method the hospice uses, and reports the cap, the payments so
far and what is left (or the amount over, which the hospice repays: 42 CFR 418.308(d)).

* **Cap year**: October 1 to September 30, the federal fiscal year, since cap year 2018
  (FY 2016 hospice final rule, 80 FR 47142; 42 CFR 418.3 "cap period").  The amounts
  per cap year ship in ``hcpcs_home/data/hospice_cap.tsv``, each with its rule.
* **Payments**: the amounts of the level-of-care days (and SIA visits) furnished in
  the cap year of every hospice claim (TOB 081X/082X, not a notice) stored under the
  provider whose statement period ends by ``through`` (year to date; the query is
  :meth:`~hcpcs_home.history.ClaimHistory.claims_by_provider`).
  A claim that cannot be priced is listed, and the payments are then a lower bound.
* **Beneficiaries** (42 CFR 418.309(b); CMS Pub. 100-02 ch. 9 s.90.2.3; NGS "Hospice
  Cap"), from the days of hospice care the history holds for each beneficiary the
  provider served in the cap year, at any hospice:

  - :attr:`CapMethod.PROPORTIONAL` (418.309(b)(2), most hospices): each beneficiary counts
    the days of care at this hospice in this cap year over the days of care at all
    hospices in all years;
  - :attr:`CapMethod.STREAMLINED` (418.309(b)(1), only hospices that chose it before
    2012): a beneficiary counts in the cap year of the election with this hospice, when
    no earlier cap year counted them (no day of hospice care before the cap year): 1,
    or, where another hospice also cared for them, the days at this hospice over the
    days at all hospices.

  Each share is kept as an exact fraction; the allowed amount, cap x the sum of the
  shares, is rounded half up to the cent once.  CMS's PS&R beneficiary-count report
  is the figure a hospice files (this count is what the history shows so far).
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import os
from collections.abc import Sequence
from decimal import Decimal
from fractions import Fraction
from typing import Any

import attrs

from .. import _fields as f
from .. import _tables
from .. import bounds as lim
from .. import hospice as benefit
from .._values import lazy_methods
from ..claims import Claim
from ..errors import InvalidFieldError
from ..history import ClaimHistory
from ._args import rates_arg, wage_index_arg
from ._result import CENT, Factor, NotPriced, Payment, bounded, not_priced
from .hospice import days_from_history, price_hospice
from .rates import Rates
from .wage_index import WageIndex

__all__ = [
    "CapMethod",
    "CapShare",
    "CapStatus",
    "CapYear",
    "cap_year_of",
    "hospice_cap",
    "shipped_caps",
]


def __dir__() -> list[str]:
    return __all__


_RULE = "42 CFR 418.309"
_COUNT_SOURCE = (
    "42 CFR 418.309(b); CMS Pub. 100-02 ch. 9 s.90.2.3; NGS 'Hospice Cap' "
    "(ngsmedicare.com/cost-reports, Beneficiary Count)"
)


class CapMethod(enum.Enum):
    """How a hospice counts its beneficiaries for the aggregate cap (42 CFR 418.309(b))."""

    #: Patient-by-patient proportional method (418.309(b)(2)).
    PROPORTIONAL = "proportional"
    #: Streamlined method (418.309(b)(1)), for hospices that chose it before 2012.
    STREAMLINED = "streamlined"


def _check_end(instance: CapYear, attribute: attrs.Attribute[Any], value: _dt.date) -> None:
    if value < instance.start:
        raise InvalidFieldError("through", value, f"is before from={instance.start}")


def _amount(value: object) -> Decimal:
    number = bounded("amount", value, low=Decimal(0), high=Decimal(1_000_000))
    if number != number.quantize(CENT):
        raise InvalidFieldError("amount", value, "must be dollars and cents")
    return number


@attrs.frozen(slots=True)
@lazy_methods
class CapYear:
    """One cap year's aggregate cap amount per beneficiary.

    :ivar year: the cap year (the fiscal year it ends in: 2026 runs 2025-10-01 to
        2026-09-30).
    :ivar start: its first day.
    :ivar end: its last day.
    :ivar amount: the cap amount per beneficiary, dollars and cents.
    :ivar rule: the Federal Register rule (and other public source) that states it.
    """

    year: int
    start: _dt.date = attrs.field(converter=f.date("from"))
    end: _dt.date = attrs.field(converter=f.date("through"), validator=_check_end)
    amount: Decimal = attrs.field(converter=_amount)
    rule: str = ""


@functools.cache
def shipped_caps() -> tuple[CapYear, ...]:
    """The cap years this package ships (``hcpcs_home/data/hospice_cap.tsv``), by start.

    >>> [(c.year, str(c.amount)) for c in shipped_caps()][-1]
    (2026, '35361.44')
    """
    rows = _tables.read_table("hospice_cap.tsv")
    return tuple(
        sorted(
            (
                CapYear(int(r["cap_year"]), r["from"], r["through"], r["amount"], r["rule"])
                for r in rows
            ),
            key=lambda c: c.start,
        )
    )


def cap_year_of(day: _dt.date | str, caps: Sequence[CapYear] | None = None) -> CapYear:
    """The cap year that holds ``day``.

    >>> cap_year_of("2025-10-01").year
    2026

    :raises ~hcpcs_home.errors.InvalidFieldError: no cap year given (or shipped) holds it.
    """
    when = f.date("day")(day)
    chosen = shipped_caps() if caps is None else _caps(caps)
    for cap in chosen:
        if cap.start <= when <= cap.end:
            return cap
    years = ", ".join(str(c.year) for c in chosen) or "none"
    raise InvalidFieldError("day", when, f"is in no cap year with a cap amount (held: {years})")


def _caps(value: object) -> tuple[CapYear, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Sequence):
        raise InvalidFieldError("caps", value, "must be a sequence of CapYear")
    for item in value:
        if not isinstance(item, CapYear):
            raise InvalidFieldError("caps", item, "must be a CapYear")
    return tuple(value)


@attrs.frozen(slots=True)
@lazy_methods
class CapShare:
    """How much one beneficiary counts toward a provider's cap.

    :ivar beneficiary: the beneficiary id (the claims' ``patient_id``).
    :ivar days_here: days of hospice care at this provider in the cap year (up to the
        date the status is taken).
    :ivar days_total: the days of hospice care the fraction is taken over (all
        hospices, all years, as the history holds them).
    :ivar share: the fraction counted (exact).
    :ivar why: how the share was found.
    """

    beneficiary: str
    days_here: int
    days_total: int
    share: Fraction
    why: str


@attrs.frozen(slots=True)
@lazy_methods
class CapStatus:
    """A provider's Medicare hospice payments in a cap year against its aggregate cap.

    :ivar provider: the provider (as the claims were stored under it).
    :ivar cap_year: the :class:`CapYear`.
    :ivar method: the :class:`CapMethod` the beneficiaries were counted by.
    :ivar through: the last day counted (year to date).
    :ivar shares: each beneficiary's :class:`CapShare`, by beneficiary id.
    :ivar beneficiaries: the beneficiary count, the sum of the shares (exact).
    :ivar allowed: the cap: amount x beneficiaries, rounded half up to the cent.
    :ivar payments: what the priced claims pay for care in the cap year up to ``through``.
    :ivar claims: how many of the provider's hospice claims were priced.
    :ivar not_priced: the :class:`~hcpcs_home.payment.Payment` of each claim that
        could not be priced (its amount is missing from ``payments``).
    :ivar explanation: the factor tree: cap amount and its rule, the count, each
        claim's amount, the rounding.
    """

    provider: str
    cap_year: CapYear
    method: CapMethod
    through: _dt.date
    shares: tuple[CapShare, ...]
    beneficiaries: Fraction
    allowed: Decimal
    payments: Decimal
    claims: int
    not_priced: tuple[Payment, ...]
    explanation: Factor

    @property
    def remaining(self) -> Decimal:
        """The cap less the payments (negative when the payments are over the cap)."""
        return self.allowed - self.payments

    @property
    def over(self) -> Decimal:
        """What the payments exceed the cap by (the overpayment the hospice repays,
        42 CFR 418.308(d)), 0 when they do not."""
        return max(Decimal("0.00"), self.payments - self.allowed)

    @property
    def complete(self) -> bool:
        """Whether every hospice claim of the provider in the cap year was priced."""
        return not self.not_priced

    def __str__(self) -> str:
        return str(self.explanation)


def _hospice_days(claim: Claim) -> frozenset[_dt.date]:
    if claim.bill_class not in ("81", "82") or claim.frequency in ("A", "B", "C", "D", "E"):
        return frozenset()
    return frozenset(benefit.level_days(claim))


def _cents(value: Fraction) -> Decimal:
    """``value`` rounded half up to the cent (``value`` is not negative)."""
    hundredths = (value * 100 * 2 + 1) // 2
    return Decimal(int(hundredths)).scaleb(-2)


def _shown(count: Fraction) -> Decimal:
    """A count shown to 4 places (the exact fraction is what is multiplied)."""
    return Decimal(int((count * 10000 * 2 + 1) // 2)).scaleb(-4)


def hospice_cap(
    provider: str,
    cap_year: int | _dt.date | str,
    history: ClaimHistory,
    *,
    method: CapMethod | str = CapMethod.PROPORTIONAL,
    through: _dt.date | str | None = None,
    rates: Rates | None = None,
    wage_index: Decimal | float | str | os.PathLike[str] | WageIndex | None = None,
    caps: Sequence[CapYear] | None = None,
) -> CapStatus:
    """A provider's Medicare hospice payments in ``cap_year`` against its aggregate cap.

    :param provider: the provider the claims were stored under
        (``history.add(claim, provider=...)``).
    :param cap_year: the cap year (``2026``), or a day in it.
    :param history: a :class:`~hcpcs_home.history.ClaimHistory` holding the provider's
        claims and, for the beneficiary count, the beneficiaries' hospice claims at
        other hospices where the backend has them.
    :param method: ``"proportional"`` (default) or ``"streamlined"``
        (:class:`CapMethod`).
    :param through: the status as of this day (default: the cap year's last day): the
        claims whose statement period has ended by then count (a hospice bills a month
        after it ends), for the payments and for the days of the beneficiary count.
    :param rates: as for :func:`~hcpcs_home.payment.price`.
    :param wage_index: as for :func:`~hcpcs_home.payment.price` (a number, a
        :class:`~hcpcs_home.payment.WageIndex` or the path of CMS's file).

    Each claim is priced as :func:`~hcpcs_home.payment.price` prices it with the
    history (its days before counted from the beneficiary's earlier hospice claims).
    :param caps: the cap years (:func:`shipped_caps` where ``None``).

    >>> from hcpcs_home import Claim, ClaimLine
    >>> from hcpcs_home.history import MemoryHistory
    >>> history = MemoryHistory()
    >>> history.add(Claim("medicare", "2024-10-01", "2024-10-31", id="H1", patient_id="B1",
    ...                   type_of_bill="0811", admission_date="2024-10-01",
    ...                   lines=[ClaimLine("Q5001", "2024-10-01", 31, revenue_code="0651")]),
    ...             provider="341234")
    >>> status = hospice_cap("341234", 2025, history, wage_index="1")
    >>> status.beneficiaries, status.allowed, status.payments, status.remaining
    (Fraction(1, 1), Decimal('34465.34'), Decimal('6963.22'), Decimal('27502.12'))

    :raises ~hcpcs_home.errors.InvalidFieldError: a bad argument: no cap year with a
        cap amount, an unknown method, a history without the provider query, a
        ``through`` outside the cap year.
    """
    from ..history._records import text

    provider = text("provider", provider)
    chosen_rates = rates_arg(rates)
    wage = wage_index_arg(wage_index)
    chosen = shipped_caps() if caps is None else _caps(caps)
    year = _cap_year(cap_year, chosen)
    how = _method(method)
    last = year.end if through is None else f.date("through")(through)
    if not year.start <= last <= year.end:
        raise InvalidFieldError(
            "through", last, f"is outside cap year {year.year} ({year.start}..{year.end})"
        )
    if not callable(getattr(history, "claims_by_provider", None)) or not callable(
        getattr(history, "claims", None)
    ):
        raise InvalidFieldError(
            "history",
            history,
            "must be a ClaimHistory (claims_by_provider(provider, start, end) and claims(...))",
        )
    mine = [
        c
        for c in history.claims_by_provider(provider, year.start, last)
        if c.statement_through <= last and _hospice_days(c)
    ]
    payments = Fraction(0)
    priced = 0
    unpriced: list[Payment] = []
    claim_steps: list[Factor] = []
    for claim in mine:
        try:
            payment = price_hospice(
                claim, rates=chosen_rates, wage_index=wage, days_before=days_from_history(history)
            )
        except NotPriced as why:
            payment = not_priced(claim.id, "medicare hospice", why.reason, why.factors)
        if payment.amount is None:
            unpriced.append(payment)
            claim_steps.append(Factor(f"claim {claim.id or '(no id)'}: not priced", payment.reason))
            continue
        priced += 1
        counted = sum(
            (
                p.amount
                for p in payment.parts
                if p.amount is not None and year.start <= (p.day or claim.statement_from)
            ),
            Decimal(0),
        )
        payments += Fraction(counted)
        claim_steps.append(
            Factor(f"claim {claim.id or '(no id)'} ({claim.statement_from.isoformat()})", counted)
        )
    shares, share_notes = _shares(mine, history, year, last, how)
    count = sum((s.share for s in shares), Fraction(0))
    allowed = _cents(Fraction(year.amount) * count)
    paid = Decimal(payments.numerator) / Decimal(payments.denominator)
    paid = paid.quantize(CENT)
    steps = [
        Factor(
            f"cap year {year.year} amount per beneficiary",
            year.amount,
            row=f"hospice_cap.tsv cap_year={year.year}",
            source=f"{year.rule}; {_RULE}(a)",
        ),
        Factor(
            f"beneficiaries ({how.value} method; exact sum of shares, shown to 4 places)",
            _shown(count),
            source=_COUNT_SOURCE,
            steps=share_notes,
        ),
        Factor("cap = amount x beneficiaries, rounded half up to the cent", allowed),
        Factor(
            f"payments for care {year.start.isoformat()}..{last.isoformat()} "
            f"({priced} claim(s) priced, {len(unpriced)} not priced"
            + (": a lower bound)" if unpriced else ")"),
            paid,
            source="the provider's hospice claims in the history, priced",
            steps=claim_steps,
        ),
    ]
    status = "over the cap by" if paid > allowed else "left under the cap"
    root = Factor(
        f"provider {provider} cap year {year.year}: {status}",
        abs(allowed - paid),
        source=f"{_RULE}; 42 CFR 418.308",
        steps=steps,
    )
    return CapStatus(
        provider,
        year,
        how,
        last,
        shares,
        count,
        allowed,
        paid,
        priced,
        tuple(unpriced),
        root,
    )


def _cap_year(value: object, caps: Sequence[CapYear]) -> CapYear:
    if isinstance(value, int) and not isinstance(value, bool):
        for cap in caps:
            if cap.year == value:
                return cap
        held = ", ".join(str(c.year) for c in caps) or "none"
        raise InvalidFieldError("cap_year", value, f"has no cap amount (held: {held})")
    if isinstance(value, (str, _dt.date)) and not isinstance(value, _dt.datetime):
        return cap_year_of(value, caps)
    raise InvalidFieldError("cap_year", value, "must be a cap year (2026) or a day in one")


def _method(value: object) -> CapMethod:
    if isinstance(value, CapMethod):
        return value
    if isinstance(value, str):
        for member in CapMethod:
            if member.value == value.strip().lower():
                return member
    choices = ", ".join(m.value for m in CapMethod)
    raise InvalidFieldError("method", value, f"must be one of {choices}")


def _shares(
    mine: Sequence[Claim],
    history: Any,
    year: CapYear,
    last: _dt.date,
    how: CapMethod,
) -> tuple[tuple[CapShare, ...], list[Factor]]:
    """Each beneficiary's share, and a factor per beneficiary saying how it was found."""
    from ..history._records import claim_key

    here: dict[str, set[_dt.date]] = {}
    for claim in mine:
        if not claim.patient_id:
            raise InvalidFieldError(
                f"claim {claim.id or '(no id)'}",
                None,
                "has no patient_id: its beneficiary cannot be counted for the cap",
            )
        here.setdefault(claim.patient_id, set()).update(_hospice_days(claim))
    mine_keys = {claim_key(c) for c in mine}
    shares: list[CapShare] = []
    notes: list[Factor] = []
    for beneficiary in sorted(here):
        all_here = here[beneficiary]
        in_year = {d for d in all_here if year.start <= d <= last}
        everywhere: set[_dt.date] = set(all_here)
        elsewhere: set[_dt.date] = set()
        for claim in history.claims(beneficiary, lim.MIN_DATE, last):
            if claim.statement_through > last:
                continue
            days = _hospice_days(claim)
            everywhere |= days
            if days and claim_key(claim) not in mine_keys:
                elsewhere |= days
        if how is CapMethod.PROPORTIONAL:
            total = len(everywhere)
            share = Fraction(len(in_year), total) if total else Fraction(0)
            why = f"{len(in_year)} day(s) here this cap year / {total} day(s) at all hospices"
        else:
            earlier = any(d < year.start for d in everywhere)
            first_here = min(all_here) if all_here else None
            if earlier or first_here is None or not year.start <= first_here <= last:
                share = Fraction(0)
                total = len(everywhere)
                why = "not counted: hospice care before this cap year, or none here in it"
            elif not elsewhere:
                share, total = Fraction(1), len(everywhere)
                why = "elected here this cap year, cared for by this hospice only: 1"
            else:
                total = len(everywhere)
                mine_days = len(everywhere - elsewhere)
                share = Fraction(mine_days, total)
                why = f"{mine_days} day(s) here / {total} day(s) at all hospices"
        shares.append(CapShare(beneficiary, len(in_year), total, share, why))
        notes.append(Factor(f"{beneficiary}: {why}", _shown(share)))
    return tuple(shares), notes
