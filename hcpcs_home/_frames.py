"""Findings as pandas DataFrames: the one table shape shared by :meth:`Report.to_frame
<hcpcs_home.policy.Report.to_frame>` and :mod:`hcpcs_home.dataframes`; and a frame's
cells as the plain Python values the value types accept.

A floor module: it imports nothing of the library's and reads reports and
findings by their attributes and ``to_data()``, so the engine and the formats
both build frames here without importing each other.  pandas is imported on
the first frame built, never at import time.
"""

from __future__ import annotations

import datetime as _dt
import math
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


def is_missing(value: object) -> bool:
    """Whether a cell is empty: ``None``, NaN, ``pandas.NA``, ``NaT``."""
    if value is None:
        return True
    if isinstance(value, float):
        return math.isnan(value)
    # pandas.NA, pandas.NaT and numpy's NaT compare as neither equal nor unequal
    # (pandas.NA's comparison is NA itself, which has no truth value).
    try:
        unequal = value != value
    except (TypeError, ValueError):
        return False  # a value, not a gap: the field's validation judges it
    try:
        return bool(unequal)
    except (TypeError, ValueError):
        return unequal is value


def is_list(value: object) -> bool:
    """A list-like cell: a list or tuple, or an array (numpy, pandas) of one dimension or more."""
    if isinstance(value, (list, tuple)):
        return True
    if isinstance(value, (str, bytes, Mapping)):
        return False
    ndim = getattr(value, "ndim", None)
    return isinstance(ndim, int) and ndim >= 1 and callable(getattr(value, "tolist", None))


def plain(value: object) -> object:
    """A cell as the Python value the value types accept (None for missing)."""
    if is_list(value):
        return tuple(plain(v) for v in value)  # type: ignore[attr-defined]
    if is_missing(value):
        return None
    if isinstance(value, _dt.datetime):  # pandas.Timestamp too
        if (value.hour, value.minute, value.second, value.microsecond) == (0, 0, 0, 0):
            return _dt.date(value.year, value.month, value.day)
        return value
    item = getattr(value, "item", None)  # numpy scalars
    if item is not None and type(value).__module__ == "numpy":
        value = item()
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def column_values(column: Any) -> list[object]:
    """A column's cells as :func:`plain` values, converted by the column's dtype:
    whole numbers and booleans as they are, floats with gaps as ``None`` and whole
    floats as ints, text as it is; anything else cell by cell."""
    kind = getattr(column.dtype, "kind", "O")
    values = column.tolist()
    if kind in "iub" and not column.hasnans:
        return values  # type: ignore[no-any-return]
    if kind == "f":
        return [None if v != v else int(v) if v.is_integer() else v for v in values]
    return [v if type(v) is str else plain(v) for v in values]


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


class FindingColumns:
    """Findings records gathered a column at a time, for frames of many findings.

    Each record is taken apart as it comes, so no record outlives its finding,
    and equal texts (rule ids, messages, sources, claim ids) are kept as one
    object however many findings repeat them: a million findings hold a few
    thousand distinct strings, not a million.
    """

    def __init__(self, columns: Sequence[str] = FINDING_COLUMNS) -> None:
        self.columns = tuple(columns)
        self.values: list[list[Any]] = [[] for _ in self.columns]
        self._texts: dict[str, str] = {}

    def extend(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add ``records`` (mappings with every column), in order."""
        shared = self._texts.setdefault
        columns = tuple(zip(self.columns, self.values, strict=True))
        for record in records:
            for name, values in columns:
                value = record[name]
                values.append(shared(value, value) if type(value) is str else value)

    def frame(self) -> Any:
        """The findings as a DataFrame (the dtypes of :func:`frame`)."""
        pandas = pandas_module()
        data = {}
        for name, values in zip(self.columns, self.values, strict=True):
            data[name] = pandas.Series(
                values, dtype="Int64" if name in ("line", "minutes") else object
            )
            values.clear()  # as each column is made: never two copies of every column
        return pandas.DataFrame(data, columns=list(self.columns))
