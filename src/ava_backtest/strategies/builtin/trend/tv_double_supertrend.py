"""Double Supertrend: buy when the fast Supertrend turns up; sell when the slow one turns down
(or at a fixed target), with a percent stop."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    ParameterError,
    Signals,
    Strategy,
    Text,
    previous,
    supertrend,
)


class TvDoubleSupertrend(Strategy):
    """ST1, ST2 = Supertrends (hl2 +/- factor x ATR, bands ratcheting towards price) with the ATR
    the plain mean of the last ``st*_atr_period`` true ranges, as catalogued. Entry at t: ST1
    turns bullish (down at t-1, up at t). Exit: with ``tp_type`` "Supertrend", ST2 turning
    bearish at t (up at t-1, down at t); with "Percent", the take-profit ``tp_percent`` (a
    fraction) above the fill instead. Always: the stop ``sl_percent`` (a fraction) below the
    fill.

    The original never emitted a signal: its final bands were seeded with NaN and stayed NaN, and
    its direction test was inverted (the "entry" fired when ST1 turned bearish). Here the bands
    start on the first ATR bar, the long opens when ST1 turns bullish as intended, and the
    declared but unused tp_type, tp_percent and sl_percent are real exits.
    """

    name = "tv_double_supertrend"
    version = "1.0.0"
    category = "trend"
    description = (
        "Two Supertrends: buy when the fast one turns bullish, sell when the slow one turns "
        "bearish (or at a percent target), with a percent stop-loss."
    )
    tags = ("supertrend", "atr", "trend", "stop-loss")
    st1_atr_period = Int(10, 1, 100, "Entry Supertrend ATR length", window=True)
    st1_factor = Float(3.0, 0.1, 20.0, "Entry Supertrend multiplier")
    st2_atr_period = Int(10, 1, 100, "Exit Supertrend ATR length", window=True)
    st2_factor = Float(5.0, 0.1, 20.0, "Exit Supertrend multiplier")
    tp_type = Text(
        "Supertrend",
        "Supertrend (exit when the slow Supertrend turns bearish) or Percent (fixed target)",
    )
    tp_percent = Float(
        0.015, 0.001, 1.0, "Take-profit distance above the fill, a fraction (Percent)"
    )
    sl_percent = Float(0.1, 0.001, 1.0, "Stop-loss distance below the fill, a fraction")
    display = (
        Overlay("st1", "Supertrend {st1_atr_period}/{st1_factor}"),
        Overlay("st2", "Supertrend {st2_atr_period}/{st2_factor}"),
    )
    warmup_extra = 20

    def check_params(self) -> None:
        kinds = {"supertrend": "Supertrend", "percent": "Percent"}
        kind = kinds.get(str(self.params["tp_type"]).lower())
        if kind is None:
            raise ParameterError(
                f"must be Supertrend or Percent, got {self.params['tp_type']!r}",
                field="params.tp_type",
            )
        self.params["tp_type"] = kind

    def signals(self, bars: Bars) -> Signals:
        h, lo, c = bars.high, bars.low, bars.close
        st1 = supertrend(h, lo, c, self.st1_atr_period, self.st1_factor, atr_smoothing="sma")
        st2 = supertrend(h, lo, c, self.st2_atr_period, self.st2_factor, atr_smoothing="sma")
        entry = (previous(st1.direction) == -1.0) & (st1.direction == 1.0)
        percent = self.tp_type == "Percent"
        exit_ = (previous(st2.direction) == 1.0) & (st2.direction == -1.0)
        return Signals(
            long_entry=entry,
            long_exit=np.zeros_like(entry) if percent else exit_,
            stop_loss=self.sl_percent,
            take_profit=self.tp_percent if percent else None,
            series={"st1": st1.line, "st2": st2.line},
        )
