"""RSI 1200: in an uptrend (the prior close over 1% above a 150-EMA) buy the RSI crossing back
above oversold; sell an overbought RSI, or at the percent stop."""

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    crossed_above,
    crossed_below,
    ema,
    previous,
    rsi,
)


class TvRsi1200(Strategy):
    """RSI = Wilder RSI(rsi_length); EMA = EMA(close, ema_length) seeded with the mean of its
    first ema_length closes. From bar ema_length + 2 of each symbol (the original's warm-up
    guard), entry at t (``show_long``): RSI(t-1) <= rsi_oversold < RSI(t) and close(t-1) > 1.01
    EMA(t-1). Exits: RSI(t) > rsi_overbought, the stop ``stop_loss_pct`` % below the fill, and,
    with ``show_short``, the original's mirror turn (RSI(t-1) >= rsi_overbought > RSI(t) with
    close(t-1) < 0.99 EMA(t-1)).

    Differences: the original returned none of its exits — the overbought RSI exit and the
    stop were computed (or stored) and dropped, so it held its first long to the end of the
    data; here both are real (the stop is an engine exit). Its third exit, a "3 red candles
    near the EMA" pattern, is not stated in the catalogue and is left out. Its RSI read 0, not
    100, when no bar had closed lower; the library's reads 100.
    """

    name = "tv_rsi_1200"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "In an uptrend (prior close >1% above a 150-EMA) buys when RSI crosses back above the "
        "oversold level; sells an overbought RSI or at a 10% stop."
    )
    tags = ("rsi", "ema", "oversold", "trend-filter", "stop-loss")
    rsi_length = Int(14, 2, 100, "RSI length", window=True)
    rsi_overbought = Int(72, 1, 99, "Exit when RSI is above this")
    rsi_oversold = Int(28, 1, 99, "Entry when RSI crosses back above this", below="rsi_overbought")
    ema_length = Int(150, 2, 500, "Trend EMA length", window=True)
    stop_loss_pct = Float(10.0, 0.1, 50.0, "Stop distance below the fill, percent")
    show_long = Bool(True, "Enable long entries")
    show_short = Bool(False, "Also exit on RSI turning down from overbought below the EMA")
    display = (
        Overlay("ema", "EMA {ema_length}"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_oversold", "rsi_overbought")),
    )

    def warmup(self) -> int:
        return self.ema_length + 3

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        r = rsi(c, self.rsi_length)
        trend = ema(c, self.ema_length)
        ready = bars.ready(self.ema_length + 2)
        prev_c, prev_e = previous(c), previous(trend)
        entry = (
            ready
            & crossed_above(r, float(self.rsi_oversold), from_touch=True)
            & (prev_c > 1.01 * prev_e)
        )
        if not self.show_long:
            entry[:] = False
        exit_ = r > self.rsi_overbought
        if self.show_short:
            exit_ |= (
                ready
                & crossed_below(r, float(self.rsi_overbought), from_touch=True)
                & (prev_c < 0.99 * prev_e)
            )
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            stop_loss=self.stop_loss_pct / 100.0,
            series={"ema": trend, "rsi": r},
        )
