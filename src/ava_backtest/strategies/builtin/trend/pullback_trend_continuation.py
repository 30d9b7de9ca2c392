"""Pullback trend continuation: a bullish bar near the 20-SMA inside a strong, confirmed uptrend."""

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
    macd,
    previous,
    rsi,
    sma,
    true_range,
)

RSI_PERIOD = 14


def simple_di_adx(bars: Bars, p: int) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """The spec's DI/ADX of simple means: +DM/-DM by the usual rule and TR; from a symbol's bar
    p, +DI = 100 x mean(+DM)/mean(TR) over the last p bars (0 if mean TR is 0), -DI likewise,
    DX = 100 |+DI - -DI|/(+DI + -DI) (0 if the sum is 0); ADX = mean of the last p DX, from bar
    2p. (The spec's 0 for the first bar's DM and TR never enters a window that is used.)"""
    dm = directional_movement(bars.high, bars.low, undefined=0.0)
    s_tr = sma(true_range(bars.high, bars.low, bars.close), p)
    defined = bars.ready(p)
    # In place (each array is this call's own): fewer fresh blocks, the same operations.
    with np.errstate(divide="ignore", invalid="ignore"):
        scale = np.divide(100.0, s_tr)
        scale[s_tr == 0] = 0.0
        scale[~defined] = np.nan
        plus_di = sma(dm.plus, p)
        plus_di *= scale
        minus_di = sma(dm.minus, p)
        minus_di *= scale
        total = plus_di + minus_di
        dx = plus_di - minus_di
        np.abs(dx, out=dx)
        dx *= 100.0
        np.divide(dx, total, out=dx)
        dx[total == 0] = 0.0
    dx[~defined] = np.nan
    adx_ = sma(dx, p)
    adx_[~bars.ready(2 * p)] = np.nan
    return plus_di, minus_di, adx_


class PullbackTrendContinuation(Strategy):
    """Everything is read one bar late, as in the original. Entry at t: ADX(t-1) > adx_threshold,
    +DI(t-1) > di_ratio x -DI(t-1) (DI/ADX of simple means, as the spec defines them), MACD(t-1) >
    Signal(t-1) with Hist(t-1) > 0, rsi_low <= RSI14(t-1) <= rsi_high, close(t-1) <= 1.03 x
    SMA(close, bb_period)(t-1) and close(t-1) > open(t-1). Exits: the stop ``stop_atr_mult`` x
    ATR(atr_period) below the fill (ATR at the signal bar) and the time stop ``max_hold`` (the
    fill bar is bar 1). No signal before the symbol's bar ``max(adx_period, bb_period, macd_slow,
    atr_period) + 5``. ``bb_std`` plays no part (the original computed bands it never used); the
    RSI length is 14, as the original hard-coded it (the catalogue has no parameter for it).

    Differences: the original seeded its MACD signal line with an average that included NaNs, so
    it never fired; here the signal EMA is seeded from the first ``macd_signal`` MACD values (the
    intended fix). Its declared ATR stop and maximum hold, unused there, are engine exits here.
    """

    name = "pullback_trend_continuation"
    version = "1.0.0"
    category = "trend"
    description = (
        "Buys a bullish bar near the 20-SMA in a strong uptrend (ADX, +DI dominance, MACD above "
        "signal, RSI 50-65); ATR stop and maximum hold."
    )
    tags = ("pullback", "trend", "adx", "macd", "rsi", "atr-stop", "time-stop")
    adx_period = Int(14, 2, 100, "ADX/DI length p", window=True)
    adx_threshold = Float(25.0, 0.0, 100.0, "Minimum ADX")
    di_ratio = Float(1.5, 0.1, 10.0, "+DI must exceed di_ratio x -DI")
    rsi_low = Float(50.0, 0.0, 100.0, "RSI lower bound (inclusive)")
    rsi_high = Float(65.0, 0.0, 100.0, "RSI upper bound (inclusive)")
    bb_period = Int(20, 2, 200, "Middle-band SMA length", window=True)
    bb_std = Float(2.0, 0.5, 5.0, "Band multiplier (bands unused)")
    macd_fast = Int(12, 2, 50, "MACD fast", below="macd_slow")
    macd_slow = Int(26, 3, 150, "MACD slow", window=True)
    macd_signal = Int(9, 2, 50, "MACD signal")
    atr_period = Int(14, 1, 100, "ATR length for the stop", window=True)
    stop_atr_mult = Float(2.0, 0.1, 10.0, "Stop distance below the fill, in ATRs")
    max_hold = Int(15, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("mid", "SMA {bb_period}"),
        Pane("adx", "ADX {adx_period}", levels=("adx_threshold",)),
        Pane("plus_di", "+DI {adx_period}", pane="adx"),
        Pane("minus_di", "-DI {adx_period}", pane="adx"),
        Pane("macd", "MACD {macd_fast}/{macd_slow}", levels=(0.0,)),
        Pane("signal", "Signal {macd_signal}", pane="macd"),
        Pane("rsi", "RSI 14", levels=("rsi_low", "rsi_high")),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        plus_di, minus_di, adx_ = simple_di_adx(bars, self.adx_period)
        m = macd(bars.close, self.macd_fast, self.macd_slow, self.macd_signal)
        r = rsi(bars.close, RSI_PERIOD)
        mid = sma(bars.close, self.bb_period)
        r1 = previous(r)
        c1 = previous(bars.close)
        setup = (
            (adx_ > self.adx_threshold)
            & (plus_di > self.di_ratio * minus_di)
            & (m.macd > m.signal)
            & (m.hist > 0)
        )
        entry = (
            (previous(setup.astype(np.float64)) == 1.0)
            & (r1 >= self.rsi_low)
            & (r1 <= self.rsi_high)
            & (c1 <= 1.03 * previous(mid))
            & (c1 > previous(bars.open))
        )
        return Signals(
            long_entry=entry & bars.ready(self.warmup()),
            stop_loss=self.stop_atr_mult * atr(bars.high, bars.low, bars.close, self.atr_period),
            stop_loss_abs=True,
            max_hold=self.max_hold,
            series={
                "mid": mid,
                "adx": adx_,
                "plus_di": plus_di,
                "minus_di": minus_di,
                "macd": m.macd,
                "signal": m.signal,
                "rsi": r,
            },
        )
