"""Bars a user uploaded: one Parquet file per market and symbol under ``$AVA_HOME/data``.

``$AVA_HOME/data/{market}/{SYMBOL}.parquet`` holds date (pl.Date; ``ts``, naive UTC bar starts,
for intraday bars, whose timeframe is in the metadata), open, high, low, close, adj_close and
volume (float64), already validated (``upload.ingest_upload`` runs the validator
before it calls ``save_user_bars``), with the source file name, the upload time and the coverage in
the Parquet key-value metadata, so listing symbols reads no bars.

A user symbol never shadows a shipped one: a name the built-in catalogue has on that market is
refused. Every save or delete writes a new generation token (``generation()``), which the panel
loader compares on each load so that no process, the API's or a worker's, keeps serving bars
cached before the change.
"""

from __future__ import annotations

import datetime as dt
import os
import re
from pathlib import Path

import polars as pl

from ava_backtest.data.catalogue import CATALOGUE, SymbolInfo
from ava_backtest.data.files import atomic_write, bump_generation, read_generation
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError
from ava_backtest.markets.registry import get_market

COLUMNS: dict[str, pl.DataType] = {
    "date": pl.Date(),
    "open": pl.Float64(),
    "high": pl.Float64(),
    "low": pl.Float64(),
    "close": pl.Float64(),
    "adj_close": pl.Float64(),
    "volume": pl.Float64(),
}
SOURCE_PREFIX = "upload: "
LICENCE = "user-supplied"
SYMBOL_PATTERN = re.compile(r"^[A-Z0-9][A-Z0-9._-]{0,19}$")
_GENERATION_FILE = ".generation"
_META = "ava."


class ShippedSymbolError(ConfigError):
    """The upload would shadow a symbol Ava ships (real or synthetic data): refused."""

    code = "symbol_conflict"


def ava_home() -> Path:
    """``$AVA_HOME`` (default ``./.ava``), read at call time, resolved like the database path."""
    return Path(os.environ.get("AVA_HOME") or ".ava").expanduser().resolve()


def data_dir() -> Path:
    return ava_home() / "data"


def normalise_symbol(symbol: str) -> str:
    """Upper-cased and checked: 1-20 of A-Z 0-9 . _ - starting with a letter or digit."""
    s = symbol.strip().upper()
    if not SYMBOL_PATTERN.match(s):
        raise ConfigError(
            f"symbol {symbol!r} must be 1-20 characters of A-Z, 0-9, '.', '_', '-' "
            "starting with a letter or digit",
            field="symbol",
        )
    return s


def user_file(market: str, symbol: str) -> Path:
    get_market(market)
    return data_dir() / market / f"{normalise_symbol(symbol)}.parquet"


def is_user_symbol(info: SymbolInfo) -> bool:
    return info.licence == LICENCE and info.source.startswith(SOURCE_PREFIX)


def generation() -> str:
    """A token that changes on every save or delete (and with ``AVA_HOME``)."""
    return read_generation(data_dir() / _GENERATION_FILE)


def _bump() -> None:
    # Every process (this one too) compares the generation before it reads a cached series, so
    # nothing here reaches into the panel's cache.
    bump_generation(data_dir() / _GENERATION_FILE)


def refuse_shipped(market: str, symbol: str) -> None:
    """ShippedSymbolError when ``symbol`` is in the built-in catalogue of ``market``."""
    if (market, symbol.strip().upper()) in CATALOGUE:
        raise ShippedSymbolError(
            f"{symbol} is a symbol Ava ships for market {market}; upload it under another name "
            "(a user symbol never replaces shipped data)",
            field="symbol",
            details={"symbol": symbol, "market": market},
        )


def _columns(timeframe: str) -> dict[str, pl.DataType]:
    if timeframe == "1d":
        return COLUMNS
    return {"ts": pl.Datetime("ns"), **{k: v for k, v in COLUMNS.items() if k != "date"}}


def save_user_bars(
    market: str, symbol: str, frame: pl.DataFrame, source: str, timeframe: str = "1d"
) -> SymbolInfo:
    """Store validated bars for ``symbol`` on ``market``, replacing an earlier upload.

    ``frame`` needs date (``ts``, naive UTC bar starts, for an intraday ``timeframe`` such as
    ``15m``), open, high, low, close and volume (adj_close defaults to close); it must have rows
    with distinct times. ``source`` is the uploaded file's name.
    """
    symbol = normalise_symbol(symbol)
    target = user_file(market, symbol)
    refuse_shipped(market, symbol)
    columns = _columns(timeframe)
    time = "date" if timeframe == "1d" else "ts"
    missing = [c for c in columns if c not in frame.columns and c != "adj_close"]
    if missing:
        raise DataError(f"no column(s) {', '.join(missing)}", field="file")
    if "adj_close" not in frame.columns:
        frame = frame.with_columns(adj_close=pl.col("close"))
    out = frame.select(pl.col(c).cast(t) for c, t in columns.items()).sort(time)
    if out.height == 0:
        raise DataError(f"{symbol}: no rows to store", field="file")
    if out[time].null_count() or out[time].n_unique() != out.height:
        raise DataError(f"{symbol}: dates must be present and distinct", field="file")
    name = _clean_filename(source)
    first, last = out[time].min(), out[time].max()
    if timeframe != "1d":
        first, last = first.date(), last.date()
    meta = {
        f"{_META}source": name,
        f"{_META}uploaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        f"{_META}market": market,
        f"{_META}symbol": symbol,
        f"{_META}first": str(first),
        f"{_META}last": str(last),
        f"{_META}rows": str(out.height),
        f"{_META}adjusted": str(bool((out["adj_close"] != out["close"]).any())).lower(),
        f"{_META}timeframe": timeframe,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda p: out.write_parquet(p, metadata=meta))
    _bump()
    info = _info(target, market)
    assert info is not None
    return info


def read_user_bars(market: str, symbol: str) -> pl.DataFrame:
    """The stored bars (date or, for intraday bars, ts; open, high, low, close, adj_close,
    volume)."""
    path = user_file(market, symbol)
    try:
        timeframe = pl.read_parquet_metadata(path).get(f"{_META}timeframe", "1d")
        return pl.read_parquet(path, columns=list(_columns(timeframe)))
    except FileNotFoundError:
        raise NotFoundError(
            "symbol", symbol, [i.symbol for i in user_symbols(market)], field="symbols"
        ) from None


def user_symbol(market: str, symbol: str) -> SymbolInfo | None:
    """The catalogue entry of an uploaded symbol, or None."""
    try:
        path = user_file(market, symbol)
    except ConfigError:
        return None
    return _info(path, market)


def user_symbols(market: str) -> list[SymbolInfo]:
    """Every uploaded symbol of ``market``, sorted by symbol."""
    get_market(market)
    folder = data_dir() / market
    if not folder.is_dir():
        return []
    infos = (_info(p, market) for p in sorted(folder.glob("*.parquet")))
    return [i for i in infos if i is not None]


def delete_user_bars(market: str, symbol: str) -> bool:
    """Remove an upload; False when there was none."""
    try:
        path = user_file(market, symbol)
    except ConfigError:
        return False
    try:
        path.unlink()
    except FileNotFoundError:
        return False
    _bump()
    return True


def _info(path: Path, market: str) -> SymbolInfo | None:
    try:
        meta = pl.read_parquet_metadata(path)
    except (OSError, pl.exceptions.PolarsError):
        return None
    symbol = path.stem
    if not SYMBOL_PATTERN.match(symbol):
        return None
    try:
        first = dt.date.fromisoformat(meta[f"{_META}first"])
        last = dt.date.fromisoformat(meta[f"{_META}last"])
    except (KeyError, ValueError):
        return None
    source = meta.get(f"{_META}source", "?")
    adjusted = meta.get(f"{_META}adjusted") == "true"
    return SymbolInfo(
        symbol=symbol,
        market=market,
        name=f"{symbol} (uploaded)",
        kind="equity",
        timeframe=meta.get(f"{_META}timeframe", "1d"),
        price_basis="as_traded",
        first=first,
        last=last,
        synthetic=False,
        source=f"{SOURCE_PREFIX}{source}",
        licence=LICENCE,
        note=(
            f"uploaded {meta.get(f'{_META}uploaded_at', '?')}, {meta.get(f'{_META}rows', '?')} rows; "
            + (
                "adj_close differs from close: splits and dividends derived from it"
                if adjusted
                else "adj_close equals close: no corporate-action events"
            )
        ),
    )


def _clean_filename(source: str) -> str:
    """The base name of the uploaded file, printable, at most 200 characters."""
    base = re.split(r"[\\/]", source or "")[-1]
    base = "".join(ch if ch.isprintable() else "?" for ch in base).strip()
    return base[:200] or "(unnamed)"
