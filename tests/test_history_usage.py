"""A SqliteHistory keeps what authorization usage counts of each claim (schema version 4
usage rows), so a check sums a member's earlier claims without reading them whole, and
finds exactly what it finds against the whole claims."""

from __future__ import annotations

import datetime as dt
import random
import sqlite3
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, payers
from hcpcs_home import strategies as hst
from hcpcs_home.history import SCHEMA_VERSION, MemoryHistory, SqliteHistory, claim_key
from hcpcs_home.limits import _usage_of, _UsageFold

ND = payers.NORTH_DAKOTA_MEDICAID


def auth(number: str, *, basis: str = "hours", used: int = 0, **caps: Any) -> Authorization:
    return Authorization(
        number, "nd-medicaid", ["T1019"], 60, basis, "2024-01-01", "2024-12-31", used=used, **caps
    )


def claim(
    claim_id: str,
    member: str,
    days: list[int],
    numbers: list[str],
    *,
    auths: list[Authorization] | None = None,
    units: int = 16,
    payer: Any = ND,
    span: int = 0,
) -> Claim:
    """Personal care on ``days`` of March 2024, each line naming ``numbers`` through its
    services (a line naming two numbers has two services)."""
    services = []
    lines = []
    for d in days:
        day = dt.date(2024, 3, d)
        ids = []
        for k, number in enumerate(numbers):
            s = Service.from_times(
                "T1019",
                day,
                f"{8 + 2 * k:02d}:00",
                f"{9 + 2 * k:02d}:00",
                credential="PCA",
                rendering_id=f"W{d % 3}",
                prior_auth=number,
                id=f"{claim_id}-{d}-{k}",
            )
            services.append(s)
            ids.append(s.id)
        through = day + dt.timedelta(days=span) if span else None
        lines.append(ClaimLine("T1019", day, units, service_ids=ids, through=through))
    return Claim(
        payer,
        dt.date(2024, 3, min(days)),
        dt.date(2024, 3, max(days) + span),
        id=claim_id,
        patient_id=member,
        authorizations=auths if auths is not None else [auth(n, per_week=20) for n in numbers],
        lines=lines,
        services=services,
    )


def findings(report: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (-1 if f.line is None else f.line, f.rule_id, f.message, f.suggestion, f.fix)
        for f in report
    )


def both(stored: list[Claim], tmp_path: Path) -> tuple[MemoryHistory, SqliteHistory]:
    memory = MemoryHistory(stored)
    sqlite = SqliteHistory(tmp_path / "h.db")
    sqlite.add_many(stored)
    return memory, sqlite


class TestSameFindings:
    """Checking against usage rows finds what checking against the whole claims finds."""

    def test_two_numbers_and_claims_in_two_groups(self, tmp_path: Path) -> None:
        """Claims carrying two authorization numbers count once, where they first come
        (number by number, in the order added), as claims_by_authorization gives them."""
        stored = [
            claim("A", "M1", [4, 5], ["PA-2"], auths=[auth("PA-2", used=10, per_week=20)]),
            claim("B", "M1", [5, 6], ["PA-1", "PA-2"]),
            claim("C", "M2", [6], ["PA-1"], auths=[auth("PA-1", used=30, per_day=3)]),
            claim("D", "M1", [7], ["PA-2"], auths=[auth("PA-2", basis="days", per_week=2)]),
        ]
        memory, sqlite = both(stored, tmp_path)
        new = [
            claim("N1", "M1", [7, 8], ["PA-1", "PA-2"]),
            claim("N2", "M3", [6], ["PA-2"], auths=[auth("PA-2", basis="days", per_week=2)]),
            claim("N3", "M1", [9], ["PA-1"], span=2, units=8),
            stored[1],  # a stored claim checked again: itself, counted once
        ]
        seen = set()
        for c in new:
            expected = findings(check(c, history=memory))
            assert expected == findings(check(c, history=sqlite))
            seen.update(f[1] for f in expected)
        assert "authorization-exceeded" in seen  # the test can fail

    def test_payer_that_is_not_a_profile(self, tmp_path: Path) -> None:
        """A claim whose payer is not a shipped profile has no usage rows: it is read whole,
        with the same findings."""
        other = attrs.evolve(ND, name="North Dakota (contract)")
        stored = [claim("A", "M1", [4, 5], ["PA-1"], payer=other, units=40)]
        memory, sqlite = both(stored, tmp_path)
        rows = sqlite._conn.execute("SELECT usage FROM claims").fetchall()
        assert [(0,)] == rows
        new = claim("N", "M1", [6], ["PA-1"], payer=other, units=40)
        expected = findings(check(new, history=memory))
        assert "authorization-exceeded" in {f[1] for f in expected}
        assert expected == findings(check(new, history=sqlite))

    def test_generated_weeks(self, tmp_path: Path) -> None:
        """The generated members' weeks (shared workers, caps passed) check alike."""
        from test_dask_history import generated

        stored, new = generated(600)
        memory, sqlite = both(stored, tmp_path)
        for c in new:
            assert findings(check(c, history=memory)) == findings(check(c, history=sqlite))

    @settings(max_examples=30, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(st.lists(hst.claims(payer=st.just(ND)), min_size=1, max_size=4))
    def test_any_claims(self, claims: list[Claim]) -> None:
        """Any claims: the usage counted from rows is the usage counted from the claims,
        the checked claim's stored copy (with a number or without: keyed by its digest)
        left out."""
        stored = list({claim_key(c): c for c in claims}.values())
        outside = Claim(ND, "2024-01-01", "2024-01-01", id="NOT-STORED", patient_id="M~")
        with SqliteHistory(":memory:") as sqlite:
            sqlite.add_many(stored)
            numbers = {a.number for c in stored for a in c.authorizations}
            for own in (outside, stored[0], stored[-1]):
                from_rows = _UsageFold()
                sqlite._count_usage(numbers, from_rows, own)
                from_claims = _UsageFold()
                seen: set[str] = {claim_key(own)}
                for number in sorted(numbers):
                    for c in sqlite.claims_by_authorization(number):
                        if claim_key(c) not in seen:
                            seen.add(claim_key(c))
                            from_claims.count(_usage_of(c))
                assert from_claims.used == from_rows.used
                assert from_claims.periods == from_rows.periods
                assert dict(from_claims.days) == {k: v for k, v in from_rows.days.items() if v}

    @pytest.mark.parametrize("basis", ["hours", "days", "units"])
    def test_merged_rows_count_as_lines(self, tmp_path: Path, basis: str) -> None:
        """Schema version 6 writes a row per run of a claim's lines differing only in
        their day: the usage counted from those rows is the usage counted from the claims,
        for each basis, with runs broken by another code, other units, a line of two
        numbers and a service on another day."""
        caps = {"per_week": 3, "per_day": 1} if basis == "days" else {"per_week": 20}
        auths = [auth("PA-1", basis=basis, **caps), auth("PA-2", basis=basis, **caps)]
        stored = [
            claim("A", "M1", [4, 5, 6, 7], ["PA-1"], auths=auths[:1], units=24),
            claim("B", "M1", [8, 11], ["PA-1", "PA-2"], auths=auths),
            claim("C", "M1", [12, 13, 14], ["PA-1"], auths=auths[:1], units=8),
        ]
        c = stored[2]  # its second line served the day before: not merged
        moved = attrs.evolve(c.services[1], date=dt.date(2024, 3, 12))
        stored[2] = attrs.evolve(c, services=[c.services[0], moved, c.services[2]])
        memory, sqlite = both(stored, tmp_path)
        rows = sqlite._conn.execute("SELECT seq, line, more FROM claim_usage ORDER BY seq, line")
        more = [m for *_, m in rows]
        assert 4 == sum(1 + len(m.split(",")) for m in more if m)  # A's 4 lines in one row
        from_rows = _UsageFold()
        sqlite._count_usage({"PA-1", "PA-2"}, from_rows, claim("N", "M9", [1], ["PA-9"]))
        from_claims = _UsageFold()
        for c in stored:
            from_claims.count(_usage_of(c))
        assert from_claims.used == from_rows.used
        assert from_claims.periods == from_rows.periods
        assert dict(from_claims.days) == {k: v for k, v in from_rows.days.items() if v}
        new = claim("N", "M1", [15], ["PA-1", "PA-2"], auths=auths)
        expected = findings(check(new, history=memory))
        assert expected == findings(check(new, history=sqlite))

    def test_stored_claim_without_number_checked_again(self, tmp_path: Path) -> None:
        """A stored claim without a claim number, checked again, is left out of its own
        usage (found by its digest), as against whole claims."""
        stored = [
            attrs.evolve(claim("A", "M1", [4, 5], ["PA-1"], units=32), id=""),
            claim("B", "M1", [6], ["PA-1"], units=16),
        ]
        memory, sqlite = both(stored, tmp_path)
        for c in (stored[0], attrs.evolve(stored[0], lines=stored[0].lines[:1])):
            expected = findings(check(c, history=memory))
            assert expected == findings(check(c, history=sqlite))
        doubled = findings(check(attrs.evolve(stored[1], id="C"), history=sqlite))
        assert "authorization-exceeded" in {f[1] for f in doubled}  # the test can fail
        assert "authorization-exceeded" not in {f[1] for f in findings(check(stored[0]))}


class TestNotReadWhole:
    def test_earlier_weeks_are_not_decoded(self, tmp_path: Path) -> None:
        """A check whose earlier claims share only its authorization reads their usage
        rows, never the claims themselves."""
        store = SqliteHistory(tmp_path / "h.db")
        store.add_many([claim(f"W{d}", "M1", [d], ["PA-1"], units=40) for d in (4, 5)])
        store = SqliteHistory(store.path)  # nothing decoded yet
        report = check(claim("N", "M1", [6], ["PA-1"], units=40), history=store)
        assert "authorization-exceeded" in {f.rule_id for f in report}
        assert 0 == len(store._cache)

    def test_damaged_usage_row(self, tmp_path: Path) -> None:
        """A usage row that is not one is the library's error, named in the finding."""
        messages = damaged_messages(tmp_path, "UPDATE claim_usage SET day = 'x'")
        assert messages and all("usage rows of claim row 1" in m for m in messages)


class TestCountedAuthorization:
    @settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hst.claims())
    def test_counted_part_is_the_authorization_s(self, claim: Claim) -> None:
        """What a usage row's authorization text gives to counting is the authorization's
        own number, payer, basis, minutes per unit, units used and caps."""
        from hcpcs_home.history._rows import (
            counted_authorization,
            counted_from_text,
            counted_text,
            encode_usage,
        )

        rows = encode_usage(claim) or []
        firsts = {a.number: a for a in reversed(claim.authorizations)}
        for _line, _position, number, text, *_rest in rows:
            counted = counted_authorization(text)
            auth = firsts[number]
            assert all(getattr(auth, f) == getattr(counted, f) for f in counted._fields)
            # and as version 6 keeps it beside the text: the same values, of the same types
            again = counted_from_text(counted_text(counted))
            assert counted == again
            assert [type(v) for v in counted] == [type(v) for v in again]

    @pytest.mark.parametrize(
        "counted",
        ["'[1]'", "'{}'", '\'["PA-1","nd-medicaid","weeks",null,0,null,null,null]\'', "NULL"],
    )
    def test_damaged_authorization_text(self, tmp_path: Path, counted: str) -> None:
        """The counted part of a usage row's authorization (what a check reads of it,
        schema version 6) that is not one is the library's error."""
        damage = f"UPDATE usage_authorizations SET counted = {counted}"
        messages = damaged_messages(tmp_path, damage)
        assert messages and all("usage rows of claim row 1" in m for m in messages)


def damaged_messages(tmp_path: Path, damage: str) -> list[str]:
    """The ``authorization-exceeded`` messages of a check against a one-claim store that
    the SQL statement ``damage`` has damaged behind the library's back."""
    path = tmp_path / "h.db"
    with SqliteHistory(path) as store:
        store.add(claim("A", "M1", [4], ["PA-1"]))
    db = sqlite3.connect(path)
    db.execute(damage)
    db.commit()
    db.close()
    with SqliteHistory(path) as store:
        report = check(claim("N", "M1", [6], ["PA-1"]), history=store)
    return [f.message for f in report if f.rule_id == "authorization-exceeded"]


def write_old_store(path: Path, claims: list[Claim], version: int) -> None:
    """A store as schema version 2, 3 or 4 wrote it: claims (under a provider from version
    3), their authorization and worker index rows, and (version 4) their usage rows
    keyed by claim (the builder of the migration fixture; no binary file kept)."""
    from hcpcs_home.history._records import workers_of
    from hcpcs_home.history._rows import encode
    from hcpcs_home.history._schema import APPLICATION_ID, MIGRATIONS, write_usage

    db = sqlite3.connect(path, isolation_level=None)
    for step in MIGRATIONS[:version]:
        step(db, lambda seq, content: None)
    for c in claims:
        cur = db.execute(
            "INSERT INTO claims (key, beneficiary, statement_from, statement_through, content) "
            "VALUES (?, ?, ?, ?, ?)",
            (
                claim_key(c),
                c.patient_id,
                c.statement_from.isoformat(),
                c.statement_through.isoformat(),
                encode(c),
            ),
        )
        if version >= 3:
            db.execute("UPDATE claims SET provider = '341234' WHERE seq = ?", (cur.lastrowid,))
        seq = cur.lastrowid
        for number in {a.number for a in c.authorizations}:
            db.execute("INSERT INTO claim_authorizations VALUES (?, ?)", (number, seq))
        for worker, days in workers_of(c).items():
            for day in days:
                db.execute(
                    "INSERT OR IGNORE INTO claim_workers VALUES (?, ?, ?)",
                    (worker, day.isoformat(), seq),
                )
        if version >= 4:  # version 4's usage rows, keyed by claim (flagged on claims only)
            write_usage(db, seq, c)
    db.execute(f"PRAGMA application_id = {APPLICATION_ID}")
    db.execute(f"PRAGMA user_version = {version}")
    db.close()


class TestMigration:
    @pytest.mark.parametrize("version", [2, 3, 4])
    def test_older_store_gets_usage_rows(self, tmp_path: Path, version: int) -> None:
        """A version-2, 3 or 4 store is migrated: each claim carrying an authorization has
        its usage rows (version 4's kept, by number first) and its authorization index
        rows say so, and checks find what they find against a new store."""
        rng = random.Random(3)
        stored = [
            claim(f"C{n}", f"M{n % 3}", sorted(rng.sample(range(4, 20), 3)), ["PA-1"])
            for n in range(12)
        ]
        # and a claim of a payer that is not a shipped profile: no usage rows, read whole
        other = attrs.evolve(ND, name="North Dakota (contract)")
        stored.append(claim("X", "M1", [19], ["PA-1"], payer=other))
        old = tmp_path / "old.db"
        write_old_store(old, stored, version)
        with SqliteHistory(old) as migrated, SqliteHistory(tmp_path / "new.db") as fresh:
            fresh.add_many(stored)
            assert SCHEMA_VERSION == migrated.schema_version
            rows = (
                "SELECT seq, line, number, code, units, day, more FROM claim_usage "
                "ORDER BY seq, line"
            )
            assert fresh._conn.execute(rows).fetchall() == migrated._conn.execute(rows).fetchall()
            # 36 lines, a claim's three (same code and units, a day each) in one row
            found = migrated._conn.execute(rows).fetchall()
            assert 12 == len(found)
            assert 36 == sum(1 + len(more.split(",")) for *_, more in found if more)
            texts = "SELECT content, counted FROM usage_authorizations ORDER BY content"
            assert fresh._conn.execute(texts).fetchall() == migrated._conn.execute(texts).fetchall()
            assert all(counted for _, counted in migrated._conn.execute(texts))
            flags = "SELECT number, seq, usage FROM claim_authorizations ORDER BY number, seq"
            assert fresh._conn.execute(flags).fetchall() == migrated._conn.execute(flags).fetchall()
            assert [1] * 12 + [0] == [r[2] for r in migrated._conn.execute(flags)]
            new = claim("N", "M1", [20, 21], ["PA-1"])
            assert findings(check(new, history=fresh)) == findings(check(new, history=migrated))
            assert "authorization-exceeded" in {f.rule_id for f in check(new, history=migrated)}


class TestQueries:
    def test_usage_and_beneficiary_queries_read_no_claim_row(self, tmp_path: Path) -> None:
        """Schema version 5: the usage query reads the authorization index and the usage
        rows (the checked claim found by the key index), never a claim's row; the query
        by beneficiary and dates filters on the index before reading a row."""
        with SqliteHistory(tmp_path / "h.db") as store:
            store.add_many([claim(f"W{d}", "M1", [d], ["PA-1"], units=40) for d in (4, 5)])
            statements: list[str] = []
            store._conn.set_trace_callback(statements.append)
            report = check(claim("N", "M1", [6], ["PA-1"], units=40), history=store)
            store._conn.set_trace_callback(None)
            assert "authorization-exceeded" in {f.rule_id for f in report}
            usage = [s for s in statements if "claim_usage" in s]
            assert 1 == len(usage)
            plan = [r[-1] for r in store._conn.execute("EXPLAIN QUERY PLAN " + usage[0])]
            assert any("claims USING COVERING INDEX" in step for step in plan), plan
            assert not any("SEARCH c " in step or "SCAN" in step for step in plan), plan
            plan = [
                r[-1]
                for r in store._conn.execute(
                    "EXPLAIN QUERY PLAN SELECT seq, content FROM claims WHERE beneficiary = 'M1' "
                    "AND statement_from <= '2024-03-06' AND statement_through >= '2024-03-06'"
                )
            ]
            assert [
                "SEARCH claims USING INDEX claims_by_beneficiary (beneficiary=? AND "
                "statement_from<?)"
            ] == plan
            info = store._conn.execute("PRAGMA index_info(claims_by_beneficiary)")
            columns = [r[2] for r in info]
            assert ["beneficiary", "statement_from", "statement_through"] == columns
