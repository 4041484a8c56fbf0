"""One pass over a claim's lines and services: the facts several claim rules start from.

Repeated lines (``duplicate-line``), per-diem days over their limit
(``per-diem-day-exceeded``) and one person's overlapping services
(``overlapping-visits``) each group the claim's lines or services some way.
:data:`SHEET` works out once per claim, in one pass over the lines and one over
the services, whether any group can hold anything (the usual claim: no two lines
of one code on one day, no person with two services on one day), and groups the
services by person only where some can; each family's own facts read the
:class:`Sheet` and skip their own work where it says there is nothing to find.

The site-of-service rules and the PDGM rules both read a home-health claim's visit
lines: :data:`HOME_VISITS` sorts them out for both in one pass.
"""

from __future__ import annotations

import datetime as _dt
from typing import Any

from .._benefits import TELEHEALTH_CODES
from .._engine import ClaimFact, Context
from .._memo import keep as _keep
from ..claims import ClaimLine
from ._common import HH_VISIT_FAMILIES

__all__ = ["HOME_VISITS", "SHEET", "VISIT_FAMILIES", "HomeVisits", "Sheet"]


def __dir__() -> list[str]:
    return __all__


class Sheet:
    """What two passes over a claim's lines and services find (a private record read by
    the claim rules, not a value: a plain slotted class).

    :ivar repeats: whether two lines bill one code on one date (else no line can
        repeat another, and no two lines dated alike share a per-diem day).
    :ivar people: the services with clock times and at least a minute, by rendering
        person (staff id, else NPI), where two of one person's services could overlap;
        ``None`` where none can: no person (nor two services without one) has two
        services on one date, and none runs past midnight or starts part way into a
        minute (a person's usual month).
    """

    __slots__ = ("people", "repeats")

    def __init__(self, repeats: bool, people: dict[str, list[Any]] | None) -> None:
        self.repeats = repeats
        self.people = people


def _sheet(ctx: Context) -> Sheet:
    claim = ctx.claim
    lines = claim.lines
    # Sets built by comprehension (the loop runs in C): several times cheaper than
    # grouping first and looking for a clash in each group.
    repeats = len({(line.code, line.date) for line in lines}) != len(lines)
    services = claim.services
    if len({(s.rendering_id or s.rendering_npi, s.date) for s in services}) == len(services):
        for s in services:
            start = s.start
            if start is not None:
                left = _LEFT.get(start)
                if left is None:
                    left = _left_of(start)
                if (s.minutes or 0) > left:  # past midnight, or a part-minute start
                    break
        else:
            return Sheet(repeats, None)
    people: dict[str, list[Any]] = {}
    for s in services:
        person = s.rendering_id or s.rendering_npi
        if person and s.start is not None and s.minutes:  # a span of at least a minute
            found = people.get(person)
            if found is None:
                people[person] = [s]
            else:
                found.append(s)
    return Sheet(repeats, people)


#: The minutes from each start time to midnight, ``-1`` for a start part way into a
#: minute (worked out exactly by the families), by time: one dict lookup per service
#: instead of four attributes.  Bounded (the first kept out first).
_LEFT: dict[_dt.time, int] = {}
_LEFT_KEPT = 4096


def _left_of(start: _dt.time) -> int:
    left = -1 if start.second or start.microsecond else 1440 - start.hour * 60 - start.minute
    _keep(_LEFT, start, left, _LEFT_KEPT)
    return left


#: The claim's lines and services, grouped once (:class:`Sheet`).
SHEET: ClaimFact[Sheet] = ClaimFact(_sheet)


# --- home-health visit lines -------------------------------------------------------------

#: Revenue families whose lines are visits (CCW codebook, CLM_HHA_TOT_VISIT_CNT): PT, OT,
#: SLP, nursing, medical social services, aide, and 058X/059X.
VISIT_FAMILIES = frozenset({"042", "043", "044", "055", "056", "057", "058", "059"})


class HomeVisits:
    """A home-health claim's visit lines, sorted out in one pass over its lines for the
    site-of-service rules (``claim``) and the PDGM rules (``medicare_hh``) alike (a
    private record, not a value: a plain slotted class).

    :ivar lines: the indexes of the lines under a discipline's revenue code (042X-044X,
        055X-057X) that are neither a site-of-service Q-code nor a telehealth G-code
        (G0320-G0322: reported under a discipline's revenue code, but not visits; CR
        12805), in claim order.
    :ivar first_line: the earliest date of those lines, or ``None``.
    :ivar in_person: the in-person visit lines (a :data:`VISIT_FAMILIES` revenue code
        and a HCPCS code, neither a Q-code nor telehealth), in claim order.
    :ivar first: the earliest date of those, or ``None`` (what
        :func:`hcpcs_home.pdgm.first_billable_visit` gives).
    :ivar telehealth_only: the days with a telehealth line and no in-person visit.
    """

    __slots__ = ("first", "first_line", "in_person", "lines", "telehealth_only")

    def __init__(
        self,
        lines: tuple[int, ...],
        first_line: _dt.date | None,
        in_person: tuple[ClaimLine, ...],
        first: _dt.date | None,
        telehealth_only: frozenset[_dt.date],
    ) -> None:
        self.lines = lines
        self.first_line = first_line
        self.in_person = in_person
        self.first = first
        self.telehealth_only = telehealth_only


#: What a line of a code and revenue code is to :class:`HomeVisits`: a telehealth line
#: (_TELEHEALTH), or a discipline's visit line (_HH_LINE) and/or an in-person visit
#: (_IN_PERSON), or 0, neither.  By (code, revenue code), both of which alone decide it;
#: bounded, the first kept out first.
_VISIT_KINDS: dict[tuple[str, str | None], int] = {}
_VISIT_KINDS_KEPT = 4096
_HH_LINE, _IN_PERSON, _TELEHEALTH = 1, 2, 4


def _visit_kind(line: ClaimLine) -> int:
    code, rev = line.code, line.revenue_code
    if code in TELEHEALTH_CODES:
        kind = _TELEHEALTH
    elif rev is None or code.startswith("Q50"):
        kind = 0
    else:
        family = rev[:3]
        kind = (_HH_LINE if family in HH_VISIT_FAMILIES else 0) + (
            _IN_PERSON if family in VISIT_FAMILIES and _hcpcs_coded(line) else 0
        )
    _keep(_VISIT_KINDS, (code, rev), kind, _VISIT_KINDS_KEPT)
    return kind


def _home_visits(ctx: Context) -> HomeVisits:
    lines: list[int] = []
    first_line: _dt.date | None = None
    in_person: list[ClaimLine] = []
    first: _dt.date | None = None
    telehealth: set[_dt.date] = set()
    kinds = _VISIT_KINDS
    for i, li in enumerate(ctx.claim.lines):
        kind = kinds.get((li.code, li.revenue_code))
        if kind is None:
            kind = _visit_kind(li)
        if not kind:
            continue
        date = li.date
        if kind == _TELEHEALTH:
            telehealth.add(date)
            continue
        if kind & _HH_LINE:
            lines.append(i)
            if first_line is None or date < first_line:
                first_line = date
        if kind & _IN_PERSON:
            in_person.append(li)
            if first is None or date < first:
                first = date
    if telehealth:
        visited = {li.date for li in in_person}
        telehealth = {d for d in telehealth if d not in visited}
    return HomeVisits(tuple(lines), first_line, tuple(in_person), first, frozenset(telehealth))


#: Whether lines of a code carry a HCPCS/CPT code (qualifier ``HC``), not a HIPPS code,
#: by code: a line's qualifier is its code's (a pattern match per line otherwise).
#: Bounded, since codes read from files can be anything; the oldest out first.
_HCPCS_CODED: dict[str, bool] = {}
_HCPCS_CODED_KEPT = 4096


def _hcpcs_coded(line: ClaimLine) -> bool:
    code = line.code
    found = _HCPCS_CODED.get(code)
    if found is None:
        found = line.qualifier == "HC"
        _keep(_HCPCS_CODED, code, found, _HCPCS_CODED_KEPT)
    return found


#: The claim's home-health visit lines (:class:`HomeVisits`).
HOME_VISITS: ClaimFact[HomeVisits] = ClaimFact(_home_visits)
