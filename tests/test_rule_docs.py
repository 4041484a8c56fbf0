"""The rule catalog in docs/rules.rst documents exactly the default rules.

Rule ids are what billing teams search the documentation for, so every id in
:data:`~hcpcs_home.rules.DEFAULT_RULES` has an entry, in rule order, and the
entry states the rule's severity, source and predicate as the code has them.
"""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from hcpcs_home.policy import Rule
from hcpcs_home.rules import DEFAULT_RULES

RULES_RST = Path(__file__).resolve().parents[1] / "docs" / "rules.rst"
_TERM = re.compile(r"^``([a-z0-9-]+)``$", re.MULTILINE)


def entries() -> dict[str, str]:
    """Each catalog entry's text, by the rule id that heads it."""
    text = RULES_RST.read_text(encoding="utf-8")
    end = text.index("\nWriting your own rules\n")
    heads = list(_TERM.finditer(text, 0, end))
    bounds = [m.start() for m in heads[1:]] + [end]
    return {m.group(1): text[m.end() : stop] for m, stop in zip(heads, bounds, strict=True)}


def field(entry: str, name: str) -> str:
    """The value of a ``:Name:`` field of an entry, joined onto one line."""
    found = re.search(rf"^   :{name}: (.*?)(?=^   :|\Z)", entry, re.MULTILINE | re.DOTALL)
    assert found is not None, name
    return " ".join(found.group(1).split())


class TestRuleCatalog:
    def test_every_rule_id_is_documented(self) -> None:
        """Each default rule id heads an entry of docs/rules.rst."""
        assert set() == {r.id for r in DEFAULT_RULES} - set(entries())

    def test_no_stale_entries(self) -> None:
        """Every entry names a rule the default set still has."""
        assert set() == set(entries()) - {r.id for r in DEFAULT_RULES}

    def test_entries_follow_rule_order(self) -> None:
        """The catalog lists the rules in the order they run."""
        assert [r.id for r in DEFAULT_RULES] == list(entries())

    @pytest.mark.parametrize("rule", list(DEFAULT_RULES), ids=lambda r: r.id)
    def test_entry_matches_the_rule(self, rule: Rule) -> None:
        """An entry states its rule's severity, source and predicate as the code does."""
        entry = entries()[rule.id]
        assert f"**{rule.severity.value}**" == entry.split()[0]
        assert rule.source == field(entry, "Source")
        assert f"``{rule.when}``" == field(entry, "Predicate")

    @pytest.mark.parametrize("rule", list(DEFAULT_RULES), ids=lambda r: r.id)
    def test_entry_says_what_and_how(self, rule: Rule) -> None:
        """An entry says what its rule checks and how to fix a finding."""
        entry = entries()[rule.id]
        assert "" != field(entry, "Checks")
        assert "" != field(entry, "Fix")
