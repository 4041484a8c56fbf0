"""The built-in predicates and fixers the default rules are made of.

Each predicate is registered by name (see :func:`hcpcs_home.policy.predicate`)
and documented with what it tests and where the rule comes from; the
:mod:`hcpcs_home.rules` module combines them.  Facts that several predicates
share (expected units, the KX running total, overlaps) are computed once per
line or per claim and memoised on the :class:`~hcpcs_home.policy.Context`.
"""

from __future__ import annotations

import datetime as _dt
import functools
from collections import defaultdict
from collections.abc import Callable, Iterable, Mapping
from decimal import Decimal
from typing import Any

from . import units as _units
from ._tables import read_table
from .catalog import default_catalog
from .codes import BillingUnit, Code, CodeSet, Credential, Discipline, Setting
from .errors import InvalidFieldError
from .payers import PayerKind
from .policy import Context, register_fixer, register_predicate

Pred = Callable[[Context], bool]
FixResult = tuple[str | None, Mapping[str, str], Mapping[str, Any]]

# --- vocabularies ------------------------------------------------------------------

#: Revenue-code families of home-health visit disciplines (NGS Q-code article; seed 003).
HH_VISIT_FAMILIES = ("042", "043", "044", "055", "056", "057")
THERAPY_MODIFIER = {
    Discipline.PHYSICAL_THERAPY: "GP",
    Discipline.OCCUPATIONAL_THERAPY: "GO",
    Discipline.SPEECH_LANGUAGE_PATHOLOGY: "GN",
}
THERAPY_REVENUE = {"042": "GP", "043": "GO", "044": "GN"}
#: The discipline of codes any therapy discipline bills (the modifier or revenue code says which).
ANY_THERAPY = Discipline.OUTPATIENT_THERAPY
ASSISTANT_MODIFIER = {Credential.PTA: "CQ", Credential.OTA: "CO"}
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


# _LOOPS: predicates on the hot path loop over a line's services with ``for`` instead
# of calling all() or any() on a generator: a line has one or two services, and
# setting up the generator costs more than the test.

# --- shared, memoised facts ----------------------------------------------------------

#: Marks a fact not yet in a memo (``None`` is a fact: "not documented").
_UNSET: Any = object()


def documented_minutes(ctx: Context) -> int | None:
    """Total minutes of the line's services, or ``None`` when any lacks time or none is linked."""
    memo = ctx.memo
    found = memo.get("minutes", _UNSET)
    if found is not _UNSET:
        return found  # type: ignore[no-any-return]
    total: int | None = 0
    for s in ctx.services:
        if s.minutes is None:
            total = None
            break
        total += s.minutes  # type: ignore[operator]
    memo["minutes"] = total = total if ctx.services else None
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
    memo = ctx.claim_memo.get("therapy_day")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    memo = {}
    by_id = ctx.claim_memo.get("services_by_id") or {s.id: s for s in ctx.claim.services}
    for i, line in enumerate(ctx.claim.lines):
        code = _code(line.code)
        if code is None or code.unit is not BillingUnit.FIFTEEN_MINUTES:
            continue
        services = [by_id[x] for x in line.service_ids if x in by_id]
        if not services or any(s.minutes is None for s in services):
            continue
        bucket = _therapy_bucket(Context(ctx.claim, line, i, ctx.claim_memo))
        day = memo.setdefault((line.date, bucket), {})
        day[line.code] = day.get(line.code, 0) + sum(s.minutes or 0 for s in services)
    ctx.claim_memo["therapy_day"] = memo
    return memo


def _therapy_bucket(ctx: Context) -> str | None:
    """The line's therapy discipline as its modifier (GP, GO, GN), or ``None``."""
    return _expected_therapy_modifier(ctx)


def _code(code: str) -> Code | None:
    from .policy import _catalog_get

    return _catalog_get(code)


def expected_units(ctx: Context) -> int | Decimal | None:
    """The units the documented services give under the payer's unit policy.

    ``None`` where the services do not document what the count needs.
    Total-time method (Pub. 100-04 ch. 5 §20.2 C) for 15-minute codes on 34X
    claims; per line otherwise (home-health 32X lines: each visit its own
    line, minutes not pooled; domain README §2.3).
    """
    found = ctx.memo.get("expected", _UNSET)
    if found is not _UNSET:
        return found  # type: ignore[no-any-return]
    result = _expected(ctx)
    ctx.memo["expected"] = result
    return result


def _expected(ctx: Context) -> int | Decimal | None:
    code, line, policy = ctx.code, ctx.line, ctx.payer.unit_policy
    if code is None or line is None:
        return None
    if code.unit is BillingUnit.DAY:
        if not ctx.services:
            return None
        items = [_span(s) for s in ctx.services]
        if policy.per_diem_shift_hours is not None and not all(
            isinstance(i, _units.Span) for i in items
        ):
            return None
        return _units.per_diem_units(items, policy=policy)
    if code.unit is BillingUnit.DAYS_MONITORED:
        return len({s.date for s in ctx.services}) if ctx.services else None
    if code.unit in (BillingUnit.VISIT, BillingUnit.UNTIMED):
        return max(1, len(ctx.services))
    minutes = documented_minutes(ctx)
    if minutes is None:
        return None
    if (
        code.unit is BillingUnit.FIFTEEN_MINUTES
        and ctx.claim.bill_class == "34"
        and policy.method is _units.TimedMethod.TOTAL_TIME
    ):
        day = _therapy_day_minutes(ctx).get((line.date, _therapy_bucket(ctx)), {})
        if len(day) > 1 and line.code in day:
            return _units.total_time_units(day, policy=policy)[line.code]
    if minutes > _units.MAX_LINE_MINUTES:
        return None
    return _units.billable_units(code, minutes, policy=policy)


# --- predicates: the code -------------------------------------------------------------


@register_predicate("code_known")
def code_known() -> Pred:
    """The line's code is in the catalog (CMS HCPCS Level II file; CPT crosswalk codes)."""
    return lambda ctx: ctx.code is not None


@register_predicate("code_effective")
def code_effective() -> Pred:
    """The line's date falls within the code's effective and termination dates (CMS HCPCS file)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        return code is not None and code.is_effective(ctx.date)

    return test


@register_predicate("code_prefix")
def code_prefix(prefix: str) -> Pred:
    """The line's code starts with ``prefix`` (``"S"``, ``"T"``, ``"G01"``)."""
    if not isinstance(prefix, str) or not prefix:
        raise InvalidFieldError("prefix", prefix, "must be non-empty text")
    p = prefix.upper()
    return lambda ctx: ctx.line is not None and ctx.line.code.startswith(p)


@register_predicate("code_in")
def code_in(codes: Iterable[str]) -> Pred:
    """The line's code is one of ``codes``."""
    wanted = frozenset(str(c).strip().upper() for c in codes)
    return lambda ctx: ctx.line is not None and ctx.line.code in wanted


@register_predicate("code_unit")
def code_unit(units: Iterable[str]) -> Pred:
    """The code's billing unit is one of ``units`` (:class:`~hcpcs_home.codes.BillingUnit`
    values)."""
    wanted = frozenset(BillingUnit(u) for u in units)
    return lambda ctx: ctx.code is not None and ctx.code.unit in wanted


@register_predicate("code_timed")
def code_timed() -> Pred:
    """The code's units depend on documented time (15-minute, hourly, per-minute, session)."""
    return lambda ctx: ctx.code is not None and ctx.code.unit.is_timed


@register_predicate("hh_visit_code")
def hh_visit_code() -> Pred:
    """A Medicare home-health/hospice discipline visit G-code (G0151-G0164, G0299, G0300,
    G0493-G0496, G2168, G2169), billed per 15 minutes under a 042X-057X revenue code
    (seed 003; domain README §1d, §3.4)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        return (
            code is not None
            and code.code.startswith("G")
            and code.unit is BillingUnit.FIFTEEN_MINUTES
            and bool(code.revenue_codes)
            and all(r[:3] in HH_VISIT_FAMILIES for r in code.revenue_codes)
        )

    return test


@register_predicate("hh_setting_only_code")
def hh_setting_only_code() -> Pred:
    """A visit code whose descriptor says "in the home health setting" only
    (G0159-G0161, G2168, G2169: maintenance therapy; CMS descriptors, CR 11721)."""
    visit = hh_visit_code()
    return lambda ctx: (
        visit(ctx) and ctx.code is not None and Setting.HOSPICE not in ctx.code.settings
    )


@register_predicate("therapy_fee_schedule_code")
def therapy_fee_schedule_code() -> Pred:
    """A CPT therapy code paid on the physician fee schedule (97xxx, 92507...), billed
    on 34X, not 32X (seed 003: 32X lists only the G-codes for FL44)."""
    return lambda ctx: (
        ctx.code is not None
        and ctx.code.code_set is CodeSet.CPT
        and (ctx.code.discipline in THERAPY_MODIFIER or ctx.code.discipline is ANY_THERAPY)
    )


@register_predicate("site_of_service_code")
def site_of_service_code() -> Pred:
    """A Q5001-Q5010 site-of-service code (CMS HCPCS; CR 8136)."""
    return lambda ctx: ctx.line is not None and ctx.line.code.startswith("Q50")


# --- predicates: the payer and the bill -----------------------------------------------


@register_predicate("payer_accepts_code")
def payer_accepts_code() -> Pred:
    """The payer takes the code: S codes are private-payer codes not valid for Medicare
    (CMS processing note 0088), T codes are national Medicaid codes (coverage I), and
    Medicare refuses any code its coverage marks not payable (CMS HCPCS file)."""

    def test(ctx: Context) -> bool:
        line, code, payer = ctx.line, ctx.code, ctx.payer
        if line is None or not payer.accepts_code_family(line.code):
            return False
        if payer.kind is PayerKind.MEDICARE and code is not None:
            return code.medicare_accepts
        return True

    return test


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


@register_predicate("payer_flag", header_level=True)
def payer_flag(flag: str) -> Pred:
    """The payer's boolean setting ``flag`` is on (see :class:`~hcpcs_home.payers.Payer`)."""
    if flag not in _PAYER_FLAGS:
        raise InvalidFieldError("flag", flag, f"is not one of {sorted(_PAYER_FLAGS)}")
    return lambda ctx: bool(getattr(ctx.payer, flag))


@register_predicate("payer_kind", header_level=True)
def payer_kind(kinds: Iterable[str]) -> Pred:
    """The payer is of one of ``kinds`` (:class:`~hcpcs_home.payers.PayerKind` values)."""
    wanted = frozenset(PayerKind(k) for k in kinds)
    return lambda ctx: ctx.payer.kind in wanted


@register_predicate("payer_id", header_level=True)
def payer_id(ids: Iterable[str]) -> Pred:
    """The payer's id is one of ``ids`` (for payer-specific rules)."""
    wanted = frozenset(ids)
    return lambda ctx: ctx.payer.id in wanted


@register_predicate("bill_class", header_level=True)
def bill_class(classes: Iterable[str]) -> Pred:
    """The claim's type of bill is in ``classes`` (``"32"`` home health under a plan of
    care, ``"34"`` therapy not under one, ``"81"``/``"82"`` hospice; seed 003)."""
    wanted = frozenset(classes)
    return lambda ctx: ctx.claim.bill_class in wanted


@register_predicate("bill_type", header_level=True)
def bill_type(types: Iterable[str]) -> Pred:
    """The claim's full type of bill is one of ``types`` (``"0322"``)."""
    wanted = frozenset(types)
    return lambda ctx: ctx.claim.type_of_bill in wanted


@register_predicate("line_in_period")
def line_in_period() -> Pred:
    """The line's date is within the statement period (FL6); every line item date must
    fall inside the claim's From-Through dates (domain README §5.1, derived)."""
    return lambda ctx: (
        ctx.line is not None
        and ctx.claim.statement_from <= ctx.line.date <= ctx.claim.statement_through
    )


@register_predicate("has_modifier")
def has_modifier(modifiers: Iterable[str]) -> Pred:
    """The line carries at least one of ``modifiers``."""
    wanted = frozenset(m.upper() for m in modifiers)
    return lambda ctx: ctx.line is not None and not wanted.isdisjoint(ctx.line.modifiers)


@register_predicate("units_above")
def units_above(limit: int) -> Pred:
    """The line bills more than ``limit`` units."""
    return lambda ctx: ctx.line is not None and ctx.line.units > limit


@register_predicate("has_revenue_code")
def has_revenue_code() -> Pred:
    """The line has a revenue code (institutional UB-04 / 837I line)."""
    return lambda ctx: ctx.line is not None and ctx.line.revenue_code is not None


@register_predicate("revenue_code_fits")
def revenue_code_fits() -> Pred:
    """The revenue code is one the code is billed under: 042X PT, 043X OT, 044X SLP,
    055X nursing, 056X social services, 057X aide (seed 003; NGS; domain README §3.4);
    0552 for S9123/S9124 (seed 002)."""

    def test(ctx: Context) -> bool:
        line, code = ctx.line, ctx.code
        if line is None or code is None or line.revenue_code is None:
            return True
        if line.code.startswith("Q50") and code.code in SITE_OF_SERVICE_HH:
            return line.revenue_code[:3] in HH_VISIT_FAMILIES
        return _accepts_revenue_code(code, line.revenue_code)

    return test


#: ``code.accepts_revenue_code(revenue_code)`` by (code identity, revenue code); each
#: entry keeps its code alive, so an id is never reused while its entry stands.
_REVENUE_FITS: dict[tuple[int, str], tuple[Code, bool]] = {}


def _accepts_revenue_code(code: Code, revenue_code: str) -> bool:
    """:meth:`Code.accepts_revenue_code`, memoised (codes are immutable)."""
    key = (id(code), revenue_code)
    found = _REVENUE_FITS.get(key)
    if found is not None and found[0] is code:
        return found[1]
    fits = code.accepts_revenue_code(revenue_code)
    if len(_REVENUE_FITS) >= 4096:  # odd revenue codes from many files: stay bounded
        _REVENUE_FITS.clear()
    _REVENUE_FITS[key] = (code, fits)
    return fits


@register_predicate("therapy_line")
def therapy_line() -> Pred:
    """A PT, OT or SLP line: a 042X/043X/044X revenue code or a therapy discipline code
    (seed 003)."""
    return lambda ctx: (
        ctx.line is not None
        and (
            _family(ctx.line.revenue_code) in THERAPY_REVENUE
            or (
                ctx.code is not None
                and (ctx.code.discipline in THERAPY_MODIFIER or ctx.code.discipline is ANY_THERAPY)
            )
        )
    )


def _expected_therapy_modifier(ctx: Context) -> str | None:
    """GP, GO or GN for the line: from the code's discipline, else its revenue code,
    else (a code any discipline bills, on a professional line) the one it carries."""
    if ctx.code is not None and ctx.code.discipline in THERAPY_MODIFIER:
        return THERAPY_MODIFIER[ctx.code.discipline]
    if ctx.line is None:
        return None
    found = THERAPY_REVENUE.get(_family(ctx.line.revenue_code) or "")
    if found is None and ctx.code is not None and ctx.code.discipline is ANY_THERAPY:
        carried = [m for m in ctx.line.modifiers if m in ("GP", "GO", "GN")]
        return carried[0] if len(carried) == 1 else None
    return found


@register_predicate("therapy_modifier_present")
def therapy_modifier_present() -> Pred:
    """The line carries GN, GO or GP (required on 34X therapy lines; seed 003)."""
    return has_modifier(["GN", "GO", "GP"])


@register_predicate("therapy_modifier_fits")
def therapy_modifier_fits() -> Pred:
    """The GN/GO/GP modifier matches the discipline and revenue code: GP with 042X, GO
    with 043X, GN with 044X (seed 003; CMS HCPCS modifier descriptors)."""

    def test(ctx: Context) -> bool:
        if ctx.line is None:
            return True
        present = {m for m in ctx.line.modifiers if m in ("GN", "GO", "GP")}
        wanted = {THERAPY_REVENUE.get(_family(ctx.line.revenue_code) or "")}
        if ctx.code is not None and ctx.code.discipline in THERAPY_MODIFIER:
            wanted.add(THERAPY_MODIFIER[ctx.code.discipline])
        wanted.discard(None)
        return not present or present == wanted or (not wanted)

    return test


# --- KX threshold ------------------------------------------------------------------


def kx_thresholds() -> dict[int, tuple[Decimal, Decimal]]:
    """KX thresholds by calendar year: ``{year: (PT and SLP, OT)}`` (data/kx_thresholds.tsv)."""
    return {
        int(r["year"]): (Decimal(r["pt_slp"]), Decimal(r["ot"]))
        for r in read_table("kx_thresholds.tsv")
    }


def _kx_running(ctx: Context) -> tuple[Decimal, Decimal] | None:
    """(the beneficiary's therapy amount through this line, that year's threshold)."""
    line = ctx.line
    modifier = _expected_therapy_modifier(ctx)
    if line is None or modifier is None:
        return None
    table = ctx.claim_memo.get("kx")
    if table is None:
        table = ctx.claim_memo["kx"] = kx_thresholds()
    year = table.get(line.date.year)
    if year is None:
        return None
    bucket = "OT" if modifier == "GO" else "PT/SLP"
    running = ctx.claim_memo.get("kx_running")
    if running is None:
        running = ctx.claim_memo["kx_running"] = _kx_totals(ctx)
    return running[ctx.index], (year[1] if bucket == "OT" else year[0])


def _kx_totals(ctx: Context) -> dict[int | None, Decimal]:
    totals = {"OT": ctx.claim.therapy_ytd_ot, "PT/SLP": ctx.claim.therapy_ytd_pt_slp}
    out: dict[int | None, Decimal] = {}
    for i, line in enumerate(ctx.claim.lines):
        other = Context(ctx.claim, line, i, ctx.claim_memo)
        modifier = _expected_therapy_modifier(other)
        if modifier is None:
            continue
        bucket = "OT" if modifier == "GO" else "PT/SLP"
        totals[bucket] += line.charge
        out[i] = totals[bucket]
    return out


@register_predicate("kx_threshold_passed")
def kx_threshold_passed() -> Pred:
    """The beneficiary's therapy amount this year, through this line, passes the year's KX
    threshold (PT and SLP together, OT separately; BBA 2018 §50202; thresholds from
    Noridian and others, data/kx_thresholds.tsv).  Line charges stand in for the allowed
    amount."""

    def test(ctx: Context) -> bool:
        found = _kx_running(ctx)
        return found is not None and found[0] > found[1]

    return test


# --- predicates: the services -----------------------------------------------------------


@register_predicate("service_linked")
def service_linked() -> Pred:
    """The line points at at least one documented service."""
    return lambda ctx: bool(ctx.services)


@register_predicate("credential_documented")
def credential_documented() -> Pred:
    """Every service of the line records the rendering credential."""

    def test(ctx: Context) -> bool:
        services = ctx.services
        if not services:
            return False
        for s in services:  # noqa: SIM110 (see _LOOPS)
            if s.credential is None:
                return False
        return True

    return test


@register_predicate("credential_fits")
def credential_fits() -> Pred:
    """Each service's credential is one the code may be rendered by (CMS descriptors;
    seed 002: an RN shift billed S9124 is an audit trigger; domain README §6)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        if code is None or not code.credentials:
            return True
        allowed = code.credentials
        for s in ctx.services:
            if s.credential is not None and s.credential not in allowed:
                return False
        return True

    return test


@register_predicate("setting_fits")
def setting_fits() -> Pred:
    """Each service's setting is one the code allows (G0129: partial hospitalization or
    intensive outpatient program, CMS descriptor; home codes: the home, where an assisted
    living residence counts as home, Q5002)."""

    def test(ctx: Context) -> bool:
        code = ctx.code
        if code is None or not code.settings:
            return True
        settings = code.settings
        home = Setting.HOME in settings
        for s in ctx.services:
            if s.setting not in settings and not (home and s.setting in _HOME_LIKE):
                return False
        return True

    return test


@register_predicate("time_documented")
def time_documented() -> Pred:
    """The line's services document time: start and stop clock times or minutes
    (seed 002: shift notes with start/stop times; Pub. 100-04 ch. 5 §20.2)."""
    return lambda ctx: documented_minutes(ctx) is not None


@register_predicate("meets_minimum_time")
def meets_minimum_time() -> Pred:
    """The documented time earns at least one unit under the payer's policy (8 minutes
    for a 15-minute line by the CMS chart; 45 minutes for G0129/G0176/G0177)."""

    def test(ctx: Context) -> bool:
        expected = expected_units(ctx)
        return expected is None or expected > 0

    return test


@register_predicate("minutes_contested")
def minutes_contested() -> Pred:
    """A 15-minute line documenting 1-7 minutes, where NGS's chart gives 0 units and a CMS
    hospice FAQ and Medicaid manuals give 1 (domain README §0.11, §2.3)."""

    def test(ctx: Context) -> bool:
        minutes = documented_minutes(ctx)
        return (
            ctx.code is not None
            and minutes is not None
            and ctx.code.unit is BillingUnit.FIFTEEN_MINUTES
            and 1 <= minutes <= 7
        )

    return test


@register_predicate("units_match_time")
def units_match_time() -> Pred:
    """The billed units equal what the documented time gives under the payer's unit
    policy (see :func:`hcpcs_home.units.billable_units`)."""

    def test(ctx: Context) -> bool:
        expected = expected_units(ctx)
        return expected is None or ctx.line is None or ctx.line.units == expected

    return test


@register_predicate("per_diem_units_ok")
def per_diem_units_ok() -> Pred:
    """A per-diem line bills no more units than the distinct days its services touch
    (HCPCS "per diem"; seed 000: one unit per day of service), or than the payer's
    shift definition gives; without services, at most 1 (the line's own date)."""

    def test(ctx: Context) -> bool:
        if ctx.line is None:
            return True
        expected = expected_units(ctx)
        return ctx.line.units <= (1 if expected is None else expected)

    return test


@register_predicate("license_current")
def license_current() -> Pred:
    """Each service by a licensed credential records a license number, and the license
    has not expired on the date of service (seed 002: missing or expired licenses
    trigger refund demands)."""

    def test(ctx: Context) -> bool:
        for s in ctx.services:
            if s.credential in LICENSED:
                if not s.license_number:
                    return False
                if s.license_expires is not None and s.license_expires < s.date:
                    return False
        return True

    return test


def _every_service_has(flag: str) -> Pred:
    def test(ctx: Context) -> bool:
        for s in ctx.services:  # noqa: SIM110 (see _LOOPS)
            if not getattr(s, flag):
                return False
        return True

    return test


@register_predicate("orders_on_file")
def orders_on_file() -> Pred:
    """Every service has physician (or allowed practitioner) orders on file."""
    return _every_service_has("orders_on_file")


@register_predicate("plan_of_care_on_file")
def plan_of_care_on_file() -> Pred:
    """Every service has a plan of care on file."""
    return _every_service_has("plan_of_care_on_file")


@register_predicate("prior_auth_required")
def prior_auth_required() -> Pred:
    """The payer requires prior authorization for the code (payer profile)."""
    return lambda ctx: ctx.line is not None and ctx.payer.requires_prior_auth(ctx.line.code)


def _auth_numbers(ctx: Context) -> set[str]:
    numbers = {s.prior_auth for s in ctx.services if s.prior_auth}
    if ctx.line is not None and ctx.line.prior_auth:
        numbers.add(ctx.line.prior_auth)
    return numbers


@register_predicate("prior_auth_recorded")
def prior_auth_recorded() -> Pred:
    """An authorization number is on the line or its services, or the claim carries an
    authorization for the code covering the date."""

    def test(ctx: Context) -> bool:
        if _auth_numbers(ctx):
            return True
        line = ctx.line
        return line is not None and any(
            line.code in a.codes and a.covers_date(line.date) for a in ctx.claim.authorizations
        )

    return test


def _auth_usage(ctx: Context) -> dict[int, list[tuple[str, str]]]:
    """Per line index, the authorization problems found by walking the claim in order."""
    memo = ctx.claim_memo.get("auth_usage")
    if memo is not None:
        return memo  # type: ignore[no-any-return]
    from .claims import AuthorizationBasis

    memo = defaultdict(list)
    used: dict[str, Any] = defaultdict(int)
    days: dict[str, set[_dt.date]] = defaultdict(set)
    by_id = {s.id: s for s in ctx.claim.services}
    for i, line in enumerate(ctx.claim.lines):
        services = [by_id[x] for x in line.service_ids if x in by_id]
        numbers = {s.prior_auth for s in services if s.prior_auth}
        if line.prior_auth:
            numbers.add(line.prior_auth)
        for number in sorted(numbers):
            auth = ctx.claim.authorization(number)
            if auth is None:
                continue
            if line.code not in auth.codes:
                memo[i].append((number, f"does not authorize {line.code}"))
            if not auth.covers_date(line.date):
                memo[i].append((number, f"runs {auth.start.isoformat()} to {auth.end.isoformat()}"))
            if auth.basis is AuthorizationBasis.UNITS:
                used[number] += line.units
            elif auth.basis is AuthorizationBasis.VISITS:
                used[number] += max(1, len(services))
            else:
                days[number].update(d for s in services for d in s.days())
                days[number].add(line.date)
                used[number] = len(days[number])
            if used[number] > auth.remaining:
                memo[i].append(
                    (number, f"has {auth.remaining} {auth.basis.value} left, {used[number]} used")
                )
    ctx.claim_memo["auth_usage"] = memo
    return memo


@register_predicate("authorization_referenced")
def authorization_referenced() -> Pred:
    """The line or its services name an authorization the claim carries."""

    def test(ctx: Context) -> bool:
        claim = ctx.claim
        if not claim.authorizations:
            return False
        return any(claim.authorization(n) for n in _auth_numbers(ctx))

    return test


@register_predicate("authorization_within_limits")
def authorization_within_limits() -> Pred:
    """The authorization covers the code and date, and the claim's lines so far use no
    more than its remaining units, visits or days (agencies' pre-billing checks;
    TMHP CSHCN manual §21.2.1.1)."""
    return lambda ctx: ctx.index is None or not _auth_usage(ctx).get(ctx.index)


# --- across lines and services ----------------------------------------------------------


@register_predicate("duplicate_of_earlier_line")
def duplicate_of_earlier_line() -> Pred:
    """An earlier line bills the same code, modifiers and date for the same services
    (or both for none).  Two home-health visits on one day are two lines with two
    services, not duplicates (domain README §2.3)."""

    def test(ctx: Context) -> bool:
        memo = ctx.claim_memo.get("duplicates")
        if memo is None:
            memo = ctx.claim_memo["duplicates"] = _duplicates(ctx)
        return ctx.index in memo

    return test


def _duplicates(ctx: Context) -> dict[int, int]:
    # Lines by (code, modifiers, date); the sets of service ids are only built for
    # lines sharing one, the rare case.
    seen: dict[tuple[Any, ...], list[tuple[int, Any]]] = {}
    out: dict[int, int] = {}
    for i, line in enumerate(ctx.claim.lines):
        key = (line.code, line.modifiers, line.date)
        earlier = seen.get(key)
        if earlier is None:
            seen[key] = [(i, line.service_ids)]
            continue
        ids = frozenset(line.service_ids)
        for n, (j, other) in enumerate(earlier):
            if not isinstance(other, frozenset):
                other = frozenset(other)
                earlier[n] = (j, other)
            if ids == other or (ids & other):
                out[i] = j
                break
        earlier.append((i, ids))
    return out


@register_predicate("overlaps_other_visit")
def overlaps_other_visit() -> Pred:
    """One of the line's services overlaps in time another service on the claim by the
    same rendering person (same staff id, or same NPI): one person cannot be in two
    visits at once (seed 002: shift notes with start/stop times are audited)."""

    def test(ctx: Context) -> bool:
        memo = ctx.claim_memo.get("overlaps")
        if memo is None:
            memo = ctx.claim_memo["overlaps"] = _overlapping_services(ctx)
        if memo:
            for s in ctx.services:
                if s.id in memo:
                    return True
        return False

    return test


_MINUTE_US = 60_000_000


def _interval_us(service: Any) -> tuple[int, int] | None:
    """``service.interval()`` as microseconds since 0001-01-01 (ordered and compared the
    same way), without building datetimes.  Year 9999 goes through ``interval()`` so that
    a stop past the last datetime raises as it does there."""
    start, minutes = service.start, service.minutes
    if start is None or minutes is None:
        return None
    if service.date.year == 9999:
        interval = service.interval()
        base = _dt.datetime.min
        return (interval[0] - base) // _dt.timedelta(microseconds=1), (
            interval[1] - base
        ) // _dt.timedelta(microseconds=1)
    begin = (
        ((service.date.toordinal() - 1) * 1440 + start.hour * 60 + start.minute) * _MINUTE_US
        + start.second * 1_000_000
        + start.microsecond
    )
    return begin, begin + minutes * _MINUTE_US


def _overlapping_services(ctx: Context) -> dict[str, str]:
    by_person: dict[str, list[tuple[int, int, str]]] = defaultdict(list)
    for s in ctx.claim.services:
        person = s.rendering_id or s.rendering_npi
        interval = _interval_us(s)
        if person and interval is not None and interval[1] > interval[0]:
            by_person[person].append((interval[0], interval[1], s.id))
    out: dict[str, str] = {}
    for spans in by_person.values():
        spans.sort()
        # Compare each span with the latest-ending one before it, not only with its
        # neighbour: a long shift can contain several short visits (09-12 holds 10-10:30
        # even when 09:30-09:45 sorts between them).
        end, end_id = spans[0][1], spans[0][2]
        for b0, b1, bid in spans[1:]:
            if b0 < end:
                out[bid] = end_id
                out.setdefault(end_id, bid)
            if b1 > end:
                end, end_id = b1, bid
    return out


@register_predicate("purpose_has_cpt_code")
def purpose_has_cpt_code() -> Pred:
    """A service's documented purpose is one a CPT 99500-99602 home-visit code describes
    (the S9123 descriptor forbids S9123 there; BCBS TX/OK/NM policies, seed 002)."""
    return lambda ctx: _cpt_for(ctx) is not None


@functools.cache
def _purposes() -> dict[str, str]:
    """Purpose keyword to CPT home-visit code (data/home_visit_purposes.tsv), built once."""
    return {r["purpose"]: r["cpt"] for r in read_table("home_visit_purposes.tsv")}


def _cpt_for(ctx: Context) -> str | None:
    table = _purposes()
    for s in ctx.services:
        if s.purpose:
            cpt = table.get(s.purpose.strip().lower())
            if cpt is not None:
                return cpt
    return None


@register_predicate("assistant_rendered")
def assistant_rendered() -> Pred:
    """A physical or occupational therapist assistant furnished a service of the line."""

    def test(ctx: Context) -> bool:
        for s in ctx.services:  # noqa: SIM110 (see _LOOPS)
            if s.credential in ASSISTANT_MODIFIER:
                return True
        return False

    return test


@register_predicate("assistant_modifier_present")
def assistant_modifier_present() -> Pred:
    """The line carries CQ for a PTA's service and CO for an OTA's (CMS "Billing Examples
    Using CQ/CO Modifiers"; BBA 2018 §53107)."""

    def test(ctx: Context) -> bool:
        wanted = {
            ASSISTANT_MODIFIER[s.credential]
            for s in ctx.services
            if s.credential in ASSISTANT_MODIFIER
        }
        return ctx.line is not None and wanted <= set(ctx.line.modifiers)

    return test


@register_predicate("telehealth_units_ok")
def telehealth_units_ok() -> Pred:
    """G0320/G0321 bill one unit per telehealth service, not 15-minute increments
    (Palmetto "Telehealth Home Health Services: New G-Codes"; CR 12805)."""
    return lambda ctx: ctx.line is not None and ctx.line.units <= max(1, len(ctx.services))


@register_predicate("credential_modifier_present")
def credential_modifier_present() -> Pred:
    """T1000 carries TD when an RN furnished it and TE when an LVN did (TMHP TMPPM
    Dec 2016 HH Nursing and PDN Handbook §4.1)."""

    def test(ctx: Context) -> bool:
        wanted = {
            {Credential.RN: "TD", Credential.LPN: "TE"}[s.credential]
            for s in ctx.services
            if s.credential in (Credential.RN, Credential.LPN)
        }
        return ctx.line is not None and (
            wanted <= set(ctx.line.modifiers)
            if wanted
            else bool({"TD", "TE"} & set(ctx.line.modifiers))
        )

    return test


# --- claim-level predicates -------------------------------------------------------------


def _visit_lines(ctx: Context) -> list[int]:
    """The indexes of the claim's visit lines (memoised for the claim; do not change it)."""
    found: list[int] | None = ctx.claim_memo.get("visit_lines")
    if found is None:
        found = ctx.claim_memo["visit_lines"] = [
            i
            for i, line in enumerate(ctx.claim.lines)
            if _family(line.revenue_code) in HH_VISIT_FAMILIES and not line.code.startswith("Q50")
        ]
    return found


@register_predicate("claim_has_visit_lines")
def claim_has_visit_lines() -> Pred:
    """The claim has home-health visit lines (revenue codes 042X-057X)."""
    return lambda ctx: bool(_visit_lines(ctx))


@register_predicate("site_of_service_reported")
def site_of_service_reported() -> Pred:
    """A Q5001, Q5002 or Q5009 line is dated with the first billable visit (NGS article
    522358; CR 8136, Transmittal 2680: required for 032X from 2013-07-01)."""

    def test(ctx: Context) -> bool:
        visits = _visit_lines(ctx)
        if not visits:
            return True
        first = min(ctx.claim.lines[i].date for i in visits)
        return any(
            line.code in SITE_OF_SERVICE_HH and line.date == first for line in ctx.claim.lines
        )

    return test


# --- fixers -----------------------------------------------------------------------------


def _credentials(ctx: Context) -> list[Credential]:
    return sorted({s.credential for s in ctx.services if s.credential is not None})


@register_fixer("nearest-code")
def _fix_unknown(ctx: Context) -> FixResult:
    assert ctx.line is not None
    suggestion = default_catalog()._suggest(ctx.line.code)
    if suggestion is None:
        return None, {}, {}
    return f"did you mean {suggestion}?", {"code": suggestion}, {}


@register_fixer("replacement-code")
def _fix_replacement(ctx: Context) -> FixResult:
    code = ctx.code
    if code is None:
        return None, {}, {}
    if code.terminated is not None and ctx.date > code.terminated and code.replaced_by:
        choice = _by_credential(code.replaced_by, _credentials(ctx))
        facts = {"window": f"ended {code.terminated.isoformat()}"}
        text = f"use {' or '.join(code.replaced_by)} for dates after {code.terminated.isoformat()}"
        return text, ({"code": choice} if choice else {}), facts
    return None, {}, {"window": f"starts {code.effective.isoformat()}"}


def _by_credential(codes: Iterable[str], credentials: list[Credential]) -> str | None:
    codes = list(codes)
    for c in codes:
        entry = _code(c)
        if entry is not None and credentials and set(credentials) <= entry.credentials:
            return c
    return codes[0] if len(codes) == 1 else None


@register_fixer("medicare-equivalent")
def _fix_payer(ctx: Context) -> FixResult:
    line = ctx.line
    assert line is not None
    creds = _credentials(ctx)
    if ctx.payer.kind is PayerKind.MEDICARE:
        target = _medicare_code(line.code, creds)
        text = (
            "Original Medicare does not cover private-duty (hourly or shift) nursing or S/T "
            "codes; if this is a Medicare home-health benefit visit, bill "
        )
        if target is None:
            return text + "the discipline G-code on a 032X claim", {}, {}
        return text + f"{target} on a 032X claim", {"code": target}, {}
    if line.code.startswith("S9123") or line.code.startswith("S9124"):
        return (
            "use a CPT 99500-99602 home-visit code where one describes the service",
            {},
            {},
        )
    return "bill the code this payer lists for the service", {}, {}


@functools.cache
def _crosswalk() -> dict[str, list[dict[str, str]]]:
    """data/medicare_crosswalk.tsv rows by code, in file order, built once."""
    by_code: dict[str, list[dict[str, str]]] = defaultdict(list)
    for r in read_table("medicare_crosswalk.tsv"):
        by_code[r["code"]].append(r)
    return dict(by_code)


def _medicare_code(code: str, credentials: list[Credential]) -> str | None:
    matches = _crosswalk().get(code, [])
    for r in matches:
        if r["credential"] and credentials and Credential(r["credential"]) in credentials:
            return r["medicare_code"] or None
    for r in matches:
        if not r["credential"]:
            target = r["medicare_code"] or None
            if target and credentials:
                sibling = _sibling(target, credentials[0])
                return sibling or target
            return target
    return None


def _sibling(code: str, credential: Credential) -> str | None:
    rows = read_table("credential_codes.tsv")
    groups = {r["group"] for r in rows if r["code"] == code}
    for r in rows:
        if r["group"] in groups and r["credential"] == credential.value:
            return r["code"]
    return None


@register_fixer("credential-code")
def _fix_credential(ctx: Context) -> FixResult:
    line = ctx.line
    assert line is not None
    creds = _credentials(ctx)
    wrong = [c for c in creds if ctx.code is not None and c not in ctx.code.credentials]
    facts = {"credential": " ".join(c.value for c in wrong) or "none"}
    if len(wrong) == 1:
        target = _sibling(line.code, wrong[0])
        if target is not None:
            return f"bill {target}, the {wrong[0].value} code", {"code": target}, facts
    return None, {}, facts


@register_fixer("expected-units")
def _fix_units(ctx: Context) -> FixResult:
    expected = expected_units(ctx)
    minutes = documented_minutes(ctx)
    facts = {"expected": expected, "minutes": minutes, "policy": ctx.payer.unit_policy.name}
    if expected is None:
        return None, {}, facts
    return f"bill {expected} unit(s)", {"units": str(expected)}, facts


@register_fixer("license")
def _fix_license(ctx: Context) -> FixResult:
    for s in ctx.services:
        if s.credential in LICENSED:
            who = f"the {s.credential.value} who rendered {s.code} on {s.date.isoformat()}"
            if not s.license_number:
                why = f"{who} has no license number on file"
                return "record the license number before billing", {}, {"detail": why}
            if s.license_expires is not None and s.license_expires < s.date:
                why = f"the license of {who} expired on {s.license_expires.isoformat()}"
                return "bill only services rendered under a current license", {}, {"detail": why}
    return None, {}, {"detail": "the rendering license is missing or expired"}


@register_fixer("revenue-code")
def _fix_revenue(ctx: Context) -> FixResult:
    code = ctx.code
    if code is None or not code.revenue_codes:
        return None, {}, {}
    families = " or ".join(code.revenue_codes)
    target = code.revenue_codes[0].replace("X", "1")
    return f"bill under {families}", {"revenue_code": target}, {"expected": families}


@register_fixer("therapy-modifier")
def _fix_therapy_modifier(ctx: Context) -> FixResult:
    wanted = _expected_therapy_modifier(ctx)
    if wanted is None:
        return None, {}, {}
    return f"add {wanted}", {"modifier": wanted}, {"expected": wanted}


@register_fixer("kx")
def _fix_kx(ctx: Context) -> FixResult:
    found = _kx_running(ctx)
    line = ctx.line
    if found is None or line is None:
        return None, {}, {}
    amount, threshold = found
    facts = {"amount": amount, "threshold": threshold, "year": line.date.year}
    if "KX" in line.modifiers:
        return (
            "remove KX: the threshold is not yet passed",
            {"modifier": "-KX"},
            {
                **facts,
                "detail": f"KX used while the year's therapy amount {amount} is at or "
                f"below the {line.date.year} threshold {threshold}",
            },
        )
    return (
        "add KX if the services are medically necessary and documented as such",
        {"modifier": "KX"},
        {
            **facts,
            "detail": f"therapy amount {amount} passes the {line.date.year} KX "
            f"threshold {threshold} without KX",
        },
    )


@register_fixer("cpt-home-visit")
def _fix_cpt(ctx: Context) -> FixResult:
    cpt = _cpt_for(ctx)
    if cpt is None:
        return None, {}, {}
    return f"bill CPT {cpt}", {"code": cpt}, {"cpt": cpt}


@register_fixer("assistant-modifier")
def _fix_assistant(ctx: Context) -> FixResult:
    wanted = sorted(
        {
            ASSISTANT_MODIFIER[s.credential]
            for s in ctx.services
            if s.credential in ASSISTANT_MODIFIER
        }
    )
    return (
        f"add {' and '.join(wanted)}",
        {"modifier": " ".join(wanted)},
        {"expected": " ".join(wanted)},
    )


@register_fixer("per-diem-units")
def _fix_per_diem(ctx: Context) -> FixResult:
    expected = expected_units(ctx)
    days = 1 if expected is None else expected
    hours = ctx.payer.unit_policy.per_diem_shift_hours
    basis = "day(s) of service" if hours is None else f"complete {hours}-hour shift(s)"
    return f"bill {days} unit(s)", {"units": str(days)}, {"expected": days, "basis": basis}


@register_fixer("site-of-service")
def _fix_site(ctx: Context) -> FixResult:
    visits = _visit_lines(ctx)
    if not visits:
        return None, {}, {}
    first = min(visits, key=lambda i: ctx.claim.lines[i].date)
    line = ctx.claim.lines[first]
    text = (
        f"add a Q5001 (home), Q5002 (assisted living) or Q5009 line with revenue code "
        f"{line.revenue_code}, date {line.date.isoformat()}, 1 unit"
    )
    return text, {"code": "Q5001", "date": line.date.isoformat()}, {"first": line.date.isoformat()}


@register_fixer("authorization")
def _fix_auth(ctx: Context) -> FixResult:
    problems = _auth_usage(ctx).get(ctx.index or 0, []) if ctx.index is not None else []
    detail = "; ".join(f"authorization {n} {why}" for n, why in problems)
    return "request more units or a new authorization before billing", {}, {"detail": detail}


@register_fixer("overlap")
def _fix_overlap(ctx: Context) -> FixResult:
    memo = ctx.claim_memo.get("overlaps") or _overlapping_services(ctx)
    other = next((memo[s.id] for s in ctx.services if s.id in memo), "")
    return "correct the visit times or the rendering person", {}, {"other": other}


@register_fixer("duplicate")
def _fix_duplicate(ctx: Context) -> FixResult:
    memo = ctx.claim_memo.get("duplicates") or _duplicates(ctx)
    j = memo.get(ctx.index or 0)
    return "remove the duplicate line", {}, {"other": "" if j is None else j + 1}


@register_fixer("credential-modifier")
def _fix_credential_modifier(ctx: Context) -> FixResult:
    creds = _credentials(ctx)
    wanted = sorted(
        {
            "TD" if c is Credential.RN else "TE"
            for c in creds
            if c in (Credential.RN, Credential.LPN)
        }
    )
    if not wanted:
        return "add TD (RN) or TE (LVN)", {}, {}
    return f"add {' '.join(wanted)}", {"modifier": " ".join(wanted)}, {}
