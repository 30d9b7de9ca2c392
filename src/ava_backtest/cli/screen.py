"""``ava screen``: one strategy and its parameters backtested on every symbol of a universe alone,
in-process or on a Dask cluster (``--dask``), with a Rich progress bar, the rows sorted by any
metric, and ``--json``."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.table import Table

from ava_backtest.cli import jobs
from ava_backtest.domain.errors import AvaError

PCT = {"total_return", "cagr", "max_drawdown", "win_rate", "exposure"}


def screen(
    strategy: Annotated[str, typer.Argument(help="Strategy name, e.g. sma_crossover.")],
    universe: jobs.Universe = None,
    symbols: Annotated[
        str | None, typer.Option("--symbols", "-s", help="Comma-separated symbols instead.")
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="A strategy parameter key=value; repeatable."),
    ] = None,
    market: jobs.Market = "US",
    start: jobs.Start = None,
    end: jobs.End = None,
    capital: Annotated[float, typer.Option(help="Initial capital of each symbol's run.")] = (
        100_000.0
    ),
    costs: jobs.Costs = True,
    sort: Annotated[
        str,
        typer.Option(help="Sort rows by symbol or any metric; '-' for descending (-sharpe)."),
    ] = "-sharpe",
    top: Annotated[int, typer.Option(help="Rows the table shows (0: all).")] = 0,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result (every row) as JSON.")
    ] = False,
    dask: Annotated[str | None, typer.Option("--dask", help=jobs.dask_help("symbols"))] = None,
) -> None:
    """Backtest one strategy on every symbol of a universe alone: one row per symbol.

    Each row is exactly `ava backtest STRATEGY -s SYMBOL` with the same options.

    Examples:

      ava screen sma_crossover --universe us_sample

      ava screen sma_crossover -u in_sample_synthetic --market IN --sort -cagr --top 10

      ava screen bollinger_bands -u us_sample -p period=30 --json --dask tcp://scheduler:8786
    """
    from ava_backtest.cli.app import _fail, out
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.cluster import job_runner
    from ava_backtest.runs.screens import check_sort, run_screen, screen_symbols
    from ava_backtest.runs.service import database_universes, resolve_run_universe

    jobs.need_symbols(universe, symbols, "AAPL,MSFT")
    raw = jobs.base_request(
        strategy=strategy, param=param, market=market, universe=universe, symbols=symbols,
        start=start, end=end, capital=capital, costs=costs,
    )  # fmt: skip
    config = jobs.validated(RunConfig, raw)
    try:
        check_sort(sort)
        from ava_backtest.runs.execute import build_strategy, run_cost_model

        build_strategy(config)  # the strategy and its parameters, named, before any symbol runs
        run_cost_model(config)
        resolved = resolve_run_universe(config, database_universes())
        names = screen_symbols(config, resolved)
        runner = job_runner(dask)
        if jobs.quiet(as_json):
            result = run_screen(config, universe=resolved, symbols=names, runner=runner)
        else:
            with jobs.progress_bar() as bar:
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
        jobs.write_json(jobs.plain(doc))
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
