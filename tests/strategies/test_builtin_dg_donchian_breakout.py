"""dg_donchian_breakout: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

from handmade import make_bars, signal_bars, signals_of, trade

NAME = "dg_donchian_breakout"


def _expected(h, c, n):
    """The rule written out: the previous bar's channel top is at its n-bar high and the close
    breaks above it."""
    up = [max(h[i - n + 1 : i + 1]) if i >= n - 1 else None for i in range(len(h))]

    def new_high(i):
        back = [up[i - j] for j in range(1, n)]
        return up[i] is not None and all(u is not None and up[i] >= u for u in back)

    return [t for t in range(1, len(c)) if new_high(t - 1) and c[t] > up[t - 1]]


CLOSE = [10, 10, 10, 10, 10, 11, 10.5, 10.5, 10.5, 10.5, 9, 9, 9, 10.6, 10.6]


def test_entry_is_a_close_above_the_previous_channel_top_at_a_new_high():
    bars = make_bars(CLOSE)
    expected = _expected(CLOSE, CLOSE, 3)
    # bar 5 breaks 10; bar 11 only equals the top (10.5); bar 13 breaks 9 but the channel top had
    # just fallen (not at a new high): near misses
    assert expected == [5]
    assert signal_bars(signals_of(NAME, bars, don_length=3).long_entry) == expected


def test_stop_at_the_channel_basis():
    # risk = 11 - basis(10, 10) = 1 below the fill at 10.5; bar 10 opens at 9, through the stop
    row = trade(NAME, make_bars(CLOSE), don_length=3).trades.row(0, named=True)
    assert row["entry_price"] == 10.5
    assert row["exit_reason"] == "stop_loss"
    assert row["exit_price"] == 9.0


def test_take_profit_at_profit_rr_times_the_risk():
    bars = make_bars([10, 10, 10, 10, 10, 11, 10.5, 11.4, 12, 12])
    row = trade(NAME, bars, don_length=3, profit_rr=1.0).trades.row(0, named=True)
    assert row["exit_reason"] == "take_profit"
    assert row["exit_price"] == 12.0  # target 11.5; bar 8 opens at 12, above it
