"""Options data per symbol: an options chain (open interest and greeks per strike, per date) and an
implied-volatility history, each a user's table (CSV or Parquet) stored like earnings dates, and
the (bars, symbols) arrays a strategy that declares ``requires = ("options_chain",)`` or
``("implied_volatility",)`` receives. The formats are in docs/data.md ('Options chain',
'Implied volatility').

Options chain, one row per contract and date (headers case-insensitive)::

    symbol,date,expiry,strike,type,open_interest,gamma,delta,implied_volatility
    SPY,2024-05-01,2024-05-17,500,call,41250,0.0213,0.52,0.14
    SPY,2024-05-01,2024-05-17,500,put,52310,0.0213,-0.48,0.15

- ``date``: the session whose close the snapshot describes (open interest as of that close, greeks
  at that close); it is used from that session's close on, so its signal fills at the next open.
- ``type``: ``call`` / ``put`` (also ``c`` / ``p``); ``open_interest`` >= 0 contracts; ``gamma``
  >= 0 per contract share (the change in delta per 1.00 move of the underlying); ``delta`` and
  ``implied_volatility`` optional, stored, not given to strategies.

Implied volatility, one row per symbol and date::

    symbol,date,iv
    SPY,2024-05-01,0.142

- ``iv`` (also ``implied_volatility``, ``iv30``, ``atm_iv``): annualised, as a decimal (0.142 for
  14.2%), from the close of ``date``.

The tables live under ``$AVA_HOME/data/{market}/options_chain.parquet`` and
``implied_volatility.parquet``; an upload replaces the rows of the symbols it contains and keeps
the others.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from dataclasses import dataclass

import numpy as np
import polars as pl
from scipy.signal import lfilter

from ava_backtest.data import user_store
from ava_backtest.data.files import atomic_write
from ava_backtest.data.upload import _numbers, read_table_file
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market

OPTIONS_CHAIN = "options_chain"
IMPLIED_VOLATILITY = "implied_volatility"
NEEDS = (OPTIONS_CHAIN, IMPLIED_VOLATILITY)
CONTRACT_MULTIPLIER = 100
"""Shares per contract: the chain's gamma x open interest x this is the shares of delta that
change per 1.00 move of the underlying."""


@dataclass(frozen=True)
class _Kind:
    need: str
    what: str
    headers: dict[str, tuple[str, ...]]
    required: tuple[str, ...]
    numbers: tuple[tuple[str, bool, float, float, str], ...]
    """(column, optional, lowest, highest, meaning) for each numeric column."""
    key: tuple[str, ...]
    schema: dict[str, pl.DataType]
    how_to: str


CHAIN = _Kind(
    need=OPTIONS_CHAIN,
    what="an options chain",
    headers={
        "symbol": ("symbol", "ticker", "underlying", "underlying_symbol"),
        "date": ("date", "quote_date", "trade_date", "as_of"),
        "expiry": ("expiry", "expiration", "expiration_date", "exp_date"),
        "strike": ("strike", "strike_price"),
        "type": ("type", "option_type", "right", "call_put", "cp"),
        "open_interest": ("open_interest", "oi", "openinterest"),
        "gamma": ("gamma",),
        "delta": ("delta",),
        "implied_volatility": ("implied_volatility", "iv"),
    },
    required=("symbol", "date", "expiry", "strike", "type", "open_interest", "gamma"),
    numbers=(
        ("strike", False, 1e-9, 1e9, "a positive price"),
        ("open_interest", False, 0.0, 1e12, "a count of contracts >= 0"),
        ("gamma", False, 0.0, 1e6, "a number >= 0 (per share, per 1.00 move)"),
        ("delta", True, -1.0, 1.0, "a number between -1 and 1"),
        ("implied_volatility", True, 0.0, 10.0, "a decimal between 0 and 10 (0.25 for 25%)"),
    ),
    key=("symbol", "date", "expiry", "strike", "type"),
    schema={
        "symbol": pl.String(),
        "date": pl.Date(),
        "expiry": pl.Date(),
        "strike": pl.Float64(),
        "type": pl.String(),
        "open_interest": pl.Float64(),
        "gamma": pl.Float64(),
        "delta": pl.Float64(),
        "implied_volatility": pl.Float64(),
    },
    how_to=(
        "upload an options chain (CSV or Parquet with columns symbol, date, expiry, strike, "
        "type = call|put, open_interest, gamma; optional delta, implied_volatility) with POST "
        "/api/v2/data/options-chain (form fields market, file); the format is in docs/data.md, "
        "'Options chain'"
    ),
)
IV = _Kind(
    need=IMPLIED_VOLATILITY,
    what="an implied-volatility history",
    headers={
        "symbol": ("symbol", "ticker"),
        "date": ("date", "quote_date", "trade_date", "as_of"),
        "iv": ("iv", "implied_volatility", "iv30", "atm_iv", "impl_vol"),
    },
    required=("symbol", "date", "iv"),
    numbers=(("iv", False, 1e-6, 10.0, "a decimal above 0 and at most 10 (0.25 for 25%)"),),
    key=("symbol", "date"),
    schema={"symbol": pl.String(), "date": pl.Date(), "iv": pl.Float64()},
    how_to=(
        "upload an implied-volatility history (CSV or Parquet with columns symbol, date, iv as a "
        "decimal) with POST /api/v2/data/implied-volatility (form fields market, file); the "
        "format is in docs/data.md, 'Implied volatility'"
    ),
)
_TYPES = {"call": "call", "c": "call", "calls": "call", "put": "put", "p": "put", "puts": "put"}


def _fail(message: str, **details: object) -> DataError:
    return DataError(message, field="file", details=details or None)


def table_file(kind: _Kind, market: str) -> user_store.Path:
    get_market(market)
    return user_store.data_dir() / market / f"{kind.need}.parquet"


def _dates(col: pl.Series, header: str) -> pl.Series:
    if col.dtype == pl.Date:
        dates = col
    elif isinstance(col.dtype, pl.Datetime):
        dates = col.dt.date()
    else:
        text = col.cast(pl.String).str.strip_chars().str.slice(0, 10).str.replace_all("/", "-")
        dates = text.str.to_date("%Y-%m-%d", strict=False)
    bad = dates.is_null()
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(
            f"unparseable date {col[i]!r} in column {header!r} at row {i + 1} (use YYYY-MM-DD)",
            column=header,
            row=i + 1,
        )
    return dates


def parse_table(kind: _Kind, filename: str, content: bytes) -> pl.DataFrame:
    """The file's rows in ``kind.schema``; a DataError (field ``file``) naming the column and row
    of anything it cannot read."""
    raw = read_table_file(filename, content)
    cols: dict[str, str] = {}
    for h in raw.columns:
        key = h.strip().lstrip("\ufeff").lower().replace(" ", "_").replace("-", "_")
        for canonical, names in kind.headers.items():
            if key in names and canonical not in cols:
                cols[canonical] = h
    missing = [c for c in kind.required if c not in cols]
    if missing:
        raise _fail(
            f"missing column(s) {', '.join(missing)}; the file has {', '.join(raw.columns)}; "
            f"expected {', '.join(kind.required)}",
            missing=missing,
        )
    if raw.height == 0:
        raise _fail("the file has a header but no rows")
    symbol = raw[cols["symbol"]].cast(pl.String).str.strip_chars().str.to_uppercase()
    bad = symbol.is_null() | ~symbol.str.contains(user_store.SYMBOL_PATTERN.pattern)
    if bad.any():
        i = int(bad.arg_true()[0])
        raise _fail(f"bad symbol {raw[cols['symbol']][i]!r} at row {i + 1}", row=i + 1)
    out: dict[str, pl.Series] = {"symbol": symbol}
    for c in ("date", "expiry"):
        if c in kind.schema:
            out[c] = _dates(raw[cols[c]], cols[c])
    if "type" in kind.schema:
        text = raw[cols["type"]].cast(pl.String).str.strip_chars().str.to_lowercase()
        kinds = text.replace_strict(_TYPES, default=None, return_dtype=pl.String)
        bad = kinds.is_null()
        if bad.any():
            i = int(bad.arg_true()[0])
            raise _fail(
                f"type {raw[cols['type']][i]!r} at row {i + 1} is not call or put",
                column=cols["type"],
                row=i + 1,
            )
        out["type"] = kinds
    for c, optional, lo, hi, meaning in kind.numbers:
        if c not in cols:
            out[c] = pl.Series(c, [None] * raw.height, dtype=pl.Float64)
            continue
        values = _numbers(raw[cols[c]].cast(pl.String), cols[c], True)
        nulls = values.is_null()
        bad = (values < lo) | (values > hi) | (nulls & (not optional))
        bad = bad.fill_null(not optional)
        if bad.any():
            i = int(bad.arg_true()[0])
            raise _fail(
                f"{cols[c]} {raw[cols[c]][i]!r} at row {i + 1} is not {meaning}",
                column=cols[c],
                row=i + 1,
            )
        out[c] = values
    frame = pl.DataFrame(out).select(pl.col(c).cast(t) for c, t in kind.schema.items())
    dup = ~frame.select(pl.struct(*kind.key).is_first_distinct()).to_series()
    if dup.any():
        i = int(dup.arg_true()[0])
        raise _fail(f"row {i + 1} repeats another row's {', '.join(kind.key)}", row=i + 1)
    return frame.sort(*kind.key)


def read_table(kind: _Kind, market: str) -> pl.DataFrame:
    """Every stored row of ``market`` (empty with the schema when none)."""
    try:
        return pl.read_parquet(table_file(kind, market)).select(list(kind.schema))
    except FileNotFoundError:
        return pl.DataFrame(schema=kind.schema)


def save_table(kind: _Kind, market: str, frame: pl.DataFrame, source: str) -> pl.DataFrame:
    """Store ``frame`` (``parse_table``'s columns): its symbols' rows replace earlier ones.
    Returns the whole stored table."""
    target = table_file(kind, market)
    kept = read_table(kind, market)
    if kept.height:
        kept = kept.filter(~pl.col("symbol").is_in(frame["symbol"].unique().to_list()))
    table = pl.concat([kept, frame.select(list(kind.schema))]).sort(*kind.key)
    meta = {
        "ava.source": user_store._clean_filename(source),
        "ava.uploaded_at": dt.datetime.now(dt.UTC).isoformat(timespec="seconds"),
        "ava.market": market,
    }
    target.parent.mkdir(parents=True, exist_ok=True)
    atomic_write(target, lambda p: table.write_parquet(p, metadata=meta))
    return table


def ingest_table(kind: _Kind, market: str, filename: str, content: bytes) -> pl.DataFrame:
    """Parse and store one upload; returns the rows read from the file."""
    get_market(market)
    frame = parse_table(kind, filename, content)
    save_table(kind, market, frame, filename)
    return frame


def delete_table(kind: _Kind, market: str) -> bool:
    try:
        table_file(kind, market).unlink()
    except FileNotFoundError:
        return False
    return True


def _stored_for(
    kind: _Kind, market: str, symbols: Sequence[str], who: str
) -> tuple[pl.DataFrame, np.ndarray]:
    table = read_table(kind, market).filter(pl.col("symbol").is_in(list(symbols)))
    have = set(table["symbol"].unique().to_list())
    missing = [s for s in symbols if s not in have]
    if missing:
        shown = ", ".join(missing[:10]) + (" ..." if len(missing) > 10 else "")
        raise DataError(
            f"{who} needs {kind.what} ({kind.need}) and none is stored for {shown} on market "
            f"{market}; " + kind.how_to,
            field=kind.need,
            details={"missing": missing, "market": market},
        )
    return table, np.asarray(symbols, dtype=object)


def _align(
    frame: pl.DataFrame, column: str, symbols: Sequence[str], dates: np.ndarray
) -> np.ndarray:
    """(bars, symbols) block of ``column`` from ``frame`` (symbol, date, column): each bar gets
    its session date's row, NaN where there is none."""
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    out = np.full((len(days), len(symbols)), np.nan)
    for j, sym in enumerate(symbols):
        rows = frame.filter(pl.col("symbol") == sym).sort("date")
        at = rows["date"].to_numpy().astype("datetime64[D]")
        values = rows[column].to_numpy().astype(np.float64)
        k = np.searchsorted(at, days)
        hit = (k < len(at)) & (at[np.minimum(k, max(len(at) - 1, 0))] == days) if len(at) else k < 0
        out[hit, j] = values[k[hit]]
    return out


def options_extras(
    need: str, market: str, symbols: Sequence[str], dates: np.ndarray, *, who: str
) -> dict[str, np.ndarray]:
    """The arrays a strategy that declares ``need`` receives, each (bars, symbols), NaN on a
    session without a row:

    - ``options_chain``: ``call_gamma`` and ``put_gamma``, the sum over the session's contracts
      of gamma x open interest x 100 (shares of delta per 1.00 move of the underlying, >= 0),
      and ``call_oi`` and ``put_oi``, the open interest in contracts;
    - ``implied_volatility``: ``implied_volatility``, the decimal IV of the session.

    A DataError naming the symbols without any stored row, and how to add them."""
    if need == OPTIONS_CHAIN:
        table, _ = _stored_for(CHAIN, market, symbols, who)
        agg = (
            table.group_by("symbol", "date", "type")
            .agg(
                gamma=(pl.col("gamma") * pl.col("open_interest")).sum() * CONTRACT_MULTIPLIER,
                oi=pl.col("open_interest").sum(),
            )
            .sort("symbol", "date")
        )
        out = {}
        for side in ("call", "put"):
            rows = agg.filter(pl.col("type") == side)
            out[f"{side}_gamma"] = _align(rows, "gamma", symbols, dates)
            out[f"{side}_oi"] = _align(rows, "oi", symbols, dates)
        # A session with a chain but no contract of one side has none of that side.
        has = np.isfinite(out["call_gamma"]) | np.isfinite(out["put_gamma"])
        for key, arr in out.items():
            out[key] = np.where(has & np.isnan(arr), 0.0, arr)
        return out
    if need == IMPLIED_VOLATILITY:
        table, _ = _stored_for(IV, market, symbols, who)
        return {IMPLIED_VOLATILITY: _align(table, "iv", symbols, dates)}
    raise ValueError(f"not an options need: {need!r}")


def synthetic_options_chain(
    symbols: Sequence[str], dates: np.ndarray, close: np.ndarray, seed: int = 7
) -> pl.DataFrame:
    """A generated chain shaped like a real one, for tests and demonstrations (never used in
    place of a missing one): per symbol and session with a close, calls and puts at five strikes
    around the close, expiring about six weeks out, Black-Scholes gammas at 25% volatility, and open
    interest whose call/put balance drifts in slow waves, so dealer gamma changes sign."""
    rng = np.random.default_rng(seed)
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    expiry = (days.astype("datetime64[M]") + 1).astype("datetime64[D]") + 14
    tau = np.maximum((expiry - days).astype(np.float64), 1.0) / 365.0
    frames = []
    for j, sym in enumerate(symbols):
        s = close[:, j]
        ok = np.isfinite(s) & (s > 0)
        tilt = np.sin(np.cumsum(rng.normal(0.0, 0.08, len(days)))) * 0.8
        for m in (-0.10, -0.05, 0.0, 0.05, 0.10):
            k = np.round(s * (1.0 + m), 6)
            with np.errstate(invalid="ignore", divide="ignore"):
                d1 = (np.log(s / k) + 0.5 * 0.25**2 * tau) / (0.25 * np.sqrt(tau))
                gamma = np.exp(-0.5 * d1**2) / np.sqrt(2 * np.pi) / (s * 0.25 * np.sqrt(tau))
            base = rng.uniform(5_000, 20_000, len(days)) * np.exp(-8.0 * m * m)
            for side, w in (("call", 1.0 + tilt), ("put", 1.0 - tilt)):
                frames.append(
                    pl.DataFrame(
                        {
                            "symbol": sym,
                            "date": days[ok],
                            "expiry": expiry[ok],
                            "strike": k[ok],
                            "type": side,
                            "open_interest": np.round(base * w)[ok],
                            "gamma": gamma[ok],
                        }
                    )
                )
    return (
        pl.concat(frames)
        .with_columns(delta=pl.lit(None, pl.Float64), implied_volatility=pl.lit(0.25))
        .select(pl.col(c).cast(t) for c, t in CHAIN.schema.items())
    )


def synthetic_implied_volatility(
    symbols: Sequence[str], dates: np.ndarray, close: np.ndarray, seed: int = 7
) -> pl.DataFrame:
    """A generated IV history for tests (never used in place of a missing one): per symbol and
    session with a close, a mean-reverting log-IV around 25% with occasional spikes."""
    rng = np.random.default_rng(seed)
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    frames = []
    for j, sym in enumerate(symbols):
        ok = np.isfinite(close[:, j])
        shocks = rng.normal(0.0, 0.06, len(days)) + np.where(rng.random(len(days)) < 0.01, 0.5, 0)
        iv = 0.25 * np.exp(lfilter([1.0], [1.0, -0.95], shocks))  # AR(1) log-IV
        frames.append(pl.DataFrame({"symbol": sym, "date": days[ok], "iv": iv[ok]}))
    return pl.concat(frames).select(pl.col(c).cast(t) for c, t in IV.schema.items())
