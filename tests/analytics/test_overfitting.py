"""The overfitting statistics against their papers' numbers and against brute force."""

from __future__ import annotations

import itertools
import math

import numpy as np
import pytest

from ava_backtest.analytics.overfitting import (
    assess,
    block_bootstrap,
    deflated_sharpe,
    expected_max_sharpe,
    min_track_record,
    pbo_cscv,
    probabilistic_sharpe,
    stability,
)


def test_deflated_sharpe_reproduces_the_papers_numerical_example():
    # Bailey & Lopez de Prado (2014), "The Deflated Sharpe Ratio", numerical example: an
    # annualised SR of 2.5 from 5 years of daily returns (T = 1250), the best of N = 100 trials
    # whose annualised SRs have variance 1/2, returns with skewness -3 and kurtosis 10.
    sr = 2.5 / math.sqrt(250)
    dsr, sr0 = deflated_sharpe(sr, 1250, -3.0, 10.0, 100, 0.5 / 250)
    assert sr0 == pytest.approx(0.1132, abs=5e-5)  # the paper's expected maximum SR (daily)
    assert dsr == pytest.approx(0.9004, abs=5e-5)  # the paper's DSR


def test_psr_at_the_minimum_track_record_is_the_confidence():
    sr, skew, kurt = 0.08, -0.5, 5.0
    n = min_track_record(sr, skew, kurt, benchmark=0.02, confidence=0.95)
    assert probabilistic_sharpe(sr, n, skew, kurt, 0.02) == pytest.approx(0.95, abs=1e-9)
    assert min_track_record(0.01, 0.0, 3.0, benchmark=0.02) == math.inf


def test_expected_max_sharpe_grows_with_trials_and_vanishes_without_dispersion():
    assert expected_max_sharpe(1000, 0.01) > expected_max_sharpe(10, 0.01) > 0
    assert expected_max_sharpe(100, 0.0) == 0.0


def _brute_force_pbo(m: np.ndarray, s: int) -> float:
    """CSCV written out: every half of the s blocks, Sharpe ratios by numpy, ranks by sorting."""
    t, n = m.shape
    edges = np.linspace(0, t, s + 1).astype(int)
    blocks = [np.arange(edges[i], edges[i + 1]) for i in range(s)]
    below = 0
    splits = list(itertools.combinations(range(s), s // 2))
    for train in splits:
        test = [b for b in range(s) if b not in train]
        rows_in = np.concatenate([blocks[b] for b in train])
        rows_out = np.concatenate([blocks[b] for b in test])
        sr_in = m[rows_in].mean(0) / m[rows_in].std(0, ddof=1)
        sr_out = m[rows_out].mean(0) / m[rows_out].std(0, ddof=1)
        star = int(np.argmax(sr_in))
        rank = 1 + sum(1 for x in sr_out if x < sr_out[star])
        w = rank / (n + 1)
        below += math.log(w / (1 - w)) <= 0
    return below / len(splits)


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_pbo_equals_brute_force_cscv(seed):
    m = np.random.default_rng(seed).normal(0.0002, 0.01, (240, 7))
    assert pbo_cscv(m, blocks=8).pbo == pytest.approx(_brute_force_pbo(m, 8), abs=1e-12)


def test_pbo_splits_equal_brute_force_with_tied_and_flat_trials():
    # a grid's matrix: many trials repeat another's returns exactly, some never trade (flat);
    # every split's logit, and the IS/OOS slope, as the written-out CSCV gives them
    rng = np.random.default_rng(4)
    m = rng.normal(0.0003, 0.01, (300, 30))
    m[:, 10:16] = m[:, 3:4]  # ties with trial 3
    m[:, 20] = 0.0
    m[:150, 21] = 0.0
    t, n = m.shape
    edges = np.linspace(0, t, 11).astype(int)
    logits, ins, outs = [], [], []
    for train in itertools.combinations(range(10), 5):
        rows_in = np.concatenate([np.arange(edges[b], edges[b + 1]) for b in train])
        rows_out = np.setdiff1d(np.arange(t), rows_in)
        with np.errstate(divide="ignore", invalid="ignore"):
            sr_in = np.nan_to_num(m[rows_in].mean(0) / m[rows_in].std(0, ddof=1))
            sr_out = np.nan_to_num(m[rows_out].mean(0) / m[rows_out].std(0, ddof=1))
        star = int(np.argmax(sr_in))
        w = (1 + np.sum(sr_out < sr_out[star])) / (n + 1)
        logits.append(math.log(w / (1 - w)))
        ins.append(sr_in[star])
        outs.append(sr_out[star])
    res = pbo_cscv(m, 10)
    np.testing.assert_allclose(res.logits, logits, rtol=0, atol=1e-12)
    assert res.performance_degradation == pytest.approx(np.polyfit(ins, outs, 1)[0], abs=1e-12)
    assert res.prob_oos_loss == pytest.approx(np.mean(np.array(outs) < 0), abs=1e-12)


def test_pbo_is_zero_for_a_dominant_column_and_about_half_for_iid_columns():
    rng = np.random.default_rng(0)
    m = rng.normal(0, 0.01, (800, 20))
    m[:, 5] += 0.004
    assert pbo_cscv(m, 16).pbo == 0.0
    noise = [
        pbo_cscv(np.random.default_rng(s).normal(0, 0.01, (800, 20)), 16).pbo for s in range(12)
    ]
    assert 0.4 < float(np.mean(noise)) < 0.6


def test_pbo_rejects_odd_blocks_and_short_matrices():
    with pytest.raises(ValueError, match="even"):
        pbo_cscv(np.zeros((100, 3)), 5)
    with pytest.raises(ValueError, match="periods"):
        pbo_cscv(np.zeros((10, 3)), 16)


def test_stability_is_the_neighbourhoods_median_share_of_the_peak():
    params = [{"n": n} for n in range(10, 21)]
    values = [1.0] * 11
    values[5] = 2.0  # a lone spike at n = 15, neighbours at half its height
    score, near = stability(params, values, {"n": (10, 20)}, radius=0.1)
    assert (score, near) == (0.5, 2)
    flat, _ = stability(params, [1.0] * 11, {"n": (10, 20)}, radius=0.1)
    assert flat == 1.0


def test_block_bootstrap_is_seeded_and_brackets_the_estimate():
    r = np.random.default_rng(4).normal(0.0005, 0.01, 1500)
    a = block_bootstrap(r, 252, seed=7)
    b = block_bootstrap(r, 252, seed=7)
    assert a == b
    for iv in a.values():
        assert iv.low <= iv.estimate <= iv.high or iv is a["max_drawdown"]
    assert a["sharpe"].low < a["sharpe"].high


def _assess(m: np.ndarray) -> object:
    best = int(np.argmax(m.mean(0) / m.std(0)))
    params = [{"k": j} for j in range(m.shape[1])]
    values = list(m.mean(0) / m.std(0))
    return assess(m, best, params, values, {"k": (0, m.shape[1] - 1)}, 252, seed=1)


def test_noise_reads_as_overfit_and_a_planted_edge_does_not():
    """Wired backwards, these statistics would call noise skill: they must not."""
    rng = np.random.default_rng(11)
    noise = rng.normal(0, 0.01, (1260, 60))
    edge = noise.copy()
    edge[:, 30] += 0.0015  # one real edge, ~2.4 annualised Sharpe
    n, e = _assess(noise), _assess(edge)
    assert n.dsr < 0.5 < e.dsr
    assert e.pbo < 0.1 and n.pbo > e.pbo
    assert n.score > e.score and e.verdict != "high" and n.verdict != "low"
    assert any(line.startswith("PBO ") for line in e.explanation)


def test_one_strong_sign_of_luck_is_never_averaged_away():
    from ava_backtest.analytics.overfitting import overfitting_score

    # PBO 0.7 with a perfect DSR and a flat neighbourhood: still not "low".
    score, verdict = overfitting_score(0.7, 1.0, 1.0, None)
    assert verdict == "high" and score == pytest.approx(1 / 3)
    assert overfitting_score(0.3, 0.99, 0.9, None)[1] == "moderate"  # PBO halfway to luck
    assert overfitting_score(0.05, 0.99, 0.9, None)[1] == "low"
    assert overfitting_score(None, None, None, None)[1] == "unknown"


def test_stability_equals_its_definition_written_out_with_a_choice_parameter():
    rng = np.random.default_rng(4)
    params = [
        {"a": int(a), "b": float(b), "kind": str(c)}
        for a, b, c in zip(
            rng.integers(0, 50, 400),
            rng.uniform(0, 2, 400),
            rng.choice(["x", "y"], 400),
            strict=True,
        )
    ]
    values = rng.normal(1.0, 0.5, 400)
    values[7] = np.nan
    bounds = {"a": (0.0, 49.0), "b": (0.0, 2.0)}
    best = int(np.nanargmax(values))
    near = []
    for i, p in enumerate(params):  # the definition: Chebyshev distance on scaled numbers
        if i == best or not np.isfinite(values[i]) or p["kind"] != params[best]["kind"]:
            continue
        d = max(abs(p["a"] - params[best]["a"]) / 49.0, abs(p["b"] - params[best]["b"]) / 2.0)
        if d <= 0.15:
            near.append(values[i])
    assert len(near) >= 3
    score, n = stability(params, list(values), bounds, radius=0.15)
    assert n == len(near)
    assert score == min(1.0, max(0.0, float(np.median(near)) / values[best]))
