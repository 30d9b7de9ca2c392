"""Incremental sync: only missing sessions are fetched, a second run fetches nothing, a killed
sync resumes with exactly the rest, a bad download is rejected whole."""

from __future__ import annotations

import datetime as dt
import os
import signal
import subprocess
import sys
import textwrap
from pathlib import Path

import polars as pl
import pytest

from ava_backtest.data import market_store
from ava_backtest.data.sync import sync_symbols
from tests.data.market_fixtures import ListProvider

D = dt.date
ROOT = Path(__file__).resolve().parents[2]


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.delenv("AVA_REDIS_URL", raising=False)
    return tmp_path


def test_second_sync_fetches_nothing_and_a_wider_one_only_the_new_sessions():
    p = ListProvider()
    state = sync_symbols(
        "US", ["AAA", "BBB"], D(2023, 1, 1), D(2023, 6, 30), providers=[p], auxiliary=False
    )
    assert state.errors == [] and state.done == 2 and len(p.requests) == 2
    assert p.requests[0].start == D(2023, 1, 3)  # the first session, not the calendar date
    again = sync_symbols(
        "US", ["AAA", "BBB"], D(2023, 1, 1), D(2023, 6, 30), providers=[p], auxiliary=False
    )
    assert again.requests == 0 and again.skipped == 2 and len(p.requests) == 2
    wider = sync_symbols(
        "US", ["AAA"], D(2023, 1, 1), D(2023, 7, 31), providers=[p], auxiliary=False
    )
    assert wider.requests == 1
    assert (p.requests[-1].start, p.requests[-1].end) == (D(2023, 7, 3), D(2023, 7, 31))


def test_killed_after_n_symbols_the_rerun_fetches_only_the_rest():
    syms = [f"S{i}" for i in range(6)]
    p = ListProvider(fail_after=3)
    with pytest.raises(KeyboardInterrupt):
        sync_symbols("US", syms, D(2023, 1, 1), D(2023, 3, 31), providers=[p], auxiliary=False)
    done = {s.symbol for s in market_store.manifest("US", "1d")}
    assert done == {"S0", "S1", "S2"}
    fresh = ListProvider()
    state = sync_symbols(
        "US", syms, D(2023, 1, 1), D(2023, 3, 31), providers=[fresh], auxiliary=False
    )
    assert [r.symbol for r in fresh.requests] == ["S3", "S4", "S5"]
    assert state.skipped == 3 and state.errors == []


def test_a_real_process_killed_mid_sync_leaves_nothing_half_written(home):
    """A subprocess syncing slowly is SIGKILLed; whatever it left is whole, the rerun completes."""
    script = textwrap.dedent(
        f"""
        import datetime as dt, sys, time
        sys.path.insert(0, {str(ROOT)!r})
        from tests.data.market_fixtures import ListProvider
        from ava_backtest.data.sync import sync_symbols

        class Slow(ListProvider):
            def bars(self, request):
                print("fetch", request.symbol, flush=True)
                time.sleep(0.3)
                return super().bars(request)

        sync_symbols("US", [f"K{{i}}" for i in range(40)], dt.date(2022, 1, 1), dt.date(2023, 12, 31),
                     providers=[Slow()], auxiliary=False)
        """
    )
    env = {**os.environ, "AVA_HOME": str(home)}
    proc = subprocess.Popen(
        [sys.executable, "-c", script], env=env, stdout=subprocess.PIPE, text=True
    )
    assert proc.stdout is not None
    seen = 0
    for line in proc.stdout:
        seen += line.startswith("fetch")
        if seen >= 4:
            break
    os.kill(proc.pid, signal.SIGKILL)
    proc.wait()
    folder = home / "market-data" / "US" / "1d"
    stored = market_store.manifest("US", "1d")
    assert 1 <= len(stored) < 40
    for s in stored:  # every file that exists is a complete, readable download
        frame = pl.read_parquet(folder / f"{s.symbol}.parquet")
        assert frame.height == s.rows > 400
    leftovers = [p.name for p in folder.iterdir() if p.name.endswith(".tmp")]
    # a temporary file may remain from the instant of the kill, but nothing reads it
    assert all(p.startswith(".") for p in leftovers)
    fresh = ListProvider()
    state = sync_symbols(
        "US",
        [f"K{i}" for i in range(40)],
        D(2022, 1, 1),
        D(2023, 12, 31),
        providers=[fresh],
        auxiliary=False,
    )
    assert state.errors == [] and state.skipped == len(stored)
    assert {r.symbol for r in fresh.requests} == {f"K{i}" for i in range(40)} - {
        s.symbol for s in stored
    }


def test_a_bad_download_is_rejected_whole_and_named():
    p = ListProvider(bad=("BAD",))
    state = sync_symbols(
        "US", ["GOOD", "BAD"], D(2023, 1, 1), D(2023, 3, 31), providers=[p], auxiliary=False
    )
    assert [e["symbol"] for e in state.errors] == ["BAD"]
    assert "validator" in state.errors[0]["error"] and "testvendor" in state.errors[0]["error"]
    assert market_store.stored("US", "1d", "BAD") is None
    assert market_store.stored("US", "1d", "GOOD") is not None


def test_fallback_to_the_next_provider_and_errors_name_every_vendor():
    first = ListProvider(unknown=("ZZZ", "YYY"))
    second = ListProvider(unknown=("YYY",))
    second.name = "othervendor"  # type: ignore[misc]
    state = sync_symbols(
        "US",
        ["ZZZ", "YYY"],
        D(2023, 1, 1),
        D(2023, 2, 28),
        providers=[first, second],
        auxiliary=False,
    )
    assert market_store.stored("US", "1d", "ZZZ").provider == "othervendor"  # type: ignore[union-attr]
    (err,) = state.errors
    assert err["symbol"] == "YYY" and "testvendor" in err["error"] and "othervendor" in err["error"]


def test_auxiliary_series_and_progress_callback():
    p = ListProvider()
    seen: list[tuple[int, str | None]] = []
    state = sync_symbols(
        "IN", ["RELIANCE"], D(2023, 1, 1), D(2023, 1, 31), providers=[p],
        progress=lambda s: seen.append((s.done, s.current)),
    )  # fmt: skip
    assert {r.symbol for r in p.requests} == {"RELIANCE", "NIFTY50", "SENSEX", "INDIAVIX"}
    assert state.total == 4 and seen[-1] == (4, "INDIAVIX")
    vix = market_store.stored("IN", "1d", "INDIAVIX")
    assert vix is not None and vix.kind == "volatility_index"


def test_one_sync_at_a_time_per_home():
    from ava_backtest.data.sync import SyncBusyError, store_lock

    with store_lock(), pytest.raises(SyncBusyError):
        sync_symbols(
            "US",
            ["AAA"],
            D(2023, 1, 1),
            D(2023, 1, 31),
            providers=[ListProvider()],
            auxiliary=False,
        )


def test_finnhub_sentiment_is_stored_as_an_auxiliary_series(monkeypatch):
    from tests.fakes.vendors import FakeVendors

    with FakeVendors(symbols={"US": ["AAPL"]}) as fake:
        fake.apply(monkeypatch, vendors=["finnhub"])
        p = ListProvider()
        state = sync_symbols(
            "US", ["AAPL", "NOPE"], D(2023, 1, 1), D(2023, 1, 31), providers=[p],
            auxiliary=False, sentiment=True,
        )  # fmt: skip
        assert fake.count("finnhub") == 2
    stored = market_store.read_sentiment("US", "AAPL")
    assert stored is not None and stored.height == 1
    assert stored["date"][0] == dt.datetime.now(dt.UTC).date()
    assert 0.0 <= stored["score"][0] <= 1.0
    # a symbol without news coverage stores nothing and is not an error
    assert market_store.read_sentiment("US", "NOPE") is None
    assert state.errors == []
    assert state.providers_used == {"testvendor": 2, "finnhub": 2}


@pytest.mark.parametrize("vendor", ["fmp", "alpaca", "alphavantage"])
def test_hourly_bars_sync_on_the_session_grid_and_trade(vendor, monkeypatch):
    """US hours start at the session's 09:30 open (14:30 UTC in winter): seven a day, none dropped
    as off the grid, and a backtest on SYMBOL@1H trades on them."""
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.execute import run_backtest
    from tests.fakes.vendors import FakeVendors

    with FakeVendors(symbols={"MSFT"}) as fake:
        fake.apply(monkeypatch)
        state = sync_symbols(
            "US", ["MSFT"], D(2024, 1, 2), D(2024, 2, 29), provider=vendor, timeframe="1h",
            auxiliary=False,
        )  # fmt: skip
    assert state.errors == []
    bars = market_store.read_bars("US", "1h", "MSFT")
    assert bars is not None
    days = bars["ts"].dt.date().unique().len()
    assert bars.height == 7 * days and days == 41  # NYSE sessions of Jan-Feb 2024
    first = bars.filter(pl.col("ts").dt.date() == D(2024, 1, 2))["ts"].dt.strftime("%H:%M")
    assert first.to_list() == ["14:30", "15:30", "16:30", "17:30", "18:30", "19:30", "20:30"]
    config = RunConfig.model_validate(
        {"strategy_name": "sma_crossover", "symbols": ["MSFT@1H"], "market": "US",
         "params": {"fast_period": 5, "slow_period": 20}, "benchmark": "none"}
    )  # fmt: skip
    assert run_backtest(config).metrics["trade_count"] > 0
