"""Tests of :mod:`hcpcs_home.dask` on a local ``dask.distributed`` cluster (need dask)."""

from __future__ import annotations

import pickle
from collections.abc import Iterator
from typing import Any

import pytest

pd = pytest.importorskip("pandas")
dask = pytest.importorskip("dask")
dd = pytest.importorskip("dask.dataframe")
distributed = pytest.importorskip("distributed")

from hcpcs_home import dask as hdask  # noqa: E402
from hcpcs_home import dataframes as hd  # noqa: E402
from hcpcs_home.errors import InvalidClaimError, InvalidFieldError  # noqa: E402
from hcpcs_home.rules import DEFAULT_RULES  # noqa: E402


@pytest.fixture(scope="module")
def client() -> Iterator[Any]:
    """A local cluster of two worker processes, one thread each."""
    with (
        distributed.LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        distributed.Client(cluster) as client,
    ):
        yield client


def _sorted(frame: pd.DataFrame) -> pd.DataFrame:
    return frame.astype(str).sort_values(list(frame.columns)).reset_index(drop=True)


class TestSameAsSingleProcess:
    """The cluster's findings are the single-process run's."""

    @pytest.mark.parametrize("partitions", [1, 3, 7])
    def test_generated(self, client: Any, partitions: int) -> None:
        """On a synthetic month split any way, the findings are identical."""
        frame = hd.synthetic_timesheet(1500, seed=partitions)
        single = hd.check_frame(frame)
        distributed_ = hdask.check_dask_frame(dd.from_pandas(frame, npartitions=partitions))
        result = distributed_.compute()
        assert list(hd.FINDING_COLUMNS) == list(result.columns)
        assert _sorted(single).equals(_sorted(result))
        dtypes = [str(t) for t in single.dtypes]  # categories are each partition's own
        assert dtypes == [str(t) for t in result.dtypes] == [str(t) for t in distributed_.dtypes]
        assert not distributed_.rule_id.cat.known

    @pytest.mark.parametrize("partitions", [2, 5])
    @pytest.mark.parametrize(
        ("scheduler", "method"),
        [("sync", "disk"), ("threads", "disk"), ("sync", "tasks"), ("cluster", None)],
    )
    def test_claims_across_partition_boundaries(
        self, request: pytest.FixtureRequest, scheduler: str, method: str, partitions: int
    ) -> None:
        """Rows of one claim in several partitions, out of order: the findings are pandas'."""
        frame = hd.synthetic_timesheet(400, visits_per_claim=20, seed=partitions)
        mixed = frame.sample(frac=1, random_state=partitions)  # every claim spans partitions
        split = dd.from_pandas(mixed, npartitions=partitions, sort=False)
        parts = [split.get_partition(i).compute(scheduler="sync") for i in range(partitions)]
        assert set.intersection(*(set(part.claim_id) for part in parts))  # a claim in every one
        if scheduler == "cluster":
            found = hdask.check_dask_frame(split)
            result = request.getfixturevalue("client").compute(found).result()
        else:  # a local scheduler, with a shuffle it can run
            with dask.config.set({"dataframe.shuffle.method": method}):
                result = hdask.check_dask_frame(split).compute(scheduler=scheduler)
        single = hd.check_frame(mixed)
        assert single.line.notna().any()
        assert _sorted(single).equals(_sorted(result))

    def test_rows_without_claim_id(self, client: Any) -> None:
        """Rows with no claim id are reported one by one, as pandas reports them."""
        frame = hd.synthetic_timesheet(60, seed=3)
        frame.loc[[5, 17, 44], "claim_id"] = None
        result = hdask.check_dask_frame(dd.from_pandas(frame, npartitions=3)).compute()
        missing = result[(result.rule_id == hd.INVALID_ROW) & (result.field == "claim_id")]
        assert [5, 17, 44] == sorted(missing.row)
        assert _sorted(hd.check_frame(frame)).equals(_sorted(result))

    def test_reserved_columns(self) -> None:
        """A frame using the columns that carry row order is refused."""
        frame = hd.synthetic_timesheet(5).assign(__hcpcs_home_position__=0)
        with pytest.raises(InvalidFieldError):
            hdask.check_dask_frame(dd.from_pandas(frame, npartitions=2))

    def test_custom_rule_set(self, client: Any) -> None:
        """A smaller rule set reaches the workers and is the one applied."""
        rules = DEFAULT_RULES.remove("credential-not-current")
        frame = hd.synthetic_timesheet(300, seed=9)
        result = hdask.check_dask_frame(dd.from_pandas(frame, npartitions=3), rules).compute()
        assert "credential-not-current" not in set(result.rule_id)
        assert _sorted(hd.check_frame(frame, rules)).equals(_sorted(result))


class TestMeta:
    """The lazy frame's dtypes are those each partition's findings have."""

    @pytest.mark.parametrize(
        ("text", "index"), [("str", None), ("object", None), ("str", "labels")]
    )
    def test_meta_is_the_partitions_dtypes(self, text: str, index: str | None) -> None:
        """Compact findings for a frame of pandas' string dtype (``row`` Int64 over an
        index of ints, object over labels of text), object columns for object text."""
        frame = hd.synthetic_timesheet(300, bad_rows=0.05, seed=2).astype(object)
        frame = frame.astype({"claim_id": text, "code": text})
        if index:
            frame.index = [f"r{i}" for i in range(len(frame))]
        options = {
            "dataframe.convert-string": text != "object",
            "dataframe.shuffle.method": "tasks",
        }
        with dask.config.set(options):
            lazy = hdask.check_dask_frame(dd.from_pandas(frame, npartitions=3))
            result = lazy.compute(scheduler="sync")
        single = hd.check_frame(frame)
        expected = [str(t) for t in single.dtypes]
        assert expected == [str(t) for t in lazy.dtypes] == [str(t) for t in result.dtypes]
        assert ("category" if text == "str" else "object") == str(single.message.dtype)
        assert ("Int64" if text == "str" and not index else "object") == str(single.row.dtype)
        assert _sorted(single).equals(_sorted(result))


class TestArguments:
    """Bad arguments are refused by name before any work is sent."""

    def test_not_dask(self) -> None:
        """A pandas frame is refused."""
        with pytest.raises(InvalidFieldError):
            hdask.check_dask_frame(hd.synthetic_timesheet(5))

    def test_by_column(self) -> None:
        """``by`` must be a column."""
        with pytest.raises(InvalidFieldError):
            hdask.check_dask_frame(dd.from_pandas(hd.synthetic_timesheet(5), 1), by="patient_id")


class TestPickle:
    """Rules, rule sets, findings and errors cross process boundaries."""

    def test_rule_set_cloudpickle(self) -> None:
        """The rule set round-trips through cloudpickle, which Dask uses."""
        cloudpickle = pytest.importorskip("cloudpickle")
        assert DEFAULT_RULES == pickle.loads(cloudpickle.dumps(DEFAULT_RULES))

    def test_rule_set_pickle(self) -> None:
        """The rule set round-trips through plain pickle (multiprocessing, Spark)."""
        assert DEFAULT_RULES == pickle.loads(pickle.dumps(DEFAULT_RULES))

    def test_errors(self) -> None:
        """Claim-building errors with nested errors round-trip through pickle."""
        error = InvalidClaimError("bad", [InvalidFieldError("$.lines[0].units", -1, "bad")])
        again = pickle.loads(pickle.dumps(error))
        assert (str(error), type(error)) == (str(again), type(again))


def test_all() -> None:
    """``dir()`` shows exactly ``__all__``."""
    assert sorted(hdask.__all__) == sorted(dir(hdask))
