"""Minutes as units at array speed, and a made-up timesheet (:mod:`hcpcs_home.dataframes`'s).

:func:`~hcpcs_home.dataframes.minutes_to_units` and
:func:`~hcpcs_home.dataframes.synthetic_timesheet` are documented where they are public.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ._frames import pandas_module as _pandas
from .errors import InvalidFieldError, InvalidMinutesError

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

    from .codes import Code
    from .units import UnitPolicy

__all__ = ["minutes_to_units", "synthetic_timesheet"]


def minutes_to_units(
    minutes: pandas.Series, code: str | Code, *, policy: UnitPolicy | None = None
) -> pandas.Series:
    """A column of minutes as units of ``code``, vectorised.

    The same numbers as :func:`hcpcs_home.units.units_for_many` (which builds
    the minute-to-unit table once); the column is then looked up in that
    table as an array.  Units are ``int64`` where the policy bills whole
    units and Decimal objects where it bills fractions.

    :raises ~hcpcs_home.errors.InvalidMinutesError: a missing, fractional,
        negative or over-1440 value, named by its index label
        (``minutes[3]``).
    :raises ~hcpcs_home.errors.NotTimedError: ``code`` is not billed by time.
    """
    pandas = _pandas()
    import numpy

    from .units import MAX_LINE_MINUTES, units_for_many

    if not isinstance(minutes, pandas.Series):
        raise InvalidFieldError("minutes", type(minutes).__name__, "must be a pandas Series")
    table = units_for_many(code, range(MAX_LINE_MINUTES + 1), policy=policy)
    index = _minute_indexes(minutes, MAX_LINE_MINUTES)
    if all(type(u) is int for u in table):
        units = numpy.asarray(table, dtype="int64")[index]
    else:
        units = numpy.asarray(table, dtype=object)[index]
    return pandas.Series(units, index=minutes.index, name="units")


def _minute_indexes(minutes: pandas.Series, most: int) -> Any:
    """The column as an ``int64`` array of whole minutes from 0 to ``most``, checked by
    its dtype at array speed: integers by their range, floats also for gaps and
    fractions; a boolean column is refused whole (``True`` is not a minute).  Only a
    column of Python objects is checked value by value.

    :raises ~hcpcs_home.errors.InvalidMinutesError: the first bad value, by its label.
    """
    import numpy

    from . import _clock

    kind = getattr(minutes.dtype, "kind", "O")
    if kind == "b":  # numpy bool and pandas' nullable boolean alike
        first = (minutes.index[0], minutes.iloc[0]) if len(minutes) else ("-", None)
        raise InvalidMinutesError(
            f"minutes[{first[0]!r}]",
            first[1],
            f"is a boolean: the column's dtype is {minutes.dtype}, not minutes",
        )
    if kind in "iu" and not minutes.hasnans:
        values = minutes.to_numpy(dtype="int64")
        bad = (values < 0) | (values > most)
    elif kind in "iuf":
        values = minutes.to_numpy(dtype="float64", na_value=numpy.nan)
        with numpy.errstate(invalid="ignore"):
            bad = ~((values >= 0) & (values <= most) & (values == numpy.floor(values)))
    else:  # Python objects of any type: each checked (a bool among them too)
        objects = minutes.to_numpy(dtype=object).tolist()
        out = numpy.empty(len(objects), dtype="int64")
        for i, v in enumerate(objects):
            if type(v) is str and v.strip().isdigit() and len(v.strip()) <= 4:
                v = int(v)  # digits read from a text file, as pandas.to_numeric reads them
            out[i] = (
                v
                if type(v) is int and 0 <= v <= most
                else _clock.check_minutes(f"minutes[{minutes.index[i]!r}]", v)
            )
        return out
    if bad.any():
        at = int(numpy.flatnonzero(bad)[0])
        value = minutes.iloc[at]
        value = value.item() if isinstance(value, numpy.generic) else value
        label = f"minutes[{minutes.index[at]!r}]"
        _clock.check_minutes(label, value)
        raise InvalidMinutesError(label, value, "is not a whole number of minutes")
    return values.astype("int64", copy=False)


# --- synthetic data --------------------------------------------------------------

#: (code, credential, shortest and longest minutes) of the synthetic visits.
_VISITS = (
    ("G0299", "RN", 20, 90),
    ("G0300", "LPN", 20, 90),
    ("G0151", "PT", 30, 75),
    ("G0156", "HHA", 30, 120),
    ("S9124", "LPN", 120, 600),
    ("T1019", None, 15, 240),
)
_PAYERS = (("medicare", "0329"), ("tx-medicaid-cshcn", None), ("bcbs-tx", None))


def synthetic_timesheet(
    rows: int = 300, *, visits_per_claim: int = 10, bad_rows: float = 0.01, seed: int = 0
) -> pandas.DataFrame:
    """A made-up month (March 2024) of home visits, one row per visit, for demos and tests.

    Claims of ``visits_per_claim`` rows each, for the shipped Medicare,
    Texas Medicaid and BCBS Texas profiles; documentation flags set at random
    so that rules fire; a ``bad_rows`` share of rows made unreadable (a
    blank code or an impossible stop time).  The same seed gives the same
    frame.  Needs numpy (a pandas dependency).
    """
    pandas = _pandas()
    import numpy

    if isinstance(rows, bool) or not isinstance(rows, int) or rows < 0:
        raise InvalidFieldError("rows", rows, "must be a non-negative whole number")
    rng = numpy.random.default_rng(seed)
    claim = numpy.arange(rows) // max(1, visits_per_claim)
    payer = rng.integers(0, len(_PAYERS), size=int(claim[-1]) + 1 if rows else 0)[claim]
    kind = rng.integers(0, len(_VISITS), size=rows)
    low = numpy.array([v[2] for v in _VISITS])[kind]
    high = numpy.array([v[3] for v in _VISITS])[kind]
    minutes = rng.integers(low, high + 1)
    start = rng.integers(7 * 4, 17 * 4, size=rows) * 15
    stop = (start + minutes) % (24 * 60)
    day = rng.integers(1, 32, size=rows)
    codes = numpy.array([v[0] for v in _VISITS], dtype=object)[kind]
    bad = rng.random(rows) < bad_rows
    codes[bad & (rng.random(rows) < 0.5)] = None
    stop_text = [f"{m // 60:02d}:{m % 60:02d}" for m in stop.tolist()]
    for i in numpy.flatnonzero(bad).tolist():
        if codes[i] is not None:
            stop_text[i] = "25:00"
    return pandas.DataFrame(
        {
            "claim_id": [f"C{c:06d}" for c in claim.tolist()],
            "payer": [_PAYERS[p][0] for p in payer.tolist()],
            "type_of_bill": [_PAYERS[p][1] for p in payer.tolist()],
            "code": codes,
            "date": [f"2024-03-{d:02d}" for d in day.tolist()],
            "start": [f"{m // 60:02d}:{m % 60:02d}" for m in start.tolist()],
            "stop": stop_text,
            "credential": [_VISITS[k][1] for k in kind.tolist()],
            "orders_on_file": rng.random(rows) < 0.9,
            "plan_of_care_on_file": rng.random(rows) < 0.9,
            "notes_on_file": rng.random(rows) < 0.95,
            "charge": [f"{m * 1.25:.2f}" for m in minutes.tolist()],
        }
    )
