"""Create-time validation happens in the run service's helper process: the API process never
loads a run's panel, and the errors come back as the same named 4xx."""

from __future__ import annotations

import time

from ava_backtest.data import panel


def test_creating_a_run_loads_no_panel_in_the_api_process(sqlite_client):
    c = sqlite_client
    panel._read_series.cache_clear()  # whatever earlier tests in this process loaded
    created = c.post(
        "/api/v2/backtests",
        json={"strategy_name": "sma_crossover", "universe": "us_sample"},
    )
    assert created.status_code == 201, created.text
    deadline = time.monotonic() + 60
    while c.get(f"/api/v2/backtests/{created.json()['id']}").json()["status"] != "completed":
        assert time.monotonic() < deadline
        time.sleep(0.1)
    assert panel._read_series.cache_info().currsize == 0

    # The same checks, the same answers: a field the data cannot satisfy is named.
    bad = c.post(
        "/api/v2/backtests",
        json={"strategy_name": "sma_crossover", "symbols": ["AAPL"], "start_date": "2030-01-01"},
    )
    assert bad.status_code == 422, bad.text
    assert bad.json()["error"]["details"]["field"] in ("start_date", "end_date")
    unknown = c.post("/api/v2/backtests", json={"strategy_name": "nope", "symbols": ["AAPL"]})
    assert unknown.status_code in (404, 422), unknown.text
    assert unknown.json()["error"]["details"]["field"] == "strategy_name"
    assert "sma_crossover" in unknown.json()["error"]["details"]["available"]
    assert panel._read_series.cache_info().currsize == 0
