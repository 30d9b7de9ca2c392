"""A real two-worker Dask cluster (separate processes, one thread each), started once per test
session for the tests that ask for it: starting one costs a few seconds."""

from __future__ import annotations

from collections.abc import Iterator

import pytest


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[object]:
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2,
        processes=True,
        threads_per_worker=1,
        dashboard_address=None,
        memory_limit=0,
    )
    try:
        yield cluster
    finally:
        from ava_backtest.runs.cluster import close_clients

        close_clients()
        cluster.close()


@pytest.fixture
def dask_address(dask_cluster) -> str:
    return dask_cluster.scheduler_address
