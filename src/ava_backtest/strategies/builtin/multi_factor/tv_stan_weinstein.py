"""Stan Weinstein stage-2 breakout: buy a close over the prior 52-bar high on rising volume,
above the 30-bar average, while the stock outperforms its comparison symbol; sell under the
average."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    Text,
    highest,
    pct_change,
    sma,
)


class TvStanWeinstein(Strategy):
    """PMA = SMA(close, price_ma_length), VMA = SMA(volume, volume_ma_length), HH = highest high
    of highest_lookback bars (bar included). RS(i) = the stock's rs_period return minus that of
    ``comparative_symbol`` (``requires``: its closes, from the market's data). Entry at t: close(t)
    > PMA(t-1), RS(t-1) > 0, volume(t) > VMA(t-1) and close(t) > HH(t-1). Exit at t: close(t) <
    PMA(t-1). Weinstein's weekly lengths (30-week average, 52-week high) are applied to daily
    bars, as in the original.

    Differences: the original loaded no comparison data; its "relative strength" was 0.3 x the
    stock's own return, so RS > 0 only asked for a positive return. Here the stock must beat
    comparative_symbol (SPY by default: the sample data has no SPY, so a run on it fails naming
    SPY unless comparative_symbol is set, e.g. to GSPC). The original gave no signal at all where
    any indicator was undefined; here only the entry needs RS, so a gap in the comparison
    symbol's data does not hold a long open.
    """

    name = "tv_stan_weinstein"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Stage-2 breakout: buys a close above the prior 52-bar high on above-average volume, "
        "above the prior 30-bar SMA, while outperforming the comparison symbol over 50 bars; "
        "sells below the SMA."
    )
    tags = ("weinstein", "stage-analysis", "breakout", "relative-strength", "volume", "benchmark")
    requires = ("benchmark_symbol",)
    benchmark_parameter = "comparative_symbol"
    rs_period = Int(50, 1, 500, "Return lookback of the relative strength test", window=True)
    volume_ma_length = Int(5, 1, 200, "Volume SMA length", window=True)
    price_ma_length = Int(30, 1, 500, "Price SMA length", window=True)
    highest_lookback = Int(52, 1, 500, "Highest-high window length", window=True)
    comparative_symbol = Text("SPY", "Symbol the stock's return is compared with")
    display = (
        Overlay("price_ma", "SMA {price_ma_length}"),
        Overlay("high", "Highest high {highest_lookback}"),
        Pane("rs", "Return over {rs_period} bars minus {comparative_symbol}'s", levels=(0.0,)),
    )
    warmup_extra = 10

    def signals(self, bars: Bars) -> Signals:
        c, v = bars.close, bars.volume
        bench = np.asarray(bars.need("benchmark_symbol"), dtype=np.float64)
        pma = sma(c, self.price_ma_length)
        vma = sma(v, self.volume_ma_length)
        hh = highest(bars.high, self.highest_lookback)
        rs = pct_change(c, self.rs_period) - pct_change(bench, self.rs_period)[:, None]
        # Bar t's rule compares bar t with levels of bar t-1: views one row back.
        now, then = slice(1, None), slice(None, -1)
        entry = np.zeros(c.shape, dtype=np.bool_)
        entry[now] = (
            (c[now] > pma[then]) & (rs[then] > 0.0) & (v[now] > vma[then]) & (c[now] > hh[then])
        )
        exit_ = np.zeros(c.shape, dtype=np.bool_)
        exit_[now] = c[now] < pma[then]
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            series={"price_ma": pma, "high": hh, "rs": rs},
        )
