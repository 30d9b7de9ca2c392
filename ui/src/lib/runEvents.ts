import { useEffect, useRef, useState } from "react";
import { wsUrl } from "../api/client";
import { authRequired, WS_UNAUTHORIZED } from "./auth";
import { TERMINAL, type RunStatus } from "../api/types";

export interface LiveState {
  status: RunStatus | null;
  percent: number;
  message: string | null;
  symbol: string | null;
  eta: number | null;
  logs: string[];
  connected: boolean;
  reconnecting: boolean;
  terminalMessage: string | null;
}

const initial: LiveState = {
  status: null,
  percent: 0,
  message: null,
  symbol: null,
  eta: null,
  logs: [],
  connected: false,
  reconnecting: false,
  terminalMessage: null,
};

/** Follow a run over the WebSocket while it is queued or running; reconnect with backoff until a
 * terminal event arrives. `onTerminal` fires once with the final status. */
export function useRunEvents(
  runId: string,
  active: boolean,
  onTerminal: (status: RunStatus) => void,
): LiveState {
  const [state, setState] = useState<LiveState>(initial);
  const cb = useRef(onTerminal);
  cb.current = onTerminal;

  useEffect(() => {
    if (!active) return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let done = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;

    const finish = (status: RunStatus, message: string | null) => {
      if (done) return;
      done = true;
      setState((s) => ({
        ...s,
        status,
        percent: status === "completed" ? 100 : s.percent,
        eta: null,
        terminalMessage: message,
        reconnecting: false,
      }));
      cb.current(status);
    };

    const connect = () => {
      if (stopped || done) return;
      ws = new WebSocket(wsUrl(`/ws/backtests/${encodeURIComponent(runId)}`));
      ws.onopen = () => {
        attempt = 0;
        setState((s) => ({ ...s, connected: true, reconnecting: false }));
      };
      ws.onmessage = (ev) => {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        const type = String(e.type);
        if (type === "state") {
          const status = e.status as RunStatus;
          setState((s) => ({
            ...s,
            status,
            percent: typeof e.percent === "number" ? e.percent : s.percent,
            message: (e.message as string) ?? s.message,
          }));
        } else if (type === "progress") {
          setState((s) => ({
            ...s,
            status: s.status === "queued" || !s.status ? "running" : s.status,
            percent: typeof e.percent === "number" ? e.percent : s.percent,
            message: (e.message as string) ?? s.message,
            symbol: (e.symbol as string) ?? s.symbol,
            eta: typeof e.eta_seconds === "number" ? e.eta_seconds : null,
          }));
        } else if (type === "log") {
          setState((s) => ({
            ...s,
            status: s.status === "queued" ? "running" : s.status,
            logs: [...s.logs.slice(-49), String(e.message ?? "")],
          }));
        } else if ((TERMINAL as string[]).includes(type)) {
          finish(type as RunStatus, (e.message as string) ?? null);
        } else if (type === "error") {
          done = true; // e.g. unknown run: do not reconnect
          setState((s) => ({ ...s, reconnecting: false, terminalMessage: String(e.message ?? "error") }));
        }
      };
      ws.onclose = (ev) => {
        setState((s) => ({ ...s, connected: false }));
        if (stopped || done) return;
        if (ev.code === WS_UNAUTHORIZED) {
          // Refused for its token: retrying with the same token cannot help.
          done = true;
          setState((s) => ({ ...s, reconnecting: false, terminalMessage: "the server refused the live updates: enter the API token" }));
          authRequired();
          return;
        }
        attempt += 1;
        const delay = Math.min(10000, 500 * 2 ** Math.min(attempt, 5));
        setState((s) => ({ ...s, reconnecting: true }));
        timer = setTimeout(connect, delay);
      };
      ws.onerror = () => ws?.close();
    };
    connect();
    return () => {
      stopped = true;
      clearTimeout(timer);
      if (ws) {
        ws.onclose = null;
        ws.close();
      }
    };
  }, [runId, active]);

  return state;
}
