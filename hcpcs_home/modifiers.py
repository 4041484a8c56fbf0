"""The :class:`Modifier` value type: a HCPCS Level II modifier and what it asserts.

CMS's HCPCS release lists every Level II modifier with its descriptor and
dates; the library adds, for the modifiers a home-care claim meets, what the
modifier *asserts* about the line: the therapy discipline whose plan of care
it was furnished under (GP, GO, GN), the credential of who rendered it (TD
for an RN, TE for an LPN/LVN), that an assistant furnished it (CQ, CO), that
it was delivered by telehealth (GT, GQ) ...  Those assertions are curated in
``hcpcs_home/data/modifier_assertions.tsv``, each row with its public source.

Look a modifier up with :func:`hcpcs_home.catalog.lookup_modifier`:

>>> from hcpcs_home import lookup_modifier, Credential
>>> cq = lookup_modifier(" cq")
>>> cq.credential is Credential.PTA, cq.assistant, cq.effective.isoformat()
(True, True, '2019-01-01')
>>> lookup_modifier("RN")
Traceback (most recent call last):
...
hcpcs_home.errors.UnknownModifierError: unknown HCPCS modifier 'RN'; did you mean 'TD' or 'TE'?
"""

from __future__ import annotations

import datetime as _dt
import enum
import re
from typing import Any

import attrs

from ._values import lazy_methods
from .codes import Coverage, Credential, Discipline
from .errors import InvalidFieldError, UnknownModifierError

__all__ = ["Modifier", "ModifierRole", "normalize_modifier"]


def __dir__() -> list[str]:
    return __all__


class ModifierRole(str, enum.Enum):
    """What kind of fact a curated modifier states about a claim line."""

    THERAPY_DISCIPLINE = "therapy discipline"
    """Furnished under a PT, OT or SLP plan of care (GP, GO, GN)."""
    THERAPY_ASSISTANT = "therapy assistant"
    """Furnished in whole or in part by a PTA or OTA (CQ, CO)."""
    CREDENTIAL = "credential"
    """The rendering professional's credential (TD, TE, AJ)."""
    EDUCATION_LEVEL = "education level"
    """The rendering clinician's degree level (HM-HP)."""
    REQUIREMENTS_MET = "requirements met"
    """The payer's documented requirements are met (KX)."""
    TELEHEALTH = "telehealth"
    """Delivered by telecommunication (GT, GQ)."""
    HOSPICE = "hospice"
    """Hospice status of the patient or physician (GV, GW, PM)."""
    LIABILITY = "liability notice"
    """Advance beneficiary notice and expected-denial markers (GA, GY, GZ)."""
    DISTINCT_SERVICE = "distinct service"
    """A service distinct from another on the same day (XE, XP, XS, XU)."""
    LEVEL_OF_CARE = "level of care"
    """A Medicaid level of care each state defines (U1-U9, UA-UD)."""
    GROUP = "group"
    """Several patients served together (HQ, TT, UN-US)."""
    RATE = "rate"
    """An overtime or holiday/weekend rate (TU, TV)."""
    FUNDING = "funding"
    """State- or federally-funded program (SE)."""
    SEVERITY = "functional severity"
    """Functional-limitation severity for the therapy reporting G-codes (CH-CN), used for
    dates of service before 2019-01-01."""


_MODIFIER_RE = re.compile(r"[A-Z0-9]{2}\Z")
_SPACE_RE = re.compile(r"\s+")


def normalize_modifier(value: object) -> str:
    """Return the canonical spelling of a two-character modifier, or raise.

    Case and whitespace are ignored.  This checks the form only; whether CMS
    knows the modifier is :func:`hcpcs_home.catalog.lookup_modifier`'s business.

    >>> from hcpcs_home.modifiers import normalize_modifier
    >>> normalize_modifier(" gp ")
    'GP'
    >>> normalize_modifier("G P1")
    Traceback (most recent call last):
    ...
    hcpcs_home.errors.UnknownModifierError: unknown HCPCS modifier 'G P1'
    """
    if not isinstance(value, str) or len(value) > 16:
        raise UnknownModifierError(value)
    text = _SPACE_RE.sub("", value).upper()
    if not _MODIFIER_RE.match(text):
        raise UnknownModifierError(value)
    return text


def _modifier_converter(value: object) -> str:
    try:
        return normalize_modifier(value)
    except LookupError:
        raise InvalidFieldError("modifier", value, "is not a two-character modifier") from None


def _optional_coverage(value: Coverage | str | None) -> Coverage | None:
    return None if value is None or value == "" else Coverage(value)


def _optional_role(value: ModifierRole | str | None) -> ModifierRole | None:
    return None if value is None or value == "" else ModifierRole(value)


def _optional_discipline(value: Discipline | str | None) -> Discipline | None:
    return None if value is None or value == "" else Discipline(value)


def _optional_credential(value: Credential | str | None) -> Credential | None:
    return None if value is None or value == "" else Credential(value)


def _check_terminated(
    instance: Modifier, attribute: attrs.Attribute[Any], value: _dt.date | None
) -> None:
    if value is not None and value < instance.effective:
        raise InvalidFieldError(
            "terminated", value, f"is before effective={instance.effective.isoformat()}"
        )


@attrs.frozen(slots=True)
@lazy_methods
class Modifier:
    """One HCPCS Level II modifier, its dates and what it asserts about a line.

    :ivar code: the two-character modifier, canonical (``"GP"``).
    :ivar descriptor: CMS's long descriptor.
    :ivar short_descriptor: CMS's short descriptor.
    :ivar effective: the date CMS added the modifier.
    :ivar terminated: its last valid date, ``None`` while active.
    :ivar coverage: CMS's coverage code for the modifier.
    :ivar role: what kind of fact it states, ``None`` when not curated.
    :ivar discipline: the discipline it asserts (GP: physical therapy).
    :ivar credential: the rendering credential it asserts (TD: RN; CQ: PTA).
    :ivar assistant: whether it says a therapy assistant furnished the service.
    :ivar telehealth: whether it says the service was delivered by telehealth.
    :ivar source: the public sources of the curated assertions.
    :ivar curated: whether the assertions were reviewed; ``False`` for a
        modifier known only from the CMS release (it is valid, and asserts
        nothing the library checks).
    """

    code: str = attrs.field(converter=_modifier_converter)
    descriptor: str = attrs.field(validator=attrs.validators.instance_of(str))
    short_descriptor: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    effective: _dt.date = attrs.field(default=_dt.date(1900, 1, 1))
    terminated: _dt.date | None = attrs.field(default=None, validator=_check_terminated)
    coverage: Coverage | None = attrs.field(default=None, converter=_optional_coverage)
    role: ModifierRole | None = attrs.field(default=None, converter=_optional_role)
    discipline: Discipline | None = attrs.field(default=None, converter=_optional_discipline)
    credential: Credential | None = attrs.field(default=None, converter=_optional_credential)
    assistant: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    telehealth: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))
    source: str = attrs.field(default="", validator=attrs.validators.instance_of(str))
    curated: bool = attrs.field(default=False, validator=attrs.validators.instance_of(bool))

    def is_effective(self, on: _dt.date) -> bool:
        """Whether the modifier is valid on a date of service.

        >>> from hcpcs_home import lookup_modifier
        >>> import datetime
        >>> lookup_modifier("CQ").is_effective(datetime.date(2018, 12, 31))
        False
        """
        return self.effective <= on and (self.terminated is None or on <= self.terminated)

    def __str__(self) -> str:
        return f"{self.code}: {self.descriptor}"

    def summary(self) -> dict[str, str]:
        """A flat, readable ``{column: text}`` view.

        >>> from hcpcs_home import lookup_modifier
        >>> lookup_modifier("TE").summary()["credential"]
        'LPN'
        """
        return {
            "modifier": self.code,
            "descriptor": self.descriptor,
            "effective": self.effective.isoformat(),
            "terminated": self.terminated.isoformat() if self.terminated else "",
            "role": self.role.value if self.role else "",
            "discipline": self.discipline.value if self.discipline else "",
            "credential": self.credential.value if self.credential else "",
            "assistant": "yes" if self.assistant else "no",
            "telehealth": "yes" if self.telehealth else "no",
            "source": self.source,
        }

    def _repr_html_(self) -> str:
        import html  # on first display only: html loads its entity table, which a check never needs

        rows = "".join(
            f"<tr><th style='text-align:left'>{html.escape(k)}</th>"
            f"<td style='text-align:left'>{html.escape(v)}</td></tr>"
            for k, v in self.summary().items()
        )
        return f"<table>{rows}</table>"
