"""Bar panels: aligned (bars x symbols) float64 blocks on one market calendar grid.

``Bars`` is what a strategy sees (prices adjusted per the run's adjustment mode). ``Panel`` adds what
the engine needs to trade honestly: as-traded prices for fills and the corporate-action events
(split ratios and cash dividends) that connect the two.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace

import numpy as np

from ava_backtest.domain.errors import DataError


def as_block(a: np.ndarray, dtype: type = np.float64) -> np.ndarray:
    """The one adapter every kernel input passes through: writable, C-contiguous, right dtype."""
    out = np.require(np.asarray(a, dtype=dtype), dtype=dtype, requirements=["C", "W", "A"])
    return out


@dataclass(frozen=True, slots=True)
class Bars:
    """OHLCV arrays of shape (bars, symbols); NaN where a symbol has no bar on a session."""

    dates: np.ndarray  # datetime64[ns], shape (T,)
    symbols: tuple[str, ...]
    open: np.ndarray
    high: np.ndarray
    low: np.ndarray
    close: np.ndarray
    volume: np.ndarray
    extra: Mapping[str, np.ndarray] = field(default_factory=dict)
    """Data beyond OHLCV that the strategy declared in ``requires``, on the same grid: shape (bars,)
    for market-wide series (``benchmark``, ``vix``, the session clock of intraday bars) or (bars,
    symbols) for per-symbol data (``earnings``)."""

    def __post_init__(self) -> None:
        t, n = len(self.dates), len(self.symbols)
        for name in ("open", "high", "low", "close", "volume"):
            arr = getattr(self, name)
            if arr.shape != (t, n):
                raise ValueError(f"{name} has shape {arr.shape}, expected {(t, n)}")
        for name, arr in self.extra.items():
            if arr.shape[0] != t:
                raise ValueError(f"extra[{name!r}] has {arr.shape[0]} rows, expected {t}")
            if arr.ndim == 2 and arr.shape[1] != n:
                raise ValueError(f"extra[{name!r}] has {arr.shape[1]} columns, expected {n}")

    @property
    def n_bars(self) -> int:
        return len(self.dates)

    @property
    def n_symbols(self) -> int:
        return len(self.symbols)

    @property
    def has_bar(self) -> np.ndarray:
        return ~np.isnan(self.close)

    def need(self, name: str) -> np.ndarray:
        """The extra series ``name`` (declared in the strategy's ``requires``), or an error naming
        it: a strategy never runs on a stand-in for data it needs."""
        if name not in self.extra:
            raise DataError(f"this strategy needs {name!r} and the run supplied none", field=name)
        return self.extra[name]

    def ready(self, k: int) -> np.ndarray:
        """True from each symbol's bar k on (its first bar is bar 0), so k bars of the symbol
        precede it: a guard for rules that need k bars of history. Shape (bars, symbols)."""
        valid = ~np.isnan(self.close)
        first = np.where(valid.any(axis=0), np.argmax(valid, axis=0), self.n_bars)
        return np.arange(self.n_bars)[:, None] >= first[None, :] + k

    def prefix(self, stop: int) -> Bars:
        """Bars [0, stop): zero-copy views, used to prove a strategy causal."""
        return replace(
            self,
            dates=self.dates[:stop],
            open=self.open[:stop],
            high=self.high[:stop],
            low=self.low[:stop],
            close=self.close[:stop],
            volume=self.volume[:stop],
            extra={k: v[:stop] for k, v in self.extra.items()},
        )

    def select(self, columns: list[int]) -> Bars:
        """The given symbol columns, as a new panel."""
        return replace(
            self,
            symbols=tuple(self.symbols[i] for i in columns),
            open=as_block(self.open[:, columns]),
            high=as_block(self.high[:, columns]),
            low=as_block(self.low[:, columns]),
            close=as_block(self.close[:, columns]),
            volume=as_block(self.volume[:, columns]),
            extra={k: v[:, columns] if v.ndim == 2 else v for k, v in self.extra.items()},
        )


@dataclass(frozen=True, slots=True)
class Panel:
    """Everything the engine needs for one run's data.

    ``bars`` carries the prices signals are computed on; ``trade_*`` the prices orders fill at. With
    ``adjustment="events"`` the two differ by the adjustment factor, and ``split_ratio`` /
    ``dividend`` carry the events (applied before the open of their ex-date) that keep positions
    honest. With ``"adjusted"`` or ``"none"`` they are the same prices and there are no events.
    """

    bars: Bars
    trade_open: np.ndarray
    trade_high: np.ndarray
    trade_low: np.ndarray
    trade_close: np.ndarray
    split_ratio: np.ndarray  # 1.0 where no split; 2.0 for a 2:1 split (qty doubles)
    dividend: np.ndarray  # cash per as-traded share, on the ex-date; 0.0 where none
    market: str
    adjustment: str = "events"
    synthetic: tuple[bool, ...] = ()
    benchmark: np.ndarray | None = None  # benchmark close on the same grid, shape (T,)
    benchmark_symbol: str | None = None
    fingerprint: str = ""
    notes: tuple[str, ...] = field(default=())

    @property
    def dates(self) -> np.ndarray:
        return self.bars.dates

    @property
    def symbols(self) -> tuple[str, ...]:
        return self.bars.symbols

    def select(self, columns: list[int]) -> Panel:
        return replace(
            self,
            bars=self.bars.select(columns),
            trade_open=as_block(self.trade_open[:, columns]),
            trade_high=as_block(self.trade_high[:, columns]),
            trade_low=as_block(self.trade_low[:, columns]),
            trade_close=as_block(self.trade_close[:, columns]),
            split_ratio=as_block(self.split_ratio[:, columns]),
            dividend=as_block(self.dividend[:, columns]),
            synthetic=tuple(self.synthetic[i] for i in columns) if self.synthetic else (),
        )

    @classmethod
    def from_prices(
        cls,
        dates: np.ndarray,
        symbols: tuple[str, ...] | list[str],
        open_: np.ndarray,
        high: np.ndarray,
        low: np.ndarray,
        close: np.ndarray,
        volume: np.ndarray | None = None,
        *,
        market: str = "US",
        synthetic: bool = False,
    ) -> Panel:
        """A panel whose signal and fill prices are the same and that has no corporate actions."""
        o, h, lo, c = (as_block(np.atleast_2d(x.T).T) for x in (open_, high, low, close))
        v = as_block(np.ones_like(c) if volume is None else np.atleast_2d(volume.T).T)
        bars = Bars(np.asarray(dates, dtype="datetime64[ns]"), tuple(symbols), o, h, lo, c, v)
        return cls(
            bars=bars,
            trade_open=o,
            trade_high=h,
            trade_low=lo,
            trade_close=c,
            split_ratio=np.ones_like(c),
            dividend=np.zeros_like(c),
            market=market,
            adjustment="none",
            synthetic=tuple(synthetic for _ in symbols),
        )
