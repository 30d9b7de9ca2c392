"""The independent engines and libraries the tests check Ava against (TA-Lib, vectorbt,
backtesting.py), imported so that a cross-check can never silently stop running."""

from __future__ import annotations

import importlib
import os
from types import ModuleType

import pytest


def oracle(module: str) -> ModuleType:
    """Import an independent engine or library the tests check Ava against (TA-Lib, vectorbt,
    backtesting.py). Missing, it skips locally and fails under AVA_REQUIRE_SERVICES=1 (CI), so a
    cross-check can never silently stop running."""
    try:
        return importlib.import_module(module)
    except ImportError as e:
        message = f"the oracle {module!r} is not installed ({e})"
        if os.environ.get("AVA_REQUIRE_SERVICES") == "1":
            pytest.fail(f"{message} and AVA_REQUIRE_SERVICES=1", pytrace=False)
        pytest.skip(f"{message} (set AVA_REQUIRE_SERVICES=1 to make this a failure)")
