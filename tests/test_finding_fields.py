"""Every default rule's finding names the field a biller should fix (#22).

A line rule names a field of the line, of the service behind it or of the claim; a
claim rule names the header element (a field of the claim the 837I carries).
"""

from __future__ import annotations

from pathlib import Path

from test_edges import _readme_claim

from hcpcs_home import Claim, ClaimLine, Service
from hcpcs_home.rules import DEFAULT_RULES

EXAMPLE = Path(__file__).resolve().parents[1] / "examples" / "claim.json"


def _names(cls: type) -> set[str]:
    import attrs

    return {a.name for a in attrs.fields(cls)}  # type: ignore[arg-type]


class TestEveryFindingNamesItsField:
    def test_every_default_rule_names_a_field(self) -> None:
        """No default rule leaves ``field`` empty: a line rule names a field of the line, its
        service or the claim; a claim rule names the claim's header element."""
        from hcpcs_home.policy import Scope

        header = _names(Claim)
        anywhere = header | _names(ClaimLine) | _names(Service)
        assert [] == [r.id for r in DEFAULT_RULES if not r.field]
        assert [] == [
            (r.id, r.field)
            for r in DEFAULT_RULES
            if r.field not in (header if r.scope is Scope.CLAIM else anywhere)
        ]

    def test_a_claim_rule_names_a_header_element(self) -> None:
        """Each claim rule's field has its place in the 837I's map: an element (``CLM05`` for
        ``type_of_bill``, ``HI*BE`` for ``value_codes``, loop 2400 for ``lines``), or, for
        the chart, why the 837I does not carry it."""
        from hcpcs_home.formats import FORMATS
        from hcpcs_home.policy import Scope

        claim_rules = [r for r in DEFAULT_RULES if r.scope is Scope.CLAIM]
        assert len(claim_rules) > 20
        for r in claim_rules:
            entry = FORMATS["837I"].entry(r.field)  # type: ignore[arg-type]
            assert entry.target or entry.note, r.id
        by_id = {r.id: r.field for r in claim_rules}
        assert "CLM05-1 facility code and CLM05-3 frequency (32:A:9 is 0329)" == (
            FORMATS["837I"].target(by_id["hh-bill-type-033x"])  # type: ignore[arg-type]
        )

    def test_credential_not_current_names_the_license_number(self) -> None:
        """The finding points at the service's license number, not the line's service ids."""
        from hcpcs_home import check

        (finding,) = [f for f in check(_readme_claim()) if f.rule_id == "credential-not-current"]
        assert "license_number" == finding.field

    def test_findings_of_the_example_batch_all_name_a_field(self) -> None:
        """Checking the example batch and the README's old claim, every finding names its
        field."""
        from hcpcs_home import check, check_many
        from hcpcs_home.serialize import claims_from_json_lines

        lines = (EXAMPLE.parent / "claims.jsonl").read_text("utf-8").splitlines()
        reports = [
            r for r in check_many(claims_from_json_lines(lines)) if not isinstance(r, Exception)
        ]
        reports.append(check(_readme_claim()))
        found = [f for report in reports for f in report]
        assert len(found) > 10
        assert [] == [f.rule_id for f in found if not f.field]
