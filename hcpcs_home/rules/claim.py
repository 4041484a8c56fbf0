"""Rules across a claim's lines: dates, revenue codes, duplicates, overlaps,
authorizations, the site-of-service line and the header total.

Sources: the UB-04 field definitions (FL 6, FL 42, FL 45, FL 47), NGS article 522358
and CR 8136 (site-of-service Q-codes), payers' prior-authorization terms.
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Iterable
from typing import TYPE_CHECKING, Any

from .._benefits import LEVEL_OF_CARE_CODES as _LEVEL_CODES
from .._engine import ClaimFact, Context, Need, Rule, Scope, Severity, Vocabulary, inline
from ..codes import Code
from ..limits import _UsageFold, authorization_usage
from . import _common as common
from ._common import (
    HH_VISIT_FAMILIES,
    SITE_OF_SERVICE_HH,
    FixResult,
    Pred,
    hh_claim,
    known,
)
from ._cross import across, count_stored_usage
from ._sheet import HOME_VISITS, SHEET

if TYPE_CHECKING:
    from ..limits import LimitProblem

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def line_in_period() -> Pred:
    """The line's date is within the statement period (FL6); every line item date must
    fall inside the claim's From-Through dates (UB-04 FL 6 and FL 45; derived)."""
    return inline(
        lambda ctx: (
            ctx.line is not None
            and ctx.claim.statement_from <= ctx.line.date <= ctx.claim.statement_through
        ),
        "ctx.line is not None"
        " and ctx.claim.statement_from <= ctx.line.date <= ctx.claim.statement_through",
    )


def has_revenue_code() -> Pred:
    """The line has a revenue code (institutional UB-04 / 837I line)."""
    return inline(
        lambda ctx: ctx.line is not None and ctx.line.revenue_code is not None,
        "ctx.line is not None and ctx.line.revenue_code is not None",
    )


def revenue_code_fits() -> Pred:
    """The revenue code is one the code is billed under: 042X PT, 043X OT, 044X SLP,
    055X nursing, 056X social services, 057X aide (NGS "Home Health Therapy Billing";
    NGS SIA article 1240716); 0552 for S9123/S9124 (Pabau S9124 guide, third-party); a
    site-of-service Q-code on a hospice level-of-care line, 0651/0652/0655/0656 (CR 5245,
    Transmittal 1011; Pub. 100-04 ch. 11 §30.1)."""

    def test(ctx: Context) -> bool:
        line, code = ctx.line, ctx.code
        if line is None or code is None or line.revenue_code is None:
            return True
        if line.code.startswith("Q50"):
            if line.revenue_code in LEVEL_OF_CARE_CODES:
                return True
            if code.code in SITE_OF_SERVICE_HH:
                return line.revenue_code[:3] in HH_VISIT_FAMILIES
        return _accepts_revenue_code(code, line.revenue_code)

    # In the compiled checker the usual line (not a Q-code, its revenue code one its
    # code is billed under) holds without a call of ``test``; any other asks ``test``.
    return inline(
        test,
        "ctx.line is None or ctx.code is None or ctx.line.revenue_code is None"
        " or (not ctx.line.code.startswith('Q50')"
        " and {accepts}(ctx.code, ctx.line.revenue_code)) or {test}(ctx)",
        accepts=_accepts_revenue_code,
        test=test,
    )


_REVENUE_FITS: dict[tuple[int, str], tuple[Code, bool]] = {}


def _accepts_revenue_code(code: Code, revenue_code: str) -> bool:
    """:meth:`Code.accepts_revenue_code`, memoised (codes are immutable)."""
    key = (id(code), revenue_code)
    found = _REVENUE_FITS.get(key)
    if found is not None and found[0] is code:
        return found[1]
    fits = code.accepts_revenue_code(revenue_code)
    if len(_REVENUE_FITS) >= 4096:  # odd revenue codes from many files: stay bounded
        _REVENUE_FITS.clear()
    _REVENUE_FITS[key] = (code, fits)
    return fits


#: Revenue codes of the hospice levels of care, whose lines carry a site Q-code (CR 5245).
LEVEL_OF_CARE_CODES = _LEVEL_CODES


def revenue_code_in(codes: Iterable[str]) -> Pred:
    """The line's revenue code is one of ``codes`` (four digits, ``"0651"``)."""
    wanted = frozenset(common.texts(codes, "codes"))
    return inline(
        lambda ctx: ctx.line is not None and ctx.line.revenue_code in wanted,
        "ctx.line is not None and ctx.line.revenue_code in {wanted}",
        wanted=wanted,
    )


def site_of_service_code() -> Pred:
    """A Q5001-Q5010 site-of-service code (CMS HCPCS; CR 8136)."""
    return lambda ctx: ctx.line is not None and ctx.line.code.startswith("Q50")


def _auth_usage(ctx: Context) -> dict[int, list[LimitProblem]]:
    """Per line index, the authorization limits the line passes, counted across the
    check's batch and history (:func:`._cross.across`) by
    :func:`hcpcs_home.limits.authorization_usage` (each line converted
    through its code's unit into the authorization's units, visits, days or hours)."""
    fold = _UsageFold(ctx.lookup)
    # The claim alone (what across would count), or after a store's usage rows (earlier
    # claims not read whole): the claim's own lines are counted into the fold.
    if (ctx.history is None and ctx.batch is None) or count_stored_usage(ctx, fold):
        return fold.feed(ctx.claim, ctx.services_by_id())
    usage, n, _ = across(
        ctx, "authorization", lambda c: _by_claim(authorization_usage(c, ctx.lookup))
    )
    found: dict[int, list[LimitProblem]] = usage.get(n, {})
    return found


def _by_claim(
    usage: dict[tuple[int, int], list[LimitProblem]],
) -> dict[int, dict[int, list[LimitProblem]]]:
    """Problems by claim position, then line index: a claim reads its own in one lookup."""
    out: dict[int, dict[int, list[LimitProblem]]] = {}
    for (m, i), problems in usage.items():
        out.setdefault(m, {})[i] = problems
    return out


_NO_LINES: frozenset[int] = frozenset()


def _auth_lines(ctx: Context) -> frozenset[int]:
    """The indexes of the lines that (or whose services) name an authorization the claim
    carries."""
    claim = ctx.claim
    if not claim.authorizations:  # the usual claim: no line can name one
        return _NO_LINES
    carried = {a.number for a in claim.authorizations}
    by_id = ctx.services_by_id()
    lines: set[int] = set()
    for i, line in enumerate(claim.lines if carried else ()):
        if line.prior_auth in carried:
            lines.add(i)
            continue
        for sid in line.service_ids:
            service = by_id.get(sid)
            if service is not None and service.prior_auth in carried:
                lines.add(i)
                break
    return frozenset(lines)


# --- the family's claim facts, each worked out once per claim ---------------------------

#: The lines naming an authorization the claim carries.
_AUTH_LINES: ClaimFact[frozenset[int]] = ClaimFact(_auth_lines)
#: Per line index, the authorization limits the line passes.
_AUTH_USAGE: ClaimFact[dict[int, list[LimitProblem]]] = ClaimFact(_auth_usage)


def authorization_referenced() -> Pred:
    """The line or its services name an authorization the claim carries."""
    return inline(
        lambda ctx: ctx.index in _AUTH_LINES.of(ctx), "ctx.index in {lines}", lines=_AUTH_LINES
    )


def authorization_within_limits() -> Pred:
    """The authorization covers the code and date, and the claim's lines so far use no
    more than its remaining units, visits or days (agencies' pre-billing checks;
    TMHP CSHCN manual §21.2.1.1)."""
    return inline(
        lambda ctx: ctx.index is None or not _AUTH_USAGE.of(ctx).get(ctx.index),
        "ctx.index is None or not {usage}.get(ctx.index)",
        usage=_AUTH_USAGE,
    )


def duplicate_of_earlier_line() -> Pred:
    """An earlier line bills the same code, modifiers and date for the same services
    (or both for none).  Two home-health visits on one day are two lines with two
    services, not duplicates (ResDAC "Claim HHA Total Visit Count")."""
    return inline(
        lambda ctx: ctx.index in _DUPLICATES.of(ctx),
        "ctx.index in {duplicates}",
        duplicates=_DUPLICATES,
    )


def _duplicates(ctx: Context) -> dict[int, int]:
    """For each line that repeats an earlier one, the index of the first line it repeats.

    A line repeats an earlier line of the same code, modifiers and date that bills one
    of its services (or, both without services, any such line).  One pass with an
    index by (code, modifiers, date, service id): linear in the lines, however many
    share a day (8,000 same-day lines were quadratic before).
    """
    if not SHEET.of(ctx).repeats:
        return _NO_DUPLICATES  # the usual claim: no two lines of one code on one day
    lines = ctx.claim.lines
    first: dict[tuple[Any, ...], int] = {}
    out: dict[int, int] = {}
    for i, line in enumerate(lines):
        ids = line.service_ids
        if len(ids) <= 1:  # the usual line: one visit or shift, or none
            key = (line.code, line.modifiers, line.date, ids[0] if ids else None)
            j = first.setdefault(key, i)
            if j != i:
                out[i] = j
            continue
        keys = [(line.code, line.modifiers, line.date, sid) for sid in ids]
        earlier = [first[k] for k in keys if k in first]
        if earlier:
            out[i] = min(earlier)
        for k in keys:
            first.setdefault(k, i)
    return out


#: What a claim without a repeated line has (read, never changed).
_NO_DUPLICATES: dict[int, int] = {}

#: For each line repeating an earlier one, the first line it repeats.
_DUPLICATES: ClaimFact[dict[int, int]] = ClaimFact(_duplicates)


def _any_in(services: Iterable[Any], ids: dict[str, str]) -> bool:
    for s in services:  # noqa: SIM110 (see _common._LOOPS)
        if s.id in ids:
            return True
    return False


def overlaps_other_visit() -> Pred:
    """One of the line's services overlaps in time another service on the claim by the
    same rendering person (the same staff id; a service naming no staff id is matched by
    its rendering NPI): one person cannot be in two visits at once (shift notes with
    start and stop times are what payers audit: BCBSTX coordinated home care policy;
    derived)."""
    return inline(
        lambda ctx: _any_in(ctx.services, _OVERLAPS.of(ctx)),
        "bool({overlaps}) and {any_in}(ctx.services, {overlaps})",
        overlaps=_OVERLAPS,
        any_in=_any_in,
    )


_MINUTE_US = 60_000_000


def _interval_us(service: Any) -> tuple[int, int] | None:
    """``service.interval()`` as microseconds since 0001-01-01 (ordered and compared the
    same way), without building datetimes.  Year 9999 goes through ``interval()`` so that
    a stop past the last datetime raises as it does there."""
    start, minutes = service.start, service.minutes
    if start is None or minutes is None:
        return None
    if service.date.year == 9999:
        interval = service.interval()
        base = _dt.datetime.min
        return (interval[0] - base) // _dt.timedelta(microseconds=1), (
            interval[1] - base
        ) // _dt.timedelta(microseconds=1)
    begin = (
        ((service.date.toordinal() - 1) * 1440 + start.hour * 60 + start.minute) * _MINUTE_US
        + start.second * 1_000_000
        + start.microsecond
    )
    return begin, begin + minutes * _MINUTE_US


def _overlapping_services(ctx: Context) -> dict[str, str]:
    """For each service overlapping another of the same person, one it overlaps."""
    people = SHEET.of(ctx).people
    if people is None:  # the usual claim: no person has two services that could overlap
        return _NO_OVERLAPS
    out: dict[str, str] = {}
    for services in people.values():
        if len(services) < 2 or _apart(services):
            continue
        spans = []
        for s in services:
            begin, end = _interval_us(s)  # type: ignore[misc]
            spans.append((begin, end, s.id))
        spans.sort()
        # Compare each span with the latest-ending one before it, not only with its
        # neighbour: a long shift can contain several short visits (09-12 holds 10-10:30
        # even when 09:30-09:45 sorts between them).
        end, end_id = spans[0][1], spans[0][2]
        for b0, b1, bid in spans[1:]:
            if b0 < end:
                out[bid] = end_id
                out.setdefault(end_id, bid)
            if b1 > end:
                end, end_id = b1, bid
    return out


def _apart(services: list[Any]) -> bool:
    """Each service on a date of its own and none past midnight (the usual person's
    month of visits): no two can overlap, so no interval need be worked out."""
    dates = set()
    for s in services:
        start = s.start
        if (
            s.date in dates
            or start.hour * 60 + start.minute + s.minutes > 1440
            or start.second
            or start.microsecond  # a part-minute start: worked out exactly
        ):
            return False
        dates.add(s.date)
    return True


#: What a claim without two services of one person that could overlap has (read, never
#: changed).
_NO_OVERLAPS: dict[str, str] = {}

#: For each service overlapping another of the same person, one it overlaps.
_OVERLAPS: ClaimFact[dict[str, str]] = ClaimFact(_overlapping_services)


#: The indexes of the claim's in-person visit lines (042X-057X, neither a site-of-service
#: Q-code nor a telehealth G-code, which is never the first billable visit a
#: site-of-service line is dated by: CR 12805; Palmetto "Telehealth Home Health Services:
#: New G-Codes"), sorted out once with the PDGM rules' visit lines.
_VISIT_LINES: ClaimFact[tuple[int, ...]] = ClaimFact(lambda ctx: HOME_VISITS.of(ctx).lines)


def claim_has_visit_lines() -> Pred:
    """The claim has home-health visit lines (revenue codes 042X-057X)."""
    return lambda ctx: bool(_VISIT_LINES.of(ctx))


def site_of_service_reported() -> Pred:
    """A Q5001, Q5002 or Q5009 line is dated with the first billable visit (NGS article
    522358; CR 8136, Transmittal 2680: required for 032X from 2013-07-01)."""

    def test(ctx: Context) -> bool:
        first = HOME_VISITS.of(ctx).first_line
        if first is None:  # no visit lines
            return True
        for line in ctx.claim.lines:
            if line.code in SITE_OF_SERVICE_HH and line.date == first:
                return True
        return False

    return test


def header_total_differs() -> Pred:
    """The claim's header total (UB-04 FL47 on the 0001 line, 837 CLM02, RIF
    ``CLM_TOT_CHRG_AMT``) is not the sum of its line charges (Pub. 100-04 ch. 25
    s.75.4, FL42: the 0001 line's FL47 "is the sum of charges billed")."""
    return inline(
        lambda ctx: ctx.claim.total_charge is not None,
        "ctx.claim.total_charge is not None",
    )


def _fix_total(ctx: Context) -> FixResult:
    lines = f"{ctx.claim.line_total:.2f}"
    total = ctx.claim.billed_total
    return (
        f"bill the sum of the lines, {lines}, as the total (or correct the line charges)",
        {"total_charge": lines},
        {"total": f"{total:.2f}", "lines": lines},
    )


def _fix_revenue(ctx: Context) -> FixResult:
    code = ctx.code
    if code is None or not code.revenue_codes:
        return None, {}, {}
    families = " or ".join(code.revenue_codes)
    target = code.revenue_codes[0].replace("X", "1")
    return f"bill under {families}", {"revenue_code": target}, {"expected": families}


def _fix_site(ctx: Context) -> FixResult:
    visits = _VISIT_LINES.of(ctx)
    if not visits:
        return None, {}, {}
    first = min(visits, key=lambda i: ctx.claim.lines[i].date)
    line = ctx.claim.lines[first]
    text = (
        f"add a Q5001 (home), Q5002 (assisted living) or Q5009 line with revenue code "
        f"{line.revenue_code}, date {line.date.isoformat()}, 1 unit"
    )
    return text, {"code": "Q5001", "date": line.date.isoformat()}, {"first": line.date.isoformat()}


def _fix_auth(ctx: Context) -> FixResult:
    problems = _AUTH_USAGE.of(ctx).get(ctx.index or 0, []) if ctx.index is not None else []
    detail = "; ".join(p.message for p in problems)
    fits = [p.max_units for p in problems if p.max_units is not None]
    text = "request more units or a new authorization before billing"
    if fits:
        units = min(fits)
        return (
            f"{text}, or bill at most {units} unit(s) here",
            {"units": str(units)},
            {"detail": detail},
        )
    return text, {}, {"detail": detail}


def _fix_overlap(ctx: Context) -> FixResult:
    overlaps = _OVERLAPS.of(ctx)
    other = next((overlaps[s.id] for s in ctx.services if s.id in overlaps), "")
    return "correct the visit times or the rendering person", {}, {"other": other}


def _fix_duplicate(ctx: Context) -> FixResult:
    j = _DUPLICATES.of(ctx).get(ctx.index or 0)
    return "remove the duplicate line", {}, {"other": "" if j is None else j + 1}


VOCABULARY = Vocabulary(
    predicates={
        "authorization_referenced": authorization_referenced,
        "authorization_within_limits": authorization_within_limits,
        "claim_has_visit_lines": claim_has_visit_lines,
        "duplicate_of_earlier_line": duplicate_of_earlier_line,
        "has_revenue_code": has_revenue_code,
        "header_total_differs": header_total_differs,
        "line_in_period": line_in_period,
        "overlaps_other_visit": overlaps_other_visit,
        "revenue_code_fits": revenue_code_fits,
        "revenue_code_in": revenue_code_in,
        "site_of_service_code": site_of_service_code,
        "site_of_service_reported": site_of_service_reported,
    },
    fixers={
        "authorization": _fix_auth,
        "duplicate": _fix_duplicate,
        "overlap": _fix_overlap,
        "revenue-code": _fix_revenue,
        "site-of-service": _fix_site,
        "total-charge": _fix_total,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix


RULES: tuple[Rule, ...] = (
    Rule(
        "revenue-code-mismatch",
        Severity.WARNING,
        "revenue code {revenue_code} does not fit {code} (expected {expected})",
        'NGS "Home Health Therapy Billing" (ngsmedicare.com); NGS SIA article 1240716; '
        "NGS Q-code article 522358; Pabau S9124 guide (third-party: 0552 for S9123/S9124)",
        known & p("has_revenue_code") & ~p("revenue_code_fits"),
        fix=fix("revenue-code"),
        field="revenue_code",
        description=(
            "The revenue code does not go with the code: 042X PT, 043X OT, 044X SLP, 055X nursing, "
            "056X social work, 057X aide, 0552 for S9123/S9124; a Q5001/Q5002/Q5009 line takes a "
            "visit discipline's code."
        ),
        advice="The code's own revenue code (``0551`` for G0299).",
    ),
    Rule(
        "duplicate-line",
        Severity.ERROR,
        "line repeats line {other}: same code {code}, modifiers and date {date}",
        'derived: one service billed twice; ResDAC "Claim HHA Total Visit Count" (separate '
        "separate lines)",
        p("duplicate_of_earlier_line"),
        fix=fix("duplicate"),
        field="code",
        description=(
            "An earlier line bills the same code, modifiers and date for the same services (or both"
            " for none). Two visits on one day with their own services are not duplicates."
        ),
        advice="Remove the duplicate line.",
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
        fix=fix("site-of-service"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2013, 7, 1),
        field="lines",
        description=(
            "A 032X claim with visit lines (revenue codes 042X-057X) has no Q5001, Q5002 or Q5009 "
            "line dated with the first billable visit (periods from 2013-07-01). A claim rule."
        ),
        advice=(
            "Add a Q5001 (home), Q5002 (assisted living) or Q5009 line with the first visit's "
            "revenue code and date, 1 unit."
        ),
    ),
    Rule(
        "site-of-service-units",
        Severity.WARNING,
        "site-of-service line {code} bills {units} units; it is always 1",
        "NGS article 522358 (Q line: 1 unit, nominal charge)",
        p("code_in", codes=["Q5001", "Q5002", "Q5009"])
        & p("units_above", limit=1)
        & ~p("revenue_code_in", codes=sorted(LEVEL_OF_CARE_CODES)),
        field="units",
        description=(
            "A home-health Q5001/Q5002/Q5009 line bills more than 1 unit. A hospice "
            "level-of-care line (0651-0656) is not one: its units are days or 15-minute "
            "increments."
        ),
        advice="None (bill 1 unit at a nominal charge).",
    ),
    Rule(
        "total-charge-mismatch",
        Severity.ERROR,
        "the header total charge {total} is not the sum of the line charges ({lines})",
        "CMS Pub. 100-04 ch. 25 s.75.4, FL42 and FL47 (revenue code 0001: the total "
        "charges entry is the sum of charges billed), "
        "https://www.cms.gov/Regulations-and-Guidance/Guidance/Manuals/downloads/clm104c25.pdf; "
        "837 CLM02 total claim charge amount, balanced by payers against the line charges "
        "(Stedi claim edits, third-party)",
        p("header_total_differs"),
        fix=fix("total-charge"),
        field="total_charge",
        scope=Scope.CLAIM,
        description=(
            "The claim's header total (UB-04 FL47 on the 0001 line, 837 CLM02, RIF "
            "CLM_TOT_CHRG_AMT) differs from the sum of its line charges (a 0001 line left out). "
            "Payers balance the total against the lines and return a claim that does not "
            "balance. A claim rule."
        ),
        advice="Bill the sum of the line charges as the total, or correct the line charges.",
    ),
    Rule(
        "line-outside-period",
        Severity.WARNING,
        "line date {date} is outside the statement period",
        "NUBC UB-04 FL 6 (statement covers period) and FL 45 (service date): line item dates "
        "fall within the From-Through period",
        ~p("line_in_period"),
        field="date",
        needs=[Need.HEADER],
        description=(
            "The line's date of service is outside the claim's statement period (FL6 From-Through)."
        ),
        advice="None (correct the date or the period).",
    ),
    Rule(
        "authorization-exceeded",
        Severity.ERROR,
        "{detail}",
        "payer prior-authorization terms (TMHP CSHCN §21.2.1.1); agencies' pre-billing checks",
        p("authorization_referenced") & ~p("authorization_within_limits"),
        fix=fix("authorization"),
        field="units",
        needs=[Need.HEADER],
        description=(
            "A line names an authorization on the claim that does not cover its code or date, or "
            "whose remaining units, visits or days the claim's lines so far exceed."
        ),
        advice="Request more units or a new authorization before billing.",
    ),
    Rule(
        "overlapping-visits",
        Severity.WARNING,
        "the same person is documented in another visit ({other}) at the same time",
        "derived: one person cannot render two visits at once; BCBSTX coordinated home care "
        "policy (shift notes with start and stop times)",
        p("overlaps_other_visit"),
        fix=fix("overlap"),
        field="service_ids",
        needs=[Need.CHART],
        description=(
            "A service of the line overlaps in time another service on the claim by the same person"
            " (same staff id; a service without a staff id by its rendering NPI)."
        ),
        advice="None (correct the times or the rendering person).",
    ),
)
"""The rules of this family, in the order their findings are reported."""
