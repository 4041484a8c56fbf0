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


def detached(error: Any) -> Any:
    """``error`` without the tracebacks of it and the errors it was raised from: a caught
    error kept in a result would otherwise keep the frames that raised it, and all they
    refer to, alive (a reference cycle only the garbage collector breaks, late)."""
    seen, depth = error, 0
    while isinstance(seen, BaseException) and depth < 64:  # a chain, never a loop
        seen.__traceback__ = None
        seen, depth = seen.__cause__ or seen.__context__, depth + 1
    return error


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

    Each record is taken apart as it comes, so no record, and no Python object of
    its own, outlives its finding: each column keeps one small integer per finding
    (the index of its value among the column's distinct values, which are kept
    once), rows and lines as machine integers.  The frame is made at the end, its
    columns of the dtypes of :func:`frame`, each value one shared object.
    """

    def __init__(self, columns: Sequence[str] = FINDING_COLUMNS) -> None:
        from array import array

        self.columns = tuple(columns)
        #: Per column: the distinct values in order of first sight, by value.
        self.seen: list[dict[Any, int]] = [{} for _ in self.columns]
        self.codes = [array("i") for _ in self.columns]
        #: Rows, where every label is an int (``None`` as -1 in ``no_row``); else objects.
        self.rows = array("q")
        self.no_row = bytearray()
        self.other_rows: list[Any] | None = None

    def extend(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add ``records`` (mappings with every column), in order."""
        columns = tuple(zip(self.columns, self.seen, self.codes, strict=True))
        for record in records:
            for name, seen, codes in columns:
                value = record[name]
                if name == "row":
                    self._row(value)
                    continue
                try:
                    code = seen.get(value)
                except TypeError:  # unhashable: a value of its own
                    code = None
                    value = _Unhashable(value)
                if code is None:
                    code = seen[value] = len(seen)
                codes.append(code)

    def _row(self, label: Any) -> None:
        if self.other_rows is not None:
            self.other_rows.append(label)
        elif label is None:
            self.rows.append(0)
            self.no_row.append(1)
        elif type(label) is int and -(2**63) <= label < 2**63:
            self.rows.append(label)
            self.no_row.append(0)
        else:  # a label of another type: every row kept as the object it is
            self.other_rows = [
                None if gap else int(r) for r, gap in zip(self.rows, self.no_row, strict=True)
            ]
            self.other_rows.append(label)

    def frame(self) -> Any:
        """The findings as a DataFrame (the dtypes of :func:`frame`)."""
        import numpy

        pandas = pandas_module()
        whole = [c for c in self.columns if c in ("line", "minutes")]
        texts = [c for c in self.columns if c not in whole]
        size = len(self.rows) if self.other_rows is None else len(self.other_rows)
        # The object columns fill one block, as the frame keeps them: no copy is made
        # when the frame is put together.
        block = numpy.empty((size, len(texts)), dtype=object)
        ints = {}
        for name, seen, codes in zip(self.columns, self.seen, self.codes, strict=True):
            if name == "row":
                block[:, texts.index(name)] = self._row_objects(numpy)
                continue
            values = numpy.fromiter(
                (v.value if type(v) is _Unhashable else v for v in seen),
                dtype=object,
                count=len(seen),
            )
            index = numpy.frombuffer(codes, dtype=numpy.intc)
            if name in whole:
                ints[name] = pandas.array(values[index] if size else [], dtype="Int64")
            elif size:
                block[:, texts.index(name)] = values[index]
            del index  # the view of the codes, so that they can go:
            del codes[:]  # as each column is made, never two copies of every column
        found = pandas.DataFrame(block, columns=texts, dtype=object, copy=False)
        for name in whole:
            found.insert(self.columns.index(name), name, ints[name])
        return found

    def _row_objects(self, numpy: Any) -> Any:
        if self.other_rows is not None:
            return numpy.fromiter(self.other_rows, dtype=object, count=len(self.other_rows))
        rows = numpy.frombuffer(self.rows, dtype=numpy.int64).astype(object)
        rows[numpy.frombuffer(self.no_row, dtype=numpy.uint8).astype(bool)] = None
        return rows


class _Unhashable:
    """A value that cannot be a dict key, kept as a distinct value of its own."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
