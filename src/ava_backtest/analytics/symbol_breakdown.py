"""A run's closed trades broken down by symbol: what each symbol contributed.

Per symbol: closed trades, winners (net P&L > 0) and win rate, net and gross P&L, fees, dividends,
return contribution (net P&L / initial capital, so the symbols' contributions add up to the closed
trades' share of the run's return), bars held and exposure (bars held / the run's sessions: the
share of the run with a closed trade of that symbol open; for a symbol traded with several
positions at once it can exceed 1).

The totals row is the column sums, so the table reconciles with the run's own metrics (trade
count, total fees); what the closed trades do not explain (open positions marked to market at the
end, interest on cash) is the run's P&L minus their net P&L, reported beside them, never spread over
the symbols.
"""

from __future__ import annotations

from typing import Any

import polars as pl

COLUMNS = (
    "symbol",
    "trades",
    "winners",
    "win_rate",
    "pnl_net",
    "pnl_gross",
    "fees",
    "dividends",
    "return_contribution",
    "bars_held",
    "exposure",
)


def symbol_breakdown(
    trades: pl.DataFrame, *, sessions: int, initial_capital: float
) -> pl.DataFrame:
    """One row per traded symbol (ordered by symbol) from a trades frame with the columns
    ``symbol, pnl_net, pnl_gross, fees, dividends, bars_held``."""
    if sessions <= 0:
        raise ValueError(f"sessions must be > 0 (got {sessions})")
    if not initial_capital > 0:
        raise ValueError(f"initial_capital must be > 0 (got {initial_capital})")
    missing = {"symbol", "pnl_net", "pnl_gross", "fees", "dividends", "bars_held"} - set(
        trades.columns
    )
    if missing:
        raise ValueError(f"trades lack the columns {', '.join(sorted(missing))}")
    money = ("pnl_net", "pnl_gross", "fees", "dividends")
    return (
        trades.group_by("symbol")
        .agg(
            pl.len().alias("trades"),
            (pl.col("pnl_net") > 0).sum().alias("winners"),
            *(pl.col(c).cast(pl.Float64).fill_null(0.0).sum().alias(c) for c in money),
            pl.col("bars_held").cast(pl.Int64).fill_null(0).sum().alias("bars_held"),
        )
        .with_columns(
            pl.col("trades").cast(pl.Int64),
            pl.col("winners").cast(pl.Int64),
            (pl.col("winners") / pl.col("trades")).alias("win_rate"),
            (pl.col("pnl_net") / initial_capital).alias("return_contribution"),
            (pl.col("bars_held") / sessions).alias("exposure"),
        )
        .select(COLUMNS)
        .sort("symbol")
    )


def breakdown_totals(
    table: pl.DataFrame, *, sessions: int, initial_capital: float
) -> dict[str, Any]:
    """The column sums of ``symbol_breakdown``'s table (rates recomputed from the sums)."""
    n = int(table["trades"].sum()) if table.height else 0
    wins = int(table["winners"].sum()) if table.height else 0
    sums = {
        c: float(table[c].sum()) if table.height else 0.0
        for c in ("pnl_net", "pnl_gross", "fees", "dividends")
    }
    held = int(table["bars_held"].sum()) if table.height else 0
    return {
        "trades": n,
        "winners": wins,
        "win_rate": wins / n if n else None,
        **sums,
        "return_contribution": sums["pnl_net"] / initial_capital,
        "bars_held": held,
        "exposure": held / sessions,
    }
