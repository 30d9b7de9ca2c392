"""Momentum breakout: buy a close above the prior N-bar high, exit on a close below an SMA."""

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, highest, previous, sma


class MomentumBreakout(Strategy):
    """CH(t) = max(high(t-channel_period .. t-1)) (bar t excluded); MA(t) = SMA(close)(t). Entry
    at t: close(t) > CH(t). Exit at t: close(t) < MA(t). No signal while fewer than
    max(channel_period, exit_ma_period) + 1 bars of the symbol exist (the original's guard).

    The engine's position replaces the original's flag: a bar where both rules hold is an exit
    while long and an entry while flat, as in the original (whose flag leaked between symbols).
    """

    name = "momentum_breakout"
    version = "2.0.0"
    category = "momentum"
    description = (
        "Buys a close above the prior N-bar high and exits when the close falls below a simple "
        "moving average."
    )
    tags = ("breakout", "donchian", "momentum")
    channel_period = Int(
        20, 5, 60, "Donchian lookback for the breakout high (prior bars)", window=True
    )
    exit_ma_period = Int(20, 5, 60, "SMA length for the exit", window=True)
    display = (
        Overlay("channel", "High of prior {channel_period}"),
        Overlay("exit_ma", "SMA {exit_ma_period}"),
    )

    def signals(self, bars: Bars) -> Signals:
        channel = previous(highest(bars.high, self.channel_period))
        ma = sma(bars.close, self.exit_ma_period)
        ready = bars.ready(max(self.channel_period, self.exit_ma_period))
        return Signals(
            long_entry=(bars.close > channel) & ready,
            long_exit=(bars.close < ma) & ready,
            series={"channel": channel, "exit_ma": ma},
        )
