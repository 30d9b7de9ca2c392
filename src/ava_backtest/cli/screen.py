"""``ava screen``: one strategy and its parameters backtested on every symbol of a universe alone,
in-process or on a Dask cluster (``--dask``), with a Rich progress bar, the rows sorted by any
metric, and ``--json``."""

from __future__ import annotations

import json
import sys
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.table import Table

from ava_backtest.domain.errors import AvaError

PCT = {"total_return", "cagr", "max_drawdown", "win_rate", "exposure"}


def screen(
    strategy: Annotated[str, typer.Argument(help="Strategy name, e.g. sma_crossover.")],
    universe: Annotated[
        str | None, typer.Option("--universe", "-u", help="A named universe, e.g. us_sample.")
    ] = None,
    symbols: Annotated[
        str | None, typer.Option("--symbols", "-s", help="Comma-separated symbols instead.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A strategy parameter key=value; repeatable."),
    ] = None,
    market: Annotated[str, typer.Option(help="US, IN or 24x7.")] = "US",
    start: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")] = None,
    capital: Annotated[float, typer.Option(help="Initial capital of each symbol's run.")] = (
        100_000.0
    ),
    costs: Annotated[
        bool, typer.Option("--costs/--no-costs", help="Apply the market's fee table.")
    ] = True,
    sort: Annotated[
        str,
        typer.Option(help="Sort rows by symbol or any metric; '-' for descending (-sharpe)."),
    ] = "-sharpe",
    top: Annotated[int, typer.Option(help="Rows the table shows (0: all).")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result (every row) as JSON.")
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run the symbols on this Dask scheduler (tcp://host:8786); "
            "default AVA_DASK_ADDRESS, else here.",
        ),
    ] = None,
) -> None:
    """Backtest one strategy on every symbol of a universe alone: one row per symbol.

    Each row is exactly `ava backtest STRATEGY -s SYMBOL` with the same options.

    Examples:

      ava screen sma_crossover --universe us_sample

      ava screen sma_crossover -u in_sample_synthetic --market IN --sort -cagr --top 10

      ava screen bollinger_bands -u us_sample -p period=30 --json --dask tcp://scheduler:8786
    """
    from ava_backtest.cli.app import _fail, _parse_params, _pydantic_message, err, out
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.cluster import job_runner
    from ava_backtest.runs.screens import check_sort, run_screen, screen_symbols
    from ava_backtest.runs.service import database_universes, resolve_run_universe

    if universe is None and symbols is None:
        _fail("give --universe (e.g. us_sample) or --symbols (e.g. AAPL,MSFT)")
    raw: dict[str, Any] = {
        "strategy_name": strategy,
        "params": _parse_params(param or []),
        "market": market,
        "universe": universe,
        "symbols": symbols.split(",") if symbols else None,
        "start_date": start,
        "end_date": end,
        "initial_capital": capital,
        "costs": {"model": "market" if costs else "none"},
    }
    try:
        config = RunConfig.model_validate(raw)
    except ValidationError as e:
        _fail(_pydantic_message(e))
    try:
        check_sort(sort)
        from ava_backtest.runs.execute import build_strategy, run_cost_model

        build_strategy(config)  # the strategy and its parameters, named, before any symbol runs
        run_cost_model(config)
        resolved = resolve_run_universe(config, database_universes())
        names = screen_symbols(config, resolved)
        runner = job_runner(dask)
        if as_json or not sys.stderr.isatty():
            result = run_screen(config, universe=resolved, symbols=names, runner=runner)
        else:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TimeElapsedColumn(),
                TimeRemainingColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task(f"{strategy} on {runner.name}", total=len(names))

                def on_rows(rows: list[dict[str, Any]], done: int, total: int) -> None:
                    bar.update(task, completed=done, total=total)

                result = run_screen(
                    config, universe=resolved, symbols=names, runner=runner, on_rows=on_rows
                )
    except AvaError as e:
        _fail(str(e))
    doc = result.to_dict(sort)
    if as_json:
        from ava_backtest.runs.events import client_event

        sys.stdout.write(json.dumps(client_event({"v": doc})["v"], allow_nan=False) + "\n")
        return
    _report(out, doc, top)


def _fmt(v: Any, pct: bool, money: bool = False) -> str:
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{100 * v:.2f}%" if pct else f"{v:,.0f}" if money else f"{v:,.3f}"
    return f"{v:,}" if isinstance(v, int) else str(v)


def _report(console: Any, doc: dict[str, Any], top: int) -> None:
    from ava_backtest.runs.screens import HEADLINE

    rows = doc["rows"][:top] if top else doc["rows"]
    where = doc["universe"] or "symbols"
    table = Table(
        title=f"{doc['strategy_name']} on {where} ({doc['market']}), each symbol alone: "
        f"{doc['complete']} of {doc['n_symbols']} ran, sorted by {doc['sort']}"
    )
    table.add_column("symbol")
    for m in HEADLINE:
        table.add_column(m, justify="right")
    for r in rows:
        metrics = r.get("metrics") or {}
        if r["status"] != "complete":
            table.add_row(r["symbol"], f"[red]failed[/]: {r.get('error', '')}")
            continue
        table.add_row(
            r["symbol"], *(_fmt(metrics.get(m), m in PCT, m == "final_equity") for m in HEADLINE)
        )
    console.print(table)
    console.print(f"ran on {doc['runner']} in {doc['elapsed_s']:.2f} s")
