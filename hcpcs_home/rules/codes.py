"""Rules about the code itself: is it a code, is it in effect, does the payer take it.

Sources: the CMS HCPCS Level II file (added and termination dates, coverage,
processing notes), the change requests that retired codes (CR 9369, CR 9736).
"""

from __future__ import annotations

import functools
from collections import defaultdict
from collections.abc import Iterable

from .._engine import Context, Rule, Severity, Vocabulary, inline
from .._tables import read_table
from ..codes import Credential
from ..payers import PayerKind
from . import _common as common
from ._common import FixResult, Pred, credentials, known, sibling_code

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


def code_effective() -> Pred:
    """The line's date falls within the code's effective and termination dates (CMS HCPCS file)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        return code is not None and code.is_effective(ctx.date)

    return inline(
        test,
        "ctx.code is not None and ctx.code.is_effective("
        "ctx.line.date if ctx.line is not None else ctx.claim.statement_from)",
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
        test,
        "ctx.line is not None and ctx.payer.accepts_code_family(ctx.line.code)"
        " and (ctx.payer.kind is not {medicare} or ctx.code is None"
        " or ctx.code.medicare_accepts)",
        medicare=PayerKind.MEDICARE,
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
    code = ctx.code
    if code is None:
        return None, {}, {}
    if code.terminated is not None and ctx.date > code.terminated and code.replaced_by:
        choice = _by_credential(ctx, code.replaced_by, credentials(ctx))
        facts = {"window": f"ended {code.terminated.isoformat()}"}
        text = f"use {' or '.join(code.replaced_by)} for dates after {code.terminated.isoformat()}"
        return text, ({"code": choice} if choice else {}), facts
    return None, {}, {"window": f"starts {code.effective.isoformat()}"}


def _by_credential(ctx: Context, codes: Iterable[str], credentials: list[Credential]) -> str | None:
    codes = list(codes)
    for code in codes:
        entry = ctx.lookup(code)
        if entry is not None and credentials and set(credentials) <= entry.credentials:
            return code
    return codes[0] if len(codes) == 1 else None


def _fix_payer(ctx: Context) -> FixResult:
    line = ctx.line
    assert line is not None
    creds = credentials(ctx)
    if ctx.payer.kind is PayerKind.MEDICARE:
        target = _medicare_code(line.code, creds)
        text = (
            "Original Medicare does not cover private-duty (hourly or shift) nursing or S/T "
            "codes; if this is a Medicare home-health benefit visit, bill "
        )
        if target is None:
            return text + "the discipline G-code on a 032X claim", {}, {}
        return text + f"{target} on a 032X claim", {"code": target}, {}
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
        "code_effective": code_effective,
        "payer_accepts_code": payer_accepts_code,
    },
    fixers={
        "medicare-equivalent": _fix_payer,
        "nearest-code": _fix_unknown,
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
