"""Ava: a quantitative trading research platform."""

import os
import sys

# Numba's compile cache lives in the virtualenv, so every process (and CI run) reuses it.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(sys.prefix, "numba-cache"))

from ava_backtest.memory import tune_allocator

tune_allocator()  # large temporaries reuse freed heap memory (see ava_backtest.memory)

__version__ = "0.1.0"
