"""Tests for the shipped hypothesis strategies and their entry-point registration."""

from __future__ import annotations

from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import Claim, ClaimLine, Code, EvvVisit, Payer, Service
from hcpcs_home import strategies as hst


class TestStrategies:
    @given(st.from_type(Claim))
    def test_from_type_claim(self, claim: Claim) -> None:
        """st.from_type(Claim) works through the hypothesis entry point."""
        assert isinstance(claim, Claim)

    @given(st.from_type(Service), st.from_type(ClaimLine), st.from_type(Payer), st.from_type(Code))
    def test_from_type_every_value_type(
        self, s: Service, line: ClaimLine, p: Payer, c: Code
    ) -> None:
        """Every value type has a registered strategy."""
        assert (Service, ClaimLine, Payer, Code) == (type(s), type(line), type(p), type(c))

    @given(hst.services())
    def test_services_use_the_codes_credentials(self, s: Service) -> None:
        """Generated services carry one of their code's credentials where it names any."""
        from hcpcs_home import lookup

        creds = lookup(s.code).credentials
        assert not creds or s.credential in creds

    @given(hst.claims())
    def test_claim_lines_point_at_services(self, claim: Claim) -> None:
        """Generated lines only point at services on the claim."""
        ids = {s.id for s in claim.services}
        assert all(set(line.service_ids) <= ids for line in claim.lines)

    def test_all_is_exact(self) -> None:
        """__all__ lists exactly the public strategy functions."""
        public = {
            n
            for n in vars(hst)
            if not n.startswith("_")
            and callable(getattr(hst, n))
            and getattr(getattr(hst, n), "__module__", "") == hst.__name__
        }
        assert sorted(public) == sorted(hst.__all__)

    @given(st.from_type(EvvVisit))
    def test_from_type_evv_visit(self, visit: EvvVisit) -> None:
        """EVV visits have a registered strategy; a visit lacks its time only without times."""
        assert ("time" in visit.missing_elements()) == (visit.start is None)
