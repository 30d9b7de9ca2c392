"""Cancelling a running backtest from its page, on a server of its own whose user strategy holds its
worker without reporting (AVA_STRATEGY_DIRS): the page says the cancel is on its way while the
worker is between reports, then shows the run cancelled once the executor has stopped it."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AvaServer
from tests.gated_strategy import NAME as GATED
from tests.gated_strategy import gated_env, wait_until_waiting


@pytest.fixture(scope="module")
def home(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("ava-cancel-home")


@pytest.fixture(scope="module")
def base_url(home: Path) -> Iterator[str]:
    server = AvaServer(home, workers=1, env=gated_env(home, {"IBM": 300}))
    try:
        yield server.base
    finally:
        server.stop()


def test_a_running_backtest_is_cancelled_from_its_page(page, base_url: str, home: Path):
    body = {"strategy_name": GATED, "symbols": ["IBM"], "benchmark": "none"}
    r = httpx.post(f"{base_url}/api/v2/backtests", json=body, timeout=60)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    wait_until_waiting(home / "gates", "IBM")

    page.goto(f"/runs/{run_id}")
    expect(page.get_by_test_id("run-status")).to_have_text("running")
    page.get_by_test_id("cancel-run").click()
    # The worker cannot hear it until its next report: the page says so and does not offer the
    # button again, rather than showing a plain 'running' as if nothing happened.
    expect(page.get_by_test_id("cancel-run")).to_be_disabled()
    expect(page.get_by_test_id("cancel-run")).to_have_text("Cancelling…")
    expect(page.get_by_test_id("run-progress")).to_contain_text("cancel requested")
    # The executor stops the silent worker after its grace; the page learns it live.
    expect(page.get_by_test_id("run-status")).to_have_text("cancelled", timeout=40_000)
    expect(page.get_by_test_id("cancel-run")).to_have_count(0)
    expect(page.get_by_test_id("run-progress")).not_to_contain_text("cancelled — cancelled")
    run = httpx.get(f"{base_url}/api/v2/backtests/{run_id}", timeout=30).json()
    assert run["status"] == "cancelled" and run["finished_at"], json.dumps(run)
    assert not page.problems, page.problems  # type: ignore[attr-defined]
