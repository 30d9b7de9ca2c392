"""MACD + RSI: buy a MACD cross up shortly after an oversold RSI, sell a cross down shortly after an
overbought RSI; percent stop and target."""

import numba as nb
import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Pane,
    Signals,
    Strategy,
    macd,
    rsi,
)


def _lagged(flags: np.ndarray, k: int = 1) -> np.ndarray:
    """A boolean array ``k`` bars later (False on the first ``k`` bars)."""
    out = np.zeros_like(flags)
    out[k:] = flags[:-k]
    return out


@nb.njit(cache=True)
def _within(flags: np.ndarray, k: int, out: np.ndarray) -> None:
    """out[t] = ``flags`` held on any of the bars t-1 .. t-k (a running count per symbol)."""
    rows, cols = flags.shape
    count = np.zeros(cols, dtype=np.int64)
    for t in range(rows):  # bars outer, symbols inner: the arrays are (bars, symbols) C-order
        for j in range(cols):
            if t >= 1 and flags[t - 1, j]:
                count[j] += 1
            if t >= k + 1 and flags[t - 1 - k, j]:
                count[j] -= 1
            out[t, j] = count[j] > 0


def _seen_within(flags: np.ndarray, k: int) -> np.ndarray:
    out = np.empty(flags.shape, dtype=np.bool_)
    _within(np.ascontiguousarray(flags), k, out)
    return out


class TvMacdRsi(Strategy):
    """MACD = EMA(close, fast_length) - EMA(close, slow_length), SIG = EMA(MACD, signal_length),
    every EMA seeded with the mean of its first values; RSI = Wilder RSI(rsi_length). Entry at t:
    MACD(t-2) <= SIG(t-2) and MACD(t-1) > SIG(t-1) (the cross, seen one bar late as in the
    original) and RSI <= rsi_oversold on any of bars t-1 .. t-rsi_back_candles. Exit at t: the
    mirror cross down with RSI >= rsi_overbought on one of those bars. Engine stop and target
    ``stop_loss_pct`` / ``take_profit_pct`` % from the fill (percent, as the defaults 0.99 and 10
    read).

    Differences: the original only bought, and ignored its stop, target and rsi_overbought, so it
    held its first entry to the end of the data; here those are real exits. Its RSI was seeded
    from the changes of bars 2..n+1, each average divided by the count of its moves (never firing
    at all for a start with no down move in them); here it is the standard Wilder RSI.
    """

    name = "tv_macd_rsi"
    version = "1.0.0"
    category = "mean_reversion"
    direction = "long_only"
    description = (
        "Buys a MACD bullish cross (seen one bar late) when RSI was oversold within the preceding "
        "few bars; sells the mirror cross after an overbought RSI; percent stop and target."
    )
    tags = ("macd", "rsi", "mean-reversion", "stop-loss", "take-profit", "tradingview")
    fast_length = Int(12, 1, 200, "MACD fast EMA length", below="slow_length", window=True)
    slow_length = Int(26, 2, 400, "MACD slow EMA length", window=True)
    signal_length = Int(9, 1, 200, "Signal EMA length", window=True)
    rsi_length = Int(14, 2, 200, "RSI length (Wilder)", window=True)
    stop_loss_pct = Float(0.99, 0.1, 99.0, "Stop below the fill, percent")
    take_profit_pct = Float(10.0, 0.1, 1000.0, "Target above the fill, percent")
    rsi_back_candles = Int(5, 1, 100, "Bars before t scanned for an oversold/overbought RSI")
    rsi_oversold = Float(30.0, 1.0, 50.0, "Entry: RSI at or below this within the scanned bars")
    rsi_overbought = Float(70.0, 50.0, 99.0, "Exit: RSI at or above this within the scanned bars")
    display = (
        Pane("macd", "MACD {fast_length}/{slow_length}", pane="macd"),
        Pane("signal", "Signal {signal_length}", pane="macd"),
        Pane("rsi", "RSI {rsi_length}", levels=("rsi_oversold", "rsi_overbought")),
    )

    def warmup(self) -> int:
        return max(self.slow_length, self.rsi_length) + self.rsi_back_candles + 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        m = macd(c, self.fast_length, self.slow_length, self.signal_length)
        r = rsi(c, self.rsi_length)
        k = self.rsi_back_candles
        # The cross on bar t-1: MACD over its signal there, at or under it on bar t-2.
        bull = _lagged((m.macd > m.signal) & _lagged(m.macd <= m.signal))
        bear = _lagged((m.macd < m.signal) & _lagged(m.macd >= m.signal))
        entry = bull & _seen_within(r <= self.rsi_oversold, k)
        return Signals(
            long_entry=entry,
            long_exit=bear & _seen_within(r >= self.rsi_overbought, k) & ~entry,
            stop_loss=self.stop_loss_pct / 100.0,
            take_profit=self.take_profit_pct / 100.0,
            series={"macd": m.macd, "signal": m.signal, "rsi": r},
        )
