"""Health and version: the only routes that never need a token."""

from __future__ import annotations

from fastapi import APIRouter
from pydantic import BaseModel

import ava_backtest

router = APIRouter(tags=["health"])


class Health(BaseModel):
    status: str
    version: str


class Version(BaseModel):
    version: str
    api: str


@router.get("/health", response_model=Health, summary="Liveness")
async def health() -> Health:
    return Health(status="ok", version=ava_backtest.__version__)


@router.get("/version", response_model=Version, summary="Code and API version")
async def version() -> Version:
    return Version(version=ava_backtest.__version__, api="v2")
