"""Throughput of :mod:`hcpcs_home.units` against a plain precomputed table lookup.

Run with ``python benchmarks/bench_units.py [N]`` (N random minute values,
1,000,000 by default).  Each form is timed best-of-five in this process and
reported as units per second and as a ratio to the bare table lookup, the
fastest way Python can map a minute value to a unit count.  Both library forms
validate every value; nothing is skipped to win.
"""

from __future__ import annotations

import random
import sys
import time
from collections.abc import Callable

from hcpcs_home import lookup
from hcpcs_home.units import TEXAS_MEDICAID_TENTHS, billable_units, units_for_many

REPEATS = 5


def best_of(run: Callable[[], object]) -> tuple[float, object]:
    """The fastest of ``REPEATS`` runs, in seconds, and the last result."""
    best, result = float("inf"), None
    for _ in range(REPEATS):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    return best, result


def main(n: int) -> None:
    rng = random.Random(20261101)
    values = [rng.randrange(0, 24 * 60 + 1) for _ in range(n)]
    table = [(m + 7) // 15 for m in range(24 * 60 + 1)]  # the CMS chart, precomputed
    g0152 = lookup("G0152")

    forms: list[tuple[str, Callable[[], object]]] = [
        ("table lookup (baseline)", lambda: [table[m] for m in values]),
        ("billable_units('G0152', m)", lambda: [billable_units("G0152", m) for m in values]),
        ("billable_units(Code, m)", lambda: [billable_units(g0152, m) for m in values]),
        (
            "billable_units('S9123', m, Texas)",
            lambda: [billable_units("S9123", m, policy=TEXAS_MEDICAID_TENTHS) for m in values],
        ),
        ("units_for_many('G0152', values)", lambda: units_for_many("G0152", values)),
        (
            "units_for_many('S9123', values, Texas)",
            lambda: units_for_many("S9123", values, policy=TEXAS_MEDICAID_TENTHS),
        ),
    ]

    print(
        f"{n:,} random minute values in 0..1440, best of {REPEATS}, Python {sys.version.split()[0]}"
    )
    print(f"{'form':42} {'units/s':>14} {'x table':>8}")
    baseline = None
    expected = None
    for name, run in forms:
        seconds, result = best_of(run)
        if baseline is None:
            baseline, expected = seconds, result
        elif "G0152" in name and result != expected:
            raise SystemExit(f"{name} disagrees with the table")
        print(f"{name:42} {n / seconds:14,.0f} {seconds / baseline:8.2f}")


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 1_000_000)
