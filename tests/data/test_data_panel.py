"""load_panel: calendar alignment, adjustment modes, warm-up, benchmark, errors, caching."""

from __future__ import annotations

import datetime as dt

import numpy as np
import pytest

from ava_backtest.data.panel import (
    _forward_fill_within,
    _load_series,
    load_panel,
    load_panel_with_info,
    load_universe_panel,
    validation_report,
)
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError
from ava_backtest.markets.registry import get_market

D = dt.date


def _row(panel, day: str) -> int:
    i = int(np.searchsorted(panel.dates, np.datetime64(day)))
    assert panel.dates[i] == np.datetime64(day, "ns")
    return i


# --- adjustment modes -------------------------------------------------------------------------


def test_events_mode_aapl_split() -> None:
    p = load_panel("US", ["AAPL"], D(2000, 6, 1), D(2000, 6, 30))
    a, b = _row(p, "2000-06-20"), _row(p, "2000-06-21")
    assert p.adjustment == "events"
    as_traded = p.trade_close[:, 0]
    assert (as_traded[a], as_traded[b]) == (101.25, 55.63)  # 2:1 split (and a +10% day)
    assert p.split_ratio[b, 0] == 2.0 and (np.delete(p.split_ratio[:, 0], b) == 1.0).all()
    adjusted = p.bars.close[:, 0]
    # The adjusted series moves by the day's real return only: no jump where the split is.
    assert adjusted[b] / adjusted[a] == pytest.approx(2 * 55.63 / 101.25, rel=1e-12)
    assert abs(np.diff(np.log(adjusted))).max() < 0.15
    assert (p.dividend == 0).all()
    # Adjusted prices keep dollar volume: price x volume is the same in both series.
    np.testing.assert_allclose(p.bars.close * p.bars.volume, as_traded[:, None] * _raw_volume(p))


def _raw_volume(p) -> np.ndarray:
    return load_panel("US", ["AAPL"], D(2000, 6, 1), D(2000, 6, 30), adjustment="none").bars.volume


def test_adjusted_and_none_modes_have_no_events() -> None:
    adj = load_panel("US", ["AAPL", "MSFT"], D(2000, 6, 1), D(2005, 3, 31), adjustment="adjusted")
    raw = load_panel("US", ["AAPL", "MSFT"], D(2000, 6, 1), D(2005, 3, 31), adjustment="none")
    ev = load_panel("US", ["AAPL", "MSFT"], D(2000, 6, 1), D(2005, 3, 31))
    for p in (adj, raw):
        assert (p.split_ratio == 1.0).all() and (p.dividend == 0.0).all()
        np.testing.assert_array_equal(p.trade_close, p.bars.close)
        assert p.trade_close is not p.bars.close  # own copies
    np.testing.assert_array_equal(adj.bars.close, ev.bars.close)
    np.testing.assert_array_equal(raw.trade_close, ev.trade_close)
    assert (ev.split_ratio == 2.0).sum() == 3  # AAPL x2, MSFT x1 in range
    msft_special = ev.dividend[_row(ev, "2004-11-15"), 1]
    assert msft_special == pytest.approx(3.03, abs=0.01)


@pytest.mark.parametrize("symbol", ["MSFT", "AAPL", "IBM"])
def test_events_reproduce_the_adjusted_total_return(symbol: str) -> None:
    """Hold through every split and dividend, reinvesting each dividend at the previous close (the
    convention adj_close is built on): as-traded prices + events must give the adjusted growth."""
    p = load_panel("US", [symbol])
    c, s, d = p.trade_close[:, 0], p.split_ratio[:, 0], p.dividend[:, 0]
    shares = 1.0
    for t in range(1, len(c)):
        shares *= s[t]
        if d[t]:
            shares /= 1.0 - d[t] / (c[t - 1] / s[t])
    adj = p.bars.close[:, 0]
    assert shares * c[-1] / c[0] == pytest.approx(adj[-1] / adj[0], rel=1e-9)


def test_split_adjusted_source_is_labelled_and_still_has_dividends() -> None:
    p = load_panel("US", ["NVDA", "AAPL"], D(2010, 1, 4), D(2013, 3, 1))
    assert any("NVDA: source prices are split-adjusted" in n for n in p.notes)
    nvda_divs = p.dividend[:, 0]
    assert (p.split_ratio[:, 0] == 1.0).all()
    assert (nvda_divs > 0).sum() == 2  # 2012-11-20 and 2013-02-26
    assert p.dates[nvda_divs > 0][0] == np.datetime64("2012-11-20")


# --- alignment and warm-up --------------------------------------------------------------------


def test_alignment_on_the_calendar_grid() -> None:
    p, info = load_panel_with_info("US", ["AAPL", "GOOG"])
    sessions = get_market("US").sessions(D(2000, 3, 1), D(2013, 3, 1))
    np.testing.assert_array_equal(p.dates, sessions)
    assert p.dates.dtype == np.dtype("datetime64[ns]")
    goog = p.bars.close[:, 1]
    first_goog = _row(p, "2004-08-19")
    assert np.isnan(goog[:first_goog]).all() and not np.isnan(goog[first_goog:]).any()
    assert not np.isnan(p.bars.close[:, 0]).any()
    for block in (p.bars.open, p.bars.close, p.bars.volume, p.trade_open, p.split_ratio):
        assert block.dtype == np.float64 and block.flags.c_contiguous and block.flags.writeable
    assert (info.start, info.end, info.first_index) == (D(2000, 3, 1), D(2013, 3, 1), 0)
    assert [c.bars for c in info.coverage] == [3270, 2148]
    assert p.synthetic == (False, False)


def test_warmup_loaded_before_start_when_available() -> None:
    p, info = load_panel_with_info(
        "US", ["AAPL", "GOOG"], D(2004, 1, 2), D(2005, 12, 30), warmup_bars=200
    )
    assert info.first_index == 200 and info.warmup_available == 200
    assert p.dates[info.first_index] == np.datetime64("2004-01-02")
    assert info.effective_start == D(2004, 1, 2) == info.start
    aapl, goog = info.coverage
    assert (aapl.warmup_available, goog.warmup_available) == (200, 0)
    assert aapl.effective_start == D(2004, 1, 2)
    # GOOG's 200th bar: it listed after start, so its indicators warm up later.
    goog_rows = np.flatnonzero(~np.isnan(p.bars.close[:, 1]))
    assert goog.effective_start == p.dates[goog_rows[200]].astype("datetime64[D]").item()
    assert not any(n.startswith("warm-up") for n in p.notes)


def test_warmup_short_records_effective_start() -> None:
    p, info = load_panel_with_info("US", ["GOOG"], D(2004, 9, 1), None, warmup_bars=50)
    assert p.dates[0] == np.datetime64("2004-08-19")  # the earliest bar, no earlier
    assert info.first_index == 9 and info.warmup_available == 9
    assert info.effective_start == p.dates[50].astype("datetime64[D]").item()
    assert info.end == D(2013, 3, 1)
    assert any(f"effective_start {info.effective_start}" in n for n in p.notes)


def test_start_before_data_is_clamped_to_coverage() -> None:
    _, info = load_panel_with_info("US", ["AAPL"], D(1990, 1, 1), D(2000, 3, 31))
    assert info.start == D(2000, 3, 1) and info.first_index == 0


def test_intraday_grid_is_a_regular_clock() -> None:
    p, info = load_panel_with_info("24x7", ["BTCUSD"])
    step = np.diff(p.dates.astype(np.int64))
    assert (step == 15 * 60 * 10**9).all()
    report = validation_report("24x7", "BTCUSD")
    gaps = sum(int(i.detail.split()[0]) for i in report.issues if i.kind == "gap")
    assert np.isnan(p.bars.close).sum() == gaps == 243
    assert info.timeframe == "15m" and info.start == dt.datetime(2021, 9, 27, 13, 45)


# --- benchmark --------------------------------------------------------------------------------


def test_benchmark_on_the_same_grid_never_backfilled() -> None:
    p = load_panel("US", ["NVDA"], D(2013, 1, 2), D(2020, 12, 31), benchmark="VIX")
    b = p.benchmark
    assert p.benchmark_symbol == "VIX" and b.shape == (len(p.dates),)
    first, last = _row(p, "2014-01-03"), _row(p, "2019-01-03")
    assert np.isnan(b[:first]).all()  # before VIX's data: nothing, not its first value
    assert not np.isnan(b[first : last + 1]).any()
    assert np.isnan(b[last + 1 :]).all()  # after its data ends: not carried for two years
    assert any("benchmark VIX" in n and "only a close" in n for n in p.notes)


def test_benchmark_gspc_is_labelled_price_return() -> None:
    p = load_panel("US", ["AAPL"], D(2010, 1, 4), D(2010, 12, 31), benchmark="GSPC")
    assert any("benchmark GSPC" in n and "price return" in n for n in p.notes)
    assert not np.isnan(p.benchmark).any()


def test_forward_fill_within_uses_only_past_values() -> None:
    v = np.array([np.nan, 1.0, np.nan, np.nan, 4.0, np.nan])
    out = _forward_fill_within(v, ~np.isnan(v))
    np.testing.assert_array_equal(out, [np.nan, 1.0, 1.0, 1.0, 4.0, np.nan])


# --- synthetic universe -----------------------------------------------------------------------


def test_in_sample_synthetic_universe_panel() -> None:
    p, _ = load_universe_panel("in_sample_synthetic", D(2010, 1, 1), D(2012, 12, 31))
    assert p.market == "IN" and len(p.symbols) == 50 and all(p.synthetic)
    np.testing.assert_array_equal(
        p.dates, get_market("IN").sessions(D(2010, 1, 1), D(2012, 12, 31))
    )
    assert not np.isnan(p.bars.close).any() and not np.isnan(p.benchmark).any()
    assert p.benchmark_symbol == "NIFTY50_SYN"
    assert any("SYNTHETIC" in n for n in p.notes)
    assert (p.split_ratio == 1).all() and (p.dividend == 0).all()


def test_us_sample_universe_is_labelled_survivorship_biased() -> None:
    p, _ = load_universe_panel("us_sample", D(2010, 1, 4), D(2010, 3, 31))
    assert p.benchmark_symbol == "GSPC"
    assert any("survivorship-biased" in n for n in p.notes)


# --- fingerprint, caching ---------------------------------------------------------------------


def test_fingerprint_is_stable_and_sensitive() -> None:
    a = load_panel("US", ["IBM"], D(2005, 1, 3), D(2005, 12, 30))
    b = load_panel("US", ["IBM"], D(2005, 1, 3), D(2005, 12, 30))
    c = load_panel("US", ["IBM"], D(2005, 1, 3), D(2005, 12, 30), adjustment="none")
    d = load_panel("US", ["IBM"], D(2005, 1, 3), D(2005, 12, 29))
    assert a.fingerprint == b.fingerprint and len(a.fingerprint) == 16
    assert len({a.fingerprint, c.fingerprint, d.fingerprint}) == 3


def test_series_are_cached_and_panels_do_not_share_mutable_state() -> None:
    load_panel("US", ["IBM"])
    hits = _load_series.cache_info().hits
    p = load_panel("US", ["IBM"])
    assert _load_series.cache_info().hits == hits + 1
    p.bars.close[:] = -1.0
    p.trade_close[:] = -1.0
    again = load_panel("US", ["IBM"])
    assert (again.bars.close > 0).all() and (again.trade_close > 0).all()


# --- errors -----------------------------------------------------------------------------------


def test_start_after_end() -> None:
    with pytest.raises(ConfigError) as err:
        load_panel("US", ["AAPL"], D(2010, 1, 1), D(2009, 1, 1))
    assert err.value.field == "start_date"


def test_range_outside_a_symbols_data_names_it() -> None:
    with pytest.raises(DataError) as err:
        load_panel("US", ["AAPL", "GOOG"], D(2001, 1, 2), D(2002, 12, 31))
    msg = str(err.value)
    assert "GOOG" in msg and "2004-08-19 .. 2013-03-01" in msg
    assert err.value.details["available"] == ["2004-08-19", "2013-03-01"]


def test_unknown_symbol_benchmark_market_and_adjustment() -> None:
    with pytest.raises(NotFoundError, match=r"unknown symbol 'TSLA'.*AAPL"):
        load_panel("US", ["AAPL", "TSLA"])
    with pytest.raises(NotFoundError) as err:
        load_panel("US", ["AAPL"], benchmark="SPY")
    assert err.value.field == "benchmark" and "GSPC" in str(err.value)
    with pytest.raises(NotFoundError, match="unknown market"):
        load_panel("LSE", ["VOD"])
    with pytest.raises(ConfigError) as cfg:
        load_panel("US", ["AAPL"], adjustment="total_return")  # type: ignore[arg-type]
    assert cfg.value.field == "adjustment"


def test_bad_symbol_lists() -> None:
    with pytest.raises(ConfigError, match="duplicates"):
        load_panel("US", ["AAPL", "aapl"])
    with pytest.raises(ConfigError, match="no symbols"):
        load_panel("US", [])
    with pytest.raises(ConfigError, match="different timeframes"):
        load_panel("24x7", ["BTCUSD", "EURUSD"])
    with pytest.raises(ConfigError, match="warm-up"):
        load_panel("US", ["AAPL"], warmup_bars=-1)
