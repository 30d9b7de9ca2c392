"""/api/v2/meta: descriptive data for clients (metric labels, units and formulas)."""

from __future__ import annotations

from typing import Literal

from fastapi import APIRouter
from pydantic import BaseModel

from ava_backtest.analytics.metrics import METRICS

router = APIRouter(prefix="/meta", tags=["meta"])


class MetricMeta(BaseModel):
    key: str
    label: str
    unit: Literal["pct", "ratio", "currency", "bars", "days", "count", "flag"]
    formula: str
    higher_is_better: bool | None
    group: Literal["returns", "risk", "distribution", "trades", "benchmark"]


@router.get("/metrics", response_model=list[MetricMeta])
def list_metrics() -> list[MetricMeta]:
    """Every metric of a run's panel, in panel order: label, unit ('pct' values are fractions),
    the formula shown as a tooltip, and which direction is better (None: neither)."""
    return [
        MetricMeta(
            key=m.key,
            label=m.label,
            unit=m.unit,
            formula=m.formula,
            higher_is_better=m.higher_is_better,
            group=m.group,
        )
        for m in METRICS.values()
    ]
