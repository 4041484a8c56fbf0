"""Vocabularies: the named predicates and fixers rules are built from.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator, Mapping
from types import MappingProxyType
from typing import TYPE_CHECKING, Any, Generic, TypeVar

import attrs

from .._trusted import maker
from .._values import lazy_methods
from ..errors import HcpcsError, InvalidFieldError, RuleSetLoadError
from .context import Context
from .predicates import And, Fixer, Leaf, Not, Or, Predicate, PredicateFactory

if TYPE_CHECKING:
    pass

__all__ = ["Fix", "Vocabulary"]

_T = TypeVar("_T")

try:
    # What string.Formatter().parse calls: the string module itself (and the regex its
    # Template class compiles) is then not imported by a check, 2.6M instructions of a
    # fresh process's first check.
    from _string import formatter_parser as _parse  # type: ignore[import-not-found]
except ImportError:  # pragma: no cover  # a Python without CPython's _string
    import string

    _parse = string.Formatter().parse


def _format_fields(template: str) -> Iterator[tuple[str, str | None, str | None, str | None]]:
    """``string.Formatter().parse(template)``: each literal text and the placeholder after
    it (name, format spec, conversion; ``None`` where there is none).

    :raises ValueError: ``template`` is not a format string.
    """
    return _parse(template)  # type: ignore[no-any-return]


def inline(
    fn: Callable[[Context], bool], expression: str, **values: Any
) -> Callable[[Context], bool]:
    """Mark a predicate's test ``fn`` as the Python ``expression`` over ``ctx``, so that a
    rule set's generated line checker writes it in place instead of calling ``fn``.

    ``{name}`` placeholders in the expression stand for ``values``, which the
    generated code binds under generated names (a value is never written into
    the source).  ``fn`` stays the test everywhere else and must compute the
    same thing: a family module states it once as a lambda, once as text.

    >>> test = inline(lambda ctx: ctx.line.units > 4, "ctx.line.units > {n}", n=4)
    >>> test.__inline__
    ('ctx.line.units > {n}', {'n': 4})

    A value that is a :class:`ClaimFact` stands for the fact of the line's claim:
    the generated code works it out at the first line that reads it and keeps it
    for the claim's other lines.

    The expression is compiled with the line checker it is written into, not here
    (a fresh process then compiles only the expressions its claims' rules use).
    """
    names = {n for _, n, _, _ in _format_fields(expression) if n is not None}
    if names != set(values):
        raise InvalidFieldError(
            "expression", expression, f"names {sorted(names)}, not {sorted(values)}"
        )
    fn.__inline__ = (expression, values)  # type: ignore[attr-defined]
    return fn


def keyed(fn: Callable[[Context], bool], codes: Iterable[str]) -> Callable[[Context], bool]:
    """Mark a predicate's test ``fn`` as holding only for lines whose code is one of
    ``codes``, so that a rule set's generated line checker can look the line's code
    up in a table of such rules (one dict lookup per line, whatever the number of
    rules) instead of testing each rule in turn.

    ``fn`` must be false for every other line and for claim contexts.

    >>> test = keyed(lambda ctx: ctx.line is not None and ctx.line.code == "T1019", ["T1019"])
    >>> sorted(test.__line_codes__)
    ['T1019']
    """
    fn.__line_codes__ = frozenset(codes)  # type: ignore[attr-defined]
    return fn


def code_level(
    fn: Callable[[Context], bool], settle: Callable[[Context], bool | None] | None = None
) -> Callable[[Context], bool]:
    """Mark a predicate's test ``fn`` as settled by the line's code, so that a rule set's
    compiled checker works it out once per code (for a payer, type of bill and catalog)
    instead of on every line: ``settle(ctx)`` answers for every line of ``ctx``'s code,
    ``True`` or ``False``, or ``None`` where the code leaves it to the line.  Without
    ``settle``, ``fn`` itself answers (it reads nothing but the code).

    ``settle`` may read ``ctx.code``, ``ctx.line.code``, ``ctx.payer``, ``ctx.catalog``
    (``ctx.lookup``) and the claim's type of bill, never anything else of the line or
    the claim (its dates, units, modifiers, services): where it answers, it must be
    what ``fn`` gives on every such line.

    >>> test = code_level(lambda ctx: ctx.code is not None)
    >>> test.__code_level__ is test
    True
    """
    fn.__code_level__ = fn if settle is None else settle  # type: ignore[attr-defined]
    return fn


def _line_codes(p: Predicate) -> frozenset[str] | None:
    """The codes a predicate can hold for, where a :func:`keyed` part of it says so
    (a keyed leaf, or a conjunction with one); ``None`` where any code may do."""
    if type(p) is Leaf:
        found: frozenset[str] | None = getattr(p._fn, "__line_codes__", None)
        return found
    if type(p) is And:
        for operand in p.operands():
            found = _line_codes(operand)
            if found is not None:
                return found
    return None


#: What a claim memo gives for a fact not yet worked out (a fact's value may be ``None``).
_NOT_YET: Any = object()


class ClaimFact(Generic[_T]):
    """A fact of the whole claim, worked out once per claim by ``compute`` from any
    context of the claim: a family's typed home for a fact its rules share.

    Rules read it with :meth:`of` (``ClaimFact[T].of(ctx) -> T``, so mypy checks
    what they read, and a misspelt fact is an undefined name, never a key no
    rule wrote); a value given to :func:`inline` as one, the generated line
    checker reads it once per claim (at the first line that asks) instead of
    calling the predicate on every line.

    ``compute`` must give the same value for every line of a claim (it reads
    ``ctx.claim``, ``ctx.payer``, other facts, never the line), and must be what
    the predicate's plain test reads, so the two agree.  Do not change the value
    it gives: every rule of the claim reads the same object.
    """

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[Context], _T]) -> None:
        self.compute = compute

    def of(self, ctx: Context) -> _T:
        """The fact for the context's claim, worked out by the first rule that asks and
        kept in the claim memo under this object (a fact that raises is asked again).

        >>> from hcpcs_home import Claim, payers
        >>> lines = ClaimFact(lambda ctx: len(ctx.claim.lines))
        >>> ctx = Context.for_claim(Claim(payers.MEDICARE, "2024-03-01", "2024-03-31"))
        >>> lines.of(ctx), lines in ctx.claim_memo
        (0, True)
        """
        # get, not try: every fact is missing at its claim's first read (most are read
        # once: the compiled checker keeps them per claim), and raising and catching
        # KeyError there costs ~15 times the lookup that a hit through get adds.
        memo = ctx.claim_memo
        found = memo.get(self, _NOT_YET)
        if found is _NOT_YET:
            found = memo[self] = self.compute(ctx)
        return found  # type: ignore[no-any-return]

    def __repr__(self) -> str:
        return f"ClaimFact({getattr(self.compute, '__name__', self.compute)!r})"


class LineFact(Generic[_T]):
    """A fact of one line that several rules of the line read, worked out once per line
    by ``compute``: the per-line counterpart of :class:`ClaimFact`, kept in the
    context's line memo (``Context.memo``) under this object.

    >>> from hcpcs_home import Claim, ClaimLine, payers
    >>> units = LineFact(lambda ctx: ctx.line.units * 2)
    >>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31",
    ...               lines=[ClaimLine("G0299", "2024-03-04", 3)])
    >>> units.of(Context.for_line(claim, 0))
    6
    """

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[Context], _T]) -> None:
        self.compute = compute

    def of(self, ctx: Context) -> _T:
        """The fact for the context's line, worked out by the first rule that asks."""
        memo = ctx.memo
        try:
            return memo[self]  # type: ignore[no-any-return]
        except KeyError:
            found = memo[self] = self.compute(ctx)
            return found

    def __repr__(self) -> str:
        return f"LineFact({getattr(self.compute, '__name__', self.compute)!r})"


def _predicate_name(name: object, path: str) -> str:
    if not isinstance(name, str) or not name.isascii() or not name.isidentifier():
        raise RuleSetLoadError(path, f"predicate name {name!r} is not an ASCII identifier")
    return name


def _fix_name(name: object, path: str) -> str:
    if (
        not isinstance(name, str)
        or not name
        or not name.isascii()
        or not name[0].isalpha()
        or not name.replace("-", "").replace("_", "").isalnum()  # letters, digits, - and _
    ):
        raise RuleSetLoadError(path, f"fixer name {name!r} is not a kebab-case ASCII name")
    return name


class Fix(str):
    """A fixer's name that carries the fixer: what a :class:`Rule`'s ``fix`` holds.

    It is the name (equal to it, printed and saved as it), so a rule set saves
    and compares by names; build one with :meth:`Vocabulary.fix`.
    """

    fn: Fixer

    def __new__(cls, name: str, fn: Fixer) -> Fix:
        self = super().__new__(cls, name)
        self.fn = fn
        return self

    def __reduce__(self) -> tuple[Any, ...]:
        return (Fix, (str(self), self.fn))


def _frozen_mapping(value: Mapping[str, Any]) -> Mapping[str, Any]:
    return MappingProxyType(dict(value))


def _name_set(value: Iterable[str]) -> frozenset[str]:
    if isinstance(value, str):
        raise InvalidFieldError("header_level", value, "must be a set of predicate names")
    return frozenset(value)


@attrs.frozen(slots=True)
@lazy_methods
class Vocabulary:
    """The named predicates and fixers rules may use: a value, built once and passed in.

    A rule set is built from a vocabulary's entries and a saved rule set names
    them, so loading one needs the vocabulary it was built with
    (:meth:`RuleSet.from_json`).  Add your own entries with :meth:`with_predicate`
    and :meth:`with_fixer`, which return a new vocabulary (nothing global
    changes), or join two with ``|``.

    >>> vocab = Vocabulary().with_predicate(
    ...     "long_shift", lambda hours=12: lambda ctx: ctx.line.units > hours * 4)
    >>> print(vocab.predicate("long_shift", hours=10))
    long_shift(hours=10)
    >>> vocab.predicate("units²")  # doctest: +ELLIPSIS
    Traceback (most recent call last):
      ...
    hcpcs_home.errors.RuleSetLoadError: predicate: ... 'units²' is not an ASCII identifier

    :ivar predicates: predicate factories by name.
    :ivar fixers: fixers by name.
    :ivar header_level: names of predicates that read nothing but the payer and the
        type of bill: a check settles them once per payer and type of bill, for
        every claim of that payer and bill, instead of testing them on every line.
        A predicate that reads any other field of the claim (its dates, condition
        or value codes) is not header-level, or claims would share its answer.
    """

    predicates: Mapping[str, PredicateFactory] = attrs.field(
        factory=dict, converter=_frozen_mapping
    )
    fixers: Mapping[str, Fixer] = attrs.field(factory=dict, converter=_frozen_mapping)
    header_level: frozenset[str] = attrs.field(factory=frozenset, converter=_name_set)

    def __attrs_post_init__(self) -> None:
        for name in self.predicates:
            _predicate_name(name, "predicates")
        for name in self.fixers:
            _fix_name(name, "fixers")
        unknown = self.header_level - set(self.predicates)
        if unknown:
            raise InvalidFieldError("header_level", sorted(unknown), "names no predicate")

    def __reduce__(self) -> tuple[Any, ...]:
        return (Vocabulary, (dict(self.predicates), dict(self.fixers), self.header_level))

    def with_predicate(
        self, name: str, factory: PredicateFactory, *, header_level: bool = False
    ) -> Vocabulary:
        """A vocabulary with ``factory`` added (or replaced) under ``name``.

        Declare ``header_level=True`` only when the function reads nothing but
        ``ctx.payer`` and ``ctx.claim`` header fields.
        """
        _predicate_name(name, "predicate")
        levels = self.header_level | {name} if header_level else self.header_level - {name}
        return Vocabulary({**self.predicates, name: factory}, self.fixers, levels)

    def with_fixer(self, name: str, fixer: Fixer) -> Vocabulary:
        """A vocabulary with ``fixer`` added (or replaced) under ``name``."""
        _fix_name(name, "fixer")
        return Vocabulary(self.predicates, {**self.fixers, name: fixer}, self.header_level)

    def __or__(self, other: Vocabulary) -> Vocabulary:
        """Both vocabularies' entries; a name both define must be the same entry."""
        if not isinstance(other, Vocabulary):
            return NotImplemented
        for mine, theirs, what in (
            (self.predicates, other.predicates, "predicate"),
            (self.fixers, other.fixers, "fixer"),
        ):
            for name in mine.keys() & theirs.keys():
                if mine[name] is not theirs[name]:
                    raise InvalidFieldError(what, name, "is defined differently by both")
        # Both sides' names were checked when they were built: the union is stored as is
        # (the default vocabulary is the union of a dozen families, built at import).
        return maker(Vocabulary)(
            _frozen_mapping({**self.predicates, **other.predicates}),
            _frozen_mapping({**self.fixers, **other.fixers}),
            self.header_level | other.header_level,
        )

    def predicate(self, name: str, /, **params: Any) -> Leaf:
        """The predicate ``name`` with its parameters.

        :raises RuleSetLoadError: no predicate of that name, or bad parameters.
        """
        _predicate_name(name, "predicate")
        factory = self.predicates.get(name)
        if factory is None:
            raise RuleSetLoadError("predicate", f"unknown predicate name {name!r}")
        for key in params:
            _predicate_name(key, f"{name}.args")
        try:
            fn = factory(**params)
        except (TypeError, ValueError, HcpcsError) as exc:
            # ValueError: enum parameters reject unknown values that way.
            raise RuleSetLoadError("predicate", f"bad parameters for {name!r}: {exc}") from None
        return Leaf(name, params, fn, factory=factory, header_level=name in self.header_level)

    def fix(self, name: str) -> Fix:
        """The fixer ``name``, as a :class:`Fix` for a :class:`Rule`'s ``fix``.

        :raises RuleSetLoadError: no fixer of that name.
        """
        _fix_name(name, "fix")
        fn = self.fixers.get(name)
        if fn is None:
            raise RuleSetLoadError("fix", f"unknown fixer {name!r}")
        return Fix(name, fn)

    def names(self) -> list[str]:
        """The predicate names, sorted."""
        return sorted(self.predicates)


def _predicate_from_data(data: Any, path: str, vocabulary: Vocabulary, depth: int = 0) -> Predicate:
    if depth > _MAX_DEPTH:
        raise RuleSetLoadError(path, f"nests predicates more than {_MAX_DEPTH} deep")
    if isinstance(data, str):
        try:
            return vocabulary.predicate(data)
        except RuleSetLoadError as exc:
            raise RuleSetLoadError(path, exc.reason) from None
    if isinstance(data, dict) and len(data) == 1:
        ((key, value),) = data.items()
        if key == "not":
            return Not(_predicate_from_data(value, f"{path}.not", vocabulary, depth + 1))
        if key in ("all", "any") and isinstance(value, list) and value:
            parts = [
                _predicate_from_data(v, f"{path}.{key}[{i}]", vocabulary, depth + 1)
                for i, v in enumerate(value)
            ]
            combined = parts[0]
            for p in parts[1:]:
                combined = And(combined, p) if key == "all" else Or(combined, p)
            return combined
    if isinstance(data, dict) and set(data) <= {"name", "args"} and "name" in data:
        args = data.get("args", {})
        if not isinstance(args, dict):
            raise RuleSetLoadError(f"{path}.args", "must be an object")
        try:
            return vocabulary.predicate(data["name"], **args)
        except RuleSetLoadError as exc:
            raise RuleSetLoadError(path, exc.reason) from None
    raise RuleSetLoadError(path, f"is not a predicate: {_short(data)}")


#: How deep a saved predicate tree may nest (a tree is written by people).
_MAX_DEPTH = 64


def _short(value: Any, limit: int = 80) -> str:
    """``repr(value)``, cut to ``limit`` characters (error messages echo input)."""
    return _clip(repr(value), limit)


def _clip(text: str, limit: int) -> str:
    return text if len(text) <= limit else text[: limit - 3] + "..."
