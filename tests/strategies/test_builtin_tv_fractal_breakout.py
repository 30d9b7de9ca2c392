"""tv_fractal_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_fractal_breakout"

#        high  low   close
BARS = [
    (10.0, 9.0, 9.5),
    (11.0, 10.0, 10.5),  # 1: fractal high 11 (known at 2)
    (10.8, 9.8, 10.0),
    (10.5, 9.5, 10.2),  # 3: fractal low 9.5 (known at 4)
    (10.9, 9.7, 10.8),
    (11.3, 10.5, 11.2),  # 5: closes above 11, but is itself a fractal high 11.3 (known at 6)
    (11.2, 10.9, 11.1),  # 6: near miss, close(5) 11.2 < 11.3
    (11.5, 11.0, 11.4),
    (11.6, 11.2, 11.5),  # 8: close(7) 11.4 > 11.3: entry
    (11.5, 10.0, 10.1),  # 9: bar 8 is a fractal high 11.6: close(8) 11.5 below it, no entry
    (10.5, 9.0, 9.2),
    (9.5, 8.8, 9.0),  # 11: close(10) 9.2 < 9.5: exit
    (9.2, 8.9, 9.1),  # 12: a new fractal low 8.8 (bar 11) is known: close(11) 9.0 is above it
]


def _expected(h, lo, c, n):
    """The rule walked bar by bar: fractals (ties allowed) known n bars later; the previous close
    against the latest known ones."""
    lfh = lfl = None
    entry, exit_ = [], []
    for t in range(len(c)):
        i = t - n
        if i >= n:
            if h[i] == max(h[i - n : t + 1]):
                lfh = h[i]
            if lo[i] == min(lo[i - n : t + 1]):
                lfl = lo[i]
        if t == 0:
            continue
        if lfh is not None and c[t - 1] > lfh:
            entry.append(t)
        elif lfl is not None and c[t - 1] < lfl:
            exit_.append(t)
    return entry, exit_


def _bars():
    h, lo, c = (list(x) for x in zip(*BARS, strict=True))
    return make_bars(c, high=h, low=lo), h, lo, c


def test_previous_close_against_the_latest_confirmed_fractals():
    bars, h, lo, c = _bars()
    expected = _expected(h, lo, c, 1)
    assert expected == ([8], [11])
    sig = signals_of(NAME, bars, fractal_period=1)
    assert signal_bars(sig.long_entry) == expected[0]
    assert signal_bars(sig.long_exit) == expected[1]
    assert not signals_of(NAME, bars, fractal_period=1, exit_on_fractal_low=False).long_exit.any()


def test_the_optional_stop_is_an_engine_exit():
    bars, *_ = _bars()
    plain = trade(NAME, bars, fractal_period=1).trades.row(0, named=True)
    assert (plain["exit_reason"], np.datetime64(plain["exit_time"], "ns")) == (
        "signal",
        bars.dates[12],
    )
    stopped = trade(NAME, bars, fractal_period=1, stop_loss_pct=0.05).trades.row(0, named=True)
    assert stopped["exit_reason"] == "stop_loss"  # filled at 10.1 (bar 9), bar 10 opens at 9.2
    assert np.datetime64(stopped["exit_time"], "ns") == bars.dates[10]
