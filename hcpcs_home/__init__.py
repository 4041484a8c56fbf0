"""hcpcs_home: HCPCS billing rules for home health, home care and hospice.

The public API is declared here; every name in :data:`__all__` is documented
in the API reference.

>>> import hcpcs_home
>>> hcpcs_home.lookup("S9123").unit.value
'hour'
"""

from __future__ import annotations

import importlib
from typing import TYPE_CHECKING, Any

from .errors import (
    CodeNotEffectiveError,
    EditFileError,
    HcpcsError,
    HistoryConflictError,
    HistoryError,
    HistoryStoreError,
    InvalidClaimError,
    InvalidFieldError,
    InvalidMinutesError,
    InvalidTimeError,
    ModifierNotEffectiveError,
    NotTimedError,
    RuleSetLoadError,
    UnknownCodeError,
    UnknownModifierError,
)

if TYPE_CHECKING:
    from . import (
        bounds,
        catalog,
        dask,
        dataframes,
        edits,
        evv,
        formats,
        history,
        hospice,
        limits,
        modifiers,
        payers,
        payment,
        pdgm,
        policy,
        rif,
        rules,
        ub04,
        units,
        x12,
        x12_files,
    )
    from .catalog import (
        CMS_RELEASE,
        DATA_RELEASE,
        Catalog,
        Release,
        default_catalog,
        load_cms_file,
        lookup,
        lookup_modifier,
    )
    from .claims import (
        Authorization,
        AuthorizationBasis,
        Claim,
        ClaimLine,
        Occurrence,
        OccurrenceSpan,
        Service,
        ValueCode,
    )
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
    from .edits import load_edits
    from .evv import EvvVisit, VerificationMethod, claim_from_visits
    from .hospice import chc_day, month_claim, noe_timing
    from .modifiers import Modifier, ModifierRole
    from .payers import Payer, PayerKind
    from .payment import price
    from .pdgm import first_billable_visit, is_lupa, noa_timing, pdgm_periods, period_claim
    from .policy import (
        Finding,
        Predicate,
        Report,
        Rule,
        RuleSet,
        Severity,
        Vocabulary,
        check,
        check_many,
        check_visit,
        predicate,
    )
    from .units import UnitPolicy, billable_units, total_time_units

__version__ = "0.1.0"

__all__ = [
    "CMS_RELEASE",
    "DATA_RELEASE",
    "Authorization",
    "AuthorizationBasis",
    "BillingUnit",
    "Catalog",
    "Claim",
    "ClaimLine",
    "Code",
    "CodeNotEffectiveError",
    "CodeSet",
    "Coverage",
    "Credential",
    "Discipline",
    "EditFileError",
    "EvvVisit",
    "Finding",
    "HcpcsError",
    "HistoryConflictError",
    "HistoryError",
    "HistoryStoreError",
    "InvalidClaimError",
    "InvalidFieldError",
    "InvalidMinutesError",
    "InvalidTimeError",
    "Modifier",
    "ModifierNotEffectiveError",
    "ModifierRole",
    "NotTimedError",
    "Occurrence",
    "OccurrenceSpan",
    "Payer",
    "PayerKind",
    "Predicate",
    "Release",
    "Report",
    "Rule",
    "RuleSet",
    "RuleSetLoadError",
    "Service",
    "Setting",
    "Severity",
    "UnitPolicy",
    "UnknownCodeError",
    "UnknownModifierError",
    "ValueCode",
    "VerificationMethod",
    "Vocabulary",
    "__version__",
    "billable_units",
    "bounds",
    "catalog",
    "chc_day",
    "check",
    "check_many",
    "check_visit",
    "claim_from_visits",
    "dask",
    "dataframes",
    "default_catalog",
    "edits",
    "evv",
    "first_billable_visit",
    "formats",
    "history",
    "hospice",
    "is_lupa",
    "limits",
    "load_cms_file",
    "load_edits",
    "lookup",
    "lookup_modifier",
    "modifiers",
    "month_claim",
    "noa_timing",
    "noe_timing",
    "normalize_code",
    "payers",
    "payment",
    "pdgm",
    "pdgm_periods",
    "period_claim",
    "policy",
    "predicate",
    "price",
    "rif",
    "rules",
    "total_time_units",
    "ub04",
    "units",
    "x12",
    "x12_files",
]

# Public names are imported on first use (PEP 562), so ``import hcpcs_home``
# stays cheap for a host application that only needs part of the library.
_LAZY: dict[str, str] = {
    "CMS_RELEASE": "catalog",
    "Authorization": "claims",
    "AuthorizationBasis": "claims",
    "BillingUnit": "codes",
    "Catalog": "catalog",
    "Claim": "claims",
    "ClaimLine": "claims",
    "Code": "codes",
    "CodeSet": "codes",
    "Coverage": "codes",
    "Credential": "codes",
    "DATA_RELEASE": "catalog",
    "Discipline": "codes",
    "EvvVisit": "evv",
    "Finding": "policy",
    "Occurrence": "claims",
    "OccurrenceSpan": "claims",
    "Modifier": "modifiers",
    "ModifierRole": "modifiers",
    "Payer": "payers",
    "PayerKind": "payers",
    "Predicate": "policy",
    "Release": "catalog",
    "Report": "policy",
    "Rule": "policy",
    "RuleSet": "policy",
    "Service": "claims",
    "Setting": "codes",
    "Severity": "policy",
    "UnitPolicy": "units",
    "ValueCode": "claims",
    "VerificationMethod": "evv",
    "claim_from_visits": "evv",
    "billable_units": "units",
    "bounds": "bounds",
    "catalog": "catalog",
    "dask": "dask",
    "dataframes": "dataframes",
    "formats": "formats",
    "default_catalog": "catalog",
    "chc_day": "hospice",
    "edits": "edits",
    "load_edits": "edits",
    "policy": "policy",
    "rules": "rules",
    "Vocabulary": "policy",
    "evv": "evv",
    "history": "history",
    "limits": "limits",
    "check": "policy",
    "check_many": "policy",
    "check_visit": "policy",
    "hospice": "hospice",
    "load_cms_file": "catalog",
    "lookup": "catalog",
    "noe_timing": "hospice",
    "month_claim": "hospice",
    "lookup_modifier": "catalog",
    "modifiers": "modifiers",
    "normalize_code": "codes",
    "payers": "payers",
    "payment": "payment",
    "price": "payment",
    "pdgm": "pdgm",
    "rif": "rif",
    "pdgm_periods": "pdgm",
    "noa_timing": "pdgm",
    "is_lupa": "pdgm",
    "first_billable_visit": "pdgm",
    "period_claim": "pdgm",
    "predicate": "policy",
    "total_time_units": "units",
    "ub04": "ub04",
    "units": "units",
    "x12": "x12",
    "x12_files": "x12_files",
}


def __getattr__(name: str) -> Any:
    module = _LAZY.get(name)
    if module is None:
        raise AttributeError(f"module 'hcpcs_home' has no attribute {name!r}")
    target = importlib.import_module(f"{__name__}.{module}")
    value = target if name == module else getattr(target, name)
    globals()[name] = value
    return value


def __dir__() -> list[str]:
    return __all__
