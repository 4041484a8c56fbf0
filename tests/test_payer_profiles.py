"""The shipped payer profiles are data: data/payer_profiles.tsv, one sourced row each."""

from __future__ import annotations

import datetime as dt

import pytest

from hcpcs_home import lookup, payers
from hcpcs_home._tables import provenance, read_table
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.payers import Payer, payer_profile, profile_versions


class TestTable:
    def test_every_row_is_a_profile_and_a_constant(self) -> None:
        """Each row builds a Payer; each module constant is the row of its id."""
        rows = read_table("payer_profiles.tsv")
        assert [r["id"] for r in rows] == list(payers.PROFILES)
        assert all(isinstance(p, Payer) for p in payers.PROFILES.values())
        assert payers.NORTH_DAKOTA_MEDICAID is payer_profile("nd-medicaid")
        assert payers.MEDICARE is payers.PROFILES["medicare"]

    def test_provenance_and_versions(self) -> None:
        """The table names its sources and release; rows carry a whole-number version."""
        header = " ".join(provenance("payer_profiles.tsv"))
        assert "source:" in header and "release:" in header
        assert {"dol-eeoicp": 2, "nd-medicaid": 1} == {
            k: v for k, v in profile_versions().items() if k in ("dol-eeoicp", "nd-medicaid")
        }

    def test_every_profile_cites_a_source(self) -> None:
        """No profile ships without the public documents of its settings."""
        assert [] == [p.id for p in payers.PROFILES.values() if len(p.source) < 40]

    def test_unknown_constant_and_profile(self) -> None:
        """A misspelt constant is an AttributeError; an unknown id the library's error."""
        with pytest.raises(AttributeError, match="MEDICAIRE"):
            payers.MEDICAIRE  # noqa: B018
        with pytest.raises(InvalidFieldError, match="is not a shipped profile"):
            payer_profile("xx-medicaid")


class TestStateProfiles:
    def test_texas_pays_nursing_visits_per_visit_and_hours_whole(self) -> None:
        """TMHP: G0299 per visit (TMPPM HH Nursing and PDN §3.5); CSHCN S9124 not in tenths."""
        from hcpcs_home import billable_units

        assert 1 == billable_units("G0299", 150, policy=payers.TEXAS_MEDICAID.unit_policy)
        assert 8 == billable_units("S9124", 505, policy=payers.TEXAS_MEDICAID_CSHCN.unit_policy)

    def test_evv_settings(self) -> None:
        """EVV codes and dates: Texas HHCS from 2024 with KX/HQ exempt; ND T1019/T1020."""
        tx = payers.TEXAS_MEDICAID
        assert tx.requires_evv("G0299", dt.date(2024, 1, 2))
        assert not tx.requires_evv("G0299", dt.date(2024, 1, 2), ("KX",))
        assert not tx.requires_evv("G0299", dt.date(2023, 12, 31))
        assert {"T1019", "T1020"} == payers.NORTH_DAKOTA_MEDICAID.evv_codes

    def test_dol_lets_an_aide_render_s5126(self) -> None:
        """DOL DEEOIC Bulletin 08-09: S5126 attendant care shifts by a home health aide."""
        assert "HHA" in {c.value for c in payers.DOL_EEOICP.credentials_for(lookup("S5126"))}

    def test_week_start_is_refused_when_junk(self) -> None:
        """A week start must be a day name."""
        import attrs

        with pytest.raises(InvalidFieldError, match="week_start='someday'"):
            attrs.evolve(payers.MEDICARE, week_start="someday")
