"""The transpiler maps Pine's built-ins to the indicator library; these check that the library
computes what Pine's reference formulas compute, each written out here bar by bar from Pine's
documentation (ta.rma-based RSI and ATR, SMA-seeded EMA, population stdev, crossover from a
touch, the stochastic over (high, low), change, rising/falling), on a random-walk OHLC panel."""

from __future__ import annotations

import math

import numpy as np
import pytest

from ava_backtest.builder.pine import transpile
from ava_backtest.strategies import (
    atr,
    cci,
    crossed_above,
    ema,
    previous,
    rma,
    rsi,
    sma,
    stddev,
    stochastic,
    williams_r,
)

N = 400


@pytest.fixture(scope="module")
def ohlc() -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    rng = np.random.default_rng(7)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.015, (N, 2)), axis=0))
    high = close * (1 + rng.uniform(0, 0.02, (N, 2)))
    low = close * (1 - rng.uniform(0, 0.02, (N, 2)))
    return high, low, close


def pine_sma(x: list[float], n: int) -> list[float]:
    return [math.nan if i < n - 1 else sum(x[i - n + 1 : i + 1]) / n for i in range(len(x))]


def pine_ema(x: list[float], n: int, alpha: float | None = None) -> list[float]:
    """ta.ema / ta.rma: sum := na(sum[1]) ? ta.sma(src, length) : alpha * src + (1 - alpha) * sum[1]"""
    a = 2 / (n + 1) if alpha is None else alpha
    out: list[float] = []
    seed = pine_sma(x, n)
    for i, v in enumerate(x):
        prev = out[-1] if out else math.nan
        out.append(seed[i] if math.isnan(prev) else a * v + (1 - a) * prev)
    return out


def pine_rsi(x: list[float], n: int) -> list[float]:
    up = [math.nan] + [max(x[i] - x[i - 1], 0.0) for i in range(1, len(x))]
    dn = [math.nan] + [max(x[i - 1] - x[i], 0.0) for i in range(1, len(x))]
    u = [math.nan, *pine_ema(up[1:], n, 1 / n)]
    d = [math.nan, *pine_ema(dn[1:], n, 1 / n)]
    return [
        math.nan if math.isnan(a) else 100 - 100 / (1 + a / b) for a, b in zip(u, d, strict=False)
    ]


def col(a: np.ndarray, j: int = 0) -> list[float]:
    return [float(v) for v in a[:, j]]


def close_enough(ours: np.ndarray, ref: list[float]) -> None:
    np.testing.assert_allclose(ours, np.array(ref), rtol=1e-9, atol=1e-9, equal_nan=True)


def test_ema_sma_rma_rsi_are_pines(ohlc):
    _, _, c = ohlc
    x = col(c)
    close_enough(sma(c, 20)[:, 0], pine_sma(x, 20))
    close_enough(ema(c, 20)[:, 0], pine_ema(x, 20))
    close_enough(rma(c, 14)[:, 0], pine_ema(x, 14, 1 / 14))
    close_enough(rsi(c, 14)[:, 0], pine_rsi(x, 14))


def test_atr_is_the_rma_of_pines_true_range(ohlc):
    h, lo, c = ohlc
    tr = [h[0, 0] - lo[0, 0]] + [
        max(h[i, 0] - lo[i, 0], abs(h[i, 0] - c[i - 1, 0]), abs(lo[i, 0] - c[i - 1, 0]))
        for i in range(1, N)
    ]
    close_enough(atr(h, lo, c, 14)[:, 0], pine_ema(tr, 14, 1 / 14))


def test_stdev_is_population_and_stoch_wpr_cci_follow_pine(ohlc):
    h, lo, c = ohlc
    x = col(c)
    ref = [math.nan if i < 19 else float(np.std(np.array(x[i - 19 : i + 1]))) for i in range(N)]
    close_enough(stddev(c, 20)[:, 0], ref)
    hh = [math.nan if i < 13 else max(h[i - 13 : i + 1, 0]) for i in range(N)]
    ll = [math.nan if i < 13 else min(lo[i - 13 : i + 1, 0]) for i in range(N)]
    raw = [100 * (x[i] - ll[i]) / (hh[i] - ll[i]) for i in range(N)]
    close_enough(stochastic(h, lo, c, 14, 1, 1).k[:, 0], raw)
    close_enough(
        williams_r(h, lo, c, 14)[:, 0], [-100 * (hh[i] - x[i]) / (hh[i] - ll[i]) for i in range(N)]
    )
    ma = pine_sma(x, 20)
    dev = [
        math.nan if i < 19 else sum(abs(v - ma[i]) for v in x[i - 19 : i + 1]) / 20
        for i in range(N)
    ]
    close_enough(cci(c, c, c, 20)[:, 0], [(x[i] - ma[i]) / (0.015 * dev[i]) for i in range(N)])


def test_crossover_counts_a_cross_from_a_touch(ohlc):
    a = np.array([[1.0], [2.0], [2.0], [3.0], [1.0], [2.5]])
    b = np.full_like(a, 2.0)
    # Pine: a > b and a[1] <= b[1]
    ref = [False] + [bool(a[i, 0] > 2 and a[i - 1, 0] <= 2) for i in range(1, 6)]
    assert (
        crossed_above(a, b, from_touch=True)[:, 0].tolist()
        == ref
        == [
            False,
            False,
            False,
            True,
            False,
            True,
        ]
    )


def _run(src: str, bars_close: np.ndarray, h: np.ndarray, lo: np.ndarray):
    """Execute a transpiled file's signals on a panel and return its namespace's class."""
    from ava_backtest.domain.bars import Bars

    code = transpile(src, "ind_probe").code
    ns: dict[str, object] = {}
    exec(compile(code, "ind_probe.py", "exec"), ns)
    cls = ns["IndProbe"]
    dates = np.datetime64("2020-01-01") + np.arange(N)
    bars = Bars(
        open=bars_close.copy(),
        high=h,
        low=lo,
        close=bars_close,
        volume=np.ones_like(bars_close),
        dates=dates.astype("datetime64[ns]"),
        symbols=("A", "B"),
    )
    return cls().signals(bars)  # type: ignore[operator]


def test_change_rising_and_history_in_generated_code_match_pine(ohlc):
    h, lo, c = ohlc
    src = (
        '//@version=5\nstrategy("probe")\n'
        "up = ta.rising(close, 3)\n"
        "ch = ta.change(close, 2)\n"
        'strategy.entry("L", strategy.long, when=up and ch > 0)\n'
        'strategy.close("L", when=close < close[4])\n'
    )
    sig = _run(src, c, h, lo)
    x = col(c)
    rising = [i >= 3 and all(x[i] > x[i - k] for k in (1, 2, 3)) for i in range(N)]
    entry = [rising[i] and i >= 2 and x[i] - x[i - 2] > 0 for i in range(N)]
    assert sig.long_entry[:, 0].tolist() == entry
    assert sig.long_exit[:, 0].tolist() == [i >= 4 and x[i] < x[i - 4] for i in range(N)]
    assert (previous(c, 4)[4:, 0] == c[:-4, 0]).all()


def pine_wma(x: list[float], n: int) -> list[float]:
    w = n * (n + 1) / 2
    return [
        math.nan
        if i < n - 1 or any(math.isnan(v) for v in x[i - n + 1 : i + 1])
        else sum(x[i - k] * (n - k) for k in range(n)) / w
        for i in range(len(x))
    ]


def test_hma_is_pines_formula_with_the_rounded_square_root(ohlc):
    h, lo, c = ohlc
    src = (
        '//@version=5\nstrategy("probe", overlay=true)\n'
        'm = ta.hma(close, 21)\nplot(m, "HMA")\n'
        'strategy.entry("L", strategy.long, when=close > m)\n'
    )
    sig = _run(src, c, h, lo)
    x = col(c)
    inner = [2 * a - b for a, b in zip(pine_wma(x, 10), pine_wma(x, 21), strict=True)]
    ref = pine_wma(inner, 5)  # round(sqrt(21)) = 5
    np.testing.assert_allclose(sig.series["m"][:, 0], np.array(ref), rtol=1e-9, equal_nan=True)
