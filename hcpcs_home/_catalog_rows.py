"""The curated tables' rows behind :mod:`hcpcs_home.catalog`, read into values.

``codes.tsv`` rows become :class:`~hcpcs_home.codes.Code` values (with the
program start dates of ``program_dates.tsv``); ``modifier_assertions.tsv`` rows
become :class:`~hcpcs_home.modifiers.Modifier` fields; ``code_families.tsv``
gives each code its family.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections.abc import Mapping
from typing import Any

import attrs

from ._tables import indexed, parse_row, read_keyed, read_table
from .codes import BillingUnit, Code, CodeSet, Coverage, Credential, Discipline, Setting
from .errors import InvalidFieldError
from .modifiers import Modifier, ModifierRole


def assertion_fields(code: str) -> dict[str, Any]:
    """The curated assertions of ``modifier_assertions.tsv`` about a modifier, as
    :class:`~hcpcs_home.modifiers.Modifier` fields (none for a modifier not listed)."""
    row = assertions().get(code)
    if row is None:
        return {}
    return {
        "role": ModifierRole[row["role"]],
        "discipline": Discipline[row["discipline"]] if row["discipline"] else None,
        "credential": Credential[row["credential"]] if row["credential"] else None,
        "assistant": row["assistant"] == "yes",
        "telehealth": row["telehealth"] == "yes",
        "source": row["source"],
        "curated": True,
    }


def with_assertions(modifier: Modifier) -> Modifier:
    """``modifier`` with the curated assertions of ``modifier_assertions.tsv``, if any."""
    fields = assertion_fields(modifier.code)
    return attrs.evolve(modifier, **fields) if fields else modifier


@functools.cache
def assertions() -> dict[str, dict[str, str]]:
    return {r["modifier"]: r for r in read_table("modifier_assertions.tsv")}


@functools.cache
def program_starts() -> dict[str, _dt.date]:
    """First dates of service the program takes a code, where they differ from HCPCS's."""
    return {
        r["code"]: _dt.date.fromisoformat(r["program_start"])
        for r in read_table("program_dates.tsv")
    }


@functools.cache
def families() -> tuple[tuple[str, str, str], ...]:
    return tuple((r["first"], r["last"], r["family"]) for r in read_table("code_families.tsv"))


def family_of(text: str) -> str | None:
    """The curated family whose range holds ``text`` (compared as text), if any."""
    for first, last, family in families():
        if first <= text[:5] <= last:
            return family
    return None


def parse_date(text: str) -> _dt.date | None:
    return _dt.date.fromisoformat(text) if text else None


def line_to_code(line: str) -> Code:
    """One line of the curated code table (``codes.tsv``) as a code."""
    header = indexed("codes.tsv").header  # read_keyed's header, without splitting the rows
    try:
        return row_to_code(parse_row("codes.tsv", header, line))
    except Exception as exc:  # pragma: no cover - the shipped table is tested
        raise InvalidFieldError("codes.tsv row", line[:40], str(exc)) from exc


def curated(built: Mapping[str, object]) -> dict[str, Any]:
    """Every line of the curated code table by code, in code order, the codes already
    ``built`` in place of theirs."""
    table: dict[str, Any] = dict(sorted(read_keyed("codes.tsv")[1].items()))
    # Copied first, in one call: a thread building a code meanwhile adds it to ``built``
    # (Catalog._entry holds no lock), which would stop a loop over ``built`` itself.
    table.update((k, v) for k, v in dict(built).items() if isinstance(v, Code))
    return table


def row_to_code(row: Mapping[str, str]) -> Code:
    def members(enum_type: Any, text: str) -> list[Any]:
        return [enum_type[name] for name in text.split()]

    effective = parse_date(row["effective"])
    assert effective is not None
    return Code(
        code=row["code"],
        code_set=CodeSet[row["code_set"]],
        descriptor=row["descriptor"],
        unit=BillingUnit[row["unit"]],
        min_minutes=int(row["min_minutes"]) if row["min_minutes"] else None,
        discipline=Discipline[row["discipline"]],
        credentials=members(Credential, row["credentials"]),
        settings=members(Setting, row["settings"]),
        revenue_codes=row["revenue_codes"].split(),
        medicare_accepts=row["medicare_accepts"] == "yes",
        coverage=Coverage(row["coverage"]) if row["coverage"] else None,
        processing_note=row["processing_note"] or None,
        effective=effective,
        terminated=parse_date(row["terminated"]),
        replaced_by=row["replaced_by"].split(),
        source=row["source"],
        program_start=program_starts().get(row["code"]),
    )
