"""Payer edits as data: :func:`load_edits` reads a CSV or TSV file of edit rows.

CMS ships its claim edits as rows with an effective range and a disposition
(the I/OCE tables, the NCCI MUE and PTP files); a billing team writes the
edits of its payers the same way, one row each, and adds them to the default
rules without writing Python::

    id,payer,codes,bill_types,required_modifiers,max_units_day,effective_from,source
    tx-t1019-u1,tx-medicaid-cshcn,T1019,837P,U1,24,2024-01-01,TMHP TMPPM personal care services §4

Columns (a header row names them, in any order; only ``id``, ``codes`` and
``source`` are required; list cells hold values separated by spaces, commas
inside quotes, ``;`` or ``|``):

``id``
    kebab-case id of the edit; the rules it makes are ``<id>`` where the row
    sets one limit, else ``<id>-<kind>`` for each (kinds below).
``payer``
    the payer ids or kinds (``medicare``, ``medicaid``, ``commercial`` ...) it is
    for; empty for every payer.
``codes``
    the HCPCS/CPT codes it applies to.
``bill_types``
    types of bill it applies to (``0329``, ``032X``, ``837P`` for professional
    claims); empty for all.
``required_modifiers``, ``any_modifiers``, ``forbidden_modifiers``
    modifiers the line must all carry, must carry at least one of (``TD TE``:
    the nurse's credential modifier), or must not carry (kinds
    ``modifier-required``, ``modifier-any``, ``modifier-forbidden``).
``max_units_line``, ``max_units_day``, ``max_units_week``, ``max_units_month``
    the most units of these codes on one line, or summed over a day, a week
    (from ``week_start``, default ``sunday``) or a calendar month on the claim
    (kinds ``units-line``, ``units-day``, ``units-week``, ``units-month``).
``not_with`` (``not-with``)
    codes this code is not billed with on the same date.
``effective_from``, ``effective_through``
    the dates of service it applies to (ISO dates; empty for open-ended).
``severity``
    ``error`` (default), ``warning`` or ``info``.
``message``
    the finding's text, with ``{code}``, ``{date}``, ``{units}``, ``{payer}``
    placeholders; a message naming the limit is written where empty.
``source``
    the public document the edit comes from (payer manual, section, URL).

Every bad cell of the file is reported at once, by row number (the header is
row 1) and column, in one :class:`~hcpcs_home.errors.EditFileError`.
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from ._engine import Predicate, Rule, RuleSet, Scope, Severity
from ._read import read_at_most
from .errors import EditFileError, HcpcsError
from .rules import DEFAULT_RULES, VOCABULARY
from .rules import edits as _family

__all__ = ["COLUMNS", "MAX_FILE_BYTES", "MAX_ROWS", "load_edits", "rules_from_rows"]


def __dir__() -> list[str]:
    return __all__


#: Every column an edit file may have, in the documented order.
COLUMNS = (
    "id",
    "payer",
    "codes",
    "bill_types",
    "required_modifiers",
    "any_modifiers",
    "forbidden_modifiers",
    "max_units_line",
    "max_units_day",
    "max_units_week",
    "max_units_month",
    "not_with",
    "week_start",
    "effective_from",
    "effective_through",
    "severity",
    "message",
    "source",
)
_REQUIRED = ("id", "codes", "source")
#: The largest edit file read, in bytes (counted as it is read: a device or pipe has no size).
MAX_FILE_BYTES = 10_000_000
#: The most rows an edit file may have.
MAX_ROWS = 100_000
_MAX_CELL = 2_000
_MAX_LIST = 1_000
_FIRST_DATE, _LAST_DATE = _dt.date(1900, 1, 1), _dt.date(2099, 12, 31)


def load_edits(path: str | Path, *, base: RuleSet | None = None) -> RuleSet:
    """The rules of the payer edit file at ``path`` (CSV, or TSV for ``.tsv`` and
    ``.tab`` files), added to ``base`` (the default rules where ``None``; pass
    ``RuleSet()`` for the edits alone).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "edits.csv"
    >>> _ = path.write_text(
    ...     "id,payer,codes,max_units_day,source\\n"
    ...     "acme-t1019-day,medicaid,T1019,32,Acme Medicaid plan manual 4.2\\n")
    >>> rules = load_edits(path)
    >>> len(rules) - len(load_edits(path, base=RuleSet())) == len(DEFAULT_RULES)
    True
    >>> rules["acme-t1019-day"].payers
    frozenset({'medicaid'})

    :raises EditFileError: the file cannot be read, or has bad rows (all of them
        reported, each with its row number and column).
    """
    where = str(path)
    try:
        raw = read_at_most(path, MAX_FILE_BYTES)
    except (OSError, ValueError) as exc:  # ValueError: a NUL in the path
        reason = getattr(exc, "strerror", None) or str(exc)
        raise EditFileError(where, [(0, "file", f"cannot be read: {reason}")]) from None
    if len(raw) > MAX_FILE_BYTES:
        raise EditFileError(where, [(0, "file", f"is over {MAX_FILE_BYTES:,} bytes")])
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise EditFileError(where, [(0, "file", f"is not UTF-8 text: {exc.reason}")]) from None
    delimiter = "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","
    rules = rules_from_rows(_rows(text, delimiter, where), where)
    chosen = DEFAULT_RULES if base is None else base
    try:
        return RuleSet(chosen.rules + rules, chosen.name, chosen.vocabulary | VOCABULARY)
    except HcpcsError as exc:
        raise EditFileError(where, [(0, "id", str(exc))]) from None


def _rows(text: str, delimiter: str, where: str) -> list[dict[str, str]]:
    if "\x00" in text:
        raise EditFileError(where, [(0, "file", "holds a NUL character")])
    reader = csv.reader(io.StringIO(text, newline=""), delimiter=delimiter, strict=True)
    try:
        header = next(reader, None)
        if header is None:
            raise EditFileError(where, [(1, "header", "the file is empty")])
        names = [h.strip().lower() for h in header]
        problems = [(1, n or "(blank)", "is not an edit column") for n in names if n not in COLUMNS]
        problems += [(1, n, "is missing") for n in _REQUIRED if n not in names]
        problems += [(1, n, "appears twice") for n in sorted(set(names)) if names.count(n) > 1]
        if problems:
            raise EditFileError(where, problems)
        rows: list[dict[str, str]] = []
        for cells in reader:
            if len(rows) >= MAX_ROWS:
                raise EditFileError(where, [(reader.line_num, "file", f"over {MAX_ROWS} rows")])
            if not any(c.strip() for c in cells):
                rows.append({})  # a blank row keeps its number and is skipped
                continue
            row = {"__row__": str(reader.line_num)}
            if len(cells) > len(names):
                row["__extra__"] = "1"
            row.update(zip(names, cells, strict=False))
            rows.append(row)
    except csv.Error as exc:
        raise EditFileError(
            where, [(reader.line_num, "file", f"is not {_kind(delimiter)}: {exc}")]
        ) from None
    return rows


def _kind(delimiter: str) -> str:
    return "TSV" if delimiter == "\t" else "CSV"


def rules_from_rows(rows: Iterable[dict[str, str]], where: str = "edits") -> tuple[Rule, ...]:
    """The rules of edit rows given as dictionaries of column to cell text (what
    :func:`load_edits` reads from a file; a database or an API may give the same).

    :raises EditFileError: every bad cell, with its row number and column.
    """
    rules: list[Rule] = []
    problems: list[tuple[int, str, str]] = []
    made_by: dict[str, int] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        n = int(row.get("__row__", number))
        if "__extra__" in row:
            problems.append((n, "row", "has more cells than the header has columns"))
            continue
        cells = {k: v for k, v in row.items() if not k.startswith("__")}
        for rule in _row_rules(cells, n, problems):
            if rule.id in made_by:
                problems.append((n, "id", f"{rule.id!r} is made by row {made_by[rule.id]} too"))
            made_by.setdefault(rule.id, n)
            rules.append(rule)
    if problems:
        raise EditFileError(where, problems)
    return tuple(rules)


class _Row:
    """One row's cells, read and checked one column at a time; problems pile up."""

    def __init__(self, cells: dict[str, str], number: int, problems: list[Any]) -> None:
        self.cells = cells
        self.number = number
        self.problems = problems

    def bad(self, column: str, what: str) -> None:
        self.problems.append((self.number, column, what))

    def text(self, column: str) -> str:
        value = (self.cells.get(column) or "").strip()
        if len(value) > _MAX_CELL:
            self.bad(column, f"is over {_MAX_CELL} characters")
            return ""
        if not value.isprintable():
            self.bad(column, "holds a control character")
            return ""
        return value

    def items(self, column: str) -> list[str]:
        text = self.text(column)
        for sep in ",;|":
            text = text.replace(sep, " ")
        values = text.upper().split()
        if len(values) > _MAX_LIST:
            self.bad(column, f"lists over {_MAX_LIST} values")
            return []
        for v in values:
            if not v.isascii() or not v.replace("-", "").isalnum() or len(v) > 20:
                self.bad(column, f"{v!r} is not a code, modifier or id")
                return []
        return values

    def count(self, column: str) -> int | None:
        text = self.text(column)
        if not text:
            return None
        if len(text) > 7 or not text.isascii() or not text.isdigit():
            self.bad(column, f"{text!r} is not a whole number of units (0 to 9,999,999)")
            return None
        return int(text)

    def date(self, column: str) -> _dt.date | None:
        text = self.text(column)
        if not text:
            return None
        try:
            if len(text) != 10:
                raise ValueError
            day = _dt.date.fromisoformat(text)
        except ValueError:
            self.bad(column, f"{text!r} is not a date as YYYY-MM-DD")
            return None
        if not _FIRST_DATE <= day <= _LAST_DATE:
            self.bad(column, f"{text} is outside {_FIRST_DATE} to {_LAST_DATE}")
            return None
        return day


def _row_rules(cells: dict[str, str], number: int, problems: list[Any]) -> list[Rule]:
    row = _Row(cells, number, problems)
    # Only this row's problems are looked at (problems[before:]): scanning the whole
    # list on every row made a file of many bad rows quadratic.
    before = len(problems)
    edit_id = row.text("id").lower()
    if not edit_id or not edit_id.isascii() or not all(c.isalnum() or c == "-" for c in edit_id):
        row.bad("id", f"{edit_id!r} is not a kebab-case id (letters, digits, '-')")
    codes = row.items("codes")
    if not codes and not any(p[1] == "codes" for p in problems[before:]):
        row.bad("codes", "is empty: name the codes the edit applies to")
    source = row.text("source")
    if not source:
        row.bad("source", "is empty: name the public document the edit comes from")
    payers = [p.lower() for p in row.items("payer")]
    bill_types = row.items("bill_types")
    for bt in bill_types:
        if bt != "837P" and (len(bt) != 4 or not all(c.isdigit() or c == "X" for c in bt)):
            row.bad("bill_types", f"{bt!r} is not like '0329', '032X' or '837P'")
    severity = row.text("severity").lower() or "error"
    if severity not in {s.value for s in Severity}:
        row.bad("severity", f"{severity!r} is not error, warning or info")
    week_start = row.text("week_start").lower() or "sunday"
    if week_start not in _family.WEEKDAYS:
        row.bad("week_start", f"{week_start!r} is not a day of the week")
        week_start = "sunday"  # reported; the other cells are still checked
    start, end = row.date("effective_from"), row.date("effective_through")
    if start and end and end < start:
        row.bad("effective_through", f"{end} is before effective_from {start}")
    message = row.text("message")
    limits = _limits(row, codes, week_start)
    if not limits and len(problems) == before:
        row.bad(
            "row", "sets no limit: fill at least one of the modifier, units or not_with columns"
        )
    if len(problems) > before:
        return []
    p = VOCABULARY.predicate
    scope: Predicate = p("code_in", codes=codes)
    if bill_types:
        scope = scope & p("bill_type_matches", patterns=bill_types)
    made = []
    for kind, when, default_message in limits:
        rule_id = edit_id if len(limits) == 1 else f"{edit_id}-{kind}"
        try:
            made.append(
                Rule(
                    rule_id,
                    severity,
                    message or default_message,
                    source,
                    scope & when,
                    field="modifiers" if kind.startswith("modifier") else "units",
                    scope=Scope.LINE,
                    effective_from=start,
                    effective_through=end,
                    payers=payers,
                    description=f"Payer edit {edit_id} ({kind}): {default_message}",
                )
            )
        except HcpcsError as exc:
            row.bad("message" if message else "id", str(exc))
    return made


_Limit = tuple[str, Predicate, str]


def _limits(row: _Row, codes: Sequence[str], week_start: str) -> list[_Limit]:
    p = VOCABULARY.predicate
    out: list[_Limit] = []
    required = row.items("required_modifiers")
    if required:
        out.append(
            (
                "modifier-required",
                p("modifiers_missing", modifiers=required),
                f"{{code}} on {{date}} needs modifier(s) {' '.join(required)} for {{payer}}",
            )
        )
    one_of = row.items("any_modifiers")
    if one_of:
        out.append(
            (
                "modifier-any",
                ~p("has_modifier", modifiers=one_of),
                f"{{code}} on {{date}} needs one of {' or '.join(one_of)} for {{payer}}",
            )
        )
    forbidden = row.items("forbidden_modifiers")
    if forbidden:
        out.append(
            (
                "modifier-forbidden",
                p("has_modifier", modifiers=forbidden),
                f"{{code}} on {{date}} may not carry {' or '.join(forbidden)} for {{payer}}",
            )
        )
    line_max = row.count("max_units_line")
    if line_max is not None:
        out.append(
            (
                "units-line",
                p("units_above", limit=line_max),
                f"{{units}} unit(s) of {{code}} on one line; {{payer}} allows {line_max}",
            )
        )
    for period in _family.PERIODS:
        limit = row.count(f"max_units_{period}")
        if limit is not None:
            when = p(
                "units_in_period_above",
                limit=limit,
                period=period,
                codes=list(codes),
                week_start=week_start,
            )
            out.append(
                (
                    f"units-{period}",
                    when,
                    f"{{code}} on {{date}} brings the units of {' '.join(codes)} in its {period} "
                    f"past {limit}, the most {{payer}} allows",
                )
            )
    not_with = row.items("not_with")
    if not_with:
        out.append(
            (
                "not-with",
                p("billed_with", codes=not_with),
                f"{{code}} is not billed with {' or '.join(not_with)} on the same date "
                f"({{date}}) for {{payer}}",
            )
        )
    return out
