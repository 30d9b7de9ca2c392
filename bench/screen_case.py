"""Bench case (x): a universe screen of many synthetic symbols, one backtest each, locally and on a
2-worker Dask LocalCluster: wall time and peak memory, so the cost of growing work is on record.

The symbols are generated once into a temporary data store (``AVA_HOME``) as uploaded daily bars
on the US calendar; the screen then runs ``sma_crossover`` (market costs, the default benchmark)
on each alone, exactly as ``ava screen`` does. Each measurement runs in a fresh process, so its
peak resident memory is its own: the local screen's process, or the cluster's client and each
worker (the workers read the bars from the shared store path).

    python bench/screen_case.py                  # 5,000 symbols x 5,040 bars, both runners
    python bench/screen_case.py --symbols 500    # smaller
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import resource
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent


def _names(n: int) -> list[str]:
    return [f"XS{j:05d}" for j in range(n)]


def make_store(home: Path, n_symbols: int, n_bars: int) -> dict[str, Any]:
    """``n_symbols`` synthetic symbols of ``n_bars`` US sessions each, stored as uploads."""
    os.environ["AVA_HOME"] = str(home)
    import polars as pl

    from ava_backtest.data.synthetic import synthetic_bars
    from ava_backtest.data.user_store import save_user_bars
    from ava_backtest.markets import get_market

    start = dt.date(2000, 1, 3)
    sessions = get_market("US").sessions(start, start + dt.timedelta(days=int(n_bars * 1.5) + 30))
    end = dt.date.fromisoformat(str(sessions[n_bars - 1])[:10])
    t0 = time.perf_counter()
    for sym in _names(n_symbols):
        frame = synthetic_bars(sym, "US", start, end, seed=13)
        assert frame.height == n_bars, (sym, frame.height)
        save_user_bars("US", sym, frame.with_columns(pl.col("date")), "bench-synthetic.parquet")
    return {"start": str(start), "end": str(end), "seconds": time.perf_counter() - t0}


def _rss_mb() -> float:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024  # kB on Linux


def _worker_rss_mb() -> float:
    import resource as r

    return r.getrusage(r.RUSAGE_SELF).ru_maxrss / 1024


def measure(n_symbols: int, where: str) -> dict[str, Any]:
    """One screen in this (fresh) process: ``where`` is local or dask."""
    from ava_backtest.domain.config import RunConfig
    from ava_backtest.runs.cluster import DaskRunner, LocalRunner
    from ava_backtest.runs.screens import run_screen

    config = RunConfig(strategy_name="sma_crossover", market="US", symbols=_names(n_symbols))
    out: dict[str, Any] = {"where": where}
    if where == "local":
        run_screen(config.model_copy(update={"symbols": _names(2)}))  # warm, as the cluster is
        t0 = time.perf_counter()
        result = run_screen(config, runner=LocalRunner())
        out["seconds"] = time.perf_counter() - t0
        out["peak_rss_mb"] = {"process": _rss_mb()}
    else:
        from distributed import Client, LocalCluster

        with (
            LocalCluster(
                n_workers=2, threads_per_worker=1, processes=True, dashboard_address=None,
                memory_limit=0,
            ) as lc,
            Client(lc) as client,
        ):  # fmt: skip
            runner = DaskRunner(client)
            run_screen(config.model_copy(update={"symbols": _names(2)}), runner=runner)  # warm
            t0 = time.perf_counter()
            result = run_screen(config, runner=runner)
            out["seconds"] = time.perf_counter() - t0
            workers = client.run(_worker_rss_mb)
            out["peak_rss_mb"] = {"client": _rss_mb(), **{f"worker {i}": v for i, v in
                                                          enumerate(workers.values())}}  # fmt: skip
    rows = result.rows
    out["complete"] = sum(r["status"] == "complete" for r in rows)
    out["failed"] = [r["error"] for r in rows if r["status"] != "complete"][:3]
    # A fingerprint of every row's numbers, to compare the two runners.
    out["checksum"] = round(sum(float(r["metrics"]["final_equity"]) for r in rows
                                if r["status"] == "complete"), 4)  # fmt: skip
    return out


def run_case(n_symbols: int, n_bars: int, dask: bool = True) -> dict[str, Any]:
    with tempfile.TemporaryDirectory(prefix="ava-bench-x-") as home:
        env = {**os.environ, "AVA_HOME": home, "NUMBA_NUM_THREADS": "1"}
        made = json.loads(subprocess.run(
            [sys.executable, __file__, "--make", home, "--symbols", str(n_symbols),
             "--bars", str(n_bars)], env=env, check=True, capture_output=True, text=True,
        ).stdout)  # fmt: skip
        out: dict[str, Any] = {"symbols": n_symbols, "bars": n_bars, "store": made}
        for where in ("local", "dask") if dask else ("local",):
            proc = subprocess.run(
                [sys.executable, __file__, "--measure", where, "--symbols", str(n_symbols)],
                env=env, check=True, capture_output=True, text=True,
            )  # fmt: skip
            out[where] = json.loads(proc.stdout.strip().splitlines()[-1])
        return out


def case_x(case_cls: Any, quick: bool = False) -> Any:
    """The bench's case (x), as a ``Case`` of bench/run.py."""
    n = 500 if quick else 5_000
    try:
        import distributed  # noqa: F401

        dask = True
    except ImportError:
        dask = False
    r = run_case(n, 5_040, dask=dask)
    local = r["local"]
    c = case_cls(
        f"(x) universe screen: {n:,} synthetic symbols x {r['bars']:,} daily bars, "
        "sma_crossover on each alone (one backtest per symbol, market costs)"
    )
    c.times["ava"] = local["seconds"]
    c.notes.append(
        f"local: {local['seconds']:.1f} s ({1000 * local['seconds'] / n:.1f} ms a symbol), peak "
        f"RSS {local['peak_rss_mb']['process']:.0f} MB"
    )
    if dask:
        d = r["dask"]
        peaks = ", ".join(f"{k} {v:.0f} MB" for k, v in d["peak_rss_mb"].items())
        c.notes.append(
            f"2-worker Dask LocalCluster: {d['seconds']:.1f} s (local / cluster "
            f"{local['seconds'] / d['seconds']:.2f}x); peak RSS {peaks}"
        )
        same = d["checksum"] == local["checksum"] and d["complete"] == local["complete"]
        c.agree = f"{local['complete']:,} of {n:,} rows; cluster rows " + (
            "identical to local" if same else "DISAGREE with local"
        )
    else:
        c.notes.append("dask not installed: no cluster timing")
        c.agree = f"{local['complete']:,} of {n:,} rows"
    c.notes.append(f"store of {n:,} uploads generated in {r['store']['seconds']:.1f} s (untimed)")
    return c


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__)
    ap.add_argument("--symbols", type=int, default=5_000)
    ap.add_argument("--bars", type=int, default=5_040)
    ap.add_argument("--make", help=argparse.SUPPRESS)
    ap.add_argument("--measure", choices=("local", "dask"), help=argparse.SUPPRESS)
    ap.add_argument("--no-dask", action="store_true")
    args = ap.parse_args()
    if args.make:
        print(json.dumps(make_store(Path(args.make), args.symbols, args.bars)))
    elif args.measure:
        print(json.dumps(measure(args.symbols, args.measure)))
    else:
        print(json.dumps(run_case(args.symbols, args.bars, dask=not args.no_dask), indent=2))


if __name__ == "__main__":
    main()
