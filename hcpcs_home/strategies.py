"""Hypothesis strategies for the library's own types, for your tests as well as ours.

Every strategy builds values that are valid by construction (they pass the
value types' own validation); they are not necessarily clean claims a payer
would pay, which is what :func:`hcpcs_home.policy.check` is for.  Each
docstring says what the strategy shrinks toward.  Importing this module needs
``hypothesis`` (the ``hcpcs_home[hypothesis]`` extra); the rest of the library
never imports it.  Installing the package registers these strategies with
:func:`hypothesis.strategies.from_type` through hypothesis' entry point, so
``st.from_type(Claim)`` works.

>>> from hypothesis import given
>>> from hcpcs_home import strategies as hst
>>> @given(hst.services())
... def test_minutes_are_never_negative(service):
...     assert service.minutes is None or service.minutes >= 0
>>> test_minutes_are_never_negative()
"""

from __future__ import annotations

import datetime as _dt
import functools
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from .catalog import default_catalog
from .claims import (
    HIPPS_REVENUE_CODE,
    Authorization,
    AuthorizationBasis,
    Claim,
    ClaimLine,
    Occurrence,
    OccurrenceSpan,
    Service,
    ValueCode,
)
from .codes import Code, Credential, Setting
from .evv import EvvVisit, VerificationMethod
from .payers import PROFILES, Payer

__all__ = [
    "authorizations",
    "claim_lines",
    "claims",
    "codes",
    "dates",
    "evv_visits",
    "hipps_codes",
    "minutes",
    "modifiers",
    "npis",
    "occurrence_spans",
    "occurrences",
    "payers",
    "services",
    "value_codes",
]


def __dir__() -> list[str]:
    return __all__


_EARLIEST = _dt.date(2017, 1, 1)
_LATEST = _dt.date(2026, 12, 31)


def codes(**criteria: Any) -> st.SearchStrategy[Code]:
    """Codes from the shipped catalog, filtered like :meth:`hcpcs_home.catalog.Catalog.filter`.

    Shrinks toward the first code in code order.
    """
    return st.sampled_from(_matching(tuple(sorted(criteria.items()))))


@functools.lru_cache(maxsize=64)
def _matching(criteria: tuple[tuple[str, Any], ...]) -> tuple[Code, ...]:
    found = tuple(default_catalog().filter(**dict(criteria)).codes())
    if not found:
        raise ValueError(f"no shipped code matches {dict(criteria)!r}")
    return found


def _numbered(prefix: str, digits: int) -> st.SearchStrategy[str]:
    """``prefix`` and ``digits`` digits, e.g. ``PA004217`` (cheaper than from_regex)."""
    return st.integers(0, 10**digits - 1).map(lambda n: f"{prefix}{n:0{digits}d}")


@functools.cache
def dates(code: Code | None = None) -> st.SearchStrategy[_dt.date]:
    """Dates of service from 2017 to 2026, inside ``code``'s effective dates if given.

    Shrinks toward the earliest allowed date.
    """
    low, high = _EARLIEST, _LATEST
    if code is not None:
        low = max(low, code.effective)
        if code.terminated is not None:
            high = min(high, code.terminated)
    if high < low:
        low = high = code.effective if code is not None else _EARLIEST
    return st.dates(low, high)


def minutes(*, min_value: int = 0, max_value: int = 24 * 60) -> st.SearchStrategy[int]:
    """Whole minutes for one line (at most a day).  Shrinks toward ``min_value``."""
    return st.integers(min_value, max_value)


def npis() -> st.SearchStrategy[str]:
    """Ten-digit NPIs with a correct check digit.  Shrinks toward ``"0000000006"``-like values."""
    return st.integers(0, 10**9 - 1).map(_with_check_digit)


def _with_check_digit(n: int) -> str:
    from ._fields import _npi_check

    body = f"{n:09d}"
    return next(body + d for d in "0123456789" if _npi_check(body + d))


def modifiers() -> st.SearchStrategy[tuple[str, ...]]:
    """Up to four real modifiers a home-care line carries.  Shrinks toward none."""
    pool = ["GN", "GO", "GP", "KX", "CQ", "CO", "TD", "TE", "UA", "U1", "PM", "GY", "GA"]
    return st.lists(st.sampled_from(pool), max_size=4, unique=True).map(tuple)


# Strategies are built once, here and per code, not inside each draw: building
# and validating a strategy costs more than drawing from it.
_AUTH = _numbered("PA", 6)
_MAYBE_AUTH = st.none() | _AUTH
_CLOCK = st.builds(_dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))
_TIMING = st.sampled_from(["clock", "minutes", "none"])
_MINUTES = minutes()
_MAYBE_CREDENTIAL = st.none() | st.sampled_from(list(Credential))
_MAYBE_RENDERER = st.none() | st.sampled_from(["nurse-1", "nurse-2", "aide-1"])
_MAYBE_NPI = st.none() | npis()
_MAYBE_LICENSE = st.none() | _numbered("RN", 6)
_MAYBE_DAYS = st.none() | st.integers(0, 3 * 365)
_BOOL = st.booleans()
_PICKS = st.lists(st.integers(0, 3), max_size=2, unique=True)
_CODE = codes()
_CODE_LIST = st.lists(_CODE, min_size=1, max_size=3)
_BASIS = st.sampled_from(list(AuthorizationBasis))
_PAYER_ID = st.sampled_from(sorted(PROFILES))
_COUNT = st.integers(0, 500)
_PER_UNIT = st.sampled_from([15, 60])
_DATE = st.dates(_EARLIEST, _LATEST)
_SPAN = st.integers(0, 60)
_REVENUE = _numbered("0", 3)
_MAYBE_REVENUE = st.none() | _REVENUE
_MODIFIERS = modifiers()
_MAYBE_BILL_TYPE = st.none() | st.sampled_from(
    ["0329", "0322", "032A", "0341", "0811", "0821", "081A"]
)
_CLAIM_ID = st.text("ABCDEFGHJKLMNPQRSTUVWXYZ0123456789", max_size=12)
_MAYBE_PATIENT = st.none() | _numbered("1EG", 8)


@functools.cache
def _parts(code: Code) -> tuple[st.SearchStrategy[Any], ...]:
    """(date, credential, setting) strategies for one code, built once."""
    credential = (
        st.sampled_from(sorted(code.credentials)) if code.credentials else _MAYBE_CREDENTIAL
    )
    return dates(code), credential, st.sampled_from(sorted(code.settings) or list(Setting))


@st.composite
def services(draw: st.DrawFn, code: st.SearchStrategy[Code] | None = None) -> Service:
    """Documented services of a shipped code, with clock times or minutes.

    Credentials come from the code where it names them.  Shrinks toward the
    first catalog code, the earliest date, midnight and no optional data.
    """
    chosen = draw(code if code is not None else _CODE)
    day_strategy, credential, setting = _parts(chosen)
    day = draw(day_strategy)
    kwargs: dict[str, Any] = {}
    timing = draw(_TIMING)
    if timing == "clock":
        kwargs["start"] = draw(_CLOCK)
        kwargs["stop"] = draw(_CLOCK)
    elif timing == "minutes":
        kwargs["minutes"] = draw(_MINUTES)
    valid_for = draw(_MAYBE_DAYS)
    return Service(
        code=chosen.code,
        date=day,
        credential=draw(credential),
        setting=draw(setting),
        rendering_id=draw(_MAYBE_RENDERER),
        rendering_npi=draw(_MAYBE_NPI),
        license_number=draw(_MAYBE_LICENSE),
        license_expires=None if valid_for is None else day + _dt.timedelta(days=valid_for),
        prior_auth=draw(_MAYBE_AUTH),
        orders_on_file=draw(_BOOL),
        plan_of_care_on_file=draw(_BOOL),
        notes_on_file=draw(_BOOL),
        **kwargs,
    )


_UNITS = st.integers(1, 96) | st.decimals(
    Decimal("0.1"), Decimal("24"), places=1, allow_nan=False, allow_infinity=False
)
_MONEY = st.decimals(Decimal("0"), Decimal("99999.99"), places=2, allow_nan=False)


def hipps_codes() -> st.SearchStrategy[str]:
    """Home-health HIPPS codes in the PDGM layout (four admission groups, twelve clinical
    groups, three functional levels, three comorbidity levels, ``1``).

    Shrinks toward ``"1AA11"``.
    """
    return st.builds(
        "{}{}{}{}1".format,
        st.sampled_from("1234"),
        st.sampled_from("ABCDEFGHIJKL"),
        st.sampled_from("ABC"),
        st.sampled_from("123"),
    )


_HIPPS = hipps_codes()
_LINE_KIND = st.sampled_from(["hcpcs", "hcpcs", "hcpcs", "hipps", "revenue"])
_MAYBE_SPAN = st.none() | st.integers(0, 30)


@st.composite
def claim_lines(draw: st.DrawFn, service_ids: tuple[str, ...] = ()) -> ClaimLine:
    """Claim lines of shipped codes, linked to up to two of ``service_ids``.

    Some are HIPPS lines (revenue code 0023), revenue-only lines (no HCPCS)
    or date-span lines.  Shrinks toward the first catalog code, one unit,
    no modifiers and one day.
    """
    chosen = draw(_CODE)
    links = [service_ids[i] for i in draw(_PICKS) if i < len(service_ids)]
    kind = draw(_LINE_KIND)
    code, revenue = chosen.code, draw(_MAYBE_REVENUE)
    if kind == "hipps":
        code, revenue = draw(_HIPPS), HIPPS_REVENUE_CODE
    elif kind == "revenue":
        code, revenue = "", draw(_REVENUE)
    day = draw(_parts(chosen)[0])
    span = draw(_MAYBE_SPAN)
    return ClaimLine(
        code=code,
        date=day,
        units=draw(_UNITS),
        revenue_code=revenue,
        modifiers=draw(_MODIFIERS) if code else (),
        charge=draw(_MONEY),
        service_ids=tuple(links),
        prior_auth=draw(_MAYBE_AUTH),
        through=None if span is None else day + _dt.timedelta(days=span),
    )


_HEADER_CODE = st.sampled_from(
    ["01", "07", "09", "20", "21", "42", "47", "50", "54", "55", "61", "62", "74", "77", "85"]
)


def occurrences() -> st.SearchStrategy[Occurrence]:
    """Occurrence codes with dates.  Shrinks toward code ``"01"`` on the earliest date."""
    return st.builds(Occurrence, _HEADER_CODE, _DATE)


@st.composite
def occurrence_spans(draw: st.DrawFn) -> OccurrenceSpan:
    """Occurrence span codes with date ranges.  Shrinks toward a one-day span."""
    start = draw(_DATE)
    return OccurrenceSpan(draw(_HEADER_CODE), start, start + _dt.timedelta(days=draw(_SPAN)))


def value_codes() -> st.SearchStrategy[ValueCode]:
    """Value codes with Decimal amounts.  Shrinks toward code ``"01"`` and zero."""
    return st.builds(ValueCode, _HEADER_CODE, _MONEY)


_MAYBE_ORIGIN = st.none() | st.sampled_from(list("123456789ABDE"))
_MAYBE_STATUS = st.none() | st.sampled_from(["01", "06", "20", "30", "40", "41", "42", "50"])
_CONDITIONS = st.lists(_HEADER_CODE, max_size=3)
_OCCURRENCES = st.lists(occurrences(), max_size=3)
_SPANS = st.lists(occurrence_spans(), max_size=2)
_VALUES = st.lists(value_codes(), max_size=3)
_MAYBE_DATE = st.none() | _DATE
_MAYBE_MEMBER = st.none() | st.sampled_from(["M100", "M200"])
_MAYBE_LOCATION = st.none() | st.sampled_from(["12 Elm St", "46.87,-96.79"])
_MAYBE_METHOD = st.none() | st.sampled_from(list(VerificationMethod))


@st.composite
def evv_visits(draw: st.DrawFn, code: st.SearchStrategy[Code] | None = None) -> EvvVisit:
    """EVV visits of a shipped code, with any of the Cures Act elements missing.

    Shrinks toward the first catalog code, the earliest date, no member,
    location, worker or times, and an accepted visit.
    """
    chosen = draw(code if code is not None else _CODE)
    timed = draw(_BOOL)
    return EvvVisit(
        service=chosen.code,
        date=draw(_parts(chosen)[0]),
        member=draw(_MAYBE_MEMBER),
        start=draw(_CLOCK) if timed else None,
        stop=draw(_CLOCK) if timed else None,
        location=draw(_MAYBE_LOCATION),
        worker=draw(_MAYBE_RENDERER),
        worker_npi=draw(_MAYBE_NPI),
        method=draw(_MAYBE_METHOD),
        accepted=not draw(_BOOL),
    )


@st.composite
def authorizations(draw: st.DrawFn, number: str | None = None) -> Authorization:
    """Prior authorizations for one to three shipped codes.  Shrinks toward a one-day range."""
    start = draw(_DATE)
    basis = draw(_BASIS)
    return Authorization(
        number=number or draw(_AUTH),
        payer=draw(_PAYER_ID),
        codes=[c.code for c in draw(_CODE_LIST)],
        units=draw(_COUNT),
        basis=basis,
        start=start,
        end=start + _dt.timedelta(days=draw(_SPAN)),
        minutes_per_unit=draw(_PER_UNIT) if basis is AuthorizationBasis.UNITS else None,
        used=draw(_COUNT),
        per_week=draw(st.none() | _COUNT),
    )


def payers() -> st.SearchStrategy[Payer]:
    """The shipped payer profiles.  Shrinks toward the first profile by id."""
    return st.sampled_from([PROFILES[k] for k in sorted(PROFILES)])


_PAYERS = payers()


_SERVICES = st.lists(services(), max_size=4)
#: A claim's EVV visits (each id once), or ``None``: not given, as a claim read from a file.
_CLAIM_VISITS = (
    st.lists(evv_visits(), max_size=3).map(lambda found: list({v.id: v for v in found}.values()))
    | st.none()
)
_AUTH_NUMBERS = st.lists(_AUTH, max_size=2, unique=True)


@st.composite
def claims(draw: st.DrawFn, payer: st.SearchStrategy[Payer] | None = None) -> Claim:
    """Structurally valid claims: services, lines pointing at them, authorizations,
    EVV visits or none given (``evv_visits=None``), and the institutional header
    (admission date, status, condition, occurrence, span and value codes).

    Shrinks toward an empty one-day claim for the first payer profile (its EVV
    visits given: none).
    """
    start = draw(_DATE)
    found = draw(_SERVICES)
    unique = list({s.id: s for s in found}.values())
    ids = tuple(s.id for s in unique)
    lines = draw(st.lists(claim_lines(ids), max_size=5))
    auths = [draw(authorizations(n)) for n in draw(_AUTH_NUMBERS)]
    visits = draw(_CLAIM_VISITS)
    return Claim(
        payer=draw(payer if payer is not None else _PAYERS),
        statement_from=start,
        statement_through=start + _dt.timedelta(days=draw(_SPAN)),
        lines=lines,
        services=unique,
        type_of_bill=draw(_MAYBE_BILL_TYPE),
        authorizations=auths,
        therapy_ytd_pt_slp=draw(_MONEY),
        therapy_ytd_ot=draw(_MONEY),
        id=draw(_CLAIM_ID),
        patient_id=draw(_MAYBE_PATIENT),
        admission_date=draw(_MAYBE_DATE),
        point_of_origin=draw(_MAYBE_ORIGIN),
        patient_status=draw(_MAYBE_STATUS),
        condition_codes=draw(_CONDITIONS),
        occurrence_codes=draw(_OCCURRENCES),
        occurrence_spans=draw(_SPANS),
        value_codes=draw(_VALUES),
        notice_accepted=draw(_MAYBE_DATE),
        evv_visits=visits,
        total_charge=draw(st.none() | _MONEY),
    )
