"""One fake vendor server per test module; each test gets the env pointing at it and its own AVA_HOME."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest

from ava_backtest.data.providers.http import FakeClock, HttpOptions
from tests.fakes.vendors import FakeVendors

US = ["AAPL", "MSFT", "NVDA", "BRK.B", "SPY", "TINY"]
IN = ["RELIANCE", "TCS", "INFY", "HDFCBANK"]


@pytest.fixture(scope="module")
def fake_server() -> Iterator[FakeVendors]:
    with FakeVendors(
        symbols={"US": US, "IN": IN},
        splits={"NVDA": [("2024-06-10", 10.0)], "TCS": [("2024-03-12", 2.0)]},
        dividends={
            "AAPL": [("2024-02-09", 0.24), ("2024-05-10", 0.25)],
            "TCS": [("2024-01-19", 27.0)],
        },
        illiquid=["TINY"],
        names={"AAPL": "Apple Inc.", "RELIANCE": "Reliance Industries Ltd"},
        alpaca_page_size=50,
        retry_after="7",
        today=dt.date(2024, 12, 31),
    ) as fake:
        yield fake


@pytest.fixture
def fake(fake_server: FakeVendors, monkeypatch: pytest.MonkeyPatch, tmp_path) -> FakeVendors:
    """The server with every vendor configured (tests narrow it with ``fake.apply``)."""
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    fake_server.apply(monkeypatch)
    fake_server.clear()
    fake_server._faults.clear()
    return fake_server


@pytest.fixture
def clock() -> FakeClock:
    return FakeClock()


@pytest.fixture
def opts(clock: FakeClock) -> HttpOptions:
    """Three retries, tiny back-off, Retry-After honoured up to 5 minutes, on a fake clock."""
    return HttpOptions(
        retries=3, backoff_base=0.01, backoff_max=0.05, retry_after_max=300.0, clock=clock
    )
