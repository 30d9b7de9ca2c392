"""The engine's Python face: a panel and its signals in, orders, trades and equity out.

Everything here is preparation (one adapter making the kernel's inputs writable, contiguous
float64/bool blocks) and presentation (record arrays into polars frames); the simulation itself is
one call of the numba kernel.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Literal

import numpy as np
import polars as pl

from ava_backtest.domain.bars import Panel, as_block
from ava_backtest.domain.config import KellySizing, MonteCarloSizing, RiskParitySizing
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine import kernel as k
from ava_backtest.engine.allocation import risk_parity_signals
from ava_backtest.markets.costs import CostModel, zero_cost_model

_SIZING = {
    "equal_slots": k.SIZE_EQUAL_SLOTS,
    "fraction": k.SIZE_FRACTION,
    "fixed_cash": k.SIZE_FIXED_CASH,
    "fixed_units": k.SIZE_FIXED_UNITS,
    "risk": k.SIZE_RISK,
    "kelly": k.SIZE_KELLY,
    "monte_carlo": k.SIZE_MONTE_CARLO,
    # The allocator turns the signals into target weights before the kernel; entries that remain
    # (none) would use equal slots.
    "risk_parity": k.SIZE_EQUAL_SLOTS,
}
_NO_VALUE = ("equal_slots", "kelly", "monte_carlo", "risk_parity")


DEFAULT_MAINTENANCE_MARGIN = 0.25
"""Equity an account keeps, as a fraction of its gross exposure, unless leverage needs less."""


def maintenance_margin(leverage: float, configured: float | None = None) -> float:
    """The maintenance margin in force: ``configured`` when given, else 25% of gross exposure or
    half the initial margin (``0.5 / leverage``), whichever is lower.

    A maintenance margin at or above the initial margin (``1 / leverage``) would call a position
    opened at full leverage on its first close; halving the initial margin keeps the same cushion
    at any leverage (25% at 2x, as Reg T's 50% initial and 25% maintenance; 5% at 10x).
    """
    if configured is not None:
        return float(configured)
    return min(DEFAULT_MAINTENANCE_MARGIN, 0.5 / leverage)


def check_margin(leverage: float, configured: float | None) -> None:
    """Refuse a leverage below 1 and a maintenance margin outside [0, 1 / leverage), naming the
    field (the same rule ``RunConfig`` applies at the request)."""
    if not (math.isfinite(leverage) and leverage >= 1.0):
        raise ConfigError(
            f"leverage must be a finite number >= 1, got {leverage!r}", field="leverage"
        )
    if configured is None:
        return
    if not (math.isfinite(configured) and 0.0 <= configured < 1.0 / leverage):
        raise ConfigError(
            f"maintenance_margin {configured!r} must be >= 0 and below the initial margin "
            f"1 / leverage = {1.0 / leverage:.4g}: at or above it, a position opened at full "
            "leverage is called at its first close",
            field="maintenance_margin",
        )


@dataclass(frozen=True, slots=True)
class EngineSettings:
    """The engine's knobs, resolved from a ``RunConfig`` and its market."""

    initial_cash: float = 100_000.0
    fill: Literal["next_open", "close"] = "next_open"
    sizing_mode: str = "equal_slots"
    sizing_value: float | None = None
    fractional: bool = False
    lot_size: float = 1.0
    max_positions: int | None = None  # None: one slot per symbol
    max_participation: float | None = None
    slippage_bps: float = 0.0
    leverage: float = 1.0
    maintenance_margin: float | None = None  # None: see ``maintenance_margin()``
    borrow_rate: float = 0.0  # annual
    periods_per_year: int = 252
    allow_short: bool = True
    max_hold_bars: int | None = None
    portfolio: Literal["shared", "independent"] = "shared"
    cost_model: CostModel | None = None
    exits_at_close: bool = False
    rebalance_threshold: float = 0.0  # smallest rebalancing trade, as a fraction of equity
    risk_rules: RiskRule | None = None  # the drawdown circuit breaker; None: off
    # The sizing overlays' options (their defaults when None and the mode is theirs).
    kelly: KellySizing | None = None
    monte_carlo: MonteCarloSizing | None = None
    risk_parity: RiskParitySizing | None = None
    seed: int = 0  # seeds the Monte Carlo sizer


@dataclass(frozen=True, slots=True)
class RiskRule:
    """The drawdown circuit breaker, per account, on the equity marked at each close.

    When equity is ``max_drawdown`` (a fraction) or more below its peak, the entries decided at
    that close are cancelled and no entry is read until it resumes; with ``flatten`` every
    position closes at the next open (exit reason ``circuit_breaker``). It resumes at the close
    ``resume_after_bars`` bars after the tripping close, or at a close whose equity is
    ``resume_on_recovery`` (a fraction) above its lowest close since the trip, whichever comes
    first (neither: it stays tripped to the end); entries are read again from the next close, and
    the peak restarts there. Exits, stops and targets keep working while it is tripped.
    """

    max_drawdown: float
    flatten: bool = False
    resume_after_bars: int | None = None
    resume_on_recovery: float | None = None

    def as_kernel(self) -> np.ndarray:
        return np.array(
            [
                self.max_drawdown,
                1.0 if self.flatten else 0.0,
                float(self.resume_after_bars or 0),
                float(self.resume_on_recovery or 0.0),
            ]
        )


def check_risk_rule(rule: RiskRule | None) -> None:
    """Refuse a breaker that cannot work, naming the field (``RunConfig`` applies the same
    rule at the request)."""
    if rule is None:
        return
    if not (math.isfinite(rule.max_drawdown) and 0.0 < rule.max_drawdown < 1.0):
        raise ConfigError(
            f"max_drawdown must be a fraction between 0 and 1, got {rule.max_drawdown!r}",
            field="risk_rules.max_drawdown",
        )
    if rule.resume_after_bars is not None and rule.resume_after_bars < 1:
        raise ConfigError(
            f"resume_after_bars must be at least 1, got {rule.resume_after_bars!r}",
            field="risk_rules.resume_after_bars",
        )
    rec = rule.resume_on_recovery
    if rec is not None and not (math.isfinite(rec) and rec > 0.0):
        raise ConfigError(
            f"resume_on_recovery must be a positive fraction, got {rec!r}",
            field="risk_rules.resume_on_recovery",
        )
    if rule.flatten and rec is not None:
        raise ConfigError(
            "resume_on_recovery cannot work with flatten: a flattened account holds only cash, "
            "so its equity never recovers; use resume_after_bars",
            field="risk_rules.resume_on_recovery",
        )


@dataclass(frozen=True, slots=True)
class EngineResult:
    """One simulation. ``equity``/``cash``/``exposure`` have one column per account: a single
    column in ``shared`` mode, one per symbol (or sweep member) in ``independent`` mode."""

    dates: np.ndarray
    symbols: tuple[str, ...]
    accounts: tuple[str, ...]
    equity: np.ndarray
    cash: np.ndarray
    exposure: np.ndarray
    fills: pl.DataFrame
    trades: pl.DataFrame
    open_positions: pl.DataFrame
    skipped: pl.DataFrame
    fee_lines: tuple[str, ...] = field(default=())
    ruined_at: np.ndarray = field(default_factory=lambda: np.zeros(0, dtype=np.int64))
    """Per account: the bar whose close first marked equity at or below zero (-1: never). A
    ruined account's positions closed at the next open (``margin_call``) and it traded no more."""
    halted: np.ndarray = field(default_factory=lambda: np.zeros((0, 0), dtype=np.bool_))
    """(bars, accounts): True at the closes whose entries the drawdown circuit breaker did not
    read (empty without a risk rule)."""

    @property
    def ruined(self) -> bool:
        return bool((self.ruined_at >= 0).any())

    @property
    def final_equity(self) -> np.ndarray:
        return self.equity[-1]


def _distance_scale(panel: Panel, fill: str) -> np.ndarray | None:
    """As-traded / signal price at the bar where an entry decided at each bar fills, or None
    where the two price series are the same. A strategy measures an absolute stop distance
    (e.g. 2 x ATR) on its own, adjusted prices; the engine fills and tests stops on as-traded
    prices, so the distance is carried to that scale (half as large before a 2:1 split)."""
    if panel.bars.close is panel.trade_close or panel.adjustment != "events":
        return None
    with np.errstate(divide="ignore", invalid="ignore"):
        ratio = panel.trade_close / panel.bars.close
    ratio = np.where(np.isfinite(ratio) & (ratio > 0), ratio, 1.0)
    if fill == "next_open":
        ratio = np.vstack([ratio[1:], ratio[-1:]])
    return as_block(ratio)


def _flag_block(a: np.ndarray | None, shape: tuple[int, int]) -> np.ndarray:
    if a is None:
        return np.zeros(shape, dtype=np.bool_)
    if a.shape != shape:
        raise ConfigError(f"signal array has shape {a.shape}, expected {shape}", field="signals")
    return as_block(a, np.bool_)


def _optional(a: np.ndarray | None, shape: tuple[int, int]) -> tuple[np.ndarray, bool]:
    if a is None:
        return np.full((1, 1), np.nan), False
    if a.shape != shape:
        raise ConfigError(f"signal array has shape {a.shape}, expected {shape}", field="signals")
    return as_block(a), True


def _max_hold(run: int | None, strategy: int | None) -> int:
    """The tighter of the run's and the strategy's time exit; 0 for none."""
    held = [h for h in (run, strategy) if h]
    return min(held) if held else 0


def _record_capacity(signals: Signals, has_exit_fraction: bool, n_cols: int) -> int:
    """An upper bound on fills: each entry needs an entry signal and is closed at most once, plus
    one fill per scale-out signal."""
    entries = int(np.count_nonzero(signals.long_entry)) + int(np.count_nonzero(signals.short_entry))
    partials = int(np.count_nonzero(signals.exit_fraction > 0)) if has_exit_fraction else 0
    # A rebalance row can move every weighted column, each with up to two fills (flip sides).
    weights = (
        0
        if signals.target_weight is None
        else int(np.count_nonzero(np.isfinite(signals.target_weight)))
    )
    return 2 * entries + partials + min(2 * weights, 100_000) + 7 * n_cols + 64


def _trade_volume(panel: Panel) -> np.ndarray:
    """Volume in as-traded shares: the panel's volume is adjusted (volume / factor) like its prices."""
    with np.errstate(invalid="ignore", divide="ignore"):
        return as_block(panel.bars.volume * panel.bars.close / panel.trade_close)


def simulate(panel: Panel, signals: Signals, settings: EngineSettings) -> EngineResult:
    """Run the kernel over ``panel`` with ``signals`` (shape (bars, symbols))."""
    shape = panel.trade_close.shape
    n_cols = shape[1]
    if settings.sizing_mode not in _SIZING:
        raise ConfigError(
            f"sizing mode {settings.sizing_mode!r} is not supported by the engine; "
            f"choose one of {sorted(_SIZING)}",
            field="sizing.mode",
        )
    if settings.sizing_mode not in _NO_VALUE and settings.sizing_value is None:
        raise ConfigError(
            f"sizing mode {settings.sizing_mode!r} needs a value", field="sizing.value"
        )
    check_margin(settings.leverage, settings.maintenance_margin)
    check_risk_rule(settings.risk_rules)
    risk = settings.risk_rules.as_kernel() if settings.risk_rules else np.zeros(4)
    overlay, grid = _overlay(settings)

    size, has_size = _optional(signals.size, shape)
    sl, has_sl = _optional(signals.stop_loss, shape)
    tp, has_tp = _optional(signals.take_profit, shape)
    tr, has_tr = _optional(signals.trail, shape)
    xf, has_xf = _optional(signals.exit_fraction, shape)
    pr, has_pr = _optional(signals.priority, shape)
    tw, has_tw = _optional(signals.target_weight, shape)
    has_stops = has_sl or has_tp or has_tr
    if has_stops:
        # One flag covers all three levels, so unset ones must be full-size NaN blocks.
        sl = sl if has_sl else np.full(shape, np.nan)
        tp = tp if has_tp else np.full(shape, np.nan)
        tr = tr if has_tr else np.full(shape, np.nan)
        scale = _distance_scale(panel, settings.fill)
        if scale is not None:
            sl = sl * scale if signals.stop_loss_abs else sl
            tp = tp * scale if signals.take_profit_abs else tp
            tr = tr * scale if signals.trail_abs else tr

    # NaN cells (no bar) count as "maybe": the kernel then checks each bar, which is still correct.
    has_actions = bool((panel.split_ratio != 1.0).any() or (panel.dividend != 0.0).any())
    flags = np.array(
        [
            has_size,
            has_stops,
            has_xf,
            has_pr,
            signals.stop_loss_abs,
            signals.take_profit_abs,
            signals.trail_abs,
            settings.fractional,
            settings.allow_short,
            has_actions,
            settings.exits_at_close,
            has_tw,
        ],
        dtype=np.bool_,
    )
    if settings.portfolio == "independent":
        account_of = np.arange(n_cols, dtype=np.int64)
        n_accounts = n_cols
        max_positions = 1
        accounts = panel.symbols
    else:
        account_of = np.zeros(n_cols, dtype=np.int64)
        n_accounts = 1
        max_positions = settings.max_positions or n_cols
        accounts = ("portfolio",)
    if settings.sizing_mode == "risk_parity":
        signals = allocate(panel, signals, settings, account_of, n_accounts)[0]
        flags[0:7] = False  # the allocator consumed sizes, levels, scale-outs and priorities
        flags[11] = True
        size = sl = tp = tr = xf = pr = np.full((1, 1), np.nan)
        tw = as_block(signals.target_weight)

    cost = settings.cost_model or zero_cost_model()
    if len(panel.dates):
        fee_tables, fee_begins = cost.for_sorted_dates(panel.dates)
    else:
        fee_tables, fee_begins = cost.for_dates(panel.dates)[0], np.zeros(1, dtype=np.int64)
    capacity = _record_capacity(signals, has_xf, n_cols)
    while True:
        result = k.simulate(
            as_block(panel.trade_open),
            as_block(panel.trade_high),
            as_block(panel.trade_low),
            as_block(panel.trade_close),
            _trade_volume(panel) if settings.max_participation else np.zeros((1, 1)),
            as_block(panel.split_ratio) if has_actions else np.ones((1, 1)),
            as_block(panel.dividend) if has_actions else np.zeros((1, 1)),
            _flag_block(signals.long_entry, shape),
            _flag_block(signals.long_exit, shape),
            _flag_block(signals.short_entry, shape),
            _flag_block(signals.short_exit, shape),
            size,
            sl,
            tp,
            tr,
            xf,
            pr,
            tw,
            flags,
            account_of,
            n_accounts,
            k.last_bar_index(as_block(panel.trade_close)),
            float(settings.initial_cash),
            k.CLOSE if settings.fill == "close" else k.NEXT_OPEN,
            _SIZING[settings.sizing_mode],
            float(settings.sizing_value or 0.0),
            float(settings.lot_size),
            int(max_positions),
            float(settings.max_participation or 1.0),
            settings.slippage_bps / 10_000.0,
            float(settings.leverage),
            settings.borrow_rate / settings.periods_per_year,
            int(_max_hold(settings.max_hold_bars, signals.max_hold)),
            as_block(fee_tables),
            as_block(fee_begins, np.int64),
            capacity,
            float(settings.rebalance_threshold),
            maintenance_margin(settings.leverage, settings.maintenance_margin),
            risk,
            overlay,
            grid,
        )
        if not result[-1]:
            break
        capacity *= 4  # a rebalancing strategy traded more than estimated: run again with room
    equity, cash, exposure, fills, trades, skips, open_pos, ruined_at, halted, _ = result
    return EngineResult(
        dates=panel.dates,
        symbols=panel.symbols,
        accounts=tuple(accounts),
        equity=equity,
        cash=cash,
        exposure=exposure,
        fills=_fills_frame(fills, panel),
        trades=_trades_frame(trades, panel),
        open_positions=_open_frame(open_pos, panel),
        skipped=_skips_frame(skips, panel),
        fee_lines=cost.line_names,
        ruined_at=ruined_at,
        halted=halted,
    )


def _overlay(settings: EngineSettings) -> tuple[np.ndarray, np.ndarray]:
    """The kernel's ``overlay`` and ``overlay_grid`` for the trade-history sizers (zeros and an
    empty grid for the other modes)."""
    ov = np.zeros(k.N_OVERLAY)
    ov[k.OV_SEED] = float(settings.seed % 2**31)
    if settings.sizing_mode == "kelly":
        kelly = settings.kelly or KellySizing()
        ov[k.OV_MIN_TRADES] = kelly.min_trades
        ov[k.OV_KELLY_MULT] = kelly.multiplier
        ov[k.OV_CAP] = kelly.cap
        return ov, np.zeros(0)
    if settings.sizing_mode == "monte_carlo":
        mc = settings.monte_carlo or MonteCarloSizing()
        ov[k.OV_MIN_TRADES] = mc.min_trades
        ov[k.OV_MC_BUDGET] = mc.max_drawdown
        ov[k.OV_MC_PCT] = mc.percentile
        ov[k.OV_MC_RESAMPLES] = mc.resamples
        ov[k.OV_MC_HORIZON] = mc.horizon
        return ov, np.array(sorted(mc.fractions), dtype=np.float64)
    return ov, np.zeros(0)


def allocate(
    panel: Panel,
    signals: Signals,
    settings: EngineSettings,
    account_of: np.ndarray | None = None,
    n_accounts: int = 1,
) -> tuple[Signals, int]:
    """The risk-parity allocator's signals for ``panel`` (engine.allocation): the held set from
    ``signals``, weights from the signal (adjusted) closes. Returns them and the number of held
    (bar, symbol) cells on rebalance rows left at weight 0 for want of a full window."""
    if signals.target_weight is not None:
        raise ConfigError(
            "sizing mode risk_parity weights the symbols the strategy's entries and exits hold; "
            "this strategy returns its own target weights (use sizing mode target_weight)",
            field="sizing.mode",
        )
    rp = settings.risk_parity or RiskParitySizing()
    n_cols = panel.bars.close.shape[1]
    if account_of is None:
        account_of = np.zeros(n_cols, dtype=np.int64)
    return risk_parity_signals(
        panel.bars.close,
        signals,
        account_of,
        n_accounts,
        rp.method,
        rp.window,
        rp.rebalance_bars,
        settings.allow_short,
    )


def _decode(codes: np.ndarray, names: tuple[str, ...] | list[str]) -> pl.Expr:
    """An expression turning integer codes into their names (vectorised in polars)."""
    return pl.lit(pl.Series(codes.astype(np.int64))).replace_strict(
        list(range(len(names))), list(names), return_dtype=pl.Utf8
    )


def _time(bars: np.ndarray, panel: Panel) -> pl.Series:
    return pl.Series(panel.dates[bars.astype(np.int64)]).cast(pl.Datetime("ns"))


def _fills_frame(f: np.ndarray, panel: Panel) -> pl.DataFrame:
    return pl.DataFrame(
        {
            "time": _time(f[:, 0], panel),
            "bar": f[:, 0].astype(np.int64),
        }
    ).with_columns(
        symbol=_decode(f[:, 1], panel.symbols),
        side=_decode((f[:, 2] < 0).astype(np.int64), ("buy", "sell")),
        qty=pl.lit(pl.Series(np.abs(f[:, 2]))),
        price=pl.lit(pl.Series(f[:, 3])),
        fees=pl.lit(pl.Series(f[:, 4])),
        reason=_decode(f[:, 5], k.REASONS),
    )


def _price_basis(
    panel: Panel, col: np.ndarray, entry: np.ndarray, exit_: np.ndarray
) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """For positions of symbol ``col`` filled at bar ``entry`` and held to bar ``exit_``:
    (R, f_entry, f_exit). R is the product of the split ratios applied while held (the engine
    carries a position's entry price and quantity across a split, so its entry price is the fill
    divided by R); f is the factor from as-traded to signal prices at a bar (1 where they are the
    same), which puts a fill on the price scale the strategy and the adjusted chart use."""
    if entry.size == 0:
        empty = np.ones(0)
        return empty, empty, empty
    # Only the traded columns, and only the bars the fills are on: the same numbers as over the
    # whole panel (each column's sum runs down its own rows), at the cost of the trades.
    used, at = np.unique(col, return_inverse=True)
    splits = panel.split_ratio[:, used]
    if (splits == 1.0).all():
        ratio = np.ones(entry.size)  # exp(0 - 0)
    else:
        logs = np.cumsum(np.log(splits), axis=0)
        ratio = np.exp(logs[exit_, at] - logs[entry, at])
    return ratio, _factor(panel, entry, col), _factor(panel, exit_, col)


def _factor(panel: Panel, bar: np.ndarray, col: np.ndarray) -> np.ndarray:
    """Signal / as-traded close at (bar, col), 1 where either is missing or not positive."""
    traded = panel.trade_close[bar, col]
    with np.errstate(divide="ignore", invalid="ignore"):
        factor = np.where(traded > 0, panel.bars.close[bar, col] / traded, np.nan)
    return np.where(np.isfinite(factor), factor, 1.0)


def _trades_frame(tr: np.ndarray, panel: Panel) -> pl.DataFrame:
    col, entry, exit_ = (tr[:, i].astype(np.int64) for i in (0, 2, 3))
    held_splits, f_entry, f_exit = _price_basis(panel, col, entry, exit_)
    gross = tr[:, 7]
    fees = tr[:, 8]
    divs = tr[:, 9]
    net = gross - fees + divs
    entry_value = tr[:, 4] * tr[:, 6]
    with np.errstate(divide="ignore", invalid="ignore"):
        ret = np.where(entry_value > 0, net / entry_value, np.nan)
    base = pl.DataFrame({"entry_time": _time(tr[:, 2], panel)})
    return base.select(
        symbol=_decode(tr[:, 0], panel.symbols),
        direction=_decode((tr[:, 1] < 0).astype(np.int64), ("long", "short")),
        entry_time=pl.col("entry_time"),
        exit_time=pl.lit(_time(tr[:, 3], panel)),
        entry_bar=pl.lit(pl.Series(tr[:, 2].astype(np.int64))),
        exit_bar=pl.lit(pl.Series(tr[:, 3].astype(np.int64))),
        # The fills as they happened: a split while held does not rewrite the entry.
        entry_price=pl.lit(pl.Series(tr[:, 4] * held_splits)),
        exit_price=pl.lit(pl.Series(tr[:, 5])),
        qty=pl.lit(pl.Series(tr[:, 6] / held_splits)),
        exit_qty=pl.lit(pl.Series(tr[:, 6])),
        # The same trade on the signal (adjusted) price scale, where the adjusted chart draws it.
        entry_price_adj=pl.lit(pl.Series(tr[:, 4] * held_splits * f_entry)),
        exit_price_adj=pl.lit(pl.Series(tr[:, 5] * f_exit)),
        qty_adj=pl.lit(pl.Series(tr[:, 6] / held_splits / f_entry)),
        pnl_gross=pl.lit(pl.Series(gross)),
        fees=pl.lit(pl.Series(fees)),
        dividends=pl.lit(pl.Series(divs)),
        pnl_net=pl.lit(pl.Series(net)),
        return_pct=pl.lit(pl.Series(ret)),
        exit_reason=_decode(tr[:, 10], k.REASONS),
        bars_held=pl.lit(pl.Series(tr[:, 11].astype(np.int64))),
        account=pl.lit(pl.Series(tr[:, 12].astype(np.int64))),
    )


def _open_frame(op: np.ndarray, panel: Panel) -> pl.DataFrame:
    qty = op[:, 1]
    col, entry = op[:, 0].astype(np.int64), op[:, 2].astype(np.int64)
    last = np.full_like(entry, panel.trade_close.shape[0] - 1)
    held_splits, f_entry, _ = _price_basis(panel, col, entry, last)
    return pl.DataFrame(
        {
            "entry_time": _time(op[:, 2], panel),
        }
    ).select(
        symbol=_decode(op[:, 0], panel.symbols),
        direction=_decode((qty < 0).astype(np.int64), ("long", "short")),
        qty=pl.lit(pl.Series(np.abs(qty))),
        entry_time=pl.col("entry_time"),
        entry_price=pl.lit(pl.Series(op[:, 3] * held_splits)),
        entry_qty=pl.lit(pl.Series(np.abs(qty) / held_splits)),
        entry_price_adj=pl.lit(pl.Series(op[:, 3] * held_splits * f_entry)),
        mark_price=pl.lit(pl.Series(op[:, 4])),
        unrealized_pnl=pl.lit(pl.Series((op[:, 4] - op[:, 3]) * qty - op[:, 5] + op[:, 6])),
    )


def _skips_frame(s: np.ndarray, panel: Panel) -> pl.DataFrame:
    return pl.DataFrame({"time": _time(s[:, 0], panel)}).with_columns(
        symbol=_decode(s[:, 1], panel.symbols),
        reason=_decode(s[:, 2], k.SKIP_REASONS),
    )
