"""A claim history in an embedded SQLite database (the standard library's sqlite3)."""

from __future__ import annotations

import collections
import contextlib
import datetime as _dt
import json
import os
import sqlite3
import threading
from collections.abc import Iterable, Iterator, Sequence
from typing import Any

from ..claims import AuthorizationBasis, Claim
from ..errors import HcpcsError, HistoryConflictError, HistoryStoreError, InvalidFieldError
from ..evv import MAX_SPAN_DAYS, EvvVisit
from ..limits import _amount, _caps, _usage_of, _UsageFold
from ..payers import payer_profile
from ._records import (
    Certification,
    Stay,
    check_range,
    claim_key,
    merge_provider,
    stay_of,
    text,
    workers_of,
)
from ._rows import counted_from_text, decode, encode, units_of
from ._schema import APPLICATION_ID, MIGRATIONS, SCHEMA_VERSION, write_usage

__all__ = ["SqliteHistory"]


def __dir__() -> list[str]:
    return __all__


#: Decoded claims kept per store (by row), least recently used dropped first.
_CACHE_SIZE = 4096

_ONE_DAY = _dt.timedelta(days=1)

#: How long a writer waits for another writer's transaction, in seconds.
_BUSY_TIMEOUT = 30.0


def _visit_json(visit: EvvVisit) -> str:
    return json.dumps(_visit_converter().unstructure(visit), sort_keys=True)


_CONVERTER: list[Any] = []
_CONVERTER_LOCK = threading.Lock()


def _visit_converter() -> Any:
    """The converter of visit rows, made once (making one costs milliseconds)."""
    if not _CONVERTER:
        from ..serialize import make_converter

        with _CONVERTER_LOCK:
            if not _CONVERTER:
                _CONVERTER.append(make_converter())
    return _CONVERTER[0]


class _Errors:
    """A context turning SQLite's errors into the library's (a class, not a generator:
    every query enters one, and a generator's context costs several times more)."""

    __slots__ = ("path",)

    def __init__(self, path: str) -> None:
        self.path = path

    def __enter__(self) -> None:
        return None

    def __exit__(self, kind: object, exc: BaseException | None, trace: object) -> None:
        if exc is None or isinstance(exc, HcpcsError):
            return
        if isinstance(exc, sqlite3.DatabaseError):
            raise HistoryStoreError(
                self.path, f"cannot be read as a claim history: {exc}"
            ) from None
        if isinstance(exc, sqlite3.Error):
            raise HistoryStoreError(self.path, f"cannot be used: {exc}") from None


class SqliteHistory:
    """A :class:`~hcpcs_home.history.ClaimHistory` in a SQLite database file (or
    ``":memory:"``), through the standard library's ``sqlite3``.

    A real database: the schema version is ``PRAGMA user_version`` and an older
    store is migrated when opened (a newer one is refused); claims are indexed
    by beneficiary and dates, billing provider and dates, authorization, and worker
    and day, so a check reads the few rows it asks about, never the whole store; the
    journal is a
    write-ahead log (WAL), so one writer and many readers (threads or processes)
    work at once; every write is one transaction, so a process killed while
    adding leaves every committed claim readable.  Commits survive the process,
    not necessarily a power cut (``synchronous=NORMAL``).

    :param path: the database file (created when absent), or ``":memory:"``.
    :raises HistoryStoreError: the file is not a SQLite database, is corrupt, is
        not a claim history, or was written by a newer schema version.

    >>> from hcpcs_home import Claim, payers
    >>> with SqliteHistory(":memory:") as history:
    ...     history.add(Claim(payers.MEDICARE, "2024-03-01", "2024-03-01", id="NOA1",
    ...                       patient_id="M1", type_of_bill="032A"))
    ...     [c.id for c in history.claims("M1", "2024-03-01", "2024-03-31")]
    ['NOA1']
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        if not isinstance(path, (str, os.PathLike)):
            raise InvalidFieldError("path", path, "must be a file path or ':memory:'")
        self.path = os.fspath(path)
        if not isinstance(self.path, str) or not self.path or "\0" in self.path:
            raise InvalidFieldError("path", path, "must be a file path or ':memory:'")
        self._lock = threading.RLock()
        self._cache: collections.OrderedDict[int, Claim] = collections.OrderedDict()
        #: Authorizations of usage rows by row id (a row never changes once written).
        self._authorizations: dict[int, tuple[Any, Any]] = {}
        self._db: sqlite3.Connection | None = None
        with self._errors():
            db = sqlite3.connect(
                self.path, timeout=_BUSY_TIMEOUT, isolation_level=None, check_same_thread=False
            )
            self._db = db
            self._open(db)

    # --- opening --------------------------------------------------------------------

    def _open(self, db: sqlite3.Connection) -> None:
        db.execute("PRAGMA foreign_keys = ON")
        if self.path != ":memory:":
            mode = db.execute("PRAGMA journal_mode = WAL").fetchone()[0]
            if str(mode).lower() != "wal":
                raise HistoryStoreError(self.path, f"cannot use a write-ahead log ({mode})")
            db.execute("PRAGMA synchronous = NORMAL")
        version = self._version(db)
        if version == SCHEMA_VERSION:
            return
        db.execute("BEGIN IMMEDIATE")
        try:
            version = self._version(db)  # another process may have migrated meanwhile
            for step in MIGRATIONS[version:]:
                step(db, self._index_claim)
            db.execute(f"PRAGMA application_id = {APPLICATION_ID:d}")
            db.execute(f"PRAGMA user_version = {SCHEMA_VERSION:d}")
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise

    def _version(self, db: sqlite3.Connection) -> int:
        version = int(db.execute("PRAGMA user_version").fetchone()[0])
        app = int(db.execute("PRAGMA application_id").fetchone()[0])
        if version > SCHEMA_VERSION:
            raise HistoryStoreError(
                self.path,
                f"was written by a newer hcpcs_home (schema version {version}; this one "
                f"reads versions up to {SCHEMA_VERSION}): upgrade hcpcs_home to open it",
            )
        if version == 0:
            tables = db.execute("SELECT count(*) FROM sqlite_master").fetchone()[0]
            if tables:
                raise HistoryStoreError(
                    self.path, "is a SQLite database but not a claim history (no schema version)"
                )
        elif app != APPLICATION_ID:
            raise HistoryStoreError(
                self.path, f"is a SQLite database of another application (id {app:#x})"
            )
        return version

    def _errors(self) -> _Errors:
        """SQLite's errors as the library's: a store that is not one, or is damaged."""
        return _Errors(self.path)

    @property
    def _conn(self) -> sqlite3.Connection:
        if self._db is None:
            raise HistoryStoreError(self.path, "is closed")
        return self._db

    @contextlib.contextmanager
    def _write(self) -> Iterator[sqlite3.Connection]:
        """One transaction, taken with the write lock at once (no upgrade deadlock)."""
        with self._lock, self._errors():
            db = self._conn
            db.execute("BEGIN IMMEDIATE")
            try:
                yield db
            except BaseException:
                db.execute("ROLLBACK")
                raise
            db.execute("COMMIT")

    def close(self) -> None:
        """Close the database (queries then raise
        :class:`~hcpcs_home.errors.HistoryStoreError`)."""
        with self._lock:
            if self._db is not None:
                self._db.close()
                self._db = None

    def __enter__(self) -> SqliteHistory:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __reduce__(self) -> tuple[Any, ...]:
        # A worker process opens the same file (a ":memory:" store cannot travel).
        if self.path == ":memory:":
            raise TypeError("a ':memory:' SqliteHistory cannot be pickled; use a file")
        return (SqliteHistory, (self.path,))

    def __repr__(self) -> str:
        return f"SqliteHistory({self.path!r})"

    # --- writes ---------------------------------------------------------------------

    def add(self, claim: Claim, *, provider: str | None = None) -> None:
        """Store ``claim`` in one transaction (see :meth:`ClaimHistory.add`)."""
        self.add_many([claim], provider=provider)

    def add_many(self, claims: Iterable[Claim], *, provider: str | None = None) -> int:
        """Store ``claims`` in one transaction: all of them, or (on an error) none.

        :param provider: the billing provider they were billed under (see
            :meth:`ClaimHistory.add`).
        :returns: how many were new.
        """
        if isinstance(claims, (str, bytes, Claim)) or not isinstance(claims, Iterable):
            raise InvalidFieldError("claims", claims, "must be an iterable of Claims")
        if provider is not None:
            provider = text("provider", provider)
        rows = []
        for i, claim in enumerate(claims):
            if not isinstance(claim, Claim):
                raise InvalidFieldError(f"claims[{i}]", claim, "must be a Claim")
            rows.append((claim, claim_key(claim), encode(claim)))
        added = 0
        with self._write() as db:
            for claim, key, content in rows:
                found = db.execute(
                    "SELECT content, provider, seq FROM claims WHERE key = ?", (key,)
                ).fetchone()
                if found is not None:
                    if found[0] != content:
                        raise HistoryConflictError(key, "the claim's content differs")
                    if merge_provider(key, found[1], provider) != found[1]:
                        db.execute(
                            "UPDATE claims SET provider = ? WHERE seq = ?", (provider, found[2])
                        )
                    continue
                cur = db.execute(
                    "INSERT INTO claims (key, beneficiary, statement_from, statement_through, "
                    "content, provider) VALUES (?, ?, ?, ?, ?, ?)",
                    (
                        key,
                        claim.patient_id,
                        claim.statement_from.isoformat(),
                        claim.statement_through.isoformat(),
                        content,
                        provider,
                    ),
                )
                assert cur.lastrowid is not None
                self._index(db, cur.lastrowid, claim, key)
                if write_usage(db, cur.lastrowid, claim, current=True):
                    db.execute(
                        "UPDATE claim_authorizations SET usage = 1 WHERE seq = ?",
                        (cur.lastrowid,),
                    )
                added += 1
        return added

    def _index(self, db: sqlite3.Connection, seq: int, claim: Claim, key: str) -> None:
        """The index rows of a stored claim: authorizations, workers by day, its stay."""
        db.executemany(
            "INSERT OR IGNORE INTO claim_authorizations (number, seq) VALUES (?, ?)",
            [(number, seq) for number in {a.number for a in claim.authorizations}],
        )
        db.executemany(
            "INSERT OR IGNORE INTO claim_workers (worker, day, seq) VALUES (?, ?, ?)",
            [
                (worker, day.isoformat(), seq)
                for worker, days in workers_of(claim).items()
                for day in days
            ],
        )
        stay = stay_of(claim, key)
        if stay is not None:
            db.execute(
                "INSERT OR IGNORE INTO stays (beneficiary, admitted, kind, source, discharged) "
                "VALUES (?, ?, ?, ?, ?)",
                (
                    stay.beneficiary,
                    stay.admitted.isoformat(),
                    stay.kind,
                    key,
                    stay.discharged.isoformat(),
                ),
            )

    def _index_claim(self, seq: int, content: str) -> None:
        """The index rows of a claim stored by an older schema (a migration step)."""
        claim = self._decode(seq, content)
        key = self._conn.execute("SELECT key FROM claims WHERE seq = ?", (seq,)).fetchone()[0]
        self._index(self._conn, seq, claim, key)

    def add_visits(self, visits: Iterable[EvvVisit]) -> None:
        """Store EVV visits in one transaction (see :meth:`ClaimHistory.add_visits`)."""
        if isinstance(visits, (str, bytes)) or not isinstance(visits, Iterable):
            raise InvalidFieldError("visits", visits, "must be an iterable of EvvVisits")
        rows = []
        for i, visit in enumerate(visits):
            if not isinstance(visit, EvvVisit):
                raise InvalidFieldError(f"visits[{i}]", visit, "must be an EvvVisit")
            rows.append((visit, _visit_json(visit)))
        with self._write() as db:
            for visit, content in rows:
                found = db.execute(
                    "SELECT content FROM visits WHERE id = ?", (visit.id,)
                ).fetchone()
                if found is not None:
                    if found[0] != content:
                        raise HistoryConflictError(
                            f"visit {visit.id}", "the visit's content differs"
                        )
                    continue
                day = visit.date.isoformat()
                db.execute(
                    "INSERT INTO visits (id, day, content) VALUES (?, ?, ?)",
                    (visit.id, day, content),
                )
                db.executemany(
                    "INSERT OR IGNORE INTO visit_workers (worker, day, id) VALUES (?, ?, ?)",
                    [(w, day, visit.id) for w in {visit.worker, visit.worker_npi} if w],
                )

    def add_stay(
        self, beneficiary: str, admitted: _dt.date, discharged: _dt.date, kind: str
    ) -> None:
        """Store an inpatient stay (see :meth:`ClaimHistory.add_stay`)."""
        stay = Stay(beneficiary, admitted, discharged, kind)
        with self._write() as db:
            found = db.execute(
                "SELECT discharged FROM stays WHERE beneficiary = ? AND admitted = ? AND kind = ? "
                "AND source = ''",
                (stay.beneficiary, stay.admitted.isoformat(), stay.kind),
            ).fetchone()
            if found is not None:
                if found[0] != stay.discharged.isoformat():
                    raise HistoryConflictError(
                        f"stay {stay.beneficiary} {stay.admitted} {stay.kind}",
                        f"discharged {found[0]}, not {stay.discharged}",
                    )
                return
            db.execute(
                "INSERT INTO stays (beneficiary, admitted, kind, source, discharged) "
                "VALUES (?, ?, ?, '', ?)",
                (
                    stay.beneficiary,
                    stay.admitted.isoformat(),
                    stay.kind,
                    stay.discharged.isoformat(),
                ),
            )

    def add_certification(
        self,
        beneficiary: str,
        period_start: _dt.date,
        *,
        face_to_face: _dt.date | None = None,
    ) -> None:
        """Store a hospice certification (see :meth:`ClaimHistory.add_certification`)."""
        cert = Certification(beneficiary, period_start, face_to_face)
        f2f = None if cert.face_to_face is None else cert.face_to_face.isoformat()
        with self._write() as db:
            found = db.execute(
                "SELECT face_to_face FROM certifications "
                "WHERE beneficiary = ? AND period_start = ?",
                (cert.beneficiary, cert.period_start.isoformat()),
            ).fetchone()
            if found is None:
                db.execute(
                    "INSERT INTO certifications (beneficiary, period_start, face_to_face) "
                    "VALUES (?, ?, ?)",
                    (cert.beneficiary, cert.period_start.isoformat(), f2f),
                )
            elif found[0] is None and f2f is not None:
                db.execute(
                    "UPDATE certifications SET face_to_face = ? WHERE beneficiary = ? "
                    "AND period_start = ?",
                    (f2f, cert.beneficiary, cert.period_start.isoformat()),
                )
            elif found[0] is not None and f2f is not None and found[0] != f2f:
                raise HistoryConflictError(
                    f"certification {cert.beneficiary} {cert.period_start}",
                    f"face-to-face {found[0]}, not {f2f}",
                )

    # --- queries --------------------------------------------------------------------

    def _decode(self, seq: int, content: str) -> Claim:
        found = self._cache.get(seq)
        if found is not None:
            self._cache.move_to_end(seq)
            return found
        try:
            claim = decode(content)
        except (HcpcsError, ValueError, RecursionError) as exc:
            raise HistoryStoreError(self.path, f"claim row {seq} cannot be read: {exc}") from None
        self._cache[seq] = claim
        if len(self._cache) > _CACHE_SIZE:
            self._cache.popitem(last=False)
        return claim

    def _claims(self, sql: str, args: Sequence[Any]) -> tuple[Claim, ...]:
        with self._lock, self._errors():
            rows = self._conn.execute(sql, args).fetchall()
            return tuple(self._decode(seq, content) for seq, content in rows)

    def get(self, key: str) -> Claim | None:
        """The claim stored under ``key``, or ``None``."""
        key = text("key", key)
        found = self._claims("SELECT seq, content FROM claims WHERE key = ?", (key,))
        return found[0] if found else None

    def claims(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The beneficiary's claims overlapping ``start``-``end``, in the order added."""
        beneficiary = text("beneficiary", beneficiary)
        first, last = check_range(start, end)
        return self._claims(
            "SELECT seq, content FROM claims WHERE beneficiary = ? AND statement_from <= ? "
            "AND statement_through >= ? ORDER BY seq",
            (beneficiary, last.isoformat(), first.isoformat()),
        )

    def claims_by_authorization(self, number: str) -> Sequence[Claim]:
        """The claims carrying authorization ``number``, in the order added."""
        number = text("number", number)
        return self._claims(
            "SELECT c.seq, c.content FROM claim_authorizations a JOIN claims c ON c.seq = a.seq "
            "WHERE a.number = ? ORDER BY c.seq",
            (number,),
        )

    def claims_by_provider(self, provider: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims added under ``provider`` overlapping ``start``-``end``, in the order
        added."""
        provider = text("provider", provider)
        first, last = check_range(start, end)
        return self._claims(
            "SELECT seq, content FROM claims WHERE provider = ? AND statement_from <= ? "
            "AND statement_through >= ? ORDER BY seq",
            (provider, last.isoformat(), first.isoformat()),
        )

    def _count_usage(self, numbers: Iterable[str], fold: _UsageFold, own: Claim) -> None:
        """Count into ``fold`` (``_UsageFold.count``) what the
        stored claims carrying any of ``numbers`` use of those numbers, the claims in
        the order :meth:`claims_by_authorization` gives them number by number (each
        once), but the stored copy of ``own`` (the checked claim: same
        :func:`~hcpcs_home.history.claim_key`): one indexed query over the authorization
        index and the usage rows, never a claim's row; a claim is read whole only where
        it has no usage rows (a payer that is not a shipped profile).

        ``numbers`` are authorization numbers of a :class:`~hcpcs_home.claims.Claim`
        (checked when it was made)."""
        wanted = sorted(set(numbers))
        if not wanted:
            return
        marks = ", ".join("?" * len(wanted))
        # The checked claim's key is found in SQL where it has a number (its key is then
        # cheap); a claim without one is keyed by a digest of its content, worked out
        # only where some stored claim shares its authorization.
        key = claim_key(own) if own.id else None
        with self._lock, self._errors():
            db = self._conn
            rows = db.execute(
                "SELECT a.number, a.seq, a.usage, u.authorization_id, u.payer, u.code, "
                "u.units, u.day, u.days, u.visits, u.service_days, u.more, z.counted "
                f"FROM claim_authorizations a LEFT JOIN claim_usage u ON u.number IN ({marks}) "
                "AND u.seq = a.seq LEFT JOIN usage_authorizations z ON z.id = u.authorization_id "
                f"WHERE a.number IN ({marks}) AND a.seq IS NOT (SELECT seq FROM claims WHERE "
                "key = ?) ORDER BY a.number, a.seq, u.line, u.position",
                [*wanted, *wanted, key],
            ).fetchall()
            if rows and key is None:
                found = db.execute(
                    "SELECT seq FROM claims WHERE key = ?", (claim_key(own),)
                ).fetchone()
                if found is not None:
                    rows = [row for row in rows if row[1] != found[0]]
        group: dict[int, str] = {}  # each claim counts where it first comes
        several = len(wanted) > 1  # (a claim comes once under one number)
        payers: dict[str, Any] = {}
        auths = self._authorizations
        counted: list[Any] = []  # rows worked out, counted together (in order)
        add = counted.append
        units_by_code: dict[tuple[str, str], Any] = {}  # (payer, code): its unit, found once
        # (authorization row, payer, code, units, visits): what rows of those count (the
        # payer's profile, the authorization, its caps, the amount), worked out once
        shapes: dict[tuple[Any, ...], tuple[Any, Any, Any, Any]] = {}
        day_of = _dt.date.fromordinal
        days_basis = AuthorizationBasis.DAYS

        def shape_of(
            auth_id: Any, auth_text: Any, payer: Any, code: Any, units: Any, visits: Any
        ) -> tuple[Any, Any, Any, Any]:
            found = auths.get(auth_id)
            if found is None:
                found = self._authorization(auth_id, auth_text)
            auth, caps = found
            profile = payers.get(payer)
            if profile is None:
                profile = payers[payer] = payer_profile(payer)
            if type(units) is not int:
                units = units_of(units)
            if type(code) is not str or type(visits) is not int:
                raise TypeError(f"code {code!r}, visits {visits!r}")
            unit = units_by_code.get((payer, code))
            if unit is None:
                unit = units_by_code[(payer, code)] = fold.unit_of(profile, code)
            return profile, auth, caps, _amount(auth, units, unit, visits)

        for (
            number,
            seq,
            written,
            auth_id,
            payer,
            code,
            units,
            day,
            days,
            visits,
            served,
            more,
            auth_text,
        ) in rows:
            if several and group.setdefault(seq, number) != number:
                continue  # the claim again, under a later number
            if not written:  # no usage rows (so this claim's one row): read it whole
                (claim,) = self._claims("SELECT seq, content FROM claims WHERE seq = ?", (seq,))
                fold.count_amounts(counted)  # what comes before it first
                counted.clear()
                fold.count(_usage_of(claim))
                continue
            if auth_id is None:
                continue  # none of its lines names the number
            try:
                if type(visits) is int and type(units) is not float:  # 1.0 == 1: not memoised
                    shape_key = (auth_id, payer, code, units, visits)
                    shape = shapes.get(shape_key)
                    if shape is None:
                        shape = shapes[shape_key] = shape_of(
                            auth_id, auth_text, payer, code, units, visits
                        )
                else:
                    shape = shape_of(auth_id, auth_text, payer, code, units, visits)
                profile, auth, caps, amount = shape
                date = day_of(day)
                if days == 1:
                    span: tuple[_dt.date, ...] = (date,)
                elif type(days) is int and 1 < days <= MAX_SPAN_DAYS:
                    span = tuple(date + k * _ONE_DAY for k in range(days))
                else:
                    raise ValueError(f"a line spans {days!r} days")
                if amount is None:
                    continue  # a line that cannot be counted in the authorization's measure
                served_days: tuple[_dt.date, ...] = ()  # counted only by one of days
                if served and auth.basis is days_basis:
                    served_days = tuple(day_of(int(d)) for d in served.split(","))
                add((profile, auth, caps, amount, span, served_days))
                if more:  # the next lines of the number, differing only in their day
                    if days != 1 or served not in ("", str(day)):
                        raise ValueError(f"a row of {days!r} days merges more days")
                    on_its_day = bool(served) and auth.basis is days_basis  # served that day
                    for other in more.split(","):
                        date = day_of(int(other))
                        add((profile, auth, caps, amount, (date,), (date,) if on_its_day else ()))
            except (HcpcsError, TypeError, ValueError, OverflowError, ArithmeticError) as exc:
                raise HistoryStoreError(
                    self.path, f"the usage rows of claim row {seq} cannot be read: {exc}"
                ) from None
        fold.count_amounts(counted)

    def _authorization(self, row: int, counted: Any) -> tuple[Any, Any]:
        """The counted part of a usage row's authorization (and its caps), read once per
        store (a row never changes once written)."""
        if counted is None:
            raise ValueError(f"no authorization {row}")
        auth = counted_from_text(counted)
        if len(self._authorizations) >= _CACHE_SIZE:
            self._authorizations.clear()
        found = self._authorizations[row] = (auth, _caps(auth))
        return found

    def claims_by_worker(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[Claim]:
        """The claims naming ``worker`` on a day from ``start`` to ``end``."""
        worker = text("worker", worker)
        first, last = check_range(start, end)
        return self._claims(
            "SELECT c.seq, c.content FROM claims c WHERE c.seq IN (SELECT seq FROM claim_workers "
            "WHERE worker = ? AND day BETWEEN ? AND ?) ORDER BY c.seq",
            (worker, first.isoformat(), last.isoformat()),
        )

    def _claims_by_workers(self, asks: Sequence[tuple[str, _dt.date, _dt.date]]) -> list[Claim]:
        """:meth:`claims_by_worker` of each ``(worker, start, end)``, one after another
        (workers in the order given, which must be sorted), in one query per 300.

        The workers are names a :class:`~hcpcs_home.claims.Claim` gives (checked when it
        was made)."""
        out: list[Claim] = []
        checked = []
        for worker, start, end in asks:
            first, last = check_range(start, end)
            checked.append((worker, first.isoformat(), last.isoformat()))
        if [w for w, _, _ in checked] != sorted({w for w, _, _ in checked}):
            raise InvalidFieldError("asks", asks, "must name each worker once, sorted")
        for at in range(0, len(checked), 300):
            part = checked[at : at + 300]
            where = " OR ".join(["(worker = ? AND day BETWEEN ? AND ?)"] * len(part))
            with self._lock, self._errors():
                rows = self._conn.execute(
                    "SELECT c.seq, c.content FROM (SELECT DISTINCT worker, seq FROM claim_workers "
                    f"WHERE {where}) w JOIN claims c ON c.seq = w.seq ORDER BY w.worker, c.seq",
                    [value for ask in part for value in ask],
                ).fetchall()
                out.extend(self._decode(seq, content) for seq, content in rows)
        return out

    def visits(self, worker: str, start: _dt.date, end: _dt.date) -> Sequence[EvvVisit]:
        """The stored EVV visits of ``worker`` dated ``start`` to ``end``."""
        worker = text("worker", worker)
        first, last = check_range(start, end)
        with self._lock, self._errors():
            rows = self._conn.execute(
                "SELECT v.content FROM visits v WHERE v.id IN (SELECT id FROM visit_workers "
                "WHERE worker = ? AND day BETWEEN ? AND ?) ORDER BY v.rowid",
                (worker, first.isoformat(), last.isoformat()),
            ).fetchall()
        if not rows:  # the usual answer: no visit to read
            return ()
        converter = _visit_converter()
        try:
            return tuple(converter.structure(json.loads(row[0]), EvvVisit) for row in rows)
        except Exception as exc:
            raise HistoryStoreError(self.path, f"a visit row cannot be read: {exc}") from None

    def _visits_of_workers(
        self, workers: Sequence[str], start: _dt.date, end: _dt.date
    ) -> dict[str, tuple[EvvVisit, ...]]:
        """:meth:`visits` of each of ``workers`` (an empty tuple for a worker with none),
        in one query per 300 workers.  The workers are names a
        :class:`~hcpcs_home.claims.Claim` gives (checked when it was made)."""
        first, last = check_range(start, end)
        names = sorted(set(workers))
        found: dict[str, list[str]] = {name: [] for name in names}
        for at in range(0, len(names), 300):
            part = names[at : at + 300]
            marks = ", ".join("?" * len(part))
            with self._lock, self._errors():
                rows = self._conn.execute(
                    "SELECT w.worker, v.content FROM visit_workers w JOIN visits v "
                    f"ON v.id = w.id WHERE w.worker IN ({marks}) AND w.day BETWEEN ? AND ? "
                    "ORDER BY w.worker, v.rowid",
                    [*part, first.isoformat(), last.isoformat()],
                ).fetchall()
            for worker, content in rows:
                found[worker].append(content)
        if not any(found.values()):  # the usual answer: no visit to read
            return {name: () for name in names}
        converter = _visit_converter()
        try:
            return {
                name: tuple(converter.structure(json.loads(c), EvvVisit) for c in contents)
                for name, contents in found.items()
            }
        except Exception as exc:
            raise HistoryStoreError(self.path, f"a visit row cannot be read: {exc}") from None

    def stays(self, beneficiary: str, start: _dt.date, end: _dt.date) -> Sequence[Stay]:
        """The beneficiary's inpatient stays overlapping ``start``-``end``."""
        beneficiary = text("beneficiary", beneficiary)
        first, last = check_range(start, end)
        with self._lock, self._errors():
            rows = self._conn.execute(
                "SELECT beneficiary, admitted, discharged, kind, source FROM stays "
                "WHERE beneficiary = ? AND admitted <= ? AND discharged >= ? ORDER BY rowid",
                (beneficiary, last.isoformat(), first.isoformat()),
            ).fetchall()
        try:
            return tuple(Stay(b, a, d, k, source=s) for b, a, d, k, s in rows)
        except HcpcsError as exc:
            raise HistoryStoreError(self.path, f"a stay row cannot be read: {exc}") from None

    def certifications(self, beneficiary: str) -> Sequence[Certification]:
        """The beneficiary's hospice certifications, by period start."""
        beneficiary = text("beneficiary", beneficiary)
        with self._lock, self._errors():
            rows = self._conn.execute(
                "SELECT beneficiary, period_start, face_to_face FROM certifications "
                "WHERE beneficiary = ? ORDER BY period_start",
                (beneficiary,),
            ).fetchall()
        try:
            return tuple(Certification(b, p, f) for b, p, f in rows)
        except HcpcsError as exc:
            raise HistoryStoreError(
                self.path, f"a certification row cannot be read: {exc}"
            ) from None

    def keys(self) -> Iterator[str]:
        """Every stored claim's key, in the order added (read in pages, never all at once)."""
        last = 0
        while True:
            with self._lock, self._errors():
                rows = self._conn.execute(
                    "SELECT seq, key FROM claims WHERE seq > ? ORDER BY seq LIMIT 1000", (last,)
                ).fetchall()
            if not rows:
                return
            for _seq, key in rows:
                yield key
            last = rows[-1][0]

    @property
    def schema_version(self) -> int:
        """The store's schema version (``PRAGMA user_version``)."""
        with self._lock, self._errors():
            return int(self._conn.execute("PRAGMA user_version").fetchone()[0])

    def __len__(self) -> int:
        with self._lock, self._errors():
            return int(self._conn.execute("SELECT count(*) FROM claims").fetchone()[0])
