"""Everything a strategy author needs, from one import::

    from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, crossed_above, sma

The base class and its parameter types, ``Signals`` and ``Bars``, the display declarations, the
whole indicator library (docs/indicators.md) with its crossover helpers, and the registry. The
guide is docs/strategies/ADDING_STRATEGIES.md.
"""

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.errors import DataError, ParameterError
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators import *  # noqa: F403 -- the library is part of the authoring kit
from ava_backtest.indicators import __all__ as _indicators
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.display import Display, Overlay, Pane
from ava_backtest.strategies.params import Bool, Choice, Float, Int, Param, Text
from ava_backtest.strategies.registry import all_strategies, get_strategy, register

__all__ = [
    "Bars",
    "Bool",
    "Choice",
    "DataError",
    "Display",
    "Float",
    "Int",
    "Overlay",
    "Pane",
    "Param",
    "ParameterError",
    "Signals",
    "Strategy",
    "Text",
    "all_strategies",
    "get_strategy",
    "register",
    *_indicators,
]

# The original platform's bar-by-bar interface (generate_signal).
from ava_backtest.strategies.bar_by_bar import BaseStrategy, Signal

__all__ += ["BaseStrategy", "Signal"]
