"""Speed and agreement benchmark: Ava against backtesting.py and vectorbt, measured in one run.

Every case runs the same SMA crossover (next-open fills, no costs, all-in whole shares) in each
engine, checks that the engines agree, and prints each engine's median time and Ava's speed ratio
to each peer. The timed region is the peers': prepared price arrays in, trades and equity out.
Numba compile time (Ava's, paid once and cached in the virtualenv) and metrics are timed apart.

    make bench                 # all cases
    python bench/run.py --quick  # smaller repeat counts
"""

from __future__ import annotations

import argparse
import contextlib
import io
import statistics
import sys
import time
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
import pandas as pd

warnings.filterwarnings("ignore")

_COMPILE_T0 = time.perf_counter()
from ava_backtest.analytics.metrics import compute_metrics  # noqa: E402
from ava_backtest.analytics.sweep import sweep  # noqa: E402
from ava_backtest.data.panel import load_panel_with_info  # noqa: E402
from ava_backtest.data.synthetic import synthetic_panel_arrays  # noqa: E402
from ava_backtest.domain.bars import Panel  # noqa: E402
from ava_backtest.domain.signals import Signals  # noqa: E402
from ava_backtest.engine.backtest import EngineSettings, simulate  # noqa: E402
from ava_backtest.indicators import sma  # noqa: E402
from ava_backtest.strategies.registry import get_strategy  # noqa: E402

FAST, SLOW = 10, 30


@dataclass
class Case:
    name: str
    times: dict[str, float] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    agree: str = ""


def median_time(fn: Callable[[], Any], repeat: int) -> tuple[float, Any]:
    out = fn()  # warm-up (and the result to check)
    ts = []
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        ts.append(time.perf_counter() - t0)
    return statistics.median(ts), out


def cross_up(f: np.ndarray, s: np.ndarray) -> np.ndarray:
    out = np.zeros(f.shape, dtype=np.bool_)
    with np.errstate(invalid="ignore"):
        out[1:] = (f[:-1] <= s[:-1]) & (f[1:] > s[1:])
    return out


# --- Ava -----------------------------------------------------------------------------------------


def ava_run(panel: Panel, portfolio: str = "independent") -> Any:
    c = panel.bars.close
    f, s = sma(c, FAST), sma(c, SLOW)
    sig = Signals.empty(c.shape)
    sig.long_entry = cross_up(f, s)
    sig.long_exit = cross_up(s, f)
    return simulate(panel, sig, EngineSettings(initial_cash=100_000, portfolio=portfolio))


# --- backtesting.py ------------------------------------------------------------------------------


def bt_run(df: pd.DataFrame) -> Any:
    from backtesting import Backtest
    from backtesting import Strategy as BtStrategy
    from backtesting.lib import crossover

    def mean(x: np.ndarray, n: int) -> np.ndarray:
        return pd.Series(x).rolling(n).mean().to_numpy()

    class SmaCross(BtStrategy):
        fast = FAST
        slow = SLOW

        def init(self) -> None:
            self.f = self.I(mean, self.data.Close, self.fast)
            self.s = self.I(mean, self.data.Close, self.slow)

        def next(self) -> None:
            if crossover(self.f, self.s):
                self.buy()
            elif crossover(self.s, self.f):
                self.position.close()

    SmaCross.fast, SmaCross.slow = FAST, SLOW
    with contextlib.redirect_stderr(io.StringIO()):  # its per-run progress bar
        return Backtest(df, SmaCross, cash=100_000, commission=0.0).run()


def bt_frame(panel: Panel, j: int) -> pd.DataFrame:
    return pd.DataFrame(
        {
            "Open": panel.trade_open[:, j],
            "High": panel.trade_high[:, j],
            "Low": panel.trade_low[:, j],
            "Close": panel.trade_close[:, j],
            "Volume": panel.bars.volume[:, j],
        },
        index=pd.DatetimeIndex(panel.dates),
    )


# --- vectorbt ------------------------------------------------------------------------------------


def vbt_run(
    close: pd.DataFrame, open_: pd.DataFrame, windows: tuple[list[int], list[int]] | None = None
) -> Any:
    import vectorbt as vbt

    if windows is None:
        f = vbt.MA.run(close, FAST, short_name="fast")
        s = vbt.MA.run(close, SLOW, short_name="slow")
        fv, sv = f.ma.to_numpy(), s.ma.to_numpy()
        cols = close.columns
        price, cl = open_, close
    else:
        fw, sw = windows
        f = vbt.MA.run(close, fw, short_name="fast")
        s = vbt.MA.run(close, sw, short_name="slow")
        fv, sv = f.ma.to_numpy(), s.ma.to_numpy()
        cols = f.ma.columns
        price = pd.DataFrame(
            np.repeat(open_.to_numpy(), len(fw), axis=1), index=close.index, columns=cols
        )
        cl = pd.DataFrame(
            np.repeat(close.to_numpy(), len(fw), axis=1), index=close.index, columns=cols
        )
    entries = pd.DataFrame(cross_up(fv, sv), index=close.index, columns=cols).shift(
        1, fill_value=False
    )
    exits = pd.DataFrame(cross_up(sv, fv), index=close.index, columns=cols).shift(
        1, fill_value=False
    )
    pf = vbt.Portfolio.from_signals(
        cl,
        entries,
        exits,
        price=price,
        size=np.inf,
        init_cash=100_000,
        size_granularity=1,
        freq="1D",
    )
    return pf.trades.values, pf.value().to_numpy()


def frames(panel: Panel) -> tuple[pd.DataFrame, pd.DataFrame]:
    idx = pd.DatetimeIndex(panel.dates)
    cols = [str(s) for s in panel.symbols]
    return (
        pd.DataFrame(panel.trade_close, index=idx, columns=cols),
        pd.DataFrame(panel.trade_open, index=idx, columns=cols),
    )


def synthetic(n_symbols: int, n_bars: int, freq: str = "1d") -> Panel:
    dates, o, h, lo, c, v = synthetic_panel_arrays(n_symbols, n_bars, seed=7, freq=freq)
    syms = [f"SYN{j:05d}" for j in range(n_symbols)]
    return Panel.from_prices(
        dates, syms, o, h, lo, c, v, market="24x7" if freq != "1d" else "US", synthetic=True
    )


def check_equity(name: str, ours: np.ndarray, theirs: np.ndarray) -> str:
    ok = np.allclose(ours, theirs, rtol=1e-9, atol=1e-6)
    if not ok:
        worst = np.nanmax(np.abs(ours - theirs))
        return f"DISAGREE with {name} (max equity diff {worst:.4g})"
    return f"equity equal to {name}"


# --- cases ---------------------------------------------------------------------------------------


def case_a(repeat: int) -> Case:
    c = Case("(a) GOOG sample, one backtest (2,148 daily bars)")
    panel, _ = load_panel_with_info("US", ["GOOG"], None, None)
    t, ours = median_time(lambda: ava_run(panel), repeat)
    c.times["ava"] = t
    df = bt_frame(panel, 0)
    t, stats = median_time(lambda: bt_run(df), max(3, repeat // 5))
    c.times["backtesting.py"] = t
    close, open_ = frames(panel)
    t, (_, v_eq) = median_time(lambda: vbt_run(close, open_), repeat)
    c.times["vectorbt"] = t
    c.agree = "; ".join(
        [
            check_equity(
                "backtesting.py", ours.equity[:, 0], stats._equity_curve["Equity"].to_numpy()
            ),
            check_equity("vectorbt", ours.equity[:, 0], v_eq[:, 0]),
            f"{ours.trades.height} trades (backtesting.py {len(stats._trades)})",
        ]
    )
    return c


def case_b(repeat: int, bt_bars: int) -> Case:
    n = 1_000_000
    c = Case(f"(b) {n:,} synthetic minute bars (24x7), one symbol")
    panel = synthetic(1, n, "1m")
    t, ours = median_time(lambda: ava_run(panel), repeat)
    c.times["ava"] = t
    close, open_ = frames(panel)
    t, (_, v_eq) = median_time(lambda: vbt_run(close, open_), repeat)
    c.times["vectorbt"] = t
    agree = [check_equity("vectorbt", ours.equity[:, 0], v_eq[:, 0])]
    # backtesting.py walks bars in Python; time a prefix and scale linearly (stated in the output).
    sub = Panel.from_prices(
        panel.dates[:bt_bars], ["SYN"], panel.trade_open[:bt_bars], panel.trade_high[:bt_bars],
        panel.trade_low[:bt_bars], panel.trade_close[:bt_bars], panel.bars.volume[:bt_bars],
    )  # fmt: skip
    t0 = time.perf_counter()
    stats = bt_run(bt_frame(sub, 0))
    c.times["backtesting.py"] = (time.perf_counter() - t0) * n / bt_bars
    if bt_bars < n:
        c.notes.append(
            f"backtesting.py timed on the first {bt_bars:,} bars and scaled x{n / bt_bars:.0f}"
        )
    sub_ours = ava_run(sub)
    agree.append(
        check_equity(
            "backtesting.py (prefix)",
            sub_ours.equity[:, 0],
            stats._equity_curve["Equity"].to_numpy(),
        )
    )
    c.agree = "; ".join(agree)
    return c


def case_c(repeat: int, bt_symbols: int) -> tuple[Case, Case]:
    n_sym, n_bars = 500, 2520
    c = Case(f"(c) {n_sym} synthetic symbols x {n_bars:,} daily bars, independent mode")
    panel = synthetic(n_sym, n_bars)
    t, ours = median_time(lambda: ava_run(panel, "independent"), repeat)
    c.times["ava"] = t
    close, open_ = frames(panel)
    t, (_, v_eq) = median_time(lambda: vbt_run(close, open_), repeat)
    c.times["vectorbt"] = t
    agree = [check_equity("vectorbt", ours.equity, v_eq)]
    t0 = time.perf_counter()
    bt_eq = []
    for j in range(bt_symbols):
        bt_eq.append(bt_run(bt_frame(panel, j))._equity_curve["Equity"].to_numpy())
    c.times["backtesting.py"] = (time.perf_counter() - t0) * n_sym / bt_symbols
    if bt_symbols < n_sym:
        c.notes.append(
            f"backtesting.py ran {bt_symbols} of the {n_sym} backtests, scaled x{n_sym / bt_symbols:.0f}"
        )
    agree.append(
        check_equity("backtesting.py", ours.equity[:, :bt_symbols], np.column_stack(bt_eq))
    )
    c.agree = "; ".join(agree)

    shared = Case(f"(c') the same {n_sym} symbols, shared mode (one cash account, 500 slots)")
    t, _ = median_time(lambda: ava_run(panel, "shared"), repeat)
    shared.times["ava"] = t
    shared.notes.append("timed on its own: no peer has the same shared-cash semantics")
    return c, shared


def case_d(repeat: int) -> Case:
    n_bars = 2520
    fast = [5, 8, 10, 12, 15, 20, 25, 30, 35, 40]
    slow = [50, 60, 70, 80, 90, 100, 120, 150, 180, 200]
    grid = [{"fast_period": f, "slow_period": s} for f in fast for s in slow]
    c = Case(
        f"(d) {len(grid)} (fast, slow) combinations on one {n_bars:,}-bar symbol, one sweep call"
    )
    panel = synthetic(1, n_bars)
    strat = get_strategy("sma_crossover")
    settings = EngineSettings(initial_cash=100_000)
    t, (_, ours) = median_time(lambda: sweep(strat, grid, panel, settings), repeat)
    c.times["ava"] = t
    close, open_ = frames(panel)
    fw = [g["fast_period"] for g in grid]
    sw = [g["slow_period"] for g in grid]
    t, (_, v_eq) = median_time(lambda: vbt_run(close, open_, (fw, sw)), repeat)
    c.times["vectorbt"] = t
    agree = [check_equity("vectorbt", ours.equity, v_eq)]
    df = bt_frame(panel, 0)
    global FAST, SLOW
    t0 = time.perf_counter()
    bt_eq = []
    for g in grid:
        FAST, SLOW = g["fast_period"], g["slow_period"]
        bt_eq.append(bt_run(df)._equity_curve["Equity"].to_numpy())
    FAST, SLOW = 10, 30
    c.times["backtesting.py"] = time.perf_counter() - t0
    agree.append(check_equity("backtesting.py", ours.equity, np.column_stack(bt_eq)))
    c.agree = "; ".join(agree)
    return c


def case_o(repeat: int) -> tuple[Case, str]:
    """A 10,000-combination grid study end to end (signals, one kernel call per batch, every
    trial's metrics, the overfitting panel; nothing stored) beside vectorbt's one-call grid with
    its per-column metrics, and Optuna TPE trials per second on single backtests."""
    import datetime as dt

    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.optimize import StudySpec, _Evaluator, run_study, search_space

    sma_cls = get_strategy("sma_crossover")
    # INSYN01 (synthetic, IN market) from its first bar: 2,520 daily bars to 2015-03-18.
    config = RunConfig(
        strategy_name="sma_crossover", market="IN", symbols=["INSYN01"],
        end_date=dt.date(2015, 3, 18), costs={"model": "none"},
    )  # fmt: skip
    ranges = {"fast_period": {"low": 5, "high": 84}, "slow_period": {"low": 85, "high": 209}}
    space = search_space(sma_cls, ranges)
    spec = StudySpec(config, space, sampler="grid", n_trials=100_000)
    run_panel = _Evaluator(config, None)._panel(sma_cls())[3]
    n_bars = run_panel.bars.n_bars
    t, study = median_time(lambda: run_study(spec), max(3, repeat // 2))
    c = Case(
        f"(o) {len(study.trials):,}-combination sma_crossover grid on one {n_bars:,}-bar symbol, "
        "end to end with metrics (PBO, DSR, stability) — target under 3 s"
    )
    c.times["ava"] = t
    grid = [tr.params for tr in study.trials]
    fw = [g["fast_period"] for g in grid]
    sw = [g["slow_period"] for g in grid]
    close, open_ = frames(run_panel)

    def vbt_grid() -> Any:

        trades, value = vbt_run(close, open_, (fw, sw))
        rets = pd.DataFrame(value, index=close.index).pct_change()
        return trades, value, rets.vbt.returns(freq="1D").sharpe_ratio()

    t, (_, v_eq, _) = median_time(vbt_grid, max(3, repeat // 2))
    c.times["vectorbt"] = t
    c.notes.append("vectorbt: MA.run over both windows, Portfolio.from_signals, Sharpe per column")
    ours = np.cumprod(1.0 + study.returns, axis=0) * config.initial_capital
    theirs = v_eq[:, study.matrix_trials]
    same = np.isclose(ours, theirs, rtol=1e-9, atol=1e-6).all(axis=0)
    c.agree = f"equity equal to vectorbt in {int(same.sum()):,} of {same.size:,} combinations"
    if not same.all():
        # Where the two averages meet to the last bits, the libraries' rolling means round
        # differently and a touch becomes a cross in one of them (a handful of 10,000).
        c.agree += f" ({same.size - int(same.sum())} differ: a crossing of near-equal averages)"
    if same.mean() < 0.99:
        c.agree = "DISAGREE: " + c.agree
    c.agree += f"; {len(study.trials):,} trials, {study.returns.shape[1]:,} in the PBO matrix"
    if study.overfitting is not None:
        c.agree += f"; PBO {study.overfitting.pbo:.2f}"

    tpe = StudySpec(config, space, sampler="tpe", n_trials=200, seed=1)
    t0 = time.perf_counter()
    run_study(tpe)
    rate = tpe.n_trials / (time.perf_counter() - t0)
    return c, f"Optuna TPE on single backtests: {rate:,.0f} trials/s ({tpe.n_trials} trials)"


def case_w(repeat: int) -> Case:
    """A 10-window rolling walk-forward of sma_crossover on one symbol, a 400-combination grid
    optimised in each window's in-sample span, then the out-of-sample segments simulated and
    stitched; locally, and on a 2-worker Dask LocalCluster when dask is installed (the same
    windows, which must give exactly the local result)."""
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.cluster import DaskRunner, LocalRunner
    from ava_backtest.runs.walkforward import make_spec, run_walkforward

    config = RunConfig(strategy_name="sma_crossover", symbols=["AAPL"], costs={"model": "none"})
    ranges = {"fast_period": {"low": 5, "high": 43, "step": 2},
              "slow_period": {"low": 50, "high": 145, "step": 5}}  # fmt: skip
    spec = make_spec(config, ranges, folds=10, hindsight=False)
    t, local = median_time(lambda: run_walkforward(spec, runner=LocalRunner()), max(1, repeat // 3))
    trials = sum(w.trials_total for w in local.windows)
    c = Case(
        f"(w) walk-forward: {len(local.windows)} windows x {trials // len(local.windows)} "
        f"combinations of sma_crossover on AAPL ({local.plan.is_sessions} in-sample + "
        f"{local.plan.oos_sessions} out-of-sample sessions each) — target under 5 s locally"
    )
    c.times["ava"] = t
    c.agree = (f"stitched out of sample: CAGR {local.oos_metrics['cagr']:.2%}, efficiency "
               f"{local.efficiency if local.efficiency is None else round(local.efficiency, 3)}")  # fmt: skip
    try:
        from distributed import Client, LocalCluster
    except ImportError:
        c.notes.append("dask not installed: no cluster timing")
        return c
    with (
        LocalCluster(
            n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None
        ) as lc,
        Client(lc) as client,
    ):
        dask = DaskRunner(client)
        run_walkforward(spec, runner=dask)  # workers import Ava and load the kernels once
        td, remote = median_time(lambda: run_walkforward(spec, runner=dask), max(1, repeat // 3))
    same = [w.params for w in remote.windows] == [w.params for w in local.windows] and bool(
        (remote.equity == local.equity).all()
    )
    c.notes.append(f"on a 2-worker Dask LocalCluster: {fmt(td)} (Ava local / cluster "
                   f"{t / td:.2f}x)")  # fmt: skip
    c.agree += "; cluster result " + (
        "identical to local" if same else "DISAGREE: differs from local"
    )
    return c


def _options_extras(shape: tuple[int, int], rng: np.random.Generator) -> dict[str, Any]:
    """Options data of the shape data.options supplies: call/put gamma whose balance drifts in
    slow waves, and a wandering implied volatility."""
    tilt = np.sin(np.cumsum(rng.normal(0, 0.08, shape), axis=0)) * 0.8
    iv = 0.25 * np.exp(0.1 * np.cumsum(rng.normal(0, 0.05, shape), axis=0))
    chain = {"call_gamma": 1e6 * (1 + tilt), "put_gamma": 1e6 * (1 - tilt)}
    chain |= {"call_oi": np.full(shape, 1e4), "put_oi": np.full(shape, 1e4)}
    pcr = 0.9 * np.exp(0.1 * np.cumsum(rng.normal(0, 0.05, shape), axis=0))
    day = np.arange(shape[0]) % 21  # a monthly expiry every 21 sessions, max pain near the price
    oi = {"max_pain": np.full(shape, 100.0), "days_to_expiry": np.repeat((20 - day)[:, None] * 1.4, shape[1], axis=1)}  # fmt: skip
    return {
        "options_chain": chain,
        "implied_volatility": {"implied_volatility": iv},
        "put_call_ratio": {"put_call_ratio": pcr},
        "open_interest": oi,
    }


def strategy_signals(repeat: int) -> list[tuple[str, str, float | None, str]]:
    """Signals of every shipped strategy on 500 symbols x 2,520 bars with its defaults:
    (spec file, name, median seconds or None, why not timed)."""
    from dataclasses import replace

    from ava_backtest.strategies.evaluate import compute_signals
    from ava_backtest.strategies.registry import all_strategies
    from ava_backtest.strategies.spec import spec_for

    panel = synthetic(500, 2520)
    rng = np.random.default_rng(11)
    supplied = {
        "benchmark": np.nanmean(panel.bars.close, axis=1),  # an equal-weight index
        "benchmark_symbol": np.nanmean(panel.bars.close, axis=1),  # the named symbol's closes
        "vix": np.clip(18 + np.cumsum(rng.normal(0, 1, panel.bars.n_bars)) * 0.3, 9, 80),
        **_options_extras(panel.bars.close.shape, rng),
    }
    out = []
    for name, cls in all_strategies().items():
        if not cls.__module__.startswith("ava_backtest.strategies.builtin"):
            continue
        spec = spec_for(name)
        source = spec["source"] if spec else "ava"
        lacking = [need for need in cls.requires if need not in supplied]
        if lacking:
            out.append((source, name, None, f"needs {', '.join(lacking)}"))
            continue
        extra: dict[str, np.ndarray] = {}
        for k in cls.requires:
            v = supplied[k]
            extra.update(v if isinstance(v, dict) else {k: v})
        bars = replace(panel.bars, extra=extra)
        strat = cls()
        t, _ = median_time(lambda s=strat, b=bars: compute_signals(s, b), repeat)
        out.append((source, name, t, ""))
    return out


def bar_by_bar_throughput() -> list[tuple[str, float, int]]:
    """Bars per second of the original bar-by-bar interface on us_sample (6 symbols)."""
    from ava_backtest.strategies.bar_by_bar import BaseStrategy, as_strategy
    from ava_backtest.strategies.evaluate import compute_signals

    class Nothing(BaseStrategy):
        name = "bench_nothing"

        def generate_signal(self, window):  # the platform's own per-bar cost, nothing else
            return None

    sys.path.insert(0, str(Path(__file__).resolve().parents[1] / "examples"))
    from seed_ema_crossover import EMACrossover

    panel, _ = load_panel_with_info(
        "US", ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"], None, None
    )
    n_bars = int(np.isfinite(panel.bars.close).sum())
    out = []
    for label, cls in (
        ("trivial strategy (returns None)", Nothing),
        ("seed-style EMA crossover", EMACrossover),
    ):
        strat = as_strategy(cls)()
        t, _ = median_time(lambda s=strat: compute_signals(s, panel.bars), 3)
        out.append((label, n_bars / t, n_bars))
    return out


def metrics_time(repeat: int) -> float:
    panel, _ = load_panel_with_info("US", ["GOOG"], None, None)
    r = ava_run(panel)
    eq = r.equity[:, 0]
    t, _ = median_time(
        lambda: compute_metrics(
            eq, panel.dates, trades=None, exposure=None, benchmark=None, periods_per_year=252
        ),
        repeat,
    )
    return t


def fmt(t: float) -> str:
    return f"{t * 1000:9.2f} ms" if t < 10 else f"{t:9.2f} s "


def main() -> int:
    ap = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    ap.add_argument(
        "--quick", action="store_true", help="fewer repeats, smaller backtesting.py samples"
    )
    ap.add_argument(
        "--cases",
        default="abcdoswl",
        help="which cases to run, e.g. 'ad' (o: optimisation grid and TPE; w: walk-forward; s: strategy signals, "
        "bar-by-bar; l: API load)",
    )
    args = ap.parse_args()
    repeat = 3 if args.quick else 7

    # Compile (or load from the cache) once, before anything is timed.
    t0 = time.perf_counter()
    tiny = synthetic(2, 200)
    ava_run(tiny)
    ava_run(tiny, "shared")
    compile_s = time.perf_counter() - t0
    import_s = t0 - _COMPILE_T0

    cases: list[Case] = []
    if "a" in args.cases:
        cases.append(case_a(repeat))
    if "b" in args.cases:
        cases.append(case_b(repeat, 50_000 if args.quick else 200_000))
    if "c" in args.cases:
        cases.extend(case_c(repeat, 10 if args.quick else 50))
    if "d" in args.cases:
        cases.append(case_d(repeat))
    extra: list[str] = []
    if "o" in args.cases:
        grid_case, tpe_line = case_o(repeat)
        cases.append(grid_case)
        extra.append(tpe_line)
    if "w" in args.cases:
        cases.append(case_w(repeat))

    if "x" in args.cases:  # (x) a universe screen, locally and on a Dask LocalCluster
        cases.append(__import__("screen_case").case_x(Case, quick=args.quick))

    print(
        f"Ava benchmark — numpy {np.__version__}, {len(cases)} cases, median of {repeat} runs after a warm-up"
    )
    print(
        f"import {import_s:.2f} s; kernel compile/cache load {compile_s:.2f} s (paid once, not in the timings)"
    )
    print(
        f"metrics panel on the GOOG result: {metrics_time(repeat) * 1000:.2f} ms (not in the timings)"
    )
    print()
    for c in cases:
        print(c.name)
        ava = c.times["ava"]
        for eng, t in c.times.items():
            ratio = "" if eng == "ava" else f"   Ava is {t / ava:8.1f}x faster"
            print(f"  {eng:15s} {fmt(t)}{ratio}")
        for n in c.notes:
            print(f"  note: {n}")
        if c.agree:
            print(f"  check: {c.agree}")
        print()
    for line in extra:
        print(line)
        print()
    if "s" in args.cases:
        print("Signals of every shipped strategy, 500 symbols x 2,520 bars, defaults (median)")
        print("  target per catalogue file: median under 20 ms, none over 150 ms")
        timed = strategy_signals(repeat)
        for source in sorted({row[0] for row in timed}):
            rows = [r for r in timed if r[0] == source]
            times = [r[2] for r in rows if r[2] is not None]
            for _, name, t, why in rows:
                mark = "  OVER 150 ms" if t is not None and t > 0.150 else ""
                print(f"  {name:34s} {fmt(t) if t is not None else why}{mark}")
            if times:
                med, top = float(np.median(times)), max(times)
                verdict = "met" if med < 0.020 and top <= 0.150 else "MISSED"
                print(
                    f"  {source}: {len(times)} timed, median {fmt(med)}, max {fmt(top)}: "
                    f"target {verdict}"
                )
            print()
        every = [r[2] for r in timed if r[2] is not None]
        print(
            f"  all {len(every)} timed strategies together: {fmt(sum(every))} "
            f"(median {fmt(float(np.median(every)))}, max {fmt(max(every))}); "
            f"{len(timed) - len(every)} not timed (data the bench does not generate)"
        )
        print()
        print("Bar-by-bar (original interface) throughput on us_sample")
        for label, rate, n in bar_by_bar_throughput():
            print(f"  {label:34s} {rate:12,.0f} bars/s  ({n:,} bars)")
        print()
    "l" in args.cases and __import__("api_load").main([])  # (l) API load; prints its verdict
    bad = [c.name for c in cases if "DISAGREE" in c.agree]
    if bad:
        print("ENGINES DISAGREE in: " + ", ".join(bad))
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
