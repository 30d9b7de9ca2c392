"""Contrarian put/call ratio: buy when option traders' put buying is unusually heavy (fear), sell
when it has fallen back below normal."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, sma, zscore


class TvPutcallRatioContrarian(Strategy):
    """From the symbol's put/call ratio (``requires``: put_call_ratio, an uploaded history,
    docs/data.md): P(t) = SMA_smooth(ratio)(t), Z(t) = (P(t) - mean) / population std of P over
    the last lookback sessions. Entry at t: Z(t) > entry_z (heavy put buying, fear: the contrarian
    buys). Exit at t: Z(t) < exit_z. A session without a ratio gives no value for the smooth
    sessions after it (no filling), so no signal.

    The original was a stub that never signalled, with no parameters: smooth, lookback, entry_z
    and exit_z are Ava's. The catalogue's warm-up of 1 bar leaves the z-score undefined for a
    run's first smooth + lookback sessions. The sample has no put/call data, so a run there
    fails naming it and how to upload it.
    """

    name = "tv_putcall_ratio_contrarian"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Contrarian put/call ratio: buys when the smoothed ratio is unusually high for its "
        "recent history (fear), sells when it is back below normal."
    )
    tags = ("options", "put-call-ratio", "sentiment", "contrarian")
    requires = ("put_call_ratio",)
    smooth = Int(5, 1, 50, "Sessions in the ratio's moving average")
    lookback = Int(60, 10, 504, "Sessions of the z-score's mean and deviation")
    entry_z = Float(1.5, 0.0, 5.0, "Buy when the z-score is above this", above="exit_z")
    exit_z = Float(0.0, -5.0, 5.0, "Sell when the z-score is below this")
    display = (
        Pane("pcr", "Put/call ratio, SMA {smooth}"),
        Pane("pcr_z", "Z-score over {lookback} sessions", levels=("entry_z", "exit_z")),
    )

    def warmup(self) -> int:
        return 1

    def signals(self, bars: Bars) -> Signals:
        p = sma(np.asarray(bars.need("put_call_ratio"), dtype=np.float64), self.smooth)
        z = zscore(p, self.lookback)
        return Signals(
            long_entry=z > self.entry_z,
            long_exit=z < self.exit_z,
            series={"pcr": p, "pcr_z": z},
        )
