"""keltner_reversion_fast: its rule on hand-made bars (the registry suite checks the rest)."""

from __future__ import annotations

from keltner_case import check_rule, check_time_stop_and_short, wilder_atr

NAME = "keltner_reversion_fast"


def test_channel_breaks_buy_and_short_a_bar_later():
    # Wilder's ATR; the catalogue seeds it at bar p - 1 with TR[1..p] (a peek), Ava at bar p with
    # the same ranges. On these bars both are 2 until the drop, so the channel is the same.
    check_rule(NAME, lambda p: wilder_atr(p, None, p - 1))
    check_rule(NAME, lambda p: wilder_atr(p, None, p))


def test_time_stop_ends_the_long_and_the_short():
    check_time_stop_and_short(NAME)
