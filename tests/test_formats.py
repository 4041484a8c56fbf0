"""Tests of :mod:`hcpcs_home.formats`: every claim field is mapped in every format, and the
formats carry what their maps say."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import attrs
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hcpcs_home import Claim, formats, payers, x12
from hcpcs_home import strategies as hst
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.formats import FORMATS, FieldEntry, FormatMap, Kind

NAMES = ["837I", "837P", "UB-04", "RIF", "CSV"]


class TestCoverage:
    """A field added to Claim without a map entry fails here, for every format."""

    @pytest.mark.parametrize("name", NAMES)
    def test_every_field_is_mapped(self, name: str) -> None:
        """Each Claim and ClaimLine field (and Service field, where services are carried)
        is carried, given, derived or declared not carried with a reason."""
        found = FORMATS[name]
        assert [] == found.missing()
        for entry in found.entries:
            if entry.kind is Kind.CARRIED:
                assert entry.target, entry.field
            if entry.kind is Kind.NOT_CARRIED:
                assert entry.note, entry.field

    @pytest.mark.parametrize("name", NAMES)
    def test_no_entry_names_an_unknown_field(self, name: str) -> None:
        """A map names only fields the claim nouns have, each once."""
        known = {f for p in ("", "lines.", "services.") for f in formats.fields_of(p)}
        named = [e.field for e in FORMATS[name].entries]
        assert [] == [f for f in named if f not in known]
        assert len(named) == len(set(named))

    def test_a_new_claim_field_is_missing_everywhere(self, monkeypatch: pytest.MonkeyPatch) -> None:
        """A Claim with one more field is reported as missing by every map."""
        grown = attrs.make_class(
            "Claim", {"new_field": attrs.field(default=None)}, bases=(Claim,), slots=True
        )
        monkeypatch.setitem(formats._NOUNS, "", grown)
        assert {name: ["new_field"] for name in NAMES} == {
            name: FORMATS[name].missing() for name in NAMES
        }

    def test_all_formats(self) -> None:
        """The maps are the five formats the library reads or writes."""
        assert sorted(NAMES) == sorted(FORMATS)
        assert 5 == len(FORMATS)
        assert any("source:" in line for line in FORMATS.provenance)


class TestMap:
    def test_entry_and_target(self) -> None:
        """A carried field has a target; a field not carried has none but a reason."""
        rif = FORMATS["RIF"]
        assert "CLM_TOT_CHRG_AMT" == rif.target("total_charge")
        assert rif.target("services") is None
        assert "services" in rif.not_carried
        with pytest.raises(KeyError):
            rif.entry("no_such_field")

    def test_table(self) -> None:
        """The map renders as an RST list table, one row per entry."""
        text = FORMATS["837I"].table()
        assert text.startswith(".. list-table:: 837I")
        assert text.count("   * - ``") == len(FORMATS["837I"].entries)
        assert "DTP\\*435-03" in text

    def test_carried_resets_what_is_not_carried(self) -> None:
        """carried() puts every field the format does not carry back at its default, and
        the EVV visits at "not given" (None), what the format's reader gives."""
        from test_rules_medicare_hh import clean_claim

        claim = attrs.evolve(clean_claim(), therapy_ytd_ot=Decimal("12"))
        back = FORMATS["837I"].carried(claim)
        assert ((), Decimal("0"), (), None) == (
            back.services,
            back.therapy_ytd_ot,
            back.lines[2].service_ids,
            back.evv_visits,
        )
        assert claim.notice_accepted == back.notice_accepted
        assert FORMATS["CSV"].carried(claim) == attrs.evolve(claim, evv_visits=None)

    def test_kind_and_entry_values(self) -> None:
        """Entries are plain values with a Kind."""
        entry = FieldEntry("id", "carried", "CLM01")
        assert Kind.CARRIED is entry.kind
        assert FormatMap("x", (entry,)).target("id") == "CLM01"


def _837i_loop(claim: Claim) -> Claim:
    """What x12.claim_segments writes of a claim (loop 2300 and 2400, not the file around it).

    An 837I claim has one prior authorization number (loop 2300 REF*G1): here the first
    line's, on every line."""
    carried = FORMATS["837I"].carried(claim)
    auth = carried.lines[0].prior_auth if carried.lines else None
    return attrs.evolve(
        carried,
        payer=payers.MEDICARE,
        id=claim.id or "PCN1",
        type_of_bill=claim.type_of_bill or "0329",
        patient_id=None,  # NM109 of loop 2010BA: the file's, not the claim loop's
        lines=[
            attrs.evolve(li, revenue_code=li.revenue_code or "0551", prior_auth=auth)
            for li in carried.lines
        ],
    )


class TestRoundTrips:
    """A claim written and read back equals what the format's map says it carries."""

    @settings(max_examples=60)
    @given(hst.claims())
    def test_837i_claim_loop(self, claim: Claim) -> None:
        """Every field the 837I map carries survives claim_segments and parse_claim."""
        claim = _837i_loop(claim)
        assert claim == x12.parse_claim(x12.claim_segments(claim))

    @settings(max_examples=60)
    @given(hst.claims())
    def test_csv_rows(self, claim: Claim) -> None:
        """Every field the CSV map carries survives claim_rows and claims_from_rows."""
        from hcpcs_home import dataframes

        claim = FORMATS["CSV"].carried(claim)
        if not claim.lines and not claim.services:
            with pytest.raises(InvalidFieldError, match="a claim is its rows"):
                dataframes.claim_rows(claim)
            return
        if not claim.id:
            with pytest.raises(InvalidFieldError, match="grouped by claim_id"):
                dataframes.claim_rows(claim)
            return
        rows = dataframes.claim_rows(claim)
        built = dataframes.claims_from_rows(
            [(n, row) for n, row in enumerate(rows, start=2)], dataframes.ROW_COLUMNS
        )
        assert ((claim,), ()) == (built.claims, built.errors)


def _ub04(claim: Any) -> None:  # pragma: no cover - documentation of the write-only format
    """UB-04 rows are written, never read: the map documents what they hold."""


_JUNK = ['"', "", "x", "\u20ac", "9" * 30, ",", "|", "1e999", "2024-13-01", "\n", "-1", " "]


class TestFuzzedFiles:
    """Records in = claims or errors out, for files with cells broken at random."""

    @settings(max_examples=40, deadline=None)
    @given(st.data())
    def test_csv_rows_are_claims_or_errors(self, data: st.DataObject) -> None:
        """Every row of a mutated claim CSV is in a claim that was read, or an error."""
        import csv
        import io

        from test_rules_medicare_hh import clean_claim

        from hcpcs_home import dataframes
        from hcpcs_home._csv import split_rows

        other = attrs.evolve(clean_claim(), id="HH-2")
        out = io.StringIO()
        writer = csv.writer(out, lineterminator="\n")
        writer.writerow(dataframes.ROW_COLUMNS)
        for row in dataframes.claim_rows([clean_claim(), other]):
            writer.writerow(["" if row[c] is None else row[c] for c in dataframes.ROW_COLUMNS])
        lines = out.getvalue().splitlines()
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(1, len(lines) - 1))
            cells = lines[at].split(",")
            column = data.draw(st.integers(0, len(cells) - 1))
            cells[column] = data.draw(st.sampled_from(_JUNK))
            lines[at] = ",".join(cells)
        text = "\n".join(lines) + "\n"
        header, _, rows, bad = split_rows(text)
        try:
            built = dataframes.claims_from_rows(rows, header or [])
        except InvalidFieldError:
            return  # the header itself (a column broken): refused as a whole, named
        read = {c.id for c in built.claims}
        errors = {e.row for e in built.errors}
        for label, row in rows:
            assert row.get("claim_id") in read or label in errors, label
        assert all(isinstance(n, int) for n, _ in bad)

    @settings(max_examples=40, deadline=None)
    @given(data=st.data())
    def test_rif_rows_are_claims_or_errors(
        self, data: st.DataObject, tmp_path_factory: Any
    ) -> None:
        """Every row of a mutated RIF file is a claim's line or an error's row."""
        from test_rif import RIF_DIR, accounted

        from hcpcs_home import rif

        path = RIF_DIR / "hha.csv"
        if not path.is_file():
            pytest.skip(f"CMS RIF samples not found at {RIF_DIR}")
        lines = path.read_text(encoding="utf-8").splitlines()
        for _ in range(data.draw(st.integers(1, 3))):
            at = data.draw(st.integers(1, len(lines) - 1))
            cells = lines[at].split("|")
            column = data.draw(st.integers(0, len(cells) - 1))
            cells[column] = data.draw(st.sampled_from(_JUNK)) + cells[column]
            lines[at] = "|".join(cells)
        text = "\n".join(lines) + "\n"
        mutated = tmp_path_factory.mktemp("rif") / "hha.csv"
        mutated.write_text(text, encoding="utf-8")
        rows = [line for line in text.split("\n")[1:] if line.strip()]
        assert len(rows) == accounted(list(rif.read_claims(mutated)))


class TestMapsMatchTheCode:
    """The maps name what the readers and writers really use, so neither can drift."""

    def test_csv_targets_are_the_columns(self) -> None:
        """Each carried CSV entry names a column the CSV writer writes, and every column
        written is named by an entry."""
        import re

        from hcpcs_home import dataframes

        named = set()
        for entry in FORMATS["CSV"].entries:
            if entry.kind is Kind.CARRIED and entry.field not in ("lines", "services"):
                named.update(
                    w for w in re.findall(r"[a-z_]+", entry.target) if w in dataframes.ROW_COLUMNS
                )
                assert entry.target.split()[0] in dataframes.ROW_COLUMNS, entry
        ordering = {"line", "visit_code", "visit_date", "service_order"}
        assert set(dataframes.ROW_COLUMNS) - ordering == named - ordering

    def test_rif_targets_are_columns_read(self) -> None:
        """Each carried RIF entry names columns the RIF reader reads."""
        import re

        from hcpcs_home import rif

        read = (
            set(rif._REQUIRED)
            | set(rif._CLAIM_COLUMNS)
            | {
                "HCPCS_1ST_MDFR_CD",
                "HCPCS_2ND_MDFR_CD",
            }
        )
        for entry in FORMATS["RIF"].entries:
            if entry.kind is Kind.CARRIED and entry.field != "lines":
                columns = re.findall(r"\b[A-Z]+_[A-Z0-9_]+\b", entry.target)
                assert columns and set(columns) <= read, entry

    def test_ub04_targets_are_form_locators_written(self) -> None:
        """Each carried UB-04 header entry names a form locator the UB-04 writer writes."""
        import re

        from hcpcs_home import ub04

        written = " ".join(ub04.HEADER_COLUMNS)
        for field in ("admission_date", "point_of_origin", "patient_status"):
            (locator,) = re.findall(r"FL[0-9]+", FORMATS["UB-04"].entry(field).target)
            assert locator in written, field
