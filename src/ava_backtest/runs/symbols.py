"""A finished run's per-symbol table (``GET /backtests/{id}/symbols``) from its stored trades."""

from __future__ import annotations

import math
from typing import Any

import polars as pl

from ava_backtest.analytics.symbol_breakdown import breakdown_totals, symbol_breakdown

_SCHEMA = {
    "symbol": pl.String,
    "pnl_net": pl.Float64,
    "pnl_gross": pl.Float64,
    "fees": pl.Float64,
    "dividends": pl.Float64,
    "bars_held": pl.Int64,
}


def symbol_table(
    trades: list[dict[str, Any]],
    *,
    sessions: int,
    initial_capital: float,
    final_equity: float | None,
) -> dict[str, Any]:
    """``items`` (one row per symbol), ``totals`` (their sums), ``run_pnl`` and the part of it the
    closed trades do not explain (open positions at the end), ``sessions``."""
    frame = pl.DataFrame(
        [{k: t.get(k) for k in _SCHEMA} for t in trades], schema=_SCHEMA, orient="row"
    )
    table = symbol_breakdown(frame, sessions=max(sessions, 1), initial_capital=initial_capital)
    totals = breakdown_totals(table, sessions=max(sessions, 1), initial_capital=initial_capital)
    run_pnl = (
        final_equity - initial_capital
        if final_equity is not None and math.isfinite(final_equity)
        else None
    )
    return {
        "items": table.to_dicts(),
        "totals": totals,
        "initial_capital": initial_capital,
        "run_pnl": run_pnl,
        "not_in_closed_trades": None if run_pnl is None else run_pnl - totals["pnl_net"],
        "sessions": sessions,
    }
