"""The dated fee table: every fee line of every market, as data.

One row is one fee line of one market/product/exchange from its ``effective_from`` date until the
next row of the same line. ``costs.py`` turns the rows in force on each date into the numeric
tables the engine kernels read; nothing else in the code knows a rate. Sources, worked examples and
the rates we are unsure of are in docs/costs.md (the ``source`` column names the document).

Columns:
    market, product, exchange   ``"*"`` matches every product / exchange of the market
    line                        line name; lines are ordered by first appearance in this table
    basis                       ``"share"`` rate x qty, ``"value"`` rate x qty x price,
                                ``"lines"`` rate x sum of the lines named in ``on_lines`` (GST)
    sides                       ``"buy"``, ``"sell"`` or ``"both"``
    rate, min_abs, max_abs      per fill; ``INF`` = no cap
    max_pct                     cap as a fraction of traded value; ``INF`` = none
    round_dp                    decimal places, half away from zero; -1 = not rounded
    on_lines                    ``"a+b+c"``: lines a ``"lines"`` row is charged on; names a
                                product does not have are skipped (DP charges on intraday)
    effective_from              ISO date; ``EARLIEST`` marks the earliest rate we model, used as an
                                approximation for every earlier date (see docs/costs.md)
"""

from __future__ import annotations

import math
from dataclasses import dataclass

INF = math.inf
EARLIEST = "1900-01-01"

BASES = ("share", "value", "lines")
SIDES = ("buy", "sell", "both")

PRODUCTS: dict[str, tuple[str, ...]] = {
    # US and 24x7 costs do not depend on the holding period; both names are accepted so a run
    # configuration can name the product the same way for every market.
    "US": ("delivery", "intraday"),
    "IN": ("delivery", "intraday"),
    "24x7": ("delivery", "intraday"),
}


@dataclass(frozen=True, slots=True)
class FeeRow:
    market: str
    product: str
    exchange: str
    line: str
    basis: str
    sides: str
    rate: float
    min_abs: float
    max_abs: float
    max_pct: float
    round_dp: int
    on_lines: tuple[str, ...]
    effective_from: str
    source: str


def pm(dollars_per_million: float) -> float:
    """A rate quoted in currency per million of value (SEC Section 31)."""
    return dollars_per_million / 1e6


def pct(percent: float) -> float:
    return percent / 100.0


def per_crore(rupees: float) -> float:
    """A rate quoted in rupees per crore (10 million) of value (SEBI fee)."""
    return rupees / 1e7


_DELIVERY_GST_BASE = "brokerage+exchange_txn+sebi_fee+dp_charges"

# fmt: off
_TABLE: tuple[tuple, ...] = (
    # market product     exch   line            basis    sides   rate                min    max    max_pct  dp  on_lines            effective_from  source
    # ---------------------------------------------------------------------------------------------------- US
    ("US", "*",         "*",   "commission",   "share", "both", 0.005,              1.00,  INF,   0.01,    2,  "",                 EARLIEST,       "IBKR fixed"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", 1 / 30000,          0.01,  INF,   INF,     2,  "",                 EARLIEST,       "Exchange Act s.31, 1/300 of 1%"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(15.00),          0.01,  INF,   INF,     2,  "",                 "2001-12-28",   "Fee Relief Act 2002; SEC FRA #8 FY2002"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(30.10),          0.01,  INF,   INF,     2,  "",                 "2002-04-01",   "SEC mid-year FY2002 (date inferred)"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(25.20),          0.01,  INF,   INF,     2,  "",                 "2003-03-22",   "SEC FRA #11 FY2003"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(46.80),          0.01,  INF,   INF,     2,  "",                 "2003-04-01",   "SEC FRA #12 FY2003"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(39.00),          0.01,  INF,   INF,     2,  "",                 "2004-02-22",   "SEC FRA #7 FY2004"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(23.40),          0.01,  INF,   INF,     2,  "",                 "2004-04-01",   "SEC FRA #8 FY2004"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(32.90),          0.01,  INF,   INF,     2,  "",                 "2005-01-07",   "SEC FRA #6 FY2005"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(41.80),          0.01,  INF,   INF,     2,  "",                 "2005-04-01",   "SEC mid-year FY2005 (date inferred)"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(30.70),          0.01,  INF,   INF,     2,  "",                 "2005-12-22",   "SEC FY2006 (date inferred)"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(15.30),          0.01,  INF,   INF,     2,  "",                 "2007-03-17",   "SEC FRA #4 FY2007"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(11.00),          0.01,  INF,   INF,     2,  "",                 "2008-01-25",   "SEC FRA FY2008"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(5.60),           0.01,  INF,   INF,     2,  "",                 "2008-04-01",   "SEC mid-year FY2008"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(25.70),          0.01,  INF,   INF,     2,  "",                 "2009-04-10",   "SEC FY2009"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(12.70),          0.01,  INF,   INF,     2,  "",                 "2010-01-15",   "SEC FY2010"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(16.90),          0.01,  INF,   INF,     2,  "",                 "2010-04-01",   "SEC mid-year FY2010"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(19.20),          0.01,  INF,   INF,     2,  "",                 "2011-01-21",   "SEC FRA #5 FY2011"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(18.00),          0.01,  INF,   INF,     2,  "",                 "2012-02-21",   "SEC FY2012"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(22.40),          0.01,  INF,   INF,     2,  "",                 "2012-04-01",   "SEC mid-year FY2012"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(17.40),          0.01,  INF,   INF,     2,  "",                 "2013-05-25",   "SEC FY2013"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(22.10),          0.01,  INF,   INF,     2,  "",                 "2014-03-18",   "SEC FY2014; FINRA IN 3/3/14"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(18.40),          0.01,  INF,   INF,     2,  "",                 "2015-02-14",   "SEC FY2015"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(21.80),          0.01,  INF,   INF,     2,  "",                 "2016-02-16",   "SEC FY2016; FINRA IN 3/15/16"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(23.10),          0.01,  INF,   INF,     2,  "",                 "2017-07-04",   "SEC FY2017"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(13.00),          0.01,  INF,   INF,     2,  "",                 "2018-05-22",   "SEC FY2018; FINRA IN 5/7/18"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(20.70),          0.01,  INF,   INF,     2,  "",                 "2019-04-16",   "SEC FRA #2 FY2019"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(22.10),          0.01,  INF,   INF,     2,  "",                 "2020-02-18",   "SEC FRA #2 FY2020"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(5.10),           0.01,  INF,   INF,     2,  "",                 "2021-02-25",   "SEC FRA #2 FY2021"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(22.90),          0.01,  INF,   INF,     2,  "",                 "2022-05-14",   "SEC FRA #2 FY2022"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(8.00),           0.01,  INF,   INF,     2,  "",                 "2023-02-27",   "SEC FRA #2 FY2023"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", pm(27.80),          0.01,  INF,   INF,     2,  "",                 "2024-05-22",   "SEC FRA #2 FY2024"),
    ("US", "*",         "*",   "sec_fee",      "value", "sell", 0.0,                0.00,  INF,   INF,     2,  "",                 "2025-05-14",   "SEC FRA FY2025; FINRA IN 4/24/25"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.0,                0.00,  INF,   INF,     2,  "",                 EARLIEST,       "no TAF before NASD NTM 02-41"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.0001,             0.01,  10.00, INF,     2,  "",                 "2002-10-01",   "NASD NTM 02-41 / SNTM 02-63"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000075,           0.01,  3.75,  INF,     2,  "",                 "2004-11-01",   "NASD NTM 04-84"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000090,           0.01,  4.50,  INF,     2,  "",                 "2011-07-01",   "FINRA RN 11-27"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000095,           0.01,  4.75,  INF,     2,  "",                 "2012-03-01",   "FINRA RN 12-06"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000119,           0.01,  5.95,  INF,     2,  "",                 "2012-07-01",   "FINRA RN 12-31"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000130,           0.01,  6.49,  INF,     2,  "",                 "2022-01-01",   "SR-FINRA-2020-032"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000145,           0.01,  7.27,  INF,     2,  "",                 "2023-01-01",   "SR-FINRA-2020-032"),
    ("US", "*",         "*",   "finra_taf",    "share", "sell", 0.000166,           0.01,  8.30,  INF,     2,  "",                 "2024-01-01",   "SR-FINRA-2020-032"),
    # ---------------------------------------------------------------------------------------------------- IN
    ("IN", "delivery",  "*",   "brokerage",    "value", "both", 0.0,                0.00,  INF,   INF,     2,  "",                 EARLIEST,       "discount broker (Zerodha)"),
    ("IN", "intraday",  "*",   "brokerage",    "value", "both", pct(0.03),          0.00,  20.00, INF,     2,  "",                 EARLIEST,       "discount broker (Zerodha)"),
    ("IN", "delivery",  "*",   "stt",          "value", "both", 0.0,                0.00,  INF,   INF,     0,  "",                 EARLIEST,       "no STT before Finance (No.2) Act 2004"),
    ("IN", "delivery",  "*",   "stt",          "value", "both", pct(0.075),         0.00,  INF,   INF,     0,  "",                 "2004-10-01",   "Finance (No.2) Act 2004"),
    ("IN", "delivery",  "*",   "stt",          "value", "both", pct(0.1),           0.00,  INF,   INF,     0,  "",                 "2005-06-01",   "Finance Act 2005"),
    ("IN", "delivery",  "*",   "stt",          "value", "both", pct(0.125),         0.00,  INF,   INF,     0,  "",                 "2006-06-01",   "Finance Act 2006"),
    ("IN", "delivery",  "*",   "stt",          "value", "both", pct(0.1),           0.00,  INF,   INF,     0,  "",                 "2012-07-01",   "Finance Act 2012"),
    ("IN", "intraday",  "*",   "stt",          "value", "sell", 0.0,                0.00,  INF,   INF,     0,  "",                 EARLIEST,       "no STT before Finance (No.2) Act 2004"),
    ("IN", "intraday",  "*",   "stt",          "value", "sell", pct(0.015),         0.00,  INF,   INF,     0,  "",                 "2004-10-01",   "Finance (No.2) Act 2004"),
    ("IN", "intraday",  "*",   "stt",          "value", "sell", pct(0.02),          0.00,  INF,   INF,     0,  "",                 "2005-06-01",   "Finance Act 2005"),
    ("IN", "intraday",  "*",   "stt",          "value", "sell", pct(0.025),         0.00,  INF,   INF,     0,  "",                 "2006-06-01",   "Finance Act 2006"),
    ("IN", "*",         "NSE", "exchange_txn", "value", "both", pct(0.00325),       0.00,  INF,   INF,     2,  "",                 EARLIEST,       "NSE cash, Rs 325/crore (approx. before 2021)"),
    ("IN", "*",         "NSE", "exchange_txn", "value", "both", pct(0.00345),       0.00,  INF,   INF,     2,  "",                 "2021-01-01",   "NSE +6% (IPFT), Jan 2021"),
    ("IN", "*",         "NSE", "exchange_txn", "value", "both", pct(0.00325),       0.00,  INF,   INF,     2,  "",                 "2023-04-01",   "NSE rollback of the 6%, Apr 2023"),
    ("IN", "*",         "NSE", "exchange_txn", "value", "both", pct(0.00322),       0.00,  INF,   INF,     2,  "",                 "2024-01-01",   "broker schedules 2024 (date approx.)"),
    ("IN", "*",         "NSE", "exchange_txn", "value", "both", pct(0.00297),       0.00,  INF,   INF,     2,  "",                 "2024-10-01",   "NSE circular, SEBI true-to-label"),
    ("IN", "*",         "BSE", "exchange_txn", "value", "both", pct(0.003),         0.00,  INF,   INF,     2,  "",                 EARLIEST,       "BSE group A/B (approx. before Dec 2022)"),
    ("IN", "*",         "BSE", "exchange_txn", "value", "both", pct(0.00375),       0.00,  INF,   INF,     2,  "",                 "2022-12-01",   "BSE flat Rs 375/crore, group A/B"),
    ("IN", "*",         "BSE", "exchange_txn", "value", "both", pct(0.00375),       0.00,  INF,   INF,     2,  "",                 "2024-10-01",   "BSE circular, SEBI true-to-label (unchanged)"),
    ("IN", "*",         "*",   "sebi_fee",     "value", "both", per_crore(15),      0.00,  INF,   INF,     2,  "",                 EARLIEST,       "SEBI (Stock Brokers) Regs Sch. V (approx.)"),
    ("IN", "*",         "*",   "sebi_fee",     "value", "both", per_crore(10),      0.00,  INF,   INF,     2,  "",                 "2019-04-01",   "SEBI (Payment of Fees) Amendment Regs 2019"),
    ("IN", "*",         "*",   "sebi_fee",     "value", "both", per_crore(5),       0.00,  INF,   INF,     2,  "",                 "2020-06-01",   "SEBI COVID relief, 50% Jun 2020-Mar 2021"),
    ("IN", "*",         "*",   "sebi_fee",     "value", "both", per_crore(10),      0.00,  INF,   INF,     2,  "",                 "2021-04-01",   "SEBI COVID relief ends"),
    ("IN", "delivery",  "*",   "stamp_duty",   "value", "buy",  pct(0.015),         0.00,  INF,   INF,     2,  "",                 EARLIEST,       "Indian Stamp Act as amended by Finance Act 2019"),
    ("IN", "intraday",  "*",   "stamp_duty",   "value", "buy",  pct(0.003),         0.00,  INF,   INF,     2,  "",                 EARLIEST,       "Indian Stamp Act as amended by Finance Act 2019"),
    ("IN", "delivery",  "*",   "dp_charges",   "value", "sell", 0.0,                13.50, INF,   INF,     2,  "",                 EARLIEST,       "CDSL + DP (Zerodha), per scrip per day"),
    ("IN", "*",         "*",   "gst",          "lines", "both", 0.0,                0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, EARLIEST,       "no service tax on broking before 1994-07-01"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(5.0),           0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "1994-07-01",   "service tax, Finance Act 1994"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(8.0),           0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2003-05-14",   "service tax 8%"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(10.2),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2004-09-10",   "service tax 10% + 2% cess"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(12.24),         0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2006-04-18",   "service tax 12% + 2% cess"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(12.36),         0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2007-05-11",   "service tax 12% + 3% cess"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(10.3),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2009-02-24",   "service tax 10% + 3% cess"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(12.36),         0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2012-04-01",   "service tax 12% + 3% cess"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(14.0),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2015-06-01",   "service tax 14%"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(14.5),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2015-11-15",   "service tax 14% + Swachh Bharat 0.5%"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(15.0),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2016-06-01",   "service tax + SBC + Krishi Kalyan 0.5%"),
    ("IN", "*",         "*",   "gst",          "lines", "both", pct(18.0),          0.00,  INF,   INF,     2,  _DELIVERY_GST_BASE, "2017-07-01",   "GST 18% (CGST+SGST / IGST)"),
    # ---------------------------------------------------------------------------------------------------- 24x7
    ("24x7", "*",       "*",   "fee",          "value", "both", 0.0,                0.00,  INF,   INF,     -1, "",                 EARLIEST,       "no fee modelled; slippage only"),
)
# fmt: on


FEE_ROWS: tuple[FeeRow, ...] = tuple(
    FeeRow(
        market=m,
        product=p,
        exchange=x,
        line=line,
        basis=basis,
        sides=sides,
        rate=float(rate),
        min_abs=float(lo),
        max_abs=float(hi),
        max_pct=float(cap_pct),
        round_dp=int(dp),
        on_lines=tuple(n for n in on.split("+") if n),
        effective_from=eff,
        source=src,
    )
    for (m, p, x, line, basis, sides, rate, lo, hi, cap_pct, dp, on, eff, src) in _TABLE
)
