"""What the claim builders share: reading a biller's facts and gathering every problem.

:func:`hcpcs_home.pdgm.period_claim`, :func:`hcpcs_home.hospice.month_claim`
and :func:`hcpcs_home.evv.claim_from_visits` each read a handful of facts
(dates, codes, charges, visits) that may contradict each other.  A
:class:`Facts` reads them one by one, keeps each problem (an
:class:`~hcpcs_home.errors.InvalidFieldError` naming the fact) instead of
stopping at the first, and raises them together in one
:class:`~hcpcs_home.errors.InvalidClaimError`, as building a
:class:`~hcpcs_home.claims.Claim` does.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Iterable, Mapping
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, TypeVar

from . import _fields as f
from .bounds import MAX_SERVICES
from .claims import Claim, ClaimLine, Service
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError
from .payers import Payer, payer_profile

__all__ = ["CENT", "Facts", "listed", "payer_of"]


def __dir__() -> list[str]:
    return __all__


_T = TypeVar("_T")

CENT = Decimal("0.01")
"""Charges are whole cents (UB-04 FL47 and 837 ``SV2-03`` are dollars and cents)."""

#: Claim fields a builder writes itself; ``**claim_fields`` may not set them.
_OWNED = frozenset({"payer", "services"})
#: Claim fields whose lists the caller's ``**claim_fields`` add to, after the builder's.
_ADDED = ("lines", "condition_codes", "occurrence_codes", "occurrence_spans", "value_codes")


class Facts:
    """The facts one builder reads, and every problem found in them.

    :ivar builder: the builder's name, for the error's message.
    :ivar problems: the problems found so far, in the order found.
    """

    def __init__(self, builder: str) -> None:
        self.builder = builder
        self.problems: list[HcpcsError] = []
        self._uncharged: set[str] = set()

    def add(self, field: str, value: object, reason: str) -> None:
        """Record one problem with the fact ``field``."""
        self.problems.append(InvalidFieldError(field, value, reason))

    def read(self, convert: Callable[[Any], _T], value: object, default: _T) -> _T:
        """``convert(value)``, or ``default`` with the problem kept when it refuses."""
        try:
            return convert(value)
        except InvalidClaimError as exc:
            self.problems.extend(exc.errors)
        except HcpcsError as exc:
            self.problems.append(exc)
        return default

    def call(self, fn: Callable[..., _T], *args: Any, **kwargs: Any) -> _T | None:
        """``fn(*args, **kwargs)``, or ``None`` with the problem kept when it refuses."""
        try:
            return fn(*args, **kwargs)
        except InvalidClaimError as exc:
            self.problems.extend(exc.errors)
        except HcpcsError as exc:
            self.problems.append(exc)
        return None

    def date(self, field: str, value: object) -> _dt.date | None:
        """A date fact (a :class:`datetime.date` or ISO text), or ``None`` when unreadable."""
        return self.read(f.date(field), value, None)

    def optional_date(self, field: str, value: object) -> _dt.date | None:
        """A date fact that may be absent (``None``)."""
        return None if value is None else self.date(field, value)

    def items(self, field: str, value: object, kind: type[_T]) -> tuple[_T, ...]:
        """A list of ``kind`` values (services, visits), each item checked."""
        empty: tuple[object, ...] = ()
        found = self.read(f.tuple_of(_anything, field, MAX_SERVICES), value, empty)
        out: list[_T] = []
        for i, item in enumerate(found):
            if isinstance(item, kind):
                out.append(item)
            else:
                self.add(f"{field}[{i}]", item, f"must be a {kind.__name__}")
        return tuple(out)

    def charges(self, value: object) -> dict[str, Decimal]:
        """The agency's charges: a mapping of code (or revenue code) to a non-negative amount."""
        if not isinstance(value, Mapping):
            self.add("charges", value, "must map codes to the agency's charges")
            return {}
        if len(value) > MAX_SERVICES:
            self.add("charges", f"<{len(value)} items>", f"holds more than {MAX_SERVICES:,}")
            return {}
        out: dict[str, Decimal] = {}
        for key, amount in value.items():
            code = self.read(_charge_key, key, None)
            money = self.read(f.decimal(f"charges[{key!r}]"), amount, None)
            if code is not None and money is not None:
                out[code] = money
        return out

    def charge(
        self, charges: Mapping[str, Decimal], key: str, where: str, units: int | Decimal = 1
    ) -> Decimal:
        """``units`` times the charge of ``key``, in whole cents; a missing charge is a problem."""
        rate = charges.get(key)
        if rate is None:
            if key not in self._uncharged:  # named once, at its first use
                self._uncharged.add(key)
                self.add("charges", key, f"has no charge for {key} ({where})")
            return Decimal(0)
        return (rate * units).quantize(CENT, rounding=ROUND_HALF_UP)

    def line_from(
        self,
        field: str,
        service: Service,
        **kwargs: Any,
    ) -> ClaimLine | None:
        """``ClaimLine.from_service(service, **kwargs)``, or ``None`` with its problem kept
        under ``field`` (``visits[3]``)."""
        try:
            return ClaimLine.from_service(service, **kwargs)
        except InvalidFieldError as exc:
            self.problems.append(type(exc)(f"{field}.{exc.field}", exc.value, exc.reason))
        except HcpcsError as exc:
            self.problems.append(InvalidFieldError(field, service.code, str(exc)))
        return None

    def visit_lines(
        self,
        services: Iterable[Service],
        charges: Mapping[str, Decimal],
        revenue: Callable[[int, Service], str | None] = lambda i, s: None,
        apart: frozenset[str] = frozenset(),
        **kwargs: Any,
    ) -> list[ClaimLine]:
        """A line per visit (:meth:`ClaimLine.from_service` with ``kwargs``), charged
        ``charges[code]`` (one visit), in date order; each visit's problem is kept under
        ``visits[i]``.  ``revenue(i, visit)`` may choose a line's revenue code; visits of
        the codes ``apart`` are left to the caller."""
        found: list[tuple[_dt.date, int, ClaimLine]] = []
        for i, s in enumerate(services):
            if s.code in apart:
                continue
            line = self.line_from(
                f"visits[{i}]",
                s,
                charge=self.charge(charges, s.code, f"visits[{i}]"),
                revenue_code=revenue(i, s),
                **kwargs,
            )
            if line is not None:
                found.append((line.date, i, line))
        return [line for _, _, line in sorted(found, key=lambda x: (x[0], x[1]))]

    def claim_fields(self, fields: Mapping[str, Any], owned: Iterable[str]) -> dict[str, Any]:
        """``**claim_fields`` without the fields the builder writes (each one a problem)."""
        taken = _OWNED | frozenset(owned)
        out = {}
        for name, value in fields.items():
            if name in taken:
                self.add(name, value, f"is written by {self.builder} from its facts")
            else:
                out[name] = value
        return out

    def check(self) -> None:
        """Raise every problem found so far at once.

        :raises InvalidClaimError: there is at least one.
        """
        if self.problems:
            raise InvalidClaimError(f"{self.builder}: the facts do not make a claim", self.problems)

    def build(self, extra: dict[str, Any], **kwargs: Any) -> Claim:
        """The claim of ``kwargs`` and the caller's ``extra`` claim fields, whose lists
        (lines, condition, occurrence, span and value codes) follow the builder's own;
        or every problem (the facts' and the claim's own) at once.

        :raises InvalidClaimError: a fact or the claim is wrong.
        """
        for name in _ADDED:
            if name in extra:
                kwargs[name] = [*kwargs.get(name, ()), *listed(self, name, extra.pop(name))]
        self.check()
        try:
            return Claim(**kwargs, **extra)
        except InvalidClaimError as exc:
            self.problems.extend(exc.errors)
        except HcpcsError as exc:
            self.problems.append(exc)
        self.check()
        raise AssertionError("unreachable")  # pragma: no cover


def _anything(value: object) -> object:
    return value


def _charge_key(value: object) -> str:
    """A code (``"g0299"`` is ``"G0299"``) or a four-digit revenue code (``"651"`` is
    ``"0651"``) as a key of ``charges``."""
    if isinstance(value, str) and value.strip().isascii() and value.strip().isdigit():
        return f.revenue_code(value)
    return f.code("charges")(value)


def payer_of(value: object) -> Payer:
    """The payer a builder bills: a :class:`~hcpcs_home.payers.Payer` or a shipped profile id."""
    if isinstance(value, Payer):
        return value
    if isinstance(value, str):
        return payer_profile(value)
    raise InvalidFieldError("payer", value, "must be a Payer or a shipped profile id")


def listed(facts: Facts, field: str, value: object) -> tuple[Any, ...]:
    """A ``**claim_fields`` list the builder adds to (occurrence and value codes, lines)."""
    if isinstance(value, (list, tuple)):
        return tuple(value)
    facts.add(field, value, "must be a list")
    return ()
