import { useEffect, useRef, useState, type FormEvent } from "react";
import { marketDataApi, wsUrl } from "../../api/client";
import type { ProviderInfo, SyncState } from "../../api/marketData";
import type { Universe } from "../../api/types";
import { ApiError } from "../../lib/apiErrors";
import { formatNumber } from "../../lib/format";
import { StatusBadge, errorText } from "../ui";
import { SYNC_DONE, followSync, syncPercent, type WebSocketLike } from "./syncFollow";

export const TIMEFRAMES = ["1d", "1h", "15m", "5m", "1m"] as const;

export interface SyncForm {
  universe: string;
  provider: string;
  timeframe: string;
  start: string;
  end: string;
}

/** Field errors of the sync form, each naming its field. */
export function checkSyncForm(f: SyncForm, today: string): Record<string, string> {
  const e: Record<string, string> = {};
  if (!f.universe) e.universe = "universe: choose a universe";
  if (!TIMEFRAMES.includes(f.timeframe as (typeof TIMEFRAMES)[number])) e.timeframe = `timeframe: one of ${TIMEFRAMES.join(", ")}`;
  const iso = /^\d{4}-\d{2}-\d{2}$/;
  if (!iso.test(f.start)) e.start = "start: a date (YYYY-MM-DD)";
  if (!iso.test(f.end)) e.end = "end: a date (YYYY-MM-DD)";
  if (!e.start && !e.end && f.start > f.end) e.end = "end: on or after start";
  if (!e.start && f.start > today) e.start = "start: not in the future";
  return e;
}

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** Start a sync (universe, provider, timeframe, dates) and follow it live: progress, the symbol
 * being fetched, and every symbol's error. */
export default function SyncPanel({
  universes,
  providers,
  onFinished,
}: {
  universes: Universe[];
  providers: ProviderInfo[];
  onFinished?: (s: SyncState) => void;
}) {
  const [form, setForm] = useState<SyncForm>({ universe: "", provider: "", timeframe: "1d", start: daysAgo(365), end: daysAgo(0) });
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [state, setState] = useState<SyncState | null>(null);
  const [via, setVia] = useState<"ws" | "poll" | null>(null);
  const [busy, setBusy] = useState(false);
  const stopRef = useRef<(() => void) | null>(null);
  const finished = useRef(onFinished);
  finished.current = onFinished;

  useEffect(() => {
    if (!form.universe && universes.length) setForm((f) => ({ ...f, universe: universes[0].name }));
  }, [universes, form.universe]);

  const follow = () => {
    stopRef.current?.();
    stopRef.current = followSync({
      openSocket: () => new WebSocket(wsUrl("/ws/data/sync")) as unknown as WebSocketLike,
      poll: () => marketDataApi.syncStatus(),
      onState: (s, how) => {
        setState(s);
        setVia(how);
        if (SYNC_DONE.has(s.status)) finished.current?.(s);
      },
    });
  };

  // A sync already running (started elsewhere, or before a reload) is followed too.
  useEffect(() => {
    const ac = new AbortController();
    marketDataApi.syncStatus(ac.signal).then(
      (s) => {
        setState(s.status === "idle" ? null : s);
        if (s.status === "running") follow();
      },
      () => {},
    );
    return () => {
      ac.abort();
      stopRef.current?.();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, []);

  const universe = universes.find((u) => u.name === form.universe);
  const usable = providers.filter((p) => !universe || p.markets.includes(universe.market));

  async function submit(e: FormEvent) {
    e.preventDefault();
    const errs = checkSyncForm(form, daysAgo(-1));
    setErrors(errs);
    if (Object.keys(errs).length) return;
    setBusy(true);
    try {
      const body = { universe: form.universe, timeframe: form.timeframe, start: form.start, end: form.end, ...(form.provider ? { provider: form.provider } : {}) };
      const s = await marketDataApi.startSync(body);
      setState(s);
      follow();
    } catch (err) {
      if (err instanceof ApiError) {
        const fields = err.details?.fields;
        if (Array.isArray(fields) && fields.length) setErrors(Object.fromEntries(fields.map((f) => [f.field, `${f.field}: ${f.message}`])));
        else setErrors({ [String(err.details?.field ?? "form")]: err.details?.field ? `${err.details.field}: ${err.message}` : err.message });
      } else setErrors({ form: errorText(err) });
    } finally {
      setBusy(false);
    }
  }

  const set = (k: keyof SyncForm) => (e: { target: { value: string } }) => setForm((f) => ({ ...f, [k]: e.target.value }));
  const running = state?.status === "running";
  const pct = syncPercent(state);
  return (
    <div data-testid="sync-panel">
      <form className="form" onSubmit={submit} noValidate aria-label="Sync market data">
        <div className="field-row">
          <div className="field">
            <label htmlFor="sync-universe">Universe</label>
            <select id="sync-universe" value={form.universe} onChange={set("universe")} data-testid="sync-universe">
              {universes.map((u) => (
                <option key={u.name} value={u.name}>
                  {u.name} ({u.market}, {u.size})
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sync-provider">Provider</label>
            <select id="sync-provider" value={form.provider} onChange={set("provider")} data-testid="sync-provider">
              <option value="">auto (the market's fallback order)</option>
              {usable.map((p) => (
                <option key={p.name} value={p.name} disabled={!p.configured}>
                  {p.title}
                  {p.configured ? "" : ` — set ${p.key_variables.join(" + ")}`}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sync-timeframe">Timeframe</label>
            <select id="sync-timeframe" value={form.timeframe} onChange={set("timeframe")} data-testid="sync-timeframe">
              {TIMEFRAMES.map((t) => (
                <option key={t} value={t}>
                  {t}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sync-start">Start</label>
            <input id="sync-start" type="date" value={form.start} onChange={set("start")} data-testid="sync-start" />
          </div>
          <div className="field">
            <label htmlFor="sync-end">End</label>
            <input id="sync-end" type="date" value={form.end} onChange={set("end")} data-testid="sync-end" />
          </div>
        </div>
        {Object.keys(errors).length > 0 && (
          <div className="form-error" role="alert" data-testid="sync-form-error">
            <ul>
              {Object.entries(errors).map(([k, v]) => (
                <li key={k}>{v}</li>
              ))}
            </ul>
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" disabled={busy || running} data-testid="sync-submit">
            {running ? "Syncing…" : busy ? "Starting…" : "Sync"}
          </button>
        </div>
      </form>
      {state && (
        <div className="sync-progress" data-testid="sync-progress" data-status={state.status} data-done={state.done} data-total={state.total}>
          <div className="progress-row">
            <StatusBadge status={state.status} testId="sync-status" />
            <div className="progress" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={Math.round(pct)} aria-label="Sync progress">
              <div className={`progress-fill status-${state.status}`} style={{ width: `${pct}%` }} />
            </div>
            <span className="progress-percent small">{Math.round(pct)}%</span>
          </div>
          <p className="small" data-testid="sync-counts">
            {formatNumber(state.done, 0, null)} of {formatNumber(state.total, 0, null)} symbols
            {state.current && running ? ` · fetching ${state.current}` : ""}
            {state.bars_written !== undefined ? ` · ${formatNumber(state.bars_written, 0, null)} bars written` : ""}
            {state.skipped ? ` · ${formatNumber(state.skipped, 0, null)} already up to date` : ""}
            {state.errors.length ? ` · ${state.errors.length} failed` : ""}
            {via ? <span className="muted"> · {via === "ws" ? "live" : "polling"}</span> : null}
          </p>
          {state.message ? <p className="small muted">{state.message}</p> : null}
          {state.errors.length > 0 && (
            <div className="table-wrap">
              <table className="table compact" data-testid="sync-errors">
                <thead>
                  <tr>
                    <th>Symbol</th>
                    <th>Error</th>
                  </tr>
                </thead>
                <tbody>
                  {state.errors.map((er, i) => (
                    <tr key={`${er.symbol}-${i}`} data-testid="sync-error">
                      <td className="mono">{er.symbol}</td>
                      <td className="small neg">{er.error}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          )}
        </div>
      )}
    </div>
  );
}
