"""Earnings gap fade: trade an earnings-session gap back toward the previous close, same day."""

import numpy as np

from ava_backtest.strategies import Bars, Float, Pane, ParameterError, Signals, Strategy, Text

DIRECTIONS = ("fade_down", "fade_up", "both")


class EarningsGapFade(Strategy):
    """Gap(t) = (open(t) - close(t-1)) / close(t-1), on a symbol's earnings reaction session only
    (the announcement day for reports before the open, the next session for reports after the
    close; ``requires = ("earnings",)``). Decided at the open (``timing = "open"``): buy at
    open(t) when Gap(t) <= -min_gap_pct (direction fade_down or both), sell short when Gap(t) >=
    min_gap_pct (fade_up or both); exit at the same session's close (``exit_at = "close"``) or at
    the stop ``stop_pct`` from the fill.

    The original used no earnings calendar (any gap qualified), signalled at the close and filled
    at the next open, never exited longs and ignored ``stop_pct``: Ava fades earnings gaps only, at
    the gapping open, closes the fade the same day and places the stop.
    """

    name = "earnings_gap_fade"
    category = "multi_factor"
    direction = "long_short"
    description = (
        "Fades a large opening gap on an earnings session back toward the previous close: enter "
        "at the open, exit at that session's close or at the stop."
    )
    tags = ("earnings", "gap", "fade", "intraday-hold")
    requires = ("earnings",)
    timing = "open"
    exit_at = "close"
    # A dict, because the spec's parameter ``direction`` shares its name with the class's trading
    # direction: it is read as self.params["direction"].
    parameters = {
        "min_gap_pct": Float(0.03, 0.005, 0.5, "Minimum absolute gap (fraction) to trigger"),
        "direction": Text(
            "fade_down", "fade_down (buy gap-downs), fade_up (short gap-ups) or both"
        ),
        "stop_pct": Float(0.02, 0.002, 0.5, "Stop-loss distance from the fill, as a fraction"),
    }
    display = (Pane("gap", "Opening gap (earnings sessions)", levels=(0.0,)),)

    def check_params(self) -> None:
        if self.params["direction"] not in DIRECTIONS:
            raise ParameterError(
                f"must be one of {list(DIRECTIONS)}, got {self.params['direction']!r}",
                field="params.direction",
            )

    def warmup(self) -> int:
        return 2

    def signals(self, bars: Bars) -> Signals:
        mode = self.params["direction"]
        prev_close = np.full_like(bars.close, np.nan)
        prev_close[1:] = bars.close[:-1]
        with np.errstate(divide="ignore", invalid="ignore"):
            gap = np.where(prev_close > 0, (bars.open - prev_close) / prev_close, np.nan)
        on_earnings = bars.need("earnings") > 0
        gap = np.where(on_earnings, gap, np.nan)
        long_entry = (gap <= -self.min_gap_pct) & (mode in ("fade_down", "both"))
        short_entry = (gap >= self.min_gap_pct) & (mode in ("fade_up", "both"))
        return Signals(
            long_entry=long_entry,
            short_entry=short_entry,
            long_exit=long_entry,
            short_exit=short_entry,
            stop_loss=self.params["stop_pct"],
            series={"gap": gap},
        )
