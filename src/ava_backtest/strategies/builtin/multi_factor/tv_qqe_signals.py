"""QQE signals: buy the smoothed RSI crossing above its QQE trailing line, sell it crossing below."""

import numba as nb
import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    ema,
    previous,
    rsi,
)


@nb.njit(cache=True)
def _qqe_line(rsima: np.ndarray, dar: np.ndarray, out: np.ndarray) -> None:
    """The QQE trailing line, column by column: the long band ratchets up and the short band down
    while the smoothed RSI stays on their side; the line is the long band in an up-trend, else
    the short band."""
    rows, cols = rsima.shape
    for j in range(cols):
        lb = np.nan
        sb = np.nan
        trend = 0
        for i in range(rows):
            x, d = rsima[i, j], dar[i, j]
            if np.isnan(x) or np.isnan(d):
                out[i, j] = np.nan
                continue
            new_long, new_short = x - d, x + d
            if np.isnan(lb):  # first defined bar: the bands start at their new values
                lb, sb = new_long, new_short
                out[i, j] = sb
                continue
            px = rsima[i - 1, j]
            if x > sb:
                trend = 1
            elif x < lb:
                trend = -1
            lb = max(lb, new_long) if px > lb and x > lb else new_long
            sb = min(sb, new_short) if px < sb and x < sb else new_short
            out[i, j] = lb if trend == 1 else sb


class TvQqeSignals(Strategy):
    """RSIMA = EMA(Wilder RSI(rsi_period), rsi_smoothing); ATRRSI = |RSIMA(t) - RSIMA(t-1)|; DAR =
    qqe_factor x EMA(ATRRSI, 2 x rsi_period - 1) (EMAs seeded with the mean of their first
    values). Bands: LONG(t) = max(LONG(t-1), RSIMA - DAR) while RSIMA(t-1) and RSIMA(t) are above
    LONG(t-1), else RSIMA - DAR; SHORT mirrors it with min and RSIMA + DAR; both start at their new
    values. TREND = 1 when RSIMA(t) > SHORT(t-1), -1 when RSIMA(t) < LONG(t-1), else unchanged
    (0 at first); QQE = LONG when TREND = 1, else SHORT. Entry at t: RSIMA(t-1) <= QQE(t-1) and
    RSIMA(t) > QQE(t). Exit at t: RSIMA(t-1) >= QQE(t-1) and RSIMA(t) < QQE(t). ``threshold`` has
    no effect, as in the original.

    Differences: the original never signalled: its RSI smoothing was seeded with a mean over the
    RSI's undefined first values, and its bands were updated only from an already defined value
    and never initialised, so every comparison was with NaN. Here the smoothing starts at the first
    RSI values and the bands at their first values, the QQE the name describes.
    """

    name = "tv_qqe_signals"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "QQE: buys the smoothed RSI crossing above its trailing QQE line and sells it crossing "
        "below (the original never signalled)."
    )
    tags = ("qqe", "rsi", "trailing-band", "tradingview")
    rsi_period = Int(14, 2, 200, "RSI length (Wilder)")
    rsi_smoothing = Int(5, 1, 100, "EMA length applied to the RSI")
    qqe_factor = Float(4.238, 0.1, 20.0, "Multiple of the smoothed RSI ATR")
    threshold = Int(10, 0, 50, "Unused, as in the original")
    display = (
        Pane("rsima", "RSI {rsi_period} EMA {rsi_smoothing}", pane="qqe", levels=(50.0,)),
        Pane("qqe", "QQE line ({qqe_factor})", pane="qqe"),
    )

    def warmup(self) -> int:
        return max(self.rsi_period, self.rsi_smoothing) * 3

    def signals(self, bars: Bars) -> Signals:
        rsima = ema(rsi(bars.close, self.rsi_period), self.rsi_smoothing)
        atr_rsi = np.abs(rsima - previous(rsima))
        dar = self.qqe_factor * ema(atr_rsi, 2 * self.rsi_period - 1)
        line = np.empty_like(rsima)
        _qqe_line(np.ascontiguousarray(rsima), np.ascontiguousarray(dar), line)
        r1, q1 = previous(rsima), previous(line)
        entry = (r1 <= q1) & (rsima > line)
        return Signals(
            long_entry=entry,
            long_exit=(r1 >= q1) & (rsima < line),
            series={"rsima": rsima, "qqe": line},
        )
