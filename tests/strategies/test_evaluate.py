"""compute_signals: a symbol with interior gaps is evaluated on its own bars, and nothing the
strategy returned (time stop, display series) is lost on the way back."""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy


def _bars_with_a_gap() -> Bars:
    rng = np.random.default_rng(3)
    close = 100 * np.exp(np.cumsum(rng.normal(0, 0.02, (300, 2)), axis=0))
    close[150:155, 1] = np.nan  # a halt in the second symbol
    dates = np.arange(300).astype("datetime64[D]").astype("datetime64[ns]")
    return Bars(dates, ("A", "B"), close, close * 1.01, close * 0.99, close, np.ones_like(close))


def test_gappy_symbols_keep_the_time_stop_and_the_display_series():
    bars = _bars_with_a_gap()
    sig = compute_signals(get_strategy("rsi_mean_reversion")(max_hold_days=7), bars)
    assert sig.max_hold == 7
    rsi = sig.series["rsi"]
    assert rsi.shape == (300, 2) and np.isnan(rsi[150:155, 1]).all()
    alone = get_strategy("rsi_mean_reversion")(max_hold_days=7).signals(
        bars.select([1]).prefix(150)
    )
    np.testing.assert_array_equal(rsi[:150, 1], alone.series["rsi"][:, 0])
    assert np.isfinite(rsi[155:, 1]).all()  # computed on the symbol's own bars across the halt


def test_gappy_columns_are_those_with_a_hole_between_their_first_and_last_bar():
    from ava_backtest.indicators.cache import indicator_cache
    from ava_backtest.strategies.evaluate import _gappy_columns

    rng = np.random.default_rng(5)
    for _ in range(300):
        t, n = int(rng.integers(1, 40)), int(rng.integers(1, 9))
        close = rng.normal(100.0, 1.0, (t, n))
        close[rng.random((t, n)) < rng.random()] = np.nan
        valid = ~np.isnan(close)
        want = [
            j
            for j in range(n)
            if valid[:, j].any()
            and (np.flatnonzero(valid[:, j])[-1] - np.flatnonzero(valid[:, j])[0] + 1)
            > valid[:, j].sum()
        ]
        with indicator_cache():
            assert _gappy_columns(close).tolist() == want
