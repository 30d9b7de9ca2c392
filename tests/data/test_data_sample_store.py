"""The shipped Parquet samples: present, typed as documented, and matching their provenance."""

from __future__ import annotations

import polars as pl
import pytest

from ava_backtest.data.sample_store import SAMPLES, load_sample_bars, read_sample, sample_series
from ava_backtest.domain.errors import NotFoundError


@pytest.mark.parametrize("series", SAMPLES, ids=lambda s: s.symbol)
def test_sample_file_schema_and_range(series) -> None:
    raw = read_sample(series.market, series.symbol)
    if series.timeframe == "1d":
        assert raw.schema["date"] == pl.Date
    else:
        assert raw.schema["ts"] == pl.Datetime("us", "UTC")
    for col in ("open", "high", "low", "close", "adj_close"):
        if col in raw.columns:
            assert raw.schema[col] == pl.Float64
    if "volume" in raw.columns:
        assert raw.schema["volume"] == pl.Int64
    times = raw[series.time_column]
    first = times.min() if series.timeframe == "1d" else times.min().date()
    last = times.max() if series.timeframe == "1d" else times.max().date()
    assert (first, last) == (series.first, series.last)
    assert series.file.stat().st_size < 200_000


def test_common_layout_for_close_only_vix() -> None:
    vix = load_sample_bars("US", "VIX")
    assert vix.columns == ["date", "open", "high", "low", "close", "adj_close", "volume"]
    ok = vix.filter(pl.col("close").is_not_null())
    assert (ok["open"] == ok["close"]).all() and (ok["high"] == ok["low"]).all()
    assert vix["volume"].is_nan().all()
    assert vix["close"].null_count() == 46  # FRED "." rows on exchange holidays


def test_provenance_labels() -> None:
    assert sample_series("US", "AMZN").price_basis == "split_adjusted"
    assert sample_series("US", "NVDA").price_basis == "split_adjusted"
    assert sample_series("US", "GSPC").price_basis == "price_return_index"
    assert sample_series("US", "VIX").price_basis == "close_only"
    assert sample_series("US", "AAPL").price_basis == "as_traded"
    with pytest.raises(NotFoundError, match="AAPL"):
        sample_series("US", "TSLA")
