"""The risk-parity allocator: a strategy's entries and exits say which symbols are held, and on
which side; the engine weights them by risk parity and rebalances them through target weights.

Weights at the close of bar t use returns up to t only: the held set from the signals at t and the
covariance of the last ``window`` one-bar returns ending at t. They are written on a rebalance row
(every ``rebalance_bars`` bars from the first, and whenever the held set changes), and the kernel
moves the portfolio there at the next open (or this close with ``fill = "close"``), as for any
target-weight strategy.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ava_backtest.domain.signals import Signals

ERC = 0
INVERSE_VOL = 1
METHODS = {"erc": ERC, "inverse_vol": INVERSE_VOL}


@nb.njit(cache=True)
def held_sides(
    long_entry: np.ndarray,
    long_exit: np.ndarray,
    short_entry: np.ndarray,
    short_exit: np.ndarray,
    allow_short: bool,
) -> np.ndarray:
    """+1 (long), -1 (short) or 0 at each close, from the signals as the kernel reads them: flat,
    an entry on one side only opens it; held, the opposite entry alone reverses it, else its own
    exit closes it. Without shorts a short entry opens nothing, and reverses a long into flat."""
    n_bars, n_cols = long_entry.shape
    out = np.zeros((n_bars, n_cols), dtype=np.int8)
    for j in range(n_cols):
        side = 0
        for t in range(n_bars):
            le = long_entry[t, j]
            se = short_entry[t, j]
            if side == 0:
                if le and not se:
                    side = 1
                elif se and not le and allow_short:
                    side = -1
            elif side == 1:
                if se and not le:
                    side = -1 if allow_short else 0
                elif long_exit[t, j]:
                    side = 0
            else:
                if le and not se:
                    side = 1
                elif short_exit[t, j]:
                    side = 0
            out[t, j] = side
    return out


@nb.njit(cache=True)
def erc_weights(cov: np.ndarray, tol: float = 1e-12, max_iter: int = 10_000) -> np.ndarray:
    """Equal-risk-contribution weights (summing to 1) for the covariance ``cov``: each asset's
    contribution w_i (cov w)_i is the same. Cyclical coordinate descent on
    1/2 x'cov x - sum(log x_i) / n, whose minimiser normalised is the ERC portfolio (each step
    solves its coordinate's quadratic exactly)."""
    n = cov.shape[0]
    x = np.empty(n)
    for i in range(n):
        x[i] = 1.0 / np.sqrt(cov[i, i])
    b = 1.0 / n
    for _ in range(max_iter):
        change = 0.0
        for i in range(n):
            c = 0.0
            for k in range(n):
                if k != i:
                    c += cov[i, k] * x[k]
            s = cov[i, i]
            xi = (-c + np.sqrt(c * c + 4.0 * s * b)) / (2.0 * s)
            change = max(change, abs(xi - x[i]) / max(xi, 1e-300))
            x[i] = xi
        if change < tol:
            break
    return x / x.sum()


@nb.njit(cache=True)
def risk_parity_weights(
    close: np.ndarray,
    sides: np.ndarray,
    account_of: np.ndarray,
    n_accounts: int,
    method: int,
    window: int,
    every: int,
) -> tuple[np.ndarray, np.ndarray]:
    """(target weights, unweighted) on (bars, cols): finite rows are rebalance rows (0 for the
    symbols not held), NaN rows leave the portfolio alone. Within each account the held symbols
    whose last ``window`` returns all exist share a gross weight of 1 by ``method``, each signed by
    its side; ``unweighted`` counts, per bar, held symbols without a full window (weight 0)."""
    n_bars, n_cols = close.shape
    rets = np.full((n_bars, n_cols), np.nan)
    for t in range(1, n_bars):
        for j in range(n_cols):
            p, q = close[t - 1, j], close[t, j]
            if p > 0.0 and q == q:
                rets[t, j] = q / p - 1.0
    weights = np.full((n_bars, n_cols), np.nan)
    unweighted = np.zeros(n_bars, dtype=np.int64)
    cols = np.empty(n_cols, dtype=np.int64)
    for t in range(n_bars):
        changed = t == 0
        if t > 0:
            for j in range(n_cols):
                if sides[t, j] != sides[t - 1, j]:
                    changed = True
                    break
        if not changed and t % every != 0:
            continue
        any_held = False
        for j in range(n_cols):
            if sides[t, j] != 0:
                any_held = True
                break
        if not any_held and t > 0:
            # Nothing held: one row of zeros closes what was held; later empty rows are skipped.
            was_held = False
            for j in range(n_cols):
                if sides[t - 1, j] != 0:
                    was_held = True
                    break
            if not was_held:
                continue
        for j in range(n_cols):
            weights[t, j] = 0.0
        if t < window:
            for j in range(n_cols):
                if sides[t, j] != 0:
                    unweighted[t] += 1
            continue
        for a in range(n_accounts):
            m = 0
            for j in range(n_cols):
                if account_of[j] != a or sides[t, j] == 0:
                    continue
                full = True
                for s in range(t - window + 1, t + 1):
                    if rets[s, j] != rets[s, j]:
                        full = False
                        break
                if full:
                    cols[m] = j
                    m += 1
                else:
                    unweighted[t] += 1
            if m == 0:
                continue
            cov = np.empty((m, m))
            means = np.empty(m)
            for u in range(m):
                means[u] = rets[t - window + 1 : t + 1, cols[u]].mean()
            for u in range(m):
                for v in range(u, m):
                    acc = 0.0
                    for s in range(t - window + 1, t + 1):
                        acc += (rets[s, cols[u]] - means[u]) * (rets[s, cols[v]] - means[v])
                    cov[u, v] = acc / (window - 1)
                    cov[v, u] = cov[u, v]
            ok = True
            for u in range(m):
                if not cov[u, u] > 0.0:
                    ok = False
            if not ok:
                # A symbol whose price did not move over the window has no risk to balance.
                unweighted[t] += m
                continue
            if method == INVERSE_VOL or m == 1:
                w = np.empty(m)
                for u in range(m):
                    w[u] = 1.0 / np.sqrt(cov[u, u])
                w /= w.sum()
            else:
                w = erc_weights(cov)
            for u in range(m):
                weights[t, cols[u]] = w[u] * sides[t, cols[u]]
    return weights, unweighted


def risk_parity_signals(
    close: np.ndarray,
    signals: Signals,
    account_of: np.ndarray,
    n_accounts: int,
    method: str,
    window: int,
    rebalance_bars: int,
    allow_short: bool,
) -> tuple[Signals, int]:
    """The strategy's signals turned into the allocator's target weights: entries, exits and
    per-entry levels are consumed (the held set decides membership; the weights decide size).
    Returns the new signals and the number of (bar, symbol) cells held without a full window."""
    shape = close.shape

    def flags(a: np.ndarray | None) -> np.ndarray:
        return np.zeros(shape, dtype=np.bool_) if a is None else np.ascontiguousarray(a, np.bool_)

    sides = held_sides(
        flags(signals.long_entry),
        flags(signals.long_exit),
        flags(signals.short_entry),
        flags(signals.short_exit),
        allow_short,
    )
    # A symbol without a bar (before its data starts, after it ends) is not held: its weight
    # could not be traded there.
    sides[~np.isfinite(close)] = 0
    weights, unweighted = risk_parity_weights(
        np.ascontiguousarray(close, np.float64),
        sides,
        account_of,
        n_accounts,
        METHODS[method],
        window,
        rebalance_bars,
    )
    out = Signals.empty(shape)
    out.target_weight = weights
    out.series = signals.series
    return out, int(unweighted.sum())
