"""Read CMS CCW research files (RIF) of home-health and hospice claims into claims.

The Chronic Conditions Warehouse (CCW) distributes Medicare claims to
researchers as Research Identifiable Files: one row per revenue-center line,
the claim-level columns repeated on every row of a claim, rows grouped by
``CLM_ID`` (CCW codebook "Medicare Fee-For-Service Claims (Version K)";
CMSgov/beneficiary-fhir-data RIF samples).  :func:`read_claims` reads the
home-health (``NCH_CLM_TYPE_CD`` 10) and hospice (50) files into
:class:`~hcpcs_home.claims.Claim` values, ready for
``hcpcs_home.check``.

==========================================  =======================================
Claim field                                 RIF column
==========================================  =======================================
``id``, ``patient_id``                      ``CLM_ID``, ``BENE_ID``
``statement_from`` / ``statement_through``  ``CLM_FROM_DT`` / ``CLM_THRU_DT``
``type_of_bill``                            ``0`` + ``CLM_FAC_TYPE_CD`` +
                                            ``CLM_SRVC_CLSFCTN_TYPE_CD`` +
                                            ``CLM_FREQ_CD``
``admission_date``                          ``CLM_ADMSN_DT`` (HHA),
                                            ``CLM_HOSPC_START_DT_ID`` (hospice)
``patient_status``                          ``PTNT_DSCHRG_STUS_CD`` (``1`` is ``01``)
``point_of_origin``                         ``CLM_HHA_RFRL_CD`` (HHA referral source)
``total_charge``                            ``CLM_TOT_CHRG_AMT`` (kept where it differs
                                            from the lines, for ``total-charge-mismatch``)
``lines[i].revenue_code``                   ``REV_CNTR``
``lines[i].date``                           ``REV_CNTR_DT`` (a ``0001`` total line
                                            without one takes ``CLM_THRU_DT``)
``lines[i].code``                           ``HCPCS_CD``: on a 0023 line the HIPPS
                                            the agency billed
``lines[i].modifiers``                      ``HCPCS_1ST_MDFR_CD``, ``HCPCS_2ND_MDFR_CD``
``lines[i].units``, ``lines[i].charge``     ``REV_CNTR_UNIT_CNT``,
                                            ``REV_CNTR_TOT_CHRG_AMT``
==========================================  =======================================

Dates may be ``DD-Mon-YYYY`` (CMS's synthetic samples), ``YYYYMMDD`` (the
CCW data dictionaries) or ISO.  ``REV_CNTR_APC_HIPPS_CD`` holds a HIPPS only
when Medicare paid on a different one than billed (CCW codebook), so it is
not read as the billed code.

The file is delimited, never quoted: a ``"`` is an ordinary character of its
cell.  Nothing is dropped: a row that cannot be read makes its whole claim a
:class:`RifError` naming every row of that claim and what is wrong, so that
claims' lines plus errors' rows always add up to the rows of the file.

>>> import pathlib, tempfile
>>> from hcpcs_home import rif
>>> header = ("CLM_ID|BENE_ID|NCH_CLM_TYPE_CD|CLM_FROM_DT|CLM_THRU_DT|CLM_FAC_TYPE_CD|"
...           "CLM_SRVC_CLSFCTN_TYPE_CD|CLM_FREQ_CD|PTNT_DSCHRG_STUS_CD|CLM_ADMSN_DT|"
...           "REV_CNTR|REV_CNTR_DT|HCPCS_CD|REV_CNTR_UNIT_CNT|REV_CNTR_TOT_CHRG_AMT")
>>> rows = ["7|1|10|01-Mar-2024|30-Mar-2024|3|2|9|30|01-Mar-2024|0023|01-Mar-2024|1FC21|1|0",
...         "7|1|10|01-Mar-2024|30-Mar-2024|3|2|9|30|01-Mar-2024|0551|01-Mar-2024|G0299|4|150"]
>>> path = pathlib.Path(tempfile.mkdtemp()) / "hha.csv"
>>> _ = path.write_text("\\n".join([header, *rows]) + "\\n")
>>> [claim] = rif.read_claims(path)
>>> claim.type_of_bill, claim.lines[0].qualifier, claim.patient_status
('0329', 'HP', '30')
"""

from __future__ import annotations

import csv
import datetime as _dt
import os
import re
from collections.abc import Iterator, Sequence
from decimal import Decimal
from pathlib import Path
from typing import Any

from . import _fields
from .claims import Claim, ClaimLine
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError
from .payers import Payer, payer_profile

__all__ = ["CLAIM_TYPES", "MAX_ROWS_PER_CLAIM", "RifError", "read_claims"]


def __dir__() -> list[str]:
    return __all__


CLAIM_TYPES = {"10": "home health agency", "50": "hospice"}
"""The ``NCH_CLM_TYPE_CD`` values read (CCW codebook): HHA claims and hospice claims."""

MAX_ROWS_PER_CLAIM = 10_000
"""More rows than this under one ``CLM_ID`` are refused (a bound on input, not a rule)."""

_REQUIRED = (
    "CLM_ID",
    "NCH_CLM_TYPE_CD",
    "CLM_FROM_DT",
    "CLM_THRU_DT",
    "CLM_FAC_TYPE_CD",
    "CLM_SRVC_CLSFCTN_TYPE_CD",
    "CLM_FREQ_CD",
    "REV_CNTR",
    "REV_CNTR_DT",
    "HCPCS_CD",
    "REV_CNTR_UNIT_CNT",
    "REV_CNTR_TOT_CHRG_AMT",
)
#: Claim-level columns that must agree on every row of a claim.
_CLAIM_COLUMNS = (
    "BENE_ID",
    "NCH_CLM_TYPE_CD",
    "CLM_FROM_DT",
    "CLM_THRU_DT",
    "CLM_FAC_TYPE_CD",
    "CLM_SRVC_CLSFCTN_TYPE_CD",
    "CLM_FREQ_CD",
    "PTNT_DSCHRG_STUS_CD",
    "CLM_ADMSN_DT",
    "CLM_HOSPC_START_DT_ID",
    "CLM_HHA_RFRL_CD",
    "CLM_TOT_CHRG_AMT",
)
#: A CCW claim id: letters and digits (CMS's synthetic samples use negative numbers).
_CLAIM_ID = re.compile(r"-?[0-9A-Za-z]{1,40}\Z")
_DATE_FORMATS = ("%d-%b-%Y", "%Y%m%d", "%Y-%m-%d")


class RifError(InvalidClaimError):
    """A claim of a RIF file that could not be read, with every row it spans.

    :ivar path: the file's name.
    :ivar claim_id: the ``CLM_ID`` (``""`` when the row had none).
    :ivar rows: the file line numbers (the header is line 1) of the claim's rows.
    :ivar errors: what is wrong, each error's ``field`` naming its row and
        column (``row 4/HCPCS_CD``).
    """

    def __init__(
        self, path: str, claim_id: str, rows: Sequence[int], errors: Sequence[HcpcsError]
    ) -> None:
        self.path = path
        self.claim_id = claim_id
        self.rows = tuple(rows)
        span = f"row {rows[0]}" if len(rows) == 1 else f"rows {rows[0]}-{rows[-1]}"
        super().__init__(f"{path}: claim {claim_id!r} ({span}) not read", errors)

    def __reduce__(self) -> tuple[Any, ...]:
        return (type(self), (self.path, self.claim_id, self.rows, self.errors))


def _date(column: str, text: str) -> _dt.date:
    for fmt in _DATE_FORMATS:
        try:
            return _dt.datetime.strptime(text, fmt).date()
        except ValueError:
            continue
    raise InvalidFieldError(column, text, "is not a DD-Mon-YYYY, YYYYMMDD or ISO date")


def _number(column: str, text: str) -> Decimal:
    # The library's bounded reading: "1e999999999" is refused here, before int() of it
    # would run for hours.
    return _fields.number(column, text)


def _optional_date(row: dict[str, str], column: str) -> _dt.date | None:
    text = row.get(column, "")
    return _date(column, text) if text else None


def _line(row: dict[str, str]) -> ClaimLine:
    revenue = row["REV_CNTR"]
    text = row["REV_CNTR_DT"]
    if not text and revenue == "0001":
        text = row["CLM_THRU_DT"]  # the total line has no date of its own
    if not text:
        raise InvalidFieldError("REV_CNTR_DT", text, "is empty (a line needs its date)")
    units = _number("REV_CNTR_UNIT_CNT", row["REV_CNTR_UNIT_CNT"] or "0")
    mods = [row.get(c, "") for c in ("HCPCS_1ST_MDFR_CD", "HCPCS_2ND_MDFR_CD")]
    names = {
        "code": "HCPCS_CD",
        "revenue_code": "REV_CNTR",
        "units": "REV_CNTR_UNIT_CNT",
        "charge": "REV_CNTR_TOT_CHRG_AMT",
        "modifiers": "HCPCS_1ST_MDFR_CD",
    }
    try:
        return ClaimLine(
            code=row["HCPCS_CD"],
            date=_date("REV_CNTR_DT", text),
            units=int(units) if units == units.to_integral_value() else units,
            revenue_code=revenue or None,
            modifiers=[m for m in mods if m],
            charge=_number("REV_CNTR_TOT_CHRG_AMT", row["REV_CNTR_TOT_CHRG_AMT"] or "0"),
        )
    except InvalidFieldError as exc:
        raise type(exc)(names.get(exc.field, exc.field), exc.value, exc.reason) from None


def _claim(rows: list[tuple[int, dict[str, str]]], payer: Payer | str) -> Claim:
    """The claim of one CLM_ID's rows, or an InvalidClaimError with every problem."""
    problems: list[HcpcsError] = []
    first_number, first = rows[0]
    for number, row in rows[1:]:
        for column in _CLAIM_COLUMNS:
            if row.get(column, "") != first.get(column, ""):
                problems.append(
                    InvalidFieldError(
                        f"row {number}/{column}",
                        row.get(column),
                        f"differs from row {first_number} ({first.get(column)!r})",
                    )
                )
    kind = first["NCH_CLM_TYPE_CD"]
    if kind not in CLAIM_TYPES:
        problems.append(
            InvalidFieldError(
                f"row {first_number}/NCH_CLM_TYPE_CD", kind, "is not 10 (HHA) or 50 (hospice)"
            )
        )
    lines: list[ClaimLine] = []
    for number, row in rows:
        try:
            lines.append(_line(row))
        except InvalidFieldError as exc:
            problems.append(type(exc)(f"row {number}/{exc.field}", exc.value, exc.reason))
    header: dict[str, Any] = {}
    where = f"row {first_number}"
    try:
        header = {
            "statement_from": _date("CLM_FROM_DT", first["CLM_FROM_DT"]),
            "statement_through": _date("CLM_THRU_DT", first["CLM_THRU_DT"]),
            "admission_date": _optional_date(
                first, "CLM_HOSPC_START_DT_ID" if kind == "50" else "CLM_ADMSN_DT"
            ),
            "total_charge": (
                _number("CLM_TOT_CHRG_AMT", first["CLM_TOT_CHRG_AMT"])
                if first.get("CLM_TOT_CHRG_AMT")
                else None
            ),
        }
    except InvalidFieldError as exc:
        problems.append(type(exc)(f"{where}/{exc.field}", exc.value, exc.reason))
    if problems:
        raise InvalidClaimError("claim not read", problems)
    tob = first["CLM_FAC_TYPE_CD"] + first["CLM_SRVC_CLSFCTN_TYPE_CD"] + first["CLM_FREQ_CD"]
    columns = {
        "type_of_bill": "CLM_FAC_TYPE_CD+CLM_SRVC_CLSFCTN_TYPE_CD+CLM_FREQ_CD",
        "patient_status": "PTNT_DSCHRG_STUS_CD",
        "point_of_origin": "CLM_HHA_RFRL_CD",
        "patient_id": "BENE_ID",
        "total_charge": "CLM_TOT_CHRG_AMT",
    }
    try:
        return Claim(
            payer=payer,
            lines=lines,
            type_of_bill="0" + tob,
            id=first["CLM_ID"],
            patient_id=first.get("BENE_ID") or None,
            patient_status=first.get("PTNT_DSCHRG_STUS_CD") or None,
            point_of_origin=first.get("CLM_HHA_RFRL_CD") or None,
            evv_visits=None,  # a research file carries none: not given (Claim.has_evv)
            **header,
        )
    except InvalidFieldError as exc:
        column = columns.get(exc.field, exc.field)
        raise InvalidClaimError(
            "claim not read", [type(exc)(f"{where}/{column}", exc.value, exc.reason)]
        ) from None
    except InvalidClaimError as exc:
        raise InvalidClaimError("claim not read", [_at(where, e) for e in exc.errors]) from None


def _at(where: str, exc: HcpcsError) -> HcpcsError:
    if isinstance(exc, InvalidFieldError):
        column = {"$.statement_through": "CLM_THRU_DT"}.get(exc.field, exc.field)
        return type(exc)(f"{where}/{column}", exc.value, exc.reason)
    return exc


_Row = tuple[int, dict[str, str], "HcpcsError | None", bool]


def _rows(reader: Iterator[list[str]], header: list[str]) -> Iterator[_Row]:
    """Each non-blank row: its number, its cells by column, what is wrong with it, and
    whether what is wrong is a garbled ``CLM_ID`` (its cells are otherwise sound)."""
    number = 1
    while True:
        error: HcpcsError | None = None
        try:
            cells: list[str] = next(reader)
        except StopIteration:
            return
        except csv.Error as exc:
            cells = []
            error = InvalidFieldError(f"row {number + 1}", None, f"is unreadable: {exc}")
        number += 1
        if error is None and not any(c.strip() for c in cells):
            continue  # a blank line is not a row
        if error is None and len(cells) != len(header):
            error = InvalidFieldError(
                f"row {number}", len(cells), f"cells, but the header has {len(header)}"
            )
        row = dict(zip(header, (c.strip() for c in cells), strict=False)) if cells else {}
        bad_id = error is None and bool(row.get("CLM_ID")) and not _CLAIM_ID.match(row["CLM_ID"])
        if bad_id:
            error = InvalidFieldError(
                f"row {number}/CLM_ID", row["CLM_ID"], "is not a claim id (letters and digits)"
            )
        yield number, row, error, bad_id


def _groups(
    reader: Iterator[list[str]], header: list[str], name: str
) -> Iterator[tuple[str, list[tuple[int, dict[str, str]]], list[HcpcsError]]]:
    """Runs of rows with the same CLM_ID, each with the problems found reading them.

    A row that cannot be split into the header's cells belongs to the claim
    being read.  A row whose ``CLM_ID`` is garbled belongs to the claim around
    it when the next row continues that claim, and is a group of its own
    otherwise, so it never takes a neighbouring claim down with it.
    """
    seen: set[str] = set()
    current: str | None = None
    rows: list[tuple[int, dict[str, str]]] = []
    problems: list[HcpcsError] = []
    items = _rows(reader, header)
    item = next(items, None)
    while item is not None:
        number, row, error, bad_id = item
        following = next(items, None)
        if bad_id:
            after = following[1].get("CLM_ID") if following and following[2] is None else None
            key = current if current is not None and after == current else row["CLM_ID"]
        else:
            key = row.get("CLM_ID", "") if error is None else (current or "")
        if key != current and rows:
            yield current or "", rows, problems
            rows, problems = [], []
        if key != current:
            if key in seen:
                problems.append(
                    InvalidFieldError(
                        f"row {number}/CLM_ID", key, "appears again after other claims' rows"
                    )
                )
            seen.add(key)
            current = key
        if not key and error is None:
            problems.append(InvalidFieldError(f"row {number}/CLM_ID", key, "is empty"))
        if error is not None:
            problems.append(error)
        if len(rows) == MAX_ROWS_PER_CLAIM:
            problems.append(
                InvalidFieldError(f"row {number}", key, f"more than {MAX_ROWS_PER_CLAIM} rows")
            )
        rows.append((number, row))
        item = following
    if rows:
        yield current or "", rows, problems


def _delimiter(line: str) -> str:
    for candidate in ("|", "\t", ","):
        if candidate in line:
            return candidate
    return "|"


def read_claims(
    path: str | os.PathLike[str], *, payer: Payer | str = "medicare"
) -> Iterator[Claim | RifError]:
    """The claims of a RIF claim file, lazily and in file order; bad claims are :class:`RifError`.

    The delimiter is taken from the header line (``|``, tab or comma).  Rows
    of one claim must be consecutive, as CCW delivers them.  Every row ends in
    exactly one claim's lines or one error's ``rows``.

    :raises InvalidFieldError: the file is not text, or its header lacks a
        column the reader needs (``CLM_ID``, ``REV_CNTR``, ``HCPCS_CD``...).
    """
    for _, _, item in _numbered_claims(path, payer=payer):
        yield item


def _numbered_claims(
    path: str | os.PathLike[str], *, payer: Payer | str = "medicare"
) -> Iterator[tuple[int, int, Claim | RifError]]:
    """:func:`read_claims`, each claim or error with the numbers of its first and last
    rows (the header is row 1; blank rows are counted, so a number is the file's line
    where no field spans lines): what the command line labels its records with."""
    if isinstance(payer, str):
        payer = payer_profile(payer)
    elif not isinstance(payer, Payer):
        raise InvalidFieldError("payer", payer, "must be a Payer or a shipped profile id")
    try:
        file = Path(os.fspath(path))
    except TypeError:
        raise InvalidFieldError("path", path, "must be a path") from None
    name = file.name
    try:
        stream = file.open("r", encoding="utf-8-sig", newline="")
    except ValueError as exc:
        raise InvalidFieldError("path", str(path), f"cannot be opened: {exc}") from None
    with stream:
        try:
            first = stream.readline(1_000_000)
        except UnicodeDecodeError as exc:
            raise InvalidFieldError("path", name, f"is not UTF-8 text: {exc}") from None
        delimiter = _delimiter(first)
        try:
            header = [
                c.strip()
                for c in next(csv.reader([first], delimiter=delimiter, quoting=csv.QUOTE_NONE), [])
            ]
        except csv.Error as exc:  # a field over csv's size limit
            raise InvalidFieldError("header", name, f"cannot be read: {exc}") from None
        missing = [c for c in _REQUIRED if c not in header]
        if missing:
            raise InvalidFieldError("header", name, f"lacks the RIF column(s) {', '.join(missing)}")
        # RIF files are delimited, never quoted: a '"' is a plain character (csv's
        # default quoting would swallow the rows up to the next '"').
        reader = csv.reader(stream, delimiter=delimiter, quoting=csv.QUOTE_NONE)
        try:
            for claim_id, rows, problems in _groups(reader, header, name):
                numbers = [n for n, _ in rows]
                if problems:
                    yield numbers[0], numbers[-1], RifError(name, claim_id, numbers, problems)
                    continue
                try:
                    yield numbers[0], numbers[-1], _claim(rows, payer)
                except InvalidClaimError as exc:
                    yield numbers[0], numbers[-1], RifError(name, claim_id, numbers, exc.errors)
        except UnicodeDecodeError as exc:
            raise InvalidFieldError("path", name, f"is not UTF-8 text: {exc}") from None
