"""The home-care rule family: a clean EVV month, and each departure with its finding and fix.

The scenario is a month of personal care (T1019, 15-minute units) for member
M100 in North Dakota (ND DHS Service Chapter 535-05-45), weekdays 08:00-12:00
by worker W7, under an authorization of 90 hours with at most 20 a week.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from hcpcs_home import (
    Authorization,
    Claim,
    ClaimLine,
    EvvVisit,
    Service,
    check,
    check_many,
    lookup,
    payers,
)
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.policy import Batch, Finding, Report, Severity

ND = payers.NORTH_DAKOTA_MEDICAID
WEEKDAYS = [d for d in (dt.date(2024, 3, n) for n in range(1, 32)) if d.weekday() < 5]


def visit(day: dt.date, member: str = "M100", **kw: Any) -> EvvVisit:
    fields: dict[str, Any] = {
        "start": "08:00",
        "stop": "12:00",
        "location": "12 Elm St, Fargo ND",
        "worker": "W7",
        "method": "mobile",
        **kw,
    }
    return EvvVisit(fields.pop("service", "T1019"), day, member=member, **fields)


AUTH = Authorization(
    "PA-7", "nd-medicaid", ["T1019"], 90, "hours", "2024-03-01", "2024-03-31", per_week=20
)


def shift(day: dt.date, start: str = "08:00", stop: str = "12:00") -> Service:
    """The attendant's timesheet entry for a visit."""
    return Service.from_times(
        "T1019", day, start, stop, credential="PCA", rendering_id="W7", prior_auth="PA-7"
    )


SHIFTS = [shift(d) for d in WEEKDAYS]


def line(svc: Service, units: int = 16) -> ClaimLine:
    return ClaimLine("T1019", svc.date, units, service_ids=[svc.id], prior_auth="PA-7")


def month(**changes: Any) -> Claim:
    """The clean month; ``lines=``, ``services=`` or ``evv_visits=`` replace parts of it."""
    visits = [visit(d) for d in WEEKDAYS]
    fields: dict[str, Any] = {
        "lines": [line(s) for s in SHIFTS],
        "services": SHIFTS,
        "evv_visits": visits,
        "authorizations": [AUTH],
        "patient_id": "M100",
        "id": "ND-0301",
        **changes,
    }
    return Claim(ND, "2024-03-01", "2024-03-31", **fields)


def only(report: Report, rule_id: str) -> Finding:
    hits = [f for f in report if f.rule_id == rule_id]
    assert 1 == len(hits), [str(f) for f in report]
    return hits[0]


class TestCleanMonth:
    def test_month_with_evv_hourly_authorization_and_weekly_cap_is_clean(self) -> None:
        """21 verified four-hour visits, 84 of 90 authorized hours, 20 a week: no finding."""
        report = check(month())
        # The one finding: the month is after the bundled CMS release (information).
        assert [(Severity.INFO, "release-out-of-date")] == [(f.severity, f.rule_id) for f in report]

    def test_payer_without_evv_ignores_missing_visits(self) -> None:
        """A payer with no EVV codes asks for no visit (BCBS TX commercial profile)."""
        claim = attrs.evolve(month(evv_visits=[]), payer=payers.WISCONSIN_MEDICAID)
        assert 21 == len([f for f in check(claim) if f.rule_id == "evv-visit-missing"])
        plain = attrs.evolve(payers.WISCONSIN_MEDICAID, evv_codes=[])
        claim = attrs.evolve(claim, payer=plain)
        assert [] == [f for f in check(claim) if f.rule_id == "evv-visit-missing"]


class TestEvvVisitMissing:
    """21st Century Cures Act §12006; HHSC EVV Policy Handbook §12000: no accepted visit, no pay."""

    def test_line_without_a_visit(self) -> None:
        """Dropping the 4 March visit leaves its line unbacked; the fix says to record it."""
        visits = [visit(d) for d in WEEKDAYS if d.day != 4]
        finding = only(check(month(evv_visits=visits)), "evv-visit-missing")
        assert (1, "evv_visits") == (finding.line, finding.field)
        assert "2024-03-04" in finding.message
        assert finding.suggestion is not None and "record the visit" in finding.suggestion

    def test_rejected_visit_backs_nothing(self) -> None:
        """A visit the aggregator did not accept is no visit."""
        visits = [visit(d, accepted=d.day != 5) for d in WEEKDAYS]
        assert 2 == only(check(month(evv_visits=visits)), "evv-visit-missing").line

    def test_exempt_modifier_needs_no_visit(self) -> None:
        """Texas HHCS outside the home bills KX and needs no match (HHSC news 2023-11-13)."""
        tx = payers.TEXAS_MEDICAID
        line = ClaimLine("G0299", "2024-03-04", 1, revenue_code="0551", modifiers=["KX"])
        claim = Claim(tx, "2024-03-01", "2024-03-31", lines=[line], patient_id="M100")
        assert [] == [f for f in check(claim) if f.rule_id == "evv-visit-missing"]
        claim = attrs.evolve(claim, lines=[attrs.evolve(line, modifiers=())])
        finding = only(check(claim), "evv-visit-missing")
        assert finding.suggestion is not None and "HQ or KX" in finding.suggestion

    def test_texas_personal_care_needs_evv(self) -> None:
        """A month of Texas Medicaid T1019 (personal care) with no EVV visits is refused:
        1 TAC §354.4005(b)(5) requires EVV for PCS; the same month with its visits is clean."""
        tx = payers.TEXAS_MEDICAID
        lines = [ClaimLine("T1019", day, 16) for day in WEEKDAYS[:5]]
        claim = Claim(tx, "2024-03-01", "2024-03-31", lines=lines, patient_id="M100")
        assert 5 == len([f for f in check(claim) if f.rule_id == "evv-visit-missing"])
        assert "T1019" in tx.evv_codes
        verified = attrs.evolve(claim, evv_visits=[visit(day) for day in WEEKDAYS[:5]])
        assert [] == [f for f in check(verified) if f.rule_id.startswith("evv-")]

    def test_before_the_evv_date_no_visit_is_needed(self) -> None:
        """Texas home health claims matching starts with dates of service in 2024."""
        line = ClaimLine("G0299", "2023-12-04", 1, revenue_code="0551")
        claim = Claim(payers.TEXAS_MEDICAID, "2023-12-01", "2023-12-31", lines=[line])
        assert [] == [f for f in check(claim) if f.rule_id == "evv-visit-missing"]


class TestEvvElementMissing:
    """SSA §1903(l)(5): the six elements of every visit."""

    def test_missing_location(self) -> None:
        """A visit without a location is reported with the element and the visit."""
        visits = [visit(d, location=None if d.day == 6 else "12 Elm St") for d in WEEKDAYS]
        finding = only(check(month(evv_visits=visits)), "evv-element-missing")
        assert 3 == finding.line
        assert "lacks location" in finding.message
        assert finding.suggestion == (
            "complete the location of visit 2024-03-06/T1019/M100/0800 in the EVV system, then bill"
        )


class TestEvvUnitsOverVerified:
    """HHSC EVV Policy Handbook §8000: bill hours must equal the units billed."""

    def test_units_beyond_the_verified_time(self) -> None:
        """17 units for a verified four hours (16 units) are refused; the fix is 16."""
        lines = [line(s, 17 if s.date.day == 7 else 16) for s in SHIFTS]
        finding = only(check(month(lines=lines)), "evv-units-over-verified")
        assert (4, (("units", "16"),)) == (finding.line, finding.fix)
        assert "240 minutes" in finding.message

    def test_rounding_is_the_payers(self) -> None:
        """A 59-minute visit verifies 4 units by the CMS chart but 3 in Missouri."""
        v = visit(WEEKDAYS[0], stop="08:59")
        line = ClaimLine("T1019", WEEKDAYS[0], 4)
        nd = Claim(ND, "2024-03-01", "2024-03-31", lines=[line], evv_visits=[v], patient_id="M100")
        assert [] == [f for f in check(nd) if f.rule_id == "evv-units-over-verified"]
        mo = attrs.evolve(nd, payer=payers.MISSOURI_MEDICAID)
        assert (("units", "3"),) == only(check(mo), "evv-units-over-verified").fix


class TestAuthorizationCaps:
    """Authorizations in hours convert through the code's unit; caps per week from the
    payer's week start."""

    def test_forty_hours_are_not_exceeded_by_forty_eight_quarter_hours(self) -> None:
        """48 units of a 15-minute code are 12 hours of a 40-hour authorization."""
        auth = Authorization(
            "PA1",
            "nd-medicaid",
            ["T1019"],
            40,
            "units",
            "2024-03-01",
            "2024-03-31",
            minutes_per_unit=60,
        )
        lines = [ClaimLine("T1019", WEEKDAYS[0], 48, prior_auth="PA1")]
        claim = Claim(ND, "2024-03-01", "2024-03-31", lines=lines, authorizations=[auth])
        assert [] == [f for f in check(claim) if f.rule_id == "authorization-exceeded"]

    def test_weekly_cap_exceeded(self) -> None:
        """A Saturday visit passes 20 hours in the week from Sunday 3 March; the fix is 0 units."""
        sat = shift(dt.date(2024, 3, 9))
        claim = month(
            lines=[*month().lines, line(sat)],
            services=[*SHIFTS, sat],
            evv_visits=[*month().evv_visits, visit(sat.date)],
        )
        finding = only(check(claim), "authorization-exceeded")
        assert finding.message == (
            "authorization PA-7 allows 20 hours a week (from 2024-03-03), 24 used"
        )
        assert (("units", "0"),) == finding.fix

    def test_week_start_is_the_payers(self) -> None:
        """Saturday and Sunday fall in two weeks from Sunday but one week from Monday."""
        weekend = [shift(dt.date(2024, 3, 9)), shift(dt.date(2024, 3, 10))]
        auth = attrs.evolve(AUTH, per_week=4)
        claim = month(
            lines=[line(s) for s in weekend],
            services=weekend,
            evv_visits=[visit(s.date) for s in weekend],
            authorizations=[auth],
        )
        assert [] == [f for f in check(claim) if f.rule_id == "authorization-exceeded"]
        monday = attrs.evolve(claim, payer=attrs.evolve(ND, week_start="Monday"))
        finding = only(check(monday), "authorization-exceeded")
        assert "4 hours a week (from 2024-03-04), 8 used" in finding.message

    def test_units_summed_across_the_claims_of_a_batch(self) -> None:
        """Two claims of one authorization share its total when checked as a batch."""
        auth = attrs.evolve(AUTH, units=44, per_week=None)
        first = month(authorizations=[auth])
        late = shift(WEEKDAYS[-1], "13:00", "17:00")
        second = month(
            lines=[line(late)],
            services=[late],
            evv_visits=[visit(WEEKDAYS[-1], start="13:00", stop="17:00")],
            authorizations=[auth],
            id="ND-0302",
        )
        alone = check(second)
        assert [] == [f for f in alone if f.rule_id == "authorization-exceeded"]
        reports = list(check_many([first, second], batch=True))
        assert (
            "authorization PA-7 has 44 hours left, 88 used"
            == only(reports[1], "authorization-exceeded").message
        )


class TestPerDiemDayExceeded:
    """HCPCS 'per diem': one unit per day, however many lines bill it."""

    @pytest.mark.parametrize("code", ["S9129", "T1020"])
    def test_two_lines_on_one_day(self, code: str) -> None:
        """A second one-unit line on the same day is refused; the fix removes it."""
        payer = payers.BCBS_TEXAS if code == "S9129" else ND
        lines = [ClaimLine(code, "2024-03-04", 1), ClaimLine(code, "2024-03-04", 1)]
        visits = [visit(dt.date(2024, 3, 4), service=code)]
        claim = Claim(
            payer, "2024-03-01", "2024-03-31", lines=lines, evv_visits=visits, patient_id="M100"
        )
        finding = only(check(claim), "per-diem-day-exceeded")
        assert 1 == finding.line
        assert finding.suggestion is not None and finding.suggestion.startswith("remove the line")

    def test_one_line_a_day_is_fine(self) -> None:
        """One unit on each of two days is two per diems."""
        lines = [ClaimLine("S9129", "2024-03-04", 1), ClaimLine("S9129", "2024-03-05", 1)]
        claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", lines=lines)
        assert [] == [f for f in check(claim) if f.rule_id == "per-diem-day-exceeded"]

    def test_dol_shifts_allow_three_a_day(self) -> None:
        """DOL DEEOIC counts 8-hour shifts: three S5126 lines on a day pass, a fourth does not."""
        lines = [ClaimLine("S5126", "2024-03-04", 1) for _ in range(4)]
        claim = Claim(payers.DOL_EEOICP, "2024-03-01", "2024-03-31", lines=lines)
        assert [3] == [f.line for f in check(claim) if f.rule_id == "per-diem-day-exceeded"]


class TestWorkerOverlap:
    """One worker cannot deliver two visits at once (Cures Act §12006 verifies both)."""

    def second_patient(self, start: str) -> Claim:
        day = WEEKDAYS[2]
        return Claim(
            ND,
            "2024-03-01",
            "2024-03-31",
            patient_id="M200",
            id="ND-0400",
            lines=[ClaimLine("T1019", day, 8)],
            evv_visits=[visit(day, member="M200", start=start, stop="13:00")],
        )

    def test_overlap_across_two_patients_in_a_batch(self) -> None:
        """W7 at M200's from 11:00 while M100's visit runs to 12:00: both claims are told."""
        first, second = list(check_many([month(), self.second_patient("11:00")], batch=True))
        a, b = only(first, "worker-overlap"), only(second, "worker-overlap")
        assert (2, 0) == (a.line, b.line)
        assert "worker W7 is in visit 2024-03-05/T1019/M200/1100 for M200 (ND-0400)" in a.message
        assert b.suggestion == "correct the visit times or the worker on one of the two visits"

    def test_back_to_back_is_fine(self) -> None:
        """Starting the next visit at 12:00 does not overlap."""
        reports = list(check_many([month(), self.second_patient("12:00")], batch=True))
        assert [[], []] == [[f for f in r if f.rule_id == "worker-overlap"] for r in reports]

    def test_without_batch_each_claim_stands_alone(self) -> None:
        """check_many without batch=True checks claims one by one (lazily)."""
        reports = list(check_many([month(), self.second_patient("11:00")]))
        assert [[], []] == [[f for f in r if f.rule_id == "worker-overlap"] for r in reports]

    def test_batch_must_hold_the_claim(self) -> None:
        """A batch that does not hold the claim is refused."""
        from hcpcs_home.rules import DEFAULT_RULES

        with pytest.raises(InvalidFieldError, match="batch"):
            DEFAULT_RULES.check(month(), batch=Batch([self.second_patient("11:00")]))
        with pytest.raises(InvalidFieldError, match=r"claims\[0\]"):
            Batch(["not a claim"])  # type: ignore[list-item]


class TestCredentials:
    def test_dol_s5126_by_an_aide(self) -> None:
        """DOL DEEOIC Bulletin 08-09 bills S5126 for aide shifts: no credential finding."""
        svc = Service.from_times("S5126", "2024-03-04", "07:00", "15:00", credential="HHA")
        line = ClaimLine.from_service(svc, payer=payers.DOL_EEOICP)
        claim = Claim(payers.DOL_EEOICP, "2024-03-01", "2024-03-31", lines=[line], services=[svc])
        assert [] == [f for f in check(claim) if f.rule_id == "credential-mismatch"]
        other = attrs.evolve(claim, payer=payers.BCBS_TEXAS)
        assert 1 == len([f for f in check(other) if f.rule_id == "credential-mismatch"])

    def test_payer_credentials_are_refused_when_junk(self) -> None:
        """A payer's code credentials must be real credentials."""
        with pytest.raises(InvalidFieldError, match="code_credentials"):
            attrs.evolve(payers.DOL_EEOICP, code_credentials={"S5126": ["wizard"]})
        assert lookup("S5126").credentials < payers.DOL_EEOICP.credentials_for(lookup("S5126"))


class TestTexasPerVisit:
    def test_g0299_is_one_unit_per_visit(self) -> None:
        """Texas Medicaid pays G0299 per visit (TMPPM HH Nursing and PDN Handbook §3.5)."""
        svc = Service.from_times("G0299", "2024-03-04", "09:00", "11:00", credential="RN")
        line = ClaimLine.from_service(svc, payer=payers.TEXAS_MEDICAID)
        assert 1 == line.units
        assert 8 == ClaimLine.from_service(svc, payer=payers.MEDICARE).units


class TestStateEdits:
    """Sourced state limits shipped as payer edit rows (hcpcs_home/data/state_edits.tsv)."""

    def rules(self) -> Any:
        from importlib import resources

        from hcpcs_home import load_edits

        return load_edits(resources.files("hcpcs_home.data") / "state_edits.tsv")

    def test_texas_four_nursing_visits_a_day(self) -> None:
        """Texas Medicaid pays at most 3 SN/aide visits a day (TMPPM HH Nursing and PDN §3.5)."""
        lines = [
            ClaimLine("G0299", "2024-03-04", 1, revenue_code="0551", modifiers=["KX"])
            for _ in range(4)
        ]
        claim = Claim(payers.TEXAS_MEDICAID, "2024-03-01", "2024-03-31", lines=lines)
        hits = [f for f in self.rules().check(claim) if f.rule_id == "tx-hh-visits-day"]
        assert [3] == [f.line for f in hits]
        three = attrs.evolve(claim, lines=lines[:3])
        assert [] == [f for f in self.rules().check(three) if f.rule_id == "tx-hh-visits-day"]

    def test_cshcn_nursing_not_on_a_ppecc_day(self) -> None:
        """CSHCN S9123 is denied on a date with T1026 (CSHCN manual §21.2.1.1)."""
        lines = [
            ClaimLine("S9123", "2024-03-04", 8, prior_auth="PA1"),
            ClaimLine("T1026", "2024-03-04", 4, prior_auth="PA1"),
        ]
        claim = Claim(payers.TEXAS_MEDICAID_CSHCN, "2024-03-01", "2024-03-31", lines=lines)
        hits = [f for f in self.rules().check(claim) if f.rule_id == "tx-cshcn-pdn-not-ppecc"]
        assert [0] == [f.line for f in hits]
        apart = attrs.evolve(claim, lines=[lines[0], attrs.evolve(lines[1], date="2024-03-05")])
        assert [] == [f for f in self.rules().check(apart) if f.rule_id == "tx-cshcn-pdn-not-ppecc"]


class TestDateSpanLines:
    """Texas EVV Policy Handbook §12100: each date of a span line needs a matched visit, and
    the line bills the summed units of its visits."""

    def span(self, units: int, days: tuple[int, ...], code: str = "T1020") -> Claim:
        line = ClaimLine(code, "2024-03-04", units, through="2024-03-06")
        visits = [visit(dt.date(2024, 3, d), service=code) for d in days]
        return Claim(
            ND, "2024-03-01", "2024-03-31", lines=[line], evv_visits=visits, patient_id="M100"
        )

    def test_every_date_of_the_span_needs_a_visit(self) -> None:
        """A three-day T1020 span with visits on two days names the third."""
        finding = only(check(self.span(3, (4, 5))), "evv-visit-missing")
        assert "T1020 on 2024-03-06" in finding.message
        assert [] == [f for f in check(self.span(3, (4, 5, 6))) if f.rule_id.startswith("evv")]

    def test_span_units_are_the_visits_summed(self) -> None:
        """Three four-hour T1019 visits verify 48 units over the span; 49 is refused."""
        assert [] == [
            f for f in check(self.span(48, (4, 5, 6), "T1019")) if f.rule_id.startswith("evv")
        ]
        finding = only(check(self.span(49, (4, 5, 6), "T1019")), "evv-units-over-verified")
        assert (("units", "48"),) == finding.fix

    def test_a_day_of_the_span_billed_again(self) -> None:
        """A one-day T1020 line on a date the span already bills is one per diem too many."""
        claim = self.span(3, (4, 5, 6))
        claim = attrs.evolve(claim, lines=[*claim.lines, ClaimLine("T1020", "2024-03-05", 1)])
        finding = only(check(claim), "per-diem-day-exceeded")
        assert 1 == finding.line

    def test_span_against_a_daily_cap(self) -> None:
        """A 3-day span of 36 hourly-equivalent units is 12 a day: within a 12-unit daily cap."""
        auth = Authorization(
            "PA9", "nd-medicaid", ["T1019"], 500, "units", "2024-03-01", "2024-03-31", per_day=48
        )
        line = ClaimLine("T1019", "2024-03-04", 144, through="2024-03-06", prior_auth="PA9")
        claim = Claim(ND, "2024-03-01", "2024-03-31", lines=[line], authorizations=[auth])
        assert [] == [f for f in check(claim) if f.rule_id == "authorization-exceeded"]
        over = attrs.evolve(claim, lines=[attrs.evolve(line, units=150)])
        assert (
            "allows 48 units on 2024-03-04, 50 used"
            in only(check(over), "authorization-exceeded").message
        )
