"""Universes and the per-market symbol catalogue, including the errors users see."""

from __future__ import annotations

import datetime as dt

import pytest

from ava_backtest.data.universes import (
    get_symbol,
    get_universe,
    list_symbols,
    list_universes,
)
from ava_backtest.domain.errors import NotFoundError


def test_us_sample() -> None:
    u = get_universe("us_sample")
    assert u.market == "US"
    assert u.symbols == ("AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA")
    assert u.benchmark == "GSPC"
    assert u.survivorship_biased and not u.synthetic
    assert u.membership == "static"


def test_in_sample_synthetic() -> None:
    u = get_universe("in_sample_synthetic")
    assert u.market == "IN" and u.synthetic and u.benchmark == "NIFTY50_SYN"
    assert len(u.symbols) == 50 and u.symbols[0] == "INSYN01" and u.symbols[-1] == "INSYN50"
    assert (u.start, u.end) == (dt.date(2005, 1, 3), dt.date(2024, 12, 31))
    assert all(get_symbol("IN", s).synthetic for s in (*u.symbols, u.benchmark))


def test_unknown_universe_lists_the_available_ones() -> None:
    with pytest.raises(NotFoundError) as err:
        get_universe("nifty999")
    assert "in_sample_synthetic" in str(err.value) and "us_sample" in str(err.value)
    assert err.value.field == "universe"
    available = err.value.details["available"]
    assert {"in_sample_synthetic", "us_sample", "sp500_liquid", "nifty50"} <= set(available)


def test_unknown_symbol_lists_that_markets_symbols() -> None:
    with pytest.raises(NotFoundError) as err:
        get_symbol("US", "TSLA")
    msg = str(err.value)
    assert "unknown symbol 'TSLA'" in msg and "AAPL" in msg and "VIX" in msg
    assert "BTCUSD" not in msg and "INSYN01" not in msg
    assert err.value.field == "symbols"
    with pytest.raises(NotFoundError, match="BTCUSD, EURUSD"):
        get_symbol("24x7", "ETHUSD")
    with pytest.raises(NotFoundError, match="unknown market"):
        get_symbol("LSE", "VOD")


def test_symbols_per_market() -> None:
    us = {s.symbol: s for s in list_symbols("US")}
    assert set(us) == {"AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA", "GSPC", "IXIC", "VIX"}
    assert us["AMZN"].price_basis == "split_adjusted"
    assert us["GSPC"].price_basis == "price_return_index" and us["GSPC"].kind == "index"
    assert us["VIX"].price_basis == "close_only"
    assert us["AAPL"].has_corporate_actions and not us["GSPC"].has_corporate_actions
    fx = {s.symbol: s.timeframe for s in list_symbols("24x7")}
    assert fx == {"EURUSD": "1h", "BTCUSD": "15m"}
    india = list_symbols("IN")
    assert len(india) == 51 and all(s.synthetic for s in india)
    assert get_symbol("US", " aapl ").symbol == "AAPL"


def test_list_universes_by_market() -> None:
    india = [u.name for u in list_universes("IN")]
    assert india[0] == "in_sample_synthetic"
    assert set(india[1:]) == {
        "nifty50", "nifty100", "nifty500", "nse_large_cap", "nse_mid_cap", "nse_small_cap",
        "niftybank", "sensex",
    }  # fmt: skip
    us = [u.name for u in list_universes("US")]
    assert us[0] == "us_sample"
    assert set(us[1:]) == {"sp500", "sp500_liquid", "nasdaq100", "djia", "russell2000"}
    assert all(u.synced and u.survivorship_biased for u in list_universes() if u.name in us[1:])
