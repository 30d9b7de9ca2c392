"""The catalogue: which universes and which single symbols exist, per market, and what they are.

A user picks a universe or symbols by name, so every name must resolve to exactly one source (a
shipped file or the synthetic generator) and carry the labels the UI must show: ``synthetic`` for
generated prices, ``survivorship_biased`` for today's-members lists, the price basis of each series.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from dataclasses import dataclass

from ava_backtest.data.catalogue import (
    CATALOGUE,
    IN_SYNTHETIC_END,
    IN_SYNTHETIC_INDEX,
    IN_SYNTHETIC_SEED,
    IN_SYNTHETIC_START,
    IN_SYNTHETIC_SYMBOLS,
    SymbolInfo,
)
from ava_backtest.data.user_store import user_symbol, user_symbols
from ava_backtest.domain.errors import NotFoundError
from ava_backtest.markets.registry import get_market

__all__ = [
    "IN_SYNTHETIC_END",
    "IN_SYNTHETIC_INDEX",
    "IN_SYNTHETIC_SEED",
    "IN_SYNTHETIC_START",
    "IN_SYNTHETIC_SYMBOLS",
    "UNIVERSES",
    "SymbolInfo",
    "Universe",
    "custom_universe",
    "get_symbol",
    "get_universe",
    "list_symbols",
    "list_universes",
    "resolve_universe",
]


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
    custom: bool = False  # defined by a user (``POST /api/v2/universes``), not shipped


_CATALOGUE = CATALOGUE  # the name older callers use

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


def custom_universe(
    name: str, market: str, symbols: Sequence[str], description: str = ""
) -> Universe:
    """A user's universe: a static list chosen today (survivorship-biased), no benchmark of its
    own (the market's default applies), synthetic only when every member is."""
    get_market(market)
    infos = [CATALOGUE.get((market, s)) or user_symbol(market, s) for s in symbols]
    return Universe(
        name=name,
        market=market,
        symbols=tuple(symbols),
        benchmark=None,
        description=description,
        synthetic=bool(infos) and all(i is not None and i.synthetic for i in infos),
        survivorship_biased=True,
        membership="static",
        custom=True,
    )


def resolve_universe(name: str, custom: Callable[[str], Universe | None] | None = None) -> Universe:
    """The one resolver of universe names: built-in first, then ``custom`` (the user's universes,
    e.g. from the run store). NotFoundError names the field ``universe``."""
    if name in UNIVERSES:
        return UNIVERSES[name]
    found = custom(name) if custom is not None else None
    if found is None:
        raise NotFoundError("universe", name, UNIVERSES, field="universe")
    return found


def list_universes(market: str | None = None) -> tuple[Universe, ...]:
    return tuple(u for u in UNIVERSES.values() if market is None or u.market == market)


def list_symbols(market: str) -> tuple[SymbolInfo, ...]:
    """Every single symbol loadable on ``market``: shipped ones sorted by symbol, then uploads."""
    get_market(market)
    infos = (i for i in _CATALOGUE.values() if i.market == market)
    return (*sorted(infos, key=lambda i: i.symbol), *user_symbols(market))


def get_symbol(market: str, symbol: str) -> SymbolInfo:
    """The catalogue entry (shipped first, then uploads); NotFoundError lists what exists."""
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
