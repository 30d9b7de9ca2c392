"""Multi-timeframe MACD: a daily MACD/signal cross up, taken only while the weekly MACD is above
its own signal line; sell on the daily cross down."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy, ema, previous
from ava_backtest.strategies.timeframes import align, resample


class TvMtfMacd(Strategy):
    """MACD = EMA_fast(close) - EMA_slow(close), SIG = EMA_signal(MACD), every EMA seeded with its
    first value (E(0) = x(0)). Entry at t: MACD(t-1) < SIG(t-1) and MACD(t) > SIG(t) (daily), and
    the weekly MACD above its weekly signal line: the same MACD on weekly closes (calendar weeks
    resampled from the daily bars), the last complete week's values (the framework's
    higher-timeframe bars, conservative rule: visible from the first bar of the next week). Exit
    at t: MACD(t-1) > SIG(t-1) and MACD(t) < SIG(t).

    The original was described as multi-timeframe but traded the daily cross alone; the weekly
    filter is the part it never implemented. Its first-value seeding means the first weeks of a
    run's weekly MACD (and its first daily bars) carry the seed's bias: the catalogue's warm-up
    is max(fast, slow, signal) + 20 daily bars.
    """

    name = "tv_mtf_macd"
    version = "1.0.0"
    category = "trend"
    description = (
        "Daily MACD/signal crossovers, buying only while the weekly MACD is above its signal "
        "line (last complete week)."
    )
    tags = ("macd", "multi-timeframe", "weekly", "trend")
    fast_period = Int(12, 2, 50, "MACD fast EMA length", below="slow_period")
    slow_period = Int(26, 5, 100, "MACD slow EMA length")
    signal_period = Int(9, 1, 20, "Signal EMA length")
    display = (
        Pane("macd", "MACD {fast_period}/{slow_period}"),
        Pane("macd_signal", "Signal {signal_period}"),
        Pane("weekly_hist", "Weekly MACD - signal (last complete week)", levels=(0.0,)),
    )

    def warmup(self) -> int:
        return max(self.fast_period, self.slow_period, self.signal_period) + 20

    def _macd(self, x: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        line = ema(x, self.fast_period, seed="first") - ema(x, self.slow_period, seed="first")
        return line, ema(line, self.signal_period, seed="first")

    def signals(self, bars: Bars) -> Signals:
        line, sig = self._macd(bars.close)
        weeks = resample(bars, "W", interval="1d")
        w_line, w_sig = self._macd(weeks.close)
        w_hist = align(w_line - w_sig, weeks)
        l1, s1 = previous(line), previous(sig)
        return Signals(
            long_entry=(l1 < s1) & (line > sig) & (w_hist > 0),
            long_exit=(l1 > s1) & (line < sig),
            series={"macd": line, "macd_signal": sig, "weekly_hist": w_hist},
        )
