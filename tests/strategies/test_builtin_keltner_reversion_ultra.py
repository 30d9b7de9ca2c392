"""keltner_reversion_ultra: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

import numpy as np
from handmade import signals_of
from keltner_case import P, bars, check_rule, check_time_stop_and_short, wilder_atr

NAME = "keltner_reversion_ultra"


def test_channel_breaks_buy_and_short_a_bar_later():
    # The catalogue's ATR: Wilder's from bar p - 1 with the first bar's range counted as 0.
    check_rule(NAME, lambda p: wilder_atr(p, 0.0, p - 1))


def test_no_channel_before_both_periods_have_passed():
    # The catalogue defines the bands from bar max(ema_period, atr_period); the EMA alone has a
    # value from bar ema_period - 1.
    sig = signals_of(NAME, bars(), **{**P, "ema_period": 5})
    assert (
        np.isnan(sig.series["upper"][:5, 0]).all() and np.isfinite(sig.series["upper"][5:, 0]).all()
    )


def test_time_stop_ends_the_long_and_the_short():
    check_time_stop_and_short(NAME)
