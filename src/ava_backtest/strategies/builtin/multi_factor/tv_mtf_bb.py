"""Multi-timeframe Bollinger: buy a daily close below the lower band while the weekly close is
above its weekly middle band; sell at the daily upper band or when the weekly trend is lost."""

from ava_backtest.strategies import Bars, Float, Int, Overlay, Signals, Strategy, bollinger, sma
from ava_backtest.strategies.timeframes import align, resample


class TvMtfBb(Strategy):
    """Daily bands: SMA_n(close) +/- k population std_n (n = bb_length, k = bb_mult). Weekly
    middle band from weekly bars (calendar weeks resampled from the daily bars): SMA_w of the
    weekly close (w = htf_length), each week's values seen on the daily grid only once the week
    is complete (the framework's higher-timeframe bars, conservative rule: from the first
    bar of the next week). Entry at t: close(t) < daily lower(t) and the last complete week's
    close > its weekly middle band. Exit at t: close(t) > daily upper(t) or the last complete
    week's close < its weekly middle band.

    The original was a stub that never signalled, with no parameters: bb_length, bb_mult and
    htf_length are Ava's. The catalogue's warm-up is 1 bar, so a run's first weeks have no
    weekly band yet (no signal until it exists).
    """

    name = "tv_mtf_bb"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys daily closes below the lower Bollinger band while the weekly close is above its "
        "weekly middle band; sells at the daily upper band or when the weekly trend breaks."
    )
    tags = ("bollinger", "multi-timeframe", "weekly", "mean-reversion")
    bb_length = Int(20, 5, 200, "Daily band length n")
    bb_mult = Float(2.0, 0.5, 5.0, "Standard-deviation multiple k of the daily bands")
    htf_length = Int(20, 2, 104, "Weekly band length w, in weeks")
    display = (
        Overlay("bb_upper", "Daily upper {bb_length}, {bb_mult}"),
        Overlay("bb_lower", "Daily lower {bb_length}, {bb_mult}"),
        Overlay("weekly_mid", "Weekly middle band {htf_length} (last complete week)"),
    )

    def warmup(self) -> int:
        return 1

    def signals(self, bars: Bars) -> Signals:
        daily = bollinger(bars.close, self.bb_length, self.bb_mult)
        weeks = resample(bars, "W", interval="1d")
        wk_mid = sma(weeks.close, self.htf_length)
        w_close = align(weeks.close, weeks)
        w_mid = align(wk_mid, weeks)
        close = bars.close
        return Signals(
            long_entry=(close < daily.lower) & (w_close > w_mid),
            long_exit=(close > daily.upper) | (w_close < w_mid),
            series={"bb_upper": daily.upper, "bb_lower": daily.lower, "weekly_mid": w_mid},
        )
