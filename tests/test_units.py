"""Worked examples and contracts of :mod:`hcpcs_home.units`.

Each parametrised table cites the public document its numbers come from (CMS
manual section, MAC page, payer or state manual, or a third-party page named as
such), as the unit policies' ``source`` does.
"""

from __future__ import annotations

import datetime as dt
import math
import pickle
from decimal import Decimal

import attrs
import pytest

from hcpcs_home import BillingUnit, Code, units
from hcpcs_home.errors import (
    HcpcsError,
    InvalidFieldError,
    InvalidMinutesError,
    InvalidTimeError,
    NotTimedError,
    UnknownCodeError,
)
from hcpcs_home.units import (
    AMA_PER_CODE,
    DOL_EEOICP_8_HOUR_SHIFT,
    MEDICARE,
    MEDICARE_ANY_MINUTE_VISIT,
    MISSOURI_COMPLETE_UNITS,
    QUARTER_HOUR,
    TEXAS_MEDICAID_TENTHS,
    VIRGINIA_WHOLE_HOURS,
    FifteenMinuteRule,
    HourRounding,
    Span,
    TimedMethod,
    UnitPolicy,
    billable_units,
    carry_hours,
    is_contested,
    minutes_between,
    per_diem_units,
    service_dates,
    total_time_units,
    units_for_many,
)


def make_code(code: str, unit: BillingUnit, min_minutes: int | None = None) -> Code:
    """A catalog-shaped code for codes the shipped table may not hold yet."""
    return Code(
        code=code,
        code_set="HCPCS Level II",
        descriptor=f"test {unit.value} code",
        unit=unit,
        min_minutes=min_minutes,
    )


T1002 = make_code("T1002", BillingUnit.UP_TO_FIFTEEN_MINUTES)
T1014 = make_code("T1014", BillingUnit.MINUTE)
T1019 = make_code("T1019", BillingUnit.FIFTEEN_MINUTES, 8)
S5126 = make_code("S5126", BillingUnit.DAY)
S5101 = make_code("S5101", BillingUnit.HALF_DAY)
S5161 = make_code("S5161", BillingUnit.MONTH)
S5109 = make_code("S5109", BillingUnit.SESSION)
T1021 = make_code("T1021", BillingUnit.VISIT)
G0176 = make_code("G0176", BillingUnit.SESSION, 45)
G0320 = make_code("G0320", BillingUnit.VISIT)
G0321 = make_code("G0321", BillingUnit.UNTIMED)
G0322 = make_code("G0322", BillingUnit.DAYS_MONITORED)

NAMED_POLICIES = [
    units.MEDICARE,
    units.MEDICARE_ANY_MINUTE_VISIT,
    units.AMA_PER_CODE,
    units.TEXAS_MEDICAID_TENTHS,
    units.VIRGINIA_WHOLE_HOURS,
    units.WHOLE_HOURS,
    units.QUARTER_HOUR,
    units.MISSOURI_COMPLETE_UNITS,
    units.DOL_EEOICP_8_HOUR_SHIFT,
]


class TestFifteenMinuteChart:
    """The chart in NGS "Home Health Therapy Billing" and Pub. 100-04 ch. 5 §20.2 C."""

    @pytest.mark.parametrize(
        ("minutes", "expected"),
        [
            (0, 0),
            (7, 0),
            (8, 1),
            (22, 1),
            (23, 2),
            (37, 2),
            (38, 3),
            (52, 3),
            (53, 4),
            (67, 4),
            (68, 5),
            (82, 5),
            (83, 6),
            (97, 6),
            (98, 7),
            (112, 7),
            (113, 8),
            (127, 8),
        ],
    )
    def test_seed_003_chart(self, minutes: int, expected: int) -> None:
        """Every band edge of the NGS chart gives its printed units."""
        assert expected == billable_units("G0152", minutes)

    @pytest.mark.parametrize(
        ("minutes", "expected"), [(128, 9), (142, 9), (143, 10), (480, 32), (1440, 96)]
    )
    def test_pattern_continues(self, minutes: int, expected: int) -> None:
        """ "The pattern remains the same" past two hours (8 hours of CHC is 32 units, §2.7)."""
        assert expected == billable_units("G0153", minutes)

    def test_code_value_and_string_agree(self) -> None:
        """A Code value counts as its catalog string does, whatever the spelling."""
        from hcpcs_home import lookup

        assert billable_units(lookup("G0152"), 40) == billable_units(" g0152 ", 40) == 3

    def test_medicaid_fifteen_minute_code(self) -> None:
        """T1019 "per 15 minutes" follows the same chart (CMS descriptor; ND DHS 535-05-45)."""
        assert [billable_units(T1019, m) for m in (7, 8, 60)] == [0, 1, 4]


class TestBelowEightMinutes:
    """1-7 minute visit lines: NGS chart (0) vs Cahaba hospice FAQ 9970 / Medicaid manual (1)."""

    @pytest.mark.parametrize(
        ("policy", "minutes", "expected"),
        [
            (MEDICARE, 5, 0),
            (MEDICARE_ANY_MINUTE_VISIT, 5, 1),  # Cahaba FAQ 9970: "a 5-minute visit = 1 unit"
            (MEDICARE_ANY_MINUTE_VISIT, 0, 0),
            (MEDICARE_ANY_MINUTE_VISIT, 20, 1),  # FAQ: 20 -> 1
            (MEDICARE_ANY_MINUTE_VISIT, 25, 2),  # FAQ: 25 -> 2
            (MEDICARE_ANY_MINUTE_VISIT, 22, 1),  # Medicaid manual: 1 to <23 = 1
            (MEDICARE_ANY_MINUTE_VISIT, 127, 8),  # Medicaid manual: 113 to <128 = 8
        ],
    )
    def test_policies(self, policy: UnitPolicy, minutes: int, expected: int) -> None:
        """Each named policy reads a short visit as its source says."""
        assert expected == billable_units("G0152", minutes, policy=policy)

    @pytest.mark.parametrize(
        ("minutes", "expected"), [(0, False), (1, True), (7, True), (8, False)]
    )
    def test_is_contested(self, minutes: int, expected: bool) -> None:
        """Exactly the 1-7 minute 15-minute lines are flagged as contested."""
        assert expected is is_contested("G0152", minutes)

    def test_not_contested_for_other_units(self) -> None:
        """Hourly and up-to-15 codes are not part of the 8-minute dispute."""
        assert (is_contested("S9123", 5), is_contested(T1002, 5)) == (False, False)


class TestUpToFifteenMinutes:
    """ "Up to 15 minutes" (T1000-T1005) reads as any part of a block
    (derived from the wording, UNCONFIRMED)."""

    @pytest.mark.parametrize(
        ("minutes", "expected"), [(0, 0), (1, 1), (5, 1), (15, 1), (16, 2), (30, 2), (31, 3)]
    )
    def test_any_part(self, minutes: int, expected: int) -> None:
        """Any started 15-minute block is a unit."""
        assert expected == billable_units(T1002, minutes)

    def test_differs_from_per_15(self) -> None:
        """5 minutes of T1002 bills 1, 5 minutes of a "per 15 minutes" code bills 0."""
        assert (billable_units(T1002, 5), billable_units(T1019, 5)) == (1, 0)

    def test_missouri_complete_units(self) -> None:
        """Missouri counts only complete units: 59 minutes is 3 (Ankota)."""
        assert (
            billable_units(T1019, 59, policy=MISSOURI_COMPLETE_UNITS),
            billable_units(T1002, 59, policy=MISSOURI_COMPLETE_UNITS),
        ) == (3, 3)


class TestTotalTime:
    """Pub. 100-04 ch. 5 §20.2 C: "the total number of minutes of service ... determines the
    number of timed units billed"."""

    @pytest.mark.parametrize(
        ("minutes_by_code", "expected"),
        [
            # CMS example 1 (findacode.com reproducing CMS): 47 minutes, 3 units.
            ({"97112": 24, "97110": 23}, {"97112": 2, "97110": 1}),
            # CMS example 2: 20 + 20, either code x2; ours: the code given first.
            ({"97112": 20, "97110": 20}, {"97112": 2, "97110": 1}),
            ({"97110": 20, "97112": 20}, {"97110": 2, "97112": 1}),
            # CMS example 3: 3 leftover minutes of 97110 < 7 minutes of 97140.
            ({"97110": 33, "97140": 7}, {"97110": 2, "97140": 1}),
            # §20.2 C: two services of 7 minutes or less totalling >= 8: one unit, to the longer.
            ({"97110": 5, "97140": 7}, {"97110": 0, "97140": 1}),
            # §20.2 C: a lone timed service under 8 minutes is not billed.
            ({"97110": 7}, {"97110": 0}),
            # physicaltherapy.com reading of CMS: total 40 -> 3 units, same split as example 3.
            ({"97140": 7, "97110": 33}, {"97140": 1, "97110": 2}),
        ],
    )
    def test_cms_examples(self, minutes_by_code: dict[str, int], expected: dict[str, int]) -> None:
        """CMS's worked examples give CMS's billing."""
        assert expected == total_time_units(minutes_by_code)

    def test_never_all_units_on_one_code(self) -> None:
        """ "It is not appropriate to count all minutes ... toward the units for one code if other
        services were performed for more than 15 minutes"."""
        assert total_time_units({"97110": 30, "97140": 16}) == {"97110": 2, "97140": 1}

    def test_tie_break_more_minutes_first(self) -> None:
        """Equal leftovers go to the code with more minutes in all."""
        assert total_time_units({"97110": 10, "97140": 25}) == {"97110": 0, "97140": 2}

    def test_ama_per_code(self) -> None:
        """The per-code method bills example 3 as 2/0 (therapycomply.com)."""
        assert total_time_units({"97110": 33, "97140": 7}, policy=AMA_PER_CODE) == {
            "97110": 2,
            "97140": 0,
        }

    def test_untimed_one_unit_minutes_not_pooled(self) -> None:
        """Untimed codes bill 1 unit and their minutes stay out of the total."""
        got = total_time_units({"97161": 40, "97110": 7}, untimed=["97161"])
        assert got == {"97161": 1, "97110": 0}

    def test_untimed_order_kept(self) -> None:
        """Untimed-only codes come back in the order given, run after run."""
        got = total_time_units({}, untimed=["97168", "97161", "97165", "97163"])
        assert list(got) == ["97168", "97161", "97165", "97163"]

    def test_untimed_not_in_mapping(self) -> None:
        """An untimed code listed only in ``untimed`` still bills its 1 unit."""
        assert total_time_units({"97110": 30}, untimed="97165") == {"97110": 2, "97165": 1}

    def test_code_values_decide_timing(self) -> None:
        """A Code key's own unit says whether it is timed."""
        evaluation = make_code("97161", BillingUnit.UNTIMED)
        assert total_time_units({evaluation: 30, "g0152": 30}) == {"97161": 1, "G0152": 2}

    def test_hourly_code_refused(self) -> None:
        """Only 15-minute codes share minutes; an hourly Code is refused."""
        from hcpcs_home import lookup

        with pytest.raises(NotTimedError):
            total_time_units({lookup("S9123"): 60})

    def test_repeated_code_refused(self) -> None:
        """Two spellings of one code are refused, not silently merged."""
        with pytest.raises(InvalidFieldError, match="repeats code '97110'"):
            total_time_units({"97110": 10, " 97110": 10})

    def test_day_over_24_hours_refused(self) -> None:
        """More than a day of timed minutes in all is absurd."""
        with pytest.raises(InvalidMinutesError, match="past one day"):
            total_time_units({"97110": 1000, "97140": 1000})

    def test_bad_minutes_named_by_code(self) -> None:
        """A bad value names the code it belongs to."""
        with pytest.raises(InvalidMinutesError, match=r"minutes_by_code\['97140'\]=-1"):
            total_time_units({"97110": 10, "97140": -1})


TEXAS_BANDS = [
    (0, 3, "0.0"),
    (4, 9, "0.1"),
    (10, 15, "0.2"),
    (16, 21, "0.3"),
    (22, 27, "0.4"),
    (28, 33, "0.5"),
    (34, 39, "0.6"),
    (40, 45, "0.7"),
    (46, 51, "0.8"),
    (52, 57, "0.9"),
    (58, 63, "1.0"),
    (64, 69, "1.1"),
]


class TestHours:
    """Per-hour codes: whole hours plus the payer's partial-hour convention
    (TMHP TMPPM; BCBSM PDN policy; Ankota, third-party)."""

    @pytest.mark.parametrize(("low", "high", "tenths"), TEXAS_BANDS)
    def test_texas_tenths(self, low: int, high: int, tenths: str) -> None:
        """TMHP TMPPM 2008 §42.7.5: each 6-minute band bills its tenth."""
        got = {billable_units("S9124", m, policy=TEXAS_MEDICAID_TENTHS) for m in (low, high)}
        assert {Decimal(tenths)} == got
        assert all(type(g) is Decimal for g in got)

    @pytest.mark.parametrize(
        ("policy", "minutes", "expected"),
        [
            (MEDICARE, 59, 0),
            (MEDICARE, 60, 1),
            (VIRGINIA_WHOLE_HOURS, 119, 1),
            (QUARTER_HOUR, 7, Decimal("0.00")),
            (QUARTER_HOUR, 8, Decimal("0.25")),
            (QUARTER_HOUR, 75, Decimal("1.25")),
            (MISSOURI_COMPLETE_UNITS, 59, Decimal("0.75")),
            (attrs.evolve(MEDICARE, name="half up", hours="nearest hour, half up"), 90, 2),
            (attrs.evolve(MEDICARE, name="half up", hours=HourRounding.HALF_UP), 89, 1),
            (attrs.evolve(MEDICARE, name="up", hours=HourRounding.UP), 61, 2),
        ],
    )
    def test_conventions(self, policy: UnitPolicy, minutes: int, expected: object) -> None:
        """Each convention gives its documented figure."""
        got = billable_units("S9123", minutes, policy=policy)
        assert expected == got
        assert type(expected) is type(got)

    def test_never_float(self) -> None:
        """Fractional units are Decimal, never float, for every minute of a day."""
        for policy in (TEXAS_MEDICAID_TENTHS, QUARTER_HOUR, MISSOURI_COMPLETE_UNITS):
            assert {Decimal} == {
                type(u) for u in units_for_many("S9123", range(1441), policy=policy)
            }


class TestCarryHours:
    """Virginia: whole hours, leftover minutes carried within the month (Ankota)."""

    def test_carry_within_month(self) -> None:
        """Leftovers bill an hour on the date they reach 60, and reset each month."""
        d = dt.date
        got = carry_hours(
            {d(2026, 1, 6): 100, d(2026, 1, 5): 90, d(2026, 2, 1): 50, d(2026, 2, 2): 10}
        )
        assert {d(2026, 1, 5): 1, d(2026, 1, 6): 2, d(2026, 2, 1): 0, d(2026, 2, 2): 1} == got
        assert list(got) == sorted(got)

    def test_month_end_leftover_lost(self) -> None:
        """Minutes short of an hour at month end are not billed in the next month."""
        d = dt.date
        assert list(carry_hours({d(2026, 1, 31): 50, d(2026, 2, 1): 50}).values()) == [0, 0]

    @pytest.mark.parametrize("bad", [{dt.datetime(2026, 1, 1): 5}, {"2026-01-01": 5}, [1, 2]])
    def test_bad_input(self, bad: object) -> None:
        """Keys must be dates and the argument a mapping."""
        with pytest.raises(HcpcsError):
            carry_hours(bad)  # type: ignore[arg-type]


class TestPerDiem:
    """HCPCS per diem: one unit per calendar day of service
    (CMS descriptors; Carepatron S9129 page, third-party)."""

    @pytest.mark.parametrize("minutes", [0, 1, 30, 480, 1440])
    def test_one_unit_whatever_duration(self, minutes: int) -> None:
        """A per-diem line is one unit however long the care."""
        assert 1 == billable_units("T1030", minutes) == billable_units(S5126, minutes)

    @pytest.mark.parametrize(
        ("minutes", "expected"), [(0, 0), (479, 0), (480, 1), (959, 1), (1440, 3)]
    )
    def test_dol_eight_hour_shift(self, minutes: int, expected: int) -> None:
        """DOL DEEOIC Bulletin 08-09: 24 hours of care is 3 units, under 8 hours none."""
        assert expected == billable_units("T1030", minutes, policy=DOL_EEOICP_8_HOUR_SHIFT)

    def test_several_visits_one_day(self) -> None:
        """Several visits on one day are still one unit."""
        day = dt.date(2026, 3, 1)
        visits = [
            Span.from_clock(day, "08:00", "08:30"),
            Span.from_clock(day, "18:00", "19:00"),
            day,
        ]
        assert per_diem_units(visits) == 1

    def test_midnight_shift_two_days(self) -> None:
        """A shift crossing midnight touches two calendar days."""
        shift = Span.from_clock(dt.date(2026, 3, 1), "22:00", "06:00")
        assert per_diem_units([shift]) == 2
        assert (dt.date(2026, 3, 1), dt.date(2026, 3, 2)) == service_dates(shift)

    def test_ends_at_midnight_one_day(self) -> None:
        """A shift ending exactly at midnight has no minutes on the next day."""
        shift = Span.from_clock(dt.date(2026, 3, 1), "16:00", "00:00")
        assert (shift.minutes, per_diem_units([shift])) == (480, 1)

    def test_dol_spans(self) -> None:
        """Under the shift definition each span bills its complete shifts."""
        day = dt.date(2026, 3, 1)
        spans = [Span.from_clock(day, "22:00", "06:00"), Span.from_clock(day, "07:00", "10:00")]
        assert per_diem_units(spans, policy=DOL_EEOICP_8_HOUR_SHIFT) == 1

    def test_dol_refuses_bare_dates(self) -> None:
        """A bare date has no duration to count shifts in."""
        with pytest.raises(InvalidTimeError, match=r"services\[0\]"):
            per_diem_units([dt.date(2026, 3, 1)], policy=DOL_EEOICP_8_HOUR_SHIFT)

    def test_multi_day_stay(self) -> None:
        """A respite stay over several days counts each date it touches."""
        stay = Span(dt.datetime(2026, 3, 1, 9), dt.datetime(2026, 3, 4, 9))
        assert per_diem_units([stay]) == 4
        assert per_diem_units([stay], policy=DOL_EEOICP_8_HOUR_SHIFT) == 9


class TestOtherUnits:
    """Sessions, visits, months, minutes and the telehealth lines
    (CMS descriptors; Palmetto GBA "Telehealth Home Health Services: New G-Codes")."""

    @pytest.mark.parametrize(("minutes", "expected"), [(0, 0), (44, 0), (45, 1), (180, 1)])
    def test_session_minimum(self, minutes: int, expected: int) -> None:
        """G0129/G0176: "per session (45 minutes or more)"."""
        assert expected == billable_units("G0129", minutes) == billable_units(G0176, minutes)

    def test_session_without_minimum(self) -> None:
        """A session code with no minimum is one unit."""
        assert billable_units(S5109, 0) == 1

    @pytest.mark.parametrize("code", [T1021, G0320, G0321, S5161, S5101])
    @pytest.mark.parametrize("minutes", [0, 5, 300])
    def test_one_unit(self, code: Code, minutes: int) -> None:
        """Per-visit, untimed, per-month and half-day lines are one unit (G0320/G0321: one per
        service, Palmetto)."""
        assert billable_units(code, minutes) == 1

    def test_per_minute(self) -> None:
        """T1014 is billed per minute."""
        assert units_for_many(T1014, [0, 1, 59]) == [0, 1, 59]

    def test_days_monitored(self) -> None:
        """G0322 units are the days monitored, not minutes (Palmetto)."""
        with pytest.raises(NotTimedError, match="days monitored"):
            billable_units(G0322, 30)
        days = [dt.date(2026, 5, d) for d in (1, 2, 2, 5)]
        assert len(service_dates(days)) == 3


class TestClock:
    """Minutes from start and stop clock times on the record."""

    @pytest.mark.parametrize(
        ("start", "stop", "expected"),
        [
            ("22:00", "06:00", 480),
            ("08:00", "08:00", 0),
            ("0800", "1630", 510),
            ("7:05", "7:50", 45),
            (dt.time(23, 30), dt.time(0, 15), 45),
            ("20:00", "24:00", 240),
            ("00:00", "24:00", 1440),
        ],
    )
    def test_minutes_between(self, start: object, stop: object, expected: int) -> None:
        """Clock pairs give their minutes; a stop before the start crosses midnight."""
        assert expected == minutes_between(start, stop)

    def test_full_day(self) -> None:
        """Stop equal to start is a full day only when the caller says so."""
        assert minutes_between("07:00", "07:00", full_day=True) == 1440

    @pytest.mark.parametrize(
        ("start", "stop", "field"),
        [
            ("24:00", "08:00", "start"),
            ("8:00", "8:60", "stop"),
            ("noon", "13:00", "start"),
            (None, "13:00", "start"),
            ("08:00", dt.time(9, 0, 30), "stop"),
            (dt.time(8, tzinfo=dt.timezone.utc), "09:00", "start"),
            ("08:00", 900, "stop"),
        ],
    )
    def test_bad_times(self, start: object, stop: object, field: str) -> None:
        """Unreadable times raise InvalidTimeError naming the argument."""
        with pytest.raises(InvalidTimeError) as info:
            minutes_between(start, stop)
        assert field == info.value.field

    def test_span_validation(self) -> None:
        """A span must run forward, in whole minutes, on naive datetimes."""
        with pytest.raises(InvalidTimeError, match="stop="):
            Span(dt.datetime(2026, 1, 2), dt.datetime(2026, 1, 1))
        with pytest.raises(InvalidTimeError, match="whole minute"):
            Span(dt.datetime(2026, 1, 1), dt.datetime(2026, 1, 1, 1, 0, 5))
        with pytest.raises(InvalidTimeError, match="naive"):
            Span(dt.date(2026, 1, 1), dt.datetime(2026, 1, 2))  # type: ignore[arg-type]
        with pytest.raises(InvalidTimeError, match="day="):
            Span.from_clock(dt.datetime(2026, 1, 1), "08:00", "09:00")

    def test_service_dates_refuses_junk(self) -> None:
        """Items must be dates or spans."""
        with pytest.raises(InvalidTimeError, match=r"services\[1\]"):
            service_dates([dt.date(2026, 1, 1), "2026-01-02"])


JUNK_MINUTES = [
    (-5, "must not be negative"),
    (-1, "must not be negative"),
    (1441, "more than one day"),
    (10**30, "more than one day"),
    (2.5, "whole number"),
    (math.nan, "finite"),
    (math.inf, "finite"),
    (Decimal("NaN"), "finite"),
    (Decimal("7.5"), "whole number"),
    (True, "not a bool"),
    (False, "not a bool"),
    (None, "whole number"),
    ("30", "whole number"),
    ("", "whole number"),
    ("€", "whole number"),
    (object(), "whole number"),
]


class TestRobustness:
    """Junk at every entry point raises a specific library error naming the argument."""

    def test_message_shape(self) -> None:
        """The issue's example message, to the letter."""
        with pytest.raises(InvalidMinutesError) as info:
            billable_units("G0152", -5)
        assert str(info.value) == "minutes=-5 must not be negative"
        assert (info.value.field, info.value.value) == ("minutes", -5)

    @pytest.mark.parametrize(("value", "reason"), JUNK_MINUTES)
    def test_billable_units_minutes(self, value: object, reason: str) -> None:
        """Bad minutes raise InvalidMinutesError (a ValueError) naming ``minutes``."""
        with pytest.raises(InvalidMinutesError, match=reason) as info:
            billable_units("G0152", value)  # type: ignore[arg-type]
        assert info.value.field == "minutes"
        assert isinstance(info.value, ValueError)

    @pytest.mark.parametrize(("value", "reason"), JUNK_MINUTES)
    def test_units_for_many_minutes(self, value: object, reason: str) -> None:
        """The batch form validates every value and names its index."""
        with pytest.raises(InvalidMinutesError, match=reason) as info:
            units_for_many("G0152", [10, 20, value])  # type: ignore[list-item]
        assert info.value.field == "minutes_seq[2]"

    @pytest.mark.parametrize(("value", "reason"), JUNK_MINUTES)
    def test_total_time_minutes(self, value: object, reason: str) -> None:
        """total_time_units validates each code's minutes."""
        with pytest.raises(InvalidMinutesError, match=reason):
            total_time_units({"97110": value})  # type: ignore[dict-item]

    @pytest.mark.parametrize(("value", "reason"), JUNK_MINUTES)
    def test_carry_hours_minutes(self, value: object, reason: str) -> None:
        """carry_hours validates each date's minutes."""
        with pytest.raises(InvalidMinutesError, match=reason):
            carry_hours({dt.date(2026, 1, 1): value})  # type: ignore[dict-item]

    def test_integral_floats_accepted(self) -> None:
        """A whole float or Decimal is a whole number of minutes."""
        assert 2 == billable_units("G0152", 30.0) == billable_units("G0152", Decimal("30"))  # type: ignore[arg-type]

    @pytest.mark.parametrize("code", [None, "", "€", object(), 12345, "G01", "Z9999"])
    def test_bad_codes(self, code: object) -> None:
        """Unknown or malformed codes raise UnknownCodeError (a LookupError)."""
        with pytest.raises(UnknownCodeError):
            billable_units(code, 30)  # type: ignore[arg-type]
        with pytest.raises(UnknownCodeError):
            units_for_many(code, [30])  # type: ignore[arg-type]
        with pytest.raises(UnknownCodeError):
            is_contested(code, 5)  # type: ignore[arg-type]

    @pytest.mark.parametrize("code", [None, "", "€", "G01", 12345])
    def test_total_time_bad_codes(self, code: object) -> None:
        """A malformed key is an InvalidFieldError naming the argument."""
        with pytest.raises(InvalidFieldError, match="minutes_by_code"):
            total_time_units({code: 10})  # type: ignore[dict-item]
        with pytest.raises(InvalidFieldError, match="untimed"):
            total_time_units({}, untimed=[code])  # type: ignore[list-item]

    @pytest.mark.parametrize("value", [None, [("97110", 10)], "97110", 5])
    def test_total_time_not_a_mapping(self, value: object) -> None:
        """The argument must be a mapping."""
        with pytest.raises(InvalidFieldError, match="minutes_by_code"):
            total_time_units(value)  # type: ignore[arg-type]

    @pytest.mark.parametrize("policy", ["MEDICARE", object(), 1])
    def test_bad_policy(self, policy: object) -> None:
        """A policy must be a UnitPolicy, at every entry point that takes one."""
        calls = [
            lambda: billable_units("G0152", 30, policy=policy),
            lambda: billable_units(T1019, 30, policy=policy),
            lambda: units_for_many("G0152", [30], policy=policy),
            lambda: total_time_units({"97110": 30}, policy=policy),
            lambda: per_diem_units([dt.date(2026, 1, 1)], policy=policy),
        ]
        for call in calls:
            with pytest.raises(InvalidFieldError, match="policy"):
                call()

    @pytest.mark.parametrize(
        "services", [None, 5, [None], ["2026-01-01"], [dt.datetime(2026, 1, 1)]]
    )
    def test_bad_services(self, services: object) -> None:
        """per_diem_units and service_dates take dates and spans only."""
        with pytest.raises((InvalidTimeError, TypeError)):
            per_diem_units(services)  # type: ignore[arg-type]

    def test_errors_pickle(self) -> None:
        """Errors survive multiprocessing."""
        with pytest.raises(InvalidMinutesError) as info:
            billable_units("G0152", 1441)
        again = pickle.loads(pickle.dumps(info.value))
        assert (str(info.value), info.value.field) == (str(again), again.field)


class TestUnitPolicy:
    """Unit policies are frozen values with a source."""

    @pytest.mark.parametrize("policy", NAMED_POLICIES, ids=lambda p: p.name)
    def test_named_policies_cite_a_source(self, policy: UnitPolicy) -> None:
        """Every shipped policy names itself and its source."""
        assert policy.name and policy.source
        assert policy.name == str(policy)

    def test_names_unique(self) -> None:
        """No two shipped policies share a name."""
        assert len(NAMED_POLICIES) == len({p.name for p in NAMED_POLICIES})

    def test_default(self) -> None:
        """``policy=None`` is MEDICARE, which is DEFAULT_POLICY."""
        assert units.DEFAULT_POLICY is MEDICARE
        assert billable_units("G0152", 5) == billable_units("G0152", 5, policy=MEDICARE)

    def test_frozen_and_hashable(self) -> None:
        """Policies cannot change and can be dict keys and pickled."""
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            MEDICARE.hours = HourRounding.UP  # type: ignore[misc]
        assert {MEDICARE: 1}[attrs.evolve(MEDICARE)] == 1
        assert pickle.loads(pickle.dumps(TEXAS_MEDICAID_TENTHS)) == TEXAS_MEDICAID_TENTHS

    def test_enum_values_convert(self) -> None:
        """Fields accept enum values as text, and refuse unknown ones by name."""
        policy = UnitPolicy("x", fifteen_minute="complete 15-minute units only", method="per code")
        assert (
            policy.fifteen_minute,
            policy.method,
        ) == (FifteenMinuteRule.COMPLETE_UNITS, TimedMethod.PER_CODE)
        with pytest.raises(InvalidFieldError, match="hours='nearest'"):
            UnitPolicy("x", hours="nearest")

    @pytest.mark.parametrize("hours", [0, 25, True, 8.0, "8"])
    def test_shift_hours_checked(self, hours: object) -> None:
        """A per-diem shift is 1 to 24 whole hours."""
        with pytest.raises(InvalidFieldError, match="per_diem_shift_hours"):
            UnitPolicy("x", per_diem_shift_hours=hours)  # type: ignore[arg-type]

    def test_custom_policy_used(self) -> None:
        """A policy built by the caller is honoured (and cached separately)."""
        mine = attrs.evolve(MEDICARE, name="12-hour shift", per_diem_shift_hours=12)
        assert (
            billable_units("T1030", 1440, policy=mine),
            billable_units("T1030", 1440),
        ) == (2, 1)


class TestBatch:
    """units_for_many agrees with billable_units."""

    def test_matches_single_calls(self) -> None:
        """Batch and single results agree for every minute of a day."""
        for policy in (MEDICARE, TEXAS_MEDICAID_TENTHS):
            for code in ("G0152", "S9123", "T1030", "G0129"):
                single = [billable_units(code, m, policy=policy) for m in range(1441)]
                assert single == units_for_many(code, range(1441), policy=policy)

    def test_mixed_types_slow_path(self) -> None:
        """Whole floats in a batch are accepted through the careful path."""
        assert units_for_many("G0152", (30, 30.0)) == [2, 2]  # type: ignore[arg-type]

    def test_empty(self) -> None:
        """An empty batch is an empty list."""
        assert units_for_many("G0152", iter(())) == []


class TestPublicApi:
    """The module exposes exactly its ``__all__``."""

    def test_dir_is_all(self) -> None:
        """Tab completion shows the public names and nothing else."""
        assert sorted(units.__all__) == sorted(dir(units))
        assert all(hasattr(units, name) for name in units.__all__)

    def test_all_is_the_public_names(self) -> None:
        """Every public name the module defines is in ``__all__``, and no other."""
        defined = {
            name
            for name, value in vars(units).items()
            if not name.startswith("_")
            and (
                isinstance(value, UnitPolicy) or getattr(value, "__module__", "") == units.__name__
            )
        }
        assert defined | {"MAX_LINE_MINUTES"} == set(units.__all__)
