"""Strategies, markets, universes and data endpoints return real data and clear errors."""

from __future__ import annotations


def test_strategies_list_filters_and_detail_schema(sqlite_client):
    c = sqlite_client
    r = c.get("/api/v2/strategies")
    all_ = r.json()  # the original README's contract: one unpaginated JSON array
    assert isinstance(all_, list) and int(r.headers["X-Total-Count"]) == len(all_) >= 9
    # The whole catalogue of the spec is served: 124 of 124.
    from ava_backtest.strategies.spec import catalogue

    assert {s["name"] for s in all_} >= set(catalogue()) and len(catalogue()) == 124
    trend = c.get("/api/v2/strategies", params={"category": "trend"}).json()
    assert {s["name"] for s in trend} >= {
        "sma_crossover",
        "ema_crossover",
        "macd_crossover",
    }
    assert all(s["category"] == "trend" for s in trend)
    r = c.get("/api/v2/strategies", params={"search": "bollinger"})
    found = r.json()
    names = [s["name"] for s in found]
    assert "bollinger_bands" in names and int(r.headers["X-Total-Count"]) == len(names)
    for s in found:
        text = " ".join((s["name"], s["description"], *s["tags"])).lower()
        assert "bollinger" in text, s["name"]
    none = c.get("/api/v2/strategies", params={"search": "no-such-strategy-text"})
    assert none.json() == [] and none.headers["X-Total-Count"] == "0"
    d = c.get("/api/v2/strategies/sma_crossover").json()
    assert d["parameters"]["properties"]["fast_period"] == {
        "default": 20, "type": "integer", "minimum": 5, "maximum": 100, "description": "Fast SMA length in bars",
        "x-less-than": "slow_period",
    }  # fmt: skip
    assert d["warmup"] == 51
    assert [(s["name"], s["label"], s["kind"]) for s in d["display"]] == [
        ("fast", "SMA 20", "overlay"),
        ("slow", "SMA 50", "overlay"),
    ]
    rsi = c.get("/api/v2/strategies/rsi_mean_reversion").json()["display"]
    assert rsi == [
        {"name": "rsi", "label": "RSI 14", "kind": "pane", "pane": "rsi", "levels": [30.0, 70.0], "style": "line"}
    ]  # fmt: skip
    r = c.get("/api/v2/strategies/nope")
    assert r.status_code == 404 and "available" in r.json()["error"]["message"]
    dm = c.get("/api/v2/strategies/dual_momentum").json()
    assert dm["requires"] == ["benchmark"] and dm["cross_sectional"] is True


def test_markets_have_calendars_currency_and_fee_lines(sqlite_client):
    c = sqlite_client
    codes = [m["code"] for m in c.get("/api/v2/markets").json()]
    assert codes == ["US", "IN", "24x7"]
    india = c.get("/api/v2/markets/IN").json()
    assert india["currency"] == "INR" and india["calendar"] == "XBOM"
    delivery = next(
        m for m in india["cost_models"] if m["product"] == "delivery" and m["exchange"] == "NSE"
    )
    assert {"stt", "stamp_duty", "gst", "dp_charges"} <= {
        line["name"] for line in delivery["lines"]
    }
    assert c.get("/api/v2/markets/XX").status_code == 404


def test_universes_builtin_and_custom(sqlite_client):
    c = sqlite_client
    items = {u["name"]: u for u in c.get("/api/v2/universes").json()["items"]}
    assert items["us_sample"]["size"] == 6 and items["us_sample"]["survivorship_biased"] is True
    assert items["in_sample_synthetic"]["synthetic"] is True
    r = c.post(
        "/api/v2/universes", json={"name": "big_tech", "market": "US", "symbols": ["aapl", "msft"]}
    )
    assert r.status_code == 201 and r.json()["symbols"] == ["AAPL", "MSFT"]
    assert (
        c.post(
            "/api/v2/universes", json={"name": "big_tech", "market": "US", "symbols": ["IBM"]}
        ).status_code
        == 409
    )
    bad = c.post("/api/v2/universes", json={"name": "x", "market": "US", "symbols": ["NOPE"]})
    assert bad.status_code == 422 and bad.json()["error"]["details"]["missing"] == ["NOPE"]
    assert (
        c.post(
            "/api/v2/universes", json={"name": "us_sample", "market": "US", "symbols": ["IBM"]}
        ).status_code
        == 409
    )
    assert "big_tech" in {u["name"] for u in c.get("/api/v2/universes").json()["items"]}
    assert c.delete("/api/v2/universes/big_tech").json()["deleted"] is True
    assert c.delete("/api/v2/universes/big_tech").status_code == 404


def test_data_symbols_and_bars(sqlite_client):
    c = sqlite_client
    syms = {
        s["symbol"]: s
        for s in c.get("/api/v2/data/symbols", params={"market": "US"}).json()["items"]
    }
    assert syms["GOOG"]["first"] == "2004-08-19" and syms["GOOG"]["synthetic"] is False
    bars = c.get(
        "/api/v2/data/bars/US/AAPL", params={"start": "2000-06-19", "end": "2000-06-23"}
    ).json()
    assert [b["time"] for b in bars["bars"]] == [
        "2000-06-19",
        "2000-06-20",
        "2000-06-21",
        "2000-06-22",
        "2000-06-23",
    ]
    traded = c.get(
        "/api/v2/data/bars/US/AAPL",
        params={"start": "2000-06-19", "end": "2000-06-23", "prices": "as_traded"},
    ).json()["bars"]
    # The 2:1 split of 2000-06-21 shows in as-traded prices only.
    assert traded[1]["close"] / traded[2]["close"] > 1.8
    assert 0.9 < bars["bars"][1]["close"] / bars["bars"][2]["close"] < 1.1
    assert c.get("/api/v2/data/bars/US/NOPE").status_code == 422
