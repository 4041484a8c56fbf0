"""Tests for :class:`hcpcs_home.policy.TableRule`: one rule per table of code-keyed rows.

What a check finds with a table must be what it finds with the same rows as rules
of their own (each finding carrying its row's id and source), and what a table
costs a plan must not grow with its rows.
"""

from __future__ import annotations

import datetime as dt
import json
import pickle
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, check, load_edits, payers
from hcpcs_home.edits import COLUMNS, rules_from_rows
from hcpcs_home.errors import EditFileError, InvalidFieldError, RuleSetLoadError
from hcpcs_home.policy import Context, Rule, RuleSet, Scope, TableRule
from hcpcs_home.rules import VOCABULARY

p = VOCABULARY.predicate

#: Edit rows of every kind over a few codes: line, day and week caps, modifiers
#: required and forbidden, a pair, dated and payer-scoped rows, two rows of one code.
ROWS = rules_from_rows(
    [
        {"id": "e-line", "codes": "T1019", "max_units_line": "4", "source": "manual 1"},
        {"id": "e-day", "codes": "T1019 S9123", "max_units_day": "6", "source": "manual 2"},
        {"id": "e-u1", "codes": "S9123", "required_modifiers": "U1", "source": "manual 3"},
        {"id": "e-no-ts", "codes": "T1019", "forbidden_modifiers": "TS", "source": "manual 4"},
        {"id": "e-pair", "codes": "S9124", "not_with": "S9123", "source": "manual 5"},
        {
            "id": "e-dated",
            "codes": "T1020",
            "max_units_line": "1",
            "effective_from": "2024-03-10",
            "source": "manual 6",
        },
        {
            "id": "e-medicare",
            "payer": "medicare",
            "codes": "T1019",
            "max_units_line": "1",
            "source": "manual 7",
        },
        {"id": "e-week", "codes": "T1019", "max_units_week": "10", "source": "manual 8"},
    ]
)
CODES = ("T1019", "S9123", "S9124", "T1020", "G0299")


def claim(lines: list[ClaimLine]) -> Claim:
    return Claim(payers.TEXAS_MEDICAID_CSHCN, "2024-03-01", "2024-03-31", lines=lines)


def found(c: Claim, rules: RuleSet) -> list[tuple[int | None, str, str, str]]:
    return [(f.line, f.rule_id, f.source, f.message) for f in check(c, rules)]


LINES = st.builds(
    ClaimLine,
    st.sampled_from(CODES),
    st.dates(dt.date(2024, 3, 1), dt.date(2024, 3, 31)),
    st.integers(1, 9),
    modifiers=st.lists(st.sampled_from(["U1", "TS", "TT"]), max_size=2, unique=True),
)


class TestFindings:
    @given(st.lists(LINES, min_size=1, max_size=12))
    def test_a_table_finds_what_its_rows_find(self, lines: list[ClaimLine]) -> None:
        """On any claim, a table of rows gives the findings of the same rows as rules of
        their own, in the same order, each with its row's id, source and message."""
        c = claim(lines)
        alone = RuleSet(ROWS, vocabulary=VOCABULARY)
        tabled = RuleSet([TableRule("acme", ROWS)], vocabulary=VOCABULARY)
        assert found(c, alone) == found(c, tabled)

    def test_clean_beside_broken(self) -> None:
        """A clean line finds nothing; a broken one finds its row, named and sourced."""
        table = RuleSet([TableRule("acme", ROWS)], vocabulary=VOCABULARY)
        clean = claim([ClaimLine("T1019", "2024-03-04", 4)])
        broken = claim([ClaimLine("T1019", "2024-03-04", 5)])
        assert [] == found(clean, table)
        assert [(0, "e-line", "manual 1")] == [f[:3] for f in found(broken, table)]

    def test_findings_of_several_rows_of_one_code(self) -> None:
        """Every row of the line's code that fires gives its own finding, in row order;
        rows of another payer or dated later stay silent."""
        table = RuleSet([TableRule("acme", ROWS)], vocabulary=VOCABULARY)
        c = claim(
            [
                ClaimLine("T1019", "2024-03-04", 7, modifiers=["TS"]),
                ClaimLine("T1020", "2024-03-09", 2),
                ClaimLine("T1020", "2024-03-10", 2),
            ]
        )
        assert [(0, "e-line"), (0, "e-day"), (0, "e-no-ts"), (2, "e-dated")] == [
            f[:2] for f in found(c, table)
        ]

    def test_evaluate_and_findings(self) -> None:
        """``findings`` gives every firing row's finding; ``evaluate`` the first."""
        table = TableRule("acme", ROWS)
        c = claim([ClaimLine("T1019", "2024-03-04", 7, modifiers=["TS"])])
        ctx = Context.for_line(c, 0)
        assert ["e-line", "e-day", "e-no-ts"] == [f.rule_id for f in table.findings(ctx)]
        first = table.evaluate(ctx)
        assert first is not None and "e-line" == first.rule_id
        assert (
            table.evaluate(Context.for_line(claim([ClaimLine("G0299", "2024-03-04", 1)]), 0))
            is None
        )

    def test_a_row_that_raises_is_its_own_error(self) -> None:
        """A row whose predicate raises is an error finding of that row on the line; the
        other rows of the line still run."""

        def explode() -> object:
            def test(ctx: Context) -> bool:
                raise LookupError("row bug")

            return test

        vocab = VOCABULARY.with_predicate("test_explode", explode)
        bad = Rule(
            "e-bad",
            "warning",
            "{code}",
            "s",
            vocab.predicate("code_in", codes=["T1019"]) & vocab.predicate("test_explode"),
        )
        rules = RuleSet([TableRule("acme", [bad, ROWS[0]])], vocabulary=vocab)
        out = [
            (f.rule_id, f.severity.value, "row bug" in f.message)
            for f in check(claim([ClaimLine("T1019", "2024-03-04", 5)]), rules)
        ]
        assert [("e-bad", "error", True), ("e-line", "error", False)] == out


class TestComposing:
    def test_rows_by_id(self) -> None:
        """A rule set finds a table's rows by id, removes and replaces them."""
        rules = RuleSet([TableRule("acme", ROWS)], vocabulary=VOCABULARY)
        assert ["acme"] == [r.id for r in rules.rules]
        assert "e-pair" in rules and "acme" in rules and "e-nothing" not in rules
        assert rules["e-pair"] is ROWS[4]
        fewer = rules.remove("e-line")
        assert "e-line" not in fewer and len(fewer["acme"].rows) == len(ROWS) - 1
        looser = Rule(
            "e-line",
            "warning",
            "{code}",
            "manual 1b",
            p("code_in", codes=["T1019"]) & p("units_above", limit=40),
        )
        replaced = rules.replace(looser)
        assert replaced["e-line"] is looser
        c = claim([ClaimLine("T1019", "2024-03-04", 5)])
        assert [] == [f for f in check(c, replaced) if f.rule_id == "e-line"]
        with pytest.raises(KeyError):
            rules.remove("e-nothing")

    def test_ids_are_unique_across_tables(self) -> None:
        """A row id used by a rule, a table or another table's row is refused."""
        with pytest.raises(InvalidFieldError, match="used twice"):
            RuleSet([TableRule("a", ROWS[:2]), TableRule("b", ROWS[1:3])])
        with pytest.raises(InvalidFieldError, match="used twice"):
            RuleSet([ROWS[0], TableRule("b", ROWS[:2])])
        with pytest.raises(InvalidFieldError, match="used twice"):
            TableRule("a", [ROWS[0], ROWS[0]])

    def test_rows_must_be_keyed_line_rules(self) -> None:
        """A row that names no code, a claim rule, or a table is refused."""
        anywhere = Rule("e-any", "error", "{code}", "s", p("units_above", limit=4))
        claim_wide = Rule(
            "e-claim", "error", "{claim}", "s", p("code_in", codes=["T1019"]), scope=Scope.CLAIM
        )
        for bad in (anywhere, claim_wide, TableRule("inner", ROWS[:1])):
            with pytest.raises(InvalidFieldError):
                TableRule("acme", [bad])
        with pytest.raises(InvalidFieldError):
            TableRule("acme", "T1019")  # type: ignore[arg-type]

    def test_json_and_pickle(self) -> None:
        """A table saves as one JSON object of its rows and loads equal; it pickles equal;
        both check alike."""
        rules = RuleSet([TableRule("acme", ROWS, source="Acme file")], vocabulary=VOCABULARY)
        data = rules.to_data()["rules"]
        assert ["acme"] == [d["id"] for d in data]
        assert [r.id for r in ROWS] == [d["id"] for d in data[0]["table"]]
        loaded = RuleSet.from_json(rules.to_json(), VOCABULARY)
        assert rules == loaded
        assert rules == pickle.loads(pickle.dumps(rules))
        c = claim(
            [
                ClaimLine("T1019", "2024-03-04", 7),
                ClaimLine("S9124", "2024-03-04", 1),
                ClaimLine("S9123", "2024-03-04", 1),
            ]
        )
        assert found(c, rules) == found(c, loaded) != []

    @pytest.mark.parametrize(
        "table, where",
        [
            ("T1019", "$.rules[0].table"),
            ([{"id": "x", "table": []}], "$.rules[0].table[0]"),
            (
                [
                    {
                        "id": "e-any",
                        "severity": "error",
                        "message": "m",
                        "source": "s",
                        "when": {"name": "units_above", "args": {"limit": 4}},
                    }
                ],
                "$.rules[0]",
            ),
        ],
    )
    def test_bad_table_data(self, table: object, where: str) -> None:
        """A table that is not a list, holds a table, or holds a row keyed by no code is
        refused with the path of the problem."""
        text = json.dumps({"rules": [{"id": "acme", "table": table}]})
        with pytest.raises(RuleSetLoadError) as raised:
            RuleSet.from_json(text, VOCABULARY)
        assert raised.value.path == where


class TestSequenceView:
    """A rule set stores a table as one entry of ``rules`` but lists and counts its
    rows, a rule each, in the table's place (#21: ``[r.id for r in rules]`` and
    ``len(rules)`` mean what they meant before tables)."""

    def test_iterating_gives_rows_in_the_tables_place(self) -> None:
        """Rules before and after a table stay in place; the table's rows come in
        between, in row order; ``len`` counts them; ``rules`` keeps the table."""
        first, last = ROWS[0], ROWS[-1]
        table = TableRule("acme", ROWS[1:-1])
        rules = RuleSet([first, table, last], vocabulary=VOCABULARY)
        assert [r.id for r in ROWS] == [r.id for r in rules]
        assert all(a is b for a, b in zip(ROWS, rules, strict=True))
        assert len(ROWS) == len(rules) == len(list(rules))
        assert ["e-line", "acme", "e-week"] == [r.id for r in rules.rules]
        assert rules.rules[1] is table and rules["acme"] is table
        assert all(rules[r.id] is r and r.id in rules for r in rules)

    def test_an_empty_table_counts_nothing(self) -> None:
        """A table whose every row was removed lists nothing and counts 0, but stays an
        entry of ``rules`` (so it can be replaced or removed by its id)."""
        rules = RuleSet([TableRule("acme", ROWS[:2])]).remove("e-line", "e-day")
        assert ([], 0, ["acme"]) == (list(rules), len(rules), [r.id for r in rules.rules])
        assert 0 == len(RuleSet([TableRule("acme", ROWS[:2])]).remove("acme"))

    @given(st.data())
    def test_the_view_is_the_rules_flattened(self, data: st.DataObject) -> None:
        """For any split of rows into plain rules and tables, iterating gives the rows
        flattened in order, ``len`` their number, each found by id; JSON and pickle
        keep the compact form, equal, and list the same rows."""
        rows = data.draw(st.permutations(ROWS))
        cuts = sorted(data.draw(st.sets(st.integers(0, len(rows)), max_size=4)))
        parts = [rows[a:b] for a, b in zip([0, *cuts], [*cuts, len(rows)], strict=True)]
        as_table = data.draw(st.lists(st.booleans(), min_size=len(parts), max_size=len(parts)))
        stored: list[Rule] = []
        for i, (part, tabled) in enumerate(zip(parts, as_table, strict=True)):
            stored += [TableRule(f"t-{i}", part)] if tabled else part
        rules = RuleSet(stored, vocabulary=VOCABULARY)
        assert [r.id for r in rows] == [r.id for r in rules]
        assert len(rows) == len(rules)
        assert tuple(stored) == rules.rules
        assert all(rules[r.id] is r for r in rows)
        for copy in (
            RuleSet.from_json(rules.to_json(), VOCABULARY),
            pickle.loads(pickle.dumps(rules)),
        ):
            assert copy == rules
            assert [r.id for r in rules.rules] == [r.id for r in copy.rules]
            assert [r.id for r in rows] == [r.id for r in copy]

    def test_the_plan_compiles_the_table_as_one_rule(self) -> None:
        """The compiled checker holds one lookup for the table, not an ``if`` per row,
        however the rule set is iterated."""
        rules = RuleSet([TableRule("acme", ROWS)], vocabulary=VOCABULARY)
        source = rules._plan_source(payers.TEXAS_MEDICAID_CSHCN)
        assert 1 == source.count(".get(_line.code)")
        assert "# acme: a table of 8 rules keyed by code (4 codes)" in source
        assert [] == [r.id for r in ROWS if f"# {r.id}" in source]

    def test_the_rule_reference_lists_each_row(self) -> None:
        """The rule reference the docs are written from has an entry per row."""
        from hcpcs_home.rules._reference import reference_rst

        text = reference_rst(RuleSet([TableRule("acme", ROWS)]))
        assert [f"``{r.id}``" for r in ROWS] == [
            ln for ln in text.splitlines() if ln.startswith("``")
        ]


def edit_file(path: Path, n: int) -> Path:
    lines = [",".join(COLUMNS)]
    for i in range(n):
        cells = {"id": f"row-{i}", "codes": f"Z{i:04d}", "max_units_line": "4", "source": "s"}
        lines.append(",".join(cells.get(c, "") for c in COLUMNS))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


class TestEditFiles:
    def test_an_edit_file_is_one_table(self, tmp_path: Path) -> None:
        """``load_edits`` adds one table named for its file; its findings carry each
        row's id; a second file of the same name gets a table of its own."""
        path = edit_file(tmp_path / "acme_medicaid.csv", 3)
        rules = load_edits(path, base=RuleSet())
        (table,) = rules.rules
        assert isinstance(table, TableRule) and "edits-acme-medicaid" == table.id
        assert ["row-0", "row-1", "row-2"] == [r.id for r in table.rows]
        other = tmp_path / "b"
        other.mkdir()
        again = other / "acme_medicaid.csv"
        again.write_text(",".join(COLUMNS) + "\nrow-9,,Z0009,,,,,4,,,,,,,,,,,s\n", encoding="utf-8")
        both = load_edits(again, base=rules)
        assert ["edits-acme-medicaid", "edits-acme-medicaid-2"] == [r.id for r in both.rules]
        c = Claim(
            payers.TEXAS_MEDICAID_CSHCN,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("Z0001", "2024-03-04", 5), ClaimLine("Z0009", "2024-03-04", 5)],
        )
        assert [(0, "row-1"), (1, "row-9")] == [(f.line, f.rule_id) for f in check(c, both)]

    def test_the_same_rows_twice_are_refused(self, tmp_path: Path) -> None:
        """Loading a file twice onto one rule set repeats its row ids: refused."""
        path = edit_file(tmp_path / "acme.csv", 2)
        with pytest.raises(EditFileError, match="used twice"):
            load_edits(path, base=load_edits(path, base=RuleSet()))

    def test_a_plan_does_not_grow_with_rows(self, tmp_path: Path) -> None:
        """The line checker written for a payer is the same size for 10 rows as for
        6,000: nothing per row is settled or written per plan."""
        small = load_edits(edit_file(tmp_path / "small.csv", 10), base=RuleSet())
        large = load_edits(edit_file(tmp_path / "large.csv", 6_000), base=RuleSet())
        sizes = [
            len(r._plan_source(payers.TEXAS_MEDICAID_CSHCN).splitlines()) for r in (small, large)
        ]
        assert sizes[0] == sizes[1]
