"""The two conventions indicators may follow where TA-Lib and the common definition part ways.

``"tradingview"`` is the common (Wilder / Pine Script built-in) definition and the default: it is what
users see on charts and what transpiled Pine strategies expect. ``"talib"`` reproduces TA-Lib's
initialisation so results can be checked against it value for value. docs/indicators.md lists every
difference.
"""

from __future__ import annotations

from typing import Literal

Convention = Literal["tradingview", "talib"]
Seed = Literal["sma", "first"]

# A difference within this fraction of the magnitudes compared counts as zero where its sign or
# its being zero decides a discrete outcome (MFI's flow direction, CCI's zero deviation). Adjusting
# prices for splits and dividends leaves ~1e-14 noise on unchanged prices; recent TA-Lib (0.8.1 is
# tested) uses the same relative dead-zone.
TIE = 1e-14


def is_talib(convention: str) -> bool:
    if convention not in ("tradingview", "talib"):
        raise ValueError(f"convention must be 'tradingview' or 'talib', got {convention!r}")
    return convention == "talib"


def seeding(n: int, seed: str) -> tuple[int, int]:
    """(seed window, bars from the first value to the first output) of an exponential average.

    ``"sma"`` seeds with the mean of the first ``n`` values (TA-Lib, Pine's ta.ema/ta.rma);
    ``"first"`` seeds with the first value (pandas ``ewm(adjust=False)``) and has no warm-up.
    """
    if seed == "sma":
        return n, n - 1
    if seed == "first":
        return 1, 0
    raise ValueError(f"seed must be 'sma' or 'first', got {seed!r}")
