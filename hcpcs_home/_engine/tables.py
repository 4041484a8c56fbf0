"""Table rules: one rule holding the code-keyed rows of a table.

Part of the engine behind :mod:`hcpcs_home.policy` (see :mod:`hcpcs_home._engine`).
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from typing import Any, ClassVar

import attrs

from .._values import lazy_methods
from ..errors import InvalidFieldError
from .context import Context
from .explanation import Explanation
from .predicates import Predicate
from .rules import Finding, Rule, Scope, Severity, _failed
from .vocabulary import _line_codes

__all__ = ["TableRule"]


#: A table's severity: the most severe of its rows'.
_RANK = {Severity.INFO: 0, Severity.WARNING: 1, Severity.ERROR: 2}


class _Lookup(Predicate):
    """What a :class:`TableRule` tests: a row of the line's code fires.

    The line's code is looked up once in the rows by code, so the test costs the
    same whatever the number of rows.
    """

    __slots__ = ("_hash", "by_code", "rows")

    def __init__(self, rows: tuple[Rule, ...]) -> None:
        by_code: dict[str, list[Rule]] = {}
        for row in rows:
            for code in sorted(_row_codes(row)):
                by_code.setdefault(code, []).append(row)
        self.rows = rows
        self.by_code: Mapping[str, tuple[Rule, ...]] = {k: tuple(v) for k, v in by_code.items()}
        self._hash: int | None = None
        self._fn = self._holds

    def firing(self, ctx: Context) -> Iterator[Rule]:
        """The rows that fire on the context's line, in row order (one lookup)."""
        line = ctx.line
        if line is None:
            return
        for row in self.by_code.get(line.code, ()):
            if row.applies_to(ctx.payer) and row.applies_on(line.date) and row.when._fn(ctx):
                yield row

    def _holds(self, ctx: Context) -> bool:
        return next(self.firing(ctx), None) is not None

    def explain(self, ctx: Context) -> Explanation:
        rows = [r.when.explain(ctx) for r in self.firing(ctx)]
        return Explanation(str(self), bool(rows), tuple(rows))

    def _key(self) -> Any:
        return self.rows

    def __hash__(self) -> int:
        # A plan's signature hashes its tests once per payer: the rows once per table.
        found = self._hash
        if found is None:
            found = hash(("_Lookup", self.rows))
            object.__setattr__(self, "_hash", found)
        return found

    def __str__(self) -> str:
        return f"a table of {len(self.rows)} rules keyed by code ({len(self.by_code)} codes)"

    def to_data(self) -> Any:
        raise InvalidFieldError("when", str(self), "is a table: save its rule (TableRule.to_data)")

    def __reduce__(self) -> tuple[Any, ...]:
        return (_Lookup, (self.rows,))


def _row_codes(row: Rule) -> frozenset[str]:
    codes = _line_codes(row.when)
    if codes is None:
        raise InvalidFieldError(
            "rows", row.id, "is not keyed by code (its predicate names no code_in codes)"
        )
    return codes


def _rows(value: object) -> tuple[Rule, ...]:
    if isinstance(value, (str, bytes)) or not isinstance(value, Iterable):
        raise InvalidFieldError("rows", value, "must be rules")
    rows = tuple(value)
    seen: set[str] = set()
    for i, row in enumerate(rows):
        if not isinstance(row, Rule) or isinstance(row, TableRule):
            raise InvalidFieldError(f"rows[{i}]", row, "is not a Rule (a table holds no table)")
        if row.scope is not Scope.LINE or row.needs:
            raise InvalidFieldError(
                f"rows[{i}]", row.id, "must be a line rule needing nothing beyond its line"
            )
        if row.id in seen:
            raise InvalidFieldError(f"rows[{i}].id", row.id, "is used twice")
        seen.add(row.id)
        _row_codes(row)
    return rows


#: What a table's own message says (its findings carry their rows' messages).
_MESSAGE = "a row of the table fires on {code} (each finding names its row)"


@attrs.frozen(slots=True, init=False, repr=False)
@lazy_methods
class TableRule(Rule):
    """One rule for a whole table of code-keyed rows: a check looks the line's code up
    once in it, so its cost does not grow with its rows.

    Each row is a line :class:`Rule` keyed by code (its predicate includes
    ``code_in``), with its own id, message, source, dates and payers, and each
    finding is its row's: its ``rule_id`` and ``source`` are the row's, as if the
    row were a rule of its own.  The table composes like any rule: a
    :class:`RuleSet` stores it as one entry of its ``rules`` (one rule in the
    compiled plan), lists and counts its rows in its place when iterated
    (``[r.id for r in rule_set]``, ``len(rule_set)``), finds its rows by id
    (``rules[row_id]``, ``row_id in rules``), removes or replaces them, saves it as
    one JSON object ``{"id", "table": [rows...], "source"}`` and pickles it.  What
    :func:`hcpcs_home.edits.load_edits`, :func:`~hcpcs_home.edits.load_mue` and
    :func:`~hcpcs_home.edits.load_ptp` return holds their rows in one.

    >>> from hcpcs_home.rules import VOCABULARY
    >>> p = VOCABULARY.predicate
    >>> row = Rule("t1019-line", "error", "{units} units of {code}", "payer manual 4.2",
    ...            p("code_in", codes=["T1019"]) & p("units_above", limit=24))
    >>> table = TableRule("acme-edits", [row], source="Acme edit file")
    >>> table.severity, [r.id for r in table.rows], table.row("t1019-line") is row
    (<Severity.ERROR: 'error'>, ['t1019-line'], True)

    :ivar rows: the rows, in the order their findings are reported.

    The rule's own ``severity`` is the most severe of its rows'; its ``when``
    holds where a row fires.
    """

    rows: tuple[Rule, ...] = attrs.field(default=(), converter=_rows)

    _table: ClassVar[bool] = True

    def __init__(
        self, id: str, rows: Iterable[Rule], *, source: str = "", description: str = ""
    ) -> None:
        rows = _rows(rows)
        severity = max((r.severity for r in rows), key=_RANK.__getitem__, default=Severity.INFO)
        self.__attrs_init__(
            id,
            severity,
            _MESSAGE,
            source or "each row names its own source",
            _Lookup(rows),
            description=description or f"A table of {len(rows)} code-keyed rows.",
            rows=rows,
        )

    def row(self, row_id: str) -> Rule | None:
        """The row of that id, or ``None``."""
        for row in self.rows:
            if row.id == row_id:
                return row
        return None

    def findings(self, ctx: Context) -> list[Finding]:
        """The findings of the rows that fire on the context's line (a row that raises
        is an error finding of its own, as a rule that raises is)."""
        lookup: _Lookup = self.when  # type: ignore[assignment]
        line = ctx.line
        found: list[Finding] = []
        for row in lookup.by_code.get(line.code, ()) if line is not None else ():
            try:
                if row.applies_to(ctx.payer) and row.applies_on(ctx.date) and row.when._fn(ctx):
                    found.append(row._finding(ctx))
            except Exception as exc:
                found.append(_failed(row, ctx, exc))
        return found

    def evaluate(self, ctx: Context) -> Finding | None:
        """The first row's finding for ``ctx`` (see :meth:`findings` for all of them)."""
        found = self.findings(ctx)
        return found[0] if found else None

    def without(self, *row_ids: str) -> TableRule:
        """This table without the rows of those ids."""
        return TableRule(
            self.id,
            [r for r in self.rows if r.id not in row_ids],
            source=self.source,
            description=self.description,
        )

    def replacing(self, row: Rule) -> TableRule:
        """This table with the row of ``row``'s id replaced by it."""
        return TableRule(
            self.id,
            [row if r.id == row.id else r for r in self.rows],
            source=self.source,
            description=self.description,
        )

    def to_data(self) -> dict[str, Any]:
        """The table as plain JSON data: its id, source, description and rows."""
        return {
            "id": self.id,
            "source": self.source,
            "description": self.description,
            "table": [r.to_data() for r in self.rows],
        }

    def __repr__(self) -> str:
        return f"TableRule({self.id!r}, {len(self.rows)} rows)"


# It belongs to hcpcs_home.policy, as the engine's other public classes do (see
# hcpcs_home._engine), which gives it on first use.
TableRule.__module__ = "hcpcs_home.policy"
