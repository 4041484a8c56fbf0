"""What pricing costs next to checking: :func:`hcpcs_home.price` against :func:`hcpcs_home.check`.

Run with ``python benchmarks/bench_price.py [CLAIMS]`` (10,000 claims by
default).  The claims are built deterministically from ``random.Random(SEED)``:
Medicare home-health 30-day periods (full periods, LUPAs, late NOAs, outliers,
partial periods), Medicare hospice months (routine days across day 60,
continuous-home-care days, deaths with SIA visits) and Texas Medicaid personal
care claims priced from a fee schedule, in equal thirds.

Both run over the same claims in this process, interleaved, best of
``REPEATS`` in CPU seconds: ``check(claim)`` with the default rules, and
``price(claim, ...)`` with the tables loaded once (a CY 2025 case-mix table, a
wage index, a fee schedule).  The target (issue #23) is pricing at most 1.5x
checking; the script exits 1 above it.  Before timing it asserts that every
claim is priced, so the timing is of real payments, not of "not priced".
"""

from __future__ import annotations

import datetime as dt
import gc
import os
import random
import sys
import tempfile
import time
from collections.abc import Callable
from decimal import Decimal
from pathlib import Path

from hcpcs_home import Claim, ClaimLine, ValueCode, check, payers, price
from hcpcs_home.claims import Occurrence
from hcpcs_home.payment import CaseMix, load_fee_schedule

SEED = 20261207
REPEATS = 3
TARGET = 1.5
DAY = dt.timedelta(days=1)
CASE_MIX = CaseMix(
    {"1FC11": "1.0912", "2CC31": "1.9321", "1AA11": "0.9000"},
    {"1FC11": 4, "2CC31": 4, "1AA11": 3},
    year=2025,
    source="bench",
)
FEES = (
    "payer,code,modifiers,unit,rate,effective_from,effective_through,source\n"
    "medicaid,T1019,,15 minutes,5.12,2024-01-01,,benchmark rate\n"
    "medicaid,T1019,U1,15 minutes,5.50,2024-01-01,,benchmark rate\n"
    "medicaid,S5125,,15 minutes,4.80,2024-01-01,,benchmark rate\n"
)
CHARLOTTE = ValueCode("61", "16740")


def home_health(rng: random.Random, n: int) -> Claim:
    start = dt.date(2025, 1, 1) + rng.randrange(300) * DAY
    visits = rng.choice([2, 3, 6, 9, 12, 14])
    partial = rng.random() < 0.1
    # an outlier of a partial period is not priced (its threshold's proration is not
    # confirmed), so the long visits go to full periods only
    units = 16 if not partial and rng.random() < 0.1 else 4
    visits = min(visits, 6) if partial else visits
    lines = [ClaimLine(rng.choice(sorted(CASE_MIX.weights)), start, 1, revenue_code="0023")]
    for v in range(visits):
        code, rev = rng.choice([("G0299", "0551"), ("G0151", "0421"), ("G0156", "0571")])
        lines.append(ClaimLine(code, start + (v * 2) * DAY, units, revenue_code=rev))
    through = start + (29 if not partial else visits * 2) * DAY
    return Claim(
        "medicare",
        start,
        through,
        type_of_bill="0329",
        id=f"HH-{n}",
        admission_date=start,
        notice_accepted=start + rng.choice([1, 2, 4, 7, 12]) * DAY,
        patient_status="06" if partial else "01",
        value_codes=[CHARLOTTE],
        lines=lines,
    )


def hospice(rng: random.Random, n: int) -> Claim:
    start = dt.date(2025, 3, 1)
    lines = [ClaimLine("Q5001", start, 20, revenue_code="0651")]
    lines.append(ClaimLine("Q5001", start + 20 * DAY, rng.choice([28, 40]), revenue_code="0652"))
    lines.append(ClaimLine("Q5001", start + 21 * DAY, 5, revenue_code="0651"))
    died = rng.random() < 0.3
    if died:
        lines.append(ClaimLine("G0299", start + 24 * DAY, 6, revenue_code="0551"))
    return Claim(
        "medicare",
        start,
        start + 25 * DAY,
        type_of_bill="0813",
        id=f"HOS-{n}",
        admission_date=start - rng.randrange(120) * DAY,
        patient_status="40" if died else "30",
        occurrence_codes=[Occurrence("55", start + 25 * DAY)] if died else [],
        value_codes=[CHARLOTTE],
        lines=lines,
    )


def medicaid(rng: random.Random, n: int) -> Claim:
    start = dt.date(2025, 4, 1)
    lines = [
        ClaimLine(
            rng.choice(["T1019", "S5125"]),
            start + d * DAY,
            rng.randrange(4, 33),
            modifiers=["U1"] if rng.random() < 0.3 else [],
        )
        for d in range(rng.randrange(3, 12))
    ]
    return Claim(payers.TEXAS_MEDICAID, start, start + 14 * DAY, id=f"MCD-{n}", lines=lines)


def make_claims(n: int) -> list[Claim]:
    rng = random.Random(SEED)
    makers = (home_health, hospice, medicaid)
    return [makers[i % 3](rng, i) for i in range(n)]


def best_of(runs: dict[str, Callable[[], object]]) -> dict[str, float]:
    """The fastest of ``REPEATS`` interleaved runs of each, in CPU seconds of this process."""
    best = dict.fromkeys(runs, float("inf"))
    for _ in range(REPEATS):
        for name, run in runs.items():
            gc.collect()
            started = time.process_time()
            run()
            best[name] = min(best[name], time.process_time() - started)
    return best


def main(n_claims: int) -> int:
    claims = make_claims(n_claims)
    folder = Path(tempfile.mkdtemp())
    (folder / "fees.csv").write_text(FEES)
    options = {
        "case_mix": CASE_MIX,
        "wage_index": Decimal("0.9368"),
        "fee_schedule": load_fee_schedule(folder / "fees.csv"),
    }
    unpriced = [(c.id, p.reason) for c in claims if not (p := price(c, **options)).priced]
    if unpriced:
        print(f"not priced: {unpriced[:5]}")
        return 2
    times = best_of(
        {
            "check(claim)": lambda: [check(c) for c in claims],
            "price(claim, ...)": lambda: [price(c, **options) for c in claims],
        }
    )
    ratio = times["price(claim, ...)"] / times["check(claim)"]
    print(
        f"{len(claims):,} claims ({sum(len(c.lines) for c in claims):,} lines), best of "
        f"{REPEATS}, Python {sys.version.split()[0]}, {os.cpu_count()} cores, load average "
        f"{os.getloadavg()[0]:.1f}"
    )
    for name, seconds in times.items():
        print(f"  {name:20} {seconds:8.3f} s  {len(claims) / seconds:>10,.0f} claims/s")
    print(f"  price / check: {ratio:.2f}x (target at most {TARGET}x)")
    return 0 if ratio <= TARGET else 1


if __name__ == "__main__":
    sys.exit(main(int(sys.argv[1]) if len(sys.argv) > 1 else 10_000))
