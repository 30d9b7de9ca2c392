"""The registry loads once for every thread: the API serves requests in a thread pool, and a
detail request racing the first listing must not see a half-imported registry (it answered
404 "unknown strategy" for sma_crossover on a fresh server)."""

from __future__ import annotations

import subprocess
import sys

# A fresh interpreter, so the registry is not loaded yet; 8 threads ask at the same moment.
SCRIPT = """
import threading
from ava_backtest.strategies.registry import all_strategies, get_strategy

barrier = threading.Barrier(8)
errors = []

def ask(i):
    barrier.wait()
    try:
        if i % 2:
            get_strategy("sma_crossover")
        else:
            assert "sma_crossover" in all_strategies()
    except Exception as e:
        errors.append(repr(e))

threads = [threading.Thread(target=ask, args=(i,)) for i in range(8)]
for t in threads:
    t.start()
for t in threads:
    t.join()
print("ERRORS", errors)
assert not errors, errors
"""


def test_the_first_lookups_from_several_threads_all_see_the_whole_registry():
    for _ in range(3):
        r = subprocess.run([sys.executable, "-c", SCRIPT], capture_output=True, text=True)
        assert r.returncode == 0, r.stdout + r.stderr
