"""The shipped series: every symbol Ava itself provides (real samples and the synthetic IN
market), keyed by (market, symbol). Uploads live in ``user_store``; ``universes`` puts both
together. Nothing here imports either, so neither imports the other through it."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ava_backtest.data.sample_store import SAMPLES, SampleSeries

IN_SYNTHETIC_SEED = 0
"""Synthetic data is data: a fixed seed, not the run's, so every run sees the same prices."""
IN_SYNTHETIC_START = dt.date(2005, 1, 3)
IN_SYNTHETIC_END = dt.date(2024, 12, 31)
IN_SYNTHETIC_SYMBOLS = tuple(f"INSYN{i:02d}" for i in range(1, 51))
IN_SYNTHETIC_INDEX = "NIFTY50_SYN"


@dataclass(frozen=True, slots=True)
class SymbolInfo:
    """One loadable series: where its bars come from and how its prices must be read."""

    symbol: str
    market: str
    name: str
    kind: str  # equity | index | volatility_index | fx | crypto
    timeframe: str  # 1d, 1h, 15m
    price_basis: (
        str  # as_traded | split_adjusted | price_return_index | close_only | quote | synthetic
    )
    first: dt.date
    last: dt.date
    synthetic: bool
    source: str
    licence: str
    seed: int | None = None  # synthetic series only
    note: str = ""

    @property
    def has_corporate_actions(self) -> bool:
        """Only real equities split or pay dividends; indices, quotes and generated series do not."""
        return self.kind == "equity" and not self.synthetic


def _from_sample(s: SampleSeries) -> SymbolInfo:
    return SymbolInfo(
        symbol=s.symbol,
        market=s.market,
        name=s.name,
        kind=s.kind,
        timeframe=s.timeframe,
        price_basis=s.price_basis,
        first=s.first,
        last=s.last,
        synthetic=False,
        source=s.source,
        licence=s.licence,
        note=s.note,
    )


def _synthetic(symbol: str, name: str, kind: str) -> SymbolInfo:
    return SymbolInfo(
        symbol=symbol,
        market="IN",
        name=name,
        kind=kind,
        timeframe="1d",
        price_basis="synthetic",
        first=IN_SYNTHETIC_START,
        last=IN_SYNTHETIC_END,
        synthetic=True,
        source="ava synthetic generator (regime-switching GBM on the XBOM calendar)",
        licence="generated",
        seed=IN_SYNTHETIC_SEED,
        note="generated prices, not real market data",
    )


CATALOGUE: dict[tuple[str, str], SymbolInfo] = {
    **{(s.market, s.symbol): _from_sample(s) for s in SAMPLES},
    **{
        ("IN", sym): _synthetic(sym, f"Synthetic NSE-like stock {sym[-2:]}", "equity")
        for sym in IN_SYNTHETIC_SYMBOLS
    },
    ("IN", IN_SYNTHETIC_INDEX): _synthetic(
        IN_SYNTHETIC_INDEX, "Synthetic NIFTY-50-like market index", "index"
    ),
}
