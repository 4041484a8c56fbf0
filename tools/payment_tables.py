"""Write ``hcpcs_home/data/hh_visit_rates.tsv`` from CMS's HH PPS Pricer ``rev-YYYY.csv`` files.

Usage::

    python tools/payment_tables.py path/to/cms-pricers/hha [--check]

CMS's Java HH PPS Pricer (DSACMS/MedicareClaimsPricerSource, ``hha-pricer/
hha-pricer-application/rev-YYYY.csv``, CC0-1.0) holds, per calendar year and
home-health discipline, the national per-visit (LUPA) amount and the 15-minute
unit cost used to impute an outlier period's cost, with and without quality
data.  The rural columns equal the non-rural ones in every year, so only one
is kept.  ``--check`` writes nothing and exits 1 when the shipped table differs.
"""

from __future__ import annotations

import argparse
import csv
import sys
from pathlib import Path

DATA = Path(__file__).resolve().parents[1] / "hcpcs_home" / "data"
RULES = {
    2020: "FR Doc. 2019-24026",
    2021: "85 FR 70298",
    2022: "86 FR 62240",
    2023: "87 FR 66790",
    2024: "88 FR 77676",
    2025: "89 FR 88354",
    2026: "FR Doc. 2025-21767",
}
DISCIPLINES = {
    "0420": "PT",
    "0430": "OT",
    "0440": "SLP",
    "0550": "SN",
    "0560": "MSS",
    "0570": "AIDE",
}
HEADER = """# Medicare home health per-visit amounts (LUPA) and 15-minute unit costs (outlier) per
# calendar year and discipline, with and without quality data; not wage-adjusted.
# source: CMS HH PPS Pricer data files rev-YYYY.csv (public repository
#   DSACMS/MedicareClaimsPricerSource, hha-pricer/hha-pricer-application/rev-YYYY.csv; CC0-1.0;
#   rev-2020/2022/2023 at commit 3f33ff56b393, rev-2021/2024/2025/2026 at 2255c69f83ac), the
#   per-visit amounts of each year's HH PPS final rule (in the row: FR volume and first page, or
#   the FR document number where the first page was not confirmed).  The CY 2026 rows are held,
#   but CY 2026 periods are not priced (hh_rates.tsv has no CY 2026 row).
#   Regenerate with tools/payment_tables.py.
# release: 2026.12
"""


def _money(text: str) -> str:
    return f"{float(text):.2f}"


def build(folder: Path) -> str:
    """The table's text from the ``rev-YYYY.csv`` files in ``folder``."""
    rows = ["year\trevenue\tdiscipline\tvisit\tvisit_no_quality\tunit\tunit_no_quality\trule"]
    for year in sorted(RULES):
        with (folder / f"rev-{year}.csv").open(newline="", encoding="utf-8") as stream:
            for rec in csv.DictReader(stream):
                if rec["nonruralDollarRate"] != rec["ruralDollarRate"]:
                    raise SystemExit(f"rev-{year}.csv {rec['code']}: rural rate differs")
                cells = [
                    str(year),
                    rec["code"],
                    DISCIPLINES[rec["code"]],
                    _money(rec["nonruralDollarRate"]),
                    _money(rec["nonruralUnsubmittedDollarRate"]),
                    _money(rec["nonruralUnitDollarRate"]),
                    _money(rec["nonruralUnsubmittedUnitDollarRate"]),
                    RULES[year],
                ]
                rows.append("\t".join(cells))
    return HEADER + "\n".join(rows) + "\n"


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("folder", type=Path)
    parser.add_argument("--check", action="store_true")
    args = parser.parse_args(argv)
    text = build(args.folder)
    target = DATA / "hh_visit_rates.tsv"
    if args.check:
        return 0 if target.read_text(encoding="utf-8") == text else 1
    target.write_text(text, encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
