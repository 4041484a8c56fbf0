"""The modifiers rule family: every Level II modifier is in the release and in effect,
and a code outside the curated layer is noted, with its clean cases beside the broken ones.

The scenarios are Texas Medicaid (TMHP) nursing lines (T1000, TD/TE by credential,
TMPPM Home Health Nursing and PDN Handbook §4.1) and Medicare outpatient therapy on a
34X bill (GP, CQ; CMS "Billing Examples Using CQ/CO Modifiers").
"""

from __future__ import annotations

import datetime as dt
from typing import Any

import attrs
import pytest

from hcpcs_home import (
    Catalog,
    Claim,
    ClaimLine,
    Credential,
    Discipline,
    Release,
    Service,
    Severity,
    check,
    default_catalog,
    lookup,
    lookup_modifier,
    payers,
)
from hcpcs_home.policy import Finding, Report
from hcpcs_home.rules import _common as common

TMHP = payers.TEXAS_MEDICAID_CSHCN
DOCUMENTED: dict[str, Any] = {
    "license_number": "TX123456",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
    "prior_auth": "PA1",
}


def nursing(modifiers: list[str], credential: str = "RN", day: str = "2024-03-04") -> Claim:
    """A TMHP claim of one T1000 visit by ``credential`` billed with ``modifiers``."""
    svc = Service(
        "T1000",
        day,
        start="09:00",
        stop="09:45",
        credential=credential,
        rendering_id="n-1",
        **DOCUMENTED,
    )
    line = attrs.evolve(ClaimLine.from_service(svc, payer=TMHP), modifiers=modifiers)
    return Claim(TMHP, "2024-03-01", "2024-03-30", lines=[line], services=[svc])


def found(report: Report, rule_id: str) -> list[Finding]:
    return [f for f in report if f.rule_id == rule_id]


class TestInvalidModifier:
    """CMS HCPCS Level II file: a modifier must be one of the release's, in effect on the date."""

    def test_clean_td_passes(self) -> None:
        """An RN's T1000 with TD checks clean."""
        report = check(nursing(["TD"]))
        assert ["release-out-of-date"] == [f.rule_id for f in report]
        assert report.ok and not report.warnings

    def test_rn_is_refused_with_the_credential_modifiers(self) -> None:
        """ "RN" is not a modifier: an error that offers TD or TE."""
        finding = found(check(nursing(["RN"])), "invalid-modifier")[0]
        assert (Severity.ERROR, "modifiers", 0) == (finding.severity, finding.field, finding.line)
        assert (
            "modifier RN is not a HCPCS modifier of CMS 2020 October quarterly" == finding.message
        )
        assert "replace RN with TD or TE" == finding.suggestion
        assert () == finding.fix

    def test_single_candidate_is_the_fix(self) -> None:
        """A transposed modifier (DT) has one candidate, TD, offered as the fix."""
        finding = found(check(nursing(["DT"])), "invalid-modifier")[0]
        assert (("modifier", "TD"),) == finding.fix

    def test_not_in_effect(self) -> None:
        """A modifier CMS ended (ZA, 2018-03-31) is refused after its last day, not before."""
        late = found(check(nursing(["TD", "ZA"], day="2018-04-02")), "invalid-modifier")
        assert ["modifier ZA is not in effect on 2018-04-02 (ended 2018-03-31)"] == [
            f.message for f in late
        ]
        assert [] == found(check(nursing(["TD", "ZA"], day="2018-03-30")), "invalid-modifier")

    def test_cq_before_2019(self) -> None:
        """CQ takes effect on 2019-01-01 (CMS HCPCS 2019)."""
        early = found(check(nursing(["TD", "CQ"], day="2018-12-31")), "invalid-modifier")
        assert "(takes effect on 2019-01-01)" in early[0].message

    def test_cpt_modifiers_not_checked(self) -> None:
        """Two-digit CPT (Level I) modifiers are not in the Level II file and pass."""
        assert [] == found(check(nursing(["TD", "59"])), "invalid-modifier")

    def test_every_bad_modifier_named(self) -> None:
        """Two bad modifiers on one line are both named in one finding."""
        finding = found(check(nursing(["RN", "ZZ"])), "invalid-modifier")[0]
        assert "modifier RN" in finding.message and "modifier ZZ" in finding.message

    def test_catalog_release_decides(self) -> None:
        """The rule asks the catalog's release: one without TD refuses it."""
        small = Release("test", [], [lookup_modifier("TE")])
        catalog = default_catalog().with_release(small)
        finding = found(check(nursing(["TD"]), catalog=catalog), "invalid-modifier")[0]
        assert "modifier TD is not a HCPCS modifier of CMS test" == finding.message

    def test_no_release_no_check(self) -> None:
        """A catalog without a release cannot tell, and says nothing."""
        bare = Catalog(default_catalog().codes())
        assert [] == found(check(nursing(["RN"]), catalog=bare), "invalid-modifier")


class TestCodeNotCurated:
    """A code valid in the release but outside the curated layer is known, with a note."""

    def nursing_line(self, code: str) -> Claim:
        svc = Service(
            code,
            "2024-03-04",
            start="09:00",
            stop="09:45",
            credential="RN",
            rendering_id="n-1",
            **DOCUMENTED,
        )
        line = ClaimLine(code, "2024-03-04", 7, service_ids=[svc.id], prior_auth="PA1")
        return Claim(TMHP, "2024-03-01", "2024-03-30", lines=[line], services=[svc])

    def test_note_and_no_unit_check(self) -> None:
        """H2019 (not curated) gets the note and no unknown-code or units finding."""
        report = check(self.nursing_line("H2019"))
        note = found(report, "code-not-curated")[0]
        assert Severity.INFO is note.severity
        assert (
            "H2019 is a valid HCPCS code of CMS 2020 October quarterly outside the curated "
            "home-care catalog: its units and credentials are not checked"
        ) == note.message
        assert [] == found(report, "unknown-code") + found(report, "units-mismatch")
        assert report.ok

    def test_curated_code_no_note(self) -> None:
        """A curated code (T1002) gets no note, and its units are checked."""
        report = check(self.nursing_line("T1002"))
        assert [] == found(report, "code-not-curated")
        assert ["units-mismatch"] == [f.rule_id for f in report if f.severity is Severity.ERROR]

    def test_unknown_code_still_an_error(self) -> None:
        """A code in no layer is still unknown-code, with no note."""
        report = check(self.nursing_line("H9999"))
        assert ["unknown-code", "release-out-of-date"] == [f.rule_id for f in report]


class TestModifierTable:
    """The therapy, assistant, nursing and KX logic reads the modifier table."""

    def test_maps_come_from_the_table(self) -> None:
        """GP/GO/GN, CQ/CO and TD/TE are the table's, keyed as the rules need them."""
        gp, cq, td = lookup_modifier("GP"), lookup_modifier("CQ"), lookup_modifier("TD")
        assert gp.code == common.THERAPY_MODIFIER[gp.discipline]  # type: ignore[index]
        assert cq.code == common.ASSISTANT_MODIFIER[cq.credential]
        assert td.code == common.NURSE_MODIFIER[td.credential]
        assert {"042": "GP", "043": "GO", "044": "GN"} == dict(common.THERAPY_REVENUE)
        assert "KX" == common.kx_modifier()

    @pytest.mark.parametrize("code", ["T2025", "S9325", "G0068"])
    def test_new_curated_codes_are_curated(self, code: str) -> None:
        """The families curated for issue 10 are not noted as uncurated."""
        assert lookup(code).curated

    def test_dates_are_dates(self) -> None:
        """The release's modifier dates are dates (a sanity check on the bundled table)."""
        assert isinstance(lookup_modifier("GP").effective, dt.date)


class TestNearestCodeDiscipline:
    """unknown-code's suggestion keeps to the family and to the services' discipline."""

    def bcbs(self, code: str, credential: str) -> Claim:
        svc = Service(
            code,
            "2024-03-04",
            start="09:00",
            stop="09:45",
            credential=credential,
            rendering_id="n-1",
            **DOCUMENTED,
        )
        line = ClaimLine(code, "2024-03-04", 1, service_ids=[svc.id], prior_auth="PA1")
        return Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-30", lines=[line], services=[svc])

    def test_pt_gets_home_pt(self) -> None:
        """A PT's S9130 is offered S9131 (home physical therapy per diem)."""
        finding = found(check(self.bcbs("S9130", "PT")), "unknown-code")[0]
        assert "did you mean S9131?" == finding.suggestion

    def test_rn_gets_no_pt_code(self) -> None:
        """An RN's S9130 is not offered S9131, a physical-therapy code."""
        finding = found(check(self.bcbs("S9130", "RN")), "unknown-code")[0]
        assert None is finding.suggestion

    def test_credential_discipline(self) -> None:
        """Each credential names the discipline it renders."""
        assert Discipline.SKILLED_NURSING is Credential.LPN.discipline
        assert all(isinstance(c.discipline, Discipline) for c in Credential)
