"""Tests for the hcpcs-home command line."""

from __future__ import annotations

import argparse
import io
import json
import os
import subprocess
import sys
import tracemalloc
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import __version__, _claim_files
from hcpcs_home.cli import EXIT_ERRORS, EXIT_OK, EXIT_USAGE, _parser, main
from hcpcs_home.rules import DEFAULT_RULES
from hcpcs_home.serialize import claim_from_json, claim_to_json

ROOT = Path(__file__).resolve().parents[1]
EXAMPLES = ROOT / "examples"
SCHEMA = ROOT / "docs" / "cli-report.schema.json"
#: The example claims: three with errors, then one that cannot be read.
LINES = (EXAMPLES / "claims.jsonl").read_text("utf-8").splitlines()
CLEAN = claim_to_json(claim_from_json((EXAMPLES / "claim.json").read_text("utf-8")), indent=None)


class Run:
    """One run of the command: its exit status, standard output and standard error."""

    def __init__(self, *args: str, stdin: bytes = b"") -> None:
        out, err = io.StringIO(), io.StringIO()
        self.status = main(list(args), stdout=out, stdin=io.BytesIO(stdin), stderr=err)
        self.out = out.getvalue()
        self.err = err.getvalue()

    def json(self) -> list[dict[str, Any]]:
        return [json.loads(line) for line in self.out.splitlines()]


def write(path: Path, *lines: str, end: str = "\n") -> Path:
    path.write_bytes("".join(line + end for line in lines).encode("utf-8"))
    return path


class TestExitStatus:
    def test_clean_example_exits_zero(self) -> None:
        """The README's example claim checks clean and exits 0."""
        run = Run("check", str(EXAMPLES / "claim.json"))
        assert (EXIT_OK, True) == (run.status, "0 error(s)" in run.out)

    def test_problem_claims_exit_one(self) -> None:
        """Claims with error findings make the command exit 1 and print each rule id."""
        run = Run("check", str(EXAMPLES / "claims.jsonl"))
        assert EXIT_ERRORS == run.status
        for rule in (
            "payer-code-not-accepted",
            "credential-mismatch",
            "units-mismatch",
            "authorization-exceeded",
            "cannot read claim",
        ):
            assert rule in run.out

    def test_unreadable_record_alone_exits_one(self, tmp_path: Path) -> None:
        """A file whose only record cannot be read exits 1 (something was read, and it is bad)."""
        run = Run("check", str(write(tmp_path / "bad.json", "{")))
        assert (EXIT_ERRORS, 1) == (run.status, run.out.count("cannot read claim"))

    def test_missing_file_exits_two_before_checking(self, tmp_path: Path) -> None:
        """A file that cannot be opened is a one-line error, exit 2, and nothing is checked."""
        good = write(tmp_path / "good.jsonl", CLEAN)
        run = Run("check", str(good), str(tmp_path / "missing.jsonl"))
        assert (EXIT_USAGE, "") == (run.status, run.out)
        assert ["missing.jsonl: No such file or directory"] == [
            line.split(os.sep)[-1] for line in run.err.splitlines()
        ]

    def test_directory_exits_two(self, tmp_path: Path) -> None:
        """A directory given as a file is a one-line error and exit 2."""
        run = Run("check", "--format", "jsonl", str(tmp_path))
        assert (EXIT_USAGE, "", 1) == (run.status, run.out, len(run.err.splitlines()))
        assert "Is a directory" in run.err

    def test_several_files(self, tmp_path: Path) -> None:
        """Every file is checked in order, each report labelled with its own file; one summary."""
        first = write(tmp_path / "a.jsonl", CLEAN, LINES[0])
        second = tmp_path / "b.json"
        second.write_text(f"[{LINES[3]},\n{CLEAN}]", "utf-8")
        run = Run("check", "--json", str(first), str(second))
        assert [(str(first), 1), (str(first), 2), (str(second), 1), (str(second), 2)] == [
            (r["file"], r["line"]) for r in run.json()
        ]
        assert "4 record(s) read: 3 claim(s) checked, 1 with errors, 1 unreadable" in run.err
        assert 1 == len(run.err.splitlines())

    @pytest.mark.parametrize(
        ("name", "text"),
        [("empty.jsonl", ""), ("blank.jsonl", "\n  \n\n"), ("empty.json", "[]"), ("ws.json", " ")],
    )
    def test_empty_input_exits_two(self, tmp_path: Path, name: str, text: str) -> None:
        """An empty file or an empty list is said on stderr and exits 2, never a silent 0."""
        path = tmp_path / name
        path.write_text(text, "utf-8")
        run = Run("check", str(path))
        assert (EXIT_USAGE, "") == (run.status, run.out)
        assert "no claims in the input" in run.err
        assert "nothing was checked" in run.err

    def test_empty_file_beside_good_one(self, tmp_path: Path) -> None:
        """An empty file among others is noted on stderr; the status follows what was checked."""
        empty = write(tmp_path / "empty.jsonl", end="")
        run = Run("check", str(empty), str(write(tmp_path / "good.jsonl", CLEAN)))
        assert EXIT_OK == run.status
        assert "empty.jsonl: no claims in the input" in run.err

    def test_unknown_extension_exits_two(self, tmp_path: Path) -> None:
        """A file whose format the extension does not tell is a usage error unless --format says."""
        path = write(tmp_path / "claims.txt", CLEAN)
        assert EXIT_USAGE == Run("check", str(path)).status
        assert EXIT_OK == Run("check", "--format", "jsonl", str(path)).status

    def test_bad_option_exits_two(self, capsys: pytest.CaptureFixture[str]) -> None:
        """An unknown option is a usage error: exit 2."""
        assert EXIT_USAGE == Run("check", "--colour", "x.jsonl").status
        assert "unrecognized arguments: --colour" in capsys.readouterr().err

    def test_stdin_read_once(self) -> None:
        """Standard input named twice is a usage error."""
        run = Run("check", "-", "-", stdin=CLEAN.encode())
        assert (EXIT_USAGE, "") == (run.status, run.out)


class TestStreaming:
    def test_labels_are_file_lines(self, tmp_path: Path) -> None:
        """Reports are labelled with the 1-based file line, blank lines counted, not records."""
        path = write(tmp_path / "c.jsonl", LINES[0], "", "", LINES[3], "   ", CLEAN)
        rows = Run("check", "--json", str(path)).json()
        assert [(1, 1), (4, 2), (6, 3)] == [(r["line"], r["record"]) for r in rows]
        assert [str(path)] * 3 == [r["file"] for r in rows]
        run = Run("check", str(path))
        assert [f"{path}:1", f"{path}:4", f"{path}:6"] == [
            line.split(": ", 1)[0] for line in run.out.splitlines() if line.startswith(str(path))
        ]

    def test_line_separator_stays_in_its_record(self, tmp_path: Path) -> None:
        """A claim holding U+2028 (claim_to_json writes it raw) is one record; later labels hold."""
        odd = json.loads(CLEAN)
        odd["id"] = "HH\u2028\u2029\x85\x0c2024"
        text = json.dumps(odd, ensure_ascii=False)
        assert "\u2028" in text
        path = write(tmp_path / "c.jsonl", text, CLEAN)
        rows = Run("check", "--json", str(path)).json()
        assert [1, 2] == [r["line"] for r in rows]

    def test_lone_surrogate_does_not_stop_the_batch(self, tmp_path: Path) -> None:
        """A claim id holding a lone surrogate (a JSON escape) is printed escaped, never fatal."""
        odd = json.loads(CLEAN)
        odd["id"] = "X\ud800Y"
        path = write(tmp_path / "c.jsonl", json.dumps(odd), CLEAN)
        run = Run("check", str(path))
        assert 2 == sum(line.startswith(f"{path}:") for line in run.out.splitlines())
        assert "2 record(s) read" in run.err
        with open(os.devnull, "w", encoding="utf-8") as strict:
            status = main(["check", str(path)], stdout=strict, stderr=io.StringIO())
        assert status in (EXIT_OK, EXIT_ERRORS)
        assert all(r["file"] == str(path) for r in Run("check", "--json", str(path)).json())

    def test_windows_line_ends_and_byte_order_mark(self, tmp_path: Path) -> None:
        """CRLF line ends and a UTF-8 byte order mark read like plain JSON lines."""
        path = tmp_path / "c.jsonl"
        path.write_bytes(b"\xef\xbb\xbf" + (CLEAN + "\r\n").encode() * 2)
        run = Run("check", str(path))
        assert (EXIT_OK, 2) == (run.status, run.out.count("0 error(s)"))

    def test_stdin(self) -> None:
        """- reads JSON lines from standard input, labelled <stdin>."""
        run = Run("check", "--json", "-", stdin=(LINES[1] + "\n" + CLEAN).encode())
        assert [("<stdin>", 1, False), ("<stdin>", 2, True)] == [
            (r["file"], r["line"], r["ok"]) for r in run.json()
        ]
        assert EXIT_ERRORS == run.status

    def test_each_report_is_written_before_the_next_line_is_read(self) -> None:
        """A report is printed (and flushed) as soon as its record is checked."""
        out = io.StringIO()
        seen: list[int] = []

        class Probe(io.BytesIO):
            def readline(self, size: int | None = -1) -> bytes:
                seen.append(out.getvalue().count("error(s)"))
                return super().readline(size)

        text = "\n".join([CLEAN, LINES[0], CLEAN]).encode()
        main(["check", "-"], stdout=out, stdin=Probe(text), stderr=io.StringIO())
        assert [0, 1, 2, 3] == seen

    def test_interrupt_ends_with_the_summary(self) -> None:
        """Ctrl-C while reading ends with the summary so far and status 130, no traceback."""

        class Interrupted(io.BytesIO):
            def readline(self, size: int | None = -1) -> bytes:
                if self.tell():
                    raise KeyboardInterrupt
                return super().readline(size)

        out, err = io.StringIO(), io.StringIO()
        status = main(
            ["check", "-"], stdout=out, stdin=Interrupted(CLEAN.encode() + b"\n{"), stderr=err
        )
        assert 130 == status
        assert 1 == out.getvalue().count("0 error(s)")
        assert "interrupted; 1 record(s) read" in err.getvalue()

    def test_bad_bytes_and_long_lines_are_one_record_each(
        self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A line that is not UTF-8 or is over the line limit is one unreadable record."""
        monkeypatch.setattr(_claim_files, "MAX_LINE_BYTES", len(CLEAN) + 10)
        path = tmp_path / "c.jsonl"
        long = "{" + " " * 40 + CLEAN[1:]
        path.write_bytes(b"\xff{}\n" + long.encode() + b"\n" + CLEAN.encode())
        rows = Run("check", "--json", str(path)).json()
        assert [1, 2, 3] == [r["line"] for r in rows]
        assert "is not UTF-8 text" in rows[0]["error"]["message"]
        assert f"is longer than {len(CLEAN) + 10} bytes" == rows[1]["error"]["message"]
        assert rows[2]["ok"]

    @pytest.mark.parametrize(
        ("record", "described"),
        [
            (f"[{LINES[0]}, {LINES[1]}]", "a JSON array of 2 items, not a claim object"),
            ('"PATIENT-123 NPI 1234567893"', "a JSON string, not a claim object"),
            ("12345", "a JSON number, not a claim object"),
            ("null", "a JSON null, not a claim object"),
            ("[" * 100_000 + "]" * 100_000, "nests deeper than 32 levels"),
            ('{"a": ' * 40 + "1" + "}" * 40, "nests deeper than 32 levels"),
        ],
    )
    def test_junk_record_is_named_not_echoed(
        self, tmp_path: Path, record: str, described: str
    ) -> None:
        """A record that is not a claim object is an error naming its line, short, content-free."""
        path = write(tmp_path / "c.jsonl", CLEAN, record)
        for args in ((), ("--json",)):
            run = Run("check", *args, str(path))
            assert EXIT_ERRORS == run.status
            assert described in run.out
            assert f"{path}:2" in run.out or '"line": 2' in run.out
            for secret in ("PATIENT-123", "1234567893", "PDN-MEDICARE-1", "lpn-shaw"):
                assert secret not in run.out
            assert len(run.out.splitlines()[-1]) < 500

    def test_records_in_equal_reports_out(self, tmp_path: Path) -> None:
        """Every record gets a report and the summary counts them: records in = reports out."""
        path = write(tmp_path / "c.jsonl", *LINES, "[]", "{", CLEAN)
        run = Run("check", "--json", str(path))
        rows = run.json()
        assert 7 == len(rows)
        assert "7 record(s) read: 4 claim(s) checked, 3 with errors, 3 unreadable" in run.err

    def test_memory_is_flat_in_input_size(self, tmp_path: Path) -> None:
        """Peak memory checking 4N records is about that of N: lines are read one at a time.

        Each record carries 30 kB of (valid JSON) blank space, so the input is
        large while checking stays quick; a reader holding the input would
        need its whole size.
        """
        pad = "{" + " " * 30_000
        pair = [pad + CLEAN[1:], pad + LINES[1][1:]]
        small = write(tmp_path / "small.jsonl", *(pair * 50))
        large = write(tmp_path / "large.jsonl", *(pair * 200))
        growth = large.stat().st_size - small.stat().st_size
        assert growth > 9_000_000

        def peak(path: Path) -> int:
            with open(os.devnull, "w") as sink:
                tracemalloc.start()
                try:
                    main(["check", str(path)], stdout=sink, stderr=io.StringIO())
                    return tracemalloc.get_traced_memory()[1]
                finally:
                    tracemalloc.stop()

        peak(small)  # first use loads the catalog and compiles the rule plans
        small_peak, large_peak = peak(small), peak(large)
        assert large_peak < small_peak + growth // 10, (small_peak, large_peak)
        assert large_peak < large.stat().st_size // 8, (small_peak, large_peak)


_JSONISH = st.one_of(
    st.binary(max_size=40),
    st.sampled_from([CLEAN, LINES[1], LINES[3], "[]", "{}", "[[", "\u2028", "null"]).map(
        str.encode
    ),
    st.text(alphabet='{}[]",:0123456789e.-truefalsn \\u2028\r', max_size=40).map(str.encode),
)


class TestAnyInput:
    @given(st.lists(_JSONISH, max_size=6))
    def test_jsonl_records_in_equal_reports_out(self, chunks: list[bytes]) -> None:
        """Whatever the bytes, every non-blank line is one report and the schema holds."""
        data = b"\n".join(chunks)
        run = Run("check", "--json", "-", stdin=data)
        rows = run.json()
        lines = data.removeprefix(b"\xef\xbb\xbf").split(b"\n")  # a byte order mark is no record
        expected = sum(1 for line in lines if line.strip())
        assert expected == len(rows)
        assert (EXIT_USAGE if expected == 0 else run.status) == run.status
        schema = TestJsonSchema.schema
        assert all(_conforms(r, schema, schema) for r in rows)
        assert f"{expected} record(s) read" in run.err

    @given(st.lists(_JSONISH, max_size=4), st.sampled_from(["json", "csv"]))
    def test_whole_documents_never_raise(self, chunks: list[bytes], fmt: str) -> None:
        """A whole JSON document or CSV of any bytes gives reports fitting the schema, or none."""
        run = Run("check", "--json", "--format", fmt, "-", stdin=b",\n".join(chunks))
        rows = run.json()
        schema = TestJsonSchema.schema
        assert all(_conforms(r, schema, schema) for r in rows)
        assert run.status == (EXIT_USAGE if not rows else run.status)
        assert f"{len(rows)} record(s) read" in run.err


class TestBatch:
    def overlapping_visits(self, tmp_path: Path) -> Path:
        """Worker W7 in two members' visits at once, each on its own claim (ND personal care)."""
        from hcpcs_home import Claim, ClaimLine, EvvVisit, payers

        def claim(member: str, start: str, stop: str) -> str:
            visit = EvvVisit(
                "T1019",
                "2024-03-05",
                member=member,
                start=start,
                stop=stop,
                location="12 Elm St, Fargo ND",
                worker="W7",
                method="mobile",
            )
            return claim_to_json(
                Claim(
                    payers.NORTH_DAKOTA_MEDICAID,
                    "2024-03-01",
                    "2024-03-31",
                    patient_id=member,
                    id=f"ND-{member}",
                    lines=[ClaimLine("T1019", "2024-03-05", 8)],
                    evv_visits=[visit],
                ),
                indent=None,
            )

        return write(
            tmp_path / "c.jsonl", claim("M100", "08:00", "12:00"), claim("M200", "11:00", "13:00")
        )

    def test_batch_sees_across_claims(self, tmp_path: Path) -> None:
        """--batch checks the claims together: one worker in two members' visits is found."""
        path = self.overlapping_visits(tmp_path)
        alone = Run("check", "--json", str(path)).json()
        together = Run("check", "--json", "--batch", str(path)).json()
        assert [[], []] == [
            [f for f in r["findings"] if f["rule_id"] == "worker-overlap"] for r in alone
        ]
        assert [1, 1] == [
            sum(f["rule_id"] == "worker-overlap" for f in r["findings"]) for r in together
        ]
        assert [(1, 1), (2, 2)] == [(r["line"], r["record"]) for r in together]

    def test_batch_keeps_every_record(self, tmp_path: Path) -> None:
        """--batch reports unreadable records in place: records in = reports out."""
        path = write(tmp_path / "c.jsonl", CLEAN, "[]", LINES[0])
        rows = Run("check", "--json", "--batch", str(path)).json()
        assert [(1, True), (2, False), (3, False)] == [(r["line"], r["ok"]) for r in rows]
        assert "error" in rows[1] and "findings" in rows[2]


class TestJsonDocument:
    def test_list_items_are_labelled_with_their_lines(self, tmp_path: Path) -> None:
        """Each claim of a pretty-printed list is labelled with the line where it starts."""
        claims = [json.loads(CLEAN), json.loads(LINES[0])]
        path = tmp_path / "c.json"
        path.write_text(json.dumps(claims, indent=2), "utf-8")
        starts = [i for i, line in enumerate(path.read_text().splitlines(), 1) if line == "  {"]
        rows = Run("check", "--json", str(path)).json()
        assert [(starts[0], 1, True), (starts[1], 2, False)] == [
            (r["line"], r["record"], r["ok"]) for r in rows
        ]

    def test_document_breaking_part_way(self, tmp_path: Path) -> None:
        """Claims before a fault are checked; the fault is one unreadable record at its line."""
        path = tmp_path / "c.json"
        path.write_text(f"[\n{CLEAN},\n{CLEAN}\n{CLEAN}]", "utf-8")
        rows = Run("check", "--json", str(path)).json()
        assert [(2, True), (3, True), (4, False)] == [(r["line"], r["ok"]) for r in rows]
        assert "expecting ',' or ']'" in rows[2]["error"]["message"]

    def test_one_claim_object(self, tmp_path: Path) -> None:
        """A document holding one claim object is one record; trailing junk is one more."""
        path = write(tmp_path / "c.json", "", CLEAN, "x")
        rows = Run("check", "--json", str(path)).json()
        assert [(2, True), (3, False)] == [(r["line"], r["ok"]) for r in rows]

    def test_size_bound(self, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
        """A document over MAX_DOCUMENT_BYTES is refused as one unreadable record."""
        monkeypatch.setattr(_claim_files, "MAX_DOCUMENT_BYTES", 100)
        run = Run("check", str(write(tmp_path / "c.json", CLEAN)))
        assert EXIT_ERRORS == run.status
        assert "is larger than 100 bytes" in run.out


#: hh-1 has no type of bill: a timesheet cannot carry the UB-04 header (admission date,
#: OC 50, VC 61/85, the 0023 HIPPS line) a Medicare 0329 claim needs to check clean.
#: hh-1 is billed to BCBS TX: to Medicare, visit lines without a type of bill are refused
#: (bill-type-missing).
TIMESHEET = """\
claim_id,payer,type_of_bill,patient_id,HCPCS,DOS,Time In,Time Out,Credential,staff,license,\
license_expiry,orders,poc,notes,charge
hh-1,bcbs-tx,,p1,Q5001,2024-03-04,,,,,,,yes,yes,yes,0.01
hh-2,bcbs-tx,,p2,S9124,2024-05-01,07:00,15:00,RN,rn-2,RN9,2026-01-01,yes,yes,yes,360
hh-1,bcbs-tx,,p1,G0299,2024-03-04,09:00,09:52,RN,rn-1,RN123,2026-01-01,yes,yes,yes,150
"""


class TestCsv:
    def test_timesheet_rows_grouped_into_claims(self, tmp_path: Path) -> None:
        """Rows are grouped by claim_id wherever they are; a claim is labelled by its first row."""
        path = tmp_path / "t.csv"
        path.write_text(TIMESHEET, "utf-8")
        run = Run("check", "--json", str(path))
        rows = run.json()
        assert [(2, "hh-1", True), (3, "hh-2", False)] == [
            (r["line"], r["claim"], r["ok"]) for r in rows
        ]
        assert ["credential-mismatch"] == [
            f["rule_id"] for f in rows[1]["findings"] if f["severity"] == "error"
        ][:1]
        assert EXIT_ERRORS == run.status
        clean = tmp_path / "clean.csv"
        clean.write_text("".join(TIMESHEET.splitlines(True)[i] for i in (0, 1, 3)), "utf-8")
        assert EXIT_OK == Run("check", str(clean)).status

    def test_bad_rows_are_records_of_their_own(self, tmp_path: Path) -> None:
        """A row that cannot be billed, lacks a claim id or has too many cells is one record."""
        bad = [
            "hh-3,medicare,0329,p3,G0299,2024-03-05,09:00,xx,RN,rn-1,RN1,2026-01-01,yes,yes,yes,1",
            ",medicare,0329,p4,G0299,2024-03-05,09:00,09:30,RN,rn-1,RN1,2026-01-01,yes,yes,yes,1",
            "hh-5,medicare,0329,p5,G0299,2024-03-05,09:00,09:30,RN,rn-1,RN1,2026-01-01,y,y,y,1,9",
        ]
        path = write(tmp_path / "t.csv", TIMESHEET.rstrip("\n"), "", *bad)
        run = Run("check", "--json", str(path))
        rows = run.json()
        assert [2, 3, 6, 7, 8] == [r["line"] for r in rows]
        assert [1, 2, 3, 4, 5] == [r["record"] for r in rows]
        assert "stop='xx'" in rows[2]["error"]["message"]
        assert "the row belongs to no claim" in rows[3]["error"]["message"]
        assert "has 17 cells; the header names 16 columns" == rows[4]["error"]["message"]
        assert "5 record(s) read: 2 claim(s) checked, 1 with errors, 3 unreadable" in run.err

    def test_header_naming_one_field_twice(self, tmp_path: Path) -> None:
        """Two columns for one field (code and HCPCS) are refused at the header's line."""
        path = write(tmp_path / "t.csv", "", "claim_id,code,HCPCS,DOS", "c1,S9124,S9124,2024-05-01")
        rows = Run("check", "--json", str(path)).json()
        assert [(2, False)] == [(r["line"], r["ok"]) for r in rows]
        assert rows[0]["error"]["message"].startswith("header: ")

    def test_payer_option_and_stdin(self) -> None:
        """--payer gives rows without a payer column their payer; - reads the CSV from stdin."""
        text = "claim_id,code,date,start,stop,credential\nc1,S9124,2024-05-01,07:00,15:00,RN\n"
        run = Run(
            "check", "--json", "--format", "csv", "--payer", "bcbs-tx", "-", stdin=text.encode()
        )
        assert ["<stdin>"] == [r["file"] for r in run.json()]
        assert "credential-mismatch" in {f["rule_id"] for f in run.json()[0]["findings"]}
        no_payer = Run("check", "--json", "--format", "csv", "-", stdin=text.encode()).json()
        assert "payer=None is required" in no_payer[0]["error"]["message"]
        unknown = Run("check", "--format", "csv", "--payer", "acme", "-", stdin=text.encode())
        assert (EXIT_USAGE, "", 1) == (unknown.status, unknown.out, len(unknown.err.splitlines()))

    def test_broken_quote(self, tmp_path: Path) -> None:
        """A CSV that stops being CSV is one unreadable record at its line, after the rest."""
        path = write(tmp_path / "t.csv", *TIMESHEET.splitlines()[:3], 'c9,"S9124', "x")
        rows = Run("check", "--json", str(path)).json()
        assert [(2, True), (3, False), (4, False)] == [(r["line"], r["ok"]) for r in rows]
        assert rows[2]["error"]["message"].startswith("is not CSV")

    def test_same_claims_as_the_dataframe_path(self, tmp_path: Path) -> None:
        """The CSV reader builds the claims claims_from_frame builds from the same rows."""
        pandas = pytest.importorskip("pandas")
        from hcpcs_home._claim_files import timesheet_csv
        from hcpcs_home.dataframes import claims_from_frame

        path = tmp_path / "t.csv"
        path.write_text(TIMESHEET, "utf-8")
        frame = pandas.read_csv(path, dtype=str)
        with open(path, "rb") as stream:
            from_csv = [r.claim for r in timesheet_csv(stream, str(path))]
        assert list(claims_from_frame(frame).claims) == from_csv

    def test_no_pandas_at_run_time(self, tmp_path: Path) -> None:
        """Checking a CSV timesheet never imports pandas (it is an optional extra)."""
        path = tmp_path / "t.csv"
        path.write_text(TIMESHEET, "utf-8")
        code = (
            "import sys; sys.modules['pandas'] = None\n"
            "from hcpcs_home.cli import main\n"
            f"status = main(['check', {str(path)!r}])\n"
            "sys.exit(10 + status)"
        )
        done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
        assert (11, "") == (done.returncode, done.stderr.split("hcpcs-home: 2 record")[0])


RIF_DIR = Path(os.environ.get("HCPCS_RIF_DIR", ROOT.parent / "shared" / "data" / "cms-rif-samples"))
RIF_HEADER = (
    "CLM_ID|BENE_ID|NCH_CLM_TYPE_CD|CLM_FROM_DT|CLM_THRU_DT|CLM_FAC_TYPE_CD|"
    "CLM_SRVC_CLSFCTN_TYPE_CD|CLM_FREQ_CD|PTNT_DSCHRG_STUS_CD|CLM_ADMSN_DT|"
    "REV_CNTR|REV_CNTR_DT|HCPCS_CD|REV_CNTR_UNIT_CNT|REV_CNTR_TOT_CHRG_AMT"
)


def _rif_row(claim: str, rev: str, code: str, day: str = "01-Mar-2024") -> str:
    return f"{claim}|1|10|01-Mar-2024|30-Mar-2024|3|2|9|30|01-Mar-2024|{rev}|{day}|{code}|1|10"


class TestRif:
    def test_claims_labelled_by_first_row(self, tmp_path: Path) -> None:
        """Each RIF claim is one record at its first row; a claim that cannot be read is one too."""
        path = write(
            tmp_path / "hha.txt",
            RIF_HEADER,
            _rif_row("7", "0023", "1FC21"),
            _rif_row("7", "0551", "G0299"),
            _rif_row("8", "0551", "G0299", day="31-Feb-2024"),
            _rif_row("9", "0551", "G0299"),
        )
        run = Run("check", "--json", "--format", "rif", str(path))
        rows = run.json()
        assert [(2, "7"), (4, None), (5, "9")] == [(r["line"], r.get("claim")) for r in rows]
        assert "'8'" in rows[1]["error"]["message"]
        assert "3 record(s) read: 2 claim(s) checked" in run.err

    def test_blank_rows_do_not_shift_labels(self, tmp_path: Path) -> None:
        """Blank lines between claims are counted: each claim keeps its own first row."""
        path = write(
            tmp_path / "hha.txt",
            RIF_HEADER,
            _rif_row("7", "0023", "1FC21"),
            "",
            _rif_row("7", "0551", "G0299"),
            "",
            "",
            _rif_row("9", "0551", "G0299"),
            _rif_row("8", "0551", "G0299", day="31-Feb-2024"),
            "",
            _rif_row("10", "0551", "G0299"),
        )
        rows = Run("check", "--json", "--format", "rif", str(path)).json()
        assert [(2, "7"), (7, "9"), (8, None), (10, "10")] == [
            (r["line"], r.get("claim")) for r in rows
        ]

    def test_unreadable_bytes_after_claims_are_labelled_after_them(self, tmp_path: Path) -> None:
        """Bytes that are not UTF-8 after good claims: one unreadable record, labelled with
        the row after the last claim read, not with that claim's own row."""
        rows = [_rif_row(str(n), "0551", "G0299") for n in range(1, 400)]
        path = tmp_path / "hha.txt"
        bad = _rif_row("x", "0551", "G0299").encode() + b"\xff\n"
        path.write_bytes("\n".join([RIF_HEADER, *rows]).encode() + b"\n" + bad)
        records = Run("check", "--json", "--format", "rif", str(path)).json()
        read, unreadable = records[:-1], records[-1]
        assert read and all("findings" in r for r in read)
        assert [r["line"] for r in read] == list(range(2, 2 + len(read)))
        assert "not UTF-8" in unreadable["error"]["message"]
        assert read[-1]["line"] + 1 == unreadable["line"]

    def test_not_a_rif_file(self, tmp_path: Path) -> None:
        """A file without the RIF columns is one unreadable record at its header."""
        rows = Run("check", "--json", "--format", "rif", str(write(tmp_path / "x", "a|b"))).json()
        assert [(1, False)] == [(r["line"], r["ok"]) for r in rows]
        assert "lacks the RIF column(s)" in rows[0]["error"]["message"]

    def test_not_from_standard_input(self) -> None:
        """RIF files are read by name: - is a usage error."""
        run = Run("check", "--format", "rif", "-", stdin=RIF_HEADER.encode())
        assert (EXIT_USAGE, "") == (run.status, run.out)

    def test_cms_samples(self) -> None:
        """CMS's synthetic RIF samples: every claim read and checked, none lost."""
        if not (RIF_DIR / "hha.csv").is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR} (set HCPCS_RIF_DIR)")
        run = Run("check", "--json", "--format", "rif", str(RIF_DIR / "hha.csv"))
        rows = run.json()
        assert 10 == len(rows)
        assert all("findings" in r for r in rows)
        assert [2, 4] == [r["line"] for r in rows[:2]]


def _conforms(value: Any, schema: dict[str, Any], root: dict[str, Any]) -> bool:
    """Whether ``value`` fits the parts of JSON Schema the documented schema uses."""
    if "$ref" in schema:
        return _conforms(value, root["$defs"][schema["$ref"].rsplit("/", 1)[1]], root)
    if "oneOf" in schema:
        return 1 == sum(_conforms(value, s, root) for s in schema["oneOf"])
    if "const" in schema and value != schema["const"]:
        return False
    if "enum" in schema and value not in schema["enum"]:
        return False
    types = {"string": str, "integer": int, "boolean": bool, "object": dict, "array": list}
    names = schema.get("type", [])
    if names and not any(
        (value is None) if n == "null" else isinstance(value, types[n])
        for n in ([names] if isinstance(names, str) else names)
    ):
        return False
    if isinstance(value, int) and value < schema.get("minimum", value):
        return False
    if isinstance(value, list):
        return all(_conforms(v, schema.get("items", {}), root) for v in value)
    if not isinstance(value, dict):
        return True
    props = schema.get("properties", {})
    extra = schema.get("additionalProperties", True)
    if not set(schema.get("required", ())) <= set(value):
        return False
    for key, item in value.items():
        sub = props.get(key, extra)
        if sub is False or (isinstance(sub, dict) and not _conforms(item, sub, root)):
            return False
    return True


class TestJsonSchema:
    schema = json.loads(SCHEMA.read_text("utf-8"))

    def test_output_matches_documented_schema(self, tmp_path: Path) -> None:
        """Every --json object, report or unreadable record, fits the documented schema."""
        path = write(tmp_path / "c.jsonl", *LINES, CLEAN, "[1]")
        rows = Run("check", "--json", str(path)).json()
        assert 6 == len(rows)
        assert all(_conforms(r, self.schema, self.schema) for r in rows), rows
        assert {"rule_id", "severity", "message", "line", "field", "suggestion", "fix"} <= set(
            rows[0]["findings"][0]
        )

    def test_schema_check_can_fail(self) -> None:
        """The schema check refuses an object with a missing, an extra or a mistyped key."""
        row = Run("check", "--json", str(EXAMPLES / "claim.json")).json()[0]
        assert _conforms(row, self.schema, self.schema)
        for bad in ({**row, "extra": 1}, {**row, "line": "1"}, {**row, "line": 0}):
            assert not _conforms(bad, self.schema, self.schema)
        del row["claim"]
        assert not _conforms(row, self.schema, self.schema)


class TestOutputs:
    """``--output text|json|jsonl|csv``: one serialization, Finding.to_data()."""

    def test_a_finding_is_what_the_library_says(self) -> None:
        """Each finding of the JSON output is exactly Finding.to_data() of the library's check."""
        from hcpcs_home import check

        claim = claim_from_json(LINES[0])
        (row,) = Run("check", "--output", "jsonl", "-", stdin=LINES[0].encode()).json()
        assert [f.to_data() for f in check(claim)] == row["findings"]
        assert row["findings"], "the example claim has findings"

    def test_json_is_an_alias_of_jsonl(self, tmp_path: Path) -> None:
        """``--json`` prints what ``--output jsonl`` prints."""
        path = write(tmp_path / "c.jsonl", *LINES)
        assert (
            Run("check", "--json", str(path)).out
            == Run("check", "--output", "jsonl", str(path)).out
        )

    def test_json_document_lists_every_record(self, tmp_path: Path) -> None:
        """``--output json`` is one document holding the jsonl objects, in order, each
        fitting the schema; no records is an empty list."""
        path = write(tmp_path / "c.jsonl", *LINES, CLEAN, "[1]")
        document = json.loads(Run("check", "--output", "json", str(path)).out)
        assert Run("check", "--output", "jsonl", str(path)).json() == document
        schema = TestJsonSchema.schema
        assert 6 == len(document) and all(_conforms(r, schema, schema) for r in document)
        empty = Run("check", "--output", "json", "-", stdin=b"")
        assert ("[]\n", EXIT_USAGE) == (empty.out, empty.status)

    def test_csv_is_one_row_per_finding(self, tmp_path: Path) -> None:
        """``--output csv``: a row per finding with its data; a clean claim and an
        unreadable record are one row each, finding columns empty."""
        import csv

        path = write(tmp_path / "c.jsonl", LINES[0], CLEAN, "[1]")
        run = Run("check", "--output", "csv", str(path))
        rows = list(csv.DictReader(io.StringIO(run.out)))
        (first,) = Run("check", "--output", "jsonl", "-", stdin=LINES[0].encode()).json()
        findings = first["findings"]
        assert len(findings) + 2 == len(rows)
        for row, f in zip(rows, findings, strict=False):
            assert (f["rule_id"], f["severity"], f["message"]) == (
                row["rule_id"],
                row["severity"],
                row["message"],
            )
            assert ("" if f["line"] is None else str(f["line"])) == row["line"]
            assert "; ".join(f"{k}={v}" for k, v in f["fix"].items()) == row["fix"]
            assert ("1", "false") == (row["file_line"], row["ok"])
        # The clean claim's one row is its note that it is dated after the bundled CMS release.
        clean, unreadable = rows[-2:]
        assert ("2", "true", "release-out-of-date", "") == (
            clean["file_line"],
            clean["ok"],
            clean["rule_id"],
            clean["error"],
        )
        assert ("3", "false", "$") == (
            unreadable["file_line"],
            unreadable["ok"],
            unreadable["error_field"],
        )
        assert unreadable["error"]

    def test_text_is_the_default(self, tmp_path: Path) -> None:
        """Without --output, reports are for people, as with ``--output text``."""
        path = write(tmp_path / "c.jsonl", *LINES)
        assert Run("check", str(path)).out == Run("check", "--output", "text", str(path)).out

    def test_an_unknown_output_is_a_usage_error(self) -> None:
        """``--output xml`` stops with exit status 2."""
        assert EXIT_USAGE == Run("check", "--output", "xml", "-").status


def _saved_rules(tmp_path: Path, **renamed: str) -> Path:
    """A rules file holding default rules under new ids (old id -> new id)."""
    data = DEFAULT_RULES.to_data()
    rules = []
    for rule in data["rules"]:
        if rule["id"] in renamed:
            rules.append({**rule, "id": renamed[rule["id"]]})
    path = tmp_path / "rules.json"
    path.write_text(json.dumps({**data, "rules": rules}), "utf-8")
    return path


class TestRuleOptions:
    def test_rules_add_to_the_defaults(self, tmp_path: Path) -> None:
        """--rules adds its rules; the defaults still run."""
        saved = _saved_rules(tmp_path, **{"credential-mismatch": "my-credential-check"})
        run = Run("check", "--rules", str(saved), str(EXAMPLES / "claims.jsonl"))
        assert "my-credential-check" in run.out
        assert "credential-mismatch" in run.out
        assert "payer-code-not-accepted" in run.out

    def test_no_default_rules_replaces_them(self, tmp_path: Path) -> None:
        """--no-default-rules checks with the file's rules only."""
        saved = _saved_rules(tmp_path, **{"credential-mismatch": "my-credential-check"})
        run = Run(
            "check", "--no-default-rules", "--rules", str(saved), str(EXAMPLES / "claims.jsonl")
        )
        assert "my-credential-check" in run.out
        assert "credential-mismatch" not in run.out
        assert "payer-code-not-accepted" not in run.out

    def test_rule_with_a_default_id_replaces_it(self, tmp_path: Path) -> None:
        """A saved rule with a default rule's id replaces that rule, once."""
        saved = tmp_path / "rules.json"
        saved.write_text(DEFAULT_RULES.to_json(), "utf-8")
        run = Run("check", "--rules", str(saved), str(EXAMPLES / "claims.jsonl"))
        assert Run("check", str(EXAMPLES / "claims.jsonl")).out == run.out

    def test_a_saved_table_stays_one_rule(self, tmp_path: Path) -> None:
        """A rules file holding an edit table (``TableRule``) adds it as one table, not
        a rule per row; a second file's table of the same id replaces it whole."""
        from hcpcs_home.cli import _rule_set
        from hcpcs_home.edits import load_edits
        from hcpcs_home.policy import RuleSet, TableRule

        saved = load_edits(EXAMPLES / "edits.csv", base=RuleSet())
        path = tmp_path / "edits.json"
        path.write_text(saved.to_json(), "utf-8")
        fewer = tmp_path / "fewer.json"
        fewer.write_text(saved.remove("example-t1000-day").to_json(), "utf-8")
        args = _parser().parse_args(
            ["check", "--rules", str(path), "--rules", str(fewer), str(EXAMPLES / "claim.json")]
        )
        rules = _rule_set(args)
        assert isinstance(rules.rules[-1], TableRule) and "edits" == rules.rules[-1].id
        assert len(DEFAULT_RULES.rules) + 1 == len(rules.rules)
        assert len(DEFAULT_RULES) + len(saved) - 1 == len(rules)
        assert "example-t1000-day" not in rules and "example-t1019-week-units-week" in rules

    @pytest.mark.parametrize(
        ("content", "message"),
        [
            (None, "No such file or directory"),
            ("{", "is not valid JSON"),
            ('{"rules": [{"id": "x", "when": "no-such-predicate"}]}', "$.rules[0]"),
        ],
    )
    def test_bad_rules_file_is_one_line_exit_two(
        self, tmp_path: Path, content: str | None, message: str
    ) -> None:
        """An unreadable rules file is a one-line error and exit 2, before anything is checked."""
        path = tmp_path / "rules.json"
        if content is not None:
            path.write_text(content, "utf-8")
        run = Run("check", "--rules", str(path), str(EXAMPLES / "claim.json"))
        assert (EXIT_USAGE, "", 1) == (run.status, run.out, len(run.err.splitlines()))
        assert message in run.err and "rules file" in run.err

    def test_edits_add_payer_edit_rows(self, tmp_path: Path) -> None:
        """--edits adds an edit file's rules to the defaults (alone with --no-default-rules)."""
        edits = tmp_path / "edits.csv"
        edits.write_text(
            "id,codes,max_units_line,severity,source\n"
            "four-hours-a-line,S9124,4,error,Example plan manual 1.2\n",
            "utf-8",
        )
        claims = str(EXAMPLES / "claims.jsonl")
        assert "four-hours-a-line" not in Run("check", claims).out
        both = Run("check", "--edits", str(edits), claims).out
        assert "four-hours-a-line" in both and "credential-mismatch" in both
        alone = Run("check", "--no-default-rules", "--edits", str(edits), claims).out
        assert "four-hours-a-line" in alone and "credential-mismatch" not in alone

    @pytest.mark.parametrize("content", [None, "garbage,x\n"])
    def test_bad_edits_file_is_one_line_exit_two(self, tmp_path: Path, content: str | None) -> None:
        """An edits file that cannot be read or has bad rows is one line and exit 2."""
        path = tmp_path / "edits.csv"
        if content is not None:
            path.write_text(content, "utf-8")
        run = Run("check", "--edits", str(path), str(EXAMPLES / "claim.json"))
        assert (EXIT_USAGE, "", 1) == (run.status, run.out, len(run.err.splitlines()))
        assert "edits file" in run.err

    def test_no_default_rules_needs_rules(self) -> None:
        """--no-default-rules without --rules would check nothing: a usage error."""
        run = Run("check", "--no-default-rules", str(EXAMPLES / "claim.json"))
        assert (EXIT_USAGE, "") == (run.status, run.out)


def _options() -> Iterator[tuple[str, argparse.Action]]:
    parser = _parser()
    for action in parser._actions:
        if not isinstance(action, argparse._SubParsersAction):
            yield "hcpcs-home", action
        else:
            for name, sub in action.choices.items():
                for option in sub._actions:
                    yield name, option


class TestHelpAndVersion:
    def test_version(self, capsys: pytest.CaptureFixture[str]) -> None:
        """--version prints the package version and exits 0."""
        assert EXIT_OK == main(["--version"])
        assert f"hcpcs-home {__version__}\n" == capsys.readouterr().out

    @pytest.mark.parametrize(("command", "option"), list(_options()))
    def test_every_option_has_help(self, command: str, option: argparse.Action) -> None:
        """Every option and argument of every subcommand says what it is for."""
        assert option.help, (command, option.dest)

    def test_every_subcommand_has_help(self) -> None:
        """Every subcommand has a one-line help in the command list."""
        parser = _parser()
        (sub,) = [a for a in parser._actions if isinstance(a, argparse._SubParsersAction)]
        assert {"check", "history", "lookup", "price", "units", "rules", "catalog"} == {
            c.dest for c in sub._choices_actions
        }
        assert all(c.help for c in sub._choices_actions)


class TestProcess:
    def test_python_dash_m(self) -> None:
        """python -m hcpcs_home runs the same command line."""
        done = subprocess.run(
            [sys.executable, "-m", "hcpcs_home", "units", "G0129", "45"],
            capture_output=True,
            text=True,
            check=True,
        )
        assert "1\n" == done.stdout

    def test_missing_rules_file_prints_no_traceback(self, tmp_path: Path) -> None:
        """--rules missing.json ends with one line on stderr and exit 2, no traceback."""
        done = subprocess.run(
            [
                *(sys.executable, "-m", "hcpcs_home", "check", "--rules", str(tmp_path / "m.json")),
                str(EXAMPLES / "claim.json"),
            ],
            capture_output=True,
            text=True,
        )
        assert (EXIT_USAGE, "", 1) == (done.returncode, done.stdout, len(done.stderr.splitlines()))

    def test_closed_pipe_ends_quietly(self, tmp_path: Path) -> None:
        """A reader closing early (| head -1) ends the command quietly, with the status so far."""
        path = write(tmp_path / "c.jsonl", *([LINES[0]] * 2000))
        with subprocess.Popen(
            [sys.executable, "-m", "hcpcs_home", "check", str(path)],
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        ) as proc:
            assert proc.stdout is not None and proc.stderr is not None
            first = proc.stdout.readline()
            proc.stdout.close()
            err = proc.stderr.read().decode()
            status = proc.wait(timeout=120)
        assert first.startswith(str(path).encode() + b":1: ")
        assert "Traceback" not in err and "BrokenPipe" not in err, err
        assert EXIT_ERRORS == status
        assert [True] == [
            line.startswith("hcpcs-home: output closed; ") for line in err.splitlines()
        ]


class TestOtherCommands:
    def test_units_with_payer_policy(self) -> None:
        """units uses a payer profile's unit policy (CSHCN complete hours, Missouri complete
        quarter hours)."""
        run = Run("units", "S9124", "505", "--payer", "tx-medicaid-cshcn")
        assert (EXIT_OK, "8\n") == (run.status, run.out)
        run = Run("units", "T1019", "505", "--payer", "mo-medicaid")
        assert (EXIT_OK, "33\n") == (run.status, run.out)

    @pytest.mark.parametrize(
        ("args", "message"),
        [
            (("lookup", "S9130"), "S9130"),
            (("lookup", "G0154", "--on", "2024-01-01"), "G0154"),
            (("units", "S9124", "-5"), "minutes"),
            (("units", "S9124", "60", "--payer", "nobody"), "nobody"),
        ],
    )
    def test_errors_exit_two_with_one_line(self, args: tuple[str, ...], message: str) -> None:
        """A bad code, date, minutes or payer exits 2 with the library's one-line message."""
        run = Run(*args)
        assert (EXIT_USAGE, "", 1) == (run.status, run.out, len(run.err.splitlines()))
        assert message in run.err

    def test_lookup_terminated(self) -> None:
        """lookup shows termination and replacement codes."""
        assert "terminated 2016-02-29 (use G0299 G0300)" in Run("lookup", "G0154").out

    def test_lookup_uncurated_code_says_so(self) -> None:
        """A code known only from the CMS release is shown as such, not with credentials
        and revenue codes the catalog never reviewed; a curated code shows them."""
        out = Run("lookup", "A4206").out
        assert "not curated: known from the CMS release only" in out
        assert "source: CMS HCPCS Level II file" in out
        assert "payer-defined" not in out and "payer-specific" not in out
        curated = Run("lookup", "S9123").out
        assert "credentials: RN; revenue codes: 0552" in curated
        assert "not curated" not in curated

    def test_lookup_json(self) -> None:
        """lookup --json prints the code's summary as one JSON object."""
        assert "S9124" == json.loads(Run("lookup", "--json", "s9124").out)["code"]

    def test_rules_lists_ids(self) -> None:
        """rules lists every default rule id."""
        run = Run("rules")
        assert all(r.id in run.out for r in DEFAULT_RULES)

    def test_rules_json_says_what_each_needs(self) -> None:
        """rules --json names what each rule needs (the chart rules: "chart")."""
        rows = {r["id"]: r for r in map(json.loads, Run("rules", "--json").out.splitlines())}
        assert ["chart"] == rows["time-not-documented"]["needs"]
        assert [] == rows["unknown-code"]["needs"]


class TestBatchAcrossFiles:
    def overlapping(self, tmp_path: Path) -> tuple[Path, Path]:
        """Two files, each a claim of one member, with worker W7 in both at 11:00."""
        from hcpcs_home import Claim, ClaimLine, EvvVisit, payers

        paths = []
        for member, start, stop in (("M1", "08:00", "12:00"), ("M2", "11:00", "13:00")):
            visit = EvvVisit(
                "T1019",
                "2024-03-04",
                member=member,
                start=start,
                stop=stop,
                location="1 Main St",
                worker="W7",
                method="mobile",
            )
            claim = Claim(
                payers.NORTH_DAKOTA_MEDICAID,
                "2024-03-01",
                "2024-03-31",
                patient_id=member,
                id=member,
                evv_visits=[visit],
                lines=[ClaimLine("T1019", "2024-03-04", 4)],
            )
            paths.append(write(tmp_path / f"{member}.jsonl", claim_to_json(claim, indent=None)))
        return paths[0], paths[1]

    def test_batch_sees_across_files(self, tmp_path: Path) -> None:
        """--batch checks the claims of every file together: the overlap is on both reports."""
        first, second = self.overlapping(tmp_path)
        alone = Run("check", "--json", str(first), str(second))
        together = Run("check", "--json", "--batch", str(first), str(second))
        rules = [[f["rule_id"] for f in r["findings"]] for r in together.json()]
        assert [["worker-overlap"], ["worker-overlap"]] == [
            [x for x in r if x == "worker-overlap"] for r in rules
        ]
        assert all(
            "worker-overlap" not in [f["rule_id"] for f in r["findings"]] for r in alone.json()
        )
        # Alone, each claim is clean: its lines carry no chart, and EVV backs their time.
        # Together, the worker's overlap is a warning: no payer action for it is published.
        assert (EXIT_OK, EXIT_OK) == (together.status, alone.status)
        assert {"warning"} == {
            f["severity"]
            for r in together.json()
            for f in r["findings"]
            if f["rule_id"] == "worker-overlap"
        }


class TestCatalogLoad:
    """``hcpcs-home catalog load FILE`` installs a CMS release that later commands use."""

    @pytest.mark.parametrize(
        ("name", "codes", "modifiers", "release"),
        [
            ("HCPC2020_ANWEB_w_disclaimer.txt", 6710, 369, "2020 annual"),
            ("HCPC2020_OCT_anweb.xlsx", 6825, 371, "2020 October quarterly"),
        ],
    )
    def test_load(
        self,
        cms_dir: Path,
        data_dir: Path,
        name: str,
        codes: int,
        modifiers: int,
        release: str,
    ) -> None:
        """Loading the 2020 TXT or the October workbook installs every code the CMS file
        holds, and the catalog in use is that release from then on."""
        from hcpcs_home import default_catalog
        from hcpcs_home._cms_file import read_cms_records

        run = Run("catalog", "load", str(cms_dir / name))

        assert EXIT_OK == run.status, run.err
        assert f"loaded CMS {release}: {codes} codes, {modifiers} modifiers" in run.out
        in_file = sorted(r.code for r in read_cms_records(cms_dir / name) if not r.is_modifier)
        used = default_catalog().release
        assert used is not None and release == used.name
        assert tuple(in_file) == used.code_ids()
        shown = Run("catalog", "show")
        assert f"CMS {release}: {codes} codes" in shown.out
        assert str(data_dir) in shown.out

    def test_g2001_known_after_loading_the_annual_file(self, cms_dir: Path, data_dir: Path) -> None:
        """A code the 2020 annual file adds looks up on the command line once it is loaded."""
        assert (
            EXIT_OK
            == Run("catalog", "load", str(cms_dir / "HCPC2020_ANWEB_w_disclaimer.txt")).status
        )
        run = Run("lookup", "G2001", "--on", "2020-06-01")
        assert EXIT_OK == run.status
        assert run.out.startswith("G2001 (HCPCS Level II)")

    def test_bad_file_writes_nothing(self, tmp_path: Path, data_dir: Path) -> None:
        """A file that is not a CMS file is refused with its name and first bad record, and
        no release is written."""
        bad = write(tmp_path / "codes.txt", "Disclaimer", "G0151000103Therapy visit", "Z99.81")
        run = Run("catalog", "load", str(bad))

        assert EXIT_USAGE == run.status
        assert "codes.txt:" in run.err
        assert not data_dir.exists() or not any(data_dir.rglob("*.tsv"))
        assert "bundled with hcpcs_home" in Run("catalog", "show").out

    def test_truncated_workbook_keeps_the_loaded_release(
        self, cms_dir: Path, tmp_path: Path, data_dir: Path
    ) -> None:
        """A truncated workbook is refused and the release loaded before stays in use."""
        assert (
            EXIT_OK
            == Run("catalog", "load", str(cms_dir / "HCPC2020_ANWEB_w_disclaimer.txt")).status
        )
        cut = tmp_path / "HCPC2021_JAN_ANWEB.xlsx"
        cut.write_bytes((cms_dir / "HCPC2020_OCT_anweb.xlsx").read_bytes()[:100_000])
        run = Run("catalog", "load", str(cut))

        assert EXIT_USAGE == run.status
        assert "HCPC2021_JAN_ANWEB.xlsx" in run.err and "truncated" in run.err
        assert "CMS 2020 annual" in Run("catalog", "show").out
        assert 1 == len(list((data_dir / "releases").iterdir()))
