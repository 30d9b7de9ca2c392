"""What a strategy returns: boolean signal arrays plus optional per-bar order attributes."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

ENTRY_SIDE = ("long_entry", "short_entry", "size", "stop_loss", "take_profit", "trail", "priority")
"""The arrays read when an entry is decided (at its signal bar)."""
EXIT_SIDE = ("long_exit", "short_exit", "exit_fraction")
"""The arrays read when an exit is decided."""
ARRAY_FIELDS = (*ENTRY_SIDE, *EXIT_SIDE, "target_weight")
"""Every per-bar array a strategy may return."""


@dataclass(slots=True)
class Signals:
    """Signals decided at the close of each bar, shape (bars, symbols).

    Optional arrays are NaN where unset. ``stop_loss``, ``take_profit`` and ``trail`` are distances
    from the fill price: fractions (0.05 = 5%) unless the matching ``*_abs`` flag says they are
    absolute price distances (e.g. 2 x ATR). ``size`` overrides the run's sizing for that entry (its
    meaning follows the sizing mode). ``exit_fraction`` closes part of an open position (scale-out).
    ``priority`` orders entries competing for cash (higher first). ``max_hold`` closes a position
    after that many bars (the fill bar is bar 1), for time-exit rules.
    """

    long_entry: np.ndarray
    long_exit: np.ndarray
    short_entry: np.ndarray
    short_exit: np.ndarray
    size: np.ndarray | None = None
    stop_loss: np.ndarray | None = None
    take_profit: np.ndarray | None = None
    trail: np.ndarray | None = None
    exit_fraction: np.ndarray | None = None
    priority: np.ndarray | None = None
    target_weight: np.ndarray | None = None
    stop_loss_abs: bool = False
    take_profit_abs: bool = False
    trail_abs: bool = False
    max_hold: int | None = None

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> Signals:
        z = np.zeros(shape, dtype=np.bool_)
        return cls(z, z.copy(), z.copy(), z.copy())

    @property
    def shape(self) -> tuple[int, int]:
        return self.long_entry.shape
