"""Claim history: the earlier claims, notices, stays, certifications and EVV visits the
``history`` rules check a claim against.

A store implements the :class:`ClaimHistory` protocol; two ship with the library:
:class:`MemoryHistory` (in memory) and :class:`SqliteHistory` (an embedded SQLite
database: versioned schema, indexes, one transaction per write).  Pass one to
:func:`hcpcs_home.policy.check` as ``history=``; the store is never a global.

>>> from hcpcs_home.history import MemoryHistory
>>> isinstance(MemoryHistory(), ClaimHistory)
True
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from .._lazy import first_use
from ._memory import MemoryHistory
from ._records import INPATIENT_BILL_CLASSES, Certification, ClaimHistory, Stay, claim_key
from ._schema import SCHEMA_VERSION

if TYPE_CHECKING:
    from ._sqlite import SqliteHistory

__all__ = [
    "INPATIENT_BILL_CLASSES",
    "SCHEMA_VERSION",
    "Certification",
    "ClaimHistory",
    "MemoryHistory",
    "SqliteHistory",
    "Stay",
    "claim_key",
]


# sqlite3 loads on first use of the database store: a check without one never needs it.
__getattr__ = first_use(__name__, {"SqliteHistory": ".history._sqlite"})


def __dir__() -> list[str]:
    return __all__
