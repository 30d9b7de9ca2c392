"""A finished run's equity views (``GET /backtests/{id}/equity-views``) from its stored curve:
worst drawdowns, rolling Sharpe / volatility / beta over a window, the return histogram and the
exposure over time."""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from ava_backtest.analytics.equity_views import (
    bar_returns,
    drawdown_periods,
    return_histogram,
    rolling_stats,
)
from ava_backtest.markets import get_market
from ava_backtest.runs.execute import bars_per_year


def _floats(a: np.ndarray) -> list[float | None]:
    return [float(v) if math.isfinite(v) else None for v in a.tolist()]


def equity_views(
    points: list[dict[str, Any]],
    *,
    market: str,
    risk_free_rate: float,
    window: int,
    bins: int,
    top: int,
) -> dict[str, Any]:
    dates_s = [str(p["date"])[:10] if len(str(p["date"])) <= 10 else str(p["date"]) for p in points]
    equity = np.array([np.nan if p["equity"] is None else p["equity"] for p in points], float)
    bench = np.array(
        [np.nan if p.get("benchmark") is None else p["benchmark"] for p in points], float
    )
    dates = np.array(dates_s, dtype="datetime64[s]") if dates_s else np.array([], "datetime64[s]")
    per_year = (
        bars_per_year(dates, get_market(market).trading_days_per_year) if len(points) > 1 else 252
    )
    r = bar_returns(equity)
    has_bench = bool(np.isfinite(bench).sum() > window)
    roll = rolling_stats(
        r,
        window,
        per_year,
        benchmark_returns=bar_returns(bench) if has_bench else None,
        risk_free_rate=risk_free_rate,
    )
    expo = np.array([np.nan if p.get("exposure") is None else p["exposure"] for p in points], float)
    return {
        "dates": dates_s,
        "window": window,
        "periods_per_year": per_year,
        "drawdowns": drawdown_periods(np.array(dates_s), equity, top=top),
        "rolling": {k: _floats(v) for k, v in roll.items() if k != "beta" or has_bench},
        "histogram": return_histogram(r, bins),
        "exposure": _floats(expo),
    }
