"""Junk at every public entry point gets the library's own errors, never a crash.

Modelled on python-stdnum's robustness doctest: None, '', object(), '€', huge
ints, NaN, bytes, containers and very long strings go into each argument.
"""

from __future__ import annotations

import datetime
import math
from collections.abc import Callable
from typing import Any

import attrs
import pytest

import hcpcs_home
from hcpcs_home import evv, hospice, limits, payers, units
from hcpcs_home.errors import (
    InvalidClaimError,
    InvalidFieldError,
    InvalidMinutesError,
    InvalidTimeError,
    RuleSetLoadError,
    UnknownCodeError,
)
from hcpcs_home.rules import VOCABULARY
from hcpcs_home.serialize import claim_from_data, claim_from_json

JUNK: list[Any] = [
    None,
    "",
    object(),
    "€",
    10**100,
    -(10**100),
    math.nan,
    math.inf,
    b"G0152",
    [],
    {},
    "G" * 100_000,
    True,
]

_DAY = datetime.date(2026, 3, 10)
#: A documented 50-minute RN visit, for check_visit.
_VISIT = hcpcs_home.Service.from_times("G0299", _DAY, "09:00", "09:50", credential="RN")

ENTRY_POINTS: dict[str, Callable[[Any], object]] = {
    "lookup": hcpcs_home.lookup,
    "normalize_code": hcpcs_home.normalize_code,
    "billable_units(code)": lambda j: units.billable_units(j, 30),
    "billable_units(minutes)": lambda j: units.billable_units("G0152", j),
    "billable_units(policy)": lambda j: units.billable_units("G0152", 30, policy=j),
    "units_for_many": lambda j: units.units_for_many("G0152", [30, j]),
    "total_time_units": units.total_time_units,
    "total_time_units(value)": lambda j: units.total_time_units({"97110": j}),
    "minutes_between(start)": lambda j: units.minutes_between(j, "10:00"),
    "minutes_between(stop)": lambda j: units.minutes_between("10:00", j),
    "per_diem_units": units.per_diem_units,
    "check": hcpcs_home.check,
    "check(rules)": lambda j: hcpcs_home.check(
        hcpcs_home.Claim(payers.MEDICARE, "2024-03-01", "2024-03-31"), j
    ),
    "claim_from_data": claim_from_data,
    "claim_from_json": lambda j: claim_from_json(j if isinstance(j, (str, bytes)) else str(j)),
    "Service(code)": lambda j: hcpcs_home.Service(code=j, date="2024-03-04"),
    "Service(date)": lambda j: hcpcs_home.Service(code="G0299", date=j),
    "Service(start)": lambda j: hcpcs_home.Service(
        code="G0299", date="2024-03-04", start=j, stop="10:00"
    ),
    "ClaimLine(units)": lambda j: hcpcs_home.ClaimLine("G0299", "2024-03-04", j),
    "ClaimLine(charge)": lambda j: hcpcs_home.ClaimLine("G0299", "2024-03-04", 1, charge=j),
    "ClaimLine.from_service": lambda j: hcpcs_home.ClaimLine.from_service(j),
    "Claim(payer)": lambda j: hcpcs_home.Claim(j, "2024-03-01", "2024-03-31"),
    "Claim(lines)": lambda j: hcpcs_home.Claim(
        payers.MEDICARE, "2024-03-01", "2024-03-31", lines=[j]
    ),
    "chc_day": hcpcs_home.chc_day,
    "chc_day(day)": lambda j: hcpcs_home.chc_day([], day=j),
    "chc_day(share)": lambda j: hcpcs_home.chc_day([], day=_DAY, share=j),
    "noe_timing(election)": lambda j: hcpcs_home.noe_timing(j, _DAY),
    "noe_timing(accepted_on)": lambda j: hcpcs_home.noe_timing(_DAY, j),
    "hospice.level_days": hospice.level_days,
    "hospice.respite_excess": hospice.respite_excess,
    "hospice.sia_days(death)": lambda j: hospice.sia_days([], j),
    "hospice.rhc_split(days_before)": lambda j: hospice.rhc_split([], days_before=j),
    "units.policy_for_bill(type_of_bill)": lambda j: units.policy_for_bill(None, j),
    "EvvVisit(service)": lambda j: hcpcs_home.EvvVisit(j, "2024-03-04"),
    "EvvVisit(stop)": lambda j: hcpcs_home.EvvVisit("T1019", "2024-03-04", start="08:00", stop=j),
    "EvvVisit(method)": lambda j: hcpcs_home.EvvVisit("T1019", "2024-03-04", method=j),
    "EvvVisit.from_row": lambda j: hcpcs_home.EvvVisit.from_row(j),
    "evv.match_visits": lambda j: evv.match_visits(j),
    "evv.match_visits(visits)": lambda j: evv.match_visits(
        hcpcs_home.Claim(payers.MEDICARE, "2024-03-01", "2024-03-31"), j
    ),
    "evv.worker_overlaps": lambda j: evv.worker_overlaps(j),
    "limits.authorization_usage": lambda j: limits.authorization_usage(j),
    "limits.per_day_excess": lambda j: limits.per_day_excess(j),
    "check_many(batch)": lambda j: list(hcpcs_home.check_many(j, batch=True)),
    "check_visit(service)": lambda j: hcpcs_home.check_visit(j, payers.MEDICARE),
    "check_visit(payer)": lambda j: hcpcs_home.check_visit(_VISIT, j),
    "check_visit(line)": lambda j: hcpcs_home.check_visit(_VISIT, payers.MEDICARE, line=j),
    "check_visit(type_of_bill)": lambda j: hcpcs_home.check_visit(
        _VISIT, payers.MEDICARE, type_of_bill=j
    ),
    "payer_profile": lambda j: payers.payer_profile(j),
    "Payer(week_start)": lambda j: attrs.evolve(payers.MEDICARE, week_start=j),
    "predicate": lambda j: hcpcs_home.predicate(j),
    "RuleSet.from_json": lambda j: hcpcs_home.RuleSet.from_json(
        j if isinstance(j, (str, bytes)) else str(j), VOCABULARY
    ),
}


#: The library error each entry point refuses junk with.
REFUSED_WITH: dict[str, type[Exception] | tuple[type[Exception], ...]] = {
    "lookup": UnknownCodeError,
    "normalize_code": UnknownCodeError,
    "billable_units(code)": UnknownCodeError,
    "billable_units(minutes)": InvalidMinutesError,
    "billable_units(policy)": InvalidFieldError,
    "units_for_many": InvalidMinutesError,
    "total_time_units": InvalidFieldError,
    "total_time_units(value)": InvalidMinutesError,
    "minutes_between(start)": InvalidTimeError,
    "minutes_between(stop)": InvalidTimeError,
    "per_diem_units": InvalidTimeError,
    "check": InvalidFieldError,
    "check(rules)": InvalidFieldError,
    "claim_from_data": (InvalidFieldError, InvalidClaimError),
    "claim_from_json": (InvalidFieldError, InvalidClaimError),
    "Service(code)": InvalidFieldError,
    "Service(date)": InvalidTimeError,
    "Service(start)": InvalidTimeError,
    "ClaimLine(units)": InvalidFieldError,
    "ClaimLine(charge)": InvalidFieldError,
    "ClaimLine.from_service": InvalidFieldError,
    "Claim(payer)": InvalidFieldError,
    "Claim(lines)": InvalidFieldError,
    "chc_day": InvalidFieldError,
    "chc_day(day)": InvalidFieldError,
    "chc_day(share)": InvalidFieldError,
    "noe_timing(election)": InvalidTimeError,
    "noe_timing(accepted_on)": InvalidTimeError,
    "hospice.level_days": InvalidFieldError,
    "hospice.respite_excess": InvalidFieldError,
    "hospice.sia_days(death)": InvalidTimeError,
    "hospice.rhc_split(days_before)": InvalidFieldError,
    "units.policy_for_bill(type_of_bill)": InvalidFieldError,
    "EvvVisit(service)": InvalidFieldError,
    "EvvVisit(stop)": InvalidTimeError,
    "EvvVisit(method)": InvalidFieldError,
    "EvvVisit.from_row": InvalidFieldError,
    "evv.match_visits": InvalidFieldError,
    "evv.match_visits(visits)": InvalidFieldError,
    "evv.worker_overlaps": InvalidFieldError,
    "limits.authorization_usage": InvalidFieldError,
    "limits.per_day_excess": InvalidFieldError,
    "check_many(batch)": InvalidFieldError,
    "check_visit(service)": InvalidFieldError,
    "check_visit(payer)": InvalidFieldError,
    "check_visit(line)": InvalidFieldError,
    "check_visit(type_of_bill)": InvalidFieldError,
    "payer_profile": InvalidFieldError,
    "Payer(week_start)": InvalidFieldError,
    "predicate": RuleSetLoadError,
    "RuleSet.from_json": RuleSetLoadError,
}


def _id(value: object) -> str:
    return "object()" if type(value) is object else repr(value)[:30]


#: The few junk values that are valid input, and what they give.
ACCEPTED: dict[tuple[str, str], Callable[[Any], bool]] = {
    ("billable_units(policy)", "None"): lambda result: 2 == result,  # the default policy
    ("check(rules)", "None"): lambda report: report.ok,  # the default rules, clean claim
    ("per_diem_units", "[]"): lambda result: 0 == result,  # no services, no days
    ("total_time_units", "{}"): lambda result: {} == result,  # no codes, no units
    ("hospice.level_days", "[]"): lambda result: {} == result,  # no lines, no days
    ("hospice.level_days", "{}"): lambda result: {} == result,
    ("hospice.respite_excess", "{}"): lambda result: () == result,
    ("units.policy_for_bill(type_of_bill)", "None"): lambda policy: "Medicare" == policy.name,
    ("evv.match_visits(visits)", "None"): lambda matches: () == matches,  # the claim's own
    ("evv.match_visits(visits)", "[]"): lambda matches: () == matches,
    ("evv.worker_overlaps", "[]"): lambda result: () == result,  # an empty batch
    ("limits.authorization_usage", "[]"): lambda result: {} == result,
    ("limits.per_day_excess", "[]"): lambda result: {} == result,
    ("check_many(batch)", "[]"): lambda result: [] == result,
    # No line: the visit's own; no type of bill: a professional line.
    ("check_visit(line)", "None"): lambda report: 1 == len(report.claim.lines),
    ("check_visit(type_of_bill)", "None"): lambda report: report.claim.type_of_bill is None,
    ("EvvVisit(stop)", "None"): lambda visit: "time" in visit.missing_elements(),
    ("EvvVisit(method)", "None"): lambda visit: visit.method is None,
}


@pytest.mark.parametrize("name", sorted(ENTRY_POINTS))
@pytest.mark.parametrize("junk", JUNK, ids=_id)
def test_junk_is_refused(name: str, junk: object) -> None:
    """Each entry point refuses junk with its own library error, or gives the right value."""
    accepted = ACCEPTED.get((name, _id(junk)))
    if accepted is not None:
        assert accepted(ENTRY_POINTS[name](junk))
        return
    with pytest.raises(REFUSED_WITH[name]):
        ENTRY_POINTS[name](junk)


def test_every_entry_point_has_its_error() -> None:
    """The table of expected errors covers every entry point."""
    assert sorted(ENTRY_POINTS) == sorted(REFUSED_WITH)
