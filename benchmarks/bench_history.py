"""What checking across claims costs: ``check_many(batch=True)`` as the batch grows, and
a check against a ``SqliteHistory`` of 100,000 claims against a check without one.

Run from the repository root::

    python benchmarks/bench_history.py                  # 1,000 / 8,000; 100,000 stored
    python benchmarks/bench_history.py --stored 20000   # a smaller store

Two measurements, each best of ``REPEATS`` in CPU seconds of this process, the runs
interleaved so the machine's noise slows both sides alike:

* per line, ``check_many(batch=True)`` at 1,000 and at 8,000 claims; the ratio of
  the two per-line costs should stay near 1 (the batch is linear).  Three workloads:

  - *mixed agency*, the first 1,000 and the first 8,000 claims of
    :func:`bench_check.make_claims`.  Not like for like: every authorized claim
    there names authorization ``PA1`` and its workers come from pools of three per
    credential, with no member ids, so a batch of 8,000 shares one authorization total
    and a few workers across eight times as many claims, and its cross-claim findings
    per line grow with it (``authorization-exceeded`` and ``worker-overlap``: about
    0.9 findings a line at 1,000 and 1.4 at 8,000).  Those findings are real for that
    batch; their cost is not the batch's growth.  Printed for reference, not the
    target.
  - *mixed agencies*, the like-for-like form of it: 1,000 claims of the same maker,
    against eight such agencies of 1,000 (:func:`agencies`: each copy's authorization
    numbers, workers and service ids relabelled, so no two agencies share one).  The
    findings per line are the same at both sizes, so the ratio is the batch's own
    growth.  The target (at most 1.3).
  - *member weeks*, members' weekly claims (:func:`member_week`), whose findings per
    line do not grow either.  The target too.

  Each ratio is also printed as measured without the cyclic garbage collector (as
  ``timeit`` measures): with it off the per-line cost does not grow (about 1.0), so
  what growth remains with it on is the collector's full passes, which come once the
  objects carried into its oldest generation since the last pass reach a quarter of
  those it holds: a run of 1,000 claims carries too few to set one off, a run of 8,000
  sets some off.  What a batch carries there per claim (its group results, and what
  is alive while a group is worked out) is what the library keeps small: about 8
  objects a claim on "mixed agencies" (about 28 before the batch's worker index and
  ``evv.worker_overlaps``' records became plain tuples, which the collector stops
  tracking).
* per claim, checking new claims against a :class:`~hcpcs_home.history.SqliteHistory`
  of ``--stored`` claims (members of a personal-care agency, each with weeks of
  claims under an authorization, workers shared across members) against checking
  the same claims without a history.  Each new claim's authorization total sums the
  member's earlier weeks: the store answers from its usage rows (schema version 6: a
  row per run of a claim's lines that differ only in their day, kept by authorization
  number, each authorization's counted part kept short), one query that reads no
  claim's row, without decoding those claims; the checks' caches (decoded claims,
  decoded authorizations) are emptied before each run.  The store is the one built
  here, every member's five weeks of the same three visits: its usage rows merge
  three lines into one, as a member's week of the same visit does in a real store.
"""

from __future__ import annotations

import argparse
import datetime as dt
import os
import sys
import tempfile
import time
from collections.abc import Callable

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))

from bench_check import best_of, make_claims

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, check_many, payers
from hcpcs_home.history import SqliteHistory

ND = payers.NORTH_DAKOTA_MEDICAID
WEEKS = 5
FIRST = dt.date(2024, 1, 1)


def member_week(member: int, week: int) -> Claim:
    """Week ``week`` of personal care (T1019, three 2-hour visits) for member ``member``."""
    auth = Authorization(
        f"PA-{member}",
        "nd-medicaid",
        ["T1019"],
        2000,
        "hours",
        "2024-01-01",
        "2024-12-31",
        per_week=40,
    )
    monday = FIRST + dt.timedelta(weeks=week)
    services = [
        Service.from_times(
            "T1019",
            monday + dt.timedelta(days=d),
            "08:00",
            "10:00",
            credential="PCA",
            rendering_id=f"W{(member + d) % 2000}",
            prior_auth=auth.number,
        )
        for d in (0, 2, 4)
    ]
    lines = [ClaimLine.from_service(s, payer=ND) for s in services]
    return Claim(
        ND,
        monday,
        monday + dt.timedelta(days=6),
        id=f"M{member}-W{week}",
        patient_id=f"M{member}",
        authorizations=[auth],
        lines=lines,
        services=services,
    )


def relabel(claim: Claim, k: int) -> Claim:
    """``claim`` of agency ``k``: its authorization numbers, workers and service ids
    suffixed with ``k``, so claims of two agencies share none."""
    import attrs

    def tag(value: str | None) -> str | None:
        return None if value is None else f"{value}~{k}"

    services = [
        attrs.evolve(
            s,
            id=tag(s.id),
            rendering_id=tag(s.rendering_id),
            prior_auth=tag(s.prior_auth),
        )
        for s in claim.services
    ]
    lines = [
        attrs.evolve(
            line,
            service_ids=[tag(x) for x in line.service_ids],
            prior_auth=tag(line.prior_auth),
        )
        for line in claim.lines
    ]
    auths = [attrs.evolve(a, number=tag(a.number)) for a in claim.authorizations]
    return attrs.evolve(
        claim,
        id=tag(claim.id),
        patient_id=tag(claim.patient_id),
        services=services,
        lines=lines,
        authorizations=auths,
    )


def agencies(count: int, size: int) -> list[Claim]:
    """``count`` agencies of ``size`` claims of :func:`bench_check.make_claims`, each
    relabelled (:func:`relabel`): the mixed agency, ``count`` times, sharing nothing."""
    one = make_claims(size)
    return [relabel(c, k) for k in range(count) for c in one]


def per_line(claims: list[Claim]) -> Callable[[], object]:
    return lambda: sum(1 for _ in check_many(claims, batch=True))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--small", type=int, default=1_000)
    parser.add_argument("--large", type=int, default=8_000)
    parser.add_argument("--stored", type=int, default=100_000)
    parser.add_argument("--checks", type=int, default=1_000)
    args = parser.parse_args()
    print(f"load average: {' '.join(f'{x:.1f}' for x in os.getloadavg())}")

    # Two batches: the mixed agency of bench_check.py, whose fixed pools of workers and
    # authorizations give more cross-claim findings per line as the batch grows, and
    # members' weekly claims, whose findings per line do not grow (the fair test of
    # linearity: the same work per line at both sizes).
    import random

    weekly = [member_week(m, w) for w in range(4) for m in range(args.large // 4)]
    random.Random(19).shuffle(weekly)
    workloads = (
        ("mixed agency (not like for like)", make_claims(args.large)),
        ("mixed agencies", agencies(args.large // args.small, args.small)),
        ("member weeks", weekly),
    )
    for name, claims in workloads:
        small = claims[: args.small]
        lines_small = sum(len(c.lines) for c in small)
        lines_large = sum(len(c.lines) for c in claims)
        found_small = sum(len(r) for r in check_many(small, batch=True)) / lines_small
        found_large = sum(len(r) for r in check_many(claims, batch=True)) / lines_large
        best = best_of({"small": per_line(small), "large": per_line(claims)})
        us_small = best["small"] / lines_small * 1e6
        us_large = best["large"] / lines_large * 1e6
        # The same without the cyclic garbage collector (as timeit measures): what the
        # checks themselves cost, apart from the collector's passes over a larger heap.
        bare = best_of({"small": per_line(small), "large": per_line(claims)}, collect=False)
        bare_ratio = (bare["large"] / lines_large) / (bare["small"] / lines_small)
        print(
            f"check_many(batch=True), {name}: {us_small:.1f} us/line at {args.small:,} "
            f"claims, {us_large:.1f} us/line at {args.large:,} claims: ratio "
            f"{us_large / us_small:.2f} (at most 1.3; {bare_ratio:.2f} without the garbage "
            f"collector); findings per line {found_small:.2f} and {found_large:.2f}"
        )

    members = args.stored // WEEKS
    with tempfile.TemporaryDirectory() as folder:
        store = SqliteHistory(os.path.join(folder, "history.db"))
        started = time.perf_counter()
        chunk: list[Claim] = []
        for week in range(WEEKS):
            for member in range(members):
                chunk.append(member_week(member, week))
                if len(chunk) == 5_000:
                    store.add_many(chunk)
                    chunk = []
        store.add_many(chunk)
        print(f"stored {len(store):,} claims in {time.perf_counter() - started:.1f} s")
        step = max(1, members // args.checks)
        new = [member_week(m, WEEKS) for m in range(0, members, step)][: args.checks]
        store = SqliteHistory(store.path)  # a fresh connection: nothing decoded yet

        def alone() -> object:
            return [check(c) for c in new]

        def against() -> object:
            # Each run reads and decodes what it needs: no claim and no authorization of a
            # usage row kept from an earlier run.
            store._cache.clear()
            store._authorizations.clear()
            return [check(c, history=store) for c in new]

        found = sum(
            1 for c in new for f in check(c, history=store) if f.rule_id == "authorization-exceeded"
        )
        best = best_of({"alone": alone, "history": against})
        us_alone = best["alone"] / len(new) * 1e6
        us_history = best["history"] / len(new) * 1e6
        print(
            f"check: {us_alone:.0f} us/claim alone, {us_history:.0f} us/claim against a "
            f"SqliteHistory of {len(store):,} claims: ratio {us_history / us_alone:.2f} "
            f"(at most 3); {found} authorization findings from the history"
        )
        store.close()


if __name__ == "__main__":
    main()
