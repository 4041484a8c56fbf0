"""Timesheets as pandas DataFrames: services, claims, units and findings (``hcpcs_home[pandas]``).

One row per visit or shift, with the columns of
:meth:`Service.from_timesheet_row <hcpcs_home.claims.Service.from_timesheet_row>`
(``code``, ``date``, ``start``, ``stop``, ``credential``... and their
aliases) plus the claim columns of :data:`HEADER_COLUMNS` (``claim_id``,
``payer``, ``type_of_bill``, ``admission_date``, ``occurrence_codes``,
``value_codes``, ``notice_accepted``...) and the line columns of
:data:`LINE_COLUMNS` (``revenue_code``, ``modifiers``, ``charge``,
``units``...), so a frame carries whole claims: :func:`claim_rows`,
:func:`claims_to_frame` and :func:`write_csv` write claims that
:func:`claims_from_frame` reads back, and :func:`read_csv` reads a CSV file with
every cell as text.  Nothing a row says is dropped: a row that cannot
be read becomes a :class:`RowError` naming its index label, and
:func:`check_frame` reports it as an ``invalid-row`` finding beside the
rules' findings.  Four rules keep a frame's meaning from being guessed:

* a cell holding a list (a list, tuple, numpy array or pandas array, as
  parquet list columns give) is read as that list, element by element; an
  empty cell (``None``, ``NaN``, ``NA``, ``NaT``) is missing;
* a row with no claim id (no value in the ``by`` column) belongs to no claim:
  it is reported as an ``invalid-row`` finding of its own, never merged with
  the other rows that lack one;
* two columns for one field (``code`` and ``hcpcs``, ``claim_id`` and
  ``Claim ID``) are refused before any row is read, even where their values
  agree: which one to believe is not guessed; so are unknown columns, all
  named at once, each with the nearest column name;
* rows of one claim that disagree on a claim column make the claim an error
  naming the rows, never a claim built from the first row's value.

pandas is imported when a function needs it, never at import time, so the rest
of the library (and this module's import) works without it.  The walkthrough
in the documentation ("Analysts") runs every function here as a doctest.

>>> print(RowError(7, "claim-1", InvalidFieldError("minutes", -5, "must not be negative")))
row 7 (claim claim-1): minutes=-5 must not be negative
"""

from __future__ import annotations

import functools
import os
import sys
from collections.abc import Callable, Hashable, Iterable, Iterator, Mapping, Sequence
from typing import TYPE_CHECKING, Any

import attrs

from . import _frame_write, _frames
from ._frame_units import minutes_to_units, synthetic_timesheet
from ._frame_write import claim_rows, claims_to_frame, write_csv
from ._frames import column_values as _column_values
from ._frames import finding_records as _finding_records
from ._frames import frame as _frame
from ._frames import is_list as _is_list
from ._frames import pandas_module as _pandas
from ._timesheet_row import _ALIASES, _column_name, _same_field
from ._values import lazy_methods
from .claims import Claim, ClaimLine, Service
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError
from .payers import Payer, payer_profile
from .policy import Report, RuleSet, check

if TYPE_CHECKING:
    # pandas ships no type information (pandas-stubs is separate); the ignore
    # codes cover it being installed without stubs and not installed at all.
    import pandas  # type: ignore[import-untyped,import-not-found,unused-ignore]


__all__ = [
    "CLAIM_COLUMNS",
    "FINDING_COLUMNS",
    "HEADER_COLUMNS",
    "INVALID_CLAIM",
    "INVALID_ROW",
    "LINE_COLUMNS",
    "ROW_COLUMNS",
    "SERVICE_COLUMNS",
    "ClaimRows",
    "RowError",
    "ServiceRows",
    "check_frame",
    "claim_rows",
    "claims_from_frame",
    "claims_from_rows",
    "claims_to_frame",
    "findings_frame",
    "minutes_to_units",
    "read_csv",
    "services_from_frame",
    "synthetic_timesheet",
    "units_frame",
    "write_csv",
]


def __dir__() -> list[str]:
    return __all__


HEADER_COLUMNS = _frame_write.HEADER_COLUMNS
"""The claim-level columns, the same on every row of a claim (a row that differs is an
error for its claim, naming the rows).  Besides ``claim_id`` (the claim's ``id``) and
``payer`` (a shipped profile id), each is the :class:`~hcpcs_home.claims.Claim` field
of its name, as text: dates ISO, codes as written; the lists are items separated by
spaces, each item's parts by ``:``: ``condition_codes`` ``"47 54"``,
``occurrence_codes`` ``"50:2024-03-01 55:2024-03-20"``, ``occurrence_spans``
``"77:2024-03-01:2024-03-05"``, ``value_codes`` ``"61:16974 85:17031"``."""

LINE_COLUMNS = _frame_write.LINE_COLUMNS
"""The line columns beside the service's, each the :class:`~hcpcs_home.claims.ClaimLine`
field of its name (``modifiers`` separated by spaces or commas).  Without ``units``
the line's units are :meth:`ClaimLine.from_service
<hcpcs_home.claims.ClaimLine.from_service>`'s; with it, the units billed.  A ``line``
column (the line's number on its claim, from 1) makes rows whole lines: the rows of
one number are one line (their line columns must agree), each row holding one of the
line's services (or none); a row with a service and no number is a service no line
bills.  ``visit_code`` and ``visit_date`` give a service's code and date where
they are not its line's (a line billing several days' visits), and
``line_prior_auth`` the line's authorization number (``prior_auth`` is the
service's); ``service_order`` is a service's place among the claim's services.  That is how
:func:`claim_rows` writes a claim."""

CLAIM_COLUMNS = HEADER_COLUMNS + LINE_COLUMNS
"""Columns read for the claim and its line, not for the :class:`~hcpcs_home.claims.Service`."""

FINDING_COLUMNS = _frames.FINDING_COLUMNS
"""The columns of a findings DataFrame, in order.

Their dtypes, the same in every findings frame (:func:`check_frame`,
:func:`findings_frame`, :meth:`Report.to_frame <hcpcs_home.policy.Report.to_frame>`,
:func:`hcpcs_home.dask.findings_meta`): ``rule_id``, ``severity`` and ``source``,
text every finding has, are pandas categoricals (one small code per finding);
``line`` is the nullable ``Int64``; ``claim_id``, ``row``, ``field``, ``message``
and ``suggestion``, which may be empty, are of object dtype, so an empty cell is
``None``, never NaN, and each distinct text is one shared ``str``.  (The compact
findings of a frame of pandas' string dtype differ: see :func:`check_frame`.)"""

INVALID_CLAIM = _frames.INVALID_CLAIM
"""The ``rule_id`` under which :func:`findings_frame` reports a batch item that is an
error (a claim :func:`~hcpcs_home.policy.check_many` passed through unread)."""

INVALID_ROW = "invalid-row"
"""The ``rule_id`` under which :func:`check_frame` reports a row it could not read."""

_CLAIM_LEVEL = HEADER_COLUMNS[1:]


@attrs.frozen(slots=True)
@lazy_methods
class RowError:
    """A timesheet row that could not become a service, a line or part of a claim.

    :ivar row: the row's index label in the DataFrame.
    :ivar claim_id: the claim the row belongs to, where known.
    :ivar error: what was wrong, with the field at fault (kept without its traceback,
        which would hold the reader's frames, and every claim read, alive).
    """

    row: Hashable
    claim_id: str | None
    error: HcpcsError = attrs.field(converter=_frames.detached)

    def __str__(self) -> str:
        claim = f" (claim {self.claim_id})" if self.claim_id else ""
        return f"row {self.row}{claim}: {self.error}"

    def to_data(self) -> dict[str, Any]:
        """The error as a findings row (rule ``invalid-row``; see :data:`FINDING_COLUMNS`)."""
        return {
            "claim_id": self.claim_id,
            "row": self.row,
            "line": None,
            "rule_id": INVALID_ROW,
            "severity": "error",
            "field": getattr(self.error, "field", None),
            "message": str(self.error),
            "suggestion": None,
            "source": "timesheet row",
        }


@attrs.frozen(slots=True)
@lazy_methods
class ServiceRows:
    """The services read from a DataFrame, and the rows that could not be read.

    :ivar services: the services, in row order.
    :ivar rows: each service's row label.
    :ivar errors: the rows that could not be read.
    """

    services: tuple[Service, ...]
    rows: tuple[Hashable, ...]
    errors: tuple[RowError, ...]


@attrs.frozen(slots=True)
@lazy_methods
class ClaimRows:
    """The claims built from a DataFrame, and the rows that could not be used.

    :ivar claims: the claims, in order of their first row.
    :ivar rows: for each claim, each line's row label (lines follow the rows).
    :ivar errors: the rows that could not be read or billed; a claim that
        cannot be built reports every row at fault and is left out.
    """

    claims: tuple[Claim, ...]
    rows: tuple[tuple[Hashable, ...], ...]
    errors: tuple[RowError, ...]


# --- reading rows --------------------------------------------------------------


def _claim_column(key: str) -> str | None:
    name = key.strip().lower().replace(" ", "_")
    return name if name in CLAIM_COLUMNS else None


# Asked for every cell of a frame: each column name is worked out once (a bounded
# cache, as column names come from the data).
_claim_column_of = functools.lru_cache(maxsize=1024)(_claim_column)


def _columns(frame: Any, by: str | None = None) -> list[str]:
    """The frame's column names, refusing two columns for one field."""
    pandas = _pandas()
    if not isinstance(frame, pandas.DataFrame):
        raise InvalidFieldError("frame", type(frame).__name__, "must be a pandas DataFrame")
    columns = [str(c) for c in frame.columns]
    _check_columns(columns, by)
    return columns


def _check_columns(columns: Sequence[str], by: str | None = None) -> None:
    """Refuse unknown columns (all at once, each with a did-you-mean), two columns
    for one field, and a ``by`` that is not a claim column of them."""
    seen: dict[str, str] = {}
    unknown: list[str] = []
    for column in columns:
        name = _claim_column(column) or _column_name(column)
        if name not in _KNOWN:
            unknown.append(column)
            continue
        if name in seen:
            raise _same_field(seen[name], column, name)
        seen[name] = column
    if unknown:
        raise InvalidFieldError(
            "columns",
            tuple(unknown),
            "unknown: " + "; ".join(_did_you_mean(c) for c in unknown),
        )
    if by is not None and by not in CLAIM_COLUMNS:
        raise InvalidFieldError("by", by, f"must be one of the claim columns {CLAIM_COLUMNS}")
    if by is not None and by not in {_claim_column(c) for c in columns}:
        raise InvalidFieldError("by", by, "is not a column of the frame")


#: Every column name read: the claim and line columns, the service fields and their aliases.
_KNOWN = frozenset(CLAIM_COLUMNS) | {a.name for a in attrs.fields(Service)}
_SPELLINGS = sorted(_KNOWN | set(_ALIASES))


def _did_you_mean(column: str) -> str:
    """``'admision_date'`` with the nearest column name, where one is near."""
    import difflib  # on the first unknown column only

    key = str(column).strip().lower().replace(" ", "_").replace("-", "_")
    near = difflib.get_close_matches(key, _SPELLINGS, n=1, cutoff=0.6)
    return f"{column!r} (did you mean {near[0]!r}?)" if near else f"{column!r}"


#: Rows converted at a time: a column is read as plain values a chunk at a time, so
#: a frame of millions of rows never has all its cells as Python objects at once.
_CHUNK = 5_000


def _records(frame: Any) -> Iterator[tuple[Hashable, dict[str, object]]]:
    """Each row as ``(label, {column: plain value})``, read column by column: each
    column's cells are converted by its dtype (:func:`_column_values`), a chunk of
    rows at a time."""
    columns = _columns(frame)
    for start in range(0, len(frame), _CHUNK):
        part = frame.iloc[start : start + _CHUNK]
        cells = [_column_values(part.iloc[:, i]) for i in range(len(columns))]
        for label, values in zip(part.index, zip(*cells, strict=True), strict=True):
            yield label, dict(zip(columns, values, strict=True))


def _split(record: Mapping[str, object]) -> tuple[dict[str, object], dict[str, object]]:
    """The service columns and the claim columns of one record."""
    service: dict[str, object] = {}
    claim: dict[str, object] = {}
    for key, value in record.items():
        name = _claim_column_of(key)
        if name is not None:
            claim[name] = value
        else:
            service[key] = value
    return service, claim


def services_from_frame(frame: pandas.DataFrame) -> ServiceRows:
    """Every row of ``frame`` as a :class:`~hcpcs_home.claims.Service` (claim columns ignored).

    A row that cannot be read is a :class:`RowError` in ``errors``; the others
    are read all the same.
    """
    services: list[Service] = []
    rows: list[Hashable] = []
    errors: list[RowError] = []
    for label, record in _records(frame):
        service_part, claim_part = _split(record)
        try:
            services.append(Service.from_timesheet_row(service_part))
        except HcpcsError as exc:
            errors.append(RowError(label, _text(claim_part.get("claim_id")), exc))
            continue
        rows.append(label)
    return ServiceRows(tuple(services), tuple(rows), tuple(errors))


def _text(value: object) -> str | None:
    return None if value is None else str(value)


@attrs.define
class _Group:
    claim_id: str
    head: dict[str, object]
    first: Hashable
    rows: list[Hashable] = attrs.Factory(list)
    services: list[Service] = attrs.Factory(list)
    lines: list[ClaimLine] = attrs.Factory(list)
    #: Claim columns whose value differs between rows: column -> [(row, value)].
    differs: dict[str, list[tuple[Hashable, object]]] = attrs.Factory(dict)
    bad: bool = False
    ids: set[str] = attrs.Factory(set)  # of the services, to number repeats in one lookup
    #: Every row read into the claim (``rows`` holds one per line).
    read: list[Hashable] = attrs.Factory(list)
    #: With a ``line`` column: each service's ``service_order`` (None where not given).
    order: list[int | None] = attrs.Factory(list)
    #: With a ``line`` column: each line's number -> (its first row, its line fields,
    #: the ids of the services its rows document).
    specs: dict[int, tuple[Hashable, dict[str, Any], list[str]]] = attrs.Factory(dict)
    #: Every row of the claim has been read (the column reader builds it then).
    done: bool = False

    def add(self, label: Hashable, service: Service | None, line: ClaimLine) -> None:
        """A row read into a line (and the service it documents, if any)."""
        self.rows.append(label)
        self.read.append(label)
        if service is not None:
            self.ids.add(service.id)
            self.services.append(service)
        self.lines.append(line)


#: The line fields of a row with a ``line`` column, compared between the rows of one line.
_LINE_FIELDS = (
    "code",
    "date",
    "units",
    "revenue_code",
    "modifiers",
    "charge",
    "prior_auth",
    "through",
)


def _payer_of(value: object, default: Payer | str | None) -> Payer:
    chosen = default if value is None else value
    if chosen is None:
        raise InvalidFieldError("payer", None, "is required (a payer column or payer=)")
    if isinstance(chosen, Payer):
        return chosen
    return payer_profile(str(chosen))


def claims_from_frame(
    frame: pandas.DataFrame,
    *,
    payer: Payer | str | None = None,
    type_of_bill: str | None = None,
    by: str = "claim_id",
) -> ClaimRows:
    """Claims from a timesheet, one per value of the ``by`` column.

    Each row becomes a service and the line
    :meth:`ClaimLine.from_service <hcpcs_home.claims.ClaimLine.from_service>`
    gives it (units under the payer's unit policy, the code's revenue code
    unless a ``revenue_code`` column says otherwise).  ``payer`` and
    ``type_of_bill`` are the defaults for rows without those columns; the
    statement period runs from the first to the last line's date unless
    ``statement_from``/``statement_through`` columns give it.  Claim-level
    columns must agree within a claim.  ``by`` is a claim column
    (``claim_id``, or ``patient_id`` for one claim per patient).

    Every row needs a value in the ``by`` column: a row without one is a
    :class:`RowError` of its own (field ``by``), never merged with the other
    rows that lack one.

    :raises ~hcpcs_home.errors.InvalidFieldError: ``by`` is not a claim column
        or not a column of the frame; two columns give one field.
    """
    columns = _columns(frame, by)
    built = _column_reader().claims(frame, columns, payer=payer, type_of_bill=type_of_bill, by=by)
    return built or claims_from_rows(
        _records(frame), columns, payer=payer, type_of_bill=type_of_bill, by=by
    )


def claims_from_rows(
    records: Iterable[tuple[Hashable, Mapping[str, object]]],
    columns: Sequence[str],
    *,
    payer: Payer | str | None = None,
    type_of_bill: str | None = None,
    by: str = "claim_id",
) -> ClaimRows:
    """Claims from timesheet rows without pandas, built as :func:`claims_from_frame` builds them.

    ``records`` are ``(label, {column: cell})`` pairs, such as a CSV file's
    rows (read with the ``csv`` module) labelled by their line numbers, and
    ``columns`` the header; an empty cell is ``None``.  The ``hcpcs-home
    check --format csv`` command reads timesheet CSV files through it.

    >>> built = claims_from_rows(
    ...     [(2, {"claim_id": "c1", "code": "S9124", "date": "2024-05-01",
    ...           "time_in": "07:00", "time_out": "15:00", "credential": "LPN"}),
    ...      (3, {"claim_id": None, "code": "S9124", "date": "2024-05-02",
    ...           "time_in": "07:00", "time_out": "15:00", "credential": "LPN"})],
    ...     ["claim_id", "code", "date", "time_in", "time_out", "credential"],
    ...     payer="bcbs-tx",
    ... )
    >>> [(c.id, len(c.lines)) for c in built.claims], [e.row for e in built.errors]
    ([('c1', 1)], [3])
    """
    _check_columns(columns, by)
    groups: dict[object, _Group] = {}
    errors: list[RowError] = []
    numbered = "line" in {_claim_column(c) for c in columns}
    for label, record in records:
        service_part, claim_part = _split(record)
        key = claim_part.get(by)
        if key is None or (isinstance(key, str) and not key.strip()):
            errors.append(RowError(label, _text(claim_part.get("claim_id")), _no_claim(by, key)))
            continue
        claim_id = _text(claim_part.get("claim_id", key)) or ""
        group = groups.get(key)
        if group is None:
            head = {name: claim_part.get(name) for name in _CLAIM_LEVEL}
            group = groups[key] = _Group(claim_id, head, label)
        for name in _CLAIM_LEVEL:
            if claim_part.get(name) != group.head[name]:
                group.differs.setdefault(name, []).append((label, claim_part.get(name)))
        try:
            if numbered:
                _numbered_row(group, label, service_part, claim_part)
                group.read.append(label)
                continue
            service, line = _row_line(service_part, claim_part, group.head["payer"], payer, group)
        except HcpcsError as exc:
            errors.append(RowError(label, claim_id or None, exc))
            group.bad = True
            continue
        group.add(label, service, line)
    return _claims_of(groups, errors, payer, type_of_bill, numbered=numbered)


def _claims_of(
    groups: Mapping[object, _Group],
    errors: list[RowError],
    payer: Payer | str | None,
    type_of_bill: str | None,
    *,
    numbered: bool,
    fast: Callable[[_Group], Claim | None] | None = None,
) -> ClaimRows:
    """The claims of the groups read, and every row error (``errors`` first)."""
    if numbered:
        for group in groups.values():
            if group.bad:
                continue
            try:
                _numbered_lines(group)
            except HcpcsError as exc:
                errors.append(RowError(group.first, group.claim_id or None, exc))
                group.read = [r for r in group.read if r != group.first]
                group.bad = True
    claims: list[Claim] = []
    rows: list[tuple[Hashable, ...]] = []
    for group in groups.values():
        claim = _group_claim(group, errors, payer, type_of_bill, numbered=numbered, fast=fast)
        if claim is not None:
            claims.append(claim)
            rows.append(tuple(group.rows))
    return ClaimRows(tuple(claims), tuple(rows), tuple(errors))


def _group_claim(
    group: _Group,
    errors: list[RowError],
    payer: Payer | str | None,
    type_of_bill: str | None,
    *,
    numbered: bool,
    fast: Callable[[_Group], Claim | None] | None = None,
) -> Claim | None:
    """The claim of one group read whole, or ``None`` (its errors added to ``errors``, or
    no line to bill)."""
    if group.differs:
        errors.extend(_disagreements(group))
        return None
    if group.bad and numbered:
        errors.extend(_refused(group))
        return None
    if not group.lines and not (numbered and group.services):
        return None
    try:
        return (fast and fast(group)) or _claim(group, payer, type_of_bill)
    except InvalidClaimError as exc:
        errors.extend(_claim_errors(group, exc))
    except HcpcsError as exc:
        errors.append(RowError(group.rows[0], group.claim_id or None, exc))
    return None


def _unique_id(service: Service, cells: Mapping[str, object], group: _Group) -> Service:
    """``service``, numbered ``#2``, ``#3``... when it is untimed and its derived id is
    taken on its claim.

    Two rows of an untimed code on one day derive the same id (``2024-03-04/T1020``);
    they are two services, and the rules say whether the day may bill them both (the
    per-diem finding), as they do for the same claim read from JSON.  An id the row
    gives itself is kept, and so is a timed visit's (its id holds its start), whose
    repeat is the row's error: the same visit entered twice.
    """
    untimed = service.start is None and service.minutes is None
    if not untimed or cells.get("id") is not None or service.id not in group.ids:
        return service
    number = 2
    while f"{service.id}#{number}" in group.ids:
        number += 1
    return attrs.evolve(service, id=f"{service.id}#{number}")


#: Service columns that only a documented service has (a row with none of them and a
#: ``units`` cell is a line without a service: a 0023 HIPPS line, a site Q-code line).
_SERVICE_ONLY = frozenset(
    a.name for a in attrs.fields(Service) if a.name not in ("code", "date", "prior_auth")
)


def _row_line(
    service_part: Mapping[str, object],
    claim_part: Mapping[str, object],
    column_payer: object,
    payer: Payer | str | None,
    group: _Group,
) -> tuple[Service | None, ClaimLine]:
    """The service (if the row documents one) and the line of one row.

    With a ``units`` cell the line is exactly as the row gives it (a row with
    no service-only cell is a line without a service); without one, it is
    :meth:`ClaimLine.from_service <hcpcs_home.claims.ClaimLine.from_service>`'s.
    """
    cells: Mapping[str, Any] = claim_part  # a cell holds any object; the converters check it
    units = cells.get("units")
    named: dict[str, Any] = {_column_name(k): v for k, v in service_part.items() if v is not None}
    if units is not None:
        service = (
            _unique_id(Service.from_timesheet_row(service_part), service_part, group)
            if _SERVICE_ONLY.intersection(named)
            else None
        )
        line = ClaimLine(
            code=named.get("code") or "",
            date=named.get("date"),  # type: ignore[arg-type]
            units=units,
            revenue_code=_text(claim_part.get("revenue_code")),
            modifiers=_modifiers(claim_part.get("modifiers")),
            charge=cells.get("charge") or 0,
            service_ids=() if service is None else (service.id,),
            prior_auth=_text(named.get("prior_auth")),
            through=cells.get("through"),
        )
        return service, line
    service = _unique_id(Service.from_timesheet_row(service_part), service_part, group)
    line = ClaimLine.from_service(
        service,
        payer=_payer_of(column_payer, payer),
        charge=claim_part.get("charge") or 0,  # type: ignore[arg-type]
        modifiers=_modifiers(claim_part.get("modifiers")),
        revenue_code=_text(claim_part.get("revenue_code")),
    )
    if cells.get("through") is not None:
        line = attrs.evolve(line, through=cells.get("through"))
    return service, line


def _numbered_row(
    group: _Group,
    label: Hashable,
    service_part: Mapping[str, object],
    claim_part: Mapping[str, object],
) -> None:
    """One row of a frame with a ``line`` column: a service of a line, a line, or both."""
    named = {_column_name(k): v for k, v in service_part.items() if v is not None}
    service = None
    if _SERVICE_ONLY.intersection(named):
        own = {
            **service_part,
            **{
                key: claim_part[f"visit_{name}"]
                for key in service_part
                for name in ("code", "date")
                if _column_name(key) == name and claim_part.get(f"visit_{name}") is not None
            },
        }
        service = Service.from_timesheet_row(own)
    if service is not None:
        known = next((s for s in group.services if s.id == service.id), None)
        if known is None:
            group.services.append(service)
            group.order.append(_order(claim_part.get("service_order")))
        elif known != service:
            raise InvalidFieldError("id", service.id, "names another service on an earlier row")
    number = claim_part.get("line")
    if number is None:
        if service is None:
            raise InvalidFieldError("line", None, "is empty on a row without a service")
        group.rows.append(label)
        return  # a service no line bills
    text = str(number).strip()
    if not (text.isascii() and text.isdigit() and 0 < len(text) <= 4 and int(text) > 0):
        raise InvalidFieldError("line", number, "must be the line's number (1, 2, ...)")
    fields: dict[str, Any] = {
        "code": named.get("code") or "",
        "date": named.get("date"),
        "units": claim_part.get("units"),
        "revenue_code": _text(claim_part.get("revenue_code")),
        "modifiers": tuple(_modifiers(claim_part.get("modifiers"))),
        "charge": claim_part.get("charge") or 0,
        "prior_auth": _text(claim_part.get("line_prior_auth")),
        "through": claim_part.get("through"),
    }
    spec = group.specs.get(int(text))
    if spec is None:
        group.specs[int(text)] = (label, fields, [] if service is None else [service.id])
        group.rows.append(label)
        return
    first, known_fields, ids = spec
    for name in _LINE_FIELDS:
        if fields[name] != known_fields[name]:
            raise InvalidFieldError(
                name,
                fields[name],
                f"differs from row {first} of line {text} ({known_fields[name]!r})",
            )
    if service is None:
        raise InvalidFieldError("line", number, f"repeats row {first} without a service of its own")
    ids.append(service.id)


def _order(value: object) -> int | None:
    if value is None:
        return None
    text = str(value).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 5):
        raise InvalidFieldError("service_order", value, "must be a whole number (1, 2, ...)")
    return int(text)


def _numbered_lines(group: _Group) -> None:
    """The lines of a frame with a ``line`` column, in line order; their rows first.

    Services go in ``service_order`` where every one has it, else as first read.
    """
    if group.order and None not in group.order:
        ranked = sorted(zip(group.order, range(len(group.services)), group.services, strict=True))
        group.services = [s for _, _, s in ranked]
    rows = [group.specs[n][0] for n in sorted(group.specs)]
    group.rows = rows
    for n in sorted(group.specs):
        _, fields, ids = group.specs[n]
        if fields["units"] is None:
            raise InvalidFieldError("units", None, f"is required on line {n}")
        group.lines.append(ClaimLine(service_ids=ids, **fields))


def _refused(group: _Group) -> Iterator[RowError]:
    """The claim's other rows, when one of its rows could not be read: the claim is not built."""
    for label in group.read:
        yield RowError(
            label,
            group.claim_id or None,
            InvalidFieldError("claim_id", group.claim_id, "has a row that cannot be read"),
        )


def _disagreements(group: _Group) -> Iterator[RowError]:
    """One error per row whose claim column differs from the claim's first row, and one
    for each of the claim's other rows (the claim is not read)."""
    at_fault = {label for found in group.differs.values() for label, _ in found}
    columns = ", ".join(group.differs)
    for label in group.read:
        if label not in at_fault:
            yield RowError(
                label,
                group.claim_id or None,
                InvalidFieldError(
                    "claim_id",
                    group.claim_id,
                    f"is not read: its rows differ on {columns}",
                ),
            )
    for name, found in group.differs.items():
        labels = ", ".join(str(label) for label, _ in found)
        for label, value in found:
            yield RowError(
                label,
                group.claim_id or None,
                InvalidFieldError(
                    name,
                    value,
                    f"differs between rows of one claim: row {group.first} has "
                    f"{group.head[name]!r}, rows {labels} another value; the claim is not read",
                ),
            )


def _no_claim(by: str, value: object) -> InvalidFieldError:
    return InvalidFieldError(
        by, value, "is empty: the row belongs to no claim (rows are never merged without one)"
    )


def _modifiers(value: object) -> Iterable[str]:
    if value is None:
        return ()
    if isinstance(value, str):
        return value.replace(",", " ").split()
    if not _is_list(value):  # a number or a boolean: not iterable, never a modifier
        raise InvalidFieldError("modifiers", value, "must be a list of two-character modifiers")
    return value  # type: ignore[return-value]  # validated by ClaimLine


def _claim(group: _Group, payer: Payer | str | None, type_of_bill: str | None) -> Claim:
    head = group.head
    dates = [line.date for line in group.lines] or [s.date for s in group.services]
    bill = head["type_of_bill"] if head["type_of_bill"] is not None else type_of_bill
    # A cell holds any object; Claim's converters check it (and name the field).
    start: Any = head["statement_from"] or min(dates)
    end: Any = head["statement_through"] or max(dates)
    header: dict[str, Any] = {
        name: _header_value(name, head[name]) for name in _HEADER_FIELDS if head[name] is not None
    }
    return Claim(
        payer=_payer_of(head["payer"], payer),
        statement_from=start,
        statement_through=end,
        lines=group.lines,
        services=group.services,
        type_of_bill=_text(bill),
        id=group.claim_id,
        patient_id=_text(head["patient_id"]),
        evv_visits=None,  # the rows carry none: not given (Claim.has_evv)
        **header,
    )


#: Claim columns given to Claim under their own names, once read from text.
_HEADER_FIELDS = HEADER_COLUMNS[6:]
#: How many ``:``-separated parts an item of each coded list has.
_PARTS = {"occurrence_codes": 2, "occurrence_spans": 3, "value_codes": 2}


def _header_value(name: str, value: object) -> object:
    """A claim column's cell as the Claim field takes it (lists of codes split apart)."""
    if name == "condition_codes" and isinstance(value, str):
        return value.replace(",", " ").split()
    if name in _PARTS and isinstance(value, str):
        items = []
        for item in value.replace(",", " ").split():
            parts = item.split(":")
            if len(parts) != _PARTS[name]:
                raise InvalidFieldError(
                    name, item, f"must be {_PARTS[name]} parts separated by ':' (50:2024-03-01)"
                )
            items.append(tuple(parts))
        return items
    return value


def _claim_errors(group: _Group, exc: InvalidClaimError) -> Iterator[RowError]:
    """Each problem of a claim that could not be built, at the row it came from."""
    for problem in exc.errors:
        field = str(getattr(problem, "field", ""))
        label = group.rows[0]
        for prefix in ("$.services[", "$.lines["):
            if field.startswith(prefix):
                index = int(field[len(prefix) :].split("]", 1)[0])
                label = group.rows[index]
        yield RowError(label, group.claim_id or None, problem)


# --- whole claims as rows, and back ------------------------------------------------

SERVICE_COLUMNS = _frame_write.SERVICE_COLUMNS
"""The service columns :func:`claim_rows` writes after ``code`` and ``date`` (the
:class:`~hcpcs_home.claims.Service` field of each name; ``prior_auth`` is also the
line's)."""

ROW_COLUMNS = _frame_write.ROW_COLUMNS
"""The columns of :func:`claim_rows`, :func:`claims_to_frame` and :func:`write_csv`, in order."""


def read_csv(path: str | os.PathLike[str]) -> pandas.DataFrame:
    """A timesheet or claim CSV file as a DataFrame of text, labelled by file line.

    Every cell is read as text (an empty one as ``None``), so money, codes and
    ids keep their digits: ``pandas.read_csv`` would read ``"150.00"`` as the float
    ``150.0``, which the library refuses to guess a charge from, and ``"0551"`` as
    ``551``.  The index is each row's line in the file (the header is line 1), so
    a :class:`RowError` names the line to fix.  The rows are split by the same
    reader as ``hcpcs-home check --format csv``.

    :raises ~hcpcs_home.errors.InvalidFieldError: the file cannot be read, is not
        UTF-8, or has rows that are not CSV records (each named by its line).
    """
    from ._csv import split_rows
    from .bounds import MAX_DOCUMENT_BYTES

    name = os.fspath(path) if isinstance(path, (str, os.PathLike)) else path
    if not isinstance(name, str):
        raise InvalidFieldError("path", path, "must be a path")
    try:
        with open(name, "rb") as stream:
            data = stream.read(MAX_DOCUMENT_BYTES + 1)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        raise InvalidFieldError("path", name, f"cannot be read ({exc})") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidFieldError("path", name, f"is larger than {MAX_DOCUMENT_BYTES} bytes")
    try:
        text = data.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidFieldError("path", name, f"is not UTF-8 text ({exc.reason})") from None
    header, _, rows, bad = split_rows(text)
    if bad:
        raise InvalidFieldError(
            "rows", tuple(line for line, _ in bad), "; ".join(f"line {n}: {p}" for n, p in bad)
        )
    pandas = _pandas()
    columns = header or []
    index = pandas.Index([n for n, _ in rows], dtype=object)
    return pandas.DataFrame(
        {c: pandas.Series([r.get(c) for _, r in rows], index=index, dtype=object) for c in columns},
        columns=columns,
        index=index,
    )


# --- results as frames ---------------------------------------------------------


def findings_frame(
    reports: Iterable[Report | HcpcsError], rows: Iterable[Sequence[Hashable]] | None = None
) -> pandas.DataFrame:
    """The findings of many reports, one row per finding (columns :data:`FINDING_COLUMNS`).

    ``reports`` may be what :func:`~hcpcs_home.policy.check_many` yields, so a
    batch becomes one frame in one call: an error it passes through (a claim
    that could not be read) is one :data:`INVALID_CLAIM` row, never dropped.
    ``rows`` gives each claim's line-to-row labels (``ClaimRows.rows``)
    to fill the ``row`` column; without it ``row`` is empty.  ``line`` is the
    line's index on its claim (empty for claim findings).
    """
    return _frame(list(_finding_records(reports, rows)), FINDING_COLUMNS)


def check_frame(
    frame: pandas.DataFrame,
    rules: RuleSet | None = None,
    *,
    payer: Payer | str | None = None,
    type_of_bill: str | None = None,
    by: str = "claim_id",
) -> pandas.DataFrame:
    """Build the claims of a timesheet (:func:`claims_from_frame`), check them, return findings.

    The result has the columns of :data:`FINDING_COLUMNS`: the rules'
    findings claim by claim, in :func:`~hcpcs_home.policy.check`'s order,
    then one ``invalid-row`` finding per row that could not be read or billed.
    Its dtypes follow the frame's text: for a frame of object columns, those of
    :func:`findings_frame` (an empty cell ``None``); for a frame with a column
    of pandas' string dtype (``str``, pandas 3's text, or ``string``), compact
    findings: ``claim_id``, ``field``, ``message`` and ``suggestion`` are
    categoricals too, an empty cell missing as in a ``str`` column (NaN, never
    a category), ``row`` is ``Int64`` where every row label is an int, and
    ``line`` is ``Int16`` (a claim holds at most :data:`~hcpcs_home.bounds.MAX_LINES`
    lines).

    The frame streams by claim groups: its rows are taken a chunk of whole
    claims at a time (claims in order of their first row), and each claim is
    built and checked as soon as its last row is read, and let go, so a frame
    of millions of rows never holds more than a claim's objects at once (and
    they die young, before the garbage collector's older generations see
    them).  The rows that could not be used come last, chunk by chunk.
    """
    reader = _column_reader()
    columns = _columns(frame, by)
    options: dict[str, Any] = {"payer": payer, "type_of_bill": type_of_bill, "by": by}
    known = reader.Known(payer)  # the lines each code, minutes and payer bill, for every chunk
    found, unused = _frames.FindingColumns(), _frames.FindingColumns()

    def take(claim: Claim, rows: tuple[Hashable, ...]) -> None:
        found.add_rows(_frames.report_rows(check(claim, rules), rows))

    for part in reader.claim_chunks(frame, by):
        # Each claim checked as soon as its rows are read, and let go.
        built = reader.claims(part, columns, known=known, emit=take, **options)
        if built is None:  # numbered lines: the row reader's claims, checked here
            built = claims_from_rows(_records(part), columns, **options)
            found.extend(_finding_records((check(c, rules) for c in built.claims), built.rows))
        unused.extend(e.to_data() for e in built.errors)  # as codes: no record kept
        del part, built  # let the chunk go before the next is read
    found.take(unused)
    del unused
    return found.frame(compact=_frames.is_compact(frame))


def _column_reader() -> Any:
    """The column-at-a-time reader (``_frame_read``), given this module's row reader."""
    from . import _frame_read  # a column at a time; its claims() is None for numbered lines

    _frame_read.df = sys.modules[__name__]
    return _frame_read


def units_frame(frame: pandas.DataFrame, *, payer: Payer | str | None = None) -> pandas.DataFrame:
    """The line each row bills: row, code, date, minutes, units, revenue code.

    Units and revenue codes are :meth:`ClaimLine.from_service
    <hcpcs_home.claims.ClaimLine.from_service>`'s under ``payer``'s unit
    policy (or a ``payer`` column's).  The result has ``frame``'s index, so
    it joins back onto the timesheet; a row that cannot be billed keeps its
    place with empty units and the reason in ``error``.
    """
    records = []
    for label, record in _records(frame):
        service_part, claim_part = _split(record)
        out: dict[str, Any] = {
            "row": label,
            "code": None,
            "date": None,
            "minutes": None,
            "units": None,
            "revenue_code": None,
            "error": None,
        }
        try:
            service = Service.from_timesheet_row(service_part)
            out.update(code=service.code, date=service.date, minutes=service.minutes)
            line = ClaimLine.from_service(
                service,
                payer=_payer_of(claim_part.get("payer"), payer),
                revenue_code=_text(claim_part.get("revenue_code")),
            )
            out.update(units=line.units, revenue_code=line.revenue_code)
        except HcpcsError as exc:
            out["error"] = str(exc)
        records.append(out)
    return _frame(records, _UNIT_COLUMNS, index=frame.index)


_UNIT_COLUMNS = ("row", "code", "date", "minutes", "units", "revenue_code", "error")
