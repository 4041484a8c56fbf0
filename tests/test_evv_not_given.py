"""A claim read from a format that cannot carry EVV visits does not give them.

An 837I or 837P, UB-04 rows, a CMS research (RIF) file and the claim CSV never
carry electronically verified visits: the provider's EVV system sends them to the
state's aggregator, and the payer matches each claim line there (21st Century
Cures Act §12006; Texas HHSC EVV Policy Handbook §12000).  A claim read from one
has ``evv_visits=None`` ("not given"), so the EVV rules (``Need.EVV``) do not run;
a claim that gives its visits (``()`` or some, as one built directly or by
``claim_from_visits``) is matched as before.  Each entry point's correct claim is
tested next to the broken one.
"""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path
from typing import Any

import attrs
import pytest
from hypothesis import given, settings

from hcpcs_home import Claim, ClaimLine, EvvVisit, Service, check, check_many, payers
from hcpcs_home import strategies as hst
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError
from hcpcs_home.evv import claim_from_visits, match_visits, worker_overlaps
from hcpcs_home.formats import FORMATS
from hcpcs_home.history import MemoryHistory, SqliteHistory
from hcpcs_home.policy import Need
from hcpcs_home.serialize import claim_from_data, claim_from_json, claim_to_json, make_converter

TX = payers.TEXAS_MEDICAID
#: The rules that match a line with the claim's EVV visits (they need ``Need.EVV``).
EVV_RULES = {"evv-visit-missing", "evv-element-missing", "evv-units-over-verified"}


def personal_care(**kw: Any) -> Claim:
    """A correct Texas Medicaid 837P claim: two days of T1019 (EVV required), 16 units each."""
    fields: dict[str, Any] = {"id": "TX1019", "patient_id": "TX100", **kw}
    return Claim(
        TX,
        "2024-03-04",
        "2024-03-05",
        lines=[
            ClaimLine("T1019", "2024-03-04", 16, charge="74.88"),
            ClaimLine("T1019", "2024-03-05", 16, charge="74.88"),
        ],
        **fields,
    )


def home_health(**kw: Any) -> Claim:
    """A Texas Medicaid 0331 home-health claim: one RN visit (G0299, EVV required)."""
    return Claim(
        TX,
        "2024-03-01",
        "2024-03-31",
        type_of_bill="0331",
        lines=[ClaimLine("G0299", "2024-03-04", 1, revenue_code="0551", charge="100")],
        **{"id": "TXHH1", **kw},
    )


def evv_findings(claim: Claim, **kw: Any) -> list[str]:
    """The ids of the EVV rules' findings on ``claim``."""
    return [f.rule_id for f in check(claim, **kw) if f.rule_id in EVV_RULES]


def visit(day: str, **kw: Any) -> EvvVisit:
    """An accepted T1019 visit of member TX100 by worker W7, 08:00 to 12:00, every element."""
    from test_builders import evv_visit

    return evv_visit(dt.date.fromisoformat(day), **kw)


def shift_claim(claim_id: str) -> Claim:
    """A claim from a timesheet (visits not given): W7's T1019 shift of 4 March, 08:00-12:00."""
    from test_rules_history_visits import documented

    return attrs.evolve(documented(claim_id), patient_id="TX100", evv_visits=None)


class TestClaim:
    """``Claim.evv_visits``: ``None`` is "not given", ``()`` given and none."""

    def test_default_gives_none_visits(self) -> None:
        """A claim built directly gives its visits (none), and is matched as before: its
        T1019 lines have no visit."""
        claim = personal_care()
        assert ((), True) == (claim.evv_visits, claim.has_evv)
        assert ["evv-visit-missing"] * 2 == evv_findings(claim)

    def test_not_given(self) -> None:
        """``evv_visits=None`` does not give them: no EVV rule judges the claim, and it is
        clean (the notes are information)."""
        claim = personal_care(evv_visits=None)
        assert (None, False) == (claim.evv_visits, claim.has_evv)
        report = check(claim)
        assert [] == evv_findings(claim)
        assert report.ok and () == report.errors and () == report.warnings

    def test_given_visits_are_matched(self) -> None:
        """Visits given for both days check clean; one day's visit missing is an error
        on that line."""
        both = personal_care(evv_visits=[visit("2024-03-04"), visit("2024-03-05")])
        assert [] == evv_findings(both)
        assert ["evv-visit-missing"] == evv_findings(
            attrs.evolve(both, evv_visits=both.evv_visits[:1])
        )

    def test_junk_visits_refused(self) -> None:
        """Anything but ``None`` or a list of EvvVisits is refused, naming the field."""
        for junk in ("V1", 5, {"id": "V1"}, [object()]):
            with pytest.raises(InvalidFieldError) as info:
                personal_care(evv_visits=junk)
            assert "evv_visits" == info.value.field

    def test_duplicate_ids_still_refused(self) -> None:
        """Two visits of one id are refused; ``None`` has no ids to clash."""
        with pytest.raises(InvalidClaimError, match="evv_visits"):
            personal_care(evv_visits=[visit("2024-03-04"), visit("2024-03-04")])

    def test_needs_follow_has_evv(self) -> None:
        """What a check gives follows has_chart and has_evv (``Need.EVV`` only when given)."""
        from hcpcs_home._engine.context import gives

        chart = Service.from_times("T1019", "2024-03-04", "08:00", "12:00", credential="PCA")
        charted = personal_care(services=[chart])
        assert {Need.HEADER, Need.EVV} == gives(personal_care())
        assert {Need.HEADER} == gives(personal_care(evv_visits=None))
        assert {Need.HEADER, Need.EVV, Need.CHART} == gives(charted)
        assert {Need.HEADER, Need.CHART} == gives(attrs.evolve(charted, evv_visits=None))

    def test_many_claims_given_and_not(self) -> None:
        """Claims of one payer and bill type, visits given and not in turn, each get what
        they give, past the point where a check compiles its plans."""
        claims = [
            make(id=f"C{i}", evv_visits=None if i % 2 else ())
            for make in (personal_care, home_health)
            for i in range(40)
        ]
        found = [[f.rule_id for f in r if f.rule_id in EVV_RULES] for r in check_many(claims)]
        assert [c.evv_visits is None for c in claims] == [not ids for ids in found]

    def test_match_visits_and_overlaps_of_a_claim_not_given(self) -> None:
        """The EVV functions take a claim that gives no visits as one without any."""
        claim = personal_care(evv_visits=None)
        assert [(0, ()), (1, ())] == [(m.line, m.visits) for m in match_visits(claim)]
        assert 2 == len(match_visits(claim, [visit("2024-03-04")]))
        assert () == worker_overlaps([claim, claim])


class TestX12:
    """837P and 837I files (x12sdk) carry no EVV visits."""

    def test_837p(self) -> None:
        """A correct T1019 claim read from an 837P is clean; the same lines given no visit
        (``evv_visits=()``) are not."""
        pytest.importorskip("x12sdk")
        from test_x12_files import template
        from x12sdk.generate import generate_837p

        from hcpcs_home import x12_files

        claim = personal_care()
        text = x12_files.update_837(template([claim], generate_837p), [claim])
        (back,) = x12_files.read_837(text, payer=TX)
        assert (None, claim.lines) == (back.evv_visits, back.lines)
        assert [] == evv_findings(back) and check(back).ok
        assert ["evv-visit-missing"] * 2 == evv_findings(attrs.evolve(back, evv_visits=()))

    def test_837i(self) -> None:
        """A 0331 G0299 claim read from an 837I gets no EVV finding; given no visit, one."""
        pytest.importorskip("x12sdk")
        from test_x12_files import template
        from x12sdk.generate import generate_837i

        from hcpcs_home import x12_files

        claim = home_health()
        text = x12_files.update_837(template([claim], generate_837i), [claim])
        (back,) = x12_files.read_837(text, payer=TX)
        assert back.evv_visits is None
        assert [] == evv_findings(back)
        assert ["evv-visit-missing"] == evv_findings(attrs.evolve(back, evv_visits=()))

    def test_837i_claim_loop(self) -> None:
        """x12.parse_claim, the loop-2300 reader, gives no visits either."""
        from hcpcs_home import x12

        back = x12.parse_claim(x12.claim_segments(home_health()), payer=TX)
        assert (None, []) == (back.evv_visits, evv_findings(back))
        assert ["evv-visit-missing"] == evv_findings(home_health())


class TestRif:
    def test_rif_claim(self, tmp_path: Path) -> None:
        """A RIF claim (read here for Texas Medicaid, whose G0299 needs EVV) gets no EVV
        finding; the same claim given no visit gets one."""
        from test_rif import row, write

        from hcpcs_home import rif

        rows = [
            row(
                "R1",
                1,
                "0551",
                "04-Mar-2024",
                "G0299",
                BENE_ID="TX100",
                CLM_SRVC_CLSFCTN_TYPE_CD="3",
                CLM_FREQ_CD="1",
                REV_CNTR_TOT_CHRG_AMT="100.00",
            )
        ]
        (back,) = rif.read_claims(write(tmp_path / "hha.csv", rows), payer=TX)
        assert isinstance(back, Claim)
        assert ("0331", None) == (back.type_of_bill, back.evv_visits)
        assert [] == evv_findings(back)
        assert ["evv-visit-missing"] == evv_findings(attrs.evolve(back, evv_visits=()))


class TestUb04:
    def test_ub04_rows(self) -> None:
        """UB-04 rows carry no visits (the library writes them; a claim as the form
        carries it gives none): no EVV finding."""
        sent = FORMATS["UB-04"].carried(home_health())
        assert (None, []) == (sent.evv_visits, evv_findings(sent))


def timesheet_rows() -> list[dict[str, Any]]:
    """A correct Texas Medicaid timesheet: W7's T1019 shifts of 4 and 5 March, 08:00-12:00,
    with the orders and plan of care on file."""
    return [
        {
            "claim_id": "TS1",
            "payer": "tx-medicaid",
            "patient_id": "TX100",
            "code": "T1019",
            "date": day,
            "time_in": "08:00",
            "time_out": "12:00",
            "credential": "PCA",
            "rendering_id": "W7",
            "orders_on_file": "true",
            "plan_of_care_on_file": "true",
        }
        for day in ("2024-03-04", "2024-03-05")
    ]


class TestCsv:
    """The claim CSV and timesheets (rows, DataFrames, the command line) carry no visits."""

    def test_claims_from_rows(self) -> None:
        """A timesheet's claim is clean; with its visits given as none it is not."""
        from hcpcs_home import dataframes

        rows = timesheet_rows()
        built = dataframes.claims_from_rows(list(enumerate(rows, start=2)), list(rows[0]))
        (claim,) = built.claims
        assert (None, True) == (claim.evv_visits, claim.has_chart)
        assert [] == evv_findings(claim) and check(claim).ok
        assert ["evv-visit-missing"] * 2 == evv_findings(attrs.evolve(claim, evv_visits=()))

    def test_claims_from_frame(self) -> None:
        """claims_from_frame gives no visits, through the column reader as through rows."""
        pd = pytest.importorskip("pandas")
        from hcpcs_home import dataframes

        frame = pd.DataFrame(timesheet_rows())
        headed = frame.assign(notice_accepted=None, admission_date="2024-03-04")
        for one in (frame, headed):  # the second has a header column: built row by row
            (claim,) = dataframes.claims_from_frame(one).claims
            assert claim.evv_visits is None
            assert [] == evv_findings(claim)

    def test_claim_rows_round_trip(self) -> None:
        """A claim written as claim rows and read back is what the CSV map carries: its
        visits not given, and clean."""
        from hcpcs_home import dataframes

        claim = personal_care(evv_visits=[visit("2024-03-04"), visit("2024-03-05")])
        rows = dataframes.claim_rows(claim)
        (back,) = dataframes.claims_from_rows(
            list(enumerate(rows, start=2)), dataframes.ROW_COLUMNS
        ).claims
        assert FORMATS["CSV"].carried(claim) == back
        assert [] == evv_findings(back)

    def test_cli_check_csv(self, tmp_path: Path) -> None:
        """``hcpcs-home check`` of the timesheet CSV exits 0: no EVV error."""
        import csv

        from hcpcs_home.cli import EXIT_OK, main

        rows = timesheet_rows()
        path = tmp_path / "timesheet.csv"
        with path.open("w", newline="") as out:
            writer = csv.DictWriter(out, list(rows[0]))
            writer.writeheader()
            writer.writerows(rows)
        stdout = io.StringIO()
        assert EXIT_OK == main(["check", str(path)], stdout=stdout, stderr=io.StringIO())
        assert "evv-" not in stdout.getvalue()


class TestJson:
    """JSON keeps "not given" (``null``) apart from "none" (``[]``)."""

    def test_null_round_trips(self) -> None:
        """``null`` reads back as ``None``, ``[]`` as ``()``; both through one pass and the
        reporting pass, and through a cattrs converter."""
        for claim in (personal_care(evv_visits=None), personal_care()):
            text = claim_to_json(claim, indent=None)
            assert claim == claim_from_json(text)
            for _ in range(40):  # past the reader's compile threshold (_build.COMPILE_AFTER)
                assert claim == claim_from_json(text)
            data = make_converter().unstructure(claim)
            assert claim.evv_visits == (None if data["evv_visits"] is None else ())
            assert claim == make_converter().structure(data, Claim)
            assert claim == claim_from_data(data)
        assert '"evv_visits": null' in claim_to_json(personal_care(evv_visits=None))

    def test_clean_from_json(self) -> None:
        """A claim whose JSON says ``"evv_visits": null`` is clean; ``[]`` is not."""
        text = claim_to_json(personal_care(evv_visits=None))
        assert [] == evv_findings(claim_from_json(text))
        given = text.replace('"evv_visits": null', '"evv_visits": []')
        assert ["evv-visit-missing"] * 2 == evv_findings(claim_from_json(given))

    def test_old_json_reads_as_today(self) -> None:
        """A document without the key gives its visits (none), as it always did."""
        data = make_converter().unstructure(personal_care(evv_visits=None))
        del data["evv_visits"]
        old = claim_from_data(data)
        assert () == old.evv_visits
        assert ["evv-visit-missing"] * 2 == evv_findings(old)

    def test_junk_still_refused(self) -> None:
        """A value that is neither a list nor null is an error at its path."""
        data = make_converter().unstructure(personal_care())
        for junk in ("V1", 5, {"id": "V1"}, True):
            with pytest.raises(InvalidFieldError) as info:
                claim_from_data({**data, "evv_visits": junk})
            assert info.value.field.startswith("$.evv_visits")
        with pytest.raises(InvalidFieldError) as info:
            claim_from_data({**data, "lines": None})  # null is no value of another list
        assert "$.lines" == info.value.field

    @settings(max_examples=60)
    @given(hst.claims())
    def test_drawn_claims_round_trip(self, claim: Claim) -> None:
        """Any drawn claim, visits given or not, survives JSON unchanged."""
        assert claim == claim_from_json(claim_to_json(claim))


class TestBuilders:
    def test_claim_from_visits(self) -> None:
        """A claim built from accepted visits gives them and is clean; one visit taken
        away leaves its line without a match."""
        visits = [visit("2024-03-04"), visit("2024-03-05")]
        claim = claim_from_visits(visits, member="TX100", payer=TX, charges={"T1019": "4.68"})
        assert claim.has_evv and [] == evv_findings(claim) and check(claim).ok
        broken = attrs.evolve(claim, evv_visits=visits[1:])
        assert ["evv-visit-missing"] == evv_findings(broken)


class TestProperties:
    """A claim that does not give its EVV visits is never judged by a rule that needs them."""

    @settings(max_examples=60)
    @given(hst.claims())
    def test_no_evv_rule_without_visits(self, claim: Claim) -> None:
        """Whatever the claim, with ``evv_visits=None`` no finding comes from an EVV rule."""
        from hcpcs_home.rules import DEFAULT_RULES

        needs_evv = {r.id for r in DEFAULT_RULES if Need.EVV in r.needs}
        assert EVV_RULES <= needs_evv
        not_given = attrs.evolve(claim, evv_visits=None)
        assert not needs_evv & set(check(not_given).rule_ids())


@pytest.fixture(params=["memory", "sqlite"])
def history(request: pytest.FixtureRequest) -> Any:
    """An empty history of each shipped kind."""
    return MemoryHistory() if request.param == "memory" else SqliteHistory(":memory:")


class TestHistory:
    """Claims that do not give their visits, stored and checked against a history."""

    def test_stored_claim_keeps_not_given(self, history: Any) -> None:
        """A claim stored with ``evv_visits=None`` comes back with it, beside one with ``()``."""
        history.add(personal_care(evv_visits=None))
        history.add(personal_care(id="TX2"))
        found = sorted(history.claims("TX100", "2024-03-01", "2024-03-31"), key=lambda c: c.id)
        assert [None, ()] == [c.evv_visits for c in found]

    def test_sqlite_file_round_trip(self, tmp_path: Path) -> None:
        """A store on disk, closed and opened again, keeps ``None``."""
        path = tmp_path / "history.sqlite"
        store = SqliteHistory(path)
        store.add(personal_care(evv_visits=None))
        store.close()
        (back,) = SqliteHistory(path).claims("TX100", "2024-03-01", "2024-03-31")
        assert back == personal_care(evv_visits=None)

    def test_visit_billed_twice_from_the_aggregator(self, history: Any) -> None:
        """A claim from an 837P (visits not given) is matched with the aggregator's visits
        on file: the one already billed on a claim on file is found, the other is clean."""
        history.add_visits([visit("2024-03-04"), visit("2024-03-05")])
        history.add(shift_claim("ON-FILE"))
        report = check(personal_care(evv_visits=None), history=history)
        billed = [f.line for f in report if f.rule_id == "history-evv-visit-billed"]
        assert [0] == billed
        assert [] == [f for f in report if f.rule_id in EVV_RULES]

    def test_worker_overlap_with_claims_not_given(self, history: Any) -> None:
        """A documented shift of a claim that gives no visits still meets the worker's
        stored visit for another member; apart, it is clean."""
        claim = shift_claim("C1")
        history.add_visits([visit("2024-03-04", member="M2", start="13:00", stop="15:00")])
        assert [] == [f for f in check(claim, history=history) if "overlap" in f.rule_id]
        history.add_visits([visit("2024-03-04", member="M3", start="11:00", stop="13:00")])
        found = [f.rule_id for f in check(claim, history=history) if "overlap" in f.rule_id]
        assert ["history-worker-visit-overlap"] == found

    def test_batch_with_claims_not_given(self) -> None:
        """check_many of a batch mixing claims that give visits and claims that do not."""
        given_visits = personal_care(evv_visits=[visit("2024-03-04"), visit("2024-03-05")])
        reports = check_many([personal_care(evv_visits=None), given_visits], batch=True)
        assert [[], []] == [[f.rule_id for f in r if f.rule_id in EVV_RULES] for r in reports]
