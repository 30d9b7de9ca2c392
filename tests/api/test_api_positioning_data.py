"""Options positioning data through a real app: tv_putcall_ratio_contrarian and
tv_max_pain_strategy are refused on the sample naming the missing data and its upload, then run
once it is uploaded; bad files are refused naming the column and row."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from test_api_upload import wait

from ava_backtest.data.panel import load_panel_with_info
from ava_backtest.data.positioning import synthetic_open_interest, synthetic_put_call_ratio
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


@pytest.mark.parametrize(
    ("strategy", "path", "what", "make"),
    [
        (
            "tv_putcall_ratio_contrarian",
            "put-call-ratio",
            "put/call ratio",
            synthetic_put_call_ratio,
        ),
        (
            "tv_max_pain_strategy",
            "open-interest",
            "open interest by strike",
            synthetic_open_interest,
        ),
    ],
)
def test_positioning_strategy_is_refused_without_its_data_and_runs_with_it(
    app_client, strategy, path, what, make
) -> None:
    c = app_client
    config = {
        "strategy_name": strategy,
        "universe": "us_sample",
        "start_date": "2011-01-03",
        "end_date": "2012-12-31",
    }
    refused = c.post("/api/v2/backtests", json=config)
    assert refused.status_code == 422, refused.text
    message = refused.json()["error"]["message"]
    assert what in message and f"POST /api/v2/data/{path}" in message
    assert "docs/data.md" in message

    panel, _ = load_panel_with_info("US", SYMBOLS, dt.date(2010, 12, 1), dt.date(2012, 12, 31))
    bars = panel.bars
    body = make(bars.symbols, bars.dates, bars.close).write_csv().encode()
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
        ("put-call-ratio", b"symbol,date,pcr\nSPY,2024-05-01,0\n", "pcr '0' at row 1"),
        ("put-call-ratio", b"symbol,date\nSPY,2024-05-01\n", "missing column(s)"),
        (
            "open-interest",
            b"symbol,date,expiry,strike,type,open_interest\nSPY,2024-05-01,2024-05-17,500,x,1\n",
            "not call or put",
        ),
    ],
)
def test_bad_positioning_files_are_refused_naming_the_problem(app_client, path, body, needle):
    r = app_client.post(
        f"/api/v2/data/{path}", data={"market": "US"}, files={"file": ("t.csv", body, "text/csv")}
    )
    assert r.status_code == 422, r.text
    assert needle in r.json()["error"]["message"], r.text
