"""Vectorised indicators on numpy arrays, column-wise over (bars x symbols) blocks."""

from ava_backtest.indicators.moving_averages import sma

__all__ = ["sma"]
