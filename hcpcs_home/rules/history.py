"""Checks against claim history: what one claim cannot show alone.

Every predicate here asks the :class:`~hcpcs_home.history.ClaimHistory` passed to
the check (``check(claim, history=...)``); without one they hold nothing, so a
check without history finds nothing here.  Every finding names the earlier claim
(or stay, or certification) it conflicts with.

Sources: FISS reason codes as MACs publish them (19963 no matching NOA, U538F
overlapping periods, 38031/38157/38158/38200 duplicates, C7080 inpatient overlap,
C7010 hospice overlap, 37402 hospice claims out of sequence); Pub. 100-04 ch. 10
§10.1.10 (NOA) and §10.1.14 (discharge and readmission) and ch. 11 §20.1 (NOE);
42 CFR 418.21 (hospice benefit periods) and 418.22(a)(4) (face-to-face encounter).
"""

from __future__ import annotations

import datetime as _dt
from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from .._engine import Context, Need, Rule, Scope, Severity, Vocabulary
from ..claims import Claim
from . import _common as common
from ._common import FixResult, Pred
from ._cross import claim_name, records, same_claim, stored_claims

if TYPE_CHECKING:  # hcpcs_home.history loads with the first history a check is given
    from ..history._records import Certification, Stay

__all__ = ["RULES", "VOCABULARY"]


def __dir__() -> list[str]:
    return __all__


_DAY = _dt.timedelta(days=1)
#: Home-health type-of-bill classes: 032X, and 033X (ended in 2013; CMS's synthetic
#: RIF samples still carry it).
_HH_CLASSES = frozenset({"32", "33"})
_HOSPICE_CLASSES = frozenset({"81", "82"})
#: Frequencies of claims that bill care (NUBC: 1 admit through discharge, 2-4 interim,
#: 7 replacement, 9 final claim of a home-health period); notices (A, B, D...) and
#: voids (8) bill none.
_BILLING = frozenset("12349")
#: Patient status codes of a discharge that is not a death or still a patient.
_NOT_DISCHARGED = frozenset({"30"})
_DEATHS = frozenset({"20", "40", "41", "42"})
#: Hospice benefit periods: two of 90 days, then 60 days each (42 CFR 418.21(a)).
_PERIODS = (90, 90)
_LATER_PERIOD = 60
#: The face-to-face encounter falls no more than 30 calendar days before the third
#: and each later period (42 CFR 418.22(a)(4)).
_F2F_WINDOW = _dt.timedelta(days=30)
#: How far back a check looks for the claims of a beneficiary (one look, kept for
#: every rule of the claim): a 60-day episode or two 30-day periods before, and what
#: follows.
_LOOK_BACK = _dt.timedelta(days=120)


# --- what the history holds for the claim (once per claim) ---------------------------


class _Key:
    """A key of this family's facts in a claim's memo (not a free string)."""

    __slots__ = ("name",)

    def __init__(self, name: str) -> None:
        self.name = name

    def __repr__(self) -> str:
        return f"<history {self.name}>"


_KEYS: dict[str, _Key] = {}


def _key(name: str) -> _Key:
    found = _KEYS.get(name)
    if found is None:
        found = _KEYS.setdefault(name, _Key(name))
    return found


_OTHERS = _key("others")
_STAYS = _key("stays")


def _others(ctx: Context) -> tuple[Claim, ...]:
    """The beneficiary's stored claims around the claim (not the claim itself)."""
    found: tuple[Claim, ...] | None = ctx.claim_memo.get(_OTHERS)
    if found is None:
        claim = ctx.claim
        if ctx.history is None or not claim.patient_id:
            found = ()
        else:
            start = min(claim.statement_from, claim.admission_date or claim.statement_from)
            stored = ctx.history.claims(
                claim.patient_id, start - _LOOK_BACK, claim.statement_through + _LOOK_BACK
            )
            found = tuple(c for c in stored if not same_claim(c, claim))
        ctx.claim_memo[_OTHERS] = found
    return found


def _on(ctx: Context, day: _dt.date) -> tuple[Claim, ...]:
    """The beneficiary's stored claims whose period holds ``day`` (for notices far back)."""
    claim = ctx.claim
    if ctx.history is None or not claim.patient_id:
        return ()
    return tuple(
        c for c in ctx.history.claims(claim.patient_id, day, day) if not same_claim(c, claim)
    )


def _memo(ctx: Context, name: str, compute: Any) -> Any:
    key = _key(name)
    if key not in ctx.claim_memo:
        ctx.claim_memo[key] = compute(ctx) if ctx.history is not None else None
    return ctx.claim_memo[key]


def _billing(claim: Claim, classes: frozenset[str]) -> bool:
    return claim.bill_class in classes and (claim.frequency or "") in _BILLING


_name = claim_name


# --- home health ----------------------------------------------------------------------


def _noa_problem(ctx: Context) -> tuple[str, Claim | None] | None:
    claim = ctx.claim
    admission = claim.admission_date
    if admission is None or not _billing(claim, _HH_CLASSES):
        return None
    notices = [c for c in _on(ctx, admission) if c.type_of_bill in ("032A",)]
    notices += [c for c in _others(ctx) if c.type_of_bill == "032A" and c not in notices]
    for n in notices:
        if (n.admission_date or n.statement_from) == admission:
            return None
    earlier = [n for n in notices if n.statement_from <= claim.statement_through]
    return ("differs", earlier[-1]) if earlier else ("missing", None)


def hh_noa_on_file() -> Pred:
    """A home-health claim's admission has a notice of admission (TOB 032A) on file with
    the same admission date (FISS reason code 19963, NGS and Palmetto; Pub. 100-04
    ch. 10 §10.1.10)."""
    return lambda ctx: _memo(ctx, "noa", _noa_problem) is None


def _overlap(ctx: Context) -> Claim | None:
    claim = ctx.claim
    if not _billing(claim, _HH_CLASSES) or claim.frequency == "7":
        return None
    for other in _others(ctx):
        if (
            _billing(other, _HH_CLASSES)
            and other.frequency != "7"
            and other.statement_from <= claim.statement_through
            and other.statement_through >= claim.statement_from
        ):
            return other
    return None


def hh_period_free() -> Pred:
    """No home-health claim already billed for the beneficiary overlaps the claim's
    period (FISS reason code U538F, CGS reason code search; U538I for another agency,
    Palmetto)."""
    return lambda ctx: _memo(ctx, "overlap", _overlap) is None


def _skipped(ctx: Context) -> Claim | None:
    claim = ctx.claim
    admission = claim.admission_date
    if admission is None or not _billing(claim, _HH_CLASSES) or claim.statement_from <= admission:
        return None
    same = [
        c
        for c in _others(ctx)
        if _billing(c, _HH_CLASSES)
        and c.admission_date == admission
        and c.statement_from < claim.statement_from
    ]
    if not same:
        return None
    previous = claim.statement_from - _DAY
    if any(c.statement_from <= previous <= c.statement_through for c in same):
        return None
    return max(same, key=lambda c: c.statement_through)


def hh_previous_period_billed() -> Pred:
    """A later period of an admission follows a billed period: the day before its From
    is in a claim of the same admission, when the admission has an earlier claim
    (derived: periods are contiguous, CGS "Reason Code 38107" (From is day 31, 61...);
    a period without visits is not billed, CGS final-claim page)."""
    return lambda ctx: _memo(ctx, "skipped", _skipped) is None


def _readmitted(ctx: Context) -> Claim | None:
    claim = ctx.claim
    admission = claim.admission_date
    if admission is None or not _billing(claim, _HH_CLASSES):
        return None
    length = 30 if admission >= _dt.date(2020, 1, 1) else 60
    for other in reversed(_others(ctx)):
        if (
            _billing(other, _HH_CLASSES)
            and other.patient_status
            and other.patient_status not in _NOT_DISCHARGED | _DEATHS
            and (other.admission_date or other.statement_from) < admission
            and other.statement_through <= admission
            and admission < other.statement_from + _dt.timedelta(days=length)
        ):
            return other
    return None


def hh_not_readmitted_in_period() -> Pred:
    """The admission does not begin inside the 30-day period (60-day episode before 2020)
    of a claim that discharged the beneficiary: a return within the period is billed
    on one claim when the discharge was for an inpatient stay, and otherwise ends the
    earlier period in a partial payment (CGS "Discharge and Readmit for Home Health
    Services", quoting Pub. 100-04 ch. 10 §10.1.14)."""
    return lambda ctx: _memo(ctx, "readmitted", _readmitted) is None


def _stay_of_line(ctx: Context) -> Stay | None:
    claim, line = ctx.claim, ctx.line
    if line is None or ctx.history is None or not claim.patient_id:
        return None
    if not _billing(claim, _HH_CLASSES) or line.revenue_code in (None, "0023"):
        return None
    stays: Sequence[Stay] | None = ctx.claim_memo.get(_STAYS)
    if stays is None:
        stays = ctx.claim_memo[_STAYS] = tuple(
            ctx.history.stays(claim.patient_id, claim.statement_from, claim.statement_through)
        )
    for stay in stays:
        if stay.admitted < line.date < stay.discharged:
            return stay
    return None


def hh_line_outside_stays() -> Pred:
    """The visit line is not dated inside an inpatient stay of the beneficiary (days
    after admission and before discharge): inpatient claims take priority (FISS reason
    code C7080, Cahaba FAQ quoting Pub. 100-04 ch. 10 §30.9; the admission and
    discharge days themselves are allowed, derived)."""
    return lambda ctx: _stay_of_line(ctx) is None


def _hospice_overlap(ctx: Context) -> Claim | None:
    claim = ctx.claim
    if not _billing(claim, _HH_CLASSES) or "07" in claim.condition_codes:
        return None
    for other in _others(ctx):
        if (
            _billing(other, _HOSPICE_CLASSES)
            and other.statement_from <= claim.statement_through
            and other.statement_through >= claim.statement_from
        ):
            return other
    return None


def hh_outside_hospice_election() -> Pred:
    """A home-health claim during a hospice election carries condition code 07 (treatment
    of a condition unrelated to the terminal illness) (FISS reason code C7010, NGS)."""
    return lambda ctx: _memo(ctx, "hospice", _hospice_overlap) is None


# --- hospice --------------------------------------------------------------------------


def _noe_problem(ctx: Context) -> tuple[str, Claim | None] | None:
    claim = ctx.claim
    election = claim.admission_date
    if election is None or not _billing(claim, _HOSPICE_CLASSES):
        return None
    notices = [c for c in _on(ctx, election) if c.bill_class in _HOSPICE_CLASSES]
    notices += [c for c in _others(ctx) if c not in notices]
    notices = [c for c in notices if c.frequency == "A" and c.bill_class in _HOSPICE_CLASSES]
    for n in notices:
        if (n.admission_date or n.statement_from) == election:
            return None
    earlier = [n for n in notices if n.statement_from <= claim.statement_through]
    return ("differs", earlier[-1]) if earlier else ("missing", None)


def hospice_noe_on_file() -> Pred:
    """A hospice claim's election has its notice of election (TOB 8XA) on file with the
    same admission (election) date (Pub. 100-04 ch. 11 §20.1; CR 7473: the NOE is
    processed before claims)."""
    return lambda ctx: _memo(ctx, "noe", _noe_problem) is None


def benefit_period(election: _dt.date, day: _dt.date) -> tuple[int, _dt.date]:
    """The number (1, 2, ...) and first day of the hospice benefit period holding ``day``,
    counted from ``election``: 90 days, 90 days, then 60 days each (42 CFR 418.21)."""
    start, number = election, 1
    for length in _PERIODS:
        end = start + _dt.timedelta(days=length)
        if day < end:
            return number, start
        start, number = end, number + 1
    later = (day - start).days // _LATER_PERIOD
    return number + later, start + _dt.timedelta(days=later * _LATER_PERIOD)


def _f2f_problem(ctx: Context) -> tuple[int, _dt.date, Certification | None] | None:
    claim = ctx.claim
    election = claim.admission_date
    if election is None or not claim.patient_id or not _billing(claim, _HOSPICE_CLASSES):
        return None
    assert ctx.history is not None
    number, start = benefit_period(election, claim.statement_from)
    if number < 3:
        return None
    certs = {c.period_start: c for c in ctx.history.certifications(claim.patient_id)}
    cert = certs.get(start)
    f2f = None if cert is None else cert.face_to_face
    if f2f is not None and start - _F2F_WINDOW <= f2f <= start:
        return None
    return number, start, cert


def hospice_face_to_face_recorded() -> Pred:
    """A hospice claim in the third or a later benefit period has that period's
    certification on file with a face-to-face encounter no more than 30 days before the
    period starts (42 CFR 418.22(a)(4); periods of 42 CFR 418.21 counted from the
    claim's admission (election) date)."""
    return lambda ctx: _memo(ctx, "f2f", _f2f_problem) is None


def _out_of_sequence(ctx: Context) -> tuple[Claim | None] | None:
    claim = ctx.claim
    election = claim.admission_date
    if (
        election is None
        or not _billing(claim, _HOSPICE_CLASSES)
        or claim.frequency == "7"
        or claim.statement_from <= election
    ):
        return None
    same = [
        c
        for c in _others(ctx)
        if _billing(c, _HOSPICE_CLASSES)
        and c.admission_date == election
        and c.statement_from < claim.statement_from
    ]
    previous = claim.statement_from - _DAY
    if any(c.statement_from <= previous <= c.statement_through for c in same):
        return None
    return (max(same, key=lambda c: c.statement_through) if same else None,)


def hospice_previous_claim_on_file() -> Pred:
    """A hospice claim after the first of its election follows a claim on file ending the
    day before its From: hospice claims are billed in sequence (FISS reason code 37402,
    CGS reason codes; CGS news 2020-05-18)."""
    return lambda ctx: _memo(ctx, "sequence", _out_of_sequence) is None


# --- any claim ------------------------------------------------------------------------


def _duplicate(ctx: Context) -> Claim | None:
    claim = ctx.claim
    if ctx.history is None or (claim.frequency or "") in ("7", "8"):
        return None
    same_period: Sequence[Claim] = ()
    if claim.patient_id:  # the beneficiary's claims of the period, shared with other rules
        same_period = stored_claims(ctx, claim.statement_from, claim.statement_through)
        if not same_period:  # the usual answer: nothing on file to match
            return None
    claim_key = records().claim_key
    if claim.id:
        # A claim stored under the claim's key has its beneficiary and From date, so it is
        # one of the period's claims (a claim without beneficiary is asked for by key).
        key = claim_key(claim)
        if claim.patient_id:
            stored = next((c for c in same_period if c.id and claim_key(c) == key), None)
        else:
            stored = ctx.history.get(key)
        if stored is not None and stored != claim:
            return stored
    if not claim.patient_id:
        return None
    lines = sorted((li.code, li.date, li.units, li.revenue_code or "") for li in claim.lines)
    for other in same_period:
        if same_claim(other, claim):
            continue
        if (
            other.payer.id == claim.payer.id
            and (other.type_of_bill or "")[:3] == (claim.type_of_bill or "")[:3]
            and other.statement_from == claim.statement_from
            and other.statement_through == claim.statement_through
            and (other.frequency or "") not in ("7", "8")
            and lines
            == sorted((li.code, li.date, li.units, li.revenue_code or "") for li in other.lines)
        ):
            return other
    return None


def not_billed_before() -> Pred:
    """No claim already on file bills the same beneficiary, payer, type of bill, period
    and lines, and the claim's number is not on file with other content (FISS reason
    codes 38031, 38157, 38158 and 38200, Palmetto "Reason Codes 38031, 38157, 38158
    and 38200": a change is sent as a replacement, frequency 7)."""
    return lambda ctx: _memo(ctx, "duplicate", _duplicate) is None


# --- fixers ---------------------------------------------------------------------------


def _fix_noa(ctx: Context) -> FixResult:
    found = _memo(ctx, "noa", _noa_problem)
    if found is None:
        return None, {}, {"detail": ""}
    why, other = found
    if why == "differs":
        assert other is not None
        when = (other.admission_date or other.statement_from).isoformat()
        detail = f"; the NOA on file, {_name(other)}, is for admission {when}"
        return (
            "correct the admission date to the NOA's, or send the NOA of this admission",
            {},
            {
                "detail": detail,
                "other": _name(other),
                "admission": _admission(ctx),
            },
        )
    return (
        "send the notice of admission (TOB 032A) and bill once it is accepted",
        {},
        {
            "detail": "",
            "other": "",
            "admission": _admission(ctx),
        },
    )


def _admission(ctx: Context) -> str:
    day = ctx.claim.admission_date
    return "" if day is None else day.isoformat()


def _fix_noe(ctx: Context) -> FixResult:
    found = _memo(ctx, "noe", _noe_problem)
    facts: dict[str, Any] = {"admission": _admission(ctx), "detail": ""}
    if found is None:
        return None, {}, facts
    why, other = found
    if why == "differs":
        assert other is not None
        when = (other.admission_date or other.statement_from).isoformat()
        facts["detail"] = f"; the NOE on file, {_name(other)}, is for an election on {when}"
        return "correct the admission date to the NOE's, or send this election's NOE", {}, facts
    return "send the notice of election (TOB 8XA) and bill once it is accepted", {}, facts


def _fix_other(ctx: Context, name: str, compute: Any, advice: str) -> FixResult:
    other = _memo(ctx, name, compute)
    return advice, {}, {"other": "" if other is None else _name(other)}


def _fix_duplicate(ctx: Context) -> FixResult:
    return _fix_other(
        ctx, "duplicate", _duplicate, "send a replacement (frequency 7) or drop this copy"
    )


def _fix_hospice(ctx: Context) -> FixResult:
    return _fix_other(
        ctx,
        "hospice",
        _hospice_overlap,
        "add condition code 07 if the care is unrelated to the terminal illness",
    )


def _fix_overlap(ctx: Context) -> FixResult:
    return _fix_other(
        ctx, "overlap", _overlap, "correct the period, or replace (frequency 7) the earlier claim"
    )


def _fix_skipped(ctx: Context) -> FixResult:
    return _fix_other(ctx, "skipped", _skipped, "bill the period before first, if it had visits")


def _fix_stay(ctx: Context) -> FixResult:
    stay = _stay_of_line(ctx)
    if stay is None:
        return None, {}, {"stay": ""}
    where = f" (claim {stay.source.rsplit('|', 1)[-1]})" if stay.source else ""
    text = f"{stay.kind} stay {stay.admitted.isoformat()} to {stay.discharged.isoformat()}{where}"
    return (
        "remove the visit or correct its date: the inpatient claim takes priority",
        {},
        {"stay": text},
    )


def _fix_f2f(ctx: Context) -> FixResult:
    found = _memo(ctx, "f2f", _f2f_problem)
    if found is None:
        return None, {}, {"number": "", "start": "", "detail": ""}
    number, start, cert = found
    if cert is None:
        detail = "no certification of the period is on file"
    elif cert.face_to_face is None:
        detail = "its certification on file records no face-to-face date"
    else:
        detail = f"the face-to-face date on file, {cert.face_to_face.isoformat()}, is outside it"
    return (
        "record the face-to-face encounter (add_certification(..., face_to_face=...))",
        {},
        {"number": number, "start": start.isoformat(), "detail": detail},
    )


def _fix_sequence(ctx: Context) -> FixResult:
    found = _memo(ctx, "sequence", _out_of_sequence)
    if found is None:
        return None, {}, {"other": ""}
    (other,) = found
    last = "no earlier claim of the election" if other is None else f"the last is {_name(other)}"
    return "bill the missing earlier period first", {}, {"other": last}


def _fix_readmitted(ctx: Context) -> FixResult:
    other = _memo(ctx, "readmitted", _readmitted)
    if other is None:
        return None, {}, {"other": "", "status": "", "admission": _admission(ctx)}
    return (
        "bill the return on the earlier admission, or confirm the discharge (goals met) "
        "and expect a partial payment of the earlier period",
        {},
        {"other": _name(other), "status": other.patient_status, "admission": _admission(ctx)},
    )


VOCABULARY = Vocabulary(
    predicates={
        "hh_line_outside_stays": hh_line_outside_stays,
        "hh_noa_on_file": hh_noa_on_file,
        "hh_not_readmitted_in_period": hh_not_readmitted_in_period,
        "hh_outside_hospice_election": hh_outside_hospice_election,
        "hh_period_free": hh_period_free,
        "hh_previous_period_billed": hh_previous_period_billed,
        "hospice_face_to_face_recorded": hospice_face_to_face_recorded,
        "hospice_noe_on_file": hospice_noe_on_file,
        "hospice_previous_claim_on_file": hospice_previous_claim_on_file,
        "not_billed_before": not_billed_before,
    },
    fixers={
        "history-duplicate": _fix_duplicate,
        "history-f2f": _fix_f2f,
        "history-hospice": _fix_hospice,
        "history-noa": _fix_noa,
        "history-noe": _fix_noe,
        "history-overlap": _fix_overlap,
        "history-readmitted": _fix_readmitted,
        "history-sequence": _fix_sequence,
        "history-skipped": _fix_skipped,
        "history-stay": _fix_stay,
    },
)
"""The predicates and fixers of this family."""

p = (common.VOCABULARY | VOCABULARY).predicate
fix = VOCABULARY.fix
hh = p("bill_class", classes=sorted(_HH_CLASSES))
hospice = p("bill_class", classes=sorted(_HOSPICE_CLASSES))


#: What every rule of the family needs: the claims on file (none fires without them).
_ON_FILE = [Need.HISTORY]


def _rules() -> tuple[Rule, ...]:
    medicare: Any = ["medicare"]
    return (
        Rule(
            "history-duplicate",
            Severity.ERROR,
            "the claim was already billed: {other}",
            'FISS reason codes 38031, 38157, 38158, 38200 (Palmetto "Reason Codes 38031, '
            '38157, 38158 and 38200"; CGS reason code search 38031)',
            ~p("not_billed_before"),
            fix=fix("history-duplicate"),
            scope=Scope.CLAIM,
            field="id",
            needs=_ON_FILE,
            description=(
                "A claim on file bills the same beneficiary, payer, type of bill, period and "
                "lines, or the claim's number is on file with other content."
            ),
            advice="Send a change as a replacement (frequency 7); never send a claim twice.",
        ),
        Rule(
            "history-hh-noa-missing",
            Severity.ERROR,
            "no notice of admission on file for the admission of {admission}{detail}",
            "FISS reason code 19963 (NGS production alert; Palmetto 2024-08-30); Pub. 100-04 "
            "ch. 10 §10.1.10",
            hh & ~p("hh_noa_on_file"),
            fix=fix("history-noa"),
            scope=Scope.CLAIM,
            effective_from=_dt.date(2022, 1, 1),
            payers=medicare,
            field="notice_accepted",
            needs=_ON_FILE,
            description=(
                "A home-health claim whose admission has no accepted notice of admission (TOB "
                "032A) on file with the same admission date."
            ),
            advice="Send the NOA (or correct the admission date to the NOA's) before billing.",
        ),
        Rule(
            "history-hh-period-overlap",
            Severity.ERROR,
            "the period overlaps a home-health claim already billed: {other}",
            "FISS reason code U538F (CGS reason code search); U538I for another agency's "
            "period (Palmetto)",
            hh & ~p("hh_period_free"),
            fix=fix("history-overlap"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="statement_from",
            needs=_ON_FILE,
            description=(
                "A home-health claim whose statement period overlaps one already billed for "
                "the beneficiary (replacements, frequency 7, excepted)."
            ),
            advice="Correct the period, or replace the earlier claim.",
        ),
        Rule(
            "history-hh-period-skipped",
            Severity.INFO,
            "the period before this one is not billed; the admission's last claim on file is "
            "{other}",
            'Derived: periods are contiguous (CGS "Reason Code 38107": From is day 31, 61...); '
            "a period without visits is not billed (CGS final-claim page)",
            hh & ~p("hh_previous_period_billed"),
            fix=fix("history-skipped"),
            scope=Scope.CLAIM,
            effective_from=_dt.date(2020, 1, 1),
            payers=medicare,
            field="statement_from",
            needs=_ON_FILE,
            description=(
                "A later period of an admission whose previous period has no claim on file "
                "(a note: a period without visits is not billed)."
            ),
            advice="Bill the earlier period first if it had visits.",
        ),
        Rule(
            "history-hh-readmitted",
            Severity.WARNING,
            "admitted {admission}, inside the period of {other}, which discharged the "
            "beneficiary (status {status})",
            'CGS "Discharge and Readmit for Home Health Services", quoting Pub. 100-04 ch. 10 '
            "§10.1.14",
            hh & ~p("hh_not_readmitted_in_period"),
            fix=fix("history-readmitted"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="admission_date",
            needs=_ON_FILE,
            description=(
                "A home-health admission that begins inside the 30-day period (60-day episode "
                "before 2020) of an earlier claim that discharged the beneficiary."
            ),
            advice=(
                "A return after an inpatient stay continues the earlier period; a return after "
                "a goals-met discharge ends it in a partial payment."
            ),
        ),
        Rule(
            "history-hh-inpatient-overlap",
            Severity.ERROR,
            "visit on {date} falls inside the {stay}",
            "FISS reason code C7080 (Cahaba GBA FAQ, quoting Pub. 100-04 ch. 10 §30.9: "
            "inpatient claims take priority); admission and discharge days allowed (derived)",
            hh & ~p("hh_line_outside_stays"),
            fix=fix("history-stay"),
            field="date",
            needs=_ON_FILE,
            payers=medicare,
            description=(
                "A home-health visit line dated after an inpatient admission and before its "
                "discharge (stays added with add_stay or read from inpatient claims)."
            ),
            advice="Correct the visit's date or remove it; no visits during an inpatient stay.",
        ),
        Rule(
            "history-hh-hospice-overlap",
            Severity.ERROR,
            "the period overlaps hospice claim {other} without condition code 07",
            "FISS reason code C7010 (NGS); condition code 07 (NUBC): treatment of a "
            "non-terminal condition for a hospice patient",
            hh & ~p("hh_outside_hospice_election"),
            fix=fix("history-hospice"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="condition_codes",
            needs=_ON_FILE,
            description=(
                "A home-health claim whose period overlaps a hospice claim of the beneficiary "
                "and that does not carry condition code 07."
            ),
            advice="Condition code 07 when the care treats a condition unrelated to the "
            "terminal illness; otherwise the hospice provides it.",
        ),
        Rule(
            "history-hospice-noe-missing",
            Severity.ERROR,
            "no notice of election on file for the election of {admission}{detail}",
            "Pub. 100-04 ch. 11 §20.1 (the NOE, TOB 8XA); CR 7473 (an NOE is processed "
            "before claims)",
            hospice & ~p("hospice_noe_on_file"),
            fix=fix("history-noe"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="notice_accepted",
            needs=_ON_FILE,
            description=(
                "A hospice claim whose election has no notice of election (TOB 8XA) on file "
                "with the same admission date."
            ),
            advice="Send the NOE and bill once it is accepted.",
        ),
        Rule(
            "history-hospice-face-to-face",
            Severity.ERROR,
            "benefit period {number} from {start} needs a face-to-face encounter in the 30 days "
            "before it: {detail}",
            "42 CFR 418.22(a)(4) (face-to-face before the third and each later period); "
            "42 CFR 418.21 (periods of 90, 90, then 60 days)",
            hospice & ~p("hospice_face_to_face_recorded"),
            fix=fix("history-f2f"),
            scope=Scope.CLAIM,
            effective_from=_dt.date(2011, 1, 1),
            payers=medicare,
            field="statement_from",
            needs=_ON_FILE,
            description=(
                "A hospice claim in the third or a later benefit period (counted from its "
                "admission date) without that period's face-to-face encounter on file."
            ),
            advice="Record the period's certification with its face-to-face date.",
        ),
        Rule(
            "history-hospice-sequence",
            Severity.ERROR,
            "the claim before this one in the election is not on file ({other})",
            "FISS reason code 37402 (CGS reason code search; CGS news 2020-05-18: hospice "
            "claims are processed in sequence)",
            hospice & ~p("hospice_previous_claim_on_file"),
            fix=fix("history-sequence"),
            scope=Scope.CLAIM,
            payers=medicare,
            field="statement_from",
            needs=_ON_FILE,
            description=(
                "A hospice claim after the first of its election with no claim on file ending "
                "the day before its From."
            ),
            advice="Bill the election's claims in order.",
        ),
    )


RULES: tuple[Rule, ...] = _rules()
"""The rules of this family, in the order their findings are reported."""
