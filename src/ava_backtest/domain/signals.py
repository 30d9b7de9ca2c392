"""What a strategy returns: boolean signal arrays plus optional per-bar order attributes."""

from __future__ import annotations

from dataclasses import dataclass, field

import numpy as np

ENTRY_SIDE = ("long_entry", "short_entry", "size", "stop_loss", "take_profit", "trail", "priority")
"""The arrays read when an entry is decided (at its signal bar)."""
EXIT_SIDE = ("long_exit", "short_exit", "exit_fraction")
"""The arrays read when an exit is decided."""
ARRAY_FIELDS = (*ENTRY_SIDE, *EXIT_SIDE, "target_weight")
"""Every per-bar array a strategy may return."""
BOOL_FIELDS = ("long_entry", "long_exit", "short_entry", "short_exit")
FLOAT_FIELDS = tuple(f for f in ARRAY_FIELDS if f not in BOOL_FIELDS)


@dataclass(slots=True)
class Signals:
    """Signals decided at the close of each bar, shape (bars, symbols).

    Give the arrays the rule needs by name, e.g. ``Signals(long_entry=a, long_exit=b)``; boolean
    arrays not given are all False. Optional arrays are NaN where unset; a number given for one of
    them applies to every bar. ``stop_loss``, ``take_profit`` and ``trail`` are distances from the
    fill price: fractions (0.05 = 5%) unless the matching ``*_abs`` flag says they are absolute
    price distances (e.g. 2 x ATR). ``size`` overrides the run's sizing for that entry (its meaning
    follows the sizing mode). ``exit_fraction`` closes part of an open position (scale-out).
    ``priority`` orders entries competing for cash (higher first). ``max_hold`` closes a position
    after that many bars (the fill bar is bar 1), for time-exit rules. ``series`` holds the values
    of the strategy's declared display series (same shape), for charts; the engine ignores it.
    """

    long_entry: np.ndarray = None  # type: ignore[assignment]
    long_exit: np.ndarray = None  # type: ignore[assignment]
    short_entry: np.ndarray = None  # type: ignore[assignment]
    short_exit: np.ndarray = None  # type: ignore[assignment]
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
    series: dict[str, np.ndarray] = field(default_factory=dict)

    def __post_init__(self) -> None:
        given = [getattr(self, n) for n in ARRAY_FIELDS if isinstance(getattr(self, n), np.ndarray)]
        given += [v for v in self.series.values() if isinstance(v, np.ndarray) and v.ndim == 2]
        if not given:
            raise ValueError("Signals needs at least one array to know its shape")
        shape = given[0].shape[:2]
        for name in BOOL_FIELDS:
            value = getattr(self, name)
            if value is None:
                setattr(self, name, np.zeros(shape, dtype=np.bool_))
            elif value.dtype != np.bool_:
                setattr(self, name, np.asarray(value, dtype=np.bool_))
        for name in FLOAT_FIELDS:
            value = getattr(self, name)
            if value is not None and not isinstance(value, np.ndarray):
                # A read-only view of the one number, not a (bars, symbols) copy of it.
                setattr(self, name, np.broadcast_to(np.float64(value), shape))

    @classmethod
    def empty(cls, shape: tuple[int, int]) -> Signals:
        return cls(long_entry=np.zeros(shape, dtype=np.bool_))

    @property
    def shape(self) -> tuple[int, int]:
        return self.long_entry.shape
