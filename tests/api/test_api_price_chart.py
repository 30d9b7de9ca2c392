"""GET /api/v2/backtests/{id}/price-chart: the run page's price chart in one request keyed by the
run alone (issue 15's first load): the bars GET /data/bars answers, as columns, and the series GET
/backtests/{id}/indicators answers, for the run's first symbol in the view the chart opens with."""

from __future__ import annotations

from test_api_backtests import _wait

BODY = {
    "strategy_name": "rsi_mean_reversion",
    "symbols": ["AAPL", "MSFT"],
    "start_date": "2004-06-01",
    "end_date": "2006-06-30",
}
COLUMNS = ("time", "open", "high", "low", "close", "volume")


def _rows(bars: dict) -> list[dict]:
    return [
        dict(zip(COLUMNS, r, strict=True)) for r in zip(*(bars[c] for c in COLUMNS), strict=True)
    ]


def test_defaults_are_the_first_symbol_adjusted_and_match_the_two_endpoints(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"])
    assert run["status"] == "completed"
    first = run["symbols"][0]
    r = c.get(f"/api/v2/backtests/{run['id']}/price-chart")
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["run_id"], out["symbol"], out["prices"]) == (run["id"], first, "adjusted")

    bars = c.get(
        f"/api/v2/data/bars/US/{first}",
        params={"start": BODY["start_date"], "end": BODY["end_date"], "prices": "adjusted"},
    ).json()
    got = out["bars"]
    assert got["total"] == bars["total"] == len(got["time"]) > 400
    assert all(len(got[k]) == got["total"] for k in COLUMNS)
    assert _rows(got) == bars["bars"]  # the same bars, as columns
    assert {k: got[k] for k in ("market", "symbol", "adjustment", "synthetic", "notes")} == {
        k: bars[k] for k in ("market", "symbol", "adjustment", "synthetic", "notes")
    }
    ind = c.get(f"/api/v2/backtests/{run['id']}/indicators", params={"symbol": first}).json()
    assert out["indicators"] == ind
    assert [s["label"] for s in out["indicators"]["series"]] == ["RSI 14"]

    # asked again (the answer kept for the data it was computed on): the same bytes
    assert c.get(f"/api/v2/backtests/{run['id']}/price-chart").content == r.content


def test_a_symbol_and_the_as_traded_view(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"])
    r = c.get(
        f"/api/v2/backtests/{run['id']}/price-chart",
        params={"symbol": "msft", "prices": "as_traded"},
    )
    assert r.status_code == 200, r.text
    out = r.json()
    assert (out["symbol"], out["prices"], out["bars"]["adjustment"]) == (
        "MSFT",
        "as_traded",
        "as_traded",
    )
    bars = c.get(
        "/api/v2/data/bars/US/MSFT",
        params={"start": BODY["start_date"], "end": BODY["end_date"], "prices": "as_traded"},
    ).json()
    assert _rows(out["bars"]) == bars["bars"]
    assert out["indicators"]["symbol"] == "MSFT"


def test_a_run_on_as_traded_prices_opens_as_traded(sqlite_client):
    c = sqlite_client
    body = {**BODY, "symbols": ["AAPL"], "adjustment": "none"}
    run = _wait(c, c.post("/api/v2/backtests", json=body).json()["id"])
    assert run["status"] == "completed", run
    out = c.get(f"/api/v2/backtests/{run['id']}/price-chart").json()
    assert out["prices"] == out["bars"]["adjustment"] == "as_traded"
    assert out["indicators"]["prices"] == "as_traded"


def test_bad_requests_are_clear_errors(sqlite_client):
    c = sqlite_client
    run = _wait(c, c.post("/api/v2/backtests", json=BODY).json()["id"])
    url = f"/api/v2/backtests/{run['id']}/price-chart"
    r = c.get(url, params={"symbol": "NVDA"})
    assert r.status_code == 422
    err = r.json()["error"]
    assert err["details"]["field"] == "symbol" and "AAPL" in err["message"]
    r = c.get(url, params={"prices": "raw"})
    assert r.status_code == 422 and "prices" in r.text
    r = c.get(url, params={"symbol": ""})
    assert r.status_code == 422 and "symbol" in r.text
    r = c.get(url, params={"symbol": "X" * 33})
    assert r.status_code == 422
    assert c.get("/api/v2/backtests/nope/price-chart").status_code == 404


def test_kept_answers_stay_under_their_byte_limit():
    from ava_backtest.api.routers.backtests import _Kept

    kept = _Kept(100)
    kept.put(("a",), b"x" * 20)
    kept.put(("b",), b"y" * 20)
    assert kept.get(("a",)) == b"x" * 20  # now the most recently used
    kept.put(("c",), b"z" * 25)
    kept.put(("d",), b"w" * 25)
    kept.put(("e",), b"v" * 25)  # over 100 bytes: the least recently used goes first
    assert kept.get(("b",)) is None and kept.get(("a",)) is not None
    assert kept.size == sum(len(v) for v in kept.items.values()) <= 100
    kept.put(("huge",), b"h" * 26)  # over a quarter of the limit: not kept at all
    assert kept.get(("huge",)) is None
    kept.put(("a",), b"x")  # replaced, not counted twice
    assert kept.size == sum(len(v) for v in kept.items.values())
