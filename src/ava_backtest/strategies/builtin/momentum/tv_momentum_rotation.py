"""Relative momentum against a named benchmark: buy when the stock's momentum lead over the
benchmark crosses above its average while positive, sell when it crosses below while negative."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    Text,
    pct_change,
    sma,
)


class TvMomentumRotation(Strategy):
    """ROC(t) = close(t)/close(t-m) - 1 for the stock and the same for the benchmark named by
    benchmark_symbol (``requires``: benchmark_symbol, its closes from the market's data, e.g.
    SPY); RS(t) = ROC(t) - ROC_bench(t); SIG = SMA_s(RS). Entry at t: RS(t-2) <= SIG(t-2), RS(t-1)
    > SIG(t-1) and RS(t-1) > 0; exit at t: RS(t-2) >= SIG(t-2), RS(t-1) < SIG(t-1) and RS(t-1) < 0
    (the original's timing: one bar after the cross).

    The original ignored benchmark_symbol and faked the benchmark as 0.6 x the stock's own ROC,
    so RS was 0.4 x ROC. Here the named symbol's real closes: on data without it (the sample has
    GSPC, no SPY) the run fails naming it; pass benchmark_symbol=GSPC there. Where the benchmark
    has no close (outside its coverage) there is no entry, and an open position is sold.
    """

    name = "tv_momentum_rotation"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Trades crossovers of the stock's momentum lead over a benchmark (SPY by default) with "
        "its SMA: buy on a cross up while leading, sell on a cross down while lagging."
    )
    tags = ("momentum", "relative-strength", "benchmark")
    requires = ("benchmark_symbol",)
    benchmark_symbol = Text("SPY", "Symbol whose momentum the stock's is compared with")
    momentum_length = Int(20, 1, 252, "m: rate-of-change lookback", window=True)
    signal_length = Int(10, 1, 100, "s: SMA length of the relative-strength line", window=True)
    display = (Pane("rs", "ROC {momentum_length} minus {benchmark_symbol}'s", levels=(0.0,)),
               Pane("rs_signal", "SMA {signal_length} of the relative strength"))  # fmt: skip

    def warmup(self) -> int:
        return self.momentum_length + self.signal_length + 5

    def signals(self, bars: Bars) -> Signals:
        bench = np.asarray(bars.need("benchmark_symbol"), dtype=np.float64)
        rs = (
            pct_change(bars.close, self.momentum_length)
            - pct_change(bench, self.momentum_length)[:, None]
        )
        sig = sma(rs, self.signal_length)
        d = rs - sig
        # The cross on bar s = t-1 (from s-1 to s), acted on at t: one slice, no lagged copies.
        up = (d[:-1] <= 0) & (d[1:] > 0) & (rs[1:] > 0)
        down = (d[:-1] >= 0) & (d[1:] < 0) & (rs[1:] < 0)
        entry = np.zeros(rs.shape, dtype=np.bool_)
        leave = np.zeros(rs.shape, dtype=np.bool_)
        entry[2:] = up[:-1]
        leave[2:] = down[:-1]
        return Signals(
            long_entry=entry,
            long_exit=leave | np.isnan(bench)[:, None],
            series={"rs": rs, "rs_signal": sig},
        )
