"""The claim history stores (MemoryHistory, SqliteHistory) and checks against them.

The Medicaid scenario: personal care (T1019, 15-minute units) for member M100 in
North Dakota under an authorization counted in hours with a weekly cap of 40
(ND DHS Service Chapter 535-05-45).
"""

from __future__ import annotations

import datetime as dt
import pickle
import signal
import sqlite3
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings

from hcpcs_home import Authorization, Claim, ClaimLine, EvvVisit, check, check_many, payers
from hcpcs_home import strategies as hst
from hcpcs_home.errors import (
    HcpcsError,
    HistoryConflictError,
    HistoryStoreError,
    InvalidFieldError,
    InvalidTimeError,
)
from hcpcs_home.history import (
    SCHEMA_VERSION,
    Certification,
    ClaimHistory,
    MemoryHistory,
    SqliteHistory,
    Stay,
    claim_key,
)

ND = payers.NORTH_DAKOTA_MEDICAID
AUTH = Authorization(
    "PA-9", "nd-medicaid", ["T1019"], 400, "hours", "2024-03-01", "2024-03-31", per_week=40
)


def care(claim_id: str, day: str, units: int, *, member: str = "M100", **kw: Any) -> Claim:
    """A one-day personal-care claim under PA-9."""
    return Claim(
        ND,
        day,
        day,
        id=claim_id,
        patient_id=member,
        authorizations=[AUTH],
        lines=[ClaimLine("T1019", day, units, prior_auth="PA-9")],
        **kw,
    )


def ids(report: Any) -> list[str]:
    return [f.rule_id for f in report]


@pytest.fixture(params=["memory", "sqlite-memory", "sqlite-file"])
def history(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """An empty store of each kind."""
    if request.param == "memory":
        return MemoryHistory()
    if request.param == "sqlite-memory":
        return SqliteHistory(":memory:")
    return SqliteHistory(tmp_path / "history.db")


class TestStore:
    def test_is_a_claim_history(self, history: Any) -> None:
        """Each store implements the ClaimHistory protocol."""
        assert isinstance(history, ClaimHistory)

    def test_add_and_query_by_beneficiary(self, history: Any) -> None:
        """A claim is found by its beneficiary and any date of its period, not outside it."""
        claim = care("C1", "2024-03-04", 8)
        history.add(claim)
        assert [claim] == list(history.claims("M100", "2024-03-04", "2024-03-04"))
        assert [] == list(history.claims("M100", "2024-03-05", "2024-03-31"))
        assert [] == list(history.claims("M200", "2024-03-01", "2024-03-31"))
        assert 1 == len(history)

    def test_query_by_authorization_and_worker(self, history: Any) -> None:
        """Claims are found by an authorization they carry and a worker on their visits."""
        visit = EvvVisit(
            "T1019", "2024-03-04", member="M100", start="08:00", stop="10:00", worker="W7"
        )
        claim = care("C1", "2024-03-04", 8, evv_visits=[visit])
        history.add(claim)
        assert [claim] == list(history.claims_by_authorization("PA-9"))
        assert [] == list(history.claims_by_authorization("PA-1"))
        assert [claim] == list(history.claims_by_worker("W7", "2024-03-01", "2024-03-04"))
        assert [] == list(history.claims_by_worker("W7", "2024-03-05", "2024-03-31"))

    def test_query_by_provider(self, history: Any) -> None:
        """A claim added under a billing provider is found by it and any date of its
        period; not outside it, not under another provider, not when added without one."""
        c1, c2, c3 = (care(f"C{n}", f"2024-03-0{n}", 4) for n in (1, 2, 3))
        history.add(c1, provider="341234")
        history.add(c2, provider="349999")
        history.add(c3)
        assert [c1] == list(history.claims_by_provider("341234", "2023-10-01", "2024-09-30"))
        assert [] == list(history.claims_by_provider("341234", "2024-03-02", "2024-09-30"))
        assert [c2] == list(history.claims_by_provider("349999", "2024-03-02", "2024-03-02"))
        assert [] == list(history.claims_by_provider("340000", "2023-10-01", "2024-09-30"))
        assert 3 == len(history)

    def test_provider_recorded_once_never_changed(self, history: Any) -> None:
        """A claim stored without a provider gets one when added again with it (in its
        place in the order added); another provider is a conflict; none changes nothing."""
        c1, c2 = care("C1", "2024-03-01", 4), care("C2", "2024-03-02", 4)
        history.add(c1)
        history.add(c2, provider="341234")
        history.add(c1, provider="341234")
        assert [c1, c2] == list(history.claims_by_provider("341234", "2024-03-01", "2024-03-31"))
        history.add(c1)
        history.add(c1, provider="341234")
        with pytest.raises(HistoryConflictError, match="provider differs: stored 341234"):
            history.add(c1, provider="349999")
        assert [] == list(history.claims_by_provider("349999", "2024-03-01", "2024-03-31"))
        assert 2 == len(history)

    @pytest.mark.parametrize("provider", ["", 341234, b"341234"])
    def test_bad_provider_is_refused(self, history: Any, provider: Any) -> None:
        """A provider that is not a non-empty identifier is the library's error, nothing stored."""
        with pytest.raises(InvalidFieldError):
            history.add(care("C1", "2024-03-01", 4), provider=provider)
        with pytest.raises(InvalidFieldError):
            history.claims_by_provider(provider, "2024-03-01", "2024-03-31")
        with pytest.raises(InvalidTimeError):
            history.claims_by_provider("341234", "2024-03-31", "2024-03-01")
        assert 0 == len(history)

    def test_order_is_order_added(self, history: Any) -> None:
        """Queries answer in the order claims were added."""
        claims = [care(f"C{n}", f"2024-03-{n:02d}", 4) for n in (9, 2, 5)]
        for c in claims:
            history.add(c)
        assert claims == list(history.claims("M100", "2024-03-01", "2024-03-31"))

    def test_same_claim_twice_is_one(self, history: Any) -> None:
        """Adding a claim already stored with the same content changes nothing."""
        history.add(care("C1", "2024-03-04", 8))
        history.add(care("C1", "2024-03-04", 8))
        assert 1 == len(history)

    def test_conflict_is_refused(self, history: Any) -> None:
        """A stored identity with different content is an error, not an overwrite."""
        history.add(care("C1", "2024-03-04", 8))
        with pytest.raises(HistoryConflictError) as info:
            history.add(care("C1", "2024-03-04", 9))
        assert "C1" in info.value.key
        assert [8] == [c.lines[0].units for c in history.claims("M100", "2024-03-04", "2024-03-04")]

    def test_claim_without_id_known_by_content(self, history: Any) -> None:
        """A claim without an id is known by its content: equal is one, different is two."""
        history.add(care("", "2024-03-04", 8))
        history.add(care("", "2024-03-04", 8))
        history.add(care("", "2024-03-04", 9))
        assert 2 == len(history)
        assert claim_key(care("", "2024-03-04", 8)).startswith("sha256:")

    def test_get_by_key(self, history: Any) -> None:
        """get() answers the claim stored under a key, or None."""
        claim = care("C1", "2024-03-04", 8)
        history.add(claim)
        assert claim == history.get(claim_key(claim))
        assert None is history.get("nothing")

    def test_stays_from_add_stay_and_inpatient_claims(self, history: Any) -> None:
        """Stays come from add_stay and from inpatient claims (TOB 011X) added with add."""
        history.add_stay("M100", "2024-03-10", "2024-03-12", "hospital")
        history.add(
            Claim(
                payers.MEDICARE,
                "2024-03-20",
                "2024-03-22",
                type_of_bill="0111",
                patient_id="M100",
                id="IP1",
            )
        )
        found = history.stays("M100", "2024-03-01", "2024-03-31")
        assert [("2024-03-10", "hospital"), ("2024-03-20", "hospital")] == [
            (s.admitted.isoformat(), s.kind) for s in found
        ]
        assert [] == list(history.stays("M100", "2024-03-13", "2024-03-19"))

    def test_stay_conflict(self, history: Any) -> None:
        """A stay stored with another discharge day is refused; the same stay again is not."""
        history.add_stay("M100", "2024-03-10", "2024-03-12", "hospital")
        history.add_stay("M100", "2024-03-10", "2024-03-12", "hospital")
        with pytest.raises(HistoryConflictError):
            history.add_stay("M100", "2024-03-10", "2024-03-14", "hospital")

    def test_certifications(self, history: Any) -> None:
        """A face-to-face date fills a certification stored without one; it never changes."""
        history.add_certification("M100", "2024-06-01")
        assert [None] == [c.face_to_face for c in history.certifications("M100")]
        history.add_certification("M100", "2024-06-01", face_to_face="2024-05-20")
        assert [dt.date(2024, 5, 20)] == [c.face_to_face for c in history.certifications("M100")]
        with pytest.raises(HistoryConflictError):
            history.add_certification("M100", "2024-06-01", face_to_face="2024-05-21")
        assert [Certification("M100", "2024-06-01", "2024-05-20")] == list(
            history.certifications("M100")
        )

    def test_visits(self, history: Any) -> None:
        """EVV visits are found by worker id or NPI and date; a changed visit is refused."""
        v = EvvVisit(
            "T1019", "2024-03-04", member="M100", start="08:00", stop="10:00", worker="W7", id="V1"
        )
        history.add_visits([v])
        history.add_visits([v])
        assert [v] == list(history.visits("W7", "2024-03-04", "2024-03-04"))
        assert [] == list(history.visits("W8", "2024-03-04", "2024-03-04"))
        with pytest.raises(HistoryConflictError):
            history.add_visits([attrs.evolve(v, stop="11:00")])

    @pytest.mark.parametrize(
        ("call", "error"),
        [
            (lambda h: h.add("claim"), InvalidFieldError),
            (lambda h: h.add(None), InvalidFieldError),
            (lambda h: h.claims("", "2024-01-01", "2024-01-02"), InvalidFieldError),
            (lambda h: h.claims(None, "2024-01-01", "2024-01-02"), InvalidFieldError),
            (lambda h: h.claims("M1", "2024-01-02", "2024-01-01"), InvalidTimeError),
            (lambda h: h.claims("M1", "junk", "2024-01-01"), InvalidTimeError),
            (lambda h: h.add_stay("M1", "2024-01-02", "2024-01-01", "snf"), InvalidTimeError),
            (lambda h: h.add_stay("M1", "2024-01-01", "2024-01-01", ""), InvalidFieldError),
            (lambda h: h.add_visits(["v"]), InvalidFieldError),
            (lambda h: h.add_visits("v"), InvalidFieldError),
            (lambda h: h.add_certification("M1", "x"), InvalidTimeError),
            (lambda h: h.visits("W1", "2024-01-01", float("nan")), InvalidTimeError),
        ],
    )
    def test_junk_is_refused(self, history: Any, call: Any, error: type) -> None:
        """Junk arguments raise the library's specific error."""
        with pytest.raises(error):
            call(history)

    def test_stay_value(self) -> None:
        """A Stay is a frozen value."""
        stay = Stay("M1", "2024-01-01", "2024-01-03", "snf")
        assert stay == pickle.loads(pickle.dumps(stay))


class TestAuthorizationAcrossHistory:
    """Units already billed on earlier claims count against the same authorization
    (agencies' pre-billing checks; TMHP CSHCN manual §21.2.1.1)."""

    def test_week_over_cap_with_history(self, history: Any) -> None:
        """120 units (30 hours) billed plus 50 (12.5 hours) in the same week pass 40 hours."""
        history.add(care("C1", "2024-03-04", 120))
        report = check(care("C2", "2024-03-05", 50), history=history)
        found = [f for f in report if f.rule_id == "authorization-exceeded"]
        assert 1 == len(found)
        assert "40 hours a week" in found[0].message
        assert "42.5 used" in found[0].message

    def test_within_cap_with_history(self, history: Any) -> None:
        """120 units plus 40 (10 hours) make 40 hours: within the cap."""
        history.add(care("C1", "2024-03-04", 120))
        assert "authorization-exceeded" not in ids(
            check(care("C2", "2024-03-05", 40), history=history)
        )

    def test_next_week_is_clean(self, history: Any) -> None:
        """Units billed in another week do not count against this week's cap."""
        history.add(care("C1", "2024-03-04", 120))
        assert "authorization-exceeded" not in ids(
            check(care("C2", "2024-03-11", 50), history=history)
        )

    def test_without_history_is_clean(self) -> None:
        """The new claim alone is within its cap."""
        assert "authorization-exceeded" not in ids(check(care("C2", "2024-03-05", 50)))

    def test_recorded_claim_is_not_counted_twice(self, history: Any) -> None:
        """A claim already stored is the claim itself: checking it again counts it once."""
        history.add(care("C1", "2024-03-04", 120))
        history.add(care("C2", "2024-03-05", 40))
        assert "authorization-exceeded" not in ids(
            check(care("C2", "2024-03-05", 40), history=history)
        )

    def test_check_many_passes_history(self, history: Any) -> None:
        """check_many gives every check the history, with or without batch."""
        history.add(care("C1", "2024-03-04", 120))
        for batch in (False, True):
            (report,) = check_many([care("C2", "2024-03-05", 50)], history=history, batch=batch)
            assert "authorization-exceeded" in ids(report)

    def test_batch_and_history_together(self, history: Any) -> None:
        """With a batch and a history, the history's claims come before the batch's."""
        history.add(care("C1", "2024-03-04", 100))
        reports = list(
            check_many(
                [care("C2", "2024-03-05", 40), care("C3", "2024-03-06", 40)],
                history=history,
                batch=True,
            )
        )
        assert ["authorization-exceeded" in ids(r) for r in reports] == [False, True]

    def test_not_a_history(self) -> None:
        """Something that is not a claim history is refused."""
        with pytest.raises(InvalidFieldError):
            check(care("C2", "2024-03-05", 50), history=object())  # type: ignore[arg-type]


class TestBatch:
    def test_batch_findings_unchanged(self) -> None:
        """A batch counts its claims in order, as before: the second passes the cap."""
        reports = list(
            check_many([care("C1", "2024-03-04", 120), care("C2", "2024-03-05", 50)], batch=True)
        )
        assert ["authorization-exceeded" in ids(r) for r in reports] == [False, True]

    def test_batch_with_one_claim_twice(self) -> None:
        """A batch may hold one claim twice: both count, as before."""
        claim = care("C1", "2024-03-04", 100)
        reports = list(check_many([claim, claim], batch=True))
        assert 2 == len(reports)


class TestSqliteStore:
    """A SqliteHistory is a real database: versioned schema, migrations, WAL, one
    transaction per write."""

    def test_reopened_store_keeps_everything(self, tmp_path: Path) -> None:
        """Claims, stays, certifications and visits are there after reopening."""
        path = tmp_path / "h.db"
        with SqliteHistory(path) as h:
            h.add(care("C1", "2024-03-04", 8))
            h.add_stay("M100", "2024-03-10", "2024-03-12", "hospital")
            h.add_certification("M100", "2024-06-01", face_to_face="2024-05-20")
            h.add_visits([EvvVisit("T1019", "2024-03-04", worker="W7", id="V1")])
        with SqliteHistory(path) as h:
            assert [care("C1", "2024-03-04", 8)] == list(
                h.claims("M100", "2024-03-01", "2024-03-31")
            )
            assert 1 == len(h.stays("M100", "2024-03-01", "2024-03-31"))
            assert 1 == len(h.certifications("M100"))
            assert ["V1"] == [v.id for v in h.visits("W7", "2024-03-01", "2024-03-31")]
            assert SCHEMA_VERSION == h.schema_version
            assert ["nd-medicaid|M100||2024-03-04|C1"] == list(h.keys())

    def test_wal_mode(self, tmp_path: Path) -> None:
        """The store journals to a write-ahead log."""
        path = tmp_path / "h.db"
        SqliteHistory(path).close()
        db = sqlite3.connect(path)
        assert "wal" == db.execute("PRAGMA journal_mode").fetchone()[0]
        db.close()

    def test_indexes(self, tmp_path: Path) -> None:
        """The queries by beneficiary, authorization and worker use an index, not a scan."""
        path = tmp_path / "h.db"
        SqliteHistory(path).close()
        db = sqlite3.connect(path)
        plans = {
            "beneficiary": "SELECT seq FROM claims WHERE beneficiary = 'M' AND statement_from "
            "<= '2024-01-01' AND statement_through >= '2024-01-01'",
            "authorization": "SELECT seq FROM claim_authorizations WHERE number = 'PA'",
            "worker": "SELECT seq FROM claim_workers WHERE worker = 'W' AND day BETWEEN "
            "'2024-01-01' AND '2024-01-02'",
            "provider": "SELECT seq FROM claims WHERE provider = 'P' AND statement_from "
            "<= '2024-01-01' AND statement_through >= '2024-01-01'",
        }
        for name, sql in plans.items():
            plan = " ".join(r[-1] for r in db.execute("EXPLAIN QUERY PLAN " + sql))
            assert "USING" in plan and "SCAN" not in plan, (name, plan)
        db.close()

    def test_newer_schema_is_refused(self, tmp_path: Path) -> None:
        """A store written by a newer schema version is refused with a clear message."""
        path = tmp_path / "h.db"
        SqliteHistory(path).close()
        db = sqlite3.connect(path)
        db.execute(f"PRAGMA user_version = {SCHEMA_VERSION + 1}")
        db.close()
        with pytest.raises(HistoryStoreError, match="newer hcpcs_home"):
            SqliteHistory(path)

    def test_older_schema_is_migrated(self, tmp_path: Path) -> None:
        """A version-1 store (claims only) is migrated: its claims get the new indexes."""
        from hcpcs_home.history._schema import APPLICATION_ID, MIGRATIONS
        from hcpcs_home.serialize import claim_to_json

        path = tmp_path / "old.db"
        db = sqlite3.connect(path, isolation_level=None)
        MIGRATIONS[0](db, lambda seq, content: None)
        claim = care("C1", "2024-03-04", 8)
        db.execute(
            "INSERT INTO claims (key, beneficiary, statement_from, statement_through, content) "
            "VALUES (?, ?, ?, ?, ?)",
            (claim_key(claim), "M100", "2024-03-04", "2024-03-04", claim_to_json(claim)),
        )
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 1")
        db.close()
        with SqliteHistory(path) as h:
            assert SCHEMA_VERSION == h.schema_version
            assert [claim] == list(h.claims_by_authorization("PA-9"))

    def test_version_2_store_is_migrated(self, tmp_path: Path) -> None:
        """A store written by schema version 2 (the release before the provider index)
        opens as the current version: every claim, stay, certification and visit still there, its
        claims under no provider until added again with one, and no key changed."""
        from hcpcs_home.history._rows import encode
        from hcpcs_home.history._schema import APPLICATION_ID, MIGRATIONS

        path = tmp_path / "v2.db"
        db = sqlite3.connect(path, isolation_level=None)
        claims = [care("C1", "2024-03-04", 8), care("C2", "2024-03-05", 8)]
        db.execute("BEGIN")
        # Version 2's writes, as its SqliteHistory made them.
        MIGRATIONS[0](db, lambda seq, content: None)
        MIGRATIONS[1](db, lambda seq, content: None)
        for claim in claims:
            seq = db.execute(
                "INSERT INTO claims (key, beneficiary, statement_from, statement_through, "
                "content) VALUES (?, ?, ?, ?, ?)",
                (
                    claim_key(claim),
                    claim.patient_id,
                    claim.statement_from.isoformat(),
                    claim.statement_through.isoformat(),
                    encode(claim),
                ),
            ).lastrowid
            db.execute(
                "INSERT INTO claim_authorizations (number, seq) VALUES (?, ?)", ("PA-9", seq)
            )
        db.execute(
            "INSERT INTO certifications (beneficiary, period_start, face_to_face) "
            "VALUES ('M100', '2024-06-01', '2024-05-20')"
        )
        db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
        db.execute("PRAGMA user_version = 2")
        db.execute("COMMIT")
        db.close()
        with SqliteHistory(path) as h:
            assert 6 == h.schema_version == SCHEMA_VERSION
            assert claims == list(h.claims("M100", "2024-03-01", "2024-03-31"))
            assert claims == list(h.claims_by_authorization("PA-9"))
            assert 1 == len(h.certifications("M100"))
            assert [claim_key(c) for c in claims] == list(h.keys())
            assert [] == list(h.claims_by_provider("341234", "2024-03-01", "2024-03-31"))
            h.add(claims[1], provider="341234")
            h.add(care("C3", "2024-03-06", 8), provider="341234")
            assert 3 == len(h)
        with SqliteHistory(path) as h:
            assert [claims[1], care("C3", "2024-03-06", 8)] == list(
                h.claims_by_provider("341234", "2024-03-01", "2024-03-31")
            )
        db = sqlite3.connect(path)
        plan = " ".join(
            r[-1]
            for r in db.execute(
                "EXPLAIN QUERY PLAN SELECT seq FROM claims WHERE provider = 'P' AND "
                "statement_from <= '2024-01-01' AND statement_through >= '2024-01-01'"
            )
        )
        db.close()
        assert "claims_by_provider" in plan and "SCAN" not in plan, plan

    @pytest.mark.parametrize(
        "content",
        [b"not a database at all" * 200, b"", b"SQLite format 3\x00" + b"\xff" * 5000],
    )
    def test_junk_file_is_refused(self, tmp_path: Path, content: bytes) -> None:
        """A non-SQLite or corrupt file is the library's error, never a traceback."""
        path = tmp_path / "junk.db"
        path.write_bytes(content)
        try:
            with SqliteHistory(path) as h:
                # An empty file is an empty database: it becomes a history.
                assert 0 == len(h)
        except HistoryStoreError as exc:
            assert str(path) in str(exc)

    def test_other_database_is_refused(self, tmp_path: Path) -> None:
        """A SQLite database of another application is not taken over."""
        path = tmp_path / "other.db"
        db = sqlite3.connect(path)
        db.execute("CREATE TABLE patients (id TEXT)")
        db.commit()
        db.close()
        with pytest.raises(HistoryStoreError, match="not a claim history"):
            SqliteHistory(path)

    def test_damaged_row_is_refused(self, tmp_path: Path) -> None:
        """A claim row that is not a claim any more is the library's error."""
        path = tmp_path / "h.db"
        with SqliteHistory(path) as h:
            h.add(care("C1", "2024-03-04", 8))
        db = sqlite3.connect(path)
        db.execute("UPDATE claims SET content = '{\"format\": 2}'")
        db.commit()
        db.close()
        with SqliteHistory(path) as h, pytest.raises(HistoryStoreError, match="row 1"):
            h.claims("M100", "2024-03-01", "2024-03-31")

    def test_closed_store(self) -> None:
        """A closed store says so."""
        h = SqliteHistory(":memory:")
        h.close()
        with pytest.raises(HistoryStoreError, match="closed"):
            len(h)

    def test_bad_path(self) -> None:
        """A path that is not one is refused."""
        with pytest.raises(InvalidFieldError):
            SqliteHistory(None)  # type: ignore[arg-type]
        with pytest.raises(HistoryStoreError):
            SqliteHistory("/nonexistent-dir/x/h.db")

    def test_conflict_rolls_back_the_batch(self, tmp_path: Path) -> None:
        """add_many stores all or none: a conflict leaves the store as it was."""
        with SqliteHistory(tmp_path / "h.db") as h:
            h.add(care("C1", "2024-03-04", 8))
            with pytest.raises(HistoryConflictError):
                h.add_many([care("C2", "2024-03-05", 8), care("C1", "2024-03-04", 9)])
            assert 1 == len(h)

    def test_pickles_by_path(self, tmp_path: Path) -> None:
        """A file store pickles as its path (a worker opens the same file)."""
        with SqliteHistory(tmp_path / "h.db") as h:
            h.add(care("C1", "2024-03-04", 8))
            again = pickle.loads(pickle.dumps(h))
            assert 1 == len(again)
            again.close()
        with pytest.raises(TypeError):
            pickle.dumps(SqliteHistory(":memory:"))

    def test_errors_pickle(self) -> None:
        """The history errors pickle with their data."""
        for exc in (HistoryStoreError("p", "r"), HistoryConflictError("k", "r")):
            again = pickle.loads(pickle.dumps(exc))
            assert (type(exc), str(exc)) == (type(again), str(again))
            assert isinstance(again, HcpcsError)


_WRITER = textwrap.dedent(
    """
    import sys
    from hcpcs_home import Claim, ClaimLine, payers
    from hcpcs_home.history import SqliteHistory

    path, prefix, count = sys.argv[1], sys.argv[2], int(sys.argv[3])
    h = SqliteHistory(path)
    for n in range(count):
        h.add(Claim(payers.NORTH_DAKOTA_MEDICAID, "2024-03-04", "2024-03-04",
                    id=f"{prefix}{n}", patient_id=f"M{n % 50}",
                    lines=[ClaimLine("T1019", "2024-03-04", 4)]))
        print(n, flush=True)
    """
)


class TestDurability:
    def test_killed_writer_loses_no_committed_claim(self, tmp_path: Path) -> None:
        """A process killed while it adds claims leaves the store readable with every
        claim it committed."""
        path = tmp_path / "h.db"
        SqliteHistory(path).close()
        proc = subprocess.Popen(
            [sys.executable, "-c", _WRITER, str(path), "K", "100000"],
            stdout=subprocess.PIPE,
            text=True,
        )
        assert proc.stdout is not None
        committed = -1
        for line in proc.stdout:
            committed = int(line)
            if committed >= 200:
                break
        proc.send_signal(signal.SIGKILL)
        proc.wait()
        with SqliteHistory(path) as h:
            stored = set(h.keys())
            assert committed + 1 <= len(stored)
            for n in range(committed + 1):  # every add that returned is there
                assert f"nd-medicaid|M{n % 50}||2024-03-04|K{n}" in stored
            assert len(stored) == len(h)

    def test_two_writers_keep_both_sets(self, tmp_path: Path) -> None:
        """Two processes adding at once leave both sets of claims."""
        path = tmp_path / "h.db"
        SqliteHistory(path).close()
        procs = [
            subprocess.Popen(
                [sys.executable, "-c", _WRITER, str(path), prefix, "150"],
                stdout=subprocess.DEVNULL,
            )
            for prefix in ("A", "B")
        ]
        assert [0, 0] == [p.wait(timeout=120) for p in procs]
        with SqliteHistory(path) as h:
            keys = set(h.keys())
        assert 300 == len(keys)
        assert {f"A{n}" for n in range(150)} | {f"B{n}" for n in range(150)} == {
            k.rsplit("|", 1)[1] for k in keys
        }


class TestBatchAgainstWholeBatch:
    """check_many(batch=True) finds what the whole-batch computations find (the same
    findings it gave when it scanned the batch per claim)."""

    def test_same_as_whole_batch(self) -> None:
        """Authorization and worker-overlap findings are those of authorization_usage and
        worker_overlaps over the whole batch."""
        from test_dask_history import generated

        from hcpcs_home.evv import worker_overlaps
        from hcpcs_home.limits import authorization_usage

        history, _ = generated(300)
        reports = list(check_many(history, batch=True))
        usage = authorization_usage(history)
        overlaps = {(o.claim, o.visit) for o in worker_overlaps(history)}
        expected_auth = {key for key, problems in usage.items() if problems}
        expected_overlap = {
            (n, i)
            for n, c in enumerate(history)
            for i, line in enumerate(c.lines)
            if any((n, sid) in overlaps for sid in line.service_ids)
        }
        found_auth = {
            (n, f.line)
            for n, r in enumerate(reports)
            for f in r
            if f.rule_id == "authorization-exceeded"
        }
        found_overlap = {
            (n, f.line) for n, r in enumerate(reports) for f in r if f.rule_id == "worker-overlap"
        }
        assert expected_auth and expected_overlap  # the test can fail
        assert (expected_auth, expected_overlap) == (found_auth, found_overlap)


class TestRows:
    """A SqliteHistory row reads back as the claim that was written, field for field."""

    @settings(suppress_health_check=[HealthCheck.too_slow])
    @given(hst.claims())
    def test_row_round_trip(self, claim: Claim) -> None:
        """decode(encode(claim)) == claim for any claim (the fast reader or the checked one)."""
        from hcpcs_home.history._rows import decode, encode

        assert claim == decode(encode(claim))

    @pytest.mark.parametrize("text", ["[]", "{}", '{"payer": "medicare"}', '{"payer": 7}', "nul"])
    def test_bad_rows(self, text: str) -> None:
        """A row that is not a claim this library wrote raises ValueError."""
        from hcpcs_home.history._rows import decode

        with pytest.raises(ValueError):
            decode(text)


def test_batch_keeps_no_tracked_object_per_claim_and_worker() -> None:
    """A batch's worker index holds plain tuples of positions and dates, which the garbage
    collector stops tracking: a batch of thousands of claims keeps none for a full
    collection to walk (it kept a tuple and a frozenset per claim and worker)."""
    import gc

    from hcpcs_home import Service

    claims = [
        care(
            f"C{n}",
            f"2024-03-{n + 4:02d}",
            8,
            services=[
                Service.from_times(
                    "T1019", f"2024-03-{n + 4:02d}", "08:00", "10:00", rendering_id="W7"
                )
            ],
        )
        for n in range(3)
    ]
    held = MemoryHistory._of_batch(claims)
    entries = [entry for rows in held._by_worker.values() for entry in rows]
    assert len(entries) == 3
    gc.collect()
    gc.collect()
    assert not any(gc.is_tracked(entry) for entry in entries)
    assert [c.id for c in held.claims_by_worker("W7", "2024-03-05", "2024-03-05")] == ["C1"]
