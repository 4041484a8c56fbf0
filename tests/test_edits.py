"""Payer edits as data: :func:`hcpcs_home.load_edits` and the ``edits`` rule family.

Each kind of edit is tested on a clean claim next to the broken one, and a
bad file is refused with every problem named by row and column.
"""

from __future__ import annotations

import pickle
from pathlib import Path

import pytest

from hcpcs_home import Claim, ClaimLine, check, load_edits, payers
from hcpcs_home import edits as edits_module
from hcpcs_home.cli import main
from hcpcs_home.edits import COLUMNS, PTP_MODIFIERS, load_mue, load_ptp, rules_from_rows
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


class TestPairsAndDuplicates:
    def test_a_pair_allowed_by_a_modifier(self, tmp_path: Path) -> None:
        """A not_with pair with not_with_unless is found without the modifier, not with it."""
        rules = load_edits(
            edit_file(
                tmp_path, row(id="e-pair", codes="S9123", not_with="T1026", not_with_unless="XU")
            )
        )
        bare = medicaid(ClaimLine("S9123", "2024-03-04", 8), ClaimLine("T1026", "2024-03-04", 4))
        marked = medicaid(
            ClaimLine("S9123", "2024-03-04", 8, modifiers=["XU"]),
            ClaimLine("T1026", "2024-03-04", 4),
        )
        assert [(0, "e-pair")] == edit_ids(bare, rules)
        assert [] == edit_ids(marked, rules)
        assert "unless the line carries XU" in rules["e-pair"].message

    def test_a_pair_naming_one_code_twice_is_refused(self, tmp_path: Path) -> None:
        """``codes`` and ``not_with`` sharing a code is not a pair."""
        path = edit_file(tmp_path, row(id="e-self", codes="T1019 T1020", not_with="T1019"))
        with pytest.raises(EditFileError, match="'T1019' is in codes too") as raised:
            load_edits(path)
        assert [(2, "not_with")] == [(r, c) for r, c, _ in raised.value.problems]

    def test_rows_that_disagree_are_refused_both_named(self, tmp_path: Path) -> None:
        """Two rows capping the same codes for the same payers from the same date at
        different limits are refused, each disagreeing row named; equal limits and
        different dates are fine."""
        path = edit_file(
            tmp_path,
            row(id="e-a", codes="T1019", max_units_day="8"),
            row(id="e-b", codes="T1019", max_units_day="8"),
            row(id="e-c", codes="T1019", max_units_day="12"),
            row(id="e-d", codes="T1019", max_units_day="12", effective_from="2025-01-01"),
            row(id="e-e", codes="T1019", not_with="T1020"),
            row(id="e-f", codes="T1019", not_with="T1020", not_with_unless="59"),
        )
        with pytest.raises(EditFileError) as raised:
            load_edits(path)
        assert [(4, "max_units_day"), (7, "not_with_unless")] == [
            (r, c) for r, c, _ in raised.value.problems
        ]
        assert "12 disagrees with row 2, which sets 8" in str(raised.value)
        assert "59 disagrees with row 6, which sets (none)" in str(raised.value)

    def test_thousands_of_rows_are_one_table(self, tmp_path: Path) -> None:
        """6,000 rows of one code each check as one lookup per line and find what
        the rows say, clean lines next to broken ones."""
        rows = [row(id=f"e-{i}", codes=f"Z{i:04d}", max_units_line="4") for i in range(5_999)]
        rows.append(row(id="e-t1019", codes="T1019", max_units_line="4"))
        rules = load_edits(edit_file(tmp_path, *rows), base=RuleSet())
        assert "a table of 6000 rules" in rules._plan_source(payers.TEXAS_MEDICAID_CSHCN)
        claim = medicaid(ClaimLine("T1019", "2024-03-04", 4), ClaimLine("T1019", "2024-03-05", 5))
        assert [(1, "e-t1019")] == [(f.line, f.rule_id) for f in check(claim, rules)]


def cms_file(tmp_path: Path, name: str, header: str, *rows: str) -> Path:
    """A CMS table file: a notice, the header row, then ``rows`` (tabs for .txt)."""
    path = tmp_path / name
    text = "CPT codes and descriptions only are copyright AMA\n\n" + header + "\n"
    text += "".join(r + "\n" for r in rows)
    if name.endswith(".txt"):
        text = text.replace(",", "\t")
    path.write_text(text, encoding="utf-8")
    return path


MUE_HEADER = (
    "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,MUE Rationale"
)
PTP_HEADER = (
    "Column 1,Column 2,* = In existence prior to 1996,Effective Date,"
    "Deletion Date *=no data,Modifier 0=not allowed 1=allowed 9=not applicable,"
    "PTP Edit Rationale"
)


def medicare(*lines: ClaimLine) -> Claim:
    """A Medicare professional claim for March 2024."""
    return Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", lines=lines)


def ids(claim: Claim, rules: RuleSet, prefix: str) -> list[tuple[int | None, str]]:
    return [(f.line, f.rule_id) for f in check(claim, rules) if f.rule_id.startswith(prefix)]


class TestMue:
    def rules(self, tmp_path: Path, *rows: str, name: str = "mue.csv") -> RuleSet:
        return load_mue(cms_file(tmp_path, name, MUE_HEADER, *rows), base=RuleSet())

    def test_a_line_edit_caps_each_line(self, tmp_path: Path) -> None:
        """MAI 1: the units of one line are capped; two lines at the cap are clean."""
        rules = self.rules(tmp_path, "97110,4,1 Line Edit,Clinical: Data")
        at_cap = medicare(ClaimLine("97110", "2024-03-04", 4), ClaimLine("97110", "2024-03-04", 4))
        over = medicare(ClaimLine("97110", "2024-03-04", 5))
        assert [] == ids(at_cap, rules, "mue-")
        assert [(0, "mue-97110")] == ids(over, rules, "mue-")

    @pytest.mark.parametrize("indicator", ["2 Date of Service Edit: Policy", "3"])
    def test_a_date_of_service_edit_sums_the_day(self, tmp_path: Path, indicator: str) -> None:
        """MAI 2 and 3: the units of the date are summed over the claim's lines."""
        rules = self.rules(tmp_path, f"97110,6,{indicator},Clinical: Data", name="m.txt")
        claim = medicare(
            ClaimLine("97110", "2024-03-04", 4),
            ClaimLine("97110", "2024-03-04", 2),
            ClaimLine("97110", "2024-03-05", 4),
            ClaimLine("97110", "2024-03-04", 1),
        )
        assert [(3, "mue-97110")] == ids(claim, rules, "mue-")
        (finding,) = [f for f in check(claim, rules) if f.rule_id == "mue-97110"]
        assert "over the MUE of 6" in finding.message
        assert "Clinical: Data" in finding.source

    def test_only_for_its_payers(self, tmp_path: Path) -> None:
        """The edits are Medicare's unless other payers are named."""
        rules = self.rules(tmp_path, "97110,1,1,Clinical: Data")
        claim = medicaid(ClaimLine("97110", "2024-03-04", 5))
        assert [] == ids(claim, rules, "mue-")

    def test_bad_rows_are_all_named(self, tmp_path: Path) -> None:
        """A value that is not a whole number, an unknown indicator, a bad code and a
        code listed twice with different values: every row named; a repeated equal
        row is fine."""
        path = cms_file(
            tmp_path,
            "mue.csv",
            MUE_HEADER,
            "97110,4,1,ok",
            "97112,2.5,1,x",
            "97140,4,7 Sometimes,x",
            "9711,4,1,x",
            "97110,4,1,ok",
            "97110,6,1,x",
            "97530,4",
        )
        with pytest.raises(EditFileError) as raised:
            load_mue(path)
        assert [
            (5, "MUE Value"),
            (6, "MUE Adjudication Indicator"),
            (7, "HCPCS/CPT Code"),
            (9, "MUE Value"),
            (10, "row"),
        ] == [(r, c) for r, c, _ in raised.value.problems]
        assert "97110 6 (MAI 1) disagrees with row 4: 4 (MAI 1)" in str(raised.value)

    def test_no_header_row(self, tmp_path: Path) -> None:
        """A file without the table's header row is refused."""
        path = tmp_path / "x.csv"
        path.write_text("a,b\n" * 40, encoding="utf-8")
        with pytest.raises(EditFileError, match="no row within the first 30"):
            load_mue(path)

    def test_too_many_rows(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A table past the row bound is refused (10 million rows never load)."""
        monkeypatch.setattr(edits_module, "MAX_TABLE_ROWS", 3)
        path = cms_file(tmp_path, "m.csv", MUE_HEADER, *[f"9711{i},4,1,x" for i in range(5)])
        with pytest.raises(EditFileError, match="over 3 rows"):
            load_mue(path)


class TestPtp:
    def rules(self, tmp_path: Path, *rows: str, **kwargs: object) -> RuleSet:
        path = cms_file(tmp_path, "ptp.txt", PTP_HEADER, *rows)
        return load_ptp(path, base=RuleSet(), **kwargs)  # type: ignore[arg-type]

    def test_column_two_is_found_unless_a_modifier_allows_it(self, tmp_path: Path) -> None:
        """Indicator 1: the column two line is found on the date of the column one
        code, not with XU, not on another date."""
        rules = self.rules(tmp_path, "97530,97110,,20200101,*,1,Misuse of column two code")
        same_day = medicare(
            ClaimLine("97530", "2024-03-04", 2), ClaimLine("97110", "2024-03-04", 2)
        )
        with_xu = medicare(
            ClaimLine("97530", "2024-03-04", 2),
            ClaimLine("97110", "2024-03-04", 2, modifiers=["XU"]),
        )
        apart = medicare(ClaimLine("97530", "2024-03-04", 2), ClaimLine("97110", "2024-03-05", 2))
        assert [(1, "ptp-97530-97110-20200101")] == ids(same_day, rules, "ptp-")
        assert [] == ids(with_xu, rules, "ptp-")
        assert [] == ids(apart, rules, "ptp-")
        assert "XU" in PTP_MODIFIERS

    def test_indicator_zero_allows_no_modifier(self, tmp_path: Path) -> None:
        """Indicator 0: no modifier bypasses the edit."""
        rules = self.rules(tmp_path, "97530,97110,,20200101,*,0,Mutually exclusive")
        claim = medicare(
            ClaimLine("97530", "2024-03-04", 2),
            ClaimLine("97110", "2024-03-04", 2, modifiers=["59"]),
        )
        assert [(1, "ptp-97530-97110-20200101")] == ids(claim, rules, "ptp-")

    def test_deleted_edits_end_the_day_before(self, tmp_path: Path) -> None:
        """An edit deleted on 2024-03-05 applies on 03-04, not on 03-05."""
        rules = self.rules(tmp_path, "97530,97110,,20200101,20240305,0,x")
        for day, found in (("2024-03-04", 1), ("2024-03-05", 0)):
            claim = medicare(ClaimLine("97530", day, 2), ClaimLine("97110", day, 2))
            assert found == len(ids(claim, rules, "ptp-"))

    def test_codes_keeps_the_pairs_an_agency_bills(self, tmp_path: Path) -> None:
        """``codes=`` keeps only pairs whose two codes are both in it."""
        rules = self.rules(
            tmp_path,
            "97530,97110,,20200101,*,1,x",
            "11042,97110,,20200101,*,1,x",
            codes=["97530", "97110"],
        )
        assert ["ptp-97530-97110-20200101"] == [r.id for r in rules]

    def test_bad_rows_are_all_named(self, tmp_path: Path) -> None:
        """A pair naming one code twice, bad dates and indicators, and a pair listed
        twice with the same start and different terms: every row named."""
        path = cms_file(
            tmp_path,
            "ptp.txt",
            PTP_HEADER,
            "97530,97110,,20200101,*,1,ok",
            "97110,97110,,20200101,*,1,x",
            "97530,97112,,2020-01-01,*,1,x",
            "97530,97140,,20200101,20190101,1,x",
            "97530,97150,,20200101,*,5,x",
            "97530,97110,,20200101,*,0,x",
        )
        with pytest.raises(EditFileError) as raised:
            load_ptp(path)
        assert [
            (5, "Column 2"),
            (6, "Effective Date"),
            (7, "Deletion Date"),
            (8, "Modifier"),
            (9, "Modifier"),
        ] == [(r, c) for r, c, _ in raised.value.problems]
        assert "97110 is column 1 too" in str(raised.value)


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
