"""Tests of :mod:`hcpcs_home.x12`: SV2/SV1 segments and the loop-2400 service line.

Segment layouts: the X12 segment dictionaries, 005010 positions, as published on
stedi.com's X12 reference pages (https://www.stedi.com/edi/x12); the
implementation-guide values (HC, UN/DA/MJ, DTP*472) are UNCONFIRMED (no public
copy of the 005010X222/X223 guides was found).
"""

from __future__ import annotations

import pickle
from datetime import date as dt_date
from decimal import Decimal

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, payers, x12
from hcpcs_home import strategies as hst
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError
from hcpcs_home.x12 import Delimiters

#: The sample 837I service-line loops of a 032X claim shown in docs/x12.rst.
SAMPLE_032X = """\
LX*1~
SV2*0551*HC:G0299*150*UN*4~
DTP*472*D8*20240304~
LX*2~
SV2*0421*HC:G0151:GP*145.5*UN*3~
DTP*472*D8*20240306~
LX*3~
SV2*0551*HC:Q5001*0.01*UN*1~
DTP*472*D8*20240304~"""


def sample_claim() -> Claim:
    return Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        lines=[
            ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551", charge="150.00"),
            ClaimLine(
                "G0151", "2024-03-06", 3, revenue_code="0421", modifiers=["GP"], charge="145.50"
            ),
            ClaimLine("Q5001", "2024-03-04", 1, revenue_code="0551", charge="0.01"),
        ],
    )


_DELIMITERS = st.sampled_from(
    [Delimiters(), Delimiters("|", "^", "'"), Delimiters("*", ">", "~"), Delimiters("+", ":", "!")]
)


def _institutional(line: ClaimLine) -> ClaimLine:
    """What an SV2 segment carries of a line (with a revenue code supplied)."""
    return attrs.evolve(
        line, revenue_code=line.revenue_code or "0551", service_ids=(), prior_auth=None
    )


def _professional(line: ClaimLine) -> ClaimLine:
    """What an SV1 segment carries of a line (a HCPCS code in place of a HIPPS or none)."""
    code = line.code if line.qualifier == "HC" else "G0299"
    return attrs.evolve(line, code=code, revenue_code=None, service_ids=(), prior_auth=None)


def _professional_loop(line: ClaimLine) -> ClaimLine:
    """What an 837P loop 2400 carries of a line: its SV1 and its REF*G1 prior authorization."""
    return attrs.evolve(_professional(line), prior_auth=line.prior_auth)


class TestRoundTrip:
    """Rendering a line and parsing it back gives the same line."""

    @given(hst.claim_lines(), _DELIMITERS)
    def test_sv2(self, line: ClaimLine, d: Delimiters) -> None:
        """An SV2 segment round-trips every field it carries."""
        line = _institutional(line)
        text = x12.sv2(line, delimiters=d)
        assert line == x12.parse_sv2(text, date=line.date, through=line.through, delimiters=d)

    @given(hst.claim_lines(), _DELIMITERS, st.sampled_from(["UN", "MJ"]))
    def test_sv1(self, line: ClaimLine, d: Delimiters, basis: str) -> None:
        """An SV1 segment round-trips every field it carries."""
        line = _professional(line)
        text = x12.sv1(
            line, unit_basis=basis, place_of_service="12", diagnosis_pointers=[1, 2], delimiters=d
        )
        assert line == x12.parse_sv1(text, date=line.date, through=line.through, delimiters=d)

    @given(hst.claim_lines(), _DELIMITERS, st.booleans())
    def test_service_line_loop(self, line: ClaimLine, d: Delimiters, institutional: bool) -> None:
        """A loop-2400 text round-trips the line's date as well."""
        line = _institutional(line) if institutional else _professional_loop(line)
        text = x12.service_line(line, 1, institutional=institutional, delimiters=d)
        assert line == x12.parse_service_line(text, delimiters=d)

    @given(hst.claims())
    def test_claim_lines(self, claim: Claim) -> None:
        """All of a claim's lines come back in order from its loops."""
        shape = _institutional if claim.type_of_bill else _professional_loop
        claim = attrs.evolve(claim, lines=[shape(line) for line in claim.lines], services=())
        assert list(claim.lines) == x12.parse_service_lines(x12.service_lines(claim))


class TestSample032X:
    """The docs' 032X sample is what the library renders and reads."""

    def test_render(self) -> None:
        """The claim renders as the sample loops."""
        assert SAMPLE_032X == x12.service_lines(sample_claim())

    def test_parse(self) -> None:
        """The sample parses back to the claim's lines."""
        assert list(sample_claim().lines) == x12.parse_service_lines(SAMPLE_032X)

    def test_docs_page_shows_it(self) -> None:
        """docs/x12.rst shows exactly this sample."""
        from pathlib import Path

        page = (Path(__file__).parents[1] / "docs" / "x12.rst").read_text(encoding="utf-8")
        assert all(seg in page for seg in SAMPLE_032X.splitlines())


class TestNumbers:
    """Fractional units render as X12 decimals without trailing noise."""

    @pytest.mark.parametrize(
        ("value", "text"),
        [
            (0, "0"),
            (4, "4"),
            (Decimal("1.70"), "1.7"),
            (Decimal("1.75"), "1.75"),
            (Decimal("0.1"), "0.1"),
            (Decimal("150.00"), "150"),
            (Decimal("1E+2"), "100"),
            (Decimal("0.00"), "0"),
        ],
    )
    def test_x12_decimal(self, value: int | Decimal, text: str) -> None:
        """Each value renders without exponent or trailing zeros."""
        assert text == x12.x12_decimal(value)

    def test_fractional_units(self) -> None:
        """A Texas-Medicaid tenth-hour line renders 1.7 units."""
        line = ClaimLine("S9123", "2024-05-01", Decimal("1.70"), revenue_code="0552")
        assert "SV2*0552*HC:S9123*0*UN*1.7~" == x12.sv2(line)

    @pytest.mark.parametrize("bad", [None, 1.5, "4", True, Decimal("NaN")])
    def test_rejects_non_decimals(self, bad: object) -> None:
        """Floats, text, bools and NaN are refused."""
        with pytest.raises(InvalidFieldError):
            x12.x12_decimal(bad)  # type: ignore[arg-type]


class TestErrors:
    """Malformed segments raise InvalidFieldError naming the position."""

    @pytest.mark.parametrize(
        ("segment", "field"),
        [
            ("SV2*0551*HP:1AA11*150*UN*4~", "SV2-02-1"),
            ("SV2*0551*HC:G0299*abc*UN*4~", "SV2-03"),
            ("SV2*0551*HC:G0299*150*XX*4~", "SV2-04"),
            ("SV2*0551*HC:G0299*150*UN*1e3~", "SV2-05"),
            ("SV2*551X*HC:G0299*150*UN*4~", "SV2-01"),
            ("SV2*0551*HC:G029*150*UN*4~", "SV2-02-2"),
            ("SV2*0551*HC:G0299::GP*150*UN*4~", "SV2-02-3"),
            ("SV2*0551*HC:G0299*150*UN~", "SV2"),
            ("SV1*HC:G0299*150*UN*4~", "SV2"),
            ("SV2*0551*HC:G0299*150*UN*4~SV2*0551*HC:G0299*150*UN*4~", "SV2"),
        ],
    )
    def test_sv2(self, segment: str, field: str) -> None:
        """The error's field is the SV2 position at fault."""
        with pytest.raises(InvalidFieldError) as info:
            x12.parse_sv2(segment, date="2024-03-04")
        assert field == info.value.field

    def test_sv2_needs_revenue_code(self) -> None:
        """A professional line cannot become an SV2 segment."""
        with pytest.raises(InvalidFieldError, match="revenue_code"):
            x12.sv2(ClaimLine("T1019", "2024-03-04", 4))

    @pytest.mark.parametrize(
        "kwargs",
        [{"place_of_service": "home"}, {"diagnosis_pointers": [0]}, {"unit_basis": "DA"}],
    )
    def test_sv1_arguments(self, kwargs: dict[str, object]) -> None:
        """Bad SV1 arguments are refused by name."""
        with pytest.raises(InvalidFieldError):
            x12.sv1(ClaimLine("T1019", "2024-03-04", 4), **kwargs)  # type: ignore[arg-type]

    def test_loops_report_every_problem(self) -> None:
        """Two bad loops give one InvalidClaimError with both, each under its LX."""
        text = SAMPLE_032X.replace("*150*", "*x*").replace("D8*20240306", "D8*20240399")
        with pytest.raises(InvalidClaimError) as info:
            x12.parse_service_lines(text)
        assert ["LX*1/SV2-03", "LX*2/DTP-03"] == [e.field for e in info.value.errors]  # type: ignore[attr-defined]

    @pytest.mark.parametrize(
        "text",
        [
            "SV2*0551*HC:G0299*150*UN*4~",
            "LX*2~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~",
            "LX*1~DTP*472*D8*20240304~",
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*RD8*20240305-20240304~",
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*RD8*20240304~",
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D6*240304~",
        ],
    )
    def test_loop_shape(self, text: str) -> None:
        """Loops must start at LX 1 and hold one service segment and one DTP*472 day or range."""
        with pytest.raises(InvalidFieldError):
            x12.parse_service_lines(text)

    def test_same_day_range(self) -> None:
        """An RD8 range of one day is that day."""
        text = "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*RD8*20240304-20240304~"
        assert "2024-03-04" == x12.parse_service_line(text).date.isoformat()

    @pytest.mark.parametrize(
        ("segment", "field"),
        [
            ("SV2*0023*HP:G0299*0*UN*1~", "SV2-02-2"),
            ("SV2*0023*HC:1FC21*0*UN*1~", "SV2-02-2"),
            ("SV2*0023*HX:1FC21*0*UN*1~", "SV2-02-1"),
        ],
    )
    def test_hipps_qualifier_matches_the_code(self, segment: str, field: str) -> None:
        """HP must carry a HIPPS code and HC a HCPCS code, even on the 0023 line."""
        with pytest.raises(InvalidFieldError) as info:
            x12.parse_sv2(segment, date="2024-03-01")
        assert field == info.value.field

    def test_revenue_only_line_is_not_professional(self) -> None:
        """An SV1 line needs a HCPCS code: a revenue-only or HIPPS line is refused."""
        for line in (
            ClaimLine("", "2024-03-04", 1, revenue_code="0270"),
            ClaimLine("1FC21", "2024-03-04", 1, revenue_code="0023"),
        ):
            with pytest.raises(InvalidFieldError, match="needs a HCPCS"):
                x12.sv1(line)


class TestInstitutionalLines:
    """The 0329 claim's own line shapes: HIPPS, revenue-only and date-span lines."""

    def test_hipps_line(self) -> None:
        """The 0023 line is written with the HP qualifier and read back."""
        line = ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023", charge="0")
        text = x12.service_line(line, 1)
        assert "SV2*0023*HP:1FC21*0*UN*1~" == text.splitlines()[1]
        assert line == x12.parse_service_line(text)

    def test_revenue_only_line(self) -> None:
        """A line without a HCPCS code leaves SV2-02 empty."""
        line = ClaimLine("", "2024-03-04", 2, revenue_code="0270", charge="12.50")
        text = x12.service_line(line, 1)
        assert "SV2*0270**12.5*UN*2~" == text.splitlines()[1]
        assert line == x12.parse_service_line(text)

    def test_date_span_line(self) -> None:
        """A from-through line is written and read as DTP*472*RD8."""
        line = ClaimLine("T1030", "2024-03-04", 3, revenue_code="0552", through="2024-03-06")
        text = x12.service_line(line, 1)
        assert "DTP*472*RD8*20240304-20240306~" == text.splitlines()[2]
        assert line == x12.parse_service_line(text)

    @pytest.mark.parametrize("junk", [None, "", 42, object(), "€", "SV2"])
    def test_junk(self, junk: object) -> None:
        """Junk input raises the library's error, never something else."""
        for parse in (x12.parse_sv2, x12.parse_sv1):
            with pytest.raises(InvalidFieldError):
                parse(junk, date="2024-03-04")  # type: ignore[arg-type]

    def test_errors_pickle(self) -> None:
        """Parse errors survive a round trip through pickle."""
        with pytest.raises(InvalidFieldError) as info:
            x12.parse_sv2("SV2*0551*HC:G0299*abc*UN*4~", date="2024-03-04")
        again = pickle.loads(pickle.dumps(info.value))
        assert (info.value.field, str(info.value)) == (again.field, str(again))


class TestDelimiters:
    """Separators are parameters, validated."""

    @pytest.mark.parametrize(
        "args", [("*", "*", "~"), ("a", ":", "~"), ("*", ":", " "), ("**", ":", "~")]
    )
    def test_invalid(self, args: tuple[str, str, str]) -> None:
        """Duplicate, alphanumeric, blank or long separators are refused."""
        with pytest.raises(InvalidFieldError):
            Delimiters(*args)


def test_all() -> None:
    """``__all__`` lists the module's own public names, and ``dir()`` shows only them."""
    own = {
        n
        for n, v in vars(x12).items()
        if not n.startswith("_") and getattr(v, "__module__", None) == x12.__name__
    }
    assert own <= set(x12.__all__) <= set(vars(x12))
    assert sorted(x12.__all__) == sorted(dir(x12))


def _carried(claim: Claim) -> Claim:
    """What an 837I claim loop and its lines carry of a claim: one prior authorization
    number for the whole claim (loop 2300 REF*G1), here the first line's."""
    auth = claim.lines[0].prior_auth if claim.lines else None
    return attrs.evolve(
        claim,
        payer=payers.MEDICARE,
        id=claim.id or "PCN1",
        type_of_bill=claim.type_of_bill or "0329",
        lines=[attrs.evolve(_institutional(li), prior_auth=auth) for li in claim.lines],
        services=(),
        authorizations=(),
        therapy_ytd_pt_slp=Decimal("0"),
        therapy_ytd_ot=Decimal("0"),
        patient_id=None,
        evv_visits=None,  # an 837 carries none: read as not given
    )


class TestClaimSegments:
    """The 837I claim loop: CLM, DTP*434/435, CL1, HI condition/occurrence/span/value codes."""

    def test_complete_0329_round_trips(self) -> None:
        """The complete 0329 claim (header codes, 0023 + HIPPS, Q-code, visits) comes back
        unchanged in everything an 837I carries."""
        from test_rules_medicare_hh import clean_claim

        claim = _carried(clean_claim())
        text = x12.claim_segments(claim)
        assert claim == x12.parse_claim(text)
        assert "SV2*0023*HP:1FC21*0*UN*1~" in text.splitlines()
        assert "HI*BE:61:::35614*BE:85:::36061~" in text.splitlines()

    @given(hst.claims(), _DELIMITERS)
    def test_drawn_claims_round_trip(self, claim: Claim, d: Delimiters) -> None:
        """Any drawn claim's header and lines survive writing and reading its claim loop."""
        claim = _carried(claim)
        assert claim == x12.parse_claim(x12.claim_segments(claim, delimiters=d), delimiters=d)

    def test_more_than_twelve_codes_take_two_segments(self) -> None:
        """An HI segment holds twelve codes; the thirteenth opens a second one."""
        codes = [f"{n:02d}" for n in range(20, 33)]
        claim = Claim(
            payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", id="C1",
            condition_codes=codes,
        )  # fmt: skip
        segments = [s for s in x12.claim_segments(claim).splitlines() if s.startswith("HI")]
        assert [12, 1] == [s.count("BG:") for s in segments]
        text = "".join(segments) + "CLM*C1*0***32:A:9~DTP*434*RD8*20240301-20240330~"
        assert tuple(codes) == x12.parse_claim(text).condition_codes

    def test_other_segments_are_skipped(self) -> None:
        """Diagnosis HI, REF and NM1 segments in the claim loop are not header codes."""
        text = (
            "CLM*C1*0***32:A:9~DTP*434*RD8*20240301-20240330~REF*D9*X~HI*ABK:R69~"
            "DTP*435*DT*202403010900~NM1*71*1*DOE~CL1*1*1*30~"
        )
        claim = x12.parse_claim(text)
        assert (dt_date(2024, 3, 1), "1", "30", ()) == (
            claim.admission_date,
            claim.point_of_origin,
            claim.patient_status,
            claim.condition_codes,
        )

    def test_every_problem_with_its_place(self) -> None:
        """Bad composites, a wrong total and a missing period are all reported at once."""
        text = (
            "CLM*C1*12***32:A:9~HI*BH:50:RD8:20240301-20240302~HI*BE:61:::x~"
            "HI*BI:74:D8:20240301~LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
        )
        with pytest.raises(InvalidClaimError) as info:
            x12.parse_claim(text)
        assert ["HI*BH/1-3", "HI*BE/1-5", "HI*BI/1-3", "DTP*434"] == [
            e.field  # type: ignore[attr-defined]
            for e in info.value.errors
        ]

    def test_total_that_differs_is_kept(self) -> None:
        """A CLM02 that is not the sum of the lines is read as the claim's total_charge."""
        text = (
            "CLM*C1*12***32:A:9~DTP*434*RD8*20240301-20240330~"
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
        )
        claim = x12.parse_claim(text)
        assert (Decimal("12"), Decimal("150")) == (claim.total_charge, claim.line_total)
        assert "CLM*C1*12***32:A:9~" in x12.claim_segments(claim).splitlines()

    def test_total_that_matches_is_the_lines(self) -> None:
        """A CLM02 equal to the sum of the lines leaves total_charge empty."""
        text = (
            "CLM*C1*150***32:A:9~DTP*434*RD8*20240301-20240330~"
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
        )
        assert x12.parse_claim(text).total_charge is None

    def test_notice_accepted_round_trips(self) -> None:
        """The notice acceptance date travels as an NTE*UPI claim note and comes back."""
        claim = Claim(
            payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", id="C1",
            notice_accepted="2024-03-04", evv_visits=None,
        )  # fmt: skip
        text = x12.claim_segments(claim)
        assert "NTE*UPI*NOTICE ACCEPTED 20240304~" in text.splitlines()
        assert claim == x12.parse_claim(text)
        assert "NTE" not in x12.claim_segments(claim, notice_note=False)

    def test_other_notes_are_not_the_notice(self) -> None:
        """A free-text note that is not the notice line leaves notice_accepted empty."""
        text = (
            "CLM*C1*0***32:A:9~DTP*434*RD8*20240301-20240330~NTE*ADD*CALL BEFORE VISITS~"
            "NTE*ADD*NOTICE ACCEPTED 20240304~"
        )
        assert x12.parse_claim(text).notice_accepted is None

    def test_bad_notice_date(self) -> None:
        """A notice note with an impossible date is refused, naming the segment."""
        text = "CLM*C1*0***32:A:9~DTP*434*RD8*20240301-20240330~NTE*UPI*NOTICE ACCEPTED 20241399~"
        with pytest.raises(InvalidFieldError, match="NTE-02"):
            x12.parse_claim(text)

    @pytest.mark.parametrize("claim_kwargs", [{"id": ""}, {"type_of_bill": None}])
    def test_claim_needs_id_and_bill_type(self, claim_kwargs: dict[str, object]) -> None:
        """An 837I claim loop needs CLM01 and CLM05."""
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", id="C1")
        with pytest.raises(InvalidFieldError):
            x12.claim_segments(attrs.evolve(claim, **claim_kwargs))

    @pytest.mark.parametrize("junk", [None, 42, "", "CLM", "€", "HI*BG:5555~"])
    def test_junk(self, junk: object) -> None:
        """Junk is refused with the library's error."""
        with pytest.raises((InvalidFieldError, InvalidClaimError)):
            x12.parse_claim(junk)  # type: ignore[arg-type]
