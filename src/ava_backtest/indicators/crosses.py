"""Crossovers, with backtesting.py's strict convention: a crosses above b at bar t when
a[t-1] < b[t-1] and a[t] > b[t]. Touching (equality) on either bar is not a cross, and any NaN
compares False, so nothing fires during warm-up or on the first bar."""

from __future__ import annotations

import numba as nb
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


@nb.njit(cache=True)
def _crossed_arrays(lo: np.ndarray, hi: np.ndarray, from_touch: bool, out: np.ndarray) -> None:
    rows, cols = lo.shape
    out[0, :] = False
    for i in range(1, rows):
        lp = lo[i - 1]
        hp = hi[i - 1]
        li = lo[i]
        hi_ = hi[i]
        oi = out[i]
        for j in range(cols):
            a = lp[j]
            b = hp[j]
            below = (a <= b) if from_touch else (a < b)
            oi[j] = below & (li[j] > hi_[j])  # & not `and`: no branch in the vector loop


@nb.njit(cache=True)
def _crossed_level(
    x: np.ndarray, level: float, x_is_lo: bool, from_touch: bool, out: np.ndarray
) -> None:
    """``_crossed_arrays`` with one side a constant level: x crosses above it (``x_is_lo``) or
    below it."""
    rows, cols = x.shape
    out[0, :] = False
    for i in range(1, rows):
        xp = x[i - 1]
        xi = x[i]
        oi = out[i]
        for j in range(cols):
            p = xp[j]
            v = xi[j]
            if x_is_lo:
                below = (p <= level) if from_touch else (p < level)
                oi[j] = below & (v > level)
            else:
                below = (level <= p) if from_touch else (level < p)
                oi[j] = below & (level > v)


def _fast_block(a: np.ndarray) -> bool:
    """A (bars, symbols) block the kernels take as it is (no copy, one compiled type)."""
    return (
        a.ndim == 2
        and a.shape[0] > 0
        and a.dtype == np.float64
        and a.flags.c_contiguous
        and a.flags.writeable
    )


def _crossed(lo: np.ndarray, hi: np.ndarray, from_touch: bool = False) -> np.ndarray:
    """True where ``lo`` was below ``hi`` (or touching it, with ``from_touch``) on the previous bar
    and is above it now."""
    # One pass straight into the output for the usual shapes (two blocks, or a block and a level)
    # instead of three boolean temporaries.
    if _fast_block(lo) and (
        (_fast_block(hi) and hi.shape == lo.shape) or (hi.ndim == 0 and np.isfinite(hi))
    ):
        out = np.empty(lo.shape, dtype=np.bool_)
        if hi.ndim == 0:
            _crossed_level(lo, float(hi), True, from_touch, out)
        else:
            _crossed_arrays(lo, hi, from_touch, out)
        return out
    if _fast_block(hi) and lo.ndim == 0 and np.isfinite(lo):
        out = np.empty(hi.shape, dtype=np.bool_)
        _crossed_level(hi, float(lo), False, from_touch, out)
        return out
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


def pair_crosses(
    lines: np.ndarray, first: ArrayLike, second: ArrayLike, *, from_touch: bool = False
) -> tuple[np.ndarray, np.ndarray]:
    """Both crosses of many pairs of one symbol's lines at once: ``lines`` is (bars, lines), and
    pair j is column ``first[j]`` against column ``second[j]``. Returns two (bars, pairs) blocks:
    where the first line crosses above the second, and where the second crosses above the first,
    each equal to ``crossed_above`` of the two columns (a parameter grid's crossover signals, every
    moving average computed once)."""
    block = np.ascontiguousarray(lines, dtype=np.float64)
    a = np.asarray(first, dtype=np.int64)
    b = np.asarray(second, dtype=np.int64)
    if block.ndim != 2:
        raise ValueError(f"lines must be 2-D (bars, lines), got shape {block.shape}")
    if a.shape != b.shape or a.ndim != 1:
        raise ValueError("first and second must be 1-D column indices of one length")
    if a.size and (min(a.min(), b.min()) < 0 or max(a.max(), b.max()) >= block.shape[1]):
        raise ValueError(f"column index outside the {block.shape[1]} lines")
    up = np.empty((block.shape[0], a.size), dtype=np.bool_)
    down = np.empty_like(up)
    if block.shape[0]:
        _pair_crosses(block, a, b, from_touch, up, down)
    return up, down


@nb.njit(cache=True)
def _pair_crosses(
    lines: np.ndarray,
    first: np.ndarray,
    second: np.ndarray,
    from_touch: bool,
    up: np.ndarray,
    down: np.ndarray,
) -> None:
    up[0, :] = False
    down[0, :] = False
    for i in range(1, lines.shape[0]):
        prev = lines[i - 1]  # one row of every line: the pairs read it from cache
        now = lines[i]
        for j in range(first.size):
            fp = prev[first[j]]
            sp = prev[second[j]]
            fn = now[first[j]]
            sn = now[second[j]]
            f_below = (fp <= sp) if from_touch else (fp < sp)
            s_below = (sp <= fp) if from_touch else (sp < fp)
            up[i, j] = f_below & (fn > sn)
            down[i, j] = s_below & (sn > fn)
