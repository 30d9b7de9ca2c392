"""Overbought exhaustion fade: short an overbought, rolling-over advance rejected at the upper band."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    adx,
    atr,
    bollinger,
    highest,
    macd,
    previous,
    rolling_sum,
    rsi,
)


class OverboughtExhaustionFade(Strategy):
    """Short entry at t when all hold: Wilder RSI(t) > rsi_overbought; the MACD histogram fell
    strictly on each of the last N = histogram_decline_bars bars (H(t-N) > ... > H(t)); H was
    above 1.0 on some bar of t-5..t-1 and H(t-1) < 1.0; close(t-1) >= 0.98 x the upper Bollinger
    band (population std) at t-1; bar t-1 has an upper wick longer than its body; ADX(t) > 20
    (ADX over ``atr_period``). H is the histogram in percent of the close. The short is covered by
    the engine's stop ``stop_atr_mult`` x ATR(atr_period) above the fill (sent as that fraction of
    the signal bar's close), or after ``max_hold`` bars (the fill bar is bar 1).

    The original never fired: its RSI was NaN on the current bar and its MACD signal line NaN
    everywhere, and it could not short. Here RSI, MACD and the short are the standard ones, and
    the declared but unused stop and time stop are real exits (it has no other cover rule). Its
    1.0 threshold was in price units (1% of a $100 stock, nothing for a $5 one); here it is 1.0%
    of the close, the same at $100 and the same for every price level.
    """

    name = "overbought_exhaustion_fade"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "short_only"
    description = (
        "Counter-trend short when RSI is overbought, the MACD histogram is rolling over from "
        "above 1.0, price is at the upper Bollinger band with an upper-wick rejection and "
        "ADX > 20; covered by an ATR stop or a time stop."
    )
    tags = ("rsi", "macd", "bollinger", "adx", "exhaustion", "short", "stop-loss", "time-stop")
    rsi_period = Int(14, 2, 50, "RSI length", window=True)
    rsi_overbought = Float(68.0, 50.0, 95.0, "RSI must exceed this")
    bb_period = Int(20, 5, 100, "Bollinger length", window=True)
    bb_std = Float(2.0, 0.5, 4.0, "Bollinger multiplier (population std)")
    macd_fast = Int(12, 2, 50, "MACD fast EMA", below="macd_slow", window=True)
    macd_slow = Int(26, 5, 100, "MACD slow EMA", window=True)
    macd_signal = Int(9, 2, 50, "MACD signal EMA", window=True)
    histogram_decline_bars = Int(2, 1, 5, "N bars of strictly falling histogram")
    atr_period = Int(14, 2, 50, "ADX and ATR length", window=True)
    stop_atr_mult = Float(1.5, 0.1, 10.0, "Stop distance above the fill, in ATRs")
    max_hold = Int(10, 1, 100, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "Upper band"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_overbought",)),
        Pane("hist", "MACD histogram", levels=(1.0,)),
        Pane("adx", "ADX {atr_period}", levels=(20.0,)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c, h, lo, o = bars.close, bars.high, bars.low, bars.open
        r = rsi(c, self.rsi_period)
        hist = 100.0 * macd(c, self.macd_fast, self.macd_slow, self.macd_signal).hist / c
        upper = bollinger(c, self.bb_period, self.bb_std, ddof=0).upper
        strength = adx(h, lo, c, self.atr_period).adx
        n = self.histogram_decline_bars
        step = hist - previous(hist)
        falls = rolling_sum(np.where(np.isnan(step), np.nan, (step < 0.0) * 1.0), n) == n
        rolled_over = (previous(highest(hist, 5)) > 1.0) & (previous(hist) < 1.0)
        wick = (h - np.maximum(o, c)) > np.abs(c - o)
        at_band = c >= 0.98 * upper
        rejected = previous((at_band & wick) * 1.0) == 1.0
        entry = (r > self.rsi_overbought) & falls & rolled_over & rejected & (strength > 20.0)
        return Signals(
            short_entry=entry,
            # k x ATR as a fraction of the close: indicators see adjusted prices, fills as-traded.
            stop_loss=self.stop_atr_mult * atr(h, lo, c, self.atr_period) / c,
            max_hold=self.max_hold,
            series={"upper": upper, "rsi": r, "hist": hist, "adx": strength},
        )
