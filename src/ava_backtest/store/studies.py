"""``StudyStore``: every read and write of optimisation studies and their trials.

Same conventions as :class:`~ava_backtest.store.repository.RunStore` (synchronous, thread-safe,
one transaction per call, ``BEGIN IMMEDIATE`` for SQLite writes). Status moves the same way:
``queued -> running -> completed | failed | cancelled``, ``queued | running -> interrupted`` when
the owning process is gone (owners are the ``run_owners`` of the run service), and a study that
was cancelled or interrupted may be resumed (back to ``queued``).

Trials are upserted by ``(study_id, number)``: a trial told by several worker processes, or
synced again from Optuna's storage, is never stored twice. The trials' daily return matrix is not
in the database: it is one Parquet file per study under ``$AVA_HOME/data/studies``.
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

from sqlalchemy import Table, func, insert, select, update

from ava_backtest.store.jobs import OUTCOME_FROM, RESUMABLE, JobStore, finite, iso
from ava_backtest.store.models import Optimization, OptimizationTrial, utcnow
from ava_backtest.store.repository import _json_safe

__all__ = ["RESUMABLE", "STUDY_SORTS", "TRIAL_BASE_SORTS", "StudyStore", "returns_path"]

STUDIES: Table = Optimization.__table__  # type: ignore[assignment]
TRIALS: Table = OptimizationTrial.__table__  # type: ignore[assignment]

STUDY_SORTS = ("created_at", "strategy_name", "status", "best_value", "n_trials")
TRIAL_BASE_SORTS = ("number", "state", "duration_ms")
"""Plus ``value`` / ``value_<i>`` (objective values) and ``metric:<name>`` (any metric)."""


def returns_path(study_id: str) -> Path:
    """``$AVA_HOME/data/studies/<id>.parquet``: the trials x periods daily return matrix."""
    from ava_backtest.data.user_store import data_dir

    return data_dir() / "studies" / f"{study_id}.parquet"


class StudyStore(JobStore):
    """Studies and trials in the Ava database (after ``store.db.migrate``)."""

    table = STUDIES
    done_column = "trials_done"
    sorts = STUDY_SORTS
    kind = "studies"

    # -- studies: lifecycle ---------------------------------------------------------------------

    def create(
        self,
        spec: dict[str, Any],
        *,
        symbols: Sequence[str],
        owner: str | None,
        code_version: str,
    ) -> str:
        """Record a new study as ``queued``; ``spec`` is the validated request (JSON-ready)."""
        study_id = uuid.uuid4().hex
        config = spec.get("config", spec)  # the request: a RunConfig's fields at its top
        row = {
            "id": study_id,
            "status": "queued",
            "strategy_name": config["strategy_name"],
            "market": config.get("market", "US"),
            "universe": config.get("universe"),
            "symbols": list(symbols),
            "spec": _json_safe(spec),
            "sampler": spec["sampler"],
            "objectives": _json_safe(spec["objectives"]),
            "n_trials": int(spec["n_trials"]),
            "trials_done": 0,
            "created_at": utcnow(),
            "progress": 0.0,
            "code_version": code_version,
            "owner": owner,
            "cancel_requested": False,
        }
        with self._write() as conn:
            conn.execute(insert(STUDIES), row)
        return study_id

    def save_result(self, study_id: str, result: Mapping[str, Any]) -> bool:
        """``completed`` with the best trial, Pareto front, overfitting and hold-out panels."""
        values = {
            "status": "completed",
            "finished_at": utcnow(),
            "progress": 1.0,
            "progress_message": "done",
            "error": None,
            "error_code": None,
            "best_trial": result.get("best_trial"),
            "best_params": _json_safe(result.get("best_params")),
            "best_value": finite(result.get("best_value")),
            "pareto": _json_safe(result.get("pareto_trials") or []),
            "overfitting": _json_safe(result.get("overfitting")),
            "holdout": _json_safe(result.get("holdout")),
            "elapsed_s": finite(result.get("elapsed_s")),
            "trials_done": int(result.get("trials_done") or 0),
        }
        return self._transition(study_id, OUTCOME_FROM, **values)

    def delete(self, study_id: str) -> bool:
        done = super().delete(study_id)
        returns_path(study_id).unlink(missing_ok=True)
        return done

    # -- trials -------------------------------------------------------------------------------------

    def save_trials(self, study_id: str, trials: Sequence[Mapping[str, Any]]) -> int:
        """Upsert trials (``TrialRecord.to_dict()`` shapes) by number; returns how many are new."""
        if not trials:
            return 0
        rows = [_trial_row(study_id, t) for t in trials]
        numbers = [r["number"] for r in rows]
        with self._write() as conn:
            have = {
                r[0]
                for r in conn.execute(
                    select(TRIALS.c.number).where(
                        TRIALS.c.study_id == study_id, TRIALS.c.number.in_(numbers)
                    )
                )
            }
            new = [r for r in rows if r["number"] not in have]
            for r in rows:
                if r["number"] in have:
                    conn.execute(
                        update(TRIALS)
                        .where(TRIALS.c.study_id == study_id, TRIALS.c.number == r["number"])
                        .values(**{k: v for k, v in r.items() if k not in ("study_id", "number")})
                    )
            if new:
                conn.execute(insert(TRIALS), new)
        return len(new)

    def count_trials(self, study_id: str) -> int:
        with self._read() as conn:
            return int(
                conn.execute(
                    select(func.count()).select_from(TRIALS).where(TRIALS.c.study_id == study_id)
                ).scalar_one()
            )

    def trials(
        self,
        study_id: str,
        *,
        limit: int = 100,
        offset: int = 0,
        sort: str = "number",
        state: str | None = None,
    ) -> tuple[list[dict[str, Any]], int]:
        """A page of the study's trials and their true total. ``sort``: number, state,
        duration_ms, ``value`` (the first objective) or ``value_<i>``, or ``metric:<name>`` (any
        metric), ``-`` for descending; NULLs last, ties by number."""
        if limit < 0 or offset < 0:
            raise ValueError("limit and offset must be >= 0")
        conds = [TRIALS.c.study_id == study_id]
        if state is not None:
            conds.append(TRIALS.c.state == state)
        order = _trial_order(sort)
        with self._read() as conn:
            total = conn.execute(select(func.count()).select_from(TRIALS).where(*conds))
            total_n = int(total.scalar_one())
            rows = conn.execute(
                select(TRIALS).where(*conds).order_by(order, TRIALS.c.number)
                .limit(limit).offset(offset)
            ).mappings()  # fmt: skip
            items = [_trial_dict(r) for r in rows]
        return items, total_n

    def all_trials(self, study_id: str) -> list[dict[str, Any]]:
        with self._read() as conn:
            rows = conn.execute(
                select(TRIALS).where(TRIALS.c.study_id == study_id).order_by(TRIALS.c.number)
            ).mappings()
            return [_trial_dict(r) for r in rows]

    def get_trial(self, study_id: str, number: int) -> dict[str, Any] | None:
        with self._read() as conn:
            row = (
                conn.execute(
                    select(TRIALS).where(TRIALS.c.study_id == study_id, TRIALS.c.number == number)
                )
                .mappings()
                .first()
            )
        return _trial_dict(row) if row is not None else None


# -- helpers -------------------------------------------------------------------------------------


def _trial_order(sort: str) -> Any:
    desc = sort.startswith("-")
    name = sort.removeprefix("-")
    if name in TRIAL_BASE_SORTS:
        expr: Any = TRIALS.c[name]
    elif name == "value" or (name.startswith("value_") and name[6:].isdigit()):
        i = int(name[6:]) if name != "value" else 0
        expr = TRIALS.c.objective_values[i].as_float()
    elif name.startswith("metric:") and name[7:].replace("_", "").isalnum():
        expr = TRIALS.c.metrics[name[7:]].as_float()
    else:
        raise ValueError(
            f"cannot sort trials by {sort!r}; allowed: number, state, duration_ms, value, "
            "value_<i> (objective i), metric:<name> (any metric), '-' for descending"
        )
    return (expr.desc() if desc else expr.asc()).nulls_last()


def _trial_row(study_id: str, t: Mapping[str, Any]) -> dict[str, Any]:
    values = t.get("values")
    if values is None:
        values = t.get("objective_values") or []
    return {
        "study_id": study_id,
        "number": int(t["number"]),
        "params": _json_safe(dict(t.get("params") or {})),
        "state": str(t.get("state") or "complete")[:16],
        "objective_values": [finite(v) for v in values],
        "metrics": _json_safe(dict(t.get("metrics") or {})) or None,
        "duration_ms": finite(t.get("duration_ms")),
        "error": t.get("error") or None,
        "finished_at": utcnow(),
    }


def _trial_dict(row: Mapping[str, Any]) -> dict[str, Any]:
    return {
        "number": row["number"],
        "params": row["params"],
        "state": row["state"],
        "values": list(row["objective_values"] or []),
        "metrics": row["metrics"] or {},
        "duration_ms": row["duration_ms"],
        "error": row["error"] or "",
        "finished_at": iso(row["finished_at"]),
    }
