"""How the engine scales with edit rows and payers, ratios measured in one run.

Run with ``python benchmarks/bench_engine.py [CLAIMS]`` (2,000 claims of 10 lines
by default, built as :mod:`bench_check` builds them).  Each comparison is timed
best-of-``REPEATS`` in CPU seconds of this process, its runs interleaved so that
the noise of a shared machine slows both alike:

* **edit rows**: the default rules plus 6,000 code-keyed payer edit rows (each row
  names its own code, the shape of a CMS MUE table; a few hundred name codes the
  claims bill), one :class:`~hcpcs_home.policy.TableRule`, against the default rules
  alone, with the garbage collector on and off, each run from a collected heap;
* **payers**: the same claims spread over 65 payers (65 payer/bill-type pairs, one
  past the old cache's 64) against all of them sent to one payer.
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

import attrs

sys.path.insert(0, str(Path(__file__).resolve().parent))

from bench_check import best_of, make_claims

from hcpcs_home import Claim, check, load_edits
from hcpcs_home.edits import COLUMNS
from hcpcs_home.payers import Payer
from hcpcs_home.rules import DEFAULT_RULES

ROWS = 6_000
PAYERS = 65


def edit_file(directory: str, claims: list[Claim]) -> Path:
    """6,000 rows, one code each: the codes the claims bill first, then made-up ones."""
    billed = sorted({line.code for c in claims for line in c.lines})
    codes = billed + [f"Z{n:04d}" for n in range(ROWS - len(billed))]
    lines = [",".join(COLUMNS)]
    for i, code in enumerate(codes[:ROWS]):
        cells = {
            "id": f"row-{i}",
            "codes": code,
            "max_units_day" if i % 2 else "max_units_line": "96",
            "source": "benchmark row",
        }
        lines.append(",".join(cells.get(c, "") for c in COLUMNS))
    path = Path(directory) / "edits.csv"
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def report(title: str, times: dict[str, float], base: str, lines: int) -> None:
    print(title)
    for name, seconds in times.items():
        print(f"  {name:46} {lines / seconds:>10,.0f} lines/s {seconds / times[base]:>6.2f}x")


def main(n_claims: int) -> None:
    claims = make_claims(n_claims)
    n_lines = sum(len(c.lines) for c in claims)
    load = os.getloadavg()[0]
    print(
        f"{n_claims:,} claims, {n_lines:,} lines; load average {load:.1f}, {os.cpu_count()} cores"
    )

    with tempfile.TemporaryDirectory() as directory:
        edits = load_edits(edit_file(directory, claims))
    for c in claims[:200]:  # the same findings but the edits'
        assert list(check(c)) == [f for f in check(c, edits) if not f.rule_id.startswith("row-")]
    runs = {
        "default rules": lambda: [check(c) for c in claims],
        f"default rules + {ROWS:,} edit rows": lambda: [check(c, edits) for c in claims],
    }
    for collect in (True, False):
        # Each run starts from a collected heap (settle): otherwise a full collection
        # (~0.15 s here) lands in whichever run crosses the collector's threshold.
        times = best_of(runs, collect=collect, settle=True)
        gc_state = "on" if collect else "off (as timeit runs)"
        report(f"edit rows, garbage collector {gc_state}", times, "default rules", n_lines)

    many = [
        Payer(f"payer-{i}", f"Payer {i}", "commercial", accepts_s_codes=True) for i in range(PAYERS)
    ]
    one = [attrs.evolve(c, payer=many[0], type_of_bill=None) for c in claims]
    spread = [
        attrs.evolve(c, payer=many[i % PAYERS], type_of_bill=None) for i, c in enumerate(claims)
    ]
    times = best_of(
        {
            "1 payer": lambda: [check(c, DEFAULT_RULES) for c in one],
            f"{PAYERS} payers cycling": lambda: [check(c, DEFAULT_RULES) for c in spread],
        }
    )
    report("payers", times, "1 payer", n_lines)


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 2_000)
