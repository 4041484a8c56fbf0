"""What happened and what is billed: :class:`Service`, :class:`Authorization`,
:class:`ClaimLine` and :class:`Claim`.

All four are frozen, slotted attrs classes.  Converters normalise what they
are given (``"g0299"`` becomes ``"G0299"``, ``"552"`` becomes ``"0552"``,
``"22:00"`` becomes a :class:`datetime.time`) and validators then reject what
cannot be billed, raising :class:`~hcpcs_home.errors.InvalidFieldError` with
the field's name.  A :class:`Claim` checks its parts against each other and
reports every problem at once in an :class:`~hcpcs_home.errors.InvalidClaimError`.

>>> import datetime
>>> from hcpcs_home import Service, ClaimLine, Credential, payers
>>> visit = Service.from_times("G0299", "2024-03-04", "09:00", "09:50",
...                            credential="RN")
>>> visit.minutes
50
>>> line = ClaimLine.from_service(visit, payer=payers.MEDICARE)
>>> line.revenue_code, line.code, line.units
('0551', 'G0299', 3)
>>> night = Service.from_times("T1030", "2024-03-04", "22:00", "06:00", credential="RN")
>>> night.minutes, [d.isoformat() for d in night.days()]
(480, ['2024-03-04', '2024-03-05'])
"""

from __future__ import annotations

import datetime as _dt
import enum
import functools
import operator
from collections.abc import Iterable, Mapping
from decimal import Decimal
from itertools import chain
from typing import Any

import attrs

from . import _claim_codes, _claim_parts
from . import _fields as f
from . import bounds as lim
from ._claim_codes import (
    _bill_type,
    _check_line_code,
    _check_span,
    _coded,
    _conditions,
    _header_code,
    _line_code,
    _patient_status,
    _payer,
    _point_of_origin,
    _qualifier,
)
from ._clock import service_minutes as _minutes_of
from ._evv_visit import EvvVisit
from ._timesheet_row import _service_kwargs
from ._values import lazy_methods
from .codes import Credential, Setting
from .errors import InvalidClaimError, InvalidFieldError, InvalidTimeError
from .payers import Payer

#: A service's minutes by its clock times, minutes and full-day flag, the most recent kept
#: (a pure function; most services repeat a shift's times); errors are raised afresh.
_service_minutes = functools.lru_cache(maxsize=4096, typed=True)(_minutes_of)
_service_ids = operator.attrgetter("service_ids")
_id = operator.attrgetter("id")
_number = operator.attrgetter("number")
_chain = chain.from_iterable

__all__ = [
    "HIPPS_REVENUE_CODE",
    "MAX_HEADER_CODES",
    "TOTAL_REVENUE_CODE",
    "Authorization",
    "AuthorizationBasis",
    "Claim",
    "ClaimLine",
    "Occurrence",
    "OccurrenceSpan",
    "Service",
    "ValueCode",
]


def __dir__() -> list[str]:
    return __all__


#: The default of a field attrs derives (a service's ``id``): ``__attrs_init__`` derives it.
_DERIVED: Any = attrs.NOTHING


def _derived_id(day: str, code: str, start: str | None, minutes: int | None) -> str:
    """A service's id from its date (ISO text), code and start (``HHMM``) or minutes.

    What :class:`Service` derives when no id is given; the tabular path calls it
    with each distinct date's and start's text worked out once.
    """
    if start is not None:
        return f"{day}/{code}/{start}"
    if minutes is not None:
        return f"{day}/{code}/{minutes}m"
    return f"{day}/{code}"


@attrs.frozen(slots=True, init=False)
@lazy_methods
class Service:
    """One documented visit or shift: what the chart says happened.

    Give either ``start`` and ``stop`` clock times or ``minutes`` (or both, in
    which case they must agree).  A stop earlier than the start is a shift
    that crosses midnight (22:00-06:00 is 480 minutes); a stop at midnight,
    written ``"24:00"`` or ``"00:00"``, is the end of the day (16:00-24:00 is
    480 minutes, 00:00-24:00 is 1440); any other stop equal to the start is 0
    minutes unless ``full_day`` says the shift lasted 24 hours.

    :ivar code: the HCPCS/CPT code the service is documented as.
    :ivar date: date of service (the day the visit or shift began).
    :ivar start: clock time the service began, or ``None``.
    :ivar stop: clock time it ended, or ``None``.
    :ivar minutes: documented minutes; filled from the times when not given.
    :ivar full_day: a stop equal to the start means 24 hours, not 0.
    :ivar credential: the rendering person's credential.
    :ivar rendering_id: the rendering person (staff id or NPI), used to find
        overlapping visits.
    :ivar rendering_npi: the rendering person's NPI (ten digits, check digit verified).
    :ivar license_number: the rendering person's license number.
    :ivar license_expires: the last day that license is valid.
    :ivar setting: where the service was furnished.
    :ivar prior_auth: the prior-authorization number it was furnished under.
    :ivar orders_on_file: physician (or allowed practitioner) orders are on file.
    :ivar plan_of_care_on_file: a signed plan of care is on file.
    :ivar notes_on_file: visit or shift notes with start and stop times are on file.
    :ivar diagnoses: ICD-10-CM codes documented for the service.
    :ivar purpose: the visit's purpose as a keyword (``"catheter"``,
        ``"stoma"``, ``"injection"``...), used to spot services a CPT home-visit
        code describes (see the ``cpt-code-preferred`` rule).
    :ivar id: identifier that claim lines use to point at this service;
        derived from the date, code and start (or minutes) when not given.
    """

    code: str = attrs.field(converter=f.code("code"))
    date: _dt.date = attrs.field(converter=f.date("date"))
    start: _dt.time | None = attrs.field(default=None, converter=f.optional(f.clock("start")))
    stop: _dt.time | None = attrs.field(default=None, converter=f.optional(f.clock("stop")))
    minutes: int | None = attrs.field(default=None, converter=f.optional(f.minutes("minutes")))
    full_day: bool = attrs.field(default=False, converter=f.boolean("full_day"))
    credential: Credential | None = attrs.field(
        default=None, converter=f.optional(f.enum_of(Credential, "credential"))
    )
    rendering_id: str | None = attrs.field(
        default=None, converter=f.optional(f.identifier("rendering_id"))
    )
    rendering_npi: str | None = attrs.field(
        default=None, converter=f.optional(f.npi("rendering_npi"))
    )
    license_number: str | None = attrs.field(
        default=None, converter=f.optional(f.identifier("license_number"))
    )
    license_expires: _dt.date | None = attrs.field(
        default=None, converter=f.optional(f.date("license_expires"))
    )
    setting: Setting = attrs.field(default=Setting.HOME, converter=f.enum_of(Setting, "setting"))
    prior_auth: str | None = attrs.field(
        default=None, converter=f.optional(f.identifier("prior_auth"))
    )
    orders_on_file: bool = attrs.field(default=False, converter=f.boolean("orders_on_file"))
    plan_of_care_on_file: bool = attrs.field(
        default=False, converter=f.boolean("plan_of_care_on_file")
    )
    notes_on_file: bool = attrs.field(default=False, converter=f.boolean("notes_on_file"))
    diagnoses: tuple[str, ...] = attrs.field(
        default=(), converter=f.tuple_of(f.identifier("diagnoses"), "diagnoses", lim.MAX_DIAGNOSES)
    )
    purpose: str | None = attrs.field(default=None, converter=f.optional(f.identifier("purpose")))
    id: str = attrs.field(converter=f.identifier("id"))

    # A typed __init__ (attrs writes __attrs_init__, which converts and validates): the
    # converters take text as well as values, and mypy sees only what is written here.
    def __init__(
        self,
        code: str,
        date: _dt.date | str,
        start: _dt.time | str | None = None,
        stop: _dt.time | str | None = None,
        minutes: int | None = None,
        full_day: bool = False,
        credential: Credential | str | None = None,
        rendering_id: str | None = None,
        rendering_npi: str | None = None,
        license_number: str | None = None,
        license_expires: _dt.date | str | None = None,
        setting: Setting | str = Setting.HOME,
        prior_auth: str | None = None,
        orders_on_file: bool = False,
        plan_of_care_on_file: bool = False,
        notes_on_file: bool = False,
        diagnoses: Iterable[str] = (),
        purpose: str | None = None,
        id: str = _DERIVED,
    ) -> None:
        self.__attrs_init__(
            code,
            date,
            start,
            stop,
            minutes,
            full_day,
            credential,
            rendering_id,
            rendering_npi,
            license_number,
            license_expires,
            setting,
            prior_auth,
            orders_on_file,
            plan_of_care_on_file,
            notes_on_file,
            diagnoses,
            purpose,
            id,
        )

    @id.default
    def _default_id(self) -> str:
        start = None if self.start is None else f"{self.start.hour:02d}{self.start.minute:02d}"
        return _derived_id(self.date.isoformat(), self.code, start, self.minutes)

    def __attrs_post_init__(self) -> None:
        minutes = _service_minutes(self.start, self.stop, self.minutes, self.full_day)
        if minutes is not self.minutes:
            object.__setattr__(self, "minutes", minutes)

    @property
    def has_time(self) -> bool:
        """Whether the record documents time (clock times or minutes)."""
        return self.minutes is not None

    @property
    def crosses_midnight(self) -> bool:
        """Whether the service ran past midnight into the next calendar day."""
        if self.start is None or self.stop is None:
            return False
        if self.stop == self.start:
            return self.full_day and self.start != _dt.time(0)
        return self.stop < self.start and self.stop != _dt.time(0)

    def days(self) -> tuple[_dt.date, ...]:
        """The calendar days the service touched (two for a shift across midnight)."""
        if self.crosses_midnight:
            return (self.date, self.date + _dt.timedelta(days=1))
        return (self.date,)

    def interval(self) -> tuple[_dt.datetime, _dt.datetime] | None:
        """Start and end as datetimes, or ``None`` without clock times."""
        if self.start is None or self.minutes is None:
            return None
        begin = _dt.datetime.combine(self.date, self.start)
        return begin, begin + _dt.timedelta(minutes=self.minutes)

    @classmethod
    def from_times(
        cls,
        code: str,
        date: _dt.date | str,
        start: _dt.time | str,
        stop: _dt.time | str,
        **kwargs: Any,
    ) -> Service:
        """Build a service from a date and two clock times (text or :class:`datetime.time`)."""
        return cls(code=code, date=date, start=start, stop=stop, **kwargs)

    @classmethod
    def from_timesheet_row(cls, row: Mapping[str, Any]) -> Service:
        """Build a service from a timesheet or EVV export row.

        Column names are matched case-insensitively, with common aliases
        (``hcpcs``/``procedure`` for ``code``, ``dos``/``service_date`` for
        ``date``, ``time_in``/``time_out`` for ``start``/``stop``, ``npi``,
        ``license``, ``auth``...).  Empty cells count as missing.  Unknown
        columns are an error, so nothing a row says is silently ignored, and so
        are two columns for one field (``code`` and ``hcpcs``): which one to
        believe is not guessed.

        >>> Service.from_timesheet_row({"HCPCS": "s9124", "DOS": "2024-05-01",
        ...     "Time In": "0700", "Time Out": "1500", "Credential": "LPN"}).minutes
        480
        """
        known = _SERVICE_FIELDS() if cls is Service else {a.name for a in attrs.fields(cls)}
        return cls(**_service_kwargs(row, known))


@functools.cache
def _SERVICE_FIELDS() -> frozenset[str]:  # a constant, made on first use
    """The field names of :class:`Service` (asked once per timesheet row)."""
    return frozenset(a.name for a in attrs.fields(Service))


class AuthorizationBasis(str, enum.Enum):
    """What an authorization's units count."""

    UNITS = "units"
    """Billing units of the authorized codes (time units carry ``minutes_per_unit``)."""
    VISITS = "visits"
    """Visits, whatever the units billed on each."""
    DAYS = "days"
    """Distinct calendar days of service."""
    HOURS = "hours"
    """Hours of service, each line's units converted through its code's unit (a
    15-minute unit is a quarter hour, an hourly unit an hour)."""


def _check_auth(instance: Authorization, attribute: attrs.Attribute[Any], value: Any) -> None:
    if instance.end < instance.start:
        raise InvalidTimeError("end", instance.end, f"is before start={instance.start.isoformat()}")


def _whole_count(instance: Authorization, attribute: attrs.Attribute[Any], value: Any) -> None:
    if instance.basis not in (AuthorizationBasis.VISITS, AuthorizationBasis.DAYS):
        return
    for name in ("units", "used"):
        amount = getattr(instance, name)
        if not isinstance(amount, int):
            raise InvalidFieldError(
                name, amount, f"must be a whole number of {instance.basis.value}"
            )


@attrs.frozen(slots=True, init=False)
@lazy_methods
class Authorization:
    """A payer's prior authorization as a home-care agency receives it.

    :ivar number: the authorization number services and lines refer to.
    :ivar payer: the issuing payer's id (``"tx-medicaid-cshcn"``).
    :ivar codes: the codes it authorizes.
    :ivar units: how much is authorized, counted by ``basis``.
    :ivar basis: what ``units`` counts.
    :ivar start: first authorized date.
    :ivar end: last authorized date.
    :ivar minutes_per_unit: for time-based authorizations, minutes per unit
        (15, 60); ``None`` otherwise.  Lines of timed codes are converted
        through their code's unit, so 48 quarter-hour units use 12 units of
        an authorization counted in 60-minute units.
    :ivar used: units already used on earlier claims.
    :ivar per_day: the most ``basis`` units one calendar day may use, or ``None``.
    :ivar per_week: the most one week may use (the week starts on the payer's
        ``week_start``), or ``None``.
    :ivar per_month: the most one calendar month may use, or ``None``.

    >>> import datetime
    >>> auth = Authorization("PA123", "bcbs-tx", ["S9124"], 40, "units",
    ...                      "2024-05-01", "2024-05-31", minutes_per_unit=60, used=8)
    >>> auth.remaining, auth.covers_date(datetime.date(2024, 6, 1))
    (32, False)
    """

    number: str = attrs.field(converter=f.identifier("number"))
    payer: str = attrs.field(converter=f.identifier("payer"))
    codes: frozenset[str] = attrs.field(
        converter=f.frozenset_of(f.code("codes"), "codes", lim.MAX_AUTHORIZATIONS)
    )
    units: int | Decimal = attrs.field(converter=f.units("units"))
    basis: AuthorizationBasis = attrs.field(converter=f.enum_of(AuthorizationBasis, "basis"))
    start: _dt.date = attrs.field(converter=f.date("start"))
    end: _dt.date = attrs.field(converter=f.date("end"), validator=_check_auth)
    minutes_per_unit: int | None = attrs.field(
        default=None, converter=f.optional(f.minutes("minutes_per_unit"))
    )
    used: int | Decimal = attrs.field(default=0, converter=f.units("used"), validator=_whole_count)
    per_day: int | Decimal | None = attrs.field(
        default=None, converter=f.optional(f.units("per_day"))
    )
    per_week: int | Decimal | None = attrs.field(
        default=None, converter=f.optional(f.units("per_week"))
    )
    per_month: int | Decimal | None = attrs.field(
        default=None, converter=f.optional(f.units("per_month"))
    )

    def __init__(  # typed; see Service.__init__
        self,
        number: str,
        payer: str,
        codes: Iterable[str],
        units: int | Decimal | str,
        basis: AuthorizationBasis | str,
        start: _dt.date | str,
        end: _dt.date | str,
        minutes_per_unit: int | None = None,
        used: int | Decimal | str = 0,
        per_day: int | Decimal | str | None = None,
        per_week: int | Decimal | str | None = None,
        per_month: int | Decimal | str | None = None,
    ) -> None:
        self.__attrs_init__(
            number,
            payer,
            codes,
            units,
            basis,
            start,
            end,
            minutes_per_unit,
            used,
            per_day,
            per_week,
            per_month,
        )

    @property
    def remaining(self) -> int | Decimal:
        """Units left before this claim (never below zero)."""
        left = self.units - self.used
        return left if left > 0 else 0

    def covers_date(self, day: _dt.date) -> bool:
        """Whether ``day`` falls within the authorized date range."""
        return self.start <= day <= self.end


#: A hospice type of bill: asks :func:`~hcpcs_home.units.policy_for_bill` whether a hospice
#: claim would count a service's units differently (the policy it gives for 081X/082X).
_HOSPICE_BILL = "0811"

_UB04_COLUMNS = ("FL42 rev", "FL44 HCPCS/mods", "FL45 date", "FL46 units", "FL47 charge")


TOTAL_REVENUE_CODE = "0001"
"""The UB-04 total line's revenue code (Pub. 100-04 ch. 25 s.75.4, FL42)."""

HIPPS_REVENUE_CODE = _claim_codes.HIPPS_REVENUE_CODE
"""The home-health revenue code whose line carries the HIPPS code instead of a HCPCS code.

CMS: "Definition and Uses of HIPPS Codes" (Division of Institutional Claims
Processing, 2022-04-04); CGS and Palmetto GBA HH billing pages (RC 32243).
"""


def _no_through(value: Any) -> bool:
    return value is None


@f.settled_by(_no_through)
def _check_through(instance: ClaimLine, attribute: attrs.Attribute[Any], value: Any) -> None:
    if value is not None and value < instance.date:
        raise InvalidTimeError("through", value, f"is before date={instance.date.isoformat()}")


@attrs.frozen(slots=True, init=False)
@lazy_methods
class ClaimLine:
    """One UB-04 / 837 service line.

    :ivar code: what FL44 / 837 SV2-02, SV1-01 carries: a HCPCS/CPT code;
        on the home-health ``0023`` line a five-character HIPPS code
        (``"1FC21"``, see ``qualifier``); ``""`` on a revenue-only line
        (a revenue code with no HCPCS, such as supplies).
    :ivar date: line item date of service (FL45); the first day of a
        date-span line.
    :ivar units: service units (FL46); an ``int``, or a ``Decimal`` where the
        payer bills fractions of an hour.
    :ivar revenue_code: four-digit revenue code (FL42); ``None`` on a
        professional (CMS-1500 / 837P) line.
    :ivar modifiers: up to four two-character modifiers (FL44).
    :ivar charge: total charge (FL47), a ``Decimal``.
    :ivar service_ids: ids of the :class:`Service` records that document the line.
    :ivar prior_auth: authorization number billed on the line, if any.
    :ivar through: last day of a date-span (from-through) line, where a payer
        bills that way (837 ``DTP*472*RD8``); ``None`` on a one-day line.

    >>> hipps = ClaimLine("1fc21", "2024-03-01", 1, revenue_code="0023")
    >>> hipps.code, hipps.revenue_code, hipps.qualifier
    ('1FC21', '0023', 'HP')
    >>> ClaimLine("", "2024-03-04", 2, revenue_code="0270", charge="12.50").qualifier is None
    True
    >>> ClaimLine("1FC21", "2024-03-04", 1, revenue_code="0551")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.InvalidFieldError: code='1FC21' is not a five-character HCPCS/CPT code \
(a HIPPS code belongs on revenue code 0023)
    """

    code: str = attrs.field(converter=_line_code, validator=_check_line_code)
    date: _dt.date = attrs.field(converter=f.date("date"))
    units: int | Decimal = attrs.field(converter=f.units("units"))
    revenue_code: str | None = attrs.field(default=None, converter=f.optional(f.revenue_code))
    modifiers: tuple[str, ...] = attrs.field(default=(), converter=f.modifiers)
    charge: Decimal = attrs.field(default=Decimal("0"), converter=f.decimal("charge"))
    service_ids: tuple[str, ...] = attrs.field(
        default=(), converter=f.tuple_of(f.identifier("service_ids"), "service_ids")
    )
    prior_auth: str | None = attrs.field(
        default=None, converter=f.optional(f.identifier("prior_auth"))
    )
    through: _dt.date | None = attrs.field(
        default=None, converter=f.optional(f.date("through")), validator=_check_through
    )

    def __init__(  # typed; see Service.__init__
        self,
        code: str,
        date: _dt.date | str,
        units: int | Decimal | str,
        revenue_code: str | None = None,
        modifiers: str | Iterable[str] = (),
        charge: Decimal | int | str = Decimal("0"),
        service_ids: Iterable[str] = (),
        prior_auth: str | None = None,
        through: _dt.date | str | None = None,
    ) -> None:
        self.__attrs_init__(
            code, date, units, revenue_code, modifiers, charge, service_ids, prior_auth, through
        )

    @property
    def qualifier(self) -> str | None:
        """The 837 procedure qualifier of the code, ``"HC"`` (HCPCS/CPT) or ``"HP"`` (HIPPS).

        ``None`` on a revenue-only line.  CMS puts the HIPPS code in SV2-02
        with qualifier ``HP`` ("Definition and Uses of HIPPS Codes", 2022-04-04).
        """
        return _qualifier(self.code)

    @property
    def last_date(self) -> _dt.date:
        """The last day of the line, ``through`` on a date-span line and ``date`` otherwise."""
        return self.through if self.through is not None else self.date

    @classmethod
    def from_service(
        cls,
        service: Service,
        *,
        payer: Payer | None = None,
        charge: Decimal | int | str = Decimal("0"),
        modifiers: Iterable[str] = (),
        revenue_code: str | None = None,
        type_of_bill: str | None = None,
    ) -> ClaimLine:
        """The line the rules give for one documented service.

        Units come from :func:`hcpcs_home.units.billable_units` under the
        payer's unit policy (the default policy without a payer), read for
        the claim's ``type_of_bill`` by :func:`hcpcs_home.units.policy_for_bill`
        (on a hospice bill, 081X/082X, Medicare's default counts a 1-15 minute
        visit as one increment: ``type_of_bill="0811"``).  The
        revenue code is the code's own (``0552`` for S9123/S9124) or, for a
        revenue-code family such as ``055X``, its visit-charge subcode
        (``0551``), following the HH 032X pairing in the NGS and CGS billing
        guides; codes whose revenue code is payer-specific get none unless
        ``revenue_code`` is given.

        Nothing is guessed and no line bills 0 units silently:

        * without a ``type_of_bill``, a service whose units differ between a
          home-health bill and a hospice bill under the payer's policy (a
          5-minute G0299 visit: 0 units under the 8-minute chart, 1 hospice
          increment) is refused, asking for the type of bill;
        * a service too short to bill one unit under the policy in force is
          refused, naming the policy (a 0-unit line bills nothing).

        >>> from hcpcs_home import payers
        >>> short = Service.from_times("G0299", "2026-03-05", "10:00", "10:05", credential="RN")
        >>> ClaimLine.from_service(short, payer=payers.MEDICARE, type_of_bill="0811").units
        1
        >>> ClaimLine.from_service(short, payer=payers.MEDICARE)
        Traceback (most recent call last):
        ...
        hcpcs_home.errors.InvalidFieldError: type_of_bill=None is needed: 5 minutes of G0299 \
are 0 units on a home-health bill and 1 on a hospice bill (081X/082X) under the Medicare policy

        :raises ~hcpcs_home.errors.InvalidFieldError: ``service`` is not a
            :class:`Service`, a timed code has no minutes, the bill decides the
            units and none is given, or the minutes bill 0 units.
        """
        from .catalog import lookup
        from .units import billable_units, policy_for_bill

        if not isinstance(service, Service):
            raise InvalidFieldError("service", service, "must be a Service")
        code = lookup(service.code)
        policy = policy_for_bill(payer.unit_policy if payer is not None else None, type_of_bill)
        if code.unit.is_timed and service.minutes is None:
            raise InvalidFieldError(
                "service.minutes", None, f"is required to count units of timed code {code.code}"
            )
        minutes = service.minutes or 0
        units = billable_units(code, minutes, policy=policy)
        if type_of_bill is None and code.unit.is_timed:
            hospice = policy_for_bill(policy, _HOSPICE_BILL)
            other = billable_units(code, minutes, policy=hospice)
            if other != units:
                raise InvalidFieldError(
                    "type_of_bill",
                    None,
                    f"is needed: {minutes} minutes of {code.code} are {units} units on a "
                    f"home-health bill and {other} on a hospice bill (081X/082X) under the "
                    f"{policy} policy",
                )
        if not units:
            raise InvalidFieldError(
                "service.minutes",
                service.minutes,
                f"bill 0 units of {code.code} under the {policy} policy: a line of 0 units "
                "bills nothing (document the time, or choose the payer's policy)",
            )
        if revenue_code is None and code.revenue_codes:
            revenue_code = code.revenue_codes[0].replace("X", "1")
        return cls(
            code=code.code,
            date=service.date,
            units=units,
            revenue_code=revenue_code,
            modifiers=tuple(modifiers),
            charge=charge,
            service_ids=(service.id,),
            prior_auth=service.prior_auth,
        )

    def ub04_row(self) -> dict[str, str]:
        """The line as UB-04 form locators FL42-FL47, as printed text."""
        return dict(
            zip(
                _UB04_COLUMNS,
                (
                    self.revenue_code or "",
                    " ".join(c for c in (self.code, *self.modifiers) if c),
                    self.date.strftime("%m%d%y")
                    + ("" if self.through is None else self.through.strftime("-%m%d%y")),
                    str(self.units),
                    f"{self.charge:.2f}",
                ),
                strict=True,
            )
        )


# --- the institutional claim header (UB-04 FL12-41, 837I loop 2300) -------------

MAX_HEADER_CODES = _claim_codes.MAX_HEADER_CODES
"""At most this many condition, occurrence, span or value codes per claim.

Room for two 837I ``HI`` segments of twelve codes each.
"""


@attrs.frozen(slots=True, init=False)
@lazy_methods
class Occurrence:
    """An occurrence code and its date (UB-04 FL31-34; 837I ``HI*BH``).

    :ivar code: the two-character NUBC occurrence code (``"50"``: OASIS
        assessment date; ``"55"``: date of death; ``"61"``/``"62"``: discharge
        from a hospital / post-acute stay).
    :ivar date: the date it refers to.

    >>> Occurrence("50", "2024-02-28")
    Occurrence(code='50', date=datetime.date(2024, 2, 28))
    """

    code: str = attrs.field(converter=_header_code("code"))
    date: _dt.date = attrs.field(converter=f.date("date"))

    def __init__(self, code: str, date: _dt.date | str) -> None:  # typed; see Service
        self.__attrs_init__(code, date)


@attrs.frozen(slots=True, init=False)
@lazy_methods
class OccurrenceSpan:
    """An occurrence span code and its dates (UB-04 FL35-36; 837I ``HI*BI``).

    :ivar code: the two-character NUBC occurrence span code (``"77"``:
        provider-liable period, as on a late hospice election notice).
    :ivar start: first day of the span.
    :ivar through: last day of the span.
    """

    code: str = attrs.field(converter=_header_code("code"))
    start: _dt.date = attrs.field(converter=f.date("start"))
    through: _dt.date = attrs.field(converter=f.date("through"), validator=_check_span)

    def __init__(  # typed; see Service.__init__
        self, code: str, start: _dt.date | str, through: _dt.date | str
    ) -> None:
        self.__attrs_init__(code, start, through)


@attrs.frozen(slots=True, init=False)
@lazy_methods
class ValueCode:
    """A value code and its amount (UB-04 FL39-41; 837I ``HI*BE``).

    :ivar code: the two-character NUBC value code (``"61"``: CBSA where the
        beneficiary receives home health; ``"85"``: FIPS state and county code).
    :ivar amount: the amount as a ``Decimal``.  Codes that carry a number
        rather than money hold it as dollars: CBSA 35614 is ``35614``
        (``35614.00`` on the form), FIPS county 08019 is ``8019``.

    >>> ValueCode("85", "19153").amount
    Decimal('19153')
    """

    code: str = attrs.field(converter=_header_code("code"))
    amount: Decimal = attrs.field(converter=f.decimal("amount"))

    def __init__(self, code: str, amount: Decimal | int | str) -> None:  # typed; see Service
        self.__attrs_init__(code, amount)


@attrs.frozen(slots=True, init=False)
@lazy_methods
class Claim:
    """A claim: the payer, the bill type and period, the lines and what documents them.

    :ivar payer: the :class:`~hcpcs_home.payers.Payer` (or a shipped profile id).
    :ivar statement_from: first day of the statement period (FL6).
    :ivar statement_through: last day of the statement period (FL6).
    :ivar lines: the service lines.
    :ivar services: the documented services the lines point at.
    :ivar type_of_bill: UB-04 type of bill (FL4) such as ``"0329"`` (home
        health under a plan of care), ``"0341"`` (therapy not under one),
        ``"0811"`` (hospice); ``None`` for a professional (837P) claim.
    :ivar authorizations: the prior authorizations the services use.
    :ivar therapy_ytd_pt_slp: the beneficiary's allowed PT and SLP amount so far
        this year, before this claim (for the KX threshold).
    :ivar therapy_ytd_ot: the same for OT (a separate KX threshold).
    :ivar id: the claim's own identifier (patient control number).
    :ivar patient_id: the beneficiary or member id.
    :ivar admission_date: admission or start-of-care date (FL12; 837I
        ``DTP*435``); in home health the first billable visit of the admission.
    :ivar point_of_origin: point of origin for admission or visit (FL15; 837I
        ``CL1-02``), one character.
    :ivar patient_status: patient discharge status (FL17; 837I ``CL1-03``),
        two digits (``"30"`` still a patient, ``"01"`` discharged home).
    :ivar condition_codes: condition codes (FL18-28; 837I ``HI*BG``).
    :ivar occurrence_codes: :class:`Occurrence` codes with dates (FL31-34).
    :ivar occurrence_spans: :class:`OccurrenceSpan` codes with date ranges (FL35-36).
    :ivar value_codes: :class:`ValueCode` codes with amounts (FL39-41).
    :ivar notice_accepted: the date the payer accepted the admission's notice
        (home health: the notice of admission, TOB 032A; hospice: the notice of
        election, 8XA, or on an 8XB the notice of termination); not a form field,
        but what the late-notice edits are computed from.
    :ivar evv_visits: the electronically verified visits (:class:`~hcpcs_home.evv.EvvVisit`)
        behind the lines, for payers that require EVV; ``()`` when they were given and
        there are none, ``None`` when the claim does not say (read from a format that
        cannot carry them: see :attr:`has_evv`).
    :ivar total_charge: the header total as billed (UB-04 FL47 on the ``0001``
        line, 837I/837P ``CLM02``, RIF ``CLM_TOT_CHRG_AMT``) where it differs from
        :attr:`line_total`; ``None`` means the total is the sum of the lines, and
        a total given equal to that sum is stored as ``None``, so a claim read back
        from a file equals the claim written.  The ``total-charge-mismatch`` rule
        reports a total that differs.

    The frequency, the type of bill's last character, is ``frequency``.
    Building a claim checks its parts against each other (period, service
    references, duplicate ids) and reports every problem at once.
    """

    payer: Payer = attrs.field(converter=_payer)
    statement_from: _dt.date = attrs.field(converter=f.date("statement_from"))
    statement_through: _dt.date = attrs.field(converter=f.date("statement_through"))
    lines: tuple[ClaimLine, ...] = attrs.field(
        default=(), converter=f.tuple_of(f.instance_of(ClaimLine, "lines"), "lines", lim.MAX_LINES)
    )
    services: tuple[Service, ...] = attrs.field(
        default=(), converter=f.tuple_of(f.instance_of(Service, "services"), "services")
    )
    type_of_bill: str | None = attrs.field(default=None, converter=f.optional(_bill_type))
    authorizations: tuple[Authorization, ...] = attrs.field(
        default=(),
        converter=f.tuple_of(
            f.instance_of(Authorization, "authorizations"),
            "authorizations",
            lim.MAX_AUTHORIZATIONS,
        ),
    )
    therapy_ytd_pt_slp: Decimal = attrs.field(
        default=Decimal("0"), converter=f.decimal("therapy_ytd_pt_slp")
    )
    therapy_ytd_ot: Decimal = attrs.field(
        default=Decimal("0"), converter=f.decimal("therapy_ytd_ot")
    )
    id: str = attrs.field(default="", converter=f.identifier("id"))
    patient_id: str | None = attrs.field(
        default=None, converter=f.optional(f.identifier("patient_id"))
    )
    # The institutional header (UB-04 FL12-41; 837I loop 2300).
    admission_date: _dt.date | None = attrs.field(
        default=None, converter=f.optional(f.date("admission_date"))
    )
    point_of_origin: str | None = attrs.field(default=None, converter=f.optional(_point_of_origin))
    patient_status: str | None = attrs.field(default=None, converter=f.optional(_patient_status))
    condition_codes: tuple[str, ...] = attrs.field(default=(), converter=_conditions)
    occurrence_codes: tuple[Occurrence, ...] = attrs.field(
        default=(), converter=_coded(Occurrence, "occurrence_codes")
    )
    occurrence_spans: tuple[OccurrenceSpan, ...] = attrs.field(
        default=(), converter=_coded(OccurrenceSpan, "occurrence_spans")
    )
    value_codes: tuple[ValueCode, ...] = attrs.field(
        default=(), converter=_coded(ValueCode, "value_codes")
    )
    notice_accepted: _dt.date | None = attrs.field(
        default=None, converter=f.optional(f.date("notice_accepted"))
    )
    evv_visits: tuple[EvvVisit, ...] | None = attrs.field(
        default=(),
        converter=f.optional(f.tuple_of(f.instance_of(EvvVisit, "evv_visits"), "evv_visits")),
        # What a reader of a format that cannot carry the field gives (hcpcs_home.formats).
        metadata={"not_given": None},
    )
    total_charge: Decimal | None = attrs.field(
        default=None, converter=f.optional(f.decimal("total_charge"))
    )

    def __init__(  # typed; see Service.__init__
        self,
        payer: Payer | str,
        statement_from: _dt.date | str,
        statement_through: _dt.date | str,
        lines: Iterable[ClaimLine] = (),
        services: Iterable[Service] = (),
        type_of_bill: str | None = None,
        authorizations: Iterable[Authorization] = (),
        therapy_ytd_pt_slp: Decimal | int | str = Decimal("0"),
        therapy_ytd_ot: Decimal | int | str = Decimal("0"),
        id: str = "",
        patient_id: str | None = None,
        admission_date: _dt.date | str | None = None,
        point_of_origin: str | None = None,
        patient_status: str | None = None,
        condition_codes: str | Iterable[str] = (),
        occurrence_codes: Iterable[Occurrence | tuple[Any, ...]] = (),
        occurrence_spans: Iterable[OccurrenceSpan | tuple[Any, ...]] = (),
        value_codes: Iterable[ValueCode | tuple[Any, ...]] = (),
        notice_accepted: _dt.date | str | None = None,
        evv_visits: Iterable[EvvVisit] | None = (),
        total_charge: Decimal | int | str | None = None,
    ) -> None:
        self.__attrs_init__(
            payer,
            statement_from,
            statement_through,
            lines,
            services,
            type_of_bill,
            authorizations,
            therapy_ytd_pt_slp,
            therapy_ytd_ot,
            id,
            patient_id,
            admission_date,
            point_of_origin,
            patient_status,
            condition_codes,
            occurrence_codes,
            occurrence_spans,
            value_codes,
            notice_accepted,
            evv_visits,
            total_charge,
        )

    def __attrs_post_init__(self) -> None:
        if self.total_charge is not None and self.total_charge == self.line_total:
            object.__setattr__(self, "total_charge", None)
        # The usual claim has none of the problems below: tell that from a few set sizes
        # (ids unique, every line's services on the claim) before looking for each one.
        # Sets of the parts' keys made in C (no Python frame per part).
        ids = set(map(_id, self.services))
        if (
            self.statement_from <= self.statement_through
            and len(ids) == len(self.services)
            and len(set(map(_number, self.authorizations))) == len(self.authorizations)
            and (
                self.evv_visits is None
                or len(set(map(_id, self.evv_visits))) == len(self.evv_visits)
            )
            and ids.issuperset(_chain(map(_service_ids, self.lines)))
        ):
            return
        problems = _claim_parts.problems(self)
        if problems:
            raise InvalidClaimError("invalid claim", problems)

    @property
    def line_total(self) -> Decimal:
        """The sum of the line charges, leaving out a ``0001`` total line.

        What UB-04 FL47 on the ``0001`` line and 837I ``CLM02`` must equal
        (Pub. 100-04 ch. 25 s.75.4, FL42: "the adjacent charges entry in FL 47
        is the sum of charges billed").
        """
        return sum(
            (line.charge for line in self.lines if line.revenue_code != TOTAL_REVENUE_CODE),
            Decimal("0"),
        )

    @property
    def billed_total(self) -> Decimal:
        """The header total the claim bills, ``total_charge`` or else :attr:`line_total`."""
        return self.line_total if self.total_charge is None else self.total_charge

    @property
    def has_chart(self) -> bool:
        """Whether the claim carries its chart, the documented services (:class:`Service`,
        with their clock times or minutes, credentials, settings, orders and plan of
        care) its lines point at.

        A claim read from an 837I, a UB-04 or a CMS research (RIF) file carries none:
        those formats carry each line's units and charge, never the visit's clock
        times or who rendered it (the agency keeps that in its clinical record).  The
        rules of the chart (``Need.CHART``, :class:`hcpcs_home.policy.Need`) judge only a claim
        that carries one; a check of one without says so once, in the finding
        ``chart-not-provided``.  Electronically verified visits
        (``evv_visits``) are not a chart, but they are evidence of time: a line
        they back has its time documented.
        """
        return bool(self.services)

    @property
    def has_evv(self) -> bool:
        """Whether the claim gives its electronically verified visits (``evv_visits``):
        ``()`` gives them, none; ``None`` does not say.

        A claim read from an 837I or 837P, UB-04 rows, a CMS research (RIF) file or
        the claim CSV does not: those formats never carry EVV visits, which the
        provider's EVV system sends to the state's aggregator, where the payer matches
        each claim line (21st Century Cures Act §12006; Texas HHSC EVV Policy Handbook
        §12000).  The rules that match lines with visits (``Need.EVV``,
        :class:`hcpcs_home.policy.Need`) judge only a claim that gives them.  A claim
        built directly gives them (``()`` by default), as do the builders.
        """
        return self.evv_visits is not None

    @property
    def frequency(self) -> str | None:
        """The frequency code, the last character of the type of bill.

        ``"9"`` on a 0329 claim, ``"A"`` on a 032A notice of admission.
        """
        return None if self.type_of_bill is None else self.type_of_bill[3]

    def occurrence(self, code: str) -> Occurrence | None:
        """The first occurrence code ``code`` on the claim, if any."""
        return next((o for o in self.occurrence_codes if o.code == code), None)

    def value(self, code: str) -> ValueCode | None:
        """The first value code ``code`` on the claim, if any."""
        return next((v for v in self.value_codes if v.code == code), None)

    @property
    def bill_class(self) -> str | None:
        """The type of bill's facility and classification digits (``"32"``, ``"34"``, ``"81"``)."""
        return None if self.type_of_bill is None else self.type_of_bill[1:3]

    def services_for(self, line: ClaimLine) -> tuple[Service, ...]:
        """The services a line points at, in the line's order."""
        by_id = {s.id: s for s in self.services}
        return tuple(by_id[sid] for sid in line.service_ids)

    def authorization(self, number: str | None) -> Authorization | None:
        """The claim's authorization with that number, if any."""
        for auth in self.authorizations:
            if auth.number == number:
                return auth
        return None

    def ub04_rows(self) -> list[dict[str, str]]:
        """The lines as UB-04 FL42-FL47 rows, with the total charge row (0001) last.

        The total row's FL47 is :attr:`billed_total`.
        """
        rows = [line.ub04_row() for line in self.lines]
        total = self.billed_total
        rows.append(
            dict(zip(_UB04_COLUMNS, ("0001", "TOTAL", "", "", f"{total:.2f}"), strict=True))
        )
        return rows

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

        head = "".join(f"<th>{html.escape(c)}</th>" for c in _UB04_COLUMNS)
        body = "".join(
            "<tr>" + "".join(f"<td>{html.escape(v)}</td>" for v in row.values()) + "</tr>"
            for row in self.ub04_rows()
        )
        caption = html.escape(
            f"{self.id or 'claim'} · TOB {self.type_of_bill or '837P'} · {self.payer.name} · "
            f"{self.statement_from.isoformat()} to {self.statement_through.isoformat()}"
        )
        return (
            f"<table><caption>{caption}</caption><thead><tr>{head}</tr></thead>"
            f"<tbody>{body}</tbody></table>"
        )
