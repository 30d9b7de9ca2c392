"""DG NNFX Aroon: an Aroon up/down cross confirmed by DPO, a simple-mean ADX and an SMA baseline."""

import numpy as np

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    aroon,
    crossed_above,
    crossed_below,
    directional_movement,
    previous,
    sma,
    true_range,
)


def simple_adx(bars: Bars, p: int) -> np.ndarray:
    """The original's ADX with simple means: +DM/-DM by the usual rule, TR (0 on a symbol's first
    bar), ATR(i) = mean(TR[i-p..i-1]) (bar i excluded), +DI(i) = 100 x mean(+DM[i-p+1..i]) /
    ATR(i), -DI likewise, DX = 100 |+DI - -DI| / (+DI + -DI), ADX = mean of the last p DX;
    undefined where ATR or the DI sum is 0. ATR cancels in DX, so it only decides where DX is
    defined."""
    dm = directional_movement(bars.high, bars.low, undefined=0.0)
    plus_dm = sma(dm.plus, p)
    minus_dm = sma(dm.minus, p)
    tr = true_range(bars.high, bars.low, bars.close)
    tr[np.isnan(tr) & bars.has_bar] = 0.0
    atr = sma(tr, p)
    atr_prev_ok = np.zeros(atr.shape, dtype=np.bool_)  # ATR(i) > 0, read one bar late
    np.greater(atr[:-1], 0.0, out=atr_prev_ok[1:])
    # In place (each array is this call's own): fewer fresh blocks, the same operations.
    dx = plus_dm - minus_dm
    np.abs(dx, out=dx)
    dx *= 100.0
    np.add(plus_dm, minus_dm, out=plus_dm)
    with np.errstate(divide="ignore", invalid="ignore"):
        np.divide(dx, plus_dm, out=dx)
    dx[~atr_prev_ok] = np.nan
    return sma(dx, p)


class DgNnfxAroon(Strategy):
    """NNFX-style long. Aroon over the last L+1 bars (ties: the oldest bar, as the original);
    DPO(t) = close(t) - SMA(close, dpo_period)(t - floor(dpo_period/2) - 1); the original's ADX of
    simple means (ATR window one bar behind the DM window); Baseline = SMA(close,
    baseline_period). Everything is read one bar late, as in the original.

    Entry at t: AroonUp(t-1) > AroonDown(t-1) and AroonUp(t-2) <= AroonDown(t-2), DPO(t-1) > 0,
    ADX(t-1) > adx_threshold and close(t-1) > Baseline(t-1). Exit at t: the opposite Aroon cross.
    No signal before the symbol's bar ``max(aroon_length, dpo_period, adx_period,
    baseline_period) + 5``. The NNFX ATR stop and target were never part of the original and
    have no parameters, so there are none here either.
    """

    name = "dg_nnfx_aroon"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "NNFX-style long: Aroon up/down cross confirmed by DPO > 0, ADX above a threshold and "
        "price above an SMA baseline; exits on the opposite Aroon cross."
    )
    tags = ("aroon", "dpo", "adx", "nnfx", "trend")
    aroon_length = Int(14, 1, 100, "Aroon length L", window=True)
    dpo_period = Int(21, 1, 100, "DPO length", window=True)
    adx_period = Int(14, 1, 100, "ADX length p", window=True)
    adx_threshold = Float(15.0, 0.0, 100.0, "Minimum ADX")
    baseline_period = Int(100, 1, 400, "Baseline SMA length", window=True)
    display = (
        Overlay("baseline", "SMA {baseline_period}"),
        Pane("aroon_up", "Aroon up {aroon_length}", pane="aroon"),
        Pane("aroon_down", "Aroon down {aroon_length}", pane="aroon"),
        Pane("dpo", "DPO {dpo_period}", levels=(0.0,)),
        Pane("adx", "ADX {adx_period} (simple means)", levels=("adx_threshold",)),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        # ties go to the oldest bar of the window, as the original's first argmax
        up, down, _ = aroon(bars.high, bars.low, self.aroon_length, ties="oldest")
        dpo = bars.close - previous(sma(bars.close, self.dpo_period), self.dpo_period // 2 + 1)
        adx_ = simple_adx(bars, self.adx_period)
        baseline = sma(bars.close, self.baseline_period)
        up1, down1 = previous(up), previous(down)
        ready = bars.ready(self.warmup())
        entry = (
            crossed_above(up1, down1, from_touch=True)
            & (previous(dpo) > 0)
            & (previous(adx_) > self.adx_threshold)
            & (previous(bars.close) > previous(baseline))
        )
        return Signals(
            long_entry=entry & ready,
            long_exit=crossed_below(up1, down1, from_touch=True) & ready,
            series={
                "baseline": baseline,
                "aroon_up": up,
                "aroon_down": down,
                "dpo": dpo,
                "adx": adx_,
            },
        )
