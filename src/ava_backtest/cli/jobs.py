"""What the commands of long jobs (``ava optimize``, ``ava walkforward``, ``ava screen``) share:
their common options, the run config every job starts from, parameter ranges, validating the
request (naming the field), the Rich progress bar on stderr, JSON output and number formats.

``ava_backtest.cli.app`` is imported inside the functions: it imports these commands itself."""

from __future__ import annotations

import json
import sys
from collections.abc import Iterable
from typing import Annotated, Any, TypeVar

import typer
from pydantic import BaseModel, ValidationError
from rich.progress import (
    BarColumn,
    MofNCompleteColumn,
    Progress,
    ProgressColumn,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)

ModelT = TypeVar("ModelT", bound=BaseModel)

# The options optimize and walkforward word alike (screen words some of them its own way).
Strategy = Annotated[
    str, typer.Argument(help="Strategy name, e.g. sma_crossover (see `ava strategies list`).")
]
Symbols = Annotated[
    str | None, typer.Option("--symbols", "-s", help="Comma-separated symbols, e.g. GOOG.")
]
Universe = Annotated[
    str | None, typer.Option("--universe", "-u", help="A named universe, e.g. us_sample.")
]
Market = Annotated[str, typer.Option(help="US, IN or 24x7.")]
Start = Annotated[str | None, typer.Option(help="First date (YYYY-MM-DD).")]
End = Annotated[str | None, typer.Option(help="Last date (YYYY-MM-DD).")]
Capital = Annotated[float, typer.Option(help="Initial capital.")]
FixedParams = Annotated[
    list[str] | None,
    typer.Option("--param", "-p", help="A fixed strategy parameter key=value; repeatable."),
]
Costs = Annotated[bool, typer.Option("--costs/--no-costs", help="Apply the market's fee table.")]

VERDICT_COLOURS = {"low": "green", "moderate": "yellow", "high": "red"}


def dask_help(what: str) -> str:
    """The help of ``--dask``: what the job runs on the scheduler (trials, windows, symbols)."""
    return (
        f"Run the {what} on this Dask scheduler (tcp://host:8786); "
        "default AVA_DASK_ADDRESS, else here."
    )


def need_symbols(universe: str | None, symbols: str | None, example: str) -> None:
    """Refuses (exit 2) a job with neither ``--universe`` nor ``--symbols``."""
    from ava_backtest.cli.app import _fail

    if universe is None and symbols is None:
        _fail(f"give --universe (e.g. us_sample) or --symbols (e.g. {example})")


def base_request(
    *,
    strategy: str,
    param: list[str] | None,
    market: str,
    universe: str | None,
    symbols: str | None,
    start: str | None,
    end: str | None,
    capital: float,
    costs: bool,
) -> dict[str, Any]:
    """The run config every job starts from, as the API takes it (``--param`` parsed)."""
    from ava_backtest.cli.app import _parse_params

    return {
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


def parse_ranges(items: Iterable[str] | None) -> dict[str, Any]:
    """``--param-range`` values by parameter name; a malformed one fails (exit 2) naming it."""
    from ava_backtest.cli.app import _fail
    from ava_backtest.domain.errors import ParameterError
    from ava_backtest.runs.optimize import parse_range

    try:
        return dict(parse_range(r) for r in items or [])
    except ParameterError as e:
        _fail(str(e))
        raise  # unreachable: _fail exits


def validated(model: type[ModelT], raw: dict[str, Any]) -> ModelT:
    """The request as ``model`` validates it; the first error fails (exit 2) naming the field."""
    from ava_backtest.cli.app import _fail, _pydantic_message

    try:
        return model.model_validate(raw)
    except ValidationError as e:
        _fail(_pydantic_message(e))
        raise  # unreachable: _fail exits


def quiet(as_json: bool) -> bool:
    """No progress bar: JSON output, or stderr is not a terminal."""
    return as_json or not sys.stderr.isatty()


def progress_bar(*, remaining: bool = True) -> Progress:
    """A transient bar on stderr: description, bar, done of total, elapsed (and remaining)."""
    from ava_backtest.cli.app import err

    columns: list[ProgressColumn] = [
        TextColumn("[bold]{task.description}"),
        BarColumn(),
        MofNCompleteColumn(),
        TimeElapsedColumn(),
    ]
    if remaining:
        columns.append(TimeRemainingColumn())
    return Progress(*columns, console=err, transient=True)


def plain(value: Any) -> Any:
    """``value`` as plain JSON (what the API's events send: no NaN, no numpy)."""
    from ava_backtest.runs.events import client_event

    return client_event({"v": value})["v"]


def write_json(doc: Any) -> None:
    sys.stdout.write(json.dumps(doc, allow_nan=False) + "\n")


def fmt(v: Any, pct: bool = False, digits: int = 4) -> str:
    """A report cell: ``—`` for none, floats to ``digits`` significant digits (or a percent
    with one decimal), anything else as text."""
    if v is None:
        return "—"
    if isinstance(v, float):
        return f"{100 * v:.1f}%" if pct else f"{v:.{digits}g}"
    return str(v)
