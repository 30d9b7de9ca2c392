"""Deterministic synthetic bars for markets we cannot ship real data for (India) and for benchmarks.

Why it is built the way it is:

- **Reproducible per symbol.** Each symbol draws from its own generator, seeded from a stable hash of
  ``(seed, symbol)`` (blake2b, not Python's salted ``hash()``), so a symbol's bars never depend on
  which other symbols were requested, nor on the process.
- **Causal.** Random numbers are drawn in fixed-size blocks and the regime chain is drawn segment by
  segment, so extending the end date appends bars and never rewrites earlier ones.
- **Plausible enough to test strategies on.** A market factor follows a three-regime Markov-switching
  GBM (calm / normal / stress: drift, volatility and idiosyncratic risk switch together); each symbol
  is ``alpha + beta x market + idiosyncratic`` so cross-sectional strategies see real dispersion and
  correlation. The overnight gap is a Brownian-bridge split of the day's return; the high/low extend
  beyond open/close by a half-normal excursion; volume rises with |return|.
- **Fast.** Everything is vectorised numpy: the benchmark generates 500 x 2,520 daily bars or a
  million minute bars per call.

Nothing produced here is real; every caller labels it ``synthetic``.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from functools import lru_cache

import numpy as np
import polars as pl

from ava_backtest.domain.errors import ConfigError
from ava_backtest.markets.registry import get_market

GENERATOR_VERSION = "ava.synthetic.v1"
"""Part of every seed hash: bump it when the generator changes so old fingerprints cannot collide."""

_BLOCK = 256  # bars per random block; fixed so that draws are prefix-stable
_STREAMS = 5  # return, gap, high excursion, low excursion, volume noise
_N_PARAMS = 8
_CHUNK_ELEMENTS = 1 << 16  # bars x symbols simulated at once

_FREQ_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "1h": 60}


@dataclass(frozen=True, slots=True)
class Regime:
    """One state of the market factor. Drift and volatility are annualised."""

    name: str
    drift: float
    vol: float
    idio_mult: float  # idiosyncratic volatility scales with market stress
    mean_days: float  # expected time spent in the regime per visit


REGIMES: tuple[Regime, ...] = (
    Regime("calm", drift=0.14, vol=0.12, idio_mult=0.85, mean_days=250.0),
    Regime("normal", drift=0.06, vol=0.19, idio_mult=1.0, mean_days=120.0),
    Regime("stress", drift=-0.30, vol=0.42, idio_mult=1.6, mean_days=35.0),
)
# Where the chain goes when it leaves a regime (rows: from, columns: to; diagonal unused).
_LEAVE_TO = np.array([[0.0, 0.8, 0.2], [0.6, 0.0, 0.4], [0.3, 0.7, 0.0]])
_LEAVE_CDF = np.cumsum(_LEAVE_TO, axis=1)
_DRIFT = np.array([r.drift for r in REGIMES])
_VOL = np.array([r.vol for r in REGIMES])
_IDIO = np.array([r.idio_mult for r in REGIMES])
_MEAN_DAYS = np.array([r.mean_days for r in REGIMES])


def stable_seed(seed: int, key: str) -> np.random.SeedSequence:
    """A seed sequence for ``key`` that is the same in every process and on every platform."""
    digest = hashlib.blake2b(f"{GENERATOR_VERSION}|{seed}|{key}".encode(), digest_size=16).digest()
    return np.random.SeedSequence(int.from_bytes(digest, "little"))


@dataclass(frozen=True, slots=True)
class _Clock:
    """How time is measured for one frequency: used to annualise drift/vol and regime durations."""

    bars_per_year: float
    bars_per_day: float
    gap_share: float  # share of a bar's variance that happens while the market is closed


def _clock(freq: str, trading_days_per_year: int) -> _Clock:
    if freq == "1d":
        return _Clock(float(trading_days_per_year), 1.0, 0.25)
    if freq in _FREQ_MINUTES:
        per_day = 1440.0 / _FREQ_MINUTES[freq]
        # Around-the-clock markets do not close: a bar opens where the previous one closed.
        return _Clock(365.0 * per_day, per_day, 0.0)
    raise ConfigError(f"unknown frequency {freq!r}; use 1d, 1h, 15m, 5m or 1m", field="freq")


def _regime_path(seed: int, n_bars: int, clock: _Clock) -> np.ndarray:
    """Market regime per bar (0 calm, 1 normal, 2 stress), drawn one visit at a time."""
    rng = np.random.Generator(np.random.PCG64(stable_seed(seed, "__market_regime__")))
    states: list[int] = []
    lengths: list[int] = []
    state, filled = 1, 0
    while filled < n_bars:
        mean_bars = max(_MEAN_DAYS[state] * clock.bars_per_day, 1.0)
        length = int(rng.geometric(1.0 / mean_bars))
        states.append(state)
        lengths.append(length)
        filled += length
        state = int(np.searchsorted(_LEAVE_CDF[state], rng.random(), side="right"))
        state = min(state, len(REGIMES) - 1)
    return np.repeat(np.asarray(states, dtype=np.int8), lengths)[:n_bars]


def _normal_blocks(rng: np.random.Generator, n_bars: int) -> np.ndarray:
    """(streams, n_bars) standard normals, prefix-stable in n_bars."""
    n_blocks = -(-n_bars // _BLOCK)
    z = rng.standard_normal((n_blocks, _STREAMS, _BLOCK))
    return z.transpose(1, 0, 2).reshape(_STREAMS, n_blocks * _BLOCK)[:, :n_bars]


@dataclass(frozen=True, slots=True)
class _Market:
    """The shared factor every symbol loads on, for one (seed, frequency, length)."""

    log_ret: np.ndarray  # (T,)
    idio_mult: np.ndarray  # (T,)
    sd: np.ndarray  # (T,) per-bar market sd, used to scale gaps/ranges/volume


def _market(seed: int, n_bars: int, clock: _Clock) -> _Market:
    regimes = _regime_path(seed, n_bars, clock)
    rng = np.random.Generator(np.random.PCG64(stable_seed(seed, "__market_factor__")))
    z = _normal_blocks(rng, n_bars)[0]
    dt_ = 1.0 / clock.bars_per_year
    vol = _VOL[regimes]
    sd = vol * np.sqrt(dt_)
    log_ret = (_DRIFT[regimes] - 0.5 * vol * vol) * dt_ + sd * z
    return _Market(log_ret, _IDIO[regimes], sd)


def _draw_symbols(keys: list[str], seed: int, n_bars: int) -> tuple[np.ndarray, np.ndarray]:
    """Per-symbol uniforms (N, params) and normals (streams, N, T): symbol-major for speed."""
    params = np.empty((len(keys), _N_PARAMS))
    noise = np.empty((_STREAMS, len(keys), n_bars))
    for j, key in enumerate(keys):
        rng = np.random.Generator(np.random.PCG64(stable_seed(seed, key)))
        params[j] = rng.random(_N_PARAMS)
        noise[:, j, :] = _normal_blocks(rng, n_bars)
    return params, noise


def _simulate(
    keys: list[str],
    seed: int,
    n_bars: int,
    clock: _Clock,
    *,
    index: bool = False,
    tick: float = 0.0,
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """OHLCV blocks of shape (n_bars, len(keys)) for the given symbol keys.

    Symbols are simulated a few at a time so the temporaries stay in cache; allocating them for
    the whole panel at once costs more in page faults than the arithmetic.
    """
    mkt = _market(seed, n_bars, clock)
    out = [np.empty((n_bars, len(keys))) for _ in range(5)]
    chunk = max(1, _CHUNK_ELEMENTS // n_bars)
    for j0 in range(0, len(keys), chunk):
        blocks = _simulate_chunk(keys[j0 : j0 + chunk], seed, n_bars, clock, mkt, index)
        for dst, src in zip(out, blocks, strict=True):
            dst[:, j0 : j0 + chunk] = src.T
    o, h, lo, c, v = out
    np.rint(v, out=v)
    if tick > 0:
        o, h, lo, c = _to_tick(o, h, lo, c, tick)
    return o, h, lo, c, v


def _simulate_chunk(
    keys: list[str], seed: int, n_bars: int, clock: _Clock, mkt: _Market, index: bool
) -> tuple[np.ndarray, ...]:
    """(symbols, bars) blocks: symbol-major, so the cumulative sum runs over contiguous memory."""
    u, z = _draw_symbols(keys, seed, n_bars)
    dt_ = 1.0 / clock.bars_per_year
    if index:
        beta = np.ones(len(keys))
        idio_vol = np.zeros(len(keys))
        alpha = np.zeros(len(keys))
        price0 = 1000.0 + 2000.0 * u[:, 3]
        vol_base = 1e8 * (1.0 + u[:, 4])
    else:
        beta = 0.6 + 0.8 * u[:, 0]
        idio_vol = 0.15 + 0.25 * u[:, 1]
        alpha = 0.08 * (u[:, 2] - 0.5)
        price0 = np.exp(np.log(20.0) + u[:, 3] * np.log(3000.0 / 20.0))
        vol_base = np.exp(np.log(1e5) + u[:, 4] * np.log(5e6 / 1e5))
    col = np.s_[:, None]
    range_k = (0.45 + 0.3 * u[:, 5])[col]

    isd = idio_vol[col] * (mkt.idio_mult * np.sqrt(dt_))[None, :]
    log_ret = beta[col] * mkt.log_ret[None, :] + (alpha[col] * dt_ - 0.5 * isd * isd)
    log_ret += isd * z[0]
    total_sd = np.sqrt((beta[col] * mkt.sd[None, :]) ** 2 + isd * isd)

    log_p0 = np.log(price0)[col]
    log_close = np.cumsum(log_ret, axis=1)
    log_close += log_p0
    w = clock.gap_share
    # Brownian bridge: the close-to-close move observed at the share w of its variance.
    log_open = np.empty_like(log_close)
    log_open[:, 0] = log_p0[:, 0]
    log_open[:, 1:] = log_close[:, :-1]
    if w > 0:
        log_open += w * log_ret + np.sqrt(w * (1.0 - w)) * total_sd * z[1]
    day_sd = np.sqrt(1.0 - w) * total_sd
    day_sd *= range_k
    log_hi = np.maximum(log_open, log_close) + day_sd * np.abs(z[2])
    log_lo = np.minimum(log_open, log_close) - day_sd * np.abs(z[3])

    surprise = np.abs(log_ret) / np.maximum(total_sd, 1e-12)
    log_vol = np.log(vol_base)[col] + 0.6 * (surprise - 0.8) + 0.35 * z[4]
    return tuple(np.exp(x) for x in (log_open, log_hi, log_lo, log_close, log_vol))


def _to_tick(
    o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, tick: float
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Round to the market's tick without breaking low <= open, close <= high or low > 0.

    The final decimal rounding gives 255.6 rather than 255.60000000000002; it is monotonic, so it
    cannot reorder the four prices.
    """
    o = np.maximum(np.round(o / tick) * tick, tick)
    c = np.maximum(np.round(c / tick) * tick, tick)
    h = np.maximum(np.ceil(h / tick - 1e-9) * tick, np.maximum(o, c))
    lo = np.minimum(np.maximum(np.floor(lo / tick + 1e-9) * tick, tick), np.minimum(o, c))
    digits = len(f"{tick:.10f}".rstrip("0").split(".")[1])
    o, h, lo, c = (np.round(x, digits) for x in (o, h, lo, c))
    return o, h, lo, c


def _timestamps(start: dt.date, end: dt.date, freq: str) -> np.ndarray:
    step = np.timedelta64(_FREQ_MINUTES[freq], "m")
    first = np.datetime64(start, "m")
    last = np.datetime64(end + dt.timedelta(days=1), "m")
    return np.arange(first, last, step).astype("datetime64[ns]")


@lru_cache(maxsize=256)
def _cached_bars(
    symbol: str, market: str, start: dt.date, end: dt.date, seed: int, freq: str, index: bool
) -> pl.DataFrame:
    mk = get_market(market)
    if freq == "1d":
        times = mk.sessions(start, end)
    elif market == "24x7":
        times = _timestamps(start, end, freq)
    else:
        raise ConfigError(
            f"synthetic intraday bars exist only for the 24x7 market, not {market!r}", field="freq"
        )
    if len(times) == 0:
        raise ConfigError(f"no {market} sessions between {start} and {end}", field="start_date")
    clock = _clock(freq, mk.trading_days_per_year)
    o, h, lo, c, v = _simulate([symbol], seed, len(times), clock, index=index, tick=mk.tick_size)
    time_col = (
        pl.Series("date", times).cast(pl.Date)
        if freq == "1d"
        else pl.Series("ts", times).dt.replace_time_zone("UTC")
    )
    return pl.DataFrame(
        [
            time_col,
            pl.Series("open", o[:, 0]),
            pl.Series("high", h[:, 0]),
            pl.Series("low", lo[:, 0]),
            pl.Series("close", c[:, 0]),
            pl.Series("volume", v[:, 0]),
        ]
    )


def synthetic_bars(
    symbol: str,
    market: str,
    start: dt.date,
    end: dt.date,
    seed: int = 0,
    *,
    freq: str = "1d",
    index: bool = False,
) -> pl.DataFrame:
    """Bars for one synthetic symbol on ``market``'s calendar (daily) or a 24x7 clock (intraday).

    Columns: ``date`` (pl.Date) for daily bars or ``ts`` (UTC Datetime) for intraday, then
    open/high/low/close/volume as float64. ``index=True`` gives a market-factor index (beta 1, no
    idiosyncratic risk), e.g. a synthetic benchmark. Frames are cached; treat them as read-only.
    """
    if start > end:
        raise ConfigError(f"start {start} is after end {end}", field="start_date")
    return _cached_bars(symbol, market, start, end, int(seed), freq, index)


def synthetic_panel_arrays(
    n_symbols: int, n_bars: int, seed: int = 0, freq: str = "1d"
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """(dates, open, high, low, close, volume) blocks of shape (n_bars, n_symbols) for benchmarks.

    Daily bars sit on Monday-Friday business days from 2000-01-03 (no exchange calendar: speed
    matters more than holidays here); intraday bars are a 24x7 clock from 2020-01-01 00:00 UTC (naive
    datetime64[ns]). Column j is the synthetic symbol ``SYN{j:05d}``: the same whatever n_symbols.
    """
    if n_symbols < 1 or n_bars < 1:
        raise ConfigError("n_symbols and n_bars must be positive", field="n_symbols")
    clock = _clock(freq, 252)
    if freq == "1d":
        days = np.busday_offset(np.datetime64("2000-01-03"), np.arange(n_bars), roll="forward")
        dates = days.astype("datetime64[ns]")
    else:
        step = np.timedelta64(_FREQ_MINUTES[freq], "m")
        dates = (np.datetime64("2020-01-01T00:00") + np.arange(n_bars) * step).astype(
            "datetime64[ns]"
        )
    keys = [f"SYN{j:05d}" for j in range(n_symbols)]
    o, h, lo, c, v = _simulate(keys, seed, n_bars, clock)
    return dates, o, h, lo, c, v
