"""Run events: what a run tells the world while it runs, and the bus that carries it.

An event is a small JSON-ready dict::

    {"type": "progress", "run_id": "...", "ts": "2025-01-02T03:04:05.678+00:00", "seq": 3,
     "percent": 35.0, "message": "computing signals", "symbol": None, "bars_done": None,
     "eta_seconds": 1.2}

Types (DESIGN §8): ``state``, ``progress``, ``log``, then one terminal event of ``completed``,
``failed``, ``cancelled`` or ``interrupted``. The executor also emits ``started`` (a worker
picked the run up). ``seq`` (per run, increasing, stamped by the executor) lets a subscriber drop
an event it already saw through ``last``.

Two buses share one contract (:class:`EventBus`): :class:`InProcessBus` for one API process, and
:class:`RedisBus` so that a client connected to any API process sharing the Redis sees every run.
:func:`pump` moves events from a blocking (multiprocessing) queue onto the event loop: the bridge
between worker processes and the bus of the API process.
"""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import inspect
import json
import math
import queue as queue_module
from collections import OrderedDict, deque
from collections.abc import AsyncIterator, Awaitable, Callable
from typing import Any, Protocol, runtime_checkable

EVENT_TYPES = (
    "state",
    "started",
    "progress",
    "log",
    "completed",
    "failed",
    "cancelled",
    "interrupted",
)
TERMINAL = frozenset({"completed", "failed", "cancelled", "interrupted"})
PRIVATE_KEYS = frozenset({"result"})
"""Keys that travel from the executor to the app but never to clients (a ``BacktestResult``)."""

DEFAULT_MAX_QUEUE = 256
LAST_TTL_SECONDS = 24 * 3600
CHANNEL_PREFIX = "ava:run:"


# --------------------------------------------------------------------------------------- events


def now_iso() -> str:
    return dt.datetime.now(dt.UTC).isoformat(timespec="milliseconds")


def make_event(type_: str, run_id: str, **fields: Any) -> dict[str, Any]:
    """``{"type", "run_id", "ts", **fields}``."""
    if type_ not in EVENT_TYPES:
        raise ValueError(f"unknown event type {type_!r}; one of {', '.join(EVENT_TYPES)}")
    return {"type": type_, "run_id": run_id, "ts": now_iso(), **fields}


def eta_seconds(fraction: float, elapsed: float | None) -> float | None:
    """Time left, assuming the rest goes at the pace so far; ``None`` before any progress."""
    if elapsed is None or fraction <= 0:
        return None
    if fraction >= 1:
        return 0.0
    return round(elapsed * (1 - fraction) / fraction, 3)


def progress_event(
    run_id: str,
    fraction: float,
    message: str,
    *,
    elapsed: float | None = None,
    symbol: str | None = None,
    bars_done: int | None = None,
) -> dict[str, Any]:
    """A ``progress`` event; ``fraction`` in 0..1 becomes ``percent`` in 0..100."""
    f = min(max(float(fraction), 0.0), 1.0)
    return make_event(
        "progress",
        run_id,
        percent=round(100 * f, 2),
        message=message,
        symbol=symbol,
        bars_done=bars_done,
        eta_seconds=eta_seconds(f, elapsed),
    )


def is_terminal(event: dict[str, Any]) -> bool:
    return event.get("type") in TERMINAL


def _plain(v: Any) -> Any:
    """JSON-safe values: numpy scalars and arrays, dates, and non-finite floats (as null)."""
    if isinstance(v, float):
        return v if math.isfinite(v) else None
    if v is None or isinstance(v, str | int | bool):
        return v
    if isinstance(v, dict):
        return {str(k): _plain(x) for k, x in v.items()}
    if isinstance(v, list | tuple | set | frozenset):
        return [_plain(x) for x in v]
    if isinstance(v, dt.date | dt.datetime | dt.time):
        return v.isoformat()
    if hasattr(v, "tolist"):  # numpy scalar or array, without importing numpy here
        return _plain(v.tolist())
    return str(v)


def client_event(event: dict[str, Any]) -> dict[str, Any]:
    """The event as clients see it: no private keys, JSON-safe values (NaN becomes null)."""
    return {k: _plain(v) for k, v in event.items() if k not in PRIVATE_KEYS}


def encode(event: dict[str, Any]) -> str:
    return json.dumps(client_event(event), separators=(",", ":"), allow_nan=False)


def decode(data: str | bytes) -> dict[str, Any]:
    return json.loads(data)


# ----------------------------------------------------------------------------------- contract


@runtime_checkable
class EventBus(Protocol):
    """Publish a run's events; subscribe to those published after subscribing; read the latest.

    ``subscribe`` returns a :class:`Subscription`: an async context manager (subscribed once
    entered) and an async iterator that ends after the run's terminal event or when the bus
    closes::

        async with bus.subscribe(run_id) as sub:
            current = await sub.snapshot()  # the latest event, or None
            async for event in sub:          # later events only, without repeating `current`
                ...
    """

    async def publish(self, run_id: str, event: dict[str, Any]) -> None: ...

    def subscribe(self, run_id: str) -> Subscription: ...

    async def last(self, run_id: str) -> dict[str, Any] | None: ...

    async def close(self) -> None: ...


class Subscription:
    """One subscriber's bounded buffer of a run's events.

    When a slow subscriber falls ``max_queue`` events behind, the oldest ``progress`` events are
    dropped first (a newer one supersedes them), then the oldest ``log``/``state``; terminal
    events are never dropped. ``dropped`` counts what was lost.
    """

    def __init__(self, bus: Any, run_id: str, max_queue: int) -> None:
        self.run_id = run_id
        self.dropped = 0
        self._bus = bus
        self._max = max(1, max_queue)
        self._buf: deque[dict[str, Any]] = deque()
        self._loop: asyncio.AbstractEventLoop | None = None
        self._wake: asyncio.Event | None = None
        self._entered = False
        self._closed = False
        self._done = False
        self._error: BaseException | None = None
        self._after_seq: int | None = None

    # -- lifecycle (the bus's subclasses add the transport) --
    async def _open(self) -> None:
        pass

    async def _shut(self) -> None:
        pass

    async def __aenter__(self) -> Subscription:
        if self._entered:
            raise RuntimeError("a subscription can be entered once")
        self._loop = asyncio.get_running_loop()
        self._wake = asyncio.Event()
        self._entered = True
        await self._open()
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self.aclose()

    async def aclose(self) -> None:
        if not self._closed:
            self._closed = True
            self._notify()
            await self._shut()

    async def snapshot(self) -> dict[str, Any] | None:
        """The run's latest event (``bus.last``); later iteration skips events up to its ``seq``."""
        event = await self._bus.last(self.run_id)
        if event is not None and isinstance(event.get("seq"), int):
            self._after_seq = event["seq"]
        return event

    # -- iteration --
    def __aiter__(self) -> Subscription:
        return self

    async def __anext__(self) -> dict[str, Any]:
        if not self._entered:
            raise RuntimeError("use `async with bus.subscribe(run_id) as sub:` before iterating")
        assert self._wake is not None
        while True:
            if self._done:
                raise StopAsyncIteration
            if self._buf:
                event = self._buf.popleft()
                seq = event.get("seq")
                if self._after_seq is not None and isinstance(seq, int) and seq <= self._after_seq:
                    continue
                if is_terminal(event):
                    self._done = True
                return event
            if self._error is not None:
                self._done = True
                raise self._error
            if self._closed:
                self._done = True
                raise StopAsyncIteration
            self._wake.clear()
            await self._wake.wait()

    # -- delivery (called by the bus) --
    def _put(self, event: dict[str, Any]) -> None:
        if self._closed:
            return
        buf = self._buf
        if len(buf) >= self._max:
            victim = next((i for i, e in enumerate(buf) if e.get("type") == "progress"), None)
            if victim is None and event.get("type") == "progress":
                self.dropped += 1  # a buffer full of logs and states: this progress is stale soon
                return
            if victim is None:
                victim = next((i for i, e in enumerate(buf) if not is_terminal(e)), None)
            if victim is not None:
                del buf[victim]
                self.dropped += 1
            # else: only terminal events are buffered; this one goes over the bound
        buf.append(event)
        self._notify()

    def _fail(self, error: BaseException) -> None:
        self._error = error
        self._notify()

    def _notify(self) -> None:
        if self._wake is None or self._loop is None:
            return
        try:
            running = asyncio.get_running_loop()
        except RuntimeError:
            running = None
        if running is self._loop:
            self._wake.set()
        elif not self._loop.is_closed():
            self._loop.call_soon_threadsafe(self._wake.set)


# ----------------------------------------------------------------------------------- in process


class _LocalSubscription(Subscription):
    async def _open(self) -> None:
        self._bus._subs.setdefault(self.run_id, set()).add(self)

    async def _shut(self) -> None:
        subs = self._bus._subs.get(self.run_id)
        if subs is not None:
            subs.discard(self)
            if not subs:
                del self._bus._subs[self.run_id]


class InProcessBus:
    """Fan-out to subscribers of this process, with the latest event per run kept for
    ``last`` (the ``max_runs`` most recently active runs)."""

    def __init__(self, *, max_queue: int = DEFAULT_MAX_QUEUE, max_runs: int = 10_000) -> None:
        self.max_queue = max_queue
        self._max_runs = max_runs
        self._subs: dict[str, set[_LocalSubscription]] = {}
        self._last: OrderedDict[str, dict[str, Any]] = OrderedDict()
        self._closed = False

    async def publish(self, run_id: str, event: dict[str, Any]) -> None:
        if self._closed:
            raise RuntimeError("the event bus is closed")
        # A JSON round trip: what works here works over Redis too.
        ev = decode(encode(event))
        self._last[run_id] = ev
        self._last.move_to_end(run_id)
        while len(self._last) > self._max_runs:
            self._last.popitem(last=False)
        for sub in list(self._subs.get(run_id, ())):
            sub._put(dict(ev))

    def subscribe(self, run_id: str) -> Subscription:
        if self._closed:
            raise RuntimeError("the event bus is closed")
        return _LocalSubscription(self, run_id, self.max_queue)

    async def last(self, run_id: str) -> dict[str, Any] | None:
        ev = self._last.get(run_id)
        return dict(ev) if ev is not None else None

    async def close(self) -> None:
        self._closed = True
        for subs in list(self._subs.values()):
            for sub in list(subs):
                await sub.aclose()
        self._subs.clear()


# ---------------------------------------------------------------------------------------- redis


class _RedisSubscription(Subscription):
    _pubsub: Any = None
    _reader: asyncio.Task[None] | None = None

    async def _open(self) -> None:
        bus: RedisBus = self._bus
        channel = bus.channel(self.run_id)
        self._pubsub = bus._redis.pubsub()
        try:
            await self._pubsub.subscribe(channel)
            # Subscribed once Redis confirms: an event published after this is delivered.
            while True:
                msg = await asyncio.wait_for(self._pubsub.get_message(timeout=None), 10.0)
                if msg and msg.get("type") == "subscribe":
                    break
        except BaseException:
            await self._pubsub.aclose()
            raise
        bus._subs.add(self)
        self._reader = asyncio.get_running_loop().create_task(
            self._read(), name=f"ava-bus-{channel}"
        )

    async def _read(self) -> None:
        try:
            while True:
                msg = await self._pubsub.get_message(ignore_subscribe_messages=True, timeout=None)
                if not msg or msg.get("type") != "message":
                    continue
                event = decode(msg["data"])
                self._put(event)
                if is_terminal(event):
                    return
        except asyncio.CancelledError:
            raise
        except Exception as e:  # the connection broke: the iterator raises it
            self._fail(e)

    async def _shut(self) -> None:
        self._bus._subs.discard(self)
        if self._reader is not None:
            self._reader.cancel()
            with contextlib.suppress(asyncio.CancelledError, Exception):
                await self._reader
        if self._pubsub is not None:
            with contextlib.suppress(Exception):
                await self._pubsub.aclose()


class RedisBus:
    """Redis pub/sub on ``ava:run:{run_id}``; the latest event under ``ava:run:{run_id}:last``
    (expires after a day). Each subscription holds its own pub/sub connection."""

    def __init__(
        self,
        url: str,
        *,
        max_queue: int = DEFAULT_MAX_QUEUE,
        ttl_seconds: int = LAST_TTL_SECONDS,
        prefix: str = CHANNEL_PREFIX,
    ) -> None:
        import redis.asyncio as aioredis

        self.url = url
        self.max_queue = max_queue
        self.ttl_seconds = ttl_seconds
        self.prefix = prefix
        self._redis = aioredis.from_url(url)
        self._subs: set[_RedisSubscription] = set()
        self._closed = False

    def channel(self, run_id: str) -> str:
        return f"{self.prefix}{run_id}"

    def last_key(self, run_id: str) -> str:
        return f"{self.prefix}{run_id}:last"

    async def publish(self, run_id: str, event: dict[str, Any]) -> None:
        if self._closed:
            raise RuntimeError("the event bus is closed")
        payload = encode(event)
        # One transaction: a reader sees the latest event and its message together or neither.
        async with self._redis.pipeline(transaction=True) as pipe:
            pipe.set(self.last_key(run_id), payload, ex=self.ttl_seconds)
            pipe.publish(self.channel(run_id), payload)
            await pipe.execute()

    def subscribe(self, run_id: str) -> Subscription:
        if self._closed:
            raise RuntimeError("the event bus is closed")
        return _RedisSubscription(self, run_id, self.max_queue)

    async def last(self, run_id: str) -> dict[str, Any] | None:
        raw = await self._redis.get(self.last_key(run_id))
        return decode(raw) if raw is not None else None

    async def close(self) -> None:
        self._closed = True
        for sub in list(self._subs):
            await sub.aclose()
        await self._redis.aclose()


def make_bus(redis_url: str | None, **kwargs: Any) -> EventBus:
    """A :class:`RedisBus` when a Redis URL is given (``AVA_REDIS_URL``), else in-process."""
    return RedisBus(redis_url, **kwargs) if redis_url else InProcessBus(**kwargs)


# ----------------------------------------------------------------------------------------- pump

STOP = "__ava_pump_stop__"
"""Put this on a pumped queue to end :func:`pump` once everything before it is delivered."""


def _take(source: Any, timeout: float, batch: int) -> list[Any]:
    try:
        items = [source.get(timeout=timeout)]
    except queue_module.Empty:
        return []
    while len(items) < batch and items[-1] != STOP:
        try:
            items.append(source.get_nowait())
        except queue_module.Empty:
            break
    return items


async def pump(
    source: Any,
    sink: Callable[[Any], Awaitable[None] | None],
    *,
    poll_seconds: float = 0.25,
    batch: int = 256,
) -> None:
    """Deliver items from a blocking queue (``multiprocessing`` / Manager / ``queue.Queue``) to
    ``sink`` in order, reading in a worker thread so the event loop never blocks. Ends at
    :data:`STOP` or when cancelled; an exception from ``sink`` ends it too."""
    while True:
        items = await asyncio.to_thread(_take, source, poll_seconds, batch)
        for item in items:
            if item == STOP:
                return
            out = sink(item)
            if inspect.isawaitable(out):
                await out


async def iterate(subscription: Subscription) -> AsyncIterator[dict[str, Any]]:
    """``async for event in iterate(bus.subscribe(run_id))``: subscribe, yield, unsubscribe."""
    async with subscription as sub:
        async for event in sub:
            yield event
