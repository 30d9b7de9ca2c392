"""The registry: fallback order per market, status, and falling over from vendor to vendor."""

from __future__ import annotations

import datetime as dt

import pytest

from ava_backtest.data.providers import registry
from ava_backtest.data.providers.base import (
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    ProviderError,
    UnknownSymbolError,
)
from ava_backtest.data.providers.common import vendor_symbol

JAN = (dt.date(2024, 1, 2), dt.date(2024, 1, 31))


def test_fallback_order_among_configured_vendors(fake, monkeypatch) -> None:
    assert [p.name for p in registry.providers_for("US")] == [
        "fmp",
        "alpaca",
        "alphavantage",
        "finnhub",
    ]
    assert [p.name for p in registry.providers_for("IN")] == ["nse", "fmp"]
    assert [p.name for p in registry.providers_for("IN", "5m")] == ["fmp"]
    fake.apply(monkeypatch, vendors=["alphavantage", "finnhub"])
    assert [p.name for p in registry.providers_for("US")] == ["alphavantage", "finnhub"]
    assert [p.name for p in registry.providers_for("IN")] == ["nse"]
    with pytest.raises(ProviderError, match="unknown market 'XX'; known: US, IN"):
        registry.providers_for("XX")


def test_get_provider_unknown_name_lists_known() -> None:
    with pytest.raises(
        ProviderError,
        match="unknown provider 'yahoo'; known: alpaca, alphavantage, finnhub, fmp, nse",
    ):
        registry.get_provider("yahoo")


def test_fetch_bars_uses_the_first_that_answers(fake, opts) -> None:
    frame, used = registry.fetch_bars(BarRequest("US", "AAPL", "1d", *JAN), options=opts)
    assert (used, frame.height) == ("fmp", 21)
    fake.fail("fmp", "MSFT", [500] * 4)
    frame, used = registry.fetch_bars(BarRequest("US", "MSFT", "1d", *JAN), options=opts)
    assert (used, frame.height) == ("alpaca", 21)
    frame, used = registry.fetch_bars(BarRequest("US", "AAPL", "1d", *JAN), "finnhub", options=opts)
    assert used == "finnhub" and fake.requests[-1].vendor == "finnhub"


def test_unknown_everywhere_and_all_failing_list_each_reason(fake, opts) -> None:
    with pytest.raises(ProviderError) as err:
        registry.fetch_bars(BarRequest("US", "ZZZZ", "1d", *JAN), options=opts)
    message = str(err.value)
    assert message.startswith(
        "fmp+alpaca+alphavantage+finnhub ZZZZ 2024-01-02..2024-01-31: bars failed"
    )
    for part in (
        "fmp: unknown symbol ZZZZ",
        "alpaca: invalid symbol",
        "alphavantage: Invalid API call",
        "finnhub: no rows",
    ):
        assert part in message
    fake.fail("nse", "*", [500] * 100)
    assert isinstance(err.value, UnknownSymbolError)  # every vendor: unknown or nothing
    with pytest.raises(
        ProviderError, match=r"nse: .*HTTP 500.*fmp: unknown symbol ZZZZ\.NS"
    ) as err:
        registry.fetch_bars(BarRequest("IN", "ZZZZ", "1d", *JAN), options=opts)
    assert not isinstance(err.value, UnknownSymbolError)  # NSE could not say
    fake._faults.clear()


def test_an_index_goes_to_the_vendor_that_serves_it(fake, opts) -> None:
    fake.fail("fmp", "VIX", [500] * 4)
    frame, used = registry.fetch_bars(BarRequest("US", "VIX", "1d", *JAN), options=opts)
    assert used == "finnhub"  # alpaca and alphavantage have no VIX
    assert frame.height == 21


def test_named_provider_not_configured(fake, monkeypatch) -> None:
    fake.apply(monkeypatch, vendors=["fmp"])
    with pytest.raises(
        NotConfiguredError, match="alpaca: not configured: set ALPACA_API_KEY, ALPACA_SECRET_KEY"
    ):
        registry.fetch_bars(BarRequest("US", "AAPL", "1d", *JAN), "alpaca")
    fake.apply(monkeypatch, vendors=[])
    with pytest.raises(NotConfiguredError, match="no configured provider serves US 1d"):
        registry.fetch_bars(BarRequest("US", "AAPL", "1d", *JAN))


def test_actions_search_earnings_sentiment(fake, opts, monkeypatch) -> None:
    actions, used = registry.fetch_actions(
        "US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31), options=opts
    )
    assert used == "fmp" and actions.height == 2
    matches, used = registry.search_symbols("IN", "TCS", options=opts)
    assert used == "nse" or matches[0].symbol == "TCS"
    earnings, used = registry.fetch_earnings(
        "US", "AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31), options=opts
    )
    assert used == "fmp" and earnings.height == 4
    with pytest.raises(ProviderError, match="q: the search text is empty"):
        registry.search_symbols("US", "  ")
    monkeypatch.setattr(
        "ava_backtest.data.providers.finnhub.FinnhubProvider.today",
        staticmethod(lambda: dt.date(2024, 12, 31)),
    )
    sentiment = registry.fetch_sentiment(
        "AAPL", dt.date(2024, 12, 1), dt.date(2024, 12, 31), options=opts
    )
    assert sentiment.height == 1


def test_provider_status_reports_configuration_and_reachability(fake, monkeypatch, opts) -> None:
    fake.apply(monkeypatch, vendors=["fmp", "finnhub"])
    status = {s.name: s for s in registry.provider_status()}
    assert set(status) == {"fmp", "alpaca", "alphavantage", "finnhub", "nse"}
    assert status["fmp"].configured and status["nse"].configured and not status["alpaca"].configured
    assert status["alpaca"].error == "not configured: set ALPACA_API_KEY, ALPACA_SECRET_KEY"
    assert status["fmp"].reachable is None and status["fmp"].requests_per_minute == 600000
    monkeypatch.delenv("AVA_FMP_REQUESTS_PER_MINUTE")
    checked = {s.name: s for s in registry.provider_status(check=True)}
    assert checked["fmp"].reachable is True and checked["fmp"].requests_per_minute == 300
    assert checked["finnhub"].reachable is True and checked["nse"].reachable is True
    assert checked["alpaca"].reachable is None
    monkeypatch.setenv("AVA_FINNHUB_BASE_URL", "http://127.0.0.1:9")  # nothing listens there
    down = {s.name: s for s in registry.provider_status(check=True, options=opts)}["finnhub"]
    assert down.reachable is False
    assert down.error.startswith("finnhub: connection failed (ConnectError")
    assert down.error.endswith("after 4 attempts")  # opts: 3 retries, on the fake clock


@pytest.mark.parametrize(
    ("vendor", "market", "symbol", "spelled"),
    [
        ("fmp", "US", "GSPC", "^GSPC"),
        ("fmp", "US", "VIX", "^VIX"),
        ("fmp", "US", "NDX", "^NDX"),
        ("fmp", "US", "SPY", "SPY"),
        ("fmp", "IN", "NIFTY50", "^NSEI"),
        ("fmp", "IN", "SENSEX", "^BSESN"),
        ("fmp", "IN", "INDIAVIX", "^INDIAVIX"),
        ("fmp", "IN", "RELIANCE.NS", "RELIANCE.NS"),
        ("fmp", "US", "BRK.B", "BRK-B"),
        ("finnhub", "US", "GSPC", "^GSPC"),
        ("alpaca", "US", "SPY", "SPY"),
        ("nse", "IN", "NIFTY50", "Nifty 50"),
        ("nse", "IN", "INDIAVIX", "India VIX"),
        ("nse", "IN", "RELIANCE", "RELIANCE"),
    ],
)
def test_benchmark_and_vix_spelling(vendor, market, symbol, spelled) -> None:
    assert vendor_symbol(vendor, market, symbol) == spelled
    assert registry.index_symbol(vendor, market, symbol) == spelled


@pytest.mark.parametrize(
    ("vendor", "market", "symbol"),
    [
        ("alpaca", "US", "VIX"),
        ("alphavantage", "US", "GSPC"),
        ("nse", "IN", "SENSEX"),
        ("finnhub", "IN", "NIFTY50"),
    ],
)
def test_unserved_benchmarks_say_so(vendor, market, symbol) -> None:
    with pytest.raises(NotSupportedError, match=f"{symbol} \\({market} index\\) is not served"):
        vendor_symbol(vendor, market, symbol)


def test_sentiment_needs_the_finnhub_key(fake, monkeypatch) -> None:
    fake.apply(monkeypatch, vendors=["fmp"])
    with pytest.raises(
        NotConfiguredError, match=r"finnhub: FINNHUB_API_KEY \(or AVA_FINNHUB_API_KEY\) is not set"
    ):
        registry.fetch_sentiment("AAPL", dt.date(2024, 1, 1), dt.date(2024, 12, 31))


def test_india_falls_back_from_the_archives_to_fmp_ns(fake, opts) -> None:
    fake.fail("nse", "*", [503] * 4)  # the first session's file never comes
    frame, used = registry.fetch_bars(
        BarRequest("IN", "RELIANCE", "1d", dt.date(2024, 7, 1), dt.date(2024, 7, 12)), options=opts
    )
    assert used == "fmp" and frame.height == 10
    assert "/fmp/api/v3/historical-price-full/RELIANCE.NS" in [r.path for r in fake.requests]
    truth = fake.bars("IN", "RELIANCE")
    assert frame["close"].to_list() == [truth.close[truth.index[d]] for d in frame["date"]]
