"""Moving averages. Inputs are 1-D (bars,) or 2-D (bars, symbols) float arrays; each column may
start with NaNs (a symbol listed later), and its output starts ``n - 1`` bars after its first value."""

from __future__ import annotations

import numba as nb
import numpy as np


@nb.njit(cache=True)
def _sma_2d(x: np.ndarray, n: int, out: np.ndarray) -> None:
    rows, cols = x.shape
    for j in range(cols):
        # Kahan-compensated running sum: stays within an ulp or two of a fresh sum over long series.
        s = 0.0
        comp = 0.0
        count = 0
        for i in range(rows):
            v = x[i, j]
            if np.isnan(v):
                if count == 0:
                    out[i, j] = np.nan
                    continue
                # An interior gap: the window restarts after it.
                s = 0.0
                comp = 0.0
                count = 0
                out[i, j] = np.nan
                continue
            y = v - comp
            t = s + y
            comp = (t - s) - y
            s = t
            count += 1
            if count > n:
                y = -x[i - n, j] - comp
                t = s + y
                comp = (t - s) - y
                s = t
            out[i, j] = s / n if count >= n else np.nan


def _as_2d(x: np.ndarray) -> tuple[np.ndarray, bool]:
    a = np.ascontiguousarray(x, dtype=np.float64)
    return (a[:, None], True) if a.ndim == 1 else (a, False)


def sma(x: np.ndarray, n: int) -> np.ndarray:
    """Simple moving average of the last ``n`` values."""
    if n < 1:
        raise ValueError("sma period must be >= 1")
    a, flat = _as_2d(x)
    out = np.empty_like(a)
    _sma_2d(a, int(n), out)
    return out[:, 0] if flat else out
