"""15-minute opening-range breakout (long): the session's first close above the opening range."""

import numpy as np

from ava_backtest.strategies import Bars, Bool, Float, Int, Overlay, Signals, Strategy


def _per_session(values: np.ndarray, session: np.ndarray, reduce: np.ufunc) -> np.ndarray:
    """``reduce`` (np.fmax, np.fmin) of each column over each session, on every bar of it."""
    if len(session) == 0:
        return values.copy()
    start = np.r_[True, session[1:] != session[:-1]]
    seg = np.cumsum(start) - 1
    return reduce.reduceat(values, np.flatnonzero(start), axis=0)[seg]


class Orb15Min(Strategy):
    """On intraday bars finer than the range (``requires = ("intraday:5m",)``): the opening range
    is the bars starting in the session's first ``orb_minutes`` (09:30 .. 09:45 in New York for
    the default), ORH/ORL its highest high and lowest low. Buy at the first bar of the session
    that starts after the range, before the last five minutes of the session, and closes above
    ORH (earlier bars of the session that closed above ORH count; the bar itself does not).
    Exits: with R = close - (ORL less ``stop_buffer_pct``) at the signal (sent as a fraction of
    that close, applied to the fill), a stop R below the fill that trails R behind the best high
    (``use_trailing_stop``; else it stays fixed), a take-profit ``tp3_rr`` x R from the fill, and
    the session's last bar at its close (``exit_at = "close"``).

    The original never fired (its range ended at 09:24, its first-breakout test counted the bar
    itself, and it only received daily bars) and implemented no exit. The engine places one
    target per trade: Ava places the final target ``tp3_rr``; the scale-out targets ``tp1_rr`` and
    ``tp2_rr`` are validated but not placed. ``atr_period`` only sets the warm-up, as in the
    original (whose ATR helper was never called).
    """

    name = "orb_15min"
    category = "momentum"
    direction = "long_only"
    timeframe = "intraday (1- to 5-minute bars; needs bars finer than orb_minutes)"
    description = (
        "Buys the session's first close above the 15-minute opening range on 1- to 5-minute "
        "bars; stop under the range, trailing stop, R-multiple target, flat at the close."
    )
    tags = ("intraday", "opening-range", "breakout", "day-trade")
    requires = ("intraday:5m",)
    exit_at = "close"
    warmup_extra = 5
    orb_minutes = Int(15, 5, 120, "Opening-range length in minutes after the open")
    atr_period = Int(14, 2, 100, "ATR length (sets the warm-up only)", window=True)
    tp1_rr = Float(1.0, 0.1, 10.0, "First take-profit in R (scale-out; not placed)")
    tp2_rr = Float(1.2, 0.1, 10.0, "Second take-profit in R (scale-out; not placed)")
    tp3_rr = Float(3.5, 0.1, 20.0, "Final take-profit in R from the fill")
    use_trailing_stop = Bool(True, "Trail a stop R behind the best price")
    stop_buffer_pct = Float(0.001, 0.0, 0.05, "Stop buffer below the range low (fraction)")
    display = (
        Overlay("range_high", "Opening-range high", style="dots"),
        Overlay("range_low", "Opening-range low", style="dots"),
    )

    def signals(self, bars: Bars) -> Signals:
        session = bars.need("session")
        minute = bars.need("session_minute")[:, None]
        to_close = bars.need("minutes_to_close")[:, None]
        last_bar = to_close <= bars.need("bar_minutes")[:, None]
        in_range = minute < self.orb_minutes
        after = (minute >= self.orb_minutes) & ~np.isnan(bars.close)
        # The range is complete once a bar starts after it: shown and used from then on only.
        orh = np.where(
            after, _per_session(np.where(in_range, bars.high, np.nan), session, np.fmax), np.nan
        )
        orl = np.where(
            after, _per_session(np.where(in_range, bars.low, np.nan), session, np.fmin), np.nan
        )
        above = after & (to_close > 5) & (bars.close > orh)
        # The session's first such bar: no earlier bar of the session closed above ORH.
        seen = np.cumsum(above, axis=0)
        start = np.r_[True, session[1:] != session[:-1]] if len(session) else np.zeros(0, bool)
        base = (seen - above)[np.flatnonzero(start)][np.cumsum(start) - 1]
        first = above & (seen - base == 1)
        stop = orl * (1.0 - self.stop_buffer_pct)
        # R as a fraction of the close: the engine applies it to the (as-traded) fill price.
        risk = np.where(first, (bars.close - stop) / bars.close, np.nan)
        return Signals(
            long_entry=first & (risk > 0),
            long_exit=np.broadcast_to(last_bar, bars.close.shape).copy(),
            stop_loss=None if self.use_trailing_stop else risk,
            trail=risk if self.use_trailing_stop else None,
            take_profit=self.tp3_rr * risk,
            series={"range_high": orh, "range_low": orl},
        )
