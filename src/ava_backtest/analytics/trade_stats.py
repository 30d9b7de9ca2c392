"""Statistics of closed trades.

Win/loss is decided by ``pnl_net`` (after fees), so a trade that was right on price but lost its edge
to costs counts as a loss. Currency figures (profit factor, expectancy) use ``pnl_net``; scale-free
figures (payoff, Kelly, SQN, best/worst) use ``return_pct`` so that one large position cannot
dominate them. The engine records both from the same fill, so their signs agree.
"""

from __future__ import annotations

import math
from collections.abc import Callable
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


def segment_reduce(
    values: np.ndarray, lengths: np.ndarray, reduce: Callable[..., np.ndarray], minimum: int = 1
) -> np.ndarray:
    """``reduce(values[segment])`` of each consecutive segment of ``values`` (``lengths[i]``
    values each; 0 for one shorter than ``minimum``), exactly what the 1-D call gives: the segments of one length
    are stacked as the rows of a block and reduced along its rows, the same numpy inner loop (and
    so the same pairwise summation order) as each segment alone."""
    out = np.zeros(lengths.size)
    starts = np.zeros(lengths.size, dtype=np.int64)
    np.cumsum(lengths[:-1], out=starts[1:])
    for size in np.unique(lengths):
        if size < minimum:
            continue
        rows = np.flatnonzero(lengths == size)
        out[rows] = reduce(values[starts[rows, None] + np.arange(size)], axis=1)
    return out


def trade_metrics_columns(
    account: np.ndarray,
    pnl_net: np.ndarray,
    return_pct: np.ndarray,
    bars_held: np.ndarray,
    fees: np.ndarray,
    n_accounts: int,
) -> list[dict[str, float | int | None]]:
    """``trade_metrics`` of every account at once, equal to it value for value: the trades of
    account ``a`` are the rows with ``account == a``, in their order."""
    order = np.argsort(account, kind="stable")
    acct = np.asarray(account, dtype=np.int64)[order]
    pnl = np.asarray(pnl_net, dtype=np.float64)[order]
    ret = np.asarray(return_pct, dtype=np.float64)[order]
    held = np.asarray(bars_held, dtype=np.int64)[order]
    fee = np.asarray(fees, dtype=np.float64)[order]
    count = np.bincount(acct, minlength=n_accounts)
    wins, losses = pnl > 0, pnl < 0
    n_wins = np.bincount(acct[wins], minlength=n_accounts)
    n_losses = np.bincount(acct[losses], minlength=n_accounts)
    total_fees = segment_reduce(fee, count, np.sum)
    gross_profit = segment_reduce(pnl[wins], n_wins, np.sum)
    gross_loss = segment_reduce(pnl[losses], n_losses, np.sum)
    mean_win = segment_reduce(ret[wins], n_wins, np.mean)
    mean_loss = segment_reduce(ret[losses], n_losses, np.mean)
    expectancy = segment_reduce(pnl, count, np.mean)
    avg_trade = segment_reduce(ret, count, np.mean)
    sd = segment_reduce(ret, count, lambda a, axis: a.std(axis, ddof=1), minimum=2)
    spread = segment_reduce(ret, count, np.ptp)
    best = segment_reduce(ret, count, np.max)
    worst = segment_reduce(ret, count, np.min)
    avg_hold = segment_reduce(held, count, np.mean)
    max_hold = segment_reduce(held, count, np.max)
    out: list[dict[str, float | int | None]] = []
    cols = zip(
        count.tolist(), n_wins.tolist(), n_losses.tolist(), total_fees.tolist(),
        gross_profit.tolist(), gross_loss.tolist(), mean_win.tolist(), mean_loss.tolist(),
        expectancy.tolist(), avg_trade.tolist(), sd.tolist(), spread.tolist(), best.tolist(),
        worst.tolist(), avg_hold.tolist(), max_hold.tolist(), strict=True,
    )  # fmt: skip
    for n, nw, nl, fsum, gp, gl, mw, ml, exp_, avg, s, ptp, hi, lo, ah, mh in cols:
        row: dict[str, float | int | None] = dict.fromkeys(TRADE_KEYS)
        row["trade_count"] = n
        row["total_fees"] = fsum
        out.append(row)
        if n == 0:
            continue
        win_rate = nw / n
        payoff = None
        if nw and nl:
            avg_loss = abs(ml)
            if avg_loss > 0:
                payoff = mw / avg_loss
        sqn = None
        if n >= 2 and s > 0 and ptp > 0:
            sqn = math.sqrt(min(n, SQN_TRADE_CAP)) * avg / s
        gross_loss_ = -gl
        row.update(
            win_rate=win_rate,
            profit_factor=gp / gross_loss_ if gross_loss_ > 0 else None,
            payoff_ratio=payoff,
            expectancy=exp_,
            avg_trade=avg,
            sqn=sqn,
            kelly=win_rate - (1.0 - win_rate) / payoff if payoff else None,
            avg_hold_bars=ah,
            max_hold_bars=int(mh),
            best_trade=hi,
            worst_trade=lo,
        )
    return out
