"""The tables: runs, their trades and equity points, and custom universes.

The Alembic migrations in ``store/migrations`` create exactly this schema; a test checks that
``compare_metadata`` finds no difference on SQLite and PostgreSQL. Change both together.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    CheckConstraint,
    Date,
    DateTime,
    Float,
    ForeignKey,
    Index,
    Integer,
    MetaData,
    String,
    Text,
)
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import DeclarativeBase, Mapped, mapped_column
from sqlalchemy.types import TypeDecorator

RUN_STATUSES = ("queued", "running", "completed", "failed", "cancelled", "interrupted")

NAMING = {
    "ix": "ix_%(table_name)s_%(column_0_N_name)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class UTCDateTime(TypeDecorator[dt.datetime]):
    """A timezone-aware UTC timestamp on every backend.

    PostgreSQL stores ``timestamptz``; SQLite has no time zones, so values are stored as UTC and
    given ``tzinfo=UTC`` back. Naive datetimes (and ISO strings, and dates: their midnight) passed
    in are taken to be UTC.
    """

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(
        self, value: dt.datetime | dt.date | str | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if isinstance(value, str):
            value = dt.datetime.fromisoformat(value)
        if not isinstance(value, dt.datetime):  # a date: its midnight, UTC
            value = dt.datetime.combine(value, dt.time())
        if value.tzinfo is None:
            value = value.replace(tzinfo=dt.UTC)
        value = value.astimezone(dt.UTC)
        return value.replace(tzinfo=None) if dialect.name == "sqlite" else value

    def process_result_value(
        self, value: dt.datetime | None, dialect: Dialect
    ) -> dt.datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            return value.replace(tzinfo=dt.UTC)
        return value.astimezone(dt.UTC)


def utcnow() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {
        dt.datetime: UTCDateTime(),
        dt.date: Date(),
        float: Float(),
        str: String(),
        dict[str, Any]: JSON(),
        list[Any]: JSON(),
    }


_status_check = "status IN (" + ", ".join(f"'{s}'" for s in RUN_STATUSES) + ")"


class Run(Base):
    """One backtest: what was asked, where it is, and (once completed) how it did."""

    __tablename__ = "runs"
    __table_args__ = (
        CheckConstraint(_status_check, name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index(None, "status"),
        Index(None, "strategy_name"),
        Index(None, "market"),
        Index(None, "created_at"),
        Index(None, "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    strategy_name: Mapped[str]
    market: Mapped[str] = mapped_column(String(16))
    universe: Mapped[str | None]
    symbols: Mapped[list[Any]] = mapped_column(JSON())
    config: Mapped[dict[str, Any]] = mapped_column(JSON())
    params: Mapped[dict[str, Any]] = mapped_column(JSON())
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    progress: Mapped[float] = mapped_column(Float(), default=0.0)
    progress_message: Mapped[str | None] = mapped_column(Text())
    error: Mapped[str | None] = mapped_column(Text())
    error_code: Mapped[str | None] = mapped_column(String(64))
    code_version: Mapped[str | None]
    data_fingerprint: Mapped[str | None]
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    currency: Mapped[str | None] = mapped_column(String(16))
    synthetic: Mapped[bool | None] = mapped_column(Boolean())
    effective_start: Mapped[dt.date | None]
    notes: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    n_trades: Mapped[int | None] = mapped_column(Integer())
    final_equity: Mapped[float | None]
    timings: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    # The API process that accepted the run (a ``run_owners`` id) and a cancel sent to another one.
    owner: Mapped[str | None] = mapped_column(String(64))
    cancel_requested: Mapped[bool | None] = mapped_column(Boolean())
    # What a person wrote about the run (``PATCH /backtests/{id}``), apart from the run's own
    # ``notes``; searched by the runs list (revision 0007).
    label_name: Mapped[str | None] = mapped_column(String(200))
    label_tags: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    label_notes: Mapped[str | None] = mapped_column(Text())


class RunOwner(Base):
    """An API process that runs backtests, alive while its heartbeat is recent."""

    __tablename__ = "run_owners"

    id: Mapped[str] = mapped_column(String(64), primary_key=True)
    hostname: Mapped[str] = mapped_column(String(255))
    pid: Mapped[int] = mapped_column(Integer())
    started_at: Mapped[dt.datetime]
    heartbeat_at: Mapped[dt.datetime]


class Trade(Base):
    """One closed trade of a run; ``seq`` is its order in the run's trade list."""

    __tablename__ = "trades"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    symbol: Mapped[str]
    direction: Mapped[str] = mapped_column(String(8))
    # Bar times as the engine reports them (exchange-local, naive), not instants.
    entry_time: Mapped[dt.datetime] = mapped_column(DateTime())
    exit_time: Mapped[dt.datetime] = mapped_column(DateTime())
    entry_price: Mapped[float]
    exit_price: Mapped[float]
    qty: Mapped[float]
    pnl_gross: Mapped[float]
    fees: Mapped[float]
    dividends: Mapped[float]
    pnl_net: Mapped[float]
    return_pct: Mapped[float | None]
    exit_reason: Mapped[str] = mapped_column(String(32))
    bars_held: Mapped[int] = mapped_column(Integer())
    # The shares sold (``qty`` is the shares bought; they differ across a split) and the trade on
    # the adjusted price scale; empty for runs stored before revision 0004.
    exit_qty: Mapped[float | None]
    entry_price_adj: Mapped[float | None]
    exit_price_adj: Mapped[float | None]
    qty_adj: Mapped[float | None]


class EquityPoint(Base):
    """One bar of a run's equity curve; ``seq`` is the bar's position in the run."""

    __tablename__ = "equity_points"

    run_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("runs.id", ondelete="CASCADE"), primary_key=True
    )
    seq: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    date: Mapped[dt.date]
    equity: Mapped[float]
    cash: Mapped[float | None]
    drawdown: Mapped[float | None]
    exposure: Mapped[float | None]
    benchmark: Mapped[float | None]


class CustomUniverse(Base):
    """A user-defined list of symbols on one market."""

    __tablename__ = "custom_universes"

    id: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(200), unique=True)
    market: Mapped[str] = mapped_column(String(16))
    symbols: Mapped[list[Any]] = mapped_column(JSON())
    description: Mapped[str] = mapped_column(Text(), default="")
    created_at: Mapped[dt.datetime]


class Optimization(Base):
    """One parameter study (``runs.optimize``): what was asked, where it is, and its outcome.

    Named ``optimizations`` (not ``studies``): Optuna's own tables (``studies``, ``trials`` …)
    live in the same database when a study is sampled, under the Ava id as study name."""

    __tablename__ = "optimizations"
    __table_args__ = (
        CheckConstraint(_status_check, name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index(None, "status"),
        Index(None, "strategy_name"),
        Index(None, "created_at"),
        Index(None, "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    strategy_name: Mapped[str]
    market: Mapped[str] = mapped_column(String(16))
    universe: Mapped[str | None]
    symbols: Mapped[list[Any]] = mapped_column(JSON())
    # The whole request: the base run (RunConfig), the space, objectives, sampler, seed …
    spec: Mapped[dict[str, Any]] = mapped_column(JSON())
    sampler: Mapped[str] = mapped_column(String(16))
    objectives: Mapped[list[Any]] = mapped_column(JSON())
    n_trials: Mapped[int] = mapped_column(Integer())
    trials_done: Mapped[int] = mapped_column(Integer(), default=0)
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    progress: Mapped[float] = mapped_column(Float(), default=0.0)
    progress_message: Mapped[str | None] = mapped_column(Text())
    best_trial: Mapped[int | None] = mapped_column(Integer())
    best_params: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    best_value: Mapped[float | None]
    pareto: Mapped[list[Any] | None] = mapped_column(JSON(none_as_null=True))
    overfitting: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    holdout: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    elapsed_s: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    error_code: Mapped[str | None] = mapped_column(String(64))
    code_version: Mapped[str | None]
    owner: Mapped[str | None] = mapped_column(String(64))
    cancel_requested: Mapped[bool | None] = mapped_column(Boolean())


class OptimizationTrial(Base):
    """One trial of a study: its parameters, state, objective values and every metric."""

    __tablename__ = "optimization_trials"

    study_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("optimizations.id", ondelete="CASCADE"), primary_key=True
    )
    number: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    params: Mapped[dict[str, Any]] = mapped_column(JSON())
    state: Mapped[str] = mapped_column(String(16))
    objective_values: Mapped[list[Any]] = mapped_column(JSON())
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    duration_ms: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    finished_at: Mapped[dt.datetime]


class WalkForward(Base):
    """One walk-forward analysis (``runs.walkforward``): the request, where it is, and the
    stitched out-of-sample outcome (equity, trades, metrics, efficiency, overfitting)."""

    __tablename__ = "walk_forwards"
    __table_args__ = (
        CheckConstraint(_status_check, name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index(None, "status"),
        Index(None, "strategy_name"),
        Index(None, "created_at"),
        Index(None, "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    strategy_name: Mapped[str]
    market: Mapped[str] = mapped_column(String(16))
    universe: Mapped[str | None]
    symbols: Mapped[list[Any]] = mapped_column(JSON())
    # The whole request: the base run (RunConfig), the window plan, objective, sampler …
    spec: Mapped[dict[str, Any]] = mapped_column(JSON())
    mode: Mapped[str] = mapped_column(String(16))
    objective: Mapped[str] = mapped_column(String(64))
    n_windows: Mapped[int] = mapped_column(Integer())
    windows_done: Mapped[int] = mapped_column(Integer(), default=0)
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    progress: Mapped[float] = mapped_column(Float(), default=0.0)
    progress_message: Mapped[str | None] = mapped_column(Text())
    efficiency: Mapped[float | None]
    oos_return: Mapped[float | None]
    # The stitched record and its panels: oos_equity, is_equity, trades, oos_metrics, drift,
    # overfitting, hand-overs (see WalkForwardResult.to_dict).
    result: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    runner: Mapped[str | None] = mapped_column(String(128))
    elapsed_s: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    error_code: Mapped[str | None] = mapped_column(String(64))
    code_version: Mapped[str | None]
    owner: Mapped[str | None] = mapped_column(String(64))
    cancel_requested: Mapped[bool | None] = mapped_column(Boolean())


class WalkForwardWindow(Base):
    """One window of a walk-forward: its in-sample and out-of-sample spans (dates of the
    market's sessions), the parameters chosen in sample, and both sides' metrics."""

    __tablename__ = "walk_forward_windows"

    walk_forward_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("walk_forwards.id", ondelete="CASCADE"), primary_key=True
    )
    index: Mapped[int] = mapped_column(Integer(), primary_key=True, autoincrement=False)
    status: Mapped[str] = mapped_column(String(16))
    is_start: Mapped[dt.date] = mapped_column(Date())
    is_end: Mapped[dt.date] = mapped_column(Date())
    oos_start: Mapped[dt.date] = mapped_column(Date())
    oos_end: Mapped[dt.date] = mapped_column(Date())
    params: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    is_value: Mapped[float | None]
    oos_value: Mapped[float | None]
    is_metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    oos_metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    trials: Mapped[int | None] = mapped_column(Integer())
    elapsed_s: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    finished_at: Mapped[dt.datetime | None]


class Screen(Base):
    """One universe screen (``runs.screens``): the same strategy and parameters backtested on
    each symbol alone; what was asked, where it is, and where it ran."""

    __tablename__ = "screens"
    __table_args__ = (
        CheckConstraint(_status_check, name="status"),
        CheckConstraint("progress >= 0 AND progress <= 1", name="progress"),
        Index(None, "status"),
        Index(None, "strategy_name"),
        Index(None, "created_at"),
        Index(None, "owner"),
    )

    id: Mapped[str] = mapped_column(String(32), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    strategy_name: Mapped[str]
    market: Mapped[str] = mapped_column(String(16))
    universe: Mapped[str | None]
    symbols: Mapped[list[Any]] = mapped_column(JSON())
    # The request: the run config every symbol's backtest shares.
    spec: Mapped[dict[str, Any]] = mapped_column(JSON())
    n_symbols: Mapped[int] = mapped_column(Integer())
    symbols_done: Mapped[int] = mapped_column(Integer(), default=0)
    created_at: Mapped[dt.datetime]
    started_at: Mapped[dt.datetime | None]
    finished_at: Mapped[dt.datetime | None]
    progress: Mapped[float] = mapped_column(Float(), default=0.0)
    progress_message: Mapped[str | None] = mapped_column(Text())
    runner: Mapped[str | None] = mapped_column(String(128))
    elapsed_s: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    error_code: Mapped[str | None] = mapped_column(String(64))
    code_version: Mapped[str | None]
    owner: Mapped[str | None] = mapped_column(String(64))


class ScreenRow(Base):
    """One symbol of a screen: its headline metrics (or why it did not run), and the backtest
    run made from it when it is opened (the same config on that symbol alone)."""

    __tablename__ = "screen_rows"

    screen_id: Mapped[str] = mapped_column(
        String(32), ForeignKey("screens.id", ondelete="CASCADE"), primary_key=True
    )
    symbol: Mapped[str] = mapped_column(String(64), primary_key=True)
    status: Mapped[str] = mapped_column(String(16))
    metrics: Mapped[dict[str, Any] | None] = mapped_column(JSON(none_as_null=True))
    bars: Mapped[int | None] = mapped_column(Integer())
    start: Mapped[dt.date | None] = mapped_column(Date())
    end: Mapped[dt.date | None] = mapped_column(Date())
    duration_ms: Mapped[float | None]
    error: Mapped[str | None] = mapped_column(Text())
    run_id: Mapped[str | None] = mapped_column(String(32))
