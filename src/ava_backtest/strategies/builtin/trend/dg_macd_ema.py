"""DG MACD + EMA: a bullish MACD cross below zero while price is above a long EMA."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    ema,
    macd,
    previous,
)


class DgMacdEma(Strategy):
    """MACD = EMA(fast) - EMA(slow), Sig = EMA(MACD, macd_signal), Trend = EMA(close, ema_period),
    every EMA seeded with the SMA of its first n values. Everything is read one bar late, as in the
    original. Entry at t: MACD(t-1) > Sig(t-1) and MACD(t-2) <= Sig(t-2), with MACD(t-1) < 0,
    Sig(t-1) < 0 and close(t-1) > Trend(t-1). Exit at t: close(t-1) < Trend(t-1) and close(t-2) >=
    Trend(t-2). No signal before the symbol's bar ``max(ema_period, macd_slow) + 5``.
    """

    name = "dg_macd_ema"
    version = "1.0.0"
    category = "trend"
    description = (
        "Buys a MACD/signal bullish cross below zero while price is above a 365-EMA; exits when "
        "price crosses below that EMA."
    )
    tags = ("macd", "ema", "crossover", "trend")
    macd_fast = Int(12, 2, 50, "MACD fast EMA", below="macd_slow")
    macd_slow = Int(26, 3, 150, "MACD slow EMA", window=True)
    macd_signal = Int(9, 2, 50, "MACD signal EMA")
    ema_period = Int(365, 20, 600, "Trend EMA length", window=True)
    display = (
        Overlay("trend", "EMA {ema_period}"),
        Pane("macd", "MACD {macd_fast}/{macd_slow}", levels=(0.0,)),
        Pane("signal", "Signal {macd_signal}", pane="macd"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        m = macd(bars.close, self.macd_fast, self.macd_slow, self.macd_signal)
        trend = ema(bars.close, self.ema_period)
        m1, s1 = previous(m.macd), previous(m.signal)
        c1, t1 = previous(bars.close), previous(trend)
        ready = bars.ready(self.warmup())
        entry = crossed_above(m1, s1, from_touch=True) & (m1 < 0) & (s1 < 0) & (c1 > t1)
        return Signals(
            long_entry=entry & ready,
            long_exit=crossed_below(c1, t1, from_touch=True) & ready,
            series={"trend": trend, "macd": m.macd, "signal": m.signal},
        )
