"""One map per interchange format: where each claim field goes, or why it does not.

A claim travels as an 837I or 837P, as UB-04 rows, as a CMS research (RIF)
file or as the claim CSV / DataFrame.  Each format's map, :data:`FORMATS`,
names for every field of :class:`~hcpcs_home.claims.Claim` and
:class:`~hcpcs_home.claims.ClaimLine` (and of
:class:`~hcpcs_home.claims.Service`, where the format carries services)
its element, form locator or column, or says it is not carried and why.  The
maps are data (``hcpcs_home/data/format_maps.tsv``, with their sources), read
lazily; the format modules read their targets from them, and a test walks
:func:`attrs.fields` of the claim nouns against every map, so a field added to
:class:`~hcpcs_home.claims.Claim` without a map entry fails the suite instead
of being dropped silently at the edges.

A field is one of four kinds (:class:`Kind`): *carried* (``target`` names the
element, locator or column), *given* (the reader takes it as an argument, as
``read_837(payer=)``), *derived* (read from other carried fields, as an 837P's
statement period from its lines) or *not carried* (``note`` says why).

>>> from hcpcs_home import formats
>>> sorted(formats.FORMATS)
['837I', '837P', 'CSV', 'RIF', 'UB-04']
>>> formats.FORMATS["837I"].target("notice_accepted")
'NTE*UPI*NOTICE ACCEPTED CCYYMMDD (a claim note; x12.claim_segments notice_note=)'
>>> formats.FORMATS["RIF"].entry("services").note
'the chart: research files carry no visit records'

:meth:`FormatMap.carried` is a claim as the format carries it: every field the
format does not carry back at its default, or at "not given" where the field
has one (``evv_visits``: ``None``, :attr:`Claim.has_evv
<hcpcs_home.claims.Claim.has_evv>`; no format here carries EVV visits).  A
claim written and read back equals it:

>>> import attrs
>>> from hcpcs_home import Claim, ClaimLine, Service, payers
>>> visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50", credential="RN")
>>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329",
...               id="C1", services=[visit], lines=[ClaimLine.from_service(
...                   visit, payer=payers.MEDICARE, type_of_bill="0329")])
>>> sent = formats.FORMATS["837I"].carried(claim)
>>> sent.services, sent.evv_visits, sent.has_evv
((), None, False)
>>> formats.FORMATS["CSV"].carried(claim) == attrs.evolve(claim, evv_visits=None)
True
"""

from __future__ import annotations

import enum
import threading
from collections.abc import Mapping
from typing import Any

import attrs

from . import _tables
from ._values import lazy_methods
from .claims import Claim, ClaimLine, Service
from .errors import InvalidFieldError

__all__ = ["FORMATS", "FieldEntry", "FormatMap", "Kind", "MapsTable", "fields_of"]


def __dir__() -> list[str]:
    return __all__


class Kind(str, enum.Enum):
    """How a format holds a field."""

    CARRIED = "carried"
    """In the format, where ``target`` says."""
    GIVEN = "given"
    """Not in the format; the reader takes it as an argument."""
    DERIVED = "derived"
    """Not in the format as such; the reader computes it from carried fields."""
    NOT_CARRIED = "not-carried"
    """Not in the format; ``note`` says why."""


@attrs.frozen(slots=True)
@lazy_methods
class FieldEntry:
    """Where one field goes in one format.

    :ivar field: the field, ``"admission_date"`` on the claim, ``"lines.units"`` on
        its lines, ``"services.start"`` on its services.
    :ivar kind: how the format holds it.
    :ivar target: the element, form locator or column (``"DTP*435-03"``,
        ``"FL12"``, ``"CLM_ADMSN_DT"``), or the reader argument of a given field.
    :ivar note: why a field is not carried, or a caveat.
    """

    field: str
    kind: Kind = attrs.field(converter=Kind)
    target: str = ""
    note: str = ""


#: The nouns a map covers, by the prefix of their fields.
_NOUNS: dict[str, type[Any]] = {"": Claim, "lines.": ClaimLine, "services.": Service}


def fields_of(prefix: str) -> tuple[str, ...]:
    """The field names a map must cover for the noun of ``prefix`` (``""``, ``"lines."``,
    ``"services."``), from :func:`attrs.fields`: what the coverage test walks.

    >>> fields_of("lines.")[:3]
    ('lines.code', 'lines.date', 'lines.units')
    """
    if prefix not in _NOUNS:
        raise InvalidFieldError("prefix", prefix, f"must be one of {sorted(_NOUNS)}")
    return tuple(prefix + a.name for a in attrs.fields(_NOUNS[prefix]))


@attrs.frozen(slots=True)
@lazy_methods
class FormatMap:
    """One format's map: an entry per field.

    :ivar name: the format (``"837I"``, ``"837P"``, ``"UB-04"``, ``"RIF"``, ``"CSV"``).
    :ivar entries: the entries, in the order of the data file.
    """

    name: str
    entries: tuple[FieldEntry, ...]

    def entry(self, field: str) -> FieldEntry:
        """The entry of ``field``.

        :raises KeyError: the map does not mention it.
        """
        for found in self.entries:
            if found.field == field:
                return found
        raise KeyError(field)

    def target(self, field: str) -> str | None:
        """Where the format carries ``field``, or ``None`` when it does not."""
        found = self.entry(field)
        return found.target if found.kind is Kind.CARRIED else None

    @property
    def not_carried(self) -> dict[str, str]:
        """The fields the format does not carry, each with the reason."""
        return {e.field: e.note for e in self.entries if e.kind is Kind.NOT_CARRIED}

    @property
    def carries_services(self) -> bool:
        """Whether the format carries the claim's services (the chart)."""
        return self.entry("services").kind is Kind.CARRIED

    def missing(self) -> list[str]:
        """The fields of the claim nouns this map does not mention (empty when complete)."""
        prefixes = ("", "lines.", "services.") if self.carries_services else ("", "lines.")
        named = {e.field for e in self.entries}
        return [f for p in prefixes for f in fields_of(p) if f not in named]

    def carried(self, claim: Claim) -> Claim:
        """``claim`` as the format carries it: every field it does not carry at its default
        (at "not given" where the field has one: ``evv_visits`` at ``None``).

        Given and derived fields are kept (the reader is given or computes them).
        What reading the format back gives, for a claim the format can hold.
        """
        if not isinstance(claim, Claim):
            raise InvalidFieldError("claim", claim, "must be a Claim")
        dropped = self.not_carried
        lines = tuple(_reset(line, dropped, "lines.") for line in claim.lines)
        services = (
            tuple(_reset(s, dropped, "services.") for s in claim.services)
            if "services" not in dropped
            else ()
        )
        kept: Claim = _reset(claim, dropped, "")
        return attrs.evolve(kept, lines=lines, services=services)

    def table(self) -> str:
        """The map as a reStructuredText list table (what the format's docs page shows)."""
        out = [
            f".. list-table:: {self.name}",
            "   :header-rows: 1",
            "   :widths: 25 35 40",
            "",
            "   * - field",
            "     - carried as",
            "     - note",
        ]
        for e in self.entries:
            where = e.target if e.kind is Kind.CARRIED else f"({e.kind.value}) {e.target}".strip()
            out += [f"   * - ``{e.field}``", f"     - {_rst(where)}", f"     - {_rst(e.note)}"]
        return "\n".join(out) + "\n"


def _rst(text: str) -> str:
    return text.replace("*", "\\*").replace("`", "\\`") if text else ""


def _reset(value: Any, dropped: Mapping[str, str], prefix: str) -> Any:
    changes = {}
    for a in attrs.fields(type(value)):
        if prefix + a.name in dropped and a.name not in ("lines", "services"):
            if "not_given" in a.metadata:  # what a reader gives (evv_visits: None)
                changes[a.name] = a.metadata["not_given"]
                continue
            default = a.default
            if isinstance(default, attrs.Factory):  # type: ignore[arg-type]
                default = default.factory()
            if default is attrs.NOTHING:
                continue  # a field without a default is never declared not carried
            changes[a.name] = default
    return attrs.evolve(value, **changes) if changes else value


class MapsTable(Mapping[str, FormatMap]):
    """The maps of every format by name, read from the data file on first use."""

    def __init__(self, table: str = "format_maps.tsv") -> None:
        self._table = table
        self._maps: dict[str, FormatMap] | None = None
        self._lock = threading.Lock()

    def _load(self) -> dict[str, FormatMap]:
        with self._lock:
            if self._maps is None:
                grouped: dict[str, list[FieldEntry]] = {}
                for row in _tables.read_table(self._table):
                    grouped.setdefault(row["format"], []).append(
                        FieldEntry(row["field"], row["kind"], row["target"], row["note"])
                    )
                self._maps = {n: FormatMap(n, tuple(e)) for n, e in grouped.items()}
            return self._maps

    def __getitem__(self, name: str) -> FormatMap:
        return self._load()[name]

    def __iter__(self) -> Any:
        return iter(self._load())

    def __len__(self) -> int:
        return len(self._load())

    @property
    def provenance(self) -> list[str]:
        """The data file's header lines, which say what the maps are and give their sources."""
        return _tables.provenance(self._table)


FORMATS: MapsTable = MapsTable()
"""Every format's :class:`FormatMap` by name: ``"837I"``, ``"837P"``, ``"UB-04"``,
``"RIF"`` and ``"CSV"``."""
