"""Options positioning per symbol: a put/call ratio history and open interest by strike, each a
user's table (CSV or Parquet) stored like the options chain (data.options), and the (bars,
symbols) arrays a strategy that declares ``requires = ("put_call_ratio",)`` or
``("open_interest",)`` receives. The formats are in docs/data.md ('Put/call ratio', 'Open
interest by strike').

Put/call ratio, one row per symbol and date (headers case-insensitive)::

    symbol,date,put_call_ratio,put_volume,call_volume
    SPY,2024-05-01,1.32,1012000,767000

- ``put_call_ratio`` (also ``pcr``, ``ratio``): puts traded / calls traded (or put / call open
  interest, as the vendor reports it) over the session ``date``, > 0; used from that close on.
- ``put_volume``, ``call_volume``: optional, stored, not given to strategies.

Open interest by strike, one row per contract and date::

    symbol,date,expiry,strike,type,open_interest
    SPY,2024-05-01,2024-05-17,500,call,41250

The tables live under ``$AVA_HOME/data/{market}/put_call_ratio.parquet`` and
``open_interest.parquet``; an upload replaces the rows of the symbols it contains and keeps the
others. A strategy receives ``put_call_ratio`` and, from the open interest, ``max_pain`` (the
strike of the nearest expiry on or after the session at which the options holders' total
intrinsic value is smallest) and ``days_to_expiry`` (calendar days to that expiry).
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np
import polars as pl

from ava_backtest.data.options import _align, _Kind, _stored_for

PUT_CALL_RATIO = "put_call_ratio"
OPEN_INTEREST = "open_interest"
NEEDS = (PUT_CALL_RATIO, OPEN_INTEREST)

PCR = _Kind(
    need=PUT_CALL_RATIO,
    what="a put/call ratio history",
    headers={
        "symbol": ("symbol", "ticker", "underlying"),
        "date": ("date", "quote_date", "trade_date", "as_of"),
        "put_call_ratio": ("put_call_ratio", "pcr", "ratio", "put_call", "pc_ratio"),
        "put_volume": ("put_volume", "puts"),
        "call_volume": ("call_volume", "calls"),
    },
    required=("symbol", "date", "put_call_ratio"),
    numbers=(
        ("put_call_ratio", False, 1e-6, 1e3, "a ratio above 0 (puts / calls)"),
        ("put_volume", True, 0.0, 1e15, "a count >= 0"),
        ("call_volume", True, 0.0, 1e15, "a count >= 0"),
    ),
    key=("symbol", "date"),
    schema={
        "symbol": pl.String(),
        "date": pl.Date(),
        "put_call_ratio": pl.Float64(),
        "put_volume": pl.Float64(),
        "call_volume": pl.Float64(),
    },
    how_to=(
        "upload a put/call ratio history (CSV or Parquet with columns symbol, date, "
        "put_call_ratio; optional put_volume, call_volume) with POST /api/v2/data/put-call-ratio "
        "(form fields market, file); the format is in docs/data.md, 'Put/call ratio'"
    ),
)
OI = _Kind(
    need=OPEN_INTEREST,
    what="open interest by strike",
    headers={
        "symbol": ("symbol", "ticker", "underlying", "underlying_symbol"),
        "date": ("date", "quote_date", "trade_date", "as_of"),
        "expiry": ("expiry", "expiration", "expiration_date", "exp_date"),
        "strike": ("strike", "strike_price"),
        "type": ("type", "option_type", "right", "call_put", "cp"),
        "open_interest": ("open_interest", "oi", "openinterest"),
    },
    required=("symbol", "date", "expiry", "strike", "type", "open_interest"),
    numbers=(
        ("strike", False, 1e-9, 1e9, "a positive price"),
        ("open_interest", False, 0.0, 1e12, "a count of contracts >= 0"),
    ),
    key=("symbol", "date", "expiry", "strike", "type"),
    schema={
        "symbol": pl.String(),
        "date": pl.Date(),
        "expiry": pl.Date(),
        "strike": pl.Float64(),
        "type": pl.String(),
        "open_interest": pl.Float64(),
    },
    how_to=(
        "upload open interest by strike (CSV or Parquet with columns symbol, date, expiry, "
        "strike, type = call|put, open_interest) with POST /api/v2/data/open-interest (form "
        "fields market, file); the format is in docs/data.md, 'Open interest by strike'"
    ),
)
KINDS = {PUT_CALL_RATIO: PCR, OPEN_INTEREST: OI}


def max_pain_table(oi: pl.DataFrame) -> pl.DataFrame:
    """Per (symbol, date, expiry): the max-pain strike, the candidate strike K (among the
    expiry's listed strikes) minimising the intrinsic value the holders would collect at expiry,
    sum over calls of OI x max(K - k, 0) + sum over puts of OI x max(k - K, 0); the lowest such
    strike on a tie. Computed with cumulative sums over the strikes in order (no strike pairs)."""
    key = ["symbol", "date", "expiry"]
    by_strike = (
        oi.group_by(*key, "strike")
        .agg(
            c=pl.col("open_interest").filter(pl.col("type") == "call").sum(),
            p=pl.col("open_interest").filter(pl.col("type") == "put").sum(),
        )
        .sort(*key, "strike")
    )
    k = pl.col("strike")
    pain = by_strike.with_columns(
        c1=pl.col("c").cum_sum().over(key),
        c2=(pl.col("c") * k).cum_sum().over(key),
        p1=pl.col("p").cum_sum().over(key),
        p2=(pl.col("p") * k).cum_sum().over(key),
        p1_all=pl.col("p").sum().over(key),
        p2_all=(pl.col("p") * k).sum().over(key),
    ).with_columns(
        # Calls struck at or below K pay K - k; puts struck above K pay k - K (ties pay 0).
        pain=k * pl.col("c1")
        - pl.col("c2")
        + (pl.col("p2_all") - pl.col("p2"))
        - k * (pl.col("p1_all") - pl.col("p1"))
    )
    return pain.group_by(key).agg(max_pain=k.sort_by("pain", k).first()).sort(key)


def positioning_extras(
    need: str, market: str, symbols: Sequence[str], dates: np.ndarray, *, who: str
) -> dict[str, np.ndarray]:
    """The arrays a strategy that declares ``need`` receives, each (bars, symbols), NaN on a
    session without a row:

    - ``put_call_ratio``: ``put_call_ratio``, the session's ratio;
    - ``open_interest``: ``max_pain``, the max-pain strike of the nearest expiry on or after the
      session (``max_pain_table``), and ``days_to_expiry``, calendar days to that expiry (0 on
      the expiry day).

    A DataError naming the symbols without any stored row, and how to add them."""
    if need == PUT_CALL_RATIO:
        table, _ = _stored_for(PCR, market, symbols, who)
        return {PUT_CALL_RATIO: _align(table, "put_call_ratio", symbols, dates)}
    if need == OPEN_INTEREST:
        table, _ = _stored_for(OI, market, symbols, who)
        front = (
            max_pain_table(table.filter(pl.col("expiry") >= pl.col("date")))
            .sort("symbol", "date", "expiry")
            .group_by("symbol", "date", maintain_order=True)
            .first()
            .with_columns(days=(pl.col("expiry") - pl.col("date")).dt.total_days().cast(pl.Float64))
        )
        return {
            "max_pain": _align(front, "max_pain", symbols, dates),
            "days_to_expiry": _align(front, "days", symbols, dates),
        }
    raise ValueError(f"not a positioning need: {need!r}")


def synthetic_put_call_ratio(
    symbols: Sequence[str], dates: np.ndarray, close: np.ndarray, seed: int = 7
) -> pl.DataFrame:
    """A generated put/call ratio history for tests and demonstrations (never used in place of a
    missing one): per symbol and session with a close, a ratio around 0.9 that rises after the
    close falls (fear) and mean-reverts, with noise."""
    rng = np.random.default_rng(seed)
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    frames = []
    for j, sym in enumerate(symbols):
        c = close[:, j]
        ok = np.isfinite(c) & (c > 0)
        ret = np.zeros(len(c))
        with np.errstate(invalid="ignore", divide="ignore"):
            ret[1:] = np.nan_to_num(np.log(c[1:] / c[:-1]))
        log_ratio = np.log(0.9) - 6.0 * ret + rng.normal(0.0, 0.12, len(c))
        frames.append(
            pl.DataFrame({"symbol": sym, "date": days[ok], "put_call_ratio": np.exp(log_ratio)[ok]})
        )
    return (
        pl.concat(frames)
        .with_columns(put_volume=pl.lit(None, pl.Float64), call_volume=pl.lit(None, pl.Float64))
        .select(pl.col(c).cast(t) for c, t in PCR.schema.items())
    )


def synthetic_open_interest(
    symbols: Sequence[str], dates: np.ndarray, close: np.ndarray, seed: int = 7
) -> pl.DataFrame:
    """Generated open interest by strike for tests and demonstrations (never used in place of
    missing data): per symbol and session with a close, calls and puts at nine strikes 2.5% apart
    around a slowly drifting centre (the mean close of the last 21 sessions), expiring on the
    next 15th of a month (monthly expiries), the heaviest open interest near the centre."""
    rng = np.random.default_rng(seed)
    days = np.asarray(dates, dtype="datetime64[ns]").astype("datetime64[D]")
    this_month = days.astype("datetime64[M]").astype("datetime64[D]") + 14
    expiry = np.where(
        days <= this_month,
        this_month,
        (days.astype("datetime64[M]") + 1).astype("datetime64[D]") + 14,
    )
    frames = []
    for j, sym in enumerate(symbols):
        c = close[:, j]
        ok = np.isfinite(c) & (c > 0)
        filled = np.where(ok, c, 0.0)
        csum = np.cumsum(filled)
        n = np.cumsum(ok)
        lag = np.maximum(np.arange(len(c)) - 20, -1)
        prev_sum = np.where(lag >= 0, csum[np.maximum(lag, 0)], 0.0)
        prev_n = np.where(lag >= 0, n[np.maximum(lag, 0)], 0)
        with np.errstate(invalid="ignore", divide="ignore"):
            centre = (csum - prev_sum) / (n - prev_n)
        for m in np.linspace(-0.10, 0.10, 9):
            k = np.round(centre * (1.0 + m), 4)
            base = rng.uniform(2_000, 8_000, len(days)) * np.exp(-40.0 * m * m)
            for side, w in (("call", 1.0 + 3 * m), ("put", 1.0 - 3 * m)):
                frames.append(
                    pl.DataFrame(
                        {
                            "symbol": sym,
                            "date": days[ok],
                            "expiry": expiry[ok],
                            "strike": k[ok],
                            "type": side,
                            "open_interest": np.round(base * max(w, 0.1))[ok],
                        }
                    )
                )
    return (
        pl.concat(frames)
        .unique(subset=list(OI.key), keep="first", maintain_order=True)
        .select(pl.col(c).cast(t) for c, t in OI.schema.items())
        .sort(*OI.key)
    )
