"""Alpaca against the fake: pagination, headers, raw bars, daily dates in New York, errors."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from ava_backtest.data.providers.alpaca import AlpacaProvider
from ava_backtest.data.providers.base import (
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    ProviderError,
    UnknownSymbolError,
    bar_columns,
)
from ava_backtest.settings import SettingsError
from tests.fakes.vendors import FIXTURES


def _req(symbol: str, tf: str = "1d", start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 28)):
    return BarRequest("US", symbol, tf, start, end)


def test_daily_bars_follow_page_tokens_and_are_raw(fake, opts) -> None:
    frame = AlpacaProvider(options=opts).bars(
        _req("NVDA", start=dt.date(2024, 1, 2), end=dt.date(2024, 6, 28))
    )
    truth = fake.bars("US", "NVDA")
    rows = [truth.index[d] for d in frame["date"].to_list()]
    assert frame.height == 124 and len(set(rows)) == 124
    np.testing.assert_allclose(frame["close"].to_numpy(), truth.close[rows], rtol=1e-6)  # un-split
    bars = [r for r in fake.requests if r.path == "/alpaca/v2/stocks/NVDA/bars"]
    assert len(bars) == 3  # the fake pages 50 bars at a time
    assert "page_token" not in bars[0].query and bars[1].query["page_token"]
    assert {r.query["adjustment"] for r in bars} == {"raw"}
    assert {r.query["feed"] for r in bars} == {"iex"}
    assert dict(frame.schema) == bar_columns("1d")


def test_intraday_in_utc_over_pages(fake, opts) -> None:
    frame = AlpacaProvider(options=opts).bars(
        _req("AAPL", "5m", dt.date(2024, 3, 8), dt.date(2024, 3, 11))
    )
    assert frame.height == 2 * 78
    assert frame["ts"][0] == dt.datetime(2024, 3, 8, 14, 30, tzinfo=dt.UTC)
    assert frame["ts"][78] == dt.datetime(2024, 3, 11, 13, 30, tzinfo=dt.UTC)  # DST began Sunday
    assert frame["ts"].is_sorted() and frame["ts"].n_unique() == frame.height


def test_feed_from_environment(fake, opts, monkeypatch) -> None:
    monkeypatch.setenv("AVA_ALPACA_FEED", "sip")
    AlpacaProvider(options=opts).bars(
        _req("AAPL", start=dt.date(2024, 1, 2), end=dt.date(2024, 1, 5))
    )
    assert fake.requests[0].query["feed"] == "sip"
    monkeypatch.setenv("AVA_ALPACA_FEED", "nasdaq")
    # the settings object refuses it, naming the variable, before any request is made
    with pytest.raises(SettingsError, match="AVA_ALPACA_FEED='nasdaq'"):
        AlpacaProvider(options=opts).bars(_req("AAPL"))


def test_unknown_symbol_index_and_keys(fake, opts, monkeypatch) -> None:
    with pytest.raises(
        UnknownSymbolError, match=r"alpaca ZZZZ 2024-01-02\.\.2024-06-28: invalid symbol: ZZZZ"
    ):
        AlpacaProvider(options=opts).bars(_req("ZZZZ"))
    with pytest.raises(NotSupportedError, match="GSPC"):
        AlpacaProvider(options=opts).bars(_req("GSPC"))
    with pytest.raises(NotSupportedError, match="market IN"):
        AlpacaProvider(options=opts).bars(
            BarRequest("IN", "TCS", "1d", dt.date(2024, 1, 2), dt.date(2024, 1, 5))
        )
    with pytest.raises(ProviderError, match="HTTP 401"):
        AlpacaProvider(options=opts, keys={"alpaca_secret_key": "nope"}).bars(_req("AAPL"))
    monkeypatch.delenv("AVA_ALPACA_SECRET_KEY")
    with pytest.raises(
        NotConfiguredError, match=r"ALPACA_SECRET_KEY \(or AVA_ALPACA_SECRET_KEY\) is not set"
    ):
        AlpacaProvider(options=opts).bars(_req("AAPL"))


def test_5xx_and_cut_body_on_a_later_page(fake, opts, clock) -> None:
    fake.fail("alpaca", "MSFT", ["ok", 500, "ok"])
    frame = AlpacaProvider(options=opts).bars(_req("MSFT"))
    assert frame.height == 124
    assert [r.status for r in fake.requests] == [200, 500, 200, 200]
    assert clock.sleeps == [0.01]
    fake.fail("alpaca", "MSFT", ["ok", "cut"])
    with pytest.raises(
        ProviderError, match=r"alpaca MSFT 2024-01-02\.\.2024-06-28: truncated JSON body"
    ):
        AlpacaProvider(options=opts).bars(_req("MSFT"))


def test_documented_page_parses(fake, opts) -> None:
    page = json.loads((FIXTURES / "alpaca_bars.json").read_bytes())
    page["next_page_token"] = None
    fake.fail("alpaca", "AAPL", [503, ("body", 200, json.dumps(page).encode())])
    frame = AlpacaProvider(options=opts).bars(
        _req("AAPL", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 4))
    )
    assert frame.rows() == [
        (dt.date(2024, 1, 3), 184.22, 185.88, 183.43, 184.25, 1103486.0),
        (dt.date(2024, 1, 4), 182.15, 183.0872, 180.88, 181.91, 1169530.0),
    ]
    generated = json.loads(
        __import__("httpx")
        .get(
            f"{fake.url}/alpaca/v2/stocks/AAPL/bars",
            params={
                "timeframe": "1Day",
                "start": "2024-01-03T00:00:00Z",
                "end": "2024-01-05T00:00:00Z",
            },
            headers={
                "APCA-API-KEY-ID": "fake-alpaca-id",
                "APCA-API-SECRET-KEY": "fake-alpaca-secret",
            },
        )
        .content
    )
    assert set(generated) == set(page) and set(generated["bars"][0]) == set(page["bars"][0])


def test_corporate_actions(fake, opts) -> None:
    provider = AlpacaProvider(options=opts)
    assert provider.corporate_actions(
        "US", "NVDA", dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ).rows() == [(dt.date(2024, 6, 10), "split", 10.0)]
    assert provider.corporate_actions(
        "US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ).rows() == [
        (dt.date(2024, 2, 9), "dividend", 0.24),
        (dt.date(2024, 5, 10), "dividend", 0.25),
    ]
    with pytest.raises(NotSupportedError):
        provider.search("US", "apple")
