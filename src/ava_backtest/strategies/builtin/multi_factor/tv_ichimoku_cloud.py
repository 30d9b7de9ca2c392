"""Ichimoku: buy a Tenkan/Kijun cross up above the displaced cloud; sell the cross down."""

import numpy as np

from ava_backtest.strategies import Bars, Int, Overlay, Signals, Strategy, ichimoku, previous


class TvIchimokuCloud(Strategy):
    """MID(L) = (highest high + lowest low) / 2 over L bars (bar included). TENKAN =
    MID(conversion_len), KIJUN = MID(base_len), SPAN A = (TENKAN + KIJUN) / 2, SPAN B =
    MID(span_b_len); TOP(i) = max(SPAN A(i), SPAN B(i)), and the cloud in force at bar j is
    TOP(j - displacement). All read one bar late, as in the original. Entry at t: TENKAN(t-1) >
    KIJUN(t-1), TENKAN(t-2) <= KIJUN(t-2) and close(t-1) > TOP(t-1-displacement). Exits: the TK
    cross down read the same way, and the time stop ``max_hold_days`` (the fill bar is bar 1).

    The original computed the TK cross-down exit but never emitted it and ignored
    max_hold_days, so it bought once and held to the end; here both are exits.
    """

    name = "tv_ichimoku_cloud"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Ichimoku: buys a Tenkan/Kijun cross up while the previous close is above the displaced "
        "cloud; sells the cross down or after max_hold_days."
    )
    tags = ("ichimoku", "cloud", "tenkan-kijun", "trend", "time-stop")
    conversion_len = Int(9, 1, 100, "Tenkan length")
    base_len = Int(26, 1, 200, "Kijun length")
    span_b_len = Int(52, 1, 300, "Senkou B length")
    displacement = Int(26, 1, 100, "Cloud displacement in bars")
    max_hold_days = Int(60, 1, 500, "Maximum bars held (the fill bar is bar 1)")
    display = (
        Overlay("tenkan", "Tenkan {conversion_len}"),
        Overlay("kijun", "Kijun {base_len}"),
        Overlay("cloud_top", "Cloud top (displaced {displacement})"),
    )

    def warmup(self) -> int:
        longest = max(self.conversion_len, self.base_len, self.span_b_len)
        return longest + self.displacement + 2

    def signals(self, bars: Bars) -> Signals:
        ich = ichimoku(
            bars.high,
            bars.low,
            self.conversion_len,
            self.base_len,
            self.span_b_len,
            self.displacement,
        )
        top = previous(np.maximum(ich.span_a, ich.span_b), self.displacement)
        t1, k1 = previous(ich.tenkan), previous(ich.kijun)
        t2, k2 = previous(ich.tenkan, 2), previous(ich.kijun, 2)
        entry = (t1 > k1) & (t2 <= k2) & (previous(bars.close) > previous(top))
        return Signals(
            long_entry=entry,
            long_exit=(t1 < k1) & (t2 >= k2),
            max_hold=self.max_hold_days,
            series={"tenkan": ich.tenkan, "kijun": ich.kijun, "cloud_top": top},
        )
