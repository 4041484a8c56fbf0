"""The EVV visit value (:class:`hcpcs_home.evv.EvvVisit`), apart from the matching.

:mod:`hcpcs_home.claims` carries visits on a claim and :mod:`hcpcs_home.evv`
matches them with the claim's lines; the value sits below both, so neither
module needs the other in a loop.
"""

from __future__ import annotations

import datetime as _dt
import enum
from collections.abc import Iterable, Mapping
from typing import Any

import attrs

from . import _clock
from . import _fields as f
from ._values import lazy_methods
from .errors import InvalidFieldError

__all__ = ["ELEMENTS", "EvvVisit", "VerificationMethod"]


def __dir__() -> list[str]:
    return __all__


ELEMENTS = ("service", "member", "date", "location", "worker", "time")
"""The six data elements of Cures Act §12006 (SSA §1903(l)(5)), by the names
:meth:`EvvVisit.missing_elements` reports: type of service, individual
receiving it, date, location of service delivery, individual providing it,
and the time the service begins and ends."""


class VerificationMethod(str, enum.Enum):
    """How the worker clocked in and out (Texas HHSC EVV Policy Handbook §7000, rev. 22-4,
    https://www.hhs.texas.gov/handbooks/electronic-visit-verification-policy-handbook)."""

    MOBILE = "mobile"
    """The EVV vendor's mobile application (location from the device)."""
    HOME_PHONE = "home phone"
    """A call from the member's home landline to the vendor's toll-free number."""
    ALTERNATIVE_DEVICE = "alternative device"
    """A device installed in the member's home that shows a code at clock in and out."""
    MANUAL = "manual"
    """Entered or corrected by hand (visit maintenance, Handbook §7010 and §9000), which
    counts against the provider's EVV usage score."""


def _method(value: object) -> VerificationMethod:
    if isinstance(value, str):
        value = value.strip().lower().replace("_", " ")
    try:
        return VerificationMethod(value)
    except ValueError:
        names = ", ".join(repr(m.value) for m in VerificationMethod)
        raise InvalidFieldError("method", value, f"is not one of {names}") from None


#: The default of the derived ``id``: passed on to ``__attrs_init__``, which derives it.
_DERIVED: Any = attrs.NOTHING


@attrs.frozen(slots=True, init=False)
@lazy_methods
class EvvVisit:
    """One visit as an EVV system verified it.

    ``service`` and ``date`` are required (a record without them verifies
    nothing); the other elements may be missing, and
    :meth:`missing_elements` names what is.  A stop earlier than the start
    crosses midnight; a stop written ``"24:00"`` (or ``"00:00"``) is midnight
    at the end of the visit's day.

    :ivar service: the HCPCS code of the service (type of service).
    :ivar date: the date the visit began.
    :ivar member: the member (Medicaid) id of the individual receiving it.
    :ivar start: clock-in time.
    :ivar stop: clock-out time.
    :ivar location: where the service was delivered (address or geolocation).
    :ivar worker: the worker's id in the EVV system.
    :ivar worker_npi: the worker's NPI, where they have one.
    :ivar method: how the worker clocked in and out.
    :ivar modifiers: the modifiers the visit was recorded with.
    :ivar accepted: whether the EVV aggregator accepted the visit; only an accepted
        visit may back a claim (Texas HHSC EVV Policy Handbook §12000).
    :ivar id: the visit's id; derived from date, service, member and start when not given.
    """

    service: str = attrs.field(converter=f.code("service"))
    date: _dt.date = attrs.field(converter=f.date("date"))
    member: str | None = attrs.field(default=None, converter=f.optional(f.text("member")))
    start: _dt.time | None = attrs.field(default=None, converter=f.optional(f.clock("start")))
    stop: _dt.time | None = attrs.field(default=None, converter=f.optional(f.clock("stop")))
    location: str | None = attrs.field(default=None, converter=f.optional(f.text("location")))
    worker: str | None = attrs.field(default=None, converter=f.optional(f.text("worker")))
    worker_npi: str | None = attrs.field(default=None, converter=f.optional(f.npi("worker_npi")))
    method: VerificationMethod | None = attrs.field(default=None, converter=f.optional(_method))
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=f.modifiers)
    accepted: bool = attrs.field(default=True, converter=f.boolean("accepted"))
    id: str = attrs.field(converter=f.text("id"))

    # A typed __init__ (attrs writes __attrs_init__, which converts and validates), as
    # the claim values have: mypy sees what a caller may give, not Any.
    def __init__(
        self,
        service: str,
        date: _dt.date | str,
        member: str | None = None,
        start: _dt.time | str | None = None,
        stop: _dt.time | str | None = None,
        location: str | None = None,
        worker: str | None = None,
        worker_npi: str | None = None,
        method: VerificationMethod | str | None = None,
        modifiers: str | Iterable[str] = (),
        accepted: bool = True,
        id: str = _DERIVED,
    ) -> None:
        self.__attrs_init__(
            service,
            date,
            member,
            start,
            stop,
            location,
            worker,
            worker_npi,
            method,
            modifiers,
            accepted,
            id,
        )

    @id.default
    def _default_id(self) -> str:
        parts = [self.date.isoformat(), self.service, self.member or "-"]
        if self.start is not None:
            parts.append(self.start.strftime("%H%M"))
        return "/".join(parts)

    @property
    def minutes(self) -> int | None:
        """Minutes from clock in to clock out, or ``None`` without both times."""
        if self.start is None or self.stop is None:
            return None
        begin = self.start.hour * 60 + self.start.minute
        end = self.stop.hour * 60 + self.stop.minute
        return _clock.span_minutes(begin, end, full_day=False)

    def interval(self) -> tuple[_dt.datetime, _dt.datetime] | None:
        """Clock in and clock out as datetimes, or ``None`` without both times."""
        minutes = self.minutes
        if self.start is None or minutes is None:
            return None
        begin = _dt.datetime.combine(self.date, self.start)
        return begin, begin + _dt.timedelta(minutes=minutes)

    def missing_elements(self) -> tuple[str, ...]:
        """The Cures Act elements (``hcpcs_home.evv.ELEMENTS``) the record lacks, in that order.

        >>> EvvVisit("T1019", "2024-03-04", member="M1", worker="W1").missing_elements()
        ('location', 'time')
        """
        present = {
            "service": True,
            "member": self.member is not None,
            "date": True,
            "location": self.location is not None,
            "worker": self.worker is not None or self.worker_npi is not None,
            "time": self.start is not None and self.stop is not None,
        }
        return tuple(name for name in ELEMENTS if not present[name])

    @classmethod
    def from_row(cls, row: Mapping[str, Any]) -> EvvVisit:
        """A visit from an EVV export row.

        Column names are matched case-insensitively, with common aliases
        (``hcpcs``/``code`` for ``service``, ``medicaid_id`` for ``member``,
        ``clock_in``/``clock_out``, ``address``, ``caregiver``, ``npi``).
        Empty cells count as missing.  Unknown columns are an error, so
        nothing a row says is silently ignored.

        >>> EvvVisit.from_row({"HCPCS": "t1019", "DOS": "2024-03-04", "Medicaid ID": "M1",
        ...     "Clock In": "16:00", "Clock Out": "24:00"}).minutes
        480
        """
        if not isinstance(row, Mapping):
            raise InvalidFieldError("row", row, "must be a mapping of column names to values")
        known = {a.name for a in attrs.fields(cls)}
        kwargs: dict[str, Any] = {}
        for key, value in row.items():
            plain = str(key).strip().lower().replace(" ", "_").replace("-", "_")
            name = _ALIASES.get(plain, plain)
            if name not in known:
                raise InvalidFieldError(str(key), value, "is not an EVV visit column")
            if value is None or (isinstance(value, str) and not value.strip()):
                continue
            if name == "modifiers" and isinstance(value, str):
                value = value.replace(",", " ").split()
            if name == "accepted" and isinstance(value, str):
                value = _yes_no(value)
            kwargs[name] = value
        for name in ("service", "date"):
            if name not in kwargs:
                raise InvalidFieldError(name, None, "is required")
        return cls(**kwargs)


_ALIASES = {
    "code": "service",
    "hcpcs": "service",
    "procedure_code": "service",
    "service_code": "service",
    "dos": "date",
    "service_date": "date",
    "visit_date": "date",
    "medicaid_id": "member",
    "member_id": "member",
    "patient_id": "member",
    "clock_in": "start",
    "time_in": "start",
    "clock_out": "stop",
    "time_out": "stop",
    "end": "stop",
    "address": "location",
    "geolocation": "location",
    "caregiver": "worker",
    "worker_id": "worker",
    "staff_id": "worker",
    "npi": "worker_npi",
    "verification": "method",
    "clock_method": "method",
    "visit_id": "id",
}


def _yes_no(text: str) -> bool:
    word = text.strip().lower()
    if word in {"y", "yes", "true", "1", "accepted"}:
        return True
    if word in {"n", "no", "false", "0", "rejected"}:
        return False
    raise InvalidFieldError("accepted", text, "must be yes/no or true/false")


# The values are documented, pickled and imported as hcpcs_home.evv's own.
EvvVisit.__module__ = VerificationMethod.__module__ = "hcpcs_home.evv"
