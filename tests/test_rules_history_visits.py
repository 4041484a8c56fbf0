"""EVV visits against the claim history: the same visit billed on two claims, and one
worker in two places across claims (each clean next to broken, with both stores)."""

from __future__ import annotations

from typing import Any

import pytest

from hcpcs_home import Claim, ClaimLine, Service, check, check_many, payers
from hcpcs_home.evv import EvvVisit
from hcpcs_home.history import MemoryHistory, SqliteHistory

TX = payers.TEXAS_MEDICAID
ND = payers.NORTH_DAKOTA_MEDICAID
RULE = "history-evv-visit-billed"
OVERLAP = "history-worker-visit-overlap"


@pytest.fixture(params=["memory", "sqlite"])
def history(request: pytest.FixtureRequest) -> Any:
    """An empty history of each shipped kind."""
    return MemoryHistory() if request.param == "memory" else SqliteHistory(":memory:")


def visit(day: str = "2024-03-04", start: str = "08:00", stop: str = "12:00", **kw: Any) -> Any:
    """An accepted T1019 visit of member M1 by worker W7, with every Cures Act element."""
    fields: dict[str, Any] = {
        "member": "M1",
        "start": start,
        "stop": stop,
        "location": "12 Elm St",
        "worker": "W7",
        **kw,
    }
    return EvvVisit("T1019", day, **fields)


def claim(claim_id: str, *visits: Any, carry: bool = True, payer: Any = TX, **kw: Any) -> Claim:
    """A personal-care claim of member M1 with a line per visit (4 units an hour), carrying
    the visits or not."""
    lines = [ClaimLine("T1019", v.date, 4 * (v.minutes // 60)) for v in visits]
    return Claim(
        payer,
        kw.pop("start", "2024-03-01"),
        kw.pop("end", "2024-03-31"),
        id=claim_id,
        patient_id=kw.pop("patient_id", "M1"),
        lines=lines,
        evv_visits=list(visits) if carry else [],
        **kw,
    )


def documented(claim_id: str) -> Claim:
    """A claim of member M1 from an 837P: no visits, a line from W7's documented service of
    2024-03-04, 08:00 to 12:00."""
    worker = Service.from_times("T1019", "2024-03-04", "08:00", "12:00", rendering_id="W7")
    return Claim(
        TX,
        "2024-03-01",
        "2024-03-31",
        id=claim_id,
        patient_id="M1",
        lines=[ClaimLine.from_service(worker, payer=TX)],
        services=[worker],
    )


def found(c: Claim, store: Any, rule_id: str = RULE) -> list[tuple[int | None, str]]:
    return [(f.line, f.message) for f in check(c, history=store) if f.rule_id == rule_id]


class TestHistoryEvvVisitBilled:
    """An accepted EVV visit backs one billed service: a line whose visit already backs
    a line of a claim on file bills it a second time."""

    def test_other_visits_are_clean(self, history: Any) -> None:
        """A claim billing the member's next visit is clean beside the claim on file."""
        history.add(claim("C1", visit()))
        assert [] == found(claim("C2", visit("2024-03-05")), history)

    def test_visit_carried_on_both_claims(self, history: Any) -> None:
        """A visit carried on a claim on file and on the checked claim: the finding names
        the visit and the claim on file."""
        history.add(claim("C1", visit()))
        ((line, msg),) = found(claim("C2", visit("2024-03-05"), visit()), history)
        assert 1 == line
        assert (
            "2024-03-04/T1019/M1/0800" in msg and "C1 (TOB 837P, 2024-03-01 to 2024-03-31)" in msg
        )
        assert "line 1" in msg

    def test_stored_visit_matched_to_both_claims(self, history: Any) -> None:
        """Claims that carry no visits (read from an 837P) are matched to the aggregator's
        visits stored with add_visits; a visit both match is billed twice."""
        history.add_visits([visit(), visit("2024-03-05")])
        history.add(documented("C1"))
        clean = claim("C2", visit("2024-03-05"), carry=False)
        broken = claim("C3", visit(), carry=False)
        assert [] == found(clean, history)
        ((line, msg),) = found(broken, history)
        assert 0 == line and "C1 (TOB 837P" in msg

    def test_a_lone_line_of_two_visits_proves_neither(self, history: Any) -> None:
        """A claim on file without visits or times bills one line on a day with two stored
        visits: which one it bills is not known, so a new claim for the afternoon visit is
        clean; one whose line documents the morning clock-in bills the morning visit."""
        am, pm = visit(), visit(start="14:00", stop="16:00")
        history.add_visits([am, pm])
        history.add(claim("C1", am, carry=False, patient_id="M1"))
        assert [] == found(claim("C2", pm), history)
        history.add(documented("C3"))
        assert [] == found(claim("C2", pm), history)
        ((_, msg),) = found(claim("C4", am), history)
        assert "C3 (TOB 837P" in msg

    def test_recorded_claim_is_itself(self, history: Any) -> None:
        """The claim checked after it was recorded is not its own duplicate."""
        c = claim("C1", visit())
        history.add(c)
        assert [] == found(c, history)

    def test_replacement_and_void(self, history: Any) -> None:
        """A replacement of the claim on file is not checked; a claim on file voided by a
        void on file no longer bills its visits."""
        inst = {"type_of_bill": "0331"}
        history.add(claim("C1", visit(), **inst))
        assert found(claim("C2", visit(), **inst), history)
        assert [] == found(claim("C1", visit(), type_of_bill="0337"), history)
        history.add(claim("C1", visit(), type_of_bill="0338"))
        assert [] == found(claim("C2", visit(), **inst), history)

    def test_replaced_claim_names_the_replacement(self, history: Any) -> None:
        """Where a replacement is on file, the finding names it, not the claim it replaced."""
        history.add(claim("C1", visit(), type_of_bill="0331"))
        history.add(claim("C1", visit(), type_of_bill="0337"))
        ((_, msg),) = found(claim("C2", visit(), type_of_bill="0331"), history)
        assert "TOB 0337" in msg

    def test_other_member_is_clean(self, history: Any) -> None:
        """The same clock times for another member are another visit."""
        history.add(claim("C1", visit(member="M2"), patient_id="M2"))
        assert [] == found(claim("C2", visit()), history)

    def test_no_history_no_finding(self) -> None:
        """Without a history nothing is checked."""
        assert [] == [f for f in check(claim("C2", visit())) if f.rule_id == RULE]

    def test_medicare_claims_are_not_matched_to_stored_visits(self, history: Any) -> None:
        """A claim that carries no visits, of a payer that requires none, is backed by no
        stored visit."""
        history.add_visits([visit()])
        history.add(claim("C1", visit(), carry=False, payer=payers.MEDICARE))
        assert [] == found(claim("C2", visit(), carry=False, payer=payers.MEDICARE), history)

    def test_check_many_with_history(self, history: Any) -> None:
        """check_many(..., history=) checks each claim against the store the same way."""
        history.add(claim("C1", visit()))
        reports = list(
            check_many([claim("C2", visit()), claim("C3", visit("2024-03-06"))], history=history)
        )
        assert [1, 0] == [sum(f.rule_id == RULE for f in r) for r in reports]


class TestWorkerInTwoPlacesAcrossClaims:
    """One worker in two places across claims is ``worker-overlap``: with a history, the
    claims on file that name the worker (claims_by_worker) are checked with the claim."""

    def test_apart_is_clean(self, history: Any) -> None:
        """The worker's visits one after the other are clean."""
        history.add(claim("C1", visit(member="M2"), patient_id="M2"))
        c = claim("C2", visit(start="12:00", stop="14:00"))
        assert [] == found(c, history, "worker-overlap")

    def test_overlap_with_a_claim_on_file(self, history: Any) -> None:
        """The worker in a visit for M2 on a claim on file from 08:00 to 12:00 and in one
        for M1 from 11:00: the finding names the other visit, member and claim."""
        history.add(claim("C1", visit(member="M2"), patient_id="M2"))
        ((line, msg),) = found(
            claim("C2", visit(start="11:00", stop="13:00")), history, "worker-overlap"
        )
        assert 0 == line
        assert "W7" in msg and "M2" in msg and "C1" in msg


def key(findings: Any) -> list[tuple[int, str, str]]:
    return sorted((-1 if f.line is None else f.line, f.rule_id, f.message) for f in findings)


class TestOnDask:
    def test_same_findings_as_in_process(self) -> None:
        """check_with_history on Dask finds the visits billed twice that the in-process
        check finds (claims carrying visits, and claims matched to stored visits)."""
        pytest.importorskip("dask")
        from hcpcs_home import dask as hdask

        store = MemoryHistory()
        new = []
        for m in range(30):
            member, worker = f"M{m}", f"W{m % 7}"
            day = f"2024-03-{1 + m % 28:02d}"
            mine = [
                visit(day, "08:00", "10:00", member=member, worker=worker, id=f"V{m}a"),
                visit(day, "14:00", "16:00", member=member, worker=worker, id=f"V{m}b"),
            ]
            store.add_visits(mine)
            store.add(claim(f"C{m}", mine[0], patient_id=member, carry=m % 2 == 0))
            again = mine[0] if m % 3 == 0 else mine[1]
            new.append(claim(f"N{m}", again, patient_id=member, carry=m % 4 != 1))
        expected = [key(check(c, history=store)) for c in new]
        result = dict(hdask.check_with_history(new, store, partitions=3).compute(scheduler="sync"))
        got = [key(result[i]) for i in range(len(new))]
        assert expected == got
        billed = [n for n, e in enumerate(expected) if any(r == RULE for _, r, _ in e)]
        assert [0, 6, 12, 18, 24] == billed  # the test can fail
        crossed = [n for n, e in enumerate(expected) if any(r == OVERLAP for _, r, _ in e)]
        assert crossed  # members 0 and 28, 1 and 29 share a worker and a day

    def test_workers_named_by_the_claims_on_file(self) -> None:
        """A claim that names no worker (no services, no visits) is matched to the stored
        visits of the workers its member's claims on file name, on Dask as in process."""
        pytest.importorskip("dask")
        from hcpcs_home import dask as hdask

        store = MemoryHistory([documented("C1")])
        store.add_visits([visit()])
        new = [claim("C2", visit(), carry=False), claim("C3", visit("2024-03-05"), carry=False)]
        expected = [key(check(c, history=store)) for c in new]
        result = dict(hdask.check_with_history(new, store, partitions=2).compute(scheduler="sync"))
        assert expected == [key(result[i]) for i in range(len(new))]
        assert [1, 0] == [sum(r == RULE for _, r, _ in e) for e in expected]


class TestHistoryWorkerVisitOverlap:
    """A worker's accepted visit on file for another member (stored with add_visits, on no
    claim on file) that overlaps a service or visit of the claim: one worker in two places."""

    def test_apart_is_clean(self, history: Any) -> None:
        """The worker's visit for M2 ends when the claim's begins."""
        history.add_visits([visit(member="M2", id="V-M2")])
        c = claim("C1", visit(start="12:00", stop="14:00"))
        assert [] == found(c, history, OVERLAP)

    def test_overlap_names_the_visit_on_file(self, history: Any) -> None:
        """The claim's visit from 11:00 overlaps W7's 08:00-12:00 visit for M2 on file."""
        history.add_visits([visit(member="M2", id="V-M2")])
        c = claim("C1", visit(start="11:00", stop="13:00"))
        ((line, msg),) = found(c, history, OVERLAP)
        assert 0 == line
        assert "W7" in msg and "V-M2" in msg and "M2" in msg and "2024-03-04 08:00 to 12:00" in msg

    def test_documented_service_overlaps(self, history: Any) -> None:
        """A claim from an 837P with W7's documented service 08:00-12:00 overlaps the visit
        for M2 from 11:00 on file."""
        history.add_visits([visit(start="11:00", stop="13:00", member="M2", id="V-M2")])
        ((line, msg),) = found(documented("C1"), history, OVERLAP)
        assert 0 == line and "V-M2" in msg

    def test_the_members_own_visit_is_no_overlap(self, history: Any) -> None:
        """The claim's member's own visit on file is the visit the claim bills."""
        history.add_visits([visit()])
        assert [] == found(claim("C1", visit()), history, OVERLAP)
        assert [] == found(documented("C1"), history, OVERLAP)

    def test_visit_on_a_claim_on_file_is_worker_overlap(self, history: Any) -> None:
        """A visit a claim on file carries is worker-overlap's, reported once."""
        other = visit(member="M2", id="V-M2")
        history.add_visits([other])
        history.add(claim("C9", other, patient_id="M2"))
        c = claim("C1", visit(start="11:00", stop="13:00"))
        assert [] == found(c, history, OVERLAP)
        assert 1 == len(found(c, history, "worker-overlap"))

    def test_sqlite_file_on_dask(self, tmp_path: Any) -> None:
        """Each partition asks a SqliteHistory file what the rules ask: the findings of the
        three visit rules are the in-process ones."""
        pytest.importorskip("dask")
        from hcpcs_home import dask as hdask

        store = SqliteHistory(tmp_path / "h.db")
        store.add_visits([visit(), visit(member="M2", start="13:00", stop="15:00", id="V-M2")])
        store.add(documented("C1"))
        new = [
            claim("C2", visit(), carry=False),
            claim("C3", visit(start="12:30", stop="14:00")),
            claim("C4", visit("2024-03-05")),
        ]
        expected = [key(check(c, history=store)) for c in new]
        result = dict(hdask.check_with_history(new, store, partitions=2).compute(scheduler="sync"))
        assert expected == [key(result[i]) for i in range(len(new))]
        rules = {RULE, OVERLAP}
        assert [{RULE}, {OVERLAP}, set()] == [{r for _, r, _ in e} & rules for e in expected]


class TestVisitsOfWorkersAtOnce:
    def test_same_as_one_worker_at_a_time(self) -> None:
        """SqliteHistory._visits_of_workers answers what visits() answers for each worker
        (by id or NPI, in the order stored), in one query."""
        store = SqliteHistory(":memory:")
        store.add_visits(
            [
                visit(),
                visit("2024-03-05", worker="W8", worker_npi="1234567893"),
                visit("2024-03-06"),
                visit("2024-04-06"),
            ]
        )
        names = ["1234567893", "W7", "W8", "W9"]
        at_once = store._visits_of_workers(names, "2024-03-01", "2024-03-31")
        assert {n: tuple(store.visits(n, "2024-03-01", "2024-03-31")) for n in names} == at_once
        assert [2, 1, 0] == [len(at_once[n]) for n in ("W7", "W8", "W9")]
