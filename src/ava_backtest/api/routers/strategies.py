"""/api/v2/strategies: the catalogue, each strategy's JSON Schema, plugin reload."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Body, Query, Request, Response
from fastapi.exceptions import RequestValidationError
from pydantic import BaseModel, Field, ValidationError

from ava_backtest.api.errors import ApiError
from ava_backtest.api.routers.backtests import RunOut
from ava_backtest.strategies.plugins import PluginReport
from ava_backtest.strategies.registry import (
    all_strategies,
    get_strategy,
    plugin_report,
    reload_plugins,
)

router = APIRouter(prefix="/strategies", tags=["strategies"])


class StrategySummary(BaseModel):
    name: str
    version: str
    category: str
    description: str
    tags: list[str]
    direction: str
    timeframe: str
    requires: list[str]
    style: str


class StrategyDetail(StrategySummary):
    cross_sectional: bool
    timing: str
    exit_at: str
    parameters: dict[str, Any]
    warmup: int
    display: list[dict[str, Any]] = Field(
        description="series drawn beside the trades: overlays on the price, panes below it"
    )


class ReloadResult(BaseModel):
    loaded: list[str]
    strategies: list[str]
    errors: list[dict[str, str]]
    total: int


def _summary(cls: Any) -> StrategySummary:
    d = cls.describe()
    return StrategySummary(**{k: d[k] for k in StrategySummary.model_fields})


@router.get(
    "",
    response_model=list[StrategySummary],
    summary="List strategies (every match, one JSON array; the count in X-Total-Count)",
)
def list_strategies(
    response: Response,
    category: str | None = Query(None, max_length=64, description="only this category"),
    direction: str | None = Query(
        None, max_length=16, description="long_only, long_short or short_only"
    ),
    search: str | None = Query(
        None, max_length=100, description="text in the name, description or tags"
    ),
) -> list[StrategySummary]:
    """The original platform's contract: an unpaginated JSON array of every matching strategy
    (its README counts them with ``len(json.load(sys.stdin))``); ``X-Total-Count`` repeats the
    count. The filters are query parameters."""
    items = []
    needle = (search or "").strip().lower()
    for cls in all_strategies().values():
        if category and cls.category != category:
            continue
        if direction and cls.direction != direction:
            continue
        text = " ".join((cls.name, cls.description, *cls.tags)).lower()
        if needle and needle not in text:
            continue
        items.append(_summary(cls))
    response.headers["X-Total-Count"] = str(len(items))
    return items


@router.get(
    "/{name}", response_model=StrategyDetail, summary="One strategy with its parameter schema"
)
def strategy_detail(name: str) -> StrategyDetail:
    from ava_backtest.domain.errors import NotFoundError

    try:
        cls = get_strategy(name)
    except NotFoundError as e:
        e.field = "path"
        raise
    d = cls.describe()
    return StrategyDetail(**{k: d[k] for k in StrategySummary.model_fields}, cross_sectional=d["cross_sectional"],
                          timing=d["timing"], exit_at=d["exit_at"], parameters=d["parameters"],
                          warmup=cls().warmup(), display=d["display"])  # fmt: skip


@router.post(
    "/{name}/backtest",
    response_model=RunOut,
    status_code=201,
    summary="Create a backtest of this strategy (the body of POST /backtests minus the name)",
)
async def backtest_strategy(
    name: str,
    request: Request,
    body: dict[str, Any] = Body(
        ...,
        description="the fields of POST /api/v2/backtests but strategy_name",
        examples=[{"universe": "us_sample", "start_date": "2020-01-01", "end_date": "2021-12-31"}],
    ),
) -> RunOut:
    """The original platform answered this with a stub id; here it creates and starts a real run,
    exactly as ``POST /api/v2/backtests`` with ``strategy_name`` = ``name``."""
    from ava_backtest.api.routers.backtests import BacktestRequest, create_run
    from ava_backtest.domain.errors import NotFoundError

    given = body.get("strategy_name")
    if given is not None and given != name:
        raise ApiError(
            422, "validation_error",
            f"strategy_name: the path names {name!r}, the body {given!r}; leave it out of the body",
            {"field": "strategy_name"},
        )  # fmt: skip
    try:
        get_strategy(name)
    except NotFoundError as e:
        e.field = "path"
        raise
    try:
        req = BacktestRequest.model_validate({**body, "strategy_name": name})
    except ValidationError as e:
        errors = [{**err, "loc": ("body", *err["loc"])} for err in e.errors(include_url=False)]
        raise RequestValidationError(errors, body=body) from None
    return await create_run(request, req)


def _report(report: PluginReport) -> ReloadResult:
    return ReloadResult(
        loaded=report.loaded,
        strategies=report.strategies,
        errors=report.errors,
        total=len(all_strategies()),
    )


@router.post("/reload", response_model=ReloadResult, summary="Re-import user strategy files")
def reload() -> ReloadResult:
    """Imports every file in AVA_STRATEGY_DIRS again; broken files are listed with their error."""
    return _report(reload_plugins())


@router.get("/-/plugins", response_model=ReloadResult, summary="What the last plugin load found")
def plugins() -> ReloadResult:
    return _report(plugin_report())
