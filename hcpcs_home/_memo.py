"""Memos keyed by data, kept in plain dicts and bounded by dropping the oldest entries.

The engine's memos (plans' bodies by code, the claim sheet's tables) and the JSON
reader's post-init results share :func:`keep`, which lives here, below both, so the
reader does not import the engine.
"""

from __future__ import annotations

from typing import Any


def keep(table: dict[Any, Any], key: Any, value: Any, size: int) -> None:
    """Keep ``value`` under ``key`` in a plain dict read without a lock, dropping the
    entries stored first to stay under ``size`` (memos keyed by data are bounded by the
    data).  Another thread may drop or add entries meanwhile: then this stops dropping,
    and the table is at most a few entries over ``size`` until the next call.

    >>> table: dict[str, int] = {}
    >>> for n, key in enumerate("abc"):
    ...     keep(table, key, n, 2)
    >>> table
    {'b': 1, 'c': 2}
    """
    while len(table) >= size:
        try:
            del table[next(iter(table))]
        except (KeyError, StopIteration, RuntimeError):  # changed by another thread
            break
    table[key] = value
