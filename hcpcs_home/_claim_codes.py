"""The converters and validators of a claim's coded fields: a line's HCPCS/HIPPS code
and its qualifier, the type of bill, and the header's NUBC codes (UB-04 FL12-41, 837I
loop 2300) with the payer.

The fields are :mod:`hcpcs_home.claims`'s; :data:`~hcpcs_home.claims.MAX_HEADER_CODES`
is documented there.
"""

from __future__ import annotations

import functools
import re
from typing import TYPE_CHECKING, Any

import attrs

from . import _fields as f
from . import bounds as lim
from .errors import InvalidFieldError, InvalidTimeError
from .payers import Payer, payer_profile

if TYPE_CHECKING:
    from .claims import ClaimLine, OccurrenceSpan

#: The home-health revenue code whose line carries the HIPPS code (documented in claims).
HIPPS_REVENUE_CODE = "0023"


_HIPPS_SHAPE = re.compile(r"[A-Z0-9]{5}\Z")
_HCPCS_SHAPE = re.compile(r"[A-Z0-9][0-9]{3}[A-Z0-9]\Z")


@functools.lru_cache(maxsize=4096)  # read for every line by several rules; codes repeat
def _qualifier(code: str) -> str | None:
    if not code:
        return None
    return "HC" if _HCPCS_SHAPE.match(code) else "HP"


def _line_code(value: object) -> str:
    """FL44: a HCPCS/CPT code, a HIPPS-shaped code (checked against the line later) or ``""``."""
    if isinstance(value, str) and len(value) <= lim.MAX_CODE_TEXT and value.isascii():
        text = "".join(value.split()).upper()
        if not text or _HCPCS_SHAPE.match(text):
            return text
        if _HIPPS_SHAPE.match(text):
            return text
    return f.code("code")(value)  # raises with the usual message


# Compiled (and cached by re) by the first claim with a type of bill (837P claims have none).
_BILL_TYPE = r"0?[0-9]{2}[0-9A-Z]\Z"


def _bill_type(value: object) -> str:
    # ASCII digits only: str.isdigit() also takes "\u0663" (Arabic-Indic three).
    text = value.strip().upper() if isinstance(value, str) and value.isascii() else value
    if not isinstance(text, str) or not re.match(_BILL_TYPE, text):
        raise InvalidFieldError("type_of_bill", value, "is not a type of bill such as '0329'")
    return text.zfill(4)


_HEADER_CODE = re.compile(r"[A-Z0-9]{2}\Z")
MAX_HEADER_CODES = 24


def _ascii_upper(value: object) -> object:
    """``value`` stripped and upper-cased if it is short ASCII text, else as given.

    ASCII first: ``"\u017f".upper()`` is ``"S"``, and form codes are ASCII.
    """
    if isinstance(value, str) and len(value) <= lim.MAX_CODE_TEXT and value.isascii():
        return value.strip().upper()
    return value


def _header_code(field: str) -> Any:
    """A two-character NUBC code; a lone digit gets its leading zero back (``"7"`` is ``"07"``)."""

    def convert(value: object) -> str:
        text = _ascii_upper(value)
        if isinstance(text, str) and len(text) == 1 and lim.is_ascii_digits(text):
            text = "0" + text
        if not isinstance(text, str) or not _HEADER_CODE.match(text):
            raise InvalidFieldError(field, value, "is not a two-character code")
        return text

    convert.__name__ = f"header_code_{field}"
    return convert


def _check_span(instance: OccurrenceSpan, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value < instance.start:
        raise InvalidTimeError("through", value, f"is before start={instance.start.isoformat()}")


def _coded(cls: type[Any], field: str) -> Any:
    """A converter to a tuple of ``cls``, taking instances or ``(code, ...)`` tuples."""
    arity = len(attrs.fields(cls))

    def item(value: object) -> Any:
        if isinstance(value, cls):
            return value
        if isinstance(value, (tuple, list)) and len(value) == arity:
            return cls(*value)
        raise InvalidFieldError(field, value, f"must be a {cls.__name__} or a {arity}-tuple")

    many = f.tuple_of(item, field)

    def convert(value: object) -> tuple[Any, ...]:
        found = many(value)
        if len(found) > MAX_HEADER_CODES:
            raise InvalidFieldError(field, len(found), f"must hold at most {MAX_HEADER_CODES}")
        return found

    convert.__name__ = f"coded_{field}"
    f.declare_items(convert, cls, MAX_HEADER_CODES)  # instances are kept as they are
    return convert


_condition_list = f.tuple_of(_header_code("condition_codes"), "condition_codes")


def _conditions(value: object) -> tuple[str, ...]:
    found = _condition_list(value)
    if len(found) > MAX_HEADER_CODES:
        raise InvalidFieldError(
            "condition_codes", len(found), f"must hold at most {MAX_HEADER_CODES}"
        )
    return found


def _point_of_origin(value: object) -> str:
    text = _ascii_upper(value)
    if not isinstance(text, str) or not re.fullmatch("[0-9A-Z]", text):
        raise InvalidFieldError("point_of_origin", value, "is not a one-character code")
    return text


def _patient_status(value: object) -> str:
    text = _ascii_upper(value)
    if isinstance(text, str) and len(text) == 1:
        text = "0" + text
    if not isinstance(text, str) or len(text) != 2 or not lim.is_ascii_digits(text):
        raise InvalidFieldError("patient_status", value, "is not a two-digit status code")
    return text


def _payer(value: object) -> Payer:
    if isinstance(value, str):
        return payer_profile(value)
    if not isinstance(value, Payer):
        raise InvalidFieldError("payer", value, "must be a Payer or a shipped profile id")
    return value


def _hcpcs_shaped(value: Any) -> bool:
    return value.__class__ is str and _HCPCS_SHAPE.match(value) is not None


@f.settled_by(_hcpcs_shaped)  # such a code needs no revenue code, and may carry modifiers
def _check_line_code(instance: ClaimLine, attribute: attrs.Attribute[Any], value: str) -> None:
    if not value:
        if instance.revenue_code is None:
            raise InvalidFieldError("code", value, "is required on a line without a revenue code")
        if instance.modifiers:
            raise InvalidFieldError("modifiers", instance.modifiers, "need a code to modify")
        return
    if _HCPCS_SHAPE.match(value):
        return
    if instance.revenue_code != HIPPS_REVENUE_CODE:
        raise InvalidFieldError(
            "code",
            value,
            f"is not a five-character HCPCS/CPT code (a HIPPS code belongs on revenue code "
            f"{HIPPS_REVENUE_CODE})",
        )
