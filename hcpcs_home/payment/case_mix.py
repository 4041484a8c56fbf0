"""PDGM case-mix weights and LUPA thresholds: CMS's yearly file, loaded.

CMS publishes, for each calendar year, the case-mix weight and the LUPA visit
threshold of each of the 432 PDGM HIPPS codes ("CY <year> PDGM Case-Mix
Weights and LUPA Thresholds", on the HH PDGM page,
https://www.cms.gov/medicare/payment/prospective-payment-systems/home-health/
home-health-patient-driven-groupings-model); CMS's HH PPS Pricer holds the same
figures as ``hrg-YYYY.csv``.  :func:`load_case_mix` reads either, exported to
CSV (or TSV): the header row's columns are found by name,

``code`` or a name containing ``HIPPS``
    the HIPPS code (five characters);
a name containing ``weight``
    the case-mix weight (up to 4 decimals, above 0, at most 10);
a name containing ``threshold``
    the LUPA threshold: a period with fewer visits is paid per visit (1 to 99);
``effectiveDate`` (optional)
    ``YYYYMMDD``, the first day of the year the row is for.

Rows above the header, blank rows and ``#`` lines are skipped.  No year is
shipped: the table is a file the user loads (the package cannot cite a CMS
copy it may redistribute), and the ``hh-lupa`` rule and LUPA pricing need it.
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
from ..pdgm import LupaThresholds
from . import _files
from ._result import bounded

__all__ = ["CaseMix", "load_case_mix"]


def __dir__() -> list[str]:
    return __all__


_HIPPS = re.compile(r"[A-Z0-9]{5}\Z")
_MOST_WEIGHT = Decimal(10)


def _weights(value: object) -> Mapping[str, Decimal]:
    if not isinstance(value, Mapping):
        raise InvalidFieldError("weights", value, "must be a mapping of HIPPS code to weight")
    out = {}
    for code, weight in value.items():
        key = code.strip().upper() if isinstance(code, str) else None
        if key is None or not _HIPPS.match(key):
            raise InvalidFieldError("weights", code, "is not a five-character HIPPS code")
        out[key] = bounded(f"weights[{code!r}]", weight, low=Decimal(0), high=_MOST_WEIGHT)
    return MappingProxyType(out)


def _thresholds(value: object) -> Mapping[str, int]:
    if not value:
        return MappingProxyType({})
    return LupaThresholds("thresholds", value).by_hipps


def _year(value: object) -> int | None:
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, int) or not 2020 <= value <= 2099:
        raise InvalidFieldError("year", value, "must be a calendar year from 2020 (PDGM)")
    return value


@attrs.frozen(slots=True, eq=False)
class CaseMix:
    """Case-mix weights and LUPA thresholds by HIPPS code, for one calendar year.

    :ivar weights: case-mix weight per HIPPS code.
    :ivar thresholds: LUPA visit threshold per HIPPS code (may be empty: a
        bare mapping of weights).
    :ivar year: the calendar year the table is for, or ``None`` for any.
    :ivar source: where it comes from (the file read).

    >>> table = CaseMix({"1FC11": "1.0912"}, {"1FC11": 4}, year=2025, source="example")
    >>> table.weights["1FC11"], table.thresholds["1FC11"]
    (Decimal('1.0912'), 4)
    """

    weights: Mapping[str, Decimal] = attrs.field(converter=_weights)
    thresholds: Mapping[str, int] = attrs.field(default=(), converter=_thresholds)
    year: int | None = attrs.field(default=None, converter=_year)
    source: str = ""

    def lupa_thresholds(self) -> LupaThresholds:
        """The LUPA thresholds as :class:`~hcpcs_home.pdgm.LupaThresholds` (an unknown HIPPS
        has no default)."""
        name = f"CY {self.year} PDGM" if self.year else "PDGM"
        return LupaThresholds(name, dict(self.thresholds), source=self.source or "case-mix table")

    @classmethod
    def of(cls, value: object) -> CaseMix:
        """``value`` as a table: a :class:`CaseMix`, a path to a file (read with
        :func:`load_case_mix`) or a mapping of HIPPS code to weight."""
        if isinstance(value, CaseMix):
            return value
        if isinstance(value, (str, os.PathLike)):
            return load_case_mix(value)
        if isinstance(value, Mapping):
            return cls(value, source="case-mix weights given")
        raise InvalidFieldError("case_mix", value, "must be a CaseMix, a path or a mapping")


def _read(file: Path) -> CaseMix:
    _, rows = _files.table_rows(file)
    where = str(file)
    header_at = None
    for at, row in enumerate(rows):
        if row and row[0].lstrip().startswith("#"):
            continue
        code_col = _files.column(row, "code", "hipps")
        weight_col, visits_col = _files.column(row, "weight"), _files.column(row, "threshold")
        if code_col is not None and weight_col is not None and visits_col is not None:
            date_col = _files.column(row, "effectivedate")
            header_at, columns = at, (code_col, weight_col, visits_col, date_col)
            break
    if header_at is None:
        _files.problems_or(where, [(1, "header", "names no HIPPS code, weight and threshold")])
        raise AssertionError  # pragma: no cover - problems_or raised
    code_at, weight_at, threshold_at, date_at = columns
    last = max(code_at, weight_at, threshold_at, date_at or 0)
    problems: list[Any] = []
    weights: dict[str, Decimal] = {}
    thresholds: dict[str, int] = {}
    years: set[int] = set()
    for n, row in enumerate(rows[header_at + 1 :], start=header_at + 2):
        if not any(c.strip() for c in row) or row[0].lstrip().startswith("#"):
            continue
        if len(row) <= last:
            problems.append((n, "row", "is missing cells"))
            continue
        hipps = row[code_at].strip().upper()
        if not _HIPPS.match(hipps):
            problems.append((n, "code", f"{row[code_at]!r} is not a five-character HIPPS code"))
        elif hipps in weights:
            problems.append((n, "code", f"{hipps} appears twice"))
        text = row[weight_at].strip()
        weight: Decimal | None
        try:
            if not re.fullmatch(r"\d{1,2}(\.\d{1,4})?", text):
                raise ValueError
            weight = bounded("weight", text, low=Decimal(0), high=_MOST_WEIGHT)
        except (ValueError, InvalidFieldError):
            problems.append((n, "weight", f"{text!r} is not a weight above 0, at most 10"))
            weight = None
        visits = row[threshold_at].strip()
        if not re.fullmatch(r"\d{1,2}", visits) or int(visits) < 1:
            problems.append((n, "threshold", f"{visits!r} is not a visit threshold (1 to 99)"))
        if date_at is not None:
            day = row[date_at].strip()
            try:
                if not re.fullmatch(r"\d{8}", day):
                    raise ValueError
                years.add(_dt.date(int(day[:4]), int(day[4:6]), int(day[6:])).year)
            except ValueError:
                problems.append((n, "effectiveDate", f"{day!r} is not a date as YYYYMMDD"))
        if weight is not None and _HIPPS.match(hipps) and visits.isdigit():
            weights[hipps], thresholds[hipps] = weight, int(visits)
    if len(years) > 1:
        problems.append((0, "effectiveDate", f"holds more than one year: {sorted(years)}"))
    if not weights and not problems:
        problems.append((header_at + 1, "file", "holds no rows"))
    _files.problems_or(where, problems)
    year = years.pop() if years else None
    if year is not None and year < 2020:
        _files.problems_or(where, [(0, "effectiveDate", f"{year} is before PDGM (2020)")])
    return CaseMix(weights, thresholds, year=year, source=file.name)


_cached = _files.cached_load(_read)


def load_case_mix(path: str | os.PathLike[str]) -> CaseMix:
    """The case-mix weights and LUPA thresholds of the file at ``path`` (columns above).

    A file read once is kept (up to 16 files, least recently used dropped)
    until it changes on disk.

    :raises ~hcpcs_home.errors.EditFileError: every bad row and cell at once.
    """
    return _cached(path)
