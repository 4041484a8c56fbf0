"""Rules about who rendered a service and what is on file for it.

Credentials against the code's descriptor, licenses, settings, physician
orders and plans of care, prior authorization, and the credential modifiers
and CPT home-visit codes some payers require.

The rules that read the chart (the documented services) need it
(``Need.CHART``); a claim that carries none is not judged by them, and
``chart-not-provided`` says so once per claim.
"""

from __future__ import annotations

import datetime as dt
import functools

from .._engine import Context, Need, Rule, Scope, Severity, Vocabulary, code_level, inline
from .._tables import read_table
from ..codes import Credential, Setting
from ..payers import Payer
from . import _common as common
from ._common import (
    _HOME_LIKE,
    LICENSED,
    NURSE_MODIFIER,
    FixResult,
    Pred,
    credentials,
    known,
    sibling_code,
)

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def credential_documented() -> Pred:
    """Every service of the line records the rendering credential."""

    def test(ctx: Context) -> bool:
        services = ctx.services
        if not services:
            return False
        for s in services:  # noqa: SIM110 (see _LOOPS)
            if s.credential is None:
                return False
        return True

    # The usual line has one service: read in place, the loop only for the others.
    return _one_service(test, "ctx.services[0].credential is not None")


def _one_service(test: Pred, holds: str, **values: object) -> Pred:
    """``test``, written in the compiled checker as ``holds`` (an expression over
    ``ctx.services[0]`` that implies ``test``) where the line has one service, else a
    call of ``test``: the usual line costs no call."""
    return inline(
        test, f"(len(ctx.services) == 1 and {holds}) or {{test}}(ctx)", test=test, **values
    )


def credential_fits() -> Pred:
    """Each service's credential is one the code may be rendered by (CMS descriptors, or
    the payer's own definition, :meth:`~hcpcs_home.payers.Payer.credentials_for`; Pabau
    S9124 guide, third-party: an RN shift billed S9124 is an audit trigger)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        if code is None:
            return True
        allowed = ctx.payer.credentials_for(code)
        if not allowed:
            return True
        for s in ctx.services:
            if s.credential is not None and s.credential not in allowed:
                return False
        return True

    # A code no credential list restricts (for the payer) fits whoever rendered it.  The
    # usual line (one service, a Payer without lists of its own: credentials_for gives
    # the code's) is written in place.
    settle = code_level(
        test,
        lambda ctx: True if ctx.code is None or not ctx.payer.credentials_for(ctx.code) else None,
    )
    return inline(
        settle,
        "ctx.code is None or (len(ctx.services) == 1 and ctx.payer.__class__ is {payer}"
        " and not ctx.payer.code_credentials and (ctx.services[0].credential is None"
        " or ctx.services[0].credential in ctx.code.credentials)) or {test}(ctx)",
        test=test,
        payer=Payer,
    )


#: Hospice bills (TOB 081X/082X).
_HOSPICE_CLASSES = frozenset({"81", "82"})
#: Where hospice care is given, by the site Q-codes: the home or assisted living (Q5001,
#: Q5002), a nursing or skilled nursing facility, hospital or other facility (Q5003-Q5008)
#: and a hospice facility (Q5006, Q5010) (CMS HCPCS descriptors; CR 5245).
_HOSPICE_SITES = frozenset(
    {Setting.HOME, Setting.ASSISTED_LIVING, Setting.FACILITY, Setting.HOSPICE}
)


# Globals: cheaper per line than reading the members off their enum.
_HOME, _HOSPICE = Setting.HOME, Setting.HOSPICE


def setting_fits() -> Pred:
    """Each service's setting is one the code allows (G0129: partial hospitalization or
    intensive outpatient program, CMS descriptor; home codes: the home, where an assisted
    living residence counts as home, Q5002).  On a hospice bill a code "in the home health
    or hospice setting" fits wherever the hospice patient lives, a nursing facility
    included (the Q5003-Q5010 descriptors; CR 5245)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        if code is None or not code.settings:
            return True
        settings = code.settings
        home = _HOME in settings
        hospice = _HOSPICE in settings and ctx.claim.bill_class in _HOSPICE_CLASSES
        for s in ctx.services:
            if (
                s.setting not in settings
                and not (home and s.setting in _HOME_LIKE)
                and not (hospice and s.setting in _HOSPICE_SITES)
            ):
                return False
        return True

    # A code that names no setting fits any; one service in a setting the code names fits.
    settled = code_level(
        test, lambda ctx: True if ctx.code is None or not ctx.code.settings else None
    )
    return _one_service(
        settled, "ctx.code is not None and ctx.services[0].setting in ctx.code.settings"
    )


def license_current() -> Pred:
    """Each service by a licensed credential records a license number, and the license
    has not expired on the date of service (Pabau S9124 guide, third-party: missing or
    expired licenses trigger refund demands)."""

    def test(ctx: Context) -> bool:
        for s in ctx.services:
            if s.credential in LICENSED:
                if not s.license_number:
                    return False
                if s.license_expires is not None and s.license_expires < s.date:
                    return False
        return True

    # The usual service: unlicensed, or licensed with a number and not expired that day.
    return _one_service(
        test,
        "(ctx.services[0].credential not in {licensed}"
        " or (bool(ctx.services[0].license_number)"
        " and (ctx.services[0].license_expires is None"
        " or ctx.services[0].license_expires >= ctx.services[0].date)))",
        licensed=LICENSED,
    )


def _every_service_has(flag: str) -> Pred:
    def test(ctx: Context) -> bool:
        for s in ctx.services:  # noqa: SIM110 (see _LOOPS)
            if not getattr(s, flag):
                return False
        return True

    assert flag.isidentifier()  # written into the compiled checker's source
    return _one_service(test, f"ctx.services[0].{flag}")


def orders_on_file() -> Pred:
    """Every service has physician (or allowed practitioner) orders on file."""
    return _every_service_has("orders_on_file")


def plan_of_care_on_file() -> Pred:
    """Every service has a plan of care on file."""
    return _every_service_has("plan_of_care_on_file")


def prior_auth_required() -> Pred:
    """The payer requires prior authorization for the code (payer profile)."""
    return inline(
        code_level(
            lambda ctx: ctx.line is not None and ctx.payer.requires_prior_auth(ctx.line.code)
        ),
        "ctx.line is not None and ctx.payer.requires_prior_auth(ctx.line.code)",
    )


def prior_auth_recorded() -> Pred:
    """An authorization number is on the line or its services, or the claim carries an
    authorization for the code covering the date."""

    def test(ctx: Context) -> bool:
        line = ctx.line
        if line is not None and line.prior_auth:
            return True
        for service in ctx.services:  # (see _LOOPS)
            if service.prior_auth:
                return True
        if line is None:
            return False
        for auth in ctx.claim.authorizations:
            if line.code in auth.codes and auth.covers_date(line.date):
                return True
        return False

    return test


def purpose_has_cpt_code() -> Pred:
    """A service's documented purpose is one a CPT 99500-99602 home-visit code describes
    (the S9123 descriptor forbids S9123 there; BCBSTX coordinated home care policy)."""
    return lambda ctx: _cpt_for(ctx) is not None


@functools.cache
def _purposes() -> dict[str, str]:
    """Purpose keyword to CPT home-visit code (data/home_visit_purposes.tsv), built once."""
    return {r["purpose"]: r["cpt"] for r in read_table("home_visit_purposes.tsv")}


def _cpt_for(ctx: Context) -> str | None:
    table = _purposes()
    for s in ctx.services:
        if s.purpose:
            cpt = table.get(s.purpose.strip().lower())
            if cpt is not None:
                return cpt
    return None


def credential_modifier_present() -> Pred:
    """T1000 carries TD when an RN furnished it and TE when an LVN did (TMHP TMPPM
    Dec 2016 HH Nursing and PDN Handbook §4.1)."""

    def test(ctx: Context) -> bool:
        wanted = {
            NURSE_MODIFIER[s.credential] for s in ctx.services if s.credential in NURSE_MODIFIER
        }
        return ctx.line is not None and (
            wanted <= set(ctx.line.modifiers)
            if wanted
            else bool(set(NURSE_MODIFIER.values()) & set(ctx.line.modifiers))
        )

    return test


def _fix_credential(ctx: Context) -> FixResult:
    line = ctx.line
    assert line is not None
    creds = credentials(ctx)
    wrong = [
        c for c in creds if ctx.code is not None and c not in ctx.payer.credentials_for(ctx.code)
    ]
    facts = {"credential": " ".join(c.value for c in wrong) or "none"}
    if len(wrong) == 1:
        target = sibling_code(line.code, wrong[0])
        if target is not None:
            return f"bill {target}, the {wrong[0].value} code", {"code": target}, facts
    return None, {}, facts


def _fix_license(ctx: Context) -> FixResult:
    for s in ctx.services:
        if s.credential in LICENSED:
            if not s.license_number:
                why = _unlicensed(s.credential, s.code, s.date)
                return "record the license number before billing", {}, {"detail": why}
            if s.license_expires is not None and s.license_expires < s.date:
                why = _expired(s.credential, s.code, s.date, s.license_expires)
                return "bill only services rendered under a current license", {}, {"detail": why}
    return None, {}, {"detail": "the rendering license is missing or expired"}


def _rendered(credential: Credential, code: str, day: dt.date) -> str:
    """Who rendered a service: the credential, the code and the date."""
    return f"the {credential.value} who rendered {code} on {day.isoformat()}"


# The license findings' details, written once per service they name (its credential,
# code and dates): a month's findings name a few dozen.
@functools.lru_cache(maxsize=4096)
def _unlicensed(credential: Credential, code: str, day: dt.date) -> str:
    return f"{_rendered(credential, code, day)} has no license number on file"


@functools.lru_cache(maxsize=4096)
def _expired(credential: Credential, code: str, day: dt.date, expires: dt.date) -> str:
    return f"the license of {_rendered(credential, code, day)} expired on {expires.isoformat()}"


def _fix_cpt(ctx: Context) -> FixResult:
    cpt = _cpt_for(ctx)
    if cpt is None:
        return None, {}, {}
    return f"bill CPT {cpt}", {"code": cpt}, {"cpt": cpt}


def _fix_credential_modifier(ctx: Context) -> FixResult:
    creds = credentials(ctx)
    wanted = sorted({NURSE_MODIFIER[c] for c in creds if c in NURSE_MODIFIER})
    if not wanted:
        choices = " or ".join(f"{m} ({c.value if c else ''})" for c, m in NURSE_MODIFIER.items())
        return f"add {choices}", {}, {}
    return f"add {' '.join(wanted)}", {"modifier": " ".join(wanted)}, {}


VOCABULARY = Vocabulary(
    predicates={
        "credential_documented": credential_documented,
        "credential_fits": credential_fits,
        "credential_modifier_present": credential_modifier_present,
        "license_current": license_current,
        "orders_on_file": orders_on_file,
        "plan_of_care_on_file": plan_of_care_on_file,
        "prior_auth_recorded": prior_auth_recorded,
        "prior_auth_required": prior_auth_required,
        "purpose_has_cpt_code": purpose_has_cpt_code,
        "setting_fits": setting_fits,
    },
    fixers={
        "cpt-home-visit": _fix_cpt,
        "credential-code": _fix_credential,
        "credential-modifier": _fix_credential_modifier,
        "license": _fix_license,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix


RULES: tuple[Rule, ...] = (
    Rule(
        "credential-mismatch",
        Severity.ERROR,
        "{code} may not be billed for a service rendered by {credential}",
        "CMS HCPCS descriptors (credential in the text); Pabau S9124 guide (third-party: "
        "an RN shift billed as S9124 is an audit trigger)",
        known & p("credential_documented") & ~p("credential_fits"),
        fix=fix("credential-code"),
        field="code",
        needs=[Need.CHART],
        description=(
            "A service's recorded credential is not one the code may be rendered by (an RN's shift "
            "billed as S9124, an OTA visit billed as G0152, an aide billed as T1019)."
        ),
        advice=(
            "The sibling code for that credential where one exists (S9124 by an RN: S9123; G0152 by"
            " an OTA: G0158)."
        ),
    ),
    Rule(
        "prior-auth-missing",
        Severity.ERROR,
        "{payer} requires prior authorization for {code} and none is recorded",
        "payer profile (TMHP CSHCN Services Program Provider Manual §21.2.1.1; Pabau S9124 "
        "guide, third-party, for commercial hourly nursing)",
        p("prior_auth_required") & ~p("prior_auth_recorded"),
        field="prior_auth",
        description=(
            "The payer requires prior authorization for the code and neither the line, its services"
            " nor an authorization on the claim covering the code and date records one."
        ),
        advice="None (obtain and record the authorization).",
    ),
    Rule(
        "setting-mismatch",
        Severity.WARNING,
        "{code} is not billable for a service in this setting",
        "CMS descriptors (G0129: partial hospitalization or intensive outpatient program; "
        "'in the home' codes); openpayer.com G0129 page (third-party)",
        known & p("service_linked") & ~p("setting_fits"),
        field="code",
        needs=[Need.CHART],
        description=(
            "A service's setting is not one the code allows (G0129 outside a partial "
            "hospitalization or intensive outpatient program; an 'in the home' code in a facility; "
            "assisted living counts as home)."
        ),
        advice="None (bill the setting's code).",
    ),
    Rule(
        "credential-not-current",
        Severity.ERROR,
        "{detail}",
        "Pabau S9124 guide (third-party: license number on file; expired licenses trigger "
        "refund demands)",
        p("service_linked") & ~p("license_current"),
        fix=fix("license"),
        field="license_number",
        needs=[Need.CHART],
        description=(
            "A service by a licensed credential (RN, LPN, PT, PTA, OT, OTA, SLP, MSW, RT) records "
            "no license number, or the license expired before the date of service."
        ),
        advice=(
            "In words: record the license number, or bill only services rendered under a current "
            "license; the message names the service."
        ),
    ),
    Rule(
        "documentation-missing",
        Severity.ERROR,
        "{payer} requires physician orders and a plan of care on file for {code}",
        "42 CFR 409.43 and Pub. 100-02 ch. 7 §30.2 (Medicare HH); TMHP CSHCN §21.2.1.1; "
        "BCBSTX coordinated home care policy (orders and care plan for hourly nursing)",
        p("service_linked")
        & (
            (p("payer_flag", flag="requires_orders") & ~p("orders_on_file"))
            | (p("payer_flag", flag="requires_plan_of_care") & ~p("plan_of_care_on_file"))
        ),
        field="service_ids",
        needs=[Need.CHART],
        description=(
            "The payer requires physician orders or a plan of care on file and a service of the "
            "line has none."
        ),
        advice="None (file the orders and plan of care before billing).",
    ),
    Rule(
        "cpt-code-preferred",
        Severity.WARNING,
        "{code} is for general nursing only; CPT {cpt} describes this visit",
        "CMS S9123 descriptor ('not to be used when CPT codes 99500-99602 can be used'); "
        "BCBS TX/OK/NM coordinated home care and private duty nursing policies (BCBSTX CPCP)",
        p("code_in", codes=["S9123", "S9124"])
        & p("payer_flag", flag="requires_cpt_home_visit_codes")
        & p("purpose_has_cpt_code"),
        fix=fix("cpt-home-visit"),
        field="code",
        needs=[Need.CHART],
        description=(
            "S9123/S9124 billed to a payer that applies the descriptor's 'not when CPT 99500-99602 "
            "can be used', for a visit whose documented purpose a CPT home-visit code describes "
            "(catheter care: 99507)."
        ),
        advice="The CPT home-visit code (``fix``: ``code``).",
    ),
    Rule(
        "credential-modifier-missing",
        Severity.WARNING,
        "T1000 needs TD (RN) or TE (LVN) for Texas Medicaid",
        "TMHP TMPPM Dec 2016 Home Health Nursing and PDN Handbook §4.1",
        p("code_in", codes=["T1000"]) & ~p("credential_modifier_present"),
        fix=fix("credential-modifier"),
        field="modifiers",
        payers=["tx-medicaid-cshcn"],
        description="Texas Medicaid T1000 without TD (RN) or TE (LVN).",
        advice="The credential's modifier.",
    ),
    Rule(
        "chart-not-provided",
        Severity.INFO,
        "the claim carries no chart (documented services): the rules of visit times, "
        "credentials and documentation did not judge it",
        "ASC X12 837I 005010X223A2 SV2 and NUBC UB-04 FL 46 carry a line's units, not the "
        "visit's clock times or who rendered it; the clinical record stays with the agency "
        "(42 CFR 484.110 home health, 42 CFR 418.104 hospice)",
        p("claim_has_lines") & ~p("chart_provided"),
        scope=Scope.CLAIM,
        field="services",
        description=(
            "A claim with lines that carries no documented services (read from an 837I, UB-04 "
            "or RIF file, or built from lines alone): the rules that need the chart "
            "(``needs: chart``: time-not-documented, "
            "units-mismatch, credential-mismatch, documentation-missing...) were not run, so "
            "absent evidence is never called an error. A note, said once per claim."
        ),
        advice="None (check the visits against the chart with check_visit or a full claim).",
    ),
)
"""The rules of this family, in the order their findings are reported."""
