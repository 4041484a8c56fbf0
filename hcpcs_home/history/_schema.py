"""The schema of a :class:`~hcpcs_home.history.SqliteHistory` and its migrations.

The version a store was written with is ``PRAGMA user_version``; ``PRAGMA
application_id`` marks the file as a claim history.  Opening a store runs the
migrations from its version up to :data:`SCHEMA_VERSION`, in one transaction; a
store of a newer version is refused (this library would not know its tables).
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from typing import Any

__all__ = ["APPLICATION_ID", "MIGRATIONS", "SCHEMA_VERSION", "write_usage"]


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


#: Version 4: what authorization usage counts of each claim, a row per line and
#: authorization number (``hcpcs_home.history._rows.encode_usage``), so a check sums
#: a member's earlier claims without reading them whole.  ``claims.usage`` is 1 where
#: the claim's rows are written (0 where its payer is not a shipped profile: its usage
#: is then read from the claim).
_V4 = """
ALTER TABLE claims ADD COLUMN usage INTEGER NOT NULL DEFAULT 0;
CREATE TABLE usage_authorizations (
    id INTEGER PRIMARY KEY,
    content TEXT NOT NULL UNIQUE
);
CREATE TABLE claim_usage (
    seq INTEGER NOT NULL REFERENCES claims (seq),
    line INTEGER NOT NULL,
    position INTEGER NOT NULL,
    number TEXT NOT NULL,
    authorization_id INTEGER NOT NULL REFERENCES usage_authorizations (id),
    payer TEXT NOT NULL,
    code TEXT NOT NULL,
    units NOT NULL,
    day INTEGER NOT NULL,
    days INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    service_days TEXT NOT NULL,
    PRIMARY KEY (seq, line, position)
) WITHOUT ROWID;
"""


def _to_v4(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    from ._rows import decode

    for statement in _V4.split(";"):
        if statement.strip():
            db.execute(statement)
    last = 0
    while True:  # claims carrying an authorization, a page at a time
        rows = db.execute(
            "SELECT seq, content FROM claims WHERE seq > ? AND seq IN "
            "(SELECT seq FROM claim_authorizations) ORDER BY seq LIMIT 1000",
            (last,),
        ).fetchall()
        if not rows:
            return
        for seq, content in rows:
            try:
                claim = decode(content)
            except ValueError:  # an unreadable row stays so: reading it says why
                continue
            write_usage(db, seq, claim)
        last = rows[-1][0]


def write_usage(db: sqlite3.Connection, seq: int, claim: Any, *, current: bool = False) -> bool:
    """Write the usage rows of the claim stored at ``seq`` and mark it as written
    (``claims.usage``); ``False`` where it has none (its payer is not a shipped
    profile: its usage is read from the claim).

    ``current``: as this version writes them (:data:`SCHEMA_VERSION` 6), each new
    authorization row with its counted part and a row per run of lines differing only in
    their day (``_rows.merge_usage``); otherwise as version 4 wrote them (a migration
    from version 3 or earlier writes those, then the later steps bring them up)."""
    from ._rows import counted_authorization, counted_text, encode_usage, merge_usage

    rows = encode_usage(claim)
    if rows is None:
        return False
    ids: dict[str, int] = {}
    for row in rows:
        text = row[3]
        if text not in ids:
            if current:
                db.execute(
                    "INSERT OR IGNORE INTO usage_authorizations (content, counted) VALUES (?, ?)",
                    (text, counted_text(counted_authorization(text))),
                )
            else:
                db.execute(
                    "INSERT OR IGNORE INTO usage_authorizations (content) VALUES (?)", (text,)
                )
            ids[text] = db.execute(
                "SELECT id FROM usage_authorizations WHERE content = ?", (text,)
            ).fetchone()[0]
    if current:
        db.executemany(
            "INSERT INTO claim_usage (seq, line, position, number, authorization_id, payer, "
            "code, units, day, days, visits, service_days, more) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (seq, line, position, number, ids[text], claim.payer.id, *rest, more)
                for (line, position, number, text, *rest), more in merge_usage(rows)
            ],
        )
    else:
        db.executemany(
            "INSERT INTO claim_usage (seq, line, position, number, authorization_id, payer, "
            "code, units, day, days, visits, service_days) "
            "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
            [
                (seq, line, position, number, ids[text], claim.payer.id, *rest)
                for line, position, number, text, *rest in rows
            ],
        )
    db.execute("UPDATE claims SET usage = 1 WHERE seq = ?", (seq,))
    return True


#: Version 5: what a check asks, answered without reading claims' rows (each holds
#: the claim's whole text) where nothing matches.  Usage rows are kept by authorization
#: number first (a member's earlier weeks of one authorization lie together, read in one
#: range), and each authorization index row says whether its claim's usage rows are
#: written (``usage``, as ``claims.usage``), so the usage query never reads a claim's
#: row; the beneficiary index holds both ends of the period, so a query by beneficiary
#: and dates reads only the rows of the claims it returns.
_V5 = """
DROP INDEX claims_by_beneficiary;
CREATE INDEX claims_by_beneficiary ON claims (beneficiary, statement_from, statement_through);
ALTER TABLE claim_authorizations ADD COLUMN usage INTEGER NOT NULL DEFAULT 0;
UPDATE claim_authorizations SET usage = 1
    WHERE seq IN (SELECT seq FROM claims WHERE usage = 1);
CREATE TABLE claim_usage_5 (
    number TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES claims (seq),
    line INTEGER NOT NULL,
    position INTEGER NOT NULL,
    authorization_id INTEGER NOT NULL REFERENCES usage_authorizations (id),
    payer TEXT NOT NULL,
    code TEXT NOT NULL,
    units NOT NULL,
    day INTEGER NOT NULL,
    days INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    service_days TEXT NOT NULL,
    PRIMARY KEY (number, seq, line, position)
) WITHOUT ROWID;
INSERT INTO claim_usage_5 (number, seq, line, position, authorization_id, payer, code,
    units, day, days, visits, service_days)
    SELECT number, seq, line, position, authorization_id, payer, code, units, day, days,
        visits, service_days FROM claim_usage;
DROP TABLE claim_usage;
ALTER TABLE claim_usage_5 RENAME TO claim_usage
"""


def _to_v5(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    for statement in _V5.split(";"):
        if statement.strip():
            db.execute(statement)


_V6_USAGE = """
CREATE TABLE claim_usage_6 (
    number TEXT NOT NULL,
    seq INTEGER NOT NULL REFERENCES claims (seq),
    line INTEGER NOT NULL,
    position INTEGER NOT NULL,
    authorization_id INTEGER NOT NULL REFERENCES usage_authorizations (id),
    payer TEXT NOT NULL,
    code TEXT NOT NULL,
    units NOT NULL,
    day INTEGER NOT NULL,
    days INTEGER NOT NULL,
    visits INTEGER NOT NULL,
    service_days TEXT NOT NULL,
    more TEXT NOT NULL,
    PRIMARY KEY (number, seq, line, position)
) WITHOUT ROWID
"""


def _to_v6(db: sqlite3.Connection, index_claim: Callable[[int, str], None]) -> None:
    """Version 6: each usage authorization row also keeps its counted part (number,
    payer, basis, minutes per unit, units used, caps) as a short JSON array, so a check
    reads that instead of the whole authorization's text (an unreadable text is left
    without one: reading its usage rows says why); a usage row may stand for a run of
    lines differing only in their day (``more``: the others' days, ``_rows.merge_usage``;
    the rows an older version wrote stay one a line, ``more`` empty)."""
    from ._rows import counted_authorization, counted_text, merge_usage

    db.execute("ALTER TABLE usage_authorizations ADD COLUMN counted TEXT")
    # The usage rows again, each claim's merged as this version writes them (one pass
    # over the old rows in claim order into a new table).
    db.execute(_V6_USAGE)
    old = db.execute(
        "SELECT seq, line, position, number, authorization_id, code, units, day, days, "
        "visits, service_days, payer FROM claim_usage ORDER BY seq, line, position"
    )
    claim: list[Any] = []

    def flush() -> None:
        if claim:
            seq, payer = claim[0][0], claim[0][-1]
            db.executemany(
                "INSERT INTO claim_usage_6 (seq, line, position, number, authorization_id, "
                "payer, code, units, day, days, visits, service_days, more) "
                "VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
                [
                    (seq, line, position, number, auth, payer, *rest, more)
                    for (line, position, number, auth, *rest), more in merge_usage(
                        [tuple(row[1:-1]) for row in claim]
                    )
                ],
            )
            claim.clear()

    for row in old:  # streamed, never the whole table in memory
        if claim and (row[0] != claim[0][0] or row[-1] != claim[0][-1]):
            flush()
        claim.append(row)
    flush()
    db.execute("DROP TABLE claim_usage")
    db.execute("ALTER TABLE claim_usage_6 RENAME TO claim_usage")
    last = 0
    while True:
        rows = db.execute(
            "SELECT id, content FROM usage_authorizations WHERE id > ? ORDER BY id LIMIT 1000",
            (last,),
        ).fetchall()
        if not rows:
            return
        for row, content in rows:
            try:
                text = counted_text(counted_authorization(content))
            except ValueError:
                continue
            db.execute("UPDATE usage_authorizations SET counted = ? WHERE id = ?", (text, row))
        last = rows[-1][0]


#: ``MIGRATIONS[n]`` takes a store from version ``n`` to ``n + 1``; it gets the open
#: connection (inside the opening transaction) and a function that writes the index
#: rows of a stored claim.
MIGRATIONS: tuple[Callable[[sqlite3.Connection, Callable[[int, str], None]], None], ...] = (
    _to_v1,
    _to_v2,
    _to_v3,
    _to_v4,
    _to_v5,
    _to_v6,
)

#: The schema version this library writes.
SCHEMA_VERSION = len(MIGRATIONS)
