"""Cancelling a running backtest from its page, on a server of its own whose user strategy holds its
worker without reporting (AVA_STRATEGY_DIRS): the page says the cancel is on its way while the
worker is between reports, then shows the run cancelled once the executor has stopped it."""

from __future__ import annotations

import json
import time
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from playwright.sync_api import expect

from tests.e2e.conftest import AvaServer

# Waits (without a progress report) until AVA_TEST_GATES/<symbol> exists or 300 s pass; it marks
# AVA_TEST_GATES/<symbol>.waiting when it starts waiting.
SILENT = """
import os, time
from pathlib import Path
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.registry import register

@register
class SilentWorker(Strategy):
    name = "silent_worker_test"
    description = "test only: holds its worker, silent, until its gate opens"

    def signals(self, bars):
        gates = Path(os.environ["AVA_TEST_GATES"])
        for s in bars.symbols:
            (gates / f"{s}.waiting").touch()
        deadline = time.monotonic() + 300
        while time.monotonic() < deadline and not any((gates / s).exists() for s in bars.symbols):
            time.sleep(0.05)
        sig = Signals.empty(bars.close.shape)
        sig.long_entry[::20] = True
        sig.long_exit[10::20] = True
        return sig
"""


@pytest.fixture(scope="module")
def gates(tmp_path_factory) -> Path:
    return tmp_path_factory.mktemp("gates")


@pytest.fixture(scope="module")
def base_url(tmp_path_factory, gates: Path) -> Iterator[str]:
    plugins = tmp_path_factory.mktemp("plugins")
    (plugins / "silent.py").write_text(SILENT)
    env = {"AVA_STRATEGY_DIRS": str(plugins), "AVA_TEST_GATES": str(gates)}
    server = AvaServer(tmp_path_factory.mktemp("ava-cancel-home"), workers=1, env=env)
    try:
        yield server.base
    finally:
        server.stop()


def test_a_running_backtest_is_cancelled_from_its_page(page, base_url: str, gates: Path):
    body = {"strategy_name": "silent_worker_test", "symbols": ["IBM"], "benchmark": "none"}
    r = httpx.post(f"{base_url}/api/v2/backtests", json=body, timeout=60)
    assert r.status_code == 201, r.text
    run_id = r.json()["id"]
    deadline = time.monotonic() + 60
    while not (gates / "IBM.waiting").exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert (gates / "IBM.waiting").exists(), "the strategy never reached its wait"

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
