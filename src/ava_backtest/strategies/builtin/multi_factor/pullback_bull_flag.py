"""Pullback bull flag: in a strong ADX uptrend, buy RSI recovering from a dip near the fast EMA."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    atr,
    directional_movement,
    ema,
    previous,
    rsi,
    true_range,
)


def ema_adx(bars: Bars, p: int) -> np.ndarray:
    """The spec's ADX: +DM/-DM by the usual rule and TR from a symbol's bar 1; +DI = 100 x
    EMA(+DM)/EMA(TR), -DI likewise, DX = 100 |+DI - -DI|/(+DI + -DI), ADX = EMA(DX), every EMA
    alpha 2/(p+1) seeded with its first value; undefined for the first 2p-1 bars. A zero
    denominator gives 0 (a flat start must not poison the recursions)."""
    high = bars.high
    dm = directional_movement(high, bars.low, undefined=0.0)
    undefined = np.ones(high.shape, dtype=np.bool_)  # no up-move: first bar or a missing high
    with np.errstate(invalid="ignore"):
        np.isnan(high[1:] - high[:-1], out=undefined[1:])
    tr = ema(true_range(high, bars.low, bars.close), p, seed="first")
    # In place (each array is this call's own): fewer fresh blocks, the same operations.
    with np.errstate(divide="ignore", invalid="ignore"):
        di = []
        for move in (dm.plus, dm.minus):
            move[undefined] = np.nan
            d = ema(move, p, seed="first")
            d *= 100.0
            np.divide(d, tr, out=d)
            d[~(tr > 0)] = 0.0
            di.append(d)
        plus_di, minus_di = di
        dx = plus_di - minus_di
        np.abs(dx, out=dx)
        dx *= 100.0
        np.add(plus_di, minus_di, out=plus_di)
        np.divide(dx, plus_di, out=dx)
        dx[~(plus_di > 0)] = 0.0
    dx[undefined] = np.nan
    adx_ = ema(dx, p, seed="first")
    adx_[~bars.ready(2 * p - 1)] = np.nan
    return adx_


class PullbackBullFlag(Strategy):
    """EMAf, EMAs: EMAs of the close (alpha 2/(n+1), seeded with the first close); RSI: Wilder's
    (library); ADX: EMA-smoothed as the spec defines it. Everything is read one bar late, as in the
    original. Entry at t: ADX(t-1) > adx_threshold, EMAf(t-1) > EMAs(t-1), RSI(t-2) <
    rsi_pullback_low, RSI(t-1) > rsi_pullback_high and close(t-1) <= 1.02 x EMAf(t-1). Exits: a
    trailing stop ``atr_stop_mult`` x ATR(atr_period) below the highest high since entry (ATR at
    the entry signal), and the time stop ``max_hold`` (the fill bar is bar 1). No signal before the
    symbol's bar ``max(ema_fast, ema_slow, rsi_period, adx_period, atr_period) + 5``.

    Differences: the original crashed on every bar (zero signals) and declared its ATR trailing
    stop and maximum hold without using them; this is the rule it meant, with those exits real.
    ADX is aligned to its own bar (the original's list was shifted by p-1 bars). With no losses in
    the RSI window the RSI is 100, where the original's helper read 0.
    """

    name = "pullback_bull_flag"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys in a strong ADX uptrend when RSI dips below 45 then recovers above 50 with price "
        "near the 20-EMA; ATR trailing stop and maximum hold."
    )
    tags = ("pullback", "trend", "rsi", "adx", "trailing-stop", "time-stop")
    ema_fast = Int(20, 2, 200, "Fast EMA", below="ema_slow", window=True)
    ema_slow = Int(50, 3, 400, "Slow EMA", window=True)
    rsi_period = Int(14, 2, 100, "RSI length", window=True)
    rsi_pullback_low = Float(45.0, 0.0, 100.0, "RSI must have been below this two bars ago")
    rsi_pullback_high = Float(50.0, 0.0, 100.0, "RSI must be above this on the previous bar")
    adx_period = Int(14, 2, 100, "ADX length", window=True)
    adx_threshold = Float(25.0, 0.0, 100.0, "Minimum ADX")
    atr_period = Int(14, 1, 100, "ATR length for the trailing stop", window=True)
    atr_stop_mult = Float(2.0, 0.1, 10.0, "Trailing stop distance, in ATRs")
    max_hold = Int(20, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("ema_fast", "EMA {ema_fast}"),
        Overlay("ema_slow", "EMA {ema_slow}"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_pullback_low", "rsi_pullback_high")),
        Pane("adx", "ADX {adx_period}", levels=("adx_threshold",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        fast = ema(bars.close, self.ema_fast, seed="first")
        slow = ema(bars.close, self.ema_slow, seed="first")
        r = rsi(bars.close, self.rsi_period)
        adx_ = ema_adx(bars, self.adx_period)
        f1 = previous(fast)
        entry = (
            (previous(adx_) > self.adx_threshold)
            & (f1 > previous(slow))
            & (previous(r, 2) < self.rsi_pullback_low)
            & (previous(r) > self.rsi_pullback_high)
            & (previous(bars.close) <= 1.02 * f1)
        )
        return Signals(
            long_entry=entry & bars.ready(self.warmup()),
            trail=self.atr_stop_mult * atr(bars.high, bars.low, bars.close, self.atr_period),
            trail_abs=True,
            max_hold=self.max_hold,
            series={"ema_fast": fast, "ema_slow": slow, "rsi": r, "adx": adx_},
        )
