"""TEMA ribbon: buy when four triple EMAs first line up fast over slow; sell when they first
line up the other way."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, previous, tema


class TvTemaRibbon(Strategy):
    """Tk = TEMA(close, temak_length) = 3 E1 - 3 E2 + E3, each EMA (alpha 2/(n+1)) started at
    its first value. BULL(i): T1 > T2 > T3 > T4 at bar i; BEAR(i): T1 < T2 < T3 < T4. From bar
    3 max(lengths) - 1 of each symbol (the original's guard), entry at t: BULL(t-1) and not
    BULL(t-2); exit at t: BEAR(t-1) and not BEAR(t-2) — both read one bar late, as the
    original's entry.

    Difference: the original's bearish-alignment branch was commented out, so it never sold and
    held its first long to the end of the data; here the bearish alignment closes the long.
    """

    name = "tv_tema_ribbon"
    version = "1.0.0"
    category = "trend"
    description = (
        "Buys when four triple-EMAs first line up in bullish order; sells when they first line up "
        "in bearish order."
    )
    tags = ("tema", "ribbon", "moving-average", "alignment", "trend")
    tema1_length = Int(8, 1, 100, "Fastest TEMA length", below="tema2_length")
    tema2_length = Int(13, 2, 150, "Second TEMA length", below="tema3_length")
    tema3_length = Int(21, 3, 200, "Third TEMA length", below="tema4_length")
    tema4_length = Int(34, 4, 300, "Slowest TEMA length")
    display = (
        Overlay("tema1", "TEMA {tema1_length}"),
        Overlay("tema2", "TEMA {tema2_length}"),
        Overlay("tema3", "TEMA {tema3_length}"),
        Overlay("tema4", "TEMA {tema4_length}"),
    )

    def warmup(self) -> int:
        return 3 * max(self.tema1_length, self.tema2_length, self.tema3_length, self.tema4_length)

    def signals(self, bars: Bars) -> Signals:
        c = bars.close
        t1, t2, t3, t4 = (
            tema(c, n, seed="first")
            for n in (self.tema1_length, self.tema2_length, self.tema3_length, self.tema4_length)
        )
        bull = ((t1 > t2) & (t2 > t3) & (t3 > t4)).astype(np.float64)
        bear = ((t1 < t2) & (t2 < t3) & (t3 < t4)).astype(np.float64)
        ready = bars.ready(self.warmup() - 1)
        return Signals(
            long_entry=ready & (previous(bull) == 1.0) & (previous(bull, 2) == 0.0),
            long_exit=ready & (previous(bear) == 1.0) & (previous(bear, 2) == 0.0),
            series={"tema1": t1, "tema2": t2, "tema3": t3, "tema4": t4},
        )
