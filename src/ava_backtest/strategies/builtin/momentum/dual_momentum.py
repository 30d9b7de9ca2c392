"""Dual momentum: hold the top-N symbols whose ~12-month return is positive and beats the benchmark."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy, pct_change


class DualMomentum(Strategy):
    """Absolute plus relative momentum across the universe, rebalanced on a fixed cadence.

    L = 21 * lookback_months bars; RET(t) = close(t) / close(t-L) - 1 per symbol, BRET(t) the same
    for the benchmark (``requires``: a run without one fails naming it). Rebalance bars are t >= L
    with (t - L) % rebalance_frequency == 0, counted from the first bar loaded. There a symbol is
    eligible when RET(t) > 0 and RET(t) > BRET(t); the ``top_n`` eligible ones with the highest
    RET (ties: the symbol listed first) get ``long_entry`` with ``size = 1/top_n`` and ``priority
    = RET``, every other symbol ``long_exit``. An undefined return is never eligible, so a
    rebalance bar without a benchmark value exits everything. No signals between rebalances.

    Deviation from the catalogue: the original v2.0.0 was absolute momentum only, with a counter
    and position flag leaking between symbols. This is what the name promises, ranked across the
    universe, with the new parameter ``top_n``.
    """

    name = "dual_momentum"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Dual momentum: on a fixed rebalance cadence, hold the top_n stocks whose ~12-month return "
        "is positive and beats the benchmark's."
    )
    tags = ("momentum", "relative-strength", "rotation", "benchmark")
    requires = ("benchmark",)
    cross_sectional = True
    lookback_months = Int(12, 1, 24, "Lookback in months; converted to L = 21*lookback_months bars")
    rebalance_frequency = Int(21, 5, 63, "Evaluate only every this many bars")
    top_n = Int(1, 1, 50, "Number of symbols held: the strongest eligible ones")
    display = (Pane("momentum", "Return over {lookback_months} months", levels=(0.0,)),)

    def warmup(self) -> int:
        return 21 * self.lookback_months + 1

    def signals(self, bars: Bars) -> Signals:
        lag = 21 * self.lookback_months
        ret = pct_change(bars.close, lag)
        bench_ret = pct_change(bars.need("benchmark"), lag)
        rows = np.arange(lag, bars.n_bars, self.rebalance_frequency)
        eligible = (ret[rows] > 0.0) & (ret[rows] > bench_ret[rows, None])
        order = np.argsort(-np.where(eligible, ret[rows], -np.inf), axis=1, kind="stable")
        place = np.empty_like(order)
        np.put_along_axis(place, order, np.arange(bars.n_symbols)[None, :], axis=1)
        entry = np.zeros(ret.shape, dtype=np.bool_)
        exit_ = np.zeros(ret.shape, dtype=np.bool_)
        entry[rows] = eligible & (place < self.top_n)
        exit_[rows] = ~entry[rows]
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            size=np.where(entry, 1.0 / self.top_n, np.nan),
            priority=np.where(entry, ret, np.nan),
            series={"momentum": ret},
        )
