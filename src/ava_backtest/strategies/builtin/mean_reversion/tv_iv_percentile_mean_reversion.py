"""IV percentile mean reversion: buy when the symbol's implied volatility is at the top of its
own range (fear priced in), sell once it has fallen back toward the middle."""

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy, rank_below


class IvPercentileMeanReversion(Strategy):
    """From the implied-volatility history (``requires``: implied_volatility, one IV per symbol
    per session, docs/data.md): IVP(t) = 100 x the share of the last ``lookback`` sessions'
    IV (t included) strictly below IV(t) — the IV percentile. Implied volatility mean-reverts,
    and a spike in it is fear priced into the options that usually fades with a rebound in the
    stock: entry at t when IVP(t) >= entry_percentile, exit at t when IVP(t) <= exit_percentile.
    A window with a session without IV gives no signal.

    The original was a stub that never signalled, with no parameters: lookback,
    entry_percentile and exit_percentile are Ava's. The catalogue states a warm-up of 1 bar; the
    IV percentile needs ``lookback`` sessions of IV history, so a run's first ``lookback`` bars
    give no signal. The sample has no IV history, so a run there fails naming it and how to
    upload one.
    """

    name = "tv_iv_percentile_mean_reversion"
    version = "1.0.0"
    category = "mean_reversion"
    description = (
        "Buys when implied volatility ranks at or above entry_percentile of its last lookback "
        "sessions and sells when it is back at or below exit_percentile."
    )
    tags = ("options", "implied-volatility", "iv-percentile", "mean-reversion")
    requires = ("implied_volatility",)
    lookback = Int(252, 5, 1260, "Sessions of IV history the percentile ranks against")
    entry_percentile = Float(90.0, 50.0, 100.0, "Buy when the IV percentile is at least this", above="exit_percentile")  # fmt: skip
    exit_percentile = Float(50.0, 0.0, 95.0, "Sell when the IV percentile is at most this")
    display = (
        Pane(
            "ivp",
            "IV percentile over {lookback} sessions",
            levels=("entry_percentile", "exit_percentile"),
        ),
        Pane("iv", "Implied volatility"),
    )

    def warmup(self) -> int:
        return 1

    def signals(self, bars: Bars) -> Signals:
        iv = bars.need("implied_volatility")
        ivp = rank_below(iv, self.lookback)
        return Signals(
            long_entry=ivp >= self.entry_percentile,
            long_exit=ivp <= self.exit_percentile,
            series={"ivp": ivp, "iv": iv},
        )
