"""The Medicare home-health rule family (hcpcs_home.rules.medicare_hh): a clean 0329 claim
checks clean, and each broken variant gives its rule's finding.

Scenarios follow the MAC pages each rule cites (NGS RC 37253, Palmetto RC 32243/32968,
CGS RC 38107/U538F, CR 10782/13543, CR 9497, CR 12805).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from hcpcs_home import Claim, ClaimLine, Service, check, payers
from hcpcs_home.policy import PayerAction, Severity
from hcpcs_home.rules import DEFAULT_RULES, family_of, medicare_hh
from hcpcs_home.serialize import claim_from_json, claim_to_json

DOC: dict[str, Any] = {
    "license_number": "NY123456",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
}
MONITORED = (2, 3, 4, 5, 6)


def services() -> list[Service]:
    rn = Service.from_times(
        "G0299",
        "2024-03-01",
        "09:00",
        "09:55",
        credential="RN",
        rendering_id="rn-1",
        id="v1",
        **DOC,
    )
    pt = Service.from_times(
        "G0151",
        "2024-03-05",
        "10:00",
        "10:45",
        credential="PT",
        rendering_id="pt-1",
        id="v2",
        **DOC,
    )
    tele = Service(
        "G0320", "2024-03-07", minutes=20, credential="RN", rendering_id="rn-1", id="t1",
        setting="telehealth", **DOC,
    )  # fmt: skip
    rpm = [
        Service("G0322", f"2024-03-{d:02d}", credential="RN", rendering_id="rn-1", id=f"m{d}",
                setting="telehealth", **DOC)
        for d in MONITORED
    ]  # fmt: skip
    return [rn, pt, tele, *rpm]


def clean_claim(**changes: Any) -> Claim:
    """A complete first-period 0329 claim: header codes, 0023 + HIPPS, Q5001, visits,
    telehealth and remote-monitoring lines."""
    found = services()
    rn, pt = found[0], found[1]
    claim = Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        id="HH-2024-0001",
        admission_date="2024-03-01",
        point_of_origin="1",
        patient_status="30",
        occurrence_codes=[("50", "2024-03-01")],
        value_codes=[("61", "35614"), ("85", "36061")],
        notice_accepted="2024-03-04",
        services=found,
        lines=[
            ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023"),
            ClaimLine("Q5001", "2024-03-01", 1, revenue_code="0551", charge="0.01"),
            ClaimLine.from_service(rn, payer=payers.MEDICARE, charge="150.00"),
            ClaimLine.from_service(pt, payer=payers.MEDICARE, charge="145.50", modifiers=["GP"]),
            ClaimLine("G0320", "2024-03-07", 1, revenue_code="0551", service_ids=["t1"]),
            ClaimLine(
                "G0322",
                "2024-03-02",
                len(MONITORED),
                revenue_code="0551",
                service_ids=[f"m{d}" for d in MONITORED],
            ),
        ],
    )
    return attrs.evolve(claim, **changes) if changes else claim


def ids(claim: Claim) -> list[str]:
    return [f.rule_id for f in check(claim).findings]


def fired(claim: Claim, rule_id: str) -> list[Any]:
    return [f for f in check(claim).findings if f.rule_id == rule_id]


def without_line(claim: Claim, index: int) -> Claim:
    return attrs.evolve(claim, lines=[li for i, li in enumerate(claim.lines) if i != index])


def replace_line(claim: Claim, index: int, **changes: Any) -> Claim:
    lines = list(claim.lines)
    lines[index] = attrs.evolve(lines[index], **changes)
    return attrs.evolve(claim, lines=lines)


class TestCleanClaim:
    def test_checks_clean(self) -> None:
        """The complete 0329 claim draws no finding from any default rule but the note that
        it is dated after the bundled CMS release (information)."""
        assert ["release-out-of-date"] == ids(clean_claim())

    def test_round_trips_through_json(self) -> None:
        """The claim survives the JSON format unchanged."""
        claim = clean_claim()
        assert claim == claim_from_json(claim_to_json(claim))

    def test_family_is_registered(self) -> None:
        """Every rule of the family is in the default rules, under this family."""
        assert all(family_of(r.id) == "medicare_hh" for r in medicare_hh.RULES)
        assert all(r.id in DEFAULT_RULES for r in medicare_hh.RULES)


#: Removing each required element gives the matching rule's error.
REMOVALS: list[tuple[str, Any, str]] = [
    ("OC 50", lambda c: attrs.evolve(c, occurrence_codes=()), "hh-oasis-date-missing"),
    ("VC 61", lambda c: attrs.evolve(c, value_codes=c.value_codes[1:]),
     "hh-cbsa-value-code-missing"),
    ("VC 85", lambda c: attrs.evolve(c, value_codes=c.value_codes[:1]),
     "hh-fips-value-code-missing"),
    ("0023 line", lambda c: without_line(c, 0), "hh-hipps-line-missing"),
    ("admission date", lambda c: attrs.evolve(c, admission_date=None), "hh-admission-date-missing"),
    ("Q5001 line", lambda c: without_line(c, 1), "site-of-service-missing"),
    ("skilled visits", lambda c: attrs.evolve(c, lines=[c.lines[0], c.lines[4]]),
     "hh-no-skilled-visit-first-period"),
]  # fmt: skip


@pytest.mark.parametrize(("element", "remove", "rule_id"), REMOVALS, ids=[r[0] for r in REMOVALS])
def test_removing_a_required_element(element: str, remove: Any, rule_id: str) -> None:
    """Without the element the claim gets that rule's error (and the clean claim does not)."""
    assert [] == fired(clean_claim(), rule_id)
    found = fired(remove(clean_claim()), rule_id)
    # Value code 85 is returned only from 2024-10-01 (CR 13543): a warning on this March 2024
    # claim (see TestHhFipsValueCodeMissing).
    wanted = Severity.WARNING if rule_id == "hh-fips-value-code-missing" else Severity.ERROR
    assert [wanted] == [f.severity for f in found]


class TestHhOasisDateMissing:
    def test_fires_without_oc50(self) -> None:
        """NGS RC 37253: a 0329 claim from 2020 needs OC 50; the clean claim has it."""
        assert [] == fired(clean_claim(), "hh-oasis-date-missing")
        (finding,) = fired(clean_claim(occurrence_codes=()), "hh-oasis-date-missing")
        assert (None, Severity.ERROR) == (finding.line, finding.severity)

    def test_not_before_2020(self) -> None:
        """Occurrence code 50 is required for From on or after 2020-01-01, not before."""
        old = clean_claim(
            statement_from="2019-12-01",
            statement_through="2019-12-30",
            admission_date="2019-12-01",
            occurrence_codes=(),
            lines=[],
        )
        assert [] == fired(old, "hh-oasis-date-missing")

    def test_other_payers_untouched(self) -> None:
        """The family applies to Medicare claims only."""
        claim = clean_claim(payer=payers.BCBS_TEXAS, occurrence_codes=())
        assert [] == fired(claim, "hh-oasis-date-missing")


class TestHhCbsaValueCodeMissing:
    def test_fires_without_vc61(self) -> None:
        """Palmetto 2021-02-05: value code 61 carries the CBSA; without it the rule fires."""
        assert [] == fired(clean_claim(), "hh-cbsa-value-code-missing")
        assert fired(clean_claim(value_codes=[("85", "36061")]), "hh-cbsa-value-code-missing")


class TestHhFipsValueCodeMissing:
    def test_from_2019(self) -> None:
        """Value code 85 applies from 2019-01-01 (CR 10782), not to 2018 claims."""
        assert [] == fired(clean_claim(), "hh-fips-value-code-missing")
        claim = clean_claim(value_codes=[("61", "35614")])
        assert fired(claim, "hh-fips-value-code-missing")
        old = attrs.evolve(claim, statement_from="2018-12-01", statement_through="2018-12-30")
        assert [] == fired(old, "hh-fips-value-code-missing")

    def test_noa_needs_no_value_codes(self) -> None:
        """A 032A notice carries no value codes and is not asked for them (CR 13543)."""
        noa = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-01",
            type_of_bill="032A",
            admission_date="2024-03-01",
        )
        assert ["release-out-of-date"] == ids(noa)

    def test_warning_before_the_edit_error_after(self) -> None:
        """Missing value code 85 is a warning before 2024-10-01 and an error from then:
        required since 2019-01-01 (CR 10782), returned with reason code 37257 only from
        2024-10-01 (CR 13543; Palmetto GBA 2024-05-09)."""
        claim = clean_claim(value_codes=[("61", "35614")])
        (early,) = fired(claim, "hh-fips-value-code-missing")
        assert Severity.WARNING is early.severity
        october = attrs.evolve(
            claim,
            statement_from="2024-10-01",
            statement_through="2024-10-30",
            admission_date="2024-10-01",
            occurrence_codes=[("50", "2024-10-01")],
            lines=[attrs.evolve(x, date=x.date.replace(month=10)) for x in claim.lines],
            services=[attrs.evolve(s, date=s.date.replace(month=10)) for s in claim.services],
        )
        (late,) = fired(october, "hh-fips-value-code-missing")
        assert Severity.ERROR is late.severity
        assert [] == fired(
            attrs.evolve(october, value_codes=[("61", "35614"), ("85", "36061")]),
            "hh-fips-value-code-missing",
        )

    def test_rule_names_the_bill_types_and_action(self) -> None:
        """The rule says which bills the edit covers (032X but 032A/032D) and what Medicare
        does, from when."""
        rule = DEFAULT_RULES["hh-fips-value-code-missing"]
        assert "032A notice of admission or its 032D cancel" in rule.description
        assert (PayerAction.RETURN_TO_PROVIDER, dt.date(2024, 10, 1)) == (
            rule.action,
            rule.action_from,
        )
        assert "CR 13543" in rule.action_source


class TestBillTypeMissing:
    def test_visit_lines_without_a_type_of_bill(self) -> None:
        """A Medicare claim with home-health visit lines and no type of bill is refused (UB-04
        FL4; Pub. 100-04 ch. 10 §40.2): every 032X rule keys on the bill type."""
        claim = clean_claim(type_of_bill=None)
        (finding,) = fired(claim, "bill-type-missing")
        assert (Severity.ERROR, None) == (finding.severity, finding.line)
        assert [] == fired(clean_claim(), "bill-type-missing")

    def test_other_payers_and_other_lines(self) -> None:
        """Only Medicare claims with visit lines: a BCBS claim or a Medicare claim of
        supplies alone is not asked for it here."""
        bcbs = Claim(
            payers.BCBS_TEXAS,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("S9123", "2024-03-04", 4)],
        )
        assert [] == fired(bcbs, "bill-type-missing")
        supply = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-31",
            lines=[ClaimLine("A4216", "2024-03-04", 1, revenue_code="0270")],
        )
        assert [] == fired(supply, "bill-type-missing")


class TestVisitLineNotVisitCode:
    @pytest.mark.parametrize("code", ["G0402", "G9857", "G9858"])
    @pytest.mark.parametrize("type_of_bill", ["0329", "0813"])
    def test_non_home_code_on_a_visit_line(self, code: str, type_of_bill: str) -> None:
        """G0402, G9857 or G9858 on a 0551 line of a 032X or 081X claim is an error, not
        only the not-curated note (Pub. 100-04 ch. 10 §40.2, ch. 11 §30.3)."""
        claim = replace_line(clean_claim(type_of_bill=type_of_bill), 2, code=code)
        (finding,) = fired(claim, "visit-line-not-visit-code")
        assert (Severity.ERROR, 2, "code") == (finding.severity, finding.line, finding.field)
        assert [] == fired(clean_claim(type_of_bill=type_of_bill), "visit-line-not-visit-code")


class TestVisitLineZeroCharge:
    def test_visit_line_without_a_charge(self) -> None:
        """A $0 visit line on a 0329 claim is returned (Palmetto GBA reason code 32243);
        the same line with its charge is clean."""
        claim = replace_line(clean_claim(), 2, charge="0")
        (finding,) = fired(claim, "visit-line-zero-charge")
        assert (Severity.ERROR, 2, "charge") == (finding.severity, finding.line, finding.field)
        assert [] == fired(clean_claim(), "visit-line-zero-charge")

    def test_notice_and_telehealth_lines(self) -> None:
        """A telehealth line reports a service, not a visit: no charge is asked of it."""
        assert [] == [f for f in fired(clean_claim(), "visit-line-zero-charge")]


class TestHhHippsLineMissing:
    def test_fires_without_0023(self) -> None:
        """Palmetto RC 32243: a 0329 claim needs its 0023 line."""
        assert [] == fired(clean_claim(), "hh-hipps-line-missing")
        assert fired(without_line(clean_claim(), 0), "hh-hipps-line-missing")


class TestHhHippsInvalid:
    def test_hcpcs_on_0023(self) -> None:
        """A HCPCS code on the 0023 line (as in CMS's RIF samples) is refused."""
        assert [] == fired(clean_claim(), "hh-hipps-invalid")
        claim = replace_line(clean_claim(), 0, code="G0402")
        (finding,) = fired(claim, "hh-hipps-invalid")
        assert (0, "code") == (finding.line, finding.field)

    def test_malformed_hipps(self) -> None:
        """A five-character code outside the PDGM layout is refused."""
        assert fired(replace_line(clean_claim(), 0, code="5ZZ91"), "hh-hipps-invalid")


class TestHhHippsLineDate:
    def test_dated_after_first_visit(self) -> None:
        """The 0023 line is dated with the first visit (Palmetto RC 32968)."""
        assert [] == fired(clean_claim(), "hh-hipps-line-date")
        claim = replace_line(clean_claim(), 0, date=dt.date(2024, 3, 5))
        (finding,) = fired(claim, "hh-hipps-line-date")
        assert ("date", (("date", "2024-03-01"),)) == (finding.field, finding.fix)


class TestHhAdmissionDateMissing:
    def test_fires_without_fl12(self) -> None:
        """CGS RC 38107: the admission date is on every claim of the admission."""
        assert [] == fired(clean_claim(), "hh-admission-date-missing")
        assert fired(clean_claim(admission_date=None), "hh-admission-date-missing")


class TestHhPeriodTooLong:
    def test_period_of_31_days(self) -> None:
        """A 31-day statement period is too long; 30 days is a period (CGS U538F)."""
        assert [] == fired(clean_claim(), "hh-period-too-long")
        (finding,) = fired(clean_claim(statement_through="2024-03-31"), "hh-period-too-long")
        assert "31 days" in finding.message


class TestHhPeriodStart:
    def test_later_period_start(self) -> None:
        """A later period starts on day 31; day 32 is wrong and says which day is right."""
        assert [] == fired(
            clean_claim(statement_from="2024-03-31", statement_through="2024-04-29", lines=[]),
            "hh-period-start",
        )
        (finding,) = fired(
            clean_claim(statement_from="2024-04-01", statement_through="2024-04-30", lines=[]),
            "hh-period-start",
        )
        assert "2024-03-31" in finding.message


class TestLineThroughOutsidePeriod:
    def test_span_line_past_through(self) -> None:
        """A date-span line ending after Through is outside the period."""
        inside = replace_line(clean_claim(), 5, through=dt.date(2024, 3, 6))
        assert [] == fired(inside, "line-through-outside-period")
        claim = replace_line(clean_claim(), 5, through=dt.date(2024, 3, 31))
        assert fired(claim, "line-through-outside-period")

    def test_line_outside_period(self) -> None:
        """A visit dated after Through is outside the period (the claim family's rule)."""
        claim = replace_line(clean_claim(), 3, date=dt.date(2024, 4, 2))
        assert fired(claim, "line-outside-period")


class TestHhNoaLate:
    def test_late_noa_warns_with_the_reduction(self) -> None:
        """NOA accepted on day 14 cuts 14/30 = 7/15 of the period: a warning, not an error."""
        (finding,) = fired(clean_claim(notice_accepted="2024-03-15"), "hh-noa-late")
        assert Severity.WARNING == finding.severity
        assert "7/15" in finding.message

    def test_timely_noa(self) -> None:
        """Accepted on day 5 is timely; no accepted date is not judged."""
        assert [] == fired(clean_claim(notice_accepted="2024-03-06"), "hh-noa-late")
        assert [] == fired(clean_claim(notice_accepted=None), "hh-noa-late")


class TestHhNoaDates:
    def test_noa_dates(self) -> None:
        """A 032A notice's From and Through are the admission date (NGS NOA job aid)."""
        good = Claim(
            payers.MEDICARE, "2024-03-01", "2024-03-01", type_of_bill="032A",
            admission_date="2024-03-01",
        )  # fmt: skip
        assert [] == fired(good, "hh-noa-dates")
        assert fired(attrs.evolve(good, statement_through="2024-03-03"), "hh-noa-dates")


def _aide_only(**changes: Any) -> Claim:
    aide = ClaimLine("G0156", "2024-03-01", 2, revenue_code="0571")
    return clean_claim(lines=[clean_claim().lines[0], aide], services=(), **changes)


class TestHhNoSkilledVisitFirstPeriod:
    def test_first_period_cannot_use_cc54(self) -> None:
        """A first period without skilled visits is an error even with CC 54 (CR 9497)."""
        assert [] == fired(clean_claim(), "hh-no-skilled-visit-first-period")
        assert fired(_aide_only(condition_codes=["54"]), "hh-no-skilled-visit-first-period")


class TestHhNoSkilledVisit:
    def test_later_period_needs_cc54(self) -> None:
        """A later period without skilled visits needs CC 54; with it the claim passes."""
        claim = _aide_only(statement_from="2024-03-31", statement_through="2024-04-29")
        claim = replace_line(claim, 0, date=dt.date(2024, 3, 31))
        claim = replace_line(claim, 1, date=dt.date(2024, 3, 31))
        assert fired(claim, "hh-no-skilled-visit")
        assert [] == fired(attrs.evolve(claim, condition_codes=["54"]), "hh-no-skilled-visit")


class TestHhRemoteMonitoringUnits:
    def test_units_are_days(self) -> None:
        """G0322 units equal the days monitored (Palmetto)."""
        assert [] == fired(clean_claim(), "hh-remote-monitoring-units")
        (finding,) = fired(replace_line(clean_claim(), 5, units=3), "hh-remote-monitoring-units")
        assert (("units", "5"),) == tuple(x for x in finding.fix if x[0] == "units")


class TestHhRemoteMonitoringDate:
    def test_first_day(self) -> None:
        """G0322 is dated the first day of monitoring (Palmetto)."""
        assert [] == fired(clean_claim(), "hh-remote-monitoring-date")
        claim = replace_line(clean_claim(), 5, date=dt.date(2024, 3, 4))
        assert fired(claim, "hh-remote-monitoring-date")


class TestHhTelehealthAsFirstVisit:
    def test_telehealth_not_the_first_visit(self) -> None:
        """The site line and the 0023 line are not dated on a telehealth-only day."""
        claim = clean_claim()
        assert [] == fired(claim, "hh-telehealth-as-first-visit")
        early = ClaimLine("G0321", "2024-02-29", 1, revenue_code="0551")
        claim = attrs.evolve(
            claim,
            statement_from="2024-02-29",
            admission_date="2024-02-29",
            lines=[
                attrs.evolve(claim.lines[0], date=dt.date(2024, 2, 29)),
                attrs.evolve(claim.lines[1], date=dt.date(2024, 2, 29)),
                early,
                *claim.lines[2:],
            ],
        )
        found = fired(claim, "hh-telehealth-as-first-visit")
        assert [0, 1] == [f.line for f in found]
        assert [] == fired(claim, "hh-hipps-line-date")


class TestHhBillType033X:
    def test_033x_after_2013(self) -> None:
        """CR 8244: TOB 033X ended for home health on 2013-10-01 (CMS's RIF samples use it)."""
        assert [] == fired(clean_claim(), "hh-bill-type-033x")
        claim = Claim(payers.MEDICARE, "2015-10-06", "2015-10-06", type_of_bill="0339")
        assert fired(claim, "hh-bill-type-033x")
        old = Claim(payers.MEDICARE, "2013-09-01", "2013-09-30", type_of_bill="0339")
        assert [] == fired(old, "hh-bill-type-033x")


class TestHhHippsInvalidBeforePdgm:
    def test_hcpcs_on_0023_in_any_year(self) -> None:
        """A HCPCS code on the 0023 line is wrong before PDGM too; a pre-PDGM HIPPS is not."""
        lines = [ClaimLine("G0402", "2015-10-06", 1, revenue_code="0023")]
        claim = Claim(payers.MEDICARE, "2015-10-06", "2015-10-06", type_of_bill="0339",
                      lines=lines)  # fmt: skip
        assert [0] == [f.line for f in fired(claim, "hh-hipps-invalid")]
        hipps = replace_line(claim, 0, code="1AFK1")
        assert [] == fired(hipps, "hh-hipps-invalid")
