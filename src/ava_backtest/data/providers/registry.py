"""Which vendors exist, which are configured, and the fallback order per market.

Fallback order (only configured vendors that serve the market and timeframe take part):

- ``US``: ``fmp`` → ``alpaca`` → ``alphavantage`` → ``finnhub``
- ``IN``: ``nse`` (public archives, no key) → ``fmp`` (``.NS`` symbols) when ``FMP_API_KEY`` is set

:func:`fetch_bars` (and :func:`fetch_actions`, :func:`search_symbols`, :func:`fetch_earnings`)
tries them in that order, or only the one named, and returns the result with the vendor used.
A vendor that does not know the symbol, does not offer the request, or fails, hands over to the
next; an empty answer hands over too, and is returned only if no vendor had rows and none said
the symbol is unknown (Finnhub answers an unknown symbol with ``no_data``, an empty frame). When
all fail the :class:`ProviderError` lists each vendor's reason (:class:`UnknownSymbolError` when
every vendor said unknown or had nothing).
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, TypeVar

import polars as pl

from ava_backtest.settings import get_settings

from .alpaca import AlpacaProvider
from .alphavantage import AlphaVantageProvider
from .base import (
    BarRequest,
    NotConfiguredError,
    NotSupportedError,
    Provider,
    ProviderError,
    SymbolMatch,
    UnknownSymbolError,
)
from .common import VENDOR_INDEX_SYMBOLS, vendor_symbol
from .finnhub import FinnhubProvider
from .fmp import FMPProvider
from .http import HttpOptions
from .nse import NSEProvider

if TYPE_CHECKING:
    from ava_backtest.settings import Settings

PROVIDERS: dict[str, type[Provider]] = {
    "fmp": FMPProvider,
    "alpaca": AlpacaProvider,
    "alphavantage": AlphaVantageProvider,
    "finnhub": FinnhubProvider,
    "nse": NSEProvider,
}

FALLBACK_ORDER: dict[str, tuple[str, ...]] = {
    "US": ("fmp", "alpaca", "alphavantage", "finnhub"),
    "IN": ("nse", "fmp"),
}

__all__ = [
    "FALLBACK_ORDER",
    "PROVIDERS",
    "VENDOR_INDEX_SYMBOLS",
    "ProviderStatus",
    "fetch_actions",
    "fetch_bars",
    "fetch_earnings",
    "fetch_sentiment",
    "get_provider",
    "provider_status",
    "providers_for",
    "search_symbols",
    "vendor_symbol",
]

T = TypeVar("T")


def get_provider(
    name: str, *, options: HttpOptions | None = None, settings: Settings | None = None
) -> Provider:
    """A fresh provider of vendor ``name`` with keys and base URL from the settings."""
    key = name.strip().lower()
    cls = PROVIDERS.get(key)
    if cls is None:
        raise ProviderError(
            name or "?", f"unknown provider {name!r}; known: {', '.join(sorted(PROVIDERS))}"
        )
    return cls(options=options, settings=settings)  # type: ignore[call-arg]


def providers_for(
    market: str,
    timeframe: str = "1d",
    *,
    options: HttpOptions | None = None,
    settings: Settings | None = None,
) -> list[Provider]:
    """The configured vendors serving ``market`` at ``timeframe``, in fallback order."""
    market = market.upper()
    if market not in FALLBACK_ORDER:
        raise ProviderError(
            "registry", f"unknown market {market!r}; known: {', '.join(FALLBACK_ORDER)}"
        )
    settings = settings or get_settings()
    out: list[Provider] = []
    for name in FALLBACK_ORDER[market]:
        provider = get_provider(name, options=options, settings=settings)
        if (
            provider.configured()
            and market in provider.markets
            and timeframe in provider.timeframes
        ):
            out.append(provider)
    return out


@dataclass
class ProviderStatus:
    name: str
    title: str
    markets: tuple[str, ...]
    timeframes: tuple[str, ...]
    configured: bool
    key_variables: tuple[str, ...]
    requests_per_minute: float
    reachable: bool | None  # None: not checked (or not configured)
    error: str | None


def provider_status(
    check: bool = False, *, options: HttpOptions | None = None
) -> list[ProviderStatus]:
    """Every vendor: configured or not, its limits; ``check`` pings the configured ones.

    A ping is one request, retried once (``options`` overrides), with a 10 s timeout.
    """
    out: list[ProviderStatus] = []
    settings = get_settings()
    ping_options = options or HttpOptions(retries=1, timeout=10.0)
    for name, cls in PROVIDERS.items():
        provider = get_provider(name, settings=settings, options=ping_options)
        configured = provider.configured()
        reachable: bool | None = None
        error: str | None = None
        if not configured:
            error = "not configured: set " + ", ".join(cls.key_variables)
        elif check:
            try:
                provider.ping()
                reachable = True
            except ProviderError as exc:
                reachable = False
                error = str(exc)
        rate = getattr(cls, "rate_limit", None)
        out.append(
            ProviderStatus(
                name=name,
                title=cls.title,
                markets=tuple(cls.markets),
                timeframes=tuple(cls.timeframes),
                configured=configured,
                key_variables=tuple(cls.key_variables),
                requests_per_minute=float(rate() if callable(rate) else cls.requests_per_minute),
                reachable=reachable,
                error=error,
            )
        )
        close = getattr(provider, "close", None)
        if callable(close):
            close()
    return out


def _candidates(
    market: str, timeframe: str, provider: str | None, options: HttpOptions | None
) -> list[Provider]:
    if provider:
        one = get_provider(provider, options=options)
        if not one.configured():
            raise NotConfiguredError(
                one.name, "not configured: set " + ", ".join(type(one).key_variables)
            )
        return [one]
    found = providers_for(market, timeframe, options=options)
    if not found:
        names = ", ".join(FALLBACK_ORDER.get(market.upper(), ()))
        raise NotConfiguredError(
            "registry",
            f"no configured provider serves {market.upper()} {timeframe} (candidates: {names}; "
            "set their keys, see docs/providers.md)",
        )
    return found


def _first(
    what: str,
    candidates: list[Provider],
    call: Callable[[Provider], T],
    empty: Callable[[T], bool],
    *,
    symbol: str | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> tuple[T, str]:
    reasons: list[str] = []
    unknown = 0
    first_empty: tuple[T, str] | None = None
    for provider in candidates:
        try:
            result = call(provider)
        except UnknownSymbolError as exc:
            unknown += 1
            reasons.append(f"{provider.name}: {exc.message}")
            continue
        except ProviderError as exc:
            reasons.append(f"{provider.name}: {exc.message}")
            continue
        if empty(result):
            reasons.append(f"{provider.name}: no rows")
            if first_empty is None:
                first_empty = (result, provider.name)
            continue
        return result, provider.name
    if first_empty is not None and unknown == 0:
        return first_empty
    empties = sum(1 for r in reasons if r.endswith(": no rows"))
    cls = UnknownSymbolError if unknown + empties == len(candidates) else ProviderError
    names = "+".join(p.name for p in candidates)
    raise cls(
        names,
        f"{what} failed with every provider: " + "; ".join(reasons),
        symbol=symbol,
        start=start,
        end=end,
    )


def fetch_bars(
    request: BarRequest, provider: str | None = None, *, options: HttpOptions | None = None
) -> tuple[pl.DataFrame, str]:
    """Bars from the first vendor (fallback order, or ``provider``) that has them."""
    candidates = _candidates(request.market, request.timeframe, provider, options)
    return _first(
        "bars",
        candidates,
        lambda p: p.bars(request),
        lambda f: f.height == 0,
        symbol=request.symbol,
        start=request.start,
        end=request.end,
    )


def fetch_actions(
    market: str,
    symbol: str,
    start: dt.date,
    end: dt.date,
    provider: str | None = None,
    *,
    options: HttpOptions | None = None,
) -> tuple[pl.DataFrame, str]:
    """Splits and dividends (``ACTION_COLUMNS``). No rows is a valid answer (no events)."""
    candidates = _candidates(market, "1d", provider, options)
    return _first(
        "corporate actions",
        candidates,
        lambda p: p.corporate_actions(market, symbol, start, end),
        lambda f: False,
        symbol=symbol,
        start=start,
        end=end,
    )


def search_symbols(
    market: str,
    q: str,
    limit: int = 20,
    provider: str | None = None,
    *,
    options: HttpOptions | None = None,
) -> tuple[list[SymbolMatch], str]:
    if not q.strip():
        raise ProviderError("registry", "q: the search text is empty")
    candidates = _candidates(market, "1d", provider, options)
    return _first(
        "symbol search",
        candidates,
        lambda p: p.search(market, q, limit),
        lambda r: len(r) == 0,
    )


def fetch_earnings(
    market: str,
    symbol: str,
    start: dt.date,
    end: dt.date,
    provider: str | None = None,
    *,
    options: HttpOptions | None = None,
) -> tuple[pl.DataFrame, str]:
    candidates = _candidates(market, "1d", provider, options)
    return _first(
        "earnings dates",
        candidates,
        lambda p: p.earnings(market, symbol, start, end),
        lambda f: f.height == 0,
        symbol=symbol,
        start=start,
        end=end,
    )


def fetch_sentiment(
    symbol: str, start: dt.date, end: dt.date, *, options: HttpOptions | None = None
) -> pl.DataFrame:
    """Finnhub's news sentiment as a daily auxiliary series (see :mod:`.finnhub`).

    Columns: :data:`ava_backtest.data.providers.finnhub.SENTIMENT_COLUMNS`.
    """
    finnhub = FinnhubProvider(options=options)
    finnhub.require_configured()
    return finnhub.sentiment(symbol, start, end)


def index_symbol(vendor: str, market: str, symbol: str) -> str:
    """Ava's benchmark / VIX name as ``vendor`` spells it (NotSupportedError when it has none)."""
    if vendor not in PROVIDERS:
        raise NotSupportedError(vendor, f"unknown provider; known: {', '.join(PROVIDERS)}")
    return vendor_symbol(vendor, market, symbol)
