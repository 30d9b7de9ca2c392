"""Strategies: base class, typed parameters, registry and the built-in catalogue."""

from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.params import Bool, Choice, Float, Int, Param
from ava_backtest.strategies.registry import all_strategies, get_strategy, register

__all__ = [
    "Bool",
    "Choice",
    "Float",
    "Int",
    "Param",
    "Strategy",
    "all_strategies",
    "get_strategy",
    "register",
]

# The original platform's bar-by-bar interface (generate_signal).
from ava_backtest.strategies.bar_by_bar import BaseStrategy, Signal

__all__ += ["BaseStrategy", "Signal"]
