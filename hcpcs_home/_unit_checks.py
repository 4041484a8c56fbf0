"""The argument checks behind :mod:`hcpcs_home.units`.

Each turns a caller's value into what the unit arithmetic needs (an enum member,
a code's key, a date in range) or raises the library's error naming the field.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from . import bounds
from .codes import BillingUnit, Code, normalize_code
from .errors import InvalidFieldError, InvalidTimeError, NotTimedError

if TYPE_CHECKING:
    from .units import Span, UnitPolicy


def to_enum(enum_type: type[enum.Enum], field: str, value: object) -> Any:
    try:
        return enum_type(value)
    except ValueError:
        names = ", ".join(m.name for m in enum_type)
        raise InvalidFieldError(field, value, f"is not one of {names}") from None


def check_shift_hours(instance: UnitPolicy, attribute: Any, value: object) -> None:
    if value is None:
        return
    if isinstance(value, bool) or not isinstance(value, int) or not 1 <= value <= 24:
        raise InvalidFieldError("per_diem_shift_hours", value, "must be None or 1 to 24 hours")


def code_units(value: object) -> tuple[tuple[str, BillingUnit], ...]:
    """Per-code unit overrides as sorted ``(code, BillingUnit)`` pairs, from a mapping or pairs."""
    items = value.items() if isinstance(value, Mapping) else value
    if isinstance(items, (str, bytes)) or not isinstance(items, Iterable):
        raise InvalidFieldError("code_units", value, "must map codes to billing units")
    out: dict[str, BillingUnit] = {}
    for item in items:
        if not isinstance(item, (tuple, list)) or len(item) != 2:
            raise InvalidFieldError("code_units", item, "must be a (code, unit) pair")
        unit = to_enum(BillingUnit, f"code_units[{item[0]!r}]", item[1])
        out[normalize_code(item[0])] = unit
    return tuple(sorted(out.items()))


def code_key(field: str, value: object) -> tuple[str, bool | None]:
    """A code's canonical text and whether it is timed (``None``: not said)."""
    if isinstance(value, Code):
        if value.unit is BillingUnit.FIFTEEN_MINUTES:
            return value.code, True
        if value.unit in (BillingUnit.UNTIMED, BillingUnit.VISIT):
            return value.code, False
        why = "the total-time method counts 15-minute codes"
        raise NotTimedError(value.code, value.unit.value, why)
    try:
        return normalize_code(value), None
    except LookupError:
        raise InvalidFieldError(field, value, "is not a five-character HCPCS/CPT code") from None


def in_range(field: str, value: object, day: _dt.date, *, slack: int = 0) -> None:
    """Refuse a day outside :data:`~hcpcs_home.bounds.MIN_DATE`..``MAX_DATE`` (see bounds).

    A span's stop may fall ``slack`` days later (a night shift begun on the last
    day), so span arithmetic never overflows :mod:`datetime` (``9999-12-31``
    plus a night would).
    """
    if not bounds.MIN_DATE <= day <= bounds.MAX_DATE + _dt.timedelta(days=slack):
        raise InvalidTimeError(
            field,
            value,
            f"is outside {bounds.MIN_DATE.isoformat()}..{bounds.MAX_DATE.isoformat()}",
        )


def whole_minute(field: str) -> Any:
    def check(instance: Span, attribute: Any, value: object) -> None:
        if not isinstance(value, _dt.datetime) or value.tzinfo is not None:
            raise InvalidTimeError(field, value, "must be a naive local datetime.datetime")
        if value.second or value.microsecond:
            raise InvalidTimeError(field, value, "must be a whole minute (no seconds)")
        in_range(field, value, value.date(), slack=1 if field == "stop" else 0)

    check.__name__ = f"whole_minute_{field}"
    return check


def after_start(instance: Span, attribute: Any, value: _dt.datetime) -> None:
    if value < instance.start:
        raise InvalidTimeError("stop", value, f"is before start={instance.start.isoformat()}")


def iterable(field: str, value: object) -> Iterable[Any]:
    """``value`` if it can be iterated (and is not text), else the library's error."""
    if isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
        raise InvalidTimeError(field, value, "must be a list of dates or Spans")
    return value


def date_key(day: object) -> _dt.date:
    if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
        raise InvalidTimeError("minutes_by_date", day, "has a key that is not a datetime.date")
    return day
