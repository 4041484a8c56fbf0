"""Wage indexes: a value per claim, or CMS's CBSA wage-index file looked up by the claim's CBSA.

CMS's HH PPS and hospice pricers read a wage index per CBSA and effective
date.  :func:`load_wage_index` reads both forms CMS publishes them in:

* the Java pricers' CSV (``cbsa-wage-index-YYYY.csv``): a header naming
  ``cbsa``, ``effectiveDate`` (``YYYYMMDD``) and ``geographicWageIndex``; other
  columns (``name``, the hospice file's ``reclassifiedWageIndex``...) are
  ignored;
* the COBOL pricers' fixed-width file (``CBSA2021`` of the FY 2021 hospice
  pricer): CBSA in columns 1-5, the effective date ``YYYYMMDD`` in 7-14, the
  wage index as six digits with four implied decimals (``009337`` = 0.9337)
  in 16-21, then the area name.

A claim names its CBSA in value code 61 (where the care was given; CGS and
Palmetto "Special CBSA Codes") and, on a hospice claim with inpatient days,
value code G8 (the facility's CBSA).  The row used is the latest effective on
or before the day priced.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Mapping
from decimal import Decimal
from pathlib import Path
from types import MappingProxyType
from typing import Any

import attrs

from ..errors import InvalidFieldError
from . import _files
from ._result import NotPriced, bounded

__all__ = ["MAX_WAGE_INDEX", "WageIndex", "load_wage_index", "wage_index_value"]


def __dir__() -> list[str]:
    return __all__


MAX_WAGE_INDEX = Decimal(3)

"""The largest wage index accepted; CMS's files hold values from about 0.3 to 2."""
_CBSA = re.compile(r"\d{5}\Z")
_FIXED = re.compile(r"(\d{5}) (\d{8}) (\d{6})")


def wage_index_value(value: object, field: str = "wage_index") -> Decimal:
    """``value`` as a wage index, above 0 and at most :data:`MAX_WAGE_INDEX`.

    >>> wage_index_value("0.9337")
    Decimal('0.9337')

    :raises InvalidFieldError: not a number, or zero, negative or absurd.
    """
    return bounded(field, value, low=Decimal(0), high=MAX_WAGE_INDEX)


def _entries(value: object) -> Mapping[str, tuple[tuple[_dt.date, Decimal], ...]]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError("by_cbsa", value, "must be a mapping of CBSA to (date, index) rows")
    out = {}
    for cbsa, rows in value.items():
        if not isinstance(cbsa, str) or not _CBSA.match(cbsa):
            raise InvalidFieldError("by_cbsa", cbsa, "is not a five-digit CBSA code")
        checked = []
        for day, index in rows:
            if not isinstance(day, _dt.date):
                raise InvalidFieldError(f"by_cbsa[{cbsa!r}]", day, "must be a date")
            checked.append((day, wage_index_value(index, f"by_cbsa[{cbsa!r}]")))
        out[cbsa] = tuple(sorted(checked))
    return MappingProxyType(out)


@attrs.frozen(slots=True, eq=False)
class WageIndex:
    """Wage indexes by CBSA, each with the dates they take effect.

    :ivar by_cbsa: for each CBSA, ``(effective date, wage index)`` rows in date order.
    :ivar source: where the numbers come from (the file read).

    >>> import datetime
    >>> table = WageIndex({"16740": [(datetime.date(2020, 10, 1), "0.9337")]}, "example")
    >>> table.lookup("16740", datetime.date(2021, 3, 1))
    (Decimal('0.9337'), '16740 effective 2020-10-01')
    """

    by_cbsa: Mapping[str, tuple[tuple[_dt.date, Decimal], ...]] = attrs.field(converter=_entries)
    source: str = ""

    def lookup(self, cbsa: str, day: _dt.date) -> tuple[Decimal, str]:
        """The wage index of ``cbsa`` in effect on ``day`` and the row it comes from.

        A CBSA not in the table, or with no row effective by ``day``, makes
        the claim "not priced" in :func:`~hcpcs_home.payment.price`.
        """
        rows = self.by_cbsa.get(cbsa)
        if not rows:
            raise NotPriced(f"CBSA {cbsa} is not in the wage-index table {self.source}")
        found = [r for r in rows if r[0] <= day]
        if not found:
            raise NotPriced(f"CBSA {cbsa} has no wage index effective by {day.isoformat()}")
        start, index = found[-1]
        return index, f"{cbsa} effective {start.isoformat()}"


def _date8(text: str) -> _dt.date:
    return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:8]))


def _read(file: Path) -> WageIndex:
    text, rows = _files.table_rows(file)
    where = str(file)
    problems: list[Any] = []
    found: dict[str, list[tuple[_dt.date, Decimal]]] = {}
    header = rows[0] if rows else []
    cbsa_at = _files.column(header, "cbsa")
    date_at = _files.column(header, "effectivedate", "effective")
    index_at = _files.column(header, "geographicwageindex", "wage index", "wageindex")
    if cbsa_at is not None and date_at is not None and index_at is not None:
        numbered = [(n, row) for n, row in enumerate(rows[1:], start=2)]
        cells_of = [
            (n, row[cbsa_at], row[date_at], row[index_at])
            for n, row in numbered
            if len(row) > max(cbsa_at, date_at, index_at)
        ]
        problems += [
            (n, "row", "is missing cells")
            for n, row in numbered
            if row and len(row) <= max(cbsa_at, date_at, index_at)
        ]
        implied = False
    else:
        cells_of = []
        for n, line in enumerate(text.splitlines(), start=1):
            if not line.strip(" \x1a"):
                continue  # a DOS end-of-file mark (Ctrl-Z) ends CMS's mainframe files
            match = _FIXED.match(line)
            if match is None:
                problems.append((n, "line", "is not 'CBSA YYYYMMDD 9(2)V9(4)' fixed width"))
                continue
            cbsa, day, index = match.groups()
            cells_of.append((n, cbsa, day, index))
        implied = True
    for n, cbsa, day, index in cells_of:
        cbsa, day, index = cbsa.strip(), day.strip(), index.strip()
        if not _CBSA.match(cbsa):
            problems.append((n, "cbsa", f"{cbsa!r} is not a five-digit CBSA code"))
        try:
            if not re.fullmatch(r"\d{8}", day):
                raise ValueError
            start = _date8(day)
        except ValueError:
            problems.append((n, "effectiveDate", f"{day!r} is not a date as YYYYMMDD"))
            continue
        try:
            value = Decimal(index) / 10_000 if implied else Decimal(index)
            value = wage_index_value(value, "wage index")
        except (ArithmeticError, InvalidFieldError):
            problems.append((n, "wage index", f"{index!r} is not a wage index above 0, at most 3"))
            continue
        found.setdefault(cbsa, []).append((start, value))
    if not cells_of and not problems:
        problems.append((1, "header", "names no cbsa, effectiveDate and geographicWageIndex"))
    _files.problems_or(where, problems)
    return WageIndex(found, f"{file.name}")


_cached = _files.cached_load(_read)


def load_wage_index(path: str | os.PathLike[str]) -> WageIndex:
    """The wage indexes of CMS's CBSA wage-index file at ``path`` (either form above).

    A file read once is kept (up to 16 files, least recently used dropped)
    until it changes on disk.

    :raises ~hcpcs_home.errors.EditFileError: every bad row and cell at once.
    """
    return _cached(path)
