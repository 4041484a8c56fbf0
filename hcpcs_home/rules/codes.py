"""Rules about the code itself: is it a code, is it in effect, does the payer take it.

Sources: the CMS HCPCS Level II file (added and termination dates, coverage,
processing notes), the change requests that retired codes (CR 9369, CR 9736).
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections import defaultdict
from collections.abc import Iterable

from .._engine import Context, Rule, Scope, Severity, Vocabulary, code_level, inline
from .._tables import read_table
from ..codes import Code, Credential
from ..payers import PayerKind
from . import _common as common
from ._common import FixResult, Pred, credentials, known, sibling_code

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def code_effective() -> Pred:
    """The line's date falls within the code's effective and termination dates (CMS HCPCS
    file) and, for Medicare, on or after the date the program takes the code where that is
    later (G0299/G0300: HCPCS added 2015-11-02, Medicare from 2016-01-01, CR 9369;
    data/program_dates.tsv)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        if code is None or not code.is_effective(ctx.date):
            return False
        start = code.program_start
        return start is None or ctx.payer.kind is not PayerKind.MEDICARE or ctx.date >= start

    # An unknown code is never in effect; a known one depends on the line's date.  A Code's
    # is_effective is written in place (the call costs more than its two comparisons).
    settle = code_level(test, lambda ctx: False if ctx.code is None else None)
    on = "(ctx.line.date if ctx.line is not None else ctx.claim.statement_from)"
    return inline(
        settle,
        f"ctx.code is not None and (ctx.code.effective <= {on} and (ctx.code.terminated is None"
        f" or {on} <= ctx.code.terminated) if ctx.code.__class__ is {{code}}"
        f" else ctx.code.is_effective({on}))"
        " and (ctx.code.program_start is None or ctx.payer.kind is not {medicare}"
        " or ctx.date >= ctx.code.program_start)",
        medicare=PayerKind.MEDICARE,
        code=Code,
    )


def payer_accepts_code() -> Pred:
    """The payer takes the code: S codes are private-payer codes not valid for Medicare
    (CMS processing note 0088), T codes are national Medicaid codes (coverage I), and
    Medicare refuses any code its coverage marks not payable (CMS HCPCS file)."""

    def test(ctx: Context) -> bool:
        line, code, payer = ctx.line, ctx.code, ctx.payer
        if line is None or not payer.accepts_code_family(line.code):
            return False
        if payer.kind is PayerKind.MEDICARE and code is not None:
            return code.medicare_accepts
        return True

    return inline(
        code_level(test),
        "ctx.line is not None and ctx.payer.accepts_code_family(ctx.line.code)"
        " and (ctx.payer.kind is not {medicare} or ctx.code is None"
        " or ctx.code.medicare_accepts)",
        medicare=PayerKind.MEDICARE,
    )


def _last_date(ctx: Context) -> _dt.date:
    """The claim's last date of service: its Through date or a later line's end."""
    claim = ctx.claim
    last = claim.statement_through
    for line in claim.lines:
        end = line.through or line.date
        if end > last:
            last = end
    return last


def after_release() -> Pred:
    """The claim's last date of service is after the last date the catalog's CMS release is
    current for (CMS updates HCPCS each quarter: a newer release may add codes the claim
    bills; CMS "HCPCS Quarterly Update")."""

    def test(ctx: Context) -> bool:
        release = ctx.catalog.release
        return (
            release is not None
            and release.current is not None
            and _last_date(ctx) > release.current[1]
        )

    return test


def _fix_release(ctx: Context) -> FixResult:
    release = ctx.catalog.release
    assert release is not None and release.current is not None
    return (
        "download the CMS HCPCS file current for the claim's dates from "
        "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/"
        "quarterly-update and run 'hcpcs-home catalog load FILE'",
        {},
        {
            "release": f"CMS {release.name}",
            "through": release.current[1].isoformat(),
            "last": _last_date(ctx).isoformat(),
        },
    )


def _fix_unknown(ctx: Context) -> FixResult:
    """The nearest code of the typed code's family and, where the services' credentials
    name one discipline, of that discipline (an RN's S9130 is not offered S9131, home PT)."""
    assert ctx.line is not None
    disciplines = {c.discipline for c in credentials(ctx)}
    discipline = disciplines.pop() if len(disciplines) == 1 else None
    suggestion = ctx.catalog.suggest(ctx.line.code, discipline=discipline)
    if suggestion is None:
        return None, {}, {}
    return f"did you mean {suggestion}?", {"code": suggestion}, {}


def _fix_replacement(ctx: Context) -> FixResult:
    """The window the code is valid in, named by the side the date falls on, and the code
    to use instead: the replacement of a terminated code, or for a date before the code
    starts, the code it replaced (G0300 in October 2015: G0154, CR 9369)."""
    code = ctx.code
    if code is None:
        return None, {}, {}
    day = ctx.date
    if code.terminated is not None and day > code.terminated:
        facts = {"window": f"ended {code.terminated.isoformat()}"}
        if not code.replaced_by:
            return None, {}, facts
        choice = _by_credential(ctx, code.replaced_by, credentials(ctx))
        text = f"use {' or '.join(code.replaced_by)} for dates after {code.terminated.isoformat()}"
        return text, ({"code": choice} if choice else {}), facts
    start = code.effective
    window = f"starts {start.isoformat()}"
    medicare = ctx.payer.kind is PayerKind.MEDICARE
    if medicare and code.program_start is not None and day < code.program_start:
        start = code.program_start
        window = (
            f"Medicare takes it from {start.isoformat()}; HCPCS added it "
            f"{code.effective.isoformat()}"
        )
    before = [
        c.code for c in ctx.catalog.codes() if code.code in c.replaced_by and c.is_effective(day)
    ]
    if not before:
        return None, {}, {"window": window}
    choice = _by_credential(ctx, before, credentials(ctx)) or before[0]
    text = f"use {' or '.join(before)} for dates before {start.isoformat()}"
    return text, {"code": choice}, {"window": window}


def _by_credential(ctx: Context, codes: Iterable[str], credentials: list[Credential]) -> str | None:
    codes = list(codes)
    for code in codes:
        entry = ctx.lookup(code)
        if entry is not None and credentials and set(credentials) <= entry.credentials:
            return code
    return codes[0] if len(codes) == 1 else None


#: What a UB-04 line of these revenue codes carries in FL44 instead of a HCPCS service code
#: (NUBC; Pub. 100-04 ch. 25 §75.4: 0001 is the total charges line; ch. 10 §40.2: the 0023
#: line carries the HIPPS code).
_NOT_SERVICE_LINES = {
    "0001": "a 0001 total-charges line carries no HCPCS code: leave FL44 blank",
    "0023": "the 0023 line carries the period's HIPPS code, not a HCPCS service code",
}


def _fix_payer(ctx: Context) -> FixResult:
    """What to bill instead, for the bill the line is on: on a 0001 or 0023 line no service
    code at all; on a hospice 081X/082X bill the hospice's discipline G-code on that bill; on
    a 032X or any other Medicare bill the home-health G-code on a 032X claim."""
    line = ctx.line
    assert line is not None
    creds = credentials(ctx)
    if ctx.payer.kind is PayerKind.MEDICARE:
        special = _NOT_SERVICE_LINES.get(line.revenue_code or "")
        if special is not None:
            return special, {}, {}
        target = _medicare_code(line.code, creds)
        text = (
            "Original Medicare does not cover private-duty (hourly or shift) nursing or S/T codes"
        )
        tob = ctx.claim.type_of_bill or ""
        if tob[1:3] in ("81", "82"):
            text += "; on this hospice claim, bill the visit with the hospice discipline G-code"
            if target is None:
                return text + f" (G0299 RN, G0156 aide, G0155 social work) on this {tob}", {}, {}
            return text + f": {target} on this {tob}", {"code": target}, {}
        text += "; if this is a Medicare home-health benefit visit, bill "
        where = f"this {tob}" if tob[1:3] == "32" else "a 032X claim"
        if target is None:
            return text + f"the discipline G-code on {where}", {}, {}
        return text + f"{target} on {where}", {"code": target}, {}
    if line.code.startswith("S9123") or line.code.startswith("S9124"):
        return (
            "use a CPT 99500-99602 home-visit code where one describes the service",
            {},
            {},
        )
    return "bill the code this payer lists for the service", {}, {}


@functools.cache
def _crosswalk() -> dict[str, list[dict[str, str]]]:
    """data/medicare_crosswalk.tsv rows by code, in file order, built once."""
    by_code: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_table("medicare_crosswalk.tsv"):
        by_code[r["code"]].append(r)
    return dict(by_code)


def _medicare_code(code: str, credentials: list[Credential]) -> str | None:
    matches = _crosswalk().get(code, [])
    for r in matches:
        if r["credential"] and credentials and Credential(r["credential"]) in credentials:
            return r["medicare_code"] or None
    for r in matches:
        if not r["credential"]:
            target = r["medicare_code"] or None
            if target and credentials:
                sibling = sibling_code(target, credentials[0])
                return sibling or target
            return target
    return None


VOCABULARY = Vocabulary(
    predicates={
        "after_release": after_release,
        "code_effective": code_effective,
        "payer_accepts_code": payer_accepts_code,
    },
    fixers={
        "medicare-equivalent": _fix_payer,
        "nearest-code": _fix_unknown,
        "release-to-load": _fix_release,
        "replacement-code": _fix_replacement,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix


RULES: tuple[Rule, ...] = (
    Rule(
        "unknown-code",
        Severity.ERROR,
        "{code} is not a known HCPCS/CPT code",
        "CMS HCPCS Level II alpha-numeric file (cms.gov/medicare/coding-billing/healthcare-"
        "common-procedure-system/quarterly-update)",
        ~known & p("hcpcs_line"),
        fix=fix("nearest-code"),
        field="code",
        description=(
            "The line's code is not in the catalog (HCPCS Level II codes from the CMS file, and the"
            " CPT codes the library ships short summaries for). HIPPS lines (0023) and "
            "revenue-only lines carry no HCPCS code and are checked elsewhere."
        ),
        advice="The nearest catalog code, as ``did you mean …?`` (``fix``: ``code``).",
    ),
    Rule(
        "code-not-effective",
        Severity.ERROR,
        "{code} is not in effect on {date} ({window})",
        "CMS HCPCS file added/termination dates; CR 9369 (G0154), CR 9736 (G0163/G0164)",
        known & ~p("code_effective"),
        fix=fix("replacement-code"),
        field="code",
        description=(
            "The date of service falls before the code was added or after its termination date "
            "(G0154 ended 2016-02-29; G0163/G0164 ended 2016-12-31; G2168/G2169 start 2020-01-01)."
        ),
        advice=(
            "For a terminated code, its replacement for the rendering credential (G0154 by an RN: "
            "G0299; G0163 by an LPN: G0494)."
        ),
    ),
    Rule(
        "payer-code-not-accepted",
        Severity.ERROR,
        "{payer} does not accept {code}",
        "CMS processing note 0088 (S codes not valid for Medicare); CMS coverage code I "
        "(T codes); BCBSM Medicare Plus Blue PDN policy (Original Medicare does not pay for "
        "private-duty nursing)",
        known & ~p("payer_accepts_code"),
        fix=fix("medicare-equivalent"),
        field="code",
        description=(
            "The payer does not take the code: Medicare takes no S codes, no T codes and nothing "
            "its coverage code marks not payable (CPT 99500-99602); BCBS TX takes no T codes."
        ),
        advice=(
            "To Medicare: the discipline G-code of the same credential on a 032X claim (an LPN's "
            "S9124: G0300), with the reminder that Original Medicare does not cover private-duty "
            "nursing. To other payers: a CPT 99500-99602 hint for S9123/S9124."
        ),
    ),
)
"""The rules of this family, in the order their findings are reported."""

# Appended here and not above: claim rules report after the line rules whatever their order.
RULES += (
    Rule(
        "release-out-of-date",
        Severity.INFO,
        "dates of service to {last} are later than the HCPCS release in use, {release} "
        "(current to {through}): codes CMS added since are unknown to it; load the current "
        "CMS file with 'hcpcs-home catalog load FILE'",
        "CMS HCPCS Quarterly Update (codes are added, changed and discontinued each quarter: "
        "https://www.cms.gov/medicare/coding-billing/healthcare-common-procedure-system/"
        "quarterly-update); CMS Alpha-Numeric HCPCS files",
        p("after_release"),
        fix=fix("release-to-load"),
        field="statement_through",
        scope=Scope.CLAIM,
        description=(
            "The claim's last date of service (its Through date, or a later line's end) is after "
            "the last date the catalog's CMS release is current for: a code CMS added since "
            "would be reported unknown. One finding per claim; it says which release is in use "
            "and how to load the current CMS file."
        ),
        advice=(
            "Download the CMS HCPCS file for the claim's dates and run "
            "``hcpcs-home catalog load FILE`` (or pass a catalog built with "
            ":meth:`~hcpcs_home.catalog.Catalog.from_cms_file`)."
        ),
    ),
)
