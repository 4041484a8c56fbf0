"""The catalog of home-health, home-care and hospice codes, and :func:`lookup`.

The catalog has two layers.  Below, the *validity layer*: every HCPCS Level II
code and modifier of one CMS release (a :class:`Release`), with its dates,
coverage and processing note, read from the compact tables
``hcpcs_home/data/release_codes.tsv`` and ``release_modifiers.tsv`` that
``tools/build_release.py`` builds from CMS's file.  Above it, the *curated*
home-care layer, ``hcpcs_home/data/codes.tsv``: unit, discipline, credentials,
settings and revenue codes reviewed against public sources.  Every table is
read once, lazily, on first use, and a row becomes a value when it is first
looked up: checking a claim of curated codes reads neither the 6,440 release
codes nor the modifiers it does not carry.

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
import os
import threading
from collections.abc import Iterable, Iterator, Mapping
from typing import TYPE_CHECKING, Any

import attrs

from . import _catalog_rows
from ._tables import (
    Indexed,
    indexed,
    keyed_text,
    provenance,
    provenance_text,
    read_keyed,
)
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

if TYPE_CHECKING:
    pass

__all__ = [
    "CMS_RELEASE",
    "DATA_DIR_ENV",
    "DATA_RELEASE",
    "Catalog",
    "Release",
    "data_dir",
    "default_catalog",
    "load_cms_file",
    "load_release",
    "lookup",
    "lookup_modifier",
]


def __dir__() -> list[str]:
    return __all__


DATA_RELEASE = "2026.12"
"""Release of the shipped curated code table (``YYYY.MM`` of its last review)."""

CMS_RELEASE = "2020 October quarterly"
"""The CMS HCPCS Level II release the bundled validity layer was built from
(``HCPC2020_OCT_anweb.xlsx``, CMS's October 2020 quarterly workbook, saved by CMS
on 2020-08-11): every code of the 2020 annual file and of the April, July and
October 2020 updates, current for dates of service 2020-10-01 to 2020-12-31.
``hcpcs-home catalog load FILE`` installs a newer one (:func:`load_release`)."""

_ALPHANUM = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
_NOT_RECORDED = _dt.date(1900, 1, 1)

#: The columns of the bundled validity layer's tables (``tools/build_release.py`` writes them).
_RELEASE_COLUMNS = {
    "release_codes.tsv": (
        "code",
        "added",
        "terminated",
        "action",
        "coverage",
        "note",
        "unit",
        "min",
        "short",
    ),
    "release_modifiers.tsv": (
        "modifier",
        "added",
        "terminated",
        "action",
        "coverage",
        "short",
        "descriptor",
    ),
}


class Release:
    """Every HCPCS Level II code and modifier of one CMS release: the validity layer.

    A code here is *valid*: it exists, with CMS's dates, coverage and
    processing note.  What the release does not say (discipline, credentials,
    settings, revenue codes) the curated layer adds; :class:`Catalog` joins
    the two.  Build one from a newer CMS file with :meth:`from_cms_file`.

    >>> from hcpcs_home import default_catalog
    >>> release = default_catalog().release
    >>> release
    <Release 2020 October quarterly: 6825 codes, 371 modifiers>
    >>> release.current
    (datetime.date(2020, 10, 1), datetime.date(2020, 12, 31))
    >>> release.code("T2025").descriptor, release.modifier("TD").credential
    ('Waiver service, nos', <Credential.RN: 'RN'>)

    :param name: the release's name (``"2020 October quarterly"``, ``"2026 annual"``).
    :param codes: its procedure codes.
    :param modifiers: its modifiers; the library's curated assertions
        (discipline, credential ...) are added to any not already curated.
    :param published: the date CMS published it, if known.
    :param current: the first and last dates of service the release is the
        current code set for (CMS updates it each quarter), if known.
    """

    __slots__ = ("_codes", "_folder", "_modifiers", "current", "name", "published")

    def __init__(
        self,
        name: str,
        codes: Iterable[Code] = (),
        modifiers: Iterable[Modifier] = (),
        *,
        published: _dt.date | None = None,
        current: tuple[_dt.date, _dt.date] | None = None,
    ) -> None:
        if not isinstance(name, str) or not name.strip():
            raise InvalidFieldError("name", name, "must be a non-empty string")
        if published is not None and (
            not isinstance(published, _dt.date) or isinstance(published, _dt.datetime)
        ):
            raise InvalidFieldError("published", published, "must be a datetime.date")
        if current is not None and (
            not isinstance(current, tuple)
            or len(current) != 2
            or not all(isinstance(d, _dt.date) and not isinstance(d, _dt.datetime) for d in current)
            or current[1] < current[0]
        ):
            raise InvalidFieldError(
                "current", current, "must be (first date, last date) as datetime.date values"
            )
        self.name = name.strip()
        """The release's name."""
        self.published = published
        """The date CMS published the release, if known."""
        self.current = current
        """``(first, last)``: the dates of service the release is the current code set for
        (``None`` when not known).  A claim dated after ``last`` may bill codes CMS added
        since (see the ``release-out-of-date`` rule)."""
        #: Where the tables of a loaded release are (``None``: the package's data).
        self._folder: str | None = None
        table: dict[str, Code | str] = {}
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidFieldError("codes", c, "is not a Code")
            table[c.code] = c
        # A value is a built entry or, in the bundled release, its table line not yet
        # parsed; ``None`` is the bundled table not yet read (see _code_table).
        self._codes: dict[str, Code | str] | None = dict(sorted(table.items()))
        self._modifiers: dict[str, Modifier | str] | None = _index_modifiers(modifiers)

    @classmethod
    def _bundled(
        cls,
        name: str,
        published: _dt.date | None,
        current: tuple[_dt.date, _dt.date] | None = None,
        folder: str | None = None,
    ) -> Release:
        """The release of ``release_codes.tsv`` and ``release_modifiers.tsv`` (in the
        package's data, or in ``folder`` for a loaded release), each read on first need."""
        release = cls(name, published=published, current=current)
        release._codes = release._modifiers = None
        release._folder = folder
        return release

    def _code_table(self) -> dict[str, Code | str]:
        table = self._codes
        return self._read("_codes", "release_codes.tsv") if table is None else table

    def _modifier_table(self) -> dict[str, Modifier | str]:
        table = self._modifiers
        return self._read("_modifiers", "release_modifiers.tsv") if table is None else table

    def _read(self, slot: str, name: str) -> dict[str, Any]:
        """Read a bundled table into ``slot`` once, however many threads ask at once."""
        with _release_lock:
            table = getattr(self, slot)
            if table is None:
                if self._folder is None:
                    header, lines = read_keyed(name)
                else:
                    header, lines = _read_loaded(os.path.join(self._folder, name))
                columns = _RELEASE_COLUMNS[name]
                if header != columns:
                    raise InvalidFieldError(name, header, f"does not have the columns {columns}")
                table = dict(sorted(lines.items()))
                setattr(self, slot, table)
        return table  # type: ignore[no-any-return]

    def _modifier_entry(self, table: dict[str, Modifier | str], key: str) -> Modifier | None:
        found = table.get(key)
        if found is None or isinstance(found, Modifier):
            return found
        built = _line_to_release_modifier(found)
        table[key] = built  # racing threads build equal values
        return built

    @classmethod
    def from_cms_file(
        cls, path: Any, *, name: str | None = None, published: _dt.date | None = None
    ) -> Release:
        """The release a CMS HCPCS Level II file holds (every code and modifier): the
        fixed-width TXT file or the XLSX workbook, told apart by content.

        Codes carry CMS's long descriptors; ``name`` defaults to the file name.
        :attr:`current` comes from the file name's year and quarter
        (``HCPC2020_OCT_anweb.xlsx``: 2020-10-01 to 2020-12-31), see
        :func:`hcpcs_home._cms_file.release_period`.

        :raises InvalidFieldError: the file cannot be read or is not a CMS file
            (see :func:`hcpcs_home._cms_file.read_cms_records`).
        """
        # Imported here, on the first CMS file read: checking claims never needs the reader.
        from . import _cms_file

        file = _cms_file._as_path(path)
        records = _cms_file.read_cms_records(file)
        _, first, last = _cms_file.release_period(file.name, records)
        source = f"CMS HCPCS file {file.name}"
        codes = [r.to_code(source) for r in records if not r.is_modifier]
        modifiers = [r.to_modifier() for r in records if r.is_modifier]
        return cls(name or file.name, codes, modifiers, published=published, current=(first, last))

    def code(self, value: object) -> Code | None:
        """The release's entry for a procedure code, ``None`` when absent or malformed."""
        try:
            key = normalize_code(value)
        except UnknownCodeError:
            return None
        table = self._code_table()
        found = table.get(key)
        if found is None or isinstance(found, Code):
            return found
        built = _line_to_release_code(found, self.name)
        table[key] = built  # racing threads build equal values
        return built

    def modifier(self, value: object) -> Modifier | None:
        """The release's entry for a modifier, ``None`` when absent or malformed."""
        table = self._modifier_table()
        if type(value) is str and value in table:  # already canonical: a claim line's
            return self._modifier_entry(table, value)
        try:
            key = normalize_modifier(value)
        except UnknownModifierError:
            return None
        return self._modifier_entry(table, key)

    def codes(self) -> Iterator[Code]:
        """Every procedure code of the release, in code order."""
        return (c for c in map(self.code, list(self._code_table())) if c is not None)

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
        return self._matching_modifiers(criteria)

    def _matching_modifiers(self, criteria: dict[str, Any]) -> Iterator[Modifier]:
        table = self._modifier_table()
        # A line not yet built without a curated assertion becomes a modifier that
        # asserts nothing: build it only if such a modifier can match.
        plain = {a.name: a.default for a in attrs.fields(Modifier) if a.name in criteria}
        plain_fits = all(plain[k] == v for k, v in criteria.items())
        role = criteria.get("role")
        asserted = _catalog_rows.assertions()
        for key, entry in list(table.items()):
            if isinstance(entry, str):
                row = asserted.get(key)
                if row is None and not plain_fits:
                    continue
                if row is not None and isinstance(role, ModifierRole) and row["role"] != role.name:
                    continue  # a curated modifier of another role
            m = self._modifier_entry(table, key)
            if m is not None and all(getattr(m, k) == v for k, v in criteria.items()):
                yield m

    def code_ids(self) -> tuple[str, ...]:
        """Every procedure code of the release, as text, sorted."""
        return tuple(self._code_table())

    def modifier_ids(self) -> tuple[str, ...]:
        """Every modifier of the release, as text, sorted."""
        return tuple(self._modifier_table())

    def __contains__(self, value: object) -> bool:
        return self.code(value) is not None or self.modifier(value) is not None

    def __repr__(self) -> str:
        codes, modifiers = len(self._code_table()), len(self._modifier_table())
        return f"<Release {self.name}: {codes} codes, {modifiers} modifiers>"


_MODIFIER_CRITERIA = frozenset(
    {"role", "discipline", "credential", "assistant", "telehealth", "curated"}
)


def _index_modifiers(modifiers: Iterable[Modifier]) -> dict[str, Modifier | str]:
    table: dict[str, Modifier | str] = {}
    for m in modifiers:
        if not isinstance(m, Modifier):
            raise InvalidFieldError("modifiers", m, "is not a Modifier")
        table[m.code] = m if m.curated else _catalog_rows.with_assertions(m)
    return dict(sorted(table.items()))


_release_lock = threading.Lock()


def _line_to_release_code(line: str, release: str) -> Code:
    code, added, terminated, _action, coverage, note, unit, minimum, descriptor = line.split("\t")
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
        effective=_catalog_rows.parse_date(added) or _NOT_RECORDED,
        terminated=_catalog_rows.parse_date(terminated),
        source=f"CMS HCPCS Level II file, {release} release (validity layer: not curated)",
        curated=False,
    )


def _line_to_release_modifier(line: str) -> Modifier:
    code, added, terminated, _action, coverage, short, descriptor = line.split("\t")
    return Modifier(
        code=code,
        descriptor=descriptor,
        short_descriptor=short,
        effective=_catalog_rows.parse_date(added) or _NOT_RECORDED,
        terminated=_catalog_rows.parse_date(terminated),
        coverage=coverage or None,
        **_catalog_rows.assertion_fields(code),
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

    __slots__ = ("_codes", "_pending", "_release")

    def __init__(self, codes: Iterable[Code] = (), *, release: Release | None = None) -> None:
        table: dict[str, Code] = {}
        for c in codes:
            if not isinstance(c, Code):
                raise InvalidFieldError("codes", c, "is not a Code")
            table[c.code] = c
        if release is not None and not isinstance(release, Release):
            raise InvalidFieldError("release", release, "is not a Release")
        # A value is a built Code or, in the shipped catalog, its codes.tsv line not
        # yet parsed (built on first lookup; see _entries for every code).
        self._codes: dict[str, Code | str] = dict(sorted(table.items()))
        self._release = release
        # The shipped catalog's codes.tsv before its lines are split (_all): a first check
        # builds a few codes, each found in the text (#21); after 64 finds, split it.
        self._pending: tuple[Indexed, list[int]] | None = None

    @classmethod
    def _shipped(cls, release: Release) -> Catalog:
        """The curated ``codes.tsv`` over ``release``, each row parsed on first need."""
        catalog = cls(release=release)
        catalog._pending = (indexed("codes.tsv"), [64])
        return catalog

    def _all(self) -> dict[str, Code | str]:
        """Every curated code, its line split from the text where not built yet."""
        if self._pending is not None:
            with _release_lock:
                if self._pending is not None:
                    self._codes, self._pending = _catalog_rows.curated(self._codes), None
        return self._codes

    def _entry(self, key: str) -> Code | None:
        # _pending read first: _all stores the split table, then clears _pending, so a
        # lookup that finds it cleared reads the split table, never the one before it.
        pending = self._pending
        found = self._codes.get(key)
        if found is None and pending is not None:
            pending[1][0] -= 1  # a find raced may go uncounted: split a find later
            found = pending[0].line(key) if pending[1][0] > 0 else self._all().get(key)
        if found is None or isinstance(found, Code):
            return found
        built = _catalog_rows.line_to_code(found)
        self._codes[key] = built  # racing threads build equal values
        return built

    def _entries(self) -> dict[str, Code]:
        """Every curated code, built."""
        return {key: self._entry(key) for key in list(self._all())}  # type: ignore[misc]

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
        return Catalog(self.codes(), release=release)

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
        return iter(self._all())

    def __len__(self) -> int:
        return len(self._all())

    def __contains__(self, key: object) -> bool:
        try:
            code = normalize_code(key)
        except UnknownCodeError:
            return False
        return code in self._all() or (
            self._release is not None and self._release.code(code) is not None
        )

    def __eq__(self, other: object) -> bool:
        if isinstance(other, Catalog):
            return self._entries() == other._entries() and self._release is other._release
        return NotImplemented

    __hash__ = None  # type: ignore[assignment]

    def __repr__(self) -> str:
        head = ", ".join(list(self._all())[:6])
        more = ", ..." if len(self._codes) > 6 else ""
        over = f" over CMS {self._release.name}" if self._release is not None else ""
        return f"<Catalog of {len(self._codes)} curated codes{over}: {head}{more}>"

    def codes(self) -> Iterator[Code]:
        """Iterate the curated :class:`~hcpcs_home.codes.Code` values in code order."""
        return iter(self._entries().values())

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
        found = self._entry(key)
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
        """The likeliest known code one edit from ``code`` in the same family, or ``None``:
        the first of :meth:`suggestions`.

        >>> from hcpcs_home import default_catalog
        >>> default_catalog().suggest("S9142"), default_catalog().suggest("T2026X")
        ('S9124', 'T2026')
        """
        found = self.suggestions(code, discipline=discipline, limit=1)
        return found[0] if found else None

    def suggestions(
        self, code: object, *, discipline: Discipline | str | None = None, limit: int = 5
    ) -> tuple[str, ...]:
        """Known codes one edit from ``code`` in the same family, likeliest first (at most
        ``limit``).

        The likeliest typo comes first: two neighbouring characters swapped
        (S9142 for S9124, G0115 for G0151), then one character mistyped (the
        last characters before the first), then one dropped or one added.  The
        family is the curated range the text falls in
        (``hcpcs_home/data/code_families.tsv``: T2001-T2041 waiver services,
        T2042-T2046 Medicaid hospice ...); outside every range, a suggestion
        must share the first four characters, or be the same characters
        transposed (which keeps the code's letter).  With ``discipline``, only
        a curated code of that discipline is suggested (for physical or
        occupational therapy or speech-language pathology, also a code any
        therapy discipline bills).  A code of another family or setting is
        never suggested.

        >>> from hcpcs_home import default_catalog
        >>> default_catalog().suggestions("G0115")[:2]
        ('G0151', 'G1015')
        """
        if not isinstance(code, str) or len(code) > 16:
            return ()
        if not isinstance(limit, int) or isinstance(limit, bool) or not 1 <= limit <= 100:
            raise InvalidFieldError("limit", limit, "must be a whole number from 1 to 100")
        text = "".join(code.split()).upper()
        if not 4 <= len(text) <= 6:
            return ()
        try:
            want = None if discipline is None else Discipline(discipline)
        except ValueError:
            raise InvalidFieldError("discipline", discipline, "is not a Discipline") from None
        fits = {want}
        if want in _THERAPY_DISCIPLINES:
            fits.add(Discipline.OUTPATIENT_THERAPY)
        family = _catalog_rows.family_of(text)
        found: list[str] = []
        for candidate, swapped in _one_edit(text):
            if len(candidate) != 5 or candidate in found or candidate not in self:
                continue
            if family is not None:
                if _catalog_rows.family_of(candidate) != family:
                    continue
            elif candidate[:4] != text[:4] and not (swapped and candidate[0] == text[0]):
                continue
            if want is not None:
                entry = self.get(candidate)
                if entry is None or not entry.curated or entry.discipline not in fits:
                    continue
            found.append(candidate)
            if len(found) == limit:
                break
        return tuple(found)

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
            for code in self.codes()
            if (d is None or code.discipline is d)
            and (u is None or code.unit is u)
            and (c is None or c in code.credentials)
            and (cs is None or code.code_set is cs)
            and (s is None or s in code.settings)
            and (on is None or code.is_effective(on))
            and (medicare_accepts is None or code.medicare_accepts is medicare_accepts)
        )

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

        codes = list(self.codes())
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


def _one_edit(text: str) -> Iterator[tuple[str, bool]]:
    """Strings one edit from ``text``, likeliest first, each with whether it is a
    transposition: two neighbouring characters swapped (the commonest code typo),
    then one substitution, deletion or insertion."""
    n = len(text)
    # Later positions first, as below: the code's letter is the least often mistyped.
    for i in reversed(range(n - 1)):
        if text[i] != text[i + 1]:
            yield text[:i] + text[i + 1] + text[i] + text[i + 2 :], True
    # Later positions first: a typo in the last digits is likelier than in the family letter.
    for i in reversed(range(n)):
        for ch in _ALPHANUM:
            if ch != text[i]:
                yield text[:i] + ch + text[i + 1 :], False
    for i in range(n):
        yield text[:i] + text[i + 1 :], False
    for i in range(n + 1):
        for ch in _ALPHANUM:
            yield text[:i] + ch + text[i:], False


# --- the shipped tables ------------------------------------------------------

_lock = threading.Lock()
_default: Catalog | None = None


def default_catalog() -> Catalog:
    """The shipped catalog: the curated ``codes.tsv`` over the CMS release in use.

    The release is the one last installed with :func:`load_release`
    (``hcpcs-home catalog load FILE``) in :func:`data_dir`, if any; otherwise the
    bundled :data:`CMS_RELEASE`.  Read on first call, once, under a lock.

    :raises InvalidFieldError: the data folder names a loaded release that
        cannot be read (remove the folder's ``current-release`` file, or load
        the CMS file again).
    """
    global _default
    if _default is None:
        with _lock:
            if _default is None:
                _default = Catalog._shipped(_loaded_release() or _bundled_release())
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
    """The validity layer of ``release_codes.tsv`` and ``release_modifiers.tsv``.

    Only the release's name and dates are read here (from the header of the
    modifier table, the smaller of the two, which ``tools/build_release.py``
    writes with the code table from the same CMS file); each table is read when
    first needed.
    """
    return _release_from_header(provenance("release_modifiers.tsv"), None)


def _release_from_header(lines: list[str], folder: str | None) -> Release:
    header = dict(line.split(": ", 1) for line in lines if ": " in line)
    try:
        first, _, last = header["current"].partition(" to ")
        current = (_dt.date.fromisoformat(first), _dt.date.fromisoformat(last))
        return Release._bundled(
            header["release"],
            _catalog_rows.parse_date(header.get("published", "")),
            current,
            folder=folder,
        )
    except (KeyError, ValueError) as exc:
        where = "hcpcs_home/data" if folder is None else folder
        raise InvalidFieldError(
            os.path.join(where, "release_modifiers.tsv"),
            header,
            f"does not name its release, publication date and current dates: {exc}",
        ) from None


# --- releases loaded from CMS files ---------------------------------------------

DATA_DIR_ENV = "HCPCS_HOME_DATA"
"""The environment variable naming the folder :func:`load_release` writes releases to
and :func:`default_catalog` reads the loaded one from (see :func:`data_dir`)."""

#: The file in the data folder naming the loaded release's folder (replaced atomically).
_CURRENT = "current-release"
_RELEASES = "releases"


def data_dir() -> str:
    """The folder loaded CMS releases live in.

    ``$HCPCS_HOME_DATA`` when set (:data:`DATA_DIR_ENV`); otherwise the user's
    data folder: ``$XDG_DATA_HOME/hcpcs_home`` (``~/.local/share/hcpcs_home``)
    on Linux and other POSIX systems, ``~/Library/Application Support/hcpcs_home``
    on macOS, ``%LOCALAPPDATA%\\hcpcs_home`` on Windows.  Nothing is created
    until a release is loaded.
    """
    chosen = os.environ.get(DATA_DIR_ENV)
    if chosen:
        return os.path.abspath(os.path.expanduser(chosen))
    import sys

    home = os.path.expanduser("~")
    if sys.platform == "win32":
        base = os.environ.get("LOCALAPPDATA") or os.path.join(home, "AppData", "Local")
    elif sys.platform == "darwin":
        base = os.path.join(home, "Library", "Application Support")
    else:
        base = os.environ.get("XDG_DATA_HOME") or os.path.join(home, ".local", "share")
    return os.path.join(base, "hcpcs_home")


def _read_loaded(path: str) -> tuple[tuple[str, ...], dict[str, str]]:
    try:
        with open(path, encoding="utf-8") as file:
            return keyed_text(file.read())
    except (OSError, ValueError) as exc:
        raise InvalidFieldError(
            path, "", f"cannot be read as a loaded release table: {exc}"
        ) from None


def _loaded_release() -> Release | None:
    """The release :func:`load_release` last wrote to :func:`data_dir`, if any."""
    folder = data_dir()
    pointer = os.path.join(folder, _CURRENT)
    if not os.path.isfile(pointer):
        return None
    try:
        with open(pointer, encoding="utf-8") as file:
            name = file.read().strip()
        tables = os.path.join(folder, _RELEASES, name)
        with open(os.path.join(tables, "release_modifiers.tsv"), encoding="utf-8") as file:
            header = provenance_text(file.read())
    except OSError as exc:
        raise InvalidFieldError(
            pointer, "", f"names a loaded release that cannot be read: {exc}"
        ) from None
    return _release_from_header(header, tables)


def load_release(path: Any, *, directory: Any = None, published: _dt.date | None = None) -> Release:
    """Install the release in a CMS HCPCS file (TXT or XLSX) as the one
    :func:`default_catalog`, :func:`lookup` and ``hcpcs-home`` use from now on.

    What ``hcpcs-home catalog load FILE`` does.  The whole file is read and
    checked first; then its compact tables are written to a new folder under
    ``directory`` (default :func:`data_dir`), renamed into place, and the
    folder's ``current-release`` pointer replaced in one step: a bad file, or a
    failure part way, leaves the previously loaded release in use and no partial
    release behind.  The release's name and current dates come from the file name
    (:func:`hcpcs_home._cms_file.release_period`).  Returns the installed release.

    :raises InvalidFieldError: the file cannot be read, is not a CMS HCPCS file
        (the error names the file and its first bad line or row), or the folder
        cannot be written.
    """
    import tempfile

    from . import _cms_file

    global _default
    file = _cms_file._as_path(path)
    records = _cms_file.read_cms_records(file)
    name, first, last = _cms_file.release_period(file.name, records)
    tables = _cms_file.release_tables(records, file.name, name, published, (first, last))
    base = data_dir() if directory is None else os.fspath(directory)
    slug = "".join(ch if ch.isalnum() else "-" for ch in name.lower()).strip("-") or "release"
    releases = os.path.join(base, _RELEASES)
    try:
        os.makedirs(releases, exist_ok=True)
        staging = tempfile.mkdtemp(prefix=f".{slug}-", dir=releases)
        for table, text in tables.items():
            with open(os.path.join(staging, table), "w", encoding="utf-8", newline="\n") as out:
                out.write(text)
        final = f"{slug}-{os.path.basename(staging).rsplit('-', 1)[-1]}"
        os.rename(staging, os.path.join(releases, final))
        fd, pointer = tempfile.mkstemp(prefix=".current-", dir=base)
        with os.fdopen(fd, "w", encoding="utf-8") as out:
            out.write(final + "\n")
        os.replace(pointer, os.path.join(base, _CURRENT))
    except OSError as exc:
        raise InvalidFieldError("directory", base, f"cannot be written: {exc}") from None
    with _lock:
        if directory is None or os.path.abspath(base) == data_dir():
            _default = None  # the next default_catalog() reads the new release
    return _release_from_header(
        provenance_text(tables["release_modifiers.tsv"]), os.path.join(releases, final)
    )


def load_cms_file(path: Any) -> Iterator[Code]:
    """Yield a :class:`~hcpcs_home.codes.Code` for every procedure code in a CMS HCPCS TXT file.

    The codes are not curated (``curated=False``).  For a catalog whose
    validity layer is the file's release, modifiers included, use
    :meth:`Catalog.from_cms_file` (or :meth:`Release.from_cms_file` with
    :meth:`Catalog.with_release`).  See :mod:`hcpcs_home._cms_file` for the
    record layout.
    """
    # Imported here, on the first CMS file read: checking claims never needs the reader.
    from . import _cms_file

    return _cms_file.load_cms_file(path)
