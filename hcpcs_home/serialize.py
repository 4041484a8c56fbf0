"""Lossless JSON for claims, services, lines, payers and codes, through cattrs.

The two-function shape of cattrs' preconf modules: :func:`make_converter`
returns a new converter set up for this library, :func:`configure_converter`
installs the same hooks on a converter of the host application's.  Nothing
touches ``cattrs.global_converter``.

:func:`claim_to_json`, :func:`claim_from_json` and :func:`claim_from_data`
use the same hooks without cattrs (every type they meet is one of the
library's), so reading a claim does not pay for importing cattrs; cattrs is
imported when :func:`make_converter` or :func:`configure_converter` is called.

Dates are ISO 8601 text (``"2024-03-04"``), clock times ``"HH:MM"`` (seconds
when non-zero), Decimals text (``"125.50"``), enums their value, sets sorted
lists.  Structuring hands raw values to the value types' own converters, so
malformed input raises the library's errors, each with a JSONPath-like
``field`` such as ``$.lines[2].units``; a whole claim reports every bad field
at once in an :class:`~hcpcs_home.errors.InvalidClaimError`.

Reading is done in one pass where it can be: a document in the format's own
shape is built directly, each field through its class's converter (values
that repeat, such as dates, codes and modifiers, converted once and
remembered), and the class's validators then run as its ``__init__`` runs
them.  Any other document, and any value a converter refuses, goes to the
field-by-field pass that reports every problem, so what a document means and
every error it gives are the same either way.

>>> from hcpcs_home import serialize, Service
>>> conv = serialize.make_converter()
>>> visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50", credential="RN")
>>> data = conv.unstructure(visit)
>>> data["start"], data["minutes"], data["credential"]
('09:00', 50, 'RN')
>>> conv.structure(data, Service) == visit
True
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import enum
import json
import marshal
import re
import sys
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol, TypeVar

import attrs

from . import _build, _fields
from ._clock import service_minutes
from .bounds import (
    MAX_ID_LENGTH,
    MAX_TEXT_LENGTH,
    check_depth_before_parsing,
    check_json_depth,
)
from .claims import (
    Authorization,
    Claim,
    ClaimLine,
    Occurrence,
    OccurrenceSpan,
    Service,
    ValueCode,
)
from .codes import Code
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError
from .evv import EvvVisit
from .payers import Payer, payer_profile
from .units import UnitPolicy

if TYPE_CHECKING:
    import cattrs

__all__ = [
    "FORMAT_VERSION",
    "READ_VERSIONS",
    "claim_from_data",
    "claim_from_json",
    "claim_to_json",
    "claims_from_json_lines",
    "configure_converter",
    "make_converter",
]


def __dir__() -> list[str]:
    return __all__


FORMAT_VERSION = 2
"""Version of the claim JSON format, written as ``"format": 2`` by :func:`claim_to_json`.

Version 2 adds the institutional header (``admission_date``,
``point_of_origin``, ``patient_status``, ``condition_codes``,
``occurrence_codes``, ``occurrence_spans``, ``value_codes``,
``notice_accepted``) and, on lines, HIPPS and revenue-only codes and
``through``.  Every version 1 document is read as it always was.
"""

READ_VERSIONS = frozenset({1, 2})
"""The ``format`` values :func:`claim_from_json` reads."""

T = TypeVar("T")

#: Our value types and, for each field holding other value types, what it holds.
_NESTED: dict[type, dict[str, tuple[type, bool]]] = {
    Claim: {
        "lines": (ClaimLine, True),
        "services": (Service, True),
        "authorizations": (Authorization, True),
        "payer": (Payer, False),
        "occurrence_codes": (Occurrence, True),
        "occurrence_spans": (OccurrenceSpan, True),
        "value_codes": (ValueCode, True),
        "evv_visits": (EvvVisit, True),
    },
    Payer: {"unit_policy": (UnitPolicy, False)},
    ClaimLine: {},
    Service: {},
    Authorization: {},
    EvvVisit: {},
    Code: {},
    Occurrence: {},
    OccurrenceSpan: {},
    ValueCode: {},
}


def _null_allowed(field: attrs.Attribute[Any]) -> bool:
    """Whether JSON ``null`` is a value of the list ``field``: "not given", beside ``[]``
    (``Claim.evv_visits``: its ``not_given`` metadata is ``None``)."""
    return "not_given" in field.metadata and field.metadata["not_given"] is None


#: The list fields of each type whose JSON ``null`` is a value (see :func:`_null_allowed`).
_NULLABLE: dict[type, frozenset[str]] = {
    cls: frozenset(a.name for a in attrs.fields(cls) if _null_allowed(a) and a.name in inner)
    for cls, inner in _NESTED.items()
}


def _or_null(read: Callable[[Any], Any], convert: Any) -> Callable[[Any], Any]:
    """``read``, with JSON ``null`` read as ``None``: what ``convert``, the field's
    :func:`~hcpcs_home._fields.optional` converter, gives where ``read`` gives what the
    optional's own converter gives (then the one-pass reader does not call it)."""

    def read_or_null(value: Any) -> Any:
        return None if value is None else read(value)

    inner = _fields.optional_inner(convert)
    if inner is not None and getattr(read, _build.FINAL, None) is inner:
        setattr(read_or_null, _build.FINAL, convert)
    return read_or_null


class _Converter(Protocol):
    """What the hooks need of a converter: cattrs' ``Converter`` or :class:`_Hooks`."""

    def structure(self, obj: Any, cl: Any) -> Any: ...

    def unstructure(self, obj: Any, unstructure_as: Any = ...) -> Any: ...


def _unstructure_time(value: _dt.time) -> str:
    return value.isoformat("seconds" if value.second or value.microsecond else "minutes")


def _unstructure_value(value: Any) -> Any:
    """Plain JSON value of a scalar field (dates, times, Decimals, enums, sets)."""
    if isinstance(value, enum.Enum):
        return value.value
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, _dt.time):
        return _unstructure_time(value)
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, frozenset):
        return sorted(_unstructure_value(v) for v in value)
    if isinstance(value, tuple):
        return [_unstructure_value(v) for v in value]
    return value


def _make_unstructure(converter: _Converter, cls: type) -> Callable[[Any], dict[str, Any]]:
    names = [a.name for a in attrs.fields(cls)]
    nested = _NESTED.get(cls, {})

    def unstructure(obj: Any) -> dict[str, Any]:
        out: dict[str, Any] = {}
        for name in names:
            value = getattr(obj, name)
            if name in nested:
                inner = nested[name][0]
                if value is None:  # a list field not given (Claim.evv_visits): null
                    out[name] = None
                elif nested[name][1]:
                    out[name] = [converter.unstructure(v, inner) for v in value]
                else:
                    out[name] = converter.unstructure(value, inner)
            else:
                out[name] = _unstructure_value(value)
        return out

    return unstructure


def _with_path(path: str, exc: HcpcsError) -> HcpcsError:
    """A copy of ``exc`` whose field is prefixed with ``path``."""
    if isinstance(exc, InvalidClaimError):
        return InvalidClaimError(exc.message, [_with_path(path, e) for e in exc.errors])
    if isinstance(exc, InvalidFieldError):
        field = exc.field[1:] if exc.field.startswith("$") else "." + exc.field
        return type(exc)(path + field, exc.value, exc.reason)
    return InvalidFieldError(path, None, str(exc))


def _flatten(errors: Iterable[HcpcsError]) -> list[HcpcsError]:
    out: list[HcpcsError] = []
    for e in errors:
        out.extend(_flatten(e.errors) if isinstance(e, InvalidClaimError) else [e])
    return out


def _make_structure(
    converter: _Converter, cls: type[T], one_pass: Callable[[Any], T] | None = None
) -> Callable[[Any, Any], T]:
    """The structure hook of ``cls``: ``one_pass`` first where given, then the reporting pass."""
    fields = {a.name: a for a in attrs.fields(cls)}  # type: ignore[arg-type]
    required = [a.name for a in fields.values() if a.default is attrs.NOTHING]
    nested = _NESTED.get(cls, {})
    nullable = _NULLABLE.get(cls, frozenset())

    names = frozenset(fields)
    nested_items = tuple(nested.items())

    def build(data: Mapping[Any, Any]) -> T | None:
        """The value, built in one go, or None where anything is amiss.

        Most documents are valid: building straight away runs each field's
        converter once (in ``cls.__init__``).  Only when that fails does
        :func:`structure` go field by field to report every problem with its
        path, the slow way.
        """
        kwargs = dict(data)
        if not names.issuperset(kwargs):
            version = kwargs.pop("format", None) if cls is Claim else None
            if type(version) is not int or version not in READ_VERSIONS:
                return None
            if not names.issuperset(kwargs):
                return None
        for key, (inner, many) in nested_items:
            if key in kwargs:
                value = kwargs[key]
                if not many:
                    kwargs[key] = converter.structure(value, inner)
                elif isinstance(value, list):
                    kwargs[key] = [converter.structure(item, inner) for item in value]
                elif value is not None or key not in nullable:
                    return None
        return cls(**kwargs)

    def structure(data: Any, _: Any) -> T:
        if one_pass is not None and type(data) is dict:
            try:
                return one_pass(data)
            except Exception:  # the passes below report it (or take what one pass does not)
                pass
        if cls is Payer and isinstance(data, str):
            return payer_profile(data)  # type: ignore[return-value]
        if isinstance(data, cls):
            return data
        # dict first: JSON gives dicts, and the Mapping ABC check costs ten times more.
        if not isinstance(data, (dict, Mapping)):
            raise InvalidFieldError("$", data, f"must be a JSON object for a {cls.__name__}")
        try:
            built = build(data)
        except Exception:  # the field-by-field pass below reports it
            built = None
        if built is not None:
            return built
        problems: list[HcpcsError] = []
        kwargs: dict[str, Any] = {}
        for key, value in data.items():
            if cls is Claim and key == "format":
                # An int first: a list or object is unhashable, and True == 1.
                if type(value) is not int or value not in READ_VERSIONS:
                    problems.append(
                        InvalidFieldError(
                            "$.format", value, f"must be one of {sorted(READ_VERSIONS)}"
                        )
                    )
                continue
            if key not in fields:
                problems.append(InvalidFieldError(f"$.{key}", value, "is not a known field"))
                continue
            try:
                kwargs[key] = _structure_field(converter, fields[key], nested.get(key), value)
            except InvalidFieldError as exc:
                # A scalar field's converter names the bare field: replace it by the path.
                problems.append(
                    _with_path(f"$.{key}", exc)
                    if exc.field.startswith("$")
                    else type(exc)(f"$.{key}", exc.value, exc.reason)
                )
            except HcpcsError as exc:
                problems.append(_with_path(f"$.{key}", exc))
        problems += [
            InvalidFieldError(f"$.{name}", None, "is required")
            for name in required
            if name not in data
        ]
        if not problems:
            try:
                return cls(**kwargs)
            except HcpcsError as exc:
                problems.append(_with_path("$", exc))
        problems = _flatten(problems)
        if len(problems) == 1:
            raise problems[0]
        raise InvalidClaimError(f"invalid {cls.__name__}", problems)

    return structure


def _structure_field(
    converter: _Converter,
    field: attrs.Attribute[Any],
    nested: tuple[type, bool] | None,
    value: Any,
) -> Any:
    """One field's value, structured and checked on its own so every bad field is reported."""
    if nested is None:
        if field.converter is not None:
            field.converter(value)  # type: ignore[operator]  # raises with the field's name
        return value
    inner, many = nested
    if value is None and _null_allowed(field):
        return None
    if not many:
        try:
            return converter.structure(value, inner)
        except Exception as exc:
            if isinstance(exc, HcpcsError) or not _is_conversion_error(exc):
                raise
            raise InvalidFieldError("$", value, f"is invalid: {exc}") from None
    if not isinstance(value, list):
        raise InvalidFieldError("$", value, "must be a list")
    items: list[Any] = []
    problems: list[HcpcsError] = []
    for i, item in enumerate(value):
        try:
            items.append(converter.structure(item, inner))
        except HcpcsError as exc:
            problems.append(_with_path(f"$[{i}]", exc))
    if problems:
        raise InvalidClaimError("invalid items", problems)
    return items


def _is_conversion_error(exc: Exception) -> bool:
    """A converter's complaint about a value (cattrs' own errors only where cattrs is in use)."""
    if isinstance(exc, (ValueError, TypeError, KeyError)):
        return True
    cattrs_module = sys.modules.get("cattrs")
    return cattrs_module is not None and isinstance(exc, cattrs_module.BaseValidationError)


#: The types the hooks handle: ours, each with its structure and unstructure hook.
_TYPES: tuple[type, ...] = (*_NESTED, UnitPolicy)


class _Hooks:
    """The library's hooks dispatched by type, without cattrs: the default converter.

    Every type a claim document holds is one of :data:`_TYPES`, so the JSON
    functions need no general-purpose converter; :func:`make_converter`
    installs the same hooks on a cattrs converter for everything else.
    """

    __slots__ = ("_structure", "_unstructure")

    def __init__(self, *, one_pass: bool = True) -> None:
        """``one_pass=False`` gives the reporting pass alone (the reference the tests hold
        the one-pass reader to)."""
        builders = _one_pass() if one_pass else {}
        self._structure: dict[type, Callable[[Any, Any], Any]] = {
            cls: _make_structure(self, cls, builders.get(cls)) for cls in _TYPES
        }
        self._unstructure: dict[type, Callable[[Any], Any]] = {
            cls: _make_unstructure(self, cls) for cls in _TYPES
        }

    def structure(self, obj: Any, cl: Any) -> Any:
        return self._structure[cl](obj, cl)

    def unstructure(self, obj: Any, unstructure_as: Any = None) -> Any:
        return self._unstructure[unstructure_as or type(obj)](obj)


def configure_converter(converter: cattrs.Converter) -> None:
    """Install this library's hooks on ``converter`` (yours, never the global one)."""
    converter.register_unstructure_hook(_dt.date, _dt.date.isoformat)
    converter.register_unstructure_hook(_dt.time, _unstructure_time)
    converter.register_unstructure_hook(Decimal, str)
    converter.register_structure_hook(Decimal, lambda v, _: _decimal(v))
    converter.register_structure_hook(_dt.date, lambda v, _: _date(v))
    for cls in _NESTED:
        converter.register_unstructure_hook(cls, _make_unstructure(converter, cls))
        converter.register_structure_hook(cls, _make_structure(converter, cls))
    converter.register_unstructure_hook(UnitPolicy, _make_unstructure(converter, UnitPolicy))
    converter.register_structure_hook(UnitPolicy, _make_structure(converter, UnitPolicy))


_decimal = _fields.decimal("value", allow_negative=True)
_date = _fields.date("value")


def make_converter() -> cattrs.Converter:
    """A new :class:`cattrs.Converter` configured for this library's types."""
    import cattrs

    converter = cattrs.Converter()
    configure_converter(converter)
    return converter


#: Value types whose ``__init__`` only converts, sets and validates fields: built directly.
_BUILT_DIRECTLY = (
    Claim,
    ClaimLine,
    Service,
    Authorization,
    Occurrence,
    OccurrenceSpan,
    ValueCode,
    EvvVisit,
    Payer,
)
_MARSHAL_VERSION = 4
#: Most payer objects (and bytes of each key) :func:`claim_from_json` remembers.
_REMEMBERED_PAYERS = 128
_REMEMBERED_PAYER_TEXT = 4 * MAX_TEXT_LENGTH


def _known_version(value: Any) -> bool:
    # An int first: a list or object is unhashable, and True == 1.
    return type(value) is int and value in READ_VERSIONS


#: The post-inits the one-pass readers look up instead of calling (see
#: :class:`hcpcs_home._build.PostInit`): a service's minutes are its clock times' span,
#: or its minutes, or an error (``Service.__attrs_post_init__``: ``service_minutes`` of
#: these four fields, and nothing else).
_POST_INITS: dict[type, tuple[str, tuple[str, ...], Callable[..., Any]]] = {
    Service: ("minutes", ("start", "stop", "minutes", "full_day"), service_minutes)
}


def _one_pass(*, remember_payers: bool = False) -> dict[type, Callable[[Any], Any]]:
    """The one-pass builder of each type (see :mod:`hcpcs_home._build`).

    With ``remember_payers`` (only for :func:`claim_from_json`, whose data is
    plain JSON, so equal text means an equal document), a claim's payer object
    is built once per distinct text and shared.
    """
    built: dict[type, Callable[[Any], Any]] = {}

    def make(cls: type) -> Callable[[Any], Any]:
        if cls not in built:
            fields = attrs.fields_dict(cls)
            nested: dict[str, Callable[[Any], Any]] = {
                name: _many(make(inner), inner, fields[name].converter) if is_list else make(inner)
                for name, (inner, is_list) in _NESTED.get(cls, {}).items()
            }
            for name in _NULLABLE.get(cls, ()):
                nested[name] = _or_null(nested[name], fields[name].converter)
            if cls is Claim:
                nested["payer"] = _payer_reader(make(Payer), remember=remember_payers)
                # A Payer is what the field's converter keeps as it is.
                setattr(nested["payer"], _build.FINAL, fields["payer"].converter)
            if cls in _BUILT_DIRECTLY:
                extra = {"format": _known_version} if cls is Claim else None
                post = _POST_INITS.get(cls)
                built[cls] = _build.builder(
                    cls, nested, extra=extra, post=None if post is None else _build.PostInit(*post)
                )
            else:
                built[cls] = _build.through_init(cls, nested)
        return built[cls]

    for cls in _TYPES:
        make(cls)
    return built


def _many(build: Callable[[Any], Any], inner: type, convert: Any) -> Callable[[Any], Any]:
    """The reader of a list field holding ``inner`` objects: giving the field's final
    tuple where its converter only checks that each item is an ``inner``."""
    convert = _fields.optional_inner(convert) or convert  # null: see _or_null
    shape = _fields.items_of(convert)
    final = convert if shape is not None and shape[0] is inner else None
    return _build.many(build, final=final)


def _payer_reader(build: Callable[[Any], Payer], *, remember: bool) -> Callable[[Any], Payer]:
    """A claim's ``payer``: a shipped profile's id, or a payer object (remembered by its
    value, the least recently read forgotten first)."""
    remembered: collections.OrderedDict[bytes, Payer] = collections.OrderedDict()

    def read(value: Any) -> Payer:
        if type(value) is str:
            return payer_profile(value)
        if not remember:
            return build(value)
        if value.__class__ is Payer:  # read from the same text before (_read_payer_first)
            return value
        try:
            # Exact for plain JSON (true, 1 and 1.0 differ: marshal writes each value's
            # type), and written in C at a third of repr's cost.  Equal documents can
            # only differ in how marshal shares repeated objects: a miss, never a
            # wrong payer.
            key = marshal.dumps(value, _MARSHAL_VERSION)
        except ValueError:  # nested past marshal's depth: built, not remembered
            return build(value)
        found = remembered.get(key)
        if found is None:
            found = build(value)
            if len(key) <= _REMEMBERED_PAYER_TEXT:
                remembered[key] = found
                while len(remembered) > _REMEMBERED_PAYERS:  # the least recently read goes
                    with contextlib.suppress(KeyError):  # another thread took it first
                        remembered.popitem(last=False)
        else:
            with contextlib.suppress(KeyError):
                remembered.move_to_end(key)
        return found

    return read


_converter: _Hooks | None = None
_from_text: Callable[[Any], Claim] | None = None
_from_text_lock = threading.Lock()


def _default() -> _Hooks:
    global _converter
    if _converter is None:
        _converter = _Hooks()
    return _converter


def claim_to_json(claim: Claim, *, indent: int | None = 2) -> str:
    """The claim in the documented JSON format.

    >>> from hcpcs_home import Claim, payers
    >>> text = claim_to_json(Claim(payers.MEDICARE, "2024-03-01", "2024-03-30"), indent=None)
    >>> text[:60]
    '{"format": 2, "payer": {"id": "medicare", "name": "Original '
    >>> claim_from_json(text) == Claim(payers.MEDICARE, "2024-03-01", "2024-03-30")
    True
    """
    data = {"format": FORMAT_VERSION, **_default().unstructure(claim, Claim)}
    return json.dumps(data, indent=indent, ensure_ascii=False)


def claim_from_json(text: str | bytes) -> Claim:
    """A claim from JSON text in the documented format.

    Bytes must be UTF-8.  Nesting deeper than
    :data:`~hcpcs_home.bounds.MAX_JSON_DEPTH` is refused before parsing.

    A payer object is read once per distinct text: where a document begins
    with its payer object, as :func:`claim_to_json` writes it, the same payer
    text read before is neither parsed nor built again (at most 512 texts are
    kept: four under each of 128 first 64 characters, the first of those read
    forgotten first).

    :raises InvalidFieldError: the text is not JSON, or one field is bad.
    :raises InvalidClaimError: several fields are bad (each with its path).
    """
    if isinstance(text, (bytes, bytearray)):
        try:
            text = bytes(text).decode("utf-8")
        except UnicodeDecodeError as exc:
            raise InvalidFieldError("$", _preview(text), f"is not UTF-8 text: {exc}") from None
    if not isinstance(text, str):
        raise InvalidFieldError("$", _preview(text), "must be JSON text (str or UTF-8 bytes)")
    head = _PAYER_FIRST.match(text)
    if head is not None:
        claim = _read_payer_first(text, head)
        if claim is not None:
            return claim
    # The depth bound holds before anything is converted: text that could nest deeper
    # than the parser safely recurses is scanned before parsing; a document the
    # one-pass reader takes has the format's shape (at most six levels); any other
    # is scanned after parsing, as is text the parser refuses.
    check_depth_before_parsing(text, field="$")
    try:
        data = _loads(text)
    except RecursionError:
        check_json_depth(text, field="$")
        raise
    except ValueError as exc:
        check_json_depth(text, field="$")
        raise InvalidFieldError("$", _preview(text), f"is not valid JSON: {exc}") from None
    claim = _read_parsed(data)
    if claim is not None:
        return claim
    check_json_depth(text, field="$")
    return claim_from_data(data)


#: The C scanner of :mod:`json` (what ``json.loads`` calls through two Python frames and
#: two regular-expression matches): a value at an index, and where it ends.
_scan: Callable[[str, int], tuple[Any, int]]
_scan = json.JSONDecoder().scan_once  # type: ignore[attr-defined]  # not in typeshed
#: What JSON counts as whitespace (RFC 8259 section 2).
_JSON_SPACE = " \t\n\r"


def _loads(text: str) -> Any:
    """``json.loads(text)``, exactly: the value, or the same error.  A document that
    starts with its value and ends with it, or with whitespace, is read by the scanner
    directly; anything else (leading whitespace, a byte-order mark, trailing data, no
    value) is left to ``json.loads``, which reads it or raises its own error."""
    try:
        value, end = _scan(text, 0)
    except StopIteration:
        return json.loads(text)
    if end != len(text) and text[end:].strip(_JSON_SPACE):
        return json.loads(text)  # raises "Extra data" at its position
    return value


#: The start of a document whose first member (after its ``format``) is a payer object,
#: as :func:`claim_to_json` writes it; group 1 is the payer's key.  Only a number can
#: stand before it, so the key is the top-level object's.  The next member's key must
#: follow the payer's comma (:data:`_NEXT_KEY`): then taking the payer's member out
#: leaves members, and the document keeps its validity.
_PAYER_FIRST = re.compile(
    r'\{[ \t\n\r]*(?:"format"[ \t\n\r]*:[ \t\n\r]*[0-9]+[ \t\n\r]*,[ \t\n\r]*)?'
    r'("payer")[ \t\n\r]*:[ \t\n\r]*(?=\{)'
)
#: Payer texts read before, and their payers, by their first characters (at most
#: :data:`_PAYER_TEXTS_EACH` under one key, the most recent first; the oldest key goes
#: first past :data:`_REMEMBERED_PAYERS` keys).
_NEXT_KEY = re.compile(r'[ \t\n\r]*"')
_payer_texts: dict[str, tuple[tuple[str, Payer], ...]] = {}
_PAYER_KEY_CHARS = 64
_PAYER_TEXTS_EACH = 4
_payer_texts_lock = threading.Lock()


def _read_payer_first(text: str, head: re.Match[str]) -> Claim | None:
    """The claim of ``text``, a document that begins with a payer object (``head``), or
    ``None`` where the one-pass reader does not take it as this reads it (the caller
    then reads the text as a whole, and says what is wrong, if anything).

    The payer's text, a complete JSON object, is looked for among those read before;
    the rest of the document, the same text without the payer's member, is parsed on
    its own.  Replacing one JSON value by another keeps a document valid or invalid,
    so taking the member out changes nothing else: the rest parses exactly when the
    whole does, to the same members.  The rest must not name a payer again (the last
    of duplicate keys is the one ``json.loads`` keeps).  A payer text not held is
    parsed there and remembered once its claim is read.
    """
    start = head.end()
    key = text[start : start + _PAYER_KEY_CHARS]
    held = _payer_texts.get(key, ())
    for payer_text, payer in held:
        if text.startswith(payer_text, start):
            value: Any = payer
            break
    else:
        # Not read before: parsed on its own, after the depth check of the whole text
        # (whose scan may name the problem: the caller reads the text again and says).
        if _brackets_over_bound(text):
            return None
        try:
            value, end = _scan(text, start)
        except (StopIteration, ValueError, RecursionError):
            return None
        payer_text = text[start:end]
        payer = None
    after = start + len(payer_text)
    if not text.startswith(",", after) or _NEXT_KEY.match(text, after + 1) is None:
        return None
    rest = text[: head.start(1)] + text[after + 1 :]
    if payer is not None and _brackets_over_bound(rest):
        return None
    try:
        data, end = _scan(rest, 0)
    except (StopIteration, ValueError, RecursionError):
        return None
    if end != len(rest) and rest[end:].strip(_JSON_SPACE):
        return None
    if type(data) is not dict or "payer" in data:
        return None
    data["payer"] = value
    claim = _read_parsed(data)
    if claim is None or payer is not None or len(payer_text) > _REMEMBERED_PAYER_TEXT:
        return claim
    with _payer_texts_lock:
        held = _payer_texts.get(key, ())
        if all(known != payer_text for known, _ in held):
            _payer_texts[key] = ((payer_text, claim.payer), *held[: _PAYER_TEXTS_EACH - 1])
            while len(_payer_texts) > _REMEMBERED_PAYERS:
                del _payer_texts[next(iter(_payer_texts))]
    return claim


def _brackets_over_bound(text: str) -> bool:
    """Whether :func:`~hcpcs_home.bounds.check_depth_before_parsing` would refuse
    ``text`` (which then the caller's reading of the whole text does, naming it)."""
    try:
        check_depth_before_parsing(text, field="$")
    except HcpcsError:
        return True
    return False


def _read_parsed(data: Any) -> Claim | None:
    """The claim of a document just parsed from JSON text, read in one pass, or ``None``
    where that pass does not take it (then :func:`claim_from_data`, after the text's
    depth check, reads it or says what is wrong).  Payer objects of equal text are
    shared.  For this package's readers of JSON text (:func:`claim_from_json`, the
    command line's JSON lines)."""
    global _from_text
    if _from_text is None:
        with _from_text_lock:  # made once, however many threads read the first claim
            if _from_text is None:
                _from_text = _one_pass(remember_payers=True)[Claim]
    try:
        return _from_text(data)
    except Exception:  # the reporting pass says what is wrong, if anything
        return None


def claim_from_data(data: Any) -> Claim:
    """A claim from already-parsed JSON data (a ``dict`` in the documented format)."""
    claim: Claim = _default().structure(data, Claim)
    return claim


def claims_from_json_lines(lines: Iterable[str]) -> Iterator[Claim | HcpcsError]:
    """Claims from JSON lines (one claim per line), lazily.

    A bad line yields its error, with the line number (and the claim's id where
    the line has one) in the path, instead of stopping the batch; blank lines are
    skipped.
    """
    for number, line in enumerate(lines, start=1):
        if not line.strip():
            continue
        try:
            yield claim_from_json(line)
        except HcpcsError as exc:
            yield _with_path(f"line {number}{_claim_label(line)}: $", exc)


def _claim_label(line: str) -> str:
    """`` (claim 'HH-1')`` when the line is a JSON object with a short text ``id``, else ``""``:
    with the line number, what names a record in a message (never its patient id)."""
    try:
        check_depth_before_parsing(line)
        data = json.loads(line)
    except (HcpcsError, ValueError, RecursionError):
        return ""
    claim_id = data.get("id") if isinstance(data, dict) else None
    if isinstance(claim_id, str) and 0 < len(claim_id) <= MAX_ID_LENGTH:
        return f" (claim {claim_id!r})"
    return ""


def _preview(text: object) -> object:
    if isinstance(text, (str, bytes)) and len(text) > 60:
        return text[:60] + (b"..." if isinstance(text, bytes) else "...")  # type: ignore[operator]
    return text
