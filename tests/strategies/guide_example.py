"""The strategy of docs/strategies/ADDING_STRATEGIES.md, verbatim: importing this module registers
it, and the registry suite (test_registry_suite.py) then checks it like every built-in."""

from ava_backtest.strategies import Bars, Float, Int, Overlay, Pane, Signals, Strategy, rsi, sma


class TrendPullback(Strategy):
    """Buy an oversold dip inside an uptrend: entry at t when close(t) > SMA_trend(t) and
    RSI_n(t) < oversold; exit when RSI_n(t) > exit_level, or at the stop ``stop_loss`` below the
    fill price."""

    name = "guide_trend_pullback"
    category = "mean_reversion"
    description = "Buys an RSI dip while the close is above its long moving average."
    trend_period = Int(100, 20, 300, "Trend SMA length", window=True)
    rsi_period = Int(5, 2, 30, "RSI length", below="trend_period", window=True)
    oversold = Float(25.0, 5, 45, "Entry when RSI is below this", below="exit_level")
    exit_level = Float(60.0, 50, 95, "Exit when RSI is above this")
    stop_loss = Float(0.08, 0.01, 0.5, "Stop distance below the fill price, as a fraction")
    display = (
        Overlay("trend", "SMA {trend_period}"),
        Pane("rsi", "RSI {rsi_period}", levels=("oversold", "exit_level")),
    )

    def signals(self, bars: Bars) -> Signals:
        trend = sma(bars.close, self.trend_period)
        r = rsi(bars.close, self.rsi_period)
        return Signals(
            long_entry=(bars.close > trend) & (r < self.oversold),
            long_exit=r > self.exit_level,
            stop_loss=self.stop_loss,
            series={"trend": trend, "rsi": r},
        )
