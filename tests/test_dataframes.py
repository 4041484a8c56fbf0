"""Tests of :mod:`hcpcs_home.dataframes` (needs pandas; skipped without it)."""

from __future__ import annotations

import doctest
import pickle
from decimal import Decimal
from pathlib import Path

import pytest

pd = pytest.importorskip("pandas")

from hcpcs_home import check, payers, units  # noqa: E402
from hcpcs_home import dataframes as hd  # noqa: E402
from hcpcs_home.errors import InvalidFieldError, InvalidMinutesError, NotTimedError  # noqa: E402


def timesheet() -> pd.DataFrame:
    return pd.DataFrame(
        {
            "claim_id": ["A", "A", "A", "B", "B", "B"],
            "HCPCS": ["G0299", "G0151", "Q5001", "T1019", "G0300", None],
            "DOS": pd.to_datetime(
                ["2024-03-04", "2024-03-05", "2024-03-04", "2024-03-04", "2024-03-07", "2024-03-08"]
            ),
            "Time In": ["09:00", "10:00", None, "08:00", "09:00", "09:00"],
            "Time Out": ["09:50", "10:40", None, "09:00", "26:00", "10:00"],
            "credential": ["RN", "PT", None, None, "LPN", "RN"],
            "payer": "medicare",
            "type_of_bill": "0329",
        },
        index=[10, 11, 12, 13, 14, 15],
    )


class TestReading:
    """Rows become services and claims; bad rows are reported by label, not dropped."""

    def test_services(self) -> None:
        """Good rows become services; the others are errors at their index labels."""
        read = hd.services_from_frame(timesheet())
        assert (10, 11, 12, 13) == read.rows
        assert [(14, "stop"), (15, "code")] == [(e.row, e.error.field) for e in read.errors]  # type: ignore[attr-defined]

    def test_claims(self) -> None:
        """Rows group into claims by claim_id; each line keeps its row label."""
        built = hd.claims_from_frame(timesheet())
        assert ["A", "B"] == [c.id for c in built.claims]
        assert ((10, 11, 12), (13,)) == built.rows
        assert [50, 40] == [s.minutes for s in built.claims[0].services[:2]]
        assert {14, 15} == {e.row for e in built.errors}

    def test_claim_columns_must_agree(self) -> None:
        """A row whose payer differs from its claim's first row is an error."""
        frame = timesheet()
        frame.loc[11, "payer"] = "bcbs-tx"
        assert 11 in {e.row for e in hd.claims_from_frame(frame).errors}

    def test_claim_level_problems_point_at_rows(self) -> None:
        """Two identical visits (same service id) are reported at the duplicate row."""
        frame = pd.concat([timesheet().loc[[10]], timesheet().loc[[10]].set_axis([99])])
        built = hd.claims_from_frame(frame)
        assert () == built.claims
        assert [99] == [e.row for e in built.errors]

    def test_payer_required(self) -> None:
        """Without a payer column or payer=, every row says so."""
        frame = timesheet().drop(columns=["payer"])
        errors = hd.claims_from_frame(frame).errors
        assert [10, 11, 12, 13] == [e.row for e in errors if e.error.field == "payer"]  # type: ignore[attr-defined]
        assert 2 == len(hd.claims_from_frame(frame, payer=payers.MEDICARE).claims)

    def test_by(self) -> None:
        """``by`` must be a claim column."""
        with pytest.raises(InvalidFieldError):
            hd.claims_from_frame(timesheet(), by="code")

    @pytest.mark.parametrize("junk", [None, [], {"code": ["G0299"]}, "frame"])
    def test_junk(self, junk: object) -> None:
        """Anything but a DataFrame is refused by name."""
        with pytest.raises(InvalidFieldError):
            hd.services_from_frame(junk)  # type: ignore[arg-type]


class TestSameAsCheck:
    """check_frame finds what check() finds on the same claims."""

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_generated(self, seed: int) -> None:
        """On a synthetic month, the frame's findings are check()'s, row for row."""
        frame = hd.synthetic_timesheet(400, seed=seed)
        built = hd.claims_from_frame(frame)
        expected = [
            (c.id, rows[f.line] if f.line is not None else None, f.rule_id, f.message)
            for c, rows in zip(built.claims, built.rows, strict=True)
            for f in check(c)
        ] + [(e.claim_id, e.row, hd.INVALID_ROW, str(e.error)) for e in built.errors]
        found = hd.check_frame(frame)
        actual = list(zip(found.claim_id, found.row, found.rule_id, found.message, strict=True))
        assert expected == actual
        assert list(hd.FINDING_COLUMNS) == list(found.columns)

    def test_findings_frame(self) -> None:
        """findings_frame without rows leaves the row column empty."""
        built = hd.claims_from_frame(timesheet())
        frame = hd.findings_frame(check(c) for c in built.claims)
        assert frame.row.isna().all()
        assert len(frame) == sum(len(check(c)) for c in built.claims)

    def test_empty(self) -> None:
        """An empty timesheet gives an empty findings frame with the columns."""
        assert list(hd.FINDING_COLUMNS) == list(hd.check_frame(timesheet().iloc[:0]).columns)


class TestUnits:
    """Units per row and minutes-to-units columns."""

    def test_units_frame(self) -> None:
        """Each row keeps its place; unbillable rows carry the reason."""
        frame = hd.units_frame(timesheet())
        assert [10, 11, 12, 13, 14, 15] == list(frame.row)
        assert [3, 3, 1, 4] == list(frame.units[:4])
        assert frame.error[14] is not None and frame.error[10] is None

    @pytest.mark.parametrize(
        ("code", "policy"),
        [
            ("G0152", None),
            ("G0152", units.MEDICARE_ANY_MINUTE_VISIT),
            ("T1019", None),
            ("S9124", units.TEXAS_MEDICAID_TENTHS),
            ("S9124", units.QUARTER_HOUR),
            ("T1030", units.DOL_EEOICP_8_HOUR_SHIFT),
        ],
    )
    def test_minutes_to_units_matches_units_for_many(self, code: str, policy: object) -> None:
        """The vectorised column equals units_for_many, index kept."""
        minutes = pd.Series(range(0, 1441, 7), index=range(1000, 1000 + 206))
        got = hd.minutes_to_units(minutes, code, policy=policy)  # type: ignore[arg-type]
        assert units.units_for_many(code, list(minutes), policy=policy) == list(got)  # type: ignore[arg-type]
        assert list(minutes.index) == list(got.index)

    def test_fractions_are_decimals(self) -> None:
        """Fractional units stay Decimal, never float."""
        got = hd.minutes_to_units(pd.Series([100]), "S9124", policy=units.TEXAS_MEDICAID_TENTHS)
        assert [Decimal("1.7")] == list(got)

    @pytest.mark.parametrize("bad", [-1, 1441, 7.5, float("nan"), None])
    def test_bad_minutes_named_by_label(self, bad: object) -> None:
        """A bad value raises InvalidMinutesError naming its index label."""
        with pytest.raises(InvalidMinutesError, match=r"minutes\['x'\]"):
            hd.minutes_to_units(pd.Series([8, bad], index=["w", "x"]), "G0152")

    def test_not_timed(self) -> None:
        """Days-monitored codes are not counted from minutes."""
        with pytest.raises(NotTimedError):
            hd.minutes_to_units(pd.Series([8]), "G0322")


class TestPickle:
    """What crosses to worker processes pickles."""

    def test_row_errors(self) -> None:
        """Row errors (and the errors in them) survive pickle."""
        errors = hd.claims_from_frame(timesheet()).errors
        again = pickle.loads(pickle.dumps(errors))
        assert [str(e) for e in errors] == [str(e) for e in again]

    def test_findings(self) -> None:
        """Findings survive pickle unchanged."""
        findings = [f for c in hd.claims_from_frame(timesheet()).claims for f in check(c)]
        assert findings == pickle.loads(pickle.dumps(findings))


def test_synthetic_is_reproducible() -> None:
    """The same seed gives the same frame."""
    assert hd.synthetic_timesheet(50, seed=4).equals(hd.synthetic_timesheet(50, seed=4))


def test_docs_page() -> None:
    """docs/analysts.rst runs as a doctest (matplotlib parts need matplotlib)."""
    pytest.importorskip("matplotlib")
    page = Path(__file__).parents[1] / "docs" / "analysts.rst"
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(page), module_relative=False, optionflags=flags)
    assert 0 == result.failed


def test_all() -> None:
    """``dir()`` shows exactly ``__all__``."""
    assert sorted(hd.__all__) == sorted(dir(hd))
