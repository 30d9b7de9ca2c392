"""Vela superada ("candle overcome"): buy a green candle that follows a red one, above a fast
EMA, with RSI not overbought and MACD rising; exit at the take-profit or the stop."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    ema,
    rsi,
)


class TvVelaSuperada(Strategy):
    """EMA = EMA(close, ema_length), RSI = Wilder RSI(rsi_length), MACD = EMA12 - EMA26 of the
    close (the line only); the EMAs start at the first close. From bar max(ema_length,
    rsi_length, 26) + 4 of each symbol (the original's guard), entry at t (``show_long``):
    open(t-1) > close(t-1), close(t) > open(t), close(t) > EMA(t-1), close(t-1) > EMA(t-1),
    RSI(t-1) < 65 and MACD(t-1) > MACD(t-2). Exits (engine): the target ``tp_percent`` % and the
    stop ``sl_percent`` % from the fill; with ``show_short`` also the mirror pattern (green then
    red candle, both closes under EMA(t-1), RSI(t-1) > 35, MACD(t-1) < MACD(t-2)).

    Differences: the original stored tp_percent and sl_percent and never used them, so it held
    its first long to the end of the data; here they are the engine's target and stop. Its RSI
    divided by zero (and aborted the run) when the first rsi_length changes had no decline; the
    library's RSI reads 100 there.
    """

    name = "tv_vela_superada"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Buys a bullish candle that follows a bearish one when price is above a fast EMA, RSI is "
        "not overbought and MACD is rising; 1.2% target, 1.8% stop."
    )
    tags = ("candlestick", "ema", "rsi", "macd", "stop-loss", "take-profit")
    ema_length = Int(10, 2, 200, "Trend EMA length", window=True)
    rsi_length = Int(14, 2, 100, "RSI length n", window=True)
    tp_percent = Float(1.2, 0.1, 50.0, "Take-profit distance above the fill, percent")
    sl_percent = Float(1.8, 0.1, 50.0, "Stop distance below the fill, percent")
    show_long = Bool(True, "Enable long entries")
    show_short = Bool(False, "Also exit on the bearish mirror pattern")
    display = (
        Overlay("ema", "EMA {ema_length}"),
        Pane("rsi", "RSI {rsi_length}", levels=(35.0, 65.0)),
        Pane("macd", "MACD line 12/26", levels=(0.0,)),
    )

    def warmup(self) -> int:
        return max(self.ema_length, self.rsi_length, 26) + 5

    def signals(self, bars: Bars) -> Signals:
        o, c = bars.open, bars.close
        e = ema(c, self.ema_length, seed="first")
        r = rsi(c, self.rsi_length)
        line = ema(c, 12, seed="first") - ema(c, 26, seed="first")
        # Bar t's rule reads bars t and t-1: the t-1 parts are compared on views one row back.
        now, then = slice(1, None), slice(None, -1)
        rising = np.zeros(c.shape, dtype=np.bool_)  # MACD(i) > MACD(i-1)
        rising[1:] = line[1:] > line[:-1]
        ready = bars.ready(self.warmup() - 1)
        entry = np.zeros(c.shape, dtype=np.bool_)
        if self.show_long:
            entry[now] = (
                (o[then] > c[then])
                & (c[now] > o[now])
                & (c[now] > e[then])
                & (c[then] > e[then])
                & (r[then] < 65.0)
                & rising[then]
            )
            entry &= ready
        exit_ = None
        if self.show_short:
            falling = np.zeros(c.shape, dtype=np.bool_)  # MACD(i) < MACD(i-1)
            falling[1:] = line[1:] < line[:-1]
            exit_ = np.zeros(c.shape, dtype=np.bool_)
            exit_[now] = (
                (o[then] < c[then])
                & (c[now] < o[now])
                & (c[now] < e[then])
                & (c[then] < e[then])
                & (r[then] > 35.0)
                & falling[then]
            )
            exit_ &= ready & ~entry
        return Signals(
            long_entry=entry,
            long_exit=exit_,
            stop_loss=self.sl_percent / 100.0,
            take_profit=self.tp_percent / 100.0,
            series={"ema": e, "rsi": r, "macd": line},
        )
