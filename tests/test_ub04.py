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


def test_all() -> None:
    """``dir()`` shows exactly ``__all__``."""
    assert sorted(ub04.__all__) == sorted(dir(ub04))
