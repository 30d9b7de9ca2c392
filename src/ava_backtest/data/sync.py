"""Incremental, resumable sync of vendor bars into the market-data store.

For each symbol the manifest (:func:`market_store.missing_ranges`) says which sessions of the
exchange calendar in [start, end] are not yet covered; only those runs of sessions are requested.
So a second sync of the same range sends no request at all (idempotent), and a sync killed after N
symbols (or in the middle of one) leaves every completed download stored atomically and the rest
uncovered: the rerun fetches exactly the rest (resumable).

Every download goes through the validator before it is stored (``market_store.write_download``):
a refused download is reported as that symbol's error and nothing of it is written. Providers are
tried in the order given (the market's fallback order by default); a provider that cannot deliver
a symbol hands it to the next one, and the error that is kept names every vendor that failed.

Benchmarks and volatility indices (``AUXILIARY``) are synced beside a universe's members, so a
real-data run has its benchmark and VIX strategies their feed.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import fcntl
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field

import polars as pl

from ava_backtest.data import market_store
from ava_backtest.data.providers.base import (
    BarRequest,
    NotSupportedError,
    Provider,
    ProviderError,
)
from ava_backtest.domain.errors import AvaError, ConfigError, DataError
from ava_backtest.markets.registry import get_market

Mirror = Callable[[str, str, str, dt.date, dt.date, "pl.DataFrame | None", str], None]
"""Called with each accepted download after it is stored (market, timeframe, symbol, start, end,
actions, vendor): the PostgreSQL copy, ``store.market_data.mirror_download``, which the layers
above data (the CLI, the API) pass in; data never imports the store."""


@dataclass(frozen=True, slots=True)
class AuxSeries:
    symbol: str  # Ava's name in the store ("^" marks an index)
    name: str
    kind: str  # index | volatility_index | equity (an ETF)


AUXILIARY: dict[str, tuple[AuxSeries, ...]] = {
    "US": (
        AuxSeries("GSPC", "S&P 500 index", "index"),
        AuxSeries("SPY", "SPDR S&P 500 ETF Trust", "equity"),
        AuxSeries("NDX", "NASDAQ-100 index", "index"),
        AuxSeries("VIX", "CBOE Volatility Index", "volatility_index"),
    ),
    "IN": (
        AuxSeries("NIFTY50", "NIFTY 50 index", "index"),
        AuxSeries("SENSEX", "S&P BSE SENSEX index", "index"),
        AuxSeries("INDIAVIX", "India VIX", "volatility_index"),
    ),
}
"""Ava's names (the providers spell them per vendor: FMP ``^GSPC``, ``^NSEI``, ...)."""
AUX_KINDS = {a.symbol: a for series in AUXILIARY.values() for a in series}


@dataclass(slots=True)
class SyncProgress:
    """The live state of one sync, handed to the progress callback after every step."""

    market: str
    timeframe: str
    start: dt.date
    end: dt.date
    total: int
    done: int = 0
    current: str | None = None
    requests: int = 0  # bar downloads sent to vendors
    bars_written: int = 0
    skipped: int = 0  # symbols already covered: nothing fetched
    errors: list[dict[str, str]] = field(default_factory=list)
    providers_used: dict[str, int] = field(default_factory=dict)

    def as_dict(self) -> dict[str, object]:
        return {
            "market": self.market,
            "timeframe": self.timeframe,
            "start": self.start.isoformat(),
            "end": self.end.isoformat(),
            "total": self.total,
            "done": self.done,
            "current": self.current,
            "requests": self.requests,
            "bars_written": self.bars_written,
            "skipped": self.skipped,
            "errors": list(self.errors),
            "providers_used": dict(self.providers_used),
        }


class SyncBusyError(AvaError):
    """Another sync holds the store's lock."""

    code = "sync_running"


@contextlib.contextmanager
def store_lock() -> Iterator[None]:
    """One sync at a time per ``AVA_HOME``, across processes (the API's and the CLI's)."""
    root = market_store.store_root()
    root.mkdir(parents=True, exist_ok=True)
    with open(root / ".sync.lock", "a+") as fh:
        try:
            fcntl.flock(fh, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            raise SyncBusyError(
                "another sync is running on this AVA_HOME; wait for it or watch "
                "GET /api/v2/data/sync/status",
                field="universe",
            ) from None
        try:
            yield
        finally:
            fcntl.flock(fh, fcntl.LOCK_UN)


def default_providers(market: str, provider: str | None, timeframe: str) -> list[Provider]:
    """The configured providers for ``market`` in fallback order, or the one named."""
    from ava_backtest.data.providers import registry

    if provider:
        try:
            one = registry.get_provider(provider)
        except ProviderError as e:
            raise ConfigError(e.message, field="provider") from None
        if not one.configured():
            keys = ", ".join(one.key_variables)
            raise ConfigError(
                f"provider {one.name} is not configured: set {keys}", field="provider"
            )
        if market not in one.markets or timeframe not in one.timeframes:
            raise ConfigError(
                f"provider {one.name} does not serve {market} {timeframe} bars "
                f"(markets {', '.join(one.markets)}; timeframes {', '.join(one.timeframes)})",
                field="provider",
            )
        return [one]
    usable = registry.providers_for(market, timeframe)
    if not usable:
        raise ConfigError(
            f"no configured provider serves {market} {timeframe} bars; set a vendor key "
            "(see `ava data providers`)",
            field="provider",
        )
    return usable


def expand_symbols(
    market: str, symbols: Sequence[str], timeframe: str, auxiliary: bool
) -> list[str]:
    """The symbols a sync fetches: the given ones (normalised, de-duplicated), then the market's
    benchmarks and VIX for daily bars when ``auxiliary``."""
    names = [market_store.normalise(s) for s in symbols]
    if auxiliary and timeframe == "1d":
        names += [a.symbol for a in AUXILIARY.get(market, ())]
    return list(dict.fromkeys(names))


def sync_symbols(
    market: str,
    symbols: Sequence[str],
    start: dt.date,
    end: dt.date,
    *,
    timeframe: str = "1d",
    providers: Sequence[Provider] | None = None,
    provider: str | None = None,
    auxiliary: bool = True,
    progress: Callable[[SyncProgress], None] | None = None,
    should_stop: Callable[[], bool] | None = None,
    sentiment: bool = False,
    mirror: Mirror | None = None,
) -> SyncProgress:
    """Fetch what the store lacks of ``symbols`` (plus the market's auxiliary series for daily
    bars when ``auxiliary``) between ``start`` and ``end`` inclusive; returns the final state.

    Per-symbol failures are collected in ``errors`` (and the sync goes on); a ``should_stop``
    that turns true ends the sync after the current download, leaving it resumable.
    ``sentiment`` also stores Finnhub's news-sentiment snapshot of each given (US) symbol as an
    auxiliary series (``market_store.read_sentiment``).
    """
    get_market(market)
    market_store.check_timeframe(timeframe)
    if start > end:
        raise ConfigError(f"start {start} is after end {end}", field="start")
    names = expand_symbols(market, symbols, timeframe, auxiliary)
    vendors = (
        list(providers) if providers is not None else default_providers(market, provider, timeframe)
    )
    state = SyncProgress(market, timeframe, start, end, total=len(names))
    with store_lock():
        for sym in names:
            if should_stop is not None and should_stop():
                break
            state.current = sym
            if progress:
                progress(state)
            ranges = market_store.missing_ranges(market, timeframe, sym, start, end)
            if not ranges:
                state.skipped += 1
            for a, b in ranges:
                try:
                    _fetch_one(market, timeframe, sym, a, b, vendors, state, mirror)
                except (ProviderError, AvaError) as e:
                    state.errors.append({"symbol": sym, "error": str(e)})
                    break
            if sentiment and sym not in AUX_KINDS:
                try:
                    _fetch_sentiment(market, sym, state)
                except (ProviderError, AvaError) as e:
                    state.errors.append({"symbol": sym, "error": f"sentiment: {e}"})
            state.done += 1
            if progress:
                progress(state)
    state.current = None
    if state.requests:
        from ava_backtest.data import market_cache

        market_cache.invalidate()
    return state


def _fetch_one(
    market: str,
    timeframe: str,
    symbol: str,
    start: dt.date,
    end: dt.date,
    vendors: Sequence[Provider],
    state: SyncProgress,
    mirror: Mirror | None = None,
) -> None:
    failures: list[str] = []
    aux = AUX_KINDS.get(symbol)
    request = BarRequest(market=market, symbol=symbol, timeframe=timeframe, start=start, end=end)
    for vendor in vendors:
        state.requests += 1
        try:
            bars = vendor.bars(request)
        except ProviderError as e:
            failures.append(str(e))
            continue
        actions: pl.DataFrame | None = None
        if timeframe == "1d" and (aux is None or aux.kind == "equity"):
            try:
                actions = vendor.corporate_actions(market, symbol, start, end)
            except NotSupportedError:
                actions = None
            except ProviderError as e:
                # Bars without their splits would be silently wrong once adjusted: refuse both.
                failures.append(f"{e} (corporate actions; bars not stored)")
                continue
        try:
            market_store.write_download(
                market,
                timeframe,
                symbol,
                bars,
                actions,
                (start, end),
                provider=vendor.name,
                name=aux.name if aux else "",
                kind=aux.kind if aux else "equity",
            )
        except DataError as e:
            failures.append(
                f"{vendor.name} {symbol} {start}..{end}: rejected by the validator: {e.message}"
            )
            continue
        if mirror is not None:
            mirror(market, timeframe, symbol, start, end, actions, vendor.name)
        state.bars_written += bars.height
        state.providers_used[vendor.name] = state.providers_used.get(vendor.name, 0) + 1
        return
    raise DataError("; ".join(failures) or f"{symbol}: no provider", field="symbols")


def _fetch_sentiment(market: str, symbol: str, state: SyncProgress) -> None:
    from ava_backtest.data.providers.registry import fetch_sentiment

    if market != "US":
        raise NotSupportedError("finnhub", f"news sentiment covers US symbols, not {market}")
    today = dt.datetime.now(dt.UTC).date()
    state.requests += 1
    frame = fetch_sentiment(symbol, today, today)
    market_store.write_sentiment(market, symbol, frame, provider="finnhub")
    state.providers_used["finnhub"] = state.providers_used.get("finnhub", 0) + 1


def sync_command(
    universe: str, start: dt.date | str, end: dt.date | str, timeframe: str = "1d"
) -> str:
    """The exact CLI command that fetches what a run lacks."""
    tf = "" if timeframe == "1d" else f" --timeframe {timeframe}"
    return f"ava data sync --universe {universe}{tf} --start {start} --end {end}"


def sync_for_run(
    market: str,
    universe: object | None,
    symbols: Sequence[str] | None,
    start: dt.date | None,
    end: dt.date | None,
    *,
    progress: Callable[[SyncProgress], None] | None = None,
    mirror: Mirror | None = None,
) -> tuple[SyncProgress, list[dict[str, str]]]:
    """``--sync`` / ``"sync": true``: fetch what a run lacks (its universe's members, or its
    symbols, plus the market's benchmarks and VIX) from a month before its start to its end.

    Returns the final state and the errors that do not stop the run (an auxiliary series other
    than the run's benchmark); a member or the benchmark that could not be synced is a DataError
    naming them and the vendors' reasons."""
    from ava_backtest.data import universe_members

    end_d = end or dt.datetime.now(dt.UTC).date()
    start_d = universe_members.sync_start(start or end_d - dt.timedelta(days=365))
    name = getattr(universe, "name", None)
    if name is not None and name in universe_members.names():
        ml = universe_members.member_list(name)
        members = list(
            universe_members.member_list(ml.derived_from).symbols if ml.derived_from else ml.symbols
        )
    else:
        members = list(getattr(universe, "symbols", None) or symbols or ())
    state = sync_symbols(market, members, start_d, end_d, progress=progress, mirror=mirror)
    needed = set(members)
    if (bench := getattr(universe, "benchmark", None)) is not None:
        needed.add(bench)
    fatal = [e for e in state.errors if e["symbol"] in needed]
    if fatal:
        listed = "; ".join(f"{e['symbol']}: {e['error']}" for e in fatal[:5])
        raise DataError(
            f"sync failed for {len(fatal)} of the run's symbols ({listed})",
            field="sync",
            details={"errors": fatal},
        )
    return state, [e for e in state.errors if e not in fatal]
