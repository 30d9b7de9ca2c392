"""A user strategy (loaded through AVA_STRATEGY_DIRS) that holds its worker, without a progress
report, until the test lets it go: a run that stays ``running`` for as long as a test needs, on any
machine. Used by the tests that run real server processes (API processes, nginx, the browser).

It waits up to AVA_TEST_SLEEPS[symbol] seconds (JSON; 0 when absent), or until the test opens the
symbol's gate (creates the file AVA_TEST_GATES/<symbol>); when it starts waiting it creates
AVA_TEST_GATES/<symbol>.waiting, so a test can tell its worker is past every progress report. Then
it enters every 20 bars and exits 10 bars later."""

from __future__ import annotations

import json
import time
from pathlib import Path

NAME = "gated_test"

SOURCE = f'''
import json, os, time
from pathlib import Path
from ava_backtest.domain.signals import Signals
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.registry import register

@register
class GatedTest(Strategy):
    name = "{NAME}"
    description = "test only: holds its worker until its gate opens, then trades every 20 bars"

    def signals(self, bars):
        sleeps = json.loads(os.environ.get("AVA_TEST_SLEEPS", "{{}}"))
        gates = Path(os.environ["AVA_TEST_GATES"])
        deadline = time.monotonic() + max(float(sleeps.get(s, 0)) for s in bars.symbols)
        for s in bars.symbols:
            (gates / f"{{s}}.waiting").touch()
        while time.monotonic() < deadline and not any((gates / s).exists() for s in bars.symbols):
            time.sleep(0.05)
        sig = Signals.empty(bars.close.shape)
        sig.long_entry[::20] = True
        sig.long_exit[10::20] = True
        return sig
'''


def gated_env(tmp: Path, sleeps: dict[str, float]) -> dict[str, str]:
    """The server environment that loads the strategy (its plugin file and gates under ``tmp``)."""
    plugins = tmp / "plugins"
    plugins.mkdir(exist_ok=True)
    (plugins / "gated_test.py").write_text(SOURCE)
    (tmp / "gates").mkdir(exist_ok=True)
    return {
        "AVA_STRATEGY_DIRS": str(plugins),
        "AVA_TEST_GATES": str(tmp / "gates"),
        "AVA_TEST_SLEEPS": json.dumps(sleeps),
    }


def wait_until_waiting(gates: Path, symbol: str, timeout: float = 60) -> None:
    """Until the strategy's worker for ``symbol`` has started waiting at its gate."""
    marker = gates / f"{symbol}.waiting"
    deadline = time.monotonic() + timeout
    while not marker.exists() and time.monotonic() < deadline:
        time.sleep(0.05)
    assert marker.exists(), f"the gated strategy never started waiting for {symbol}"
