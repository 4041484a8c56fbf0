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


# --- pdgm.period_claim ---------------------------------------------------------------------

from decimal import Decimal  # noqa: E402
from typing import Any  # noqa: E402

from hcpcs_home import Claim, InvalidClaimError, check  # noqa: E402
from hcpcs_home.policy import Severity  # noqa: E402
from hcpcs_home.serialize import claim_from_json, claim_to_json  # noqa: E402

#: What the chart rules read: orders, plan of care, notes and the clinician's license.
CHART: dict[str, Any] = {
    "license_number": "NY123456",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
}
HH_CHARGES = {"G0299": "150.00", "G0151": "145.50", "G0320": "20.00", "G0322": "10.00"}


def hh_visits() -> list[Service]:
    """A first period's documented visits: RN, PT, a telehealth visit, 5 days monitored."""
    return [
        Service.from_times(
            "G0299", "2024-03-01", "09:00", "09:55", credential="RN", rendering_id="rn-1", **CHART
        ),
        Service.from_times(
            "G0151", "2024-03-05", "10:00", "10:45", credential="PT", rendering_id="pt-1", **CHART
        ),
        Service("G0320", "2024-03-07", minutes=20, credential="RN", rendering_id="rn-1",
                setting="telehealth", **CHART),
        *[Service("G0322", f"2024-03-{d:02d}", credential="RN", rendering_id="rn-1",
                  setting="telehealth", **CHART) for d in (2, 3, 4, 5, 6)],
    ]  # fmt: skip


def hh_claim(visits: list[Service] | None = None, **changes: Any) -> Claim:
    facts: dict[str, Any] = {
        "admission_date": "2024-03-01",
        "oasis_date": "2024-03-01",
        "hipps": "1FC21",
        "cbsa": "35614",
        "fips": "36061",
        "notice_accepted": "2024-03-04",
        "charges": HH_CHARGES,
        "id": "HH-2024-0001",
        "patient_id": "1EG4TE5MK73",
        "point_of_origin": "1",
    }
    facts.update(changes)
    return pdgm.period_claim(hh_visits() if visits is None else visits, **facts)


def errors(claim: Claim) -> list[str]:
    """The rule ids of the report's errors and warnings (information left out)."""
    return [f.rule_id for f in check(claim).findings if f.severity is not Severity.INFO]


def problems(exc: pytest.ExceptionInfo[InvalidClaimError]) -> list[str]:
    return [getattr(e, "field", "?") for e in exc.value.errors]


class TestPeriodClaim:
    def test_checks_clean(self) -> None:
        """The complete 0329 from the period's visits and the episode's facts has no error
        or warning under the default rules."""
        assert [] == errors(hh_claim())

    def test_lines(self) -> None:
        """0023 and Q5001 dated the first billable visit, a line per visit, one G0322 line
        of the days monitored, dated the first (Palmetto RC 32968; NGS 522358)."""
        claim = hh_claim()
        got = [
            (li.revenue_code, li.code, li.date.day, li.units, str(li.charge)) for li in claim.lines
        ]
        assert [
            ("0023", "1FC21", 1, 1, "0"),
            ("0551", "Q5001", 1, 1, "0.01"),
            ("0551", "G0299", 1, 4, "150.00"),
            ("0551", "G0322", 2, 5, "10.00"),
            ("0421", "G0151", 5, 3, "145.50"),
            ("0551", "G0320", 7, 1, "20.00"),
        ] == got  # fmt: skip
        assert 5 == len(claim.lines[3].service_ids)

    def test_header(self) -> None:
        """The 30-day period, OC 50, VC 61/85, the admission date, status and NOA."""
        claim = hh_claim()
        assert (dt.date(2024, 3, 1), dt.date(2024, 3, 30)) == (
            claim.statement_from,
            claim.statement_through,
        )
        assert "0329" == claim.type_of_bill
        assert [("50", dt.date(2024, 3, 1))] == [(o.code, o.date) for o in claim.occurrence_codes]
        assert [("61", Decimal(35614)), ("85", Decimal(36061))] == [
            (v.code, v.amount) for v in claim.value_codes
        ]
        assert ("30", dt.date(2024, 3, 4)) == (claim.patient_status, claim.notice_accepted)
        assert "1" == claim.point_of_origin

    def test_round_trips_through_json(self) -> None:
        """claim -> JSON -> claim gives the same claim."""
        claim = hh_claim()
        assert claim == claim_from_json(claim_to_json(claim))

    def test_later_period(self) -> None:
        """Visits in days 31-60 make a claim of period 2 (From = admission + 30, CGS RC 38107);
        its OASIS (the recertification) may be dated in the period before."""
        visits = [attrs.evolve(v, date=v.date + dt.timedelta(days=30), id=f"p2-{i}")
                  for i, v in enumerate(hh_visits())]  # fmt: skip
        claim = hh_claim(visits, oasis_date="2024-03-28")
        assert (dt.date(2024, 3, 31), dt.date(2024, 4, 29)) == (
            claim.statement_from,
            claim.statement_through,
        )
        assert [] == errors(claim)

    def test_discharge_ends_on_the_last_visit(self) -> None:
        """A patient discharged home (status 01) ends the claim on the last visit."""
        claim = hh_claim(patient_status="01")
        assert dt.date(2024, 3, 7) == claim.statement_through
        assert [] == errors(claim)

    def test_replacement_and_supplies(self) -> None:
        """0327 as asked; a supply line passed in ``lines`` follows the visits."""
        supply = ClaimLine("", "2024-03-05", 1, revenue_code="0270", charge="12.00")
        claim = hh_claim(type_of_bill="0327", lines=[supply])
        assert ("0327", supply) == (claim.type_of_bill, claim.lines[-1])

    def test_visits_outside_the_period_all_named(self) -> None:
        """Visits after day 30 and before the admission, an OASIS date after the period and a
        missing charge are all reported at once."""
        visits = hh_visits()
        visits.append(Service("G0299", "2024-04-02", minutes=50, credential="RN", **CHART))
        visits.append(Service("G0299", "2024-02-20", minutes=50, credential="RN", **CHART))
        visits.append(Service("G0300", "2024-03-09", minutes=50, credential="LPN", **CHART))
        with pytest.raises(InvalidClaimError) as info:
            hh_claim(visits, oasis_date="2024-04-15")
        assert [
            "visits[8].date", "visits[9].date", "oasis_date", "charges"
        ] == problems(info)  # fmt: skip
        values = [getattr(e, "value", None) for e in info.value.errors]
        assert [dt.date(2024, 4, 2), dt.date(2024, 2, 20)] == values[:2]
        assert "is before the admission date 2024-03-01" in str(info.value.errors[1])

    def test_unreadable_facts_all_named(self) -> None:
        """Junk facts are refused together, each under its own name."""
        with pytest.raises(InvalidClaimError) as info:
            hh_claim(hipps="G0299", cbsa="3561", fips=None, admission_date="yesterday",
                     type_of_bill="0811", site="Q5006")  # fmt: skip
        assert {"hipps", "cbsa", "fips", "admission_date", "type_of_bill", "site"} == set(
            problems(info)
        )

    def test_short_visit_and_notice_before_admission(self) -> None:
        """A visit too short to bill one unit and an NOA accepted before the admission."""
        visits = [*hh_visits(), Service("G0299", "2024-03-08", minutes=5, credential="RN")]
        with pytest.raises(InvalidClaimError) as info:
            hh_claim(visits, notice_accepted="2024-02-27")
        assert ["notice_accepted", "visits[8].service.minutes"] == sorted(problems(info))

    def test_telehealth_needs_a_credential(self) -> None:
        """A telehealth line's revenue code comes from its clinician; without one it is asked."""
        visits = hh_visits()
        visits[2] = attrs.evolve(visits[2], credential=None)
        with pytest.raises(InvalidClaimError) as info:
            hh_claim(visits)
        assert ["visits[2].credential"] == problems(info)

    def test_no_in_person_visit(self) -> None:
        """Telehealth alone is no billable visit to date the 0023 line by."""
        with pytest.raises(InvalidClaimError, match="no in-person visit"):
            hh_claim(hh_visits()[2:3])

    def test_builder_fields_refused(self) -> None:
        """``services`` and ``payer`` are the builder's; another From must start a period."""
        with pytest.raises(InvalidClaimError) as info:
            hh_claim(services=[], statement_from="2024-03-02")
        assert ["services", "statement_from"] == problems(info)

    @given(
        days=st.lists(st.integers(0, 29), min_size=1, max_size=12),
        codes=st.lists(st.sampled_from(["G0299", "G0151", "G0156", "G0320"]), min_size=12,
                       max_size=12),
        offset=st.integers(0, 5),
    )  # fmt: skip
    def test_hipps_and_site_dated_the_earliest_billable_visit(
        self, days: list[int], codes: list[str], offset: int
    ) -> None:
        """Any visits inside a period give a claim whose 0023 and site lines are dated the
        earliest in-person visit, and whose lines are all inside the period."""
        admission = dt.date(2024, 1, 1)
        start = admission + dt.timedelta(days=30 * offset)
        who = {"G0299": "RN", "G0151": "PT", "G0156": "HHA", "G0320": "RN"}
        visits = [
            Service(codes[i], start + dt.timedelta(days=d), minutes=45, credential=who[codes[i]],
                    id=f"v{i}")
            for i, d in enumerate(days)
        ]  # fmt: skip
        charges = {"G0299": "1", "G0151": "1", "G0156": "1", "G0320": "1"}
        in_person = [v.date for v in visits if v.code != "G0320"]
        try:
            claim = pdgm.period_claim(
                visits, admission_date=admission, oasis_date=admission, hipps="2FC21",
                cbsa="35614", fips="36061", charges=charges,
            )  # fmt: skip
        except InvalidClaimError as exc:
            assert not in_person
            assert "no in-person visit" in str(exc)
            return
        assert start == claim.statement_from
        assert [min(in_person)] * 2 == [claim.lines[0].date, claim.lines[1].date]
        assert min(in_person) == pdgm.first_billable_visit(claim)
        assert all(claim.statement_from <= li.date <= claim.statement_through for li in claim.lines)
