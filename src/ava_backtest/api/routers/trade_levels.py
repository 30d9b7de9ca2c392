"""GET /api/v2/backtests/{id}/trades/{n}/levels: a trade's stop and target over its life.

Trades do not store their levels; runs/trade_levels.py derives them from the strategy's signals on
the run's data, by the engine's rules, so the chart draws the levels the engine tested.
"""

from __future__ import annotations

from functools import partial

from fastapi import APIRouter, Path, Request
from pydantic import BaseModel, Field
from starlette.concurrency import run_in_threadpool

from ava_backtest.api.errors import ApiError
from ava_backtest.api.routers.backtests import _get_run, _services
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.trade_levels import trade_levels

router = APIRouter(prefix="/backtests", tags=["backtests"])


class LevelPoint(BaseModel):
    time: str
    value: float | None


class TradeLevels(BaseModel):
    run_id: str
    seq: int
    symbol: str
    direction: str
    exit_reason: str
    stop: list[LevelPoint] | None = Field(
        description="the stop the engine tested on each bar of the trade's life (the tighter of "
        "the fixed and the trailing stop); null when the strategy set none"
    )
    target: list[LevelPoint] | None = Field(
        description="the take-profit level on each bar; null when the strategy set none"
    )
    trailing: bool = Field(description="whether a trailing stop moved the stop")
    prices: str = Field(description="as_traded: the scale of the trade's own fill prices")


@router.get(
    "/{run_id}/trades/{n}/levels",
    response_model=TradeLevels,
    summary="A trade's stop and target levels per bar, as the engine tested them",
)
async def get_trade_levels(
    run_id: str,
    request: Request,
    n: int = Path(..., ge=0, le=10_000_000, description="the trade's seq (0 = the run's first)"),
) -> TradeLevels:
    row = await _get_run(request, run_id)
    if row.get("status") != "completed":
        raise ApiError(
            409, "not_completed", f"backtest {run_id!r} is {row.get('status')}", {"field": "id"}
        )
    services = _services(request)
    rows, total = await run_in_threadpool(
        partial(services.store.trades, run_id, limit=1, offset=n, sort="seq")
    )
    if not rows or rows[0]["seq"] != n:
        raise ApiError(
            404,
            "not_found",
            f"backtest {run_id!r} has no trade {n} (it has {total})",
            {"field": "n"},
        )
    trade = rows[0]
    config = RunConfig.model_validate(row["config"])
    universe = await run_in_threadpool(services.runs.resolve, config)
    out = await run_in_threadpool(partial(trade_levels, config, trade, universe=universe))
    return TradeLevels(
        run_id=run_id,
        seq=n,
        symbol=trade["symbol"],
        direction=trade["direction"],
        exit_reason=trade["exit_reason"],
        **out,
    )
