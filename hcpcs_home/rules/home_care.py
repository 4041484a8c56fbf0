"""Medicaid and private-duty home care: EVV visits, per-diem days and one worker in two
places, across the claims of a batch.

Sources: the 21st Century Cures Act §12006 (Social Security Act §1903(l)) for the
six EVV elements; 1 TAC §354.4009 and the Texas HHSC EVV Policy Handbook §8000,
§12000 for matching claims to accepted visits; the HCPCS "per diem" descriptors
and ND DHS Service Chapter 535-05-45 (T1020: one unit per client per day) for
per-diem days; DOL DEEOIC Bulletin 08-09 for per diems defined as shifts.

A line of a code the payer requires EVV for (:meth:`Payer.requires_evv
<hcpcs_home.payers.Payer.requires_evv>`) is paired with the claim's accepted
visits by :func:`hcpcs_home.evv.match_visits`.  Facts about the whole batch
(:class:`~hcpcs_home.policy.Batch`: per-diem days, overlapping workers) are
computed once per batch.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._engine import ClaimFact, Context, Need, Rule, Severity, Vocabulary, code_level, inline
from ..claims import Claim
from ..codes import BillingUnit
from ..evv import worker_overlaps
from ..limits import per_day_excess
from . import _common as common
from ._common import FixResult, Pred
from ._cross import across
from ._sheet import SHEET

if TYPE_CHECKING:
    from ..evv import Overlap
    from ..limits import LimitProblem

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


# --- facts, once per claim or per batch ---------------------------------------------


_match = common.evv_match


def _day_excesses(ctx: Context) -> tuple[dict[tuple[int, int], LimitProblem], int]:
    """The per-day excesses of the claims of the claim's member (:func:`._cross.across`:
    the batch's and the history's), and the claim's position among them."""
    if (
        ctx.batch is None
        and ctx.history is None
        and not SHEET.of(ctx).repeats
        and all(line.through is None for line in ctx.claim.lines)
    ):
        # The claim alone, no two of its lines of one code on one day and none spanning
        # days: no day of a per-diem code is billed twice, so none passes what it allows.
        return _NO_EXCESS
    excess, n, _ = across(ctx, "beneficiary", lambda c: per_day_excess(c, ctx.lookup))
    return excess, n


#: What a claim with no per-diem day billed twice has (read, never changed).
_NO_EXCESS: tuple[dict[tuple[int, int], LimitProblem], int] = ({}, 0)


# --- the family's claim facts, each worked out once per claim ---------------------------

#: The per-day excesses of the member's claims, and the claim's position among them.
_DAY_EXCESSES: ClaimFact[tuple[dict[tuple[int, int], LimitProblem], int]] = ClaimFact(_day_excesses)


def _worker_overlaps(
    ctx: Context,
) -> tuple[dict[tuple[int, str], Overlap], int, Sequence[Claim]]:
    """The overlaps of one worker across the claims related by worker (:func:`._cross.across`),
    by record; the claim's position; those claims."""
    claim = ctx.claim
    if ctx.batch is None and ctx.history is None and not claim.evv_visits:
        # The claim alone, without EVV visits: worker_overlaps leaves two services of
        # one claim to overlapping-visits, so there is nothing to look for.
        return {}, 0, (claim,)
    return across(ctx, "worker", _overlaps_by_record)


#: The overlaps of one worker across the claims sharing the claim's workers, by record;
#: the claim's position; those claims.
_WORKER_OVERLAPS: ClaimFact[tuple[dict[tuple[int, str], Overlap], int, Sequence[Claim]]] = (
    ClaimFact(_worker_overlaps)
)


def _day_excess(ctx: Context) -> LimitProblem | None:
    excess, n = _DAY_EXCESSES.of(ctx)
    if not excess or ctx.index is None:  # the usual batch: no day over its limit
        return None
    return excess.get((n, ctx.index))


def _per_diem(ctx: Context) -> bool:
    """Whether the line's code is counted per day under the payer's unit policy, as
    :func:`hcpcs_home.limits.per_day_excess` tells per-diem lines apart."""
    code = ctx.code
    if code is None:
        return False
    policy = ctx.payer.unit_policy
    return (policy.unit_of(code) if policy.code_units else code.unit) is BillingUnit.DAY


def _overlap(ctx: Context) -> Overlap | None:
    """The first overlap (across the batch) of a visit or service behind the line."""
    overlaps, n, _ = _WORKER_OVERLAPS.of(ctx)
    if ctx.line is None or not overlaps:  # the usual batch: no overlap to look up
        return None
    match = _match(ctx)
    ids = [s.id for s in ctx.services] + [v.id for v in (match.visits if match else ())]
    for rid in ids:
        found = overlaps.get((n, rid))
        if found is not None:
            return found
    return None


def _overlaps_by_record(claims: Any) -> dict[tuple[int, str], Overlap]:
    return {(o.claim, o.visit): o for o in worker_overlaps(claims)}


# --- predicates -----------------------------------------------------------------------


def evv_required() -> Pred:
    """The payer requires electronic visit verification for the line's code on its date,
    and no modifier exempts it (Cures Act §12006; the payer's ``evv_codes``, ``evv_from``
    and ``evv_exempt_modifiers``, e.g. Texas KX and HQ, HHSC news 2023-11-13)."""
    # A code the payer does not verify never needs a visit; one it does depends on the
    # line's date and modifiers.
    test = code_level(
        lambda ctx: (
            ctx.line is not None
            and ctx.payer.requires_evv(ctx.line.code, ctx.line.date, ctx.line.modifiers)
        ),
        lambda ctx: False if ctx.line is None or ctx.line.code not in ctx.payer.evv_codes else None,
    )
    return inline(
        test,
        "ctx.line is not None and ctx.line.code in ctx.payer.evv_codes"
        " and ctx.payer.requires_evv(ctx.line.code, ctx.line.date, ctx.line.modifiers)",
    )


def evv_visit_matched() -> Pred:
    """An accepted EVV visit of the line's code, date and member (and worker, where the
    line's services name one) backs the line, on every date of a date-span line (1 TAC
    §354.4009; HHSC EVV Policy Handbook §12000, §12100)."""

    def test(ctx: Context) -> bool:
        match = _match(ctx)
        return match is not None and bool(match.visits) and not match.missing_dates(ctx.claim)

    return test


def evv_elements_complete() -> Pred:
    """Every visit backing the line records the six Cures Act elements: service, member,
    date, location, worker, begin and end time (SSA §1903(l)(5))."""

    def test(ctx: Context) -> bool:
        match = _match(ctx)
        return match is None or not any(v.missing_elements() for v in match.visits)

    return test


def evv_units_within_verified() -> Pred:
    """The line bills no more units than its visits' verified time gives under the
    payer's unit policy (bill hours must equal the units billed: HHSC EVV Policy
    Handbook §8000); lines whose visits lack times are left to ``evv_elements_complete``."""

    def test(ctx: Context) -> bool:
        match = _match(ctx)
        if match is None or ctx.line is None:
            return True
        verified = match.verified_units(ctx.claim)
        return verified is None or ctx.line.units <= verified

    return test


def per_diem_day_ok() -> Pred:
    """The units of the line's per-diem code, summed with earlier lines for the member and
    day across the batch, stay within what a day allows (HCPCS "per diem"; ND DHS
    535-05-45: T1020 one unit per client per day; DOL DEEOIC Bulletin 08-09: 8-hour
    shifts)."""
    # The usual claim has no day over its limit: its lines are answered from the
    # claim's fact without a call.
    # A line of a code the payer does not count per day is never a day's excess
    # (per_day_excess counts per-diem lines only), so its claim's excesses are not asked.
    test = code_level(
        lambda ctx: not _DAY_EXCESSES.of(ctx)[0] or _day_excess(ctx) is None,
        lambda ctx: True if not _per_diem(ctx) else None,
    )
    return inline(
        test,
        "not {excess}[0] or {excess_of}(ctx) is None",
        excess=_DAY_EXCESSES,
        excess_of=_day_excess,
    )


def worker_free() -> Pred:
    """No visit or service behind the line overlaps another of the same worker (by id or
    NPI) on any claim of the batch: one person cannot deliver two visits at once."""
    # The usual claim has nobody in two places: answered from the claim's fact.
    return inline(
        lambda ctx: not _WORKER_OVERLAPS.of(ctx)[0] or _overlap(ctx) is None,
        "not {overlaps}[0] or {overlap_of}(ctx) is None",
        overlaps=_WORKER_OVERLAPS,
        overlap_of=_overlap,
    )


# --- fixers ---------------------------------------------------------------------------


def _fix_evv_visit(ctx: Context) -> FixResult:
    match = _match(ctx)
    missing = match.missing_dates(ctx.claim) if match is not None else ()
    facts = {"missing": ", ".join(d.isoformat() for d in missing) or str(ctx.date)}
    exempt = sorted(ctx.payer.evv_exempt_modifiers)
    text = (
        "record the visit in the EVV system (visit maintenance where the worker did not clock "
        "in) and bill once the aggregator has accepted it"
    )
    if exempt:
        text += f"; a service not delivered in the member's home takes {' or '.join(exempt)}"
    return text, {}, facts


def _fix_evv_elements(ctx: Context) -> FixResult:
    match = _match(ctx)
    gaps = [(v.id, v.missing_elements()) for v in (match.visits if match else ())]
    gaps = [(vid, missing) for vid, missing in gaps if missing]
    if not gaps:
        return None, {}, {}
    vid, missing = gaps[0]
    elements = ", ".join(missing)
    return (
        f"complete the {elements} of visit {vid} in the EVV system, then bill",
        {},
        {"visit": vid, "elements": elements},
    )


def _fix_evv_units(ctx: Context) -> FixResult:
    match = _match(ctx)
    verified = match.verified_units(ctx.claim) if match is not None else None
    facts = {"verified": verified, "minutes": match.minutes if match else None}
    if verified is None:
        return None, {}, facts
    return (
        f"bill {verified} unit(s), what the verified visits give",
        {"units": str(verified)},
        facts,
    )


def _fix_per_diem_day(ctx: Context) -> FixResult:
    problem = _day_excess(ctx)
    if problem is None:
        return None, {}, {}
    facts = {"detail": problem.message}
    if problem.max_units is None:
        return "bill each day of the span once, or split the span into one line a day", {}, facts
    if not problem.max_units:
        return "remove the line: the day's per-diem unit is already billed", {}, facts
    units = str(problem.max_units)
    return f"bill {units} unit(s) on this line", {"units": units}, facts


def _fix_worker_overlap(ctx: Context) -> FixResult:
    found = _overlap(ctx)
    if found is None:
        return None, {}, {}
    _, _, claims = _WORKER_OVERLAPS.of(ctx)
    other = claims[found.other_claim]
    where = other.id or f"claim #{found.other_claim + 1} of the batch"
    member = other.patient_id or "another member"
    facts = {"worker": found.worker, "other": found.other_visit, "claim": where, "member": member}
    return "correct the visit times or the worker on one of the two visits", {}, facts


VOCABULARY = Vocabulary(
    predicates={
        "evv_elements_complete": evv_elements_complete,
        "evv_required": evv_required,
        "evv_units_within_verified": evv_units_within_verified,
        "evv_visit_matched": evv_visit_matched,
        "per_diem_day_ok": per_diem_day_ok,
        "worker_free": worker_free,
    },
    fixers={
        "evv-elements": _fix_evv_elements,
        "evv-units": _fix_evv_units,
        "evv-visit": _fix_evv_visit,
        "per-diem-day": _fix_per_diem_day,
        "worker-overlap": _fix_worker_overlap,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix
_EVV_SOURCE = (
    "21st Century Cures Act §12006 (SSA §1903(l)); 1 TAC §354.4009; Texas HHSC EVV Policy "
    "Handbook §8000, §12000 (https://www.hhs.texas.gov/handbooks/"
    "electronic-visit-verification-policy-handbook)"
)

RULES: tuple[Rule, ...] = (
    Rule(
        "evv-visit-missing",
        Severity.ERROR,
        "{payer} requires an accepted EVV visit for {code} on {missing}; none matches the line",
        _EVV_SOURCE,
        p("evv_required") & ~p("evv_visit_matched"),
        fix=fix("evv-visit"),
        field="evv_visits",
        needs=[Need.EVV],
        description=(
            "A line of a code the payer requires electronic visit verification for has no "
            "accepted visit of the same code, date and member (and worker, where the line's "
            "services name one) on the claim."
        ),
        advice="Record the visit and bill once it is accepted, or use the payer's exemption.",
    ),
    Rule(
        "evv-element-missing",
        Severity.ERROR,
        "EVV visit {visit} behind {code} on {date} lacks {elements}",
        "21st Century Cures Act §12006 (SSA §1903(l)(5)): service, member, date, location, "
        "worker, begin and end time; Texas HHSC EVV Policy Handbook §7000",
        p("evv_required") & p("evv_visit_matched") & ~p("evv_elements_complete"),
        fix=fix("evv-elements"),
        field="evv_visits",
        needs=[Need.EVV],
        description=(
            "A visit backing the line lacks one of the six Cures Act elements (a location, "
            "the worker, the clock-in or clock-out time, the member)."
        ),
        advice="Complete the visit in the EVV system (visit maintenance) before billing.",
    ),
    Rule(
        "evv-units-over-verified",
        Severity.ERROR,
        "{units} unit(s) of {code} billed on {date}, but the verified visits ({minutes} "
        "minutes) give {verified} under the payer's rounding",
        "Texas HHSC EVV Policy Handbook §8000 (bill hours must equal the units billed); "
        "1 TAC §354.4009 (units match the accepted visit)",
        p("evv_required") & p("evv_visit_matched") & ~p("evv_units_within_verified"),
        fix=fix("evv-units"),
        field="units",
        needs=[Need.EVV],
        description=(
            "The line bills more units than the verified clock-in to clock-out time of its "
            "visits gives under the payer's unit policy."
        ),
        advice="Bill the verified units (``fix``: ``units``).",
    ),
    Rule(
        "per-diem-day-exceeded",
        Severity.ERROR,
        "{detail}",
        "HCPCS 'per diem' descriptors (one unit per day of service); ND DHS Service Chapter "
        "535-05-45 (T1020: one unit per client per day); DOL DEEOIC Bulletin 08-09 (8-hour "
        "shifts)",
        common.known & ~p("per_diem_day_ok"),
        fix=fix("per-diem-day"),
        field="units",
        description=(
            "A per-diem code is billed for the same member and day on several lines (or claims "
            "of a batch) for more units than a day allows: one, or the payer's shifts in 24 "
            "hours."
        ),
        advice="Bill the day once; remove the extra line.",
    ),
    Rule(
        "worker-overlap",
        Severity.WARNING,
        "worker {worker} is in visit {other} for {member} ({claim}) at the same time",
        "21st Century Cures Act §12006 (the worker and the visit's begin and end time are "
        "verified); derived: one person cannot deliver two visits at once",
        ~p("worker_free"),
        fix=fix("worker-overlap"),
        field="evv_visits",
        description=(
            "A visit or service behind the line overlaps in time another visit of the same "
            "worker (by staff id or NPI) for another member or on another claim of the batch "
            "(check claims together with ``check_many(..., batch=True)``)."
        ),
        advice="Correct the clock times or the worker on one of the visits.",
    ),
)
"""The rules of this family, in the order their findings are reported."""
