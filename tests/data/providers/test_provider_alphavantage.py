"""Alpha Vantage against the fake: its HTTP-200 rate-limit and error bodies, months of intraday."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import pytest

from ava_backtest.data.providers.alphavantage import AlphaVantageProvider
from ava_backtest.data.providers.base import (
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    ProviderError,
    RateLimitedError,
    UnknownSymbolError,
)
from tests.fakes.vendors import FIXTURES


def _req(symbol: str, tf: str = "1d", start=dt.date(2024, 1, 2), end=dt.date(2024, 1, 31)):
    return BarRequest("US", symbol, tf, start, end)


def test_daily_full_history_cut_to_the_range(fake, opts) -> None:
    frame = AlphaVantageProvider(options=opts).bars(_req("MSFT"))
    truth = fake.bars("US", "MSFT")
    rows = [truth.index[d] for d in frame["date"].to_list()]
    assert frame.height == 21 and frame["date"].is_sorted()
    np.testing.assert_allclose(frame["open"].to_numpy(), truth.open[rows], rtol=1e-6)
    assert fake.requests[0].query["function"] == "TIME_SERIES_DAILY"
    assert fake.requests[0].query["outputsize"] == "full"


def test_intraday_one_request_per_month_eastern_to_utc(fake, opts) -> None:
    frame = AlphaVantageProvider(options=opts).bars(
        _req("AAPL", "15m", dt.date(2024, 2, 29), dt.date(2024, 3, 1))
    )
    assert [r.query["month"] for r in fake.requests] == ["2024-02", "2024-03"]
    assert {r.query["adjusted"] for r in fake.requests} == {"false"}
    assert frame.height == 2 * 26
    assert frame["ts"][0] == dt.datetime(2024, 2, 29, 14, 30, tzinfo=dt.UTC)


def test_note_body_is_a_rate_limit_retried_then_raised(fake, opts, clock) -> None:
    fake.fail("alphavantage", "AAPL", ["note", "information"])
    assert AlphaVantageProvider(options=opts).bars(_req("AAPL")).height == 21
    assert len(clock.sleeps) == 2 and fake.count("alphavantage") == 3
    fake.fail("alphavantage", "AAPL", ["note"] * 4)
    with pytest.raises(
        RateLimitedError,
        match=r"alphavantage AAPL 2024-01-02\.\.2024-01-31: rate limited after 4 attempts: Thank you",
    ):
        AlphaVantageProvider(options=opts).bars(_req("AAPL"))


def test_error_message_is_unknown_symbol_and_key_problems(fake, opts, monkeypatch) -> None:
    with pytest.raises(UnknownSymbolError, match="Invalid API call"):
        AlphaVantageProvider(options=opts).bars(_req("ZZZZ"))
    with pytest.raises(ProviderError, match="ALPHAVANTAGE_API_KEY rejected"):
        AlphaVantageProvider(options=opts, keys={"alphavantage_api_key": "bad"}).bars(_req("AAPL"))
    premium = json.dumps(
        {"Information": "Thank you for using Alpha Vantage! This is a premium endpoint."}
    )
    fake.fail("alphavantage", "AAPL", [("body", 200, premium.encode())])
    with pytest.raises(NotSupportedError, match="premium endpoint"):
        AlphaVantageProvider(options=opts).bars(_req("AAPL"))
    monkeypatch.delenv("AVA_ALPHAVANTAGE_API_KEY")
    with pytest.raises(NotConfiguredError, match="ALPHAVANTAGE_API_KEY"):
        AlphaVantageProvider(options=opts).bars(_req("AAPL"))


def test_documented_bodies(fake, opts) -> None:
    daily = (FIXTURES / "alphavantage_time_series_daily.json").read_bytes()
    fake.fail(
        "alphavantage",
        "IBM",
        [("body", 200, (FIXTURES / "alphavantage_note.json").read_bytes()), ("body", 200, daily)],
    )
    frame = AlphaVantageProvider(options=opts).bars(_req("IBM"))
    assert frame.rows() == [
        (dt.date(2024, 1, 4), 160.22, 161.91, 160.22, 160.78, 5006234.0),
        (dt.date(2024, 1, 5), 160.9, 161.45, 159.45, 159.69, 4009461.0),
    ]
    fake.fail(
        "alphavantage", "IBM", [("body", 200, (FIXTURES / "alphavantage_error.json").read_bytes())]
    )
    with pytest.raises(UnknownSymbolError):
        AlphaVantageProvider(options=opts).bars(_req("IBM"))
    generated = json.loads(
        __import__("httpx")
        .get(
            f"{fake.url}/alphavantage/query",
            params={"function": "TIME_SERIES_DAILY", "symbol": "AAPL", "apikey": "fake-av-key"},
        )
        .content
    )
    documented = json.loads(daily)
    assert set(generated) == set(documented)
    assert set(generated["Meta Data"]) == set(documented["Meta Data"])
    first = next(iter(generated["Time Series (Daily)"].values()))
    assert set(first) == set(next(iter(documented["Time Series (Daily)"].values())))


def test_actions_search_earnings(fake, opts) -> None:
    provider = AlphaVantageProvider(options=opts)
    assert provider.corporate_actions(
        "US", "NVDA", dt.date(2024, 1, 1), dt.date(2024, 12, 31)
    ).rows() == [(dt.date(2024, 6, 10), "split", 10.0)]
    assert provider.corporate_actions(
        "US", "AAPL", dt.date(2024, 3, 1), dt.date(2024, 12, 31)
    ).rows() == [(dt.date(2024, 5, 10), "dividend", 0.25)]
    assert [m.symbol for m in provider.search("US", "BRK")] == ["BRK.B"]
    earnings = provider.earnings("US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    truth = [(d, t) for d, t, _, _ in fake.earnings_dates("AAPL") if d.year == 2024]
    assert list(zip(earnings["date"].to_list(), earnings["time"].to_list(), strict=True)) == truth


def test_a_price_that_is_not_a_number_is_malformed(fake, opts) -> None:
    body = json.loads((FIXTURES / "alphavantage_time_series_daily.json").read_bytes())
    body["Time Series (Daily)"]["2024-01-05"]["4. close"] = "n/a"
    fake.fail("alphavantage", "IBM", [("body", 200, json.dumps(body).encode())])
    with pytest.raises(
        ProviderError,
        match=r"alphavantage IBM 2024-01-02\.\.2024-01-31: malformed record: a price is not a number",
    ):
        AlphaVantageProvider(options=opts).bars(_req("IBM"))
