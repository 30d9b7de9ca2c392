"""The sizing overlays' options in ``RunConfig.sizing``: defaults, the mode they belong to, and a
stored config that still reads as "left at the default" (so a strategy's default sizing applies
again when the run is repeated)."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from ava_backtest.domain.config import (
    KellySizing,
    MonteCarloSizing,
    RiskParitySizing,
    RunConfig,
    Sizing,
)


def test_each_overlay_mode_reads_its_options_with_their_defaults():
    assert Sizing(mode="kelly").options() == KellySizing(multiplier=0.5, cap=0.25, min_trades=20)
    mc = Sizing(mode="monte_carlo").options()
    assert isinstance(mc, MonteCarloSizing)
    assert (mc.max_drawdown, mc.percentile, mc.resamples, mc.min_trades) == (0.2, 95.0, 1000, 20)
    assert max(mc.fractions) == 0.25
    assert Sizing(mode="risk_parity").options() == RiskParitySizing(
        method="erc", window=63, rebalance_bars=21
    )
    assert Sizing(mode="fraction", value=0.1).options() is None
    given = Sizing(mode="kelly", kelly={"cap": 0.1})
    assert given.options() == KellySizing(cap=0.1)


def test_candidate_fractions_are_sorted_and_checked():
    assert MonteCarloSizing(fractions=[0.2, 0.05, 0.1]).fractions == [0.05, 0.1, 0.2]
    for bad in ([0.1, 0.1], [0.0], [float("nan")], []):
        with pytest.raises(ValidationError):
            MonteCarloSizing(fractions=bad)


def test_a_stored_default_sizing_is_still_the_default():
    cfg = RunConfig(strategy_name="x", universe="us_sample")
    again = RunConfig.model_validate_json(cfg.model_dump_json())
    assert again.sizing == Sizing()
    chosen = RunConfig(strategy_name="x", universe="us_sample", sizing={"mode": "kelly"})
    assert RunConfig.model_validate_json(chosen.model_dump_json()).sizing != Sizing()
