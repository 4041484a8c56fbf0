"""Converters and validators shared by the claim value types.

Each raises :class:`~hcpcs_home.errors.InvalidFieldError` (or a subclass)
naming the field, so a bad value never surfaces as a bare attrs or cattrs
error without context.  They are small named callables so their reprs stay
readable in tracebacks.
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Callable, Iterable
from decimal import Decimal, InvalidOperation
from typing import Any, TypeVar

from . import _clock
from .codes import normalize_code
from .errors import InvalidFieldError, InvalidTimeError, UnknownCodeError

E = TypeVar("E")

MAX_LINE_MINUTES = _clock.MAX_LINE_MINUTES

_MODIFIER_RE = re.compile(r"[A-Z0-9]{2}\Z")
_REVENUE_RE = re.compile(r"[0-9]{4}\Z")
_NPI_RE = re.compile(r"[0-9]{10}\Z")


def code(field: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        try:
            return normalize_code(value)
        except UnknownCodeError:
            raise InvalidFieldError(
                field, value, "is not a five-character HCPCS/CPT code"
            ) from None

    convert.__name__ = f"code_{field}"
    return convert


def date(field: str) -> Callable[[object], _dt.date]:
    def convert(value: object) -> _dt.date:
        if isinstance(value, _dt.datetime):
            raise InvalidTimeError(field, value, "must be a date, not a datetime")
        if isinstance(value, _dt.date):
            return value
        if isinstance(value, str):
            try:
                return _dt.date.fromisoformat(value.strip())
            except ValueError:
                pass
        raise InvalidTimeError(field, value, "must be a date (YYYY-MM-DD)")

    convert.__name__ = f"date_{field}"
    return convert


def optional(convert: Callable[[Any], E]) -> Callable[[Any], E | None]:
    def maybe(value: Any) -> E | None:
        return None if value is None else convert(value)

    maybe.__name__ = f"optional_{getattr(convert, '__name__', 'value')}"
    return maybe


def clock(field: str) -> Callable[[object], _dt.time]:
    """Accept a :class:`datetime.time` or ``"HH:MM"``, ``"H:MM"``, ``"HHMM"`` text.

    ``"24:00"`` is accepted as a stop and means midnight.
    """

    def convert(value: object) -> _dt.time:
        if isinstance(value, _dt.time) and value.tzinfo is None and not value.second:
            return value
        minute = _clock.clock_minutes(field, value, allow_end_of_day=True) % MAX_LINE_MINUTES
        return _dt.time(minute // 60, minute % 60)

    convert.__name__ = f"clock_{field}"
    return convert


def minutes(field: str) -> Callable[[object], int]:
    """Whole minutes in ``0..1440`` (see :func:`hcpcs_home._clock.check_minutes`)."""

    def convert(value: object) -> int:
        return _clock.check_minutes(field, value)

    convert.__name__ = f"minutes_{field}"
    return convert


def decimal(field: str, *, allow_negative: bool = False) -> Callable[[object], Decimal]:
    """Money and fractional units: ``Decimal`` from int, Decimal or text, never from float."""

    def convert(value: object) -> Decimal:
        if isinstance(value, (bool, float)):
            raise InvalidFieldError(
                field, value, "must be a Decimal, an int or decimal text (not a float)"
            )
        try:
            result = value if isinstance(value, Decimal) else Decimal(str(value).strip())
        except (InvalidOperation, ValueError, TypeError):
            raise InvalidFieldError(field, value, "is not a decimal number") from None
        if not isinstance(value, (int, str, Decimal)):
            raise InvalidFieldError(field, value, "is not a decimal number")
        if not result.is_finite():
            raise InvalidFieldError(field, value, "must be finite")
        if not allow_negative and result < 0:
            raise InvalidFieldError(field, value, "must not be negative")
        return result

    convert.__name__ = f"decimal_{field}"
    return convert


def units(field: str) -> Callable[[object], int | Decimal]:
    """Billed units: a non-negative int, or a ``Decimal`` where a payer bills fractions."""
    as_decimal = decimal(field)

    def convert(value: object) -> int | Decimal:
        if isinstance(value, int) and not isinstance(value, bool):
            if value < 0:
                raise InvalidFieldError(field, value, "must not be negative")
            return value
        result = as_decimal(value)
        return int(result) if result == result.to_integral_value() else result

    convert.__name__ = f"units_{field}"
    return convert


def modifiers(value: object) -> tuple[str, ...]:
    """Up to four two-character HCPCS modifiers, upper case."""
    if isinstance(value, str):
        value = value.replace(",", " ").split()
    if not isinstance(value, Iterable):
        raise InvalidFieldError("modifiers", value, "must be a list of two-character modifiers")
    items = tuple(value)
    out = []
    for item in items:
        text = item.strip().upper() if isinstance(item, str) else item
        if not isinstance(text, str) or not _MODIFIER_RE.match(text):
            raise InvalidFieldError("modifiers", item, "is not a two-character modifier")
        out.append(text)
    if len(out) > 4:
        raise InvalidFieldError("modifiers", items, "has more than four modifiers")
    return tuple(out)


def revenue_code(value: object) -> str:
    """A four-digit UB-04 revenue code; ``"552"`` becomes ``"0552"``."""
    text = value.strip() if isinstance(value, str) else value
    if isinstance(text, str) and text.isdigit() and len(text) == 3:
        text = "0" + text
    if not isinstance(text, str) or not _REVENUE_RE.match(text):
        raise InvalidFieldError("revenue_code", value, "is not a four-digit revenue code")
    return text


def npi(field: str) -> Callable[[object], str]:
    """A ten-digit NPI whose last digit is the Luhn check digit over ``80840`` + the first nine."""

    def convert(value: object) -> str:
        text = value.strip() if isinstance(value, str) else value
        if not isinstance(text, str) or not _NPI_RE.match(text) or not _npi_check(text):
            raise InvalidFieldError(field, value, "is not a valid ten-digit NPI")
        return text

    convert.__name__ = f"npi_{field}"
    return convert


def _npi_check(text: str) -> bool:
    # CMS NPI check digit: Luhn over the prefix 80840 followed by the NPI.
    digits = [int(c) for c in "80840" + text]
    total = 0
    for i, d in enumerate(reversed(digits)):
        if i % 2 == 1:
            d *= 2
            d -= 9 if d > 9 else 0
        total += d
    return total % 10 == 0


def text(field: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        if not isinstance(value, str):
            raise InvalidFieldError(field, value, "must be text")
        return value.strip()

    convert.__name__ = f"text_{field}"
    return convert


def boolean(field: str) -> Callable[[object], bool]:
    def convert(value: object) -> bool:
        if not isinstance(value, bool):
            raise InvalidFieldError(field, value, "must be true or false")
        return value

    convert.__name__ = f"bool_{field}"
    return convert


def enum_of(enum_type: type[E], field: str) -> Callable[[object], E]:
    def convert(value: object) -> E:
        try:
            return enum_type(value)  # type: ignore[call-arg]
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in enum_type)  # type: ignore[attr-defined]
            raise InvalidFieldError(field, value, f"must be one of {allowed}") from None

    convert.__name__ = f"{enum_type.__name__}_{field}"
    return convert


def tuple_of(convert_item: Callable[[Any], E], field: str) -> Callable[[object], tuple[E, ...]]:
    def convert(value: object) -> tuple[E, ...]:
        if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
            raise InvalidFieldError(field, value, "must be a list")
        return tuple(convert_item(v) for v in value)

    convert.__name__ = f"tuple_{field}"
    return convert


def frozenset_of(convert_item: Callable[[Any], E], field: str) -> Callable[[object], frozenset[E]]:
    as_tuple = tuple_of(convert_item, field)

    def convert(value: object) -> frozenset[E]:
        return frozenset(as_tuple(value))

    convert.__name__ = f"frozenset_{field}"
    return convert


def instance_of(cls: type[E], field: str) -> Callable[[object], E]:
    def convert(value: object) -> E:
        if not isinstance(value, cls):
            raise InvalidFieldError(field, value, f"must be a {cls.__name__}")
        return value

    convert.__name__ = f"{cls.__name__}_{field}"
    return convert
