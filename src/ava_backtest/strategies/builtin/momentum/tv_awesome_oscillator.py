"""Awesome Oscillator: buy a zero-line cross up or a bullish saucer above zero; sell the bearish
mirror images."""

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy, median_price, previous, sma


class TvAwesomeOscillator(Strategy):
    """AO = SMA(hl2, ao_fast) - SMA(hl2, ao_slow), hl2 = (high + low) / 2. Entry at t: AO(t-1) <=
    0 < AO(t) (zero cross up), or AO(t) > 0 with AO(t-2) > AO(t-1) < AO(t) (a one-bar dip above
    zero, the simplified 'saucer'). Exit at t: AO(t-1) >= 0 > AO(t), or AO(t) < 0 with AO(t-2) <
    AO(t-1) > AO(t).

    The original left its sell (the bearish cross and saucer) commented out, so its first buy was
    held to the end of the data; here that sell closes the long.
    """

    name = "tv_awesome_oscillator"
    version = "1.0.0"
    category = "momentum"
    direction = "long_only"
    description = (
        "Buys on an Awesome Oscillator zero-line cross up or a bullish saucer above zero; sells on "
        "the bearish cross or saucer below zero."
    )
    tags = ("awesome-oscillator", "bill-williams", "saucer", "zero-cross", "tradingview")
    ao_fast = Int(5, 2, 100, "Fast SMA length of the median price", below="ao_slow", window=True)
    ao_slow = Int(34, 3, 300, "Slow SMA length of the median price", window=True)
    display = (Pane("ao", "AO {ao_fast}/{ao_slow}", levels=(0.0,)),)
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        hl2 = median_price(bars.high, bars.low)
        ao = sma(hl2, self.ao_fast) - sma(hl2, self.ao_slow)
        a1, a2 = previous(ao), previous(ao, 2)
        bull = ((a1 <= 0) & (ao > 0)) | ((ao > 0) & (a2 > a1) & (ao > a1))
        bear = ((a1 >= 0) & (ao < 0)) | ((ao < 0) & (a2 < a1) & (ao < a1))
        return Signals(long_entry=bull, long_exit=bear, series={"ao": ao})
