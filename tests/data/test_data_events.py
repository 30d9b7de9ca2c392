"""Corporate actions recovered from adj_close / close, pinned against the real samples."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.events import derive_events, events_frame, match_split_ratio
from ava_backtest.data.sample_store import load_sample_bars


def _events(symbol: str) -> pl.DataFrame:
    bars = load_sample_bars("US", symbol)
    ev = derive_events(bars["close"].to_numpy(), bars["adj_close"].to_numpy())
    return events_frame(bars["date"], ev)


def test_aapl_two_splits_and_three_dividends() -> None:
    ev = _events("AAPL")
    splits = ev.filter(pl.col("split_ratio") != 1.0)
    assert splits["date"].to_list() == [dt.date(2000, 6, 21), dt.date(2005, 2, 28)]
    assert splits["split_ratio"].to_list() == [2.0, 2.0]
    assert (splits["dividend"] == 0.0).all()
    divs = ev.filter(pl.col("dividend") > 0)
    assert divs["date"].to_list() == [
        dt.date(2012, 8, 9),
        dt.date(2012, 11, 7),
        dt.date(2013, 2, 7),
    ]
    # Apple's $2.65 quarterly dividends, as the source's factor encodes them.
    np.testing.assert_allclose(divs["dividend"].to_numpy(), [2.635, 2.755, 2.574], atol=0.002)


def test_msft_split_special_dividend_and_first_regular_dividend() -> None:
    ev = _events("MSFT")
    splits = ev.filter(pl.col("split_ratio") != 1.0)
    assert splits.rows() == [(dt.date(2003, 2, 18), 2.0, 0.0)]
    by_date = dict(zip(ev["date"].to_list(), ev["dividend"].to_list(), strict=True))
    assert by_date[dt.date(2003, 2, 19)] == pytest.approx(0.08, abs=0.002)  # first ever dividend
    assert by_date[dt.date(2004, 11, 15)] == pytest.approx(3.03, abs=0.01)  # $3 special (+ regular)
    assert len(ev) == 38


def test_ibm_quarterly_dividends_no_splits() -> None:
    ev = _events("IBM")
    assert (ev["split_ratio"] == 1.0).all()
    assert len(ev) == 52  # 13 years x 4
    d = ev["dividend"].to_numpy()
    assert d.min() == pytest.approx(0.127, abs=0.002)
    assert d.max() == pytest.approx(0.8635, abs=0.002)
    months = {m for m in ev["date"].dt.month().to_list()}
    assert months == {2, 5, 8, 11}


def test_nvda_float32_noise_is_not_an_event_and_dividends_start_2012() -> None:
    ev = _events("NVDA")
    assert (ev["split_ratio"] == 1.0).all()  # the source is already split-adjusted
    assert ev["date"].min() == dt.date(2012, 11, 20)
    assert len(ev) == 38
    assert (ev["dividend"] < 0.005).all()  # per split-adjusted share


def test_split_adjusted_and_index_sources_have_no_events() -> None:
    for symbol in ("AMZN", "GOOG", "GSPC"):
        assert _events(symbol).height == 0, symbol


def test_split_with_same_day_dividend_and_reverse_split() -> None:
    close = np.array([100.0, 50.0, 50.0, 500.0, 500.0])
    # f steps x2 with an extra 0.5% dividend factor on bar 1, then a 1:10 reverse split on bar 3.
    f1 = 1.0 / (1 - 0.005)
    f = np.array([0.5, f1, f1, 0.1 * f1, 0.1 * f1])
    ev = derive_events(close, close * f)
    np.testing.assert_allclose(ev.split_ratio, [1, 2, 1, 0.1, 1])
    # D = (close_{t-1} / ratio) * (1 - 1 / (q / ratio)) = 50 * 0.005, per post-split share.
    np.testing.assert_allclose(ev.dividend, [0, 0.25, 0, 0, 0], atol=1e-12)


def test_noise_threshold_and_non_split_large_step() -> None:
    close = np.full(4, 10.0)
    f = np.array([1.0, 1.0 + 1.9e-4, 1.0, 1.3])  # noise, noise back, then 23% special dividend
    ev = derive_events(close, close * f)
    assert ev.split_ratio.tolist() == [1, 1, 1, 1]
    assert ev.dividend[:3].tolist() == [0, 0, 0]
    assert ev.dividend[3] == pytest.approx(10 * (1 - 1 / 1.3))


def test_match_split_ratio() -> None:
    assert match_split_ratio(2.0) == 2.0
    assert match_split_ratio(1.995) == 2.0
    assert match_split_ratio(1.49) == 1.5
    assert match_split_ratio(2.1) is None
    assert match_split_ratio(1.1) is None
    assert match_split_ratio(float("nan")) is None
