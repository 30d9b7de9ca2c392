"""Crossovers, with backtesting.py's strict convention: a crosses above b at bar t when
a[t-1] < b[t-1] and a[t] > b[t]. Touching (equality) on either bar is not a cross, and any NaN
compares False, so nothing fires during warm-up or on the first bar."""

from __future__ import annotations

import numpy as np
from numpy.typing import ArrayLike


def _operands(a: ArrayLike, b: ArrayLike) -> tuple[np.ndarray, np.ndarray]:
    x = np.asarray(a, dtype=np.float64)
    y = np.asarray(b, dtype=np.float64)
    if x.ndim == 0 and y.ndim == 0:
        raise ValueError("crossed_above/crossed_below need at least one series")
    if max(x.ndim, y.ndim) > 2:
        raise ValueError("series must be 1-D (bars,) or 2-D (bars, symbols)")
    # A (bars,) series against a (bars, symbols) block lines up along bars, not symbols.
    if x.ndim == 1 and y.ndim == 2:
        x = x[:, None]
    elif y.ndim == 1 and x.ndim == 2:
        y = y[:, None]
    return x, y


def _crossed(lo: np.ndarray, hi: np.ndarray, from_touch: bool = False) -> np.ndarray:
    """True where ``lo`` was below ``hi`` (or touching it, with ``from_touch``) on the previous bar
    and is above it now."""
    with np.errstate(invalid="ignore"):
        below = lo <= hi if from_touch else lo < hi
        above = lo > hi  # the same broadcast shape as ``below``
    out = np.zeros(below.shape, dtype=np.bool_)
    np.logical_and(below[:-1], above[1:], out=out[1:])
    return out


def crossed_above(a: ArrayLike, b: ArrayLike, *, from_touch: bool = False) -> np.ndarray:
    """True at t when a[t-1] < b[t-1] and a[t] > b[t]; either side may be a scalar.

    ``from_touch=True`` also counts a[t-1] == b[t-1] (the catalogue's ``<=`` crossover rules)."""
    x, y = _operands(a, b)
    return _crossed(x, y, from_touch)


def crossed_below(a: ArrayLike, b: ArrayLike, *, from_touch: bool = False) -> np.ndarray:
    """True at t when a[t-1] > b[t-1] and a[t] < b[t]; either side may be a scalar.

    ``from_touch=True`` also counts a[t-1] == b[t-1]."""
    x, y = _operands(a, b)
    return _crossed(y, x, from_touch)
