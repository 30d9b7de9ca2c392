"""Every registered strategy, checked the same way, so a new one needs only its own rule test:

- its declaration is complete (metadata, bounded parameters, display series) and, for the shipped
  catalogue, matches the catalogue spec (name, version, category, direction, parameters, bounds,
  defaults, warm-up);
- bad parameters are refused naming the field, the declared rules (``below=``) included;
- it is causal: signals and display series on bars[0..t) equal the full history's (many t);
- with its defaults it trades on the sample data (or fails naming the data it lacks, and then
  trades on generated data of that kind), and every stop, target, trail or time stop its signals
  declare really ends some trade with that exit reason;
- its display series are the ones it declares, with the bars' shape.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import functools
import os
import re
import tempfile
from collections.abc import Iterator
from dataclasses import replace
from pathlib import Path
from typing import Any

import guide_example  # noqa: F401 -- registers the guide's strategy, checked here like any other
import numpy as np
import polars as pl
import pytest

from ava_backtest.data.earnings import earnings_sessions, save_earnings
from ava_backtest.data.intraday import (
    intraday_extras,
    is_intraday_need,
    required_minutes,
    synthetic_intraday_panel,
)
from ava_backtest.data.options import (
    CHAIN,
    IV,
    options_extras,
    save_table,
    synthetic_implied_volatility,
    synthetic_options_chain,
)
from ava_backtest.data.options import NEEDS as OPTIONS_NEEDS
from ava_backtest.data.positioning import NEEDS as POSITIONING_NEEDS
from ava_backtest.data.positioning import (
    OI,
    PCR,
    positioning_extras,
    synthetic_open_interest,
    synthetic_put_call_ratio,
)
from ava_backtest.domain.bars import Bars, Panel
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import DataError, ParameterError
from ava_backtest.runs.execute import (
    BacktestResult,
    load_run_panel,
    run_backtest,
    timed_for_engine,
    with_required_data,
)
from ava_backtest.strategies import Strategy, all_strategies, register
from ava_backtest.strategies.evaluate import compute_signals
from ava_backtest.strategies.lookahead import check_lookahead
from ava_backtest.strategies.spec import spec_for, spec_warmup, warmup_formula

CLASSES: dict[str, type[Strategy]] = dict(all_strategies())
NAMES = sorted(CLASSES)
SHIPPED = sorted(
    n for n, c in CLASSES.items() if c.__module__.startswith("ava_backtest.strategies.builtin")
)
SPEC_TYPES = {
    "integer": "int",
    "number": "float",
    "number|null": "float",
    "boolean": "bool",
    "string": "str",
}
TESTS = Path(__file__).resolve().parent
EXIT_REASON = {"stop_loss": "stop_loss", "take_profit": "take_profit", "trail": "trailing_stop"}
OTHER_SIDE: dict[str, dict[str, Any]] = {
    "earnings_gap_fade": {"direction": "both"},
    "orb_breakout": {"allow_short": True},
}
"""Long/short designs whose catalogue defaults trade one side only (the spec's default): the
other side must trade with these parameters, on the same data."""


def strategy_class(name: str) -> type[Strategy]:
    """The class collected for ``name``, registered again (another test may have reloaded)."""
    cls = CLASSES[name]
    register(cls)
    return cls


@functools.cache
def sample_bars(name: str) -> Bars:
    """The sample's bars with the strategy's data needs, or, where the sample lacks them
    (earnings dates, intraday bars), generated data of that kind."""
    strategy = strategy_class(name)()
    cfg = RunConfig(strategy_name=name, universe="us_sample")
    panel, _ = load_run_panel(cfg, strategy)
    try:
        return with_required_data(strategy, panel, "US")
    except DataError:
        return generated_case(name)[1]


@functools.cache
def smoke_run(name: str) -> BacktestResult:
    """A run with the defaults on the US sample: what a new user's first click does."""
    strategy_class(name)
    return run_backtest(RunConfig(strategy_name=name, universe="us_sample"))


def test_the_suite_covers_the_shipped_catalogue_and_the_guides_example():
    assert len(SHIPPED) >= 9 and "guide_trend_pullback" in NAMES


@pytest.mark.parametrize("name", NAMES)
def test_declaration_is_complete(name):
    cls = strategy_class(name)
    assert re.fullmatch(r"\d+\.\d+\.\d+", cls.version), cls.version
    assert cls.category and cls.description.strip()
    assert cls.direction in ("long_only", "long_short", "short_only")
    assert cls.display is not None, "declare display series (an empty tuple if there are none)"
    shown = [d.name for d in cls.display]
    assert len(shown) == len(set(shown)), f"display names repeat: {shown}"
    for pname, p in cls.parameters.items():
        if p.kind in ("int", "float"):
            assert p.minimum is not None and p.maximum is not None, f"{pname} needs bounds"
            if p.default is not None:
                assert p.minimum <= p.default <= p.maximum, pname
    cls.describe()  # labels format with the defaults; levels name real parameters


@pytest.mark.parametrize("name", SHIPPED)
def test_matches_the_catalogue_spec(name):
    cls = strategy_class(name)
    spec = spec_for(name)
    assert spec is not None, (
        f"{name} is not in the catalogue spec (src/ava_backtest/strategies/spec)"
    )
    assert (cls.version, cls.category) == (str(spec["version"]), spec["category"])
    assert (cls.direction, cls.timeframe) == (spec["direction"], spec["timeframe"])
    names = [p["name"] for p in spec["params"]]
    added = [n for n in cls.parameters if n not in names]
    assert list(cls.parameters)[: len(names)] == names, "the spec's parameters, in its order"
    for n in added:  # a parameter Ava adds is explained where the strategy is
        assert n in (cls.__doc__ or ""), f"{n} is not in the spec; say why in the docstring"
    for p in spec["params"]:
        param = cls.parameters[p["name"]]
        assert param.kind == SPEC_TYPES.get(p["type"], "choice"), p["name"]
        assert param.default == p["default"], p["name"]
        for bound, key in ((param.minimum, "min"), (param.maximum, "max")):
            if p.get(key) is not None:  # Ava's own bounds only where the spec gives none
                assert bound == p[key], f"{p['name']} {key}"
    strategy = cls()
    if warmup_formula(spec) is not None:
        assert strategy.warmup() == spec_warmup(spec, strategy.params)


def _bad_values(p: Any) -> list[Any]:
    if p.kind == "bool":
        return ["maybe", 3]
    if p.kind == "choice":
        return ["__not_a_choice__"]
    if p.kind == "str":
        return [12]
    out: list[Any] = ["abc", True, p.minimum - 1, p.maximum + 1]
    if p.kind == "int":
        out.append(p.minimum + 0.5)
    return out


@pytest.mark.parametrize("name", NAMES)
def test_bad_parameters_are_refused_naming_the_field(name):
    cls = strategy_class(name)
    for pname, p in cls.parameters.items():
        for value in _bad_values(p):
            with pytest.raises(ParameterError) as err:
                cls(**{pname: value})
            assert err.value.field == f"params.{pname}", (pname, value)
        if p.below or p.above:
            # Both values inside their bounds, breaking only the declared rule.
            o = cls.parameters[p.below or p.above]
            mine, theirs = (p.maximum, o.minimum) if p.below else (p.minimum, o.maximum)
            breaks = mine >= theirs if p.below else mine <= theirs
            if breaks:
                with pytest.raises(ParameterError) as err:
                    cls(**{pname: mine, o.name: theirs})
                assert err.value.field == f"params.{pname}"
                assert "must be" in err.value.message and o.name in err.value.message
    with pytest.raises(ParameterError) as err:
        cls(no_such_parameter=1)
    assert err.value.field == "params.no_such_parameter"


@pytest.mark.parametrize("name", NAMES)
def test_no_lookahead_in_signals_or_display_series(name):
    strategy = strategy_class(name)()
    report = check_lookahead(strategy, sample_bars(name), points=12)
    assert report.ok, str(report.first_difference)


@pytest.mark.parametrize("name", NAMES)
def test_display_series_are_the_declared_ones_with_the_bars_shape(name):
    cls = strategy_class(name)
    bars = sample_bars(name)
    sig = compute_signals(cls(), bars)
    assert set(sig.series) == {d.name for d in cls.display or ()}
    for key, values in sig.series.items():
        assert values.shape == bars.close.shape, key
        assert np.isfinite(values).any(), f"{key} is never defined on the sample"


def _generated(need: str, bars: Bars) -> dict[str, np.ndarray]:
    """Generated data of a kind the sample lacks, for strategies that need it: ``bars.extra``
    entries, as the data layer would supply them."""
    rng = np.random.default_rng(7)
    if need in ("benchmark", "benchmark_symbol"):
        return {need: 100.0 * np.exp(np.cumsum(rng.normal(0.0003, 0.01, bars.n_bars)))}
    if need == "vix":
        return {need: np.clip(18.0 + np.cumsum(rng.normal(0.0, 1.0, bars.n_bars)) * 0.3, 9, 80)}
    if need == "earnings":
        # An earnings table built here, shaped like a real one: one announcement a quarter per
        # symbol, its reaction session the quarter's heaviest-volume session (where earnings
        # reactions usually are), reported alternately before the open (that session) and after
        # the previous close; stored and read back through the data layer.
        days = bars.dates.astype("datetime64[D]")
        quarter = days.astype("datetime64[M]").astype(np.int64) // 3
        rows = []
        for j, sym in enumerate(bars.symbols):
            vol = np.nan_to_num(bars.volume[:, j], nan=-1.0)
            for i, q in enumerate(np.unique(quarter)):
                at = np.flatnonzero(quarter == q)
                k = int(at[np.argmax(vol[at])])
                if vol[k] > 0 and k > 0:
                    bmo = (i + j) % 2 == 0
                    rows.append((sym, days[k if bmo else k - 1].item(), "bmo" if bmo else "amc"))
        table = pl.DataFrame(
            rows, schema={"symbol": pl.String, "date": pl.Date, "time": pl.String}, orient="row"
        ).with_columns(eps_estimate=pl.lit(None, pl.Float64), eps_actual=pl.lit(None, pl.Float64))
        with tempfile.TemporaryDirectory() as home, _ava_home(home):
            save_earnings("US", table, "suite_earnings.csv")
            return {need: earnings_sessions("US", bars.symbols, bars.dates)}
    if is_intraday_need(need):
        return intraday_extras(need, bars.dates, "US", "the suite")
    if need in OPTIONS_NEEDS:
        # A generated options chain / IV history (data.options), stored and read back through
        # the data layer as an upload would be.
        kind, make = {
            "options_chain": (CHAIN, synthetic_options_chain),
            "implied_volatility": (IV, synthetic_implied_volatility),
        }[need]
        with tempfile.TemporaryDirectory() as home, _ava_home(home):
            save_table(kind, "US", make(bars.symbols, bars.dates, bars.close), "suite.csv")
            return options_extras(need, "US", bars.symbols, bars.dates, who="the suite")
    if need in POSITIONING_NEEDS:
        # A generated put/call ratio / open interest by strike (data.positioning), stored and
        # read back through the data layer as an upload would be.
        kind, make = {
            "put_call_ratio": (PCR, synthetic_put_call_ratio),
            "open_interest": (OI, synthetic_open_interest),
        }[need]
        with tempfile.TemporaryDirectory() as home, _ava_home(home):
            save_table(kind, "US", make(bars.symbols, bars.dates, bars.close), "suite.csv")
            return positioning_extras(need, "US", bars.symbols, bars.dates, who="the suite")
    raise AssertionError(f"add a generator for {need!r} to the registry suite")


@contextlib.contextmanager
def _ava_home(path: str) -> Iterator[None]:
    old = os.environ.get("AVA_HOME")
    os.environ["AVA_HOME"] = path
    try:
        yield
    finally:
        if old is None:
            os.environ.pop("AVA_HOME", None)
        else:
            os.environ["AVA_HOME"] = old


def _intraday_minutes(cls: type[Strategy]) -> int | None:
    wanted = [required_minutes(n) or 15 for n in cls().requires if is_intraday_need(n)]
    return min(wanted) if wanted else None


@functools.cache
def generated_case(name: str) -> tuple[Panel, Bars]:
    """Data of the kinds the sample lacks: intraday bars from the synthetic generator on the US
    session calendar (three symbols, six months) or the sample's bars, plus generated extras."""
    cls = strategy_class(name)
    strategy = cls()
    minutes = _intraday_minutes(cls)
    if minutes is not None:
        panel = synthetic_intraday_panel(
            ("SYNA", "SYNB", "SYNC"), "US", dt.date(2024, 1, 2), dt.date(2024, 6, 28), minutes
        )
    else:
        panel, _ = load_run_panel(RunConfig(strategy_name=name, universe="us_sample"), strategy)
    extra: dict[str, np.ndarray] = {}
    for need in strategy.requires:
        extra.update(_generated(need, panel.bars))
    return panel, replace(panel.bars, extra=extra)


def _exit_reasons(name: str) -> tuple[set[str], Any]:
    """Exit reasons (and ``side:short`` / ``side:long`` for the sides traded) of the defaults' run
    on the sample, and the signals behind it."""
    cls = strategy_class(name)
    try:
        result = smoke_run(name)
    except DataError as e:
        assert any(need in e.message or need == e.field for need in cls.requires), e.message
        uploads = ("earnings", *OPTIONS_NEEDS, *POSITIONING_NEEDS)
        if any(n in uploads or is_intraday_need(n) for n in cls.requires):
            # ... and how to provide it: the upload endpoint and the documented format.
            assert "POST /api/v2/data/" in e.message and "docs/data.md" in e.message, e.message
        return _run_on_generated(cls)
    reasons = _reasons(result.trades)
    assert result.trades.height >= 1, f"{name} made no trade on the US sample with its defaults"
    assert np.isfinite(result.equity).all()
    if name in OTHER_SIDE:
        other = run_backtest(
            RunConfig(strategy_name=name, universe="us_sample", params=OTHER_SIDE[name])
        )
        reasons |= _reasons(other.trades)
    return reasons, compute_signals(cls(), sample_bars(name))


def _run_on_generated(cls: type[Strategy]) -> tuple[set[str], Any]:
    """The defaults' run on generated data (placed and filled as a run places them), plus the
    other side's run for a long/short design whose defaults trade one side only."""
    from ava_backtest.engine.backtest import EngineSettings, simulate

    panel, bars = generated_case(cls.name)
    reasons: set[str] = set()
    sig = None
    for params in ({}, *([OTHER_SIDE[cls.name]] if cls.name in OTHER_SIDE else [])):
        strategy = cls(**params)
        computed = compute_signals(strategy, bars)
        settings = EngineSettings(
            max_positions=bars.n_symbols,
            allow_short=strategy.direction != "long_only",
            exits_at_close=strategy.exit_at == "close",
        )
        result = simulate(panel, timed_for_engine(strategy, computed), settings)
        assert result.trades.height >= 1, f"{cls.name} {params} made no trade on generated data"
        reasons |= _reasons(result.trades)
        sig = sig or computed
    return reasons, sig


def _reasons(trades: Any) -> set[str]:
    return set(trades["exit_reason"].to_list()) | {
        f"side:{s}" for s in trades["direction"].to_list()
    }


@pytest.mark.parametrize("name", NAMES)
def test_trades_with_its_defaults_and_its_declared_exits_happen(name):
    reasons, sig = _exit_reasons(name)
    cls = strategy_class(name)
    declared = [r for a, r in EXIT_REASON.items()
                if getattr(sig, a) is not None and np.isfinite(getattr(sig, a)).any()]  # fmt: skip
    if sig.max_hold is not None:
        declared.append("max_hold")
    for reason in declared:
        if reason in cls.rare_exits:
            # Declared rare on this data, with the reason; its own rule test must then show it.
            rule_test = TESTS / f"test_builtin_{name}.py"
            assert rule_test.exists() and reason in rule_test.read_text(), (
                f"{reason} is declared rare; {rule_test.name} must show it ending a trade"
            )
            continue
        assert reason in reasons, f"{reason} is declared but no trade ended by it on the sample"
    direction = strategy_class(name).direction
    if direction != "long_only":
        assert "side:short" in reasons, f"{direction} but no short trade (defaults, OTHER_SIDE)"
    if direction != "short_only":
        assert "side:long" in reasons, f"{direction} but no long trade (defaults, OTHER_SIDE)"
