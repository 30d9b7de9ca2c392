"""Monte Carlo position sizer: an SMA crossover whose entries stake the largest fraction whose
resampled drawdown stays within a budget (the engine's ``monte_carlo`` sizing mode)."""

from typing import Any

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, crossed_above, sma


class MonteCarloPositionSizer(Strategy):
    """The engine's Monte Carlo sizer (``RunConfig.sizing.mode = "monte_carlo"``,
    docs/sizing.md) applied to a stated base signal.

    Base signal: sma_crossover's rule — entry at t when SMA_fast crosses above SMA_slow of the
    close, exit on the cross back (fast_period, slow_period). Sizing comes from
    ``default_sizing()``, read when the run's own sizing is left at the default: each entry
    stakes the largest fraction of 0.025, 0.05, ..., 0.25 of equity whose percentile-th
    percentile maximum drawdown, over resamples bootstrap paths of 100 trades drawn from the
    run's trade returns closed before the entry's bar (seeded by the run's seed), stays within
    max_drawdown; recomputed when a trade closes; equal slots until min_trades trades have
    closed. The sizing needs the run's own fills, so it lives in the engine: the signals here
    are the base rule's alone.

    The original was a stub that never signalled, with no parameters; every parameter here is
    Ava's: fast_period and slow_period (the base signal's), max_drawdown, percentile, resamples
    and min_trades (the sizer's). The catalogue's warm-up is one bar; the base SMAs fill in over
    the first slow_period bars of the run.
    """

    name = "tv_monte_carlo_position_sizer"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "SMA crossover sized by Monte Carlo: the largest fraction of equity whose 95th-percentile "
        "drawdown over 1,000 resamples of its own closed-trade returns stays within a budget."
    )
    tags = ("sizing-overlay", "monte-carlo", "position-sizing", "moving-average")
    fast_period = Int(20, 2, 200, "Base signal: fast SMA length", below="slow_period")
    slow_period = Int(50, 3, 400, "Base signal: slow SMA length")
    max_drawdown = Float(0.2, 0.01, 0.9, "Drawdown budget (fraction of equity)")
    percentile = Float(95.0, 50.0, 99.9, "Percentile of the resampled drawdowns held to the budget")
    resamples = Int(1000, 100, 10000, "Bootstrap paths per recompute")
    min_trades = Int(20, 1, 1000, "Closed trades before it sizes (equal slots until then)")
    display = (Overlay("fast", "SMA {fast_period}"), Overlay("slow", "SMA {slow_period}"))

    def warmup(self) -> int:
        return 1

    def default_sizing(self) -> dict[str, Any]:
        return {
            "mode": "monte_carlo",
            "monte_carlo": {
                "max_drawdown": self.max_drawdown,
                "percentile": self.percentile,
                "resamples": self.resamples,
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
