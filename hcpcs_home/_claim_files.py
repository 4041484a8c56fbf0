"""Claims read from files for the command line, one record at a time, each with its file line.

A *record* is what one report is printed for: a claim, or the reason a piece
of the input could not be read as one (:class:`Unreadable`).  Every reader
yields :class:`Record` values in input order and never raises for bad input,
so a batch loses nothing: records in = reports out.

JSON lines are read line by line (split on ``"\\n"`` only: a claim may hold
U+2028, which :func:`~hcpcs_home.serialize.claim_to_json` writes raw), so
memory stays flat in the input's size.  A whole JSON document (a claim object
or a list of claims) must be read whole, up to
:data:`~hcpcs_home.bounds.MAX_DOCUMENT_BYTES`.

>>> import io
>>> text = b'{"format": 1}\\n\\n[1, 2]\\n'
>>> for record in json_lines(io.BytesIO(text), "in.jsonl"):
...     print(record.label, record.problem.splitlines()[0])
in.jsonl:1 invalid Claim (3 problems)
in.jsonl:3 a JSON array of 2 items, not a claim object (JSON lines hold one per line)
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterator, Mapping
from typing import IO, Any

import attrs

from ._csv import split_rows
from ._values import lazy_methods
from .bounds import (
    MAX_DOCUMENT_BYTES,
    MAX_JSON_DEPTH,
    MAX_LINE_BYTES,
    check_depth_before_parsing,
    check_json_depth,
)
from .claims import Claim
from .errors import HcpcsError, InvalidFieldError
from .payers import Payer
from .serialize import _read_parsed, claim_from_data

__all__ = [
    "MAX_MESSAGE_CHARS",
    "Record",
    "json_document",
    "json_lines",
    "looks_like_rif",
    "read_bounded",
    "rif_claims",
    "timesheet_csv",
]


def __dir__() -> list[str]:
    return __all__


MAX_MESSAGE_CHARS = 400
"""The longest problem description printed for one record (the rest is elided)."""

_BOM = b"\xef\xbb\xbf"
_SPACE = re.compile(r"[ \t\n\r]*")
_CHUNK = 1024 * 1024


@attrs.frozen(slots=True)
@lazy_methods
class Record:
    """One record of the input: a claim, or why that piece could not be read.

    :ivar file: the file's name as given (``<stdin>`` for standard input).
    :ivar line: the 1-based file line where the record starts.
    :ivar number: the record's 1-based position in its file.
    :ivar claim: the claim, or ``None`` when it could not be read.
    :ivar problem: why it could not be read (bounded; never the record's content).
    :ivar field: the path of the field at fault (``$``: the whole record).
    """

    file: str
    line: int
    number: int
    claim: Claim | None = None
    problem: str | None = None
    field: str = "$"

    @property
    def label(self) -> str:
        """``file:line``, the way compilers name a place in a file."""
        return f"{self.file}:{self.line}"


def _bounded(text: str) -> str:
    if len(text) <= MAX_MESSAGE_CHARS:
        return text
    return f"{text[:MAX_MESSAGE_CHARS]}... ({len(text) - MAX_MESSAGE_CHARS} more characters)"


def _kind(value: object) -> str:
    """A short description of a JSON value that is not a claim object, without its content."""
    if isinstance(value, list):
        return f"a JSON array of {len(value)} item{'' if len(value) == 1 else 's'}"
    names = {str: "string", bool: "boolean", int: "number", float: "number", type(None): "null"}
    return f"a JSON {names.get(type(value), type(value).__name__)}"


def _claim(value: Any, hint: str, text: str | None = None) -> tuple[Claim | None, str | None, str]:
    """(claim, problem, field) for one parsed JSON value (parsed from ``text``, whose
    depth is checked here unless the one-pass reader takes it, as in
    :func:`~hcpcs_home.serialize.claim_from_json`; ``None`` where it was checked
    already)."""
    if text is not None:
        claim = _read_parsed(value) if type(value) is dict else None
        if claim is not None:
            return claim, None, "$"
        deep = _too_deep(text, check_json_depth)
        if deep is not None:
            return None, deep, "$"
    if not isinstance(value, dict):
        return None, f"{_kind(value)}, not a claim object{hint}", "$"
    try:
        return claim_from_data(value), None, "$"
    except HcpcsError as exc:
        field = getattr(exc, "field", None)
        return None, _bounded(str(exc)), field if isinstance(field, str) else "$"
    except RecursionError:
        return None, "is nested too deeply to read", "$"
    except Exception as exc:
        # A bug in the library must not drop this record or the ones after it.
        return None, f"internal error {type(exc).__name__} while reading the claim", "$"


def _record(
    file: str, line: int, number: int, value: Any, hint: str = "", text: str | None = None
) -> Record:
    claim, problem, field = _claim(value, hint, text)
    return Record(file, line, number, claim, problem, field)


def _too_deep(text: str, check: Callable[[str], None]) -> str | None:
    """The problem to report where ``check`` finds ``text`` nesting too deep, else
    ``None`` (the check's own message would show the start of the record)."""
    try:
        check(text)
    except InvalidFieldError:
        return f"nests deeper than {MAX_JSON_DEPTH} levels"
    return None


def _parse_line(raw: bytes) -> tuple[Any, str, str | None]:
    """(value, text, None) for a JSON line, or (None, text, why it is not JSON).

    The depth bound is checked here before parsing for text that could nest deeper
    than the parser safely recurses, and for text the parser refuses (so that a deep
    line says so first); any other parsed claim's text is checked by :func:`_claim`
    unless the one-pass reader takes it.
    """
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return None, "", f"is not UTF-8 text (byte {exc.start + 1}: {exc.reason})"
    deep = _too_deep(text, check_depth_before_parsing)
    if deep is not None:
        return None, text, deep
    try:
        return json.loads(text), text, None
    except (RecursionError, ValueError) as exc:
        deep = _too_deep(text, check_json_depth)
        if deep is not None:
            return None, text, deep
        if isinstance(exc, json.JSONDecodeError):
            return None, text, f"is not valid JSON: {exc.msg} at column {exc.colno}"
        if isinstance(exc, RecursionError):
            return None, text, "is nested too deeply to read"
        # integers too long to convert, and the like
        return None, text, f"is not valid JSON: {_bounded(str(exc))}"


def json_lines(stream: IO[bytes], file: str) -> Iterator[Record]:
    """A record per non-blank line of a JSON-lines byte stream, as each line is read.

    A line holds one claim object; anything else on a line (an array of
    claims, a number, broken JSON, a line over
    :data:`~hcpcs_home.bounds.MAX_LINE_BYTES`) is an
    unreadable record for that line.
    """
    number = 0
    line = 0
    while True:
        raw = stream.readline(MAX_LINE_BYTES + 1)
        if not raw:
            return
        line += 1
        if line == 1 and raw.startswith(_BOM):
            raw = raw[len(_BOM) :]
        if len(raw) > MAX_LINE_BYTES and not raw.endswith(b"\n"):
            while (rest := stream.readline(_CHUNK)) and not rest.endswith(b"\n"):
                pass
            number += 1
            too_long = f"is longer than {MAX_LINE_BYTES} bytes"
            yield Record(file, line, number, problem=too_long)
            continue
        if not raw.strip():
            continue
        number += 1
        value, text, problem = _parse_line(raw)
        if problem is not None:
            yield Record(file, line, number, problem=problem)
        else:
            yield _record(file, line, number, value, " (JSON lines hold one per line)", text)


def read_bounded(stream: IO[bytes], file: str) -> bytes:
    """The whole stream, or :class:`OverflowError` past its bound."""
    data = stream.read(MAX_DOCUMENT_BYTES + 1)
    if len(data) > MAX_DOCUMENT_BYTES:
        raise OverflowError(
            f"{file} is larger than {MAX_DOCUMENT_BYTES} bytes; "
            "write large batches as JSON lines, which are read line by line"
        )
    return data


def _whole_text(stream: IO[bytes], file: str) -> str | Record:
    """The stream's text, or the one unreadable record saying why it has none."""
    try:
        return read_bounded(stream, file).decode("utf-8-sig")
    except OverflowError as exc:
        return Record(file, 1, 1, problem=str(exc))
    except UnicodeDecodeError as exc:
        return Record(file, 1, 1, problem=f"is not UTF-8 text (byte {exc.start + 1}: {exc.reason})")


def json_document(stream: IO[bytes], file: str) -> Iterator[Record]:
    """A record per claim of a whole JSON document: one claim object, or a list of them.

    Each claim of a list is labelled with the line where it starts.  Text
    that stops being JSON part-way is one unreadable record at the line of
    the fault, after the claims before it.
    """
    text = _whole_text(stream, file)
    if isinstance(text, Record):
        yield text
    else:
        yield from _document_records(text, file)


def _skip(text: str, pos: int) -> int:
    return _SPACE.match(text, pos).end()  # type: ignore[union-attr]


class _NotJson(Exception):
    """Where and why a JSON document stops being JSON."""

    def __init__(self, pos: int, problem: str) -> None:
        super().__init__(problem)
        self.pos = pos
        self.problem = problem


def _decode(decoder: json.JSONDecoder, text: str, pos: int) -> tuple[Any, int]:
    try:
        return decoder.raw_decode(text, pos)
    except json.JSONDecodeError as exc:
        raise _NotJson(exc.pos, f"is not valid JSON: {exc.msg} at column {exc.colno}") from None
    except RecursionError:
        raise _NotJson(pos, "is nested too deeply to read") from None
    except ValueError as exc:  # integers too long to convert, and the like
        raise _NotJson(pos, f"is not valid JSON: {_bounded(str(exc))}") from None


def _values(text: str) -> Iterator[tuple[int, Any]]:
    """(offset, value) of a document's one value, or of each item of its top-level list."""
    decoder = json.JSONDecoder()
    pos = _skip(text, 0)
    if pos == len(text):
        return
    if text[pos] != "[":
        start = pos
        value, pos = _decode(decoder, text, pos)
        yield start, value
        pos = _skip(text, pos)
    else:
        pos = _skip(text, pos + 1)
        closed = text[pos : pos + 1] == "]"
        pos = _skip(text, pos + 1) if closed else pos
        while not closed:
            start = pos
            value, pos = _decode(decoder, text, pos)
            yield start, value
            pos = _skip(text, pos)
            separator, closed = text[pos : pos + 1], text[pos : pos + 1] == "]"
            if separator not in (",", "]"):
                raise _NotJson(pos, "is not valid JSON: expecting ',' or ']' after a claim")
            pos = _skip(text, pos + 1)
    if pos < len(text):
        raise _NotJson(pos, "is not valid JSON: extra data after the document")


def _document_records(text: str, file: str) -> Iterator[Record]:
    lines = _LineCounter(text)
    number = 0
    try:
        for start, value in _values(text):
            number += 1
            yield _record(file, lines.at(start), number, value)
    except _NotJson as exc:
        yield Record(file, lines.at(exc.pos), number + 1, problem=exc.problem)


class _LineCounter:
    """1-based line numbers of increasing offsets in a text, counted once."""

    def __init__(self, text: str) -> None:
        self._text = text
        self._pos = 0
        self._line = 1

    def at(self, pos: int) -> int:
        self._line += self._text.count("\n", self._pos, pos)
        self._pos = pos
        return self._line


def timesheet_csv(
    stream: IO[bytes],
    file: str,
    *,
    payer: Payer | str | None = None,
    type_of_bill: str | None = None,
) -> Iterator[Record]:
    """A record per claim of a timesheet CSV file, and one per row that cannot be billed.

    One row per visit or shift, under a header of the columns
    :func:`hcpcs_home.dataframes.claims_from_rows` reads (the service
    columns of :meth:`Service.from_timesheet_row
    <hcpcs_home.claims.Service.from_timesheet_row>` and their aliases, and
    ``claim_id``, ``payer``, ``revenue_code``...), grouped into claims by
    ``claim_id``.  ``payer`` and ``type_of_bill`` are the defaults for rows
    without those columns.  The file is read whole (a claim's rows may be
    anywhere in it), up to :data:`~hcpcs_home.bounds.MAX_DOCUMENT_BYTES`;
    records come in the order of their first line.
    """
    text = _whole_text(stream, file)
    if isinstance(text, Record):
        yield text
        return
    header, header_at, rows, found = _csv_rows(text, file)
    if header is not None:
        found.extend(_csv_claims(file, header, header_at, rows, payer, type_of_bill))
    found.sort(key=lambda record: record.line)
    for number, record in enumerate(found, start=1):
        yield attrs.evolve(record, number=number)


def _csv_claims(
    file: str,
    header: list[str],
    header_at: int,
    rows: list[tuple[int, Mapping[str, object]]],
    payer: Payer | str | None,
    type_of_bill: str | None,
) -> Iterator[Record]:
    """A record per claim the rows make, and one per row that cannot be billed (unnumbered)."""
    from .dataframes import claims_from_rows

    if looks_like_rif(",".join(header)):
        problem = (
            "header: this is a CMS research (RIF) claim file (CLM_ID, REV_CNTR columns), "
            "not a timesheet; check it with --format rif"
        )
        yield Record(file, header_at, 0, problem=problem)
        return
    try:
        built = claims_from_rows(rows, header, payer=payer, type_of_bill=type_of_bill)
    except HcpcsError as exc:  # the header itself: a column twice, no claim_id column
        yield Record(file, header_at, 0, problem=_bounded(f"header: {exc}"))
        return
    for claim, lines in zip(built.claims, built.rows, strict=True):
        yield Record(file, _line(lines[0]), 0, claim)
    for error in built.errors:
        field = getattr(error.error, "field", None)
        owner = f"claim {error.claim_id}: " if error.claim_id else ""
        problem = _bounded(f"row of {owner}{error.error}" if owner else f"row: {error.error}")
        field = field if isinstance(field, str) else "$"
        yield Record(file, _line(error.row), 0, problem=problem, field=field)


def looks_like_rif(header: str) -> bool:
    """Whether a header line names the RIF claim columns ``CLM_ID`` and ``REV_CNTR``
    (a timesheet has neither), whatever its delimiter."""
    names = set(re.split(r"[|,\t]", header.strip().lstrip("\ufeff")))
    return {"CLM_ID", "REV_CNTR"} <= {n.strip().strip('"') for n in names}


def _line(label: object) -> int:
    assert isinstance(label, int)  # the rows were labelled with their lines
    return label


def _csv_rows(
    text: str, file: str
) -> tuple[list[str] | None, int, list[tuple[int, Mapping[str, object]]], list[Record]]:
    """(header, its line, [(line, {column: cell or None})], rows that are not CSV records)."""
    header, header_at, rows, bad = split_rows(text)
    return header, header_at, rows, [Record(file, n, 0, problem=_bounded(p)) for n, p in bad]


def rif_claims(path: str, *, payer: Payer | str | None = None) -> Iterator[Record]:
    """A record per claim of a CMS research (RIF) claim file (:func:`hcpcs_home.rif.read_claims`).

    The reader streams the file claim by claim (rows of a claim are
    consecutive).  Each claim, or claim it could not read (an unreadable
    record), is labelled with its first row (the header is line 1).
    """
    from .rif import RifError, _numbered_claims

    after, number = 1, 0  # the row after the last claim read (1: the header)
    try:
        for first, last, item in _numbered_claims(path, payer=payer or "medicare"):
            number += 1
            if isinstance(item, RifError):
                yield Record(path, first, number, problem=_bounded(str(item)))
            else:
                yield Record(path, first, number, item)
            after = last + 1
    except HcpcsError as exc:  # not text, or a header without the RIF columns
        yield Record(path, after if number else 1, number + 1, problem=_bounded(str(exc)))
