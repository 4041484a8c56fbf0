"""The facts a claim's rules share (authorization usage, overlaps of one person's
services, repeated lines, home-health visit lines) are worked out once per claim, in
as few passes as can be; each must say exactly what the rules it serves read, on the
clean claim and on the broken one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

import attrs
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, check_many, payers
from hcpcs_home import strategies as hst
from hcpcs_home._engine.plans import _LINE_FACT, _with_line
from hcpcs_home.catalog import default_catalog
from hcpcs_home.claims import AuthorizationBasis
from hcpcs_home.codes import BillingUnit
from hcpcs_home.limits import (
    _amount,
    _back_to_units,
    _caps,
    _limit_text,
    _plain,
    _problem,
    _usage_of,
    authorization_usage,
)
from hcpcs_home.rules import _common

BCBS = payers.BCBS_TEXAS
_KNOWN = {c.code for c in default_catalog().codes()}
ND = payers.NORTH_DAKOTA_MEDICAID


def _ids(report: Any, rule: str) -> list[int | None]:
    return [f.line for f in report.findings if f.rule_id == rule]


def _messages(report: Any, rule: str) -> list[str]:
    return [f.message for f in report.findings if f.rule_id == rule]


# --- authorization usage ------------------------------------------------------------


def reference_usage(claim: Claim) -> dict[int, list[tuple[str | None, str, Any]]]:
    """Authorization usage of one claim, counted the plain way (a line at a time through
    ``_amount`` and ``covers_date``, every limit listed before it is compared): the
    oracle the check's counting is held to."""
    found: dict[int, list[tuple[str | None, str, Any]]] = {}
    usage = _usage_of(claim, days=None)
    if not usage.authorizations:
        return found
    used: dict[Any, Any] = {}
    periods: dict[Any, Any] = {}
    days: dict[Any, set[dt.date]] = defaultdict(set)
    by_number: dict[str, Any] = {}
    for a in usage.authorizations:
        by_number.setdefault(a.number, (a, _caps(a)))
    for line in usage.lines:
        code = default_catalog().get(line.code)
        unit = claim.payer.unit_policy.unit_of(code) if code is not None else BillingUnit.UNTIMED
        problems = []
        for number in line.numbers:
            if number not in by_number:
                continue
            auth, caps = by_number[number]
            key = (auth.payer, number)
            if line.code not in auth.codes:
                problems.append(
                    _problem(number, f"authorization {number} does not authorize {line.code}")
                )
            if not auth.covers_date(line.date):
                problems.append(
                    _problem(
                        number,
                        f"authorization {number} runs {auth.start.isoformat()} to "
                        f"{auth.end.isoformat()}",
                    )
                )
            amount = _amount(auth, line.units, unit, line.visits)
            if amount is None:
                problems.append(
                    _problem(
                        number,
                        f"authorization {number} counts {auth.basis.value}; {line.code} "
                        f"(per {unit.value}) cannot be counted in them",
                    )
                )
                continue
            span = line.span
            if auth.basis is AuthorizationBasis.DAYS:
                touched = {*span, *line.service_days}
                amount = len(touched - days[key])
                days[key].update(touched)
            total = used[key] = used.get(key, auth.used) + amount
            checks: list[tuple[Any, Any, Any, Any]] = [
                (auth.remaining, total - auth.used, amount, None)
            ]
            share = amount if len(span) == 1 else Decimal(amount) / len(span)
            parts: dict[Any, Any] = {}
            for day in span:
                for kind, limit in caps:
                    bucket: Any = (
                        day
                        if kind == "day"
                        else claim.payer.week_of(day)
                        if kind == "week"
                        else (day.year, day.month)
                    )
                    pkey = (auth.payer, number, kind, bucket)
                    periods[pkey] = periods.get(pkey, 0) + share
                    earlier = parts.get(pkey)
                    parts[pkey] = (
                        limit,
                        share if earlier is None else earlier[1] + share,
                        (kind, bucket),
                    )
            for pkey, (limit, part, which) in parts.items():
                checks.append((limit, periods[pkey], part, which))
            for limit, so_far, part, which in checks:
                if limit is not None and so_far > limit:
                    problems.append(
                        _problem(
                            number,
                            f"authorization {number} {_limit_text(auth, which)}, "
                            f"{_plain(Decimal(so_far))} used",
                            _back_to_units(auth, limit - (so_far - part), unit)
                            if len(span) == 1
                            else None,
                        )
                    )
        if problems:
            found[line.at] = [(p.number, p.message, p.max_units) for p in problems]
    return found


def _as_data(usage: dict[Any, list[Any]]) -> dict[Any, list[tuple[Any, ...]]]:
    return {k: [(p.number, p.message, p.max_units) for p in v] for k, v in usage.items()}


def _service(sid: str, day: int, start: str, stop: str, number: str | None, **kw: Any) -> Service:
    return Service.from_times(
        kw.pop("code", "T1019"),
        dt.date(2024, 3, day),
        start,
        stop,
        credential=kw.pop("credential", "PCA"),
        rendering_id=kw.pop("worker", "W1"),
        prior_auth=number,
        id=sid,
        **kw,
    )


def _nd_claim(services: list[Service], auths: list[Authorization], **kw: Any) -> Claim:
    lines = [ClaimLine.from_service(s) for s in services]
    return Claim(
        ND,
        "2024-03-01",
        "2024-03-31",
        patient_id="M1",
        services=services,
        lines=lines,
        authorizations=auths,
        **kw,
    )


def _auth(number: str, units: int, basis: str = "hours", **kw: Any) -> Authorization:
    return Authorization(
        number, "nd-medicaid", ["T1019"], units, basis, "2024-03-01", "2024-03-31", **kw
    )


class TestAuthorizationUsage:
    """ "The claim's lines so far use no more than its remaining units, visits or days"
    (TMHP CSHCN manual §21.2.1.1), each line counted against the authorizations it names."""

    def test_usage_spanning_two_authorizations(self) -> None:
        """Lines naming two authorizations are summed apart: only the one whose hours run
        out is passed, on the line that passes it, with what that line could bill."""
        services = [
            _service("a", 4, "08:00", "11:00", "PA1"),
            _service("b", 5, "08:00", "11:00", "PA2"),
            _service("c", 6, "08:00", "11:00", "PA1"),
            _service("d", 7, "08:00", "11:00", "PA2"),
        ]
        claim = _nd_claim(services, [_auth("PA1", 5), _auth("PA2", 10)])
        report = check(claim)
        assert [2] == _ids(report, "authorization-exceeded")
        assert reference_usage(claim) == _as_data({2: _usage_of_check(claim)[2]})
        assert ["authorization PA1 has 5 hours left, 6 used"] == [
            p.message for p in _usage_of_check(claim)[2]
        ]
        assert 8 == _usage_of_check(claim)[2][0].max_units

    def test_within_both_authorizations_is_clean(self) -> None:
        """The same lines against enough hours on each find nothing."""
        services = [
            _service("a", 4, "08:00", "11:00", "PA1"),
            _service("b", 5, "08:00", "11:00", "PA2"),
        ]
        claim = _nd_claim(services, [_auth("PA1", 6), _auth("PA2", 6)])
        assert [] == _ids(check(claim), "authorization-exceeded")

    def test_using_every_hour_on_the_last_day_is_clean(self) -> None:
        """A line that uses the last of the hours on the authorization's last day passes
        nothing; one more quarter hour passes what is left."""
        last = Authorization(
            "PA1", "nd-medicaid", ["T1019"], 6, "hours", "2024-03-01", "2024-03-05"
        )
        exact = _nd_claim(
            [_service("a", 4, "08:00", "11:00", "PA1"), _service("b", 5, "08:00", "11:00", "PA1")],
            [last],
        )
        assert {} == _usage_of_check(exact)
        over = _nd_claim(
            [_service("a", 4, "08:00", "11:00", "PA1"), _service("b", 5, "08:00", "11:15", "PA1")],
            [last],
        )
        assert ["authorization PA1 has 6 hours left, 6.25 used"] == [
            p.message for p in _usage_of_check(over)[1]
        ]

    def test_claim_without_authorizations(self) -> None:
        """A line naming a number the claim does not carry is counted against nothing."""
        claim = _nd_claim([_service("a", 4, "08:00", "20:00", "PA9")], [])
        assert {} == _usage_of_check(claim)
        assert [] == _ids(check(claim), "authorization-exceeded")

    def test_number_not_carried_beside_one_carried(self) -> None:
        """Only the carried number counts; the other is not an error of usage."""
        services = [
            _service("a", 4, "08:00", "20:00", "PA9"),
            _service("b", 5, "08:00", "20:00", "PA1"),
        ]
        claim = _nd_claim(services, [_auth("PA1", 4)])
        assert [1] == _ids(check(claim), "authorization-exceeded")

    def test_line_outside_the_dates_and_codes(self) -> None:
        """A line dated after the authorization, of a code it does not name, is passed twice."""
        services = [_service("a", 4, "08:00", "09:00", "PA1", code="S5125")]
        short = Authorization(
            "PA1", "nd-medicaid", ["T1019"], 40, "hours", "2024-03-01", "2024-03-02"
        )
        claim = _nd_claim(services, [short])
        messages = [p.message for p in _usage_of_check(claim)[0]]
        assert [
            "authorization PA1 does not authorize S5125",
            "authorization PA1 runs 2024-03-01 to 2024-03-02",
        ] == messages

    def test_weekly_cap_and_total_on_one_line(self) -> None:
        """A line passing both what is left and the week's cap gets both, total first."""
        services = [
            _service("a", 4, "06:00", "18:00", "PA1"),
            _service("b", 5, "06:00", "18:00", "PA1"),
        ]
        claim = _nd_claim(services, [_auth("PA1", 20, per_week=15)])
        assert reference_usage(claim) == _as_data(_usage_of_check(claim))
        assert [
            "authorization PA1 has 20 hours left, 24 used",
            "authorization PA1 allows 15 hours a week (from 2024-03-03), 24 used",
        ] == [p.message for p in _usage_of_check(claim)[1]]

    def test_alone_and_in_a_batch_of_one_agree(self) -> None:
        """A claim checked alone counts what the batch's counting across claims counts."""
        services = [_service(str(d), d, "08:00", "14:00", "PA1") for d in range(4, 9)]
        claim = _nd_claim(services, [_auth("PA1", 20, "units", minutes_per_unit=60)])
        (batch,) = check_many([claim], batch=True)
        assert check(claim).findings == batch.findings

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hst.claims(), st.sampled_from(["units", "hours", "visits", "days"]))
    def test_counting_is_the_plain_counting(self, claim: Claim, basis: str) -> None:
        """On any claim, with its lines naming its authorizations, the counting a check
        does gives what counting a line at a time does."""
        numbers = [a.number for a in claim.authorizations]
        if numbers:
            lines = [
                attrs.evolve(line, prior_auth=numbers[i % len(numbers)])
                for i, line in enumerate(claim.lines)
            ]
            auths = [
                attrs.evolve(
                    a,
                    codes=[*a.codes, *(x.code for x in lines[:2] if x.code in _KNOWN)],
                    basis=basis,
                    per_day=2,
                )
                for a in claim.authorizations
            ]
            claim = attrs.evolve(claim, lines=lines, authorizations=auths)
        assert reference_usage(claim) == _as_data(_usage_of_check(claim))


def _usage_of_check(claim: Claim) -> dict[int, list[Any]]:
    """What the check counts for ``claim`` alone (the authorization rules' claim fact)."""
    from hcpcs_home._engine import Context
    from hcpcs_home.rules.claim import _AUTH_USAGE

    return _AUTH_USAGE.of(Context.for_claim(claim))


def test_check_counts_what_authorization_usage_counts() -> None:
    """The check's fact is :func:`hcpcs_home.limits.authorization_usage` of the claim alone."""
    services = [_service(str(d), d, "08:00", "16:00", "PA1") for d in range(4, 9)]
    claim = _nd_claim(services, [_auth("PA1", 30, per_day=6)])
    usage = authorization_usage([claim])
    assert {i: v for (_, i), v in usage.items()} == _usage_of_check(claim)
    assert [0, 1, 2, 3, 4] == _ids(check(claim), "authorization-exceeded")


# --- one pass over the lines and services: repeats, overlaps, per-diem days ----------


def _bcbs_claim(services: list[Service], **kw: Any) -> Claim:
    return Claim(
        BCBS,
        "2024-03-01",
        "2024-03-31",
        patient_id=kw.pop("patient_id", "M1"),
        services=services,
        lines=[ClaimLine.from_service(s) for s in services],
        **kw,
    )


def _visit(sid: str, day: int, start: str, stop: str, worker: str | None = "W1") -> Service:
    return Service.from_times(
        "S9123", dt.date(2024, 3, day), start, stop, credential="RN", rendering_id=worker, id=sid
    )


class TestOverlappingServices:
    """One person cannot be in two visits at once (BCBSTX coordinated home care policy:
    shift notes with start and stop times), whichever dates the two are written under."""

    def test_overlap_across_midnight(self) -> None:
        """A night shift overlaps the next day's early visit, though the two are dated apart."""
        claim = _bcbs_claim([_visit("a", 4, "22:00", "02:00"), _visit("b", 5, "01:00", "03:00")])
        assert [0, 1] == _ids(check(claim), "overlapping-visits")

    def test_night_shift_told_from_its_start_remembered(self) -> None:
        """Whether a service runs past midnight is told from the minutes its start leaves
        in the day, remembered by start time: the second claim is told the same."""
        from hcpcs_home.rules import _sheet

        for _ in range(2):
            claim = _bcbs_claim(
                [_visit("a", 4, "22:00", "02:00"), _visit("b", 5, "01:00", "03:00")]
            )
            assert [0, 1] == _ids(check(claim), "overlapping-visits")
            assert 120 == _sheet._LEFT[dt.time(22)]
        assert 1440 == _sheet._left_of(dt.time(0))

    def test_night_shift_then_a_visit_after_it(self) -> None:
        """The same night shift and a visit starting when it ends do not overlap."""
        claim = _bcbs_claim([_visit("a", 4, "22:00", "02:00"), _visit("b", 5, "02:00", "03:00")])
        assert [] == _ids(check(claim), "overlapping-visits")

    def test_one_person_two_visits_one_day(self) -> None:
        """Two visits of one nurse on one day overlap by an hour; back to back they do not."""
        clash = _bcbs_claim([_visit("a", 4, "08:00", "10:00"), _visit("b", 4, "09:00", "11:00")])
        assert [0, 1] == _ids(check(clash), "overlapping-visits")
        after = _bcbs_claim([_visit("a", 4, "08:00", "10:00"), _visit("b", 4, "10:00", "11:00")])
        assert [] == _ids(check(after), "overlapping-visits")

    def test_two_people_at_one_time(self) -> None:
        """Two nurses at the same hours are two visits, and so are two services naming no one."""
        two = _bcbs_claim(
            [_visit("a", 4, "08:00", "10:00", "W1"), _visit("b", 4, "08:00", "10:00", "W2")]
        )
        assert [] == _ids(check(two), "overlapping-visits")
        nobody = _bcbs_claim(
            [_visit("a", 4, "08:00", "10:00", None), _visit("b", 4, "08:00", "10:00", None)]
        )
        assert [] == _ids(check(nobody), "overlapping-visits")

    def test_person_is_the_staff_id_else_the_npi(self) -> None:
        """Two staff ids sharing one rendering NPI (an agency's NPI on every line) are two
        people; services naming no staff id are matched by their NPI."""

        def at(sid: str, worker: str | None) -> Service:
            npi = "1234567893"
            return attrs.evolve(_visit(sid, 4, "08:00", "10:00", worker), rendering_npi=npi)

        shared = _bcbs_claim([at("a", "W1"), at("b", "W2")])
        assert [] == _ids(check(shared), "overlapping-visits")
        by_npi = _bcbs_claim([at("a", None), at("b", None)])
        assert [0, 1] == _ids(check(by_npi), "overlapping-visits")

    def test_long_shift_holds_a_later_short_visit(self) -> None:
        """A shift holding two shorter visits overlaps both, though they do not overlap each
        other: each is compared with the latest-ending span before it."""
        claim = _bcbs_claim(
            [
                _visit("a", 4, "09:00", "12:00"),
                _visit("b", 4, "09:30", "10:30"),
                _visit("c", 4, "10:45", "11:45"),
            ]
        )
        assert [0, 1, 2] == _ids(check(claim), "overlapping-visits")

    @settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hst.claims(), st.sampled_from(["W1", "W2"]))
    def test_overlaps_are_every_pair_that_overlaps(self, claim: Claim, worker: str) -> None:
        """On any claim (its services given to at most two people), the services the fact
        names are exactly those overlapping another of the same person, each with one
        it overlaps."""
        services = [
            attrs.evolve(s, rendering_id=worker if i % 3 else "W1", rendering_npi=None)
            for i, s in enumerate(claim.services)
        ]
        claim = attrs.evolve(claim, services=services)
        from hcpcs_home._engine import Context
        from hcpcs_home.rules.claim import _OVERLAPS

        found = _OVERLAPS.of(Context.for_claim(claim))
        timed = [s for s in services if s.start is not None and s.minutes]
        expected = {
            a.id
            for a in timed
            for b in timed
            if a is not b and a.rendering_id == b.rendering_id and _overlap(a, b)
        }
        assert expected == set(found)
        by_id = {s.id: s for s in timed}
        assert all(_overlap(by_id[a], by_id[b]) for a, b in found.items())


def _overlap(a: Service, b: Service) -> bool:
    (a0, a1), (b0, b1) = a.interval(), b.interval()  # type: ignore[misc]
    return a0 < b1 and b0 < a1


class TestWorkerOverlap:
    """One worker in two clients' homes at once (BCBS TX private-duty nursing policy)."""

    def test_same_worker_two_clients(self) -> None:
        """Checked together, two members' claims with one worker's overlapping visits are
        each found; checked alone, neither claim shows it."""
        one = _bcbs_claim([_visit("a", 4, "08:00", "12:00", "W7")], id="C1", patient_id="M1")
        two = _bcbs_claim([_visit("b", 4, "11:00", "13:00", "W7")], id="C2", patient_id="M2")
        together = check_many([one, two], batch=True)
        assert [[0], [0]] == [_ids(r, "worker-overlap") for r in together]
        assert [] == _ids(check(one), "worker-overlap") == _ids(check(two), "worker-overlap")

    def test_same_worker_two_clients_apart(self) -> None:
        """The same worker's visits one after the other are clean together."""
        one = _bcbs_claim([_visit("a", 4, "08:00", "11:00", "W7")], id="C1", patient_id="M1")
        two = _bcbs_claim([_visit("b", 4, "11:00", "13:00", "W7")], id="C2", patient_id="M2")
        assert [[], []] == [_ids(r, "worker-overlap") for r in check_many([one, two], batch=True)]


class TestRepeatedLines:
    """ "An earlier line bills the same code, modifiers and date for the same services"
    (duplicate-line); a per-diem code allows one unit a day (HCPCS "per diem")."""

    def test_same_line_twice(self) -> None:
        """The second of two identical lines repeats the first; on another day it does not."""
        line = ClaimLine("S9124", "2024-03-04", 4)
        claim = Claim(BCBS, "2024-03-01", "2024-03-31", lines=[line, line])
        assert [1] == _ids(check(claim), "duplicate-line")
        other = attrs.evolve(line, date=dt.date(2024, 3, 5))
        clean = Claim(BCBS, "2024-03-01", "2024-03-31", lines=[line, other])
        assert [] == _ids(check(clean), "duplicate-line")

    def test_span_line_shares_a_per_diem_day(self) -> None:
        """A per-diem line spanning three days shares its second with a one-day line of the
        same code, though no two lines are dated alike."""
        span = ClaimLine("S9129", "2024-03-04", 3, through="2024-03-06")
        day = ClaimLine("S9129", "2024-03-05", 1)
        claim = Claim(BCBS, "2024-03-01", "2024-03-31", lines=[span, day], patient_id="M1")
        assert [1] == _ids(check(claim), "per-diem-day-exceeded")
        after = attrs.evolve(day, date=dt.date(2024, 3, 7))
        clean = Claim(BCBS, "2024-03-01", "2024-03-31", lines=[span, after], patient_id="M1")
        assert [] == _ids(check(clean), "per-diem-day-exceeded")


class TestHomeVisits:
    """A home-health claim's visit lines, sorted out once for the site-of-service rules
    (042X-057X, CR 8136) and the PDGM rules (042X-059X in-person visits, CCW codebook
    CLM_HHA_TOT_VISIT_CNT), telehealth lines apart (CR 12805)."""

    def visits(self, lines: list[ClaimLine]) -> Any:
        from hcpcs_home._engine import Context
        from hcpcs_home.rules._sheet import HOME_VISITS

        claim = Claim(payers.MEDICARE, "2024-03-01", "2024-03-30", type_of_bill="0329", lines=lines)
        return HOME_VISITS.of(Context.for_claim(claim))

    def test_each_rule_family_s_visit_lines(self) -> None:
        """An aide visit (057X) is a visit line to both; a 058X line only to PDGM's count;
        a site Q-code, a telehealth line and a HIPPS line to neither."""
        found = self.visits(
            [
                ClaimLine("Q5001", "2024-03-02", 1, revenue_code="0551"),
                ClaimLine("G0156", "2024-03-06", 4, revenue_code="0571"),
                ClaimLine("G0320", "2024-03-03", 1, revenue_code="0551"),
                ClaimLine("G0299", "2024-03-05", 4, revenue_code="0551"),
                ClaimLine("G0156", "2024-03-04", 4, revenue_code="0581"),
                ClaimLine("", "2024-03-01", 0, revenue_code="0023"),
            ]
        )
        assert (1, 3) == found.lines
        assert dt.date(2024, 3, 5) == found.first_line
        assert ["0571", "0551", "0581"] == [li.revenue_code for li in found.in_person]
        assert dt.date(2024, 3, 4) == found.first
        assert frozenset({dt.date(2024, 3, 3)}) == found.telehealth_only

    def test_told_by_code_and_revenue_code_remembered(self) -> None:
        """What a line is to the visits is told by its code and revenue code alone and
        remembered by them: the same lines read the same, however many times, and a line's
        date, units or modifiers change nothing (#21)."""
        from hcpcs_home.rules import _sheet

        codes = ["G0156", "G0299", "G0320", "G0151", "Q5001", "", "T1030", "S9123"]
        revenue = ["0551", "0571", "0581", "0591", "0421", "0431", "0023", "0270", None]
        lines = [
            ClaimLine(code, "2024-03-04", 1, revenue_code=rev)
            for code in codes
            for rev in revenue
            if code or rev == "0023"  # a revenue-only line is the HIPPS line's kind
        ]
        _sheet._VISIT_KINDS.clear()
        cold = self.visits(lines)
        warm = self.visits([attrs.evolve(li, date=dt.date(2024, 3, 9), units=3) for li in lines])
        assert len(_sheet._VISIT_KINDS) == len(lines)
        assert cold.lines == warm.lines and len(cold.in_person) == len(warm.in_person)
        assert (dt.date(2024, 3, 4), dt.date(2024, 3, 9)) == (cold.first_line, warm.first_line)
        for li in lines:
            kind = _sheet._VISIT_KINDS[li.code, li.revenue_code]
            family = None if li.revenue_code is None else li.revenue_code[:3]
            if li.code in ("G0320",):
                assert kind == _sheet._TELEHEALTH
            elif family is None or li.code.startswith("Q50"):
                assert kind == 0
            else:
                assert bool(kind & _sheet._HH_LINE) == (family in _common.HH_VISIT_FAMILIES)

    def test_telehealth_on_a_visit_day(self) -> None:
        """A telehealth line on a day with an in-person visit leaves no telehealth-only day."""
        found = self.visits(
            [
                ClaimLine("G0320", "2024-03-05", 1, revenue_code="0551"),
                ClaimLine("G0299", "2024-03-05", 4, revenue_code="0551"),
            ]
        )
        assert frozenset() == found.telehealth_only
        assert dt.date(2024, 3, 5) == found.first == found.first_line

    def test_no_visit_lines(self) -> None:
        """A claim of telehealth alone has no visit line and no first visit."""
        found = self.visits([ClaimLine("G0321", "2024-03-05", 1, revenue_code="0421")])
        assert ((), None, (), None) == (found.lines, found.first_line, found.in_person, found.first)


# --- what the compiled checker writes in place is what the test computes ---------------


def _inline_leaves() -> list[tuple[str, dict[str, Any], Any]]:
    from hcpcs_home._engine import And, Not, Or
    from hcpcs_home.rules import DEFAULT_RULES

    def leaves(p: Any) -> Any:
        if isinstance(p, (And, Or)):
            for o in p.operands():
                yield from leaves(o)
        elif isinstance(p, Not):
            yield from leaves(p.operand)
        else:
            yield p

    found: dict[str, tuple[str, dict[str, Any], Any]] = {}
    for rule in DEFAULT_RULES:
        for leaf in leaves(rule.when):
            written = getattr(leaf._fn, "__inline__", None)
            if written is not None:
                found.setdefault(written[0], (written[0], written[1], leaf._fn))
    return list(found.values())


_INLINE = _inline_leaves()


def _outcome(fn: Any) -> Any:
    try:
        return bool(fn())
    except Exception as exc:  # the same failure either way
        return type(exc)


@pytest.mark.parametrize(
    ("written", "folded"),
    [
        ("(_line is not None and x)", "x"),
        ("(_line is None or x)", "x"),
        ("x and _line is not None", "x and True"),  # its value is the result: kept
        ("x or _line is None", "x or False"),
        ("x and _line is None and y", "x and False"),
        ("x or _line is not None or y", "x or True"),
        ("(a if _line is not None else b)", "a"),
        ("not _line is not None and y", "False"),
        ("_line.date if _line is not None else ctx.claim.statement_from", "_line.date"),
        ("_line.date is None or x", "_line.date is None or x"),  # a field, not the line
        ("_line == None or x", "_line == None or x"),  # == may be anything
    ],
)
def test_a_line_body_folds_the_line_tests(written: str, folded: str) -> None:
    """In a line's body ``_line`` is the line: tests of whether there is one are folded
    away, each operation giving the value it gave (plans._with_line)."""
    assert folded == _with_line(written)
    for x, y, a, b in [(0, 1, 2, 3), (5, [], "", None), ([1], 0, 7, 8)]:
        scope = {"_line": SimpleNamespace(date=None), "x": x, "y": y, "a": a, "b": b}
        if "ctx" not in written:
            assert eval(written, scope) == eval(folded, scope)


class TestInlineExpressions:
    """A predicate the compiled checker writes in place (``inline``) gives what its test
    gives, on every line of any claim, before and after the line's shared facts (its
    minutes, its expected units) are worked out."""

    def test_every_expression_compiles(self) -> None:
        """Each expression a default rule's predicate writes in place is valid Python over its
        placeholders (``inline`` leaves the compiling to the line checker)."""
        assert len(_INLINE) > 20
        for expression, values, _ in _INLINE:
            compile(expression.format(**{k: "x" for k in values}), "<inline>", "eval")

    @settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
    @given(hst.claims())
    def test_written_in_place_is_the_test(self, claim: Claim) -> None:
        """Each expression, its placeholders bound as the checker binds them (a claim fact
        to its value), is its test's answer (or its error)."""
        self.agree(claim)

    def test_home_health_lines_of_every_kind(self) -> None:
        """The same on a home-health claim's lines: a visit under its discipline's revenue
        code and under another's, a site Q-code, a HIPPS line, an unknown code, a line
        without a revenue code, one without time and one of a few minutes."""
        services = [
            Service("G0299", "2024-03-04", minutes=45, credential="RN", id="a"),
            Service("G0151", "2024-03-05", minutes=5, credential="PT", id="b"),
            Service("G0152", "2024-03-06", credential="OT", id="c"),
        ]
        lines = [
            ClaimLine("G0299", "2024-03-04", 3, revenue_code="0551", service_ids=["a"]),
            ClaimLine("G0151", "2024-03-05", 1, revenue_code="0551", service_ids=["b"]),
            ClaimLine("G0152", "2024-03-06", 2, revenue_code="0431", service_ids=["c"]),
            ClaimLine("Q5001", "2024-03-04", 1, revenue_code="0551"),
            ClaimLine("Q5001", "2024-03-04", 1, revenue_code="0421"),
            ClaimLine("", "2024-03-01", 0, revenue_code="0023"),
            ClaimLine("G0299", "2024-03-07", 2),
        ]
        claim = Claim(
            payers.MEDICARE,
            "2024-03-01",
            "2024-03-30",
            type_of_bill="0329",
            lines=lines,
            services=services,
        )
        self.agree(claim)

    def agree(self, claim: Claim) -> None:
        from hcpcs_home._engine import ClaimFact, Context
        from hcpcs_home.rules._common import documented_minutes, expected_units

        assert len(_INLINE) > 20
        for index in range(len(claim.lines)):
            for warm in (False, True):
                ctx = Context.for_line(claim, index)
                if warm:  # as after an earlier rule of the line asked
                    _outcome(lambda ctx=ctx: documented_minutes(ctx) or True)
                    _outcome(lambda ctx=ctx: expected_units(ctx) or True)
                for expression, values, fn in _INLINE:
                    names = {k: f"_x_{k}" for k in values}
                    bound: dict[str, Any] = {"ctx": ctx}
                    for k, v in values.items():
                        bound[names[k]] = v.of(ctx) if isinstance(v, ClaimFact) else v
                    code = compile(expression.format(**names), "<inline>", "eval")
                    written = _outcome(lambda code=code, bound=bound: eval(code, bound))
                    assert _outcome(lambda fn=fn, ctx=ctx: fn(ctx)) == written, expression
                    # As a line's body writes it: the line's locals, folded where it asks
                    # whether there is a line (plans._with_line).
                    local = _LINE_FACT.sub(r"_\1", expression.format(**names))
                    body = {**bound, "_line": ctx.line, "_code": ctx.code}
                    body["_services"] = ctx.services
                    folded = compile(_with_line(local), "<body>", "eval")
                    assert written == _outcome(lambda c=folded, b=body: eval(c, b)), local


def test_the_moving_context_holds_each_line_s_documented_minutes() -> None:
    """The compiled checker's loop (_MOVE) sets a line's documented minutes where they are a
    field (one service's, or none without a service): what documented_minutes gives the
    line's own context; a line of several services leaves them to be worked out (#21)."""
    from hcpcs_home._engine.context import _MOVE, Context, _moving_context
    from hcpcs_home.rules._common import documented_minutes

    services = [
        Service("S9123", "2024-03-04", minutes=45, credential="RN", id="a"),
        Service("S9123", "2024-03-05", credential="RN", id="b"),
        Service("S9123", "2024-03-06", minutes=30, credential="RN", id="c"),
    ]
    ids: list[list[str]] = [["a"], ["b"], [], ["a", "c"], ["a", "b"]]
    lines = [ClaimLine("S9123", "2024-03-04", 3, service_ids=i) for i in ids]
    claim = Claim(BCBS, "2024-03-01", "2024-03-31", lines=lines, services=services)
    keep = "        out.append(ctx.minutes)"
    source = "\n".join(["def moves(header):", "    out = []", _MOVE.rstrip("\n"), keep])
    namespace: dict[str, Any] = {"_moving_context": _moving_context, "_U": Context.UNSET}
    exec(source + "\n    return out\n", namespace)
    moved = namespace["moves"](Context.for_claim(claim))
    assert [45, None, None, Context.UNSET, Context.UNSET] == moved
    for i, minutes in enumerate(moved):
        if minutes is not Context.UNSET:
            assert documented_minutes(Context.for_line(claim, i)) == minutes
