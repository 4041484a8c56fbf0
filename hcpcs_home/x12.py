"""837I ``SV2`` and 837P ``SV1`` service lines, to and from :class:`~hcpcs_home.claims.ClaimLine`.

Reading and writing whole 837 files is a parser's job; this module does the
part a claim checker owns: one :class:`~hcpcs_home.claims.ClaimLine`
as the segments of its service-line loop (loop 2400), and back.

Segment layouts, 005010 positions, from the X12 segment dictionaries as
published on stedi.com's X12 reference pages for SV1 and SV2 (https://www.stedi.com/edi/x12):

* ``SV2`` (837I institutional): SV2-01 revenue code; SV2-02 composite
  procedure identifier C003 (C003-01 qualifier, C003-02 code, C003-03 to
  C003-06 up to four modifiers, C003-07 description); SV2-03 line charge;
  SV2-04 unit basis; SV2-05 quantity.
* ``SV1`` (837P professional): SV1-01 composite procedure identifier
  (qualifier:code:mod1:mod2:mod3:mod4); SV1-02 charge; SV1-03 unit basis;
  SV1-04 quantity; SV1-05 place of service; SV1-07 diagnosis code pointers.
* ``LX`` (assigned line number) opens the loop and ``DTP*472`` carries the
  line's date of service (``D8`` format ``CCYYMMDD``).
* ``REF*G1`` carries a prior authorization number (REF01 ``G1``, REF02 the
  number, ``AN 1/50``; ``REF*9F`` is a referral number, not read).  The 837P
  has it in loop 2300 (the claim's) and in loop 2400 (a line's, sent only
  where it differs from the claim's: X12 RFI 2459,
  https://x12.org/resources/requests-for-interpretation/rfi-2459authorization-numbers-found-2300-loop-v-2400-loop);
  the 837I in loop 2300 only (its loop-2400 ``REF`` qualifiers are 6R, 9B and
  9D, as x12sdk's 005010X223A3 model lists them; X12 RFI 449 notes the
  institutional claim allows prior authorization at claim level only and
  recommends one per claim).  A ``ClaimLine.prior_auth`` is its line's
  ``REF*G1``; a loop-2300 ``REF*G1`` is the number of every line without one
  of its own.

**Unconfirmed.** The implementation-guide code values used here were not
confirmed against the 005010X223 (837I) and 005010X222 (837P) guides: the
``HC`` procedure qualifier, the unit bases ``UN`` (unit) and ``DA`` (days) on
SV2 and ``UN``/``MJ`` (minutes) on SV1, and ``DTP*472`` with ``D8``/``RD8``
in loop 2400 (no public copy of the guides was found).  Check them against the guides or
your clearinghouse's companion guide before relying on them.

>>> from hcpcs_home import ClaimLine
>>> from hcpcs_home import x12
>>> line = ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551", charge="150.00")
>>> x12.sv2(line)
'SV2*0551*HC:G0299*150*UN*4~'
>>> x12.parse_sv2('SV2*0551*HC:G0299*150*UN*4~', date="2024-03-04") == line
True
>>> x12.sv1(ClaimLine("T1019", "2024-03-04", 8, modifiers=["U1"], charge="40"),
...         place_of_service="12", diagnosis_pointers=[1])
'SV1*HC:T1019:U1*40*UN*8*12**1~'
"""

from __future__ import annotations

import datetime as _dt
import re
from collections.abc import Iterable, Sequence
from decimal import Decimal
from typing import Any

import attrs

from ._values import lazy_methods
from .claims import HIPPS_REVENUE_CODE, Claim, ClaimLine
from .codes import normalize_code
from .errors import HcpcsError, InvalidClaimError, InvalidFieldError, UnknownCodeError
from .payers import Payer

__all__ = [
    "DELIMITERS",
    "INSTITUTIONAL_UNIT_BASES",
    "PROFESSIONAL_UNIT_BASES",
    "Delimiters",
    "claim_segments",
    "parse_claim",
    "parse_service_line",
    "parse_service_lines",
    "parse_sv1",
    "parse_sv2",
    "service_line",
    "service_lines",
    "sv1",
    "sv2",
    "x12_decimal",
]


def __dir__() -> list[str]:
    return __all__


INSTITUTIONAL_UNIT_BASES = frozenset({"UN", "DA"})
"""The SV2-04 unit bases accepted, ``UN`` unit and ``DA`` days (837I values, UNCONFIRMED)."""

PROFESSIONAL_UNIT_BASES = frozenset({"UN", "MJ"})
"""The SV1-03 unit bases accepted, ``UN`` unit and ``MJ`` minutes (837P values, UNCONFIRMED)."""

_QUALIFIERS = {"HC": "HCPCS/CPT procedure code", "HP": "HIPPS code"}
_MAX_CHARGE = 18  # SV2-03 / SV1-02: R 1/18
_MAX_QUANTITY = 15  # SV2-05 / SV1-04: R 1/15
_NUMBER_RE = re.compile(r"-?(?:[0-9]+(?:\.[0-9]*)?|\.[0-9]+)\Z")
_POINTER_RE = re.compile(r"(?:[1-9]|1[0-2])\Z")  # a diagnosis pointer, 1 to 12
_CCYYMMDD_RE = re.compile(r"[0-9]{8}\Z")
_PRIOR_AUTH = "G1"  # REF01: prior authorization number (9F is a referral number)
_MAX_REFERENCE = 50  # REF02: AN 1/50


def _delimiter(value: object) -> str:
    if not isinstance(value, str) or len(value) != 1 or value.isalnum() or value.isspace():
        raise InvalidFieldError("delimiter", value, "must be a single punctuation character")
    return value


def _distinct(instance: Delimiters, attribute: attrs.Attribute[Any], value: str) -> None:
    if len({instance.element, instance.component, instance.segment}) != 3:
        raise InvalidFieldError(
            "delimiters",
            (instance.element, instance.component, instance.segment),
            "must be three different characters",
        )


@attrs.frozen(slots=True)
@lazy_methods
class Delimiters:
    """The separators of an interchange, as its ``ISA`` segment declares them.

    :ivar element: data element separator (the character after ``ISA``; ``*``).
    :ivar component: component element separator (ISA-16; ``:``).
    :ivar segment: segment terminator (the character after ISA-16; ``~``).

    >>> Delimiters(element="|", component="^", segment="a")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidFieldError: delimiter='a' must be a single punctuation character
    >>> x12_line = sv2(ClaimLine("G0151", "2024-03-04", 1, revenue_code="0421"),
    ...                delimiters=Delimiters("|", "^", "'"))
    >>> x12_line
    "SV2|0421|HC^G0151|0|UN|1'"
    """

    element: str = attrs.field(default="*", converter=_delimiter)
    component: str = attrs.field(default=":", converter=_delimiter)
    segment: str = attrs.field(default="~", converter=_delimiter, validator=_distinct)


DELIMITERS = Delimiters()
"""The usual separators, ``*`` between elements, ``:`` between components, ``~`` after segments."""


# --- numbers -------------------------------------------------------------------


def x12_decimal(value: int | Decimal) -> str:
    """A number as an X12 ``R`` (decimal) value: no exponent, no trailing zeros.

    >>> [x12_decimal(v) for v in (4, Decimal("1.70"), Decimal("150.00"), Decimal("0.25"))]
    ['4', '1.7', '150', '0.25']
    >>> x12_decimal(Decimal("1E+2"))
    '100'
    """
    if isinstance(value, bool) or not isinstance(value, (int, Decimal)):
        raise InvalidFieldError("value", value, "must be an int or a Decimal")
    if isinstance(value, int):
        return str(value)
    if not value.is_finite():
        raise InvalidFieldError("value", value, "must be finite")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _number(field: str, text: str, limit: int) -> Decimal:
    if not _NUMBER_RE.match(text):
        raise InvalidFieldError(field, text, "is not an X12 decimal number")
    if len(text.replace("-", "").replace(".", "")) > limit:
        raise InvalidFieldError(field, text, f"has more than {limit} digits")
    return Decimal(text)


def _quantity(field: str, value: int | Decimal) -> int | Decimal:
    """A line's units, which an 837 quantity (SV2-05, SV1-04) carries only above zero."""
    if value <= 0:
        raise InvalidFieldError(field, value, "must be above zero on an 837 line (drop the line)")
    return value


def _render_number(field: str, value: int | Decimal, limit: int) -> str:
    text = x12_decimal(value)
    if len(text.replace("-", "").replace(".", "")) > limit:
        raise InvalidFieldError(field, value, f"has more than {limit} digits for X12")
    return text


# --- rendering -----------------------------------------------------------------


def _procedure(line: ClaimLine, d: Delimiters) -> str:
    if line.qualifier is None:
        return ""
    return d.component.join((line.qualifier, line.code, *line.modifiers))


def _unit_basis(field: str, value: object, allowed: frozenset[str]) -> str:
    if not isinstance(value, str) or value not in allowed:
        raise InvalidFieldError(field, value, f"must be one of {', '.join(sorted(allowed))}")
    return value


def _segment(parts: Sequence[str], d: Delimiters) -> str:
    parts = list(parts)
    while parts and parts[-1] == "":
        parts.pop()
    return d.element.join(parts) + d.segment


def sv2(line: ClaimLine, *, unit_basis: str = "UN", delimiters: Delimiters = DELIMITERS) -> str:
    """The 837I ``SV2`` segment (institutional service line) for ``line``.

    SV2-01 revenue code, SV2-02 ``HC:code:modifiers``, SV2-03 charge, SV2-04
    ``unit_basis`` (``UN`` or ``DA``), SV2-05 units.  Dates are not part of
    SV2: see :func:`service_line` for the whole loop.

    :raises InvalidFieldError: the line has no revenue code, or a bad unit basis.
    """
    if not isinstance(line, ClaimLine):
        raise InvalidFieldError("line", line, "must be a ClaimLine")
    if line.revenue_code is None:
        raise InvalidFieldError("revenue_code", None, "is required on an 837I SV2 line")
    d = delimiters
    return _segment(
        (
            "SV2",
            line.revenue_code,
            _procedure(line, d),
            _render_number("charge", line.charge, _MAX_CHARGE),
            _unit_basis("unit_basis", unit_basis, INSTITUTIONAL_UNIT_BASES),
            _render_number("units", _quantity("units", line.units), _MAX_QUANTITY),
        ),
        d,
    )


def sv1(
    line: ClaimLine,
    *,
    unit_basis: str = "UN",
    place_of_service: str | None = None,
    diagnosis_pointers: Iterable[int] = (),
    delimiters: Delimiters = DELIMITERS,
) -> str:
    """The 837P ``SV1`` segment (professional service line) for ``line``.

    SV1-01 ``HC:code:modifiers``, SV1-02 charge, SV1-03 ``unit_basis``
    (``UN``; ``MJ`` for minutes), SV1-04 units, SV1-05 ``place_of_service``
    (``"12"`` is home), SV1-07 ``diagnosis_pointers`` (1-12, up to four).
    A professional line carries no revenue code, so ``line.revenue_code`` is
    not rendered.
    """
    if not isinstance(line, ClaimLine):
        raise InvalidFieldError("line", line, "must be a ClaimLine")
    if line.qualifier != "HC":
        raise InvalidFieldError("code", line.code, "an 837P SV1 line needs a HCPCS/CPT code")
    d = delimiters
    pos = ""
    if place_of_service is not None:
        if not (isinstance(place_of_service, str) and re.fullmatch(r"[0-9]{2}", place_of_service)):
            raise InvalidFieldError("place_of_service", place_of_service, "is not a two-digit code")
        pos = place_of_service
    pointers = tuple(diagnosis_pointers)
    if len(pointers) > 4 or not all(
        isinstance(p, int) and not isinstance(p, bool) and 1 <= p <= 12 for p in pointers
    ):
        raise InvalidFieldError(
            "diagnosis_pointers", pointers, "must be up to four integers from 1 to 12"
        )
    return _segment(
        (
            "SV1",
            _procedure(line, d),
            _render_number("charge", line.charge, _MAX_CHARGE),
            _unit_basis("unit_basis", unit_basis, PROFESSIONAL_UNIT_BASES),
            _render_number("units", _quantity("units", line.units), _MAX_QUANTITY),
            pos,
            "",
            d.component.join(str(p) for p in pointers),
        ),
        d,
    )


def service_line(
    line: ClaimLine,
    number: int,
    *,
    institutional: bool = True,
    unit_basis: str = "UN",
    delimiters: Delimiters = DELIMITERS,
    separator: str = "\n",
) -> str:
    """The service-line loop (2400) of ``line``: ``LX``, ``SV2`` or ``SV1``, ``DTP*472``.

    ``number`` is the LX assigned number (1 for the first line);
    ``institutional`` picks SV2 (837I) over SV1 (837P).  Segments are joined
    with ``separator`` (a newline by default; ``""`` for a one-line file).
    An 837P line's ``prior_auth`` follows as ``REF*G1``; an 837I line has no
    such segment (the 837I's number is the claim's, loop 2300: see
    :func:`claim_segments`), so the institutional loop leaves it out.

    >>> from hcpcs_home import ClaimLine
    >>> print(service_line(ClaimLine("G0299", "2024-03-04", 4, revenue_code="0551",
    ...                              charge="150"), 1))
    LX*1~
    SV2*0551*HC:G0299*150*UN*4~
    DTP*472*D8*20240304~
    """
    if isinstance(number, bool) or not isinstance(number, int) or number < 1:
        raise InvalidFieldError("number", number, "must be a positive whole number")
    d = delimiters
    body = (
        sv2(line, unit_basis=unit_basis, delimiters=d)
        if institutional
        else sv1(line, unit_basis=unit_basis, delimiters=d)
    )
    segments = [
        _segment(("LX", str(number)), d),
        body,
        _segment(("DTP", "472", *_render_dates(line.date, line.through)), d),
    ]
    if not institutional and line.prior_auth is not None:
        segments.append(_prior_auth_segment(line.prior_auth, d))
    return separator.join(segments)


def _prior_auth_segment(number: str, d: Delimiters) -> str:
    """``REF*G1*number``: a prior authorization number, bounded as REF02 (AN 1/50)."""
    if len(number) > _MAX_REFERENCE:
        raise InvalidFieldError(
            "prior_auth", number, f"is longer than {_MAX_REFERENCE} characters (REF02)"
        )
    clash = next((c for c in (d.element, d.component, d.segment) if c in number), None)
    if clash is not None:
        raise InvalidFieldError("prior_auth", number, f"holds the delimiter {clash!r}")
    return _segment(("REF", _PRIOR_AUTH, number), d)


def service_lines(
    claim: Claim, *, delimiters: Delimiters = DELIMITERS, separator: str = "\n"
) -> str:
    """Every line of ``claim`` as loop-2400 segments, numbered from 1.

    An institutional claim (one with a type of bill) gets ``SV2`` lines; a
    professional one ``SV1`` lines, each with its ``REF*G1`` where it has a
    ``prior_auth``.
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    institutional = claim.type_of_bill is not None
    return separator.join(
        service_line(
            line,
            i,
            institutional=institutional,
            delimiters=delimiters,
            separator=separator,
        )
        for i, line in enumerate(claim.lines, start=1)
    )


# --- parsing -------------------------------------------------------------------


def _elements(text: object, segment_id: str, d: Delimiters) -> list[str]:
    if not isinstance(text, str):
        raise InvalidFieldError(segment_id, text, "must be segment text")
    body = text.strip()
    if body.endswith(d.segment):
        body = body[: -len(d.segment)].rstrip()
    if d.segment in body:
        raise InvalidFieldError(segment_id, text, "holds more than one segment")
    parts = body.split(d.element)
    if parts[0] != segment_id:
        raise InvalidFieldError(segment_id, text, f"is not a {segment_id} segment")
    return parts


def _element(parts: list[str], index: int) -> str:
    return parts[index].strip() if index < len(parts) else ""


def _parse_procedure(
    field: str, text: str, d: Delimiters, *, revenue_code: str | None
) -> tuple[str, tuple[str, ...]]:
    """Code and modifiers of a C003 composite; ``("", ())`` for an empty SV2-02.

    ``HP`` (HIPPS) is read on the home-health ``0023`` line only, ``HC`` on any line.
    """
    if not text and revenue_code is not None:
        return "", ()
    parts = text.split(d.component)
    allowed = ("HC", "HP") if revenue_code == HIPPS_REVENUE_CODE else ("HC",)
    if parts[0] not in allowed:
        names = " or ".join(f"{q!r} ({_QUALIFIERS[q]})" for q in allowed)
        raise InvalidFieldError(f"{field}-1", parts[0], f"must be {names}")
    if len(parts) < 2 or not parts[1]:
        raise InvalidFieldError(f"{field}-2", "", "is required (the procedure code)")
    mods = parts[2:6]
    while mods and mods[-1] == "":
        mods.pop()
    if "" in mods:
        raise InvalidFieldError(f"{field}-{3 + mods.index('')}", "", "skips a modifier position")
    try:
        normalize_code(parts[1])
        hcpcs = True
    except UnknownCodeError:
        hcpcs = False
    if hcpcs != (parts[0] == "HC"):
        raise InvalidFieldError(f"{field}-2", parts[1], f"is not a {_QUALIFIERS[parts[0]]}")
    return parts[1], tuple(mods)


def _units(value: Decimal) -> int | Decimal:
    return int(value) if value == value.to_integral_value() else value


def parse_sv2(
    segment: str,
    *,
    date: _dt.date | str,
    through: _dt.date | str | None = None,
    delimiters: Delimiters = DELIMITERS,
) -> ClaimLine:
    """The :class:`~hcpcs_home.claims.ClaimLine` an 837I ``SV2`` segment describes, on ``date``.

    ``date`` (and ``through`` on a date-span line) come from the loop's
    ``DTP*472`` (see :func:`parse_service_line`).  SV2-02 may be empty on a
    revenue-only line; ``HP`` (a HIPPS code) is read on revenue code 0023.
    Errors name the segment position at fault (``SV2-03``).

    >>> parse_sv2("SV2*0023*HP:1FC21*0*UN*1~", date="2024-03-01").code
    '1FC21'

    >>> parse_sv2("SV2*0552*HC:S9124:TD*480.5*UN*8~", date="2024-05-01").charge
    Decimal('480.5')
    >>> parse_sv2("SV2*0552*HC:S9124*-1*UN*8~", date="2024-05-01")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidFieldError: SV2-03=Decimal('-1') must not be negative
    """
    parts = _elements(segment, "SV2", delimiters)
    return _service_line(parts, "SV2", 2, INSTITUTIONAL_UNIT_BASES, date, delimiters, through)


def parse_sv1(
    segment: str,
    *,
    date: _dt.date | str,
    through: _dt.date | str | None = None,
    delimiters: Delimiters = DELIMITERS,
) -> ClaimLine:
    """The :class:`~hcpcs_home.claims.ClaimLine` an 837P ``SV1`` segment describes, on ``date``.

    Place of service (SV1-05) and diagnosis pointers (SV1-07) are checked for
    form but not kept: a :class:`~hcpcs_home.claims.ClaimLine` does not hold them.

    >>> parse_sv1("SV1*HC:T1019:U1*40*UN*8*12**1~", date="2024-03-04").units
    8
    """
    d = delimiters
    parts = _elements(segment, "SV1", d)
    line = _service_line(parts, "SV1", 1, PROFESSIONAL_UNIT_BASES, date, d, through)
    pos = _element(parts, 5)
    if pos and not re.fullmatch(r"[0-9]{2}", pos):
        raise InvalidFieldError("SV1-05", pos, "is not a two-digit place of service")
    pointers = _element(parts, 7)
    if pointers and not all(_POINTER_RE.match(p) for p in pointers.split(d.component)):
        raise InvalidFieldError("SV1-07", pointers, "must be diagnosis pointers 1 to 12")
    return line


def _service_line(
    parts: list[str],
    sid: str,
    at: int,
    bases: frozenset[str],
    date: _dt.date | str,
    d: Delimiters,
    through: _dt.date | str | None = None,
) -> ClaimLine:
    """The line of an SV2 or SV1 whose procedure composite is element ``at``.

    SV2 and SV1 share their layout from the procedure on (procedure, charge,
    unit basis, quantity); SV2 puts the revenue code in front of it.
    """
    names = {n: f"{sid}-{at + i:02d}" for i, n in enumerate(("code", "charge", "basis", "units"))}
    if len(parts) < at + 4:
        raise InvalidFieldError(sid, d.element.join(parts), f"needs {sid}-01 to {names['units']}")
    revenue = (_element(parts, 1) or None) if at == 2 else None
    code, mods = _parse_procedure(
        names["code"],
        _element(parts, at),
        d,
        revenue_code=None if revenue is None else revenue.zfill(4),
    )
    _unit_basis(names["basis"], _element(parts, at + 2), bases)
    fields = {
        "revenue_code": f"{sid}-01",
        "code": f"{names['code']}-2",
        "modifiers": f"{names['code']}-3",
        "charge": names["charge"],
        "units": names["units"],
        "date": "DTP-03",
        "through": "DTP-03",
    }
    try:
        return ClaimLine(
            code=code,
            date=date,
            units=_quantity(
                "units", _units(_number(names["units"], _element(parts, at + 3), _MAX_QUANTITY))
            ),
            revenue_code=revenue,
            modifiers=mods,
            charge=_number(names["charge"], _element(parts, at + 1), _MAX_CHARGE),
            through=through,
        )
    except InvalidFieldError as exc:
        where = fields.get(exc.field, exc.field)
        raise type(exc)(where, exc.value, exc.reason) from None


def _dates(where: tuple[str, str], fmt: str, value: str) -> tuple[_dt.date, _dt.date | None]:
    """A ``D8`` day, or an ``RD8`` range as (first, last); ``where`` names the two elements."""
    if fmt not in ("D8", "RD8"):
        raise InvalidFieldError(where[0], fmt, "must be 'D8' or 'RD8'")
    days = value.split("-")
    if len(days) != (2 if fmt == "RD8" else 1):
        raise InvalidFieldError(where[1], value, f"is not a {fmt} value")
    try:
        if not all(_CCYYMMDD_RE.match(day) for day in days):
            raise ValueError(value)
        dates = [_dt.datetime.strptime(day, "%Y%m%d").date() for day in days]
    except ValueError:
        raise InvalidFieldError(where[1], value, "is not a CCYYMMDD date") from None
    if len(dates) == 2 and dates[1] < dates[0]:
        raise InvalidFieldError(where[1], value, "ends before it starts")
    return dates[0], dates[1] if len(dates) == 2 else None


def _render_dates(first: _dt.date, last: _dt.date | None) -> tuple[str, str]:
    if last is None:
        return "D8", first.strftime("%Y%m%d")
    return "RD8", f"{first:%Y%m%d}-{last:%Y%m%d}"


def _parse_dtp(segment: str, d: Delimiters) -> tuple[_dt.date, _dt.date | None]:
    parts = _elements(segment, "DTP", d)
    if _element(parts, 1) != "472":
        raise InvalidFieldError("DTP-01", _element(parts, 1), "must be '472' (service date)")
    return _dates(("DTP-02", "DTP-03"), _element(parts, 2), _element(parts, 3))


def _split(text: str, d: Delimiters) -> list[str]:
    return [s.strip() + d.segment for s in text.split(d.segment) if s.strip()]


def parse_service_line(text: str, *, delimiters: Delimiters = DELIMITERS) -> ClaimLine:
    """The line of one loop-2400 text: ``LX``, ``SV2`` or ``SV1``, ``DTP*472``, ``REF*G1``.

    A ``REF*G1`` (at most one a loop) is the line's ``prior_auth``.  Other
    segments of the loop (other ``REF``, ``AMT``, ``NTE``...) are skipped.

    >>> parse_service_line("LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~").date
    datetime.date(2024, 3, 4)
    """
    lines = parse_service_lines(text, delimiters=delimiters)
    if len(lines) != 1:
        raise InvalidFieldError("LX", text, f"holds {len(lines)} service lines, not one")
    return lines[0]


def parse_service_lines(text: str, *, delimiters: Delimiters = DELIMITERS) -> list[ClaimLine]:
    """Every service line in a run of loop-2400 segments, in order.

    Each loop starts at an ``LX`` whose numbers count up from 1; every problem
    found is reported at once in an
    :class:`~hcpcs_home.errors.InvalidClaimError` whose errors' fields are
    prefixed with the loop (``LX*2/SV2-03``).
    """
    if not isinstance(text, str):
        raise InvalidFieldError("text", text, "must be X12 text")
    d = delimiters
    loops: list[list[str]] = []
    for seg in _split(text, d):
        if seg.startswith("LX" + d.element):
            loops.append([seg])
        elif not loops:
            raise InvalidFieldError("LX", seg, "must open each service line loop")
        else:
            loops[-1].append(seg)
    out: list[ClaimLine] = []
    problems: list[HcpcsError] = []
    for expected, loop in enumerate(loops, start=1):
        try:
            out.append(_parse_loop(loop, expected, d))
        except InvalidFieldError as exc:
            problems.append(type(exc)(f"LX*{expected}/{exc.field}", exc.value, exc.reason))
    if problems:
        if len(problems) == 1:
            raise problems[0]
        raise InvalidClaimError("invalid service lines", problems)
    return out


def _parse_loop(loop: list[str], expected: int, d: Delimiters) -> ClaimLine:
    number = _element(_elements(loop[0], "LX", d), 1)
    if number != str(expected):
        raise InvalidFieldError("LX-01", number, f"must be {expected} (lines count up from 1)")
    service = [s for s in loop if s.startswith(("SV2" + d.element, "SV1" + d.element))]
    dates = [s for s in loop if s.startswith("DTP" + d.element + "472" + d.element)]
    if len(service) != 1:
        raise InvalidFieldError("SV2", len(service), "must appear once per loop (or SV1)")
    if len(dates) != 1:
        raise InvalidFieldError("DTP", len(dates), "must appear once per loop (DTP*472)")
    day, through = _parse_dtp(dates[0], d)
    if service[0].startswith("SV2"):
        line = parse_sv2(service[0], date=day, through=through, delimiters=d)
    else:
        line = parse_sv1(service[0], date=day, through=through, delimiters=d)
    auth = _prior_auth_of(loop, d)
    return line if auth is None else attrs.evolve(line, prior_auth=auth)


def _prior_auth_of(segments: Iterable[str], d: Delimiters) -> str | None:
    """The REF02 of the one ``REF*G1`` among ``segments`` (a loop's), or ``None``.

    A second ``REF*G1`` in the loop is refused: a line (or, in loop 2300, a
    claim) holds one number, and which of two the payer would take is unknown.
    """
    refs = (_elements(s, "REF", d) for s in segments if s.startswith("REF" + d.element))
    found = [parts for parts in refs if _element(parts, 1) == _PRIOR_AUTH]
    if not found:
        return None
    if len(found) > 1:
        raise InvalidFieldError("REF*G1", len(found), "must appear at most once per loop")
    value = _element(found[0], 2)
    if not value:
        raise InvalidFieldError("REF*G1-02", "", "is required (the prior authorization number)")
    if len(value) > _MAX_REFERENCE:
        raise InvalidFieldError(
            "REF*G1-02",
            value[:_MAX_REFERENCE] + "...",
            f"is longer than {_MAX_REFERENCE} characters",
        )
    if not value.isprintable():
        raise InvalidFieldError("REF*G1-02", value, "holds a control character")
    return value


# --- the claim (loop 2300) ------------------------------------------------------


#: HI code-list qualifiers of the institutional header: condition, occurrence, occurrence
#: span and value codes (837I loop 2300; UB-04 FL18-28, 31-34, 35-36, 39-41).
_HI_KINDS = {"BG": "condition", "BH": "occurrence", "BI": "span", "BE": "value"}
_HI_PER_SEGMENT = 12
#: The claim note (NTE02) that carries the notice acceptance date; see claim_segments.
_NOTICE_NOTE = "NOTICE ACCEPTED"
_NOTICE_RE = re.compile(r"NOTICE ACCEPTED ([0-9]{8})\Z")


def _hi_segments(qualifier: str, composites: list[list[str]], d: Delimiters) -> list[str]:
    """``HI`` segments of up to twelve composites each, all with ``qualifier``."""
    out = []
    for at in range(0, len(composites), _HI_PER_SEGMENT):
        chunk = composites[at : at + _HI_PER_SEGMENT]
        out.append(
            _segment(["HI", *(_composite([qualifier, *c], d) for c in chunk)], d),
        )
    return out


def _composite(parts: list[str], d: Delimiters) -> str:
    while parts and parts[-1] == "":
        parts.pop()
    return d.component.join(parts)


def _clm02(claim: Claim) -> Decimal:
    """CLM02: the claim's own total where it has one, else the sum of every SV2-03 written
    (an 837 balances CLM02 against its service lines; a 0001 line, if any, is one of them)."""
    if claim.total_charge is not None:
        return claim.total_charge
    return sum((line.charge for line in claim.lines), Decimal("0"))


def claim_segments(
    claim: Claim,
    *,
    delimiters: Delimiters = DELIMITERS,
    separator: str = "\n",
    notice_note: bool = True,
) -> str:
    """The 837I claim loop (2300) of ``claim`` and its service lines (loop 2400).

    ``CLM`` (CLM01 the claim id, CLM02 the claim's ``total_charge`` where it has
    one, else the sum of the line charges, CLM05 the
    type of bill as facility code, ``A`` and frequency), ``DTP*434`` (statement
    period, ``RD8``), ``DTP*435`` (admission date), ``CL1`` (CL1-02 point of
    origin, CL1-03 patient status), ``HI`` segments of condition (``BG``),
    occurrence (``BH``, ``D8``), occurrence span (``BI``, ``RD8``) and value
    (``BE``, amount in C022-05) codes, then each line as :func:`service_line`
    writes it.  The lines' shared ``prior_auth`` is the claim's ``REF*G1``
    (after ``CL1``), the one place an 837I has for it.

    The date the payer accepted the admission's notice
    (``Claim.notice_accepted``) has no element of its own
    in the 837I: the payer keeps it.  With ``notice_note=True`` (the default) it
    is written as a claim note, ``NTE*UPI*NOTICE ACCEPTED CCYYMMDD`` (NTE01
    ``UPI``, updated information, the general one of the note codes the 837I
    allows: ALG, DCP, DGN, DME, MED, NTR, ODT, RHB, RLH, RNH, SET, SFM, SPT, UPI,
    as x12sdk's 005010X223A3 model lists them), which :func:`parse_claim` reads back, so
    the late-notice rules judge a claim read from the file as they judged the
    claim written; ``notice_note=False`` leaves it out for a payer that wants
    no free-text notes.  Segment and qualifier choices: pyx12's 005010X223A2 map (via
    its public repository) and CMS's HIPPS definitions; the envelope and the
    other loops are a file writer's job (:mod:`hcpcs_home.x12_files`).

    >>> from hcpcs_home import Claim, ClaimLine, payers
    >>> claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329",
    ...               id="HH1", admission_date="2024-03-01", patient_status="30",
    ...               occurrence_codes=[("50", "2024-03-01")], value_codes=[("85", "36061")],
    ...               lines=[ClaimLine("1FC21", "2024-03-01", 1, revenue_code="0023")])
    >>> print(claim_segments(claim))
    CLM*HH1*0***32:A:9~
    DTP*434*RD8*20240301-20240330~
    DTP*435*D8*20240301~
    CL1***30~
    HI*BH:50:D8:20240301~
    HI*BE:85:::36061~
    LX*1~
    SV2*0023*HP:1FC21*0*UN*1~
    DTP*472*D8*20240301~

    :raises InvalidFieldError: the claim has no id or no type of bill (an 837I
        claim needs both), or its lines do not share one ``prior_auth``.
    """
    if not isinstance(claim, Claim):
        raise InvalidFieldError("claim", claim, "must be a Claim")
    if not claim.id:
        raise InvalidFieldError("id", claim.id, "is required (CLM01)")
    if claim.type_of_bill is None:
        raise InvalidFieldError("type_of_bill", None, "is required on an 837I claim (CLM05)")
    d = delimiters
    tob = claim.type_of_bill
    total = _clm02(claim)
    segments = [
        _segment(
            (
                "CLM",
                claim.id,
                _render_number("charge", total, _MAX_CHARGE),
                "",
                "",
                d.component.join((tob[1:3], "A", tob[3])),
            ),
            d,
        ),
        _segment(("DTP", "434", *_render_dates(claim.statement_from, claim.statement_through)), d),
    ]
    if claim.admission_date is not None:
        segments.append(_segment(("DTP", "435", *_render_dates(claim.admission_date, None)), d))
    if claim.point_of_origin is not None or claim.patient_status is not None:
        segments.append(
            _segment(("CL1", "", claim.point_of_origin or "", claim.patient_status or ""), d)
        )
    number = _claim_prior_auth(claim)
    if number is not None:
        segments.append(_prior_auth_segment(number, d))
    if notice_note and claim.notice_accepted is not None:
        segments.append(
            _segment(("NTE", "UPI", f"{_NOTICE_NOTE} {claim.notice_accepted:%Y%m%d}"), d)
        )
    segments += _hi_segments("BG", [[c] for c in claim.condition_codes], d)
    segments += _hi_segments(
        "BH", [[o.code, *_render_dates(o.date, None)] for o in claim.occurrence_codes], d
    )
    segments += _hi_segments(
        "BI", [[s.code, *_render_dates(s.start, s.through)] for s in claim.occurrence_spans], d
    )
    segments += _hi_segments(
        "BE",
        [
            [v.code, "", "", _render_number("amount", v.amount, _MAX_CHARGE)]
            for v in claim.value_codes
        ],
        d,
    )
    body = separator.join(segments)
    lines = service_lines(claim, delimiters=d, separator=separator)
    return body + (separator + lines if lines else "")


def _claim_prior_auth(claim: Claim) -> str | None:
    """The one prior authorization number of an 837I claim's lines (loop 2300 ``REF*G1``).

    The 837I carries the number for the whole claim only, so its lines must
    share one, or all have none; anything else could not be read back as it was.
    """
    numbers = {line.prior_auth for line in claim.lines}
    if len(numbers) > 1:
        raise InvalidFieldError(
            "lines.prior_auth",
            tuple(sorted(numbers, key=lambda n: (n is not None, n or ""))),
            "an 837I carries one prior authorization number for the whole claim "
            "(loop 2300 REF*G1): give every line the same number, or none",
        )
    return next(iter(numbers), None)


def parse_claim(
    text: str, *, payer: Payer | str = "medicare", delimiters: Delimiters = DELIMITERS
) -> Claim:
    """The :class:`~hcpcs_home.claims.Claim` of one 837I claim loop and its service lines.

    Reads what :func:`claim_segments` writes; a loop-2300 ``REF*G1`` (prior
    authorization) is the ``prior_auth`` of every line without a ``REF*G1`` of
    its own; other segments of loop 2300 (other ``REF``, ``NM1``, diagnosis
    ``HI`` segments, other notes...) are skipped.
    A CLM02 that differs from the sum of the lines is kept as
    ``Claim.total_charge``, for the
    ``total-charge-mismatch`` rule to report.  ``payer``
    is given, as matching an 837's payer name to a profile is guesswork.
    An 837 carries no EVV visits, so the claim does not give them
    (``evv_visits`` is ``None``, :attr:`Claim.has_evv
    <hcpcs_home.claims.Claim.has_evv>`).
    Every problem is reported at once, each under its segment
    (``HI*BH/2-3``: the second composite's date of an occurrence segment).

    >>> claim = parse_claim("CLM*HH1*150***32:A:9~DTP*434*RD8*20240301-20240330~"
    ...                     "HI*BG:54~LX*1~SV2*0551*HC:G0299*150*UN*4~DTP*472*D8*20240304~")
    >>> claim.type_of_bill, claim.condition_codes, claim.lines[0].code
    ('0329', ('54',), 'G0299')
    """
    if not isinstance(text, str):
        raise InvalidFieldError("text", text, "must be X12 text")
    d = delimiters
    segments = _split(text, d)
    at = next((i for i, s in enumerate(segments) if s.startswith("LX" + d.element)), None)
    head = segments if at is None else segments[:at]
    problems: list[HcpcsError] = []
    kwargs: dict[str, Any] = {
        "condition_codes": [],
        "occurrence_codes": [],
        "occurrence_spans": [],
        "value_codes": [],
        "evv_visits": None,  # an 837 carries none: not given (Claim.has_evv)
    }
    total: Decimal | None = None
    for seg in head:
        try:
            total = _header_segment(seg, d, kwargs, total)
        except InvalidFieldError as exc:
            problems.append(exc)
    try:
        claim_auth = _prior_auth_of(head, d)
    except InvalidFieldError as exc:
        problems.append(exc)
        claim_auth = None
    seen = {p.field.split("-")[0] for p in problems if isinstance(p, InvalidFieldError)}
    for name, segment in (("id", "CLM"), ("statement_from", "DTP*434")):
        if name not in kwargs and segment not in seen:
            problems.append(InvalidFieldError(segment, None, "is required"))
    lines: list[ClaimLine] = []
    if at is not None:
        try:
            lines = parse_service_lines(d.segment.join(segments[at:]), delimiters=d)
        except InvalidClaimError as exc:
            problems.extend(exc.errors)
        except InvalidFieldError as exc:
            problems.append(exc)
    lines = _with_claim_prior_auth(lines, claim_auth)
    if total is not None and total != sum((line.charge for line in lines), Decimal("0")):
        # A total that differs from the lines is kept, for the total-charge-mismatch rule.
        kwargs["total_charge"] = total
    if not problems:
        try:
            return Claim(payer=payer, lines=lines, **kwargs)
        except InvalidClaimError as exc:
            problems.extend(exc.errors)
        except InvalidFieldError as exc:
            problems.append(exc)
    if len(problems) == 1:
        raise problems[0]
    raise InvalidClaimError("invalid 837I claim", problems)


def _with_claim_prior_auth(lines: list[ClaimLine], number: str | None) -> list[ClaimLine]:
    """``lines`` with the claim's (loop 2300) prior authorization ``number`` on each line
    that has none of its own (a loop-2400 ``REF*G1`` overrides the claim's)."""
    if number is None:
        return lines
    return [line if line.prior_auth else attrs.evolve(line, prior_auth=number) for line in lines]


def _header_segment(
    seg: str, d: Delimiters, kwargs: dict[str, Any], total: Decimal | None
) -> Decimal | None:
    """Read one loop-2300 segment into ``kwargs``; returns CLM02 once read."""
    tag = seg.split(d.element, 1)[0]
    if tag == "CLM":
        parts = _elements(seg, "CLM", d)
        kwargs["id"] = _element(parts, 1)
        if not kwargs["id"]:
            raise InvalidFieldError("CLM-01", "", "is required (the claim id)")
        total = _number("CLM-02", _element(parts, 2), _MAX_CHARGE)
        tob = _element(parts, 5).split(d.component)
        if len(tob) != 3 or tob[1] != "A" or not re.fullmatch("[0-9]{2}", tob[0]):
            raise InvalidFieldError("CLM-05", _element(parts, 5), "must be like 32:A:9")
        kwargs["type_of_bill"] = "0" + tob[0] + tob[2]
        return total
    if tag == "DTP":
        parts = _elements(seg, "DTP", d)
        kind = _element(parts, 1)
        if kind == "434":
            first, last = _dates(
                ("DTP*434-02", "DTP*434-03"), _element(parts, 2), _element(parts, 3)
            )
            kwargs["statement_from"] = first
            kwargs["statement_through"] = last or first
        elif kind == "435":
            fmt, value = _element(parts, 2), _element(parts, 3)
            if fmt == "DT":  # CCYYMMDDHHMM: the admission hour is not kept
                fmt, value = "D8", value[:8]
            kwargs["admission_date"] = _dates(("DTP*435-02", "DTP*435-03"), fmt, value)[0]
        return total
    if tag == "NTE":
        parts = _elements(seg, "NTE", d)
        found = _NOTICE_RE.match(_element(parts, 2))
        if _element(parts, 1) == "UPI" and found:
            kwargs["notice_accepted"] = _dates(("NTE-01", "NTE-02"), "D8", found.group(1))[0]
        return total
    if tag == "CL1":
        parts = _elements(seg, "CL1", d)
        kwargs["point_of_origin"] = _element(parts, 2) or None
        kwargs["patient_status"] = _element(parts, 3) or None
        return total
    if tag == "HI":
        parts = _elements(seg, "HI", d)
        qualifier = _element(parts, 1).split(d.component)[0]
        hi_kind = _HI_KINDS.get(qualifier)
        if hi_kind is None:
            return total  # diagnosis and procedure code HI segments are not read here
        for n, composite in enumerate(parts[1:], start=1):
            where = f"HI*{qualifier}/{n}"
            _hi_composite(where, composite.strip().split(d.component), hi_kind, kwargs)
    return total


def _hi_composite(where: str, parts: list[str], kind: str, kwargs: dict[str, Any]) -> None:
    qualifier = {"condition": "BG", "occurrence": "BH", "span": "BI", "value": "BE"}[kind]
    if parts[0] != qualifier:
        raise InvalidFieldError(f"{where}-1", parts[0], f"must be {qualifier!r} in this segment")
    code = parts[1] if len(parts) > 1 else ""
    if kind == "condition":
        kwargs["condition_codes"].append(code)
    elif kind == "value":
        amount = parts[4] if len(parts) > 4 else ""
        kwargs["value_codes"].append((code, _number(f"{where}-5", amount, _MAX_CHARGE)))
    else:
        fmt = parts[2] if len(parts) > 2 else ""
        value = parts[3] if len(parts) > 3 else ""
        first, last = _dates((f"{where}-3", f"{where}-4"), fmt, value)
        if kind == "occurrence":
            if last is not None:
                raise InvalidFieldError(f"{where}-3", fmt, "must be 'D8' (one date)")
            kwargs["occurrence_codes"].append((code, first))
        else:
            if last is None:
                raise InvalidFieldError(f"{where}-3", fmt, "must be 'RD8' (a date range)")
            kwargs["occurrence_spans"].append((code, first, last))
