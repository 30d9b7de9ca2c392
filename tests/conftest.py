"""Shared fixtures: the real PostgreSQL and Redis of the development and CI machines.

Tests that need them skip with a reason when a server is absent, unless AVA_REQUIRE_SERVICES=1
(CI), where an absent server is a failure.
"""

from __future__ import annotations

import os
import socket
import tempfile
import uuid
from collections.abc import Iterator

import pytest

# Tests never read or write the developer's own data (./.ava or $AVA_HOME): uploads, earnings
# tables and the default database go to a fresh directory per test process.
os.environ["AVA_HOME"] = tempfile.mkdtemp(prefix="ava-test-home-")

PG_HOST, PG_PORT = "127.0.0.1", 5432
REDIS_HOST, REDIS_PORT = "127.0.0.1", 6379


def _reachable(host: str, port: int) -> bool:
    try:
        with socket.create_connection((host, port), timeout=1.0):
            return True
    except OSError:
        return False


def _need(service: str, host: str, port: int) -> None:
    if _reachable(host, port):
        return
    message = f"{service} is not reachable on {host}:{port}"
    if os.environ.get("AVA_REQUIRE_SERVICES") == "1":
        pytest.fail(f"{message} and AVA_REQUIRE_SERVICES=1")
    pytest.skip(f"{message} (set AVA_REQUIRE_SERVICES=1 to make this a failure)")


@pytest.fixture
def pg_url() -> Iterator[str]:
    """A fresh, empty PostgreSQL database for one test, dropped afterwards."""
    _need("PostgreSQL", PG_HOST, PG_PORT)
    import psycopg

    name = f"ava_test_{uuid.uuid4().hex[:12]}"
    admin = f"host={PG_HOST} port={PG_PORT} user=postgres dbname=postgres"
    with psycopg.connect(admin, autocommit=True) as conn:
        conn.execute(f'CREATE DATABASE "{name}"')
    try:
        yield f"postgresql+psycopg://postgres@{PG_HOST}:{PG_PORT}/{name}"
    finally:
        with psycopg.connect(admin, autocommit=True) as conn:
            conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')


@pytest.fixture
def sqlite_url(tmp_path) -> str:
    return f"sqlite:///{tmp_path / 'ava.db'}"


@pytest.fixture(params=["sqlite", "postgresql"])
def db_url(request) -> str:
    """Each test using it runs on SQLite and on the real PostgreSQL."""
    if request.param == "sqlite":
        return request.getfixturevalue("sqlite_url")
    return request.getfixturevalue("pg_url")


@pytest.fixture
def redis_url() -> str:
    """The real Redis, with a per-test key prefix advice: use uuid channel names."""
    _need("Redis", REDIS_HOST, REDIS_PORT)
    return f"redis://{REDIS_HOST}:{REDIS_PORT}/0"


@pytest.fixture(scope="session")
def dask_cluster() -> Iterator[object]:
    """A real two-worker Dask cluster (separate processes, one thread each), started once per
    test session for the tests that ask for it: starting one costs a few seconds."""
    from distributed import LocalCluster

    cluster = LocalCluster(
        n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None, memory_limit=0
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
