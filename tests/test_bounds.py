"""Bounds on accepted input (hcpcs_home.bounds), each enforced before conversion.

Each class pairs the refused value with the nearest accepted one, so a bound
that is too tight fails as surely as one that is missing.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    Payer,
    Service,
    _fields,
    bounds,
    check,
    normalize_code,
    payers,
    ub04,
    units,
    x12,
)
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError, InvalidTimeError
from hcpcs_home.serialize import claim_from_json, claim_to_json
from hcpcs_home.units import Span
from hcpcs_home.x12_files import read_837

EXAMPLES = Path(__file__).resolve().parents[1] / "examples"


def claim_with(line: ClaimLine) -> Claim:
    """A Medicare 0329 claim holding ``line``."""
    return Claim(
        payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", id="C1", lines=[line]
    )


class TestJsonDepth:
    @pytest.mark.parametrize(
        "text",
        [
            "[" * 100_000 + "]" * 100_000,
            '{"a":' * 50_000 + "1" + "}" * 50_000,
            "[" * 100_000,
            '{"lines": ' + "[" * 40 + "]" * 40 + "}",
        ],
        ids=["arrays", "objects", "unclosed", "just-too-deep"],
    )
    def test_deep_nesting_refused(self, text: str) -> None:
        """Nesting deeper than MAX_JSON_DEPTH is an InvalidFieldError, not a RecursionError."""
        with pytest.raises(InvalidFieldError, match=r"\$=.* nests deeper than 32 levels"):
            claim_from_json(text)

    def test_brackets_inside_strings_do_not_count(self) -> None:
        """Brackets inside JSON strings (escaped quotes included) are not nesting."""
        text = json.dumps({"id": '\\"' + "[" * 1000, "payer": "medicare"})
        bounds.check_json_depth(text)

    @given(st.text(alphabet='[]{}"a\\\u00e9:, ', max_size=80))
    def test_strings_are_found_as_the_pattern_finds_them(self, text: str) -> None:
        """Splitting at quotes (text without backslashes) leaves what the string pattern does."""
        assert re.sub(bounds._STRING, "", text, flags=re.DOTALL) == bounds._outside_strings(text)

    @given(
        st.text(
            alphabet=st.characters(exclude_categories=()) | st.sampled_from("[{]}"), max_size=60
        )
    )
    def test_brackets_counted_exactly_in_any_text(self, text: str) -> None:
        """The count before parsing is that of str.count, for characters of any width
        (past U+00FF, surrogates) around the brackets."""
        assert text.count("[") + text.count("{") == bounds._brackets(text)

    @pytest.mark.parametrize("filler", ["a", "\u00e9", "\u20ac", "\U0001f600", "\ud800", "?"])
    def test_deep_text_of_any_width_scanned_before_parsing(self, filler: str) -> None:
        """Text over the parser-safe bracket count is scanned before parsing, whatever
        the width of its other characters (a wide character never counts as a bracket,
        nor hides one)."""
        deep = filler + "[" * 300 + filler + "]" * 300
        with pytest.raises(InvalidFieldError, match="nests deeper than 32 levels"):
            bounds.check_depth_before_parsing(deep)
        shallow = filler * 300 + "[" * 40 + "]" * 40
        bounds.check_depth_before_parsing(shallow)

    def test_depth_at_the_limit_reaches_the_parser(self) -> None:
        """Nesting of exactly the limit is parsed, and the claim's own error follows."""
        text = '{"lines": ' + "[" * 31 + "]" * 31 + "}"
        with pytest.raises(InvalidClaimError) as info:
            claim_from_json(text)
        assert "$.lines[0]" in str(info.value)

    def test_example_claims_load(self) -> None:
        """The shipped examples still load: the bounds refuse nothing real."""
        claim = claim_from_json((EXAMPLES / "claim.json").read_text("utf-8"))
        assert claim == claim_from_json(claim_to_json(claim))


class TestJsonText:
    def test_not_utf8(self) -> None:
        """Bytes that are not UTF-8 are refused as such."""
        with pytest.raises(InvalidFieldError, match=r"\$=.* is not UTF-8 text"):
            claim_from_json(b'{"payer": "medicare", "id": "\xff"}')

    def test_utf8_bytes_load(self) -> None:
        """UTF-8 bytes load like the same text."""
        text = (EXAMPLES / "claim.json").read_text("utf-8")
        assert claim_from_json(text) == claim_from_json(text.encode("utf-8"))

    @pytest.mark.parametrize("text", ["", "{", "[1,]", "nul", '{"a": "\\x"}'])
    def test_malformed(self, text: str) -> None:
        """Malformed JSON is an InvalidFieldError at $."""
        with pytest.raises(InvalidFieldError, match=r"\$=.* is not valid JSON"):
            claim_from_json(text)

    def test_not_text(self) -> None:
        """Something that is neither text nor bytes is refused."""
        with pytest.raises(InvalidFieldError, match=r"must be JSON text"):
            claim_from_json(42)  # type: ignore[arg-type]


CONTROL = ["\x00", "\x07", "\n", "\x85", "\u2028", "\ud800"]


class TestControlCharacters:
    @pytest.mark.parametrize("char", CONTROL, ids=repr)
    def test_payer_name(self, char: str) -> None:
        """A payer name with a control character or lone surrogate is refused by field path."""
        data = {
            "payer": {"id": "p", "name": f"Acme{char}Health", "kind": "commercial"},
            "statement_from": "2024-03-01",
            "statement_through": "2024-03-02",
        }
        with pytest.raises(InvalidFieldError, match=r"\$\.payer\.name=.* control character"):
            claim_from_json(json.dumps(data))

    @pytest.mark.parametrize(
        ("field", "where"),
        [("id", "$.id"), ("patient_id", "$.patient_id")],
    )
    @pytest.mark.parametrize("char", CONTROL, ids=repr)
    def test_claim_identifiers(self, field: str, where: str, char: str) -> None:
        """Claim and patient ids with control characters are refused by field path."""
        data = {
            "payer": "medicare",
            "statement_from": "2024-03-01",
            "statement_through": "2024-03-02",
            field: f"A{char}1",
        }
        with pytest.raises(InvalidFieldError, match=rf"\{where}=.* control character"):
            claim_from_json(json.dumps(data))

    def test_service_fields(self) -> None:
        """Service text fields refuse NUL; a clean service checks without error."""
        with pytest.raises(InvalidFieldError, match=r"rendering_id=.* control character"):
            Service("G0299", "2024-03-04", rendering_id="RN\x001")
        assert "RN-1" == Service("G0299", "2024-03-04", rendering_id=" RN-1 ").rendering_id

    @pytest.mark.parametrize("multiline", [False, True])
    def test_every_refused_character_is_unprintable(self, multiline: bool) -> None:
        """Every code point text refuses is one ``str.isprintable`` rejects, so printable
        text can skip the search; non-breaking and other unprintable spaces are kept."""
        text = _fields.text("name", multiline=multiline)
        refused = []
        for point in range(0x110000):
            try:
                text(f"a{chr(point)}b")
            except InvalidFieldError:
                refused.append(chr(point))
        assert [] == [c for c in refused if c.isprintable()]
        assert {"\x00", "\x85", "\ud800"} <= set(refused)
        assert ("\n" in refused) is not multiline
        assert "a\u00a0b" == text("a\u00a0b")

    def test_source_text_may_break_lines(self) -> None:
        """Citations (source) may hold line breaks but not NUL."""
        assert "a\nb" == Payer("p", "P", "other", source="a\nb").source
        with pytest.raises(InvalidFieldError, match=r"source=.* control character"):
            Payer("p", "P", "other", source="a\x00b")

    def test_clean_payer_checks(self) -> None:
        """A payer with an ordinary non-ASCII name is accepted and checked."""
        payer = Payer("acme", "Acmé Santé", "commercial")
        report = check(Claim(payer, "2024-03-01", "2024-03-02"))
        assert "Acmé Santé" == report.claim.payer.name


class TestTextLength:
    def test_identifier(self) -> None:
        """Identifiers are at most MAX_ID_LENGTH characters."""
        assert "P" * 80 == Claim(payers.MEDICARE, "2024-03-01", "2024-03-01", id="P" * 80).id
        with pytest.raises(InvalidFieldError, match=r"id=.* longer than 80"):
            Claim(payers.MEDICARE, "2024-03-01", "2024-03-01", id="P" * 81)

    def test_name(self) -> None:
        """Payer names are at most MAX_NAME_LENGTH characters."""
        with pytest.raises(InvalidFieldError, match=r"name=.* longer than 200"):
            Payer("p", "N" * 201, "other")

    def test_code_text(self) -> None:
        """Code text is bounded before spaces are removed, and must be ASCII."""
        with pytest.raises(LookupError):
            normalize_code("G" * 100_000)
        with pytest.raises(LookupError):
            normalize_code("\u017f9123")  # LATIN SMALL LETTER LONG S upper-cases to "S"
        assert "S9123" == normalize_code(" s9123 ")


class TestNumbers:
    @pytest.mark.parametrize(
        "units", ["1e9999999", "1E+30", 10**30, Decimal("1E+30"), "9" * 19, "-1e9999999"]
    )
    def test_too_many_digits(self, units: object) -> None:
        """A number with more than 18 digits is refused before any int conversion."""
        with pytest.raises(InvalidFieldError, match=r"units=.* has more than 18 digits"):
            ClaimLine("G0299", "2024-03-04", units)

    def test_exponent_beyond_decimal(self) -> None:
        """An exponent Decimal cannot hold is not a number."""
        with pytest.raises(InvalidFieldError, match=r"is not a decimal number"):
            ClaimLine("G0299", "2024-03-04", "1e" + "9" * 30)

    def test_too_many_units(self) -> None:
        """More than MAX_UNITS units is refused; MAX_UNITS itself is accepted."""
        with pytest.raises(InvalidFieldError, match=r"units=10000000 is more than 9,999,999"):
            ClaimLine("G0299", "2024-03-04", 10_000_000)
        assert 9_999_999 == ClaimLine("G0299", "2024-03-04", "9999999").units

    def test_largest_line_writes_everywhere(self) -> None:
        """A line at the unit and digit limits goes through JSON, UB-04 CSV and X12."""
        line = ClaimLine(
            "G0299",
            "2024-03-04",
            bounds.MAX_UNITS,
            revenue_code="0551",
            charge="9999999999999999.99",
        )
        claim = claim_with(line)
        assert claim == claim_from_json(claim_to_json(claim))
        assert "9999999" in ub04.to_csv(claim)
        assert "SV2*0551*HC:G0299*9999999999999999.99*UN*9999999~" in x12.service_lines(claim)

    def test_unit_places(self) -> None:
        """Units have at most two decimal places (tenths and quarters are billed)."""
        assert Decimal("0.25") == ClaimLine("S9123", "2024-03-04", "0.25").units
        assert Decimal("8.4") == ClaimLine("S9123", "2024-03-04", "8.40").units
        with pytest.raises(InvalidFieldError, match=r"units=.0\.125. has more than 2 decimal"):
            ClaimLine("S9123", "2024-03-04", "0.125")

    def test_charge_digits(self) -> None:
        """A charge with more than 18 digits is refused."""
        with pytest.raises(InvalidFieldError, match=r"charge=.* more than 18 digits"):
            ClaimLine("G0299", "2024-03-04", 1, charge="1" * 17 + ".25")

    @pytest.mark.parametrize("text", ["\u0663", "1_000", "0x10", " ", "1.2.3", "\uff11"])
    def test_number_text_is_ascii_decimal(self, text: str) -> None:
        """Number text is ASCII decimal notation: no other scripts' digits, no underscores."""
        with pytest.raises(InvalidFieldError, match=r"is not a decimal number"):
            ClaimLine("G0299", "2024-03-04", 1, charge=text)


class TestUnitsValues:
    def test_zero_units_are_a_value_but_not_an_837_quantity(self) -> None:
        """0 units can be checked (the CMS chart gives it) but not written to an 837."""
        line = ClaimLine("G0299", "2024-03-04", 0, revenue_code="0551")
        with pytest.raises(InvalidFieldError, match=r"units=0 must be above zero on an 837"):
            x12.sv2(line)
        with pytest.raises(InvalidFieldError, match=r"units=0 must be above zero on an 837"):
            x12.sv1(line)
        assert "SV2*0551*HC:G0299*0*UN*1~" == x12.sv2(ClaimLine("G0299", "2024-03-04", 1, "0551"))

    def test_zero_quantity_read_from_x12(self) -> None:
        """An SV2 with quantity 0 is refused naming SV2-05."""
        with pytest.raises(InvalidFieldError, match=r"SV2-05=0 must be above zero"):
            x12.parse_sv2("SV2*0551*HC:G0299*10*UN*0~", date="2024-03-04")

    @pytest.mark.parametrize("units", [-1, "-0.5", Decimal("-2")])
    def test_negative_units(self, units: object) -> None:
        """Negative units are refused."""
        with pytest.raises(InvalidFieldError, match=r"must not be negative"):
            ClaimLine("G0299", "2024-03-04", units)

    @pytest.mark.parametrize("basis", ["visits", "days"])
    def test_whole_visits_and_days(self, basis: str) -> None:
        """Authorizations counted in visits or days hold whole numbers."""
        with pytest.raises(
            InvalidFieldError, match=f"units=Decimal\\('2.5'\\) must be a whole number of {basis}"
        ):
            Authorization("PA1", "p", ["T1030"], "2.5", basis, "2024-03-01", "2024-03-31")
        with pytest.raises(InvalidFieldError, match=f"used=.* must be a whole number of {basis}"):
            Authorization("PA1", "p", ["T1030"], 3, basis, "2024-03-01", "2024-03-31", used="0.5")
        assert 3 == Authorization("PA1", "p", ["T1030"], 3, basis, "2024-03-01", "2024-03-31").units

    def test_fractional_authorized_units(self) -> None:
        """Authorizations counted in units may hold fractions (tenths of an hour)."""
        auth = Authorization("PA1", "p", ["S9123"], "40.5", "units", "2024-03-01", "2024-03-31")
        assert Decimal("40.5") == auth.units


class TestDates:
    @pytest.mark.parametrize(
        "day", ["1899-12-31", "0024-03-04", "2100-01-01", dt.date(9999, 12, 31), dt.date(1, 1, 1)]
    )
    def test_outside_range(self, day: object) -> None:
        """Dates outside 1900-01-01..2099-12-31 are refused wherever dates are accepted."""
        with pytest.raises(InvalidTimeError, match=r"is outside 1900-01-01..2099-12-31"):
            ClaimLine("G0299", day, 1)
        with pytest.raises(InvalidTimeError, match=r"is outside"):
            Service("G0299", day)
        with pytest.raises(InvalidTimeError, match=r"is outside"):
            Claim(payers.MEDICARE, day, "2024-03-01")
        with pytest.raises(InvalidTimeError, match=r"is outside"):
            Service("G0299", "2024-03-04", license_expires=day)

    @pytest.mark.parametrize("day", ["1900-01-01", "2099-12-31"])
    def test_range_ends_accepted(self, day: str) -> None:
        """Both ends of the range are accepted."""
        assert dt.date.fromisoformat(day) == ClaimLine("G0299", day, 1).date

    @pytest.mark.parametrize("text", ["2024-W10-1", "20240304", "\u0662\u0660\u0662\u0664-03-04"])
    def test_only_iso_calendar_dates(self, text: str) -> None:
        """Dates are YYYY-MM-DD in ASCII digits (fromisoformat also reads week dates)."""
        with pytest.raises(InvalidTimeError, match=r"must be a date"):
            ClaimLine("G0299", text, 1)

    def test_span_at_the_end_of_time(self) -> None:
        """Span.from_clock at 9999-12-31 is refused, not an OverflowError."""
        with pytest.raises(InvalidTimeError, match=r"day=.* is outside"):
            Span.from_clock(dt.date(9999, 12, 31), "22:00", "06:00")

    def test_span_from_the_last_day(self) -> None:
        """A night shift begun on the last accepted day ends the next morning."""
        span = Span.from_clock(dt.date(2099, 12, 31), "22:00", "06:00")
        assert 480 == span.minutes

    def test_span_datetimes(self) -> None:
        """Span refuses datetimes outside the range."""
        with pytest.raises(InvalidTimeError, match=r"start=.* is outside"):
            Span(dt.datetime(1850, 1, 1), dt.datetime(2024, 1, 1))


class TestAsciiDigits:
    def test_type_of_bill(self) -> None:
        """A type of bill with Arabic-Indic digits is refused; ASCII passes."""
        with pytest.raises(InvalidFieldError, match=r"type_of_bill="):
            Claim(payers.MEDICARE, "2024-03-01", "2024-03-02", type_of_bill="0\u0663\u06629")
        assert "0329" == claim_with(ClaimLine("G0299", "2024-03-04", 1)).type_of_bill

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("revenue_code", "\u0660\u0665\u0665\u0661"),
            ("revenue_code", "\u0665\u0665\u0661"),
            ("units", "\u0663"),
            ("modifiers", ["\u0663\u0663"]),
        ],
    )
    def test_line_fields(self, field: str, value: object) -> None:
        """Line fields validated as digits refuse other scripts' digits."""
        with pytest.raises(InvalidFieldError):
            ClaimLine(**{"code": "G0299", "date": "2024-03-04", "units": 1, field: value})

    def test_npi(self) -> None:
        """An NPI in Arabic-Indic digits is refused; the same NPI in ASCII passes."""
        ascii_npi = "1234567893"
        arabic = "".join(chr(0x0660 + int(c)) for c in ascii_npi)
        assert ascii_npi == Service("G0299", "2024-03-04", rendering_npi=ascii_npi).rendering_npi
        with pytest.raises(InvalidFieldError, match=r"rendering_npi="):
            Service("G0299", "2024-03-04", rendering_npi=arabic)

    def test_timesheet_minutes(self) -> None:
        """Timesheet minutes are ASCII digits: int() would read "\u0663\u0660" as 30."""
        row = {"code": "S9124", "date": "2024-05-01", "minutes": "30"}
        assert 30 == Service.from_timesheet_row(row).minutes
        with pytest.raises(InvalidFieldError, match=r"minutes="):
            Service.from_timesheet_row({**row, "minutes": "\u0663\u0660"})
        with pytest.raises(InvalidFieldError, match=r"minutes="):
            Service.from_timesheet_row({**row, "minutes": "3_0"})

    @pytest.mark.parametrize(
        ("field", "bad", "good", "expected"),
        [
            ("patient_status", "\u0660\u0661", "1", "01"),
            ("point_of_origin", "\u00e9", "1", "1"),
            ("condition_codes", ["\u017f1"], ["s1"], ("S1",)),
            ("condition_codes", ["\u0667"], ["7"], ("07",)),
        ],
    )
    def test_header_codes(self, field: str, bad: object, good: object, expected: object) -> None:
        """Institutional header codes are ASCII; their ASCII spelling is accepted."""
        base = {"payer": payers.MEDICARE, "statement_from": "2024-03-01"}
        base["statement_through"] = "2024-03-02"
        assert expected == getattr(Claim(**base, type_of_bill="0329", **{field: good}), field)
        with pytest.raises(InvalidFieldError, match=field):
            Claim(**base, type_of_bill="0329", **{field: bad})

    def test_line_code(self) -> None:
        """A line code is ASCII: the long s does not upper-case into an S code."""
        with pytest.raises(InvalidFieldError, match="code="):
            ClaimLine("\u017f9123", "2024-03-04", 1)
        assert "S9123" == ClaimLine("s9123", "2024-03-04", 1).code

    def test_policy_for_bill(self) -> None:
        """units.policy_for_bill reads ASCII types of bill only."""
        assert "Medicare" == units.policy_for_bill(None, "0329").name
        with pytest.raises(InvalidFieldError, match="type_of_bill="):
            units.policy_for_bill(None, "0\u0663\u06629")

    def test_x12_claim_bill_type(self) -> None:
        """CLM05's facility code is two ASCII digits."""
        text = "CLM*HH1*0***{}:A:9~DTP*434*RD8*20240301-20240330~"
        assert "0329" == x12.parse_claim(text.format("32")).type_of_bill
        with pytest.raises(InvalidFieldError, match="CLM-05"):
            x12.parse_claim(text.format("\u0663\u0662"))

    def test_sv1_pointers(self) -> None:
        """SV1-07 diagnosis pointers are ASCII 1 to 12."""
        assert 8 == x12.parse_sv1("SV1*HC:T1019*40*UN*8*12**1:12~", date="2024-03-04").units
        with pytest.raises(InvalidFieldError, match=r"SV1-07"):
            x12.parse_sv1("SV1*HC:T1019*40*UN*8*12**\u0661~", date="2024-03-04")

    def test_dtp_date(self) -> None:
        """DTP*472 dates are eight ASCII digits."""
        loop = "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*{}~"
        assert dt.date(2024, 3, 4) == x12.parse_service_line(loop.format("20240304")).date
        with pytest.raises(InvalidFieldError, match=r"DTP-03"):
            x12.parse_service_line(loop.format("2024 3 4"))


class TestLists:
    def test_lines(self) -> None:
        """A claim holds at most MAX_LINES lines; the iterable is not read past the bound."""
        line = ClaimLine("G0299", "2024-03-04", 1)

        def endless() -> object:
            while True:
                yield line

        with pytest.raises(InvalidFieldError, match=r"lines=.* holds more than 10,000 items"):
            Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", lines=endless())

    def test_diagnoses(self) -> None:
        """A service holds at most 25 diagnoses."""
        codes = [f"Z{i:02d}" for i in range(26)]
        assert 25 == len(Service("G0299", "2024-03-04", diagnoses=codes[:25]).diagnoses)
        with pytest.raises(InvalidFieldError, match=r"diagnoses=.* more than 25"):
            Service("G0299", "2024-03-04", diagnoses=codes)

    def test_modifiers_generator(self) -> None:
        """Modifiers from an endless iterable are refused after the fifth."""

        def endless() -> object:
            while True:
                yield "GP"

        with pytest.raises(InvalidFieldError, match=r"more than four modifiers"):
            ClaimLine("G0151", "2024-03-04", 1, modifiers=endless())


class TestRead837:
    def test_nul_in_path(self) -> None:
        """A path with a NUL byte is the library's error, not ValueError."""
        with pytest.raises(InvalidFieldError, match=r"source=.* cannot be read"):
            read_837("claims\x00.837", payer="medicare")

    def test_not_utf8_file(self, tmp_path: Path) -> None:
        """A file that is not UTF-8 is the library's error, not UnicodeDecodeError."""
        path = tmp_path / "bad.837"
        path.write_bytes(b"ISA*00*\xff\xfe" + b" " * 200)
        with pytest.raises(InvalidFieldError, match=r"source=.* is not UTF-8 text"):
            read_837(path, payer="medicare")


class TestFormatVersion:
    @pytest.mark.parametrize("version", [[], {}, [1], True, 1.0, "1"])
    def test_unhashable_or_wrong_type(self, version: object) -> None:
        """A format that is not an int (a list was a TypeError) is refused naming $.format."""
        text = (EXAMPLES / "claim.json").read_text("utf-8")
        data = {**json.loads(text), "format": version}
        with pytest.raises(InvalidFieldError, match=r"\$\.format="):
            claim_from_json(json.dumps(data))


class TestRifFile:
    def test_header_field_over_the_csv_limit(self, tmp_path: Path) -> None:
        """A header csv cannot read (a field over its size limit) is the library's error."""
        from hcpcs_home.rif import read_claims

        path = tmp_path / "bad.rif"
        path.write_text("CLM_ID|" + "[" * 200_000 + "\nA1|1\n", "utf-8")
        with pytest.raises(InvalidFieldError, match=r"header='bad\.rif' cannot be read"):
            list(read_claims(path))
