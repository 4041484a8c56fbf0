"""Payer edits as data: :func:`hcpcs_home.load_edits` and the ``edits`` rule family.

Each kind of edit is tested on a clean claim next to the broken one, and a
bad file is refused with every problem named by row and column.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from hcpcs_home import Claim, ClaimLine, check, load_edits, payers
from hcpcs_home.cli import main
from hcpcs_home.edits import COLUMNS, rules_from_rows
from hcpcs_home.errors import EditFileError, RuleSetLoadError
from hcpcs_home.policy import RuleSet
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"
HEADER = ",".join(COLUMNS) + "\n"


def edit_file(tmp_path: Path, *rows: str, name: str = "edits.csv") -> Path:
    """An edit file with the full header and ``rows``."""
    path = tmp_path / name
    text = HEADER + "".join(r + "\n" for r in rows)
    if name.endswith(".tsv"):
        text = text.replace(",", "\t")
    path.write_text(text, encoding="utf-8")
    return path


def row(**cells: str) -> str:
    """One CSV row with ``cells`` in their columns and the rest empty."""
    cells.setdefault("source", "Acme plan manual 4.2")
    return ",".join(cells.get(c, "") for c in COLUMNS)


def medicaid(*lines: ClaimLine) -> Claim:
    """A Texas Medicaid professional claim for March 2024."""
    return Claim(payers.TEXAS_MEDICAID_CSHCN, "2024-03-01", "2024-03-31", lines=lines)


def edit_ids(claim: Claim, rules: RuleSet) -> list[tuple[int | None, str]]:
    """(line, rule id) of the findings of edit rules (ids starting ``e-``)."""
    return [(f.line, f.rule_id) for f in check(claim, rules) if f.rule_id.startswith("e-")]


class TestEachKindOfEdit:
    def test_required_modifier(self, tmp_path: Path) -> None:
        """A line without a required modifier is found; with it, the claim is clean."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-u1", codes="T1019", required_modifiers="U1"))
        )
        bad = medicaid(ClaimLine("T1019", "2024-03-04", 4))
        good = medicaid(ClaimLine("T1019", "2024-03-04", 4, modifiers=["U1"]))
        assert [(0, "e-u1")] == edit_ids(bad, rules)
        assert [] == edit_ids(good, rules)

    def test_one_of_several_modifiers(self, tmp_path: Path) -> None:
        """A line carrying none of the listed modifiers is found; any one of them will do."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-any", codes="T1000", any_modifiers="TD TE"))
        )
        claim = medicaid(
            ClaimLine("T1000", "2024-03-04", 4),
            ClaimLine("T1000", "2024-03-05", 4, modifiers=["TE"]),
            ClaimLine("T1000", "2024-03-06", 4, modifiers=["TD", "U1"]),
        )
        assert [(0, "e-any")] == edit_ids(claim, rules)

    def test_forbidden_modifier(self, tmp_path: Path) -> None:
        """A forbidden modifier is found only where it is."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-gt", codes="T1019", forbidden_modifiers="GT"))
        )
        claim = medicaid(
            ClaimLine("T1019", "2024-03-04", 4, modifiers=["GT"]),
            ClaimLine("T1019", "2024-03-05", 4),
        )
        assert [(0, "e-gt")] == edit_ids(claim, rules)

    def test_units_per_line(self, tmp_path: Path) -> None:
        """More units than the line limit is found; exactly the limit is not."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-line", codes="T1019", max_units_line="24"))
        )
        claim = medicaid(ClaimLine("T1019", "2024-03-04", 24), ClaimLine("T1019", "2024-03-05", 25))
        assert [(1, "e-line")] == edit_ids(claim, rules)

    def test_units_per_day_sum_across_lines(self, tmp_path: Path) -> None:
        """Units of the listed codes add up across the lines of a day; the line that
        passes the limit and those after it are found, other days are not."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-day", codes="T1019 T1020", max_units_day="16"))
        )
        claim = medicaid(
            ClaimLine("T1019", "2024-03-04", 10),
            ClaimLine("T1020", "2024-03-04", 6),
            ClaimLine("T1019", "2024-03-04", 1),
            ClaimLine("T1019", "2024-03-05", 16),
        )
        assert [(2, "e-day")] == edit_ids(claim, rules)

    @pytest.mark.parametrize(("week_start", "found"), [("sunday", []), ("monday", [(1, "e-week")])])
    def test_units_per_week_from_the_payers_week_start(
        self, tmp_path: Path, week_start: str, found: list[tuple[int, str]]
    ) -> None:
        """Sunday 2024-03-03 and Monday 2024-03-04 are one week from Monday, two from Sunday."""
        path = edit_file(
            tmp_path, row(id="e-week", codes="T1019", max_units_week="20", week_start=week_start)
        )
        claim = medicaid(ClaimLine("T1019", "2024-03-04", 12), ClaimLine("T1019", "2024-03-09", 12))
        sunday_first = medicaid(
            ClaimLine("T1019", "2024-03-02", 12), ClaimLine("T1019", "2024-03-03", 12)
        )
        rules = load_edits(path)
        assert [(1, "e-week")] == edit_ids(claim, rules)
        assert found == edit_ids(sunday_first, rules)

    def test_units_per_month(self, tmp_path: Path) -> None:
        """Calendar months are counted apart."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-month", codes="S9129", max_units_month="2"))
        )
        claim = Claim(
            payers.BCBS_TEXAS,
            "2024-03-30",
            "2024-04-02",
            lines=[ClaimLine("S9129", d, 1) for d in ("2024-03-30", "2024-03-31", "2024-04-01")],
        )
        assert [] == edit_ids(claim, rules)
        three = Claim(
            payers.BCBS_TEXAS,
            "2024-04-01",
            "2024-04-30",
            lines=[ClaimLine("S9129", f"2024-04-0{d}", 1) for d in (1, 2, 3)],
        )
        assert [(2, "e-month")] == edit_ids(three, rules)

    def test_not_with_on_the_same_day(self, tmp_path: Path) -> None:
        """Codes billed together on one date are found; on different dates they are not."""
        rules = load_edits(edit_file(tmp_path, row(id="e-ptp", codes="T1019", not_with="T1020")))
        same = medicaid(ClaimLine("T1019", "2024-03-04", 4), ClaimLine("T1020", "2024-03-04", 1))
        apart = medicaid(ClaimLine("T1019", "2024-03-04", 4), ClaimLine("T1020", "2024-03-05", 1))
        assert [(0, "e-ptp")] == edit_ids(same, rules)
        assert [] == edit_ids(apart, rules)

    def test_scoped_by_payer_bill_type_and_dates(self, tmp_path: Path) -> None:
        """An edit for one payer, bill type and date range is silent outside them."""
        rules = load_edits(
            edit_file(
                tmp_path,
                row(
                    id="e-scope",
                    payer="medicaid",
                    codes="T1019",
                    bill_types="837P",
                    max_units_line="4",
                    effective_from="2024-03-05",
                    effective_through="2024-03-31",
                ),
            )
        )
        lines = [ClaimLine("T1019", "2024-03-04", 8), ClaimLine("T1019", "2024-03-05", 8)]
        assert [(1, "e-scope")] == edit_ids(medicaid(*lines), rules)
        bcbs = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", lines=lines)
        assert [] == edit_ids(bcbs, rules)
        institutional = Claim(
            payers.TEXAS_MEDICAID_CSHCN,
            "2024-03-01",
            "2024-03-31",
            type_of_bill="0331",
            lines=lines,
        )
        assert [] == edit_ids(institutional, rules)

    def test_several_limits_make_one_rule_each(self, tmp_path: Path) -> None:
        """A row with two limits makes ``<id>-<kind>`` rules; its message is the row's."""
        rules = load_edits(
            edit_file(
                tmp_path,
                row(
                    id="e-two",
                    codes="T1019",
                    required_modifiers="U1",
                    max_units_day="4",
                    severity="warning",
                    message="{code} on {date}: see plan manual",
                ),
            ),
            base=RuleSet(),
        )
        assert ["e-two-modifier-required", "e-two-units-day"] == [r.id for r in rules]
        found = check(medicaid(ClaimLine("T1019", "2024-03-04", 8)), rules)
        assert ["T1019 on 2024-03-04: see plan manual"] * 2 == [f.message for f in found]
        assert {"warning"} == {f.severity.value for f in found}


class TestLoading:
    def test_adds_to_the_default_rules(self, tmp_path: Path) -> None:
        """The loaded set is the defaults plus the edits, and checks the defaults too."""
        rules = load_edits(
            edit_file(tmp_path, row(id="e-u1", codes="T1019", required_modifiers="U1"))
        )
        assert list(DEFAULT_RULES) == list(rules)[: len(DEFAULT_RULES)]
        assert (
            DEFAULT_RULES
            + load_edits(
                edit_file(tmp_path, row(id="e-u1", codes="T1019", required_modifiers="U1")),
                base=RuleSet(),
            )
            == rules
        )

    def test_tsv(self, tmp_path: Path) -> None:
        """A .tsv file is read with tabs."""
        path = edit_file(
            tmp_path, row(id="e-u1", codes="T1019", required_modifiers="U1"), name="e.tsv"
        )
        assert "e-u1" in load_edits(path)

    def test_the_example_file_loads_and_round_trips(self) -> None:
        """examples/edits.csv loads, and its rules save and load as JSON and pickle."""
        rules = load_edits(EXAMPLES / "edits.csv", base=RuleSet())
        assert len(rules) >= 4
        assert rules == RuleSet.from_json(rules.to_json(), VOCABULARY)
        assert rules == pickle.loads(pickle.dumps(rules))

    def test_rows_from_elsewhere(self) -> None:
        """Rows given as dictionaries (from a database) make the same rules."""
        (rule,) = rules_from_rows(
            [{"id": "e-x", "codes": "T1019", "max_units_day": "8", "source": "s"}]
        )
        assert "e-x" == rule.id


class TestBadFiles:
    def test_every_problem_at_once_with_row_and_column(self, tmp_path: Path) -> None:
        """Each bad cell of the file is named; good rows do not hide bad ones."""
        path = edit_file(
            tmp_path,
            row(id="ok-one", codes="T1019", max_units_day="8"),
            row(id="Bad Id", codes="T1019", max_units_day="8"),
            row(id="e-2", codes="", max_units_day="8"),
            row(id="e-3", codes="T1019", max_units_day="-1"),
            row(id="e-4", codes="T1019", max_units_day="1e9999999"),
            row(id="e-5", codes="T1019", required_modifiers="U1", effective_from="2024-02-30"),
            row(id="e-6", codes="T1019", max_units_day="8", severity="fatal", source=""),
            row(id="e-7", codes="T1019"),
            row(id="e-8", codes="T1019", bill_types="32", max_units_day="8"),
            row(id="e-9", codes="T1019", max_units_week="8", week_start="caturday"),
            row(id="ok-one", codes="T1020", max_units_day="8"),
        )
        with pytest.raises(EditFileError) as raised:
            load_edits(path)
        assert [
            (3, "id"),
            (4, "codes"),
            (5, "max_units_day"),
            (6, "max_units_day"),
            (7, "effective_from"),
            (8, "source"),
            (8, "severity"),
            (9, "row"),
            (10, "bill_types"),
            (11, "week_start"),
            (12, "id"),
        ] == [(r, c) for r, c, _ in raised.value.problems]
        assert isinstance(raised.value, RuleSetLoadError)
        copy = pickle.loads(pickle.dumps(raised.value))
        assert (raised.value.problems, str(raised.value)) == (copy.problems, str(copy))

    @pytest.mark.parametrize(
        ("text", "problem"),
        [
            ("", "the file is empty"),
            ("id,codes,colour,source\n", "is not an edit column"),
            ("id,source\n", "is missing"),
            ("id,codes,codes,source\n", "appears twice"),
            ("id,codes,max_units_day,source\ne-1,T1019,4,s,extra\n", "more cells"),
            ("id,codes,max_units_day,source\ne-1,T1019\x00,4,s\n", "NUL"),
            ('id,codes,max_units_day,source\ne-1,"T1019,4,s\n', "CSV"),
            ("id,codes,max_units_day,source\ne-1,T10\x0719,4,s\n", "control character"),
            ("id,codes,message,max_units_day,source\ne-1,T1019,{payer.__class__},4,s\n", "plain"),
            ("id,codes,message,max_units_day,source\ne-1,T1019,{code:>100000000},4,s\n", "plain"),
            ("id,codes,message,max_units_day,source\ne-1,T1019,lone { brace,4,s\n", "template"),
            (
                "id,codes,bill_types,max_units_day,source\ne-1,T1019,0\u0663\u06629,4,s\n",
                "not a code",
            ),
        ],
    )
    def test_refused(self, tmp_path: Path, text: str, problem: str) -> None:
        """A malformed file is refused with the library's error saying what is wrong."""
        path = tmp_path / "bad.csv"
        path.write_text(text, encoding="utf-8")
        with pytest.raises(EditFileError, match=problem):
            load_edits(path)

    def test_missing_and_binary_files(self, tmp_path: Path) -> None:
        """A missing file or one that is not UTF-8 is the library's error."""
        with pytest.raises(EditFileError, match="cannot be read"):
            load_edits(tmp_path / "nope.csv")
        binary = tmp_path / "b.csv"
        binary.write_bytes(b"id,codes,source\n\xff\xfe,T1019,s\n")
        with pytest.raises(EditFileError, match="not UTF-8"):
            load_edits(binary)

    def test_an_edit_id_that_clashes_with_a_default_rule(self, tmp_path: Path) -> None:
        """An edit may not take the id of a default rule."""
        with pytest.raises(EditFileError, match="used twice"):
            load_edits(
                edit_file(tmp_path, row(id="units-mismatch", codes="T1019", max_units_day="4"))
            )


class TestCommandLine:
    def test_edits_option_gives_the_documented_finding(self, tmp_path: Path) -> None:
        """``check --edits FILE`` adds the file's rules and reports their findings."""
        import io

        from hcpcs_home.serialize import claim_to_json

        claim = medicaid(
            ClaimLine("T1000", "2024-03-04", 4, modifiers=["TD"]),
            ClaimLine("T1000", "2024-03-04", 48, modifiers=["TD"]),
        )
        path = tmp_path / "c.jsonl"
        path.write_text(claim_to_json(claim, indent=None) + "\n", encoding="utf-8")
        out = io.StringIO()
        status = main(
            ["check", "--edits", str(EXAMPLES / "edits.csv"), str(path)],
            stdout=out,
            stderr=io.StringIO(),
        )
        assert "WARNING example-t1000-day [line 2]" in out.getvalue()
        plain = io.StringIO()
        main(["check", str(path)], stdout=plain, stderr=io.StringIO())
        assert "example-t1000-day" not in plain.getvalue()
        assert 1 == status  # the claim has errors of the default rules too

    def test_a_bad_edits_file_is_a_usage_error(self, tmp_path: Path) -> None:
        """A bad edit file stops the command with exit status 2 and one line."""
        import io

        err = io.StringIO()
        status = main(
            ["check", "--edits", str(tmp_path / "nope.csv"), str(EXAMPLES / "claim.json")],
            stdout=io.StringIO(),
            stderr=err,
        )
        assert 2 == status
        assert "cannot be read" in err.getvalue()
        assert 1 == len(err.getvalue().strip().splitlines())
