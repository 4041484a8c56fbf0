"""Time to load CMS's HCPCS file, as a ratio to reading its lines with plain Python.

Run with ``python benchmarks/bench_cms_file.py [FILE]``.  FILE defaults to CMS's
2019 alpha-numeric file (``HCPC2019_CONTR_ANWEB.txt``, from the cms.gov
Alpha-Numeric HCPCS page) in ``$HCPCS_CMS_DIR`` or in a ``shared/data/cms-hcpcs``
folder beside the checkout; CMS's files are never shipped with the package.  Each form
is timed best-of-five in this process, and the library's reader is reported as
a multiple of ``open().readlines()`` on the same file, the least any reader
must do, so the figure holds on a busy machine where seconds do not.
"""

from __future__ import annotations

import os
import sys
import time
from collections.abc import Callable
from pathlib import Path

from hcpcs_home import load_cms_file
from hcpcs_home._cms_file import read_cms_records

REPEATS = 5
DEFAULT = (
    Path(
        os.environ.get(
            "HCPCS_CMS_DIR", Path(__file__).resolve().parents[2] / "shared" / "data" / "cms-hcpcs"
        )
    )
    / "HCPC2019_CONTR_ANWEB.txt"
)


def best_of(run: Callable[[], object]) -> float:
    """The fastest of ``REPEATS`` runs, in seconds."""
    best = float("inf")
    for _ in range(REPEATS):
        started = time.perf_counter()
        run()
        best = min(best, time.perf_counter() - started)
    return best


def readlines(path: Path) -> list[str]:
    """The baseline: every line of the file, decoded, nothing parsed."""
    with open(path, encoding="latin-1") as file:
        return file.readlines()


def main(path: Path) -> None:
    if not path.is_file():
        raise SystemExit(f"{path} not found: pass the CMS HCPCS TXT file, or set HCPCS_CMS_DIR")
    forms: list[tuple[str, Callable[[], object]]] = [
        ("open().readlines() (baseline)", lambda: readlines(path)),
        ("read_cms_records(path)", lambda: list(read_cms_records(path))),
        ("load_cms_file(path)", lambda: list(load_cms_file(path))),
    ]
    lines = len(readlines(path))
    print(f"{path.name}: {lines:,} lines, best of {REPEATS}, Python {sys.version.split()[0]}")
    print(f"{'form':34} {'ms':>9} {'x readlines':>12}")
    baseline = None
    for name, run in forms:
        seconds = best_of(run)
        baseline = baseline or seconds
        print(f"{name:34} {seconds * 1000:9.1f} {seconds / baseline:12.1f}")


if __name__ == "__main__":
    main(Path(sys.argv[1]) if len(sys.argv) > 1 else DEFAULT)
