"""``ava optimize``: a parameter study in-process (no server), with a Rich progress bar, the best
trials, the overfitting panel explained in words, ``--json`` and ``--export``."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated, Any

import typer
from rich.console import Console
from rich.panel import Panel
from rich.table import Table

from ava_backtest.cli import jobs
from ava_backtest.domain.errors import AvaError

METRIC_COLUMNS = ("sharpe", "cagr", "max_drawdown", "trade_count")


def optimize(
    strategy: jobs.Strategy,
    symbols: jobs.Symbols = None,
    universe: jobs.Universe = None,
    param_range: Annotated[
        list[str] | None,
        typer.Option(
            "--param-range",
            "-r",
            help="name=low:high, name=low:high:step or name=a,b,c; repeatable. Only these "
            "parameters vary. Default: every parameter within the strategy's own bounds.",
        ),
    ] = None,
    trials: Annotated[
        int | None,
        typer.Option("--trials", "-n", help="Trials to run (>= 1); default 100, a grid: all."),
    ] = None,
    sampler: Annotated[
        str, typer.Option(help="tpe (default), random, grid, cmaes or nsga2.")
    ] = "tpe",
    objective: Annotated[
        list[str] | None,
        typer.Option(
            help="A metric of docs/metrics.md (sharpe, cagr, sortino, calmar …); repeat for "
            "several objectives (nsga2, random or grid). Default sharpe."
        ),
    ] = None,
    minimize: Annotated[
        bool, typer.Option("--minimize", help="Minimise the objective(s) instead.")
    ] = False,
    seed: Annotated[int, typer.Option(help="Sampler seed: same seed, same study.")] = 0,
    min_trades: Annotated[
        int, typer.Option(help="Trials with fewer trades do not count as complete.")
    ] = 1,
    batch: Annotated[int, typer.Option(help="Trials asked and evaluated together.")] = 16,
    holdout_start: Annotated[
        str | None,
        typer.Option(help="Optimise before this date (YYYY-MM-DD); test the best from it."),
    ] = None,
    blocks: Annotated[int, typer.Option(help="CSCV blocks S for PBO (even).")] = 16,
    market: jobs.Market = "US",
    start: jobs.Start = None,
    end: jobs.End = None,
    capital: jobs.Capital = 100_000.0,
    param: jobs.FixedParams = None,
    costs: jobs.Costs = True,
    grid_limit: Annotated[int, typer.Option(help="Largest grid allowed.")] = 100_000,
    top: Annotated[int, typer.Option(help="How many best trials the report lists.")] = 10,
    as_json: Annotated[
        bool, typer.Option("--json", help="Print the whole result (every trial) as JSON.")
    ] = False,
    export: Annotated[
        Path | None,
        typer.Option(
            help="Write trials.parquet/.csv and returns.parquet/.csv (the trials x periods "
            "return matrix, to recompute PBO and DSR elsewhere) into this directory."
        ),
    ] = None,
    dask: Annotated[str | None, typer.Option("--dask", help=jobs.dask_help("trials"))] = None,
) -> None:
    """Optimise a strategy's parameters and say how much of the best result is luck.

    Every trial is a full backtest (costs, fills, sizing as in `ava backtest`).
    The best one comes with the overfitting panel: PBO, Deflated and
    Probabilistic Sharpe, minimum track record, parameter stability, hold-out
    degradation and one score from 0 (honest) to 1 (luck); docs/overfitting.md.

    Examples:

      ava optimize sma_crossover -s GOOG -r fast_period=5:50 -r slow_period=60:200

      ava optimize sma_crossover -s GOOG -r fast_period=5:50:5 --sampler grid

      ava optimize sma_crossover -s GOOG --trials 200 --seed 7 --holdout-start 2016-01-01

      ava optimize bollinger_bands -u us_sample --objective ulcer_index --minimize --json

      ava optimize sma_crossover -s GOOG --sampler nsga2 --objective sharpe
      --objective max_drawdown --export out/

      ava optimize sma_crossover -s GOOG --sampler grid --dask tcp://scheduler:8786
    """
    from ava_backtest.cli.app import _fail, out
    from ava_backtest.runs.cluster import job_runner
    from ava_backtest.runs.optimize import run_study
    from ava_backtest.runs.service import database_universes, resolve_run_universe
    from ava_backtest.runs.studies import OptimizationRequest, spec_from_request

    jobs.need_symbols(universe, symbols, "GOOG")
    ranges = jobs.parse_ranges(param_range)
    direction = "minimize" if minimize else "maximize"
    base = jobs.base_request(
        strategy=strategy, param=param, market=market, universe=universe, symbols=symbols,
        start=start, end=end, capital=capital, costs=costs,
    )  # fmt: skip
    raw: dict[str, Any] = {
        **base,
        "param_ranges": ranges or None,
        "objectives": [{"metric": m, "direction": direction} for m in objective or ["sharpe"]],
        "sampler": sampler,
        "n_trials": trials,
        "seed": seed,
        "min_trades": min_trades,
        "batch": batch,
        "holdout_start": holdout_start,
        "blocks": blocks,
    }
    req = jobs.validated(OptimizationRequest, raw)
    try:
        spec = spec_from_request(req, grid_limit)
        resolved = resolve_run_universe(spec.config, database_universes())
        runner = job_runner(dask)
        if jobs.quiet(as_json):
            result = run_study(spec, universe=resolved, runner=runner)
        else:
            with jobs.progress_bar() as bar:
                task = bar.add_task(f"{strategy}: {sampler}", total=spec.n_trials)
                best: list[float] = []

                def on_trial(rec: Any, done: int, total: int) -> None:
                    v = rec.values[0] if rec.values else None
                    if rec.state == "complete" and v is not None:
                        best.append(v if not best else (max if direction == "maximize" else min)(
                            best[-1], v))  # fmt: skip
                    shown = f" best {spec.objectives[0][0]} {best[-1]:.4g}" if best else ""
                    bar.update(task, completed=done, total=total,
                               description=f"{strategy}: {sampler}{shown}")  # fmt: skip

                result = run_study(spec, universe=resolved, on_trial=on_trial, runner=runner)
    except AvaError as e:
        _fail(str(e))
    if export is not None:
        _export(result, export)
    if as_json:
        jobs.write_json(jobs.plain(result.to_dict()))
        return
    _report(out, result, top)
    if export is not None:
        out.print(f"wrote trials and returns (Parquet and CSV) to {export}")


def _export(result: Any, directory: Path) -> None:
    directory.mkdir(parents=True, exist_ok=True)
    trials = result.trials_frame()
    returns = result.returns_frame()
    trials.write_parquet(directory / "trials.parquet")
    trials.write_csv(directory / "trials.csv")
    returns.write_parquet(directory / "returns.parquet")
    returns.write_csv(directory / "returns.csv")


_fmt = jobs.fmt


def _report(console: Console, result: Any, top: int) -> None:
    spec = result.spec
    metric, direction = spec.objectives[0]
    complete = [t for t in result.trials if t.state == "complete"]
    sign = 1.0 if direction == "maximize" else -1.0
    ranked = sorted(complete, key=lambda t: (-sign * t.values[0], t.number))[:top]
    names = list(spec.space)
    table = Table(
        title=f"Best trials of {spec.config.strategy_name} ({spec.sampler}, seed {spec.seed}): "
        f"{len(complete)} of {len(result.trials)} complete, {direction} {metric}"
    )
    table.add_column("trial", justify="right")
    for n in names:
        table.add_column(n, justify="right")
    objective_names = [m for m, _ in spec.objectives]
    for m in objective_names:
        table.add_column(f"{m} (objective)", justify="right", style="bold")
    extra = [c for c in METRIC_COLUMNS if c not in objective_names]
    for c in extra:
        table.add_column(c, justify="right")
    for t in ranked:
        table.add_row(
            str(t.number),
            *(_fmt(t.params.get(n)) for n in names),
            *(_fmt(v) for v in t.values),
            *(_fmt(t.metrics.get(c), pct=c in ("cagr", "max_drawdown")) for c in extra),
        )
    console.print(table)
    if result.best is None:
        console.print("[yellow]no complete trial[/]: nothing to judge (see each trial's state)")
        return
    console.print(
        f"best: trial {result.best.number} {result.best.params} "
        f"{metric} {_fmt(result.best.values[0])}"
    )
    of = result.overfitting
    if of is not None:
        colour = jobs.VERDICT_COLOURS.get(of.verdict, "white")
        rows = [
            ("PBO", _fmt(of.pbo)),
            ("Deflated Sharpe (DSR)", _fmt(of.dsr)),
            ("Probabilistic Sharpe (PSR)", _fmt(of.psr)),
            ("Min track record (periods)", _fmt(of.min_track_record)),
            ("Stability", _fmt(of.stability)),
        ]
        if of.degradation is not None:
            rows.append(("Hold-out / in-sample", _fmt(of.degradation)))
        stats = Table.grid(padding=(0, 2))
        for k, v in rows:
            stats.add_row(k, v)
        for k, iv in of.bootstrap.items():
            stats.add_row(f"{k} 95% CI", f"{_fmt(iv.estimate)} [{_fmt(iv.low)}, {_fmt(iv.high)}]")
        body = Table.grid()
        body.add_row(stats)
        body.add_row("")
        for line in of.explanation:
            body.add_row(line)
        console.print(
            Panel(
                body,
                title=f"Overfitting score {of.score:.2f} — [{colour}]{of.verdict}[/]",
                border_style=colour,
            )
        )
    if result.holdout is not None:
        h = result.holdout
        console.print(
            f"hold-out from {h['start']}: {h['metric']} {_fmt(h['in_sample'])} in sample, "
            f"{_fmt(h['out_of_sample'])} out of sample"
        )
    console.print(f"{len(result.trials)} trials in {result.elapsed_s:.1f}s")
