"""The catalog of home-health, home-care and hospice codes, and :func:`lookup`.

The catalog has two layers.  Below, the *validity layer*: every HCPCS Level II
code and modifier of one CMS release (a :class:`Release`), with its dates,
coverage and processing note, read from the compact tables
``hcpcs_home/data/release_codes.tsv`` and ``release_modifiers.tsv`` that
``tools/build_release.py`` builds from CMS's file.  Above it, the *curated*
home-care layer, ``hcpcs_home/data/codes.tsv``: unit, discipline, credentials,
settings and revenue codes reviewed against public sources.  Every table is
read once, lazily, on first use.

Iterating a :class:`Catalog` (and :meth:`Catalog.filter`) walks the curated
layer; :meth:`Catalog.lookup`, indexing and ``in`` know every code of the
release too, returning a :class:`~hcpcs_home.codes.Code` with
``curated=False`` for one outside the curated layer.

>>> import datetime
>>> from hcpcs_home import lookup, default_catalog, Discipline
>>> lookup(" g0152").descriptor[:45]
'Services performed by a qualified occupationa'
>>> list(default_catalog().filter(discipline=Discipline.SPEECH_LANGUAGE_PATHOLOGY,
...                       code_set="HCPCS Level II", on=datetime.date(2024, 1, 1)))
['G0153', 'G0161', 'S9128']
>>> e0110 = lookup("E0110")
>>> e0110.curated, e0110.descriptor
(False, 'Crutch forearm pair')
"""

from __future__ import annotations

import datetime as _dt
import functools
import html
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import Any

import attrs

from ._cms_file import cms_release_parts
from ._cms_file import load_cms_file as _load_cms_file
from ._tables import provenance, read_table
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
from .errors import (
    CodeNotEffectiveError,
    InvalidFieldError,
    ModifierNotEffectiveError,
    UnknownCodeError,
    UnknownModifierError,
)
from .modifiers import Modifier, ModifierRole, normalize_modifier

__all__ = [
    "CMS_RELEASE",
    "DATA_RELEASE",
    "Catalog",
    "Release",
    "default_catalog",
    "load_cms_file",
    "lookup",
    "lookup_modifier",
]


def __dir__() -> list[str]:
    return __all__


DATA_RELEASE = "2026.12"
"""Release of the shipped curated code table (``YYYY.MM`` of its last review)."""

CMS_RELEASE = "2019 annual"
"""The CMS HCPCS Level II release the bundled validity layer was built from
(``HCPC2019_CONTR_ANWEB.txt``, published by CMS on 2018-11-02)."""

_ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NOT_RECORDED = _dt.date(1900, 1, 1)

#: A compact validity-layer row: added, terminated, action, coverage, processing note,
#: unit name, minimum minutes, descriptor.
_Row = tuple[str, str, str, str, str, str, str, str]


class Release:
    """Every HCPCS Level II code and modifier of one CMS release: the validity layer.

    A code here is *valid*: it exists, with CMS's dates, coverage and
    processing note.  What the release does not say (discipline, credentials,
    settings, revenue codes) the curated layer adds; :class:`Catalog` joins
    the two.  Build one from a newer CMS file with :meth:`from_cms_file`.

    >>> from hcpcs_home import default_catalog
    >>> release = default_catalog().release
    >>> release
    <Release 2019 annual: 6440 codes, 360 modifiers>
    >>> release.code("T2025").descriptor, release.modifier("TD").credential
    ('Waiver service, nos', <Credential.RN: 'RN'>)

    :param name: the release's name (``"2019 annual"``, ``"2026 January"``).
    :param codes: its procedure codes.
    :param modifiers: its modifiers; the library's curated assertions
        (discipline, credential ...) are added to any not already curated.
    :param published: the date CMS published it, if known.
    """

    __slots__ = ("_codes", "_modifiers", "name", "published")

    def __init__(
        self,
        name: str,
        codes: Iterable[Code] = (),
        modifiers: Iterable[Modifier] = (),
        *,
        published: _dt.date | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidFieldError("name", name, "must be a non-empty string")
        if published is not None and (
            not isinstance(published, _dt.date) or isinstance(published, _dt.datetime)
        ):
            raise InvalidFieldError("published", published, "must be a datetime.date")
        self.name = name.strip()
        """The release's name."""
        self.published = published
        """The date CMS published the release, if known."""
        table: dict[str, Code | _Row] = {}
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidFieldError("codes", c, "is not a Code")
            table[c.code] = c
        self._codes = dict(sorted(table.items()))
        self._modifiers = _index_modifiers(modifiers)

    @classmethod
    def _from_rows(
        cls,
        name: str,
        published: _dt.date | None,
        codes: dict[str, Code | _Row],
        modifiers: Iterable[Modifier],
    ) -> Release:
        release = cls(name, published=published)
        release._codes = codes
        release._modifiers = _index_modifiers(modifiers)
        return release

    @classmethod
    def from_cms_file(
        cls, path: Any, *, name: str | None = None, published: _dt.date | None = None
    ) -> Release:
        """The release a CMS HCPCS Level II TXT file holds (every code and modifier).

        Codes carry CMS's long descriptors; ``name`` defaults to the file name.

        :raises InvalidFieldError: the file cannot be read or is not a CMS file
            (see :func:`hcpcs_home._cms_file.read_cms_records`).
        """
        file_name, codes, modifiers = cms_release_parts(path)
        return cls(name or file_name, codes, modifiers, published=published)

    def code(self, value: object) -> Code | None:
        """The release's entry for a procedure code, ``None`` when absent or malformed."""
        try:
            key = normalize_code(value)
        except UnknownCodeError:
            return None
        found = self._codes.get(key)
        if found is None or isinstance(found, Code):
            return found
        built = _row_to_release_code(key, found, self.name)
        self._codes[key] = built  # racing threads build equal values
        return built

    def modifier(self, value: object) -> Modifier | None:
        """The release's entry for a modifier, ``None`` when absent or malformed."""
        try:
            return self._modifiers.get(normalize_modifier(value))
        except UnknownModifierError:
            return None

    def codes(self) -> Iterator[Code]:
        """Every procedure code of the release, in code order."""
        return (c for c in map(self.code, list(self._codes)) if c is not None)

    def modifiers(self, **criteria: Any) -> Iterator[Modifier]:
        """The release's modifiers, in code order, that match every given attribute.

        >>> from hcpcs_home import default_catalog, Discipline, ModifierRole
        >>> [m.code for m in default_catalog().release.modifiers(
        ...     role=ModifierRole.THERAPY_DISCIPLINE)]
        ['GN', 'GO', 'GP']
        """
        for name in criteria:
            if name not in _MODIFIER_CRITERIA:
                raise InvalidFieldError(name, criteria[name], "is not a modifier attribute")
        return (
            m
            for m in self._modifiers.values()
            if all(getattr(m, k) == v for k, v in criteria.items())
        )

    def code_ids(self) -> tuple[str, ...]:
        """Every procedure code of the release, as text, sorted."""
        return tuple(self._codes)

    def modifier_ids(self) -> tuple[str, ...]:
        """Every modifier of the release, as text, sorted."""
        return tuple(self._modifiers)

    def __contains__(self, value: object) -> bool:
        return self.code(value) is not None or self.modifier(value) is not None

    def __repr__(self) -> str:
        return f"<Release {self.name}: {len(self._codes)} codes, {len(self._modifiers)} modifiers>"


_MODIFIER_CRITERIA = frozenset(
    {"role", "discipline", "credential", "assistant", "telehealth", "curated"}
)


def _index_modifiers(modifiers: Iterable[Modifier]) -> dict[str, Modifier]:
    table: dict[str, Modifier] = {}
    for m in modifiers:
        if not isinstance(m, Modifier):
            raise InvalidFieldError("modifiers", m, "is not a Modifier")
        table[m.code] = m if m.curated else _with_assertions(m)
    return dict(sorted(table.items()))


def _row_to_release_code(code: str, row: _Row, release: str) -> Code:
    added, terminated, _action, coverage, note, unit, minimum, descriptor = row
    cov = Coverage(coverage) if coverage else None
    return Code(
        code=code,
        code_set=CodeSet.HCPCS,
        descriptor=descriptor,
        unit=BillingUnit[unit] if unit else BillingUnit.UNTIMED,
        min_minutes=int(minimum) if minimum else None,
        medicare_accepts=cov in (Coverage.CARRIER_JUDGMENT, Coverage.SPECIAL_INSTRUCTIONS),
        coverage=cov,
        processing_note=note or None,
        effective=_date(added) or _NOT_RECORDED,
        terminated=_date(terminated),
        source=f"CMS HCPCS Level II file, {release} release (validity layer: not curated)",
        curated=False,
    )


class Catalog(Mapping[str, Code]):
    """An immutable, ordered collection of curated :class:`~hcpcs_home.codes.Code` by code,
    over the :class:`Release` that says which codes and modifiers exist.

    Iteration, ``len``, :meth:`codes` and :meth:`filter` cover the curated
    layer.  Indexing, :meth:`lookup`, :meth:`get` and ``in`` answer "does the
    code exist": they also know every code of the release, and one outside
    the curated layer comes back with ``curated=False`` (its units and
    credentials are not checked).  Keys are normalised (``cat[" g0152"]``);
    :meth:`lookup` adds a date check and a suggestion for near misses.
    :meth:`filter` returns a smaller catalog of curated codes (without the
    release), so filters chain.

    >>> from hcpcs_home import default_catalog, BillingUnit
    >>> per_diem = default_catalog().filter(unit=BillingUnit.DAY, code_set="HCPCS Level II")
    >>> "T1030" in per_diem, "S9123" in per_diem
    (True, False)
    >>> "E0110" in default_catalog(), "E0110" in list(default_catalog())
    (True, False)
    """

    __slots__ = ("_codes", "_release")

    def __init__(self, codes: Iterable[Code] = (), *, release: Release | None = None) -> None:
        table: dict[str, Code] = {}
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidFieldError("codes", c, "is not a Code")
            table[c.code] = c
        if release is not None and not isinstance(release, Release):
            raise InvalidFieldError("release", release, "is not a Release")
        self._codes = dict(sorted(table.items()))
        self._release = release

    @classmethod
    def from_cms_file(cls, path: Any, *, curated: Iterable[Code] | None = None) -> Catalog:
        """A catalog whose validity layer is the release in a CMS HCPCS TXT file.

        ``curated`` defaults to the shipped curated layer, so a newer CMS file
        keeps the home-care attributes and adds or retires codes by its dates.
        """
        release = Release.from_cms_file(path)
        codes = default_catalog().codes() if curated is None else curated
        return cls(codes, release=release)

    @property
    def release(self) -> Release | None:
        """The validity layer below the curated codes, ``None`` for a catalog without one."""
        return self._release

    def with_release(self, release: Release | None) -> Catalog:
        """The same curated codes over another release (a newer CMS file)."""
        return Catalog(self._codes.values(), release=release)

    def __getitem__(self, key: str) -> Code:
        return self.lookup(key)

    def get(self, key: object, default: Any = None) -> Any:
        """The entry for ``key`` (curated or from the release), or ``default`` when
        it is malformed or unknown."""
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
            code = normalize_code(key)
        except UnknownCodeError:
            return False
        return code in self._codes or (
            self._release is not None and self._release.code(code) is not None
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Catalog):
            return self._codes == other._codes and self._release is other._release
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = ", ".join(list(self._codes)[:6])
        more = ", ..." if len(self._codes) > 6 else ""
        over = f" over CMS {self._release.name}" if self._release is not None else ""
        return f"<Catalog of {len(self._codes)} curated codes{over}: {head}{more}>"

    def codes(self) -> Iterator[Code]:
        """Iterate the curated :class:`~hcpcs_home.codes.Code` values in code order."""
        return iter(self._codes.values())

    def lookup(self, code: object, *, on: _dt.date | None = None) -> Code:
        """Return the entry for ``code``, optionally checking it is in effect ``on`` a date.

        A curated entry wins; otherwise the release's entry (``curated=False``).

        :raises UnknownCodeError: malformed or unknown code (with a suggestion
            when a known code of the same family is one edit away).
        :raises CodeNotEffectiveError: the code exists but not on that date.
        """
        try:
            key = normalize_code(code)
        except UnknownCodeError:
            raise UnknownCodeError(code, self.suggest(code)) from None
        found = self._codes.get(key)
        if found is None and self._release is not None:
            found = self._release.code(key)
        if found is None:
            raise UnknownCodeError(code, self.suggest(key))
        if on is not None:
            _check_date(on)
            if not found.is_effective(on):
                raise CodeNotEffectiveError(
                    found.code, on, found.effective, found.terminated, found.replaced_by
                )
        return found

    def lookup_modifier(self, modifier: object, *, on: _dt.date | None = None) -> Modifier:
        """Return the release's :class:`~hcpcs_home.modifiers.Modifier`, optionally
        checking it is in effect ``on`` a date.

        :raises UnknownModifierError: malformed or not in the release, with the
            modifiers probably meant (``"RN"`` suggests TD and TE).
        :raises ModifierNotEffectiveError: the modifier exists but not on that date.
        """
        found = self._release.modifier(modifier) if self._release is not None else None
        if found is None:
            raise UnknownModifierError(modifier, self._suggest_modifiers(modifier))
        if on is not None:
            _check_date(on)
            if not found.is_effective(on):
                raise ModifierNotEffectiveError(found.code, on, found.effective, found.terminated)
        return found

    def _suggest_modifiers(self, value: object) -> tuple[str, ...]:
        if self._release is None or not isinstance(value, str) or len(value) > 16:
            return ()
        text = "".join(value.split()).upper()
        credential = _CREDENTIAL_WORDS.get(text)
        if credential is not None:
            discipline = credential.discipline
            related = [
                m
                for m in self._release.modifiers(curated=True)
                if m.discipline is not None and m.discipline is discipline
            ]
            related.sort(
                key=lambda m: (m.credential is not credential, m.credential is not None, m.code)
            )
            return tuple(m.code for m in related)
        if len(text) == 2 and self._release.modifier(text[::-1]) is not None:
            return (text[::-1],)
        return ()

    def suggest(self, code: object, *, discipline: Discipline | str | None = None) -> str | None:
        """The known code one edit from ``code`` in the same family, or ``None``.

        The family is the curated range the text falls in
        (``hcpcs_home/data/code_families.tsv``: T2001-T2041 waiver services,
        T2042-T2046 Medicaid hospice ...); outside every range, a suggestion
        must share the first four characters.  With ``discipline``, only a
        curated code of that discipline is suggested (for physical or
        occupational therapy or speech-language pathology, also a code any
        therapy discipline bills).  A code of another family or setting is
        never suggested.

        >>> from hcpcs_home import default_catalog
        >>> default_catalog().suggest("S9132"), default_catalog().suggest("T2026X")
        ('S9131', 'T2026')
        """
        if not isinstance(code, str) or len(code) > 16:
            return None
        text = "".join(code.split()).upper()
        if not 4 <= len(text) <= 6:
            return None
        try:
            want = None if discipline is None else Discipline(discipline)
        except ValueError:
            raise InvalidFieldError("discipline", discipline, "is not a Discipline") from None
        fits = {want}
        if want in _THERAPY_DISCIPLINES:
            fits.add(Discipline.OUTPATIENT_THERAPY)
        family = _family_of(text)
        for candidate in _one_edit(text):
            if len(candidate) != 5 or candidate not in self:
                continue
            if family is not None:
                if _family_of(candidate) != family:
                    continue
            elif candidate[:4] != text[:4]:
                continue
            if want is not None:
                found = self.get(candidate)
                if found is None or not found.curated or found.discipline not in fits:
                    continue
            return candidate
        return None

    # The engine used this name before suggest() was public.
    _suggest = suggest

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
        """The curated codes matching every given criterion (``None`` means any).

        ``credential`` and ``setting`` match codes that list them; ``on`` keeps
        codes in effect on that date.  The result holds the matching curated
        codes only, with no release below them, so ``in`` on it means "matches".
        """
        d = None if discipline is None else Discipline(discipline)
        u = None if unit is None else BillingUnit(unit)
        c = None if credential is None else Credential(credential)
        cs = None if code_set is None else CodeSet(code_set)
        s = None if setting is None else Setting(setting)
        if on is not None:
            _check_date(on)
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


def _check_date(on: object) -> None:
    if not isinstance(on, _dt.date) or isinstance(on, _dt.datetime):
        raise InvalidFieldError("on", on, "must be a datetime.date")


#: Credential words a biller may type where a modifier belongs.
_CREDENTIAL_WORDS: dict[str, Credential] = {
    **{c.value: c for c in Credential},
    **{c.name: c for c in Credential},
    "LVN": Credential.LPN,
    "CSW": Credential.MSW,
    "LCSW": Credential.MSW,
}
_THERAPY_DISCIPLINES = frozenset(
    {
        Discipline.PHYSICAL_THERAPY,
        Discipline.OCCUPATIONAL_THERAPY,
        Discipline.SPEECH_LANGUAGE_PATHOLOGY,
    }
)


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


# --- the shipped tables ------------------------------------------------------

_lock = threading.Lock()
_default: Catalog | None = None


def default_catalog() -> Catalog:
    """The shipped catalog: the curated ``codes.tsv`` over the bundled CMS release.

    Read on first call, once, under a lock.
    """
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                starts = _program_starts()
                curated = (
                    _with_program_start(c, starts)
                    for c in _codes_from_rows(read_table("codes.tsv"))
                )
                _default = Catalog(curated, release=_bundled_release())
    return _default


def lookup(code: object, *, on: _dt.date | None = None) -> Code:
    """Return the shipped :class:`~hcpcs_home.codes.Code` for ``code``.

    Case and whitespace are ignored.  With ``on``, the code must be in effect
    on that date of service.  A code CMS knows but the curated layer does not
    comes back with ``curated=False``.

    >>> import datetime
    >>> lookup("G0154", on=datetime.date(2016, 3, 1))  # doctest: +ELLIPSIS
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.CodeNotEffectiveError: code 'G0154' ... after 2016-02-29; use G0299 or G0300

    :raises UnknownCodeError: malformed or unknown code.
    :raises CodeNotEffectiveError: known code, not in effect ``on`` that date.
    """
    return default_catalog().lookup(code, on=on)


def lookup_modifier(modifier: object, *, on: _dt.date | None = None) -> Modifier:
    """Return the shipped :class:`~hcpcs_home.modifiers.Modifier` for ``modifier``.

    Case and whitespace are ignored.  With ``on``, the modifier must be in
    effect on that date of service.

    >>> lookup_modifier("gp").discipline
    <Discipline.PHYSICAL_THERAPY: 'physical therapy'>
    >>> lookup_modifier("LPN")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.UnknownModifierError: unknown HCPCS modifier 'LPN'; did you mean 'TE' or 'TD'?

    :raises UnknownModifierError: malformed, or not in the CMS release.
    :raises ModifierNotEffectiveError: known modifier, not in effect ``on`` that date.
    """
    return default_catalog().lookup_modifier(modifier, on=on)


def _bundled_release() -> Release:
    """The validity layer from ``release_codes.tsv`` and ``release_modifiers.tsv``."""
    header = dict(line.split(": ", 1) for line in provenance("release_codes.tsv") if ": " in line)
    name = header["release"]
    codes: dict[str, Code | _Row] = {
        r["code"]: (
            r["added"],
            r["terminated"],
            r["action"],
            r["coverage"],
            r["note"],
            r["unit"],
            r["min"],
            r["short"],
        )
        for r in read_table("release_codes.tsv")
    }
    modifiers = (
        Modifier(
            code=r["modifier"],
            descriptor=r["descriptor"],
            short_descriptor=r["short"],
            effective=_date(r["added"]) or _NOT_RECORDED,
            terminated=_date(r["terminated"]),
            coverage=r["coverage"] or None,
        )
        for r in read_table("release_modifiers.tsv")
    )
    return Release._from_rows(name, _date(header["published"]), codes, modifiers)


def _with_assertions(modifier: Modifier) -> Modifier:
    """``modifier`` with the curated assertions of ``modifier_assertions.tsv``, if any."""
    row = _assertions().get(modifier.code)
    if row is None:
        return modifier
    return attrs.evolve(
        modifier,
        role=ModifierRole[row["role"]],
        discipline=Discipline[row["discipline"]] if row["discipline"] else None,
        credential=Credential[row["credential"]] if row["credential"] else None,
        assistant=row["assistant"] == "yes",
        telehealth=row["telehealth"] == "yes",
        source=row["source"],
        curated=True,
    )


@functools.cache
def _assertions() -> dict[str, dict[str, str]]:
    return {r["modifier"]: r for r in read_table("modifier_assertions.tsv")}


def _program_starts() -> dict[str, _dt.date]:
    """First dates of service the program takes a code, where they differ from HCPCS's."""
    return {
        r["code"]: _dt.date.fromisoformat(r["program_start"])
        for r in read_table("program_dates.tsv")
    }


def _with_program_start(code: Code, starts: Mapping[str, _dt.date]) -> Code:
    start = starts.get(code.code)
    return code if start is None else attrs.evolve(code, program_start=start)


@functools.cache
def _families() -> tuple[tuple[str, str, str], ...]:
    return tuple((r["first"], r["last"], r["family"]) for r in read_table("code_families.tsv"))


def _family_of(text: str) -> str | None:
    """The curated family whose range holds ``text`` (compared as text), if any."""
    for first, last, family in _families():
        if first <= text[:5] <= last:
            return family
    return None


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

    The codes are not curated (``curated=False``).  For a catalog whose
    validity layer is the file's release, modifiers included, use
    :meth:`Catalog.from_cms_file` (or :meth:`Release.from_cms_file` with
    :meth:`Catalog.with_release`).  See :mod:`hcpcs_home._cms_file` for the
    record layout.
    """
    return _load_cms_file(path)
