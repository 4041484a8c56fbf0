"""Read the package's tab-separated data tables once, lazily, under a lock.

Each table in ``hcpcs_home/data/`` starts with ``#`` lines naming its source,
release and date, then a header row.  Nothing is read at import time.

Tables are read through the package's loader (what :func:`pkgutil.get_data`
does, without importing :mod:`pkgutil` and :mod:`importlib.util`), so they are
found in a wheel, a zip or a vendored copy alike; it costs a fraction of
importing :mod:`importlib.resources` (which pulls in ``tempfile`` and
``random``) on a fresh process's first check.
"""

from __future__ import annotations

import functools
import os
import threading
from typing import Protocol, cast

from . import data as _data


class _Loader(Protocol):
    def get_data(self, path: str) -> bytes: ...


_lock = threading.Lock()


def _text(name: str) -> str:
    spec, folder = _data.__spec__, os.path.dirname(_data.__file__ or "")
    loader = cast("_Loader | None", spec.loader if spec is not None else None)
    if loader is None or not hasattr(loader, "get_data"):  # pragma: no cover - odd loaders
        raise FileNotFoundError(f"hcpcs_home/data/{name}")
    return loader.get_data(os.path.join(folder, name)).decode("utf-8")


@functools.cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    text = _text(name)
    lines = [ln for ln in text.splitlines() if ln.strip() and not ln.startswith("#")]
    header = lines[0].split("\t")
    rows = []
    for number, line in enumerate(lines[1:], start=2):
        cells = line.split("\t")
        if len(cells) != len(header):
            raise ValueError(f"{name} row {number}: {len(cells)} cells, {len(header)} columns")
        rows.append(dict(zip(header, cells, strict=True)))
    return tuple(rows)


def read_table(name: str) -> tuple[dict[str, str], ...]:
    """The rows of ``hcpcs_home/data/<name>`` as dicts keyed by the header."""
    with _lock:
        return _read(name)


#: A table read by :func:`read_keyed`: its header, and each data line's text by its first cell.
Keyed = tuple[tuple[str, ...], dict[str, str]]


@functools.cache
def _keyed(name: str) -> Keyed:
    return keyed_text(_indexed(name).text)  # under _lock already


class Indexed:
    """A keyed table's text, read once, and where its header row and its data begin:
    what :func:`read_keyed` splits, kept whole so that a process reading a few rows of
    it finds them (:meth:`line`) without splitting every line.

    A plain slotted class, not a value type: made once per table.

    :ivar text: the table's text.
    :ivar header: its header row's cells.
    :ivar head: where the header row begins (the ``#`` lines before it are its provenance).
    :ivar body: where the line after the header row begins.
    """

    __slots__ = ("body", "head", "header", "text")

    def __init__(self, text: str) -> None:
        self.text = text
        # The first line neither a comment nor blank, as keyed_text finds it.
        head = 0
        while head < len(text):
            end = text.find("\n", head)
            end = len(text) if end < 0 else end
            line = text[head:end]
            if line.strip() and not line.startswith("#"):
                break
            head = end + 1
        self.head = head
        self.header = tuple(text[head:end].split("\t")) if head < len(text) else ()
        self.body = end

    def line(self, key: str) -> str | None:
        """``read_keyed(name)[1].get(key)`` for a key of letters and digits, found in the
        text: the shipped keyed tables end their lines with ``\\n`` alone and repeat no
        key (a test holds them to it), so the line beginning ``key`` and a tab after
        the header row is the one splitting the table would give."""
        start = self.text.find(f"\n{key}\t", self.body)
        if start < 0:
            return None
        end = self.text.find("\n", start + 1)
        return self.text[start + 1 : None if end < 0 else end]


@functools.cache
def _indexed(name: str) -> Indexed:
    return Indexed(_text(name))


def indexed(name: str) -> Indexed:
    """The :class:`Indexed` text of ``hcpcs_home/data/<name>``, read once."""
    with _lock:
        return _indexed(name)


def keyed_text(text: str) -> Keyed:
    """:func:`read_keyed` of a table's text (a table written outside the package)."""
    lines = [ln for ln in text.splitlines() if ln and not ln.startswith("#") and ln.strip()]
    if not lines:
        raise ValueError("the table has no header row")
    header = tuple(lines[0].split("\t"))
    return header, {ln.partition("\t")[0]: ln for ln in lines[1:]}


def read_keyed(name: str) -> Keyed:
    """The header of ``hcpcs_home/data/<name>`` and its data lines, unparsed, by first cell.

    For the big tables (6,440 release codes) most of whose rows a process
    never reads: a row is split by :func:`parse_row` when it is first wanted.
    Do not change the returned dict (it is cached); copy it.
    """
    with _lock:
        return _keyed(name)


def parse_row(name: str, header: tuple[str, ...], line: str) -> dict[str, str]:
    """One data line of ``name`` (from :func:`read_keyed`) as a dict keyed by the header."""
    cells = line.split("\t")
    if len(cells) != len(header):
        raise ValueError(f"{name} row {cells[0]!r}: {len(cells)} cells, {len(header)} columns")
    return dict(zip(header, cells, strict=True))


def provenance(name: str) -> list[str]:
    """The ``#`` header lines of a table, without the ``#``."""
    table = indexed(name)  # read once with the rows (release_modifiers.tsv: both needed)
    return provenance_text(table.text[: table.head])


def provenance_text(text: str) -> list[str]:
    """:func:`provenance` of a table's text."""
    found = []
    for line in text.splitlines():
        if line.startswith("#"):
            found.append(line[1:].strip())
        elif line.strip():
            break  # the comment block ends where the header row begins
    return found
