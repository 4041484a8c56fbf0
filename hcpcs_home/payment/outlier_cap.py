"""The home health agency's 10% outlier cap: an HHA's outlier payments in a year may not
exceed 10 percent of its total home health PPS payments that year (42 CFR 484.240(d);
section 1895(b)(5)(A) of the Social Security Act).

CMS's HH PPS Pricer applies it to each claim from two figures of the agency's year so
far, its total payments and its outlier payments before the claim
(``HHA-PROV-PAYMENT-TOTAL`` and ``HHA-PROV-OUTLIER-PAY-TOTAL``; COBOL paragraph
``10000-OUTLIER-CAP-CALC``, Java ``CalculatePartialEpisodePayment.calculateOutlierCap``):

* when either total is 0 the cap is not applied;
* the pool is the total payments x 0.1, rounded half up to the cent; what is left of it
  is the pool less the outlier payments so far;
* when the claim's outlier is more than what is left, the outlier is **not paid** (0,
  return code 02, "payment with outlier limitation"); otherwise it is paid whole.

:func:`~hcpcs_home.payment.price` applies it when given the two totals
(``agency_totals=``) or a claim history and the agency the claims were stored under
(``history=`` and ``provider=``): the totals are then summed from the agency's
Medicare home-health claims of the same calendar year whose periods ended before the
claim's From date, each priced in that order with the cap applied as it went.
"""

from __future__ import annotations

from collections.abc import Callable
from decimal import Decimal

from ..claims import Claim
from . import _result as r

__all__ = ["Totals", "apply_outlier_cap"]


def __dir__() -> list[str]:
    return __all__


_SOURCE = (
    "42 CFR 484.240(d); CMS HH PPS Pricer 10000-OUTLIER-CAP-CALC "
    "(CalculatePartialEpisodePayment.calculateOutlierCap)"
)
_POOL_SHARE = Decimal("0.1")
F = r.Factor

Totals = Callable[[Claim], tuple[Decimal, Decimal, r.Factor]]
"""What gives an agency's year-to-date totals for a claim (total payments, outlier
payments, and the factor explaining them)."""


def apply_outlier_cap(
    outlier: Decimal, prior_payments: Decimal, prior_outliers: Decimal
) -> tuple[Decimal, r.Factor]:
    """The outlier a claim is paid under the agency's 10% cap, and the factor explaining it.

    >>> apply_outlier_cap(Decimal("500.00"), Decimal("100000.00"), Decimal("9600.00"))[0]
    Decimal('0.00')
    >>> apply_outlier_cap(Decimal("300.00"), Decimal("100000.00"), Decimal("9600.00"))[0]
    Decimal('300.00')
    """
    if prior_payments == 0 or prior_outliers == 0:
        return outlier, F(
            "agency 10% outlier cap: not applied (the agency's total or outlier payments "
            "so far are 0)",
            outlier,
            source=_SOURCE,
        )
    pool = r.cents(prior_payments * _POOL_SHARE)
    left = pool - prior_outliers
    steps = (
        F("agency's payments so far x 0.1, rounded half up", pool),
        F("less its outlier payments so far = what is left of the pool", left),
    )
    if left - outlier < 0 or prior_outliers < 0:
        return Decimal("0.00"), F(
            f"agency 10% outlier cap: the outlier {outlier} is more than the {left} left: "
            "not paid (return code 02)",
            Decimal("0.00"),
            source=_SOURCE,
            steps=steps,
        )
    return outlier, F(
        f"agency 10% outlier cap: the outlier {outlier} fits in the {left} left: paid",
        outlier,
        source=_SOURCE,
        steps=steps,
    )
