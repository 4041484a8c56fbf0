"""The schema of a :class:`~hcpcs_home.history.SqliteHistory` and its migrations.

The version a store was written with is ``PRAGMA user_version``; ``PRAGMA
application_id`` marks the file as a claim history.  Opening a store runs the
migrations from its version up to :data:`SCHEMA_VERSION`, in one transaction; a
store of a newer version is refused (this library would not know its tables).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION"]


def __dir__() -> list[str]:
    return __all__


#: ``PRAGMA application_id`` of a claim history ("HCPH" in ASCII).
APPLICATION_ID = 0x48435048

#: Version 1: claims, by key and by beneficiary and dates.
_V1 = """
CREATE TABLE claims (
    seq INTEGER PRIMARY KEY AUTOINCREMENT,
    key TEXT NOT NULL UNIQUE,
    beneficiary TEXT,
    statement_from TEXT NOT NULL,
    statement_through TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE INDEX claims_by_beneficiary ON claims (beneficiary, statement_from);
"""

#: Version 2: claims by authorization and worker, EVV visits, stays, certifications.
_V2 = """
CREATE TABLE claim_authorizations (
    number TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES claims (seq),
    PRIMARY KEY (number, seq)
) WITHOUT ROWID;
CREATE TABLE claim_workers (
    worker TEXT NOT NULL,
    day TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES claims (seq),
    PRIMARY KEY (worker, day, seq)
) WITHOUT ROWID;
CREATE TABLE visits (
    id TEXT PRIMARY KEY,
    day TEXT NOT NULL,
    content TEXT NOT NULL
);
CREATE TABLE visit_workers (
    worker TEXT NOT NULL,
    day TEXT NOT NULL,
    id TEXT NOT NULL REFERENCES visits (id),
    PRIMARY KEY (worker, day, id)
) WITHOUT ROWID;
CREATE TABLE stays (
    beneficiary TEXT NOT NULL,
    admitted TEXT NOT NULL,
    kind TEXT NOT NULL,
    source TEXT NOT NULL,
    discharged TEXT NOT NULL,
    PRIMARY KEY (beneficiary, admitted, kind, source)
);
CREATE TABLE certifications (
    beneficiary TEXT NOT NULL,
    period_start TEXT NOT NULL,
    face_to_face TEXT,
    PRIMARY KEY (beneficiary, period_start)
);
"""

#: Version 3: the billing provider a claim was added under, indexed with its dates
#: (a provider's year-to-date totals: the hospice aggregate cap, 42 CFR 418.309).
#: Claims stored by version 2 have no provider (none was recorded).
_V3 = """
ALTER TABLE claims ADD COLUMN provider TEXT;
CREATE INDEX claims_by_provider ON claims (provider, statement_from)
"""


def _to_v1(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    for statement in _V1.split(";"):
        if statement.strip():
            db.execute(statement)


def _to_v2(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    for statement in _V2.split(";"):
        if statement.strip():
            db.execute(statement)
    # Claims stored by version 1 get the new indexes' rows (and their stays).
    for seq, content in db.execute("SELECT seq, content FROM claims ORDER BY seq").fetchall():
        index_claim(seq, content)


def _to_v3(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    for statement in _V3.split(";"):
        if statement.strip():
            db.execute(statement)


#: ``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``; it gets the open
#: connection (inside the opening transaction) and a function that writes the index
#: rows of a stored claim.
MIGRATIONS: tuple[Callable[[sqlite3.Connection, Callable[[int, str], None]], None], ...] = (
    _to_v1,
    _to_v2,
    _to_v3,
)

#: The schema version this library writes.
SCHEMA_VERSION = len(MIGRATIONS)
