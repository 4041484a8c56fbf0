"""Whole claims as rows of text: the columns, and the writers (:mod:`hcpcs_home.dataframes`'s).

The column tuples are defined here and documented where they are public
(:data:`hcpcs_home.dataframes.HEADER_COLUMNS` and the rest), as are
:func:`~hcpcs_home.dataframes.claim_rows`, :func:`~hcpcs_home.dataframes.claims_to_frame`
and :func:`~hcpcs_home.dataframes.write_csv`.  No pandas needed but for
``claims_to_frame``.
"""

from __future__ import annotations

import datetime as _dt
import enum
import os
from collections.abc import Iterable, Iterator
from typing import TYPE_CHECKING

from ._frames import frame as _frame
from .claims import Claim, ClaimLine, Service
from .errors import InvalidFieldError

if TYPE_CHECKING:
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]

__all__ = [
    "HEADER_COLUMNS",
    "LINE_COLUMNS",
    "ROW_COLUMNS",
    "SERVICE_COLUMNS",
    "claim_rows",
    "claims_to_frame",
    "write_csv",
]


HEADER_COLUMNS = (
    "claim_id",
    "payer",
    "type_of_bill",
    "patient_id",
    "statement_from",
    "statement_through",
    "admission_date",
    "point_of_origin",
    "patient_status",
    "condition_codes",
    "occurrence_codes",
    "occurrence_spans",
    "value_codes",
    "notice_accepted",
    "total_charge",
    "therapy_ytd_pt_slp",
    "therapy_ytd_ot",
)

LINE_COLUMNS = (
    "line",
    "revenue_code",
    "modifiers",
    "charge",
    "units",
    "through",
    "line_prior_auth",
    "visit_code",
    "visit_date",
    "service_order",
)

SERVICE_COLUMNS = (
    "id",
    "start",
    "stop",
    "minutes",
    "full_day",
    "credential",
    "rendering_id",
    "rendering_npi",
    "license_number",
    "license_expires",
    "setting",
    "prior_auth",
    "orders_on_file",
    "plan_of_care_on_file",
    "notes_on_file",
    "diagnoses",
    "purpose",
)

ROW_COLUMNS = (*HEADER_COLUMNS, "code", "date", *LINE_COLUMNS, *SERVICE_COLUMNS)


def _cell(value: object) -> str | None:
    """A value as the text a CSV cell holds (``None`` for an empty cell)."""
    if value is None:
        return None
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, enum.Enum):
        return str(value.value)
    if isinstance(value, _dt.time):
        return value.isoformat("minutes")
    if isinstance(value, _dt.date):
        return value.isoformat()
    if isinstance(value, tuple):
        return " ".join(str(v) for v in value) or None
    return str(value)


def _header_cells(claim: Claim) -> dict[str, str | None]:
    return {
        "claim_id": claim.id,
        "payer": claim.payer.id,
        "type_of_bill": claim.type_of_bill,
        "patient_id": claim.patient_id,
        "statement_from": _cell(claim.statement_from),
        "statement_through": _cell(claim.statement_through),
        "admission_date": _cell(claim.admission_date),
        "point_of_origin": claim.point_of_origin,
        "patient_status": claim.patient_status,
        "condition_codes": _cell(claim.condition_codes),
        "occurrence_codes": _cell(tuple(f"{o.code}:{o.date}" for o in claim.occurrence_codes)),
        "occurrence_spans": _cell(
            tuple(f"{o.code}:{o.start}:{o.through}" for o in claim.occurrence_spans)
        ),
        "value_codes": _cell(tuple(f"{v.code}:{v.amount}" for v in claim.value_codes)),
        "notice_accepted": _cell(claim.notice_accepted),
        "total_charge": _cell(claim.total_charge),
        "therapy_ytd_pt_slp": _cell(claim.therapy_ytd_pt_slp),
        "therapy_ytd_ot": _cell(claim.therapy_ytd_ot),
    }


def claim_rows(claims: Claim | Iterable[Claim]) -> list[dict[str, str | None]]:
    """Claims as rows of text, one per line, columns :data:`ROW_COLUMNS`: what
    :func:`claims_from_rows` and :func:`claims_from_frame` read back.

    Every row repeats its claim's header columns and names its line in ``line``;
    a line gets one row per service it links (one row without services where it
    links none), and a service no line links a row without a ``line``.  ``units`` is
    always written, so each line reads back exactly.  What the format does not
    carry (authorizations, EVV visits: see :data:`hcpcs_home.formats.FORMATS`) is
    not written.

    :raises ~hcpcs_home.errors.InvalidFieldError: a claim with neither lines nor
        services (a claim is its rows), or without an id (rows are grouped by it).
    """
    if isinstance(claims, Claim):
        claims = (claims,)
    out: list[dict[str, str | None]] = []
    for n, claim in enumerate(claims):
        if not isinstance(claim, Claim):
            raise InvalidFieldError(f"claims[{n}]", claim, "must be a Claim")
        out.extend(_rows_of(claim))
    return out


def _rows_of(claim: Claim) -> Iterator[dict[str, str | None]]:
    if not claim.lines and not claim.services:
        raise InvalidFieldError("$.lines", (), "is empty: a claim is its rows")
    if not claim.id:
        raise InvalidFieldError("$.id", claim.id, "is required: rows are grouped by claim_id")
    head = _header_cells(claim)
    by_id = {s.id: s for s in claim.services}
    order = {s.id: n for n, s in enumerate(claim.services, start=1)}
    for number, line in enumerate(claim.lines, start=1):
        cells = dict.fromkeys(ROW_COLUMNS)
        cells.update(head)
        cells.update(
            line=str(number),
            code=line.code or None,
            date=_cell(line.date),
            revenue_code=line.revenue_code,
            modifiers=_cell(line.modifiers),
            charge=_cell(line.charge),
            units=_cell(line.units),
            through=_cell(line.through),
            line_prior_auth=line.prior_auth,
        )
        if not line.service_ids:
            yield cells
        for sid in line.service_ids:
            yield {**cells, **_service_cells(by_id[sid], order[sid], line)}
    linked = {sid for line in claim.lines for sid in line.service_ids}
    for service in claim.services:
        if service.id not in linked:
            cells = dict.fromkeys(ROW_COLUMNS)
            cells.update(head)
            cells.update(code=service.code, date=_cell(service.date))
            yield {**cells, **_service_cells(service, order[service.id])}


def _service_cells(
    service: Service, order: int, line: ClaimLine | None = None
) -> dict[str, str | None]:
    cells = {name: _cell(getattr(service, name)) for name in SERVICE_COLUMNS}
    cells["service_order"] = str(order)
    cells["prior_auth"] = service.prior_auth
    if line is not None and service.code != line.code:
        cells["visit_code"] = service.code
    if line is not None and service.date != line.date:
        cells["visit_date"] = _cell(service.date)
    return cells


def claims_to_frame(claims: Claim | Iterable[Claim]) -> pandas.DataFrame:
    """:func:`claim_rows` as a DataFrame of text (empty cells ``None``)."""
    return _frame(claim_rows(claims), ROW_COLUMNS)


def write_csv(claims: Claim | Iterable[Claim], path: str | os.PathLike[str]) -> int:
    """Write :func:`claim_rows` to a CSV file at ``path``; return the rows written.

    No pandas needed.  :func:`read_csv` and ``hcpcs-home check --format csv``
    read it back.
    """
    import csv

    rows = claim_rows(claims)
    with open(path, "w", encoding="utf-8", newline="") as file:
        writer = csv.DictWriter(file, fieldnames=ROW_COLUMNS, lineterminator="\n")
        writer.writeheader()
        for row in rows:
            writer.writerow({k: "" if v is None else v for k, v in row.items()})
    return len(rows)
