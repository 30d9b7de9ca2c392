"""A backtest through HTTP and the WebSocket, on SQLite and the real PostgreSQL."""

from __future__ import annotations

import json
import time

import numpy as np
import pytest

from ava_backtest.data import get_symbol
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import run_backtest

BODY = {
    "strategy_name": "sma_crossover",
    "params": {"fast_period": 10, "slow_period": 30},
    "universe": "us_sample",
    "start_date": "2005-01-03",
    "end_date": "2012-12-31",
    "initial_capital": 100000,
    "market": "US",
}


def _wait(client, run_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def test_full_backtest_over_http_matches_the_library(client):
    r = client.post("/api/v2/backtests", json=BODY)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["status"] in ("queued", "running", "completed")
    events = []
    with client.websocket_connect(f"/ws/backtests/{run['id']}") as ws:
        while True:
            e = ws.receive_json()
            events.append(e)
            if e["type"] in ("completed", "failed", "cancelled", "interrupted"):
                break
    assert events[0]["type"] == "state"
    assert events[-1]["type"] == "completed", events[-1]
    progress = [e["percent"] for e in events if e["type"] == "progress"]
    if events[0]["status"] in ("queued", "running"):
        assert progress and progress[-1] == 100 and progress == sorted(progress)
    assert events[-1]["metrics"]["trade_count"] > 0

    done = _wait(client, run["id"])
    lib = run_backtest(RunConfig.model_validate(BODY))
    assert done["n_trades"] == lib.trades.height
    assert done["metrics"]["sharpe"] == pytest.approx(lib.metrics["sharpe"], rel=1e-12)

    trades = client.get(f"/api/v2/backtests/{run['id']}/trades", params={"limit": 5000}).json()
    assert trades["total"] == lib.trades.height == len(trades["items"])
    np.testing.assert_array_equal(
        [t["exit_price"] for t in trades["items"]], lib.trades["exit_price"].to_numpy()
    )
    np.testing.assert_array_equal([t["qty"] for t in trades["items"]], lib.trades["qty"].to_numpy())

    curve = client.get(f"/api/v2/backtests/{run['id']}/equity-curve").json()["points"]
    np.testing.assert_allclose([p["equity"] for p in curve], lib.equity, rtol=1e-12)
    assert curve[0]["date"].startswith("2005-01-03")

    page = client.get(
        f"/api/v2/backtests/{run['id']}/trades",
        params={"limit": 7, "offset": 3, "sort": "-pnl_net"},
    ).json()
    assert page["total"] == lib.trades.height and len(page["items"]) == 7
    pnl = [t["pnl_net"] for t in page["items"]]
    assert pnl == sorted(pnl, reverse=True)


def test_a_late_subscriber_gets_the_state_then_the_outcome(client):
    run = client.post("/api/v2/backtests", json=BODY).json()
    _wait(client, run["id"])
    with client.websocket_connect(f"/api/v2/ws/backtests/{run['id']}") as ws:
        first, second = ws.receive_json(), ws.receive_json()
    assert first["type"] == "state" and first["status"] == "completed" and first["percent"] == 100
    assert second["type"] == "completed"


def _named_fields(err: dict) -> list[str]:
    """The fields an error names in its details: a domain error names one, a validation error
    lists each."""
    details = err["details"] or {}
    if "fields" in details:
        return [f["field"] for f in details["fields"]]
    return [details["field"]] if details.get("field") else []


SIGNALS_ONLY = {"universe": None, "symbols": ["AAPL"]}


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        ({"strategy_name": "nope"}, "strategy_name"),
        ({"universe": "nope"}, "universe"),
        ({"universe": None, "symbols": ["AAPL", "NOPE"]}, "symbols"),
        ({"params": {"fast_period": 1}}, "params.fast_period"),
        # No symbol has data in the range: the dates are at fault, not the universe's symbols.
        ({"start_date": "2030-01-01", "end_date": "2031-01-01"}, "start_date"),
        ({"start_date": "1980-01-01", "end_date": "1981-01-01"}, "end_date"),
        ({"initial_capital": -5}, "initial_capital"),
        ({"fill": "sometime"}, "fill"),
        ({"start_date": "2012-01-01", "end_date": "2010-01-01"}, "end_date"),
        ({"surprise": 1}, "surprise"),
        # Past nanosecond timestamps (2262-04-11): refused, not wrapped round to the whole history.
        ({"start_date": "9999-01-01", "end_date": None}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        # Known at request time, so never a failed run.
        ({"initial_capital": 1e308}, "initial_capital"),
        ({"initial_capital": float("inf")}, "initial_capital"),
        ({"max_positions": 10**20}, "max_positions"),
        ({"max_hold_bars": 10**20}, "max_hold_bars"),
        ({"sizing": {"mode": "fixed_cash", "value": float("inf")}}, "sizing.value"),
        ({"sizing": {"mode": "fraction", "value": float("nan")}}, "sizing.value"),
        ({"costs": {"exchange": "LSE"}}, "costs.exchange"),
        ({**SIGNALS_ONLY, "sizing": {"mode": "target_weight"}}, "sizing.mode"),
        # sma_crossover has no stop: risk sizing would silently size as all buying power.
        ({**SIGNALS_ONLY, "sizing": {"mode": "risk", "value": 0.01}}, "sizing.mode"),
        ({"benchmark": "NOPE"}, "benchmark"),
        ({**SIGNALS_ONLY, "start_date": "2010-01-04", "benchmark": "VIX"}, "benchmark"),
    ],
)
def test_bad_input_is_a_4xx_naming_the_field_and_creates_nothing(sqlite_client, patch, field):
    before = sqlite_client.get("/api/v2/backtests").json()["total"]
    # Sent as Python's json writes it: Infinity and NaN literals included, as a client may.
    r = sqlite_client.post(
        "/api/v2/backtests",
        content=json.dumps({**BODY, **patch}),
        headers={"content-type": "application/json"},
    )
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert set(err) == {"code", "message", "details"}
    assert _named_fields(err) == [field], err
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == before


def test_a_run_after_the_default_benchmark_ends_completes_and_none_is_accepted(sqlite_client):
    # GSPC (the US default) ends 2018-12-31; nobody asked for it, so the run must not fail on it.
    body = {**BODY, "universe": None, "symbols": ["NVDA"], "start_date": "2019-01-01",
            "end_date": "2024-12-31"}  # fmt: skip
    for benchmark in (None, "none"):
        r = sqlite_client.post("/api/v2/backtests", json={**body, "benchmark": benchmark})
        assert r.status_code == 201, r.text
        run = _wait(sqlite_client, r.json()["id"])
        assert run["status"] == "completed", run
        assert run["metrics"]["benchmark_return"] is None
        assert run["metrics"]["benchmark_start"] is None
        noted = [n for n in run["notes"] if n.startswith("no benchmark: the default GSPC")]
        assert len(noted) == (1 if benchmark is None else 0), run["notes"]
        assert run["config"]["benchmark"] == benchmark
    r = sqlite_client.post("/api/v2/backtests", json={**body, "benchmark": "GSPC"})
    assert r.status_code == 422 and _named_fields(r.json()["error"]) == ["benchmark"]


def test_benchmark_metrics_carry_their_window_and_the_curve_starts_on_the_equity(sqlite_client):
    body = {**BODY, "universe": None, "symbols": ["AMZN"], "start_date": None}
    run = _wait(sqlite_client, sqlite_client.post("/api/v2/backtests", json=body).json()["id"])
    assert run["status"] == "completed", run
    # AMZN starts 1997, GSPC 1999: the figures cover GSPC's bars up to the run's end only.
    start, end = get_symbol("US", "GSPC").first.isoformat(), BODY["end_date"]
    assert (run["metrics"]["benchmark_start"], run["metrics"]["benchmark_end"]) == (start, end)
    assert any(f"cover {start} .. {end}" in n for n in run["notes"])
    points = sqlite_client.get(f"/api/v2/backtests/{run['id']}/equity-curve").json()["points"]
    first = next(p for p in points if p["benchmark"] is not None)
    assert first["date"].startswith(start) and points[0]["benchmark"] is None
    assert first["benchmark"] == pytest.approx(first["equity"], rel=1e-9)
    assert first["equity"] != pytest.approx(body["initial_capital"], rel=0.01)


def test_unknown_run_is_404_in_the_error_shape(sqlite_client):
    for path in ("", "/trades", "/equity-curve"):
        r = sqlite_client.get(f"/api/v2/backtests/deadbeef{path}")
        assert r.status_code == 404 and r.json()["error"]["code"] == "not_found"


def test_list_has_true_totals_filters_and_delete(sqlite_client):
    ids = [
        sqlite_client.post(
            "/api/v2/backtests", json={**BODY, "universe": None, "symbols": ["GOOG"]}
        ).json()["id"]
        for _ in range(4)
    ]
    for i in ids:
        _wait(sqlite_client, i)
    page = sqlite_client.get("/api/v2/backtests", params={"limit": 2}).json()
    assert page["total"] == 4 and len(page["items"]) == 2
    assert sqlite_client.get("/api/v2/backtests", params={"status": "failed"}).json()["total"] == 0
    assert (
        sqlite_client.get("/api/v2/backtests", params={"strategy": "sma_crossover"}).json()["total"]
        == 4
    )
    assert sqlite_client.delete(f"/api/v2/backtests/{ids[0]}").json()["deleted"] is True
    assert sqlite_client.get(f"/api/v2/backtests/{ids[0]}").status_code == 404
    assert sqlite_client.get("/api/v2/backtests").json()["total"] == 3


def test_runs_survive_a_restart(sqlite_url, make_client):
    with make_client(sqlite_url) as c:
        run = c.post("/api/v2/backtests", json=BODY).json()
        done = _wait(c, run["id"])
    with make_client(sqlite_url) as c:
        again = c.get(f"/api/v2/backtests/{run['id']}").json()
        assert again["status"] == "completed"
        assert again["metrics"] == done["metrics"]
        assert c.get(f"/api/v2/backtests/{run['id']}/trades").json()["total"] == done["n_trades"]


def test_cancel_records_the_run_as_cancelled(sqlite_url, make_client):
    slow = {
        **BODY,
        "universe": "in_sample_synthetic",
        "market": "IN",
        "start_date": "2005-01-03",
        "end_date": "2024-12-31",
    }
    with make_client(sqlite_url, workers=1) as c:
        first = c.post("/api/v2/backtests", json=slow).json()
        queued = c.post("/api/v2/backtests", json=slow).json()
        r = c.post(f"/api/v2/backtests/{queued['id']}/cancel")
        assert r.status_code == 200 and r.json()["status"] == "cancelled"
        assert c.post(f"/api/v2/backtests/{queued['id']}/cancel").status_code == 409
        assert _wait(c, first["id"])["status"] == "completed"
