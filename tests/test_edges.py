"""Edges a new user and a fuzzer hit: bounded input, short messages, refused junk (#22)."""

from __future__ import annotations

import io
import json
import os
import sys
import threading
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from hcpcs_home import InvalidClaimError, billable_units, payers
from hcpcs_home import edits as edits_module
from hcpcs_home.claims import ClaimLine
from hcpcs_home.cli import EXIT_USAGE, main
from hcpcs_home.errors import EditFileError, InvalidFieldError, InvalidMinutesError
from hcpcs_home.policy import RuleSet
from hcpcs_home.rules import DEFAULT_RULES
from hcpcs_home.serialize import claim_from_data, claim_from_json
from hcpcs_home.units import units_for_many

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "claim.json"
PATIENT_ID = json.loads(EXAMPLE.read_text("utf-8"))["patient_id"]


class _NoInt(Decimal):
    """A Decimal that fails the test if anything converts it to int."""

    def __int__(self) -> int:
        raise AssertionError("converted to int before its bound was checked")


class TestNumbersAreBoundedBeforeConversion:
    @pytest.mark.parametrize("text", ["1e300000", "1e9999999", "-1e300000"])
    def test_huge_decimal_minutes_are_refused_before_int(self, text: str) -> None:
        """Minutes of a huge exponent are refused by comparison, never built as an int."""
        with pytest.raises(InvalidMinutesError, match=r"more than one day|negative"):
            billable_units("G0299", _NoInt(text))

    def test_huge_decimal_minutes_in_bulk(self) -> None:
        """The bulk path refuses a huge Decimal the same way."""
        with pytest.raises(InvalidMinutesError, match="more than one day"):
            units_for_many("G0299", [8, _NoInt("1e300000")])

    @pytest.mark.parametrize(
        "make",
        [
            lambda v: ClaimLine("G0299", "2024-03-04", v),
            lambda v: ClaimLine("G0299", "2024-03-04", 1, charge=v),
            lambda v: billable_units("G0299", v),
            lambda v: units_for_many("G0299", [v]),
        ],
    )
    def test_an_int_of_thousands_of_digits_is_the_librarys_error(self, make: Any) -> None:
        """An int too long for str() is refused with a short message, not a ValueError."""
        with pytest.raises(InvalidFieldError) as info:
            make(10**5000)
        assert "digits" in str(info.value)
        assert len(str(info.value)) < 300


class TestFilesAreBoundedByBytesRead:
    def test_an_edit_file_from_a_pipe_is_bounded(self, tmp_path: Path) -> None:
        """A pipe (size 0 to stat) longer than the bound is refused after bound+1 bytes."""
        fifo = tmp_path / "edits.csv"
        os.mkfifo(fifo)
        written: list[int] = []

        def write() -> None:
            chunk = b"x" * 65536
            total = 0
            try:
                with open(fifo, "wb") as stream:
                    while total <= edits_module.MAX_FILE_BYTES + len(chunk):
                        stream.write(chunk)
                        total += len(chunk)
            except BrokenPipeError:  # the reader stopped: what the bound is for
                pass
            written.append(total)

        writer = threading.Thread(target=write)
        writer.start()
        with pytest.raises(EditFileError, match="is over 10,000,000 bytes"):
            edits_module.load_edits(fifo)
        writer.join()

    @pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
    def test_dev_zero_as_an_edit_file(self) -> None:
        """``/dev/zero`` (endless, size 0) is refused, not read until memory runs out."""
        with pytest.raises(EditFileError, match="is over"):
            edits_module.load_edits("/dev/zero")

    @pytest.mark.skipif(not Path("/dev/zero").exists(), reason="no /dev/zero on this system")
    def test_dev_zero_through_the_cli_is_exit_2(self) -> None:
        """``--edits /dev/zero`` is a usage error (exit 2) with a short message."""
        out, err = io.StringIO(), io.StringIO()
        status = main(
            ["check", "--edits", "/dev/zero", str(EXAMPLE)],
            stdout=out,
            stdin=io.BytesIO(),
            stderr=err,
        )
        assert EXIT_USAGE == status
        assert "is over" in err.getvalue()
        assert len(err.getvalue()) < 300


def _calls_in(module_file: str, run: Any) -> int:
    """How many frames (generator resumptions included) of ``module_file`` ``run`` enters."""
    count = 0

    def tracer(frame: Any, event: str, arg: Any) -> None:
        nonlocal count
        if event == "call" and frame.f_code.co_filename == module_file:
            count += 1

    sys.settrace(tracer)
    try:
        run()
    finally:
        sys.settrace(None)
    return count


class TestDuplicateEditIds:
    @staticmethod
    def _rows(n: int) -> list[dict[str, str]]:
        row = {
            "id": "acme-t1019-day",
            "payer": "medicaid",
            "codes": "T1019",
            "max_units_day": "32",
            "source": "Acme manual 4.2",
        }
        return [dict(row) for _ in range(n)]

    def _work(self, n: int) -> int:
        def run() -> None:
            with pytest.raises(EditFileError):
                edits_module.rules_from_rows(self._rows(n))

        return _calls_in(edits_module.__file__, run)

    def test_every_repeat_is_reported(self) -> None:
        """Each repeated row names the row that made the id first."""
        with pytest.raises(EditFileError) as info:
            edits_module.rules_from_rows(self._rows(4))
        assert [(3, "id"), (4, "id"), (5, "id")] == [(r, c) for r, c, _ in info.value.problems]
        assert "made by row 2" in info.value.problems[-1][2]

    def test_work_grows_linearly_with_the_rows(self) -> None:
        """Four times the repeated rows is about four times the work, not sixteen (counted
        in function calls, not time)."""
        small, large = self._work(200), self._work(800)
        assert large < 5 * small

    def test_the_message_lists_a_few_and_counts_the_rest(self) -> None:
        """Thousands of bad rows make a message of a few hundred characters."""
        with pytest.raises(EditFileError) as info:
            edits_module.rules_from_rows(self._rows(2000))
        assert 1999 == len(info.value.problems)
        assert len(str(info.value)) < 600
        assert "and 1994 more" in str(info.value)


class TestShortMessages:
    def test_an_array_of_claims_read_as_one_is_short_and_private(self) -> None:
        """Two or a hundred claims given where one is expected: a short message, no patient id."""
        claim = json.loads(EXAMPLE.read_text("utf-8"))
        for count in (2, 100):
            for load, given in (
                (claim_from_data, [claim] * count),
                (claim_from_json, json.dumps([claim] * count)),
            ):
                with pytest.raises(InvalidFieldError) as info:
                    load(given)
                assert len(str(info.value)) < 300
                assert PATIENT_ID not in str(info.value)
                assert f"list of {count} items" in str(info.value)

    def test_a_bad_record_of_a_batch_is_named_by_position_and_claim_id(self) -> None:
        """A bad JSON line's error names its line and its claim's id, never its patient id."""
        from hcpcs_home.serialize import claims_from_json_lines

        claim = json.loads(EXAMPLE.read_text("utf-8"))
        bad = json.dumps(dict(claim, lines="x" * 50_000))
        _, error = claims_from_json_lines([EXAMPLE.read_text("utf-8").replace("\n", " "), bad])
        assert isinstance(error, InvalidFieldError)
        assert str(error).startswith(f"line 2 (claim {claim['id']!r}): $.lines=")
        assert PATIENT_ID not in str(error) and len(str(error)) < 300

    def test_a_bad_patient_id_is_not_echoed(self) -> None:
        """A patient id refused for its length is named by its length only."""
        claim = json.loads(EXAMPLE.read_text("utf-8"))
        claim["patient_id"] = PATIENT_ID * 10
        with pytest.raises(InvalidFieldError) as info:
            claim_from_data(claim)
        assert PATIENT_ID not in str(info.value)
        assert str(info.value).startswith("$.patient_id=<")
        assert "characters, not shown>" in str(info.value)

    def test_many_problems_list_five(self) -> None:
        """A claim with hundreds of bad lines lists five problems and counts the rest."""
        claim = json.loads(EXAMPLE.read_text("utf-8"))
        claim["lines"] = [dict(claim["lines"][0], units=-1) for _ in range(300)]
        with pytest.raises(InvalidClaimError) as info:
            claim_from_data(claim)
        assert 300 == len(info.value.errors)
        assert "and 295 more" in str(info.value)
        assert len(str(info.value)) < 1000

    def test_a_payer_given_as_the_unit_policy_points_at_its_unit_policy(self) -> None:
        """``policy=payers.MEDICARE`` says to pass ``payer.unit_policy``, briefly."""
        with pytest.raises(InvalidFieldError, match=r"policy=payer\.unit_policy") as info:
            billable_units("G0299", 30, policy=payers.MEDICARE)  # type: ignore[arg-type]
        assert len(str(info.value)) < 300
        assert billable_units("G0299", 30, policy=payers.MEDICARE.unit_policy) == 2


class TestRuleFilesThroughTheCli:
    def test_a_rule_argument_called_name_is_exit_2(self, tmp_path: Path) -> None:
        """A saved rule with an argument ``name`` is a usage error, not a traceback."""
        data = json.loads(DEFAULT_RULES.to_json())
        data["rules"][0]["when"] = {"name": "code_in", "args": {"name": "x", "codes": ["G0299"]}}
        path = tmp_path / "rules.json"
        path.write_text(json.dumps(data), "utf-8")
        out, err = io.StringIO(), io.StringIO()
        status = main(
            ["check", "--rules", str(path), str(EXAMPLE)],
            stdout=out,
            stdin=io.BytesIO(),
            stderr=err,
        )
        assert EXIT_USAGE == status
        assert "bad parameters for 'code_in'" in err.getvalue()

    def test_an_unknown_placeholder_in_an_edit_file(self, tmp_path: Path) -> None:
        """An edit row whose message names ``{nope}`` is refused at load, naming the row."""
        path = tmp_path / "edits.csv"
        path.write_text(
            "id,codes,max_units_day,message,source\nacme,T1019,32,too many {nope},Acme manual\n",
            "utf-8",
        )
        with pytest.raises(EditFileError) as info:
            edits_module.load_edits(path, base=RuleSet())
        assert [(2, "message")] == [(r, c) for r, c, _ in info.value.problems]


def _readme_claim() -> Any:
    from hcpcs_home import Claim, ClaimLine, Service

    shift = Service.from_times("S9124", "2024-05-06", "22:00", "06:00", credential="LPN")
    return Claim(
        payers.MEDICARE,
        "2024-05-01",
        "2024-05-31",
        type_of_bill="0329",
        lines=[ClaimLine.from_service(shift)],
        services=[shift],
    )


class TestNotebookViews:
    def test_a_report_repr_is_short(self) -> None:
        """A report of ten findings has a repr of a few hundred characters naming its counts."""
        from hcpcs_home import check

        report = check(_readme_claim())
        assert len(report.findings) >= 5
        text = repr(report)
        assert len(text) < 300
        assert text.startswith("<Report claim='': ")
        assert f"{len(report.errors)} error(s)" in text

    def test_a_finding_repr_is_short_and_names_its_field(self) -> None:
        """A finding's repr names rule, severity, line and field, and clips the message."""
        from hcpcs_home import check

        for finding in check(_readme_claim()):
            text = repr(finding)
            assert len(text) < 250
            assert text.startswith(f"Finding({finding.rule_id!r}, {finding.severity.value}, ")
            assert f"field={finding.field!r}" in text

    def test_a_finding_has_an_html_view(self) -> None:
        """``Finding._repr_html_`` is a table of its parts, escaped."""
        from hcpcs_home import check

        finding = check(_readme_claim()).findings[0]
        html = finding._repr_html_()
        assert html.startswith("<table>") and html.endswith("</table>")
        for part in (finding.rule_id, "severity", "field", "source"):
            assert part in html

    def test_report_to_frame(self) -> None:
        """``Report.to_frame()`` has one row per finding, in order, with the findings columns."""
        pytest.importorskip("pandas")
        from hcpcs_home import check
        from hcpcs_home.dataframes import FINDING_COLUMNS

        report = check(_readme_claim())
        frame = report.to_frame()
        assert list(FINDING_COLUMNS) == list(frame.columns)
        assert [f.rule_id for f in report] == list(frame.rule_id)
        assert [f.field for f in report] == list(frame.field)

    def test_a_batch_with_unreadable_claims_is_one_frame(self) -> None:
        """``findings_frame(check_many(...))`` keeps every input: errors become rows."""
        pytest.importorskip("pandas")
        from hcpcs_home import check_many
        from hcpcs_home.dataframes import INVALID_CLAIM, findings_frame
        from hcpcs_home.serialize import claims_from_json_lines

        good = EXAMPLE.read_text("utf-8").replace("\n", " ")
        items = list(claims_from_json_lines([good, "{not json", good]))
        frame = findings_frame(check_many(items))
        assert [INVALID_CLAIM] == list(frame[frame.rule_id == INVALID_CLAIM].rule_id)


class TestThreads:
    def test_checks_from_eight_threads_match_the_serial_results(self) -> None:
        """Hundreds of checks from eight threads at once give the serial reports
        (the thread-safety section of the docs states it)."""
        from concurrent.futures import ThreadPoolExecutor

        from hcpcs_home import check
        from hcpcs_home.serialize import claims_from_json_lines

        lines = (EXAMPLE.parent / "claims.jsonl").read_text("utf-8").splitlines()
        claims = [c for c in claims_from_json_lines(lines) if not isinstance(c, Exception)]
        claims = (claims * 80)[:600]
        policies = [payers.MEDICARE.unit_policy, payers.TEXAS_MEDICAID.unit_policy]

        def work(i: int) -> tuple[object, ...]:
            unit = billable_units("G0299", i % 1441, policy=policies[i % 2])
            return (unit, [f.to_data() for f in check(claims[i])])

        serial = [work(i) for i in range(len(claims))]
        with ThreadPoolExecutor(max_workers=8) as pool:
            threaded = list(pool.map(work, range(len(claims))))
        assert serial == threaded


def _cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    status = main(list(args), stdout=out, stdin=io.BytesIO(), stderr=err)
    return status, out.getvalue(), err.getvalue()


class TestCliJson:
    def test_lookup_json_keys_are_names_and_empty_is_null(self) -> None:
        """``lookup --json`` keys are attribute names (no spaces); empty values are null."""
        status, out, _ = _cli("lookup", "--json", "S9124")
        data = json.loads(out)
        assert 0 == status
        assert all(" " not in key for key in data)
        assert (None, None, ["LPN"], False) == (
            data["min_minutes"],
            data["terminated"],
            data["credentials"],
            data["medicare_accepts"],
        )

    def test_units_json(self) -> None:
        """``units --json`` gives the code, minutes, units, payer and unit policy."""
        status, out, _ = _cli("units", "--json", "S9124", "505", "--payer", "tx-medicaid-cshcn")
        assert 0 == status
        assert {
            "code": "S9124",
            "minutes": 505,
            "units": 8,
            "payer": "tx-medicaid-cshcn",
            "unit_policy": "Texas CSHCN whole hours",
        } == json.loads(out)

    def test_rules_json_is_one_object_per_rule(self) -> None:
        """``rules --json`` prints every default rule as one JSON line."""
        status, out, _ = _cli("rules", "--json")
        rows = [json.loads(line) for line in out.splitlines()]
        assert 0 == status
        assert [r.id for r in DEFAULT_RULES] == [row["id"] for row in rows]
        assert {"severity", "family", "scope", "field", "source"} <= set(rows[0])


RIF_TEXT = (
    "CLM_ID|NCH_CLM_TYPE_CD|CLM_FROM_DT|CLM_THRU_DT|CLM_FAC_TYPE_CD|CLM_SRVC_CLSFCTN_TYPE_CD|"
    "CLM_FREQ_CD|REV_CNTR|REV_CNTR_DT|HCPCS_CD|HCPCS_1ST_MDFR_CD|REV_CNTR_UNIT_CNT|"
    "REV_CNTR_TOT_CHRG_AMT\n"
    "A1|10|01-Mar-2024|30-Mar-2024|3|2|9|0551|04-Mar-2024|G0299||4|150.00\n"
)


class TestEverydayFriction:
    def test_two_rows_of_an_untimed_code_on_one_day_are_the_per_diem_finding(
        self, tmp_path: Path
    ) -> None:
        """A timesheet with T1020 twice on one day is checked (per-diem finding), not refused
        with an internal id, as the same claim read from JSON is."""
        path = tmp_path / "sheet.csv"
        path.write_text(
            "claim_id,payer,code,date,credential\n"
            "C1,tx-medicaid,T1020,2024-03-04,HHA\n"
            "C1,tx-medicaid,T1020,2024-03-04,HHA\n",
            "utf-8",
        )
        _, out, err = _cli("check", str(path))
        assert "per-diem-day-exceeded [line 2]" in out
        assert "used twice" not in out + err
        assert "1 claim(s) checked" in err and "0 unreadable" in err

    def test_an_id_the_row_gives_twice_is_still_refused(self, tmp_path: Path) -> None:
        """Only derived ids are numbered: a repeated id of the user's own is the row's error."""
        path = tmp_path / "sheet.csv"
        path.write_text(
            "claim_id,payer,code,date,credential,id\n"
            "C1,tx-medicaid,T1020,2024-03-04,HHA,visit-1\n"
            "C1,tx-medicaid,T1020,2024-03-04,HHA,visit-1\n",
            "utf-8",
        )
        _, out, _ = _cli("check", str(path))
        assert "'visit-1' is used twice" in out

    @pytest.mark.parametrize("name", ["claims.csv", "claims.txt"])
    def test_a_rif_file_is_recognised_without_format(self, tmp_path: Path, name: str) -> None:
        """A RIF extract named .csv or .txt is read as RIF from its header."""
        path = tmp_path / name
        path.write_text(RIF_TEXT, "utf-8")
        _, out, err = _cli("check", str(path))
        assert "claim A1 for Original Medicare" in out
        assert "1 claim(s) checked" in err

    def test_a_rif_file_on_standard_input_says_to_use_format_rif(self) -> None:
        """Piped in as CSV, a RIF file is one unreadable record saying what it is."""
        out, err = io.StringIO(), io.StringIO()
        main(
            ["check", "--format", "csv", "-"],
            stdout=out,
            stdin=io.BytesIO(RIF_TEXT.encode()),
            stderr=err,
        )
        assert "this is a CMS research (RIF) claim file" in out.getvalue()
        assert "--format rif" in out.getvalue()


class TestClaimFindingsSayHowToFix:
    def test_every_claim_finding_has_a_suggestion(self) -> None:
        """A claim rule without a fixer suggests its advice (the missing OASIS date, CBSA,
        FIPS and admission date findings said nothing before)."""
        from hcpcs_home import check

        report = check(_readme_claim())
        claim_level = [f for f in report if f.line is None]
        assert {"hh-oasis-date-missing", "hh-admission-date-missing"} <= {
            f.rule_id for f in claim_level
        }
        assert [] == [f.rule_id for f in claim_level if not f.suggestion]
        (oasis,) = [f for f in claim_level if f.rule_id == "hh-oasis-date-missing"]
        assert "add occurrence code 50 with the OASIS M0090 date" == oasis.suggestion

    def test_each_advice_written_once_as_written_each_time(self) -> None:
        """The suggestion of a claim rule's finding, its advice written for the biller once
        per advice (``_advice_of``), is that advice written afresh, for every rule, twice."""
        from hcpcs_home._engine import rules as engine_rules

        for rule in DEFAULT_RULES:
            fresh = engine_rules._advice_suggestion(rule.advice)
            assert (
                fresh
                == engine_rules._advice_of(rule.advice)
                == engine_rules._advice_of(rule.advice)
            )
