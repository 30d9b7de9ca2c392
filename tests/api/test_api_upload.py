"""POST/DELETE /api/v2/data/upload through a real app: upload, list, backtest, delete, refusals."""

from __future__ import annotations

import time
from collections.abc import Iterator

import polars as pl
import pytest
from fastapi.testclient import TestClient

from ava_backtest.data.sample_store import read_sample
from ava_backtest.data.upload import MAX_BYTES

HEADER = "Date,Open,High,Low,Close,Volume\n"


@pytest.fixture
def home(tmp_path, monkeypatch):
    path = tmp_path / "home"
    monkeypatch.setenv("AVA_HOME", str(path))  # before the app and its workers exist
    return path


@pytest.fixture
def upload_client(home, make_client, sqlite_url) -> Iterator[TestClient]:
    # A body limit above the file limit, so the route's own 20 MB cap is what answers.
    with make_client(sqlite_url, workers=1, max_body_bytes=MAX_BYTES + 1024 * 1024) as c:
        yield c


def myco_csv(n: int = 600) -> bytes:
    """GOOG's first ``n`` shipped bars (real US sessions) renamed, as a Yahoo-style CSV."""
    frame = read_sample("US", "GOOG").head(n)
    names = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
    return frame.rename(dict(zip(frame.columns, names, strict=True))).write_csv().encode()


def post(client: TestClient, content: bytes, *, symbol: str = "MYCO", market: str = "US",
         filename: str = "myco.csv"):  # fmt: skip
    return client.post(
        "/api/v2/data/upload",
        data={"market": market, "symbol": symbol},
        files={"file": (filename, content, "text/csv")},
    )


def wait(client: TestClient, run_id: str, timeout: float = 60.0) -> dict:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        run = client.get(f"/api/v2/backtests/{run_id}").json()
        if run["status"] in ("completed", "failed", "cancelled", "interrupted"):
            return run
        time.sleep(0.1)
    raise AssertionError(f"run {run_id} not finished after {timeout} s")


def test_upload_list_backtest_delete(upload_client, home) -> None:
    c = upload_client
    r = post(c, myco_csv(), symbol="myco")
    assert r.status_code == 201, r.text
    body = r.json()
    assert (body["symbol"], body["market"], body["rows"]) == ("MYCO", "US", 600)
    assert body["first"] == "2004-08-19" and body["source"] == "upload: myco.csv"
    assert body["validation"]["repaired"] == 0
    assert body["validation"]["issues_total"] == len(body["validation"]["issues"])
    assert (home / "data" / "US" / "MYCO.parquet").is_file()

    items = c.get("/api/v2/data/symbols", params={"market": "US"}).json()["items"]
    mine = items[-1]  # uploads come after the shipped symbols
    assert mine["symbol"] == "MYCO" and mine["source"] == "upload: myco.csv"
    assert mine["synthetic"] is False and mine["price_basis"] == "as_traded"
    assert mine["first"] == "2004-08-19" and mine["last"] == body["last"]

    config = {"strategy_name": "sma_crossover", "symbols": ["MYCO"], "market": "US"}
    created = c.post("/api/v2/backtests", json=config)
    assert created.status_code == 201, created.text
    run = wait(c, created.json()["id"])
    assert run["status"] == "completed", run
    assert run["metrics"]["trade_count"] > 0

    bars = c.get("/api/v2/data/bars/US/MYCO", params={"prices": "as_traded"}).json()
    assert bars["total"] == 600 and bars["bars"][0]["close"] == 100.335

    assert c.delete("/api/v2/data/upload/US/myco").json() == {"deleted": True}
    gone = c.delete("/api/v2/data/upload/US/MYCO")
    assert gone.status_code == 404 and gone.json()["error"]["code"] == "not_found"
    listed = c.get("/api/v2/data/symbols", params={"market": "US"}).json()["items"]
    assert "MYCO" not in {s["symbol"] for s in listed}
    late = c.post("/api/v2/backtests", json=config)
    assert late.status_code == 422 and "unknown symbol 'MYCO'" in late.json()["error"]["message"]


def test_a_replaced_upload_is_what_the_next_run_trades(upload_client) -> None:
    """The worker processes cache bars too: a new upload must reach them."""
    c = upload_client
    config = {"strategy_name": "sma_crossover", "symbols": ["MYCO"], "market": "US"}
    assert post(c, myco_csv(600)).status_code == 201
    first = wait(c, c.post("/api/v2/backtests", json=config).json()["id"])
    assert post(c, myco_csv(400)).status_code == 201
    second = wait(c, c.post("/api/v2/backtests", json=config).json()["id"])
    assert first["status"] == second["status"] == "completed"
    curve = c.get(f"/api/v2/backtests/{second['id']}/equity-curve").json()["points"]
    assert len(curve) == 400


def test_a_missing_column_is_422_naming_it(upload_client) -> None:
    r = post(upload_client, b"Date,Open,High,Low,Volume\n2020-01-02,1,2,0.5,10\n")
    assert r.status_code == 422
    error = r.json()["error"]
    assert error["code"] == "data_error" and "missing column(s) 'close'" in error["message"]
    assert error["details"]["field"] == "file" and error["details"]["missing"] == ["close"]


def test_unusable_bars_are_422_with_the_validators_findings(upload_client) -> None:
    bad = (HEADER + "2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,0.5,2,1.5,10\n").encode()
    r = post(upload_client, bad)
    assert r.status_code == 422
    error = r.json()["error"]
    assert "high_below_low on 2020-01-03" in error["message"]
    assert [i["kind"] for i in error["details"]["issues"]] == ["high_below_low"]
    assert error["details"]["issues"][0]["date"] == "2020-01-03"
    symbols = upload_client.get("/api/v2/data/symbols").json()["items"]
    assert "MYCO" not in {s["symbol"] for s in symbols}


def test_formula_and_code_cells_are_rejected_never_evaluated(upload_client, home) -> None:
    formula = (HEADER + "2020-01-02,1,2,0.5,=cmd|'/c calc'!A0,10\n").encode()
    r = post(upload_client, formula)
    assert r.status_code == 422
    assert "unparseable number in column 'Close' at row 1" in r.json()["error"]["message"]
    marker = home / "PWNED"
    code = (HEADER + f"__import__('os').system('touch {marker}'),1,2,0.5,1.5,10\n").encode()
    r = post(upload_client, code)
    assert r.status_code == 422
    assert "unparseable date in column 'Date' at row 1" in r.json()["error"]["message"]
    assert not marker.exists()


def test_a_shipped_symbol_is_409(upload_client) -> None:
    r = post(upload_client, myco_csv(50), symbol="goog")
    assert r.status_code == 409
    error = r.json()["error"]
    assert error["code"] == "symbol_conflict" and "GOOG" in error["message"]
    assert upload_client.delete("/api/v2/data/upload/US/GOOG").status_code == 409


def test_an_oversize_file_is_413(upload_client) -> None:
    r = post(upload_client, b"x" * (MAX_BYTES + 1))
    assert r.status_code == 413
    assert r.json()["error"]["code"] == "payload_too_large"


def test_bad_form_fields_are_422(upload_client) -> None:
    r = post(upload_client, myco_csv(20), symbol="MY CO")
    assert r.status_code == 422 and "1-20 characters" in r.json()["error"]["message"]
    r = post(upload_client, myco_csv(20), market="LSE")
    assert r.status_code == 422 and r.json()["error"]["code"] == "validation_error"
    r = upload_client.post("/api/v2/data/upload", data={"market": "US", "symbol": "X"})
    assert r.status_code == 422 and "file" in r.json()["error"]["message"]


def test_dropped_rows_and_the_validator_warnings_reach_the_response(upload_client) -> None:
    """Rows on days that are not sessions are dropped with a warning each: the response says how
    many rows the file had, how many were stored and dropped, and why (grouped)."""
    sessions = read_sample("US", "GOOG").head(40)
    days = pl.date_range(sessions["date"].min(), sessions["date"].max(), "1d", eager=True)
    extra = days.filter(~days.is_in(sessions["date"].implode()))  # weekends and holidays
    filled = (
        pl.DataFrame({"date": days})
        .join(sessions, on="date", how="left")
        .fill_null(strategy="forward")  # a plausible bar on each non-session day
    )
    names = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
    csv = filled.rename(dict(zip(filled.columns, names, strict=True))).write_csv().encode()

    r = post(upload_client, csv, symbol="WEEKEND")
    assert r.status_code == 201, r.text
    body = r.json()
    assert body["rows_in_file"] == days.len()
    assert body["rows"] == sessions.height
    assert body["rows_dropped"] == extra.len() > 0
    summary = body["validation"]["summary"]
    dropped = [g for g in summary if g["kind"] == "non_session"]
    assert len(dropped) == 1, summary
    assert dropped[0]["count"] == extra.len()
    assert dropped[0]["detail"] == "not a US session; dropped"
    assert dropped[0]["severity"] == "warning"
    assert dropped[0]["first"] == str(extra.min()) and dropped[0]["last"] == str(extra.max())
    assert sum(g["count"] for g in summary) == body["validation"]["issues_total"]


def test_a_clean_upload_drops_nothing(upload_client) -> None:
    body = post(upload_client, myco_csv(120), symbol="CLEAN").json()
    assert body["rows_in_file"] == body["rows"] == 120
    assert body["rows_dropped"] == 0
