"""Read the package's tab-separated data tables once, lazily, under a lock.

Each table in ``hcpcs_home/data/`` starts with ``#`` lines naming its source,
release and date, then a header row.  Nothing is read at import time.

Tables are read through the package's loader (:func:`pkgutil.get_data`), so
they are found in a wheel, a zip or a vendored copy alike; it costs a tenth of
importing :mod:`importlib.resources` (which pulls in ``tempfile`` and
``random``) on a fresh process's first check.
"""

from __future__ import annotations

import functools
import pkgutil
import threading

_lock = threading.Lock()


def _text(name: str) -> str:
    data = pkgutil.get_data("hcpcs_home.data", name)
    if data is None:  # pragma: no cover - only a loader without get_data returns None
        raise FileNotFoundError(f"hcpcs_home/data/{name}")
    return data.decode("utf-8")


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


def provenance(name: str) -> list[str]:
    """The ``#`` header lines of a table, without the ``#``."""
    text = _text(name)
    return [ln[1:].strip() for ln in text.splitlines() if ln.startswith("#")]
