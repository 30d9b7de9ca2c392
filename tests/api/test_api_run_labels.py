"""PATCH /backtests/{id} (name, tags, notes), ?search= and sort by any metric, over HTTP."""

from __future__ import annotations

from tests.api.test_api_backtests import BODY, _wait

GOOG = {**BODY, "universe": None, "symbols": ["GOOG"]}


def _fields(r) -> list[str]:
    err = r.json()["error"]
    details = err.get("details") or {}
    return [f["field"] for f in details.get("fields", [])] or [details.get("field")]


def test_a_named_run_is_found_by_search_and_sorted_by_a_metric(sqlite_client):
    c = sqlite_client
    a = c.post("/api/v2/backtests", json=GOOG).json()["id"]
    b = c.post("/api/v2/backtests", json={**GOOG, "params": {"fast_period": 20, "slow_period": 60}})
    b = b.json()["id"]
    for i in (a, b):
        _wait(c, i, timeout=300)
    r = c.patch(
        f"/api/v2/backtests/{a}",
        json={
            "name": "  GOOG fast cross ",
            "tags": ["trend", "Trend", "goog"],
            "notes": "costs on",
        },
    )
    assert r.status_code == 200, r.text
    run = r.json()
    assert run["name"] == "GOOG fast cross" and run["tags"] == ["trend", "goog"]
    assert run["label_notes"] == "costs on" and run["status"] == "completed"
    assert isinstance(run["notes"], list)  # the run's own notes are untouched
    # A field left out keeps its value; "" clears.
    run = c.patch(f"/api/v2/backtests/{a}", json={"notes": ""}).json()
    assert run["label_notes"] is None and run["name"] == "GOOG fast cross"
    assert c.get(f"/api/v2/backtests/{b}").json()["tags"] == []

    def found(**q) -> list[str]:
        page = c.get("/api/v2/backtests", params=q).json()
        assert page["total"] >= len(page["items"])
        return [x["id"] for x in page["items"]]

    assert found(search="fast cross") == [a]
    assert found(search="TREND") == [a]
    assert found(search="sma_cross") == [b, a]
    assert found(search="nothing-like-it") == []
    page = c.get("/api/v2/backtests", params={"search": "sma", "limit": 1}).json()
    assert page["total"] == 2 and len(page["items"]) == 1
    sharpe = {i: c.get(f"/api/v2/backtests/{i}").json()["metrics"]["sharpe"] for i in (a, b)}
    assert sharpe[a] != sharpe[b]
    best_first = sorted((a, b), key=lambda i: -sharpe[i])
    assert found(sort="-sharpe") == best_first
    assert found(sort="sharpe") == best_first[::-1]
    assert found(sort="-max_drawdown", search="sma")[0] in (a, b)


BAD = [
    ({"tags": "trend"}, "tags"),
    ({"tags": ["ok", ""]}, "tags"),
    ({"tags": ["x" * 33]}, "tags"),
    ({"tags": ["a,b"]}, "tags"),
    ({"tags": [f"t{i}" for i in range(21)]}, "tags"),
    ({"name": "x" * 201}, "name"),
    ({"name": "two\nlines"}, "name"),
    ({"notes": 5}, "notes"),
    ({"colour": "red"}, "colour"),
]


def test_bad_labels_are_422_naming_the_field_and_change_nothing(sqlite_client):
    run_id = sqlite_client.post("/api/v2/backtests", json=GOOG).json()["id"]
    for body, field in BAD:
        r = sqlite_client.patch(f"/api/v2/backtests/{run_id}", json=body)
        assert r.status_code == 422, (body, r.text)
        assert any(f == field or str(f).startswith(f"{field}.") for f in _fields(r)), r.json()
    run = sqlite_client.get(f"/api/v2/backtests/{run_id}").json()
    assert run["name"] is None and run["tags"] == [] and run["label_notes"] is None


def test_labels_on_unknown_runs_and_bad_sorts(sqlite_client):
    r = sqlite_client.patch("/api/v2/backtests/deadbeef", json={"name": "x"})
    assert r.status_code == 404 and r.json()["error"]["details"]["field"] == "id"
    r = sqlite_client.get("/api/v2/backtests", params={"sort": "-sharp"})
    assert r.status_code == 422 and _fields(r) == ["sort"]
    assert "sharpe" in r.json()["error"]["message"]
    r = sqlite_client.get("/api/v2/backtests", params={"search": "x" * 201})
    assert r.status_code == 422 and _fields(r) == ["search"]
