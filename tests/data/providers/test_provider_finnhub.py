"""Finnhub against the fake: candle arrays, no_data, search, earnings, news sentiment."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from ava_backtest.data.providers.base import (
    BarRequest,
    NotSupportedError,
    ProviderError,
    RateLimitedError,
)
from ava_backtest.data.providers.finnhub import SENTIMENT_COLUMNS, FinnhubProvider
from tests.fakes.vendors import FIXTURES


def _req(symbol: str, tf: str = "1d", start=dt.date(2024, 1, 2), end=dt.date(2024, 1, 31)):
    return BarRequest("US", symbol, tf, start, end)


def test_daily_and_intraday_candles(fake, opts) -> None:
    provider = FinnhubProvider(options=opts)
    daily = provider.bars(_req("AAPL"))
    truth = fake.bars("US", "AAPL")
    rows = [truth.index[d] for d in daily["date"].to_list()]
    assert daily.height == 21
    np.testing.assert_allclose(daily["close"].to_numpy(), truth.close[rows])
    query = fake.requests[0].query
    assert (query["resolution"], query["adjusted"]) == ("D", "false")
    assert int(query["from"]) == int(dt.datetime(2024, 1, 2, tzinfo=dt.UTC).timestamp())
    hourly = provider.bars(_req("AAPL", "1h", dt.date(2024, 1, 5), dt.date(2024, 1, 5)))
    assert hourly["ts"].to_list()[0] == dt.datetime(2024, 1, 5, 14, 30, tzinfo=dt.UTC)
    assert hourly.height == 7
    assert provider.bars(_req("GSPC")).height == 21
    assert fake.requests[-1].query["symbol"] == "^GSPC"


def test_no_data_is_an_empty_frame_and_errors_are_named(fake, opts) -> None:
    provider = FinnhubProvider(options=opts)
    assert provider.bars(_req("ZZZZ")).height == 0
    fake.fail(
        "finnhub", "AAPL", [("body", 403, b'{"error":"You don\'t have access to this resource."}')]
    )
    with pytest.raises(NotSupportedError, match="not in this plan"):
        provider.bars(_req("AAPL"))
    fake.fail("finnhub", "AAPL", [429] * 4)
    with pytest.raises(RateLimitedError, match=r"finnhub AAPL 2024-01-02\.\.2024-01-31"):
        provider.bars(_req("AAPL"))
    fake.fail(
        "finnhub",
        "AAPL",
        [("body", 200, b'{"c":[1,2],"h":[1],"l":[1,2],"o":[1,2],"t":[1,2],"v":[1,2],"s":"ok"}')],
    )
    with pytest.raises(ProviderError, match="lengths differ"):
        provider.bars(_req("AAPL"))


def test_documented_candle_parses(fake, opts) -> None:
    body = (FIXTURES / "finnhub_candle.json").read_bytes()
    fake.fail("finnhub", "AAPL", [("body", 200, body)])
    frame = FinnhubProvider(options=opts).bars(
        _req("AAPL", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 5))
    )
    assert frame["date"].to_list() == [
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 4),
        dt.date(2024, 1, 5),
    ]
    assert frame["close"].to_list() == [184.25, 181.91, 181.18]
    generated = json.loads(
        __import__("httpx")
        .get(
            f"{fake.url}/finnhub/api/v1/stock/candle",
            params={
                "symbol": "AAPL",
                "resolution": "D",
                "from": 1704240000,
                "to": 1704412800,
                "token": "fake-finnhub-key",
            },
        )
        .content
    )
    assert set(generated) == set(json.loads(body))


def test_search_earnings_and_sentiment(fake, opts) -> None:
    provider = FinnhubProvider(options=opts)
    assert [m.symbol for m in provider.search("US", "MSFT")] == ["MSFT"]  # MSFT.SW dropped
    earnings = provider.earnings("US", "NVDA", dt.date(2024, 1, 1), dt.date(2024, 6, 30))
    assert earnings.height == 2 and earnings["eps_estimate"].null_count() == 0
    provider.today = lambda: dt.date(2024, 12, 31)  # type: ignore[method-assign]
    sentiment = provider.sentiment("AAPL", dt.date(2024, 12, 1), dt.date(2024, 12, 31))
    assert dict(sentiment.schema) == SENTIMENT_COLUMNS
    assert sentiment["date"].to_list() == [dt.date(2024, 12, 31)]
    assert 0 <= sentiment["score"][0] <= 1 and sentiment["buzz"][0] > 0
    assert provider.sentiment("AAPL", dt.date(2024, 1, 1), dt.date(2024, 1, 31)).height == 0
    body = (FIXTURES / "finnhub_news_sentiment.json").read_bytes()
    fake.fail("finnhub", "AAPL", [("body", 200, body)])
    row = provider.sentiment("AAPL", dt.date(2024, 12, 1), dt.date(2024, 12, 31)).row(0, named=True)
    assert (row["score"], row["buzz"], row["bullish_percent"]) == (0.9166, 0.8888, 1.0)
    with pytest.raises(NotSupportedError):
        provider.corporate_actions("US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
