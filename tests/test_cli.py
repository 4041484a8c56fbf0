"""Tests for the hcpcs-home command line."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

import pytest

from hcpcs_home.cli import main

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def run(*args: str) -> tuple[int, str]:
    out = io.StringIO()
    status = main(list(args), stdout=out)
    return status, out.getvalue()


class TestCheck:
    def test_clean_example_exits_zero(self) -> None:
        """The README's example claim checks clean and exits 0."""
        status, text = run("check", str(EXAMPLES / "claim.json"))
        assert (0, True) == (status, "0 error(s)" in text)

    def test_problem_claims_exit_one(self) -> None:
        """Claims with error findings make the command exit 1 and print each rule id."""
        status, text = run("check", str(EXAMPLES / "claims.jsonl"))
        assert 1 == status
        for rule in (
            "payer-code-not-accepted",
            "credential-mismatch",
            "units-mismatch",
            "authorization-exceeded",
            "cannot read claim",
        ):
            assert rule in text

    def test_json_output(self) -> None:
        """--json prints one object per claim with its findings' data."""
        _, text = run("check", "--json", str(EXAMPLES / "claims.jsonl"))
        rows = [json.loads(line) for line in text.splitlines()]
        assert [False, False, False] == [r["ok"] for r in rows[:3]]
        assert "G0300" == rows[0]["findings"][0]["fix"]["code"]
        assert "error" in rows[3]

    def test_custom_rule_set(self, tmp_path: Path) -> None:
        """--rules uses a saved rule set instead of the default."""
        from hcpcs_home.rules import DEFAULT_RULES

        saved = tmp_path / "rules.json"
        saved.write_text(DEFAULT_RULES.remove("credential-mismatch").to_json(), "utf-8")
        _, text = run("check", "--rules", str(saved), str(EXAMPLES / "claims.jsonl"))
        assert "credential-mismatch" not in text

    def test_unreadable_file(self, tmp_path: Path) -> None:
        """A missing or malformed file is reported and makes the exit status non-zero."""
        bad = tmp_path / "bad.json"
        bad.write_text("{", "utf-8")
        status, text = run("check", str(bad), str(tmp_path / "missing.json"))
        assert (1, 2) == (status, text.count("cannot read claim"))


class TestOtherCommands:
    def test_units_with_payer_policy(self) -> None:
        """units uses a payer profile's unit policy (Texas tenths of an hour)."""
        assert (0, "8.4\n") == run("units", "S9124", "505", "--payer", "tx-medicaid-cshcn")

    def test_lookup_unknown_code(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown code exits 2 with the library's message and a suggestion."""
        assert 2 == run("lookup", "S9130")[0]
        assert "S9130" in capsys.readouterr().err

    def test_lookup_terminated(self) -> None:
        """lookup shows termination and replacement codes."""
        _, text = run("lookup", "G0154")
        assert "terminated 2016-02-29 (use G0299 G0300)" in text

    def test_rules_lists_ids(self) -> None:
        """rules lists every default rule id."""
        from hcpcs_home.rules import DEFAULT_RULES

        _, text = run("rules")
        assert all(r.id in text for r in DEFAULT_RULES)

    def test_python_dash_m(self) -> None:
        """python -m hcpcs_home runs the same command line."""
        done = subprocess.run(
            [sys.executable, "-m", "hcpcs_home", "units", "G0129", "45"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "1\n" == done.stdout
