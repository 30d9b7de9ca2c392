"""Hand-built bars for strategy rule tests: a few dozen bars shaped so that a rule must fire (or
just miss), then the strategy's signals and the engine's trades on them.

    bars = make_bars(close=[10, 10, 10, 9, 12], high=..., low=...)
    sig = signals_of("my_strategy", bars, lookback=3)
    assert signal_bars(sig.long_entry) == [4]
    res = trade("my_strategy", bars, lookback=3)
    assert res.trades["exit_reason"].to_list() == ["stop_loss"]
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ava_backtest.domain.bars import Bars, Panel
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineResult, EngineSettings, simulate
from ava_backtest.runs.execute import timed_for_engine
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

Column = Sequence[float] | np.ndarray


def _block(x: Column | None, like: np.ndarray) -> np.ndarray:
    if x is None:
        return like.copy()
    a = np.asarray(x, dtype=np.float64)
    return a[:, None] if a.ndim == 1 else a


def make_bars(
    close: Column,
    *,
    open: Column | None = None,
    high: Column | None = None,
    low: Column | None = None,
    volume: Column | None = None,
    extra: dict[str, Column] | None = None,
    start: str = "2021-01-04",
    symbols: Sequence[str] | None = None,
) -> Bars:
    """Bars on consecutive business days from ``start``. A 1-D column is one symbol; a 2-D array
    is (bars, symbols). Open defaults to the close, high/low to the max/min of open and close,
    volume to 1e6."""
    c = _block(close, np.empty(0))
    o = _block(open, c)
    h = _block(high, np.maximum(o, c))
    lo = _block(low, np.minimum(o, c))
    v = _block(volume, np.full_like(c, 1e6))
    dates = np.busday_offset(np.datetime64(start, "D"), np.arange(len(c)), roll="forward")
    names = tuple(symbols) if symbols else tuple(f"S{j}" for j in range(c.shape[1]))
    more = {k: np.asarray(x, dtype=np.float64) for k, x in (extra or {}).items()}
    return Bars(dates.astype("datetime64[ns]"), names, o, h, lo, c, v, more)


def signals_of(name: str, bars: Bars, **params: Any) -> Signals:
    """The registered strategy ``name``'s signals on ``bars`` (as a run computes them)."""
    return compute_signals(get_strategy(name)(**params), bars)


def signal_bars(flags: np.ndarray, column: int = 0) -> list[int]:
    """The bars where a boolean signal array is True, for one symbol."""
    a = np.asarray(flags)
    return np.flatnonzero(a[:, column] if a.ndim == 2 else a).tolist()


def trade(
    name: str, bars: Bars, settings: EngineSettings | None = None, **params: Any
) -> EngineResult:
    """The engine's result for ``name`` on ``bars`` (no costs, shorts allowed unless long-only),
    with its signals placed as a run places them (open-timed strategies fill at that open)."""
    strategy = get_strategy(name)(**params)
    sig = timed_for_engine(strategy, compute_signals(strategy, bars))
    panel = Panel.from_prices(
        bars.dates, bars.symbols, bars.open, bars.high, bars.low, bars.close, bars.volume
    )
    base = settings or EngineSettings(allow_short=strategy.direction != "long_only")
    if strategy.exit_at == "close":
        from dataclasses import replace

        base = replace(base, exits_at_close=True)
    return simulate(panel, sig, base)
