"""The portfolio simulation kernel: one numba pass over aligned (bars x symbols) arrays.

The order of events inside a bar is the engine's contract (DESIGN §4):

1. corporate actions of the ex-date (splits scale quantity and levels, dividends move cash);
2. a stop or target that the open gaps through fills at the open;
3. orders from the previous close fill at the open, exits before entries; entries are sized from
   the equity at that open after exits and compete for buying power by priority, then symbol;
4. stop and target levels are tested against the bar's low/high, stop first (conservative);
5. at the close: data-end exits, borrow fees, trailing levels for the next bar, max-holding exits,
   and signals become orders for the next open (or fill at this close with ``fill_mode = CLOSE``);
6. equity is marked at the close, and the margin is checked: an account whose equity is below
   ``maintenance_margin x gross exposure`` has every position closed at the next open (exit
   reason ``margin_call``, in both fill modes) and its other orders of this close cancelled; an
   account whose equity is at or below zero is ruined: its positions close the same way and it
   places no order again;
7. with a trade-history sizer (``kelly``, ``monte_carlo``), the trades closed on this bar are
   learnt by their accounts, so they size entries of later bars only.

Accounts make one kernel serve both portfolio modes: ``shared`` maps every symbol to account 0;
``independent`` (a screen, or a parameter sweep laid out as columns) gives each column its own.
Only arrays and scalars cross this boundary so ``cache=True`` works.
"""

from __future__ import annotations

import numba as nb
import numpy as np

from ava_backtest.markets.costs import fill_fees

# Fill timing.
NEXT_OPEN = 0
CLOSE = 1

# Sizing modes.
SIZE_EQUAL_SLOTS = 0
SIZE_FRACTION = 1
SIZE_FIXED_CASH = 2
SIZE_FIXED_UNITS = 3
SIZE_RISK = 4
SIZE_KELLY = 5
SIZE_MONTE_CARLO = 6

# Exit reasons (trade records) and fill kinds.
R_SIGNAL = 0
R_STOP_LOSS = 1
R_TAKE_PROFIT = 2
R_TRAILING_STOP = 3
R_MAX_HOLD = 4
R_DATA_END = 5
R_REVERSAL = 6
R_SCALE_OUT = 7
R_ENTRY = 8
R_REBALANCE = 9
R_MARGIN_CALL = 10
R_CIRCUIT_BREAKER = 11
REASONS = (
    "signal",
    "stop_loss",
    "take_profit",
    "trailing_stop",
    "max_hold",
    "data_end",
    "reversal",
    "scale_out",
    "entry",
    "rebalance",
    "margin_call",
    "circuit_breaker",
)

# Why an entry was skipped.
SKIP_CASH = 1
SKIP_MAX_POSITIONS = 2
SKIP_NO_BAR = 3
SKIP_SHORT_FORBIDDEN = 4
SKIP_ZERO_QTY = 5
SKIP_CIRCUIT_BREAKER = 6
SKIP_NO_EDGE = 7
SKIP_REASONS = (
    "",
    "insufficient_buying_power",
    "max_positions",
    "no_bar",
    "short_forbidden",
    "zero_qty",
    "circuit_breaker",
    "no_edge",
)

# The trade-history sizers (``overlay`` argument of ``simulate``, read with SIZE_KELLY and
# SIZE_MONTE_CARLO only): float64[N_OVERLAY]; the Monte Carlo candidates come in ``overlay_grid``.
OV_MIN_TRADES = 0  # closed trades before the sizer sizes; equal slots until then
OV_KELLY_MULT = 1  # share of the full Kelly fraction staked
OV_CAP = 2  # largest fraction of equity per position (Kelly)
OV_MC_BUDGET = 3  # drawdown budget
OV_MC_PCT = 4  # percentile of the resampled drawdowns held to the budget
OV_MC_RESAMPLES = 5
OV_MC_HORIZON = 6  # trades per resampled path
OV_SEED = 7
N_OVERLAY = 8

# The drawdown circuit breaker (``risk`` argument of ``simulate``): float64[4].
RISK_MAX_DD = 0  # trip at a drawdown of this fraction from the equity peak; 0: off
RISK_FLATTEN = 1  # 1.0: close every position at the next open when it trips
RISK_RESUME_BARS = 2  # resume this many bars after the tripping bar; 0: not by time
RISK_RESUME_RECOVERY = 3  # resume once equity is this fraction above its low since the trip; 0: no

# Pending order actions.
P_NONE = 0
P_EXIT = 1
P_LONG = 2
P_SHORT = 3
P_PARTIAL = 4

# Column layout of the record arrays.
FILL_COLS = 7  # bar, col, signed qty, price, fees, reason, account
TRADE_COLS = 13  # col, direction, entry_bar, exit_bar, entry_price, exit_price, qty, gross, fees,
# dividends, reason, bars_held, account


@nb.njit(cache=True)
def _floor_qty(q: float, lot: float, fractional: bool) -> float:
    if q <= 0.0:
        return 0.0
    if fractional:
        return q
    # The epsilon absorbs representation error (0.3 / 0.1 is 2.9999...), never a real shortfall.
    return np.floor(q / lot + 1e-9) * lot


@nb.njit(cache=True)
def _affordable_qty(
    budget: float,
    price: float,
    lot: float,
    fractional: bool,
    is_sell: bool,
    table: np.ndarray,
    fee_buf: np.ndarray,
) -> float:
    """The largest quantity with qty x price + fees <= budget."""
    if budget <= 0.0 or price <= 0.0:
        return 0.0
    q = _floor_qty(budget / price, lot, fractional)
    for _ in range(60):
        if q <= 0.0:
            return 0.0
        cost = q * price + fill_fees(table, is_sell, q, price, fee_buf)
        if cost <= budget + 1e-9 * budget:
            return q
        excess = cost - budget
        step = _floor_qty(excess / price, lot, fractional)
        if fractional:
            q = q * budget / cost * (1.0 - 1e-12)
        elif step >= lot:
            q -= step
        else:
            q -= lot
    return 0.0


@nb.njit(cache=True)
def last_bar_index(close: np.ndarray) -> np.ndarray:
    """Index of each column's last bar; -1 for a column with none."""
    n_bars, n_cols = close.shape
    out = np.full(n_cols, -1, dtype=np.int64)
    for j in range(n_cols):
        for i in range(n_bars - 1, -1, -1):
            if close[i, j] == close[i, j]:
                out[j] = i
                break
    return out


# Per-column state, one row per column.
QTY = 0  # signed quantity
EPX = 1  # entry price (as traded; divided by split ratios)
EBAR = 2  # entry bar
EFEES = 3  # entry fees and borrow fees not yet attributed to a closed trade
DIVS = 4  # dividends not yet attributed to a closed trade
STOP = 5
TP = 6
TDIST = 7  # trailing distance (fraction, or absolute with trail_abs)
TLVL = 8
LAST = 9  # last close, for marking
N_STATE = 10

# Record counters.
C_FILLS = 0
C_TRADES = 1
C_SKIPS = 2


@nb.njit(cache=True)
def _log_skip(skips: np.ndarray, cnt: np.ndarray, t: int, j: int, why: int) -> None:
    k = cnt[C_SKIPS]
    skips[k, 0] = t
    skips[k, 1] = j
    skips[k, 2] = why
    cnt[C_SKIPS] += 1


@nb.njit(cache=True)
def _log_fill(
    fills: np.ndarray,
    cnt: np.ndarray,
    t: int,
    j: int,
    sqty: float,
    px: float,
    fee: float,
    why: int,
    a: int,
) -> None:
    k = cnt[C_FILLS]
    fills[k, 0] = t
    fills[k, 1] = j
    fills[k, 2] = sqty
    fills[k, 3] = px
    fills[k, 4] = fee
    fills[k, 5] = why
    fills[k, 6] = a
    cnt[C_FILLS] += 1


@nb.njit(cache=True)
def _clear_levels(st: np.ndarray, j: int) -> None:
    st[j, QTY] = 0.0
    st[j, EFEES] = 0.0
    st[j, DIVS] = 0.0
    st[j, STOP] = np.nan
    st[j, TP] = np.nan
    st[j, TDIST] = np.nan
    st[j, TLVL] = np.nan


@nb.njit(cache=True)
def _exit(
    t: int,
    j: int,
    close_q: float,
    px: float,
    why: int,
    st: np.ndarray,
    cash: np.ndarray,
    a: int,
    open_count: np.ndarray,
    fills: np.ndarray,
    trades: np.ndarray,
    cnt: np.ndarray,
    table: np.ndarray,
    fee_buf: np.ndarray,
    slippage: float,
):
    """Close ``close_q`` of column j's position at ``px`` (before slippage) and record the trade."""
    q = st[j, QTY]
    is_sell = q > 0.0
    fpx = px * (1.0 - slippage) if is_sell else px * (1.0 + slippage)
    fee = fill_fees(table, is_sell, close_q, fpx, fee_buf)
    _log_fill(fills, cnt, t, j, -close_q if is_sell else close_q, fpx, fee, why, a)
    direction = 1.0 if is_sell else -1.0
    frac = close_q / abs(q)
    k = cnt[C_TRADES]
    trades[k, 0] = j
    trades[k, 1] = direction
    trades[k, 2] = st[j, EBAR]
    trades[k, 3] = t
    trades[k, 4] = st[j, EPX]
    trades[k, 5] = fpx
    trades[k, 6] = close_q
    trades[k, 7] = (fpx - st[j, EPX]) * close_q * direction
    trades[k, 8] = st[j, EFEES] * frac + fee
    trades[k, 9] = st[j, DIVS] * frac
    trades[k, 10] = why
    trades[k, 11] = t - st[j, EBAR] + 1
    trades[k, 12] = a
    cnt[C_TRADES] += 1
    if is_sell:
        cash[a] += close_q * fpx - fee
    else:
        cash[a] -= close_q * fpx + fee
    if frac >= 1.0 - 1e-12:
        _clear_levels(st, j)
        open_count[a] -= 1
    else:
        st[j, QTY] = q - close_q if is_sell else q + close_q
        st[j, EFEES] *= 1.0 - frac
        st[j, DIVS] *= 1.0 - frac


@nb.njit(cache=True)
def _stop_hit(st: np.ndarray, j: int, lo: float, hi: float, o: float):
    """(reason, price) if a stop, trailing stop or target lies inside [lo, hi]; stop first.

    A level the open has already passed fills at the open (a gap), otherwise at the level.
    """
    q = st[j, QTY]
    lvl = st[j, STOP]
    why = R_STOP_LOSS
    tl = st[j, TLVL]
    if q > 0.0:
        if not np.isnan(tl) and (np.isnan(lvl) or tl > lvl):
            lvl = tl
            why = R_TRAILING_STOP
        if not np.isnan(lvl) and lo <= lvl:
            return why, min(lvl, o)
        tp = st[j, TP]
        if not np.isnan(tp) and hi >= tp:
            return R_TAKE_PROFIT, max(tp, o)
    else:
        if not np.isnan(tl) and (np.isnan(lvl) or tl < lvl):
            lvl = tl
            why = R_TRAILING_STOP
        if not np.isnan(lvl) and hi >= lvl:
            return why, max(lvl, o)
        tp = st[j, TP]
        if not np.isnan(tp) and lo <= tp:
            return R_TAKE_PROFIT, min(tp, o)
    return -1, 0.0


@nb.njit(cache=True)
def _order_candidates(cand: np.ndarray, cand_key: np.ndarray, n: int) -> None:
    """Stable sort of the first n candidates by key (they arrive in symbol order): insertion sort
    for the usual handful, a merge sort when a whole universe signals at once. Kept out of the
    entry phase so its temporaries cost nothing when priorities are not used."""
    if n > 32:
        cand[:n] = cand[np.argsort(cand_key[:n], kind="mergesort")]
        return
    for i in range(1, n):
        kj = cand[i]
        kv = cand_key[i]
        m = i - 1
        while m >= 0 and cand_key[m] > kv:
            cand[m + 1] = cand[m]
            cand_key[m + 1] = cand_key[m]
            m -= 1
        cand[m + 1] = kj
        cand_key[m + 1] = kv


@nb.njit(cache=True)
def _entry_qty(
    side_long: bool,
    fpx: float,
    eq: float,
    bp: float,
    override: float,
    stop_dist: float,
    leverage: float,
    sizing_mode: int,
    sizing_value: float,
    max_positions: int,
    lot: float,
    fractional: bool,
    table: np.ndarray,
    fee_buf: np.ndarray,
    learnt: float,
) -> float:
    """Quantity for one entry: the sizing mode's target, capped by buying power and fees.
    ``learnt``: the Kelly / Monte Carlo fraction of the entry's account (NaN: not enough closed
    trades yet, size as equal slots)."""
    sv = sizing_value if np.isnan(override) else override
    if sizing_mode == SIZE_KELLY or sizing_mode == SIZE_MONTE_CARLO:
        if np.isnan(override) and not np.isnan(learnt):
            return _affordable_qty(
                min(eq * learnt, bp), fpx, lot, fractional, not side_long, table, fee_buf
            )
        sizing_mode = SIZE_EQUAL_SLOTS
    if sizing_mode == SIZE_EQUAL_SLOTS:
        # Each slot is an equal share of (levered) equity; one symbol means all in.
        budget = eq * leverage / max_positions if np.isnan(override) else eq * override
        return _affordable_qty(min(budget, bp), fpx, lot, fractional, not side_long, table, fee_buf)
    if sizing_mode == SIZE_FRACTION:
        return _affordable_qty(
            min(eq * sv, bp), fpx, lot, fractional, not side_long, table, fee_buf
        )
    if sizing_mode == SIZE_FIXED_CASH:
        return _affordable_qty(min(sv, bp), fpx, lot, fractional, not side_long, table, fee_buf)
    cap = _affordable_qty(bp, fpx, lot, fractional, not side_long, table, fee_buf)
    if sizing_mode == SIZE_FIXED_UNITS:
        return min(_floor_qty(sv, lot, fractional), cap)
    # SIZE_RISK: lose ``sv`` x equity if the stop is hit; all buying power when there is no stop.
    if np.isnan(stop_dist) or stop_dist <= 0.0:
        return cap
    return min(_floor_qty(eq * sv / stop_dist, lot, fractional), cap)


@nb.njit(cache=True, nogil=True)  # without the GIL: a study simulates column halves in two threads
def simulate(
    open_: np.ndarray,
    high: np.ndarray,
    low: np.ndarray,
    close: np.ndarray,
    volume: np.ndarray,
    split_ratio: np.ndarray,
    dividend: np.ndarray,
    long_entry: np.ndarray,
    long_exit: np.ndarray,
    short_entry: np.ndarray,
    short_exit: np.ndarray,
    size: np.ndarray,
    stop_loss: np.ndarray,
    take_profit: np.ndarray,
    trail: np.ndarray,
    exit_fraction: np.ndarray,
    priority: np.ndarray,
    target_weight: np.ndarray,
    flags: np.ndarray,
    account_of: np.ndarray,
    n_accounts: int,
    last_bar: np.ndarray,
    initial_cash: float,
    fill_mode: int,
    sizing_mode: int,
    sizing_value: float,
    lot_size: float,
    max_positions: int,
    max_participation: float,
    slippage: float,
    leverage: float,
    borrow_per_bar: float,
    max_hold: int,
    fee_tables: np.ndarray,
    fee_begins: np.ndarray,
    capacity: int,
    rebalance_threshold: float,
    maintenance_margin: float,
    risk: np.ndarray,
    overlay: np.ndarray,
    overlay_grid: np.ndarray,
):
    """Simulate a portfolio. ``flags`` (bool[11]): has_size, has_stops, has_exit_fraction,
    has_priority, stop_abs, take_profit_abs, trail_abs, fractional, allow_short,
    has_corporate_actions, exits_at_close (exit signals fill at their own bar's close),
    has_weights (``target_weight`` rows rebalance the portfolio; ``rebalance_threshold`` is the
    smallest trade, as a fraction of equity, worth making). ``maintenance_margin`` is the equity
    an account must keep, as a fraction of its gross exposure, at every close (0: only ruin closes).

    ``risk`` (float64[4], see ``RISK_*``) is the drawdown circuit breaker, decided per account on
    the equity marked at each close: once equity is ``max_dd`` or more below its peak, the entries
    decided at that close are cancelled (a reversal becomes a plain exit) and no entry or
    target-weight row is read until it resumes; with ``flatten`` every position closes at the next
    open (exit reason ``circuit_breaker``). It resumes at the close ``resume_bars`` bars after the
    tripping one, or at a close whose equity is ``resume_recovery`` above its lowest close since the
    trip, whichever comes first; entries are read again from the following close, and the peak
    restarts at the resuming close's equity. Blocked entries are logged as skips
    (``circuit_breaker``); ``halted`` in the result marks, per bar and account, the closes at
    which entries were not read.

    With ``sizing_mode`` SIZE_KELLY or SIZE_MONTE_CARLO, each account learns its entry fraction
    from its own closed trades: at the end of every bar on which trades closed, their returns
    (net P&L / entry value) are folded into the account's statistics and its fraction recomputed
    (``kelly_fraction`` or ``monte_carlo_fraction``, options in ``overlay``), so an entry at bar t
    is sized from trades closed at bars before t only.

    Optional per-bar arrays that are unused may be (1, 1) placeholders; their flag says so.
    """
    has_size = flags[0]
    has_stops = flags[1]
    has_exit_fraction = flags[2]
    has_priority = flags[3]
    stop_abs = flags[4]
    tp_abs = flags[5]
    trail_abs = flags[6]
    fractional = flags[7]
    allow_short = flags[8]
    has_actions = flags[9]
    exits_at_close = flags[10]
    has_weights = flags[11]
    max_dd = risk[RISK_MAX_DD]
    has_risk = max_dd > 0.0
    flatten_on_trip = risk[RISK_FLATTEN] > 0.0
    resume_bars = int(risk[RISK_RESUME_BARS])
    resume_recovery = risk[RISK_RESUME_RECOVERY]
    learns = sizing_mode == SIZE_KELLY or sizing_mode == SIZE_MONTE_CARLO

    n_bars, n_cols = close.shape
    fee_buf = np.zeros(fee_tables.shape[1])
    cash = np.full(n_accounts, initial_cash)
    equity = np.empty((n_bars, n_accounts))
    cash_out = np.empty((n_bars, n_accounts))
    exposure = np.empty((n_bars, n_accounts))

    st = np.zeros((n_cols, N_STATE))
    for j in range(n_cols):
        _clear_levels(st, j)
        st[j, LAST] = np.nan
    open_count = np.zeros(n_accounts, dtype=np.int64)
    pend = np.zeros(n_cols, dtype=np.int64)
    pend_why = np.zeros(n_cols, dtype=np.int64)
    pend_bar = np.zeros(n_cols, dtype=np.int64)
    pend_frac = np.zeros(n_cols)

    cnt = np.zeros(3, dtype=np.int64)
    # Sized up front so the records never move (reallocating inside the loop costs more than the
    # loop): the caller's estimate covers signal strategies exactly; weights may need a rerun.
    fills = np.empty((capacity, FILL_COLS))
    trades = np.empty((capacity, TRADE_COLS))
    skips = np.empty((capacity, 3))

    cand = np.empty(n_cols, dtype=np.int64)
    cand_key = np.empty(n_cols)
    eq_acc = np.zeros(n_accounts)
    gross_acc = np.zeros(n_accounts)

    at_close = fill_mode == CLOSE
    called = np.zeros(n_cols, dtype=np.bool_)  # positions to close at their next open
    call_why = np.full(n_cols, R_MARGIN_CALL, dtype=np.int64)  # ... and why
    peak = np.full(n_accounts, initial_cash)  # the circuit breaker's equity peak
    halted = np.zeros(n_accounts, dtype=np.bool_)  # entries are not read while True
    halt_bar = np.zeros(n_accounts, dtype=np.int64)
    trough = np.zeros(n_accounts)
    halted_out = np.zeros((n_bars if has_risk else 0, n_accounts), dtype=np.bool_)
    ruined = np.full(n_accounts, -1, dtype=np.int64)  # bar where equity first was <= 0
    call_acc = np.zeros(n_accounts, dtype=np.bool_)
    pend_w = np.full(n_cols, np.nan)  # target weights decided at the last rebalance close
    rebalance_due = False
    # The trade-history sizers' state, per account (empty unless ``learns``).
    n_learn = n_accounts if learns else 0
    learnt = np.full(n_learn, np.nan)  # the fraction in force; NaN: equal slots
    # Per account: trades, wins, sum of winning returns, losses, sum of losing returns.
    acc_stats = np.zeros((n_learn, 5))
    acc_dirty = np.zeros(n_learn, dtype=np.bool_)
    folded = 0  # trade records already folded into acc_stats
    n_pend_entries = 0  # entries waiting for a fill; the entry phase runs only when there are some
    epoch = 0
    next_begin = fee_begins[1] if fee_begins.shape[0] > 1 else n_bars
    table = fee_tables[0]
    # One bar writes at most a few records per column; stop early (and let the caller rerun with
    # more room) rather than ever write past the end of the record arrays.
    margin = 6 * n_cols + 16
    overflow = False
    for t in range(n_bars):
        if cnt[C_FILLS] + margin > capacity or cnt[C_SKIPS] + margin > capacity:
            overflow = True
            break
        if t == next_begin:
            # A new fee regime (a rate change) starts at this bar.
            epoch += 1
            table = fee_tables[epoch]
            next_begin = fee_begins[epoch + 1] if fee_begins.shape[0] > epoch + 1 else n_bars

        # 1. Corporate actions before the open of the ex-date.
        if has_actions:
            for j in range(n_cols):
                if np.isnan(close[t, j]):
                    continue
                r = split_ratio[t, j]
                if r != 1.0 and r > 0.0:
                    st[j, QTY] *= r
                    st[j, EPX] /= r
                    st[j, STOP] /= r
                    st[j, TP] /= r
                    st[j, TLVL] /= r
                    st[j, LAST] /= r
                    if trail_abs:
                        st[j, TDIST] /= r
                d = dividend[t, j]
                if d != 0.0 and st[j, QTY] != 0.0:
                    amount = st[j, QTY] * d
                    cash[account_of[j]] += amount
                    st[j, DIVS] += amount

        # 2. Gaps through stops/targets, then (next-open mode) orders from the previous close.
        for j in range(n_cols):
            o = open_[t, j]
            if np.isnan(o) or st[j, QTY] == 0.0:
                continue
            a = account_of[j]
            if has_stops:
                why, px = _stop_hit(st, j, o, o, o)
                if why >= 0:
                    _exit(
                        t, j, abs(st[j, QTY]), px, why, st, cash, a, open_count,
                        fills, trades, cnt, table, fee_buf, slippage,
                    )  # fmt: skip
                    if pend[j] == P_EXIT or pend[j] == P_PARTIAL:
                        pend[j] = P_NONE
                    called[j] = False
                    continue
            if called[j]:
                # A margin call (or the circuit breaker) from the last close: the whole position
                # goes at this open.
                called[j] = False
                pend[j] = P_NONE
                _exit(
                    t, j, abs(st[j, QTY]), o, call_why[j], st, cash, a, open_count,
                    fills, trades, cnt, table, fee_buf, slippage,
                )  # fmt: skip
                continue
            if not at_close and pend[j] != P_NONE:
                _pending_exit(
                    t, j, o, st, pend, pend_why, pend_frac, cash, a, open_count,
                    fills, trades, cnt, table, fee_buf, slippage, lot_size, fractional,
                )  # fmt: skip

        if rebalance_due and not at_close:
            rebalance_due = _rebalance(
                t, open_, st, pend_w, cash, account_of, n_accounts, open_count, eq_acc, gross_acc,
                lot_size, fractional, allow_short, slippage, leverage, rebalance_threshold,
                fills, trades, skips, cnt, table, fee_buf,
            )  # fmt: skip

        if not at_close and n_pend_entries > 0:
            n_pend_entries = _entries(
                t, open_, volume, st, pend, pend_bar, cash, account_of, n_accounts, open_count,
                cand, cand_key, eq_acc, gross_acc, size, stop_loss, take_profit, trail, priority,
                has_size, has_stops, has_priority, stop_abs, tp_abs, trail_abs, fractional,
                allow_short, sizing_mode, sizing_value, max_positions, max_participation,
                lot_size, slippage, leverage, fills, skips, cnt, table, fee_buf, learnt,
            )  # fmt: skip

        # 3. Stops and targets inside the bar's range.
        if has_stops:
            for j in range(n_cols):
                if st[j, QTY] == 0.0 or np.isnan(close[t, j]):
                    continue
                if at_close and st[j, EBAR] == t:
                    continue  # filled at this close: the range came before the position
                why, px = _stop_hit(st, j, low[t, j], high[t, j], open_[t, j])
                if why >= 0:
                    _exit(
                        t, j, abs(st[j, QTY]), px, why, st, cash, account_of[j], open_count,
                        fills, trades, cnt, table, fee_buf, slippage,
                    )  # fmt: skip
                    if pend[j] == P_EXIT or pend[j] == P_PARTIAL:
                        pend[j] = P_NONE

        # 4. The close: borrow fees, trailing levels, then the orders decided at this close.
        for j in range(n_cols):
            c = close[t, j]
            if np.isnan(c):
                continue
            st[j, LAST] = c
            q = st[j, QTY]
            if q == 0.0:
                called[j] = False  # a stop took the position before its margin call filled
            if q < 0.0 and borrow_per_bar > 0.0:
                fee_b = -q * c * borrow_per_bar
                cash[account_of[j]] -= fee_b
                st[j, EFEES] += fee_b
            if q != 0.0 and not np.isnan(st[j, TDIST]):
                d = st[j, TDIST]
                if q > 0.0:
                    lvl = high[t, j] - d if trail_abs else high[t, j] * (1.0 - d)
                    if np.isnan(st[j, TLVL]) or lvl > st[j, TLVL]:
                        st[j, TLVL] = lvl
                else:
                    lvl = low[t, j] + d if trail_abs else low[t, j] * (1.0 + d)
                    if np.isnan(st[j, TLVL]) or lvl < st[j, TLVL]:
                        st[j, TLVL] = lvl

            act = P_NONE
            why = R_SIGNAL
            if t == last_bar[j] and t < n_bars - 1:
                # The symbol's data ends inside the run: its position closes at this close.
                act = P_EXIT if q != 0.0 else P_NONE
                why = R_DATA_END
                called[j] = False
            elif called[j] or ruined[account_of[j]] >= 0:
                pass  # waiting for a margin call's fill, or ruined: no new order
            elif q != 0.0:
                # In a position: the opposite entry reverses it, then its own exit, the time
                # exit, a scale-out — the same order for longs and shorts.
                is_long = q > 0.0
                le, se = long_entry[t, j], short_entry[t, j]
                own_exit = long_exit[t, j] if is_long else short_exit[t, j]
                timed_out = max_hold > 0 and t - st[j, EBAR] + 1 >= max_hold
                if exits_at_close and (own_exit or timed_out):
                    # Exits fill at this close, before the next open's decision is known: the
                    # entries on this row (the next open's) are taken once the position is flat.
                    act = P_EXIT
                    if not own_exit:
                        why = R_MAX_HOLD
                elif (se and not le) if is_long else (le and not se):
                    act = P_SHORT if is_long else P_LONG
                elif own_exit:
                    act = P_EXIT
                elif timed_out:
                    act = P_EXIT
                    why = R_MAX_HOLD
                elif has_exit_fraction and exit_fraction[t, j] > 0.0:
                    act = P_PARTIAL
                    why = R_SCALE_OUT
            elif long_entry[t, j] and not short_entry[t, j]:
                act = P_LONG
            elif short_entry[t, j] and not long_entry[t, j]:
                act = P_SHORT
            if (act == P_LONG or act == P_SHORT) and halted[account_of[j]]:
                # The circuit breaker is open: no entry; a reversal only closes.
                _log_skip(skips, cnt, t, j, SKIP_CIRCUIT_BREAKER)
                act = P_EXIT if q != 0.0 else P_NONE
            pend[j] = act
            if act == P_NONE:
                continue
            pend_why[j] = why
            pend_bar[j] = t
            if act == P_LONG or act == P_SHORT:
                n_pend_entries += 1
            if act == P_PARTIAL:
                pend_frac[j] = min(exit_fraction[t, j], 1.0)
            if act != P_NONE and (
                at_close
                or why == R_DATA_END
                or (exits_at_close and (act == P_EXIT or act == P_PARTIAL))
            ):
                _pending_exit(
                    t, j, c, st, pend, pend_why, pend_frac, cash, account_of[j], open_count,
                    fills, trades, cnt, table, fee_buf, slippage, lot_size, fractional,
                )  # fmt: skip
                if (
                    exits_at_close
                    and not at_close
                    and act == P_EXIT
                    and why != R_DATA_END
                    and st[j, QTY] == 0.0
                    and long_entry[t, j] != short_entry[t, j]
                    and not halted[account_of[j]]
                ):
                    # Flat at this close: the next open's entry stands as a fresh order.
                    pend[j] = P_LONG if long_entry[t, j] else P_SHORT
                    pend_why[j] = R_SIGNAL
                    pend_bar[j] = t
                    n_pend_entries += 1

        if has_weights:
            row_has = False
            for j in range(n_cols):
                w = target_weight[t, j]
                if (
                    w == w
                    and not np.isnan(close[t, j])
                    and ruined[account_of[j]] < 0
                    and not halted[account_of[j]]
                ):
                    pend_w[j] = w
                    row_has = True
                elif not np.isnan(close[t, j]):
                    pend_w[j] = np.nan
            if row_has:
                rebalance_due = True
                if at_close:
                    rebalance_due = _rebalance(
                        t, close, st, pend_w, cash, account_of, n_accounts, open_count, eq_acc,
                        gross_acc, lot_size, fractional, allow_short, slippage, leverage,
                        rebalance_threshold, fills, trades, skips, cnt, table, fee_buf,
                    )  # fmt: skip

        if at_close and n_pend_entries > 0:
            n_pend_entries = _entries(
                t, close, volume, st, pend, pend_bar, cash, account_of, n_accounts, open_count,
                cand, cand_key, eq_acc, gross_acc, size, stop_loss, take_profit, trail, priority,
                has_size, has_stops, has_priority, stop_abs, tp_abs, trail_abs, fractional,
                allow_short, sizing_mode, sizing_value, max_positions, max_participation,
                lot_size, slippage, leverage, fills, skips, cnt, table, fee_buf, learnt,
            )  # fmt: skip

        # 5. Mark to market at the close.
        for a in range(n_accounts):
            equity[t, a] = cash[a]
            exposure[t, a] = 0.0
            cash_out[t, a] = cash[a]
        for j in range(n_cols):
            if st[j, QTY] != 0.0:
                v = st[j, QTY] * st[j, LAST]
                equity[t, account_of[j]] += v
                exposure[t, account_of[j]] += abs(v)

        # 6. The margin check on the marked equity.
        any_call = False
        for a in range(n_accounts):
            e = equity[t, a]
            if ruined[a] < 0 and e <= 0.0:
                ruined[a] = t
            call_acc[a] = ruined[a] == t or (
                exposure[t, a] > 0.0 and (ruined[a] >= 0 or e < maintenance_margin * exposure[t, a])
            )
            any_call = any_call or call_acc[a]
        if any_call:
            for j in range(n_cols):
                a = account_of[j]
                if not call_acc[a]:
                    continue
                # Orders decided at this close are void; the positions go at the next open.
                pend[j] = P_NONE
                pend_w[j] = np.nan
                if st[j, QTY] != 0.0:
                    called[j] = True
                    call_why[j] = R_MARGIN_CALL

        # 7. The drawdown circuit breaker on the marked equity.
        if has_risk:
            _circuit_breaker(
                t, equity, ruined, peak, halted, halt_bar, trough, halted_out, max_dd,
                flatten_on_trip, resume_bars, resume_recovery, st, pend, pend_w, called,
                call_why, account_of, skips, cnt,
            )  # fmt: skip

        # 8. The trade-history sizers learn from the trades closed on this bar (for later bars).
        if learns and cnt[C_TRADES] > folded:
            folded = _learn(
                trades, folded, cnt[C_TRADES], acc_stats, acc_dirty, learnt, sizing_mode,
                overlay, overlay_grid,
            )  # fmt: skip

    # Positions open at the end are reported as open, marked at their last close.
    open_pos = np.empty((n_cols, 7))
    n_open = 0
    for j in range(n_cols):
        if st[j, QTY] != 0.0:
            open_pos[n_open, 0] = j
            open_pos[n_open, 1] = st[j, QTY]
            open_pos[n_open, 2] = st[j, EBAR]
            open_pos[n_open, 3] = st[j, EPX]
            open_pos[n_open, 4] = st[j, LAST]
            open_pos[n_open, 5] = st[j, EFEES]
            open_pos[n_open, 6] = st[j, DIVS]
            n_open += 1
    return (
        equity,
        cash_out,
        exposure,
        fills[: cnt[C_FILLS]].copy(),
        trades[: cnt[C_TRADES]].copy(),
        skips[: cnt[C_SKIPS]].copy(),
        open_pos[:n_open].copy(),
        ruined,
        halted_out,
        overflow,
    )


@nb.njit(cache=True)
def _circuit_breaker(
    t: int,
    equity: np.ndarray,
    ruined: np.ndarray,
    peak: np.ndarray,
    halted: np.ndarray,
    halt_bar: np.ndarray,
    trough: np.ndarray,
    halted_out: np.ndarray,
    max_dd: float,
    flatten: bool,
    resume_bars: int,
    resume_recovery: float,
    st: np.ndarray,
    pend: np.ndarray,
    pend_w: np.ndarray,
    called: np.ndarray,
    call_why: np.ndarray,
    account_of: np.ndarray,
    skips: np.ndarray,
    cnt: np.ndarray,
) -> None:
    """Trip, hold or resume each account's breaker on the equity marked at close t (see
    ``simulate``); on a trip, cancel the entries decided at this close and, with ``flatten``,
    send every position to the next open."""
    n_accounts = peak.shape[0]
    for a in range(n_accounts):
        e = equity[t, a]
        if halted[a]:
            trough[a] = min(trough[a], e)
            by_time = resume_bars > 0 and t - halt_bar[a] >= resume_bars
            by_recovery = resume_recovery > 0.0 and e >= trough[a] * (1.0 + resume_recovery)
            halted_out[t, a] = True
            if by_time or by_recovery:
                halted[a] = False
                peak[a] = e
            continue
        if e > peak[a]:
            peak[a] = e
        if ruined[a] >= 0 or not (e <= peak[a] * (1.0 - max_dd)):
            continue
        halted[a] = True
        halt_bar[a] = t
        trough[a] = e
        halted_out[t, a] = True
        for j in range(pend.shape[0]):
            if account_of[j] != a:
                continue
            pend_w[j] = np.nan
            q = st[j, QTY]
            if flatten and q != 0.0 and not called[j]:
                called[j] = True
                call_why[j] = R_CIRCUIT_BREAKER
                pend[j] = P_NONE
            elif pend[j] == P_LONG or pend[j] == P_SHORT:
                if q != 0.0 and ((pend[j] == P_LONG) == (q > 0.0)):
                    continue  # an add-on cannot happen: nothing pending to cancel
                _log_skip(skips, cnt, t, j, SKIP_CIRCUIT_BREAKER)
                pend[j] = P_EXIT if q != 0.0 else P_NONE


@nb.njit(cache=True)
def _pending_exit(
    t: int,
    j: int,
    px: float,
    st: np.ndarray,
    pend: np.ndarray,
    pend_why: np.ndarray,
    pend_frac: np.ndarray,
    cash: np.ndarray,
    a: int,
    open_count: np.ndarray,
    fills: np.ndarray,
    trades: np.ndarray,
    cnt: np.ndarray,
    table: np.ndarray,
    fee_buf: np.ndarray,
    slippage: float,
    lot: float,
    fractional: bool,
):
    """Fill the exit part of column j's pending order at ``px``: an exit, a scale-out, or the
    closing leg of a reversal (whose entry leg then competes with the other entries)."""
    q = st[j, QTY]
    act = pend[j]
    if q == 0.0 or act == P_NONE:
        return
    if act == P_EXIT:
        pend[j] = P_NONE
        _exit(
            t, j, abs(q), px, pend_why[j], st, cash, a, open_count,
            fills, trades, cnt, table, fee_buf, slippage,
        )  # fmt: skip
    elif act == P_PARTIAL:
        pend[j] = P_NONE
        close_q = min(_floor_qty(abs(q) * pend_frac[j], lot, fractional), abs(q))
        if close_q <= 0.0:
            return
        _exit(
            t, j, close_q, px, R_SCALE_OUT, st, cash, a, open_count,
            fills, trades, cnt, table, fee_buf, slippage,
        )  # fmt: skip
    elif (act == P_LONG and q < 0.0) or (act == P_SHORT and q > 0.0):
        _exit(
            t, j, abs(q), px, R_REVERSAL, st, cash, a, open_count,
            fills, trades, cnt, table, fee_buf, slippage,
        )  # fmt: skip


@nb.njit(cache=True)
def _entries(
    t: int,
    px_arr: np.ndarray,
    volume: np.ndarray,
    st: np.ndarray,
    pend: np.ndarray,
    pend_bar: np.ndarray,
    cash: np.ndarray,
    account_of: np.ndarray,
    n_accounts: int,
    open_count: np.ndarray,
    cand: np.ndarray,
    cand_key: np.ndarray,
    eq_acc: np.ndarray,
    gross_acc: np.ndarray,
    size: np.ndarray,
    stop_loss: np.ndarray,
    take_profit: np.ndarray,
    trail: np.ndarray,
    priority: np.ndarray,
    has_size: bool,
    has_stops: bool,
    has_priority: bool,
    stop_abs: bool,
    tp_abs: bool,
    trail_abs: bool,
    fractional: bool,
    allow_short: bool,
    sizing_mode: int,
    sizing_value: float,
    max_positions: int,
    max_participation: float,
    lot: float,
    slippage: float,
    leverage: float,
    fills: np.ndarray,
    skips: np.ndarray,
    cnt: np.ndarray,
    table: np.ndarray,
    fee_buf: np.ndarray,
    learnt: np.ndarray,
):
    """Fill pending entries at ``px_arr[t]``: by priority (higher first), then symbol order, each
    sized from its account's equity at this price after the exits."""
    n_cols = px_arr.shape[1]
    n_cand = 0
    n_left = 0
    for j in range(n_cols):
        if pend[j] != P_LONG and pend[j] != P_SHORT:
            continue
        if st[j, QTY] != 0.0:
            if np.isnan(px_arr[t, j]):
                n_left += 1  # a reversal whose exit waits for the symbol's next bar
            else:
                pend[j] = P_NONE  # the reversal's exit did not fill (e.g. a stop took it)
            continue
        if np.isnan(px_arr[t, j]):
            _log_skip(skips, cnt, t, j, SKIP_NO_BAR)  # no bar: the order lapses
            pend[j] = P_NONE
            continue
        cand[n_cand] = j
        cand_key[n_cand] = -priority[pend_bar[j], j] if has_priority else 0.0
        n_cand += 1
    if n_cand == 0:
        return n_left
    if has_priority and n_cand > 1:
        _order_candidates(cand, cand_key, n_cand)
    for a in range(n_accounts):
        eq_acc[a] = cash[a]
        gross_acc[a] = 0.0
    for j in range(n_cols):
        q = st[j, QTY]
        if q != 0.0:
            p = px_arr[t, j]
            v = q * (st[j, LAST] if np.isnan(p) else p)
            eq_acc[account_of[j]] += v
            gross_acc[account_of[j]] += abs(v)
    for k in range(n_cand):
        j = cand[k]
        a = account_of[j]
        side_long = pend[j] == P_LONG
        sb = pend_bar[j]
        pend[j] = P_NONE
        if open_count[a] >= max_positions:
            _log_skip(skips, cnt, t, j, SKIP_MAX_POSITIONS)
            continue
        if not side_long and not allow_short:
            _log_skip(skips, cnt, t, j, SKIP_SHORT_FORBIDDEN)
            continue
        p = px_arr[t, j]
        fpx = p * (1.0 + slippage) if side_long else p * (1.0 - slippage)
        bp = eq_acc[a] * leverage - gross_acc[a]
        sl = stop_loss[sb, j] if has_stops else np.nan
        stop_dist = sl if stop_abs else sl * fpx
        frac = learnt[a] if learnt.shape[0] > 0 else np.nan
        q = _entry_qty(
            side_long, fpx, eq_acc[a], bp, size[sb, j] if has_size else np.nan, stop_dist,
            leverage, sizing_mode, sizing_value, max_positions, lot,
            fractional, table, fee_buf, frac,
        )  # fmt: skip
        if max_participation < 1.0 and volume[t, j] > 0.0:
            q = min(q, _floor_qty(max_participation * volume[t, j], lot, fractional))
        if q <= 0.0:
            why = SKIP_CASH if bp < fpx else SKIP_ZERO_QTY
            if frac <= 0.0 and not has_size:
                why = SKIP_NO_EDGE  # the sizer learnt to stake nothing
            _log_skip(skips, cnt, t, j, why)
            continue
        fee = fill_fees(table, not side_long, q, fpx, fee_buf)
        if side_long:
            cash[a] -= q * fpx + fee
            st[j, QTY] = q
        else:
            cash[a] += q * fpx - fee
            st[j, QTY] = -q
        eq_acc[a] -= fee
        gross_acc[a] += q * fpx
        open_count[a] += 1
        st[j, EPX] = fpx
        st[j, EBAR] = t
        st[j, EFEES] = fee
        st[j, DIVS] = 0.0
        _log_fill(fills, cnt, t, j, q if side_long else -q, fpx, fee, R_ENTRY, a)
        if has_stops:
            # Levels are computed from the fill price.
            sgn = 1.0 if side_long else -1.0
            if not np.isnan(sl):
                st[j, STOP] = fpx - sgn * stop_dist
            tp = take_profit[sb, j]
            if not np.isnan(tp):
                st[j, TP] = fpx + sgn * (tp if tp_abs else tp * fpx)
            tr = trail[sb, j]
            if not np.isnan(tr):
                st[j, TDIST] = tr
                st[j, TLVL] = fpx - sgn * (tr if trail_abs else tr * fpx)
    return n_left


@nb.njit(cache=True)
def _rebalance(
    t: int,
    px_arr: np.ndarray,
    st: np.ndarray,
    weights: np.ndarray,
    cash: np.ndarray,
    account_of: np.ndarray,
    n_accounts: int,
    open_count: np.ndarray,
    eq_acc: np.ndarray,
    gross_acc: np.ndarray,
    lot: float,
    fractional: bool,
    allow_short: bool,
    slippage: float,
    leverage: float,
    threshold: float,
    fills: np.ndarray,
    trades: np.ndarray,
    skips: np.ndarray,
    cnt: np.ndarray,
    table: np.ndarray,
    fee_buf: np.ndarray,
) -> bool:
    """Move each weighted column toward ``weight x account equity`` at ``px_arr[t]``.

    Targets come from the equity at this price (less the costs of the moves already made in
    this rebalance); reductions fill first (their cash funds the increases), then increases,
    capped by buying power, which the reductions' fees and slippage reduce. A move smaller than
    ``threshold x equity`` is skipped (the drift band). Returns True while a column still waits
    for a bar, so the rebalance is retried at the next one.
    """
    n_cols = px_arr.shape[1]
    for a in range(n_accounts):
        eq_acc[a] = cash[a]
        gross_acc[a] = 0.0
    for j in range(n_cols):
        q = st[j, QTY]
        if q != 0.0:
            p = px_arr[t, j]
            v = q * (st[j, LAST] if np.isnan(p) else p)
            eq_acc[account_of[j]] += v
            gross_acc[account_of[j]] += abs(v)
    waiting = False
    for phase in range(2):  # 0: reduce, 1: increase
        for j in range(n_cols):
            w = weights[j]
            if np.isnan(w):
                continue
            p = px_arr[t, j]
            if np.isnan(p):
                waiting = True
                continue
            if w < 0.0 and not allow_short:
                w = 0.0
            a = account_of[j]
            eq = eq_acc[a]
            raw = w * eq / p
            target = _floor_qty(abs(raw), lot, fractional)
            target = target if raw >= 0.0 else -target
            q = st[j, QTY]
            delta = target - q
            if delta == 0.0 or abs(delta) * p < threshold * eq:
                if phase == 1:
                    weights[j] = np.nan
                continue
            if phase == 0:
                # Reduce toward zero first: the part of the move that closes existing quantity.
                # Its fee and slippage leave the equity the increases are funded from.
                before = cash[a]
                if q > 0.0 and delta < 0.0:
                    _exit(t, j, min(q, -delta), p, R_REBALANCE, st, cash, a, open_count,
                          fills, trades, cnt, table, fee_buf, slippage)  # fmt: skip
                    gross_acc[a] -= min(q, -delta) * p
                    eq_acc[a] += cash[a] - before - min(q, -delta) * p
                elif q < 0.0 and delta > 0.0:
                    _exit(t, j, min(-q, delta), p, R_REBALANCE, st, cash, a, open_count,
                          fills, trades, cnt, table, fee_buf, slippage)  # fmt: skip
                    gross_acc[a] -= min(-q, delta) * p
                    eq_acc[a] += cash[a] - before + min(-q, delta) * p
                continue
            weights[j] = np.nan
            if (delta > 0.0 and q < 0.0) or (delta < 0.0 and q > 0.0):
                continue  # the reduction above could not complete; nothing to add
            side_long = delta > 0.0
            fpx = p * (1.0 + slippage) if side_long else p * (1.0 - slippage)
            bp = eq * leverage - gross_acc[a]
            add = min(
                abs(delta), _affordable_qty(bp, fpx, lot, fractional, not side_long, table, fee_buf)
            )
            if add <= 0.0:
                _log_skip(skips, cnt, t, j, SKIP_CASH)
                continue
            fee = fill_fees(table, not side_long, add, fpx, fee_buf)
            if side_long:
                cash[a] -= add * fpx + fee
            else:
                cash[a] += add * fpx - fee
            gross_acc[a] += add * fpx
            eq_acc[a] -= fee
            if q == 0.0:
                open_count[a] += 1
                st[j, EPX] = fpx
                st[j, EBAR] = t
                st[j, EFEES] = fee
                st[j, DIVS] = 0.0
                st[j, QTY] = add if side_long else -add
            else:
                # Adding to a position: the entry price becomes the quantity-weighted average.
                new_q = abs(q) + add
                st[j, EPX] = (abs(q) * st[j, EPX] + add * fpx) / new_q
                st[j, EFEES] += fee
                st[j, QTY] = new_q if side_long else -new_q
            _log_fill(fills, cnt, t, j, add if side_long else -add, fpx, fee, R_REBALANCE, a)
    return waiting


@nb.njit(cache=True)
def kelly_fraction(
    n: float, wins: float, win_sum: float, losses: float, loss_sum: float, mult: float, cap: float
) -> float:
    """``mult`` x the Kelly fraction ``W - (1 - W) / R`` of ``n`` closed trades, within
    [0, cap]. W = wins / n (breakeven trades count in n only); R = mean winning return / |mean
    losing return|. No losing trade yet: R is unbounded and the fraction tends to W; no winning
    trade: nothing is staked."""
    if n <= 0.0:
        return np.nan
    w = wins / n
    if wins <= 0.0:
        return 0.0
    if losses <= 0.0 or loss_sum >= 0.0:
        f = w
    else:
        payoff = (win_sum / wins) / (-loss_sum / losses)
        f = w - (1.0 - w) / payoff
    f *= mult
    if f <= 0.0:
        return 0.0
    return min(f, cap)


@nb.njit(cache=True)
def monte_carlo_fraction(
    rets: np.ndarray,
    grid: np.ndarray,
    budget: float,
    pct: float,
    resamples: int,
    horizon: int,
    seed: int,
) -> float:
    """The largest fraction of ``grid`` whose ``pct`` percentile of the maximum drawdown over
    ``resamples`` paths stays within ``budget`` (0 when none does). Each path compounds
    ``horizon`` trade returns drawn with replacement from ``rets``, a trade risking the fraction
    of equity: E_k = E_{k-1} x (1 + f x r_k), floored at 0. Every fraction is judged on the same
    paths; numba's generator is seeded with ``seed`` first, so the answer is reproducible."""
    n = rets.shape[0]
    g = grid.shape[0]
    if n == 0 or g == 0:
        return np.nan
    np.random.seed(seed)
    dd = np.empty((g, resamples))
    # Equity over its running peak, E_k / max(E_0..E_k), updated without dividing: a new peak
    # sets it back to 1; its lowest value over the path is 1 - the maximum drawdown.
    rel = np.empty(g)
    low = np.empty(g)
    draws = np.empty(horizon, dtype=np.int64)
    for s in range(resamples):
        for h in range(horizon):
            draws[h] = np.random.randint(0, n)
        rel[:] = 1.0
        low[:] = 1.0
        for h in range(horizon):
            r = rets[draws[h]]
            for i in range(g):
                x = rel[i] * (1.0 + grid[i] * r)
                x = min(max(x, 0.0), 1.0)
                rel[i] = x
                low[i] = min(low[i], x)
        for i in range(g):
            dd[i, s] = 1.0 - low[i]
    best = 0.0
    for i in range(g):
        if np.percentile(dd[i], pct) <= budget and grid[i] > best:
            best = grid[i]
    return best


@nb.njit(cache=True)
def _mix_seed(seed: float, n: float) -> int:
    """The generator's seed for a recompute after ``n`` closed trades: the run's seed and the
    history's length only, so a sweep's accounts and single runs draw the same paths."""
    return int((seed * 1_000_003.0 + n * 7_919.0) % 4_294_967_296.0)


@nb.njit(cache=True)
def _learn(
    trades: np.ndarray,
    start: int,
    stop: int,
    acc_stats: np.ndarray,
    acc_dirty: np.ndarray,
    learnt: np.ndarray,
    sizing_mode: int,
    overlay: np.ndarray,
    grid: np.ndarray,
) -> int:
    """Fold trade records ``start .. stop`` into their accounts' statistics and recompute the
    fraction of each account that closed a trade. Returns the new fold position."""
    for k in range(start, stop):
        a = int(trades[k, 12])
        value = trades[k, 4] * trades[k, 6]
        net = trades[k, 7] - trades[k, 8] + trades[k, 9]
        r = net / value if value > 0.0 else 0.0
        acc_stats[a, 0] += 1.0
        if net > 0.0:
            acc_stats[a, 1] += 1.0
            acc_stats[a, 2] += r
        elif net < 0.0:
            acc_stats[a, 3] += 1.0
            acc_stats[a, 4] += r
        acc_dirty[a] = True
    min_trades = overlay[OV_MIN_TRADES]
    for a in range(acc_stats.shape[0]):
        if not acc_dirty[a]:
            continue
        acc_dirty[a] = False
        n = acc_stats[a, 0]
        if n < min_trades:
            continue
        if sizing_mode == SIZE_KELLY:
            learnt[a] = kelly_fraction(
                n, acc_stats[a, 1], acc_stats[a, 2], acc_stats[a, 3], acc_stats[a, 4],
                overlay[OV_KELLY_MULT], overlay[OV_CAP],
            )  # fmt: skip
            continue
        rets = np.empty(int(n))
        m = 0
        for k in range(stop):
            if int(trades[k, 12]) != a:
                continue
            value = trades[k, 4] * trades[k, 6]
            net = trades[k, 7] - trades[k, 8] + trades[k, 9]
            rets[m] = net / value if value > 0.0 else 0.0
            m += 1
        learnt[a] = monte_carlo_fraction(
            rets[:m], grid, overlay[OV_MC_BUDGET], overlay[OV_MC_PCT],
            int(overlay[OV_MC_RESAMPLES]), int(overlay[OV_MC_HORIZON]),
            _mix_seed(overlay[OV_SEED], n),
        )  # fmt: skip
    return stop
