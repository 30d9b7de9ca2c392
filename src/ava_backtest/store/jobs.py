"""``JobStore``: the lifecycle every stored research job shares (studies, walk-forwards).

Same conventions as :class:`~ava_backtest.store.repository.RunStore` (synchronous, thread-safe,
one transaction per call, ``BEGIN IMMEDIATE`` for SQLite writes). Status moves the same way:
``queued -> running -> completed | failed | cancelled``, ``queued | running -> interrupted`` when
the owning process is gone (owners are the ``run_owners`` of the run service).

A subclass names its ``table`` (with the columns ``id, status, strategy_name, market,
created_at, started_at, finished_at, progress, progress_message, error, error_code, owner,
cancel_requested``), the column counting finished items (``done_column``) and its ``sorts``.
"""

from __future__ import annotations

import datetime as dt
import math
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from typing import Any, ClassVar

from sqlalchemy import Connection, Engine, Table, and_, delete, func, select, update

from ava_backtest.store.db import write_options
from ava_backtest.store.models import RunOwner, utcnow

OWNERS: Table = RunOwner.__table__  # type: ignore[assignment]

ACTIVE = ("queued", "running")
OUTCOME_FROM = (*ACTIVE, "interrupted")
TERMINAL = ("completed", "failed", "cancelled", "interrupted")
RESUMABLE = ("cancelled", "interrupted", "failed")


class JobStore:
    table: ClassVar[Table]
    done_column: ClassVar[str]
    sorts: ClassVar[tuple[str, ...]]
    kind: ClassVar[str] = "jobs"  # for messages: "cannot sort <kind> by ..."

    def __init__(self, engine: Engine) -> None:
        self.engine = engine

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

    # -- lifecycle --------------------------------------------------------------------------------

    def _transition(self, job_id: str, from_: tuple[str, ...], **values: Any) -> bool:
        t = self.table
        with self._write() as conn:
            res = conn.execute(
                update(t).where(t.c.id == job_id, t.c.status.in_(from_)).values(**values)
            )
            return res.rowcount == 1

    def mark_running(self, job_id: str) -> bool:
        return self._transition(
            job_id, ("queued",), status="running", started_at=utcnow(),
            progress_message="started",
        )  # fmt: skip

    def set_progress(self, job_id: str, done: int, total: int, message: str = "") -> bool:
        f = done / total if total else 0.0
        f = min(1.0, max(0.0, f if math.isfinite(f) else 0.0))
        return self._transition(
            job_id, ACTIVE, progress=f, progress_message=message, **{self.done_column: int(done)}
        )

    def mark_failed(self, job_id: str, code: str, message: str) -> bool:
        return self._transition(
            job_id, OUTCOME_FROM, status="failed", finished_at=utcnow(), error=message,
            error_code=code,
        )  # fmt: skip

    def mark_cancelled(self, job_id: str) -> bool:
        return self._transition(
            job_id, OUTCOME_FROM, status="cancelled", finished_at=utcnow(),
            progress_message="cancelled",
        )  # fmt: skip

    def mark_interrupted(self, job_id: str, reason: str) -> bool:
        return self._transition(
            job_id, ACTIVE, status="interrupted", finished_at=utcnow(), error=reason,
            error_code="interrupted",
        )  # fmt: skip

    def reopen(self, job_id: str, owner: str | None) -> bool:
        """A cancelled, interrupted or failed job back to ``queued`` under ``owner`` (resume)."""
        return self._transition(
            job_id, RESUMABLE, status="queued", owner=owner, cancel_requested=False,
            finished_at=None, error=None, error_code=None, progress_message="resumed",
        )  # fmt: skip

    def request_cancel(self, job_id: str) -> bool:
        return self._transition(job_id, ACTIVE, cancel_requested=True)

    def cancel_requests(self, owner: str) -> list[str]:
        t = self.table
        with self._read() as conn:
            rows = conn.execute(
                select(t.c.id).where(
                    t.c.owner == owner, t.c.cancel_requested.is_(True), t.c.status.in_(ACTIVE)
                )
            )
            return [r[0] for r in rows]

    def interrupt_orphans(self, reason: str, *, owner: str | None = None) -> list[str]:
        """Queued or running jobs whose owner has no ``run_owners`` row (the run service removes
        gone and stale owners) become ``interrupted``. ``owner``: only that one's (at
        shutdown)."""
        t = self.table
        with self._write() as conn:
            if owner is not None:
                cond = and_(t.c.owner == owner, t.c.status.in_(ACTIVE))
            else:
                live = select(OWNERS.c.id)
                cond = and_(t.c.status.in_(ACTIVE), t.c.owner.is_(None) | t.c.owner.not_in(live))
            ids = [r[0] for r in conn.execute(select(t.c.id).where(cond))]
            if ids:
                conn.execute(
                    update(t)
                    .where(t.c.id.in_(ids), t.c.status.in_(ACTIVE))
                    .values(
                        status="interrupted",
                        finished_at=utcnow(),
                        error=reason,
                        error_code="interrupted",
                    )
                )
        return ids

    def delete(self, job_id: str) -> bool:
        t = self.table
        with self._write() as conn:
            return conn.execute(delete(t).where(t.c.id == job_id)).rowcount == 1

    # -- reads ------------------------------------------------------------------------------------

    def get(self, job_id: str) -> dict[str, Any] | None:
        t = self.table
        with self._read() as conn:
            row = conn.execute(select(t).where(t.c.id == job_id)).mappings().first()
        return plain(row) if row is not None else None

    def list(
        self,
        *,
        status: str | None = None,
        strategy: str | None = None,
        market: str | None = None,
        limit: int = 50,
        offset: int = 0,
        sort: str = "-created_at",
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of jobs and the true number matching the filters."""
        t = self.table
        name = sort.removeprefix("-")
        if name not in self.sorts:
            raise ValueError(
                f"cannot sort {self.kind} by {sort!r}; allowed: {', '.join(self.sorts)}"
            )
        col = t.c[name]
        order = (col.desc() if sort.startswith("-") else col.asc()).nulls_last()
        conds = []
        if status is not None:
            conds.append(t.c.status == status)
        if strategy is not None:
            conds.append(t.c.strategy_name == strategy)
        if market is not None:
            conds.append(t.c.market == market)
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(t).where(*conds)).scalar_one()
            rows = conn.execute(
                select(t).where(*conds).order_by(order, t.c.id).limit(limit).offset(offset)
            ).mappings()
            items = [plain(r) for r in rows]
        return items, int(total)


def finite(v: Any) -> float | None:
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def iso(v: Any) -> Any:
    return v.isoformat() if isinstance(v, dt.date) else v


def plain(row: Mapping[str, Any]) -> dict[str, Any]:
    return {k: iso(v) for k, v in row.items()}
