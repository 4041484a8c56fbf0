"""Reader for CMS's HCPCS Level II alpha-numeric files: the fixed-width TXT file
and the XLSX workbook.

CMS publishes the Level II codes as ``HCPCyyyy_CONTR_ANWEB.txt`` (and
quarterly variants): Latin-1 text, CRLF line ends, a few disclaimer lines,
then 320-character records whose layout is in CMS's
``HCPCSyyyy_recordlayout.txt``.  From 2020 CMS also posts each quarterly
release as a workbook (``HCPC2020_OCT_anweb.xlsx``): one sheet, disclaimer rows,
then a header row (``HCPC``, ``SEQNUM``, ``RECID``, ``LONG DESCRIPTION`` ...)
and one row per record with the same fields.  The workbook is read with the
standard library alone (``zipfile`` and ``xml.etree.ElementTree``), so
reading it adds no dependency.  The record id (position 11, or the ``RECID``
column) says what a record holds:

* ``3``: the first line of a procedure code, with all its Medicare data;
* ``4``: the next 80 characters of that code's long description;
* ``7`` / ``8``: the same pair for a two-character modifier.

:func:`read_cms_records` returns one :class:`CmsRecord` per procedure *and*
per modifier, continuation lines joined with a space; modifiers carry
``is_modifier=True`` and their two-character code.  :func:`load_cms_file`
keeps the procedures only and turns each into a :class:`~hcpcs_home.codes.Code`.

Nothing in the file is skipped silently: a line after the disclaimers that is
not a record, a record cut short, an unreadable date or coverage code, or a
continuation with no first line raises :class:`~hcpcs_home.errors.InvalidFieldError`
whose ``field`` is ``"<file name>:<line number>"`` (``"<file name>:row <n>"`` in a
workbook).  A workbook that is cut short (not a whole ZIP archive), has no
``HCPC``/``RECID`` header row, or holds a row whose code is not a HCPCS code is
refused the same way.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
import zipfile
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ._read import read_at_most
from ._values import lazy_methods
from .bounds import MAX_DOCUMENT_BYTES
from .codes import BillingUnit, Code, CodeSet, Coverage
from .errors import InvalidFieldError
from .modifiers import Modifier

__all__ = [
    "CMS_PAGE",
    "CmsRecord",
    "cms_release_parts",
    "load_cms_file",
    "read_cms_records",
    "release_period",
    "release_tables",
    "unit_from_descriptor",
]


def __dir__() -> list[str]:
    return __all__


#: Positions (0-based slices) from CMS's 2019 record layout.
_CODE = slice(0, 5)
_SEQUENCE = slice(5, 10)
_RECORD_ID = 10
_LONG = slice(11, 91)
_SHORT = slice(91, 119)
_PRICING = slice(119, 127)
_COVERAGE = 229
_PROCESSING_NOTE = slice(252, 256)
_BETOS = slice(256, 259)
_TYPE_OF_SERVICE = slice(260, 265)
_ADDED = slice(268, 276)
_ACTION_EFFECTIVE = slice(276, 284)
_TERMINATED = slice(284, 292)
_ACTION = 292
#: A first line must reach the action code; later fields are filler.
_FIRST_LINE_LENGTH = _ACTION + 1

_RECORD_RE = re.compile(r"(?:[A-Z][0-9]{4}|   [A-Z0-9]{2})[0-9]{5}[3478]")


@attrs.frozen(slots=True)
@lazy_methods
class CmsRecord:
    """One procedure or modifier as the CMS file states it.

    :ivar code: the procedure code (``"G0151"``) or the two-character
        modifier (``"GP"``).
    :ivar is_modifier: whether this is a modifier (record ids 7/8).
    :ivar line: line number of the record's first line in the file.
    :ivar long_description: the long descriptor, continuation lines joined
        with a space.
    :ivar short_description: the 28-character short descriptor.
    :ivar pricing_indicators: the non-blank two-digit pricing indicators
        (``("00",)``: not separately priced by Part B).
    :ivar coverage: the Medicare coverage code, ``None`` if blank.
    :ivar processing_note: the four-digit processing note number, if any.
    :ivar betos: the BETOS classification (``"Y2"``), if any.
    :ivar type_of_service: the non-blank type-of-service codes (``("1",)``).
    :ivar added: date the code was added to HCPCS.
    :ivar action_effective: effective date of the latest action (for a
        discontinued code, the day after termination).
    :ivar terminated: last valid date, ``None`` while active.
    :ivar action_code: the latest action (``"A"`` add, ``"D"`` discontinue,
        ``"N"`` no maintenance, ...), if any.
    """

    code: str
    is_modifier: bool
    line: int
    long_description: str
    short_description: str
    pricing_indicators: tuple[str, ...]
    coverage: Coverage | None
    processing_note: str | None
    betos: str | None
    type_of_service: tuple[str, ...]
    added: _dt.date | None
    action_effective: _dt.date | None
    terminated: _dt.date | None
    action_code: str | None

    @property
    def medicare_accepts(self) -> bool:
        """Whether Medicare may accept the code (coverage ``C`` or ``D``)."""
        return self.coverage in (Coverage.CARRIER_JUDGMENT, Coverage.SPECIAL_INSTRUCTIONS)

    def to_code(self, source: str = "") -> Code:
        """The :class:`~hcpcs_home.codes.Code` this procedure record describes.

        The unit comes from :func:`unit_from_descriptor`; the discipline is
        left as :attr:`~hcpcs_home.codes.Discipline.OTHER` and credentials,
        settings and revenue codes empty, because the file does not state
        them (the shipped catalog curates them): the code has ``curated=False``.
        """
        if self.is_modifier:
            raise InvalidFieldError("code", self.code, "is a modifier, not a procedure code")
        unit, min_minutes = unit_from_descriptor(self.long_description)
        return Code(
            code=self.code,
            code_set=CodeSet.HCPCS,
            descriptor=self.long_description,
            unit=unit,
            min_minutes=min_minutes,
            medicare_accepts=self.medicare_accepts,
            coverage=self.coverage,
            processing_note=self.processing_note,
            effective=self.added or _dt.date(1900, 1, 1),
            terminated=self.terminated,
            source=source,
            curated=False,
        )

    def to_modifier(self) -> Modifier:
        """The :class:`~hcpcs_home.modifiers.Modifier` this modifier record describes."""
        if not self.is_modifier:
            raise InvalidFieldError("code", self.code, "is a procedure code, not a modifier")
        return Modifier(
            code=self.code,
            descriptor=self.long_description,
            short_descriptor=self.short_description,
            effective=self.added or _dt.date(1900, 1, 1),
            terminated=self.terminated,
            coverage=self.coverage,
        )


def read_cms_records(path: Any) -> list[CmsRecord]:
    """Every procedure and modifier record in a CMS HCPCS TXT or XLSX file, in file order.

    The format is told from the content (a workbook is a ZIP archive), not the
    file name.

    :raises InvalidFieldError: the file cannot be read, holds no records, or
        has a line (row) that is not a well-formed record (the error's ``field``
        names the file and line or row).
    """
    file = _as_path(path)
    try:
        data = read_at_most(file, MAX_DOCUMENT_BYTES)
    except (OSError, ValueError) as exc:
        raise InvalidFieldError("path", path, f"cannot be read: {exc}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidFieldError("path", path, f"is over {MAX_DOCUMENT_BYTES:,} bytes")
    if data[:4] == b"PK\x03\x04":
        return list(_parse_xlsx(data, file.name))
    return list(_parse(data.decode("latin-1"), file.name))


def load_cms_file(path: Any) -> Iterator[Code]:
    """Yield a :class:`~hcpcs_home.codes.Code` for every procedure code in a CMS HCPCS TXT or
    XLSX file.

    Modifiers are left out (use :func:`read_cms_records` for them).  The
    whole file is read and checked before the first code is yielded, so a
    bad file raises here rather than part way through a loop.

    :raises InvalidFieldError: see :func:`read_cms_records`.
    """
    records = read_cms_records(path)
    source = f"CMS HCPCS file {_as_path(path).name}"
    return (r.to_code(source) for r in records if not r.is_modifier)


def cms_release_parts(path: Any) -> tuple[str, list[Code], list[Modifier]]:
    """The file name, procedure codes and modifiers of a CMS HCPCS TXT or XLSX file.

    What :meth:`hcpcs_home.catalog.Release.from_cms_file` builds a release from.

    :raises InvalidFieldError: see :func:`read_cms_records`.
    """
    records = read_cms_records(path)
    name = _as_path(path).name
    source = f"CMS HCPCS file {name}"
    codes = [r.to_code(source) for r in records if not r.is_modifier]
    modifiers = [r.to_modifier() for r in records if r.is_modifier]
    return name, codes, modifiers


def _as_path(path: Any) -> Path:
    # Integers would open a file descriptor; accept only real path types.
    if not isinstance(path, (str, bytes, os.PathLike)):
        raise InvalidFieldError("path", path, "is not a file path")
    try:
        return Path(os.fsdecode(path))
    except (TypeError, ValueError) as exc:
        raise InvalidFieldError("path", path, f"is not a file path: {exc}") from None


def _parse(text: str, name: str) -> Iterator[CmsRecord]:
    started = False
    pending: dict[str, Any] | None = None
    parts: list[str] = []
    # Split on line feeds only: str.splitlines() would also break at \x85,
    # \x1c and friends, which Latin-1 text may contain inside a field.
    for number, raw in enumerate(text.split("\n"), start=1):
        line = raw.rstrip("\r")
        if not line.strip():
            continue
        if not _RECORD_RE.match(line):
            if started:
                raise _error(name, number, line, "is not a HCPCS record")
            continue  # the disclaimer lines before the first record
        started = True
        record_id = line[_RECORD_ID]
        code = line[_CODE].strip()
        if record_id in "48":
            if (
                pending is None
                or pending["code"] != code
                or pending["is_modifier"] != (record_id == "8")
            ):
                raise _error(name, number, line, "continues a record that does not precede it")
            parts.append(line[_LONG].strip())
            continue
        if pending is not None:
            yield _finish(pending, parts)
        pending = _first_line(line, name, number, code, record_id == "7")
        parts = [line[_LONG].strip()]
    if pending is not None:
        yield _finish(pending, parts)
    if not started:
        raise InvalidFieldError(name, "", "holds no HCPCS records: not a CMS HCPCS TXT file")


def _finish(fields: dict[str, Any], parts: list[str]) -> CmsRecord:
    return CmsRecord(long_description=" ".join(p for p in parts if p), **fields)


def _first_line(line: str, name: str, number: int, code: str, modifier: bool) -> dict[str, Any]:
    if len(line) < _FIRST_LINE_LENGTH:
        raise _error(
            name,
            number,
            line,
            f"is {len(line)} characters long, fewer than the {_FIRST_LINE_LENGTH} a "
            "first record line needs (truncated record)",
        )
    coverage_text = line[_COVERAGE].strip()
    try:
        coverage = Coverage(coverage_text) if coverage_text else None
    except ValueError:
        raise _error(name, number, line, f"has unknown coverage code {coverage_text!r}") from None
    return {
        "code": code,
        "is_modifier": modifier,
        "line": number,
        "short_description": line[_SHORT].strip(),
        "pricing_indicators": _chunks(line[_PRICING], 2),
        "coverage": coverage,
        "processing_note": line[_PROCESSING_NOTE].strip() or None,
        "betos": line[_BETOS].strip() or None,
        "type_of_service": _chunks(line[_TYPE_OF_SERVICE], 1),
        "added": _date(line, _ADDED, name, number),
        "action_effective": _date(line, _ACTION_EFFECTIVE, name, number),
        "terminated": _date(line, _TERMINATED, name, number),
        "action_code": line[_ACTION].strip() or None,
    }


def _chunks(text: str, size: int) -> tuple[str, ...]:
    pieces = (text[i : i + size].strip() for i in range(0, len(text), size))
    return tuple(p for p in pieces if p)


def _yyyymmdd(text: str) -> _dt.date:
    """A CMS date (``20200101``); :class:`ValueError` for anything else."""
    if len(text) != 8 or not text.isdigit():
        raise ValueError(text)
    return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))


def _date(line: str, where: slice, name: str, number: int) -> _dt.date | None:
    text = line[where].strip()
    if not text:
        return None
    try:
        return _yyyymmdd(text)
    except ValueError:
        raise _error(
            name, number, line, f"has an unreadable date {text!r} at {where.start + 1}"
        ) from None


def _error(name: str, number: int | str, line: str, reason: str) -> InvalidFieldError:
    shown = line[:40] + ("..." if len(line) > 40 else "")
    return InvalidFieldError(f"{name}:{number}", shown, reason)


# --- the XLSX workbook ---------------------------------------------------------

_SHEET_NS = "{http://schemas.openxmlformats.org/spreadsheetml/2006/main}"
_REL_NS = "{http://schemas.openxmlformats.org/officeDocument/2006/relationships}"
#: Bounds on what a workbook may unpack to: CMS's 2020 sheet is 4.7 MB and its
#: shared strings 1.3 MB; a member past these is not a HCPCS file (or is a ZIP bomb).
_MAX_MEMBER = 64 * 1024 * 1024
_MAX_ROWS = 200_000
#: The workbook columns the reader needs, and the optional ones it reads when present.
_XLSX_REQUIRED = ("HCPC", "RECID", "LONG DESCRIPTION", "SHORT DESCRIPTION", "COV", "ADD DT")
_XLSX_CODE_RE = re.compile(r"[A-Z][0-9]{4}|   [A-Z0-9]{2}")
_CELL_REF_RE = re.compile(r"([A-Z]{1,3})([0-9]+)")


def _parse_xlsx(data: bytes, name: str) -> Iterator[CmsRecord]:
    """The records of CMS's workbook: the rows after the header row, in order."""
    import io
    from xml.etree import ElementTree

    try:
        with zipfile.ZipFile(io.BytesIO(data)) as book:
            strings = _shared_strings(book, name)
            sheet = _first_sheet(book, name)
            rows = _sheet_rows(_member(book, sheet, name), strings, name)
            yield from _xlsx_records(rows, name)
    except (zipfile.BadZipFile, EOFError, ElementTree.ParseError, KeyError) as exc:
        raise InvalidFieldError(
            name, "", f"is not a readable XLSX workbook (truncated or damaged: {exc})"
        ) from None


def _member(book: zipfile.ZipFile, member: str, name: str) -> bytes:
    info = book.getinfo(member)
    if info.file_size > _MAX_MEMBER:
        raise InvalidFieldError(
            name, member, f"unpacks to {info.file_size:,} bytes, more than {_MAX_MEMBER:,}"
        )
    return book.read(member)


def _shared_strings(book: zipfile.ZipFile, name: str) -> list[str]:
    from xml.etree import ElementTree

    if "xl/sharedStrings.xml" not in book.namelist():
        return []
    root = ElementTree.fromstring(_member(book, "xl/sharedStrings.xml", name))
    return ["".join(t.text or "" for t in si.iter(f"{_SHEET_NS}t")) for si in root]


def _first_sheet(book: zipfile.ZipFile, name: str) -> str:
    """The member holding the workbook's first sheet (through the workbook's relationships)."""
    from xml.etree import ElementTree

    workbook = ElementTree.fromstring(_member(book, "xl/workbook.xml", name))
    sheet = workbook.find(f"{_SHEET_NS}sheets/{_SHEET_NS}sheet")
    if sheet is None:
        raise InvalidFieldError(name, "", "is a workbook without a sheet")
    rel_id = sheet.get(f"{_REL_NS}id")
    rels = ElementTree.fromstring(_member(book, "xl/_rels/workbook.xml.rels", name))
    for rel in rels:
        if rel.get("Id") == rel_id:
            target = rel.get("Target", "")
            return target.lstrip("/") if target.startswith("/") else f"xl/{target}"
    raise InvalidFieldError(name, rel_id, "names a sheet the workbook does not hold")


def _column(letters: str) -> int:
    number = 0
    for ch in letters:
        number = number * 26 + ord(ch) - 64
    return number - 1


def _sheet_rows(
    sheet: bytes, strings: list[str], name: str
) -> Iterator[tuple[int, dict[int, str]]]:
    """``(row number, {column index: text})`` for every row of the sheet."""
    from xml.etree import ElementTree

    root = ElementTree.fromstring(sheet)
    data = root.find(f"{_SHEET_NS}sheetData")
    if data is None:
        raise InvalidFieldError(name, "", "is a workbook whose sheet has no data")
    for count, row in enumerate(data, start=1):
        if count > _MAX_ROWS:
            raise InvalidFieldError(name, count, f"has more than {_MAX_ROWS:,} rows")
        number = int(row.get("r") or count)
        cells: dict[int, str] = {}
        for position, cell in enumerate(row):
            ref = _CELL_REF_RE.fullmatch(cell.get("r") or "")
            column = _column(ref.group(1)) if ref else position
            kind = cell.get("t")
            value = cell.find(f"{_SHEET_NS}v")
            if kind == "inlineStr":
                text = "".join(t.text or "" for t in cell.iter(f"{_SHEET_NS}t"))
            elif value is None or value.text is None:
                continue
            elif kind == "s":
                index = int(value.text)
                if not 0 <= index < len(strings):
                    raise InvalidFieldError(
                        f"{name}:row {number}", value.text, "names a shared string not in the file"
                    )
                text = strings[index]
            else:
                text = value.text
                if kind in (None, "n") and text.endswith(".0"):
                    text = text[:-2]  # a date typed as a number: 20200101.0
            cells[column] = text
        yield number, cells


def _xlsx_records(rows: Iterator[tuple[int, dict[int, str]]], name: str) -> Iterator[CmsRecord]:
    header: dict[str, int] | None = None
    pending: dict[str, Any] | None = None
    parts: list[str] = []
    for number, cells in rows:
        if header is None:
            titles = {text.strip().upper(): col for col, text in cells.items()}
            if "HCPC" in titles and "RECID" in titles:
                missing = [c for c in _XLSX_REQUIRED if c not in titles]
                if missing:
                    raise InvalidFieldError(
                        f"{name}:row {number}",
                        sorted(titles),
                        f"is a header row without the columns {missing}: not a CMS HCPCS "
                        "workbook layout",
                    )
                header = titles
            continue
        if not any(text.strip() for text in cells.values()):
            continue
        row = {title: cells.get(col, "") for title, col in header.items()}
        raw_code = row["HCPC"].rstrip()
        record_id = row["RECID"].strip()
        shown = "\t".join(v for v in (raw_code, record_id, row["LONG DESCRIPTION"]) if v)
        if record_id not in ("3", "4", "7", "8") or not _XLSX_CODE_RE.fullmatch(raw_code.rjust(5)):
            raise _error(name, f"row {number}", shown, "is not a HCPCS record")
        code = raw_code.strip()
        modifier = record_id in "78"
        if modifier != (len(code) == 2):
            raise _error(name, f"row {number}", shown, "is not a HCPCS record")
        if record_id in "48":
            if pending is None or pending["code"] != code or pending["is_modifier"] != modifier:
                raise _error(
                    name, f"row {number}", shown, "continues a record that does not precede it"
                )
            parts.append(row["LONG DESCRIPTION"].strip())
            continue
        if pending is not None:
            yield _finish(pending, parts)
        pending = _xlsx_first_row(row, name, number, code, modifier, shown)
        parts = [row["LONG DESCRIPTION"].strip()]
    if pending is not None:
        yield _finish(pending, parts)
    if header is None:
        raise InvalidFieldError(
            name, "", "has no header row with HCPC and RECID: not a CMS HCPCS workbook"
        )
    if pending is None:
        raise InvalidFieldError(name, "", "holds no HCPCS records: not a CMS HCPCS workbook")


def _xlsx_first_row(
    row: dict[str, str], name: str, number: int, code: str, modifier: bool, shown: str
) -> dict[str, Any]:
    where = f"row {number}"
    coverage_text = row["COV"].strip()
    try:
        coverage = Coverage(coverage_text) if coverage_text else None
    except ValueError:
        raise _error(name, where, shown, f"has unknown coverage code {coverage_text!r}") from None

    def date(title: str) -> _dt.date | None:
        text = row.get(title, "").strip()
        if not text:
            return None
        try:
            return _yyyymmdd(text)
        except ValueError:
            raise _error(name, where, shown, f"has an unreadable {title} {text!r}") from None

    def joined(prefix: str, count: int) -> tuple[str, ...]:
        values = (row.get(f"{prefix}{i}", "").strip() for i in range(1, count + 1))
        return tuple(v for v in values if v)

    return {
        "code": code,
        "is_modifier": modifier,
        "line": number,
        "short_description": row["SHORT DESCRIPTION"].strip(),
        "pricing_indicators": joined("PRICE", 4),
        "coverage": coverage,
        "processing_note": row.get("PROCNOTE", "").strip() or None,
        "betos": row.get("BETOS", "").strip() or None,
        "type_of_service": joined("TOS", 5),
        "added": date("ADD DT"),
        "action_effective": date("ACT EFF DT"),
        "terminated": date("TERM DT"),
        "action_code": row.get("ACTION CD", "").strip() or None,
    }


# --- the unit a descriptor implies -----------------------------------------

#: Parentheticals that steer use of the code ("do not use this code with any
#: per diem code") rather than define it; a session minimum is read first.
_PAREN_RE = re.compile(r"\([^()]*\)")
_SESSION_MIN_RE = re.compile(r"per session \((\d+) minutes or more\)")
_UNIT_PATTERNS: tuple[tuple[re.Pattern[str], BillingUnit], ...] = (
    (re.compile(r"\bup to 15 minutes\b"), BillingUnit.UP_TO_FIFTEEN_MINUTES),
    (re.compile(r"\b(?:each|per) 15 minutes\b"), BillingUnit.FIFTEEN_MINUTES),
    (re.compile(r"\b(?:each|per) minute\b"), BillingUnit.MINUTE),
    (re.compile(r"\bper half day\b"), BillingUnit.HALF_DAY),
    (re.compile(r"\b(?:each|per) hour\b"), BillingUnit.HOUR),
    (re.compile(r"\bper (?:diem|day)\b"), BillingUnit.DAY),
    (re.compile(r"\bper (?:calendar )?month\b"), BillingUnit.MONTH),
    (re.compile(r"\bper session\b"), BillingUnit.SESSION),
    (re.compile(r"\bper (?:visit|encounter)\b"), BillingUnit.VISIT),
)


def unit_from_descriptor(descriptor: str) -> tuple[BillingUnit, int | None]:
    """The billing unit and minimum minutes a CMS long descriptor implies.

    The unit is read from the main clause: parenthetical remarks are dropped
    first, so S9810's "(do not use this code with any per diem code)" does not
    make it a per diem code.  When several unit phrases remain, the last one
    wins (CMS puts the unit at the end).  Fifteen-minute codes get
    ``min_minutes=8``; "per session (45 minutes or more)" gets the stated
    minimum.  A descriptor without a recognised unit phrase is
    :attr:`~hcpcs_home.codes.BillingUnit.UNTIMED` (one unit per service, item or
    occasion), including "per meal", "per service" and other counts.

    >>> unit_from_descriptor("Home therapy; ..., per hour (do not use with any per diem code)")
    (<BillingUnit.HOUR: 'hour'>, None)
    >>> unit_from_descriptor("Services of home health/hospice aide ..., each 15 minutes")
    (<BillingUnit.FIFTEEN_MINUTES: '15 minutes'>, 8)
    """
    text = " ".join(descriptor.lower().split())
    session = _SESSION_MIN_RE.search(text)
    main = text
    while True:
        stripped = _PAREN_RE.sub(" ", main)
        if stripped == main:
            break
        main = stripped
    best: tuple[int, BillingUnit] | None = None
    for pattern, unit in _UNIT_PATTERNS:
        for match in pattern.finditer(main):
            if best is None or match.start() > best[0]:
                best = (match.start(), unit)
    if best is None:
        return BillingUnit.UNTIMED, None
    unit = best[1]
    if unit is BillingUnit.FIFTEEN_MINUTES:
        return unit, 8
    if unit is BillingUnit.SESSION and session is not None:
        return unit, int(session.group(1))
    return unit, None


# --- a release as the package's compact tables ----------------------------------

CMS_PAGE = "https://www.cms.gov/Medicare/Coding/HCPCSReleaseCodeSets/Alpha-Numeric-HCPCS"
"""CMS's "Alpha-Numeric HCPCS" page, where every release file is posted."""

#: The months CMS posts quarterly releases in, as they appear in the file names.
_QUARTERS = {"JAN": 1, "APR": 4, "JUL": 7, "OCT": 10}
_FILE_NAME_RE = re.compile(r"HCPC(?:S)?(20\d\d|\d\d)[_ ]?(JAN|APR|JUL|OCT)?", re.IGNORECASE)
_MONTH_NAMES = {1: "January", 4: "April", 7: "July", 10: "October"}


def release_period(file_name: str, records: list[CmsRecord]) -> tuple[str, _dt.date, _dt.date]:
    """The name a CMS file's release goes by, and the dates of service it is current for.

    CMS updates the code set each quarter (January, April, July, October); a
    release is current from the first day of its quarter to the day before
    the next.  The quarter comes from the file name (``HCPC2020_OCT_anweb.xlsx``:
    ``"2020 October quarterly"``, 2020-10-01 to 2020-12-31; ``HCPC2020_ANWEB...``
    without a month is the January annual release, current to 2020-03-31); a
    file named otherwise is placed in the quarter of the latest date it states.

    >>> release_period("HCPC2020_OCT_anweb.xlsx", [])
    ('2020 October quarterly', datetime.date(2020, 10, 1), datetime.date(2020, 12, 31))
    """
    match = _FILE_NAME_RE.search(file_name)
    if match:
        year = int(match.group(1))
        year = year + 2000 if year < 100 else year
        month = _QUARTERS[match.group(2).upper()] if match.group(2) else 1
        kind = "annual" if month == 1 and not match.group(2) else "quarterly"
        name = f"{year} annual" if kind == "annual" else f"{year} {_MONTH_NAMES[month]} {kind}"
    else:
        dates = [d for r in records for d in (r.added, r.action_effective) if d is not None]
        if not dates:
            raise InvalidFieldError(file_name, "", "states no date to place its release by")
        latest = max(dates)
        year, month = latest.year, (latest.month - 1) // 3 * 3 + 1
        name = f"{file_name} ({year} {_MONTH_NAMES[month]} quarter)"
    start = _dt.date(year, month, 1)
    end = _dt.date(year, 12, 31) if month == 10 else _dt.date(year, month + 3, 1) - _dt.timedelta(1)
    return name, start, end


def _cell(text: str) -> str:
    """A descriptor as one table cell: a tab or line break in a workbook cell becomes a space."""
    return text.translate(_CELL_BREAKS)


_CELL_BREAKS = str.maketrans("\t\r\n", "   ")


def _iso(value: _dt.date | None) -> str:
    return value.isoformat() if value else ""


def _table_header(
    kind: str, source: str, release: str, published: str, current: str, columns: str
) -> list[str]:
    return [
        f"# hcpcs_home validity layer: every HCPCS Level II {kind} of one CMS release.",
        f"# source: CMS HCPCS Level II alpha-numeric file {source} ({CMS_PAGE}); public domain.",
        f"# release: {release}",
        f"# published: {published}",
        f"# current: {current}",
        "# Built by tools/build_release.py or 'hcpcs-home catalog load' from the CMS file; "
        "do not edit by hand.",
        f"# columns: {columns}",
    ]


def release_tables(
    records: list[CmsRecord],
    source: str,
    release: str,
    published: _dt.date | None,
    current: tuple[_dt.date, _dt.date],
) -> dict[str, str]:
    """The text of the validity layer's two tables for a CMS file's records, by table name.

    ``release_codes.tsv`` has one row per procedure code (its added and
    termination dates, latest action, coverage, processing note, the unit its
    long descriptor implies and its short descriptor); ``release_modifiers.tsv``
    one row per modifier with its long descriptor.  The header names the file
    (``source``), the release, its publication date and the dates of service it
    is current for (``current``: first and last).
    """
    period = f"{current[0].isoformat()} to {current[1].isoformat()}"
    codes = _table_header(
        "procedure code",
        source,
        release,
        _iso(published),
        period,
        "added and terminated (ISO dates; terminated blank while active), CMS action code, "
        "coverage code, processing note, unit implied by the long descriptor (blank: untimed) "
        "and its minimum minutes, CMS short descriptor",
    )
    codes.append("code\tadded\tterminated\taction\tcoverage\tnote\tunit\tmin\tshort")
    modifiers = _table_header(
        "modifier",
        source,
        release,
        _iso(published),
        period,
        "added, terminated, CMS action code, coverage code, short and long descriptors",
    )
    modifiers.append("modifier\tadded\tterminated\taction\tcoverage\tshort\tdescriptor")
    for r in records:
        coverage = r.coverage.value if r.coverage else ""
        common = [r.code, _iso(r.added), _iso(r.terminated), r.action_code or "", coverage]
        if r.is_modifier:
            texts = (_cell(r.short_description), _cell(r.long_description))
            modifiers.append("\t".join([*common, *texts]))
            continue
        unit, minimum = unit_from_descriptor(r.long_description)
        codes.append(
            "\t".join(
                [
                    *common,
                    r.processing_note or "",
                    "" if unit is BillingUnit.UNTIMED else unit.name,
                    "" if minimum is None else str(minimum),
                    _cell(r.short_description),
                ]
            )
        )
    return {
        "release_codes.tsv": "\n".join(codes) + "\n",
        "release_modifiers.tsv": "\n".join(modifiers) + "\n",
    }
