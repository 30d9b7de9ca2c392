"""``ava walkforward``: a walk-forward analysis in-process (no server), with Rich progress per
window, the windows table (in-sample vs out-of-sample), efficiency and the out-of-sample
overfitting panel, and ``--json`` for the whole result."""

from __future__ import annotations

from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from ava_backtest.cli import jobs
from ava_backtest.domain.errors import AvaError


def walkforward(
    strategy: jobs.Strategy,
    symbols: jobs.Symbols = None,
    universe: jobs.Universe = None,
    param_range: Annotated[
        list[str] | None,
        typer.Option(
            "--param-range",
            "-r",
            help="name=low:high, name=low:high:step or name=a,b,c; repeatable. Default: a grid "
            "of a few values per parameter from the strategy's bounds.",
        ),
    ] = None,
    mode: Annotated[str, typer.Option(help="rolling (default) or anchored.")] = "rolling",
    folds: Annotated[
        int | None, typer.Option(help="Number of windows (default 5 when no length is given).")
    ] = None,
    is_sessions: Annotated[
        int | None, typer.Option("--is", help="In-sample sessions per window.")
    ] = None,
    oos_sessions: Annotated[
        int | None, typer.Option("--oos", help="Out-of-sample sessions per window.")
    ] = None,
    step: Annotated[
        int | None, typer.Option(help="Sessions between window starts (default: --oos).")
    ] = None,
    gap: Annotated[int, typer.Option(help="Purge/embargo sessions between IS and OOS.")] = 0,
    carry_over: Annotated[
        bool,
        typer.Option("--carry-over", help="Keep positions open from one segment to the next."),
    ] = False,
    objective: Annotated[str, typer.Option(help="A metric of docs/metrics.md.")] = "sharpe",
    minimize: Annotated[bool, typer.Option("--minimize", help="Minimise the objective.")] = False,
    sampler: Annotated[
        str, typer.Option(help="grid (default), tpe, random or cmaes, in each window.")
    ] = "grid",
    trials: Annotated[
        int | None, typer.Option("--trials", "-n", help="Trials per window (grid: all).")
    ] = None,
    seed: Annotated[int, typer.Option(help="Sampler seed.")] = 0,
    min_trades: Annotated[int, typer.Option(help="Fewer trades: not a complete trial.")] = 1,
    market: jobs.Market = "US",
    start: jobs.Start = None,
    end: jobs.End = None,
    capital: jobs.Capital = 100_000.0,
    param: jobs.FixedParams = None,
    costs: jobs.Costs = True,
    hindsight: Annotated[
        bool,
        typer.Option(
            "--hindsight/--no-hindsight",
            help="Also optimise over the whole out-of-sample span (the in-sample-optimised curve).",
        ),
    ] = True,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result as JSON.")
    ] = False,
    dask: Annotated[str | None, typer.Option("--dask", help=jobs.dask_help("windows"))] = None,
) -> None:
    """Walk-forward analysis: optimise in sample, trade the choice out of sample, window after
    window; judge the stitched out-of-sample record.

    Windows are counted in the market's sessions. Each out-of-sample segment starts
    flat (unless --carry-over) and may use earlier bars only as indicator warm-up.
    Efficiency = annualised OOS return / mean annualised IS return; docs/walkforward.md.

    Examples:

      ava walkforward sma_crossover -s AAPL

      ava walkforward sma_crossover -s AAPL --is 756 --oos 126 --gap 5 --mode anchored

      ava walkforward sma_crossover -s GOOG -r fast_period=5:50:5 -r slow_period=60:200:20 --json

      ava walkforward sma_crossover -s AAPL --dask tcp://scheduler:8786
    """
    from ava_backtest.cli.app import _fail, out
    from ava_backtest.runs.cluster import job_runner
    from ava_backtest.runs.service import database_universes, resolve_run_universe
    from ava_backtest.runs.walkforward import run_walkforward
    from ava_backtest.runs.walkforwards import WalkForwardRequest, spec_from_request

    jobs.need_symbols(universe, symbols, "GOOG")
    ranges = jobs.parse_ranges(param_range)
    base = jobs.base_request(
        strategy=strategy, param=param, market=market, universe=universe, symbols=symbols,
        start=start, end=end, capital=capital, costs=costs,
    )  # fmt: skip
    raw: dict[str, Any] = {
        **base,
        "param_ranges": ranges or None,
        "objective": {"metric": objective, "direction": "minimize" if minimize else "maximize"},
        "mode": mode,
        "folds": folds,
        "is_sessions": is_sessions,
        "oos_sessions": oos_sessions,
        "step": step,
        "gap": gap,
        "carry_over": carry_over,
        "sampler": sampler,
        "n_trials": trials,
        "seed": seed,
        "min_trades": min_trades,
        "hindsight": hindsight,
    }
    req = jobs.validated(WalkForwardRequest, raw)
    try:
        spec = spec_from_request(req)
        resolved = resolve_run_universe(spec.config, database_universes())
        runner = job_runner(dask)
        if jobs.quiet(as_json):
            result = run_walkforward(spec, universe=resolved, runner=runner)
        else:
            with jobs.progress_bar(remaining=False) as bar:
                task = bar.add_task(f"{strategy}: windows", total=None)

                def on_window(o: Any, done: int, total: int) -> None:
                    what = f"window {o.index}" if o.kind == "window" else "hindsight"
                    chosen = f" chose {o.params}" if o.params else f" {o.error}"
                    bar.update(task, completed=done, total=total,
                               description=f"{strategy}: {what}{chosen}")  # fmt: skip

                result = run_walkforward(
                    spec, universe=resolved, runner=runner, on_window=on_window
                )
    except AvaError as e:
        _fail(str(e))
    if as_json:
        from ava_backtest.runs.walkforwards import summary

        jobs.write_json(summary(result))
        return
    _report(out, result)


def _fmt(v: Any, pct: bool = False) -> str:
    return jobs.fmt(v, pct, digits=3)


def _report(console: Console, result: Any) -> None:
    spec = result.spec
    plan = result.plan
    table = Table(
        title=f"Walk-forward of {spec.config.strategy_name} on {', '.join(result.symbols)}: "
        f"{len(result.windows)} {plan.mode} windows, {plan.is_sessions} in-sample + "
        f"{plan.gap} gap + {plan.oos_sessions} out-of-sample sessions, {spec.sampler} "
        f"{spec.direction} {spec.objective}"
    )
    for name, justify in (("#", "right"), ("in sample", "left"), ("out of sample", "left"),
                          ("chosen", "left"), (f"IS {spec.objective}", "right"),
                          (f"OOS {spec.objective}", "right"), ("IS CAGR", "right"),
                          ("OOS CAGR", "right"), ("efficiency", "right")):  # fmt: skip
        table.add_column(name, justify=justify)  # type: ignore[arg-type]
    for w in result.windows:
        d = w.dates
        table.add_row(
            str(w.window.index), f"{d[0]} → {d[1]}", f"{d[2]} → {d[3]}",
            ", ".join(f"{k}={v}" for k, v in (w.params or {}).items()) or w.error,
            _fmt(w.is_value), _fmt(w.oos_value), _fmt(w.is_metrics.get("cagr"), True),
            _fmt(w.oos_metrics.get("cagr"), True), _fmt(w.efficiency),
        )  # fmt: skip
    console.print(table)
    m = result.oos_metrics
    console.print(
        f"stitched out of sample {result.dates[0].astype('datetime64[D]')} → "
        f"{result.dates[-1].astype('datetime64[D]')}: total return {_fmt(m.get('total_return'), True)}, "
        f"CAGR {_fmt(m.get('cagr'), True)}, Sharpe {_fmt(m.get('sharpe'))}, max drawdown "
        f"{_fmt(m.get('max_drawdown'), True)}, {m.get('trade_count')} trades"
    )
    console.print(
        f"walk-forward efficiency {_fmt(result.efficiency)} (annualised OOS return / mean "
        f"annualised IS return); Sharpe efficiency {_fmt(result.efficiency_sharpe)}"
    )
    if result.hindsight and result.hindsight.get("params"):
        h = result.hindsight
        console.print(
            f"hindsight: optimised over the whole out-of-sample span, {h['params']} would show "
            f"CAGR {_fmt(h['metrics'].get('cagr'), True)}"
        )
    of = result.overfitting
    colour = jobs.VERDICT_COLOURS.get(of["verdict"], "white")
    body = Table.grid()
    for line in of["explanation"]:
        body.add_row(line)
    console.print(Panel(body, title=f"Out-of-sample overfitting: [{colour}]{of['verdict']}[/]"))
    for note in result.notes:
        console.print(f"note: {note}")
