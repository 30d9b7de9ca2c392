"""What a finished run hands to the store: a domain-level contract, so the store never imports the
code that runs backtests (``runs.execute.BacktestResult`` is one such result)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol

import numpy as np
import polars as pl


class FinishedRun(Protocol):
    """A completed run's figures, trades and equity curve, as ``RunStore.save_result`` stores
    them."""

    equity: np.ndarray
    metrics: dict[str, Any]
    params: dict[str, Any]
    symbols: tuple[str, ...]
    currency: str
    synthetic: bool
    effective_start: dt.date
    data_fingerprint: str
    code_version: str
    notes: list[str]
    timings: dict[str, float]

    @property
    def trades(self) -> pl.DataFrame:
        """One row per closed trade, with the store's trade columns."""
        ...

    def equity_frame(self) -> pl.DataFrame:
        """date, equity, cash, drawdown, exposure and (where there is one) benchmark."""
        ...
