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
    codes this code is not billed with on the same date (procedure-to-procedure,
    PTP-style: the finding is on the line of a ``codes`` code).
``not_with_unless``
    modifiers that allow the pair when this code's line carries one of them (a
    PTP edit with modifier indicator 1, see :data:`PTP_MODIFIERS`); empty where no
    modifier does.
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
row 1) and column, in one :class:`~hcpcs_home.errors.EditFileError`; so are two
rows that set the same limit of the same codes, payers, bill types and first date
differently, and a row naming one code on both sides of a ``not_with`` pair.

The rows of a file are one rule, a :class:`~hcpcs_home.policy.TableRule` whose id
is ``edits-<the file's name>`` (``edits`` for ``edits.csv``; ``-2``, ``-3``... where
the rule set has that id already): however many rows there are, a check looks
each line's code up once in it, and a plan for a new payer costs the same for 10
rows as for 6,000.  Each row stays a rule of its own inside it: its findings carry
its id and source, ``rules[row_id]`` finds it, and iterating or counting the rule
set gives the rows, a rule each (``[r.id for r in rules]``, ``len(rules)``); the
set's ``rules`` attribute holds the table as one entry.

:func:`load_mue` and :func:`load_ptp` read the National Correct Coding
Initiative's published files (CSV, or tab-delimited text for ``.txt``,
``.tsv`` and ``.tab`` files) into the same rules; no data is shipped with the
library (home-health G-codes have no published MUE values, and the files are
CMS's quarterly releases: download the release your claims need from
https://www.cms.gov/medicare/coding-billing/national-correct-coding-initiative-ncci-edits).
The rows before the header row (CMS's copyright notice) are skipped; the
columns are read by position, as CMS publishes them:

MUE tables (:data:`MUE_COLUMNS`)
    Practitioner, outpatient hospital and DME supplier files: ``HCPCS/CPT Code``; the
    MUE value (the most units of service a provider reports for one beneficiary on one
    date of service; ``0``: not payable); the MUE adjudication indicator (``1 Line
    Edit``: units of one claim line; ``2 Date of Service Edit: Policy`` and ``3 Date of
    Service Edit: Clinical``: units of the date of service, summed over the claim's
    lines); the MUE rationale. Source: CMS, "Medically Unlikely Edits" page and MLN
    SE1422 (adjudication indicators); Noridian JF "Medically Unlikely Edits" (the four
    columns).
PTP tables (:data:`PTP_COLUMNS`)
    Practitioner and hospital files: ``Column 1`` and ``Column 2`` codes; ``*`` where
    the pair existed before 1996; the effective date and the deletion date
    (``YYYYMMDD``; ``*`` where none); the modifier indicator (``0`` not allowed, ``1``
    allowed, ``9`` not applicable); the PTP edit rationale. The column two code is
    denied when billed on the same date as the column one code, unless the indicator is
    ``1`` and the column two line carries an NCCI PTP-associated modifier. Source: CMS,
    "Medicare NCCI Procedure to Procedure (PTP) Edits" page; the Medicaid NCCI Edit
    Design Manual (file layouts).
"""

from __future__ import annotations

import csv
import datetime as _dt
import io
from collections.abc import Iterable, Sequence
from pathlib import Path
from typing import Any

from . import _rowfile
from ._engine import Predicate, Rule, RuleSet, Scope, Severity, TableRule
from .errors import EditFileError, HcpcsError
from .rules import DEFAULT_RULES, VOCABULARY
from .rules import edits as _family

__all__ = [
    "COLUMNS",
    "MAX_FILE_BYTES",
    "MAX_ROWS",
    "MAX_TABLE_BYTES",
    "MAX_TABLE_ROWS",
    "MUE_COLUMNS",
    "PTP_COLUMNS",
    "PTP_MODIFIERS",
    "load_edits",
    "load_mue",
    "load_ptp",
    "rules_from_rows",
]


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
    "not_with_unless",
    "week_start",
    "effective_from",
    "effective_through",
    "severity",
    "message",
    "source",
)
_REQUIRED = ("id", "codes", "source")
#: The largest edit file read, in bytes, counted as it is read (a device or pipe has no size).
MAX_FILE_BYTES = 10_000_000
#: The most rows an edit file may have.
MAX_ROWS = 100_000
_MAX_CELL = _rowfile.MAX_CELL
_FIRST_DATE, _LAST_DATE = _rowfile.FIRST_DATE, _rowfile.LAST_DATE


def load_edits(path: str | Path, *, base: RuleSet | None = None) -> RuleSet:
    """The rules of the payer edit file at ``path`` (CSV, or TSV for ``.tsv`` and
    ``.tab`` files), added to ``base`` (the default rules where ``None``; pass
    ``RuleSet()`` for the edits alone) as one :class:`~hcpcs_home.policy.TableRule`
    of its rows (none for a file of no rows).

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
    text = _read(path, MAX_FILE_BYTES)
    delimiter = "\t" if Path(path).suffix.lower() in (".tsv", ".tab") else ","
    rows = rules_from_rows(_rows(text, delimiter, where), where)
    return _added(rows, base, where, _table_id(path), f"payer edit file {Path(path).name}")


def _table_id(path: str | Path) -> str:
    """The id of the table of the edit file at ``path``: its name as a kebab-case id
    starting ``edits`` (``acme_medicaid.csv``: ``edits-acme-medicaid``; ``edits.csv``:
    ``edits``)."""
    stem = "".join(c if c.isascii() and c.isalnum() else "-" for c in Path(path).stem.lower())
    words = [w for w in stem.split("-") if w]
    if not words or words[0] != "edits":
        words.insert(0, "edits")
    return "-".join(words)[:60].rstrip("-")


def _read(path: str | Path, max_bytes: int) -> str:
    """The text of the file at ``path``, refused past ``max_bytes`` before reading."""
    return _rowfile.read_text(path, max_bytes)


def _added(
    rows: tuple[Rule, ...], base: RuleSet | None, where: str, table_id: str, source: str
) -> RuleSet:
    """``base`` (the default rules where ``None``) with ``rows`` added as one
    :class:`~hcpcs_home.policy.TableRule` (none where there are no rows), whose id is
    ``table_id``, or ``table_id-2``, ``-3``... where the base has that id already."""
    chosen = DEFAULT_RULES if base is None else base
    if not rows:
        return chosen
    taken = {r.id for r in chosen.rules}
    found, n = table_id, 1
    while found in taken:
        n += 1
        found = f"{table_id}-{n}"
    try:
        table = TableRule(found, rows, source=source)
        return RuleSet((*chosen.rules, table), chosen.name, chosen.vocabulary | VOCABULARY)
    except HcpcsError as exc:
        raise EditFileError(where, [(0, "id", str(exc))]) from None


def _rows(text: str, delimiter: str, where: str) -> list[dict[str, str]]:
    return _rowfile.read_rows(text, delimiter, where, COLUMNS, _REQUIRED)


def rules_from_rows(rows: Iterable[dict[str, str]], where: str = "edits") -> tuple[Rule, ...]:
    """The rules of edit rows given as dictionaries of column to cell text (what
    :func:`load_edits` reads from a file; a database or an API may give the same).

    :raises EditFileError: every bad cell, with its row number and column.
    """
    rules: list[Rule] = []
    problems: list[tuple[int, str, str]] = []
    made_by: dict[str, int] = {}
    limits: dict[tuple[Any, ...], tuple[int, str, Any]] = {}
    for number, row in enumerate(rows, start=2):
        if not row:
            continue
        n = int(row.get("__row__", number))
        if "__extra__" in row:
            problems.append((n, "row", "has more cells than the header has columns"))
            continue
        cells = {k: v for k, v in row.items() if not k.startswith("__")}
        for rule in _row_rules(cells, n, problems, limits):
            if rule.id in made_by:
                problems.append((n, "id", f"{rule.id!r} is made by row {made_by[rule.id]} too"))
            made_by.setdefault(rule.id, n)
            rules.append(rule)
    if problems:
        raise EditFileError(where, problems)
    return tuple(rules)


_Row = _rowfile.Cells


def _row_rules(
    cells: dict[str, str],
    number: int,
    problems: list[Any],
    seen: dict[tuple[Any, ...], tuple[int, str, Any]],
) -> list[Rule]:
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
    # Two rows setting the same limit of the same key differently: which one holds?
    key = (frozenset(codes), frozenset(payers), frozenset(bill_types), start, week_start)
    for kind, _, _, column, value in limits:
        if kind == "not-with":  # a pair is its key; what allows it is its value
            pair, value = value
            kind = f"not-with {sorted(pair)}"
        first = seen.setdefault((kind, *key), (number, column, value))
        if first[2] != value:
            row.bad(
                column,
                f"{_shown(value)} disagrees with row {first[0]}, which sets {_shown(first[2])}",
            )
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
    for kind, when, default_message, _, _ in limits:
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


#: A limit of a row: its kind, predicate, default message, column and value.
_Limit = tuple[str, Predicate, str, str, Any]


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
                "required_modifiers",
                frozenset(required),
            )
        )
    one_of = row.items("any_modifiers")
    if one_of:
        out.append(
            (
                "modifier-any",
                ~p("has_modifier", modifiers=one_of),
                f"{{code}} on {{date}} needs one of {' or '.join(one_of)} for {{payer}}",
                "any_modifiers",
                frozenset(one_of),
            )
        )
    forbidden = row.items("forbidden_modifiers")
    if forbidden:
        out.append(
            (
                "modifier-forbidden",
                p("has_modifier", modifiers=forbidden),
                f"{{code}} on {{date}} may not carry {' or '.join(forbidden)} for {{payer}}",
                "forbidden_modifiers",
                frozenset(forbidden),
            )
        )
    line_max = row.count("max_units_line")
    if line_max is not None:
        out.append(
            (
                "units-line",
                p("units_above", limit=line_max),
                f"{{units}} unit(s) of {{code}} on one line; {{payer}} allows {line_max}",
                "max_units_line",
                line_max,
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
                    f"max_units_{period}",
                    limit,
                )
            )
    not_with = row.items("not_with")
    unless = row.items("not_with_unless")
    if unless and not not_with:
        row.bad("not_with_unless", "names modifiers of no pair: fill not_with too")
    for code in sorted(set(not_with) & set(codes)):
        row.bad("not_with", f"{code!r} is in codes too: a pair names two codes")
    if not_with:
        when = p("billed_with", codes=not_with)
        allowed = ""
        if unless:
            when = when & ~p("has_modifier", modifiers=unless)  # type: ignore[assignment]
            allowed = f" unless the line carries {' or '.join(unless)}"
        out.append(
            (
                "not-with",
                when,
                f"{{code}} is not billed with {' or '.join(not_with)} on the same date "
                f"({{date}}) for {{payer}}{allowed}",
                "not_with_unless",
                (frozenset(not_with), frozenset(unless)),
            )
        )
    return out


def _shown(value: Any) -> str:
    """A limit's value as a person reads it (``U1 U2``, ``(none)``, ``24``)."""
    if isinstance(value, frozenset):
        return " ".join(sorted(value)) or "(none)"
    return repr(value)


# --- CMS's NCCI files -----------------------------------------------------------

#: The columns of a CMS MUE table, in the order CMS publishes them.
MUE_COLUMNS = ("HCPCS/CPT Code", "MUE Value", "MUE Adjudication Indicator", "MUE Rationale")
#: The columns of a CMS PTP table, in the order CMS publishes them.
PTP_COLUMNS = (
    "Column 1",
    "Column 2",
    "* = In existence prior to 1996",
    "Effective Date",
    "Deletion Date",
    "Modifier",
    "PTP Edit Rationale",
)
#: The NCCI PTP-associated modifiers, which may bypass a PTP edit whose modifier
#: indicator is 1 where the clinical circumstances justify them (Medicare NCCI Policy
#: Manual, Chapter I, General Correct Coding Policies, "Modifiers and Modifier
#: Indicators"; anatomic, global surgery and other modifiers).
PTP_MODIFIERS = (
    *("E1", "E2", "E3", "E4", "FA", "F1", "F2", "F3", "F4", "F5", "F6", "F7", "F8", "F9"),
    *("TA", "T1", "T2", "T3", "T4", "T5", "T6", "T7", "T8", "T9"),
    *("LT", "RT", "LC", "LD", "RC", "LM", "RI"),
    *("24", "25", "57", "58", "78", "79"),
    *("27", "59", "91", "XE", "XS", "XP", "XU"),
)
#: The largest CMS table file read, in bytes (a PTP file of one quarter is under this).
MAX_TABLE_BYTES = 400_000_000
#: The most data rows a CMS table file may have.
MAX_TABLE_ROWS = 2_000_000
#: The most rows of notice above a table's header row.
_MAX_PREAMBLE = 30
_MAI_KIND = {"1": "max_units_line", "2": "max_units_day", "3": "max_units_day"}
_MAI_TEXT = {
    "1": "MAI 1, claim line edit",
    "2": "MAI 2, date of service edit: policy",
    "3": "MAI 3, date of service edit: clinical",
}


def load_mue(
    path: str | Path,
    *,
    base: RuleSet | None = None,
    payers: Iterable[str] = ("medicare",),
    effective_from: str = "",
    prefix: str = "mue",
    source: str = "CMS NCCI Medically Unlikely Edits",
) -> RuleSet:
    """The rules of a CMS MUE table file (the columns are :data:`MUE_COLUMNS`), added
    to ``base`` (the default rules where ``None``) as one
    :class:`~hcpcs_home.policy.TableRule` ``<prefix>`` holding a row
    ``<prefix>-<code>`` per code.

    An MAI 1 value caps the units of each line of the code; an MAI 2 or 3 value caps
    the units of the code on a date of service, summed over the claim's lines.
    ``payers`` are the payer ids or kinds the edits are for (Medicare's by default;
    Medicaid NCCI files have the same layout), ``effective_from`` the first date of
    service of the release (``YYYY-MM-DD``; empty for none) and ``source`` names the
    file's release for the findings.

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "mue.csv"
    >>> _ = path.write_text(
    ...     "CMS copyright notice\\n"
    ...     "HCPCS/CPT Code,Practitioner Services MUE Values,MUE Adjudication Indicator,"
    ...     "MUE Rationale\\n"
    ...     "97110,8,3 Date of Service Edit: Clinical,Clinical: Data\\n")
    >>> rules = load_mue(path, base=RuleSet())
    >>> [r.id for r in rules]
    ['mue-97110']

    :raises EditFileError: the file cannot be read, has no header row, or has bad
        rows: every one named, with its row number and column (a value that is not
        a whole number, an unknown indicator, a code listed twice with different
        values).
    """
    where = str(path)
    rows, problems = _table_rows(path, "hcpcs", len(MUE_COLUMNS), MUE_COLUMNS)
    cells: list[dict[str, str]] = []
    seen: dict[str, tuple[int, str, str]] = {}
    for number, row in rows:
        code, value, indicator, rationale = (c.strip() for c in row[:4])
        bad = len(problems)
        code = code.upper()
        if not _is_code(code):
            problems.append((number, MUE_COLUMNS[0], f"{code!r} is not a HCPCS/CPT code"))
        if not (value.isascii() and value.isdigit() and len(value) <= 7):
            problems.append((number, MUE_COLUMNS[1], f"{value!r} is not a whole number of units"))
        mai = indicator[:1]
        if mai not in _MAI_KIND:
            problems.append((number, MUE_COLUMNS[2], f"{indicator!r} is not 1, 2 or 3"))
        if len(problems) > bad:
            continue
        first = seen.setdefault(code, (number, value, mai))
        if first[1:] != (value, mai):
            problems.append(
                (
                    number,
                    MUE_COLUMNS[1],
                    f"{code} {value} (MAI {mai}) disagrees with row {first[0]}: "
                    f"{first[1]} (MAI {first[2]})",
                )
            )
            continue
        if first[0] != number:
            continue  # the same row again: once is enough
        cells.append(
            {
                "__row__": str(number),
                "id": f"{prefix}-{code}".lower(),
                "payer": " ".join(payers),
                "codes": code,
                _MAI_KIND[mai]: value,
                "effective_from": effective_from,
                "message": f"{{units}} unit(s) of {{code}} on {{date}}: over the MUE of {value} "
                f"({_MAI_TEXT[mai]})",
                "source": f"{source}; rationale: {rationale or 'none given'}"[:_MAX_CELL],
            }
        )
    if problems:
        raise EditFileError(where, sorted(problems, key=lambda p: p[0]))
    return _added(rules_from_rows(cells, where), base, where, prefix.lower(), source)


def load_ptp(
    path: str | Path,
    *,
    base: RuleSet | None = None,
    payers: Iterable[str] = ("medicare",),
    codes: Iterable[str] | None = None,
    modifiers: Iterable[str] = PTP_MODIFIERS,
    prefix: str = "ptp",
    source: str = "CMS NCCI Procedure-to-Procedure edits",
) -> RuleSet:
    """The rules of a CMS PTP table file (the columns are :data:`PTP_COLUMNS`), added
    to ``base`` (the default rules where ``None``) as one
    :class:`~hcpcs_home.policy.TableRule` ``<prefix>`` holding a row
    ``<prefix>-<column 1>-<column 2>-<effective date>`` per edit, found on the line
    of the column two code billed on a date with the column one code, unless the
    edit's modifier indicator is 1 and that line carries one of ``modifiers`` (the
    NCCI PTP-associated modifiers by default).

    A PTP file holds hundreds of thousands of pairs: ``codes`` keeps only the pairs
    whose two codes are both in it (the codes your agency bills).  An edit applies
    to dates of service from its effective date to the day before its deletion
    date (a deleted edit no longer applies from the date it was deleted).

    :raises EditFileError: the file cannot be read, has no header row, or has bad
        rows: every one named, with its row number and column (a pair naming one
        code twice, a bad date or indicator, a pair listed twice with the same
        effective date and different terms).
    """
    where = str(path)
    kept = None if codes is None else {c.strip().upper() for c in codes}
    allowed = " ".join(m.upper() for m in modifiers)
    rows, problems = _table_rows(path, "column 1", 6, PTP_COLUMNS)
    cells: list[dict[str, str]] = []
    seen: dict[tuple[str, str, str], tuple[int, str, str]] = {}
    for number, row in rows:
        one, two, _, start, end, indicator = (c.strip().upper() for c in row[:6])
        rationale = row[6].strip() if len(row) > 6 else ""
        bad = len(problems)
        for column, code in ((PTP_COLUMNS[0], one), (PTP_COLUMNS[1], two)):
            if not _is_code(code):
                problems.append((number, column, f"{code!r} is not a HCPCS/CPT code"))
        if one == two and len(problems) == bad:
            problems.append(
                (number, PTP_COLUMNS[1], f"{two} is column 1 too: a pair names two codes")
            )
        first_day = _yyyymmdd(start, number, PTP_COLUMNS[3], problems)
        last_day = None
        if end not in ("", "*"):
            gone = _yyyymmdd(end, number, PTP_COLUMNS[4], problems)
            if gone is not None and first_day is not None and gone <= first_day:
                problems.append((number, PTP_COLUMNS[4], f"{end} is not after {start}"))
            elif gone is not None:
                last_day = gone - _dt.timedelta(days=1)
        if indicator not in ("0", "1", "9"):
            problems.append((number, PTP_COLUMNS[5], f"{indicator!r} is not 0, 1 or 9"))
        if len(problems) > bad:
            continue
        if kept is not None and not (one in kept and two in kept):
            continue
        key = (one, two, start)
        terms = (end if end != "*" else "", indicator)
        first = seen.setdefault(key, (number, *terms))
        if first[1:] != terms:
            problems.append(
                (
                    number,
                    PTP_COLUMNS[5],
                    f"{one}/{two} from {start} (deleted {terms[0] or 'never'}, modifier "
                    f"{indicator}) disagrees with row {first[0]} (deleted {first[1] or 'never'}, "
                    f"modifier {first[2]})",
                )
            )
            continue
        if first[0] != number:
            continue
        assert first_day is not None
        cells.append(
            {
                "__row__": str(number),
                "id": f"{prefix}-{one}-{two}-{start}".lower(),
                "payer": " ".join(payers),
                "codes": two,
                "not_with": one,
                "not_with_unless": allowed if indicator == "1" else "",
                "effective_from": first_day.isoformat(),
                "effective_through": "" if last_day is None else last_day.isoformat(),
                "source": f"{source}; rationale: {rationale or 'none given'}"[:_MAX_CELL],
            }
        )
    if problems:
        raise EditFileError(where, sorted(problems, key=lambda p: p[0]))
    return _added(rules_from_rows(cells, where), base, where, prefix.lower(), source)


def _is_code(code: str) -> bool:
    return len(code) == 5 and code.isascii() and code.isalnum()


def _yyyymmdd(text: str, number: int, column: str, problems: list[Any]) -> _dt.date | None:
    try:
        if len(text) != 8 or not text.isdigit():
            raise ValueError
        day = _dt.date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        problems.append((number, column, f"{text!r} is not a date as YYYYMMDD"))
        return None
    if not _FIRST_DATE <= day <= _LAST_DATE:
        problems.append((number, column, f"{text} is outside {_FIRST_DATE} to {_LAST_DATE}"))
        return None
    return day


def _table_rows(
    path: str | Path, header: str, width: int, columns: Sequence[str]
) -> tuple[list[tuple[int, list[str]]], list[tuple[int, str, str]]]:
    """The data rows of a CMS table file with their row numbers, and the rows too
    short to read; rows above the header row (whose first cell starts with
    ``header``) and blank rows are skipped."""
    where = str(path)
    text = _read(path, MAX_TABLE_BYTES)
    tabbed = Path(path).suffix.lower() in (".txt", ".tsv", ".tab")
    reader = csv.reader(io.StringIO(text, newline=""), delimiter="\t" if tabbed else ",")
    rows: list[tuple[int, list[str]]] = []
    problems: list[tuple[int, str, str]] = []
    found = False
    try:
        for cells in reader:
            if not found:
                if cells and cells[0].strip().lower().startswith(header):
                    found = True
                elif reader.line_num > _MAX_PREAMBLE:
                    break
                continue
            if not any(c.strip() for c in cells):
                continue
            if len(rows) >= MAX_TABLE_ROWS:
                raise EditFileError(
                    where, [(reader.line_num, "file", f"over {MAX_TABLE_ROWS:,} rows")]
                )
            if len(cells) < width:
                problems.append(
                    (reader.line_num, "row", f"has {len(cells)} cells, not {len(columns)}")
                )
                continue
            rows.append((reader.line_num, cells))
    except csv.Error as exc:
        raise EditFileError(where, [(reader.line_num, "file", f"cannot be read: {exc}")]) from None
    if not found:
        raise EditFileError(
            where,
            [(0, "header", f"no row within the first {_MAX_PREAMBLE} starts {columns[0]!r}")],
        )
    return rows, problems
