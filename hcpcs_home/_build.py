"""Claim documents to value types in one pass: the fast path of :mod:`hcpcs_home.serialize`.

Most documents a billing backend sends are valid, and most of their values
repeat (dates, codes, modifiers, clock times, payers).  :func:`builder`
generates, once per class, a function that reads a JSON object (a ``dict``)
and builds the instance directly: each field's value goes through that
field's own attrs converter (the one place its rule lives), remembered by the
raw text where it repeats, then the class's validators and
``__attrs_post_init__`` run, exactly as the class's ``__init__`` would do them
but without converting every value a second time.

The fast path accepts a document only in the shape the format writes: every
object a mapping of known keys to JSON leaves (text, numbers, booleans,
``null``), lists of them (three deep at most), or the nested objects of the
format.  Anything
else, and anything a converter or validator refuses, raises
:class:`Unusual`, and the caller falls back to the field-by-field pass that
reports every problem with its path.  Because an accepted document has the
format's shape, it nests no deeper than the format does (six levels), well
within :data:`~hcpcs_home.bounds.MAX_JSON_DEPTH`.
"""

from __future__ import annotations

import contextlib
import linecache
from collections.abc import Callable, Mapping
from typing import Any

import attrs

__all__ = ["KEYED", "MISSING", "Reader", "Unusual", "builder", "many", "through_init"]


class Unusual(Exception):  # a signal, caught by serialize, never raised to users
    """The document is not in the plain shape the one-pass reader takes."""


#: The types of the values ``json.loads`` gives that are not containers.
_LEAVES = frozenset({str, int, float, bool, type(None)})
#: The types of the raw values remembered, each by its value.  Only exact ``str`` and
#: ``int``: ``True == 1`` and ``1.0 == 1``, so booleans and floats are never keys.
KEYED = frozenset({str, int})
#: How many raw values one field remembers before it starts again.
_REMEMBERED = 2048
#: The longest raw text (or list of texts, all told) a field remembers.
_REMEMBERED_TEXT = 32
#: The largest int a field remembers.
_REMEMBERED_INT = 2**31
#: How deep a field's own lists may nest (a payer's ``code_credentials``: pairs of a
#: code and a list of credentials).
_LIST_LEVELS = 3
MISSING = object()
#: JSON values that convert to the same thing every time, by how generated code spots them.
_CONSTANTS: dict[str, Any] = {
    "v is None": None,
    "v is True": True,
    "v is False": False,
    "type(v) is list and not v": [],
}


class Reader:
    """A field's reader: its converter over a JSON leaf or a list of leaves.

    Results for the same short text, small int or list of short texts are
    remembered in :attr:`remembered`, which the generated builders look in
    before calling; what ``null``, ``true`` and ``false`` convert to is
    worked out once (:attr:`constants`).  The converters are pure and their
    results immutable, and only successes are kept, so a refused value is
    refused again with its own error.
    """

    __slots__ = ("constants", "convert", "remembered")

    def __init__(self, convert: Callable[[Any], Any] | None) -> None:
        self.convert: Callable[[Any], Any] = _identity if convert is None else convert
        self.remembered: dict[Any, Any] = {}
        #: What ``null``, ``true``, ``false`` and ``[]`` convert to, for those the converter
        #: takes, by the test that finds them in generated code.
        self.constants: dict[str, Any] = {}
        for test, constant in _CONSTANTS.items():
            # One the converter refuses is refused each time it comes, with its own error.
            with contextlib.suppress(Exception):
                self.constants[test] = self.convert(constant)

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if kind is str:
            key: Any = value
            remember = len(value) <= _REMEMBERED_TEXT
        elif kind is int:
            key = value
            remember = -_REMEMBERED_INT < value < _REMEMBERED_INT
        elif kind is list:
            key = tuple(value)
            if not all(type(item) is str for item in key):
                if not _is_plain(value):
                    raise Unusual
                return self.convert(value)
            remember = sum(map(len, key)) <= _REMEMBERED_TEXT
        elif kind in _LEAVES:
            return self.convert(value)
        else:
            raise Unusual
        found = self.remembered.get(key, MISSING)
        if found is not MISSING:
            return found
        result = self.convert(value)
        if remember:
            if len(self.remembered) >= _REMEMBERED:
                self.remembered.clear()
            self.remembered[key] = result
        return result


def _identity(value: Any) -> Any:
    return value


def many(build: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    """A reader of a JSON list of objects, each built by ``build``."""

    def read(value: Any) -> list[Any]:
        if type(value) is not list:
            raise Unusual
        return [build(item) for item in value]

    return read


def builder(
    cls: type[Any],
    nested: Mapping[str, Callable[[Any], Any]],
    *,
    extra: Mapping[str, Callable[[Any], bool]] | None = None,
) -> Callable[[Any], Any]:
    """A function building ``cls`` from a JSON object in one pass, or raising.

    ``nested`` gives the reader of each field holding other value types (its
    result still goes through the field's converter, as in ``cls(**data)``);
    every other field is read by a :class:`Reader` over its converter.  ``extra``
    names keys the document may carry besides the fields, each with a test of
    its value (a claim's ``format``).

    :raises Unusual: the object is not in the format's plain shape.
    :raises HcpcsError: a converter, validator or post-init check refused it.
    """
    fields = attrs.fields(cls)
    extra = dict(extra or {})
    names = frozenset(a.name for a in fields) | frozenset(extra)
    scope: dict[str, Any] = {
        "Unusual": Unusual,
        "MISSING": MISSING,
        "KEYED": KEYED,
        "names": names,
        "new": object.__new__,
        "cls": cls,
        "setter": object.__setattr__.__get__,
        "disabled": attrs.validators.get_disabled,
    }
    lines = [
        "def build(data):",
        "    if type(data) is not dict or not names.issuperset(data):",
        "        raise Unusual",
    ]
    for key in extra:
        scope[f"x_{key}"] = extra[key]
        lines += [
            f"    if {key!r} in data and not x_{key}(data[{key!r}]):",
            "        raise Unusual",
        ]
    validated = [a for a in fields if a.validator is not None]
    if validated:
        lines += ["    if disabled():", "        raise Unusual"]
    lines += ["    self = new(cls)", "    put = setter(self)"]
    for a in fields:
        name = a.name
        if not a.init or a.alias != name:  # pragma: no cover  # none of ours
            raise TypeError(f"{cls.__name__}.{name}: only plain fields are read in one pass")
        convert = scope[f"c_{name}"] = a.converter
        if a.default is attrs.NOTHING:
            lines += [f"    v = data[{name!r}]"]
        else:
            lines += [f"    v = data.get({name!r}, MISSING)", "    if v is MISSING:"]
            if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
                scope[f"f_{name}"] = a.default.factory
                made = f"f_{name}(self)" if a.default.takes_self else f"f_{name}()"
                lines += [f"        r = {made if convert is None else f'c_{name}({made})'}"]
            else:
                # The default, converted once (as __init__ converts it each time).
                scope[f"d_{name}"] = a.default if convert is None else convert(a.default)
                lines += [f"        r = d_{name}"]
            lines += ["    else:"]
        indent = "    " if a.default is attrs.NOTHING else "        "
        if name in nested:
            scope[f"r_{name}"] = nested[name]
            read = f"r_{name}(v)" if convert is None else f"c_{name}(r_{name}(v))"
            lines += [f"{indent}r = {read}"]
        else:
            read_field = scope[f"r_{name}"] = Reader(convert)
            scope[f"m_{name}"] = read_field.remembered
            # null, true, false and [] convert to constants: no call for them.
            branch = "if"
            for i, (test, value) in enumerate(read_field.constants.items()):
                scope[f"k{i}_{name}"] = value
                lines += [f"{indent}{branch} {test}:", f"{indent}    r = k{i}_{name}"]
                branch = "elif"
            if branch == "elif":
                lines += [f"{indent}else:"]
                indent += "    "
            lines += [
                f"{indent}r = m_{name}.get(v, MISSING) if type(v) in KEYED else MISSING",
                f"{indent}if r is MISSING:",
                f"{indent}    r = r_{name}(v)",
            ]
        lines += [f"    put({name!r}, r)"]
    for a in validated:
        scope[f"v_{a.name}"] = a.validator
        scope[f"a_{a.name}"] = a
        lines += [f"    v_{a.name}(self, a_{a.name}, self.{a.name})"]
    if hasattr(cls, "__attrs_post_init__"):
        lines += ["    self.__attrs_post_init__()"]
    lines += ["    return self", ""]
    source = "\n".join(lines)
    filename = f"<hcpcs_home one-pass reader of {cls.__qualname__}>"
    exec(compile(source, filename, "exec"), scope)  # our own text, as attrs does
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    build: Callable[[Any], Any] = scope["build"]
    build.__qualname__ = f"build_{cls.__name__}"
    return build


def through_init(
    cls: type[Any], nested: Mapping[str, Callable[[Any], Any]]
) -> Callable[[Any], Any]:
    """A function building ``cls`` from a JSON object through ``cls(**data)``, or raising.

    For classes whose ``__init__`` does more than set fields (a cached hash):
    the values are checked for the plain shape only and converted by ``__init__``.
    """
    names = frozenset(a.name for a in attrs.fields(cls))

    def build(data: Any) -> Any:
        if type(data) is not dict or not names.issuperset(data):
            raise Unusual
        kwargs = {k: nested[k](v) if k in nested else v for k, v in data.items()}
        if not all(_is_plain(v) for k, v in data.items() if k not in nested):
            raise Unusual
        return cls(**kwargs)

    build.__qualname__ = f"build_{cls.__name__}"
    return build


def _is_plain(value: Any, lists: int = _LIST_LEVELS) -> bool:
    """Whether ``value`` is a JSON leaf, or a list (of lists, ``lists`` deep) of leaves."""
    kind = type(value)
    if kind is list:
        return lists > 0 and all(_is_plain(item, lists - 1) for item in value)
    return kind in _LEAVES
