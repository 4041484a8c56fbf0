"""Composable, explainable billing rules and :func:`check`.

The model is packaging's ``Marker``: a :class:`Predicate` is an immutable
test over an explicit :class:`Context` (the claim, the payer, one line, the
services that document it and the line's catalog entry), combined with
``&``, ``|`` and ``~`` into a tree that shares its parts and prints the same
way every time.  A :class:`Rule` puts an id, a severity, a message, a source
and an optional fix on a predicate that holds when something is wrong; a
:class:`RuleSet` is an ordered, immutable collection of rules that saves to
and loads from JSON; :func:`check` runs one over a claim and returns a
:class:`Report` of :class:`Finding` values, each with an explanation of which
parts of its predicate held.

>>> from hcpcs_home import policy, payers, Claim, ClaimLine
>>> p = policy.predicate("code_prefix", prefix="S") & ~policy.predicate("payer_accepts_code")
>>> print(p)
code_prefix(prefix='S') & ~payer_accepts_code
>>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329",
...               lines=[ClaimLine("S9124", "2024-03-04", 8, revenue_code="0552")])
>>> ctx = policy.Context.for_line(claim, 0)
>>> p(ctx), (~p)(ctx)
(True, False)
>>> print(p.explain(ctx))
✓ code_prefix(prefix='S') & ~payer_accepts_code
  ✓ code_prefix(prefix='S')
  ✓ ~payer_accepts_code
    ✗ payer_accepts_code
"""

from __future__ import annotations

import contextlib
import datetime as _dt
import enum
import html
import json
import keyword
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from typing import Any, ClassVar

import attrs

from .catalog import default_catalog
from .claims import Claim, ClaimLine, Service
from .codes import Code
from .errors import HcpcsError, InvalidFieldError, RuleSetLoadError, UnknownCodeError
from .payers import Payer

__all__ = [
    "And",
    "Context",
    "Explanation",
    "Finding",
    "Leaf",
    "Not",
    "Or",
    "Predicate",
    "Report",
    "Rule",
    "RuleSet",
    "Scope",
    "Severity",
    "check",
    "check_many",
    "predicate",
    "predicate_names",
    "register_fixer",
    "register_predicate",
]


def __dir__() -> list[str]:
    return __all__


class Severity(str, enum.Enum):
    """How bad a finding is.  Only ``ERROR`` makes a report not :attr:`~Report.ok`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class Scope(str, enum.Enum):
    """Whether a rule is evaluated once per line or once per claim."""

    LINE = "line"
    CLAIM = "claim"


# --- context -------------------------------------------------------------------


class Context:
    """What a predicate may look at: one claim, its payer and, for line rules, one line.

    Built by :func:`check`; build one yourself with :meth:`for_line` or
    :meth:`for_claim` to test a predicate.  ``memo`` caches facts derived
    from the context (expected units, overlaps...) so that rules sharing a
    fact compute it once; ``claim_memo`` is shared by every line of a claim.

    :ivar claim: the claim.
    :ivar payer: the claim's payer.
    :ivar line: the line, or ``None`` for claim rules.
    :ivar index: the line's position on the claim, or ``None``.
    :ivar services: the services the line points at.
    :ivar code: the line's catalog entry, ``None`` when the code is unknown.
    """

    __slots__ = ("claim", "claim_memo", "code", "index", "line", "memo", "payer", "services")

    def __init__(
        self,
        claim: Claim,
        line: ClaimLine | None = None,
        index: int | None = None,
        claim_memo: dict[str, Any] | None = None,
    ) -> None:
        self.claim = claim
        self.payer: Payer = claim.payer
        self.line = line
        self.index = index
        self.memo: dict[str, Any] = {}
        self.claim_memo: dict[str, Any] = {} if claim_memo is None else claim_memo
        if line is None:
            self.code: Code | None = None
            self.services: tuple[Service, ...] = ()
        else:
            self.code = _catalog_get(line.code)
            by_id = _services_by_id(claim, self.claim_memo)
            self.services = tuple([by_id[i] for i in line.service_ids if i in by_id])

    @classmethod
    def for_line(cls, claim: Claim, index: int) -> Context:
        """The context of ``claim.lines[index]``."""
        return cls(claim, claim.lines[index], index)

    @classmethod
    def for_claim(cls, claim: Claim) -> Context:
        """The context of the claim as a whole (no line)."""
        return cls(claim)

    @property
    def date(self) -> _dt.date:
        """The line's date, or the first day of the statement period for claim rules."""
        return self.line.date if self.line is not None else self.claim.statement_from


def _services_by_id(claim: Claim, claim_memo: dict[str, Any]) -> dict[str, Service]:
    by_id: dict[str, Service] | None = claim_memo.get("services_by_id")
    if by_id is None:
        by_id = claim_memo["services_by_id"] = {s.id: s for s in claim.services}
    return by_id


def _line_contexts(claim: Claim, claim_memo: dict[str, Any]) -> Iterator[Context]:
    """The context of each line of ``claim`` in order, sharing ``claim_memo``.

    The same contexts as ``Context(claim, line, index, claim_memo)``, built without
    the per-line call of ``__init__``: :func:`check` builds one for every line.
    """
    by_id = _services_by_id(claim, claim_memo)
    payer = claim.payer
    codes = _CODES
    new = object.__new__
    for index, line in enumerate(claim.lines):
        ctx: Context = new(Context)
        ctx.claim = claim
        ctx.payer = payer
        ctx.line = line
        ctx.index = index
        ctx.memo = {}
        ctx.claim_memo = claim_memo
        code = line.code
        ctx.code = codes[code] if code in codes else _catalog_get(code)
        ids = line.service_ids
        if len(ids) == 1:  # the usual line: one visit or shift
            service = by_id.get(ids[0])
            ctx.services = () if service is None else (service,)
        else:
            ctx.services = tuple([by_id[i] for i in ids if i in by_id])
        yield ctx


_CODES: dict[str, Code | None] = {}


def _catalog_get(code: str) -> Code | None:
    try:
        return _CODES[code]
    except KeyError:
        try:
            found: Code | None = default_catalog().lookup(code)
        except UnknownCodeError:
            found = None
        _CODES[code] = found
        return found


# --- predicates ----------------------------------------------------------------


@attrs.frozen(slots=True)
class Explanation:
    """Which part of a predicate tree held for one context.

    :ivar predicate: the sub-predicate, as text.
    :ivar held: whether it held.
    :ivar children: explanations of its operands.
    """

    predicate: str
    held: bool
    children: tuple[Explanation, ...] = ()

    def lines(self, depth: int = 0) -> Iterator[str]:
        """The tree as indented ``✓``/``✗`` lines."""
        yield f"{'  ' * depth}{'✓' if self.held else '✗'} {self.predicate}"
        for child in self.children:
            yield from child.lines(depth + 1)

    def __str__(self) -> str:
        return "\n".join(self.lines())


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

    def __repr__(self) -> str:
        return f"<Predicate {self}>"

    def __setattr__(self, name: str, value: Any) -> None:
        if hasattr(self, "_fn"):
            raise AttributeError(f"{type(self).__name__} is immutable")
        object.__setattr__(self, name, value)


def _check_predicate(value: object) -> Predicate:
    if not isinstance(value, Predicate):
        raise InvalidFieldError("predicate", value, "is not a Predicate")
    return value


class Leaf(Predicate):
    """A registered, named predicate with keyword parameters (see :func:`predicate`)."""

    __slots__ = ("name", "params")

    def __init__(self, name: str, params: Mapping[str, Any], fn: Callable[[Context], bool]) -> None:
        self.name = name
        self.params = tuple(sorted(params.items()))
        self._fn = fn

    def _key(self) -> Any:
        return (self.name, tuple((k, _freeze(v)) for k, v in self.params))

    @property
    def header_level(self) -> bool:
        return self.name in _HEADER_LEVEL

    def __str__(self) -> str:
        if not self.params:
            return self.name
        return f"{self.name}({', '.join(f'{k}={v!r}' for k, v in self.params)})"

    def to_data(self) -> Any:
        if not self.params:
            return self.name
        return {"name": self.name, "args": {k: _jsonable(v) for k, v in self.params}}

    def __reduce__(self) -> tuple[Any, ...]:
        # The compiled function is a closure: pickle the name and parameters and
        # rebuild through the registry (custom predicates must be registered in
        # the unpickling process too, as for JSON).
        return (_leaf, (self.name, dict(self.params)))


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
    #: The operand value that settles the whole (False for ``&``, True for ``|``).
    _settles: ClassVar[bool]
    _symbol: ClassVar[str]
    _data_key: ClassVar[str]

    def __init__(self, left: Predicate, right: Predicate) -> None:
        self.left = left
        self.right = right
        self._fn = self._join((left._fn, right._fn))

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

    def __str__(self) -> str:
        inner = str(self.operand)
        return f"~{inner}" if isinstance(self.operand, Leaf) else f"~({inner})"

    def explain(self, ctx: Context) -> Explanation:
        child = self.operand.explain(ctx)
        return Explanation(str(self), not child.held, (child,))

    def to_data(self) -> Any:
        return {"not": self.operand.to_data()}


def _wrap(p: Predicate, looser: type) -> str:
    return f"({p})" if isinstance(p, looser) else str(p)


# --- the registry of named predicates and fixers -------------------------------

PredicateFactory = Callable[..., Callable[[Context], bool]]
_PREDICATES: dict[str, PredicateFactory] = {}
_HEADER_LEVEL: set[str] = set()

#: A fixer returns ``(suggestion text, {field: value}, extra message facts)``.
Fixer = Callable[[Context], tuple[str | None, Mapping[str, str], Mapping[str, Any]]]
_FIXERS: dict[str, Fixer] = {}


def register_predicate(
    name: str, *, header_level: bool = False
) -> Callable[[PredicateFactory], PredicateFactory]:
    """Register a predicate factory under ``name`` (for :func:`predicate` and JSON).

    The factory takes the predicate's keyword parameters (JSON values) and
    returns a function of a :class:`Context`.  Its docstring says what the
    predicate tests and cites the source of the rule it encodes.  Declare
    ``header_level=True`` when the function reads only ``ctx.payer`` and
    ``ctx.claim.type_of_bill``: :func:`check` then settles it once per payer
    and type of bill instead of testing it on every line.

    >>> @register_predicate("doc_long_shift")
    ... def _long_shift(hours=12):
    ...     '''The line documents more than ``hours`` hours (house rule).'''
    ...     return lambda ctx: sum(s.minutes or 0 for s in ctx.services) > hours * 60
    >>> print(predicate("doc_long_shift", hours=10))
    doc_long_shift(hours=10)
    """

    def register(factory: PredicateFactory) -> PredicateFactory:
        _PREDICATES[name] = factory
        if header_level:
            _HEADER_LEVEL.add(name)
        else:
            _HEADER_LEVEL.discard(name)
        return factory

    return register


def register_fixer(name: str) -> Callable[[Fixer], Fixer]:
    """Register a fixer under ``name``: it proposes the correction a rule suggests."""

    def register(fixer: Fixer) -> Fixer:
        _FIXERS[name] = fixer
        return fixer

    return register


def predicate(name: str, **params: Any) -> Predicate:
    """The registered predicate ``name`` with its parameters.

    :raises RuleSetLoadError: no predicate of that name, or bad parameters.
    """
    _load_builtins()
    factory = _PREDICATES.get(name) if isinstance(name, str) else None
    if factory is None:
        raise RuleSetLoadError("predicate", f"unknown predicate name {name!r}")
    try:
        fn = factory(**params)
    except (TypeError, ValueError, HcpcsError) as exc:
        # ValueError: enum parameters (code_unit's units, payer_kind's kinds) reject
        # unknown values that way; the docstring promises RuleSetLoadError for all.
        raise RuleSetLoadError("predicate", f"bad parameters for {name!r}: {exc}") from None
    return Leaf(name, params, fn)


def _leaf(name: str, params: dict[str, Any]) -> Predicate:
    return predicate(name, **params)


def predicate_names() -> list[str]:
    """The names of every registered predicate, sorted."""
    _load_builtins()
    return sorted(_PREDICATES)


def _load_builtins() -> None:
    if "code_known" not in _PREDICATES:
        from . import _facts  # noqa: F401  (registers the built-in predicates)


def _predicate_from_data(data: Any, path: str) -> Predicate:
    if isinstance(data, str):
        try:
            return predicate(data)
        except RuleSetLoadError as exc:
            raise RuleSetLoadError(path, exc.reason) from None
    if isinstance(data, dict) and len(data) == 1:
        ((key, value),) = data.items()
        if key == "not":
            return Not(_predicate_from_data(value, f"{path}.not"))
        if key in ("all", "any") and isinstance(value, list) and value:
            parts = [_predicate_from_data(v, f"{path}.{key}[{i}]") for i, v in enumerate(value)]
            combined = parts[0]
            for p in parts[1:]:
                combined = And(combined, p) if key == "all" else Or(combined, p)
            return combined
    if isinstance(data, dict) and set(data) <= {"name", "args"} and "name" in data:
        args = data.get("args", {})
        if not isinstance(args, dict):
            raise RuleSetLoadError(f"{path}.args", "must be an object")
        try:
            return predicate(data["name"], **args)
        except RuleSetLoadError as exc:
            raise RuleSetLoadError(path, exc.reason) from None
    raise RuleSetLoadError(path, f"is not a predicate: {data!r}")


# --- rules, findings, rule sets ------------------------------------------------


def _severity(value: object) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidFieldError("severity", value, "must be error, warning or info") from None


def _rule_id(value: object) -> str:
    if not isinstance(value, str) or not value or not all(c.isalnum() or c == "-" for c in value):
        raise InvalidFieldError("id", value, "must be a non-empty kebab-case id")
    return value


@attrs.frozen(slots=True)
class Rule:
    """One check: a predicate that holds when something is wrong, and what to say.

    :ivar id: stable kebab-case id (``"units-mismatch"``).
    :ivar severity: error, warning or info.
    :ivar message: the finding's message; ``{name}`` placeholders are filled
        from the line (``code``, ``units``, ``date``, ``line``, ``revenue_code``,
        ``modifiers``) and from the fixer's facts.
    :ivar source: manual chapter and section, payer policy or seed.
    :ivar when: the predicate; the rule fires where it holds.
    :ivar fix: name of a registered fixer proposing the correction, or ``None``.
    :ivar field: the line field the finding points at (``"units"``).
    :ivar scope: per line or per claim.
    :ivar effective_from: first date of service the rule applies to.
    :ivar effective_through: last date of service it applies to.
    """

    id: str = attrs.field(converter=_rule_id)
    severity: Severity = attrs.field(converter=_severity)
    message: str
    source: str
    when: Predicate = attrs.field(validator=attrs.validators.instance_of(Predicate))
    fix: str | None = None
    field: str | None = None
    scope: Scope = attrs.field(default=Scope.LINE, converter=Scope)
    effective_from: _dt.date | None = None
    effective_through: _dt.date | None = attrs.field(default=None)

    @effective_through.validator
    def _check_range(self, attribute: attrs.Attribute[Any], value: _dt.date | None) -> None:
        if value is not None and self.effective_from is not None and value < self.effective_from:
            raise InvalidFieldError(
                "effective_through", value, f"is before effective_from={self.effective_from}"
            )

    def applies_on(self, day: _dt.date) -> bool:
        """Whether the rule is in effect for a date of service."""
        return (self.effective_from is None or self.effective_from <= day) and (
            self.effective_through is None or day <= self.effective_through
        )

    def evaluate(self, ctx: Context) -> Finding | None:
        """The finding for ``ctx``, or ``None`` when the rule does not fire."""
        if not self.applies_on(ctx.date) or not self.when._fn(ctx):
            return None
        return self._finding(ctx)

    def _finding(self, ctx: Context) -> Finding:
        suggestion: str | None = None
        fix: Mapping[str, str] = {}
        facts: dict[str, Any] = _line_facts(ctx)
        if self.fix is not None:
            suggestion, fix, extra = _FIXERS[self.fix](ctx)
            facts.update(extra)
        return Finding(
            rule_id=self.id,
            severity=self.severity,
            message=self.message.format_map(_Facts(facts)),
            line=ctx.index,
            field=self.field,
            suggestion=suggestion,
            fix=tuple(sorted(fix.items())),
            source=self.source,
            explanation=self.when.explain(ctx),
        )

    def to_data(self) -> dict[str, Any]:
        """The rule as plain JSON data."""
        data: dict[str, Any] = {
            "id": self.id,
            "severity": self.severity.value,
            "message": self.message,
            "source": self.source,
            "when": self.when.to_data(),
            "scope": self.scope.value,
        }
        for name in ("fix", "field"):
            if getattr(self, name) is not None:
                data[name] = getattr(self, name)
        for name in ("effective_from", "effective_through"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        return data


#: An active line rule and what is left of its predicate once the header is known.
_Step = tuple["Rule", "bool | Predicate"]
#: A compiled plan: checks each line of a claim, appending findings to the list.
_LineChecker = Callable[["Claim", dict[str, Any], list["Finding"]], None]


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _line_facts(ctx: Context) -> dict[str, Any]:
    line = ctx.line
    if line is None:
        return {"line": "claim", "claim": ctx.claim.id}
    return {
        "line": ctx.index,
        "code": line.code,
        "units": line.units,
        "date": line.date.isoformat(),
        "revenue_code": line.revenue_code or "none",
        "modifiers": " ".join(line.modifiers) or "none",
        "payer": ctx.payer.name,
        "type_of_bill": ctx.claim.type_of_bill or "837P",
    }


@attrs.frozen(slots=True)
class Finding:
    """One problem (or note) a rule found.

    :ivar rule_id: the rule's id.
    :ivar severity: the rule's severity.
    :ivar message: what is wrong, with the line's values filled in.
    :ivar line: the line's index on the claim, or ``None`` for claim findings.
    :ivar field: the line field at fault, where one is.
    :ivar suggestion: how to fix it, in words, where the rule knows.
    :ivar fix: the corrected values by field (``(("units", "3"),)``).
    :ivar source: the rule's source.
    :ivar explanation: which parts of the rule's predicate held.
    """

    rule_id: str
    severity: Severity
    message: str
    line: int | None
    field: str | None
    suggestion: str | None
    fix: tuple[tuple[str, str], ...]
    source: str
    explanation: Explanation

    def __str__(self) -> str:
        where = "claim" if self.line is None else f"line {self.line + 1}"
        text = f"{self.severity.value.upper()} {self.rule_id} [{where}]: {self.message}"
        if self.suggestion:
            text += f"\n    fix: {self.suggestion}"
        return text

    def to_data(self) -> dict[str, Any]:
        """The finding as plain JSON data (for ``--json`` output and DataFrames)."""
        return {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "field": self.field,
            "suggestion": self.suggestion,
            "fix": dict(self.fix),
            "source": self.source,
            "explanation": list(self.explanation.lines()),
        }


def _rules(value: Iterable[Rule]) -> tuple[Rule, ...]:
    rules = tuple(value)
    seen: set[str] = set()
    for i, rule in enumerate(rules):
        if not isinstance(rule, Rule):
            raise InvalidFieldError(f"rules[{i}]", rule, "is not a Rule")
        if rule.id in seen:
            raise InvalidFieldError(f"rules[{i}].id", rule.id, "is used twice")
        seen.add(rule.id)
    return rules


@attrs.frozen(slots=True)
class RuleSet:
    """An ordered, immutable set of rules with unique ids.

    :meth:`add`, :meth:`remove` and :meth:`replace` return new rule sets, so a
    payer-specific set is the default set with changes:

    >>> from hcpcs_home.rules import DEFAULT_RULES
    >>> mine = DEFAULT_RULES.remove("cpt-code-preferred")
    >>> "cpt-code-preferred" in mine, len(DEFAULT_RULES) - len(mine)
    (False, 1)
    >>> RuleSet.from_json(mine.to_json()) == mine
    True
    """

    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    name: str = "custom"
    # Compiled line-rule plans by (payer identity, type of bill) and, for claims
    # read from files (each with its own equal Payer), by (payer, type of bill);
    # see _plan().  Derived state: no part in equality, hashing, repr or pickling.
    _plans: dict[tuple[int, str | None], tuple[Payer, _LineChecker]] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )
    _plans_by_value: dict[tuple[Payer, str | None], _LineChecker] = attrs.field(
        init=False, factory=dict, eq=False, hash=False, repr=False
    )

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules, "name": self.name}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        object.__setattr__(self, "name", state["name"])
        object.__setattr__(self, "_plans", {})
        object.__setattr__(self, "_plans_by_value", {})

    def __iter__(self) -> Iterator[Rule]:
        return iter(self.rules)

    def __len__(self) -> int:
        return len(self.rules)

    def __contains__(self, rule_id: object) -> bool:
        return any(r.id == rule_id for r in self.rules)

    def __getitem__(self, rule_id: str) -> Rule:
        for rule in self.rules:
            if rule.id == rule_id:
                return rule
        raise KeyError(rule_id)

    def add(self, *rules: Rule) -> RuleSet:
        """A rule set with ``rules`` appended (ids must be new)."""
        return attrs.evolve(self, rules=self.rules + rules)

    def remove(self, *rule_ids: str) -> RuleSet:
        """A rule set without the rules of those ids (each must exist)."""
        for rid in rule_ids:
            if rid not in self:
                raise KeyError(rid)
        return attrs.evolve(self, rules=tuple(r for r in self.rules if r.id not in rule_ids))

    def replace(self, rule: Rule) -> RuleSet:
        """A rule set with the rule of the same id replaced."""
        if rule.id not in self:
            raise KeyError(rule.id)
        return attrs.evolve(self, rules=tuple(rule if r.id == rule.id else r for r in self.rules))

    def check(self, claim: Claim) -> Report:
        """Every finding of these rules on ``claim`` (see :func:`check`)."""
        return Report(claim, tuple(self._findings(claim)))

    def _findings(self, claim: Claim) -> list[Finding]:
        claim_memo: dict[str, Any] = {}
        claim_ctx = Context(claim, claim_memo=claim_memo)
        check_lines, found = self._plan(claim_ctx)
        check_lines(claim, claim_memo, found)
        for rule in self.rules:
            if rule.scope is Scope.CLAIM:
                try:
                    finding = rule.evaluate(claim_ctx)
                except Exception as exc:
                    finding = _failed(rule, claim_ctx, exc)
                if finding is not None:
                    found.append(finding)
        return found

    def _plan(self, header: Context) -> tuple[_LineChecker, list[Finding]]:
        """The line rules left once the claim header (payer, type of bill) is known,
        compiled into one function, and the findings of rules that failed on the header.

        Parts of a rule that read only the header are settled here (a 34X rule on
        a 32X claim, a payer flag that is off), once per payer and type of bill;
        what is left of the active rules becomes the source of one function that
        checks every line of a claim (see :meth:`_plan_source`).  The function is
        cached on the rule set, so a batch of claims for the same payer pays for
        settling and compiling once; equal payers share it, since header-level
        predicates read only the payer and the type of bill.
        """
        payer, type_of_bill = header.payer, header.claim.type_of_bill
        key = (id(payer), type_of_bill)
        found = self._plans.get(key)
        if found is not None and found[0] is payer:
            return found[1], []
        try:
            check_lines = self._plans_by_value.get((payer, type_of_bill))
        except TypeError:  # a payer with an unhashable field: no sharing
            check_lines = None
        failed: list[Finding] = []
        if check_lines is None:
            steps, failed = self._steps(header)
            source, namespace = _PlanWriter(self, header).write(steps)
            exec(compile(source, f"<line rules of {self.name!r}>", "exec"), namespace)
            check_lines = namespace["check_lines"]
            if failed:  # settled again for the next claim, so it fails there too
                return check_lines, failed
            with contextlib.suppress(TypeError):
                _bounded(self._plans_by_value)[(payer, type_of_bill)] = check_lines
        _bounded(self._plans)[key] = (payer, check_lines)
        return check_lines, failed

    def _steps(self, header: Context) -> tuple[list[_Step], list[Finding]]:
        """Each active line rule with its residual predicate (``True`` where the header
        settled it as holding), and the findings of rules whose header parts raised."""
        steps: list[_Step] = []
        failed: list[Finding] = []
        for rule in self.rules:
            if rule.scope is not Scope.LINE:
                continue
            try:
                test = rule.when._specialize(header)
            except Exception as exc:
                failed.append(_failed(rule, header, exc))
                continue
            if test is not False:
                steps.append((rule, test))
        return steps, failed

    def _plan_source(self, payer: Payer | str, type_of_bill: str | None = None) -> str:
        """The Python source :func:`check` runs for the line rules of a claim of ``payer``
        (a :class:`~hcpcs_home.payers.Payer` or shipped profile id) and ``type_of_bill``.

        For reading and debugging: every active rule is one ``if`` over the parts of
        its predicate the claim header did not settle.
        """
        day = _dt.date(2000, 1, 1)  # header predicates read only the payer and type of bill
        header = Context(Claim(payer, day, day, type_of_bill=type_of_bill))
        steps, _ = self._steps(header)
        return _PlanWriter(self, header).write(steps)[0]

    def to_data(self) -> dict[str, Any]:
        """The rule set as plain JSON data."""
        return {"format": 1, "name": self.name, "rules": [r.to_data() for r in self.rules]}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The rule set as JSON text, loadable with :meth:`from_json`."""
        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes) -> RuleSet:
        """Load a rule set saved by :meth:`to_json`.

        :raises RuleSetLoadError: malformed JSON, an unknown predicate or fixer
            name, or a bad rule, with the path of the problem.
        """
        try:
            data = json.loads(text)
        except (ValueError, TypeError) as exc:
            raise RuleSetLoadError("$", f"is not valid JSON: {exc}") from None
        return cls.from_data(data)

    @classmethod
    def from_data(cls, data: Any) -> RuleSet:
        """Load a rule set from plain data (see :meth:`to_data`)."""
        _load_builtins()
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RuleSetLoadError("$", "must be an object with a 'rules' list")
        rules = []
        for i, item in enumerate(data["rules"]):
            path = f"$.rules[{i}]"
            if not isinstance(item, dict):
                raise RuleSetLoadError(path, "must be an object")
            unknown = set(item) - _RULE_KEYS
            if unknown:
                raise RuleSetLoadError(path, f"unknown keys {sorted(unknown)}")
            if item.get("fix") is not None and item["fix"] not in _FIXERS:
                raise RuleSetLoadError(f"{path}.fix", f"unknown fixer {item['fix']!r}")
            try:
                rules.append(
                    Rule(
                        id=item.get("id"),
                        severity=item.get("severity"),
                        message=_str(item, "message", path),
                        source=_str(item, "source", path),
                        when=_predicate_from_data(item.get("when"), f"{path}.when"),
                        fix=item.get("fix"),
                        field=item.get("field"),
                        scope=item.get("scope", "line"),
                        effective_from=_opt_date(item, "effective_from", path),
                        effective_through=_opt_date(item, "effective_through", path),
                    )
                )
            except (HcpcsError, ValueError) as exc:
                if isinstance(exc, RuleSetLoadError):
                    raise
                raise RuleSetLoadError(path, str(exc)) from None
        try:
            return cls(rules=rules, name=str(data.get("name", "custom")))
        except HcpcsError as exc:
            raise RuleSetLoadError("$.rules", str(exc)) from None


_RULE_KEYS = {
    "id",
    "severity",
    "message",
    "source",
    "when",
    "fix",
    "field",
    "scope",
    "effective_from",
    "effective_through",
}


def _bounded(cache: dict[Any, Any], size: int = 64) -> dict[Any, Any]:
    """``cache``, emptied first where it holds ``size`` entries (many ad-hoc payers)."""
    if len(cache) >= size:
        cache.clear()
    return cache


def _str(item: Mapping[str, Any], key: str, path: str) -> str:
    value = item.get(key)
    if not isinstance(value, str):
        raise RuleSetLoadError(f"{path}.{key}", "must be text")
    return value


def _opt_date(item: Mapping[str, Any], key: str, path: str) -> _dt.date | None:
    value = item.get(key)
    if value is None:
        return None
    try:
        return _dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        raise RuleSetLoadError(f"{path}.{key}", f"is not an ISO date: {value!r}") from None


class _PlanWriter:
    """Writes the active line rules of a plan as the source of one function.

    Leaves become calls of their functions, bound by name in the function's
    namespace; ``&``, ``|`` and ``~`` become ``and``, ``or`` and ``not``, so a
    rule costs no call of its own.  Each rule runs in its own ``try``: a rule
    that raises becomes the :func:`_failed` finding of that line, as in
    :meth:`Rule.evaluate`.  Findings are built (and explained) only when a rule
    fires.
    """

    _RESERVED = frozenset(
        {"_failed", "_line_contexts", "check_lines", "claim", "claim_memo", "ctx", "date"}
        | {"exc", "out"}
    )

    def __init__(self, rules: RuleSet, header: Context) -> None:
        self.title = (
            f"Line rules of {rules.name!r} for {header.payer.name} ({header.payer.id}), "
            f"type of bill {header.claim.type_of_bill or 'none (837P)'}"
        )
        self.namespace: dict[str, Any] = {"_line_contexts": _line_contexts, "_failed": _failed}
        self.bound: list[str] = []
        self._names: dict[int, str] = {}

    def bind(self, base: str, value: Any, what: str) -> str:
        """The name ``value`` has in the namespace (bound once per object)."""
        name = self._names.get(id(value))
        if name is not None:
            return name
        base = "".join(c if c.isalnum() or c == "_" else "_" for c in base) or "test"
        if base[0].isdigit() or keyword.iskeyword(base) or base in self._RESERVED:
            base = f"p_{base}"
        name, n = base, 1
        while name in self.namespace:
            n += 1
            name = f"{base}_{n}"
        self.namespace[name] = value
        self._names[id(value)] = name
        if what and what != name:
            self.bound.append(f"#   {name} = {_comment(what)}")
        return name

    def terms(self, p: Predicate, joiner: str) -> list[str]:
        """``p`` as Python expressions to be joined by ``joiner`` (``and``/``or``)."""
        # Exact types: a subclass may evaluate differently, so it is called like a leaf.
        if isinstance(p, _Junction) and type(p) in (And, Or):
            word = "and" if type(p) is And else "or"
            if word == joiner:
                return [t for o in p.operands() for t in self.terms(o, joiner)]
            return ["(" + f" {word} ".join(self.terms(p, word)) + ")"]
        if isinstance(p, Not) and type(p) is Not:
            (inner,) = self.terms(p.operand, "not")
            return [f"not {inner}"]
        name = p.name if isinstance(p, Leaf) else type(p).__name__.lower()
        return [f"{self.bind(name, p._fn, str(p))}(ctx)"]

    def write(self, steps: Sequence[_Step]) -> tuple[str, dict[str, Any]]:
        """The source of ``check_lines(claim, claim_memo, out)`` and its namespace."""
        body: list[str] = []
        dated = False
        for i, (rule, test) in enumerate(steps):
            name = self.bind(f"rule_{i}", rule, f"rule_{i}")
            conditions: list[str] = []
            if rule.effective_from is not None:
                conditions.append(f"{self.bind(f'{name}_from', rule.effective_from, '')} <= date")
            if rule.effective_through is not None:
                conditions.append(
                    f"date <= {self.bind(f'{name}_through', rule.effective_through, '')}"
                )
            dated = dated or bool(conditions)
            if test is not True:
                assert not isinstance(test, bool)
                conditions += self.terms(test, "and")
            body.append(f"        # {name} {rule.id}: {_comment(str(rule.when))}")
            body.append("        try:")
            fire = f"out.append({name}._finding(ctx))"
            if not conditions:
                body.append(f"            {fire}")
            else:
                one_line = f"            if {' and '.join(conditions)}:"
                if len(one_line) <= 100:
                    body.append(one_line)
                else:
                    body.append("            if (")
                    body.append(f"                {conditions[0]}")
                    body.extend(f"                and {c}" for c in conditions[1:])
                    body.append("            ):")
                body.append(f"                {fire}")
            body.append("        except Exception as exc:")
            body.append(f"            out.append(_failed({name}, ctx, exc))")
        head = [
            f"# {_comment(self.title)}: {len(steps)} active.",
            *(["# Bound names:", *self.bound] if self.bound else []),
            "",
            "",
            "def check_lines(claim, claim_memo, out):",
        ]
        if not steps:
            head.append("    pass")
        else:
            head.append("    for ctx in _line_contexts(claim, claim_memo):")
            if dated:
                head.append("        date = ctx.line.date")
        return "\n".join([*head, *body, ""]), self.namespace


def _comment(text: str) -> str:
    return " ".join(text.split())


def _failed(rule: Rule, ctx: Context, exc: Exception) -> Finding:
    # A rule that breaks on one line becomes a finding for that line, so one
    # bad line or one faulty custom rule never stops the rest of the claim.
    return Finding(
        rule_id=rule.id,
        severity=Severity.ERROR,
        message=f"rule could not be evaluated: {type(exc).__name__}: {exc}",
        line=ctx.index,
        field=rule.field,
        suggestion=None,
        fix=(),
        source=rule.source,
        explanation=Explanation(str(rule.when), False),
    )


# --- reports and entry points --------------------------------------------------


@attrs.frozen(slots=True)
class Report(Sequence[Finding]):
    """The findings of one check of one claim, in line order then rule order.

    :ivar claim: the claim checked.
    :ivar findings: what the rules found.
    """

    claim: Claim
    findings: tuple[Finding, ...]

    _COLUMNS: ClassVar[tuple[str, ...]] = ("severity", "rule", "line", "message", "suggestion")

    def __iter__(self) -> Iterator[Finding]:
        return iter(self.findings)

    def __len__(self) -> int:
        return len(self.findings)

    def __getitem__(self, index: Any) -> Any:
        return self.findings[index]

    @property
    def errors(self) -> tuple[Finding, ...]:
        """The error-severity findings."""
        return tuple(f for f in self.findings if f.severity is Severity.ERROR)

    @property
    def warnings(self) -> tuple[Finding, ...]:
        """The warning-severity findings."""
        return tuple(f for f in self.findings if f.severity is Severity.WARNING)

    @property
    def ok(self) -> bool:
        """Whether no error-severity finding was raised."""
        return not any(f.severity is Severity.ERROR for f in self.findings)

    def rule_ids(self) -> list[str]:
        """The ids of the rules that fired, in finding order, without repeats."""
        return list(dict.fromkeys(f.rule_id for f in self.findings))

    def __str__(self) -> str:
        head = (
            f"claim {self.claim.id or '(no id)'} for {self.claim.payer.name}: "
            f"{len(self.errors)} error(s), {len(self.warnings)} warning(s), "
            f"{len(self.findings) - len(self.errors) - len(self.warnings)} note(s)"
        )
        return "\n".join([head, *(str(f) for f in self.findings)])

    def _repr_html_(self) -> str:
        head = "".join(f"<th>{c}</th>" for c in self._COLUMNS)
        rows = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{html.escape(str(v))}</td>"
                for v in (
                    f.severity.value,
                    f.rule_id,
                    "claim" if f.line is None else f.line + 1,
                    f.message,
                    f.suggestion or "",
                )
            )
            + "</tr>"
            for f in self.findings
        )
        status = "OK" if self.ok else "NOT OK"
        return (
            f"<table><caption>{html.escape(self.claim.id or 'claim')}: {status}</caption>"
            f"<thead><tr>{head}</tr></thead><tbody>{rows}</tbody></table>"
        )


def check(claim: Claim, rules: RuleSet | None = None) -> Report:
    """Check a claim with a rule set (the default home-health rules where ``None``).

    Every line is checked by every rule; a rule that fails on one line
    becomes a finding for that line and the others are still checked.
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    if rules is not None and not isinstance(rules, RuleSet):
        raise InvalidFieldError("rules", rules, "must be a RuleSet or None")
    if rules is None:
        from .rules import DEFAULT_RULES

        rules = DEFAULT_RULES
    return rules.check(claim)


def check_many(
    claims: Iterable[Claim | HcpcsError], rules: RuleSet | None = None
) -> Iterator[Report | HcpcsError]:
    """Check many claims lazily, yielding each claim's :class:`Report` in order.

    Items that are already errors (a claim that could not be read, from
    :func:`hcpcs_home.serialize.claims_from_json_lines`) are passed through, so
    a batch keeps every input's result in place.
    """
    for item in claims:
        yield item if isinstance(item, HcpcsError) else check(item, rules)
