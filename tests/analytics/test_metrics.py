"""The metrics panel against empyrical and quantstats on the same returns, plus hand computations.

Peers get pandas Series built from exactly the returns Ava computes from the equity curve, so any
difference is a difference of definition, never of input. Where a peer defines a metric differently
the test writes out the conversion (or the hand computation) and docs/metrics.md explains it.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass

import empyrical as ep
import numpy as np
import pandas as pd
import polars as pl
import pytest
import quantstats as qs
from scipy import stats as sps

from ava_backtest.analytics import METRICS, TradeStats, compute_metrics, simple_returns
from ava_backtest.analytics.trade_stats import TRADE_KEYS
from ava_backtest.data.sample_store import read_sample

REL = 1e-9
UNITS = {"pct", "ratio", "currency", "bars", "days", "count", "flag"}


def close(ours: float | int | None, peer: float) -> bool:
    assert ours is not None, f"Ava reports None where the peer reports {peer!r}"
    return ours == pytest.approx(float(peer), rel=REL, abs=1e-14)


@dataclass(frozen=True)
class Case:
    name: str
    equity: np.ndarray
    dates: np.ndarray
    benchmark: np.ndarray
    periods: int

    @property
    def returns(self) -> pd.Series:
        return pd.Series(simple_returns(self.equity), index=pd.DatetimeIndex(self.dates[1:]))

    @property
    def bench_returns(self) -> pd.Series:
        return pd.Series(simple_returns(self.benchmark), index=pd.DatetimeIndex(self.dates[1:]))

    def metrics(self, rf: float = 0.0, **kw) -> dict:
        kw.setdefault("trades", None)
        kw.setdefault("exposure", None)
        kw.setdefault("benchmark", self.benchmark)
        return compute_metrics(
            self.equity, self.dates, periods_per_year=self.periods, risk_free_rate=rf, **kw
        )


def _business_days(n: int, start: str = "2015-01-02") -> np.ndarray:
    return pd.bdate_range(start, periods=n).to_numpy().astype("datetime64[ns]")


def _synthetic(name: str, seed: int, n: int, periods: int, fat_tails: bool) -> Case:
    rng = np.random.default_rng(seed)
    market = rng.normal(0.0003, 0.011, n)
    noise = (rng.standard_t(3, n) * 0.006) if fat_tails else rng.normal(0.0, 0.008, n)
    strat = 0.0002 + 0.8 * market + noise
    equity = 100_000.0 * np.cumprod(np.concatenate(([1.0], 1.0 + strat)))
    bench = 2_000.0 * np.cumprod(np.concatenate(([1.0], 1.0 + market)))
    dates = (
        (np.datetime64("2021-01-01") + np.arange(n + 1)).astype("datetime64[ns]")
        if periods == 365
        else _business_days(n + 1)
    )
    return Case(name, equity, dates, bench, periods)


def _aapl() -> Case:
    aapl = read_sample("US", "AAPL").select("date", "adj_close")
    gspc = read_sample("US", "GSPC").select("date", pl.col("adj_close").alias("bench"))
    frame = aapl.join(gspc, on="date", how="left").sort("date")
    return Case(
        "aapl",
        frame["adj_close"].to_numpy(),
        frame["date"].cast(pl.Datetime("ns")).to_numpy(),
        frame["bench"].to_numpy(),
        252,
    )


CASES = {
    "normal_us": lambda: _synthetic("normal_us", 7, 750, 252, fat_tails=False),
    "fat_tails_in": lambda: _synthetic("fat_tails_in", 11, 1000, 247, fat_tails=True),
    "crypto_24x7": lambda: _synthetic("crypto_24x7", 23, 400, 365, fat_tails=True),
    "aapl": _aapl,
}


@pytest.fixture(scope="module", params=list(CASES))
def case(request) -> Case:
    return CASES[request.param]()


@pytest.fixture(params=[0.0, 0.035], ids=["rf0", "rf3.5"])
def rf(request) -> float:
    return request.param


# --- the panel's shape -------------------------------------------------------------------------


def test_metric_table_is_complete_and_consistent():
    assert len(METRICS) >= 25
    for key, info in METRICS.items():
        assert info.key == key
        assert info.unit in UNITS
        assert info.label and info.formula
        assert info.higher_is_better in (True, False, None)
    assert set(TRADE_KEYS) <= set(METRICS)


def test_result_has_exactly_the_metric_keys_in_order_and_is_json_safe(case, rf):
    m = case.metrics(rf, exposure=np.full(case.equity.size, 0.5), trades=_trades([5.0, -2.0]))
    assert list(m) == list(METRICS)
    json.dumps(m, allow_nan=False)
    for key in ("trade_count", "max_hold_bars", "max_drawdown_duration"):
        assert type(m[key]) is int
    assert m["ruined"] is False
    assert all(v is None or type(v) in (int, float) for k, v in m.items() if k != "ruined")


# --- against empyrical -------------------------------------------------------------------------


def test_against_empyrical(case, rf):
    m = case.metrics(rf)
    r, b, p = case.returns, case.bench_returns, case.periods
    rf_p = (1 + rf) ** (1 / p) - 1
    assert close(m["sharpe"], ep.sharpe_ratio(r, risk_free=rf_p, annualization=p))
    assert close(m["sortino"], ep.sortino_ratio(r, required_return=rf_p, annualization=p))
    assert close(m["omega"], ep.omega_ratio(r, required_return=rf, annualization=p))
    assert close(m["omega"], ep.omega_ratio(r, risk_free=rf_p, annualization=1))
    assert close(m["annual_volatility"], ep.annual_volatility(r, annualization=p))
    assert close(m["cagr"], ep.cagr(r, annualization=p))
    assert close(m["cagr"], ep.annual_return(r, annualization=p))
    assert close(m["max_drawdown"], ep.max_drawdown(r))
    assert close(m["calmar"], ep.calmar_ratio(r, annualization=p))
    assert close(m["tail_ratio"], ep.tail_ratio(r))
    assert close(m["stability"], ep.stability_of_timeseries(r))
    assert close(m["value_at_risk"], ep.value_at_risk(r))
    assert close(m["cvar"], ep.conditional_value_at_risk(r))
    assert close(m["total_return"], ep.cum_returns_final(r))
    alpha, beta = ep.alpha_beta(r, b, risk_free=rf_p, annualization=p)
    assert close(m["alpha"], alpha)
    assert close(m["beta"], beta)
    # empyrical's excess_sharpe is the per-bar information ratio; Ava annualises it.
    assert close(m["information_ratio"], ep.excess_sharpe(r, b) * math.sqrt(p))


# --- against quantstats ------------------------------------------------------------------------


def test_against_quantstats(case, rf):
    m = case.metrics(rf)
    r, b, p = case.returns, case.bench_returns, case.periods
    n = r.size
    assert close(m["sharpe"], qs.stats.sharpe(r, rf=rf, periods=p))
    assert close(m["sortino"], qs.stats.sortino(r, rf=rf, periods=p))
    assert close(m["omega"], qs.stats.omega(r, rf=rf, periods=p))
    assert close(m["cagr"], qs.stats.cagr(r, periods=p))
    assert close(m["calmar"], qs.stats.calmar(r, periods=p))
    assert close(m["max_drawdown"], qs.stats.max_drawdown(r))
    assert close(m["tail_ratio"], qs.stats.tail_ratio(r))
    assert close(m["skew"], qs.stats.skew(r))
    assert close(m["kurtosis"], qs.stats.kurtosis(r))
    # quantstats: sqrt(sum(dd^2) / (n_returns - 1)); Ava: sqrt(mean(dd^2)) over all n_returns + 1
    # equity bars (bar 0 is the start, drawdown 0), so the sums agree and only the divisor differs.
    assert close(m["ulcer_index"], qs.stats.ulcer_index(r) * math.sqrt((n - 1) / (n + 1)))
    # quantstats' information ratio is per bar; Ava annualises it.
    assert close(m["information_ratio"], qs.stats.information_ratio(r, b) * math.sqrt(p))
    greeks = qs.stats.greeks(r, b, periods=p)
    assert close(m["beta"], greeks["beta"])
    if rf == 0.0:
        # quantstats annualises alpha arithmetically (mean * P) and ignores rf; Ava compounds it.
        assert close(m["alpha"], (1 + greeks["alpha"] / p) ** p - 1)


def test_moments_match_scipy_bias_adjusted(case):
    m = case.metrics()
    r = case.returns.to_numpy()
    assert close(m["skew"], sps.skew(r, bias=False))
    assert close(m["kurtosis"], sps.kurtosis(r, fisher=True, bias=False))


def test_value_at_risk_is_historical_not_quantstats_parametric(case):
    m = case.metrics()
    r = case.returns
    assert close(m["value_at_risk"], np.percentile(r.to_numpy(), 5))
    # quantstats' value_at_risk is the normal quantile mu + sigma * z_0.05: a different estimator.
    parametric = qs.stats.value_at_risk(r)
    assert parametric == pytest.approx(r.mean() + r.std() * sps.norm.ppf(0.05), rel=1e-9)


# --- hand computations -------------------------------------------------------------------------

HAND_EQUITY = np.array([100.0, 110.0, 99.0, 104.5, 121.0, 110.0, 115.0])
HAND_DATES = np.array(
    ["2024-01-05", "2024-01-08", "2024-01-09", "2024-01-10", "2024-01-16", "2024-01-17",
     "2024-01-18"],
    dtype="datetime64[ns]",
)  # fmt: skip


def _hand(**kw) -> dict:
    kw.setdefault("trades", None)
    kw.setdefault("exposure", None)
    kw.setdefault("benchmark", None)
    kw.setdefault("periods_per_year", 252)
    return compute_metrics(HAND_EQUITY, HAND_DATES, **kw)


def test_hand_computed_returns_and_drawdowns():
    m = _hand()
    # returns: +10%, -10%, +5.5556%, +15.7895%, -9.0909%, +4.5455%
    r = np.array([0.1, -0.1, 104.5 / 99 - 1, 121 / 104.5 - 1, 110 / 121 - 1, 115 / 110 - 1])
    assert close(m["total_return"], 0.15)
    assert close(m["final_equity"], 115.0)
    assert close(m["cagr"], 1.15 ** (252 / 6) - 1)  # years = 6 returns / 252
    assert close(m["annual_volatility"], np.std(r, ddof=1) * math.sqrt(252))
    assert close(m["sharpe"], r.mean() / np.std(r, ddof=1) * math.sqrt(252))
    assert close(m["max_drawdown"], -0.1)  # 110 -> 99
    # peak 110 on bar 1, back above it on bar 4 (121): 3 bars. Peak 121 on bar 4, still under at
    # the last bar 6: 2 bars. Calendar: 2024-01-08 -> 2024-01-16 is 8 days.
    assert m["max_drawdown_duration"] == 3
    assert m["max_drawdown_days"] == 8.0
    dd = np.array([0, 0, -0.1, 104.5 / 110 - 1, 0, 110 / 121 - 1, 115 / 121 - 1])
    assert close(m["ulcer_index"], math.sqrt(np.mean(dd**2)))
    assert close(m["calmar"], (1.15 ** (252 / 6) - 1) / 0.1)
    downside = np.minimum(r, 0)
    assert close(m["sortino"], r.mean() / math.sqrt(np.mean(downside**2)) * math.sqrt(252))
    assert close(m["omega"], r[r > 0].sum() / -r[r < 0].sum())


def test_initial_capital_anchors_total_return_cagr_and_drawdown():
    # Capital 120 before bar 0 (e.g. a close fill's fees): bar 0 already sits under the peak.
    m = _hand(initial_capital=120.0)
    assert close(m["total_return"], 115 / 120 - 1)
    assert close(m["cagr"], (115 / 120) ** (252 / 6) - 1)
    assert close(m["max_drawdown"], 99 / 120 - 1)
    # Peak = the capital (before bar 0); recovered on bar 4 (121 >= 120): 5 bars.
    assert m["max_drawdown_duration"] == 5
    # Sharpe and the other return-based figures use equity returns only, unchanged by the capital.
    assert m["sharpe"] == _hand()["sharpe"]


def test_exposure_is_the_mean_over_every_bar():
    x = np.array([0.0, 1.0, 1.0, 0.5, 0.0, 2.0, 1.0])
    assert close(_hand(exposure=x)["exposure"], x.mean())
    assert _hand()["exposure"] is None


def test_risk_free_rate_is_compounded_to_a_per_bar_rate():
    m = _hand(risk_free_rate=0.05, periods_per_year=252)
    r = simple_returns(HAND_EQUITY) - (1.05 ** (1 / 252) - 1)
    assert close(m["sharpe"], r.mean() / np.std(r, ddof=1) * math.sqrt(252))


# --- trades ------------------------------------------------------------------------------------


def _trades(pnl, ret=None, bars=None, fees=None) -> TradeStats:
    pnl = np.asarray(pnl, dtype=float)
    ret = pnl / 1_000.0 if ret is None else np.asarray(ret, dtype=float)
    bars = np.arange(1, pnl.size + 1) if bars is None else bars
    fees = np.full(pnl.size, 1.5) if fees is None else fees
    return TradeStats(pnl_net=pnl, return_pct=ret, bars_held=bars, fees=fees)


def test_trade_metrics_by_hand_and_against_quantstats():
    pnl = np.array([120.0, -40.0, 75.0, -90.0, 10.0, 300.0, -15.0])
    ret = np.array([0.024, -0.01, 0.015, -0.03, 0.002, 0.05, -0.005])
    bars = np.array([3, 7, 2, 12, 1, 20, 4])
    fees = np.array([2.0, 2.5, 1.0, 3.0, 0.5, 4.0, 1.0])
    m = _hand(trades=TradeStats(pnl, ret, bars, fees))

    wins, losses = pnl > 0, pnl < 0
    w = 4 / 7
    payoff = ret[wins].mean() / abs(ret[losses].mean())
    assert m["trade_count"] == 7
    assert close(m["win_rate"], w)
    assert close(m["profit_factor"], 505.0 / 145.0)
    assert close(m["payoff_ratio"], payoff)
    assert close(m["kelly"], w - (1 - w) / payoff)
    assert close(m["expectancy"], pnl.mean())
    assert close(m["avg_trade"], ret.mean())
    assert close(m["sqn"], math.sqrt(7) * ret.mean() / np.std(ret, ddof=1))
    assert close(m["avg_hold_bars"], bars.mean())
    assert m["max_hold_bars"] == 20
    assert close(m["best_trade"], 0.05)
    assert close(m["worst_trade"], -0.03)
    assert close(m["total_fees"], 14.0)

    idx = pd.bdate_range("2020-01-01", periods=7)
    s_pnl, s_ret = pd.Series(pnl, index=idx), pd.Series(ret, index=idx)
    assert close(m["profit_factor"], qs.stats.profit_factor(s_pnl, prepare_returns=False))
    assert close(m["payoff_ratio"], qs.stats.payoff_ratio(s_ret, prepare_returns=False))
    assert close(m["kelly"], qs.stats.kelly_criterion(s_ret, prepare_returns=False))
    assert close(m["win_rate"], qs.stats.win_rate(s_ret, prepare_returns=False))


def test_sqn_caps_the_sample_at_100_trades():
    rng = np.random.default_rng(5)
    ret = rng.normal(0.002, 0.02, 400)
    m = _hand(trades=_trades(ret * 10_000, ret=ret))
    assert close(m["sqn"], 10.0 * ret.mean() / np.std(ret, ddof=1))


def test_breakeven_trades_count_in_the_win_rate_denominator():
    m = _hand(trades=_trades([10.0, 0.0, -5.0, 0.0]))
    assert close(m["win_rate"], 0.25)  # quantstats would say 0.5: it drops zeros first


def test_no_trades_supplied_vs_no_trades_closed():
    none = _hand(trades=None)
    assert all(none[k] is None for k in TRADE_KEYS)
    empty = _hand(trades=TradeStats.empty())
    assert empty["trade_count"] == 0
    assert empty["total_fees"] == 0.0
    assert all(empty[k] is None for k in TRADE_KEYS if k not in ("trade_count", "total_fees"))


def test_one_trade():
    win = _hand(trades=_trades([50.0], ret=[0.05], bars=[9], fees=[2.0]))
    assert win["trade_count"] == 1
    assert win["win_rate"] == 1.0
    assert win["expectancy"] == 50.0
    assert win["best_trade"] == win["worst_trade"] == 0.05
    assert win["avg_hold_bars"] == 9.0 and win["max_hold_bars"] == 9
    assert win["total_fees"] == 2.0
    for key in ("profit_factor", "payoff_ratio", "kelly", "sqn"):
        assert win[key] is None, key
    loss = _hand(trades=_trades([-50.0], ret=[-0.05]))
    assert loss["win_rate"] == 0.0
    assert loss["profit_factor"] == 0.0
    assert loss["payoff_ratio"] is None and loss["kelly"] is None


def test_all_winning_trades_give_none_where_quantstats_gives_inf():
    pnl = np.array([10.0, 20.0, 5.0])
    m = _hand(trades=_trades(pnl))
    assert m["win_rate"] == 1.0
    assert m["profit_factor"] is None
    assert m["payoff_ratio"] is None
    assert m["kelly"] is None
    assert m["sqn"] is not None
    idx = pd.bdate_range("2020-01-01", periods=3)
    assert qs.stats.profit_factor(pd.Series(pnl, index=idx), prepare_returns=False) == math.inf


def test_trade_stats_validates_its_arrays():
    with pytest.raises(ValueError, match="differ in length"):
        TradeStats(np.ones(3), np.ones(2), np.ones(3, dtype=int), np.ones(3))
    with pytest.raises(ValueError, match="whole numbers"):
        TradeStats(np.ones(2), np.ones(2), np.array([1.5, 2.0]), np.ones(2))
    with pytest.raises(ValueError, match="finite"):
        TradeStats(np.array([1.0, np.nan]), np.ones(2), np.ones(2, dtype=int), np.ones(2))
    t = TradeStats([1, 2], [0.1, 0.2], [1.0, 2.0], [0, 0])
    assert t.bars_held.dtype == np.int64 and t.pnl_net.dtype == np.float64


# --- edge cases --------------------------------------------------------------------------------


def test_constant_equity_has_zero_volatility_and_undefined_ratios():
    n = 60
    m = compute_metrics(
        np.full(n, 50_000.0),
        _business_days(n),
        trades=None,
        exposure=np.zeros(n),
        benchmark=None,
        periods_per_year=252,
    )
    json.dumps(m, allow_nan=False)
    assert m["total_return"] == 0.0 and m["cagr"] == 0.0
    assert m["annual_volatility"] == 0.0
    assert m["max_drawdown"] == 0.0 and m["max_drawdown_duration"] == 0
    assert m["ulcer_index"] == 0.0 and m["value_at_risk"] == 0.0 and m["cvar"] == 0.0
    for key in ("sharpe", "sortino", "calmar", "omega", "tail_ratio", "skew", "kurtosis"):
        assert m[key] is None, key
    # empyrical says NaN for Sharpe; for stability scipy's linregress reports 0, Ava None.
    assert math.isnan(ep.sharpe_ratio(np.zeros(n - 1)))
    assert m["stability"] is None


def test_a_single_bar_has_only_level_metrics():
    m = compute_metrics(
        np.array([1_000.0]),
        _business_days(1),
        trades=None,
        exposure=None,
        benchmark=np.array([10.0]),
        periods_per_year=252,
    )
    assert m["total_return"] == 0.0 and m["final_equity"] == 1_000.0
    assert m["cagr"] is None and m["sharpe"] is None and m["beta"] is None
    json.dumps(m, allow_nan=False)


def test_benchmark_with_leading_nans(case):
    bench = case.benchmark.copy()
    bench[:25] = np.nan
    m = case.metrics(benchmark=bench)
    r, p = case.returns, case.periods
    b = pd.Series(simple_returns(bench), index=r.index)
    assert close(m["benchmark_return"], bench[-1] / bench[25] - 1)
    # empyrical skips the NaN bars itself; the explicit pairing must agree with it.
    alpha, beta = ep.alpha_beta(r, b, annualization=p)
    assert close(m["alpha"], alpha)
    assert close(m["beta"], beta)
    paired = b.notna()
    assert close(m["beta"], ep.beta(r[paired], b[paired]))
    assert close(m["information_ratio"], ep.excess_sharpe(r[paired], b[paired]) * math.sqrt(p))
    # ...and the strategy-only figures do not notice the benchmark at all.
    assert m["sharpe"] == case.metrics()["sharpe"]


def test_no_or_empty_benchmark():
    none = _hand()
    blank = _hand(benchmark=np.full(HAND_EQUITY.size, np.nan))
    for m in (none, blank):
        for key in ("alpha", "beta", "information_ratio", "benchmark_return"):
            assert m[key] is None, key


def test_inputs_are_validated():
    with pytest.raises(ValueError, match="equity"):
        _hand_equity(np.array([100.0, np.inf, 90.0]))
    with pytest.raises(ValueError, match="equity"):
        _hand_equity(np.array([100.0, np.nan, 90.0]))
    with pytest.raises(ValueError, match="dates"):
        compute_metrics(
            HAND_EQUITY,
            HAND_DATES[::-1],
            trades=None,
            exposure=None,
            benchmark=None,
            periods_per_year=252,
        )
    with pytest.raises(ValueError, match="benchmark"):
        _hand(benchmark=np.ones(3))
    with pytest.raises(ValueError, match="exposure"):
        _hand(exposure=np.ones(2))
    with pytest.raises(ValueError, match="periods_per_year"):
        _hand(periods_per_year=0)


def _hand_equity(equity: np.ndarray) -> dict:
    return compute_metrics(
        equity,
        HAND_DATES[: equity.size],
        trades=None,
        exposure=None,
        benchmark=None,
        periods_per_year=252,
    )


def test_ratios_do_not_depend_on_the_account_size(case):
    small = case.metrics()
    big = compute_metrics(
        case.equity * 37.0,
        case.dates,
        trades=None,
        exposure=None,
        benchmark=case.benchmark,
        periods_per_year=case.periods,
    )
    for key in ("sharpe", "sortino", "cagr", "max_drawdown", "ulcer_index", "stability", "alpha"):
        assert big[key] == pytest.approx(small[key], rel=1e-9), key
    assert big["final_equity"] == pytest.approx(small["final_equity"] * 37.0, rel=1e-12)


# --- a ruined curve (equity at or below zero at a close) ----------------------------------------

RUINED = np.array([100.0, 110.0, 99.0, -20.0, 5.0, 5.0, 5.0])
"""Levered to ruin at the close of bar 3 (equity -20), its positions then closed at a better open
(equity 5), no trading after."""


def test_a_ruined_curve_gives_finite_metrics_with_returns_ending_at_the_ruin():
    bench = np.array([50.0, 51.0, 49.0, 48.0, 50.0, 52.0, 51.0])
    exposure = np.array([0.0, 9.0, 10.0, np.nan, 0.0, 0.0, 0.0])
    m = compute_metrics(
        RUINED, HAND_DATES, trades=None, exposure=exposure, benchmark=bench,
        periods_per_year=252, initial_capital=100.0,
    )  # fmt: skip
    json.dumps(m, allow_nan=False)
    assert m["ruined"] is True
    # Returns while alive, the last one the loss of everything: 110/100-1, 99/110-1, -100%.
    r = np.array([0.1, -0.1, -1.0])
    assert m["annual_volatility"] == pytest.approx(np.std(r, ddof=1) * np.sqrt(252), rel=REL)
    assert m["sharpe"] == pytest.approx(r.mean() / np.std(r, ddof=1) * np.sqrt(252), rel=REL)
    assert m["value_at_risk"] == pytest.approx(np.percentile(r, 5), rel=REL)
    assert m["stability"] is None  # no log growth through a total loss
    # Levels use the whole curve: the drawdown goes below -100% (a debt), the end is what is left.
    assert m["max_drawdown"] == pytest.approx(-20.0 / 110.0 - 1.0, rel=REL)
    assert m["total_return"] == pytest.approx(-0.95, rel=REL)
    assert m["cagr"] == pytest.approx(0.05 ** (252 / 6) - 1.0, rel=REL)
    assert m["final_equity"] == 5.0
    # The exposure of the close with no positive equity is undefined, the rest are averaged.
    assert m["exposure"] == pytest.approx(19.0 / 6.0, rel=REL)
    # Benchmark statistics pair the strategy's three returns with the benchmark's first three.
    b = bench[1:4] / bench[:3] - 1.0
    assert m["beta"] == pytest.approx(np.cov(r, b, ddof=0)[0, 1] / np.var(b), rel=1e-9)
    assert m["benchmark_return"] == pytest.approx(51.0 / 50.0 - 1.0, rel=REL)


def test_a_curve_ending_in_debt_has_a_cagr_of_minus_100_percent():
    m = compute_metrics(
        np.array([100.0, 50.0, -30.0, -30.0]), HAND_DATES[:4], trades=None, exposure=None,
        benchmark=None, periods_per_year=252, initial_capital=100.0,
    )  # fmt: skip
    json.dumps(m, allow_nan=False)
    assert m["ruined"] is True and m["cagr"] == -1.0
    assert m["total_return"] == pytest.approx(-1.3, rel=REL)
    assert m["calmar"] == pytest.approx(-1.0 / 1.3, rel=REL)


def test_a_curve_ruined_on_its_first_close_has_no_return_statistics():
    m = compute_metrics(
        np.array([-5.0, -5.0, -5.0]), HAND_DATES[:3], trades=None, exposure=None,
        benchmark=None, periods_per_year=252, initial_capital=100.0,
    )  # fmt: skip
    json.dumps(m, allow_nan=False)
    assert m["ruined"] is True
    assert m["sharpe"] is m["annual_volatility"] is m["value_at_risk"] is m["skew"] is None
    assert m["total_return"] == pytest.approx(-1.05, rel=REL)


def test_the_engine_word_on_ruin_overrides_the_curve():
    """An independent run's account can be ruined while the summed equity stays positive."""
    assert _hand(ruined=True)["ruined"] is True
    assert _hand()["ruined"] is False
