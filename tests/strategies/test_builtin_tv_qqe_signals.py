"""tv_qqe_signals: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade
from written_out import arr, ema, prev, wilder_rsi

NAME = "tv_qqe_signals"
P = {"rsi_period": 3, "rsi_smoothing": 2, "qqe_factor": 1.0}

# A slide, a rally, a slide again.
CLOSE = [100, 99, 98, 97, 96, 95, 94, 95, 97, 99, 101, 103, 105, 106, 105, 103, 101, 99, 97]
CLOSE += [96, 95]


def _qqe(close, n=3, k=2, factor=1.0):
    """The QQE written out from the catalogue's 'intended' statement, bands started at their
    first values."""
    rsima = ema(wilder_rsi(close, n), k)
    dar = factor * ema(np.abs(rsima - prev(rsima)), 2 * n - 1)
    line = np.full(len(rsima), np.nan)
    lb = sb = None
    trend = 0
    for i in range(len(rsima)):
        if np.isnan(rsima[i]) or np.isnan(dar[i]):
            continue
        new_long, new_short = rsima[i] - dar[i], rsima[i] + dar[i]
        if lb is None:
            lb, sb = new_long, new_short
            line[i] = sb
            continue
        trend = 1 if rsima[i] > sb else -1 if rsima[i] < lb else trend
        lb = max(lb, new_long) if rsima[i - 1] > lb and rsima[i] > lb else new_long
        sb = min(sb, new_short) if rsima[i - 1] < sb and rsima[i] < sb else new_short
        line[i] = lb if trend == 1 else sb
    return rsima, line


def _spec(close, **kw):
    r, q = _qqe(arr(close), **kw)
    t_ = range(1, len(r))
    buys = [t for t in t_ if r[t - 1] <= q[t - 1] and r[t] > q[t]]
    sells = [t for t in t_ if r[t - 1] >= q[t - 1] and r[t] < q[t]]
    return buys, sells


def test_the_smoothed_rsi_crossing_its_qqe_line_buys_and_sells():
    buys, sells = _spec(CLOSE)
    assert buys == [11] and sells == [14]  # the line exists from bar 9 (DAR needs 5 changes)
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, make_bars(CLOSE), **P).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [make_bars(CLOSE).dates[12], make_bars(CLOSE).dates[15]]


def test_near_miss_a_wide_factor_keeps_the_line_out_of_reach():
    assert _spec(CLOSE, factor=8.0)[0] == []
    assert (
        signal_bars(signals_of(NAME, make_bars(CLOSE), **P | {"qqe_factor": 8.0}).long_entry) == []
    )
