"""RSI + EMA: buy an oversold RSI while a 150-bar average is above a 600-bar one; sell an
overbought RSI."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Int,
    Overlay,
    Pane,
    ParameterError,
    Signals,
    Strategy,
    Text,
    ewm,
    rsi,
    sma,
)

MA_TYPES = ("SMA", "EMA")


class TvRsiEma(Strategy):
    """RSI = Wilder RSI(rsi_length). MA1, MA2 = the ``ma_type`` / ``ma2_type`` average of the
    close over ma_length / ma2_length bars: SMA, or an EMA (alpha 2/(n+1)) that starts at bar
    n-1 from that single close, as the original's. From bar max(rsi_length, ma_length,
    ma2_length) + 4 of each symbol (the original's guard), entry at t: RSI(t) < rsi_oversold and
    MA1(t) > MA2(t); exit at t: RSI(t) > rsi_overbought. As in the original, except that its RSI
    read 0, not 100, when no bar had closed lower; the library's reads 100.
    """

    name = "tv_rsi_ema"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys RSI-oversold bars while a 150-bar MA is above a 600-bar MA; sells whenever RSI is "
        "overbought."
    )
    tags = ("rsi", "ema", "sma", "trend-filter", "oversold")
    rsi_length = Int(14, 2, 100, "RSI length", window=True)
    rsi_overbought = Int(70, 1, 99, "Sell when RSI is above this")
    rsi_oversold = Int(30, 1, 99, "Buy when RSI is below this", below="rsi_overbought")
    ma_type = Text("EMA", "MA1 kind: SMA or EMA")
    ma_length = Int(150, 2, 1000, "MA1 length", window=True)
    ma2_type = Text("EMA", "MA2 kind: SMA or EMA")
    ma2_length = Int(600, 2, 2000, "MA2 length", window=True)
    display = (
        Overlay("ma1", "{ma_type} {ma_length}"),
        Overlay("ma2", "{ma2_type} {ma2_length}"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_oversold", "rsi_overbought")),
    )
    warmup_extra = 5

    def check_params(self) -> None:
        for field in ("ma_type", "ma2_type"):
            if self.params[field] not in MA_TYPES:
                raise ParameterError(
                    f"must be 'SMA' or 'EMA', got {self.params[field]!r}", field=f"params.{field}"
                )

    @staticmethod
    def _ma(x: np.ndarray, kind: str, n: int) -> np.ndarray:
        return sma(x, n) if kind == "SMA" else ewm(x, 2.0 / (n + 1), 1, n - 1)

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        r = rsi(c, self.rsi_length)
        ma1 = self._ma(c, self.ma_type, self.ma_length)
        ma2 = self._ma(c, self.ma2_type, self.ma2_length)
        ready = bars.ready(self.warmup() - 1)
        entry = ready & (r < self.rsi_oversold) & (ma1 > ma2)
        return Signals(
            long_entry=entry,
            long_exit=ready & (r > self.rsi_overbought) & ~entry,
            series={"ma1": ma1, "ma2": ma2, "rsi": r},
        )
