"""Every bound on what the library accepts, in one place, each with its reason.

A billing backend feeds this library whatever its users typed, uploaded or
exported.  Each value type checks its input against the bounds below *before*
any conversion whose cost grows with the input (text to :class:`~decimal.Decimal`
to :class:`int`, JSON parsing, date arithmetic), so hostile or broken input is
refused quickly with the library's own error instead of running for hours or
escaping as a :class:`RecursionError` or :class:`OverflowError`.

The bounds are generous for real claims: a value inside them can still be
wrong for billing (the rules say so); a value outside them cannot be billed at
all, so it is refused with :class:`~hcpcs_home.errors.InvalidFieldError` naming
the field.

>>> from hcpcs_home import ClaimLine, bounds
>>> bounds.MAX_UNITS
9999999
>>> ClaimLine("G0299", "2024-03-04", "1e9999999")
Traceback (most recent call last):
...
hcpcs_home.errors.InvalidFieldError: units='1e9999999' has more than 18 digits
>>> ClaimLine("G0299", "1899-12-31", 1)
Traceback (most recent call last):
...
hcpcs_home.errors.InvalidTimeError: date='1899-12-31' is outside 1900-01-01..2099-12-31
>>> bounds.check_json_depth("[" * 100_000 + "]" * 100_000)
Traceback (most recent call last):
...
hcpcs_home.errors.InvalidFieldError: $='[[[[[[[[[[[[[[[[[[[[...' nests deeper than 32 levels
"""

from __future__ import annotations

import datetime as _dt
import re

from .errors import InvalidFieldError

__all__ = [
    "ASCII_DIGITS",
    "MAX_AUTHORIZATIONS",
    "MAX_CODE_TEXT",
    "MAX_DATE",
    "MAX_DECIMAL_DIGITS",
    "MAX_DIAGNOSES",
    "MAX_DOCUMENT_BYTES",
    "MAX_ID_LENGTH",
    "MAX_JSON_DEPTH",
    "MAX_LINES",
    "MAX_LINE_BYTES",
    "MAX_LINE_MINUTES",
    "MAX_MODIFIERS",
    "MAX_NAME_LENGTH",
    "MAX_NUMBER_TEXT",
    "MAX_SERVICES",
    "MAX_STAY_DAYS",
    "MAX_TEXT_LENGTH",
    "MAX_UNITS",
    "MAX_UNIT_PLACES",
    "MIN_DATE",
    "PARSER_SAFE_BRACKETS",
    "check_depth_before_parsing",
    "check_json_depth",
    "is_ascii_digits",
]


def __dir__() -> list[str]:
    return __all__


# --- dates -------------------------------------------------------------------------

MIN_DATE = _dt.date(1900, 1, 1)
"""The earliest date accepted anywhere (service, statement, license, authorization dates).

The HCPCS catalog's own "effective since always" date, and before any claim
form: Medicare and Medicaid date from 1965, the UB-04 prints dates as ``MMDDYY``
(form locators 6 and 45), which a two-digit year cannot place in a century
without a window.  Earlier dates are typing errors (``0024`` for ``2024``)."""

MAX_DATE = _dt.date(2099, 12, 31)
"""The latest date accepted anywhere.

Licenses and authorizations expire within a few years; a "never expires"
placeholder such as ``9999-12-31`` is refused rather than silently treated as
a date (arithmetic on it overflows: a shift starting on 9999-12-31 ends in a
year :mod:`datetime` cannot hold).  2099 keeps every date inside the same
century as the ``MMDDYY`` dates of the UB-04."""

# --- numbers -----------------------------------------------------------------------

MAX_DECIMAL_DIGITS = 18
"""Most digits in any number (units, charges, amounts), counted before conversion.

X12's longest amount element is ``R 1/18`` (SV2-03 and SV1-02 line charge,
CLM02 total charge), so a number with more digits cannot be sent on an 837.
Counting them before :class:`~decimal.Decimal` and :class:`int` conversion is
what keeps ``"1e9999999"`` (eight characters, ten million digits) from running
for hours."""

MAX_NUMBER_TEXT = 40
"""Most characters in the text of one number (sign, digits, point, exponent, spaces)."""

MAX_UNITS = 9_999_999
"""Most units on one claim line or authorization.

UB-04 form locator 46 (service units) holds seven digits, and an X12 SV2-05 /
SV1-04 quantity (``R 1/15``) holds it with room to spare.  A day of care is at
most 1,440 one-minute units, so any realistic line is far below."""

MAX_UNIT_PLACES = 2
"""Most decimal places in fractional units.

Payers that bill fractions bill tenths (Texas Medicaid's tenths of an hour) or
quarter and half units; a third decimal place is a data error."""

MAX_LINE_MINUTES = 24 * 60
"""Most minutes one service or line may document, a single day (1,440)."""

ASCII_DIGITS = frozenset("0123456789")
"""The only characters accepted as digits (type of bill, revenue codes, NPIs, units, dates).

``str.isdigit()`` also accepts Arabic-Indic, Devanagari, full-width and
superscript digits, which no claim form or X12 element carries."""

# --- text --------------------------------------------------------------------------

MAX_CODE_TEXT = 32
"""Most characters in the text of a HCPCS/CPT code before spaces are removed (a code is 5)."""

MAX_ID_LENGTH = 80
"""Most characters in an identifier (claim, patient, service, staff, license, authorization).

The longest identifier element of an 837 is ``AN 2/80`` (NM109, the member
or provider id); patient control numbers (CLM01) are shorter (``AN 1/38``)."""

MAX_NAME_LENGTH = 200
"""Most characters in a name (a payer's name, a unit policy's name)."""

MAX_TEXT_LENGTH = 10_000
"""Most characters in free text (a payer's or unit policy's ``source`` citations)."""

# --- structure ---------------------------------------------------------------------

MAX_JSON_DEPTH = 32
"""Deepest nesting of arrays and objects accepted in JSON text.

A claim document nests four levels (claim, payer, unit policy; claim, lines,
line, modifiers); a saved rule set nests as deep as its conditions.  The
depth is counted by a linear scan (:func:`check_json_depth`) before any value
is converted, so ``"[" * 100000`` is refused without recursion.
:func:`~hcpcs_home.serialize.claim_from_json` and the command line scan text of
more than :data:`PARSER_SAFE_BRACKETS` brackets before parsing it
(:func:`check_depth_before_parsing`); shorter text cannot nest deeper than the
parser safely recurses, and after parsing it is scanned unless the one-pass
reader accepts it, which takes only the claim format's own shape (six levels
at most)."""

MAX_LINES = 10_000
"""Most service lines on one claim.

An 837I claim carries at most 999 service lines (loop 2400); a claim built
for checking before it is split for submission may hold more, so the bound is
on the work one claim can cost, not on a form."""

MAX_SERVICES = 10_000
"""Most documented services on one claim, and service ids on one line."""

MAX_STAY_DAYS = 36_600
"""Most days one hospice level-of-care line may cover, and most hospice days before a
claim (:func:`hcpcs_home.hospice.rhc_split`): about a century.

A hospice claim covers one month; the bound keeps a per-day line of
:data:`MAX_UNITS` days from walking millions of dates past year 9999."""

MAX_AUTHORIZATIONS = 1_000
"""Most prior authorizations on one claim, and codes on one authorization."""

MAX_DIAGNOSES = 25
"""Most diagnosis codes on one service (an 837I claim's principal and 24 other diagnoses)."""

MAX_MODIFIERS = 4
"""Most modifiers on one line, four (UB-04 form locator 44, X12 C003-03 to C003-06)."""

# --- files (the hcpcs-home command) ------------------------------------------------

MAX_LINE_BYTES = 8 * 1024 * 1024
"""Longest JSON line (one claim) ``hcpcs-home check`` reads; a longer one is one unreadable record.

JSON lines are read line by line, so this bounds the memory one record costs
(a claim at :data:`MAX_LINES` lines of a few hundred bytes each fits)."""

MAX_DOCUMENT_BYTES = 64 * 1024 * 1024
"""Largest whole JSON document or CSV timesheet ``hcpcs-home check`` reads.

They must be read whole (a JSON list ends at its last byte; a claim's CSV rows
may be anywhere), so larger batches belong in JSON lines."""


def is_ascii_digits(text: object) -> bool:
    """Whether ``text`` is a non-empty string of ASCII digits only (see :data:`ASCII_DIGITS`).

    >>> is_ascii_digits("0329"), is_ascii_digits("0\\u0663\\u06629"), is_ascii_digits("")
    (True, False, False)
    """
    return isinstance(text, str) and bool(text) and text.isascii() and text.isdigit()


# Compiled (and cached by re) on first need: most claims are under the depth limit.
_STRING = r'"(?:[^"\\]+|\\.?)*(?:"|\Z)'
_NOT_BRACKET = r"[^\[\]{}]+"


def check_json_depth(text: str, *, limit: int = MAX_JSON_DEPTH, field: str = "$") -> None:
    """Refuse JSON ``text`` whose arrays and objects nest deeper than ``limit``.

    One linear scan, outside strings, with no recursion: run it before
    ``json.loads``, whose decoder recurses once per level.  Malformed text
    that is not too deep is left for the parser to report.

    >>> check_json_depth('{"lines": [{"modifiers": ["GN"]}], "id": "[[[["}')
    >>> check_json_depth("[[[", limit=2, field="line 3")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidFieldError: line 3='[[[' nests deeper than 2 levels

    :raises InvalidFieldError: the text nests too deep.
    """
    if text.count("[") + text.count("{") > limit:  # fewer cannot nest deeper
        _scan_depth(text, limit, field)


def _scan_depth(text: str, limit: int, field: str) -> None:
    """The scan of :func:`check_json_depth`, for text with more brackets than ``limit``."""
    depth = 0
    for char in re.sub(_NOT_BRACKET, "", _outside_strings(text)):
        if char in "[{":
            depth += 1
            if depth > limit:
                preview = text if len(text) <= 20 else text[:20] + "..."
                raise InvalidFieldError(field, preview, f"nests deeper than {limit} levels")
        else:
            depth -= 1


PARSER_SAFE_BRACKETS = 256
"""Brackets a JSON text may hold and still be parsed before its depth is scanned.

Text with fewer cannot nest deeper than this, which the parser's recursion
handles on any thread's stack (measured down to 64 KiB).  Its depth is then
checked after parsing, before anything is converted (see
:func:`~hcpcs_home.serialize.claim_from_json`)."""


def check_depth_before_parsing(text: str, *, field: str = "$") -> None:
    """Refuse JSON ``text`` nesting deeper than :data:`MAX_JSON_DEPTH` before it is
    parsed, where it could nest deeper than the parser safely recurses: text of more
    than :data:`PARSER_SAFE_BRACKETS` brackets is scanned (:func:`check_json_depth`);
    shorter text is left to be checked after parsing.

    >>> check_depth_before_parsing("[" * 300 + "]" * 300)
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidFieldError: $='[[[[[[[[[[[[[[[[[[[[...' nests deeper than 32 levels
    >>> check_depth_before_parsing("[" * 40 + "]" * 40)  # parsed first, checked after

    :raises InvalidFieldError: the text nests too deep.
    """
    if _brackets(text) > PARSER_SAFE_BRACKETS:
        _scan_depth(text, MAX_JSON_DEPTH, field)


#: Every byte but ``[`` and ``{``: deleted by :func:`_brackets`.
_NOT_BRACKETS = bytes(b for b in range(256) if b not in b"[{")


def _brackets(text: str) -> int:
    """How many ``[`` and ``{`` ``text`` holds, counted in one pass in C.

    ``str.count`` compares each character in turn, and two counts read the text
    twice; the text as Latin-1 bytes is a copy of its memory for text of
    characters below U+0100 (most JSON), and ``bytes.translate`` deleting every
    other byte leaves just the brackets.  A character past U+00FF becomes ``?``,
    never a bracket, so the count is exact for any text.
    """
    return len(text.encode("latin-1", "replace").translate(None, _NOT_BRACKETS))


def _outside_strings(text: str) -> str:
    """``text`` without its JSON strings (an unclosed one runs to the end)."""
    if "\\" in text:
        return re.sub(_STRING, "", text, flags=re.DOTALL)
    # Without a backslash no quote is escaped: every other piece between quotes is outside
    # a string, and splitting is twice as fast as the pattern.
    return "".join(text.split('"')[::2])
