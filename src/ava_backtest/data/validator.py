"""Bar validation: report every problem, repair only what cannot change a result, refuse the rest.

A backtest on silently broken data is worse than no backtest, but refusing a whole series for one
duplicated row is not useful either. So each finding carries the action ``clean_bars`` takes:

- ``repair``: the fix cannot invent information (sort, drop an exact duplicate, drop a row with no
  usable price so the session becomes a gap, clip open/close into [low, high] when off by less than
  one tick, drop a partial bar that is off the timeframe's grid).
- ``report``: the data may be right and may be wrong, and only a human can tell (missing sessions,
  a jump that looks like an unadjusted split, zero volume).
- ``refuse``: nothing sensible can be traded on it (no rows, no prices, negative prices, high below
  low, open/close far outside the bar's range). ``clean_bars`` raises DataError naming the symbol.
"""

from __future__ import annotations

import datetime as dt
from collections import Counter
from collections.abc import Iterable
from dataclasses import asdict, dataclass
from typing import Literal

import numpy as np
import polars as pl

from ava_backtest.data.events import NOISE, match_split_ratio
from ava_backtest.data.sessions import session_clock
from ava_backtest.domain.errors import DataError
from ava_backtest.markets.registry import get_market

Severity = Literal["info", "warning", "error"]
Action = Literal["repair", "report", "refuse"]

PRICE_COLUMNS = ("open", "high", "low", "close")
JUMP_TOLERANCE = 0.02
"""A close-to-close move within 2% of a split ratio looks like a split. Wider catches real crashes
(AAPL fell x0.48 on 2000-09-29, NVDA x0.65 on 2004-08-06); the real samples pin this."""
JUMP_MIN_RATIO = 1.5
"""Only 3:2 and coarser: 5:4 and 4:3 are ordinary daily moves for a volatile stock (AMZN 1998-2002)."""

_MINUTES = {"1m": 1, "5m": 5, "15m": 15, "30m": 30, "1h": 60, "4h": 240}


@dataclass(frozen=True, slots=True)
class Issue:
    """One finding. ``date`` is a date for daily bars, a UTC datetime for intraday, or None."""

    symbol: str
    date: dt.date | None
    kind: str
    detail: str
    severity: Severity
    action: Action


@dataclass(frozen=True, slots=True)
class ValidationReport:
    """Everything found in one symbol's bars, and the rows before and after repair."""

    symbol: str
    rows_in: int
    rows_out: int
    issues: tuple[Issue, ...]

    @property
    def refused(self) -> tuple[Issue, ...]:
        return tuple(i for i in self.issues if i.action == "refuse")

    @property
    def ok(self) -> bool:
        """True when ``clean_bars`` accepts the data (possibly after repairs)."""
        return not self.refused

    def counts(self) -> dict[str, int]:
        return dict(Counter(i.kind for i in self.issues))

    def to_frame(self) -> pl.DataFrame:
        schema = {
            "symbol": pl.String,
            "date": pl.String,
            "kind": pl.String,
            "detail": pl.String,
            "severity": pl.String,
            "action": pl.String,
        }
        rows = [{**asdict(i), "date": None if i.date is None else str(i.date)} for i in self.issues]
        return pl.DataFrame(rows, schema=schema)

    def summary(self) -> str:
        if not self.issues:
            return f"{self.symbol}: {self.rows_in} rows, no issues"
        parts = ", ".join(f"{k} x{n}" for k, n in sorted(self.counts().items()))
        return f"{self.symbol}: {self.rows_in} rows -> {self.rows_out}; {parts}"


def check_bars(
    frame: pl.DataFrame,
    symbol: str,
    *,
    market: str | None = None,
    timeframe: str | None = None,
    tick_size: float | None = None,
    corporate_actions: bool = True,
) -> ValidationReport:
    """Report what is wrong with ``frame`` and what ``clean_bars`` would do; never raises."""
    return _Inspection(frame, symbol, market, timeframe, tick_size, corporate_actions).run()[1]


def clean_bars(
    frame: pl.DataFrame,
    symbol: str,
    *,
    market: str | None = None,
    timeframe: str | None = None,
    tick_size: float | None = None,
    corporate_actions: bool = True,
) -> tuple[pl.DataFrame, ValidationReport]:
    """The repaired frame and the report; DataError if anything must be refused.

    ``frame`` has a ``date`` (daily) or ``ts`` (intraday) column, open/high/low/close, optionally
    volume and adj_close. With ``market``, daily dates are checked against its calendar and the
    open/close clip tolerance is its tick size. ``corporate_actions=False`` (indices, FX, crypto,
    close-only series) skips the split-jump and adjustment-factor checks: those series cannot split,
    and a volatility index doubling is news, not a data error.
    """
    cleaned, report = _Inspection(
        frame, symbol, market, timeframe, tick_size, corporate_actions
    ).run()
    if report.refused:
        first = report.refused[:3]
        listed = "; ".join(
            f"{i.kind} on {i.date} ({i.detail})" if i.date else f"{i.kind} ({i.detail})"
            for i in first
        )
        more = len(report.refused) - len(first)
        raise DataError(
            f"{symbol}: unusable data: {listed}" + (f"; and {more} more" if more > 0 else ""),
            field="symbols",
            details={"symbol": symbol, "issues": report.to_frame().to_dicts()},
        )
    return cleaned, report


def timeframe_of(frame: pl.DataFrame) -> str:
    """``1d`` for a ``date`` column, else the most common step between ``ts`` values."""
    if "date" in frame.columns:
        return "1d"
    steps = np.diff(_ns(frame["ts"]))
    steps = steps[steps > 0]
    if len(steps) == 0:
        return "1d"
    values, counts = np.unique(steps, return_counts=True)
    minutes = int(values[np.argmax(counts)] // 60_000_000_000)
    for name, m in _MINUTES.items():
        if m == minutes:
            return name
    return f"{minutes}m"


def _ns(times: pl.Series) -> np.ndarray:
    if times.dtype == pl.Date:
        times = times.cast(pl.Datetime("ns"))
    return times.dt.cast_time_unit("ns").dt.replace_time_zone(None).cast(pl.Int64).to_numpy()


class _Inspection:
    """One pass over a frame: each step records its findings and applies its repair."""

    def __init__(
        self,
        frame: pl.DataFrame,
        symbol: str,
        market: str | None,
        timeframe: str | None,
        tick_size: float | None,
        corporate_actions: bool = True,
    ) -> None:
        self.symbol = symbol
        self.corporate_actions = corporate_actions
        self.market = market
        self.time = "date" if "date" in frame.columns else "ts"
        self.frame = frame
        self.rows_in = frame.height
        self.timeframe = timeframe or (timeframe_of(frame) if self.time in frame.columns else "1d")
        if tick_size is None:
            tick_size = get_market(market).tick_size if market else 0.0
        self.tick = tick_size
        self.issues: list[Issue] = []

    def add(
        self,
        kind: str,
        detail: str,
        severity: Severity,
        action: Action,
        rows: Iterable[int] | None = None,
    ) -> None:
        if rows is None:
            self.issues.append(Issue(self.symbol, None, kind, detail, severity, action))
            return
        idx = list(rows)
        if not idx:
            return
        times = self.frame[self.time].gather(idx).to_list()
        self.issues.extend(Issue(self.symbol, t, kind, detail, severity, action) for t in times)

    def drop(self, mask: np.ndarray) -> None:
        self.frame = self.frame.filter(pl.Series(~mask))

    def col(self, name: str) -> np.ndarray:
        return self.frame[name].cast(pl.Float64).fill_null(np.nan).to_numpy()

    def run(self) -> tuple[pl.DataFrame, ValidationReport]:
        missing = [c for c in (self.time, *PRICE_COLUMNS) if c not in self.frame.columns]
        if missing:
            self.add("missing_column", f"no column(s) {', '.join(missing)}", "error", "refuse")
        elif self.frame.height == 0:
            self.add("empty", "no rows", "error", "refuse")
        else:
            self._order()
            self._duplicates()
            if self.timeframe != "1d":
                self._off_grid()
            if self._prices():
                self._calendar()
                self._factor()
                if self.corporate_actions:
                    self._jumps()
                self._volume()
        report = ValidationReport(self.symbol, self.rows_in, self.frame.height, tuple(self.issues))
        return self.frame, report

    def _order(self) -> None:
        nulls = self.frame[self.time].is_null().to_numpy()
        if nulls.any():
            self.issues.append(
                Issue(
                    self.symbol,
                    None,
                    "null_time",
                    f"{nulls.sum()} rows without a time; dropped",
                    "warning",
                    "repair",
                )
            )
            self.drop(nulls)
        if not self.frame[self.time].is_sorted():
            self.add("unsorted", "rows out of time order; sorted", "info", "repair")
            self.frame = self.frame.sort(self.time, maintain_order=True)

    def _duplicates(self) -> None:
        exact = ~self.frame.select(pl.struct(pl.all()).is_first_distinct()).to_series().to_numpy()
        self.add(
            "duplicate_row",
            "exact copy of an earlier row; dropped",
            "warning",
            "repair",
            np.flatnonzero(exact),
        )
        self.drop(exact)
        # Same time, different values: two revisions of one bar (e.g. stitched downloads). The
        # later row in the file is the later revision; keep it.
        stale = ~self.frame[self.time].is_last_distinct().to_numpy()
        if stale.any():
            values = [c for c in self.frame.columns if c != self.time]
            later = self.frame.filter(pl.col(self.time).is_duplicated()).group_by(
                self.time, maintain_order=True
            )
            differing: dict[object, str] = {}
            for key, group in later:
                cols = [c for c in values if group[c].n_unique() > 1]
                differing[key[0]] = ", ".join(cols)
            for i in np.flatnonzero(stale):
                t = self.frame[self.time][int(i)]
                self.issues.append(
                    Issue(
                        self.symbol,
                        t,
                        "duplicate_time",
                        f"two rows differ in {differing.get(t, '?')}; kept the later row",
                        "warning",
                        "repair",
                    )
                )
            self.drop(stale)

    def _off_grid(self) -> None:
        minutes = _MINUTES.get(self.timeframe)
        if minutes is None:
            return
        step = minutes * 60_000_000_000
        times = _ns(self.frame[self.time])
        off = times % step != 0
        if self.market is not None and get_market(self.market).calendar != "24/7":
            # Exchange bars count from the session's open (09:30 New York, 09:15 Mumbai), as
            # intraday.session_grid lays them out: an hourly US bar starts at 10:30, not 10:00.
            minute = session_clock(times.astype("datetime64[ns]"), self.market)["session_minute"]
            inside = np.isfinite(minute)
            off[inside] = np.round(minute[inside]).astype(np.int64) % minutes != 0
        self.add(
            "off_grid",
            f"not on the {self.timeframe} grid (a partial snapshot bar); dropped",
            "warning",
            "repair",
            np.flatnonzero(off),
        )
        self.drop(off)

    def _prices(self) -> bool:
        """Price sanity; False when nothing usable is left to check further."""
        o, h, lo, c = (self.col(k) for k in PRICE_COLUMNS)
        if np.isnan(c).all():
            self.add("all_nan", "no close price in any row", "error", "refuse")
            return False
        stacked = np.stack([o, h, lo, c])
        negative = (stacked < 0).any(axis=0)
        self.add(
            "negative_price", "a price below zero", "error", "refuse", np.flatnonzero(negative)
        )
        if "volume" in self.frame.columns:
            v = self.col("volume")
            self.add(
                "negative_volume", "volume below zero", "error", "refuse", np.flatnonzero(v < 0)
            )
        nan = np.isnan(stacked).any(axis=0)
        self.add(
            "nan_price",
            "missing price; row dropped (session becomes a gap)",
            "warning",
            "repair",
            np.flatnonzero(nan),
        )
        zero = (stacked == 0).any(axis=0) & ~nan
        self.add(
            "zero_price",
            "price of zero; row dropped (session becomes a gap)",
            "warning",
            "repair",
            np.flatnonzero(zero),
        )
        self.drop(nan | zero)
        if self.frame.height == 0:
            self.add("empty", "no usable rows left", "error", "refuse")
            return False

        o, h, lo, c = (self.col(k) for k in PRICE_COLUMNS)
        inverted = h < lo
        for i in np.flatnonzero(inverted):
            self.add("high_below_low", f"high {h[i]} < low {lo[i]}", "error", "refuse", [i])
        ok = ~inverted
        for name, x in (("open", o), ("close", c)):
            excess = np.maximum(lo - x, x - h)
            tol = np.where(self.tick > 0, self.tick, 1e-9 * np.abs(x))
            out = ok & (excess > 0)
            small = out & (excess < tol)
            for i in np.flatnonzero(out & ~small):
                self.add(
                    "outside_range",
                    f"{name} {x[i]} outside [{lo[i]}, {h[i]}]",
                    "error",
                    "refuse",
                    [i],
                )
            if small.any():
                self.add(
                    "outside_range",
                    f"{name} within a tick of [low, high]; clipped",
                    "info",
                    "repair",
                    np.flatnonzero(small),
                )
                clipped = np.where(small, np.clip(x, lo, h), x)
                self.frame = self.frame.with_columns(pl.Series(name, clipped))
        return True

    def _calendar(self) -> None:
        times = _ns(self.frame[self.time])
        if self.timeframe == "1d":
            if self.market is None:
                return
            first, last = self.frame[self.time].min(), self.frame[self.time].max()
            sessions = get_market(self.market).sessions(first, last).astype(np.int64)
            extra = ~np.isin(times, sessions)
            self.add(
                "non_session",
                f"not a {self.market} session; dropped",
                "warning",
                "repair",
                np.flatnonzero(extra),
            )
            self.drop(extra)
            missing = np.setdiff1d(sessions, times)
            for t in missing:
                day = np.datetime64(int(t), "ns").astype("datetime64[D]").item()
                self.issues.append(
                    Issue(
                        self.symbol,
                        day,
                        "missing_session",
                        f"no bar on this {self.market} session",
                        "warning",
                        "report",
                    )
                )
            return
        minutes = _MINUTES.get(self.timeframe)
        if minutes is None:
            return
        step = minutes * 60_000_000_000
        gaps = np.flatnonzero(np.diff(times) > step)
        if len(gaps) and self.market is not None and get_market(self.market).calendar != "24/7":
            # Exchange bars: nights, weekends and holidays are no gap, only bars within a session.
            session = session_clock(times.astype("datetime64[ns]"), self.market)["session"]
            gaps = gaps[session[gaps] == session[gaps + 1]]
        for g in gaps:
            n = int((times[g + 1] - times[g]) // step) - 1
            self.add(
                "gap",
                f"{n} {self.timeframe} bars missing before this bar",
                "info",
                "report",
                [g + 1],
            )

    def _factor(self) -> None:
        """Repairs missing adj_close always; judges factor moves only where splits can happen."""
        if "adj_close" not in self.frame.columns:
            return
        c, adj = self.col("close"), self.col("adj_close")
        nan = np.isnan(adj)
        if nan.any():
            self.add(
                "nan_adj_close",
                "no adj_close; factor carried from the previous bar",
                "warning",
                "repair",
                np.flatnonzero(nan),
            )
            f = pl.Series(adj / c).fill_nan(None).forward_fill().backward_fill().to_numpy()
            self.frame = self.frame.with_columns(pl.Series("adj_close", c * f))
            adj = c * f
        if not self.corporate_actions:
            return
        f = adj / c
        q = f[1:] / f[:-1]
        for i in np.flatnonzero(q < 1 - NOISE) + 1:
            qi = q[i - 1]
            if match_split_ratio(1.0 / qi) is None:
                self.add(
                    "factor_drop",
                    f"adjustment factor fell x{qi:.4f}: not a corporate action",
                    "warning",
                    "report",
                    [i],
                )

    def _jumps(self) -> None:
        c = self.col("close")
        if len(c) < 2:
            return
        f = self.col("adj_close") / c if "adj_close" in self.frame.columns else np.ones_like(c)
        move = c[1:] / c[:-1]
        q = f[1:] / f[:-1]
        lo_move = JUMP_MIN_RATIO * (1 - JUMP_TOLERANCE)
        for i in np.flatnonzero((move <= 1 / lo_move) | (move >= lo_move)) + 1:
            m, qi = move[i - 1], q[i - 1]
            down = m < 1
            ratio = match_split_ratio(1 / m if down else m, JUMP_TOLERANCE)
            if ratio is None or ratio < JUMP_MIN_RATIO:
                continue
            expected = ratio if down else 1 / ratio
            if abs(qi / expected - 1) <= 0.01:
                continue  # the factor has the split: it is an event, not an error
            label = f"{ratio:g}:1 split" if down else f"1:{ratio:g} reverse split"
            self.add(
                "suspicious_jump",
                f"close moved x{m:.4f}, like an unadjusted {label}, with no matching factor change",
                "warning",
                "report",
                [i],
            )

    def _volume(self) -> None:
        if "volume" not in self.frame.columns:
            return
        v = self.col("volume")
        zero = np.flatnonzero(v == 0)
        if len(zero):
            times = self.frame[self.time]
            first, last = times[int(zero[0])], times[int(zero[-1])]
            self.issues.append(
                Issue(
                    self.symbol,
                    first,
                    "zero_volume",
                    f"{len(zero)} bars with zero volume, {first} .. {last}",
                    "info",
                    "report",
                )
            )
