"""Findings as pandas DataFrames: the one table shape shared by :meth:`Report.to_frame
<hcpcs_home.policy.Report.to_frame>` and :mod:`hcpcs_home.dataframes`.

A floor module: it imports nothing of the library's and reads reports and
findings by their attributes and ``to_data()``, so the engine and the formats
both build frames here without importing each other.  pandas is imported on
the first frame built, never at import time.
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable, Iterator, Mapping, Sequence
from typing import Any

FINDING_COLUMNS = (
    "claim_id",
    "row",
    "line",
    "rule_id",
    "severity",
    "field",
    "message",
    "suggestion",
    "source",
)
"""The columns of a findings DataFrame, in order."""

#: The ``rule_id`` of a batch item that is an error (a claim that could not be read).
INVALID_CLAIM = "invalid-claim"


def pandas_module() -> Any:
    """pandas, or an :class:`ImportError` saying which extra installs it."""
    try:
        import pandas
    except ImportError as exc:  # pragma: no cover - exercised without pandas
        raise ImportError("DataFrames need pandas: pip install 'hcpcs_home[pandas]'") from exc
    return pandas


def frame(records: Sequence[Mapping[str, Any]], columns: Sequence[str], index: Any = None) -> Any:
    """A DataFrame of ``records`` with ``columns``, each column of object dtype
    (``line`` and ``minutes`` nullable ints), so labels, units and empty cells keep
    their Python values whatever pandas would infer."""
    pandas = pandas_module()
    return pandas.DataFrame(
        {
            c: pandas.Series(
                [r[c] for r in records],
                dtype="Int64" if c in ("line", "minutes") else object,
                index=index,
            )
            for c in columns
        },
        columns=list(columns),
        index=index,
    )


def finding_records(
    reports: Iterable[Any], rows: Iterable[Sequence[Hashable]] | None = None
) -> Iterator[dict[str, Any]]:
    """One record of :data:`FINDING_COLUMNS` per finding of each report, in order.

    An item that is an exception (what :func:`~hcpcs_home.policy.check_many`
    passes through for a claim that could not be read) is one
    :data:`INVALID_CLAIM` record, so a batch's frame loses no input.
    """
    row_lists = None if rows is None else list(rows)
    for i, report in enumerate(reports):
        if isinstance(report, Exception):
            yield {
                "claim_id": None,
                "row": None,
                "line": None,
                "rule_id": INVALID_CLAIM,
                "severity": "error",
                "field": getattr(report, "field", None) or getattr(report, "path", None),
                "message": str(report),
                "suggestion": None,
                "source": "",
            }
            continue
        lines = None if row_lists is None else row_lists[i]
        for finding in report:
            data = finding.to_data()
            line = finding.line
            yield {
                "claim_id": report.claim.id,
                "row": None if lines is None or line is None else lines[line],
                **{c: data[c] for c in FINDING_COLUMNS if c in data},
            }
