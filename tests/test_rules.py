"""Every rule of :data:`hcpcs_home.rules.DEFAULT_RULES`, firing and not firing.

One class per rule id.  Each test's docstring names the public document its
scenario comes from (a CMS manual section, transmittal, MAC article, payer or
state manual, or a third-party page named as such), as the rule's ``source``
does; "derived" marks our own inference.  Short names used below:
NGS "Home Health Therapy Billing"
(https://ngsmedicare.com/web/ngs/home-health-billing?selectedArticleId=865606);
Pabau S9124 guide (third-party billing guide Pabau, "HCPCS Code S9124",
https://pabau.com/procedure-codes/hcpcs-code-s9124/); openpayer.com G0129
page (third-party); Carepatron S9129 page (third-party,
https://www.carepatron.com/procedure-code/hcpcs-code-s9129/).  Tests look only
at the findings of the rule under test, so a scenario may legitimately trip
other rules as well.
"""

from __future__ import annotations

import importlib
from collections.abc import Iterable, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs
import pytest

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, payers, units
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.payers import Payer
from hcpcs_home.policy import Finding, PayerAction, Severity
from hcpcs_home.rules import DEFAULT_RULES, FAMILIES, load_rules, payer_actions

MEDICARE = payers.MEDICARE
BCBS = payers.BCBS_TEXAS
TMHP = payers.TEXAS_MEDICAID_CSHCN
DOL = payers.DOL_EEOICP
#: A payer billing hours in TMHP's tenths (the SHARS bands, TMPPM §42.7.5).
TENTHS = attrs.evolve(TMHP, id="tx-tenths", unit_policy=units.TEXAS_MEDICAID_TENTHS)

#: The paperwork a clean service has: license, orders, plan of care, notes.
DOCUMENTED: dict[str, Any] = {
    "license_number": "TX123456",
    "orders_on_file": True,
    "plan_of_care_on_file": True,
    "notes_on_file": True,
}


def service(
    code: str,
    start: str | None = "09:00",
    stop: str | None = "09:50",
    *,
    credential: str | None = "RN",
    day: str = "2024-03-04",
    **kwargs: Any,
) -> Service:
    """A documented service; ``start=None`` with ``minutes=`` or without any time."""
    fields = {**DOCUMENTED, "rendering_id": f"{credential or 'staff'}-1", **kwargs}
    return Service(code, day, start=start, stop=stop, credential=credential, **fields)


def line(svc: Service, payer: Payer = MEDICARE, **kwargs: Any) -> ClaimLine:
    """The line the library builds for ``svc``, then changed by ``kwargs``."""
    built = ClaimLine.from_service(svc, payer=payer)
    return attrs.evolve(built, **kwargs) if kwargs else built


def claim(
    payer: Payer,
    lines: Sequence[ClaimLine],
    services: Iterable[Service] = (),
    *,
    type_of_bill: str | None = "0329",
    period: tuple[str, str] = ("2024-03-01", "2024-03-30"),
    **kwargs: Any,
) -> Claim:
    """A claim for ``payer`` with the period of March 2024 unless told otherwise."""
    return Claim(
        payer,
        period[0],
        period[1],
        lines=lines,
        services=list(services),
        type_of_bill=type_of_bill,
        **kwargs,
    )


def medicare_hh(
    *services: Service,
    extra: Sequence[ClaimLine] = (),
    extra_services: Sequence[Service] = (),
    **kwargs: Any,
) -> Claim:
    """A Medicare 0329 claim: one line per service, ``extra`` lines, the Q5001 line and
    the 0023 HIPPS line of the first visit, and the UB-04 header of a later 30-day
    period (admission date, OC 50, VC 61/85; see test_rules_medicare_hh)."""
    # Each visit is charged: a $0 visit line is returned (Palmetto GBA reason code 32243).
    lines = [*(line(s, charge="150.00") for s in services), *extra]
    first = min(lines, key=lambda ln: ln.date)
    site = ClaimLine("Q5001", first.date, 1, revenue_code=first.revenue_code)
    hipps = ClaimLine("3FC21", first.date, 1, revenue_code="0023")
    header: dict[str, Any] = {
        "admission_date": "2024-01-31",
        "occurrence_codes": [("50", "2024-02-27")],
        "value_codes": [("61", "35614"), ("85", "36061")],
        "condition_codes": ["54"],
    }
    return claim(
        MEDICARE, [*lines, site, hipps], [*services, *extra_services], **{**header, **kwargs}
    )


def found(c: Claim, rule_id: str) -> list[Finding]:
    """The findings of one rule on a claim."""
    return [f for f in check(c) if f.rule_id == rule_id]


def only(c: Claim, rule_id: str) -> Finding:
    """The single finding of ``rule_id`` on ``c``."""
    hits = found(c, rule_id)
    assert 1 == len(hits), [str(f) for f in check(c)]
    return hits[0]


class TestCoverage:
    def test_every_rule_has_a_class_here(self) -> None:
        """Each default rule id has a ``Test<Id>`` class in this module or in its family's
        own test module (``tests/test_rules_<family>.py``)."""
        names = {n for n in globals() if n.startswith("Test")}
        for path in Path(__file__).parent.glob("test_rules_*.py"):
            module = importlib.import_module(path.stem)
            names |= {n for n in vars(module) if n.startswith("Test")}
        wanted = {"Test" + r.id.title().replace("-", "") for r in DEFAULT_RULES}
        assert set() == wanted - names

    def test_clean_medicare_episode_is_ok(self) -> None:
        """An RN and a PT visit with a Q5001 line is a clean 0329 claim
        (NGS "Home Health Therapy Billing"; NGS article 522358)."""
        c = medicare_hh(
            service("G0299"), service("G0151", "10:30", "11:15", credential="PT", day="2024-03-05")
        )
        # The one finding: the claim is dated after the bundled CMS release (information).
        assert [(Severity.INFO, "release-out-of-date")] == [
            (f.severity, f.rule_id) for f in check(c)
        ]


class TestUnknownCode:
    def test_fires_with_nearest_code(self) -> None:
        """A typo'd code is not in the CMS HCPCS file and the nearest real code is offered."""
        c = claim(BCBS, [ClaimLine("S9125", "2024-03-04", 1), ClaimLine("S9130", "2024-03-05", 1)])
        finding = only(c, "unknown-code")
        assert (1, Severity.ERROR, "code") == (finding.line, finding.severity, finding.field)
        assert "S9130 is not a known HCPCS/CPT code" == finding.message

    def test_suggests_close_code(self) -> None:
        """CPT 97113 is not shipped; 97110, one edit away, is suggested
        (Pub. 100-04 ch. 5 §20.2 C)."""
        finding = only(claim(MEDICARE, [ClaimLine("97113", "2024-03-04", 1)]), "unknown-code")
        assert (("code", "97110"),) == finding.fix
        assert "did you mean 97110?" == finding.suggestion

    def test_known_code_passes(self) -> None:
        """S9131 is in the CMS HCPCS file (2019 alpha-numeric file)."""
        assert [] == found(claim(BCBS, [ClaimLine("S9131", "2024-03-04", 1)]), "unknown-code")


class TestReleaseOutOfDate:
    """The claim is dated after the CMS release in use (CMS "HCPCS Quarterly Update": codes
    are added each quarter)."""

    def test_claim_after_release(self) -> None:
        """A claim dated 2026-03-01 gets one info finding naming the release and the
        command that loads the current CMS file."""
        c = claim(
            TMHP,
            [ClaimLine("S9123", "2026-03-02", 4), ClaimLine("S9123", "2026-03-03", 4)],
            period=("2026-03-01", "2026-03-31"),
            type_of_bill=None,
        )
        (finding,) = found(c, "release-out-of-date")

        assert Severity.INFO is finding.severity
        assert finding.line is None
        assert "CMS 2020 October quarterly (current to 2020-12-31)" in finding.message
        assert "hcpcs-home catalog load FILE" in finding.message
        assert finding.suggestion is not None and "quarterly-update" in finding.suggestion

    def test_claim_within_release(self) -> None:
        """A claim of October 2020, the quarter the release is current for, gets none."""
        c = claim(
            TMHP,
            [ClaimLine("S9123", "2020-10-05", 4)],
            period=("2020-10-01", "2020-10-31"),
            type_of_bill=None,
        )
        assert [] == found(c, "release-out-of-date")

    def test_line_after_release(self) -> None:
        """A span line ending after the release counts, though the period ends before."""
        span = ClaimLine("T1030", "2020-12-01", 31, through="2020-12-31")
        late = attrs.evolve(span, date="2020-12-15", through="2021-01-14", units=31)
        inside = claim(TMHP, [span], period=("2020-12-01", "2020-12-31"), type_of_bill=None)
        assert [] == found(inside, "release-out-of-date")
        outside = claim(TMHP, [late], period=("2020-12-01", "2020-12-31"), type_of_bill=None)
        assert ["release-out-of-date"] == [f.rule_id for f in found(outside, "release-out-of-date")]


class TestCodeAddedIn2020:
    """The 270 codes the 2020 release adds are known (CMS 2020 alpha-numeric HCPCS file)."""

    def test_g2001_is_known(self) -> None:
        """G2001, a 2020 post-discharge home-visit code, dated 2020-06-01 is no unknown code
        (the 2019 release did not hold it)."""
        c = claim(
            MEDICARE,
            [ClaimLine("G2001", "2020-06-01", 1)],
            period=("2020-06-01", "2020-06-30"),
            type_of_bill=None,
        )
        assert [] == found(c, "unknown-code")
        assert [] == found(c, "code-not-effective")

    def test_unknown_beside_it(self) -> None:
        """A code no release holds is still unknown."""
        c = claim(
            MEDICARE,
            [ClaimLine("G2999", "2020-06-01", 1)],
            period=("2020-06-01", "2020-06-30"),
            type_of_bill=None,
        )
        assert ["unknown-code"] == [f.rule_id for f in found(c, "unknown-code")]


class TestCodeNotEffective:
    def test_g0300_before_medicare_takes_it(self) -> None:
        """G0300 in October 2015: Medicare takes it from 2016-01-01 (CR 9369), not the HCPCS
        added date 2015-11-02, and the fix offers G0154, the code then in effect; in
        January 2016 it is clean."""
        svc = service("G0300", credential="LPN", day="2015-10-15")
        c = medicare_hh(svc, period=("2015-10-01", "2015-10-30"))
        finding = only(c, "code-not-effective")
        assert "2016-01-01" in finding.message and "(starts 2015-11-02)" not in finding.message
        assert (("code", "G0154"),) == finding.fix
        december = medicare_hh(
            service("G0300", credential="LPN", day="2015-12-01"),
            period=("2015-12-01", "2015-12-30"),
        )
        assert (("code", "G0154"),) == only(december, "code-not-effective").fix
        january = medicare_hh(
            service("G0300", credential="LPN", day="2016-01-05"),
            period=("2016-01-01", "2016-01-30"),
        )
        assert [] == found(january, "code-not-effective")

    def test_functional_reporting_code_in_2019(self) -> None:
        """G8978 with CH dated 2019-03-01 is valid: CMS's files keep it through 2019-12-31
        (reporting was required only through 2018); in 2020 the message names the end."""

        def g8978(day: str) -> Claim:
            return claim(
                MEDICARE,
                [ClaimLine("G8978", day, 1, "0424", ["CH", "GP"])],
                type_of_bill="0341",
                period=(day, day),
            )

        assert [] == found(g8978("2019-03-01"), "code-not-effective")
        finding = only(g8978("2020-03-02"), "code-not-effective")
        assert "G8978 is not in effect on 2020-03-02 (ended 2019-12-31)" == finding.message

    def test_g0154_after_termination_suggests_g0299_for_rn(self) -> None:
        """G0154 ended 2016-02-29 and an RN visit takes G0299 (CR 9369, Transmittal 3378)."""
        svc = service("G0154", day="2016-05-02")
        c = medicare_hh(svc, period=("2016-05-01", "2016-05-30"))
        finding = only(c, "code-not-effective")
        assert "G0154 is not in effect on 2016-05-02 (ended 2016-02-29)" == finding.message
        assert (("code", "G0299"),) == finding.fix
        assert "use G0299 or G0300 for dates after 2016-02-29" == finding.suggestion

    def test_g0163_after_2016_suggests_lpn_code(self) -> None:
        """G0163 ended 2016-12-31, replaced by G0493 (RN) / G0494 (LPN) (CR 9736)."""
        svc = service("G0163", credential="LPN", day="2017-02-06")
        c = medicare_hh(svc, period=("2017-02-01", "2017-02-28"))
        assert (("code", "G0494"),) == only(c, "code-not-effective").fix

    def test_g2168_before_it_starts(self) -> None:
        """G2168 is for dates of service from 2020-01-01 (CR 11721, Transmittal 10086)."""
        svc = service("G2168", credential="PTA", day="2019-12-02")
        finding = only(medicare_hh(svc, period=("2019-12-01", "2019-12-30")), "code-not-effective")
        assert "G2168 is not in effect on 2019-12-02 (starts 2020-01-01)" == finding.message
        assert () == finding.fix

    def test_g0154_before_termination_passes(self) -> None:
        """G0154 was valid through 2016-02-29 (CMS HCPCS file termination date)."""
        svc = service("G0154", day="2016-02-29")
        c = medicare_hh(svc, period=("2016-02-01", "2016-02-29"))
        assert [] == found(c, "code-not-effective")


class TestPayerCodeNotAccepted:
    def test_lpn_s9124_to_medicare_suggests_g0300(self) -> None:
        """S9124 is not valid for Medicare; an LPN visit is G0300
        (proc. note 0088; G0300 descriptor; BCBSM PDN policy)."""
        svc = service("S9124", "07:00", "15:00", credential="LPN")
        c = claim(MEDICARE, [line(svc, BCBS)], [svc])
        finding = only(c, "payer-code-not-accepted")
        assert "Original Medicare does not accept S9124" == finding.message
        assert (("code", "G0300"),) == finding.fix
        assert finding.suggestion is not None
        assert "Original Medicare does not cover private-duty" in finding.suggestion
        assert "bill G0300 on this 0329" in finding.suggestion

    def test_fix_fits_the_hospice_bill(self) -> None:
        """On a hospice 081X bill the fix names the hospice discipline G-code on that bill,
        not a 032X claim (Pub. 100-04 ch. 11 §30.3)."""
        svc = service("S9124", "07:00", "15:00", credential="LPN")
        c = claim(MEDICARE, [line(svc, BCBS, revenue_code="0551")], [svc], type_of_bill="0813")
        finding = only(c, "payer-code-not-accepted")
        assert finding.suggestion is not None
        assert "G0300 on this 0813" in finding.suggestion and "032X" not in finding.suggestion
        assert (("code", "G0300"),) == finding.fix

    @pytest.mark.parametrize(
        ("revenue_code", "words"), [("0001", "total-charges line"), ("0023", "HIPPS code")]
    )
    def test_total_and_hipps_lines_get_no_visit_code(self, revenue_code: str, words: str) -> None:
        """A code on the 0001 total line or the 0023 HIPPS line is not offered a visit code:
        those lines carry no HCPCS service code (Pub. 100-04 ch. 25 §75.4; ch. 10 §40.2)."""
        c = claim(MEDICARE, [ClaimLine("T1030", "2024-03-04", 1, revenue_code=revenue_code)])
        finding = only(c, "payer-code-not-accepted")
        assert finding.suggestion is not None and words in finding.suggestion
        assert () == finding.fix

    def test_rn_t1030_to_medicare_suggests_g0299(self) -> None:
        """T codes are coverage I for Medicare; an RN visit is G0299 (CMS HCPCS file)."""
        svc = service("T1030", "08:00", "16:00")
        c = claim(MEDICARE, [line(svc, TMHP)], [svc])
        assert (("code", "G0299"),) == only(c, "payer-code-not-accepted").fix

    def test_rn_billed_s9124_to_medicare_gets_the_rn_code(self) -> None:
        """The crosswalk follows the credential, so an RN's S9124 becomes G0299
        (CMS descriptors)."""
        svc = service("S9124", "07:00", "15:00", credential="RN")
        c = claim(MEDICARE, [line(svc, BCBS)], [svc])
        assert (("code", "G0299"),) == only(c, "payer-code-not-accepted").fix

    def test_cpt_home_visit_to_medicare(self) -> None:
        """CPT 99507 is believed invalid for Medicare (UNCONFIRMED: no public source)."""
        c = claim(MEDICARE, [ClaimLine("99507", "2024-03-04", 1)], type_of_bill=None)
        finding = only(c, "payer-code-not-accepted")
        assert () == finding.fix
        assert finding.suggestion is not None and "discipline G-code" in finding.suggestion

    def test_t_code_to_bcbs_hints_at_the_listed_code(self) -> None:
        """BCBS TX takes no T codes, the national Medicaid codes
        (CMS coverage I; BCBSTX coding policy)."""
        svc = service("T1002", "09:00", "09:50")
        c = claim(BCBS, [line(svc, BCBS, prior_auth="PA1")], [svc], type_of_bill=None)
        finding = only(c, "payer-code-not-accepted")
        assert "bill the code this payer lists for the service" == finding.suggestion

    def test_s9124_to_bcbs_passes(self) -> None:
        """BCBS TX accepts S9123/S9124 for private-duty nursing
        (BCBSTX coding policy; Pabau S9124 guide, third-party)."""
        svc = service("S9124", "07:00", "15:00", credential="LPN", prior_auth="PA1")
        c = claim(BCBS, [line(svc, BCBS)], [svc], type_of_bill=None)
        assert [] == found(c, "payer-code-not-accepted")

    def test_g0300_to_medicare_passes(self) -> None:
        """G0300 is the Medicare LPN visit code on 032X (CR 9369; NGS SIA)."""
        assert [] == found(
            medicare_hh(service("G0300", credential="LPN")), "payer-code-not-accepted"
        )


class TestCredentialMismatch:
    @pytest.mark.parametrize("type_of_bill", ["0813", "0329"])
    def test_aide_on_the_state_registry(self, type_of_bill: str) -> None:
        """A hospice (or home health) aide recorded as a CNA is qualified: 42 CFR
        418.76(a)(1)(iii) (and 484.80(a)(1)(iii)) accept a nurse aide in good standing on the
        State nurse aide registry; an LPN's G0156 is still refused."""
        cna = service("G0156", credential="CNA")
        c = claim(MEDICARE, [line(cna, revenue_code="0571")], [cna], type_of_bill=type_of_bill)
        assert [] == found(c, "credential-mismatch")
        lpn = service("G0156", credential="LPN")
        c = claim(MEDICARE, [line(lpn, revenue_code="0571")], [lpn], type_of_bill=type_of_bill)
        assert ["credential-mismatch"] == [f.rule_id for f in found(c, "credential-mismatch")]

    def test_rn_billed_s9124_to_bcbs_suggests_s9123(self) -> None:
        """An RN shift billed as S9124 is an audit trigger; S9123 is the RN code
        (Pabau S9124 guide, third-party)."""
        svc = service("S9124", "07:00", "15:00", credential="RN", prior_auth="PA1")
        finding = only(
            claim(BCBS, [line(svc, BCBS)], [svc], type_of_bill=None), "credential-mismatch"
        )
        assert "S9124 may not be billed for a service rendered by RN" == finding.message
        assert (("code", "S9123"),) == finding.fix
        assert "bill S9123, the RN code" == finding.suggestion

    def test_ota_billed_g0152_suggests_g0158(self) -> None:
        """An OTA visit is G0158, not the therapist's G0152 (CMS HCPCS descriptors)."""
        finding = only(medicare_hh(service("G0152", credential="OTA")), "credential-mismatch")
        assert (("code", "G0158"),) == finding.fix

    @pytest.mark.parametrize(
        ("code", "credential", "aide_code"),
        [("T1019", "HHA", "S9122"), ("T1019", "CNA", "S9122"), ("T1020", "HHA", "T1021")],
    )
    def test_aide_billed_personal_care_gets_the_aide_code(
        self, code: str, credential: str, aide_code: str
    ) -> None:
        """T1019/T1020 may not identify aide services (CMS descriptor): S9122 (per hour) or
        T1021 (per visit) are the aide codes."""
        svc = service(code, credential=credential)
        finding = only(
            claim(TMHP, [line(svc, TMHP, prior_auth="PA1")], [svc]), "credential-mismatch"
        )
        assert (("code", aide_code),) == finding.fix
        assert f"rendered by {credential}" in finding.message

    def test_matching_credential_passes(self) -> None:
        """An LPN's S9124 fits the LPN descriptor (CMS HCPCS; Pabau S9124 guide, third-party)."""
        svc = service("S9124", "07:00", "15:00", credential="LPN", prior_auth="PA1")
        assert [] == found(claim(BCBS, [line(svc, BCBS)], [svc]), "credential-mismatch")

    def test_undocumented_credential_does_not_fire(self) -> None:
        """Without a recorded credential the rule has nothing to compare (derived)."""
        svc = service("S9124", "07:00", "15:00", credential=None, prior_auth="PA1")
        assert [] == found(claim(BCBS, [line(svc, BCBS)], [svc]), "credential-mismatch")


class TestPriorAuthMissing:
    def test_bcbs_hourly_nursing_without_auth(self) -> None:
        """Commercial plans require prior authorization for hourly nursing
        (Pabau S9124 guide, third-party)."""
        svc = service("S9123", "07:00", "15:00")
        finding = only(claim(BCBS, [line(svc, BCBS)], [svc]), "prior-auth-missing")
        assert ("prior_auth", Severity.ERROR) == (finding.field, finding.severity)

    def test_tmhp_requires_auth_for_every_code(self) -> None:
        """TMHP CSHCN requires prior authorization for all home-health services (§21.2.1.1)."""
        svc = service("T1002")
        assert 1 == len(
            found(claim(TMHP, [line(svc, TMHP)], [svc], type_of_bill=None), "prior-auth-missing")
        )

    def test_auth_on_the_service_passes(self) -> None:
        """A PA number on the shift note counts as recorded
        (Pabau S9124 guide, third-party: PA number documented)."""
        svc = service("S9123", "07:00", "15:00", prior_auth="PA77")
        assert [] == found(claim(BCBS, [line(svc, BCBS)], [svc]), "prior-auth-missing")

    def test_claim_authorization_covering_the_date_passes(self) -> None:
        """An authorization for the code and date on the claim counts (TMHP CSHCN §21.2.1.1)."""
        svc = service("S9123", "07:00", "15:00")
        auth = Authorization("PA9", "bcbs-tx", ["S9123"], 40, "units", "2024-03-01", "2024-03-31")
        c = claim(BCBS, [line(svc, BCBS)], [svc], authorizations=[auth])
        assert [] == found(c, "prior-auth-missing")

    def test_medicare_needs_no_auth(self) -> None:
        """Original Medicare's HH benefit has no prior authorization in the payer profile."""
        assert [] == found(medicare_hh(service("G0299")), "prior-auth-missing")


class TestTimeNotDocumented:
    def test_fires_without_times(self) -> None:
        """A timed code needs clock times or minutes on the note
        (Pabau S9124 guide, third-party; ch. 5 §20.2)."""
        svc = service("G0299", None, None)
        bad = ClaimLine("G0299", "2024-03-04", 3, "0551", service_ids=[svc.id])
        c = medicare_hh(extra=[bad], extra_services=[svc])
        finding = only(c, "time-not-documented")
        assert "service_ids" == finding.field

    def test_unlinked_timed_line_fires(self) -> None:
        """On a claim that carries its chart, a timed line that points at no service
        documents no time (derived; Pabau S9124 guide, third-party: start and stop times)."""
        svc = service("S9123", "09:00", "10:00", credential="RN", prior_auth="PA1")
        linked = line(svc, BCBS)
        bare = ClaimLine("S9123", "2024-03-05", 8, "0552", prior_auth="PA1")
        c = claim(BCBS, [linked, bare], [svc])
        assert [1] == [f.line for f in found(c, "time-not-documented")]

    def test_claim_without_chart_is_not_judged(self) -> None:
        """A claim that carries no chart (read from an 837I, UB-04 or RIF file) is not
        called undocumented: the rule needs the chart, and a note says it was not given."""
        c = claim(BCBS, [ClaimLine("S9123", "2024-03-04", 8, "0552", prior_auth="PA1")])
        assert [] == found(c, "time-not-documented")
        assert 1 == len(found(c, "chart-not-provided"))

    def test_untimed_code_needs_no_time(self) -> None:
        """A per-visit code is one unit whatever the length (CMS T1021 descriptor)."""
        svc = service("T1021", None, None, credential="HHA")
        c = claim(TMHP, [line(svc, TMHP, prior_auth="PA1")], [svc], type_of_bill=None)
        assert [] == found(c, "time-not-documented")

    def test_minutes_alone_are_enough(self) -> None:
        """Documented minutes without clock times count as time (ch. 5 §20.2)."""
        svc = service("G0299", None, None, minutes=45)
        assert [] == found(medicare_hh(svc), "time-not-documented")


def five_minute_visit(billed: int) -> Claim:
    """A Medicare 0329 claim whose RN visit lasted 5 minutes, billed ``billed`` units."""
    svc = service("G0299", "09:00", "09:05")
    # By hand: ClaimLine.from_service refuses a line its policy counts as 0 units.
    billed_line = ClaimLine("G0299", svc.date, billed, "0551", service_ids=[svc.id])
    return medicare_hh(extra=[billed_line], extra_services=[svc])


class TestBelowMinimumTime:
    def test_five_minute_visit_under_the_cms_chart(self) -> None:
        """Under 8 minutes is 0 units on the NGS chart
        (NGS "Home Health Therapy Billing"; Pub. 100-04 ch. 5 §20.2 C)."""
        finding = only(five_minute_visit(billed=1), "below-minimum-time")
        assert "5 documented minutes earn no unit of G0299 under Medicare" == finding.message
        assert (("units", "0"),) == finding.fix

    def test_g0129_session_under_45_minutes(self) -> None:
        """G0129 is per session of 45 minutes or more
        (CMS descriptor; openpayer.com G0129 page, third-party)."""
        svc = service("G0129", "09:00", "09:40", credential="OT", setting="partial hospitalization")
        bad = ClaimLine("G0129", "2024-03-04", 1, service_ids=[svc.id], modifiers=["GO"])
        c = claim(MEDICARE, [bad], [svc], type_of_bill="0131")
        assert 1 == len(found(c, "below-minimum-time"))

    def test_g0129_of_45_minutes_passes(self) -> None:
        """45 minutes is a full G0129 session (CMS descriptor)."""
        svc = service("G0129", "09:00", "09:45", credential="OT", setting="partial hospitalization")
        c = claim(MEDICARE, [line(svc, modifiers=["GO"])], [svc], type_of_bill="0131")
        assert [] == found(c, "below-minimum-time")

    def test_any_minute_policy_bills_one_unit(self) -> None:
        """Under the hospice FAQ reading a 5-minute visit is 1 unit (Cahaba FAQ 9970, CR 6440)."""
        payer = attrs.evolve(MEDICARE, unit_policy=units.MEDICARE_ANY_MINUTE_VISIT)
        svc = service("G0299", "09:00", "09:05")
        lines = [line(svc, payer), ClaimLine("Q5001", "2024-03-04", 1, "0551")]
        assert [] == found(claim(payer, lines, [svc]), "below-minimum-time")


class TestUnitsMismatch:
    @pytest.mark.parametrize(
        ("payer", "code", "credential", "times", "billed", "expected"),
        [
            # NGS "Home Health Therapy Billing" chart: 38-52 minutes is 3 units.
            (MEDICARE, "G0299", "RN", ("09:00", "09:50"), 4, "3"),
            # TMHP tenths of an hour by 6-minute bands, 500 min is 8.3 (TMPPM §42.7.5).
            (TENTHS, "S9124", "LPN", ("07:00", "15:20"), 8, "8.3"),
            # TMHP CSHCN S9124: complete hours (no partial-hour rule published, UNCONFIRMED).
            (TMHP, "S9124", "LPN", ("07:00", "15:20"), 9, "8"),
            # BCBS TX profile: whole hours, rounded down (UNCONFIRMED: no published convention).
            (BCBS, "S9123", "RN", ("07:00", "15:50"), 9, "8"),
            # "Up to 15 minutes" T1002: any part of a block is a unit (derived, UNCONFIRMED).
            (TMHP, "T1002", "RN", ("09:00", "09:31"), 2, "3"),
        ],
    )
    def test_suggests_units_under_the_payer_policy(
        self,
        payer: Payer,
        code: str,
        credential: str,
        times: tuple[str, str],
        billed: Any,
        expected: str,
    ) -> None:
        """The fix names the payer policy's units
        (ch. 5 §20.2 C; TMPPM §42.7.5; TMHP CSHCN §21.2.1.1)."""
        svc = service(code, *times, credential=credential, prior_auth="PA1")
        bad = line(svc, payer, units=billed)
        lines = [bad, ClaimLine("Q5001", bad.date, 1, "0551")] if payer is MEDICARE else [bad]
        finding = only(claim(payer, lines, [svc]), "units-mismatch")
        assert (("units", expected),) == finding.fix
        assert f"bill {expected} unit(s)" == finding.suggestion
        assert f"under {payer.unit_policy.name}" in finding.message

    @pytest.mark.parametrize(
        ("minutes", "billed", "expected"),
        [
            # Example 1: 24 + 23 = 47 minutes is 3 units, 2 to the longer service.
            ((24, 23), (2, 1), None),
            ((24, 23), (1, 2), ("2", "1")),
            # Example 2: 20 + 20 = 40 minutes is 3 units, either code x2, never 3 on one code.
            ((20, 20), (2, 1), None),
            ((20, 20), (3, 0), ("2", "1")),
            # Example 3: 33 + 7 = 40 minutes is 3 units: 2 and 1, though 7 minutes alone is 0.
            ((33, 7), (2, 1), None),
            ((33, 7), (2, 0), (None, "1")),
        ],
    )
    def test_total_time_examples_on_34x(
        self,
        minutes: tuple[int, int],
        billed: tuple[int, int],
        expected: tuple[str | None, str | None] | None,
    ) -> None:
        """The total-time examples of Pub. 100-04 ch. 5 §20.2 C hold on a 34X claim.

        97110 and 97140 (both timed CPT codes of the CMS examples) carry each
        example's minutes; the arithmetic does not depend on which two codes.
        """
        svcs = [
            service(code, None, None, credential="PT", minutes=m, id=f"s{i}")
            for i, (code, m) in enumerate(zip(("97110", "97140"), minutes, strict=True))
        ]
        lines = [
            ClaimLine(s.code, s.date, u, "0421", modifiers=["GP"], service_ids=[s.id])
            for s, u in zip(svcs, billed, strict=True)
        ]
        hits = {
            f.line: dict(f.fix)["units"]
            for f in found(claim(MEDICARE, lines, svcs, type_of_bill="0341"), "units-mismatch")
        }
        want = {} if expected is None else {i: u for i, u in enumerate(expected) if u is not None}
        assert want == hits

    def test_ama_per_code_payer_counts_each_code_alone(self) -> None:
        """Under the AMA per-code method example 3 is 2 and 0 units
        (therapycomply.com, third-party)."""
        payer = attrs.evolve(MEDICARE, unit_policy=units.AMA_PER_CODE)
        svcs = [
            service("97110", None, None, credential="PT", minutes=33, id="a"),
            service("97140", None, None, credential="PT", minutes=7, id="b"),
        ]
        lines = [ClaimLine("97110", "2024-03-04", 2, "0421", ["GP"], service_ids=["a"])]
        assert [] == found(claim(payer, lines, svcs, type_of_bill="0341"), "units-mismatch")

    def test_hh_visits_are_not_pooled(self) -> None:
        """On 032X each visit line counts its own minutes, not pooled
        (ResDAC "Claim HHA Total Visit Count")."""
        a = service("G0299", "09:00", "09:20")
        b = service("G0299", "13:00", "13:20")
        assert [] == found(medicare_hh(a, b), "units-mismatch")

    def test_correct_units_pass(self) -> None:
        """Units built by the library from the chart match
        (NGS "Home Health Therapy Billing" chart)."""
        assert [] == found(medicare_hh(service("G0299", "09:00", "10:07")), "units-mismatch")


class TestShortVisitUnits:
    def test_warns_on_a_five_minute_hh_visit(self) -> None:
        """Sources disagree on 1-7 minute visits: NGS chart vs Cahaba FAQ 9970 (CR 6440)."""
        finding = only(five_minute_visit(billed=0), "short-visit-units")
        assert Severity.WARNING == finding.severity
        assert (("units", "0"),) == finding.fix
        assert "Medicare counts 0" in finding.message

    def test_hospice_visit_is_not_contested(self) -> None:
        """Hospice visit lines are counted under CMS's hospice Q&A itself (9887; Cahaba FAQ
        9970), which settles 1-7 minutes as one increment: no warning, no error."""
        svc = service("G0299", "09:00", "09:06")
        hospice_line = ClaimLine.from_service(svc, payer=MEDICARE, type_of_bill="0811")
        assert 1 == hospice_line.units
        c = claim(MEDICARE, [hospice_line], [svc], type_of_bill="0811")
        assert [] == found(c, "short-visit-units") + found(c, "below-minimum-time")

    def test_34x_lines_are_not_contested(self) -> None:
        """On 34X the CMS chart is settled (Pub. 100-04 ch. 5 §20.2 C), so no warning."""
        svc = service("G0151", "09:00", "09:05", credential="PT")
        # By hand: ClaimLine.from_service refuses a line its policy counts as 0 units.
        zero = ClaimLine("G0151", svc.date, 0, "0421", modifiers=["GP"], service_ids=[svc.id])
        c = claim(MEDICARE, [zero], [svc], type_of_bill="0341")
        assert [] == found(c, "short-visit-units")

    def test_eight_minutes_is_settled(self) -> None:
        """From 8 minutes up every source agrees on 1 unit (NGS chart; Cahaba FAQ)."""
        assert [] == found(medicare_hh(service("G0299", "09:00", "09:08")), "short-visit-units")


class TestPerDiemUnits:
    def test_span_dated_per_diem_counts_its_days(self) -> None:
        """A span-dated per-diem line (T2042 from 05-01 to 05-31, 31 units, no services)
        bills the 31 days of its span, not "31 units for 1 day" (HCPCS 'per diem'; UB-04
        FL45 / X12 DTP*472 RD8 from-through span)."""
        span = ClaimLine("T2042", "2024-05-01", 31, through="2024-05-31")
        c = claim(TMHP, [span], period=("2024-05-01", "2024-05-31"), type_of_bill=None)
        assert [] == found(c, "per-diem-units")
        too_many = claim(
            TMHP, [attrs.evolve(span, units=32)], period=("2024-05-01", "2024-05-31"),
            type_of_bill=None,
        )  # fmt: skip
        finding = only(too_many, "per-diem-units")
        assert "32 unit(s) of per-diem T2042 billed for 31 day(s) of service" == finding.message
        assert (("units", "31"),) == finding.fix

    @pytest.mark.parametrize("units", ["0", "0.5", "0.01"])
    @pytest.mark.parametrize("code", ["T1030", "S9129"])
    def test_units_not_a_whole_day(self, code: str, units: str) -> None:
        """0, 0.5 or 0.01 units of a per-diem code is no day of service (HCPCS 'per diem':
        one unit per day); 1 unit is clean."""
        bad = claim(TMHP, [ClaimLine(code, "2024-03-04", units)], type_of_bill=None)
        finding = only(bad, "per-diem-units")
        assert (("units", "1"),) == finding.fix
        clean = claim(TMHP, [ClaimLine(code, "2024-03-04", 1)], type_of_bill=None)
        assert [] == found(clean, "per-diem-units")

    def test_two_units_for_one_day(self) -> None:
        """A per diem is one unit per day of service
        (HCPCS 'per diem'; Carepatron S9129 page, third-party)."""
        svc = service("T1030", "08:00", "16:00")
        finding = only(
            claim(TMHP, [line(svc, TMHP, units=2, prior_auth="PA1")], [svc]), "per-diem-units"
        )
        assert "2 unit(s) of per-diem T1030 billed for 1 day(s) of service" == finding.message
        assert (("units", "1"),) == finding.fix

    def test_dol_24_hours_is_three_shifts(self) -> None:
        """DOL EEOICP counts a per diem as an 8-hour shift: 24 hours is 3 (Bulletin 08-09)."""
        svc = service("T1030", "07:00", "07:00", full_day=True)
        c = claim(DOL, [line(svc, DOL)], [svc], type_of_bill=None)
        assert 3 == c.lines[0].units
        assert [] == found(c, "per-diem-units")

    def test_dol_four_units_for_24_hours(self) -> None:
        """Four DOL shift units for 24 hours of care is one too many (DEEOIC Bulletin 08-09)."""
        svc = service("T1030", "07:00", "07:00", full_day=True)
        c = claim(DOL, [line(svc, DOL, units=4)], [svc], type_of_bill=None)
        finding = only(c, "per-diem-units")
        assert (("units", "3"),) == finding.fix
        assert "4 unit(s) of per-diem T1030 billed for 3 complete 8-hour shift(s)" == (
            finding.message
        )

    def test_night_shift_across_midnight_is_two_days(self) -> None:
        """A shift across midnight touches two calendar days (derived)."""
        svc = service("T1030", "22:00", "06:00")
        c = claim(TMHP, [line(svc, TMHP, units=2, prior_auth="PA1")], [svc])
        assert [] == found(c, "per-diem-units")


class TestRevenueCodeMismatch:
    def test_nursing_visit_under_pt_revenue(self) -> None:
        """G0299 is billed under 055X, not 042X (NGS SIA article 1240716)."""
        svc = service("G0299")
        c = medicare_hh(svc)
        c = attrs.evolve(c, lines=(attrs.evolve(c.lines[0], revenue_code="0421"), c.lines[1]))
        finding = only(c, "revenue-code-mismatch")
        assert "revenue code 0421 does not fit G0299 (expected 055X)" == finding.message
        assert (("revenue_code", "0551"),) == finding.fix

    def test_s9124_under_0551(self) -> None:
        """S9123/S9124 go under 0552, the hourly nursing charge (Pabau S9124 guide, third-party)."""
        svc = service("S9124", "07:00", "15:00", credential="LPN", prior_auth="PA1")
        c = claim(BCBS, [line(svc, BCBS, revenue_code="0551")], [svc])
        assert (("revenue_code", "0552"),) == only(c, "revenue-code-mismatch").fix

    def test_q5001_repeats_a_visit_revenue_code(self) -> None:
        """The Q5001 line repeats the first visit's revenue code (NGS article 522358)."""
        assert [] == found(medicare_hh(service("G0151", credential="PT")), "revenue-code-mismatch")

    def test_professional_line_has_no_revenue_code(self) -> None:
        """A CMS-1500 line carries no revenue code, so nothing to compare
        (X12 837P SV1 has no revenue code)."""
        c = claim(BCBS, [ClaimLine("S9131", "2024-03-04", 1)], type_of_bill=None)
        assert [] == found(c, "revenue-code-mismatch")


class TestBillTypeMismatch:
    @pytest.mark.parametrize(
        ("code", "credential", "type_of_bill", "revenue_code"),
        [
            ("G0151", "PT", "0341", "0421"),  # 34X therapy is paid on the MPFS (NGS)
            ("97161", "PT", "0329", "0421"),  # 32X lists only the HH G-codes in FL44 (NGS)
            ("G0159", "PT", "0811", "0421"),  # "home health setting" only (CMS descriptor)
            ("G2168", "PTA", "0322", "0421"),  # not on 0322 (CR 11721)
        ],
    )
    def test_fires(self, code: str, credential: str, type_of_bill: str, revenue_code: str) -> None:
        """Codes on the wrong type of bill are refused
        (NGS "Home Health Therapy Billing"; CMS descriptors; CR 11721)."""
        svc = service(code, credential=credential)
        bad = ClaimLine(code, "2024-03-04", 3, revenue_code, ["GP"], service_ids=[svc.id])
        finding = only(
            claim(MEDICARE, [bad], [svc], type_of_bill=type_of_bill), "bill-type-mismatch"
        )
        assert f"{code} is not billable on type of bill {type_of_bill}" == finding.message

    def test_g2168_on_0329_passes(self) -> None:
        """G2168 is billed with 042X on 032X other than 0322 (CR 11721)."""
        assert [] == found(medicare_hh(service("G2168", credential="PTA")), "bill-type-mismatch")

    def test_evaluation_on_34x_passes(self) -> None:
        """CPT evaluations with GP belong on 34X
        (NGS "Home Health Therapy Billing"; APTA, AAPC: third-party)."""
        svc = service("97161", None, None, credential="PT")
        c = claim(
            MEDICARE, [line(svc, modifiers=["GP"], revenue_code="0424")], [svc], type_of_bill="0341"
        )
        assert [] == found(c, "bill-type-mismatch")


def therapy_claim(*lines: ClaimLine, services: Sequence[Service] = (), **kwargs: Any) -> Claim:
    """A Medicare 0341 outpatient therapy claim."""
    return claim(MEDICARE, lines, services, type_of_bill="0341", **kwargs)


class TestTherapyModifierMissing:
    def test_pt_evaluation_without_gp(self) -> None:
        """34X therapy lines carry GN/GO/GP
        (NGS "Home Health Therapy Billing"; Pub. 100-04 ch. 5)."""
        finding = only(
            therapy_claim(ClaimLine("97161", "2024-03-04", 1, "0424")), "therapy-modifier-missing"
        )
        assert ((("modifier", "GP"),), "add GP") == (finding.fix, finding.suggestion)
        assert "expected GP" in finding.message

    def test_revenue_code_decides_when_the_code_does_not(self) -> None:
        """A 044X line is speech therapy and needs GN
        (NGS "Home Health Therapy Billing": GN with 044X)."""
        finding = only(
            therapy_claim(ClaimLine("S9128", "2024-03-04", 1, "0441")), "therapy-modifier-missing"
        )
        assert (("modifier", "GN"),) == finding.fix

    def test_with_gp_passes(self) -> None:
        """GP is the PT plan-of-care modifier (CMS modifier descriptor)."""
        assert [] == found(
            therapy_claim(ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"])),
            "therapy-modifier-missing",
        )

    def test_32x_lines_need_none(self) -> None:
        """GN/GO/GP are required on 34X, not on HH PPS 32X (NGS "Home Health Therapy Billing")."""
        assert [] == found(
            medicare_hh(service("G0151", credential="PT")), "therapy-modifier-missing"
        )


class TestTherapyModifierMismatch:
    def test_go_on_a_pt_evaluation(self) -> None:
        """GP goes with 042X and PT codes, not GO (NGS "Home Health Therapy Billing")."""
        finding = only(
            therapy_claim(ClaimLine("97161", "2024-03-04", 1, "0424", ["GO"])),
            "therapy-modifier-mismatch",
        )
        assert (
            "modifiers GO do not match the discipline of 97161 and revenue code 0424 (expected GP)"
            == finding.message
        )

    def test_pt_code_under_ot_revenue(self) -> None:
        """A PT code under 043X with GP mixes disciplines
        (NGS "Home Health Therapy Billing": GO with 043X)."""
        c = therapy_claim(ClaimLine("97161", "2024-03-04", 1, "0431", ["GP"]))
        assert 1 == len(found(c, "therapy-modifier-mismatch"))

    def test_matching_modifier_passes(self) -> None:
        """GO with an OT evaluation under 043X matches (NGS "Home Health Therapy Billing")."""
        assert [] == found(
            therapy_claim(ClaimLine("97165", "2024-03-04", 1, "0434", ["GO"])),
            "therapy-modifier-mismatch",
        )


class TestKxModifier:
    def test_past_threshold_without_kx(self) -> None:
        """Past the 2024 threshold of $2,330 lines need KX (BBA 2018 §50202; Noridian)."""
        lines = [ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"], charge="150")]
        finding = only(therapy_claim(*lines, therapy_ytd_pt_slp="2300"), "kx-modifier")
        assert "therapy amount 2450 passes the 2024 KX threshold 2330 without KX" == finding.message
        assert (("modifier", "KX"),) == finding.fix

    def test_past_threshold_without_kx_is_an_error(self) -> None:
        """Medicare denies a line past the threshold without KX: an error (BBA 2018 §50202;
        Noridian KX thresholds page)."""
        lines = [ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"], charge="150")]
        report = check(therapy_claim(*lines, therapy_ytd_pt_slp="2300"))
        assert not report.ok
        assert [] == [f for f in report if f.rule_id == "kx-modifier-early"]


class TestKxModifierEarly:
    def test_kx_below_threshold_is_a_warning(self) -> None:
        """KX before the threshold is passed is a warning, not an error: no denial for an
        early KX is published (Noridian KX thresholds page); the same line past the
        threshold with KX is clean."""
        lines = [ClaimLine("97165", "2024-03-04", 1, "0434", ["GO", "KX"], charge="150")]
        report = check(therapy_claim(*lines, therapy_ytd_pt_slp="5000"))
        finding = only(therapy_claim(*lines, therapy_ytd_pt_slp="5000"), "kx-modifier-early")
        assert Severity.WARNING is finding.severity
        assert (("modifier", "-KX"),) == finding.fix
        assert (
            "KX used while the year's therapy amount 150 is at or below the 2024 threshold 2330"
            == finding.message
        )
        assert [] == found(therapy_claim(*lines, therapy_ytd_pt_slp="5000"), "kx-modifier")
        assert not [
            f for f in report if f.rule_id.startswith("kx") and f.severity is Severity.ERROR
        ]
        passed = check(therapy_claim(*lines, therapy_ytd_ot="5000"))
        assert [] == [f for f in passed if f.rule_id.startswith("kx")]

    def test_running_total_reaches_the_threshold_mid_claim(self) -> None:
        """The running amount passes the threshold; only later lines need KX (BBA 2018 §50202)."""
        lines = [
            ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"], charge="200"),
            ClaimLine("97164", "2024-03-11", 1, "0424", ["GP"], charge="200"),
        ]
        hits = found(therapy_claim(*lines, therapy_ytd_pt_slp="2000"), "kx-modifier")
        assert [1] == [f.line for f in hits]

    def test_below_threshold_without_kx_passes(self) -> None:
        """Under the threshold no KX is needed (BBA 2018 §50202)."""
        lines = [ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"], charge="150")]
        assert [] == found(therapy_claim(*lines), "kx-modifier")

    def test_commercial_payer_has_no_threshold(self) -> None:
        """The KX threshold is Medicare's; BCBS TX does not apply it (payer profile)."""
        lines = [ClaimLine("97161", "2024-03-04", 1, "0424", ["GP"], charge="150")]
        c = claim(BCBS, lines, type_of_bill="0341", therapy_ytd_pt_slp="9000")
        assert [] == found(c, "kx-modifier")


class TestSettingMismatch:
    def test_g0129_in_the_home(self) -> None:
        """G0129 is for partial hospitalization or IOP programs
        (CMS descriptor; openpayer.com G0129 page, third-party)."""
        svc = service("G0129", "09:00", "10:00", credential="OT", setting="home")
        finding = only(
            claim(MEDICARE, [line(svc, modifiers=["GO"])], [svc], type_of_bill="0131"),
            "setting-mismatch",
        )
        assert "G0129 is not billable for a service in this setting" == finding.message

    def test_g0129_in_an_iop_passes(self) -> None:
        """From 2024-01-01 the G0129 descriptor adds intensive outpatient programs (AOTA 2024)."""
        svc = service("G0129", "09:00", "10:00", credential="OT", setting="intensive outpatient")
        assert [] == found(
            claim(MEDICARE, [line(svc, modifiers=["GO"])], [svc], type_of_bill="0131"),
            "setting-mismatch",
        )

    def test_assisted_living_counts_as_home(self) -> None:
        """An assisted living residence is a home setting (Q5002 descriptor; NGS 522358)."""
        svc = service("S9123", "07:00", "15:00", setting="assisted living", prior_auth="PA1")
        assert [] == found(claim(BCBS, [line(svc, BCBS)], [svc]), "setting-mismatch")

    def test_home_code_in_a_nursing_facility(self) -> None:
        """S9123 is nursing care 'in the home' (CMS descriptor)."""
        svc = service("S9123", "07:00", "15:00", setting="facility", prior_auth="PA1")
        assert 1 == len(found(claim(BCBS, [line(svc, BCBS)], [svc]), "setting-mismatch"))


class TestCredentialNotCurrent:
    def test_expired_license(self) -> None:
        """Expired licenses trigger refund demands (Pabau S9124 guide, third-party)."""
        svc = service("G0299", license_expires="2024-02-29")
        finding = only(medicare_hh(svc), "credential-not-current")
        assert (
            "the license of the RN who rendered G0299 on 2024-03-04 expired on 2024-02-29"
            == finding.message
        )

    def test_missing_license_number(self) -> None:
        """The license number must be on file for licensed staff
        (Pabau S9124 guide, third-party)."""
        svc = service("G0299", license_number=None)
        finding = only(medicare_hh(svc), "credential-not-current")
        assert "the RN who rendered G0299 on 2024-03-04 has no license number on file" == (
            finding.message
        )

    @pytest.mark.parametrize("expires", [None, "2024-02-29", "2023-12-31"])
    def test_each_service_named_as_written_afresh(self, expires: str | None) -> None:
        """The detail written once per service it names (its credential, code and dates)
        names each service as written for it, checked twice over: the second time the
        detail remembered."""
        for _ in range(2):
            for code, credential, day in (
                ("G0299", "RN", "2024-03-04"),
                ("G0299", "RN", "2024-03-11"),
                ("G0300", "LPN", "2024-03-04"),
                ("G0151", "PT", "2024-03-04"),
            ):
                fields = {"license_expires": expires} if expires else {"license_number": None}
                svc = service(code, credential=credential, day=day, **fields)
                who = f"the {credential} who rendered {code} on {svc.date.isoformat()}"
                expected = (
                    f"the license of {who} expired on {expires}"
                    if expires
                    else f"{who} has no license number on file"
                )
                finding = only(medicare_hh(svc), "credential-not-current")
                assert expected == finding.message

    def test_license_valid_on_the_day_passes(self) -> None:
        """A license expiring on the date of service is still valid that day
        (derived; Pabau S9124 guide, third-party)."""
        svc = service("G0299", license_expires="2024-03-04")
        assert [] == found(medicare_hh(svc), "credential-not-current")

    def test_unlicensed_aide_needs_no_license(self) -> None:
        """Aides hold no nursing license, so none is required (CMS HCPCS descriptors; derived)."""
        svc = service("G0156", credential="HHA", license_number=None)
        assert [] == found(medicare_hh(svc), "credential-not-current")


class TestDocumentationMissing:
    def test_medicare_without_orders(self) -> None:
        """Medicare HH services need physician orders (42 CFR 409.43; Pub. 100-02 ch. 7 §30.2)."""
        finding = only(medicare_hh(service("G0299", orders_on_file=False)), "documentation-missing")
        assert (
            "Original Medicare requires physician orders and a plan of care on file for G0299"
            == finding.message
        )

    def test_bcbs_without_plan_of_care(self) -> None:
        """Hourly nursing needs a care plan on file
        (Pabau S9124 guide, third-party; BCBSTX coordinated home care policy)."""
        svc = service("S9123", "07:00", "15:00", prior_auth="PA1", plan_of_care_on_file=False)
        assert 1 == len(found(claim(BCBS, [line(svc, BCBS)], [svc]), "documentation-missing"))

    def test_dol_requires_neither(self) -> None:
        """The DOL EEOICP profile sets no orders requirement (DEEOIC Bulletin 08-09 profile)."""
        svc = service("T1030", "08:00", "16:00", orders_on_file=False, plan_of_care_on_file=False)
        assert [] == found(
            claim(DOL, [line(svc, DOL)], [svc], type_of_bill=None), "documentation-missing"
        )

    def test_documented_service_passes(self) -> None:
        """Orders and plan of care on file satisfy 42 CFR 409.43."""
        assert [] == found(medicare_hh(service("G0299")), "documentation-missing")


class TestDuplicateLine:
    def test_same_service_billed_twice(self) -> None:
        """One service billed on two lines is a duplicate (derived)."""
        svc = service("G0299")
        c = medicare_hh(svc, extra=[line(svc)])
        finding = only(c, "duplicate-line")
        assert (1, "line repeats line 1: same code G0299, modifiers and date 2024-03-04") == (
            finding.line,
            finding.message,
        )
        assert "remove the duplicate line" == finding.suggestion

    def test_two_visits_on_one_day_are_two_lines(self) -> None:
        """Separate visits on one day are separate lines, not duplicates
        (ResDAC "Claim HHA Total Visit Count")."""
        c = medicare_hh(service("G0299", "09:00", "09:50"), service("G0299", "14:00", "14:50"))
        assert [] == found(c, "duplicate-line")


class TestCptCodePreferred:
    def test_catheter_visit_billed_s9123(self) -> None:
        """S9123 is not used where CPT 99507 (catheter care) applies
        (CMS descriptor; BCBSTX coding policy)."""
        svc = service("S9123", "09:00", "10:00", prior_auth="PA1", purpose="catheter")
        finding = only(claim(BCBS, [line(svc, BCBS)], [svc]), "cpt-code-preferred")
        assert (("code", "99507"),) == finding.fix
        assert (
            "S9123 is for general nursing only; CPT 99507 describes this visit" == finding.message
        )

    def test_purpose_is_matched_case_insensitively(self) -> None:
        """Purpose keywords are matched whatever their case
        (medicalbillingcptmodifiers.com, third-party, lists 99505 stoma care)."""
        svc = service(
            "S9124", "09:00", "10:00", credential="LPN", prior_auth="PA1", purpose=" Stoma "
        )
        assert (("code", "99505"),) == only(
            claim(BCBS, [line(svc, BCBS)], [svc]), "cpt-code-preferred"
        ).fix

    def test_general_nursing_passes(self) -> None:
        """S9123 remains right for general nursing (CMS S9123 descriptor)."""
        svc = service("S9123", "07:00", "15:00", prior_auth="PA1", purpose="general")
        assert [] == found(claim(BCBS, [line(svc, BCBS)], [svc]), "cpt-code-preferred")

    def test_tmhp_does_not_apply_the_rule(self) -> None:
        """TMHP CSHCN requires S9123/S9124 for extended nursing
        (TMHP CSHCN manual §21.2.1.1; TMHP news 2023-04-14)."""
        svc = service("S9123", "07:00", "15:00", prior_auth="PA1", purpose="catheter")
        assert [] == found(claim(TMHP, [line(svc, TMHP)], [svc]), "cpt-code-preferred")


class TestAssistantModifier:
    def test_pta_without_cq(self) -> None:
        """A PTA's Part B therapy needs CQ from 2020 (CMS 'Billing Examples Using CQ/CO')."""
        svc = service("97164", None, None, credential="PTA")
        finding = only(
            therapy_claim(line(svc, modifiers=["GP"], revenue_code="0424"), services=[svc]),
            "assistant-modifier",
        )
        assert ((("modifier", "CQ"),), "add CQ") == (finding.fix, finding.suggestion)

    def test_with_cq_passes(self) -> None:
        """GP with CQ is what CMS's billing examples show (BBA 2018 §53107)."""
        svc = service("97164", None, None, credential="PTA")
        assert [] == found(
            therapy_claim(line(svc, modifiers=["GP", "CQ"], revenue_code="0424"), services=[svc]),
            "assistant-modifier",
        )

    def test_not_in_effect_in_2019(self) -> None:
        """CQ/CO became required for dates of service from 2020-01-01 (CMS CQ/CO page)."""
        svc = service("97164", None, None, credential="PTA", day="2019-06-03")
        c = therapy_claim(
            line(svc, modifiers=["GP"], revenue_code="0424"),
            services=[svc],
            period=("2019-06-01", "2019-06-30"),
        )
        assert [] == found(c, "assistant-modifier")


class TestSiteOfServiceMissing:
    def test_032x_without_q_line(self) -> None:
        """HH claims with visit lines need Q5001/Q5002/Q5009 (NGS 522358; CR 8136)."""
        svc = service("G0299", day="2024-03-05")
        c = claim(MEDICARE, [line(svc)], [svc])
        finding = only(c, "site-of-service-missing")
        assert (None, (("code", "Q5001"), ("date", "2024-03-05"))) == (finding.line, finding.fix)
        assert "revenue code 0551, date 2024-03-05, 1 unit" in (finding.suggestion or "")

    def test_q_line_on_a_later_date(self) -> None:
        """The Q line carries the date of the first billable visit (NGS 522358)."""
        a, b = service("G0299", day="2024-03-05"), service("G0299", day="2024-03-07")
        c = claim(MEDICARE, [line(a), line(b), ClaimLine("Q5001", "2024-03-07", 1, "0551")], [a, b])
        assert 1 == len(found(c, "site-of-service-missing"))

    def test_before_july_2013(self) -> None:
        """CR 8136 requires the Q line for episodes from 2013-07-01."""
        svc = service("G0154", day="2013-03-05")
        c = claim(MEDICARE, [line(svc)], [svc], period=("2013-03-01", "2013-03-30"))
        assert [] == found(c, "site-of-service-missing")

    def test_with_q5002_passes(self) -> None:
        """Q5002 (assisted living) also satisfies the rule (NGS 522358)."""
        svc = service("G0299")
        c = claim(MEDICARE, [line(svc), ClaimLine("Q5002", "2024-03-04", 1, "0551")], [svc])
        assert [] == found(c, "site-of-service-missing")


class TestSiteOfServiceUnits:
    def test_two_units(self) -> None:
        """The Q line is always 1 unit with a nominal charge (NGS 522358)."""
        svc = service("G0299")
        c = claim(MEDICARE, [line(svc), ClaimLine("Q5001", "2024-03-04", 2, "0551")], [svc])
        assert (
            "site-of-service line Q5001 bills 2 units; it is always 1"
            == only(c, "site-of-service-units").message
        )

    def test_one_unit_passes(self) -> None:
        """One unit on the Q line is right (NGS 522358)."""
        assert [] == found(medicare_hh(service("G0299")), "site-of-service-units")


class TestLineOutsidePeriod:
    def test_line_after_through_date(self) -> None:
        """Line item dates fall within FL6 From-Through (UB-04 FL6/FL45; derived)."""
        svc = service("G0299", day="2024-04-02")
        c = medicare_hh(service("G0299"), svc)
        finding = only(c, "line-outside-period")
        assert (1, "date") == (finding.line, finding.field)

    def test_last_day_is_inside(self) -> None:
        """The through date itself is in the period (UB-04 FL6)."""
        assert [] == found(medicare_hh(service("G0299", day="2024-03-30")), "line-outside-period")


class TestTelehealthUnits:
    def test_g0320_billed_in_15_minute_units(self) -> None:
        """G0320 is one unit per service, not 15-minute increments (Palmetto; CR 12805)."""
        svc = service("G0320", "09:00", "09:45", setting="telehealth")
        extra = [line(svc, revenue_code="0551", units=3)]
        c = medicare_hh(service("G0299"), extra=extra, extra_services=[svc])
        assert (
            "G0320 bills 3 units; it is one unit per telehealth service"
            == only(c, "telehealth-units").message
        )

    def test_one_unit_passes(self) -> None:
        """One unit per G0321 service is right (Palmetto 'New G-Codes')."""
        svc = service("G0321", "09:00", "09:20", setting="telehealth")
        c = medicare_hh(
            service("G0299"), extra=[line(svc, revenue_code="0551")], extra_services=[svc]
        )
        assert [] == found(c, "telehealth-units")


class TestAuthorizationExceeded:
    def auth(self, **kwargs: Any) -> Authorization:
        fields: dict[str, Any] = {
            "number": "PA1",
            "payer": "bcbs-tx",
            "codes": ["S9123"],
            "units": 40,
            "basis": "units",
            "start": "2024-03-01",
            "end": "2024-03-31",
            "minutes_per_unit": 60,
        }
        return Authorization(**{**fields, **kwargs})

    def nights(self, n: int) -> list[Service]:
        return [
            service("S9123", "07:00", "15:00", prior_auth="PA1", day=f"2024-03-{d:02d}")
            for d in range(4, 4 + n)
        ]

    def test_units_run_out_mid_claim(self) -> None:
        """Lines past the authorized hours are flagged (TMHP CSHCN §21.2.1.1; pre-billing)."""
        svcs = self.nights(3)
        c = claim(BCBS, [line(s, BCBS) for s in svcs], svcs, authorizations=[self.auth(used=24)])
        hits = found(c, "authorization-exceeded")
        assert [2] == [f.line for f in hits]
        assert "authorization PA1 has 16 units left, 24 used" == hits[0].message

    def test_date_outside_the_authorization(self) -> None:
        """An authorization covers only its date range (TMHP CSHCN §21.2.1.1)."""
        svcs = self.nights(1)
        c = claim(
            BCBS,
            [line(s, BCBS) for s in svcs],
            svcs,
            authorizations=[self.auth(start="2024-03-10")],
        )
        assert (
            "authorization PA1 runs 2024-03-10 to 2024-03-31"
            == only(c, "authorization-exceeded").message
        )

    def test_code_not_authorized(self) -> None:
        """An authorization names the codes it covers (TMHP CSHCN §21.2.1.1)."""
        svcs = self.nights(1)
        c = claim(
            BCBS, [line(s, BCBS) for s in svcs], svcs, authorizations=[self.auth(codes=["S9124"])]
        )
        assert (
            "authorization PA1 does not authorize S9123"
            == only(c, "authorization-exceeded").message
        )

    def test_within_limits_passes(self) -> None:
        """Three 8-hour shifts fit a 40-hour authorization (TMHP CSHCN §21.2.1.1)."""
        svcs = self.nights(3)
        c = claim(BCBS, [line(s, BCBS) for s in svcs], svcs, authorizations=[self.auth()])
        assert [] == found(c, "authorization-exceeded")


class TestOverlappingVisits:
    def test_one_nurse_in_two_places(self) -> None:
        """Shift notes with overlapping times for one nurse are audited
        (derived; Pabau S9124 guide, third-party: start and stop times)."""
        a = service("G0299", "09:00", "10:00")
        b = service("G0299", "09:30", "10:15")
        hits = found(medicare_hh(a, b), "overlapping-visits")
        assert [0, 1] == [f.line for f in hits]
        assert (
            "the same person is documented in another visit (2024-03-04/G0299/0900) "
            "at the same time" == hits[1].message
        )

    def test_long_shift_containing_two_visits(self) -> None:
        """A 3-hour visit overlaps every shorter visit inside it, not only the first (derived)."""
        long = service("G0299", "09:00", "12:00")
        inside = [service("G0299", "09:30", "09:45"), service("G0299", "10:00", "10:30")]
        hits = found(medicare_hh(long, *inside), "overlapping-visits")
        assert [0, 1, 2] == [f.line for f in hits]

    def test_back_to_back_visits_pass(self) -> None:
        """A visit ending when the next starts is no overlap (derived)."""
        a = service("G0299", "09:00", "10:00")
        b = service("G0299", "10:00", "10:45")
        assert [] == found(medicare_hh(a, b), "overlapping-visits")

    def test_different_people_may_overlap(self) -> None:
        """Two staff may visit at the same time
        (Pabau S9124 guide, third-party: per-person shift notes)."""
        a = service("G0299", "09:00", "10:00")
        b = service("G0156", "09:00", "10:00", credential="HHA", license_number=None)
        assert [] == found(medicare_hh(a, b), "overlapping-visits")


class TestCredentialModifierMissing:
    def test_t1000_by_an_rn_without_td(self) -> None:
        """Texas Medicaid T1000 needs TD for an RN (TMHP TMPPM Dec 2016 §4.1)."""
        svc = service("T1000", "09:00", "09:45", prior_auth="PA1")
        finding = only(
            claim(TMHP, [line(svc, TMHP)], [svc], type_of_bill=None), "credential-modifier-missing"
        )
        assert ((("modifier", "TD"),), "add TD") == (finding.fix, finding.suggestion)

    def test_t1000_by_an_lvn_with_te_passes(self) -> None:
        """TE marks an LVN's T1000 (TMHP TMPPM Dec 2016 §4.1)."""
        svc = service("T1000", "09:00", "09:45", credential="LPN", prior_auth="PA1")
        c = claim(TMHP, [line(svc, TMHP, modifiers=["TE"])], [svc], type_of_bill=None)
        assert [] == found(c, "credential-modifier-missing")

    def test_other_payers_are_not_checked(self) -> None:
        """The TD/TE rule is Texas Medicaid's (TMHP TMPPM Dec 2016 §4.1)."""
        svc = service("T1000", "09:00", "09:45")
        assert [] == found(
            claim(DOL, [line(svc, DOL)], [svc], type_of_bill=None), "credential-modifier-missing"
        )


class TestSeverities:
    def test_every_rule_records_the_payer_action(self) -> None:
        """Every default rule says what the payer does with such a claim, with the public
        document that says so (or that none does); add a row to
        hcpcs_home/data/rule_actions.tsv for a new rule."""
        missing = [r.id for r in DEFAULT_RULES if r.action is None or not r.action_source]
        assert [] == missing
        assert set(payer_actions()) == {r.id for r in DEFAULT_RULES}

    def test_severity_follows_the_action(self) -> None:
        """Returned, rejected or denied: error; paid less or no published action: warning;
        informational: info."""
        for r in DEFAULT_RULES:
            assert r.action is not None
            assert r.action.severity is r.severity, r.id
        wanted = {
            PayerAction.RETURN_TO_PROVIDER: Severity.ERROR,
            PayerAction.REJECT: Severity.ERROR,
            PayerAction.DENY: Severity.ERROR,
            PayerAction.PAYMENT_REDUCED: Severity.WARNING,
            PayerAction.NOT_PUBLISHED: Severity.WARNING,
            PayerAction.INFORMATIONAL: Severity.INFO,
        }
        assert wanted == {a: a.severity for a in PayerAction}

    def test_unpublished_actions_say_so(self) -> None:
        """A rule with no published payer action says so in its action source."""
        for r in DEFAULT_RULES:
            if r.action is PayerAction.NOT_PUBLISHED:
                assert r.action_source.startswith("none published"), r.id

    def test_family_modules_state_the_derived_severity(self) -> None:
        """The severity written in each family module is the one its action gives, so the
        code does not say one thing and the check another."""
        for family in FAMILIES:
            for r in family.RULES:
                assert DEFAULT_RULES[r.id].severity is r.severity, r.id

    def test_default_rules_are_what_the_constructor_builds(self) -> None:
        """Each default rule equals its family's rule rebuilt through the full constructor
        (every converter and validator run) with its payer action (rules/__init__ stores
        the action's fields without converting the rule a second time)."""
        actions = payer_actions()
        for family in FAMILIES:
            for r in family.RULES:
                action, start, source = actions[r.id]
                built = attrs.evolve(
                    r,
                    severity=action.severity,
                    action=action,
                    action_source=source,
                    action_from=start,
                )
                got = DEFAULT_RULES[r.id]
                assert built == got, r.id
                assert type(built) is type(got)
                assert [getattr(built, a.name) for a in attrs.fields(type(built))] == [
                    getattr(got, a.name) for a in attrs.fields(type(got))
                ]

    def test_action_survives_json(self) -> None:
        """A rule set saved and loaded keeps each rule's action, its source and its date."""
        loaded = load_rules(DEFAULT_RULES.to_json())
        for r in DEFAULT_RULES:
            got = loaded[r.id]
            assert (r.action, r.action_source, r.action_from) == (
                got.action,
                got.action_source,
                got.action_from,
            )

    def test_junk_action_is_refused(self) -> None:
        """An action that is not a PayerAction is refused by name."""
        with pytest.raises(InvalidFieldError, match="action"):
            attrs.evolve(DEFAULT_RULES["unknown-code"], action="shrug")

    def test_units_are_decimal_for_tmhp_tenths(self) -> None:
        """TMHP's SHARS hour codes bill tenths (TMPPM §42.7.5)."""
        svc = service("S9124", "07:00", "15:20", credential="LPN", prior_auth="PA1")
        assert Decimal("8.3") == line(svc, TENTHS).units


class TestTotalTimeByDiscipline:
    """Pub. 100-04 ch. 5 §20.2 C pools a day's timed minutes; each discipline is its own plan."""

    def test_pt_and_ot_are_not_pooled(self) -> None:
        """20 PT minutes and 20 OT minutes on one day are 1 unit each, not 3 shared (derived)."""
        pt = service("97110", None, None, credential="PT", minutes=20, id="pt")
        ot = service("97140", None, None, credential="OT", minutes=20, id="ot")
        lines = [
            ClaimLine("97110", "2024-03-04", 1, "0421", ["GP"], service_ids=["pt"]),
            ClaimLine("97140", "2024-03-04", 1, "0431", ["GO"], service_ids=["ot"]),
        ]
        assert [] == found(claim(MEDICARE, lines, [pt, ot], type_of_bill="0341"), "units-mismatch")

    def test_one_discipline_is_pooled(self) -> None:
        """20 + 20 PT minutes are 3 units in all; 1 + 1 leaves one unit unbilled (example 2)."""
        a = service("97110", None, None, credential="PT", minutes=20, id="a")
        b = service("97140", None, None, credential="PT", minutes=20, id="b")
        lines = [
            ClaimLine("97110", "2024-03-04", 1, "0421", ["GP"], service_ids=["a"]),
            ClaimLine("97140", "2024-03-04", 1, "0421", ["GP"], service_ids=["b"]),
        ]
        hits = found(claim(MEDICARE, lines, [a, b], type_of_bill="0341"), "units-mismatch")
        assert [(0, (("units", "2"),))] == [(f.line, f.fix) for f in hits]

    def test_timed_cpt_code_on_32x_is_a_bill_type_mismatch(self) -> None:
        """A fee-schedule therapy code on a 032X claim is refused
        (NGS "Home Health Therapy Billing": 32X uses G-codes)."""
        a = service("97110", None, None, credential="PT", minutes=30, id="a")
        lines = [ClaimLine("97110", "2024-03-04", 2, "0421", service_ids=["a"])]
        assert 1 == len(found(claim(MEDICARE, lines, [a]), "bill-type-mismatch"))


class TestTotalChargeMismatch:
    """Pub. 100-04 ch. 25 s.75.4: the 0001 line's FL47 "is the sum of charges billed"."""

    @staticmethod
    def _claim(**kwargs: Any) -> Claim:
        return Claim(
            payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", id="T1",
            lines=[
                ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551", charge="150.00"),
                ClaimLine("G0151", "2024-03-05", 3, revenue_code="0421", charge="100.50"),
            ],
            **kwargs,
        )  # fmt: skip

    def test_total_equal_to_the_lines_is_clean(self) -> None:
        """A header total equal to the sum of the lines is stored as None and never fires."""
        claim = self._claim(total_charge="250.50")
        assert claim.total_charge is None
        assert [] == [f for f in check(claim) if f.rule_id == "total-charge-mismatch"]

    def test_total_that_differs_fires(self) -> None:
        """A header total that differs from the lines is one claim-level error with the fix."""
        (finding,) = [
            f
            for f in check(self._claim(total_charge="300"))
            if f.rule_id == "total-charge-mismatch"
        ]
        assert (Severity.ERROR, None, "total_charge") == (
            finding.severity,
            finding.line,
            finding.field,
        )
        assert "300.00 is not the sum of the line charges (250.50)" in finding.message
        assert (("total_charge", "250.50"),) == finding.fix

    def test_a_0001_line_is_not_summed(self) -> None:
        """The 0001 total line is left out of the line sum it is compared with."""
        claim = self._claim(total_charge="250.50")
        with_total = attrs.evolve(
            claim,
            lines=[
                *claim.lines,
                ClaimLine("", "2024-03-30", 0, revenue_code="0001", charge="250.50"),
            ],
        )
        assert Decimal("250.50") == with_total.line_total
        assert [] == [f for f in check(with_total) if f.rule_id == "total-charge-mismatch"]
