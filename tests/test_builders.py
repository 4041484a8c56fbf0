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

    def test_calls_keep_nothing(self) -> None:
        """Reading lines makes no converter per call: the field converters' registry does
        not grow with the claims checked (it grew by one converter a call)."""
        from hcpcs_home import _fields

        lines = self.lines()
        pdgm.first_billable_visit(lines)
        held = len(_fields._TUPLE_OF)
        for _ in range(20):
            assert dt.date(2024, 3, 4) == pdgm.first_billable_visit(lines)
        assert held == len(_fields._TUPLE_OF)

    def test_other_readers_keep_nothing(self) -> None:
        """``visit_count``, ``is_lupa`` and a payer's code lists make no converter per
        call either, and a converter made by a caller and dropped leaves the registries
        (they hold converters weakly)."""
        from hcpcs_home import Payer, PayerKind, _fields
        from hcpcs_home.bounds import MAX_SERVICES

        lines = self.lines()
        sizes = [len(r) for r in (_fields._TUPLE_OF, _fields._MOST_ITEMS, _fields._TEXT_LIMITS)]
        for _ in range(20):
            assert 3 == pdgm.visit_count(lines, count_site_lines=True)
            payer = Payer(
                "acme",
                "Acme",
                PayerKind.COMMERCIAL,
                prior_auth_codes=["G0299"],
                code_credentials={"G0156": ["HHA"]},
            )
            assert frozenset({"G0299"}) == payer.prior_auth_codes
        made = _fields.tuple_of(_fields.text("note", 5), "notes", MAX_SERVICES)
        assert ("a", "b") == made([" a", "b "])
        assert made in _fields._TUPLE_OF
        del made
        after = [len(r) for r in (_fields._TUPLE_OF, _fields._MOST_ITEMS, _fields._TEXT_LIMITS)]
        assert sizes == after

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


# --- hospice.month_claim -------------------------------------------------------------------

from test_rules_hospice import SERVICES, visit  # noqa: E402

from hcpcs_home import hospice  # noqa: E402


def march(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


#: The clean hospice March's visits (tests/test_rules_hospice.py): routine visits, a 5-minute
#: visit (one increment) and a continuous-home-care day on the 10th (6 hours RN, 3 aide).
HOSPICE_VISITS = SERVICES
SITES = {"0651": "Q5001", "0652": "Q5001", "0655": "Q5006"}
HOSPICE_CHARGES = {
    "0651": "210.00", "0652": "15.50", "0655": "480.00",
    "G0299": "95.00", "G0156": "40.00", "G0155": "110.00",
}  # fmt: skip


def march_levels(last: int = 31) -> dict[dt.date, str]:
    """Routine home care, a CHC day on the 10th and five respite days from the 20th."""
    levels = {march(n): "0651" for n in range(1, last + 1)}
    levels[march(10)] = "0652"
    for n in range(20, 25):
        levels[march(n)] = "0655"
    return levels


def hospice_month(levels: Any = None, visits: Any = HOSPICE_VISITS, **changes: Any) -> Claim:
    facts: dict[str, Any] = {
        "admission_date": march(20, 1),
        "notice_accepted": march(22, 1),
        "sites": SITES,
        "charges": HOSPICE_CHARGES,
        "id": "HOS-2026-03",
        "patient_id": "1EG4TE5MK73",
    }
    facts.update(changes)
    return hospice.month_claim(march_levels() if levels is None else levels, visits, **facts)


class TestMonthClaim:
    def test_checks_clean(self) -> None:
        """A March of routine days, a CHC day, five respite days and visits has no error or
        warning (the RHC rate split is information)."""
        claim = hospice_month()
        assert [] == errors(claim)
        assert "rhc-rate-days" in check(claim).rule_ids()

    def test_lines(self) -> None:
        """A line per stretch dated its first day (NGS RHC job aid), the CHC day in 15-minute
        increments of its care (36 for 9 hours), then a line per visit (CR 6440)."""
        got = [(li.revenue_code, li.code, li.date.day, li.units) for li in hospice_month().lines]
        assert [
            ("0651", "Q5001", 1, 9), ("0652", "Q5001", 10, 36), ("0651", "Q5001", 11, 9),
            ("0655", "Q5006", 20, 5), ("0651", "Q5001", 25, 7),
            ("0551", "G0299", 2, 3), ("0551", "G0299", 5, 1), ("0571", "G0156", 6, 4),
            ("0561", "G0155", 7, 3), ("0551", "G0299", 10, 24), ("0571", "G0156", 10, 12),
            ("0551", "G0299", 27, 3),
        ] == got  # fmt: skip

    def test_charges_per_unit_and_per_visit(self) -> None:
        """Level lines charge per day (or CHC increment), visit lines per visit."""
        claim = hospice_month()
        assert [Decimal("1890.00"), Decimal("558.00")] == [li.charge for li in claim.lines[:2]]
        assert Decimal("95.00") == claim.lines[5].charge

    def test_header(self) -> None:
        """A continuing month is 0813 from the 1st to the 31st, with the election date."""
        claim = hospice_month()
        assert ("0813", march(1), march(31), march(20, 1)) == (
            claim.type_of_bill,
            claim.statement_from,
            claim.statement_through,
            claim.admission_date,
        )

    def test_round_trips_through_json(self) -> None:
        """claim -> JSON -> claim gives the same claim."""
        claim = hospice_month()
        assert claim == claim_from_json(claim_to_json(claim))

    def test_death_discharge(self) -> None:
        """Died at home on the 27th: status 40, OC 55 with the date, Through the 27th, 0814."""
        levels = {k: v for k, v in march_levels().items() if k <= march(27)}
        claim = hospice_month(levels, patient_status="40", death_date=march(27))
        assert ("0814", march(27)) == (claim.type_of_bill, claim.statement_through)
        assert [("55", march(27))] == [(o.code, o.date) for o in claim.occurrence_codes]
        assert [] == errors(claim)

    def test_admission_month_and_late_noe(self) -> None:
        """Admitted on the 5th, NOE accepted the 14th (4 days late): 0812 from the 5th, and
        occurrence span 77 over the 5th-13th (Palmetto's example, CR 8877)."""
        levels = {march(n): "0651" for n in range(5, 32)}
        visits = [v for v in HOSPICE_VISITS if v.date >= march(5) and v.date.day != 10]
        claim = hospice_month(levels, visits, admission_date=march(5), notice_accepted=march(14))
        assert ("0812", march(5)) == (claim.type_of_bill, claim.statement_from)
        assert [("77", march(5), march(13))] == [
            (s.code, s.start, s.through) for s in claim.occurrence_spans
        ]
        assert [] == errors(claim)

    def test_level_names_and_pairs(self) -> None:
        """Levels may be named, and the days given as (date, level) pairs."""
        pairs = [(d, hospice.LevelOfCare(v).name.lower()) for d, v in march_levels().items()]
        assert hospice_month() == hospice_month(pairs)

    def test_contradictions_all_named(self) -> None:
        """A gap, a visit on a day without a level, a CHC day its visits do not make, a level
        without a site and a death without its date are reported at once."""
        levels = march_levels()
        del levels[march(15)], levels[march(16)]
        levels[march(3)] = "0656"
        levels[march(27)] = "0652"
        visits = [*HOSPICE_VISITS, visit("G0299", 16, "09:00", "09:30", "RN")]
        with pytest.raises(InvalidClaimError) as info:
            hospice_month(levels, visits, patient_status="41")
        text = str(info.value)
        assert "levels='2026-03-15..2026-03-16' leave days without a level of care" in text
        assert {"levels", "sites", "death_date", "visits[7].date"} <= set(problems(info))
        assert any("continuous home care, but" in str(e) for e in info.value.errors)
        assert "general_inpatient" in " ".join(str(e) for e in info.value.errors)

    def test_two_months_and_before_admission(self) -> None:
        """Days into April, or before the election, are refused."""
        levels = {march(n): "0651" for n in range(1, 32)}
        levels[march(1, 4)] = "0651"
        with pytest.raises(InvalidClaimError, match="run past the month"):
            hospice_month(levels, ())
        with pytest.raises(InvalidClaimError, match="before the admission date"):
            hospice_month({march(n): "0651" for n in range(1, 32)}, (), admission_date=march(2))

    def test_site_where_the_level_is_not_given(self) -> None:
        """Respite at home (Q5001) is refused (CR 5245; CGS "Continuous Home Care")."""
        with pytest.raises(InvalidClaimError, match="is not a site of inpatient_respite"):
            hospice_month(sites={**SITES, "0655": "Q5001"})

    def test_status_30_ends_on_the_last_day(self) -> None:
        """Still a patient (30) but the days stop on the 29th: a gap at the month's end."""
        with pytest.raises(InvalidClaimError, match="before the month's last day"):
            hospice_month(march_levels(29))

    @pytest.mark.parametrize("junk", [None, "routine", 5, [("2026-03-01",)], {"x": "0651"}])
    def test_junk_levels_refused(self, junk: object) -> None:
        """Levels that are no day-by-day list are refused with the library's error."""
        with pytest.raises(InvalidClaimError):
            hospice_month(junk, ())

    @given(st.lists(st.sampled_from(["0651", "0655", "0656"]), min_size=31, max_size=31))
    def test_every_day_billed_once(self, levels: list[str]) -> None:
        """Any month of per-day levels gives level lines whose days cover each listed day
        exactly once (Pub. 100-04 ch. 11 §30.1: one level per day)."""
        by_day = {march(n + 1): lv for n, lv in enumerate(levels)}
        sites = {"0651": "Q5001", "0655": "Q5006", "0656": "Q5006"}
        charges = {"0651": "1", "0655": "1", "0656": "1"}
        claim = hospice.month_claim(
            by_day, admission_date=march(1, 1), sites=sites, charges=charges
        )
        billed = hospice.level_days(claim)
        assert {d: (hospice.LevelOfCare(v),) for d, v in by_day.items()} == billed


# --- evv.claim_from_visits -----------------------------------------------------------------

from hcpcs_home import Authorization, EvvVisit, evv  # noqa: E402

WEEKDAYS = [dt.date(2024, 3, d) for d in range(1, 32) if dt.date(2024, 3, d).weekday() < 5]


def evv_visit(day: dt.date, **fields: Any) -> EvvVisit:
    """An accepted four-hour T1019 visit with all six Cures Act elements."""
    base: dict[str, Any] = {
        "member": "TX100",
        "start": "08:00",
        "stop": "12:00",
        "location": "12 Elm St, Austin TX",
        "worker": "W7",
        "method": "mobile",
    }
    base.update(fields)
    return EvvVisit(base.pop("service", "T1019"), day, **base)


TX_AUTH = Authorization(
    "PA-2024-77", "tx-medicaid", ["T1019"], 400, "units", "2024-03-01", "2024-03-31"
)


def tx_month(visits: list[EvvVisit] | None = None, **changes: Any) -> Claim:
    facts: dict[str, Any] = {
        "member": "TX100",
        "payer": payers.TEXAS_MEDICAID,
        "charges": {"T1019": "4.68"},
        "authorizations": [TX_AUTH],
        "id": "TX-2024-03",
    }
    facts.update(changes)
    return evv.claim_from_visits([evv_visit(d) for d in WEEKDAYS] if visits is None else visits,
                                 **facts)  # fmt: skip


class TestClaimFromVisits:
    def test_checks_clean(self) -> None:
        """A Texas Medicaid month of T1019 from its accepted EVV visits has no error or warning:
        the visits document the lines' time; the claim carries no chart, and says so once."""
        claim = tx_month()
        assert [] == errors(claim)
        assert "chart-not-provided" in check(claim).rule_ids()

    def test_lines(self) -> None:
        """A line per day: 16 quarter hours for 4 verified hours, charged per unit, with the
        authorization number (HHSC EVV Policy Handbook §8000: units match the visits)."""
        claim = tx_month()
        assert 21 == len(claim.lines)
        first = claim.lines[0]
        assert ("T1019", dt.date(2024, 3, 1), 16, Decimal("74.88"), "PA-2024-77") == (
            first.code,
            first.date,
            first.units,
            first.charge,
            first.prior_auth,
        )
        assert (dt.date(2024, 3, 1), dt.date(2024, 3, 31)) == (
            claim.statement_from,
            claim.statement_through,
        )
        assert ("TX100", (TX_AUTH,), None) == (
            claim.patient_id,
            claim.authorizations,
            claim.type_of_bill,
        )
        assert len(WEEKDAYS) == len(claim.evv_visits)

    def test_visits_of_a_day_pooled(self) -> None:
        """Two visits of one day make one line of the day's pooled minutes (TMHP sums a day's
        minutes before rounding): 2 h + 1 h 7 min is 12 units, not 8 + 4."""
        day = WEEKDAYS[0]
        visits = [evv_visit(day), evv_visit(day, start="13:00", stop="14:07")]
        visits[0] = attrs.evolve(visits[0], stop="10:00", id="a")
        claim = tx_month(visits)
        assert [12] == [li.units for li in claim.lines]
        assert [] == errors(claim)

    def test_round_trips_through_json(self) -> None:
        """claim -> JSON -> claim gives the same claim."""
        claim = tx_month()
        assert claim == claim_from_json(claim_to_json(claim))

    def test_contradictions_all_named(self) -> None:
        """Another member's visit, an unaccepted visit, a visit outside the period, an
        authorization of another payer and a code without a charge, all at once."""
        visits = [evv_visit(d) for d in WEEKDAYS[:3]]
        visits.append(evv_visit(WEEKDAYS[3], member="TX999"))
        visits.append(evv_visit(WEEKDAYS[4], accepted=False))
        visits.append(evv_visit(dt.date(2024, 4, 1)))
        visits.append(evv_visit(WEEKDAYS[5], service="T1020", stop="09:00"))
        other = attrs.evolve(TX_AUTH, payer="nd-medicaid")
        with pytest.raises(InvalidClaimError) as info:
            tx_month(visits, authorizations=[other], statement_through="2024-03-31")
        assert [
            "authorizations[0].payer",
            "visits[3].member",
            "visits[4].accepted",
            "visits[5].date",
            "charges",
        ] == problems(info)
        assert "TX999" not in str(info.value)  # a patient identifier is never shown

    def test_missing_charge_and_two_authorizations(self) -> None:
        """A code without a charge and two authorizations covering one line are named."""
        second = attrs.evolve(TX_AUTH, number="PA-2024-78")
        with pytest.raises(InvalidClaimError) as info:
            tx_month([evv_visit(WEEKDAYS[0])], charges={}, authorizations=[TX_AUTH, second])
        assert ["charges", "authorizations"] == problems(info)

    def test_visits_across_two_months(self) -> None:
        """Visits in March and April make no one month unless the period is given."""
        visits = [evv_visit(WEEKDAYS[0]), evv_visit(dt.date(2024, 4, 1))]
        with pytest.raises(InvalidClaimError, match="span two months"):
            tx_month(visits)
        claim = tx_month(visits, statement_through="2024-04-30")
        assert dt.date(2024, 4, 30) == claim.statement_through

    def test_visit_without_times_verifies_nothing(self) -> None:
        """A visit without clock times verifies no unit of a timed code: refused."""
        with pytest.raises(InvalidClaimError, match="verify no unit of T1019"):
            tx_month([evv_visit(WEEKDAYS[0], start=None, stop=None)])

    def test_institutional_bill_needs_a_revenue_code(self) -> None:
        """On an institutional claim a line takes its code's revenue code; T1019 has none."""
        with pytest.raises(InvalidClaimError, match="has no revenue code of its own"):
            tx_month(type_of_bill="0331")
        g = [evv_visit(WEEKDAYS[0], service="G0299", start="09:00", stop="10:00")]
        claim = tx_month(g, type_of_bill="0331", charges={"G0299": "120.00"}, authorizations=[])
        assert [("0551", 1)] == [(li.revenue_code, li.units) for li in claim.lines]

    @given(
        st.lists(
            st.tuples(st.integers(1, 31), st.integers(6 * 60, 20 * 60), st.integers(8, 240)),
            min_size=1,
            max_size=8,
        )
    )
    def test_units_are_what_the_visits_verify(self, spans: list[tuple[int, int, int]]) -> None:
        """Any accepted visits of a month give lines the EVV rules find nothing wrong with:
        each line's units are what its visits verify."""
        visits = []
        for n, (day, begin, minutes) in enumerate(spans):
            start = dt.time(begin // 60, begin % 60)
            stop = (dt.datetime.combine(dt.date(2024, 3, day), start)
                    + dt.timedelta(minutes=minutes)).time()  # fmt: skip
            visits.append(evv_visit(dt.date(2024, 3, day), start=start, stop=stop, id=f"v{n}",
                                    worker=f"W{n}"))  # fmt: skip
        try:
            claim = tx_month(visits, authorizations=[])
        except InvalidClaimError as exc:
            assert all("verify no unit" in str(e) for e in exc.errors)
            return
        found = [f.rule_id for f in check(claim).findings if f.rule_id.startswith("evv")]
        assert [] == found
        for match in evv.match_visits(claim):
            assert claim.lines[match.line].units == match.verified_units(claim)


# --- junk at every builder's facts -------------------------------------------------------

JUNK: list[Any] = [None, "", object(), "€", 10**400, float("nan"), Decimal("NaN"), [], {}, ("x",),
                   b"0329", -1, True]  # fmt: skip
BUILDERS: dict[str, tuple[Any, list[str]]] = {
    "period_claim": (
        hh_claim,
        ["admission_date", "oasis_date", "hipps", "cbsa", "fips", "charges", "notice_accepted",
         "patient_status", "site", "type_of_bill", "payer", "id", "visits"],
    ),
    "month_claim": (
        hospice_month,
        ["admission_date", "sites", "charges", "notice_accepted", "patient_status", "death_date",
         "type_of_bill", "share", "payer", "levels", "visits"],
    ),
    "claim_from_visits": (
        tx_month,
        ["member", "payer", "charges", "authorizations", "type_of_bill", "visits"],
    ),
}  # fmt: skip


@pytest.mark.parametrize(
    ("builder", "fact"), [(b, fact) for b, (_, facts) in BUILDERS.items() for fact in facts]
)
def test_junk_facts_refused_with_the_library_error(builder: str, fact: str) -> None:
    """Junk in any fact of any builder is refused with the library's own error, never a
    TypeError or a claim built anyway from a guess."""
    build, _ = BUILDERS[builder]
    passed: list[str] = []
    for junk in JUNK:
        try:
            build(**{fact: junk})
        except HcpcsError:
            continue
        passed.append(repr(junk)[:20])
    # Only the empty values of optional facts may pass.
    assert set(passed) <= OPTIONAL.get(fact, set()), passed


#: The junk that is a legitimate "not given" for each optional fact.
OPTIONAL: dict[str, set[str]] = {
    "notice_accepted": {"None"},
    "death_date": {"None"},
    "type_of_bill": {"None"},
    "patient_status": {"None"},
    "id": {"''", "'€'"},  # a claim id is any short text
    "authorizations": {"[]"},
    # None is the test helpers' "the usual ones"; a hospice month may bill days without visits.
    "visits": {"None", "[]"},
    "levels": {"None"},
}


# --- the built claims through every format ---------------------------------------------------

from hcpcs_home import dataframes, formats, x12, x12_files  # noqa: E402


def built_claims() -> dict[str, Claim]:
    """The three builders' clean claims."""
    return {"period": hh_claim(), "month": hospice_month(), "medicaid": tx_month()}


class TestRoundTrips:
    """Done when (#18): each builder's claim survives claim -> 837I -> claim, claim -> JSON
    -> claim and claim -> CSV/DataFrame -> claim unchanged: whatever the format carries
    (hcpcs_home.formats.FORMATS) comes back as it went."""

    @pytest.mark.parametrize("name", ["period", "month"])
    def test_837i(self, name: str) -> None:
        """The 837I claim loop (2300/2400) gives back the claim as the 837I carries it: no
        chart, the NOA/NOE acceptance as a claim note; the member id is the file's (loop
        2010BA), not the claim loop's."""
        claim = built_claims()[name]
        back = x12.parse_claim(x12.claim_segments(claim), payer=claim.payer)
        carried = formats.FORMATS["837I"].carried(claim)
        assert attrs.evolve(carried, patient_id=None) == back
        assert (claim.notice_accepted, claim.lines[0].code) == (
            back.notice_accepted,
            back.lines[0].code,
        )

    def test_837p(self) -> None:
        """The Texas month is a professional claim: written into an 837P (loop 2300/2400 of an
        x12sdk-generated file) and read back, it gives the claim as the 837P carries it.  An
        837P has no statement period (its map derives it from the first and last line dates)
        and its member id is the file's (loop 2010BA)."""
        pytest.importorskip("x12sdk")
        from x12sdk.generate import (
            ClaimSpec,
            PatientSpec,
            ServiceLineSpec,
            SubmissionSpec,
            generate_837p,
        )

        claim = built_claims()["medicaid"]
        spec = ClaimSpec(
            charge=Decimal(len(claim.lines)),
            patient_control_number=claim.id,
            lines=[ServiceLineSpec(charge=Decimal(1), procedure="99213")] * len(claim.lines),
        )
        patients = [PatientSpec(claims=[spec], dependent=True)]
        template = generate_837p(seed=3, claims=SubmissionSpec(patients=patients))
        (back,) = x12_files.read_837(x12_files.update_837(template, [claim]), payer=claim.payer)
        first, last = min(x.date for x in claim.lines), max(x.date for x in claim.lines)
        carried = formats.FORMATS["837P"].carried(claim)
        assert ("derived", "derived") == tuple(
            formats.FORMATS["837P"].entry(f).kind.value
            for f in ("statement_from", "statement_through")
        )
        expected = attrs.evolve(carried, statement_from=first, statement_through=last)
        assert expected == attrs.evolve(back, patient_id=carried.patient_id)
        assert 21 == len(back.lines)

    @pytest.mark.parametrize("name", ["period", "month", "medicaid"])
    def test_json(self, name: str) -> None:
        """The claim JSON carries everything."""
        claim = built_claims()[name]
        assert claim == claim_from_json(claim_to_json(claim))

    @pytest.mark.parametrize("name", ["period", "month", "medicaid"])
    def test_csv_file(self, name: str, tmp_path: Any) -> None:
        """The claim CSV, written and read back as text, gives the claim as the CSV carries it."""
        pytest.importorskip("pandas")
        claim = built_claims()[name]
        path = tmp_path / "claims.csv"
        dataframes.write_csv(claim, path)
        built = dataframes.claims_from_frame(dataframes.read_csv(path))
        assert [] == list(built.errors)
        assert [formats.FORMATS["CSV"].carried(claim)] == list(built.claims)

    @pytest.mark.parametrize("name", ["period", "month", "medicaid"])
    def test_dataframe(self, name: str) -> None:
        """The claim rows as a DataFrame read back the same way."""
        pd = pytest.importorskip("pandas")
        claim = built_claims()[name]
        frame = pd.DataFrame(dataframes.claim_rows(claim), dtype=object)
        built = dataframes.claims_from_frame(frame)
        assert [formats.FORMATS["CSV"].carried(claim)] == list(built.claims)
