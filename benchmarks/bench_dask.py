"""Check 1,000,000 timesheet rows in one process and on a local Dask cluster.

Run from the repository root (needs ``hcpcs_home[pandas,dask]``)::

    python benchmarks/bench_dask.py                 # 1,000,000 rows, 2 workers
    python benchmarks/bench_dask.py --rows 100000 --workers 4

Prints rows per second for :func:`hcpcs_home.dataframes.check_frame` on the
whole frame and for :func:`hcpcs_home.dask.check_dask_frame` on a
``LocalCluster`` of worker processes (one thread each), their ratio, and
whether the two gave the same findings.  Cluster start-up is not timed; the
shuffle that keeps each claim in one partition is.
"""

from __future__ import annotations

import argparse
import time

import dask.dataframe as dd
from distributed import Client, LocalCluster

from hcpcs_home import dask as hdask
from hcpcs_home import dataframes as hd


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--partitions", type=int, default=0, help="default: 4 per worker")
    parser.add_argument("--seed", type=int, default=0)
    args = parser.parse_args()

    frame = hd.synthetic_timesheet(args.rows, seed=args.seed)
    print(f"{len(frame):,} rows, {frame.claim_id.nunique():,} claims")

    begin = time.perf_counter()
    single = hd.check_frame(frame)
    single_s = time.perf_counter() - begin
    print(f"single process: {single_s:8.1f} s  {len(frame) / single_s:10,.0f} rows/s")

    partitions = args.partitions or 4 * args.workers
    with (
        LocalCluster(
            n_workers=args.workers, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster),
    ):
        lazy = hdask.check_dask_frame(dd.from_pandas(frame, npartitions=partitions))
        begin = time.perf_counter()
        result = lazy.compute()
        dask_s = time.perf_counter() - begin
    print(
        f"dask ({args.workers} workers, {partitions} partitions): {dask_s:8.1f} s  "
        f"{len(frame) / dask_s:10,.0f} rows/s"
    )
    print(f"speed-up: {single_s / dask_s:.2f}x")

    def key(f: object) -> object:
        return f.astype(str).sort_values(list(f.columns)).reset_index(drop=True)  # type: ignore[attr-defined]

    print(f"same findings: {key(single).equals(key(result))} ({len(single):,} findings)")  # type: ignore[attr-defined]


if __name__ == "__main__":
    main()
