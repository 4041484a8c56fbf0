"""Tabular paths against their baselines, ratios measured in one run.

Run with ``python benchmarks/bench_frame.py [ROWS] [FRAME_ROWS] [MEMORY_ROWS]``
(1,000,000, 50,000 and 0 by default; 0 skips that part).

* ``minutes_to_units``: the library's column conversion (every value checked)
  against a bare numpy lookup in the precomputed table (the fastest way numpy can
  map minutes to units, nothing checked) and against the conversion as it was
  on main 394dfeb (kept below as :func:`old_minutes_to_units`), each best of
  ``REPEATS`` in CPU seconds of this process.
* ``check_frame``: a synthetic timesheet of ``FRAME_ROWS`` rows
  (:func:`~hcpcs_home.dataframes.synthetic_timesheet`) checked whole, per row,
  against ``check()`` of the same claims (built beforehand, each report kept in a
  list) per claim line, each run from a collected heap; and, for reference, against
  ``check()`` whose reports are let go unread (no message written, nothing for the
  collector to walk).
* Peak memory of ``check_frame`` on ``MEMORY_ROWS`` rows (when given), in processes
  of their own, against the frame's own size (``memory_usage(deep=True)``, and the
  resident set the frame adds): the peak resident set less the resident set after the
  imports (pandas, numpy, the library's tables), and the peak of the allocations
  ``check_frame`` makes, traced by :mod:`tracemalloc`, with what its returned findings
  frame holds.  :mod:`tracemalloc` sees what Python's and numpy's allocators hand out,
  not memory maps: the findings' codes gathered while the frame is checked are held in
  anonymous maps (``_frames._Blocks``), so the traced peak leaves them out, and the
  resident figures are the ones to judge by.

  Each is measured on the same rows in two layouts, because the ratio's denominator
  depends on it (a 1,000,000-row timesheet is 121 MiB in one and 521 MiB in the other):

  - ``object``: the text columns of object dtype, one Python ``str`` per cell.  That is
    what ``pandas.read_csv(path, dtype=str)`` gives on pandas 2 and what
    :func:`~hcpcs_home.dataframes.synthetic_timesheet` built on main 394dfeb, where
    issue #21 measured "2.18 GiB for 1M rows (the frame is 741 MiB)".
  - ``compact``: the frame as :func:`~hcpcs_home.dataframes.synthetic_timesheet`
    builds it on this pandas: on pandas 3, whose ``read_csv`` gives the same, the
    text columns are the ``str`` dtype (Arrow-backed), about a quarter of the size.
  - ``csv``: the same rows as an analyst's frame arrives: the parent writes them to a
    temporary CSV file once, and the measuring process reads it with
    ``pandas.read_csv(path, dtype=str)``, as docs/scale.rst tells analysts to (every
    column text, so codes keep their leading zeros: on pandas 3 every column is the
    ``str`` dtype, the three flag columns too, so this frame is larger than
    ``compact``'s).

  Two resident figures are printed for each.  "Peak above the imports" counts from
  the process before the frame exists, so it includes the frame and whatever the
  allocators kept from making it: for ``object`` and ``compact``, made in the
  measuring process, the generator's Python lists and Arrow buffers; for ``csv``,
  ``read_csv``'s buffers; freed but kept by glibc's and Arrow's allocators, which no
  check can give back.  "Frame + added" is the frame's own size plus what
  ``check_frame`` adds to the resident peak above the process holding it: what the
  check costs beside the frame, wherever the frame came from.  Also printed: the
  resident set of the process holding the frame, and the peak of making the frame,
  both above the imports.

  **The issue's "peak memory <= 1.5x the frame at 1M rows" is "frame + added"**, for
  every layout: it is the one figure that measures ``check_frame``.  "Peak above the
  imports" is read with it, and printed, but cannot be the criterion for a frame
  whose making leaves the allocators holding freed memory: at 1,000,000 rows the
  process holding only the ``csv`` frame (153 MiB) is 217-231 MiB above the imports,
  1.42-1.51x the frame before anything is checked, and ``read_csv`` itself peaked at
  2.04-2.13x (``compact``: 199-211 MiB, 1.6-1.75x, for 121 MiB), so a check that
  added nothing would score 1.4-1.75x; only ``object``, the layout the issue measured,
  holds less than its ``memory_usage`` (its cells' strings are shared), and meets both.
  Nothing here trims the allocators (``malloc_trim``) or does anything else only a
  benchmark would.
"""

from __future__ import annotations

import gc
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


def best_of(runs: dict[str, Callable[[], Any]], *, settle: bool = False) -> dict[str, float]:
    """The fastest of ``REPEATS`` interleaved runs of each, in CPU seconds.

    ``settle`` collects garbage before each run, untimed: each run then starts from a
    collected heap, so a full collection made due by the run before does not land in
    the next (as in ``bench_check`` and ``bench_engine``)."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(REPEATS):
        for name, run in runs.items():
            if settle:
                gc.collect()
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
            "check(claim), each report let go": lambda: all(check(c) or True for c in claims),
        },
        settle=True,
    )
    per_row = times["check_frame(frame)"] / rows
    per_line = times["check(claim) of the same claims"] / lines
    dropped = times["check(claim), each report let go"] / lines
    print(
        f"{rows:,} timesheet rows ({lines:,} claim lines), load average "
        f"{os.getloadavg()[0]:.1f}: check_frame {per_row * 1e6:.1f} us a row, "
        f"check() {per_line * 1e6:.1f} us a claim line: {per_row / per_line:.2f}x"
    )
    # check() above keeps its reports, as a caller who uses them does: the collector then
    # walks them, and the claims, as they grow.  A check whose report is let go unread
    # reads no message and keeps nothing: the floor of check() itself, for reference.
    print(
        f"  for reference: check(), each report let go unread, {dropped * 1e6:.1f} us a "
        f"claim line: check_frame {per_row / dropped:.2f}x"
    )


_MEMORY = """
import gc, sys, tracemalloc
import numpy, pandas  # imported before the baseline: the frame cannot exist without them
from hcpcs_home.dataframes import check_frame, synthetic_timesheet

def rss(key):
    with open("/proc/self/status") as status:
        return next(int(l.split()[1]) * 1024 for l in status if l.startswith(key))

check_frame(synthetic_timesheet(200, seed=2))  # the library's tables and plans loaded
gc.collect()
before = rss("VmRSS")
if sys.argv[3] == "csv":  # as an analyst reads a timesheet (docs/scale.rst): all text
    sheet = pandas.read_csv(sys.argv[4], dtype=str)
elif sys.argv[3] == "object":  # one str object per text cell, as pandas 2 builds and reads
    import warnings
    warnings.simplefilter("ignore")  # pandas 3 says the option goes in pandas 4
    with pandas.option_context("future.infer_string", False):
        sheet = synthetic_timesheet(int(sys.argv[1]), seed=1)
    assert all(sheet[c].dtype.kind in "bO" for c in sheet.columns), sheet.dtypes
else:
    sheet = synthetic_timesheet(int(sys.argv[1]), seed=1)
size = int(sheet.memory_usage(deep=True).sum())
gc.collect()
with_frame = rss("VmRSS")
making = rss("VmHWM") - before  # the peak of making the frame (and of the imports' check)
try:  # the peak resident set from here on (Linux: clear_refs 5 resets VmHWM)
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")
except OSError:
    pass
if sys.argv[2] == "traced":
    tracemalloc.start()
found = check_frame(sheet)
if sys.argv[2] == "traced":
    current, peak = tracemalloc.get_traced_memory()
    print(size, peak, current, len(found))
else:
    peak = rss("VmHWM")
    print(size, peak - before, peak - with_frame, len(found), with_frame - before, making)
"""

#: The frame layouts measured (see the module's docstring).
LAYOUTS = ("object", "compact", "csv")


def memory(rows: int) -> None:
    """Two runs per layout in processes of their own: the resident set (what the machine
    sees, the allocator's free lists included) and the Python allocations traced by
    :mod:`tracemalloc` (what check_frame itself holds at its peak, numpy's arrays
    included), each against the frame's own size."""
    import subprocess
    import tempfile

    from hcpcs_home.dataframes import synthetic_timesheet

    folder = tempfile.TemporaryDirectory()
    path = os.path.join(folder.name, "timesheet.csv")
    synthetic_timesheet(rows, seed=1).to_csv(path, index=False)  # the rows the others make

    def run(mode: str, layout: str) -> list[int]:
        done = subprocess.run(
            [sys.executable, "-c", _MEMORY, str(rows), mode, layout, path],
            capture_output=True,
            text=True,
            check=False,
        )
        if done.returncode:
            raise SystemExit(f"the {layout} {mode} run failed:\n{done.stderr}")
        return list(map(int, done.stdout.split()))

    mib = 2**20
    print(f"{rows:,} rows, pandas {pandas.__version__}, load average {os.getloadavg()[0]:.1f}")
    for layout in LAYOUTS:
        size, peak, above, found, resident, making = run("rss", layout)
        print(
            f"  {layout} frame: {size / mib:,.0f} MiB; {found:,} findings; the process "
            f"holding it {resident / mib:,.0f} MiB above the imports "
            f"({resident / size:.2f}x the frame), making it peaked at {making / mib:,.0f} "
            f"MiB ({making / size:.2f}x)\n"
            f"    resident: peak {peak / mib:,.0f} MiB above the imports ({peak / size:.2f}x the "
            f"frame); check_frame adds {above / mib:,.0f} MiB above the process holding the "
            f"frame: frame + added = {(size + above) / size:.2f}x the frame (the issue's "
            "figure)"
        )
        size, peak, current, found = run("traced", layout)
        print(
            f"    traced: check_frame peaks at {peak / mib:,.0f} MiB beside the frame "
            f"(frame + peak = {(size + peak) / size:.2f}x the frame); the findings frame it "
            f"returns holds {current / mib:,.0f} MiB"
        )
    print(f"  load average at the end {os.getloadavg()[0]:.1f}")
    folder.cleanup()


if __name__ == "__main__":
    if int(sys.argv[1]) if len(sys.argv) > 1 else 1:
        main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
    if int(sys.argv[2]) if len(sys.argv) > 2 else 1:
        frame(int(sys.argv[2]) if len(sys.argv) > 2 else 50_000)
    if len(sys.argv) > 3 and int(sys.argv[3]):
        memory(int(sys.argv[3]))
