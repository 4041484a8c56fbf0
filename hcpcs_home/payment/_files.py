"""Read CMS's wage-index and case-mix files, reporting every bad cell at once."""

from __future__ import annotations

import functools
import os
from collections.abc import Callable
from pathlib import Path
from typing import Any, TypeVar

from .. import _rowfile
from ..errors import EditFileError

_T = TypeVar("_T")


def table_rows(path: str | os.PathLike[str]) -> tuple[str, list[list[str]]]:
    """The text lines of a table file split into cells (CSV, or TSV by suffix).

    :raises EditFileError: the file is too large, unreadable or not UTF-8.
    """
    import csv
    import io

    text = _rowfile.read_text(Path(path), latin1=True)
    delimiter = _rowfile.delimiter_of(Path(path))
    try:
        rows = list(csv.reader(io.StringIO(text, newline=""), delimiter=delimiter))
    except csv.Error as exc:
        raise EditFileError(str(path), [(0, "file", f"is not CSV: {exc}")]) from None
    if len(rows) > _rowfile.MAX_ROWS:
        raise EditFileError(str(path), [(0, "file", f"over {_rowfile.MAX_ROWS} rows")])
    return text, rows


def cached_load(loader: Callable[[Path], _T]) -> Callable[[str | os.PathLike[str]], _T]:
    """``loader`` with a small LRU cache keyed by the file's path, size and modification time."""

    @functools.lru_cache(maxsize=16)
    def keyed(path: str, size: int, mtime: int) -> _T:
        return loader(Path(path))

    def load(path: str | os.PathLike[str]) -> _T:
        file = Path(os.fspath(path))
        try:
            stat = file.stat()
        except OSError as exc:
            raise EditFileError(
                str(file), [(0, "file", f"cannot be read: {exc.strerror}")]
            ) from None
        return keyed(str(file.resolve()), stat.st_size, stat.st_mtime_ns)

    return load


def column(header: list[str], *names: str) -> int | None:
    """The index of the first column whose name equals or contains one of ``names`` (any case)."""
    cells = [c.strip().lower() for c in header]
    for name in names:
        if name in cells:
            return cells.index(name)
    for name in names:
        for i, cell in enumerate(cells):
            if name in cell:
                return i
    return None


def problems_or(where: str, problems: list[Any]) -> None:
    """Raise every problem of the file at once, if any."""
    if problems:
        raise EditFileError(where, problems)
