"""How a :class:`~hcpcs_home.history.SqliteHistory` writes a claim into a row and reads
it back.

A row is the claim's documented JSON form (:mod:`hcpcs_home.serialize`), except that a
payer equal to a shipped profile is written as the profile's id.  Reading a row does
not run the value types' converters again: the row was written from a claim that
passed them, so it is read field by field into the same values (a reader compiled
once per class from the field types), several times faster than building the claim
anew.  A row this reader does not recognise (another payer, a field of a type it does
not know) is read by :func:`hcpcs_home.serialize.claim_from_data`, which checks
everything.  Either way a row that cannot be read raises ``ValueError``.

A claim that carries an authorization also gets *usage* rows (:func:`encode_usage`):
what authorization usage counts of it (``hcpcs_home.limits._usage_of``), a row per
line and authorization number, so a check sums a member's earlier weeks without
reading their claims whole.
"""

from __future__ import annotations

import datetime as _dt
import enum
import json
import threading
import types
import typing
from collections.abc import Callable
from decimal import Decimal
from typing import Any, NamedTuple

import attrs

from ..claims import Authorization, AuthorizationBasis, Claim
from ..limits import _usage_of
from ..payers import Payer, payer_profile

__all__ = [
    "CountedAuthorization",
    "UsageRow",
    "counted_authorization",
    "counted_from_text",
    "counted_text",
    "decode",
    "encode",
    "encode_usage",
    "merge_usage",
    "units_of",
]


def __dir__() -> list[str]:
    return __all__


_Reader = Callable[[Any], Any]
_READERS: dict[type, _Reader | None] = {}
_LOCK = threading.RLock()
_converter: Any = None


def _unstructure(claim: Claim) -> dict[str, Any]:
    global _converter
    if _converter is None:
        from ..serialize import FORMAT_VERSION, make_converter

        _converter = (make_converter(), FORMAT_VERSION)
    converter, version = _converter
    return {"format": version, **converter.unstructure(claim, Claim)}


def _shipped(payer: Payer) -> bool:
    """Whether ``payer`` is a shipped profile (a row can name it by its id)."""
    try:
        return bool(payer_profile(payer.id) == payer)
    except Exception:  # not a shipped profile id
        return False


def _checking_converter() -> Any:
    """The library's converter (made once): it runs every check of the value types."""
    if _converter is None:
        _unstructure(Claim(payer_profile("medicare"), "2024-01-01", "2024-01-01"))
    return _converter[0]


def encode(claim: Claim) -> str:
    """The row text of ``claim``: its JSON form, a shipped payer by its id."""
    data = _unstructure(claim)
    if _shipped(claim.payer):
        data["payer"] = claim.payer.id
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"))


def _dumps(data: Any) -> str:
    return json.dumps(data, ensure_ascii=False, separators=(",", ":"), sort_keys=True)


#: A usage row: line index, position of the number on the line, number, the JSON text of
#: the claim's (first) authorization of that number, code, units (decimal units as
#: text), day and service days as ordinals (``date.toordinal``; service days joined by
#: commas), days spanned, visits.
UsageRow = tuple[int, int, str, str, str, "int | str", int, int, int, str]


def encode_usage(claim: Claim) -> list[UsageRow] | None:
    """The usage rows of ``claim`` (what ``hcpcs_home.limits._usage_of`` counts, one
    row per line and authorization number the claim carries), or ``None`` where its
    payer is not a shipped profile (its usage is then read from the whole claim)."""
    if not claim.authorizations:
        return []
    if not _shipped(claim.payer):
        return None
    converter = _checking_converter()
    usage = _usage_of(claim)
    texts: dict[str, str] = {}
    for a in usage.authorizations:
        if a.number not in texts:
            texts[a.number] = _dumps(converter.unstructure(a, Authorization))
    rows: list[UsageRow] = []
    for line in usage.lines:
        for position, number in enumerate(line.numbers):
            found = texts.get(number)
            if found is None:  # a number the claim carries no authorization of
                continue
            units = str(line.units) if isinstance(line.units, Decimal) else line.units
            rows.append(
                (
                    line.at,
                    position,
                    number,
                    found,
                    line.code,
                    units,
                    line.date.toordinal(),
                    len(line.span),
                    line.visits,
                    ",".join(str(d.toordinal()) for d in line.service_days),
                )
            )
    return rows


def merge_usage(rows: list[UsageRow]) -> list[tuple[UsageRow, str]]:
    """``rows`` (:func:`encode_usage`) as schema version 6 writes them: each row with the
    days of the rows merged into it (ordinals joined by commas, ``""`` for none).

    A row takes in the rows that follow it under the same number (the number's next
    rows, in line order, so each number counts its lines in the same order) while they
    differ from it only in their day: one day each, the same authorization, code, units
    and visits, and service days that are each row's own day (or none, for all of
    them).  A member's week of the same visit is then one row, not one a day."""
    out: list[tuple[UsageRow, list[int]]] = []
    last: dict[str, int] = {}  # number -> the row its latest row went into
    for row in rows:
        _line, _position, number, text, code, units, day, days, visits, served = row
        at = last.get(number)
        if at is not None and days == 1:
            head, more = out[at]
            if (
                head[7] == 1
                and head[3] == text
                and head[4] == code
                and head[5] == units
                and type(head[5]) is type(units)
                and head[8] == visits
                and (served == head[9] == "" or (served == str(day) and head[9] == str(head[6])))
            ):
                more.append(day)
                continue
        last[number] = len(out)
        out.append((row, []))
    return [(row, ",".join(map(str, more))) for row, more in out]


class CountedAuthorization(NamedTuple):
    """What counting a stored line reads of its authorization (``limits._Counted``),
    read from a usage row's authorization text without building the authorization."""

    number: str
    payer: str
    basis: AuthorizationBasis
    minutes_per_unit: int | None
    used: int | Decimal
    per_day: int | Decimal | None
    per_week: int | Decimal | None
    per_month: int | Decimal | None


def counted_authorization(text: str) -> CountedAuthorization:
    """The counted part of the authorization a usage row's text holds.

    :raises ValueError: the text is not an authorization this library wrote.
    """
    try:
        data = json.loads(text)
        if not isinstance(data, dict):
            raise ValueError("an authorization is not a JSON object")
        minutes = data["minutes_per_unit"]
        return CountedAuthorization(
            _str(data["number"]),
            _str(data["payer"]),
            AuthorizationBasis(data["basis"]),
            None if minutes is None else _int(minutes),
            units_of(data["used"]),
            *(None if data[k] is None else units_of(data[k]) for k in _CAPS),
        )
    except (KeyError, TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"an authorization cannot be read: {exc!r}") from None


_CAPS = ("per_day", "per_week", "per_month")


def counted_text(auth: CountedAuthorization) -> str:
    """The counted part of an authorization as a usage row keeps it beside the whole
    authorization (schema version 6): a short JSON array, read by :func:`counted_from_text`
    several times faster than the authorization's text."""
    return _dumps(
        [
            auth.number,
            auth.payer,
            auth.basis.value,
            auth.minutes_per_unit,
            *(str(v) if isinstance(v, Decimal) else v for v in auth[4:]),
        ]
    )


def counted_from_text(text: str) -> CountedAuthorization:
    """The counted part of an authorization from :func:`counted_text`'s array.

    :raises ValueError: the text is not one this library wrote.
    """
    try:
        data = json.loads(text)
        if type(data) is not list or len(data) != 8:
            raise ValueError("the counted part of an authorization is not an array of 8")
        number, payer, basis, minutes, used, *caps = data
        return CountedAuthorization(
            _str(number),
            _str(payer),
            AuthorizationBasis(basis),
            None if minutes is None else _int(minutes),
            units_of(used),
            *(None if v is None else units_of(v) for v in caps),
        )
    except (TypeError, ValueError, ArithmeticError, RecursionError) as exc:
        raise ValueError(f"an authorization cannot be read: {exc!r}") from None


def units_of(value: Any) -> int | Decimal:
    """A usage row's units."""
    if isinstance(value, str):
        return Decimal(value)
    if type(value) is not int:
        raise TypeError(f"units {value!r}")
    return value


def decode(text: str) -> Claim:
    """The claim a row holds.

    :raises ValueError: the row is not a claim this library wrote.
    """
    data = json.loads(text)
    if not isinstance(data, dict):
        raise ValueError("a row is not a JSON object")
    reader = _reader(Claim)
    if reader is not None and isinstance(data.get("payer"), str):
        try:
            claim: Claim = reader(data)
            return claim
        except (KeyError, TypeError, ValueError, ArithmeticError) as exc:
            raise ValueError(f"a row cannot be read: {exc!r}") from None
    return _checked(data)


def _checked(data: dict[str, Any]) -> Claim:
    """The claim read with every check (a payer id put back as the profile's data)."""
    from ..errors import HcpcsError
    from ..serialize import claim_from_data

    if isinstance(data.get("payer"), str):
        payer = payer_profile(data["payer"])
        global _converter
        _unstructure_payer = _converter[0].unstructure(payer, Payer)
        data = {**data, "payer": _unstructure_payer}
    try:
        return claim_from_data(data)
    except HcpcsError as exc:
        raise ValueError(str(exc)) from None


def _reader(cls: type) -> _Reader | None:
    """The compiled reader of ``cls``, or ``None`` where a field's type is not known."""
    if cls in _READERS:
        return _READERS[cls]
    with _LOCK:
        if cls not in _READERS:
            _READERS[cls] = None  # while compiling: a cycle reads the checked way
            _READERS[cls] = _compile(cls)
        return _READERS[cls]


def _compile(cls: type) -> _Reader | None:
    hints = typing.get_type_hints(cls)
    steps: list[tuple[str, _Reader]] = []
    for field in attrs.fields(cls):
        if cls is Claim and field.name == "payer":
            steps.append((field.name, payer_profile))
            continue
        convert = _value_reader(hints[field.name])
        if convert is None:
            return None
        steps.append((field.name, convert))
    new = object.__new__
    put = object.__setattr__

    def read(data: Any) -> Any:
        obj: Any = new(cls)
        for name, convert in steps:
            put(obj, name, convert(data[name]))
        return obj

    return read


def _same(value: Any) -> Any:
    return value


def _optional(convert: _Reader) -> _Reader:
    return lambda v: None if v is None else convert(v)


def _units(value: Any) -> Any:
    if isinstance(value, str):
        return Decimal(value)
    if type(value) is not int:
        raise TypeError(f"units {value!r}")
    return value


def _value_reader(tp: Any) -> _Reader | None:
    origin = typing.get_origin(tp)
    args = typing.get_args(tp)
    if origin in (typing.Union, types.UnionType):
        inner = [a for a in args if a is not type(None)]
        if set(inner) == {int, Decimal}:
            found: _Reader | None = _units
        elif len(inner) == 1:
            found = _value_reader(inner[0])
        else:
            return None
        if found is None:
            return None
        return _optional(found) if type(None) in args else found
    if origin is tuple and len(args) == 2 and args[1] is Ellipsis:
        item = _value_reader(args[0])
        if item is None:
            return None
        return (lambda v: tuple(v)) if item is _same else (lambda v: tuple(map(item, v)))
    if origin is frozenset and len(args) == 1:
        member = _value_reader(args[0])
        if member is None:
            return None
        return lambda v: frozenset(map(member, v))
    if tp is str:
        return _str
    if tp is bool:
        return _bool
    if tp is int:
        return _int
    if tp is Decimal:
        return Decimal
    if tp is _dt.date:
        return _dt.date.fromisoformat
    if tp is _dt.time:
        return _dt.time.fromisoformat
    if isinstance(tp, type) and issubclass(tp, enum.Enum):
        return tp
    if isinstance(tp, type) and attrs.has(tp) and tp is not Payer:
        return _reader(tp)
    return None


def _str(value: Any) -> str:
    if type(value) is not str:
        raise TypeError(f"{value!r} is not text")
    return value


def _bool(value: Any) -> bool:
    if type(value) is not bool:
        raise TypeError(f"{value!r} is not true or false")
    return value


def _int(value: Any) -> int:
    if type(value) is not int:
        raise TypeError(f"{value!r} is not a whole number")
    return value
