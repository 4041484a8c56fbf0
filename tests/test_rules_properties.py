"""Properties of the default rules and of the predicate combinators.

Two families: a claim put together the way the rules ask (built line by line
with :meth:`ClaimLine.from_service` from well-documented services, for a payer
that takes every code on it) draws no error; and ``&``, ``|``, ``~`` obey
boolean algebra on any context the library's own strategies can build.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

import attrs
from hypothesis import assume, given
from hypothesis import strategies as st

from hcpcs_home import (
    Authorization,
    BillingUnit,
    Claim,
    ClaimLine,
    Code,
    Credential,
    EvvVisit,
    Service,
    Setting,
    check,
    default_catalog,
    payers,
)
from hcpcs_home import strategies as hst
from hcpcs_home.payers import Payer
from hcpcs_home.policy import Context, Predicate, Severity, predicate

# --- clean claims ---------------------------------------------------------------

#: The HH discipline visit G-codes (CMS HCPCS descriptors) and the 2023 telehealth codes (CR 12805).
HH_VISIT_CODES = frozenset(
    {
        *(f"G01{n}" for n in range(51, 65)),
        *("G0299", "G0300", "G0493", "G0494", "G0495", "G0496", "G2168", "G2169"),
        *("G0320", "G0321"),
    }
)
#: "In the home health setting" only (CMS descriptors; CR 11721): not on hospice claims.
HH_SETTING_ONLY = frozenset({"G0159", "G0160", "G0161", "G2168", "G2169", "G0320", "G0321"})
#: PT and OT evaluations, billed on 34X with GP or GO (AAPC, APTA: third-party).
EVALUATIONS = {f"9716{i}": "GP" if i <= 4 else "GO" for i in range(1, 9)}
#: Minutes a line needs before it earns a unit, by billing unit (the 8-minute chart,
#: any part of 15 minutes, a tenth of an hour); hour codes get a full hour so that
#: whole-hour payers bill one.  Sessions use the code's own minimum.
MIN_MINUTES = {
    BillingUnit.FIFTEEN_MINUTES: 8,
    BillingUnit.UP_TO_FIFTEEN_MINUTES: 1,
    BillingUnit.HOUR: 60,
    BillingUnit.MINUTE: 1,
}
DAY_START = 6 * 60
DAY_END = 23 * 60 + 30


def eligible_codes(payer: Payer, type_of_bill: str | None) -> list[Code]:
    """The catalog codes a clean claim of this payer and bill type may carry."""
    out = []
    for code in default_catalog().codes():
        if code.unit is BillingUnit.DAYS_MONITORED or code.code.startswith("Q50"):
            continue  # G0322 counts days, not minutes; Q lines are added by the claim
        if not payer.accepts_code_family(code.code):
            continue
        if payer is payers.MEDICARE:
            if not code.medicare_accepts:
                continue
            if type_of_bill == "0329" and code.code not in HH_VISIT_CODES:
                continue
            if type_of_bill == "0811" and code.code not in HH_VISIT_CODES - HH_SETTING_ONLY:
                continue
            if type_of_bill == "0341" and code.code not in EVALUATIONS:
                continue
        out.append(code)
    return out


#: The payers and the bills they are sent on.
BILLS = [
    (payers.MEDICARE, "0329"),
    (payers.MEDICARE, "0811"),
    (payers.MEDICARE, "0341"),
    (payers.TEXAS_MEDICAID_CSHCN, None),
    (payers.BCBS_TEXAS, None),
    (payers.DOL_EEOICP, None),
    (payers.NORTH_DAKOTA_MEDICAID, None),
]
ELIGIBLE = {bill: eligible_codes(*bill) for bill in BILLS}


def minutes_for(code: Code, payer: Payer) -> st.SearchStrategy[int]:
    """Enough documented minutes for at least one unit of ``code`` under ``payer``."""
    if code.unit is BillingUnit.DAY and payer.unit_policy.per_diem_shift_hours is not None:
        shift = payer.unit_policy.per_diem_shift_hours * 60
        return st.integers(shift, shift + 120)
    if code.unit is BillingUnit.SESSION:
        return st.integers(code.min_minutes or 1, 180)
    return st.integers(MIN_MINUTES.get(code.unit, 1), 240)


def credential_for(code: Code) -> st.SearchStrategy[Credential | None]:
    """A credential the code may be rendered by; any (or none) where it names none."""
    if code.credentials:
        return st.sampled_from(sorted(code.credentials))
    return st.none() | st.sampled_from(list(Credential))


def setting_for(code: Code) -> st.SearchStrategy[Setting]:
    """A setting the code allows; an assisted living residence counts as home (Q5002)."""
    allowed = set(code.settings) or set(Setting)
    if Setting.HOME in allowed:
        allowed.add(Setting.ASSISTED_LIVING)
    return st.sampled_from(sorted(allowed))


def clock(minute_of_day: int) -> dt.time:
    return dt.time(minute_of_day // 60, minute_of_day % 60)


def modifiers_for(
    code: Code, service: Service, payer: Payer, type_of_bill: str | None
) -> list[str]:
    """GP/GO on 34X evaluations; TD/TE on Texas Medicaid T1000 (TMHP TMPPM §4.1)."""
    if type_of_bill == "0341":
        return [EVALUATIONS[code.code]]
    if code.code == "T1000" and payer is payers.TEXAS_MEDICAID_CSHCN:
        return ["TD" if service.credential is Credential.RN else "TE"]
    return []


@st.composite
def clean_claims(draw: st.DrawFn) -> Claim:
    """Claims a careful biller would send: every rule's requirement met on purpose."""
    payer, type_of_bill = draw(st.sampled_from(BILLS))
    start = draw(st.dates(dt.date(2021, 1, 1), dt.date(2026, 11, 30)))
    through = start + dt.timedelta(days=draw(st.integers(0, 29)))
    codes = [
        c
        for c in ELIGIBLE[payer, type_of_bill]
        if c.is_effective(start) and c.is_effective(through)
    ]
    assume(codes)
    needs_auth = payer.prior_auth_codes != frozenset()
    busy: dict[tuple[str, dt.date], int] = {}  # each person's next free minute, per day
    services: list[Service] = []
    lines: list[ClaimLine] = []
    visits: list[EvvVisit] = []
    per_diem_days: set[tuple[str, dt.date]] = set()
    for i in range(draw(st.integers(1, 6))):
        code = draw(st.sampled_from(codes))
        day = start + dt.timedelta(days=draw(st.integers(0, (through - start).days)))
        if payer.unit_policy.unit_of(code) is BillingUnit.DAY:
            if (code.code, day) in per_diem_days:  # a per diem is billed once a day
                continue
            per_diem_days.add((code.code, day))
        credential = draw(credential_for(code))
        minutes = draw(minutes_for(code, payer))
        person = f"{credential.name if credential else 'staff'}-{draw(st.integers(1, 2))}"
        begin = busy.get((person, day), DAY_START) + draw(st.integers(0, 90))
        if begin + minutes > DAY_END:  # one person's day is full: another person goes
            person, begin = f"{person}-extra-{i}", DAY_START
        busy[person, day] = begin + minutes
        service = Service(
            code.code,
            day,
            start=clock(begin),
            stop=clock(begin + minutes),
            credential=credential,
            rendering_id=person,
            license_number=f"LIC{i:05d}",
            license_expires=draw(st.none() | st.dates(through, dt.date(2030, 12, 31))),
            setting=draw(setting_for(code)),
            prior_auth="PA0001" if needs_auth else None,
            orders_on_file=True,
            plan_of_care_on_file=True,
            notes_on_file=True,
            id=f"svc-{i}",
        )
        services.append(service)
        lines.append(
            ClaimLine.from_service(
                service,
                payer=payer,
                modifiers=modifiers_for(code, service, payer, type_of_bill),
                # A careful biller charges each visit: a $0 visit line is returned
                # (Palmetto GBA reason code 32243).
                charge=draw(st.integers(1, 500)),
            )
        )
        if payer.requires_evv(code.code, day, lines[-1].modifiers):
            visits.append(
                EvvVisit(
                    code.code,
                    day,
                    member="M1",
                    start=service.start,
                    stop=service.stop,
                    location="1 Main St",
                    worker=person,
                    method="mobile",
                    id=f"evv-{i}",
                )
            )
    header: dict[str, Any] = {}
    if type_of_bill == "0329":
        # The site line and the 0023 HIPPS line take the first in-person visit's date
        # (telehealth G0320-G0322 lines are not visits); a later period of the admission,
        # with condition code 54 where no skilled visit was made (CR 9497).
        in_person = [ln for ln in lines if ln.code not in ("G0320", "G0321", "G0322")]
        assume(in_person)
        first = min(in_person, key=lambda ln: ln.date)
        lines.append(ClaimLine("Q5001", first.date, 1, revenue_code=first.revenue_code))
        lines.append(ClaimLine("3AB21", first.date, 1, revenue_code="0023"))
        skilled = any((ln.revenue_code or "")[:3] in ("042", "043", "044", "055", "056")
                      for ln in in_person)  # fmt: skip
        header = {
            "admission_date": start - dt.timedelta(days=30),
            "occurrence_codes": [("50", start - dt.timedelta(days=3))],
            "value_codes": [("61", "35614"), ("85", "36061")],
            "condition_codes": [] if skilled else ["54"],
        }
    if type_of_bill == "0811":
        # Every day of a hospice claim is billed at a level of care: routine home care at
        # home, one line from the first day (Pub. 100-04 ch. 11 §30.1; CR 5245).
        lines.append(ClaimLine("Q5001", start, (through - start).days + 1, revenue_code="0651"))
    authorizations = []
    if needs_auth:
        authorizations.append(
            Authorization(
                "PA0001", payer.id, {ln.code for ln in lines}, 100_000, "units", start, through
            )
        )
    return Claim(
        payer,
        start,
        through,
        lines=draw(st.permutations(lines)),
        services=services,
        type_of_bill=type_of_bill,
        authorizations=authorizations,
        id=f"CLEAN-{len(lines)}",
        patient_id="M1",
        evv_visits=visits,
        **header,
    )


class TestCleanClaims:
    """'A claim built by ClaimLine.from_service from valid services for a payer that
    accepts its codes yields no error-severity finding.'"""

    @given(clean_claims())
    def test_no_errors(self, claim: Claim) -> None:
        """A clean claim draws no error-severity finding from the default rules."""
        report = check(claim)
        assert [] == [str(f) for f in report.errors]
        assert report.ok

    @given(clean_claims())
    def test_warnings_are_only_the_contested_chart(self, claim: Claim) -> None:
        """The only warning a clean claim may draw is the contested 1-7 minute chart (and the
        only note, for a claim dated after the bundled CMS release, that it is)."""
        assert set() == {f.rule_id for f in check(claim)} - {
            "short-visit-units",
            "release-out-of-date",
        }


# --- boolean algebra of predicates ------------------------------------------------

#: Leaf predicates of every kind: the code, the payer, the bill, the line's services,
#: memoised facts (units, overlaps, KX) and claim-level facts.
LEAVES: list[Predicate] = [
    predicate("code_known"),
    predicate("code_effective"),
    predicate("code_prefix", prefix="S"),
    predicate("code_in", codes=["G0299", "G0300", "S9123", "T1030"]),
    predicate("code_unit", units=["day", "hour"]),
    predicate("code_timed"),
    predicate("hh_visit_code"),
    predicate("payer_accepts_code"),
    predicate("payer_flag", flag="requires_orders"),
    predicate("bill_type", types=["0329", "0341"]),
    predicate("bill_class", classes=["32"]),
    predicate("line_in_period"),
    predicate("has_modifier", modifiers=["GP", "KX"]),
    predicate("units_above", limit=4),
    predicate("has_revenue_code"),
    predicate("revenue_code_fits"),
    predicate("therapy_line"),
    predicate("therapy_modifier_fits"),
    predicate("kx_threshold_passed"),
    predicate("service_linked"),
    predicate("credential_fits"),
    predicate("setting_fits"),
    predicate("time_documented"),
    predicate("meets_minimum_time"),
    predicate("units_match_time"),
    predicate("per_diem_units_ok"),
    predicate("license_current"),
    predicate("prior_auth_recorded"),
    predicate("authorization_within_limits"),
    predicate("duplicate_of_earlier_line"),
    predicate("overlaps_other_visit"),
    predicate("claim_has_visit_lines"),
    predicate("site_of_service_reported"),
]


@st.composite
def contexts(draw: st.DrawFn) -> Context:
    """A line's context (or, for a claim without lines, the claim's) of a generated claim."""
    claim = draw(hst.claims())
    if not claim.lines:
        return Context.for_claim(claim)
    return Context.for_line(claim, draw(st.integers(0, len(claim.lines) - 1)))


def outcome(p: Predicate, ctx: Context) -> Any:
    """What evaluating ``p`` gives: its value, or the type of what it raised."""
    try:
        return p(ctx)
    except Exception as exc:
        return type(exc)


leaves = st.sampled_from(LEAVES)
Law = Callable[[Predicate, Predicate], tuple[Predicate, Predicate]]


class TestBooleanAlgebra:
    """'A rule is an immutable object, evaluated against an explicit context, combined
    with &, |, ~ into a tree' (house style, after packaging's Marker): the combinators
    obey boolean algebra."""

    @given(leaves, contexts())
    def test_leaves_give_booleans(self, p: Predicate, ctx: Context) -> None:
        """Every leaf gives a bool on any generated context, never raising."""
        assert outcome(p, ctx) in (True, False)

    @given(leaves, contexts())
    def test_double_negation(self, p: Predicate, ctx: Context) -> None:
        """``~~p`` is equivalent to ``p``."""
        assert outcome(p, ctx) == outcome(~~p, ctx)
        assert outcome(p, ctx) == outcome(~(~p), ctx)

    @given(leaves, contexts())
    def test_negation_flips(self, p: Predicate, ctx: Context) -> None:
        """``~p`` holds exactly where ``p`` does not."""
        assert (not p(ctx)) == (~p)(ctx)

    @given(leaves, leaves, contexts())
    def test_de_morgan_and(self, a: Predicate, b: Predicate, ctx: Context) -> None:
        """``~(a & b)`` is equivalent to ``~a | ~b``."""
        assert outcome(~(a & b), ctx) == outcome(~a | ~b, ctx)

    @given(leaves, leaves, contexts())
    def test_de_morgan_or(self, a: Predicate, b: Predicate, ctx: Context) -> None:
        """``~(a | b)`` is equivalent to ``~a & ~b``."""
        assert outcome(~(a | b), ctx) == outcome(~a & ~b, ctx)

    @given(leaves, leaves, contexts())
    def test_commutative(self, a: Predicate, b: Predicate, ctx: Context) -> None:
        """``a & b`` and ``b & a`` agree, as do ``a | b`` and ``b | a``."""
        assert outcome(a & b, ctx) == outcome(b & a, ctx)
        assert outcome(a | b, ctx) == outcome(b | a, ctx)

    @given(leaves, leaves, leaves, contexts())
    def test_associative_and_distributive(
        self, a: Predicate, b: Predicate, c: Predicate, ctx: Context
    ) -> None:
        """Grouping does not change a chain, and ``&`` distributes over ``|``."""
        assert outcome((a & b) & c, ctx) == outcome(a & (b & c), ctx)
        assert outcome((a | b) | c, ctx) == outcome(a | (b | c), ctx)
        assert outcome(a & (b | c), ctx) == outcome((a & b) | (a & c), ctx)

    @given(leaves, leaves, contexts())
    def test_explain_agrees(self, a: Predicate, b: Predicate, ctx: Context) -> None:
        """An explanation's root holds exactly when the tree does."""
        tree = (a & ~b) | (~a & b)
        assert tree(ctx) == tree.explain(ctx).held
        assert (a(ctx) != b(ctx)) == tree(ctx)

    @given(leaves, contexts())
    def test_excluded_middle(self, p: Predicate, ctx: Context) -> None:
        """``p | ~p`` always holds and ``p & ~p`` never does."""
        assert (True, False) == ((p | ~p)(ctx), (p & ~p)(ctx))


class TestSeverity:
    @given(hst.claims())
    def test_ok_means_no_error(self, claim: Claim) -> None:
        """A report is ok exactly when none of its findings is an error."""
        report = check(claim)
        assert report.ok == all(f.severity is not Severity.ERROR for f in report)


class TestPerDiemDays:
    """The per-diem count the rules take without building spans is the one
    :func:`hcpcs_home.units.per_diem_units` gives over the services' spans."""

    _days = st.dates(dt.date(1900, 1, 1), dt.date(2099, 12, 31))
    _clock = st.times().map(lambda t: t.replace(second=0, microsecond=0))
    _services = st.builds(
        Service,
        code=st.just("S9129"),
        date=_days,
        start=_clock,
        stop=_clock,
        full_day=st.booleans(),
    ) | st.builds(
        Service, code=st.just("S9129"), date=_days, minutes=st.none() | st.integers(0, 1440)
    )

    @given(st.lists(_services, min_size=1, max_size=4))
    def test_same_as_spans(self, services: list[Service]) -> None:
        from hcpcs_home import units
        from hcpcs_home.errors import HcpcsError
        from hcpcs_home.rules import _common

        fast = _common.per_diem_days(services)
        try:
            exact: int | None = units.per_diem_units([_common._span(s) for s in services])
        except HcpcsError:
            exact = None  # past the last date: the span path refuses it, and so must this
            assert fast is None
        if all(s.date <= _common._LAST_PLAIN_DAY for s in services):
            assert fast is not None  # the usual services take the fast path
        if fast is not None:
            assert fast == exact

    @given(st.lists(_services, min_size=1, max_size=4), st.sampled_from([4, 8, 12, 24]))
    def test_shifts_same_as_spans(self, services: list[Service], hours: int) -> None:
        """Under a policy of N-hour shifts (DOL's 8), the same count as the spans give."""
        from hcpcs_home import units
        from hcpcs_home.rules import _common

        policy = attrs.evolve(units.DOL_EEOICP_8_HOUR_SHIFT, per_diem_shift_hours=hours)
        fast = _common.per_diem_shifts(services, hours)
        timed = all(s.start is not None and s.minutes is not None for s in services)
        if timed and all(s.date <= _common._LAST_PLAIN_DAY for s in services):
            assert fast is not None  # services with clock times take the fast path
        if fast is not None:  # else left to the span path
            spans = [_common._span(s) for s in services]
            assert fast == units.per_diem_units(spans, policy=policy)

    def test_dol_shifts(self) -> None:
        """DOL DEEOIC's 8-hour shifts: 24 hours are 3, 16 hours 2, under 8 hours none."""
        from hcpcs_home.rules import _common

        day = dt.date(2024, 3, 4)
        whole = Service(code="S5126", date=day, start="07:00", stop="07:00", full_day=True)
        two = Service(code="S5126", date=day, start="22:00", stop="14:00")
        short = Service(code="S5126", date=day, start="08:00", stop="15:59")
        untimed = Service(code="S5126", date=day, minutes=480)
        assert (3, 2, 0) == tuple(_common.per_diem_shifts([s], 8) for s in (whole, two, short))
        assert 5 == _common.per_diem_shifts([whole, two, short], 8)
        assert _common.per_diem_shifts([untimed], 8) is None  # no span: the span path decides

    def test_a_night_shift_is_two_days_and_a_zero_minute_one_none(self) -> None:
        from hcpcs_home.rules import _common

        day = dt.date(2024, 3, 4)
        night = Service(code="S9129", date=day, start="22:00", stop="06:00")
        empty = Service(code="S9129", date=day + dt.timedelta(days=5), start="10:00", stop="10:00")
        midnight = Service(code="S9129", date=day, start="20:00", stop="00:00")
        assert 2 == _common.per_diem_days([night])
        assert 0 == _common.per_diem_days([empty])
        assert 1 == _common.per_diem_days([midnight])
        assert 2 == _common.per_diem_days([night, midnight])
