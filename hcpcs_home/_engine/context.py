"""What a check reads: the claim's :class:`Context` (and its memos), the :class:`Batch`.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

import collections
import datetime as _dt
import enum
import threading
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any, ClassVar

from ..catalog import Catalog, default_catalog
from ..claims import Claim, ClaimLine, Service
from ..codes import Code
from ..errors import InvalidFieldError
from ..payers import Payer

if TYPE_CHECKING:
    pass

__all__ = ["Batch", "Context", "Need"]


class Need(str, enum.Enum):
    """What a rule must be given, beyond the line it judges, to judge it (a :class:`Rule`'s
    ``needs``).

    A check runs a rule only where what it needs was given, so a rule never calls
    evidence an error because it is absent: :meth:`RuleSet.check` of a claim
    gives ``HEADER`` always, ``CHART`` when the claim carries one
    (:attr:`Claim.has_chart <hcpcs_home.claims.Claim.has_chart>`) and ``EVV`` when
    it gives its EVV visits (:attr:`Claim.has_evv <hcpcs_home.claims.Claim.has_evv>`);
    :func:`hcpcs_home.policy.check_visit` gives ``CHART`` alone.  A check given a
    claim history (``history=``) gives ``HISTORY`` as well.

    * ``CHART``: the documented services (:class:`~hcpcs_home.claims.Service`): clock
      times and minutes, the rendering credential and license, the setting, orders and
      plan of care on file.  An 837I, UB-04 or RIF claim carries none.
    * ``HEADER``: the whole claim, its statement period, header codes, authorizations,
      amounts so far this year and its other lines.  Claim-scope rules need it without
      saying so.
    * ``EVV``: the claim's electronically verified visits, which a payer that requires
      EVV matches with its lines: a claim gives them (none, ``()``, is an answer)
      unless its ``evv_visits`` is ``None``, as a claim read from an 837, a UB-04,
      a RIF or a CSV file has (those formats never carry EVV visits: the payer
      matches the lines against its aggregator); a single visit does not.
    * ``HISTORY``: the beneficiary's, worker's and authorization's earlier claims, stays
      and visits (a :class:`~hcpcs_home.history.ClaimHistory`): the rules that compare
      a claim with claims on file need one, and find nothing without it.
    """

    CHART = "chart"
    HEADER = "header"
    EVV = "evv"
    HISTORY = "history"


#: What a claim gives its rules: everything but the chart, which it may not carry.
_CLAIM_GIVES = frozenset({Need.HEADER, Need.EVV})


_CHART_GIVEN = frozenset({Need.HEADER, Need.EVV, Need.CHART})

#: What a claim that does not give its EVV visits (``evv_visits`` is ``None``) gives,
#: without its chart and with it.
_NO_EVV_GIVES = frozenset({Need.HEADER})
_NO_EVV_CHART_GIVEN = frozenset({Need.HEADER, Need.CHART})


#: What one visit checked on its own gives (:func:`hcpcs_home.policy.check_visit`).
VISIT_GIVES = frozenset({Need.CHART})


def gives(claim: Claim, history: Any = None) -> frozenset[Need]:
    """What a check of ``claim`` gives its rules (see :class:`Need`), against ``history``
    where one is given."""
    if claim.evv_visits is None:
        found = _NO_EVV_CHART_GIVEN if claim.has_chart else _NO_EVV_GIVES
    else:
        found = _CHART_GIVEN if claim.has_chart else _CLAIM_GIVES
    return found if history is None else with_history(found)


def with_history(given: frozenset[Need]) -> frozenset[Need]:
    """``given`` and :attr:`Need.HISTORY` (the same set each time for the same ``given``)."""
    found = _WITH_HISTORY.get(given)
    if found is None:
        found = _WITH_HISTORY.setdefault(given, given | {Need.HISTORY})
    return found


#: What a check gives with a history, by what it gives without (a few sets at most).
_WITH_HISTORY: dict[frozenset[Need], frozenset[Need]] = {}


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
        self._memo: dict[Any, Any] | None = None
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
    def memo(self) -> dict[Any, Any]:
        """Facts a family derives from this line, kept for the other rules of the line
        (made on first use: most lines need none; a family reads them through
        ``hcpcs_home._engine.LineFact``)."""
        if self._memo is None:
            self._memo = {}
        return self._memo

    @property
    def batch(self) -> Batch | None:
        """The batch the check was given (:func:`hcpcs_home.policy.check_many` with
        ``batch=True``), or ``None``."""
        found = self.claim_memo.get("batch")
        return found if isinstance(found, Batch) else None

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
#: ``_line`` (see :func:`_moving_context`); the usual line has one service.  The line's
#: documented minutes (``ctx.minutes``, what ``rules._common.documented_minutes`` keeps)
#: are set where they are a field: the one service's, or none without a service.
_MOVE = """\
    ctx, _lines, _by_id, _codes, _lookup = _moving_context(header)
    for _i, _line in enumerate(_lines):
        ctx.line = _line
        ctx.index = _i
        ctx._memo = None
        ctx.expected = _U
        _k = _line.code
        ctx.code = _code = _codes[_k] if _k in _codes else _lookup(_k)
        _ids = _line.service_ids
        if len(_ids) == 1:
            _s = _by_id.get(_ids[0])
            if _s is None:
                ctx.services = _services = ()
                ctx.minutes = None
            else:
                ctx.services = _services = (_s,)
                ctx.minutes = _s.minutes
        else:
            ctx.services = _services = tuple([_by_id[_k] for _k in _ids if _k in _by_id])
            ctx.minutes = _U if _services else None
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


#: What a claim history answers (:class:`hcpcs_home.history.ClaimHistory`); the engine
#: checks the shape only and never imports the stores.
_HISTORY_METHODS = ("add", "claims", "claims_by_authorization", "claims_by_worker", "stays", "get")


def _is_history(value: object) -> bool:
    return all(callable(getattr(value, name, None)) for name in _HISTORY_METHODS)
