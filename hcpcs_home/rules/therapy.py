"""Rules about therapy lines: which bill they go on and the modifiers they need.

32X vs 34X (NGS "Home Health Therapy Billing"), GN/GO/GP by discipline and
revenue code, the KX threshold (BBA 2018 §50202), and the CQ/CO assistant
modifiers (BBA 2018 §53107).
"""

from __future__ import annotations

import datetime as _dt
import functools
from decimal import Decimal

from .._engine import ClaimFact, Context, Need, Rule, Severity, Vocabulary, code_level
from .._tables import read_table
from ..codes import CodeSet, Discipline, Setting
from . import _common as common
from ._common import (
    ANY_THERAPY,
    ASSISTANT_MODIFIER,
    FIFTEEN_MINUTES,
    HH_VISIT_FAMILIES,
    THERAPY_MODIFIER,
    THERAPY_REVENUE,
    FixResult,
    Pred,
    _family,
    expected_therapy_modifier,
    hh_claim,
    hospice_claim,
    known,
    kx_modifier,
    therapy_claim,
    therapy_modifiers,
)

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


# Globals: cheaper per line than reading the members off their enums.
_CPT = CodeSet.CPT


def hh_visit_code() -> Pred:
    """A Medicare home-health/hospice discipline visit G-code (G0151-G0164, G0299, G0300,
    G0493-G0496, G2168, G2169), billed per 15 minutes under a 042X-057X revenue code
    (NGS "Home Health Therapy Billing"; CMS HCPCS descriptors)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        return (
            code is not None
            and code.code.startswith("G")
            and code.unit is FIFTEEN_MINUTES
            and bool(code.revenue_codes)
            and all(r[:3] in HH_VISIT_FAMILIES for r in code.revenue_codes)
        )

    return code_level(test)


def hh_setting_only_code() -> Pred:
    """A visit code whose descriptor says "in the home health setting" only
    (G0159-G0161, G2168, G2169: maintenance therapy; CMS descriptors, CR 11721)."""
    visit = hh_visit_code()
    return code_level(
        lambda ctx: visit(ctx) and ctx.code is not None and Setting.HOSPICE not in ctx.code.settings
    )


def therapy_fee_schedule_code() -> Pred:
    """A CPT therapy code paid on the physician fee schedule (97xxx, 92507...), billed
    on 34X, not 32X (NGS "Home Health Therapy Billing": 32X lists only the G-codes for FL 44)."""
    return code_level(
        lambda ctx: (
            ctx.code is not None
            and ctx.code.code_set is _CPT
            and (ctx.code.discipline in THERAPY_MODIFIER or ctx.code.discipline is ANY_THERAPY)
        )
    )


def therapy_line() -> Pred:
    """A PT, OT or SLP line: a 042X/043X/044X revenue code or a therapy discipline code
    (NGS "Home Health Therapy Billing")."""
    return lambda ctx: (
        ctx.line is not None
        and (
            _family(ctx.line.revenue_code) in THERAPY_REVENUE
            or (
                ctx.code is not None
                and (ctx.code.discipline in THERAPY_MODIFIER or ctx.code.discipline is ANY_THERAPY)
            )
        )
    )


def therapy_modifier_present() -> Pred:
    """The line carries GN, GO or GP (required on 34X therapy lines; NGS "Home Health
    Therapy Billing")."""

    def test(ctx: Context) -> bool:
        if ctx.line is None:
            return False
        therapy = _therapy_modifiers()
        for m in ctx.line.modifiers:  # noqa: SIM110 (see _common._LOOPS)
            if m in therapy:
                return True
        return False

    return test


@functools.cache
def _therapy_modifiers() -> frozenset[str]:
    """GN, GO and GP (from the modifier table, read on first use)."""
    return frozenset(THERAPY_MODIFIER.values())


def therapy_modifier_fits() -> Pred:
    """The GN/GO/GP modifier matches the discipline and revenue code: GP with 042X, GO
    with 043X, GN with 044X (NGS "Home Health Therapy Billing"; CMS HCPCS modifier
    descriptors)."""

    def test(ctx: Context) -> bool:
        if ctx.line is None:
            return True
        therapy = _therapy_modifiers()
        present = {m for m in ctx.line.modifiers if m in therapy}
        wanted = {THERAPY_REVENUE.get(_family(ctx.line.revenue_code) or "")}
        if ctx.code is not None and ctx.code.discipline in THERAPY_MODIFIER:
            wanted.add(THERAPY_MODIFIER[ctx.code.discipline])
        wanted.discard(None)
        return not present or present == wanted or (not wanted)

    return test


def kx_thresholds() -> dict[int, tuple[Decimal, Decimal]]:
    """KX thresholds by calendar year: ``{year: (PT and SLP, OT)}`` (data/kx_thresholds.tsv)."""
    return {
        int(r["year"]): (Decimal(r["pt_slp"]), Decimal(r["ot"]))
        for r in read_table("kx_thresholds.tsv")
    }


@functools.cache
def _kx_table() -> dict[int, tuple[Decimal, Decimal]]:
    """:func:`kx_thresholds`, read once (the table is the package's own, read once by
    :func:`~hcpcs_home._tables.read_table` too); read, never changed."""
    return kx_thresholds()


def _kx_running(ctx: Context) -> tuple[Decimal, Decimal] | None:
    """(the beneficiary's therapy amount through this line, that year's threshold)."""
    line = ctx.line
    modifier = expected_therapy_modifier(ctx)
    if line is None or modifier is None:
        return None
    year = KX_THRESHOLDS.of(ctx).get(line.date.year)
    if year is None:
        return None
    bucket = _kx_bucket(modifier)
    running = KX_RUNNING.of(ctx)
    return running[ctx.index], (year[1] if bucket == "OT" else year[0])


def _kx_bucket(modifier: str) -> str:
    """OT's own threshold, or the one PT and SLP share (BBA 2018 §50202)."""
    return "OT" if modifier == THERAPY_MODIFIER[Discipline.OCCUPATIONAL_THERAPY] else "PT/SLP"


def _kx_totals(ctx: Context) -> dict[int | None, Decimal]:
    totals = {"OT": ctx.claim.therapy_ytd_ot, "PT/SLP": ctx.claim.therapy_ytd_pt_slp}
    out: dict[int | None, Decimal] = {}
    for i, (line, modifier) in enumerate(zip(ctx.claim.lines, therapy_modifiers(ctx), strict=True)):
        if modifier is None:
            continue
        bucket = _kx_bucket(modifier)
        totals[bucket] += line.charge
        out[i] = totals[bucket]
    return out


#: The therapy family's claim-wide facts: the KX thresholds by year, and the running
#: therapy amount through each line.
KX_THRESHOLDS = ClaimFact(lambda ctx: _kx_table())
KX_RUNNING = ClaimFact(_kx_totals)


def kx_threshold_passed() -> Pred:
    """The beneficiary's therapy amount this year, through this line, passes the year's KX
    threshold (PT and SLP together, OT separately; BBA 2018 §50202; thresholds from
    Noridian and others, data/kx_thresholds.tsv).  Line charges stand in for the allowed
    amount."""

    def test(ctx: Context) -> bool:
        found = _kx_running(ctx)
        return found is not None and found[0] > found[1]

    return test


def kx_present() -> Pred:
    """The line carries the "requirements met" modifier of the modifier table (KX; CMS
    HCPCS modifier descriptor)."""
    return lambda ctx: ctx.line is not None and kx_modifier() in ctx.line.modifiers


def assistant_rendered() -> Pred:
    """A physical or occupational therapist assistant furnished a service of the line."""

    def test(ctx: Context) -> bool:
        for s in ctx.services:  # noqa: SIM110 (see _LOOPS)
            if s.credential in ASSISTANT_MODIFIER:
                return True
        return False

    return test


def assistant_modifier_present() -> Pred:
    """The line carries CQ for a PTA's service and CO for an OTA's (CMS "Billing Examples
    Using CQ/CO Modifiers"; BBA 2018 §53107)."""

    def test(ctx: Context) -> bool:
        wanted = {
            ASSISTANT_MODIFIER[s.credential]
            for s in ctx.services
            if s.credential in ASSISTANT_MODIFIER
        }
        return ctx.line is not None and wanted <= set(ctx.line.modifiers)

    return test


def _fix_therapy_modifier(ctx: Context) -> FixResult:
    wanted = expected_therapy_modifier(ctx)
    if wanted is None:
        return None, {}, {}
    return f"add {wanted}", {"modifier": wanted}, {"expected": wanted}


def _fix_kx(ctx: Context) -> FixResult:
    found = _kx_running(ctx)
    line = ctx.line
    if found is None or line is None:
        return None, {}, {}
    amount, threshold = found
    facts = {"amount": amount, "threshold": threshold, "year": line.date.year}
    kx = kx_modifier()
    if kx in line.modifiers:
        return (
            f"remove {kx}: the threshold is not yet passed",
            {"modifier": f"-{kx}"},
            {
                **facts,
                "detail": f"{kx} used while the year's therapy amount {amount} is at or "
                f"below the {line.date.year} threshold {threshold}",
            },
        )
    return (
        f"add {kx} if the services are medically necessary and documented as such",
        {"modifier": kx},
        {
            **facts,
            "detail": f"therapy amount {amount} passes the {line.date.year} {kx} "
            f"threshold {threshold} without {kx}",
        },
    )


def _fix_assistant(ctx: Context) -> FixResult:
    wanted = sorted(
        {
            ASSISTANT_MODIFIER[s.credential]
            for s in ctx.services
            if s.credential in ASSISTANT_MODIFIER
        }
    )
    return (
        f"add {' and '.join(wanted)}",
        {"modifier": " ".join(wanted)},
        {"expected": " ".join(wanted)},
    )


VOCABULARY = Vocabulary(
    predicates={
        "assistant_modifier_present": assistant_modifier_present,
        "assistant_rendered": assistant_rendered,
        "hh_setting_only_code": hh_setting_only_code,
        "hh_visit_code": hh_visit_code,
        "kx_present": kx_present,
        "kx_threshold_passed": kx_threshold_passed,
        "therapy_fee_schedule_code": therapy_fee_schedule_code,
        "therapy_line": therapy_line,
        "therapy_modifier_fits": therapy_modifier_fits,
        "therapy_modifier_present": therapy_modifier_present,
    },
    fixers={
        "assistant-modifier": _fix_assistant,
        "kx": _fix_kx,
        "therapy-modifier": _fix_therapy_modifier,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix


RULES: tuple[Rule, ...] = (
    Rule(
        "bill-type-mismatch",
        Severity.WARNING,
        "{code} is not billable on type of bill {type_of_bill}",
        'NGS "Home Health Therapy Billing" (32X uses the HH G-codes; 34X therapy is paid on '
        "the MPFS); CMS descriptors "
        "('home health setting' only for G0159-G0161, G2168, G2169); CR 11721 (not on 0322)",
        known
        & (
            (p("hh_visit_code") & therapy_claim)
            | (p("therapy_fee_schedule_code") & hh_claim)
            | (p("hh_setting_only_code") & hospice_claim)
            | (p("code_in", codes=["G2168", "G2169"]) & p("bill_type", types=["0322"]))
        ),
        field="code",
        description=(
            "A code on the wrong type of bill: HH visit G-codes on 34X, CPT therapy codes on 32X, "
            "home-health-only maintenance codes (G0159-G0161, G2168, G2169) on hospice claims, "
            "G2168/G2169 on a 0322 RAP."
        ),
        advice="None (move the line to the right claim).",
    ),
    Rule(
        "therapy-modifier-missing",
        Severity.ERROR,
        "therapy line {code} on a 34X claim has no GN/GO/GP modifier (expected {expected})",
        'NGS "Home Health Therapy Billing" (34X HCPCS modifiers GN/GO/GP); Pub. 100-04 ch. 5',
        therapy_claim
        & p("payer_flag", flag="requires_therapy_modifiers")
        & p("therapy_line")
        & ~p("therapy_modifier_present"),
        fix=fix("therapy-modifier"),
        field="modifiers",
        description=(
            "A therapy line (042X/043X/044X or a PT/OT/SLP code) on a 34X claim without GN, GO or "
            "GP, for payers that require them."
        ),
        advice="The discipline's modifier (GP, GO or GN).",
    ),
    Rule(
        "therapy-modifier-mismatch",
        Severity.ERROR,
        "modifiers {modifiers} do not match the discipline of {code} and revenue code "
        "{revenue_code} (expected {expected})",
        'NGS "Home Health Therapy Billing" (GP with 042X, GO with 043X, GN with 044X); CMS '
        "modifier descriptors",
        therapy_claim
        & p("therapy_line")
        & p("therapy_modifier_present")
        & ~p("therapy_modifier_fits"),
        fix=fix("therapy-modifier"),
        field="modifiers",
        description=(
            "The GN/GO/GP modifier on a 34X therapy line does not match the code's discipline or "
            "the revenue code (GP with 042X, GO with 043X, GN with 044X)."
        ),
        advice="The matching modifier.",
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
        & p("kx_threshold_passed")
        & ~p("kx_present"),
        fix=fix("kx"),
        field="modifiers",
        needs=[Need.HEADER],
        description=(
            "On a 34X claim for a payer applying Medicare's KX threshold: the beneficiary's therapy"
            " amount for the year, through this line, passes the threshold without KX (PT and SLP "
            "together, OT separately); Medicare denies such lines."
        ),
        advice="Add KX if the services are medically necessary and documented as such.",
    ),
    Rule(
        "kx-modifier-early",
        Severity.WARNING,
        "{detail}",
        "BBA 2018 §50202; Noridian 'Per-Beneficiary KX Modifier Thresholds' (KX attests that "
        "services above the threshold are medically necessary); data/kx_thresholds.tsv",
        therapy_claim
        & p("payer_flag", flag="applies_kx_threshold")
        & p("therapy_line")
        & ~p("kx_threshold_passed")
        & p("kx_present"),
        fix=fix("kx"),
        field="modifiers",
        description=(
            "On a 34X claim for a payer applying Medicare's KX threshold: KX is used while the "
            "beneficiary's therapy amount for the year is still at or below the threshold. No "
            "payer action for an early KX is published, so this is a warning, not an error."
        ),
        advice="Remove KX until the year's therapy amount passes the threshold.",
    ),
    Rule(
        "assistant-modifier",
        Severity.WARNING,
        "a therapy assistant furnished {code}; the line needs {expected}",
        "CMS 'Billing Examples Using CQ/CO Modifiers' (BBA 2018 §53107): required from "
        "2020-01-01 on Part B therapy",
        therapy_claim
        & p("payer_flag", flag="requires_assistant_modifiers")
        & p("assistant_rendered")
        & ~p("assistant_modifier_present"),
        fix=fix("assistant-modifier"),
        field="modifiers",
        effective_from=_dt.date(2020, 1, 1),
        needs=[Need.CHART],
        description=(
            "On a 34X claim for a payer requiring CQ/CO, a PTA's or OTA's service without CQ (PT) "
            "or CO (OT), for dates of service from 2020-01-01."
        ),
        advice="Add CQ and/or CO.",
    ),
)
"""The rules of this family, in the order their findings are reported."""
