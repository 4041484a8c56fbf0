"""Tabular paths against their baselines, ratios measured in one run.

Run with ``python benchmarks/bench_frame.py [ROWS]`` (1,000,000 by default).

* ``minutes_to_units``: the library's column conversion (every value checked)
  against a bare numpy lookup in the precomputed table (the fastest way numpy can
  map minutes to units, nothing checked) and against the conversion as it was
  on main 394dfeb (kept below as :func:`old_minutes_to_units`), each best of
  ``REPEATS`` in CPU seconds of this process.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from typing import Any

import numpy
import pandas

from hcpcs_home.dataframes import minutes_to_units
from hcpcs_home.errors import InvalidMinutesError
from hcpcs_home.units import MAX_LINE_MINUTES, units_for_many

REPEATS = 5


def old_minutes_to_units(minutes: pandas.Series, code: str) -> pandas.Series:
    """``minutes_to_units`` as main 394dfeb had it: a Python loop looks for booleans."""
    table = units_for_many(code, range(MAX_LINE_MINUTES + 1))
    values = minutes.to_numpy(dtype=object)
    numeric = pandas.to_numeric(minutes, errors="coerce").to_numpy(dtype="float64")
    bad = (
        numpy.isnan(numeric)
        | (numeric < 0)
        | (numeric > MAX_LINE_MINUTES)
        | (numeric != numpy.floor(numeric))
        | numpy.array([isinstance(v, bool) or type(v).__name__ == "bool_" for v in values])
    )
    if bad.any():
        raise InvalidMinutesError("minutes", "?", "is bad")
    index = numeric.astype("int64")
    units = numpy.asarray(table, dtype="int64")[index]
    return pandas.Series(units, index=minutes.index, name="units")


def best_of(runs: dict[str, Callable[[], Any]]) -> dict[str, float]:
    """The fastest of ``REPEATS`` interleaved runs of each, in CPU seconds."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(REPEATS):
        for name, run in runs.items():
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return best


def main(rows: int) -> None:
    rng = numpy.random.default_rng(20261207)
    minutes = pandas.Series(rng.integers(0, MAX_LINE_MINUTES + 1, size=rows))
    table = numpy.asarray(units_for_many("G0152", range(MAX_LINE_MINUTES + 1)), dtype="int64")
    print(
        f"{rows:,} rows of int64 minutes, best of {REPEATS}, Python {sys.version.split()[0]}, "
        f"{os.cpu_count()} cores, load average {os.getloadavg()[0]:.1f}"
    )
    expected = table[minutes.to_numpy()]
    assert (minutes_to_units(minutes, "G0152").to_numpy() == expected).all()
    assert (old_minutes_to_units(minutes, "G0152").to_numpy() == expected).all()
    times = best_of(
        {
            "numpy lookup (nothing checked)": lambda: table[minutes.to_numpy()],
            "minutes_to_units": lambda: minutes_to_units(minutes, "G0152"),
            "minutes_to_units of main 394dfeb": lambda: old_minutes_to_units(minutes, "G0152"),
        }
    )
    new = times["minutes_to_units"]
    for name, seconds in times.items():
        print(
            f"  {name:36} {rows / seconds:>14,.0f} rows/s {seconds / new:>8.2f}x minutes_to_units"
        )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
