"""Claims from a timesheet DataFrame a column at a time: the fast path of
:func:`~hcpcs_home.dataframes.claims_from_frame`.

A timesheet repeats its values: a month of visits has a few dozen dates, clock
times, codes and credentials.  Each column is read once by its dtype (a column of
text or of a numpy dtype by its factors: each distinct cell once, spread back by
code), each distinct cell converted once by the same steps a row takes
(:func:`~hcpcs_home._timesheet_row._cell`, then the field's own attrs converter).
A service's one check across fields, the minutes its clock times give
(:func:`~hcpcs_home._clock.service_minutes`), is made once per distinct start,
stop, minutes and full day, so services are stored by
:func:`~hcpcs_home._trusted.maker`; so are the lines of a billed code with neither
a revenue code nor modifiers of their own (the line billing it passed the same
checks).  Other lines, and claims, are built by :func:`~hcpcs_home._trusted.checked`,
which runs no converter again but every validator and post-init check.  A line's
units and revenue code are :meth:`ClaimLine.from_service
<hcpcs_home.claims.ClaimLine.from_service>`'s, asked once per code, minutes and
payer.  A claim column is compared row by row only where some row differs from its
claim's first.

Rows are walked in order with the groups, checks and errors of
:func:`~hcpcs_home.dataframes.claims_from_rows`; a row this path does not take
(a cell its column could not convert, a ``units`` or ``through`` cell, a
service whose checks fail) is read by that function's own row reader, so it
is built, or refused with its error, exactly as before.  A frame with a
``line`` column is not taken at all (:func:`claims` gives ``None``).
"""

from __future__ import annotations

import collections
import functools
from collections.abc import Callable, Hashable, Iterator, Sequence
from typing import Any, cast

import attrs

from ._clock import service_minutes
from ._frame_write import HEADER_COLUMNS
from ._frames import _numpy_dtype, column_values
from ._timesheet_row import SKIP, _cell, _column_name
from ._trusted import DERIVED, checked, maker
from .bounds import MAX_LINES, MAX_SERVICES
from .claims import Claim, ClaimLine, Service
from .claims import _derived_id as derived_id
from .errors import HcpcsError

__all__ = ["Known", "claims"]

#: :mod:`hcpcs_home.dataframes`, whose row reader's groups, errors and helpers this
#: path shares; handed in by that module, which imports this one (never the other way
#: round: the two form no import cycle) before its first call.
df: Any = None
#: The claim columns every row of a claim must agree on (``dataframes._CLAIM_LEVEL``).
_CLAIM_LEVEL = HEADER_COLUMNS[1:]

#: How many billed lines (code, minutes, payer) and claim parts (payer, type of bill) one
#: frame remembers before it starts again.
_REMEMBERED = 65_536
#: A cell its column could not convert: the row is read by the row reader.
_BAD: Any = object()
#: The Service fields, in order (a row's service is made from one value of each).
_SERVICE: tuple[attrs.Attribute[Any], ...] = attrs.fields(Service)
_LINE = attrs.fields_dict(ClaimLine)
#: The line columns of an unnumbered frame besides the claim's: converted here.
_LINE_CELLS = ("revenue_code", "modifiers", "charge")


def _default(a: attrs.Attribute[Any]) -> Any:
    """The field's value for an empty cell (:data:`_BAD` where the field is required)."""
    if a.default is attrs.NOTHING:
        return _BAD
    if isinstance(a.default, attrs.Factory):  # type: ignore[arg-type]
        return DERIVED
    convert = cast("Callable[[Any], Any] | None", a.converter)
    return a.default if convert is None else convert(a.default)


def _convert_column(
    values: list[Any], convert: Callable[[Any], Any], factors: Factors | None = None
) -> list[Any]:
    """``convert`` of each cell, each distinct cell once; :data:`_BAD` where it raised.

    A factorized column (``factors``, see :func:`_read_column`) is converted by its
    distinct cells and spread back by their codes.  A column holding booleans beside
    other values (``True == 1`` in a dict), or cells of other types than plain text,
    numbers and ``None``, is converted cell by cell.
    """

    def one(value: Any) -> Any:
        try:
            return convert(value)
        except Exception:  # the row reader raises it again, as before
            return _BAD

    if factors is not None:
        codes, distinct = factors
        return _spread([*map(one, distinct), one(None)], codes)
    kinds = set(map(type, values))
    if (bool in kinds and len(kinds - {bool, type(None)})) or not kinds <= _HASHABLE:
        return [one(v) for v in values]
    table = {v: one(v) for v in dict.fromkeys(values)}
    return list(map(table.__getitem__, values))


#: A factorized column: each row's code (``-1`` for an empty cell) and the plain value
#: of each distinct cell, in code order.
Factors = tuple[Any, list[Any]]


def _read_column(column: Any) -> tuple[list[Any], Factors | None]:
    """A column's cells as :func:`~hcpcs_home._frames.column_values` gives them, and for
    a column of a numpy dtype (booleans, numbers, dates) or of text its factors: a
    column of one such dtype cannot hold equal cells of different types (``1`` and
    ``True``), so its distinct cells are converted once and spread back by code.
    ``None`` for other columns (objects, categoricals...), read cell by cell."""
    pandas = df._pandas()
    dtype = column.dtype
    if not (
        isinstance(dtype, pandas.StringDtype) or (_numpy_dtype(dtype) and dtype.kind in "biufM")
    ):
        return column_values(column), None
    codes, uniques = pandas.factorize(column, use_na_sentinel=True)
    distinct = column_values(pandas.Series(uniques, dtype=dtype))
    return _spread([*distinct, None], codes), (codes, distinct)


def _spread(table: list[Any], codes: Any) -> list[Any]:
    """``table[code]`` for each code (``-1``, an empty cell, is the table's last entry)."""
    import numpy  # pandas' own dependency: here only with a frame

    values = numpy.fromiter(table, dtype=object, count=len(table))  # a tuple is one entry
    return values[codes].tolist()  # type: ignore[no-any-return]


#: Cell types a column is converted by distinct value for (equal ones are interchangeable).
_HASHABLE = frozenset({str, int, float, bool, type(None)})


def _service_converter(name: str) -> Callable[[Any], Any]:
    a = attrs.fields_dict(Service)[name]
    default = _default(a)
    convert = cast("Callable[[Any], Any] | None", a.converter)

    def read(value: Any) -> Any:
        cell = _cell(name, value)
        if cell is SKIP:
            return default
        return cell if convert is None else convert(cell)

    return read


def claims(
    frame: Any,
    columns: Sequence[str],
    *,
    payer: Any,
    type_of_bill: str | None,
    by: str,
    known: Known | None = None,
    emit: Callable[[Claim, tuple[Hashable, ...]], None] | None = None,
) -> Any:
    """:func:`~hcpcs_home.dataframes.claims_from_frame` of ``frame`` (a ``ClaimRows``),
    or ``None`` for a frame with a ``line`` column (read row by row).  ``known`` carries
    what is known from earlier chunks of one frame (the same ``payer``).

    A claim is built as soon as its last row is read (and the claims of every earlier
    first row are built), so claims come in order of their first row.  With ``emit``
    each claim and its rows are handed to it then and not kept (the ``ClaimRows``
    returned holds the errors only): nothing of a claim outlives what ``emit`` does
    with it, so a frame whose claims' rows come together (as
    :func:`~hcpcs_home.dataframes.check_frame`'s chunks do) never holds more than one
    claim's services and lines, and they die young, before the garbage collector's
    older generations see them."""
    claim_names = {c: df._claim_column(c) for c in columns}
    if "line" in claim_names.values():
        return None
    read = [_read_column(frame.iloc[:, i]) for i in range(len(columns))]
    cells = [values for values, _factors in read]
    labels = list(frame.index)
    rows = len(labels)
    nothing: list[Any] = [None] * rows
    claim_cells: dict[str, list[Any]] = {}
    service_cells: dict[str, list[Any]] = {}
    factors: dict[str, Factors | None] = {}
    for column, (values, factored) in zip(columns, read, strict=True):
        name = claim_names[column]
        if name is not None:
            claim_cells[name] = values
        else:
            name = _column_name(column)
            service_cells[name] = values
        factors[name] = factored
    del read
    bad = [False] * rows
    fields = [_field_column(a, service_cells, factors, bad) for a in _SERVICE]
    if "code" not in service_cells or "date" not in service_cells:
        bad = [True] * rows  # "is required": the row reader says so
    else:
        fields[-1] = _ids(fields, bad)
        fields[_FIELD_AT["minutes"]] = _minutes(fields, bad)
    line_cells = [
        _mark(_convert_column(claim_cells[name], convert, factors[name]), bad)
        if name in claim_cells
        else [convert(None)] * rows  # a column the frame lacks: every cell empty
        for name, convert in _line_readers()
    ]
    for name in ("units", "through"):
        for i, value in enumerate(claim_cells.get(name, ())):
            if value is not None:
                bad[i] = True
    raw_ids = cells[list(columns).index("id")] if "id" in columns else nothing
    keys = claim_cells[by]
    ids = claim_cells.get("claim_id")
    present = [(name, claim_cells[name]) for name in _CLAIM_LEVEL if name in claim_cells]
    # A claim column whose every row holds its claim's first row's value (the usual
    # case) is not compared row by row: the first value of each key, compared at once.
    level = [(name, given) for name, given in present if _differs(keys, given)]
    known = Known(payer) if known is None else known
    make_service, make_line, billed = known.make_service, known.make_line, known.billed
    store_line = known.store_line
    built: list[Claim] = []
    built_rows: list[tuple[Hashable, ...]] = []
    if emit is None:

        def emit(claim: Claim, claim_rows: tuple[Hashable, ...]) -> None:
            built.append(claim)
            built_rows.append(claim_rows)

    fast = known.claim(type_of_bill)
    groups: dict[object, Any] = {}
    #: The groups not yet built, in order of their first row.
    waiting: collections.deque[Any] = collections.deque()
    ends = _last_rows(keys)
    errors: list[Any] = []
    late: list[Any] = []  # the groups' errors, after every row's (as the row reader has them)
    for i, (label, key, values, revenue, modifiers, charge) in enumerate(
        zip(labels, keys, zip(*fields, strict=True), *line_cells, strict=True)
    ):
        if key is None or (isinstance(key, str) and not key.strip()):
            cell = None if ids is None else ids[i]
            errors.append(df.RowError(label, df._text(cell), df._no_claim(by, key)))
            continue
        group = groups.get(key)
        if group is None:
            head = dict.fromkeys(_CLAIM_LEVEL)
            head.update((name, given[i]) for name, given in present)
            claim_id = df._text(ids[i] if ids is not None else key) or ""
            group = groups[key] = df._Group(claim_id, head, label)
            waiting.append(group)
        for name, given in level:
            if given[i] != group.head[name]:
                group.differs.setdefault(name, []).append((label, given[i]))
        taken = False
        if not bad[i]:
            # The service's checks were made once per distinct cell and clock times
            # (``_minutes``): it is stored as it comes; the line is checked as it is made.
            service = make_service(*values)
            if service.start is None and service.minutes is None:
                service = df._unique_id(service, {"id": raw_ids[i]}, group)
            try:
                found = billed[service.code, service.minutes, group.head["payer"]]
            except KeyError:
                found = known.bill(service, group.head["payer"])
            except TypeError:  # an unhashable payer cell
                found = None
            if found is not None:
                code, units, default_revenue = found
                # A line of the billed code, revenue code and no modifiers passed the
                # line's checks (of its code, revenue code, modifiers and through date)
                # when it was billed: stored as it comes; any other is checked.
                make = store_line if revenue is None and not modifiers else make_line
                try:
                    line = make(
                        code,
                        service.date,
                        units,
                        default_revenue if revenue is None else revenue,
                        modifiers,
                        charge,
                        (service.id,),
                        service.prior_auth,
                        None,
                    )
                except Exception:  # the row reader raises it again
                    pass
                else:
                    group.rows.append(label)
                    group.read.append(label)
                    group.ids.add(service.id)
                    group.services.append(service)
                    group.lines.append(line)
                    taken = True
        if not taken:
            # A row this path does not take: the row reader builds it or names its error.
            service_part, claim_part = df._split(
                {c: v[i] for c, v in zip(columns, cells, strict=True)}
            )
            try:
                made = df._row_line(service_part, claim_part, group.head["payer"], payer, group)
            except HcpcsError as exc:
                claim_id = df._text(ids[i] if ids is not None else key) or ""
                errors.append(df.RowError(label, claim_id or None, exc))
                group.bad = True
            else:
                group.add(label, *made)
        if ends[i]:  # the claim's last row: it is built once every claim before it is
            group.done = True
            del groups[key]
            while waiting and waiting[0].done:
                done = waiting.popleft()
                claim = df._group_claim(done, late, payer, type_of_bill, numbered=False, fast=fast)
                if claim is not None:
                    emit(claim, tuple(done.rows))
    return df.ClaimRows(tuple(built), tuple(built_rows), (*errors, *late))


def _last_rows(keys: list[Any]) -> list[bool]:
    """Whether each row is the last of its key's (a cell that is no dict key raises
    :class:`TypeError`, as grouping by it does)."""
    ends = [False] * len(keys)
    for i in {key: i for i, key in enumerate(keys)}.values():
        ends[i] = True
    return ends


def _differs(keys: list[Any], given: list[Any]) -> bool:
    """Whether some row of a claim column holds another value than its key's first row."""
    first = dict(zip(reversed(keys), reversed(given), strict=True))  # a key's first row wins
    return list(map(first.__getitem__, keys)) != given


_FIELD_AT = {a.name: i for i, a in enumerate(_SERVICE)}
assert _SERVICE[-1].name == "id"  # derived last, from the fields before it


def _ids(fields: list[list[Any]], bad: list[bool]) -> list[Any]:
    """The id column: each row's given id, or the id :class:`Service` derives, from the
    text of each distinct date and start worked out once (rows marked ``bad`` are left)."""
    days, codes, starts, minutes, ids = (
        fields[_FIELD_AT[n]] for n in ("date", "code", "start", "minutes", "id")
    )
    day_text = {d: d.isoformat() for d in set(days) if d is not _BAD}
    start_text: dict[Any, str | None] = {
        t: f"{t.hour:02d}{t.minute:02d}" for t in set(starts) if t not in (None, _BAD)
    }
    start_text[None] = None
    return [
        derived_id(day_text[d], c, start_text[t], m) if i is DERIVED and not b else i
        for d, c, t, m, i, b in zip(days, codes, starts, minutes, ids, bad, strict=True)
    ]


def _minutes(fields: list[list[Any]], bad: list[bool]) -> list[Any]:
    """The minutes column as each row's :class:`Service` holds them once built (its
    clock times' span where it has them), from :func:`~hcpcs_home._clock.service_minutes`
    asked once per distinct start, stop, minutes and full day; a row whose times it
    refuses is marked in ``bad`` (the row reader raises the error)."""
    columns = [fields[_FIELD_AT[n]] for n in ("start", "stop", "minutes", "full_day")]
    spans: dict[tuple[Any, ...], Any] = {}
    for times in set(zip(*columns, strict=True)):
        try:
            spans[times] = service_minutes(*times)
        except Exception:  # the row reader raises it again
            spans[times] = _BAD
    return _mark(list(map(spans.__getitem__, zip(*columns, strict=True))), bad)


def _mark(converted: list[Any], bad: list[bool]) -> list[Any]:
    """``converted``, each row with a cell it could not convert marked in ``bad``."""
    if _BAD in converted:  # identity first: the sentinel equals nothing else
        for i, value in enumerate(converted):
            if value is _BAD:
                bad[i] = True
    return converted


def _field_column(
    a: attrs.Attribute[Any],
    cells: dict[str, list[Any]],
    factors: dict[str, Factors | None],
    bad: list[bool],
) -> Any:
    """The Service field ``a`` for every row: its column converted, or its default."""
    if a.name in cells:
        convert = _service_converter(a.name)
        return _mark(_convert_column(cells[a.name], convert, factors[a.name]), bad)
    return [_default(a)] * len(bad)


@functools.cache
def _line_readers() -> tuple[tuple[str, Callable[[Any], Any]], ...]:
    """Each line column's cell as :func:`~hcpcs_home.dataframes._row_line` hands it to
    :meth:`ClaimLine.from_service`, then through the line field's converter."""
    revenue, modifiers, charge = (
        cast("Callable[[Any], Any]", _LINE[n].converter) for n in _LINE_CELLS
    )
    return (
        ("revenue_code", lambda v: revenue(df._text(v))),
        ("modifiers", lambda v: modifiers(tuple(df._modifiers(v)))),
        ("charge", lambda v: charge(v or 0)),
    )


@functools.cache
def _makers() -> tuple[
    Callable[..., Service], Callable[..., ClaimLine], Callable[..., ClaimLine], Callable[..., Claim]
]:
    return maker(Service), checked(ClaimLine), maker(ClaimLine), checked(Claim)


#: The Claim fields a timesheet without header columns leaves to their defaults.
_CLAIM = attrs.fields(Claim)
_CLAIM_DEFAULTS = {a.name: _default(a) for a in _CLAIM}
#: The claim columns :func:`~hcpcs_home.dataframes._claim` reads besides the payer and
#: the type of bill: a claim whose rows give one of them is built by it.
_HEADER = tuple(n for n in _CLAIM_LEVEL if n not in ("payer", "type_of_bill"))


class Known:
    """What one frame's rows have in common: payers, and the lines each code, minutes and
    payer bill (asked of :meth:`ClaimLine.from_service` once each)."""

    def __init__(self, payer: Any) -> None:
        self.payer = payer
        self.payers: dict[Any, Any] = {}
        self.billed: dict[tuple[Any, ...], tuple[str, Any, str | None] | None] = {}
        self.make_service, self.make_line, self.store_line, self.make_claim = _makers()
        self.claim_parts: dict[Any, tuple[Any, Any]] = {}

    def bill(self, service: Service, column_payer: Any) -> tuple[str, Any, str | None] | None:
        """The code, units and revenue code :meth:`ClaimLine.from_service` bills for the
        service's code and minutes under the payer (``None`` where it refuses: the row
        reader then names the error), remembered in :attr:`billed` (``column_payer``
        is hashable: the caller looked it up there first)."""
        key = (service.code, service.minutes, column_payer)
        if len(self.billed) >= _REMEMBERED:
            self.billed.clear()  # cells are data: what is kept stays bounded
        try:
            if column_payer not in self.payers:
                self.payers[column_payer] = df._payer_of(column_payer, self.payer)
            line = ClaimLine.from_service(service, payer=self.payers[column_payer])
        except Exception:  # the row reader raises it again
            found = None
        else:
            found = (line.code, line.units, line.revenue_code)
        self.billed[key] = found
        return found

    def claim(self, type_of_bill: str | None) -> Callable[[Any], Claim | None]:
        """A builder of a group's claim from its lines and services as
        :func:`~hcpcs_home.dataframes._claim` builds it, for groups whose rows give no
        header column but the payer and type of bill (``None`` for the others, and
        wherever a check fails: that function then builds the claim or names the error)."""
        make, defaults, parts = self.make_claim, _CLAIM_DEFAULTS, self.claim_parts
        ids = _CLAIM_CONVERTERS["id"]

        def build(group: Any) -> Claim | None:
            head = group.head
            if (
                any(head[name] is not None for name in _HEADER)
                or len(group.lines) > MAX_LINES
                or len(group.services) > MAX_SERVICES
            ):
                return None  # the lines' and services' converters refuse so many
            key = (head["payer"], head["type_of_bill"])
            try:
                found = parts.get(key)
                if found is None:
                    if len(parts) >= _REMEMBERED:
                        parts.clear()
                    found = parts[key] = self._claim_parts(*key, type_of_bill)
                payer, bill = found
                dates = [line.date for line in group.lines] or [s.date for s in group.services]
                return make(
                    payer,
                    min(dates),
                    max(dates),
                    tuple(group.lines),
                    tuple(group.services),
                    bill,
                    defaults["authorizations"],
                    defaults["therapy_ytd_pt_slp"],
                    defaults["therapy_ytd_ot"],
                    ids(group.claim_id),
                    None,
                    *_HEADER_DEFAULTS,
                )
            except Exception:  # the row reader's builder names the error
                return None

        return build

    def _claim_parts(self, payer: Any, bill: Any, type_of_bill: str | None) -> tuple[Any, Any]:
        """The claim's payer and type of bill, converted as Claim converts them."""
        chosen = df._payer_of(payer, self.payer)
        given = bill if bill is not None else type_of_bill
        return _CLAIM_CONVERTERS["payer"](chosen), _CLAIM_CONVERTERS["type_of_bill"](
            df._text(given)
        )


_CLAIM_CONVERTERS = {a.name: cast("Callable[[Any], Any]", a.converter) for a in _CLAIM}
#: The defaults of the fields after ``patient_id``, in order; a field whose "not given"
#: differs from its default at that (``evv_visits``: the rows carry none, ``None``).
_HEADER_DEFAULTS = tuple(
    a.metadata.get("not_given", _CLAIM_DEFAULTS[a.name])
    for a in _CLAIM[[a.name for a in _CLAIM].index("patient_id") + 1 :]
)


def claim_chunks(frame: Any, by: str) -> Iterator[Any]:
    """The frame's rows as frames of whole claims of about ``dataframes._CHUNK`` rows each:
    claims in order of their first row, each claim's rows in frame order, rows
    without a ``by`` value last (each is an error of its own)."""
    chunk = df._CHUNK  # read per call: tests set it smaller
    if len(frame) <= chunk:
        yield frame
        return
    pandas = df._pandas()
    import numpy

    column = frame.iloc[
        :, next(i for i, c in enumerate(frame.columns) if df._claim_column(str(c)) == by)
    ]
    order = None
    # Where each claim's rows begin (a chunk ends at one of them), and len(frame).
    firsts = _together(column, numpy)
    if firsts is None:  # the rows in claim order, each claim's rows together
        codes, _ = pandas.factorize(column, use_na_sentinel=True)
        codes[codes < 0] = codes.max() + 1  # rows without a claim last
        order = numpy.argsort(codes, kind="stable")
        if len(order) < 2**31:  # half the memory while the frame is checked
            order = order.astype(numpy.int32)
        codes = codes[order]
        firsts = numpy.append(numpy.flatnonzero(codes[1:] != codes[:-1]) + 1, len(codes))
        del codes
    del column
    rows = len(frame)
    start = 0
    while start < rows:
        # a claim's rows stay together: the chunk ends where a claim begins
        end = int(firsts[numpy.searchsorted(firsts, min(start + chunk, rows))])
        yield frame.iloc[start:end] if order is None else frame.iloc[order[start:end]]
        start = end


def _together(column: Any, numpy: Any) -> Any:
    """Where each claim's rows begin but the first (and the column's length) when the
    ``by`` column already holds each claim's rows together and has no empty cell (the
    frame is then in claim order as it is: it is sliced, never copied or indexed by an
    order of every row), else ``None``.

    Each row is compared with the row before it, and each run's first value, taken a
    slice of rows at a time, sorted to find one claim in two runs: neither hashes every
    row (``pandas.factorize`` builds a table of them) nor takes from the whole column
    at once (a take from an Arrow column read in pieces, as ``read_csv`` reads it, first
    copies it whole), whose memory the allocators would keep for the rest of the process.
    """
    pandas = df._pandas()
    step = _SLICE
    try:
        if column.isna().any():
            return None
        values = column.array
        starts = numpy.flatnonzero(numpy.asarray(values[1:] != values[:-1], dtype=bool)) + 1
        firsts = numpy.append(0, starts)
        cuts = numpy.searchsorted(firsts, numpy.arange(0, len(column) + step, step))
        heads = [
            column.iloc[at : at + step].iloc[firsts[a:b] - at]
            for at, a, b in zip(range(0, len(column), step), cuts, cuts[1:], strict=False)
        ]
        ordered = pandas.concat(heads, ignore_index=True).sort_values(ignore_index=True)
        del heads
        same = numpy.asarray(ordered.array[1:] == ordered.array[:-1], dtype=bool)
    except TypeError:  # a cell that cannot be compared or ordered: factorize judges it
        return None
    if same.any():  # a claim in two runs of rows
        return None
    return numpy.append(starts, len(column))


#: Rows a claim's first values are taken from at a time (:func:`_together`).
_SLICE = 1 << 16
