"""Sector rotation: every hold_days bars, buy the universe's symbols whose lookback return ranks
above the percentile_threshold percentile of the universe (and is positive); sell those that
rank below the 25th percentile."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Pane, Signals, Strategy, pct_change


class SectorRotation(Strategy):
    """Cross-sectional momentum rotation over the run's symbols (e.g. sector ETFs).

    r(t) = close(t)/close(t-N) - 1 per symbol (N = lookback). Rank(t) = the percentile (0..100) of
    a symbol's r(t) among the symbols with a return at t: 100 x (its 0-based position in
    ascending order) / (count - 1), so the best is 100 and the worst 0. A symbol is ranked once
    it has ranking_period + lookback bars. Rebalance bars: t % hold_days == 0 (t counted from the
    first bar loaded). There a symbol with r(t) > 0 and Rank(t) > percentile_threshold gets
    ``long_entry``, one with Rank(t) < 25 ``long_exit``; between the two a holding is kept.
    ``priority = r(t)``: the strongest first when slots run out. No signals between rebalances.

    Differences: the original crashed on every bar (an undefined helper) and, as written, ranked
    one symbol's return against its own past returns over ranking_period bars — no rotation.
    Here the percentiles are taken across the universe (cross-sectional: a one-symbol run cannot
    rank and never trades); ranking_period is kept as the history a symbol needs before it is
    ranked (the catalogue's warm-up), and hold_days, unused in the original, is the rebalance
    interval, i.e. the minimum holding period.
    """

    name = "sector_rotation"
    version = "1.0.0"
    category = "momentum"
    description = (
        "Every hold_days bars, buy the symbols whose lookback return is positive and ranks above "
        "the percentile_threshold percentile of the universe; sell those below the 25th."
    )
    tags = ("momentum", "rotation", "cross-sectional", "sector")
    cross_sectional = True
    lookback = Int(63, 2, 504, "Return horizon N in bars")
    ranking_period = Int(252, 1, 1260, "History (bars) a symbol needs before it is ranked")
    percentile_threshold = Int(75, 26, 99, "Buy above this cross-sectional percentile (0-100)")
    hold_days = Int(21, 1, 252, "Rebalance every hold_days bars (the minimum holding period)")
    display = (
        Pane(
            "rank",
            "Percentile of the {lookback}-bar return in the universe (rebalance bars)",
            levels=(25.0, "percentile_threshold"),
            style="dots",
        ),
        Pane("ret", "{lookback}-bar return", levels=(0.0,)),
    )

    def warmup(self) -> int:
        return self.ranking_period + self.lookback + 1

    def signals(self, bars: Bars) -> Signals:
        ret = pct_change(bars.close, self.lookback)
        due = np.arange(0, bars.n_bars, self.hold_days)  # the rebalance bars
        ranked = np.where(bars.ready(self.ranking_period + self.lookback)[due], ret[due], np.nan)
        rank = np.full(ret.shape, np.nan)
        rank[due] = _cross_percentile(ranked)
        buy = (ret > 0) & (rank > self.percentile_threshold)
        return Signals(
            long_entry=buy,
            long_exit=rank < 25.0,
            priority=np.where(buy, ret, np.nan),
            series={"rank": rank, "ret": ret},
        )


def _cross_percentile(x: np.ndarray) -> np.ndarray:
    """Row-wise percentile (0..100) of each defined value among its row's defined values; NaN
    where undefined or where a row has fewer than two."""
    valid = np.isfinite(x)
    order = np.argsort(np.where(valid, x, np.inf), axis=1, kind="stable")
    pos = np.empty_like(order)
    np.put_along_axis(pos, order, np.arange(x.shape[1])[None, :], axis=1)
    count = valid.sum(axis=1, keepdims=True)
    with np.errstate(divide="ignore", invalid="ignore"):
        pct = 100.0 * pos / (count - 1)
    return np.where(valid & (count >= 2), pct, np.nan)
