"""A claim's prior authorization number (``REF*G1``) through the 837 it travels in (#6).

The 837P carries it in loop 2300 (the claim's) and loop 2400 (a line's, where it
differs: X12 RFI 2459); the 837I in loop 2300 only.  A correct claim read from
an 837 must not get a false ``prior-auth-missing``; one genuinely without an
authorization must still get it.
"""

from __future__ import annotations

import attrs
import pytest

from hcpcs_home import Claim, ClaimLine, check, x12
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError

#: G0299 needs prior authorization under tx-medicaid; G0299 and T1019 under tx-medicaid-cshcn.
TX = "tx-medicaid"
CSHCN = "tx-medicaid-cshcn"


def institutional(payer: str = TX, auth: str | None = "PA123456") -> Claim:
    """A two-line TX Medicaid 837I claim (nursing visits), every line under ``auth``."""
    return Claim(
        payer,
        "2024-03-04",
        "2024-03-05",
        type_of_bill="0331",
        id="TX1",
        lines=[
            ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551", charge="150", prior_auth=auth),
            ClaimLine("G0299", "2024-03-05", 2, revenue_code="0551", charge="75", prior_auth=auth),
        ],
    )


def professional(auths: tuple[str | None, str | None] = ("PA1", "PA2")) -> Claim:
    """A TX CSHCN 837P claim: G0299 and T1019, each needing prior authorization."""
    return Claim(
        CSHCN,
        "2024-03-04",
        "2024-03-05",
        id="TX2",
        lines=[
            ClaimLine("G0299", "2024-03-04", 4, charge="150", prior_auth=auths[0]),
            ClaimLine("T1019", "2024-03-05", 8, modifiers=["U1"], charge="40", prior_auth=auths[1]),
        ],
    )


def missing(claim: Claim) -> list[int | None]:
    """The lines (0-based) ``prior-auth-missing`` reports on ``claim``."""
    return [f.line for f in check(claim).findings if f.rule_id == "prior-auth-missing"]


class TestLoop2400:
    def test_837p_line_writes_and_reads_ref_g1(self) -> None:
        """An 837P line's number is its loop's REF*G1, and comes back."""
        line = professional().lines[1]
        text = x12.service_line(line, 1, institutional=False)
        assert "REF*G1*PA2~" == text.splitlines()[-1]
        assert line == x12.parse_service_line(text)

    def test_837i_line_has_no_ref_g1(self) -> None:
        """An 837I service line has no prior-authorization REF (loop 2300 holds it)."""
        text = x12.service_line(institutional().lines[0], 1)
        assert "REF" not in text

    def test_other_refs_are_not_the_authorization(self) -> None:
        """REF*9F is a referral number, REF*6R a line control number: neither is read."""
        text = "LX*1~SV1*HC:T1019*40*UN*8~DTP*472*D8*20240304~REF*9F*REF77~REF*6R*L1~"
        assert x12.parse_service_line(text).prior_auth is None

    @pytest.mark.parametrize(
        ("ref", "field"),
        [
            ("REF*G1~", "REF*G1-02"),
            ("REF*G1*" + "A" * 51 + "~", "REF*G1-02"),
            ("REF*G1*A~REF*G1*B~", "REF*G1"),
        ],
    )
    def test_malformed_ref_is_refused(self, ref: str, field: str) -> None:
        """An empty or over-long REF02, or two REF*G1 in a loop, is an error naming it."""
        text = "LX*1~SV1*HC:T1019*40*UN*8~DTP*472*D8*20240304~" + ref
        with pytest.raises(InvalidFieldError) as info:
            x12.parse_service_line(text)
        assert f"LX*1/{field}" == info.value.field

    def test_every_bad_loop_is_reported(self) -> None:
        """Bad REF*G1 in two loops: both reported at once, each under its loop."""
        loop = "LX*{n}~SV1*HC:T1019*40*UN*8~DTP*472*D8*20240304~REF*G1~"
        with pytest.raises(InvalidClaimError) as info:
            x12.parse_service_lines(loop.format(n=1) + loop.format(n=2))
        assert ["LX*1/REF*G1-02", "LX*2/REF*G1-02"] == [e.field for e in info.value.errors]

    @pytest.mark.parametrize("number", ["A" * 51, "PA*1", "PA:1", "PA~1"])
    def test_unwritable_number_is_refused(self, number: str) -> None:
        """A number longer than REF02 allows, or holding a delimiter, is not written."""
        line = ClaimLine("T1019", "2024-03-04", 8, charge="40", prior_auth=number)
        with pytest.raises(InvalidFieldError) as info:
            x12.service_line(line, 1, institutional=False)
        assert "prior_auth" == info.value.field


class TestLoop2300:
    def test_837i_claim_writes_one_ref_g1(self) -> None:
        """An 837I claim's shared number is one loop-2300 REF*G1, after the dates."""
        lines = x12.claim_segments(institutional()).splitlines()
        assert ["REF*G1*PA123456~"] == [s for s in lines if s.startswith("REF")]
        assert lines.index("REF*G1*PA123456~") < lines.index("LX*1~")

    @pytest.mark.parametrize("auths", [("PA1", "PA2"), ("PA1", None), (None, "PA2")])
    def test_837i_lines_with_different_numbers_are_refused(
        self, auths: tuple[str | None, str | None]
    ) -> None:
        """An 837I has one place for the number; lines that differ cannot be written."""
        claim = institutional()
        claim = attrs.evolve(
            claim,
            lines=[
                attrs.evolve(li, prior_auth=a) for li, a in zip(claim.lines, auths, strict=True)
            ],
        )
        with pytest.raises(InvalidFieldError) as info:
            x12.claim_segments(claim)
        assert "lines.prior_auth" == info.value.field

    def test_claim_number_applies_to_lines_without_their_own(self) -> None:
        """A 2300 REF*G1 is every line's number; a 2400 REF*G1 overrides it on its line."""
        text = (
            "CLM*C1*225***33:A:1~DTP*434*RD8*20240304-20240305~REF*9F*R1~REF*G1*CLAIMPA~"
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
            "LX*2~SV2*0551*HC:G0299*75*UN*2~DTP*472*D8*20240305~REF*G1*LINEPA~"
        )
        claim = x12.parse_claim(text, payer=TX)
        assert ["CLAIMPA", "LINEPA"] == [li.prior_auth for li in claim.lines]

    def test_two_claim_numbers_are_refused(self) -> None:
        """Two 2300 REF*G1: which line each covers is not said, so the claim is refused."""
        text = (
            "CLM*C1*150***33:A:1~DTP*434*RD8*20240304-20240305~REF*G1*A~REF*G1*B~"
            "LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
        )
        with pytest.raises(InvalidFieldError) as info:
            x12.parse_claim(text, payer=TX)
        assert "REF*G1" == info.value.field

    def test_bad_claim_number_reported_with_other_problems(self) -> None:
        """An empty 2300 REF02 is reported alongside the header's other problems."""
        text = "CLM*C1*150***33:A:1~REF*G1~LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~"
        with pytest.raises(InvalidClaimError) as info:
            x12.parse_claim(text, payer=TX)
        assert {"REF*G1-02", "DTP*434"} == {e.field for e in info.value.errors}


class TestCheckedFromThe837:
    """The clean claim next to the broken one, through the claim loop reader."""

    @pytest.mark.parametrize("payer", [TX, CSHCN])
    def test_authorized_837i_claim_checks_clean(self, payer: str) -> None:
        """A TX Medicaid G0299 claim with its authorization: no prior-auth-missing, read back."""
        claim = institutional(payer)
        assert [] == missing(claim)
        back = x12.parse_claim(x12.claim_segments(claim), payer=payer)
        assert [li.prior_auth for li in claim.lines] == [li.prior_auth for li in back.lines]
        assert [] == missing(back)

    def test_unauthorized_837i_claim_still_reported(self) -> None:
        """The same claim with no authorization anywhere still gets prior-auth-missing."""
        claim = institutional(auth=None)
        back = x12.parse_claim(x12.claim_segments(claim), payer=TX)
        assert [0, 1] == missing(back) == missing(claim)

    def test_authorized_837p_lines_check_clean(self) -> None:
        """G0299 and T1019 lines with their own numbers read back clean from loop 2400."""
        claim = professional()
        lines = x12.parse_service_lines(x12.service_lines(claim))
        assert list(claim.lines) == lines
        assert [] == missing(attrs.evolve(claim, lines=lines))

    def test_837p_line_without_number_still_reported(self) -> None:
        """Only the T1019 line that has no number is reported."""
        claim = professional(("PA1", None))
        lines = x12.parse_service_lines(x12.service_lines(claim))
        assert [1] == missing(attrs.evolve(claim, lines=lines))
