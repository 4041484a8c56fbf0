"""Tests for the PDGM arithmetic: periods, NOA timing, HIPPS layout and LUPA."""

from __future__ import annotations

import datetime as dt
import itertools
import math
from fractions import Fraction
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

import hcpcs_home
from hcpcs_home import ClaimLine, HcpcsError, InvalidFieldError, InvalidTimeError
from hcpcs_home import strategies as hst
from hcpcs_home.errors import UnknownCodeError
from hcpcs_home.pdgm import (
    LupaThresholds,
    is_lupa,
    is_valid_hipps,
    noa_timing,
    pdgm_periods,
    period_containing,
    shipped_lupa_thresholds,
    visit_count,
)

D = dt.date
ADMISSIONS = st.dates(D(2020, 1, 1), D(2030, 12, 31))


class TestPeriods:
    """Period n starts on SOC + 30 (n - 1) days and ends 29 days later (CGS U538F examples)."""

    def test_worked_example(self) -> None:
        """SOC 2024-03-01 gives 03-01..03-30, 03-31..04-29, 04-30..05-29."""
        periods = pdgm_periods("2024-03-01", "2024-05-29")
        assert [
            (D(2024, 3, 1), D(2024, 3, 30)),
            (D(2024, 3, 31), D(2024, 4, 29)),
            (D(2024, 4, 30), D(2024, 5, 29)),
        ] == [(p.start, p.end) for p in periods]
        assert [True, False, False] == [p.early for p in periods]

    def test_cgs_example_is_30_days_inclusive(self) -> None:
        """CGS's U538F example period 06/25-07/24 is one full period."""
        (period,) = pdgm_periods("2024-06-25", "2024-07-24")
        assert (30, D(2024, 7, 24)) == (period.days, period.end)

    def test_last_period_cut_at_through(self) -> None:
        """A discharge before day 30 ends the last period early."""
        assert 10 == pdgm_periods("2024-03-01", "2024-03-10")[-1].days

    @given(ADMISSIONS, st.integers(0, 800))
    def test_periods_tile_the_admission(self, soc: dt.date, length: int) -> None:
        """Periods are contiguous, at most 30 days, and cover admission..through exactly."""
        through = soc + dt.timedelta(days=length)
        periods = pdgm_periods(soc, through)
        assert (soc, through) == (periods[0].start, periods[-1].end)
        assert all(b.start == a.end + dt.timedelta(days=1) for a, b in itertools.pairwise(periods))
        assert all(1 <= p.days <= 30 for p in periods)
        assert sum(p.days for p in periods) == length + 1

    @given(ADMISSIONS, st.integers(0, 800))
    def test_period_containing_agrees(self, soc: dt.date, offset: int) -> None:
        """The period a day falls in is the full period the tiling puts it in."""
        day = soc + dt.timedelta(days=offset)
        found = period_containing(soc, day)
        tiled = [p for p in pdgm_periods(soc, day + dt.timedelta(days=40)) if day in p]
        assert [(found.number, found.start, found.end)] == [
            (p.number, p.start, p.end) for p in tiled
        ]

    def test_through_before_admission(self) -> None:
        """A through date before the admission is refused."""
        with pytest.raises(InvalidTimeError, match="before admission"):
            pdgm_periods("2024-03-10", "2024-03-01")

    def test_absurd_span(self) -> None:
        """A span of centuries is refused before any period is built."""
        with pytest.raises(InvalidTimeError, match="days on"):
            pdgm_periods("1924-03-01", "2099-03-01")


class TestNoaTiming:
    """Timely = accepted within 5 days after SOC; late cuts (accept - SOC) / 30 (CGS, NGS, AAPC)."""

    @pytest.mark.parametrize(
        ("accepted", "timely", "late", "reduction", "later"),
        [
            (D(2024, 3, 1), True, 0, Fraction(0), False),
            (D(2024, 3, 6), True, 0, Fraction(0), False),
            (D(2024, 3, 7), False, 1, Fraction(6, 30), False),
            (D(2024, 3, 15), False, 9, Fraction(14, 30), False),
            (D(2024, 3, 31), False, 25, Fraction(1), False),
            (D(2024, 4, 4), False, 29, Fraction(1), True),
        ],
    )
    def test_worked_examples(
        self, accepted: dt.date, timely: bool, late: int, reduction: Fraction, later: bool
    ) -> None:
        """The worked table: SOC 2024-03-01 and four acceptance dates."""
        found = noa_timing(D(2024, 3, 1), accepted)
        assert (timely, late, reduction, later) == (
            found.timely,
            found.days_late,
            found.reduction,
            found.reaches_later_periods,
        )

    def test_cgs_deadline(self) -> None:
        """CGS: SOC 2022-01-01 is timely through 2022-01-06 and late on 01-07."""
        assert noa_timing("2022-01-01", "2022-01-06").timely
        assert not noa_timing("2022-01-01", "2022-01-07").timely

    @given(ADMISSIONS, st.integers(0, 400))
    def test_reduction_is_exact_thirtieths(self, soc: dt.date, days: int) -> None:
        """The reduction is 0 when timely, else min(days, 30)/30, an exact fraction."""
        found = noa_timing(soc, soc + dt.timedelta(days=days))
        expected = Fraction(0) if days <= 5 else Fraction(min(days, 30), 30)
        assert (expected, days) == (found.reduction, found.penalty_days)
        assert isinstance(found.reduction, Fraction)

    def test_acceptance_before_admission(self) -> None:
        """An NOA accepted before the admission date is refused."""
        with pytest.raises(InvalidTimeError):
            noa_timing("2024-03-10", "2024-03-09")


class TestHipps:
    @pytest.mark.parametrize("code", ["1AA11", "4LC31", "2FB21", "3KA11"])
    def test_valid(self, code: str) -> None:
        """Codes in the PDGM layout are valid."""
        assert is_valid_hipps(code)

    @pytest.mark.parametrize(
        "code", ["5AA11", "1MA11", "1AD11", "1AA41", "1AA12", "G0402", "1aa11", "", None, 11111]
    )
    def test_invalid(self, code: object) -> None:
        """Anything else is not, and nothing raises."""
        assert not is_valid_hipps(code)

    @given(hst.hipps_codes())
    def test_strategy_draws_valid_codes(self, code: str) -> None:
        """The hipps_codes strategy draws only valid codes."""
        assert is_valid_hipps(code)


def _lines() -> list[ClaimLine]:
    return [
        ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023"),
        ClaimLine("Q5001", "2024-03-01", 1, revenue_code="0551", charge="0.01"),
        ClaimLine("G0299", "2024-03-01", 4, revenue_code="0551"),
        ClaimLine("G0320", "2024-03-02", 1, revenue_code="0551"),
        ClaimLine("G0322", "2024-03-01", 9, revenue_code="0551"),
        ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421"),
        ClaimLine("G0156", "2024-03-06", 2, revenue_code="0571"),
        ClaimLine("", "2024-03-06", 2, revenue_code="0270", charge="15"),
    ]


class TestLupa:
    def test_visit_count(self) -> None:
        """Visit lines count once each; telehealth, site and supply lines do not."""
        assert 3 == visit_count(_lines())

    def test_site_lines_are_an_option(self) -> None:
        """Counting Q500x site lines (unconfirmed either way) is the caller's choice."""
        assert 4 == visit_count(_lines(), count_site_lines=True)

    @pytest.mark.parametrize(("threshold", "lupa"), [(3, False), (4, True), (2, False)])
    def test_fewer_visits_than_threshold(self, threshold: int, lupa: bool) -> None:
        """Three visits are a LUPA under a threshold of 4, not under 3 (Palmetto "LUPA")."""
        table = LupaThresholds("test", {"1FC21": threshold})
        assert lupa == is_lupa(_lines(), table)

    def test_telehealth_does_not_lift_a_lupa(self) -> None:
        """Adding telehealth lines never turns a LUPA into a full period."""
        table = LupaThresholds("test", {"1FC21": 4})
        more = [*_lines(), *(ClaimLine("G0321", "2024-03-09", 1, revenue_code="0551"),) * 5]
        assert is_lupa(more, table)

    def test_unknown_hipps_is_an_error(self) -> None:
        """A HIPPS missing from a table without default is an error, never a guess."""
        with pytest.raises(UnknownCodeError):
            is_lupa(_lines(), LupaThresholds("test", {"2AA11": 4}))

    def test_no_hipps_line(self) -> None:
        """Without a 0023 line the HIPPS must be given."""
        lines = _lines()[1:]
        with pytest.raises(InvalidFieldError, match="hipps"):
            is_lupa(lines, LupaThresholds("test", {"1FC21": 4}))
        assert is_lupa(lines, LupaThresholds("test", {"1FC21": 4}), hipps="1FC21")

    def test_shipped_pre_pdgm(self) -> None:
        """The shipped pre-PDGM rule: 4 visits or fewer in a 60-day episode is a LUPA."""
        table = shipped_lupa_thresholds("2019-12-31")
        assert 5 == table.threshold("1AFK1")
        assert "CLM_HHA_LUPA_IND_CD" in table.source

    def test_no_shipped_pdgm_table(self) -> None:
        """For PDGM periods the package ships no per-HIPPS table and says what to load."""
        with pytest.raises(InvalidTimeError, match="LUPA Thresholds"):
            shipped_lupa_thresholds("2024-03-01")

    def test_load_csv(self, tmp_path: Path) -> None:
        """A CSV export with HIPPS and threshold columns loads, header found by name."""
        path = tmp_path / "cy2024.csv"
        path.write_text(
            "CY 2024 PDGM case-mix weights\n"
            "HIPPS Code,Clinical Group,LUPA Threshold\n"
            "1FC21,Neuro,4\n"
            "2AA11,MMTA,2\n",
            "utf-8",
        )
        table = LupaThresholds.load(path, name="CY 2024")
        assert (4, 2, "CY 2024") == (table.threshold("1FC21"), table.threshold("2aa11"), table.name)

    @pytest.mark.parametrize(
        "body",
        ["HIPPS,LUPA Threshold\n1FC21,four\n", "HIPPS,LUPA Threshold\n1FC2,4\n", "a,b\n1,2\n"],
    )
    def test_load_refuses_bad_rows(self, tmp_path: Path, body: str) -> None:
        """A bad row or a file without the columns fails the load."""
        path = tmp_path / "bad.csv"
        path.write_text(body, "utf-8")
        with pytest.raises(InvalidFieldError):
            LupaThresholds.load(path)


JUNK = [None, "", object(), "€", 10**100, math.nan, b"2024-03-01", [], {}, "G" * 100_000, True]


ENTRY_POINTS = {
    "pdgm_periods(admission)": lambda j: pdgm_periods(j, "2024-03-01"),
    "pdgm_periods(through)": lambda j: pdgm_periods("2024-03-01", j),
    "noa_timing(admission)": lambda j: noa_timing(j, "2024-03-01"),
    "noa_timing(accepted_on)": lambda j: noa_timing("2024-03-01", j),
    "visit_count(lines)": lambda j: visit_count(j),
    "visit_count([line])": lambda j: visit_count([j]),
    "is_lupa(thresholds)": lambda j: is_lupa(_lines(), j),
    "is_lupa(hipps)": lambda j: is_lupa(_lines(), LupaThresholds("t", {}, 4), hipps=j),
    "LupaThresholds(by_hipps)": lambda j: LupaThresholds("t", j),
    "LupaThresholds(threshold)": lambda j: LupaThresholds("t", {"1FC21": j}),
}
#: Values that are valid for an entry point: empty inputs, and None for "the 0023 line's HIPPS".
VALID = {
    ("visit_count(lines)", "[]"),
    ("LupaThresholds(by_hipps)", "{}"),
    ("is_lupa(hipps)", "None"),
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("junk", JUNK, ids=lambda v: repr(v)[:20])
def test_junk_is_refused(name: str, junk: object) -> None:
    """Junk raises the library's own error."""
    if (name, repr(junk)) in VALID:
        ENTRY_POINTS[name](junk)
        return
    with pytest.raises(HcpcsError):
        ENTRY_POINTS[name](junk)


def test_top_level_exports() -> None:
    """The PDGM functions are public at the top level."""
    assert (pdgm_periods, noa_timing, is_lupa) == (
        hcpcs_home.pdgm_periods,
        hcpcs_home.noa_timing,
        hcpcs_home.is_lupa,
    )
