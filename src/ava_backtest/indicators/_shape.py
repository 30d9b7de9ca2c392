"""Shape adapters every indicator shares.

Callers pass (bars,) or (bars, symbols) arrays and get the same shape back. Kernels only ever see
2-D float64 C-contiguous blocks plus int64 per-column start rows, so each compiles exactly once and
its compile cache is reused by every caller.
"""

from __future__ import annotations

import numba as nb
import numpy as np


def as_block(x: np.ndarray, name: str = "x") -> tuple[np.ndarray, bool]:
    """A 2-D float64 C-contiguous writable view (or copy) of ``x``, and whether ``x`` was 1-D.

    Writable because numba compiles read-only arrays (polars' zero-copy ``to_numpy``) as another
    type: one more compile and one more cache entry per kernel. Inputs are never written to.
    """
    a = np.asarray(x, dtype=np.float64)
    if a.ndim not in (1, 2):
        raise ValueError(f"{name} must be 1-D (bars,) or 2-D (bars, symbols), got {a.ndim}-D")
    a = np.require(a, requirements=["C", "W"])
    return (a.reshape(-1, 1), True) if a.ndim == 1 else (a, False)


def as_blocks(**arrays: np.ndarray) -> tuple[list[np.ndarray], bool]:
    """Several same-shaped inputs (high, low, close, ...) as blocks; the shapes must agree."""
    blocks: list[np.ndarray] = []
    flat = False
    shape = None
    for name, x in arrays.items():
        a, flat = as_block(x, name)
        if shape is not None and a.shape != shape:
            names = ", ".join(arrays)
            raise ValueError(f"{names} must share one shape; {name} has {np.shape(x)}")
        shape = a.shape
        blocks.append(a)
    return blocks, flat


@nb.njit(cache=True)
def _first_valid(x: np.ndarray, out: np.ndarray) -> None:
    rows, cols = x.shape
    for j in range(cols):
        i = 0
        while i < rows and np.isnan(x[i, j]):
            i += 1
        if i > out[j]:
            out[j] = i


def first_valid(*blocks: np.ndarray) -> np.ndarray:
    """Per column, the first row at which every input is valid (``rows`` if never).

    Warm-ups are counted from this row, so a symbol listed later gets the same values as if its
    history had started at row 0.
    """
    out = np.zeros(blocks[0].shape[1], dtype=np.int64)
    for b in blocks:
        _first_valid(b, out)
    return out


def restore(a: np.ndarray, flat: bool) -> np.ndarray:
    """Back to the caller's shape."""
    return a[:, 0] if flat else a


def period(n: object, name: str, minimum: int = 1) -> int:
    """A window length as a Python int; integral floats (from JSON or a sweep grid) are accepted."""
    if isinstance(n, bool):
        raise TypeError(f"{name} must be an integer, got {n!r}")
    if isinstance(n, float | np.floating):
        if not float(n).is_integer():
            raise ValueError(f"{name} must be an integer, got {n!r}")
        n = int(n)
    try:
        value = int(n)  # type: ignore[call-overload]
    except (TypeError, ValueError):
        raise TypeError(f"{name} must be an integer, got {n!r}") from None
    if value < minimum:
        raise ValueError(f"{name} must be >= {minimum}, got {value}")
    return value


def lag(a: np.ndarray, n: int = 1) -> np.ndarray:
    """``a`` moved down ``n`` rows with NaN above: each bar sees the value of ``n`` bars ago."""
    out = np.empty_like(a, dtype=np.float64)
    out[: min(n, len(a))] = np.nan  # one pass over the output, not two
    if n < len(a):
        out[n:] = a[: len(a) - n]
    return out
