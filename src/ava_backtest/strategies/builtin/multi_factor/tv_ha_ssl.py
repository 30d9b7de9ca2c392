"""Heikin-Ashi SSL channel: buy when SSL-up crosses above SSL-down; tight stop and target."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Bool,
    Float,
    Int,
    Overlay,
    Signals,
    Strategy,
    heikin_ashi,
    previous,
    sma,
    value_when,
)


class TvHaSsl(Strategy):
    """Heikin-Ashi candles from the first loaded bar; SH, SL = SMA(HA high), SMA(HA low) over
    ``ssl_period``. HLV = +1 after an HA close above SH, -1 after one below SL, unchanged
    otherwise (0 at the start). SSL-up = SH and SSL-down = SL while HLV >= 0, swapped while HLV <
    0. Entry at t: SSL-up crossed above SSL-down between t-2 and t-1 (the original's one-bar lag):
    up(t-2) <= down(t-2) and up(t-1) > down(t-1). Exits (engine): the stop ``stop_loss_pct`` and
    the target ``take_profit_pct`` from the fill (0: none); with ``exit_on_ssl_cross``, also the
    opposite cross, read the same way.

    The original declared the stop, target and cross exit but used none of them, so it bought
    once and held to the end; here they are real.
    """

    name = "tv_ha_ssl"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Heikin-Ashi SSL channel: buys when SSL-up crosses above SSL-down (the HA close breaks "
        "above the SMA of HA highs); tight stop and target, optional exit on the opposite cross."
    )
    tags = ("heikin-ashi", "ssl-channel", "trend", "stop-loss", "take-profit")
    ssl_period = Int(3, 1, 200, "SMA length of the HA highs and lows", window=True)
    stop_loss_pct = Float(0.01, 0.0, 0.5, "Stop below the fill, as a fraction; 0: none")
    take_profit_pct = Float(0.003, 0.0, 1.0, "Target above the fill, as a fraction; 0: none")
    exit_on_ssl_cross = Bool(False, "Also sell when SSL-up crosses back below SSL-down")
    display = (
        Overlay("ssl_up", "SSL up {ssl_period}"),
        Overlay("ssl_down", "SSL down {ssl_period}"),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        ha = heikin_ashi(bars.open, bars.high, bars.low, bars.close)
        sh = sma(ha.high, self.ssl_period)
        sl = sma(ha.low, self.ssl_period)
        above, below = ha.close > sh, ha.close < sl
        hlv = value_when(np.where(above, 1.0, -1.0), above | below, 0.0)
        up = np.where(hlv < 0, sl, sh)
        down = np.where(hlv < 0, sh, sl)
        up1, down1, up2, down2 = previous(up), previous(down), previous(up, 2), previous(down, 2)
        exit_ = (up2 >= down2) & (up1 < down1) if self.exit_on_ssl_cross else None
        return Signals(
            long_entry=(up2 <= down2) & (up1 > down1),
            long_exit=exit_,
            stop_loss=self.stop_loss_pct or None,
            take_profit=self.take_profit_pct or None,
            series={"ssl_up": up, "ssl_down": down},
        )
