"""Hypothesis entry point: registers :mod:`hcpcs_home.strategies` for ``st.from_type``.

Hypothesis calls :func:`_hypothesis_setup_hook` while it is itself being
imported, possibly from inside ``import hcpcs_home.strategies``; the
strategies are therefore registered as deferred, resolved on first use.
"""

from __future__ import annotations


def _hypothesis_setup_hook() -> None:
    """Register a strategy for each value type of the library."""
    import importlib

    from hypothesis import strategies as st

    from .claims import Authorization, Claim, ClaimLine, Service
    from .codes import Code
    from .evv import EvvVisit
    from .payers import Payer

    def deferred(name: str) -> st.SearchStrategy[object]:
        def build() -> st.SearchStrategy[object]:
            strategies = importlib.import_module("hcpcs_home.strategies")
            return getattr(strategies, name)()  # type: ignore[no-any-return]

        return st.deferred(build)

    for cls, name in (
        (Service, "services"),
        (ClaimLine, "claim_lines"),
        (Authorization, "authorizations"),
        (Claim, "claims"),
        (Payer, "payers"),
        (Code, "codes"),
        (EvvVisit, "evv_visits"),
    ):
        st.register_type_strategy(cls, deferred(name))
