"""The original platform's API contract (original-api.md, original-README.md) beside Ava's: the
strategy list as one JSON array with X-Total-Count, the original backtest body, per-market default
capital and 10 positions for universes of more than 10 symbols (issue 15), the list filters, and
POST /strategies/{name}/backtest creating a real run."""

from __future__ import annotations

import time
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient

from ava_backtest.api.app import create_app
from ava_backtest.markets import MARKETS
from ava_backtest.settings import Settings

TERMINAL = ("completed", "failed", "cancelled", "interrupted")


@pytest.fixture(scope="module")
def client(tmp_path_factory) -> Iterator[TestClient]:
    home = tmp_path_factory.mktemp("compat-home")
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("AVA_HOME", str(home))
        settings = Settings(database_url=f"sqlite:///{home / 'ava.db'}", workers=1)
        with TestClient(create_app(settings)) as c:
            yield c


def wait(c: TestClient, run_id: str, timeout: float = 300) -> dict[str, Any]:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = c.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.2)
    raise AssertionError(f"{run_id} still {run['status']}")


def test_the_strategy_list_is_one_array_with_the_count_in_a_header(client):
    r = client.get("/api/v2/strategies")
    assert r.status_code == 200
    body = r.json()
    assert isinstance(body, list) and len(body) == int(r.headers["X-Total-Count"]) == 124
    assert {"name", "version", "category", "description", "tags"} <= set(body[0])
    momentum = client.get("/api/v2/strategies", params={"category": "momentum"})
    names = [s["name"] for s in momentum.json()]
    assert "momentum_breakout" in names and int(momentum.headers["X-Total-Count"]) == len(names)
    assert len(names) < 124


def test_the_original_body_is_accepted_market_in_any_case(client):
    body = {
        "strategy_name": "sma_crossover",
        "strategy_version": "latest",
        "parameters": {"fast_period": 10, "slow_period": 30},
        "universe": "us_sample",
        "start_date": "2010-01-04",
        "end_date": "2012-12-31",
        "initial_capital": 50000,
        "market": "us",
        "sizing": None,
        "regime_filter": None,
        "risk_rules": None,
    }
    r = client.post("/api/v2/backtests", json=body)
    assert r.status_code == 201, r.text
    run = r.json()
    assert run["market"] == "US" and run["universe"] == "us_sample"
    assert run["config"]["params"] == {"fast_period": 10, "slow_period": 30}
    assert run["config"]["initial_capital"] == 50000
    assert run["config"]["start_date"] == "2010-01-04" and run["config"]["end_date"] == "2012-12-31"
    done = wait(client, run["id"])
    assert done["status"] == "completed", done
    assert done["n_trades"] > 0
    # The same run with Ava's names gives the same numbers.
    ava = {k: v for k, v in body.items() if k not in ("parameters", "strategy_version")}
    ava = {k: v for k, v in ava.items() if v is not None} | {"params": body["parameters"]}
    ava["market"] = "US"
    again = wait(client, client.post("/api/v2/backtests", json=ava).json()["id"])
    assert again["metrics"]["total_return"] == done["metrics"]["total_return"]


@pytest.mark.parametrize(
    ("change", "field", "says"),
    [
        ({"strategy_version": "9.9.9"}, "strategy_version", "is at version"),
        ({"params": {}}, "", "not both"),
        ({"market": "uk"}, "market", "'US', 'IN' or '24x7'"),
        ({"regime_filter": {"sma": 200}}, "regime_filter", "Extra inputs"),
        ({"initial_capital": -5}, "initial_capital", "greater than 0"),
    ],
)
def test_a_bad_original_body_is_a_422_naming_the_field(client, change, field, says):
    body = {
        "strategy_name": "sma_crossover",
        "parameters": {"fast_period": 10},
        "universe": "us_sample",
        "market": "US",
    } | change
    r = client.post("/api/v2/backtests", json=body)
    assert r.status_code == 422, r.text
    err = r.json()["error"]
    assert says in err["message"], err
    if field:
        assert err["message"].startswith(f"{field}:"), err


@pytest.mark.parametrize(("market", "universe", "capital"), [("US", "us_sample", 100_000), ("IN", "in_sample_synthetic", 1_000_000)])  # fmt: skip
def test_capital_left_out_is_the_markets_default(client, market, universe, capital):
    assert MARKETS[market].default_capital == capital
    listed = {m["code"]: m for m in client.get("/api/v2/markets").json()}
    assert listed[market]["default_capital"] == capital  # what the UI's form reads
    r = client.post(
        "/api/v2/backtests",
        json={"strategy_name": "sma_crossover", "universe": universe, "market": market,
              "start_date": "2012-01-03", "end_date": "2012-06-29"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    assert r.json()["config"]["initial_capital"] == capital
    run = wait(client, r.json()["id"])
    assert run["status"] == "completed", run


def test_more_than_10_symbols_hold_10_positions_by_default(client):
    base = {
        "strategy_name": "rsi_mean_reversion",
        "universe": "in_sample_synthetic",  # 50 symbols
        "market": "IN",
        "start_date": "2019-01-01",
        "end_date": "2019-12-31",
    }
    default = client.post("/api/v2/backtests", json=base).json()
    assert default["config"]["max_positions"] == 10 and len(default["symbols"]) == 50
    one_slot_each = client.post("/api/v2/backtests", json=base | {"max_positions": None}).json()
    assert one_slot_each["config"]["max_positions"] is None  # asked for explicitly: kept
    few = client.post(
        "/api/v2/backtests", json={"strategy_name": "rsi_mean_reversion", "universe": "us_sample"}
    ).json()
    assert len(few["symbols"]) == 6 and few["config"]["max_positions"] is None
    fraction = client.post(
        "/api/v2/backtests", json=base | {"sizing": {"mode": "fraction", "value": 0.05}}
    ).json()
    assert fraction["config"]["max_positions"] is None  # not slot sizing: no slot count
    runs = [wait(client, r["id"]) for r in (default, one_slot_each)]
    assert all(r["status"] == "completed" for r in runs), runs
    # 10 slots of ₹1,00,000 buy bigger positions than 50 slots of ₹20,000: fewer, larger entries.
    trades = [
        client.get(f"/api/v2/backtests/{r['id']}/trades", params={"limit": 5000}).json()["items"]
        for r in runs
    ]
    notional = [sum(t["qty"] * t["entry_price"] for t in ts) / len(ts) for ts in trades]
    assert notional[0] > 2 * notional[1], notional


def test_the_list_filters_of_the_original(client):
    r = client.get("/api/v2/backtests", params={"market": "US", "status": "completed"})
    assert r.status_code == 200
    items = r.json()["items"]
    assert items and all(i["market"] == "US" and i["status"] == "completed" for i in items)
    assert r.json()["total"] >= len(items)
    mine = client.get("/api/v2/backtests", params={"strategy": "sma_crossover", "limit": 2}).json()
    assert len(mine["items"]) <= 2 and all(
        i["strategy_name"] == "sma_crossover" for i in mine["items"]
    )
    # "pending" was the original's name for a run not started yet: Ava's "queued".
    assert client.get("/api/v2/backtests", params={"status": "pending"}).status_code == 200


def test_post_strategies_name_backtest_creates_a_real_run(client):
    r = client.post(
        "/api/v2/strategies/ema_crossover/backtest",
        json={"universe": "us_sample", "start_date": "2010-01-04", "end_date": "2011-06-30",
              "parameters": {"fast_period": 8}, "market": "us"},
    )  # fmt: skip
    assert r.status_code == 201, r.text
    run = wait(client, r.json()["id"])
    assert run["status"] == "completed" and run["strategy_name"] == "ema_crossover"
    assert (
        run["config"]["params"]["fast_period"] == 8 and run["config"]["initial_capital"] == 100_000
    )
    listed = client.get("/api/v2/backtests", params={"strategy": "ema_crossover"}).json()
    assert run["id"] in {i["id"] for i in listed["items"]}
    other = client.post("/api/v2/strategies/ema_crossover/backtest",
                        json={"strategy_name": "sma_crossover", "universe": "us_sample"})  # fmt: skip
    assert other.status_code == 422 and other.json()["error"]["details"]["field"] == "strategy_name"
    missing = client.post(
        "/api/v2/strategies/no_such_thing/backtest", json={"universe": "us_sample"}
    )
    assert missing.status_code == 404
    bad = client.post("/api/v2/strategies/ema_crossover/backtest", json={"universe": "us_sample",
                                                                        "initial_capital": "lots"})  # fmt: skip
    assert bad.status_code == 422
    assert bad.json()["error"]["details"]["fields"][0]["field"] == "initial_capital"
