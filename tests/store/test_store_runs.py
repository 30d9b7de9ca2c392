"""RunStore: runs through their lifecycle, with a real backtest's trades and equity curve, on
SQLite and on the real PostgreSQL."""

from __future__ import annotations

import dataclasses
import datetime as dt
import math
from collections.abc import Iterator

import numpy as np
import polars as pl
import pytest
from sqlalchemy import text

from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import BacktestResult, resolve_symbols, run_backtest
from ava_backtest.store.db import make_engine, migrate
from ava_backtest.store.repository import RunStore

CONFIG = RunConfig(
    strategy_name="sma_crossover",
    universe="us_sample",
    params={"fast_period": 10, "slow_period": 30},
)


@pytest.fixture(scope="module")
def result() -> BacktestResult:
    return run_backtest(CONFIG)


@pytest.fixture
def store(db_url) -> Iterator[RunStore]:
    engine = make_engine(db_url)
    migrate(engine)
    try:
        yield RunStore(engine)
    finally:
        engine.dispose()


def _count(store: RunStore, table: str, run_id: str | None = None) -> int:
    sql = f"SELECT count(*) FROM {table}" + (" WHERE run_id = :r" if run_id else "")
    with store.engine.connect() as conn:
        return conn.execute(text(sql), {"r": run_id}).scalar_one()


def _new(store: RunStore, config: RunConfig = CONFIG) -> str:
    # The run service resolves the symbols (built-in, custom or uploaded); the store records them.
    symbols = resolve_symbols(config)[0]
    return store.create_run(
        config, params=dict(config.params), code_version="test", symbols=symbols
    )


def test_full_round_trip(store: RunStore, result: BacktestResult):
    assert result.trades.height > 100  # a real run, with a real number of trades
    before = dt.datetime.now(dt.UTC)
    run_id = _new(store)
    row = store.get_run(run_id)
    assert row is not None
    assert len(run_id) == 32 and row["id"] == run_id
    assert row["status"] == "queued"
    assert row["strategy_name"] == "sma_crossover" and row["market"] == "US"
    assert row["universe"] == "us_sample"
    assert row["symbols"] == ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]
    assert row["config"] == CONFIG.model_dump(mode="json")
    assert row["params"] == {"fast_period": 10, "slow_period": 30}
    created = dt.datetime.fromisoformat(row["created_at"])
    assert created.utcoffset() == dt.timedelta(0)
    assert before - dt.timedelta(seconds=1) <= created <= dt.datetime.now(dt.UTC)
    assert row["started_at"] is None and row["metrics"] is None and row["progress"] == 0.0

    assert store.mark_running(run_id)
    assert not store.mark_running(run_id)  # only from queued
    assert store.set_progress(run_id, 0.35, "computing signals")
    row = store.get_run(run_id)
    assert row["status"] == "running" and row["started_at"] is not None
    assert row["progress"] == pytest.approx(0.35)
    assert row["progress_message"] == "computing signals"
    assert store.set_progress(run_id, 7.0, "clamped")
    assert store.get_run(run_id)["progress"] == 1.0

    assert store.save_result(run_id, result)

    row = store.get_run(run_id)
    assert row["status"] == "completed"
    assert row["n_trades"] == result.trades.height
    assert row["metrics"]["trade_count"] == result.metrics["trade_count"]
    for k, v in result.metrics.items():
        if isinstance(v, float) and not math.isfinite(v):
            assert row["metrics"][k] is None
        elif isinstance(v, int | float):
            assert row["metrics"][k] == pytest.approx(v, rel=1e-12), k
        else:  # text (e.g. the benchmark's window) and None are stored as they are
            assert row["metrics"][k] == v, k
    assert row["final_equity"] == pytest.approx(float(result.equity[-1]))
    assert row["currency"] == "USD" and row["synthetic"] is False
    assert row["effective_start"] == result.effective_start.isoformat()
    assert row["data_fingerprint"] == result.data_fingerprint
    assert row["notes"] == result.notes
    assert set(row["timings"]) == set(result.timings)
    assert row["progress"] == 1.0 and row["error"] is None
    finished = dt.datetime.fromisoformat(row["finished_at"])
    assert dt.datetime.fromisoformat(row["started_at"]) <= finished

    # a late terminal event never overwrites the completed run
    assert not store.mark_failed(run_id, "boom", "too late")
    assert not store.mark_cancelled(run_id)
    assert not store.save_result(run_id, result)
    assert store.get_run(run_id)["status"] == "completed"
    assert _count(store, "trades", run_id) == result.trades.height

    _check_trades(store, run_id, result)
    _check_equity(store, run_id, result)


def _check_trades(store: RunStore, run_id: str, result: BacktestResult) -> None:
    expected = result.trades
    n = expected.height
    rows, total = store.trades(run_id, limit=n + 10)
    assert total == n and len(rows) == n
    assert [r["seq"] for r in rows] == list(range(n))
    assert set(rows[0]) == {
        "seq", "symbol", "direction", "entry_time", "exit_time", "entry_price", "exit_price", "qty",
        "pnl_gross", "fees", "dividends", "pnl_net", "return_pct", "exit_reason", "bars_held",
        "exit_qty", "entry_price_adj", "exit_price_adj", "qty_adj",
    }  # fmt: skip
    for r, e in zip(rows, expected.iter_rows(named=True), strict=True):
        assert r["symbol"] == e["symbol"] and r["direction"] == e["direction"]
        assert r["entry_time"] == e["entry_time"].isoformat()
        assert r["exit_time"] == e["exit_time"].isoformat()
        assert r["exit_reason"] == e["exit_reason"] and r["bars_held"] == e["bars_held"]
        for k in ("entry_price", "exit_price", "qty", "pnl_gross", "fees", "dividends", "pnl_net",
                  "exit_qty", "entry_price_adj", "exit_price_adj", "qty_adj"):  # fmt: skip
            assert r[k] == e[k], k  # float64 both ways: exact
        if e["return_pct"] is None or math.isnan(e["return_pct"]):
            assert r["return_pct"] is None
        else:
            assert r["return_pct"] == e["return_pct"]

    # pages: the true total on every page, consecutive slices of the full list
    page, total = store.trades(run_id, limit=25, offset=50)
    assert total == n and [r["seq"] for r in page] == list(range(50, 75))
    page, total = store.trades(run_id, limit=25, offset=n - 5)
    assert total == n and len(page) == 5
    assert store.trades(run_id, limit=10, offset=n + 100) == ([], n)

    # sorted both ways, ties broken by seq
    desc, _ = store.trades(run_id, limit=n, sort="-pnl_net")
    asc, _ = store.trades(run_id, limit=n, sort="pnl_net")
    want = sorted(expected["pnl_net"].to_list())
    assert [r["pnl_net"] for r in asc] == want
    assert [r["pnl_net"] for r in desc] == want[::-1]
    top, _ = store.trades(run_id, limit=3, sort="-pnl_net")
    assert [r["pnl_net"] for r in top] == want[::-1][:3]
    by_symbol, _ = store.trades(run_id, limit=n, sort="symbol")
    assert [(r["symbol"], r["seq"]) for r in by_symbol] == sorted(
        (r["symbol"], r["seq"]) for r in by_symbol
    )
    by_time, _ = store.trades(run_id, limit=n, sort="-entry_time")
    times = [r["entry_time"] for r in by_time]
    assert times == sorted(times, reverse=True)
    last_seq, _ = store.trades(run_id, limit=1, sort="-seq")
    assert last_seq[0]["seq"] == n - 1

    with pytest.raises(ValueError, match="allowed: seq, symbol"):
        store.trades(run_id, sort="run_id")
    with pytest.raises(ValueError, match="pnl_net"):
        store.trades(run_id, sort="pnl_net; DROP TABLE trades")
    assert store.trades("0" * 32) == ([], 0)


def _check_equity(store: RunStore, run_id: str, result: BacktestResult) -> None:
    frame = result.equity_frame()
    points = store.equity(run_id)
    assert len(points) == frame.height
    assert set(points[0]) == {"date", "equity", "cash", "drawdown", "exposure", "benchmark"}
    assert [p["date"] for p in points] == [d.isoformat() for d in frame["date"].to_list()]
    for col in ("equity", "cash", "drawdown", "exposure", "benchmark"):
        got = np.array([np.nan if p[col] is None else p[col] for p in points], dtype=float)
        want = frame[col].to_numpy()
        np.testing.assert_array_equal(got, want, err_msg=col)
    # the benchmark covers only part of the run: NaN outside, stored as NULL, read back as None
    assert points[0]["benchmark"] is None
    assert any(isinstance(p["benchmark"], float) for p in points)
    assert store.equity("0" * 32) == []


def test_nan_metrics_and_ratios_round_trip_as_none(store: RunStore, result: BacktestResult):
    metrics = {
        **result.metrics,
        "sharpe": float("nan"),
        "profit_factor": float("inf"),
        "sortino": np.float64("nan"),
        "nested": {"a": float("nan"), "b": [1.0, float("-inf"), np.float32(2.5)]},
    }
    trades = result.trades.with_columns(
        return_pct=pl.when(pl.int_range(pl.len()) == 0)
        .then(float("nan"))
        .otherwise(pl.col("return_pct"))
    )
    exposure = result.exposure.copy()
    exposure[3] = np.nan
    odd = dataclasses.replace(
        result,
        metrics=metrics,
        exposure=exposure,
        benchmark=None,
        engine=dataclasses.replace(result.engine, trades=trades),
    )
    run_id = _new(store)
    assert store.save_result(run_id, odd)  # straight from queued is allowed
    row = store.get_run(run_id)
    assert row["metrics"]["sharpe"] is None
    assert row["metrics"]["profit_factor"] is None
    assert row["metrics"]["sortino"] is None
    assert row["metrics"]["nested"] == {"a": None, "b": [1.0, None, 2.5]}
    assert row["metrics"]["cagr"] == pytest.approx(result.metrics["cagr"])
    first, _ = store.trades(run_id, limit=1)
    assert first[0]["return_pct"] is None
    points = store.equity(run_id)
    assert points[3]["exposure"] is None and points[4]["exposure"] is not None
    assert all(p["benchmark"] is None for p in points)  # no benchmark at all


def test_list_runs_filters_sorts_and_true_totals(store: RunStore):
    in_cfg = RunConfig(strategy_name="rsi_mean_reversion", market="IN", symbols=["RELIANCE"])
    ids = [_new(store) for _ in range(7)]
    other = [_new(store, in_cfg) for _ in range(2)]
    store.mark_running(ids[0])
    store.mark_failed(ids[1], "data_error", "no bars")
    store.mark_cancelled(ids[2])

    page, total = store.list_runs(limit=3)
    assert total == 9 and len(page) == 3
    assert [r["id"] for r in page] == [*other[::-1], ids[-1]]  # newest first
    page2, total2 = store.list_runs(limit=3, offset=3)
    assert total2 == 9 and [r["id"] for r in page2] == ids[::-1][1:4]
    every, _ = store.list_runs(limit=100)
    assert [r["id"] for r in every] == (ids + other)[::-1]
    oldest, _ = store.list_runs(limit=2, sort="created_at")
    assert [r["id"] for r in oldest] == ids[:2]

    page, total = store.list_runs(strategy="sma_crossover", limit=3)
    assert total == 7 and len(page) == 3
    assert all(r["strategy_name"] == "sma_crossover" for r in page)
    assert store.list_runs(market="IN", limit=1)[1] == 2
    assert store.list_runs(market="IN", limit=1)[0][0]["symbols"] == ["RELIANCE"]
    page, total = store.list_runs(status="queued", limit=3)
    assert total == 6 and len(page) == 3 and {r["status"] for r in page} == {"queued"}
    assert store.list_runs(status="failed")[1] == 1
    failed = store.list_runs(status="failed")[0][0]
    assert failed["error_code"] == "data_error" and failed["error"] == "no bars"
    assert store.list_runs(status="completed") == ([], 0)
    assert store.list_runs(status="queued", market="IN", strategy="rsi_mean_reversion")[1] == 2

    # created_at window: from inclusive, to exclusive; naive datetimes are UTC
    third = dt.datetime.fromisoformat(store.get_run(ids[3])["created_at"])
    later, total = store.list_runs(created_from=third, limit=100)
    assert store.list_runs(created_from=third.isoformat())[1] == 6  # ISO strings work too
    assert total == 6 and ids[3] in {r["id"] for r in later}
    earlier, total = store.list_runs(created_to=third, limit=100)
    assert total == 3 and {r["id"] for r in earlier} == set(ids[:3])
    naive = third.astimezone(dt.UTC).replace(tzinfo=None)
    assert store.list_runs(created_from=naive)[1] == 6
    assert store.list_runs(created_from=third, created_to=third)[1] == 0
    tokyo = third.astimezone(dt.timezone(dt.timedelta(hours=9)))
    assert store.list_runs(created_to=tokyo)[1] == 3
    assert store.list_runs(created_from=dt.datetime.now(dt.UTC) + dt.timedelta(hours=1))[1] == 0

    by_status, _ = store.list_runs(sort="status", limit=100)
    statuses = [r["status"] for r in by_status]
    assert statuses == sorted(statuses)
    by_name, _ = store.list_runs(sort="-strategy_name", limit=100)
    assert [r["strategy_name"] for r in by_name][:2] == ["sma_crossover", "sma_crossover"]
    with pytest.raises(
        ValueError, match="allowed: created_at, strategy_name, status, final_equity"
    ):
        store.list_runs(sort="id")
    with pytest.raises(ValueError):
        store.list_runs(limit=-1)


def test_list_runs_sorts_by_final_equity_nulls_last(store: RunStore, result: BacktestResult):
    rich, poor, pending = _new(store), _new(store), _new(store)
    store.save_result(rich, result)
    half = result.equity.copy()
    half[-1] = result.equity[-1] / 2
    store.save_result(poor, dataclasses.replace(result, equity=half))
    asc, _ = store.list_runs(sort="final_equity")
    desc, _ = store.list_runs(sort="-final_equity")
    assert [r["id"] for r in asc] == [poor, rich, pending]
    assert [r["id"] for r in desc] == [rich, poor, pending]


def test_mark_interrupted_running_only_touches_unfinished_runs(store: RunStore, result):
    queued, running, done, failed, cancelled = (_new(store) for _ in range(5))
    store.mark_running(running)
    store.save_result(done, result)
    store.mark_failed(failed, "internal_error", "kaput")
    store.mark_cancelled(cancelled)

    reason = "the server stopped while this run was queued or running"
    assert store.mark_interrupted_running(reason) == 2
    for run_id in (queued, running):
        row = store.get_run(run_id)
        assert row["status"] == "interrupted"
        assert row["error"] == reason and row["error_code"] == "interrupted"
        assert row["finished_at"] is not None
    assert store.get_run(done)["status"] == "completed"
    assert store.get_run(done)["error"] is None
    assert store.get_run(failed)["error"] == "kaput"
    assert store.get_run(cancelled)["status"] == "cancelled"
    assert store.mark_interrupted_running(reason) == 0
    # interrupted is terminal for the lifecycle...
    assert not store.mark_running(queued)
    assert not store.set_progress(queued, 0.5)
    # ...but a finished result is never thrown away: the run's own outcome replaces it.
    assert store.save_result(running, result)
    assert store.get_run(running)["status"] == "completed"
    assert store.get_run(running)["error"] is None
    assert _count(store, "trades", running) == result.trades.height
    assert not store.save_result(cancelled, result)  # a cancel stands


def test_delete_cascades_to_trades_and_equity(store: RunStore, result: BacktestResult):
    keep, gone = _new(store), _new(store)
    store.save_result(keep, result)
    store.save_result(gone, result)
    n_trades, n_points = result.trades.height, result.equity_frame().height
    assert _count(store, "trades") == 2 * n_trades
    assert _count(store, "equity_points") == 2 * n_points

    assert store.delete_run(gone) is True
    assert store.get_run(gone) is None
    assert store.delete_run(gone) is False
    assert _count(store, "trades", gone) == 0 and _count(store, "equity_points", gone) == 0
    assert _count(store, "trades") == n_trades  # no orphans, the other run untouched
    assert _count(store, "equity_points") == n_points
    assert store.trades(keep, limit=1)[1] == n_trades
    # the cascade is the database's own: a raw DELETE cleans up as well
    with store.engine.begin() as conn:
        conn.execute(text("DELETE FROM runs WHERE id = :r"), {"r": keep})
    assert _count(store, "trades") == 0 and _count(store, "equity_points") == 0


def test_transitions_on_missing_runs_are_noops(store: RunStore, result: BacktestResult):
    missing = "f" * 32
    assert store.get_run(missing) is None
    assert not store.mark_running(missing)
    assert not store.set_progress(missing, 0.5, "x")
    assert not store.mark_failed(missing, "x", "y")
    assert not store.mark_cancelled(missing)
    assert not store.save_result(missing, result)
    assert _count(store, "trades") == 0


def test_symbols_config_and_cancel(store: RunStore):
    cfg = RunConfig(
        strategy_name="sma_crossover", symbols=["aapl", " msft "], start_date="2015-01-01"
    )
    run_id = _new(store, cfg)
    row = store.get_run(run_id)
    assert row["symbols"] == ["AAPL", "MSFT"] and row["universe"] is None
    assert row["config"]["start_date"] == "2015-01-01"
    assert RunConfig.model_validate(row["config"]) == cfg
    assert store.mark_cancelled(run_id)
    row = store.get_run(run_id)
    assert row["status"] == "cancelled" and row["finished_at"] is not None
    assert not store.set_progress(run_id, 0.9, "too late")


def _owned(store: RunStore, owner: str | None) -> str:
    return store.create_run(CONFIG, params={}, code_version="test", symbols=["AAPL"], owner=owner)


def test_only_runs_whose_owner_is_gone_are_interrupted(store: RunStore):
    now = dt.datetime.now(dt.UTC)
    store.register_owner("alive", "host-a", 101)
    store.register_owner("stale", "host-b", 102)
    store.register_owner("dead", "host-a", 103)
    with store._write() as conn:  # "stale" last beat a minute ago
        conn.execute(
            text("UPDATE run_owners SET heartbeat_at = :t WHERE id = 'stale'"),
            {"t": now - dt.timedelta(minutes=1)},
        )
    mine = _owned(store, "alive")
    store.mark_running(mine)
    stale, dead, unowned, unknown = (
        _owned(store, o) for o in ("stale", "dead", None, "never-registered")
    )
    got = store.interrupt_orphans(
        "gone", stale_before=now - dt.timedelta(seconds=20), gone=["dead"]
    )
    assert sorted(got) == sorted([stale, dead, unowned, unknown])
    assert store.get_run(mine)["status"] == "running"
    for run_id in got:
        assert store.get_run(run_id)["status"] == "interrupted"
        assert store.get_run(run_id)["error_code"] == "interrupted"
    assert [o["id"] for o in store.owners()] == ["alive"]
    assert store.heartbeat("alive") and not store.heartbeat("stale")


def test_shutdown_interrupts_its_own_runs_only(store: RunStore):
    store.register_owner("a", "h", 1)
    store.register_owner("b", "h", 2)
    a, b = _owned(store, "a"), _owned(store, "b")
    assert store.interrupt_owned("a", "stopped") == 1
    assert store.get_run(a)["status"] == "interrupted"
    assert store.get_run(b)["status"] == "queued"


def test_a_cancel_request_reaches_the_owner_through_the_database(store: RunStore):
    store.register_owner("a", "h", 1)
    a1, a2, b1 = _owned(store, "a"), _owned(store, "a"), _owned(store, "b")
    assert store.cancel_requests("a") == []
    assert store.request_cancel(a1) and store.request_cancel(b1)
    assert store.cancel_requests("a") == [a1]
    assert store.get_run(a1)["status"] == "queued"  # the owner records the cancel, not the peer
    store.mark_cancelled(a1)
    assert store.cancel_requests("a") == [] and not store.request_cancel(a1)
    assert store.get_run(a2)["cancel_requested"] is False


def test_labels_are_set_cleared_and_searched(store: RunStore):
    rsi = RunConfig(strategy_name="rsi_mean_reversion", market="IN", symbols=["RELIANCE"])
    a, b, c = _new(store), _new(store), _new(store, rsi)
    assert store.set_label("nope", name="x") is None
    row = store.set_label(a, name="Golden 50% cross", tags=["trend", "us_big-6"], notes="Fees ON")
    assert row is not None and row["label_name"] == "Golden 50% cross"
    assert row["label_tags"] == ["trend", "us_big-6"] and row["label_notes"] == "Fees ON"
    store.set_label(b, tags=["mean-rev"], notes="looks overfit")
    # Only the keys given change: a's notes stay when its name is changed.
    assert store.set_label(a, name="Golden 50% cross v2")["label_notes"] == "Fees ON"

    def found(search: str) -> set[str]:
        items, total = store.list_runs(search=search, limit=100)
        assert total == len(items)
        return {r["id"] for r in items}

    assert found("golden") == {a}  # the name, any case
    assert found("US_BIG") == {a}  # a tag
    assert found("overfit") == {b}  # the notes
    assert found("rsi_mean") == {c}  # the strategy
    assert found("sma_crossover") == {a, b}
    assert found("golden fees") == {a}  # every word must occur
    assert found("golden overfit") == set()
    assert found("50%") == {a} and found("%") == {a}  # LIKE wildcards are literal
    assert found("_") == {a, b, c}  # in every strategy name, literally
    assert found("x_y") == set()
    page, total = store.list_runs(search="sma", limit=1)
    assert total == 2 and len(page) == 1  # a true total under pagination
    # Cleared with None.
    store.set_label(a, name=None, tags=None, notes=None)
    assert found("golden") == set() and found("trend") == set()
    with pytest.raises(ValueError, match="unknown label fields: colour"):
        store.set_label(a, colour="red")


def test_list_runs_sorts_by_any_metric(store: RunStore, result: BacktestResult):
    ids = [_new(store) for _ in range(3)]
    pending = _new(store)
    for run_id, sharpe, dd in zip(ids, (0.5, 1.5, -0.2), (-0.3, -0.1, -0.5), strict=True):
        metrics = {**result.metrics, "sharpe": sharpe, "max_drawdown": dd}
        store.save_result(run_id, dataclasses.replace(result, metrics=metrics))
    by = lambda s: [r["id"] for r in store.list_runs(sort=s, limit=100)[0]]  # noqa: E731
    assert by("-sharpe") == [ids[1], ids[0], ids[2], pending]
    assert by("sharpe") == [ids[2], ids[0], ids[1], pending]  # NULLs last either way
    assert by("-max_drawdown") == [ids[1], ids[0], ids[2], pending]
    store.set_label(ids[2], name="alpha")
    store.set_label(ids[0], name="beta")
    assert by("name")[:2] == [ids[2], ids[0]]
    assert by("-n_trades")[-1] == pending
    with pytest.raises(ValueError, match=r"cannot sort by 'sharp'.*sharpe"):
        store.list_runs(sort="sharp")
