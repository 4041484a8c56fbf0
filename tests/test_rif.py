"""Tests for the CCW RIF claim reader (hcpcs_home.rif): CMS's samples and generated files."""

from __future__ import annotations

import csv
import datetime as dt
import os
import pickle
import re
from decimal import Decimal
from pathlib import Path

import pytest

from hcpcs_home import Claim, InvalidFieldError, rif
from hcpcs_home.rif import RifError, read_claims

#: CMS's synthetic RIF samples live beside the project, never inside it.
RIF_DIR = Path(
    os.environ.get(
        "HCPCS_RIF_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-rif-samples",
    )
)

HEADER = [
    "DML_IND",
    "BENE_ID",
    "CLM_ID",
    "NCH_CLM_TYPE_CD",
    "CLM_FROM_DT",
    "CLM_THRU_DT",
    "CLM_FAC_TYPE_CD",
    "CLM_SRVC_CLSFCTN_TYPE_CD",
    "CLM_FREQ_CD",
    "PTNT_DSCHRG_STUS_CD",
    "CLM_ADMSN_DT",
    "CLM_HHA_RFRL_CD",
    "CLM_LINE_NUM",
    "REV_CNTR",
    "REV_CNTR_DT",
    "HCPCS_CD",
    "HCPCS_1ST_MDFR_CD",
    "HCPCS_2ND_MDFR_CD",
    "REV_CNTR_UNIT_CNT",
    "REV_CNTR_TOT_CHRG_AMT",
]


def row(claim: str, line: int, rev: str, day: str, code: str, **over: str) -> dict[str, str]:
    base = {
        "DML_IND": "INSERT",
        "BENE_ID": "-1",
        "CLM_ID": claim,
        "NCH_CLM_TYPE_CD": "10",
        "CLM_FROM_DT": "01-Mar-2024",
        "CLM_THRU_DT": "30-Mar-2024",
        "CLM_FAC_TYPE_CD": "3",
        "CLM_SRVC_CLSFCTN_TYPE_CD": "2",
        "CLM_FREQ_CD": "9",
        "PTNT_DSCHRG_STUS_CD": "30",
        "CLM_ADMSN_DT": "01-Mar-2024",
        "CLM_HHA_RFRL_CD": "1",
        "CLM_LINE_NUM": str(line),
        "REV_CNTR": rev,
        "REV_CNTR_DT": day,
        "HCPCS_CD": code,
        "HCPCS_1ST_MDFR_CD": "",
        "HCPCS_2ND_MDFR_CD": "",
        "REV_CNTR_UNIT_CNT": "1",
        "REV_CNTR_TOT_CHRG_AMT": "0.00",
    }
    base.update(over)
    return base


def write(path: Path, rows: list[dict[str, str]], delimiter: str = "|") -> Path:
    with path.open("w", newline="", encoding="utf-8") as out:
        writer = csv.DictWriter(out, HEADER, delimiter=delimiter, lineterminator="\n")
        writer.writeheader()
        writer.writerows(rows)
    return path


def accounted(found: list[Claim | RifError]) -> int:
    """Rows out: every claim's lines plus every error's rows."""
    return sum(len(x.rows) if isinstance(x, RifError) else len(x.lines) for x in found)


def clean_rows() -> list[dict[str, str]]:
    return [
        row("A1", 1, "0023", "01-Mar-2024", "1FC21"),
        row("A1", 2, "0551", "01-Mar-2024", "Q5001", REV_CNTR_TOT_CHRG_AMT="0.01"),
        row("A1", 3, "0551", "01-Mar-2024", "G0299", REV_CNTR_UNIT_CNT="4"),
        row("A1", 4, "0421", "05-Mar-2024", "G0151", HCPCS_1ST_MDFR_CD="GP"),
        row("A1", 5, "0001", "", "", REV_CNTR_TOT_CHRG_AMT="150.01"),
        row("B2", 1, "0551", "20240402", "G0299", CLM_FROM_DT="20240331", CLM_THRU_DT="20240429"),
    ]


class TestCmsSamples:
    """CMS's own synthetic RIF samples: every row read, none lost."""

    @pytest.mark.parametrize(
        ("name", "claims", "rows"), [("hha.csv", 10, 11), ("hospice.csv", 1, 8)]
    )
    def test_every_row_accounted_for(self, name: str, claims: int, rows: int) -> None:
        """Claims x lines in = lines out, and each CLM_ID is one claim."""
        path = RIF_DIR / name
        if not path.is_file():
            pytest.skip(
                f"CMS RIF samples not found at {RIF_DIR}: set HCPCS_RIF_DIR to a folder holding "
                "hha.csv and hospice.csv (CMSgov/beneficiary-fhir-data RIF samples)"
            )
        with path.open(encoding="utf-8") as f:
            data = list(csv.DictReader(f, delimiter="|"))
        found = list(read_claims(path))
        assert rows == len(data) == accounted(found)
        assert claims == len({r["CLM_ID"] for r in data}) == len(found)
        assert [] == [x for x in found if isinstance(x, RifError)]

    @pytest.mark.parametrize("name", ["hha.csv", "hospice.csv"])
    def test_a_quote_at_the_start_of_any_cell(self, name: str, tmp_path: Path) -> None:
        """A '"' opening a cell is a plain character: every claim is still read, or the row
        is named in its claim's error and the other claims read as before."""
        path = RIF_DIR / name
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        lines = path.read_text(encoding="utf-8").splitlines()
        header = lines[0].split("|")
        read = set(rif._REQUIRED) | set(rif._CLAIM_COLUMNS) | {"HCPCS_1ST_MDFR_CD"}
        columns = [i for i, c in enumerate(header) if c in read] + [0, len(header) - 1]
        baseline = list(rif._numbered_claims(path))
        assert not [x for _, _, x in baseline if isinstance(x, RifError)]
        for at in range(1, len(lines)):
            for column in columns:
                cells = lines[at].split("|")
                cells[column] = '"' + cells[column]
                mutated = tmp_path / name
                mutated.write_text("\n".join([*lines[:at], "|".join(cells), *lines[at + 1 :]]))
                found = list(read_claims(mutated))
                assert len(lines) - 1 == accounted(found)
                errors = [x for x in found if isinstance(x, RifError)]
                assert len(errors) <= 1
                for error in errors:
                    assert at + 1 in error.rows
                    assert re.search(rf"\brow {at + 1}\b", str(error.errors))
                if not errors:
                    assert len(baseline) == len(found)
                # Every claim without the changed row reads as before.
                others = [c for first, last, c in baseline if not first <= at + 1 <= last]
                assert [c for c in others if c not in found] == [], (at, header[column])

    def test_header_total_is_read(self) -> None:
        """CLM_TOT_CHRG_AMT is each sample claim's total_charge (it differs from the lines)."""
        path = RIF_DIR / "hha.csv"
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        with path.open(encoding="utf-8") as f:
            totals = {
                r["CLM_ID"]: Decimal(r["CLM_TOT_CHRG_AMT"])
                for r in csv.DictReader(f, delimiter="|")
            }
        claims = [c for c in read_claims(path) if isinstance(c, Claim)]
        assert totals == {c.id: c.billed_total for c in claims}
        assert all(c.total_charge is not None for c in claims)

    @pytest.mark.parametrize("name", ["hha.csv", "hospice.csv"])
    def test_header_total_finding(self, name: str) -> None:
        """Each sample claim whose CLM_TOT_CHRG_AMT is not its lines' sum gets one
        total-charge-mismatch error (11 of 11 claims)."""
        from hcpcs_home import check

        path = RIF_DIR / name
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        for claim in read_claims(path):
            assert isinstance(claim, Claim)
            found = [f for f in check(claim) if f.rule_id == "total-charge-mismatch"]
            assert (claim.total_charge is not None) == (len(found) == 1), claim.id
            assert claim.total_charge is not None

    def test_hha_sample_values(self) -> None:
        """The first HHA sample claim reads as CMS wrote it (TOB 0339, status 01, G0402 on 0023)."""
        path = RIF_DIR / "hha.csv"
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        first = next(read_claims(path))
        assert isinstance(first, Claim)
        assert ("-100000531", "0339", "01", dt.date(2015, 10, 6)) == (
            first.id,
            first.type_of_bill,
            first.patient_status,
            first.admission_date,
        )
        assert [("0023", "G0402", "HC"), ("0023", "H2000", "HC")] == [
            (li.revenue_code, li.code, li.qualifier) for li in first.lines
        ]

    def test_hospice_sample_start_date(self) -> None:
        """A hospice claim's admission date is CLM_HOSPC_START_DT_ID."""
        path = RIF_DIR / "hospice.csv"
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        (claim,) = read_claims(path)
        assert isinstance(claim, Claim)
        assert ("0811", dt.date(2020, 11, 22)) == (claim.type_of_bill, claim.admission_date)


class TestGenerated:
    def test_clean_file(self, tmp_path: Path) -> None:
        """A clean file gives its claims: HIPPS line, modifiers, YYYYMMDD dates, the total line."""
        found = list(read_claims(write(tmp_path / "hha.csv", clean_rows())))
        a, b = found
        assert isinstance(a, Claim) and isinstance(b, Claim)
        assert ("0329", "30", "1", 5) == (
            a.type_of_bill,
            a.patient_status,
            a.point_of_origin,
            len(a.lines),
        )
        assert ("HP", ("GP",), Decimal("150.01")) == (
            a.lines[0].qualifier,
            a.lines[3].modifiers,
            a.lines[4].charge,
        )
        assert dt.date(2024, 3, 30) == a.lines[4].date  # the total line takes CLM_THRU_DT
        assert dt.date(2024, 3, 31) == b.statement_from

    @pytest.mark.parametrize("delimiter", ["|", "\t", ","])
    def test_delimiters(self, tmp_path: Path, delimiter: str) -> None:
        """Pipe, tab and comma files read the same."""
        found = list(read_claims(write(tmp_path / "f.txt", clean_rows(), delimiter)))
        assert [5, 1] == [len(c.lines) for c in found if isinstance(c, Claim)]

    @pytest.mark.parametrize(
        ("bad", "field"),
        [
            ({"REV_CNTR_DT": "31-Feb-2024"}, "row 3/REV_CNTR_DT"),
            ({"HCPCS_CD": "G02"}, "row 3/HCPCS_CD"),
            ({"REV_CNTR_UNIT_CNT": "four"}, "row 3/REV_CNTR_UNIT_CNT"),
            ({"REV_CNTR_TOT_CHRG_AMT": "-5"}, "row 3/REV_CNTR_TOT_CHRG_AMT"),
            ({"CLM_THRU_DT": "31-Mar-2024"}, "row 3/CLM_THRU_DT"),
            ({"REV_CNTR": "551X"}, "row 3/REV_CNTR"),
            ({"REV_CNTR_DT": ""}, "row 3/REV_CNTR_DT"),
        ],
    )
    def test_bad_row_makes_its_claim_an_error(
        self, tmp_path: Path, bad: dict[str, str], field: str
    ) -> None:
        """A bad row yields an error naming the row and column; its claim's rows are all in it."""
        rows = clean_rows()
        rows[1].update(bad)
        found = list(read_claims(write(tmp_path / "hha.csv", rows)))
        error, other = found
        assert isinstance(error, RifError) and isinstance(other, Claim)
        assert (("A1", (2, 3, 4, 5, 6)), [field]) == (
            (error.claim_id, error.rows),
            [e.field for e in error.errors],  # type: ignore[attr-defined]
        )
        assert len(rows) == accounted(found)

    def test_whole_claim_errors(self, tmp_path: Path) -> None:
        """Claim-level problems (claim type, TOB, status) are errors for the whole claim."""
        rows = [
            row("C1", 1, "0551", "01-Mar-2024", "G0299", NCH_CLM_TYPE_CD="40"),
            row("C2", 1, "0551", "01-Mar-2024", "G0299", PTNT_DSCHRG_STUS_CD="3O"),
            row("C3", 1, "0551", "01-Mar-2024", "G0299", CLM_FREQ_CD="99"),
            row("C4", 1, "0551", "01-Mar-2024", "G0299", CLM_FROM_DT="31-Mar-2024"),
        ]
        found = list(read_claims(write(tmp_path / "x.csv", rows)))
        assert 4 == len(found) == accounted(found)
        assert [
            ["row 2/NCH_CLM_TYPE_CD"],
            ["row 3/PTNT_DSCHRG_STUS_CD"],
            ["row 4/CLM_FAC_TYPE_CD+CLM_SRVC_CLSFCTN_TYPE_CD+CLM_FREQ_CD"],
            ["row 5/CLM_THRU_DT"],
        ] == [[e.field for e in x.errors] for x in found if isinstance(x, RifError)]  # type: ignore[attr-defined]

    def test_claim_rows_split_apart(self, tmp_path: Path) -> None:
        """A CLM_ID whose rows are not together is an error for the later run, never merged."""
        rows = clean_rows()
        rows.append(row("A1", 6, "0571", "06-Mar-2024", "G0156"))
        found = list(read_claims(write(tmp_path / "x.csv", rows)))
        assert isinstance(found[-1], RifError)
        assert ((8,), "row 8/CLM_ID") == (found[-1].rows, found[-1].errors[0].field)  # type: ignore[attr-defined]
        assert len(rows) == accounted(found)

    def test_blank_lines_are_not_rows(self, tmp_path: Path) -> None:
        """Blank lines (a trailing newline, a gap) are skipped; row numbers stay file lines."""
        path = write(tmp_path / "x.csv", clean_rows())
        lines = path.read_text("utf-8").splitlines()
        path.write_text("\n".join([*lines[:3], "", *lines[3:], "", ""]), "utf-8")
        found = list(read_claims(path))
        assert [5, 1] == [len(c.lines) for c in found if isinstance(c, Claim)]

    def test_short_row(self, tmp_path: Path) -> None:
        """A row with the wrong number of cells is an error for its claim, not dropped."""
        path = write(tmp_path / "x.csv", clean_rows())
        text = path.read_text("utf-8") + "B2|short\n"
        path.write_text(text, "utf-8")
        found = list(read_claims(path))
        assert 7 == accounted(found)
        assert isinstance(found[-1], RifError) and 8 in found[-1].rows

    def test_missing_columns(self, tmp_path: Path) -> None:
        """A file without the RIF columns is refused up front, naming them."""
        path = tmp_path / "x.csv"
        path.write_text("CLM_ID|REV_CNTR\n1|0551\n", "utf-8")
        with pytest.raises(InvalidFieldError, match="HCPCS_CD"):
            list(read_claims(path))

    def test_not_text(self, tmp_path: Path) -> None:
        """A binary file is refused with the library's error."""
        path = tmp_path / "x.csv"
        path.write_bytes(b"\xff\xfe\x00\x81" * 100)
        with pytest.raises(InvalidFieldError):
            list(read_claims(path))

    def test_errors_pickle(self, tmp_path: Path) -> None:
        """RifError survives pickling with its rows."""
        rows = clean_rows()
        rows[0]["HCPCS_CD"] = "??"
        error = next(read_claims(write(tmp_path / "x.csv", rows)))
        assert isinstance(error, RifError)
        again = pickle.loads(pickle.dumps(error))
        assert (error.rows, str(error)) == (again.rows, str(again))

    @pytest.mark.parametrize("junk", [None, 42, object(), "bad\x00name"])
    def test_junk_path(self, junk: object) -> None:
        """A junk path raises the library's error."""
        with pytest.raises(InvalidFieldError):
            list(read_claims(junk))  # type: ignore[arg-type]

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file is the operating system's FileNotFoundError."""
        with pytest.raises(FileNotFoundError):
            list(read_claims(tmp_path / "none.csv"))

    def test_junk_payer(self, tmp_path: Path) -> None:
        """An unknown payer is refused before reading."""
        with pytest.raises(InvalidFieldError, match="payer"):
            list(read_claims(write(tmp_path / "x.csv", clean_rows()), payer="nope"))


def test_all() -> None:
    """__all__ is exact."""
    assert sorted(rif.__all__) == sorted(dir(rif))


class TestHugeNumbers:
    def test_a_unit_count_with_a_huge_exponent_is_refused_at_once(self, tmp_path: Path) -> None:
        """REV_CNTR_UNIT_CNT of ``1e999999999`` makes its claim a RifError naming the row
        (it used to reach ``int()`` and run for hours); the other claims still read."""
        path = tmp_path / "huge.rif"
        rows = clean_rows()
        rows[0]["REV_CNTR_UNIT_CNT"] = "1e999999999"
        write(path, rows)
        found = list(read_claims(path))
        assert isinstance(found[0], RifError)
        assert "REV_CNTR_UNIT_CNT" in str(found[0])


class TestCommandLineRecords:
    def test_a_quoted_cell_loses_no_record(self, tmp_path: Path) -> None:
        """The command line's RIF reader gives a record per claim when a cell opens with '"'."""
        from hcpcs_home._claim_files import rif_claims

        path = RIF_DIR / "hha.csv"
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        lines = path.read_text(encoding="utf-8").splitlines()
        cells = lines[1].split("|")
        cells[header_index(lines[0], "PRVDR_NUM")] = (
            '"' + cells[header_index(lines[0], "PRVDR_NUM")]
        )
        lines[1] = "|".join(cells)
        mutated = tmp_path / "hha.csv"
        mutated.write_text("\n".join(lines) + "\n")
        records = list(rif_claims(str(mutated)))
        assert 10 == len(records)
        assert all(r.claim is not None for r in records)


def header_index(header: str, column: str) -> int:
    return header.split("|").index(column)
