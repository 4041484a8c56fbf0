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
import itertools
import math
from array import array
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
    if kind == "f" and (not column.hasnans or _numpy_dtype(column.dtype)):
        # numpy's NaN is a float (NaN != NaN); pandas' own Float64 gives pandas.NA, which
        # has no truth value: read cell by cell, below.
        return [None if v != v else int(v) if v.is_integer() else v for v in values]
    return [v if type(v) is str else plain(v) for v in values]


def _numpy_dtype(dtype: Any) -> bool:
    """Whether ``dtype`` is numpy's own (not one of pandas' extension dtypes)."""
    return type(dtype).__module__.split(".")[0] == "numpy"


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
    their Python values whatever pandas would infer; findings (``columns`` of
    :data:`FINDING_COLUMNS`) as :meth:`FindingColumns.frame` makes them."""
    if index is None and tuple(columns) == FINDING_COLUMNS:  # every findings frame alike
        found = FindingColumns()
        found.extend(records)
        return found.frame()
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


def is_compact(frame: Any) -> bool:
    """Whether a frame's findings are made compact (:meth:`FindingColumns.frame`): it has
    a column of pandas' string dtype (``str``, pandas 3's text, or ``string``)."""
    pandas = pandas_module()
    return any(isinstance(dtype, pandas.StringDtype) for dtype in frame.dtypes)


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
        yield from report_records(report, None if row_lists is None else row_lists[i])


def report_records(report: Any, lines: Sequence[Hashable] | None) -> list[dict[str, Any]]:
    """The records of :func:`finding_records` of one report, whose claim's lines come
    from the rows ``lines`` (``None``: the ``row`` column is empty)."""
    claim_id = report.claim.id
    records = []
    for finding in report:
        # The finding's own data, with the claim and row put in and the one key no
        # column shows taken out: one dict per finding.
        data = finding.to_data()
        del data["fix"]
        line = data["line"]
        data["claim_id"] = claim_id
        data["row"] = None if lines is None or line is None else lines[line]
        records.append(data)
    return records


def report_rows(report: Any, lines: Sequence[Hashable] | None) -> list[tuple[Any, ...]]:
    """The records of :func:`report_records` as tuples of :data:`FINDING_COLUMNS`'
    values, in order (for :meth:`FindingColumns.add_rows`): each finding read as its
    attributes, with no dict made for it, its message and suggestion written for this
    one read (``_texts``: the report is let go next) and no ``fix`` (which no column
    shows) written."""
    claim_id = report.claim.id
    rows = []
    for finding in report:
        line = finding.line
        # The message and suggestion written at once, and not kept: the finding goes next.
        message, suggestion = finding._texts()
        rows.append(
            (
                claim_id,
                None if lines is None or line is None else lines[line],
                line,
                finding.rule_id,
                finding.severity._value_,  # as to_data() writes it
                finding.field,
                message,
                suggestion,
                finding.source,
            )
        )
    return rows


#: The findings columns of repeated text that is never missing (every finding has a
#: rule, a severity and a source): pandas categoricals, one small code per finding.
CATEGORY_COLUMNS = ("rule_id", "severity", "source")

#: The findings columns that may hold a missing value, categoricals in a compact frame
#: (:meth:`FindingColumns.frame`), their missing cells NaN.
COMPACT_COLUMNS = ("claim_id", "field", "message", "suggestion")

#: Columns of whole numbers with gaps: pandas' nullable ``Int64``.
_WHOLE = ("line", "minutes")

#: Findings turned into frame cells at a time when the frame is made, so that no
#: temporary array (indexes, row numbers) ever spans every finding.
_SLICE = 1 << 16

#: Findings a block of gathered codes or rows holds (:class:`_Blocks`): few memory maps
#: even for hundreds of millions of findings.
_BLOCK = 1 << 18

#: Records taken a column at a time in batches of this many: few enough that their
#: dicts stay in the processor's cache from one column to the next.
_BATCH = 256

#: The array type codes a column's codes widen through as its distinct values grow,
#: and how many distinct values each holds.
_WIDER = {"B": "H", "H": "i", "i": "q"}
_HOLDS = {"B": 1 << 8, "H": 1 << 16, "i": 1 << 31, "q": 1 << 63}


class FindingColumns:
    """Findings records gathered a column at a time, for frames of many findings.

    Each record is taken apart as it comes, so no record, and no Python object of
    its own, outlives its finding: each column keeps one small integer per finding
    (the index of its value among the column's distinct values, which are kept
    once: one ``str`` for each distinct message), in the fewest bytes its count of
    distinct values needs (one byte up to 256 of them), and rows as machine
    integers.  The frame is made at the end (:meth:`frame`): the columns of
    :data:`CATEGORY_COLUMNS` as categoricals, ``line`` as ``Int64``, the rest of
    object dtype, each value one shared object.
    """

    def __init__(self, columns: Sequence[str] = FINDING_COLUMNS) -> None:
        self.columns = tuple(columns)
        #: Per column: the distinct values in order of first sight, by value.
        self.seen: list[dict[Any, int]] = [{} for _ in self.columns]
        #: Per column: each finding's code; one byte each until a 257th value is seen.
        self.codes = [_Blocks("B") for _ in self.columns]
        #: Rows, where every label is an int (``None`` as 0, marked in ``no_row``), 32 bits
        #: each until one needs 64; else every label as the object it is (``other_rows``).
        self.rows = _Blocks("i")
        self.no_row = _Blocks("B")
        self.other_rows: list[Any] | None = None
        #: Records :meth:`add` and :meth:`add_rows` have not taken apart yet (fewer than
        #: a batch), as tuples of the columns' values.
        self.pending: list[tuple[Any, ...]] = []

    def extend(self, records: Iterable[Mapping[str, Any]]) -> None:
        """Add ``records`` (mappings with every column), in order.

        A column at a time: each value's code looked up at once where the column's
        values have all been seen before (the usual case: rules, severities, sources
        and most messages repeat), one at a time where one is new.
        """
        records = records if isinstance(records, list) else list(records)
        if self.pending:  # the rows kept before these go first
            pending, self.pending = self.pending, []
            self._add_rows(pending)
        for start in range(0, len(records), _BATCH):
            batch = records[start : start + _BATCH] if len(records) > _BATCH else records
            self._add([[record[name] for record in batch] for name in self.columns])

    def add(self, records: Iterable[Mapping[str, Any]]) -> None:
        """:meth:`extend`, the records kept until a batch of them has come (a claim's few
        findings at a time cost more a finding than a batch)."""
        self.add_rows([tuple(record[name] for name in self.columns) for record in records])

    def add_rows(self, rows: Iterable[tuple[Any, ...]]) -> None:
        """:meth:`add` of records given as tuples of the columns' values, in order
        (:func:`report_rows`): a batch is taken apart into its columns at once."""
        self.pending.extend(rows)
        if len(self.pending) >= _BATCH:
            pending, self.pending = self.pending, []
            self._add_rows(pending)

    def _add_rows(self, rows: list[tuple[Any, ...]]) -> None:
        for start in range(0, len(rows), _BATCH):
            batch = rows[start : start + _BATCH] if len(rows) > _BATCH else rows
            if batch:
                self._add(list(map(list, zip(*batch, strict=True))))

    def _add(self, columns: list[list[Any]]) -> None:
        """Add a batch of records given as their columns' values, a list for each column."""
        for n, name in enumerate(self.columns):
            values = columns[n]
            if name == "row":
                self._rows(values)
                continue
            seen = self.seen[n]
            codes: list[Any]
            try:
                codes = list(map(seen.get, values))
                if None in codes:  # new values, given the next codes in order of first sight
                    seen.update(zip(_new(values, seen), itertools.count(len(seen))))
                    codes = list(map(seen.__getitem__, values))
            except TypeError:  # an unhashable value: one at a time
                codes = self._codes(n, values)
            while len(seen) > self._limit(n):
                self.codes[n].widen()
            self.codes[n].extend(codes)

    def take(self, other: FindingColumns) -> None:
        """Add ``other``'s records after these, a batch at a time (``other`` is left as
        it was)."""
        other.extend(())
        keys = [[v.value if type(v) is _Unhashable else v for v in seen] for seen in other.seen]
        named = list(enumerate(self.columns))
        for start in range(0, len(other), _BATCH):
            stop = min(start + _BATCH, len(other))
            if other.other_rows is not None:
                labels = other.other_rows[start:stop]
            else:
                gaps = other.no_row.tolist(start, stop)
                labels = [
                    None if gap else r
                    for r, gap in zip(other.rows.tolist(start, stop), gaps, strict=True)
                ]
            codes = [
                [] if name == "row" else other.codes[n].tolist(start, stop) for n, name in named
            ]
            self.extend(
                [
                    {
                        name: labels[i] if name == "row" else keys[n][codes[n][i]]
                        for n, name in named
                    }
                    for i in range(stop - start)
                ]
            )

    def _codes(self, n: int, values: list[Any]) -> list[int]:
        """Column ``n``'s codes of ``values`` one at a time, an unhashable value kept as
        a value of its own."""
        seen = self.seen[n]
        codes = []
        for value in values:
            try:
                code = seen.get(value)
            except TypeError:
                code = None
                value = _Unhashable(value)
            if code is None:
                code = seen[value] = len(seen)
            codes.append(code)
        return codes

    def _limit(self, n: int) -> int:
        """The first code column ``n``'s array cannot hold."""
        return _HOLDS[self.codes[n].typecode]

    def _rows(self, labels: list[Any]) -> None:
        """Add the ``row`` of each record: machine integers at once where every label is
        an int or ``None``, else one at a time."""
        if (
            self.other_rows is None
            and all(v is None or type(v) is int for v in labels)
            and self._machine([0 if v is None else v for v in labels])
        ):
            self.no_row.extend([v is None for v in labels])
            return
        for label in labels:  # a label beyond 64 bits, or not an int
            self._row(label)

    def _machine(self, labels: list[int]) -> bool:
        """Add ``labels`` to :attr:`rows`, 32 bits each until one needs 64 (the rows are
        then widened); ``False``, and none added, where one needs more."""
        while True:
            try:
                self.rows.extend(labels)
            except OverflowError:
                if self.rows.typecode == "q":
                    return False
                self.rows.widen()
            else:
                return True

    def _row(self, label: Any) -> None:
        if self.other_rows is not None:
            self.other_rows.append(label)
        elif label is None:
            self.rows.extend([0])
            self.no_row.extend([1])
        elif type(label) is int and self._machine([label]):
            self.no_row.extend([0])
        else:  # a label of another type: every row kept as the object it is
            self.other_rows = [
                None if gap else r
                for r, gap in zip(self.rows.tolist(), self.no_row.tolist(), strict=True)
            ]
            self.other_rows.append(label)
            self.rows, self.no_row = _Blocks("i"), _Blocks("B")

    def __len__(self) -> int:
        self.extend(())
        if "row" not in self.columns:
            return len(self.codes[0]) if self.codes else 0
        return len(self.rows) if self.other_rows is None else len(self.other_rows)

    def frame(self, *, compact: bool = False) -> Any:
        """The findings as a DataFrame (once: the codes are let go as each column is made).

        Columns of :data:`CATEGORY_COLUMNS` are categoricals (their categories the
        distinct values in order of first sight, of object dtype), or of object
        dtype where a value is missing, so a missing value stays ``None`` and never
        becomes NaN; ``line`` (and ``minutes``) nullable ``Int64``; the rest of
        object dtype.

        ``compact`` (the findings of a frame of pandas' string dtype, whose missing
        value is pandas' own): the columns of :data:`COMPACT_COLUMNS` are categoricals
        too, a missing value a missing category (NaN, as in pandas 3's ``str``
        columns); ``row`` is ``Int64`` (missing ``<NA>``) where every row is an int;
        ``line`` is ``Int16`` (a line's index: a claim holds at most ``MAX_LINES``).
        A column holding a value that cannot be a category (a list) stays object.
        """
        import numpy

        pandas = pandas_module()
        size = len(self)
        made: dict[str, Any] = {}
        texts = []
        # Categoricals and whole numbers first, each letting its codes go, so that
        # the block of object columns is made beside as few codes as can be; whole
        # numbers (eight bytes and a mask a finding) after the others' codes are gone.
        for n, name in sorted(enumerate(self.columns), key=lambda c: c[1] in _WHOLE):
            if name == "row":
                if compact and self.other_rows is None:
                    made[name] = self._whole_rows(numpy, pandas)
                else:
                    texts.append(name)
                continue
            values = self._values(n, numpy)
            column = None
            if name in _WHOLE:
                small = compact and name == "line"  # a line's index: MAX_LINES fits 16 bits
                column = _whole(self.codes[n], values, numpy, pandas, small=small)
            elif name in CATEGORY_COLUMNS or (compact and name in COMPACT_COLUMNS):
                column = self._categorical(n, values, compact and name in COMPACT_COLUMNS)
            if column is None:
                texts.append(name)
                continue
            made[name] = column
            self._let_go(n)
        # The object columns fill one block, as the frame keeps them: no copy is made
        # when the frame is put together.
        block = numpy.empty((size, len(texts)), dtype=object)
        for j, name in enumerate(texts):
            n = self.columns.index(name)
            if name == "row":
                self._fill_rows(block[:, j], numpy)
                continue
            values = self._values(n, numpy)
            for start, part in self.codes[n].parts(numpy):
                block[start : start + len(part), j] = values[part]
            self._let_go(n)  # the codes go as each column is made: never two of every column
        # One frame of every column at once, none copied (inserting a column into a
        # frame copies it).
        made.update(
            (name, pandas.Series(block[:, j], dtype=object, copy=False))
            for j, name in enumerate(texts)
        )
        return pandas.DataFrame({name: made[name] for name in self.columns}, copy=False)

    def _categorical(self, n: int, values: Any, gaps: bool) -> Any:
        """Column ``n`` as a categorical of ``values`` (its distinct values), or ``None``
        where it cannot be one: a value missing and not ``gaps``, or an unhashable one.
        With ``gaps`` a missing value is no category: its cells are missing (code -1)."""
        import numpy

        pandas = pandas_module()
        if values is None:
            values = numpy.empty(0, dtype=object)
        missing = numpy.fromiter(map(is_missing, values), dtype=bool, count=len(values))
        if (missing.any() and not gaps) or any(type(v) is _Unhashable for v in self.seen[n]):
            return None
        kept = values[~missing]
        code_type = _code_type(len(kept), numpy)
        remap = None
        if missing.any():
            remap = (numpy.cumsum(~missing) - 1).astype(code_type)
            remap[missing] = -1
        # The gathered codes joined once, as the signed type pandas keeps codes in.
        codes = numpy.empty(len(self.codes[n]), dtype=code_type)
        for start, part in self.codes[n].parts(numpy):
            codes[start : start + len(part)] = part if remap is None else remap[part]
        self._let_go(n)
        return pandas.Categorical.from_codes(
            codes, dtype=pandas.CategoricalDtype(pandas.Index(kept, dtype=object))
        )

    def _whole_rows(self, numpy: Any, pandas: Any) -> Any:
        """The ``row`` column as ``Int64`` (every row an int; ``<NA>`` where there is none),
        the gathered machine integers joined once."""
        rows, gaps = self.rows, self.no_row
        self.rows, self.no_row = _Blocks("i"), _Blocks("B")
        if not len(rows):
            return pandas.array([], dtype="Int64")
        return pandas.arrays.IntegerArray(
            rows.join(numpy, numpy.int64), gaps.join(numpy, numpy.bool_)
        )

    def _values(self, n: int, numpy: Any) -> Any:
        """Column ``n``'s distinct values in order of first sight, as an object array."""
        seen = self.seen[n]
        if not seen:
            return None
        return numpy.fromiter(
            (v.value if type(v) is _Unhashable else v for v in seen), dtype=object, count=len(seen)
        )

    def _let_go(self, n: int) -> None:
        self.codes[n] = _Blocks(self.codes[n].typecode)
        self.seen[n].clear()

    def _fill_rows(self, out: Any, numpy: Any) -> None:
        """The ``row`` column into ``out``: one int object per run of findings of one row
        (a line's findings come together), ``None`` where there is no row."""
        if self.other_rows is not None:
            out[:] = numpy.fromiter(self.other_rows, dtype=object, count=len(self.other_rows))
            self.other_rows = []
            return
        _fill_runs(out, self.rows, self.no_row, numpy)
        self.rows, self.no_row = _Blocks("i"), _Blocks("B")


def _new(values: list[Any], seen: dict[Any, int]) -> list[Any]:
    """The distinct ``values`` not in ``seen``, in order of first sight."""
    return [v for v in dict.fromkeys(values) if v not in seen]


def _code_type(categories: int, numpy: Any) -> Any:
    """The integer type pandas keeps a categorical's codes in."""
    for kind in (numpy.int8, numpy.int16, numpy.int32):
        if categories < numpy.iinfo(kind).max:
            return kind
    return numpy.int64


def _fill_runs(out: Any, rows: _Blocks, no_row: _Blocks, numpy: Any) -> None:
    """``out`` filled with ``rows`` as objects, one int object per run of equal rows."""
    for (start, part), (_, gaps) in zip(rows.parts(numpy), no_row.parts(numpy), strict=True):
        gap = gaps.view(numpy.bool_)
        first = numpy.ones(len(part), dtype=bool)
        first[1:] = (part[1:] != part[:-1]) | (gap[1:] != gap[:-1])
        labels = part[first].astype(object)
        labels[gap[first]] = None
        out[start : start + len(part)] = labels[numpy.cumsum(first) - 1]


def _whole(codes: _Blocks, values: Any, numpy: Any, pandas: Any, *, small: bool = False) -> Any:
    """A nullable integer array of ``values[codes]``, built as machine integers:
    ``Int64``, or with ``small`` ``Int16`` (a line's index: a claim holds at most
    :data:`~hcpcs_home.bounds.MAX_LINES` lines)."""
    if values is None:
        return pandas.array([], dtype="Int16" if small else "Int64")
    for kind in (numpy.int16,) * small + (numpy.int64,):
        limit = 1 << (8 * numpy.dtype(kind).itemsize - 1)
        if all(v is None or (type(v) is int and -limit <= v < limit) for v in values):
            data = numpy.array([0 if v is None else v for v in values], dtype=kind)
            gaps = numpy.array([v is None for v in values], dtype=bool)
            out, mask = numpy.empty(len(codes), kind), numpy.empty(len(codes), bool)
            for start, part in codes.parts(numpy):
                out[start : start + len(part)], mask[start : start + len(part)] = (
                    data[part],
                    gaps[part],
                )
            return pandas.arrays.IntegerArray(out, mask)
    return pandas.array(values[codes.join(numpy)], dtype="Int64")  # pandas judges other values


class _Blocks:
    """A growing column of machine integers (an :mod:`array` type code) kept in blocks of
    :data:`_BLOCK` entries, joined once, when the frame is made.

    Arrays grown an append at a time are reallocated as they grow, and the frame's
    columns are made beside them.  Where the allocator serves both from its heap (glibc
    does up to its mmap threshold, which it raises once a large buffer is freed, as
    ``read_csv``'s are), the room a moved or let-go array leaves, between arrays still
    held, is too small for the next, larger one, and the process keeps it (35 MiB of
    such holes checking a 1,000,000-row frame read from CSV).  So only the first block
    is an array (grown as it fills: a few findings cost no more); the others are
    anonymous memory maps of their full size, never moved or resized, each given back
    to the system as it is let go (:mod:`tracemalloc` does not see them).
    """

    __slots__ = ("blocks", "filled", "typecode")

    def __init__(self, typecode: str) -> None:
        self.typecode = typecode
        self.blocks: list[Any] = []  # the first an array, the others typed memoryviews
        #: The entries used in the last block (a full block where there is none yet).
        self.filled = _BLOCK

    def __len__(self) -> int:
        return (len(self.blocks) - 1) * _BLOCK + self.filled if self.blocks else 0

    def extend(self, values: list[int]) -> None:
        """Add ``values``; none of them where one does not fit the type code
        (:class:`OverflowError`)."""
        if len(self.blocks) == 1 and self.filled + len(values) <= _BLOCK:
            self.blocks[0].fromlist(values)  # the first block, an array: none added on error
            self.filled += len(values)
            return
        items = array(self.typecode, values)
        at = 0
        while at < len(items):
            if self.filled == _BLOCK:
                self.blocks.append(_mapped(self.typecode) if self.blocks else array(self.typecode))
                self.filled = 0
            taken = min(len(items) - at, _BLOCK - self.filled)
            # The first block (an array) grows by this; a mapped one is written in place.
            self.blocks[-1][self.filled : self.filled + taken] = items[at : at + taken]
            self.filled += taken
            at += taken

    def widen(self) -> None:
        """Every value held in the next wider type code (:data:`_WIDER`)."""
        self.typecode = wider = _WIDER[self.typecode]
        blocks = self.blocks[::-1]
        self.blocks = []
        while blocks:  # each block let go as it is made again
            block = array(wider, blocks.pop())
            if self.blocks:
                self.blocks.append(_mapped(wider))
                self.blocks[-1][:] = block
            else:
                self.blocks.append(block)

    def tolist(self, start: int = 0, stop: int | None = None) -> list[int]:
        """The values from ``start`` to ``stop`` (the end), as Python ints."""
        stop = len(self) if stop is None else stop
        values: list[int] = []
        while start < stop:
            block, at = divmod(start, _BLOCK)
            taken = min(stop - start, _BLOCK - at)
            values += self.blocks[block][at : at + taken].tolist()
            start += taken
        return values

    def parts(self, numpy: Any) -> Iterator[tuple[int, Any]]:
        """The values a slice (:data:`_SLICE`) at a time, each with its position, as
        numpy views of the blocks (no copy)."""
        for k, block in enumerate(self.blocks):
            values = numpy.frombuffer(block, dtype=self.typecode)
            if k == len(self.blocks) - 1:
                values = values[: self.filled]
            for at in range(0, len(values), _SLICE):
                yield k * _BLOCK + at, values[at : at + _SLICE]

    def join(self, numpy: Any, dtype: Any = None) -> Any:
        """Every value in one numpy array (of ``dtype``, else of the type code), each
        block let go once copied: the blocks and the array never both hold every value."""
        joined = numpy.empty(len(self), dtype=self.typecode if dtype is None else dtype)
        blocks, self.blocks, self.filled = self.blocks[::-1], [], _BLOCK
        start = 0
        while blocks:
            part = numpy.frombuffer(blocks.pop(), dtype=self.typecode)[: len(joined) - start]
            joined[start : start + len(part)] = part
            start += len(part)
        return joined


def _mapped(typecode: str) -> Any:
    """A block of :data:`_BLOCK` entries of ``typecode``: an anonymous memory map (its
    pages zero, and resident only once written), unmapped when no view of it is left;
    an array of that size where the system makes no map (none left, or no ``mmap``)."""
    try:
        import mmap  # not on every platform (WASI)

        block = memoryview(mmap.mmap(-1, _BLOCK * array(typecode).itemsize))
    except (ImportError, OSError):
        return array(typecode, [0]) * _BLOCK
    return block.cast(typecode)  # type: ignore[call-overload]


class _Unhashable:
    """A value that cannot be a dict key, kept as a distinct value of its own."""

    __slots__ = ("value",)

    def __init__(self, value: Any) -> None:
        self.value = value
