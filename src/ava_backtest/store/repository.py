"""``RunStore``: every read and write of runs, trades, equity curves and custom universes.

All methods are synchronous and thread-safe: each opens its own connection from the engine's pool
and commits before returning, so the API may call them from any worker thread
(``run_in_threadpool``). Writes on SQLite take the write lock up front (``BEGIN IMMEDIATE``) and
wait for it up to the busy timeout.

Status moves one way: ``queued -> running -> completed | failed | cancelled``, and
``queued | running -> interrupted`` when the process that owns the run is gone (``run_owners``:
the API processes sharing this database, each with a heartbeat). A terminal run is never changed
again, with one exception: the run's own outcome replaces ``interrupted`` (a finished result is
never thrown away). The transition methods return ``False`` when they change nothing.

The store sits below the run service: it takes a domain-level result (``domain.results``) and
resolved symbols, and imports nothing that runs backtests or resolves names.
"""

from __future__ import annotations

import datetime as dt
import math
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from typing import TYPE_CHECKING, Any

import numpy as np
import polars as pl
from sqlalchemy import (
    ColumnElement,
    Connection,
    Engine,
    Table,
    Text,
    cast,
    delete,
    func,
    insert,
    or_,
    select,
    update,
)
from sqlalchemy.exc import IntegrityError

from ava_backtest.domain.config import RunConfig
from ava_backtest.store.db import write_options
from ava_backtest.store.models import (
    RUN_STATUSES,
    CustomUniverse,
    EquityPoint,
    Run,
    RunOwner,
    Trade,
    utcnow,
)

if TYPE_CHECKING:
    from ava_backtest.domain.results import FinishedRun

__all__ = ["ACTIVE_STATUSES", "RUN_STATUSES", "TERMINAL_STATUSES", "RunStore"]

ACTIVE_STATUSES = ("queued", "running")
# A run's own outcome is recorded over ``interrupted`` too: a process presumed gone that finishes
# after all keeps its result (only a cancel, a delete or an earlier outcome stops it).
OUTCOME_FROM = (*ACTIVE_STATUSES, "interrupted")
TERMINAL_STATUSES = ("completed", "failed", "cancelled", "interrupted")

RUNS: Table = Run.__table__  # type: ignore[assignment]
TRADES: Table = Trade.__table__  # type: ignore[assignment]
EQUITY: Table = EquityPoint.__table__  # type: ignore[assignment]
UNIVERSES: Table = CustomUniverse.__table__  # type: ignore[assignment]
OWNERS: Table = RunOwner.__table__  # type: ignore[assignment]

RUN_SORTS = ("created_at", "strategy_name", "status", "final_equity", "total_return")
TRADE_COLUMNS = (
    "seq",
    "symbol",
    "direction",
    "entry_time",
    "exit_time",
    "entry_price",
    "exit_price",
    "qty",
    "pnl_gross",
    "fees",
    "dividends",
    "pnl_net",
    "return_pct",
    "exit_reason",
    "bars_held",
    "exit_qty",
    "entry_price_adj",
    "exit_price_adj",
    "qty_adj",
)
EQUITY_COLUMNS = ("date", "equity", "cash", "drawdown", "exposure", "benchmark")
CHUNK = 2_000  # rows per executemany batch


class RunStore:
    """Runs and their results in a SQL database. Pass an engine from ``store.db.make_engine``
    (on SQLite it turns on the foreign keys the cascades rely on) after ``store.db.migrate``."""

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

    # -- connections -------------------------------------------------------------------------

    @contextmanager
    def _write(self) -> Iterator[Connection]:
        with self.engine.connect() as conn:
            conn.execution_options(**write_options(self.engine))
            with conn.begin():
                yield conn

    @contextmanager
    def _read(self) -> Iterator[Connection]:
        with self.engine.connect() as conn, conn.begin():
            yield conn

    # -- runs: lifecycle ---------------------------------------------------------------------

    def create_run(
        self,
        config: RunConfig,
        *,
        params: dict[str, Any],
        code_version: str,
        symbols: Sequence[str] | None = None,
        owner: str | None = None,
    ) -> str:
        """Record a new run as ``queued``; returns its id (uuid4 hex).

        ``symbols`` are the run's resolved symbols (the run service resolves built-in, custom and
        uploaded names); without them, the config's own list or the custom universe stored here.
        ``owner`` is the ``run_owners`` id of the process that will run it."""
        run_id = uuid.uuid4().hex
        if symbols is None:
            symbols = list(config.symbols) if config.symbols is not None else []
            if config.universe is not None:
                custom = self.get_custom_universe(config.universe)
                symbols = list(custom["symbols"]) if custom else []
        row = {
            "id": run_id,
            "status": "queued",
            "strategy_name": config.strategy_name,
            "market": config.market,
            "universe": config.universe,
            "symbols": list(symbols),
            "config": config.model_dump(mode="json"),
            "params": _json_safe(dict(params)),
            "created_at": utcnow(),
            "progress": 0.0,
            "code_version": code_version,
            "owner": owner,
            "cancel_requested": False,
        }
        with self._write() as conn:
            conn.execute(insert(RUNS), row)
        return run_id

    def mark_running(self, run_id: str) -> bool:
        """``queued -> running`` (sets ``started_at``). False if the run is not queued."""
        return self._transition(
            run_id,
            ("queued",),
            status="running",
            started_at=utcnow(),
            progress=0.0,
            progress_message="started",
        )

    def set_progress(self, run_id: str, fraction: float, message: str = "") -> bool:
        """Record progress (clamped to 0..1) on a queued or running run: one cheap UPDATE."""
        f = float(fraction) if fraction is not None and math.isfinite(fraction) else 0.0
        return self._transition(
            run_id,
            ACTIVE_STATUSES,
            progress=min(1.0, max(0.0, f)),
            progress_message=message,
        )

    def save_result(self, run_id: str, result: FinishedRun) -> bool:
        """Store a finished run: status ``completed``, metrics, trades and equity curve, in one
        transaction. False (and nothing written) if the run is missing or already terminal, so a
        late result never overwrites a cancel. Non-finite floats are stored as NULL."""
        trades = _trade_rows(run_id, result.trades)
        points = _equity_rows(run_id, result.equity_frame())
        final = _finite(result.equity[-1]) if len(result.equity) else None
        if final is None:
            final = _finite(result.metrics.get("final_equity"))
        values = {
            "status": "completed",
            "finished_at": utcnow(),
            "progress": 1.0,
            "progress_message": "done",
            "error": None,
            "error_code": None,
            "metrics": _json_safe(result.metrics),
            "params": _json_safe(dict(result.params)),
            "symbols": list(result.symbols),
            "currency": result.currency,
            "synthetic": bool(result.synthetic),
            "effective_start": result.effective_start,
            "data_fingerprint": result.data_fingerprint,
            "code_version": result.code_version,
            "notes": _json_safe(list(result.notes)),
            "n_trades": len(trades),
            "final_equity": final,
            "timings": _json_safe(dict(result.timings)),
        }
        with self._write() as conn:
            done = conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id, RUNS.c.status.in_(OUTCOME_FROM))
                .values(**values)
            )
            if done.rowcount != 1:
                return False
            # A re-save replaces, never duplicates (cannot happen through the transitions above,
            # but costs nothing when the run has no rows yet).
            conn.execute(delete(TRADES).where(TRADES.c.run_id == run_id))
            conn.execute(delete(EQUITY).where(EQUITY.c.run_id == run_id))
            for table, rows in ((TRADES, trades), (EQUITY, points)):
                for i in range(0, len(rows), CHUNK):
                    conn.execute(insert(table), rows[i : i + CHUNK])
        return True

    def mark_failed(self, run_id: str, code: str, message: str) -> bool:
        """``queued | running | interrupted -> failed`` with an error code and message."""
        return self._transition(
            run_id,
            OUTCOME_FROM,
            status="failed",
            finished_at=utcnow(),
            error=message,
            error_code=code,
        )

    def mark_cancelled(self, run_id: str) -> bool:
        """``queued | running | interrupted -> cancelled``."""
        return self._transition(
            run_id,
            OUTCOME_FROM,
            status="cancelled",
            finished_at=utcnow(),
            progress_message="cancelled",
        )

    def mark_interrupted_running(self, reason: str) -> int:
        """At start-up: every run a previous process left queued or running becomes
        ``interrupted`` with ``reason`` as its error. Returns how many."""
        with self._write() as conn:
            res = conn.execute(
                update(RUNS)
                .where(RUNS.c.status.in_(ACTIVE_STATUSES))
                .values(
                    status="interrupted",
                    finished_at=utcnow(),
                    error=reason,
                    error_code="interrupted",
                )
            )
            return int(res.rowcount or 0)

    # -- run owners: API processes sharing the database ---------------------------------------

    def register_owner(self, owner: str, hostname: str, pid: int) -> None:
        """Record a live API process (or refresh it, if a peer presumed it gone)."""
        now = utcnow()
        with self._write() as conn:
            done = conn.execute(
                update(OWNERS).where(OWNERS.c.id == owner).values(heartbeat_at=now)
            ).rowcount
            if done != 1:
                conn.execute(
                    insert(OWNERS),
                    {
                        "id": owner,
                        "hostname": hostname,
                        "pid": pid,
                        "started_at": now,
                        "heartbeat_at": now,
                    },
                )

    def heartbeat(self, owner: str) -> bool:
        """Mark ``owner`` alive now. False when its row is gone (a peer presumed it dead)."""
        with self._write() as conn:
            res = conn.execute(
                update(OWNERS).where(OWNERS.c.id == owner).values(heartbeat_at=utcnow())
            )
            return res.rowcount == 1

    def owners(self) -> list[dict[str, Any]]:
        """Every registered process: id, hostname, pid, started_at, heartbeat_at (datetimes)."""
        with self._read() as conn:
            rows = conn.execute(select(OWNERS).order_by(OWNERS.c.started_at)).mappings()
            return [dict(r) for r in rows]

    def remove_owner(self, owner: str) -> None:
        with self._write() as conn:
            conn.execute(delete(OWNERS).where(OWNERS.c.id == owner))

    def interrupt_orphans(
        self, reason: str, *, stale_before: dt.datetime, gone: Iterable[str] = ()
    ) -> list[str]:
        """Runs whose owner is gone become ``interrupted`` with ``reason``; returns their ids.

        An owner is gone when it has no row, when its heartbeat is older than ``stale_before``,
        or when it is in ``gone`` (a process known dead, e.g. its pid on this host has exited).
        Gone owners' rows are removed. Runs of live owners are never touched."""
        gone = list(gone)
        with self._write() as conn:
            if gone:
                conn.execute(delete(OWNERS).where(OWNERS.c.id.in_(gone)))
            conn.execute(delete(OWNERS).where(OWNERS.c.heartbeat_at < stale_before))
            live = select(OWNERS.c.id)
            orphaned = RUNS.c.status.in_(ACTIVE_STATUSES) & (
                RUNS.c.owner.is_(None) | RUNS.c.owner.not_in(live)
            )
            ids = [r[0] for r in conn.execute(select(RUNS.c.id).where(orphaned))]
            if ids:
                conn.execute(
                    update(RUNS)
                    .where(RUNS.c.id.in_(ids), RUNS.c.status.in_(ACTIVE_STATUSES))
                    .values(
                        status="interrupted",
                        finished_at=utcnow(),
                        error=reason,
                        error_code="interrupted",
                    )
                )
        return ids

    def interrupt_owned(self, owner: str, reason: str) -> int:
        """At shutdown: ``owner``'s own queued or running runs become ``interrupted``."""
        with self._write() as conn:
            res = conn.execute(
                update(RUNS)
                .where(RUNS.c.owner == owner, RUNS.c.status.in_(ACTIVE_STATUSES))
                .values(
                    status="interrupted",
                    finished_at=utcnow(),
                    error=reason,
                    error_code="interrupted",
                )
            )
            return int(res.rowcount or 0)

    def request_cancel(self, run_id: str) -> bool:
        """Ask the run's owner to cancel it (it polls). False if the run is not queued/running."""
        return self._transition(run_id, ACTIVE_STATUSES, cancel_requested=True)

    def cancel_requests(self, owner: str) -> list[str]:
        """Ids of ``owner``'s queued or running runs a peer asked to cancel."""
        with self._read() as conn:
            rows = conn.execute(
                select(RUNS.c.id).where(
                    RUNS.c.owner == owner,
                    RUNS.c.cancel_requested.is_(True),
                    RUNS.c.status.in_(ACTIVE_STATUSES),
                )
            )
            return [r[0] for r in rows]

    def _transition(self, run_id: str, from_statuses: tuple[str, ...], **values: Any) -> bool:
        with self._write() as conn:
            res = conn.execute(
                update(RUNS)
                .where(RUNS.c.id == run_id, RUNS.c.status.in_(from_statuses))
                .values(**values)
            )
            return res.rowcount == 1

    def set_label(self, run_id: str, **label: Any) -> dict[str, Any] | None:
        """Set a run's ``name``, ``tags`` and/or ``notes`` (the keys given; None clears one),
        whatever its status. Returns the updated run, or None if there is no such run."""
        columns = {"name": "label_name", "tags": "label_tags", "notes": "label_notes"}
        unknown = set(label) - set(columns)
        if unknown:
            raise ValueError(f"unknown label fields: {', '.join(sorted(unknown))}")
        values = {columns[k]: v for k, v in label.items()}
        if values:
            with self._write() as conn:
                res = conn.execute(update(RUNS).where(RUNS.c.id == run_id).values(**values))
                if res.rowcount != 1:
                    return None
        return self.get_run(run_id)

    def delete_run(self, run_id: str) -> bool:
        """Delete a run; its trades and equity points go with it (ON DELETE CASCADE)."""
        with self._write() as conn:
            return conn.execute(delete(RUNS).where(RUNS.c.id == run_id)).rowcount == 1

    # -- runs: reads -------------------------------------------------------------------------

    def get_run(self, run_id: str) -> dict[str, Any] | None:
        """Every column of the run, JSON-ready (datetimes and dates ISO 8601), or None."""
        with self._read() as conn:
            row = conn.execute(select(RUNS).where(RUNS.c.id == run_id)).mappings().first()
        return _run_dict(row) if row is not None else None

    def list_runs(
        self,
        *,
        status: str | None = None,
        market: str | None = None,
        strategy: str | None = None,
        created_from: dt.datetime | dt.date | None = None,
        created_to: dt.datetime | dt.date | None = None,
        search: str | None = None,
        limit: int = 50,
        offset: int = 0,
        sort: str = "-created_at",
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of runs and the true number matching the filters.

        ``created_from`` is inclusive, ``created_to`` exclusive (naive datetimes are UTC).
        ``search``: every whitespace-separated word must occur (case-insensitive, anywhere) in
        the run's name, tags, strategy or label notes.
        ``sort`` is one of created_at, strategy_name, status, name, n_trades, or any metric
        (``sharpe``, ``max_drawdown`` …, see ``analytics.metrics.METRICS``), with ``-`` for
        descending; NULLs sort last either way, ties by id. Amounts in different currencies
        are never compared: ``final_equity`` and the other currency metrics sort within each
        currency (currencies in code order); ratios and percentages rank every currency.
        """
        _check_page(limit, offset)
        order = _run_order(sort)
        conds: list[ColumnElement[bool]] = []
        if status is not None:
            conds.append(RUNS.c.status == status)
        if market is not None:
            conds.append(RUNS.c.market == market)
        if strategy is not None:
            conds.append(RUNS.c.strategy_name == strategy)
        if created_from is not None:
            conds.append(RUNS.c.created_at >= created_from)
        if created_to is not None:
            conds.append(RUNS.c.created_at < created_to)
        conds.extend(_search_conditions(search))
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(RUNS).where(*conds)).scalar_one()
            rows = conn.execute(
                select(RUNS).where(*conds).order_by(*order, RUNS.c.id).limit(limit).offset(offset)
            ).mappings()
            items = [_run_dict(r) for r in rows]
        return items, int(total)

    # -- results -------------------------------------------------------------------------------

    def trades(
        self, run_id: str, *, limit: int = 100, offset: int = 0, sort: str = "seq"
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the run's trades and their total. ``sort`` is any trade column, ``-`` for
        descending (ties by seq). Times are ISO 8601. An unknown run gives ``([], 0)``."""
        _check_page(limit, offset)
        order = _order_by(TRADES, sort, TRADE_COLUMNS)
        cols = [TRADES.c[c] for c in TRADE_COLUMNS]
        with self._read() as conn:
            total = conn.execute(
                select(func.count()).select_from(TRADES).where(TRADES.c.run_id == run_id)
            ).scalar_one()
            rows = conn.execute(
                select(*cols)
                .where(TRADES.c.run_id == run_id)
                .order_by(*order, TRADES.c.seq)
                .limit(limit)
                .offset(offset)
            ).mappings()
            items = [{k: _iso(v) for k, v in r.items()} for r in rows]
        return items, int(total)

    def equity(self, run_id: str) -> list[dict[str, Any]]:
        """The run's equity curve in order: date (ISO), equity, cash, drawdown, exposure,
        benchmark (None where not defined)."""
        cols = [EQUITY.c[c] for c in EQUITY_COLUMNS]
        with self._read() as conn:
            rows = conn.execute(
                select(*cols).where(EQUITY.c.run_id == run_id).order_by(EQUITY.c.seq)
            ).all()
        return [
            {
                "date": r[0].isoformat(),
                "equity": r[1],
                "cash": r[2],
                "drawdown": r[3],
                "exposure": r[4],
                "benchmark": r[5],
            }
            for r in rows
        ]

    # -- custom universes ----------------------------------------------------------------------

    def create_universe(
        self, name: str, market: str, symbols: list[str], description: str = ""
    ) -> dict[str, Any]:
        """Store a custom universe; a name already taken raises ValueError."""
        row = {
            "name": name,
            "market": market,
            "symbols": list(symbols),
            "description": description or "",
            "created_at": utcnow(),
        }
        try:
            with self._write() as conn:
                conn.execute(insert(UNIVERSES), row)
        except IntegrityError:
            raise ValueError(f"a custom universe named {name!r} already exists") from None
        return _universe_dict(row)

    def list_custom_universes(self) -> list[dict[str, Any]]:
        """Every custom universe, by name."""
        with self._read() as conn:
            rows = conn.execute(select(UNIVERSES).order_by(UNIVERSES.c.name)).mappings()
            return [_universe_dict(r) for r in rows]

    def get_custom_universe(self, name: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = conn.execute(select(UNIVERSES).where(UNIVERSES.c.name == name)).mappings().first()
        return _universe_dict(row) if row is not None else None

    def update_universe(
        self, name: str, *, symbols: list[str] | None = None, description: str | None = None
    ) -> dict[str, Any] | None:
        """Replace a custom universe's symbols and/or description (the ones given); returns it
        updated, or None when there is no custom universe of that name."""
        values: dict[str, Any] = {}
        if symbols is not None:
            values["symbols"] = list(symbols)
        if description is not None:
            values["description"] = description
        if values:
            with self._write() as conn:
                res = conn.execute(
                    update(UNIVERSES).where(UNIVERSES.c.name == name).values(**values)
                )
                if res.rowcount != 1:
                    return None
        return self.get_custom_universe(name)

    def delete_universe(self, name: str) -> bool:
        with self._write() as conn:
            return conn.execute(delete(UNIVERSES).where(UNIVERSES.c.name == name)).rowcount == 1


# -- helpers ---------------------------------------------------------------------------------------


def _check_page(limit: int, offset: int) -> None:
    if limit < 0 or offset < 0:
        raise ValueError(f"limit and offset must be >= 0 (got limit={limit}, offset={offset})")


def run_sorts() -> tuple[str, ...]:
    """Every ``sort`` the runs list takes (without the ``-``): columns, then metrics."""
    from ava_backtest.analytics.metrics import METRICS

    return (*RUN_SORTS, "name", "n_trades", *(m for m in METRICS if m not in RUN_SORTS))


def _run_order(sort: str) -> list[Any]:
    from ava_backtest.analytics.metrics import METRICS

    name = sort.removeprefix("-")
    desc = sort.startswith("-")
    if name == "name":
        value: Any = RUNS.c.label_name
    elif name == "n_trades":
        value = RUNS.c.n_trades
    elif name == "final_equity":
        value = RUNS.c.final_equity
    elif name in METRICS:
        value = RUNS.c.metrics[name].as_float()
    else:
        if name not in RUN_SORTS:
            raise ValueError(
                f"cannot sort by {sort!r}; allowed: {', '.join(run_sorts())} "
                "(prefix '-' for descending)"
            )
        return _order_by(RUNS, sort, RUN_SORTS)
    value = (value.desc() if desc else value.asc()).nulls_last()
    if name == "final_equity" or (name in METRICS and METRICS[name].unit == "currency"):
        return [RUNS.c.currency.asc().nulls_last(), value]
    return [value]


def _search_conditions(search: str | None) -> list[ColumnElement[bool]]:
    """Each word of ``search`` in the name, tags, strategy or label notes (case-insensitive)."""
    if search is None:
        return []
    fields = (
        RUNS.c.label_name,
        cast(RUNS.c.label_tags, Text()),
        RUNS.c.strategy_name,
        RUNS.c.label_notes,
    )
    return [
        or_(*(func.lower(f).contains(word, autoescape=True) for f in fields))
        for word in search.lower().split()
    ]


def _order_by(table: Table, sort: str, allowed: tuple[str, ...]) -> list[Any]:
    name = sort[1:] if sort.startswith("-") else sort
    if name not in allowed:
        raise ValueError(
            f"cannot sort by {sort!r}; allowed: {', '.join(allowed)} (prefix '-' for descending)"
        )
    col = table.c[name]
    expr = col.desc() if sort.startswith("-") else col.asc()
    return [expr.nulls_last()] if table.c[name].nullable else [expr]


def _iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def _run_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: _iso(v) for k, v in row.items()}


def _universe_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "name": row["name"],
        "market": row["market"],
        "symbols": list(row["symbols"]),
        "description": row["description"] or "",
        "created_at": _iso(row["created_at"]),
    }


def _finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def _json_safe(v: Any) -> Any:
    """``v`` with NaN/inf as None, numpy scalars and arrays as Python, tuples as lists and dates
    as ISO strings: storable in a JSON column on every backend."""
    if isinstance(v, bool) or v is None or isinstance(v, str):
        return v
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if isinstance(v, int):
        return v
    if isinstance(v, Mapping):
        return {str(k): _json_safe(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset | np.ndarray):
        return [_json_safe(x) for x in v]
    if isinstance(v, dt.date):
        return v.isoformat()
    return str(v)


def _nan_to_null(df: pl.DataFrame) -> pl.DataFrame:
    floats = [c for c, t in df.schema.items() if t.is_float()]
    return df.with_columns(
        pl.when(pl.col(c).is_finite()).then(pl.col(c)).otherwise(None).alias(c) for c in floats
    )


def _trade_rows(run_id: str, trades: pl.DataFrame) -> list[dict[str, Any]]:
    df = trades.select([c for c in TRADE_COLUMNS if c != "seq"])
    df = _nan_to_null(df).with_columns(
        pl.col("entry_time", "exit_time").cast(pl.Datetime("us")),
        pl.lit(run_id).alias("run_id"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
    )
    return df.to_dicts()


def _equity_rows(run_id: str, frame: pl.DataFrame) -> list[dict[str, Any]]:
    if "benchmark" not in frame.columns:
        frame = frame.with_columns(pl.lit(None, dtype=pl.Float64).alias("benchmark"))
    df = _nan_to_null(frame.select(EQUITY_COLUMNS)).with_columns(
        pl.lit(run_id).alias("run_id"),
        pl.int_range(pl.len(), dtype=pl.Int64).alias("seq"),
    )
    return df.to_dicts()
