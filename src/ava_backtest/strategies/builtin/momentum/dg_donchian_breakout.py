"""Donchian breakout: buy a close above the previous bar's upper channel while it is at a new high."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    donchian,
    highest,
    previous,
)


class DgDonchianBreakout(Strategy):
    """UP, DN = highest high and lowest low of the last ``don_length`` bars (bar included), BASIS =
    (UP + DN) / 2. NEWHIGH(i): UP(i) >= UP(i-j) for j = 1..L-1 (the channel top is at its L-bar
    high). Entry at t: NEWHIGH(t-1) and close(t) > UP(t-1). Exits: a stop at the previous bar's
    basis (distance close(t) - BASIS(t-1) below the fill) and a take-profit ``profit_rr`` times
    that distance above it.

    The original read both bars one bar late and had no exit at all (profit_rr was ignored); here
    the breakout is judged at the close of bar t and the reward/risk exit its description
    promises is real, with the risk measured to the channel basis as in dg_donchian_lwti_vol.
    """

    name = "dg_donchian_breakout"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys a close above the previous bar's upper Donchian channel while the channel is at a new "
        "high; stop at the channel basis, take-profit at profit_rr times that risk."
    )
    tags = ("donchian", "breakout", "new-high", "reward-risk")
    don_length = Int(20, 1, 100, "Donchian length L", window=True)
    profit_rr = Float(5.0, 1.0, 10.0, "Take-profit distance as a multiple of the stop distance")
    display = (
        Overlay("upper", "Donchian upper {don_length}"),
        Overlay("basis", "Donchian basis {don_length}"),
    )
    warmup_extra = 2

    def signals(self, bars: Bars) -> Signals:
        ch = donchian(bars.high, bars.low, self.don_length)
        new_high = ch.upper >= highest(ch.upper, self.don_length)
        prev_upper = previous(ch.upper)
        prev_basis = previous(ch.middle)
        entry = (previous(new_high.astype(np.float64)) == 1.0) & (bars.close > prev_upper)
        risk = bars.close - prev_basis
        return Signals(
            long_entry=entry & (risk > 0),
            stop_loss=risk,
            stop_loss_abs=True,
            take_profit=self.profit_rr * risk,
            take_profit_abs=True,
            series={"upper": ch.upper, "basis": ch.middle},
        )
