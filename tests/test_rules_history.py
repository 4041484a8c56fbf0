"""The history rule family: each rule on a claim with its history, clean next to broken.

Every finding names the earlier claim (or stay, or certification) it conflicts with.
"""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import pytest

from hcpcs_home import Claim, ClaimLine, check, payers, rif
from hcpcs_home.history import MemoryHistory, SqliteHistory
from hcpcs_home.rules.history import benefit_period

MEDICARE = payers.MEDICARE
RIF_DIR = Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-rif-samples"


@pytest.fixture(params=["memory", "sqlite"])
def history(request: pytest.FixtureRequest) -> Any:
    """An empty history of each shipped kind."""
    return MemoryHistory() if request.param == "memory" else SqliteHistory(":memory:")


def hh(claim_id: str, start: str, end: str, **kw: Any) -> Claim:
    """A Medicare home-health final claim (0329) of beneficiary B1 admitted 2024-03-01."""
    fields: dict[str, Any] = {
        "type_of_bill": "0329",
        "patient_id": "B1",
        "admission_date": "2024-03-01",
        "patient_status": "30",
        "lines": [ClaimLine("G0299", start, 1, revenue_code="0551")],
        **kw,
    }
    return Claim(MEDICARE, start, end, id=claim_id, **fields)


def noa(admission: str = "2024-03-01", claim_id: str = "NOA1") -> Claim:
    """The notice of admission (032A) of an admission."""
    return Claim(
        MEDICARE,
        admission,
        admission,
        id=claim_id,
        type_of_bill="032A",
        patient_id="B1",
        admission_date=admission,
        notice_accepted=admission,
    )


def hospice(claim_id: str, start: str, end: str, election: str = "2024-01-01", **kw: Any) -> Claim:
    """A Medicare hospice claim (0813) of beneficiary B1."""
    return Claim(
        MEDICARE,
        start,
        end,
        id=claim_id,
        type_of_bill=kw.pop("type_of_bill", "0813"),
        patient_id="B1",
        admission_date=election,
        patient_status="30",
        lines=[ClaimLine("Q5001", start, 1, revenue_code="0651")],
        **kw,
    )


def noe(election: str = "2024-01-01") -> Claim:
    """The notice of election (081A) of an election."""
    return hospice(
        "NOE1", election, election, election, type_of_bill="081A", notice_accepted=election
    )


def history_findings(claim: Claim, store: Any, rule_id: str) -> list[str]:
    """The messages of ``rule_id`` on ``claim`` checked against ``store``."""
    return [f.message for f in check(claim, history=store) if f.rule_id == rule_id]


class TestNoHistory:
    def test_no_history_no_findings(self) -> None:
        """Without a history the family finds nothing."""
        claim = hh("C2", "2024-03-31", "2024-04-29")
        assert [] == [f.rule_id for f in check(claim) if f.rule_id.startswith("history-")]

    def test_history_rules_need_a_history(self) -> None:
        """Each rule comparing with claims on file needs a history (#21): a check without
        one does not run them, one with an empty store does, and plain evaluation agrees."""
        from hcpcs_home._engine import Context, Need, gives
        from hcpcs_home.rules import DEFAULT_RULES

        family = [r for r in DEFAULT_RULES.rules if r.id.startswith("history-")]
        assert len(family) >= 13
        assert all(Need.HISTORY in r.needs for r in family)
        assert not any(Need.HISTORY in r.needs for r in DEFAULT_RULES.rules if r not in family)
        claim = hh("C2", "2024-03-31", "2024-04-29")
        assert Need.HISTORY not in gives(claim)
        store = MemoryHistory()
        assert Need.HISTORY in gives(claim, store)
        assert gives(claim, store) is gives(claim, MemoryHistory())
        source = DEFAULT_RULES._plan_source(payers.MEDICARE, "0329")
        assert "history-" not in source
        found = [f.rule_id for f in check(claim, history=store)]
        assert "history-hh-noa-missing" in found
        without = [f.rule_id for f in check(claim)]
        assert without == [r for r in found if not r.startswith("history-")]
        rule = DEFAULT_RULES["history-hh-noa-missing"]
        assert rule.evaluate(Context(claim)) is None
        assert rule.evaluate(Context(claim, history=store)) is not None


class TestHistoryHhNoaMissing:
    """A claim finds no NOA: none on file, or NOA and claim admission dates differ
    (FISS 19963)."""

    def test_noa_on_file_is_clean(self, history: Any) -> None:
        """A claim whose NOA is on file checks clean."""
        history.add(noa())
        assert [] == history_findings(
            hh("C1", "2024-03-01", "2024-03-30"), history, "history-hh-noa-missing"
        )

    def test_no_noa(self, history: Any) -> None:
        """Without its NOA the claim gets the NOA finding."""
        (msg,) = history_findings(
            hh("C1", "2024-03-01", "2024-03-30"), history, "history-hh-noa-missing"
        )
        assert "2024-03-01" in msg

    def test_noa_of_another_admission(self, history: Any) -> None:
        """An NOA for another admission date is named in the finding."""
        history.add(noa("2024-02-28", "NOA0"))
        (msg,) = history_findings(
            hh("C1", "2024-03-01", "2024-03-30"), history, "history-hh-noa-missing"
        )
        assert "NOA0" in msg and "2024-02-28" in msg

    def test_noa_itself_is_not_checked(self, history: Any) -> None:
        """The NOA is not a claim that needs an NOA."""
        assert [] == history_findings(noa(), history, "history-hh-noa-missing")


class TestHistoryHhPeriodOverlap:
    def test_next_period_is_clean(self, history: Any) -> None:
        """The next 30-day period does not overlap the first."""
        for c in (noa(), hh("C1", "2024-03-01", "2024-03-30")):
            history.add(c)
        assert [] == history_findings(
            hh("C2", "2024-03-31", "2024-04-29"), history, "history-hh-period-overlap"
        )

    def test_overlap_names_the_earlier_claim(self, history: Any) -> None:
        """A period overlapping a billed one is returned, naming it (U538F)."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        (msg,) = history_findings(
            hh("C2", "2024-03-15", "2024-04-13"), history, "history-hh-period-overlap"
        )
        assert "C1" in msg

    def test_replacement_is_not_an_overlap(self, history: Any) -> None:
        """A replacement (frequency 7) of the billed period is no overlap."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        assert [] == history_findings(
            hh("C1R", "2024-03-01", "2024-03-30", type_of_bill="0327"),
            history,
            "history-hh-period-overlap",
        )


class TestHistoryHhPeriodSkipped:
    def test_contiguous_is_clean(self, history: Any) -> None:
        """The period after a billed one is clean."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        assert [] == history_findings(
            hh("C2", "2024-03-31", "2024-04-29"), history, "history-hh-period-skipped"
        )

    def test_gap_is_noted(self, history: Any) -> None:
        """A third period with the second not on file is noted, naming the first."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        (msg,) = history_findings(
            hh("C3", "2024-04-30", "2024-05-29"), history, "history-hh-period-skipped"
        )
        assert "C1" in msg


class TestHistoryHhReadmitted:
    def test_new_admission_after_the_period_is_clean(self, history: Any) -> None:
        """An admission after the discharging claim's 30 days is clean."""
        history.add(hh("C1", "2024-03-01", "2024-03-10", patient_status="01"))
        late = hh("C2", "2024-04-05", "2024-05-04", admission_date="2024-04-05")
        assert [] == history_findings(late, history, "history-hh-readmitted")

    def test_still_a_patient_is_clean(self, history: Any) -> None:
        """A claim with status 30 (still a patient) discharged nobody."""
        history.add(hh("C1", "2024-03-01", "2024-03-10"))
        soon = hh("C2", "2024-03-12", "2024-04-10", admission_date="2024-03-12")
        assert [] == history_findings(soon, history, "history-hh-readmitted")

    def test_readmitted_inside_the_period(self, history: Any) -> None:
        """An admission inside a discharging claim's period is flagged, naming it."""
        history.add(hh("C1", "2024-03-01", "2024-03-10", patient_status="01"))
        soon = hh("C2", "2024-03-12", "2024-04-10", admission_date="2024-03-12")
        (msg,) = history_findings(soon, history, "history-hh-readmitted")
        assert "C1" in msg and "status 01" in msg

    def test_rif_consecutive_one_day_admissions(self) -> None:
        """CMS's synthetic RIF sample: one beneficiary, 10 one-day admissions on
        consecutive days, each discharged (status 01): every one gets a history finding."""
        if not (RIF_DIR / "hha.csv").is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        claims = [c for c in rif.read_claims(RIF_DIR / "hha.csv") if isinstance(c, Claim)]
        assert 10 == len(claims)
        store = MemoryHistory(claims)
        found = {
            c.id: sorted(
                f.rule_id for f in check(c, history=store) if f.rule_id.startswith("history-")
            )
            for c in claims
        }
        assert all(found.values()), found
        assert 8 == sum("history-hh-readmitted" in v for v in found.values())
        assert 2 == sum("history-hh-period-overlap" in v for v in found.values())
        assert [] == [f for c in claims for f in check(c) if f.rule_id.startswith("history-")]


class TestHistoryHhInpatientOverlap:
    def test_visit_after_discharge_is_clean(self, history: Any) -> None:
        """A visit on the discharge day is allowed."""
        history.add_stay("B1", "2024-03-05", "2024-03-08", "hospital")
        claim = hh(
            "C1",
            "2024-03-01",
            "2024-03-30",
            lines=[ClaimLine("G0299", "2024-03-08", 1, revenue_code="0551")],
        )
        assert [] == history_findings(claim, history, "history-hh-inpatient-overlap")

    def test_visit_during_stay(self, history: Any) -> None:
        """A visit inside a stay (read from an inpatient claim) is returned, naming it."""
        history.add(
            Claim(
                MEDICARE, "2024-03-05", "2024-03-08", id="IP9", type_of_bill="0111", patient_id="B1"
            )
        )
        claim = hh(
            "C1",
            "2024-03-01",
            "2024-03-30",
            lines=[ClaimLine("G0299", "2024-03-06", 1, revenue_code="0551")],
        )
        (msg,) = history_findings(claim, history, "history-hh-inpatient-overlap")
        assert "IP9" in msg and "2024-03-06" in msg


class TestHistoryHhHospiceOverlap:
    def test_condition_code_07_is_clean(self, history: Any) -> None:
        """With condition code 07 the overlap is allowed."""
        history.add(hospice("H1", "2024-03-01", "2024-03-31"))
        claim = hh("C1", "2024-03-01", "2024-03-30", condition_codes=["07"])
        assert [] == history_findings(claim, history, "history-hh-hospice-overlap")

    def test_overlap_without_07(self, history: Any) -> None:
        """Without it the claim is returned, naming the hospice claim (C7010)."""
        history.add(hospice("H1", "2024-03-01", "2024-03-31"))
        (msg,) = history_findings(
            hh("C1", "2024-03-01", "2024-03-30"), history, "history-hh-hospice-overlap"
        )
        assert "H1" in msg


class TestHistoryHospiceNoeMissing:
    def test_noe_on_file_is_clean(self, history: Any) -> None:
        """A hospice claim with its NOE on file is clean."""
        history.add(noe())
        assert [] == history_findings(
            hospice("H1", "2024-01-01", "2024-01-31"), history, "history-hospice-noe-missing"
        )

    def test_no_noe(self, history: Any) -> None:
        """Without it the claim gets the NOE finding."""
        (msg,) = history_findings(
            hospice("H1", "2024-01-01", "2024-01-31"), history, "history-hospice-noe-missing"
        )
        assert "2024-01-01" in msg


class TestHistoryHospiceFaceToFace:
    """42 CFR 418.22(a)(4): a face-to-face encounter before the third and each later
    benefit period."""

    def third(self) -> Claim:
        # Election 2024-01-01: periods start 01-01, 03-31 (day 91), 06-29 (day 181).
        return hospice("H7", "2024-07-01", "2024-07-31")

    def test_periods(self) -> None:
        """Periods run 90, 90, then 60 days from the election."""
        start = dt.date(2024, 1, 1)
        assert (1, start) == benefit_period(start, dt.date(2024, 3, 30))
        assert (2, dt.date(2024, 3, 31)) == benefit_period(start, dt.date(2024, 3, 31))
        assert (3, dt.date(2024, 6, 29)) == benefit_period(start, dt.date(2024, 7, 1))
        assert (4, dt.date(2024, 8, 28)) == benefit_period(start, dt.date(2024, 8, 28))

    def test_second_period_needs_none(self, history: Any) -> None:
        """A claim in the second period needs no face-to-face encounter."""
        assert [] == history_findings(
            hospice("H4", "2024-04-01", "2024-04-30"), history, "history-hospice-face-to-face"
        )

    def test_finding_until_face_to_face_recorded(self, history: Any) -> None:
        """The third period's claim gets its finding until add_certification records the
        period's face-to-face date."""
        (msg,) = history_findings(self.third(), history, "history-hospice-face-to-face")
        assert "period 3 from 2024-06-29" in msg and "no certification" in msg
        history.add_certification("B1", "2024-06-29")
        (msg,) = history_findings(self.third(), history, "history-hospice-face-to-face")
        assert "no face-to-face date" in msg
        history.add_certification("B1", "2024-06-29", face_to_face="2024-06-20")
        assert [] == history_findings(self.third(), history, "history-hospice-face-to-face")

    def test_face_to_face_too_early(self, history: Any) -> None:
        """An encounter more than 30 days before the period does not count."""
        history.add_certification("B1", "2024-06-29", face_to_face="2024-05-01")
        (msg,) = history_findings(self.third(), history, "history-hospice-face-to-face")
        assert "2024-05-01" in msg


class TestHistoryHospiceSequence:
    def test_in_sequence_is_clean(self, history: Any) -> None:
        """A claim following the election's previous claim is clean."""
        history.add(hospice("H1", "2024-01-01", "2024-01-31"))
        assert [] == history_findings(
            hospice("H2", "2024-02-01", "2024-02-29"), history, "history-hospice-sequence"
        )

    def test_out_of_sequence(self, history: Any) -> None:
        """A claim whose previous month is not on file is returned (37402), naming the
        last claim on file."""
        history.add(hospice("H1", "2024-01-01", "2024-01-31"))
        (msg,) = history_findings(
            hospice("H3", "2024-03-01", "2024-03-31"), history, "history-hospice-sequence"
        )
        assert "H1" in msg


class TestHistoryDuplicate:
    def test_different_period_is_clean(self, history: Any) -> None:
        """Another period of the same beneficiary is no duplicate."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        assert [] == history_findings(
            hh("C2", "2024-03-31", "2024-04-29"), history, "history-duplicate"
        )

    def test_recorded_claim_is_itself(self, history: Any) -> None:
        """The claim already stored is the claim itself, not a duplicate."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        assert [] == history_findings(
            hh("C1", "2024-03-01", "2024-03-30"), history, "history-duplicate"
        )

    def test_same_claim_sent_twice(self, history: Any) -> None:
        """The same claim under another number is a duplicate, naming the first."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        (msg,) = history_findings(
            hh("C9", "2024-03-01", "2024-03-30"), history, "history-duplicate"
        )
        assert "C1" in msg

    def test_same_number_changed(self, history: Any) -> None:
        """The same claim number with other content is a duplicate: send a replacement."""
        history.add(hh("C1", "2024-03-01", "2024-03-30"))
        changed = hh("C1", "2024-03-01", "2024-03-30", patient_status="01")
        (msg,) = history_findings(changed, history, "history-duplicate")
        assert "C1" in msg
