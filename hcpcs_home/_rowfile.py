"""Read a user's CSV or TSV table of rows (payer edits, fee schedules) and check it cell by cell.

Both readers report every bad cell of a file at once, by row number (the header
is row 1) and column, in one :class:`~hcpcs_home.errors.EditFileError`.  The
file's size is checked before it is read, its rows are counted while read, and
each cell is bounded before it is converted.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Sequence
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from ._read import read_at_most
from .errors import EditFileError

#: The largest file read, in bytes (counted as it is read: a device or pipe has no size).
MAX_FILE_BYTES = 10_000_000
#: The most rows a file may have.
MAX_ROWS = 100_000
#: The longest cell read, in characters.
MAX_CELL = 2_000
#: The most values in one list cell.
MAX_LIST = 1_000
#: The earliest and latest dates a cell may hold.
FIRST_DATE, LAST_DATE = _dt.date(1900, 1, 1), _dt.date(2099, 12, 31)


def read_text(path: str | Path, max_bytes: int = MAX_FILE_BYTES, *, latin1: bool = False) -> str:
    """The text of the file at ``path``, refused past ``max_bytes`` (counted as read).

    ``latin1=True`` reads a file that is not UTF-8 as Latin-1 (CMS's mainframe
    files spell Mayagüez in it).

    :raises EditFileError: the file is too large, unreadable, not UTF-8 or holds a NUL.
    """
    where = str(path)
    try:
        raw = read_at_most(path, max_bytes)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EditFileError(where, [(0, "file", f"cannot be read: {reason}")]) from None
    if len(raw) > max_bytes:
        raise EditFileError(where, [(0, "file", f"is over {max_bytes:,} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        if not latin1:
            raise EditFileError(where, [(0, "file", f"is not UTF-8 text: {exc.reason}")]) from None
        text = raw.decode("latin-1")
    if "\x00" in text:
        raise EditFileError(where, [(0, "file", "holds a NUL character")])
    return text


def delimiter_of(path: str | Path) -> str:
    """Tab for a ``.tsv`` or ``.tab`` file, else comma."""
    return "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","


def read_rows(
    text: str,
    delimiter: str,
    where: str,
    columns: Sequence[str],
    required: Sequence[str],
    noun: str = "an edit column",
) -> list[dict[str, str]]:
    """The rows of ``text`` as dicts of column to cell, each with its ``__row__`` number.

    A blank row is an empty dict (it keeps its number); a row with more cells
    than the header holds ``__extra__``.

    :raises EditFileError: the header names an unknown column, lacks a required
        one or repeats one; the text is not CSV/TSV; or it has too many rows.
    """
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise EditFileError(where, [(1, "header", "the file is empty")])
        names = [h.strip().lower() for h in header]
        problems = [(1, n or "(blank)", f"is not {noun}") for n in names if n not in columns]
        problems += [(1, n, "is missing") for n in required if n not in names]
        problems += [(1, n, "appears twice") for n in sorted(set(names)) if names.count(n) > 1]
        if problems:
            raise EditFileError(where, problems)
        rows: list[dict[str, str]] = []
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise EditFileError(where, [(reader.line_num, "file", f"over {MAX_ROWS} rows")])
            if not any(c.strip() for c in cells):
                rows.append({})  # a blank row keeps its number and is skipped
                continue
            row = {"__row__": str(reader.line_num)}
            if len(cells) > len(names):
                row["__extra__"] = "1"
            row.update(zip(names, cells, strict=False))
            rows.append(row)
    except csv.Error as exc:
        kind = "TSV" if delimiter == "\t" else "CSV"
        raise EditFileError(where, [(reader.line_num, "file", f"is not {kind}: {exc}")]) from None
    return rows


class Cells:
    """One row's cells, read and checked one column at a time; problems pile up."""

    def __init__(self, cells: dict[str, str], number: int, problems: list[Any]) -> None:
        self.cells = cells
        self.number = number
        self.problems = problems

    def bad(self, column: str, what: str) -> None:
        self.problems.append((self.number, column, what))

    def text(self, column: str) -> str:
        value = (self.cells.get(column) or "").strip()
        if len(value) > MAX_CELL:
            self.bad(column, f"is over {MAX_CELL} characters")
            return ""
        if not value.isprintable():
            self.bad(column, "holds a control character")
            return ""
        return value

    def items(self, column: str) -> list[str]:
        text = self.text(column)
        for sep in ",;|":
            text = text.replace(sep, " ")
        values = text.upper().split()
        if len(values) > MAX_LIST:
            self.bad(column, f"lists over {MAX_LIST} values")
            return []
        for v in values:
            if not v.isascii() or not v.replace("-", "").isalnum() or len(v) > 20:
                self.bad(column, f"{v!r} is not a code, modifier or id")
                return []
        return values

    def count(self, column: str) -> int | None:
        text = self.text(column)
        if not text:
            return None
        if len(text) > 7 or not text.isascii() or not text.isdigit():
            self.bad(column, f"{text!r} is not a whole number of units (0 to 9,999,999)")
            return None
        return int(text)

    def money(self, column: str, *, most: Decimal) -> Decimal | None:
        """A non-negative amount with at most 4 decimals, up to ``most``."""
        text = self.text(column)
        if not text:
            return None
        try:
            if len(text) > 20 or not text.isascii():
                raise InvalidOperation
            value = Decimal(text.replace(",", "").lstrip("$"))
        except InvalidOperation:
            self.bad(column, f"{text!r} is not an amount")
            return None
        exponent = value.as_tuple().exponent
        if not value.is_finite() or not isinstance(exponent, int) or exponent < -4:
            self.bad(column, f"{text!r} is not an amount with at most 4 decimals")
            return None
        if not 0 <= value <= most:
            self.bad(column, f"{text} is outside 0 to {most:,}")
            return None
        return value

    def date(self, column: str) -> _dt.date | None:
        text = self.text(column)
        if not text:
            return None
        try:
            if len(text) != 10:
                raise ValueError
            day = _dt.date.fromisoformat(text)
        except ValueError:
            self.bad(column, f"{text!r} is not a date as YYYY-MM-DD")
            return None
        if not FIRST_DATE <= day <= LAST_DATE:
            self.bad(column, f"{text} is outside {FIRST_DATE} to {LAST_DATE}")
            return None
        return day
