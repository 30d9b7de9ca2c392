"""The Build page in Chromium: live parse of the README example (rules as read, parameters,
code), an unreadable phrase marked with what was expected, save + register + look-ahead check,
then "Backtest it" opens the backtest form on the new strategy and the run trades exactly like
ema_crossover(20, 50)."""

from __future__ import annotations

import re
import time

import httpx
from playwright.sync_api import expect

from tests.fakes.screenshots import render

README = "Buy when 20 EMA crosses above 50 EMA, sell on cross-under"


def _trades(api: httpx.Client, name: str, params: dict[str, int]) -> list[tuple]:
    body = {"strategy_name": name, "universe": "us_sample", "params": params}
    run = api.post("/backtests", json=body)
    assert run.status_code == 201, run.text
    return _run_trades(api, run.json()["id"])


def _run_trades(api: httpx.Client, run_id: str) -> list[tuple]:
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
    # the parse runs on the server: generous under a loaded machine
    expect(page.get_by_test_id("build-error")).to_contain_text(
        "could not read 'moon is full'", timeout=60_000
    )
    expect(page.get_by_test_id("build-error")).to_contain_text("an indicator")
    expect(page.get_by_test_id("build-error-marker").locator("mark")).to_have_text("moon is full")
    expect(page.get_by_test_id("build-save")).to_be_disabled()

    box.fill(README)
    page.get_by_test_id("build-name").fill("ui_built_ema")
    explained = page.get_by_test_id("build-explained")
    expect(explained).to_contain_text(
        "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)", timeout=60_000
    )
    expect(page.get_by_test_id("build-param-ema_fast_period")).to_contain_text("200")
    expect(page.get_by_test_id("build-param-ema_slow_period")).to_contain_text("500")
    expect(page.get_by_test_id("build-code")).to_have_value(
        re.compile(r"class UiBuiltEma\(Strategy\):")
    )

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


def test_a_screenshot_of_the_readme_example_checks_saves_and_backtests(page, api):
    """Upload a rendered screenshot, correct nothing, check, save, backtest: the run's trades are
    ema_crossover(20, 50)'s."""
    page.goto("/build")
    page.get_by_test_id("build-name").fill("shot_ema")
    page.get_by_test_id("build-input").fill("")  # the rules below come from the image only
    page.get_by_test_id("build-image").set_input_files(
        files=[
            {
                "name": "readme.png",
                "mimeType": "image/png",
                "buffer": render(README, "LiberationSans-Regular.ttf"),
            }
        ]
    )
    expect(page.get_by_test_id("build-ocr")).to_contain_text(
        "Recognised text (english", timeout=90_000
    )
    expect(page.get_by_test_id("build-input")).to_have_value(README)
    expect(page.get_by_test_id("build-explained")).to_contain_text(
        "long entry: ema(ema_fast_period=20) crosses above ema(ema_slow_period=50)"
    )
    expect(page.get_by_test_id("build-code")).to_have_value(
        re.compile(r"class ShotEma\(Strategy\):")
    )

    page.get_by_test_id("build-check").click()
    report = page.get_by_test_id("build-report")
    expect(report).to_contain_text("All checks passed", timeout=180_000)
    expect(report).to_contain_text("ok smoke backtest:")
    assert api.get("/strategies/shot_ema").status_code == 404  # checking registers nothing

    page.get_by_test_id("build-save").click()
    expect(page.get_by_test_id("build-saved")).to_contain_text(
        "registered shot_ema", timeout=180_000
    )
    page.get_by_test_id("build-backtest").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/]+$"), timeout=30_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[1]
    ours = _run_trades(api, run_id)
    theirs = _trades(api, "ema_crossover", {"fast_period": 20, "slow_period": 50})
    assert len(ours) > 50 and ours == theirs


def test_refused_edited_code_shows_the_failed_check_and_its_line(page, api):
    page.goto("/build")
    page.get_by_test_id("build-name").fill("edited_bad")
    page.get_by_test_id("build-input").fill(README)
    code = page.get_by_test_id("build-code")
    expect(code).to_have_value(re.compile(r"class EditedBad\(Strategy\):"), timeout=60_000)
    code.fill(code.input_value().replace("\n\nclass ", "\nimport os\n\n\nclass ", 1))
    page.get_by_test_id("build-save").click()
    err = page.get_by_test_id("build-save-error")
    expect(err).to_contain_text(
        "'import os': only ava_backtest.strategies, math and numpy", timeout=60_000
    )
    expect(err).to_contain_text("failed allow-list: line 10:")
    assert api.get("/strategies/edited_bad").status_code == 404
