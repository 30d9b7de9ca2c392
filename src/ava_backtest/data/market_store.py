"""The synced market-data store: vendor bars on disk, one Parquet file per market, timeframe and
symbol, under ``$AVA_HOME/market-data``.

Layout::

    $AVA_HOME/market-data/{market}/{timeframe}/{SYMBOL}.parquet          as-traded bars
    $AVA_HOME/market-data/{market}/{timeframe}/{SYMBOL}.actions.parquet  splits and dividends
    $AVA_HOME/market-data/.generation                                    changes on every write

Bars are as traded (no split or dividend adjustment); corporate actions are kept apart
(``date, kind, value`` as in :data:`providers.base.ACTION_COLUMNS`), so the panel derives adjusted
prices and engine events from them and nothing is adjusted twice.

The manifest of covered sessions lives in the bars file's own Parquet metadata
(``ava.coverage``: the date ranges that were fetched, whether or not the vendor had a bar on every
session of them), so bars and the claim that they are complete are replaced together by one
``os.replace``: a sync killed at any instant leaves either the old file or the new one, never a
half-written file and never a coverage claim without its bars. The actions file is written first;
a kill between the two leaves actions for a range the manifest does not claim, which the rerun
fetches again and merges (merging is idempotent).

Every download passes the validator (:func:`validator.clean_bars` with the market's calendar and
tick size) before anything of it is written; a refusal rejects the whole download.
"""

from __future__ import annotations

import datetime as dt
import json
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

import numpy as np
import polars as pl

from ava_backtest.data.catalogue import SymbolInfo
from ava_backtest.data.files import atomic_write, bump_generation, read_generation
from ava_backtest.data.providers.base import ACTION_COLUMNS, TIMEFRAMES, bar_columns
from ava_backtest.data.validator import ValidationReport, clean_bars
from ava_backtest.domain.errors import ConfigError, DataError
from ava_backtest.markets.registry import get_market

STORE_SYMBOL = re.compile(r"^\^?[A-Z0-9][A-Z0-9._&-]{0,24}$")
"""Ava's symbol in the store: upper case; a leading ``^`` marks an index (``^GSPC``, ``^VIX``)."""
SOURCE_PREFIX = "market-data: "
INTRADAY_SEPARATOR = "@"
"""A synced intraday series is loaded as ``SYMBOL@15M`` (the daily bars keep the bare name)."""
_META = "ava."
_GENERATION = ".generation"

Range = tuple[dt.date, dt.date]


def ava_home() -> Path:
    return Path(os.environ.get("AVA_HOME") or ".ava").expanduser().resolve()


def store_root() -> Path:
    return ava_home() / "market-data"


def normalise(symbol: str) -> str:
    s = symbol.strip().upper()
    if not STORE_SYMBOL.match(s):
        raise ConfigError(
            f"symbol {symbol!r} must be 1-25 characters of A-Z, 0-9, '.', '_', '&', '-' "
            "(an index may start with '^')",
            field="symbol",
        )
    return s


def check_timeframe(timeframe: str) -> str:
    if timeframe not in TIMEFRAMES:
        raise ConfigError(
            f"unknown timeframe {timeframe!r}; use one of {', '.join(TIMEFRAMES)}",
            field="timeframe",
        )
    return timeframe


def folder(market: str, timeframe: str) -> Path:
    get_market(market)
    return store_root() / market / check_timeframe(timeframe)


def bars_path(market: str, timeframe: str, symbol: str) -> Path:
    return folder(market, timeframe) / f"{normalise(symbol)}.parquet"


def actions_path(market: str, timeframe: str, symbol: str) -> Path:
    return folder(market, timeframe) / f"{normalise(symbol)}.actions.parquet"


def generation() -> str:
    """A token that changes on every write into the store (and with ``AVA_HOME``)."""
    return read_generation(store_root() / _GENERATION)


def _bump() -> None:
    bump_generation(store_root() / _GENERATION)


# -- the manifest: covered date ranges ------------------------------------------------------


def merge_ranges(ranges: Iterable[Range]) -> list[Range]:
    """Sorted, with overlapping or adjacent (next calendar day) ranges joined."""
    out: list[list[dt.date]] = []
    for a, b in sorted(ranges):
        if out and a <= out[-1][1] + dt.timedelta(days=1):
            out[-1][1] = max(out[-1][1], b)
        else:
            out.append([a, b])
    return [(a, b) for a, b in out]


def _ranges_meta(ranges: list[Range]) -> str:
    return json.dumps([[a.isoformat(), b.isoformat()] for a, b in ranges])


def _ranges_from_meta(text: str | None) -> list[Range]:
    if not text:
        return []
    return [(dt.date.fromisoformat(a), dt.date.fromisoformat(b)) for a, b in json.loads(text)]


@dataclass(frozen=True, slots=True)
class StoredSeries:
    """What the store holds for one symbol and timeframe (read from metadata, no bars)."""

    market: str
    timeframe: str
    symbol: str
    provider: str
    name: str
    kind: str  # equity | index | volatility_index | sentiment
    coverage: tuple[Range, ...]
    rows: int
    first: dt.date | None  # first bar (None when the vendor had none in the covered ranges)
    last: dt.date | None
    synced_at: str


def stored(market: str, timeframe: str, symbol: str) -> StoredSeries | None:
    path = bars_path(market, timeframe, symbol)
    return _stored_at(path, market, timeframe)


def _stored_at(path: Path, market: str, timeframe: str) -> StoredSeries | None:
    try:
        meta = pl.read_parquet_metadata(path)
    except (OSError, pl.exceptions.PolarsError):
        return None
    first, last = meta.get(f"{_META}first"), meta.get(f"{_META}last")
    return StoredSeries(
        market=market,
        timeframe=timeframe,
        symbol=meta.get(f"{_META}symbol", path.stem),
        provider=meta.get(f"{_META}provider", "?"),
        name=meta.get(f"{_META}name", path.stem),
        kind=meta.get(f"{_META}kind", "equity"),
        coverage=tuple(_ranges_from_meta(meta.get(f"{_META}coverage"))),
        rows=int(meta.get(f"{_META}rows", "0")),
        first=dt.date.fromisoformat(first) if first else None,
        last=dt.date.fromisoformat(last) if last else None,
        synced_at=meta.get(f"{_META}synced_at", ""),
    )


def manifest(market: str, timeframe: str | None = None) -> list[StoredSeries]:
    """Every stored series of ``market`` (one timeframe, or all), sorted by timeframe, symbol."""
    get_market(market)
    tfs = [check_timeframe(timeframe)] if timeframe else list(TIMEFRAMES)
    out: list[StoredSeries] = []
    for tf in tfs:
        d = store_root() / market / tf
        if not d.is_dir():
            continue
        for p in sorted(d.glob("*.parquet")):
            if p.name.endswith(".actions.parquet"):
                continue
            s = _stored_at(p, market, tf)
            if s is not None:
                out.append(s)
    return out


def missing_ranges(
    market: str, timeframe: str, symbol: str, start: dt.date, end: dt.date
) -> list[Range]:
    """The runs of consecutive sessions in [start, end] that the manifest does not cover, as
    (first session, last session) ranges: what a sync must fetch. Sessions come from the
    market's exchange calendar. Today's session (possibly still trading: its bar would be
    partial yet claimed as covered) and later ones are never asked for."""
    yesterday = dt.datetime.now(dt.UTC).date() - dt.timedelta(days=1)
    end = min(end, yesterday)
    if start > end:
        return []
    sessions = get_market(market).sessions(start, end).astype("datetime64[D]")
    if len(sessions) == 0:
        return []
    have = stored(market, timeframe, symbol)
    covered = np.zeros(len(sessions), dtype=bool)
    for a, b in have.coverage if have else ():
        covered |= (sessions >= np.datetime64(a, "D")) & (sessions <= np.datetime64(b, "D"))
    missing = np.flatnonzero(~covered)
    if len(missing) == 0:
        return []
    breaks = np.flatnonzero(np.diff(missing) > 1)
    starts = np.concatenate([[missing[0]], missing[breaks + 1]])
    ends = np.concatenate([missing[breaks], [missing[-1]]])
    return [(sessions[a].item(), sessions[b].item()) for a, b in zip(starts, ends, strict=True)]


# -- reading ------------------------------------------------------------------------------


def read_bars(market: str, timeframe: str, symbol: str) -> pl.DataFrame | None:
    """The stored as-traded bars (``bar_columns(timeframe)``), or None when nothing is stored."""
    try:
        return pl.read_parquet(bars_path(market, timeframe, symbol))
    except FileNotFoundError:
        return None


def read_actions(market: str, timeframe: str, symbol: str) -> pl.DataFrame:
    try:
        return pl.read_parquet(actions_path(market, timeframe, symbol))
    except FileNotFoundError:
        return pl.DataFrame(schema=ACTION_COLUMNS)


def event_arrays(
    dates: np.ndarray, close: np.ndarray, actions: pl.DataFrame
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(split_ratio, dividend, factor) per bar from the actions, in the engine's convention.

    An action lands on the first bar on or after its ex-date. ``factor`` is adjusted/as-traded
    close (1.0 on the last bar): before a split of ratio r it falls by r, before a dividend D on
    the previous close C by (1 - D/C), as Yahoo-style adjusted closes do, so that
    :func:`events.derive_events` on ``close * factor`` finds the same events."""
    n = len(close)
    split = np.ones(n)
    dividend = np.zeros(n)
    if n == 0 or actions.height == 0:
        return split, dividend, np.ones(n)
    days = np.asarray(dates).astype("datetime64[D]")
    for kind, target in (("split", split), ("dividend", dividend)):
        part = actions.filter(pl.col("kind") == kind)
        if part.height == 0:
            continue
        at = np.searchsorted(days, part["date"].to_numpy().astype("datetime64[D]"))
        ok = at < n
        if kind == "split":
            np.multiply.at(target, at[ok], part["value"].to_numpy()[ok])
        else:
            np.add.at(target, at[ok], part["value"].to_numpy()[ok])
    prev_close = np.concatenate([[np.nan], close[:-1]]) / split  # in post-split shares
    with np.errstate(invalid="ignore", divide="ignore"):
        keep = np.where(dividend > 0, 1.0 - dividend / prev_close, 1.0)
    keep = np.where(np.isfinite(keep) & (keep > 0), keep, 1.0)
    step = split / keep  # f_t / f_{t-1}
    inv = 1.0 / step[1:]
    factor = np.ones(n)
    factor[:-1] = np.cumprod(inv[::-1])[::-1]
    return split, dividend, factor


# -- writing ------------------------------------------------------------------------------


def _time_col(timeframe: str) -> str:
    return "date" if timeframe == "1d" else "ts"


def _conform(frame: pl.DataFrame, timeframe: str, symbol: str, vendor: str) -> pl.DataFrame:
    cols = bar_columns(timeframe)
    missing = [c for c in cols if c not in frame.columns]
    if missing:
        raise DataError(
            f"{vendor} {symbol}: the download has no column(s) {', '.join(missing)}",
            field="symbols",
        )
    return frame.select(pl.col(c).cast(t) for c, t in cols.items())


def write_download(
    market: str,
    timeframe: str,
    symbol: str,
    bars: pl.DataFrame,
    actions: pl.DataFrame | None,
    fetched: Range,
    *,
    provider: str,
    name: str = "",
    kind: str = "equity",
) -> ValidationReport | None:
    """Validate one download and merge it into the store.

    ``fetched`` is the date range that was asked for; it joins the manifest even when the vendor
    had no bar on some of its sessions (a listing that starts later, a holiday the calendar does
    not know), so a second sync does not ask again. A download the validator refuses raises
    DataError and nothing of it is written.
    """
    symbol = normalise(symbol)
    target = bars_path(market, timeframe, symbol)
    time = _time_col(timeframe)
    new = _conform(bars, timeframe, symbol, provider)
    report: ValidationReport | None = None
    if new.height:
        cleaned, report = clean_bars(
            new.with_columns(pl.col("ts").dt.replace_time_zone(None)) if time == "ts" else new,
            symbol,
            market=market,
            timeframe=timeframe,
            corporate_actions=False,  # as-traded bars jump at splits: the actions say where
        )
        if time == "ts":
            cleaned = cleaned.with_columns(pl.col("ts").dt.replace_time_zone("UTC"))
        new = _conform(cleaned, timeframe, symbol, provider)
    old = read_bars(market, timeframe, symbol)
    have = stored(market, timeframe, symbol)
    if old is not None and old.height:
        merged = pl.concat([old.join(new.select(time), on=time, how="anti"), new]).sort(time)
    else:
        merged = new.sort(time)
    coverage = merge_ranges([*(have.coverage if have else ()), fetched])

    if actions is not None and actions.height:
        acts = actions.select(pl.col(c).cast(t) for c, t in ACTION_COLUMNS.items())
        old_acts = read_actions(market, timeframe, symbol)
        all_acts = (
            pl.concat([old_acts.join(acts, on=["date", "kind"], how="anti"), acts])
            .unique(subset=["date", "kind"], keep="last")
            .sort("date", "kind")
        )
        apath = actions_path(market, timeframe, symbol)
        atomic_write(apath, lambda p: all_acts.write_parquet(p))

    first = merged[time].min() if merged.height else None
    last = merged[time].max() if merged.height else None
    if isinstance(first, dt.datetime):
        first, last = first.date(), last.date()  # type: ignore[union-attr]
    meta = {
        f"{_META}symbol": symbol,
        f"{_META}market": market,
        f"{_META}timeframe": timeframe,
        f"{_META}provider": provider,
        f"{_META}name": name or (have.name if have else symbol),
        f"{_META}kind": kind,
        f"{_META}coverage": _ranges_meta(coverage),
        f"{_META}rows": str(merged.height),
        f"{_META}first": first.isoformat() if first else "",
        f"{_META}last": last.isoformat() if last else "",
        f"{_META}synced_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
    }
    atomic_write(target, lambda p: merged.write_parquet(p, metadata=meta))
    _bump()
    return report


def delete(market: str, timeframe: str, symbol: str) -> bool:
    gone = False
    for p in (bars_path(market, timeframe, symbol), actions_path(market, timeframe, symbol)):
        try:
            p.unlink()
            gone = True
        except FileNotFoundError:
            pass
    if gone:
        _bump()
    return gone


# -- the catalogue's view -----------------------------------------------------------------


def split_name(symbol: str) -> tuple[str, str]:
    """``AAPL@15M`` -> (``AAPL``, ``15m``); ``AAPL`` -> (``AAPL``, ``1d``)."""
    s = symbol.strip().upper()
    if INTRADAY_SEPARATOR in s:
        base, tf = s.split(INTRADAY_SEPARATOR, 1)
        return base, tf.lower()
    return s, "1d"


def panel_name(symbol: str, timeframe: str) -> str:
    return symbol if timeframe == "1d" else f"{symbol}{INTRADAY_SEPARATOR}{timeframe.upper()}"


def _info(s: StoredSeries) -> SymbolInfo | None:
    if s.first is None or s.last is None:
        return None
    return SymbolInfo(
        symbol=panel_name(s.symbol, s.timeframe),
        market=s.market,
        name=s.name,
        kind=s.kind,
        timeframe=s.timeframe,
        price_basis="as_traded" if s.kind == "equity" else "price_return_index",
        first=s.first,
        last=s.last,
        synthetic=False,
        source=f"{SOURCE_PREFIX}{s.provider}",
        licence=f"{s.provider} terms of use (synced by the user)",
        note=f"synced {s.synced_at}, {s.rows} bars; covered "
        + ", ".join(f"{a}..{b}" for a, b in s.coverage),
    )


def is_store_symbol(info: SymbolInfo) -> bool:
    return info.source.startswith(SOURCE_PREFIX)


def store_symbol(market: str, symbol: str) -> SymbolInfo | None:
    """The catalogue entry of a synced series (``AAPL``, ``AAPL@15M``), or None."""
    base, tf = split_name(symbol)
    if tf not in TIMEFRAMES or not STORE_SYMBOL.match(base):
        return None
    s = stored(market, tf, base)
    return _info(s) if s is not None else None


def store_symbols(market: str) -> list[SymbolInfo]:
    return [i for s in manifest(market) if (i := _info(s)) is not None]


def read_for_panel(info: SymbolInfo) -> tuple[pl.DataFrame, pl.DataFrame]:
    """(bars with a naive ``date``/``ts`` column, actions) of a store symbol."""
    from ava_backtest.data import market_cache

    base, tf = split_name(info.symbol)
    frame = market_cache.get_frame(info.market, tf, base, "bars")
    actions = market_cache.get_frame(info.market, tf, base, "actions")
    if frame is None or actions is None:
        frame = read_bars(info.market, tf, base)
        if frame is None:
            raise DataError(f"{info.symbol}: no stored bars", field="symbols")
        actions = read_actions(info.market, tf, base)
        market_cache.put_frame(frame, info.market, tf, base, "bars")
        market_cache.put_frame(actions, info.market, tf, base, "actions")
    if tf != "1d":
        frame = frame.with_columns(pl.col("ts").dt.replace_time_zone(None))
    return frame, actions


# -- auxiliary: Finnhub news sentiment ------------------------------------------------------


def sentiment_path(market: str, symbol: str) -> Path:
    get_market(market)
    return store_root() / market / "sentiment" / f"{normalise(symbol)}.parquet"


def read_sentiment(market: str, symbol: str) -> pl.DataFrame | None:
    """The stored daily news-sentiment snapshots of ``symbol`` (one row per day synced)."""
    try:
        return pl.read_parquet(sentiment_path(market, symbol))
    except FileNotFoundError:
        return None


def write_sentiment(market: str, symbol: str, frame: pl.DataFrame, *, provider: str) -> int:
    """Merge snapshots (a later one of the same day replaces the earlier); returns rows stored.

    The vendor gives only today's snapshot, so the series grows by one row per day synced: a
    strategy requiring it can use it only from the first day it was collected."""
    if frame.height == 0:
        return 0
    bad = [c for c in ("date", "score") if c not in frame.columns]
    if bad:
        raise DataError(
            f"{provider} {symbol}: sentiment without column(s) {', '.join(bad)}", field="symbols"
        )
    old = read_sentiment(market, symbol)
    merged = (
        pl.concat([old.join(frame.select("date"), on="date", how="anti"), frame], how="diagonal")
        if old is not None
        else frame
    ).sort("date")
    meta = {f"{_META}provider": provider, f"{_META}kind": "sentiment", f"{_META}symbol": symbol}
    atomic_write(sentiment_path(market, symbol), lambda p: merged.write_parquet(p, metadata=meta))
    _bump()
    return merged.height
