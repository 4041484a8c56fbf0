"""Tests for the shipped catalog, :func:`hcpcs_home.lookup` and :class:`hcpcs_home.Catalog`."""

# House style is ``assert expected == actual``, which ruff's SIM300 calls a Yoda condition.

from __future__ import annotations

import datetime as dt
import importlib.util
import itertools
import json
import math
import pickle
import subprocess
import sys
import textwrap
from pathlib import Path
from typing import Any, ClassVar

import attrs
import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home import _catalog_rows, _tables
from hcpcs_home import catalog as catalog_module
from hcpcs_home._catalog_rows import family_of
from hcpcs_home._cms_file import CmsRecord, read_cms_records
from hcpcs_home._tables import provenance, read_table
from hcpcs_home.catalog import (
    CMS_RELEASE,
    Catalog,
    Release,
    default_catalog,
    load_cms_file,
    lookup,
    lookup_modifier,
)
from hcpcs_home.codes import (
    BillingUnit,
    Code,
    CodeSet,
    Coverage,
    Credential,
    Discipline,
    Setting,
    normalize_code,
)
from hcpcs_home.errors import (
    CodeNotEffectiveError,
    HcpcsError,
    InvalidFieldError,
    ModifierNotEffectiveError,
    UnknownCodeError,
    UnknownModifierError,
)
from hcpcs_home.modifiers import Modifier, ModifierRole

CMS_2019 = "HCPC2019_CONTR_ANWEB.txt"
#: The release the package ships: CMS's October 2020 quarterly workbook.
CMS_OCT_2020 = "HCPC2020_OCT_anweb.xlsx"

#: Deliberate differences from the 2019 CMS file, each with its source.
NEWER_DESCRIPTOR = {
    # From 2024-01-01 G0129 covers intensive outpatient programs too
    # (icd10codingpro.com, AOTA 2024, openpayer.com G0129 page: all third-party).
    "G0129": "partial hospitalization or intensive outpatient treatment program",
}
ADDED_AFTER_2019 = {
    # CMS CR 11880 (MLN MM11880): home infusion therapy initial visits from 2021-01-01.
    "G0088": dt.date(2021, 1, 1),
    "G0089": dt.date(2021, 1, 1),
    "G0090": dt.date(2021, 1, 1),
    # Palmetto GBA "Telehealth Home Health Services: New G-Codes" (CR 12805).
    "G0320": dt.date(2023, 1, 1),
    "G0321": dt.date(2023, 1, 1),
    "G0322": dt.date(2023, 1, 1),
}
#: Codes the 2019 file lacks: CR 11721 (Transmittal 10086), dates of service from 2020-01-01.
ADDED_IN_2020 = {"G2168": dt.date(2020, 1, 1), "G2169": dt.date(2020, 1, 1)}
#: Functional reporting was required through 2018-12-31 (CY 2019 PFS final rule CMS-1693-F; CMS
#: "Functional Reporting" guidance, hhs.gov, 2020-02-11), but the codes stay valid: the 2019
#: file keeps them active and the 2020 file ends them 2019-12-31.
FUNCTIONAL_REPORTING = [f"G89{n}" for n in range(78, 100)] + [
    f"G9{n}" for n in (*range(158, 177), 186)
]
#: Curated end dates that differ from the shipped release's (none since the 2020 release).
CURATED_END: dict[str, dt.date] = {}
#: Codes of a curated family range left to the validity layer on purpose: T2007 is billed in
#: half-hour increments, a unit the library does not model, so its units cannot be checked.
NOT_CURATED = {"T2007"}
HH_FAMILIES = ("042X", "043X", "044X", "055X", "056X", "057X")


def hcpcs_rows() -> list[Code]:
    """The shipped HCPCS Level II rows."""
    return list(default_catalog().filter(code_set=CodeSet.HCPCS).codes())


@pytest.fixture(scope="module")
def cms_2019(cms_dir: Path) -> dict[str, Code]:
    """The 2019 CMS file's procedure codes by code."""
    return {c.code: c for c in load_cms_file(cms_dir / CMS_2019)}


@pytest.fixture(scope="module")
def cms_2020(cms_dir: Path) -> dict[str, Code]:
    """The October 2020 CMS workbook's procedure codes by code (the shipped release)."""
    return {c.code: c for c in load_cms_file(cms_dir / CMS_OCT_2020)}


class TestSourcePages:
    """The code each cited billing page is about (Carepatron S9129, openpayer.com G0129,
    Pabau S9124, NGS "Home Health Therapy Billing"), corrected by CMS's HCPCS file."""

    def test_s9129(self) -> None:
        """S9129 is per diem occupational therapy in the home, not Medicare
        (CMS descriptor; Carepatron S9129 page, third-party)."""
        s9129 = lookup("S9129")

        assert (
            BillingUnit.DAY,
            Discipline.OCCUPATIONAL_THERAPY,
            frozenset({Credential.OT}),
            frozenset({Setting.HOME}),
            False,
        ) == (
            s9129.unit,
            s9129.discipline,
            s9129.credentials,
            s9129.settings,
            s9129.medicare_accepts,
        )
        assert "Occupational therapy, in the home, per diem" == s9129.descriptor

    def test_g0129(self) -> None:
        """G0129 is an OT session of 45 minutes or more in a PHP or IOP
        (CMS descriptor; openpayer.com G0129 page, third-party)."""
        g0129 = lookup("G0129")

        assert (BillingUnit.SESSION, 45) == (g0129.unit, g0129.min_minutes)
        assert (Discipline.OCCUPATIONAL_THERAPY, frozenset({Credential.OT})) == (
            g0129.discipline,
            g0129.credentials,
        )
        assert frozenset({Setting.PHP, Setting.IOP}) == g0129.settings
        assert "intensive outpatient" in g0129.descriptor
        assert "2024" in g0129.source

    @pytest.mark.parametrize(
        ("code", "credential"), [("S9124", Credential.LPN), ("S9123", Credential.RN)]
    )
    def test_hourly_nursing(self, code: str, credential: Credential) -> None:
        """S9123 (RN) and S9124 (LPN) are per hour, revenue code 0552, not Medicare
        (Pabau S9124 guide, third-party)."""
        found = lookup(code)

        assert (BillingUnit.HOUR, None) == (found.unit, found.min_minutes)
        assert (Discipline.SKILLED_NURSING, frozenset({credential})) == (
            found.discipline,
            found.credentials,
        )
        assert (("0552",), False, Coverage.NOT_PAYABLE) == (
            found.revenue_codes,
            found.medicare_accepts,
            found.coverage,
        )
        assert found.accepts_revenue_code("552")

    @pytest.mark.parametrize(
        ("code", "credential", "family"),
        [
            ("G0151", Credential.PT, "042X"),
            ("G0152", Credential.OT, "043X"),
            ("G0153", Credential.SLP, "044X"),
            ("G0157", Credential.PTA, "042X"),
            ("G0158", Credential.OTA, "043X"),
            ("G0159", Credential.PT, "042X"),
            ("G0160", Credential.OT, "043X"),
            ("G0161", Credential.SLP, "044X"),
        ],
    )
    def test_therapy_g_codes(self, code: str, credential: Credential, family: str) -> None:
        """Therapy G-codes are 15-minute units under their discipline's family
        (NGS "Home Health Therapy Billing")."""
        found = lookup(code)

        assert (BillingUnit.FIFTEEN_MINUTES, 8) == (found.unit, found.min_minutes)
        assert (frozenset({credential}), (family,)) == (found.credentials, found.revenue_codes)
        assert found.medicare_accepts

    @pytest.mark.parametrize(
        ("code", "credentials", "family"),
        [
            ("G0154", {Credential.RN, Credential.LPN}, "055X"),
            ("G0155", {Credential.MSW}, "056X"),
            ("G0156", {Credential.HHA, Credential.CNA}, "057X"),
        ],
    )
    def test_other_visit_g_codes(
        self, code: str, credentials: set[Credential], family: str
    ) -> None:
        """G0154-G0156 are 15-minute nursing, social work and aide codes
        (CMS descriptors; NGS SIA; Medi-Cal 0571); an aide may be a nurse aide on the State
        registry (42 CFR 418.76(a)(1)(iii), 484.80(a)(1)(iii))."""
        found = lookup(code)

        assert (BillingUnit.FIFTEEN_MINUTES, 8) == (found.unit, found.min_minutes)
        assert (frozenset(credentials), (family,)) == (found.credentials, found.revenue_codes)


class TestTable:
    """The shipped table's curated facts (each row's ``source`` names its public documents)."""

    def test_size(self) -> None:
        """The table holds every code family it claims to cover."""
        assert 352 == len(default_catalog())

    @pytest.mark.parametrize("code", ["T1019", "T1020"])
    def test_personal_care_not_aide(self, code: str) -> None:
        """T1019/T1020 are personal care attendants, never HHA or CNA."""
        assert frozenset({Credential.PCA}) == lookup(code).credentials

    @pytest.mark.parametrize("code", ["T1030", "T1031"])
    def test_t1030_per_diem(self, code: str) -> None:
        """T1030/T1031 are per diem, not per hour."""
        assert BillingUnit.DAY == lookup(code).unit

    def test_t1021(self) -> None:
        """T1021 is an aide or CNA visit."""
        t1021 = lookup("T1021")

        assert (BillingUnit.VISIT, frozenset({Credential.HHA, Credential.CNA})) == (
            t1021.unit,
            t1021.credentials,
        )

    def test_s9122_revenue_unconfirmed(self) -> None:
        """S9122's revenue code is left empty and the source says why."""
        s9122 = lookup("S9122")

        assert ((), frozenset({Credential.HHA, Credential.CNA})) == (
            s9122.revenue_codes,
            s9122.credentials,
        )
        assert "UNCONFIRMED" in s9122.source

    @pytest.mark.parametrize(
        ("code", "replaced_by", "terminated"),
        [
            ("G0154", ("G0299", "G0300"), dt.date(2016, 2, 29)),
            ("G0163", ("G0493", "G0494"), dt.date(2016, 12, 31)),
            ("G0164", ("G0495", "G0496"), dt.date(2016, 12, 31)),
        ],
    )
    def test_replacements(
        self, code: str, replaced_by: tuple[str, ...], terminated: dt.date
    ) -> None:
        """Retired nursing codes name their replacements, which are in the table."""
        found = lookup(code)

        assert (replaced_by, terminated) == (found.replaced_by, found.terminated)
        assert all(r in default_catalog() for r in replaced_by)

    def test_g0162_active(self) -> None:
        """G0162 was not retired."""
        assert None is lookup("G0162").terminated

    @pytest.mark.parametrize("code", ["Q5001", "Q5002", "Q5009", "G0320", "G0321", "G0322"])
    def test_home_health_families(self, code: str) -> None:
        """HH site-of-service and telehealth codes take any of the six HH visit families."""
        assert HH_FAMILIES == lookup(code).revenue_codes[: len(HH_FAMILIES)]

    @pytest.mark.parametrize("code", [f"Q50{n:02d}" for n in range(1, 11)])
    def test_hospice_level_of_care_codes(self, code: str) -> None:
        """Every site Q-code goes on a hospice level-of-care line (CR 5245), and only the
        three home-health ones on a visit family."""
        found = lookup(code)
        assert all(found.accepts_revenue_code(r) for r in ("0651", "0652", "0655", "0656"))
        assert (code in ("Q5001", "Q5002", "Q5009")) == found.accepts_revenue_code("0551")

    def test_site_of_service_settings(self) -> None:
        """Q5001 is the home and Q5002 assisted living."""
        assert (frozenset({Setting.HOME}), frozenset({Setting.HOME, Setting.ASSISTED_LIVING})) == (
            lookup("Q5001").settings,
            lookup("Q5002").settings,
        )

    @pytest.mark.parametrize(
        ("code", "unit"),
        [
            ("G0320", BillingUnit.UNTIMED),
            ("G0321", BillingUnit.UNTIMED),
            ("G0322", BillingUnit.DAYS_MONITORED),
        ],
    )
    def test_telehealth_units(self, code: str, unit: BillingUnit) -> None:
        """G0320/G0321 are one unit per service; G0322 counts days monitored."""
        assert (unit, dt.date(2023, 1, 1)) == (lookup(code).unit, lookup(code).effective)

    def test_cpt_rows(self) -> None:
        """CPT rows are our own summaries, flagged as such, never AMA text."""
        cpt = list(default_catalog().filter(code_set=CodeSet.CPT).codes())
        expected = ["97110", "97112", "97140"] + [f"9716{i}" for i in range(1, 9)] + [
            "99500", "99501", "99502", "99503", "99504", "99505", "99506", "99507",
            "99509", "99510", "99511", "99512", "99600", "99601", "99602",
        ]  # fmt: skip

        assert expected == [c.code for c in cpt]
        assert all("CPT text not shipped" in c.descriptor for c in cpt)
        assert all(c.coverage is None for c in cpt)

    def test_cpt_home_visits(self) -> None:
        """99500-99602 are visits (99602 an extra hour), not for Medicare, status unconfirmed."""
        visits = default_catalog().filter(code_set=CodeSet.CPT, setting=Setting.HOME)

        assert {"99602"} == {c.code for c in visits.codes() if c.unit is BillingUnit.HOUR}
        assert all(c.unit is BillingUnit.VISIT for c in visits.codes() if c.code != "99602")
        assert not any(c.medicare_accepts for c in visits.codes())
        assert all("UNCONFIRMED" in c.source for c in visits.codes())

    def test_evaluations(self) -> None:
        """97161-97168 are untimed, effective 2017-01-01 and accepted by Medicare."""
        evals = [lookup(f"9716{i}") for i in range(1, 9)]

        assert {(BillingUnit.UNTIMED, dt.date(2017, 1, 1), True)} == {
            (c.unit, c.effective, c.medicare_accepts) for c in evals
        }

    def test_fifteen_minute_minimum(self) -> None:
        """Every 15-minute code needs 8 minutes for one unit."""
        timed = default_catalog().filter(unit=BillingUnit.FIFTEEN_MINUTES)

        assert {8} == {c.min_minutes for c in timed.codes()}

    def test_every_row_has_source(self) -> None:
        """Every row names where its attributes come from."""
        assert [] == [c.code for c in default_catalog().codes() if not c.source]


class TestAgainstCms2019:
    """Every HCPCS Level II row agrees with CMS's 2019 file, except the listed differences."""

    @pytest.mark.parametrize(
        ("low", "high"),
        [
            (r["first"], r["last"])
            for r in read_table("code_families.tsv")
            if r["first"][0].isalpha()
        ],
    )
    def test_ranges_complete(self, cms_2019: dict[str, Code], low: str, high: str) -> None:
        """Every code the 2019 file holds in a curated family's range is in the table,
        except the listed ones."""
        in_file = {k for k in cms_2019 if low <= k <= high} - NOT_CURATED
        in_table = {k for k in default_catalog() if low <= k <= high} - set(ADDED_AFTER_2019)
        in_table -= set(ADDED_IN_2020)

        assert in_file == in_table

    def test_s9130_does_not_exist(self, cms_2019: dict[str, Code]) -> None:
        """S9130 is in neither the 2019 file nor the table."""
        assert (False, False) == ("S9130" in cms_2019, "S9130" in default_catalog())

    def test_only_listed_codes_missing(self, cms_2019: dict[str, Code]) -> None:
        """The codes absent from the 2019 file are exactly those added later."""
        missing = {c.code for c in hcpcs_rows() if c.code not in cms_2019}

        assert set(ADDED_AFTER_2019) | set(ADDED_IN_2020) == missing

    @pytest.mark.parametrize("code", sorted(ADDED_AFTER_2019))
    def test_added_later(self, code: str) -> None:
        """Codes added after 2019 carry their own effective date and source."""
        found = lookup(code)

        assert (ADDED_AFTER_2019[code], None) == (found.effective, found.terminated)
        assert "not in the 2019 file" in found.source

    @pytest.mark.parametrize(
        "row", [c for c in hcpcs_rows() if c.code not in ADDED_AFTER_2019], ids=lambda c: c.code
    )
    def test_row(self, cms_2020: dict[str, Code], row: Code) -> None:
        """Descriptor, dates, coverage and Medicare acceptance match the shipped release's
        file (CMS's October 2020 workbook)."""
        cms = cms_2020[row.code]
        if row.code in NEWER_DESCRIPTOR:
            assert NEWER_DESCRIPTOR[row.code] in row.descriptor
        else:
            assert cms.descriptor == row.descriptor
        assert (cms.effective, CURATED_END.get(row.code, cms.terminated)) == (
            row.effective,
            row.terminated,
        )
        assert (cms.coverage, cms.processing_note) == (row.coverage, row.processing_note)
        assert cms.medicare_accepts == row.medicare_accepts
        assert "CMS HCPCS 2019" in row.source or row.code in ADDED_IN_2020


def recase(draw: st.DrawFn, code: str) -> str:
    """The code with random letter case and whitespace around and between characters."""
    space = st.text(alphabet=" \t\n\r", max_size=3)
    parts = [draw(space)]
    for ch in code:
        parts += [ch.lower() if draw(st.booleans()) else ch, draw(space)]
    return "".join(parts)


class TestLookup:
    """Looking codes up by any spelling, on a date, with suggestions."""

    @given(st.data())
    def test_any_spelling(self, data: st.DataObject) -> None:
        """Any casing and whitespace of a valid code finds the same entry."""
        code = data.draw(st.sampled_from(list(default_catalog())))
        spelled = recase(data.draw, code)

        assert lookup(code) is lookup(spelled)
        assert default_catalog()[code] is default_catalog()[spelled]
        assert code == normalize_code(spelled)

    def test_s9130_unknown(self) -> None:
        """S9130 does not exist."""
        with pytest.raises(UnknownCodeError) as info:
            lookup("S9130")

        assert "S9130" == info.value.code

    def test_suggestion_one_edit_away(self) -> None:
        """A near miss suggests a known code one edit away."""
        with pytest.raises(UnknownCodeError) as info:
            lookup("G0125")

        suggestion = info.value.suggestion
        assert suggestion in default_catalog()
        assert 1 == edit_distance("G0125", suggestion)
        assert f"did you mean {suggestion!r}" in str(info.value)

    def test_no_suggestion(self) -> None:
        """A code far from every known code gets no suggestion."""
        with pytest.raises(UnknownCodeError) as info:
            lookup("Z9999")

        assert None is info.value.suggestion

    def test_g0154_on_dates(self) -> None:
        """G0154 is valid on its last day and not the day after, which names G0299/G0300."""
        assert "G0154" == lookup("G0154", on=dt.date(2016, 2, 29)).code
        with pytest.raises(CodeNotEffectiveError) as info:
            lookup("G0154", on=dt.date(2016, 3, 1))

        assert ("G0299", "G0300") == info.value.replaced_by
        assert "use G0299 or G0300" in str(info.value)

    def test_g0163_on_dates(self) -> None:
        """G0163 ends with 2016; G0493 starts in 2017."""
        assert "G0163" == lookup("G0163", on=dt.date(2016, 12, 31)).code
        with pytest.raises(CodeNotEffectiveError, match="use G0493 or G0494"):
            lookup("G0163", on=dt.date(2017, 1, 1))
        assert "G0493" == lookup("G0493", on=dt.date(2017, 1, 1)).code

    def test_g2168_on_dates(self) -> None:
        """G2168 is not in effect before 2020-01-01."""
        with pytest.raises(CodeNotEffectiveError, match="takes effect on 2020-01-01"):
            lookup("G2168", on=dt.date(2019, 12, 31))

        assert "G2168" == lookup("G2168", on=dt.date(2020, 1, 1)).code


def edit_distance(a: str, b: str) -> int:
    """Levenshtein distance, with adjacent transpositions counted as one edit."""
    d = [[i + j if i * j == 0 else 0 for j in range(len(b) + 1)] for i in range(len(a) + 1)]
    for i in range(1, len(a) + 1):
        for j in range(1, len(b) + 1):
            d[i][j] = min(
                d[i - 1][j] + 1, d[i][j - 1] + 1, d[i - 1][j - 1] + (a[i - 1] != b[j - 1])
            )
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                d[i][j] = min(d[i][j], d[i - 2][j - 2] + 1)
    return d[len(a)][len(b)]


class TestFilter:
    """Filtering the catalog by discipline, unit, credential and code set."""

    def test_discipline(self) -> None:
        """Speech-language pathology HCPCS codes in effect today are the two G-codes and S9128."""
        found = default_catalog().filter(
            discipline=Discipline.SPEECH_LANGUAGE_PATHOLOGY,
            code_set=CodeSet.HCPCS,
            on=dt.date(2024, 1, 1),
        )

        assert ["G0153", "G0161", "S9128"] == list(found)

    def test_unit(self) -> None:
        """The hourly codes are the home nursing, aide, pharmacy, clinic, habilitation and
        hospice ones."""
        found = default_catalog().filter(unit=BillingUnit.HOUR)

        assert [
            "99602",
            "S9122",
            "S9123",
            "S9124",
            "S9810",
            "T1026",
            "T2013",
            "T2015",
            "T2043",
        ] == list(found)

    def test_credential(self) -> None:
        """LPN codes span Medicare G-codes and Medicaid/commercial S and T codes."""
        found = default_catalog().filter(credential="LPN", on=dt.date(2024, 1, 1))

        assert [
            "G0300",
            "G0490",
            "G0494",
            "G0496",
            "S9124",
            "T1000",
            "T1003",
            "T1031",
        ] == list(found)

    def test_code_set(self) -> None:
        """The CPT rows are the 23 evaluation and home-visit codes."""
        assert 26 == len(default_catalog().filter(code_set="CPT"))

    def test_chained(self) -> None:
        """Filters chain and agree with one combined filter."""
        once = default_catalog().filter(discipline="skilled nursing", unit=BillingUnit.DAY)
        twice = default_catalog().filter(discipline="skilled nursing").filter(unit=BillingUnit.DAY)

        assert ["T1030", "T1031"] == list(once)
        assert once == twice

    def test_medicare(self) -> None:
        """No S or T code is accepted by Medicare."""
        accepted = default_catalog().filter(medicare_accepts=True)

        assert [] == [c for c in accepted if c[0] in "ST"]


class TestReprHtml:
    """Jupyter renderings."""

    def test_code(self) -> None:
        """A code renders as a two-column table of its summary."""
        html = lookup("S9124")._repr_html_()

        assert html.startswith("<table>")
        assert "<th style='text-align:left'>revenue codes</th>" in html
        assert "<td style='text-align:left'>0552</td>" in html

    def test_filtered_catalog(self) -> None:
        """A filtered catalog renders one row per code, escaped."""
        html = default_catalog().filter(unit=BillingUnit.DAY, credential="RN")._repr_html_()

        assert 1 == html.count("<tr><td")
        assert "T1030" in html
        assert "<th>descriptor</th>" in html

    def test_empty_catalog(self) -> None:
        """An empty catalog says so."""
        assert "<p>empty catalog</p>" == Catalog()._repr_html_()


JUNK = [
    None,
    "",
    object(),
    "€",
    10**100,
    float("nan"),
    math.inf,
    "G" * 100_000,
    "g0152" * 1000,
    b"G0152",
    b"\x00\xff",
    "\x00",
    ["G0152"],
    -1,
    True,
]


def _stable_id(value: object) -> str:
    """A test id that is the same in every xdist worker (no memory addresses)."""
    return "object()" if type(value) is object else repr(value)[:40]


class TestRobustness:
    """Junk at every public entry point raises only the library's own errors."""

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_lookup(self, junk: object) -> None:
        """lookup, Catalog.lookup, indexing and normalize_code raise HcpcsError subclasses."""
        cat = default_catalog()
        for entry in (lookup, cat.lookup, cat.__getitem__, normalize_code):
            with pytest.raises(HcpcsError):
                entry(junk)  # type: ignore[operator]

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_contains(self, junk: object) -> None:
        """Membership never raises."""
        assert junk not in default_catalog()

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_load_cms_file(self, junk: object) -> None:
        """load_cms_file raises an HcpcsError for anything that is not a CMS file."""
        with pytest.raises(HcpcsError):
            list(load_cms_file(junk))

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_release_and_catalog_from_cms_file(self, junk: object) -> None:
        """Release.from_cms_file and Catalog.from_cms_file refuse anything not a CMS file."""
        with pytest.raises(HcpcsError):
            Release.from_cms_file(junk)
        with pytest.raises(HcpcsError):
            Catalog.from_cms_file(junk)

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_suggest(self, junk: object) -> None:
        """suggest() answers None for junk text and refuses a junk discipline."""
        assert None is default_catalog().suggest(junk)
        if junk is not None:
            with pytest.raises(InvalidFieldError):
                default_catalog().suggest("G0150", discipline=junk)  # type: ignore[arg-type]

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_with_release(self, junk: object) -> None:
        """with_release takes a Release or None, nothing else."""
        if junk is None:
            assert None is default_catalog().with_release(None).release
            return
        with pytest.raises(InvalidFieldError):
            default_catalog().with_release(junk)  # type: ignore[arg-type]

    @pytest.mark.parametrize("junk", ["2016-03-01", dt.datetime(2016, 3, 1), 20160301, math.nan])
    def test_on(self, junk: object) -> None:
        """A date argument that is not a date raises an HcpcsError."""
        with pytest.raises(HcpcsError):
            lookup("G0154", on=junk)  # type: ignore[arg-type]


# --- the validity layer ---------------------------------------------------------------

ROOT = Path(__file__).resolve().parents[1]


def build_release_tool() -> Any:
    """tools/build_release.py as a module (tools/ is not a package)."""
    spec = importlib.util.spec_from_file_location(
        "build_release", ROOT / "tools" / "build_release.py"
    )
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


@pytest.fixture(scope="module")
def records_2019(cms_dir: Path) -> list[CmsRecord]:
    """Every record of the shipped release's CMS file (the October 2020 workbook),
    procedures and modifiers."""
    return read_cms_records(cms_dir / CMS_OCT_2020)


class TestValidityLayer:
    """Every code and modifier of the CMS 2019 release is known, curated or not."""

    def test_release_named(self) -> None:
        """The bundled release is CMS_RELEASE, saved 2020-08-11, current for the fourth
        quarter of 2020, with every record."""
        release = default_catalog().release
        assert release is not None
        assert (CMS_RELEASE, dt.date(2020, 8, 11)) == (release.name, release.published)
        assert (dt.date(2020, 10, 1), dt.date(2020, 12, 31)) == release.current
        assert (6825, 371) == (len(release.code_ids()), len(release.modifier_ids()))

    def test_every_code_looks_up(self, records_2019: list[CmsRecord]) -> None:
        """Every 2019 Level II code looks up, with the file's dates, coverage and note."""
        wrong = []
        for r in records_2019:
            if r.is_modifier:
                continue
            found = lookup(r.code)
            ended = CURATED_END.get(r.code, r.terminated)
            if (found.effective, found.terminated) != (r.added, ended) or (
                not found.curated
                and (found.coverage, found.processing_note, found.descriptor)
                != (r.coverage, r.processing_note, r.short_description)
            ):
                wrong.append(r.code)
        assert [] == wrong

    def test_every_modifier_looks_up(self, records_2019: list[CmsRecord]) -> None:
        """Every 2019 modifier looks up, with the file's descriptors and dates."""
        wrong = [
            r.code
            for r in records_2019
            if r.is_modifier
            and (lambda m: (m.descriptor, m.short_descriptor, m.effective, m.terminated))(
                lookup_modifier(r.code)
            )
            != (r.long_description, r.short_description, r.added, r.terminated)
        ]
        assert [] == wrong

    def test_bundled_tables_match_file(self, cms_dir: Path) -> None:
        """The bundled tables are exactly what tools/build_release.py makes of the October
        2020 workbook."""
        tables = build_release_tool().build(cms_dir / CMS_OCT_2020, CMS_RELEASE, "2020-08-11")
        data = ROOT / "hcpcs_home" / "data"
        for name, text in tables.items():
            assert text == (data / name).read_text("utf-8"), f"{name}: rerun the tool"

    def test_release_from_file_agrees(self, cms_dir: Path) -> None:
        """A release read from the CMS file knows the same codes and modifiers, with
        the long descriptors."""
        from_file = Release.from_cms_file(cms_dir / CMS_OCT_2020)
        bundled = default_catalog().release
        assert bundled is not None
        assert bundled.code_ids() == from_file.code_ids()
        assert bundled.modifier_ids() == from_file.modifier_ids()
        t1019 = from_file.code("T1019")
        assert t1019 is not None and t1019.descriptor.startswith("Personal care services, per 15")
        assert "TD" == next(from_file.modifiers(credential=Credential.RN)).code

    def test_not_curated_code(self) -> None:
        """A valid code outside the curated layer is known, marked not curated."""
        e0110 = lookup("e0110")
        assert (False, "Crutch forearm pair") == (e0110.curated, e0110.descriptor)
        assert "not curated" in e0110.source
        assert "no: units and credentials not checked" == e0110.summary()["curated"]
        assert e0110 is default_catalog().get("E0110")
        assert "E0110" in default_catalog()
        assert "E0110" not in list(default_catalog())

    def test_curated_code_wins(self) -> None:
        """A curated code comes back curated, with its reviewed attributes."""
        g0151 = lookup("G0151")
        assert (True, Discipline.PHYSICAL_THERAPY) == (g0151.curated, g0151.discipline)

    def test_terminated_in_release(self) -> None:
        """A code the release ended is refused after its last day."""
        code = next(c for c in default_catalog().release.codes() if c.terminated)  # type: ignore[union-attr]
        assert code.code == lookup(code.code, on=code.terminated).code
        with pytest.raises(CodeNotEffectiveError):
            lookup(code.code, on=code.terminated + dt.timedelta(days=1))  # type: ignore[operator]

    def test_unit_from_long_descriptor(self) -> None:
        """A not-curated code's unit is read from CMS's long descriptor at build time."""
        assert (BillingUnit.FIFTEEN_MINUTES, 8) == (
            lookup("H2019").unit,
            lookup("H2019").min_minutes,
        )

    def test_catalog_without_release(self) -> None:
        """A catalog built from codes alone knows only them and no modifier."""
        bare = Catalog(default_catalog().codes())
        assert None is bare.release
        with pytest.raises(UnknownCodeError):
            bare.lookup("E0110")
        with pytest.raises(UnknownModifierError):
            bare.lookup_modifier("GP")

    def test_filter_has_no_release(self) -> None:
        """A filtered catalog holds its matches only."""
        hours = default_catalog().filter(unit=BillingUnit.HOUR)
        assert (None, False) == (hours.release, "E0110" in hours)

    def test_from_cms_file(self, cms_dir: Path) -> None:
        """Catalog.from_cms_file keeps the curated layer over the file's release."""
        cat = Catalog.from_cms_file(cms_dir / CMS_2019)
        assert cat.release is not None and CMS_2019 == cat.release.name
        assert list(default_catalog()) == list(cat)
        assert cat.lookup("E0110").descriptor.startswith("Crutches, forearm")
        assert Credential.LPN is cat.lookup_modifier("TE").credential

    def test_with_release(self) -> None:
        """with_release swaps the validity layer and keeps the curated codes."""
        small = Release("test", [lookup("E0110")], [lookup_modifier("GP")])
        cat = default_catalog().with_release(small)
        assert "E0110" in cat and "E0111" not in cat
        assert lookup("G0151") == cat.lookup("G0151")
        assert Discipline.PHYSICAL_THERAPY is cat.lookup_modifier("GP").discipline
        assert "<Release test: 1 codes, 1 modifiers>" == repr(small)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"name": ""}, "name"),
            ({"name": "x", "codes": ["E0110"]}, "codes"),
            ({"name": "x", "modifiers": ["GP"]}, "modifiers"),
            ({"name": "x", "published": "2019-01-01"}, "published"),
        ],
    )
    def test_release_refuses_junk(self, kwargs: dict[str, Any], field: str) -> None:
        """Release refuses a blank name, non-Code codes, non-Modifier modifiers, text dates."""
        with pytest.raises(InvalidFieldError) as info:
            Release(**kwargs)
        assert field == info.value.field

    def test_release_criteria(self) -> None:
        """Release.modifiers filters by the curated attributes and refuses others."""
        release = default_catalog().release
        assert release is not None
        assert ["CO", "CQ"] == [m.code for m in release.modifiers(assistant=True)]
        assert ["GQ", "GT"] == [m.code for m in release.modifiers(telehealth=True)]
        with pytest.raises(InvalidFieldError):
            list(release.modifiers(colour="red"))


class TestCuratedAgainstValidity:
    """The curated layer agrees with the validity layer it sits on."""

    #: Curated codes whose dates differ from the release's on purpose, with the source.
    CITED: ClassVar[dict[str, str]] = {}

    def test_not_ended_earlier_by_cms(self) -> None:
        """No curated code runs past the date CMS's release terminated it."""
        release = default_catalog().release
        assert release is not None
        late = []
        for code in default_catalog().codes():
            cms = release.code(code.code)
            if cms is None or cms.terminated is None or code.code in self.CITED:
                continue
            if code.terminated is None or code.terminated > cms.terminated:
                late.append(code.code)
        assert [] == late

    def test_curated_hcpcs_codes_exist(self) -> None:
        """Every curated HCPCS code is in the release, or cites its later source."""
        release = default_catalog().release
        assert release is not None
        absent = {
            c.code
            for c in default_catalog().filter(code_set=CodeSet.HCPCS).codes()
            if release.code(c.code) is None
        }
        assert set(ADDED_AFTER_2019) - set(ADDED_IN_2020) == absent

    def test_program_start(self) -> None:
        """G0299/G0300: HCPCS added 2015-11-02, Medicare use from 2016-01-01 (CR 9369)."""
        for code in ("G0299", "G0300"):
            found = lookup(code)
            assert (dt.date(2015, 11, 2), dt.date(2016, 1, 1)) == (
                found.effective,
                found.program_start,
            )
            assert "2016-01-01" == found.summary()["program start"]
        assert None is lookup("G0151").program_start


class TestModifiers:
    """lookup_modifier, the Modifier value and its curated assertions."""

    def test_gp(self) -> None:
        """GP asserts physical therapy and comes from the release."""
        gp = lookup_modifier(" gp\n")
        assert ("GP", ModifierRole.THERAPY_DISCIPLINE, Discipline.PHYSICAL_THERAPY) == (
            gp.code,
            gp.role,
            gp.discipline,
        )
        assert gp.curated and "§20.1" in gp.source
        assert "GP: Services delivered under an outpatient physical therapy plan of care" == str(gp)

    @pytest.mark.parametrize(
        ("modifier", "credential", "assistant"),
        [
            ("TD", Credential.RN, False),
            ("TE", Credential.LPN, False),
            ("CQ", Credential.PTA, True),
            ("CO", Credential.OTA, True),
        ],
    )
    def test_credentials(self, modifier: str, credential: Credential, assistant: bool) -> None:
        """The credential modifiers say who rendered the service."""
        found = lookup_modifier(modifier)
        assert (credential, assistant) == (found.credential, found.assistant)

    def test_not_curated(self) -> None:
        """A modifier the library does not curate is valid and asserts nothing."""
        lt = lookup_modifier("LT")
        assert (False, None, None) == (lt.curated, lt.role, lt.discipline)

    @pytest.mark.parametrize(
        ("typed", "suggestions"),
        [
            ("RN", ("TD", "TE")),
            ("rn", ("TD", "TE")),
            ("LPN", ("TE", "TD")),
            ("LVN", ("TE", "TD")),
            ("PTA", ("CQ", "GP")),
            ("OT", ("GO", "CO")),
            ("SLP", ("GN",)),
            ("PG", ("GP",)),
            ("ZZ", ()),
            ("HHA", ()),
        ],
    )
    def test_unknown_suggests(self, typed: str, suggestions: tuple[str, ...]) -> None:
        """A credential typed as a modifier is refused with the modifiers that say it."""
        with pytest.raises(UnknownModifierError) as info:
            lookup_modifier(typed)
        assert (typed, suggestions) == (info.value.modifier, info.value.suggestions)

    def test_rn_message(self) -> None:
        """The error names the value and the credential modifiers, and pickles."""
        with pytest.raises(UnknownModifierError) as info:
            lookup_modifier("RN")
        err = info.value
        assert "unknown HCPCS modifier 'RN'; did you mean 'TD' or 'TE'?" == str(err)
        assert isinstance(err, LookupError) and isinstance(err, HcpcsError)
        again = pickle.loads(pickle.dumps(err))
        assert (str(err), err.suggestions) == (str(again), again.suggestions)

    def test_on_dates(self) -> None:
        """CQ starts 2019-01-01; ZA ended 2018-03-31."""
        assert "CQ" == lookup_modifier("CQ", on=dt.date(2019, 1, 1)).code
        with pytest.raises(
            ModifierNotEffectiveError, match=r"modifier 'CQ' .* takes effect on 2019-01-01"
        ):
            lookup_modifier("CQ", on=dt.date(2018, 12, 31))
        with pytest.raises(ModifierNotEffectiveError, match="terminated after 2018-03-31") as info:
            lookup_modifier("ZA", on=dt.date(2018, 4, 1))
        assert isinstance(info.value, CodeNotEffectiveError)
        with pytest.raises(InvalidFieldError):
            lookup_modifier("CQ", on="2019-01-01")  # type: ignore[arg-type]

    def test_assertions_table(self) -> None:
        """Every curated assertion names a modifier of the release and a public source."""
        release = default_catalog().release
        assert release is not None
        curated = list(release.modifiers(curated=True))
        rows = read_table("modifier_assertions.tsv")
        assert sorted(r["modifier"] for r in rows) == [m.code for m in curated]
        assert [] == [m.code for m in curated if not m.source or m.role is None]
        assert [] == [m.code for m in curated if "seed" in m.source or "README" in m.source]
        therapy = {
            m.code: m.discipline for m in release.modifiers(role=ModifierRole.THERAPY_DISCIPLINE)
        }
        assert {
            "GN": Discipline.SPEECH_LANGUAGE_PATHOLOGY,
            "GO": Discipline.OCCUPATIONAL_THERAPY,
            "GP": Discipline.PHYSICAL_THERAPY,
        } == therapy

    @pytest.mark.parametrize(
        "kwargs",
        [
            {"code": "G", "descriptor": "x"},
            {"code": "GP", "descriptor": 1},
            {
                "code": "GP",
                "descriptor": "x",
                "effective": dt.date(2020, 1, 1),
                "terminated": dt.date(2019, 1, 1),
            },
            {"code": "GP", "descriptor": "x", "role": "not a role"},
            {"code": "GP", "descriptor": "x", "assistant": "yes"},
        ],
    )
    def test_value_refuses(self, kwargs: dict[str, Any]) -> None:
        """A Modifier cannot be built from a bad code, descriptor, dates, role or flag."""
        with pytest.raises((InvalidFieldError, ValueError, TypeError)):
            Modifier(**kwargs)

    def test_value_is_canonical_and_frozen(self) -> None:
        """A Modifier normalises its code and cannot be changed."""
        m = Modifier(" td ", "Rn", credential="RN")
        assert ("TD", Credential.RN) == (m.code, m.credential)
        with pytest.raises(attrs.exceptions.FrozenInstanceError):
            m.code = "TE"  # type: ignore[misc]
        assert "<table>" in m._repr_html_()

    @pytest.mark.parametrize("junk", JUNK, ids=_stable_id)
    def test_junk(self, junk: object) -> None:
        """Junk given as a modifier raises UnknownModifierError."""
        with pytest.raises(UnknownModifierError):
            lookup_modifier(junk)


class TestSuggestions:
    """A suggestion stays within the typed code's family and, if asked, its discipline."""

    @pytest.mark.parametrize(
        ("typed", "meant"), [("S9142", "S9124"), ("G0115", "G0151"), ("S9132", "S9123")]
    )
    def test_transposition_first(self, typed: str, meant: str) -> None:
        """Two neighbouring digits swapped, the commonest code typo, is tried before any
        other edit (S9142 used to suggest S9140, G0115 G0117)."""
        assert meant == default_catalog().suggest(typed)
        assert meant == default_catalog().suggestions(typed)[0]

    def test_slip_before_other_edits(self) -> None:
        """After the transpositions come the one-character slips, then the rest."""
        assert ("S9124", "S9140", "S9141", "S9145") == default_catalog().suggestions("S9142")

    def test_transposition_stays_in_family(self) -> None:
        """A transposition into another family is never suggested (T2024 is a waiver
        service, T2042 Medicaid hospice)."""
        only_hospice = Catalog([lookup("T2042")])
        assert () == only_hospice.suggestions("T2024")
        assert ("T2042",) == only_hospice.suggestions("T2043")

    def test_limit(self) -> None:
        """At most ``limit`` suggestions, and a junk limit is refused."""
        assert 1 == len(default_catalog().suggestions("S9123", limit=1))
        with pytest.raises(InvalidFieldError):
            default_catalog().suggestions("S9123", limit=0)

    def test_never_another_setting(self) -> None:
        """With only T2045 known, T2025 (waiver range) gets no hospice suggestion."""
        only_hospice = Catalog([lookup("T2045")])
        assert None is only_hospice.suggest("T2025")
        assert "T2045" == only_hospice.suggest("T2044")

    def test_discipline(self) -> None:
        """A discipline narrows the suggestion to curated codes of that discipline."""
        cat = default_catalog()
        assert "G0151" == cat.suggest("G0150", discipline=Discipline.PHYSICAL_THERAPY)
        assert "G0152" == cat.suggest("G0150", discipline="occupational therapy")

    @given(st.data())
    def test_same_family(self, data: st.DataObject) -> None:
        """One edit away from a curated code, any suggestion is in the typed text's family."""
        code = data.draw(st.sampled_from(list(default_catalog())))
        i = data.draw(st.integers(0, 4))
        typed = code[:i] + data.draw(st.sampled_from("0123456789")) + code[i + 1 :]
        found = default_catalog().suggest(typed)
        if found is not None:
            assert family_of(found) == family_of(typed) or (
                family_of(typed) is None
                and (found[:4] == typed[:4] or sorted(found) == sorted(typed))
            )


class TestCodeLayers:
    """Code says which layer it comes from and keeps the program start apart."""

    def test_defaults(self) -> None:
        """A Code built by hand is curated and has no program start of its own."""
        code = Code("X1234", CodeSet.HCPCS, "Test code", BillingUnit.VISIT)
        assert (True, None) == (code.curated, code.program_start)

    @pytest.mark.parametrize(
        ("kwargs", "field"),
        [
            ({"program_start": "2016-01-01"}, "program_start"),
            ({"program_start": dt.datetime(2016, 1, 1)}, "program_start"),
            (
                {"program_start": dt.date(2017, 1, 1), "terminated": dt.date(2016, 12, 31)},
                "program_start",
            ),
        ],
    )
    def test_program_start_refused(self, kwargs: dict[str, Any], field: str) -> None:
        """A program start that is not a date, or after the code ended, is refused."""
        with pytest.raises(InvalidFieldError) as info:
            Code("X1234", CodeSet.HCPCS, "Test code", BillingUnit.VISIT, **kwargs)
        assert field == info.value.field

    def test_curated_must_be_bool(self) -> None:
        """curated is a real bool."""
        with pytest.raises(TypeError):
            Code("X1234", CodeSet.HCPCS, "Test code", BillingUnit.VISIT, curated="no")  # type: ignore[arg-type]


class TestDocsTable:
    """docs/catalog.rst's family table is what the data says (tools/catalog_table.py)."""

    def test_table_current(self) -> None:
        """The page holds the table the tool writes from the current data."""
        spec = importlib.util.spec_from_file_location(
            "catalog_table", ROOT / "tools" / "catalog_table.py"
        )
        assert spec is not None and spec.loader is not None
        tool = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(tool)
        page = (ROOT / "docs" / "catalog.rst").read_text("utf-8")
        assert tool.rewrite(page) == page, "run python tools/catalog_table.py"

    def test_families_do_not_overlap(self) -> None:
        """No two family ranges overlap, and each range runs forward."""
        ranges = sorted((r["first"], r["last"]) for r in read_table("code_families.tsv"))
        assert all(first <= last for first, last in ranges)
        assert all(a[1] < b[0] for a, b in itertools.pairwise(ranges))


class TestCuratedFamilies:
    """The home-relevant families curated for issue 10, each with its dates and source."""

    def test_size(self) -> None:
        """At least 350 curated home-health, home-care, hospice and home-infusion codes."""
        assert 350 <= len(default_catalog())

    @pytest.mark.parametrize(
        ("code", "discipline", "unit"),
        [
            ("T2025", Discipline.WAIVER, BillingUnit.UNTIMED),
            ("T2021", Discipline.HABILITATION, BillingUnit.FIFTEEN_MINUTES),
            ("T2031", Discipline.RESIDENTIAL, BillingUnit.DAY),
            ("T2002", Discipline.TRANSPORTATION, BillingUnit.DAY),
            ("T2022", Discipline.CASE_MANAGEMENT, BillingUnit.MONTH),
            ("T1502", Discipline.SKILLED_NURSING, BillingUnit.VISIT),
            ("S9325", Discipline.HOME_INFUSION, BillingUnit.DAY),
            ("S9500", Discipline.HOME_INFUSION, BillingUnit.DAY),
            ("S5498", Discipline.HOME_INFUSION, BillingUnit.DAY),
            ("S5520", Discipline.HOME_INFUSION, BillingUnit.UNTIMED),
            ("S9810", Discipline.HOME_INFUSION, BillingUnit.HOUR),
            ("G0068", Discipline.HOME_INFUSION, BillingUnit.FIFTEEN_MINUTES),
            ("G0181", Discipline.PHYSICIAN, BillingUnit.MONTH),
            ("H2015", Discipline.BEHAVIORAL_HEALTH, BillingUnit.FIFTEEN_MINUTES),
            ("H2016", Discipline.BEHAVIORAL_HEALTH, BillingUnit.DAY),
            ("G9473", Discipline.HOSPICE, BillingUnit.FIFTEEN_MINUTES),
        ],
    )
    def test_family_rows(self, code: str, discipline: Discipline, unit: BillingUnit) -> None:
        """Each new family's rows carry the discipline and the unit their descriptor states."""
        found = lookup(code)
        assert (True, discipline, unit) == (found.curated, found.discipline, found.unit)
        assert found.source.startswith("CMS HCPCS 2019")

    def test_functional_reporting_ends(self) -> None:
        """The 42 functional-reporting G-codes stay valid through 2019-12-31 (CMS's 2020
        file), though reporting was required only through 2018-12-31 (CMS-1693-F)."""
        assert 42 == len(FUNCTIONAL_REPORTING)
        for code in FUNCTIONAL_REPORTING:
            found = lookup(code, on=dt.date(2019, 3, 1))
            assert "CMS-1693-F" in found.source
            with pytest.raises(CodeNotEffectiveError, match="terminated after 2019-12-31"):
                lookup(code, on=dt.date(2020, 1, 1))

    def test_functional_reporting_disciplines(self) -> None:
        """PT/OT limitation codes go with 042X/043X, the SLP ones with 044X."""
        assert (Discipline.OUTPATIENT_THERAPY, ("042X", "043X")) == (
            lookup("G8978").discipline,
            lookup("G8978").revenue_codes,
        )
        assert (Discipline.SPEECH_LANGUAGE_PATHOLOGY, ("044X",)) == (
            lookup("G9186").discipline,
            lookup("G9186").revenue_codes,
        )

    @pytest.mark.parametrize("code", ["G0088", "G0089", "G0090"])
    def test_hit_initial_visits(self, code: str) -> None:
        """G0088-G0090 start 2021-01-01 (CR 11880) and are not in the 2019 release."""
        with pytest.raises(CodeNotEffectiveError, match="takes effect on 2021-01-01"):
            lookup(code, on=dt.date(2020, 12, 31))
        assert "CR 11880" in lookup(code).source
        assert None is default_catalog().release.code(code)  # type: ignore[union-attr]

    def test_t2007_left_to_validity_layer(self) -> None:
        """T2007 (half-hour increments) is known but not curated: its units are not checked."""
        t2007 = lookup("T2007")
        assert (False, True) == (t2007.curated, "not curated" in t2007.source)

    def test_g0490_credentials(self) -> None:
        """The RHC/FQHC home nursing visit is limited to RN or LPN (descriptor)."""
        assert frozenset({Credential.RN, Credential.LPN}) == lookup("G0490").credentials

    def test_t2025_suggestions_stay_in_waiver(self) -> None:
        """A typo next to T2025 suggests a waiver code, never T2045 (Medicaid hospice)."""
        cat = default_catalog()
        assert ("T2025", "T2024") == (cat.suggest("T2025X"), cat.suggest("T2024X"))
        hospice_only = Catalog([lookup("T2045")], release=cat.release)
        assert "T2045" != hospice_only.suggest("T2035")


#: A fresh process that records which data tables it reads and which modules it imports
#: while checking a claim of curated codes, then looks up a code only CMS's release knows.
#: It runs without site (``-S``), as no ``.pth`` hook may import modules for it, and is
#: given the package's folder and the test process's path.
LAZY_SCRIPT = """
import json, os, sys
sys.path[:0] = json.loads(sys.argv[1])
read = []
def audit(event, args):
    if event == "open" and isinstance(args[0], str) and args[0].endswith(".tsv"):
        read.append(os.path.basename(args[0]))
sys.addaudithook(audit)
from hcpcs_home import Claim, ClaimLine, check, lookup, payers
claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-31", type_of_bill="0329",
              lines=[ClaimLine("G0151", "2024-03-04", 3, modifiers=["GP"], revenue_code="0421")])
report = check(claim)
first = {"read": sorted(set(read)), "modules": sorted(sys.modules)}
first["lines"] = len(report.claim.lines)
e0110 = lookup("E0110")
print(json.dumps({"first": first, "then": sorted(set(read)), "curated": e0110.curated}))
"""


#: A home-care claim's check in a fresh process: the modules it imported.
HOME_CARE_SCRIPT = """
import json, sys
sys.path[:0] = json.loads(sys.argv[1])
from hcpcs_home import Claim, ClaimLine, Service, check, payers
visit = Service.from_times("T1000", "2025-03-03", "09:00", "10:00", credential="LPN")
claim = Claim(payers.TEXAS_MEDICAID_CSHCN, "2025-03-01", "2025-03-28", type_of_bill="0331",
              lines=[ClaimLine.from_service(visit, revenue_code="0552")], services=[visit])
report = check(claim)
print(json.dumps({"modules": sorted(sys.modules), "lines": len(report.claim.lines)}))
"""


def _fresh_process(script: str) -> dict[str, Any]:
    path = json.dumps([str(Path(catalog_module.__file__).resolve().parents[1]), *sys.path])
    done = subprocess.run(
        [sys.executable, "-S", "-c", script, path], capture_output=True, text=True, timeout=300
    )
    assert "" == done.stderr
    found: dict[str, Any] = json.loads(done.stdout)
    return found


@pytest.fixture(scope="module")
def fresh() -> dict[str, Any]:
    """What :data:`LAZY_SCRIPT` saw in a fresh process."""
    return _fresh_process(LAZY_SCRIPT)


class TestLazyTables:
    """The shipped tables are read when first needed, and a row built when first looked up."""

    def test_curated_claim_reads_no_release_codes(self, fresh: dict[str, Any]) -> None:
        """Checking a claim of curated codes reads the curated table and the modifiers,
        not the 6,440 codes of the CMS release."""
        assert 1 == fresh["first"]["lines"]
        assert {"codes.tsv", "release_modifiers.tsv"} <= set(fresh["first"]["read"])
        assert "release_codes.tsv" not in fresh["first"]["read"]

    def test_release_codes_read_for_an_uncurated_code(self, fresh: dict[str, Any]) -> None:
        """Looking up a code outside the curated layer reads the release's code table."""
        assert (False, True) == (fresh["curated"], "release_codes.tsv" in fresh["then"])

    def test_file_readers_not_imported(self, fresh: dict[str, Any]) -> None:
        """Checking a claim imports neither the CMS file reader nor what only reading
        files or showing tables in Jupyter needs."""
        unneeded = ("hcpcs_home._cms_file", "pathlib", "csv", "html", "pkgutil", "importlib.util")
        assert "hcpcs_home.catalog" in fresh["first"]["modules"]
        assert [] == [m for m in unneeded if m in fresh["first"]["modules"]]

    def test_home_care_check_imports_no_medicare_benefit_module(self) -> None:
        """Checking a home-care claim imports neither the hospice nor the PDGM module
        (their classes are needed only for hospice and Medicare home-health claims)."""
        found = _fresh_process(HOME_CARE_SCRIPT)
        assert 1 == found["lines"]
        assert "hcpcs_home.rules.hospice" not in found["modules"]  # nor its rules (#21)
        assert "hcpcs_home.rules.medicare_hh" in found["modules"]
        unneeded = ("hcpcs_home.hospice", "hcpcs_home.pdgm")
        assert [] == [m for m in unneeded if m in found["modules"]]

    @pytest.mark.parametrize(
        "criteria",
        [
            {},
            {"role": ModifierRole.THERAPY_DISCIPLINE},
            {"role": ModifierRole.CREDENTIAL, "curated": True},
            {"role": ModifierRole.REQUIREMENTS_MET, "discipline": None},
            {"role": None},
            {"curated": True},
            {"curated": False},
            {"assistant": False, "telehealth": False},
            {"discipline": Discipline.PHYSICAL_THERAPY},
            {"credential": None, "curated": True},
        ],
    )
    def test_modifiers_of_a_fresh_release(self, criteria: dict[str, Any]) -> None:
        """A release whose modifiers are not yet built finds the same modifiers as one
        whose modifiers are all built."""
        built = catalog_module._bundled_release()
        everything = list(built.modifiers())
        fresh = catalog_module._bundled_release()
        expected = [m for m in everything if all(getattr(m, k) == v for k, v in criteria.items())]
        assert expected == list(fresh.modifiers(**criteria))
        assert expected == list(built.modifiers(**criteria))

    def test_shipped_catalog_equals_one_built_eagerly(self) -> None:
        """The shipped catalog, built row by row on lookup, equals a catalog given every
        code at once, and its release knows every code it lists."""
        fresh = catalog_module.Catalog._shipped(catalog_module._bundled_release())
        assert "G0151" in fresh and fresh["G0151"] == default_catalog()["G0151"]
        assert Catalog(default_catalog().codes(), release=fresh.release) == fresh
        release = fresh.release
        assert release is not None
        assert len(release.code_ids()) == len(list(release.codes()))

    def test_release_tables_name_one_release(self) -> None:
        """The code and modifier tables of the validity layer name the same CMS release and
        date (the release's name is read from the smaller one)."""

        def header(name: str) -> dict[str, str]:
            lines = (line.split(": ", 1) for line in provenance(name) if ": " in line)
            return {k: v for k, v in lines if k in ("source", "release", "published")}

        assert header("release_codes.tsv") == header("release_modifiers.tsv")
        assert CMS_RELEASE == header("release_codes.tsv")["release"]
        release = default_catalog().release
        assert release is not None
        assert (CMS_RELEASE, dt.date(2020, 8, 11)) == (release.name, release.published)

    def test_eight_threads_in_a_fresh_process(self) -> None:
        """Eight threads looking up the same codes and modifiers first thing in a new
        process all get equal answers and no error."""
        script = textwrap.dedent(
            """
            import threading
            from hcpcs_home import default_catalog
            answers, errors = [], []
            def work():
                try:
                    catalog = default_catalog()
                    release = catalog.release
                    answers.append((
                        catalog.lookup("E0110"), catalog.lookup("G0151"),
                        catalog.lookup_modifier("GP"), catalog.lookup_modifier("A1"),
                        [m.code for m in release.modifiers(curated=True)],
                        len(list(catalog.codes())), len(release.code_ids()),
                    ))
                except Exception as exc:
                    errors.append(repr(exc))
            threads = [threading.Thread(target=work) for _ in range(8)]
            for t in threads: t.start()
            for t in threads: t.join()
            print(len(answers), len(errors), errors[:1], all(a == answers[0] for a in answers))
            """
        )
        for _ in range(3):
            done = subprocess.run(
                [sys.executable, "-c", script], capture_output=True, text=True, timeout=300
            )
            assert ("8 0 [] True", "") == (done.stdout.strip(), done.stderr)


class TestCuratedRowsFound:
    """The shipped catalog finds its first codes in codes.tsv's text without splitting
    every line (#21): the same rows, codes and table as splitting it gives."""

    KEYED = ("codes.tsv", "release_codes.tsv", "release_modifiers.tsv")

    @pytest.mark.parametrize("name", KEYED)
    def test_a_line_found_is_the_line_split(self, name: str) -> None:
        """What Indexed.line relies on holds for each keyed table: every line ends with
        a bare newline, no key repeats; and so each key finds read_keyed's line."""
        table = _tables.indexed(name)
        header, lines = _tables.read_keyed(name)
        assert header == table.header
        assert table.text.splitlines() == table.text.split("\n")[: len(table.text.splitlines())]
        body = table.text[table.body :].split("\n")
        keys = [ln.partition("\t")[0] for ln in body if ln]
        assert len(keys) == len(set(keys)) == len(lines)
        assert {k: table.line(k) for k in lines} == lines
        assert [None, None, None] == [table.line(k) for k in ("ZZZZZ", "code", header[0])]
        assert provenance(name) == _tables.provenance_text(table.text)

    def test_first_lookups_split_nothing(self) -> None:
        """A fresh shipped catalog builds the codes looked up from their lines found in
        the text, equal to a catalog that split the table, and splits it when the whole
        table is asked for, keeping the codes it built."""
        release = default_catalog().release
        assert release is not None
        fresh, whole = Catalog._shipped(release), Catalog._shipped(release)
        assert list(whole)  # split
        some = ["S9123", "G0151", "T1019", "E0110", "Q5001", "99509"]
        assert [fresh.get(c) for c in some] == [whole.get(c) for c in some]
        assert fresh._pending is not None
        kept = fresh._codes["S9123"]
        assert (list(fresh), len(fresh), repr(fresh)) == (list(whole), len(whole), repr(whole))
        assert fresh._pending is None and fresh._codes["S9123"] is kept
        assert fresh == whole and "S9123" in fresh

    def test_many_finds_split_the_table(self) -> None:
        """After 64 finds (codes not curated, say) the table is split, so a process
        looking up many codes pays for splitting once."""
        release = default_catalog().release
        assert release is not None
        fresh = Catalog._shipped(release)
        for _ in range(63):
            assert fresh.get("E0110") is not None  # from the release: a find each time
        assert fresh._pending is not None
        fresh.get("E0110")
        assert fresh._pending is None
        assert [c.code for c in fresh.codes()] == list(default_catalog())

    def test_a_lookup_while_the_table_splits(self) -> None:
        """A code built while the table splits (by another thread: Catalog._entry adds it
        without the lock) does not trip the split: before every line the split runs, a
        lookup of a new code is made here, as a thread switch may make one."""
        release = default_catalog().release
        assert release is not None
        fresh = Catalog._shipped(release)
        fresh.get("S9123")
        waiting = [c for c in list(default_catalog())[:40] if c != "S9123"]
        rows_file = _catalog_rows.__file__

        def interleave(frame: Any, event: str, arg: Any) -> Any:
            if frame.f_code.co_filename != rows_file:
                return None
            if event == "line" and waiting:
                fresh.get(waiting.pop())  # not traced: a trace function's calls never are
            return interleave

        traced = sys.gettrace()
        sys.settrace(interleave)
        try:
            listed = list(fresh)
        finally:
            sys.settrace(traced)
        assert len(waiting) < 38  # lookups were made during the split
        assert (listed, len(fresh)) == (list(default_catalog()), len(default_catalog()))
        assert fresh == default_catalog()

    def test_a_split_at_any_point_of_a_lookup(self) -> None:
        """A lookup made while another thread splits the table finds the curated code
        wherever the split comes: here the split is made before each bytecode the lookup
        runs in the catalog, in turn (not the release's uncurated entry, as a lookup that
        read the table before the split and its state after did)."""
        release = default_catalog().release
        assert release is not None
        want = default_catalog()["S9123"]
        step, ran = 0, [0]
        while ran[0] >= step:
            fresh = Catalog._shipped(release)
            ran[0] = 0

            def split_at(
                frame: Any, event: str, arg: Any, at: int = step, made: Catalog = fresh
            ) -> Any:
                if frame.f_code.co_filename != catalog_module.__file__:
                    return None
                frame.f_trace_opcodes = True
                if event == "opcode":
                    ran[0] += 1
                    if ran[0] == at:
                        made._all()  # not traced: a trace function's calls never are
                return split_at

            traced = sys.gettrace()
            sys.settrace(split_at)
            try:
                found = fresh.get("S9123")
            finally:
                sys.settrace(traced)
            assert found == want and found.curated, step
            step += 1
        assert step > 20  # the lookup's every step was tried
