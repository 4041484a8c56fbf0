"""Throughput of :func:`hcpcs_home.check` against a hand-written checker.

Run with ``python benchmarks/bench_check.py [CLAIMS]`` (10,000 claims of 10
lines, 100,000 lines, by default).  The claims are built deterministically from
``random.Random(SEED)``: a mix of Medicare home-health (0329), Medicare
outpatient therapy (0341), Texas Medicaid CSHCN, BCBS TX and DOL EEOICP claims
in the proportions a mixed home-care agency might send, with mistakes slipped
into about one line in ten (wrong credential, missing license, wrong units,
an S code sent to Medicare, a missing Q5001 line, overlapping visits...).
Every line carries a plausible charge (:data:`CHARGE_PER_UNIT` times its units,
or the charge the claim kind sets), as a biller's claim does: until #21 the
visit lines were billed at $0, so each Medicare home-health claim drew about
nine ``visit-line-zero-charge`` errors that no real claim carries (4 of the
5.9 findings a claim of the default rules).  The charges draw nothing from the
random generator: the claims and the slips injected on purpose are the same.

Two checkers run over the same claims in this process, each best of
``REPEATS``:

* ``check(claim)`` with the default rule set, building full findings
  (message, suggestion, fix and explanation);
* :func:`hand_check`, the same 28 rules written as one plain Python function,
  using the library only for its data (catalog entries, the unit arithmetic of
  :mod:`hcpcs_home.units`) and returning ``(line, rule id)`` pairs.

Before timing, the script checks that both name the same rule ids on the same
lines for a sample of claims, so the comparison is between two programs that
do the same work.  It prints lines per second for both and their ratio.
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import sys
import time
from collections import defaultdict
from collections.abc import Callable
from decimal import Decimal
from typing import Any

import attrs

from hcpcs_home import (
    Authorization,
    BillingUnit,
    Claim,
    ClaimLine,
    Code,
    Credential,
    Occurrence,
    Service,
    Setting,
    ValueCode,
    check,
    default_catalog,
    limits,
    payers,
    units,
)
from hcpcs_home._tables import read_table
from hcpcs_home.codes import CodeSet
from hcpcs_home.payers import Payer, PayerKind
from hcpcs_home.rules import DEFAULT_RULES, _common

SEED = 20261123
REPEATS = 5
LINES_PER_CLAIM = 10
SAMPLE = 2_000  # claims whose rule ids both checkers must agree on

# --- the claims ------------------------------------------------------------------

MEDICARE, TMHP, BCBS, DOL = (
    payers.MEDICARE,
    payers.TEXAS_MEDICAID_CSHCN,
    payers.BCBS_TEXAS,
    payers.DOL_EEOICP,
)
#: Medicare home-health visits by credential (CMS HCPCS descriptors).
HH_VISITS = [
    ("G0299", "RN"),
    ("G0299", "RN"),
    ("G0300", "LPN"),
    ("G0151", "PT"),
    ("G0157", "PTA"),
    ("G0152", "OT"),
    ("G0158", "OTA"),
    ("G0153", "SLP"),
    ("G0155", "MSW"),
    ("G0156", "HHA"),
    ("G0493", "RN"),
]
EVALUATIONS = [
    ("97161", "PT", "GP", "0424"),
    ("97164", "PT", "GP", "0424"),
    ("97165", "OT", "GO", "0434"),
    ("97168", "OT", "GO", "0434"),
]
#: Timed 15-minute therapy codes of CMS's total-time examples (CPT: our own summaries).
TIMED_CODES = ["97110", "97112", "97140"]
TMHP_CODES = [
    ("S9123", "RN"),
    ("S9124", "LPN"),
    ("T1000", "RN"),
    ("T1000", "LPN"),
    ("T1002", "RN"),
    ("T1003", "LPN"),
    ("T1030", "RN"),
]
BCBS_CODES = [("S9123", "RN"), ("S9124", "LPN"), ("S9122", "HHA"), ("S9131", "PT")]
DOL_CODES = [("T1030", "RN"), ("T1031", "LPN"), ("S5126", "PCA"), ("T1021", "HHA")]


#: An agency's charge per billed unit, by what a unit of the code stands for (its
#: chargemaster's, not what the payer pays): every line carries a charge, as a real
#: biller's claim does (a $0 visit line on a Medicare 032X claim is returned, reason
#: code 32243).  Charges come from the code and units alone, drawing nothing from the
#: random generator, so the claims and their slips are the same as without them.
CHARGE_PER_UNIT = {
    BillingUnit.FIFTEEN_MINUTES: Decimal("42.50"),
    BillingUnit.UP_TO_FIFTEEN_MINUTES: Decimal("14.00"),
    BillingUnit.HOUR: Decimal("48.00"),
    BillingUnit.DAY: Decimal("325.00"),
}
OTHER_CHARGE_PER_UNIT = Decimal("150.00")


def charge_for(code: str, n_units: int) -> Decimal:
    """The line charge of ``n_units`` of ``code`` (one unit's worth at least)."""
    found = default_catalog().get(code)
    rate = OTHER_CHARGE_PER_UNIT if found is None else CHARGE_PER_UNIT.get(found.unit)
    return (rate or OTHER_CHARGE_PER_UNIT) * max(1, n_units)


class Maker:
    """Builds one claim at a time from a seeded random generator."""

    def __init__(self, rng: random.Random, mistakes: float = 1.0) -> None:
        self.rng = rng
        self.count = 0
        self.mistakes = mistakes

    def chance(self, p: float) -> bool:
        """Whether a mistake of probability ``p`` (times the maker's ``mistakes``) happens."""
        return self.rng.random() < p * self.mistakes

    def service(
        self, code: str, day: dt.date, start: int, minutes: int, credential: str, **kwargs: Any
    ) -> Service:
        rng = self.rng
        self.count += 1
        if self.chance(0.02):  # a wrong credential on the note
            credential = rng.choice(["RN", "LPN", "HHA", "PTA"])
        fields: dict[str, Any] = {
            "credential": credential,
            "rendering_id": f"{credential}-{rng.randrange(3)}",
            "license_number": None if self.chance(0.01) else f"L{self.count:07d}",
            "license_expires": day - dt.timedelta(days=3) if self.chance(0.01) else None,
            "orders_on_file": not self.chance(0.01),
            "plan_of_care_on_file": True,
            "notes_on_file": True,
            "id": f"s{self.count}",
        }
        fields.update(kwargs)
        stop = (start + minutes) % (24 * 60)
        return Service(
            code,
            day,
            start=dt.time(start // 60, start % 60),
            stop=dt.time(stop // 60, stop % 60),
            full_day=minutes == 24 * 60,
            **fields,
        )

    def line(self, service: Service, payer: Payer, **kwargs: Any) -> ClaimLine:
        built = ClaimLine.from_service(service, payer=payer, **kwargs)
        if "charge" not in kwargs:  # the agency's charge for the units billed
            built = attrs.evolve(built, charge=charge_for(built.code, built.units))
        if self.chance(0.02):  # units off by one
            return ClaimLine(
                built.code,
                built.date,
                built.units + 1,
                built.revenue_code,
                built.modifiers,
                built.charge,
                built.service_ids,
                built.prior_auth,
            )
        return built

    def month(self) -> tuple[dt.date, dt.date]:
        year = self.rng.choice([2022, 2023, 2024, 2025])
        month = self.rng.randrange(1, 13)
        start = dt.date(year, month, 1)
        return start, start + dt.timedelta(days=27)

    def days(self, start: dt.date, n: int) -> list[dt.date]:
        return sorted(start + dt.timedelta(days=self.rng.randrange(28)) for _ in range(n))

    def medicare_hh(self) -> Claim:
        start, through = self.month()
        services, lines = [], []
        for i, day in enumerate(self.days(start, LINES_PER_CLAIM - 1)):
            code, cred = self.rng.choice(HH_VISITS)
            if self.chance(0.01):
                code, cred = "S9124", "LPN"  # private-duty code sent to Medicare
            begin = 8 * 60 + 75 * i % 600 if not self.chance(0.01) else 9 * 60
            minutes = self.rng.randrange(25, 70)
            if code == "S9124":  # an hourly code: at least an hour, or it bills no unit
                minutes += 60
            s = self.service(code, day, begin, minutes, cred)
            services.append(s)
            lines.append(self.line(s, MEDICARE))
        first = lines[0]
        if not self.chance(0.03):
            lines.append(ClaimLine("Q5001", first.date, 1, first.revenue_code, charge="0.01"))
        if self.chance(0.01):  # a visit dated past the period
            lines[1] = ClaimLine(
                lines[1].code,
                through + dt.timedelta(days=3),
                lines[1].units,
                lines[1].revenue_code,
                charge=lines[1].charge,
                service_ids=lines[1].service_ids,
            )
        # The PDGM header of a first 30-day period: HIPPS line, OASIS date, CBSA and FIPS.
        lines.insert(0, ClaimLine("1FC21", first.date, 1, "0023", charge="0"))
        return Claim(
            MEDICARE,
            start,
            through,
            lines=lines,
            services=services,
            type_of_bill="0329",
            admission_date=start,
            occurrence_codes=[Occurrence("50", start)],
            value_codes=[ValueCode("61", "16974"), ValueCode("85", "17031")],
        )

    def medicare_therapy(self) -> Claim:
        start, through = self.month()
        ytd = Decimal(self.rng.choice([0, 0, 0, 1500, 2200, 3000]))
        running = {"GP": ytd, "GO": ytd}
        threshold = KX[start.year][0]
        services, lines = [], []
        for day in self.days(start, LINES_PER_CLAIM):
            code, cred, mod, rev = self.rng.choice(EVALUATIONS)
            charge = Decimal(self.rng.randrange(90, 160))
            running[mod] += charge
            mods = [mod, "KX"] if running[mod] > threshold else [mod]
            if self.chance(0.02):  # a slip: the other discipline's modifier, or KX forgotten
                mods = ["GO" if mod == "GP" else "GP"] if self.chance(0.5) else mods[:1]
            s = self.service(code, day, 10 * 60, 45, cred)
            services.append(s)
            lines.append(self.line(s, MEDICARE, modifiers=mods, revenue_code=rev, charge=charge))
        return Claim(
            MEDICARE,
            start,
            through,
            lines=lines,
            services=services,
            type_of_bill="0341",
            therapy_ytd_pt_slp=ytd,
            therapy_ytd_ot=ytd,
        )

    def private_duty(self, payer: Payer, choices: list[tuple[str, str]], auth: bool) -> Claim:
        start, through = self.month()
        services, lines = [], []
        for i, day in enumerate(self.days(start, LINES_PER_CLAIM)):
            code, cred = self.rng.choice(choices)
            unit = default_catalog().lookup(code).unit
            if unit is BillingUnit.DAY:
                minutes = self.rng.choice([480, 480, 720, 24 * 60])
            elif unit is BillingUnit.HOUR:
                minutes = self.rng.choice([120, 240, 480, 480, 500, 720])
            else:
                minutes = self.rng.randrange(20, 240)
            if unit is BillingUnit.DAY and minutes == 24 * 60:
                begin = 7 * 60
            else:
                begin = (
                    (6 * 60 + 13 * i) % (16 * 60 - minutes % (16 * 60)) if minutes < 16 * 60 else 0
                )
            purpose = "catheter" if payer is BCBS and self.chance(0.03) else None
            pa = "PA1" if auth and not self.chance(0.02) else None
            s = self.service(
                code,
                day,
                begin,
                minutes,
                cred,
                prior_auth=pa,
                purpose=purpose,
                rendering_id=f"{cred}-{i}",
            )
            services.append(s)
            mods = []
            if code == "T1000" and payer is TMHP and not self.chance(0.05):
                mods = ["TD" if cred == "RN" else "TE"]
            lines.append(self.line(s, payer, modifiers=mods))
        auths = []
        if auth:
            codes = {ln.code for ln in lines}
            limit = 40 if self.chance(0.05) else 4000  # now and then an authorization runs out
            auths.append(Authorization("PA1", payer.id, codes, limit, "units", start, through))
        return Claim(payer, start, through, lines=lines, services=services, authorizations=auths)

    def timed_therapy(self) -> Claim:
        """Medicare outpatient therapy (0341) with two or three timed 15-minute codes on
        each of four days, billed by CMS's total-time method (Pub. 100-04 ch. 5 §20.2)."""
        start, through = self.month()
        services: list[Service] = []
        lines: list[ClaimLine] = []
        for day in sorted(set(self.days(start, 4))):
            chosen = self.rng.sample(TIMED_CODES, self.rng.choice([2, 3]))
            minutes = {code: self.rng.randrange(5, 40) for code in chosen}
            billed = units.total_time_units(minutes, policy=MEDICARE.unit_policy)
            begin = 9 * 60
            for code in chosen:
                s = self.service(code, day, begin, minutes[code], "PT")
                begin += minutes[code]
                services.append(s)
                n = billed[code] + (1 if self.chance(0.03) else 0)
                if n == 0:
                    continue  # a code whose minutes went to another bills no line
                lines.append(
                    ClaimLine(code, day, n, "0420", ["GP"], Decimal(40 * n), service_ids=[s.id])
                )
        return Claim(
            MEDICARE,
            start,
            through,
            lines=lines,
            services=services,
            type_of_bill="0341",
            therapy_ytd_pt_slp=Decimal(0),
            therapy_ytd_ot=Decimal(0),
        )

    def claim(self) -> Claim:
        r = self.rng.random()
        if r < 0.45:
            return self.medicare_hh()
        if r < 0.60:
            return self.medicare_therapy()
        if r < 0.80:
            return self.private_duty(TMHP, TMHP_CODES, auth=True)
        if r < 0.92:
            return self.private_duty(BCBS, BCBS_CODES, auth=True)
        return self.private_duty(DOL, DOL_CODES, auth=False)


def make_claims(n: int, *, mistakes: float = 1.0, kind: str = "mixed") -> list[Claim]:
    """``n`` claims: the ``mixed`` agency workload, or ``timed-therapy`` claims; with
    ``mistakes`` times the usual rate of slips (8: about 4 findings a claim)."""
    maker = Maker(random.Random(SEED), mistakes)
    make = maker.timed_therapy if kind == "timed-therapy" else maker.claim
    return [make() for _ in range(n)]


# --- the hand-written checker --------------------------------------------------------

CODES: dict[str, Code] = {c.code: c for c in default_catalog().codes()}
# The vocabularies (revenue-code families, modifiers by discipline) are data the
# rules share; the hand-written checker takes them from the library too.
HH_FAMILIES = _common.HH_VISIT_FAMILIES
THERAPY_MOD = _common.THERAPY_MODIFIER
THERAPY_REV = _common.THERAPY_REVENUE
ASSISTANT = _common.ASSISTANT_MODIFIER
SITE_CODES = _common.SITE_OF_SERVICE_HH
LICENSED_CREDS = _common.LICENSED
HOME_LIKE = {Setting.HOME, Setting.ASSISTED_LIVING}
PURPOSES = {r["purpose"]: r["cpt"] for r in read_table("home_visit_purposes.tsv")}
KX = {
    int(r["year"]): (Decimal(r["pt_slp"]), Decimal(r["ot"]))
    for r in read_table("kx_thresholds.tsv")
}
CQ_FROM = dt.date(2020, 1, 1)
SITE_FROM = dt.date(2013, 7, 1)
TIMED = {
    BillingUnit.FIFTEEN_MINUTES,
    BillingUnit.UP_TO_FIFTEEN_MINUTES,
    BillingUnit.HOUR,
    BillingUnit.MINUTE,
    BillingUnit.SESSION,
}


def hh_visit(code: Code) -> bool:
    return (
        code.code.startswith("G")
        and code.unit is BillingUnit.FIFTEEN_MINUTES
        and bool(code.revenue_codes)
        and all(r[:3] in HH_FAMILIES for r in code.revenue_codes)
    )


HH_VISIT = {c for c, code in CODES.items() if hh_visit(code)}
HH_ONLY = {c for c in HH_VISIT if Setting.HOSPICE not in CODES[c].settings}
FEE_SCHEDULE = {
    c
    for c, code in CODES.items()
    if code.code_set is CodeSet.CPT and code.discipline in THERAPY_MOD
}


def _minutes(svcs: list[Service]) -> int | None:
    if not svcs or any(s.minutes is None for s in svcs):
        return None
    return sum(s.minutes for s in svcs)


def _therapy_modifier(code: Code | None, revenue_code: str | None) -> str | None:
    if code is not None and code.discipline in THERAPY_MOD:
        return THERAPY_MOD[code.discipline]
    return THERAPY_REV.get((revenue_code or "")[:3])


#: The two lookup caches a careful hand-written checker keeps: units by (code,
#: minutes, unit policy) and revenue-code fit by (code, revenue code).
UNITS_CACHE: dict[tuple[str, int, Any], Any] = {}
REVENUE_CACHE: dict[tuple[str, str], bool] = {}


def hand_check(claim: Claim) -> list[tuple[int | None, str]]:
    """The default rules, written out by hand as a careful programmer would (ordinary
    loops, two lookup caches): ``(line index, rule id)`` per finding."""
    payer, lines, tob = claim.payer, claim.lines, claim.type_of_bill
    bc = claim.bill_class
    policy = payer.unit_policy
    medicare = payer.kind is PayerKind.MEDICARE
    by_id = {s.id: s for s in claim.services}
    line_svcs = []
    for ln in lines:
        ids = ln.service_ids
        if len(ids) == 1:
            one = by_id.get(ids[0])
            line_svcs.append([] if one is None else [one])
        else:
            line_svcs.append([by_id[x] for x in ids if x in by_id])
    out: list[tuple[int | None, str]] = []

    # claim-wide facts, computed once
    day_pool: dict[dt.date, dict[str, int]] = {}
    if bc == "34" and policy.method is units.TimedMethod.TOTAL_TIME:
        for ln, svcs in zip(lines, line_svcs, strict=True):
            c = CODES.get(ln.code)
            m = _minutes(svcs)
            if (c is None or c.unit is BillingUnit.FIFTEEN_MINUTES) and m is not None:
                day = day_pool.setdefault(ln.date, {})
                day[ln.code] = day.get(ln.code, 0) + m
    duplicates: set[int] = set()
    first: dict[tuple[Any, ...], int] = {}
    for i, ln in enumerate(lines):
        ids = ln.service_ids
        if len(ids) <= 1:
            key = (ln.code, ln.modifiers, ln.date, ids[0] if ids else None)
            if key in first:
                duplicates.add(i)
            else:
                first[key] = i
            continue
        for k in [(ln.code, ln.modifiers, ln.date, x) for x in ids]:
            if k in first:
                duplicates.add(i)
            else:
                first[k] = i
    overlapping: set[str] = set()
    by_person: dict[str, list[tuple[dt.datetime, dt.datetime, str]]] = defaultdict(list)
    for s in claim.services:
        person = s.rendering_id or s.rendering_npi
        if not person or s.start is None:
            continue
        span = s.interval()
        if span is not None and span[1] > span[0]:
            by_person[person].append((span[0], span[1], s.id))
    for spans in by_person.values():
        spans.sort()
        end, end_id = spans[0][1], spans[0][2]
        for b0, b1, bid in spans[1:]:
            if b0 < end:
                overlapping.update((bid, end_id))
            if b1 > end:
                end, end_id = b1, bid
    auth_problems: set[int] = set()
    if claim.authorizations:
        # The rule as the library states it (hcpcs_home.limits.authorization_usage): each
        # line converted into the authorization's measure through its code's unit, then
        # the total and any per-day, per-week and per-month caps.
        auths = {a.number: a for a in claim.authorizations}
        used: dict[str, Any] = {}
        caps: dict[tuple[Any, ...], Any] = defaultdict(int)
        days_used: dict[str, set[dt.date]] = defaultdict(set)
        for i, (ln, svcs) in enumerate(zip(lines, line_svcs, strict=True)):
            numbers = {s.prior_auth for s in svcs if s.prior_auth}
            if ln.prior_auth:
                numbers.add(ln.prior_auth)
            if not numbers:
                continue
            c = CODES.get(ln.code)
            unit = policy.unit_of(c) if c is not None else BillingUnit.UNTIMED
            for n in numbers:
                a = auths.get(n)
                if a is None:
                    continue
                if ln.code not in a.codes or not a.start <= ln.date <= a.end:
                    auth_problems.add(i)
                amount = limits.line_amount(a, ln, unit, len(svcs))
                if amount is None:
                    auth_problems.add(i)
                    continue
                if a.basis.value == "days":
                    seen = days_used[n]
                    touched = {ln.date, *(d for s in svcs for d in s.days())}
                    amount = len(touched - seen)
                    seen.update(touched)
                used[n] = used.get(n, a.used) + amount
                if used[n] - a.used > a.remaining:
                    auth_problems.add(i)
                for limit, bucket in (
                    (a.per_day, ("d", n, ln.date)),
                    (a.per_week, ("w", n, payer.week_of(ln.date))),
                    (a.per_month, ("m", n, ln.date.year, ln.date.month)),
                ):
                    if limit is not None:
                        caps[bucket] += amount
                        if caps[bucket] > limit:
                            auth_problems.add(i)
    kx_running: dict[int, tuple[Decimal, str]] = {}
    if bc == "34" and payer.applies_kx_threshold:
        totals = {"GO": claim.therapy_ytd_ot, "PT": claim.therapy_ytd_pt_slp}
        for i, ln in enumerate(lines):
            mod = _therapy_modifier(CODES.get(ln.code), ln.revenue_code)
            if mod is not None:
                bucket = "GO" if mod == "GO" else "PT"
                totals[bucket] += ln.charge
                kx_running[i] = (totals[bucket], bucket)

    for i, (ln, svcs) in enumerate(zip(lines, line_svcs, strict=True)):
        code = CODES.get(ln.code)
        mods = ln.modifiers
        rev = ln.revenue_code
        family = rev[:3] if rev else None
        known = code is not None
        if not known and ln.qualifier == "HC":  # a HIPPS line is not a HCPCS code
            out.append((i, "unknown-code"))
        minutes = _minutes(svcs)
        timed = known and code.unit in TIMED
        expected: Any = None
        if known:
            assert code is not None
            if not code.is_effective(ln.date):
                out.append((i, "code-not-effective"))
            if not payer.accepts_code_family(ln.code) or (medicare and not code.medicare_accepts):
                out.append((i, "payer-code-not-accepted"))
            allowed_creds = payer.credentials_for(code)
            if svcs and allowed_creds:
                documented, wrong = True, False
                for s in svcs:
                    if s.credential is None:
                        documented = False
                    elif s.credential not in allowed_creds:
                        wrong = True
                if documented and wrong:
                    out.append((i, "credential-mismatch"))
            unit = code.unit
            if unit is BillingUnit.DAY:
                if svcs:
                    items: list[Any] = [
                        units.Span(*s.interval()) if s.interval() else s.date for s in svcs
                    ]
                    if policy.per_diem_shift_hours is None or all(
                        isinstance(x, units.Span) for x in items
                    ):
                        expected = units.per_diem_units(items, policy=policy)
            elif unit in (BillingUnit.VISIT, BillingUnit.UNTIMED):
                expected = max(1, len(svcs))
            elif minutes is not None:
                pool = day_pool.get(ln.date, {}) if unit is BillingUnit.FIFTEEN_MINUTES else {}
                if len(pool) > 1:
                    expected = units.total_time_units(pool, policy=policy)[ln.code]
                elif minutes <= units.MAX_LINE_MINUTES:
                    key = (ln.code, minutes, policy)
                    expected = UNITS_CACHE.get(key)
                    if expected is None:
                        expected = UNITS_CACHE[key] = units.billable_units(
                            code, minutes, policy=policy
                        )
        if payer.requires_prior_auth(ln.code) and not ln.prior_auth:
            recorded = False
            for s in svcs:
                if s.prior_auth:
                    recorded = True
                    break
            if not recorded:
                for a in claim.authorizations:
                    if ln.code in a.codes and a.covers_date(ln.date):
                        recorded = True
                        break
            if not recorded:
                out.append((i, "prior-auth-missing"))
        if timed and minutes is None:
            out.append((i, "time-not-documented"))
        if timed and minutes is not None and expected is not None:
            if expected <= 0:
                out.append((i, "below-minimum-time"))
            elif ln.units != expected:
                out.append((i, "units-mismatch"))
        if (
            known
            and bc in ("32", "81", "82")
            and code.unit is BillingUnit.FIFTEEN_MINUTES
            and minutes is not None
            and 1 <= minutes <= 7
        ):
            out.append((i, "short-visit-units"))
        if (
            known
            and code.unit is BillingUnit.DAY
            and ln.units > (1 if expected is None else expected)
        ):
            out.append((i, "per-diem-units"))
        if known and rev is not None:
            assert code is not None
            if ln.code in SITE_CODES:
                fits = family in HH_FAMILIES
            else:
                rkey = (ln.code, rev)
                fits_or_none = REVENUE_CACHE.get(rkey)
                if fits_or_none is None:
                    fits_or_none = REVENUE_CACHE[rkey] = code.accepts_revenue_code(rev)
                fits = fits_or_none
            if not fits:
                out.append((i, "revenue-code-mismatch"))
        if known and (
            (ln.code in HH_VISIT and bc == "34")
            or (ln.code in FEE_SCHEDULE and bc == "32")
            or (ln.code in HH_ONLY and bc in ("81", "82"))
            or (ln.code in ("G2168", "G2169") and tob == "0322")
        ):
            out.append((i, "bill-type-mismatch"))
        therapy = bc == "34" and (
            family in THERAPY_REV or (known and code.discipline in THERAPY_MOD)
        )
        if therapy:
            present = {m for m in mods if m in ("GN", "GO", "GP")}
            if not present and payer.requires_therapy_modifiers:
                out.append((i, "therapy-modifier-missing"))
            if present:
                wanted = {THERAPY_REV.get(family or "")}
                if known and code.discipline in THERAPY_MOD:
                    wanted.add(THERAPY_MOD[code.discipline])
                wanted.discard(None)
                if wanted and present != wanted:
                    out.append((i, "therapy-modifier-mismatch"))
            if payer.applies_kx_threshold:
                found = kx_running.get(i)
                passed = False
                if found is not None and ln.date.year in KX:
                    pt, ot = KX[ln.date.year]
                    passed = found[0] > (ot if found[1] == "GO" else pt)
                if passed != ("KX" in mods):
                    out.append((i, "kx-modifier"))
        if known and svcs and code.settings:
            settings = code.settings
            home = Setting.HOME in settings
            for s in svcs:
                if s.setting not in settings and not (home and s.setting in HOME_LIKE):
                    out.append((i, "setting-mismatch"))
                    break
        for s in svcs:
            if s.credential in LICENSED_CREDS and (
                not s.license_number
                or (s.license_expires is not None and s.license_expires < s.date)
            ):
                out.append((i, "credential-not-current"))
                break
        if svcs and (payer.requires_orders or payer.requires_plan_of_care):
            for s in svcs:
                if (payer.requires_orders and not s.orders_on_file) or (
                    payer.requires_plan_of_care and not s.plan_of_care_on_file
                ):
                    out.append((i, "documentation-missing"))
                    break
        if i in duplicates:
            out.append((i, "duplicate-line"))
        if ln.code in ("S9123", "S9124") and payer.requires_cpt_home_visit_codes:
            for s in svcs:
                if s.purpose and s.purpose.strip().lower() in PURPOSES:
                    out.append((i, "cpt-code-preferred"))
                    break
        if bc == "34" and payer.requires_assistant_modifiers and ln.date >= CQ_FROM:
            wanted_a = {ASSISTANT[s.credential] for s in svcs if s.credential in ASSISTANT}
            if wanted_a and not wanted_a <= set(mods):
                out.append((i, "assistant-modifier"))
        if ln.code in SITE_CODES and ln.units > 1:
            out.append((i, "site-of-service-units"))
        if not claim.statement_from <= ln.date <= claim.statement_through:
            out.append((i, "line-outside-period"))
        if ln.code in ("G0320", "G0321") and ln.units > max(1, len(svcs)):
            out.append((i, "telehealth-units"))
        if i in auth_problems:
            out.append((i, "authorization-exceeded"))
        if overlapping:
            for s in svcs:
                if s.id in overlapping:
                    out.append((i, "overlapping-visits"))
                    break
        if ln.code == "T1000" and payer.id == "tx-medicaid-cshcn":
            wanted_m = {
                "TD" if s.credential is Credential.RN else "TE"
                for s in svcs
                if s.credential in (Credential.RN, Credential.LPN)
            }
            ok = wanted_m <= set(mods) if wanted_m else bool({"TD", "TE"} & set(mods))
            if not ok:
                out.append((i, "credential-modifier-missing"))

    if bc == "32" and payer.requires_site_of_service and claim.statement_from >= SITE_FROM:
        visits = [
            ln
            for ln in lines
            if ln.revenue_code
            and ln.revenue_code[:3] in HH_FAMILIES
            and not ln.code.startswith("Q50")
        ]
        if visits:
            first = min(ln.date for ln in visits)
            if not any(ln.code in SITE_CODES and ln.date == first for ln in lines):
                out.append((None, "site-of-service-missing"))
    return out


# --- timing ----------------------------------------------------------------------------


#: The rules :func:`hand_check` writes out: the comparison is on the same rules.
HAND_RULE_IDS = (
    "unknown-code",
    "code-not-effective",
    "payer-code-not-accepted",
    "credential-mismatch",
    "prior-auth-missing",
    "setting-mismatch",
    "credential-not-current",
    "documentation-missing",
    "cpt-code-preferred",
    "credential-modifier-missing",
    "time-not-documented",
    "below-minimum-time",
    "units-mismatch",
    "short-visit-units",
    "per-diem-units",
    "telehealth-units",
    "bill-type-mismatch",
    "therapy-modifier-missing",
    "therapy-modifier-mismatch",
    "kx-modifier",
    "assistant-modifier",
    "revenue-code-mismatch",
    "duplicate-line",
    "site-of-service-missing",
    "site-of-service-units",
    "line-outside-period",
    "authorization-exceeded",
    "overlapping-visits",
)
HAND_RULES = DEFAULT_RULES.remove(*(r.id for r in DEFAULT_RULES if r.id not in HAND_RULE_IDS))


def engine_ids(claim: Claim) -> list[tuple[int | None, str]]:
    return [(f.line, f.rule_id) for f in check(claim, HAND_RULES)]


def _same(a: list[tuple[int | None, str]], b: list[tuple[int | None, str]]) -> bool:
    """The same findings, whatever order the rules of one line are listed in."""
    return sorted(a, key=repr) == sorted(b, key=repr)


def best_of(
    runs: dict[str, Callable[[], object]], *, collect: bool = True, settle: bool = False
) -> dict[str, float]:
    """The fastest of ``REPEATS`` runs of each, in CPU seconds of this process (so time
    spent waiting for a core on a busy machine is not counted), the runs interleaved
    so that what remains of the machine's noise slows both alike.

    ``settle`` collects garbage before each run, untimed: each run then starts from
    the same collector state and pays for the collections its own objects cause,
    not for a full collection that the runs before it made due (one costs ~0.15 s
    with thousands of rules loaded, and lands in whichever run crosses the
    threshold)."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(REPEATS):
        for name, run in runs.items():
            if settle:
                gc.collect()
            if not collect:  # as timeit does by default
                gc.disable()
            try:
                started = time.process_time()
                run()
                best[name] = min(best[name], time.process_time() - started)
            finally:
                gc.enable()
    return best


def compare(title: str, claims: list[Claim]) -> None:
    """Check that both checkers agree on ``claims``, then time them (and the default rules).

    Each run starts from a collected heap (``settle``): without it, a full collection
    made due by the run before (the default rules' findings for 3,000 claims) lands in
    whichever run crosses the threshold, and the findings-heavy ratio with the
    collector on swung 1.52x-1.68x with the heap, not the code (1.21x settled)."""
    n_lines = sum(len(c.lines) for c in claims)
    sample = claims[:SAMPLE]
    disagree = [(c, engine_ids(c), hand_check(c)) for c in sample]
    disagree = [d for d in disagree if not _same(d[1], d[2])]
    fired: dict[str, int] = defaultdict(int)
    for c in sample:
        for _, rid in hand_check(c):
            fired[rid] += 1
    every = sum(len(check(c).findings) for c in sample) / len(sample)
    print(
        f"\n{title}: {len(claims):,} claims, {n_lines:,} lines, "
        f"{sum(fired.values()) / len(sample):.1f} findings a claim of the {len(HAND_RULES)} "
        f"rules ({every:.1f} of all {len(DEFAULT_RULES)} default rules); agreement on "
        f"{len(sample):,} claims: {len(sample) - len(disagree):,} identical, "
        f"{len(disagree)} differ "
        f"({', '.join(f'{k} {v}' for k, v in sorted(fired.items(), key=lambda kv: -kv[1])[:8])})"
    )
    for c, mine, theirs in disagree[:5]:
        print(f"  {c.payer.id} {c.type_of_bill}: check() {mine} vs hand {theirs}")
    if disagree:
        raise SystemExit("the two checkers disagree: the timing would not be honest")

    same = f"check(claim), the {len(HAND_RULES)} same rules"
    everything = f"check(claim), all {len(DEFAULT_RULES)} default rules"
    runs = {
        same: lambda: [check(c, HAND_RULES) for c in claims],
        "hand_check(claim)": lambda: [hand_check(c) for c in claims],
        everything: lambda: [check(c) for c in claims],
    }
    for collect in (True, False):
        times = best_of(runs, collect=collect, settle=True)
        hand = times["hand_check(claim)"]
        print(f"  garbage collector {'on' if collect else 'off (as timeit runs)'}:")
        print(f"    {'checker':38} {'lines/s':>12} {'x hand':>8}")
        for name, seconds in times.items():
            # The default rules do more than the hand checker: no ratio to it.
            ratio = f"{seconds / hand:>8.2f}" if name != everything else "   (n/a)"
            print(f"    {name:38} {n_lines / seconds:>12,.0f} {ratio}")


def main(n_claims: int) -> None:
    print(
        f"{len(HAND_RULES)} rules written by hand of {len(DEFAULT_RULES)} default rules "
        f"(the ratio is quoted for those {len(HAND_RULES)} only), best of {REPEATS}, "
        f"Python {sys.version.split()[0]}, {os.cpu_count()} cores, "
        f"load average {os.getloadavg()[0]:.1f}"
    )
    compare("mixed agency claims", make_claims(n_claims))
    compare("findings-heavy claims (8x the slips)", make_claims(n_claims, mistakes=8))
    compare("timed-therapy claims (0341, total time)", make_claims(n_claims, kind="timed-therapy"))


if __name__ == "__main__":
    main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000)
