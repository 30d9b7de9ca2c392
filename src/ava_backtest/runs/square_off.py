"""Indian intraday product: every position is squared off before the session ends.

An NSE/BSE intraday (MIS) position may not be carried overnight: the broker closes it shortly
before 15:30 IST (typically 15:20). On intraday bars a run on market ``IN`` with
``costs.product = "intraday"`` therefore gets an exit of every open position, long and short, so
that it fills at the open of the session's last bar (``fill=next_open``: the exit is laid on the bar
before it, where the engine takes decisions for the next open) or at the last bar's close (exits at
the close: ``fill=close`` or a strategy with ``exit_at = "close"``). Entries that would fill on that
last bar, or at its close, are dropped, so nothing is opened to be held overnight. An entry decided
on the session's last bar fills at the next session's open, a new day, and stays.

Daily bars cannot express an intraday round trip (a position opened at one bar's open cannot close
at the same bar's close), so they are left as they are; the run's fee table still charges the
intraday product.
"""

from __future__ import annotations

from dataclasses import replace

import numpy as np

from ava_backtest.data.sessions import bar_minutes, session_clock
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.base import Strategy

SQUARE_OFF_MARKETS = ("IN",)


def applies(config: RunConfig, dates: np.ndarray) -> bool:
    """Whether ``config``'s positions are squared off each session (Indian intraday product on
    intraday bars)."""
    return (
        config.market in SQUARE_OFF_MARKETS
        and config.costs.product == "intraday"
        and bar_minutes(dates) is not None
    )


def square_off(
    config: RunConfig, strategy: Strategy, signals: Signals, dates: np.ndarray
) -> Signals:
    """``signals`` (in engine rows, after ``timed_for_engine``) with the session-end exits and
    without the entries that would fill on a session's last bar."""
    if not applies(config, dates):
        return signals
    session = session_clock(np.asarray(dates), config.market)["session"]
    n = len(session)
    last = np.ones(n, dtype=np.bool_)  # the last bar of its session
    if n > 1:
        last[:-1] = session[1:] != session[:-1]
    before_last = np.zeros(n, dtype=np.bool_)  # decides for the last bar's open
    before_last[:-1] = last[1:] & ~last[:-1]
    exits_at_close = config.fill == "close" or strategy.exit_at == "close"
    exit_rows = last if exits_at_close else before_last
    entry_rows = last if config.fill == "close" else before_last
    exit_2d, entry_2d = exit_rows[:, None], entry_rows[:, None]
    return replace(
        signals,
        long_exit=signals.long_exit | exit_2d,
        short_exit=signals.short_exit | exit_2d,
        long_entry=signals.long_entry & ~entry_2d,
        short_entry=signals.short_entry & ~entry_2d,
    )
