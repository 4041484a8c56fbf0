"""Build the validity layer (every HCPCS Level II code and modifier) from a CMS HCPCS file.

Usage::

    python tools/build_release.py path/to/HCPC2020_OCT_anweb.xlsx \\
        --published 2020-08-11 [--release "2020 October quarterly"] [--check]

The file may be CMS's fixed-width TXT file or its XLSX workbook (both are read
by :func:`hcpcs_home._cms_file.read_cms_records`, the workbook with the
standard library alone).  Writes ``hcpcs_home/data/release_codes.tsv`` (one
row per procedure code: its added and termination dates, latest action,
coverage, processing note, the unit its long descriptor implies and its short
descriptor) and ``hcpcs_home/data/release_modifiers.tsv`` (one row per
modifier, with its long descriptor), through
:func:`hcpcs_home._cms_file.release_tables`, the writer ``hcpcs-home catalog
load`` uses too.  The release's name and the dates of service it is current
for come from the file name (:func:`hcpcs_home._cms_file.release_period`)
unless ``--release`` names it.  The CMS file itself is never copied into the
package.  ``--check`` writes nothing and exits 1 when the bundled tables differ
from what the file gives.

A damaged file stops the build with the line (row) it fails on.  After a
rebuild, update ``hcpcs_home.catalog.CMS_RELEASE``, run the tests
(``tests/test_catalog.py`` cross-checks the curated layer against the new
release) and add a changelog entry.

The shipped release is CMS's October 2020 quarterly workbook
(``HCPC2020_OCT_anweb.xlsx``, 6,825 codes and 371 modifiers), which holds every
code of the 2020 annual file (``HCPC2020_ANWEB_w_disclaimer.txt``, 6,710 codes)
and the codes added in the April, July and October 2020 updates.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from pathlib import Path

from hcpcs_home._cms_file import read_cms_records, release_period, release_tables

DATA = Path(__file__).resolve().parents[1] / "hcpcs_home" / "data"


def build(cms_file: Path, release: str | None, published: str) -> dict[str, str]:
    """The text of both tables, by file name."""
    records = read_cms_records(cms_file)
    name, first, last = release_period(cms_file.name, records)
    return release_tables(
        records,
        cms_file.name,
        release or name,
        dt.date.fromisoformat(published) if published else None,
        (first, last),
    )


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cms_file", type=Path, help="CMS HCPCS Level II TXT or XLSX file")
    parser.add_argument("--release", help="release name (default: from the file name)")
    parser.add_argument("--published", required=True, help="CMS publication date, YYYY-MM-DD")
    parser.add_argument("--out", type=Path, default=DATA, help="folder to write the tables to")
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    args = parser.parse_args(argv)
    dt.date.fromisoformat(args.published)
    tables = build(args.cms_file, args.release, args.published)
    changed = [
        n
        for n, t in tables.items()
        if not (args.out / n).is_file() or (args.out / n).read_text("utf-8") != t
    ]
    if args.check:
        print("\n".join(f"{n} differs from {args.cms_file.name}" for n in changed) or "up to date")
        return 1 if changed else 0
    for name, text in tables.items():
        (args.out / name).write_text(text, "utf-8")
        print(f"wrote {args.out / name}: {text.count(chr(10))} lines")
    return 0


if __name__ == "__main__":
    sys.exit(main())
