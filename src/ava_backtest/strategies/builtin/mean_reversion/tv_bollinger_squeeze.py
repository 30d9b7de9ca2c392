"""TTM-style squeeze release: buy when the Bollinger bands leave the Keltner channel with rising
momentum; sell when the momentum turns negative."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    ema,
    linreg_slope,
    previous,
    true_range,
)


class TvBollingerSqueeze(Strategy):
    """BB: SMA(close, bb_length) +/- bb_mult x SAMPLE std. KC: EMA(close, kc_length) +/- kc_mult
    x ATR, where ATR = EMA(true range, kc_length) (not Wilder; the first bar's range is high -
    low) and both EMAs start at the first value. SQZ(t) = BB lower > KC lower and BB upper < KC
    upper. MOM(t) = least-squares slope, over the last bb_length bars, of close - EMA(close,
    bb_length) (EMA started at the first close). Entry at t: SQZ(t-1), not SQZ(t), MOM(t) > 0.
    Exit at t: MOM(t) < 0.

    The original had no exit (its short branch was commented out), so it bought the first release
    and held it to the end of the data; here the long ends when the squeeze momentum turns
    negative, the usual TTM exit.
    """

    name = "tv_bollinger_squeeze"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "TTM-style squeeze release: buy when Bollinger bands leave the Keltner channel and the "
        "regression slope of close minus EMA is positive; sell when that slope turns negative."
    )
    tags = ("bollinger", "keltner", "squeeze", "ttm", "momentum")
    bb_length = Int(
        20, 2, 200, "Bollinger length; also the momentum EMA and regression length", window=True
    )
    bb_mult = Float(2.0, 0.1, 5.0, "Bollinger std multiple (sample std)")
    kc_length = Int(20, 1, 200, "Keltner EMA and ATR length", window=True)
    kc_mult = Float(1.5, 0.1, 5.0, "Keltner ATR multiple")
    display = (
        Overlay("bb_upper", "BB upper"),
        Overlay("bb_lower", "BB lower"),
        Overlay("kc_upper", "KC upper"),
        Overlay("kc_lower", "KC lower"),
        Pane("momentum", "Squeeze momentum (slope)", levels=(0.0,), style="histogram"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        bb = bollinger(c, self.bb_length, self.bb_mult, ddof=1)
        kc_mid = ema(c, self.kc_length, seed="first")
        tr = true_range(bars.high, bars.low, c, first_bar="high_low")
        rng = self.kc_mult * ema(tr, self.kc_length, seed="first")
        kc_upper, kc_lower = kc_mid + rng, kc_mid - rng
        sqz = (bb.lower > kc_lower) & (bb.upper < kc_upper)
        was_on = previous(sqz.astype(np.float64)) == 1.0
        released = was_on & ~sqz & ~np.isnan(bb.upper)
        mom = linreg_slope(c - ema(c, self.bb_length, seed="first"), self.bb_length)
        return Signals(
            long_entry=released & (mom > 0.0),
            long_exit=mom < 0.0,
            series={
                "bb_upper": bb.upper,
                "bb_lower": bb.lower,
                "kc_upper": kc_upper,
                "kc_lower": kc_lower,
                "momentum": mom,
            },
        )
