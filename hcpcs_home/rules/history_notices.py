"""Checks against claim history: a hospice live discharge without its notice of
termination/revocation.

When a hospice discharges a beneficiary alive or the beneficiary revokes the
election, the hospice files a Notice of Termination/Revocation (NOTR, type of bill
81B/82B) that the MAC accepts within 5 calendar days after the discharge or
revocation, unless it files the final claim within those 5 days (Pub. 100-04
ch. 11 §20.1.2 and Pub. 100-02 ch. 9 §20.2.4, CR 8877, Transmittal 3032; CGS
"Claim Page 01 - Entering a NOTR (8XB)"; NGS "Filing an Electronic Notice of
Termination-Revocation of Election (TOB 8XB)").  CGS: "Do not submit both a final
claim and an NOTR" (news 2019-01-17).  A transfer to another hospice needs none:
the transferring hospice files its final claim and the receiving one a transfer
notice, 8XC (CGS news 2019-02-19).

What the rule can see, and the choice made: a final hospice claim (frequency 1 or
4) whose patient status is a live discharge (any status but 30, still a patient;
20, 40, 41, 42, a death; 50, 51, a transfer to another hospice) discharges on its
Through date (42 CFR 418.26 discharge, 418.28 revocation; the final claim's
Through date is the discharge date).  An NOTR on file for the beneficiary (added
with ``add``: a hospice claim of frequency B) whose Through date, the effective
date of the discharge, is that day is the NOTR of the discharge.  A claim carries
no date of its filing, so the rule cannot tell whether the final claim itself
reaches the MAC within the 5 days: with no NOTR on file it notes the due date
(informational: the final claim is paid either way); an NOTR on file with another
discharge date is named, since the common working file then holds that date.
"""

from __future__ import annotations

import datetime as _dt

from .._engine import Context, Need, Rule, Scope, Severity, Vocabulary
from ..claims import Claim
from . import _common as common
from ._common import FixResult, Pred
from ._cross import claim_name, same_claim

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


#: Hospice type-of-bill classes (081X, 082X).
_HOSPICE_CLASSES = frozenset({"81", "82"})
#: Frequencies of a claim that ends the hospice's billing of an election: admit through
#: discharge (1) and the last interim claim (4) (NUBC; CGS news 2019-02-19: "final
#: claim (8X4)").
_FINAL = frozenset({"1", "4"})
#: Patient statuses that are not a live discharge or revocation: still a patient (30),
#: a death (20; 40, 41, 42 in hospice), a transfer to another hospice (50 hospice home,
#: 51 hospice medical facility: the receiving hospice files an 8XC, CGS news
#: 2019-02-19).
_NOT_LIVE_DISCHARGE = frozenset({"30", "20", "40", "41", "42", "50", "51"})
#: Calendar days after the discharge or revocation within which the NOTR (or the final
#: claim) is filed (CR 8877).
NOTR_DAYS = 5


class _Key:
    """The key of this family's fact in a claim's memo (not a free string)."""

    __slots__ = ()

    def __repr__(self) -> str:
        return "<history notr>"


_NOTR = _Key()


def _live_discharge(claim: Claim) -> _dt.date | None:
    """The day a final hospice claim discharges the beneficiary alive (its Through
    date), or ``None`` for any other claim."""
    if (
        claim.bill_class not in _HOSPICE_CLASSES
        or claim.frequency not in _FINAL
        or not claim.patient_status
        or claim.patient_status in _NOT_LIVE_DISCHARGE
    ):
        return None
    return claim.statement_through


def _problem(ctx: Context) -> tuple[_dt.date, Claim | None] | None:
    """The live discharge without its NOTR on file, and the NOTR on file of another date
    (``None`` if there is none); ``None`` when the NOTR is on file."""
    if _NOTR not in ctx.claim_memo:
        ctx.claim_memo[_NOTR] = _compute(ctx)
    found: tuple[_dt.date, Claim | None] | None = ctx.claim_memo[_NOTR]
    return found


def _compute(ctx: Context) -> tuple[_dt.date, Claim | None] | None:
    claim, history = ctx.claim, ctx.history
    day = _live_discharge(claim)
    if history is None or day is None or not claim.patient_id:
        return None
    end = day + _dt.timedelta(days=NOTR_DAYS)
    notices = [
        c
        for c in history.claims(claim.patient_id, claim.statement_from, end)
        if c.bill_class in _HOSPICE_CLASSES and c.frequency == "B" and not same_claim(c, claim)
    ]
    if any(c.statement_through == day for c in notices):
        return None
    return day, (notices[-1] if notices else None)


def notr_on_file() -> Pred:
    """A final hospice claim that discharges the beneficiary alive (a status other than
    30, a death or a transfer) has the NOTR (TOB 8XB) of that discharge on file: one
    whose Through date is the claim's (Pub. 100-04 ch. 11 §20.1.2; CR 8877)."""
    return lambda ctx: _problem(ctx) is None


def _fix_notr(ctx: Context) -> FixResult:
    found = _problem(ctx)
    if found is None:
        return None, {}, {"status": "", "day": "", "detail": ""}
    day, other = found
    due = (day + _dt.timedelta(days=NOTR_DAYS)).isoformat()
    facts = {"status": ctx.claim.patient_status or "", "day": day.isoformat()}
    if other is not None:
        detail = (
            f"; the NOTR on file, {claim_name(other)}, is for a discharge on "
            f"{other.statement_through.isoformat()}"
        )
        advice = "correct the NOTR's date (a new NOTR with the discharge date) or the claim's"
        return advice, {}, {**facts, "detail": detail}
    detail = f"; it is due by {due} unless this final claim reaches the MAC by then"
    return (
        "file the NOTR (TOB 8XB) unless this final claim is filed by " + due,
        {},
        {
            **facts,
            "detail": detail,
        },
    )


VOCABULARY = Vocabulary(
    predicates={"notr_on_file": notr_on_file},
    fixers={"history-notr": _fix_notr},
)
"""The predicate and fixer of this family."""

RULES: tuple[Rule, ...] = (
    Rule(
        "history-hospice-notr-missing",
        Severity.INFO,
        "discharged alive (status {status}) on {day} with no NOTR (TOB 8XB) of that "
        "discharge on file{detail}",
        "Pub. 100-04 ch. 11 §20.1.2 and Pub. 100-02 ch. 9 §20.2.4 (CR 8877, Transmittal "
        '3032: the NOTR within 5 calendar days unless the final claim is filed); CGS "Claim '
        'Page 01 - Entering a NOTR (8XB)"; CGS news 2019-01-17 and 2019-02-19',
        (common.VOCABULARY | VOCABULARY).predicate("bill_class", classes=sorted(_HOSPICE_CLASSES))
        & ~VOCABULARY.predicate("notr_on_file"),
        fix=VOCABULARY.fix("history-notr"),
        scope=Scope.CLAIM,
        effective_from=_dt.date(2014, 10, 1),
        payers=["medicare"],
        field="patient_status",
        needs=[Need.HISTORY],  # the NOTRs on file: none without a history
        description=(
            "A final hospice claim (frequency 1 or 4) that discharges the beneficiary alive "
            "or records a revocation, with no notice of termination/revocation on file whose "
            "Through date is the discharge date."
        ),
        advice=(
            "File the NOTR within 5 calendar days of the discharge unless the final claim "
            "is filed by then; correct an NOTR filed with another date."
        ),
    ),
)
"""The rules of this family, in the order their findings are reported."""
