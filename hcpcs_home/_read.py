"""Reading a whole file under a bound counted in bytes actually read.

``Path.stat().st_size`` says 0 for ``/dev/zero``, a pipe or a socket, so a size
checked before reading is no bound: the file is read once, at most
``limit + 1`` bytes, and the caller refuses it when the read came back longer
than ``limit``.
"""

from __future__ import annotations

import os
from typing import Any


def read_at_most(path: str | os.PathLike[Any], limit: int) -> bytes:
    """The first ``limit + 1`` bytes of the file at ``path`` (all of it when it is shorter).

    A result longer than ``limit`` means the file is over the bound; nothing past
    the extra byte is read, whatever the file is.

    :raises OSError: the file cannot be opened or read.
    """
    with open(path, "rb") as stream:
        return stream.read(limit + 1)
