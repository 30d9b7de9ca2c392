"""Multi-timeframe RSI: buy a daily RSI below 30 while the weekly RSI is above 50; sell on a
daily RSI above 70."""

from ava_backtest.strategies import Bars, Float, Pane, Signals, Strategy, cutler_rsi
from ava_backtest.strategies.timeframes import align, resample


class TvMtfRsi(Strategy):
    """RSI14 is Cutler's (plain means of the last 14 gains and losses). Entry at t: the daily
    RSI14(t) < 30 and the weekly RSI14 of the last complete week > weekly_level (weekly closes of
    calendar weeks resampled from the daily bars; the framework's higher-timeframe bars,
    conservative rule: a week is seen from the first bar of the next week). Exit at t: daily
    RSI14(t) > 70. Thresholds and lengths are the original's, hard-coded.

    The original was described as multi-timeframe but used the daily RSI alone (and had no
    parameters): the weekly filter is the part it never implemented, weekly_level (Ava's
    parameter, 50 = the weekly trend is up) its threshold. The weekly RSI needs 15 weeks of
    bars, so a run's first weeks cannot buy.
    """

    name = "tv_mtf_rsi"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys a daily 14-bar RSI below 30 while the weekly RSI is above 50 (last complete week); "
        "sells when the daily RSI is above 70."
    )
    tags = ("rsi", "multi-timeframe", "weekly", "mean-reversion")
    weekly_level = Float(50.0, 0.0, 100.0, "Entry needs the last complete week's RSI above this")
    display = (
        Pane("rsi", "RSI 14 (daily)", levels=(30.0, 70.0)),
        Pane("weekly_rsi", "RSI 14 (weekly, last complete week)", levels=("weekly_level",)),
    )

    def warmup(self) -> int:
        return 14

    def signals(self, bars: Bars) -> Signals:
        r = cutler_rsi(bars.close, 14)
        weeks = resample(bars, "W", interval="1d")
        w = align(cutler_rsi(weeks.close, 14), weeks)
        return Signals(
            long_entry=(r < 30.0) & (w > self.weekly_level),
            long_exit=r > 70.0,
            series={"rsi": r, "weekly_rsi": w},
        )
