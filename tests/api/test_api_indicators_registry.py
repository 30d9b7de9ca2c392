"""Every registered strategy's indicator endpoint answers with exactly the display series it
declares (issue 15): the names, labels, kinds, panes, levels and styles of ``describe()``, in its
order, one value per served date, defined somewhere on the run.

The function behind ``GET /api/v2/backtests/{id}/indicators`` (``runs.indicators.display_series``)
is called directly for the whole registry on a short slice of data (about a second of work per
strategy, no run needed); a few strategies go through the HTTP endpoint of a real app and must
answer the same. Strategies that need data the sample lacks (earnings dates, an options chain,
positioning tables, intraday bars) get generated data of that kind stored through the data layer,
as an upload would store it, in this test process's own AVA_HOME.
"""

from __future__ import annotations

import datetime as dt
import functools
import os
from collections.abc import Iterator
from typing import Any

import numpy as np
import pandas as pd
import polars as pl
import pytest
from test_api_backtests import _wait

from ava_backtest.data.earnings import save_earnings
from ava_backtest.data.intraday import (
    ingest_intraday_upload,
    is_intraday_need,
    synthetic_intraday_panel,
)
from ava_backtest.data.options import (
    CHAIN,
    IV,
    save_table,
    synthetic_implied_volatility,
    synthetic_options_chain,
)
from ava_backtest.data.positioning import (
    OI,
    PCR,
    synthetic_open_interest,
    synthetic_put_call_ratio,
)
from ava_backtest.domain.config import RunConfig
from ava_backtest.runs.execute import build_strategy, load_run_panel
from ava_backtest.runs.indicators import display_series
from ava_backtest.strategies import Strategy, all_strategies

CLASSES: dict[str, type[Strategy]] = dict(all_strategies())
NAMES = sorted(CLASSES)
# Two sample symbols that cover the VIX sample's years too (2014-2019), over 18 months.
SYMBOLS = ["NVDA", "AMZN"]
START, END = "2014-06-01", "2015-12-31"
INTRADAY = "XFIVE"  # generated 5-minute bars: fine enough for every intraday need


def _stored_data() -> None:
    """Generated earnings, options, positioning and intraday data for SYMBOLS / INTRADAY."""
    cfg = RunConfig(strategy_name="sma_crossover", symbols=SYMBOLS, start_date=START, end_date=END)
    panel, _ = load_run_panel(cfg, build_strategy(cfg))
    bars = panel.bars
    # One announcement a quarter per symbol, on its heaviest-volume session, before the open.
    days = bars.dates.astype("datetime64[D]")
    quarter = days.astype("datetime64[M]").astype(np.int64) // 3
    rows = []
    for j, sym in enumerate(bars.symbols):
        vol = np.nan_to_num(bars.volume[:, j], nan=-1.0)
        for q in np.unique(quarter):
            at = np.flatnonzero(quarter == q)
            rows.append((sym, days[int(at[np.argmax(vol[at])])].item(), "bmo"))
    earnings = pl.DataFrame(
        rows, schema={"symbol": pl.String, "date": pl.Date, "time": pl.String}, orient="row"
    ).with_columns(eps_estimate=pl.lit(None, pl.Float64), eps_actual=pl.lit(None, pl.Float64))
    save_earnings("US", earnings, "generated.csv")
    for kind, make in (
        (CHAIN, synthetic_options_chain),
        (IV, synthetic_implied_volatility),
        (PCR, synthetic_put_call_ratio),
        (OI, synthetic_open_interest),
    ):
        save_table(kind, "US", make(bars.symbols, bars.dates, bars.close), "generated.csv")
    p = synthetic_intraday_panel([INTRADAY], "US", dt.date(2024, 1, 2), dt.date(2024, 2, 29), 5)
    ny = pd.DatetimeIndex(p.dates).tz_localize("UTC").tz_convert("America/New_York")
    csv = pl.DataFrame(
        {
            "timestamp": [t.strftime("%Y-%m-%d %H:%M") for t in ny],
            **{k: getattr(p.bars, k)[:, 0] for k in ("open", "high", "low", "close", "volume")},
        }
    ).write_csv()
    ingest_intraday_upload("US", INTRADAY, "5m", "xfive.csv", csv.encode())


@pytest.fixture(scope="module", autouse=True)
def _own_home(tmp_path_factory: pytest.TempPathFactory) -> Iterator[None]:
    """The generated uploads go to this module's own AVA_HOME, not the test process's: the other
    tests this process runs must not find earnings for NVDA or an XFIVE symbol."""
    before = os.environ.get("AVA_HOME")
    os.environ["AVA_HOME"] = str(tmp_path_factory.mktemp("indicator-registry-home"))
    stored.cache_clear()
    yield
    stored.cache_clear()
    if before is None:
        os.environ.pop("AVA_HOME", None)
    else:
        os.environ["AVA_HOME"] = before


@functools.cache
def stored() -> bool:
    _stored_data()
    return True


def config_for(name: str) -> RunConfig:
    """A short run of ``name`` with its defaults; a comparison symbol that the sample lacks (SPY)
    becomes the sample's S&P 500 index, as the strategy's own error message advises."""
    cls = CLASSES[name]
    if any(is_intraday_need(n) for n in cls().requires):
        return RunConfig(strategy_name=name, symbols=[INTRADAY], benchmark="none")
    params = {
        k: "GSPC"
        for k, p in cls.parameters.items()
        if p.kind == "str" and str(p.default).upper() == "SPY"
    }
    return RunConfig(
        strategy_name=name, symbols=SYMBOLS, start_date=START, end_date=END, params=params
    )


def check_answer(name: str, cfg: RunConfig, out: dict[str, Any]) -> None:
    declared = build_strategy(cfg).describe(build_strategy(cfg).params)["display"]
    served = [{k: v for k, v in s.items() if k != "values"} for s in out["series"]]
    assert served == declared, name
    n = len(out["dates"])
    assert n > 0 and len(out["factor"]) == n
    for s in out["series"]:
        assert len(s["values"]) == n, s["name"]
        assert any(v is not None for v in s["values"]), f"{name}: {s['name']} is never defined"


@pytest.mark.parametrize("name", NAMES)
def test_display_series_answer_with_exactly_the_declared_series(name):
    assert stored()
    cfg = config_for(name)
    symbol = (cfg.symbols or [])[0]
    out = display_series(cfg, symbol)
    assert out["symbol"] == symbol and out["strategy"] == name
    check_answer(name, cfg, out)


def test_the_registry_is_the_catalogue():
    assert len(NAMES) >= 100  # the whole catalogue is registered, not a handful


HTTP_CASES = ["rsi_mean_reversion", "bollinger_bands", "macd_crossover"]


def test_the_http_endpoint_serves_what_the_function_computes(sqlite_client):
    """One app, three runs (a pane with levels, price overlays, a pane group with a histogram)."""
    c = sqlite_client
    ids = {}
    for name in HTTP_CASES:
        assert name in CLASSES, f"{name} is not registered"
        body = config_for(name).model_dump(
            mode="json", include={"strategy_name", "symbols", "start_date", "end_date"}
        )
        r = c.post("/api/v2/backtests", json=body)
        assert r.status_code == 201, r.text
        ids[name] = r.json()["id"]
    for name, run_id in ids.items():
        run = _wait(c, run_id, timeout=240)
        assert run["status"] == "completed", run
        r = c.get(f"/api/v2/backtests/{run_id}/indicators", params={"symbol": SYMBOLS[0].lower()})
        assert r.status_code == 200, r.text
        out = r.json()
        cfg = RunConfig.model_validate(run["config"])
        check_answer(name, cfg, out)
        want = display_series(cfg, SYMBOLS[0])
        assert out["dates"] == want["dates"]
        for got, exp in zip(out["series"], want["series"], strict=True):
            assert got["values"] == exp["values"], (name, got["name"])
