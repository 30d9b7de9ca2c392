"""/api/v2/universes: built-in and custom universes, their size and whether their data exists;
custom ones created, edited (PATCH) and deleted."""

from __future__ import annotations

from functools import partial
from typing import Any, Literal

from fastapi import APIRouter, Request
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel, ConfigDict, Field, field_validator

from ava_backtest.api.errors import ApiError
from ava_backtest.data.universes import get_symbol, list_universes
from ava_backtest.domain.errors import NotFoundError

router = APIRouter(prefix="/universes", tags=["universes"])


class UniverseOut(BaseModel):
    name: str
    market: str
    symbols: list[str]
    size: int
    benchmark: str | None
    description: str
    synthetic: bool
    survivorship_biased: bool
    custom: bool
    data_present: bool
    missing: list[str]


class UniverseList(BaseModel):
    items: list[UniverseOut]
    total: int


def _clean_symbols(v: list[str]) -> list[str]:
    out = [s.strip().upper() for s in v if s.strip()]
    if not out:
        raise ValueError("symbols is empty")
    if len(set(out)) != len(out):
        dupes = sorted({s for s in out if out.count(s) > 1})
        raise ValueError(f"symbols contains duplicates: {', '.join(dupes[:10])}")
    return out


class UniverseIn(BaseModel):
    name: str = Field(min_length=1, max_length=64, pattern=r"^[A-Za-z0-9_\-]+$")
    market: Literal["US", "IN", "24x7"]
    symbols: list[str] = Field(min_length=1, max_length=2000)
    description: str = Field(default="", max_length=500)

    @field_validator("symbols")
    @classmethod
    def _clean(cls, v: list[str]) -> list[str]:
        return _clean_symbols(v)


class UniversePatch(BaseModel):
    """The fields given replace the stored ones; the name and market stay."""

    model_config = ConfigDict(extra="forbid")

    symbols: list[str] | None = Field(None, min_length=1, max_length=2000)
    description: str | None = Field(None, max_length=500)

    @field_validator("symbols")
    @classmethod
    def _clean(cls, v: list[str] | None) -> list[str] | None:
        return None if v is None else _clean_symbols(v)


class Deleted(BaseModel):
    name: str
    deleted: bool


def _missing(market: str, symbols: list[str]) -> list[str]:
    out = []
    for s in symbols:
        try:
            get_symbol(market, s)
        except NotFoundError:
            out.append(s)
    return out


@router.get("", response_model=UniverseList, summary="Built-in and custom universes")
async def list_all(
    request: Request, market: Literal["US", "IN", "24x7"] | None = None
) -> UniverseList:
    items = [
        UniverseOut(
            name=u.name,
            market=u.market,
            symbols=list(u.symbols),
            size=len(u.symbols),
            benchmark=u.benchmark,
            description=u.description,
            synthetic=u.synthetic,
            survivorship_biased=u.survivorship_biased,
            custom=False,
            data_present=True,
            missing=[],
        )
        for u in list_universes(market)
    ]
    for c in await run_in_threadpool(request.app.state.services.store.list_custom_universes):
        if market and c["market"] != market:
            continue
        missing = _missing(c["market"], c["symbols"])
        items.append(
            UniverseOut(
                name=c["name"],
                market=c["market"],
                symbols=c["symbols"],
                size=len(c["symbols"]),
                benchmark=None,
                description=c.get("description") or "",
                synthetic=False,
                survivorship_biased=True,
                custom=True,
                data_present=not missing,
                missing=missing,
            )
        )
    return UniverseList(items=items, total=len(items))


@router.post("", response_model=UniverseOut, status_code=201, summary="Create a custom universe")
async def create(body: UniverseIn, request: Request) -> UniverseOut:
    if body.name in {u.name for u in list_universes()}:
        raise ApiError(409, "conflict", f"{body.name!r} is a built-in universe", {"field": "name"})
    missing = _missing(body.market, body.symbols)
    if missing:
        raise ApiError(
            422, "not_found", f"no data for {', '.join(missing[:10])} on market {body.market}",
            {"field": "symbols", "missing": missing},
        )  # fmt: skip
    try:
        await run_in_threadpool(
            request.app.state.services.store.create_universe,
            body.name,
            body.market,
            body.symbols,
            body.description,
        )
    except ValueError as e:
        raise ApiError(409, "conflict", str(e), {"field": "name"}) from None
    return UniverseOut(
        name=body.name, market=body.market, symbols=body.symbols, size=len(body.symbols), benchmark=None,
        description=body.description, synthetic=False, survivorship_biased=True, custom=True,
        data_present=True, missing=[],
    )  # fmt: skip


def _refuse_missing(market: str, symbols: list[str]) -> None:
    missing = _missing(market, symbols)
    if missing:
        raise ApiError(
            422, "not_found", f"no data for {', '.join(missing[:10])} on market {market}",
            {"field": "symbols", "missing": missing},
        )  # fmt: skip


def _custom_out(c: dict[str, Any]) -> UniverseOut:
    return UniverseOut(
        name=c["name"], market=c["market"], symbols=c["symbols"], size=len(c["symbols"]),
        benchmark=None, description=c.get("description") or "", synthetic=False,
        survivorship_biased=True, custom=True, data_present=True, missing=[],
    )  # fmt: skip


@router.patch("/{name}", response_model=UniverseOut, summary="Edit a custom universe")
async def edit(name: str, body: UniversePatch, request: Request) -> UniverseOut:
    """Replaces the symbols and/or the description. Built-in universes are not edited (409);
    every symbol needs data on the universe's market (422 naming those without)."""
    if name in {u.name for u in list_universes()}:
        raise ApiError(
            409, "conflict", f"{name!r} is a built-in universe; built-in universes are not edited",
            {"field": "name"},
        )  # fmt: skip
    store = request.app.state.services.store
    current = await run_in_threadpool(store.get_custom_universe, name)
    if current is None:
        raise ApiError(404, "not_found", f"no custom universe named {name!r}", {"field": "name"})
    if body.symbols is not None:
        _refuse_missing(current["market"], body.symbols)
    row = await run_in_threadpool(
        partial(store.update_universe, name, symbols=body.symbols, description=body.description)
    )
    if row is None:  # deleted meanwhile
        raise ApiError(404, "not_found", f"no custom universe named {name!r}", {"field": "name"})
    return _custom_out(row)


@router.delete("/{name}", response_model=Deleted, summary="Delete a custom universe")
async def delete(name: str, request: Request) -> Deleted:
    ok = await run_in_threadpool(request.app.state.services.store.delete_universe, name)
    if not ok:
        raise ApiError(404, "not_found", f"no custom universe named {name!r}", {"field": "name"})
    return Deleted(name=name, deleted=True)
