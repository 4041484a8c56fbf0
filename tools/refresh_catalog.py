"""Refresh the CMS columns of ``hcpcs_home/data/codes.tsv`` from a CMS HCPCS TXT file.

Usage::

    python tools/refresh_catalog.py path/to/HCPC2026_JAN_ANWEB.txt [--dry-run] [--keep G0129]

For every HCPCS Level II row found in the file, the descriptor, coverage,
Medicare acceptance (which follows from coverage), processing note, effective
(added) and termination dates are replaced by the file's values.  The curated
columns (unit, discipline, credentials, settings, revenue codes, replaced_by,
source) are left alone, as are CPT rows and rows the file does not hold.
Every change is printed; review them, update the ``#`` provenance lines and
``source`` cells, and add a changelog entry.  ``--keep CODE`` leaves a row
alone, e.g. G0129, whose 2024 descriptor a file older than 2024 would revert.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hcpcs_home._cms_file import load_cms_file

TABLE = Path(__file__).resolve().parents[1] / "hcpcs_home" / "data" / "codes.tsv"


def refresh(
    table_text: str, cms_path: Path, keep: frozenset[str] = frozenset()
) -> tuple[str, list[str]]:
    """The refreshed table text and one report line per change or notice."""
    cms = {code.code: code for code in load_cms_file(cms_path)}
    out: list[str] = []
    report: list[str] = []
    header: list[str] | None = None
    for line in table_text.splitlines():
        if line.startswith("#") or not line:
            out.append(line)
            continue
        if header is None:
            header = line.split("\t")
            out.append(line)
            continue
        row = dict(zip(header, line.split("\t"), strict=True))
        found = cms.get(row["code"])
        if row["code_set"] != "HCPCS" or row["code"] in keep:
            pass
        elif found is None:
            report.append(f"{row['code']}: not in {cms_path.name}; left unchanged")
        else:
            new = {
                "descriptor": found.descriptor,
                "coverage": found.coverage.value if found.coverage else "",
                "medicare_accepts": "yes" if found.medicare_accepts else "no",
                "processing_note": found.processing_note or "",
                "effective": found.effective.isoformat(),
                "terminated": found.terminated.isoformat() if found.terminated else "",
            }
            for column, value in new.items():
                if row[column] != value:
                    report.append(f"{row['code']} {column}: {row[column]!r} -> {value!r}")
                    row[column] = value
            if row["terminated"] and not row["replaced_by"]:
                report.append(f"{row['code']}: terminated; fill in replaced_by")
        out.append("\t".join(row[c] for c in header))
    return "\n".join(out) + "\n", report


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cms_file", type=Path, help="CMS HCPCS Level II alpha-numeric TXT file")
    parser.add_argument("--table", type=Path, default=TABLE, help="table to refresh")
    parser.add_argument("--dry-run", action="store_true", help="report only; do not write")
    parser.add_argument("--keep", action="append", default=[], help="code to leave unchanged")
    args = parser.parse_args(argv)
    keep = frozenset(code.upper() for code in args.keep)
    text, report = refresh(args.table.read_text("utf-8"), args.cms_file, keep)
    print("\n".join(report) or "no changes")
    if not args.dry_run:
        args.table.write_text(text, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
