"""MACD histogram reversal: buy a trough of the negative histogram, sell a peak of the positive
histogram; optional percent stop and target."""

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, ema, previous


class TvMacdHistogramReversal(Strategy):
    """MACD = EMA(close, fast) - EMA(close, slow), SIG = EMA(MACD, signal), H = MACD - SIG, every
    EMA seeded at its first value (as in the original). Entry at t: H(t) > H(t-1) < H(t-2) and H(t)
    < 0 (a negative histogram turns up). Exit at t: H(t) < H(t-1) > H(t-2) and H(t) > 0 (a positive
    histogram turns down). Engine stop and target ``stop_loss_pct`` / ``take_profit_pct`` % from
    the fill when set.

    Differences: the original only ever bought and ignored its stop and target, so it held its
    first trough to the end of the data; here the mirror-image peak closes the long and the stop
    and target (off by default, as in the catalogue) are real exits.
    """

    name = "tv_macd_histogram_reversal"
    version = "1.0.0"
    category = "trend"
    direction = "long_only"
    description = (
        "Buys when a negative MACD histogram forms a trough (turns up); sells when a positive "
        "histogram forms a peak; optional percent stop and target."
    )
    tags = ("macd", "histogram", "reversal", "tradingview")
    fast_period = Int(12, 1, 200, "MACD fast EMA length", below="slow_period", window=True)
    slow_period = Int(26, 2, 400, "MACD slow EMA length", window=True)
    signal_period = Int(9, 1, 200, "Signal EMA length", window=True)
    stop_loss_pct = Float(None, 0.1, 99.0, "Stop below the fill, percent (None: off)")
    take_profit_pct = Float(None, 0.1, 1000.0, "Target above the fill, percent (None: off)")
    display = (
        Pane("macd", "MACD {fast_period}/{slow_period}", pane="macd"),
        Pane("signal", "Signal {signal_period}", pane="macd"),
        Pane("hist", "Histogram", pane="macd", levels=(0.0,), style="histogram"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        line = ema(c, self.fast_period, seed="first") - ema(c, self.slow_period, seed="first")
        sig = ema(line, self.signal_period, seed="first")
        h = line - sig
        h1, h2 = previous(h), previous(h, 2)
        stop, target = self.stop_loss_pct, self.take_profit_pct
        return Signals(
            long_entry=(h > h1) & (h1 < h2) & (h < 0),
            long_exit=(h < h1) & (h1 > h2) & (h > 0),
            stop_loss=None if stop is None else stop / 100.0,
            take_profit=None if target is None else target / 100.0,
            series={"macd": line, "signal": sig, "hist": h},
        )
