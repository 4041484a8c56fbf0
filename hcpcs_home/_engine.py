"""The machinery of :mod:`hcpcs_home.policy`: predicates, rules, rule sets, reports.

This module knows nothing of particular rules: those live in
:mod:`hcpcs_home.rules`, one module per family, and name their predicates
and fixers in a :class:`Vocabulary`.  Everything a check reads is passed in:
the claim, the catalog and the rule set (which carries its vocabulary).
:mod:`hcpcs_home.policy` is the public face of this module and adds the
default rules; the classes here say they belong to it.
"""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import enum
import json
import linecache
import re
import string
import threading
import weakref
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from types import MappingProxyType
from typing import Any, ClassVar

import attrs

from . import _frames
from .bounds import MAX_NAME_LENGTH
from .catalog import Catalog, default_catalog
from .claims import Claim, ClaimLine, Service
from .codes import Code
from .errors import HcpcsError, InvalidFieldError, RuleSetLoadError
from .payers import Payer

__all__ = [
    "And",
    "Batch",
    "Context",
    "Explanation",
    "Finding",
    "Fix",
    "Leaf",
    "Need",
    "Not",
    "Or",
    "PayerAction",
    "Predicate",
    "Report",
    "Rule",
    "RuleSet",
    "Scope",
    "Severity",
    "Vocabulary",
]


def __dir__() -> list[str]:
    return __all__


class Severity(str, enum.Enum):
    """How bad a finding is.  Only ``ERROR`` makes a report not :attr:`~Report.ok`."""

    ERROR = "error"
    WARNING = "warning"
    INFO = "info"


class PayerAction(str, enum.Enum):
    """What the payer does with a claim that has the problem a rule finds.

    A rule's severity follows from it (:attr:`severity`): a claim the payer
    returns, rejects or denies is an error; a fact with no payment consequence
    is information; where no payer action is published the finding is a
    warning, and the rule says so.
    """

    RETURN_TO_PROVIDER = "return to provider"
    """The claim goes back to the provider to correct (Medicare's RTP, with a reason code)."""
    REJECT = "reject"
    """The claim or line is rejected before adjudication (front-end edit, CWF reject)."""
    DENY = "deny"
    """The line or claim is denied (not paid; appeal rights apply)."""
    PAYMENT_REDUCED = "payment reduced"
    """Paid less (a late notice's non-covered days, a LUPA); a warning: the claim still pays."""
    INFORMATIONAL = "informational"
    """No action on the claim: a fact the biller should know."""
    NOT_PUBLISHED = "no published payer action"
    """No public document says what the payer does; the finding is a warning."""

    @property
    def severity(self) -> Severity:
        """The severity a finding of this action has."""
        return _ACTION_SEVERITY[self]


_ACTION_SEVERITY = {
    PayerAction.RETURN_TO_PROVIDER: Severity.ERROR,
    PayerAction.REJECT: Severity.ERROR,
    PayerAction.DENY: Severity.ERROR,
    PayerAction.PAYMENT_REDUCED: Severity.WARNING,
    PayerAction.INFORMATIONAL: Severity.INFO,
    PayerAction.NOT_PUBLISHED: Severity.WARNING,
}


class Scope(str, enum.Enum):
    """Whether a rule is evaluated once per line or once per claim."""

    LINE = "line"
    CLAIM = "claim"


class Need(str, enum.Enum):
    """What a rule must be given, beyond the line it judges, to judge it (a :class:`Rule`'s
    ``needs``).

    A check runs a rule only where what it needs was given, so a rule never calls
    evidence an error because it is absent: :meth:`RuleSet.check` of a claim
    gives ``HEADER`` and ``EVV`` always and ``CHART`` when the claim carries one
    (:attr:`Claim.has_chart <hcpcs_home.claims.Claim.has_chart>`);
    :func:`hcpcs_home.policy.check_visit` gives ``CHART`` alone.

    * ``CHART``: the documented services (:class:`~hcpcs_home.claims.Service`): clock
      times and minutes, the rendering credential and license, the setting, orders and
      plan of care on file.  An 837I, UB-04 or RIF claim carries none.
    * ``HEADER``: the whole claim, its statement period, header codes, authorizations,
      amounts so far this year and its other lines.  Claim-scope rules need it without
      saying so.
    * ``EVV``: the claim's electronically verified visits, which a payer that requires
      EVV matches with its lines: a claim gives them (none is an answer), a single
      visit does not.
    """

    CHART = "chart"
    HEADER = "header"
    EVV = "evv"


#: What a claim gives its rules: everything but the chart, which it may not carry.
_CLAIM_GIVES = frozenset({Need.HEADER, Need.EVV})
_CHART_GIVEN = frozenset({Need.HEADER, Need.EVV, Need.CHART})
#: What one visit checked on its own gives (:func:`hcpcs_home.policy.check_visit`).
VISIT_GIVES = frozenset({Need.CHART})


def gives(claim: Claim) -> frozenset[Need]:
    """What a check of ``claim`` gives its rules (see :class:`Need`)."""
    return _CHART_GIVEN if claim.has_chart else _CLAIM_GIVES


# --- context -------------------------------------------------------------------


class Batch:
    """The claims checked together, for rules that look across claims.

    A rule reads it with :meth:`of`: the batch a check was given, or the
    claim alone.  ``memo`` holds facts computed once for the whole batch
    (overlaps of one worker across patients, authorization totals).

    :ivar claims: the claims, in order.
    :ivar memo: facts shared by every claim's check.
    """

    __slots__ = ("_positions", "claims", "memo")

    def __init__(self, claims: Sequence[Claim]) -> None:
        self.claims: tuple[Claim, ...] = tuple(claims)
        # By identity, first position of each claim object: what index() answered by
        # scanning, in one lookup (the batch holds the claims, so an id is not reused).
        positions: dict[int, int] = {}
        for i, c in enumerate(self.claims):
            if not isinstance(c, Claim):
                raise InvalidFieldError(f"claims[{i}]", c, "must be a Claim")
            positions.setdefault(id(c), i)
        self._positions = positions
        self.memo: dict[str, Any] = {}

    def __contains__(self, claim: object) -> bool:
        return id(claim) in self._positions

    def index(self, claim: Claim) -> int:
        """The position of ``claim`` (by identity) in the batch."""
        found = self._positions.get(id(claim))
        if found is None:
            raise InvalidFieldError("claim", claim, "is not in the batch")
        return found

    @classmethod
    def of(cls, ctx: Context) -> Batch:
        """The batch of the context's check, or a batch of its claim alone."""
        memo = ctx.claim_memo
        found = memo.get("batch")
        if not isinstance(found, Batch):
            # Kept apart from a given batch: a finding keeps only an input
            # (Context.frozen), never this one-claim batch made for the check.
            found = memo.get("claim_alone")
            if found is None:
                found = memo["claim_alone"] = cls([ctx.claim])
        return found


class _Unset:
    """A fact not yet worked out (``None`` is a fact: "not documented")."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "UNSET"

    def __reduce__(self) -> str:
        return "_UNSET"


_UNSET = _Unset()


class Context:
    """What a predicate may look at: one claim, its payer, the catalog and, for line
    rules, one line with the facts every rule shares.

    Built by :meth:`RuleSet.check`; build one yourself with :meth:`for_line` or
    :meth:`for_claim` to test a predicate.  The line's catalog entry and the
    services it points at are looked up once, when the context is built; facts
    derived from them (documented minutes, expected units...) are computed once
    per line by the first rule that asks and kept in ``memo``; ``claim_memo`` is
    shared by every line of a claim.  A context is not changed once a check has
    finished, so a finding can explain itself later from it.

    :ivar claim: the claim.
    :ivar payer: the claim's payer.
    :ivar catalog: the catalog codes are looked up in.
    :ivar line: the line, or ``None`` for claim rules.
    :ivar index: the line's position on the claim, or ``None``.
    :ivar services: the services the line points at.
    :ivar history: the claim history the check was given
        (a :class:`~hcpcs_home.history.ClaimHistory`), or ``None``.
    :ivar code: the line's catalog entry, ``None`` when the code is unknown.
    :ivar minutes: the minutes the line's services document, and
    :ivar expected: the units they give: facts every time-and-units rule reads,
        worked out by the first rule that asks (``Context.UNSET`` until then; see
        :mod:`hcpcs_home.rules`).
    """

    #: What ``minutes`` and ``expected`` hold until a rule works them out.
    UNSET: ClassVar[Any] = _UNSET

    __slots__ = (
        "_memo",
        "_moving",
        "catalog",
        "claim",
        "claim_memo",
        "code",
        "codes",
        "expected",
        "history",
        "index",
        "line",
        "minutes",
        "payer",
        "services",
    )

    def __init__(
        self,
        claim: Claim,
        line: ClaimLine | None = None,
        index: int | None = None,
        claim_memo: dict[Any, Any] | None = None,
        *,
        catalog: Catalog | None = None,
        history: Any = None,
    ) -> None:
        self.claim = claim
        self.history: Any = history
        self.payer: Payer = claim.payer
        self.catalog: Catalog = default_catalog() if catalog is None else catalog
        self.codes = _code_cache(self.catalog)
        self.line = line
        self.index = index
        self._memo: dict[str, Any] | None = None
        self._moving = False
        self.claim_memo: dict[Any, Any] = {} if claim_memo is None else claim_memo
        self.minutes: Any = Context.UNSET
        self.expected: Any = Context.UNSET
        if line is None:
            self.code: Code | None = None
            self.services: tuple[Service, ...] = ()
        else:
            self.code = self.lookup(line.code)
            by_id = _services_by_id(claim, self.claim_memo)
            self.services = tuple([by_id[i] for i in line.service_ids if i in by_id])

    @classmethod
    def for_line(cls, claim: Claim, index: int, *, catalog: Catalog | None = None) -> Context:
        """The context of ``claim.lines[index]``."""
        return cls(claim, claim.lines[index], index, catalog=catalog)

    @classmethod
    def for_claim(cls, claim: Claim, *, catalog: Catalog | None = None) -> Context:
        """The context of the claim as a whole (no line)."""
        return cls(claim, catalog=catalog)

    @property
    def memo(self) -> dict[str, Any]:
        """Facts a family derives from this line, kept for the other rules of the line
        (made on first use: most lines need none)."""
        if self._memo is None:
            self._memo = {}
        return self._memo

    @property
    def date(self) -> _dt.date:
        """The line's date, or the first day of the statement period for claim rules."""
        return self.line.date if self.line is not None else self.claim.statement_from

    def lookup(self, code: str) -> Code | None:
        """The catalog's entry for ``code``, or ``None`` (memoised per catalog)."""
        codes = self.codes
        if code in codes:
            return codes[code]
        found: Code | None = self.catalog.get(code)
        if len(codes) < _CODE_CACHE_SIZE:
            codes[code] = found
        return found

    def services_by_id(self) -> dict[str, Service]:
        """The claim's services by id, built once per claim (do not change it)."""
        return _services_by_id(self.claim, self.claim_memo)

    def frozen(self) -> Context:
        """This context as it is now, apart from the one a check moves from line to line
        (a finding explains itself later from it); its claim memo keeps only the batch
        the claim was checked in, if any."""
        copy = self._kept()
        if copy.claim_memo is None:
            copy.claim_memo = {}
        return copy

    def _kept(self) -> Context:
        """:meth:`frozen`, holding no claim memo at all where there is no batch to keep:
        the copy a finding keeps (its explanation starts a fresh memo, see
        ``_Explainer``), so that findings kept by the thousand stay small."""
        if not self._moving:
            return self
        copy: Context = object.__new__(Context)
        copy.claim, copy.payer, copy.catalog, copy.codes, copy.history = (
            self.claim,
            self.payer,
            self.catalog,
            self.codes,
            self.history,
        )
        copy.line, copy.index, copy.code, copy.services = (
            self.line,
            self.index,
            self.code,
            self.services,
        )
        copy.minutes, copy.expected, copy._memo = self.minutes, self.expected, self._memo
        copy._moving = False
        # The claim memo holds facts derived for the check (worked out again if the
        # explanation needs them) and the batch the claim was checked in (an input):
        # the copy keeps the batch only, not every fact of its claim.
        batch = self.claim_memo.get("batch")
        copy.claim_memo = None if batch is None else {"batch": batch}  # type: ignore[assignment]
        return copy

    def other(self, index: int) -> Context:
        """The context of another line of the same claim, sharing ``claim_memo``."""
        return Context(
            self.claim,
            self.claim.lines[index],
            index,
            self.claim_memo,
            catalog=self.catalog,
            history=self.history,
        )


def _services_by_id(claim: Claim, claim_memo: dict[Any, Any]) -> dict[str, Service]:
    by_id: dict[str, Service] | None = claim_memo.get("services_by_id")
    if by_id is None:
        by_id = claim_memo["services_by_id"] = {s.id: s for s in claim.services}
    return by_id


def _moving_context(
    header: Context,
) -> tuple[Context, tuple[ClaimLine, ...], dict[str, Service], dict[str, Code | None], Any]:
    """The context a generated line checker moves from line to line of the header's
    claim, and what it moves it with: the claim's lines, its services by id, the
    catalog's memo of entries by code and the lookup behind it.

    At each line the checker sets what ``Context(claim, line, index, claim_memo,
    catalog=...)`` would hold (:data:`_MOVE` is that code), without a call of
    ``__init__`` per line: a line that no rule fires on leaves nothing behind, and a
    finding keeps a copy (:meth:`Context.frozen`).
    """
    claim = header.claim
    ctx: Context = object.__new__(Context)
    ctx.claim = claim
    ctx.payer = claim.payer
    ctx.catalog = header.catalog
    ctx.codes = header.codes
    ctx.history = header.history
    ctx.claim_memo = header.claim_memo
    ctx._moving = True
    by_id = _services_by_id(claim, header.claim_memo)
    return ctx, claim.lines, by_id, header.codes, header.lookup


#: The body of a generated line checker's loop that moves its context to line ``_i``,
#: ``_line`` (see :func:`_moving_context`); the usual line has one service.
_MOVE = """\
    ctx, _lines, _by_id, _codes, _lookup = _moving_context(header)
    for _i, _line in enumerate(_lines):
        ctx.line = _line
        ctx.index = _i
        ctx._memo = None
        ctx.minutes = ctx.expected = _U
        _k = _line.code
        ctx.code = _code = _codes[_k] if _k in _codes else _lookup(_k)
        _ids = _line.service_ids
        if len(_ids) == 1:
            _s = _by_id.get(_ids[0])
            ctx.services = _services = () if _s is None else (_s,)
        else:
            ctx.services = _services = tuple([_by_id[_k] for _k in _ids if _k in _by_id])
"""


# Catalog entries by code, per catalog (a catalog is immutable).  Keyed by identity,
# each entry holding its catalog so an id is not reused while it stands; bounded,
# since codes read from files can be anything.
_CODE_CACHE_SIZE = 4096
_CODE_CACHES: collections.OrderedDict[int, tuple[Catalog, dict[str, Code | None]]] = (
    collections.OrderedDict()
)
_CODE_CACHES_LOCK = threading.Lock()
#: Most catalogs whose entries are memoised; the least recently used goes first.
_CATALOGS_KEPT = 16


def _code_cache(catalog: Catalog) -> dict[str, Code | None]:
    found: tuple[Catalog, dict[str, Code | None]] | None = _lru_get(_CODE_CACHES, id(catalog))
    if found is not None and found[0] is catalog:
        return found[1]
    with _CODE_CACHES_LOCK:
        cache: dict[str, Code | None] = {}
        _lru_put(_CODE_CACHES, id(catalog), (catalog, cache), _CATALOGS_KEPT)
        return cache


def _lru_get(cache: collections.OrderedDict[Any, Any], key: Any) -> Any:
    """``cache[key]``, or ``None``, marked as the most recently used entry.

    Safe without a lock: another thread may evict the entry meanwhile, which only
    means the next call misses."""
    found = cache.get(key)
    if found is not None:
        try:  # not contextlib.suppress: this runs once per claim, and try costs nothing
            cache.move_to_end(key)
        except KeyError:  # evicted meanwhile by another thread
            return found
    return found


def _lru_put(cache: collections.OrderedDict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Keep ``value`` under ``key``, evicting the least recently used entries past
    ``size`` (caches keyed by data are bounded by the data, never cleared whole).
    Called under the cache's lock."""
    cache[key] = value
    cache.move_to_end(key)
    while len(cache) > size:
        cache.popitem(last=False)


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
    """A named predicate of a :class:`Vocabulary`, with its keyword parameters.

    Build one with :meth:`Vocabulary.predicate`.
    """

    __slots__ = ("_factory", "_header_level", "name", "params")

    def __init__(
        self,
        name: str,
        params: Mapping[str, Any],
        fn: Callable[[Context], bool],
        *,
        factory: PredicateFactory | None = None,
        header_level: bool = False,
    ) -> None:
        self.name = name
        self.params = tuple(sorted(params.items()))
        self._factory = factory
        self._header_level = header_level
        self._fn = fn

    def _key(self) -> Any:
        return (self.name, tuple((k, _freeze(v)) for k, v in self.params))

    @property
    def header_level(self) -> bool:
        return self._header_level

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


# --- vocabularies: the named predicates and fixers rules are built from ------

#: A predicate factory takes the predicate's keyword parameters (JSON values) and
#: returns a function of a :class:`Context`.
PredicateFactory = Callable[..., Callable[[Context], bool]]
#: A fixer returns ``(suggestion text, {field: value}, extra message facts)``.
Fixer = Callable[[Context], tuple[str | None, Mapping[str, str], Mapping[str, Any]]]


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
    names = {n for _, n, _, _ in string.Formatter().parse(expression) if n is not None}
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


class ClaimFact:
    """A fact of the whole claim that line predicates read, worked out by ``compute``
    from any context of the claim: a value given to :func:`inline` as one, so that a
    rule set's generated line checker works it out once per claim (at the first line
    that asks) instead of calling the predicate on every line.

    ``compute`` must give the same value for every line of a claim (it reads
    ``ctx.claim``, ``ctx.payer`` and the claim memo, never the line), and must be
    what the predicate's plain test reads, so the two agree.
    """

    __slots__ = ("compute",)

    def __init__(self, compute: Callable[[Context], Any]) -> None:
        self.compute = compute

    def of(self, ctx: Context) -> Any:
        """The fact for the context's claim, worked out by the first rule that asks and
        kept in the claim memo under this object: a family's typed home for a fact its
        rules share, instead of a free string key.

        >>> from hcpcs_home import Claim, payers
        >>> lines = ClaimFact(lambda ctx: len(ctx.claim.lines))
        >>> ctx = Context.for_claim(Claim(payers.MEDICARE, "2024-03-01", "2024-03-31"))
        >>> lines.of(ctx), lines in ctx.claim_memo
        (0, True)
        """
        memo = ctx.claim_memo
        found = memo.get(self, _UNSET)
        if found is _UNSET:
            found = memo[self] = self.compute(ctx)
        return found

    def __repr__(self) -> str:
        return f"ClaimFact({getattr(self.compute, '__name__', self.compute)!r})"


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
        return Vocabulary(
            {**self.predicates, **other.predicates},
            {**self.fixers, **other.fixers},
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


# --- rules, findings, rule sets ------------------------------------------------


def _action(value: object) -> PayerAction | None:
    if value is None:
        return None
    try:
        return PayerAction(value)
    except ValueError:
        choices = ", ".join(repr(a.value) for a in PayerAction)
        raise InvalidFieldError("action", value, f"must be one of {choices}") from None


def _severity(value: object) -> Severity:
    try:
        return Severity(value)
    except ValueError:
        raise InvalidFieldError("severity", value, "must be error, warning or info") from None


def _rule_id(value: object) -> str:
    if (
        not isinstance(value, str)
        or not value
        or len(value) > 100
        or not value.isascii()
        or not all(c.isalnum() or c == "-" for c in value)
    ):
        raise InvalidFieldError("id", value, "must be a non-empty kebab-case ASCII id")
    return value


#: The longest message template a rule may carry.
_MAX_MESSAGE = 2_000


def _message(value: object) -> str:
    """A message template: text with ``{name}`` placeholders and nothing else.

    Attribute and index lookups (``{payer.__class__}``), conversions and format
    specs (``{code:>100000000}``) are refused: a template comes from rule files
    people write, and it must neither reach into objects nor allocate at will.
    """
    if not isinstance(value, str):
        raise InvalidFieldError("message", value, "must be text")
    if len(value) > _MAX_MESSAGE:
        raise InvalidFieldError("message", _short(value), f"is over {_MAX_MESSAGE} characters")
    try:
        parts = list(string.Formatter().parse(value))
    except ValueError as exc:
        raise InvalidFieldError("message", value, f"is not a message template: {exc}") from None
    for _text, name, spec, conversion in parts:
        if name is None:
            continue
        if not (name.isascii() and name.isidentifier()) or spec or conversion:
            raise InvalidFieldError(
                "message", value, f"placeholder {{{name}}} must be a plain {{name}}"
            )
    return value


def _fix(value: object) -> Fix | None:
    if value is None or isinstance(value, Fix):
        return value
    raise InvalidFieldError(
        "fix", value, "must be a Fix from a vocabulary (Vocabulary.fix(name)) or None"
    )


def _needs(value: object) -> frozenset[Need]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidFieldError("needs", value, "must be a set of Need values")
    out: set[Need] = set()
    for v in value:
        try:
            out.add(Need(v))
        except ValueError:
            names = ", ".join(n.value for n in Need)
            raise InvalidFieldError("needs", v, f"is not one of {names}") from None
    return frozenset(out)


def _payers(value: object) -> frozenset[str]:
    if isinstance(value, str) or not isinstance(value, Iterable):
        raise InvalidFieldError("payers", value, "must be a list of payer ids or kinds")
    out = frozenset(value)
    if not all(isinstance(v, str) and v for v in out):
        raise InvalidFieldError("payers", sorted(map(str, out)), "must be non-empty texts")
    return out


@attrs.frozen(slots=True)
class Rule:
    """One check: a predicate that holds when something is wrong, and what to say.

    :ivar id: stable kebab-case id (``"units-mismatch"``).
    :ivar severity: error, warning or info.
    :ivar message: the finding's message; ``{name}`` placeholders are filled
        from the line (``code``, ``units``, ``date``, ``line``, ``revenue_code``,
        ``modifiers``, ``payer``, ``type_of_bill``) and from the fixer's facts.
    :ivar source: the public document the rule comes from (manual chapter and
        section, transmittal, payer manual; URL where there is one).
    :ivar when: the predicate; the rule fires where it holds.
    :ivar fix: the fixer proposing the correction (:meth:`Vocabulary.fix`), or ``None``.
    :ivar field: the field the finding points at: of the line (``"units"``), of the
        service behind it (``"license_number"``) or, for a claim rule, the claim's
        header element (``"type_of_bill"``, ``"value_codes"``).
    :ivar scope: per line or per claim.
    :ivar effective_from: first date of service the rule applies to.
    :ivar effective_through: last date of service it applies to.
    :ivar payers: the payer ids or payer kinds (``"medicare"``, ``"medicaid"``) the
        rule is for; empty for every payer.  The one way a rule is scoped to payers.
    :ivar description: what the rule checks, in words, for the rule reference.
    :ivar advice: how a biller fixes a finding, in words.
    :ivar example: an example of what the rule catches, for the rule reference.
    :ivar needs: what the rule must be given beyond its line (:class:`Need`): a check
        runs it only where that was given, so a rule of the chart (``Need.CHART``)
        never judges a claim that carries no chart, and a rule that reads the claim
        header (``Need.HEADER``) never judges a visit checked on its own.
    :ivar action: what the payer does with such a claim (:class:`PayerAction`), where
        recorded; the shipped rules' severity is :attr:`PayerAction.severity` of it.
    :ivar action_source: the public document that says what the payer does (or that
        no action is published).
    :ivar action_from: the first date of service the payer takes ``action``; a finding
        on an earlier date is a warning (value code 85: required from 2019-01-01, returned
        only from 2024-10-01, CR 13543).
    """

    id: str = attrs.field(converter=_rule_id)
    severity: Severity = attrs.field(converter=_severity)
    message: str = attrs.field(converter=_message)
    source: str
    when: Predicate = attrs.field(validator=attrs.validators.instance_of(Predicate))
    fix: Fix | None = attrs.field(default=None, converter=_fix)
    field: str | None = None
    scope: Scope = attrs.field(default=Scope.LINE, converter=Scope)
    effective_from: _dt.date | None = None
    effective_through: _dt.date | None = attrs.field(default=None)
    payers: frozenset[str] = attrs.field(default=frozenset(), converter=_payers)
    description: str = ""
    advice: str = ""
    example: str = ""
    needs: frozenset[Need] = attrs.field(default=frozenset(), converter=_needs)
    action: PayerAction | None = attrs.field(default=None, converter=_action)
    action_source: str = ""
    action_from: _dt.date | None = None

    @message.validator
    def _check_placeholders(self, attribute: attrs.Attribute[Any], value: str) -> None:
        # A rule with a fixer may also name the fixer's facts, which it does not declare.
        if self.fix is not None:
            return
        known = _CLAIM_FACTS if self.scope is Scope.CLAIM else _LINE_FACTS
        for _text, name, _spec, _conversion in string.Formatter().parse(value):
            if name is not None and name not in known:
                raise InvalidFieldError(
                    "message",
                    value,
                    f"names {{{name}}}, which a finding cannot fill; "
                    f"use {', '.join('{' + k + '}' for k in sorted(known))}",
                )

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

    def applies_to(self, payer: Payer) -> bool:
        """Whether the rule is for ``payer`` (by its id or its kind)."""
        return not self.payers or payer.id in self.payers or payer.kind.value in self.payers

    def evaluate(self, ctx: Context) -> Finding | None:
        """The finding for ``ctx``, or ``None`` when the rule does not fire."""
        if (
            not self.applies_to(ctx.payer)
            or not self.applies_on(ctx.date)
            or not self.needs <= gives(ctx.claim)
        ):
            return None
        if not self.when._fn(ctx):
            return None
        return self._finding(ctx)

    def _finding(self, ctx: Context) -> Finding:
        # Lazy: the message, suggestion and fix are worked out from the context the
        # first time one is read (Finding._resolve), as the explanation is.
        severity = self.severity
        if self.action_from is not None and ctx.date < self.action_from:
            severity = Severity.WARNING  # required, but the payer takes no action yet
        return Finding(
            self.id,
            severity,
            None,
            ctx.index,
            self.field,
            None,
            (),
            self.source,
            _Explainer(self.when, ctx._kept()),
            self,
        )

    def _written(self, ctx: Context) -> tuple[str, str | None, tuple[tuple[str, str], ...]]:
        """The message, suggestion and fix of this rule's finding for ``ctx``."""
        suggestion: str | None = None
        fix: Mapping[str, str] = {}
        facts: dict[str, Any] = _line_facts(ctx)
        if self.fix is not None:
            suggestion, fix, extra = self.fix.fn(ctx)
            facts.update(extra)
        elif self.scope is Scope.CLAIM:
            # A claim rule without a fixer still says how to fix its finding: the rule's
            # advice, written for the biller (a missing header element has one fix).
            suggestion = _advice_suggestion(self.advice)
        return self.message.format_map(_Facts(facts)), suggestion, tuple(sorted(fix.items()))

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
        for name in ("fix", "field", "description", "advice", "example", "action_source"):
            value = getattr(self, name)
            if value:
                data[name] = str(value)
        if self.action is not None:
            data["action"] = self.action.value
        for name in ("effective_from", "effective_through", "action_from"):
            value = getattr(self, name)
            if value is not None:
                data[name] = value.isoformat()
        if self.payers:
            data["payers"] = sorted(self.payers)
        if self.needs:
            data["needs"] = sorted(n.value for n in self.needs)
        return data


#: An active line rule and what is left of its predicate once the header is known.
_Step = tuple["Rule", "bool | Predicate"]
#: A compiled plan: checks each line of a claim, appending findings to the list.
_LineChecker = Callable[["Context", list["Finding"]], None]
#: A plan for one payer and type of bill: the compiled line checker, and the claim rules
#: left active with what is left of their predicates.
_Plan = tuple[_LineChecker, list[_Step]]


def _advice_suggestion(advice: str) -> str | None:
    """A rule's ``advice`` as a finding's suggestion, written as the fixers write theirs:
    ``"Add value code 61."`` is ``"add value code 61"``, ``"None (do this)."`` (no
    automatic fix, a fix in words) is ``"do this"``; empty advice is ``None``.

    >>> _advice_suggestion("Add occurrence code 50 with the OASIS M0090 date.")
    'add occurrence code 50 with the OASIS M0090 date'
    >>> _advice_suggestion("None (correct the date or the period)."), _advice_suggestion("")
    ('correct the date or the period', None)
    """
    text = advice.strip()
    if text.startswith("None (") and text.rstrip(".").endswith(")"):
        text = text[len("None (") :].rstrip(".")[:-1]
    text = text.rstrip(".")
    if text[:1].isupper() and not text[1:2].isupper():  # as the fixers write: "add ...", not "Add"
        text = text[0].lower() + text[1:]
    return text or None


#: The placeholders every finding of a line rule can fill (:func:`_line_facts`).
_LINE_FACTS = frozenset(
    ("line", "code", "units", "date", "revenue_code", "modifiers", "payer", "type_of_bill")
)
#: The placeholders every finding of a claim rule can fill.
_CLAIM_FACTS = frozenset(("line", "claim", "payer"))


class _Facts(dict[str, Any]):
    def __missing__(self, key: str) -> str:
        return "{" + key + "}"


def _line_facts(ctx: Context) -> dict[str, Any]:
    line = ctx.line
    if line is None:
        return {"line": "claim", "claim": ctx.claim.id, "payer": ctx.payer.name}
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


class _Explainer:
    """What a finding needs to explain itself later: the predicate and the context.

    A plain slotted object (no container inside it): a batch keeps one per finding.
    """

    __slots__ = ("ctx", "done", "when")

    def __init__(self, when: Predicate, ctx: Context) -> None:
        self.when = when
        self.ctx = ctx
        self.done: Explanation | None = None

    def __call__(self) -> Explanation:
        done = self.done
        if done is None:  # built on first request; two threads at once build equal ones
            done = self.done = self.when.explain(self.context())
        return done

    def context(self) -> Context:
        """The finding's context, with a claim memo to work facts out again in."""
        ctx = self.ctx
        if ctx.claim_memo is None:
            ctx.claim_memo = {}
        return ctx


@attrs.frozen(slots=True, eq=False, repr=False)
class Finding:
    """One problem (or note) a rule found.

    :ivar rule_id: the rule's id.
    :ivar severity: the rule's severity.
    :ivar message: what is wrong, with the line's values filled in.
    :ivar line: the line's index on the claim, or ``None`` for claim findings.
    :ivar field: the field a biller fixes: of the line, of its service, or of the
        claim header (a claim finding's element, such as ``"occurrence_codes"``).
    :ivar suggestion: how to fix it, in words, where the rule knows.
    :ivar fix: the corrected values by field (``(("units", "3"),)``).
    :ivar source: the rule's source.

    A check builds its findings lazily: the message, suggestion and fix are
    worked out the first time one of them is read, and which parts of the
    rule's predicate held only when asked, by :meth:`explain`.  A fixer that
    fails then makes the message say so (``rule could not be evaluated: ...``).
    """

    rule_id: str
    severity: Severity
    _message: str | None = attrs.field(alias="message")
    line: int | None
    field: str | None
    _suggestion: str | None = attrs.field(alias="suggestion")
    _fix: tuple[tuple[str, str], ...] = attrs.field(alias="fix")
    source: str
    _context: Callable[[], Explanation] | Explanation | None = attrs.field(
        default=None, alias="context"
    )
    # The rule whose message, suggestion and fix are still to be written (from the
    # context of the explainer), or None once they are.
    _rule: Rule | None = attrs.field(default=None, alias="rule")

    @property
    def message(self) -> str:
        """What is wrong, with the line's values filled in."""
        if self._rule is not None:
            self._resolve()
        return self._message  # type: ignore[return-value]

    @property
    def suggestion(self) -> str | None:
        """How to fix it, in words, where the rule knows."""
        if self._rule is not None:
            self._resolve()
        return self._suggestion

    @property
    def fix(self) -> tuple[tuple[str, str], ...]:
        """The corrected values by field (``(("units", "3"),)``)."""
        if self._rule is not None:
            self._resolve()
        return self._fix

    def _resolve(self) -> None:
        """Write the message, suggestion and fix (two threads at once write equal ones)."""
        rule, explainer = self._rule, self._context
        if rule is None or not isinstance(explainer, _Explainer):
            return
        try:
            message, suggestion, fix = rule._written(explainer.context())
        except Exception as exc:  # a faulty fixer: said in the message, as for a predicate
            message, suggestion, fix = _failure(exc), None, ()
        object.__setattr__(self, "_message", message)
        object.__setattr__(self, "_suggestion", suggestion)
        object.__setattr__(self, "_fix", fix)
        object.__setattr__(self, "_rule", None)

    def _values(self) -> tuple[Any, ...]:
        return (
            self.rule_id,
            self.severity,
            self.message,
            self.line,
            self.field,
            self.suggestion,
            self.fix,
            self.source,
        )

    def __eq__(self, other: object) -> bool:
        if other.__class__ is not self.__class__:
            return NotImplemented
        return self._values() == other._values()

    def __ne__(self, other: object) -> bool:
        equal = self.__eq__(other)
        return equal if equal is NotImplemented else not equal

    def __hash__(self) -> int:
        return hash(self._values())

    def explain(self) -> Explanation:
        """Which parts of the rule's predicate held for this line (built on first call)."""
        found = self._context
        if isinstance(found, Explanation):
            return found
        if found is None:
            return Explanation(self.rule_id, True)
        return found()

    @property
    def explanation(self) -> Explanation:
        """The same as :meth:`explain`."""
        return self.explain()

    def __reduce__(self) -> tuple[Any, ...]:
        # Pickle the explanation itself, not the context it would be built from.
        return (
            Finding,
            (
                self.rule_id,
                self.severity,
                self.message,
                self.line,
                self.field,
                self.suggestion,
                self.fix,
                self.source,
                self.explain(),
            ),
        )

    def __repr__(self) -> str:
        # Short: a report's repr lists its findings, and the source citation and the
        # explanation are a call away (``.source``, ``.explain()``).
        where = "claim" if self.line is None else f"line={self.line}"
        return (
            f"Finding({self.rule_id!r}, {self.severity.value}, {where}, "
            f"field={self.field!r}, message={_clip(self.message, 80)!r})"
        )

    def _repr_html_(self) -> str:
        import html  # on first display only, as for Report

        rows = "".join(
            f"<tr><th style='text-align:left'>{name}</th>"
            f"<td style='text-align:left'>{html.escape(str(value))}</td></tr>"
            for name, value in (
                ("severity", self.severity.value),
                ("rule", self.rule_id),
                ("line", "claim" if self.line is None else self.line + 1),
                ("field", self.field or ""),
                ("message", self.message),
                ("suggestion", self.suggestion or ""),
                ("fix", ", ".join(f"{k}={v}" for k, v in self.fix)),
                ("source", self.source),
            )
        )
        return f"<table>{rows}</table>"

    def __str__(self) -> str:
        where = "claim" if self.line is None else f"line {self.line + 1}"
        text = f"{self.severity.value.upper()} {self.rule_id} [{where}]: {self.message}"
        if self.suggestion:
            text += f"\n    fix: {self.suggestion}"
        return text

    def to_data(self, *, explain: bool = False) -> dict[str, Any]:
        """The finding as plain JSON data (for ``--json`` output and DataFrames);
        with ``explain=True`` also its explanation, as text lines."""
        data: dict[str, Any] = {
            "rule_id": self.rule_id,
            "severity": self.severity.value,
            "message": self.message,
            "line": self.line,
            "field": self.field,
            "suggestion": self.suggestion,
            "fix": dict(self.fix),
            "source": self.source,
        }
        if explain:
            data["explanation"] = list(self.explain().lines())
        return data


def _rule_set_name(value: object) -> None:
    if not isinstance(value, str) or len(value) > MAX_NAME_LENGTH:
        raise InvalidFieldError(
            "name", value, f"must be text of at most {MAX_NAME_LENGTH} characters"
        )


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
    """An ordered, immutable set of rules with unique ids, and the vocabulary
    their predicates come from.

    :meth:`add`, :meth:`remove` and :meth:`replace` return new rule sets, so a
    payer-specific set is the default set with changes; ``a + b`` adds every
    rule of ``b`` to ``a`` (ids must not repeat):

    >>> from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY
    >>> mine = DEFAULT_RULES.remove("cpt-code-preferred")
    >>> "cpt-code-preferred" in mine, len(DEFAULT_RULES) - len(mine)
    (False, 1)
    >>> RuleSet.from_json(mine.to_json(), VOCABULARY) == mine
    True

    :ivar rules: the rules, in the order their findings are reported.
    :ivar name: a name for people.
    :ivar vocabulary: the predicates and fixers the rules are built from (how
        a saved copy is loaded again); not part of equality.
    """

    rules: tuple[Rule, ...] = attrs.field(default=(), converter=_rules)
    name: str = attrs.field(default="custom", validator=lambda _, __, v: _rule_set_name(v))
    vocabulary: Vocabulary = attrs.field(
        factory=Vocabulary,
        validator=attrs.validators.instance_of(Vocabulary),
        eq=False,
        repr=False,
    )
    # Compiled plans, shared by every rule set of the same name and the same Rule
    # objects (see _PlanCache).  Derived state: no part in equality, hashing, repr
    # or pickling.
    _cache: _PlanCache = attrs.field(init=False, eq=False, hash=False, repr=False)

    def __attrs_post_init__(self) -> None:
        object.__setattr__(self, "_cache", _PlanCache.of(self.name, self.rules))

    def __getstate__(self) -> dict[str, Any]:
        return {"rules": self.rules, "name": self.name, "vocabulary": self.vocabulary}

    def __setstate__(self, state: dict[str, Any]) -> None:
        object.__setattr__(self, "rules", state["rules"])
        object.__setattr__(self, "name", state["name"])
        object.__setattr__(self, "vocabulary", state["vocabulary"])
        self.__attrs_post_init__()

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

    def __add__(self, other: RuleSet) -> RuleSet:
        if not isinstance(other, RuleSet):
            return NotImplemented
        return RuleSet(self.rules + other.rules, self.name, self.vocabulary | other.vocabulary)

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

    def check(
        self,
        claim: Claim,
        *,
        catalog: Catalog | None = None,
        batch: Batch | None = None,
        history: Any = None,
    ) -> Report:
        """Every finding of these rules on ``claim``, codes looked up in ``catalog``
        (the shipped catalog where ``None``); see :func:`hcpcs_home.policy.check`.

        ``batch`` is the :class:`Batch` the claim belongs to, for rules that look
        across claims (:func:`hcpcs_home.policy.check_many` with ``batch=True``);
        alone, a claim is a batch of one.  ``history`` is the
        :class:`~hcpcs_home.history.ClaimHistory` of earlier claims the ``history``
        rules ask (and the cross-claim rules count with), or ``None``.
        """
        if not isinstance(claim, Claim):
            raise InvalidFieldError("claim", claim, "must be a Claim")
        if catalog is not None and not isinstance(catalog, Catalog):
            raise InvalidFieldError("catalog", catalog, "must be a Catalog or None")
        if batch is not None and (not isinstance(batch, Batch) or claim not in batch):
            raise InvalidFieldError("batch", batch, "must be a Batch holding the claim")
        if history is not None and not _is_history(history):
            raise InvalidFieldError("history", history, "must be a ClaimHistory or None")
        return Report(claim, tuple(self._findings(claim, catalog, batch, history=history)))

    def _findings(
        self,
        claim: Claim,
        catalog: Catalog | None,
        batch: Batch | None = None,
        given: frozenset[Need] | None = None,
        history: Any = None,
    ) -> list[Finding]:
        """The findings of the rules whose needs ``given`` holds (what ``claim`` gives,
        :func:`gives`, where ``None``)."""
        header = Context(claim, catalog=catalog, history=history)
        if batch is not None:
            header.claim_memo["batch"] = batch
        (check_lines, claim_steps), found = self._plan(header, given)
        check_lines(header, found)
        # A claim finding keeps a copy of the header without the facts derived for the
        # check, as a line finding does (Context._kept): reports kept by the thousand
        # stay small.
        header._moving = True
        day = claim.statement_from
        for rule, test in claim_steps:
            try:
                if rule.applies_on(day) and (isinstance(test, bool) or test(header)):
                    found.append(rule._finding(header))
            except Exception as exc:
                found.append(_failed(rule, header, exc))
        return found

    def _plan(
        self, header: Context, given: frozenset[Need] | None = None
    ) -> tuple[_Plan, list[Finding]]:
        """The line rules left once the claim header (payer, type of bill) and what the
        check gives (``given``, see :class:`Need`) are known, compiled into one
        function, the claim rules left with their residual predicates, and the
        findings of line rules that failed on the header.

        Parts of a rule that read only the header are settled here (a 34X rule on
        a 32X claim, a payer flag that is off, a rule for another payer), once per
        payer and type of bill; what is left of the active rules becomes the
        source of one function that checks every line of a claim (see
        :meth:`_plan_source`).  The function is cached on the rule set, so a batch
        of claims for the same payer pays for settling and compiling once; equal
        payers share it, since header-level predicates read only the payer and the
        type of bill.
        """
        payer, type_of_bill = header.payer, header.claim.type_of_bill
        if given is None:
            given = gives(header.claim)
        key = (id(payer), type_of_bill, given)
        found = _lru_get(self._cache.plans, key)
        if found is not None and found[0] is payer:
            return found[1], []
        with self._cache.lock:
            return self._new_plan(header, key)

    def _new_plan(
        self, header: Context, key: tuple[int, str | None, frozenset[Need]]
    ) -> tuple[_Plan, list[Finding]]:
        payer, type_of_bill, given = header.payer, header.claim.type_of_bill, key[2]
        cache = self._cache
        try:
            plan = _lru_get(cache.by_value, (payer, type_of_bill, given))
        except TypeError:  # a payer with an unhashable field: no sharing
            plan = None
        failed: list[Finding] = []
        if plan is None:
            steps, claim_steps, failed = self._steps(header, given)
            writer = _PlanWriter(self, header, given)
            plan = (cache.checker(steps, given, lambda: writer.compile(steps)), claim_steps)
            if failed:  # settled again for the next claim, so it fails there too
                return plan, failed
            with contextlib.suppress(TypeError):  # an unhashable payer: no sharing
                _lru_put(cache.by_value, (payer, type_of_bill, given), plan, cache.PLANS)
        _lru_put(cache.plans, key, (payer, plan), cache.PLANS)
        return plan, failed

    def _steps(
        self, header: Context, given: frozenset[Need] = _CHART_GIVEN
    ) -> tuple[list[_Step], list[_Step], list[Finding]]:
        """Each active line rule and each active claim rule with its residual predicate
        (``True`` where the header settled it as holding), and the findings of line
        rules whose header parts raised.  A rule whose :attr:`~Rule.needs` ``given``
        lacks is not active (a claim rule needs the header)."""
        steps: list[_Step] = []
        claim_steps: list[_Step] = []
        failed: list[Finding] = []
        for rule in self.rules:
            if not rule.applies_to(header.payer) or not rule.needs <= given:
                continue
            if rule.scope is Scope.CLAIM:
                if Need.HEADER not in given:
                    continue
                try:
                    part = rule.when._specialize(header)
                except Exception:  # raised again, and reported, when the rule is evaluated
                    part = rule.when
                if part is not False:
                    claim_steps.append((rule, part))
                continue
            try:
                test = rule.when._specialize(header)
            except Exception as exc:
                failed.append(_failed(rule, header, exc))
                continue
            if test is not False:
                steps.append((rule, test))
        return steps, claim_steps, failed

    def _plan_source(
        self,
        payer: Payer | str,
        type_of_bill: str | None = None,
        given: frozenset[Need] = _CHART_GIVEN,
    ) -> str:
        """The Python source a check runs for the line rules of a claim of ``payer``
        (a :class:`~hcpcs_home.payers.Payer` or shipped profile id) and ``type_of_bill``
        that gives its rules ``given`` (a claim with its chart, by default).

        For reading and debugging: every active rule is one ``if`` over the parts of
        its predicate the claim header did not settle.
        """
        day = _dt.date(2000, 1, 1)  # header predicates read only the payer and type of bill
        header = Context(Claim(payer, day, day, type_of_bill=type_of_bill))
        steps, _, _ = self._steps(header, given)
        return _PlanWriter(self, header, given).write(steps)[0]

    def to_data(self) -> dict[str, Any]:
        """The rule set as plain JSON data."""
        return {"format": 1, "name": self.name, "rules": [r.to_data() for r in self.rules]}

    def to_json(self, *, indent: int | None = 2) -> str:
        """The rule set as JSON text, loadable with :meth:`from_json`."""
        return json.dumps(self.to_data(), indent=indent, ensure_ascii=False)

    @classmethod
    def from_json(cls, text: str | bytes, vocabulary: Vocabulary) -> RuleSet:
        """Load a rule set saved by :meth:`to_json`, naming entries of ``vocabulary``.

        :raises RuleSetLoadError: malformed JSON, an unknown predicate or fixer
            name, or a bad rule, with the path of the problem.
        """
        if isinstance(text, (bytes, bytearray)):
            try:
                text = bytes(text).decode("utf-8")
            except UnicodeDecodeError as exc:
                raise RuleSetLoadError("$", f"is not UTF-8: {exc.reason}") from None
        if not isinstance(text, str):
            raise RuleSetLoadError("$", f"must be JSON text, not {type(text).__name__}")
        if _nesting(text) > _MAX_DEPTH * 2 + 8:
            raise RuleSetLoadError("$", f"nests more than {_MAX_DEPTH * 2 + 8} levels deep")
        try:
            data = json.loads(text)
        except (ValueError, TypeError, RecursionError) as exc:
            raise RuleSetLoadError("$", f"is not valid JSON: {exc}") from None
        return cls.from_data(data, vocabulary)

    @classmethod
    def from_data(cls, data: Any, vocabulary: Vocabulary) -> RuleSet:
        """Load a rule set from plain data (see :meth:`to_data`)."""
        if not isinstance(vocabulary, Vocabulary):
            raise InvalidFieldError("vocabulary", vocabulary, "must be a Vocabulary")
        if not isinstance(data, dict) or not isinstance(data.get("rules"), list):
            raise RuleSetLoadError("$", "must be an object with a 'rules' list")
        rules = [
            _rule_from_data(item, f"$.rules[{i}]", vocabulary)
            for i, item in enumerate(data["rules"])
        ]
        name = data.get("name", "custom")
        if not isinstance(name, str):
            raise RuleSetLoadError("$.name", "must be text")
        try:
            return cls(rules=rules, name=name, vocabulary=vocabulary)
        except HcpcsError as exc:
            raise RuleSetLoadError("$.rules", str(exc)) from None


def _rule_from_data(item: Any, path: str, vocabulary: Vocabulary) -> Rule:
    if not isinstance(item, dict):
        raise RuleSetLoadError(path, "must be an object")
    unknown = set(item) - _RULE_KEYS
    if unknown:
        raise RuleSetLoadError(path, f"unknown keys {sorted(map(str, unknown))}")
    fix = item.get("fix")
    try:
        fixer = None if fix is None else vocabulary.fix(fix)
    except RuleSetLoadError as exc:
        raise RuleSetLoadError(f"{path}.fix", exc.reason) from None
    payers = item.get("payers", [])
    if not isinstance(payers, list):
        raise RuleSetLoadError(f"{path}.payers", "must be a list of payer ids or kinds")
    needs = item.get("needs", [])
    if not isinstance(needs, list):
        raise RuleSetLoadError(f"{path}.needs", "must be a list of needs")
    for key in (
        "field",
        "description",
        "advice",
        "example",
        "severity",
        "id",
        "scope",
        "action",
        "action_source",
    ):
        if item.get(key) is not None and not isinstance(item[key], str):
            raise RuleSetLoadError(f"{path}.{key}", "must be text")
    try:
        return Rule(
            id=item.get("id"),
            severity=item.get("severity"),
            message=_str(item, "message", path),
            source=_str(item, "source", path),
            when=_predicate_from_data(item.get("when"), f"{path}.when", vocabulary),
            fix=fixer,
            field=item.get("field"),
            scope=item.get("scope", "line"),
            effective_from=_opt_date(item, "effective_from", path),
            effective_through=_opt_date(item, "effective_through", path),
            payers=payers,
            needs=needs,
            description=item.get("description") or "",
            advice=item.get("advice") or "",
            example=item.get("example") or "",
            action=item.get("action"),
            action_source=item.get("action_source") or "",
            action_from=_opt_date(item, "action_from", path),
        )
    except RuleSetLoadError:
        raise
    except (HcpcsError, ValueError) as exc:
        raise RuleSetLoadError(path, str(exc)) from None


def _nesting(text: str) -> int:
    """The deepest bracket nesting of JSON text, strings skipped (no recursion)."""
    depth = deepest = 0
    in_string = escaped = False
    for ch in text:
        if in_string:
            if escaped:
                escaped = False
            elif ch == "\\":
                escaped = True
            elif ch == '"':
                in_string = False
        elif ch == '"':
            in_string = True
        elif ch in "[{":
            depth += 1
            deepest = max(deepest, depth)
        elif ch in "]}":
            depth -= 1
    return deepest


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
    "payers",
    "description",
    "advice",
    "example",
    "needs",
    "action",
    "action_source",
    "action_from",
}


class _PlanCache:
    """The compiled plans of one list of rules: by (payer identity, type of bill) and,
    for claims read from files (each with its own equal Payer), by (payer, type of
    bill); see :meth:`RuleSet._plan`.

    Shared by every rule set of the same name and the same :class:`Rule` objects in
    the same order (:meth:`of`), so that ``DEFAULT_RULES.remove("x")`` written inside
    a loop compiles once, not once per claim.  A plan depends on nothing else: the
    rules' predicates are bound when each rule is built.
    """

    __slots__ = ("by_steps", "by_value", "lock", "plans", "rules")

    #: Most rule lists whose plans are kept; the least recently made or used goes first.
    SHARED: ClassVar[int] = 64
    #: Most plans kept per rule list (payer and type of bill pairs: hundreds stay
    #: compiled); the least recently used goes first.
    PLANS: ClassVar[int] = 512
    _shared: ClassVar[collections.OrderedDict[tuple[Any, ...], _PlanCache]] = (
        collections.OrderedDict()
    )
    _shared_lock: ClassVar[threading.Lock] = threading.Lock()

    def __init__(self, rules: tuple[Rule, ...]) -> None:
        self.rules = rules  # kept, so that no rule's id is reused while the entry stands
        self.plans: collections.OrderedDict[
            tuple[int, str | None, frozenset[Need]], tuple[Payer, _Plan]
        ] = collections.OrderedDict()
        self.by_value: collections.OrderedDict[tuple[Payer, str | None, frozenset[Need]], _Plan] = (
            collections.OrderedDict()
        )
        self.by_steps: collections.OrderedDict[tuple[Any, ...], _LineChecker] = (
            collections.OrderedDict()
        )
        self.lock = threading.Lock()

    def checker(
        self, steps: Sequence[_Step], given: frozenset[Need], compile: Callable[[], _LineChecker]
    ) -> _LineChecker:
        """The compiled line checker of ``steps``, shared by every payer and type of bill
        whose header leaves the same rules active with the same residual predicates
        (65 contract profiles that differ in their names compile once).  Called under
        the cache's lock."""
        try:
            signature = (given, *((id(rule), test) for rule, test in steps))
            found: _LineChecker | None = _lru_get(self.by_steps, signature)
        except TypeError:  # a predicate with an unhashable parameter: no sharing
            return compile()
        if found is None:
            found = compile()
            _lru_put(self.by_steps, signature, found, self.PLANS)
        return found

    @classmethod
    def of(cls, name: str, rules: tuple[Rule, ...]) -> _PlanCache:
        """The cache of these rule objects under this name, made on first request."""
        key = (name, *map(id, rules))
        with cls._shared_lock:
            found = cls._shared.get(key)
            if found is None:
                found = cls._shared[key] = cls(rules)
                if len(cls._shared) > cls.SHARED:
                    cls._shared.popitem(last=False)
            else:
                cls._shared.move_to_end(key)
            return found


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
        raise RuleSetLoadError(f"{path}.{key}", f"is not an ISO date: {_short(value)}") from None


class _PlanWriter:
    """Writes the active line rules of a plan as the source of one function.

    Leaves become calls of their functions, bound under generated names
    (``_p0``, ``_p1``...: never a name taken from a rule, a payer or a
    predicate, so no such text can break the source); ``&``, ``|`` and ``~``
    become ``and``, ``or`` and ``not``, so a rule costs no call of its own.
    Each rule runs in its own ``try``: a rule that raises becomes the
    :func:`_failed` finding of that line, as in :meth:`Rule.evaluate`.
    Findings are built only when a rule fires.  The source is registered with
    :mod:`linecache` under a unique file name, so tracebacks show its lines
    (attrs' ``_make.py`` does the same).
    """

    _counter = 0
    _counter_lock = threading.Lock()

    def __init__(
        self, rules: RuleSet, header: Context, given: frozenset[Need] = _CHART_GIVEN
    ) -> None:
        self.title = (
            f"Line rules of {rules.name!r} for {header.payer.name} ({header.payer.id}), "
            f"type of bill {header.claim.type_of_bill or 'none (837P)'}, "
            f"given {', '.join(sorted(n.value for n in given))}"
        )
        self.namespace: dict[str, Any] = {
            "_moving_context": _moving_context,
            "_failed": _failed,
            "_U": _UNSET,
        }
        self.bound: list[str] = []
        self._names: dict[int, str] = {}
        self._leaves: dict[Any, Callable[[Context], bool]] = {}
        self._uses: dict[int, int] = {}
        self._kept: dict[int, str] = {}
        self._facts: dict[int, str] = {}

    def bind(self, prefix: str, value: Any, what: str) -> str:
        """The generated name ``value`` has in the namespace (bound once per object)."""
        name = self._names.get(id(value))
        if name is not None:
            return name
        name = f"_{prefix}{len(self._names)}"
        self.namespace[name] = value
        self._names[id(value)] = name
        if what:
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
        fn = self._function(p)
        written = getattr(fn, "__inline__", None)
        if written is not None:  # an expression the library wrote: in place, no call
            expression, values = written
            names = {
                k: self.claim_fact(v, f"{p}: {k}")
                if isinstance(v, ClaimFact)
                else self.bind("v", v, f"{p}: {k}")
                for k, v in values.items()
            }
            written_out = _LINE_FACT.sub(r"_\1", expression.format(**names))
            return [f"({written_out})"]
        call = f"{self.bind('p', fn, str(p))}(ctx)"
        if self._uses.get(id(fn), 0) < 2:
            return [call]
        # A test several rules of the line ask: asked once per line, the answer kept.
        kept = self._kept.setdefault(id(fn), f"_t{len(self._kept)}")
        return [f"({kept} if {kept} is not _U else ({kept} := {call}))"]

    def claim_fact(self, fact: ClaimFact, what: str) -> str:
        """The expression of ``fact`` in the loop: a local of the generated function,
        worked out by the first line that reads it, kept for the claim's other lines."""
        compute = self.bind("f", fact.compute, f"{what} (once per claim)")
        kept = self._facts.setdefault(id(fact), f"_c{len(self._facts)}")
        return f"({kept} if {kept} is not _U else ({kept} := {compute}(ctx)))"

    def _function(self, p: Predicate) -> Callable[[Context], bool]:
        # Equal leaves of one factory are one function: bind it once.
        return self._leaves.setdefault((p._factory, p._key()), p._fn) if type(p) is Leaf else p._fn

    def _count(self, p: Predicate) -> None:
        """Count how many places of the plan call each test (see :meth:`terms`)."""
        if isinstance(p, _Junction) and type(p) in (And, Or):
            for o in p.operands():
                self._count(o)
        elif isinstance(p, Not) and type(p) is Not:
            self._count(p.operand)
        else:
            fn = self._function(p)
            if getattr(fn, "__inline__", None) is None:
                self._uses[id(fn)] = self._uses.get(id(fn), 0) + 1

    def tables(self, steps: Sequence[_Step]) -> list[list[_Step] | _Step]:
        """``steps`` in order, each run of at least :attr:`TABLE_RUN` rules whose
        predicates are :func:`keyed` by the line's code gathered into one list: a
        table the checker looks the line's code up in, so its cost does not grow with
        its rows.  Shorter runs stay one ``if`` each (a lookup would cost more)."""
        out: list[list[_Step] | _Step] = []
        run: list[_Step] = []
        for step in [*steps, None]:
            test = None if step is None else step[1]
            if test is not None and not isinstance(test, bool) and _line_codes(test) is not None:
                run.append(step)  # type: ignore[arg-type]
                continue
            if len(run) >= self.TABLE_RUN:
                out.append(run)
            else:
                out.extend(run)
            run = []
            if step is not None:
                out.append(step)
        return out

    #: The fewest consecutive code-keyed rules written as a table.
    TABLE_RUN: ClassVar[int] = 8

    def table(self, run: list[_Step], body: list[str]) -> None:
        """Write a run of code-keyed rules as one lookup of the line's code."""
        by_code: dict[str, list[tuple[Rule, Callable[[Context], bool]]]] = {}
        for rule, test in run:
            assert not isinstance(test, bool)
            codes = _line_codes(test)
            assert codes is not None
            for code in codes:
                by_code.setdefault(code, []).append((rule, test._fn))
        table = {code: tuple(found) for code, found in by_code.items()}
        name = self.bind("k", table, "")
        ids = [rule.id for rule, _ in run]
        body.append(
            f"        # a table of {len(run)} rules keyed by code ({len(table)} codes): "
            f"{_comment(ids[0])} ... {_comment(ids[-1])}"
        )
        body.append(f"        _hit = {name}.get(_line.code)")
        body.append("        if _hit is not None:")
        body.append("            for _rule, _test in _hit:")
        body.append("                try:")
        body.append("                    if _rule.applies_on(_line.date) and _test(ctx):")
        body.append("                        out.append(_rule._finding(ctx))")
        body.append("                except Exception as exc:")
        body.append("                    out.append(_failed(_rule, ctx, exc))")

    def write(self, steps: Sequence[_Step]) -> tuple[str, dict[str, Any]]:
        """The source of ``check_lines(header, out)`` and its namespace."""
        body: list[str] = []
        dated = False
        parts = self.tables(steps)
        for part in parts:
            if isinstance(part, tuple) and not isinstance(part[1], bool):
                self._count(part[1])
        for part in parts:
            if isinstance(part, list):
                self.table(part, body)
                continue
            rule, test = part
            name = self.bind("r", rule, f"rule {rule.id}")
            conditions: list[str] = []
            if rule.effective_from is not None:
                conditions.append(f"{self.bind('d', rule.effective_from, '')} <= date")
            if rule.effective_through is not None:
                conditions.append(f"date <= {self.bind('d', rule.effective_through, '')}")
            dated = dated or bool(conditions)
            if test is not True:
                assert not isinstance(test, bool)
                conditions += self.terms(test, "and")
            body.append(f"        # {_comment(rule.id)}: {_comment(str(rule.when))}")
            body.append("        try:")
            fire = f"out.append({name}._finding(ctx))"
            if not conditions:
                body.append(f"            {fire}")
            else:
                body.append("            if (")
                body.extend(f"                {c} and" for c in conditions[:-1])
                body.append(f"                {conditions[-1]}")
                body.append("            ):")
                body.append(f"                {fire}")
            body.append("        except Exception as exc:")
            body.append(f"            out.append(_failed({name}, ctx, exc))")
        head = [
            f"# {_comment(self.title)}: {len(steps)} active.",
            *(["# Bound names:", *self.bound] if self.bound else []),
            "",
            "",
            "def check_lines(header, out):",
        ]
        if not steps:
            head.append("    pass")
        else:
            if self._facts:
                head.append(f"    {' = '.join(self._facts.values())} = _U")
            head.append(_MOVE.rstrip("\n"))
            if dated:
                head.append("        date = _line.date")
            if self._kept:
                head.append(f"        {' = '.join(self._kept.values())} = _U")
        return "\n".join([*head, *body, ""]), self.namespace

    def compile(self, steps: Sequence[_Step]) -> _LineChecker:
        """The function :meth:`write` writes, compiled, its source kept for tracebacks."""
        source, namespace = self.write(steps)
        with self._counter_lock:
            _PlanWriter._counter += 1
            filename = f"<hcpcs_home line rules {_PlanWriter._counter}>"
        code = compile(source, filename, "exec")
        linecache.cache[filename] = (len(source), None, source.splitlines(True), filename)
        exec(code, namespace)
        check_lines: _LineChecker = namespace["check_lines"]
        # The source stays readable for tracebacks while the function lives, no longer:
        # a process that loads rule sets for years does not keep every one's source.
        weakref.finalize(check_lines, linecache.cache.pop, filename, None)
        return check_lines


#: What an inline expression reads of the line, kept in locals of the generated loop.
_LINE_FACT = re.compile(r"\bctx\.(code|line|services)\b")


def _comment(text: str) -> str:
    """``text`` on one line of plain ASCII, safe in a comment of generated source."""
    return ascii(" ".join(str(text).split()))[1:-1]


def _failure(exc: Exception) -> str:
    return f"rule could not be evaluated: {type(exc).__name__}: {_clip(str(exc), 200)}"


#: What a claim history answers (:class:`hcpcs_home.history.ClaimHistory`); the engine
#: checks the shape only and never imports the stores.
_HISTORY_METHODS = ("add", "claims", "claims_by_authorization", "claims_by_worker", "stays", "get")


def _is_history(value: object) -> bool:
    return all(callable(getattr(value, name, None)) for name in _HISTORY_METHODS)


def _failed(rule: Rule, ctx: Context, exc: Exception) -> Finding:
    # A rule that breaks on one line becomes a finding for that line, so one
    # bad line or one faulty custom rule never stops the rest of the claim.
    return Finding(
        rule_id=rule.id,
        severity=Severity.ERROR,
        message=_failure(exc),
        line=ctx.index,
        field=rule.field,
        suggestion=None,
        fix=(),
        source=rule.source,
        context=Explanation(str(rule.when), False),
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

    def __repr__(self) -> str:
        # A few hundred characters: the claim and every finding are a call away
        # (``.claim``, ``str(report)``, ``.to_frame()``); the full attrs repr ran to
        # thousands of characters in a notebook.
        notes = len(self.findings) - len(self.errors) - len(self.warnings)
        rules = ", ".join(self.rule_ids()[:5]) + (", ..." if len(self.rule_ids()) > 5 else "")
        return (
            f"<Report claim={_clip(self.claim.id or '', 40)!r}: {len(self.errors)} error(s), "
            f"{len(self.warnings)} warning(s), {notes} note(s)" + (f" [{rules}]>" if rules else ">")
        )

    def to_frame(self) -> Any:
        """The findings as a pandas DataFrame, one row per finding, with the columns of
        :data:`hcpcs_home.dataframes.FINDING_COLUMNS` (``hcpcs_home[pandas]``).

        For many reports at once (what :func:`check_many` yields, errors
        included) use :func:`hcpcs_home.dataframes.findings_frame`.
        """
        return _frames.frame(list(_frames.finding_records([self])), _frames.FINDING_COLUMNS)

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

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


# The public classes belong to hcpcs_home.policy, which re-exports them: that is
# where people find them, and where pickles and the reference say they live.
for _name in __all__:
    globals()[_name].__module__ = "hcpcs_home.policy"
del _name
