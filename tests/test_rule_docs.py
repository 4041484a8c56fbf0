"""The rule reference is written from the rules, so it documents exactly the default rules.

Rule ids are what billing teams search the documentation for, so every id in
:data:`~hcpcs_home.rules.DEFAULT_RULES` has an entry, in rule order, stating
the rule's severity, source and predicate as the code has them.  A rule added
to one family module shows up in :func:`~hcpcs_home.policy.check`, in the
reference and in ``hcpcs-home rules`` with no other file touched.
"""

from __future__ import annotations

import re
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

import hcpcs_home
from hcpcs_home.policy import Rule
from hcpcs_home.rules import DEFAULT_RULES, FAMILIES, reference

_TERM = re.compile(r"^``([a-z0-9-]+)``$", re.MULTILINE)
DOCS = Path(__file__).resolve().parents[1] / "docs"


def entries() -> dict[str, str]:
    """Each reference entry's text, by the rule id that heads it."""
    text = reference()
    heads = list(_TERM.finditer(text))
    bounds = [m.start() for m in heads[1:]] + [len(text)]
    return {m.group(1): text[m.end() : stop] for m, stop in zip(heads, bounds, strict=True)}


def field(entry: str, name: str) -> str:
    """The value of a ``:Name:`` field of an entry."""
    found = re.search(rf"^   :{name}: (.*)$", entry, re.MULTILINE)
    assert found is not None, name
    return found.group(1)


class TestRuleReference:
    def test_entries_are_the_rules_in_order(self) -> None:
        """The reference lists every default rule once, in the order they run."""
        assert [r.id for r in DEFAULT_RULES] == list(entries())

    @pytest.mark.parametrize("rule", list(DEFAULT_RULES), ids=lambda r: r.id)
    def test_entry_matches_the_rule(self, rule: Rule) -> None:
        """An entry states its rule's severity, source and predicate as the code does."""
        entry = entries()[rule.id]
        assert f"**{rule.severity.value}**" == entry.split()[0]
        assert " ".join(rule.source.split()) == field(entry, "Source")
        assert f"``{rule.when}``" == field(entry, "Predicate")

    @pytest.mark.parametrize("rule", list(DEFAULT_RULES), ids=lambda r: r.id)
    def test_entry_says_what_and_how(self, rule: Rule) -> None:
        """Every shipped rule says what it checks and how to fix a finding."""
        entry = entries()[rule.id]
        assert rule.description and rule.description.split()[0] in field(entry, "Checks")
        assert rule.advice and rule.advice.split()[0] in field(entry, "Fix")

    def test_every_family_has_a_section(self) -> None:
        """Each family module with rules heads a section naming it."""
        text = reference()
        for module in FAMILIES:
            if module.RULES:
                assert f"(``{module.__name__.rsplit('.', 1)[1]}``)" in text

    def test_the_rules_page_uses_the_generated_reference(self) -> None:
        """docs/rules.rst holds no hand-written rule entries, only the directive."""
        page = (DOCS / "rules.rst").read_text(encoding="utf-8")
        assert ".. rule-reference::" in page
        assert not _TERM.search(page)


class TestOneModulePerRule:
    def test_a_rule_added_to_one_module_appears_everywhere(self, tmp_path: Path) -> None:
        """Appending a rule to rules/time.py alone makes check(), the reference and the
        CLI's rule list show it (in a copy of the package, so nothing here changes)."""
        package = Path(hcpcs_home.__file__).resolve().parent
        shutil.copytree(package, tmp_path / "hcpcs_home", ignore=shutil.ignore_patterns("*.pyc"))
        family = tmp_path / "hcpcs_home" / "rules" / "time.py"
        family.write_text(
            family.read_text(encoding="utf-8")
            + textwrap.dedent(
                """
                RULES = (
                    *RULES,
                    Rule(
                        "long-hour-line",
                        Severity.WARNING,
                        "{units} hours of {code} on one line",
                        "Acme Home Care billing policy 3.1",
                        p("code_unit", units=["hour"]) & p("units_above", limit=16),
                        description="An hourly line bills more than 16 hours.",
                        advice="Split the shift or check the times.",
                    ),
                )
                """
            ),
            encoding="utf-8",
        )
        script = textwrap.dedent(
            """
            import io
            from hcpcs_home import Claim, ClaimLine, check, payers
            from hcpcs_home.cli import main
            from hcpcs_home.rules import reference
            claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31",
                          lines=[ClaimLine("S9123", "2024-03-04", 20, revenue_code="0552")])
            print("check", "long-hour-line" in check(claim).rule_ids())
            print("reference", "``long-hour-line``" in reference())
            out = io.StringIO()
            main(["rules"], stdout=out)
            print("cli", any(l.startswith("long-hour-line ") for l in out.getvalue().splitlines()))
            """
        )
        done = subprocess.run(
            [sys.executable, "-c", script],
            cwd=tmp_path,
            env={"PYTHONPATH": str(tmp_path), "PATH": "/usr/bin:/bin"},
            capture_output=True,
            text=True,
            timeout=300,
        )
        assert "" == done.stderr
        assert ["check True", "reference True", "cli True"] == done.stdout.split("\n")[:3]
