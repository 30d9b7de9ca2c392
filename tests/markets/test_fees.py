"""The dated fee table itself: every model builds, covers the sample data's years, and is sane."""

from __future__ import annotations

import numpy as np
import pytest

from ava_backtest.markets.costs import COL_RATE, cost_model
from ava_backtest.markets.fees import BASES, EARLIEST, FEE_ROWS, PRODUCTS, SIDES
from ava_backtest.markets.registry import MARKETS

COMBOS = [(m, p, x) for m in PRODUCTS for p in PRODUCTS[m] for x in MARKETS[m].exchanges]


@pytest.mark.parametrize(("market", "product", "exchange"), COMBOS)
def test_every_model_builds_and_covers_1997_to_2025(market, product, exchange):
    model = cost_model(market, product, exchange)
    assert model.regime_starts[0] == np.datetime64(EARLIEST)
    sessions = np.arange("1997-01-01", "2026-01-01", dtype="datetime64[D]")
    tables, epoch = model.for_dates(sessions)
    assert tables.shape[1:] == (model.n_lines, 9)
    assert epoch.min() == 0 and epoch.max() == tables.shape[0] - 1
    assert (np.diff(epoch) >= 0).all()  # sorted dates -> non-decreasing epochs
    assert np.isfinite(tables[:, :, COL_RATE]).all() and (tables[:, :, COL_RATE] >= 0).all()


def test_every_line_has_a_row_at_the_earliest_date():
    for market, product, exchange in COMBOS:
        rows = [
            r
            for r in FEE_ROWS
            if r.market == market and r.product in ("*", product) and r.exchange in ("*", exchange)
        ]
        for line in {r.line for r in rows}:
            first = min(r.effective_from for r in rows if r.line == line)
            assert first == EARLIEST, (market, product, exchange, line)


def test_rows_are_well_formed():
    for r in FEE_ROWS:
        assert r.market in PRODUCTS and r.basis in BASES and r.sides in SIDES
        assert r.product == "*" or r.product in PRODUCTS[r.market]
        assert r.exchange == "*" or r.exchange in MARKETS[r.market].exchanges
        assert np.datetime64(r.effective_from, "D") >= np.datetime64(EARLIEST)
        assert r.rate >= 0 and r.min_abs >= 0 and r.max_abs >= 0 and r.max_pct >= 0
        assert r.round_dp >= -1 and r.source
        assert bool(r.on_lines) == (r.basis == "lines")
        lines_of_market = {q.line for q in FEE_ROWS if q.market == r.market}
        assert set(r.on_lines) <= lines_of_market, r


def test_sec_fee_history_spot_checks():
    us = cost_model("US")
    sec = us.line_names.index("sec_fee")
    per_million = {
        "1997-01-02": 1e6 / 30000,  # 1/300 of 1%
        "2002-01-02": 15.00,
        "2008-04-01": 5.60,
        "2014-03-18": 22.10,
        "2019-04-16": 20.70,
        "2021-02-25": 5.10,
        "2023-02-27": 8.00,
        "2024-05-22": 27.80,
        "2025-05-14": 0.00,
    }
    for day, rate in per_million.items():
        assert us.table_at(day)[sec, COL_RATE] * 1e6 == pytest.approx(rate), day
