"""Values held from the last bar where an event happened (Pine ``ta.valuewhen(cond, x, 0)``): the
latest swing high, the zone of the latest gap, a regime latched by its last trigger."""

from __future__ import annotations

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, restore


@nb.njit(cache=True)
def _value_when(x: np.ndarray, when: np.ndarray, initial: float, out: np.ndarray) -> None:
    rows, cols = x.shape
    held = np.full(cols, initial)
    for i in range(rows):  # along rows, so every pass reads contiguous memory
        xi = x[i]
        wi = when[i]
        oi = out[i]
        for j in range(cols):  # a select, not a branch: vector lanes
            h = xi[j] if wi[j] else held[j]
            held[j] = h
            oi[j] = h


def value_when(x: np.ndarray, when: np.ndarray, initial: float = np.nan) -> np.ndarray:
    """x at the last bar <= t where ``when`` is True (a boolean array of x's shape, or a NaN-
    elsewhere event series such as a pivot, where a finite value is the event); ``initial``
    before the first event. Causal by construction: an event at t is held from t on. Not
    memoised: its inputs are usually temporaries, which a sweep's cache could never reuse."""
    a, flat = as_block(x)
    w = np.asarray(when)
    if w.dtype != np.bool_:
        w = np.isfinite(np.asarray(w, dtype=np.float64))
    if w.size != a.size:
        raise ValueError(f"when must have x's shape {np.shape(x)}, got {np.shape(when)}")
    w = np.ascontiguousarray(w.reshape(a.shape))
    out = np.empty_like(a)
    _value_when(a, w, float(initial), out)
    return restore(out, flat)
