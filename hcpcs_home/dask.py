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

from typing import TYPE_CHECKING, Any

from ._frames import frame as _frame
from .dataframes import FINDING_COLUMNS, check_frame
from .errors import InvalidFieldError

if TYPE_CHECKING:
    from .payers import Payer
    from .policy import RuleSet

#: The columns that carry each row's place in the frame through the shuffle.
_PART = "__hcpcs_home_partition__"
_POS = "__hcpcs_home_position__"

__all__ = ["check_dask_frame", "findings_meta"]


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
