"""A timesheet row's columns: the field each names (aliases resolved), and its cells as
the arguments of a :class:`~hcpcs_home.claims.Service`.

What :meth:`Service.from_timesheet_row <hcpcs_home.claims.Service.from_timesheet_row>`
and :mod:`hcpcs_home.dataframes` read a row by.
"""

from __future__ import annotations

import functools
from collections.abc import Collection, Mapping
from typing import Any

from . import bounds as lim
from .errors import InvalidFieldError

_ALIASES = {
    "hcpcs": "code",
    "procedure": "code",
    "procedure_code": "code",
    "hcpcs_code": "code",
    "dos": "date",
    "service_date": "date",
    "date_of_service": "date",
    "time_in": "start",
    "start_time": "start",
    "clock_in": "start",
    "time_out": "stop",
    "end": "stop",
    "end_time": "stop",
    "stop_time": "stop",
    "clock_out": "stop",
    "duration": "minutes",
    "npi": "rendering_npi",
    "staff": "rendering_id",
    "staff_id": "rendering_id",
    "caregiver": "rendering_id",
    "caregiver_id": "rendering_id",
    "license": "license_number",
    "license_expiry": "license_expires",
    "license_expiration": "license_expires",
    "auth": "prior_auth",
    "authorization": "prior_auth",
    "pa_number": "prior_auth",
    "orders": "orders_on_file",
    "plan_of_care": "plan_of_care_on_file",
    "poc": "plan_of_care_on_file",
    "notes": "notes_on_file",
    "diagnosis": "diagnoses",
}


def _column_name(key: object) -> str:
    """The field a timesheet column names, aliases resolved (``"Time In"`` is ``start``)."""
    if type(key) is str:
        return _text_column_name(key)
    return _text_column_name(str(key))


@functools.lru_cache(maxsize=1024)  # asked for every cell of a timesheet; names are data
def _text_column_name(key: str) -> str:
    name = key.strip().lower().replace(" ", "_")
    return _ALIASES.get(name.replace("-", "_"), name)


def _same_field(first: str, second: str, name: str) -> InvalidFieldError:
    return InvalidFieldError(
        "columns",
        (first, second),
        f"both give {name!r}; keep one (which to believe is not guessed)",
    )


_BOOLEAN_COLUMNS = {"orders_on_file", "plan_of_care_on_file", "notes_on_file", "full_day"}


def _parse_bool(field: str, text: str) -> bool:
    word = text.strip().lower()
    if word in {"y", "yes", "true", "1"}:
        return True
    if word in {"n", "no", "false", "0"}:
        return False
    raise InvalidFieldError(field, text, "must be yes/no or true/false")


def _parse_int(field: str, text: str) -> int:
    # int() would also read "1_0" and Arabic-Indic digits; minutes are at most four ASCII digits.
    digits = text.strip()
    if len(digits) > 4 or not lim.is_ascii_digits(digits):
        raise InvalidFieldError(field, text, "must be a whole number of minutes")
    return int(digits)


#: What :func:`_cell` gives for an empty cell: the field is left to its default.
SKIP: Any = object()


def _cell(name: str, value: Any) -> Any:
    """One cell as the argument of the :class:`~hcpcs_home.claims.Service` field ``name``
    (text of yes/no, minutes and diagnoses read), or :data:`SKIP` for an empty cell.

    :raises ~hcpcs_home.errors.InvalidFieldError: text that cannot be read for the field.
    """
    if value is None or (isinstance(value, str) and not value.strip()):
        return SKIP
    if name in _BOOLEAN_COLUMNS and isinstance(value, str):
        return _parse_bool(name, value)
    if name == "minutes" and isinstance(value, str):
        return _parse_int(name, value)
    if name == "diagnoses" and isinstance(value, str):
        return value.replace(",", " ").split()
    return value


def _service_kwargs(row: Mapping[str, Any], known: Collection[str]) -> dict[str, Any]:
    """The row's cells as :class:`~hcpcs_home.claims.Service` arguments (``known`` its fields).

    :raises ~hcpcs_home.errors.InvalidFieldError: an unknown column, two columns for one
        field, a cell that cannot be read, or no ``code`` or ``date``.
    """
    kwargs: dict[str, Any] = {}
    seen: dict[str, str] = {}
    for key, value in row.items():
        name = _column_name(key)
        if name not in known:
            raise InvalidFieldError(str(key), value, "is not a service column")
        if name in seen:
            raise _same_field(seen[name], str(key), name)
        seen[name] = str(key)
        value = _cell(name, value)
        if value is not SKIP:
            kwargs[name] = value
    missing = [name for name in ("code", "date") if name not in kwargs]
    if missing:
        raise InvalidFieldError(missing[0], None, "is required")
    return kwargs
