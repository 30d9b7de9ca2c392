"""Kelly criterion position sizing: an SMA crossover whose entries stake a fraction of Kelly
learnt from the run's own closed trades (the engine's ``kelly`` sizing mode)."""

from typing import Any

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, crossed_above, sma


class KellyCriterionPositionSizing(Strategy):
    """The engine's Kelly sizing (``RunConfig.sizing.mode = "kelly"``, docs/sizing.md) applied
    to a stated base signal.

    Base signal: sma_crossover's rule — entry at t when SMA_fast crosses above SMA_slow of the
    close, exit on the cross back (fast_period, slow_period). Sizing comes from
    ``default_sizing()``, which a run reads when its own sizing is left at the default (a run
    that sets one overrides it): each entry stakes kelly_multiplier x (W - (1 - W) / R) of
    equity, at most kelly_cap, where W and R are the win rate and the mean-win / mean-loss return
    ratio of the run's trades closed before the entry's bar; equal slots until min_trades trades
    have closed. The sizing needs the run's own fills, so it lives in the engine: the signals
    here are the base rule's alone.

    The original was a stub that never signalled, with no parameters; every parameter here is
    Ava's: fast_period and slow_period (the base signal's), kelly_multiplier, kelly_cap and
    min_trades (the sizing's). The catalogue states no warm-up (0), so the base SMAs fill in over
    the first slow_period bars of the run.
    """

    name = "tv_kelly_criterion_position_sizing"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "SMA crossover sized by the Kelly criterion of its own closed trades (half-Kelly by "
        "default, capped at 25% of equity per position, equal slots until 20 trades have closed)."
    )
    tags = ("sizing-overlay", "kelly", "position-sizing", "moving-average")
    fast_period = Int(20, 2, 200, "Base signal: fast SMA length", below="slow_period")
    slow_period = Int(50, 3, 400, "Base signal: slow SMA length")
    kelly_multiplier = Float(0.5, 0.05, 1.0, "Share of the full Kelly fraction staked (0.5: half)")
    kelly_cap = Float(0.25, 0.01, 1.0, "Largest fraction of equity one position may take")
    min_trades = Int(20, 1, 1000, "Closed trades before Kelly sizes (equal slots until then)")
    display = (Overlay("fast", "SMA {fast_period}"), Overlay("slow", "SMA {slow_period}"))
    warmup_extra = 0

    def default_sizing(self) -> dict[str, Any]:
        return {
            "mode": "kelly",
            "kelly": {
                "multiplier": self.kelly_multiplier,
                "cap": self.kelly_cap,
                "min_trades": self.min_trades,
            },
        }

    def signals(self, bars: Bars) -> Signals:
        fast = sma(bars.close, self.fast_period)
        slow = sma(bars.close, self.slow_period)
        return Signals(
            long_entry=crossed_above(fast, slow, from_touch=True),
            long_exit=crossed_above(slow, fast, from_touch=True),
            series={"fast": fast, "slow": slow},
        )
