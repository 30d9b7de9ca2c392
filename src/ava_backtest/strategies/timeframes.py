"""Higher timeframes that reveal only closed bars.

``resample(bars, "W")`` aggregates daily (or intraday) bars into weekly, monthly, quarterly or
coarser intraday bars; ``align(values, hb)`` joins any (K, N) array computed on those higher bars
back to the base grid so that at base bar t you see the value of the last higher bar that is
*complete* at t, never the unfinished current one::

    hb = resample(bars, "W", market="US")
    weekly_trend = align(sma(hb.close, 10), hb)  # (T, N), NaN until the first week completes

When is a higher bar complete? On its last base bar. Knowing that bar t is the last of its week
without reading bar t+1 needs the exchange schedule, which is published in advance:

- ``market="US"`` (any market code): the calendar says which session is the period's last, so the
  week's bar is visible from the close of that session (Friday, or Thursday before Good Friday).
  Intraday: the bar whose end reaches the period's end (``min(period end, session close)``) closes
  it, e.g. the 00:45 15m bar closes the 00:00 hour.
- ``market=None`` (conservative): a period is known complete only at the first base bar of the
  NEXT period, so its value becomes visible one bar later (at Monday's close for a week).

Both are causal: the value visible at t depends only on bars[0..t] (prefix invariance), because a
higher bar is revealed only once every base bar it aggregates is at or before t. If the data starts
mid-period, the first higher bar aggregates only the bars it has. See docs/framework-helpers.md.
"""

from __future__ import annotations

from dataclasses import dataclass

import numba as nb
import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import ConfigError, DataError
from ava_backtest.markets.registry import get_market
from ava_backtest.markets.schedule import session_schedule

_NS_MIN = 60 * 1_000_000_000
_NS_DAY = 24 * 60 * _NS_MIN
_CLOCK_RULES = {"15m": 15 * _NS_MIN, "1h": 60 * _NS_MIN, "4h": 240 * _NS_MIN, "1d": _NS_DAY}
_CALENDAR_RULES = ("W", "M", "Q")
RULES: tuple[str, ...] = (*_CLOCK_RULES, *_CALENDAR_RULES)
INTERVALS: dict[str, int] = {
    "1m": _NS_MIN,
    "5m": 5 * _NS_MIN,
    "15m": 15 * _NS_MIN,
    "30m": 30 * _NS_MIN,
    "1h": 60 * _NS_MIN,
    "4h": 240 * _NS_MIN,
    "1d": _NS_DAY,
}


@dataclass(frozen=True, slots=True)
class HigherBars:
    """Higher-timeframe bars built from base bars, and when each one became known.

    ``open/high/low/close/volume`` are (K, N): first / max / min / last / sum of the base bars in
    the period, skipping NaNs (NaN where a symbol had no bar in the period). The last higher bar may
    be unfinished; ``align`` never shows it until it completes.
    """

    rule: str
    symbols: tuple[str, ...]
    start: np.ndarray  # (K,) datetime64[ns]: the period's first instant (Monday 00:00 ...)
    end: np.ndarray  # (K,) datetime64[ns]: the first instant after the period
    open: np.ndarray  # (K, N)
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    first_row: np.ndarray  # (K,) int64: the period's first base row
    last_row: np.ndarray  # (K,) int64: its last base row so far
    visible_at: np.ndarray  # (K,) datetime64[ns]: base bars at or after it see the bar complete
    visible_from: np.ndarray  # (K,) int64: first base row where complete (T if not yet)
    last_complete: np.ndarray  # (T,) int64: last complete higher bar at each base bar, or -1
    mode: str  # "calendar" (market schedule) or "conservative" (next period's first bar)

    @property
    def n_bars(self) -> int:
        return len(self.start)

    @property
    def complete(self) -> np.ndarray:
        """(K,) bool: the higher bar is complete by the last base bar."""
        return self.visible_from < len(self.last_complete)

    def align(self, values: np.ndarray) -> np.ndarray:
        """``align(values, self)``."""
        return align(values, self)


def align(higher_values: np.ndarray, hb: HigherBars) -> np.ndarray:
    """Join values computed on the higher bars back to the base grid.

    ``higher_values`` has K rows (one per higher bar): shape (K,) or (K, N). Row t of the result is
    the value of the last higher bar complete at base bar t (``hb.last_complete[t]``), NaN before
    the first one completes. Shape (T,) or (T, N), float64.
    """
    v = np.asarray(higher_values, dtype=np.float64)
    if v.ndim == 0 or v.shape[0] != hb.n_bars:
        raise ValueError(
            f"higher_values must have one row per higher bar ({hb.n_bars}), got shape {v.shape}"
        )
    idx = hb.last_complete
    out = v[np.maximum(idx, 0)] if len(v) else np.empty((len(idx), *v.shape[1:]))
    out[idx < 0] = np.nan
    return out


def _parse_interval(interval: str | None, dates_ns: np.ndarray) -> int | None:
    """The base bar length in ns: given, or the smallest gap between consecutive bars (daily when
    every bar is at midnight and gaps are >= 1 day); None when it cannot be told (one bar)."""
    if interval is not None:
        if interval not in INTERVALS:
            raise ConfigError(
                f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}",
                field="interval",
            )
        return INTERVALS[interval]
    midnight = bool((dates_ns % _NS_DAY == 0).all())
    if len(dates_ns) < 2:
        return _NS_DAY if midnight else None
    step = int(np.diff(dates_ns).min())
    return _NS_DAY if midnight and step >= _NS_DAY else step


def _periods(rule: str, t_ns: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Each timestamp's period: its first instant and the first instant after it (int64 ns)."""
    if rule in _CLOCK_RULES:
        length = _CLOCK_RULES[rule]
        start = (t_ns // length) * length
        return start, start + length
    day = t_ns // _NS_DAY
    if rule == "W":
        monday = day - (day + 3) % 7  # 1970-01-01 was a Thursday
        return monday * _NS_DAY, (monday + 7) * _NS_DAY
    month = day.astype("datetime64[D]").astype("datetime64[M]").astype(np.int64)
    if rule == "M":
        first, nxt = month, month + 1
    else:  # "Q"
        first = month - month % 3
        nxt = first + 3

    def to_ns(m: np.ndarray) -> np.ndarray:
        return m.astype("datetime64[M]").astype("datetime64[ns]").astype(np.int64)

    return to_ns(first), to_ns(nxt)


@nb.njit(cache=True)
def _aggregate(
    o: np.ndarray, h: np.ndarray, lo: np.ndarray, c: np.ndarray, v: np.ndarray, starts: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray, np.ndarray, np.ndarray]:
    """Per period (rows starts[k] .. starts[k+1]-1) and column, skipping NaNs: the first open, the
    highest high, the lowest low, the last close and the summed volume; NaN where the period has
    no such value. One pass over the rows (numpy's reduceat along axis 0 is many times slower)."""
    rows, cols = c.shape
    k_n = len(starts)
    ho = np.full((k_n, cols), np.nan)
    hh = np.full((k_n, cols), np.nan)
    hl = np.full((k_n, cols), np.nan)
    hc = np.full((k_n, cols), np.nan)
    hv = np.full((k_n, cols), np.nan)
    for k in range(k_n):
        end = starts[k + 1] if k + 1 < k_n else rows
        for r in range(starts[k], end):
            for j in range(cols):
                x = o[r, j]
                if x == x and ho[k, j] != ho[k, j]:
                    ho[k, j] = x
                x = h[r, j]
                if x == x and not (hh[k, j] >= x):
                    hh[k, j] = x
                x = lo[r, j]
                if x == x and not (hl[k, j] <= x):
                    hl[k, j] = x
                x = c[r, j]
                if x == x:
                    hc[k, j] = x
                x = v[r, j]
                if x == x:
                    hv[k, j] = x if hv[k, j] != hv[k, j] else hv[k, j] + x
    return ho, hh, hl, hc, hv


def _calendar_visible_at(
    market: str,
    daily: bool,
    step: int | None,
    k_start: np.ndarray,
    k_end: np.ndarray,
) -> np.ndarray:
    """For each period, the base timestamp of its scheduled last bar per the exchange calendar;
    the conservative ``k_end`` where the calendar cannot tell (not built that far, unknown step)."""
    out = k_end.copy()
    if not daily and step is None:
        return out
    first = np.datetime64(int(k_start[0]), "ns")
    last = np.datetime64(int(k_end[-1]) - 1, "ns")
    sched = session_schedule(get_market(market).calendar, first, last)
    known_until = (sched.last_day + np.timedelta64(1, "D")).astype("datetime64[ns]")
    covered = k_end <= known_until.astype(np.int64)
    if daily:
        s = sched.sessions.astype("datetime64[ns]").astype(np.int64)
        j = np.searchsorted(s, k_end, side="left") - 1  # last session before the period's end
        ok = covered & (j >= 0)
        last_session = s[np.maximum(j, 0)]
        ok &= last_session >= k_start
        return np.where(ok, last_session, out)
    opens = sched.opens.astype(np.int64)
    closes = sched.closes.astype(np.int64)
    j = np.searchsorted(opens, k_end, side="left") - 1  # last session opening before the end
    ok = covered & (j >= 0)
    period_close = np.minimum(k_end, closes[np.maximum(j, 0)])
    return np.where(ok, period_close - step, out)


def resample(
    bars: Bars, rule: str, market: str | None = None, *, interval: str | None = None
) -> HigherBars:
    """Aggregate ``bars`` into higher-timeframe bars and record when each becomes complete.

    ``rule``: ``"W"`` (calendar week, Monday-Sunday), ``"M"`` (calendar month), ``"Q"`` (calendar
    quarter), or for intraday bars ``"15m"``, ``"1h"``, ``"4h"``, ``"1d"`` (clock buckets on the
    naive UTC timestamps, which label each bar's open). ``market``: a market code whose exchange
    calendar tells each period's last session in advance (visible from that bar's close); None
    for the conservative rule (visible from the first bar of the next period). ``interval``: the
    base bar length (``"1d"``, ``"15m"`` ...), inferred from the smallest gap between bars if
    omitted; pass it to make a one-bar prefix exact.

    With a market, a base bar dated after its period's scheduled last bar (a session the calendar
    does not have) raises ``DataError``: revealing the period at its scheduled end would then leak
    that bar. Periods beyond the calendar's known range fall back to the conservative rule.
    """
    if rule not in RULES:
        raise ConfigError(f"unknown rule {rule!r}; use one of {', '.join(RULES)}", field="rule")
    t_ns = np.asarray(bars.dates, dtype="datetime64[ns]").astype(np.int64)
    n_rows = len(t_ns)
    if n_rows > 1 and not (np.diff(t_ns) > 0).all():
        raise DataError("bar dates must be strictly increasing", field="dates")
    step = _parse_interval(interval, t_ns)
    daily = step == _NS_DAY
    if (
        rule in _CLOCK_RULES
        and step is not None
        and (step > _CLOCK_RULES[rule] or _CLOCK_RULES[rule] % step)
    ):
        raise ConfigError(
            f"cannot resample {step // _NS_MIN}-minute bars to {rule}: the rule must be a "
            "multiple of the bar length",
            field="rule",
        )

    p_start, p_end = _periods(rule, t_ns)
    n_sym = len(bars.symbols)
    if n_rows == 0:
        e_i, e_t, e_f = np.zeros(0, np.int64), np.zeros(0, "datetime64[ns]"), np.zeros((0, n_sym))
        return HigherBars(
            rule=rule,
            symbols=bars.symbols,
            start=e_t,
            end=e_t,
            open=e_f,
            high=e_f,
            low=e_f,
            close=e_f,
            volume=e_f,
            first_row=e_i,
            last_row=e_i,
            visible_at=e_t,
            visible_from=e_i,
            last_complete=e_i,
            mode="conservative" if market is None else "calendar",
        )

    new = np.ones(n_rows, dtype=bool)
    new[1:] = p_start[1:] != p_start[:-1]
    starts = np.flatnonzero(new)
    group = np.cumsum(new) - 1
    k_start, k_end = p_start[starts], p_end[starts]
    last_row = np.append(starts[1:] - 1, n_rows - 1).astype(np.int64)

    h_open, high, low, h_close, h_volume = _aggregate(
        *(np.ascontiguousarray(x, dtype=np.float64) for x in (bars.open, bars.high, bars.low)),
        np.ascontiguousarray(bars.close, dtype=np.float64),
        np.ascontiguousarray(bars.volume, dtype=np.float64),
        starts.astype(np.int64),
    )

    if market is None:
        visible = k_end
        mode = "conservative"
    else:
        visible = _calendar_visible_at(market, daily, step, k_start, k_end)
        late = t_ns > visible[group]
        if late.any():
            r = int(np.flatnonzero(late)[0])
            raise DataError(
                f"bar {np.datetime64(int(t_ns[r]), 'ns')} falls after its {rule} period's last "
                f"scheduled bar on the {get_market(market).calendar} calendar "
                f"({np.datetime64(int(visible[group[r]]), 'ns')}); use market=None",
                field="dates",
            )
        mode = "calendar"

    last_complete = np.searchsorted(visible, t_ns, side="right").astype(np.int64) - 1
    visible_from = np.searchsorted(t_ns, visible, side="left").astype(np.int64)
    return HigherBars(
        rule=rule,
        symbols=bars.symbols,
        start=k_start.astype("datetime64[ns]"),
        end=k_end.astype("datetime64[ns]"),
        open=h_open,
        high=high,
        low=low,
        close=h_close,
        volume=h_volume,
        first_row=starts.astype(np.int64),
        last_row=last_row,
        visible_at=visible.astype("datetime64[ns]"),
        visible_from=visible_from,
        last_complete=last_complete,
        mode=mode,
    )
