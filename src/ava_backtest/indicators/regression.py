"""Rolling least-squares line through the last ``n`` values against bar position.

Positions run 0 (oldest) .. n-1 (this bar); the slope is in price units per bar.
"""

from __future__ import annotations

from typing import NamedTuple

import numba as nb
import numpy as np

from ava_backtest.indicators._shape import as_block, first_valid, period, restore
from ava_backtest.indicators.cache import memoized


class LinReg(NamedTuple):
    value: np.ndarray  # fitted value at the current bar (TA-Lib LINEARREG)
    slope: np.ndarray  # per bar (TA-Lib LINEARREG_SLOPE)
    intercept: np.ndarray  # fitted value at the oldest bar of the window (LINEARREG_INTERCEPT)


class LinRegChannel(NamedTuple):
    upper: np.ndarray
    middle: np.ndarray
    lower: np.ndarray


@nb.njit(cache=True)
def _linreg(
    x: np.ndarray,
    first: np.ndarray,
    n: int,
    with_resid: bool,
    value: np.ndarray,
    slope: np.ndarray,
    intercept: np.ndarray,
    resid: np.ndarray,
) -> None:
    """Sums of y and q*y (q = 0 for the oldest bar) slide in O(1) and are recomputed exactly every
    ``n`` bars, so rounding cannot accumulate; the residual spread is a fresh O(n) pass."""
    rows, cols = x.shape
    centre = (n - 1) / 2.0
    sxx = n * (n * n - 1.0) / 12.0
    sy = np.zeros(cols)
    sqy = np.zeros(cols)
    since = np.zeros(cols, dtype=np.int64)
    for i in range(rows):
        for j in range(cols):
            k = i - first[j]
            if k < n - 1:
                value[i, j] = np.nan
                slope[i, j] = np.nan
                intercept[i, j] = np.nan
                if with_resid:
                    resid[i, j] = np.nan
                continue
            lo = i - n + 1
            if k == n - 1 or since[j] == n:
                a = 0.0
                b = 0.0
                for q in range(n):
                    a += x[lo + q, j]
                    b += q * x[lo + q, j]
                sy[j] = a
                sqy[j] = b
                since[j] = 1
            else:
                old = x[i - n, j]
                new = x[i, j]
                # Dropping the oldest shifts every position down by one.
                sqy[j] += (n - 1) * new - (sy[j] - old)
                sy[j] += new - old
                since[j] += 1
            mean = sy[j] / n
            b = (sqy[j] - centre * sy[j]) / sxx
            value[i, j] = mean + b * centre
            slope[i, j] = b
            intercept[i, j] = mean - b * centre
            if with_resid:
                ss = 0.0
                for q in range(n):
                    r = x[lo + q, j] - (mean + b * (q - centre))
                    ss += r * r
                resid[i, j] = np.sqrt(ss / n)


def _fit(x: np.ndarray, n: int, with_resid: bool) -> tuple[LinReg, np.ndarray, bool]:
    n = period(n, "linreg period", 2)
    a, flat = as_block(x)
    value, slope, intercept = (np.empty_like(a) for _ in range(3))
    resid = np.empty_like(a) if with_resid else np.empty((1, 1))
    _linreg(a, first_valid(a), n, with_resid, value, slope, intercept, resid)
    return LinReg(value, slope, intercept), resid, flat


@memoized
def linreg(x: np.ndarray, n: int) -> LinReg:
    """Least-squares line through the last ``n`` values: value at this bar, slope, intercept."""
    fit, _, flat = _fit(x, n, False)
    return LinReg(*(restore(a, flat) for a in fit))


@memoized
def linreg_value(x: np.ndarray, n: int) -> np.ndarray:
    """End point of the regression line (TA-Lib LINEARREG, Pine ta.linreg(x, n, 0))."""
    return linreg(x, n).value


@memoized
def linreg_slope(x: np.ndarray, n: int) -> np.ndarray:
    """Slope of the regression line, in price units per bar (TA-Lib LINEARREG_SLOPE)."""
    return linreg(x, n).slope


@memoized
def linreg_channel(x: np.ndarray, n: int, mult: float = 2.0) -> LinRegChannel:
    """Regression end point +/- ``mult`` population standard deviations of the window's residuals."""
    fit, resid, flat = _fit(x, n, True)
    width = float(mult) * resid
    return LinRegChannel(
        restore(fit.value + width, flat), restore(fit.value, flat), restore(fit.value - width, flat)
    )
