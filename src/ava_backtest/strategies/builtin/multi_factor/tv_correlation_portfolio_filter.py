"""Correlation portfolio filter: a trend entry is taken only when the symbol's recent returns are
not too correlated with the rest of the book (the other symbols the trend rule holds)."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    pct_change,
    sma,
)


class CorrelationPortfolioFilter(Strategy):
    """A risk overlay on a stated base signal, cross-sectional over the run's symbols.

    Base signal: entry at t when close crosses above SMA_n(close) (n = trend_period), exit when
    it crosses back below. The book: held_k(t) is True from a base entry of symbol k to its next
    base exit (what the base rule holds). r = one-bar returns; during bar s the book earns
    B_-j(s) = the mean of r_k(s) over the other symbols k held at the close of s-1 (NaN when
    there are none). rho_j(t) = the Pearson correlation of r_j and B_-j over the last
    corr_window bars (NaN if any bar of the window is undefined). Entry at t: the base entry,
    and no other symbol is held at t or rho_j(t) < max_correlation (a correlation that cannot
    be measured yet does not veto). Exit: the base exit. ``priority = -rho``: the least
    correlated entries first when slots run out.

    The book is the base rule's: an entry the filter vetoes still counts as held for the others
    until its base exit, so the filter judges every entry against the book the base rule wants.

    The original was a stub that never signalled, with no parameters: trend_period (the base
    signal's), corr_window and max_correlation (the filter's) are Ava's. The catalogue states no
    warm-up (0), so the SMA and correlations fill in over the run's first bars. A one-symbol run
    has no book to compare with and trades the base signal alone.
    """

    name = "tv_correlation_portfolio_filter"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Trend entries (close crossing above its SMA) taken only when the symbol's returns over "
        "corr_window bars correlate less than max_correlation with the rest of the book."
    )
    tags = ("risk-overlay", "correlation", "portfolio", "cross-sectional", "trend")
    cross_sectional = True
    trend_period = Int(50, 5, 400, "Base signal: SMA length the close crosses")
    corr_window = Int(60, 10, 504, "Bars of returns the correlation is measured over")
    max_correlation = Float(0.7, -1.0, 1.0, "Veto an entry correlated this much or more with the book")  # fmt: skip
    display = (
        Overlay("trend", "SMA {trend_period}"),
        Pane(
            "rho",
            "Correlation with the rest of the book ({corr_window} bars)",
            levels=("max_correlation",),
        ),
    )
    warmup_extra = 0

    def signals(self, bars: Bars) -> Signals:
        close = bars.close
        trend = sma(close, self.trend_period)
        up = crossed_above(close, trend)
        down = crossed_below(close, trend)
        held = _held(up, down)
        r = pct_change(close, 1)
        r = np.where(np.isfinite(r), r, np.nan)
        was = np.zeros_like(held)
        was[1:] = held[:-1]  # held at the previous close: earned this bar's return
        earned = np.where(was, np.nan_to_num(r), 0.0)
        total = earned.sum(axis=1, keepdims=True) - earned
        count = was.sum(axis=1, keepdims=True) - was
        with np.errstate(invalid="ignore", divide="ignore"):
            book = np.where(count > 0, total / count, np.nan)
        rho = _rolling_corr(r, book, self.corr_window)
        others = held.sum(axis=1, keepdims=True) - held
        entry = up & ((others == 0) | ~(rho >= self.max_correlation))
        return Signals(
            long_entry=entry,
            long_exit=down,
            priority=np.where(entry, -np.nan_to_num(rho, nan=-1.0), np.nan),
            series={"trend": trend, "rho": rho},
        )


def _held(up: np.ndarray, down: np.ndarray) -> np.ndarray:
    """True from an ``up`` event to the next ``down`` event (the bar of ``down`` excluded)."""
    idx = np.arange(up.shape[0])[:, None]
    last_up = np.maximum.accumulate(np.where(up, idx, -1), axis=0)
    last_down = np.maximum.accumulate(np.where(down, idx, -1), axis=0)
    return last_up > last_down


def _rolling_corr(x: np.ndarray, y: np.ndarray, n: int) -> np.ndarray:
    """Pearson correlation of x and y over the last n bars, column-wise (NaN if any is NaN)."""
    mx, my = sma(x, n), sma(y, n)
    cov = sma(x * y, n) - mx * my
    vx = sma(x * x, n) - mx * mx
    vy = sma(y * y, n) - my * my
    with np.errstate(invalid="ignore", divide="ignore"):
        rho = cov / np.sqrt(vx * vy)
    return np.where((vx > 1e-14) & (vy > 1e-14), np.clip(rho, -1.0, 1.0), np.nan)
