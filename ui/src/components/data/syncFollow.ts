import type { SyncState } from "../../api/marketData";

/** Sync states that end a sync. */
export const SYNC_DONE = new Set(["completed", "failed"]);

/** A WebSocket message of /ws/data/sync as a sync state: the state itself, or an event that
 * carries it under `state` (or `data`). Anything else (a ping, an unknown event) is null. */
export function stateOfMessage(raw: unknown): SyncState | null {
  if (!raw || typeof raw !== "object") return null;
  const m = raw as Record<string, unknown>;
  for (const inner of [m.state, m.data]) {
    if (inner && typeof inner === "object" && typeof (inner as Record<string, unknown>).status === "string") return inner as SyncState;
  }
  if (typeof m.status === "string" && typeof m.total === "number") return m as unknown as SyncState;
  return null;
}

/** Done / total as a percentage (0 when nothing to do yet). */
export function syncPercent(s: SyncState | null): number {
  if (!s || !s.total) return s?.status === "completed" ? 100 : 0;
  return Math.max(0, Math.min(100, (100 * s.done) / s.total));
}

export interface FollowOptions {
  /** opens the progress socket (a test passes a fake) */
  openSocket: () => WebSocketLike;
  /** GET /data/sync/status */
  poll: () => Promise<SyncState>;
  onState: (s: SyncState, via: "ws" | "poll") => void;
  onError?: (e: unknown) => void;
  /** ms between polls once the socket is gone (or silent) */
  pollEvery?: number;
  /** ms of socket silence before polling starts */
  silentAfter?: number;
  setTimer?: (fn: () => void, ms: number) => unknown;
  clearTimer?: (t: unknown) => void;
}

export interface WebSocketLike {
  onmessage: ((ev: { data: unknown }) => void) | null;
  onclose: ((ev: unknown) => void) | null;
  onerror: ((ev: unknown) => void) | null;
  close: () => void;
}

/** Follow a running sync: live over the WebSocket, falling back to polling the status endpoint
 * when the socket fails, closes before the end, or stays silent. Stops at a terminal state.
 * Returns a function that stops following. */
export function followSync(o: FollowOptions): () => void {
  const setTimer = o.setTimer ?? ((fn: () => void, ms: number) => setTimeout(fn, ms));
  const clearTimer = o.clearTimer ?? ((t: unknown) => clearTimeout(t as ReturnType<typeof setTimeout>));
  const every = o.pollEvery ?? 1000;
  let stopped = false;
  let polling = false;
  let silence: unknown = null;
  let pollTimer: unknown = null;
  let ws: WebSocketLike | null = null;

  const stop = () => {
    stopped = true;
    if (silence !== null) clearTimer(silence);
    if (pollTimer !== null) clearTimer(pollTimer);
    if (ws) {
      ws.onmessage = ws.onclose = ws.onerror = null;
      try {
        ws.close();
      } catch {
        /* already closed */
      }
    }
  };
  const deliver = (s: SyncState, via: "ws" | "poll") => {
    if (stopped) return;
    o.onState(s, via);
    if (SYNC_DONE.has(s.status)) stop();
  };
  const pollOnce = () => {
    if (stopped) return;
    o.poll().then(
      (s) => {
        deliver(s, "poll");
        if (!stopped) pollTimer = setTimer(pollOnce, every);
      },
      (e) => {
        o.onError?.(e);
        if (!stopped) pollTimer = setTimer(pollOnce, every * 2);
      },
    );
  };
  const startPolling = () => {
    if (polling || stopped) return;
    polling = true;
    pollOnce();
  };
  const armSilence = () => {
    if (silence !== null) clearTimer(silence);
    silence = setTimer(startPolling, o.silentAfter ?? 5000);
  };

  try {
    ws = o.openSocket();
  } catch {
    startPolling();
    return stop;
  }
  armSilence();
  ws.onmessage = (ev) => {
    let parsed: unknown = null;
    try {
      parsed = typeof ev.data === "string" ? JSON.parse(ev.data) : ev.data;
    } catch {
      return;
    }
    const s = stateOfMessage(parsed);
    if (!s) return;
    armSilence();
    deliver(s, "ws");
  };
  ws.onerror = () => startPolling();
  ws.onclose = () => startPolling();
  return stop;
}
