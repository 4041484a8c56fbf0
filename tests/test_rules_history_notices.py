"""A hospice live discharge against the claim history: its notice of termination/revocation
(NOTR, TOB 8XB) on file, clean next to broken, with both stores."""

from __future__ import annotations

from typing import Any

import pytest

from hcpcs_home import Claim, ClaimLine, Severity, check, payers
from hcpcs_home.history import MemoryHistory, SqliteHistory
from hcpcs_home.rules import DEFAULT_RULES

MEDICARE = payers.MEDICARE
RULE = "history-hospice-notr-missing"


@pytest.fixture(params=["memory", "sqlite"])
def history(request: pytest.FixtureRequest) -> Any:
    """An empty history of each shipped kind."""
    return MemoryHistory() if request.param == "memory" else SqliteHistory(":memory:")


def final(status: str = "01", end: str = "2024-05-10", tob: str = "0814", **kw: Any) -> Claim:
    """The last claim of a hospice election of beneficiary B1, discharging on ``end``."""
    return Claim(
        MEDICARE,
        "2024-05-01",
        end,
        id=kw.pop("id", "H5"),
        type_of_bill=tob,
        patient_id="B1",
        admission_date="2024-01-01",
        patient_status=status,
        lines=[ClaimLine("Q5001", "2024-05-01", 10, revenue_code="0651")],
        **kw,
    )


def notr(end: str = "2024-05-10", claim_id: str = "NOTR1") -> Claim:
    """The NOTR of a discharge on ``end``: From the start of the benefit period, Through
    the discharge (CGS "Claim Page 01 - Entering a NOTR (8XB)")."""
    return Claim(
        MEDICARE,
        "2024-03-31",
        end,
        id=claim_id,
        type_of_bill="081B",
        patient_id="B1",
        admission_date="2024-01-01",
        notice_accepted=end,
    )


def found(c: Claim, store: Any) -> list[str]:
    return [f.message for f in check(c, history=store) if f.rule_id == RULE]


class TestHistoryHospiceNotrMissing:
    """The NOTR is filed within 5 calendar days after a live discharge or revocation
    unless the final claim is filed within them (Pub. 100-04 ch. 11 §20.1.2, CR 8877)."""

    def test_notr_on_file_is_clean(self, history: Any) -> None:
        """A live discharge with its NOTR on file checks clean."""
        history.add(notr())
        assert [] == found(final(), history)

    def test_no_notr(self, history: Any) -> None:
        """Without an NOTR on file the finding gives the discharge and the due date."""
        (msg,) = found(final(), history)
        assert "status 01" in msg and "2024-05-10" in msg and "2024-05-15" in msg

    def test_notr_of_another_date_is_named(self, history: Any) -> None:
        """An NOTR on file for another discharge date is named in the finding."""
        history.add(notr("2024-05-08", "NOTR0"))
        (msg,) = found(final(), history)
        assert "NOTR0 (TOB 081B, 2024-03-31 to 2024-05-08)" in msg

    @pytest.mark.parametrize("status", ["30", "40", "41", "42", "20", "50", "51"])
    def test_no_notr_needed(self, status: str, history: Any) -> None:
        """Still a patient, a death or a transfer to another hospice needs no NOTR."""
        assert [] == found(final(status), history)

    @pytest.mark.parametrize("tob", ["0812", "0813", "0817", "081A", "0329"])
    def test_only_final_hospice_claims(self, tob: str, history: Any) -> None:
        """Interim claims, replacements, notices and other benefits are not checked."""
        assert [] == found(final(tob=tob), history)

    @pytest.mark.parametrize("status", ["01", "02", "07", "21", "43", "63"])
    def test_any_other_status_is_a_live_discharge(self, status: str, history: Any) -> None:
        """Any status but 30, a death or a transfer ends the election alive (a revocation
        is reported as a discharge home, 01)."""
        (msg,) = found(final(status), history)
        assert f"status {status}" in msg

    def test_informational(self, history: Any) -> None:
        """The final claim is paid with or without an NOTR: the finding is informational,
        and the report stays ok."""
        assert Severity.INFO is DEFAULT_RULES[RULE].severity
        report = check(final(), history=history)
        assert any(f.rule_id == RULE and f.severity is Severity.INFO for f in report)

    def test_no_history_no_finding(self) -> None:
        """Without a history nothing is checked."""
        assert [] == [f for f in check(final()) if f.rule_id == RULE]
