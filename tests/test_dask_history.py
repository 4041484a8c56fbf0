"""Checking against a claim history on Dask gives the in-process findings."""

from __future__ import annotations

import datetime as dt
import os
import random
from typing import Any

import pytest

pytest.importorskip("dask")

from hcpcs_home import Authorization, Claim, ClaimLine, Service, check, payers
from hcpcs_home import dask as hdask
from hcpcs_home.errors import InvalidFieldError
from hcpcs_home.history import MemoryHistory, claim_key

ND = payers.NORTH_DAKOTA_MEDICAID
#: 20,000 stored claims under the ci profile (what .ci/run selects), 4,000 otherwise.
STORED = 20_000 if os.environ.get("HYPOTHESIS_PROFILE") == "ci" else 4_000
WEEKS = 10


def week(rng: random.Random, member: int, n: int, workers: int) -> Claim:
    """Week ``n`` of personal care for a member: two to four visits of shared workers,
    under the member's authorization (150 hours, 40 a week)."""
    auth = Authorization(
        f"PA-{member}",
        "nd-medicaid",
        ["T1019"],
        150,
        "hours",
        "2024-01-01",
        "2024-12-31",
        per_week=40,
    )
    monday = dt.date(2024, 1, 1) + dt.timedelta(weeks=n)
    services = []
    for d in sorted(rng.sample(range(5), rng.randint(2, 4))):
        start = rng.choice(["08:00", "09:00", "13:00"])
        hours = rng.choice([2, 4, 8, 12])
        stop = f"{int(start[:2]) + hours:02d}:00" if int(start[:2]) + hours < 24 else "23:00"
        services.append(
            Service.from_times(
                "T1019",
                monday + dt.timedelta(days=d),
                start,
                stop,
                credential="PCA",
                rendering_id=f"W{rng.randrange(workers)}",
                prior_auth=auth.number,
            )
        )
    lines = [ClaimLine.from_service(s, payer=ND) for s in services]
    return Claim(
        ND,
        monday,
        monday + dt.timedelta(days=6),
        id=f"M{member}-{n}",
        patient_id=f"M{member}",
        authorizations=[auth],
        lines=lines,
        services=services,
    )


def generated(stored: int) -> tuple[list[Claim], list[Claim]]:
    """A history of ``stored`` claims and, for a tenth of the members, a new claim for a
    week already stored (overlaps, duplicates, authorization hours used twice)."""
    rng = random.Random(19)
    members = stored // WEEKS
    workers = max(10, members // 3)
    history = [week(rng, m, n, workers) for n in range(WEEKS) for m in range(members)]
    new = [week(rng, m, WEEKS - 1 - (m % 2), workers) for m in range(0, members, 10)]
    return history, new


def key(findings: Any) -> list[tuple[Any, ...]]:
    return sorted(
        (-1 if f.line is None else f.line, f.rule_id, f.message, f.suggestion, f.fix)
        for f in findings
    )


class TestSameAsInProcess:
    def test_generated_history(self) -> None:
        """Dask and in-process findings are identical on a generated history."""
        history, new = generated(STORED)
        store = MemoryHistory(history)
        expected = [key(check(c, history=store)) for c in new]
        result = dict(hdask.check_with_history(new, store, partitions=4).compute(scheduler="sync"))
        assert sorted(result) == list(range(len(new)))
        assert expected == [key(result[i]) for i in range(len(new))]
        found = {f[1] for k in expected for f in k}
        assert {"worker-overlap", "authorization-exceeded"} <= found  # the test can fail

    def test_history_as_claims_and_stays(self) -> None:
        """A list of claims is a history too; stays and certifications of a MemoryHistory
        travel to the partitions."""
        history, new = generated(400)
        store = MemoryHistory(history)
        store.add_stay("M0", "2024-03-01", "2024-03-10", "hospital")
        a = dict(hdask.check_with_history(new, store, partitions=3).compute(scheduler="sync"))
        b = dict(hdask.check_with_history(new, history, partitions=2).compute(scheduler="sync"))
        assert [key(a[i]) for i in sorted(a)] == [key(b[i]) for i in sorted(b)]

    def test_sqlite_store_is_asked_not_listed(
        self, tmp_path: Any, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        """Against a SqliteHistory of a file, each partition's task asks the store by its
        indexes: nothing lists its claims, and the findings are the in-process ones."""
        from hcpcs_home.history import SqliteHistory

        history, new = generated(2_000)
        store = SqliteHistory(tmp_path / "h.db")
        store.add_many(history)
        expected = [key(check(c, history=store)) for c in new]

        def listed(*args: Any) -> Any:
            raise AssertionError("the store was listed")

        monkeypatch.setattr(SqliteHistory, "keys", listed)
        monkeypatch.setattr(SqliteHistory, "__len__", listed)
        result = dict(hdask.check_with_history(new, store, partitions=3).compute(scheduler="sync"))
        assert expected == [key(result[i]) for i in range(len(new))]
        assert {"worker-overlap", "authorization-exceeded"} <= {f[1] for k in expected for f in k}

    def test_partition_holds_what_its_claims_name(self) -> None:
        """A partition's MemoryHistory holds the stored claims its claims' beneficiaries,
        authorizations and workers name, not the whole history."""
        history, new = generated(2_000)
        store = MemoryHistory(history)
        parts = hdask._partitions(new, 4)
        assert 4 == len(parts)
        for part in parts:
            held = hdask._related(store, part)
            members = {c.patient_id for _, c in part}
            assert len(held) < len(store)
            mine = [c for c in history if c.patient_id in members]
            assert all(held.get(claim_key(c)) == c for c in mine)

    def test_bad_partitions(self) -> None:
        """A partition count that is not a whole number of at least one is refused."""
        with pytest.raises(InvalidFieldError):
            hdask.check_with_history([], [], partitions=0)
