"""ICT smart money: structure trend from confirmed swings, entries on a fair value gap or order block."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    pivot_high,
    pivot_low,
    previous,
    value_when,
)


def _shifted(flag: np.ndarray) -> np.ndarray:
    """A boolean series one bar later (False on the first bar)."""
    out = np.zeros_like(flag)
    out[1:] = flag[:-1]
    return out


def _two_before(pivots: np.ndarray) -> tuple[np.ndarray, ...]:
    """Per bar: is a pivot confirmed here, the latest pivot so far, and the values of the two
    pivots confirmed before this bar."""
    event = np.isfinite(pivots)
    held = value_when(pivots, event)
    last = previous(held)  # the latest pivot before t
    before_last = previous(value_when(last, event))  # at an event: the one before that
    return event, held, last, before_last


class TvIctSmartMoney(Strategy):
    """Swings of order k = ``swing_length``: a swing high is a high strictly above the k highs on
    each side, a swing low a low strictly below the k lows on each side, both known k bars later
    (on the confirming bar). Structure TREND, updated on each confirmation: a swing high above
    the larger of the two previous swing highs sets +1, otherwise -1 (+1 while fewer than two
    exist); then a swing low below the smaller of the two previous swing lows sets -1, otherwise
    +1 (-1 while fewer than two exist); 0 before any swing. Triggers on bar t: bullish fair value
    gap, low(t) > high(t-2) with bar t-1 an up bar; bullish order block, a down bar t-1 followed
    by an up bar t closing above high(t-1); bearish ones mirrored. Entry at t: TREND(t) = +1 and
    an enabled bullish trigger; exit at t: otherwise, TREND(t) = -1 and an enabled bearish one.

    The original never emitted a signal: it changed the trend only when the current bar was
    itself a pivot, which needs bars after it (so, with edge clipping, never), and took pivot
    lows from the highs. Here swings come from the right series and count from the bar that
    confirms them.
    """

    name = "tv_ict_smart_money"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "ICT-style: market-structure trend from confirmed swing highs and lows; buys a bullish "
        "fair value gap or order block in an up-trend, sells a bearish one in a down-trend."
    )
    tags = ("ict", "smart-money", "market-structure", "fair-value-gap", "order-block", "swing")
    swing_length = Int(5, 1, 50, "Swing order k (bars each side)", window=True)
    fvg_enabled = Bool(True, "Allow the fair-value-gap trigger")
    ob_enabled = Bool(True, "Allow the order-block trigger")
    display = (
        Overlay("swing_high", "Last swing high"),
        Overlay("swing_low", "Last swing low"),
        Pane("trend", "Structure trend", levels=(0.0,)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, h, lo, c = bars.open, bars.high, bars.low, bars.close
        k = self.swing_length
        ph, pl = pivot_high(h, k, k), pivot_low(lo, k, k)
        hi_event, swing_high, hi1, hi2 = _two_before(ph)
        lo_event, swing_low, lo1, lo2 = _two_before(pl)
        both_hi = np.isfinite(hi1) & np.isfinite(hi2)
        both_lo = np.isfinite(lo1) & np.isfinite(lo2)
        hi_verdict = np.where(ph > np.where(both_hi, np.maximum(hi1, hi2), 0.0), 1.0, -1.0)
        lo_verdict = np.where(pl < np.where(both_lo, np.minimum(lo1, lo2), np.inf), -1.0, 1.0)
        verdict = np.where(lo_event, lo_verdict, hi_verdict)  # a low confirmed with a high wins
        trend = value_when(verdict, hi_event | lo_event, 0.0)

        up_bar, down_bar = c > o, c < o
        up1, down1 = _shifted(up_bar), _shifted(down_bar)
        bull_fvg = (lo > previous(h, 2)) & up1
        bear_fvg = (h < previous(lo, 2)) & down1
        bull_ob = down1 & up_bar & (c > previous(h))
        bear_ob = up1 & down_bar & (c < previous(lo))
        bull = (self.fvg_enabled & bull_fvg) | (self.ob_enabled & bull_ob)
        bear = (self.fvg_enabled & bear_fvg) | (self.ob_enabled & bear_ob)
        entry = (trend == 1) & bull
        return Signals(
            long_entry=entry,
            long_exit=(trend == -1) & bear & ~entry,
            series={
                "swing_high": swing_high,
                "swing_low": swing_low,
                "trend": trend,
            },
        )
