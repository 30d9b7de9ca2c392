"""Range trading: in a narrow-band market buy an oversold touch of the lower band or of support."""

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
    cutler_rsi,
    lowest,
    previous,
    sma,
    true_range,
)

STOP_ATRS = 1.5
"""The stop distance in ATRs, fixed in the original."""


class RangeTrading(Strategy):
    """BB: MID = SMA_n(close), UPPER/LOWER = MID +/- k x population std, BW = (UPPER - LOWER) / MID;
    RSI = Cutler's RSI (plain means over the last ``rsi_period`` changes); SUPPORT(t) = lowest low
    of the ``lookback`` bars before t; ATR = plain mean of the last ``atr_period`` true ranges.
    Entry at t: BW(t-1) < bandwidth_max, close(t-1) <= 1.02 x LOWER(t-1) or <= 1.02 x
    SUPPORT(t-1), and RSI(t-1) < rsi_oversold. Exit at t: close(t) >= 0.98 x UPPER(t) or RSI(t) >
    rsi_overbought; the engine's stop 1.5 x ATR(t) below the fill (sent as that fraction of
    close(t)); or the time stop ``max_hold`` (the fill bar is bar 1: the exit is decided
    max_hold bars after the signal bar, as in the original).

    The original kept its trade state on the strategy instance, shared by every symbol of a run
    and out of step with the fills; here the position is the engine's. Its stop was anchored to
    the signal bar's close and tested at the close; here it is a real stop from the fill price.
    Its RSI read 100 on a window with no change at all (an "overbought" exit); here it reads 50.
    """

    name = "range_trading"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Range trade: in a narrow-bandwidth market buy an oversold touch of the lower band or "
        "recent support; exit at the upper band, RSI > 65, a 1.5 ATR stop or after max_hold bars."
    )
    tags = ("range", "bollinger", "support", "rsi", "stop-loss", "time-stop")
    bb_period = Int(20, 5, 100, "Bollinger length", window=True)
    bb_std = Float(2.0, 0.5, 4.0, "Bollinger multiplier (population std)")
    rsi_period = Int(14, 2, 50, "RSI length", window=True)
    rsi_oversold = Float(35.0, 5.0, 50.0, "Entry requires RSI below this", below="rsi_overbought")
    rsi_overbought = Float(65.0, 50.0, 95.0, "Exit when RSI above this")
    lookback = Int(20, 2, 200, "Support window (lows before the bar)", window=True)
    atr_period = Int(14, 2, 100, "ATR length for the stop", window=True)
    bandwidth_max = Float(0.15, 0.01, 1.0, "Range regime if Bollinger bandwidth below this")
    max_hold = Int(10, 1, 100, "Maximum bars to hold (the fill bar is bar 1)")
    display = (
        Overlay("upper", "Upper"),
        Overlay("middle", "SMA {bb_period}"),
        Overlay("lower", "Lower"),
        Overlay("support", "Support ({lookback} lows)"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_oversold", "rsi_overbought")),
        Pane("bandwidth", "Bandwidth", levels=("bandwidth_max",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        bands = bollinger(c, self.bb_period, self.bb_std, ddof=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            bw = (bands.upper - bands.lower) / bands.middle
        r = cutler_rsi(c, self.rsi_period)
        support = previous(lowest(bars.low, self.lookback))
        atr_ = sma(true_range(bars.high, bars.low, c), self.atr_period)
        touch = (c <= 1.02 * bands.lower) | (c <= 1.02 * support)
        setup = (bw < self.bandwidth_max) & touch & (r < self.rsi_oversold)
        return Signals(
            long_entry=previous(setup * 1.0) == 1.0,
            long_exit=(c >= 0.98 * bands.upper) | (r > self.rsi_overbought),
            stop_loss=STOP_ATRS * atr_ / c,
            max_hold=self.max_hold,
            series={
                "upper": bands.upper,
                "middle": bands.middle,
                "lower": bands.lower,
                "support": support,
                "rsi": r,
                "bandwidth": bw,
            },
        )
