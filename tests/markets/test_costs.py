"""Fee lines against worked examples computed by hand (docs/costs.md has the same arithmetic).

Amounts are rounded per line, half away from zero: cents for US lines, paise for Indian lines except
STT (whole rupees).
"""

from __future__ import annotations

import numba
import numpy as np
import pytest

from ava_backtest.domain.errors import ConfigError, NotFoundError
from ava_backtest.markets import CostModel, cost_model, fill_fees, zero_cost_model
from ava_backtest.markets.costs import (
    BASIS_PCT_LINES,
    BASIS_PCT_VALUE,
    BASIS_PER_SHARE,
    COL_LINES_MASK,
    COL_RATE,
    validate_table,
)

INF = np.inf


def approx(x: float) -> object:
    return pytest.approx(x, abs=1e-9)


def fees(model: CostModel, side: str, qty: float, price: float, date: str) -> dict[str, float]:
    return model.fees_for_fill(side == "sell", qty, price, date)


def total(lines: dict[str, float]) -> float:
    return sum(lines.values())


# ----------------------------------------------------------------------------------------- US


@pytest.fixture(scope="module")
def us() -> CostModel:
    return cost_model("US")


def test_us_commission_minimum(us):
    # buy 100 sh @ $50: commission max(100*0.005=0.50, 1.00)=1.00; cap 1% of $5,000 = $50 not hit
    f = fees(us, "buy", 100, 50.0, "2024-06-03")
    assert f == {"commission": approx(1.00), "sec_fee": 0.0, "finra_taf": 0.0}


def test_us_commission_per_share(us):
    # buy 1,000 sh @ $50: 1,000*0.005 = 5.00 (> 1.00 minimum, < $500 cap)
    assert fees(us, "buy", 1000, 50.0, "2024-06-03")["commission"] == approx(5.00)


def test_us_commission_capped_at_one_percent(us):
    # buy 1,000 sh @ $0.20: value $200; raw 5.00, min 1.00 -> 5.00; cap 1% x 200 = 2.00 -> 2.00
    assert fees(us, "buy", 1000, 0.20, "2024-06-03")["commission"] == approx(2.00)
    # buy 10 sh @ $5: value $50; raw 0.05 -> minimum 1.00 -> cap 0.50 wins (cap after minimum)
    assert fees(us, "buy", 10, 5.0, "2024-06-03")["commission"] == approx(0.50)


def test_us_sec_fee_only_on_sells_at_the_rate_of_the_date(us):
    # sell 1,000 sh @ $50 = $50,000 on 2024-06-03 (SEC $27.80 per million since 2024-05-22):
    #   commission 5.00; SEC 50,000 * 27.80e-6 = 1.39; TAF 1,000 * 0.000166 = 0.166 -> 0.17
    f = fees(us, "sell", 1000, 50.0, "2024-06-03")
    assert f == {"commission": approx(5.00), "sec_fee": approx(1.39), "finra_taf": approx(0.17)}
    assert total(f) == approx(6.56)
    # same sale on 2024-05-21, the last day of $8.00 per million: 50,000 * 8e-6 = 0.40
    assert fees(us, "sell", 1000, 50.0, "2024-05-21")["sec_fee"] == approx(0.40)
    # 1999: 1/300 of 1% = $33.33 per million: 50,000 / 30,000 = 1.6667 -> 1.67; no TAF before 2002-10
    f = fees(us, "sell", 1000, 50.0, "1999-06-01")
    assert f == {"commission": approx(5.00), "sec_fee": approx(1.67), "finra_taf": 0.0}
    # from 2025-05-14 the SEC rate is $0.00 per million: no fee, not even the one-cent floor
    assert fees(us, "sell", 1000, 50.0, "2025-06-02")["sec_fee"] == 0.0
    # the same trade bought pays neither regulatory fee
    f = fees(us, "buy", 1000, 50.0, "2024-06-03")
    assert f["sec_fee"] == 0.0 and f["finra_taf"] == 0.0


def test_us_finra_taf_cap(us):
    # sell 100,000 sh @ $10 = $1,000,000 on 2024-06-03:
    #   commission 100,000*0.005 = 500.00 (cap 1% = 10,000); SEC 1,000,000 * 27.80e-6 = 27.80;
    #   TAF 100,000 * 0.000166 = 16.60 -> capped at 8.30
    f = fees(us, "sell", 100_000, 10.0, "2024-06-03")
    assert f == {"commission": approx(500.0), "sec_fee": approx(27.80), "finra_taf": approx(8.30)}
    assert total(f) == approx(536.10)
    # 2023 rates: TAF 100,000 * 0.000145 = 14.50 -> cap 7.27; SEC $8.00 per million -> 8.00
    f = fees(us, "sell", 100_000, 10.0, "2023-06-01")
    assert f["finra_taf"] == approx(7.27) and f["sec_fee"] == approx(8.00)


def test_us_regulatory_fees_floor_at_one_cent(us):
    # sell 1 sh @ $10: commission 0.005 -> 1.00 minimum -> 1% cap 0.10;
    #   SEC 10 * 27.80e-6 = 0.000278 -> 0.01 floor; TAF 0.000166 -> 0.01 floor
    f = fees(us, "sell", 1, 10.0, "2024-06-03")
    assert f == {"commission": approx(0.10), "sec_fee": approx(0.01), "finra_taf": approx(0.01)}


# ----------------------------------------------------------------------------------------- India


@pytest.fixture(scope="module")
def nse() -> CostModel:
    return cost_model("IN", "delivery", "NSE")


@pytest.fixture(scope="module")
def bse() -> CostModel:
    return cost_model("IN", "delivery", "BSE")


def test_india_delivery_nse_buy_and_sell(nse):
    # 100 sh @ Rs 2,500 = Rs 2,50,000 on 2025-01-15 (NSE 0.00297% since 2024-10-01)
    # buy:  brokerage 0; STT 0.1% = 250; exchange 250,000 * 0.0000297 = 7.425 -> 7.43;
    #       SEBI 250,000 * 10/1e7 = 0.25; stamp 0.015% = 37.50; DP 0 (sells only);
    #       GST 18% x (0 + 7.43 + 0.25 + 0) = 1.3824 -> 1.38;      total 296.56
    buy = fees(nse, "buy", 100, 2500.0, "2025-01-15")
    assert buy == {
        "brokerage": 0.0,
        "stt": approx(250.0),
        "exchange_txn": approx(7.43),
        "sebi_fee": approx(0.25),
        "stamp_duty": approx(37.50),
        "dp_charges": 0.0,
        "gst": approx(1.38),
    }
    assert total(buy) == approx(296.56)
    # sell: STT 250; exchange 7.43; SEBI 0.25; no stamp; DP 13.50;
    #       GST 18% x (7.43 + 0.25 + 13.50 = 21.18) = 3.8124 -> 3.81;  total 274.99
    sell = fees(nse, "sell", 100, 2500.0, "2025-01-15")
    assert sell == {
        "brokerage": 0.0,
        "stt": approx(250.0),
        "exchange_txn": approx(7.43),
        "sebi_fee": approx(0.25),
        "stamp_duty": 0.0,
        "dp_charges": approx(13.50),
        "gst": approx(3.81),
    }
    assert total(sell) == approx(274.99)


def test_india_delivery_bse_buy_and_sell(bse):
    # BSE 0.00375%: exchange 250,000 * 0.0000375 = 9.375 -> 9.38
    # buy:  250 + 9.38 + 0.25 + 37.50 + GST 18% x (9.38 + 0.25 = 9.63) = 1.7334 -> 1.73 = 298.86
    buy = fees(bse, "buy", 100, 2500.0, "2025-01-15")
    assert buy["exchange_txn"] == approx(9.38) and buy["gst"] == approx(1.73)
    assert total(buy) == approx(298.86)
    # sell: 250 + 9.38 + 0.25 + 13.50 + GST 18% x (9.38 + 0.25 + 13.50 = 23.13) = 4.1634 -> 4.16
    sell = fees(bse, "sell", 100, 2500.0, "2025-01-15")
    assert sell["gst"] == approx(4.16)
    assert total(sell) == approx(277.29)


def test_india_delivery_before_true_to_label(nse):
    # 2024-06-03, NSE 0.00322%: exchange 250,000 * 0.0000322 = 8.05;
    #   GST 18% x (8.05 + 0.25) = 1.494 -> 1.49; total 250 + 8.05 + 0.25 + 37.50 + 1.49 = 297.29
    buy = fees(nse, "buy", 100, 2500.0, "2024-06-03")
    assert buy["exchange_txn"] == approx(8.05) and buy["gst"] == approx(1.49)
    assert total(buy) == approx(297.29)


def test_india_intraday_round_trip():
    m = cost_model("IN", "intraday", "NSE")
    # buy 100 @ 2,500 (value 2,50,000): brokerage min(20, 0.03% = 75) = 20.00; no STT on buys;
    #   exchange 7.425 -> 7.43; SEBI 0.25; stamp 0.003% = 7.50;
    #   GST 18% x (20 + 7.43 + 0.25 = 27.68) = 4.9824 -> 4.98;   total 40.16
    buy = fees(m, "buy", 100, 2500.0, "2025-01-15")
    assert buy == {
        "brokerage": approx(20.0),
        "stt": 0.0,
        "exchange_txn": approx(7.43),
        "sebi_fee": approx(0.25),
        "stamp_duty": approx(7.50),
        "gst": approx(4.98),
    }
    # sell 100 @ 2,520 (value 2,52,000): brokerage min(20, 75.60) = 20; STT 0.025% = 63.00 -> 63;
    #   exchange 252,000 * 0.0000297 = 7.4844 -> 7.48; SEBI 0.252 -> 0.25; no stamp;
    #   GST 18% x (20 + 7.48 + 0.25 = 27.73) = 4.9914 -> 4.99;    total 95.72
    sell = fees(m, "sell", 100, 2520.0, "2025-01-15")
    assert sell == {
        "brokerage": approx(20.0),
        "stt": approx(63.0),
        "exchange_txn": approx(7.48),
        "sebi_fee": approx(0.25),
        "stamp_duty": 0.0,
        "gst": approx(4.99),
    }
    assert total(buy) + total(sell) == approx(40.16 + 95.72)  # 135.88 for the round trip
    # a small intraday buy, 10 @ 500 (value 5,000): brokerage 0.03% = 1.50 (< 20);
    #   exchange 0.1485 -> 0.15; SEBI 0.005 -> 0.01 (half away); stamp 0.15;
    #   GST 18% x (1.50 + 0.15 + 0.01 = 1.66) = 0.2988 -> 0.30;   total 2.11
    small = fees(m, "buy", 10, 500.0, "2025-01-15")
    assert small["brokerage"] == approx(1.50) and small["sebi_fee"] == approx(0.01)
    assert small["gst"] == approx(0.30) and total(small) == approx(2.11)


def test_gst_base_is_brokerage_exchange_sebi_and_dp(nse):
    names = nse.line_names
    table = nse.table_at("2025-01-15")
    gst = names.index("gst")
    want = {"brokerage", "exchange_txn", "sebi_fee", "dp_charges"}  # not STT, not stamp duty
    bits = int(table[gst, COL_LINES_MASK])
    assert {n for i, n in enumerate(names) if bits >> i & 1} == want
    assert bits == 1 + 4 + 8 + 32
    intraday = cost_model("IN", "intraday")
    bits = int(intraday.table_at("2025-01-15")[intraday.line_names.index("gst")][COL_LINES_MASK])
    assert bits == 1 + 4 + 8  # intraday has no DP charge line
    # service tax before GST: 2016-06-01 .. 2017-06-30 at 15%: a delivery sell of 100 @ 2,500
    #   (NSE 0.00325%, SEBI Rs 15/crore): exchange 8.125 -> 8.13; SEBI 0.375 -> 0.38; DP 13.50;
    #   tax 15% x (8.13 + 0.38 + 13.50 = 22.01) = 3.3015 -> 3.30
    assert fees(nse, "sell", 100, 2500.0, "2017-01-02")["gst"] == approx(3.30)


def test_rounding_rules(nse):
    # STT is rounded to whole rupees, half away from zero: 1 sh @ 2,500 -> 2.5 -> 3; @ 2,400 -> 2
    assert fees(nse, "buy", 1, 2500.0, "2025-01-15")["stt"] == approx(3.0)
    assert fees(nse, "buy", 1, 2400.0, "2025-01-15")["stt"] == approx(2.0)
    # other rupee lines to paise: exchange 2,500 * 0.0000297 = 0.07425 -> 0.07
    assert fees(nse, "buy", 1, 2500.0, "2025-01-15")["exchange_txn"] == approx(0.07)
    # the kernel's rounding on a hand-made table: 0.125 -> 0.13 (half away), 0.115 -> 0.12,
    # -1 = unrounded
    table = np.array(
        [
            [BASIS_PER_SHARE, 1, 1, 0.125, 0, INF, INF, 2, 0],
            [BASIS_PER_SHARE, 1, 1, 0.115, 0, INF, INF, 2, 0],
            [BASIS_PER_SHARE, 1, 1, 0.125, 0, INF, INF, -1, 0],
            [BASIS_PCT_VALUE, 1, 1, 0.001, 0, INF, INF, 0, 0],
        ],
        dtype=np.float64,
    )
    out = np.zeros(4)
    fill_fees(table, False, 1.0, 1500.0, out)
    assert out.tolist() == [approx(0.13), approx(0.12), 0.125, approx(2.0)]  # 1.5 -> 2


def test_apply_order_min_then_caps_then_rounding():
    # value 1 * 1,000 = 1,000; line 0: raw 0.1% = 1.00 -> min 5.00 -> max_abs 3.00 -> 3.00
    # line 1: raw 2% = 20.00 -> caps 50.00 and 1% of value = 10.00 -> 10.00
    # line 2: 10% of (line 0 + line 1 = 13.00) = 1.30, charged on sells only
    table = np.array(
        [
            [BASIS_PCT_VALUE, 1, 1, 0.001, 5.0, 3.0, INF, 2, 0],
            [BASIS_PCT_VALUE, 1, 1, 0.02, 0.0, 50.0, 0.01, 2, 0],
            [BASIS_PCT_LINES, 0, 1, 0.10, 0.0, INF, INF, 2, 0b11],
        ],
        dtype=np.float64,
    )
    validate_table(table)
    out = np.zeros(3)
    assert fill_fees(table, True, 1.0, 1000.0, out) == approx(14.30)
    assert out.tolist() == [approx(3.0), approx(10.0), approx(1.30)]
    assert fill_fees(table, False, 1.0, 1000.0, out) == approx(13.0)
    assert out[2] == 0.0


def test_zero_qty_costs_nothing(nse, us):
    out = np.full(nse.n_lines, 99.0)
    assert fill_fees(nse.table_at("2025-01-15"), True, 0.0, 2500.0, out) == 0.0
    assert (out == 0.0).all()  # not even the DP charge's flat 13.50
    assert total(fees(us, "sell", 0, 50.0, "2024-06-03")) == 0.0


# ----------------------------------------------------------------------------------------- epochs


def test_for_dates_epochs_across_a_rate_change(us):
    dates = np.array(
        ["2024-05-20", "2024-05-21", "2024-05-22", "2024-05-23", "2024-05-24"],
        dtype="datetime64[ns]",
    )
    tables, epoch = us.for_dates(dates)
    assert tables.shape == (2, 3, 9) and tables.dtype == np.float64
    assert tables.flags.c_contiguous and tables.flags.writeable
    assert epoch.dtype == np.int64 and epoch.tolist() == [0, 0, 1, 1, 1]
    sec = us.line_names.index("sec_fee")
    assert tables[0, sec, COL_RATE] == pytest.approx(8.00e-6)
    assert tables[1, sec, COL_RATE] == pytest.approx(27.80e-6)
    # across a new year: the FINRA TAF moved from $0.000145 to $0.000166 on 2024-01-01
    tables, epoch = us.for_dates(np.array(["2024-01-02", "2023-12-29"], dtype="datetime64[D]"))
    taf = us.line_names.index("finra_taf")
    assert epoch.tolist() == [1, 0]  # epochs are chronological whatever the order of the dates
    assert tables[:, taf, COL_RATE].tolist() == [pytest.approx(0.000145), pytest.approx(0.000166)]
    # one regime -> one epoch; no dates -> still one table for the kernel
    tables, epoch = us.for_dates(np.array(["2024-06-03", "2024-06-04"], dtype="datetime64[D]"))
    assert tables.shape[0] == 1 and epoch.tolist() == [0, 0]
    tables, epoch = us.for_dates(np.array([], dtype="datetime64[D]"))
    assert tables.shape == (1, 3, 9) and epoch.shape == (0,)


def test_for_dates_india_true_to_label_change(nse):
    sessions = np.arange("2024-09-25", "2024-10-05", dtype="datetime64[D]")
    tables, epoch = nse.for_dates(sessions)
    ex = nse.line_names.index("exchange_txn")
    assert tables.shape[0] == 2
    assert (epoch == (sessions >= np.datetime64("2024-10-01")).astype(np.int64)).all()
    assert tables[:, ex, COL_RATE].tolist() == [pytest.approx(3.22e-5), pytest.approx(2.97e-5)]


def test_regimes_before_the_first_row_use_the_earliest_rates(us):
    tables, _ = us.for_dates(np.array(["1850-01-01", "1997-01-02"], dtype="datetime64[D]"))
    assert tables.shape[0] == 1  # both dates fall in the 1/300-of-1% regime


# ----------------------------------------------------------------------------------------- kernels


@numba.njit(cache=False)
def _kernel_total(tables, epoch, is_sell, qty, price):
    out = np.empty(tables.shape[1])
    s = 0.0
    for t in range(qty.shape[0]):
        s += fill_fees(tables[epoch[t]], is_sell[t], qty[t], price[t], out)
    return s


def test_fill_fees_from_inside_a_numba_kernel(us):
    dates = np.array(["2024-05-21", "2024-05-22"], dtype="datetime64[D]")
    tables, epoch = us.for_dates(dates)
    # buy 1,000 @ 50 on 05-21: 5.00; sell 1,000 @ 50 on 05-22: 5.00 + 1.39 + 0.17 = 6.56
    got = _kernel_total(
        tables, epoch, np.array([False, True]), np.array([1000.0, 1000.0]), np.array([50.0, 50.0])
    )
    assert got == approx(11.56)


# ----------------------------------------------------------------------------------------- factory


def test_unknown_market_product_exchange_list_the_options():
    with pytest.raises(NotFoundError) as e:
        cost_model("UK")
    assert e.value.field == "market" and "IN" in str(e.value) and "US" in str(e.value)
    with pytest.raises(NotFoundError) as e:
        cost_model("IN", "futures")
    assert e.value.field == "product" and "delivery" in str(e.value) and "intraday" in str(e.value)
    with pytest.raises(NotFoundError) as e:
        cost_model("IN", "delivery", "NYSE")
    assert e.value.field == "exchange" and "BSE" in str(e.value) and "NSE" in str(e.value)


def test_defaults_and_zero_model():
    assert cost_model("IN").exchange == "NSE" and cost_model("IN").product == "delivery"
    assert cost_model("US") is cost_model("US", "delivery", "NYSE")  # cached, immutable
    z = zero_cost_model()
    tables, epoch = z.for_dates(np.array(["2020-01-01"], dtype="datetime64[D]"))
    assert tables.shape == (1, 1, 9) and epoch.tolist() == [0]
    assert z.fees_for_fill(True, 100, 50.0, "2020-01-01") == {"fee": 0.0}
    assert cost_model("24x7").fees_for_fill(True, 3, 40_000.0, "2022-01-03") == {"fee": 0.0}


def test_models_are_read_only(us):
    with pytest.raises(ValueError):
        us.tables[0, 0, 0] = 5.0
    tables, _ = us.for_dates(np.array(["2024-06-03"], dtype="datetime64[D]"))
    tables[0, 0, COL_RATE] = 1.0  # the caller's copy
    assert us.table_at("2024-06-03")[0, COL_RATE] == 0.005


def test_validate_table_rejects_forward_references():
    table = np.array(
        [
            [BASIS_PCT_LINES, 1, 1, 0.18, 0, INF, INF, 2, 0b10],  # charged on a later line
            [BASIS_PCT_VALUE, 1, 1, 0.001, 0, INF, INF, 2, 0],
        ]
    )
    with pytest.raises(ConfigError):
        validate_table(table)
