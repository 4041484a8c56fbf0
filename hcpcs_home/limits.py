"""Limits across lines, days, weeks, months and claims: authorizations and per-diem days.

A home-care authorization counts units, visits, days or hours, and a line
bills units of its code.  :func:`authorization_usage` converts each line into
the authorization's measure through the code's unit (a 15-minute unit is a
quarter hour) and sums lines in order, across every claim of a batch, against
the authorization's total and its per-day, per-week (from the payer's
``week_start``) and per-month caps.  Unit
conversion is derived arithmetic: 4 units of a 15-minute code per authorized
hour, 1 of an hourly code (S9123/S9124/T1026), 1 of a per-diem code per day.

>>> from hcpcs_home import Authorization, Claim, ClaimLine, payers
>>> auth = Authorization("PA1", "nd-medicaid", ["T1019"], 40, "hours",
...                      "2024-03-01", "2024-03-31", per_week=20)
>>> claim = Claim(payers.NORTH_DAKOTA_MEDICAID, "2024-03-01", "2024-03-31",
...               authorizations=[auth],
...               lines=[ClaimLine("T1019", f"2024-03-0{d}", 24, prior_auth="PA1")
...                      for d in (4, 5, 6, 7)])
>>> usage = authorization_usage([claim])
>>> for (claim_index, line), problems in usage.items():
...     for p in problems:
...         print(line, p.message, "->", p.max_units)
3 authorization PA1 allows 20 hours a week (from 2024-03-03), 24 used -> 8
"""

from __future__ import annotations

import datetime as _dt
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping, Sequence
from decimal import Decimal
from typing import TYPE_CHECKING, Any, Protocol

from ._lazy import first_use
from .claims import AuthorizationBasis
from .codes import BillingUnit
from .evv import batch_of, line_dates

if TYPE_CHECKING:
    from ._limit_problem import LimitProblem
    from .claims import Authorization, Claim, ClaimLine, Service
    from .codes import Code
    from .payers import Payer

    #: A line that names an authorization, as :func:`_usage_rows` gives it: the fields
    #: of a :class:`_UsageLine`, in its order.
    _Row = tuple[
        int,
        str,
        int | Decimal,
        _dt.date,
        tuple[_dt.date, ...],
        tuple[str, ...],
        int,
        tuple[_dt.date, ...],
    ]

__all__ = [
    "LimitProblem",
    "authorization_usage",
    "line_amount",
    "per_day_excess",
]


def __dir__() -> list[str]:
    return __all__


# LimitProblem is defined on first use: a check that finds no line over a limit never
# needs the class.
__getattr__ = first_use(__name__, {"LimitProblem": "._limit_problem"})


def _problem(
    number: str | None, message: str, max_units: int | Decimal | None = None
) -> LimitProblem:
    """A :class:`LimitProblem` (its class defined with the first one)."""
    from ._limit_problem import LimitProblem

    return LimitProblem(number, message, max_units)


#: Minutes in one unit of each timed billing unit.
_UNIT_MINUTES = {
    BillingUnit.FIFTEEN_MINUTES: 15,
    BillingUnit.UP_TO_FIFTEEN_MINUTES: 15,
    BillingUnit.MINUTE: 1,
    BillingUnit.HOUR: 60,
}


_UNITS = AuthorizationBasis.UNITS

#: ``timedelta(days=k)`` for ``k`` of 0-6: back from a day to its week's first day.
_DAYS_BACK = tuple(_dt.timedelta(days=k) for k in range(7))


def _plain(value: Decimal | int) -> int | Decimal:
    if isinstance(value, Decimal) and value == value.to_integral_value():
        return int(value)
    return value


def line_amount(
    auth: Authorization, line: ClaimLine, unit: BillingUnit, visits: int = 1
) -> int | Decimal | None:
    """What ``line`` uses of ``auth``, in the authorization's measure.

    ``unit`` is the unit the payer counts the line's code in; ``visits`` the
    visits the line bills (for visit-based authorizations).  ``None`` where a
    line cannot be counted in that measure (a per-diem line against hours).
    Days are counted by :func:`authorization_usage` (a day is used once).

    >>> from hcpcs_home import Authorization, ClaimLine
    >>> auth = Authorization("PA1", "bcbs-tx", ["S5125"], 40, "units", "2024-05-01",
    ...                      "2024-05-31", minutes_per_unit=60)
    >>> line_amount(auth, ClaimLine("S5125", "2024-05-02", 48), BillingUnit.FIFTEEN_MINUTES)
    12
    """
    return _amount(auth, line.units, unit, visits)


class _Counted(Protocol):
    """What counting a line reads of an authorization (an
    :class:`~hcpcs_home.claims.Authorization`, or a claim history's light copy)."""

    @property
    def number(self) -> str: ...
    @property
    def payer(self) -> str: ...
    @property
    def basis(self) -> AuthorizationBasis: ...
    @property
    def minutes_per_unit(self) -> int | None: ...
    @property
    def used(self) -> int | Decimal: ...
    @property
    def per_day(self) -> int | Decimal | None: ...
    @property
    def per_week(self) -> int | Decimal | None: ...
    @property
    def per_month(self) -> int | Decimal | None: ...


def _amount(
    auth: _Counted, units: int | Decimal, unit: BillingUnit, visits: int
) -> int | Decimal | None:
    basis = auth.basis
    if basis is AuthorizationBasis.VISITS:
        return max(1, visits)
    if basis is AuthorizationBasis.DAYS:
        return 1
    minutes = _UNIT_MINUTES.get(unit)
    if basis is AuthorizationBasis.HOURS:
        if minutes is None:
            return None
        if type(units) is int and not units * minutes % 60:  # whole hours: no Decimal
            return units * minutes // 60
        return _plain(Decimal(units) * minutes / 60)
    if auth.minutes_per_unit is None:
        return units
    if minutes is None:
        return None
    return _plain(Decimal(units) * minutes / auth.minutes_per_unit)


def _back_to_units(
    auth: Authorization, room: int | Decimal, unit: BillingUnit
) -> int | Decimal | None:
    """The units of the line's code that fit in ``room`` of the authorization's measure."""
    room = max(room, 0)
    minutes = _UNIT_MINUTES.get(unit)
    if auth.basis is AuthorizationBasis.HOURS and minutes is not None:
        return int(Decimal(room) * 60 // minutes)
    if auth.basis is AuthorizationBasis.UNITS:
        if auth.minutes_per_unit is None:
            return room
        if minutes is not None:
            return int(Decimal(room) * auth.minutes_per_unit // minutes)
    return None


def _code(code: str) -> Code | None:
    from .catalog import default_catalog
    from .errors import UnknownCodeError

    try:
        return default_catalog().lookup(code)
    except UnknownCodeError:
        return None


def authorization_usage(
    claims: Sequence[Claim], lookup: Callable[[str], Code | None] | None = None
) -> dict[tuple[int, int], list[LimitProblem]]:
    """The authorization limits each line passes, summing lines in order across ``claims``.

    A line uses the authorizations its number (on the line or its services)
    names, when the claim carries one with that number; claims of a batch that
    carry the same authorization number share its total and caps.  Keys are
    ``(claim index, line index)``.  Each problem names the number, the limit
    and how much is used; its ``max_units`` says what the line
    could bill instead.  ``lookup`` finds a code's catalog entry (the shipped
    catalog where ``None``; a check passes its own, memoised), here and in
    :func:`per_day_excess`.
    """
    claims = batch_of(claims)
    fold = _UsageFold(lookup)
    found: dict[tuple[int, int], list[LimitProblem]] = {}
    for n, claim in enumerate(claims):
        if not claim.authorizations:  # nothing to count against
            continue
        for i, problems in fold.feed(claim).items():
            found[(n, i)] = problems
    return found


class _UsageLine:
    """What :func:`authorization_usage` reads of a line that names an authorization:
    a claim's usage can be kept (a claim history's summary row) without the claim.

    Private records, :class:`_UsageLine` and :class:`_Usage` are plain slotted classes
    (a ``typing.NamedTuple`` compiles its constructor and each annotation when the
    module is imported).

    :ivar at: the line's index on its claim.
    """

    __slots__ = ("at", "code", "date", "numbers", "service_days", "span", "units", "visits")

    def __init__(
        self,
        at: int,
        code: str,
        units: int | Decimal,
        date: _dt.date,
        span: tuple[_dt.date, ...],
        numbers: tuple[str, ...],
        visits: int,
        service_days: tuple[_dt.date, ...],
    ) -> None:
        self.at = at
        self.code = code
        self.units = units
        self.date = date
        self.span = span
        self.numbers = numbers
        self.visits = visits
        self.service_days = service_days


class _Usage:
    """What :func:`authorization_usage` reads of a claim: its authorizations, its payer
    (unit policy and weeks) and the lines that name an authorization."""

    __slots__ = ("authorizations", "lines", "payer")

    def __init__(
        self,
        authorizations: tuple[Authorization, ...],
        payer: Payer,
        lines: tuple[_UsageLine, ...],
    ) -> None:
        self.authorizations = authorizations
        self.payer = payer
        self.lines = lines


def _usage_of(claim: Claim, *, days: bool | None = True) -> _Usage:
    """The part of ``claim`` that authorization usage counts.

    ``days``: whether each line's service days are worked out (what an authorization
    counted in days reads); ``None``: only where the claim carries such an
    authorization, as a check counting the claim against its own authorizations needs
    (a claim history's rows, kept for later claims, take them all).
    """
    rows = _usage_rows(claim, days)
    return _Usage(claim.authorizations, claim.payer, tuple([_UsageLine(*row) for row in rows]))


def _usage_rows(
    claim: Claim, days: bool | None = True, by_id: Mapping[str, Service] | None = None
) -> list[_Row]:
    """The lines of ``claim`` that name an authorization, as plain tuples (a check counts
    them at once, :meth:`_UsageFold.feed`; a claim history keeps them as
    :class:`_UsageLine`); ``days`` as for :func:`_usage_of`; ``by_id``, the claim's
    services by id where the caller has them."""
    if days is None:
        days = any(a.basis is AuthorizationBasis.DAYS for a in claim.authorizations)
    if by_id is None:
        by_id = {s.id: s for s in claim.services}
    rows: list[_Row] = []
    add = rows.append
    for i, line in enumerate(claim.lines):
        ids = line.service_ids
        if len(ids) == 1:  # the usual line: one visit or shift
            found = by_id.get(ids[0])
            services: Sequence[Service] = () if found is None else (found,)
        else:
            services = [by_id[x] for x in ids if x in by_id]
        numbers = _numbers(line, services)
        if not numbers:
            continue
        add(
            (
                i,
                line.code,
                line.units,
                line.date,
                (line.date,) if line.through is None else line_dates(line),
                tuple(numbers),
                len(services),
                tuple(d for s in services for d in s.days()) if days else (),
            )
        )
    return rows


class _UsageFold:
    """Authorization usage summed claim by claim, in order (:func:`authorization_usage`
    is one fold over its claims; a check against a claim history folds the stored
    claims' :class:`_Usage`, then the checked claim's)."""

    __slots__ = ("days", "find", "periods", "used", "weeks")

    def __init__(self, lookup: Callable[[str], Code | None] | None = None) -> None:
        self.find = _code if lookup is None else lookup
        self.used: dict[tuple[str, str], int | Decimal] = {}
        #: units used per (payer, number, "day"/"week"/"month", period)
        self.periods: dict[tuple[Any, ...], Any] = {}
        self.days: dict[tuple[str, str], set[_dt.date]] = defaultdict(set)
        #: the weekday (Monday 0) a payer's week starts on, by its ``week_start``
        self.weeks: dict[Any, int] = {}

    def count(self, usage: _Usage) -> None:
        """Count the claim's lines, as :meth:`feed` does, without working out the limits
        they pass (an earlier claim's: only what it used counts)."""
        if not usage.authorizations:  # nothing to count against
            return
        by_number: dict[str, tuple[Authorization, tuple[tuple[str, Any], ...]]] = {}
        for a in usage.authorizations:
            by_number.setdefault(a.number, (a, _caps(a)))
        for line in usage.lines:
            for number in line.numbers:
                found_auth = by_number.get(number)
                if found_auth is not None:
                    self.count_line(
                        usage.payer,
                        *found_auth,
                        line.code,
                        line.units,
                        line.span,
                        line.visits,
                        line.service_days,
                    )

    def count_line(
        self,
        payer: Payer,
        auth: _Counted,
        caps: tuple[tuple[str, Any], ...],
        code: str,
        units: int | Decimal,
        span: tuple[_dt.date, ...],
        visits: int,
        service_days: tuple[_dt.date, ...],
    ) -> None:
        """Count what one line of an earlier claim uses of ``auth`` (its claim's first
        authorization of the number the line names; ``caps`` are its caps)."""
        self.count_units(
            payer, auth, caps, self.unit_of(payer, code), units, span, visits, service_days
        )

    def unit_of(self, payer: Payer, code: str) -> BillingUnit:
        """The unit ``payer`` counts ``code`` in (the catalog's entry through ``find``)."""
        found = self.find(code)
        return payer.unit_policy.unit_of(found) if found is not None else BillingUnit.UNTIMED

    def count_units(
        self,
        payer: Payer,
        auth: _Counted,
        caps: tuple[tuple[str, Any], ...],
        unit: BillingUnit,
        units: int | Decimal,
        span: tuple[_dt.date, ...],
        visits: int,
        service_days: tuple[_dt.date, ...],
    ) -> None:
        """:meth:`count_line` of a line whose code's unit (:meth:`unit_of`) is known."""
        amount = _amount(auth, units, unit, visits)
        if amount is not None:
            self.count_amounts(((payer, auth, caps, amount, span, service_days),))

    def count_amounts(
        self,
        lines: Iterable[
            tuple[
                Payer,
                _Counted,
                tuple[tuple[str, Any], ...],
                int | Decimal,
                tuple[_dt.date, ...],
                tuple[_dt.date, ...],
            ]
        ],
    ) -> None:
        """:meth:`count_units` of lines whose amounts (``_amount``, not ``None``) are
        known: ``(payer, auth, caps, amount, span, service_days)`` each, in order."""
        used, periods, weeks, seen_days = self.used, self.periods, self.weeks, self.days
        by_days = AuthorizationBasis.DAYS
        back = _DAYS_BACK
        for payer, auth, caps, amount, span, service_days in lines:
            key = (auth.payer, auth.number)
            if auth.basis is by_days:
                seen = seen_days[key]
                touched = {*span, *service_days}
                amount = len(touched - seen)
                seen.update(touched)
            used[key] = used.get(key, auth.used) + amount
            if not caps:
                continue
            share = amount if len(span) == 1 else Decimal(amount) / len(span)
            for day in span:
                for kind, _limit in caps:
                    if kind == "day":
                        bucket: Any = day
                    elif kind == "week":  # payer.week_of(day), without its call
                        first = weeks.get(payer.week_start)
                        if first is None:
                            first = weeks[payer.week_start] = payer.week_of(day).weekday()
                        bucket = day - back[(day.weekday() - first) % 7]
                    else:
                        bucket = (day.year, day.month)
                    pkey = (*key, kind, bucket)
                    periods[pkey] = periods.get(pkey, 0) + share

    def feed(
        self, claim: Claim, by_id: Mapping[str, Service] | None = None
    ) -> dict[int, list[LimitProblem]]:
        """Count the claim's lines (:func:`_usage_rows`, service days only where the
        claim carries an authorization counted in days; ``by_id`` its services by id,
        where the caller has them); the limits each passes, by line index."""
        found: dict[int, list[LimitProblem]] = {}
        if not claim.authorizations:  # nothing to count against
            return found
        find, used, periods, days = self.find, self.used, self.periods, self.days
        # The first authorization of each number (as Claim.authorization), with what
        # counting a line against it reads: its caps, its key, what is left of it before
        # this claim, and whether a line's units are its amount (_amount's usual case).
        by_number: dict[str, tuple[Authorization, tuple[tuple[str, Any], ...], Any, Any, bool]] = {}
        for a in claim.authorizations:
            if a.number not in by_number:
                plain = a.basis is _UNITS and a.minutes_per_unit is None
                by_number[a.number] = (a, _caps(a), (a.payer, a.number), a.remaining, plain)
        policy = claim.payer.unit_policy
        week_of = claim.payer.week_of
        # The unit of each code on the claim, looked up once per code.
        units: dict[str, BillingUnit] = {}
        for at, code_text, billed, date, span, numbers, visits, service_days in _usage_rows(
            claim, None, by_id
        ):
            unit = units.get(code_text)
            if unit is None:
                code = find(code_text)
                unit = units[code_text] = (
                    policy.unit_of(code) if code is not None else BillingUnit.UNTIMED
                )
            problems: list[LimitProblem] = []
            add = problems.append
            for number in numbers:
                found_auth = by_number.get(number)
                if found_auth is None:
                    continue
                auth, caps, key, remaining, plain = found_auth
                if code_text not in auth.codes:
                    add(_problem(number, f"authorization {number} does not authorize {code_text}"))
                if not auth.start <= date <= auth.end:  # auth.covers_date, inline
                    add(
                        _problem(
                            number,
                            f"authorization {number} runs {auth.start.isoformat()} to "
                            f"{auth.end.isoformat()}",
                        )
                    )
                amount = billed if plain else _amount(auth, billed, unit, visits)
                if amount is None:
                    add(
                        _problem(
                            number,
                            f"authorization {number} counts {auth.basis.value}; {code_text} "
                            f"(per {unit.value}) cannot be counted in them",
                        )
                    )
                    continue
                if auth.basis is AuthorizationBasis.DAYS:
                    seen = days[key]
                    touched = {*span, *service_days}
                    amount = len(touched - seen)
                    seen.update(touched)
                total = used[key] = used.get(key, auth.used) + amount
                # What is left of the authorization first, then its caps; the text of a
                # limit is written only for the limits a line passes.
                so_far = total - auth.used
                if so_far > remaining:
                    self._passed(add, auth, number, remaining, so_far, amount, None, unit, span)
                if not caps:
                    continue
                share = amount if len(span) == 1 else Decimal(amount) / len(span)
                parts: dict[tuple[Any, ...], tuple[Any, Any, Any]] = {}
                for day in span:  # a date-span line uses its amount evenly over its days
                    for kind, limit in caps:
                        if kind == "day":
                            bucket: Any = day
                        elif kind == "week":
                            bucket = week_of(day)
                        else:
                            bucket = (day.year, day.month)
                        pkey = (auth.payer, number, kind, bucket)
                        periods[pkey] = periods.get(pkey, 0) + share
                        earlier = parts.get(pkey)
                        part = share if earlier is None else earlier[1] + share
                        parts[pkey] = (limit, part, (kind, bucket))
                for pkey, (limit, part, which) in parts.items():
                    so_far = periods[pkey]
                    if so_far > limit:
                        self._passed(add, auth, number, limit, so_far, part, which, unit, span)
            if problems:
                found[at] = problems
        return found

    @staticmethod
    def _passed(
        add: Callable[[LimitProblem], None],
        auth: Authorization,
        number: str,
        limit: Any,
        so_far: Any,
        part: Any,
        which: tuple[str, Any] | None,
        unit: BillingUnit,
        span: tuple[_dt.date, ...],
    ) -> None:
        """Add the problem of a line that takes ``auth`` past ``limit`` (``so_far`` used,
        ``part`` of it this line's)."""
        room = limit - (so_far - part)
        add(
            _problem(
                number,
                f"authorization {number} {_limit_text(auth, which)}, "
                f"{_plain(Decimal(so_far))} used",
                _back_to_units(auth, room, unit) if len(span) == 1 else None,
            )
        )


def _numbers(line: ClaimLine, services: Sequence[Service]) -> Sequence[str]:
    """The authorization numbers the line names, on it or its services, sorted."""
    own = line.prior_auth
    if len(services) == 1:  # the usual line: one visit or shift
        theirs = services[0].prior_auth
        if not own or own == theirs:
            return (theirs,) if theirs else ()
    numbers = {s.prior_auth for s in services if s.prior_auth}
    if own:
        numbers.add(own)
    return sorted(numbers)


def _caps(auth: _Counted) -> tuple[tuple[str, int | Decimal], ...]:
    """The authorization's per-day, per-week and per-month caps that are set."""
    return tuple(
        (kind, limit)
        for kind, limit in (
            ("day", auth.per_day),
            ("week", auth.per_week),
            ("month", auth.per_month),
        )
        if limit is not None
    )


def _limit_text(auth: Authorization, which: tuple[str, Any] | None) -> str:
    """What a limit of ``auth`` says: ``which`` is ``None`` for what is left of it, else
    (``"day"``, date), (``"week"``, first day) or (``"month"``, (year, month))."""
    basis = auth.basis.value
    if which is None:
        return f"has {auth.remaining} {basis} left"
    kind, bucket = which
    if kind == "day":
        return f"allows {auth.per_day} {basis} on {bucket}"
    if kind == "week":
        return f"allows {auth.per_week} {basis} a week (from {bucket.isoformat()})"
    return f"allows {auth.per_month} {basis} in {bucket[0]:04d}-{bucket[1]:02d}"


_DAY = BillingUnit.DAY  # a global: cheaper per line than the enum's attribute


def per_day_excess(
    claims: Sequence[Claim], lookup: Callable[[str], Code | None] | None = None
) -> dict[tuple[int, int], LimitProblem]:
    """Lines of per-diem codes whose units, summed with earlier lines for the same member,
    code and day across the batch, pass what a day allows.

    A day allows one unit of a per-diem code (HCPCS "per diem": one unit per
    day of service; North Dakota T1020: one unit per client per day, ND DHS
    Service Chapter 535-05-45), or as many shifts as 24 hours hold where the
    payer defines a per diem as a shift (DOL DEEOIC Bulletin 08-09: 8 hours,
    so 3).  Lines of claims without a member id count for their claim alone.  A
    single line billing more than its day allows is not reported here (the
    ``per-diem-units`` rule checks a line against its documented days).
    Keys are ``(claim index, line index)``.

    >>> from hcpcs_home import Claim, ClaimLine, payers
    >>> claim = Claim(payers.BCBS_TEXAS, "2024-03-01", "2024-03-31", patient_id="M1",
    ...               lines=[ClaimLine("S9129", "2024-03-04", 1),
    ...                      ClaimLine("S9129", "2024-03-04", 1)])
    >>> print(per_day_excess([claim])[(0, 1)].message)
    S9129 allows 1 unit(s) a day; 2 billed on 2024-03-04 through this line
    """
    claims = batch_of(claims)
    find = _code if lookup is None else lookup
    totals: dict[tuple[str, str, _dt.date], int | Decimal] = defaultdict(int)
    out: dict[tuple[int, int], LimitProblem] = {}
    for n, claim in enumerate(claims):
        member = claim.patient_id or f"claim #{n}"
        policy = claim.payer.unit_policy
        unit_of = policy.unit_of if policy.code_units else None  # the usual policy: none
        for i, line in enumerate(claim.lines):
            code = find(line.code)
            if code is None or (code.unit if unit_of is None else unit_of(code)) is not _DAY:
                continue
            hours = policy.per_diem_shift_hours
            limit = 1 if hours is None else 24 // hours
            days = line_dates(line)
            share = line.units if len(days) == 1 else _plain(Decimal(line.units) / len(days))
            for day in days:  # a date-span line bills its units over its days
                key = (member, line.code, day)
                before = totals[key]
                totals[key] = before + share
                if totals[key] > limit and before > 0 and (n, i) not in out:
                    out[(n, i)] = _problem(
                        None,
                        f"{line.code} allows {limit} unit(s) a day; {totals[key]} billed on "
                        f"{day.isoformat()} through this line",
                        max(limit - before, 0) if len(days) == 1 else None,
                    )
    return out
