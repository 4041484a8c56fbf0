"""The claims a cross-claim rule counts with: those related to the checked claim by
beneficiary, authorization or worker, from the check's batch and its history.

A rule that sums or compares across claims (authorization usage, per-diem days,
one worker in two places) asks :func:`across` for the related claims, in order,
and the checked claim's position among them.  They come from indexes, never from a
scan of everything checked or stored:

* a batch (:func:`hcpcs_home.policy.check_many` with ``batch=True``) is held in a
  temporary :class:`~hcpcs_home.history.MemoryHistory`; a computation is done once
  per group of related claims and shared by the group's claims, so a batch costs
  time in proportion to its claims;
* a history passed to the check (``history=``) is queried by beneficiary,
  authorization or worker and dates; its claims come first (they were billed
  before), the checked claim last.  A stored claim with the checked claim's identity
  (:func:`~hcpcs_home.history.claim_key`) is the checked claim itself and is left out,
  so checking a claim already recorded finds what checking it before did.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Callable, Sequence
from typing import TYPE_CHECKING, Any, TypeVar

from .._engine import Batch, ClaimFact, Context
from ..claims import Claim

if TYPE_CHECKING:
    from ..history import MemoryHistory
    from ..limits import _UsageFold

# hcpcs_home.history (hashlib, sqlite3's schema, its record classes) is imported where a
# batch or a history is counted with: a check of one claim without either never needs it.

__all__ = [
    "KINDS",
    "WORKERS",
    "across",
    "batch_history",
    "claim_dates",
    "claim_name",
    "count_stored_usage",
    "records",
    "same_claim",
    "stored_claims",
]


def __dir__() -> list[str]:
    return __all__


#: What claims can be related by.
KINDS = ("authorization", "beneficiary", "worker")

_DAY = _dt.timedelta(days=1)

_T = TypeVar("_T")


#: The beneficiary's stored claims, by the dates asked (filled in as rules ask).
_STORED: ClaimFact[dict[tuple[_dt.date, _dt.date], Sequence[Claim]]] = ClaimFact(lambda ctx: {})


def stored_claims(ctx: Context, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
    """``ctx.history.claims(beneficiary, start, end)`` for the checked claim's
    beneficiary, asked once per check for the same dates (the rules that look at the
    claim's own period share one query)."""
    memo = _STORED.of(ctx)
    found = memo.get((start, end))
    if found is None:
        patient = ctx.claim.patient_id
        found = memo[(start, end)] = () if not patient else ctx.history.claims(patient, start, end)
    return found


_RECORDS: list[Any] = []


def records() -> Any:
    """The module ``hcpcs_home.history._records`` (``claim_key``, ``workers_of``),
    imported the first time a check counts with a history or a batch and then kept: an
    import statement in a function costs microseconds on every call."""
    if not _RECORDS:
        from ..history import _records

        _RECORDS.append(_records)
    return _RECORDS[0]


def _workers(ctx: Context) -> dict[str, set[_dt.date]]:
    return records().workers_of(ctx.claim)  # type: ignore[no-any-return]


#: The checked claim's workers with their days (``history._records.workers_of``): read,
#: never changed.
WORKERS: ClaimFact[dict[str, set[_dt.date]]] = ClaimFact(_workers)


def batch_history(batch: Batch) -> MemoryHistory:
    """The batch's claims in a :class:`~hcpcs_home.history.MemoryHistory`, built once."""
    found: MemoryHistory | None = batch.memo.get("history")
    if found is None:
        from ..history import MemoryHistory

        found = batch.memo["history"] = MemoryHistory._of_batch(batch.claims)
    return found


def across(
    ctx: Context, kind: str, compute: Callable[[Sequence[Claim]], _T]
) -> tuple[_T, int, Sequence[Claim]]:
    """``compute(claims)`` over the claims related to the context's claim by ``kind``
    (one of :data:`KINDS`), the claim's position among them, and the claims.

    In a batch, shared by every claim of the same group; a family keeps the answer
    for the claim's other lines and rules as a claim fact
    (:class:`~hcpcs_home._engine.ClaimFact`).  One computation per kind: the batch
    keeps a group's answer by kind alone.
    """
    claim = ctx.claim
    given = ctx.batch
    history = ctx.history
    if given is not None:
        return _in_batch(given, claim, kind, compute, earlier=history)
    if history is not None:
        claims = (*_stored(history, claim, kind, (claim,), ctx), claim)
        return compute(claims), len(claims) - 1, claims
    return compute((claim,)), 0, (claim,)


def count_stored_usage(ctx: Context, fold: _UsageFold) -> bool:
    """Count into ``fold`` the authorization usage of the history's claims that share an
    authorization number with the checked claim (those :func:`across` would give,
    in its order), from the store's usage rows; ``False`` (nothing counted) where the
    history keeps none (the claims are then read whole) or the check is a batch's."""
    history = ctx.history
    if history is None or ctx.batch is not None:
        return False
    count = getattr(history, "_count_usage", None)
    if count is None:
        return False
    claim = ctx.claim
    # The stored copy of the checked claim is the claim itself (as same_claim says): the
    # store leaves it out.
    count({a.number for a in claim.authorizations}, fold, claim)
    return True


def _in_batch(
    batch: Batch,
    claim: Claim,
    kind: str,
    compute: Callable[[Sequence[Claim]], _T],
    *,
    earlier: Any,
) -> tuple[_T, int, Sequence[Claim]]:
    """The batch's group of claims related to ``claim`` (after the related claims of the
    history ``earlier``, if any), computed once per group."""
    held = batch_history(batch)
    position = batch.index(claim)
    groups = batch.memo.setdefault(f"groups:{kind}", {})
    seqs = groups.get(position)
    if seqs is None:
        seqs = _group(held, claim, kind, position)
        if len(seqs) == 1 and earlier is None:
            # Related to no other claim: nothing to share, so nothing kept for the rest
            # of the batch (a batch of thousands would keep a group and its result for
            # each such claim, for the garbage collector to walk).
            alone = (claim,)
            return compute(alone), 0, alone
        for seq in seqs:
            groups[seq] = seqs
    everything = held._all()
    if earlier is not None:
        # A history as well: its related claims come first, for each claim its own.
        members = [everything[s] for s in seqs]
        stored = _stored(earlier, claim, kind, members)
        claims = (*stored, *members)
        return compute(claims), len(stored) + seqs.index(position), claims
    # Keyed by the group's identity (every claim of a group holds the same tuple): hashing
    # the positions of a large group for each of its claims would cost its size each time.
    results = batch.memo.setdefault(f"results:{kind}", {})
    found = results.get(id(seqs))
    if found is None or found[0] is not seqs:
        group = tuple(everything[s] for s in seqs)
        places = {seq: n for n, seq in enumerate(seqs)}
        found = results[id(seqs)] = (seqs, compute(group), places, group)
    _, value, places, group = found
    return value, places[position], group


def _group(held: MemoryHistory, claim: Claim, kind: str, position: int) -> tuple[int, ...]:
    """The positions, in order, of the batch's claims related to ``claim`` by ``kind``."""
    if kind == "beneficiary":
        found = held._by_beneficiary.get(claim.patient_id or "", ()) if claim.patient_id else ()
        return tuple(found) or (position,)
    if kind == "authorization":
        seqs: set[int] = {position}
        for a in claim.authorizations:
            seqs.update(held._by_authorization.get(a.number, ()))
        return tuple(sorted(seqs))
    workers_of = records().workers_of
    # worker: every claim reachable through a worker name shared along the way
    seqs = {position}
    names = set(workers_of(claim))
    seen_names: set[str] = set()
    while names:
        name = names.pop()
        seen_names.add(name)
        for seq, _ in held._by_worker.get(name, ()):
            if seq not in seqs:
                seqs.add(seq)
                names.update(n for n in workers_of(held._all()[seq]) if n not in seen_names)
    return tuple(sorted(seqs))


def same_claim(a: Claim, b: Claim) -> bool:
    """Whether ``a`` and ``b`` have one identity (:func:`~hcpcs_home.history.claim_key`),
    without working out the digest of a claim without an id."""
    if a is b:
        return True
    if a.id and b.id:
        key = records().claim_key
        return key(a) == key(b)  # type: ignore[no-any-return]
    return not a.id and not b.id and a == b


def claim_name(claim: Claim) -> str:
    """How a finding names a claim on file: its number, type of bill and period."""
    tob = claim.type_of_bill or "837P"
    period = claim.statement_from.isoformat()
    if claim.statement_through != claim.statement_from:
        period += f" to {claim.statement_through.isoformat()}"
    return f"{claim.id or 'claim without id'} (TOB {tob}, {period})"


def _stored(
    history: Any, claim: Claim, kind: str, skip: Sequence[Claim], ctx: Context | None = None
) -> list[Claim]:
    """The history's claims related to ``claim`` by ``kind``, in the order the history
    gives them, without those that are one of ``skip`` (the checked claim, the batch's)."""
    found: list[Claim] = []
    if kind == "beneficiary":
        if claim.patient_id:
            first, last = claim_dates(claim)
            if ctx is not None:
                found.extend(stored_claims(ctx, first, last))
            else:
                found.extend(history.claims(claim.patient_id, first, last))
    elif kind == "authorization":
        for number in sorted({a.number for a in claim.authorizations}):
            found.extend(history.claims_by_authorization(number))
    else:
        workers = records().workers_of(claim) if ctx is None else WORKERS.of(ctx)
        asks = [
            (name, min(days) - _DAY, max(days) + _DAY) for name, days in sorted(workers.items())
        ]
        at_once = getattr(history, "_claims_by_workers", None)
        if at_once is not None:  # one query for every worker (a SqliteHistory)
            found.extend(at_once(asks))
        else:
            for name, first, last in asks:
                found.extend(history.claims_by_worker(name, first, last))
    out: list[Claim] = []
    for c in found:
        if any(same_claim(c, other) for other in skip) or any(same_claim(c, o) for o in out):
            continue
        out.append(c)
    return out


def claim_dates(claim: Claim) -> tuple[_dt.date, _dt.date]:
    """The first and last day the claim bills: its statement period and its lines."""
    first, last = claim.statement_from, claim.statement_through
    for line in claim.lines:
        first = min(first, line.date)
        last = max(last, line.through or line.date)
    return first, last
