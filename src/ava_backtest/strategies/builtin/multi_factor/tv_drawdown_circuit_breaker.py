"""Drawdown circuit breaker: an SMA crossover whose run stops opening positions (and flattens)
once the portfolio's equity falls max_drawdown below its peak, until resume_after_bars pass."""

from typing import Any

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    ParameterError,
    Signals,
    Strategy,
    crossed_above,
    sma,
)


class DrawdownCircuitBreaker(Strategy):
    """The engine's drawdown circuit breaker (``RunConfig.risk_rules``) applied to a stated base
    signal.

    Base signal: sma_crossover's rule — entry at t when SMA_fast crosses above SMA_slow of the
    close, exit on the cross back (fast_period, slow_period). The risk rule comes from
    ``risk_rules()``, which a run reads when its own ``risk_rules`` is left out (a run that sets
    it overrides this one): at a close whose equity is max_drawdown or more below its peak the
    run cancels that close's entries, with flatten closes every position at the next open (exit
    reason ``circuit_breaker``), and reads no entry again until resume_after_bars bars after the
    tripping close (0: not by time) or until equity is resume_on_recovery above its low since the
    trip (null: not by recovery; it cannot be combined with flatten). The breaker needs the
    portfolio's own equity, so it lives in the engine, not in these signals: the signals here are
    the base rule's alone.

    The original was a stub that never signalled, with no parameters; every parameter here is
    Ava's: fast_period and slow_period (the base signal's), max_drawdown, flatten,
    resume_after_bars and resume_on_recovery (the rule's). The catalogue states no warm-up (0), so
    the base SMAs fill in over the first slow_period bars of the run.
    """

    name = "tv_drawdown_circuit_breaker"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "SMA crossover under a portfolio drawdown circuit breaker: after a drawdown of "
        "max_drawdown from the equity peak it opens nothing (and flattens) until "
        "resume_after_bars bars have passed or equity recovers."
    )
    tags = ("risk-overlay", "drawdown", "circuit-breaker", "moving-average")
    fast_period = Int(20, 2, 200, "Base signal: fast SMA length", below="slow_period")
    slow_period = Int(50, 3, 400, "Base signal: slow SMA length")
    max_drawdown = Float(0.15, 0.01, 0.9, "Trip at this drawdown from the equity peak (fraction)")
    flatten = Bool(True, "Close every position at the next open when it trips")
    resume_after_bars = Int(21, 0, 2520, "Resume this many bars after the trip (0: not by time)")
    resume_on_recovery = Float(
        None,
        0.01,
        5.0,
        "Resume once equity rises this fraction off its low (null: not by recovery)",
    )
    display = (Overlay("fast", "SMA {fast_period}"), Overlay("slow", "SMA {slow_period}"))
    warmup_extra = 0

    def check_params(self) -> None:
        if self.flatten and self.resume_on_recovery is not None:
            raise ParameterError(
                "cannot work with flatten: a flattened account holds only cash, so its equity "
                "never recovers; use resume_after_bars or set flatten to false",
                field="params.resume_on_recovery",
            )

    def risk_rules(self) -> dict[str, Any]:
        return {
            "max_drawdown": self.max_drawdown,
            "flatten": self.flatten,
            "resume_after_bars": self.resume_after_bars or None,
            "resume_on_recovery": self.resume_on_recovery,
        }

    def signals(self, bars: Bars) -> Signals:
        fast = sma(bars.close, self.fast_period)
        slow = sma(bars.close, self.slow_period)
        return Signals(
            long_entry=crossed_above(fast, slow, from_touch=True),
            long_exit=crossed_above(slow, fast, from_touch=True),
            series={"fast": fast, "slow": slow},
        )
