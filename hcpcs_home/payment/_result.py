"""What a claim pays: :class:`Payment`, its :class:`PaymentPart` amounts and the
:class:`Factor` tree that explains them; the rounding helpers every benefit uses."""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal
from typing import Any

import attrs

from .._values import lazy_methods
from ..errors import InvalidFieldError

CENT = Decimal("0.01")
_TEN_THOUSANDTH = Decimal("0.0001")


def cents(value: Decimal) -> Decimal:
    """``value`` rounded half up to the cent, as CMS's pricers round (COBOL ``ROUNDED``)."""
    return value.quantize(CENT, ROUND_HALF_UP)


def truncate4(value: Decimal) -> Decimal:
    """``value`` cut (not rounded) to 4 decimals, as a COBOL field without ``ROUNDED``."""
    return value.quantize(_TEN_THOUSANDTH, ROUND_DOWN)


class NotPriced(Exception):
    """Raised inside a benefit's pricer when the claim cannot be priced; ``price`` catches it."""

    def __init__(self, reason: str, factors: Iterable[Factor] = ()) -> None:
        self.reason = reason
        self.factors = tuple(factors)
        super().__init__(reason)


def _factors(value: Iterable[Factor]) -> tuple[Factor, ...]:
    return tuple(value)


def _parts(value: Iterable[PaymentPart]) -> tuple[PaymentPart, ...]:
    return tuple(value)


def _texts(value: Iterable[str]) -> tuple[str, ...]:
    return tuple(value)


def _plain(value: object) -> object:
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, _dt.date):
        return value.isoformat()
    return value


@attrs.frozen(slots=True)
@lazy_methods
class Factor:
    """One step of a payment's arithmetic: what it is, its value, and where the value came from.

    :ivar name: what the step is, with its rounding where it rounds
        (``"period payment = weight x rate, rounded half up to the cent"``).
    :ivar value: the step's value (a :class:`~decimal.Decimal`, a count, a
        date or text).
    :ivar row: the table row it was read from (``"hh_rates.tsv year=2025"``),
        empty for arithmetic.
    :ivar source: the public document that states it (Federal Register rule,
        CMS manual section, CMS pricer paragraph, the user's file).
    :ivar steps: the factors it was computed from.
    """

    name: str
    value: object
    row: str = ""
    source: str = ""
    steps: tuple[Factor, ...] = attrs.field(default=(), converter=_factors)

    def lines(self, depth: int = 0) -> list[str]:
        """The tree as indented text lines, one per factor."""
        where = "; ".join(x for x in (self.row, self.source) if x)
        text = f"{'  ' * depth}{self.name}: {_plain(self.value)}"
        out = [text + (f"  [{where}]" if where else "")]
        for step in self.steps:
            out += step.lines(depth + 1)
        return out

    def __str__(self) -> str:
        return "\n".join(self.lines())

    def to_data(self) -> dict[str, Any]:
        """The factor and its steps as plain JSON-ready data."""
        data: dict[str, Any] = {"name": self.name, "value": _plain(self.value)}
        if self.row:
            data["row"] = self.row
        if self.source:
            data["source"] = self.source
        if self.steps:
            data["steps"] = [s.to_data() for s in self.steps]
        return data


@attrs.frozen(slots=True)
@lazy_methods
class PaymentPart:
    """The amount of one claim line, or of one level-of-care day, where the payer pays that way.

    :ivar what: what is paid (``"97110 x 4 units"``, ``"routine home care day 61+"``).
    :ivar amount: the amount in dollars and cents, or ``None`` when not priced.
    :ivar line: the index of the claim line paid, where one is.
    :ivar day: the day paid, for a per-day payment.
    :ivar reason: why the part is not priced (``None`` when it is).
    """

    what: str
    amount: Decimal | None
    line: int | None = None
    day: _dt.date | None = None
    reason: str | None = None

    def to_data(self) -> dict[str, Any]:
        """The part as plain JSON-ready data."""
        return {
            "what": self.what,
            "amount": _plain(self.amount),
            "line": self.line,
            "day": _plain(self.day),
            "reason": self.reason,
        }


@attrs.frozen(slots=True)
@lazy_methods
class Payment:
    """What a claim is expected to pay, and why: an immutable value.

    :ivar claim_id: the claim's id.
    :ivar benefit: how it was priced (``"medicare home health"``,
        ``"medicare hospice"``, ``"fee schedule"``), or ``""`` when not priced.
    :ivar amount: the total in dollars and cents (a :class:`~decimal.Decimal`
        with two places), or ``None`` when the claim, or any part of it, is
        not priced: a payment is never guessed.
    :ivar parts: the amount of each line or day where the payer pays that way.
    :ivar explanation: the factor tree: every rate, weight, wage index and
        rounding step, each with its table row and source.
    :ivar reasons: why the claim is not priced, or which parts are not.
    """

    claim_id: str
    benefit: str
    amount: Decimal | None
    parts: tuple[PaymentPart, ...] = attrs.field(default=(), converter=_parts)
    explanation: Factor | None = None
    reasons: tuple[str, ...] = attrs.field(default=(), converter=_texts)

    @property
    def priced(self) -> bool:
        """Whether the whole claim is priced (``amount`` is not ``None``)."""
        return self.amount is not None

    @property
    def reason(self) -> str:
        """The reasons the claim is not priced, joined; ``""`` when it is."""
        return "; ".join(self.reasons)

    def __str__(self) -> str:
        head = f"claim {self.claim_id or '(no id)'}: "
        head += f"{self.amount} ({self.benefit})" if self.priced else f"not priced: {self.reason}"
        return head if self.explanation is None else f"{head}\n{self.explanation}"

    def to_data(self) -> dict[str, Any]:
        """The payment as plain JSON-ready data (what the CLI's JSON output writes)."""
        return {
            "claim_id": self.claim_id,
            "benefit": self.benefit,
            "amount": _plain(self.amount),
            "priced": self.priced,
            "reasons": list(self.reasons),
            "parts": [p.to_data() for p in self.parts],
            "explanation": None if self.explanation is None else self.explanation.to_data(),
        }


def not_priced(claim_id: str, benefit: str, reason: str, factors: Iterable[Factor] = ()) -> Payment:
    """A payment that says why the claim is not priced."""
    steps = tuple(factors)
    explanation = Factor("not priced", reason, steps=steps) if steps else None
    return Payment(claim_id, benefit, None, (), explanation, (reason,))


def bounded(field: str, value: object, *, low: Decimal, high: Decimal) -> Decimal:
    """``value`` as a finite :class:`~decimal.Decimal` strictly above ``low`` and at most ``high``.

    :raises InvalidFieldError: not a number, not finite, or outside the bounds.
    """
    if isinstance(value, bool) or not isinstance(value, (int, str, Decimal, float)):
        raise InvalidFieldError(field, value, "must be a number")
    if isinstance(value, str) and len(value) > 30:
        raise InvalidFieldError(field, value[:30] + "...", "is too long for a number")
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise InvalidFieldError(field, value, "must be a number") from None
    if not number.is_finite() or not low < number <= high:
        raise InvalidFieldError(field, value, f"must be above {low} and at most {high}")
    return number
