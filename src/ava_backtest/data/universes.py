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
from ava_backtest.data.market_store import store_symbol, store_symbols
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
    "synced_universe",
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
    synced: bool = False  # bars from the market-data store (``ava data sync``): sp500, nifty50, ...
    source: str = ""  # where the member list comes from, with its as-of date


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


def synced_universe(name: str) -> Universe | None:
    """The original platform's named universe (sp500, nifty50, ...) with its member list as it
    is now (shipped, or refreshed from a provider), or None for another name."""
    from ava_backtest.data import universe_members

    if name not in universe_members.names():
        return None
    ml = universe_members.member_list(name)
    liquid = ml.derived_from is not None
    return Universe(
        name=name,
        market=ml.market,
        symbols=ml.symbols,
        benchmark=ml.benchmark,
        description=ml.description
        + (" (members filtered by liquidity at run time)" if liquid else "")
        + ("" if ml.complete else " [PARTIAL LIST]"),
        synthetic=False,
        survivorship_biased=True,
        membership="static",
        synced=True,
        source=f"{ml.source} (as of {ml.as_of})",
    )


def _all_names() -> list[str]:
    from ava_backtest.data import universe_members

    return [*UNIVERSES, *universe_members.names()]


def get_universe(name: str) -> Universe:
    if name in UNIVERSES:
        return UNIVERSES[name]
    found = synced_universe(name)
    if found is None:
        raise NotFoundError("universe", name, _all_names(), field="universe")
    return found


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
    found = synced_universe(name)
    if found is None and custom is not None:
        found = custom(name)
    if found is None:
        raise NotFoundError("universe", name, _all_names(), field="universe")
    return found


def list_universes(market: str | None = None) -> tuple[Universe, ...]:
    """The built-in universes, then the synced ones (sp500, nifty50, ...)."""
    from ava_backtest.data import universe_members

    synced = (synced_universe(n) for n in universe_members.names())
    every = (*UNIVERSES.values(), *(u for u in synced if u is not None))
    return tuple(u for u in every if market is None or u.market == market)


def list_symbols(market: str) -> tuple[SymbolInfo, ...]:
    """Every single symbol loadable on ``market``: shipped ones sorted by symbol, then uploads,
    then synced series (``market_store``). A synced series replaces the shipped sample of the
    same name (the user's vendor data, newer than the sample), so that sample is not listed."""
    get_market(market)
    synced = store_symbols(market)
    replaced = {i.symbol for i in synced}
    infos = (i for i in _CATALOGUE.values() if i.market == market and i.symbol not in replaced)
    users = [u for u in user_symbols(market) if u.symbol not in replaced]
    return (*sorted(infos, key=lambda i: i.symbol), *users, *synced)


def get_symbol(market: str, symbol: str) -> SymbolInfo:
    """The catalogue entry: a synced series first (it replaces a shipped sample of the same
    name), then shipped, then uploads; NotFoundError lists what exists."""
    get_market(market)
    key = (market, symbol.strip().upper())
    if (synced := store_symbol(market, key[1])) is not None:
        return synced
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
