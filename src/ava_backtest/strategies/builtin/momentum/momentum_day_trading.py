"""Momentum day trading (daily bars): buy a >2% up-close after a volume spike, above the EMA."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    atr,
    ema,
    pct_change,
    previous,
    rsi,
    sma,
)


class MomentumDayTrading(Strategy):
    """Entry at t: close(t)/close(t-1) - 1 > price_move_pct, volume(t-1) > vol_mult x VS(t) with
    VS(t) = mean(volume[t-n..t-1]) (n = vol_sma_period, bar t excluded), and close(t-1) > EMA(t)
    (EMA of the close, SMA seed) — the original's entry, which tests the previous bar's volume.
    No signal before the symbol's bar ``max(rsi_period, vol_sma_period, ema_period, atr_period) +
    5``. Exits: RSI(rsi_period) > rsi_overbought (Wilder RSI), a trailing stop ``atr_stop_mult`` x
    ATR(atr_period) below the highest high since entry, and the time stop ``max_hold`` (the fill
    bar is bar 1). A daily design: it holds overnight like every daily strategy.

    Differences: the original's exit block never ran (its in-trade flag was never set), so its
    first long was held to the end of the data; here the three exits it declared are real. The
    trailing distance is the ATR at the entry signal (the engine's trail keeps one distance), where
    the dead code re-read ATR each bar; the RSI and ATR are the library's Wilder versions (ATR
    seeded with the mean of TR over bars 1..p, as the original).
    """

    name = "momentum_day_trading"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Buys a >2 percent up-close when the previous bar had a volume spike and closed above the "
        "EMA; exits on RSI overbought, an ATR trailing stop or a maximum hold."
    )
    tags = ("momentum", "volume-spike", "ema", "trailing-stop", "time-stop")
    rsi_period = Int(14, 2, 100, "RSI length for the overbought exit", window=True)
    rsi_overbought = Float(75.0, 50.0, 100.0, "Exit when RSI is above this")
    price_move_pct = Float(0.02, 0.0, 0.5, "Minimum one-bar close-to-close gain")
    vol_mult = Float(2.0, 0.5, 20.0, "Volume spike multiple")
    vol_sma_period = Int(20, 1, 200, "Volume average length (excludes current bar)", window=True)
    ema_period = Int(20, 2, 400, "Trend EMA", window=True)
    atr_period = Int(14, 1, 100, "ATR length for the trailing stop", window=True)
    atr_stop_mult = Float(2.0, 0.1, 10.0, "Trailing stop distance, in ATRs")
    max_hold = Int(5, 1, 250, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("ema", "EMA {ema_period}"),
        Pane("volume_avg", "Volume SMA {vol_sma_period} (to t-1)"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_overbought",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        trend = ema(bars.close, self.ema_period)
        vol_avg = previous(sma(bars.volume, self.vol_sma_period))
        r = rsi(bars.close, self.rsi_period)
        entry = (
            (pct_change(bars.close) > self.price_move_pct)
            & (previous(bars.volume) > self.vol_mult * vol_avg)
            & (previous(bars.close) > trend)
        )
        trail = self.atr_stop_mult * atr(
            bars.high, bars.low, bars.close, self.atr_period, convention="talib"
        )
        return Signals(
            long_entry=entry & bars.ready(self.warmup()),
            long_exit=r > self.rsi_overbought,
            trail=trail,
            trail_abs=True,
            max_hold=self.max_hold,
            series={"ema": trend, "volume_avg": vol_avg, "rsi": r},
        )
