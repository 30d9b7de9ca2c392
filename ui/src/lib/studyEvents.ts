import { useEffect, useRef, useState } from "react";
import { wsUrl } from "../api/client";
import { authRequired, WS_UNAUTHORIZED } from "./auth";
import { TERMINAL, type RunStatus } from "../api/types";

export interface StudyLive {
  status: RunStatus | null;
  trialsDone: number | null;
  nTrials: number | null;
  connected: boolean;
  message: string | null;
}

/** Follow a study over `/ws/optimizations/{id}` while it is active: `state` first, `progress` per
 * trial, then one terminal event. `onChange` fires (throttled by the caller) on every trial and once
 * with the terminal status; reconnects with backoff until a terminal event arrives. */
export function useStudyEvents(id: string, active: boolean, onChange: (terminal: RunStatus | null) => void): StudyLive {
  const [state, setState] = useState<StudyLive>({ status: null, trialsDone: null, nTrials: null, connected: false, message: null });
  const cb = useRef(onChange);
  cb.current = onChange;
  useEffect(() => {
    if (!active) return;
    let ws: WebSocket | null = null;
    let stopped = false;
    let done = false;
    let attempt = 0;
    let timer: ReturnType<typeof setTimeout> | undefined;
    const connect = () => {
      if (stopped || done) return;
      ws = new WebSocket(wsUrl(`/ws/optimizations/${encodeURIComponent(id)}`));
      ws.onopen = () => {
        attempt = 0;
        setState((s) => ({ ...s, connected: true }));
      };
      ws.onmessage = (ev) => {
        let e: Record<string, unknown>;
        try {
          e = JSON.parse(String(ev.data));
        } catch {
          return;
        }
        const type = String(e.type);
        const num = (x: unknown, d: number | null) => (typeof x === "number" ? x : d);
        if (type === "state" || type === "progress") {
          setState((s) => ({
            ...s,
            status: type === "state" ? (e.status as RunStatus) : s.status === "queued" || !s.status ? "running" : s.status,
            trialsDone: num(e.trials_done, s.trialsDone),
            nTrials: num(e.n_trials, s.nTrials),
            message: (e.message as string) ?? s.message,
          }));
          if (type === "progress") cb.current(null);
        } else if ((TERMINAL as string[]).includes(type)) {
          done = true;
          setState((s) => ({ ...s, status: type as RunStatus, message: (e.message as string) ?? s.message, trialsDone: num(e.trials_done, s.trialsDone) }));
          cb.current(type as RunStatus);
        } else if (type === "error") {
          done = true;
          setState((s) => ({ ...s, message: String(e.message ?? "error") }));
        }
      };
      ws.onclose = (ev) => {
        setState((s) => ({ ...s, connected: false }));
        if (stopped || done) return;
        if (ev.code === WS_UNAUTHORIZED) {
          done = true;
          authRequired();
          return;
        }
        attempt += 1;
        timer = setTimeout(connect, Math.min(10000, 500 * 2 ** Math.min(attempt, 5)));
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
  }, [id, active]);
  return state;
}
