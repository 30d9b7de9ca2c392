"""The Build page with a Pine Script strategy in Chromium: an unsupported construct is listed with
its line and column under the source line; the corrected script shows its parameters and the
generated code, checks, saves, and its backtest trades exactly like ema_crossover(20, 50)."""

from __future__ import annotations

import re
from pathlib import Path

from playwright.sync_api import expect

from tests.e2e.test_ui_builder import _run_trades, _trades

PINE = (Path(__file__).parents[1] / "builder" / "pine" / "corpus" / "v5_ema_cross.pine").read_text()


def test_pine_script_is_checked_saved_and_backtested(page, api):
    page.goto("/build")
    page.get_by_test_id("build-name").fill("ui_pine_ema")
    box = page.get_by_test_id("build-input")
    peeking = PINE.replace(
        "slow = ta.ema(close, slowLen)",
        'slow = request.security(syminfo.tickerid, "W", ta.ema(close, slowLen), '
        "lookahead=barmerge.lookahead_on)",
    )
    box.fill(peeking)
    problems = page.get_by_test_id("build-pine-problems")
    expect(problems).to_contain_text("line 6:", timeout=180_000)
    expect(problems).to_contain_text("barmerge.lookahead_on")
    expect(problems).to_contain_text("peeks")
    expect(page.get_by_test_id("build-save")).to_be_disabled()

    box.fill(PINE)
    expect(page.get_by_test_id("build-code")).to_have_value(
        re.compile(r"class UiPineEma\(Strategy\):"), timeout=180_000
    )
    expect(page.get_by_test_id("build-param-fast_len")).to_contain_text("200")
    expect(page.get_by_test_id("build-code")).to_have_value(
        re.compile(r"crossed_above\(fast, slow, from_touch=True\)")
    )

    page.get_by_test_id("build-check").click()
    report = page.get_by_test_id("build-report")
    expect(report).to_contain_text("All checks passed", timeout=180_000)
    assert api.get("/strategies/ui_pine_ema").status_code == 404

    page.get_by_test_id("build-save").click()
    expect(page.get_by_test_id("build-saved")).to_contain_text(
        "registered ui_pine_ema", timeout=180_000
    )
    page.get_by_test_id("build-backtest").click()
    expect(page).to_have_url(re.compile(r"/runs/[^/]+$"), timeout=30_000)
    run_id = page.url.rstrip("/").rsplit("/", 1)[1]
    ours = _run_trades(api, run_id)
    theirs = _trades(api, "ema_crossover", {"fast_period": 20, "slow_period": 50})
    assert len(ours) > 50 and ours == theirs
