"""Tests for the reader of CMS's HCPCS Level II fixed-width TXT file."""

# House style is ``assert expected == actual``, which ruff's SIM300 calls a Yoda condition.

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest

from hcpcs_home._cms_file import (
    CmsRecord,
    cms_release_parts,
    load_cms_file,
    read_cms_records,
    unit_from_descriptor,
)
from hcpcs_home.codes import BillingUnit, Coverage
from hcpcs_home.errors import InvalidFieldError

FILES = {
    "HCPC17_CONTR_ANWEB.txt": (6155, 343),
    "HCPC2018_CONTR_ANWEB_disc.txt": (6205, 354),
    "HCPC2019_CONTR_ANWEB.txt": (6440, 360),
}


def record(
    code: str = "G0151",
    record_id: str = "3",
    text: str = "Services of a therapist, each 15 minutes",
    *,
    sequence: int = 100,
    coverage: str = "C",
    added: str = "19990701",
    terminated: str = "",
) -> str:
    """A record line in CMS's layout, with just the fields the reader uses."""
    line = f"{code:>5}{sequence:05d}{record_id}{text:<80}"
    if record_id in "48":
        return line
    fields = [" "] * 320
    fields[: len(line)] = line
    for start, value in (
        (91, "Short text"),
        (119, "00"),
        (127, "9"),
        (229, coverage),
        (252, "0082"),
        (256, "Y2"),
        (260, "1"),
        (268, added),
        (276, added),
        (284, terminated),
        (292, "N"),
    ):
        fields[start : start + len(value)] = value
    return "".join(fields)


def write(tmp_path: Path, *lines: str) -> Path:
    """A CMS-style file: a disclaimer, the lines, CRLF line ends, Latin-1."""
    path = tmp_path / "HCPC_TEST.txt"
    body = ["***Disclaimers\t\t\t", "*Inclusion or exclusion ... \xa0\t\t", "", *lines, ""]
    path.write_bytes("\r\n".join(body).encode("latin-1"))
    return path


class TestCmsFiles:
    """The reader on CMS's 2017, 2018 and 2019 releases."""

    @pytest.mark.parametrize(("name", "counts"), sorted(FILES.items()))
    def test_counts(self, cms_dir: Path, name: str, counts: tuple[int, int]) -> None:
        """Every procedure and modifier record of a release is read."""
        records = read_cms_records(cms_dir / name)
        procedures = sum(not r.is_modifier for r in records)

        assert counts == (procedures, len(records) - procedures)
        assert procedures == len(list(load_cms_file(cms_dir / name)))

    def test_continuation_joined(self, cms_dir: Path) -> None:
        """Record-4 lines continue the long description, joined with a space."""
        codes = {c.code: c for c in load_cms_file(cms_dir / "HCPC2019_CONTR_ANWEB.txt")}

        assert (
            "Skilled services of a licensed nurse (lpn or rn) for the observation and "
            "assessment of the patient's condition, each 15 minutes (the change in the "
            "patient's condition requires skilled nursing personnel to identify and evaluate "
            "the patient's need for possible modification of treatment in the home health or "
            "hospice setting)"
        ) == codes["G0163"].descriptor

    def test_s9810_unit(self, cms_dir: Path) -> None:
        """S9810 is per hour although its note mentions per diem codes."""
        codes = {c.code: c for c in load_cms_file(cms_dir / "HCPC2019_CONTR_ANWEB.txt")}

        assert (BillingUnit.HOUR, None) == (codes["S9810"].unit, codes["S9810"].min_minutes)

    @pytest.mark.parametrize("name", sorted(FILES))
    def test_g0154_terminated(self, cms_dir: Path, name: str) -> None:
        """G0154 ends on 2016-02-29 in every release that lists it."""
        codes = {c.code: c for c in load_cms_file(cms_dir / name)}

        assert dt.date(2016, 2, 29) == codes["G0154"].terminated

    def test_code_fields(self, cms_dir: Path) -> None:
        """A loaded code carries the file's coverage, note, dates and name."""
        g0129 = next(
            c for c in load_cms_file(cms_dir / "HCPC2019_CONTR_ANWEB.txt") if c.code == "G0129"
        )

        assert (BillingUnit.SESSION, 45) == (g0129.unit, g0129.min_minutes)
        assert (Coverage.CARRIER_JUDGMENT, True, "0087") == (
            g0129.coverage,
            g0129.medicare_accepts,
            g0129.processing_note,
        )
        assert (dt.date(2000, 4, 1), None) == (g0129.effective, g0129.terminated)
        assert "CMS HCPCS file HCPC2019_CONTR_ANWEB.txt" == g0129.source

    def test_raw_record(self, cms_dir: Path) -> None:
        """The raw record keeps the short descriptor, pricing, BETOS, TOS and action."""
        g0129 = next(
            r for r in read_cms_records(cms_dir / "HCPC2019_CONTR_ANWEB.txt") if r.code == "G0129"
        )

        assert (
            CmsRecord(
                code="G0129",
                is_modifier=False,
                line=3049,
                long_description=g0129.long_description,
                short_description="Partial hosp prog service",
                pricing_indicators=("00",),
                coverage=Coverage.CARRIER_JUDGMENT,
                processing_note="0087",
                betos="Y1",
                type_of_service=("U",),
                added=dt.date(2000, 4, 1),
                action_effective=dt.date(2008, 4, 1),
                terminated=None,
                action_code="N",
            )
            == g0129
        )

    def test_modifier(self, cms_dir: Path) -> None:
        """Modifiers are read as two-character records and left out of load_cms_file."""
        records = {r.code: r for r in read_cms_records(cms_dir / "HCPC2019_CONTR_ANWEB.txt")}

        assert (True, "Services delivered under an outpatient physical therapy plan of care") == (
            records["GP"].is_modifier,
            records["GP"].long_description,
        )


class TestSyntheticFiles:
    """The reader on small files in CMS's layout, good and bad."""

    def test_reads_and_joins(self, tmp_path: Path) -> None:
        """Disclaimers are skipped and a continuation line joins its record."""
        path = write(
            tmp_path,
            record("T1030", text="Nursing care, in the home, by registered nurse,", coverage="I"),
            record("T1030", "4", "per diem", sequence=200),
            record("   GP", "7", "Physical therapy plan of care"),
        )

        (code,) = load_cms_file(path)

        assert ("Nursing care, in the home, by registered nurse, per diem", BillingUnit.DAY) == (
            code.descriptor,
            code.unit,
        )
        assert (Coverage.NOT_PAYABLE, False) == (code.coverage, code.medicare_accepts)

    def test_terminated(self, tmp_path: Path) -> None:
        """A termination date becomes the code's last valid date."""
        path = write(tmp_path, record(terminated="20160229"))

        assert dt.date(2016, 2, 29) == next(load_cms_file(path)).terminated

    def test_missing_file(self, tmp_path: Path) -> None:
        """A missing file raises InvalidFieldError naming the path."""
        with pytest.raises(InvalidFieldError, match="cannot be read"):
            load_cms_file(tmp_path / "nope.txt")

    def test_not_a_cms_file(self, tmp_path: Path) -> None:
        """A file without HCPCS records is refused."""
        path = tmp_path / "notes.txt"
        path.write_text("code,descriptor\nG0151,physical therapy\n")

        with pytest.raises(InvalidFieldError, match="not a CMS HCPCS TXT file"):
            load_cms_file(path)

    def test_truncated_record(self, tmp_path: Path) -> None:
        """A first record line cut short raises with its line number."""
        path = write(tmp_path, record("G0151"), record("G0152")[:200])

        with pytest.raises(InvalidFieldError, match=r"HCPC_TEST\.txt:5=.*truncated") as info:
            load_cms_file(path)

        assert "HCPC_TEST.txt:5" == info.value.field

    def test_junk_line(self, tmp_path: Path) -> None:
        """A line that is not a record, after the records start, is not skipped."""
        path = write(tmp_path, record("G0151"), "garbage in the middle", record("G0152"))

        with pytest.raises(InvalidFieldError, match=r":5=.*is not a HCPCS record"):
            load_cms_file(path)

    def test_orphan_continuation(self, tmp_path: Path) -> None:
        """A continuation whose first line is missing raises."""
        path = write(tmp_path, record("G0151"), record("G0152", "4", "each 15 minutes"))

        with pytest.raises(InvalidFieldError, match=r":5=.*does not precede it"):
            load_cms_file(path)

    @pytest.mark.parametrize(
        ("kwargs", "reason"),
        [
            ({"added": "20161301"}, "unreadable date"),
            ({"added": "2016ABCD"}, "unreadable date"),
            ({"coverage": "X"}, "unknown coverage code 'X'"),
        ],
    )
    def test_bad_field(self, tmp_path: Path, kwargs: dict[str, str], reason: str) -> None:
        """An unreadable date or coverage code raises with the line number."""
        path = write(tmp_path, record(**kwargs))

        with pytest.raises(InvalidFieldError, match=f":4=.*{reason}"):
            load_cms_file(path)


class TestUnitFromDescriptor:
    """The unit is read from the descriptor's main clause."""

    @pytest.mark.parametrize(
        ("descriptor", "expected"),
        [
            ("Case management, each 15 minutes", (BillingUnit.FIFTEEN_MINUTES, 8)),
            ("Chore services; per 15 minutes", (BillingUnit.FIFTEEN_MINUTES, 8)),
            ("Rn services, up to 15 minutes", (BillingUnit.UP_TO_FIFTEEN_MINUTES, None)),
            ("Telehealth transmission, per minute, professional", (BillingUnit.MINUTE, None)),
            ("Day care services, adult; per half day", (BillingUnit.HALF_DAY, None)),
            ("Nursing care, in the home, by registered nurse, per diem", (BillingUnit.DAY, None)),
            ("Contracted home health agency services, per day", (BillingUnit.DAY, None)),
            ("Foster care, adult; per month", (BillingUnit.MONTH, None)),
            ("Home health aide or certified nurse assistant, per visit", (BillingUnit.VISIT, None)),
            ("Screening ..., per encounter", (BillingUnit.VISIT, None)),
            ("Home care training, family; per session", (BillingUnit.SESSION, None)),
            ("Therapy, per session (45 minutes or more)", (BillingUnit.SESSION, 45)),
            ("Nursing assessment / evaluation", (BillingUnit.UNTIMED, None)),
            ("Home delivered meals, including preparation; per meal", (BillingUnit.UNTIMED, None)),
            (
                "Home therapy; professional pharmacy services, per hour "
                "(do not use this code with any per diem code)",
                (BillingUnit.HOUR, None),
            ),
            (
                "Emergency response system; service fee, per month "
                "(excludes installation and testing)",
                (BillingUnit.MONTH, None),
            ),
        ],
    )
    def test_unit(self, descriptor: str, expected: tuple[BillingUnit, int | None]) -> None:
        """The unit phrase outside parentheses decides the unit."""
        assert expected == unit_from_descriptor(descriptor)


class TestReleaseParts:
    """Records become codes (not curated) and modifiers for a validity layer."""

    def test_modifier_record(self, tmp_path: Path) -> None:
        """A modifier record becomes a Modifier with its dates; a procedure refuses to."""
        path = write(
            tmp_path,
            record(
                "   GP", "7", "Services delivered under an outpatient pt plan", added="19990101"
            ),
            record(),
        )
        name, codes, modifiers = cms_release_parts(path)

        assert "HCPC_TEST.txt" == name
        assert [("G0151", False)] == [(c.code, c.curated) for c in codes]
        gp = modifiers[0]
        assert ("GP", dt.date(1999, 1, 1), None, "Short text") == (
            gp.code,
            gp.effective,
            gp.terminated,
            gp.short_descriptor,
        )
        with pytest.raises(InvalidFieldError, match="procedure code, not a modifier"):
            read_cms_records(path)[1].to_modifier()

    def test_2019_parts(self, cms_dir: Path) -> None:
        """The 2019 file gives 6440 codes and 360 modifiers, none curated."""
        _, codes, modifiers = cms_release_parts(cms_dir / "HCPC2019_CONTR_ANWEB.txt")

        assert (6440, 360) == (len(codes), len(modifiers))
        assert not any(c.curated for c in codes)
        assert not any(m.curated for m in modifiers)


# --- the XLSX workbook -----------------------------------------------------------

XLSX_HEADER = [
    "HCPC",
    "SEQNUM",
    "RECID",
    "LONG DESCRIPTION",
    "SHORT DESCRIPTION",
    "PRICE1",
    "COV",
    "PROCNOTE",
    "BETOS",
    "TOS1",
    "ADD DT",
    "ACT EFF DT",
    "TERM DT",
    "ACTION CD",
]


def xlsx_row(code: str, record_id: str = "3", text: str = "Services, each 15 minutes") -> list[str]:
    """A workbook row in CMS's column order (see XLSX_HEADER)."""
    if record_id in "48":
        return [code, "0020", record_id, text]
    return [code, "0010", record_id, text, "Short text", "00", "C", "", "Y2", "1", "19990701",
            "19990701", "", "N"]  # fmt: skip


def write_xlsx(path: Path, rows: list[list[str]], *, header: list[str] | None = None) -> Path:
    """A minimal workbook as CMS writes it: a disclaimer row, a header row, then records,
    every cell a shared string."""
    import zipfile
    from xml.sax.saxutils import escape

    table = [["Note regarding coverage and payment indicators"], [], header or XLSX_HEADER, *rows]
    strings: list[str] = []

    def cell(col: int, row: int, text: str) -> str:
        strings.append(text)
        letters = ""
        col += 1
        while col:
            col, rem = divmod(col - 1, 26)
            letters = chr(65 + rem) + letters
        return f'<c r="{letters}{row}" t="s"><v>{len(strings) - 1}</v></c>'

    body = "".join(
        f'<row r="{r}">' + "".join(cell(c, r, t) for c, t in enumerate(cells) if t) + "</row>"
        for r, cells in enumerate(table, start=1)
    )
    main = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"
    rel = "http://schemas.openxmlformats.org/officeDocument/2006/relationships"
    with zipfile.ZipFile(path, "w", zipfile.ZIP_DEFLATED) as book:
        book.writestr(
            "xl/workbook.xml",
            f'<workbook xmlns="{main}" xmlns:r="{rel}"><sheets>'
            '<sheet name="A" sheetId="1" r:id="rId1"/></sheets></workbook>',
        )
        book.writestr(
            "xl/_rels/workbook.xml.rels",
            '<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">'
            '<Relationship Id="rId1" Target="worksheets/sheet1.xml"/></Relationships>',
        )
        book.writestr(
            "xl/worksheets/sheet1.xml",
            f'<worksheet xmlns="{main}"><sheetData>{body}</sheetData></worksheet>',
        )
        book.writestr(
            "xl/sharedStrings.xml",
            f'<sst xmlns="{main}">'
            + "".join(f"<si><t>{escape(s)}</t></si>" for s in strings)
            + "</sst>",
        )
    return path


class TestWorkbook:
    """The reader on CMS's XLSX workbook (standard library only)."""

    def test_october_2020_counts(self, cms_dir: Path) -> None:
        """CMS's October 2020 workbook gives 6825 codes and 371 modifiers."""
        _, codes, modifiers = cms_release_parts(cms_dir / "HCPC2020_OCT_anweb.xlsx")

        assert (6825, 371) == (len(codes), len(modifiers))

    def test_2020_annual_counts(self, cms_dir: Path) -> None:
        """CMS's 2020 annual TXT file gives 6710 codes and 369 modifiers, 270 codes new
        against 2019 (G2001 among them)."""
        _, codes, modifiers = cms_release_parts(cms_dir / "HCPC2020_ANWEB_w_disclaimer.txt")
        before = {c.code for c in load_cms_file(cms_dir / "HCPC2019_CONTR_ANWEB.txt")}
        new = {c.code for c in codes} - before

        assert (6710, 369, 270) == (len(codes), len(modifiers), len(new))
        assert "G2001" in new

    def test_workbook_agrees_with_text_file(self, cms_dir: Path) -> None:
        """The workbook holds every code of the annual text file; a code no quarter
        changed reads the same from both."""
        text = {r.code: r for r in read_cms_records(cms_dir / "HCPC2020_ANWEB_w_disclaimer.txt")}
        book = {r.code: r for r in read_cms_records(cms_dir / "HCPC2020_OCT_anweb.xlsx")}
        assert set(text) <= set(book)
        for code in ("G0151", "G0299", "T1019", "S9123", "G8978", "GP"):
            a, b = text[code], book[code]
            assert (a.long_description, a.short_description, a.coverage, a.added) == (
                b.long_description,
                b.short_description,
                b.coverage,
                b.added,
            )
            assert (a.terminated, a.type_of_service, a.pricing_indicators) == (
                b.terminated,
                b.type_of_service,
                b.pricing_indicators,
            )

    def test_continuation_row(self, cms_dir: Path) -> None:
        """The one continuation row (record id 4) of the 2020 workbook joins G0503's text."""
        g0503 = next(
            r for r in read_cms_records(cms_dir / "HCPC2020_OCT_anweb.xlsx") if r.code == "G0503"
        )
        assert g0503.long_description.endswith("prepared for discharge from active treatment")

    def test_small_workbook(self, tmp_path: Path) -> None:
        """A workbook's codes and modifiers are read from the rows after its header."""
        path = write_xlsx(
            tmp_path / "HCPC_TEST.xlsx",
            [
                xlsx_row("   GP", "7", "Services under a pt plan"),
                xlsx_row("G0151", "3", "Services of a physical therapist,"),
                xlsx_row("G0151", "4", "each 15 minutes"),
            ],
        )
        name, codes, modifiers = cms_release_parts(path)

        assert "HCPC_TEST.xlsx" == name
        assert ["GP"] == [m.code for m in modifiers]
        assert "Services of a physical therapist, each 15 minutes" == codes[0].descriptor
        assert (BillingUnit.FIFTEEN_MINUTES, dt.date(1999, 7, 1)) == (
            codes[0].unit,
            codes[0].effective,
        )

    def test_truncated_workbook(self, cms_dir: Path, tmp_path: Path) -> None:
        """A workbook cut short is refused, naming the file."""
        cut = tmp_path / "HCPC2020_OCT_anweb.xlsx"
        cut.write_bytes((cms_dir / "HCPC2020_OCT_anweb.xlsx").read_bytes()[:200_000])
        with pytest.raises(InvalidFieldError, match="truncated or damaged") as info:
            read_cms_records(cut)
        assert "HCPC2020_OCT_anweb.xlsx" == info.value.field

    def test_unknown_layout(self, tmp_path: Path) -> None:
        """A workbook without CMS's header row is refused, naming the file."""
        path = write_xlsx(tmp_path / "other.xlsx", [["G0151", "x"]], header=["CODE", "DESCRIPTION"])
        with pytest.raises(InvalidFieldError, match="no header row with HCPC and RECID") as info:
            read_cms_records(path)
        assert "other.xlsx" == info.value.field

    def test_header_missing_columns(self, tmp_path: Path) -> None:
        """A header row with HCPC and RECID but without the dates is not CMS's layout."""
        path = write_xlsx(tmp_path / "odd.xlsx", [], header=["HCPC", "RECID", "LONG DESCRIPTION"])
        with pytest.raises(InvalidFieldError, match="not a CMS HCPCS workbook layout") as info:
            read_cms_records(path)
        assert "odd.xlsx:row 3" == info.value.field

    def test_codes_not_hcpcs(self, tmp_path: Path) -> None:
        """A row whose code is not a HCPCS code is refused, naming the file and that row."""
        path = write_xlsx(
            tmp_path / "icd.xlsx",
            [xlsx_row("G0151"), xlsx_row("Z99.8"), xlsx_row("12345")],
        )
        with pytest.raises(InvalidFieldError, match="is not a HCPCS record") as info:
            read_cms_records(path)
        assert "icd.xlsx:row 5" == info.value.field

    def test_bad_date(self, tmp_path: Path) -> None:
        """An unreadable date is refused with its row."""
        row = xlsx_row("G0151")
        row[10] = "2019-13-01"
        path = write_xlsx(tmp_path / "dates.xlsx", [row])
        with pytest.raises(InvalidFieldError, match="unreadable ADD DT") as info:
            read_cms_records(path)
        assert "dates.xlsx:row 4" == info.value.field

    def test_text_file_of_other_codes(self, tmp_path: Path) -> None:
        """A text file whose records are not HCPCS codes is refused at its first one."""
        path = write(tmp_path, record(), "Z99.81" + " " * 300)
        with pytest.raises(InvalidFieldError, match="is not a HCPCS record") as info:
            read_cms_records(path)
        assert "HCPC_TEST.txt:5" == info.value.field
