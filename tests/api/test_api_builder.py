"""/api/v2/builder: parse previews the rule form and code; an unreadable phrase is a 422 naming
it; save registers a checked strategy that a backtest over HTTP then runs with ema_crossover's
trades (the README example)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from ava_backtest.strategies.registry import all_strategies, reload_plugins

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"


@pytest.fixture
def strategy_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch):
    d = tmp_path / "strategies"
    monkeypatch.setenv("AVA_STRATEGY_DIRS", str(d))
    yield d
    monkeypatch.undo()
    reload_plugins()


def _wait(client, run_id: str, timeout: float = 120.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} still {run['status']} after {timeout} s")


def test_parse_previews_the_rule_form_and_code_without_registering(sqlite_client, strategy_dir):
    before = set(all_strategies())
    r = sqlite_client.post(
        "/api/v2/builder/parse", json={"input": README, "name": "my_strategy", "category": "trend"}
    )
    assert r.status_code == 200, r.text
    doc = r.json()
    assert doc["rule"]["long_entry"]["type"] == "cross"
    assert doc["explained"][0] == (
        "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)"
    )
    assert {p["name"]: (p["default"], p["minimum"], p["maximum"]) for p in doc["parameters"]} == {
        "ema_fast_period": (20, 2, 200),
        "ema_slow_period": (50, 2, 500),
    }
    assert "class MyStrategy(Strategy):" in doc["code"] and doc["path"] is None
    assert set(all_strategies()) == before and not strategy_dir.exists()


@pytest.mark.parametrize(
    ("body", "field", "phrase"),
    [
        ({"input": "Buy when the moon is full"}, "input", "moon is full"),
        ({"input": "Buy when RSI(14, 2) < 30"}, "input", "RSI(14, 2)"),
        ({"input": README, "name": "Bad Name"}, "name", None),
        ({"input": README, "category": "Trend!"}, "category", None),
        ({"input": ""}, "input", None),
        ({"input": README, "extra": 1}, "extra", None),
    ],
)
def test_bad_input_is_a_422_naming_the_field_and_phrase(sqlite_client, body, field, phrase):
    r = sqlite_client.post("/api/v2/builder/parse", json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    details = err["details"]
    fields = [f["field"] for f in details.get("fields", [])] + [details.get("field")]
    assert field in fields, err
    assert err["message"].startswith(f"{field}:"), err
    if phrase is not None:
        assert err["code"] == "unreadable_rule"
        assert err["details"]["phrase"] == phrase
        assert err["details"]["expected"]


def test_save_registers_and_a_backtest_over_http_trades_like_ema_crossover(
    strategy_dir, sqlite_client
):
    # strategy_dir first: the app's worker processes start with AVA_STRATEGY_DIRS pointing there
    r = sqlite_client.post(
        "/api/v2/builder/strategies", json={"input": README, "name": "my_strategy"}
    )
    assert r.status_code == 201, r.text
    doc = r.json()
    assert doc["path"] == str(strategy_dir / "my_strategy.py")
    assert any(c.startswith("look-ahead check") for c in doc["checks"])
    assert sqlite_client.get("/api/v2/strategies/my_strategy").status_code == 200
    again = sqlite_client.post(
        "/api/v2/builder/strategies", json={"input": README, "name": "my_strategy"}
    )
    assert again.status_code == 422 and "exists" in again.json()["error"]["message"]

    ids = {}
    for name, params in (
        ("my_strategy", {}),
        ("ema_crossover", {"fast_period": 20, "slow_period": 50}),
    ):
        body = {"strategy_name": name, "universe": "us_sample", "params": params}
        res = sqlite_client.post("/api/v2/backtests", json=body)
        assert res.status_code == 201, res.text
        ids[name] = res.json()["id"]
    trades = {}
    for name, run_id in ids.items():
        run = _wait(sqlite_client, run_id)
        assert run["status"] == "completed", run
        rows = sqlite_client.get(
            f"/api/v2/backtests/{run_id}/trades", params={"limit": 5000}
        ).json()
        rows = rows["items"] if isinstance(rows, dict) else rows
        trades[name] = [
            (t["symbol"], t["entry_time"], t["exit_time"], t["entry_price"], t["exit_price"])
            for t in rows
        ]
    assert len(trades["my_strategy"]) > 50
    assert trades["my_strategy"] == trades["ema_crossover"]
