"""Checking timesheets at scale on Dask, partition by partition (``hcpcs_home[dask]``).

:func:`check_dask_frame` runs :func:`hcpcs_home.dataframes.check_frame` on
every partition of a Dask DataFrame with ``map_partitions``, after shuffling
the rows so that each claim's rows share a partition.  Each row is first
tagged with its place in the frame (partition number, position), and each
partition is put back in that order before it is checked, because a shuffle
does not keep it: a claim's lines are then in the frame's order, as
:func:`~hcpcs_home.dataframes.check_frame` sees them, so a claim is checked
whole, by the same rule set, with the same line numbers, and the findings are
those of the single-process run (in another row order; sort both to compare).
The rule set travels to the workers with Dask's serialisation (cloudpickle).

Dask is imported when :func:`check_dask_frame` runs, never at import time;
this module's name does not shadow the ``dask`` package because the library
uses absolute imports throughout.  The documentation page "Checking at scale"
shows a local cluster, a multi-node cluster and the same function on Spark.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._frames import frame as _frame
from ._union_find import UnionFind
from .dataframes import FINDING_COLUMNS, check_frame
from .errors import InvalidFieldError

if TYPE_CHECKING:
    from .claims import Claim
    from .payers import Payer
    from .policy import RuleSet

#: The columns that carry each row's place in the frame through the shuffle.
_PART = "__hcpcs_home_partition__"
_POS = "__hcpcs_home_position__"

__all__ = ["check_dask_frame", "check_with_history", "findings_meta"]


def __dir__() -> list[str]:
    return __all__


def findings_meta() -> Any:
    """An empty findings DataFrame with the result's columns and dtypes (Dask's ``meta``)."""
    return _frame([], FINDING_COLUMNS)


def _tag(part: Any, partition_info: dict[str, Any] | None = None) -> Any:
    """The partition with each row's place in the frame (partition number, position)."""
    number = 0 if partition_info is None else partition_info["number"]
    return part.assign(**{_PART: number, _POS: range(len(part))})


def _check_partition(part: Any, rules: RuleSet | None, **options: Any) -> Any:
    """:func:`check_frame` on one partition, its rows first put back in the frame's order."""
    if _PART in part.columns:
        part = part.sort_values([_PART, _POS], kind="stable").drop(columns=[_PART, _POS])
    return check_frame(part, rules, **options)


def check_dask_frame(
    frame: Any,
    rules: RuleSet | None = None,
    *,
    payer: Payer | str | None = None,
    type_of_bill: str | None = None,
    by: str = "claim_id",
    shuffle: bool = True,
) -> Any:
    """The findings of a Dask DataFrame of timesheet rows, as a lazy Dask DataFrame.

    Arguments are :func:`~hcpcs_home.dataframes.check_frame`'s.  With
    ``shuffle=True`` the rows are first shuffled on ``by`` so that no claim
    is split across partitions; pass ``False`` only when the frame is
    already partitioned by claim (read from files written per claim, or
    after ``set_index(by)``), or claims split across partitions are checked
    as separate, partial claims.  ``row`` in the result is each row's index
    label in ``frame``.

    :raises ImportError: dask is not installed (``pip install 'hcpcs_home[dask]'``).
    """
    try:
        import dask.dataframe as dd
    except ImportError as exc:  # pragma: no cover - exercised without dask
        raise ImportError("hcpcs_home.dask needs dask: pip install 'hcpcs_home[dask]'") from exc
    if not isinstance(frame, dd.DataFrame):
        raise InvalidFieldError("frame", type(frame).__name__, "must be a dask DataFrame")
    if by not in frame.columns:
        raise InvalidFieldError("by", by, "is not a column of the frame")
    if _PART in frame.columns or _POS in frame.columns:
        raise InvalidFieldError("frame", _PART, "is a column name this function reserves")
    rows: Any = frame  # dask's map_partitions is untyped
    if shuffle and frame.npartitions > 1:
        rows = rows.map_partitions(_tag, meta=_tag(rows._meta)).shuffle(on=by)
    return rows.map_partitions(
        _check_partition,
        rules,
        payer=payer,
        type_of_bill=type_of_bill,
        by=by,
        meta=findings_meta(),
        align_dataframes=False,
    )


# --- checking against a claim history, partitioned ---------------------------------


def _worker_rules(rules: RuleSet) -> tuple[RuleSet, RuleSet]:
    """The rule set without, and with only, the rules that look at one worker's visits
    across claims (their predicate names ``worker_free``)."""
    ids = [r.id for r in rules if "worker_free" in str(r.when)]
    without = rules.remove(*ids) if ids else rules
    only = rules.remove(*[r.id for r in rules if r.id not in ids])
    return without, only


def _member_names(claim: Claim) -> list[str]:
    names = [f"a:{a.number}" for a in claim.authorizations]
    if claim.patient_id:
        names.insert(0, f"b:{claim.patient_id}")
    return names


def _worker_names(claim: Claim) -> list[str]:
    from .history._records import workers_of

    return [f"w:{name}" for name in sorted(workers_of(claim))]


def _partitions(
    claims: Sequence[Claim],
    stored: Sequence[Claim],
    names: Callable[[Claim], list[str]],
    count: int,
) -> list[tuple[list[tuple[int, Claim]], list[int]]]:
    """The claims to check and the stored claims (by position) of each partition: claims
    joined by a shared name are in one partition; claims naming nothing in partitions
    of their own (spread round robin); a stored claim only where a claim to check
    shares its group."""
    groups = UnionFind()
    roots = [groups.join(names(c)) for c in claims]
    stored_roots = [groups.join(names(c)) for c in stored]
    slot: dict[str, int] = {}
    parts: list[tuple[list[tuple[int, Claim]], list[int]]] = [([], []) for _ in range(count)]
    for i, (claim, root) in enumerate(zip(claims, roots, strict=True)):
        if root is None:
            parts[i % count][0].append((i, claim))
            continue
        root = groups.find(root)
        if root not in slot:
            slot[root] = len(slot) % count
        parts[slot[root]][0].append((i, claim))
    for j, root in enumerate(stored_roots):
        if root is not None:
            found = slot.get(groups.find(root))
            if found is not None:
                parts[found][1].append(j)
    return [p for p in parts if p[0]]


def _check_part(
    part: tuple[list[tuple[int, Claim]], list[Claim]],
    extra: Any,
    rules: RuleSet,
) -> list[tuple[int, tuple[Any, ...]]]:
    """Check a partition's claims against a history of its stored claims."""
    from .history import MemoryHistory

    todo, held = part
    history = MemoryHistory(held)
    if extra is not None:
        extra(history, {c.patient_id for _, c in todo if c.patient_id})
    return [(i, tuple(rules.check(claim, history=history))) for i, claim in todo]


def check_with_history(
    claims: Iterable[Claim],
    history: Any,
    rules: RuleSet | None = None,
    *,
    partitions: int = 8,
) -> Any:
    """Each claim's findings checked against ``history``, on Dask: a lazy Dask Bag of
    ``(position, findings)`` pairs, one per claim, the findings those of
    ``check(claim, rules, history=history)`` (sorted by line and rule id).

    ``history`` is a :class:`~hcpcs_home.history.MemoryHistory` or the earlier claims
    themselves.  The claims are split twice: by beneficiary (joined with the
    authorizations they carry), for every rule but those that follow one worker
    across claims, and by worker (ids and NPIs, joined through the claims that name
    several), for those; each partition is checked against a history of the stored
    claims of its groups only, so no worker reads the whole history, and the
    findings are the in-process ones.

    :raises ImportError: dask is not installed (``pip install 'hcpcs_home[dask]'``).
    """
    try:
        import dask.bag
    except ImportError as exc:  # pragma: no cover - exercised without dask
        raise ImportError("hcpcs_home.dask needs dask: pip install 'hcpcs_home[dask]'") from exc
    db: Any = dask.bag  # untyped
    from .evv import batch_of
    from .history import MemoryHistory
    from .rules import DEFAULT_RULES

    todo = batch_of(list(claims) if not isinstance(claims, (list, tuple)) else claims)
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise InvalidFieldError("partitions", partitions, "must be a whole number of at least 1")
    extra: Any = None
    if isinstance(history, MemoryHistory):
        stored: Sequence[Claim] = list(history._all())
        extra = _extras_of(history)
    else:
        stored = batch_of(history)
    chosen = DEFAULT_RULES if rules is None else rules
    without, only = _worker_rules(chosen)
    # Each partition travels with its own stored claims, never the whole history.
    by_member = [
        (part, [stored[j] for j in positions])
        for part, positions in _partitions(todo, stored, _member_names, partitions)
    ]
    bags = [
        db.from_sequence(by_member, npartitions=len(by_member) or 1).map(
            _check_part, extra, without
        )
    ]
    if len(only):
        by_worker = [
            (part, [stored[j] for j in positions])
            for part, positions in _partitions(todo, stored, _worker_names, partitions)
        ]
        if by_worker:
            bags.append(
                # With the stored visits too: a worker's visit on file for another member is
                # one of the worker's places (history-worker-visit-overlap).
                db.from_sequence(by_worker, npartitions=len(by_worker)).map(
                    _check_part, extra, only
                )
            )
    pairs = db.concat(bags).flatten()
    return pairs.foldby(lambda pair: pair[0], _add, (), _join, ()).map(
        lambda kv: (kv[0], tuple(sorted(kv[1], key=_order)))
    )


def _add(acc: tuple[Any, ...], pair: tuple[int, tuple[Any, ...]]) -> tuple[Any, ...]:
    return acc + pair[1]


def _join(a: tuple[Any, ...], b: tuple[Any, ...]) -> tuple[Any, ...]:
    return a + b


def _order(finding: Any) -> tuple[Any, ...]:
    return (-1 if finding.line is None else finding.line, finding.rule_id, finding.message)


def _extras_of(history: Any) -> Any:
    """What a MemoryHistory holds besides claims (stays, certifications, visits), to be
    given to each partition's history for its beneficiaries."""
    stays = [s for held in history._stays_by_beneficiary.values() for s in held if not s.source]
    certs = {b: list(held.values()) for b, held in history._certifications.items()}
    visits = list(history._visits.values())

    def extra(target: Any, members: set[str]) -> None:
        for s in stays:
            if s.beneficiary in members:
                target.add_stay(s.beneficiary, s.admitted, s.discharged, s.kind)
        for member in members:
            for c in certs.get(member, ()):
                target.add_certification(member, c.period_start, face_to_face=c.face_to_face)
        if visits:
            target.add_visits(visits)

    return extra
