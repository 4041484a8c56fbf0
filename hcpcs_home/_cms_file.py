"""Reader for CMS's HCPCS Level II alpha-numeric fixed-width TXT file.

CMS publishes the Level II codes as ``HCPCyyyy_CONTR_ANWEB.txt`` (and
quarterly variants): Latin-1 text, CRLF line ends, a few disclaimer lines,
then 320-character records whose layout is in CMS's
``HCPCSyyyy_recordlayout.txt``.  The record id in position 11 says what a
record holds:

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
whose ``field`` is ``"<file name>:<line number>"``.
"""

from __future__ import annotations

import datetime as _dt
import os
import re
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs

from ._read import read_at_most
from .bounds import MAX_DOCUMENT_BYTES
from .codes import BillingUnit, Code, CodeSet, Coverage
from .errors import InvalidFieldError
from .modifiers import Modifier

__all__ = [
    "CmsRecord",
    "cms_release_parts",
    "load_cms_file",
    "read_cms_records",
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
    """Every procedure and modifier record in a CMS HCPCS TXT file, in file order.

    :raises InvalidFieldError: the file cannot be read, holds no records, or
        has a line that is not a well-formed record (the error's ``field``
        names the file and line).
    """
    file = _as_path(path)
    try:
        data = read_at_most(file, MAX_DOCUMENT_BYTES)
    except (OSError, ValueError) as exc:
        raise InvalidFieldError("path", path, f"cannot be read: {exc}") from None
    if len(data) > MAX_DOCUMENT_BYTES:
        raise InvalidFieldError("path", path, f"is over {MAX_DOCUMENT_BYTES:,} bytes")
    text = data.decode("latin-1")
    return list(_parse(text, file.name))


def load_cms_file(path: Any) -> Iterator[Code]:
    """Yield a :class:`~hcpcs_home.codes.Code` for every procedure code in a CMS HCPCS TXT file.

    Modifiers are left out (use :func:`read_cms_records` for them).  The
    whole file is read and checked before the first code is yielded, so a
    bad file raises here rather than part way through a loop.

    :raises InvalidFieldError: see :func:`read_cms_records`.
    """
    records = read_cms_records(path)
    source = f"CMS HCPCS file {_as_path(path).name}"
    return (r.to_code(source) for r in records if not r.is_modifier)


def cms_release_parts(path: Any) -> tuple[str, list[Code], list[Modifier]]:
    """The file name, procedure codes and modifiers of a CMS HCPCS TXT file.

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


def _date(line: str, where: slice, name: str, number: int) -> _dt.date | None:
    text = line[where].strip()
    if not text:
        return None
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        return _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        raise _error(
            name, number, line, f"has an unreadable date {text!r} at {where.start + 1}"
        ) from None


def _error(name: str, number: int, line: str, reason: str) -> InvalidFieldError:
    shown = line[:40] + ("..." if len(line) > 40 else "")
    return InvalidFieldError(f"{name}:{number}", shown, reason)


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
