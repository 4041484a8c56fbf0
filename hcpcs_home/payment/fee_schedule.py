"""Medicaid, commercial and Medicare Part B fee schedules as data: rows with dates and a source.

A state Medicaid program or a plan pays a line its units times the rate of the
fee-schedule row in effect on the line's date.  Write the schedule as CSV (or
TSV for ``.tsv``/``.tab`` files), one row per rate, loaded like an edit file
(:mod:`hcpcs_home.edits`) with every bad cell reported at once::

    payer,code,modifiers,unit,rate,effective_from,effective_through,source
    tx-medicaid,T1019,U1,15 minutes,5.12,2024-01-01,,TMHP fee schedule (example)

``payer``
    a payer id (``tx-medicaid``), a payer kind (``medicaid``, ``medicare``,
    ``commercial``...) or ``*`` for every payer.
``code``
    the HCPCS/CPT code.
``modifiers``
    modifiers the line must carry for the row to apply (empty: any line).
``unit``
    what one unit is: one of :data:`UNITS`.
``rate``
    the amount per unit, at most 4 decimals.
``effective_from``, ``effective_through``
    the dates of service the rate applies to (ISO dates; empty: open-ended).
``source``
    where the rate is published (state fee schedule, contract, URL).

The row for a line is the one of its code, in effect on its date, whose
modifiers it all carries, with the most modifiers; a payer id beats a payer
kind, which beats ``*``.  Two rows left with different rates make the line
"not priced", as does a line no row matches: a rate is never guessed.

Medicare pays a therapy service furnished in whole or in part by a physical or
occupational therapy assistant (modifier CQ or CO) at 85% of the fee schedule
amount for dates of service from 2022-01-01 (SSA s.1834(v)(1), added by BBA
2018 s.53107; CY 2022 PFS final rule, 86 FR 64996; 42 CFR 410.59(a)(4) and
410.60(a)(4)): a Medicare line with CQ or CO priced from a row without them
gets :data:`ASSISTANT_SHARE` of the amount.
"""

from __future__ import annotations

import datetime as _dt
import os
from collections.abc import Iterable
from decimal import Decimal
from pathlib import Path
from typing import Any

import attrs

from .. import _rowfile
from .._values import lazy_methods
from ..claims import Claim, ClaimLine
from ..errors import EditFileError, InvalidFieldError
from ..payers import PayerKind
from . import _result as r
from ._files import cached_load

__all__ = [
    "ASSISTANT_MODIFIERS",
    "ASSISTANT_SHARE",
    "ASSISTANT_SHARE_FROM",
    "COLUMNS",
    "UNITS",
    "FeeRow",
    "FeeSchedule",
    "load_fee_schedule",
    "price_lines",
]


def __dir__() -> list[str]:
    return __all__


COLUMNS = (
    "payer",
    "code",
    "modifiers",
    "unit",
    "rate",
    "effective_from",
    "effective_through",
    "source",
)

"""Every column a fee-schedule file may have, in the documented order."""
_REQUIRED = ("payer", "code", "rate", "source")
UNITS = frozenset(
    {"each", "unit", "15 minutes", "30 minutes", "hour", "day", "visit", "month", "mile", "session"}
)

"""What one unit of a row may be."""
ASSISTANT_MODIFIERS = frozenset({"CQ", "CO"})

"""Modifiers of a therapy service furnished in whole or in part by an assistant."""
ASSISTANT_SHARE = Decimal("0.85")

"""The share of the fee schedule amount Medicare pays for such a service."""
ASSISTANT_SHARE_FROM = _dt.date(2022, 1, 1)

"""First date of service of the reduced payment."""
_ASSISTANT_SOURCE = "SSA s.1834(v)(1); CY 2022 PFS final rule, 86 FR 64996; 42 CFR 410.59, 410.60"
_MOST_RATE = Decimal(1_000_000)
_KINDS = frozenset(k.value for k in PayerKind)
F = r.Factor


@attrs.frozen(slots=True)
@lazy_methods
class FeeRow:
    """One rate of a fee schedule.

    :ivar payer: payer id, payer kind or ``*``.
    :ivar code: the HCPCS/CPT code.
    :ivar modifiers: the modifiers a line needs for the row to apply.
    :ivar unit: what one unit is.
    :ivar rate: the amount per unit.
    :ivar start: first date of service, or ``None``.
    :ivar end: last date of service, or ``None``.
    :ivar source: where the rate is published.
    :ivar row: the file's row number (the header is row 1), 0 when built in code.
    """

    payer: str
    code: str
    modifiers: frozenset[str]
    unit: str
    rate: Decimal
    start: _dt.date | None
    end: _dt.date | None
    source: str
    row: int = 0

    def applies(self, line: ClaimLine, payer_id: str, kind: str) -> bool:
        """Whether the row prices ``line`` of a claim for that payer."""
        return (
            self.payer in (payer_id, kind, "*")
            and (self.start is None or self.start <= line.date)
            and (self.end is None or line.date <= self.end)
            and self.modifiers.issubset(line.modifiers)
        )

    def rank(self, payer_id: str) -> tuple[int, int]:
        """How specific the row is: more modifiers first, then payer id, kind, ``*``."""
        payer_rank = 2 if self.payer == payer_id else 0 if self.payer == "*" else 1
        return len(self.modifiers), payer_rank


def _rows(value: object) -> dict[str, tuple[FeeRow, ...]]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError("rows", value, "must be a sequence of FeeRow")
    by_code: dict[str, list[FeeRow]] = {}
    for item in value:
        if not isinstance(item, FeeRow):
            raise InvalidFieldError("rows", item, "must be a FeeRow")
        by_code.setdefault(item.code, []).append(item)
    return {code: tuple(rows) for code, rows in by_code.items()}


@attrs.frozen(slots=True, eq=False)
class FeeSchedule:
    """Fee-schedule rows, looked up by code (one lookup per line, whatever the row count).

    :ivar by_code: the rows of each code.
    :ivar source: what was loaded (the file name).
    """

    by_code: dict[str, tuple[FeeRow, ...]] = attrs.field(converter=_rows)
    source: str = ""

    @classmethod
    def of(cls, value: object) -> FeeSchedule:
        """``value`` as a schedule: a :class:`FeeSchedule` or a path to a file."""
        if isinstance(value, FeeSchedule):
            return value
        if isinstance(value, (str, os.PathLike)):
            return load_fee_schedule(value)
        raise InvalidFieldError("fee_schedule", value, "must be a FeeSchedule or a path")

    def row_for(self, line: ClaimLine, payer_id: str, kind: str) -> FeeRow | str:
        """The row that prices ``line``, or why none does."""
        found = [
            row for row in self.by_code.get(line.code, ()) if row.applies(line, payer_id, kind)
        ]
        if not found:
            mods = " ".join(line.modifiers)
            return (
                f"no fee-schedule row for {line.code}{' ' + mods if mods else ''} on "
                f"{line.date.isoformat()} for payer {payer_id}"
            )
        best = max(row.rank(payer_id) for row in found)
        top = [row for row in found if row.rank(payer_id) == best]
        if len({row.rate for row in top}) > 1:
            rows = ", ".join(str(row.row) for row in top)
            day = line.date.isoformat()
            return f"fee-schedule rows {rows} give {line.code} different rates on {day}"
        return top[0]


def _row(cells: dict[str, str], number: int, problems: list[Any]) -> FeeRow | None:
    row = _rowfile.Cells(cells, number, problems)
    payer = row.text("payer").lower()
    if not payer:
        row.bad("payer", "is empty: name a payer id, a payer kind or '*'")
    elif payer != "*" and payer not in _KINDS and not all(c.isalnum() or c in "-_." for c in payer):
        row.bad("payer", f"{payer!r} is not a payer id, a payer kind or '*'")
    codes = row.items("code")
    if len(codes) != 1:
        row.bad("code", "must hold exactly one HCPCS/CPT code")
    elif len(codes[0]) != 5:
        row.bad("code", f"{codes[0]!r} is not a five-character HCPCS/CPT code")
    modifiers = row.items("modifiers")
    for m in modifiers:
        if len(m) != 2:
            row.bad("modifiers", f"{m!r} is not a two-character modifier")
    unit = row.text("unit").lower() or "unit"
    if unit not in UNITS:
        row.bad("unit", f"{unit!r} is not one of {', '.join(sorted(UNITS))}")
    rate = row.money("rate", most=_MOST_RATE)
    if rate is None and not any(p[0] == number and p[1] == "rate" for p in problems):
        row.bad("rate", "is empty")
    start, end = row.date("effective_from"), row.date("effective_through")
    if start and end and end < start:
        row.bad("effective_through", f"{end} is before effective_from {start}")
    source = row.text("source")
    if not source:
        row.bad("source", "is empty: name where the rate is published")
    if any(p[0] == number for p in problems) or rate is None:
        return None
    return FeeRow(payer, codes[0], frozenset(modifiers), unit, rate, start, end, source, number)


def _read(file: Path) -> FeeSchedule:
    where = str(file)
    text = _rowfile.read_text(file)
    delimiter = _rowfile.delimiter_of(file)
    cells = _rowfile.read_rows(text, delimiter, where, COLUMNS, _REQUIRED, "a fee-schedule column")
    problems: list[Any] = []
    rows = []
    for raw in cells:
        if not raw:
            continue
        number = int(raw["__row__"])
        if "__extra__" in raw:
            problems.append((number, "row", "has more cells than the header has columns"))
            continue
        made = _row({k: v for k, v in raw.items() if not k.startswith("__")}, number, problems)
        if made is not None:
            rows.append(made)
    if not rows and not problems:
        problems.append((1, "file", "holds no rows"))
    if problems:
        raise EditFileError(where, problems)
    return FeeSchedule(rows, file.name)


_cached = cached_load(_read)


def load_fee_schedule(path: str | os.PathLike[str]) -> FeeSchedule:
    """The fee schedule in the file at ``path`` (columns above).

    >>> import pathlib, tempfile
    >>> path = pathlib.Path(tempfile.mkdtemp()) / "fees.csv"
    >>> _ = path.write_text(
    ...     "payer,code,modifiers,unit,rate,effective_from,effective_through,source\\n"
    ...     "medicaid,T1019,,15 minutes,5.12,2024-01-01,,state fee schedule (example)\\n")
    >>> load_fee_schedule(path).by_code["T1019"][0].rate
    Decimal('5.12')

    :raises ~hcpcs_home.errors.EditFileError: every bad row and cell at once.
    """
    return _cached(path)


def price_lines(claim: Claim, schedule: FeeSchedule) -> r.Payment:
    """Each line of ``claim`` priced from ``schedule``; the total only when every line is priced."""
    payer_id, kind = claim.payer.id, claim.payer.kind.value
    medicare = claim.payer.kind is PayerKind.MEDICARE
    parts: list[r.PaymentPart] = []
    factors: list[r.Factor] = []
    reasons: list[str] = []
    for i, line in enumerate(claim.lines):
        found = schedule.row_for(line, payer_id, kind)
        what = f"{line.code} x {line.units}"
        if isinstance(found, str):
            parts.append(r.PaymentPart(what, None, line=i, day=line.date, reason=found))
            reasons.append(f"line {i}: {found}")
            continue
        units = Decimal(line.units)
        amount = r.cents(units * found.rate)
        row = f"{schedule.source} row {found.row}" if found.row else schedule.source
        steps = [
            F("rate per " + found.unit, found.rate, row=row, source=found.source),
            F("units", units),
        ]
        name = f"line {i} ({what}) = units x rate, rounded half up"
        assistant = ASSISTANT_MODIFIERS & set(line.modifiers)
        if (
            medicare
            and assistant
            and not found.modifiers & ASSISTANT_MODIFIERS
            and line.date >= ASSISTANT_SHARE_FROM
        ):
            steps.append(F("fee schedule amount = units x rate", r.cents(units * found.rate)))
            amount = r.cents(units * found.rate * ASSISTANT_SHARE)
            steps.append(
                F(
                    f"assistant ({'/'.join(sorted(assistant))}) share",
                    ASSISTANT_SHARE,
                    source=_ASSISTANT_SOURCE,
                )
            )
            name = f"line {i} ({what}) = units x rate x 0.85, rounded half up"
        parts.append(r.PaymentPart(what, amount, line=i, day=line.date))
        factors.append(F(name, amount, steps=steps))
    priced = all(p.amount is not None for p in parts)
    total = sum((p.amount for p in parts if p.amount is not None), Decimal(0))
    root = F(
        "fee-schedule payment" if priced else "fee-schedule payment (not every line priced)",
        total if priced else None,
        source=schedule.source,
        steps=factors,
    )
    return r.Payment(claim.id, "fee schedule", total if priced else None, parts, root, reasons)
