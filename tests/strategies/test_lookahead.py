"""The look-ahead check itself: it passes causal strategies and catches the classic mistakes with
the first differing bar. (Every registered strategy is put through it by test_registry_suite.py.)
"""

from __future__ import annotations

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.signals import Signals
from ava_backtest.runs.execute import load_run_panel, with_required_data
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.registry import all_strategies


def _bars_for(strategy: Strategy) -> Bars:
    cfg = RunConfig(strategy_name=strategy.name, universe="us_sample")
    panel, _ = load_run_panel(cfg, strategy)
    return with_required_data(strategy, panel, "US")


class _Peeking(Strategy, register=False):
    name = "test_peeking"

    def signals(self, bars: Bars) -> Signals:
        s = Signals.empty(bars.close.shape)
        nxt = np.roll(bars.close, -1, axis=0)  # tomorrow's close: the classic mistake
        s.long_entry = nxt > bars.close * 1.01
        s.long_exit = nxt < bars.close * 0.99
        return s


class _OpenTimed(Strategy, register=False):
    name = "test_open_timed"
    timing = "open"

    def __init__(self, peek_close: bool = False) -> None:
        super().__init__()
        self.peek_close = peek_close

    def signals(self, bars: Bars) -> Signals:
        s = Signals.empty(bars.close.shape)
        prev_close = np.vstack([np.full((1, bars.n_symbols), np.nan), bars.close[:-1]])
        today = bars.close if self.peek_close else bars.open
        with np.errstate(invalid="ignore"):
            s.long_entry = today > prev_close * 1.01  # a gap up (or, wrongly, a strong close)
        return s


def _us_bars() -> Bars:
    return _bars_for(all_strategies()["sma_crossover"]())


def test_a_strategy_reading_tomorrow_fails_with_the_first_bar():
    report = check_lookahead(_Peeking(), _us_bars(), points=8)
    assert not report.ok
    d = report.first_difference
    assert d.array in ("long_entry", "long_exit")
    assert d.bar == d.prefix_length - 1  # the last bar of a prefix is where tomorrow is missing
    assert "differs at bar" in str(d)


def test_open_timed_strategy_may_read_the_open_but_not_the_close():
    bars = _us_bars()
    assert check_lookahead(_OpenTimed(), bars, points=6).ok
    report = check_lookahead(_OpenTimed(peek_close=True), bars, points=6)
    assert not report.ok and report.first_difference.array == "long_entry"
