"""The predicates payer edits are made of (see :func:`hcpcs_home.edits.load_edits`).

CMS ships its own claim edits as rows of data with an effective range and a
disposition: the Integrated Outpatient Code Editor tables, the NCCI
medically unlikely edits (MUE: units per line or per day) and procedure-to-
procedure edits (PTP: codes not billed together).  A payer edit file does the
same for home care; each row becomes rules over these predicates, so a
billing team adds "payer P: code C needs modifier M / at most N units a day /
not with code D on the same day, from date F" without writing Python.
This family ships no rules of its own: its rules come from edit files.
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict

from .._engine import ClaimFact, Context, Rule, Vocabulary
from ._common import Pred, texts

__all__ = ["PERIODS", "RULES", "VOCABULARY", "WEEKDAYS"]


def __dir__() -> list[str]:
    return __all__


#: The periods a units cap may count over.
PERIODS = ("day", "week", "month")
#: Week starts a payer may count weeks from (Python's weekday numbers).
WEEKDAYS = {
    "monday": 0,
    "tuesday": 1,
    "wednesday": 2,
    "thursday": 3,
    "friday": 4,
    "saturday": 5,
    "sunday": 6,
}


def _bill_type_matches(pattern: str, type_of_bill: str | None) -> bool:
    if pattern == "837P":
        return type_of_bill is None
    return type_of_bill is not None and all(
        p in ("X", t) for p, t in zip(pattern, type_of_bill, strict=True)
    )


def bill_type_matches(patterns: list[str]) -> Pred:
    """The claim's type of bill matches one of ``patterns``: four characters, ``X`` for
    any digit (``"032X"``: every home-health bill under a plan of care), or ``"837P"``
    for professional claims, which have no type of bill (UB-04 FL 4)."""
    wanted = [p.upper() for p in texts(patterns, "patterns")]
    for p in wanted:
        if p != "837P" and (
            len(p) != 4 or not p.isascii() or not all(c.isdigit() or c == "X" for c in p)
        ):
            raise ValueError(f"bill type pattern {p!r} is not like '032X', '0329' or '837P'")
    return lambda ctx: any(_bill_type_matches(p, ctx.claim.type_of_bill) for p in wanted)


def modifiers_missing(modifiers: list[str]) -> Pred:
    """The line lacks at least one of ``modifiers`` (each is required)."""
    wanted = frozenset(m.upper() for m in texts(modifiers, "modifiers"))
    return lambda ctx: ctx.line is not None and not wanted <= set(ctx.line.modifiers)


def _period_start(day: _dt.date, period: str, week_start: int) -> _dt.date:
    if period == "day":
        return day
    if period == "week":
        return day - _dt.timedelta(days=(day.weekday() - week_start) % 7)
    return day.replace(day=1)


def units_in_period_above(
    limit: int, period: str, codes: list[str], week_start: str = "sunday"
) -> Pred:
    """The units billed for ``codes`` in the line's ``period`` (``day``, ``week`` from
    ``week_start``, or calendar ``month``), counted over the claim's lines in order up
    to and including this one, pass ``limit`` (an MUE-like cap across lines)."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 10**6:
        raise ValueError(f"limit {limit!r} is not a whole number from 0 to 1,000,000")
    if period not in PERIODS:
        raise ValueError(f"period {period!r} is not one of {', '.join(PERIODS)}")
    if week_start not in WEEKDAYS:
        raise ValueError(f"week_start {week_start!r} is not a day of the week")
    wanted = frozenset(c.strip().upper() for c in texts(codes, "codes"))
    first_day = WEEKDAYS[week_start]
    if len(wanted) == 1:
        # A cap of one code (an MUE-shaped row): one pass per claim serves every such
        # cap of the period, whatever its code.
        shared = _BY_CODE[period, first_day]
        return lambda ctx: ctx.index is not None and shared.of(ctx).get(ctx.index, 0) > limit
    # The predicate's own claim fact (its typed home in the claim memo).
    running = ClaimFact(lambda ctx: _running_units(ctx, wanted, period, first_day))
    return lambda ctx: ctx.index is not None and running.of(ctx).get(ctx.index, 0) > limit


def _running_by_code(ctx: Context, period: str, first_day: int) -> dict[int, int]:
    """The running units of each line's own code through that line, per period."""
    totals: dict[tuple[str, _dt.date], int] = defaultdict(int)
    found: dict[int, int] = {}
    for i, line in enumerate(ctx.claim.lines):
        key = (line.code, _period_start(line.date, period, first_day))
        totals[key] += int(line.units)
        found[i] = totals[key]
    return found


def _running_units(
    ctx: Context, wanted: frozenset[str], period: str, first_day: int
) -> dict[int, int]:
    """The running units of ``wanted`` codes through each of their lines, per period."""
    totals: dict[_dt.date, int] = defaultdict(int)
    found: dict[int, int] = {}
    for i, line in enumerate(ctx.claim.lines):
        if line.code in wanted:
            start = _period_start(line.date, period, first_day)
            totals[start] += int(line.units)
            found[i] = totals[start]
    return found


def _lines_by_day(ctx: Context, wanted: frozenset[str]) -> dict[_dt.date, set[int]]:
    """The lines billing one of ``wanted`` codes, by date."""
    by_day: dict[_dt.date, set[int]] = defaultdict(set)
    for i, line in enumerate(ctx.claim.lines):
        if line.code in wanted:
            by_day[line.date].add(i)
    return by_day


def _by_code_fact(period: str, first_day: int) -> ClaimFact[dict[int, int]]:
    return ClaimFact(lambda ctx: _running_by_code(ctx, period, first_day))


#: The family's claim facts of running units per code, one per period and week start.
_BY_CODE = {(p, d): _by_code_fact(p, d) for p in PERIODS for d in WEEKDAYS.values()}


def billed_with(codes: list[str]) -> Pred:
    """Another line of the claim bills one of ``codes`` on the same date (a
    procedure-to-procedure edit: the two are not billed together)."""
    wanted = frozenset(c.strip().upper() for c in texts(codes, "codes"))
    lines = ClaimFact(lambda ctx: _lines_by_day(ctx, wanted))

    def test(ctx: Context) -> bool:
        here = ctx.line
        if here is None:
            return False
        by_day: dict[_dt.date, set[int]] = lines.of(ctx)
        return bool(by_day.get(here.date, set()) - {ctx.index})

    return test


VOCABULARY = Vocabulary(
    predicates={
        "bill_type_matches": bill_type_matches,
        "billed_with": billed_with,
        "modifiers_missing": modifiers_missing,
        "units_in_period_above": units_in_period_above,
    },
    header_level=frozenset({"bill_type_matches"}),
)
"""The predicates of payer edits."""

RULES: tuple[Rule, ...] = ()
"""No rules of its own (payer edits come from edit files, :func:`hcpcs_home.edits.load_edits`)."""
