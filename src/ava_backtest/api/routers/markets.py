"""/api/v2/markets: calendars, sessions, currency and cost models."""

from __future__ import annotations

import datetime as dt

from fastapi import APIRouter
from pydantic import BaseModel

from ava_backtest.domain.errors import NotFoundError
from ava_backtest.markets import MARKETS, get_market
from ava_backtest.markets.costs import cost_model
from ava_backtest.markets.registry import DEFAULT_MAX_POSITIONS, MANY_SYMBOLS

router = APIRouter(prefix="/markets", tags=["markets"])


class MarketSummary(BaseModel):
    code: str
    name: str
    exchanges: list[str]
    currency: str
    timezone: str
    calendar: str
    session_open: str
    session_close: str
    trading_days_per_year: int
    lot_size: float
    tick_size: float
    settlement: str
    default_benchmark: str
    overnight_short_allowed: bool
    default_capital: float
    """A run's initial capital when it names none (the backtest form's default too)."""
    default_max_positions: int
    many_symbols: int
    """Runs over a universe of more than ``many_symbols`` symbols hold ``default_max_positions``
    positions when they name no max_positions."""


class FeeLine(BaseModel):
    name: str
    basis: str
    on_buy: bool
    on_sell: bool
    rate: float
    min: float
    max: float | None
    max_pct_value: float | None
    round_dp: int


class CostModelOut(BaseModel):
    product: str
    exchange: str
    as_of: str
    lines: list[FeeLine]


class MarketDetail(MarketSummary):
    cost_models: list[CostModelOut]
    sessions_this_year: int


_BASIS = {0: "per_share", 1: "pct_value", 2: "pct_of_lines"}


def _summary(code: str) -> MarketSummary:
    m = get_market(code)
    return MarketSummary(
        code=m.code, name=m.name, exchanges=list(m.exchanges), currency=m.currency, timezone=m.timezone,
        calendar=m.calendar, session_open=m.session_open.isoformat(), session_close=m.session_close.isoformat(),
        trading_days_per_year=m.trading_days_per_year, lot_size=m.lot_size, tick_size=m.tick_size,
        settlement=m.settlement, default_benchmark=m.default_benchmark,
        overnight_short_allowed=m.overnight_short_allowed, default_capital=m.default_capital,
        default_max_positions=DEFAULT_MAX_POSITIONS, many_symbols=MANY_SYMBOLS,
    )  # fmt: skip


def _finite(x: float) -> float | None:
    return None if x == float("inf") else float(x)


@router.get("", response_model=list[MarketSummary], summary="List markets")
def list_markets() -> list[MarketSummary]:
    return [_summary(code) for code in MARKETS]


@router.get(
    "/{code}", response_model=MarketDetail, summary="A market with its calendar and cost models"
)
def market_detail(code: str) -> MarketDetail:
    try:
        m = get_market(code)
    except NotFoundError as e:
        e.field = "path"
        raise
    today = dt.date.today()
    models = []
    for exchange in m.exchanges:
        for product in ("delivery", "intraday"):
            cm = cost_model(m.code, product, exchange)
            table = cm.table_at(today)
            lines = [
                FeeLine(
                    name=name,
                    basis=_BASIS[int(row[0])],
                    on_buy=bool(row[1]),
                    on_sell=bool(row[2]),
                    rate=float(row[3]),
                    min=float(row[4]),
                    max=_finite(row[5]),
                    max_pct_value=_finite(row[6]),
                    round_dp=int(row[7]),
                )
                for name, row in zip(cm.line_names, table, strict=True)
            ]
            models.append(
                CostModelOut(
                    product=product, exchange=exchange, as_of=today.isoformat(), lines=lines
                )
            )
    year = m.sessions(dt.date(today.year, 1, 1), dt.date(today.year, 12, 31))
    return MarketDetail(
        **_summary(code).model_dump(), cost_models=models, sessions_this_year=len(year)
    )
