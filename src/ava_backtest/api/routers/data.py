"""/api/v2/data: which symbols exist, their coverage, and their bars."""

from __future__ import annotations

import datetime as dt
from typing import Literal

import numpy as np
from fastapi import APIRouter, Query
from pydantic import BaseModel

from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.data.universes import list_symbols
from ava_backtest.markets import get_market

router = APIRouter(prefix="/data", tags=["data"])


class SymbolOut(BaseModel):
    symbol: str
    market: str
    name: str
    kind: str
    timeframe: str
    price_basis: str
    first: dt.date
    last: dt.date
    synthetic: bool
    source: str
    licence: str


class SymbolList(BaseModel):
    items: list[SymbolOut]
    total: int


class Bar(BaseModel):
    time: str
    open: float | None
    high: float | None
    low: float | None
    close: float | None
    volume: float | None


class BarsOut(BaseModel):
    market: str
    symbol: str
    adjustment: str
    synthetic: bool
    notes: list[str]
    bars: list[Bar]
    total: int


@router.get(
    "/symbols", response_model=SymbolList, summary="Symbols of a market with their coverage"
)
def symbols(market: Literal["US", "IN", "24x7"] = Query("US")) -> SymbolList:
    get_market(market)
    items = [
        SymbolOut(
            symbol=s.symbol,
            market=s.market,
            name=s.name,
            kind=s.kind,
            timeframe=s.timeframe,
            price_basis="synthetic" if s.synthetic else s.price_basis,
            first=s.first,
            last=s.last,
            synthetic=s.synthetic,
            source=s.source,
            licence=s.licence,
        )
        for s in list_symbols(market)
    ]
    return SymbolList(items=items, total=len(items))


def _num(x: float) -> float | None:
    return None if not np.isfinite(x) else float(x)


@router.get("/bars/{market}/{symbol}", response_model=BarsOut, summary="Bars of one symbol")
def bars(
    market: Literal["US", "IN", "24x7"],
    symbol: str,
    start: dt.date | None = Query(None, description="first date (default: the data's first)"),
    end: dt.date | None = Query(None, description="last date (default: the data's last)"),
    prices: Literal["adjusted", "as_traded"] = Query(
        "adjusted",
        description="adjusted (split+dividend, for charts) or as_traded (what fills see)",
    ),
) -> BarsOut:
    mode = "adjusted" if prices == "adjusted" else "none"
    panel, _ = load_panel_with_info(market, [symbol], start, end, adjustment=mode)
    b = panel.bars
    times = [str(t)[:19].replace("T00:00:00", "") for t in panel.dates]
    rows = [
        Bar(
            time=times[i],
            open=_num(b.open[i, 0]),
            high=_num(b.high[i, 0]),
            low=_num(b.low[i, 0]),
            close=_num(b.close[i, 0]),
            volume=_num(b.volume[i, 0]),
        )
        for i in range(len(times))
        if np.isfinite(b.close[i, 0])
    ]
    return BarsOut(
        market=market, symbol=panel.symbols[0], adjustment=prices, synthetic=bool(panel.synthetic[0]),
        notes=list(panel.notes), bars=rows, total=len(rows),
    )  # fmt: skip
