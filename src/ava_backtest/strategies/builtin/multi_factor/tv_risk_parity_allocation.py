"""Risk parity allocation: the symbols in an uptrend (close above their SMA) held with
risk-parity weights from a rolling covariance (the engine's ``risk_parity`` sizing mode)."""

from typing import Any

from ava_backtest.strategies import Bars, Choice, Int, Overlay, Signals, Strategy, sma


class RiskParityAllocation(Strategy):
    """The engine's risk-parity allocator (``RunConfig.sizing.mode = "risk_parity"``,
    docs/sizing.md) applied to a stated base signal.

    Base signal (membership): a symbol is held from a close above SMA_n(close) (n =
    trend_period) until a close below it. Allocation comes from ``default_sizing()``, read when
    the run's own sizing is left at the default: the held symbols share the portfolio with
    equal risk contributions (method erc) or weights proportional to 1 / volatility (method
    inverse_vol), from the covariance of their last cov_window daily returns, rebalanced every
    rebalance_bars bars and whenever the held set changes; a held symbol without cov_window
    returns yet waits at weight 0.

    The original was a stub that never signalled, with no parameters; every parameter here is
    Ava's: trend_period (the base signal's), method, cov_window and rebalance_bars (the
    allocator's). The catalogue's warm-up is one bar; the SMA and the covariance fill in over the
    run's first bars.
    """

    name = "tv_risk_parity_allocation"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Symbols above their trend SMA, weighted by risk parity (equal risk contribution or "
        "inverse volatility) from a rolling covariance and rebalanced on a cadence."
    )
    tags = ("allocation", "risk-parity", "portfolio", "trend")
    trend_period = Int(100, 2, 400, "Base signal: hold while the close is above this SMA")
    method = Choice("erc", ("erc", "inverse_vol"), "Equal risk contribution or inverse volatility")
    cov_window = Int(63, 5, 504, "Daily returns in the covariance")
    rebalance_bars = Int(21, 1, 252, "Bars between scheduled rebalances")
    display = (Overlay("trend", "SMA {trend_period}"),)

    def warmup(self) -> int:
        return 1

    def default_sizing(self) -> dict[str, Any]:
        return {
            "mode": "risk_parity",
            "risk_parity": {
                "method": self.method,
                "window": self.cov_window,
                "rebalance_bars": self.rebalance_bars,
            },
        }

    def signals(self, bars: Bars) -> Signals:
        trend = sma(bars.close, self.trend_period)
        return Signals(
            long_entry=bars.close > trend,
            long_exit=bars.close < trend,
            series={"trend": trend},
        )
