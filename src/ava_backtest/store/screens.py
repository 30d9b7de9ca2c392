"""``ScreenStore``: every read and write of universe screens and their rows.

The lifecycle is :class:`~ava_backtest.store.jobs.JobStore`'s (as studies and walk-forwards):
status moves ``queued -> running -> completed | failed | cancelled``, and
``queued | running -> interrupted`` when the owning process is gone. Rows are upserted by
``(screen_id, symbol)``.
"""

from __future__ import annotations

import datetime as dt
import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from ava_backtest.store.jobs import OUTCOME_FROM, JobStore, finite, plain
from ava_backtest.store.models import Screen, ScreenRow, utcnow
from ava_backtest.store.repository import _json_safe

__all__ = ["ROW_SORTS", "SCREEN_SORTS", "ScreenStore"]

SCREENS: Table = Screen.__table__  # type: ignore[assignment]
ROWS: Table = ScreenRow.__table__  # type: ignore[assignment]
SCREEN_SORTS = ("created_at", "strategy_name", "status", "n_symbols")
ROW_SORTS = ("symbol", "status", "bars", "duration_ms")
"""Plus any metric by name (``sharpe``, ``-cagr`` …) or as ``metric:<name>``."""


class ScreenStore(JobStore):
    """Screens and their rows in the Ava database (after ``store.db.migrate``)."""

    table = SCREENS
    done_column = "symbols_done"
    sorts = SCREEN_SORTS
    kind = "screens"

    def create(
        self, spec: dict[str, Any], *, symbols: Sequence[str], owner: str | None, code_version: str
    ) -> str:
        """Record a new screen as ``queued``; ``spec`` is the validated request (JSON-ready)."""
        screen_id = uuid.uuid4().hex
        row = {
            "id": screen_id,
            "status": "queued",
            "strategy_name": spec["strategy_name"],
            "market": spec.get("market", "US"),
            "universe": spec.get("universe"),
            "symbols": list(symbols),
            "spec": _json_safe(spec),
            "n_symbols": len(symbols),
            "symbols_done": 0,
            "created_at": utcnow(),
            "progress": 0.0,
            "code_version": code_version,
            "owner": owner,
        }
        with self._write() as conn:
            conn.execute(insert(SCREENS), row)
        return screen_id

    def mark_running(self, job_id: str, runner: str | None = None) -> bool:
        """``running``, and where its symbols run (``local`` or ``dask <address>``)."""
        values = {"runner": runner[:128]} if runner else {}
        return self._transition(
            job_id, ("queued",), status="running", started_at=utcnow(),
            progress_message="started", **values,
        )  # fmt: skip

    def mark_completed(self, screen_id: str, elapsed_s: float | None, done: int) -> bool:
        return self._transition(
            screen_id, OUTCOME_FROM, status="completed", finished_at=utcnow(), progress=1.0,
            progress_message="done", elapsed_s=finite(elapsed_s), symbols_done=int(done),
            error=None, error_code=None,
        )  # fmt: skip

    # -- rows ---------------------------------------------------------------------------------

    def save_rows(self, screen_id: str, rows: Sequence[Mapping[str, Any]]) -> int:
        """Upsert rows (``ScreenRowResult.to_dict()`` shapes) by symbol; returns how many are new."""
        if not rows:
            return 0
        values = [_row_values(screen_id, r) for r in rows]
        symbols = [v["symbol"] for v in values]
        with self._write() as conn:
            have = {
                r[0]
                for r in conn.execute(
                    select(ROWS.c.symbol).where(
                        ROWS.c.screen_id == screen_id, ROWS.c.symbol.in_(symbols)
                    )
                )
            }
            for v in values:
                if v["symbol"] in have:
                    conn.execute(
                        update(ROWS)
                        .where(ROWS.c.screen_id == screen_id, ROWS.c.symbol == v["symbol"])
                        .values(**{k: x for k, x in v.items() if k not in ("screen_id", "symbol")})
                    )
            new = [v for v in values if v["symbol"] not in have]
            if new:
                conn.execute(insert(ROWS), new)
        return len(new)

    def rows(
        self,
        screen_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        sort: str = "symbol",
        status: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the screen's rows and their true total. ``sort``: symbol, status, bars,
        duration_ms or any metric (``sharpe`` or ``metric:sharpe``), ``-`` for descending;
        NULLs last, ties by symbol."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        conds = [ROWS.c.screen_id == screen_id]
        if status is not None:
            conds.append(ROWS.c.status == status)
        order = row_order(sort)
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(ROWS).where(*conds))
            total_n = int(total.scalar_one())
            rows = conn.execute(
                select(ROWS).where(*conds).order_by(order, ROWS.c.symbol)
                .limit(limit).offset(offset)
            ).mappings()  # fmt: skip
            return [_row_dict(r) for r in rows], total_n

    def get_row(self, screen_id: str, symbol: str) -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(
                    select(ROWS).where(ROWS.c.screen_id == screen_id, ROWS.c.symbol == symbol)
                )
                .mappings()
                .first()
            )
        return _row_dict(row) if row is not None else None

    def set_row_run(self, screen_id: str, symbol: str, run_id: str) -> bool:
        """Link a row to the backtest run made from it (once: the first link stays)."""
        with self._write() as conn:
            res = conn.execute(
                update(ROWS)
                .where(ROWS.c.screen_id == screen_id, ROWS.c.symbol == symbol,
                       ROWS.c.run_id.is_(None))
                .values(run_id=run_id)
            )  # fmt: skip
            return res.rowcount == 1

    def count_rows(self, screen_id: str) -> int:
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(ROWS).where(ROWS.c.screen_id == screen_id)
                ).scalar_one()
            )


def row_order(sort: str) -> Any:
    from ava_backtest.analytics.metrics import METRICS

    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    metric = name.removeprefix("metric:")
    if name in ROW_SORTS:
        expr: Any = ROWS.c[name]
    elif metric in METRICS:
        expr = ROWS.c.metrics[metric].as_float()
    else:
        raise ValueError(
            f"cannot sort rows by {sort!r}; allowed: {', '.join(ROW_SORTS)} or a metric "
            "(sharpe, cagr, max_drawdown …; metric:<name> also works), '-' for descending"
        )
    return (expr.desc() if desc else expr.asc()).nulls_last()


def _date(v: Any) -> dt.date | None:
    if v is None or isinstance(v, dt.date):
        return v
    return dt.date.fromisoformat(str(v)[:10])


def _row_values(screen_id: str, r: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "screen_id": screen_id,
        "symbol": str(r["symbol"]),
        "status": str(r.get("status") or "complete")[:16],
        "metrics": _json_safe(dict(r["metrics"])) if r.get("metrics") else None,
        "bars": int(r["bars"]) if r.get("bars") is not None else None,
        "start": _date(r.get("start")),
        "end": _date(r.get("end")),
        "duration_ms": finite(r.get("duration_ms")),
        "error": r.get("error") or None,
    }


def _row_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    out = plain(row)
    out.pop("screen_id", None)
    return out
