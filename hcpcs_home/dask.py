"""Checking timesheets at scale on Dask, partition by partition (``hcpcs_home[dask]``).

:func:`check_dask_frame` runs :func:`hcpcs_home.dataframes.check_frame` on
every partition of a Dask DataFrame with ``map_partitions``, after shuffling
the rows so that each claim's rows share a partition.  A claim is checked
whole, by the same rule set, in the same order, so the findings are those of
the single-process run (in another row order; sort both to compare).  The
rule set travels to the workers with Dask's serialisation (cloudpickle).

Dask is imported when :func:`check_dask_frame` runs, never at import time;
this module's name does not shadow the ``dask`` package because the library
uses absolute imports throughout.  The documentation page "Checking at scale"
shows a local cluster, a multi-node cluster and the same function on Spark.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .dataframes import FINDING_COLUMNS, _frame, check_frame
from .errors import InvalidFieldError

if TYPE_CHECKING:
    from .payers import Payer
    from .policy import RuleSet

__all__ = ["check_dask_frame", "findings_meta"]


def __dir__() -> list[str]:
    return __all__


def findings_meta() -> Any:
    """An empty findings DataFrame with the result's columns and dtypes (Dask's ``meta``)."""
    return _frame([], FINDING_COLUMNS)


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
    if shuffle and frame.npartitions > 1:
        frame = frame.shuffle(on=by)
    return frame.map_partitions(
        check_frame,
        rules,
        payer=payer,
        type_of_bill=type_of_bill,
        by=by,
        meta=findings_meta(),
        align_dataframes=False,
    )
