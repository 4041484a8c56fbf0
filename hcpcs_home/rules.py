"""The default home-health rule set, :data:`DEFAULT_RULES`.

Each rule's ``when`` is built from the named predicates in
:mod:`hcpcs_home._facts` (each of which cites the rule's source in its
docstring), and each rule names its ``source``.  Rule ids are stable: billing
teams filter, silence and count findings by them.

>>> from hcpcs_home.rules import DEFAULT_RULES
>>> print(DEFAULT_RULES["payer-code-not-accepted"].when)
code_known & ~payer_accepts_code
>>> len(DEFAULT_RULES) >= 27
True
"""

from __future__ import annotations

import datetime as _dt

from .policy import Predicate, Rule, RuleSet, Scope, Severity
from .policy import predicate as p

__all__ = ["DEFAULT_RULES", "default_rules"]


def __dir__() -> list[str]:
    return __all__


def _not(name: str, **params: object) -> Predicate:
    return ~p(name, **params)


def default_rules() -> RuleSet:
    """Build the default rule set (a new, equal :class:`~hcpcs_home.policy.RuleSet` each call)."""
    known = p("code_known")
    hh_claim = p("bill_class", classes=["32"])
    therapy_claim = p("bill_class", classes=["34"])
    hospice_claim = p("bill_class", classes=["81", "82"])
    rules = [
        Rule(
            "unknown-code",
            Severity.ERROR,
            "{code} is not a known HCPCS/CPT code",
            "CMS HCPCS Level II alpha-numeric file; domain README §1",
            ~known,
            fix="nearest-code",
            field="code",
        ),
        Rule(
            "code-not-effective",
            Severity.ERROR,
            "{code} is not in effect on {date} ({window})",
            "CMS HCPCS file added/termination dates; CR 9369 (G0154), CR 9736 (G0163/G0164)",
            known & ~p("code_effective"),
            fix="replacement-code",
            field="code",
        ),
        Rule(
            "payer-code-not-accepted",
            Severity.ERROR,
            "{payer} does not accept {code}",
            "CMS processing note 0088 (S codes not valid for Medicare); CMS coverage code I "
            "(T codes); domain README §0 item 4",
            known & ~p("payer_accepts_code"),
            fix="medicare-equivalent",
            field="code",
        ),
        Rule(
            "credential-mismatch",
            Severity.ERROR,
            "{code} may not be billed for a service rendered by {credential}",
            "CMS HCPCS descriptors (credential in the text); seed 002 (RN billed as S9124 is "
            "an audit trigger); domain README §6",
            known & p("credential_documented") & ~p("credential_fits"),
            fix="credential-code",
            field="code",
        ),
        Rule(
            "prior-auth-missing",
            Severity.ERROR,
            "{payer} requires prior authorization for {code} and none is recorded",
            "payer profile (TMHP CSHCN manual §21.2.1.1; seed 002 for commercial hourly nursing)",
            p("prior_auth_required") & ~p("prior_auth_recorded"),
            field="prior_auth",
        ),
        Rule(
            "time-not-documented",
            Severity.ERROR,
            "{code} is billed by time but its services document no start/stop times or minutes",
            "seed 002 (shift notes with start and stop clock times); Pub. 100-04 ch. 5 §20.2",
            known & p("code_timed") & ~p("time_documented"),
            field="service_ids",
        ),
        Rule(
            "below-minimum-time",
            Severity.ERROR,
            "{minutes} documented minutes earn no unit of {code} under {policy}",
            "Pub. 100-04 ch. 5 §20.2 C and NGS chart (seed 003): under 8 minutes is 0 units; "
            "CMS descriptors of G0129/G0176/G0177: 45 minutes or more",
            known & p("code_timed") & p("time_documented") & ~p("meets_minimum_time"),
            fix="expected-units",
            field="units",
        ),
        Rule(
            "units-mismatch",
            Severity.ERROR,
            "{units} unit(s) billed for {code}, but {minutes} documented minutes give "
            "{expected} under {policy}",
            "Pub. 100-04 ch. 5 §20.2 C (15-minute chart, total-time method); seed 003; payer "
            "per-hour conventions (domain README §2.4)",
            known
            & p("code_timed")
            & p("time_documented")
            & p("meets_minimum_time")
            & ~p("units_match_time"),
            fix="expected-units",
            field="units",
        ),
        Rule(
            "short-visit-units",
            Severity.WARNING,
            "{code} documents {minutes} minute(s): sources disagree whether a 1-7 minute visit "
            "line is 0 or 1 unit; {policy} counts {expected}",
            "NGS chart (seed 003) vs Cahaba RHHI hospice FAQ 9970 (CR 6440); domain README §2.3",
            known & (hh_claim | hospice_claim) & p("minutes_contested"),
            fix="expected-units",
            field="units",
        ),
        Rule(
            "per-diem-units",
            Severity.ERROR,
            "{units} unit(s) of per-diem {code} billed for {expected} {basis}",
            "HCPCS 'per diem' descriptors; seed 000 (one unit per day of service); payer shift "
            "definitions (DOL DEEOIC Bulletin 08-09)",
            known & p("code_unit", units=["day"]) & ~p("per_diem_units_ok"),
            fix="per-diem-units",
            field="units",
        ),
        Rule(
            "revenue-code-mismatch",
            Severity.ERROR,
            "revenue code {revenue_code} does not fit {code} (expected {expected})",
            "NGS Home Health Therapy Billing (seed 003); NGS SIA and Q-code articles; "
            "seed 002 (0552 for S9123/S9124); domain README §3.4",
            known & p("has_revenue_code") & ~p("revenue_code_fits"),
            fix="revenue-code",
            field="revenue_code",
        ),
        Rule(
            "bill-type-mismatch",
            Severity.ERROR,
            "{code} is not billable on type of bill {type_of_bill}",
            "seed 003 (32X uses the HH G-codes; 34X therapy is paid on the MPFS); CMS descriptors "
            "('home health setting' only for G0159-G0161, G2168, G2169); CR 11721 (not on 0322)",
            known
            & (
                (p("hh_visit_code") & therapy_claim)
                | (p("therapy_fee_schedule_code") & hh_claim)
                | (p("hh_setting_only_code") & hospice_claim)
                | (p("code_in", codes=["G2168", "G2169"]) & p("bill_type", types=["0322"]))
            ),
            field="code",
        ),
        Rule(
            "therapy-modifier-missing",
            Severity.ERROR,
            "therapy line {code} on a 34X claim has no GN/GO/GP modifier (expected {expected})",
            "seed 003 (34X HCPCS modifiers GN/GO/GP); Pub. 100-04 ch. 5",
            therapy_claim
            & p("payer_flag", flag="requires_therapy_modifiers")
            & p("therapy_line")
            & ~p("therapy_modifier_present"),
            fix="therapy-modifier",
            field="modifiers",
        ),
        Rule(
            "therapy-modifier-mismatch",
            Severity.ERROR,
            "modifiers {modifiers} do not match the discipline of {code} and revenue code "
            "{revenue_code} (expected {expected})",
            "seed 003 (GP with 042X, GO with 043X, GN with 044X); CMS modifier descriptors",
            therapy_claim
            & p("therapy_line")
            & p("therapy_modifier_present")
            & ~p("therapy_modifier_fits"),
            fix="therapy-modifier",
            field="modifiers",
        ),
        Rule(
            "kx-modifier",
            Severity.ERROR,
            "{detail}",
            "BBA 2018 §50202; Noridian 'Per-Beneficiary KX Modifier Thresholds'; "
            "data/kx_thresholds.tsv",
            therapy_claim
            & p("payer_flag", flag="applies_kx_threshold")
            & p("therapy_line")
            & (
                (p("kx_threshold_passed") & _not("has_modifier", modifiers=["KX"]))
                | (~p("kx_threshold_passed") & p("has_modifier", modifiers=["KX"]))
            ),
            fix="kx",
            field="modifiers",
        ),
        Rule(
            "setting-mismatch",
            Severity.ERROR,
            "{code} is not billable for a service in this setting",
            "CMS descriptors (G0129: partial hospitalization or intensive outpatient program; "
            "'in the home' codes); seed 001",
            known & p("service_linked") & ~p("setting_fits"),
            field="code",
        ),
        Rule(
            "credential-not-current",
            Severity.ERROR,
            "{detail}",
            "seed 002 (license number on file; expired licenses trigger refund demands)",
            p("service_linked") & ~p("license_current"),
            fix="license",
            field="service_ids",
        ),
        Rule(
            "documentation-missing",
            Severity.ERROR,
            "{payer} requires physician orders and a plan of care on file for {code}",
            "42 CFR 409.43 and Pub. 100-02 ch. 7 §30.2 (Medicare HH); TMHP CSHCN §21.2.1.1; "
            "seed 002 (orders and care plan for hourly nursing)",
            p("service_linked")
            & (
                (p("payer_flag", flag="requires_orders") & ~p("orders_on_file"))
                | (p("payer_flag", flag="requires_plan_of_care") & ~p("plan_of_care_on_file"))
            ),
            field="service_ids",
        ),
        Rule(
            "duplicate-line",
            Severity.ERROR,
            "line repeats line {other}: same code {code}, modifiers and date {date}",
            "derived: one service billed twice; domain README §2.3 (separate visits are "
            "separate lines)",
            p("duplicate_of_earlier_line"),
            fix="duplicate",
        ),
        Rule(
            "cpt-code-preferred",
            Severity.ERROR,
            "{code} is for general nursing only; CPT {cpt} describes this visit",
            "CMS S9123 descriptor ('not to be used when CPT codes 99500-99602 can be used'); "
            "BCBS TX/OK/NM coordinated home care and PDN policies (seed 002)",
            p("code_in", codes=["S9123", "S9124"])
            & p("payer_flag", flag="requires_cpt_home_visit_codes")
            & p("purpose_has_cpt_code"),
            fix="cpt-home-visit",
            field="code",
        ),
        Rule(
            "assistant-modifier",
            Severity.ERROR,
            "a therapy assistant furnished {code}; the line needs {expected}",
            "CMS 'Billing Examples Using CQ/CO Modifiers' (BBA 2018 §53107): required from "
            "2020-01-01 on Part B therapy",
            therapy_claim
            & p("payer_flag", flag="requires_assistant_modifiers")
            & p("assistant_rendered")
            & ~p("assistant_modifier_present"),
            fix="assistant-modifier",
            field="modifiers",
            effective_from=_dt.date(2020, 1, 1),
        ),
        Rule(
            "site-of-service-missing",
            Severity.ERROR,
            "a 032X claim with visit lines has no Q5001/Q5002/Q5009 line dated {first}",
            "NGS article 522358; CR 8136 (Transmittal 2680): required from 2013-07-01",
            hh_claim
            & p("payer_flag", flag="requires_site_of_service")
            & p("claim_has_visit_lines")
            & ~p("site_of_service_reported"),
            fix="site-of-service",
            scope=Scope.CLAIM,
            effective_from=_dt.date(2013, 7, 1),
        ),
        Rule(
            "site-of-service-units",
            Severity.ERROR,
            "site-of-service line {code} bills {units} units; it is always 1",
            "NGS article 522358 (Q line: 1 unit, nominal charge)",
            p("code_in", codes=["Q5001", "Q5002", "Q5009"]) & p("units_above", limit=1),
            field="units",
        ),
        Rule(
            "line-outside-period",
            Severity.ERROR,
            "line date {date} is outside the statement period",
            "UB-04 FL6/FL45: line item dates fall within the From-Through period "
            "(domain README §5.1)",
            ~p("line_in_period"),
            field="date",
        ),
        Rule(
            "telehealth-units",
            Severity.ERROR,
            "{code} bills {units} units; it is one unit per telehealth service",
            "Palmetto GBA 'Telehealth Home Health Services: New G-Codes' (CR 12805)",
            p("code_in", codes=["G0320", "G0321"]) & ~p("telehealth_units_ok"),
            field="units",
        ),
        Rule(
            "authorization-exceeded",
            Severity.ERROR,
            "{detail}",
            "payer prior-authorization terms (TMHP CSHCN §21.2.1.1); agencies' pre-billing checks",
            p("authorization_referenced") & ~p("authorization_within_limits"),
            fix="authorization",
            field="units",
        ),
        Rule(
            "overlapping-visits",
            Severity.ERROR,
            "the same person is documented in another visit ({other}) at the same time",
            "seed 002 (shift notes with start and stop times are audited); derived",
            p("overlaps_other_visit"),
            fix="overlap",
            field="service_ids",
        ),
        Rule(
            "credential-modifier-missing",
            Severity.ERROR,
            "T1000 needs TD (RN) or TE (LVN) for Texas Medicaid",
            "TMHP TMPPM Dec 2016 Home Health Nursing and PDN Handbook §4.1",
            p("code_in", codes=["T1000"])
            & p("payer_id", ids=["tx-medicaid-cshcn"])
            & ~p("credential_modifier_present"),
            fix="credential-modifier",
            field="modifiers",
        ),
    ]
    return RuleSet(rules=rules, name="hcpcs_home default")


DEFAULT_RULES = default_rules()
"""The default rule set, every rule above in this order."""
