"""Analytics across stored runs: the correlation of their returns and a portfolio of them.

The API (``/api/v2/analytics``) and the CLI (``ava analytics``) both come here: stored runs are
read and checked (known, completed, one currency for a portfolio), then measured by the pure
functions of ``analytics.portfolio``. Every refusal is a ``ConfigError``/``DataError`` naming the
field (``backtest_ids``, ``weights`` …) with a code of its own.

Currency rule: runs in different currencies are never combined into one portfolio. Ava has no
exchange-rate series, and converting at a fixed rate would hide the currency risk that such a
portfolio carries; the refusal (``currency_mismatch``) names each run's currency. Correlation is
measured across currencies (each run's returns in its own currency) and says so in ``notes``.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

import numpy as np

from ava_backtest.analytics.portfolio import Curve, combine, correlation, daily_curve
from ava_backtest.domain.errors import ConfigError
from ava_backtest.markets.registry import get_market
from ava_backtest.store.repository import RunStore

MAX_RUNS = 50


class RunSelectionError(ConfigError):
    """The runs asked for cannot be measured together; ``code`` says why."""

    def __init__(self, code: str, message: str, *, details: object = None) -> None:
        super().__init__(message, field="backtest_ids", details=details)
        self.code = code


@dataclass(frozen=True, slots=True)
class StoredRun:
    id: str
    label: str
    market: str
    currency: str
    initial_capital: float
    curve: Curve


def run_label(row: dict[str, Any]) -> str:
    """``strategy on what · id prefix``: readable, and unique through the id."""
    what = row.get("universe")
    if not what:
        symbols = list(row.get("symbols") or [])
        what = ",".join(symbols[:3]) + (f" +{len(symbols) - 3}" if len(symbols) > 3 else "")
    return f"{row['strategy_name']} {what} · {row['id'][:8]}"


def load_runs(store: RunStore, ids: list[str]) -> list[StoredRun]:
    """The completed runs ``ids`` (at least 2, each once) with their daily equity curves."""
    if len(ids) < 2:
        raise RunSelectionError(
            "too_few_runs", f"give at least 2 backtest ids, got {len(ids)}", details={"ids": ids}
        )
    if len(ids) > MAX_RUNS:
        raise RunSelectionError("too_many_runs", f"at most {MAX_RUNS} runs, got {len(ids)}")
    twice = sorted({i for i in ids if ids.count(i) > 1})
    if twice:
        raise RunSelectionError(
            "duplicate_runs", f"each run once; given more than once: {', '.join(twice)}"
        )
    rows = {i: store.get_run(i) for i in ids}
    unknown = [i for i, row in rows.items() if row is None]
    if unknown:
        raise RunSelectionError(
            "unknown_runs",
            f"no backtest with id {', '.join(repr(i) for i in unknown)}",
            details={"unknown": unknown},
        )
    pending = {i: row["status"] for i, row in rows.items() if row and row["status"] != "completed"}
    if pending:
        listed = ", ".join(f"{i} is {s}" for i, s in pending.items())
        raise RunSelectionError(
            "runs_not_completed",
            f"only completed runs have results to measure: {listed}",
            details={"statuses": pending},
        )
    out = []
    for i in ids:
        row = rows[i]
        assert row is not None
        points = store.equity(i)
        dates = np.array([p["date"][:10] for p in points], dtype="datetime64[D]")
        equity = np.array([p["equity"] for p in points], dtype=np.float64)
        label = run_label(row)
        market = str(row["market"])
        currency = row.get("currency") or get_market(market).currency
        capital = float((row.get("config") or {}).get("initial_capital") or equity[0])
        out.append(
            StoredRun(i, label, market, currency, capital, daily_curve(label, dates, equity))
        )
    return out


def _iso(d: Any) -> str | None:
    return None if d is None else str(np.datetime64(d, "D"))


def _num(x: float) -> float | None:
    return float(x) if math.isfinite(x) else None


def _require_market(runs: list[StoredRun], market: str | None) -> None:
    """With ``market`` given (the original API's parameter), every run must be on it."""
    if market is None:
        return
    get_market(market)  # unknown market: NotFoundError naming it
    other = [f"{r.id} ({r.market})" for r in runs if r.market != market]
    if other:
        raise RunSelectionError("market_mismatch", f"not on market {market}: {', '.join(other)}")


def correlation_report(
    store: RunStore, ids: list[str], market: str | None = None
) -> dict[str, Any]:
    """``{labels, ids, matrix, overlap, market, currencies, start, end, notes}``; a coefficient is
    null where it is not defined (fewer than 2 common dates, or a run that did not move)."""
    runs = load_runs(store, ids)
    _require_market(runs, market)
    corr = correlation([r.curve for r in runs])
    n = len(runs)
    notes: list[str] = []
    markets = sorted({r.market for r in runs})
    currencies = sorted({r.currency for r in runs})
    if len(currencies) > 1:
        notes.append(
            f"runs in {' and '.join(currencies)}: each run's returns in its own currency "
            "(no exchange-rate effect)"
        )
    short = [
        f"{runs[i].label} / {runs[j].label} ({int(corr.overlap[i, j])} common dates)"
        for i in range(n)
        for j in range(i + 1, n)
        if corr.overlap[i, j] < 2
    ]
    if len(short) == n * (n - 1) // 2:
        raise RunSelectionError(
            "no_overlap",
            "no two runs share 2 or more dates with a return: "
            + "; ".join(
                f"{r.label} {_iso(r.curve.dates[0])}..{_iso(r.curve.dates[-1])}" for r in runs
            ),
        )
    if short:
        notes.append("no correlation where fewer than 2 dates are shared: " + "; ".join(short))
    return {
        "labels": corr.labels,
        "ids": [r.id for r in runs],
        "matrix": [[_num(float(v)) for v in row] for row in corr.matrix],
        "overlap": corr.overlap.astype(int).tolist(),
        "market": markets[0] if len(markets) == 1 else None,
        "markets": [r.market for r in runs],
        "currencies": [r.currency for r in runs],
        "start": _iso(corr.start),
        "end": _iso(corr.end),
        "notes": notes,
    }


def portfolio_report(
    store: RunStore,
    ids: list[str],
    *,
    weights: list[float] | None = None,
    weighting: str | None = None,
    rebalance: str = "monthly",
    capital: float | None = None,
    vol_window: int = 63,
    risk_free_rate: float = 0.0,
    market: str | None = None,
) -> dict[str, Any]:
    """The combined portfolio: weights, equity curve, metrics, diversification ratio."""
    runs = load_runs(store, ids)
    _require_market(runs, market)
    currencies = {r.currency for r in runs}
    if len(currencies) > 1:
        listed = ", ".join(f"{r.id} {r.currency}" for r in runs)
        raise RunSelectionError(
            "currency_mismatch",
            "runs in different currencies are not combined (Ava has no exchange-rate series to "
            f"convert them; a fixed rate would hide the currency risk): {listed}",
            details={"currencies": {r.id: r.currency for r in runs}},
        )
    weighting = weighting or ("given" if weights else "equal")
    periods = min(get_market(r.market).trading_days_per_year for r in runs)
    initial = float(capital) if capital is not None else sum(r.initial_capital for r in runs)
    p = combine(
        [r.curve for r in runs],
        weighting=weighting,
        weights=weights,
        rebalance=rebalance,
        initial_capital=initial,
        periods_per_year=periods,
        risk_free_rate=risk_free_rate,
        vol_window=vol_window,
    )
    metrics = p.metrics
    markets = sorted({r.market for r in runs})
    notes = list(p.notes)
    if len(markets) > 1:
        notes.append(
            f"markets {', '.join(markets)} on their common dates; annualised over {periods} "
            "periods a year"
        )
    return {
        "labels": p.labels,
        "ids": [r.id for r in runs],
        "weights": {r.id: float(w) for r, w in zip(runs, p.weights, strict=True)},
        "weight_list": [float(w) for w in p.weights],
        "final_weights": [float(w) for w in p.final_weights],
        "weighting": p.weighting,
        "rebalance": p.rebalance,
        "rebalances": p.rebalances,
        "vol_window": vol_window if p.weighting == "inverse_volatility" else None,
        "market": markets[0] if len(markets) == 1 else None,
        "currency": next(iter(currencies)),
        "initial_capital": p.initial_capital,
        "periods_per_year": periods,
        "start": _iso(p.dates[0]),
        "end": _iso(p.dates[-1]),
        "n_dates": int(p.dates.size),
        "equity_curve": [
            {"date": _iso(d), "equity": float(e)} for d, e in zip(p.dates, p.equity, strict=True)
        ],
        "metrics": metrics,
        "combined_return_pct": _pct(metrics.get("total_return")),
        "combined_sharpe": metrics.get("sharpe"),
        "combined_max_drawdown_pct": _pct(metrics.get("max_drawdown")),
        "diversification_ratio": p.diversification_ratio,
        "volatilities": [_num(float(v)) for v in p.volatilities],
        "portfolio_volatility": p.portfolio_volatility,
        "run_returns": [float(v) for v in p.run_returns],
        "notes": notes,
    }


def _pct(v: Any) -> float | None:
    return None if v is None else float(v) * 100.0
