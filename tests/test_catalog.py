"""Tests for the shipped catalog, :func:`hcpcs_home.lookup` and :class:`hcpcs_home.Catalog`."""

# House style is ``assert expected == actual``, which ruff's SIM300 calls a Yoda condition.

from __future__ import annotations

import datetime as dt
import math
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hcpcs_home.catalog import Catalog, default_catalog, load_cms_file, lookup
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
from hcpcs_home.errors import CodeNotEffectiveError, HcpcsError, UnknownCodeError

CMS_2019 = "HCPC2019_CONTR_ANWEB.txt"

#: Deliberate differences from the 2019 CMS file, each with its source.
NEWER_DESCRIPTOR = {
    # From 2024-01-01 G0129 covers intensive outpatient programs too
    # (domain README section 1f: icd10codingpro.com, AOTA 2024; seed 001).
    "G0129": "partial hospitalization or intensive outpatient treatment program",
}
ADDED_AFTER_2019 = {
    # CR 11721 (Transmittal 10086), dates of service from 2020-01-01.
    "G2168": dt.date(2020, 1, 1),
    "G2169": dt.date(2020, 1, 1),
    # Palmetto GBA "Telehealth Home Health Services: New G-Codes" (CR 12805).
    "G0320": dt.date(2023, 1, 1),
    "G0321": dt.date(2023, 1, 1),
    "G0322": dt.date(2023, 1, 1),
}
HH_FAMILIES = ("042X", "043X", "044X", "055X", "056X", "057X")


def hcpcs_rows() -> list[Code]:
    """The shipped HCPCS Level II rows."""
    return list(default_catalog().filter(code_set=CodeSet.HCPCS).codes())


@pytest.fixture(scope="module")
def cms_2019(cms_dir: Path) -> dict[str, Code]:
    """The 2019 CMS file's procedure codes by code."""
    return {c.code: c for c in load_cms_file(cms_dir / CMS_2019)}


class TestSeeds:
    """Each seed document's code, as the seed (corrected by the domain README) states it."""

    def test_s9129(self) -> None:
        """S9129 is per diem occupational therapy in the home, not Medicare (seed 000)."""
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
        """G0129 is an OT session of 45 minutes or more in a PHP or IOP (seed 001)."""
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
        """S9123 (RN) and S9124 (LPN) are per hour, revenue code 0552, not Medicare (seed 002)."""
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
        """Therapy G-codes are 15-minute units under their discipline's family (seed 003)."""
        found = lookup(code)

        assert (BillingUnit.FIFTEEN_MINUTES, 8) == (found.unit, found.min_minutes)
        assert (frozenset({credential}), (family,)) == (found.credentials, found.revenue_codes)
        assert found.medicare_accepts

    @pytest.mark.parametrize(
        ("code", "credentials", "family"),
        [
            ("G0154", {Credential.RN, Credential.LPN}, "055X"),
            ("G0155", {Credential.MSW}, "056X"),
            ("G0156", {Credential.HHA}, "057X"),
        ],
    )
    def test_other_visit_g_codes(
        self, code: str, credentials: set[Credential], family: str
    ) -> None:
        """G0154-G0156 are 15-minute nursing, social work and aide codes (domain README §3.4)."""
        found = lookup(code)

        assert (BillingUnit.FIFTEEN_MINUTES, 8) == (found.unit, found.min_minutes)
        assert (frozenset(credentials), (family,)) == (found.credentials, found.revenue_codes)


class TestTable:
    """The shipped table's curated facts (domain README sections 0, 1, 3.4 and 6)."""

    def test_size(self) -> None:
        """The table holds every code family it claims to cover."""
        assert 147 == len(default_catalog())

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
        assert HH_FAMILIES == lookup(code).revenue_codes

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
        [("S9097", "S9131"), ("S5100", "S5199"), ("T1000", "T1031"), ("T2042", "T2046")],
    )
    def test_ranges_complete(self, cms_2019: dict[str, Code], low: str, high: str) -> None:
        """Every code the 2019 file holds in a covered range is in the table."""
        in_file = {k for k in cms_2019 if low <= k <= high}
        in_table = {k for k in default_catalog() if low <= k <= high}

        assert in_file == in_table

    def test_s9130_does_not_exist(self, cms_2019: dict[str, Code]) -> None:
        """S9130 is in neither the 2019 file nor the table."""
        assert (False, False) == ("S9130" in cms_2019, "S9130" in default_catalog())

    def test_only_listed_codes_missing(self, cms_2019: dict[str, Code]) -> None:
        """The codes absent from the 2019 file are exactly those added later."""
        missing = {c.code for c in hcpcs_rows() if c.code not in cms_2019}

        assert set(ADDED_AFTER_2019) == missing

    @pytest.mark.parametrize("code", sorted(ADDED_AFTER_2019))
    def test_added_later(self, code: str) -> None:
        """Codes added after 2019 carry their own effective date and source."""
        found = lookup(code)

        assert (ADDED_AFTER_2019[code], None) == (found.effective, found.terminated)
        assert "not in the 2019 file" in found.source

    @pytest.mark.parametrize(
        "row", [c for c in hcpcs_rows() if c.code not in ADDED_AFTER_2019], ids=lambda c: c.code
    )
    def test_row(self, cms_2019: dict[str, Code], row: Code) -> None:
        """Descriptor, dates, coverage and Medicare acceptance match the 2019 file."""
        cms = cms_2019[row.code]
        if row.code in NEWER_DESCRIPTOR:
            assert NEWER_DESCRIPTOR[row.code] in row.descriptor
        else:
            assert cms.descriptor == row.descriptor
        assert (cms.effective, cms.terminated) == (row.effective, row.terminated)
        assert (cms.coverage, cms.processing_note) == (row.coverage, row.processing_note)
        assert cms.medicare_accepts == row.medicare_accepts
        assert "CMS HCPCS 2019" in row.source


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
        """Speech-language pathology HCPCS codes are the two G-codes and S9128."""
        found = default_catalog().filter(
            discipline=Discipline.SPEECH_LANGUAGE_PATHOLOGY, code_set=CodeSet.HCPCS
        )

        assert ["G0153", "G0161", "S9128"] == list(found)

    def test_unit(self) -> None:
        """The hourly codes are the home nursing, aide, clinic and hospice ones."""
        found = default_catalog().filter(unit=BillingUnit.HOUR)

        assert ["99602", "S9122", "S9123", "S9124", "T1026", "T2043"] == list(found)

    def test_credential(self) -> None:
        """LPN codes span Medicare G-codes and Medicaid/commercial S and T codes."""
        found = default_catalog().filter(credential="LPN", on=dt.date(2024, 1, 1))

        assert ["G0300", "G0494", "G0496", "S9124", "T1000", "T1003", "T1031"] == list(found)

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

    @pytest.mark.parametrize("junk", ["2016-03-01", dt.datetime(2016, 3, 1), 20160301, math.nan])
    def test_on(self, junk: object) -> None:
        """A date argument that is not a date raises an HcpcsError."""
        with pytest.raises(HcpcsError):
            lookup("G0154", on=junk)  # type: ignore[arg-type]
