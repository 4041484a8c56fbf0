"""The facts a claim's rules share (authorization usage, overlaps of one person's
services, repeated lines, home-health visit lines) are worked out once per claim, in
as few passes as can be; each must say exactly what the rules it serves read, on the
clean claim and on the broken one."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal
from typing import Any

import attrs
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, check_many, payers
from hcpcs_home import strategies as hst
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
