"""Claim documents to value types in one pass: the fast path of :mod:`hcpcs_home.serialize`.

Most documents a billing backend sends are valid, and most of their values
repeat (dates, codes, modifiers, clock times, payers).  :func:`builder`
makes, once per class, a function that reads a JSON object (a ``dict``) and
builds the instance directly: each field's value goes through that field's
own attrs converter (the one place its rule lives), remembered by the raw
text where it repeats; then the class's validators and
``__attrs_post_init__`` run, in the order the class's ``__init__`` runs
them, without any value being converted twice.

The fast path accepts a document only in the shape the format writes: every
object a mapping of known keys to JSON leaves (text, numbers, booleans,
``null``), lists of them (three deep at most), or the nested objects of the
format.  Anything else, and anything a converter or validator refuses,
raises (:class:`Unusual` or the library's error), and the caller falls back
to the field-by-field pass that reports every problem with its path.
Because an accepted document has the format's shape, it nests no deeper
than the format does (six levels), well within
:data:`~hcpcs_home.bounds.MAX_JSON_DEPTH`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

import attrs

from .bounds import MAX_LINES

__all__ = [
    "DERIVED",
    "KEYED",
    "MISSING",
    "Reader",
    "Unusual",
    "builder",
    "many",
    "through_init",
    "trusted",
]


class Unusual(Exception):  # a signal, caught by serialize, never raised to users
    """The document is not in the plain shape the one-pass reader takes."""


#: The types of the values ``json.loads`` gives that are not containers.
_LEAVES = frozenset({str, int, float, bool, type(None)})
_LEAVES_AND_LISTS = _LEAVES | {list}
#: The types of the raw values remembered in :attr:`Reader.remembered`, each by its
#: value: exact ``str``, ``null``, ``true`` and ``false`` (and lists of text, by their
#: tuple).  Ints have their own table (:attr:`Reader.numbers`): ``True == 1``, so one
#: table would give ``1`` what ``true`` converts to.  Floats are never remembered.
KEYED = frozenset({str, bool, type(None)})
#: How many raw values one field remembers (in each table) before it starts again.
_REMEMBERED = 2048
#: The longest raw text (or list of texts, all told) a field remembers.
_REMEMBERED_TEXT = 32
#: The longest list a field remembers (by the tuple of its texts).
_REMEMBERED_ITEMS = 8
#: The ints a field remembers: those below this in magnitude.
_REMEMBERED_INT = 2**31
#: How deep a field's own lists may nest (a payer's ``code_credentials``: pairs of a
#: code and a list of credentials).
_LIST_LEVELS = 3
MISSING = object()


class Reader:
    """A field's reader: its converter over a JSON leaf or a list of leaves.

    Results for the same short text, list of short texts, ``null``, ``true``,
    ``false`` or small int are remembered in :attr:`remembered` and
    :attr:`numbers`, which :func:`builder` looks in before calling.  The
    converters are pure and their results immutable, and only successes are
    kept, so a refused value is refused again with its own error.  Each table
    holds at most 2,048 values; when one fills, it starts again, and a field
    that brought a new value for most of the objects built meanwhile (an id)
    is not remembered any more.
    """

    __slots__ = ("built", "convert", "misses", "numbers", "remembered", "repeats", "since")

    def __init__(
        self, convert: Callable[[Any], Any] | None, built: list[int] | None = None
    ) -> None:
        self.convert: Callable[[Any], Any] = _identity if convert is None else convert
        self.remembered: dict[Any, Any] = {}
        self.numbers: dict[int, Any] = {}
        #: How many objects holding this field have been built (counted by :func:`builder`).
        self.built = [0] if built is None else built
        self.since = self.built[0]
        self.misses = 0
        #: Whether the field's values repeat enough to be worth remembering: a field whose
        #: values are new for most objects (ids, license numbers) stops being remembered.
        self.repeats = True

    def __call__(self, value: Any) -> Any:
        kind = type(value)
        if not self.repeats:
            if kind in _LEAVES or (kind is list and _is_plain(value)):
                return self.convert(value)
            raise Unusual
        table = self.remembered
        if kind is str:
            key: Any = value
            remember = len(value) <= _REMEMBERED_TEXT
        elif kind is bool or value is None:
            key = value
            remember = True
        elif kind is int:
            key = value
            remember = -_REMEMBERED_INT < value < _REMEMBERED_INT
            table = self.numbers
        elif kind is list:
            if len(value) > _REMEMBERED_ITEMS:
                if not _is_plain(value):
                    raise Unusual
                return self.convert(value)
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
        found = table.get(key, MISSING)
        if found is not MISSING:
            return found
        result = self.convert(value)
        if remember:
            self.misses += 1
            if len(table) >= _REMEMBERED:
                self._start_again()
            if self.repeats:
                table[key] = result
        return result

    def _start_again(self) -> None:
        """Forget what is remembered; stop remembering if most objects brought a new value."""
        self.remembered.clear()
        self.numbers.clear()
        if 2 * self.misses > self.built[0] - self.since:
            self.repeats = False
        self.misses = 0
        self.since = self.built[0]


def _identity(value: Any) -> Any:
    return value


def _then(read: Callable[[Any], Any], convert: Callable[[Any], Any]) -> Callable[[Any], Any]:
    def read_then_convert(value: Any) -> Any:
        return convert(read(value))

    return read_then_convert


def many(build: Callable[[Any], Any]) -> Callable[[Any], list[Any]]:
    """A reader of a JSON list of objects, each built by ``build``."""

    def read(value: Any) -> list[Any]:
        # Past the longest list a claim holds, the reporting pass refuses it by its
        # length before building any item.
        if type(value) is not list or len(value) > MAX_LINES:
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
    checks = tuple((extra or {}).items())
    names = frozenset(a.name for a in fields) | frozenset(k for k, _ in checks)
    steps: list[tuple[str, dict[Any, Any], dict[int, Any], Callable[[Any], Any], Any]] = []
    built = [0]  # objects built, for each field's reader to judge whether its values repeat
    for a in fields:
        if not a.init or a.alias != a.name:  # pragma: no cover  # none of ours
            raise TypeError(f"{cls.__name__}.{a.name}: only plain fields are read in one pass")
        convert = a.converter
        if a.name in nested:
            read = nested[a.name] if convert is None else _then(nested[a.name], convert)
            remembered: dict[Any, Any] = {}
            numbers: dict[int, Any] = {}
        else:
            read = field_reader = Reader(convert, built)
            remembered, numbers = field_reader.remembered, field_reader.numbers
        if a.default is attrs.NOTHING:
            default: Any = _REQUIRED
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            default = _Made(a.default, convert)
        else:
            # The default, converted once (as __init__ converts it each time).
            default = a.default if convert is None else convert(a.default)
        steps.append((a.name, remembered, numbers, read, default))
    validators = tuple((a.validator, a) for a in fields if a.validator is not None)
    post_init = getattr(cls, "__attrs_post_init__", None)
    new = object.__new__
    setter = object.__setattr__.__get__
    disabled = attrs.validators.get_disabled

    def build(data: Any) -> Any:
        if type(data) is not dict or not names.issuperset(data):
            raise Unusual
        for key, test in checks:
            if key in data and not test(data[key]):
                raise Unusual
        if validators and disabled():
            raise Unusual
        built[0] += 1
        self = new(cls)
        put = setter(self)
        for name, remembered, numbers, read, default in steps:
            value = data.get(name, MISSING)
            kind = type(value)
            if kind in KEYED:
                result = remembered.get(value, MISSING)
            elif kind is int:
                result = numbers.get(value, MISSING)
            elif kind is list and not value:
                result = remembered.get((), MISSING)
            else:
                result = MISSING
            if result is MISSING:
                if value is not MISSING:
                    result = read(value)
                elif default is _REQUIRED:
                    raise Unusual
                elif type(default) is _Made:
                    result = default(self)
                else:
                    result = default
            put(name, result)
        for validator, attribute in validators:
            validator(self, attribute, getattr(self, attribute.name))
        if post_init is not None:
            post_init(self)
        return self

    build.__qualname__ = f"build_{cls.__name__}"
    return build


_REQUIRED = object()


class _Made:
    """A default made for each instance (an attrs ``Factory``), then converted."""

    __slots__ = ("convert", "factory")

    def __init__(self, factory: Any, convert: Callable[[Any], Any] | None) -> None:
        self.factory = factory
        self.convert = _identity if convert is None else convert

    def __call__(self, instance: Any) -> Any:
        made = self.factory.factory(instance) if self.factory.takes_self else self.factory.factory()
        return self.convert(made)


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
    if kind is not list:
        return kind in _LEAVES
    if not lists:
        return False
    kinds = set(map(type, value))  # in C: a long list costs little more than its length
    if kinds <= _LEAVES:
        return True
    return kinds <= _LEAVES_AND_LISTS and all(
        _is_plain(item, lists - 1) for item in value if type(item) is list
    )


#: Passed to a :func:`trusted` maker for a field whose default attrs derives from the
#: instance (a service's ``id``): the maker derives it, as ``__init__`` would.
DERIVED: Any = attrs.NOTHING


def trusted(cls: type[Any]) -> Callable[..., Any]:
    """A function building ``cls`` from its fields' values, already converted, in field order.

    For a caller that has converted each value with the field's own converter
    (a column at a time, each distinct value once): no converter runs again.
    The class's validators and ``__attrs_post_init__`` still run, in the order
    ``__init__`` runs them, so every check across fields is made; a field whose
    default is derived from the instance takes :data:`DERIVED` and is derived
    (then converted) as ``__init__`` derives it.  The result equals ``cls(...)``
    of the same values.  Private: the public constructors always convert.
    """
    fields = attrs.fields(cls)
    names = [a.name for a in fields]
    scope: dict[str, Any] = {
        "new": object.__new__,
        "setter": object.__setattr__.__get__,
        "cls": cls,
        "DERIVED": DERIVED,
    }
    body = ["    self = new(cls)", "    put = setter(self)"]
    for i, a in enumerate(fields):
        if isinstance(a.default, attrs.Factory) and a.default.takes_self:  # type: ignore[arg-type]
            scope[f"derive{i}"] = a.default.factory
            scope[f"convert{i}"] = a.converter or _identity
            body.append(f"    if {a.name} is DERIVED:")
            body.append(f"        {a.name} = convert{i}(derive{i}(self))")
        body.append(f"    put({a.name!r}, {a.name})")
    for i, a in enumerate(fields):
        if a.validator is not None:
            scope[f"validate{i}"], scope[f"field{i}"] = a.validator, a
            body.append(f"    validate{i}(self, field{i}, {a.name})")
    if getattr(cls, "__attrs_post_init__", None) is not None:
        scope["post_init"] = cls.__attrs_post_init__
        body.append("    post_init(self)")
    body.append("    return self")
    source = f"def make_{cls.__name__}({', '.join(names)}):\n" + "\n".join(body) + "\n"
    # Generated as attrs generates __init__: one plain function, no loop over fields.
    exec(compile(source, f"<trusted {cls.__qualname__}>", "exec"), scope)
    made: Callable[..., Any] = scope[f"make_{cls.__name__}"]
    return made
