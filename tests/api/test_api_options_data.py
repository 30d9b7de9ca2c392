"""Options data through a real app: the options strategies are refused on the sample naming the
missing options data and its upload, then run once it is uploaded; bad files are refused naming
the column and row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_api_upload import wait

from ava_backtest.data.options import synthetic_implied_volatility, synthetic_options_chain
from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.data.upload import MAX_BYTES

SYMBOLS = ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    monkeypatch.setenv("AVA_HOME", str(path))  # before the app and its workers exist
    return path


@pytest.fixture
def app_client(home, make_client, sqlite_url) -> Iterator[TestClient]:
    with make_client(sqlite_url, workers=1, max_body_bytes=MAX_BYTES + 1024 * 1024) as c:
        yield c


def _sample(start: str):
    panel, _ = load_panel_with_info(
        "US", SYMBOLS, dt.date.fromisoformat(start), dt.date(2012, 12, 31)
    )
    return panel.bars


def _csv(frame) -> bytes:
    return frame.write_csv().encode()


@pytest.mark.parametrize(
    ("strategy", "path", "what", "make", "params"),
    [
        (
            "tv_gamma_exposure_strategy",
            "options-chain",
            "options chain",
            synthetic_options_chain,
            {},
        ),
        (
            "tv_iv_percentile_mean_reversion",
            "implied-volatility",
            "implied-volatility history",
            synthetic_implied_volatility,
            {"lookback": 60},
        ),
    ],
)
def test_options_strategy_is_refused_without_its_data_and_runs_with_it(
    app_client, strategy, path, what, make, params
) -> None:
    c = app_client
    config = {
        "strategy_name": strategy,
        "params": params,
        "universe": "us_sample",
        "start_date": "2010-01-04",
        "end_date": "2012-12-31",
    }
    refused = c.post("/api/v2/backtests", json=config)
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert what in message and f"POST /api/v2/data/{path}" in message
    assert "docs/data.md" in message

    bars = _sample("2009-01-02")
    body = _csv(make(bars.symbols, bars.dates, bars.close))
    r = c.post(
        f"/api/v2/data/{path}",
        data={"market": "US"},
        files={"file": ("table.csv", body, "text/csv")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["symbols"] == sorted(SYMBOLS) and r.json()["rows"] == r.json()["stored_rows"]
    run = wait(c, c.post("/api/v2/backtests", json=config).json()["id"])
    assert run["status"] == "completed", run
    assert run["metrics"]["trade_count"] > 0

    assert c.delete(f"/api/v2/data/{path}/US").json() == {"deleted": True}
    assert c.delete(f"/api/v2/data/{path}/US").status_code == 404


@pytest.mark.parametrize(
    ("path", "body", "needle"),
    [
        (
            "options-chain",
            b"symbol,date,expiry,strike,type,open_interest,gamma\n"
            b"SPY,2024-05-01,2024-05-17,500,straddle,10,0.02\n",
            "not call or put",
        ),
        (
            "options-chain",
            b"symbol,date,expiry,strike,type,open_interest,gamma\n"
            b"SPY,2024-05-01,2024-05-17,500,call,-10,0.02\n",
            "open_interest '-10' at row 1",
        ),
        ("options-chain", b"symbol,date,strike\nSPY,2024-05-01,500\n", "missing column(s)"),
        ("implied-volatility", b"symbol,date,iv\nSPY,2024-05-01,25\n", "0.25 for 25%"),
        ("implied-volatility", b"symbol,date,iv\nSPY,May 1,0.2\n", "unparseable date"),
        (
            "implied-volatility",
            b"symbol,date,iv\nSPY,2024-05-01,0.2\nSPY,2024-05-01,0.3\n",
            "row 2 repeats",
        ),
    ],
)
def test_bad_options_files_are_refused_naming_the_problem(app_client, path, body, needle) -> None:
    r = app_client.post(
        f"/api/v2/data/{path}", data={"market": "US"}, files={"file": ("t.csv", body, "text/csv")}
    )
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"]["message"], r.text
