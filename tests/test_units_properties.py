"""Property tests of :mod:`hcpcs_home.units`, grouped by the rule they check.

Each class quotes the rule it holds the code to (Pub. 100-04 ch. 5 §20.2 C as
quoted by chirocode.com; the HCPCS per-diem descriptors; the payer sources each
unit policy's ``source`` names).
"""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from hcpcs_home import BillingUnit, Code
from hcpcs_home.units import (
    AMA_PER_CODE,
    MAX_LINE_MINUTES,
    MEDICARE,
    FifteenMinuteRule,
    HourRounding,
    Span,
    UnitPolicy,
    billable_units,
    carry_hours,
    minutes_between,
    per_diem_units,
    service_dates,
    total_time_units,
    units_for_many,
)

minutes = st.integers(min_value=0, max_value=MAX_LINE_MINUTES)
cpt_codes = st.sampled_from(["97110", "97112", "97140", "97530", "97535", "97116", "97035"])
day_minutes = st.dictionaries(cpt_codes, st.integers(0, 200), min_size=1, max_size=6)


def policy_with(**changes: object) -> UnitPolicy:
    return attrs.evolve(MEDICARE, name="test", **changes)  # type: ignore[arg-type]


def chart(m: int) -> int:
    return billable_units("G0152", m)


class TestFifteenMinuteBands:
    """ "Providers bill a single 15-minute unit for treatment greater than or equal to 8 minutes
    through and including 22 minutes ... The pattern remains the same for treatment times in
    excess of 2 hours." """

    @given(minutes, st.sampled_from(list(FifteenMinuteRule)))
    def test_monotone(self, m: int, rule: FifteenMinuteRule) -> None:
        """One more minute never bills fewer units, under any 15-minute rule."""
        assume(m < MAX_LINE_MINUTES)
        policy = policy_with(fifteen_minute=rule)
        assert billable_units("G0152", m, policy=policy) <= billable_units(
            "G0152", m + 1, policy=policy
        )

    @given(minutes)
    def test_at_most_minutes_over_8(self, m: int) -> None:
        """Each unit stands for at least 8 minutes."""
        assert chart(m) * 8 <= m

    @given(st.integers(1, MAX_LINE_MINUTES))
    def test_changes_only_at_band_edges(self, m: int) -> None:
        """Units step up by one exactly at 8, 23, 38 ... minutes."""
        step = chart(m) - chart(m - 1)
        assert step == (1 if m % 15 == 8 else 0)

    @given(minutes)
    def test_agrees_with_nearest_quarter_hour(self, m: int) -> None:
        """The chart is rounding to the nearest 15 minutes (7.5 cannot occur)."""
        assert chart(m) == round(Decimal(m) / 15)

    @given(minutes)
    def test_any_minute_visit_differs_only_below_8(self, m: int) -> None:
        """The hospice-FAQ reading differs from the chart only for 1-7 minute visits."""
        other = billable_units(
            "G0152", m, policy=policy_with(fifteen_minute="home-health visit, any minute")
        )
        assert (other != chart(m)) == (1 <= m <= 7)


class TestTotalTime:
    """ "When more than one service represented by 15 minute timed codes is performed in a single
    day, the total number of minutes of service ... determines the number of timed units
    billed." """

    @given(day_minutes)
    def test_total_equals_single_line_of_summed_minutes(self, day: dict[str, int]) -> None:
        """The day's units are the chart's units for the summed minutes."""
        assert sum(total_time_units(day).values()) == chart(sum(day.values()))

    @given(day_minutes)
    def test_full_units_kept(self, day: dict[str, int]) -> None:
        """ "If ... performed ... for at least 15 minutes, that service shall be billed for at
        least one unit"; a code gets at most one unit more than its full quarter hours."""
        got = total_time_units(day)
        for code, m in day.items():
            assert got[code] - m // 15 in (0, 1)

    @given(day_minutes)
    def test_exceeds_own_minutes_only_by_shared_remainder(self, day: dict[str, int]) -> None:
        """A code bills more than its own minutes allow only by taking a shared remainder unit,
        and remainder units go to the codes with the most minutes left over."""
        got = total_time_units(day)
        extra = [code for code, m in day.items() if got[code] > m // 15]
        rest = [code for code in day if code not in extra]
        for code in extra:
            assert got[code] <= chart(day[code]) or got[code] == day[code] // 15 + 1
            for other in rest:
                assert day[code] % 15 >= day[other] % 15

    @given(day_minutes)
    def test_deterministic(self, day: dict[str, int]) -> None:
        """The same day always gives the same split."""
        assert total_time_units(day) == total_time_units(dict(day))

    @given(day_minutes, st.dictionaries(st.sampled_from(["97161", "97165"]), minutes, max_size=2))
    def test_untimed_do_not_change_timed(
        self, day: dict[str, int], evaluations: dict[str, int]
    ) -> None:
        """Untimed codes bill 1 unit each and leave the timed split alone."""
        got = total_time_units({**day, **evaluations}, untimed=list(evaluations))
        assert {code: 1 for code in evaluations} == {c: got[c] for c in evaluations}
        assert total_time_units(day) == {c: got[c] for c in day}

    @given(day_minutes)
    def test_per_code_is_each_line_alone(self, day: dict[str, int]) -> None:
        """The AMA per-code method bills each code by its own minutes."""
        assert {c: chart(m) for c, m in day.items()} == total_time_units(day, policy=AMA_PER_CODE)


class TestHourRounding:
    """CMS defines only "per hour"; payers round the partial hour
    (Pabau S9124 guide, third-party)."""

    @given(minutes)
    def test_down_half_up_up_ordered(self, m: int) -> None:
        """Round-down <= half-up <= round-up, and they are at most one hour apart."""
        down, half, up = (
            billable_units("S9123", m, policy=policy_with(hours=h))
            for h in (HourRounding.DOWN, HourRounding.HALF_UP, HourRounding.UP)
        )
        assert down <= half <= up <= down + 1

    @given(minutes, st.sampled_from(list(HourRounding)))
    def test_monotone_and_close(self, m: int, rounding: HourRounding) -> None:
        """More minutes never bill fewer hours, and no convention strays an hour from the truth."""
        assume(m < MAX_LINE_MINUTES)
        policy = policy_with(hours=rounding)
        here, after = (billable_units("S9124", x, policy=policy) for x in (m, m + 1))
        assert here <= after
        assert abs(Decimal(here) - Decimal(m) / 60) <= 1

    @given(minutes)
    def test_tenths_within_three_minutes(self, m: int) -> None:
        """Texas tenths are within 3 minutes (0.05 hour) of the time worked."""
        got = billable_units("S9123", m, policy=policy_with(hours=HourRounding.TENTHS))
        assert isinstance(got, Decimal)
        assert abs(got * 60 - m) <= 3


class TestPerDiem:
    """HCPCS "per diem": one unit per day of service, however many visits
    (Carepatron S9129 page, third-party)."""

    @given(st.lists(st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)), max_size=40))
    def test_units_are_distinct_dates(self, dates: list[dt.date]) -> None:
        """Per-diem units equal the count of distinct dates."""
        assert len(set(dates)) == per_diem_units(dates)

    @given(
        st.dates(dt.date(2020, 1, 1), dt.date(2030, 12, 31)),
        st.integers(0, 1439),
        st.integers(0, 5 * 1440),
    )
    def test_span_split_by_calendar_day(self, day: dt.date, start: int, length: int) -> None:
        """A span's minutes split over the dates it touches and add back up."""
        begin = dt.datetime.combine(day, dt.time()) + dt.timedelta(minutes=start)
        span = Span(begin, begin + dt.timedelta(minutes=length))
        by_date = span.minutes_by_date()
        assert sum(by_date.values()) == span.minutes == length
        assert all(0 < m <= 1440 for m in by_date.values())
        if length:
            last = (span.stop - dt.timedelta(minutes=1)).date()
            assert (last - begin.date()).days + 1 == per_diem_units([span])
            assert service_dates(span) == tuple(sorted(by_date))

    @given(minutes, minutes)
    def test_clock_times_and_spans_agree(self, start: int, stop: int) -> None:
        """minutes_between and Span.from_clock count the same minutes."""
        first = dt.time(start // 60 % 24, start % 60)
        last = dt.time(stop // 60 % 24, stop % 60)
        got = minutes_between(first, last)
        # A stop at midnight ends the day, so only 00:00 to 00:00 is the whole day.
        assert (got == 1440) == (first == last == dt.time(0))
        assert 0 <= got <= 1440
        assert Span.from_clock(dt.date(2026, 1, 1), first, last).minutes == got


class TestBatch:
    """The batch form counts exactly what the single call counts."""

    @given(
        st.sampled_from(["G0152", "S9123", "T1030", "G0129"]),
        st.lists(minutes, max_size=50),
        st.sampled_from(["Medicare", "tenths"]),
    )
    def test_same_as_single_calls(self, code: str, values: list[int], which: str) -> None:
        """units_for_many equals billable_units applied to each value."""
        policy = MEDICARE if which == "Medicare" else policy_with(hours=HourRounding.TENTHS)
        expected = [billable_units(code, m, policy=policy) for m in values]
        assert expected == units_for_many(code, values, policy=policy)

    @given(st.integers().filter(lambda m: not 0 <= m <= MAX_LINE_MINUTES))
    def test_out_of_range_always_refused(self, m: int) -> None:
        """No integer outside 0..1440 slips through either form."""
        code = Code("G0152", "HCPCS Level II", "test", BillingUnit.FIFTEEN_MINUTES)
        for call in (lambda: billable_units(code, m), lambda: units_for_many(code, [m])):
            try:
                call()
            except ValueError:
                continue
            raise AssertionError(f"{m} was accepted")


class TestCarryHours:
    """Virginia: "only complete hours are billable; leftover minutes may roll over" within the
    month, for the same caregiver and service (Ankota)."""

    @given(
        st.dictionaries(st.dates(dt.date(2026, 1, 1), dt.date(2026, 4, 30)), minutes, max_size=30)
    )
    def test_month_totals(self, by_date: dict[dt.date, int]) -> None:
        """Each month bills the complete hours of its summed minutes; no day bills less than its
        own complete hours."""
        got = carry_hours(by_date)
        months: dict[tuple[int, int], list[int]] = defaultdict(lambda: [0, 0])
        for day, m in by_date.items():
            assert got[day] >= m // 60
            months[day.year, day.month][0] += m
            months[day.year, day.month][1] += got[day]
        assert all(billed == total // 60 for total, billed in months.values())
