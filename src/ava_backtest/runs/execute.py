"""One backtest, end to end: config -> data -> signals -> engine -> metrics.

The same function serves the library, the CLI and the API's workers, so a result never depends
on which door the request came through.
"""

from __future__ import annotations

import datetime as dt
import time
from collections.abc import Callable
from dataclasses import dataclass, field, fields, replace
from typing import Any

import numpy as np
import polars as pl

import ava_backtest
from ava_backtest.analytics.metrics import benchmark_window, compute_metrics, drawdown_series
from ava_backtest.analytics.trade_stats import TradeStats
from ava_backtest.data.earnings import earnings_sessions
from ava_backtest.data.intraday import intraday_extras, is_intraday_need
from ava_backtest.data.options import NEEDS as OPTIONS_NEEDS
from ava_backtest.data.options import options_extras
from ava_backtest.data.panel import LoadInfo, load_panel_with_info, reference_close
from ava_backtest.data.positioning import NEEDS as POSITIONING_NEEDS
from ava_backtest.data.positioning import positioning_extras
from ava_backtest.data.sentiment import SENTIMENT, sentiment_panel
from ava_backtest.data.universes import Universe, get_universe
from ava_backtest.domain.bars import Bars, Panel
from ava_backtest.domain.config import NO_BENCHMARK, RiskRules, RunConfig, Sizing
from ava_backtest.domain.errors import AvaError, ConfigError, DataError, NotFoundError
from ava_backtest.domain.signals import ENTRY_SIDE, EXIT_SIDE, Signals
from ava_backtest.engine.backtest import (
    EngineResult,
    EngineSettings,
    RiskRule,
    allocate,
    maintenance_margin,
    simulate,
)
from ava_backtest.markets import get_market
from ava_backtest.markets.costs import CostModel, cost_model
from ava_backtest.runs.square_off import square_off
from ava_backtest.strategies.base import Strategy
from ava_backtest.strategies.calendar_features import sessions_to_holiday
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.registry import get_strategy

Progress = Callable[[float, str], None]


@dataclass(slots=True)
class BacktestResult:
    """A finished run: its inputs, what it traded, and how it did."""

    config: RunConfig
    strategy: dict[str, Any]
    params: dict[str, Any]
    symbols: tuple[str, ...]
    dates: np.ndarray
    equity: np.ndarray  # (T,) portfolio equity; summed over accounts in independent mode
    cash: np.ndarray
    exposure: np.ndarray  # gross exposure / equity
    benchmark: np.ndarray | None  # benchmark rebased to the equity where both first exist
    engine: EngineResult
    metrics: dict[str, Any]
    currency: str
    synthetic: bool
    effective_start: dt.date
    data_fingerprint: str
    code_version: str
    notes: list[str] = field(default_factory=list)
    timings: dict[str, float] = field(default_factory=dict)

    @property
    def trades(self) -> pl.DataFrame:
        return self.engine.trades

    @property
    def fills(self) -> pl.DataFrame:
        return self.engine.fills

    @property
    def open_positions(self) -> pl.DataFrame:
        return self.engine.open_positions

    def equity_frame(self) -> pl.DataFrame:
        cols: dict[str, Any] = {
            "date": pl.Series(self.dates).cast(pl.Date),
            "equity": self.equity,
            "cash": self.cash,
            "drawdown": drawdown_series(self.equity),
            "exposure": self.exposure,
        }
        if self.benchmark is not None:
            cols["benchmark"] = self.benchmark
        return pl.DataFrame(cols)

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready: the full result."""
        return {
            "config": self.config.model_dump(mode="json"),
            "strategy": self.strategy,
            "params": self.params,
            "symbols": list(self.symbols),
            "currency": self.currency,
            "synthetic": self.synthetic,
            "fill": self.config.fill,
            "effective_start": self.effective_start.isoformat(),
            "data_fingerprint": self.data_fingerprint,
            "code_version": self.code_version,
            "notes": self.notes,
            "metrics": self.metrics,
            "timings_ms": {k: round(v * 1000, 3) for k, v in self.timings.items()},
            "trades": _records(self.trades),
            "open_positions": _records(self.open_positions),
            "skipped_entries": _records(self.engine.skipped),
            "equity_curve": _records(self.equity_frame()),
        }


def _records(df: pl.DataFrame) -> list[dict[str, Any]]:
    out = df.with_columns(
        [
            pl.col(c).dt.strftime("%Y-%m-%d")
            for c, t in df.schema.items()
            if t in (pl.Date, pl.Datetime("ns"))
        ]
    )
    return out.to_dicts()


def resolve_symbols(
    config: RunConfig, universe: Universe | None = None
) -> tuple[list[str], str | None, bool]:
    """(symbols, default benchmark, synthetic) for the config's universe or symbol list.
    ``universe``: the config's universe already resolved (a user's, from the run store)."""
    if config.universe is not None:
        u = universe if universe is not None else get_universe(config.universe)
        if u.market != config.market:
            raise ConfigError(
                f"universe {config.universe!r} belongs to market {u.market}, not {config.market}",
                field="market",
            )
        if u.synced:  # sp500, nifty50, ...: members with synced bars, or the sync command
            from ava_backtest.data.universe_members import run_members

            members = run_members(u.name, config.start_date, config.end_date)
            return list(members), u.benchmark, u.synthetic
        return list(u.symbols), u.benchmark, u.synthetic
    assert config.symbols is not None
    return list(config.symbols), None, False


def run_cost_model(config: RunConfig) -> CostModel | None:
    """The config's cost model; an exchange the market does not have names ``costs.exchange``."""
    if config.costs.model != "market":
        return None
    try:
        return cost_model(config.market, config.costs.product, config.costs.exchange)
    except NotFoundError as e:
        if e.kind != "exchange":
            raise
        raise ConfigError(
            f"market {config.market} has no exchange {e.name!r}; "
            f"use one of {', '.join(e.details['available'])}",  # type: ignore[index]
            field="costs.exchange",
        ) from None


def run_sizing(config: RunConfig, strategy: Strategy | None) -> Sizing:
    """The sizing a run uses: its own, or, when it is left at the default, the strategy's
    declared one (``Strategy.default_sizing``: a sizing-overlay strategy)."""
    if strategy is None or config.sizing != Sizing():
        return config.sizing
    declared = strategy.default_sizing()
    if declared is None:
        return config.sizing
    try:
        return Sizing.model_validate(declared)
    except ValueError as e:  # a strategy's own declaration is at fault, not the user
        raise ConfigError(
            f"strategy {strategy.name!r} declares a sizing that is not valid: {e}",
            field="sizing",
        ) from None


def sizing_note(config: RunConfig, strategy: Strategy) -> str | None:
    """The run's note on a sizing overlay: which, with what options, and whose choice."""
    sizing = run_sizing(config, strategy)
    options = sizing.options()
    if options is None:
        return None
    whose = "the strategy's default sizing" if sizing is not config.sizing else "the run's"
    shown = ", ".join(f"{k}={v}" for k, v in options.model_dump().items())
    return f"sizing={sizing.mode} ({whose}): {shown}; docs/sizing.md"


def engine_settings(
    config: RunConfig, n_symbols: int, allow_short: bool, strategy: Strategy | None = None
) -> EngineSettings:
    market = get_market(config.market)
    cost = run_cost_model(config)
    # The run's risk rules; left out, the strategy's own (a risk-overlay strategy declares one).
    rules = config.risk_rules or (strategy.risk_rules() if strategy is not None else None)
    # Likewise the sizing, when left at the default.
    sizing = run_sizing(config, strategy)
    return EngineSettings(
        initial_cash=config.initial_capital,
        fill=config.fill,
        # Target weights size themselves; any entry signals alongside them use equal slots.
        sizing_mode="equal_slots" if sizing.mode == "target_weight" else sizing.mode,
        sizing_value=sizing.value,
        fractional=sizing.fractional,
        lot_size=market.lot_size,
        max_positions=config.max_positions or n_symbols,
        max_participation=sizing.max_participation,
        kelly=sizing.kelly,
        monte_carlo=sizing.monte_carlo,
        risk_parity=sizing.risk_parity,
        seed=config.seed,
        slippage_bps=config.slippage_bps,
        leverage=config.leverage,
        maintenance_margin=config.maintenance_margin,
        borrow_rate=config.borrow_rate,
        periods_per_year=market.trading_days_per_year,
        allow_short=allow_short,
        max_hold_bars=config.max_hold_bars,
        portfolio=config.portfolio,
        cost_model=cost,
        rebalance_threshold=config.rebalance_threshold,
        risk_rules=None
        if rules is None
        else RiskRule(**RiskRules.model_validate(rules).model_dump()),
    )


def build_strategy(config: RunConfig) -> Strategy:
    cls = get_strategy(config.strategy_name)
    return cls(**config.params)


def benchmark_choice(config: RunConfig, universe_benchmark: str | None) -> tuple[str | None, bool]:
    """(benchmark symbol or None, whether it is a default nobody asked for).

    ``benchmark="none"`` runs without one; a named symbol must cover the run; left out, the
    universe's (else the market's) default is used where it has data and noted where it has none.
    """
    if config.benchmark == NO_BENCHMARK:
        return None, False
    if config.benchmark:
        return config.benchmark, False
    default = universe_benchmark or get_market(config.market).default_benchmark or None
    return default, default is not None


def load_run_panel(
    config: RunConfig, strategy: Strategy, universe: Universe | None = None
) -> tuple[Panel, LoadInfo]:
    """The config's data, with the strategy's warm-up loaded before the start where it exists."""
    symbols, universe_benchmark, _ = resolve_symbols(config, universe)
    benchmark, is_default = benchmark_choice(config, universe_benchmark)
    panel, info = load_panel_with_info(
        config.market,
        symbols,
        config.start_date,
        config.end_date,
        adjustment=config.adjustment,
        warmup_bars=strategy.warmup(),
        benchmark=benchmark,
        benchmark_optional=is_default,
    )
    if panel.benchmark is None or np.isfinite(panel.benchmark[info.first_index :]).any():
        return panel, info
    # Bars in the warm-up only: nothing to compare the traded bars with.
    name = panel.benchmark_symbol
    missing = f"benchmark {name} has no bars between {info.start} and {info.end}"
    if not is_default:
        raise DataError(f"{missing}; name another symbol or none", field="benchmark")
    notes = tuple(n for n in panel.notes if not n.startswith(f"benchmark {name}:"))
    note = f"no benchmark: the default {name} cannot be used ({missing}); set benchmark to compare"
    return replace(panel, benchmark=None, benchmark_symbol=None, notes=(*notes, note)), info


def check_signals(config: RunConfig, strategy: Strategy, signals: Signals) -> None:
    """What the sizing mode needs from the strategy's signals, or a ConfigError naming
    ``sizing.mode`` (never a silent substitute)."""
    mode = run_sizing(config, strategy).mode
    if mode == "risk_parity" and signals.target_weight is not None:
        raise ConfigError(
            f"sizing mode risk_parity weights the symbols the entries and exits hold; "
            f"{strategy.name!r} returns its own target weights (use sizing mode target_weight)",
            field="sizing.mode",
        )
    if mode == "target_weight" and signals.target_weight is None:
        raise ConfigError(
            f"sizing mode target_weight needs a strategy that returns target weights; "
            f"{strategy.name!r} returns entry and exit signals",
            field="sizing.mode",
        )
    if mode == "risk" and (signals.stop_loss is None or not np.isfinite(signals.stop_loss).any()):
        raise ConfigError(
            f"sizing mode risk sizes each entry by its stop distance; {strategy.name!r} returns "
            "no stop_loss with these parameters (choose another sizing mode or set a stop)",
            field="sizing.mode",
        )


def risk_sizing_note(config: RunConfig, signals: Signals) -> str | None:
    """``risk`` sizing with entries that carry no stop: say how many, and how they were sized."""
    if config.sizing.mode != "risk" or signals.stop_loss is None:
        return None
    entries = np.zeros(signals.stop_loss.shape, dtype=bool)
    for side in (signals.long_entry, signals.short_entry):
        if side is not None:
            entries |= side
    missing = int(np.count_nonzero(entries & ~np.isfinite(signals.stop_loss)))
    if not missing:
        return None
    return (
        f"sizing=risk: {missing} of {int(np.count_nonzero(entries))} entry signals carry no stop; "
        "an entry without one is sized with all the buying power left"
    )


def validate_run(config: RunConfig, universe: Universe | None = None) -> Strategy:
    """Everything that can be known before running, as the run itself checks it: strategy and
    parameters, symbols, dates and benchmark against the data, the cost model, the strategy's
    data needs and, for ``risk`` and ``target_weight`` sizing, what its signals carry.
    Raises a domain error naming the field."""
    strategy = build_strategy(config)
    run_cost_model(config)
    panel, _ = load_run_panel(config, strategy, universe)
    bars = with_required_data(strategy, panel, config.market)
    if run_sizing(config, strategy).mode in ("risk", "target_weight", "risk_parity"):
        check_signals(config, strategy, compute_signals(strategy, bars))
    return strategy


def bars_per_year(dates: np.ndarray, days_per_year: int) -> int:
    """Bars in a year of this run: the market's sessions per year for daily bars, times the
    typical number of bars per session for intraday ones (so a 15-minute run's Sharpe ratio and
    volatility are annualised over its bars, not as if each bar were a session)."""
    days = dates.astype("datetime64[D]")
    if not len(dates) or (dates == days.astype(dates.dtype)).all():
        return days_per_year
    per_day = np.unique(days, return_counts=True)[1]
    return int(days_per_year * float(np.median(per_day)))


def portfolio_metrics(
    engine: EngineResult,
    trades: pl.DataFrame,
    run_panel: Panel,
    config: RunConfig,
    accounts: list[int] | None = None,
) -> tuple[dict[str, Any], np.ndarray, np.ndarray, np.ndarray, np.ndarray | None]:
    """(metrics, equity, cash, exposure, benchmark rebased to the equity) of the accounts given
    (all of them by default: one portfolio) with their ``trades``. A sweep asks per account."""
    market = get_market(config.market)
    cols = slice(None) if accounts is None else accounts
    equity = engine.equity[:, cols].sum(axis=1)
    cash = engine.cash[:, cols].sum(axis=1)
    n_accounts = engine.equity.shape[1] if accounts is None else len(accounts)
    initial = config.initial_capital * n_accounts
    gross = engine.exposure[:, cols].sum(axis=1)
    with np.errstate(divide="ignore", invalid="ignore"):
        # Undefined (NaN) only on a close that holds positions with no positive equity.
        exposure = np.where(gross == 0, 0.0, np.where(equity > 0, gross / equity, np.nan))
    bench = run_panel.benchmark
    bench_equity = None
    if bench is not None and np.isfinite(bench).any():
        # Rebased to the strategy's equity on the first bar where both exist: the two curves
        # start together even when the benchmark begins after the run does.
        k = int(np.flatnonzero(np.isfinite(bench))[0])
        bench_equity = bench / bench[k] * equity[k]
    stats = TradeStats(
        pnl_net=trades["pnl_net"].to_numpy(),
        return_pct=trades["return_pct"].to_numpy(),
        bars_held=trades["bars_held"].to_numpy(),
        fees=trades["fees"].to_numpy(),
    )
    ruined = bool((engine.ruined_at[cols] >= 0).any()) if engine.ruined_at.size else False
    metrics: dict[str, Any] = compute_metrics(
        equity,
        run_panel.dates,
        trades=stats,
        exposure=exposure,
        benchmark=bench,
        periods_per_year=bars_per_year(run_panel.dates, market.trading_days_per_year),
        risk_free_rate=config.risk_free_rate,
        initial_capital=initial,
        ruined=ruined,
    )
    metrics.update(benchmark_window(bench, run_panel.dates))
    return metrics, equity, cash, exposure, bench_equity


def run_backtest(
    config: RunConfig, progress: Progress | None = None, *, universe: Universe | None = None
) -> BacktestResult:
    """Run ``config``. Raises a domain error (naming the field) for anything the user got wrong."""
    report = progress or (lambda _f, _m: None)
    timings: dict[str, float] = {}
    t0 = time.perf_counter()
    market = get_market(config.market)
    strategy = build_strategy(config)
    run_cost_model(config)
    symbols, _, _ = resolve_symbols(config, universe)
    report(0.05, f"loading {len(symbols)} symbols")
    panel, info = load_run_panel(config, strategy, universe)
    timings["data"] = time.perf_counter() - t0

    t1 = time.perf_counter()
    report(0.35, "computing signals")
    bars = with_required_data(strategy, panel, config.market)
    vix_note = vix_window_note(strategy, bars, info.first_index)
    reference_note = reference_window_note(strategy, bars, info.first_index)
    signals = timed_for_engine(strategy, compute_signals(strategy, bars))
    signals = square_off(config, strategy, signals, bars.dates)
    check_signals(config, strategy, signals)
    timings["signals"] = time.perf_counter() - t1

    # Warm-up bars decide what is loaded, never what is traded: the engine starts at the start.
    first = info.first_index
    run_panel = _slice_panel(panel, first)
    run_signals = _slice_signals(signals, first)

    t2 = time.perf_counter()
    report(0.6, "simulating")
    allow_short = strategy.direction != "long_only" and (
        market.overnight_short_allowed or config.costs.product == "intraday"
    )
    if strategy.direction != "long_only" and not allow_short:
        report(
            0.6, "shorts are not allowed overnight in this market's cash delivery; entries skipped"
        )
    settings = engine_settings(config, len(symbols), allow_short, strategy)
    if strategy.exit_at == "close":
        settings = replace(settings, exits_at_close=True)
    engine = simulate(run_panel, run_signals, settings)
    timings["engine"] = time.perf_counter() - t2

    t3 = time.perf_counter()
    report(0.85, "computing metrics")
    metrics, equity, cash, exposure, bench_equity = portfolio_metrics(
        engine, engine.trades, run_panel, config
    )
    bench = run_panel.benchmark
    window = benchmark_window(bench, run_panel.dates)
    timings["metrics"] = time.perf_counter() - t3
    timings["total"] = time.perf_counter() - t0
    report(1.0, "done")
    notes = list(panel.notes)
    if vix_note:
        notes.append(vix_note)
    if reference_note:
        notes.append(reference_note)
    if window["benchmark_start"] is not None:
        notes.append(
            f"benchmark {run_panel.benchmark_symbol}: alpha, beta, information ratio and benchmark "
            f"return cover {window['benchmark_start']} .. {window['benchmark_end']} "
            f"({window['benchmark_bars']} of {len(run_panel.dates)} bars)"
        )
    if any(panel.synthetic):
        notes.append("synthetic data: generated prices, not market history")
    if config.fill == "close":
        notes.append("fills at the signal bar's close (fill=close)")
    unstopped = risk_sizing_note(config, run_signals)
    if unstopped:
        notes.append(unstopped)
    overlay = sizing_note(config, strategy)
    if overlay:
        notes.append(overlay)
    notes.extend(overlay_notes(engine, settings, run_panel, run_signals))
    notes.extend(margin_notes(engine, settings))
    notes.extend(risk_rule_notes(engine, settings))
    return BacktestResult(
        config=config,
        strategy=strategy.describe(strategy.params),
        params=strategy.params,
        symbols=panel.symbols,
        dates=run_panel.dates,
        equity=equity,
        cash=cash,
        exposure=exposure,
        benchmark=bench_equity,
        engine=engine,
        metrics=metrics,
        currency=market.currency,
        synthetic=any(panel.synthetic),
        effective_start=info.effective_start,
        data_fingerprint=panel.fingerprint,
        code_version=ava_backtest.__version__,
        notes=notes,
        timings=timings,
    )


def margin_notes(engine: EngineResult, settings: EngineSettings) -> list[str]:
    """What the margin model did: how many trades a margin call closed, and any ruin."""
    out = []
    calls = engine.trades.filter(pl.col("exit_reason") == "margin_call")
    if calls.height:
        mm = maintenance_margin(settings.leverage, settings.maintenance_margin)
        why = f"below {mm:.4g} x gross exposure" if mm > 0 else "at or below zero"
        n = calls.height
        out.append(
            f"margin calls: {n} trade{'s' if n > 1 else ''} closed at the next open after a close "
            f"with equity {why} (exit reason margin_call)"
        )
    for a in np.flatnonzero(engine.ruined_at >= 0):
        when = str(engine.dates[engine.ruined_at[a]])[:10]
        who = "" if len(engine.accounts) == 1 else f" account {engine.accounts[a]}:"
        out.append(
            f"ruined: true;{who} equity reached zero or below at the close of {when}; its "
            "positions closed at the next open and it placed no order after"
        )
    return out


def overlay_notes(
    engine: EngineResult, settings: EngineSettings, run_panel: Panel, run_signals: Signals
) -> list[str]:
    """What a sizing overlay did: entries a learnt fraction of zero skipped, and for the
    allocator, held symbols it could not weigh yet."""
    out = []
    if settings.sizing_mode in ("kelly", "monte_carlo"):
        skipped = int(np.count_nonzero(engine.skipped["reason"] == "no_edge"))
        if skipped:
            out.append(
                f"sizing={settings.sizing_mode}: {skipped} entries skipped because the fraction "
                "learnt from the closed trades was 0 (skip reason no_edge)"
            )
    if settings.sizing_mode == "risk_parity":
        _, unweighted = allocate(run_panel, run_signals, settings)
        if unweighted:
            out.append(
                f"sizing=risk_parity: {unweighted} held symbol-rebalances had no full "
                "covariance window yet and were given weight 0; entries, exits and stops of the "
                "signals decide membership only"
            )
    return out


def risk_rule_notes(engine: EngineResult, settings: EngineSettings) -> list[str]:
    """What the drawdown circuit breaker did: how often it tripped and how long it held."""
    rule = settings.risk_rules
    if rule is None:
        return []
    halted = engine.halted.any(axis=1) if engine.halted.size else np.zeros(0, dtype=bool)
    trips = int(np.count_nonzero(halted & ~np.concatenate([[False], halted[:-1]])))
    closed = int(np.count_nonzero(engine.trades["exit_reason"] == "circuit_breaker"))
    what = f"circuit breaker at a {rule.max_drawdown:.4g} drawdown from the equity peak"
    if not trips:
        return [f"{what}: never tripped"]
    return [
        f"{what}: tripped {trips} time{'s' if trips > 1 else ''}; no entry read on "
        f"{int(np.count_nonzero(halted))} closes"
        + (f"; {closed} trades closed by it (exit reason circuit_breaker)" if closed else "")
    ]


def with_required_data(strategy: Strategy, panel: Panel, market: str) -> Bars:
    """The panel's bars plus the extra series the strategy declared in ``requires``.

    Missing data is an error naming it, never a stand-in: a strategy that needs the VIX does not
    get the stock's own volatility instead. ``earnings`` is a (bars, symbols) array (1.0 on each
    symbol's earnings reaction session, data.earnings); ``market_holidays`` the sessions to the
    next holiday (calendar_features.sessions_to_holiday); ``intraday:15m`` checks that the bars
    are intraday bars of 15 minutes or finer and adds the session clock (data.intraday);
    ``options_chain`` and ``implied_volatility`` come from the user's uploaded tables
    (data.options), ``put_call_ratio`` and ``open_interest`` (by strike) likewise
    (data.positioning); ``sentiment`` the synced news-sentiment score, from the bar after each
    snapshot (data.sentiment). ``benchmark_symbol`` is the close of the symbol the strategy's own
    parameter names (``Strategy.benchmark_parameter``, by default ``benchmark_symbol``).
    """
    extra: dict[str, np.ndarray] = {}
    for need in strategy.requires:
        if need == "benchmark":
            if panel.benchmark is None or not np.isfinite(panel.benchmark).any():
                raise DataError(
                    f"strategy {strategy.name!r} needs a benchmark and this run has none; "
                    "set benchmark (e.g. GSPC for US)",
                    field="benchmark",
                )
            extra["benchmark"] = panel.benchmark
        elif need == "vix":
            try:
                extra["vix"] = reference_close(market, "VIX", panel.dates)
            except AvaError as e:
                raise DataError(
                    f"strategy {strategy.name!r} needs the VIX: {e.message}", field="requires"
                ) from None
        elif need == "benchmark_symbol":
            # The symbol the strategy's own parameter names (``benchmark_parameter``, by default
            # ``benchmark_symbol``), not the run's benchmark: a strategy that says SPY compares
            # with SPY or fails naming it.
            pname = strategy.benchmark_parameter
            symbol = str(strategy.params.get(pname, "")).strip().upper()
            try:
                extra["benchmark_symbol"] = reference_close(market, symbol, panel.dates)
            except AvaError as e:
                raise DataError(
                    f"strategy {strategy.name!r} compares with {symbol} (benchmark_symbol: its "
                    f"{pname} parameter) and {symbol} cannot be used on market {market}: "
                    f"{e.message}; set {pname} to a symbol of the market (e.g. GSPC on us_sample)",
                    field=f"params.{pname}",
                ) from None
        elif need == "earnings":
            extra["earnings"] = earnings_sessions(
                market, panel.symbols, panel.dates, who=f"strategy {strategy.name!r}"
            )
        elif need == "market_holidays":
            extra["market_holidays"] = sessions_to_holiday(panel.dates, market)
        elif is_intraday_need(need):
            extra.update(intraday_extras(need, panel.dates, market, f"strategy {strategy.name!r}"))
        elif need in OPTIONS_NEEDS:
            who = f"strategy {strategy.name!r}"
            extra.update(options_extras(need, market, panel.symbols, panel.dates, who=who))
        elif need in POSITIONING_NEEDS:
            who = f"strategy {strategy.name!r}"
            extra.update(positioning_extras(need, market, panel.symbols, panel.dates, who=who))
        elif need == SENTIMENT:
            who = f"strategy {strategy.name!r}"
            extra[SENTIMENT] = sentiment_panel(market, panel.symbols, panel.dates, who=who)
        else:
            raise DataError(
                f"strategy {strategy.name!r} needs {need!r}, which no configured data source "
                "provides",
                field="requires",
            )
    return replace(panel.bars, extra=extra) if extra else panel.bars


def vix_window_note(strategy: Strategy, bars: Bars, first: int) -> str | None:
    """For a strategy that declares ``vix``: the run's note stating where the VIX covers the run
    (outside it the VIX condition gives no signal), or a DataError naming the VIX when it covers
    none of the run's bars (warm-up excluded)."""
    if "vix" not in strategy.requires or "vix" not in bars.extra:
        return None
    vix = np.asarray(bars.extra["vix"])[first:]
    days = np.asarray(bars.dates[first:], dtype="datetime64[D]")
    have = np.flatnonzero(np.isfinite(vix))
    if len(days) and not len(have):
        raise DataError(
            f"strategy {strategy.name!r} needs the VIX and the VIX has no value between "
            f"{days[0]} and {days[-1]}; choose start and end dates inside the VIX's coverage "
            "(GET /api/v2/data/symbols lists it)",
            field="requires",
        )
    if not len(have):
        return None
    a, b = days[have[0]], days[have[-1]]
    return (
        f"VIX: covers {a} .. {b} of this run ({len(have)} of {len(days)} bars); outside it the "
        f"VIX condition of {strategy.name} gives no signal"
    )


def reference_window_note(strategy: Strategy, bars: Bars, first: int) -> str | None:
    """For a strategy that declares ``benchmark_symbol``: the run's note stating where the symbol
    its parameter names covers the run when that is not the whole run (outside it the comparison
    is undefined), or a DataError naming the symbol when it covers none of the run's bars
    (warm-up excluded)."""
    if "benchmark_symbol" not in strategy.requires or "benchmark_symbol" not in bars.extra:
        return None
    values = np.asarray(bars.extra["benchmark_symbol"])[first:]
    days = np.asarray(bars.dates[first:], dtype="datetime64[D]")
    have = np.flatnonzero(np.isfinite(values))
    if len(have) == len(days):
        return None
    pname = strategy.benchmark_parameter
    symbol = str(strategy.params.get(pname, "")).strip().upper()
    if not len(have):
        raise DataError(
            f"strategy {strategy.name!r} compares with {symbol} (its {pname} parameter) and "
            f"{symbol} has no value between {days[0]} and {days[-1]}; choose dates inside its "
            "coverage (GET /api/v2/data/symbols lists it) or another symbol",
            field=f"params.{pname}",
        )
    a, b = days[have[0]], days[have[-1]]
    return (
        f"{symbol} ({pname}): covers {a} .. {b} of this run ({len(have)} of {len(days)} bars); "
        f"outside it {strategy.name} has no comparison with {symbol}, so no signal that needs one"
    )


def timed_for_engine(strategy: Strategy, signals: Signals) -> Signals:
    """Put ``timing = "open"`` signals where the engine fills them.

    The engine fills orders of bar t-1 at open[t]; a decision taken at open[t] is therefore laid on
    row t-1. Exits move with entries, unless they fill at the bar's own close (``exit_at``).
    """
    if strategy.timing != "open":
        return signals
    names = ENTRY_SIDE + (() if strategy.exit_at == "close" else EXIT_SIDE)
    changes = {}
    for name in names:
        arr = getattr(signals, name)
        if arr is None:
            continue
        moved = np.zeros_like(arr) if arr.dtype == np.bool_ else np.full_like(arr, np.nan)
        moved[:-1] = arr[1:]
        changes[name] = moved
    return replace(signals, **changes)


def _slice_panel(panel: Panel, first: int) -> Panel:
    if first == 0:
        return panel
    b = panel.bars
    if first >= b.n_bars:
        raise DataError("no bars between start_date and end_date", field="start_date")
    bars = replace(
        b,
        dates=b.dates[first:],
        open=b.open[first:],
        high=b.high[first:],
        low=b.low[first:],
        close=b.close[first:],
        volume=b.volume[first:],
        extra={k: v[first:] for k, v in b.extra.items()},
    )
    return replace(
        panel,
        bars=bars,
        trade_open=panel.trade_open[first:],
        trade_high=panel.trade_high[first:],
        trade_low=panel.trade_low[first:],
        trade_close=panel.trade_close[first:],
        split_ratio=panel.split_ratio[first:],
        dividend=panel.dividend[first:],
        benchmark=None if panel.benchmark is None else panel.benchmark[first:],
    )


def _slice_signals(sig: Signals, first: int) -> Signals:
    if first == 0:
        return sig
    changes = {}
    for f in fields(sig):
        v = getattr(sig, f.name)
        if isinstance(v, np.ndarray):
            changes[f.name] = v[first:]
    return replace(sig, **changes)
