"""The Build page in Chromium: live parse of the README example (rules as read, parameters,
code), an unreadable phrase marked with what was expected, save + register + look-ahead check,
then "Backtest it" opens the backtest form on the new strategy and the run trades exactly like
ema_crossover(20, 50)."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"


def _trades(api: httpx.Client, name: str, params: dict[str, int]) -> list[tuple]:
    body = {"strategy_name": name, "universe": "us_sample", "params": params}
    run = api.post("/backtests", json=body)
    assert run.status_code == 201, run.text
    run_id = run.json()["id"]
    deadline = time.monotonic() + 180
    while time.monotonic() < deadline:
        status = api.get(f"/backtests/{run_id}").json()["status"]
        if status in ("completed", "failed", "cancelled", "interrupted"):
            break
        time.sleep(0.2)
    assert status == "completed"
    rows = api.get(f"/backtests/{run_id}/trades", params={"limit": 5000}).json()
    rows = rows["items"] if isinstance(rows, dict) else rows
    return [(t["symbol"], t["entry_time"], t["exit_time"], t["entry_price"]) for t in rows]


def test_build_page_reads_saves_and_links_to_a_backtest(page, api):
    page.goto("/")
    page.get_by_test_id("nav-build").click()
    expect(page).to_have_url(re.compile(r"/build$"))

    box = page.get_by_test_id("build-input")
    box.fill("Buy when the moon is full")
    expect(page.get_by_test_id("build-error")).to_contain_text("could not read 'moon is full'")
    expect(page.get_by_test_id("build-error")).to_contain_text("an indicator")
    expect(page.get_by_test_id("build-error-marker").locator("mark")).to_have_text("moon is full")
    expect(page.get_by_test_id("build-save")).to_be_disabled()

    box.fill(README)
    page.get_by_test_id("build-name").fill("ui_built_ema")
    explained = page.get_by_test_id("build-explained")
    expect(explained).to_contain_text(
        "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)"
    )
    expect(page.get_by_test_id("build-param-ema_fast_period")).to_contain_text("200")
    expect(page.get_by_test_id("build-param-ema_slow_period")).to_contain_text("500")
    expect(page.get_by_test_id("build-code")).to_contain_text("class UiBuiltEma(Strategy):")

    page.get_by_test_id("build-save").click()
    saved = page.get_by_test_id("build-saved")
    expect(saved).to_contain_text("registered ui_built_ema", timeout=60_000)
    expect(saved).to_contain_text("look-ahead check: signals on")
    assert api.get("/strategies/ui_built_ema").status_code == 200

    page.get_by_test_id("build-backtest-link").click()
    expect(page).to_have_url(re.compile(r"/backtests/new\?strategy=ui_built_ema$"))

    ours = _trades(api, "ui_built_ema", {})
    theirs = _trades(api, "ema_crossover", {"fast_period": 20, "slow_period": 50})
    assert len(ours) > 50 and ours == theirs
