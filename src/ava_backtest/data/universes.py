"""The catalogue: which universes and which single symbols exist, per market, and what they are.

A user picks a universe or symbols by name, so every name must resolve to exactly one source (a
shipped file or the synthetic generator) and carry the labels the UI must show: ``synthetic`` for
generated prices, ``survivorship_biased`` for today's-members lists, the price basis of each series.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from ava_backtest.data.sample_store import SAMPLES, SampleSeries
from ava_backtest.domain.errors import NotFoundError
from ava_backtest.markets.registry import get_market

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


@dataclass(frozen=True, slots=True)
class Universe:
    """A named list of symbols on one market, with its benchmark and honesty labels."""

    name: str
    market: str
    symbols: tuple[str, ...]
    benchmark: str | None
    description: str
    synthetic: bool
    survivorship_biased: bool
    membership: str  # "static": one member list for the whole history
    start: dt.date | None = None
    end: dt.date | None = None


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


_CATALOGUE: dict[tuple[str, str], SymbolInfo] = {
    **{(s.market, s.symbol): _from_sample(s) for s in SAMPLES},
    **{
        ("IN", sym): _synthetic(sym, f"Synthetic NSE-like stock {sym[-2:]}", "equity")
        for sym in IN_SYNTHETIC_SYMBOLS
    },
    ("IN", IN_SYNTHETIC_INDEX): _synthetic(
        IN_SYNTHETIC_INDEX, "Synthetic NIFTY-50-like market index", "index"
    ),
}

UNIVERSES: dict[str, Universe] = {
    "us_sample": Universe(
        name="us_sample",
        market="US",
        symbols=("AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"),
        benchmark="GSPC",
        description=(
            "Six large US stocks with real daily bars shipped with Ava; benchmark the S&P 500 "
            "price-return index. Chosen today, so survivorship-biased."
        ),
        synthetic=False,
        survivorship_biased=True,
        membership="static",
    ),
    "in_sample_synthetic": Universe(
        name="in_sample_synthetic",
        market="IN",
        symbols=IN_SYNTHETIC_SYMBOLS,
        benchmark=IN_SYNTHETIC_INDEX,
        description=(
            "Fifty synthetic NSE-like stocks on the XBOM calendar with a synthetic market index: "
            "no Indian data can be shipped. Generated prices, not real."
        ),
        synthetic=True,
        survivorship_biased=False,
        membership="static",
        start=IN_SYNTHETIC_START,
        end=IN_SYNTHETIC_END,
    ),
}


def get_universe(name: str) -> Universe:
    try:
        return UNIVERSES[name]
    except KeyError:
        raise NotFoundError("universe", name, UNIVERSES, field="universe") from None


def list_universes(market: str | None = None) -> tuple[Universe, ...]:
    return tuple(u for u in UNIVERSES.values() if market is None or u.market == market)


def list_symbols(market: str) -> tuple[SymbolInfo, ...]:
    """Every single symbol loadable on ``market``: shipped ones sorted by symbol, then uploads."""
    from ava_backtest.data.user_store import user_symbols  # it imports this module

    get_market(market)
    infos = (i for i in _CATALOGUE.values() if i.market == market)
    return (*sorted(infos, key=lambda i: i.symbol), *user_symbols(market))


def get_symbol(market: str, symbol: str) -> SymbolInfo:
    """The catalogue entry (shipped first, then uploads); NotFoundError lists what exists."""
    from ava_backtest.data.user_store import user_symbol, user_symbols  # it imports this module

    get_market(market)
    key = (market, symbol.strip().upper())
    if key not in _CATALOGUE:
        if (user := user_symbol(market, key[1])) is not None:
            return user
        raise NotFoundError(
            "symbol",
            symbol,
            [s for m, s in _CATALOGUE if m == market] + [u.symbol for u in user_symbols(market)],
            field="symbols",
        )
    return _CATALOGUE[key]
