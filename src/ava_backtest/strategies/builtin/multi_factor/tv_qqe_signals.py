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
def _qqe(
    rsima: np.ndarray,
    dar: np.ndarray,
    line: np.ndarray,
    entry: np.ndarray,
    exit_: np.ndarray,
) -> None:
    """The QQE trailing line and its crosses: the long band ratchets up and the short band down
    while the smoothed RSI stays on their side; the line is the long band in an up-trend, else
    the short band. Bars outer, symbols inner (the arrays are (bars, symbols) C-order), with each
    symbol's bands and trend carried in its own slot."""
    rows, cols = rsima.shape
    lb = np.full(cols, np.nan)
    sb = np.full(cols, np.nan)
    trend = np.zeros(cols, dtype=np.int64)
    for i in range(rows):
        for j in range(cols):
            x, d = rsima[i, j], dar[i, j]
            entry[i, j] = False
            exit_[i, j] = False
            if np.isnan(x) or np.isnan(d):
                line[i, j] = np.nan
                continue
            new_long, new_short = x - d, x + d
            if np.isnan(lb[j]):  # first defined bar: the bands start at their new values
                lb[j], sb[j] = new_long, new_short
                line[i, j] = new_short
                continue
            px = rsima[i - 1, j]
            if x > sb[j]:
                trend[j] = 1
            elif x < lb[j]:
                trend[j] = -1
            lb[j] = max(lb[j], new_long) if px > lb[j] and x > lb[j] else new_long
            sb[j] = min(sb[j], new_short) if px < sb[j] and x < sb[j] else new_short
            q = lb[j] if trend[j] == 1 else sb[j]
            line[i, j] = q
            pq = line[i - 1, j]
            entry[i, j] = px <= pq and x > q
            exit_[i, j] = px >= pq and x < q


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
        entry = np.empty(rsima.shape, dtype=np.bool_)
        exit_ = np.empty(rsima.shape, dtype=np.bool_)
        _qqe(np.ascontiguousarray(rsima), np.ascontiguousarray(dar), line, entry, exit_)
        return Signals(long_entry=entry, long_exit=exit_, series={"rsima": rsima, "qqe": line})
