"""The grammar: the phrases it reads, the rule form they become, the parameters their numbers
become, and errors that name the unread phrase and what was expected — never a guess."""

from __future__ import annotations

import pytest

from ava_backtest.builder import RuleError, read_rules
from ava_backtest.builder.rules import AllOf, AnyOf, Compare, Cross, Held, Indicator, Price, Within


def _params(text: str) -> dict[str, tuple[float, float, float, str | None]]:
    return {p.name: (p.default, p.minimum, p.maximum, p.below) for p in read_rules(text).parameters}


@pytest.mark.parametrize(
    "phrase",
    ["20 EMA", "EMA(20)", "the 20-day EMA", "EMA 20", "the 20 period exponential moving average"],
)
def test_indicator_spellings_are_one_reference(phrase: str):
    rule = read_rules(f"Buy when close crosses above {phrase}, sell when close is below {phrase}")
    assert isinstance(rule.long_entry, Cross)
    right = rule.long_entry.right
    assert isinstance(right, Indicator) and right.name == "ema" and right.args[0].value == 20
    assert [p.name for p in rule.parameters] == ["ema_period"]  # one number, one parameter


def test_readme_example_gives_fast_below_slow_parameters_and_the_reverse_cross():
    rule = read_rules("Buy when 20 EMA crosses above 50 EMA, sell on cross-under")
    assert _params("Buy when 20 EMA crosses above 50 EMA, sell on cross-under") == {
        "ema_fast_period": (20, 2, 200, "ema_slow_period"),
        "ema_slow_period": (50, 2, 500, None),
    }
    assert isinstance(rule.long_exit, Cross) and rule.long_exit.direction == "below"
    assert rule.long_exit.left == rule.long_entry.left  # the entry's cross, reversed
    assert rule.direction == "long_only"


def test_thresholds_levels_and_exits_become_bounded_parameters():
    p = _params(
        "Buy when RSI(14) falls below 30 and the close is above the 200-day SMA. Sell when RSI "
        "rises above 70. Stop loss at 2 x ATR(10), take profit 10%, exit after 10 bars, "
        "risk 1% per trade"
    )
    assert p == {
        "rsi_period": (14, 2, 140, None),
        "entry_rsi_level": (30, 0, 100, None),
        "sma_period": (200, 2, 2000, None),
        "exit_rsi_level": (70, 0, 100, None),
        "stop_loss_atr_multiple": (2, 0.2, 20, None),
        "stop_loss_atr_period": (10, 2, 100, None),
        "take_profit": (0.1, 0.01, 1.0, None),
        "max_hold_bars": (10, 1, 100, None),
        "risk_per_trade": (0.01, 0.001, 0.1, None),
    }


def test_and_or_for_within_and_multi_line_indicators():
    rule = read_rules(
        "Buy when MACD(12, 26, 9) crosses above its signal line and ADX > 25 for 3 bars "
        "or close crosses above the upper Bollinger band(20, 2) within 5 bars; "
        "sell when the stochastic %K drops below 20"
    )
    top = rule.long_entry
    assert isinstance(top, AnyOf) and len(top.conditions) == 2
    first, second = top.conditions
    assert isinstance(first, AllOf)
    macd_cross, adx_held = first.conditions
    assert isinstance(macd_cross, Cross) and macd_cross.right.output == "signal"
    assert isinstance(adx_held, Held) and adx_held.bars.value == 3
    assert isinstance(adx_held.condition, Compare) and adx_held.condition.op == ">"
    assert isinstance(second, Within) and second.condition.right.output == "upper"
    exit_ = rule.long_exit
    assert (
        isinstance(exit_, Cross) and exit_.left.name == "stochastic" and exit_.direction == "below"
    )
    names = {p.name: p for p in rule.parameters}
    assert names["macd_fast"].below == "macd_slow"
    assert names["bollinger_mult"].default == 2.0


def test_short_side_breakouts_sizes_and_trailing_stops():
    rule = read_rules(
        "Short when the close breaks below the 20-day low; cover when close is above the 10 "
        "SMA. Use 10% of equity, with a 5% trailing stop and a 3 ATR take profit"
    )
    assert rule.direction == "short_only"
    assert isinstance(rule.short_entry, Cross)
    assert rule.short_entry.right.name == "lowest" and rule.short_entry.right.source == "low"
    assert isinstance(rule.short_exit.left, Price)
    assert rule.size.mode == "fraction" and rule.size.value.value == 0.1
    assert rule.exits.trail.unit == "fraction" and rule.exits.trail.value.value == 0.05
    assert rule.exits.take_profit.unit == "atr" and rule.exits.take_profit.atr_period.value == 14


@pytest.mark.parametrize(
    ("text", "phrase", "expected_part"),
    [
        ("Buy when the moon is full", "moon is full", "an indicator"),
        ("Buy when 20 EMA crosses above 50 EMA, sell on Tuesdays", "Tuesdays", "'cross-under'"),
        ("Purchase when RSI < 30", "Purchase when RSI < 30", "'buy'"),
        ("Buy when RSI(14) is below", "Buy when RSI(14) is below", "a number"),
        ("Buy when close > 20 EMA, stop loss at lots", "lots", "a number"),
        ("Buy when RSI(14, 3) < 30", "RSI(14, 3)", "RSI(14)"),
        ("Buy when EMA(20) crosses above its signal line", "its signal line", "MACD"),
        ("Buy when close > SMA(20), sell on cross-under", "sell on cross-under", "crosses above"),
        ("Sell when RSI > 70", "Sell when RSI > 70", "'buy when ...'"),
        ("Buy when close > SMA(20), risk 1%", "risk 1%", "stop loss"),
        ("Buy when the upper EMA(20) < close", "the upper EMA(20)", "value"),
    ],
)
def test_unreadable_text_names_the_phrase_and_what_was_expected(text, phrase, expected_part):
    with pytest.raises(RuleError) as e:
        read_rules(text)
    err = e.value
    assert err.field == "input"
    assert err.details["phrase"] == phrase, str(err)
    assert any(expected_part in x for x in err.details["expected"]), err.details["expected"]
    assert phrase in str(err)
    assert text.find(phrase) + 1 == err.details["column"]


def test_text_longer_than_the_limit_is_refused_by_name():
    from ava_backtest.builder.grammar import MAX_CHARS

    text = "Buy when close > SMA(20) " + "and close > SMA(30) " * 60
    assert len(text) > MAX_CHARS
    with pytest.raises(RuleError, match=f"at most {MAX_CHARS} are read") as e:
        read_rules(text)
    assert e.value.details["column"] == MAX_CHARS + 1


def test_negative_levels_and_whole_bar_counts():
    rule = read_rules("Buy when Williams %R crosses above -80 for 2 bars")
    assert rule.long_entry.condition.right.value == -80
    p = {x.name: x for x in rule.parameters}
    assert (p["entry_williams_r_level"].minimum, p["entry_williams_r_level"].maximum) == (-100, 0)
    with pytest.raises(RuleError):
        read_rules("Buy when close > SMA(20) for 2.5 bars")
