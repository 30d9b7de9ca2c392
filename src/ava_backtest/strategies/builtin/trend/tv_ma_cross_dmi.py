"""MA cross + DMI: buy a fast/slow moving-average cross up in a strong, rising DMI trend; sell the
cross down; optional percent stop."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    Text,
    adx,
    ema,
    sma,
)


def _ma(kind: str, close: np.ndarray, n: int) -> np.ndarray:
    """EMA (seeded at the first close) when ``kind`` is exactly 'EMA', else SMA."""
    return ema(close, n, seed="first") if kind == "EMA" else sma(close, n)


def _lagged(flags: np.ndarray) -> np.ndarray:
    """A boolean array one bar later (False on the first bar)."""
    out = np.empty_like(flags)
    out[0] = False
    out[1:] = flags[:-1]
    return out


class TvMaCrossDmi(Strategy):
    """MA1, MA2 = moving averages of ma1_length, ma2_length ('EMA' exactly: an EMA seeded at the
    first close; any other text: an SMA). +DI, -DI, ADX = Wilder's DMI over dmi_length with the ADX
    smoothed over adx_smoothing. Entry at t: MA1(t-1) > MA2(t-1) and MA1(t-2) <= MA2(t-2) (the cross,
    seen one bar late as in the original), with ADX(t-1) > key_level and +DI(t-1) > -DI(t-1). Exit
    at t: the cross down, MA1(t-1) < MA2(t-1) and MA1(t-2) >= MA2(t-2). With ``use_stop_loss``, an
    engine stop ``stop_loss_pct`` % below the fill.

    Differences: the original computed the DMI and ADX and never used them, ignored key_level and
    its stop, and never emitted its bearish cross, so it bought the first cross and held to the end
    of the data; here the DMI filter the name describes, the cross-down exit and the stop apply.
    """

    name = "tv_ma_cross_dmi"
    version = "1.0.0"
    category = "trend"
    direction = "long_only"
    description = (
        "Buys a fast/slow moving-average bullish cross (seen one bar late) when ADX is above its "
        "key level and +DI leads -DI; sells the bearish cross; optional percent stop."
    )
    tags = ("moving-average", "crossover", "dmi", "adx", "trend", "tradingview")
    ma1_type = Text("EMA", "Fast MA type: 'EMA', anything else is an SMA")
    ma1_length = Int(10, 1, 500, "Fast MA length", window=True)
    ma2_type = Text("EMA", "Slow MA type: 'EMA', anything else is an SMA")
    ma2_length = Int(20, 1, 500, "Slow MA length", window=True)
    dmi_length = Int(14, 1, 200, "DI length (Wilder)", window=True)
    adx_smoothing = Int(13, 1, 200, "ADX smoothing length (Wilder)", window=True)
    key_level = Float(23.0, 0.0, 100.0, "Entry: ADX on the cross bar above this")
    use_stop_loss = Bool(False, "Stop stop_loss_pct % below the fill")
    stop_loss_pct = Float(10.0, 0.1, 99.0, "Stop distance below the fill, percent")
    display = (
        Overlay("ma1", "{ma1_type} {ma1_length}"),
        Overlay("ma2", "{ma2_type} {ma2_length}"),
        Pane("plus_di", "+DI {dmi_length}", pane="dmi"),
        Pane("minus_di", "-DI {dmi_length}", pane="dmi"),
        Pane("adx", "ADX {adx_smoothing}", pane="dmi", levels=("key_level",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        ma1 = _ma(self.ma1_type, c, self.ma1_length)
        ma2 = _ma(self.ma2_type, c, self.ma2_length)
        d = adx(bars.high, bars.low, c, self.dmi_length, self.adx_smoothing)
        # On bar t-1: MA1 over MA2 there, at or under it on bar t-2 (and the mirror), with the
        # DMI filter read on bar t-1 too.
        trend = (d.adx > self.key_level) & (d.plus_di > d.minus_di)
        up = _lagged((ma1 > ma2) & _lagged(ma1 <= ma2) & trend)
        down = _lagged((ma1 < ma2) & _lagged(ma1 >= ma2))
        return Signals(
            long_entry=up,
            long_exit=down,
            stop_loss=self.stop_loss_pct / 100.0 if self.use_stop_loss else None,
            series={
                "ma1": ma1,
                "ma2": ma2,
                "plus_di": d.plus_di,
                "minus_di": d.minus_di,
                "adx": d.adx,
            },
        )
