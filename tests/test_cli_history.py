"""The command line's claim history: ``history init``, ``history add`` and
``check --history [--record]``."""

from __future__ import annotations

import io
import json
from pathlib import Path

import pytest

from hcpcs_home import Authorization, Claim, ClaimLine, payers
from hcpcs_home.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, main
from hcpcs_home.history import SqliteHistory
from hcpcs_home.serialize import claim_to_json

AUTH = Authorization(
    "PA-9", "nd-medicaid", ["T1019"], 400, "hours", "2024-03-01", "2024-03-31", per_week=40
)


def care(claim_id: str, day: str, units: int) -> Claim:
    return Claim(
        payers.NORTH_DAKOTA_MEDICAID,
        day,
        day,
        id=claim_id,
        patient_id="M100",
        authorizations=[AUTH],
        lines=[ClaimLine("T1019", day, units, prior_auth="PA-9")],
    )


def run(*argv: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    code = main(list(argv), out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def jsonl(path: Path, *claims: Claim) -> Path:
    path.write_text("".join(claim_to_json(c, indent=None) + "\n" for c in claims), "utf-8")
    return path


class TestHistoryInit:
    def test_init_creates_a_store(self, tmp_path: Path) -> None:
        """history init creates an empty store and says so."""
        db = tmp_path / "h.db"
        code, out, _ = run("history", "init", str(db))
        assert EXIT_OK == code
        assert "schema version" in out and "0 claim(s)" in out
        assert 0 == len(SqliteHistory(db))

    def test_init_refuses_another_file(self, tmp_path: Path) -> None:
        """A file that is not a claim history is a usage error, with the library's message."""
        db = tmp_path / "notes.db"
        db.write_bytes(b"just some notes" * 100)
        code, _, err = run("history", "init", str(db))
        assert EXIT_USAGE == code
        assert "not a database" in err


class TestHistoryAdd:
    def test_records_in_are_records_stored(self, tmp_path: Path) -> None:
        """Every record read is stored; adding the file again stores nothing new."""
        db = tmp_path / "h.db"
        run("history", "init", str(db))
        claims = jsonl(
            tmp_path / "c.jsonl", care("C1", "2024-03-04", 8), care("C2", "2024-03-05", 8)
        )
        code, _, err = run("history", "add", str(db), str(claims))
        assert (EXIT_OK, "2 record(s) read: 2 stored, 0 already stored, 0 refused") == (
            code,
            err.strip().removeprefix("hcpcs-home: "),
        )
        code, _, err = run("history", "add", str(db), str(claims))
        assert EXIT_OK == code and "0 stored, 2 already stored" in err
        assert 2 == len(SqliteHistory(db))

    def test_provider_is_recorded(self, tmp_path: Path) -> None:
        """--provider stores the file's claims under that billing provider; a blank one is
        a usage error that stores nothing."""
        db = tmp_path / "h.db"
        run("history", "init", str(db))
        claims = jsonl(tmp_path / "c.jsonl", care("C1", "2024-03-04", 8))
        code, _, err = run("history", "add", str(db), str(claims), "--provider", " ")
        assert EXIT_USAGE == code and "provider" in err
        assert 0 == len(SqliteHistory(db))
        code, _, _ = run("history", "add", str(db), str(claims), "--provider", "341234")
        assert EXIT_OK == code
        with SqliteHistory(db) as store:
            assert ["C1"] == [
                c.id for c in store.claims_by_provider("341234", "2024-03-01", "2024-03-31")
            ]

    def test_each_refused_record_is_named(self, tmp_path: Path) -> None:
        """An unreadable record and a changed claim are each named; the rest is stored."""
        db = tmp_path / "h.db"
        run("history", "init", str(db))
        run(
            "history", "add", str(db), str(jsonl(tmp_path / "a.jsonl", care("C1", "2024-03-04", 8)))
        )
        path = tmp_path / "b.jsonl"
        path.write_text(
            claim_to_json(care("C1", "2024-03-04", 9), indent=None)
            + "\n{not json\n"
            + claim_to_json(care("C3", "2024-03-06", 8), indent=None)
            + "\n",
            "utf-8",
        )
        code, out, err = run("history", "add", str(db), str(path))
        assert EXIT_ERRORS == code
        assert [f"{path}:1", f"{path}:2"] == [
            ln.split(": not stored")[0] for ln in out.splitlines()
        ]
        assert "different content" in out
        assert "3 record(s) read: 1 stored, 0 already stored, 2 refused" in err
        assert 2 == len(SqliteHistory(db))

    def test_add_needs_a_store(self, tmp_path: Path) -> None:
        """Adding to a store that does not exist is a usage error."""
        claims = jsonl(tmp_path / "c.jsonl", care("C1", "2024-03-04", 8))
        code, _, err = run("history", "add", str(tmp_path / "none.db"), str(claims))
        assert EXIT_USAGE == code and "history init" in err


class TestCheckWithHistory:
    def test_check_against_history_without_writing(self, tmp_path: Path) -> None:
        """check --history finds what the history shows and leaves the store unchanged."""
        db = tmp_path / "h.db"
        run("history", "init", str(db))
        run(
            "history",
            "add",
            str(db),
            str(jsonl(tmp_path / "a.jsonl", care("C1", "2024-03-04", 120))),
        )
        new = jsonl(tmp_path / "b.jsonl", care("C2", "2024-03-05", 50))
        code, out, _ = run("check", "--json", "--history", str(db), str(new))
        rules = [f["rule_id"] for f in json.loads(out)["findings"]]
        assert EXIT_ERRORS == code and "authorization-exceeded" in rules
        assert 1 == len(SqliteHistory(db))
        code, out, _ = run("check", "--json", str(new))
        assert "authorization-exceeded" not in [f["rule_id"] for f in json.loads(out)["findings"]]

    @pytest.mark.parametrize("batch", [[], ["--batch"]])
    def test_record_adds_checked_claims(self, tmp_path: Path, batch: list[str]) -> None:
        """With --record each checked claim is stored, and later claims count it."""
        db = tmp_path / "h.db"
        run("history", "init", str(db))
        new = jsonl(
            tmp_path / "b.jsonl", care("C1", "2024-03-04", 120), care("C2", "2024-03-05", 50)
        )
        code, out, _ = run("check", "--json", "--history", str(db), "--record", *batch, str(new))
        assert EXIT_ERRORS == code
        reports = [json.loads(line) for line in out.splitlines()]
        assert [False, True] == [
            "authorization-exceeded" in [f["rule_id"] for f in r["findings"]] for r in reports
        ]
        assert 2 == len(SqliteHistory(db))

    def test_record_needs_history(self, tmp_path: Path) -> None:
        """--record without --history is a usage error."""
        new = jsonl(tmp_path / "b.jsonl", care("C2", "2024-03-05", 50))
        assert EXIT_USAGE == run("check", "--record", str(new))[0]

    def test_missing_history_is_a_usage_error(self, tmp_path: Path) -> None:
        """A --history file that does not exist is a usage error, not a new store."""
        new = jsonl(tmp_path / "b.jsonl", care("C2", "2024-03-05", 50))
        code, _, err = run("check", "--history", str(tmp_path / "none.db"), str(new))
        assert EXIT_USAGE == code and "history init" in err
        assert not (tmp_path / "none.db").exists()
