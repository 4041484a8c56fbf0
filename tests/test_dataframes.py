"""Tests of :mod:`hcpcs_home.dataframes` (needs pandas; skipped without it)."""

from __future__ import annotations

import datetime as dt
import doctest
import inspect
import itertools
import pickle
import weakref
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

pd = pytest.importorskip("pandas")

from hcpcs_home import ClaimLine, Service, _trusted, check, payers, units  # noqa: E402
from hcpcs_home import dataframes as hd  # noqa: E402
from hcpcs_home._claim_codes import _check_line_code  # noqa: E402
from hcpcs_home.bounds import MAX_LINES  # noqa: E402
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


def _lines(frame: pd.DataFrame) -> list[tuple[str, ...]]:
    """The modifiers of each claim line built from ``frame`` (no row may fail)."""
    built = hd.claims_from_frame(frame)
    assert () == built.errors
    return [line.modifiers for claim in built.claims for line in claim.lines]


def therapy_visits(modifiers: list[object]) -> pd.DataFrame:
    """One 34X-style PT visit per modifiers cell, each its own claim."""
    n = len(modifiers)
    return pd.DataFrame(
        {
            "claim_id": [f"C{i}" for i in range(n)],
            "code": ["G0151"] * n,
            "date": ["2024-03-04"] * n,
            "minutes": [30] * n,
            "payer": ["medicare"] * n,
            "modifiers": pd.Series(modifiers, dtype=object),
        }
    )


class TestListCells:
    """A cell holding a list (what parquet list columns give) is read as that list."""

    def test_list_likes(self) -> None:
        """Numpy arrays, lists, tuples and pandas arrays give the same modifiers as text."""
        np = pytest.importorskip("numpy")
        cells: list[object] = [
            "GP KX",
            "GP,KX",
            np.array(["GP", "KX"], dtype=object),
            np.array(["GP", "KX"]),
            ["GP", "KX"],
            ("GP", "KX"),
            pd.array(["GP", "KX"], dtype="string"),
        ]
        assert [("GP", "KX")] * len(cells) == _lines(therapy_visits(cells))

    def test_single_and_empty(self) -> None:
        """A one-element array is one modifier; an empty one is none."""
        np = pytest.importorskip("numpy")
        cells: list[object] = [np.array(["GP"]), np.array([], dtype=object), []]
        assert [("GP",), (), ()] == _lines(therapy_visits(cells))

    def test_missing(self) -> None:
        """None, NaN and pandas.NA are missing: no modifiers."""
        assert [(), (), ()] == _lines(therapy_visits([None, float("nan"), pd.NA]))

    def test_bad_element_is_reported(self) -> None:
        """An array with a bad element is an invalid row, not silently dropped."""
        np = pytest.importorskip("numpy")
        built = hd.claims_from_frame(therapy_visits([np.array(["GP", "TOOLONG"]), "GP"]))
        assert ["C1"] == [c.id for c in built.claims]
        assert [0] == [e.row for e in built.errors]
        assert "TOOLONG" in str(built.errors[0])

    def test_parquet_list_column(self, tmp_path: Path) -> None:
        """A parquet list column read back by pandas keeps every modifier."""
        pytest.importorskip("pyarrow")
        frame = therapy_visits([["GP", "KX"], ["GP"], None])
        path = tmp_path / "visits.parquet"
        frame.to_parquet(path)
        again = pd.read_parquet(path)
        assert type(again.modifiers[0]).__module__ == "numpy"
        assert [("GP", "KX"), ("GP",), ()] == _lines(again)


class TestRowsWithoutClaimId:
    """A row with no claim id belongs to no claim and is reported at its label."""

    def test_each_row_reported(self) -> None:
        """Rows without an id are errors one by one; the other claims are untouched."""
        frame = timesheet()
        frame["claim_id"] = ["A", None, float("nan"), "B", "", "B"]
        built = hd.claims_from_frame(frame)
        assert [11, 12, 14] == [e.row for e in built.errors if e.error.field == "claim_id"]  # type: ignore[attr-defined]
        assert ["A", "B"] == [c.id for c in built.claims]
        assert ((10,), (13,)) == built.rows

    def test_findings(self) -> None:
        """check_frame reports each such row as an invalid-row finding naming it."""
        frame = timesheet()
        frame["claim_id"] = ["A", "A", "A", None, None, None]
        found = hd.check_frame(frame)
        invalid = found[(found.rule_id == hd.INVALID_ROW) & (found.field == "claim_id")]
        assert [13, 14, 15] == list(invalid.row)
        assert {"A"} == set(found.claim_id.dropna())

    def test_complete_ids_clean(self) -> None:
        """Where every row has an id, no row is reported for it."""
        errors = hd.claims_from_frame(timesheet()).errors
        assert [] == [e for e in errors if e.error.field == "claim_id"]  # type: ignore[attr-defined]

    def test_by_patient(self) -> None:
        """With by="patient_id" a row without a patient is reported the same way."""
        frame = timesheet().assign(patient_id=["P1", "P1", "P1", "P2", "P2", None])
        built = hd.claims_from_frame(frame, by="patient_id")
        assert [15] == [e.row for e in built.errors if e.error.field == "patient_id"]  # type: ignore[attr-defined]

    def test_no_by_column(self) -> None:
        """A frame without the ``by`` column is refused, not read as one claim."""
        with pytest.raises(InvalidFieldError, match="not a column"):
            hd.claims_from_frame(timesheet().drop(columns=["claim_id"]))


class TestAliasColumns:
    """Two columns for one field are refused, naming both, before any row is read."""

    @pytest.mark.parametrize(
        ("first", "second"),
        [("HCPCS", "code"), ("DOS", "service_date"), ("claim_id", "Claim ID"), ("npi", "NPI")],
    )
    def test_refused(self, first: str, second: str) -> None:
        """Both columns are named in the error, even when the values agree."""
        frame = timesheet()
        if first not in frame:
            frame[first] = "1234567893"
        frame[second] = frame[first]
        for read in (hd.claims_from_frame, hd.services_from_frame, hd.units_frame, hd.check_frame):
            with pytest.raises(InvalidFieldError) as info:
                read(frame)
            assert repr(first) in str(info.value) and repr(second) in str(info.value)

    def test_one_alias_reads(self) -> None:
        """One column per field, aliases included, reads as before."""
        assert 2 == len(hd.claims_from_frame(timesheet()).claims)

    def test_row_dict(self) -> None:
        """Service.from_timesheet_row refuses two keys for one field too."""
        from hcpcs_home import Service

        row = {"code": "G0299", "HCPCS": "G0300", "date": "2024-03-04"}
        with pytest.raises(InvalidFieldError, match=r"'code'.*'HCPCS'"):
            Service.from_timesheet_row(row)
        del row["HCPCS"]
        assert "G0299" == Service.from_timesheet_row(row).code


def check_findings(built: hd.ClaimRows) -> list[tuple[object, ...]]:
    """check()'s findings of the claims built, then the rows that could not be used."""
    return [
        (c.id, rows[f.line] if f.line is not None else None, f.rule_id, f.message)
        for c, rows in zip(built.claims, built.rows, strict=True)
        for f in check(c)
    ] + [(e.claim_id, e.row, hd.INVALID_ROW, str(e.error)) for e in built.errors]


def frame_findings(found: pd.DataFrame) -> list[tuple[object, ...]]:
    """A findings frame as the tuples of :func:`check_findings` (a missing cell, ``None``
    in a frame of object columns, NaN or ``<NA>`` in a compact one, as ``None``)."""
    return [
        tuple(None if hd._frames.is_missing(v) else v for v in finding)
        for finding in zip(found.claim_id, found.row, found.rule_id, found.message, strict=True)
    ]


class TestSameAsCheck:
    """check_frame finds what check() finds on the same claims."""

    @pytest.mark.parametrize("seed", [0, 1, 2])
    def test_generated(self, seed: int) -> None:
        """On a synthetic month, the frame's findings are check()'s, row for row."""
        frame = hd.synthetic_timesheet(400, seed=seed)
        found = hd.check_frame(frame)
        assert check_findings(hd.claims_from_frame(frame)) == frame_findings(found)
        assert list(hd.FINDING_COLUMNS) == list(found.columns)

    @pytest.mark.parametrize("chunk", [1, 7, 50])
    def test_streamed_by_claim_groups(self, chunk: int, monkeypatch: pytest.MonkeyPatch) -> None:
        """A frame checked a chunk of whole claims at a time, its rows shuffled and some
        without a claim id, finds what it finds whole: the same findings in the same
        order (claims by their first row), and the same unusable rows."""
        frame = hd.synthetic_timesheet(160, visits_per_claim=6, seed=3)
        frame = frame.sample(frac=1.0, random_state=5)
        frame.loc[frame.index[:3], "claim_id"] = None
        whole = hd.check_frame(frame)
        monkeypatch.setattr(hd, "_CHUNK", chunk)
        streamed = hd.check_frame(frame)
        found = whole[whole.rule_id != hd.INVALID_ROW]
        assert found.reset_index(drop=True).equals(
            streamed[streamed.rule_id != hd.INVALID_ROW].reset_index(drop=True)
        )
        bad = [whole[whole.rule_id == hd.INVALID_ROW], streamed[streamed.rule_id == hd.INVALID_ROW]]
        assert 3 <= len(bad[0])
        rows = [sorted(zip(b.row, b.message, strict=True), key=repr) for b in bad]
        assert rows[0] == rows[1]

    @pytest.mark.parametrize(
        ("blank", "sliced"), [(None, True), (299, False), (0, False), (150, False)]
    )
    def test_claim_chunks_slice_a_frame_in_claim_order(
        self, blank: int | None, sliced: bool, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A frame whose claims' rows already come together is cut into slices of
        itself (views: nothing copied or reordered); a row without a claim sends it
        through the claim order, that row last.  Chunks end where a claim begins
        either way."""
        np = pytest.importorskip("numpy")
        frame = hd.synthetic_timesheet(300, visits_per_claim=7, seed=3)
        frame["n"] = np.arange(len(frame))
        if blank is not None:
            frame.loc[blank, "claim_id"] = None
        monkeypatch.setattr(hd, "_CHUNK", 50)
        chunks = list(hd._column_reader().claim_chunks(frame, "claim_id"))
        assert len(chunks) > 4
        whole = pd.concat(chunks)
        expected = [i for i in frame.index if i != blank] + ([] if blank is None else [blank])
        assert expected == list(whole.index)
        claims = [set(c.claim_id.dropna()) for c in chunks]
        assert all(a.isdisjoint(b) for a, b in itertools.pairwise(claims))
        views = [np.shares_memory(c.n.to_numpy(), frame.n.to_numpy()) for c in chunks]
        assert [sliced] * len(chunks) == views

    @pytest.mark.parametrize("text", ["str", "object"])
    def test_claim_chunks_put_a_claim_in_two_runs_together(
        self, text: str, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """A claim whose rows are in two runs (its first row moved last) is not taken
        as in order: its rows come together, in frame order, in one chunk."""
        np = pytest.importorskip("numpy")
        frame = hd.synthetic_timesheet(300, visits_per_claim=7, seed=3).astype({"claim_id": text})
        frame = frame.iloc[[*range(1, 300), 0]]
        frame["n"] = np.arange(len(frame))
        monkeypatch.setattr(hd, "_CHUNK", 50)
        chunks = list(hd._column_reader().claim_chunks(frame, "claim_id"))
        assert [0, *range(7, 300)] == [i for i in pd.concat(chunks).index if i not in range(1, 7)]
        first = next(c for c in chunks if 0 in c.index)
        assert [*range(1, 7), 0] == list(first.index[:7])
        assert not any(np.shares_memory(c.n.to_numpy(), frame.n.to_numpy()) for c in chunks)

    def test_a_claim_is_let_go_once_checked(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Each claim is built when its last row is read and checked then: when a claim
        is checked every claim checked before it is gone already (nothing of it is kept
        for the garbage collector to find), and its rows come together in the frame."""
        frame = hd.synthetic_timesheet(600, visits_per_claim=5, seed=4)
        monkeypatch.setattr(hd, "_CHUNK", 100)
        checked: list[weakref.ref[Any]] = []

        def check_one(claim: Any, rules: Any = None) -> Any:
            assert [] == [r() for r in checked if r() is not None]
            checked.append(weakref.ref(claim))
            return check(claim, rules)

        monkeypatch.setattr(hd, "check", check_one)
        found = hd.check_frame(frame)
        assert len(checked) == len(hd.claims_from_frame(frame).claims) > 6
        monkeypatch.setattr(hd, "check", check)
        assert found.equals(hd.check_frame(frame))

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

    @pytest.mark.parametrize(
        "column",
        [
            pd.Series([8, 23, 38], dtype="int64"),
            pd.Series([8, 23, 38], dtype="uint16"),
            pd.Series([8.0, 23.0, 38.0]),
            pd.Series([8, 23, 38], dtype="Int64"),
            pd.Series([8, 23.0, Decimal(38)], dtype=object),
            pd.Series(["8", "23", "38"]),
        ],
        ids=["int64", "uint16", "float64", "Int64", "object", "digits"],
    )
    def test_every_numeric_dtype_gives_the_same_units(self, column: pd.Series) -> None:
        """Whole minutes of any numeric dtype (or digits read as text) give the same units."""
        assert [1, 2, 3] == list(hd.minutes_to_units(column, "G0152"))

    @pytest.mark.parametrize("dtype", ["bool", "boolean"])
    def test_a_boolean_column_is_refused_by_its_dtype(self, dtype: str) -> None:
        """A boolean column is refused whole, by its dtype (True is not one minute)."""
        with pytest.raises(InvalidMinutesError, match=f"dtype is {dtype}, not minutes"):
            hd.minutes_to_units(pd.Series([True, False], dtype=dtype), "G0152")

    @pytest.mark.parametrize(
        ("column", "message"),
        [
            (pd.Series([8, True], dtype=object, index=["w", "x"]), "not a bool"),
            (pd.Series([8, None], dtype="Int64", index=["w", "x"]), "whole number"),
            (pd.Series([8, -2], dtype="int64", index=["w", "x"]), "negative"),
            (pd.Series([8, "abc"], dtype=object, index=["w", "x"]), "whole number"),
        ],
    )
    def test_bad_values_of_each_dtype(self, column: pd.Series, message: str) -> None:
        """A bool among objects, a missing value, a negative integer, a word: each named."""
        with pytest.raises(InvalidMinutesError, match=rf"minutes\['x'\].*{message}"):
            hd.minutes_to_units(column, "G0152")

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


def test_docs_page(monkeypatch: pytest.MonkeyPatch) -> None:
    """docs/analysts.rst runs as a doctest (matplotlib parts need matplotlib), from the
    repository's root as the page says, wherever pytest was started."""
    pytest.importorskip("matplotlib")
    root = Path(__file__).resolve().parents[1]
    monkeypatch.chdir(root)
    page = root / "docs" / "analysts.rst"
    flags = doctest.ELLIPSIS | doctest.NORMALIZE_WHITESPACE
    result = doctest.testfile(str(page), module_relative=False, optionflags=flags)
    assert 0 == result.failed


def test_all() -> None:
    """``dir()`` shows exactly ``__all__``."""
    assert sorted(hd.__all__) == sorted(dir(hd))


def _cli_example() -> str:
    """The CSV example of docs/cli.rst, as a file's text."""
    text = (Path(__file__).resolve().parents[1] / "docs" / "cli.rst").read_text(encoding="utf-8")
    block = text.split("This complete 0329 checks clean:", 1)[1].split(".. code-block:: text", 1)[1]
    lines = []
    for line in block.splitlines()[1:]:
        if line.strip() and not line.startswith("       "):
            break
        if line.strip():
            lines.append(line.strip())
    return "\n".join(lines) + "\n"


class TestWholeClaims:
    """Tabular input carries whole claims: header columns, lines without visits, read as text."""

    def test_cli_example_checks_clean(self, tmp_path: Path) -> None:
        """The complete 0329 of docs/cli.rst reads as one claim with 0 findings."""
        path = tmp_path / "example.csv"
        path.write_text(_cli_example())
        built = hd.claims_from_frame(hd.read_csv(path))
        assert () == built.errors
        (claim,) = built.claims
        assert ("0023", "1FC21") == (claim.lines[0].revenue_code, claim.lines[0].code)
        assert claim.notice_accepted is not None and claim.value("61") is not None
        # The one note: March 2024 is after the bundled CMS release (information).
        assert ["release-out-of-date"] == [f.rule_id for f in check(claim)]

    def test_complete_claim_round_trips(self, tmp_path: Path) -> None:
        """A complete 0329 (HIPPS line, Q-code line, a line of five visits) survives CSV
        (its EVV visits read as not given: the rows carry none)."""
        from test_rules_medicare_hh import clean_claim

        claim = attrs.evolve(clean_claim(), evv_visits=None)
        path = tmp_path / "claims.csv"
        assert len(hd.claim_rows(claim)) == hd.write_csv(claim, path)
        built = hd.claims_from_frame(hd.read_csv(path))
        assert ((claim,), ()) == (built.claims, built.errors)
        assert (built.claims, built.errors) == (
            hd.claims_from_frame(hd.claims_to_frame(claim)).claims,
            (),
        )

    def test_read_csv_keeps_text(self, tmp_path: Path) -> None:
        """read_csv keeps money and codes as text where pandas.read_csv makes floats."""
        frame = hd.synthetic_timesheet(300, seed=1)
        path = tmp_path / "timesheet.csv"
        frame.to_csv(path, index=False)
        ours = hd.claims_from_frame(hd.read_csv(path))
        theirs = hd.claims_from_frame(pd.read_csv(path))
        assert len(ours.errors) < 10 < len(theirs.errors)
        assert all(isinstance(v, str) for v in hd.read_csv(path)["charge"])
        assert [2, 3] == list(hd.read_csv(path).index[:2])  # file lines

    def test_claim_column_that_differs_refuses_the_claim(self, tmp_path: Path) -> None:
        """Rows of one claim that disagree on a claim column make it an error naming them."""
        text = _cli_example().replace("2024-03-05,G0299", "2024-03-06,G0299")
        path = tmp_path / "differs.csv"
        path.write_text(text)
        built = hd.claims_from_frame(hd.read_csv(path))
        assert () == built.claims
        assert [4] == [e.row for e in built.errors if e.error.field == "notice_accepted"]  # type: ignore[attr-defined]
        (at_fault,) = [e for e in built.errors if e.row == 4]
        assert "row 2 has" in str(at_fault) and "rows 4 another value" in str(at_fault)
        assert {2, 3, 4} == {e.row for e in built.errors}

    def test_unknown_columns_named_at_once(self) -> None:
        """Every unknown column is named before a row is read, each with a did-you-mean."""
        frame = timesheet().rename(columns={"payer": "payr"}).assign(admision_date="2024-03-01")
        with pytest.raises(InvalidFieldError) as info:
            hd.claims_from_frame(frame)
        assert ("payr", "admision_date") == info.value.value
        assert "'payr' (did you mean 'payer'?)" in str(info.value)
        assert "'admision_date' (did you mean 'admission_date'?)" in str(info.value)

    def test_bad_coded_list(self, tmp_path: Path) -> None:
        """An occurrence item that is not code:date is an error for the claim, not dropped."""
        path = tmp_path / "bad.csv"
        path.write_text(_cli_example().replace("50:2024-03-04", "50-2024-03-04"))
        built = hd.claims_from_frame(hd.read_csv(path))
        assert () == built.claims
        assert "occurrence_codes" in str(built.errors[0])

    def test_read_csv_refuses_broken_rows(self, tmp_path: Path) -> None:
        """A row with more cells than the header is named by its line."""
        path = tmp_path / "broken.csv"
        path.write_text("claim_id,code\nA,G0299\nA,G0299,extra\n")
        with pytest.raises(InvalidFieldError, match="line 3"):
            hd.read_csv(path)


#: Cells a timesheet may hold in any column, the readable and the junk.
JUNK = (
    None,
    "",
    "  ",
    float("nan"),
    "yes",
    "no",
    "maybe",
    True,
    False,
    0,
    1,
    15,
    -5,
    1.5,
    2.0,
    "45",
    "0700",
    "07:00",
    "25:00",
    "24:00",
    "G0299",
    "g0156 ",
    "T1019",
    "S9124",
    "99999",
    "2024-03-04",
    "2024-02-30",
    dt.date(2024, 3, 5),
    pd.Timestamp("2024-03-06"),
    "RN",
    "LPN",
    "HHA",
    "medicare",
    "bcbs-tx",
    "tx-medicaid-cshcn",
    "nobody",
    "0329",
    "0811",
    "0551",
    "12.50",
    "GP KX",
    "GP,GN",
    ["GP"],
    ("59", "GP"),
    "€",
    "C000001",
    "x" * 200,
)

#: Columns a generated frame may carry besides the synthetic timesheet's.
EXTRA = (
    "minutes",
    "units",
    "through",
    "revenue_code",
    "modifiers",
    "id",
    "rendering_id",
    "diagnoses",
    "patient_id",
    "full_day",
    "setting",
    "Time In",
    "statement_from",
)


@st.composite
def frames(draw: st.DrawFn) -> pd.DataFrame:
    """A synthetic timesheet with extra columns and cells replaced by junk; shrinks toward
    a few clean rows."""
    rows = draw(st.integers(0, 40))
    frame = hd.synthetic_timesheet(
        rows,
        visits_per_claim=draw(st.integers(1, 6)),
        bad_rows=draw(st.sampled_from([0.0, 0.1])),
        seed=draw(st.integers(0, 2**16)),
    )
    for column in draw(st.lists(st.sampled_from(EXTRA), unique=True, max_size=4)):
        if column == "Time In":
            frame = frame.rename(columns={"start": "Time In"})
            continue
        frame[column] = None
    if rows:
        frame = frame.astype(object)
        for _ in range(draw(st.integers(0, 12))):
            row = draw(st.integers(0, rows - 1))
            column = draw(st.sampled_from(list(frame.columns)))
            frame.iat[row, list(frame.columns).index(column)] = draw(st.sampled_from(JUNK))
    # Typed columns again (read by their factors): as pandas infers them, as
    # ``convert_dtypes`` gives them (text with pandas.NA, nullable ints), and dates as
    # datetime64 (cells no date reads become NaT).
    typing = draw(st.sampled_from([None, "infer", "convert", "dates"]))
    if typing == "infer":
        frame = frame.infer_objects()
    elif typing == "convert":
        frame = frame.convert_dtypes()
    elif typing == "dates" and "date" in frame.columns:
        frame["date"] = pd.to_datetime(frame["date"], errors="coerce", format="mixed")
    if draw(st.booleans()):
        frame = frame.sample(frac=1.0, random_state=draw(st.integers(0, 9)))
    return frame


def row_reader(frame: pd.DataFrame, **options: Any) -> hd.ClaimRows:
    """claims_from_frame as it was: every row read as a record."""
    columns = hd._columns(frame)
    return hd.claims_from_rows(hd._records(frame), columns, **options)


def errors(built: hd.ClaimRows) -> list[tuple[Any, ...]]:
    return [
        (e.row, e.claim_id, type(e.error), getattr(e.error, "field", None), str(e.error))
        for e in built.errors
    ]


class TestSameAsTheRowReader:
    """The column-at-a-time reader (``hcpcs_home._frame_read``) agrees with the row reader
    it speeds up, :func:`claims_from_rows` over the frame's records, on clean and
    corrupted frames: equal claims, the same rows, the same errors in the same order."""

    @given(frames(), st.sampled_from([None, "medicare", "bcbs-tx"]))
    def test_claims_rows_and_errors(self, frame: pd.DataFrame, payer: str | None) -> None:
        """Equal claims (and hashes), the same rows, the same errors in the same order."""
        expected = row_reader(frame, payer=payer)
        actual = hd.claims_from_frame(frame, payer=payer)
        assert expected.claims == actual.claims
        assert [hash(c) for c in expected.claims] == [hash(c) for c in actual.claims]
        assert expected.rows == actual.rows
        assert errors(expected) == errors(actual)

    @given(frames())
    def test_check_frame_finds_what_check_finds(self, frame: pd.DataFrame) -> None:
        """check_frame's findings are check()'s of the row reader's claims, then its errors."""
        assert check_findings(row_reader(frame)) == frame_findings(hd.check_frame(frame))

    def test_a_frame_of_numbered_lines_is_read_row_by_row(self) -> None:
        """A ``line`` column is the row reader's: the column reader declines it."""
        built = hd.claims_from_frame(hd.synthetic_timesheet(30, seed=2))
        frame = hd.claims_to_frame(built.claims)
        columns = hd._columns(frame)
        assert (
            hd._column_reader().claims(frame, columns, payer=None, type_of_bill=None, by="claim_id")
            is None
        )
        assert built.claims == hd.claims_from_frame(frame).claims

    def test_a_claim_of_too_many_lines_is_refused_as_before(self) -> None:
        """A claim over the bound of lines (and services) is the row reader's error."""
        frame = hd.synthetic_timesheet(
            MAX_LINES + 1, visits_per_claim=MAX_LINES + 1, bad_rows=0.0, seed=7
        )
        frame = frame.assign(code="T1019", credential="HHA", payer="bcbs-tx")
        frame["id"] = [f"visit-{i}" for i in range(len(frame))]
        built = hd.claims_from_frame(frame)
        assert () == built.claims
        assert "holds more than 10,000 items" in str(built.errors[-1].error)
        assert errors(row_reader(frame)) == errors(built)

    def test_a_service_has_no_checks_but_its_minutes(self) -> None:
        """Services are stored unchecked because their one check across fields, the
        minutes of their clock times, is made per distinct cell: no field validator."""
        assert [] == [a.name for a in attrs.fields(Service) if a.validator is not None]
        assert "_service_minutes" in inspect.getsource(Service.__attrs_post_init__)

    def test_a_billed_line_is_checked_by_its_code_revenue_modifiers_and_through(self) -> None:
        """A line stored unchecked repeats the billed line's code, revenue code, modifiers
        (none) and through date (none): the only fields the line's checks read."""
        checked = [a.name for a in attrs.fields(ClaimLine) if a.validator is not None]
        assert ["code", "through"] == checked
        assert not hasattr(ClaimLine, "__attrs_post_init__")
        source = inspect.getsource(_check_line_code)
        assert {"revenue_code", "modifiers"} == {
            n for n in ("revenue_code", "modifiers", "units", "charge", "date") if n in source
        }

    def test_a_nullable_float_column_with_a_gap(self) -> None:
        """A ``Float64`` column (``convert_dtypes`` of floats with gaps) holding pandas.NA
        reads its gap as an empty cell, in both readers (it raised a TypeError)."""
        frame = hd.synthetic_timesheet(4, seed=1)
        frame["minutes"] = [None, 30.5, None, None]
        frame = frame.convert_dtypes()
        assert "Float64" == str(frame.dtypes["minutes"])
        built = hd.claims_from_frame(frame)
        assert errors(row_reader(frame)) == errors(built)
        assert "minutes" == built.errors[0].error.field
        assert check_findings(row_reader(frame)) == frame_findings(hd.check_frame(frame))

    def test_a_missing_code_column_is_every_row_an_error(self) -> None:
        """Without a code column each row is refused as the row reader refuses it."""
        frame = hd.synthetic_timesheet(12, seed=4).drop(columns=["code"])
        built = hd.claims_from_frame(frame)
        assert () == built.claims
        assert 12 == len(built.errors)
        assert all(isinstance(e.error, InvalidFieldError) for e in built.errors)
        assert errors(row_reader(frame)) == errors(built)


class TestDerivedIds:
    @given(
        st.builds(
            Service,
            code=st.sampled_from(["G0299", "T1019", "S9124"]),
            date=st.dates(dt.date(2000, 1, 1), dt.date(2030, 12, 31)),
            minutes=st.none() | st.integers(0, 1440),
        )
    )
    def test_the_tabular_id_is_the_services(self, service: Service) -> None:
        """The id the frame reader derives from the texts is the id Service derives."""
        values = {a.name: getattr(service, a.name) for a in attrs.fields(Service)}
        rebuilt = _trusted.checked(Service)(*{**values, "id": _trusted.DERIVED}.values())
        assert service.id == rebuilt.id


def shaped_timesheet(text: Any, shape: str) -> pd.DataFrame:
    """800 rows of a synthetic timesheet, some unusable, its text columns of ``text``
    dtype: ``shape`` "in order", "shuffled", "text labels" (not ints) or "no findings"
    (no rows)."""
    frame = hd.synthetic_timesheet(800, bad_rows=0.05, seed=7)
    frame = frame.astype({c: text for c in ("claim_id", "code", "date", "start", "stop")})
    if shape == "shuffled":
        frame = frame.sample(frac=1.0, random_state=3)
    elif shape == "text labels":
        frame.index = [f"r{n}" for n in range(len(frame))]
    elif shape == "no findings":
        frame = frame.iloc[:0]
    return frame


def is_nan(value: object) -> bool:
    return isinstance(value, float) and value != value


#: The dtypes of a findings frame, column by column (``category``: a categorical).
FINDING_DTYPES = {
    "claim_id": "object",
    "row": "object",
    "line": "Int64",
    "rule_id": "category",
    "severity": "category",
    "field": "object",
    "message": "object",
    "suggestion": "object",
    "source": "category",
}


#: The dtypes of the findings of a frame with pandas' string dtype (``check_frame``).
COMPACT_DTYPES = {
    **FINDING_DTYPES,
    **dict.fromkeys(("claim_id", "field", "message", "suggestion"), "category"),
    "row": "Int64",
    "line": "Int16",
}


class TestFindingColumns:
    """Findings gathered a column at a time make a frame of the records' values."""

    RECORD = st.fixed_dictionaries(
        {
            "claim_id": st.none() | st.sampled_from(["C1", "C2"]),
            "row": st.none() | st.integers(-(2**70), 2**70) | st.sampled_from(["r1", (1, 2)]),
            "line": st.none() | st.integers(0, 5),
            "rule_id": st.sampled_from(["a", "b"]),
            "severity": st.sampled_from(["error", "warning"]),
            "field": st.none() | st.sampled_from(["units", "code"]),
            "message": st.text(max_size=3),
            "suggestion": st.none() | st.text(max_size=2),
            "source": st.sampled_from(["src", None]),
        }
    )

    @given(st.lists(RECORD, max_size=12), st.integers(0, 12))
    def test_the_records_values(self, records: list[dict[str, Any]], cut: int) -> None:
        """Any labels (ints of any size, text, tuples, none) and values, in two batches:
        each record's values come back as they went in (``None`` never NaN)."""
        columns = hd._frames.FindingColumns()
        columns.extend(records[:cut])
        columns.extend(records[cut:])
        actual = columns.frame()
        assert list(hd.FINDING_COLUMNS) == list(actual.columns)
        assert records == actual.to_dict("records")
        # A column of never-missing text is a categorical; one holding a gap stays object.
        missing = any(r["source"] is None for r in records)
        assert ("object" if missing else "category") == str(actual.source.dtype)
        assert {**FINDING_DTYPES, "source": str(actual.source.dtype)} == {
            c: str(t) for c, t in actual.dtypes.items()
        }

    @given(
        st.lists(RECORD, max_size=30),
        st.lists(st.tuples(st.booleans(), st.integers(0, 9)), max_size=8),
        st.integers(1, 4),
    )
    def test_records_added_in_pieces(
        self, records: list[dict[str, Any]], pieces: list[tuple[bool, int]], batch: int
    ) -> None:
        """Records given a few at a time, kept for a batch (``add``, or ``add_rows`` as
        tuples) or taken at once (``extend``), the last of them from columns gathered
        apart (``take``), batches of any size, new values and unhashable rows within one:
        each record's values come back as they went in, in order."""
        columns = hd._frames.FindingColumns()
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hd._frames, "_BATCH", batch)
            start = 0
            for n, (kept, size) in enumerate(pieces):
                piece = records[start : start + size]
                if kept and n % 2:  # as tuples of the columns' values (check_frame's)
                    columns.add_rows([tuple(r[c] for c in hd.FINDING_COLUMNS) for r in piece])
                else:
                    (columns.add if kept else columns.extend)(piece)
                start += size
            rest = hd._frames.FindingColumns()  # the rest gathered apart, then taken whole
            rest.add(records[start:])
            columns.take(rest)
            assert len(records) == len(columns)
            assert records[start:] == rest.frame().to_dict("records")  # left as it was
            assert records == columns.frame().to_dict("records")

    def test_many_distinct_values(self) -> None:
        """Codes widen past one byte (257 rules) and two (70,000 messages)."""
        records = [
            {
                "claim_id": f"C{n // 3}",
                "row": n // 2,
                "line": n % 7 or None,
                "rule_id": f"rule-{n % 300}",
                "severity": "error",
                "field": None,
                "message": f"message {n}",
                "suggestion": None,
                "source": "src",
            }
            for n in range(70_000)
        ]
        columns = hd._frames.FindingColumns()
        columns.extend(records)
        # claim_id 23,334 values, row (kept apart), line, rule_id 300, ..., message 70,000
        assert ["H", "B", "B", "H", "B", "B", "i", "B", "B"] == [c.typecode for c in columns.codes]
        actual = columns.frame()
        assert records == actual.to_dict("records")
        assert "int16" == str(actual.rule_id.cat.codes.dtype)

    def test_a_view_of_the_codes_held_elsewhere(self) -> None:
        """A view of the gathered codes still alive (a sampling profiler holding a
        finished frame's locals does that) does not fail the frame; 40,000 rule ids
        make 32-bit codes, the type pandas keeps; the columns let their codes go."""
        np = pytest.importorskip("numpy")
        records = [
            {**dict.fromkeys(hd.FINDING_COLUMNS), "rule_id": f"r{n}", "severity": "error"}
            | {"message": "m", "source": "s", "row": n}
            for n in range(40_000)
        ]
        columns = hd._frames.FindingColumns()
        columns.extend(records)
        held = [part for codes in (*columns.codes, columns.rows) for _, part in codes.parts(np)]
        assert held
        actual = columns.frame()
        assert records == actual.to_dict("records")
        assert "int32" == str(actual.rule_id.cat.codes.dtype)
        assert not any(columns.codes) and not any(columns.seen) and not columns.rows

    @pytest.mark.parametrize("compact", [False, True])
    def test_rows_in_32_bits_until_one_needs_64(self, compact: bool) -> None:
        """Row labels are gathered in 32 bits, widened for the first that needs 64 (the
        rows before it kept); one beyond 64 bits makes every row the object it is."""
        labels = [5, None, -(2**31), 2**31 - 1, 2**31, -(2**63), 7]
        records = [
            {**dict.fromkeys(hd.FINDING_COLUMNS), "rule_id": "r", "severity": "error"}
            | {"message": "m", "source": "s", "row": label}
            for label in labels
        ]
        columns = hd._frames.FindingColumns()
        columns.extend(records[:4])
        assert "i" == columns.rows.typecode
        columns.extend(records[4:])
        assert "q" == columns.rows.typecode and columns.other_rows is None
        rows = columns.frame(compact=compact).row.tolist()
        assert labels == [None if v is pd.NA else v for v in rows]
        columns = hd._frames.FindingColumns()
        columns.extend([*records, {**records[0], "row": 2**63}])
        assert [*labels, 2**63] == columns.frame(compact=compact).row.tolist()

    @pytest.mark.parametrize(("line", "dtype"), [(9_999, "Int16"), (2**15, "Int64")])
    def test_compact_lines_in_two_bytes(self, line: int, dtype: str) -> None:
        """Compact findings keep ``line`` (a line's index: a claim holds at most
        MAX_LINES) as Int16; a value no claim's line can have keeps Int64, never wraps."""
        assert MAX_LINES < 2**15
        records = [
            {**dict.fromkeys(hd.FINDING_COLUMNS), "rule_id": "r", "severity": "error"}
            | {"message": "m", "source": "s", "row": n, "line": (None, 0, line)[n % 3]}
            for n in range(9)
        ]
        columns = hd._frames.FindingColumns()
        columns.extend(records)
        actual = columns.frame(compact=True)
        assert dtype == str(actual.line.dtype)
        assert [r["line"] for r in records] == [
            None if v is pd.NA else v for v in actual.line.tolist()
        ]

    @pytest.mark.parametrize(
        ("distinct", "width"),
        [(126, "int8"), (200, "int16"), (30_000, "int16"), (70_000, "int32")],
    )
    def test_codes_in_the_width_pandas_keeps(self, distinct: int, width: str) -> None:
        """Gathered codes (unsigned, one to four bytes) become the categorical's codes
        in the signed width pandas keeps for that many categories, values unchanged."""
        records = [
            {**dict.fromkeys(hd.FINDING_COLUMNS), "rule_id": f"r{n % distinct}"}
            | {"severity": "error", "message": "m", "source": "s", "row": n}
            for n in range(distinct * 2)
        ]
        columns = hd._frames.FindingColumns()
        columns.extend(records)
        gathered = columns.codes[hd.FINDING_COLUMNS.index("rule_id")].typecode
        assert {126: "B", 200: "B", 30_000: "H", 70_000: "i"}[distinct] == gathered
        actual = columns.frame()
        assert records == actual.to_dict("records")
        assert width == str(actual.rule_id.cat.codes.dtype)

    @given(
        st.lists(st.lists(st.integers(0, 2**16 - 1), max_size=9) | st.just([2**31]), max_size=12),
        st.integers(0, 40),
        st.integers(0, 40),
    )
    def test_blocks_hold_what_an_array_holds(
        self, pieces: list[list[int]], start: int, stop: int
    ) -> None:
        """Values gathered in blocks (4 entries each here) read back as one growing array
        holds them, widened as they grow; every block but the first (an array, grown) is
        made at its size and never moved or resized (a value that does not fit adds
        nothing of its piece)."""
        np = pytest.importorskip("numpy")
        from array import array

        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hd._frames, "_BLOCK", 4)
            patch.setattr(hd._frames, "_SLICE", 3)
            blocks, plain = hd._frames._Blocks("B"), array("B")
            where: dict[int, int] = {}
            for piece in pieces:
                while piece and max(piece) >= hd._frames._HOLDS[blocks.typecode]:
                    blocks.widen()  # every block made again, wider
                    plain, where = array(blocks.typecode, plain), {}
                blocks.extend(piece)
                plain.fromlist(piece)
                assert len(blocks.blocks[0]) == min(len(plain), 4) if plain else not blocks.blocks
                for block in blocks.blocks[1:]:
                    address = np.frombuffer(block, dtype="B").ctypes.data
                    assert 4 == len(block) and where.setdefault(id(block), address) == address
            assert len(plain) == len(blocks)
            assert plain.tolist() == blocks.tolist()
            assert plain.tolist()[start:stop] == blocks.tolist(start, min(stop, len(plain)))
            assert plain.tolist() == [v for _, part in blocks.parts(np) for v in part.tolist()]
            parts = list(blocks.parts(np))
            assert all(0 < len(part) <= 3 for _, part in parts)
            assert [sum(len(part) for _, part in parts[:k]) for k in range(len(parts))] == [
                at for at, _ in parts
            ]
            joined = blocks.join(np, np.int64)
            assert plain.tolist() == joined.tolist() and "int64" == str(joined.dtype)
            assert not blocks and not blocks.blocks  # let go as joined
            for first in ([], [1], [1, 2, 3]):  # nothing yet, room in the first block, none
                some = hd._frames._Blocks("B")
                some.extend(first)
                with pytest.raises(OverflowError):
                    some.extend([1, 2, 256])
                assert first == some.tolist()

    def test_blocks_without_memory_maps(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """Where the system makes no memory map (none left, or no ``mmap``), a block is
        an array of its full size: the values are the same."""
        import mmap

        def refuse(*args: object) -> None:
            raise OSError(12, "Cannot allocate memory")

        monkeypatch.setattr(mmap, "mmap", refuse)
        monkeypatch.setattr(hd._frames, "_BLOCK", 4)
        blocks = hd._frames._Blocks("B")
        blocks.extend(list(range(10)))
        blocks.widen()
        blocks.extend([300])
        assert [*range(10), 300] == blocks.tolist()
        assert [4, 4, 4] == [len(b) for b in blocks.blocks]  # the first filled, the rest made
        np = pytest.importorskip("numpy")
        assert [*range(10), 300] == blocks.join(np).tolist()

    @pytest.mark.parametrize("text", [object, "str"])
    @pytest.mark.parametrize("shape", ["in order", "shuffled", "text labels", "no findings"])
    def test_check_frame_in_small_blocks_as_in_one(self, text: Any, shape: str) -> None:
        """check_frame's findings gathered in blocks of 7 entries, made into a frame 3 at a
        time (many blocks, every column crossing block edges) are the frame made of one
        block and slice each: the same
        dtypes, order and values, for many findings, none, claims out of order and row
        labels that are not ints."""
        frame = shaped_timesheet(text, shape)
        whole = hd.check_frame(frame)
        assert (len(whole) > 300) == (shape != "no findings")
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(hd._frames, "_BLOCK", 7)
            patch.setattr(hd._frames, "_SLICE", 3)
            patch.setattr(hd._frames, "_BATCH", 5)
            blocked = hd.check_frame(frame)
        pd.testing.assert_frame_equal(whole, blocked)

    @pytest.mark.parametrize("text", [object, "str"])
    @pytest.mark.parametrize("shape", ["in order", "shuffled", "text labels", "no findings"])
    def test_check_frame_is_the_plain_path(self, text: Any, shape: str) -> None:
        """check_frame (each finding's columns read as a tuple, :func:`report_rows`) makes
        the frame the plain path makes: check() of each claim of the frame, each finding's
        ``to_data()`` record, then the unusable rows' records, the same dtypes, order and
        values, for many findings, none, claims out of order, row labels that are not ints,
        object and str columns."""
        frame = shaped_timesheet(text, shape)
        built = hd.claims_from_frame(frame)
        plain = hd._frames.FindingColumns()
        plain.extend(hd._frames.finding_records((check(c) for c in built.claims), built.rows))
        plain.extend(e.to_data() for e in built.errors)
        expected = plain.frame(compact=hd._frames.is_compact(frame))
        assert (len(expected) > 300) == (shape != "no findings")
        pd.testing.assert_frame_equal(expected, hd.check_frame(frame))

    def test_report_rows_are_the_records(self) -> None:
        """A report's rows are its records' values in the columns' order, for line and
        claim findings, with and without rows, its findings' messages read or not."""
        frame = hd.synthetic_timesheet(300, seed=2)
        built = hd.claims_from_frame(frame)
        assert any(f.line is None for c in built.claims for f in check(c))
        for claim, rows in zip(built.claims, built.rows, strict=True):
            for lines in (rows, None):
                records = hd._frames.report_records(check(claim), lines)
                assert [tuple(r[c] for c in hd.FINDING_COLUMNS) for r in records] == (
                    hd._frames.report_rows(check(claim), lines)
                )

    def test_a_rows_findings_share_its_label(self) -> None:
        """A line's findings, which come together, share one int object for their row
        (in a frame of object columns: a compact one holds rows as Int64)."""
        found = hd.check_frame(hd.synthetic_timesheet(400, seed=1).astype(object))
        assert len(found) > len(set(found.row))
        firsts: dict[object, int] = {}
        for label, before in zip(found.row.iloc[1:], found.row.iloc[:-1], strict=True):
            if label == before and label is not None:
                firsts[label] = firsts.get(label, 0) + (label is not before)
        assert firsts and not any(firsts.values())

    @pytest.mark.parametrize("chunk", [97, 5_000])
    def test_check_frame_values_as_before(
        self, chunk: int, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """check_frame's rows, as values, are the records its findings and unusable rows
        make (what its frame of object columns held), with no NaN where a value is missing,
        for a frame of object columns."""
        frame = hd.synthetic_timesheet(3_000, bad_rows=0.05, seed=6).astype(object)
        built = hd.claims_from_frame(frame)
        expected = list(hd._frames.finding_records((check(c) for c in built.claims), built.rows))
        unused = [e.to_data() for e in built.errors]
        monkeypatch.setattr(hd, "_CHUNK", chunk)
        found = hd.check_frame(frame)
        records = found.to_dict("records")
        # The findings in check()'s order; then the unusable rows, chunk by chunk.
        assert expected == records[: len(expected)]
        assert sorted(unused, key=repr) == sorted(records[len(expected) :], key=repr)
        assert not any(is_nan(v) for r in records for v in r.values())
        assert any(v is None for r in records for v in r.values())
        assert FINDING_DTYPES == {c: str(t) for c, t in found.dtypes.items()}

    @pytest.mark.parametrize("text", ["str", "string"])
    def test_a_compact_frame_of_a_frame_of_pandas_text(self, text: str) -> None:
        """A frame with pandas' string dtype gets the compact findings: the same records,
        every column that may be empty a categorical (an empty cell NaN, never a
        category) and ``row`` Int64 (``<NA>``); a frame of object columns gets objects."""
        frame = hd.synthetic_timesheet(1_000, bad_rows=0.05, seed=6).astype(object)
        frame.loc[frame.index[:2], "claim_id"] = None  # rows without a claim: no claim_id
        typed = frame.astype({c: text for c in ("claim_id", "code", "date", "start", "stop")})
        plain, compact = hd.check_frame(frame), hd.check_frame(typed)
        assert COMPACT_DTYPES == {c: str(t) for c, t in compact.dtypes.items()}
        assert FINDING_DTYPES == {c: str(t) for c, t in plain.dtypes.items()}
        records = plain.to_dict("records")
        assert [
            {k: None if hd._frames.is_missing(v) else v for k, v in r.items()}
            for r in compact.to_dict("records")
        ] == records
        assert not compact.field.isna().any()  # every finding names its field here
        for name in ("claim_id", "row", "suggestion"):
            empty = [r[name] is None for r in records]
            assert any(empty) and empty == compact[name].isna().tolist()
            if name != "row":
                assert not compact[name].cat.categories.isna().any()
                assert all(is_nan(v) for v in compact[name][empty])

    def test_every_findings_frame_has_the_dtypes(self) -> None:
        """check_frame of object columns, findings_frame, Report.to_frame and an empty
        frame alike; check_frame of pandas' text columns, empty or not, compact."""
        built = hd.claims_from_frame(timesheet())
        frames = [
            hd.check_frame(timesheet().astype(object)),
            hd.check_frame(timesheet().astype(object).iloc[:0]),
            hd.findings_frame(
                [*(check(c) for c in built.claims), InvalidFieldError("x", 1, "bad")]
            ),
            check(built.claims[0]).to_frame(),
        ]
        for frame in frames:
            assert FINDING_DTYPES == {c: str(t) for c, t in frame.dtypes.items()}
        texts = timesheet().astype({"claim_id": "str"})
        for frame in (hd.check_frame(texts), hd.check_frame(texts.iloc[:0])):
            assert COMPACT_DTYPES == {c: str(t) for c, t in frame.dtypes.items()}

    def test_a_row_error_keeps_no_traceback(self) -> None:
        """A row's error is kept without the frames that raised it (they held every claim)."""
        built = hd.claims_from_frame(timesheet())
        assert built.errors
        assert all(e.error.__traceback__ is None for e in built.errors)
