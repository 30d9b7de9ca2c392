"""/api/v2/analytics: correlation of runs' daily returns and the combined portfolio of runs.

The original's two endpoints, with real numbers (they answered hard-coded zeros). Refusals are
422 in the common error shape, field ``backtest_ids`` (or ``weights``, ``weighting`` …) and a
code of their own: ``too_few_runs``, ``duplicate_runs``, ``unknown_runs``, ``runs_not_completed``,
``market_mismatch``, ``currency_mismatch``, ``no_overlap``, ``invalid_config`` (weights).
"""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Query, Request
from fastapi.concurrency import run_in_threadpool
from fastapi.responses import JSONResponse

from ava_backtest.runs.analytics import correlation_report, portfolio_report

router = APIRouter(prefix="/analytics", tags=["analytics"])

IDS = Query(
    ...,
    min_length=1,
    max_length=50,
    description="run ids, repeated (backtest_ids=A&backtest_ids=B) or comma-separated",
)


def _ids(values: list[str]) -> list[str]:
    return [p.strip() for v in values for p in v.split(",") if p.strip()]


def _store(request: Request) -> Any:
    return request.app.state.services.store


@router.get(
    "/correlation",
    summary="Pearson correlation of runs' daily returns, pairwise over common dates",
    responses={
        200: {
            "description": "``labels`` and ``ids`` in the order asked; ``matrix`` n x n (null "
            "where undefined); ``overlap`` n x n common return dates; ``market`` (null when the "
            "runs span markets); ``notes``."
        }
    },
)
async def get_correlation(
    request: Request,
    backtest_ids: list[str] = IDS,
    market: Literal["US", "IN", "24x7"] | None = Query(
        None, description="if given, every run must be on this market"
    ),
) -> JSONResponse:
    out = await run_in_threadpool(
        partial(correlation_report, _store(request), _ids(backtest_ids), market=market)
    )
    return JSONResponse(out)


@router.get(
    "/portfolio",
    summary="The combined portfolio of runs: weights, rebalancing, equity, metrics, "
    "diversification ratio",
    responses={
        200: {
            "description": "``weights`` by run id (target, sum 1), ``equity_curve`` "
            "[{date, equity}], ``metrics`` (the full panel, docs/metrics.md), "
            "``diversification_ratio`` = sum(w_i * vol_i) / portfolio vol, ``notes``."
        }
    },
)
async def get_portfolio(
    request: Request,
    backtest_ids: list[str] = IDS,
    weights: list[float] | None = Query(
        None,
        max_length=50,
        description="one weight per run, in the order of backtest_ids (>= 0; normalised to sum "
        "1); implies weighting=given",
    ),
    weighting: Literal["equal", "inverse_volatility", "given"] | None = Query(
        None, description="default: given when weights are given, else equal"
    ),
    rebalance: Literal["daily", "weekly", "monthly", "quarterly", "never"] = Query(
        "monthly", description="reset to the target weights at the last common date of each period"
    ),
    capital: float | None = Query(
        None, gt=0, le=1e12, description="starting value; default the sum of the runs' capitals"
    ),
    vol_window: int = Query(
        63, ge=2, le=2520, description="inverse volatility: returns before the start used"
    ),
    risk_free_rate: float = Query(0.0, ge=-0.5, le=1.0, description="annual, for Sharpe/Sortino"),
    market: Literal["US", "IN", "24x7"] | None = Query(
        None, description="if given, every run must be on this market"
    ),
) -> JSONResponse:
    out = await run_in_threadpool(
        partial(
            portfolio_report,
            _store(request),
            _ids(backtest_ids),
            weights=weights,
            weighting=weighting,
            rebalance=rebalance,
            capital=capital,
            vol_window=vol_window,
            risk_free_rate=risk_free_rate,
            market=market,
        )
    )
    return JSONResponse(out)
