"""connors_rsi: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "connors_rsi"
P = {"sma_filter_period": 50}


def _spec(close: list[float], p: int, n: int, entry: float, exit_: float):
    """The catalogue's statement with its RSI corrected: over the last p changes, G and L the
    plain means of gains and losses; no loss gives 100 (the original returned 0)."""
    c = np.asarray(close)
    buys, sells = [], []
    for t in range(max(p, n - 1), len(c)):
        d = np.diff(c[t - p : t + 1])
        g, loss = d[d > 0].sum() / p, -d[d < 0].sum() / p
        r = 50.0 if g == loss == 0 else 100.0 if loss == 0 else 100 - 100 / (1 + g / loss)
        sma = c[t - n + 1 : t + 1].mean()
        if r < entry and c[t - 1] > sma:
            buys.append(t)
        if r > exit_ and c[t - 1] < sma:
            sells.append(t)
    return buys, sells


# A climb (every window all gains: RSI 100, never a buy), two down closes at 60-61, a recovery,
# then a slide far below the SMA and two up closes at 110-111.
UP = [100.0 + i for i in range(60)] + [158.0, 157.0] + [158.0 + i for i in range(8)]
DOWN = [165.0 - 3.0 * i for i in range(1, 41)]
CLOSE = UP + DOWN + [DOWN[-1] + 1.0, DOWN[-1] + 2.0, DOWN[-1] + 1.5] + [DOWN[-1]] * 4


def test_dip_above_the_trend_buys_and_a_spike_below_it_shorts():
    sig = signals_of(NAME, make_bars(CLOSE), **P)
    buys, sells = _spec(CLOSE, 2, 50, 10.0, 90.0)
    assert buys[0] == 61  # two down closes (RSI 0) with the close above the SMA
    # The slide's first bars too, while the previous close is still above the SMA.
    assert buys[1:] == list(range(71, 71 + len(buys) - 1)) and len(buys) > 2
    assert sells == [111]  # two up closes (RSI 100) with the previous close below the SMA
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.short_entry) == sells
    assert signal_bars(sig.long_exit) == sells


def test_near_miss_an_all_gains_window_is_not_oversold():
    # The original's RSI read 0 on the climb and bought every bar of it; 100 is not oversold.
    sig = signals_of(NAME, make_bars(UP[:60]), **P)
    assert signal_bars(sig.long_entry) == []
    # A one-down-one-up window (RSI 50) above the SMA does not buy either.
    assert 60 not in signal_bars(signals_of(NAME, make_bars(CLOSE), **P).long_entry)


def test_the_spike_reverses_the_long_into_a_short():
    res = trade(NAME, make_bars(CLOSE), **P)
    assert res.trades["direction"].to_list() == ["long"]
    assert res.trades["exit_reason"].to_list() == ["reversal"]
    assert res.open_positions["direction"].to_list() == ["short"]
