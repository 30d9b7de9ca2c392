"""News sentiment as a (bars, symbols) array for a strategy that declares
``requires = ("sentiment",)``.

The store keeps Finnhub's news-sentiment snapshots, one row per day synced (``ava data sync
--sentiment``; ``market_store.read_sentiment``). A snapshot dated D was asked for during D, so it is
used from the first bar *after* D and never on D itself: a run cannot see news its bar's close
had not yet priced. A snapshot summarises about a week of news, so it stays valid for
:data:`STALE_AFTER_DAYS` calendar days and is NaN after that, as before the first snapshot. Bars
without a snapshot are NaN, never another symbol's score or a neutral 0.5; a run none of whose
symbols has any snapshot in its range is an error naming the sync command.
"""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from ava_backtest.data import market_store
from ava_backtest.domain.errors import DataError

SENTIMENT = "sentiment"
STALE_AFTER_DAYS = 7


def sentiment_panel(
    market: str, symbols: Sequence[str], dates: np.ndarray, *, who: str
) -> np.ndarray:
    """Each symbol's latest snapshot score dated strictly before each bar's session, at most
    :data:`STALE_AFTER_DAYS` old; NaN otherwise."""
    days = np.asarray(dates).astype("datetime64[D]")
    out = np.full((len(days), len(symbols)), np.nan)
    for j, symbol in enumerate(symbols):
        frame = market_store.read_sentiment(market, symbol.split("@")[0])
        if frame is None or frame.height == 0:
            continue
        frame = frame.drop_nulls("score").sort("date")
        snap_days = frame["date"].to_numpy().astype("datetime64[D]")
        scores = frame["score"].cast(float).to_numpy()
        k = np.searchsorted(snap_days, days, side="left") - 1  # last snapshot before the bar's day
        ok = k >= 0
        kk = np.maximum(k, 0)
        ok &= (days - snap_days[kk]) <= np.timedelta64(STALE_AFTER_DAYS, "D")
        out[ok, j] = scores[kk[ok]]
    if len(days) and not np.isfinite(out).any():
        first, last = days[0], days[-1]
        raise DataError(
            f"{who} needs news sentiment and no symbol of the run has a snapshot between {first} "
            f"and {last}; Finnhub serves today's snapshot only, so sync it daily: "
            f"ava data sync --symbols {','.join(symbols[:5])}{',...' if len(symbols) > 5 else ''} "
            "--sentiment (FINNHUB_API_KEY)",
            field="requires",
            details={"need": SENTIMENT, "symbols": list(symbols)},
        )
    return out
