"""The validator on every real sample (findings pinned) and on hand-made broken frames."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.sample_store import SAMPLES, load_sample_bars
from ava_backtest.data.universes import get_symbol
from ava_backtest.data.validator import check_bars, clean_bars
from ava_backtest.domain.errors import DataError

# What the validator finds in each shipped series (kind -> count). Real data, real findings.
EXPECTED = {
    "AAPL": {},
    "IBM": {},
    "MSFT": {},
    "GOOG": {},
    "AMZN": {},
    "NVDA": {},
    "GSPC": {},
    "IXIC": {"zero_volume": 1},
    "VIX": {"nan_price": 46},
    "EURUSD": {"gap": 42},
    "BTCUSD": {
        "unsorted": 1,
        "duplicate_row": 21,
        "duplicate_time": 11,
        "off_grid": 3,
        "gap": 9,
        "zero_volume": 1,
    },
}


def _clean(symbol: str):
    series = next(s for s in SAMPLES if s.symbol == symbol)
    info = get_symbol(series.market, symbol)
    return clean_bars(
        load_sample_bars(series.market, symbol),
        symbol,
        market=series.market,
        timeframe=series.timeframe,
        corporate_actions=info.has_corporate_actions,
    )


@pytest.mark.parametrize("symbol", list(EXPECTED))
def test_real_sample_findings(symbol: str) -> None:
    frame, report = _clean(symbol)
    assert report.counts() == EXPECTED[symbol]
    assert report.ok
    assert report.rows_out == frame.height
    assert frame[frame.columns[0]].is_sorted()
    assert frame[frame.columns[0]].is_unique().all()


def test_btcusd_repairs_in_detail() -> None:
    frame, report = _clean("BTCUSD")
    assert (report.rows_in, report.rows_out) == (8721, 8686)
    issues = report.to_frame()
    off = issues.filter(pl.col("kind") == "off_grid")["date"].to_list()
    assert off == [
        "2021-10-27 13:46:02+00:00",
        "2021-11-27 06:01:03+00:00",
        "2021-12-29 13:50:02+00:00",
    ]
    # Two downloads of 2021-10-27 06:00..13:45 overlap; the later revision is kept.
    conflicts = issues.filter(pl.col("kind") == "duplicate_time")
    assert conflicts["date"].min() == "2021-10-27 06:00:00+00:00"
    assert "high, low, close" in conflicts.filter(pl.col("date").str.contains("13:45"))["detail"][0]
    bar = frame.filter(pl.col("ts") == dt.datetime(2021, 10, 27, 13, 45, tzinfo=dt.UTC))
    assert bar["close"].item() == pytest.approx(59050.125)
    largest_gap = issues.filter(pl.col("kind") == "gap")["detail"].str.extract(r"^(\d+)").cast(int)
    assert largest_gap.max() == 222  # 2021-11-27 .. 2021-11-29: the source has no bars


def test_vix_holiday_rows_are_dropped_not_sessions() -> None:
    frame, report = _clean("VIX")
    dropped = report.to_frame().filter(pl.col("kind") == "nan_price")["date"].to_list()
    assert "2018-12-05" in dropped  # national day of mourning, NYSE closed
    assert "missing_session" not in report.counts()
    assert frame.height == 1305 - 46


def test_validation_report_as_frame() -> None:
    _, report = _clean("IXIC")
    df = report.to_frame()
    assert df.columns == ["symbol", "date", "kind", "detail", "severity", "action"]
    assert df.row(0) == (
        "IXIC",
        "2015-05-12",
        "zero_volume",
        "2 bars with zero volume, 2015-05-12 .. 2018-01-09",
        "info",
        "report",
    )
    assert "IXIC" in report.summary()


def _frame(**cols: list) -> pl.DataFrame:
    n = len(cols["close"])
    base = {
        "date": [dt.date(2021, 1, 4) + dt.timedelta(days=i) for i in range(n)],
        "open": cols["close"],
        "high": [c + 1 for c in cols["close"]],
        "low": [c - 1 for c in cols["close"]],
        "volume": [1000.0] * n,
    }
    base.update(cols)
    return pl.DataFrame(base).select("date", "open", "high", "low", "close", "volume")


def test_refuses_empty_all_nan_and_negative() -> None:
    empty = _frame(close=[10.0]).clear()
    with pytest.raises(DataError, match="XYZ: unusable data: empty"):
        clean_bars(empty, "XYZ")
    with pytest.raises(DataError, match="all_nan"):
        clean_bars(_frame(close=[np.nan, np.nan], open=[np.nan] * 2), "XYZ")
    with pytest.raises(DataError, match=r"XYZ: .*negative_price on 2021-01-05"):
        clean_bars(_frame(close=[10.0, -1.0, 10.0]), "XYZ")
    report = check_bars(_frame(close=[10.0, -1.0, 10.0]), "XYZ")  # reports, never raises
    assert not report.ok
    assert report.refused[0].kind == "negative_price"


def test_refuses_high_below_low_and_far_outside_range() -> None:
    bad = _frame(close=[10.0, 10.0], high=[11.0, 9.0], low=[9.0, 9.5])
    with pytest.raises(DataError, match="high_below_low on 2021-01-05"):
        clean_bars(bad, "XYZ")
    far = _frame(close=[10.0, 12.0], high=[11.0, 11.0], low=[9.0, 9.0])
    with pytest.raises(DataError, match=r"close 12\.0 outside"):
        clean_bars(far, "XYZ", tick_size=0.01)


def test_repairs_within_a_tick_duplicates_nan_and_zero_rows() -> None:
    f = _frame(
        close=[10.0, 10.005, 0.0, np.nan, 10.0],
        high=[11.0, 10.0, 1.0, 1.0, 11.0],
        low=[9.0, 9.0, 0.0, 0.0, 9.0],
    )
    f = pl.concat([f, f.slice(4, 1)])  # an exact duplicate of the last row
    cleaned, report = clean_bars(f, "XYZ", tick_size=0.01)
    assert report.counts() == {
        "duplicate_row": 1,
        "outside_range": 2,  # open and close of 2021-01-05
        "nan_price": 1,
        "zero_price": 1,
    }
    assert all(i.action == "repair" for i in report.issues)
    assert cleaned.height == 3
    assert cleaned["close"].to_list() == [10.0, 10.0, 10.0]  # 10.005 clipped to the 10.0 high
    assert cleaned["open"].to_list() == [10.0, 10.0, 10.0]


def test_calendar_checks_on_us_sessions() -> None:
    # 2021-01-04 Mon .. 2021-01-10 Sun: the weekend rows are not sessions; Thursday is missing.
    f = _frame(close=[10.0] * 7).filter(pl.col("date") != dt.date(2021, 1, 7))
    cleaned, report = clean_bars(f, "XYZ", market="US")
    assert report.counts() == {"non_session": 2, "missing_session": 1}
    missing = [i for i in report.issues if i.kind == "missing_session"]
    assert missing[0].date == dt.date(2021, 1, 7)
    assert cleaned["date"].dt.weekday().max() <= 5


def test_unadjusted_split_jump_is_flagged_unless_the_factor_explains_it() -> None:
    close = [100.0, 101.0, 50.4, 50.0]
    f = _frame(close=close)
    report = check_bars(f, "XYZ")
    jumps = [i for i in report.issues if i.kind == "suspicious_jump"]
    assert [i.date for i in jumps] == [dt.date(2021, 1, 6)]
    assert "2:1 split" in jumps[0].detail
    explained = f.with_columns(adj_close=pl.Series([50.0, 50.5, 50.4, 50.0]))
    assert "suspicious_jump" not in check_bars(explained, "XYZ").counts()
    # A real 52% crash is 4% away from a 2:1 ratio: not a split (AAPL 2000-09-29).
    crash = _frame(close=[53.5, 25.75])
    assert "suspicious_jump" not in check_bars(crash, "XYZ").counts()
    assert "suspicious_jump" not in check_bars(f, "XYZ", corporate_actions=False).counts()


def test_factor_drop_and_missing_adj_close() -> None:
    f = _frame(close=[10.0, 10.0, 10.0, 10.0]).with_columns(
        adj_close=pl.Series([5.0, None, 5.0, 4.5])
    )
    cleaned, report = clean_bars(f, "XYZ")
    assert report.counts() == {"nan_adj_close": 1, "factor_drop": 1}
    assert cleaned["adj_close"].to_list() == [5.0, 5.0, 5.0, 4.5]


def test_missing_columns_refused() -> None:
    with pytest.raises(DataError, match="missing_column"):
        clean_bars(pl.DataFrame({"date": [dt.date(2021, 1, 4)], "close": [1.0]}), "XYZ")
