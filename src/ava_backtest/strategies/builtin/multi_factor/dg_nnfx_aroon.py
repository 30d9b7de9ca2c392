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
    crossed_above,
    crossed_below,
    highest,
    lowest,
    previous,
    sma,
    true_range,
)


def aroon_oldest(x: np.ndarray, n: int, lowest_: bool) -> np.ndarray:
    """100 * pos / n, pos = index in the last n+1 bars (0 = oldest) of the FIRST (oldest)
    occurrence of the window's max (or min): the original's tie rule, where the library's aroon
    gives ties to the most recent bar. NaN until the window holds n+1 values."""
    extreme = (lowest if lowest_ else highest)(x, n + 1)
    pos = np.full(x.shape, np.nan)
    hit = np.empty(x.shape, dtype=np.bool_)
    rows = x.shape[0]
    for k in range(n, max(n - rows, -1), -1):  # newest to oldest: the oldest match is written last
        lag = n - k
        np.equal(x[: rows - lag], extreme[lag:], out=hit[lag:])
        np.copyto(pos[lag:], 100.0 * k / n, where=hit[lag:])
    return pos


def simple_adx(bars: Bars, p: int) -> np.ndarray:
    """The original's ADX with simple means: +DM/-DM by the usual rule, TR (0 on a symbol's first
    bar), ATR(i) = mean(TR[i-p..i-1]) (bar i excluded), +DI(i) = 100 x mean(+DM[i-p+1..i]) /
    ATR(i), -DI likewise, DX = 100 |+DI - -DI| / (+DI + -DI), ADX = mean of the last p DX;
    undefined where ATR or the DI sum is 0. ATR cancels in DX, so it only decides where DX is
    defined."""
    up = bars.high - previous(bars.high)
    dn = previous(bars.low) - bars.low
    plus_dm = sma(np.where((up > dn) & (up > 0), up, 0.0), p)
    minus_dm = sma(np.where((dn > up) & (dn > 0), dn, 0.0), p)
    tr = true_range(bars.high, bars.low, bars.close)
    tr[np.isnan(tr) & bars.has_bar] = 0.0
    atr_prev = previous(sma(tr, p))
    with np.errstate(divide="ignore", invalid="ignore"):
        dx = 100.0 * np.abs(plus_dm - minus_dm) / (plus_dm + minus_dm)
    dx[~(atr_prev > 0)] = np.nan
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
        up = aroon_oldest(bars.high, self.aroon_length, lowest_=False)
        down = aroon_oldest(bars.low, self.aroon_length, lowest_=True)
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
