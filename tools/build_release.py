"""Build the validity layer (every HCPCS Level II code and modifier) from a CMS HCPCS TXT file.

Usage::

    python tools/build_release.py path/to/HCPC2019_CONTR_ANWEB.txt \\
        --release "2019 annual" --published 2018-11-02 [--check]

Writes ``hcpcs_home/data/release_codes.tsv`` (one row per procedure code: its
added and termination dates, latest action, coverage, processing note, the
unit its long descriptor implies and its short descriptor) and
``hcpcs_home/data/release_modifiers.tsv`` (one row per modifier, with its long
descriptor).  The CMS file itself is never copied into the package: the tables
keep the fields the library uses, compactly.  ``--check`` writes nothing and
exits 1 when the bundled tables differ from what the file gives.

The file is read with :func:`hcpcs_home._cms_file.read_cms_records`, so a
damaged file stops the build with the line it fails on.  After a rebuild,
update ``hcpcs_home.catalog.RELEASE`` if the release changed, run the tests
(``tests/test_catalog.py`` cross-checks the curated layer against the new
release) and add a changelog entry.
"""

from __future__ import annotations

import argparse
import datetime as dt
import sys
from collections.abc import Iterable
from pathlib import Path

from hcpcs_home._cms_file import CmsRecord, read_cms_records, unit_from_descriptor
from hcpcs_home.codes import BillingUnit

DATA = Path(__file__).resolve().parents[1] / "hcpcs_home" / "data"
CMS_PAGE = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/Alpha-Numeric-HCPCS"


def _date(value: dt.date | None) -> str:
    return value.isoformat() if value else ""


def _header(kind: str, source: str, release: str, published: str, columns: str) -> list[str]:
    return [
        f"# hcpcs_home validity layer: every HCPCS Level II {kind} of one CMS release.",
        f"# source: CMS HCPCS Level II alpha-numeric file {source} ({CMS_PAGE}); public domain.",
        f"# release: {release}",
        f"# published: {published}",
        "# Built by tools/build_release.py from the CMS file; do not edit by hand.",
        f"# columns: {columns}",
    ]


def _common(r: CmsRecord) -> list[str]:
    """The cells every row starts with: code, added, terminated, action, coverage."""
    coverage = r.coverage.value if r.coverage else ""
    return [r.code, _date(r.added), _date(r.terminated), r.action_code or "", coverage]


def code_rows(records: Iterable[CmsRecord]) -> list[str]:
    """One tab-separated row per procedure record."""
    rows = []
    for r in records:
        if r.is_modifier:
            continue
        unit, minimum = unit_from_descriptor(r.long_description)
        rows.append(
            "\t".join(
                [
                    *_common(r),
                    r.processing_note or "",
                    "" if unit is BillingUnit.UNTIMED else unit.name,
                    "" if minimum is None else str(minimum),
                    r.short_description,
                ]
            )
        )
    return rows


def modifier_rows(records: Iterable[CmsRecord]) -> list[str]:
    """One tab-separated row per modifier record."""
    return [
        "\t".join([*_common(r), r.short_description, r.long_description])
        for r in records
        if r.is_modifier
    ]


def build(cms_file: Path, release: str, published: str) -> dict[str, str]:
    """The text of both tables, by file name."""
    records = read_cms_records(cms_file)
    codes = _header(
        "procedure code",
        cms_file.name,
        release,
        published,
        "added and terminated (ISO dates; terminated blank while active), CMS action code, "
        "coverage code, processing note, unit implied by the long descriptor (blank: untimed) "
        "and its minimum minutes, CMS short descriptor",
    )
    codes.append("code\tadded\tterminated\taction\tcoverage\tnote\tunit\tmin\tshort")
    modifiers = _header(
        "modifier",
        cms_file.name,
        release,
        published,
        "added, terminated, CMS action code, coverage code, short and long descriptors",
    )
    modifiers.append("modifier\tadded\tterminated\taction\tcoverage\tshort\tdescriptor")
    return {
        "release_codes.tsv": "\n".join(codes + code_rows(records)) + "\n",
        "release_modifiers.tsv": "\n".join(modifiers + modifier_rows(records)) + "\n",
    }


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("cms_file", type=Path, help="CMS HCPCS Level II alpha-numeric TXT file")
    parser.add_argument("--release", required=True, help='release name, e.g. "2019 annual"')
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
