"""ATR channel breakout: buy a close crossing above SMA + k x ATR, sell one crossing below SMA -
k x ATR."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    previous,
    sma,
    true_range,
)


class TvAtrChannelBreakout(Strategy):
    """BASIS(t) = SMA(close, length); ATR(t) = mean true range of the ``length`` bars before t
    (the first bar's range is high - low; the current bar is excluded, as in the original);
    UPPER/LOWER = BASIS +/- mult x ATR. Entry at t: close(t-1) <= UPPER(t) and close(t) > UPPER(t).
    Exit at t: close(t-1) >= LOWER(t) and close(t) < LOWER(t). Both closes are compared with the
    current bar's band, as the original did.

    The original computed the lower band and left its sell commented out, so the first breakout
    was held to the end of the data; here the cross below the lower band closes the long, the
    channel system the name describes.
    """

    name = "tv_atr_channel_breakout"
    version = "1.0.0"
    category = "momentum"
    direction = "long_only"
    description = (
        "Buys when the close crosses above an SMA + k x ATR channel; sells when it crosses below "
        "the SMA - k x ATR band."
    )
    tags = ("atr", "channel", "breakout", "tradingview")
    length = Int(20, 1, 250, "SMA and ATR length", window=True)
    mult = Float(2.0, 0.1, 10.0, "ATR multiple for the channel")
    display = (
        Overlay("upper", "SMA {length} + {mult} ATR"),
        Overlay("basis", "SMA {length}"),
        Overlay("lower", "SMA {length} - {mult} ATR"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        basis = sma(c, self.length)
        tr = true_range(bars.high, bars.low, c, first_bar="high_low")
        width = self.mult * previous(sma(tr, self.length))
        upper, lower = basis + width, basis - width
        prev_c = previous(c)
        return Signals(
            long_entry=(prev_c <= upper) & (c > upper),
            long_exit=(prev_c >= lower) & (c < lower),
            series={"upper": upper, "basis": basis, "lower": lower},
        )
