"""Flawless Victory: Bollinger(17, 1) + RSI (or MFI) mean reversion with a fixed stop and target."""

from ava_backtest.strategies import (
    Bars,
    Float,
    Int,
    Overlay,
    Pane,
    Signals,
    Strategy,
    bollinger,
    mfi,
    previous,
    rsi,
)


class TvFlawlessVictory(Strategy):
    """BB = SMA(close, bb_period) +/- bb_std x population std; RSI = Wilder RSI(rsi_period); MFI =
    MFI(mfi_period). Everything is read one bar late, as in the original. ``version`` 1 or 2:
    entry at t when close(t-1) < LOWER(t-1) and RSI(t-1) < rsi_lower; exit at t when close(t-1)
    > UPPER(t-1) and RSI(t-1) > rsi_upper. ``version`` 3: the entry guard is MFI(t-1) <
    mfi_lower, and the exit also needs MFI(t-1) > mfi_upper. Every trade has the stop
    ``stop_loss_pct`` and the target ``take_profit_pct`` from the fill (engine exits).

    The original accepted the stop and target (the Pine script uses them) and ignored them; here
    they are real. Its RSI read 0 with no losses in the window and its MFI 50 with no negative
    flow; the library's read 100 there. ``version`` is the logic variant, not the strategy's
    version (1.0.0).
    """

    name = "tv_flawless_victory"
    version = "1.0.0"
    category = "multi_factor"
    description = (
        "Bollinger(17, 1) and RSI mean reversion: buys below the lower band with RSI under 42, "
        "sells above the upper band with RSI over 76 (version 3 adds MFI); 6.6% stop, 2.3% target."
    )
    tags = ("bollinger", "rsi", "mfi", "mean-reversion", "stop-loss", "take-profit")
    parameters = {
        "version": Int(2, 1, 3, "Logic variant: 1 and 2 use RSI, 3 uses MFI (and RSI to sell)"),
        "rsi_period": Int(14, 2, 100, "RSI length", window=True),
        "bb_period": Int(17, 2, 200, "Bollinger length", window=True),
        "bb_std": Float(1.0, 0.1, 5.0, "Bollinger std multiple"),
        "rsi_lower": Int(42, 1, 99, "Buy guard: RSI(t-1) below this"),
        "rsi_upper": Int(76, 1, 99, "Sell guard: RSI(t-1) above this"),
        "mfi_period": Int(14, 2, 100, "MFI length (version 3)", window=True),
        "mfi_lower": Int(60, 1, 99, "Version 3 buy guard: MFI(t-1) below this"),
        "mfi_upper": Int(64, 1, 99, "Version 3 sell guard: MFI(t-1) above this"),
        "stop_loss_pct": Float(0.066, 0.001, 0.5, "Stop distance below the fill, as a fraction"),
        "take_profit_pct": Float(
            0.023, 0.001, 1.0, "Target distance above the fill, as a fraction"
        ),
    }
    display = (
        Overlay("upper", "BB upper {bb_period}, {bb_std}"),
        Overlay("basis", "BB basis {bb_period}"),
        Overlay("lower", "BB lower {bb_period}, {bb_std}"),
        Pane("rsi", "RSI {rsi_period}", levels=("rsi_lower", "rsi_upper")),
        Pane("mfi", "MFI {mfi_period}", levels=("mfi_lower", "mfi_upper")),
    )
    warmup_extra = 5

    def signals(self, bars: Bars) -> Signals:
        p = self.params
        c = bars.close
        bb = bollinger(c, p["bb_period"], p["bb_std"])
        r = rsi(c, p["rsi_period"])
        m = mfi(bars.high, bars.low, c, bars.volume, p["mfi_period"])
        below = previous(c) < previous(bb.lower)
        above = previous(c) > previous(bb.upper)
        rsi_hot = previous(r) > p["rsi_upper"]
        if p["version"] == 3:
            entry = below & (previous(m) < p["mfi_lower"])
            exit_ = above & rsi_hot & (previous(m) > p["mfi_upper"])
        else:
            entry = below & (previous(r) < p["rsi_lower"])
            exit_ = above & rsi_hot
        return Signals(
            long_entry=entry,
            long_exit=exit_ & ~entry,
            stop_loss=p["stop_loss_pct"],
            take_profit=p["take_profit_pct"],
            series={"upper": bb.upper, "basis": bb.middle, "lower": bb.lower, "rsi": r, "mfi": m},
        )
