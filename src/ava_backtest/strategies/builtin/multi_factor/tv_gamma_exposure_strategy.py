"""Dealer gamma exposure: long while the options chain puts dealers in positive gamma (call
gamma outweighs put gamma), out when the balance turns to puts."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Pane, Signals, Strategy, crossed_above


class GammaExposure(Strategy):
    """From the options chain (``requires``: options_chain, open interest and gamma per strike
    per date, docs/data.md): CG(t), PG(t) = sum of gamma x open interest x 100 over the calls /
    puts of the snapshot dated t (shares of delta per 1.00 move). Under the usual dealer
    convention (dealers long the calls and short the puts customers trade) the net dealer gamma
    is CG - PG, in dollars per 1% move (CG - PG) x close^2 x 0.01 (shown as ``gex``), and its
    scale-free balance is tilt(t) = (CG - PG) / (CG + PG) in [-1, 1]. Positive gamma means
    dealers hedge against the move (damped, mean-reverting tape), negative gamma with it.
    Entry at t: tilt crosses above entry_level (tilt(t-1) <= entry_level < tilt(t)); exit at t:
    tilt(t) < exit_level. A session without a snapshot gives no signal.

    The original was a stub that never signalled, with no parameters: entry_level and exit_level
    are Ava's (the gamma balance that opens and closes the position, with a gap between them so
    one noisy day does not flip it). The catalogue's warm-up of 1 bar is the cross's previous
    bar. The sample has no options chain, so a run there fails naming it and how to upload one.
    """

    name = "tv_gamma_exposure_strategy"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Long while dealer gamma from the options chain is positive: buy when the call/put gamma "
        "balance crosses above entry_level, sell when it falls below exit_level."
    )
    tags = ("options", "gamma-exposure", "dealer-positioning", "regime")
    requires = ("options_chain",)
    entry_level = Float(0.2, -0.9, 0.9, "Buy when the gamma balance crosses above this", above="exit_level")  # fmt: skip
    exit_level = Float(-0.2, -0.9, 0.9, "Sell when the gamma balance falls below this")
    display = (
        Pane(
            "tilt",
            "Dealer gamma balance (CG - PG) / (CG + PG)",
            levels=("entry_level", "exit_level"),
        ),
        Pane("gex", "Net dealer gamma, $ per 1% move"),
    )

    def warmup(self) -> int:
        return 1

    def signals(self, bars: Bars) -> Signals:
        cg = bars.need("call_gamma")
        pg = bars.need("put_gamma")
        total = cg + pg
        with np.errstate(invalid="ignore", divide="ignore"):
            tilt = np.where(total > 0, (cg - pg) / total, np.nan)
        return Signals(
            long_entry=crossed_above(tilt, self.entry_level, from_touch=True),
            long_exit=tilt < self.exit_level,
            series={"tilt": tilt, "gex": (cg - pg) * bars.close**2 * 0.01},
        )
