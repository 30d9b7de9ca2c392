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

# What the validator finds in each shipped series (kind -> count). Real data, real findings:
# each count is recounted from the raw file, independently of the validator, by ``_recount``.
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


_STEP_MINUTES = {"15m": 15, "1h": 60}
_PRICES = ("open", "high", "low", "close")


def _raw(symbol: str) -> pl.DataFrame:
    series = next(s for s in SAMPLES if s.symbol == symbol)
    return load_sample_bars(series.market, symbol)


def _recount(symbol: str) -> dict[str, int]:
    """The findings counted straight from the raw file with plain polars, in the validator's order
    (sort, exact duplicates, same-time revisions keeping the later, off-grid bars, gaps, missing
    prices, zero volume reported once): an oracle that shares no code with the validator."""
    series = next(s for s in SAMPLES if s.symbol == symbol)
    f = _raw(symbol)
    t = f.columns[0]
    out: dict[str, int] = {}
    if not f[t].is_sorted():
        out["unsorted"] = 1
    f = f.sort(t, maintain_order=True)
    distinct = f.unique(maintain_order=True)
    out["duplicate_row"] = f.height - distinct.height
    out["duplicate_time"] = distinct.height - distinct[t].n_unique()
    kept = distinct.unique(subset=[t], keep="last", maintain_order=True)
    if series.timeframe in _STEP_MINUTES:
        step = _STEP_MINUTES[series.timeframe] * 60 * 10**9
        ns = kept[t].dt.epoch("ns").to_numpy()
        on_grid = ns % step == 0
        out["off_grid"] = int((~on_grid).sum())
        out["gap"] = int((np.diff(ns[on_grid]) > step).sum())
        kept = kept.filter(pl.Series(on_grid))
    missing = pl.any_horizontal([pl.col(c).is_null() | pl.col(c).is_nan() for c in _PRICES])
    out["nan_price"] = kept.filter(missing).height
    out["zero_volume"] = int((kept["volume"] == 0).any())
    return {k: v for k, v in out.items() if v}


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


@pytest.mark.parametrize("symbol", list(EXPECTED))
def test_pinned_findings_are_what_the_raw_file_holds(symbol: str) -> None:
    assert _recount(symbol) == EXPECTED[symbol]


def test_btcusd_repairs_in_detail() -> None:
    frame, report = _clean("BTCUSD")
    raw = _raw("BTCUSD")
    # Dropped: exact copies, the earlier of two revisions of a bar, and off-grid snapshots.
    dropped = sum(EXPECTED["BTCUSD"][k] for k in ("duplicate_row", "duplicate_time", "off_grid"))
    assert (report.rows_in, report.rows_out) == (raw.height, raw.height - dropped)
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
    at = dt.datetime(2021, 10, 27, 13, 45, tzinfo=dt.UTC)
    revisions = raw.filter(pl.col("ts") == at)
    assert revisions["close"].n_unique() == 2  # the file holds two different closes for it
    assert frame.filter(pl.col("ts") == at)["close"].item() == revisions["close"][-1]
    largest_gap = issues.filter(pl.col("kind") == "gap")["detail"].str.extract(r"^(\d+)").cast(int)
    # 2021-11-27 .. 2021-11-29: the source has no bars; the 15-minute bars missing in between.
    before = dt.datetime(2021, 11, 27, tzinfo=dt.UTC)
    after = dt.datetime(2021, 11, 30, tzinfo=dt.UTC)
    times = frame.filter(pl.col("ts").is_between(before, after))["ts"]
    widest = times.diff().max()
    assert isinstance(widest, dt.timedelta)
    assert largest_gap.max() == widest // dt.timedelta(minutes=15) - 1


def test_vix_holiday_rows_are_dropped_not_sessions() -> None:
    frame, report = _clean("VIX")
    dropped = report.to_frame().filter(pl.col("kind") == "nan_price")["date"].to_list()
    assert "2018-12-05" in dropped  # national day of mourning, NYSE closed
    assert "missing_session" not in report.counts()
    assert frame.height == _raw("VIX").height - EXPECTED["VIX"]["nan_price"]


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


def _hourly(stamps: list[str]) -> pl.DataFrame:
    ts = pl.Series("ts", stamps).str.to_datetime("%Y-%m-%d %H:%M", time_zone="UTC")
    n = len(stamps)
    return pl.DataFrame(
        {"ts": ts, "open": [10.0] * n, "high": [11.0] * n, "low": [9.0] * n,
         "close": [10.5] * n, "volume": [1000.0] * n}
    )  # fmt: skip


@pytest.mark.parametrize(
    ("market", "session", "stray"),
    [
        # New York opens 09:30 (14:30 UTC in January): hours start at :30 of the session
        ("US", ["14:30", "15:30", "16:30", "17:30", "18:30", "19:30", "20:30"], "15:00"),
        # Mumbai opens 09:15 (03:45 UTC): hours start at :45 UTC
        ("IN", ["03:45", "04:45", "05:45", "06:45", "07:45", "08:45", "09:45"], "04:00"),
    ],
)
def test_hourly_exchange_bars_are_on_the_session_grid(market, session, stray):
    day = "2024-01-09"
    frame = _hourly([f"{day} {t}" for t in session])
    _, report = clean_bars(frame, "X", market=market, timeframe="1h")
    assert report.counts().get("off_grid", 0) == 0
    # a bar on the clock's hour inside the session is off the session's grid and dropped
    with_stray = _hourly(sorted([f"{day} {t}" for t in session] + [f"{day} {stray}"]))
    cleaned, report = clean_bars(with_stray, "X", market=market, timeframe="1h")
    assert report.counts().get("off_grid", 0) == 1
    assert cleaned.height == len(session)
