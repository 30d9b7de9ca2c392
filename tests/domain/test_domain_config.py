"""``RunConfig`` refuses what cannot run, naming the field, instead of storing it for a run to fail
on later (or to quietly run something else)."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

import pytest
from pydantic import ValidationError

from ava_backtest.domain.config import MAX_CAPITAL, MAX_DATE, RunConfig

BASE = {"strategy_name": "sma_crossover", "symbols": ["AAPL"]}


def _error_fields(patch: dict[str, Any]) -> list[str]:
    with pytest.raises(ValidationError) as e:
        RunConfig.model_validate({**BASE, **patch})
    return [".".join(str(p) for p in err["loc"]) for err in e.value.errors()]


@pytest.mark.parametrize(
    ("patch", "field"),
    [
        # Non-finite or absurd money: stored as null in JSON, or overflowing the engine's sums.
        ({"initial_capital": float("inf")}, "initial_capital"),
        ({"initial_capital": float("nan")}, "initial_capital"),
        ({"initial_capital": 1e308}, "initial_capital"),
        ({"initial_capital": MAX_CAPITAL * 10}, "initial_capital"),
        # Integers past int64 raise OverflowError in the engine.
        ({"max_positions": 10**20}, "max_positions"),
        ({"max_hold_bars": 10**20}, "max_hold_bars"),
        ({"sizing": {"mode": "fixed_cash", "value": float("inf")}}, "sizing.value"),
        ({"sizing": {"mode": "fraction", "value": float("nan")}}, "sizing.value"),
        ({"sizing": {"mode": "fixed_units", "value": 1e308}}, "sizing.value"),
        ({"sizing": {"max_participation": float("nan")}}, "sizing.max_participation"),
        ({"risk_free_rate": float("nan")}, "risk_free_rate"),
        ({"slippage_bps": float("nan")}, "slippage_bps"),
        # Nanosecond timestamps end on 2262-04-11: later dates would wrap, not fail.
        ({"start_date": "9999-01-01"}, "start_date"),
        ({"end_date": "9999-12-31"}, "end_date"),
        ({"end_date": (MAX_DATE + dt.timedelta(days=1)).isoformat()}, "end_date"),
        ({"start_date": "1500-01-01"}, "start_date"),
        # The later of two dates is the one at fault, named as a field (not the whole body).
        ({"start_date": "2012-01-01", "end_date": "2010-01-01"}, "end_date"),
        ({"benchmark": "  "}, "benchmark"),
    ],
)
def test_values_that_cannot_run_are_refused_naming_the_field(patch, field):
    assert _error_fields(patch) == [field]


def test_the_limits_themselves_are_accepted():
    c = RunConfig.model_validate(
        {**BASE, "initial_capital": MAX_CAPITAL, "end_date": MAX_DATE.isoformat()}
    )
    assert c.initial_capital == MAX_CAPITAL and c.end_date == MAX_DATE


def test_json_infinity_from_a_request_body_is_refused():
    body = json.loads('{"strategy_name": "sma_crossover", "symbols": ["AAPL"], '
                      '"initial_capital": Infinity}')  # fmt: skip
    with pytest.raises(ValidationError) as e:
        RunConfig.model_validate(body)
    assert [err["loc"] for err in e.value.errors()] == [("initial_capital",)]


@pytest.mark.parametrize(
    ("given", "stored"),
    [(None, None), ("none", "none"), (" None ", "none"), ("NONE", "none"), ("gspc", "GSPC")],
)
def test_benchmark_is_a_symbol_none_or_the_default(given, stored):
    assert RunConfig.model_validate({**BASE, "benchmark": given}).benchmark == stored
