""":class:`~hcpcs_home.units.Span`, defined on first use.

A check builds spans only to count the shifts or days of per-diem services, so
the class is defined when :mod:`hcpcs_home.units` is first asked for it (its
module ``__getattr__``) or a span is first counted: a fresh process checking
claims without per-diem shifts never compiles its attrs methods.  It belongs to
:mod:`hcpcs_home.units`, where it is documented and pickled.
"""

from __future__ import annotations

import datetime as _dt

import attrs

from . import _clock, _unit_checks
from ._values import lazy_methods
from .errors import InvalidTimeError

__all__ = ["Span"]


@attrs.frozen(slots=True)
@lazy_methods
class Span:
    """A stretch of care from ``start`` to ``stop`` (naive local datetimes, whole minutes).

    A span may run over midnight and over several days (a respite stay); per-diem
    counting splits it by calendar day, midnight to midnight (hospice days run
    midnight to midnight: NGS CHC job aid; for shifts across midnight the split
    is derived, payer rules UNCONFIRMED).

    >>> import datetime
    >>> from hcpcs_home.units import Span
    >>> night = Span.from_clock(datetime.date(2026, 1, 1), "22:00", "06:00")
    >>> night.minutes, night.minutes_by_date()
    (480, {datetime.date(2026, 1, 1): 120, datetime.date(2026, 1, 2): 360})

    :ivar start: when care began.
    :ivar stop: when it ended, not before ``start``.
    """

    start: _dt.datetime = attrs.field(validator=_unit_checks.whole_minute("start"))
    stop: _dt.datetime = attrs.field(
        validator=[_unit_checks.whole_minute("stop"), _unit_checks.after_start]
    )

    @classmethod
    def from_clock(
        cls, day: _dt.date, start: object, stop: object, *, full_day: bool = False
    ) -> Span:
        """The span of a shift note: a date, then clock times as for
        :func:`~hcpcs_home.units.minutes_between`.

        A stop at or before the start ends on the next day.
        """
        if not isinstance(day, _dt.date) or isinstance(day, _dt.datetime):
            raise InvalidTimeError("day", day, "must be a datetime.date")
        _unit_checks.in_range("day", day, day)
        begin = _dt.datetime.combine(day, _dt.time()) + _dt.timedelta(
            minutes=_clock.clock_minutes("start", start)
        )
        length = _clock.minutes_between(start, stop, full_day=full_day)
        return cls(begin, begin + _dt.timedelta(minutes=length))

    @property
    def minutes(self) -> int:
        """The span's length in minutes."""
        return (self.stop - self.start) // _dt.timedelta(minutes=1)

    def minutes_by_date(self) -> dict[_dt.date, int]:
        """Minutes on each calendar date the span touches (dates with none left out)."""
        return _clock.minutes_by_date(self.start, self.stop)


Span.__module__ = "hcpcs_home.units"
