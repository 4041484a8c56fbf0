"""What every rule family shares: the line's facts and the general predicates.

The facts a line's rules ask about (its documented minutes, the units they
give, its therapy discipline) are computed here, once per line, and kept in
the line's :class:`~hcpcs_home.policy.Context` memo, so no rule computes one
again.  The general predicates (the code, the bill, the payer's settings,
modifiers, units) are in :data:`VOCABULARY`; each family adds its own.
"""

from __future__ import annotations

import collections
import datetime as _dt
import functools
import threading
from collections.abc import Callable, Iterable, Iterator, Mapping
from decimal import Decimal
from types import ModuleType
from typing import Any

from .. import bounds as _bounds
from .. import units as _units
from .._engine import (
    ClaimFact,
    Context,
    Vocabulary,
    _lru_get,
    _lru_put,
    code_level,
    inline,
    keyed,
)
from .._tables import read_table
from ..catalog import default_catalog
from ..codes import BillingUnit, Credential, Discipline, Setting
from ..errors import InvalidFieldError
from ..evv import LineMatch, match_visits
from ..modifiers import ModifierRole

__all__ = [
    "FIFTEEN_MINUTES",
    "VOCABULARY",
    "credentials",
    "documented_minutes",
    "evv_match",
    "evv_times_documented",
    "expected_therapy_modifier",
    "expected_units",
    "per_diem_days",
    "per_diem_shifts",
    "sibling_code",
    "texts",
    "unit_policy",
]

Pred = Callable[[Context], bool]
FixResult = tuple[str | None, Mapping[str, str], Mapping[str, Any]]

#: Revenue-code families of home-health visit disciplines (NGS "Home Health Therapy
#: Billing"; NGS Q-code article 522358).
HH_VISIT_FAMILIES = ("042", "043", "044", "055", "056", "057")


class ColdModule:
    """A module imported by the first read of one of its names, each name then kept as an
    attribute of this object, so later reads cost what a module's would.

    A rule family whose arithmetic lives in a module of classes only its own claims need
    (:mod:`hcpcs_home.hospice`, :mod:`hcpcs_home.pdgm`) reaches it through one of these,
    so that checking a claim of another benefit never imports it.
    """

    def __init__(self, load: Callable[[], ModuleType]) -> None:
        self._load = load

    def __getattr__(self, name: str) -> Any:
        value = getattr(self._load(), name)
        setattr(self, name, value)
        return value


class _LazyMap(Mapping[Any, str]):
    """A mapping built on first use from the shipped modifier table
    (``data/modifier_assertions.tsv``, each row with its public source), so importing
    the rules reads no data."""

    def __init__(self, build: Callable[[], dict[Any, str]]) -> None:
        self._build = build
        self._table: dict[Any, str] | None = None

    def _read(self) -> dict[Any, str]:
        if self._table is None:
            self._table = self._build()
        return self._table

    # These tables are read on every therapy line: each method reaches the dict with
    # no further call once it is built (the Mapping defaults go through __getitem__).
    def __getitem__(self, key: Any) -> str:
        table = self._table
        return (self._read() if table is None else table)[key]

    def __contains__(self, key: object) -> bool:
        table = self._table
        return key in (self._read() if table is None else table)

    def get(self, key: Any, default: Any = None) -> Any:
        table = self._table
        return (self._read() if table is None else table).get(key, default)

    def __iter__(self) -> Iterator[Any]:
        return iter(self._read())

    def keys(self) -> Any:
        return self._read().keys()

    def values(self) -> Any:
        return self._read().values()

    def items(self) -> Any:
        return self._read().items()

    def __len__(self) -> int:
        return len(self._read())

    def __repr__(self) -> str:
        return f"_LazyMap({self._read()!r})"


def _by_role(role: ModifierRole, key: str) -> dict[Any, str]:
    """``{modifier.<key>: modifier code}`` for the shipped modifiers of ``role``."""
    release = default_catalog().release
    assert release is not None
    return {getattr(m, key): m.code for m in release.modifiers(role=role)}


#: GP, GO, GN by discipline (CMS HCPCS modifier descriptors; Pub. 100-04 ch. 5 §20.1).
THERAPY_MODIFIER: Mapping[Discipline, str] = _LazyMap(
    lambda: _by_role(ModifierRole.THERAPY_DISCIPLINE, "discipline")
)
#: The therapy discipline of each therapy revenue-code family (NGS "Home Health Therapy Billing").
THERAPY_REVENUE_DISCIPLINE = {
    "042": Discipline.PHYSICAL_THERAPY,
    "043": Discipline.OCCUPATIONAL_THERAPY,
    "044": Discipline.SPEECH_LANGUAGE_PATHOLOGY,
}
#: GP, GO, GN by revenue-code family: the family's discipline's modifier.
THERAPY_REVENUE: Mapping[str, str] = _LazyMap(
    lambda: {f: THERAPY_MODIFIER[d] for f, d in THERAPY_REVENUE_DISCIPLINE.items()}
)
#: The discipline of codes any therapy discipline bills (the modifier or revenue code says which).
ANY_THERAPY = Discipline.OUTPATIENT_THERAPY

#: CQ, CO by assistant credential (CMS "Billing Examples Using CQ/CO Modifiers").
ASSISTANT_MODIFIER: Mapping[Credential | None, str] = _LazyMap(
    lambda: _by_role(ModifierRole.THERAPY_ASSISTANT, "credential")
)
#: TD, TE by nursing credential (CMS HCPCS modifier descriptors; TMHP TMPPM §4.1).
NURSE_MODIFIER: Mapping[Credential | None, str] = _LazyMap(
    lambda: {
        c: m
        for c, m in _by_role(ModifierRole.CREDENTIAL, "credential").items()
        if c in (Credential.RN, Credential.LPN)
    }
)


@functools.cache
def kx_modifier() -> str:
    """The "requirements met" modifier of the shipped table (KX)."""
    return _by_role(ModifierRole.REQUIREMENTS_MET, "role")[ModifierRole.REQUIREMENTS_MET]


SITE_OF_SERVICE_HH = frozenset({"Q5001", "Q5002", "Q5009"})

LICENSED = frozenset(
    {
        Credential.RN,
        Credential.LPN,
        Credential.PT,
        Credential.PTA,
        Credential.OT,
        Credential.OTA,
        Credential.SLP,
        Credential.MSW,
        Credential.RT,
    }
)
#: Settings that count as the patient's home (Q5001 home/residence, Q5002 assisted living).
_HOME_LIKE = frozenset({Setting.HOME, Setting.ASSISTED_LIVING})


def _family(revenue_code: str | None) -> str | None:
    return None if revenue_code is None else revenue_code[:3]


def texts(value: object, name: str) -> list[str]:
    """``value`` as a list of texts; a single text where a list belongs is refused
    (``"34"`` would otherwise read as the classes ``"3"`` and ``"4"``)."""
    if isinstance(value, (str, bytes)) or not isinstance(value, (list, tuple, set, frozenset)):
        raise InvalidFieldError(name, value, "must be a list of texts")
    out = list(value)
    for v in out:
        if not isinstance(v, str) or not v or len(v) > 100:
            raise InvalidFieldError(name, v, "must be a non-empty text")
    return out


def credentials(ctx: Context) -> list[Credential]:
    """The credentials recorded on the line's services, sorted, without repeats."""
    return sorted({s.credential for s in ctx.services if s.credential is not None})


def sibling_code(code: str, credential: Credential) -> str | None:
    """The code of the same family (data/credential_codes.tsv) for ``credential``."""
    rows = read_table("credential_codes.tsv")
    groups = {r["group"] for r in rows if r["code"] == code}
    for r in rows:
        if r["group"] in groups and r["credential"] == credential.value:
            return r["code"]
    return None


# --- shared, memoised facts ----------------------------------------------------------

_UNSET = Context.UNSET


def documented_minutes(ctx: Context) -> int | None:
    """Total minutes of the line's services, or ``None`` when any lacks time or none is
    linked; worked out once per line (``ctx.minutes``)."""
    found = ctx.minutes
    if found is not _UNSET:
        return found  # type: ignore[no-any-return]
    total: int | None = 0
    for s in ctx.services:
        if s.minutes is None:
            total = None
            break
        total += s.minutes  # type: ignore[operator]
    ctx.minutes = total = total if ctx.services else None
    return total


def evv_match(ctx: Context) -> LineMatch | None:
    """The accepted EVV visits matched to the context's line
    (:func:`hcpcs_home.evv.match_visits`, all lines matched once per claim)."""
    return None if ctx.index is None else EVV_MATCHES.of(ctx)[ctx.index]


def evv_times_documented(ctx: Context) -> bool:
    """Accepted EVV visits back the line on each of its dates and every one records its
    clock-in and clock-out: the EVV record documents the line's time (the Cures Act
    elements include "the time the service begins and ends", SSA §1903(l)(5)(A)(vi))."""
    if not ctx.claim.evv_visits or ctx.line is None:
        return False
    match = evv_match(ctx)
    return (
        match is not None
        and bool(match.visits)
        and match.minutes is not None
        and not match.missing_dates(ctx.claim)
    )


#: Services dated from here on go through :class:`~hcpcs_home.units.Span`, which refuses
#: a span running past the last date the library accepts.
_LAST_PLAIN_DAY = _bounds.MAX_DATE - _dt.timedelta(days=3)


def per_diem_days(services: Iterable[Any]) -> int | None:
    """The distinct calendar dates the services touch, counted without building
    :class:`~hcpcs_home.units.Span` values: what
    ``units.per_diem_units([_span(s) for s in services])`` gives for whole-minute
    services of at most two days (``None`` for any other, which take that path).

    A service without clock times touches its date; one with them, each date it has
    a minute on (a zero-minute service, none).
    """
    dates: set[_dt.date] = set()
    for s in services:
        start, minutes, day = s.start, s.minutes, s.date
        if start is None or minutes is None:
            dates.add(day)
            continue
        if start.second or start.microsecond or not 0 <= minutes <= 2880 or day > _LAST_PLAIN_DAY:
            return None
        if minutes:
            last = (start.hour * 60 + start.minute + minutes - 1) // 1440
            dates.add(day)
            for k in range(1, last + 1):
                dates.add(day + _dt.timedelta(days=k))
    return len(dates)


def per_diem_shifts(services: Iterable[Any], hours: int) -> int | None:
    """The complete ``hours``-hour shifts of the services, counted without building
    :class:`~hcpcs_home.units.Span` values: what ``units.per_diem_units`` gives over
    their spans under a policy of such shifts, for services with clock times dated
    before the last days the library accepts (``None`` for any other, which take that
    path)."""
    shift = hours * 60
    total = 0
    for s in services:
        if s.start is None or s.minutes is None or s.date > _LAST_PLAIN_DAY:
            return None
        total += s.minutes // shift
    return total


def _span(service: Any) -> _units.Span | _dt.date:
    interval = service.interval()
    if interval is None:
        return service.date  # type: ignore[no-any-return]
    return _units.Span(interval[0], interval[1])


def _therapy_day_minutes(ctx: Context) -> dict[tuple[_dt.date, str | None], dict[str, int]]:
    """Minutes of each known 15-minute code per date and therapy discipline (34X).

    The total-time method pools the timed minutes of one day (Pub. 100-04 ch. 5
    §20.2 C); PT, OT and SLP are kept apart because each is its own plan of care
    with its own modifier (GP/GO/GN).  Keeping them apart is derived, not quoted.
    Lines of unknown codes or without documented time stay out of the pool.
    """
    return THERAPY_DAYS.of(ctx)


def _therapy_days(ctx: Context) -> dict[tuple[_dt.date, str | None], dict[str, int]]:
    days: dict[tuple[_dt.date, str | None], dict[str, int]] = {}
    by_id = ctx.services_by_id()
    modifiers = therapy_modifiers(ctx)
    for i, line in enumerate(ctx.claim.lines):
        code = ctx.lookup(line.code)
        if code is None or code.unit is not BillingUnit.FIFTEEN_MINUTES:
            continue
        services = [by_id[x] for x in line.service_ids if x in by_id]
        if not services or any(s.minutes is None for s in services):
            continue
        day = days.setdefault((line.date, modifiers[i]), {})
        day[line.code] = day.get(line.code, 0) + sum(s.minutes or 0 for s in services)
    return days


def _therapy_day_units(
    ctx: Context, key: tuple[_dt.date, str | None], policy: _units.UnitPolicy
) -> dict[str, int] | None:
    """The total-time units of each code of one day's pool (``None`` for a pool of one
    code), worked out once per pool and kept for its other lines."""
    # One policy per claim (unit_policy), so the pool alone is the key.
    found = THERAPY_DAY_UNITS.of(ctx)
    if key not in found:
        day = _therapy_day_minutes(ctx).get(key, {})
        found[key] = _units.total_time_units(day, policy=policy) if len(day) > 1 else None
    return found[key]


def therapy_modifiers(ctx: Context) -> list[str | None]:
    """The therapy modifier each line of the claim should carry (GP, GO, GN, or
    ``None``; :func:`expected_therapy_modifier`), worked out in one pass per claim."""
    return THERAPY_MODIFIERS.of(ctx)


def _therapy_modifiers(ctx: Context) -> list[str | None]:
    return [therapy_modifier_for(ctx.lookup(line.code), line) for line in ctx.claim.lines]


# --- the claim facts the families share, each worked out once per claim -----------------

#: The therapy modifier each line should carry.
THERAPY_MODIFIERS: ClaimFact[list[str | None]] = ClaimFact(_therapy_modifiers)
#: Minutes of each 15-minute code per date and therapy discipline.
THERAPY_DAYS: ClaimFact[dict[tuple[_dt.date, str | None], dict[str, int]]] = ClaimFact(
    _therapy_days
)
#: The total-time units of each day's pool, filled in as pools are asked for.
THERAPY_DAY_UNITS: ClaimFact[dict[tuple[_dt.date, str | None], dict[str, int] | None]] = ClaimFact(
    lambda ctx: {}
)
#: The accepted EVV visits matched to each line (:func:`hcpcs_home.evv.match_visits`).
EVV_MATCHES: ClaimFact[tuple[LineMatch, ...]] = ClaimFact(lambda ctx: match_visits(ctx.claim))
#: The unit policy the claim's lines are counted under (:func:`unit_policy`).
UNIT_POLICY: ClaimFact[_units.UnitPolicy] = ClaimFact(lambda ctx: _policy_for_bill(ctx))


#: :func:`hcpcs_home.units.policy_for_bill` by payer policy (its identity, held so that
#: it is not reused) and type of bill: what most claims ask again.  Bounded, the least
#: recently used first out, since types of bill read from files can be anything.
_BILL_POLICIES: collections.OrderedDict[
    tuple[int, str | None], tuple[_units.UnitPolicy | None, _units.UnitPolicy]
] = collections.OrderedDict()
_BILL_POLICIES_KEPT = 256
_BILL_POLICIES_LOCK = threading.Lock()


def _policy_for_bill(ctx: Context) -> _units.UnitPolicy:
    policy, bill = ctx.payer.unit_policy, ctx.claim.type_of_bill
    key = (id(policy), bill)
    found: tuple[_units.UnitPolicy | None, _units.UnitPolicy] | None
    found = _lru_get(_BILL_POLICIES, key)
    if found is not None and found[0] is policy:
        return found[1]
    chosen = _units.policy_for_bill(policy, bill)  # raises for a bad type of bill: not kept
    with _BILL_POLICIES_LOCK:
        _lru_put(_BILL_POLICIES, key, (policy, chosen), _BILL_POLICIES_KEPT)
    return chosen


def expected_units(ctx: Context) -> int | Decimal | None:
    """The units the documented services give under the payer's unit policy.

    ``None`` where the services do not document what the count needs.
    Total-time method (Pub. 100-04 ch. 5 §20.2 C) for 15-minute codes on 34X
    claims; per line otherwise (home-health 32X lines: each visit its own
    line, minutes not pooled; ResDAC "Claim HHA Total Visit Count": each visit revenue
    line is one visit).
    """
    found = ctx.expected
    if found is not _UNSET:
        return found  # type: ignore[no-any-return]
    ctx.expected = result = _expected(ctx)
    return result


def unit_policy(ctx: Context) -> _units.UnitPolicy:
    """The unit policy the claim's lines are counted under: the payer's, with Medicare's
    default read as :data:`~hcpcs_home.units.HOSPICE_VISIT` on 081X/082X bills (CMS
    hospice Q&A 9887; :func:`hcpcs_home.units.policy_for_bill`)."""
    return UNIT_POLICY.of(ctx)


# The units _expected tells apart, as module constants: reading a member off its enum
# class costs several times a global's lookup, and this runs for every line (the
# families import FIFTEEN_MINUTES from here for the same reason).
_DAY, _DAYS_MONITORED, _VISIT, _UNTIMED, FIFTEEN_MINUTES = (
    BillingUnit.DAY,
    BillingUnit.DAYS_MONITORED,
    BillingUnit.VISIT,
    BillingUnit.UNTIMED,
    BillingUnit.FIFTEEN_MINUTES,
)
_TOTAL_TIME = _units.TimedMethod.TOTAL_TIME
_MAX_LINE_MINUTES = _units.MAX_LINE_MINUTES


def _expected(ctx: Context) -> int | Decimal | None:
    code, line = ctx.code, ctx.line
    if code is None or line is None or not code.curated:
        return None  # a code outside the curated layer: its units are not checked
    policy = UNIT_POLICY.of(ctx)  # unit_policy(ctx), without its call (once per line)
    unit = code.unit
    if unit is _DAY:
        if not ctx.services:
            return None
        hours = policy.per_diem_shift_hours
        services = ctx.services
        fast = per_diem_days(services) if hours is None else per_diem_shifts(services, hours)
        if fast is not None:
            return fast
        items = [_span(s) for s in ctx.services]
        if policy.per_diem_shift_hours is not None and not all(
            isinstance(i, _units.Span) for i in items
        ):
            return None
        return _units.per_diem_units(items, policy=policy)
    if unit is _DAYS_MONITORED:
        return len({s.date for s in ctx.services}) if ctx.services else None
    if unit is _VISIT or unit is _UNTIMED:
        return max(1, len(ctx.services))
    minutes = ctx.minutes  # documented_minutes(ctx), without the call where it is known
    if minutes is _UNSET:
        minutes = documented_minutes(ctx)
    if minutes is None:
        return None
    if unit is FIFTEEN_MINUTES and policy.method is _TOTAL_TIME:
        bill = ctx.claim.type_of_bill
        if bill is not None and bill.startswith("34", 1):
            index = ctx.index
            bucket = (
                therapy_modifiers(ctx)[index]
                if index is not None
                else therapy_modifier_for(code, line)
            )
            pooled = _therapy_day_units(ctx, (line.date, bucket), policy)
            if pooled is not None and line.code in pooled:
                return pooled[line.code]
    if minutes > _MAX_LINE_MINUTES:
        return None
    return _units.billable_units(code, minutes, policy=policy)


def expected_therapy_modifier(ctx: Context) -> str | None:
    """GP, GO or GN for the line: from the code's discipline, else its revenue code,
    else (a code any discipline bills, on a professional line) the one it carries."""
    if ctx.line is None:
        code = ctx.code
        return THERAPY_MODIFIER.get(code.discipline) if code is not None else None
    return therapy_modifier_for(ctx.code, ctx.line)


def therapy_modifier_for(code: Any, line: Any) -> str | None:
    """:func:`expected_therapy_modifier` of a line and its catalog entry (``None`` for a
    code not in the catalog)."""
    if code is not None and code.discipline in THERAPY_MODIFIER:
        return THERAPY_MODIFIER[code.discipline]
    found = THERAPY_REVENUE.get(_family(line.revenue_code) or "")
    if found is None and code is not None and code.discipline is ANY_THERAPY:
        therapy = set(THERAPY_MODIFIER.values())
        carried = [m for m in line.modifiers if m in therapy]
        return carried[0] if len(carried) == 1 else None
    return found


# --- the general predicates ----------------------------------------------------------

# _LOOPS: predicates on the hot path loop over a line's services with ``for`` instead
# of calling all() or any() on a generator: a line has one or two services, and
# setting up the generator costs more than the test.


def code_known() -> Pred:
    """The line's code is in the catalog (CMS HCPCS Level II file; CPT crosswalk codes)."""
    return code_level(inline(lambda ctx: ctx.code is not None, "ctx.code is not None"))


def hcpcs_line() -> Pred:
    """The line carries a HCPCS/CPT code (837 qualifier ``HC``), not a HIPPS code (the
    home-health 0023 line) or none (a revenue-only line)."""
    return inline(
        lambda ctx: ctx.line is not None and ctx.line.qualifier == "HC",
        "ctx.line is not None and ctx.line.qualifier == 'HC'",
    )


def code_prefix(prefix: str) -> Pred:
    """The line's code starts with ``prefix`` (``"S"``, ``"T"``, ``"G01"``)."""
    if not isinstance(prefix, str) or not prefix:
        raise InvalidFieldError("prefix", prefix, "must be non-empty text")
    p = prefix.upper()
    return code_level(
        inline(
            lambda ctx: ctx.line is not None and ctx.line.code.startswith(p),
            "ctx.line is not None and ctx.line.code.startswith({p})",
            p=p,
        )
    )


def code_in(codes: Iterable[str]) -> Pred:
    """The line's code is one of ``codes``."""
    wanted = frozenset(c.strip().upper() for c in texts(codes, "codes"))
    test = inline(
        lambda ctx: ctx.line is not None and ctx.line.code in wanted,
        "ctx.line is not None and ctx.line.code in {wanted}",
        wanted=wanted,
    )
    return code_level(keyed(test, wanted))  # many rules of single codes check as one table


def code_unit(units: Iterable[str]) -> Pred:
    """The code's billing unit is one of ``units`` (:class:`~hcpcs_home.codes.BillingUnit`
    values)."""
    wanted = frozenset(BillingUnit(u) for u in texts(units, "units"))
    return code_level(
        inline(
            lambda ctx: ctx.code is not None and ctx.code.unit in wanted,
            "ctx.code is not None and ctx.code.unit in {wanted}",
            wanted=wanted,
        )
    )


def code_timed() -> Pred:
    """The code's units depend on documented time (15-minute, hourly, per-minute, session)."""
    timed = frozenset(u for u in BillingUnit if u.is_timed)
    return code_level(
        inline(
            lambda ctx: ctx.code is not None and ctx.code.unit in timed,
            "ctx.code is not None and ctx.code.unit in {timed}",
            timed=timed,
        )
    )


_PAYER_FLAGS = frozenset(
    name
    for name in (
        "accepts_s_codes",
        "accepts_t_codes",
        "requires_orders",
        "requires_plan_of_care",
        "requires_cpt_home_visit_codes",
        "applies_kx_threshold",
        "requires_site_of_service",
        "requires_therapy_modifiers",
        "requires_assistant_modifiers",
    )
)


def payer_flag(flag: str) -> Pred:
    """The payer's boolean setting ``flag`` is on (see :class:`~hcpcs_home.payers.Payer`)."""
    if flag not in _PAYER_FLAGS:
        raise InvalidFieldError("flag", flag, f"is not one of {sorted(_PAYER_FLAGS)}")
    return lambda ctx: bool(getattr(ctx.payer, flag))


def bill_class(classes: Iterable[str]) -> Pred:
    """The claim's type of bill is in ``classes`` (``"32"`` home health under a plan of
    care, ``"34"`` therapy not under one, ``"81"``/``"82"`` hospice; NGS "Home Health
    Therapy Billing")."""
    wanted = frozenset(texts(classes, "classes"))
    return lambda ctx: ctx.claim.bill_class in wanted


def bill_type(types: Iterable[str]) -> Pred:
    """The claim's full type of bill is one of ``types`` (``"0322"``)."""
    wanted = frozenset(texts(types, "types"))
    return lambda ctx: ctx.claim.type_of_bill in wanted


def has_modifier(modifiers: Iterable[str]) -> Pred:
    """The line carries at least one of ``modifiers``."""
    wanted = frozenset(m.upper() for m in texts(modifiers, "modifiers"))
    return inline(
        lambda ctx: ctx.line is not None and not wanted.isdisjoint(ctx.line.modifiers),
        "ctx.line is not None and not {wanted}.isdisjoint(ctx.line.modifiers)",
        wanted=wanted,
    )


def units_above(limit: int) -> Pred:
    """The line bills more than ``limit`` units."""
    if not isinstance(limit, int) or isinstance(limit, bool) or not 0 <= limit <= 10**9:
        raise InvalidFieldError("limit", limit, "must be a whole number from 0 to 10**9")
    return inline(
        lambda ctx: ctx.line is not None and ctx.line.units > limit,
        "ctx.line is not None and ctx.line.units > {limit}",
        limit=limit,
    )


def service_linked() -> Pred:
    """The line points at at least one documented service."""
    return inline(lambda ctx: bool(ctx.services), "bool(ctx.services)")


def claim_has_lines() -> Pred:
    """The claim bills at least one line (a notice of admission or election bills none)."""
    return lambda ctx: bool(ctx.claim.lines)


def chart_provided() -> Pred:
    """The claim carries its chart: documented services its lines point at
    (:attr:`Claim.has_chart <hcpcs_home.claims.Claim.has_chart>`)."""
    return lambda ctx: ctx.claim.has_chart


VOCABULARY = Vocabulary(
    predicates={
        "bill_class": bill_class,
        "bill_type": bill_type,
        "chart_provided": chart_provided,
        "claim_has_lines": claim_has_lines,
        "code_in": code_in,
        "code_known": code_known,
        "code_prefix": code_prefix,
        "code_timed": code_timed,
        "code_unit": code_unit,
        "has_modifier": has_modifier,
        "hcpcs_line": hcpcs_line,
        "payer_flag": payer_flag,
        "service_linked": service_linked,
        "units_above": units_above,
    },
    header_level=frozenset({"bill_class", "bill_type", "payer_flag"}),
)
"""The general predicates every family builds on."""

p = VOCABULARY.predicate
known = p("code_known")
hh_claim = p("bill_class", classes=["32"])
therapy_claim = p("bill_class", classes=["34"])
hospice_claim = p("bill_class", classes=["81", "82"])
