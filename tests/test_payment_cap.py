"""The Medicare hospice aggregate cap (42 CFR 418.309): cap years and amounts, and a
provider's year-to-date payments against cap x beneficiaries from a claim history.

Figures: FY 2025 routine home care 224.62 (days 1-60) and 176.92 (61+), wage index 1
(CMS-1810-F, 89 FR 64202; CMS Hospice Pricer Hospice2025PricerContext); cap amounts
per hcpcs_home/data/hospice_cap.tsv (FY 2025 34,465.34, 89 FR 64202; FY 2026 35,361.44,
90 FR 37404 and CGS "Hospice Cap Process").  Beneficiary counts: 42 CFR 418.309(b),
NGS "Hospice Cap" (proportional: days here this cap year / days at all hospices in all
years; streamlined: beneficiaries first counted this year, 1 each or their share where
more than one hospice cared for them).
"""

from __future__ import annotations

import datetime as dt
from decimal import ROUND_HALF_UP, Decimal
from fractions import Fraction
from pathlib import Path
from typing import Any

import pytest

from hcpcs_home import Claim, ClaimLine
from hcpcs_home.errors import InvalidFieldError, InvalidTimeError
from hcpcs_home.history import MemoryHistory, SqliteHistory
from hcpcs_home.payment import (
    CapMethod,
    CapYear,
    cap_year_of,
    hospice_cap,
    price,
    shipped_caps,
    shipped_rates,
)

D = Decimal
HERE, THERE = "341234", "349999"


def month(
    claim_id: str, who: str, start: str, through: str, *, admission: str, tob: str = "0813"
) -> Claim:
    """A hospice claim of routine home care every day from ``start`` to ``through``."""
    days = (dt.date.fromisoformat(through) - dt.date.fromisoformat(start)).days + 1
    return Claim(
        "medicare",
        start,
        through,
        id=claim_id,
        patient_id=who,
        type_of_bill=tob,
        admission_date=admission,
        lines=[ClaimLine("Q5001", start, days, revenue_code="0651")],
    )


@pytest.fixture(params=["memory", "sqlite"])
def store(request: pytest.FixtureRequest, tmp_path: Path) -> Any:
    """Three beneficiaries of hospice HERE in cap year 2025 (October 2024):

    * B1 elected here on 2024-10-01: 31 days, all here, all this cap year;
    * B2 here since 2024-09-01: 30 days in cap year 2024, 31 in 2025;
    * B3 at hospice THERE 2024-10-01..10, then here 2024-10-11..31.
    """
    history = MemoryHistory() if request.param == "memory" else SqliteHistory(tmp_path / "h.db")
    history.add(
        month("B1-10", "B1", "2024-10-01", "2024-10-31", admission="2024-10-01"), provider=HERE
    )
    history.add(
        month("B2-09", "B2", "2024-09-01", "2024-09-30", admission="2024-09-01"), provider=HERE
    )
    history.add(
        month("B2-10", "B2", "2024-10-01", "2024-10-31", admission="2024-09-01"), provider=HERE
    )
    history.add(
        month("B3-T", "B3", "2024-10-01", "2024-10-10", admission="2024-10-01"), provider=THERE
    )
    history.add(
        month("B3-10", "B3", "2024-10-11", "2024-10-31", admission="2024-10-11"), provider=HERE
    )
    return history


class TestCapYears:
    def test_shipped_amounts_cite_their_rules(self) -> None:
        """FY 2021 30,683.93 (85 FR 47070), FY 2022 31,297.61 (86 FR 42528), FY 2023
        32,486.92 (87 FR 45669), FY 2024 33,494.01 (88 FR 51164), FY 2025 34,465.34
        (89 FR 64202), FY 2026 35,361.44 (90 FR 37404; CGS), each October 1 to September 30."""
        caps = {c.year: c for c in shipped_caps()}
        assert {
            2021: D("30683.93"),
            2022: D("31297.61"),
            2023: D("32486.92"),
            2024: D("33494.01"),
            2025: D("34465.34"),
            2026: D("35361.44"),
        } == {y: c.amount for y, c in caps.items()}
        assert "85 FR 47070" in caps[2021].rule
        assert "86 FR 42528" in caps[2022].rule
        assert "87 FR 45669" in caps[2023].rule
        assert "88 FR 51164" in caps[2024].rule
        assert "89 FR 64202" in caps[2025].rule
        assert "90 FR 37404" in caps[2026].rule and "CGS" in caps[2026].rule
        for cap in caps.values():
            assert (dt.date(cap.year - 1, 10, 1), dt.date(cap.year, 9, 30)) == (cap.start, cap.end)

    def test_amounts_follow_the_statutory_update(self) -> None:
        """Since the IMPACT Act the cap is last year's times the hospice payment update
        (SSA s.1814(i)(2)(B)(ii)): each year's amount is the one before raised by that
        year's update, 2.0% (FY 2022, 86 FR 42528), 3.8% (FY 2023), 3.1% (FY 2024), 2.9%
        (FY 2025) and 2.6% (FY 2026), rounded to the cent."""
        caps = {c.year: c.amount for c in shipped_caps()}
        updates = {2022: "1.020", 2023: "1.038", 2024: "1.031", 2025: "1.029", 2026: "1.026"}
        for year, update in updates.items():
            raised = (caps[year - 1] * D(update)).quantize(D("0.01"), ROUND_HALF_UP)
            assert (year, caps[year]) == (year, raised)

    def test_rate_years_show_the_cap(self) -> None:
        """The shipped hospice rate years carry the cap amount of their cap year."""
        rates = shipped_rates()
        assert D("34465.34") == rates.hospice_on(dt.date(2025, 3, 1)).cap
        assert D("30683.93") == rates.hospice_on(dt.date(2021, 3, 1)).cap
        assert D("33494.01") == rates.hospice_on(dt.date(2024, 3, 1)).cap


class TestHospiceRates2022And2024:
    """FY 2022 (86 FR 42528) and FY 2024 (88 FR 51164) per-diem rates as CMS's Java Hospice
    Pricer holds them (Hospice2022PricerContext, Hospice2024PricerContext: labor + non-labor)."""

    def test_published_totals(self) -> None:
        """FY 2022: RHC 203.40 / 160.74, CHC 1,462.52, IRC 473.75, GIP 1,068.28; FY 2024:
        218.33 / 172.35, 1,565.46, 507.71, 1,145.31."""
        rates = shipped_rates()
        levels = ("rhc_high", "rhc_low", "chc", "irc", "gip")
        fy22 = rates.hospice_on(dt.date(2022, 3, 1))
        fy24 = rates.hospice_on(dt.date(2024, 3, 1))
        assert [D("203.40"), D("160.74"), D("1462.52"), D("473.75"), D("1068.28")] == [
            fy22.daily(level) for level in levels
        ]
        assert [D("218.33"), D("172.35"), D("1565.46"), D("507.71"), D("1145.31")] == [
            fy24.daily(level) for level in levels
        ]
        assert "86 FR 42528" in fy22.rule and "88 FR 51164" in fy24.rule

    def test_fy2022_past_day_60(self) -> None:
        """30 RHC days past day 60 at wage index 0.9337: (106.09 x 0.9337 + 54.65) x 30
        = 4,611.186... -> 4,611.19."""
        claim = month("F22", "B1", "2022-03-01", "2022-03-30", admission="2021-12-01")
        assert D("4611.19") == price(claim, wage_index="0.9337").amount

    def test_fy2024_first_days(self) -> None:
        """31 RHC days from the election at wage index 0.9337: (144.10 x 0.9337 + 74.23)
        x 31 = 6,472.057... -> 6,472.06."""
        claim = month("F24", "B1", "2024-03-01", "2024-03-31", admission="2024-03-01")
        assert D("6472.06") == price(claim, wage_index="0.9337").amount

    def test_fy2023_is_not_priced(self) -> None:
        """FY 2023's rates are not shipped (its pricer class was not found): not priced."""
        claim = month("F23", "B1", "2023-03-01", "2023-03-31", admission="2023-03-01")
        payment = price(claim, wage_index="1")
        assert payment.amount is None
        assert "no hospice rate year covers 2023-03-01" in payment.reason

    @pytest.mark.parametrize(
        ("day", "year"),
        [("2024-10-01", 2025), ("2025-09-30", 2025), ("2025-10-01", 2026), ("2020-10-01", 2021)],
    )
    def test_cap_year_of(self, day: str, year: int) -> None:
        """The cap year runs with the federal fiscal year (80 FR 47142; 42 CFR 418.3)."""
        assert year == cap_year_of(day).year

    def test_day_without_a_cap_amount(self) -> None:
        """A day in a cap year whose amount is not shipped is refused, naming the years held."""
        with pytest.raises(InvalidFieldError, match="no cap year with a cap amount"):
            cap_year_of("2019-01-01")

    @pytest.mark.parametrize(
        "fields",
        [
            {"amount": "-1"},
            {"amount": "12.345"},
            {"amount": "1e9"},
            {"end": "2019-01-01"},
        ],
    )
    def test_bad_cap_year(self, fields: dict[str, str]) -> None:
        """A negative, sub-cent or absurd amount, or an end before the start: refused."""
        values = {"start": "2024-10-01", "end": "2025-09-30", "amount": "34465.34"} | fields
        with pytest.raises(InvalidFieldError):
            CapYear(2025, values["start"], values["end"], values["amount"])


class TestHospiceCap:
    def test_proportional(self, store: Any) -> None:
        """B1 counts 1, B2 31/61 (30 of its 61 days were last cap year), B3 21/31 (10 days at
        another hospice): 4133/1891 beneficiaries; cap 34,465.34 x 4133/1891 = 75,328.00117...
        -> 75,328.00.  Payments: B1 31 x 224.62 = 6,963.22; B2 30 x 224.62 + 1 x 176.92 =
        6,915.52 (its day 61 is 2024-10-31); B3 21 x 224.62 = 4,717.02: 18,595.76."""
        status = hospice_cap(HERE, 2025, store, wage_index="1")
        assert Fraction(4133, 1891) == status.beneficiaries
        assert [("B1", Fraction(1)), ("B2", Fraction(31, 61)), ("B3", Fraction(21, 31))] == [
            (s.beneficiary, s.share) for s in status.shares
        ]
        assert (D("75328.00"), D("18595.76"), D("56732.24"), D("0.00")) == (
            status.allowed,
            status.payments,
            status.remaining,
            status.over,
        )
        assert (3, True, CapMethod.PROPORTIONAL) == (status.claims, status.complete, status.method)
        text = str(status)
        assert "34465.34" in text and "2.1856" in text and "89 FR 64202" in text
        assert "rounded half up to the cent" in text and "418.309" in text

    def test_streamlined(self, store: Any) -> None:
        """B2 was counted in cap year 2024 (care from 2024-09-01): 0; B1 1; B3 21/31:
        52/31 beneficiaries, 34,465.34 x 52/31 = 57,812.828... -> 57,812.83."""
        status = hospice_cap(HERE, 2025, store, method="streamlined", wage_index="1")
        assert Fraction(52, 31) == status.beneficiaries
        assert [Fraction(1), Fraction(0), Fraction(21, 31)] == [s.share for s in status.shares]
        assert D("57812.83") == status.allowed
        assert D("18595.76") == status.payments

    def test_year_to_date(self, store: Any) -> None:
        """Year to date counts the claims whose period has ended by ``through`` (a month is
        billed after it ends): through 2024-10-30 none of HERE's October claims counts;
        through 2024-10-31 all do, as for the whole cap year."""
        status = hospice_cap(HERE, "2024-10-20", store, through="2024-10-30", wage_index="1")
        assert dt.date(2024, 10, 30) == status.through
        assert (0, (), D("0.00"), D("0.00")) == (
            status.claims,
            status.shares,
            status.allowed,
            status.payments,
        )
        status = hospice_cap(HERE, 2025, store, through="2024-10-31", wage_index="1")
        assert (3, D("75328.00"), D("18595.76")) == (
            status.claims,
            status.allowed,
            status.payments,
        )

    def test_days_counted_year_to_date(self) -> None:
        """Hospice THERE's share of B3 through 2024-10-10 is 10/10 (B3's days here were not
        yet billed); through the cap year's end, 10/31."""
        history = MemoryHistory()
        history.add(
            month("B3-T", "B3", "2024-10-01", "2024-10-10", admission="2024-10-01"), provider=THERE
        )
        history.add(
            month("B3-10", "B3", "2024-10-11", "2024-10-31", admission="2024-10-11"), provider=HERE
        )
        early = hospice_cap(THERE, 2025, history, through="2024-10-10", wage_index="1")
        late = hospice_cap(THERE, 2025, history, wage_index="1")
        assert (Fraction(1), Fraction(10, 31)) == (early.beneficiaries, late.beneficiaries)
        assert D("2246.20") == early.payments == late.payments

    def test_over_the_cap(self) -> None:
        """A beneficiary here for 600 days before the cap year, 31 in it: share 31/631, cap
        34,465.34 x 31/631 = 1,693.2258... -> 1,693.23; the 31 days are past day 60:
        31 x 176.92 = 5,484.52, over the cap by 3,791.29 (repaid: 42 CFR 418.308(d))."""
        history = MemoryHistory()
        history.add(
            month("L-0", "L1", "2023-02-09", "2024-09-30", admission="2023-02-09"), provider=HERE
        )
        history.add(
            month("L-1", "L1", "2024-10-01", "2024-10-31", admission="2023-02-09"), provider=HERE
        )
        status = hospice_cap(HERE, 2025, history, wage_index="1")
        assert (Fraction(31, 631), D("1693.23"), D("5484.52")) == (
            status.beneficiaries,
            status.allowed,
            status.payments,
        )
        assert (D("-3791.29"), D("3791.29")) == (status.remaining, status.over)
        assert "over the cap by" in str(status)

    def test_claim_not_priced_is_listed(self, store: Any) -> None:
        """A claim that cannot be priced (two levels on one day) is listed and its amount
        left out: the payments are then a lower bound, and the explanation says so."""
        bad = Claim(
            "medicare",
            "2024-11-01",
            "2024-11-02",
            id="B1-11",
            patient_id="B1",
            type_of_bill="0813",
            admission_date="2024-10-01",
            lines=[
                ClaimLine("Q5001", "2024-11-01", 1, revenue_code="0651"),
                ClaimLine("Q5001", "2024-11-01", 1, revenue_code="0656"),
            ],
        )
        store.add(bad, provider=HERE)
        status = hospice_cap(HERE, 2025, store, wage_index="1")
        assert ["B1-11"] == [p.claim_id for p in status.not_priced]
        assert "two levels" in status.not_priced[0].reason
        assert not status.complete
        assert D("18595.76") == status.payments
        assert "a lower bound" in str(status)

    def test_only_the_providers_claims(self, store: Any) -> None:
        """Hospice THERE's cap counts its own 10 days of B3 (10/31 of B3's care), not HERE's."""
        status = hospice_cap(THERE, 2025, store, wage_index="1")
        assert [("B3", Fraction(10, 31))] == [(s.beneficiary, s.share) for s in status.shares]
        assert D("2246.20") == status.payments  # 10 x 224.62

    def test_no_claims(self) -> None:
        """A provider with no claims in the cap year: 0 beneficiaries, cap 0, payments 0."""
        status = hospice_cap(HERE, 2026, MemoryHistory())
        assert (Fraction(0), D("0.00"), D("0.00")) == (
            status.beneficiaries,
            status.allowed,
            status.payments,
        )

    def test_a_claim_pays_the_same_with_the_cap(self, store: Any) -> None:
        """The cap is the provider's: a single claim's price does not change."""
        claim = month("B1-10", "B1", "2024-10-01", "2024-10-31", admission="2024-10-01")
        assert D("6963.22") == price(claim, wage_index="1", history=store).amount

    @pytest.mark.parametrize(
        ("kwargs", "error"),
        [
            ({"provider": ""}, InvalidFieldError),
            ({"provider": 341234}, InvalidFieldError),
            ({"cap_year": 2019}, InvalidFieldError),
            ({"cap_year": True}, InvalidFieldError),
            ({"cap_year": "2019-03-01"}, InvalidFieldError),
            ({"method": "bogus"}, InvalidFieldError),
            ({"through": "2025-10-01"}, InvalidFieldError),
            ({"through": "not a day"}, InvalidTimeError),
            ({"history": object()}, InvalidFieldError),
            ({"caps": "2025"}, InvalidFieldError),
        ],
    )
    def test_bad_input(self, store: Any, kwargs: dict[str, Any], error: type) -> None:
        """Each bad argument is the library's error, never a guessed cap."""
        args: dict[str, Any] = {"provider": HERE, "cap_year": 2025, "history": store}
        args |= kwargs
        with pytest.raises(error):
            hospice_cap(args.pop("provider"), args.pop("cap_year"), args.pop("history"), **args)

    def test_claim_without_beneficiary_is_refused(self) -> None:
        """A stored claim with no patient_id cannot be counted: the library's error names it."""
        history = MemoryHistory()
        claim = month("X1", "B9", "2024-10-01", "2024-10-31", admission="2024-10-01")
        from attrs import evolve

        history.add(evolve(claim, patient_id=None), provider=HERE)
        with pytest.raises(InvalidFieldError, match="X1"):
            hospice_cap(HERE, 2025, history, wage_index="1")


class TestPriceWithProvider:
    def test_hospice_claim_explains_the_cap_status(self, store: Any) -> None:
        """price(..., history=, provider=) adds the provider's cap status through the
        claim's last day to a hospice claim's explanation; its amount is unchanged."""
        claim = month("B1-10", "B1", "2024-10-01", "2024-10-31", admission="2024-10-01")
        payment = price(claim, wage_index="1", history=store, provider=HERE)
        assert D("6963.22") == payment.amount
        assert payment.explanation is not None
        last = payment.explanation.steps[-1]
        assert last.name == f"provider {HERE} cap year 2025: left under the cap"
        assert D("56732.24") == last.value

    def test_cap_year_without_an_amount(self) -> None:
        """A claim in a cap year with no cap amount shipped says the status is not computed."""
        history = MemoryHistory()
        claim = month("OLD", "B1", "2019-03-01", "2019-03-31", admission="2019-03-01")
        rates = shipped_rates()
        fy2021 = rates.hospice_on(dt.date(2021, 3, 1))
        import attrs

        old = attrs.evolve(fy2021, year=2019, start="2018-10-01", end="2019-09-30")
        mine = attrs.evolve(rates, hospice=(*rates.hospice, old))
        payment = price(claim, wage_index="1", history=history, provider=HERE, rates=mine)
        assert payment.amount is not None
        assert "not computed" in str(payment)
