"""An in-process Provider for store and sync tests: deterministic bars on the exchange calendar,
a request log, injectable failures. (Vendor protocols are tested against tests/fakes/vendors.py.)"""

from __future__ import annotations

import datetime as dt
import zlib
from collections.abc import Callable

import numpy as np
import polars as pl

from ava_backtest.data.providers.base import (
    BarRequest,
    Provider,
    UnknownSymbolError,
    bar_columns,
)
from ava_backtest.markets.registry import get_market


def make_bars(
    market: str, symbol: str, start: dt.date, end: dt.date, *, volume: float = 1e6
) -> pl.DataFrame:
    days = get_market(market).sessions(start, end).astype("datetime64[D]")
    n = len(days)
    seed = zlib.crc32(symbol.encode())
    rng = np.random.default_rng(seed)
    # A price path that depends on the date, not the request: two requests agree on overlaps.
    t = (days - np.datetime64("2000-01-01")).astype(np.int64)
    close = 50 + 20 * np.sin(t / 37.0 + seed % 7) + (seed % 50)
    open_ = close * (1 + 0.002 * np.cos(t / 5.0))
    high = np.maximum(open_, close) * 1.01
    low = np.minimum(open_, close) * 0.99
    del rng
    return pl.DataFrame(
        {
            "date": days,
            "open": open_,
            "high": high,
            "low": low,
            "close": close,
            "volume": np.full(n, volume),
        },
        schema=bar_columns("1d"),
    )


class ListProvider(Provider):
    name = "testvendor"
    title = "Test vendor"
    markets = ("US", "IN")
    timeframes = ("1d",)
    requests_per_minute = 1000

    def __init__(
        self,
        *,
        unknown: tuple[str, ...] = (),
        volume: Callable[[str], float] | None = None,
        actions: dict[str, pl.DataFrame] | None = None,
        bad: tuple[str, ...] = (),
        fail_after: int | None = None,
    ) -> None:
        self.requests: list[BarRequest] = []
        self.unknown = unknown
        self.volume = volume or (lambda s: 1e6)
        self.actions = actions or {}
        self.bad = bad
        self.fail_after = fail_after

    def configured(self) -> bool:
        return True

    def bars(self, request: BarRequest) -> pl.DataFrame:
        if self.fail_after is not None and len(self.requests) >= self.fail_after:
            raise KeyboardInterrupt("killed mid-sync")
        self.requests.append(request)
        if request.symbol in self.unknown:
            raise UnknownSymbolError(
                self.name,
                "unknown symbol",
                symbol=request.symbol,
                start=request.start,
                end=request.end,
            )
        frame = make_bars(
            request.market,
            request.symbol,
            request.start,
            request.end,
            volume=self.volume(request.symbol),
        )
        if request.symbol in self.bad and frame.height > 3:
            # high below low on one bar: the validator must refuse the whole download
            frame = frame.with_columns(
                pl.when(pl.int_range(pl.len()) == 2)
                .then(pl.col("low") * 0.5)
                .otherwise(pl.col("high"))
                .alias("high")
            )
        return frame

    def corporate_actions(
        self, market: str, symbol: str, start: dt.date, end: dt.date
    ) -> pl.DataFrame:
        acts = self.actions.get(symbol)
        if acts is None:
            return pl.DataFrame(schema={"date": pl.Date, "kind": pl.Utf8, "value": pl.Float64})
        return acts.filter(pl.col("date").is_between(start, end))
