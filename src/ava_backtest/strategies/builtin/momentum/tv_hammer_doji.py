"""Hammer / doji: buy a hammer below the EMA-50, or a doji above it after an up close."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    previous,
)


class TvHammerDoji(Strategy):
    """Bar t: BODY = |close - open|, RANGE = high - low, UPPER = high - max(open, close), LOWER =
    min(open, close) - low; EMA = EMA(close, ema_period) seeded at the first close. Entry at t, a
    hammer: RANGE > 0, LOWER > hammer_wick_ratio x BODY, UPPER < hammer_body_ratio x BODY and
    close < EMA; or a doji continuation: RANGE > 0, BODY < doji_body_ratio x RANGE, close > EMA
    and close(t-1) > close(t-2). Exits (engine): the time stop ``max_hold_days`` (the fill bar is
    bar 1), and ``stop_loss_pct`` / ``take_profit_pct`` from the fill when set.

    The original had no exit (one trade per symbol, held to the end) and ignored its stop and
    target; Ava adds the parameter ``max_hold_days`` (default 10) so that each pattern is a trade
    of its own, and applies the stop and target when they are set (off by default, as in the
    catalogue).
    """

    name = "tv_hammer_doji"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys a hammer below the 50-EMA, or a doji above it after an up close; time exit after "
        "max_hold_days, optional stop and target."
    )
    tags = ("candlestick", "hammer", "doji", "pattern", "time-stop")
    ema_period = Int(50, 2, 400, "Trend EMA length", window=True)
    hammer_body_ratio = Float(0.5, 0.0, 5.0, "Hammer: upper wick < this x body")
    hammer_wick_ratio = Float(2.0, 0.1, 20.0, "Hammer: lower wick > this x body")
    doji_body_ratio = Float(0.1, 0.0, 1.0, "Doji: body < this x range")
    stop_loss_pct = Float(None, 0.0, 0.5, "Stop below the fill, as a fraction (None or 0: off)")
    take_profit_pct = Float(None, 0.0, 2.0, "Target above the fill, as a fraction (None or 0: off)")
    max_hold_days = Int(10, 1, 250, "Ava: maximum bars held (the fill bar is bar 1)")
    display = (Overlay("ema", "EMA {ema_period}"),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, h, lo, c = bars.open, bars.high, bars.low, bars.close
        trend = ema(c, self.ema_period, seed="first")
        body = np.abs(c - o)
        rng = h - lo
        upper = h - np.maximum(o, c)
        lower = np.minimum(o, c) - lo
        hammer = (
            (rng > 0)
            & (lower > self.hammer_wick_ratio * body)
            & (upper < self.hammer_body_ratio * body)
            & (c < trend)
        )
        doji = (
            (rng > 0)
            & (body < self.doji_body_ratio * rng)
            & (c > trend)
            & (previous(c) > previous(c, 2))
        )
        return Signals(
            long_entry=hammer | doji,
            stop_loss=self.stop_loss_pct or None,
            take_profit=self.take_profit_pct or None,
            max_hold=self.max_hold_days,
            series={"ema": trend},
        )
