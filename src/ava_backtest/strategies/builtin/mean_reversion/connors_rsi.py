"""Connors-style RSI(2): buy a dip above the 200-day SMA, short a spike below it."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    cutler_rsi,
    previous,
    sma,
)


class ConnorsRsi(Strategy):
    """RSI = Cutler's RSI over the last ``rsi_period`` changes (plain means, no smoothing); SMA =
    SMA_n(close) including bar t. Entry long at t: RSI(t) < entry_rsi and close(t-1) > SMA(t).
    At t, RSI(t) > exit_rsi and close(t-1) < SMA(t) closes a long and opens a short; a later long
    entry reverses the short (the original had no other cover rule).

    Differences from the original: its RSI read 0 (deeply oversold) when the window had no down
    close, so strong up-moves bought; here that window reads 100, as an RSI should (a flat window
    reads 50). Its sell signal only closed longs; here it also opens the intended short.
    """

    name = "connors_rsi"
    version = "1.1.0"
    category = "mean_reversion"
    direction = "long_short"
    description = (
        "RSI(2) dip-buy above the 200-day SMA and overbought short below it (Connors style), "
        "with a simple-average RSI."
    )
    tags = ("rsi", "connors", "trend-filter", "mean-reversion", "long-short")
    rsi_period = Int(2, 2, 20, "RSI length (bar-to-bar changes averaged)", window=True)
    entry_rsi = Float(10.0, 1.0, 50.0, "Buy when RSI < entry_rsi", below="exit_rsi")
    exit_rsi = Float(90.0, 50.0, 99.0, "Sell (and short) when RSI > exit_rsi")
    sma_filter_period = Int(200, 50, 400, "Trend-filter SMA length", window=True)
    display = (
        Overlay("sma", "SMA {sma_filter_period}"),
        Pane("rsi", "RSI {rsi_period}", levels=("entry_rsi", "exit_rsi")),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        r = cutler_rsi(bars.close, self.rsi_period)
        trend = sma(bars.close, self.sma_filter_period)
        prev_close = previous(bars.close)
        sell = (r > self.exit_rsi) & (prev_close < trend)
        return Signals(
            long_entry=(r < self.entry_rsi) & (prev_close > trend),
            long_exit=sell,
            short_entry=sell,
            series={"sma": trend, "rsi": r},
        )
