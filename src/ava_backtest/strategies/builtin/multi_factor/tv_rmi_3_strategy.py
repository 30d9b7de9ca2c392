"""Three RMIs: buy when three Relative Momentum Index oscillators of increasing horizon are all
deeply negative, sell when all are strongly positive; percent stop and target."""

import numba as nb
import numpy as np

from ava_backtest.strategies import Bars, Float, Int, Pane, Signals, Strategy


@nb.njit(cache=True)
def _rmi(close: np.ndarray, length: int, mom: int, out: np.ndarray) -> None:
    """Centred RMI (-50..50): U, D = EMAs (alpha 2/(length+1)) of the up and down moves over
    ``mom`` bars, each seeded with its first move divided by ``length`` (the original's seed);
    50 - 100 / (1 + U/D), 50 where D = 0. Undefined until a column has a move over ``mom`` bars."""
    rows, cols = close.shape
    a = 2.0 / (length + 1)
    u = np.zeros(cols)
    d = np.zeros(cols)
    seeded = np.zeros(cols, dtype=np.bool_)
    for t in range(rows):  # bars outer, symbols inner: the arrays are (bars, symbols) C-order
        for j in range(cols):
            x = close[t, j]
            back = close[t - mom, j] if t >= mom else np.nan
            if np.isnan(x) or np.isnan(back):
                out[t, j] = np.nan
                continue
            up = max(x - back, 0.0)
            dn = max(back - x, 0.0)
            if seeded[j]:
                u[j] = a * up + (1.0 - a) * u[j]
                d[j] = a * dn + (1.0 - a) * d[j]
            else:
                u[j] = up / length
                d[j] = dn / length
                seeded[j] = True
            out[t, j] = 50.0 if d[j] == 0.0 else 50.0 - 100.0 / (1.0 + u[j] / d[j])


def _lagged(flags: np.ndarray) -> np.ndarray:
    """A boolean array one bar later (False on the first bar)."""
    out = np.empty_like(flags)
    out[0] = False
    out[1:] = flags[:-1]
    return out


def _rmi_of(close: np.ndarray, length: int, mom: int) -> np.ndarray:
    out = np.empty(close.shape)
    _rmi(np.ascontiguousarray(close), length, mom, out)
    return out


class TvRmi3Strategy(Strategy):
    """X_s = max(X // resolution, 1) for every period and momentum. RMI(len, mom) = 50 - 100 / (1
    + U/D) (50 when D = 0), U and D the EMAs (alpha 2/(len+1)) of the up and down moves over mom
    bars, each seeded with its first move / len. A, B, G = RMI(alpha_period_s, alpha_momentum_s),
    RMI(beta_period_s, beta_momentum_s), RMI(gamma_period_s, gamma_momentum_s). Entry at t: A(t-1) <= alpha_low_boundary, B(t-1) <=
    beta_low_boundary and G(t-1) <= gamma_low_boundary. Exit at t (unless it enters): all three
    at or above their high boundaries on bar t-1. Engine target and stop ``take_profit_pct`` /
    ``stop_loss_pct`` % from the fill (percent, as in the catalogue's other *_pct parameters).

    Differences: the original accepted its target and stop and ignored them; here they are real
    exits. Its RMIs were 0 before enough bars existed; here they are undefined there (no signal).
    ``resolution`` divides the lengths (as in the original), it does not resample the bars.
    """

    name = "tv_rmi_3_strategy"
    version = "1.0.0"
    category = "multi_factor"
    direction = "long_only"
    description = (
        "Buys when three Relative Momentum Index oscillators of increasing horizon are all deeply "
        "negative; sells when all are strongly positive; percent target and stop."
    )
    tags = ("rmi", "momentum", "multi-horizon", "tradingview")
    resolution = Int(3, 1, 100, "Divisor applied to every length and momentum")
    alpha_period = Int(29, 1, 10000, "Alpha RMI length (before the divisor)")
    alpha_momentum = Int(7, 1, 5000, "Alpha RMI momentum distance (before the divisor)")
    beta_period = Int(239, 1, 10000, "Beta RMI length (before the divisor)")
    beta_momentum = Int(23, 1, 5000, "Beta RMI momentum distance (before the divisor)")
    gamma_period = Int(2467, 1, 10000, "Gamma RMI length (before the divisor)")
    gamma_momentum = Int(239, 1, 5000, "Gamma RMI momentum distance (before the divisor)")
    alpha_high_boundary = Int(23, -50, 50, "Exit: alpha RMI at or above this")
    alpha_low_boundary = Int(-23, -50, 50, "Entry: alpha RMI at or below this")
    beta_high_boundary = Int(19, -50, 50, "Exit: beta RMI at or above this")
    beta_low_boundary = Int(-19, -50, 50, "Entry: beta RMI at or below this")
    gamma_high_boundary = Int(19, -50, 50, "Exit: gamma RMI at or above this")
    gamma_low_boundary = Int(-19, -50, 50, "Entry: gamma RMI at or below this")
    take_profit_pct = Float(0.35, 0.01, 1000.0, "Target above the fill, percent")
    stop_loss_pct = Float(0.3, 0.01, 99.0, "Stop below the fill, percent")
    display = (
        Pane(
            "alpha", "RMI alpha", pane="rmi", levels=("alpha_low_boundary", "alpha_high_boundary")
        ),
        Pane("beta", "RMI beta", pane="rmi", levels=("beta_low_boundary", "beta_high_boundary")),
        Pane(
            "gamma", "RMI gamma", pane="rmi", levels=("gamma_low_boundary", "gamma_high_boundary")
        ),
    )

    def _scaled(self, x: int) -> int:
        return max(x // self.resolution, 1)

    def warmup(self) -> int:
        return max(self._scaled(self.gamma_period) + self._scaled(self.gamma_momentum), 500) + 50

    def signals(self, bars: Bars) -> Signals:
        c, s = bars.close, self._scaled
        a = _rmi_of(c, s(self.alpha_period), s(self.alpha_momentum))
        b = _rmi_of(c, s(self.beta_period), s(self.beta_momentum))
        g = _rmi_of(c, s(self.gamma_period), s(self.gamma_momentum))
        dip = (
            (a <= self.alpha_low_boundary)
            & (b <= self.beta_low_boundary)
            & (g <= self.gamma_low_boundary)
        )
        top = (
            (a >= self.alpha_high_boundary)
            & (b >= self.beta_high_boundary)
            & (g >= self.gamma_high_boundary)
        )
        entry, top = _lagged(dip), _lagged(top)  # read on bar t-1, as in the original
        return Signals(
            long_entry=entry,
            long_exit=top & ~entry,
            take_profit=self.take_profit_pct / 100.0,
            stop_loss=self.stop_loss_pct / 100.0,
            series={"alpha": a, "beta": b, "gamma": g},
        )
