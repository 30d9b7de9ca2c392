"""Custom universes and uploaded symbols managed on the data page, in a real browser: a universe
created from typed symbols (a symbol without data refused by name), edited, then backtested from
the new-backtest form on exactly its symbols, and deleted; an uploaded symbol deleted."""

from __future__ import annotations

import re

import httpx
from playwright.sync_api import expect

from ava_backtest.data.sample_store import read_sample


def test_a_custom_universe_made_in_the_ui_runs_a_backtest(page, api, wait_run):
    page.goto("/data")
    page.get_by_test_id("universe-new").click()
    page.get_by_test_id("universe-new-name").fill("e2e_pair")
    page.get_by_test_id("universe-new-market").select_option("US")
    page.get_by_test_id("universe-new-symbols").fill("ibm, msft\nNOSUCHSYM")
    page.get_by_test_id("universe-new-save").click()
    expect(page.get_by_test_id("universe-new-error-symbols")).to_contain_text("NOSUCHSYM")
    assert "e2e_pair" not in {u["name"] for u in api.get("/universes").json()["items"]}
    page.get_by_test_id("universe-new-symbols").fill("ibm, msft")
    page.get_by_test_id("universe-new-description").fill("two old techs")
    page.get_by_test_id("universe-new-save").click()
    row = page.get_by_test_id("universe-e2e_pair")
    expect(row).to_contain_text("custom")
    expect(row).to_contain_text("two old techs")
    made = {u["name"]: u for u in api.get("/universes").json()["items"]}["e2e_pair"]
    assert made["symbols"] == ["IBM", "MSFT"] and made["market"] == "US"

    # Edit: a third symbol.
    page.get_by_test_id("universe-edit-e2e_pair").click()
    expect(page.get_by_test_id("universe-edit-name")).to_be_disabled()
    page.get_by_test_id("universe-edit-symbols").fill("IBM, MSFT, AAPL")
    page.get_by_test_id("universe-edit-save").click()
    expect(page.get_by_test_id("data-message")).to_contain_text(
        "Saved universe e2e_pair (3 symbols)"
    )
    expect(row.locator("td.num")).to_have_text("3")

    # It runs, from the form, on exactly its symbols.
    page.goto("/backtests/new?strategy=sma_crossover")
    expect(page.get_by_test_id("strategy-select")).to_have_value("sma_crossover")
    page.get_by_test_id("market-select").select_option("US")
    page.get_by_test_id("universe-select").select_option("e2e_pair")
    page.get_by_test_id("start-date").fill("2004-01-02")
    page.get_by_test_id("end-date").fill("2012-12-31")
    page.get_by_test_id("submit-backtest").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/?#]+$"), timeout=20_000)
    run = wait_run(page.url.rstrip("/").rsplit("/", 1)[-1], timeout=180)
    assert run["status"] == "completed", run
    assert run["universe"] == "e2e_pair" and sorted(run["symbols"]) == ["AAPL", "IBM", "MSFT"]
    assert run["n_trades"] > 0
    expect(page.get_by_test_id("run-status")).to_have_text("completed", timeout=30_000)

    # Deleted (a second click confirms).
    page.goto("/data")
    page.get_by_test_id("universe-delete-e2e_pair").click()
    expect(page.get_by_test_id("universe-delete-e2e_pair")).to_have_text("Confirm delete")
    page.get_by_test_id("universe-delete-e2e_pair").click()
    expect(page.get_by_test_id("universe-e2e_pair")).to_have_count(0)
    assert "e2e_pair" not in {u["name"] for u in api.get("/universes").json()["items"]}


def test_an_uploaded_symbol_is_deleted_from_the_data_page(page, api: httpx.Client):
    frame = read_sample("US", "IBM").head(300)
    names = ("Date", "Open", "High", "Low", "Close", "Adj Close", "Volume")
    csv = frame.rename(dict(zip(frame.columns, names, strict=True))).write_csv().encode()
    r = api.post(
        "/data/upload",
        data={"market": "US", "symbol": "E2EDEL"},
        files={"file": ("e2edel.csv", csv, "text/csv")},
    )
    assert r.status_code == 201, r.text
    page.goto("/data")
    expect(page.get_by_test_id("symbol-E2EDEL")).to_be_visible()
    # Shipped symbols have no delete button; the upload has one.
    expect(page.get_by_test_id("symbol-delete-IBM")).to_have_count(0)
    page.get_by_test_id("symbol-delete-E2EDEL").click()
    page.get_by_test_id("symbol-delete-E2EDEL").click()
    expect(page.get_by_test_id("data-message")).to_contain_text("Deleted uploaded symbol E2EDEL")
    expect(page.get_by_test_id("symbol-E2EDEL")).to_have_count(0)
    symbols = {
        s["symbol"] for s in api.get("/data/symbols", params={"market": "US"}).json()["items"]
    }
    assert "E2EDEL" not in symbols and "IBM" in symbols
