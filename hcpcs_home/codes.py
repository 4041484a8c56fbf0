"""The :class:`Code` value type and the vocabularies that describe a code.

A :class:`Code` is immutable and canonical: whatever spelling it was built
from, its ``code`` is upper case without spaces, and its sets are frozen.

>>> from hcpcs_home import lookup, BillingUnit, Credential
>>> s9124 = lookup("s9124")
>>> s9124.unit is BillingUnit.HOUR, Credential.LPN in s9124.credentials
(True, True)
>>> s9124.medicare_accepts
False
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from collections.abc import Iterable
from typing import Any

import attrs

from ._values import lazy_methods
from .bounds import MAX_CODE_TEXT
from .errors import InvalidFieldError, UnknownCodeError

__all__ = [
    "BillingUnit",
    "Code",
    "CodeSet",
    "Coverage",
    "Credential",
    "Discipline",
    "Setting",
    "normalize_code",
]


def __dir__() -> list[str]:
    return __all__


class CodeSet(str, enum.Enum):
    """Which coding system a code belongs to."""

    HCPCS = "HCPCS Level II"
    """CMS's national Level II codes (A-V); descriptors are public domain."""
    CPT = "CPT"
    """AMA's Level I codes; this library ships its own short summaries only."""


class BillingUnit(str, enum.Enum):
    """What one billed unit of a code stands for, read from its descriptor."""

    FIFTEEN_MINUTES = "15 minutes"
    """Read from "per 15 minutes" or "each 15 minutes"; CMS's 8-minute bands."""
    UP_TO_FIFTEEN_MINUTES = "up to 15 minutes"
    """Read from "up to 15 minutes" (T1000-T1005); any part of a 15-minute block."""
    MINUTE = "minute"
    """Read from "per minute" (T1014)."""
    HOUR = "hour"
    """Read from "per hour"; whole hours plus the payer's partial-hour convention."""
    HALF_DAY = "half day"
    """Read from "per half day" (S5101)."""
    DAY = "day"
    """Read from "per diem" or "per day"; one unit per calendar day of service."""
    DAYS_MONITORED = "days monitored"
    """One line per period whose units are the days monitored (G0322)."""
    MONTH = "month"
    """Read from "per month" or "per calendar month"."""
    SESSION = "session"
    """Read from "per session", possibly with a minimum length (45 minutes for G0129)."""
    VISIT = "visit"
    """Read from "per visit" or "per encounter"; one unit each, whatever the length."""
    UNTIMED = "untimed"
    """No time in the descriptor (evaluations, items, installations); one unit each."""

    @property
    def is_timed(self) -> bool:
        """Whether documented minutes decide the units (15-minute, minute, hour, session)."""
        return self in _TIMED


_TIMED = frozenset(
    {
        BillingUnit.FIFTEEN_MINUTES,
        BillingUnit.UP_TO_FIFTEEN_MINUTES,
        BillingUnit.MINUTE,
        BillingUnit.HOUR,
        BillingUnit.SESSION,
    }
)


class Discipline(str, enum.Enum):
    """The discipline a code belongs to (the UB-04 revenue-code family follows from it)."""

    SKILLED_NURSING = "skilled nursing"
    PHYSICAL_THERAPY = "physical therapy"
    OCCUPATIONAL_THERAPY = "occupational therapy"
    SPEECH_LANGUAGE_PATHOLOGY = "speech-language pathology"
    OUTPATIENT_THERAPY = "outpatient therapy"
    """Fee-schedule therapy codes any of PT, OT or SLP may bill (97110, 97140...);
    the GP/GO/GN modifier and revenue code say which."""
    MEDICAL_SOCIAL_SERVICES = "medical social services"
    HOME_HEALTH_AIDE = "home health aide"
    PERSONAL_CARE = "personal care"
    RESPITE = "respite"
    HOSPICE = "hospice"
    HOMEMAKER = "homemaker and chore"
    ADULT_DAY_CARE = "adult day care"
    TRAINING = "training"
    CASE_MANAGEMENT = "case management"
    BEHAVIORAL_HEALTH = "behavioral health"
    RESPIRATORY_THERAPY = "respiratory therapy"
    TELEHEALTH = "telehealth"
    SITE_OF_SERVICE = "site of service"
    HOME_INFUSION = "home infusion"
    """Home infusion and home pharmacy per diems (S9325-S9590, S5497-S5523) and the
    Medicare home infusion therapy professional services (G0068-G0070, G0088-G0090)."""
    HABILITATION = "habilitation"
    """Waiver habilitation (educational, prevocational, residential, supported employment,
    day habilitation; T2012-T2021)."""
    WAIVER = "waiver services"
    """Other home- and community-based waiver services (T2024-T2041)."""
    RESIDENTIAL = "residential care"
    """Assisted living and residential care under a waiver (T2030-T2033)."""
    TRANSPORTATION = "transportation"
    """Non-emergency transportation (T2001-T2007)."""
    PHYSICIAN = "physician services"
    """Physician or practitioner work for home-health and hospice patients (certification,
    care-plan oversight, home visits; G0179-G0182, S0270-S0274)."""
    OTHER = "other"


class Credential(str, enum.Enum):
    """Who renders a service."""

    RN = "RN"
    """Registered nurse."""
    LPN = "LPN"
    """Licensed practical (or vocational, LVN) nurse."""
    HHA = "HHA"
    """Home health or hospice aide."""
    CNA = "CNA"
    """Certified nurse assistant."""
    NURSING_AIDE = "NA"
    """Qualified nursing aide (T1004)."""
    PCA = "PCA"
    """Personal care attendant (T1019/T1020; not an HHA or CNA)."""
    PT = "PT"
    PTA = "PTA"
    OT = "OT"
    OTA = "OTA"
    SLP = "SLP"
    MSW = "MSW"
    """Social worker (clinical or medical social worker)."""
    RT = "RT"
    """Respiratory therapist."""

    @property
    def discipline(self) -> Discipline:
        """The discipline whose services this credential renders, e.g. skilled nursing
        for an RN or LPN, physical therapy for a PTA, home health aide for a CNA.

        >>> from hcpcs_home import Credential
        >>> Credential.OTA.discipline
        <Discipline.OCCUPATIONAL_THERAPY: 'occupational therapy'>
        """
        return _CREDENTIAL_DISCIPLINE[self]


_CREDENTIAL_DISCIPLINE = {
    Credential.RN: Discipline.SKILLED_NURSING,
    Credential.LPN: Discipline.SKILLED_NURSING,
    Credential.HHA: Discipline.HOME_HEALTH_AIDE,
    Credential.CNA: Discipline.HOME_HEALTH_AIDE,
    Credential.NURSING_AIDE: Discipline.HOME_HEALTH_AIDE,
    Credential.PCA: Discipline.PERSONAL_CARE,
    Credential.PT: Discipline.PHYSICAL_THERAPY,
    Credential.PTA: Discipline.PHYSICAL_THERAPY,
    Credential.OT: Discipline.OCCUPATIONAL_THERAPY,
    Credential.OTA: Discipline.OCCUPATIONAL_THERAPY,
    Credential.SLP: Discipline.SPEECH_LANGUAGE_PATHOLOGY,
    Credential.MSW: Discipline.MEDICAL_SOCIAL_SERVICES,
    Credential.RT: Discipline.RESPIRATORY_THERAPY,
}


class Setting(str, enum.Enum):
    """Where a service is furnished."""

    HOME = "home"
    HOSPICE = "hospice"
    ASSISTED_LIVING = "assisted living"
    PHP = "partial hospitalization"
    IOP = "intensive outpatient"
    CLINIC = "clinic"
    ADULT_DAY_CENTER = "adult day center"
    FACILITY = "facility"
    SCHOOL = "school"
    TELEHEALTH = "telehealth"
    COMMUNITY = "community"


class Coverage(str, enum.Enum):
    """CMS HCPCS coverage code (record layout field 16)."""

    CARRIER_JUDGMENT = "C"
    SPECIAL_INSTRUCTIONS = "D"
    NOT_PAYABLE = "I"
    NON_COVERED = "M"
    STATUTORY_NON_COVERAGE = "S"


_CODE_RE = re.compile(r"[A-Z0-9][0-9]{3}[A-Z0-9]\Z")
_SPACE_RE = re.compile(r"\s+")


def normalize_code(value: object) -> str:
    """Return the canonical spelling of a HCPCS/CPT code, or raise.

    Case and all whitespace are ignored.  A code is five characters: a letter
    or digit, three digits, and a letter or digit (``G0152``, ``99500``,
    ``0001F``).

    >>> from hcpcs_home import normalize_code
    >>> normalize_code(" g0152\\n")
    'G0152'
    >>> normalize_code("G01")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.UnknownCodeError: unknown HCPCS/CPT code 'G01'
    """
    if not isinstance(value, str):
        raise UnknownCodeError(value)
    if len(value) > MAX_CODE_TEXT:
        raise UnknownCodeError(value[:MAX_CODE_TEXT] + "...")
    text = _SPACE_RE.sub("", value)
    # ASCII before upper(): "ſ".upper() is "S", and a code is ASCII letters and digits.
    if not text.isascii() or not _CODE_RE.match(text := text.upper()):
        raise UnknownCodeError(value)
    return text


def _code_converter(value: object) -> str:
    try:
        return normalize_code(value)
    except LookupError:
        raise InvalidFieldError("code", value, "is not a five-character HCPCS/CPT code") from None


def _frozen(enum_type: type[enum.Enum]) -> Any:
    def convert(values: Iterable[Any]) -> frozenset[Any]:
        if isinstance(values, (str, enum.Enum)):
            values = [values]
        return frozenset(enum_type(v) for v in values)

    convert.__name__ = f"frozenset_of_{enum_type.__name__}"
    return convert


def _str_tuple(values: Iterable[str]) -> tuple[str, ...]:
    if isinstance(values, str):
        values = values.split()
    return tuple(str(v).strip().upper() for v in values)


def _check_dates(instance: Code, attribute: attrs.Attribute[Any], value: _dt.date | None) -> None:
    if value is not None and value < instance.effective:
        raise InvalidFieldError(
            "terminated", value, f"is before effective={instance.effective.isoformat()}"
        )


def _check_program_start(
    instance: Code, attribute: attrs.Attribute[Any], value: _dt.date | None
) -> None:
    if value is None:
        return
    if not isinstance(value, _dt.date) or isinstance(value, _dt.datetime):
        raise InvalidFieldError("program_start", value, "must be a datetime.date")
    if instance.terminated is not None and value > instance.terminated:
        raise InvalidFieldError(
            "program_start", value, f"is after terminated={instance.terminated.isoformat()}"
        )


def _check_min_minutes(instance: Code, attribute: attrs.Attribute[Any], value: int | None) -> None:
    if value is not None and (isinstance(value, bool) or value < 0):
        raise InvalidFieldError("min_minutes", value, "must be a non-negative integer")


@attrs.frozen(slots=True, order=False)
@lazy_methods
class Code:
    """One billing code and everything a biller needs to know about it.

    :ivar code: the five-character code, canonical (``"G0152"``).
    :ivar code_set: :attr:`CodeSet.HCPCS` or :attr:`CodeSet.CPT`.
    :ivar descriptor: CMS's long descriptor for HCPCS codes; our own short
        summary for CPT codes (AMA text is not shipped).
    :ivar unit: what one unit stands for.
    :ivar min_minutes: least documented time for one unit (8 for 15-minute
        codes, 45 for G0129), or ``None`` where no time minimum applies.
    :ivar discipline: the service discipline.
    :ivar credentials: who may render it; empty when the payer defines it.
    :ivar settings: where it may be furnished.
    :ivar revenue_codes: UB-04 revenue codes or families (``"0552"``,
        ``"042X"``) it is billed under; empty when payer-specific.
    :ivar medicare_accepts: whether Original Medicare accepts the code at all.
    :ivar coverage: CMS coverage code, ``None`` for CPT codes.
    :ivar processing_note: CMS processing note number (``"0088"``), if any.
    :ivar effective: first date the code is valid.
    :ivar terminated: last valid date, ``None`` while active.
    :ivar replaced_by: codes that replace a terminated code.
    :ivar source: where the attributes come from.
    :ivar curated: ``True`` for the home-care catalog's own rows, whose unit,
        discipline, credentials, settings and revenue codes were reviewed;
        ``False`` for a code known only from the CMS release (the validity
        layer): its descriptor is CMS's short descriptor, its unit is read
        from the long descriptor, and its discipline, credentials and settings
        are not stated, so the rules do not check them.
    :ivar program_start: the first date of service the paying program takes the
        code, when it differs from ``effective`` (the date CMS added the code
        to HCPCS): G0299 was added on 2015-11-02 but Medicare required it from
        2016-01-01 (CR 9369).  ``None`` when the two agree or no program date
        is recorded.
    """

    code: str = attrs.field(converter=_code_converter)
    code_set: CodeSet = attrs.field(converter=CodeSet)
    descriptor: str = attrs.field(validator=attrs.validators.instance_of(str))
    unit: BillingUnit = attrs.field(converter=BillingUnit)
    min_minutes: int | None = attrs.field(default=None, validator=_check_min_minutes)
    discipline: Discipline = attrs.field(default=Discipline.OTHER, converter=Discipline)
    credentials: frozenset[Credential] = attrs.field(
        default=frozenset(), converter=_frozen(Credential)
    )
    settings: frozenset[Setting] = attrs.field(default=frozenset(), converter=_frozen(Setting))
    revenue_codes: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    medicare_accepts: bool = attrs.field(default=False)
    coverage: Coverage | None = attrs.field(
        default=None, converter=attrs.converters.optional(Coverage)
    )
    processing_note: str | None = attrs.field(default=None)
    effective: _dt.date = attrs.field(default=_dt.date(1900, 1, 1))
    terminated: _dt.date | None = attrs.field(default=None, validator=_check_dates)
    replaced_by: tuple[str, ...] = attrs.field(default=(), converter=_str_tuple)
    source: str = attrs.field(default="")
    curated: bool = attrs.field(default=True, validator=attrs.validators.instance_of(bool))
    program_start: _dt.date | None = attrs.field(default=None, validator=_check_program_start)

    def is_effective(self, on: _dt.date) -> bool:
        """Whether the code is valid for a date of service.

        >>> from hcpcs_home import lookup
        >>> import datetime
        >>> lookup("G0154").is_effective(datetime.date(2016, 3, 1))
        False
        """
        return self.effective <= on and (self.terminated is None or on <= self.terminated)

    def accepts_revenue_code(self, revenue_code: str) -> bool:
        """Whether a four-digit UB-04 revenue code fits the code's revenue families.

        ``X`` in a family matches any digit; a code with no listed family
        accepts any revenue code (payer-specific).

        >>> from hcpcs_home import lookup
        >>> lookup("G0152").accepts_revenue_code("0431")
        True
        >>> lookup("G0152").accepts_revenue_code("0421")
        False
        """
        if not self.revenue_codes:
            return True
        rc = revenue_code.strip().upper().zfill(4)
        return any(_revenue_matches(family, rc) for family in self.revenue_codes)

    def __str__(self) -> str:
        return f"{self.code} ({self.code_set.value}): {self.descriptor}"

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.summary().items()
        )
        return f"<table>{rows}</table>"

    def to_data(self) -> dict[str, Any]:
        """The code as plain JSON data: one key per attribute, named as the attribute,
        ``None`` for what is not set, lists for sets (sorted) and tuples, ISO dates
        (what ``hcpcs-home lookup --json`` prints).

        >>> from hcpcs_home import lookup
        >>> data = lookup("G0129").to_data()
        >>> data["min_minutes"], data["terminated"], data["credentials"]
        (45, None, ['OT'])
        """
        return {
            "code": self.code,
            "code_set": self.code_set.value,
            "descriptor": self.descriptor,
            "unit": self.unit.value,
            "min_minutes": self.min_minutes,
            "discipline": self.discipline.value,
            "credentials": sorted(c.value for c in self.credentials),
            "settings": sorted(s.value for s in self.settings),
            "revenue_codes": list(self.revenue_codes),
            "medicare_accepts": self.medicare_accepts,
            "coverage": None if self.coverage is None else self.coverage.value,
            "processing_note": self.processing_note,
            "effective": self.effective.isoformat(),
            "terminated": None if self.terminated is None else self.terminated.isoformat(),
            "replaced_by": list(self.replaced_by),
            "source": self.source or None,
            "curated": self.curated,
            "program_start": None if self.program_start is None else self.program_start.isoformat(),
        }

    def summary(self) -> dict[str, str]:
        """A flat, readable ``{column: text}`` view used by tables and reports.

        >>> from hcpcs_home import lookup
        >>> lookup("G0129").summary()["min minutes"]
        '45'
        """
        return {
            "code": self.code,
            "code set": self.code_set.value,
            "descriptor": self.descriptor,
            "unit": self.unit.value,
            "min minutes": "" if self.min_minutes is None else str(self.min_minutes),
            "discipline": self.discipline.value,
            "credentials": " ".join(sorted(c.value for c in self.credentials)),
            "settings": ", ".join(sorted(s.value for s in self.settings)),
            "revenue codes": " ".join(self.revenue_codes),
            "Medicare": "accepts" if self.medicare_accepts else "does not accept",
            "effective": self.effective.isoformat(),
            "terminated": self.terminated.isoformat() if self.terminated else "",
            "replaced by": " ".join(self.replaced_by),
            "program start": self.program_start.isoformat() if self.program_start else "",
            "curated": "yes" if self.curated else "no: units and credentials not checked",
        }


def _revenue_matches(family: str, revenue_code: str) -> bool:
    family = family.zfill(4)
    return len(family) == len(revenue_code) and all(
        f == "X" or f == c for f, c in zip(family, revenue_code, strict=True)
    )
