"""EVV visits (Cures Act §12006), the line matcher and batch overlaps."""

from __future__ import annotations

import datetime as dt
import pickle
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, EvvVisit, Service, VerificationMethod, payers, serialize
from hcpcs_home import strategies as hst
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError, InvalidTimeError
from hcpcs_home.evv import ELEMENTS, match_visits, worker_overlaps

ND = payers.NORTH_DAKOTA_MEDICAID


def visit(
    day: int = 4, start: str | None = "08:00", stop: str | None = "12:00", **kw: Any
) -> EvvVisit:
    """A complete T1019 visit in March 2024 for member M100 by worker W7."""
    fields: dict[str, Any] = {
        "member": "M100",
        "location": "12 Elm St, Fargo ND",
        "worker": "W7",
        "method": "mobile",
        **kw,
    }
    return EvvVisit(
        fields.pop("service", "T1019"), f"2024-03-{day:02d}", start=start, stop=stop, **fields
    )


def claim(lines: list[ClaimLine], visits: list[EvvVisit], **kw: Any) -> Claim:
    """A March 2024 North Dakota claim (or ``payer=``) for member M100."""
    fields: dict[str, Any] = {"patient_id": "M100", "payer": ND, **kw}
    payer = fields.pop("payer")
    return Claim(payer, "2024-03-01", "2024-03-31", lines=lines, evv_visits=visits, **fields)


class TestEvvVisit:
    def test_complete_visit_lacks_nothing(self) -> None:
        """A visit with all six Cures Act elements misses none of them."""
        v = visit()
        assert ((), 240) == (v.missing_elements(), v.minutes)
        assert VerificationMethod.MOBILE is v.method

    def test_missing_elements_in_statute_order(self) -> None:
        """Missing member, location, worker and times are named in the statute's order."""
        bare = EvvVisit("T1019", "2024-03-04")
        assert ("member", "location", "worker", "time") == bare.missing_elements()
        assert ("service", "member", "date", "location", "worker", "time") == ELEMENTS

    def test_worker_npi_counts_as_the_worker(self) -> None:
        """An NPI identifies the individual providing the service as well as an id does."""
        assert () == visit(worker=None, worker_npi="1234567893").missing_elements()

    @pytest.mark.parametrize(
        ("start", "stop", "minutes"),
        [("16:00", "24:00", 480), ("00:00", "24:00", 1440), ("22:00", "06:00", 480)],
    )
    def test_clock_out_at_midnight(self, start: str, stop: str, minutes: int) -> None:
        """24:00 ends the visit's own day; an earlier stop crosses midnight."""
        assert minutes == visit(start=start, stop=stop).minutes

    def test_junk_is_refused_naming_the_field(self) -> None:
        """A bad method, time or NPI raises the library's error with the field's name."""
        with pytest.raises(InvalidFieldError, match="method='fax'"):
            visit(method="fax")
        with pytest.raises(InvalidTimeError, match="stop='25:00'"):
            visit(stop="25:00")
        with pytest.raises(InvalidFieldError, match="worker_npi"):
            visit(worker_npi="123")

    def test_from_row_reads_an_evv_export(self) -> None:
        """Export columns are matched by alias; unknown columns are refused."""
        row = {
            "HCPCS": "t1019",
            "DOS": "2024-03-04",
            "Medicaid ID": "M100",
            "Clock In": "8:00",
            "Clock Out": "12:00",
            "Address": "12 Elm St",
            "Caregiver": "W7",
            "Verification": "home_phone",
            "Accepted": "yes",
        }
        v = EvvVisit.from_row(row)
        assert ("T1019", 240, VerificationMethod.HOME_PHONE, ()) == (
            v.service,
            v.minutes,
            v.method,
            v.missing_elements(),
        )
        with pytest.raises(InvalidFieldError, match="is not an EVV visit column"):
            EvvVisit.from_row({**row, "Mood": "fine"})
        with pytest.raises(InvalidFieldError, match="date=None is required"):
            EvvVisit.from_row({"HCPCS": "T1019"})

    def test_pickles_and_round_trips_through_json(self) -> None:
        """Visits pickle and survive the claim JSON format unchanged."""
        v = visit(start="16:00", stop="24:00")
        assert v == pickle.loads(pickle.dumps(v))
        c = claim([ClaimLine("T1019", "2024-03-04", 32)], [v])
        back = serialize.claim_from_json(serialize.claim_to_json(c))
        assert (c, 480) == (back, back.evv_visits[0].minutes)

    @given(hst.claims())
    def test_generated_claims_round_trip(self, c: Claim) -> None:
        """Every generated claim, visits included, survives JSON."""
        assert c == serialize.claim_from_json(serialize.claim_to_json(c))

    def test_claim_refuses_a_visit_id_twice(self) -> None:
        """Two visits with one id are refused with the path of the second."""
        with pytest.raises(InvalidClaimError) as info:
            claim([], [visit(), visit()])
        assert ["$.evv_visits[1].id"] == [e.field for e in info.value.errors]


class TestMatchVisits:
    def test_line_takes_the_days_visits(self) -> None:
        """A lone line takes every accepted visit of its code, member and day."""
        morning, evening = visit(), visit(start="18:00", stop="20:00")
        c = claim([ClaimLine("T1019", "2024-03-04", 24)], [evening, morning])
        (m,) = match_visits(c)
        assert ((morning, evening), 360, 24) == (m.visits, m.minutes, m.verified_units(c))

    def test_other_member_day_code_or_rejected_visit_backs_nothing(self) -> None:
        """Visits for another member, day or code, or not accepted, match no line."""
        visits = [visit(member="M200"), visit(day=5), visit(service="S5125"), visit(accepted=False)]
        (m,) = match_visits(claim([ClaimLine("T1019", "2024-03-04", 16)], visits))
        assert () == m.visits

    def test_two_lines_pair_by_documented_clock_in(self) -> None:
        """Two lines of one code on one day take the visits their services' start times name."""
        early = Service.from_times("T1019", "2024-03-04", "08:00", "12:00", rendering_id="W7")
        late = Service.from_times("T1019", "2024-03-04", "18:00", "20:00", rendering_id="W7")
        lines = [
            ClaimLine("T1019", "2024-03-04", 8, service_ids=[late.id]),
            ClaimLine("T1019", "2024-03-04", 16, service_ids=[early.id]),
        ]
        v1, v2 = visit(), visit(start="18:00", stop="20:00")
        c = claim(lines, [v1, v2], services=[early, late])
        assert [(v2,), (v1,)] == [m.visits for m in match_visits(c)]

    def test_worker_must_match_the_lines_services(self) -> None:
        """A line whose service names worker W9 is not backed by worker W7's visit."""
        svc = Service.from_times("T1019", "2024-03-04", "08:00", "12:00", rendering_id="W9")
        c = claim(
            [ClaimLine("T1019", "2024-03-04", 16, service_ids=[svc.id])], [visit()], services=[svc]
        )
        assert () == match_visits(c)[0].visits

    def test_verified_units_follow_the_payer_rounding(self) -> None:
        """59 verified minutes are 4 units by the CMS chart and 3 in Missouri's complete units."""
        v = visit(start="08:00", stop="08:59")
        line = ClaimLine("T1019", "2024-03-04", 4)
        assert 4 == match_visits(claim([line], [v]))[0].verified_units(claim([line], [v]))
        mo = claim([line], [v], payer=payers.MISSOURI_MEDICAID)
        assert 3 == match_visits(mo)[0].verified_units(mo)

    def test_per_diem_and_untimed_units(self) -> None:
        """A per-diem line verifies one day; a visit without times verifies no units."""
        c = claim([ClaimLine("T1020", "2024-03-04", 1)], [visit(service="T1020")])
        assert 1 == match_visits(c)[0].verified_units(c)
        c = claim([ClaimLine("T1019", "2024-03-04", 4)], [visit(start=None, stop=None)])
        assert None is match_visits(c)[0].verified_units(c)


class TestWorkerOverlaps:
    def test_one_worker_two_patients_at_once(self) -> None:
        """A worker in two members' visits at overlapping times is reported on both claims."""
        a = claim([], [visit()])
        b = claim([], [visit(member="M200", start="11:00", stop="13:00")], patient_id="M200")
        found = worker_overlaps([a, b])
        assert [(0, 1, "W7"), (1, 0, "W7")] == [(o.claim, o.other_claim, o.worker) for o in found]

    def test_back_to_back_visits_do_not_overlap(self) -> None:
        """A visit ending at 12:00 and the next starting at 12:00 are fine."""
        a = claim([], [visit()])
        b = claim([], [visit(member="M200", start="12:00", stop="13:00")], patient_id="M200")
        assert () == worker_overlaps([a, b])

    def test_worker_matched_by_npi(self) -> None:
        """A service naming the worker's id and NPI joins a visit recorded under the NPI."""
        svc = Service.from_times(
            "T1019", "2024-03-04", "08:00", "12:00", rendering_id="W7", rendering_npi="1234567893"
        )
        a = claim([], [], services=[svc])
        other = visit(member="M200", worker=None, worker_npi="1234567893", start="09:00")
        b = claim([], [other], patient_id="M200")
        assert [0, 1] == [o.claim for o in worker_overlaps([a, b])]

    def test_a_service_and_its_own_visit_are_one_visit(self) -> None:
        """Within one claim, the documented service and the EVV visit backing it agree."""
        svc = Service.from_times("T1019", "2024-03-04", "08:00", "12:00", rendering_id="W7")
        assert () == worker_overlaps([claim([], [visit()], services=[svc])])

    def test_junk_batch_is_refused(self) -> None:
        """A batch must hold claims; anything else is refused naming its position."""
        with pytest.raises(InvalidFieldError, match=r"claims\[0\]"):
            worker_overlaps([object()])  # type: ignore[list-item]
        with pytest.raises(InvalidFieldError, match="claims"):
            worker_overlaps(None)  # type: ignore[arg-type]


_VISIT_TIMES = st.tuples(st.integers(0, 23), st.sampled_from([0, 15, 30, 45]), st.integers(15, 300))


class TestOverlapProperty:
    """'One worker cannot deliver two visits at once': the sweep finds exactly the visits
    that overlap another visit of the same worker, as a pairwise comparison does."""

    @given(
        st.lists(
            st.tuples(st.integers(0, 2), st.sampled_from(["W1", "W2"]), _VISIT_TIMES),
            max_size=12,
        )
    )
    def test_sweep_equals_pairwise(
        self, drawn: list[tuple[int, str, tuple[int, int, int]]]
    ) -> None:
        """Every reported visit overlaps another, and every overlapping visit is reported."""
        by_claim: dict[int, list[EvvVisit]] = {0: [], 1: [], 2: []}
        for k, (n, worker, (hour, minute, length)) in enumerate(drawn):
            begin = dt.datetime(2024, 3, 4, hour, minute)
            end = begin + dt.timedelta(minutes=length)
            stop = end.strftime("%H:%M") if end.date() == begin.date() else "24:00"
            by_claim[n].append(
                EvvVisit(
                    "T1019",
                    "2024-03-04",
                    start=begin.strftime("%H:%M"),
                    stop=stop,
                    worker=worker,
                    id=f"v{k}",
                )
            )
        claims = [claim([], by_claim[n]) for n in range(3)]
        records = [(n, v) for n in range(3) for v in by_claim[n]]
        expected = set()
        for n, v in records:
            a0, a1 = v.interval() or (None, None)
            for _, w in records:
                b0, b1 = w.interval() or (None, None)
                if w is not v and v.worker == w.worker and a0 < b1 and b0 < a1:
                    expected.add((n, v.id))
        assert expected == {(o.claim, o.visit) for o in worker_overlaps(claims)}
