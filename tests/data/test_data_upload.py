"""User uploads: parsing (CSV, gzip, Parquet), every refusal with its message, validation before
storing, the store, and the panel loader seeing (and forgetting) an uploaded symbol."""

from __future__ import annotations

import datetime as dt
import gzip
import io

import numpy as np
import polars as pl
import pytest

from ava_backtest.data import user_store
from ava_backtest.data.panel import load_panel
from ava_backtest.data.sample_store import read_sample
from ava_backtest.data.universes import get_symbol, list_symbols
from ava_backtest.data.upload import MAX_BYTES, MAX_ROWS, ingest_upload, parse_upload
from ava_backtest.data.user_store import (
    ShippedSymbolError,
    delete_user_bars,
    read_user_bars,
    save_user_bars,
    user_symbols,
)
from ava_backtest.domain.config import RunConfig
from ava_backtest.domain.errors import ConfigError, DataError, NotFoundError
from ava_backtest.runs.execute import run_backtest

HEADER = "Date,Open,High,Low,Close,Volume\n"


@pytest.fixture(autouse=True)
def ava_home(tmp_path, monkeypatch):
    monkeypatch.setenv("AVA_HOME", str(tmp_path / "home"))
    return tmp_path / "home"


def goog_as_myco(n: int = 600) -> pl.DataFrame:
    """Real bars on real US sessions: GOOG's first ``n`` shipped rows, under another name."""
    return read_sample("US", "GOOG").head(n)


def to_csv(frame: pl.DataFrame) -> bytes:
    return (
        frame.rename(
            {
                "date": "Date",
                "open": "Open",
                "high": "High",
                "low": "Low",
                "close": "Close",
                "adj_close": "Adj Close",
                "volume": "Volume",
            }
        )
        .write_csv()
        .encode()
    )


def scaled(frame: pl.DataFrame, k: float) -> pl.DataFrame:
    return frame.with_columns(pl.col(c) * k for c in ("open", "high", "low", "close", "adj_close"))


def data_error(filename: str, content: bytes) -> DataError:
    with pytest.raises(DataError) as exc:
        parse_upload(filename, content)
    assert exc.value.field == "file"
    return exc.value


# --- parsing ----------------------------------------------------------------------------------


def test_csv_with_aliases_and_any_case() -> None:
    content = (
        b"\xef\xbb\xbfDatetime,OPEN,high,Low,close,adj_close,VOLUME,Ignored\n"
        b"2020-01-03 00:00:00,10,11,9,10.5,10.4,1000,x\n"
        b"2020-01-02 00:00:00, 9.5 ,10.2,9.1,10,9.9,,y\n"
    )
    f = parse_upload("bars.csv", content)
    assert f.columns == ["date", "open", "high", "low", "close", "adj_close", "volume"]
    assert f.schema["date"] == pl.Date and all(f.schema[c] == pl.Float64 for c in f.columns[1:])
    assert f["date"].to_list() == [dt.date(2020, 1, 3), dt.date(2020, 1, 2)]
    assert f["open"].to_list() == [10.0, 9.5]
    assert f["adj_close"].to_list() == [10.4, 9.9]
    assert f["volume"].to_list() == [1000.0, None]  # an empty cell is missing, not zero


def test_timestamp_adj_close_header_and_semicolons() -> None:
    content = b"timestamp;Open;High;Low;Close;Adj. Close;Vol\n2020/01/02;1;2;0.5;1.5;1.2;7\n"
    f = parse_upload("bars.txt", content)
    assert f.row(0) == (dt.date(2020, 1, 2), 1.0, 2.0, 0.5, 1.5, 1.2, 7.0)


def test_adj_close_is_optional_and_defaults_to_close() -> None:
    f = parse_upload("x.csv", (HEADER + "20200102,1,2,0.5,1.5,10\n").encode())
    assert f["adj_close"].to_list() == f["close"].to_list() == [1.5]
    assert f["date"].to_list() == [dt.date(2020, 1, 2)]


def test_parquet_by_magic_bytes() -> None:
    frame = pl.DataFrame(
        {
            "Date": [dt.date(2020, 1, 2), dt.date(2020, 1, 3)],
            "Open": [1, 2],  # integers are numbers too
            "High": [2.0, 3.0],
            "Low": [0.5, 1.0],
            "Close": [1.5, 2.5],
            "Adj Close": [1.4, 2.4],
            "Volume": [100, 200],
        }
    )
    buf = io.BytesIO()
    frame.write_parquet(buf)
    for name in ("bars.parquet", "upload.bin", ""):
        f = parse_upload(name, buf.getvalue())
        assert f["open"].to_list() == [1.0, 2.0] and f["adj_close"].to_list() == [1.4, 2.4]
        assert f.schema["date"] == pl.Date


def test_parquet_datetime_column_becomes_dates() -> None:
    frame = pl.DataFrame(
        {
            "timestamp": [dt.datetime(2020, 1, 2), dt.datetime(2020, 1, 3)],
            **{c: [1.0, 1.0] for c in ("open", "high", "low", "close", "volume")},
        }
    )
    buf = io.BytesIO()
    frame.write_parquet(buf)
    f = parse_upload("x.parquet", buf.getvalue())
    assert f["date"].to_list() == [dt.date(2020, 1, 2), dt.date(2020, 1, 3)]


def test_gzip_by_extension_and_sniffed() -> None:
    csv = to_csv(goog_as_myco(20))
    plain = parse_upload("g.csv", csv)
    assert parse_upload("g.csv.gz", gzip.compress(csv)).equals(plain)
    assert parse_upload("download", gzip.compress(csv)).equals(plain)  # sniffed: no extension
    assert parse_upload("download", csv).equals(plain)  # sniffed text
    assert plain.height == 20 and plain["adj_close"][0] == pytest.approx(50.322842)


# --- refusals ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("x.csv", b"", "the file is empty"),
        ("x.csv", HEADER.encode(), "header but no rows"),
        (
            "x.csv",
            b"Date,Open,High,Low,Volume\n2020-01-02,1,2,0.5,10\n",
            "missing column(s) 'close'",
        ),
        (
            "x.csv",
            (HEADER + "2020-01-02,1,2,0.5,1.5,10\n2020-13-45,1,2,0.5,1.5,10\n").encode(),
            "unparseable date in column 'Date' at row 2 (line 3 of the file): '2020-13-45'",
        ),
        (
            "x.csv",
            (HEADER + "02/01/2020,1,2,0.5,1.5,10\n").encode(),
            "unparseable date in column 'Date' at row 1",  # day-first or month-first? not guessed
        ),
        (
            "x.csv",
            (
                HEADER + "2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,2,0.5,1.5,10\n"
                "2020-01-06,1,2,0.5,1.5,1e3x\n"
            ).encode(),
            "unparseable number in column 'Volume' at row 3 (line 4 of the file): '1e3x'",
        ),
        ("x.csv", (HEADER + "2020-01-02,1,inf,0.5,1.5,10\n").encode(), "column 'High' at row 1"),
        (
            "x.csv",
            (HEADER + '2020-01-02,1,2,0.5,"1,234.5",10\n').encode(),
            "unparseable number in column 'Close'",
        ),
        (
            "x.csv",
            (
                HEADER + "2020-01-02 10:00,1,2,0.5,1.5,10\n2020-01-02 11:00,1,2,0.5,1.5,10\n"
            ).encode(),
            "several bars on 2020-01-02",
        ),
        ("x.csv", (HEADER + "2999-01-02,1,2,0.5,1.5,10\n").encode(), "is in the future"),
        (
            "x.csv",
            b"Date,Time,Open,High,Low,Close,Volume\n2020-01-02,10:00,1,2,0.5,1.5,10\n",
            "'Date', 'Time' all look like 'date'",
        ),
        ("x.parquet", b"Date,Open\n", "not a Parquet file"),
        ("x.csv.gz", b"Date,Open\n", "not gzip-compressed"),
        ("x.csv.gz", gzip.compress(HEADER.encode(), mtime=0)[:-6], "gzip data is"),
        ("book.xlsx", b"PK\x03\x04" + b"\x00" * 50, "export the sheet as CSV"),
        ("blob", b"\x00\x01\x02\x03binary", "not a CSV or Parquet file"),
        ("x.csv", b"x" * (MAX_BYTES + 1), "the limit is 20,971,520 (20 MB)"),
    ],
)
def test_each_refusal_names_what_is_wrong(name: str, content: bytes, message: str) -> None:
    assert message in data_error(name, content).message


def test_formula_and_code_cells_are_data_errors_never_evaluated(ava_home) -> None:
    formula = (HEADER + "2020-01-02,1,2,0.5,=cmd|'/c calc'!A0,10\n").encode()
    e = data_error("x.csv", formula)
    assert "unparseable number in column 'Close' at row 1" in e.message
    assert e.details == {"column": "Close", "row": 1, "value": "=cmd|'/c calc'!A0"}
    marker = ava_home / "PWNED"
    code = (HEADER + f"__import__('os').system('touch {marker}'),1,2,0.5,1.5,10\n").encode()
    assert "unparseable date in column 'Date' at row 1" in data_error("x.csv", code).message
    assert not marker.exists()


def test_too_many_rows() -> None:
    content = (HEADER + "2020-01-02,1,2,0.5,1.5,10\n" * (MAX_ROWS + 1)).encode()
    assert "more than 200,000 rows" in data_error("big.csv", content).message


def test_gzip_bomb_is_refused() -> None:
    bomb = gzip.compress(b"0" * (70 * 1024 * 1024), compresslevel=9)
    assert len(bomb) < MAX_BYTES
    assert "decompresses to more than" in data_error("bomb.csv.gz", bomb).message


# --- validation before storing ----------------------------------------------------------------


def test_unusable_bars_are_refused_with_the_validators_message_and_not_stored() -> None:
    content = (
        HEADER + "2020-01-02,1,2,0.5,1.5,10\n2020-01-03,1,0.5,2,1.5,10\n"  # high < low
    ).encode()
    with pytest.raises(DataError) as exc:
        ingest_upload("US", "MYCO", "bad.csv", content)
    assert exc.value.field == "file"
    assert "MYCO: unusable data: high_below_low on 2020-01-03 (high 0.5 < low 2.0)" in str(
        exc.value
    )
    assert [i["kind"] for i in exc.value.details["issues"]] == ["high_below_low"]
    assert user_symbols("US") == []


def test_safe_problems_are_repaired_and_reported() -> None:
    frame = goog_as_myco(30)
    broken = pl.concat([frame, frame.slice(5, 1)])  # an exact duplicate row
    broken = broken.with_columns(  # a row with no close: the session becomes a gap
        close=pl.when(pl.col("date") == frame["date"][10]).then(None).otherwise(pl.col("close"))
    )
    result = ingest_upload("US", "MYCO", "fix.csv", to_csv(broken))
    kinds = {i.kind for i in result.report.issues if i.action == "repair"}
    assert {"duplicate_row", "nan_price"} <= kinds and result.repaired >= 2
    assert result.rows == 29 and read_user_bars("US", "MYCO").height == 29
    assert result.report.ok and result.info.symbol == "MYCO"


def test_dates_outside_the_calendar_are_a_data_error() -> None:
    content = (HEADER + "1990-01-02,1,2,0.5,1.5,10\n").encode()
    with pytest.raises(DataError, match="outside what the IN calendar covers"):
        ingest_upload("IN", "MYIN", "old.csv", content)


# --- the store --------------------------------------------------------------------------------


def test_save_list_read_delete(ava_home) -> None:
    frame = goog_as_myco(50)
    info = save_user_bars("US", "myco", frame, "C:\\Users\\me\\myco.csv")
    assert info.symbol == "MYCO" and info.market == "US" and info.kind == "equity"
    assert info.price_basis == "as_traded" and not info.synthetic and info.timeframe == "1d"
    assert info.source == "upload: myco.csv" and info.has_corporate_actions
    assert (info.first, info.last) == (frame["date"][0], frame["date"][-1])
    assert "adj_close differs from close" in info.note
    path = ava_home / "data" / "US" / "MYCO.parquet"
    meta = pl.read_parquet_metadata(path)
    assert meta["ava.source"] == "myco.csv" and meta["ava.uploaded_at"].endswith("+00:00")
    stored = pl.read_parquet(path)
    assert stored.schema == pl.Schema(user_store.COLUMNS)
    np.testing.assert_array_equal(stored["volume"].to_numpy(), frame["volume"].to_numpy())

    assert user_symbols("US") == [info] and user_symbols("IN") == []
    assert get_symbol("US", " myco ") == info
    us = list_symbols("US")
    assert us[-1] == info and all(not user_store.is_user_symbol(s) for s in us[:-1])

    plain = save_user_bars("US", "FLAT", frame.with_columns(adj_close=pl.col("close")), "f.csv")
    assert "no corporate-action events" in plain.note and plain.price_basis == "as_traded"
    assert [s.symbol for s in user_symbols("US")] == ["FLAT", "MYCO"]

    assert delete_user_bars("US", "myco") is True
    assert delete_user_bars("US", "MYCO") is False
    assert delete_user_bars("US", "bad/name") is False
    assert [s.symbol for s in user_symbols("US")] == ["FLAT"]
    with pytest.raises(NotFoundError, match="FLAT"):
        get_symbol("US", "MYCO")


@pytest.mark.parametrize(("market", "symbol"), [("US", "goog"), ("US", "GSPC"), ("IN", "INSYN01")])
def test_a_shipped_symbol_is_never_shadowed(market: str, symbol: str) -> None:
    with pytest.raises(ShippedSymbolError, match=symbol.upper()) as exc:
        save_user_bars(market, symbol, goog_as_myco(10), "x.csv")
    assert isinstance(exc.value, ConfigError) and exc.value.field == "symbol"
    with pytest.raises(ShippedSymbolError, match=symbol.upper()):
        ingest_upload(market, symbol, "x.csv", to_csv(goog_as_myco(10)))
    assert user_symbols(market) == []


@pytest.mark.parametrize("symbol", ["", "A" * 21, "MY CO", "../ETC", "-X", "ÄB"])
def test_bad_symbol_names(symbol: str) -> None:
    with pytest.raises(ConfigError, match="1-20 characters"):
        ingest_upload("US", symbol, "x.csv", to_csv(goog_as_myco(10)))


# --- the panel loader -------------------------------------------------------------------------


def test_the_loader_sees_an_upload_runs_on_it_and_forgets_it_after_delete() -> None:
    frame = goog_as_myco(600)
    result = ingest_upload("US", "MYCO", "myco.csv", to_csv(frame))
    assert result.rows == 600

    panel = load_panel("US", ["MYCO"], adjustment="none")
    goog = load_panel("US", ["GOOG"], frame["date"][0], frame["date"][-1], adjustment="none")
    assert panel.symbols == ("MYCO",) and panel.synthetic == (False,)
    np.testing.assert_array_equal(panel.dates, goog.dates)
    np.testing.assert_array_equal(panel.trade_close, goog.trade_close)

    run = run_backtest(RunConfig(strategy_name="sma_crossover", symbols=["MYCO"]))
    assert run.trades.height > 0 and np.isfinite(run.equity).all()

    # A new upload replaces the bars the loader cached.
    ingest_upload("US", "MYCO", "v2.csv", to_csv(scaled(frame, 2.0)))
    again = load_panel("US", ["MYCO"], adjustment="none")
    np.testing.assert_allclose(again.trade_close, 2 * goog.trade_close)

    assert delete_user_bars("US", "MYCO")
    with pytest.raises(NotFoundError, match="unknown symbol 'MYCO'"):
        load_panel("US", ["MYCO"])


def test_another_process_upload_is_seen_without_the_hook(monkeypatch) -> None:
    """Workers never call the hook: the generation token on disk is what invalidates."""
    frame = goog_as_myco(100)
    save_user_bars("US", "MYCO", frame, "a.csv")
    first = load_panel("US", ["MYCO"], adjustment="none").trade_close.copy()
    monkeypatch.setattr("ava_backtest.data.panel.forget_cached_series", lambda: None)
    save_user_bars("US", "MYCO", scaled(frame, 1.01), "b.csv")
    np.testing.assert_allclose(
        load_panel("US", ["MYCO"], adjustment="none").trade_close, first * 1.01
    )
