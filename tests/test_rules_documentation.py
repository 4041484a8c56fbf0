"""What a claim carries: the rules of the chart judge only a claim that carries one.

A claim read from an 837I, a UB-04 or a CMS research (RIF) file carries units and
charges, not the visit's clock times or who rendered it (ASC X12 837I SV2, UB-04
FL 46); the chart stays in the agency's clinical record (42 CFR 484.110, 418.104).
An accepted EVV visit records the time a service begins and ends (SSA
§1903(l)(5)), so it documents the time of the line it backs.
"""

from __future__ import annotations

import collections
import os
from pathlib import Path
from typing import Any

import attrs
import pytest

from hcpcs_home import Claim, ClaimLine, Service, check, payers, rif, x12
from hcpcs_home.policy import Need, Report, Severity
from hcpcs_home.rules import DEFAULT_RULES

#: CMS's synthetic RIF samples live beside the project, never inside it.
RIF_DIR = Path(
    os.environ.get(
        "HCPCS_RIF_DIR",
        Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-rif-samples",
    )
)

#: The rules of the chart: they read the documented services.
CHART_RULES = {r.id for r in DEFAULT_RULES if Need.CHART in r.needs}


def rif_claims() -> list[Claim]:
    """Every claim of CMS's two synthetic RIF samples (skips where they are absent)."""
    paths = [RIF_DIR / "hha.csv", RIF_DIR / "hospice.csv"]
    if not all(p.is_file() for p in paths):
        pytest.skip(
            f"CMS RIF samples not found at {RIF_DIR}: set HCPCS_RIF_DIR to a folder holding "
            "hha.csv and hospice.csv (CMSgov/beneficiary-fhir-data RIF samples)"
        )
    found: list[Any] = [c for p in paths for c in rif.read_claims(p)]
    assert all(isinstance(c, Claim) for c in found)
    return found


def tally(reports: list[Report]) -> collections.Counter[str]:
    return collections.Counter(f.rule_id for r in reports for f in r)


class TestChartNotProvided:
    """A claim with lines and no documented services gets one note, and no rule of the
    chart judges it."""

    def test_said_once_per_claim(self) -> None:
        """Two timed lines without a chart: one note for the claim, no error."""
        lines = [
            ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551"),
            ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421", modifiers=["GP"]),
        ]
        # A Medicare claim of these visits needs its type of bill (bill-type-missing).
        report = check(
            Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", lines=lines, type_of_bill="0341")
        )
        notes = [f for f in report if f.rule_id == "chart-not-provided"]
        assert [(None, Severity.INFO)] == [(f.line, f.severity) for f in notes]
        assert report.ok
        assert set() == CHART_RULES & set(report.rule_ids())

    def test_not_said_with_a_chart(self) -> None:
        """A claim whose lines link their documented services carries its chart."""
        visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50", credential="RN")
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-30",
            services=[visit],
            lines=[ClaimLine.from_service(visit, payer=payers.MEDICARE)],
        )
        assert claim.has_chart
        assert "chart-not-provided" not in check(claim).rule_ids()

    def test_not_said_without_lines(self) -> None:
        """A notice of admission bills no line: there is nothing a chart would judge."""
        noa = Claim(payers.MEDICARE, "2024-03-01", "2024-03-01", type_of_bill="032A")
        assert "chart-not-provided" not in check(noa).rule_ids()

    def test_removable(self) -> None:
        """A team that knows its claims carry no chart silences the note by id."""
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-30",
            lines=[ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551")],
        )
        quiet = DEFAULT_RULES.remove("chart-not-provided", "release-out-of-date")
        assert ["bill-type-missing"] == check(claim, quiet).rule_ids()

    def test_chart_rules_are_the_documented_ones(self) -> None:
        """The time, documentation and credential rules of the chart declare that they
        need it."""
        assert {
            "time-not-documented",
            "below-minimum-time",
            "units-mismatch",
            "credential-mismatch",
            "credential-not-current",
            "documentation-missing",
            "setting-mismatch",
        } <= CHART_RULES


class TestClaimsAsTheyArrive:
    """Claims read from files carry no chart and get no finding of the chart."""

    def test_cms_rif_samples(self) -> None:
        """CMS's synthetic RIF samples: on the old main 9 of their 45 findings were
        time-not-documented; now none, each claim gets its note, and the other 36
        findings are unchanged."""
        claims = rif_claims()
        reports = [check(c) for c in claims]
        before = collections.Counter(
            {
                "hh-bill-type-033x": 10,
                "revenue-code-mismatch": 7,
                "code-not-curated": 5,
                "payer-code-not-accepted": 5,
                "hh-hipps-invalid": 3,
                "code-not-effective": 3,
                "per-diem-units": 2,
                "level-of-care-days": 1,
            }
        )
        found = tally(reports)
        assert 0 == found["time-not-documented"]
        assert len(claims) == 11 == found["chart-not-provided"]
        # Rules added since (total-charge-mismatch) are another issue's: left out here.
        assert before == collections.Counter({k: found[k] for k in before})
        assert set() == CHART_RULES & set(found)

    def test_rif_samples_with_a_chart_rule_set(self) -> None:
        """The same claims, checked with the chart rules removed from the rule set, give
        the same findings: no chart rule judged them."""
        claims = rif_claims()
        without = DEFAULT_RULES.remove(*CHART_RULES)
        assert [list(check(c)) for c in claims] == [list(check(c, without)) for c in claims]

    def test_correct_0329_read_from_837i(self) -> None:
        """A correct 0329 (header codes, 0023 + HIPPS, Q-code, timed visits) written to an
        837I claim loop and read back checks with no error and no chart finding."""
        from test_rules_medicare_hh import clean_claim

        claim = clean_claim()
        # The note that March 2024 is after the bundled CMS release is information.
        assert ["release-out-of-date"] == check(claim).rule_ids()
        read = x12.parse_claim(x12.claim_segments(claim))
        assert not read.has_chart
        report = check(read)
        assert report.ok
        assert ["release-out-of-date", "chart-not-provided"] == report.rule_ids()

    def test_linked_service_without_times_still_fires(self) -> None:
        """A claim that carries its chart is judged: a linked visit without times is
        time-not-documented."""
        visit = Service("G0299", "2024-03-04", credential="RN")
        line = ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551", service_ids=[visit.id])
        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", lines=[line], services=[visit])
        assert "time-not-documented" in check(claim).rule_ids()
        assert "chart-not-provided" not in check(claim).rule_ids()


class TestEvvTimeEvidence:
    """An accepted EVV visit with clock-in and clock-out documents the time of the line
    it backs (ND personal care, T1019; see test_rules_home_care)."""

    @staticmethod
    def month(**changes: Any) -> Claim:
        from test_rules_home_care import month

        return month(**changes)

    def bare_first_line(self, **visit_changes: Any) -> Claim:
        """The clean month with its first line's service unlinked (the line still backed by
        the day's EVV visit, changed by ``visit_changes``)."""
        claim = self.month()
        lines = list(claim.lines)
        lines[0] = attrs.evolve(lines[0], service_ids=())
        visits = list(claim.evv_visits)
        visits[0] = attrs.evolve(visits[0], **visit_changes)
        return attrs.evolve(claim, lines=lines, evv_visits=visits)

    def test_evv_backed_line_without_service(self) -> None:
        """A T1019 line that links no service, backed by an accepted visit with times, is
        not time-not-documented."""
        claim = self.bare_first_line()
        assert claim.has_chart
        assert "time-not-documented" not in check(claim).rule_ids()

    def test_evv_claim_without_chart(self) -> None:
        """A T1019 month of EVV visits and lines, no timesheet: no time-not-documented."""
        claim = self.month(
            services=(), lines=[attrs.evolve(x, service_ids=()) for x in self.month().lines]
        )
        ids = check(claim).rule_ids()
        assert "time-not-documented" not in ids
        assert "chart-not-provided" in ids

    def test_visit_without_clock_out_is_no_evidence(self) -> None:
        """A visit that records no clock-out documents no time."""
        claim = self.bare_first_line(stop=None)
        found = [f.line for f in check(claim) if f.rule_id == "time-not-documented"]
        assert [0] == found

    def test_visit_not_accepted_is_no_evidence(self) -> None:
        """A visit the aggregator did not accept backs nothing (HHSC EVV Policy Handbook
        §12000)."""
        claim = self.bare_first_line(accepted=False)
        found = [f.line for f in check(claim) if f.rule_id == "time-not-documented"]
        assert [0] == found


class TestNeeds:
    """A rule's needs are part of the rule: saved, loaded, compared, and refused when bad."""

    def test_saved_and_loaded(self) -> None:
        """The default rule set round-trips through JSON with every rule's needs."""
        from hcpcs_home.policy import RuleSet
        from hcpcs_home.rules import VOCABULARY

        again = RuleSet.from_json(DEFAULT_RULES.to_json(), VOCABULARY)
        assert [r.needs for r in DEFAULT_RULES] == [r.needs for r in again]
        assert ["chart"] == DEFAULT_RULES["time-not-documented"].to_data()["needs"]
        assert "needs" not in DEFAULT_RULES["unknown-code"].to_data()

    @pytest.mark.parametrize("junk", ["chart", ["paper"], [None], 3])
    def test_bad_needs_refused(self, junk: Any) -> None:
        """Needs that are not a set of Need values are refused, naming the field."""
        from hcpcs_home.errors import InvalidFieldError

        rule = DEFAULT_RULES["time-not-documented"]
        with pytest.raises(InvalidFieldError, match="needs"):
            attrs.evolve(rule, needs=junk)

    @pytest.mark.parametrize("junk", ['"chart"', '["paper"]', "[{}]"])
    def test_bad_needs_in_a_file(self, junk: str) -> None:
        """A saved rule with bad needs is a load error with its path."""
        from hcpcs_home.errors import RuleSetLoadError
        from hcpcs_home.rules import load_rules

        text = (
            '{"rules": [{"id": "x", "severity": "error", "message": "m", "source": "s", '
            f'"when": "code_known", "needs": {junk}}}]}}'
        )
        with pytest.raises(RuleSetLoadError, match=r"\$\.rules\[0\]"):
            load_rules(text)
