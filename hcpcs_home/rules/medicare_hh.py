"""Medicare home-health claims (TOB 032X under PDGM): header codes, HIPPS, periods, NOA.

The edits that return Medicare home-health claims most often, each with the
MAC reason code it prevents: OASIS date (occurrence code 50, RC 37253), CBSA
and FIPS value codes (61, 85; RC 37257), the 0023 HIPPS line (RC 32243,
32968), 30-day periods (U538F), the notice of admission (19963; late-NOA
reduction), condition code 54, telehealth lines (CR 12805).

Sources: CMS CR 11081 (PDGM), CR 10782 and CR 13543 (value code 85), CR 9497
(condition code 54), CR 12805 (telehealth G-codes), CMS "Definition and Uses
of HIPPS Codes" (2022-04-04); MAC pages of NGS, CGS and Palmetto GBA named on
each rule.
"""

from __future__ import annotations

import datetime as _dt
import operator
from collections.abc import Mapping
from types import ModuleType
from typing import TYPE_CHECKING, Any

from .._benefits import PERIOD_DAYS, TELEHEALTH_CODES
from .._engine import (
    ClaimFact,
    Context,
    Fix,
    Need,
    Rule,
    Scope,
    Severity,
    Vocabulary,
    code_level,
    inline,
)
from ..claims import HIPPS_REVENUE_CODE
from ..errors import InvalidFieldError
from . import _common as common
from ._common import FixResult, Pred, hh_claim, known
from ._sheet import HOME_VISITS
from .codes import VOCABULARY as _CODE_VOCABULARY

__all__ = ["RULES", "VOCABULARY", "lupa_rule"]


def __dir__() -> list[str]:
    return __all__


def _load() -> ModuleType:
    from .. import pdgm

    return pdgm


if TYPE_CHECKING:
    from .. import pdgm as _pdgm
else:  # a cold boundary: imported by the first home-health claim's check, not by the rules
    _pdgm = common.ColdModule(_load)


_PDGM = _dt.date(2020, 1, 1)

#: Revenue families of skilled home-health visits: PT, OT, SLP, nursing, medical social
#: services (aide visits, 057X, are not skilled).  Derived from the disciplines CR 9497
#: means by "skilled visit"; CC 54 covers periods without them.
_SKILLED_FAMILIES = frozenset({"042", "043", "044", "055", "056"})
_SITE_CODES = frozenset({"Q5001", "Q5002", "Q5009"})


# --- the family's claim facts, each worked out once per claim ---------------------------

#: The claim's visit lines (sorted out once for this family and the site-of-service rules).
_VISITS = HOME_VISITS

#: The date of the first in-person visit line: what
#: :func:`hcpcs_home.pdgm.first_billable_visit` gives, taken from the in-person lines
#: already sorted out (each is a visit line it counts; a test holds the two together).
_FIRST_VISIT: ClaimFact[_dt.date | None] = ClaimFact(lambda ctx: _VISITS.of(ctx).first)

#: The days with a telehealth line and no in-person visit.
_TELEHEALTH_ONLY: ClaimFact[frozenset[_dt.date]] = ClaimFact(
    lambda ctx: _VISITS.of(ctx).telehealth_only
)


# --- predicates --------------------------------------------------------------------------


def _reports(field: str, code: str) -> Pred:
    """The claim's ``field`` (a tuple of coded items) holds one of code ``code``."""
    wanted = str(code)
    items = operator.attrgetter(field)

    def test(ctx: Context) -> bool:
        for item in items(ctx.claim):  # noqa: SIM110 (see _common._LOOPS)
            if item.code == wanted:
                return True
        return False

    return test


def has_occurrence(code: str) -> Pred:
    """The claim reports occurrence code ``code`` (UB-04 FL31-34)."""
    return _reports("occurrence_codes", code)


def has_value_code(code: str) -> Pred:
    """The claim reports value code ``code`` (UB-04 FL39-41)."""
    return _reports("value_codes", code)


def has_condition(code: str) -> Pred:
    """The claim reports condition code ``code`` (UB-04 FL18-28)."""
    wanted = str(code)
    return lambda ctx: wanted in ctx.claim.condition_codes


def admission_date_reported() -> Pred:
    """The claim reports its admission (start-of-care) date (FL12)."""
    return lambda ctx: ctx.claim.admission_date is not None


def hipps_line_present() -> Pred:
    """The claim has a 0023 line with a code on it (Palmetto RC 32243)."""

    def test(ctx: Context) -> bool:
        for li in ctx.claim.lines:  # noqa: SIM110 (see _common._LOOPS)
            if li.revenue_code == HIPPS_REVENUE_CODE and li.code:
                return True
        return False

    return test


def hipps_line() -> Pred:
    """The line is the 0023 HIPPS line."""
    return inline(
        lambda ctx: ctx.line is not None and ctx.line.revenue_code == HIPPS_REVENUE_CODE,
        "ctx.line is not None and ctx.line.revenue_code == {hipps}",
        hipps=HIPPS_REVENUE_CODE,
    )


def hipps_valid() -> Pred:
    """The 0023 line holds a HIPPS code, not a HCPCS code or none; for periods from
    2020-01-01 one in the PDGM layout (:func:`hcpcs_home.pdgm.is_valid_hipps`)."""

    def test(ctx: Context) -> bool:
        line = ctx.line
        if line is None or line.qualifier != "HP":
            return False
        return ctx.claim.statement_from < _PDGM or _pdgm.is_valid_hipps(line.code)

    return test


def dated_first_visit() -> Pred:
    """The line is dated with the first billable (in-person) visit of the claim, or the
    claim has no visit line to date it by (Palmetto RC 32968; CGS RC 38107)."""

    return inline(
        lambda ctx: ctx.line is None or _FIRST_VISIT.of(ctx) in (None, ctx.line.date),
        "ctx.line is None or {first} is None or ctx.line.date == {first}",
        first=_FIRST_VISIT,
    )


def dated_on_telehealth() -> Pred:
    """The line is dated on a day with a telehealth line (G0320-G0322) but no in-person
    visit: a telehealth service was taken for the first billable visit."""

    return inline(
        lambda ctx: ctx.line is not None and ctx.line.date in _TELEHEALTH_ONLY.of(ctx),
        "ctx.line is not None and ctx.line.date in {days}",
        days=_TELEHEALTH_ONLY,
    )


def period_within_30_days() -> Pred:
    """The statement period is at most 30 days, From and Through counted (CGS U538F
    examples: 06/25-07/24 is one period)."""
    return lambda ctx: (ctx.claim.statement_through - ctx.claim.statement_from).days < PERIOD_DAYS


def from_starts_a_period() -> Pred:
    """From is the admission date or a multiple of 30 days after it (CGS RC 38107: the
    first period starts on the admission date, later ones on day 31, 61, ...)."""

    def test(ctx: Context) -> bool:
        soc, start = ctx.claim.admission_date, ctx.claim.statement_from
        return soc is None or (start >= soc and (start - soc).days % PERIOD_DAYS == 0)

    return test


def first_period() -> Pred:
    """The claim is the first period of its admission (From = admission date)."""
    return lambda ctx: ctx.claim.admission_date == ctx.claim.statement_from


def skilled_visit_billed() -> Pred:
    """The claim has an in-person skilled visit line: PT, OT, SLP, nursing or medical
    social services (042X-044X, 055X, 056X); aide visits and telehealth lines are not."""

    def test(ctx: Context) -> bool:
        for li in _VISITS.of(ctx).in_person:
            if li.revenue_code is not None and li.revenue_code[:3] in _SKILLED_FAMILIES:
                return True
        return False

    return test


#: The Medicare home-health and hospice discipline visit G-codes a 042X-057X visit line
#: carries (Pub. 100-04 ch. 10 §40.2, HH visits; ch. 11 §30.3, hospice visits; CR 9369,
#: CR 9736, CR 11721), the site-of-service Q-codes that share the first visit's revenue
#: code (NGS article 522358) and the telehealth and remote-monitoring G-codes reported under
#: the discipline's revenue code (Palmetto GBA "Telehealth Home Health Services: New
#: G-Codes", CR 12805).
_VISIT_LINE_CODES = frozenset(
    [f"G01{n}" for n in range(51, 65)]
    + ["G0299", "G0300", "G0493", "G0494", "G0495", "G0496", "G2168", "G2169"]
    + [f"Q50{n:02d}" for n in range(1, 11)]
    + list(TELEHEALTH_CODES)
)


def visit_line() -> Pred:
    """A visit revenue line: 042X-044X therapy, 055X nursing, 056X social services or 057X
    aide (Pub. 100-04 ch. 10 §40.2; ch. 11 §30.3)."""
    return inline(
        lambda ctx: (
            ctx.line is not None
            and ctx.line.revenue_code is not None
            and ctx.line.revenue_code[:3] in common.HH_VISIT_FAMILIES
        ),
        "ctx.line is not None and ctx.line.revenue_code is not None"
        " and ctx.line.revenue_code[:3] in {families}",
        families=frozenset(common.HH_VISIT_FAMILIES),
    )


def visit_line_code() -> Pred:
    """The visit line's HCPCS is a home-health/hospice discipline visit G-code (or the
    site-of-service Q-code), what Medicare's visit lines carry (Pub. 100-04 ch. 10 §40.2,
    ch. 11 §30.3); G0402, G9857 or a CPT office code is not."""
    return code_level(lambda ctx: ctx.line is not None and ctx.line.code in _VISIT_LINE_CODES)


#: Lines on a visit revenue code that are not visits: the site-of-service Q-code line
#: (NGS article 522358: one unit, a nominal charge) and the telehealth and remote-monitoring
#: lines, which report services (CR 12805).
_NOT_VISITS = frozenset([f"Q50{n:02d}" for n in range(1, 11)]) | TELEHEALTH_CODES


def line_charged() -> Pred:
    """The line reports a charge above $0 (UB-04 FL47; Palmetto GBA "Reason Code 32243":
    a visit line billed without charges is returned), or is not a visit: the site Q-code
    line, a telehealth or remote-monitoring line."""
    # A line that is not a visit needs no charge, whatever it bills.
    return inline(
        code_level(
            lambda ctx: (
                ctx.line is not None and (ctx.line.charge > 0 or ctx.line.code in _NOT_VISITS)
            ),
            lambda ctx: True if ctx.line is not None and ctx.line.code in _NOT_VISITS else None,
        ),
        "ctx.line is not None and (ctx.line.charge > 0 or ctx.line.code in {not_visits})",
        not_visits=_NOT_VISITS,
    )


def type_of_bill_reported() -> Pred:
    """The claim reports its type of bill (UB-04 FL4; 837I CLM05)."""
    return lambda ctx: ctx.claim.type_of_bill is not None


def claim_has_hh_visit_lines() -> Pred:
    """The claim has a home-health/hospice visit line: a discipline visit G-code or a
    042X-057X visit revenue code (Pub. 100-04 ch. 10 §40.2)."""

    def test(ctx: Context) -> bool:
        for li in ctx.claim.lines:
            if li.code in _VISIT_LINE_CODES or (
                li.revenue_code is not None and li.revenue_code[:3] in common.HH_VISIT_FAMILIES
            ):
                return True
        return False

    return test


def noa_dates_match() -> Pred:
    """A notice of admission's From and Through are both the admission date (NGS NOA
    job aid)."""

    def test(ctx: Context) -> bool:
        claim = ctx.claim
        return claim.statement_from == claim.statement_through == claim.admission_date

    return test


def noa_timely() -> Pred:
    """The notice of admission was accepted within 5 calendar days after the admission
    date, or the claim does not say when it was accepted."""

    def test(ctx: Context) -> bool:
        claim = ctx.claim
        if claim.admission_date is None or claim.notice_accepted is None:
            return True
        if claim.notice_accepted < claim.admission_date:
            return True  # not a lateness; the NOA date itself is wrong
        return _pdgm.noa_timing(claim.admission_date, claim.notice_accepted).timely

    return test


def lupa_period(thresholds: Mapping[str, int]) -> Pred:
    """The period bills fewer visits than the LUPA threshold of its HIPPS code in
    ``thresholds`` (CMS's yearly "PDGM Case-Mix Weights and LUPA Thresholds"); a claim
    without one 0023 HIPPS, or with a HIPPS not in the table, never fires (the HIPPS
    rules say what is wrong with it).  Visits are counted by
    :func:`hcpcs_home.pdgm.visit_count`."""
    table = {str(code).strip().upper(): int(visits) for code, visits in thresholds.items()}

    def test(ctx: Context) -> bool:
        found = {li.code for li in ctx.claim.lines if li.revenue_code == HIPPS_REVENUE_CODE}
        threshold = table.get(next(iter(found))) if len(found) == 1 else None
        if threshold is None:
            return False
        return _pdgm.visit_count(ctx.claim.lines) < threshold

    return test


def through_in_period() -> Pred:
    """A date-span line ends within the statement period (UB-04 FL6, FL45; derived)."""
    return inline(
        lambda ctx: (
            ctx.line is None
            or ctx.line.through is None
            or ctx.line.through <= ctx.claim.statement_through
        ),
        "ctx.line is None or ctx.line.through is None"
        " or ctx.line.through <= ctx.claim.statement_through",
    )


def _monitored_days(ctx: Context) -> list[_dt.date]:
    return sorted({s.date for s in ctx.services})


def monitoring_units_match_days() -> Pred:
    """A G0322 line bills one unit per day monitored, as its services document
    (Palmetto "Telehealth Home Health Services: New G-Codes"); a line without
    services is not judged here."""

    def test(ctx: Context) -> bool:
        days = _monitored_days(ctx)
        return ctx.line is None or not days or ctx.line.units == len(days)

    return test


def monitoring_dated_first_day() -> Pred:
    """A G0322 line is dated the first day of monitoring (Palmetto, as above)."""

    def test(ctx: Context) -> bool:
        days = _monitored_days(ctx)
        return ctx.line is None or not days or ctx.line.date == days[0]

    return test


# --- fixers ------------------------------------------------------------------------------


def _fix_first_visit(ctx: Context) -> FixResult:
    first = _FIRST_VISIT.of(ctx)
    if first is None:
        return None, {}, {"first": "none"}
    return (
        f"date the line {first.isoformat()}, the first in-person visit",
        {"date": first.isoformat()},
        {"first": first.isoformat()},
    )


def _fix_period(ctx: Context) -> FixResult:
    last = ctx.claim.statement_from + _dt.timedelta(days=PERIOD_DAYS - 1)
    days = (ctx.claim.statement_through - ctx.claim.statement_from).days + 1
    return (
        f"end the period on {last.isoformat()} and bill the rest as the next period",
        {},
        {"days": days, "last": last.isoformat()},
    )


def _fix_period_start(ctx: Context) -> FixResult:
    soc, start = ctx.claim.admission_date, ctx.claim.statement_from
    if soc is None or start < soc:
        return "correct the admission date or From", {}, {"expected": "the admission date"}
    offset = (start - soc).days // PERIOD_DAYS * PERIOD_DAYS
    expected = soc + _dt.timedelta(days=offset)
    return f"start the claim on {expected.isoformat()}", {}, {"expected": expected.isoformat()}


def _fix_noa(ctx: Context) -> FixResult:
    claim = ctx.claim
    assert claim.admission_date is not None and claim.notice_accepted is not None
    timing = _pdgm.noa_timing(claim.admission_date, claim.notice_accepted)
    facts: dict[str, Any] = {
        "accepted": claim.notice_accepted.isoformat(),
        "days": timing.penalty_days,
        "reduction": f"{timing.reduction.numerator}/{timing.reduction.denominator}",
        "later": (
            "; acceptance came after period 1, so later periods are reduced too (ask the MAC)"
            if timing.reaches_later_periods
            else ""
        ),
    }
    return "request an exception if one of CMS's four circumstances applies", {}, facts


def _fix_monitoring(ctx: Context) -> FixResult:
    days = _monitored_days(ctx)
    if not days:
        return None, {}, {"days": 0, "first": ""}
    return (
        f"bill {len(days)} unit(s) dated {days[0].isoformat()}",
        {"units": str(len(days)), "date": days[0].isoformat()},
        {"days": len(days), "first": days[0].isoformat()},
    )


def _fix_lupa(ctx: Context) -> FixResult:
    hipps = next((li.code for li in ctx.claim.lines if li.revenue_code == HIPPS_REVENUE_CODE), "")
    visits = _pdgm.visit_count(ctx.claim.lines)
    # The rule made by lupa_rule names the threshold (its fixer holds the table); a rule
    # read back from JSON has this fixer alone, without the table.
    facts = {"hipps": hipps, "visits": visits, "threshold": "its loaded threshold"}
    return "expect a per-visit (LUPA) payment", {}, facts


def _lupa_fixer(table: Mapping[str, int]) -> Any:
    """``_fix_lupa`` naming the threshold of the claim's HIPPS in ``table``."""

    def fix_lupa(ctx: Context) -> FixResult:
        suggestion, fix, facts = _fix_lupa(ctx)
        threshold = table.get(str(facts["hipps"]).strip().upper())
        if threshold is not None:
            facts = {**facts, "threshold": f"{threshold} visit(s)"}
        return suggestion, fix, facts

    return fix_lupa


def _fix_hipps(ctx: Context) -> FixResult:
    return "bill the HIPPS code of the period's case-mix group on the 0023 line", {}, {}


VOCABULARY = Vocabulary(
    predicates={
        "admission_date_reported": admission_date_reported,
        "claim_has_hh_visit_lines": claim_has_hh_visit_lines,
        "line_charged": line_charged,
        "type_of_bill_reported": type_of_bill_reported,
        "visit_line": visit_line,
        "visit_line_code": visit_line_code,
        "dated_first_visit": dated_first_visit,
        "dated_on_telehealth": dated_on_telehealth,
        "first_period": first_period,
        "from_starts_a_period": from_starts_a_period,
        "has_condition": has_condition,
        "has_occurrence": has_occurrence,
        "has_value_code": has_value_code,
        "hipps_line": hipps_line,
        "hipps_line_present": hipps_line_present,
        "hipps_valid": hipps_valid,
        "lupa_period": lupa_period,
        "monitoring_dated_first_day": monitoring_dated_first_day,
        "monitoring_units_match_days": monitoring_units_match_days,
        "noa_dates_match": noa_dates_match,
        "noa_timely": noa_timely,
        "period_within_30_days": period_within_30_days,
        "skilled_visit_billed": skilled_visit_billed,
        "through_in_period": through_in_period,
    },
    fixers={
        "hh-first-visit": _fix_first_visit,
        "hh-hipps": _fix_hipps,
        "hh-lupa": _fix_lupa,
        "hh-monitoring": _fix_monitoring,
        "hh-noa": _fix_noa,
        "hh-period": _fix_period,
        "hh-period-start": _fix_period_start,
    },
    # None of these is header-level in the engine's sense: they read the claim's
    # admission date, codes and dates, not only the payer and the type of bill, so a
    # plan settled for one claim must not settle them for the next.
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix

_MEDICARE = frozenset({"medicare"})
final_claim = p("bill_type", types=["0327", "0329"])
noa = p("bill_type", types=["032A"])
hh_not_noa = hh_claim & ~p("bill_type", types=["032A", "032D"])

RULES: tuple[Rule, ...] = (
    Rule(
        "hh-bill-type-033x",
        Severity.ERROR,
        "type of bill 033X ended for home health on 2013-10-01; bill 032X",
        "CMS CR 8244 (Transmittal 2694): NUBC discontinued TOB 033X for home health from "
        "2013-10-01; CMS BFD code system CLM-BILL-CLSFCTN-CD",
        p("bill_class", classes=["33"]),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2013, 10, 1),
        payers=_MEDICARE,
        field="type_of_bill",
        description=(
            "A home-health claim on type of bill 033X after 2013-09-30: services under a plan "
            "of care are billed on 032X, others on 034X."
        ),
        advice="Rebill on 032X (under a plan of care) or 034X (Part B, no plan of care).",
    ),
    Rule(
        "bill-type-missing",
        Severity.ERROR,
        "the claim bills home-health or hospice visits to Medicare but reports no type of bill",
        "NUBC UB-04 FL4 / 837I CLM05 (type of bill, required on an institutional claim); "
        "CMS Pub. 100-04 ch. 10 §40.2 and ch. 11 §30.3 (HH visits on 032X, hospice on 081X/082X)"
        "; Pub. 100-04 ch. 1 §80.3.2.1.1 (a claim missing a required item is returned as "
        "unprocessable)",
        p("claim_has_hh_visit_lines") & ~p("type_of_bill_reported"),
        field="type_of_bill",
        scope=Scope.CLAIM,
        payers=_MEDICARE,
        description=(
            "A Medicare claim with home-health or hospice visit lines (a discipline visit G-code "
            "or a 042X-057X revenue code) and no type of bill: every 032X and 081X rule keys on "
            "the bill type, so such a claim would otherwise check clean."
        ),
        advice="Report the type of bill (0329 final home-health claim, 0811-0814 hospice ...).",
    ),
    Rule(
        "visit-line-not-visit-code",
        Severity.ERROR,
        "{code} is not a home-health or hospice visit code; visit line {revenue_code} on a "
        "{type_of_bill} bill carries the discipline G-code",
        "CMS Pub. 100-04 ch. 10 §40.2 (HH visit lines report the discipline G-codes: G0151-G0164,"
        " G0299, G0300, G0493-G0496, G2168, G2169) and ch. 11 §30.3 (hospice visits: the same "
        "G-codes); Illinois HFS hospice notice 2016-01-29 (055X without G0299 is refused)",
        (p("bill_class", classes=["32"]) | p("bill_class", classes=["81", "82"]))
        & known
        & _CODE_VOCABULARY.predicate("payer_accepts_code")
        & p("visit_line")
        & ~p("visit_line_code")
        & ~(p("bill_class", classes=["32"]) & p("code_prefix", prefix="9")),
        field="code",
        payers=_MEDICARE,
        description=(
            "A 042X-057X visit line on a Medicare 032X or 081X/082X claim whose HCPCS is not a "
            "discipline visit G-code (G0402, G9857, G9858 on 0551); CPT therapy codes on 032X are "
            "reported by ``bill-type-mismatch``."
        ),
        advice="The discipline G-code of the visit (G0299 RN, G0151 PT ...).",
    ),
    Rule(
        "visit-line-zero-charge",
        Severity.ERROR,
        "visit line {code} ({revenue_code}) on {date} is billed without a charge",
        'Palmetto GBA "Reason Code 32243" (2019-12-16: a visit revenue line billed without '
        "charges is returned), https://www.palmettogba.com/palmetto/jmhhh.nsf/DID/BMQGV85623",
        hh_not_noa & p("visit_line") & ~p("line_charged"),
        field="charge",
        payers=_MEDICARE,
        # Charges are the claim's, entered when it is billed: a visit checked on its own
        # (check_visit) has none yet.
        needs=[Need.HEADER],
        description=(
            "A 042X-057X visit line on a Medicare 032X claim (not a notice of admission) with a "
            "$0 charge; Medicare returns the claim with reason code 32243."
        ),
        advice="Enter the visit's charge on the line.",
    ),
    Rule(
        "hh-oasis-date-missing",
        Severity.ERROR,
        "the claim needs occurrence code 50 with the OASIS assessment date",
        'NGS "Correcting Reason Code 37253"; CMS MLN call 2019-08-21 (as quoted by Casamba): '
        "required on claims with From on or after 2020-01-01",
        final_claim & ~p("has_occurrence", code="50"),
        scope=Scope.CLAIM,
        effective_from=_PDGM,
        payers=_MEDICARE,
        field="occurrence_codes",
        description=(
            "A 0329/0327 claim (From on or after 2020-01-01) without occurrence code 50, the "
            "completion date (M0090) of the OASIS assessment most recently before From. Without "
            "it the claim returns with reason code 37253."
        ),
        advice="Add occurrence code 50 with the OASIS M0090 date.",
    ),
    Rule(
        "hh-cbsa-value-code-missing",
        Severity.ERROR,
        "the claim needs value code 61, the CBSA where the patient gets care",
        'CGS news 2019-01 (value codes 61 and 85); Palmetto GBA "HHAs: Ensure You Use the '
        'Proper CBSA Code" (2021-02-05)',
        final_claim & ~p("has_value_code", code="61"),
        scope=Scope.CLAIM,
        payers=_MEDICARE,
        field="value_codes",
        description=(
            "A 0329/0327 claim without value code 61, the CBSA code of the county where the "
            "beneficiary lives and gets care (amount: the CBSA, or the 50xxx code where a county "
            "has several)."
        ),
        advice="Add value code 61 with the CBSA code as its amount.",
    ),
    Rule(
        "hh-fips-value-code-missing",
        Severity.ERROR,
        "the claim needs value code 85, the FIPS state and county code",
        "CMS CR 10782 (required from 2019-01-01); CR 13543 (returned from 2024-10-01, reason "
        'code 37257); CGS news 2019-01; Palmetto GBA "Reporting FIPS State and County Codes" '
        "(2024-05-09)",
        hh_not_noa & ~p("has_value_code", code="85"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2019, 1, 1),
        payers=_MEDICARE,
        field="value_codes",
        description=(
            "A 032X claim (any 032X but a 032A notice of admission or its 032D cancel, the bill "
            "types CR 13543's edit covers) without value code 85, the five-digit FIPS state and "
            "county code where the service was given (19153 keyed as 19153.00). Required since "
            "2019-01-01 (CR 10782) but returned, with reason code 37257, only from 2024-10-01 "
            "(CR 13543): a warning on earlier dates of service, an error from then."
        ),
        advice="Add value code 85 with the FIPS county code as its amount.",
    ),
    Rule(
        "hh-hipps-line-missing",
        Severity.ERROR,
        "the claim has no 0023 line with its HIPPS code",
        'Palmetto GBA "Reason Code 32243"; CMS "Definition and Uses of HIPPS Codes" (2022-04-04)',
        final_claim & ~p("hipps_line_present"),
        scope=Scope.CLAIM,
        effective_from=_PDGM,
        payers=_MEDICARE,
        fix=fix("hh-hipps"),
        field="lines",
        description="A 0329/0327 claim without the 0023 revenue line that carries the HIPPS code.",
        advice="Add a 0023 line with the period's HIPPS code, dated the first visit.",
    ),
    Rule(
        "hh-hipps-invalid",
        Severity.ERROR,
        "{code} on the 0023 line is not a HIPPS code of the period",
        'CMS "Definition and Uses of HIPPS Codes" (2022-04-04); AAPC "Decode HIPPS Digits '
        'Under PDGM" (quoting CMS); CMS "CY <year> PDGM Case-Mix Weights and LUPA Thresholds"',
        p("bill_class", classes=["32", "33"]) & p("hipps_line") & ~p("hipps_valid"),
        payers=_MEDICARE,
        fix=fix("hh-hipps"),
        field="code",
        description=(
            "The 0023 line holds a HCPCS code or none instead of the HIPPS code; for periods "
            "from 2020-01-01, a code outside the PDGM layout: five characters, admission "
            "source and timing 1-4, clinical group A-L, functional level A-C, comorbidity "
            "1-3, then 1."
        ),
        advice="The HIPPS code of the period's PDGM group.",
    ),
    Rule(
        "hh-hipps-line-date",
        Severity.ERROR,
        "the 0023 line is dated {date}; it takes the first visit's date, {first}",
        'Palmetto GBA "Reason Code 32968"; CGS "Reason Code 38107" (the 0023 date is the '
        "first billable visit)",
        hh_not_noa & p("hipps_line") & ~p("dated_first_visit") & ~p("dated_on_telehealth"),
        effective_from=_PDGM,
        payers=_MEDICARE,
        fix=fix("hh-first-visit"),
        field="date",
        needs=[Need.HEADER],
        description="The 0023 line's date is not the date of the first in-person visit line.",
        advice="Date the 0023 line with the first billable visit.",
    ),
    Rule(
        "hh-admission-date-missing",
        Severity.ERROR,
        "the claim needs its admission (start-of-care) date",
        'CGS "Reason Code 38107" (admission date on every claim of the admission); NGS NOA job aid',
        hh_claim & ~p("admission_date_reported"),
        scope=Scope.CLAIM,
        effective_from=_PDGM,
        payers=_MEDICARE,
        field="admission_date",
        description="A 032X claim without the admission date (FL12), the first billable visit.",
        advice="Report the admission date, the same on every claim of the admission.",
    ),
    Rule(
        "hh-period-too-long",
        Severity.ERROR,
        "the statement period runs {days} days; a PDGM period is at most 30 (through {last})",
        "CMS CR 11081 (30-day periods from 2020-01-01); CGS reason code search U538F "
        "(periods such as 06/25-07/24)",
        hh_not_noa & ~p("period_within_30_days"),
        scope=Scope.CLAIM,
        effective_from=_PDGM,
        payers=_MEDICARE,
        fix=fix("hh-period"),
        field="statement_through",
        description="A 032X claim whose From-Through period is longer than 30 days.",
        advice="End the claim on day 30 and bill the rest as the next period.",
    ),
    Rule(
        "hh-period-start",
        Severity.ERROR,
        "From is not the first day of a 30-day period of the admission ({expected})",
        'CGS "Reason Code 38107" (From is the admission date, then day 31, 61, ...)',
        hh_not_noa & ~p("from_starts_a_period"),
        scope=Scope.CLAIM,
        effective_from=_PDGM,
        payers=_MEDICARE,
        fix=fix("hh-period-start"),
        field="statement_from",
        description=(
            "A 032X claim whose From is neither the admission date nor a multiple of 30 days "
            "after it."
        ),
        advice="Start the claim on the first day of its 30-day period.",
    ),
    Rule(
        "hh-noa-dates",
        Severity.ERROR,
        "a notice of admission's From and Through are the admission date",
        'NGS "Billing the HH NOA Electronically" (NOA job aid)',
        noa & ~p("noa_dates_match"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2022, 1, 1),
        payers=_MEDICARE,
        field="statement_from",
        description="A 032A notice whose From, Through and admission date are not one day.",
        advice="Set From, Through and the admission date to the start of care.",
    ),
    Rule(
        "hh-noa-late",
        Severity.WARNING,
        "the notice of admission was accepted {accepted}, {days} days after admission: "
        "the period payment is cut by {reduction}{later}",
        'NGS "Late NOA - The Exception Process"; CGS "Late NOA - The Exception Process" '
        "(2022-07-26); CY 2021 Home Health PPS final rule (as quoted by AAPC)",
        hh_claim & ~p("noa_timely"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2022, 1, 1),
        payers=_MEDICARE,
        fix=fix("hh-noa"),
        field="notice_accepted",
        description=(
            "The claim's notice_accepted date is more than 5 calendar days after the admission "
            "date: the period's payment is reduced by 1/30 for each day from the admission date "
            "to acceptance (a warning: the claim is paid, reduced)."
        ),
        advice="Request an exception from the MAC if one of the four circumstances applies.",
    ),
    Rule(
        "hh-no-skilled-visit-first-period",
        Severity.ERROR,
        "the first period of an admission bills no skilled visit; condition code 54 "
        "is for later periods only",
        "CMS CR 9497 (condition code 54, from 2016-07-01); NGS citing Pub. 100-02 ch. 7 §40.1.3",
        final_claim & p("first_period") & ~p("skilled_visit_billed"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2016, 7, 1),
        payers=_MEDICARE,
        field="lines",
        description=(
            "A first-period claim (From = admission date) without an in-person skilled visit "
            "(PT, OT, SLP, nursing, medical social services). Condition code 54 cannot excuse it."
        ),
        advice="Add the missed skilled visit, or bill the period non-covered.",
    ),
    Rule(
        "hh-no-skilled-visit",
        Severity.ERROR,
        "a later period bills no skilled visit and has no condition code 54",
        "CMS CR 9497 (condition code 54, from 2016-07-01); NGS citing Pub. 100-02 ch. 7 §40.1.3",
        final_claim
        & ~p("first_period")
        & ~p("skilled_visit_billed")
        & ~p("has_condition", code="54"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2016, 7, 1),
        payers=_MEDICARE,
        field="lines",
        description=(
            "A later-period claim without an in-person skilled visit and without condition code "
            "54 (no skilled visit, policy exception documented at the agency)."
        ),
        advice="Add the missed visit, or condition code 54 where the exception is documented.",
    ),
    Rule(
        "line-through-outside-period",
        Severity.WARNING,
        "the date-span line runs past the statement period's Through date",
        "NUBC UB-04 FL 6 (statement covers period) and FL 45; X12 DTP*472 RD8 (derived)",
        ~p("through_in_period"),
        field="date",
        needs=[Need.HEADER],
        description="A from-through line whose last day is after the claim's Through date.",
        advice="None (split the line or correct the dates).",
    ),
    Rule(
        "hh-remote-monitoring-units",
        Severity.WARNING,
        "G0322 bills {units} units but its services document {days} monitored day(s)",
        'Palmetto GBA "Telehealth Home Health Services: New G-Codes"; CMS CR 12805',
        hh_claim & p("code_in", codes=["G0322"]) & ~p("monitoring_units_match_days"),
        effective_from=_dt.date(2023, 1, 1),
        payers=_MEDICARE,
        fix=fix("hh-monitoring"),
        field="units",
        needs=[Need.CHART],
        description="A G0322 line whose units differ from the days of monitoring documented.",
        advice="One G0322 line per period, units = days monitored.",
    ),
    Rule(
        "hh-remote-monitoring-date",
        Severity.WARNING,
        "G0322 is dated {date}; it takes the first day of monitoring, {first}",
        'Palmetto GBA "Telehealth Home Health Services: New G-Codes"; CMS CR 12805',
        hh_claim & p("code_in", codes=["G0322"]) & ~p("monitoring_dated_first_day"),
        effective_from=_dt.date(2023, 1, 1),
        payers=_MEDICARE,
        fix=fix("hh-monitoring"),
        field="date",
        needs=[Need.CHART],
        description="A G0322 line not dated with the first day of monitoring.",
        advice="Date the line with the first day of monitoring.",
    ),
    Rule(
        "hh-telehealth-as-first-visit",
        Severity.WARNING,
        "{code} is dated {date}, a telehealth day; the first in-person visit is {first}",
        'Palmetto GBA "Telehealth Home Health Services: New G-Codes" (telehealth lines are not '
        "visits); SSA §1895(e)(1); 42 CFR 409.43(a); NGS article 522358 (site line dated with "
        "the first billable visit)",
        hh_claim
        & (p("hipps_line") | p("code_in", codes=sorted(_SITE_CODES)))
        & p("dated_on_telehealth"),
        effective_from=_dt.date(2023, 1, 1),
        payers=_MEDICARE,
        fix=fix("hh-first-visit"),
        field="date",
        description=(
            "The 0023 line or the Q5001/Q5002/Q5009 site line is dated on a day with only a "
            "telehealth service (G0320-G0322): telehealth is not a billable visit, so it cannot "
            "be the first visit those lines are dated by."
        ),
        advice="Date the line with the first in-person visit.",
    ),
)
"""The rules of this family, in the order their findings are reported."""


def lupa_rule(table: Any) -> Rule:
    """The ``hh-lupa`` rule for a loaded case-mix/LUPA-threshold table.

    ``table`` is a :class:`~hcpcs_home.payment.CaseMix` (what
    :func:`~hcpcs_home.payment.load_case_mix` reads from CMS's yearly file), a
    :class:`~hcpcs_home.pdgm.LupaThresholds` or a mapping of HIPPS code to
    threshold.  The rule warns on a final period claim (0327/0329) with fewer
    visits than its HIPPS's threshold: Medicare pays it per visit, not the period
    payment (42 CFR 484.230; Palmetto GBA "LUPA").  A table of one year applies to
    periods starting in that year.  Add it to the rules you check with:

    >>> from hcpcs_home.rules import DEFAULT_RULES
    >>> rules = DEFAULT_RULES.add(lupa_rule({"1FC11": 4}))
    >>> rules["hh-lupa"].severity.value
    'warning'
    """
    thresholds = getattr(table, "thresholds", None)
    if thresholds is None:
        thresholds = getattr(table, "by_hipps", table)
    if not isinstance(thresholds, Mapping) or not thresholds:
        raise InvalidFieldError("table", table, "must hold LUPA thresholds by HIPPS code")
    year = getattr(table, "year", None)
    source = getattr(table, "source", "") or "the LUPA thresholds given"
    return Rule(
        "hh-lupa",
        Severity.WARNING,
        "{visits} visit(s), under the LUPA threshold of {hipps} ({threshold}): the period is "
        "paid per visit",
        f'CMS "CY <year> PDGM Case-Mix Weights and LUPA Thresholds" ({source}); '
        '42 CFR 484.230; Palmetto GBA "LUPA" (2021-06-12)',
        final_claim & p("lupa_period", thresholds=dict(thresholds)),
        fix=Fix(
            "hh-lupa",
            _lupa_fixer({str(k).strip().upper(): int(v) for k, v in thresholds.items()}),
        ),
        scope=Scope.CLAIM,
        effective_from=_dt.date(year, 1, 1) if year else _PDGM,
        effective_through=_dt.date(year, 12, 31) if year else None,
        payers=_MEDICARE,
        description=(
            "A period claim with fewer visits than the LUPA threshold of its HIPPS code in "
            "the loaded table: Medicare pays it per visit by discipline instead of the "
            "case-mix adjusted period payment."
        ),
        advice="Check that every visit of the period is billed; if so, expect a LUPA payment.",
    )
