"""The original README's POST on sp500_liquid, against a fake FMP: without data the answer names
the missing symbols and the exact sync command; after POST /data/sync it completes. Plus the
candles, search, providers and sync-status endpoints and the sync WebSocket."""

from __future__ import annotations

import time

import pytest

from ava_backtest.data import universe_members
from tests.api.conftest import make_client
from tests.fakes.vendors import FakeVendors

README_BODY = {
    "strategy_name": "sma_crossover",
    "universe": "sp500_liquid",
    "start_date": "2023-01-01",
    "end_date": "2024-06-01",
    "initial_capital": 100000,
    "market": "US",
}
ILLIQUID = ("AOS", "BIO", "CPB", "HII", "MKTX")


def _wait_run(client, run_id: str, timeout: float = 600.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.2)
    raise AssertionError(f"run {run_id} still {run['status']}")


def _wait_sync(client, timeout: float = 900.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        state = client.get("/api/v2/data/sync/status").json()
        if state["status"] in ("completed", "failed"):
            return state
        time.sleep(0.2)
    raise AssertionError(f"sync still running: {state}")


@pytest.fixture
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    monkeypatch.delenv("AVA_REDIS_URL", raising=False)
    return tmp_path / "home"


@pytest.mark.slow
def test_readme_post_fails_with_the_sync_command_then_completes_after_a_sync(
    home, sqlite_url, monkeypatch
):
    members = universe_members.member_list("sp500").symbols
    with FakeVendors(symbols={"US": [*members, "SPY"]}, illiquid=ILLIQUID) as fake:
        fake.apply(monkeypatch, vendors=["fmp"])
        with make_client(sqlite_url) as client:
            r = client.post("/api/v2/backtests", json=README_BODY)
            assert r.status_code == 422, r.text
            err = r.json()["error"]
            command = "ava data sync --universe sp500_liquid --start 2022-12-01 --end 2024-06-01"
            assert err["details"]["sync_command"] == command
            assert command in err["message"]
            assert set(err["details"]["missing"]) == {*members, "GSPC"}
            assert fake.count() == 0  # a run never fetches unless asked to

            r = client.post(
                "/api/v2/data/sync",
                json={
                    "universe": "sp500_liquid",
                    "provider": "fmp",
                    "start": "2022-12-01",
                    "end": "2024-06-01",
                },
            )
            assert r.status_code == 202, r.text
            assert r.json()["status"] == "running" and r.json()["total"] == len(members) + 4
            busy = client.post("/api/v2/data/sync", json={"universe": "djia", "provider": "fmp"})
            state = _wait_sync(client)
            assert state["status"] == "completed", state
            assert state["errors"] == [] and state["done"] == state["total"]
            if busy.status_code == 409:  # the first sync was still running: one at a time
                assert busy.json()["error"]["code"] == "sync_running"

            r = client.post("/api/v2/backtests", json=README_BODY)
            assert r.status_code == 201, r.text
            run = _wait_run(client, r.json()["id"])
            assert run["status"] == "completed", run.get("error")
            traded = {
                t["symbol"]
                for t in client.get(f"/api/v2/backtests/{run['id']}/trades?limit=5000").json()[
                    "items"
                ]
            }
            assert traded and not traded & set(ILLIQUID)
            assert traded <= set(members)

            # idempotent: the same sync again sends no request at all
            before = fake.count()
            r = client.post(
                "/api/v2/data/sync",
                json={
                    "universe": "sp500_liquid",
                    "provider": "fmp",
                    "start": "2022-12-01",
                    "end": "2024-06-01",
                },
            )
            assert r.status_code == 202, r.text
            again = _wait_sync(client)
            assert again["status"] == "completed" and again["requests"] == 0
            assert again["skipped"] == again["total"]
            assert fake.count() == before


def test_candles_search_providers_and_the_sync_socket(home, sqlite_url, monkeypatch):
    with FakeVendors(symbols={"US": ["AAPL", "MSFT", "SPY"], "IN": ["RELIANCE"]}) as fake:
        fake.apply(monkeypatch, vendors=["fmp"])
        with make_client(sqlite_url) as client:
            r = client.get(
                "/api/v2/data/candles",
                params={"symbol": "MSFT", "start": "2024-01-02", "end": "2024-02-29"},
            )
            assert r.status_code == 200, r.text
            body = r.json()
            assert body["symbol"] == "MSFT" and body["source"] == "market-data: fmp"
            assert (
                body["candles"][0]["ts"] == "2024-01-02" and len(body["candles"]) == 41
            )  # 21 January + 20 February sessions
            assert set(body["candles"][0]) == {
                "ts",
                "open",
                "high",
                "low",
                "close",
                "volume",
                "adj_close",
            }
            n = fake.count()
            again = client.get(
                "/api/v2/data/candles",
                params={"symbol": "MSFT", "start": "2024-01-10", "end": "2024-02-01"},
            )
            assert again.status_code == 200 and fake.count() == n  # served from the store

            bad = client.get(
                "/api/v2/data/candles",
                params={"symbol": "MSFT", "start": "2024-03-01", "end": "2024-02-01"},
            )
            assert bad.status_code == 422 and bad.json()["error"]["details"]["field"] == "start"

            s = client.get("/api/v2/symbols/search", params={"q": "AAPL"})
            assert s.status_code == 200, s.text
            assert s.json()["source"] == "fmp" and any(
                h["symbol"] == "AAPL" for h in s.json()["results"]
            )

            p = client.get("/api/v2/data/providers").json()
            by = {i["name"]: i for i in p["items"]}
            assert by["fmp"]["configured"] and not by["alpaca"]["configured"]

            nope = client.post("/api/v2/data/sync", json={"universe": "djia", "provider": "alpaca"})
            assert (
                nope.status_code == 422 and nope.json()["error"]["details"]["field"] == "provider"
            )
            unknown = client.post("/api/v2/data/sync", json={"universe": "sp999"})
            assert (
                unknown.status_code == 422
                and unknown.json()["error"]["details"]["field"] == "universe"
            )
            neg = client.post("/api/v2/data/sync", json={"universe": "djia", "max_symbols": -1})
            assert neg.status_code == 422 and "max_symbols" in neg.text

            with client.websocket_connect("/ws/data/sync") as ws:
                first = ws.receive_json()
                assert first["type"] == "state" and first["status"] == "idle"
            r = client.post(
                "/api/v2/data/sync",
                json={
                    "symbols": ["AAPL", "MSFT", "SPY"],
                    "market": "US",
                    "start": "2023-01-01",
                    "end": "2023-12-31",
                    "auxiliary": False,
                },
            )
            assert r.status_code == 202, r.text
            with client.websocket_connect("/api/v2/ws/data/sync") as ws:
                events = [ws.receive_json()]
                while (
                    events[-1]["type"] not in ("completed", "failed")
                    and events[-1].get("status") == "running"
                ):
                    events.append(ws.receive_json())
            assert events[-1]["status"] == "completed" or events[-1]["type"] == "completed"
            final = _wait_sync(client)
            assert final["done"] == 3 and final["errors"] == []

            # "sync": true on a backtest fetches first (here a symbol list the store lacks)
            body = {
                "strategy_name": "sma_crossover", "symbols": ["AMD"], "market": "US",
                "start_date": "2023-03-01", "end_date": "2023-12-29", "sync": True,
            }  # fmt: skip
            plain = client.post("/api/v2/backtests", json={**body, "sync": False})
            assert plain.status_code == 422 and "AMD" in plain.json()["error"]["message"]
            fake.symbols["US"].add("AMD")
            n = fake.count("fmp", "AMD")
            r = client.post("/api/v2/backtests", json=body)
            assert r.status_code == 201, r.text
            assert fake.count("fmp", "AMD") > n
            run = _wait_run(client, r.json()["id"])
            assert run["status"] == "completed", run.get("error")
            assert "sync" not in run["config"]
