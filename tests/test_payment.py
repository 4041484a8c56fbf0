"""Tests for hcpcs_home.payment: each pricing step to the cent, with its citation."""

from __future__ import annotations

import datetime as dt
import pickle
from decimal import Decimal
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, payers
from hcpcs_home.claims import Occurrence, ValueCode
from hcpcs_home.errors import EditFileError, InvalidFieldError
from hcpcs_home.payment import (
    CaseMix,
    FeeSchedule,
    Payment,
    WageIndex,
    load_case_mix,
    load_fee_schedule,
    load_rates,
    load_wage_index,
    payments_frame,
    price,
    price_many,
    shipped_rates,
)

D = Decimal
CHARLOTTE = ValueCode("61", "16740")
#: CY 2025 weight and LUPA threshold of 1FC11 (CMS HH PPS Pricer hrg-2025.csv).
CASE_MIX_2025 = CaseMix({"1FC11": "1.0912"}, {"1FC11": 4}, year=2025, source="hrg-2025.csv")


def hh_claim(visits: list[tuple[str, str, str, int]], **kwargs: Any) -> Claim:
    """A CY 2025 032X period claim for HIPPS 1FC11 with the visit lines given."""
    fields: dict[str, Any] = {
        "type_of_bill": "0329",
        "admission_date": "2025-03-01",
        "notice_accepted": "2025-03-03",
        "value_codes": [CHARLOTTE],
    }
    fields.update(kwargs)
    lines = [ClaimLine("1FC11", "2025-03-01", 1, revenue_code="0023")]
    lines += [ClaimLine(code, day, units, revenue_code=rev) for code, rev, day, units in visits]
    through = fields.pop("through", "2025-03-30")
    return Claim("medicare", fields.pop("start", "2025-03-01"), through, lines=lines, **fields)


SIX_SN = [("G0299", "0551", f"2025-03-{d:02d}", 4) for d in (1, 4, 8, 11, 15, 18)]


def hh(claim: Claim, **kwargs: Any) -> Payment:
    return price(claim, wage_index="0.9368", case_mix=CASE_MIX_2025, **kwargs)


class TestHomeHealthPeriod:
    """CMS HH PPS Pricer 3000-PEP-N-ADJUST: weight x rate rounded; labor and non-labor parts
    rounded; CY 2025 rate 2,057.35, labor share 0.749 (89 FR 88354)."""

    def test_full_period(self) -> None:
        """1FC11 at wage index 0.9368: 1.0912 x 2,057.35 = 2,244.98 -> 1,575.22 + 563.49."""
        payment = hh(hh_claim(SIX_SN))
        assert D("2138.71") == payment.amount
        assert "medicare home health" == payment.benefit
        assert D("2244.98") in [s.value for s in payment.explanation.steps]  # type: ignore[union-attr]

    def test_partial_period(self) -> None:
        """Status 06 ending on day 18: 18/30 = 0.60 (2 places first), 2,138.71 x 0.60 = 1,283.23."""
        claim = hh_claim(SIX_SN, through="2025-03-18", patient_status="06")
        assert D("1283.23") == hh(claim).amount

    def test_discharge_before_day_30_is_a_full_period(self) -> None:
        """A discharge home (status 01) before day 30 is paid the full period."""
        assert (
            D("2138.71") == hh(hh_claim(SIX_SN, through="2025-03-18", patient_status="01")).amount
        )

    def test_late_noa(self) -> None:
        """NOA accepted 7 days after From: 2,138.71 x 7/30 = 499.03 off (85 FR 70298)."""
        payment = hh(hh_claim(SIX_SN, notice_accepted="2025-03-08"))
        assert D("1639.68") == payment.amount
        assert D("-499.03") == payment.parts[-1].amount

    def test_noa_on_day_5_is_timely(self) -> None:
        """Acceptance 5 days after From costs nothing."""
        assert D("2138.71") == hh(hh_claim(SIX_SN, notice_accepted="2025-03-06")).amount

    def test_late_noa_capped_at_30_days(self) -> None:
        """Acceptance 40 days on takes the whole period payment."""
        assert D("0.00") == hh(hh_claim(SIX_SN, notice_accepted="2025-04-10")).amount

    def test_outlier(self) -> None:
        """Ten 4-hour SN visits: cost 160 x 57.83 wage-adjusted = 8,814.80; threshold 2,138.71
        + FDL 0.35 x 2,057.35 = 720.07 adjusted to 685.99; (8,814.80 - 2,824.70) x 0.80."""
        visits = [("G0299", "0551", f"2025-03-{d:02d}", 16) for d in range(1, 30, 3)]
        payment = hh(hh_claim(visits))
        assert [D("2138.71"), D("4792.08")] == [p.amount for p in payment.parts]
        assert D("6930.79") == payment.amount

    def test_late_noa_reduces_the_outlier_too(self) -> None:
        """7 late days cut the outlier by 4,792.08 x 7/30 = 1,118.15."""
        visits = [("G0299", "0551", f"2025-03-{d:02d}", 16) for d in range(1, 30, 3)]
        payment = hh(hh_claim(visits, notice_accepted="2025-03-08"))
        assert D("-1118.15") == payment.parts[-1].amount
        assert D("6930.79") - D("499.03") - D("1118.15") == payment.amount

    def test_outlier_of_a_partial_period(self) -> None:
        """Status 06 on day 16: 2,138.71 x 0.53 = 1,133.52; threshold + the full FDL 685.99
        (42 CFR 484.240(b)); cost 96 x 57.83 -> 5,288.88; (5,288.88 - 1,819.51) x 0.80."""
        visits = [("G0299", "0551", f"2025-03-{d:02d}", 16) for d in range(1, 17, 3)]
        claim = hh_claim(visits, through="2025-03-16", patient_status="06")
        assert [D("1133.52"), D("2775.50")] == [p.amount for p in hh(claim).parts]

    def test_outlier_without_fdl_ratio_is_not_priced(self) -> None:
        """A year whose FDL ratio is not shipped cannot price an outlier: it says so."""
        rates = shipped_rates()
        others = tuple(y for y in rates.home_health if y.year != 2025)
        (y2025,) = (attrs.evolve(y, fdl_ratio=None) for y in rates.home_health if y.year == 2025)
        mine = attrs.evolve(rates, home_health=(*others, y2025))
        visits = [("G0299", "0551", f"2025-03-{d:02d}", 16) for d in range(1, 30, 3)]
        payment = hh(hh_claim(visits), rates=mine)
        assert payment.amount is None
        assert "outlier inputs missing" in payment.reason


class TestLupa:
    """CMS HH PPS Pricer 1050-LUPA and CalculateAddOnVisit: per-visit amounts, wage-adjusted."""

    VISITS: ClassVar[list[tuple[str, str, str, int]]] = [
        ("G0299", "0551", "2025-03-01", 4),
        ("G0151", "0421", "2025-03-01", 3),
        ("G0299", "0551", "2025-03-05", 4),
    ]

    def test_lupa_with_add_on(self) -> None:
        """3 visits under threshold 4: SN 2 x 172.73 -> 329.11, PT 188.79 -> 179.86, add-on
        SN 172.73 x 0.72 = 124.37 -> 118.49."""
        payment = hh(hh_claim(self.VISITS))
        assert D("627.46") == payment.amount
        assert [D("179.86"), D("329.11"), D("118.49")] == [p.amount for p in payment.parts]

    def test_no_add_on_after_the_first_period(self) -> None:
        """A later period (From != admission date) has no add-on."""
        claim = hh_claim(self.VISITS, admission_date="2025-01-30")
        assert D("508.97") == hh(claim).amount

    def test_lupa_is_not_cut_for_a_late_noa(self) -> None:
        """The late-NOA reduction is not applied to a LUPA (9110-COMPUTE-LATE-SUB-PENALTY)."""
        assert D("627.46") == hh(hh_claim(self.VISITS, notice_accepted="2025-03-20")).amount

    def test_four_visits_is_not_a_lupa(self) -> None:
        """At the threshold the period is paid in full."""
        visits = [*self.VISITS, ("G0299", "0551", "2025-03-09", 4)]
        assert D("2138.71") == hh(hh_claim(visits)).amount


class TestHomeHealthNotPriced:
    """What cannot be known is said, never guessed."""

    def test_hipps_missing_from_the_table(self) -> None:
        """A HIPPS not in the loaded table is not priced."""
        payment = price(hh_claim(SIX_SN), wage_index="1", case_mix={"2FC11": "1.1"})
        assert payment.amount is None
        assert "HIPPS 1FC11 is not in the loaded case-mix table" in payment.reason

    def test_date_outside_every_rate_year(self) -> None:
        """A period of 2019 (before PDGM rows) is not priced."""
        claim = hh_claim(
            SIX_SN, start="2019-03-01", through="2019-03-30", admission_date="2019-03-01"
        )
        payment = hh(claim)
        assert payment.amount is None
        assert "no home-health rate year covers 2019-03-30" in payment.reason

    def test_no_case_mix(self) -> None:
        """Without a case-mix table the period is not priced."""
        assert "no case-mix table" in price(hh_claim(SIX_SN), wage_index="1").reason

    def test_weights_only_and_few_visits(self) -> None:
        """Weights without thresholds cannot tell a 3-visit period from a LUPA."""
        payment = price(hh_claim(TestLupa.VISITS), wage_index="1", case_mix={"1FC11": "1.0912"})
        assert "whether it is a LUPA is unknown" in payment.reason

    def test_weights_only_and_six_visits(self) -> None:
        """Six visits is never a LUPA, so weights alone price it."""
        payment = price(hh_claim(SIX_SN), wage_index="0.9368", case_mix={"1FC11": "1.0912"})
        assert D("2138.71") == payment.amount

    def test_missing_noa_date(self) -> None:
        """An admission from 2022 without its NOA acceptance date is not priced."""
        assert "notice_accepted" in hh(hh_claim(SIX_SN, notice_accepted=None)).reason

    @pytest.mark.parametrize(("year", "cbsa"), [("2021", "99934"), ("2023", "99934"), ("2023", "")])
    def test_rural_addon_year(self, year: str, cbsa: str) -> None:
        """CY 2020-2023 rural add-ons by county category are not shipped (CMS HH PPS Pricer
        Hha2023PricerContext: category B 1.010), so a rural or CBSA-less period is not priced."""
        claim = hh_claim(
            SIX_SN,
            start=f"{year}-03-01",
            through=f"{year}-03-30",
            admission_date=f"{year}-03-01",
            notice_accepted=f"{year}-03-02",
            value_codes=[ValueCode("61", cbsa)] if cbsa else [],
        )
        payment = price(claim, wage_index="0.8", case_mix={"1FC11": "1.0912"})
        assert f"CY {year} pays a rural add-on" in payment.reason

    def test_cy2026_not_shipped(self) -> None:
        """CY 2026 national rates are not shipped (seen only in third-party summaries)."""
        claim = hh_claim(
            SIX_SN,
            start="2026-03-01",
            through="2026-03-30",
            admission_date="2026-03-01",
            notice_accepted="2026-03-02",
        )
        payment = price(claim, wage_index="0.9404", case_mix={"1FC11": "1.0912"})
        assert "no home-health rate year covers 2026-03-30" in payment.reason

    def test_case_mix_of_another_year(self) -> None:
        """A CY 2025 table does not price a CY 2024 period."""
        claim = hh_claim(
            SIX_SN,
            start="2024-03-01",
            through="2024-03-30",
            admission_date="2024-03-01",
            notice_accepted="2024-03-02",
        )
        assert "is for CY 2025" in hh(claim).reason

    @pytest.mark.parametrize("bad", ["-0.9", "0", "50", "nan", "abc", True, object()])
    def test_bad_wage_index(self, bad: object) -> None:
        """A negative, zero, absurd or non-numeric wage index is refused."""
        with pytest.raises((InvalidFieldError, EditFileError)):
            price(hh_claim(SIX_SN), wage_index=bad, case_mix=CASE_MIX_2025)  # type: ignore[arg-type]

    def test_negative_rate(self) -> None:
        """A rate year with a negative rate cannot be built."""
        with pytest.raises(InvalidFieldError, match="rate"):
            attrs.evolve(shipped_rates().home_health[0], rate="-1864.03")

    def test_negative_weight(self) -> None:
        """A negative case-mix weight is refused."""
        with pytest.raises(InvalidFieldError):
            CaseMix({"1FC11": "-1"})


def hospice_claim(lines: list[ClaimLine], **kwargs: Any) -> Claim:
    fields: dict[str, Any] = {
        "type_of_bill": "0813",
        "admission_date": "2025-01-15",
        "value_codes": [CHARLOTTE],
    }
    fields.update(kwargs)
    return Claim(
        "medicare",
        fields.pop("start", "2025-03-01"),
        fields.pop("through", "2025-03-31"),
        lines=lines,
        **fields,
    )


class TestHospice:
    """CMS Hospice Pricer, FY 2025 rates (89 FR 64202), wage index 0.9368."""

    def test_routine_home_care_month_crossing_day_60(self) -> None:
        """Election 01-15: March 1-15 are days 46-60 at 148.25 x WI + 76.37, the rest 61+ at
        116.77 x WI + 60.15; each group x days, rounded (42 CFR 418.302(b)(1))."""
        claim = hospice_claim([ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")])
        payment = price(claim, wage_index="0.9368")
        assert [D("3228.76"), D("2712.64")] == [p.amount for p in payment.parts]
        assert [dt.date(2025, 3, 1), dt.date(2025, 3, 16)] == [p.day for p in payment.parts]
        assert D("5941.40") == payment.amount

    @pytest.mark.parametrize(
        ("units", "expected"),
        [
            # (1,217.18 x WI + 401.41) / 24 cut to 64.2360, x 10 hours = 642.36
            (40, D("642.36")),
            # 32 units, exactly 8 hours: 64.2360 x 8 = 513.888 -> 513.89
            (32, D("513.89")),
            # 28 units (7 hours): one RHC day, day 55 at the 1-60 rate, 215.25
            (28, D("215.25")),
        ],
    )
    def test_chc_day(self, units: int, expected: Decimal) -> None:
        """A CHC day of 32 units or more pays per hour; under 8 hours it is a routine day."""
        lines = [
            ClaimLine("Q5001", "2025-03-01", 9, revenue_code="0651"),
            ClaimLine("Q5001", "2025-03-10", units, revenue_code="0652"),
        ]
        payment = price(hospice_claim(lines, through="2025-03-10"), wage_index="0.9368")
        assert expected == payment.parts[-1].amount

    def test_sia(self) -> None:
        """A 6-unit RN visit on an RHC day before death: CHC adjusted / 24 = 64.24 x 1.5 h."""
        lines = [
            ClaimLine("Q5001", "2025-03-01", 20, revenue_code="0651"),
            ClaimLine("G0299", "2025-03-18", 6, revenue_code="0551"),
            ClaimLine("G0299", "2025-03-19", 20, revenue_code="0551"),
        ]
        claim = hospice_claim(
            lines,
            through="2025-03-20",
            patient_status="40",
            occurrence_codes=[Occurrence("55", "2025-03-20")],
        )
        payment = price(claim, wage_index="0.9368")
        assert [D("96.36"), D("256.96")] == [p.amount for p in payment.parts if "SIA" in p.what]

    def test_no_sia_without_death(self) -> None:
        """A live discharge earns no SIA."""
        lines = [
            ClaimLine("Q5001", "2025-03-01", 20, revenue_code="0651"),
            ClaimLine("G0299", "2025-03-18", 6, revenue_code="0551"),
        ]
        payment = price(
            hospice_claim(lines, through="2025-03-20", patient_status="01"), wage_index="0.9368"
        )
        assert [] == [p for p in payment.parts if "SIA" in p.what]

    def test_fy2021_pricer_result(self) -> None:
        """CMS's FY 2021 COBOL pricer: 30 days past day 60 at WI 0.9337 (CBSA 16740) = 4,509.47."""
        claim = Claim(
            "medicare",
            "2021-03-01",
            "2021-03-30",
            type_of_bill="0813",
            admission_date="2020-12-01",
            lines=[ClaimLine("Q5001", "2021-03-01", 30, revenue_code="0651")],
        )
        assert D("4509.47") == price(claim, wage_index=D("0.9337")).amount

    def test_fy2021_pricer_result_from_the_cbsa_file(self, pricers_dir: Path) -> None:
        """The same through CMS's CBSA2021 file and value code 61 = 16740."""
        claim = Claim(
            "medicare",
            "2021-03-01",
            "2021-03-30",
            type_of_bill="0813",
            admission_date="2020-12-01",
            value_codes=[CHARLOTTE],
            lines=[ClaimLine("Q5001", "2021-03-01", 30, revenue_code="0651")],
        )
        payment = price(claim, wage_index=pricers_dir / "hospice" / "CBSA2021")
        assert D("4509.47") == payment.amount
        assert "16740 effective 2020-10-01" in str(payment)

    def test_history_gives_the_days_before(self) -> None:
        """A history saying 70 prior days puts the whole month at the 61+ rate."""

        class History:
            def hospice_days_before(self, claim: Claim) -> int:
                return 70

        claim = hospice_claim([ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")])
        payment = price(claim, wage_index="0.9368", history=History())
        assert [D("5255.74")] == [p.amount for p in payment.parts]

    def test_days_across_elections_from_a_claim_history(self) -> None:
        """Two earlier months of another election (50 days), a 20-day gap, then March:
        March 1-10 are days 51-60, the rest 61+ (the count runs across elections)."""

        class Store:
            """The ClaimHistory query price() uses: claims(beneficiary, start, end)."""

            def __init__(self, *claims: Claim) -> None:
                self.held = claims

            def claims(self, beneficiary: str, start: dt.date, end: dt.date) -> list[Claim]:
                return [
                    c
                    for c in self.held
                    if c.patient_id == beneficiary
                    and c.statement_from <= end
                    and start <= c.statement_through
                ]

        def month(first: str, last: str, days: int) -> Claim:
            line = ClaimLine("Q5001", first, days, revenue_code="0651")
            return Claim(
                "medicare", first, last, type_of_bill="0813", patient_id="P1", lines=[line]
            )

        store = Store(
            month("2024-12-12", "2024-12-31", 20),
            month("2025-01-01", "2025-01-30", 30),
            month("2024-06-01", "2024-06-30", 30),
        )
        claim = hospice_claim(
            [ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")],
            patient_id="P1",
            admission_date="2025-02-20",
        )
        payment = price(claim, wage_index="0.9368", history=store)
        # 10 days at 215.250600 = 2,152.51; 21 days at 169.540136 = 3,560.34
        assert [D("2152.51"), D("3560.34")] == [p.amount for p in payment.parts]
        assert "earlier hospice claims in the history" in str(payment)

    def test_days_from_a_memory_history(self) -> None:
        """The library's MemoryHistory gives the same count: 50 earlier days."""
        from hcpcs_home.history import MemoryHistory

        store = MemoryHistory()
        for first, last, days in (
            ("2024-12-12", "2024-12-31", 20),
            ("2025-01-01", "2025-01-30", 30),
        ):
            line = ClaimLine("Q5001", first, days, revenue_code="0651")
            store.add(
                Claim(
                    "medicare",
                    first,
                    last,
                    type_of_bill="0813",
                    patient_id="P1",
                    id=f"P1-{first}",
                    lines=[line],
                )
            )
        claim = hospice_claim(
            [ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")], patient_id="P1"
        )
        payment = price(claim, wage_index="0.9368", history=store)
        assert [D("2152.51"), D("3560.34")] == [p.amount for p in payment.parts]

    def test_a_gap_over_60_days_restarts_the_count(self) -> None:
        """Hospice days before a gap of more than 60 days do not count."""

        class Store:
            def claims(self, beneficiary: str, start: dt.date, end: dt.date) -> list[Claim]:
                line = ClaimLine("Q5001", "2024-10-01", 31, revenue_code="0651")
                return [
                    Claim(
                        "medicare",
                        "2024-10-01",
                        "2024-10-31",
                        type_of_bill="0813",
                        patient_id="P1",
                        lines=[line],
                    )
                ]

        claim = hospice_claim(
            [ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")], patient_id="P1"
        )
        payment = price(claim, wage_index="0.9368", history=Store())
        assert [D("6672.77")] == [p.amount for p in payment.parts]  # 31 x 215.250600

    def test_unknown_days_before(self) -> None:
        """Without an election date or history the 60-day split is unknown."""
        claim = hospice_claim(
            [ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")], admission_date=None
        )
        assert "days before this claim are unknown" in price(claim, wage_index="1").reason

    def test_cap_in_the_explanation(self) -> None:
        """The FY 2025 cap amount, 34,465.34, is shown with its rule."""
        claim = hospice_claim([ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")])
        assert "34465.34" in str(price(claim, wage_index="1"))


def problems(load: Any, folder: Path, text: str) -> list[tuple[int, str]]:
    """The (row, column) of each problem ``load`` reports for a file holding ``text``."""
    path = folder / "table.csv"
    path.write_text(text)
    with pytest.raises(EditFileError) as caught:
        load(path)
    return [p[:2] for p in caught.value.problems]


FEES = (
    "payer,code,modifiers,unit,rate,effective_from,effective_through,source\n"
    "medicaid,T1019,,15 minutes,5.12,2024-01-01,2024-12-31,Example state fee schedule 2024\n"
    "medicaid,T1019,U1,15 minutes,5.50,2024-01-01,,Example state fee schedule 2024\n"
    "medicare,97110,GP,15 minutes,30.00,2022-01-01,,amount supplied by the caller\n"
)


@pytest.fixture
def fees(tmp_path: Path) -> Path:
    path = tmp_path / "fees.csv"
    path.write_text(FEES)
    return path


class TestFeeSchedule:
    """A line pays its units x the rate of the row in effect on its date."""

    def test_medicaid_claim(self, fees: Path) -> None:
        """8 units x 5.12 and 4 units with U1 x 5.50 (the more specific row)."""
        claim = Claim(
            payers.TEXAS_MEDICAID,
            "2024-03-01",
            "2024-03-02",
            lines=[
                ClaimLine("T1019", "2024-03-01", 8),
                ClaimLine("T1019", "2024-03-02", 4, modifiers=["U1"]),
            ],
        )
        payment = price(claim, fee_schedule=fees)
        assert [D("40.96"), D("22.00")] == [p.amount for p in payment.parts]
        assert D("62.96") == payment.amount

    def test_line_without_a_row_is_not_priced(self, fees: Path) -> None:
        """A line of 2025 (after the row ends) says why; the claim has no total."""
        claim = Claim(
            payers.TEXAS_MEDICAID,
            "2024-12-31",
            "2025-01-01",
            lines=[ClaimLine("T1019", "2024-12-31", 8), ClaimLine("T1019", "2025-01-01", 4)],
        )
        payment = price(claim, fee_schedule=fees)
        assert payment.amount is None
        assert [D("40.96"), None] == [p.amount for p in payment.parts]
        assert "line 1: no fee-schedule row for T1019 on 2025-01-01" in payment.reason
        assert str(payment).startswith("claim (no id): not priced: line 1: no fee-schedule row")

    def test_therapy_assistant_at_85_percent(self, fees: Path) -> None:
        """97110 GP CQ by a PTA: 4 x 30.00 = 120.00 x 0.85 = 102.00 (SSA s.1834(v))."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("97110", "2024-03-01", 4, modifiers=["GP", "CQ"])],
        )
        payment = price(claim, fee_schedule=fees)
        assert D("102.00") == payment.amount
        assert "0.85" in str(payment)

    def test_therapist_at_the_full_amount(self, fees: Path) -> None:
        """97110 GP without CQ pays 4 x 30.00."""
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("97110", "2024-03-01", 4, modifiers=["GP"])],
        )
        assert D("120.00") == price(claim, fee_schedule=fees).amount

    def test_no_schedule(self) -> None:
        """A line-priced claim without a schedule is not priced."""
        claim = Claim(
            payers.TEXAS_MEDICAID,
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("T1019", "2024-03-01", 8)],
        )
        assert "no fee schedule" in price(claim).reason

    def test_every_bad_cell_at_once(self, tmp_path: Path) -> None:
        """A file with three bad cells reports all three, by row and column."""
        text = (
            "payer,code,modifiers,unit,rate,effective_from,effective_through,source\n"
            "medicaid,T1019,,15 minutes,-5.12,2024-01-01,,x\n"
            "medicaid,T1019,,fortnight,5.12,2024-13-01,,x\n"
        )
        found = problems(load_fee_schedule, tmp_path, text)
        assert [(2, "rate"), (3, "unit"), (3, "effective_from")] == found

    def test_unknown_column(self, tmp_path: Path) -> None:
        """A header with an unknown column is refused."""
        path = tmp_path / "bad.csv"
        path.write_text("payer,code,price,source\nmedicaid,T1019,5,x\n")
        with pytest.raises(EditFileError, match="price"):
            load_fee_schedule(path)


class TestLoaders:
    """CMS's files as CMS publishes them."""

    def test_case_mix_file(self, pricers_dir: Path) -> None:
        """hrg-2025.csv: 432 HIPPS codes, CY 2025, 1FC11 1.0912 / 4."""
        table = load_case_mix(pricers_dir / "hha" / "hrg-2025.csv")
        assert (432, 2025, D("1.0912"), 4) == (
            len(table.weights),
            table.year,
            table.weights["1FC11"],
            table.thresholds["1FC11"],
        )

    def test_priced_with_the_case_mix_file(self, pricers_dir: Path) -> None:
        """The CMS case-mix and wage-index files price the full period the same."""
        payment = price(
            hh_claim(SIX_SN),
            case_mix=pricers_dir / "hha" / "hrg-2025.csv",
            wage_index=pricers_dir / "hha" / "cbsa-wage-index-2025.csv",
        )
        assert D("2138.71") == payment.amount

    def test_wage_index_csv(self, pricers_dir: Path) -> None:
        """The Java pricer's CSV: Charlotte 0.9368 from 2024-10-01 (hospice FY 2025)."""
        table = load_wage_index(pricers_dir / "hospice" / "cbsa-wage-index-2025.csv")
        assert D("0.9368") == table.lookup("16740", dt.date(2025, 1, 1))[0]

    def test_bad_case_mix_file(self, tmp_path: Path) -> None:
        """Every bad cell of a case-mix file is reported."""
        text = "code,effectiveDate,weight,threshold\n1FC11,20250101,-1,4\nXX,20250101,1.1,0\n"
        found = problems(load_case_mix, tmp_path, text)
        assert [(2, "weight"), (3, "code"), (3, "threshold")] == found

    def test_bad_wage_index_file(self, tmp_path: Path) -> None:
        """A negative or absurd wage index in the file is refused with its row."""
        text = "cbsa,effectiveDate,geographicWageIndex\n16740,20250101,-0.9\n35614,20250101,45\n"
        assert [(2, "wage index"), (3, "wage index")] == problems(load_wage_index, tmp_path, text)

    def test_wage_index_table_in_code(self) -> None:
        """A WageIndex built in code looks up by CBSA and date."""
        table = WageIndex({"16740": [(dt.date(2024, 10, 1), "0.9368")]}, "mine")
        claim = hospice_claim([ClaimLine("Q5001", "2025-03-01", 31, revenue_code="0651")])
        assert D("5941.40") == price(claim, wage_index=table).amount


class TestPayment:
    """The Payment value."""

    def test_pickles_and_serialises(self) -> None:
        """A payment pickles and gives plain data."""
        payment = hh(hh_claim(SIX_SN))
        assert payment == pickle.loads(pickle.dumps(payment))
        data = payment.to_data()
        assert ("2138.71", True) == (data["amount"], data["priced"])

    def test_price_many(self, fees: Path) -> None:
        """price_many prices each claim, reading a file once."""
        claim = Claim(
            payers.TEXAS_MEDICAID,
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("T1019", "2024-03-01", 8)],
        )
        assert [D("40.96")] * 2 == [p.amount for p in price_many([claim, claim], fee_schedule=fees)]

    def test_report_with_errors(self) -> None:
        """A claim the rules find fatal is priced only when asked."""
        from hcpcs_home import check

        claim = hh_claim(SIX_SN)
        report = check(claim)
        if report.ok:
            pytest.skip("the default rules find no error on this claim")
        assert hh(claim, report=report).amount is None
        assert D("2138.71") == hh(claim, report=report, price_fatal=True).amount

    @pytest.mark.parametrize("junk", [None, "", object(), "€", 10**100])
    def test_junk_claim(self, junk: object) -> None:
        """Junk in place of a claim is refused."""
        with pytest.raises(InvalidFieldError):
            price(junk)  # type: ignore[arg-type]

    def test_fee_schedule_value(self, fees: Path) -> None:
        """A schedule loaded once is a FeeSchedule."""
        assert isinstance(FeeSchedule.of(fees), FeeSchedule)


def jsonl(folder: Path, *claims: Claim) -> Path:
    """A JSON lines file of ``claims``."""
    import json

    from hcpcs_home.serialize import make_converter

    converter = make_converter()
    path = folder / "claims.jsonl"
    path.write_text("".join(json.dumps(converter.unstructure(c)) + "\n" for c in claims))
    return path


FY2021 = Claim(
    "medicare",
    "2021-03-01",
    "2021-03-30",
    type_of_bill="0813",
    admission_date="2020-12-01",
    id="H-1",
    lines=[ClaimLine("Q5001", "2021-03-01", 30, revenue_code="0651")],
)
MEDICAID = Claim(
    payers.TEXAS_MEDICAID,
    "2024-03-01",
    "2024-03-02",
    id="M-1",
    lines=[ClaimLine("T1019", "2024-03-01", 8), ClaimLine("T1020", "2024-03-02", 1)],
)


class TestCli:
    """hcpcs-home price: check's input formats and exit codes."""

    def run(self, *argv: str) -> tuple[int, str, str]:
        import io

        from hcpcs_home.cli import main

        out, err = io.StringIO(), io.StringIO()
        return main(["price", *argv], stdout=out, stderr=err), out.getvalue(), err.getvalue()

    def test_all_priced(self, tmp_path: Path) -> None:
        """Every claim priced exits 0 with each amount."""
        status, out, err = self.run(str(jsonl(tmp_path, FY2021)), "--wage-index", "0.9337")
        assert (0, "claims.jsonl:1: 4509.47 (medicare hospice)") == (
            status,
            out.splitlines()[0].rpartition("/")[2],
        )
        assert "1 claim(s) priced, 0 not priced" in err

    def test_a_claim_not_priced(self, tmp_path: Path, fees: Path) -> None:
        """A line without a fee-schedule row exits 1 and says why."""
        path = jsonl(tmp_path, FY2021, MEDICAID)
        status, out, _ = self.run(str(path), "--wage-index", "0.9337", "--fee-schedule", str(fees))
        assert 1 == status
        assert "not priced: line 1: no fee-schedule row for T1020" in out

    def test_json(self, tmp_path: Path) -> None:
        """--json prints one object per record with the payment's data."""
        import json

        _, out, _ = self.run(str(jsonl(tmp_path, FY2021)), "--wage-index", "0.9337", "--json")
        data = json.loads(out)
        assert ("4509.47", "H-1") == (data["payment"]["amount"], data["payment"]["claim_id"])

    @pytest.mark.parametrize("option", [["--wage-index", "-1"], ["--case-mix", "/no/such/file"]])
    def test_bad_option_is_a_usage_error(self, tmp_path: Path, option: list[str]) -> None:
        """A bad wage index or a missing table file exits 2 before pricing."""
        status, out, err = self.run(str(jsonl(tmp_path, FY2021)), *option)
        assert (2, "") == (status, out)
        assert err.startswith("hcpcs-home: ")

    def test_rates_file(self, tmp_path: Path) -> None:
        """--rates adds a year the package does not ship (here a made-up FY 2030)."""
        rates = tmp_path / "hospice.tsv"
        rates.write_text(
            "fy\tfrom\tthrough\tlevel\tlabor\tnonlabor\tlabor_share\trule\n"
            "2030\t2029-10-01\t2030-09-30\trhc_low\t100.00\t50.00\t\ttest rule\n"
            "2030\t2029-10-01\t2030-09-30\trhc_high\t120.00\t60.00\t\ttest rule\n"
        )
        claim = attrs.evolve(
            FY2021,
            statement_from=dt.date(2030, 3, 1),
            statement_through=dt.date(2030, 3, 30),
            admission_date=dt.date(2029, 12, 1),
            lines=(ClaimLine("Q5001", "2030-03-01", 30, revenue_code="0651"),),
        )
        status, out, _ = self.run(
            str(jsonl(tmp_path, claim)), "--wage-index", "1", "--rates", str(rates)
        )
        assert 0 == status
        assert ": 4500.00 (medicare hospice)" in out  # (100 x 1 + 50) x 30

    def test_nothing_read(self, tmp_path: Path) -> None:
        """An empty input exits 2."""
        path = tmp_path / "empty.jsonl"
        path.write_text("")
        assert 2 == self.run(str(path))[0]


class TestLoadRates:
    """Rate rows of a year not shipped, in the shipped layouts."""

    def test_bad_rows_at_once(self, tmp_path: Path) -> None:
        """A negative rate and a bad year are both reported."""
        path = tmp_path / "hh.csv"
        path.write_text(
            "year,from,through,rate,rate_no_quality,labor_share,nonlabor_share,fdl_ratio,"
            "loss_sharing,addon_sn,addon_pt,addon_slp,rule\n"
            "2027,2027-01-01,2027-12-31,-2000,,0.749,0.251,,0.80,0.72,0.62,0.66,x\n"
            "20x7,2027-01-01,2027-12-31,2000,,0.749,0.251,,0.80,0.72,0.62,0.66,x\n"
        )
        with pytest.raises(EditFileError) as caught:
            load_rates(path)
        assert [(2, "rate"), (3, "year")] == [p[:2] for p in caught.value.problems]

    def test_unknown_layout(self, tmp_path: Path) -> None:
        """A header fitting no layout is refused."""
        path = tmp_path / "x.csv"
        path.write_text("a,b\n1,2\n")
        with pytest.raises(EditFileError, match="fits none"):
            load_rates(path)

    def test_shipped_years(self) -> None:
        """The shipped rows: HH CY 2020-2025 (CY 2026 unconfirmed at CMS) and hospice FY 2021,
        2022, 2024 and 2025 (FY 2023's pricer class not found); CY 2021's no-quality rate and
        FDL ratio are not shipped."""
        rates = shipped_rates()
        assert list(range(2020, 2026)) == [y.year for y in rates.home_health]
        cy2021 = rates.home_health[1]
        assert (D("1901.12"), None, None) == (cy2021.rate, cy2021.rate_no_quality, cy2021.fdl_ratio)
        assert [2021, 2022, 2024, 2025] == [y.year for y in rates.hospice]
        assert all("FR" in y.rule for y in (*rates.home_health, *rates.hospice))


class TestPaymentsFrame:
    """One row per claim with the expected amount."""

    def test_frame(self, fees: Path) -> None:
        """A priced claim, one not priced, and a batch error each have a row."""
        pytest.importorskip("pandas")
        frame = payments_frame(
            [FY2021, MEDICAID, InvalidFieldError("x", 1, "bad")],
            wage_index="0.9337",
            fee_schedule=fees,
        )
        assert ["H-1", "M-1", None] == list(frame["claim_id"])
        assert [D("4509.47"), None, None] == list(frame["amount"])
        assert [True, False, False] == list(frame["priced"])


class TestLupaRule:
    """hh-lupa fires when the case-mix/LUPA table is loaded (42 CFR 484.230)."""

    def ids(self, claim: Claim) -> list[str]:
        from hcpcs_home import check
        from hcpcs_home.rules import DEFAULT_RULES
        from hcpcs_home.rules.medicare_hh import lupa_rule

        return [f.rule_id for f in check(claim, DEFAULT_RULES.add(lupa_rule(CASE_MIX_2025)))]

    def test_fires_under_the_threshold(self) -> None:
        """3 visits under 1FC11's threshold of 4."""
        assert "hh-lupa" in self.ids(hh_claim(TestLupa.VISITS))

    def test_quiet_at_the_threshold(self) -> None:
        """4 visits is a full period."""
        visits = [*TestLupa.VISITS, ("G0299", "0551", "2025-03-09", 4)]
        assert "hh-lupa" not in self.ids(hh_claim(visits))

    def test_quiet_without_the_table(self) -> None:
        """The default rules have no LUPA table, so no hh-lupa."""
        from hcpcs_home import check

        assert "hh-lupa" not in [f.rule_id for f in check(hh_claim(TestLupa.VISITS))]

    def test_quiet_in_another_year(self) -> None:
        """A CY 2025 table says nothing of a 2024 period."""
        claim = hh_claim(
            TestLupa.VISITS, start="2024-03-01", through="2024-03-30", admission_date="2024-03-01"
        )
        assert "hh-lupa" not in self.ids(claim)

    def test_message_names_the_counts(self) -> None:
        """The finding says how many visits against which threshold."""
        from hcpcs_home import check
        from hcpcs_home.rules import DEFAULT_RULES
        from hcpcs_home.rules.medicare_hh import lupa_rule

        report = check(hh_claim(TestLupa.VISITS), DEFAULT_RULES.add(lupa_rule({"1FC11": 4})))
        found = [f.message for f in report if f.rule_id == "hh-lupa"]
        assert [
            "3 visit(s), under the LUPA threshold of 1FC11 (4 visit(s)): the period is paid "
            "per visit"
        ] == found

    def test_message_names_each_hipps_threshold(self) -> None:
        """Each HIPPS's own threshold: 1FC11 at 5 in this table (the one given, not 4)."""
        from hcpcs_home import check
        from hcpcs_home.rules import DEFAULT_RULES
        from hcpcs_home.rules.medicare_hh import lupa_rule

        rules = DEFAULT_RULES.add(lupa_rule({"1FC11": 5, "2FC11": 2}))
        found = [
            f.message for f in check(hh_claim(TestLupa.VISITS), rules) if f.rule_id == "hh-lupa"
        ]
        assert [
            "3 visit(s), under the LUPA threshold of 1FC11 (5 visit(s)): the period is "
            "paid per visit"
        ] == found

    def test_empty_table_refused(self) -> None:
        """A table without thresholds makes no rule."""
        from hcpcs_home.rules.medicare_hh import lupa_rule

        with pytest.raises(InvalidFieldError):
            lupa_rule(CaseMix({"1FC11": "1"}))


INDEXES = st.decimals(min_value=D("0.3"), max_value=D("2.5"), places=4)


class TestProperties:
    """Payment arithmetic: exact cents, monotone in what should raise or lower it."""

    @given(low=INDEXES, high=INDEXES)
    def test_full_period_rises_with_the_wage_index(self, low: Decimal, high: Decimal) -> None:
        """A higher wage index never pays less, and every amount is whole cents."""
        low, high = sorted((low, high))
        first = price(hh_claim(SIX_SN), wage_index=low, case_mix=CASE_MIX_2025).amount
        second = price(hh_claim(SIX_SN), wage_index=high, case_mix=CASE_MIX_2025).amount
        assert first is not None and second is not None
        assert first <= second
        assert first == first.quantize(D("0.01"))

    @given(days=st.integers(min_value=0, max_value=45))
    def test_late_noa_never_adds(self, days: int) -> None:
        """The later the NOA, the less the period pays, never below 0 (85 FR 70298)."""
        accepted = dt.date(2025, 3, 1) + dt.timedelta(days=days)
        later = accepted + dt.timedelta(days=1)
        one = hh(hh_claim(SIX_SN, notice_accepted=accepted)).amount
        two = hh(hh_claim(SIX_SN, notice_accepted=later)).amount
        assert one is not None and two is not None
        assert D("0") <= two <= one <= D("2138.71")

    @given(
        units=st.integers(min_value=1, max_value=96),
        rate=st.decimals(min_value=D("0.01"), max_value=D("999.99"), places=2),
    )
    def test_assistant_share_is_85_percent_rounded(self, units: int, rate: Decimal) -> None:
        """A CQ line pays units x rate x 0.85 rounded half up to the cent, never more
        than the therapist's line."""
        from hcpcs_home.payment import FeeRow

        row = FeeRow("medicare", "97110", frozenset({"GP"}), "15 minutes", rate, None, None, "x")
        schedule = FeeSchedule([row], "given")
        claim = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("97110", "2024-03-01", units, modifiers=["GP", "CQ"])],
        )
        full = Claim(
            "medicare",
            "2024-03-01",
            "2024-03-01",
            lines=[ClaimLine("97110", "2024-03-01", units, modifiers=["GP"])],
        )
        reduced = price(claim, fee_schedule=schedule).amount
        whole = price(full, fee_schedule=schedule).amount
        assert reduced == (units * rate * D("0.85")).quantize(D("0.01"), "ROUND_HALF_UP")
        assert whole is not None and reduced is not None and reduced <= whole


class TestHomeHealth2022And2023:
    """CY 2022 (86 FR 62240) and CY 2023 (87 FR 66790): the no-quality rates and the
    fixed-dollar-loss ratios of CMS's HH PPS Pricer (Hha2022PricerContext and
    Hha2023PricerContext: RATE_AMOUNT_UNCHECKED, FIXED_DOLLAR_LOSS_RATE)."""

    def test_shipped_figures(self) -> None:
        """CY 2022: 1,992.04 without quality data, FDL 0.40; CY 2023: 1,972.02, FDL 0.35."""
        rates = shipped_rates()
        cy2022 = rates.home_health_on(dt.date(2022, 3, 1))
        cy2023 = rates.home_health_on(dt.date(2023, 3, 1))
        assert (D("2031.64"), D("1992.04"), D("0.40")) == (
            cy2022.rate,
            cy2022.rate_no_quality,
            cy2022.fdl_ratio,
        )
        assert (D("2010.69"), D("1972.02"), D("0.35")) == (
            cy2023.rate,
            cy2023.rate_no_quality,
            cy2023.fdl_ratio,
        )
        assert "Hha2022PricerContext" in cy2022.rule and "Hha2023PricerContext" in cy2023.rule

    def test_cy2022_outlier(self) -> None:
        """Ten 4-hour SN visits in CY 2022 at wage index 0.9368 (weight 1.0912 given): period
        1.0912 x 2,031.64 = 2,216.93 -> 1,580.46 + 529.85 = 2,110.31 (labor 0.761); cost 160 x
        52.53 = 8,404.80 -> 8,000.57; FDL 2,031.64 x 0.40 = 812.66 -> 773.58; outlier
        (8,000.57 - 2,883.89) x 0.80 = 4,093.344 -> 4,093.34 (COBOL 7000/8000-OUTLIER)."""
        table = CaseMix({"1FC11": "1.0912"}, {"1FC11": 4}, year=2022, source="test weight")
        visits = [
            ClaimLine("G0299", f"2022-03-{d:02d}", 16, revenue_code="0551") for d in range(1, 30, 3)
        ]
        claim = Claim(
            "medicare",
            "2022-03-01",
            "2022-03-30",
            type_of_bill="0329",
            admission_date="2022-03-01",
            notice_accepted="2022-03-03",
            value_codes=[CHARLOTTE],
            lines=[ClaimLine("1FC11", "2022-03-01", 1, revenue_code="0023"), *visits],
        )
        payment = price(claim, wage_index="0.9368", case_mix=table)
        assert [D("2110.31"), D("4093.34")] == [p.amount for p in payment.parts]
        assert D("6203.65") == payment.amount


class TestAgencyOutlierCap:
    """42 CFR 484.240(d): an HHA's outliers in a year at most 10% of its payments, as CMS's HH
    PPS Pricer applies it per claim (10000-OUTLIER-CAP-CALC): pool = payments so far x 0.1
    rounded; left = pool - outliers so far; an outlier above what is left is not paid."""

    TEN_SN: ClassVar[list[tuple[str, str, str, int]]] = [
        ("G0299", "0551", f"2025-03-{d:02d}", 16) for d in range(1, 30, 3)
    ]

    @pytest.mark.parametrize(
        ("outlier", "paid", "outliers", "expected"),
        [
            ("500.00", "0", "0", "500.00"),  # no totals: not applied
            ("500.00", "100000.00", "0", "500.00"),  # no outliers so far: not applied
            ("500.00", "100000.00", "9600.00", "0.00"),  # 400.00 left
            ("400.00", "100000.00", "9600.00", "400.00"),  # exactly what is left
            ("300.00", "100000.05", "9600.00", "300.00"),  # pool 10,000.01 (rounded)
        ],
    )
    def test_rule(self, outlier: str, paid: str, outliers: str, expected: str) -> None:
        """Each branch of the pricer's paragraph."""
        from hcpcs_home.payment import apply_outlier_cap

        assert D(expected) == apply_outlier_cap(D(outlier), D(paid), D(outliers))[0]

    def test_totals_given(self) -> None:
        """The 4,792.08 outlier with 100,000.00 paid and 6,000.00 of outliers so far: 4,000.00
        left, so no outlier (2,138.71); with 5,000.00 so far, 5,000.00 left: paid (6,930.79)."""
        capped = hh(hh_claim(self.TEN_SN), agency_totals=("100000.00", "6000.00"))
        assert [D("2138.71")] == [p.amount for p in capped.parts]
        assert "not paid (return code 02)" in str(capped)
        paid = hh(hh_claim(self.TEN_SN), agency_totals=(D("100000.00"), D("5000.00")))
        assert D("6930.79") == paid.amount

    def test_without_totals_not_applied(self) -> None:
        """Without the agency's totals the explanation says the cap is not applied."""
        assert "not applied: give the agency's year totals" in str(hh(hh_claim(self.TEN_SN)))

    def test_from_history(self) -> None:
        """The agency's January period (outlier 4,792.08, its first: not capped) pays
        6,930.79; in March its totals are 6,930.79 and 4,792.08: pool 693.08, nothing left,
        so March's outlier is not paid.  Another agency's claims do not count."""
        from hcpcs_home.history import MemoryHistory

        january = [("G0299", "0551", f"2025-01-{d:02d}", 16) for d in range(2, 31, 3)]
        first = hh_claim(
            january,
            start="2025-01-02",
            through="2025-01-31",
            admission_date="2025-01-02",
            notice_accepted="2025-01-03",
            id="JAN",
        )
        first = attrs.evolve(
            first, lines=[attrs.evolve(first.lines[0], date="2025-01-02"), *first.lines[1:]]
        )
        history = MemoryHistory()
        history.add(first, provider="107001")
        march = hh_claim(self.TEN_SN, id="MAR")
        assert D("6930.79") == hh(first, history=history, provider="107001").amount
        assert D("2138.71") == hh(march, history=history, provider="107001").amount
        assert D("6930.79") == hh(march, history=history, provider="109999").amount

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"agency_totals": ("-1", "0")},
            {"agency_totals": ("1", "x")},
            {"agency_totals": ("1",)},
            {"agency_totals": "100,0"},
            {"provider": "107001"},  # no history
            {"provider": "107001", "agency_totals": ("1", "0"), "history": None},
        ],
    )
    def test_bad_input(self, kwargs: dict[str, Any]) -> None:
        """Bad totals, a provider without a history, or both ways at once: the library's error."""
        with pytest.raises(InvalidFieldError):
            hh(hh_claim(self.TEN_SN), **kwargs)
