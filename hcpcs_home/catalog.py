"""The catalog of home-health, home-care and hospice codes, and :func:`lookup`.

The shipped table lives in ``hcpcs_home/data/codes.tsv``; its header names
the sources and their releases.  It is read once, lazily, on first use.

>>> from hcpcs_home import lookup, default_catalog, Discipline
>>> lookup(" g0152").descriptor[:45]
'Services performed by a qualified occupationa'
>>> list(default_catalog().filter(discipline=Discipline.SPEECH_LANGUAGE_PATHOLOGY,
...                       code_set="HCPCS Level II"))
['G0153', 'G0161', 'S9128']
"""

from __future__ import annotations

import datetime as _dt
import html
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

from ._tables import read_table
from .codes import (
    BillingUnit,
    Code,
    CodeSet,
    Coverage,
    Credential,
    Discipline,
    Setting,
    normalize_code,
)
from .errors import CodeNotEffectiveError, InvalidFieldError, UnknownCodeError

__all__ = [
    "DATA_RELEASE",
    "Catalog",
    "default_catalog",
    "load_cms_file",
    "lookup",
]


def __dir__() -> list[str]:
    return __all__


DATA_RELEASE = "2026.11"
"""Release of the shipped code table (``YYYY.MM`` of its last review)."""

_ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"


class Catalog(Mapping[str, Code]):
    """An immutable, ordered collection of :class:`~hcpcs_home.codes.Code` by code.

    Indexing normalises the key (``cat[" g0152"]``); :meth:`lookup` adds a
    date check and a suggestion for near misses.  :meth:`filter` returns a
    smaller catalog, so filters chain.

    >>> from hcpcs_home import default_catalog, BillingUnit
    >>> per_diem = default_catalog().filter(unit=BillingUnit.DAY, code_set="HCPCS Level II")
    >>> "T1030" in per_diem, "S9123" in per_diem
    (True, False)
    """

    __slots__ = ("_codes",)

    def __init__(self, codes: Iterable[Code] = ()) -> None:
        table: dict[str, Code] = {}
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidFieldError("codes", c, "is not a Code")
            table[c.code] = c
        self._codes = dict(sorted(table.items()))

    def __getitem__(self, key: str) -> Code:
        return self.lookup(key)

    def get(self, key: object, default: Any = None) -> Any:
        """The entry for ``key``, or ``default`` when it is malformed or unknown."""
        try:
            return self.lookup(key)
        except UnknownCodeError:
            return default

    def __iter__(self) -> Iterator[str]:
        return iter(self._codes)

    def __len__(self) -> int:
        return len(self._codes)

    def __contains__(self, key: object) -> bool:
        try:
            return normalize_code(key) in self._codes
        except UnknownCodeError:
            return False

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Catalog):
            return self._codes == other._codes
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = ", ".join(list(self._codes)[:6])
        more = ", ..." if len(self._codes) > 6 else ""
        return f"<Catalog of {len(self._codes)} codes: {head}{more}>"

    def codes(self) -> Iterator[Code]:
        """Iterate the :class:`~hcpcs_home.codes.Code` values in code order."""
        return iter(self._codes.values())

    def lookup(self, code: object, *, on: _dt.date | None = None) -> Code:
        """Return the entry for ``code``, optionally checking it is in effect ``on`` a date.

        :raises UnknownCodeError: malformed or unknown code (with a suggestion
            when a known code is one edit away).
        :raises CodeNotEffectiveError: the code exists but not on that date.
        """
        try:
            key = normalize_code(code)
        except UnknownCodeError:
            raise UnknownCodeError(code, self._suggest(code)) from None
        found = self._codes.get(key)
        if found is None:
            raise UnknownCodeError(code, self._suggest(key))
        if on is not None:
            if not isinstance(on, _dt.date) or isinstance(on, _dt.datetime):
                raise InvalidFieldError("on", on, "must be a datetime.date")
            if not found.is_effective(on):
                raise CodeNotEffectiveError(
                    found.code, on, found.effective, found.terminated, found.replaced_by
                )
        return found

    def filter(
        self,
        *,
        discipline: Discipline | str | None = None,
        unit: BillingUnit | str | None = None,
        credential: Credential | str | None = None,
        code_set: CodeSet | str | None = None,
        setting: Setting | str | None = None,
        on: _dt.date | None = None,
        medicare_accepts: bool | None = None,
    ) -> Catalog:
        """The codes matching every given criterion (``None`` means any).

        ``credential`` and ``setting`` match codes that list them; ``on`` keeps
        codes in effect on that date.
        """
        d = None if discipline is None else Discipline(discipline)
        u = None if unit is None else BillingUnit(unit)
        c = None if credential is None else Credential(credential)
        cs = None if code_set is None else CodeSet(code_set)
        s = None if setting is None else Setting(setting)
        return Catalog(
            code
            for code in self._codes.values()
            if (d is None or code.discipline is d)
            and (u is None or code.unit is u)
            and (c is None or c in code.credentials)
            and (cs is None or code.code_set is cs)
            and (s is None or s in code.settings)
            and (on is None or code.is_effective(on))
            and (medicare_accepts is None or code.medicare_accepts is medicare_accepts)
        )

    def _suggest(self, value: object) -> str | None:
        if not isinstance(value, str) or len(value) > 16:
            return None
        text = "".join(value.split()).upper()
        if not 4 <= len(text) <= 6:
            return None
        for candidate in _one_edit(text):
            if candidate in self._codes:
                return candidate
        return None

    def _repr_html_(self) -> str:
        codes = list(self._codes.values())
        if not codes:
            return "<p>empty catalog</p>"
        columns = [
            "code",
            "descriptor",
            "unit",
            "discipline",
            "credentials",
            "revenue codes",
            "Medicare",
            "effective",
            "terminated",
        ]
        head = "".join(f"<th>{html.escape(c)}</th>" for c in columns)
        body = "".join(
            "<tr>"
            + "".join(
                f"<td style='text-align:left'>{html.escape(code.summary()[c])}</td>"
                for c in columns
            )
            + "</tr>"
            for code in codes
        )
        return f"<table><thead><tr>{head}</tr></thead><tbody>{body}</tbody></table>"


def _one_edit(text: str) -> Iterator[str]:
    """Strings one substitution, transposition, insertion or deletion from ``text``."""
    n = len(text)
    # Later positions first: a typo in the last digits is likelier than in the family letter.
    for i in reversed(range(n)):
        for ch in _ALPHANUM:
            if ch != text[i]:
                yield text[:i] + ch + text[i + 1 :]
    for i in range(n - 1):
        yield text[:i] + text[i + 1] + text[i] + text[i + 2 :]
    for i in range(n):
        yield text[:i] + text[i + 1 :]
    for i in range(n + 1):
        for ch in _ALPHANUM:
            yield text[:i] + ch + text[i:]


# --- the shipped table -------------------------------------------------------

_lock = threading.Lock()
_default: Catalog | None = None


def default_catalog() -> Catalog:
    """The shipped catalog, read from ``hcpcs_home/data/codes.tsv`` on first call."""
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Catalog(_codes_from_rows(read_table("codes.tsv")))
    return _default


def lookup(code: object, *, on: _dt.date | None = None) -> Code:
    """Return the shipped :class:`~hcpcs_home.codes.Code` for ``code``.

    Case and whitespace are ignored.  With ``on``, the code must be in effect
    on that date of service.

    >>> import datetime
    >>> lookup("G0154", on=datetime.date(2016, 3, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.CodeNotEffectiveError: code 'G0154' ... after 2016-02-29; use G0299 or G0300

    :raises UnknownCodeError: malformed or unknown code.
    :raises CodeNotEffectiveError: known code, not in effect ``on`` that date.
    """
    return default_catalog().lookup(code, on=on)


def _date(text: str) -> _dt.date | None:
    return _dt.date.fromisoformat(text) if text else None


def _codes_from_rows(rows: Iterable[Mapping[str, str]]) -> Iterator[Code]:
    """The code table's rows (read by :func:`hcpcs_home._tables.read_table`) as codes."""
    for number, row in enumerate(rows, start=2):
        try:
            yield _row_to_code(row)
        except Exception as exc:  # pragma: no cover - the shipped table is tested
            raise InvalidFieldError(f"codes.tsv row {number}", row, str(exc)) from exc


def _row_to_code(row: Mapping[str, str]) -> Code:
    def members(enum_type: Any, text: str) -> list[Any]:
        return [enum_type[name] for name in text.split()]

    effective = _date(row["effective"])
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
        terminated=_date(row["terminated"]),
        replaced_by=row["replaced_by"].split(),
        source=row["source"],
    )


def load_cms_file(path: Any) -> Iterator[Code]:
    """Yield a :class:`~hcpcs_home.codes.Code` for every procedure code in a CMS HCPCS TXT file.

    See :mod:`hcpcs_home._cms_file` for the record layout.
    """
    from ._cms_file import load_cms_file as _load

    return _load(path)
