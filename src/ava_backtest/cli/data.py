"""``ava data sync | providers | status | refresh``: the market-data store from the terminal.

Registered on the ``data`` group of :mod:`ava_backtest.cli.app` (beside ``universes`` and
``symbols``)."""

from __future__ import annotations

import datetime as dt
import sys
from typing import Annotated

import typer
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    TextColumn,
    TimeElapsedColumn,
)
from rich.table import Table

from ava_backtest.cli.app import _fail, data_app, err, out
from ava_backtest.domain.errors import AvaError
from ava_backtest.store.market_data import mirror_download


def _date(value: str | None, field: str) -> dt.date | None:
    if value is None:
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError:
        _fail(f"--{field}: {value!r} is not a date (YYYY-MM-DD)")
    raise AssertionError  # unreachable: _fail exits


def run_sync(
    *,
    universe: str | None,
    symbols: list[str] | None,
    market: str | None,
    provider: str | None,
    timeframe: str,
    start: dt.date | None,
    end: dt.date | None,
    days: int,
    max_symbols: int,
    auxiliary: bool,
    quiet: bool = False,
    sentiment: bool = False,
) -> dict[str, object]:
    """Plan (as the API does, field by field), sync with a progress bar, return the final state."""
    from ava_backtest.api.routers.data import SyncBody, plan_sync
    from ava_backtest.data.sync import SyncProgress, sync_symbols
    from ava_backtest.runs.service import database_universes

    body = SyncBody(
        universe=None if symbols else universe,
        symbols=symbols,
        market=market,  # type: ignore[arg-type]
        provider=provider,
        timeframe=timeframe,  # type: ignore[arg-type]
        start=start,
        end=end,
        days=days,
        max_symbols=max_symbols,
        auxiliary=auxiliary,
        sentiment=sentiment,
    )
    plan = plan_sync(body, database_universes())
    vendors = ", ".join(v.name for v in plan.vendors)
    err.print(
        f"sync {plan.label}: {len(plan.symbols)} symbols"
        + (" + benchmarks/VIX" if plan.auxiliary and plan.timeframe == "1d" else "")
        + f", {plan.market} {plan.timeframe} {plan.start} .. {plan.end}, providers {vendors}",
        highlight=False,
    )
    try:
        if quiet or not sys.stderr.isatty():
            state = sync_symbols(
                plan.market, plan.symbols, plan.start, plan.end, timeframe=plan.timeframe,
                providers=plan.vendors, auxiliary=plan.auxiliary, sentiment=plan.sentiment,
                mirror=mirror_download,
            )  # fmt: skip
        else:
            with Progress(
                TextColumn("[bold]{task.description}"),
                BarColumn(),
                MofNCompleteColumn(),
                TextColumn("{task.fields[info]}"),
                TimeElapsedColumn(),
                console=err,
                transient=True,
            ) as bar:
                task = bar.add_task("sync", total=1, info="")

                def show(p: SyncProgress) -> None:
                    bar.update(
                        task, total=p.total, completed=p.done,
                        description=f"sync {p.current or ''}",
                        info=f"{p.requests} downloads, {len(p.errors)} errors",
                    )  # fmt: skip

                state = sync_symbols(
                    plan.market, plan.symbols, plan.start, plan.end, timeframe=plan.timeframe,
                    providers=plan.vendors, auxiliary=plan.auxiliary, progress=show,
                    sentiment=plan.sentiment, mirror=mirror_download,
                )  # fmt: skip
    finally:
        for v in plan.vendors:
            close = getattr(v, "close", None)
            if callable(close):
                close()
    return state.as_dict()


@data_app.command("sync")
def data_sync(
    universe: Annotated[
        str | None, typer.Option("--universe", "-u", help="sp500_liquid, nifty50, djia, ...")
    ] = None,
    symbols: Annotated[
        str | None, typer.Option("--symbols", "-s", help="Comma-separated, instead of a universe.")
    ] = None,
    market: Annotated[str | None, typer.Option(help="US or IN (default: the universe's).")] = None,
    provider: Annotated[
        str | None, typer.Option(help="fmp, alpaca, alphavantage, finnhub or nse.")
    ] = None,
    timeframe: Annotated[str, typer.Option(help="1d, 1h, 15m, 5m or 1m.")] = "1d",
    start: Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")] = None,
    end: Annotated[str | None, typer.Option(help="Last date (default today).")] = None,
    days: Annotated[int, typer.Option(help="History when --start is not given.")] = 365,
    max_symbols: Annotated[int, typer.Option(help="Only the first N members (0 = all).")] = 0,
    aux: Annotated[
        bool, typer.Option("--aux/--no-aux", help="Also the market's benchmarks and VIX.")
    ] = True,
    sentiment: Annotated[
        bool, typer.Option("--sentiment", help="Also Finnhub's news sentiment (US symbols).")
    ] = False,
) -> None:
    """Fetch what the store lacks: only sessions not yet covered are requested, so a rerun
    fetches nothing and an interrupted sync resumes where it stopped.

    Example: ava data sync --universe sp500_liquid --start 2022-12-01 --end 2024-06-01
    """
    if not universe and not symbols:
        _fail("give --universe (e.g. sp500_liquid) or --symbols (e.g. AAPL,MSFT)")
    from pydantic import ValidationError

    from ava_backtest.cli.app import _pydantic_message

    try:
        state = run_sync(
            universe=universe,
            symbols=[s for s in symbols.split(",") if s.strip()] if symbols else None,
            market=market,
            provider=provider,
            timeframe=timeframe,
            start=_date(start, "start"),
            end=_date(end, "end"),
            days=days,
            max_symbols=max_symbols,
            auxiliary=aux,
            sentiment=sentiment,
        )
    except ValidationError as e:
        _fail(_pydantic_message(e))
    except AvaError as e:
        _fail(str(e))
    errors = state["errors"]
    assert isinstance(errors, list)
    out.print(
        f"synced {state['done']}/{state['total']} symbols: {state['requests']} downloads, "
        f"{state['bars_written']} bars written, {state['skipped']} already covered, "
        f"{len(errors)} errors",
        highlight=False,
    )
    for e in errors:
        out.print(f"  [red]{e['symbol']}[/]: {e['error']}", highlight=False)
    if errors:
        raise typer.Exit(code=1)


@data_app.command("providers")
def data_providers(
    check: Annotated[
        bool, typer.Option("--check", help="Ping each configured vendor (one request each).")
    ] = False,
) -> None:
    """The market-data vendors: configured (keys set), reachable, markets, bar sizes, rate limit."""
    from ava_backtest.data.providers.registry import FALLBACK_ORDER, provider_status

    table = Table(
        "provider", "name", "configured", "reachable", "markets", "timeframes", "req/min", "note",
        title="Market-data providers",
    )  # fmt: skip
    for s in provider_status(check=check):
        reach = "-" if s.reachable is None else ("yes" if s.reachable else "[red]no[/]")
        table.add_row(
            s.name, s.title, "yes" if s.configured else "no", reach, ",".join(s.markets),
            ",".join(s.timeframes), f"{s.requests_per_minute:g}", s.error or "",
        )  # fmt: skip
    out.print(table)
    order = "; ".join(f"{m}: {' -> '.join(v)}" for m, v in FALLBACK_ORDER.items())
    out.print(f"fallback order: {order}", highlight=False)


@data_app.command("status")
def data_status(
    market: Annotated[str, typer.Option(help="US or IN.")] = "US",
    timeframe: Annotated[str | None, typer.Option(help="Only this bar size.")] = None,
) -> None:
    """What the market-data store holds: each synced series, its vendor and covered dates."""
    from ava_backtest.data import market_store

    try:
        series = market_store.manifest(market, timeframe)
    except AvaError as e:
        _fail(str(e))
    table = Table(
        "symbol", "bars", "kind", "provider", "rows", "first", "last", "covered", "synced at",
        title=f"Market-data store ({market}) {market_store.store_root()}",
    )  # fmt: skip
    for s in series:
        cov = ", ".join(f"{a}..{b}" for a, b in s.coverage)
        table.add_row(
            s.symbol, s.timeframe, s.kind, s.provider, str(s.rows), str(s.first or "-"),
            str(s.last or "-"), cov, s.synced_at,
        )  # fmt: skip
    out.print(table)
    out.print(f"{len(series)} series", highlight=False)


@data_app.command("refresh")
def data_refresh(
    universe: Annotated[str, typer.Argument(help="sp500, nasdaq100 or djia.")],
    provider: Annotated[str, typer.Option(help="The vendor with a constituents list.")] = "fmp",
) -> None:
    """Replace a shipped member list with the vendor's current constituents (kept under
    $AVA_HOME/universes; the shipped list stays in the package)."""
    from ava_backtest.data.universe_members import refresh_members

    try:
        ml = refresh_members(universe, provider)
    except AvaError as e:
        _fail(str(e))
    out.print(f"{ml.name}: {len(ml.symbols)} members from {ml.source} (as of {ml.as_of})")


def sync_before_run(config: object, universe: object) -> None:
    """``ava backtest --sync``: the run's universe (or symbols) synced from a month before its
    start to its end (:func:`sync.sync_for_run`), then the run goes on."""
    from ava_backtest.data.sync import default_providers, sync_for_run
    from ava_backtest.domain.config import RunConfig

    assert isinstance(config, RunConfig)
    names = ", ".join(p.name for p in default_providers(config.market, None, "1d"))
    err.print(f"sync before the run: providers {names}", highlight=False)
    state, warnings = sync_for_run(
        config.market, universe, config.symbols, config.start_date, config.end_date,
        mirror=mirror_download,
    )  # fmt: skip
    err.print(
        f"synced {state.done}/{state.total} symbols: {state.requests} downloads, "
        f"{state.skipped} already covered",
        highlight=False,
    )
    for e in warnings:  # another auxiliary series (a VIX, a second index): the run goes on
        err.print(f"warning: {e['symbol']} not synced: {e['error']}", highlight=False)
