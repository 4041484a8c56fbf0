"""hcpcs_home.policy.check_visit: one documented visit checked before a claim holds it.

A practice-management system checks each visit when it is documented: the rules
that can judge one visit run (line rules given the visit's chart); nothing is
said about a claim header that does not exist yet.
"""

from __future__ import annotations

from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

import hcpcs_home
from hcpcs_home import Claim, ClaimLine, Service, check, payers, policy
from hcpcs_home import strategies as hst
from hcpcs_home.catalog import Catalog
from hcpcs_home.errors import HcpcsError, InvalidFieldError, UnknownCodeError
from hcpcs_home.policy import Need, Report, Scope, check_visit
from hcpcs_home.rules import DEFAULT_RULES

DOC: dict[str, Any] = {
    "license_number": "NY123456",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
}


def visit(code: str = "G0299", credential: str = "RN", **kw: Any) -> Service:
    """A documented 50-minute visit on 2024-03-04."""
    fields = {**DOC, "credential": credential, "rendering_id": "rn-1", **kw}
    return Service.from_times(code, "2024-03-04", "09:00", "09:50", **fields)


#: The rules a visit checked alone can run: line rules needing at most the chart.
VISIT_RULES = {r.id for r in DEFAULT_RULES if r.scope is Scope.LINE and r.needs <= {Need.CHART}}


class TestDoneWhen:
    def test_revenue_code_0421_on_g0299(self) -> None:
        """One G0299 visit billed under 0421 on a 0329 bill: revenue-code-mismatch, and
        no finding about the header a claim would have."""
        service = visit()
        line = ClaimLine.from_service(service, payer=payers.MEDICARE, revenue_code="0421")
        report = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0329")
        assert ["revenue-code-mismatch"] == report.rule_ids()
        assert [0] == [f.line for f in report]

    def test_a_bare_claim_would_draw_header_errors(self) -> None:
        """The same visit on a bare 0329 claim draws claim findings check_visit leaves out."""
        service = visit()
        line = ClaimLine.from_service(service, payer=payers.MEDICARE, revenue_code="0421")
        bare = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-30",
            type_of_bill="0329",
            lines=[line],
            services=[service],
        )
        claim_findings = [f for f in check(bare) if f.line is None]
        assert len(claim_findings) >= 3
        report = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0329")
        assert [] == [f for f in report if f.line is None]


class TestCheckVisit:
    def test_clean_visit(self) -> None:
        """A documented RN visit billed as the library builds it checks clean."""
        assert [] == check_visit(visit(), payers.MEDICARE, type_of_bill="0329").rule_ids()

    def test_wrong_credential(self) -> None:
        """An aide's visit billed as G0299 (RN) is credential-mismatch."""
        report = check_visit(visit(credential="HHA"), payers.MEDICARE, type_of_bill="0329")
        assert "credential-mismatch" in report.rule_ids()
        assert not report.ok

    def test_exported(self) -> None:
        """check_visit is public from hcpcs_home and hcpcs_home.policy."""
        assert hcpcs_home.check_visit is policy.check_visit is check_visit
        assert "check_visit" in hcpcs_home.__all__
        assert "check_visit" in policy.__all__

    def test_line_built_from_the_service(self) -> None:
        """Without ``line`` the visit is billed as ClaimLine.from_service bills it."""
        service = visit()
        report = check_visit(service, payers.MEDICARE, type_of_bill="0329")
        expected = ClaimLine.from_service(service, payer=payers.MEDICARE, type_of_bill="0329")
        assert (expected,) == report.claim.lines
        assert (service,) == report.claim.services

    def test_report_claim_is_the_visit(self) -> None:
        """The report's claim holds the one line, over the visit's dates, with its bill."""
        report = check_visit(visit(), "medicare", type_of_bill="0329")
        claim = report.claim
        assert isinstance(report, Report)
        assert (1, "0329", claim.statement_from, claim.statement_through) == (
            len(claim.lines),
            claim.type_of_bill,
            claim.lines[0].date,
            claim.lines[0].date,
        )
        assert "medicare" == claim.payer.id

    def test_unlinked_line_bills_the_visit(self) -> None:
        """A line that points at no service is taken to bill the visit."""
        service = visit()
        line = ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551")
        report = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0329")
        assert [] == report.rule_ids()
        assert (service.id,) == report.claim.lines[0].service_ids

    def test_units_checked_against_the_visit(self) -> None:
        """A line billing more units than the visit's 50 minutes give is units-mismatch."""
        service = visit()
        line = ClaimLine("G0299", "2024-03-04", 6, revenue_code="0551")
        report = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0329")
        assert ["units-mismatch"] == report.rule_ids()
        assert (("units", "3"),) == report[0].fix

    def test_visit_without_time(self) -> None:
        """A timed visit that documents no time gives a line of 0 units, and the report
        says time-not-documented."""
        service = Service("G0299", "2024-03-04", credential="RN", **DOC)
        report = check_visit(service, payers.MEDICARE, type_of_bill="0329")
        assert ["time-not-documented"] == report.rule_ids()
        assert 0 == report.claim.lines[0].units

    def test_visit_too_short_to_bill(self) -> None:
        """A 5-minute visit bills no unit under the 8-minute chart of a 032X bill: a line of
        0 units, below-minimum-time says why, and short-visit-units that sources differ."""
        service = Service.from_times("G0299", "2024-03-04", "09:00", "09:05", **DOC)
        report = check_visit(service, payers.MEDICARE, type_of_bill="0329")
        assert ["below-minimum-time", "short-visit-units"] == report.rule_ids()
        assert ("0551", 0) == (report.claim.lines[0].revenue_code, report.claim.lines[0].units)

    def test_bill_needed_to_count_units(self) -> None:
        """Without a type of bill, a visit whose units differ between a home-health and a
        hospice bill is refused, asking for the bill (nothing is guessed)."""
        service = Service.from_times("G0299", "2024-03-04", "09:00", "09:05", **DOC)
        with pytest.raises(InvalidFieldError, match="type_of_bill"):
            check_visit(service, payers.MEDICARE)

    def test_type_of_bill_is_read_by_line_rules(self) -> None:
        """A home-health visit code on a 034X bill is bill-type-mismatch; the same visit
        with its 032X bill, or with none (a professional line), is not."""
        service = visit("G0151", credential="PT")
        line = ClaimLine.from_service(service, payer=payers.MEDICARE, modifiers=["GP"])
        found = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0341")
        assert "bill-type-mismatch" in found.rule_ids()
        for bill in ("0329", None):
            found = check_visit(service, payers.MEDICARE, line=line, type_of_bill=bill)
            assert "bill-type-mismatch" not in found.rule_ids()

    def test_evv_rules_do_not_run(self) -> None:
        """A visit's EVV record is matched on the claim, not here: no evv-visit-missing for
        a North Dakota personal-care visit, which a claim without its EVV visit gets."""
        service = Service.from_times(
            "T1019", "2024-03-04", "08:00", "12:00", credential="PCA", rendering_id="W7"
        )
        payer = payers.NORTH_DAKOTA_MEDICAID
        line = ClaimLine.from_service(service, payer=payer)
        claim = Claim(payer, "2024-03-04", "2024-03-04", lines=[line], services=[service])
        assert "evv-visit-missing" in check(claim).rule_ids()
        assert "evv-visit-missing" not in check_visit(service, payer, line=line).rule_ids()

    def test_own_rule_set(self) -> None:
        """``rules`` replaces the default rule set."""
        service = visit()
        line = ClaimLine.from_service(service, payer=payers.MEDICARE, revenue_code="0421")
        rules = DEFAULT_RULES.remove("revenue-code-mismatch")
        report = check_visit(service, payers.MEDICARE, line=line, type_of_bill="0329", rules=rules)
        assert [] == report.rule_ids()

    def test_own_catalog(self) -> None:
        """``catalog`` is where the line's code is looked up."""
        service = visit()
        line = ClaimLine.from_service(service, payer=payers.MEDICARE)
        empty = Catalog([])
        report = check_visit(service, payers.MEDICARE, line=line, catalog=empty)
        assert ["unknown-code"] == report.rule_ids()


class TestProperties:
    """check_visit of a visit is check of the one-line claim holding it, less the rules
    that need more than the chart."""

    @given(hst.services(), hst.payers(), st.sampled_from([None, "0329", "0341", "0811"]))
    def test_visit_rules_of_the_one_line_claim(
        self, service: Service, payer: Any, bill: str | None
    ) -> None:
        """The findings are those the visit rules give on the claim check_visit builds."""
        try:
            report = check_visit(service, payer, type_of_bill=bill)
        except HcpcsError:  # a drawn visit ClaimLine.from_service cannot bill alone
            return
        again = check(report.claim)
        assert [f for f in again if f.rule_id in VISIT_RULES] == list(report)


class TestBadInput:
    @pytest.mark.parametrize("junk", [None, "", "G0299", object(), 42])
    def test_service(self, junk: Any) -> None:
        """A service that is not a Service is refused."""
        with pytest.raises(InvalidFieldError, match="service"):
            check_visit(junk, payers.MEDICARE)

    @pytest.mark.parametrize("junk", [None, "", "no-such-payer", object(), "€"])
    def test_payer(self, junk: Any) -> None:
        """A payer that is neither a Payer nor a shipped profile id is refused."""
        with pytest.raises(InvalidFieldError, match="payer"):
            check_visit(visit(), junk)

    @pytest.mark.parametrize("junk", ["", "G0299", object(), 42, {"code": "G0299"}])
    def test_line(self, junk: Any) -> None:
        """A line that is not a ClaimLine is refused."""
        with pytest.raises(InvalidFieldError, match="line"):
            check_visit(visit(), payers.MEDICARE, line=junk)

    def test_line_of_another_service(self) -> None:
        """A line that points at other services is refused, naming the visit."""
        line = ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551", service_ids=["other"])
        with pytest.raises(InvalidFieldError, match="service_ids"):
            check_visit(visit(), payers.MEDICARE, line=line)

    @pytest.mark.parametrize("junk", ["99", "0999x", 329, "€€€€"])
    def test_type_of_bill(self, junk: Any) -> None:
        """A type of bill that is not one is refused."""
        with pytest.raises(InvalidFieldError):
            check_visit(visit(), payers.MEDICARE, type_of_bill=junk)

    @pytest.mark.parametrize("keyword", ["rules", "catalog"])
    @pytest.mark.parametrize("junk", ["", object(), 42, []])
    def test_rules_and_catalog(self, keyword: str, junk: Any) -> None:
        """A rule set or catalog of the wrong type is refused by name."""
        with pytest.raises(InvalidFieldError, match=keyword):
            check_visit(visit(), payers.MEDICARE, **{keyword: junk})

    def test_unknown_code_without_a_line(self) -> None:
        """Without ``line``, a visit of a code the catalog does not know cannot be billed."""
        with pytest.raises(UnknownCodeError):
            check_visit(attrs.evolve(visit(), code="Z9999"), payers.MEDICARE)
