"""A crossover strategy's signals for a whole grid of line lengths at once (``Strategy.sweep_signals``).

Each distinct length's line is computed once (through the indicator cache, as the single runs do),
and every (fast, slow) pair's two crosses come from one pass over the lines (``pair_crosses``), so
column j equals the single run's ``crossed_above(fast, slow)`` / ``crossed_above(slow, fast)``.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence

import numpy as np

from ava_backtest.domain.bars import Bars
from ava_backtest.domain.signals import Signals
from ava_backtest.indicators.crosses import pair_crosses


def crossover_sweep(
    bars: Bars,
    line: Callable[[int], np.ndarray],
    pairs: Sequence[tuple[int, int]],
    *,
    from_touch: bool = True,
    ready: Sequence[int] | None = None,
) -> Signals:
    """Long entry where the fast line crosses above the slow one, exit on the opposite cross, for
    each ``(fast, slow)`` length pair on the one-symbol ``bars``; ``line(n)`` is the line of
    length n over ``bars`` (bars, 1). ``ready[j]``: pair j fires from the symbol's bar
    ``ready[j]`` on only (``bars.ready``), as a rule guarded by its warm-up does."""
    if bars.n_symbols != 1:
        raise ValueError(f"a crossover sweep runs on one symbol, got {bars.n_symbols}")
    t = bars.n_bars
    lengths = sorted({n for pair in pairs for n in pair})
    column = {n: k for k, n in enumerate(lengths)}
    lines = np.empty((t, len(lengths)))
    for n, k in column.items():
        lines[:, k] = np.asarray(line(n), dtype=np.float64).reshape(t)
    up, down = pair_crosses(
        lines,
        [column[fast] for fast, _ in pairs],
        [column[slow] for _, slow in pairs],
        from_touch=from_touch,
    )
    if ready is not None:
        listed = bars.ready(0)[:, 0]  # from the symbol's first bar on
        first = int(np.argmax(listed)) if listed.any() else t
        allowed = np.arange(t)[:, None] >= first + np.asarray(ready, dtype=np.int64)[None, :]
        up &= allowed
        down &= allowed
    return Signals(long_entry=up, long_exit=down)
