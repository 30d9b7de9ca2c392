"""The ``ava`` command: backtests and the strategy catalogue from the terminal."""

from __future__ import annotations

import datetime as dt
import json
import os
import sys
from pathlib import Path
from typing import Annotated, Any

import typer
from pydantic import ValidationError
from rich.console import Console
from rich.progress import BarColumn, Progress, TaskProgressColumn, TextColumn, TimeElapsedColumn

from ava_backtest.cli.report import print_report
from ava_backtest.domain.errors import AvaError

app = typer.Typer(
    help=(
        "Ava: honest, fast backtests for US and Indian equities.\n\n"
        "Start with `ava backtest sma_crossover --universe us_sample`, then "
        "`ava strategies list` to see what else there is."
    ),
    no_args_is_help=True,
    add_completion=False,
    pretty_exceptions_enable=False,
)
strategies_app = typer.Typer(help="Browse the strategy catalogue.", no_args_is_help=True)
app.add_typer(strategies_app, name="strategies")
data_app = typer.Typer(
    help="What data exists: universes and symbols with their coverage.", no_args_is_help=True
)
app.add_typer(data_app, name="data")

err = Console(stderr=True, soft_wrap=True)
# Piped output gets a report-sized width instead of Rich's 80-column fallback.
out = Console(width=None if sys.stdout.isatty() else 132)


def _fail(message: str) -> None:
    err.print(f"[bold red]error:[/] {message}", highlight=False)
    raise typer.Exit(code=2)


def _pydantic_message(e: ValidationError) -> str:
    first = e.errors()[0]
    loc = ".".join(str(p) for p in first["loc"])
    msg = first["msg"].removeprefix("Value error, ")
    return f"{loc}: {msg}" if loc else msg


def _parse_params(items: list[str]) -> dict[str, Any]:
    params: dict[str, Any] = {}
    for item in items:
        if "=" not in item:
            _fail(f"--param expects key=value, got {item!r}")
        key, value = item.split("=", 1)
        try:
            params[key.strip()] = json.loads(value)
        except json.JSONDecodeError:
            params[key.strip()] = value
    return params


@app.command()
def backtest(
    strategy: Annotated[
        str, typer.Argument(help="Strategy name, e.g. sma_crossover (see `ava strategies list`).")
    ],
    symbols: Annotated[
        str | None, typer.Option("--symbols", "-s", help="Comma-separated symbols, e.g. AAPL,MSFT.")
    ] = None,
    universe: Annotated[
        str | None, typer.Option("--universe", "-u", help="A named universe, e.g. us_sample.")
    ] = None,
    market: Annotated[str, typer.Option(help="US, IN or 24x7.")] = "US",
    start: Annotated[
        str | None, typer.Option(help="First date traded (YYYY-MM-DD); default: data start.")
    ] = None,
    end: Annotated[
        str | None, typer.Option(help="Last date traded (YYYY-MM-DD); default: data end.")
    ] = None,
    capital: Annotated[
        float | None,
        typer.Option(
            help="Initial capital in the market's currency; default the market's "
            "(US 100,000, IN 10,00,000)."
        ),
    ] = None,
    param: Annotated[
        list[str] | None,
        typer.Option("--param", "-p", help="Strategy parameter key=value; repeatable."),
    ] = None,
    fill: Annotated[str, typer.Option(help="next_open (default) or close.")] = "next_open",
    portfolio: Annotated[
        str,
        typer.Option(
            help="shared (one cash account) or independent (each symbol its own capital)."
        ),
    ] = "shared",
    max_positions: Annotated[
        int | None,
        typer.Option(
            help="Concurrent positions; default one per symbol, or 10 for a universe of more "
            "than 10 symbols sized in equal slots."
        ),
    ] = None,
    sizing: Annotated[
        str,
        typer.Option(
            help="equal_slots, fraction, fixed_cash, fixed_units, risk, target_weight, kelly, "
            "monte_carlo or risk_parity (docs/sizing.md; the overlays with their defaults)."
        ),
    ] = "equal_slots",
    size: Annotated[
        float | None, typer.Option(help="The sizing mode's value (e.g. 0.1 for fraction).")
    ] = None,
    costs: Annotated[
        bool, typer.Option("--costs/--no-costs", help="Apply the market's fee table.")
    ] = True,
    slippage_bps: Annotated[float, typer.Option(help="Slippage per fill in basis points.")] = 0.0,
    adjustment: Annotated[str, typer.Option(help="events (default), adjusted or none.")] = "events",
    benchmark: Annotated[
        str | None,
        typer.Option(
            help="A symbol to compare with, or none; default the universe's or market's "
            "(left out, with a note, where it has no data)."
        ),
    ] = None,
    as_json: Annotated[bool, typer.Option("--json", help="Print the full result as JSON.")] = False,
    trades: Annotated[int, typer.Option(help="How many of the last trades the report lists.")] = 10,
    sync: Annotated[
        bool,
        typer.Option(
            "--sync", help="First fetch what the market-data store lacks (`ava data sync`)."
        ),
    ] = False,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run it on this Dask scheduler (tcp://host:8786; its workers read the data "
            "from the shared AVA_HOME); default here.",
        ),
    ] = None,
) -> None:
    """Run one backtest and print its report.

    Examples:

      ava backtest sma_crossover --universe us_sample

      ava backtest sma_crossover -s GOOG -p fast_period=10 -p slow_period=30 --no-costs

      ava backtest sma_crossover -s AAPL,MSFT --start 2005-01-01 --end 2010-12-31 --json
    """
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.defaults import default_capital, with_default_positions
    from ava_backtest.runs.execute import run_backtest
    from ava_backtest.runs.service import database_universes, resolve_run_universe

    if capital is None:  # an unknown market gets a placeholder; its validation names the market
        capital = default_capital(market) or 100_000.0
    raw: dict[str, Any] = {
        "strategy_name": strategy,
        "params": _parse_params(param or []),
        "market": market,
        "universe": universe,
        "symbols": symbols.split(",") if symbols else None,
        "start_date": start,
        "end_date": end,
        "initial_capital": capital,
        "fill": fill,
        "portfolio": portfolio,
        "max_positions": max_positions,
        "sizing": {"mode": sizing, "value": size},
        "costs": {"model": "market" if costs else "none"},
        "slippage_bps": slippage_bps,
        "adjustment": adjustment,
        "benchmark": benchmark,
    }
    if universe is None and symbols is None:
        _fail("give --universe (e.g. us_sample) or --symbols (e.g. AAPL,MSFT)")
    try:
        config = RunConfig.model_validate(raw)
    except ValidationError as e:
        _fail(_pydantic_message(e))
    try:
        # The API's resolver: built-in universes, then the custom ones in the API's database.
        resolved = resolve_run_universe(config, database_universes())
        config = with_default_positions(config, resolved)
        if sync:
            from ava_backtest.cli.data import sync_before_run

            sync_before_run(config, resolved)

        def run(progress: Any = None) -> Any:
            if dask:  # on the cluster; progress comes from the worker's events
                from ava_backtest.runs.executor import run_on_dask

                return run_on_dask(dask, config, progress, resolved)
            return run_backtest(config, progress=progress, universe=resolved)

        if as_json or not sys.stderr.isatty():
            result = run()
        else:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                TaskProgressColumn(),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task(f"{strategy}", total=1.0)
                result = run(
                    lambda f, m: bar.update(task, completed=f, description=f"{strategy}: {m}")
                )
    except AvaError as e:
        _fail(str(e))
    if as_json:
        sys.stdout.write(json.dumps(result.to_dict(), default=_json_default) + "\n")
        return
    print_report(out, result, last_trades=trades)


def _json_default(o: Any) -> Any:
    if isinstance(o, dt.date | dt.datetime):
        return o.isoformat()
    if hasattr(o, "item"):
        return o.item()
    raise TypeError(f"not JSON serialisable: {type(o).__name__}")


@strategies_app.command("list")
def strategies_list(
    category: Annotated[str | None, typer.Option(help="Only this category.")] = None,
) -> None:
    """List the registered strategies."""
    from rich.table import Table

    from ava_backtest.strategies.registry import all_strategies

    table = Table(title="Strategies")
    for col in ("name", "category", "style", "direction", "data needs"):
        table.add_column(col)
    for name, cls in all_strategies().items():
        if category and cls.category != category:
            continue
        table.add_row(
            name, cls.category, cls.style, cls.direction, ", ".join(("ohlcv", *cls.requires))
        )
    out.print(table)


@strategies_app.command("show")
def strategies_show(name: Annotated[str, typer.Argument(help="Strategy name.")]) -> None:
    """Describe one strategy: what it does, its parameters and bounds, its warm-up."""
    from rich.table import Table

    from ava_backtest.strategies.registry import get_strategy

    try:
        cls = get_strategy(name)
    except AvaError as e:
        _fail(str(e))
    out.print(
        f"[bold]{cls.name}[/] {cls.version} — {cls.category}, {cls.direction}, {cls.timeframe}"
    )
    out.print(cls.description)
    table = Table("parameter", "type", "default", "min", "max", "meaning")
    for pname, p in cls.parameters.items():
        table.add_row(
            pname, p.kind, str(p.default), "" if p.minimum is None else f"{p.minimum:g}",
            "" if p.maximum is None else f"{p.maximum:g}", p.description,
        )  # fmt: skip
    out.print(table)
    out.print(
        f"warm-up: {cls().warmup()} bars with the defaults; data needs: ohlcv {' '.join(cls.requires)}"
    )


@strategies_app.command("report")
def strategies_report(
    missing: Annotated[
        bool, typer.Option("--missing", help="Only list the catalogue entries not implemented yet.")
    ] = False,
    write: Annotated[
        Path | None,
        typer.Option("--write", help="Also write the catalogue page (Markdown) to this file."),
    ] = None,
) -> None:
    """Run every implemented strategy of the catalogue with its defaults on us_sample and show
    trades, CAGR, Sharpe and max drawdown beside the entries not implemented yet.

    Examples: ava strategies report; ava strategies report --missing;
    ava strategies report --write docs/strategies/README.md (what `make catalogue` does)
    """
    from rich.progress import Progress
    from rich.table import Table

    from ava_backtest.runs.catalogue import catalogue_rows, render_catalogue
    from ava_backtest.strategies.spec import catalogue

    if missing:
        from ava_backtest.strategies.registry import all_strategies

        todo = [n for n in catalogue() if n not in all_strategies()]
        table = Table("name", "spec file", "category", "direction")
        for name in todo:
            e = catalogue()[name]
            table.add_row(name, e["source"], e["category"], e["direction"])
        out.print(table)
        out.print(f"{len(todo)} of {len(catalogue())} catalogue strategies not implemented yet")
        return
    with Progress(console=err, transient=True) as bar:
        task = bar.add_task("running the catalogue", total=len(catalogue()))
        rows = catalogue_rows(lambda name: bar.update(task, advance=1, description=name))
    table = Table("name", "category", "direction", "trades", "CAGR", "Sharpe", "max DD")
    for r in rows:
        m = r.metrics
        if m is None:
            status = "not yet" if not r.implemented else f"cannot run: {r.why_not}"
            table.add_row(r.name, r.category, r.direction, status, "", "", "")
            continue
        table.add_row(
            r.name, r.category, r.direction, str(m["trade_count"]), f"{100 * m['cagr']:.1f}%",
            "—" if m["sharpe"] is None else f"{m['sharpe']:.2f}", f"{100 * m['max_drawdown']:.1f}%",
        )  # fmt: skip
    out.print(table)
    done = sum(r.implemented for r in rows)
    out.print(f"{done} of {len(rows)} catalogue strategies implemented")
    if write is not None:
        write.write_text(render_catalogue(rows))
        out.print(f"wrote {write}")


@strategies_app.command("check")
def strategies_check(
    name: Annotated[
        str, typer.Argument(help="Strategy name (built-in or from AVA_STRATEGY_DIRS).")
    ],
    universe: Annotated[
        str | None, typer.Option("--universe", "-u", help="Universe to check on.")
    ] = None,
    symbols: Annotated[
        str | None, typer.Option("--symbols", "-s", help="Comma-separated symbols.")
    ] = None,
    market: Annotated[str, typer.Option(help="US, IN or 24x7.")] = "US",
    param: Annotated[
        list[str] | None, typer.Option("--param", "-p", help="key=value; repeatable.")
    ] = None,
    points: Annotated[int, typer.Option(help="How many prefixes bars[0..t) to compare.")] = 24,
) -> None:
    """Prove a strategy free of look-ahead: its signals on bars[0..t) must equal its signals on
    the full history at every bar before t, for many t. Exit code 1 and the first differing bar
    when it peeks.

    Example: ava strategies check sma_crossover --universe us_sample
    """
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.execute import build_strategy, load_run_panel, with_required_data
    from ava_backtest.runs.service import database_universes, resolve_run_universe
    from ava_backtest.strategies.lookahead import check_lookahead

    raw = {
        "strategy_name": name,
        "params": _parse_params(param or []),
        "market": market,
        "universe": universe if universe or symbols else "us_sample",
        "symbols": symbols.split(",") if symbols else None,
    }
    try:
        config = RunConfig.model_validate(raw)
        strategy = build_strategy(config)
        resolved = resolve_run_universe(config, database_universes())
        panel, _ = load_run_panel(config, strategy, resolved)
        bars = with_required_data(strategy, panel, config.market)
        report = check_lookahead(strategy, bars, points=points)
    except ValidationError as e:
        _fail(_pydantic_message(e))
    except AvaError as e:
        _fail(str(e))
    where = config.universe or ",".join(config.symbols or [])
    if report.ok:
        out.print(
            f"[green]ok[/] {name}: signals on {len(report.points)} prefixes of {where} "
            f"({bars.n_bars} bars x {bars.n_symbols} symbols) equal the full-history signals"
        )
        return
    out.print(f"[red]LOOK-AHEAD[/] {name}: {report.first_difference}")
    raise typer.Exit(code=1)


@data_app.command("universes")
def data_universes(
    market: Annotated[str | None, typer.Option(help="Only this market.")] = None,
) -> None:
    """List the named universes: market, size, benchmark, and honesty labels."""
    from rich.table import Table

    from ava_backtest.data.universes import list_universes

    table = Table(
        "universe", "market", "symbols", "benchmark", "range", "labels", title="Universes"
    )
    for u in list_universes(market):
        labels = [
            x
            for x, on in (
                ("synthetic", u.synthetic),
                ("survivorship-biased", u.survivorship_biased),
            )
            if on
        ]
        span = f"{u.start} .. {u.end}" if u.start else "each symbol's data"
        table.add_row(
            u.name, u.market, str(len(u.symbols)), u.benchmark or "", span, ", ".join(labels)
        )
    out.print(table)


@data_app.command("symbols")
def data_symbols(market: Annotated[str, typer.Option(help="US, IN or 24x7.")] = "US") -> None:
    """List a market's symbols with their coverage, bar size and how their prices must be read."""
    from rich.table import Table

    from ava_backtest.data.universes import list_symbols

    try:
        symbols = list_symbols(market)
    except AvaError as e:
        _fail(str(e))
    table = Table(
        "symbol", "name", "kind", "bars", "first", "last", "prices", title=f"Symbols ({market})"
    )
    for s in symbols:
        basis = "synthetic" if s.synthetic else s.price_basis
        table.add_row(s.symbol, s.name, s.kind, s.timeframe, str(s.first), str(s.last), basis)
    out.print(table)


@app.command()
def serve(
    host: Annotated[
        str | None, typer.Option(help="Bind address (default 127.0.0.1, or AVA_HOST).")
    ] = None,
    port: Annotated[int | None, typer.Option(help="Port (default 8201, or AVA_PORT).")] = None,
    dask: Annotated[
        str | None,
        typer.Option(
            "--dask",
            help="Run backtests, studies, walk-forwards and screens on this Dask scheduler "
            "(tcp://host:8786); default AVA_DASK_ADDRESS, else local worker processes.",
        ),
    ] = None,
) -> None:
    """Serve the REST + WebSocket API (and the web UI when built) on the embedded defaults:
    SQLite, in-process events, local worker processes. AVA_DATABASE_URL, AVA_REDIS_URL,
    AVA_WORKERS and AVA_API_TOKEN switch to the configured services.

    Example: ava serve --port 8201, then open http://127.0.0.1:8201/docs
    """
    import uvicorn

    from ava_backtest.settings import SettingsError, get_settings

    if dask:
        os.environ["AVA_DASK_ADDRESS"] = dask  # the app's settings read it in create_app
    try:
        settings = get_settings()  # a malformed variable stops here, named (create_app warns
    except SettingsError as e:  # about unknown AVA_* names)
        _fail(str(e))
        raise
    uvicorn.run(
        "ava_backtest.api.app:create_app",
        factory=True,
        host=host or settings.host,
        port=port or settings.port,
        log_level="info",
    )


from ava_backtest.cli.optimize import optimize as _optimize  # noqa: E402 - needs the helpers above

app.command(name="optimize")(_optimize)

from ava_backtest.cli.walkforward import walkforward as _walkforward  # noqa: E402

app.command(name="walkforward")(_walkforward)

from ava_backtest.cli.screen import screen as _screen  # noqa: E402

app.command(name="screen")(_screen)

from ava_backtest.cli.build import build_strategy as _build_strategy  # noqa: E402

app.command(name="build-strategy")(_build_strategy)

from ava_backtest.cli.analytics import analytics_app  # noqa: E402

app.add_typer(analytics_app, name="analytics")

import ava_backtest.cli.data  # noqa: E402, F401 - registers `ava data sync|providers|status|refresh`


def main() -> None:
    app()


if __name__ == "__main__":
    main()
