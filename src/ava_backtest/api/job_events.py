"""The WebSocket of a long job (an optimisation, a walk-forward, a screen): token check, a
``state`` message from the stored row, then the job's events until a terminal one.

Each router supplies what differs: the noun for the "no such job" error, how to read the row,
which counters the ``state`` message carries and the terminal event of a finished job."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from typing import Any

from fastapi import WebSocket, WebSocketDisconnect
from fastapi.concurrency import run_in_threadpool

from ava_backtest.api.security import WS_UNAUTHORIZED
from ava_backtest.runs.events import TERMINAL


async def stream_job_events(
    websocket: WebSocket,
    job_id: str,
    *,
    noun: str,
    id_key: str,
    get_row: Callable[[str], Mapping[str, Any] | None],
    counters: tuple[str, ...],
    terminal_event: Callable[[Mapping[str, Any]], dict[str, Any]],
    with_snapshot: bool = True,
) -> None:
    services = websocket.app.state.services
    if not services.authorized_ws(websocket):
        await websocket.accept()
        await websocket.close(code=WS_UNAUTHORIZED, reason="missing or wrong bearer token")
        return
    await websocket.accept()
    async with services.bus.subscribe(job_id) as events:
        row = await run_in_threadpool(get_row, job_id)
        if row is None:
            await websocket.send_json(
                {"type": "error", "run_id": job_id, "message": f"no {noun} with id {job_id!r}"}
            )
            await websocket.close(code=4404)
            return
        state: dict[str, Any] = {
            "type": "state",
            "run_id": job_id,
            id_key: job_id,
            "status": row["status"],
            "percent": round(100 * (row.get("progress") or 0.0), 1),
        }
        if with_snapshot:
            state["message"] = row.get("progress_message")
        state.update({k: row.get(k) for k in counters})
        if with_snapshot:
            state["last_event"] = await events.snapshot()
        await websocket.send_json(state)
        if row["status"] in TERMINAL:
            await websocket.send_json(terminal_event(row))
            await websocket.close()
            return
        try:
            async for event in events:
                await websocket.send_json(event)
                if event.get("type") in TERMINAL:
                    break
        except WebSocketDisconnect:
            return
    await websocket.close()
