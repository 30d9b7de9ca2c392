"""A custom universe (``POST /api/v2/universes``) is backtested like a built-in one: the run
service resolves built-in, custom and uploaded names with one resolver, and hands the workers the
resolved universe (they cannot read the database's custom universes themselves)."""

from __future__ import annotations

import time
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from ava_backtest.data.sample_store import read_sample

TERMINAL = ("completed", "failed", "cancelled", "interrupted")


@pytest.fixture
def client(tmp_path, monkeypatch, make_client, sqlite_url) -> Iterator[TestClient]:
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))  # before the app and its workers
    with make_client(sqlite_url, workers=1) as c:
        yield c


def _wait(client: TestClient, run_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in TERMINAL:
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def _upload_myco(client: TestClient) -> None:
    """GOOG's first 600 shipped bars under another name: a user's uploaded symbol."""
    frame = read_sample("US", "GOOG").head(600)
    names = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
    csv = frame.rename(dict(zip(frame.columns, names, strict=True))).write_csv().encode()
    r = client.post(
        "/api/v2/data/upload",
        data={"market": "US", "symbol": "MYCO"},
        files={"file": ("myco.csv", csv, "text/csv")},
    )
    assert r.status_code == 201, r.text


def test_a_custom_universe_of_shipped_and_uploaded_symbols_is_backtested(client):
    _upload_myco(client)
    made = client.post(
        "/api/v2/universes",
        json={"name": "mine", "market": "US", "symbols": ["IBM", "MYCO"]},
    )
    assert made.status_code == 201, made.text

    created = client.post(
        "/api/v2/backtests",
        json={"strategy_name": "sma_crossover", "market": "US", "universe": "mine"},
    )
    assert created.status_code == 201, created.text
    assert created.json()["symbols"] == ["IBM", "MYCO"]
    run = _wait(client, created.json()["id"])
    assert run["status"] == "completed", run
    assert run["universe"] == "mine" and run["symbols"] == ["IBM", "MYCO"]
    traded = {t["symbol"] for t in client.get(f"/api/v2/backtests/{run['id']}/trades?limit=5000")
              .json()["items"]}  # fmt: skip
    assert traded == {"IBM", "MYCO"}


def test_a_custom_universe_keeps_its_market_and_unknown_names_stay_a_named_4xx(client):
    assert client.post(
        "/api/v2/universes", json={"name": "pair", "market": "US", "symbols": ["IBM", "AAPL"]}
    ).status_code == 201  # fmt: skip
    wrong = client.post(
        "/api/v2/backtests",
        json={"strategy_name": "sma_crossover", "market": "IN", "universe": "pair"},
    )
    assert wrong.status_code == 422, wrong.text
    assert wrong.json()["error"]["details"]["field"] == "market"
    unknown = client.post(
        "/api/v2/backtests", json={"strategy_name": "sma_crossover", "universe": "nope"}
    )
    assert unknown.status_code in (404, 422), unknown.text
    assert unknown.json()["error"]["details"]["field"] == "universe"


def test_a_custom_universe_is_edited_and_deleted_with_named_4xx(client):
    url = "/api/v2/universes"
    assert client.post(url, json={"name": "pair", "market": "US", "symbols": ["IBM", "AAPL"]}).status_code == 201  # fmt: skip
    r = client.patch(f"{url}/pair", json={"symbols": [" msft", "IBM", "GOOG"], "description": "3"})
    assert r.status_code == 200, r.text
    assert r.json()["symbols"] == ["MSFT", "IBM", "GOOG"] and r.json()["size"] == 3
    listed = {u["name"]: u for u in client.get(url).json()["items"]}
    assert listed["pair"]["symbols"] == ["MSFT", "IBM", "GOOG"]
    assert listed["pair"]["description"] == "3" and listed["pair"]["market"] == "US"

    def refused(name: str, body: object, status: int, field: str) -> dict:
        r = client.patch(f"{url}/{name}", json=body)
        assert r.status_code == status, r.text
        err = r.json()["error"]
        fields = [f["field"] for f in (err["details"] or {}).get("fields", [])]
        assert field in fields or err["details"].get("field") == field, err
        return err

    err = refused("pair", {"symbols": ["IBM", "NOPE1"]}, 422, "symbols")
    assert err["details"]["missing"] == ["NOPE1"]
    refused("pair", {"symbols": ["IBM", "ibm"]}, 422, "symbols")
    refused("pair", {"symbols": []}, 422, "symbols")
    refused("pair", {"market": "IN"}, 422, "market")  # the market stays
    refused("us_sample", {"description": "mine"}, 409, "name")
    refused("nope", {"description": "x"}, 404, "name")
    assert client.get(url).json()["items"][-1]["symbols"] == ["MSFT", "IBM", "GOOG"]

    assert client.delete(f"{url}/pair").json() == {"name": "pair", "deleted": True}
    assert client.delete(f"{url}/pair").status_code == 404
    assert "pair" not in {u["name"] for u in client.get(url).json()["items"]}
