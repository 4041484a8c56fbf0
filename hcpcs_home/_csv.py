"""The package's one CSV row reader: every cell as text, each row with its file line.

``hcpcs-home check --format csv`` (:mod:`hcpcs_home._claim_files`) and
:func:`hcpcs_home.dataframes.read_csv` both split rows here, so a file reads
the same through the command line and a DataFrame.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Mapping

__all__ = ["split_rows"]


def split_rows(
    text: str,
) -> tuple[list[str] | None, int, list[tuple[int, Mapping[str, object]]], list[tuple[int, str]]]:
    """(header, its line, [(line, {column: text or None})], [(line, problem)]).

    Blank lines are skipped; a row with more cells than the header is a problem
    at its line; a broken quote stops the reading there (the rest cannot be split
    reliably) and is a problem at its line.  Lines are the file's, 1-based.
    """
    reader = csv.reader(io.StringIO(text, newline=""), strict=True)
    header: list[str] | None = None
    header_at = 1
    rows: list[tuple[int, Mapping[str, object]]] = []
    bad: list[tuple[int, str]] = []
    line = 1
    while True:
        try:
            cells = next(reader)
        except StopIteration:
            break
        except csv.Error as exc:
            bad.append((line, f"is not CSV: {exc}"))
            break
        start, line = line, reader.line_num + 1
        if not any(cell.strip() for cell in cells):
            continue
        if header is None:
            header, header_at = [cell.strip() for cell in cells], start
            continue
        if len(cells) > len(header):
            bad.append((start, f"has {len(cells)} cells; the header names {len(header)} columns"))
            continue
        rows.append(
            (start, {c: (v if v.strip() else None) for c, v in zip(header, cells, strict=False)})
        )
    return header, header_at, rows, bad
