""":class:`~hcpcs_home.evv.LineMatch`, defined on first use.

A check builds one only for a claim whose lines are paired with EVV visits
(:func:`~hcpcs_home.evv.match_visits`), so the class is defined when
:mod:`hcpcs_home.evv` is first asked for it (its module ``__getattr__``) or a
claim's lines are first matched: a fresh process checking claims that need no
EVV never compiles its attrs methods.  It belongs to :mod:`hcpcs_home.evv`,
where it is documented and pickled.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from decimal import Decimal

import attrs

from ._evv_visit import EvvVisit
from .claims import Claim
from .codes import BillingUnit
from .evv import _span, line_dates

__all__ = ["LineMatch"]


@attrs.frozen(slots=True)
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


LineMatch.__module__ = "hcpcs_home.evv"
