"""ROC momentum: buy the rate of change crossing above its average while positive; sell the
cross below while negative."""

from ava_backtest.strategies import (
    Bars,
    Int,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    roc,
    sma,
)


class TvRocMomentum(Strategy):
    """ROC = 100 (close / close(t - roc_length) - 1); SIG = SMA(ROC, signal_length). Entry at t:
    ROC(t-1) <= SIG(t-1), ROC(t) > SIG(t) and ROC(t) > 0. Exit at t: ROC(t-1) >= SIG(t-1),
    ROC(t) < SIG(t) and ROC(t) < 0. As in the original."""

    name = "tv_roc_momentum"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys when Rate of Change crosses above its SMA while positive; sells when it crosses "
        "below while negative."
    )
    tags = ("roc", "momentum", "crossover")
    roc_length = Int(12, 1, 500, "ROC lookback r", window=True)
    signal_length = Int(9, 1, 200, "SMA length s of the ROC", window=True)
    display = (
        Pane("roc", "ROC {roc_length}", pane="roc", levels=(0.0,)),
        Pane("signal", "SMA {signal_length} of ROC", pane="roc"),
    )

    def warmup(self) -> int:
        return self.roc_length + self.signal_length + 5

    def signals(self, bars: Bars) -> Signals:
        r = roc(bars.close, self.roc_length)
        sig = sma(r, self.signal_length)
        return Signals(
            long_entry=crossed_above(r, sig, from_touch=True) & (r > 0.0),
            long_exit=crossed_below(r, sig, from_touch=True) & (r < 0.0),
            series={"roc": r, "signal": sig},
        )
