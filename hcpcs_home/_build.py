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

Each class's builder is Python source written once (attrs writes its
``__init__`` the same way): an object holding every field, as this library
writes it, has all its values taken in one C call and each looked up in what
its field remembers; the values are stored as
:func:`hcpcs_home._trusted.maker` stores them (into the class's store twin,
then given the class itself), without being converted again.  An object
missing a field, or holding one key more, is read field by field by the
same rules.
"""

from __future__ import annotations

import linecache
import operator
import weakref
from collections.abc import Callable, Mapping, Sequence
from typing import Any

import attrs
from attr import _config as _attrs_config

from ._fields import items_of, settled, text_shape
from ._memo import keep
from ._trusted import store_twin
from .bounds import MAX_LINES

__all__ = [
    "COMPILE_AFTER",
    "KEYED",
    "MISSING",
    "PostInit",
    "Reader",
    "Unusual",
    "builder",
    "compiled_builder",
    "many",
    "through_init",
]


class Unusual(Exception):  # a signal, caught by serialize, never raised to users
    """The document is not in the plain shape the one-pass reader takes."""


#: The types of the values ``json.loads`` gives that are not containers.
_LEAVES = frozenset({str, int, float, bool, type(None)})
_LEAVES_AND_LISTS = _LEAVES | {list}
_TEXT = frozenset({str})
#: The types of the raw values remembered in :attr:`Reader.remembered`, each by its
#: value: exact ``str`` and ``null`` (and lists of text, by their tuple).  No other
#: value ``json.loads`` gives equals one of those, so any value can be looked up there.
#: Ints (:attr:`Reader.numbers`) and ``true``/``false`` (:attr:`Reader.flags`) have
#: tables of their own: ``True == 1 == 1.0``, so one table would give ``1`` what
#: ``true`` converts to.  Floats are never remembered.
KEYED = frozenset({str, type(None)})
#: How many raw values one field remembers (in each table) before it starts again.
_REMEMBERED = 2048
#: How many results of a post-init (:class:`PostInit`) are remembered: a service's minutes
#: by start, stop, minutes and full-day flag, as many as its lru_cache in ``claims`` keeps
#: (a month of 3,000 claims brings about 2,400 of them).
_POST_REMEMBERED = 4096
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
    ``false`` or small int are remembered in :attr:`remembered`,
    :attr:`flags` and :attr:`numbers`, plain dicts, which the compiled reader
    subscripts (a value not there raises ``KeyError`` there, and the compiled
    reader calls this reader, which remembers it if it may; a subclass of
    ``dict`` with ``__missing__`` would cost every subscript a call of its
    ``__getitem__`` through the type's slot).  The converters are pure and
    their results immutable, and only successes are kept, so a refused value is
    refused again with its own error.  Each table
    holds at most 2,048 values; when one fills, it starts again, and a field
    that brought a new value for most of the objects built meanwhile (an id)
    is not remembered any more.
    """

    __slots__ = (
        "built",
        "convert",
        "flags",
        "misses",
        "numbers",
        "remembered",
        "repeats",
        "since",
    )

    def __init__(
        self,
        convert: Callable[[Any], Any] | None,
        built: list[int] | None = None,
    ) -> None:
        """A list field's :attr:`remembered` is looked up by the tuple of a list's items."""
        self.convert: Callable[[Any], Any] = _identity if convert is None else convert
        self.remembered: dict[Any, Any] = {}
        self.numbers: dict[int, Any] = {}
        self.flags: dict[bool, Any] = {}
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
            if kind is str or kind in _LEAVES or (kind is list and _is_plain(value)):
                return self.convert(value)
            raise Unusual
        table = self.remembered
        if kind is str:
            key: Any = value
            remember = len(value) <= _REMEMBERED_TEXT
        elif value is None:
            key = value
            remember = True
        elif kind is bool:
            key = value
            remember = True
            table = self.flags
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
            if not _TEXT.issuperset(map(type, key)):
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
        self.flags.clear()
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


def many(
    build: Callable[[Any], Any], *, final: Callable[[Any], Any] | None = None
) -> Callable[[Any], Any]:
    """A reader of a JSON list of objects, each built by ``build``.

    With ``final``, the field's converter, a :func:`~hcpcs_home._fields.tuple_of`
    converter of :func:`~hcpcs_home._fields.instance_of` the class ``build`` builds
    (:func:`~hcpcs_home._fields.items_of`), the reader gives what that converter would
    give, the tuple of the objects, and a one-pass reader takes it without calling the
    converter (see :data:`FINAL`); a list longer than the converter takes is unusual
    (the reporting pass refuses it).
    """
    limit = MAX_LINES
    if final is not None:
        shape = items_of(final)
        if shape is None:
            raise TypeError(f"{final!r} is not a tuple of instances")
        limit = min(limit, shape[1])
    # A builder's reader as it stands (the compiled one once there is one: see
    # CURRENT), so that each item costs one call, not two.
    current: list[Callable[[Any], Any]] = getattr(build, CURRENT, None) or [build]

    def read(value: Any) -> Any:
        # Past the longest list a claim holds, the reporting pass refuses it by its
        # length before building any item.
        if type(value) is not list or len(value) > limit:
            raise Unusual
        each = current[0]
        return [each(item) for item in value]

    if final is None:
        return read

    def read_final(value: Any) -> tuple[Any, ...]:
        if type(value) is not list or len(value) > limit:
            raise Unusual
        if not value:  # what the converter gives an empty list (a claim's usual header)
            return ()
        each = current[0]
        return tuple([each(item) for item in value])

    setattr(read_final, FINAL, final)
    setattr(read_final, EMPTY, ())
    return read_final


#: The attribute naming the converter whose result a nested reader already gives (set by
#: :func:`many` with ``final``): the one-pass reader then does not call the converter.
FINAL = "_final_for"
#: The attribute holding what a list reader of :func:`many` with ``final`` gives an empty
#: list (``()``, without its call: a claim's usual header has several).
EMPTY = "_empty_gives"
#: The attribute of a :func:`builder` holding a one-item list: the reader that builds
#: the next object, the builder itself until it compiles, then the compiled reader.
CURRENT = "_current"


#: Objects of one type read through its ``__init__`` (:func:`through_init`) before its
#: one-pass reader is written and compiled (#21).  Compiling the readers of a claim's
#: types costs more than a fresh process's whole first check, so a process that reads
#: a few claims never pays for it, and a batch pays once, within its first claims.
COMPILE_AFTER = 32


def builder(
    cls: type[Any],
    nested: Mapping[str, Callable[[Any], Any]],
    *,
    extra: Mapping[str, Callable[[Any], bool]] | None = None,
    post: PostInit | None = None,
) -> Callable[[Any], Any]:
    """A function building ``cls`` from a JSON object in one pass, or raising.

    The first :data:`COMPILE_AFTER` objects go through ``cls(**data)``
    (:func:`through_init`, with ``extra`` checked as the compiled reader checks
    it); from the next one on, the reader :func:`compiled_builder` writes (with
    ``post``, see there).  Both give the same value, or both raise.
    ``build.compile()`` compiles at once and returns the compiled reader.
    """
    first = _through_init_with(cls, nested, extra)
    fast: Callable[[Any], Any] | None = None
    count = 0
    current: list[Callable[[Any], Any]] = []

    def compile_now() -> Callable[[Any], Any]:
        nonlocal fast
        if fast is None:  # two threads may both compile: either reader is right
            fast = compiled_builder(cls, nested, extra=extra, post=post)
            current[0] = fast
        return fast

    def build(data: Any) -> Any:
        nonlocal count
        if fast is not None:
            return fast(data)
        if count < COMPILE_AFTER:
            count += 1
            return first(data)
        return compile_now()(data)

    build.__qualname__ = f"build_{cls.__name__}"
    build.compile = compile_now  # type: ignore[attr-defined]
    current.append(build)
    setattr(build, CURRENT, current)
    return build


def _through_init_with(
    cls: type[Any],
    nested: Mapping[str, Callable[[Any], Any]],
    extra: Mapping[str, Callable[[Any], bool]] | None,
) -> Callable[[Any], Any]:
    """:func:`through_init`, refusing what the compiled reader refuses before it reads a
    value: an ``extra`` key whose test fails (then left out), and a class with
    validators while validators are switched off (the reporting pass decides then)."""
    plain = through_init(cls, nested)
    checks = tuple((extra or {}).items())
    keys = frozenset(extra or ())
    validated = any(a.validator is not None for a in attrs.fields(cls))
    disabled = attrs.validators.get_disabled

    def build(data: Any) -> Any:
        if type(data) is not dict:
            raise Unusual
        if keys.intersection(data):
            for key, test in checks:
                if key in data and not test(data[key]):
                    raise Unusual
            data = {k: v for k, v in data.items() if k not in keys}
        if validated and disabled():
            raise Unusual
        return plain(data)

    return build


def compiled_builder(
    cls: type[Any],
    nested: Mapping[str, Callable[[Any], Any]],
    *,
    extra: Mapping[str, Callable[[Any], bool]] | None = None,
    post: PostInit | None = None,
) -> Callable[[Any], Any]:
    """The compiled one-pass reader of ``cls`` (what :func:`builder` turns to), or raising.

    ``nested`` gives the reader of each field holding other value types (its
    result still goes through the field's converter, as in ``cls(**data)``);
    every other field is read by a :class:`Reader` over its converter.  ``extra``
    names keys the document may carry besides the fields, each with a test of
    its value (a claim's ``format``).

    The function is written once per class as Python source (see
    :func:`_builder_source`): each field's raw value is looked up in what its
    reader remembers before the reader is called.  The values, each through
    its converter, are stored as :func:`hcpcs_home._trusted.maker` stores them; then the
    class's validators and ``__attrs_post_init__`` run, in the order
    ``__init__`` runs them.  With ``post`` (:class:`PostInit`: what the class's
    ``__attrs_post_init__`` does, as a function of field values), the post-init is
    not called: its result is looked up by the values it reads.

    :raises Unusual: the object is not in the format's plain shape.
    :raises HcpcsError: a converter, validator or post-init check refused it.
    """
    fields = attrs.fields(cls)
    names = frozenset(a.name for a in fields) | frozenset(extra or ())
    built = [0]  # objects built, for each field's reader to judge whether its values repeat
    namespace: dict[str, Any] = {
        "_names": names.issuperset,
        "_values": operator.itemgetter(*(a.name for a in fields)),
        "_Unusual": Unusual,
        "_M": MISSING,
        "_new": object.__new__,
        "_twin": store_twin(cls),
        "_cls": cls,
        "_post_init": getattr(cls, "__attrs_post_init__", None),
        "_post": post,
        "_post_get": None if post is None else post.results.get,
        "_set": object.__setattr__,
        "_built": built,
        "_attrs_config": _attrs_config,
    }
    for i, (key, test) in enumerate((extra or {}).items()):
        namespace[f"_x{i}"] = (key, test)
    kinds: list[str] = []
    for i, a in enumerate(fields):
        if not a.init or a.alias != a.name:  # pragma: no cover  # none of ours
            raise TypeError(f"{cls.__name__}.{a.name}: only plain fields are read in one pass")
        convert = a.converter
        if a.name in nested:
            read = nested[a.name]
            final = convert is None or getattr(read, FINAL, None) is convert
            namespace[f"_r{i}"] = read if final else _then(read, convert)
            kind = "nested-list" if final and getattr(read, EMPTY, None) == () else "nested"
        else:
            kind = _json_kind(a)
            if kind == "bool" and _keeps_flags(convert):
                kind = "flag"
            reader = namespace[f"_r{i}"] = Reader(convert, built)
            namespace[f"_t{i}"] = reader.remembered
            namespace[f"_n{i}"] = reader.numbers
            namespace[f"_b{i}"] = reader.flags
        if a.default is attrs.NOTHING:
            default = "required"
        elif isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
            namespace[f"_d{i}"] = _Made(a.default, convert)
            default = "self" if a.default.takes_self else "made"
        else:
            # The default, converted once (as __init__ converts it each time).
            namespace[f"_d{i}"] = a.default if convert is None else convert(a.default)
            default = "value"
        kinds.append(f"{kind} {default}")
        if a.validator is not None:
            namespace[f"_v{i}"], namespace[f"_a{i}"] = a.validator, a
            settles = settled(a.validator)
            if settles is not None:
                passed: dict[Any, bool] = {}
                namespace[f"_ok{i}"] = passed
                namespace[f"_keep{i}"] = _Passed(settles, passed)
    source = _builder_source(cls, fields, kinds, len(extra or ()), namespace)
    filename = f"<hcpcs_home one-pass reader {cls.__module__}.{cls.__qualname__} {id(built)}>"
    code = compile(source, filename, "exec")
    linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
    exec(code, namespace)
    build: Callable[[Any], Any] = namespace["build"]
    # The source stays readable for tracebacks while the function lives, no longer.
    weakref.finalize(build, linecache.cache.pop, filename, None)
    return build


def _keeps_flags(convert: Callable[[Any], Any] | None) -> bool:
    """Whether a (pure) converter gives ``True`` and ``False`` as they are."""
    if convert is None:
        return True
    try:
        return convert(True) is True and convert(False) is False
    except Exception:  # refuses a flag: read through the tables
        return False


def _json_kind(field: attrs.Attribute[Any]) -> str:
    """What a field's value usually is in a document, from its annotation: ``bool``,
    ``int`` (units, minutes), ``list`` (a tuple or set) or ``text`` (text or ``null``:
    codes, dates, times, amounts, ids).  Only which lookup is tried first depends on it;
    any value is read right whatever it is.  A field whose converter takes plain text
    as it is (:func:`hcpcs_home._fields.text_shape`: ids, names) is ``text:N``,
    ``optional:N`` or ``items:N``, ``N`` its longest text."""
    shape = text_shape(field.converter)
    if shape is not None:  # plain text is checked inline, as the converter checks it
        return f"{shape[0]}:{shape[1]}"
    annotation = field.type if isinstance(field.type, str) else repr(field.type)
    if annotation == "bool" or field.type is bool:  # as written, or resolved (attrs.resolve_types)
        return "bool"
    if annotation.startswith("int"):
        return "int"
    if annotation.startswith(("tuple[", "frozenset[")):
        return "list"
    return "text"


#: The lookup of each kind of field's value in what its reader remembers (``{v}``: the
#: raw value's name, ``{f}``: the result's, ``{i}``: the field's index).  The tables are
#: plain dicts, subscripted: a value not there raises ``KeyError`` and is read (and
#: remembered) by the reader (in 3.11 a ``try`` costs nothing until it catches); an
#: unhashable value raises TypeError, and the caller reads the object the careful way.
#: Only exact text, null and tuples of text are kept in ``_t{i}`` (ints and booleans in
#: ``_n{i}`` and ``_b{i}``, looked in only for a value of that exact class), so no other
#: value can be given what one of those converts to.  A kind with ``{f} = _M`` (not
#: found) is read after the lookups.
_LOOKUP = {
    "text": [
        "try:",
        "    {f} = _t{i}[{v}]",
        "except KeyError:",
        "    {f} = _r{i}({v})",
    ],
    "bool": [
        "try:",
        "    {f} = _b{i}[{v}] if {v}.__class__ is bool else _r{i}({v})",
        "except KeyError:",
        "    {f} = _r{i}({v})",
    ],
    # Null (an optional count: minutes, per-day caps) is looked up too, in ``_t{i}``.
    # A flag whose converter gives true and false as they are: no lookup.
    "flag": [
        "if {v}.__class__ is bool:",
        "    {f} = {v}",
        "else:",
        "    {f} = _r{i}({v})",
    ],
    "int": [
        "try:",
        "    {f} = _n{i}[{v}] if {v}.__class__ is int else _t{i}[{v}]",
        "except KeyError:",
        "    {f} = _r{i}({v})",
    ],
    "list": [
        "if {v}.__class__ is not list:",
        "    {f} = _r{i}({v})",
        "else:",
        "    try:",
        "        {f} = _t{i}[tuple({v})]",
        "    except (KeyError, TypeError):  # not held; a list holding lists (code_credentials)",
        "        {f} = _r{i}({v})",
    ],
    # What text_shape's converters give printable text of at most {n} characters,
    # without the call (anything else is left to the reader).
    "text:": [
        "if {v}.__class__ is str and len({v}) <= {n} and {v}.isprintable():",
        "    {f} = {v}.strip()",
        "else:",
        "    {f} = _M",
    ],
    "optional:": [
        "if {v} is None:",
        "    {f} = None",
        "elif {v}.__class__ is str and len({v}) <= {n} and {v}.isprintable():",
        "    {f} = {v}.strip()",
        "else:",
        "    {f} = _M",
    ],
    "items:": [
        "if {v}.__class__ is not list:",
        "    {f} = _M",
        "elif not {v}:",
        "    {f} = ()",
        "elif len({v}) == 1 and (x := {v}[0]).__class__ is str and len(x) <= {n}"
        " and x.isprintable():",
        "    {f} = (x.strip(),)",
        "else:",
        "    {f} = _M",
    ],
}


def _lookup(kind: str, i: int) -> list[str]:
    """The lines looking up field ``i``'s raw value ``v{i}`` into ``f{i}`` (``_M``: not found)."""
    name, _, limit = kind.split()[0].partition(":")
    found = _LOOKUP.get(f"{name}:" if limit else name)
    if found is None:
        return []
    return [line.format(f=f"f{i}", v=f"v{i}", i=i, n=limit) for line in found]


def _builder_source(
    cls: type[Any],
    fields: Sequence[attrs.Attribute[Any]],
    kinds: Sequence[str],
    extras: int,
    namespace: Mapping[str, Any],
) -> str:
    """The source of :func:`builder`'s function for ``cls``.

    ``build`` takes an object holding every field (what this library writes): the
    values are taken in one call, and a field whose value is remembered costs one
    lookup.  Any other object (a field left out, an unhashable value where text
    belongs) goes to ``build_any``, which reads each field on its own.  Every name
    either binds is generated (``_r0``, ``_t0``...: the field's index, never its
    name), and each key it reads is a field name, a Python identifier, written
    with ``repr``.
    """
    head = [
        "    if data.__class__ is not dict or not _names(data):",
        "        raise _Unusual",
    ]
    # What attrs.validators.get_disabled() answers, read as attrs' own __init__ reads
    # it (no call per object).
    validated = ["    if _attrs_config._run_validators is not True:", "        raise _Unusual"]
    if not any(a.validator is not None for a in fields):
        validated = []
    for i in range(extras):
        head += [
            f"    if _x{i}[0] in data and not _x{i}[1](data[_x{i}[0]]):",
            "        raise _Unusual",
        ]
    head += validated  # __init__ would skip the validators: the reporting pass decides
    # The stores of the trusted maker (hcpcs_home._trusted), written here so that no
    # call is made for them: each field straight into its slot of the store twin, then
    # the instance given the class itself.
    tail = ["    self = _new(_twin)"]
    tail += [f"    self.{a.name} = f{i}" for i, a in enumerate(fields)]
    tail.append("    self.__class__ = _cls")
    for i, (a, kind) in enumerate(zip(fields, kinds, strict=True)):
        if kind.endswith(" self"):  # made once the fields before it are stored
            tail += [
                f"    if f{i} is _M:",
                f"        f{i} = _d{i}(self)",
                f"        _set(self, {a.name!r}, f{i})",
            ]
    for i, a in enumerate(fields):
        if a.validator is None:
            continue
        if f"_ok{i}" not in namespace:
            tail.append(f"    _v{i}(self, _a{i}, f{i})")
            continue
        # A validator settled by its value alone (_fields.settled_by) runs once for each
        # value that passes its test, not for every object.
        tail += [
            f"    if f{i} not in _ok{i}:",
            f"        _v{i}(self, _a{i}, f{i})",
            f"        _keep{i}(f{i})",
        ]
    if "_post" in namespace and namespace["_post"] is not None:
        tail += _post_source(namespace["_post"], [a.name for a in fields])
    elif getattr(cls, "__attrs_post_init__", None) is not None:
        tail.append("    _post_init(self)")
    tail.append("    return self")

    # All fields present and nothing else: no key can be unknown.
    quick = (
        head
        if extras
        else ["    if data.__class__ is not dict:", "        raise _Unusual", *validated]
    )
    fast = _fast_lookups(kinds, quick, len(fields), check_length=not extras)
    careful = ["def build_any(data):", *head, "    _built[0] += 1"]
    for i, (a, kind) in enumerate(zip(fields, kinds, strict=True)):
        careful.append(f"    v = data.get({a.name!r}, _M)")
        if kind.startswith("nested"):
            careful += ["    if v is not _M:", f"        f{i} = _r{i}(v)"]
        else:
            careful += [
                "    k = v.__class__",
                "    if k is str or v is None:",
                f"        f{i} = _t{i}.get(v, _M)",
                "    elif k is int:",
                f"        f{i} = _n{i}.get(v, _M)",
                "    elif k is bool:",
                f"        f{i} = _b{i}.get(v, _M)",
                "    elif k is list and not v:",
                f"        f{i} = _t{i}.get((), _M)",
                "    else:",
                f"        f{i} = _M",
                f"    if f{i} is not _M:",
                "        pass",
                "    elif v is not _M:",
                f"        f{i} = _r{i}(v)",
            ]
        careful.append("    else:")
        default = kind.split()[1]
        if default == "required":
            careful.append("        raise _Unusual")
        elif default == "self":
            careful.append(f"        f{i} = _M")
        elif default == "made":
            careful.append(f"        f{i} = _d{i}(None)")
        else:
            careful.append(f"        f{i} = _d{i}")
    return "\n".join([*fast, *tail, "", *careful, *tail, ""])


def _fast_lookups(
    kinds: Sequence[str], head: list[str], count: int, *, check_length: bool
) -> list[str]:
    """The body of ``build`` up to storing the values: take them all, look each up,
    read the ones not remembered.  With ``check_length``, an object holding more keys
    than the fields goes to ``build_any``."""
    raw = ", ".join(f"v{i}" for i in range(count))
    out = ["def build(data):", *head, "    try:"]
    out.append(f"        {raw}{',' if count == 1 else ''} = _values(data)")
    for i, kind in enumerate(kinds):
        out += [f"        {line}" for line in _lookup(kind, i)]
    out += ["    except (KeyError, TypeError):", "        return build_any(data)"]
    if check_length:
        out += [f"    if len(data) != {count}:", "        return build_any(data)"]
    out.append("    _built[0] += 1")
    for i, kind in enumerate(kinds):
        if kind.startswith("nested-list"):  # an empty list: what its reader gives it
            out.append(f"    f{i} = () if v{i}.__class__ is list and not v{i} else _r{i}(v{i})")
        elif kind.startswith("nested"):
            out.append(f"    f{i} = _r{i}(v{i})")
        elif ":" in kind.split()[0]:  # looked up inline: read here where not found
            out += [f"    if f{i} is _M:", f"        f{i} = _r{i}(v{i})"]
    return out


class PostInit:
    """A class's ``__attrs_post_init__`` as a function of field values, for
    :func:`compiled_builder`: the post-init sets field ``sets`` to
    ``settle(*values of reads)`` (or raises) and does nothing else.  A post-init is a
    Python call per object, where the compiled reader looks its result up by the
    values it reads: :attr:`results` remembers what ``settle`` gave (at most
    :data:`_POST_REMEMBERED` results, the first kept dropped first), never an error.

    The values are what the fields' converters gave for JSON leaves (exact ``str``,
    ``int``, ``bool``, ``None`` and the converters' own values), so equal values are
    values of one type, and give one result.
    """

    __slots__ = ("reads", "results", "sets", "settle")

    def __init__(self, sets: str, reads: Sequence[str], settle: Callable[..., Any]) -> None:
        self.sets = sets
        self.reads = tuple(reads)
        self.settle = settle
        self.results: dict[tuple[Any, ...], Any] = {}

    def __call__(self, values: tuple[Any, ...]) -> Any:
        """``settle``'s result for ``values`` (worked out, then remembered), or its error."""
        result = self.settle(*values)
        keep(self.results, values, result, _POST_REMEMBERED)
        return result


def _post_source(post: PostInit, names: Sequence[str]) -> list[str]:
    """The lines of a compiled reader's tail that do what ``post`` says the class's
    post-init does: the result looked up by the values read (``_post.results``), else
    worked out, and stored where it is not the value the field holds (the bound
    ``_post_get`` is ``post.results.get``)."""
    index = {name: i for i, name in enumerate(names)}
    values = ", ".join(f"f{index[name]}" for name in post.reads)
    kept = f"f{index[post.sets]}"
    return [
        f"    _pk = ({values},)",
        "    _pv = _post_get(_pk, _M)",
        "    if _pv is _M:",
        "        _pv = _post(_pk)",
        f"    if _pv is not {kept}:",
        f"        _set(self, {post.sets!r}, _pv)",
    ]


class _Passed:
    """Remember a value its validator passed, where the validator's test
    (:func:`~hcpcs_home._fields.settled_by`) says it passes on any instance."""

    __slots__ = ("passed", "test")

    def __init__(self, test: Callable[[Any], bool], passed: dict[Any, bool]) -> None:
        self.test = test
        self.passed = passed

    def __call__(self, value: Any) -> None:
        if self.test(value):
            if len(self.passed) >= _REMEMBERED:
                self.passed.clear()
            self.passed[value] = True


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
