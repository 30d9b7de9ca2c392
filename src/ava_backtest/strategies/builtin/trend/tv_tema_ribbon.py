"""TEMA ribbon: buy when four triple EMAs first line up fast over slow; sell when they first
line up the other way."""

import numba as nb
import numpy as np

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy


@nb.njit(cache=True)
def _ribbon(
    x: np.ndarray,
    first: np.ndarray,
    alphas: np.ndarray,
    out: np.ndarray,
    bull: np.ndarray,
    bear: np.ndarray,
) -> None:
    """The four TEMAs in one pass over the closes: per column, three EMA recursions per length
    (y <- (x - y) alpha + y, started at the column's first value), TEMA = 3 E1 - 3 E2 + E3 in the
    library's own operation order (so the values equal ``tema(close, n, seed="first")``), and
    the two alignments. One pass instead of twelve EMA passes and their temporaries."""
    rows, cols = x.shape
    y = np.zeros((4, 3, cols))
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < 0:
                for q in range(4):
                    out[q, i, j] = np.nan
                bull[i, j] = False
                bear[i, j] = False
                continue
            v = x[i, j]
            for q in range(4):
                a = alphas[q]
                if k == 0:
                    y[q, 0, j] = v
                    y[q, 1, j] = v
                    y[q, 2, j] = v
                else:
                    y[q, 0, j] = (v - y[q, 0, j]) * a + y[q, 0, j]
                    y[q, 1, j] = (y[q, 0, j] - y[q, 1, j]) * a + y[q, 1, j]
                    y[q, 2, j] = (y[q, 1, j] - y[q, 2, j]) * a + y[q, 2, j]
                out[q, i, j] = 3.0 * y[q, 0, j] - 3.0 * y[q, 1, j] + y[q, 2, j]
            t1, t2, t3, t4 = out[0, i, j], out[1, i, j], out[2, i, j], out[3, i, j]
            bull[i, j] = t1 > t2 and t2 > t3 and t3 > t4
            bear[i, j] = t1 < t2 and t2 < t3 and t3 < t4


def _first_bars(flag: np.ndarray) -> np.ndarray:
    """True at t when ``flag`` holds at t-1 and not at t-2 (a new state, seen one bar late)."""
    out = np.zeros(flag.shape, dtype=np.bool_)
    out[2:] = flag[1:-1] & ~flag[:-2]
    return out


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

    def _lengths(self) -> tuple[int, int, int, int]:
        return (self.tema1_length, self.tema2_length, self.tema3_length, self.tema4_length)

    def warmup(self) -> int:
        return 3 * max(self._lengths())

    def signals(self, bars: Bars) -> Signals:
        x = np.require(bars.close, np.float64, ["C", "W"])
        valid = ~np.isnan(x)
        first = np.where(valid.any(axis=0), np.argmax(valid, axis=0), x.shape[0]).astype(np.int64)
        alphas = np.array([2.0 / (n + 1) for n in self._lengths()])
        out = np.empty((4, *x.shape))
        bull = np.empty(x.shape, dtype=np.bool_)
        bear = np.empty(x.shape, dtype=np.bool_)
        _ribbon(x, first, alphas, out, bull, bear)
        ready = bars.ready(self.warmup() - 1)
        return Signals(
            long_entry=ready & _first_bars(bull),
            long_exit=ready & _first_bars(bear),
            series={f"tema{q + 1}": out[q] for q in range(4)},
        )
