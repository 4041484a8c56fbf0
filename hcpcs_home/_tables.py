"""Read the package's tab-separated data tables once, lazily, under a lock.

Each table in ``hcpcs_home/data/`` starts with ``#`` lines naming its source,
release and date, then a header row.  Nothing is read at import time.
"""

from __future__ import annotations

import functools
import threading
from importlib import resources

_lock = threading.Lock()


@functools.cache
def _read(name: str) -> tuple[dict[str, str], ...]:
    text = resources.files("hcpcs_home.data").joinpath(name).read_text("utf-8")
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


def provenance(name: str) -> list[str]:
    """The ``#`` header lines of a table, without the ``#``."""
    text = resources.files("hcpcs_home.data").joinpath(name).read_text("utf-8")
    return [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
