"""Tests for hcpcs_home.hospice: levels of care, continuous home care, respite, notices, SIA."""

from __future__ import annotations

import datetime as dt
import math
from decimal import Decimal
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import (
    ClaimLine,
    HcpcsError,
    InvalidFieldError,
    InvalidTimeError,
    Service,
    payers,
    units,
)
from hcpcs_home.hospice import (
    CHC_MINIMUM_UNITS,
    LevelOfCare,
    NursingShare,
    chc_day,
    level_days,
    noe_timing,
    notr_timing,
    respite_excess,
    rhc_split,
    sia_days,
)

DAY = dt.date(2026, 3, 10)


def d(day: int, month: int = 3) -> dt.date:
    return dt.date(2026, month, day)


class TestHospiceVisitPolicy:
    """CMS hospice Q&A 9887 / FAQ 9970: "a visit of up to 15 minutes is one unit; above 15,
    round to the nearest 15 minutes"."""

    @pytest.mark.parametrize(
        ("minutes", "expected"), [(1, 1), (5, 1), (15, 1), (20, 1), (22, 1), (23, 2), (25, 2)]
    )
    def test_faq_examples(self, minutes: int, expected: int) -> None:
        """The FAQ's worked minutes give its units under HOSPICE_VISIT."""
        assert expected == units.billable_units("G0299", minutes, policy=units.HOSPICE_VISIT)

    @given(st.integers(1, 1440))
    def test_is_nearest_quarter_hour_with_a_floor_of_one(self, minutes: int) -> None:
        """The policy is max(1, round_half_up(minutes / 15)) for every visit length."""
        expected = max(1, int(Decimal(minutes) / 15 + Decimal("0.5")))
        assert expected == units.billable_units("G0156", minutes, policy=units.HOSPICE_VISIT)

    def test_is_the_any_minute_policy(self) -> None:
        """The hospice policy is the existing any-minute visit policy, not a copy."""
        assert units.HOSPICE_VISIT is units.MEDICARE_ANY_MINUTE_VISIT

    @pytest.mark.parametrize("tob", ["0811", "0821", "0817"])
    def test_default_on_hospice_bills(self, tob: str) -> None:
        """Medicare's default policy becomes the hospice policy on 081X/082X bills."""
        assert units.HOSPICE_VISIT == units.policy_for_bill(units.MEDICARE, tob)

    @pytest.mark.parametrize("junk", ["", "08", "0811X", 811, object()])
    def test_bad_bill_type_refused(self, junk: Any) -> None:
        """Something that is not a type of bill is refused, not read as 'not hospice'."""
        with pytest.raises(InvalidFieldError):
            units.policy_for_bill(units.MEDICARE, junk)

    def test_line_from_a_hospice_service(self) -> None:
        """A 5-minute hospice visit becomes a one-unit line on a hospice bill; on a home-health
        bill it earns no unit, and the line is refused rather than billed at 0 units."""
        svc = Service.from_times("G0299", DAY, "10:00", "10:05", credential="RN")
        hospice_line = ClaimLine.from_service(svc, payer=payers.MEDICARE, type_of_bill="0811")
        assert 1 == hospice_line.units
        with pytest.raises(InvalidFieldError, match="bill 0 units of G0299 under the Medicare"):
            ClaimLine.from_service(svc, payer=payers.MEDICARE, type_of_bill="0329")

    def test_payer_choice_kept(self) -> None:
        """A payer's own policy and non-hospice bills are left alone."""
        assert units.AMA_PER_CODE == units.policy_for_bill(units.AMA_PER_CODE, "0811")
        assert units.MEDICARE == units.policy_for_bill(units.MEDICARE, "0329")
        assert units.MEDICARE == units.policy_for_bill(None, None)


class TestLevelOfCare:
    def test_revenue_codes(self) -> None:
        """The four levels are the revenue codes of Pub. 100-04 ch. 11 §30.1."""
        assert ["0651", "0652", "0655", "0656"] == [lv.revenue_code for lv in LevelOfCare]

    def test_rules_read_the_same_codes(self) -> None:
        """The plain codes the rules read without importing this module are the levels'."""
        from hcpcs_home._benefits import LEVEL_OF_CARE_CODES

        assert {lv.revenue_code for lv in LevelOfCare} == LEVEL_OF_CARE_CODES

    def test_sites(self) -> None:
        """CHC is never in an inpatient facility; inpatient levels never at home."""
        assert "Q5006" not in LevelOfCare.CONTINUOUS_HOME_CARE.sites
        assert "Q5003" in LevelOfCare.CONTINUOUS_HOME_CARE.sites
        assert "Q5001" not in LevelOfCare.INPATIENT_RESPITE.sites
        assert "Q5006" in LevelOfCare.GENERAL_INPATIENT.sites
        assert 10 == len(LevelOfCare.ROUTINE_HOME_CARE.sites)

    def test_level_days(self) -> None:
        """Per-day lines cover a day per unit from their date; a CHC line its own date."""
        lines = [
            ClaimLine("Q5001", d(1), 9, revenue_code="0651"),
            ClaimLine("Q5001", d(10), 36, revenue_code="0652"),
            ClaimLine("Q5001", d(11), 21, revenue_code="0651"),
            ClaimLine("G0299", d(2), 3, revenue_code="0551"),
        ]
        days = level_days(lines)
        assert 31 == len(days)
        assert (LevelOfCare.CONTINUOUS_HOME_CARE,) == days[d(10)]
        assert all(len(v) == 1 for v in days.values())

    def test_overlap_shows(self) -> None:
        """Two levels billed for one day both appear."""
        lines = [
            ClaimLine("Q5001", d(1), 5, revenue_code="0651"),
            ClaimLine("Q5006", d(5), 1, revenue_code="0656"),
        ]
        assert 2 == len(level_days(lines)[d(5)])

    @pytest.mark.parametrize("units", [36_601, Decimal("1.5")])
    def test_units_bounded(self, units: Any) -> None:
        """A per-day line covers whole days, at most MAX_STAY_DAYS."""
        with pytest.raises(InvalidFieldError, match="units"):
            level_days([ClaimLine("Q5001", d(1), units, revenue_code="0651")])

    def test_junk_refused(self) -> None:
        """Something other than claim lines is refused."""
        with pytest.raises(InvalidFieldError):
            level_days([object()])  # type: ignore[list-item]
        with pytest.raises(InvalidFieldError):
            level_days("0651")  # type: ignore[arg-type]


def _stay(start: dt.date, n: int) -> dict[dt.date, list[LevelOfCare]]:
    return {start + dt.timedelta(days=i): [LevelOfCare.INPATIENT_RESPITE] for i in range(n)}


class TestRespite:
    """NGS respite job aid: "respite is paid for at most 5 consecutive days"."""

    def test_five_days_clean(self) -> None:
        """A five-day stay has no excess."""
        assert () == respite_excess(_stay(d(20), 5))

    def test_sixth_day(self) -> None:
        """Day six of a stay is excess."""
        assert (d(25),) == respite_excess(_stay(d(20), 6))

    def test_gap_restarts(self) -> None:
        """A routine day between two stays restarts the count."""
        days = {**_stay(d(1), 5), d(6): [LevelOfCare.ROUTINE_HOME_CARE], **_stay(d(7), 5)}
        assert () == respite_excess(days)

    @given(st.integers(0, 20))
    def test_excess_count(self, n: int) -> None:
        """A stay of n consecutive days has max(0, n - 5) excess days."""
        assert max(0, n - 5) == len(respite_excess(_stay(d(1), n)))


def rn(start: str, stop: str, **kw: Any) -> Service:
    return Service.from_times("G0299", kw.pop("day", DAY), start, stop, credential="RN", **kw)


def aide(start: str, stop: str) -> Service:
    return Service.from_times("G0156", DAY, start, stop, credential="HHA")


class TestChcDay:
    """NGS CHC job aid: at least 8 hours between midnight and midnight, nursing more than half."""

    def test_qualifying_day(self) -> None:
        """Ten hours, six by a nurse, is continuous home care, 40 quarter hours."""
        chc = chc_day([rn("00:00", "06:00"), aide("08:00", "12:00")])
        assert (True, 600, 360, 40) == (chc.qualifies, chc.minutes, chc.nurse_minutes, chc.units)
        assert LevelOfCare.CONTINUOUS_HOME_CARE == chc.level
        assert chc.units >= CHC_MINIMUM_UNITS

    def test_seven_and_a_half_hours(self) -> None:
        """7.5 hours is routine home care, and says so."""
        chc = chc_day([rn("08:00", "15:30")])
        assert not chc.qualifies
        assert LevelOfCare.ROUTINE_HOME_CARE == chc.level
        assert "under 8" in chc.reason
        assert Decimal("7.5") == chc.hours

    def test_exactly_eight_hours(self) -> None:
        """Eight hours of nursing is enough, in two pieces."""
        assert chc_day([rn("00:00", "04:00"), rn("18:00", "22:00")]).qualifies

    def test_nurses_under_half(self) -> None:
        """Aide hours above nursing hours make the day routine home care."""
        chc = chc_day([rn("08:00", "12:00"), aide("12:00", "18:00")])
        assert not chc.qualifies
        assert "not more than half" in chc.reason

    def test_exactly_half_is_a_named_choice(self) -> None:
        """At exactly half the NGS reading says no, the CGS reading yes; both are contested."""
        services = [rn("00:00", "05:00"), aide("05:00", "10:00")]
        strict = chc_day(services)
        lenient = chc_day(services, share=NursingShare.AT_LEAST_HALF)
        assert (False, True) == (strict.qualifies, lenient.qualifies)
        assert strict.contested and lenient.contested

    def test_social_worker_not_counted(self) -> None:
        """Social-work hours do not count toward the eight."""
        sw = Service.from_times("G0155", DAY, "12:00", "16:00", credential="MSW")
        chc = chc_day([rn("08:00", "12:00"), sw])
        assert (240, 240, False) == (chc.minutes, chc.excluded_minutes, chc.qualifies)

    def test_overlap_counts_both(self) -> None:
        """A nurse and an aide at the same time both count (CMS memo A-03-016)."""
        chc = chc_day([rn("08:00", "14:00"), aide("10:00", "13:00")])
        assert (540, True) == (chc.minutes, chc.qualifies)

    def test_shift_over_midnight_split(self) -> None:
        """Only a shift's minutes on the day count (hospice days run midnight to midnight)."""
        night = rn("20:00", "06:00", day=DAY - dt.timedelta(days=1))
        chc = chc_day([night, rn("08:00", "10:00")], day=DAY)
        assert 480 == chc.minutes

    def test_code_discipline_without_credential(self) -> None:
        """Without a credential the code's discipline says who gave the care."""
        chc = chc_day([Service("G0299", DAY, minutes=480)])
        assert 480 == chc.nurse_minutes

    def test_service_off_the_day_refused(self) -> None:
        """A service with no minutes on the day is refused, not silently dropped."""
        with pytest.raises(InvalidFieldError, match="no minutes on 2026-03-11"):
            chc_day([rn("08:00", "10:00")], day=DAY + dt.timedelta(days=1))

    def test_missing_minutes_refused(self) -> None:
        """A service without documented time cannot be counted."""
        with pytest.raises(InvalidFieldError, match="minutes"):
            chc_day([Service("G0299", DAY, credential="RN")])

    def test_unknown_role_refused(self) -> None:
        """A service whose giver cannot be told is refused."""
        with pytest.raises(InvalidFieldError, match="credential"):
            chc_day([Service("Q5001", DAY, minutes=60)])

    @pytest.mark.parametrize("junk", [None, "", 5, [object()], "G0299", math.nan])
    def test_junk_refused(self, junk: Any) -> None:
        """Junk is refused with the library's error."""
        with pytest.raises(HcpcsError):
            chc_day(junk)

    def test_bad_share_and_day(self) -> None:
        """An unknown share or a non-date day is refused."""
        with pytest.raises(InvalidFieldError):
            chc_day([rn("08:00", "10:00")], share="most")
        with pytest.raises(InvalidTimeError):
            chc_day([rn("08:00", "10:00")], day="2026-03-10")  # type: ignore[arg-type]

    @given(st.integers(0, 720), st.integers(0, 720))
    def test_rule(self, nurse: int, other: int) -> None:
        """A day qualifies exactly when care >= 480 minutes and nurses give more than half."""
        services = [
            Service("G0299", DAY, minutes=nurse, credential="RN", id="n"),
            Service("G0156", DAY, minutes=other, credential="HHA", id="a"),
        ]
        chc = chc_day(services)
        assert (nurse + other >= 480 and nurse > other) == chc.qualifies
        assert (nurse + other) // 15 == chc.units


class TestNoeTiming:
    """CR 8877: an NOE accepted more than 5 calendar days after the election leaves the
    days up to acceptance provider liable (Palmetto "NOE Exception Examples")."""

    def test_palmetto_example(self) -> None:
        """Admission 4/7, accepted 4/14: OSC 77 from 4/7 through 4/13."""
        late = noe_timing(d(7, 4), d(14, 4))
        assert (False, 2, (d(7, 4), d(13, 4)), 7) == (
            late.timely,
            late.days_late,
            late.provider_liable,
            late.liable_days,
        )
        assert "OSC 77" in late.reason

    @pytest.mark.parametrize("accepted", [7, 10, 12])
    def test_timely(self, accepted: int) -> None:
        """Acceptance by the fifth day after the election is timely."""
        timing = noe_timing(d(7, 4), d(accepted, 4))
        assert (True, 0, None) == (timing.timely, timing.days_late, timing.provider_liable)

    def test_sixth_day_late(self) -> None:
        """Acceptance on the sixth day is one day late."""
        assert 1 == noe_timing(d(7, 4), d(13, 4)).days_late

    def test_before_cr_8877(self) -> None:
        """Elections before 2014-10-01 have no timeliness rule."""
        assert noe_timing(dt.date(2014, 9, 1), dt.date(2014, 9, 30)).timely

    def test_accepted_before_election_refused(self) -> None:
        """An acceptance before the election is refused."""
        with pytest.raises(InvalidTimeError, match="accepted_on"):
            noe_timing(d(7, 4), d(6, 4))

    @pytest.mark.parametrize("junk", [None, "2026-04-07", dt.datetime(2026, 4, 7), 5])
    def test_junk_refused(self, junk: Any) -> None:
        """Non-dates are refused."""
        with pytest.raises(InvalidTimeError):
            noe_timing(junk, d(7, 4))

    def test_notr(self) -> None:
        """A late NOTR says how late, and claims no liability (none is published)."""
        timing = notr_timing(d(2, 5), d(9, 5))
        assert (False, 2, None) == (timing.timely, timing.days_late, timing.provider_liable)
        assert notr_timing(d(2, 5), d(7, 5)).timely


def _month(*extra: ClaimLine) -> list[ClaimLine]:
    return [ClaimLine("Q5001", d(1), 31, revenue_code="0651"), *extra]


class TestSia:
    """NGS SIA: RN (G0299, 055X) and SW (G0155, 056X) visits on RHC days in the last 7 days
    of life, at most 16 units a day, PM visits excluded."""

    def test_window_and_cap(self) -> None:
        """Visits in the last 7 days count; a day's units are capped at 16."""
        lines = _month(
            ClaimLine("G0299", d(13), 4, revenue_code="0551"),  # 8 days before death
            ClaimLine("G0299", d(14), 4, revenue_code="0551"),
            ClaimLine("G0299", d(20), 12, revenue_code="0551"),
            ClaimLine("G0155", d(20), 8, revenue_code="0561"),
        )
        days = sia_days(lines, d(20))
        assert [(14, 4, 4), (20, 16, 20)] == [(x.day.day, x.units, x.billed_units) for x in days]
        assert (3, 4) == days[1].lines

    @pytest.mark.parametrize(
        "line",
        [
            ClaimLine("G0300", d(19), 4, revenue_code="0551"),  # LPN
            ClaimLine("G0155", d(19), 4, revenue_code="0569"),  # phone call
            ClaimLine("G0299", d(20), 4, revenue_code="0551", modifiers=["PM"]),
            ClaimLine("G0156", d(19), 4, revenue_code="0571"),  # aide
        ],
    )
    def test_not_qualifying(self, line: ClaimLine) -> None:
        """LPN visits, SW phone calls, post-mortem visits and aide visits earn no SIA."""
        assert () == sia_days(_month(line), d(20))

    def test_only_routine_days(self) -> None:
        """A visit on a GIP day earns no SIA."""
        lines = [
            ClaimLine("Q5001", d(1), 18, revenue_code="0651"),
            ClaimLine("Q5006", d(19), 2, revenue_code="0656"),
            ClaimLine("G0299", d(19), 4, revenue_code="0551"),
        ]
        assert () == sia_days(lines, d(20))


class TestRhcSplit:
    def test_first_month(self) -> None:
        """A first month is all at the days 1-60 rate."""
        assert (31, 0, None) == tuple(attr for attr in _split(0))

    def test_crossing_day_61(self) -> None:
        """Day 61 starts the lower rate."""
        assert (15, 16, d(16)) == tuple(_split(45))

    def test_non_rhc_days_count_but_are_not_split(self) -> None:
        """A GIP day counts toward 60 but is not an RHC day."""
        lines = [
            ClaimLine("Q5006", d(1), 1, revenue_code="0656"),
            ClaimLine("Q5001", d(2), 2, revenue_code="0651"),
        ]
        assert (1, 1) == (
            rhc_split(lines, days_before=58).high_days,
            rhc_split(lines, days_before=58).low_days,
        )

    @pytest.mark.parametrize("junk", [-1, True, 1.5, "3", 36_601])
    def test_bad_days_before(self, junk: Any) -> None:
        """days_before must be a whole number of days."""
        with pytest.raises(InvalidFieldError):
            rhc_split(_month(), days_before=junk)


def _split(before: int) -> tuple[Any, ...]:
    s = rhc_split(_month(), days_before=before)
    return (s.high_days, s.low_days, s.first_low_day)
