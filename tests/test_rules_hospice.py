"""Tests for the hospice rule family (hcpcs_home.rules.hospice) and the hospice false
positives fixed in the other families."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

import attrs
import pytest

from hcpcs_home import Claim, ClaimLine, OccurrenceSpan, Service, check, payers
from hcpcs_home.claims import Occurrence
from hcpcs_home.errors import RuleSetLoadError
from hcpcs_home.policy import Severity
from hcpcs_home.rules import DEFAULT_RULES, VOCABULARY, family_of
from hcpcs_home.rules._common import hospice_claim
from hcpcs_home.rules.hospice import level_line

MARCH = (dt.date(2026, 3, 1), dt.date(2026, 3, 31))


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


def visit(code: str, day: int, start: str, stop: str, credential: str, **kw: Any) -> Service:
    return Service.from_times(
        code,
        d(day),
        start,
        stop,
        credential=credential,
        orders_on_file=True,
        plan_of_care_on_file=True,
        license_number="L-1" if credential in ("RN", "LPN", "MSW") else None,
        rendering_id=kw.pop("who", credential),
        **kw,
    )


#: The services of a clean March: routine visits, a continuous-home-care day on the 10th
#: (6 hours RN, 3 hours aide) and a five-day respite stay from the 20th.
SERVICES = (
    visit("G0299", 2, "09:00", "09:50", "RN"),
    visit("G0299", 5, "10:00", "10:05", "RN"),  # a 5-minute visit: one increment
    visit("G0156", 6, "08:00", "09:00", "HHA"),
    visit("G0155", 7, "13:00", "13:45", "MSW"),
    visit("G0299", 10, "00:00", "06:00", "RN"),
    visit("G0156", 10, "06:00", "09:00", "HHA"),
    visit("G0299", 27, "11:00", "11:40", "RN"),
)


def line(service: Service, revenue_code: str, **kw: Any) -> ClaimLine:
    return ClaimLine.from_service(service, payer=payers.MEDICARE, revenue_code=revenue_code, **kw)


def month(**changes: Any) -> Claim:
    """A clean hospice March, with ``changes`` to the claim's fields."""
    s = {x.id: x for x in SERVICES}
    ids = list(s)
    lines = [
        ClaimLine("Q5001", d(1), 9, revenue_code="0651"),
        ClaimLine("Q5001", d(10), 36, revenue_code="0652", service_ids=ids[4:6]),
        ClaimLine("Q5001", d(11), 9, revenue_code="0651"),
        ClaimLine("Q5006", d(20), 5, revenue_code="0655"),
        ClaimLine("Q5001", d(25), 7, revenue_code="0651"),
        ClaimLine("G0299", d(2), 3, revenue_code="0551", service_ids=[ids[0]]),
        ClaimLine("G0299", d(5), 1, revenue_code="0551", service_ids=[ids[1]]),
        ClaimLine("G0156", d(6), 4, revenue_code="0571", service_ids=[ids[2]]),
        ClaimLine("G0155", d(7), 3, revenue_code="0561", service_ids=[ids[3]]),
        ClaimLine("G0299", d(10), 24, revenue_code="0551", service_ids=[ids[4]]),
        ClaimLine("G0156", d(10), 12, revenue_code="0571", service_ids=[ids[5]]),
        ClaimLine("G0299", d(27), 3, revenue_code="0551", service_ids=[ids[6]]),
    ]
    claim = Claim(
        payers.MEDICARE,
        *MARCH,
        lines=lines,
        services=SERVICES,
        type_of_bill="0813",
        admission_date=d(20, 1),
        notice_accepted=d(22, 1),
        patient_status="30",
    )
    return attrs.evolve(claim, **changes)


def problems(claim: Claim) -> list[str]:
    """Rule ids of the report's errors and warnings (information left out)."""
    return [f.rule_id for f in check(claim).findings if f.severity is not Severity.INFO]


def finding(claim: Claim, rule_id: str) -> Any:
    found = [f for f in check(claim).findings if f.rule_id == rule_id]
    assert 1 == len(found), [str(f) for f in check(claim).findings]
    return found[0]


class TestCleanMonth:
    def test_checks_clean(self) -> None:
        """Routine days with visit lines, a CHC day and a five-day respite stay check clean."""
        assert [] == problems(month())
        assert check(month()).ok

    def test_round_trips_through_json(self) -> None:
        """The month, header and all, survives the claim JSON format unchanged."""
        from hcpcs_home.serialize import claim_from_json, claim_to_json

        claim = month(occurrence_spans=[OccurrenceSpan("77", d(1), d(3))])
        assert claim == claim_from_json(claim_to_json(claim))

    def test_round_trips_through_837i(self) -> None:
        """The month's lines and header survive the 837I claim loop; the services, the
        NOE's acceptance date and the EVV visits are not on the form, so they are left out
        of the comparison."""
        from hcpcs_home.x12 import claim_segments, parse_claim

        def form(c: Claim) -> Claim:
            lines = [attrs.evolve(x, service_ids=()) for x in c.lines]
            return attrs.evolve(c, services=(), lines=lines, notice_accepted=None, evv_visits=None)

        claim = month(occurrence_spans=[OccurrenceSpan("77", d(1), d(3))], id="H1")
        assert form(claim) == form(parse_claim(claim_segments(claim)))

    def test_information_only(self) -> None:
        """The clean month's only findings are the RHC rate facts and the note that the month
        is after the bundled CMS release."""
        infos = [f for f in check(month()).findings if f.severity is Severity.INFO]
        assert ["release-out-of-date", "rhc-rate-days"] == [f.rule_id for f in infos]
        assert (
            "18 RHC day(s) at the day 1-60 rate, 7 at the day 61+ rate from 2026-03-25"
            in infos[1].message
        )


class TestFalsePositives:
    """Correct hospice lines that the home-health rules used to refuse."""

    def test_q5001_on_0651_is_not_revenue_code_mismatch(self) -> None:
        """Q5001 on a 0651 routine-home-care line is the level-of-care line (CR 5245)."""
        claim = month(lines=[ClaimLine("Q5001", d(1), 31, revenue_code="0651")], services=())
        assert "revenue-code-mismatch" not in problems(claim)

    def test_31_routine_days_are_not_site_of_service_units(self) -> None:
        """31 units of Q5001 on 0651 are 31 routine days, not a home-health Q line."""
        claim = month(lines=[ClaimLine("Q5001", d(1), 31, revenue_code="0651")], services=())
        assert [] == problems(claim)

    def test_q5001_on_a_visit_code_still_one_unit(self) -> None:
        """A home-health Q line on 0551 still bills 1 unit."""
        claim = Claim(
            payers.MEDICARE,
            *MARCH,
            type_of_bill="0329",
            lines=[ClaimLine("Q5001", d(2), 3, revenue_code="0551")],
        )
        assert "site-of-service-units" in check(claim).rule_ids()

    def test_5_minute_hospice_visit_is_not_below_minimum_time(self) -> None:
        """A 5-minute hospice nurse visit is one 15-minute increment (CMS hospice Q&A 9887)."""
        report = check(month())
        assert "below-minimum-time" not in report.rule_ids()
        assert "short-visit-units" not in report.rule_ids()

    def test_5_minute_home_health_visit_still_warned(self) -> None:
        """On a 032X claim the 1-7 minute reading stays contested."""
        v = visit("G0299", 5, "10:00", "10:05", "RN")
        claim = Claim(
            payers.MEDICARE,
            *MARCH,
            type_of_bill="0329",
            services=[v],
            lines=[
                ClaimLine("Q5001", d(5), 1, revenue_code="0551"),
                ClaimLine("G0299", d(5), 0, revenue_code="0551", service_ids=[v.id]),
            ],
        )
        assert {"below-minimum-time", "short-visit-units"} <= set(check(claim).rule_ids())

    def test_g0299_in_a_nursing_facility_is_not_setting_mismatch(self) -> None:
        """A hospice patient living in a nursing facility gets hospice visits there (Q5003)."""
        nf = visit("G0299", 2, "09:00", "09:50", "RN", setting="facility")
        claim = month(
            services=[nf],
            lines=[
                ClaimLine("Q5003", d(1), 31, revenue_code="0651"),
                ClaimLine("G0299", d(2), 3, revenue_code="0551", service_ids=[nf.id]),
            ],
        )
        assert [] == problems(claim)

    def test_g0299_in_a_facility_on_home_health_still_refused(self) -> None:
        """Home health is furnished in the home: the facility visit is still refused on 032X."""
        nf = visit("G0299", 2, "09:00", "09:50", "RN", setting="facility")
        claim = Claim(
            payers.MEDICARE,
            *MARCH,
            type_of_bill="0329",
            services=[nf],
            lines=[ClaimLine("G0299", d(2), 3, revenue_code="0551", service_ids=[nf.id])],
        )
        assert "setting-mismatch" in check(claim).rule_ids()


def _chc_services(*pairs: tuple[str, str, str, str]) -> tuple[Service, ...]:
    return tuple(visit(code, 10, a, b, cred) for code, a, b, cred in pairs)


def _with_chc(services: tuple[Service, ...], units: int) -> Claim:
    base = month()
    others = [s for s in SERVICES if s.date != d(10)]
    lines = [
        attrs.evolve(x, service_ids=[s.id for s in services]) if x.revenue_code == "0652" else x
        for x in base.lines
        if not (x.date == d(10) and x.revenue_code in ("0551", "0571"))
    ]
    lines = [attrs.evolve(x, units=units) if x.revenue_code == "0652" else x for x in lines]
    return attrs.evolve(base, services=(*others, *services), lines=lines)


class TestChcDayNotQualifying:
    """NGS CHC job aid 916402: 8 hours between midnight and midnight, nursing more than half."""

    def test_qualifying_day_clean(self) -> None:
        """Nine hours, six by a nurse, is continuous home care."""
        assert "chc-day-not-qualifying" not in check(month()).rule_ids()

    def test_seven_and_a_half_hours(self) -> None:
        """7.5 hours of care is a routine day: the finding says so and how to bill it."""
        claim = _with_chc(_chc_services(("G0299", "08:00", "15:30", "RN")), 32)
        f = finding(claim, "chc-day-not-qualifying")
        assert "7.5 hours of care, under 8" in f.message
        assert ("revenue_code", "0651") in f.fix
        assert "routine home care" in (f.suggestion or "")

    def test_nurses_under_half(self) -> None:
        """Nine hours with nurses giving four is a routine day."""
        services = _chc_services(
            ("G0299", "00:00", "04:00", "RN"), ("G0156", "04:00", "09:00", "HHA")
        )
        f = finding(_with_chc(services, 36), "chc-day-not-qualifying")
        assert "nurses gave 4 of 9 hours, not more than half" in f.message

    def test_exactly_half_is_a_named_reading(self) -> None:
        """A 50/50 day fails the default reading; a rule set with CGS's reading takes it."""
        services = _chc_services(
            ("G0299", "00:00", "05:00", "RN"), ("G0156", "05:00", "10:00", "HHA")
        )
        claim = _with_chc(services, 40)
        assert "chc-day-not-qualifying" in check(claim).rule_ids()
        lenient = attrs.evolve(
            DEFAULT_RULES["chc-day-not-qualifying"],
            when=hospice_claim
            & level_line
            & ~VOCABULARY.predicate("chc_day_qualifies", share="at least half"),
        )
        rules = DEFAULT_RULES.replace(lenient)
        assert "chc-day-not-qualifying" not in check(claim, rules).rule_ids()

    def test_no_services(self) -> None:
        """A CHC day of a claim that carries its chart, with no documented care that day,
        cannot be continuous home care."""
        levels = [x for x in month().lines if (x.revenue_code or "")[:3] == "065"]
        other_days = [s for s in SERVICES if d(10) not in s.days()]
        claim = month(services=other_days, lines=[attrs.evolve(x, service_ids=()) for x in levels])
        f = finding(claim, "chc-day-not-qualifying")
        assert "no services are documented" in f.message

    def test_no_chart_is_not_judged(self) -> None:
        """A CHC day of a claim that carries no chart (an 837I or RIF claim) is not called
        unqualified: the chart is not there to count its hours."""
        levels = [x for x in month().lines if (x.revenue_code or "")[:3] == "065"]
        claim = month(services=(), lines=[attrs.evolve(x, service_ids=()) for x in levels])
        assert "chc-day-not-qualifying" not in check(claim).rule_ids()
        assert "chart-not-provided" in check(claim).rule_ids()

    @pytest.mark.parametrize("share", ["most", 5])
    def test_bad_share_refused(self, share: Any) -> None:
        """A chc_day_qualifies predicate with an unknown share reading is refused at load."""
        with pytest.raises(RuleSetLoadError):
            VOCABULARY.predicate("chc_day_qualifies", share=share)


class TestChcUnits:
    """Pub. 100-04 ch. 11 §30.1: continuous home care in 15-minute increments, 32 at least."""

    def test_clean(self) -> None:
        """36 units for a nine-hour day are right."""
        assert "chc-units" not in check(month()).rule_ids()

    def test_units_below_32(self) -> None:
        """A qualifying day billed with fewer than 32 units is corrected to its hours."""
        services = _chc_services(("G0299", "00:00", "09:00", "RN"))
        f = finding(_with_chc(services, 30), "chc-units")
        assert ("units", "36") in f.fix

    def test_more_than_the_hours(self) -> None:
        """Billing 40 quarter hours for nine hours of care is refused."""
        services = _chc_services(("G0299", "00:00", "09:00", "RN"))
        assert "chc-units" in check(_with_chc(services, 40)).rule_ids()


def _respite(days: int) -> Claim:
    """The clean month with a respite stay of ``days`` days from the 20th."""
    back = d(20 + days)
    lines = [
        attrs.evolve(x, units=days)
        if x.revenue_code == "0655"
        else (attrs.evolve(x, date=back, units=32 - back.day) if x.date == d(25) else x)
        for x in month().lines
        if x.date != d(27)
    ]
    return month(lines=lines, services=[s for s in SERVICES if s.date != d(27)])


class TestRespiteOverLimit:
    """NGS respite job aid; CR 8569: respite is paid for at most 5 consecutive days."""

    def test_five_days_clean(self) -> None:
        """A five-day stay, home on the sixth day, is clean."""
        assert [] == problems(_respite(5))

    def test_six_respite_days(self) -> None:
        """A sixth respite day in a row is routine home care."""
        f = finding(_respite(6), "respite-over-limit")
        assert "1 day(s) past the fifth in a row, from 2026-03-25" in f.message
        assert ("units", "5") in f.fix
        assert "2026-03-25 as routine home care (0651)" in (f.suggestion or "")
        assert ["respite-over-limit"] == problems(_respite(6))


class TestLevelOfCareSite:
    """CR 5245: each level-of-care line carries the Q-code of where the care was given."""

    def test_clean(self) -> None:
        """Home care at home and respite in a hospice facility are clean."""
        assert "level-of-care-site" not in check(month()).rule_ids()

    def test_respite_at_home(self) -> None:
        """Respite billed with the home Q-code is refused, with the facility code offered."""
        lines = [
            attrs.evolve(x, code="Q5001") if x.revenue_code == "0655" else x for x in month().lines
        ]
        f = finding(month(lines=lines), "level-of-care-site")
        assert ("code", "Q5006") in f.fix

    @pytest.mark.parametrize("site", ["Q5003", "Q5009", "Q5001"])
    def test_general_inpatient_care_outside_a_hospital_snf_or_hospice_unit(self, site: str) -> None:
        """GIP (0656) in a nursing facility (Q5003), a place not otherwise specified or the
        home is refused: 42 CFR 418.108(a) limits it to a hospice inpatient facility, a
        hospital or a SNF."""
        lines = [
            attrs.evolve(x, code=site, revenue_code="0656") if x.revenue_code == "0655" else x
            for x in month().lines
        ]
        assert "level-of-care-site" in check(month(lines=lines)).rule_ids()

    @pytest.mark.parametrize("site", ["Q5004", "Q5005", "Q5006", "Q5007", "Q5008"])
    def test_general_inpatient_care_in_a_hospital_snf_or_hospice_unit(self, site: str) -> None:
        """GIP in a SNF, a hospital (inpatient, long-term care, psychiatric) or a hospice
        inpatient facility is clean (42 CFR 418.108(a))."""
        lines = [
            attrs.evolve(x, code=site, revenue_code="0656") if x.revenue_code == "0655" else x
            for x in month().lines
        ]
        assert "level-of-care-site" not in check(month(lines=lines)).rule_ids()

    def test_respite_in_a_nursing_facility(self) -> None:
        """Respite may be given in a Medicare or Medicaid-certified nursing facility (42 CFR
        418.108(b)): Q5003 on 0655 is clean."""
        lines = [
            attrs.evolve(x, code="Q5003") if x.revenue_code == "0655" else x for x in month().lines
        ]
        assert "level-of-care-site" not in check(month(lines=lines)).rule_ids()

    def test_chc_in_a_snf(self) -> None:
        """Continuous home care in a skilled nursing facility (Q5004) is refused (CGS)."""
        lines = [
            attrs.evolve(x, code="Q5004") if x.revenue_code == "0652" else x for x in month().lines
        ]
        assert "level-of-care-site" in check(month(lines=lines)).rule_ids()


class TestLevelOfCareDays:
    """Pub. 100-04 ch. 11 §30.1: each day is paid at one level of care."""

    def test_clean(self) -> None:
        """The clean month bills each of its 31 days once."""
        assert "level-of-care-days" not in check(month()).rule_ids()

    def test_gap_and_overlap(self) -> None:
        """A day billed at no level and a day billed twice are both named."""
        lines = [attrs.evolve(x, units=8) if x.date == d(1) else x for x in month().lines]
        lines.append(ClaimLine("Q5006", d(15), 1, revenue_code="0656"))
        f = finding(month(lines=lines), "level-of-care-days")
        assert "2026-03-09 not billed at any level" in f.message
        assert "2026-03-15 billed at more than one level" in f.message

    def test_no_level_lines(self) -> None:
        """A hospice claim of visit lines alone bills no day of care."""
        claim = month(lines=[x for x in month().lines if x.code.startswith("G")])
        assert (
            "2026-03-01 to 2026-03-31 not billed at any level"
            in finding(claim, "level-of-care-days").message
        )

    def test_days_past_the_period(self) -> None:
        """32 routine days from March 1 run past the period."""
        claim = month(lines=[ClaimLine("Q5001", d(1), 32, revenue_code="0651")], services=())
        assert (
            "2026-04-01 outside the statement period"
            in finding(claim, "level-of-care-days").message
        )

    @pytest.mark.parametrize("units", [9_999_999, Decimal("2.5")])
    def test_absurd_units_reported_not_raised(self, units: Any) -> None:
        """A per-day line with more days than a century, or part of a day, is a finding."""
        claim = month(
            lines=[ClaimLine("Q5001", dt.date(2099, 12, 1), units, revenue_code="0651")],
            services=(),
            statement_from=dt.date(2099, 12, 1),
            statement_through=dt.date(2099, 12, 31),
            admission_date=dt.date(2099, 11, 1),
            notice_accepted=dt.date(2099, 11, 2),
            patient_status="40",
            occurrence_codes=[Occurrence("55", dt.date(2099, 12, 31))],
        )
        assert "whole number of days" in finding(claim, "level-of-care-days").message

    def test_live_discharge_ends_early(self) -> None:
        """A claim ending in discharge need not bill days after its last level day."""
        lines = [x for x in month().lines if x.date < d(20)]
        claim = month(lines=lines, patient_status="01", statement_through=d(19))
        assert [] == problems(claim)


class TestNoeLate:
    """CR 8877: an NOE accepted more than 5 days after the election leaves provider-liable
    days, reported with occurrence span code 77 (Palmetto "NOE Exception Examples")."""

    def test_late_noe(self) -> None:
        """A late NOE with no OSC 77 is an error whose fix is the span."""
        claim = month(admission_date=d(1), notice_accepted=d(9))
        f = finding(claim, "noe-late")
        assert ("occurrence_span", "77 2026-03-01 2026-03-08") in f.fix
        assert "3 day(s) late" in f.message
        assert ["noe-late"] == problems(claim)

    def test_late_noe_reported(self) -> None:
        """The same claim with OSC 77 over the liable days is clean."""
        claim = month(
            admission_date=d(1),
            notice_accepted=d(9),
            occurrence_spans=[OccurrenceSpan("77", d(1), d(8))],
        )
        assert [] == problems(claim)

    def test_wrong_span(self) -> None:
        """An OSC 77 that stops short of the liable days does not count."""
        claim = month(
            admission_date=d(1),
            notice_accepted=d(9),
            occurrence_spans=[OccurrenceSpan("77", d(1), d(5))],
        )
        assert "noe-late" in check(claim).rule_ids()

    def test_timely_noe(self) -> None:
        """An NOE accepted on the fifth day needs nothing."""
        assert "noe-late" not in check(month(admission_date=d(1), notice_accepted=d(6))).rule_ids()

    def test_liable_days_of_an_earlier_month(self) -> None:
        """Liable days all in February are not this claim's to report."""
        claim = month(admission_date=d(1, 2), notice_accepted=d(20, 2))
        assert "noe-late" not in check(claim).rule_ids()

    def test_acceptance_before_admission(self) -> None:
        """A notice accepted before the admission is reported, not ignored."""
        claim = month(admission_date=d(10), notice_accepted=d(1))
        assert "is before" in finding(claim, "noe-late").message


class TestNotrLate:
    """Palmetto NOE exception page: an NOTR is due within 5 calendar days."""

    def test_late_notr_warns(self) -> None:
        """An NOTR accepted ten days after the discharge is a warning."""
        claim = Claim(payers.MEDICARE, d(1), d(15), type_of_bill="081B", notice_accepted=d(25))
        assert Severity.WARNING is finding(claim, "notr-late").severity

    def test_timely_notr(self) -> None:
        """An NOTR accepted within 5 days is clean."""
        claim = Claim(payers.MEDICARE, d(1), d(15), type_of_bill="081B", notice_accepted=d(18))
        assert [] == problems(claim)


def _died(**changes: Any) -> Claim:
    """The month of a patient who died at home on the 30th, an RN visit that day."""
    rn = visit("G0299", 30, "10:00", "11:00", "RN")
    base = month()
    lines = [x for x in base.lines if x.date < d(25)] + [
        ClaimLine("Q5001", d(25), 6, revenue_code="0651"),
        ClaimLine("G0299", d(30), 4, revenue_code="0551", service_ids=[rn.id]),
    ]
    return attrs.evolve(
        base,
        lines=lines,
        services=(*[s for s in SERVICES if s.date < d(25)], rn),
        statement_through=d(30),
        patient_status="40",
        **changes,
    )


class TestSiaEligible:
    """NGS "Service Intensity Add-on Payment" (CR 9201)."""

    def test_sia_is_information(self) -> None:
        """RN visits in the last 7 days of life are reported as an informational finding."""
        claim = _died(occurrence_codes=[Occurrence("55", d(30))])
        f = finding(claim, "sia-eligible")
        assert Severity.INFO is f.severity
        assert "2026-03-30 4 unit(s)" in f.message
        assert check(claim).ok

    def test_live_patient_none(self) -> None:
        """No death, no add-on."""
        assert "sia-eligible" not in check(month()).rule_ids()


class TestDeathDateMissing:
    """AAPC on MM7792: statuses 40-42 need occurrence code 55."""

    def test_missing(self) -> None:
        """A death status without OC 55 is an error."""
        assert "death-date-missing" in check(_died()).rule_ids()

    def test_present(self) -> None:
        """With OC 55 the claim is clean."""
        assert [] == problems(_died(occurrence_codes=[Occurrence("55", d(30))]))


class TestRhcRateDays:
    """FY 2016 hospice rule: RHC days 1-60 and 61+ pay different rates."""

    def test_day_61(self) -> None:
        """Counting from the admission date, RHC days past 60 are at the lower rate."""
        f = finding(month(admission_date=d(10, 1), notice_accepted=d(12, 1)), "rhc-rate-days")
        assert "at the day 61+ rate from 2026-03-11" in f.message

    def test_no_admission_date(self) -> None:
        """Without the admission date the count cannot start, so nothing is said."""
        assert "rhc-rate-days" not in check(month(admission_date=None)).rule_ids()


class TestHospiceFamily:
    def test_rules_in_default_set(self) -> None:
        """Every hospice rule id is in the default rule set, in the hospice family."""
        ids = [
            "level-of-care-site",
            "level-of-care-days",
            "chc-day-not-qualifying",
            "chc-units",
            "respite-over-limit",
            "noe-late",
            "notr-late",
            "death-date-missing",
            "sia-eligible",
            "rhc-rate-days",
        ]
        assert all(i in DEFAULT_RULES for i in ids)
        assert {"hospice"} == {family_of(i) for i in ids}
