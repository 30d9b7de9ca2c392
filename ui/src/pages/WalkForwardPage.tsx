import { useEffect, useMemo, useState } from "react";
import { Link, useParams } from "react-router";
import { wfApi, wsUrl } from "../api/client";
import { TERMINAL, type WalkForward, type WalkForwardWindow } from "../api/types";
import { formatDate, formatNumber, formatPct } from "../lib/format";
import { ErrorBox, Loading, Section, StatusBadge, errorText } from "../components/ui";

const W = 900;
const COLORS = ["#2f7ed8", "#e4572e", "#17a398", "#a14ec4", "#f3a712", "#6b7a8f"];

function day(s: string): number {
  return Date.parse(s.slice(0, 10));
}

/** One walk-forward: windows on a timeline (in-sample vs out-of-sample), stitched out-of-sample
 * equity against the in-sample-optimised (hindsight) curve, parameter drift, efficiency and the
 * out-of-sample overfitting panel; live per window while it runs. */
export default function WalkForwardPage() {
  const { id = "" } = useParams();
  const [wf, setWf] = useState<WalkForward | null>(null);
  const [windows, setWindows] = useState<WalkForwardWindow[]>([]);
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [busy, setBusy] = useState(false);
  const [actionError, setActionError] = useState<string | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    wfApi.get(id, ac.signal).then(
      (w) => !ac.signal.aborted && (setWf(w), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    wfApi.windows(id, ac.signal).then((p) => !ac.signal.aborted && setWindows(p.items), () => {});
    return () => ac.abort();
  }, [id, tick]);

  const active = wf?.status === "queued" || wf?.status === "running";
  // live: one progress event per window over the WebSocket; reload on each and at the end
  useEffect(() => {
    if (!active) return;
    const ws = new WebSocket(wsUrl(`/ws/walk-forwards/${encodeURIComponent(id)}`));
    ws.onmessage = (ev) => {
      try {
        const e = JSON.parse(String(ev.data)) as { type: string };
        if (e.type === "progress" || (TERMINAL as string[]).includes(e.type)) setTick((t) => t + 1);
      } catch {
        /* not an event */
      }
    };
    const poll = setInterval(() => setTick((t) => t + 1), 5000); // in case the socket drops
    return () => {
      clearInterval(poll);
      ws.close();
    };
  }, [id, active]);

  if (error) return <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} />;
  if (!wf) return <Loading label="Loading walk-forward…" />;
  const r = wf.result;
  const cancel = async () => {
    setBusy(true);
    setActionError(null);
    try {
      setWf(await wfApi.cancel(id));
    } catch (x) {
      setActionError(errorText(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page" data-testid="wf-page">
      <div className="page-head">
        <h1>
          Walk-forward: {wf.strategy_name} on {wf.symbols.join(", ")} <StatusBadge status={wf.status} testId="wf-status" />
        </h1>
        <p className="muted">
          <Link to="/walk-forwards">All walk-forwards</Link> · {wf.mode} windows · objective {wf.objective} · {wf.windows_done} of {wf.n_windows} windows
          {wf.runner ? ` · ${wf.runner}` : ""}{" "}
          {active && (
            <button type="button" className="btn btn-small" onClick={cancel} disabled={busy} data-testid="wf-cancel">
              Cancel
            </button>
          )}
        </p>
        {actionError && <div className="field-error">{actionError}</div>}
        {wf.error && (
          <div className="field-error" role="alert" data-testid="wf-failure">
            {wf.error_code}: {wf.error}
          </div>
        )}
        {active && (
          <progress max={1} value={wf.progress} data-testid="wf-progress">
            {Math.round(wf.progress * 100)}%
          </progress>
        )}
      </div>
      <Section title="Windows" testId="wf-timeline">
        <Timeline windows={windows} />
        <WindowTable windows={windows} objective={wf.objective} />
      </Section>
      {r && (
        <>
          <Section title="Efficiency" testId="wf-efficiency">
            <div className="metric-grid">
              <Card label="Walk-forward efficiency" value={formatNumber(r.efficiency, 2, null)} hint="annualised OOS return / mean annualised IS return" testId="wf-eff" />
              <Card label="Sharpe efficiency" value={formatNumber(r.efficiency_sharpe, 2, null)} hint="OOS Sharpe / mean IS Sharpe" />
              <Card label="OOS total return" value={formatPct(r.oos_metrics.total_return ?? null)} />
              <Card label="OOS CAGR" value={formatPct(r.oos_metrics.cagr ?? null)} />
              <Card label="OOS Sharpe" value={formatNumber(r.oos_metrics.sharpe ?? null, 2, null)} />
              <Card label="OOS max drawdown" value={formatPct(r.oos_metrics.max_drawdown ?? null)} />
            </div>
          </Section>
          <Section title="Stitched out-of-sample equity vs the in-sample-optimised curve" testId="wf-equity">
            <EquityLines oos={r.oos_equity} hindsight={r.is_equity} />
            <p className="muted small">
              Solid: the out-of-sample segments stitched. Dashed: the parameters that look best with hindsight over the same span
              {r.hindsight?.params ? ` (${Object.entries(r.hindsight.params).map(([k, v]) => `${k}=${v}`).join(", ")})` : ""}.
            </p>
          </Section>
          <Section title="Parameter drift" testId="wf-drift">
            <Drift drift={r.drift} />
          </Section>
          <Section title={`Out-of-sample overfitting: ${r.overfitting.verdict}`} testId="wf-overfitting">
            <div className="metric-grid">
              <Card label="Score" value={formatNumber(r.overfitting.score, 2, null)} hint="0 no sign of luck … 1 all luck" />
              <Card label="PSR" value={formatNumber(r.overfitting.psr, 3, null)} />
              <Card label="DSR" value={formatNumber(r.overfitting.dsr, 3, null)} />
              <Card label="Parameters kept" value={formatPct(r.overfitting.parameter_persistence)} hint="windows choosing the previous window's parameters" />
            </div>
            <ul className="small">
              {r.overfitting.explanation.map((line) => (
                <li key={line}>{line}</li>
              ))}
            </ul>
          </Section>
          {r.notes.length > 0 && (
            <Section title="Notes" testId="wf-notes">
              <ul className="small">
                {r.notes.map((n) => (
                  <li key={n}>{n}</li>
                ))}
              </ul>
              {r.carry_over && r.handover.length > 0 && (
                <p className="small" data-testid="wf-handover">
                  Handed over: {r.handover.map((h) => `${h.symbol} ${h.direction} into window ${h.window}`).join("; ")}
                </p>
              )}
            </Section>
          )}
        </>
      )}
    </div>
  );
}

function Card({ label, value, hint, testId }: { label: string; value: string; hint?: string; testId?: string }) {
  return (
    <div className="metric-card" title={hint} data-testid={testId}>
      <div className="metric-label">{label}</div>
      <div className="metric-value">{value}</div>
    </div>
  );
}

function Timeline({ windows }: { windows: WalkForwardWindow[] }) {
  if (!windows.length) return <p className="muted">No windows planned.</p>;
  const lo = Math.min(...windows.map((w) => day(w.is_start)));
  const hi = Math.max(...windows.map((w) => day(w.oos_end)));
  const x = (d: string) => 60 + ((day(d) - lo) / Math.max(1, hi - lo)) * (W - 80);
  const row = 22;
  const h = windows.length * row + 30;
  return (
    <svg viewBox={`0 0 ${W} ${h}`} width="100%" role="img" aria-label="windows timeline" data-testid="wf-timeline-svg">
      {windows.map((w, i) => (
        <g key={w.index} data-testid="wf-window-bar">
          <text x={4} y={i * row + 15} fontSize={11} fill="currentColor">
            #{w.index}
          </text>
          <rect x={x(w.is_start)} y={i * row + 4} width={Math.max(1, x(w.is_end) - x(w.is_start))} height={14} fill="#2f7ed8" opacity={0.55}>
            <title>{`in sample ${w.is_start} → ${w.is_end}`}</title>
          </rect>
          <rect
            x={x(w.oos_start)}
            y={i * row + 4}
            width={Math.max(1, x(w.oos_end) - x(w.oos_start))}
            height={14}
            fill={w.status === "completed" ? "#17a398" : w.status === "planned" ? "#999" : "#f3a712"}
          >
            <title>{`out of sample ${w.oos_start} → ${w.oos_end} (${w.status})`}</title>
          </rect>
        </g>
      ))}
      <text x={60} y={h - 6} fontSize={11} fill="currentColor">
        {formatDate(windows[0].is_start)}
      </text>
      <text x={W - 20} y={h - 6} fontSize={11} textAnchor="end" fill="currentColor">
        {formatDate(windows[windows.length - 1].oos_end)}
      </text>
      <text x={W / 2} y={h - 6} fontSize={11} textAnchor="middle" fill="currentColor">
        blue: in sample · green: out of sample
      </text>
    </svg>
  );
}

function WindowTable({ windows, objective }: { windows: WalkForwardWindow[]; objective: string }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="wf-windows-table">
        <thead>
          <tr>
            <th>#</th>
            <th>In sample</th>
            <th>Out of sample</th>
            <th>Status</th>
            <th>Chosen</th>
            <th>IS {objective}</th>
            <th>OOS {objective}</th>
            <th>IS CAGR</th>
            <th>OOS CAGR</th>
          </tr>
        </thead>
        <tbody>
          {windows.map((w) => (
            <tr key={w.index} data-testid="wf-window-row">
              <td className="num">{w.index}</td>
              <td className="mono small">
                {w.is_start} → {w.is_end}
              </td>
              <td className="mono small">
                {w.oos_start} → {w.oos_end}
              </td>
              <td>{w.status}</td>
              <td className="mono small">{w.params ? Object.entries(w.params).map(([k, v]) => `${k}=${v}`).join(", ") : w.error || "—"}</td>
              <td className="num">{formatNumber(w.is_value, 3, null)}</td>
              <td className="num">{formatNumber(w.oos_value, 3, null)}</td>
              <td className="num">{formatPct(w.is_metrics?.cagr ?? null)}</td>
              <td className="num">{formatPct(w.oos_metrics?.cagr ?? null)}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function path(points: { date: string; equity: number }[], x: (d: string) => number, y: (v: number) => number): string {
  return points.map((p, i) => `${i ? "L" : "M"}${x(p.date).toFixed(1)},${y(p.equity).toFixed(1)}`).join("");
}

function EquityLines({ oos, hindsight }: { oos: { date: string; equity: number }[]; hindsight: { date: string; equity: number }[] }) {
  const h = 260;
  const all = [...oos, ...hindsight];
  const geo = useMemo(() => {
    if (!all.length) return null;
    const lo = Math.min(...all.map((p) => day(p.date)));
    const hi = Math.max(...all.map((p) => day(p.date)));
    const vmin = Math.log(Math.min(...all.map((p) => p.equity)));
    const vmax = Math.log(Math.max(...all.map((p) => p.equity)));
    const x = (d: string) => 70 + ((day(d) - lo) / Math.max(1, hi - lo)) * (W - 90);
    const y = (v: number) => 10 + (1 - (Math.log(v) - vmin) / Math.max(1e-9, vmax - vmin)) * (h - 30);
    return { x, y, vmin, vmax };
  }, [oos, hindsight]); // eslint-disable-line react-hooks/exhaustive-deps
  if (!geo) return <p className="muted">No equity.</p>;
  return (
    <svg viewBox={`0 0 ${W} ${h}`} width="100%" role="img" aria-label="stitched equity" data-testid="wf-equity-svg">
      <path d={path(hindsight, geo.x, geo.y)} fill="none" stroke="#999" strokeDasharray="5 4" strokeWidth={1.5} data-testid="wf-hindsight-line" />
      <path d={path(oos, geo.x, geo.y)} fill="none" stroke="#2f7ed8" strokeWidth={2} data-testid="wf-oos-line" />
      <text x={4} y={16} fontSize={11} fill="currentColor">
        {formatNumber(Math.exp(geo.vmax), 0, null)}
      </text>
      <text x={4} y={h - 20} fontSize={11} fill="currentColor">
        {formatNumber(Math.exp(geo.vmin), 0, null)}
      </text>
    </svg>
  );
}

function Drift({ drift }: { drift: Record<string, unknown[]> }) {
  const names = Object.keys(drift).filter((k) => drift[k].some((v) => typeof v === "number"));
  if (!names.length) return <p className="muted">No numeric parameter to chart.</p>;
  const n = Math.max(...names.map((k) => drift[k].length));
  const h = 80 * names.length + 20;
  const x = (i: number) => 150 + (i / Math.max(1, n - 1)) * (W - 180);
  return (
    <svg viewBox={`0 0 ${W} ${h}`} width="100%" role="img" aria-label="parameter drift" data-testid="wf-drift-svg">
      {names.map((k, j) => {
        const vals = drift[k].map((v) => (typeof v === "number" ? v : null));
        const fin = vals.filter((v): v is number => v !== null);
        const lo = Math.min(...fin);
        const hi = Math.max(...fin);
        const top = 10 + j * 80;
        const y = (v: number) => top + 60 - ((v - lo) / Math.max(1e-9, hi - lo)) * 60;
        return (
          <g key={k} data-testid="wf-drift-param">
            <text x={4} y={top + 30} fontSize={12} fill="currentColor">
              {k}
            </text>
            <text x={120} y={top + 8} fontSize={10} textAnchor="end" fill="currentColor">
              {hi}
            </text>
            <text x={120} y={top + 62} fontSize={10} textAnchor="end" fill="currentColor">
              {lo}
            </text>
            {vals.map((v, i) =>
              v === null ? null : (
                <circle key={i} cx={x(i)} cy={y(v)} r={4} fill={COLORS[j % COLORS.length]}>
                  <title>{`window ${i}: ${k}=${v}`}</title>
                </circle>
              ),
            )}
            <path
              d={vals.map((v, i) => (v === null ? "" : `${i && vals[i - 1] !== null ? "L" : "M"}${x(i)},${y(v)}`)).join("")}
              fill="none"
              stroke={COLORS[j % COLORS.length]}
              strokeWidth={1.5}
            />
          </g>
        );
      })}
    </svg>
  );
}

