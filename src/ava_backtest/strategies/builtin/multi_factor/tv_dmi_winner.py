"""DMI winner: buy a +DI/-DI bullish cross in a strong trend (ADX above a key level); sell the
opposite cross."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    adx,
    crossed_above,
)


class TvDmiWinner(Strategy):
    """Wilder DMI over ``di_length`` bars: +DI, -DI and ADX (the Wilder average of DX over the same
    length). Entry at t: +DI(t-1) < -DI(t-1), +DI(t) > -DI(t) and ADX(t) > ``key_level``. Exit at
    t: -DI crosses above +DI.

    The original was a stub ("STUB - Strategy requiring specific implementation") whose
    placeholder traded the close against its prior 9-bar mean, with no DMI at all. This is the
    DMI Winner design its name refers to (a DI cross confirmed by ADX above a key level), long
    only as catalogued, with two parameters Ava adds: ``di_length`` (DI and ADX length, 14) and
    ``key_level`` (the ADX threshold, 23). The warm-up stays the catalogue's 20 bars with the
    defaults (di_length + 6); the ADX itself needs 2 x di_length - 1 bars, so the first entry
    can come a few bars after the start.
    """

    name = "tv_dmi_winner"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "DMI winner: buy when +DI crosses above -DI while ADX is above a key level; sell when "
        "-DI crosses back above +DI."
    )
    tags = ("dmi", "adx", "directional-movement", "crossover", "trend")
    di_length = Int(14, 2, 100, "DI and ADX length (Wilder)", window=True)
    key_level = Float(23.0, 0.0, 100.0, "Entry needs ADX above this")
    display = (
        Pane("plus_di", "+DI {di_length}", pane="dmi"),
        Pane("minus_di", "-DI {di_length}", pane="dmi"),
        Pane("adx", "ADX {di_length}", pane="dmi", levels=("key_level",)),
    )
    warmup_extra = 6

    def signals(self, bars: Bars) -> Signals:
        d = adx(bars.high, bars.low, bars.close, self.di_length)
        return Signals(
            long_entry=crossed_above(d.plus_di, d.minus_di) & (d.adx > self.key_level),
            long_exit=crossed_above(d.minus_di, d.plus_di),
            series={"plus_di": d.plus_di, "minus_di": d.minus_di, "adx": d.adx},
        )
