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

from collections.abc import Iterable, Sequence
from typing import TYPE_CHECKING, Any

from ._frames import FindingColumns, is_compact
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


def findings_meta(frame: Any = None) -> Any:
    """An empty findings DataFrame with the result's columns and dtypes (Dask's ``meta``):
    its categoricals (``rule_id``, ``severity``, ``source``) of categories Dask marks
    unknown, as each partition has its own.

    ``frame`` is the (Dask or pandas) timesheet checked: one with a column of pandas'
    string dtype gets compact findings (:func:`~hcpcs_home.dataframes.check_frame`):
    ``claim_id``, ``field``, ``message`` and ``suggestion`` are categoricals too, and
    ``row`` is ``Int64`` where the frame's index is of integers, and ``line`` is
    ``Int16``.  Without it, the
    findings of a frame of object columns.
    """
    from dask.dataframe.utils import clear_known_categories

    if frame is None or not is_compact(frame):
        meta = _frame([], FINDING_COLUMNS)
    else:
        meta = FindingColumns().frame(compact=True)
        if getattr(frame.index.dtype, "kind", "O") not in "iu":
            meta["row"] = meta["row"].astype(object)
    return clear_known_categories(meta)  # type: ignore[no-untyped-call]


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
        meta=findings_meta(frame),
        align_dataframes=False,
    )


# --- checking against a claim history, partitioned ---------------------------------


def _member_names(claim: Claim) -> list[str]:
    names = [f"a:{a.number}" for a in claim.authorizations]
    if claim.patient_id:
        names.insert(0, f"b:{claim.patient_id}")
    return names


def _partitions(claims: Sequence[Claim], count: int) -> list[list[tuple[int, Claim]]]:
    """The claims to check, by partition: claims joined by a beneficiary or an
    authorization number are in one partition (a member's claims together); claims
    naming neither spread round robin."""
    groups = UnionFind()
    roots = [groups.join(_member_names(c)) for c in claims]
    slot: dict[str, int] = {}
    parts: list[list[tuple[int, Claim]]] = [[] for _ in range(count)]
    for i, (claim, root) in enumerate(zip(claims, roots, strict=True)):
        if root is None:
            parts[i % count].append((i, claim))
            continue
        root = groups.find(root)
        if root not in slot:
            slot[root] = len(slot) % count
        parts[slot[root]].append((i, claim))
    return [p for p in parts if p]


def _check_part(
    part: list[tuple[int, Claim]], history: Any, rules: RuleSet
) -> list[tuple[int, tuple[Any, ...]]]:
    """Check a partition's claims against ``history`` (a store the worker opens, or the
    partition's own MemoryHistory)."""
    return [(i, tuple(rules.check(claim, history=history))) for i, claim in part]


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

    The claims are split by beneficiary (joined with the authorization numbers they
    carry), so a member's claims share a partition; each claim is checked against the
    history alone (never against the other claims checked), so that is all a
    partition needs, whatever the rule.  ``history`` is

    * a :class:`~hcpcs_home.history.SqliteHistory` of a file (or another store that
      pickles): each partition's task opens it and asks it what each claim's rules ask,
      by its indexes (beneficiary, authorization, worker and dates), so no process ever
      reads the whole store, and the findings are those of the store in process;
    * a :class:`~hcpcs_home.history.MemoryHistory`, or the earlier claims themselves:
      each partition travels with a MemoryHistory of what its claims are related to,
      looked up in the history's indexes (the claims of each beneficiary,
      authorization number and worker they name, and their beneficiaries' stays and
      certifications, and the EVV visits of their workers and of the workers their
      beneficiaries' stored claims name), never a copy of the whole.

    :raises ImportError: dask is not installed (``pip install 'hcpcs_home[dask]'``).
    """
    try:
        import dask.bag
    except ImportError as exc:  # pragma: no cover - exercised without dask
        raise ImportError("hcpcs_home.dask needs dask: pip install 'hcpcs_home[dask]'") from exc
    db: Any = dask.bag  # untyped
    from ._engine import _is_history
    from .evv import batch_of
    from .history import MemoryHistory
    from .rules import DEFAULT_RULES

    todo = batch_of(list(claims) if not isinstance(claims, (list, tuple)) else claims)
    if isinstance(partitions, bool) or not isinstance(partitions, int) or partitions < 1:
        raise InvalidFieldError("partitions", partitions, "must be a whole number of at least 1")
    chosen = DEFAULT_RULES if rules is None else rules
    parts = _partitions(todo, partitions)
    if isinstance(history, MemoryHistory) or not _is_history(history):
        memory = history if isinstance(history, MemoryHistory) else MemoryHistory(batch_of(history))
        work = [(part, _related(memory, part)) for part in parts]
        bag = db.from_sequence(work, npartitions=len(work) or 1).map(
            lambda job: _check_part(job[0], job[1], chosen)
        )
    else:
        bag = db.from_sequence(parts, npartitions=len(parts) or 1).map(_check_part, history, chosen)
    pairs = bag.flatten()
    return pairs.map(lambda pair: (pair[0], tuple(sorted(pair[1], key=_order))))


def _order(finding: Any) -> tuple[Any, ...]:
    return (-1 if finding.line is None else finding.line, finding.rule_id, finding.message)


def _related(history: Any, part: list[tuple[int, Claim]]) -> Any:
    """A MemoryHistory of what ``history`` (a MemoryHistory) holds for the partition's
    claims: the stored claims of their beneficiaries, authorization numbers, workers and
    keys (in the order added), their beneficiaries' stays and certifications, and the EVV
    visits of their workers and of their beneficiaries' stored claims' workers; each
    looked up in the history's indexes."""
    from .history import MemoryHistory, claim_key
    from .history._records import workers_of

    members: set[str] = set()
    workers: set[str] = set()
    seqs: set[int] = set()
    for _, claim in part:
        if claim.patient_id:
            members.add(claim.patient_id)
            seqs.update(history._by_beneficiary.get(claim.patient_id, ()))
        for a in claim.authorizations:
            seqs.update(history._by_authorization.get(a.number, ()))
        for name in workers_of(claim):
            workers.add(name)
            seqs.update(seq for seq, _ in history._by_worker.get(name, ()))
        seq = history._keys.get(claim_key(claim))
        if seq is not None:
            seqs.add(seq)
    for member in members:  # the visits behind the members' claims on file, too
        for seq in history._by_beneficiary.get(member, ()):
            workers.update(workers_of(history._claims[seq]))
    out = MemoryHistory()
    providers = history._providers
    for seq in sorted(seqs):  # by position, in the order added
        out.add(history._claims[seq], provider=providers.get(seq))
    for member in sorted(members):
        for stay in history._stays_by_beneficiary.get(member, ()):
            if not stay.source:  # a stay read from a claim comes with the claim
                out.add_stay(stay.beneficiary, stay.admitted, stay.discharged, stay.kind)
        for cert in history.certifications(member):
            out.add_certification(member, cert.period_start, face_to_face=cert.face_to_face)
    visits = {v.id: v for name in sorted(workers) for v in history._visits_by_worker.get(name, ())}
    if visits:
        out.add_visits(visits.values())
    return out
