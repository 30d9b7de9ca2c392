"""EMA moving away: buy a close stretched far below the previous EMA after a small-bodied candle;
exit back at the EMA or at the stop."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    ema,
    previous,
)


class TvEmaMovingAway(Strategy):
    """EMA = EMA(close, length) seeded with the mean of the first ``length`` closes; BODY(i) =
    |close(i) - open(i)| / open(i) x 100. Entry at t: close(t) <= EMA(t-1) x (1 -
    moving_away_pct/100) and BODY(t-1) < max_candle_body_pct. Exits: close(t) >= EMA(t-1) (the
    price is back at the average), and the stop ``stop_loss_pct`` % below the fill.

    Differences: the original's only "sell" — a close as far ABOVE the EMA, with the body and
    not-four-green-candles filters — was its short entry, and the exits it computed (the close
    returning to the EMA) were never emitted, so a long bought 2% under the EMA was held until
    the close stood 2% over it; its stop_loss_pct was ignored. This long-only design exits at the
    EMA as intended, and the declared stop is a real engine exit.
    """

    name = "tv_ema_moving_away"
    version = "1.0.0"
    category = "trend"
    description = (
        "Contrarian: buy when close is far below the prior EMA after a small-bodied candle; sell "
        "when close is back at the EMA, or at a percent stop."
    )
    tags = ("ema", "mean-reversion", "contrarian", "stop-loss")
    length = Int(55, 2, 500, "EMA length", window=True)
    moving_away_pct = Float(2.0, 0.1, 50.0, "Required percent distance below the previous EMA")
    stop_loss_pct = Float(2.0, 0.1, 50.0, "Stop-loss distance below the fill, percent")
    max_candle_body_pct = Float(
        2.0, 0.01, 50.0, "Previous candle body, as % of its open, must be below this"
    )
    display = (
        Overlay("ema", "EMA {length}"),
        Overlay("entry_level", "EMA - {moving_away_pct}%"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        o, c = bars.open, bars.close
        e = ema(c, self.length)
        prev_ema = previous(e)
        level = prev_ema * (1.0 - self.moving_away_pct / 100.0)
        with np.errstate(divide="ignore", invalid="ignore"):
            body = np.abs(c - o) / o * 100.0
        return Signals(
            long_entry=(c <= level) & (previous(body) < self.max_candle_body_pct),
            long_exit=c >= prev_ema,
            stop_loss=self.stop_loss_pct / 100.0,
            series={"ema": e, "entry_level": level},
        )
