"""The Redis frame cache of synced series, on the real Redis: a second process's read comes from
Redis, and a sync that wrote something deletes every cached frame of its store."""

from __future__ import annotations

import datetime as dt

import pytest

from ava_backtest.data import market_cache, market_store
from ava_backtest.data.sync import sync_symbols
from tests.data.market_fixtures import ListProvider

D = dt.date


@pytest.fixture
def cached(tmp_path, monkeypatch, redis_url):
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.setenv("AVA_REDIS_URL", redis_url)
    yield
    market_cache.invalidate()


def _keys() -> list[bytes]:
    client = market_cache._client()
    return list(client.scan_iter(match=market_cache._prefix() + "*"))


def test_frames_are_cached_and_a_sync_invalidates_them(cached):
    sync_symbols(
        "US", ["AAA"], D(2023, 1, 1), D(2023, 3, 31), providers=[ListProvider()], auxiliary=False
    )
    info = market_store.store_symbol("US", "AAA")
    assert info is not None
    assert _keys() == []
    bars, _ = market_store.read_for_panel(info)
    assert len(_keys()) == 2  # bars and actions
    hit = market_cache.get_frame("US", "1d", "AAA", "bars")
    assert hit is not None and hit.equals(bars)

    # the cached copy is what a reader gets (here: proven by removing the file underneath)
    path = market_store.bars_path("US", "1d", "AAA")
    saved = path.read_bytes()
    path.unlink()
    again, _ = market_store.read_for_panel(info)
    assert again.equals(bars)
    path.write_bytes(saved)

    # a sync that wrote something removes every key of this store
    sync_symbols(
        "US", ["AAA"], D(2023, 4, 1), D(2023, 4, 28), providers=[ListProvider()], auxiliary=False
    )
    assert _keys() == []
    fresh, _ = market_store.read_for_panel(market_store.store_symbol("US", "AAA"))
    assert fresh.height > bars.height


def test_a_sync_that_fetches_nothing_keeps_the_cache(cached):
    sync_symbols(
        "US", ["AAA"], D(2023, 1, 1), D(2023, 1, 31), providers=[ListProvider()], auxiliary=False
    )
    market_store.read_for_panel(market_store.store_symbol("US", "AAA"))
    before = _keys()
    state = sync_symbols(
        "US", ["AAA"], D(2023, 1, 1), D(2023, 1, 31), providers=[ListProvider()], auxiliary=False
    )
    assert state.requests == 0 and _keys() == before


def test_without_redis_everything_is_a_no_op(tmp_path, monkeypatch):
    monkeypatch.delenv("AVA_REDIS_URL", raising=False)
    assert not market_cache.enabled()
    assert market_cache.get_frame("US", "1d", "X", "bars") is None
    assert market_cache.invalidate() == 0
