"""``WalkForwardStore``: every read and write of walk-forward analyses and their windows.

The lifecycle is :class:`~ava_backtest.store.jobs.JobStore`'s (queued, running, completed,
failed, cancelled, interrupted). Windows are upserted by ``(walk_forward_id, index)`` as each one
finishes, so a cancelled analysis keeps the windows it completed; the stitched record (equity,
trades, metrics, efficiency, overfitting) is stored with the analysis when it completes.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from ava_backtest.store.jobs import OUTCOME_FROM, JobStore, finite, iso
from ava_backtest.store.models import WalkForward, WalkForwardWindow, utcnow
from ava_backtest.store.repository import _json_safe

__all__ = ["WALK_FORWARD_SORTS", "WalkForwardStore"]

WALKS: Table = WalkForward.__table__  # type: ignore[assignment]
WINDOWS: Table = WalkForwardWindow.__table__  # type: ignore[assignment]
WALK_FORWARD_SORTS = ("created_at", "strategy_name", "status", "efficiency", "oos_return")


class WalkForwardStore(JobStore):
    """Walk-forwards and their windows in the Ava database (after ``store.db.migrate``)."""

    table = WALKS
    done_column = "windows_done"
    sorts = WALK_FORWARD_SORTS
    kind = "walk-forwards"

    def create(
        self,
        spec: dict[str, Any],
        *,
        symbols: Sequence[str],
        n_windows: int,
        owner: str | None,
        code_version: str,
        runner: str | None = None,
    ) -> str:
        """Record a new analysis as ``queued``; ``spec`` is the validated request (JSON-ready)."""
        wf_id = uuid.uuid4().hex
        objective = spec.get("objective") or "sharpe"
        if isinstance(objective, Mapping):  # the request's {metric, direction}
            objective = objective["metric"]
        row = {
            "id": wf_id,
            "status": "queued",
            "strategy_name": spec["strategy_name"],
            "market": spec.get("market", "US"),
            "universe": spec.get("universe"),
            "symbols": list(symbols),
            "spec": _json_safe(spec),
            "mode": spec.get("mode", "rolling"),
            "objective": str(objective),
            "n_windows": int(n_windows),
            "windows_done": 0,
            "created_at": utcnow(),
            "progress": 0.0,
            "runner": runner,
            "code_version": code_version,
            "owner": owner,
            "cancel_requested": False,
        }
        with self._write() as conn:
            conn.execute(insert(WALKS), row)
        return wf_id

    def save_result(self, wf_id: str, result: Mapping[str, Any]) -> bool:
        """``completed`` with the stitched record (``WalkForwardResult.to_dict()``)."""
        metrics = result.get("oos_metrics") or {}
        body = {k: v for k, v in result.items() if k != "windows"}
        return self._transition(
            wf_id, OUTCOME_FROM, status="completed", finished_at=utcnow(), progress=1.0,
            progress_message="done", error=None, error_code=None,
            efficiency=finite(result.get("efficiency")),
            oos_return=finite(metrics.get("total_return")), result=_json_safe(body),
            runner=result.get("runner"), elapsed_s=finite(result.get("elapsed_s")),
            windows_done=len(result.get("windows") or []),
        )  # fmt: skip

    # -- windows ------------------------------------------------------------------------------

    def save_windows(self, wf_id: str, windows: Sequence[Mapping[str, Any]]) -> None:
        """Upsert windows (``WindowResult.to_dict()`` or planned-window shapes) by index."""
        if not windows:
            return
        rows = [_window_row(wf_id, w) for w in windows]
        with self._write() as conn:
            have = {
                r[0]
                for r in conn.execute(
                    select(WINDOWS.c.index).where(
                        WINDOWS.c.walk_forward_id == wf_id,
                        WINDOWS.c.index.in_([r["index"] for r in rows]),
                    )
                )
            }
            for r in rows:
                if r["index"] in have:
                    conn.execute(
                        update(WINDOWS)
                        .where(WINDOWS.c.walk_forward_id == wf_id, WINDOWS.c.index == r["index"])
                        .values(
                            **{k: v for k, v in r.items() if k not in ("walk_forward_id", "index")}
                        )
                    )
            new = [r for r in rows if r["index"] not in have]
            if new:
                conn.execute(insert(WINDOWS), new)

    def windows(
        self, wf_id: str, *, limit: int = 500, offset: int = 0
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the analysis' windows in order, and their true total."""
        cond = WINDOWS.c.walk_forward_id == wf_id
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(WINDOWS).where(cond))
            n = int(total.scalar_one())
            rows = conn.execute(
                select(WINDOWS).where(cond).order_by(WINDOWS.c.index).limit(limit).offset(offset)
            ).mappings()
            return [_window_dict(r) for r in rows], n


def _window_row(wf_id: str, w: Mapping[str, Any]) -> dict[str, Any]:
    import datetime as dt

    def day(v: Any) -> dt.date:
        return v if isinstance(v, dt.date) else dt.date.fromisoformat(str(v))

    return {
        "walk_forward_id": wf_id,
        "index": int(w["index"]),
        "status": str(w.get("status") or "planned")[:16],
        "is_start": day(w["is_start"]),
        "is_end": day(w["is_end"]),
        "oos_start": day(w["oos_start"]),
        "oos_end": day(w["oos_end"]),
        "params": _json_safe(w.get("params")),
        "is_value": finite(w.get("is_value")),
        "oos_value": finite(w.get("oos_value")),
        "is_metrics": _json_safe(w.get("is_metrics")) or None,
        "oos_metrics": _json_safe(w.get("oos_metrics")) or None,
        "trials": w.get("trials"),
        "elapsed_s": finite(w.get("elapsed_s")),
        "error": w.get("error") or None,
        "finished_at": utcnow() if w.get("status") not in (None, "planned", "running") else None,
    }


def _window_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    out = {k: iso(v) for k, v in row.items() if k != "walk_forward_id"}
    out["is_metrics"] = out.get("is_metrics") or {}
    out["oos_metrics"] = out.get("oos_metrics") or {}
    out["error"] = out.get("error") or ""
    return out
