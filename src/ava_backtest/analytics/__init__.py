"""Research analytics: the metrics panel (walk-forward, optimisation and overfitting live beside it)."""

from ava_backtest.analytics.metrics import (
    METRICS,
    MetricInfo,
    compute_metrics,
    drawdown_series,
    simple_returns,
)
from ava_backtest.analytics.trade_stats import TradeStats, trade_metrics

__all__ = [
    "METRICS",
    "MetricInfo",
    "TradeStats",
    "compute_metrics",
    "drawdown_series",
    "simple_returns",
    "trade_metrics",
]
