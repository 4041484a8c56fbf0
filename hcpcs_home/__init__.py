"""hcpcs_home: HCPCS billing rules for home health, home care and hospice.

The public API is declared here; every name in :data:`__all__` is documented
in the API reference.

>>> import hcpcs_home
>>> hcpcs_home.lookup("S9123").unit.value
'hour'
"""

from __future__ import annotations

from .catalog import DATA_RELEASE, Catalog, catalog, load_cms_file, lookup
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
    HcpcsError,
    InvalidClaimError,
    InvalidFieldError,
    InvalidMinutesError,
    InvalidTimeError,
    NotTimedError,
    RuleSetLoadError,
    UnknownCodeError,
)

__version__ = "0.1.0"

__all__ = [
    "DATA_RELEASE",
    "BillingUnit",
    "Catalog",
    "Code",
    "CodeNotEffectiveError",
    "CodeSet",
    "Coverage",
    "Credential",
    "Discipline",
    "HcpcsError",
    "InvalidClaimError",
    "InvalidFieldError",
    "InvalidMinutesError",
    "InvalidTimeError",
    "NotTimedError",
    "RuleSetLoadError",
    "Setting",
    "UnknownCodeError",
    "__version__",
    "catalog",
    "load_cms_file",
    "lookup",
    "normalize_code",
]


def __dir__() -> list[str]:
    return __all__
