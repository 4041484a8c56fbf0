"""Write the catalog's size-and-sources table into ``docs/catalog.rst``.

Usage::

    python tools/catalog_table.py [--check]

The table counts, for each code family of ``hcpcs_home/data/code_families.tsv``,
the codes of the bundled CMS release in its ranges and the curated codes, and
names the family's sources.  It sits between the ``family-table-start`` and
``family-table-end`` comments of the page; ``tests/test_catalog.py`` fails
when the page and the data disagree, so the table cannot drift.
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

from hcpcs_home._tables import read_table
from hcpcs_home.catalog import default_catalog

PAGE = Path(__file__).resolve().parents[1] / "docs" / "catalog.rst"
START = ".. family-table-start\n"
END = ".. family-table-end\n"


def family_table() -> str:
    """The rst list-table, one row per family plus a total row."""
    catalog = default_catalog()
    release = catalog.release
    assert release is not None
    in_release = release.code_ids()
    families: dict[str, dict[str, list[str]]] = {}
    for row in read_table("code_families.tsv"):
        family = families.setdefault(
            row["family"], {"ranges": [], "title": [row["title"]], "sources": []}
        )
        first, last = row["first"], row["last"]
        family["ranges"].append(first if first == last else f"{first}-{last}")
        for source in row["source"].split("; "):
            if source not in family["sources"]:
                family["sources"].append(source)
        family.setdefault("release", []).extend(c for c in in_release if first <= c <= last)
        family.setdefault("curated", []).extend(c for c in catalog if first <= c <= last)
    lines = [
        ".. list-table::",
        "   :header-rows: 1",
        "   :widths: 24 22 10 10 34",
        "",
        "   * - Family",
        "     - Codes",
        f"     - In CMS {release.name}",
        "     - Curated",
        "     - Sources",
    ]
    total_release = total_curated = 0
    for family in families.values():
        total_release += len(family["release"])
        total_curated += len(family["curated"])
        lines += [
            f"   * - {family['title'][0]}",
            f"     - {', '.join(family['ranges'])}",
            f"     - {len(family['release'])}",
            f"     - {len(family['curated'])}",
            f"     - {'; '.join(family['sources'])}",
        ]
    lines += [
        "   * - All families",
        "     -",
        f"     - {total_release}",
        f"     - {total_curated}",
        f"     - the whole release: {len(in_release)} codes, "
        f"{len(release.modifier_ids())} modifiers",
    ]
    return "\n".join(lines) + "\n"


def rewrite(page: str) -> str:
    """The page with its table replaced by :func:`family_table`."""
    head, rest = page.split(START, 1)
    _, tail = rest.split(END, 1)
    return f"{head}{START}\n{family_table()}\n{END}{tail}"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--check", action="store_true", help="compare only; exit 1 on a change")
    args = parser.parse_args(argv)
    page = PAGE.read_text("utf-8")
    new = rewrite(page)
    if args.check:
        print("up to date" if new == page else f"{PAGE} is out of date")
        return 0 if new == page else 1
    PAGE.write_text(new, "utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
