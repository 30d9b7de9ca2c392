"""The shared helpers of ``ava optimize``, ``ava walkforward`` and ``ava screen``."""

from __future__ import annotations

import pytest
import typer
from rich.progress import TimeRemainingColumn

from ava_backtest.cli import jobs
from ava_backtest.domain.config import RunConfig


def test_fmt_digits_percent_and_missing() -> None:
    assert jobs.fmt(None) == "—"
    assert jobs.fmt(1.23456) == "1.235"
    assert jobs.fmt(1.23456, digits=3) == "1.23"
    assert jobs.fmt(0.1234, pct=True) == "12.3%"
    assert jobs.fmt(7) == "7"


def test_base_request_is_the_api_run_config() -> None:
    raw = jobs.base_request(
        strategy="sma_crossover", param=["fast_period=10", "label=x"], market="IN",
        universe=None, symbols="AAPL,MSFT", start="2010-01-01", end=None, capital=5e4,
        costs=False,
    )  # fmt: skip
    assert raw["params"] == {"fast_period": 10, "label": "x"}
    assert raw["symbols"] == ["AAPL", "MSFT"]
    assert raw["costs"] == {"model": "none"}
    config = jobs.validated(RunConfig, raw)
    assert config.initial_capital == 5e4


def test_refusals_exit_2_naming_what_is_wrong(capsys: pytest.CaptureFixture[str]) -> None:
    with pytest.raises(typer.Exit) as e:
        jobs.need_symbols(None, None, "AAPL,MSFT")
    assert e.value.exit_code == 2
    assert "--symbols (e.g. AAPL,MSFT)" in capsys.readouterr().err
    with pytest.raises(typer.Exit):
        jobs.parse_ranges(["fast_period"])
    assert "--param-range 'fast_period'" in capsys.readouterr().err
    assert jobs.parse_ranges(["fast_period=5:50:5"])["fast_period"]
    raw = jobs.base_request(
        strategy="sma_crossover", param=None, market="XX", universe="us_sample", symbols=None,
        start=None, end=None, capital=1e5, costs=True,
    )  # fmt: skip
    with pytest.raises(typer.Exit):
        jobs.validated(RunConfig, raw)
    assert "market: Input should be" in capsys.readouterr().err


def test_progress_bar_columns() -> None:
    with_eta = jobs.progress_bar()
    without = jobs.progress_bar(remaining=False)
    assert isinstance(with_eta.columns[-1], TimeRemainingColumn)
    assert len(without.columns) == len(with_eta.columns) - 1
    assert not any(isinstance(c, TimeRemainingColumn) for c in without.columns)
    assert "windows on this Dask scheduler" in jobs.dask_help("windows")
