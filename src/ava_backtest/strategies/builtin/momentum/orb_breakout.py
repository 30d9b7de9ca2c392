"""Opening-range breakout with volume confirmation on intraday bars, or its daily gap proxy."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    previous,
    sma,
    true_range,
)


def _sessions(session: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(first row of each session, session number of each row)."""
    start = np.r_[True, session[1:] != session[:-1]] if len(session) else np.zeros(0, bool)
    return np.flatnonzero(start), np.cumsum(start) - 1


class OrbBreakout(Strategy):
    """Intraday mode (``daily_proxy`` false; ``requires = ("intraday:15m",)``): the opening range
    is each session's first ``or_bars`` bars, ORH/ORL their highest high and lowest low. AvgBar =
    the volume per bar over the previous ``volume_lookback`` complete sessions. From the bar after
    the range on, buy (``allow_long``) when close > ORH and volume > volume_mult x AvgBar; sell
    short (``allow_short``) when close < ORL with the same volume test.
    Daily proxy (``daily_proxy`` true, daily bars, no intraday data needed): buy when open(t) >
    high(t-1) x (1 + gap_threshold), short when open(t) < low(t-1) x (1 - gap_threshold), each with
    volume(t) > volume_mult x mean(volume[t-volume_lookback+1..t]); decided at the close.
    Both modes exit at a stop ``stop_atr_mult`` x ATR from the fill (ATR = mean true range of
    ``atr_period`` bars, sent as that fraction of the signal bar's close), a target
    ``reward_risk_ratio`` times that distance, or after ``max_hold_bars`` bars.

    The original crashed on every bar (its ATR), took the range from the first rows of the whole
    data instead of each session, averaged volume in arbitrary order and had no exits: Ava computes
    the range per session, averages the sessions in order, and places the declared stop, target
    and time stop. ``or_minutes`` stays unused, as in the original (``or_bars`` sets the range).
    """

    name = "orb_breakout"
    category = "momentum"
    direction = "long_short"
    timeframe = (
        "intraday (15-minute bars implied by 26 bars/day; default daily_proxy=false) or daily "
        "when daily_proxy=true"
    )
    description = (
        "Opening-range breakout with volume confirmation on intraday bars (or a gap above the "
        "prior high on daily bars), with an ATR stop, an R target and a time stop."
    )
    tags = ("intraday", "opening-range", "breakout", "volume")
    requires = ("intraday:15m",)
    or_minutes = Int(30, 5, 240, "Opening-range minutes (unused; or_bars sets the range)")
    or_bars = Int(2, 1, 26, "Number of bars forming the opening range")
    volume_mult = Float(3.0, 0.5, 20.0, "Volume confirmation multiple")
    volume_lookback = Int(10, 1, 100, "Sessions (intraday) or bars (daily) averaged", window=True)
    atr_period = Int(10, 2, 100, "ATR length", window=True)
    stop_atr_mult = Float(1.5, 0.1, 10.0, "Stop distance in ATRs from the fill")
    reward_risk_ratio = Float(2.0, 0.1, 20.0, "Target distance in multiples of the stop distance")
    max_hold_bars = Int(26, 1, 1000, "Exit after this many bars held (the fill bar is bar 1)")
    allow_long = Bool(True, "Enable long entries")
    allow_short = Bool(False, "Enable short entries")
    daily_proxy = Bool(False, "Use the daily gap proxy on daily bars instead of intraday bars")
    gap_threshold = Float(0.005, 0.0, 0.2, "Daily proxy: open must exceed prior high by this")
    display = (
        Overlay("range_high", "Breakout level (long)", style="dots"),
        Overlay("range_low", "Breakout level (short)", style="dots"),
        Pane("volume_ratio", "Volume / average", levels=("volume_mult",)),
    )

    def warmup(self) -> int:
        return self.volume_lookback + self.atr_period + 5

    def check_params(self) -> None:
        if self.daily_proxy:
            self.requires = ()  # daily bars: no intraday data needed

    def signals(self, bars: Bars) -> Signals:
        if self.daily_proxy:
            up_level = previous(bars.high, 1) * (1.0 + self.gap_threshold)
            down_level = previous(bars.low, 1) * (1.0 - self.gap_threshold)
            avg = sma(bars.volume, self.volume_lookback)
            up, down = bars.open > up_level, bars.open < down_level
        else:
            up_level, down_level, avg = self._opening_range(bars)
            up, down = bars.close > up_level, bars.close < down_level
        with np.errstate(divide="ignore", invalid="ignore"):
            ratio = np.where(avg > 0, bars.volume / avg, np.nan)
        loud = ratio > self.volume_mult
        atr = sma(
            true_range(bars.high, bars.low, bars.close, first_bar="high_low"), self.atr_period
        )
        # Sent as fractions of the close: indicators see adjusted prices, fills happen at
        # as-traded ones, so the engine applies the distance to the fill price.
        stop = self.stop_atr_mult * atr / bars.close
        return Signals(
            long_entry=up & loud & self.allow_long,
            short_entry=down & loud & self.allow_short,
            stop_loss=stop,
            take_profit=self.reward_risk_ratio * stop,
            max_hold=self.max_hold_bars,
            series={"range_high": up_level, "range_low": down_level, "volume_ratio": ratio},
        )

    def _opening_range(self, bars: Bars) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
        session = bars.need("session")
        bar_no = (bars.need("session_minute") // bars.need("bar_minutes"))[:, None]
        starts, seg = _sessions(session)
        in_range = bar_no < self.or_bars
        after = (bar_no >= self.or_bars) & ~np.isnan(bars.close)
        shape = bars.close.shape
        if len(starts) == 0:
            return np.full(shape, np.nan), np.full(shape, np.nan), np.full(shape, np.nan)
        hi = np.fmax.reduceat(np.where(in_range, bars.high, np.nan), starts, axis=0)[seg]
        lo = np.fmin.reduceat(np.where(in_range, bars.low, np.nan), starts, axis=0)[seg]
        # Volume per bar over the previous volume_lookback complete sessions.
        has = ~np.isnan(bars.volume)
        vol = np.add.reduceat(np.where(has, bars.volume, 0.0), starts, axis=0)
        n = np.add.reduceat(has.astype(np.float64), starts, axis=0)
        k = self.volume_lookback
        cv = np.vstack([np.zeros((1, shape[1])), np.cumsum(vol, axis=0)])
        cn = np.vstack([np.zeros((1, shape[1])), np.cumsum(n, axis=0)])
        s = np.arange(len(starts))
        lo_s = s - k
        ok = lo_s >= 0
        with np.errstate(divide="ignore", invalid="ignore"):
            per_bar = (cv[s] - cv[np.maximum(lo_s, 0)]) / (cn[s] - cn[np.maximum(lo_s, 0)])
        per_bar[~ok] = np.nan
        return np.where(after, hi, np.nan), np.where(after, lo, np.nan), per_bar[seg]
