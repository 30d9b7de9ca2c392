import type { Run } from "../api/types";
import { formatCurrency, formatDateTime, formatDuration, runCurrency } from "../lib/format";

function show(v: unknown): string {
  if (v === null || v === undefined || v === "") return "—";
  if (typeof v === "object") return JSON.stringify(v);
  return String(v);
}

/** A nested setting (sizing, costs, portfolio…) as readable "field value" lines, unset fields left out. */
function Nested({ value }: { value: Record<string, unknown> }) {
  const rows = Object.entries(value).filter(([, v]) => v !== null && v !== undefined && v !== "");
  if (!rows.length) return <>defaults</>;
  return (
    <>
      {rows.map(([k, v]) => (
        <div key={k} className="nested-row">
          <span className="muted">{k.replace(/_/g, " ")}</span>{" "}
          {v !== null && typeof v === "object" && !Array.isArray(v) ? <Nested value={v as Record<string, unknown>} /> : v === true ? "yes" : v === false ? "no" : Array.isArray(v) ? v.map(String).join(", ") : String(v)}
        </div>
      ))}
    </>
  );
}

export default function RunConfig({ run }: { run: Run }) {
  const c = run.config;
  const skip = new Set(["params", "strategy_name", "market", "universe", "symbols"]);
  const currency = runCurrency(run);
  return (
    <div className="config-grid" data-testid="run-config">
      <dl className="kv">
        <dt>Strategy</dt>
        <dd className="mono">{run.strategy_name}</dd>
        <dt>Parameters</dt>
        <dd className="mono">
          {Object.entries(run.params ?? {}).map(([k, v]) => (
            <div key={k}>
              {k} = {show(v)}
            </div>
          ))}
          {!run.params || Object.keys(run.params).length === 0 ? "defaults" : null}
        </dd>
        <dt>Market</dt>
        <dd>
          {run.market} ({currency})
        </dd>
        <dt>{run.universe ? "Universe" : "Symbols"}</dt>
        <dd>
          {run.universe ? <span className="mono">{run.universe}</span> : null}
          <div className="mono small muted">{(run.symbols ?? []).join(", ")}</div>
        </dd>
        <dt>Initial capital</dt>
        <dd>{formatCurrency(c.initial_capital as number, currency)}</dd>
        <dt>Effective start</dt>
        <dd>{run.effective_start ?? "—"}</dd>
      </dl>
      <dl className="kv">
        {Object.entries(c)
          .filter(([k]) => !skip.has(k) && k !== "initial_capital")
          .map(([k, v]) => (
            <div key={k} className="kv-row" data-testid={`config-${k}`}>
              <dt>{k.replace(/_/g, " ")}</dt>
              <dd className="mono">{v !== null && typeof v === "object" && !Array.isArray(v) ? <Nested value={v as Record<string, unknown>} /> : show(v)}</dd>
            </div>
          ))}
      </dl>
      <dl className="kv">
        <dt>Run id</dt>
        <dd className="mono small">{run.id}</dd>
        <dt>Created</dt>
        <dd>{formatDateTime(run.created_at)}</dd>
        <dt>Started</dt>
        <dd>{formatDateTime(run.started_at)}</dd>
        <dt>Finished</dt>
        <dd>{formatDateTime(run.finished_at)}</dd>
        <dt>Code version</dt>
        <dd className="mono">{run.code_version ?? "—"}</dd>
        <dt>Data fingerprint</dt>
        <dd className="mono">{run.data_fingerprint ?? "—"}</dd>
        {run.timings && (
          <>
            <dt>Timings</dt>
            <dd className="mono small">
              {Object.entries(run.timings)
                .map(([k, v]) => `${k} ${v < 1 ? `${Math.round(v * 1000)} ms` : formatDuration(v)}`)
                .join(" · ")}
            </dd>
          </>
        )}
      </dl>
    </div>
  );
}
