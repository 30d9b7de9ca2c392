"""What the routers of long jobs (optimisations, walk-forwards, screens) share: reading a job
(404 naming it), its response model, listing, cancel (409 once finished), delete and the
WebSocket of its events; and the query parameters their list endpoints have in common.

Each router names what differs: the noun of its errors, the attribute of ``app.state.services``
that runs its jobs (a service with ``store.get``, ``store.list``, ``cancel`` and ``delete``) and
its response model. Creating a job stays in each router: the validation differs."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Annotated, Any, Generic, Literal, TypeVar

from fastapi import Query, Request, WebSocket
from fastapi.concurrency import run_in_threadpool
from pydantic import BaseModel

from ava_backtest.api.errors import ApiError
from ava_backtest.api.job_events import stream_job_events
from ava_backtest.api.routers.backtests import Deleted

TERMINAL = ("completed", "failed", "cancelled", "interrupted")

JobStatus = Literal["queued", "running", "completed", "failed", "cancelled", "interrupted"]
StrategyFilter = Annotated[str | None, Query(max_length=100)]
Limit = Annotated[int, Query(ge=1, le=500)]
Offset = Annotated[int, Query(ge=0, le=10_000_000)]

OutT = TypeVar("OutT", bound=BaseModel)


@dataclass(frozen=True)
class JobRoutes(Generic[OutT]):
    noun: str
    """``optimization``, ``walk-forward``, ``screen``: as the error messages name the job."""
    service_name: str
    """The attribute of ``app.state.services`` that runs these jobs."""
    out_model: type[OutT]

    def service(self, request: Request) -> Any:
        return getattr(request.app.state.services, self.service_name)

    def out(self, row: Mapping[str, Any]) -> OutT:
        fields = self.out_model.model_fields
        return self.out_model(**{k: v for k, v in row.items() if k in fields})

    async def get(self, request: Request, job_id: str) -> dict[str, Any]:
        row = await run_in_threadpool(self.service(request).store.get, job_id)
        if row is None:
            raise ApiError(404, "not_found", f"no {self.noun} with id {job_id!r}", {"field": "id"})
        return row

    async def get_out(self, request: Request, job_id: str) -> OutT:
        return self.out(await self.get(request, job_id))

    async def list_rows(self, request: Request, **filters: Any) -> tuple[list[dict[str, Any]], int]:
        rows, total = await run_in_threadpool(self.service(request).store.list, **filters)
        return rows, total

    async def cancel(self, request: Request, job_id: str) -> OutT:
        row = await self.get(request, job_id)
        if row["status"] in TERMINAL:
            raise ApiError(
                409, "conflict", f"{self.noun} {job_id} is already {row['status']}",
                {"status": row["status"]},
            )  # fmt: skip
        return self.out(
            await self.service(request).cancel(job_id) or await self.get(request, job_id)
        )

    async def delete(self, request: Request, job_id: str) -> Deleted:
        await self.get(request, job_id)
        return Deleted(id=job_id, deleted=await self.service(request).delete(job_id))

    async def events(
        self,
        websocket: WebSocket,
        job_id: str,
        *,
        id_key: str,
        counters: tuple[str, ...],
        terminal_event: Callable[[Mapping[str, Any]], dict[str, Any]] | None = None,
        with_snapshot: bool = True,
    ) -> None:
        """The job's WebSocket (api/job_events.py); the terminal event of a finished job is the
        service's ``terminal_event`` unless the router gives its own."""
        service = getattr(websocket.app.state.services, self.service_name)
        await stream_job_events(
            websocket, job_id, noun=self.noun, id_key=id_key, get_row=service.store.get,
            counters=counters, terminal_event=terminal_event or service.terminal_event,
            with_snapshot=with_snapshot,
        )  # fmt: skip
