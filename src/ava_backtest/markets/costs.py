"""Transaction-cost models: dated fee rows (fees.py) -> numeric fee tables -> one numba fee function.

A fee table is a float64 array (L, 9), one row per fee line; ``fill_fees`` prices one fill with it.
Rates change over time, so a run gets a stack of tables, one per fee regime (epoch) in force over its
bars, plus the epoch index of every bar (``CostModel.for_dates``). Kernels take arrays only, so the
same ``fill_fees`` serves every market. Worked examples: docs/costs.md.
"""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from functools import lru_cache

import numba
import numpy as np

from ava_backtest.domain.errors import ConfigError, NotFoundError
from ava_backtest.markets.fees import BASES, FEE_ROWS, PRODUCTS, SIDES, FeeRow
from ava_backtest.markets.registry import MARKETS

# Columns of a fee table row.
COL_BASIS = 0
COL_ON_BUY = 1
COL_ON_SELL = 2
COL_RATE = 3
COL_MIN_ABS = 4
COL_MAX_ABS = 5
COL_MAX_PCT_VALUE = 6
COL_ROUND_DP = 7
COL_LINES_MASK = 8
N_COLS = 9

# Values of the basis column.
BASIS_PER_SHARE = 0
BASIS_PCT_VALUE = 1
BASIS_PCT_LINES = 2

_MAX_LINES = 52  # the lines mask is a float64: exact up to 2**53


@numba.njit(cache=True, nogil=True)
def _round_half_away(x: float, dp: int) -> float:
    # The nudge (~1e-13 relative) keeps 7.425 -> 7.43 when the product that made it came out as
    # 7.42499999999999982: fee arithmetic is off by an ulp or two, never by 1e-13.
    p = 10.0**dp
    s = abs(x) * p
    r = math.floor(s + 0.5 + 1e-13 * s + 1e-12) / p
    return r if x >= 0.0 else -r


@numba.njit(cache=True, nogil=True)
def fill_fees(table, is_sell, qty, price, out) -> float:
    """Charge one fill: writes each line's amount into ``out[:L]`` and returns their total.

    ``table`` is (L, 9) as documented in docs/costs.md; ``qty`` is the absolute quantity. Per line:
    raw by basis, then ``max(raw, min_abs)``, then ``min(.., max_abs, max_pct_value x value)``, then
    rounding; a line that does not apply to the fill's side is 0. A zero quantity costs nothing.
    """
    n = table.shape[0]
    q = abs(qty)
    if q == 0.0:
        for i in range(n):
            out[i] = 0.0
        return 0.0
    value = q * price
    total = 0.0
    for i in range(n):
        side_col = COL_ON_SELL if is_sell else COL_ON_BUY
        if table[i, side_col] == 0.0:
            out[i] = 0.0
            continue
        basis = int(table[i, COL_BASIS])
        rate = table[i, COL_RATE]
        if basis == BASIS_PER_SHARE:
            raw = rate * q
        elif basis == BASIS_PCT_VALUE:
            raw = rate * value
        else:
            mask = np.int64(table[i, COL_LINES_MASK])
            base = 0.0
            for j in range(i):
                if (mask >> j) & 1:
                    base += out[j]
            raw = rate * base
        c = max(raw, table[i, COL_MIN_ABS])
        c = min(c, table[i, COL_MAX_ABS])
        cap_pct = table[i, COL_MAX_PCT_VALUE]
        if cap_pct != np.inf:
            c = min(c, cap_pct * value)
        dp = int(table[i, COL_ROUND_DP])
        if dp >= 0:
            c = _round_half_away(c, dp)
        out[i] = c
        total += c
    return total


def validate_table(table: np.ndarray, line_names: tuple[str, ...] | None = None) -> None:
    """Raise ConfigError unless ``table`` is a well-formed (L, 9) fee table."""
    if table.ndim != 2 or table.shape[1] != N_COLS or table.shape[0] < 1:
        raise ConfigError(f"a fee table is (L >= 1, {N_COLS}); got {table.shape}", field="costs")
    if table.shape[0] > _MAX_LINES:
        raise ConfigError(f"at most {_MAX_LINES} fee lines; got {table.shape[0]}", field="costs")
    if line_names is not None and len(line_names) != table.shape[0]:
        raise ConfigError("one line name per fee table row", field="costs")
    for i, row in enumerate(table):
        name = line_names[i] if line_names else f"line {i}"
        if row[COL_BASIS] not in (BASIS_PER_SHARE, BASIS_PCT_VALUE, BASIS_PCT_LINES):
            raise ConfigError(f"{name}: basis must be 0, 1 or 2", field="costs")
        if row[COL_ON_BUY] not in (0.0, 1.0) or row[COL_ON_SELL] not in (0.0, 1.0):
            raise ConfigError(f"{name}: on_buy / on_sell must be 0 or 1", field="costs")
        if np.isnan(row).any() or row[COL_RATE] < 0 or row[COL_MIN_ABS] < 0:
            raise ConfigError(f"{name}: rate and min_abs must be >= 0 (no NaN)", field="costs")
        if row[COL_MAX_ABS] < 0 or row[COL_MAX_PCT_VALUE] < 0:
            raise ConfigError(f"{name}: caps must be >= 0", field="costs")
        if row[COL_ROUND_DP] != int(row[COL_ROUND_DP]) or row[COL_ROUND_DP] < -1:
            raise ConfigError(f"{name}: round_dp must be an integer >= -1", field="costs")
        mask = row[COL_LINES_MASK]
        if mask < 0 or mask != int(mask):
            raise ConfigError(f"{name}: lines_mask must be a non-negative integer", field="costs")
        if row[COL_BASIS] == BASIS_PCT_LINES and int(mask) >> i:
            raise ConfigError(f"{name}: may only be charged on earlier lines", field="costs")


@dataclass(frozen=True, eq=False)
class CostModel:
    """The fee regimes of one market/product/exchange over time.

    ``regime_starts[k]`` is the first date of regime k and ``tables[k]`` its (L, 9) fee table; the
    first regime also covers every earlier date. Consecutive identical regimes are merged.
    """

    market: str
    product: str
    exchange: str
    line_names: tuple[str, ...]
    regime_starts: np.ndarray = field(repr=False)  # (K,) datetime64[D], strictly increasing
    tables: np.ndarray = field(repr=False)  # (K, L, 9) float64, read-only

    def __post_init__(self) -> None:
        starts = np.asarray(self.regime_starts, dtype="datetime64[D]")
        tables = np.ascontiguousarray(self.tables, dtype=np.float64)
        if tables.ndim != 3 or len(starts) != tables.shape[0] or len(starts) == 0:
            raise ConfigError("one (L, 9) fee table per regime start", field="costs")
        if len(starts) > 1 and not (np.diff(starts) > np.timedelta64(0, "D")).all():
            raise ConfigError("regime starts must be strictly increasing", field="costs")
        for t in tables:
            validate_table(t, self.line_names)
        starts.setflags(write=False)
        tables.setflags(write=False)
        object.__setattr__(self, "regime_starts", starts)
        object.__setattr__(self, "tables", tables)

    @property
    def n_lines(self) -> int:
        return len(self.line_names)

    def for_dates(self, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Fee tables for the regimes in force over ``dates``, and each date's regime index.

        Returns ``(tables (E, L, 9) float64 C-contiguous writable, epoch (T,) int64)``, epochs in
        chronological order. Dates are taken at day resolution. With no dates, E = 1 (the latest
        regime) so a kernel always has a table.
        """
        raw = np.asarray(dates)
        if raw.size == 0:
            return np.ascontiguousarray(self.tables[-1:].copy()), np.zeros(0, dtype=np.int64)
        if raw.dtype.kind == "M" and raw.ndim == 1 and (raw[1:] >= raw[:-1]).all():
            tables, begins = self.for_sorted_dates(raw)
            epoch = np.zeros(raw.size, dtype=np.int64)
            for b in begins[1:]:
                epoch[b:] += 1
            return tables, epoch
        d = _as_days(dates)
        regime = np.searchsorted(self.regime_starts, d, side="right") - 1
        np.maximum(regime, 0, out=regime)
        used, epoch = np.unique(regime, return_inverse=True)
        tables = np.ascontiguousarray(self.tables[used], dtype=np.float64)  # fancy index: a copy
        return tables, epoch.reshape(-1).astype(np.int64)

    def for_sorted_dates(self, dates: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
        """Like ``for_dates`` for sorted datetime64 ``dates``, but each epoch as the index of its
        first bar ((E,) int64, starting with 0) instead of one index per bar: O(E log T), which
        matters for a million minute bars."""
        starts = self.regime_starts.astype(dates.dtype)
        first = max(int(np.searchsorted(starts, dates[0], side="right")) - 1, 0)
        last = max(int(np.searchsorted(starts, dates[-1], side="right")) - 1, 0)
        begins = np.zeros(last - first + 1, dtype=np.int64)
        for i, k in enumerate(range(first + 1, last + 1), start=1):
            begins[i] = int(np.searchsorted(dates, starts[k], side="left"))
        return self.tables[first : last + 1].copy(), begins

    def table_at(self, date: object) -> np.ndarray:
        """The (L, 9) fee table in force on ``date`` (a writable copy)."""
        tables, _ = self.for_dates(_as_days([date]))
        return tables[0]

    def fees_for_fill(
        self, is_sell: bool, qty: float, price: float, date: object
    ) -> dict[str, float]:
        """Each fee line's charge for one fill on ``date`` (for reports; kernels use fill_fees)."""
        out = np.zeros(self.n_lines, dtype=np.float64)
        fill_fees(self.table_at(date), bool(is_sell), float(qty), float(price), out)
        return dict(zip(self.line_names, out.tolist(), strict=True))


def _as_days(dates: object) -> np.ndarray:
    arr = np.asarray(dates)
    if arr.dtype.kind != "M":
        try:
            arr = np.array(
                [
                    np.datetime64(d.date() if isinstance(d, dt.datetime) else d, "D")
                    for d in arr.ravel()
                ],
                dtype="datetime64[D]",
            )
        except (TypeError, ValueError) as exc:
            raise ConfigError(
                f"dates must be datetime64 or ISO dates: {exc}", field="dates"
            ) from None
    days = arr.astype("datetime64[D]").reshape(-1)
    if np.isnat(days).any():
        raise ConfigError("dates contain NaT", field="dates")
    return days


def cost_model(market: str, product: str = "delivery", exchange: str | None = None) -> CostModel:
    """The cost model of a market's product on an exchange (default: the market's first exchange)."""
    if market not in MARKETS or market not in PRODUCTS:
        raise NotFoundError("market", market, PRODUCTS)
    if product not in PRODUCTS[market]:
        raise NotFoundError("product", product, PRODUCTS[market])
    exchanges = MARKETS[market].exchanges
    exchange = exchanges[0] if exchange is None else exchange
    if exchange not in exchanges:
        raise NotFoundError("exchange", exchange, exchanges)
    return _build(market, product, exchange)


@lru_cache(maxsize=64)
def _build(market: str, product: str, exchange: str) -> CostModel:
    rows = [
        r
        for r in FEE_ROWS
        if r.market == market and r.product in ("*", product) and r.exchange in ("*", exchange)
    ]
    return model_from_rows(rows, market=market, product=product, exchange=exchange)


def model_from_rows(
    rows: list[FeeRow] | tuple[FeeRow, ...], *, market: str, product: str, exchange: str
) -> CostModel:
    """Build a CostModel from dated fee rows (all of one market/product/exchange).

    Lines keep the order of their first row. On each date every line uses its latest row with
    ``effective_from <= date``; a line with no row yet charges nothing.
    """
    if not rows:
        raise ConfigError(f"no fee rows for {market}/{product}/{exchange}", field="costs")
    names: list[str] = []
    by_line: dict[str, list[tuple[np.datetime64, FeeRow]]] = {}
    for r in rows:
        if r.basis not in BASES or r.sides not in SIDES:
            raise ConfigError(
                f"{r.line}: bad basis {r.basis!r} or sides {r.sides!r}", field="costs"
            )
        if r.line not in by_line:
            names.append(r.line)
            by_line[r.line] = []
        by_line[r.line].append((np.datetime64(r.effective_from, "D"), r))
    index = {n: i for i, n in enumerate(names)}
    for line, dated in by_line.items():
        dated.sort(key=lambda t: t[0])
        days = [t[0] for t in dated]
        if len(set(days)) != len(days):
            raise ConfigError(f"{line}: two rows with the same effective date", field="costs")

    starts = sorted({d for dated in by_line.values() for d, _ in dated})
    tables = np.zeros((len(starts), len(names), N_COLS), dtype=np.float64)
    for k, start in enumerate(starts):
        for line, dated in by_line.items():
            in_force = [r for d, r in dated if d <= start]
            if in_force:
                tables[k, index[line]] = _row_vector(in_force[-1], index)
            else:
                tables[k, index[line], COL_BASIS] = BASIS_PCT_VALUE  # charges nothing yet

    keep = [0] + [k for k in range(1, len(starts)) if not np.array_equal(tables[k], tables[k - 1])]
    return CostModel(
        market=market,
        product=product,
        exchange=exchange,
        line_names=tuple(names),
        regime_starts=np.array([starts[k] for k in keep], dtype="datetime64[D]"),
        tables=tables[keep],
    )


def _row_vector(r: FeeRow, index: dict[str, int]) -> np.ndarray:
    v = np.zeros(N_COLS, dtype=np.float64)
    v[COL_BASIS] = BASES.index(r.basis)
    v[COL_ON_BUY] = float(r.sides in ("buy", "both"))
    v[COL_ON_SELL] = float(r.sides in ("sell", "both"))
    v[COL_RATE] = r.rate
    v[COL_MIN_ABS] = r.min_abs
    v[COL_MAX_ABS] = r.max_abs
    v[COL_MAX_PCT_VALUE] = r.max_pct
    v[COL_ROUND_DP] = r.round_dp
    if r.basis == "lines":
        unknown = [n for n in r.on_lines if n not in index and n not in _ALL_LINE_NAMES]
        if unknown:
            raise ConfigError(f"{r.line}: charged on unknown lines {unknown}", field="costs")
        bits = [index[n] for n in r.on_lines if n in index]  # lines this product lacks are skipped
        if any(b >= index[r.line] for b in bits):
            raise ConfigError(f"{r.line}: may only be charged on earlier lines", field="costs")
        v[COL_LINES_MASK] = float(sum(1 << b for b in bits))
    return v


_ALL_LINE_NAMES = frozenset(r.line for r in FEE_ROWS)


def zero_cost_model() -> CostModel:
    """No costs: one zero-rate line, so kernels still get a table with L >= 1."""
    return _ZERO


_ZERO = CostModel(
    market="none",
    product="none",
    exchange="none",
    line_names=("fee",),
    regime_starts=np.array(["1900-01-01"], dtype="datetime64[D]"),
    tables=np.array([[[BASIS_PCT_VALUE, 1.0, 1.0, 0.0, 0.0, np.inf, np.inf, -1.0, 0.0]]]),
)
