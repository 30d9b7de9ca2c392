import { describe, expect, it, vi } from "vitest";
import type { SyncState } from "../src/api/marketData";
import { followSync, stateOfMessage, syncPercent, type WebSocketLike } from "../src/components/data/syncFollow";

const st = (status: SyncState["status"], done: number, total = 3): SyncState => ({
  status,
  done,
  total,
  current: done < total ? `S${done}` : null,
  errors: [],
  started_at: "2026-01-01T00:00:00Z",
  completed_at: status === "completed" ? "2026-01-01T00:01:00Z" : null,
});

function fakeSocket(): WebSocketLike & { closed: boolean } {
  const ws = {
    onmessage: null,
    onclose: null,
    onerror: null,
    closed: false,
    close() {
      ws.closed = true;
    },
  } as WebSocketLike & { closed: boolean };
  return ws;
}

describe("sync messages", () => {
  it("reads a bare state, a wrapped one, and ignores the rest", () => {
    expect(stateOfMessage(st("running", 1))?.done).toBe(1);
    expect(stateOfMessage({ type: "progress", state: st("running", 2) })?.done).toBe(2);
    expect(stateOfMessage({ type: "ping" })).toBeNull();
    expect(stateOfMessage("nope")).toBeNull();
  });
  it("percent is done over total, 100 for an empty completed sync", () => {
    expect(syncPercent(st("running", 1, 4))).toBe(25);
    expect(syncPercent({ ...st("completed", 0, 0) })).toBe(100);
    expect(syncPercent(null)).toBe(0);
  });
});

describe("followSync", () => {
  it("follows the socket to the end and closes it", () => {
    const ws = fakeSocket();
    const seen: [number, string][] = [];
    const poll = vi.fn();
    followSync({ openSocket: () => ws, poll, onState: (s, via) => seen.push([s.done, via]), setTimer: () => 0, clearTimer: () => {} });
    ws.onmessage!({ data: JSON.stringify(st("running", 1)) });
    ws.onmessage!({ data: JSON.stringify({ type: "ping" }) });
    ws.onmessage!({ data: JSON.stringify({ state: st("completed", 3) }) });
    expect(seen).toEqual([
      [1, "ws"],
      [3, "ws"],
    ]);
    expect(ws.closed).toBe(true);
    expect(poll).not.toHaveBeenCalled();
  });

  it("polls the status when the socket closes before the end, until a terminal state", async () => {
    const ws = fakeSocket();
    const states = [st("running", 1), st("running", 2), st("completed", 3)];
    const poll = vi.fn(() => Promise.resolve(states.shift()!));
    const timers: (() => void)[] = [];
    const seen: [number, string][] = [];
    followSync({ openSocket: () => ws, poll, onState: (s, via) => seen.push([s.done, via]), setTimer: (fn) => timers.push(fn), clearTimer: () => {} });
    ws.onclose!({});
    await Promise.resolve();
    await Promise.resolve();
    // each poll schedules the next; run them
    for (let i = 0; i < 5 && poll.mock.calls.length < 3; i++) {
      const t = timers.pop();
      t?.();
      await Promise.resolve();
      await Promise.resolve();
    }
    expect(seen.map((x) => x[1])).toEqual(["poll", "poll", "poll"]);
    expect(seen.at(-1)).toEqual([3, "poll"]);
    expect(poll).toHaveBeenCalledTimes(3);
  });

  it("polls when the socket cannot even open", async () => {
    const poll = vi.fn(() => Promise.resolve(st("failed", 0)));
    const seen: string[] = [];
    followSync({
      openSocket: () => {
        throw new Error("no ws");
      },
      poll,
      onState: (s) => seen.push(s.status),
      setTimer: () => 0,
      clearTimer: () => {},
    });
    await Promise.resolve();
    await Promise.resolve();
    expect(seen).toEqual(["failed"]);
  });
});
