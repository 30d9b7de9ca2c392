"""/api/v2/builder: plain-English rules -> the rule form and a kit strategy's code (``parse``, a
preview that writes and runs nothing), and -> a saved, registered, look-ahead-checked strategy
(``strategies``). Unreadable text is a 422 whose details name the phrase, its column and what
the grammar expected there."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field

router = APIRouter(prefix="/builder", tags=["builder"])


class BuildIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    input: str = Field(
        min_length=1,
        max_length=1000,
        description="the rules in plain English, e.g. 'Buy when 20 EMA crosses above 50 EMA, "
        "sell on cross-under'",
    )
    name: str = Field(
        "my_strategy",
        min_length=2,
        max_length=63,
        pattern=r"^[a-z][a-z0-9_]*$",
        description="strategy name: lower-case letters, digits and '_'",
    )
    category: str = Field(
        "custom", min_length=1, max_length=40, pattern=r"^[a-z0-9_]+$", description="category"
    )


class SaveIn(BuildIn):
    overwrite: bool = Field(False, description="replace an existing file of that name")


class ParameterOut(BaseModel):
    name: str
    kind: str
    default: float
    minimum: float
    maximum: float
    description: str
    below: str | None = None
    window: bool = False


class BuildOut(BaseModel):
    name: str
    category: str
    direction: str = Field(description="long_only, long_short or short_only")
    rule: dict[str, Any] = Field(description="the rule form (ava_backtest.builder.rules.Rule)")
    explained: list[str] = Field(description="the rules as read, one line each")
    parameters: list[ParameterOut]
    code: str = Field(description="the generated strategy file")
    path: str | None = Field(None, description="where it was saved (save only)")
    checks: list[str] = Field(default=[], description="what was checked before registering")


@router.post("/parse", response_model=BuildOut, summary="Read rules; preview the strategy code")
def parse(body: BuildIn) -> BuildOut:
    from ava_backtest.builder import preview

    return BuildOut(**preview(body.input, body.name, body.category).to_dict())


@router.post(
    "/strategies",
    response_model=BuildOut,
    status_code=201,
    summary="Build, save, register and check a strategy",
)
async def create(body: SaveIn) -> BuildOut:
    from ava_backtest.builder import save

    built = await run_in_threadpool(
        save, body.input, body.name, body.category, overwrite=body.overwrite
    )
    return BuildOut(**built.to_dict())
