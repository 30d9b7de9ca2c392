"""How much of an optimised result is luck: the statistics of docs/overfitting.md.

- Probabilistic Sharpe Ratio and Deflated Sharpe Ratio (Bailey & López de Prado, "The Sharpe Ratio
  Efficient Frontier", 2012; "The Deflated Sharpe Ratio", 2014), minimum track record length.
- Probability of Backtest Overfitting by combinatorially symmetric cross-validation (Bailey,
  Borwein, López de Prado & Zhu, "The Probability of Backtest Overfitting", 2015).
- Parameter stability around the best point, block-bootstrap confidence intervals, and one
  overfitting score that summarises them, explained in words.

Sharpe ratios here are per period (not annualised) unless a name says otherwise, as in the papers.
"""

from __future__ import annotations

import itertools
import math
from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import numba as nb
import numpy as np
from scipy import stats

EULER_GAMMA = 0.5772156649015329


def sharpe(returns: np.ndarray, axis: int = 0) -> np.ndarray:
    """Per-period Sharpe ratio mean / std (ddof=1) along ``axis``; 0 where the std is 0.

    A 2-D matrix is reduced in one compiled pass per series (mean, then squared deviations),
    reading it in its own memory order: a study's periods x trials matrix is 25M values."""
    r = np.asarray(returns, dtype=np.float64)
    if r.ndim == 2 and axis in (0, 1, -1, -2):
        series_major = r if axis in (1, -1) else r.T  # rows: the series
        out = np.empty(series_major.shape[0])
        if series_major.flags.c_contiguous:
            _sharpe_rows(series_major, out)
        else:
            _sharpe_columns(series_major.T, out)
        return out
    mu = r.mean(axis=axis)
    sd = r.std(axis=axis, ddof=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        return np.where(sd > 0, mu / sd, 0.0)


@nb.njit(cache=True)
def _sharpe_rows(m: np.ndarray, out: np.ndarray) -> None:
    """Sharpe ratio (ddof=1) of each row of ``m``: mean over std, 0 where the std is not > 0 or
    a row holds a NaN (as numpy's mean/std would give NaN there, then 0 by the comparison)."""
    n = m.shape[1]
    for i in range(m.shape[0]):
        s = 0.0
        for k in range(n):
            s += m[i, k]
        mu = s / n
        q = 0.0
        for k in range(n):
            d = m[i, k] - mu
            q += d * d
        sd = np.sqrt(q / (n - 1)) if n > 1 else np.nan
        out[i] = mu / sd if sd > 0 else 0.0


@nb.njit(cache=True)
def _sharpe_columns(m: np.ndarray, out: np.ndarray) -> None:
    """``_sharpe_rows`` of ``m.T`` for a row-major (periods x series) ``m``, read row by row."""
    t, n = m.shape
    s = np.zeros(n)
    for k in range(t):
        for j in range(n):
            s[j] += m[k, j]
    mu = s / t
    q = np.zeros(n)
    for k in range(t):
        for j in range(n):
            d = m[k, j] - mu[j]
            q[j] += d * d
    for j in range(n):
        sd = np.sqrt(q[j] / (t - 1)) if t > 1 else np.nan
        out[j] = mu[j] / sd if sd > 0 else 0.0


def _moments(returns: np.ndarray) -> tuple[float, float, float, int]:
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    if r.size < 3 or r.std() == 0:
        return 0.0, 0.0, 3.0, r.size
    return (
        float(sharpe(r)),
        float(stats.skew(r)),
        float(stats.kurtosis(r, fisher=False)),
        int(r.size),
    )


def _sr_std(sr: float, skew: float, kurt: float) -> float:
    """The Sharpe ratio estimator's dispersion term sqrt(1 - g3 SR + (g4 - 1)/4 SR^2)."""
    return math.sqrt(max(1.0 - skew * sr + (kurt - 1.0) / 4.0 * sr * sr, 1e-12))


def probabilistic_sharpe(
    sr: float, n_obs: int, skew: float = 0.0, kurt: float = 3.0, benchmark: float = 0.0
) -> float:
    """PSR(SR*) = Phi((SR - SR*) sqrt(T - 1) / sqrt(1 - g3 SR + (g4 - 1)/4 SR^2)): the probability
    that the true Sharpe ratio exceeds ``benchmark``, given T observations with skewness g3 and
    (non-excess) kurtosis g4."""
    if n_obs < 2:
        return float("nan")
    z = (sr - benchmark) * math.sqrt(n_obs - 1) / _sr_std(sr, skew, kurt)
    return float(stats.norm.cdf(z))


def expected_max_sharpe(n_trials: int, sr_variance: float) -> float:
    """SR0 = sqrt(V) ((1 - gamma) Z(1 - 1/N) + gamma Z(1 - 1/(N e))): the Sharpe ratio the best of
    N unskilled trials reaches by luck (False Strategy Theorem)."""
    if n_trials < 2 or sr_variance <= 0:
        return 0.0
    z = stats.norm.ppf
    return math.sqrt(sr_variance) * (
        (1 - EULER_GAMMA) * z(1 - 1 / n_trials) + EULER_GAMMA * z(1 - 1 / (n_trials * math.e))
    )


def deflated_sharpe(
    sr: float, n_obs: int, skew: float, kurt: float, n_trials: int, sr_variance: float
) -> tuple[float, float]:
    """(DSR, SR0): the PSR of the selected Sharpe ratio against SR0, the expected maximum of
    ``n_trials`` Sharpe ratios with variance ``sr_variance`` under no skill."""
    sr0 = expected_max_sharpe(n_trials, sr_variance)
    return probabilistic_sharpe(sr, n_obs, skew, kurt, sr0), sr0


def min_track_record(
    sr: float, skew: float, kurt: float, benchmark: float = 0.0, confidence: float = 0.95
) -> float:
    """Observations needed for PSR(benchmark) to reach ``confidence``: 1 + (1 - g3 SR + (g4 - 1)/4
    SR^2) (Z_alpha / (SR - SR*))^2; infinite when SR <= SR*."""
    if sr <= benchmark:
        return float("inf")
    z = stats.norm.ppf(confidence)
    return 1.0 + _sr_std(sr, skew, kurt) ** 2 * (z / (sr - benchmark)) ** 2


@dataclass(frozen=True, slots=True)
class PBOResult:
    pbo: float
    logits: np.ndarray  # one per split
    n_splits: int
    blocks: int
    performance_degradation: float  # slope of OOS on IS performance of the selected trials
    prob_oos_loss: float  # share of splits where the IS-best trial loses out of sample


def pbo_cscv(returns: np.ndarray, blocks: int = 16) -> PBOResult:
    """Probability of backtest overfitting of choosing the best column of ``returns`` (T x N,
    periods x trials) by in-sample Sharpe ratio.

    The rows are cut into ``blocks`` (S, even) contiguous blocks; every one of the C(S, S/2) ways
    to pick half of them is a split: the picked blocks are in-sample, the rest out-of-sample. In
    each split the trial with the best in-sample Sharpe is found, its out-of-sample rank r among
    the N trials (1 = worst) gives w = r / (N + 1) and the logit l = ln(w / (1 - w)). PBO is the
    share of splits with l <= 0: the in-sample winner at or below the median out of sample.
    """
    m = np.asarray(returns, dtype=np.float64)
    if m.ndim != 2 or m.shape[1] < 2:
        raise ValueError("PBO needs a periods x trials matrix with at least two trials")
    if blocks < 2 or blocks % 2:
        raise ValueError(f"blocks must be an even number >= 2, got {blocks}")
    t, n = m.shape
    if t < 2 * blocks:
        raise ValueError(f"PBO with {blocks} blocks needs at least {2 * blocks} periods, got {t}")
    edges = np.linspace(0, t, blocks + 1).astype(np.int64)
    sums = np.empty((blocks, n))  # per-block sums of the returns (non-finite ones count as 0)
    squares = np.empty((blocks, n))  # and of their squares
    if m.flags.f_contiguous and not m.flags.c_contiguous:
        _block_sums_t(m.T, edges, sums, squares)  # a trials x periods matrix, seen transposed
    else:
        _block_sums(np.ascontiguousarray(m), edges, sums, squares)
    counts = np.diff(edges).astype(np.float64)  # (S,)
    combos = np.array(list(itertools.combinations(range(blocks), blocks // 2)), dtype=np.int64)
    rank = np.empty(len(combos))
    is_best = np.empty(len(combos))
    oos_best = np.empty(len(combos))
    _cscv_splits(sums, squares, counts, combos, rank, is_best, oos_best)
    w = rank / (n + 1.0)
    logits = np.log(w / (1.0 - w))
    slope = float(np.polyfit(is_best, oos_best, 1)[0]) if np.ptp(is_best) > 0 else float("nan")
    return PBOResult(
        pbo=float((logits <= 0).mean()),
        logits=logits,
        n_splits=len(combos),
        blocks=blocks,
        performance_degradation=slope,
        prob_oos_loss=float((oos_best < 0).mean()),
    )


@nb.njit(cache=True)
def _block_sums(m: np.ndarray, edges: np.ndarray, sums: np.ndarray, squares: np.ndarray) -> None:
    """Row-by-row sums of each block of rows, non-finite values read as 0."""
    for b in range(edges.size - 1):
        sums[b] = 0.0
        squares[b] = 0.0
        for i in range(edges[b], edges[b + 1]):
            for j in range(m.shape[1]):
                v = m[i, j]
                v = v if np.isfinite(v) else 0.0
                sums[b, j] += v
                squares[b, j] += v * v


@nb.njit(cache=True)
def _block_sums_t(mt: np.ndarray, edges: np.ndarray, sums: np.ndarray, squares: np.ndarray) -> None:
    """``_block_sums`` of ``mt.T``, reading each trial's row once (the same sums, in the same
    order along the periods)."""
    for j in range(mt.shape[0]):
        for b in range(edges.size - 1):
            s = 0.0
            q = 0.0
            for i in range(edges[b], edges[b + 1]):
                v = mt[j, i]
                v = v if np.isfinite(v) else 0.0
                s += v
                q += v * v
            sums[b, j] = s
            squares[b, j] = q


@nb.njit(cache=True)
def _extend(
    combo: np.ndarray,
    held: np.ndarray,
    part_s: np.ndarray,
    part_q: np.ndarray,
    sums: np.ndarray,
    squares: np.ndarray,
) -> None:
    """Partial sums over ``combo``'s blocks, row k the sum of its first k + 1 blocks, redone only
    from the first block where ``combo`` differs from the previous one (``held``): neighbouring
    combinations share most of their blocks, so a split costs about two row additions, not eight.
    Each row is still the left-to-right sum of its blocks."""
    k = 0
    while k < combo.size and held[k] == combo[k]:
        k += 1
    for d in range(k, combo.size):
        b = combo[d]
        if d == 0:
            part_s[0] = sums[b]
            part_q[0] = squares[b]
        else:
            for j in range(part_s.shape[1]):
                part_s[d, j] = part_s[d - 1, j] + sums[b, j]
                part_q[d, j] = part_q[d - 1, j] + squares[b, j]
        held[d] = b


@nb.njit(cache=True)
def _sharpe_row(s: np.ndarray, q: np.ndarray, n: float, out: np.ndarray) -> None:
    """Sharpe ratio (ddof=1) from the sum and the sum of squares of ``n`` returns; 0 where the
    variance is (numerically) 0."""
    for j in range(out.size):
        mean = s[j] / n
        var = (q[j] - n * mean * mean) / (n - 1.0)
        ratio = mean / np.sqrt(max(var, 1e-300))  # computed everywhere: the loop vectorises
        out[j] = ratio if var > 1e-24 else 0.0


@nb.njit(cache=True)
def _choose(ins: np.ndarray, outs: np.ndarray) -> tuple[float, float, float]:
    """(out-of-sample rank 1..N of the in-sample best trial, its in-sample and out-of-sample Sharpe
    ratios); the first trial wins an in-sample tie, ties out of sample share the lower rank."""
    top = ins[0]
    for j in range(1, ins.size):
        top = max(top, ins[j])
    best = 0
    while ins[best] != top:
        best += 1
    chosen = outs[best]
    below = 0
    for j in range(outs.size):
        below += outs[j] < chosen
    return below + 1.0, top, chosen


@nb.njit(cache=True, parallel=True)
def _cscv_splits(
    sums: np.ndarray,
    squares: np.ndarray,
    counts: np.ndarray,
    combos: np.ndarray,
    rank: np.ndarray,
    is_best: np.ndarray,
    oos_best: np.ndarray,
) -> None:
    """Every split of ``combos`` (rows: the in-sample blocks, in lexicographic order, so that the
    complement of row i is row C - 1 - i): the two halves' Sharpe ratios serve both splits."""
    pairs = combos.shape[0] // 2
    chunks = min(pairs, 8)  # contiguous runs of splits, shared out among numba's threads
    for c in nb.prange(chunks):
        _cscv_chunk(sums, squares, counts, combos, rank, is_best, oos_best,
                    c * pairs // chunks, (c + 1) * pairs // chunks)  # fmt: skip


@nb.njit(cache=True)
def _cscv_chunk(
    sums: np.ndarray,
    squares: np.ndarray,
    counts: np.ndarray,
    combos: np.ndarray,
    rank: np.ndarray,
    is_best: np.ndarray,
    oos_best: np.ndarray,
    first: int,
    stop: int,
) -> None:
    """Splits ``first`` .. ``stop`` - 1 and their complements, with buffers of their own (each
    split's sums are the same left-to-right sums wherever a run of splits starts)."""
    n_combos, half = combos.shape
    n = sums.shape[1]
    fwd_s = np.empty((half, n))
    fwd_q = np.empty((half, n))
    bwd_s = np.empty((half, n))
    bwd_q = np.empty((half, n))
    fwd_held = np.full(half, -1)
    bwd_held = np.full(half, -1)
    a = np.empty(n)
    b = np.empty(n)
    for i in range(first, stop):
        j = n_combos - 1 - i
        _extend(combos[i], fwd_held, fwd_s, fwd_q, sums, squares)
        _extend(combos[j], bwd_held, bwd_s, bwd_q, sums, squares)
        n_i = 0.0
        n_j = 0.0
        for k in range(half):
            n_i += counts[combos[i, k]]
            n_j += counts[combos[j, k]]
        _sharpe_row(fwd_s[half - 1], fwd_q[half - 1], n_i, a)
        _sharpe_row(bwd_s[half - 1], bwd_q[half - 1], n_j, b)
        rank[i], is_best[i], oos_best[i] = _choose(a, b)
        rank[j], is_best[j], oos_best[j] = _choose(b, a)


def stability(
    params: Sequence[dict[str, Any]],
    values: Sequence[float],
    bounds: dict[str, tuple[float, float]],
    radius: float = 0.1,
) -> tuple[float | None, int]:
    """(score, neighbours): the median objective of the trials within ``radius`` of the best trial
    (each numeric parameter scaled to its range, Chebyshev distance; other parameters equal) as a
    share of the best value, clipped to [0, 1]. 1: the neighbourhood is as good as the peak; near 0:
    a lone spike. None when the best value is not positive or it has no neighbour."""
    v = np.asarray(values, dtype=np.float64)
    ok = np.isfinite(v)
    if not ok.any():
        return None, 0
    best = int(np.nanargmax(np.where(ok, v, -np.inf)))
    if v[best] <= 0:
        return None, 0
    # Each trial's distance to the best, one parameter at a time over all trials (a grid has
    # tens of thousands): the largest scaled difference, infinite where a choice differs.
    d = np.zeros(v.size)
    for k, b in params[best].items():
        if k in bounds:
            lo, hi = bounds[k]
            span = (hi - lo) or 1.0
            column = np.array([float(p[k]) for p in params], dtype=np.float64)
            d = np.maximum(d, np.abs(column - float(b)) / span)
        else:
            d[np.array([p.get(k) != b for p in params], dtype=np.bool_)] = math.inf
    chosen = ok & (d <= radius)
    chosen[best] = False
    near = v[chosen]
    if not near.size:
        return None, 0
    return float(np.clip(np.median(near) / v[best], 0.0, 1.0)), int(near.size)


@dataclass(frozen=True, slots=True)
class Interval:
    estimate: float
    low: float
    high: float


def block_bootstrap(
    returns: np.ndarray,
    periods_per_year: int,
    seed: int = 0,
    samples: int = 1000,
    block: int | None = None,
    confidence: float = 0.95,
) -> dict[str, Interval]:
    """Moving-block bootstrap intervals (seeded) of the annualised Sharpe ratio, annual return and
    maximum drawdown of one return series. Blocks of ~T^(1/3) periods keep the autocorrelation."""
    r = np.asarray(returns, dtype=np.float64)
    r = r[np.isfinite(r)]
    t = r.size
    if t < 10:
        return {}
    b = block or max(1, round(t ** (1 / 3)))
    rng = np.random.default_rng(seed)
    starts = rng.integers(0, t - b + 1, size=(samples, -(-t // b)))
    idx = (starts[:, :, None] + np.arange(b)).reshape(samples, -1)[:, :t]
    sim = r[idx]
    ann = math.sqrt(periods_per_year)
    sr = sharpe(sim, axis=1) * ann
    mean = sim.mean(axis=1) * periods_per_year
    wealth = np.cumprod(1.0 + sim, axis=1)
    dd = (wealth / np.maximum.accumulate(wealth, axis=1) - 1.0).min(axis=1)
    tail = (1 - confidence) / 2 * 100
    est_wealth = np.cumprod(1.0 + r)

    def interval(est: float, draws: np.ndarray) -> Interval:
        lo, hi = np.percentile(draws, [tail, 100 - tail])
        return Interval(float(est), float(lo), float(hi))

    return {
        "sharpe": interval(float(sharpe(r)) * ann, sr),
        "annual_return": interval(float(r.mean()) * periods_per_year, mean),
        "max_drawdown": interval(
            float((est_wealth / np.maximum.accumulate(est_wealth) - 1).min()), dd
        ),
    }


@dataclass(slots=True)
class Overfitting:
    """The overfitting panel of a study: every statistic, one score in [0, 1] (higher: more of the
    result is likely luck), and the explanation in words."""

    pbo: float | None
    dsr: float | None
    psr: float | None
    sr0: float | None
    min_track_record: float | None
    n_obs: int
    n_trials: int
    stability: float | None
    stability_neighbours: int
    degradation: float | None  # out-of-sample objective / in-sample objective (hold-out only)
    score: float
    verdict: str
    explanation: list[str] = field(default_factory=list)
    bootstrap: dict[str, Interval] = field(default_factory=dict)
    pbo_logits: list[float] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        out = {k: getattr(self, k) for k in self.__slots__ if k not in ("bootstrap",)}  # type: ignore[attr-defined]
        out["bootstrap"] = {
            k: {"estimate": v.estimate, "low": v.low, "high": v.high}
            for k, v in self.bootstrap.items()
        }
        return {
            k: (None if isinstance(v, float) and not math.isfinite(v) else v)
            for k, v in out.items()
        }


def assess(
    returns: np.ndarray,
    best: int,
    params: Sequence[dict[str, Any]],
    values: Sequence[float],
    bounds: dict[str, tuple[float, float]],
    periods_per_year: int,
    *,
    blocks: int = 16,
    seed: int = 0,
    degradation: float | None = None,
    radius: float = 0.1,
) -> Overfitting:
    """The overfitting panel for choosing trial ``best`` out of the columns of ``returns``
    (periods x trials of per-period returns)."""
    m = np.asarray(returns, dtype=np.float64)
    n_obs, n_trials = m.shape
    sr, skew, kurt, _ = _moments(m[:, best])
    srs = sharpe(m if np.isfinite(m).all() else np.where(np.isfinite(m), m, 0.0), axis=0)
    var = float(np.var(srs, ddof=1)) if n_trials > 1 else 0.0
    psr = probabilistic_sharpe(sr, n_obs, skew, kurt, 0.0)
    dsr, sr0 = deflated_sharpe(sr, n_obs, skew, kurt, n_trials, var) if n_trials > 1 else (psr, 0.0)
    mtrl = min_track_record(sr, skew, kurt, sr0)
    pbo = None
    logits: list[float] = []
    if n_trials >= 2 and n_obs >= 2 * blocks:
        res = pbo_cscv(m, blocks)
        pbo, logits = res.pbo, res.logits.tolist()
    stab, neighbours = stability(params, values, bounds, radius)
    score, verdict = overfitting_score(pbo, dsr, stab, degradation)
    words = _explain(
        pbo, dsr, sr0, sr, n_trials, n_obs, mtrl, stab, neighbours, degradation, radius
    )
    return Overfitting(
        pbo=pbo,
        dsr=dsr,
        psr=psr,
        sr0=sr0,
        min_track_record=mtrl,
        n_obs=n_obs,
        n_trials=n_trials,
        stability=stab,
        stability_neighbours=neighbours,
        degradation=degradation,
        score=score,
        verdict=verdict,
        explanation=[f"Overfitting score {score:.2f} ({verdict}): the mean of the parts below, each "
                     "scaled so that 0 is no sign of luck and 1 is what pure luck gives (PBO 0.5, "
                     "DSR 0.5); a PBO or DSR at luck's level alone makes it high.", *words],
        bootstrap=block_bootstrap(m[:, best], periods_per_year, seed=seed),
        pbo_logits=logits,
    )  # fmt: skip


def overfitting_score(
    pbo: float | None, dsr: float | None, stab: float | None, degradation: float | None
) -> tuple[float, str]:
    """(score, verdict). Each part is scaled so that 0 is no sign of luck and 1 is what luck alone
    gives: PBO / 0.5 (a coin flip between halves of history), (1 - DSR) / 0.5 (the best Sharpe
    ratio no better than the best of as many unskilled trials), 1 - stability, and 1 - the hold-out
    ratio, each clipped to [0, 1]. The score is their mean. The verdict is ``high`` when the score
    reaches 2/3 or when PBO or DSR alone is at luck's level, ``moderate`` from 1/3 or when either is
    halfway there, else ``low``: one strong warning is never averaged away."""
    luck: list[float] = []
    if pbo is not None and math.isfinite(pbo):
        luck.append(min(1.0, pbo / 0.5))
    if dsr is not None and math.isfinite(dsr):
        luck.append(min(1.0, (1.0 - dsr) / 0.5))
    parts = list(luck)
    if stab is not None:
        parts.append(1.0 - stab)
    if degradation is not None and math.isfinite(degradation):
        parts.append(float(np.clip(1.0 - degradation, 0.0, 1.0)))
    if not parts:
        return float("nan"), "unknown"
    score = float(np.mean(parts))
    worst = max(luck, default=0.0)
    if score >= 2 / 3 or worst >= 1.0:
        return score, "high"
    if score >= 1 / 3 or worst >= 0.5:
        return score, "moderate"
    return score, "low"


def _explain(
    pbo: float | None,
    dsr: float,
    sr0: float,
    sr: float,
    n_trials: int,
    n_obs: int,
    mtrl: float,
    stab: float | None,
    neighbours: int,
    degradation: float | None,
    radius: float,
) -> list[str]:
    out = []
    if pbo is not None:
        out.append(
            f"PBO {pbo:.2f}: the best in-sample configuration ranks at or below the median out of "
            f"sample in {100 * pbo:.0f}% of the splits."
        )
    else:
        out.append("PBO not computed: it needs at least two trials and 32 periods.")
    out.append(
        f"DSR {dsr:.2f}: the probability that the best Sharpe ratio ({sr:.3f} per period) beats "
        f"{sr0:.3f}, what the best of {n_trials} unskilled trials reaches by luck, over {n_obs} periods."
    )
    if math.isfinite(mtrl):
        enough = "enough" if n_obs >= mtrl else "not enough"
        out.append(
            f"Minimum track record: {mtrl:.0f} periods to trust that edge at 95%; the data has "
            f"{n_obs} ({enough})."
        )
    else:
        out.append("Minimum track record: infinite; the best Sharpe ratio does not beat luck's.")
    if stab is not None:
        out.append(
            f"Stability {stab:.2f}: the {neighbours} trials within {100 * radius:.0f}% of each "
            "parameter's range of the best parameters reach "
            f"{100 * stab:.0f}% of its objective (median)."
        )
    else:
        out.append(
            "Stability not computed: no trial near the best one, or a non-positive best value."
        )
    if degradation is not None:
        out.append(
            f"Hold-out: the objective out of sample is {degradation:.2f} times the in-sample one."
        )
    return out
