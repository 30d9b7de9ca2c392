"""An API app per test, on SQLite and on the real PostgreSQL, with real worker processes."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ava_backtest.api.app import create_app
from ava_backtest.settings import Settings


def make_client(db_url: str, **overrides: object) -> TestClient:
    settings = Settings(database_url=db_url, workers=overrides.pop("workers", 2), **overrides)
    return TestClient(create_app(settings))


@pytest.fixture(name="make_client")
def _make_client_fixture():
    return make_client


@pytest.fixture
def client(db_url) -> Iterator[TestClient]:
    with make_client(db_url) as c:
        yield c


@pytest.fixture
def sqlite_client(sqlite_url) -> Iterator[TestClient]:
    with make_client(sqlite_url) as c:
        yield c
