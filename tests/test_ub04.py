"""Tests of :mod:`hcpcs_home.ub04`: UB-04 FL42-FL47 rows as CSV."""

from __future__ import annotations

import csv
import io

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, payers, ub04
from hcpcs_home import strategies as hst
from hcpcs_home.errors import InvalidFieldError


def _claim(pcn: str) -> Claim:
    return Claim(
        payers.MEDICARE,
        "2024-03-01",
        "2024-03-30",
        type_of_bill="0329",
        id=pcn,
        lines=[
            ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551", charge="150"),
            ClaimLine("G0151", "2024-03-06", 3, revenue_code="0421", modifiers="GP KX"),
        ],
    )


class TestCsv:
    """The CSV is the claim's own ub04_rows, with a claim column."""

    def test_one_claim(self) -> None:
        """A claim's rows follow the header, the total last."""
        expected = (
            "claim,FL42 rev,FL44 HCPCS/mods,FL45 date,FL46 units,FL47 charge\n"
            "A,0551,G0299,030424,4,150.00\n"
            "A,0421,G0151 GP KX,030624,3,0.00\n"
            "A,0001,TOTAL,,,150.00\n"
        )
        assert expected == ub04.to_csv(_claim("A"))

    def test_many_without_totals(self) -> None:
        """Many claims share one header; total=False drops the 0001 lines."""
        out = io.StringIO()
        assert 4 == ub04.write_csv([_claim("A"), _claim("B")], out, total=False)
        rows = list(csv.DictReader(io.StringIO(out.getvalue())))
        assert ["A", "A", "B", "B"] == [r["claim"] for r in rows]

    @given(st.lists(hst.claims(), max_size=3))
    def test_matches_ub04_rows(self, claims: list[Claim]) -> None:
        """Reading the CSV back gives every claim's ub04_rows, in order."""
        rows = list(csv.DictReader(io.StringIO(ub04.to_csv(claims))))
        expected = [{"claim": c.id, **r} for c in claims for r in c.ub04_rows()]
        assert expected == rows

    @pytest.mark.parametrize("junk", [None, "claim", 42, [object()]])
    def test_junk(self, junk: object) -> None:
        """Anything but claims is refused by name."""
        with pytest.raises(InvalidFieldError):
            ub04.to_csv(junk)  # type: ignore[arg-type]


class TestHeader:
    """FL12-FL41: admission date, origin, status, condition/occurrence/span/value codes."""

    def test_boxes(self) -> None:
        """Each code lands in its form locator, in form order."""
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-30",
            type_of_bill="0329",
            id="A",
            admission_date="2024-01-31",
            point_of_origin="1",
            patient_status="30",
            condition_codes=["47", "54"],
            occurrence_codes=[("50", "2024-02-27"), ("61", "2024-02-20"), ("55", "2024-03-30")],
            occurrence_spans=[("74", "2024-03-10", "2024-03-12")],
            value_codes=[("61", "16974"), ("85", "17031"), ("A1", "12.5"), ("B1", "3")],
        )
        row = ub04.header_row(claim)
        assert {
            "FL12 admission": "013124",
            "FL15 origin": "1",
            "FL17 status": "30",
            "FL18": "47",
            "FL19": "54",
            "FL31a code": "50",
            "FL31a date": "022724",
            "FL31b code": "61",
            "FL32a code": "55",
            "FL35a code": "74",
            "FL35a from": "031024",
            "FL35a through": "031224",
            "FL39a amount": "16974.00",
            "FL40a code": "85",
            "FL41a amount": "12.50",
            "FL39b code": "B1",
        }.items() <= row.items()
        assert ub04.HEADER_COLUMNS == tuple(row)

    @pytest.mark.parametrize(
        ("field", "value"),
        [
            ("condition_codes", [f"{n:02d}" for n in range(20, 32)]),
            ("occurrence_codes", [("50", "2024-02-27")] * 9),
            ("occurrence_spans", [("74", "2024-03-10", "2024-03-12")] * 5),
            ("value_codes", [("61", "1")] * 13),
        ],
    )
    def test_more_than_the_form_holds(self, field: str, value: object) -> None:
        """Codes beyond the form's boxes are refused by name, never dropped."""
        claim = Claim("medicare", "2024-03-01", "2024-03-30", **{field: value})  # type: ignore[arg-type]
        with pytest.raises(InvalidFieldError, match=field):
            ub04.header_row(claim)

    @given(st.lists(hst.claims(), max_size=3))
    def test_csv_holds_every_code(self, claims: list[Claim]) -> None:
        """Every header code of every claim is in its claim's CSV row."""
        rows = list(csv.DictReader(io.StringIO(ub04.header_to_csv(claims))))
        assert [c.id for c in claims] == [r["claim"] for r in rows]
        for claim, row in zip(claims, rows, strict=True):
            cells = set(row.values())
            assert set(claim.condition_codes) <= cells
            assert {o.code for o in claim.occurrence_codes} <= cells
            assert {v.code for v in claim.value_codes} <= cells

    @pytest.mark.parametrize("junk", [None, "claim", 42, [object()]])
    def test_junk(self, junk: object) -> None:
        """Anything but claims is refused by name."""
        with pytest.raises(InvalidFieldError):
            ub04.header_to_csv(junk)  # type: ignore[arg-type]


def test_all() -> None:
    """``dir()`` shows exactly ``__all__``."""
    assert sorted(ub04.__all__) == sorted(dir(ub04))
