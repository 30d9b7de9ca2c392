"""DG moving-average cross: fast/slow MA crossover (EMA, SMA, WMA or RMA), one bar of confirmation."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    ParameterError,
    Signals,
    Strategy,
    Text,
    crossed_above,
    ema,
    previous,
    rma,
    sma,
    wma,
)

TYPES = ("EMA", "SMA", "WMA", "RMA")


def moving_average(x: np.ndarray, kind: str, n: int) -> np.ndarray:
    """EMA and RMA seeded with the first close (defined from bar 0), SMA and WMA from bar n-1."""
    if kind == "SMA":
        return sma(x, n)
    if kind == "WMA":
        return wma(x, n)
    if kind == "RMA":
        return rma(x, n, seed="first")
    return ema(x, n, seed="first")


class DgMaCross(Strategy):
    """Entry at t: Fast(t-1) > Slow(t-1) and Fast(t-2) <= Slow(t-2); exit at t: Fast(t-1) <
    Slow(t-1) and Fast(t-2) >= Slow(t-2) — the original's cross, confirmed one bar late. Each MA
    is EMA or RMA (seeded with the first close), SMA or WMA, per ``fast_type``/``slow_type``. As
    in the original, no signal before the symbol's bar ``max(fast_period, slow_period) + 2``.

    Difference: the original fell back to EMA for an unknown type name; Ava refuses it naming the
    parameter (case is ignored), so a typo cannot silently change the strategy.
    """

    name = "dg_ma_cross"
    version = "1.0.0"
    category = "trend"
    description = (
        "Fast/slow moving-average crossover (EMA, SMA, WMA or RMA) with a one-bar confirmation lag."
    )
    tags = ("moving-average", "crossover", "trend")
    fast_period = Int(50, 2, 250, "Fast MA length", below="slow_period", window=True)
    slow_period = Int(200, 3, 500, "Slow MA length", window=True)
    fast_type = Text("EMA", "Fast MA type, one of EMA, SMA, WMA, RMA")
    slow_type = Text("EMA", "Slow MA type, one of EMA, SMA, WMA, RMA")
    display = (
        Overlay("fast", "{fast_type} {fast_period}"),
        Overlay("slow", "{slow_type} {slow_period}"),
    )
    warmup_extra = 2

    def check_params(self) -> None:
        for key in ("fast_type", "slow_type"):
            kind = self.params[key].upper()
            if kind not in TYPES:
                raise ParameterError(
                    f"must be one of {', '.join(TYPES)}, got {self.params[key]!r}",
                    field=f"params.{key}",
                )
            self.params[key] = kind

    def signals(self, bars: Bars) -> Signals:
        fast = moving_average(bars.close, self.fast_type, self.fast_period)
        slow = moving_average(bars.close, self.slow_type, self.slow_period)
        f1, s1 = previous(fast), previous(slow)
        ready = bars.ready(self.warmup())
        return Signals(
            long_entry=crossed_above(f1, s1, from_touch=True) & ready,
            long_exit=crossed_above(s1, f1, from_touch=True) & ready,
            series={"fast": fast, "slow": slow},
        )
