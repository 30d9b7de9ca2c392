"""BB Winner PRO: buy a bearish candle whose lower part pierces the previous bar's lower Bollinger
band, with RSI, trend-MA and optional Aroon filters; real stop-loss and early exits."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Pane,
    ParameterError,
    Signals,
    Strategy,
    Text,
    aroon,
    atr,
    bollinger,
    ema,
    ewm,
    previous,
    sma,
)

MA_TYPES = ("EMA", "SMA")
SL_TYPES = ("Percent", "ATR")


class TvBbWinnerPro(Strategy):
    """UPPER/LOWER = SMA(close, bb_length) +/- bb_std x sample std. SIZE = |close - open| (high -
    low with ``include_shadow``); BUYZ = low + candle_pct x SIZE, SELLZ = high - candle_pct x SIZE.
    RSI: gains and losses of the close (0 on the first bar) smoothed by EMAs with alpha =
    2/(rsi_length+1) seeded at the first bar; RSI = 100 G/(G + L) (50 on a flat window). MA = EMA
    or SMA(close, ma_length) (``ma_type``); AROON = Aroon-Up(aroon_length).

    Entry at t: BUYZ(t) < LOWER(t-1), close(t) < open(t), and the enabled filters on bar t-1: RSI
    < rsi_long_threshold, AROON > aroon_confirmation, close > MA. Exit at t (the original's short
    entry, which a long-only design can only use to sell): SELLZ(t) > UPPER(t-1), close(t) >
    open(t), RSI(t-1) > rsi_short_threshold, AROON(t-1) > aroon_confirmation, close(t-1) < MA(t-1).
    ``close_early`` also sells on that opposite-band candle alone (SELLZ(t) > UPPER(t-1) and
    close(t) > open(t), no filters); with ``use_aroon``, AROON(t) < aroon_stop sells. With
    ``use_sl`` every trade has a stop: ``sl_percent`` below the fill (sl_type Percent) or
    ``sl_atr_mult`` x ATR(sl_atr_length) (Wilder, at the signal bar; sl_type ATR).

    The original crashed on every bar (its unused ATR helper), and computed its stop, early and
    Aroon exits without emitting them, so with the MA filter a long could never close while price
    stayed above the MA. Here the stop, the early exit and the Aroon stop are real. Aroon ties go
    to the most recent high (the original took the oldest); EMAs are seeded with the SMA.
    """

    name = "tv_bb_winner_pro"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Bollinger candle-penetration mean reversion with RSI, EMA-200 and optional Aroon filters; "
        "percent or ATR stop-loss, early exit on the opposite band."
    )
    tags = ("bollinger", "candle", "rsi", "aroon", "trend-filter", "stop-loss", "tradingview")
    bb_length = Int(20, 2, 250, "Bollinger length", window=True)
    bb_std = Float(2.0, 0.5, 5.0, "Bollinger std multiple (sample std)")
    candle_pct = Float(0.3, 0.0, 1.0, "Fraction of the candle size for the buy/sell zones")
    include_shadow = Bool(False, "Candle size is high - low (else |close - open|)")
    use_rsi = Bool(True, "Apply the RSI filter")
    rsi_long_threshold = Int(45, 0, 100, "Buy needs RSI(t-1) below this")
    rsi_short_threshold = Int(55, 0, 100, "The filtered sell needs RSI(t-1) above this")
    rsi_length = Int(14, 2, 100, "RSI length (EMA-smoothed gains and losses)", window=True)
    use_aroon = Bool(False, "Apply the Aroon-Up filter and stop")
    aroon_length = Int(288, 2, 1000, "Aroon length", window=True)
    aroon_confirmation = Int(90, 0, 100, "Aroon-Up(t-1) must exceed this (use_aroon)")
    aroon_stop = Int(70, 0, 100, "Sell when Aroon-Up falls below this (use_aroon)")
    use_ma = Bool(True, "Apply the moving-average trend filter")
    ma_type = Text("EMA", "Trend MA type: EMA or SMA")
    ma_length = Int(200, 2, 500, "Trend MA length", window=True)
    use_sl = Bool(True, "Use a stop-loss")
    sl_type = Text("Percent", "Stop type: Percent or ATR")
    sl_percent = Float(0.07, 0.001, 0.9, "Stop distance below the fill, as a fraction (Percent)")
    sl_atr_mult = Float(7.0, 0.1, 50.0, "Stop distance in ATRs (ATR)")
    sl_atr_length = Int(14, 2, 100, "ATR length for the ATR stop (Wilder)", window=True)
    close_early = Bool(True, "Also sell on an opposite-band candle, without the filters")
    display = (
        Overlay("upper", "BB upper ({bb_length}, {bb_std})"),
        Overlay("lower", "BB lower ({bb_length}, {bb_std})"),
        Overlay("ma", "{ma_type} {ma_length}"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_long_threshold", "rsi_short_threshold")),
    )
    warmup_extra = 5

    def check_params(self) -> None:
        for field, allowed in (("ma_type", MA_TYPES), ("sl_type", SL_TYPES)):
            if self.params[field] not in allowed:
                raise ParameterError(
                    f"must be one of {list(allowed)}, got {self.params[field]!r}",
                    field=f"params.{field}",
                )

    def _rsi(self, close: np.ndarray) -> np.ndarray:
        d = close - previous(close)
        alpha = 2.0 / (self.rsi_length + 1)
        gain = ewm(np.fmax(d, 0.0), alpha)  # fmax: the first bar's missing change counts as 0
        loss = ewm(np.fmax(-d, 0.0), alpha)
        total = gain + loss
        with np.errstate(divide="ignore", invalid="ignore"):
            r = np.where(total > 0, 100.0 * gain / total, 50.0)
        return np.where(np.isnan(close), np.nan, r)

    def signals(self, bars: Bars) -> Signals:
        o, h, lo, c = bars.open, bars.high, bars.low, bars.close
        bb = bollinger(c, self.bb_length, self.bb_std, ddof=1)
        size = h - lo if self.include_shadow else np.abs(c - o)
        buyz, sellz = lo + self.candle_pct * size, h - self.candle_pct * size
        r = self._rsi(c)
        ma = ema(c, self.ma_length) if self.ma_type == "EMA" else sma(c, self.ma_length)
        up, dn, r1 = previous(bb.upper), previous(bb.lower), previous(r)
        above, below = previous(c) > previous(ma), previous(c) < previous(ma)
        long_ok = short_ok = np.ones(c.shape, dtype=bool)
        if self.use_rsi:
            long_ok, short_ok = r1 < self.rsi_long_threshold, r1 > self.rsi_short_threshold
        if self.use_aroon:
            aroon_up = aroon(h, lo, self.aroon_length).up
            confirmed = previous(aroon_up) > self.aroon_confirmation
            long_ok, short_ok = long_ok & confirmed, short_ok & confirmed
        if self.use_ma:
            long_ok, short_ok = long_ok & above, short_ok & below
        opposite = (sellz > up) & (c > o)
        entry = (buyz < dn) & (c < o) & long_ok
        exit_ = opposite & short_ok
        if self.close_early:
            exit_ |= opposite
        if self.use_aroon:
            exit_ |= aroon_up < self.aroon_stop
        stop = None
        if self.use_sl:
            stop = (
                self.sl_percent
                if self.sl_type == "Percent"
                else self.sl_atr_mult * atr(h, lo, c, self.sl_atr_length)
            )
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            stop_loss=stop,
            stop_loss_abs=self.use_sl and self.sl_type == "ATR",
            series={"upper": bb.upper, "lower": bb.lower, "ma": ma, "rsi": r},
        )
