"""From symbol names to the aligned ``Panel`` a run trades on.

Every symbol goes onto one grid (the market's sessions for daily bars, the bars of those sessions
for equity intraday bars, a regular clock for 24x7 intraday bars) so the engine can walk all columns with one index; a symbol without a bar on a
session is NaN there, never filled, because a fill on a price that did not exist is fiction.
Warm-up bars are loaded before ``start`` where the data has them, and ``LoadInfo`` says how many
there were, because a strategy whose indicators start late must be judged from when they start.

Each symbol's bars are loaded, validated and turned into events once per process (lru_cache); a
panel is then a few vectorised gathers, so repeated runs and sweeps do not touch the disk.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import threading
from collections.abc import Sequence
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Literal, get_args

import numpy as np
import polars as pl

from ava_backtest.data import market_store, user_store
from ava_backtest.data.events import derive_events
from ava_backtest.data.sample_store import PRICE_BASES, load_sample_bars
from ava_backtest.data.sessions import session_grid
from ava_backtest.data.synthetic import synthetic_bars
from ava_backtest.data.universes import SymbolInfo, get_symbol, get_universe
from ava_backtest.data.validator import ValidationReport, clean_bars
from ava_backtest.domain.bars import Bars, Panel, as_block
from ava_backtest.domain.config import MAX_DATE, MIN_DATE
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError
from ava_backtest.markets.registry import get_market

Adjustment = Literal["events", "adjusted", "none"]
DateLike = dt.date | str | None

_DAY = np.timedelta64(1, "D")
_STEPS = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240}


@dataclass(frozen=True, slots=True)
class SymbolCoverage:
    """One symbol's data against the run: what exists, what was loaded, when it is warm."""

    symbol: str
    first: dt.date  # first bar in the data (all of it, not just the loaded range)
    last: dt.date
    bars: int  # bars on the panel grid, warm-up included
    warmup_available: int  # this symbol's bars before the panel's first_index
    effective_start: dt.date | None  # first bar with the full warm-up behind it; None if never
    synthetic: bool
    price_basis: str


@dataclass(frozen=True, slots=True)
class LoadInfo:
    """What ``load_panel`` actually delivered, for the run record and the UI.

    ``first_index`` is the grid row of the first session on or after the requested start: rows
    before it are warm-up. ``effective_start`` is ``start`` when the requested warm-up was fully
    available, otherwise the first session that has ``warmup_requested`` sessions before it.
    Intraday times are naive UTC.
    """

    market: str
    timeframe: str
    start: dt.date
    end: dt.date
    first_index: int
    warmup_requested: int
    warmup_available: int
    effective_start: dt.date
    coverage: tuple[SymbolCoverage, ...]
    reports: tuple[ValidationReport, ...]


@dataclass(frozen=True, slots=True)
class _Series:
    """One symbol, cleaned, as read-only arrays; shared by every panel that uses it."""

    info: SymbolInfo
    times: np.ndarray  # datetime64[ns], strictly increasing
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    factor: np.ndarray  # adj_close / close: 1.0 where the source has no adjustment
    split_ratio: np.ndarray
    dividend: np.ndarray
    report: ValidationReport | None


def _frozen(x: np.ndarray) -> np.ndarray:
    out = np.ascontiguousarray(x, dtype=np.float64)
    out.setflags(write=False)
    return out


def forget_cached_series() -> None:
    """The user store's hook after a save or delete: no cached series may outlive the change."""
    _read_series.cache_clear()


_generation_seen = [""]


_load_locks: dict[tuple[str, str], threading.Lock] = {}
_locks_guard = threading.Lock()


def _load_series(market: str, symbol: str) -> _Series:
    """``_read_series``, forgotten whenever uploads changed, in this process or another one.

    Concurrent first loads of one symbol (fifty API requests at once) wait for a single read
    instead of each repeating it: the per-key lock makes a miss happen once.
    """
    if (g := user_store.generation() + market_store.generation()) != _generation_seen[0]:
        _read_series.cache_clear()
        _generation_seen[0] = g
    with _locks_guard:
        lock = _load_locks.setdefault((market, symbol), threading.Lock())
    with lock:
        return _read_series(market, symbol)


@lru_cache(maxsize=256)
def _read_series(market: str, symbol: str) -> _Series:
    info = get_symbol(market, symbol)
    report: ValidationReport | None = None
    if market_store.is_store_symbol(info):
        return _read_store_series(info)
    if info.synthetic:
        frame = synthetic_bars(
            info.symbol, market, info.first, info.last, info.seed or 0, index=info.kind == "index"
        ).with_columns(adj_close=pl.col("close"))
    else:
        frame, report = clean_bars(
            user_store.read_user_bars(market, info.symbol)
            if user_store.is_user_symbol(info)
            else load_sample_bars(market, info.symbol),
            info.symbol,
            market=market,
            timeframe=info.timeframe,
            corporate_actions=info.has_corporate_actions,
        )
    time_col = "date" if info.timeframe == "1d" else "ts"
    times = frame[time_col]
    if times.dtype == pl.Date:
        times = times.cast(pl.Datetime("ns"))
    times_ns = times.dt.cast_time_unit("ns").dt.replace_time_zone(None).to_numpy()
    cols = {c: frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in frame.columns}
    close = cols["close"]
    if info.has_corporate_actions:
        ev = derive_events(close, cols["adj_close"])
        split, dividend, factor = ev.split_ratio, ev.dividend, cols["adj_close"] / close
    else:
        split, dividend, factor = np.ones_like(close), np.zeros_like(close), np.ones_like(close)
    times_ns.setflags(write=False)
    return _Series(
        info,
        times_ns,
        *(_frozen(cols[c]) for c in ("open", "high", "low", "close", "volume")),
        _frozen(factor),
        _frozen(split),
        _frozen(dividend),
        report,
    )


def _read_store_series(info: SymbolInfo) -> _Series:
    """A synced series: as-traded bars validated on ingest (and again here, so a file edited by
    hand is caught), events from the stored corporate actions rather than guessed from prices."""
    bars, actions = market_store.read_for_panel(info)
    frame, report = clean_bars(
        bars, info.symbol, market=info.market, timeframe=info.timeframe, corporate_actions=False
    )
    time_col = "date" if info.timeframe == "1d" else "ts"
    times = frame[time_col]
    if times.dtype == pl.Date:
        times = times.cast(pl.Datetime("ns"))
    times_ns = times.dt.cast_time_unit("ns").to_numpy()
    cols = {c: frame[c].cast(pl.Float64).fill_null(np.nan).to_numpy() for c in frame.columns}
    split, dividend, factor = market_store.event_arrays(
        times_ns, cols["close"], actions if info.kind == "equity" else actions.clear()
    )
    times_ns.setflags(write=False)
    return _Series(
        info,
        times_ns,
        *(_frozen(cols[c]) for c in ("open", "high", "low", "close", "volume")),
        _frozen(factor),
        _frozen(split),
        _frozen(dividend),
        report,
    )


_load_series.cache_info = _read_series.cache_info  # type: ignore[attr-defined]
_load_series.cache_clear = _read_series.cache_clear  # type: ignore[attr-defined]


def validation_report(market: str, symbol: str) -> ValidationReport | None:
    """What the validator found and repaired in a shipped series (None for synthetic ones)."""
    return _load_series(market, symbol.strip().upper()).report


def _as_date(value: DateLike, field: str) -> dt.date | None:
    if value is None:
        return value
    if isinstance(value, dt.date):
        day = value
    else:
        try:
            day = dt.date.fromisoformat(value)
        except ValueError:
            raise ConfigError(f"{value!r} is not a date (YYYY-MM-DD)", field=field) from None
    # Bar times are nanosecond timestamps: a date past 2262-04-11 would wrap around, not fail.
    bare = day.date() if isinstance(day, dt.datetime) else day
    if not MIN_DATE <= bare <= MAX_DATE:
        raise ConfigError(
            f"{bare} is outside the supported dates {MIN_DATE} .. {MAX_DATE}", field=field
        )
    return day


def _bound(value: dt.date, timeframe: str, *, end: bool) -> np.datetime64:
    """The first (or last) instant the date covers, as datetime64[ns]."""
    if isinstance(value, dt.datetime):
        if value.tzinfo is not None:
            value = value.astimezone(dt.UTC).replace(tzinfo=None)
        return np.datetime64(value, "ns")
    day = np.datetime64(value, "D")
    if end and timeframe != "1d":
        return (day + _DAY).astype("datetime64[ns]") - np.timedelta64(1, "ns")
    return day.astype("datetime64[ns]")


def _to_date(t: np.datetime64, timeframe: str) -> dt.date:
    if timeframe == "1d":
        return t.astype("datetime64[D]").item()
    return t.astype("datetime64[us]").item()


def _grid(market: str, timeframe: str, first: np.datetime64, last: np.datetime64) -> np.ndarray:
    if timeframe == "1d":
        return get_market(market).sessions(_to_date(first, "1d"), _to_date(last, "1d"))
    if get_market(market).calendar != "24/7":
        # Equity intraday bars live on the exchange's sessions (early closes included).
        grid = session_grid(market, _to_date(first, "1d"), _to_date(last, "1d"), _STEPS[timeframe])
        return grid[(grid >= first) & (grid <= last)]
    step = np.timedelta64(_STEPS[timeframe], "m").astype("timedelta64[ns]")
    return np.arange(first, last + np.timedelta64(1, "ns"), step)


def _forward_fill_within(values: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Carry the last seen value forward, never backward and never past the last real value."""
    idx = np.where(present, np.arange(len(values)), -1)
    np.maximum.accumulate(idx, out=idx)
    out = np.where(idx >= 0, values[np.maximum(idx, 0)], np.nan)
    if present.any():
        out[np.flatnonzero(present)[-1] + 1 :] = np.nan
    return out


def _place(s: _Series, grid: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(rows in grid, positions in the series) of the series' bars that sit on the grid."""
    pos = np.searchsorted(grid, s.times)
    inside = pos < len(grid)
    on = np.zeros(len(s.times), dtype=bool)
    on[inside] = grid[pos[inside]] == s.times[inside]
    return pos[on], np.flatnonzero(on)


def _fingerprint(parts: Sequence[bytes | np.ndarray]) -> str:
    h = hashlib.sha256()
    for p in parts:
        h.update(p if isinstance(p, bytes) else np.ascontiguousarray(p).tobytes())
    return h.hexdigest()[:16]


def load_panel(
    market: str,
    symbols: Sequence[str],
    start: DateLike = None,
    end: DateLike = None,
    *,
    adjustment: Adjustment = "events",
    warmup_bars: int = 0,
    benchmark: str | None = None,
) -> Panel:
    """The run's data as one aligned ``Panel``; see ``load_panel_with_info`` for the details."""
    return load_panel_with_info(
        market,
        symbols,
        start,
        end,
        adjustment=adjustment,
        warmup_bars=warmup_bars,
        benchmark=benchmark,
    )[0]


def load_panel_with_info(
    market: str,
    symbols: Sequence[str],
    start: DateLike = None,
    end: DateLike = None,
    *,
    adjustment: Adjustment = "events",
    warmup_bars: int = 0,
    benchmark: str | None = None,
    benchmark_optional: bool = False,
) -> tuple[Panel, LoadInfo]:
    """Load, validate, align and adjust ``symbols`` of ``market`` between ``start`` and ``end``.

    ``start``/``end`` default to the data's coverage; ``warmup_bars`` extra sessions are loaded
    before ``start`` where the data has them. ``adjustment``: ``events`` (signals on adjusted
    prices, fills on as-traded prices, splits/dividends as events), ``adjusted`` (both adjusted, no
    events) or ``none`` (both as-traded). The benchmark's (dividend-adjusted where it has
    dividends) close is carried forward over its own gaps only, never backward.
    ``benchmark_optional`` (a default nobody asked for): a benchmark that is unknown, of another
    timeframe or without bars in the loaded range is left out with a note instead of failing.
    """
    if adjustment not in get_args(Adjustment):
        raise ConfigError(
            f"unknown adjustment {adjustment!r}; use events, adjusted or none", field="adjustment"
        )
    if warmup_bars < 0:
        raise ConfigError("warm-up bars cannot be negative", field="warmup")
    get_market(market)
    names = [s.strip().upper() for s in symbols]
    if not names:
        raise ConfigError("no symbols given", field="symbols")
    if len(set(names)) != len(names):
        raise ConfigError("symbols contains duplicates", field="symbols")
    start_d, end_d = _as_date(start, "start_date"), _as_date(end, "end_date")
    if start_d and end_d and start_d > end_d:
        raise ConfigError(f"start_date {start_d} is after end_date {end_d}", field="start_date")

    series = [_load_series(market, s) for s in names]
    timeframes = {s.info.timeframe for s in series}
    if len(timeframes) > 1:
        listed = ", ".join(f"{s.info.symbol} {s.info.timeframe}" for s in series)
        raise ConfigError(f"symbols have different timeframes ({listed})", field="symbols")
    tf = timeframes.pop()

    req_start = _bound(start_d, tf, end=False) if start_d else None
    req_end = _bound(end_d, tf, end=True) if end_d else None
    _check_any_in_range(series, req_start, req_end, start_d, end_d, tf)
    for s in series:
        first, last = s.times[0], s.times[-1]
        if (req_start is not None and last < req_start) or (
            req_end is not None and first > req_end
        ):
            raise DataError(
                f"{s.info.symbol} has no bars between {start_d or 'its start'} and "
                f"{end_d or 'its end'}; its data covers {_to_date(first, tf)} .. "
                f"{_to_date(last, tf)}",
                field="symbols",
                details={
                    "symbol": s.info.symbol,
                    "available": [str(_to_date(first, tf)), str(_to_date(last, tf))],
                },
            )
    cov_first = min(s.times[0] for s in series)
    cov_last = max(s.times[-1] for s in series)
    want_start = max(req_start, cov_first) if req_start is not None else cov_first
    want_end = min(req_end, cov_last) if req_end is not None else cov_last

    full = _grid(market, tf, cov_first, want_end)
    first_full = int(np.searchsorted(full, want_start, side="left"))
    if first_full >= len(full):
        raise DataError(f"no {market} sessions between {start_d} and {end_d}", field="start_date")
    grid = full[max(0, first_full - warmup_bars) :]
    placed = [_place(s, grid) for s in series]
    has_any = np.zeros(len(grid), dtype=bool)
    for rows, _ in placed:
        has_any[rows] = True
    lead = int(np.argmax(has_any))  # rows before the earliest loaded bar carry nothing
    grid = grid[lead:]
    placed = [(rows - lead, idx) for rows, idx in placed]
    first_index = int(np.searchsorted(grid, want_start, side="left"))

    shape = (len(grid), len(series))
    raw = {k: np.full(shape, np.nan) for k in ("open", "high", "low", "close", "volume", "factor")}
    split = np.ones(shape)
    dividend = np.zeros(shape)
    for j, (s, (rows, idx)) in enumerate(zip(series, placed, strict=True)):
        for k, block in raw.items():
            block[rows, j] = getattr(s, k)[idx]
        split[rows, j] = s.split_ratio[idx]
        dividend[rows, j] = s.dividend[idx]

    f = raw["factor"]
    adj = {k: raw[k] * f for k in ("open", "high", "low", "close")}
    adj_volume = raw["volume"] / f
    if adjustment == "none":
        signal, fills, volume = raw, raw, raw["volume"]
    elif adjustment == "adjusted":
        signal, fills, volume = adj, adj, adj_volume
    else:
        signal, fills, volume = adj, raw, adj_volume
    if adjustment != "events":
        split, dividend = np.ones(shape), np.zeros(shape)

    dates = np.array(grid, dtype="datetime64[ns]")  # a copy: the calendar's array is shared
    bars = Bars(
        dates,
        tuple(names),
        *(as_block(signal[k]) for k in ("open", "high", "low", "close")),
        as_block(volume),
    )
    try:
        bench_close, bench_note = _benchmark(market, tf, benchmark, grid)
    except (NotFoundError, ConfigError, DataError) as e:
        if not benchmark_optional:
            raise
        bench_note = (
            f"no benchmark: the default {benchmark} cannot be used ({e.message}); "
            "set benchmark to compare"
        )
        bench_close, benchmark = None, None

    coverage = tuple(
        _coverage(s, rows, grid, first_index, warmup_bars, tf)
        for s, (rows, _) in zip(series, placed, strict=True)
    )
    warm = first_index
    # Short of warm-up, the run is honest from the first session with the full window behind it.
    effective = grid[first_index] if warm >= warmup_bars else grid[min(warmup_bars, len(grid) - 1)]
    info = LoadInfo(
        market=market,
        timeframe=tf,
        start=_to_date(grid[first_index], tf),
        end=_to_date(grid[-1], tf),
        first_index=first_index,
        warmup_requested=warmup_bars,
        warmup_available=warm,
        effective_start=_to_date(effective, tf),
        coverage=coverage,
        reports=tuple(s.report for s in series if s.report is not None),
    )
    notes = _notes(adjustment, series, info, bench_note)
    # Own copies even when equal to the signal prices: a strategy scribbling on its inputs must
    # never move a fill.
    trade = {k: as_block(fills[k]).copy() for k in ("open", "high", "low", "close")}
    split_b, dividend_b = as_block(split), as_block(dividend)
    fingerprint = _fingerprint(
        [
            f"{market}|{adjustment}|{tf}|{','.join(names)}|{benchmark}".encode(),
            dates.view(np.int64),
            bars.open,
            bars.high,
            bars.low,
            bars.close,
            bars.volume,
            *trade.values(),
            split_b,
            dividend_b,
            *([] if bench_close is None else [bench_close]),
        ]
    )
    panel = Panel(
        bars=bars,
        trade_open=trade["open"],
        trade_high=trade["high"],
        trade_low=trade["low"],
        trade_close=trade["close"],
        split_ratio=split_b,
        dividend=dividend_b,
        market=market,
        adjustment=adjustment,
        synthetic=tuple(s.info.synthetic for s in series),
        benchmark=bench_close,
        benchmark_symbol=benchmark.strip().upper() if benchmark else None,
        fingerprint=fingerprint,
        notes=notes,
    )
    return panel, info


def _check_any_in_range(
    series: list[_Series],
    req_start: np.datetime64 | None,
    req_end: np.datetime64 | None,
    start_d: dt.date | None,
    end_d: dt.date | None,
    tf: str,
) -> None:
    """No symbol with a bar between the dates: the dates are at fault, not the symbols."""
    first = min(s.times[0] for s in series)
    last = max(s.times[-1] for s in series)
    after = req_start is not None and req_start > last
    before = req_end is not None and req_end < first
    if not (after or before):
        return
    covers = f"{_to_date(first, tf)} .. {_to_date(last, tf)}"
    raise DataError(
        f"no data between {start_d or 'the data start'} and {end_d or 'the data end'}; "
        f"the symbols' data covers {covers}",
        field="start_date" if after else "end_date",
        details={"available": [str(_to_date(first, tf)), str(_to_date(last, tf))]},
    )


def _coverage(
    s: _Series, rows: np.ndarray, grid: np.ndarray, first_index: int, warmup: int, tf: str
) -> SymbolCoverage:
    before = int(np.count_nonzero(rows < first_index))
    # The symbol is warm at its warmup-th bar (0-based), and never before the run's start.
    if warmup < len(rows):
        warm_row = max(int(rows[warmup]), first_index)
        effective = _to_date(grid[warm_row], tf) if warm_row < len(grid) else None
    else:
        effective = None
    return SymbolCoverage(
        symbol=s.info.symbol,
        first=_to_date(s.times[0], tf),
        last=_to_date(s.times[-1], tf),
        bars=len(rows),
        warmup_available=before,
        effective_start=effective,
        synthetic=s.info.synthetic,
        price_basis=s.info.price_basis,
    )


def _benchmark(
    market: str, tf: str, symbol: str | None, grid: np.ndarray
) -> tuple[np.ndarray | None, str | None]:
    if symbol is None:
        return None, None
    try:
        s = _load_series(market, symbol.strip().upper())
    except NotFoundError as exc:
        available = exc.details["available"] if isinstance(exc.details, dict) else []
        raise NotFoundError("benchmark", symbol, available, field="benchmark") from None
    if s.info.timeframe != tf:
        raise ConfigError(
            f"benchmark {s.info.symbol} is {s.info.timeframe} bars, the symbols are {tf}",
            field="benchmark",
        )
    rows, idx = _place(s, grid)
    if len(rows) == 0:
        raise DataError(
            f"benchmark {s.info.symbol} has no bars in the loaded range; its data covers "
            f"{_to_date(s.times[0], tf)} .. {_to_date(s.times[-1], tf)}",
            field="benchmark",
        )
    values = np.full(len(grid), np.nan)
    present = np.zeros(len(grid), dtype=bool)
    values[rows] = s.close[idx] * s.factor[idx]
    present[rows] = True
    out = as_block(_forward_fill_within(values, present))
    basis = PRICE_BASES.get(s.info.price_basis, s.info.price_basis)
    note = (
        f"benchmark {s.info.symbol}: {s.info.name}, {basis}"
        + ("; dividend-adjusted close" if s.info.has_corporate_actions else "")
        + f"; carried forward over its own gaps, NaN outside {_to_date(s.times[0], tf)} .. "
        f"{_to_date(s.times[-1], tf)}"
    )
    return out, note


def _notes(
    adjustment: str, series: list[_Series], info: LoadInfo, bench_note: str | None
) -> tuple[str, ...]:
    notes = [
        {
            "events": "adjustment=events: signals on split+dividend-adjusted prices; fills on "
            "as-traded prices; splits and cash dividends are events",
            "adjusted": "adjustment=adjusted: signals and fills on split+dividend-adjusted prices; "
            "no events",
            "none": "adjustment=none: signals and fills on as-traded prices; no events",
        }[adjustment]
    ]
    by_basis: dict[str, list[str]] = {}
    for s in series:
        by_basis.setdefault(s.info.price_basis, []).append(s.info.symbol)
    labels = {
        "split_adjusted": "source prices are split-adjusted: their 'as-traded' prices here are "
        "split-adjusted (no split events); dividends still come from adj_close",
        "price_return_index": "price-return index (no dividends)",
        "close_only": "close-only series (open=high=low=close, no volume)",
        "synthetic": "SYNTHETIC: generated prices, not real market data",
    }
    for basis, label in labels.items():
        if basis in by_basis:
            notes.append(f"{_listing(by_basis[basis])}: {label}")
    if info.warmup_available < info.warmup_requested:
        notes.append(
            f"warm-up: {info.warmup_requested} bars requested before {info.start}, "
            f"{info.warmup_available} available; effective_start {info.effective_start}"
        )
    for r in info.reports:
        if r.issues:
            notes.append(f"validator: {r.summary()}")
    if bench_note:
        notes.append(bench_note)
    return tuple(notes)


def _listing(symbols: list[str]) -> str:
    if len(symbols) <= 6:
        return ", ".join(symbols)
    return f"{symbols[0]}, {symbols[1]} .. {symbols[-1]} ({len(symbols)} symbols)"


def load_universe_panel(
    name: str,
    start: DateLike = None,
    end: DateLike = None,
    *,
    adjustment: Adjustment = "events",
    warmup_bars: int = 0,
    benchmark: str | None = "default",
) -> tuple[Panel, LoadInfo]:
    """A named universe's panel; ``benchmark="default"`` uses the universe's own benchmark."""
    u = get_universe(name)
    panel, info = load_panel_with_info(
        u.market,
        list(u.symbols),
        start,
        end,
        adjustment=adjustment,
        warmup_bars=warmup_bars,
        benchmark=u.benchmark if benchmark == "default" else benchmark,
    )
    labels = []
    if u.survivorship_biased:
        labels.append(f"universe {u.name}: static membership chosen today (survivorship-biased)")
    if u.synthetic:
        labels.append(f"universe {u.name}: SYNTHETIC (generated prices, not real market data)")
    return replace(panel, notes=(*labels, *panel.notes)), info


def reference_close(
    market: str, symbol: str, dates: np.ndarray, *, timeframe: str = "1d"
) -> np.ndarray:
    """``symbol``'s (dividend-adjusted) close placed on ``dates``: data a strategy declares in
    ``requires`` (the VIX, an index). Carried forward over its own gaps only, never backward;
    NaN outside its coverage. An unknown symbol or no overlap at all is an error naming it."""
    values, _ = _benchmark(market, timeframe, symbol, np.asarray(dates, dtype="datetime64[ns]"))
    assert values is not None
    return values
