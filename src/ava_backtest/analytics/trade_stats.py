"""Statistics of closed trades.

Win/loss is decided by ``pnl_net`` (after fees), so a trade that was right on price but lost its edge
to costs counts as a loss. Currency figures (profit factor, expectancy) use ``pnl_net``; scale-free
figures (payoff, Kelly, SQN, best/worst) use ``return_pct`` so that one large position cannot
dominate them. The engine records both from the same fill, so their signs agree.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

import numpy as np

SQN_TRADE_CAP = 100
"""Van Tharp caps the sample size at 100 so SQN compares systems, not how long they ran."""

TRADE_KEYS = (
    "win_rate",
    "profit_factor",
    "payoff_ratio",
    "expectancy",
    "avg_trade",
    "sqn",
    "kelly",
    "avg_hold_bars",
    "max_hold_bars",
    "trade_count",
    "best_trade",
    "worst_trade",
    "total_fees",
)


@dataclass(frozen=True)
class TradeStats:
    """Closed trades as parallel arrays, one element per trade (open positions are not included)."""

    pnl_net: np.ndarray
    """P&L in account currency, after every fee line."""
    return_pct: np.ndarray
    """Net return of the trade as a fraction of its entry value (0.05 = +5%)."""
    bars_held: np.ndarray
    """Bars held; the fill bar counts as bar 1."""
    fees: np.ndarray
    """Total fees of the trade (entry and exit), account currency."""

    def __post_init__(self) -> None:
        n: int | None = None
        for name in ("pnl_net", "return_pct", "bars_held", "fees"):
            arr = np.asarray(getattr(self, name))
            if arr.ndim != 1:
                raise ValueError(f"TradeStats.{name} must be 1-D, got shape {arr.shape}")
            if n is None:
                n = arr.size
            elif arr.size != n:
                raise ValueError(
                    f"TradeStats arrays differ in length: pnl_net has {n}, {name} has {arr.size}"
                )
            if name == "bars_held":
                if arr.size and not np.issubdtype(arr.dtype, np.integer):
                    as_float = arr.astype(np.float64)
                    if not np.all(np.isfinite(as_float)) or np.any(as_float != np.round(as_float)):
                        raise ValueError("TradeStats.bars_held must hold whole numbers of bars")
                arr = arr.astype(np.int64)
            else:
                arr = arr.astype(np.float64)
                if not np.all(np.isfinite(arr)):
                    raise ValueError(f"TradeStats.{name} must be finite")
            object.__setattr__(self, name, arr)

    @classmethod
    def empty(cls) -> TradeStats:
        z = np.empty(0)
        return cls(pnl_net=z, return_pct=z, bars_held=np.empty(0, dtype=np.int64), fees=z)

    @property
    def count(self) -> int:
        return int(self.pnl_net.size)


def trade_metrics(trades: TradeStats | None) -> dict[str, float | int | None]:
    """The trade block of the metrics panel.

    ``trades=None`` means "not supplied" (e.g. an equity curve without a trade list): every trade
    metric is None. An empty ``TradeStats`` means "no closed trades": the count is 0, fees are 0,
    and the ratios are None.
    """
    out: dict[str, float | int | None] = dict.fromkeys(TRADE_KEYS)
    if trades is None:
        return out
    n = trades.count
    out["trade_count"] = n
    out["total_fees"] = float(trades.fees.sum())
    if n == 0:
        return out

    pnl = trades.pnl_net
    ret = trades.return_pct
    wins = pnl > 0
    losses = pnl < 0
    win_rate = float(wins.sum()) / n

    gross_profit = float(pnl[wins].sum())
    gross_loss = -float(pnl[losses].sum())
    payoff = None
    if wins.any() and losses.any():
        avg_loss = abs(float(ret[losses].mean()))
        if avg_loss > 0:
            payoff = float(ret[wins].mean()) / avg_loss

    sqn = None
    if n >= 2:
        sd = float(np.std(ret, ddof=1))
        if sd > 0 and np.ptp(ret) > 0:
            sqn = math.sqrt(min(n, SQN_TRADE_CAP)) * float(ret.mean()) / sd

    out.update(
        win_rate=win_rate,
        # No losing trade: the ratio is infinite, which JSON cannot carry and a UI would misread.
        profit_factor=gross_profit / gross_loss if gross_loss > 0 else None,
        payoff_ratio=payoff,
        expectancy=float(pnl.mean()),
        avg_trade=float(ret.mean()),
        sqn=sqn,
        kelly=win_rate - (1.0 - win_rate) / payoff if payoff else None,
        avg_hold_bars=float(trades.bars_held.mean()),
        max_hold_bars=int(trades.bars_held.max()),
        best_trade=float(ret.max()),
        worst_trade=float(ret.min()),
    )
    return out
