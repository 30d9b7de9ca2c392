"""Pin Bar Magic: buy a bullish pin bar that pierces a moving average of a rising EMA/SMA fan; stop
below the pin by a fraction of ATR; out on the fast/medium re-cross or a bearish setup."""

import numba as nb
import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    atr,
    ema,
    sma,
)


@nb.njit(cache=True)
def _setups(
    o: np.ndarray,
    h: np.ndarray,
    lo: np.ndarray,
    c: np.ndarray,
    fast: np.ndarray,
    med: np.ndarray,
    slow: np.ndarray,
    atr_: np.ndarray,
    ratio: float,
    atr_mult: float,
    entry: np.ndarray,
    exit_: np.ndarray,
    stop: np.ndarray,
) -> None:
    """One pass over the bars: the bullish setup (entry and its stop distance from the close), the
    bearish setup and the fast/medium re-cross (exits). NaN averages make every test False."""
    rows, cols = c.shape
    entry[0] = False
    exit_[0] = False
    stop[0] = np.nan
    for t in range(1, rows):  # bars outer, symbols inner: the arrays are (bars, symbols) C-order
        for j in range(cols):
            f1, m1, s1 = fast[t - 1, j], med[t - 1, j], slow[t - 1, j]
            ot, ht, lt, ct = o[t, j], h[t, j], lo[t, j], c[t, j]
            r = ratio * (ht - lt)
            up, down = ct > ot, ct < ot
            bull_pin = (up and ot - lt > r) or (down and ct - lt > r)
            bear_pin = (up and ht - ct > r) or (down and ht - ot > r)
            bull = False
            if f1 > m1 and m1 > s1 and bull_pin:
                for m in (f1, m1, s1):
                    if lt < m and ot > m and ct > m:
                        bull = True
            bear = False
            if f1 < m1 and m1 < s1 and bear_pin:
                for m in (f1, m1, s1):
                    if ht > m and ot < m and ct < m:
                        bear = True
            recross = f1 >= m1 and fast[t, j] < med[t, j]
            entry[t, j] = bull
            exit_[t, j] = (bear or recross) and not bull
            stop[t, j] = ct - (lt - atr_mult * atr_[t, j]) if bull else np.nan


class TvPinBarMagic(Strategy):
    """SLOW = SMA(close, sma_slow); MED, FAST = EMAs (seeded with the mean of their first values)
    of ema_medium, ema_fast; RNG = high - low, r = pin_bar_ratio. A bullish pin: close > open and
    open - low > r x RNG, or close < open and close - low > r x RNG; a bearish pin mirrors it at the
    high. Entry at t: FAST(t-1) > MED(t-1) > SLOW(t-1), a bullish pin at t, and for one of M in
    FAST(t-1), MED(t-1), SLOW(t-1): low(t) < M < open(t), close(t) > M. Exits: FAST crossing below
    MED (FAST(t-1) >= MED(t-1), FAST(t) < MED(t)); the bearish mirror setup; and an engine stop
    atr_mult x ATR(atr_period) (Wilder) below the pin bar's low, as a distance from the signal
    bar's close applied to the fill.

    Differences: the original emitted only the entry and the bearish setup and dropped the Pine
    script's ATR stop and its fast/medium re-cross exit, both of which apply here. Not applied:
    the pending entry on a break of the pin's high (``cancel_entry_bars``; entries fill at the next
    open, as in the original), the tick-based trail (``trail_points`` / ``trail_offset`` are ticks,
    which mean nothing on adjusted daily prices) and risk sizing (``equity_risk_pct``; the run's
    ``sizing`` mode ``risk`` sizes from this stop instead).
    """

    name = "tv_pin_bar_magic"
    version = "1.0.0"
    category = "momentum"
    direction = "long_only"
    description = (
        "Pin-bar setups that pierce a moving average inside an aligned EMA/SMA fan: buys the "
        "bullish setup with an ATR stop under the pin; sells the fast/medium EMA re-cross or the "
        "bearish setup."
    )
    tags = ("pin-bar", "candlestick", "ema-fan", "atr-stop", "tradingview")
    equity_risk_pct = Float(0.03, 0.0, 1.0, "Not applied: use the run's risk sizing")
    atr_mult = Float(0.5, 0.0, 5.0, "Stop: this many ATRs below the pin bar's low")
    atr_period = Int(14, 5, 100, "ATR length (Wilder)", window=True)
    sma_slow = Int(50, 20, 200, "Slow SMA length", window=True)
    ema_medium = Int(18, 10, 100, "Medium EMA length", window=True)
    ema_fast = Int(6, 3, 50, "Fast EMA length", window=True)
    cancel_entry_bars = Int(3, 1, 10, "Not applied: entries fill at the next open")
    trail_points = Int(1, 0, 10, "Not applied: a tick-based trail activation")
    trail_offset = Int(1, 0, 10, "Not applied: a tick-based trail offset")
    pin_bar_ratio = Float(0.66, 0.5, 1.0, "Minimum wick fraction of the bar range")
    display = (
        Overlay("fast", "EMA {ema_fast}"),
        Overlay("medium", "EMA {ema_medium}"),
        Overlay("slow", "SMA {sma_slow}"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, h, lo, c = bars.open, bars.high, bars.low, bars.close
        slow = sma(c, self.sma_slow)
        med = ema(c, self.ema_medium)
        fast = ema(c, self.ema_fast)
        atr_ = atr(h, lo, c, self.atr_period)
        entry = np.empty(c.shape, dtype=np.bool_)
        exit_ = np.empty(c.shape, dtype=np.bool_)
        stop = np.empty(c.shape)
        blocks = (np.ascontiguousarray(x) for x in (o, h, lo, c, fast, med, slow, atr_))
        _setups(*blocks, self.pin_bar_ratio, self.atr_mult, entry, exit_, stop)
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            stop_loss=stop,
            stop_loss_abs=True,
            series={"fast": fast, "medium": med, "slow": slow},
        )
