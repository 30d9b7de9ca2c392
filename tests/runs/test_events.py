"""The event bus contract, on the in-process bus and on the real Redis; and the queue pump."""

from __future__ import annotations

import asyncio
import datetime as dt
import math
import queue
import threading
import uuid

import numpy as np
import pytest

from ava_backtest.runs import events as ev
from ava_backtest.runs.events import InProcessBus, RedisBus, make_bus


def _run_id() -> str:
    return f"test-{uuid.uuid4().hex}"


@pytest.fixture(params=["inprocess", "redis"])
def new_bus(request):
    """A factory of buses (each test runs on both); call it inside the test's event loop."""
    if request.param == "redis":
        url = request.getfixturevalue("redis_url")
        return lambda **kw: RedisBus(url, **kw)
    return lambda **kw: InProcessBus(**kw)


async def _collect(sub, timeout: float = 5.0) -> list[dict]:
    out = []

    async def read():
        async for event in sub:
            out.append(event)

    await asyncio.wait_for(read(), timeout)
    return out


def _progress(run_id: str, i: int) -> dict:
    return ev.progress_event(run_id, i / 100, f"step {i}") | {"seq": i + 1}


# ------------------------------------------------------------------------------------ contract


def test_fan_out_to_two_subscribers_in_order(new_bus):
    async def body():
        bus = new_bus()
        rid = _run_id()
        try:
            async with bus.subscribe(rid) as a, bus.subscribe(rid) as b:
                sent = [_progress(rid, i) for i in (5, 35, 60)]
                sent.append(ev.make_event("completed", rid, seq=4, metrics={"sharpe": 1.5}))
                for e in sent:
                    await bus.publish(rid, e)
                got_a, got_b = await asyncio.gather(_collect(a), _collect(b))
        finally:
            await bus.close()
        assert got_a == got_b == sent  # the iterators end after the terminal event
        assert [e["type"] for e in got_a] == ["progress"] * 3 + ["completed"]

    asyncio.run(body())


def test_only_events_after_subscribing_and_runs_stay_apart(new_bus):
    async def body():
        bus = new_bus()
        rid, other = _run_id(), _run_id()
        try:
            await bus.publish(rid, _progress(rid, 1))
            async with bus.subscribe(rid) as sub:
                await bus.publish(other, ev.make_event("failed", other, code="x", message="no"))
                await bus.publish(rid, _progress(rid, 2))
                await bus.publish(rid, ev.make_event("cancelled", rid, stage="running"))
                got = await _collect(sub)
        finally:
            await bus.close()
        assert [(e["type"], e.get("percent")) for e in got] == [
            ("progress", 2.0),
            ("cancelled", None),
        ]

    asyncio.run(body())


def test_last_gives_a_late_subscriber_the_current_progress(new_bus):
    async def body():
        bus = new_bus()
        rid = _run_id()
        try:
            assert await bus.last(rid) is None
            for i in (5, 35, 60):
                await bus.publish(rid, _progress(rid, i))
            latest = await bus.last(rid)
            async with bus.subscribe(rid) as sub:
                snap = await sub.snapshot()
                # Published again (as a racing publisher might): not repeated to this subscriber.
                await bus.publish(rid, _progress(rid, 60))
                await bus.publish(rid, _progress(rid, 85))
                await bus.publish(rid, ev.make_event("completed", rid, seq=100))
                got = await _collect(sub)
        finally:
            await bus.close()
        assert latest == snap
        assert (
            latest["type"] == "progress" and latest["percent"] == 60.0 and latest["run_id"] == rid
        )
        assert [e.get("percent") for e in got] == [85.0, None]

    asyncio.run(body())


def test_slow_subscriber_loses_old_progress_never_the_terminal_event(new_bus):
    async def body():
        bus = new_bus(max_queue=8)
        rid = _run_id()
        try:
            async with bus.subscribe(rid) as sub:
                await bus.publish(rid, ev.make_event("log", rid, level="info", message="hello"))
                for i in range(100):
                    await bus.publish(rid, _progress(rid, i))
                await bus.publish(
                    rid, ev.make_event("failed", rid, code="worker_died", message="x")
                )
                if isinstance(bus, RedisBus):  # let the reader task take everything in
                    for _ in range(200):
                        if sub._buf and ev.is_terminal(sub._buf[-1]):
                            break
                        await asyncio.sleep(0.01)
                got = await _collect(sub)
                dropped = sub.dropped
        finally:
            await bus.close()
        assert got[-1]["type"] == "failed" and got[-1]["code"] == "worker_died"
        assert len(got) <= 8 and dropped == 102 - len(got)
        assert got[0]["type"] == "log"  # progress goes first
        percents = [e["percent"] for e in got if e["type"] == "progress"]
        assert percents == sorted(percents) and percents[-1] == 99.0  # the newest are kept

    asyncio.run(body())


def test_terminal_events_survive_a_buffer_full_of_them():
    async def body():
        bus = InProcessBus(max_queue=2)
        rids = _run_id()
        async with bus.subscribe(rids) as sub:
            for kind in ("completed", "failed", "cancelled"):
                await bus.publish(rids, ev.make_event(kind, rids))
            assert [e["type"] for e in sub._buf] == ["completed", "failed", "cancelled"]
        await bus.close()

    asyncio.run(body())


def test_close_ends_open_subscriptions_and_refuses_new_work(new_bus):
    async def body():
        bus = new_bus()
        rid = _run_id()
        async with bus.subscribe(rid) as sub:
            reader = asyncio.ensure_future(_collect(sub))
            await asyncio.sleep(0.05)
            await bus.publish(rid, _progress(rid, 10))
            await asyncio.sleep(0.1)
            await bus.close()
            assert [e["percent"] for e in await reader] == [10.0]
        with pytest.raises(RuntimeError):
            await bus.publish(rid, _progress(rid, 20))

    asyncio.run(body())


def test_events_are_plain_json_and_keep_no_result(new_bus):
    async def body():
        bus = new_bus()
        rid = _run_id()
        try:
            async with bus.subscribe(rid) as sub:
                await bus.publish(
                    rid,
                    ev.make_event(
                        "completed",
                        rid,
                        result=object(),  # a BacktestResult: for the app, never for clients
                        metrics={"sharpe": np.float64(1.25), "sortino": math.nan, "n": np.int64(3)},
                        effective_start=dt.date(2020, 1, 2),
                    ),
                )
                (got,) = await _collect(sub)
            last = await bus.last(rid)
        finally:
            await bus.close()
        assert "result" not in got
        assert got["metrics"] == {"sharpe": 1.25, "sortino": None, "n": 3}
        assert got["effective_start"] == "2020-01-02"
        assert last == got

    asyncio.run(body())


# ---------------------------------------------------------------------------------- redis only


def test_two_redis_buses_share_events_like_two_api_processes(redis_url):
    async def body():
        api_a, api_b = RedisBus(redis_url), RedisBus(redis_url)
        rid = _run_id()
        try:
            async with api_b.subscribe(rid) as sub:
                await api_a.publish(rid, _progress(rid, 40))
                await api_a.publish(rid, ev.make_event("completed", rid, seq=99))
                got = await _collect(sub)
            last_on_b = await api_b.last(rid)
            ttl = await api_b._redis.ttl(api_b.last_key(rid))
            await api_b._redis.delete(api_b.last_key(rid))
        finally:
            await api_a.close()
            await api_b.close()
        assert [e["type"] for e in got] == ["progress", "completed"]
        assert last_on_b["type"] == "completed"
        assert 86_000 < ttl <= 86_400

    asyncio.run(body())


def test_make_bus_picks_redis_when_a_url_is_given(redis_url):
    async def body():
        redis_bus, local = make_bus(redis_url), make_bus(None)
        assert isinstance(redis_bus, RedisBus) and isinstance(local, InProcessBus)
        assert isinstance(redis_bus, ev.EventBus) and isinstance(local, ev.EventBus)
        await redis_bus.close()
        await local.close()

    asyncio.run(body())


# ------------------------------------------------------------------------------- shapes, pump


def test_progress_event_shape_and_eta():
    e = ev.progress_event("r1", 0.25, "simulating", elapsed=10.0, symbol="GOOG", bars_done=500)
    assert e["type"] == "progress" and e["run_id"] == "r1"
    assert e["percent"] == 25.0 and e["message"] == "simulating"
    assert e["symbol"] == "GOOG" and e["bars_done"] == 500
    assert e["eta_seconds"] == pytest.approx(30.0)
    assert dt.datetime.fromisoformat(e["ts"]).tzinfo is not None
    assert ev.progress_event("r1", 0.0, "start", elapsed=1.0)["eta_seconds"] is None
    assert ev.progress_event("r1", 1.0, "done", elapsed=4.0)["eta_seconds"] == 0.0
    assert ev.progress_event("r1", 1.7, "x")["percent"] == 100.0
    with pytest.raises(ValueError, match="unknown event type"):
        ev.make_event("exploded", "r1")


def test_pump_moves_a_blocking_queue_onto_the_loop_in_order():
    async def body():
        q: queue.Queue = queue.Queue()
        got: list = []

        async def sink(item):
            got.append(item)

        def producer():
            for i in range(500):
                q.put(("r", i))
            q.put(ev.STOP)
            q.put(("after", "stop"))

        task = asyncio.ensure_future(ev.pump(q, sink, poll_seconds=0.05))
        threading.Thread(target=producer).start()
        ticks = 0
        while not task.done():  # the loop stays free while the pump waits
            ticks += 1
            await asyncio.sleep(0.001)
        await task
        assert got == [("r", i) for i in range(500)]
        assert ticks > 0

    asyncio.run(body())
