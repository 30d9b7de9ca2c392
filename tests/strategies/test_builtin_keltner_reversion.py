"""keltner_reversion: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

from keltner_case import check_rule, check_time_stop_and_short, sma_atr

NAME = "keltner_reversion"


def test_channel_breaks_buy_and_short_a_bar_later():
    check_rule(NAME, sma_atr)  # ATR: plain mean of the last p true ranges


def test_time_stop_ends_the_long_and_the_short():
    check_time_stop_and_short(NAME)
