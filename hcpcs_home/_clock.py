"""Minutes and clock arithmetic behind :mod:`hcpcs_home.units`.

Everything here works in whole minutes.  Clock times are read into minutes
after midnight; ``"24:00"`` is accepted as a stop time (the end of the day)
because shift notes write it that way, but never as a start.
"""

from __future__ import annotations

import datetime as _dt
import math
import re
from decimal import Decimal

from .bounds import MAX_LINE_MINUTES
from .errors import InvalidMinutesError, InvalidTimeError

_CLOCK_RE = re.compile(r"([0-9]{1,2}):?([0-9]{2})\Z")


def check_minutes(field: str, value: object) -> int:
    """Return ``value`` as an ``int`` of minutes in ``0..1440``, or raise naming ``field``.

    Integers, and floats or decimals with no fractional part, are accepted;
    ``bool``, NaN, infinities, fractions, negatives and more than a day are not.

    >>> check_minutes("minutes", 30.0)
    30
    >>> check_minutes("minutes", -5)
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidMinutesError: minutes=-5 must not be negative
    """
    if isinstance(value, bool):
        raise InvalidMinutesError(field, value, "must be a whole number of minutes, not a bool")
    if isinstance(value, int):
        whole = value
    elif isinstance(value, (float, Decimal)):
        finite = math.isfinite(value) if isinstance(value, float) else value.is_finite()
        if not finite:
            raise InvalidMinutesError(field, value, "must be a finite number of minutes")
        # Bounded before int(): int(Decimal("1e300000")) builds a 300,000-digit number.
        if value < 0:
            raise InvalidMinutesError(field, value, "must not be negative")
        if value > MAX_LINE_MINUTES:
            raise InvalidMinutesError(
                field, value, f"is more than one day ({MAX_LINE_MINUTES} minutes) on one line"
            )
        if value != int(value):
            raise InvalidMinutesError(field, value, "must be a whole number of minutes")
        whole = int(value)
    else:
        try:
            whole = value.__index__()  # type: ignore[attr-defined]
        except (AttributeError, TypeError):
            raise InvalidMinutesError(field, value, "must be a whole number of minutes") from None
    if whole < 0:
        raise InvalidMinutesError(field, value, "must not be negative")
    if whole > MAX_LINE_MINUTES:
        raise InvalidMinutesError(
            field, value, f"is more than one day ({MAX_LINE_MINUTES} minutes) on one line"
        )
    return whole


def clock_minutes(field: str, value: object, *, allow_end_of_day: bool = False) -> int:
    """Minutes after midnight of a clock time (``time``, ``"HH:MM"``, ``"H:MM"`` or ``"HHMM"``).

    >>> clock_minutes("start", "7:30"), clock_minutes("stop", "2400", allow_end_of_day=True)
    (450, 1440)
    """
    if isinstance(value, _dt.time):
        if value.tzinfo is not None:
            raise InvalidTimeError(field, value, "must be a local clock time without tzinfo")
        if value.second or value.microsecond:
            raise InvalidTimeError(field, value, "must be a whole minute (no seconds)")
        return value.hour * 60 + value.minute
    if isinstance(value, str):
        match = _CLOCK_RE.match(value.strip())
        if match:
            hour, minute = int(match.group(1)), int(match.group(2))
            if minute < 60 and (hour < 24 or (allow_end_of_day and hour == 24 and minute == 0)):
                return hour * 60 + minute
    raise InvalidTimeError(field, value, "must be a clock time (HH:MM)")


def minutes_between(start: object, stop: object, *, full_day: bool = False) -> int:
    """:func:`hcpcs_home.units.minutes_between`: minutes from a start clock time to a stop
    clock time (a stop before the start crosses midnight; equal is 0 unless ``full_day``)."""
    begin = clock_minutes("start", start)
    end = clock_minutes("stop", stop, allow_end_of_day=True)
    return span_minutes(begin, end, full_day=bool(full_day))


def span_minutes(start: int, stop: int, *, full_day: bool) -> int:
    """Minutes from ``start`` to ``stop`` (minutes after midnight), wrapping past midnight.

    A stop at midnight (``0`` or ``1440``: ``"00:00"`` or ``"24:00"``) is the end
    of the day, so a record from 00:00 to 00:00 or 24:00 is the whole day.

    >>> span_minutes(22 * 60, 6 * 60, full_day=False)
    480
    >>> span_minutes(480, 480, full_day=False), span_minutes(480, 480, full_day=True)
    (0, 1440)
    >>> span_minutes(0, 0, full_day=False), span_minutes(0, 1440, full_day=False)
    (1440, 1440)
    >>> span_minutes(16 * 60, 0, full_day=False), span_minutes(16 * 60, 1440, full_day=False)
    (480, 480)
    """
    if stop == start:
        return MAX_LINE_MINUTES if full_day or stop == 0 else 0
    return (stop - start) % MAX_LINE_MINUTES if stop != MAX_LINE_MINUTES else stop - start


def minutes_by_date(start: _dt.datetime, stop: _dt.datetime) -> dict[_dt.date, int]:
    """Split ``start..stop`` at each midnight; dates with no minutes are left out.

    >>> import datetime as dt
    >>> minutes_by_date(dt.datetime(2026, 1, 1, 22), dt.datetime(2026, 1, 2, 6))
    {datetime.date(2026, 1, 1): 120, datetime.date(2026, 1, 2): 360}
    """
    out: dict[_dt.date, int] = {}
    cursor = start
    while cursor < stop:
        midnight = _dt.datetime.combine(cursor.date() + _dt.timedelta(days=1), _dt.time())
        end = min(stop, midnight)
        out[cursor.date()] = (end - cursor) // _dt.timedelta(minutes=1)
        cursor = end
    return out


def _time_span(start: _dt.time, stop: _dt.time, *, full_day: bool) -> int:
    # Both are whole-minute times already (the converters saw to it); a stop of
    # "24:00" was stored as 00:00, which span_minutes reads the same way.
    begin, end = start.hour * 60 + start.minute, stop.hour * 60 + stop.minute
    return span_minutes(begin, end, full_day=full_day)


def service_minutes(
    start: _dt.time | None, stop: _dt.time | None, minutes: int | None, full_day: bool
) -> int | None:
    """The minutes a :class:`~hcpcs_home.claims.Service` of these (converted) fields
    holds: its clock times' span where it has them, else ``minutes``.  The service's one
    check across fields, run by its post-init; the tabular path asks it once per
    distinct combination.

    :raises ~hcpcs_home.errors.InvalidTimeError: one clock time without the other, or
        minutes that are not the clock times' span.
    """
    if (start is None) != (stop is None):
        missing = "stop" if stop is None else "start"
        raise InvalidTimeError(missing, None, "is required when the other clock time is given")
    if start is None or stop is None:
        return minutes
    span = _time_span(start, stop, full_day=full_day)
    if minutes is None:
        return span
    if minutes != span:
        raise InvalidTimeError(
            "minutes",
            minutes,
            f"does not match start={start.isoformat('minutes')} "
            f"stop={stop.isoformat('minutes')} ({span} minutes)",
        )
    return minutes
