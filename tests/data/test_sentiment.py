"""News sentiment a strategy can require: the synced snapshots, from the bar after each one."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data import market_store
from ava_backtest.data.sentiment import STALE_AFTER_DAYS, sentiment_panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError
from ava_backtest.runs.execute import load_run_panel, with_required_data
from ava_backtest.strategies import Bars, Float, Signals, Strategy
from ava_backtest.strategies.evaluate import compute_signals

D = dt.date


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path))
    monkeypatch.delenv("AVA_REDIS_URL", raising=False)
    return tmp_path


def _snapshots(symbol: str, rows: list[tuple[dt.date, float]]) -> None:
    frame = pl.DataFrame(
        {"date": [d for d, _ in rows], "score": [s for _, s in rows]},
        schema={"date": pl.Date, "score": pl.Float64},
    )
    market_store.write_sentiment("US", symbol, frame, provider="finnhub")


def _sessions(first: str, last: str) -> np.ndarray:
    from ava_backtest.markets.registry import get_market

    return get_market("US").sessions(D.fromisoformat(first), D.fromisoformat(last))


def test_a_snapshot_counts_from_the_next_session_and_goes_stale():
    _snapshots("AAPL", [(D(2012, 1, 3), 0.8), (D(2012, 1, 5), 0.2)])
    dates = _sessions("2012-01-03", "2012-01-20")
    got = sentiment_panel("US", ["AAPL", "MSFT"], dates, who="test")
    by_day = {str(d)[:10]: v for d, v in zip(dates, got[:, 0], strict=True)}
    assert np.isnan(by_day["2012-01-03"])  # the snapshot of the 3rd is not seen on the 3rd
    assert by_day["2012-01-04"] == 0.8
    assert by_day["2012-01-05"] == 0.8  # nor is the 5th's on the 5th
    assert by_day["2012-01-06"] == 0.2
    assert by_day["2012-01-12"] == 0.2  # 7 days old: still the week's news
    assert STALE_AFTER_DAYS == 7 and np.isnan(by_day["2012-01-13"])  # 8 days: stale
    assert np.isnan(got[:, 1]).all()  # MSFT has none: NaN, never AAPL's or a neutral score
    # prefix invariance: a bar's value does not change when later bars are added (from the
    # second bar on: a run of the first alone has no snapshot at all, an error shown below)
    for k in range(2, len(dates)):
        np.testing.assert_array_equal(
            sentiment_panel("US", ["AAPL", "MSFT"], dates[:k], who="test"), got[:k]
        )


def test_no_snapshot_in_the_range_names_the_sync_command():
    _snapshots("AAPL", [(D(2012, 1, 3), 0.8)])
    with pytest.raises(DataError, match=r"ava data sync --symbols AAPL --sentiment") as e:
        sentiment_panel("US", ["AAPL"], _sessions("2012-03-01", "2012-03-30"), who="test")
    assert e.value.field == "requires"


class NewsLong(Strategy, register=False):
    name = "news_long_test"
    category = "sentiment"
    description = "Long while the news sentiment score is above a threshold"
    direction = "long_only"
    requires = ("sentiment",)
    display = ()
    threshold = Float(0.6, 0.0, 1.0, "score above which to hold")

    def signals(self, bars: Bars) -> Signals:
        hold = np.nan_to_num(np.asarray(bars.need("sentiment")), nan=0.0) > self.threshold
        return Signals(long_entry=hold, long_exit=~hold)


def test_a_strategy_requiring_sentiment_gets_it():
    _snapshots("AAPL", [(D(2012, 1, 3), 0.8), (D(2012, 1, 10), 0.3)])
    strategy = NewsLong()
    config = RunConfig(
        strategy_name="sma_crossover", symbols=["AAPL"], start_date=D(2012, 1, 3),
        end_date=D(2012, 1, 31),
    )  # fmt: skip
    panel, _ = load_run_panel(config, strategy)
    bars = with_required_data(strategy, panel, "US")
    sentiment = bars.need("sentiment")
    assert sentiment.shape == bars.close.shape
    signals = compute_signals(strategy, bars)
    days = [str(d)[:10] for d in bars.dates]
    entries = {days[i] for i in np.flatnonzero(signals.long_entry[:, 0])}
    assert "2012-01-04" in entries and "2012-01-11" not in entries
