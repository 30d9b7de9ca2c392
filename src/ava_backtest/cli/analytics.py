"""``ava analytics``: correlation and the combined portfolio of stored runs (the database of
``AVA_DATABASE_URL``, or the SQLite file in ``AVA_HOME``), as the API computes them."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.table import Table

from ava_backtest.domain.errors import AvaError

analytics_app = typer.Typer(
    help="Measure stored runs together: correlation of their returns, a portfolio of them.",
    no_args_is_help=True,
)
err = Console(stderr=True, soft_wrap=True)
out = Console(width=None if sys.stdout.isatty() else 132)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code=2)


def _store() -> Any:
    from ava_backtest.settings import get_settings
    from ava_backtest.store.db import database_url, make_engine, migrate
    from ava_backtest.store.repository import RunStore

    engine = make_engine(database_url(get_settings().database_url))
    migrate(engine)
    return RunStore(engine)


def _fmt(v: Any, pct: bool = False) -> str:
    if v is None:
        return "—"
    return f"{100 * v:,.2f}%" if pct else f"{v:,.3f}"


@analytics_app.command()
def correlation(
    ids: Annotated[
        list[str], typer.Argument(help="Two or more run ids (see `ava serve` / the UI).")
    ],
    market: Annotated[str | None, typer.Option(help="Require every run on this market.")] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """Pearson correlation of the runs' daily returns, pairwise over common dates."""
    from ava_backtest.runs.analytics import correlation_report

    try:
        report = correlation_report(_store(), ids, market=market)
    except AvaError as e:
        _fail(str(e))
        return
    if as_json:
        print(json.dumps(report, indent=2))
        return
    table = Table(title=f"Correlation of daily returns ({report['start']} → {report['end']})")
    table.add_column("run")
    for i in range(len(ids)):
        table.add_column(str(i + 1), justify="right")
    for i, label in enumerate(report["labels"]):
        cells = [
            f"{_fmt(v)} [dim]({n})[/]"
            for v, n in zip(report["matrix"][i], report["overlap"][i], strict=True)
        ]
        table.add_row(f"{i + 1}. {label}", *cells)
    out.print(table)
    out.print("[dim](n) = common dates with a return[/]")
    for note in report["notes"]:
        out.print(f"note: {note}")


@analytics_app.command()
def portfolio(
    ids: Annotated[list[str], typer.Argument(help="Two or more run ids.")],
    weights: Annotated[
        str | None,
        typer.Option(
            help="Comma-separated weights in the order of the ids, e.g. 2,1,1 (normalised)."
        ),
    ] = None,
    weighting: Annotated[
        str | None,
        typer.Option(
            help="equal, inverse_volatility or given (default: given with --weights, else equal)."
        ),
    ] = None,
    rebalance: Annotated[
        str, typer.Option(help="daily, weekly, monthly, quarterly or never.")
    ] = "monthly",
    capital: Annotated[
        float | None, typer.Option(help="Starting value; default the sum of the runs' capitals.")
    ] = None,
    vol_window: Annotated[
        int, typer.Option(help="Inverse volatility: returns before the start used to estimate it.")
    ] = 63,
    as_json: Annotated[bool, typer.Option("--json", help="Print the result as JSON.")] = False,
) -> None:
    """A portfolio of the runs: weights, rebalancing, metrics and diversification ratio."""
    from ava_backtest.runs.analytics import portfolio_report

    given: list[float] | None = None
    if weights is not None:
        try:
            given = [float(w) for w in weights.split(",") if w.strip()]
        except ValueError:
            _fail(f"weights: expected numbers separated by commas, got {weights!r}")
    try:
        report = portfolio_report(
            _store(),
            ids,
            weights=given,
            weighting=weighting,
            rebalance=rebalance,
            capital=capital,
            vol_window=vol_window,
        )
    except AvaError as e:
        _fail(str(e))
        return
    if as_json:
        print(json.dumps(report, indent=2))
        return
    runs = Table(
        title=f"Portfolio of {len(ids)} runs, {report['weighting']} weights, rebalanced "
        f"{report['rebalance']} ({report['start']} → {report['end']}, {report['n_dates']} dates)"
    )
    for col, justify in (("run", "left"), ("weight", "right"), ("end weight", "right"),
                         ("volatility", "right"), ("return", "right")):  # fmt: skip
        runs.add_column(col, justify=justify)  # type: ignore[arg-type]
    for i, label in enumerate(report["labels"]):
        runs.add_row(
            label,
            _fmt(report["weight_list"][i], pct=True),
            _fmt(report["final_weights"][i], pct=True),
            _fmt(report["volatilities"][i], pct=True),
            _fmt(report["run_returns"][i], pct=True),
        )
    out.print(runs)
    m = report["metrics"]
    cur = report["currency"]
    summary = Table(show_header=False)
    summary.add_column("metric")
    summary.add_column("value", justify="right")
    for label, value in (
        ("Total return", _fmt(m["total_return"], pct=True)),
        ("CAGR", _fmt(m["cagr"], pct=True)),
        ("Annual volatility", _fmt(m["annual_volatility"], pct=True)),
        ("Sharpe ratio", _fmt(m["sharpe"])),
        ("Sortino ratio", _fmt(m["sortino"])),
        ("Max drawdown", _fmt(m["max_drawdown"], pct=True)),
        ("Diversification ratio", _fmt(report["diversification_ratio"])),
        ("Rebalances", str(report["rebalances"])),
        ("Final equity", f"{m['final_equity']:,.2f} {cur}"),
    ):
        summary.add_row(label, value)
    out.print(summary)
    for note in report["notes"]:
        out.print(f"note: {note}")
