"""The compiler: every construct of the rule form gives a kit strategy that registers, declares
bounded parameters, refuses bad ones naming the field, passes the look-ahead check, and trades."""

from __future__ import annotations

from pathlib import Path

import numpy as np
import pytest

from ava_backtest.builder import compile_rule, read_rules, save
from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ParameterError
from ava_backtest.runs.execute import run_backtest
from ava_backtest.strategies.registry import get_strategy

CASES = {
    "b_rsi_trend": (
        "Buy when RSI(14) falls below 30 and the close is above the 200-day SMA; sell when "
        "RSI rises above 70; stop loss at 2 x ATR(10); take profit 15%; exit after 20 bars"
    ),
    "b_macd_adx": (
        "Buy when MACD(12, 26, 9) crosses above its signal line and ADX > 20 for 3 bars; "
        "sell when MACD crosses below its signal line or close falls below the lower "
        "Bollinger band(20, 2)"
    ),
    "b_breakout_long_short": (
        "Buy when the close crosses above the 20-day high; sell when close crosses below the "
        "10-day low. Short when the close crosses below the 20-day low; cover when close "
        "crosses above the 10-day high. With a 3 ATR trailing stop"
    ),
    "b_stoch_within": (
        "Buy when the stochastic %K crosses above %D line within 3 bars and close > 50 SMA; "
        "sell when stochastic %K > 80, risk 1% per trade, stop loss 5%"
    ),
}


@pytest.mark.parametrize("name", sorted(CASES))
def test_each_construct_compiles_registers_is_causal_and_trades(name: str, strategy_dir: Path):
    built = save(CASES[name], name)  # save runs the look-ahead check itself
    assert any("look-ahead check" in c for c in built.checks)
    cls = get_strategy(name)
    for p in built.rule.parameters:
        declared = cls.parameters[p.name]
        assert declared.minimum <= declared.default <= declared.maximum
        with pytest.raises(ParameterError) as e:
            cls(**{p.name: declared.maximum * 10 + 1})
        assert p.name in str(e.value)
    result = run_backtest(RunConfig(strategy_name=name, universe="us_sample"))
    assert result.trades.height > 0, name
    # every declared stop, target, trail and time stop ends some trade (as the registry suite asks)
    declared = {
        reason
        for field, reason in (
            ("stop_loss", "stop_loss"),
            ("take_profit", "take_profit"),
            ("trail", "trailing_stop"),
            ("max_hold", "max_hold"),
        )
        if getattr(built.rule.exits, field) is not None
    }
    assert declared <= set(result.trades["exit_reason"]), name


def test_fast_must_stay_below_slow(strategy_dir: Path):
    save("Buy when 10 SMA crosses above 30 SMA, sell on the opposite cross", "b_sma_cross")
    with pytest.raises(ParameterError, match="sma_fast_period"):
        get_strategy("b_sma_cross")(sma_fast_period=40)


def test_for_n_bars_means_every_one_of_the_last_n_bars():
    code = compile_rule(read_rules("Buy when close > SMA(5) for 3 bars"), "b_held")
    assert (
        "rolling_sum((bars.close > sma_line).astype(float), self.holds_bars) >= self.holds_bars"
        in code
    )
    ns: dict[str, object] = {}
    exec(compile(code.replace("(Strategy)", "(Strategy, register=False)"), "b_held", "exec"), ns)
    close = np.array([1, 1, 1, 1, 1, 5, 6, 7, 8, 1, 9, 9, 9, 9], dtype=float)[:, None]
    dates = np.arange(len(close)).astype("datetime64[D]").astype("datetime64[ns]")
    bars = Bars(dates, ("X",), close, close, close, close, np.ones_like(close))
    sig = ns["BHeld"]().signals(bars)
    # close > SMA(5) on bars 5-8 and 10-13; three in a row from bar 7 and bar 12; warm-up 6 bars
    expected = [False] * 7 + [True, True, False, False, False, True, True]
    assert sig.long_entry[:, 0].tolist() == expected
