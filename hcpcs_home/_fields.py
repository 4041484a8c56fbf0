"""Converters and validators shared by the claim value types.

Each raises :class:`~hcpcs_home.errors.InvalidFieldError` (or a subclass)
naming the field, so a bad value never surfaces as a bare attrs or cattrs
error without context.  They are small named callables so their reprs stay
readable in tracebacks.
"""

from __future__ import annotations

import datetime as _dt
import inspect
import itertools
import re
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal, InvalidOperation
from types import CodeType
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from . import _clock
from . import bounds as lim
from .codes import normalize_code
from .errors import InvalidFieldError, InvalidTimeError, UnknownCodeError

E = TypeVar("E")
_V = TypeVar("_V")

MAX_LINE_MINUTES = lim.MAX_LINE_MINUTES

_MODIFIER_RE = re.compile(r"[A-Z0-9]{2}\Z")
_REVENUE_RE = re.compile(r"[0-9]{3,4}\Z")
_NPI_RE = re.compile(r"[0-9]{10}\Z")
_DATE_RE = re.compile(r"[0-9]{4}-[0-9]{2}-[0-9]{2}\Z")
# Decimal text, ASCII only: Decimal() itself also reads Arabic-Indic and other digits.
# Compiled (and cached by re) on first need: numbers in JSON and frames are not text.
_NUMBER = r"[+-]?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)(?:[eE][+-]?[0-9]+)?\Z"
# C0 and C1 controls, DEL, line and paragraph separators, lone surrogates; in multiline
# text, tabs and line breaks are allowed.  Compiled on first need (the classes take half a
# millisecond): printable text, the usual kind, holds none of them and is not searched.
_CONTROL = {
    False: "[\x00-\x1f\x7f-\x9f\u2028\u2029\ud800-\udfff]",
    True: "[\x00-\x08\x0b\x0c\x0e-\x1f\x7f-\x9f\ud800-\udfff]",
}


#: The signature of each converter factory's function, worked out once per factory.
_SIGNATURES: dict[CodeType, inspect.Signature] = {}


def _signed(convert: Callable[[Any], E]) -> Callable[[Any], E]:
    """``convert``, its signature stated: attrs reads each converter's signature (the
    first parameter's annotation types ``__init__``), and the ~100 converters the value
    types define at import share a dozen; each is worked out once, not per converter."""
    code = convert.__code__
    signature = _SIGNATURES.get(code)
    if signature is None:
        signature = _SIGNATURES[code] = inspect.signature(convert)
    convert.__signature__ = signature  # type: ignore[attr-defined]
    return convert


def code(field: str) -> Callable[[object], str]:
    def convert(value: object) -> str:
        try:
            return normalize_code(value)
        except UnknownCodeError:
            raise InvalidFieldError(
                field, value, "is not a five-character HCPCS/CPT code"
            ) from None

    convert.__name__ = f"code_{field}"
    return _signed(convert)


def date(field: str) -> Callable[[object], _dt.date]:
    def convert(value: object) -> _dt.date:
        if isinstance(value, _dt.datetime):
            raise InvalidTimeError(field, value, "must be a date, not a datetime")
        if isinstance(value, _dt.date):
            return in_range(field, value, value)
        if isinstance(value, str) and len(value) <= lim.MAX_NUMBER_TEXT:
            text = value.strip()
            if _DATE_RE.match(text):
                try:
                    day = _dt.date.fromisoformat(text)
                except ValueError:
                    pass
                else:
                    return in_range(field, value, day)
        raise InvalidTimeError(field, value, "must be a date (YYYY-MM-DD)")

    convert.__name__ = f"date_{field}"
    return _signed(convert)


def in_range(field: str, value: object, day: _dt.date) -> _dt.date:
    """``day`` if it lies within the accepted dates (:data:`~hcpcs_home.bounds.MIN_DATE` to
    :data:`~hcpcs_home.bounds.MAX_DATE`)."""
    if not lim.MIN_DATE <= day <= lim.MAX_DATE:
        raise InvalidTimeError(
            field,
            value,
            f"is outside {lim.MIN_DATE.isoformat()}..{lim.MAX_DATE.isoformat()}",
        )
    return day


def optional(convert: Callable[[Any], E]) -> Callable[[Any], E | None]:
    def maybe(value: Any) -> E | None:
        return None if value is None else convert(value)

    maybe.__name__ = f"optional_{getattr(convert, '__name__', 'value')}"
    _OPTIONAL_OF[maybe] = convert
    return _signed(maybe)


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
    return _signed(convert)


def minutes(field: str) -> Callable[[object], int]:
    """Whole minutes in ``0..1440`` (see :func:`hcpcs_home._clock.check_minutes`)."""

    def convert(value: object) -> int:
        return _clock.check_minutes(field, value)

    convert.__name__ = f"minutes_{field}"
    return _signed(convert)


def number(field: str, value: object) -> Decimal:
    """A finite ``Decimal`` from an int, a Decimal or decimal text, bounded before conversion.

    Text longer than :data:`~hcpcs_home.bounds.MAX_NUMBER_TEXT`, text that is
    not ASCII decimal notation and any number with more than
    :data:`~hcpcs_home.bounds.MAX_DECIMAL_DIGITS` digits (before or after the
    point, exponent included) is refused before anything expensive runs.
    """
    if isinstance(value, (bool, float)):
        raise InvalidFieldError(
            field, value, "must be a Decimal, an int or decimal text (not a float)"
        )
    if isinstance(value, int):
        if value.bit_length() > 64 or abs(value) >= 10**lim.MAX_DECIMAL_DIGITS:
            raise InvalidFieldError(field, value, f"has more than {lim.MAX_DECIMAL_DIGITS} digits")
        return Decimal(value)
    if isinstance(value, str):
        if len(value) > lim.MAX_NUMBER_TEXT:
            raise InvalidFieldError(field, value, "is not a decimal number (too long)")
        text = value.strip()
        try:
            result = Decimal(text) if re.match(_NUMBER, text) else None
        except InvalidOperation:  # an exponent beyond what Decimal can hold
            result = None
        if result is None:
            raise InvalidFieldError(field, value, "is not a decimal number")
    elif isinstance(value, Decimal):
        if not value.is_finite():
            raise InvalidFieldError(field, value, "must be finite")
        result = value
    else:
        raise InvalidFieldError(field, value, "is not a decimal number")
    exponent = result.as_tuple().exponent
    assert isinstance(exponent, int)  # finite
    whole = max(result.adjusted() + 1, 1)
    if whole + max(-exponent, 0) > lim.MAX_DECIMAL_DIGITS:
        raise InvalidFieldError(field, value, f"has more than {lim.MAX_DECIMAL_DIGITS} digits")
    return result


def decimal(field: str, *, allow_negative: bool = False) -> Callable[[object], Decimal]:
    """Money and fractional units: ``Decimal`` from int, Decimal or text, never from float."""

    def convert(value: object) -> Decimal:
        result = number(field, value)
        if not allow_negative and result < 0:
            raise InvalidFieldError(field, value, "must not be negative")
        return result

    convert.__name__ = f"decimal_{field}"
    return _signed(convert)


def units(field: str) -> Callable[[object], int | Decimal]:
    """Units: a non-negative int, or a ``Decimal`` where a payer bills fractions, up to
    :data:`~hcpcs_home.bounds.MAX_UNITS` with at most
    :data:`~hcpcs_home.bounds.MAX_UNIT_PLACES` decimal places.

    Zero is a value (the CMS chart gives 0 units under 8 minutes, and the rules
    warn about it); the X12 writers refuse it, since an 837 quantity is above zero.
    """

    def convert(value: object) -> int | Decimal:
        if isinstance(value, int) and not isinstance(value, bool) and 0 <= value <= lim.MAX_UNITS:
            return value
        result = number(field, value)
        if result < 0:
            raise InvalidFieldError(field, value, "must not be negative")
        if result > lim.MAX_UNITS:
            raise InvalidFieldError(field, value, f"is more than {lim.MAX_UNITS:,} units")
        whole = result.to_integral_value()
        if result == whole:
            return int(whole)
        if -int(result.normalize().as_tuple().exponent) > lim.MAX_UNIT_PLACES:
            raise InvalidFieldError(
                field, value, f"has more than {lim.MAX_UNIT_PLACES} decimal places"
            )
        return result

    convert.__name__ = f"units_{field}"
    return _signed(convert)


def modifiers(value: object) -> tuple[str, ...]:
    """Up to four two-character HCPCS modifiers, upper case."""
    if isinstance(value, str):
        if len(value) > lim.MAX_CODE_TEXT:
            raise InvalidFieldError("modifiers", value, "has more than four modifiers")
        value = value.replace(",", " ").split()
    if not isinstance(value, Iterable):
        raise InvalidFieldError("modifiers", value, "must be a list of two-character modifiers")
    items = tuple(itertools.islice(value, lim.MAX_MODIFIERS + 1))
    if len(items) > lim.MAX_MODIFIERS:
        raise InvalidFieldError("modifiers", items, "has more than four modifiers")
    out = []
    for item in items:
        text = item.strip().upper() if isinstance(item, str) and item.isascii() else item
        if not isinstance(text, str) or not _MODIFIER_RE.match(text):
            raise InvalidFieldError("modifiers", item, "is not a two-character modifier")
        out.append(text)
    return tuple(out)


def revenue_code(value: object) -> str:
    """A four-digit UB-04 revenue code; ``"552"`` becomes ``"0552"``."""
    text = value.strip() if isinstance(value, str) and len(value) <= lim.MAX_CODE_TEXT else value
    if not isinstance(text, str) or not _REVENUE_RE.match(text):
        raise InvalidFieldError("revenue_code", value, "is not a four-digit revenue code")
    return text.zfill(4)


def npi(field: str) -> Callable[[object], str]:
    """A ten-digit NPI whose last digit is the Luhn check digit over ``80840`` + the first nine."""

    def convert(value: object) -> str:
        text = (
            value.strip() if isinstance(value, str) and len(value) <= lim.MAX_CODE_TEXT else value
        )
        if not isinstance(text, str) or not _NPI_RE.match(text) or not _npi_check(text):
            raise InvalidFieldError(field, value, "is not a valid ten-digit NPI")
        return text

    convert.__name__ = f"npi_{field}"
    return _signed(convert)


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


def identifier(field: str) -> Callable[[object], str]:
    """Identifier text: :func:`text` of at most :data:`~hcpcs_home.bounds.MAX_ID_LENGTH`."""
    return text(field, lim.MAX_ID_LENGTH)


def text(
    field: str, max_length: int = lim.MAX_TEXT_LENGTH, *, multiline: bool = False
) -> Callable[[object], str]:
    """Text without surrounding spaces, at most ``max_length`` characters, printable.

    Control characters (NUL included), lone surrogates and line or paragraph
    separators are refused: they cannot be printed on a form or sent in X12, and
    they break the JSON-lines and CSV files claims travel in.  ``multiline``
    text (citations) may hold tabs and line breaks.
    """
    bad = _CONTROL[bool(multiline)]

    def convert(value: object) -> str:
        if not isinstance(value, str):
            raise InvalidFieldError(field, value, "must be text")
        result = value.strip()
        if len(result) > max_length:
            raise InvalidFieldError(
                field, _preview(value), f"is longer than {max_length:,} characters"
            )
        if not result.isprintable():  # controls, separators and surrogates are not printable
            found = re.search(bad, result)
            if found:
                problem = f"holds the control character {found.group()!r}"
                raise InvalidFieldError(field, value, problem)
        return result

    convert.__name__ = f"text_{field}"
    _TEXT_LIMITS[convert] = max_length
    return _signed(convert)


#: What :func:`text_shape` reads: the converters :func:`text`, :func:`optional` and
#: :func:`tuple_of` made.  Held weakly: a converter made per call (a fact reader's list
#: of a given field) goes with its caller instead of staying here for the process's life.
_TEXT_LIMITS: WeakKeyDictionary[Callable[[Any], Any], int] = WeakKeyDictionary()
_OPTIONAL_OF: WeakKeyDictionary[Callable[[Any], Any], Callable[[Any], Any]] = WeakKeyDictionary()
_TUPLE_OF: WeakKeyDictionary[Callable[[Any], Any], Callable[[Any], Any]] = WeakKeyDictionary()


#: What :func:`items_of` reads: the class each :func:`instance_of` converter takes and the
#: most items each :func:`tuple_of` converter takes (held weakly, as above).
_INSTANCE_OF: WeakKeyDictionary[Callable[[Any], Any], type] = WeakKeyDictionary()
_MOST_ITEMS: WeakKeyDictionary[Callable[[Any], Any], int] = WeakKeyDictionary()


def _held(registry: WeakKeyDictionary[Any, _V], convert: object) -> _V | None:
    """What ``registry`` holds for ``convert``; ``None`` for what it cannot hold either
    (``None``, built-ins: no weak reference to them)."""
    try:
        return registry.get(convert)
    except TypeError:
        return None


def items_of(convert: Any) -> tuple[type, int] | None:
    """``(cls, n)`` where ``convert`` is a :func:`tuple_of` converter of :func:`instance_of`
    ``cls`` items, at most ``n`` of them, or ``None``.

    For a list of at most ``n`` objects each of type ``cls`` exactly, such a converter
    returns the tuple of them: a reader that built them may take that tuple without
    the call.
    """
    declared = _held(_ITEMS, convert)
    if declared is not None:
        return declared
    inner = _held(_TUPLE_OF, convert)
    cls = None if inner is None else _held(_INSTANCE_OF, inner)
    return None if cls is None else (cls, _MOST_ITEMS[convert])


#: Converters declared by :func:`declare_items` (held weakly, as above).
_ITEMS: WeakKeyDictionary[Callable[[Any], Any], tuple[type, int]] = WeakKeyDictionary()


def declare_items(convert: Callable[[Any], Any], cls: type, most: int) -> None:
    """Declare that ``convert``, a converter written otherwise, keeps the promise of
    :func:`items_of` for ``(cls, most)``: a list of at most ``most`` objects each of type
    ``cls`` exactly becomes the tuple of them."""
    _ITEMS[convert] = (cls, most)


def optional_inner(convert: Any) -> Callable[[Any], Any] | None:
    """The converter an :func:`optional` converter applies to a value not ``None``, or
    ``None`` where ``convert`` is not one."""
    return _held(_OPTIONAL_OF, convert)


#: The tests of :func:`settled_by`, by validator (held weakly, as above).
_SETTLED_BY: WeakKeyDictionary[Callable[..., Any], Callable[[Any], bool]] = WeakKeyDictionary()


def settled_by(test: Callable[[Any], bool]) -> Callable[[Callable[..., Any]], Any]:
    """Mark an attrs validator as settled by ``test``, a test of its field's value alone.

    Where ``test(value)`` is true, the validator passes whatever else the instance
    holds (a line's code of the HCPCS shape is valid beside any revenue code): a
    reader that built a value may remember that it passed and skip the call for it
    (:func:`settled`).  The field's converter must give hashable values.
    """

    def mark(validator: Callable[..., Any]) -> Callable[..., Any]:
        _SETTLED_BY[validator] = test
        return validator

    return mark


def settled(validator: Any) -> Callable[[Any], bool] | None:
    """The test :func:`settled_by` gave ``validator``, or ``None``."""
    return _held(_SETTLED_BY, validator)


def text_shape(convert: Any) -> tuple[str, int] | None:
    """How a reader may skip calling ``convert`` on plain text, or ``None``.

    ``("text", n)`` for a :func:`text` converter of at most ``n`` characters;
    ``("optional", n)`` for :func:`optional` of one (``None`` stays ``None``);
    ``("items", n)`` for :func:`tuple_of` one (a list of such texts).  For any
    ``str`` value that is printable and at most ``n`` characters long, such a
    converter returns ``value.strip()`` (a tuple of them for a list): a reader
    that has checked that much may take the result without the call.
    """
    kind = "text"
    inner = _held(_OPTIONAL_OF, convert)
    if inner is not None:
        kind, convert = "optional", inner
    else:
        inner = _held(_TUPLE_OF, convert)
        if inner is not None:
            kind, convert = "items", inner
    limit = _held(_TEXT_LIMITS, convert)
    return None if limit is None else (kind, limit)


def _preview(value: str) -> str:
    return value if len(value) <= 60 else value[:60] + "..."


def boolean(field: str) -> Callable[[object], bool]:
    def convert(value: object) -> bool:
        if not isinstance(value, bool):
            raise InvalidFieldError(field, value, "must be true or false")
        return value

    convert.__name__ = f"bool_{field}"
    return _signed(convert)


def enum_of(enum_type: type[E], field: str) -> Callable[[object], E]:
    def convert(value: object) -> E:
        try:
            return enum_type(value)  # type: ignore[call-arg]
        except (ValueError, TypeError):
            allowed = ", ".join(repr(m.value) for m in enum_type)  # type: ignore[attr-defined]
            raise InvalidFieldError(field, value, f"must be one of {allowed}") from None

    convert.__name__ = f"{enum_type.__name__}_{field}"
    return _signed(convert)


def tuple_of(
    convert_item: Callable[[Any], E], field: str, max_items: int = lim.MAX_SERVICES
) -> Callable[[object], tuple[E, ...]]:
    def convert(value: object) -> tuple[E, ...]:
        if type(value) is list or type(value) is tuple:  # what JSON and callers give: no ABC checks
            items = value
        elif isinstance(value, (str, bytes, Mapping)) or not isinstance(value, Iterable):
            raise InvalidFieldError(field, value, "must be a list")
        else:
            items = tuple(itertools.islice(value, max_items + 1))
        if len(items) > max_items:
            raise InvalidFieldError(
                field, f"<{type(value).__name__}>", f"holds more than {max_items:,} items"
            )
        return tuple(map(convert_item, items))

    convert.__name__ = f"tuple_{field}"
    if max_items >= 1:
        _TUPLE_OF[convert] = convert_item
        _MOST_ITEMS[convert] = max_items
    return _signed(convert)


def frozenset_of(
    convert_item: Callable[[Any], E], field: str, max_items: int = lim.MAX_SERVICES
) -> Callable[[object], frozenset[E]]:
    as_tuple = tuple_of(convert_item, field, max_items)

    def convert(value: object) -> frozenset[E]:
        return frozenset(as_tuple(value))

    convert.__name__ = f"frozenset_{field}"
    return _signed(convert)


def instance_of(cls: type[E], field: str) -> Callable[[object], E]:
    def convert(value: object) -> E:
        if not isinstance(value, cls):
            raise InvalidFieldError(field, value, f"must be a {cls.__name__}")
        return value

    convert.__name__ = f"{cls.__name__}_{field}"
    _INSTANCE_OF[convert] = cls
    return _signed(convert)
