"""Hand-written kit strategies with the rules of corpus scripts (tests/builder/pine/corpus/*.pine),
written from the Pine source by reading it, not from the transpiler's output. The test copies this
file into a strategy directory of its own and compares each strategy's trades with those of the
transpiled script (``EQUIVALENT`` maps corpus file -> strategy name).
"""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Signals,
    Strategy,
    atr,
    bollinger,
    crossed_above,
    crossed_below,
    ema,
    highest,
    macd,
    previous,
    rsi,
    sma,
    stochastic,
    value_when,
)
from ava_backtest.strategies.timeframes import align, resample

EQUIVALENT = {
    "v5_ema_cross": "hand_ema_cross",
    "v4_sma_cross": "hand_sma_cross",
    "v5_rsi_dip": "hand_rsi_dip",
    "v5_macd_tuple": "hand_macd_tuple",
    "v5_bb_revert": "hand_bb_revert",
    "v5_pct_bracket": "hand_pct_bracket",
    "v5_atr_stop_ticks": "hand_tick_bracket",
    "v5_var_entry_price": "hand_entry_price",
    "v5_security_weekly": "hand_weekly_filter",
    "v5_long_short": "hand_long_short",
    "v5_stoch": "hand_stoch",
    "v5_trailing": "hand_trailing",
    "v5_atr_distance": "hand_atr_distance",
}


class HandEmaCross(Strategy):
    name = "hand_ema_cross"
    category = "test"
    description = "EMA 20/50 cross, exit on the cross back"
    fast = Int(20, 2, 200, "fast", window=True)
    slow = Int(50, 5, 400, "slow", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        f, s = ema(bars.close, self.fast), ema(bars.close, self.slow)
        return Signals(
            long_entry=crossed_above(f, s, from_touch=True),
            long_exit=crossed_below(f, s, from_touch=True),
        )


class HandSmaCross(Strategy):
    name = "hand_sma_cross"
    category = "test"
    description = "SMA 10/30 cross"
    fast = Int(10, 2, 100, "fast", window=True)
    slow = Int(30, 5, 300, "slow", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        f, s = sma(bars.close, self.fast), sma(bars.close, self.slow)
        return Signals(
            long_entry=crossed_above(f, s, from_touch=True),
            long_exit=crossed_below(f, s, from_touch=True),
        )


class HandRsiDip(Strategy):
    name = "hand_rsi_dip"
    category = "test"
    description = "RSI 14 falls through 30, exit above 55"
    n = Int(14, 2, 50, "rsi", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        r = rsi(bars.close, self.n)
        return Signals(long_entry=crossed_below(r, 30.0, from_touch=True), long_exit=r > 55.0)


class HandMacdTuple(Strategy):
    name = "hand_macd_tuple"
    category = "test"
    description = "MACD crosses its signal below zero"
    display = ()

    def warmup(self) -> int:
        return 27

    def signals(self, bars: Bars) -> Signals:
        m = macd(bars.close, 12, 26, 9)
        return Signals(
            long_entry=crossed_above(m.macd, m.signal, from_touch=True) & (m.macd < 0),
            long_exit=crossed_below(m.macd, m.signal, from_touch=True),
        )


class HandBbRevert(Strategy):
    name = "hand_bb_revert"
    category = "test"
    description = "close falls through the lower band, exit above the middle"
    n = Int(20, 5, 100, "length", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        b = bollinger(bars.close, self.n, 2.0)
        return Signals(
            long_entry=crossed_below(bars.close, b.lower, from_touch=True),
            long_exit=bars.close > b.middle,
        )


class HandPctBracket(Strategy):
    name = "hand_pct_bracket"
    category = "test"
    description = "close crosses EMA 50; 5% stop, 12% target"
    display = ()

    def warmup(self) -> int:
        return 51

    def signals(self, bars: Bars) -> Signals:
        e = ema(bars.close, 50)
        return Signals(
            long_entry=crossed_above(bars.close, e, from_touch=True),
            stop_loss=0.05,
            take_profit=0.12,
        )


class HandTickBracket(Strategy):
    name = "hand_tick_bracket"
    category = "test"
    description = "close above the previous 20-bar high; stop 5.00, target 15.00 (ticks of 0.01)"
    n = Int(20, 5, 100, "channel", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        hh = highest(bars.high, self.n)
        return Signals(
            long_entry=bars.close > previous(hh, 1),
            stop_loss=5.0,
            take_profit=15.0,
            stop_loss_abs=True,
            take_profit_abs=True,
        )


class HandEntryPrice(Strategy):
    name = "hand_entry_price"
    category = "test"
    description = "close crosses SMA 20; exit 7% below or 15% above the signal close"
    display = ()

    def warmup(self) -> int:
        return 21

    def signals(self, bars: Bars) -> Signals:
        buy = crossed_above(bars.close, sma(bars.close, 20), from_touch=True)
        ep = value_when(bars.close, buy)
        return Signals(
            long_entry=buy, long_exit=(bars.close < ep * 0.93) | (bars.close > ep * 1.15)
        )


class HandWeeklyFilter(Strategy):
    name = "hand_weekly_filter"
    category = "test"
    description = "last complete week's close above its 10-week EMA; daily RSI 5 dips under 25"
    display = ()

    def warmup(self) -> int:
        return 51

    def signals(self, bars: Bars) -> Signals:
        weeks = resample(bars, "W", interval="1d")
        wc = align(weeks.close, weeks)
        we = align(ema(weeks.close, 10), weeks)
        r = rsi(bars.close, 5)
        return Signals(
            long_entry=(wc > we) & crossed_below(r, 25.0, from_touch=True), long_exit=r > 70.0
        )


class HandLongShort(Strategy):
    name = "hand_long_short"
    category = "test"
    description = "EMA 12/48: long on the cross up, short on the cross down, 6.00 stops"
    direction = "long_short"
    display = ()

    def warmup(self) -> int:
        return 49

    def signals(self, bars: Bars) -> Signals:
        f, s = ema(bars.close, 12), ema(bars.close, 48)
        return Signals(
            long_entry=crossed_above(f, s, from_touch=True),
            short_entry=crossed_below(f, s, from_touch=True),
            stop_loss=6.0,
            stop_loss_abs=True,
        )


class HandStoch(Strategy):
    name = "hand_stoch"
    category = "test"
    description = "slow stochastic 14/3/3 crosses in the extremes"
    k_len = Int(14, 3, 50, "k", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        st = stochastic(bars.high, bars.low, bars.close, self.k_len, 3, 3)
        return Signals(
            long_entry=crossed_above(st.k, st.d, from_touch=True) & (st.k < 25),
            long_exit=crossed_below(st.k, st.d, from_touch=True) & (st.k > 75),
        )


class HandTrailing(Strategy):
    name = "hand_trailing"
    category = "test"
    description = "high reaches the previous 55-bar high; 8.00 trail"
    n = Int(55, 10, 200, "donchian", window=True)
    display = ()

    def signals(self, bars: Bars) -> Signals:
        upper = highest(bars.high, self.n)
        return Signals(long_entry=bars.high >= previous(upper, 1), trail=8.0, trail_abs=True)


class HandAtrDistance(Strategy):
    name = "hand_atr_distance"
    category = "test"
    description = "close crosses SMA 50; stop 2.5 ATR(14) below the fill; exit on the cross back"
    atr_len = Int(14, 2, 50, "atr", window=True)
    k = Float(2.5, 0.5, 6, "multiple")
    display = ()

    def warmup(self) -> int:
        return max(self.atr_len, 50) + 1

    def signals(self, bars: Bars) -> Signals:
        basis = sma(bars.close, 50)
        distance = self.k * atr(bars.high, bars.low, bars.close, self.atr_len)
        return Signals(
            long_entry=crossed_above(bars.close, basis, from_touch=True),
            long_exit=crossed_below(bars.close, basis, from_touch=True),
            stop_loss=np.asarray(distance, dtype=float),
            stop_loss_abs=True,
        )
