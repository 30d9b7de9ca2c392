"""The drawdown circuit breaker (``RunConfig.risk_rules``), on hand-built prices: once equity is
``max_drawdown`` below its peak at a close, nothing opens until the stated resume condition."""

from __future__ import annotations

import numpy as np
import pytest
from pydantic import ValidationError

from ava_backtest.domain.bars import Panel
from ava_backtest.domain.config import RiskRules, RunConfig
from ava_backtest.domain.errors import ConfigError
from ava_backtest.domain.signals import Signals
from ava_backtest.engine.backtest import EngineSettings, RiskRule, simulate


def _panel(closes: list[list[float]]) -> Panel:
    """Bars whose open, high, low and close are all the listed price (one column per symbol)."""
    c = np.asarray(closes, dtype=float).T
    dates = np.arange(c.shape[0]).astype("datetime64[D]").astype("datetime64[ns]")
    return Panel.from_prices(dates, [f"S{i}" for i in range(c.shape[1])], c, c, c, c, None)


# S0 is bought at the open of bar 1 at 10 with all 1,000 (100 shares); the close of bar 3 (7.5)
# marks equity at 750, 25% below the 1,000 peak: a 20% breaker trips at that close.
DROP = [10, 10, 9, 7.5, 7.5, 7.5, 7.5, 7.5, 7.5, 7.5, 7.5]


def _entries_of(result, symbol="S0") -> list[int]:
    bars = result.fills.filter(
        (result.fills["reason"] == "entry") & (result.fills["symbol"] == symbol)
    )["bar"]
    return bars.to_list()


def test_after_the_trip_nothing_opens_until_the_stated_bars_have_passed():
    n = len(DROP)
    sig = Signals.empty((n, 1))
    sig.long_entry[:] = True  # it would buy again at every open it is flat
    sig.long_exit[3] = True  # the exit is a signal at the tripping close: flat from bar 4's open
    panel = _panel([DROP])

    free = simulate(panel, sig, EngineSettings(initial_cash=1000))
    assert _entries_of(free) == [1, 5]  # without the rule: back in at the next open

    rule = RiskRule(max_drawdown=0.2, resume_after_bars=3)
    r = simulate(panel, sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    # Tripped at the close of bar 3; it stays tripped for the 3 bars after it (closes 4..6), whose
    # entry signals are refused; it resumes at the close of bar 6, so the close of bar 7 is the
    # first entry read, filled at the open of bar 8.
    assert _entries_of(r) == [1, 8]
    assert r.trades.row(0, named=True)["exit_bar"] == 4  # the exit itself is untouched
    assert r.skipped.filter(r.skipped["reason"] == "circuit_breaker").height == 3
    assert np.flatnonzero(r.halted[:, 0]).tolist() == [3, 4, 5, 6]


def test_flatten_closes_everything_at_the_next_open_and_stays_out_for_the_bars():
    n = len(DROP)
    sig = Signals.empty((n, 1))
    sig.long_entry[:] = True
    rule = RiskRule(max_drawdown=0.2, flatten=True, resume_after_bars=2)
    r = simulate(_panel([DROP]), sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    first = r.trades.row(0, named=True)
    assert (first["exit_bar"], first["exit_reason"]) == (4, "circuit_breaker")
    assert first["exit_price"] == 7.5
    # Tripped at close 3, closes 4 and 5 blocked, resumed at close 5: entry read at close 6.
    assert _entries_of(r) == [1, 7]


def test_a_trip_without_a_resume_condition_stays_tripped_to_the_end():
    n = len(DROP)
    sig = Signals.empty((n, 1))
    sig.long_entry[:] = True
    sig.long_exit[3] = True
    rule = RiskRule(max_drawdown=0.2)
    r = simulate(_panel([DROP]), sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    assert _entries_of(r) == [1]
    assert r.halted[3:, 0].all() and not r.halted[:3, 0].any()


def test_a_drawdown_short_of_the_limit_changes_nothing():
    n = len(DROP)
    sig = Signals.empty((n, 1))
    sig.long_entry[:] = True
    sig.long_exit[3] = True
    panel = _panel([DROP])
    rule = RiskRule(max_drawdown=0.26, resume_after_bars=3)  # the fall is 25%
    r = simulate(panel, sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    free = simulate(panel, sig, EngineSettings(initial_cash=1000))
    assert _entries_of(r) == _entries_of(free) == [1, 5]
    assert not r.halted.any()


def test_resume_on_recovery_waits_for_equity_to_rise_off_its_low():
    # S0 (half the equity, 50 shares at 10) falls to 5 at close 3: equity 500 + 250 = 750, 25%
    # down. S1 stays at 10 and signals an entry at every close from bar 4.
    s0 = [10, 10, 10, 5, 6, 8.5, 8.5, 8.5, 8.5, 8.5]
    s1 = [10.0] * len(s0)
    sig = Signals.empty((len(s0), 2))
    sig.long_entry[0, 0] = True
    sig.long_entry[4:, 1] = True
    rule = RiskRule(max_drawdown=0.2, resume_on_recovery=0.2)
    r = simulate(_panel([s0, s1]), sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    # Low 750 at close 3; close 4 marks 800 (< 750 x 1.2 = 900), close 5 marks 925 (>= 900):
    # resumed at close 5, so S1's first entry read is at close 6, filled at the open of bar 7.
    assert _entries_of(r, "S0") == [1]
    assert _entries_of(r, "S1") == [7]
    blocked = r.skipped.filter(r.skipped["reason"] == "circuit_breaker")
    assert blocked["symbol"].to_list() == ["S1", "S1"]


def test_entries_decided_at_the_tripping_close_are_cancelled_and_a_reversal_only_closes():
    # Long S0 from bar 1; at the tripping close 3 the strategy says "go short".
    sig = Signals.empty((len(DROP), 1))
    sig.long_entry[0] = True
    sig.short_entry[3] = True
    rule = RiskRule(max_drawdown=0.2, resume_after_bars=100)
    r = simulate(_panel([DROP]), sig, EngineSettings(initial_cash=1000, risk_rules=rule))
    assert r.trades.height == 1 and r.open_positions.height == 0
    assert r.trades.row(0, named=True)["exit_bar"] == 4
    assert r.fills.filter(r.fills["reason"] == "entry").height == 1


def test_independent_accounts_trip_on_their_own_equity():
    s0 = DROP
    s1 = [10.0] * len(DROP)
    sig = Signals.empty((len(DROP), 2))
    sig.long_entry[:] = True
    sig.long_exit[3] = True
    rule = RiskRule(max_drawdown=0.2)
    r = simulate(
        _panel([s0, s1]),
        sig,
        EngineSettings(initial_cash=1000, portfolio="independent", risk_rules=rule),
    )
    assert r.halted[:, 0].any() and not r.halted[:, 1].any()
    assert _entries_of(r, "S0") == [1]  # never again
    assert _entries_of(r, "S1") == [1, 5]  # its own account never drew down


@pytest.mark.parametrize(
    ("rules", "field"),
    [
        ({"max_drawdown": 0}, "max_drawdown"),
        ({"max_drawdown": 1.0}, "max_drawdown"),
        ({"max_drawdown": 0.2, "resume_after_bars": 0}, "resume_after_bars"),
        ({"max_drawdown": 0.2, "resume_on_recovery": -0.1}, "resume_on_recovery"),
        ({"max_drawdown": 0.2, "flatten": True, "resume_on_recovery": 0.1}, "resume_on_recovery"),
        ({"max_drawdown": 0.2, "stop_after": 3}, "stop_after"),
        ({}, "max_drawdown"),
    ],
)
def test_run_config_refuses_a_breaker_that_cannot_work_naming_the_field(rules, field):
    with pytest.raises(ValidationError) as err:
        RunConfig(strategy_name="sma_crossover", universe="us_sample", risk_rules=rules)
    locs = [e["loc"] for e in err.value.errors()]
    assert any(loc[:2] == ("risk_rules", field) for loc in locs), locs


def test_the_engine_refuses_a_bad_rule_naming_the_field():
    with pytest.raises(ConfigError) as err:
        simulate(
            _panel([DROP]),
            Signals.empty((len(DROP), 1)),
            EngineSettings(risk_rules=RiskRule(max_drawdown=1.5)),
        )
    assert err.value.field == "risk_rules.max_drawdown"


def test_risk_rules_round_trip_through_the_config():
    cfg = RunConfig(
        strategy_name="sma_crossover",
        universe="us_sample",
        risk_rules={"max_drawdown": 0.1, "flatten": True, "resume_after_bars": 20},
    )
    assert cfg.risk_rules == RiskRules(max_drawdown=0.1, flatten=True, resume_after_bars=20)
    assert RunConfig.model_validate(cfg.model_dump()).risk_rules == cfg.risk_rules


def test_a_run_switches_the_rule_on_from_its_config_and_says_what_it_did():
    from ava_backtest.runs.execute import run_backtest

    base = {"strategy_name": "sma_crossover", "universe": "us_sample"}
    free = run_backtest(RunConfig(**base))
    ruled = run_backtest(
        RunConfig(
            **base, risk_rules={"max_drawdown": 0.05, "flatten": True, "resume_after_bars": 60}
        )
    )
    assert not free.engine.halted.size and ruled.engine.halted.any()
    assert "circuit_breaker" in ruled.trades["exit_reason"].to_list()
    assert any(n.startswith("circuit breaker at a 0.05 drawdown") for n in ruled.notes)
    # Every entry filled after a tripped close was decided after the breaker resumed.
    halted = ruled.engine.halted[:, 0]
    for bar in ruled.fills.filter(ruled.fills["reason"] == "entry")["bar"].to_list():
        assert not halted[bar - 1]
