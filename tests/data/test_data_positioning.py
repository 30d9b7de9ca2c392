"""data.positioning: put/call ratio and open interest by strike, parsed, stored, replaced per
symbol, refused naming the cell, and given to strategies as (bars, symbols) arrays; max pain
computed by hand."""

from __future__ import annotations

import datetime as dt

import numpy as np
import polars as pl
import pytest

from ava_backtest.data.options import ingest_table, read_table
from ava_backtest.data.positioning import (
    OI,
    PCR,
    max_pain_table,
    positioning_extras,
    synthetic_open_interest,
    synthetic_put_call_ratio,
)
from ava_backtest.domain.errors import DataError


@pytest.fixture(autouse=True)
def home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))


DAYS = np.array(["2024-05-01", "2024-05-02", "2024-05-03", "2024-05-06"], dtype="datetime64[ns]")

OI_CSV = b"""symbol,date,expiry,strike,type,open_interest
spy,2024-05-01,2024-05-17,90,call,100
SPY,2024-05-01,2024-05-17,100,call,500
SPY,2024-05-01,2024-05-17,110,call,50
SPY,2024-05-01,2024-05-17,90,put,50
SPY,2024-05-01,2024-05-17,100,put,300
SPY,2024-05-01,2024-05-17,110,put,400
SPY,2024-05-01,2024-06-21,100,call,9000
SPY,2024-05-02,2024-05-17,90,call,1000
SPY,2024-05-02,2024-05-17,110,put,10
SPY,2024-05-03,2024-05-03,95,put,10
SPY,2024-05-03,2024-05-17,120,call,10
"""


def _pain(rows, k):
    """The holders' intrinsic value at expiry price k, summed by hand."""
    return sum(oi * max(k - s, 0) if t == "call" else oi * max(s - k, 0) for s, t, oi in rows)


def test_max_pain_is_the_listed_strike_where_the_holders_collect_least():
    rows = [(90, "call", 100), (100, "call", 500), (110, "call", 50),
            (90, "put", 50), (100, "put", 300), (110, "put", 400)]  # fmt: skip
    by_hand = {k: _pain(rows, k) for k in (90, 100, 110)}
    assert by_hand == {90: 11_000, 100: 5_000, 110: 7_000}
    table = pl.DataFrame(
        [
            ("X", dt.date(2024, 5, 1), dt.date(2024, 5, 17), float(s), t, float(oi))
            for s, t, oi in rows
        ],
        schema=["symbol", "date", "expiry", "strike", "type", "open_interest"],
        orient="row",
    )
    assert max_pain_table(table)["max_pain"].to_list() == [100.0]
    # A tie goes to the lower strike: 10 calls at 90 and 10 puts at 110 pay 200 at either.
    tie = table.filter(pl.col("strike") != 100).with_columns(open_interest=pl.lit(10.0))
    assert max_pain_table(tie)["max_pain"].to_list() == [90.0]


def test_open_interest_gives_the_nearest_expirys_max_pain_and_days_to_it():
    ingest_table(OI, "US", "oi.csv", OI_CSV)
    out = positioning_extras("open_interest", "US", ["SPY"], DAYS, who="test")
    # 05-01: the 05-17 expiry (not 06-21's heavier chain) -> 100, 16 days.
    # 05-02: calls at 90 and puts at 110 only -> 90 (calls pay nothing at 90, puts 10 x 20).
    # 05-03: the expiry that day is still the nearest -> 95, 0 days.
    # 05-06: no rows -> NaN.
    mp, days = out["max_pain"][:, 0], out["days_to_expiry"][:, 0]
    assert mp[:3].tolist() == [100.0, 90.0, 95.0] and np.isnan(mp[3])
    assert days[:3].tolist() == [16.0, 15.0, 0.0] and np.isnan(days[3])


def test_put_call_ratio_is_each_sessions_ratio_and_an_upload_replaces_only_its_symbols():
    ingest_table(PCR, "US", "a.csv", b"symbol,date,pcr\nSPY,2024-05-01,1.2\nQQQ,2024-05-01,0.7\n")
    ingest_table(PCR, "US", "b.csv", b"Ticker,Date,Put_Call_Ratio\nSPY,2024-05-02,0.9\n")
    stored = read_table(PCR, "US")
    assert sorted(stored["symbol"].to_list()) == ["QQQ", "SPY"]
    out = positioning_extras("put_call_ratio", "US", ["SPY", "QQQ"], DAYS, who="test")
    r = out["put_call_ratio"]
    assert np.isnan(r[0, 0]) and r[1, 0] == 0.9 and r[0, 1] == 0.7 and np.isnan(r[1, 1])


@pytest.mark.parametrize(
    ("kind", "content", "words"),
    [
        (PCR, b"symbol,date,ratio\nSPY,2024-05-01,-1\n", ("ratio", "row 1")),
        (PCR, b"symbol,date,ratio\nSPY,01/05/2024,1\n", ("date", "row 1")),
        (PCR, b"symbol,date\nSPY,2024-05-01\n", ("missing column", "put_call_ratio")),
        (
            OI,
            b"symbol,date,expiry,strike,type,oi\nSPY,2024-05-01,2024-05-17,100,straddle,5\n",
            ("type", "row 1"),
        ),
        (
            OI,
            b"symbol,date,expiry,strike,type,oi\nSPY,2024-05-01,2024-05-17,100,call,-5\n",
            ("oi", "row 1"),
        ),
    ],
)
def test_bad_cells_are_refused_naming_the_column_and_row(kind, content, words):
    with pytest.raises(DataError) as err:
        ingest_table(kind, "US", "bad.csv", content)
    assert err.value.field == "file"
    for w in words:
        assert w in err.value.message


@pytest.mark.parametrize("need", ["put_call_ratio", "open_interest"])
def test_without_a_table_the_error_names_the_data_the_symbols_and_the_upload(need):
    with pytest.raises(DataError) as err:
        positioning_extras(need, "US", ["AAPL", "IBM"], DAYS, who="strategy 'x'")
    assert err.value.field == need
    assert "AAPL, IBM" in err.value.message and "docs/data.md" in err.value.message
    assert "POST /api/v2/data/" in err.value.message


def test_generated_tables_round_trip_through_the_store():
    dates = np.arange(np.datetime64("2024-01-02"), np.datetime64("2024-04-01"))
    close = np.linspace(100, 120, len(dates))[:, None]
    from ava_backtest.data.options import save_table

    save_table(PCR, "US", synthetic_put_call_ratio(("A",), dates, close), "gen.csv")
    save_table(OI, "US", synthetic_open_interest(("A",), dates, close), "gen.csv")
    pcr = positioning_extras("put_call_ratio", "US", ["A"], dates, who="t")["put_call_ratio"]
    oi = positioning_extras("open_interest", "US", ["A"], dates, who="t")
    assert np.isfinite(pcr).all() and (pcr > 0).all()
    assert np.isfinite(oi["max_pain"]).all() and (oi["days_to_expiry"] <= 31).all()
    assert (np.abs(oi["max_pain"][25:, 0] / close[25:, 0] - 1) < 0.15).all()
