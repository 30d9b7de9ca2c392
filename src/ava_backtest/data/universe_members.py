"""The original platform's named universes (sp500, nasdaq100, nifty50, ...) as member lists.

Each list ships in ``universe_lists/{name}.csv`` (one ``symbol`` column) with its source, as-of
date and completeness in ``universe_lists/index.json``; a refreshed list (from a provider's
constituents endpoint) is written to ``$AVA_HOME/universes/{name}.csv`` and wins over the shipped
one. Their bars come from the market-data store (``ava data sync``): a run whose members lack
synced bars fails with the missing symbols and the exact sync command, never with other symbols.

``sp500_liquid`` is derived: the sp500 members whose average daily volume over the last 63
sessions (3 months) of synced bars up to the run's end is above 500,000 shares.
"""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import cast

import numpy as np
import polars as pl

from ava_backtest.data import market_store
from ava_backtest.data.files import atomic_write
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError

LIQUID_MIN_ADV = 500_000.0
LIQUID_SESSIONS = 63
SYNC_MARGIN_DAYS = 31
"""A sync command starts a month before the run, so most indicators have a warm-up."""


@dataclass(frozen=True, slots=True)
class MemberList:
    name: str
    market: str
    benchmark: str
    symbols: tuple[str, ...]
    source: str
    as_of: str
    complete: bool
    description: str
    derived_from: str | None = None
    refreshed: bool = False  # from $AVA_HOME/universes, not the shipped file


def _index() -> dict[str, dict[str, object]]:
    text = resources.files("ava_backtest.data").joinpath("universe_lists/index.json").read_text()
    return dict(json.loads(text))


@lru_cache(maxsize=1)
def _shipped_index() -> dict[str, dict[str, object]]:
    return _index()


def names() -> tuple[str, ...]:
    return tuple(_shipped_index())


def refreshed_dir() -> Path:
    return market_store.ava_home() / "universes"


def _read_csv(path: Path | str) -> tuple[str, ...]:
    frame = pl.read_csv(path, schema_overrides={"symbol": pl.Utf8})
    return tuple(s.strip().upper() for s in frame["symbol"].to_list() if s and s.strip())


def member_list(name: str) -> MemberList:
    meta = _shipped_index().get(name)
    if meta is None:
        raise NotFoundError("universe", name, names(), field="universe")
    source_name = str(meta.get("derived_from") or name)
    own = refreshed_dir() / f"{source_name}.csv"
    refreshed = own.is_file()
    if refreshed:
        symbols = _read_csv(own)
        refreshed_meta = own.with_suffix(".json")
        extra = json.loads(refreshed_meta.read_text()) if refreshed_meta.is_file() else {}
        source = str(extra.get("source", f"refreshed list {own}"))
        as_of = str(extra.get("as_of", "?"))
    else:
        path = resources.files("ava_backtest.data").joinpath(f"universe_lists/{source_name}.csv")
        with resources.as_file(path) as p:
            symbols = _read_csv(p)
        source, as_of = str(meta["source"]), str(meta["as_of"])
    return MemberList(
        name=name,
        market=str(meta["market"]),
        benchmark=str(meta["benchmark"]),
        symbols=symbols,
        source=source if name == source_name else f"{meta['source']} Members: {source}",
        as_of=as_of,
        complete=bool(meta["complete"]),
        description=str(meta["description"]),
        derived_from=str(meta["derived_from"]) if meta.get("derived_from") else None,
        refreshed=refreshed,
    )


def save_refreshed(name: str, symbols: list[str], source: str) -> MemberList:
    """Replace a list with one fetched from a provider (kept under ``$AVA_HOME/universes``)."""
    meta = _shipped_index().get(name)
    if meta is None:
        raise NotFoundError("universe", name, names(), field="universe")
    if meta.get("derived_from"):
        raise ConfigError(
            f"{name} is derived from {meta['derived_from']}; refresh that list", field="universe"
        )
    clean = sorted({market_store.normalise(s) for s in symbols})
    if not clean:
        raise DataError(f"{source}: the constituents list of {name} is empty", field="universe")
    folder = refreshed_dir()
    folder.mkdir(parents=True, exist_ok=True)
    frame = pl.DataFrame({"symbol": clean})
    atomic_write(folder / f"{name}.csv", lambda p: frame.write_csv(p))
    info = {"source": source, "as_of": dt.date.today().isoformat()}
    atomic_write(folder / f"{name}.json", lambda p: p.write_text(json.dumps(info)))
    return member_list(name)


# -- the data a run needs --------------------------------------------------------------------


def sync_start(start: dt.date) -> dt.date:
    return start - dt.timedelta(days=SYNC_MARGIN_DAYS)


def missing_members(
    market: str, symbols: tuple[str, ...], start: dt.date, end: dt.date
) -> list[str]:
    """Members whose synced daily bars do not cover [start, end]'s sessions (up to today)."""
    return [s for s in symbols if market_store.missing_ranges(market, "1d", s, start, end)]


def liquid(market: str, symbols: tuple[str, ...], end: dt.date) -> tuple[str, ...]:
    """The members whose mean volume over their last 63 synced sessions up to ``end`` is above
    500,000 shares."""
    keep: list[str] = []
    for s in symbols:
        bars = market_store.read_bars(market, "1d", s)
        if bars is None or bars.height == 0:
            continue
        vol = bars.filter(pl.col("date") <= end)["volume"].tail(LIQUID_SESSIONS).to_numpy()
        vol = vol[np.isfinite(vol)] if vol.dtype.kind == "f" else vol
        if len(vol) and float(np.mean(vol)) > LIQUID_MIN_ADV:
            keep.append(s)
    return tuple(keep)


def run_members(
    name: str, start: dt.date | None, end: dt.date | None, timeframe: str = "1d"
) -> tuple[str, ...]:
    """The symbols a run of universe ``name`` trades between ``start`` and ``end``, after checking
    the store covers them; DataError naming the missing symbols and the exact sync command."""
    ml = member_list(name)
    today = dt.datetime.now(dt.UTC).date()
    end_d = end or today
    start_d = start or end_d - dt.timedelta(days=365)
    base = member_list(ml.derived_from).symbols if ml.derived_from else ml.symbols
    missing = missing_members(ml.market, base, start_d, end_d)
    bench_missing = missing_members(ml.market, (ml.benchmark,), start_d, end_d)
    if missing or bench_missing:
        command = f"ava data sync --universe {name} --start {sync_start(start_d)} --end {end_d}"
        listed = ", ".join(missing[:20]) + (
            f", ... ({len(missing)} in all)" if len(missing) > 20 else ""
        )
        what = f"{len(missing)} of {len(base)} members of {name} ({listed})" if missing else ""
        if bench_missing:
            what += (" and " if what else "") + f"its benchmark {ml.benchmark}"
        raise DataError(
            f"no synced {ml.market} daily bars between {start_d} and {end_d} for {what}; "
            f"fetch them first: {command}",
            field="universe",
            details={
                "universe": name,
                "missing": missing + bench_missing,
                "sync_command": command,
                "start": start_d.isoformat(),
                "end": end_d.isoformat(),
            },
        )
    if name == "sp500_liquid":
        chosen = liquid(ml.market, base, end_d)
        if not chosen:
            raise DataError(
                f"no sp500 member has average daily volume above {LIQUID_MIN_ADV:,.0f} shares "
                f"over the last {LIQUID_SESSIONS} synced sessions up to {end_d}",
                field="universe",
            )
        return chosen
    return base


def refresh_members(name: str, provider: str = "fmp") -> MemberList:
    """Fetch ``name``'s current constituents from the vendor and keep them as its list."""
    from ava_backtest.data.providers.base import ProviderError
    from ava_backtest.data.providers.fmp import CONSTITUENTS, FMPProvider
    from ava_backtest.data.providers.registry import get_provider

    if name not in names():
        raise NotFoundError("universe", name, names(), field="universe")
    if provider != "fmp" or name not in CONSTITUENTS:
        raise ConfigError(
            f"only FMP's constituents endpoints are supported ({', '.join(CONSTITUENTS)}); "
            f"the {name} list ships with its source and as-of date",
            field="universe" if provider == "fmp" else "provider",
        )
    vendor = cast(FMPProvider, get_provider("fmp"))
    if not vendor.configured():
        raise ConfigError("provider fmp is not configured: set FMP_API_KEY", field="provider")
    path = CONSTITUENTS[name]
    try:
        # Symbols in Ava's spelling (BRK.B, as FMP's constituents lists have them); the
        # providers turn it into each vendor's spelling (FMP's bars: BRK-B).
        symbols = vendor.constituents(name)["symbol"].to_list()
    except ProviderError as e:
        raise DataError(str(e), field="provider") from None
    finally:
        vendor.close()
    return save_refreshed(name, symbols, f"FMP /api/v3/{path}")
