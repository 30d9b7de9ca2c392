"""Ava: a quantitative trading research platform."""

import os
import sys

# Numba's compile cache lives in the virtualenv, so every process (and CI run) reuses it.
os.environ.setdefault("NUMBA_CACHE_DIR", os.path.join(sys.prefix, "numba-cache"))

__version__ = "0.1.0"
