"""Hull moving-average crossover, confirmed one bar late: long on the cross up, out on the cross down."""

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, hma, previous


class TvHullMaCrossover(Strategy):
    """HMA(L) = WMA(2 WMA(close, floor(L/2)) - WMA(close, L), floor(sqrt(L))), the close itself
    for L = 1. F, S = HMA(fast_length), HMA(slow_length). Entry at t: F(t-1) > S(t-1) and F(t-2)
    <= S(t-2); exit at t: F(t-1) < S(t-1) and F(t-2) >= S(t-2) — the original's cross, seen one
    bar late. The square-root length is floored, as in the original (Pine rounds it).
    """

    name = "tv_hull_ma_crossover"
    version = "1.0.0"
    category = "trend"
    description = (
        "Fast/slow Hull moving-average crossover, detected one bar late: buys the cross up, sells "
        "the cross down."
    )
    tags = ("hull", "moving-average", "crossover", "trend")
    fast_length = Int(9, 1, 200, "Fast HMA length", window=True)
    slow_length = Int(21, 2, 400, "Slow HMA length", window=True)
    display = (Overlay("fast", "HMA {fast_length}"), Overlay("slow", "HMA {slow_length}"))
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        fast = c.copy() if self.fast_length < 2 else hma(c, self.fast_length)
        slow = hma(c, self.slow_length)
        f1, s1, f2, s2 = previous(fast), previous(slow), previous(fast, 2), previous(slow, 2)
        entry = (f1 > s1) & (f2 <= s2)
        return Signals(
            long_entry=entry,
            long_exit=(f1 < s1) & (f2 >= s2) & ~entry,
            series={"fast": fast, "slow": slow},
        )
