"""Claims built from the facts billers have: ``ClaimLine.from_service`` without guessing,
``pdgm.first_billable_visit``, and the three builders (``pdgm.period_claim``,
``hospice.month_claim``, ``evv.claim_from_visits``), each checked clean next to the
broken inputs it refuses.
"""

from __future__ import annotations

import datetime as dt

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import ClaimLine, HcpcsError, InvalidFieldError, Service, payers, pdgm, units


class TestFromService:
    """Issue #18: a 5-minute hospice visit was billed 0 units unless the caller passed the
    hospice type of bill; now the bill is asked for where it decides the units."""

    def visit(self, minutes: int, code: str = "G0299") -> Service:
        return Service(code, "2026-03-05", minutes=minutes, credential="RN")

    def test_hospice_bill_counts_one_increment(self) -> None:
        """On 081X a 5-minute visit is one increment (CMS hospice Q&A 9887; CR 6440)."""
        line = ClaimLine.from_service(self.visit(5), payer=payers.MEDICARE, type_of_bill="0811")
        assert 1 == line.units

    def test_no_bill_where_the_bill_decides_is_refused(self) -> None:
        """Without a type of bill, 5 minutes is 0 or 1 unit: the library asks, not guesses."""
        with pytest.raises(InvalidFieldError) as info:
            ClaimLine.from_service(self.visit(5), payer=payers.MEDICARE)
        assert "type_of_bill" == info.value.field
        assert "0 units on a home-health bill and 1 on a hospice bill" in str(info.value)

    def test_no_payer_is_the_default_policy_and_asks_too(self) -> None:
        """The default policy (Medicare's) needs the bill for a short visit as well."""
        with pytest.raises(InvalidFieldError, match="type_of_bill"):
            ClaimLine.from_service(self.visit(7))

    def test_home_health_bill_refuses_zero_units(self) -> None:
        """On 032X a 5-minute visit earns no unit under the 8-minute chart (NGS "Home Health
        Therapy Billing"): the line is refused, never billed at 0 units."""
        with pytest.raises(InvalidFieldError) as info:
            ClaimLine.from_service(self.visit(5), payer=payers.MEDICARE, type_of_bill="0329")
        assert ("service.minutes", 5) == (info.value.field, info.value.value)

    def test_long_visit_needs_no_bill(self) -> None:
        """Where both bills agree (50 minutes: 3 units) no type of bill is needed."""
        assert 3 == ClaimLine.from_service(self.visit(50), payer=payers.MEDICARE).units

    def test_payer_policy_is_kept(self) -> None:
        """A payer with its own policy is not asked about hospice bills (Texas: per visit)."""
        line = ClaimLine.from_service(self.visit(5), payer=payers.TEXAS_MEDICAID)
        assert 1 == line.units

    @given(
        minutes=st.integers(0, 1440),
        bill=st.sampled_from([None, "0329", "0811", "0821", "0341"]),
        code=st.sampled_from(["G0299", "G0151", "G0156", "T1019", "S9124", "G0129"]),
    )
    def test_never_zero_units(self, minutes: int, bill: str | None, code: str) -> None:
        """Whatever the minutes and the bill, a line bills at least one unit or is refused
        with the library's own error."""
        service = Service(code, "2026-03-05", minutes=minutes, credential="RN")
        try:
            line = ClaimLine.from_service(service, payer=payers.MEDICARE, type_of_bill=bill)
        except HcpcsError:
            return
        assert line.units > 0


class TestFirstBillableVisit:
    """The 0023 and site lines take the first billable visit's date (Palmetto RC 32968,
    CGS RC 38107, NGS article 522358)."""

    def lines(self) -> list[ClaimLine]:
        return [
            ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023"),
            ClaimLine("Q5001", "2024-03-01", 1, revenue_code="0551", charge="0.01"),
            ClaimLine("G0320", "2024-03-02", 1, revenue_code="0551"),
            ClaimLine("", "2024-03-03", 2, revenue_code="0270", charge="12.50"),
            ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421"),
            ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551"),
        ]

    def test_skips_hipps_site_telehealth_and_supply_lines(self) -> None:
        """Only in-person visit lines count: telehealth, Q-code, 0023 and 0270 lines do not."""
        assert dt.date(2024, 3, 4) == pdgm.first_billable_visit(self.lines())

    def test_reads_a_claim(self) -> None:
        """A claim gives the same date as its lines."""
        from hcpcs_home import Claim

        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", lines=self.lines())
        assert dt.date(2024, 3, 4) == pdgm.first_billable_visit(claim)

    def test_none_without_a_visit(self) -> None:
        """No visit line, no date."""
        assert pdgm.first_billable_visit(self.lines()[:4]) is None

    @pytest.mark.parametrize("junk", [None, "G0299", 3, [object()]])
    def test_junk_refused(self, junk: object) -> None:
        """Something other than a claim or its lines is refused."""
        with pytest.raises(InvalidFieldError):
            pdgm.first_billable_visit(junk)  # type: ignore[arg-type]

    def test_rule_uses_it(self) -> None:
        """The hh-hipps-line-date rule dates the 0023 line by the same function."""
        from hcpcs_home import Claim, check

        lines = [attrs.evolve(li, date=dt.date(2024, 3, 5)) if li.code == "1FC21" else li
                 for li in self.lines()]  # fmt: skip
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", lines=lines,
                      type_of_bill="0329", admission_date="2024-03-01")  # fmt: skip
        [finding] = [f for f in check(claim).findings if f.rule_id == "hh-hipps-line-date"]
        assert "first visit's date, 2024-03-04" in finding.message


def test_policy_for_bill_is_what_from_service_compares() -> None:
    """The hospice reading from_service compares against is policy_for_bill's."""
    assert units.HOSPICE_VISIT == units.policy_for_bill(units.MEDICARE, "0811")
