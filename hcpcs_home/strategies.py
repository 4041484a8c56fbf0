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
from decimal import Decimal
from typing import Any

from hypothesis import strategies as st

from .catalog import default_catalog
from .claims import Authorization, AuthorizationBasis, Claim, ClaimLine, Service
from .codes import Code, Credential, Setting
from .payers import PROFILES, Payer

__all__ = [
    "authorizations",
    "claim_lines",
    "claims",
    "codes",
    "dates",
    "minutes",
    "modifiers",
    "npis",
    "payers",
    "services",
]


def __dir__() -> list[str]:
    return __all__


_EARLIEST = _dt.date(2017, 1, 1)
_LATEST = _dt.date(2026, 12, 31)


def codes(**criteria: Any) -> st.SearchStrategy[Code]:
    """Codes from the shipped catalog, filtered like :meth:`hcpcs_home.catalog.Catalog.filter`.

    Shrinks toward the first code in code order.
    """
    found = list(default_catalog().filter(**criteria).codes())
    if not found:
        raise ValueError(f"no shipped code matches {criteria!r}")
    return st.sampled_from(found)


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


_CLOCK = st.builds(_dt.time, st.integers(0, 23), st.sampled_from([0, 15, 30, 45]))


@st.composite
def services(draw: st.DrawFn, code: st.SearchStrategy[Code] | None = None) -> Service:
    """Documented services of a shipped code, with clock times or minutes.

    Credentials come from the code where it names them.  Shrinks toward the
    first catalog code, the earliest date, midnight and no optional data.
    """
    chosen = draw(code if code is not None else codes())
    day = draw(dates(chosen))
    credential = (
        draw(st.sampled_from(sorted(chosen.credentials)))
        if chosen.credentials
        else draw(st.none() | st.sampled_from(list(Credential)))
    )
    timing = draw(st.sampled_from(["clock", "minutes", "none"]))
    kwargs: dict[str, Any] = {}
    if timing == "clock":
        kwargs["start"] = draw(_CLOCK)
        kwargs["stop"] = draw(_CLOCK)
    elif timing == "minutes":
        kwargs["minutes"] = draw(minutes())
    settings = sorted(chosen.settings) or list(Setting)
    return Service(
        code=chosen.code,
        date=day,
        credential=credential,
        setting=draw(st.sampled_from(settings)),
        rendering_id=draw(st.none() | st.sampled_from(["nurse-1", "nurse-2", "aide-1"])),
        rendering_npi=draw(st.none() | npis()),
        license_number=draw(st.none() | st.from_regex(r"[A-Z]{2}[0-9]{6}", fullmatch=True)),
        license_expires=draw(st.none() | st.dates(day, _LATEST)),
        prior_auth=draw(st.none() | st.from_regex(r"PA[0-9]{6}", fullmatch=True)),
        orders_on_file=draw(st.booleans()),
        plan_of_care_on_file=draw(st.booleans()),
        notes_on_file=draw(st.booleans()),
        **kwargs,
    )


_UNITS = st.integers(0, 96) | st.decimals(
    Decimal("0.1"), Decimal("24"), places=1, allow_nan=False, allow_infinity=False
)
_MONEY = st.decimals(Decimal("0"), Decimal("99999.99"), places=2, allow_nan=False)


@st.composite
def claim_lines(draw: st.DrawFn, service_ids: tuple[str, ...] = ()) -> ClaimLine:
    """Claim lines of shipped codes, linked to some of ``service_ids``.

    Shrinks toward the first catalog code, zero units and no modifiers.
    """
    chosen = draw(codes())
    links = (
        draw(st.lists(st.sampled_from(service_ids), max_size=2, unique=True)) if service_ids else []
    )
    return ClaimLine(
        code=chosen.code,
        date=draw(dates(chosen)),
        units=draw(_UNITS),
        revenue_code=draw(st.none() | st.from_regex(r"0[0-9]{3}", fullmatch=True)),
        modifiers=draw(modifiers()),
        charge=draw(_MONEY),
        service_ids=tuple(links),
        prior_auth=draw(st.none() | st.from_regex(r"PA[0-9]{6}", fullmatch=True)),
    )


@st.composite
def authorizations(draw: st.DrawFn, number: str | None = None) -> Authorization:
    """Prior authorizations for one to three shipped codes.  Shrinks toward a one-day range."""
    start = draw(st.dates(_EARLIEST, _LATEST))
    basis = draw(st.sampled_from(list(AuthorizationBasis)))
    return Authorization(
        number=number or draw(st.from_regex(r"PA[0-9]{6}", fullmatch=True)),
        payer=draw(st.sampled_from(sorted(PROFILES))),
        codes=[c.code for c in draw(st.lists(codes(), min_size=1, max_size=3))],
        units=draw(st.integers(0, 500)),
        basis=basis,
        start=start,
        end=draw(st.dates(start, _LATEST)),
        minutes_per_unit=(
            draw(st.sampled_from([15, 60])) if basis is AuthorizationBasis.UNITS else None
        ),
        used=draw(st.integers(0, 500)),
    )


def payers() -> st.SearchStrategy[Payer]:
    """The shipped payer profiles.  Shrinks toward the first profile by id."""
    return st.sampled_from([PROFILES[k] for k in sorted(PROFILES)])


@st.composite
def claims(draw: st.DrawFn, payer: st.SearchStrategy[Payer] | None = None) -> Claim:
    """Structurally valid claims: services, lines pointing at them, authorizations.

    Shrinks toward an empty one-day claim for the first payer profile.
    """
    start = draw(st.dates(_EARLIEST, _LATEST))
    through = draw(st.dates(start, min(_LATEST, start + _dt.timedelta(days=60))))
    found = draw(st.lists(services(), max_size=4))
    unique = list({s.id: s for s in found}.values())
    ids = tuple(s.id for s in unique)
    lines = draw(st.lists(claim_lines(ids), max_size=5))
    numbers = draw(st.lists(st.from_regex(r"PA[0-9]{6}", fullmatch=True), max_size=2, unique=True))
    auths = [draw(authorizations(n)) for n in numbers]
    return Claim(
        payer=draw(payer if payer is not None else payers()),
        statement_from=start,
        statement_through=through,
        lines=lines,
        services=unique,
        type_of_bill=draw(st.none() | st.sampled_from(["0329", "0322", "0341", "0811", "0821"])),
        authorizations=auths,
        therapy_ytd_pt_slp=draw(_MONEY),
        therapy_ytd_ot=draw(_MONEY),
        id=draw(st.from_regex(r"[A-Z0-9]{0,12}", fullmatch=True)),
        patient_id=draw(st.none() | st.from_regex(r"[0-9A-Z]{11}", fullmatch=True)),
    )
