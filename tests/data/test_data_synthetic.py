"""The synthetic generator: deterministic per (seed, symbol), causal, valid OHLC, on the calendar."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from ava_backtest.data.synthetic import stable_seed, synthetic_bars, synthetic_panel_arrays
from ava_backtest.domain.errors import ConfigError
from ava_backtest.markets.registry import get_market

START, END = dt.date(2015, 1, 1), dt.date(2016, 12, 31)


def test_same_seed_same_bars_different_seed_different_bars() -> None:
    a = synthetic_bars("INSYN01", "IN", START, END, seed=3)
    from ava_backtest.data.synthetic import _cached_bars

    _cached_bars.cache_clear()  # regenerate from scratch, not from the cache
    b = synthetic_bars("INSYN01", "IN", START, END, seed=3)
    assert a is not b
    assert a.equals(b)
    assert not a.equals(synthetic_bars("INSYN01", "IN", START, END, seed=4))
    assert not a.equals(synthetic_bars("INSYN02", "IN", START, END, seed=3))


def test_seed_hash_is_pinned() -> None:
    # blake2b of (version, seed, key), not Python's per-process salted hash(): values are pinned.
    assert stable_seed(0, "INSYN01").entropy == stable_seed(0, "INSYN01").entropy
    first = np.random.default_rng(stable_seed(0, "INSYN01")).integers(0, 2**31)
    assert first == np.random.default_rng(stable_seed(0, "INSYN01")).integers(0, 2**31)
    bars = synthetic_bars("INSYN01", "IN", dt.date(2005, 1, 3), dt.date(2005, 1, 5), seed=0)
    assert bars["close"].to_list() == [255.6, 244.7, 250.35]


def test_symbol_subset_independence_in_panel_arrays() -> None:
    # 3,000 bars: the 40 symbols are simulated in several chunks, the 3 in one.
    _, _, _, _, c_many, v_many = synthetic_panel_arrays(40, 3000, seed=9)
    _, _, _, _, c_few, v_few = synthetic_panel_arrays(3, 3000, seed=9)
    np.testing.assert_array_equal(c_many[:, :3], c_few)
    np.testing.assert_array_equal(v_many[:, :3], v_few)


def test_extending_the_range_never_rewrites_the_past() -> None:
    short = synthetic_bars("INSYN07", "IN", START, dt.date(2015, 6, 30), seed=1)
    long = synthetic_bars("INSYN07", "IN", START, END, seed=1)
    assert long.head(short.height).equals(short)


def test_daily_bars_sit_on_the_xbom_calendar_and_tick() -> None:
    bars = synthetic_bars("INSYN03", "IN", START, END)
    sessions = get_market("IN").sessions(START, END)
    assert bars["date"].cast(pl.Datetime("ns")).to_numpy().tolist() == sessions.tolist()
    ticks = bars.select(pl.col("open", "high", "low", "close") / 0.05).to_numpy()
    np.testing.assert_allclose(ticks, np.round(ticks), atol=1e-6)
    assert bars.schema["date"] == pl.Date


def test_minute_bars_24x7() -> None:
    bars = synthetic_bars("BTCSYN", "24x7", dt.date(2024, 1, 6), dt.date(2024, 1, 7), freq="1m")
    assert bars.height == 2 * 1440
    assert bars.schema["ts"] == pl.Datetime("ns", "UTC")
    assert (bars["ts"].diff().drop_nulls() == dt.timedelta(minutes=1)).all()
    # Continuous market: each bar opens where the previous closed.
    np.testing.assert_allclose(bars["open"][1:].to_numpy(), bars["close"][:-1].to_numpy())


def test_realism_gaps_volume_and_regimes() -> None:
    d, o, _, _, c, v = synthetic_panel_arrays(200, 2520, seed=5)
    assert d.dtype == np.dtype("datetime64[ns]") and d[0] == np.datetime64("2000-01-03")
    r = np.diff(np.log(c), axis=0)
    vol = r.std(axis=0) * np.sqrt(252)
    assert 0.15 < np.median(vol) < 0.5
    gaps = np.log(o[1:] / c[:-1])
    assert np.mean(np.abs(gaps) > 1e-6) > 0.99  # daily bars open away from the previous close
    corr = [np.corrcoef(np.abs(r[:, j]), v[1:, j])[0, 1] for j in range(20)]
    assert min(corr) > 0.3  # volume rises with |return|
    pair = np.corrcoef(r[:, :50].T)[np.triu_indices(50, 1)]
    assert 0.1 < pair.mean() < 0.6  # a common market factor
    # Regimes: rolling volatility of the equal-weight market varies several-fold.
    mkt = r.mean(axis=1)
    roll = np.array([mkt[i : i + 60].std() for i in range(0, len(mkt) - 60, 20)])
    assert roll.max() / roll.min() > 2.5


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    n_symbols=st.integers(1, 6),
    n_bars=st.integers(1, 700),
    freq=st.sampled_from(["1d", "1h", "1m"]),
)
def test_ohlc_invariants(seed: int, n_symbols: int, n_bars: int, freq: str) -> None:
    d, o, h, lo, c, v = synthetic_panel_arrays(n_symbols, n_bars, seed=seed, freq=freq)
    assert o.shape == h.shape == lo.shape == c.shape == v.shape == (n_bars, n_symbols)
    assert len(d) == n_bars and np.all(np.diff(d.astype(np.int64)) > 0)
    for x in (o, h, lo, c, v):
        assert x.dtype == np.float64 and x.flags.c_contiguous and np.isfinite(x).all()
    assert np.all(h >= np.maximum(o, c))
    assert np.all(lo <= np.minimum(o, c))
    assert np.all(lo > 0) and np.all(v >= 0)


@settings(max_examples=15, deadline=None)
@given(seed=st.integers(0, 10_000), symbol=st.text("ABCDXYZ0123", min_size=1, max_size=8))
def test_ohlc_invariants_after_tick_rounding(seed: int, symbol: str) -> None:
    bars = synthetic_bars(symbol, "IN", dt.date(2020, 1, 1), dt.date(2020, 12, 31), seed=seed)
    o, h, lo, c = (bars[k].to_numpy() for k in ("open", "high", "low", "close"))
    assert np.all(h >= np.maximum(o, c)) and np.all(lo <= np.minimum(o, c)) and np.all(lo > 0)


def test_errors() -> None:
    with pytest.raises(ConfigError, match="start"):
        synthetic_bars("X", "IN", END, START)
    with pytest.raises(ConfigError, match="24x7"):
        synthetic_bars("X", "IN", START, END, freq="1m")
    with pytest.raises(ConfigError, match="frequency"):
        synthetic_panel_arrays(1, 10, freq="2d")
