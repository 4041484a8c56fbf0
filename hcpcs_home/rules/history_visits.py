"""Checks against claim history: the same EVV visit billed on two claims, and a worker
whose visit on file for another member overlaps the claim's.

An electronically verified visit backs one billed service.  A line of the checked
claim whose visit already backs a line of a claim on file bills that visit a
second time; the finding names the claim on file.

Which visits back a claim's lines is what :func:`hcpcs_home.evv.match_visits`
says: the visits the claim carries (``Claim.evv_visits``) where it carries any,
otherwise (none, or a claim that does not give its visits, as one read from an
837 or a RIF file: :attr:`Claim.has_evv <hcpcs_home.claims.Claim.has_evv>`),
for a payer that requires EVV for one of its lines, the accepted visits stored
with :meth:`ClaimHistory.add_visits <hcpcs_home.history.ClaimHistory.add_visits>`
(the state aggregator's record) that back a line beyond doubt: the line's only
visit of that day, or one whose clock-in the line's services document (a line
alone on its day takes every visit of its code that day, and need not bill them
all).  A visit is one visit by its ``id``.  The stored visits are asked for by
worker (:meth:`~hcpcs_home.history.ClaimHistory.visits`), for every worker the claim
or the beneficiary's claims on file name; the claims on file are the
beneficiary's over the claim's dates
(:meth:`~hcpcs_home.history.ClaimHistory.claims`).  A replacement (frequency 7)
or a void (8) is not checked; a claim on file replaced or voided by another on
file (same payer and claim number) no longer bills its visits.

One worker in two places across claims is ``worker-overlap`` (the claims on file
that name the claim's workers, :meth:`~hcpcs_home.history.ClaimHistory.claims_by_worker`).
The aggregator's visits of those workers that no claim on file carries are
another record of where the worker was: a service or visit of the claim that
overlaps in time a stored accepted visit of the same worker (id or NPI) for
another member gets ``history-worker-visit-overlap``, naming the visit.

Sources: 21st Century Cures Act §12006 (SSA §1903(l)); 1 TAC §354.4009(c) (the
claim's data elements match the accepted visit); Texas HHSC EVV Policy Handbook
§12000 (the payer pays a claim only with a matching accepted visit); derived: a
visit that backs a claim already billed backs no second claim.
"""

from __future__ import annotations

import datetime as _dt
from collections import Counter
from collections.abc import Callable, Sequence
from typing import Any

from .._engine import Context, Need, Rule, Severity, Vocabulary
from ..claims import Claim
from ..evv import EvvVisit, match_visits
from . import _common as common
from ._common import FixResult, Pred
from ._cross import WORKERS, claim_dates, claim_name, records, same_claim

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


class _Key:
    """A key of this family's facts in a claim's memo (not a free string)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<history visits {self.name}>"


_BILLED = _Key("billed")
_OVERLAPS = _Key("overlaps")
_VISITS = _Key("stored visits")
_DAY = _dt.timedelta(days=1)

#: What a line's visit is billed on already: the visit, the claim on file, its line.
_Billed = tuple[EvvVisit, Claim, int]


def _needs_visits(claim: Claim) -> bool:
    """Whether visits back the claim: it carries some, or its payer requires EVV for a
    line."""
    if claim.evv_visits:
        return True
    payer = claim.payer
    return any(payer.requires_evv(li.code, li.date, li.modifiers) for li in claim.lines)


def _backing(claim: Claim, stored: Sequence[EvvVisit]) -> list[tuple[int, EvvVisit]]:
    """The visits behind the lines of ``claim``, with their line: its own where it carries
    any, otherwise the stored ones (for a payer that requires EVV) that back a line
    beyond doubt: the line's only visit of that day, or one whose clock-in the line's
    services document (a line alone on its day takes all the day's visits of its code,
    so a second one there may be billed on another claim)."""
    if claim.evv_visits:
        return [(m.line, v) for m in match_visits(claim) for v in m.visits]
    if not stored or not _needs_visits(claim):
        return []
    services = {s.id: s for s in claim.services}
    out: list[tuple[int, EvvVisit]] = []
    for match in match_visits(claim, stored):
        line = claim.lines[match.line]
        starts = {s.start for sid in line.service_ids if (s := services.get(sid)) and s.start}
        days = Counter(v.date for v in match.visits)
        out.extend((match.line, v) for v in match.visits if days[v.date] == 1 or v.start in starts)
    return out


def _current(others: Sequence[Claim]) -> list[Claim]:
    """The claims on file that still bill: not voids, and not a claim that a void or
    replacement on file (same payer and claim number) took the place of."""
    later = {(c.payer.id, c.id): c.frequency for c in others if c.id and c.frequency in ("7", "8")}
    out = []
    for c in others:
        if c.frequency == "8" or not c.lines:
            continue
        taken = later.get((c.payer.id, c.id)) if c.id else None
        if taken == "8" or (taken == "7" and c.frequency != "7"):
            continue
        out.append(c)
    return out


def _memo(ctx: Context, key: _Key, compute: Callable[[Context], Any]) -> Any:
    """``compute(ctx)``, once per claim."""
    found = ctx.claim_memo.get(key)
    if found is None:
        found = ctx.claim_memo[key] = compute(ctx)
    return found


def _billed(ctx: Context) -> dict[int, _Billed]:
    """The lines of the claim whose visit is already billed on a claim on file, by line."""
    return _memo(ctx, _BILLED, _compute)  # type: ignore[no-any-return]


def _compute(ctx: Context) -> dict[int, _Billed]:
    claim, history = ctx.claim, ctx.history
    if (
        history is None
        or not claim.patient_id
        or not claim.lines
        or claim.frequency in ("7", "8")
        or not _needs_visits(claim)
    ):
        return {}
    workers_of = records().workers_of
    # What backs the claim first (its own visits, or its workers' stored visits where
    # every line names its worker): most claims have nothing billed twice to look for.
    wanted: dict[str, tuple[int, EvvVisit]] | None = None
    if claim.evv_visits or _lines_name_workers(claim):
        pool = _stored_visits(ctx, WORKERS.of(ctx))
        wanted = {v.id: (line, v) for line, v in _backing(claim, pool)}
        if not wanted:
            return {}
    first, last = claim_dates(claim)
    others = _current(
        [c for c in history.claims(claim.patient_id, first, last) if not same_claim(c, claim)]
    )
    if not others:
        return {}
    names = set(WORKERS.of(ctx))
    for other in others:
        names.update(workers_of(other))
    pool = _stored_visits(ctx, names)
    if wanted is None:
        wanted = {v.id: (line, v) for line, v in _backing(claim, pool)}
    out: dict[int, _Billed] = {}
    for other in others:
        for line, visit in _backing(other, pool):
            hit = wanted.get(visit.id)
            if hit is not None and hit[0] not in out:
                out[hit[0]] = (hit[1], other, line)
    return out


def _lines_name_workers(claim: Claim) -> bool:
    """Whether every line links a service that names its worker (so only that worker's
    visits can back it)."""
    named = {s.id for s in claim.services if s.rendering_id or s.rendering_npi}
    return all(any(sid in named for sid in li.service_ids) for li in claim.lines)


def _stored_visits(ctx: Context, names: Any) -> tuple[EvvVisit, ...]:
    """The stored visits of the workers ``names`` from the day before the claim's first
    day to the day after its last, each once."""
    held = _held(ctx, names)
    found: dict[str, EvvVisit] = {}
    for name in sorted(names):
        for visit in held[name]:
            found.setdefault(visit.id, visit)
    return tuple(found.values())


def _held(ctx: Context, names: Any) -> dict[str, Sequence[EvvVisit]]:
    """The stored visits of each worker asked for so far for the claim, ``names`` among
    them (each worker asked once per claim, for both rules; every new one in one query
    where the store can)."""
    memo: tuple[tuple[_dt.date, _dt.date], dict[str, Sequence[EvvVisit]]] | None = (
        ctx.claim_memo.get(_VISITS)
    )
    if memo is None:
        memo = ctx.claim_memo[_VISITS] = (_window(ctx.claim), {})
    (first, last), held = memo
    missing = sorted(name for name in names if name not in held)
    if missing:
        history = ctx.history
        assert history is not None
        at_once = getattr(history, "_visits_of_workers", None)
        if at_once is not None:  # one query for every worker (a SqliteHistory)
            held.update(at_once(missing, first, last))
        else:
            for name in missing:
                held[name] = history.visits(name, first, last)
    return held


def _window(claim: Claim) -> tuple[_dt.date, _dt.date]:
    """The claim's days and its services' and visits' days, with a day either side (a
    visit the day before may run past midnight)."""
    first, last = claim_dates(claim)
    days = [s.date for s in claim.services] + [v.date for v in claim.evv_visits or ()]
    if days:
        first, last = min(first, *days), max(last, *days)
    return first - _DAY, last + _DAY


# --- a worker's stored visit for another member at the same time -----------------------


#: A record of the claim that overlaps a stored visit: the stored visit and the worker.
_Overlap = tuple[EvvVisit, str]


def _records(claim: Claim) -> list[tuple[str, frozenset[str], _dt.datetime, _dt.datetime]]:
    """The claim's services and visits with clock times and a worker: (id, workers,
    begin, end)."""
    out = []
    for s in claim.services:
        interval = s.interval()
        names = frozenset(x for x in (s.rendering_id, s.rendering_npi) if x)
        if interval is not None and names and interval[1] > interval[0]:
            out.append((s.id, names, *interval))
    for v in claim.evv_visits or ():
        interval = v.interval()
        names = frozenset(x for x in (v.worker, v.worker_npi) if x)
        if interval is not None and names and interval[1] > interval[0]:
            out.append((v.id, names, *interval))
    return out


def _overlaps(ctx: Context) -> dict[str, _Overlap]:
    """The claim's records (service or visit ids) that overlap a stored visit of the same
    worker for another member, which no claim on file carries."""
    return _memo(ctx, _OVERLAPS, _compute_overlaps)  # type: ignore[no-any-return]


def _compute_overlaps(ctx: Context) -> dict[str, _Overlap]:
    claim, history = ctx.claim, ctx.history
    if history is None or claim.frequency in ("7", "8"):
        return {}
    named = WORKERS.of(ctx)  # every worker the claim names: its records' among them
    if not named:
        return {}
    held = _held(ctx, named)
    if not any(held[n] for n in named):
        return {}  # the usual answer: no stored visit of the claim's workers
    records = _records(claim)
    own = {v.id for v in claim.evv_visits or ()}
    out: dict[str, _Overlap] = {}
    candidates: dict[str, list[tuple[str, EvvVisit]]] = {}
    for rid, workers, begin, end in records:
        for name in sorted(workers):
            for v in held[name]:
                if v.id in own or not v.accepted or v.member in (None, claim.patient_id):
                    continue
                span = v.interval()
                if span is not None and span[0] < end and begin < span[1]:
                    candidates.setdefault(rid, []).append((name, v))
    if not candidates:
        return out
    carried: set[str] = set()  # stored visits a claim on file carries: worker-overlap's
    for name, v in {(n, v.id): (n, v) for c in candidates.values() for n, v in c}.values():
        for other in history.claims_by_worker(name, v.date, v.date):
            carried.update(x.id for x in other.evv_visits or ())
    for rid, pairs in candidates.items():
        for name, v in pairs:
            if v.id not in carried:
                out[rid] = (v, name)
                break
    return out


def _overlap_of_line(ctx: Context) -> _Overlap | None:
    if ctx.line is None or ctx.history is None:
        return None
    overlaps = _overlaps(ctx)
    if not overlaps:
        return None
    match = common.evv_match(ctx)
    ids = [s.id for s in ctx.services] + [v.id for v in (match.visits if match else ())]
    for rid in ids:
        if rid in overlaps:
            return overlaps[rid]
    return None


def worker_free_of_stored_visits() -> Pred:
    """No service or visit behind the line overlaps in time a stored accepted EVV visit of
    the same worker (id or NPI) for another member that no claim on file carries (Cures
    Act §12006: the worker and the visit's times are verified; derived: one person cannot
    deliver two visits at once)."""
    return lambda ctx: _overlap_of_line(ctx) is None


def _fix_overlap(ctx: Context) -> FixResult:
    found = _overlap_of_line(ctx)
    if found is None:
        return None, {}, {"worker": "", "visit": "", "member": "", "times": ""}
    visit, worker = found
    span = visit.interval()
    assert span is not None
    times = f"{span[0]:%Y-%m-%d %H:%M} to {span[1]:%H:%M}"
    facts = {"worker": worker, "visit": visit.id, "member": visit.member or "", "times": times}
    return (
        "correct the clock times or the worker of the claim's visit or of the visit on file",
        {},
        facts,
    )


# --- predicate and fixer ----------------------------------------------------------------


def visits_not_billed_before() -> Pred:
    """No EVV visit behind the line already backs a line of a claim on file for the
    beneficiary (Cures Act §12006; 1 TAC §354.4009(c); derived: a visit backs one
    billed service)."""
    return lambda ctx: ctx.index is None or ctx.index not in _billed(ctx)


def _fix_billed(ctx: Context) -> FixResult:
    found = None if ctx.index is None else _billed(ctx).get(ctx.index)
    if found is None:
        return None, {}, {"visit": "", "day": "", "other": ""}
    visit, other, line = found
    return (
        "remove the line, or send a replacement (frequency 7) of the claim on file",
        {},
        {
            "visit": visit.id,
            "day": visit.date.isoformat(),
            "other": f"{claim_name(other)}, line {line + 1}",
        },
    )


VOCABULARY = Vocabulary(
    predicates={
        "visits_not_billed_before": visits_not_billed_before,
        "worker_free_of_stored_visits": worker_free_of_stored_visits,
    },
    fixers={
        "history-evv-visit-billed": _fix_billed,
        "history-worker-visit-overlap": _fix_overlap,
    },
)
"""The predicates and fixers of this family."""

RULES: tuple[Rule, ...] = (
    Rule(
        "history-evv-visit-billed",
        Severity.WARNING,
        "EVV visit {visit} on {day} behind this line is already billed on {other}",
        "21st Century Cures Act §12006 (SSA §1903(l)); 1 TAC §354.4009(c) and Texas HHSC "
        "EVV Policy Handbook §12000 (a claim is paid only with its matching accepted visit); "
        "derived: a visit backs one billed service",
        ~VOCABULARY.predicate("visits_not_billed_before"),
        fix=VOCABULARY.fix("history-evv-visit-billed"),
        field="evv_visits",
        # The header, not Need.EVV: a claim that does not give its visits (read from an
        # 837...) is matched with the aggregator's visits on file, as one that carries none.
        needs=[Need.HEADER, Need.HISTORY],
        description=(
            "A line whose EVV visit (the claim's own, or for a payer that requires EVV the "
            "aggregator's visits stored with add_visits) already backs a line of another "
            "claim on file for the beneficiary."
        ),
        advice=(
            "Remove the line billed twice, or correct the claim on file with a replacement "
            "(frequency 7)."
        ),
    ),
    Rule(
        "history-worker-visit-overlap",
        Severity.WARNING,
        "worker {worker} is in EVV visit {visit} for {member} ({times}) on file at the same time",
        "21st Century Cures Act §12006 (SSA §1903(l)(5): the worker and the begin and end time "
        "of each visit are verified); derived: one person cannot deliver two visits at once",
        ~VOCABULARY.predicate("worker_free_of_stored_visits"),
        fix=VOCABULARY.fix("history-worker-visit-overlap"),
        field="evv_visits",
        needs=[Need.HISTORY],  # the visits on file: none without a history
        description=(
            "A service or visit behind the line overlaps in time an accepted EVV visit on file "
            "(stored with add_visits, carried by no claim on file) of the same worker for "
            "another member."
        ),
        advice="Correct the clock times or the worker of one of the two visits.",
    ),
)
"""The rules of this family, in the order their findings are reported."""
