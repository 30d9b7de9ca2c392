"""The human-readable backtest report: headline, metrics table, last trades."""

from __future__ import annotations

from typing import Any

from rich.console import Console
from rich.table import Table

from ava_backtest.analytics.metrics import METRICS

BENCHMARK_LABELS = tuple(m.label for m in METRICS.values() if m.group == "benchmark")


def _fmt(value: Any, unit: str, currency: str) -> str:
    if value is None:
        return "—"
    if unit == "flag":
        return "yes" if value else "no"
    if unit == "pct":
        return f"{value * 100:,.2f}%"
    if unit == "currency":
        return f"{value:,.2f} {currency}"
    if unit in ("count", "bars", "days"):
        return f"{value:,.0f}"
    return f"{value:,.3f}"


def print_report(console: Console, result: Any, last_trades: int = 10) -> None:
    cfg = result.config
    where = cfg.universe or ",".join(cfg.symbols or [])
    label = " [yellow](synthetic data)[/]" if result.synthetic else ""
    console.print(
        f"[bold]{cfg.strategy_name}[/] on {where} ({cfg.market}){label}  "
        f"{result.effective_start} → {str(result.dates[-1])[:10]}  "
        f"params {result.params}  fill={cfg.fill}  costs={cfg.costs.model}"
    )
    for note in result.notes:
        console.print(f"  note: {note}")
    table = Table(title="Metrics", show_header=True, header_style="bold")
    table.add_column("metric")
    table.add_column("value", justify="right")
    table.add_column("metric")
    table.add_column("value", justify="right")
    items = [
        (info.label, _fmt(result.metrics.get(key), info.unit, result.currency))
        for key, info in METRICS.items()
    ]
    half = (len(items) + 1) // 2
    for left, right in zip(items[:half], [*items[half:], ("", "")], strict=False):
        table.add_row(left[0], left[1], right[0], right[1])
    console.print(table)
    window = result.metrics
    if window.get("benchmark_start") is not None:
        console.print(
            f"benchmark metrics ({', '.join(BENCHMARK_LABELS)}) cover "
            f"{window['benchmark_start']} → {window['benchmark_end']} "
            f"({window['benchmark_bars']:,} of {len(result.dates):,} bars)"
        )

    trades = result.trades
    t = Table(
        title=f"Last {min(last_trades, trades.height)} of {trades.height} trades",
        header_style="bold",
    )
    for col in (
        "symbol",
        "side",
        "entry",
        "exit",
        "qty",
        "entry px",
        "exit px",
        "net P&L",
        "return",
        "reason",
    ):
        t.add_column(
            col,
            justify="right"
            if col in ("qty", "entry px", "exit px", "net P&L", "return")
            else "left",
        )
    for row in trades.tail(last_trades).iter_rows(named=True):
        t.add_row(
            row["symbol"],
            row["direction"],
            str(row["entry_time"])[:10],
            str(row["exit_time"])[:10],
            f"{row['qty']:,.0f}",
            f"{row['entry_price']:,.2f}",
            f"{row['exit_price']:,.2f}",
            f"{row['pnl_net']:,.2f}",
            f"{row['return_pct'] * 100:,.2f}%",
            row["exit_reason"],
        )
    console.print(t)
    if result.open_positions.height:
        console.print(
            f"open at the end: {', '.join(result.open_positions['symbol'].to_list())} (marked to market)"
        )
    timing = ", ".join(f"{k} {v * 1000:.0f} ms" for k, v in result.timings.items())
    console.print(f"[dim]{timing}[/]")
