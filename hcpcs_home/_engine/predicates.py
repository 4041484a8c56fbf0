"""Predicates: yes/no tests of a context, combined with ``&``, ``|``, ``~``.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

import enum
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..errors import InvalidFieldError
from .context import Context

if TYPE_CHECKING:
    from .explanation import Explanation

__all__ = ["And", "Leaf", "Not", "Or", "Predicate"]


def _all_of(fns: Sequence[Callable[[Context], bool]]) -> Callable[[Context], bool]:
    """One function testing ``fns`` in order with short-circuit (no nested calls)."""
    if not fns:
        return lambda ctx: True
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        a, b = fns
        return lambda ctx: a(ctx) and b(ctx)
    if len(fns) == 3:
        a, b, c = fns
        return lambda ctx: a(ctx) and b(ctx) and c(ctx)
    a, b, c = fns[:3]
    rest = _all_of(fns[3:])
    return lambda ctx: a(ctx) and b(ctx) and c(ctx) and rest(ctx)


def _any_of(fns: Sequence[Callable[[Context], bool]]) -> Callable[[Context], bool]:
    """One function testing ``fns`` in order until one holds."""
    if len(fns) == 1:
        return fns[0]
    if len(fns) == 2:
        a, b = fns
        return lambda ctx: a(ctx) or b(ctx)
    a, b = fns[:2]
    rest = _any_of(fns[2:])
    return lambda ctx: a(ctx) or b(ctx) or rest(ctx)


class Predicate:
    """A yes/no test of a :class:`Context`.  Combine with ``&``, ``|``, ``~``.

    Subclasses are immutable; combining never copies the operands.  Calling a
    predicate evaluates it; :meth:`explain` also says which parts held.
    """

    __slots__ = ("_fn",)
    _fn: Callable[[Context], bool]

    def __call__(self, ctx: Context) -> bool:
        return self._fn(ctx)

    def matches(self, ctx: Context) -> bool:
        """Whether the predicate holds for ``ctx`` (the same as calling it)."""
        return self._fn(ctx)

    def filter(self, contexts: Iterable[Context]) -> Iterator[Context]:
        """Lazily yield the contexts the predicate holds for."""
        fn = self._fn
        return (c for c in contexts if fn(c))

    def explain(self, ctx: Context) -> Explanation:
        """Evaluate every node of the tree for ``ctx`` (no short-circuit)."""
        from .explanation import Explanation  # defined on the first explanation

        return Explanation(str(self), self._fn(ctx))

    def to_data(self) -> Any:
        """The predicate as plain JSON data (see :meth:`RuleSet.to_json`)."""
        raise NotImplementedError

    def __and__(self, other: Predicate) -> Predicate:
        return And(self, _check_predicate(other))

    def __or__(self, other: Predicate) -> Predicate:
        return Or(self, _check_predicate(other))

    def __invert__(self) -> Predicate:
        return Not(self)

    def __eq__(self, other: object) -> bool:
        if type(self) is not type(other):
            return NotImplemented
        return bool(self._key() == other._key())

    def __hash__(self) -> int:
        return hash((type(self).__name__, self._key()))

    def _key(self) -> Any:
        raise NotImplementedError

    @property
    def header_level(self) -> bool:
        """Whether the predicate reads only the claim header (the payer and type of bill).

        :func:`check` settles such parts once per payer and type of bill, not per line.
        """
        return False

    def _specialize(self, header: Context) -> bool | Predicate:
        """``True``/``False`` where the claim header settles the predicate, else the
        residual predicate: this tree without the parts the header settled (the tree
        itself where it settled none)."""
        return bool(self._fn(header)) if self.header_level else self

    def _settle_code(self, ctx: Context) -> bool | Predicate:
        """``True``/``False`` where the line's code settles the predicate for every line
        of that code (with this payer, type of bill and catalog), else the residual
        predicate (the tree itself where the code settled none of it).

        ``ctx`` is a line context of that code.  Only the parts a family marked with
        ``code_level`` are settled, and only where a plain evaluation would give the
        same answer: an operand that an earlier, unsettled operand may keep from being
        evaluated (one that may raise) is kept as it is (see :meth:`_Junction._settle_code`).
        """
        return self

    def __repr__(self) -> str:
        return f"<Predicate {self}>"

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_fn"):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)


#: Stores a field of a predicate being built (its __setattr__ refuses once it is).
_set = object.__setattr__


def _check_predicate(value: object) -> Predicate:
    if not isinstance(value, Predicate):
        raise InvalidFieldError("predicate", value, "is not a Predicate")
    return value


class Leaf(Predicate):
    """A named predicate of a :class:`Vocabulary`, with its keyword parameters.

    Build one with :meth:`Vocabulary.predicate`.
    """

    __slots__ = ("_factory", "_header_level", "name", "params")
    name: str
    params: tuple[tuple[str, Any], ...]
    _factory: PredicateFactory | None
    _header_level: bool

    def __init__(
        self,
        name: str,
        params: Mapping[str, Any],
        fn: Callable[[Context], bool],
        *,
        factory: PredicateFactory | None = None,
        header_level: bool = False,
    ) -> None:
        # Stored past the immutability guard of __setattr__ (it asks for _fn, which is
        # set last): a few hundred leaves are built when the default rules load.
        _set(self, "name", name)
        _set(self, "params", tuple(sorted(params.items())))
        _set(self, "_factory", factory)
        _set(self, "_header_level", header_level)
        _set(self, "_fn", fn)

    def _key(self) -> Any:
        return (self.name, tuple((k, _freeze(v)) for k, v in self.params))

    @property
    def header_level(self) -> bool:
        return self._header_level

    def _settle_code(self, ctx: Context) -> bool | Predicate:
        fn = self._fn
        codes = getattr(fn, "__line_codes__", None)  # keyed: false for any other code
        if codes is not None and ctx.line is not None and ctx.line.code not in codes:
            return False
        settle = getattr(fn, "__code_level__", None)
        if settle is None:
            return self
        try:
            found = settle(ctx)
        except Exception:  # left to the line, whose evaluation reports it
            return self
        return self if found is None else bool(found)

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.params)})"

    def to_data(self) -> Any:
        if not self.params:
            return self.name
        return {"name": self.name, "args": {k: _jsonable(v) for k, v in self.params}}

    def __reduce__(self) -> tuple[Any, ...]:
        # The function is a closure: pickle the factory (a module-level function,
        # pickled by reference) and the parameters, and build it again.
        if self._factory is None:
            raise TypeError(f"predicate {self.name!r} was built without a factory")
        return (_rebuild_leaf, (self.name, dict(self.params), self._factory, self._header_level))


def _rebuild_leaf(
    name: str, params: dict[str, Any], factory: PredicateFactory, header_level: bool
) -> Leaf:
    return Leaf(name, params, factory(**params), factory=factory, header_level=header_level)


def _freeze(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return tuple(_freeze(v) for v in value)
    return value


def _jsonable(value: Any) -> Any:
    if isinstance(value, (list, tuple, set, frozenset)):
        return [_jsonable(v) for v in value]
    if isinstance(value, enum.Enum):
        return value.value
    return value


class _Junction(Predicate):
    """What ``And`` and ``Or`` share: flattened operands, text, explanation, JSON."""

    __slots__ = ("left", "right")
    left: Predicate
    right: Predicate
    #: The operand value that settles the whole (False for ``&``, True for ``|``).
    _settles: ClassVar[bool]
    _symbol: ClassVar[str]
    _data_key: ClassVar[str]

    def __init__(self, left: Predicate, right: Predicate) -> None:
        _set(self, "left", left)  # past the guard, as Leaf stores its fields
        _set(self, "right", right)
        _set(self, "_fn", self._join((left._fn, right._fn)))

    def _key(self) -> Any:
        # Flattened, like str() and to_data(), so a & (b & c) == (a & b) & c and a
        # rule set equals itself after a JSON round trip (which rebuilds left-nested).
        return tuple(self.operands())

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.left, self.right))

    @property
    def header_level(self) -> bool:
        return all(p.header_level for p in self.operands())

    def _specialize(self, header: Context) -> bool | Predicate:
        operands = list(self.operands())
        rest: list[Predicate] = []
        for p in operands:
            part = p._specialize(header)
            if isinstance(part, bool):
                if part is self._settles:
                    return part
            else:
                rest.append(part)
        return self._rebuilt(rest, operands)

    def _settle_code(self, ctx: Context) -> bool | Predicate:
        operands = list(self.operands())
        rest: list[Predicate] = []
        for p in operands:
            part = p._settle_code(ctx)
            if isinstance(part, bool):
                if part is not self._settles:
                    continue  # neutral: evaluating it changes nothing
                if not rest:  # everything before it is neutral: it settles the whole
                    return part
                # Operands before it are still evaluated first (and may raise): they
                # stay, then it, as it was; nothing after it is ever evaluated.
                rest.append(p)
                break
            rest.append(part)
        return self._rebuilt(rest, operands)

    def _rebuilt(self, rest: list[Predicate], operands: list[Predicate]) -> bool | Predicate:
        """What is left of this node once its ``operands`` were settled into ``rest``
        (the value of an empty node; the node itself where nothing changed)."""
        if not rest:
            return not self._settles
        if len(rest) == len(operands) and all(a is b for a, b in zip(rest, operands, strict=True)):
            return self
        residual = rest[0]
        for p in rest[1:]:
            residual = type(self)(residual, p)
        return residual

    def operands(self) -> Iterator[Predicate]:
        """The operands of this node and of directly nested nodes of its kind, flattened."""
        for side in (self.left, self.right):
            if type(side) is type(self):
                yield from side.operands()
            else:
                yield side

    def __str__(self) -> str:
        return self._symbol.join(_wrap(p, _Junction) for p in self.operands())

    def explain(self, ctx: Context) -> Explanation:
        children = tuple(p.explain(ctx) for p in self.operands())
        settled = any(c.held is self._settles for c in children)
        from .explanation import Explanation

        return Explanation(str(self), self._settles if settled else not self._settles, children)

    def to_data(self) -> Any:
        return {self._data_key: [p.to_data() for p in self.operands()]}

    def _join(self, fns: Sequence[Callable[[Context], bool]]) -> Callable[[Context], bool]:
        raise NotImplementedError


class And(_Junction):
    """Holds when both operands hold (evaluation short-circuits)."""

    __slots__ = ()
    _settles = False
    _symbol = " & "
    _data_key = "all"

    def _join(self, fns: Sequence[Callable[[Context], bool]]) -> Callable[[Context], bool]:
        return _all_of(fns)


class Or(_Junction):
    """Holds when either operand holds (evaluation short-circuits)."""

    __slots__ = ()
    _settles = True
    _symbol = " | "
    _data_key = "any"

    def _join(self, fns: Sequence[Callable[[Context], bool]]) -> Callable[[Context], bool]:
        return _any_of(fns)


class Not(Predicate):
    """Holds when its operand does not."""

    __slots__ = ("operand",)

    def __init__(self, operand: Predicate) -> None:
        self.operand = operand
        a = operand._fn
        self._fn = lambda ctx: not a(ctx)

    def _key(self) -> Any:
        return (self.operand,)

    def __reduce__(self) -> tuple[Any, ...]:
        return (Not, (self.operand,))

    def __invert__(self) -> Predicate:
        return self.operand

    @property
    def header_level(self) -> bool:
        return self.operand.header_level

    def _specialize(self, header: Context) -> bool | Predicate:
        part = self.operand._specialize(header)
        if isinstance(part, bool):
            return not part
        return self if part is self.operand else Not(part)

    def _settle_code(self, ctx: Context) -> bool | Predicate:
        part = self.operand._settle_code(ctx)
        if isinstance(part, bool):
            return not part
        return self if part is self.operand else Not(part)

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"~{inner}" if isinstance(self.operand, Leaf) else f"~({inner})"

    def explain(self, ctx: Context) -> Explanation:
        child = self.operand.explain(ctx)
        from .explanation import Explanation

        return Explanation(str(self), not child.held, (child,))

    def to_data(self) -> Any:
        return {"not": self.operand.to_data()}


def _wrap(p: Predicate, looser: type) -> str:
    return f"({p})" if isinstance(p, looser) else str(p)


#: A predicate factory takes the predicate's keyword parameters (JSON values) and
#: returns a function of a :class:`Context`.
PredicateFactory = Callable[..., Callable[[Context], bool]]


#: A fixer returns ``(suggestion text, {field: value}, extra message facts)``.
Fixer = Callable[[Context], tuple[str | None, Mapping[str, str], Mapping[str, Any]]]
