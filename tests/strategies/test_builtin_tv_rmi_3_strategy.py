"""tv_rmi_3_strategy: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import make_bars, signal_bars, signals_of, trade

NAME = "tv_rmi_3_strategy"
LENGTHS = {
    "resolution": 2,  # halves every length and momentum below
    "alpha_period": 6,
    "alpha_momentum": 2,
    "beta_period": 10,
    "beta_momentum": 4,
    "gamma_period": 16,
    "gamma_momentum": 6,
}
WIDE = {"take_profit_pct": 500.0, "stop_loss_pct": 90.0}

# A long slide (all three RMIs deeply negative), then a long climb (all strongly positive).
CLOSE = [100 - 1.0 * i for i in range(14)] + [87 + 1.5 * i for i in range(14)] + [106, 105]


def _rmi(close, length, mom):
    """Catalogue: up/down moves over mom bars; U, D seeded at bar mom with that bar's move /
    length, then EMAs with a = 2/(length+1); 50 - 100/(1 + U/D), 50 when D = 0."""
    out = np.full(len(close), np.nan)
    a = 2.0 / (length + 1)
    u = d = 0.0
    for i in range(mom, len(close)):
        up, dn = max(close[i] - close[i - mom], 0), max(close[i - mom] - close[i], 0)
        u, d = (
            (up / length, dn / length) if i == mom else (a * up + (1 - a) * u, a * dn + (1 - a) * d)
        )
        out[i] = 50.0 if d == 0 else 50 - 100 / (1 + u / d)
    return out


def _spec(close, lo=(-23, -19, -19), hi=(23, 19, 19)):
    rmis = [_rmi(close, 3, 1), _rmi(close, 5, 2), _rmi(close, 8, 3)]  # the halved lengths
    t_ = range(1, len(close))
    buys = [t for t in t_ if all(x[t - 1] <= b for x, b in zip(rmis, lo, strict=True))]
    sells = [t for t in t_ if all(x[t - 1] >= b for x, b in zip(rmis, hi, strict=True))]
    return buys, [t for t in sells if t not in buys]


def test_three_deeply_negative_rmis_buy_and_three_strongly_positive_sell():
    buys, sells = _spec(CLOSE)
    assert buys[:1] == [4] and sells[:1] == [19]
    sig = signals_of(NAME, make_bars(CLOSE), **LENGTHS, **WIDE)
    assert signal_bars(sig.long_entry) == buys
    assert signal_bars(sig.long_exit) == sells
    row = trade(NAME, make_bars(CLOSE), **LENGTHS, **WIDE).trades.row(0, named=True)
    assert row["exit_reason"] == "signal"
    held = [np.datetime64(row[k], "ns") for k in ("entry_time", "exit_time")]
    assert held == [make_bars(CLOSE).dates[5], make_bars(CLOSE).dates[20]]


def test_near_miss_a_zigzag_slide_keeps_the_alpha_rmi_over_its_boundary():
    close = [100.0]
    for i in range(20):
        close.append(close[-1] + (1.7 if i % 2 == 0 else -2.0))
    # Gamma reaches -29 at bar 4 while alpha is -22 there: never all three at once.
    assert _spec(close)[0] == []
    assert signal_bars(signals_of(NAME, make_bars(close), **LENGTHS).long_entry) == []


def test_the_default_stop_and_target_end_the_longs():
    close = [*CLOSE[:6], 95.2, 95.5]
    bars = make_bars(close, open=close[:1] + close[:-1])  # each bar opens at the previous close
    trades = trade(NAME, bars, **LENGTHS).trades
    # The long filled at bar 5's open (96) stops at 0.3% under it inside that bar (96 -> 95); the
    # next, filled at bar 6's open (95), reaches its 0.35% target inside bar 7 (95.2 -> 95.5).
    assert trades["exit_reason"].to_list() == ["stop_loss", "take_profit"]
    assert trades["entry_price"].to_list() == [96.0, 95.0]
    assert np.allclose(trades["exit_price"].to_list(), [96.0 * 0.997, 95.0 * 1.0035])
