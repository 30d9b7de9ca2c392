"""Earnings dates and intraday bars through a real app: a strategy that needs them is refused on
the sample naming the missing data and its upload, then runs once it is uploaded."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterator

import numpy as np
import pandas as pd
import polars as pl
import pytest
from fastapi.testclient import TestClient
from test_api_upload import wait

from ava_backtest.data.intraday import synthetic_intraday_panel
from ava_backtest.data.sample_store import read_sample
from ava_backtest.data.upload import MAX_BYTES


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    monkeypatch.setenv("AVA_HOME", str(path))  # before the app and its workers exist
    return path


@pytest.fixture
def app_client(home, make_client, sqlite_url) -> Iterator[TestClient]:
    with make_client(sqlite_url, workers=1, max_body_bytes=MAX_BYTES + 1024 * 1024) as c:
        yield c


def _earnings_csv(symbols: list[str]) -> bytes:
    """One date a quarter per symbol: its heaviest-volume session, reported before the open."""
    rows = []
    for sym in symbols:
        f = read_sample("US", sym).with_columns(q=pl.col("date").dt.truncate("1q"))
        top = f.sort("volume", descending=True).group_by("q").first()
        rows += [(sym, d.isoformat(), "bmo") for d in top["date"].to_list()]
    return pl.DataFrame(rows, schema=["symbol", "date", "time"], orient="row").write_csv().encode()


def test_earnings_strategy_is_refused_without_dates_and_runs_with_them(app_client) -> None:
    c = app_client
    config = {"strategy_name": "post_earnings_drift", "universe": "us_sample", "market": "US"}
    refused = c.post("/api/v2/backtests", json=config)
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "earnings dates" in message and "POST /api/v2/data/earnings" in message

    symbols = ["AAPL", "IBM", "MSFT", "GOOG", "AMZN", "NVDA"]
    r = c.post(
        "/api/v2/data/earnings",
        data={"market": "US"},
        files={"file": ("earnings.csv", _earnings_csv(symbols), "text/csv")},
    )
    assert r.status_code == 201, r.text
    assert r.json()["symbols"] == sorted(symbols) and r.json()["rows"] == r.json()["stored_rows"]
    run = wait(c, c.post("/api/v2/backtests", json=config).json()["id"])
    assert run["status"] == "completed", run
    assert run["metrics"]["trade_count"] > 0

    bad = c.post(
        "/api/v2/data/earnings",
        data={"market": "US"},
        files={"file": ("e.csv", b"symbol,date,time\nAAPL,2024-05-02,noon\n", "text/csv")},
    )
    assert bad.status_code == 422 and "bmo" in bad.json()["error"]["message"]
    assert c.delete("/api/v2/data/earnings/US").json() == {"deleted": True}
    assert c.delete("/api/v2/data/earnings/US").status_code == 404


def _intraday_csv() -> bytes:
    """Synthetic 15-minute bars in New York time, plus one pre-market row."""
    p = synthetic_intraday_panel(["X"], "US", dt.date(2024, 1, 2), dt.date(2024, 3, 28), 15)
    ny = pd.DatetimeIndex(p.dates).tz_localize("UTC").tz_convert("America/New_York")
    frame = pl.DataFrame(
        {
            "Timestamp": ["2024-01-02 08:00", *(t.strftime("%Y-%m-%d %H:%M") for t in ny)],
            **{
                k: np.r_[1.0, getattr(p.bars, k.lower())[:, 0]]
                for k in ("Open", "High", "Low", "Close", "Volume")
            },
        }
    )
    return frame.write_csv().encode()


def test_intraday_strategy_is_refused_on_daily_bars_and_runs_on_uploaded_ones(app_client) -> None:
    c = app_client
    daily = {"strategy_name": "intraday_momentum", "universe": "us_sample", "market": "US"}
    refused = c.post("/api/v2/backtests", json=daily)
    assert refused.status_code == 422
    message = refused.json()["error"]["message"]
    assert "intraday:15m" in message and "POST /api/v2/data/upload-intraday" in message

    r = c.post(
        "/api/v2/data/upload-intraday",
        data={"market": "US", "symbol": "X15", "timeframe": "15m"},
        files={"file": ("x15.csv", _intraday_csv(), "text/csv")},
    )
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rows_outside_sessions"] == 1 and body["rows"] == body["rows_in_file"] - 1
    assert body["timeframe"] == "15m" and body["first"] == "2024-01-02"
    assert body["validation"]["issues_total"] == 0  # nights and weekends are no gaps

    config = {
        "strategy_name": "intraday_momentum",
        "symbols": ["X15"],
        "market": "US",
        "benchmark": "none",
    }
    run = wait(c, c.post("/api/v2/backtests", json=config).json()["id"])
    assert run["status"] == "completed", run
    assert run["metrics"]["trade_count"] > 0

    wrong = c.post(
        "/api/v2/data/upload-intraday",
        data={"market": "US", "symbol": "X5", "timeframe": "5m"},
        files={"file": ("x15.csv", _intraday_csv(), "text/csv")},
    )
    assert wrong.status_code == 422 and "upload it as 15m" in wrong.json()["error"]["message"]
