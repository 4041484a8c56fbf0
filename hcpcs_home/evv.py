"""Electronic visit verification (EVV): verified visits and the claim lines they back.

Section 12006 of the 21st Century Cures Act (Social Security Act §1903(l))
requires states to verify Medicaid personal care and home health care visits
electronically, recording six elements: the type of service, the individual
receiving it, the date, the location, the individual providing it, and the
time the service begins and ends.  States deny or recoup claims that no
accepted visit backs: Texas requires the claim's data to match an accepted
visit (1 TAC §354.4009; HHSC EVV Policy Handbook §12000), matching the
provider, date of service, Medicaid ID, HCPCS code, modifiers and units, and
bill hours must equal the units billed (Handbook §8000).

An :class:`EvvVisit` is one visit as the EVV system recorded it.
:func:`match_visits` pairs a claim's lines with its visits, and each
:class:`LineMatch` says what the visits verify:

>>> from hcpcs_home import Claim, ClaimLine, EvvVisit, payers
>>> visit = EvvVisit("T1019", "2024-03-04", member="M100", start="08:00", stop="12:00",
...                  location="12 Elm St, Fargo ND", worker="W7", method="mobile")
>>> visit.minutes, visit.missing_elements()
(240, ())
>>> claim = Claim(payers.NORTH_DAKOTA_MEDICAID, "2024-03-01", "2024-03-31",
...               patient_id="M100", evv_visits=[visit],
...               lines=[ClaimLine("T1019", "2024-03-04", 17)])
>>> (match,) = match_visits(claim)
>>> [v.id for v in match.visits], match.verified_units(claim)
(['2024-03-04/T1019/M100/0800'], 16)

:func:`worker_overlaps` looks across every claim of a batch for one worker in
two visits at once (on two patients' claims, say); authorizations and caps are
:mod:`hcpcs_home.limits`.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any

import attrs

from . import _evv_visit
from . import _fields as _fields
from ._evv_visit import EvvVisit, VerificationMethod
from ._facts import Facts, payer_of
from ._lazy import first_use
from ._union_find import UnionFind
from ._values import lazy_methods
from .claims import Authorization, Claim, ClaimLine
from .codes import BillingUnit
from .errors import InvalidFieldError
from .payers import Payer

if TYPE_CHECKING:
    from ._evv_overlap import Overlap

__all__ = [
    "ELEMENTS",
    "MAX_SPAN_DAYS",
    "EvvVisit",
    "LineMatch",
    "Overlap",
    "VerificationMethod",
    "batch_of",
    "claim_from_visits",
    "line_dates",
    "match_visits",
    "worker_overlaps",
]


def __dir__() -> list[str]:
    return __all__


# Overlap is defined on first use: a check that finds no worker in two places at once
# never needs the class.
__getattr__ = first_use(__name__, {"Overlap": "._evv_overlap"})


ELEMENTS: tuple[str, ...] = _evv_visit.ELEMENTS
"""The six data elements of Cures Act §12006 (SSA §1903(l)(5)), by the names
:meth:`EvvVisit.missing_elements` reports: type of service, individual
receiving it, date, location of service delivery, individual providing it,
and the time the service begins and ends."""


# --- matching ------------------------------------------------------------------------


@attrs.frozen(slots=True)
@lazy_methods
class LineMatch:
    """The visits that back one claim line.

    :ivar line: the line's index on the claim.
    :ivar visits: the accepted visits paired with it, by start time.
    """

    line: int
    visits: tuple[EvvVisit, ...]

    def missing_dates(self, claim: Claim) -> tuple[_dt.date, ...]:
        """The dates of the line (each date of a span line) that no matched visit covers."""
        covered = {v.date for v in self.visits}
        return tuple(d for d in line_dates(claim.lines[self.line]) if d not in covered)

    @property
    def minutes(self) -> int | None:
        """The verified minutes (the visits' total), ``None`` if one lacks its times."""
        total = 0
        for visit in self.visits:
            m = visit.minutes
            if m is None:
                return None
            total += m
        return total

    def verified_units(self, claim: Claim) -> int | Decimal | None:
        """The units the visits verify for the line's code under the payer's unit policy.

        Timed codes count each day's verified minutes (a day's visits pooled, capped
        at one day) and add the days up (a span line bills the summed units of its
        visits: Texas EVV Policy Handbook §12100); per-diem codes the days;
        per-visit and untimed codes the visits.  ``None`` where the line has no
        visit, its code is unknown, or a visit lacks its times.
        """
        from . import units
        from .catalog import default_catalog
        from .errors import UnknownCodeError

        if not self.visits:
            return None
        line = claim.lines[self.line]
        try:
            code = default_catalog().lookup(line.code)
        except UnknownCodeError:
            return None
        policy = claim.payer.unit_policy
        unit = policy.unit_of(code)
        if unit in (BillingUnit.VISIT, BillingUnit.UNTIMED, BillingUnit.SESSION):
            return len(self.visits)
        spans = [_span(v) for v in self.visits]
        if any(s is None for s in spans):
            return None
        if unit in (BillingUnit.DAY, BillingUnit.DAYS_MONITORED):
            return units.per_diem_units([s for s in spans if s is not None], policy=policy)
        if self.minutes is None or not unit.is_timed:
            return None
        by_day: dict[_dt.date, int] = defaultdict(int)
        for v in self.visits:
            by_day[v.date] += v.minutes or 0
        total: int | Decimal = 0
        for minutes in by_day.values():
            total += units.billable_units(code, min(minutes, units.MAX_LINE_MINUTES), policy=policy)
        return total


def _span(visit: EvvVisit) -> Any:
    from .units import Span

    interval = visit.interval()
    return None if interval is None else Span(*interval)


def _workers(claim: Claim, line: ClaimLine) -> set[str]:
    by_id = {s.id: s for s in claim.services}
    out: set[str] = set()
    for sid in line.service_ids:
        s = by_id.get(sid)
        if s is not None:
            out.update(x for x in (s.rendering_id, s.rendering_npi) if x)
    return out


def _starts(claim: Claim, line: ClaimLine) -> set[_dt.time]:
    by_id = {s.id: s for s in claim.services}
    return {s.start for sid in line.service_ids if (s := by_id.get(sid)) and s.start is not None}


def match_visits(claim: Claim, visits: Iterable[EvvVisit] | None = None) -> tuple[LineMatch, ...]:
    """Pair each line of ``claim`` with the accepted visits that back it.

    A visit backs a line when it has the line's code and date, the claim's
    member (where both are known) and, where the line's services name their
    worker (staff id or NPI), that worker.  Each visit backs one line.
    Several lines of one code on one day take the visits whose clock-in time
    their services document first, then one visit each in order; a lone line
    takes all the day's visits of its code.  ``visits`` defaults to
    ``claim.evv_visits`` (none where the claim does not give them: ``None``).
    Visits the aggregator did not accept back nothing.
    """
    (claim,) = batch_of([claim])
    if visits is not None and (
        isinstance(visits, (str, bytes, Mapping)) or not isinstance(visits, Iterable)
    ):
        raise InvalidFieldError("visits", visits, "must be a sequence of EvvVisits")
    pool = list((claim.evv_visits or ()) if visits is None else visits)
    for i, v in enumerate(pool):
        if not isinstance(v, EvvVisit):
            raise InvalidFieldError(f"visits[{i}]", v, "must be an EvvVisit")
    groups: dict[tuple[str, _dt.date], list[EvvVisit]] = defaultdict(list)
    for v in pool:
        if v.accepted and (claim.patient_id is None or v.member in (None, claim.patient_id)):
            groups[(v.service, v.date)].append(v)
    for group in groups.values():
        group.sort(key=lambda v: (v.start is None, v.start or _dt.time(), v.id))
    lines_by_key: dict[tuple[str, _dt.date], list[int]] = defaultdict(list)
    for i, line in enumerate(claim.lines):
        for day in line_dates(line):
            lines_by_key[(line.code, day)].append(i)
    taken: dict[int, list[EvvVisit]] = {i: [] for i in range(len(claim.lines))}
    for key, indexes in lines_by_key.items():
        free = groups.get(key, [])
        eligible = {
            i: [v for v in free if _worker_ok(v, _workers(claim, claim.lines[i]))] for i in indexes
        }
        here: dict[int, list[EvvVisit]] = {i: [] for i in indexes}
        used: set[str] = set()
        for i in indexes:  # first, visits whose clock-in a linked service documents
            starts = _starts(claim, claim.lines[i])
            for v in eligible[i]:
                if v.id not in used and v.start in starts:
                    here[i].append(v)
                    used.add(v.id)
        rest = [i for i in indexes if not here[i]]
        for i in rest:
            left = [v for v in eligible[i] if v.id not in used]
            chosen = left if len(rest) == 1 else left[:1]
            here[i].extend(chosen)
            used.update(v.id for v in chosen)
        for i in indexes:
            taken[i].extend(here[i])
    return tuple(LineMatch(i, tuple(taken[i])) for i in range(len(claim.lines)))


#: The most days a date-span line may cover (a year), bounding what is expanded.
MAX_SPAN_DAYS = 366


def line_dates(line: ClaimLine) -> tuple[_dt.date, ...]:
    """Every date of a line: its date, or each date from ``date`` through ``through`` on a
    date-span line (837 ``DTP*472*RD8``; Texas EVV Policy Handbook §12100: each date of
    a span needs a matched visit).

    :raises InvalidFieldError: a span of more than :data:`MAX_SPAN_DAYS` days.
    """
    through = line.through
    if through is None:  # the usual line: one date
        return (line.date,)
    days = (through - line.date).days + 1
    if days > MAX_SPAN_DAYS:
        raise InvalidFieldError("through", through, f"spans more than {MAX_SPAN_DAYS} days")
    return tuple(line.date + _dt.timedelta(days=n) for n in range(days))


def _worker_ok(visit: EvvVisit, workers: set[str]) -> bool:
    if not workers:
        return True
    return visit.worker in workers or visit.worker_npi in workers


# --- batch scope ---------------------------------------------------------------------


def worker_overlaps(claims: Sequence[Claim]) -> tuple[Overlap, ...]:
    """Visits in which one worker is in two places at once, across every claim of a batch.

    A worker is matched by id or by NPI, so a visit recorded under the worker's
    id overlaps one recorded under their NPI when a service or visit names
    both.  Both the documented services and the EVV visits count.  Each
    overlapping record is reported once, against the earliest-ending record
    it overlaps (derived: one person cannot deliver two visits at once; payers audit
    shift notes with start and stop times, BCBS TX private-duty nursing policy).

    >>> from hcpcs_home import Claim, payers
    >>> a = EvvVisit("T1019", "2024-03-04", member="M1", start="08:00", stop="12:00", worker="W7")
    >>> b = EvvVisit("T1019", "2024-03-04", member="M2", start="11:00", stop="13:00", worker="W7")
    >>> claims = [Claim(payers.NORTH_DAKOTA_MEDICAID, "2024-03-01", "2024-03-31",
    ...                 patient_id=m, evv_visits=[v]) for m, v in (("M1", a), ("M2", b))]
    >>> [(o.claim, o.other_claim, o.worker) for o in worker_overlaps(claims)]
    [(0, 1, 'W7'), (1, 0, 'W7')]
    """
    claims = batch_of(claims)
    if len(claims) < 2 and not any(c.evv_visits for c in claims):
        # Within one claim only two EVV visits are reported here (two services are the
        # per-claim overlapping-visits rule's business): nothing to find, nothing to do.
        return ()
    people = UnionFind()
    #: (claim, record id, is an EVV visit, names, begin, end): plain tuples of text,
    #: numbers and times, which the garbage collector stops tracking (a batch's worker
    #: group makes several per claim at once; tracked, each collection during the scan
    #: would carry them into the oldest generation)
    records: list[tuple[int, str, bool, tuple[str, ...], _dt.datetime, _dt.datetime]] = []
    for n, claim in enumerate(claims):
        for s in claim.services:
            interval = s.interval()
            names = tuple(x for x in (s.rendering_id, s.rendering_npi) if x)
            if interval is not None and names and interval[1] > interval[0]:
                records.append((n, s.id, False, names, *interval))
        for v in claim.evv_visits or ():
            interval = v.interval()
            names = tuple(x for x in (v.worker, v.worker_npi) if x)
            if interval is not None and names and interval[1] > interval[0]:
                records.append((n, v.id, True, names, *interval))
    for record in records:
        people.join(record[3])
    by_person: dict[str, list[tuple[_dt.datetime, _dt.datetime, int, bool, str, str]]] = (
        defaultdict(list)
    )
    for n, rid, is_visit, names, begin, end in records:
        # EVV visits sort before services of the same time: an overlap names the visit.
        by_person[people.find(min(names))].append((begin, end, n, not is_visit, rid, min(names)))
    out: dict[tuple[int, str], Overlap] = {}
    for spans in by_person.values():
        spans.sort()
        # Sorted by clock-in, so a later record overlaps this one exactly when it clocks in
        # before this one clocks out: the scan stops at the first that does not.
        count = len(spans)
        for a, (_, b1, n, not_visit, rid, name) in enumerate(spans):
            # By index, not a slice: a slice would copy the rest of the list per record.
            for j in range(a + 1, count):
                c0, _, m, other_not_visit, other, _ = spans[j]
                if c0 >= b1:
                    break
                # Within one claim, a service and the EVV visit backing it are one visit,
                # and two services are the per-claim overlapping-visits rule's business.
                if n == m and (not_visit or other_not_visit):
                    continue
                from ._evv_overlap import Overlap  # defined with the first overlap

                out.setdefault((n, rid), Overlap(n, rid, m, other, name))
                out.setdefault((m, other), Overlap(m, other, n, rid, name))
    return tuple(out[k] for k in sorted(out))


def batch_of(claims: object) -> list[Claim]:
    """``claims`` as a list, every item checked to be a :class:`~hcpcs_home.claims.Claim`."""
    # A list or tuple first: the Iterable ABC check costs more than a check's batch of one.
    if (
        type(claims) is not tuple
        and type(claims) is not list
        and (isinstance(claims, (str, bytes, Mapping)) or not isinstance(claims, Iterable))
    ):
        raise InvalidFieldError("claims", claims, "must be a sequence of Claims")
    out = list(claims)
    for i, c in enumerate(out):
        if not isinstance(c, Claim):
            raise InvalidFieldError(f"claims[{i}]", c, "must be a Claim")
    return out


# --- a Medicaid claim from verified visits ---------------------------------------------------


def _month_of(day: _dt.date) -> tuple[_dt.date, _dt.date]:
    first = day.replace(day=1)
    return first, (first.replace(day=28) + _dt.timedelta(days=4)).replace(day=1) - _dt.timedelta(
        days=1
    )


def _revenue_of(code: str) -> str:
    """The code's own revenue code on an institutional claim (``055X`` bills ``0551``)."""
    from .catalog import lookup

    families = lookup(code).revenue_codes
    if not families:
        raise InvalidFieldError(
            "type_of_bill", code, "has no revenue code of its own: bill it on a professional claim"
        )
    return families[0].replace("X", "1")


def _authorization_for(
    facts: Facts, auths: Sequence[Authorization], code: str, day: _dt.date
) -> str | None:
    """The number of the one authorization that covers ``code`` on ``day``, if any."""
    covering = [a for a in auths if code in a.codes and a.covers_date(day)]
    if len(covering) > 1:
        names = ", ".join(a.number for a in covering)
        facts.add("authorizations", names, f"all cover {code} on {day}: which one is not guessed")
    return covering[0].number if len(covering) == 1 else None


def claim_from_visits(
    visits: Iterable[EvvVisit],
    *,
    member: str,
    payer: Payer | str,
    charges: Mapping[str, Decimal | int | str],
    authorizations: Iterable[Authorization] = (),
    type_of_bill: str | None = None,
    **claim_fields: Any,
) -> Claim:
    """A Medicaid claim from the member's accepted EVV visits, units by the payer's policy.

    One line per code and day, carrying the visits' modifiers, its units what
    the day's visits verify under ``payer``'s unit policy
    (:meth:`LineMatch.verified_units`: a day's minutes pooled for timed codes,
    as TMHP counts them; the visits for per-visit codes; the days for per-diem
    codes), charged ``charges[code]`` per unit (rounded half up to the cent),
    and the number of the authorization that covers its code and date
    (:class:`~hcpcs_home.claims.Authorization`).  Texas matches a claim line to
    accepted visits by provider, date, member, code, modifiers and units (HHSC
    EVV Policy Handbook §8000, §12000; 1 TAC §354.4009), so a line per code and
    day is what its visits verify.  The visits ride on the claim
    (``evv_visits``) for the EVV rules to match.

    The statement period is the calendar month of the visits unless
    ``statement_from`` / ``statement_through`` say otherwise; ``patient_id`` is
    ``member``.  ``type_of_bill`` makes an institutional claim whose lines take
    their code's revenue code; without it the claim is professional (837P).
    ``**claim_fields`` sets the claim's other fields (``id`` ...); ``lines``
    are added after the builder's own.  The builder never checks the claim.

    >>> from hcpcs_home import Authorization, payers
    >>> visits = [EvvVisit("T1019", f"2024-03-{d:02d}", member="M100", start="08:00",
    ...                    stop="12:07", location="12 Elm St, Fargo ND", worker="W7")
    ...           for d in (4, 5)]
    >>> auth = Authorization("PA-7", "nd-medicaid", ["T1019"], 90, "hours",
    ...                      "2024-03-01", "2024-03-31")
    >>> claim = claim_from_visits(visits, member="M100", payer=payers.NORTH_DAKOTA_MEDICAID,
    ...                           charges={"T1019": "5.37"}, authorizations=[auth])
    >>> [(li.code, li.date.day, li.units, str(li.charge), li.prior_auth) for li in claim.lines]
    [('T1019', 4, 16, '85.92', 'PA-7'), ('T1019', 5, 16, '85.92', 'PA-7')]

    :raises ~hcpcs_home.errors.InvalidClaimError: the facts contradict each other or
        cannot be read (visits of another member, visits the aggregator did not
        accept, visits outside the period or across months, visits of one code and
        day with different modifiers, an authorization of another payer or two
        covering one line, a code without a charge ...), every problem at once.
    """
    facts = Facts("claim_from_visits")
    found = facts.items("visits", visits, EvvVisit)
    who = facts.read(payer_of, payer, None)
    rates = facts.charges(charges)
    auths = facts.items("authorizations", authorizations, Authorization)
    member_id = facts.read(_fields.text("member"), member, None)
    extra = facts.claim_fields(claim_fields, ("evv_visits", "patient_id"))
    start = facts.optional_date("statement_from", extra.pop("statement_from", None))
    end = facts.optional_date("statement_through", extra.pop("statement_through", None))
    if not found and not facts.problems:
        facts.add("visits", visits, "holds no visit: a claim from visits bills its visits")
    if who is not None:
        for i, auth in enumerate(auths):
            if auth.payer != who.id:
                facts.add(f"authorizations[{i}].payer", auth.payer, f"is not {who.id!r}")
    if who is None or not found:
        facts.check()
    assert who is not None

    days = sorted(v.date for v in found)
    first, last = _month_of(days[0])
    first, last = start or first, end or (last if start is None else max(days[-1], start))
    if end is None and start is None and days[-1] > last:
        facts.add(
            "visits", f"{days[0]}..{days[-1]}", "span two months: give statement_from/through"
        )
    groups: dict[tuple[str, _dt.date], list[tuple[int, EvvVisit]]] = defaultdict(list)
    for i, v in enumerate(found):
        known = len(facts.problems)
        if member_id is not None and v.member not in (None, member_id):
            facts.add(f"visits[{i}].member", "<another member>", "is not the claim's member")
        if not v.accepted:
            facts.add(f"visits[{i}].accepted", False, "an unaccepted visit backs no claim line")
        if not first <= v.date <= last:
            facts.add(f"visits[{i}].date", v.date, f"is outside the period {first}..{last}")
        if len(facts.problems) == known:  # a visit already refused bills no line
            groups[(v.service, v.date)].append((i, v))
    lines: list[ClaimLine] = []
    for (code, day), group in sorted(groups.items(), key=lambda kv: (kv[0][1], kv[0][0])):
        marks = {v.modifiers for _, v in group}
        if len(marks) > 1:
            facts.add(
                f"visits[{group[0][0]}].modifiers",
                sorted(" ".join(m) or "none" for m in marks),
                f"differ among the {code} visits of {day}: bill them as separate claims",
            )
        revenue = None if type_of_bill is None else facts.call(_revenue_of, code)
        lines.append(
            ClaimLine(code, day, 1, revenue, modifiers=group[0][1].modifiers)
        )  # placeholder units: the verified units replace them below
    draft = facts.call(Claim, who, first, last, lines, patient_id=member_id, evv_visits=found)
    if draft is None:
        facts.check()
    assert draft is not None
    billed = []
    for match in match_visits(draft):
        line = draft.lines[match.line]
        units = match.verified_units(draft)
        if not units:
            facts.add(
                f"visits[{groups[(line.code, line.date)][0][0]}]",
                line.code,
                f"verify no unit of {line.code} on {line.date} under the {who.unit_policy} "
                "policy (missing clock times, or too short)",
            )
            continue
        billed.append(
            attrs.evolve(
                line,
                units=units,
                charge=facts.charge(rates, line.code, f"{line.code} on {line.date}", units),
                prior_auth=_authorization_for(facts, auths, line.code, line.date),
            )
        )
    return facts.build(
        extra,
        payer=who,
        statement_from=first,
        statement_through=last,
        lines=billed,
        type_of_bill=type_of_bill,
        patient_id=member_id,
        authorizations=auths,
        evv_visits=found,
    )
