"""The contract every indicator keeps (docs/indicators.md):

- causal: computed on bars[:k] it gives exactly the full computation's values at bars < k;
- column-wise: a column of a (bars, symbols) block equals the 1-D computation on that column, and a
  column that starts late (leading NaNs) equals the computation on its trimmed history;
- same shape out as in, 1-D or 2-D; the warm-up is the documented number of bars.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from typing import Any

import numpy as np
import pytest

import ava_backtest.indicators as ind
from ava_backtest.data.sample_store import read_sample

LEAD = 300  # the block's second column starts here


def _load(symbol: str) -> dict[str, np.ndarray]:
    df = read_sample("US", symbol)
    factor = (df["adj_close"] / df["close"]).to_numpy()
    bars = {k: df[k].to_numpy() * factor for k in ("open", "high", "low", "close")}
    bars["volume"] = df["volume"].to_numpy().astype(np.float64)
    return bars


AAPL = _load("AAPL")
MSFT = _load("MSFT")
ROWS = len(AAPL["close"])
SESSION = np.arange(ROWS) // 5  # weekly-ish anchors for the session VWAP


def _block() -> dict[str, np.ndarray]:
    out = {k: np.column_stack([AAPL[k], MSFT[k]]) for k in AAPL}
    for v in out.values():
        v[:LEAD, 1] = np.nan
    return out


BLOCK = _block()

Call = Callable[[dict[str, np.ndarray], np.ndarray], Any]


def _ohlc(f: Callable[..., Any]) -> Call:
    return lambda d, s: f(d["open"], d["high"], d["low"], d["close"])


def _hlc(f: Callable[..., Any]) -> Call:
    return lambda d, s: f(d["high"], d["low"], d["close"])


def _hl(f: Callable[..., Any]) -> Call:
    return lambda d, s: f(d["high"], d["low"])


def _c(f: Callable[..., Any]) -> Call:
    return lambda d, s: f(d["close"])


# name -> (call, warm-up): an int for every output, a dict per NamedTuple field, None for event
# series (pivots, crosses) that are NaN/False except on events.
REGISTRY: dict[str, tuple[Call, Any]] = {
    "sma": (_c(lambda c: ind.sma(c, 10)), 9),
    "ema": (_c(lambda c: ind.ema(c, 10)), 9),
    "ema_first": (_c(lambda c: ind.ema(c, 10, "first")), 0),
    "ewm": (_c(lambda c: ind.ewm(c, 0.3, 5, 7)), 7),
    "rma": (_c(lambda c: ind.rma(c, 10)), 9),
    "rma_first": (_c(lambda c: ind.rma(c, 10, "first")), 0),
    "wma": (_c(lambda c: ind.wma(c, 10)), 9),
    "hma": (_c(lambda c: ind.hma(c, 16)), 18),
    "dema": (_c(lambda c: ind.dema(c, 10)), 18),
    "tema": (_c(lambda c: ind.tema(c, 10)), 27),
    "true_range": (_hlc(ind.true_range), 1),
    "true_range_hl": (_hlc(lambda h, lo, c: ind.true_range(h, lo, c, "high_low")), 0),
    "atr": (_hlc(lambda h, lo, c: ind.atr(h, lo, c, 14)), 13),
    "atr_talib": (_hlc(lambda h, lo, c: ind.atr(h, lo, c, 14, "talib")), 14),
    "natr": (_hlc(lambda h, lo, c: ind.natr(h, lo, c, 14)), 13),
    "bollinger": (_c(lambda c: ind.bollinger(c, 20)), 19),
    "keltner": (_hlc(lambda h, lo, c: ind.keltner(h, lo, c, 20, 2.0, 10)), 19),
    "donchian": (_hl(lambda h, lo: ind.donchian(h, lo, 20)), 19),
    "williams_vix_fix": (lambda d, s: ind.williams_vix_fix(d["close"], d["low"], 22), 21),
    "volatility_stop": (
        _hlc(lambda h, lo, c: ind.volatility_stop(c, 3.0 * ind.atr(h, lo, c, 14))),
        13,
    ),
    "rsi": (_c(lambda c: ind.rsi(c, 14)), 14),
    "cutler_rsi": (_c(lambda c: ind.cutler_rsi(c, 14)), 14),
    "macd": (_c(ind.macd), {"macd": 25, "signal": 33, "hist": 33}),
    "macd_talib": (
        _c(lambda c: ind.macd(c, convention="talib")),
        {"macd": 25, "signal": 33, "hist": 33},
    ),
    "stochastic": (_hlc(lambda h, lo, c: ind.stochastic(h, lo, c, 14, 3, 3)), {"k": 15, "d": 17}),
    "williams_r": (_hlc(lambda h, lo, c: ind.williams_r(h, lo, c, 14)), 13),
    "cci": (_hlc(lambda h, lo, c: ind.cci(h, lo, c, 20)), 19),
    "roc": (_c(lambda c: ind.roc(c, 10)), 10),
    "momentum": (_c(lambda c: ind.momentum(c, 10)), 10),
    "pct_change": (_c(lambda c: ind.pct_change(c, 10)), 10),
    "previous": (_c(lambda c: ind.previous(c, 3)), 3),
    "tsi": (_c(lambda c: ind.tsi(c, 25, 13)), 37),
    "adx": (
        _hlc(lambda h, lo, c: ind.adx(h, lo, c, 14)),
        {"adx": 27, "plus_di": 14, "minus_di": 14, "dx": 14},
    ),
    "adx_talib": (
        _hlc(lambda h, lo, c: ind.adx(h, lo, c, 14, convention="talib")),
        {"adx": 27, "plus_di": 14, "minus_di": 14, "dx": 14},
    ),
    "adx_smoothing": (
        _hlc(lambda h, lo, c: ind.adx(h, lo, c, 10, 5)),
        {"adx": 14, "plus_di": 10, "minus_di": 10, "dx": 10},
    ),
    "aroon": (_hl(lambda h, lo: ind.aroon(h, lo, 25)), 25),
    "directional_movement": (_hl(ind.directional_movement), 1),
    "aroon_oldest": (_hl(lambda h, lo: ind.aroon(h, lo, 25, "oldest")), 25),
    "supertrend": (_hlc(lambda h, lo, c: ind.supertrend(h, lo, c, 10, 3.0)), 9),
    "supertrend_sma": (_hlc(lambda h, lo, c: ind.supertrend(h, lo, c, 10, 3.0, "sma")), 10),
    "ichimoku": (
        _hl(ind.ichimoku),
        {"tenkan": 8, "kijun": 25, "span_a": 25, "span_b": 51, "cloud_a": 50, "cloud_b": 76},
    ),
    "parabolic_sar": (_hl(ind.parabolic_sar), 1),
    "obv": (lambda d, s: ind.obv(d["close"], d["volume"]), 0),
    "obv_talib": (lambda d, s: ind.obv(d["close"], d["volume"], "talib"), 0),
    "mfi": (lambda d, s: ind.mfi(d["high"], d["low"], d["close"], d["volume"], 14), 14),
    "vwap": (lambda d, s: ind.vwap(d["high"], d["low"], d["close"], d["volume"], s), 0),
    "linreg": (_c(lambda c: ind.linreg(c, 14)), 13),
    "linreg_value": (_c(lambda c: ind.linreg_value(c, 14)), 13),
    "linreg_slope": (_c(lambda c: ind.linreg_slope(c, 14)), 13),
    "linreg_channel": (_c(lambda c: ind.linreg_channel(c, 14, 2.0)), 13),
    "rolling_sum": (_c(lambda c: ind.rolling_sum(c, 20)), 19),
    "highest": (_c(lambda c: ind.highest(c, 20)), 19),
    "lowest": (_c(lambda c: ind.lowest(c, 20)), 19),
    "bars_since_highest": (_c(lambda c: ind.bars_since_highest(c, 20)), 19),
    "bars_since_lowest": (_c(lambda c: ind.bars_since_lowest(c, 20)), 19),
    "bars_since_highest_oldest": (_c(lambda c: ind.bars_since_highest(c, 20, "oldest")), 19),
    "bars_since_lowest_oldest": (_c(lambda c: ind.bars_since_lowest(c, 20, "oldest")), 19),
    "stddev": (_c(lambda c: ind.stddev(c, 20)), 19),
    "stddev_sample": (_c(lambda c: ind.stddev(c, 20, 1)), 19),
    "zscore": (_c(lambda c: ind.zscore(c, 20)), 19),
    "percentile_rank": (_c(lambda c: ind.percentile_rank(c, 20)), 20),
    "rank_below": (_c(lambda c: ind.rank_below(c, 20)), 19),
    "heikin_ashi": (_ohlc(ind.heikin_ashi), 0),
    "typical_price": (_hlc(ind.typical_price), 0),
    "median_price": (_hl(ind.median_price), 0),
    "pivot_points": (_hlc(ind.pivot_points), 1),
    "pivot_high": (lambda d, s: ind.pivot_high(d["high"], 3, 2), None),
    "pivot_low": (lambda d, s: ind.pivot_low(d["low"], 2, 4), None),
    "fractals": (_hl(ind.fractals), None),
    "crossed_above": (_c(lambda c: ind.crossed_above(ind.ema(c, 5), ind.sma(c, 20))), None),
    "crossed_below": (_c(lambda c: ind.crossed_below(c, ind.sma(c, 50))), None),
    "crossed_above_level": (_c(lambda c: ind.crossed_above(ind.rsi(c, 14), 70.0)), None),
    "value_when": (_hl(lambda h, lo: ind.value_when(h, ind.pivot_high(h, 2, 2))), None),
}


def _outputs(result: Any) -> dict[str, np.ndarray]:
    if isinstance(result, tuple):
        return dict(result._asdict())
    return {"": result}


def _prefix(d: dict[str, np.ndarray], k: int) -> dict[str, np.ndarray]:
    return {name: v[:k] for name, v in d.items()}


def _column(d: dict[str, np.ndarray], j: int, start: int = 0) -> dict[str, np.ndarray]:
    return {name: v[start:, j].copy() for name, v in d.items()}


def test_registry_covers_every_public_indicator() -> None:
    public = {name for name in ind.__all__ if inspect.isfunction(getattr(ind, name))}
    assert len(public) > 50
    missing = {p for p in public if not any(k == p or k.startswith(p + "_") for k in REGISTRY)}
    assert not missing, f"indicators without a contract check: {sorted(missing)}"


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_causal_prefix_invariance(name: str) -> None:
    call, _ = REGISTRY[name]
    for bars in (AAPL, BLOCK):
        full = _outputs(call(bars, SESSION))
        for k in (1, 2, 3, 17, 60, 333, 1234, ROWS - 1):
            part = _outputs(call(_prefix(bars, k), SESSION[:k]))
            for field, values in full.items():
                np.testing.assert_array_equal(
                    part[field], values[:k], err_msg=f"{name}.{field} on bars[:{k}]"
                )


@pytest.mark.parametrize("name", sorted(REGISTRY))
def test_columns_are_independent_and_start_from_their_first_value(name: str) -> None:
    call, _ = REGISTRY[name]
    block = _outputs(call(BLOCK, SESSION))
    for j in (0, 1):
        alone = _outputs(call(_column(BLOCK, j), SESSION))
        for field, values in block.items():
            assert values.shape == BLOCK["close"].shape
            assert alone[field].shape == (ROWS,)
            np.testing.assert_array_equal(values[:, j], alone[field], err_msg=f"{name}.{field}")
    # The late column, trimmed to its own history, gives the same values: its warm-up counts
    # from its first bar, not from row 0.
    trimmed = _outputs(call(_column(BLOCK, 1, LEAD), SESSION[LEAD:]))
    for field, values in block.items():
        np.testing.assert_array_equal(values[LEAD:, 1], trimmed[field], err_msg=f"{name}.{field}")
        if values.dtype == np.bool_:
            assert not values[:LEAD, 1].any()
        else:
            assert np.isnan(values[:LEAD, 1]).all()


@pytest.mark.parametrize("name", sorted(k for k, (_, w) in REGISTRY.items() if w is not None))
def test_warmup_is_as_documented(name: str) -> None:
    call, warmup = REGISTRY[name]
    block = _outputs(call(BLOCK, SESSION))
    for field, values in block.items():
        w = warmup[field] if isinstance(warmup, dict) else warmup
        for j, lead in ((0, 0), (1, LEAD)):
            col = values[:, j]
            assert np.isnan(col[: lead + w]).all(), f"{name}.{field}: value before bar {w}"
            assert np.isfinite(col[lead + w :]).all(), f"{name}.{field}: gap after bar {w}"


def test_event_series_fire_and_stay_quiet_otherwise() -> None:
    f = ind.fractals(AAPL["high"], AAPL["low"])
    assert 100 < np.isfinite(f.high).sum() < ROWS // 3
    assert 100 < np.isfinite(f.low).sum() < ROWS // 3
    up = ind.crossed_above(ind.ema(AAPL["close"], 5), ind.sma(AAPL["close"], 20))
    down = ind.crossed_below(ind.ema(AAPL["close"], 5), ind.sma(AAPL["close"], 20))
    assert up.dtype == np.bool_ and 20 < up.sum() < ROWS // 5
    assert not (up & down).any()


@pytest.mark.parametrize(
    "call",
    [
        lambda x: ind.sma(x, 0),
        lambda x: ind.ema(x, 0),
        lambda x: ind.ema(x, 3, "zero"),
        lambda x: ind.rsi(x, 2.5),
        lambda x: ind.hma(x, 1),
        lambda x: ind.linreg(x, 1),
        lambda x: ind.stddev(x, 1, 1),
        lambda x: ind.macd(x, convention="pandas"),
        lambda x: ind.true_range(x, x, x, "zero"),
        lambda x: ind.ewm(x, 1.5),
        lambda x: ind.parabolic_sar(x, x, 0.3, 0.2),
        lambda x: ind.sma(np.zeros((3, 2, 2)), 2),
        lambda x: ind.atr(x, x[:-1], x),
        lambda x: ind.vwap(x, x, x, x, np.arange(3)),
    ],
)
def test_bad_arguments_are_errors_that_say_so(call: Callable[[np.ndarray], Any]) -> None:
    with pytest.raises((ValueError, TypeError)):
        call(np.linspace(1.0, 2.0, 50))


def test_integral_float_periods_are_accepted() -> None:
    x = AAPL["close"]
    np.testing.assert_array_equal(ind.ema(x, 10.0), ind.ema(x, 10))
    np.testing.assert_array_equal(ind.sma(x, np.int32(10)), ind.sma(x, 10))


def test_inputs_are_never_written_to() -> None:
    block = {k: v.copy() for k, v in BLOCK.items()}
    for call, _ in REGISTRY.values():
        call(block, SESSION)
    for k, v in BLOCK.items():
        np.testing.assert_array_equal(block[k], v)


def test_read_only_inputs_are_accepted() -> None:
    c = AAPL["close"].copy()
    c.flags.writeable = False
    np.testing.assert_array_equal(ind.ema(c, 10), ind.ema(AAPL["close"], 10))
