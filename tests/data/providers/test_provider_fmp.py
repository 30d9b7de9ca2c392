"""Financial Modeling Prep against the fake: as-traded bars from split-adjusted ones, tz, errors."""

from __future__ import annotations

import datetime as dt
import json

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.providers.base import (
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    ProviderError,
    RateLimitedError,
    UnknownSymbolError,
    bar_columns,
)
from ava_backtest.data.providers.fmp import FMPProvider
from tests.fakes.vendors import FIXTURES


def _req(
    symbol: str, tf: str = "1d", start=dt.date(2024, 6, 3), end=dt.date(2024, 6, 14), market="US"
):
    return BarRequest(market, symbol, tf, start, end)


def test_daily_bars_are_as_traded_across_a_split(fake, opts) -> None:
    frame = FMPProvider(options=opts).bars(_req("NVDA"))
    assert dict(frame.schema) == bar_columns("1d")
    truth = fake.bars("US", "NVDA")
    rows = [truth.index[d] for d in frame["date"].to_list()]
    assert frame["date"].to_list() == [truth.dates[i] for i in rows]  # every session, in order
    np.testing.assert_allclose(frame["close"].to_numpy(), truth.close[rows], rtol=1e-6)
    np.testing.assert_allclose(frame["volume"].to_numpy(), truth.volume[rows])
    before = frame.filter(pl.col("date") == dt.date(2024, 6, 7))["close"][0]
    after = frame.filter(pl.col("date") == dt.date(2024, 6, 10))["close"][0]
    assert 5 < before / after < 20  # the 10:1 split shows in as-traded prices
    paths = [r.path for r in fake.requests]
    assert paths == [
        "/fmp/api/v3/historical-price-full/NVDA",
        "/fmp/api/v3/historical-price-full/stock_split/NVDA",
    ]


def test_intraday_wall_clock_becomes_utc_for_us_and_india(fake, opts) -> None:
    provider = FMPProvider(options=opts)
    winter = provider.bars(_req("AAPL", "5m", dt.date(2024, 1, 5), dt.date(2024, 1, 5)))
    summer = provider.bars(_req("AAPL", "1h", dt.date(2024, 7, 3), dt.date(2024, 7, 3)))
    assert winter["ts"][0] == dt.datetime(2024, 1, 5, 14, 30, tzinfo=dt.UTC)  # 09:30 EST
    assert winter.height == 78 and winter["ts"][-1].hour == 20 and winter["ts"][-1].minute == 55
    assert summer["ts"][0] == dt.datetime(2024, 7, 3, 13, 30, tzinfo=dt.UTC)  # 09:30 EDT
    assert summer.height == 4  # the 13:00 early close of July 3rd
    india = provider.bars(_req("RELIANCE", "15m", dt.date(2024, 3, 1), dt.date(2024, 3, 1), "IN"))
    assert india["ts"][0] == dt.datetime(2024, 3, 1, 3, 45, tzinfo=dt.UTC)  # 09:15 IST
    assert "/fmp/api/v3/historical-chart/15min/RELIANCE.NS" in [r.path for r in fake.requests]
    assert dict(india.schema) == bar_columns("15m")


def test_intraday_ranges_are_fetched_in_chunks(fake, opts) -> None:
    frame = FMPProvider(options=opts).bars(
        _req("MSFT", "1m", dt.date(2024, 2, 5), dt.date(2024, 2, 9))
    )
    assert frame.height == 5 * 390
    assert [r.query["from"] for r in fake.requests if "historical-chart" in r.path] == [
        "2024-02-05",
        "2024-02-08",
    ]


def test_index_and_dotted_symbols_use_fmp_spelling(fake, opts) -> None:
    provider = FMPProvider(options=opts)
    assert provider.bars(_req("GSPC")).height == 10
    assert provider.bars(_req("BRK.B")).height == 10
    assert [r.path for r in fake.requests] == [
        "/fmp/api/v3/historical-price-full/^GSPC",
        "/fmp/api/v3/historical-price-full/BRK-B",
        "/fmp/api/v3/historical-price-full/stock_split/BRK-B",
    ]


def test_unknown_symbol_missing_key_and_rejected_key(fake, opts, monkeypatch) -> None:
    with pytest.raises(
        UnknownSymbolError, match=r"fmp ZZZZ 2024-06-03\.\.2024-06-14: unknown symbol"
    ):
        FMPProvider(options=opts).bars(_req("ZZZZ"))
    with pytest.raises(ProviderError, match="Invalid API KEY"):
        FMPProvider(options=opts, keys={"fmp_api_key": "wrong"}).bars(_req("AAPL"))
    monkeypatch.delenv("AVA_FMP_API_KEY")
    provider = FMPProvider(options=opts)
    assert not provider.configured()
    with pytest.raises(NotConfiguredError, match=r"FMP_API_KEY \(or AVA_FMP_API_KEY\) is not set"):
        provider.bars(_req("AAPL"))
    monkeypatch.setenv("FMP_API_KEY", "fake-fmp-key")  # the original's name works too
    assert FMPProvider(options=opts).bars(_req("AAPL")).height == 10


def test_limit_reach_body_and_malformed_record(fake, opts) -> None:
    fake.fail("fmp", "AAPL", [("body", 200, b'{"Error Message": "Limit Reach . Please upgrade"}')])
    with pytest.raises(RateLimitedError, match="Limit Reach"):
        FMPProvider(options=opts).bars(_req("AAPL"))
    bad = {"symbol": "AAPL", "historical": [{"date": "2024-06-03", "open": 1.0}]}
    fake.fail("fmp", "AAPL", [("body", 200, json.dumps(bad).encode())])
    with pytest.raises(
        ProviderError, match=r"fmp AAPL 2024-06-03\.\.2024-06-14: malformed record: missing high"
    ):
        FMPProvider(options=opts).bars(_req("AAPL"))


def test_documented_shapes_parse(fake, opts) -> None:
    daily = (FIXTURES / "fmp_historical_price_full.json").read_bytes()
    splits = (FIXTURES / "fmp_stock_split.json").read_bytes()
    fake.fail("fmp", "AAPL", [("body", 200, daily), ("body", 200, splits)])
    frame = FMPProvider(options=opts).bars(
        _req("AAPL", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 5))
    )
    assert frame["date"].to_list() == [
        dt.date(2024, 1, 3),
        dt.date(2024, 1, 4),
        dt.date(2024, 1, 5),
    ]
    assert frame["close"].to_list() == [184.25, 181.91, 181.18]  # splits are all before
    chart = (FIXTURES / "fmp_historical_chart_5min.json").read_bytes()
    fake.fail("fmp", "AAPL", [("body", 200, chart), ("body", 200, splits)])
    bars = FMPProvider(options=opts).bars(
        _req("AAPL", "5m", dt.date(2024, 1, 5), dt.date(2024, 1, 5))
    )
    assert bars["ts"].to_list()[0] == dt.datetime(2024, 1, 5, 14, 30, tzinfo=dt.UTC)
    # the fake's generated body has the documented record keys
    fake.fail("fmp", "AAPL", [])
    generated = json.loads(
        __import__("httpx")
        .get(
            f"{fake.url}/fmp/api/v3/historical-price-full/AAPL",
            params={"from": "2024-01-03", "to": "2024-01-05", "apikey": "fake-fmp-key"},
        )
        .content
    )
    documented = json.loads(daily)
    assert set(generated) == set(documented)
    assert set(generated["historical"][0]) == set(documented["historical"][0])


def test_actions_search_and_earnings(fake, opts) -> None:
    provider = FMPProvider(options=opts)
    actions = provider.corporate_actions("US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 3, 31))
    assert actions.rows() == [(dt.date(2024, 2, 9), "dividend", 0.24)]
    split = provider.corporate_actions("US", "NVDA", dt.date(2020, 1, 1), dt.date(2025, 1, 1))
    assert split.rows() == [(dt.date(2024, 6, 10), "split", 10.0)]
    assert [m.symbol for m in provider.search("US", "apple")] == ["AAPL"]
    assert [(m.symbol, m.exchange) for m in provider.search("IN", "RELIANCE")] == [
        ("RELIANCE", "NSE")
    ]
    earnings = provider.earnings("US", "MSFT", dt.date(2024, 1, 1), dt.date(2024, 12, 31))
    assert earnings.height == 4
    assert set(earnings["time"].to_list()) <= {"bmo", "amc"}
    assert earnings["eps_actual"].null_count() == 0


def test_constituents(fake, opts) -> None:
    provider = FMPProvider(options=opts)
    members = provider.constituents("sp500")
    assert members["symbol"].to_list() == ["AAPL", "BRK.B", "MSFT", "NVDA", "SPY", "TINY"]
    assert members.schema["date_first_added"] == pl.Date
    assert fake.requests[-1].path == "/fmp/api/v3/sp500_constituent"
    assert provider.constituents("djia").height == 0
    with pytest.raises(NotSupportedError, match="no constituents endpoint for 'nifty50'"):
        provider.constituents("nifty50")


def test_a_bar_without_a_price_is_malformed(fake, opts) -> None:
    body = json.loads((FIXTURES / "fmp_historical_price_full.json").read_bytes())
    body["historical"][1]["close"] = None
    fake.fail(
        "fmp",
        "AAPL",
        [
            ("body", 200, json.dumps(body).encode()),
            ("body", 200, b'{"symbol": "AAPL", "historical": []}'),
        ],
    )
    with pytest.raises(
        ProviderError, match=r"malformed bars: 1 without a price \(first at 2024-01-04\)"
    ):
        FMPProvider(options=opts).bars(
            _req("AAPL", start=dt.date(2024, 1, 3), end=dt.date(2024, 1, 5))
        )
