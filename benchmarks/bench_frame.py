"""Tabular paths against their baselines, ratios measured in one run.

Run with ``python benchmarks/bench_frame.py [ROWS] [FRAME_ROWS] [MEMORY_ROWS]``
(1,000,000, 50,000 and 0 by default).

* ``minutes_to_units``: the library's column conversion (every value checked)
  against a bare numpy lookup in the precomputed table (the fastest way numpy can
  map minutes to units, nothing checked) and against the conversion as it was
  on main 394dfeb (kept below as :func:`old_minutes_to_units`), each best of
  ``REPEATS`` in CPU seconds of this process.
* ``check_frame``: a synthetic timesheet of ``FRAME_ROWS`` rows
  (:func:`~hcpcs_home.dataframes.synthetic_timesheet`) checked whole, per row,
  against ``check()`` of the same claims (built beforehand) per claim line.
* Peak memory of ``check_frame`` on ``MEMORY_ROWS`` rows (when given), in a process
  of its own (its peak resident set less the resident set before the frame was
  made), against the frame's own size (``memory_usage(deep=True)``).
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


def frame(rows: int) -> None:
    from hcpcs_home import check
    from hcpcs_home.dataframes import check_frame, claims_from_frame, synthetic_timesheet

    sheet = synthetic_timesheet(rows, seed=1)
    claims = claims_from_frame(sheet).claims
    lines = sum(len(c.lines) for c in claims)
    times = best_of(
        {
            "check_frame(frame)": lambda: check_frame(sheet),
            "check(claim) of the same claims": lambda: [check(c) for c in claims],
        }
    )
    per_row = times["check_frame(frame)"] / rows
    per_line = times["check(claim) of the same claims"] / lines
    print(
        f"{rows:,} timesheet rows ({lines:,} claim lines): "
        f"check_frame {per_row * 1e6:.1f} us a row, "
        f"check() {per_line * 1e6:.1f} us a claim line: {per_row / per_line:.2f}x"
    )


_MEMORY = """
import resource, sys
from hcpcs_home.dataframes import check_frame, synthetic_timesheet
before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
sheet = synthetic_timesheet(int(sys.argv[1]), seed=1)
size = int(sheet.memory_usage(deep=True).sum())
after_frame = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
found = check_frame(sheet)
peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
print(size, (peak - before) * 1024, (peak - after_frame) * 1024, len(found))
"""


def memory(rows: int) -> None:
    import subprocess

    done = subprocess.run(
        [sys.executable, "-c", _MEMORY, str(rows)], capture_output=True, text=True, check=True
    )
    size, peak, above, found = map(int, done.stdout.split())
    print(
        f"{rows:,} rows: the frame is {size / 2**20:,.0f} MiB; check_frame's process peaks "
        f"{peak / 2**20:,.0f} MiB above its start ({peak / size:.2f}x the frame), "
        f"{above / 2**20:,.0f} MiB above the frame; {found:,} findings"
    )


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    frame(int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
    if len(sys.argv) > 3 and int(sys.argv[3]):
        memory(int(sys.argv[3]))
