"""What a claim pays: Medicare home health (PDGM) and hospice, Part B therapy, fee schedules.

:func:`price` takes a claim and returns an immutable :class:`Payment`: the
amount in dollars and cents (exact :class:`~decimal.Decimal` arithmetic with
the rounding the source states), the amount per line or per level-of-care day
where the payer pays that way, and an explanation tree of :class:`Factor`
values (each rate, weight and wage index with the table row it came from and
its source, each rounding step named).  What cannot be known is never guessed:
the payment is then "not priced" with the reason.

One module per benefit: :mod:`~hcpcs_home.payment.home_health`,
:mod:`~hcpcs_home.payment.hospice`, :mod:`~hcpcs_home.payment.fee_schedule`
(with Medicare Part B therapy by assistants); a hospice's payments in a cap year
against its aggregate cap are :func:`~hcpcs_home.payment.cap.hospice_cap`
(:mod:`~hcpcs_home.payment.cap`); the figures are data
(:mod:`~hcpcs_home.payment.rates`, :mod:`~hcpcs_home.payment.case_mix`,
:mod:`~hcpcs_home.payment.wage_index`).
"""

from __future__ import annotations

import os
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import TYPE_CHECKING, Any

from ..claims import Claim
from ..errors import HcpcsError, InvalidFieldError
from ..payers import PayerKind
from . import _result
from ._args import rates_arg, wage_index_arg
from ._result import Factor, Payment, PaymentPart
from .cap import CapMethod, CapShare, CapStatus, CapYear, cap_year_of, hospice_cap, shipped_caps
from .case_mix import CaseMix, load_case_mix
from .fee_schedule import FeeRow, FeeSchedule, load_fee_schedule, price_lines
from .home_health import price_home_health
from .hospice import days_from_history, price_hospice
from .outlier_cap import Totals, apply_outlier_cap
from .rates import HomeHealthYear, HospiceYear, Rates, load_rates, shipped_rates
from .wage_index import WageIndex, load_wage_index

if TYPE_CHECKING:
    from ..history import ClaimHistory
    from ..policy import Report

PAYMENT_COLUMNS = ("claim_id", "payer", "benefit", "amount", "priced", "reason")
"""The columns of :func:`payments_frame`, in order."""

__all__ = [
    "PAYMENT_COLUMNS",
    "CapMethod",
    "CapShare",
    "CapStatus",
    "CapYear",
    "CaseMix",
    "Factor",
    "FeeRow",
    "FeeSchedule",
    "HomeHealthYear",
    "HospiceYear",
    "Payment",
    "PaymentPart",
    "Rates",
    "WageIndex",
    "apply_outlier_cap",
    "cap_year_of",
    "hospice_cap",
    "load_case_mix",
    "load_fee_schedule",
    "load_rates",
    "load_wage_index",
    "payments_frame",
    "price",
    "price_many",
    "shipped_caps",
    "shipped_rates",
]


def __dir__() -> list[str]:
    return __all__


def _history_days(history: object) -> Any:
    days = getattr(history, "hospice_days_before", None)
    if callable(days):

        def before(claim: Claim) -> tuple[int, Factor]:
            count = days(claim)
            if isinstance(count, bool) or not isinstance(count, int) or count < 0:
                raise InvalidFieldError(
                    "history.hospice_days_before", count, "must be a count of days"
                )
            return count, Factor(
                "hospice days before the claim (from the history)",
                count,
                source="42 CFR 418.302(b)(1); the claim history given",
            )

        return before
    if callable(getattr(history, "claims", None)):
        return days_from_history(history)
    raise InvalidFieldError(
        "history", history, "must be a ClaimHistory (claims(beneficiary, start, end))"
    )


def _with_cap_status(
    payment: Payment,
    claim: Claim,
    provider: str,
    history: Any,
    rates: Rates,
    wage: Decimal | WageIndex | None,
) -> Payment:
    """``payment`` with the provider's hospice cap status so far added to its explanation."""
    import attrs

    try:
        status = hospice_cap(
            provider,
            claim.statement_through,
            history,
            through=claim.statement_through,
            rates=rates,
            wage_index=wage,
        )
        step = status.explanation
    except InvalidFieldError as exc:
        step = Factor("provider's aggregate cap (42 CFR 418.309)", f"not computed: {exc}")
    root = payment.explanation
    assert root is not None
    return attrs.evolve(payment, explanation=attrs.evolve(root, steps=(*root.steps, step)))


def _agency_totals(
    provider: object, given: object, history: object, kwargs: dict[str, Any]
) -> Totals | None:
    """What gives the agency's year totals for the 10% outlier cap, or ``None``."""
    if given is not None:
        if provider is not None:
            raise InvalidFieldError(
                "agency_totals", given, "give provider= (with history=) or agency_totals=, not both"
            )
        if isinstance(given, (str, bytes)) or not isinstance(given, tuple) or len(given) != 2:
            raise InvalidFieldError(
                "agency_totals", given, "must be (total payments, outlier payments)"
            )
        high = Decimal(10) ** 12
        paid = _result.bounded("agency_totals[0]", given[0], low=Decimal(-1), high=high)
        outliers = _result.bounded("agency_totals[1]", given[1], low=Decimal(-1), high=high)
        if paid < 0 or outliers < 0:
            raise InvalidFieldError("agency_totals", given, "must not be negative")
        factor = Factor(
            f"agency's payments of the year before the claim {paid}, outliers {outliers}",
            paid,
            source="given by the caller",
        )
        return lambda claim: (paid, outliers, factor)
    if provider is None:
        return None
    if history is None:
        raise InvalidFieldError("provider", provider, "needs history= to sum the agency's claims")
    return _totals_from_history(history, provider, kwargs)


def _home_health_claim(claim: Claim) -> bool:
    return (
        claim.payer.kind is PayerKind.MEDICARE
        and claim.bill_class == "32"
        and claim.frequency not in ("A", "D")
    )


def _totals_from_history(history: Any, provider: object, kwargs: dict[str, Any]) -> Totals:
    """The agency's totals before a claim, from its claims in ``history`` stored under
    ``provider``: the Medicare home-health claims (032X, not notices) of the claim's
    calendar year whose periods ended before its From date, in the order they ended,
    each priced (with ``kwargs``) under the cap of the totals before it."""
    import datetime as _dt

    from ..history._records import claim_key, text

    name = text("provider", provider)
    if not callable(getattr(history, "claims_by_provider", None)):
        raise InvalidFieldError(
            "history", history, "must be a ClaimHistory (claims_by_provider(provider, ...))"
        )

    def totals(claim: Claim) -> tuple[Decimal, Decimal, Factor]:
        year = claim.statement_through.year
        first = _dt.date(year, 1, 1)
        before = claim.statement_from - _dt.timedelta(days=1)
        mine = claim_key(claim)
        earlier: list[Claim] = []
        if before >= first:
            earlier = sorted(
                (
                    c
                    for c in history.claims_by_provider(name, first, before)
                    if _home_health_claim(c)
                    and c.statement_through.year == year
                    and c.statement_through <= before
                    and claim_key(c) != mine
                ),
                key=lambda c: (c.statement_through, c.statement_from),
            )
        paid = outliers = Decimal(0)
        for other in earlier:
            payment = price(other, **kwargs, agency_totals=(paid, outliers))
            if payment.amount is None:
                raise _result.NotPriced(
                    f"the agency's {year} totals for its 10% outlier cap are unknown: its "
                    f"claim {other.id or '(no id)'} is not priced ({payment.reason})"
                )
            paid += payment.amount
            outliers += sum(
                (p.amount or Decimal(0) for p in payment.parts if "outlier" in p.what),
                Decimal(0),
            )
        return (
            paid,
            outliers,
            Factor(
                f"agency {name} in {year} before this claim: {len(earlier)} claim(s) "
                f"paid {paid}, outliers {outliers}",
                paid,
                source="the agency's claims in the history, priced in the order their "
                "periods ended",
            ),
        )

    return totals


def price(
    claim: Claim,
    *,
    rates: Rates | None = None,
    wage_index: Decimal | float | str | os.PathLike[str] | WageIndex | None = None,
    case_mix: CaseMix | str | os.PathLike[str] | dict[str, Any] | None = None,
    fee_schedule: FeeSchedule | str | os.PathLike[str] | None = None,
    history: ClaimHistory | None = None,
    report: Report | None = None,
    price_fatal: bool = False,
    provider: str | None = None,
    agency_totals: tuple[Decimal | str, Decimal | str] | None = None,
) -> Payment:
    """What ``claim`` is expected to pay, explained; or why it is not priced.

    * a Medicare home-health claim (TOB 032X) is priced under PDGM
      (:mod:`~hcpcs_home.payment.home_health`): it needs ``case_mix`` and a
      ``wage_index``;
    * a hospice claim (TOB 081X/082X) per level-of-care day
      (:mod:`~hcpcs_home.payment.hospice`): it needs a ``wage_index``;
    * any other claim line by line from ``fee_schedule``
      (:mod:`~hcpcs_home.payment.fee_schedule`), Medicare therapy lines with
      CQ/CO at 85%.

    :param rates: the rate years (:func:`shipped_rates` where ``None``).
    :param wage_index: one wage index for the claim (a number), a
        :class:`WageIndex` or the path of CMS's CBSA wage-index file (looked up
        by the claim's value code 61, and G8 for hospice inpatient days).
    :param case_mix: a :class:`CaseMix`, the path of CMS's yearly PDGM file, or
        a mapping of HIPPS code to weight.
    :param fee_schedule: a :class:`FeeSchedule` or the path of a fee-schedule file.
    :param history: a :class:`~hcpcs_home.history.ClaimHistory` (its
        ``claims(beneficiary, start, end)``): the hospice days before a hospice
        claim are counted from the beneficiary's earlier hospice claims in it,
        across elections (:func:`~.hospice.days_from_history`); without it they
        are counted from the claim's election date.  An object with
        ``hospice_days_before(claim)`` gives the count directly.
    :param report: the claim's :class:`~hcpcs_home.policy.Report`; a claim
        with errors is not priced unless ``price_fatal``.
    :param provider: with ``history``, the provider the claims were stored under: a
        home-health period's outlier is paid under the agency's 10% outlier cap, from
        its payments of the year so far (:mod:`~hcpcs_home.payment.outlier_cap`); a
        hospice claim's explanation gains the provider's aggregate cap status of the
        cap year through the claim's last day (:func:`hospice_cap`; the claim's own
        amount does not change).
    :param agency_totals: instead, the agency's total payments and outlier payments of
        the year before the claim (as CMS's pricer takes them).

    >>> from hcpcs_home import Claim, ClaimLine
    >>> claim = Claim("medicare", "2021-03-01", "2021-03-30", type_of_bill="0813",
    ...               admission_date="2020-12-01",
    ...               lines=[ClaimLine("Q5001", "2021-03-01", 30, revenue_code="0651")])
    >>> str(price(claim, wage_index="0.9337").amount)
    '4509.47'

    :raises ~hcpcs_home.errors.InvalidFieldError: an argument is not what it
        should be: a negative or absurd wage index, a rate table that is not
        :class:`Rates`...
    :raises ~hcpcs_home.errors.EditFileError: a file given cannot be read or
        has bad rows.
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    chosen = rates_arg(rates)
    wage = wage_index_arg(wage_index)
    table = None if case_mix is None else CaseMix.of(case_mix)
    schedule = None if fee_schedule is None else FeeSchedule.of(fee_schedule)
    days = None if history is None else _history_days(history)
    totals = _agency_totals(
        provider,
        agency_totals,
        history,
        {"rates": chosen, "wage_index": wage, "case_mix": table},
    )
    if report is not None and not price_fatal:
        if getattr(report, "claim", claim) is not claim and report.claim != claim:
            raise InvalidFieldError("report", report, "is the report of another claim")
        if not report.ok:
            ids = ", ".join(dict.fromkeys(f.rule_id for f in report.errors))
            return _result.not_priced(
                claim.id,
                "",
                f"the rules find errors ({ids}); pass price_fatal=True to price it anyway",
            )
    bill_class = claim.bill_class
    try:
        if claim.payer.kind is PayerKind.MEDICARE and bill_class == "32":
            return price_home_health(
                claim, rates=chosen, wage_index=wage, case_mix=table, agency_totals=totals
            )
        if bill_class in ("81", "82"):
            payment = price_hospice(claim, rates=chosen, wage_index=wage, days_before=days)
            if provider is None or history is None or payment.explanation is None:
                return payment
            return _with_cap_status(payment, claim, provider, history, chosen, wage)
        if schedule is None:
            raise _result.NotPriced("no fee schedule given for a claim paid line by line")
        return price_lines(claim, schedule)
    except _result.NotPriced as why:
        benefit = {"32": "medicare home health", "81": "medicare hospice", "82": "medicare hospice"}
        return _result.not_priced(
            claim.id, benefit.get(bill_class or "", "fee schedule"), why.reason, why.factors
        )


def price_many(claims: Iterable[Claim], **kwargs: Any) -> Iterator[Payment]:
    """:func:`price` for each claim, lazily, reading any file argument once.

    >>> list(price_many([]))
    []
    """
    if isinstance(kwargs.get("wage_index"), (str, os.PathLike)):
        kwargs["wage_index"] = wage_index_arg(kwargs["wage_index"])
    if isinstance(kwargs.get("case_mix"), (str, os.PathLike, dict)):
        kwargs["case_mix"] = CaseMix.of(kwargs["case_mix"])
    if isinstance(kwargs.get("fee_schedule"), (str, os.PathLike)):
        kwargs["fee_schedule"] = FeeSchedule.of(kwargs["fee_schedule"])
    for claim in claims:
        yield price(claim, **kwargs)


def payments_frame(claims: Iterable[Claim | HcpcsError], **kwargs: Any) -> Any:
    """One row per claim with its expected amount (a pandas DataFrame; needs pandas).

    The columns are :data:`PAYMENT_COLUMNS`: ``amount`` is the
    :class:`~decimal.Decimal` total or ``None`` when not priced, ``reason`` says
    why.  ``claims`` may hold errors (what :func:`~hcpcs_home.policy.check_many`
    passes through for a claim that could not be read): each is a row, never
    dropped.  ``kwargs`` are :func:`price`'s.

    >>> from hcpcs_home import Claim, ClaimLine
    >>> claim = Claim("medicare", "2021-03-01", "2021-03-30", type_of_bill="0813",
    ...               admission_date="2020-12-01", id="H-1",
    ...               lines=[ClaimLine("Q5001", "2021-03-01", 30, revenue_code="0651")])
    >>> frame = payments_frame([claim], wage_index="0.9337")
    >>> frame.loc[0, "amount"]
    Decimal('4509.47')
    """
    from .._frames import frame

    items = list(claims)
    priced = price_many([c for c in items if isinstance(c, Claim)], **kwargs)
    records = []
    for item in items:
        if isinstance(item, Claim):
            payment = next(priced)
            records.append(
                {
                    "claim_id": item.id,
                    "payer": item.payer.id,
                    "benefit": payment.benefit,
                    "amount": payment.amount,
                    "priced": payment.priced,
                    "reason": payment.reason or None,
                }
            )
        elif isinstance(item, HcpcsError):
            records.append(
                dict.fromkeys(PAYMENT_COLUMNS)
                | {"priced": False, "reason": f"the claim could not be read: {item}"}
            )
        else:
            raise InvalidFieldError("claims", item, "must hold claims (or the errors of a batch)")
    return frame(records, PAYMENT_COLUMNS)
