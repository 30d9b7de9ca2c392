import type { MetricMeta } from "../api/types";
import { formatMetric, formatNumber } from "../lib/format";
import { humanize } from "../lib/schemaForm";

export const HEADLINE = [
  "total_return",
  "cagr",
  "sharpe",
  "sortino",
  "max_drawdown",
  "calmar",
  "annual_volatility",
  "win_rate",
  "profit_factor",
  "trade_count",
  "total_fees",
  "benchmark_return",
];

const GROUPS: [MetricMeta["group"], string][] = [
  ["returns", "Returns"],
  ["risk", "Risk"],
  ["distribution", "Distribution"],
  ["trades", "Trades"],
  ["benchmark", "Benchmark"],
];

function tone(value: number | null | undefined, m: MetricMeta | undefined): string {
  // colour only signed "more is better" figures (returns, Sharpe, drawdown); leave costs and
  // dispersion neutral rather than alarming
  if (value === null || value === undefined || !m || m.higher_is_better !== true || value === 0) return "";
  if (m.unit === "pct" || m.unit === "currency" || m.key === "sharpe" || m.key === "sortino") return value > 0 ? "pos" : "neg";
  return "";
}

/** The run's benchmark window (metrics benchmark_start/end/bars), stated beside every
 * benchmark-relative figure: a benchmark rarely covers the whole run. */
export const WINDOW_KEYS = ["benchmark_start", "benchmark_end", "benchmark_bars"];

export function benchmarkWindow(metrics: Record<string, unknown>): string | null {
  const start = metrics.benchmark_start;
  const end = metrics.benchmark_end;
  if (typeof start !== "string" || typeof end !== "string") return null;
  const bars = metrics.benchmark_bars;
  return `${start} – ${end}` + (typeof bars === "number" ? ` (${formatNumber(bars, Number.isInteger(bars) ? 0 : 2, null)} bars)` : "");
}

function Card({ k, value, meta, currency, big, window }: { k: string; value: number | null | undefined; meta?: MetricMeta; currency: string; big?: boolean; window?: string | null }) {
  const label = meta?.label ?? humanize(k);
  const formula = meta?.formula ?? "";
  const over = window && (meta?.group === "benchmark" || k === "benchmark_return") ? `over ${window}` : "";
  const tip = [formula ? `${label}: ${formula}` : label, over].filter(Boolean).join("; ");
  return (
    <div className={`metric-card${big ? " big" : ""}`} data-testid={`metric-${k}`} title={tip} tabIndex={0} aria-label={`${label}: ${formatMetric(value, meta?.unit, currency, k)}. ${formula} ${over}`}>
      <div className="metric-label">{label}</div>
      <div className={`metric-value ${tone(value, meta)}`}>{formatMetric(value, meta?.unit, currency, k)}</div>
      {over && <div className="metric-window" data-testid={`metric-window-${k}`}>{over}</div>}
      {formula && (
        <div className="tooltip" role="tooltip">
          <strong>{label}</strong>
          <code>{formula}</code>
          {meta?.higher_is_better !== null && meta?.higher_is_better !== undefined && <span>{meta.higher_is_better ? "higher is better" : "lower is better"}</span>}
        </div>
      )}
    </div>
  );
}

export default function MetricCards({
  metrics,
  meta,
  currency,
}: {
  metrics: Record<string, number | null>;
  meta: MetricMeta[] | undefined;
  currency: string;
}) {
  const byKey = new Map((meta ?? []).map((m) => [m.key, m]));
  const window = benchmarkWindow(metrics);
  const headline = HEADLINE.filter((k) => k in metrics);
  const rest = (meta ?? []).filter((m) => !headline.includes(m.key) && m.key in metrics);
  const unknown = Object.keys(metrics).filter((k) => !headline.includes(k) && !byKey.has(k) && !WINDOW_KEYS.includes(k));
  return (
    <div>
      <div className="metric-grid" data-testid="headline-metrics">
        {headline.map((k) => (
          <Card key={k} k={k} value={metrics[k]} meta={byKey.get(k)} currency={currency} big window={window} />
        ))}
      </div>
      <details className="all-metrics">
        <summary>All metrics ({Object.keys(metrics).filter((k) => !WINDOW_KEYS.includes(k)).length})</summary>
        {GROUPS.map(([g, title]) => {
          const items = rest.filter((m) => m.group === g);
          if (!items.length) return null;
          return (
            <div key={g} className="metric-group">
              <h3>{title}</h3>
              <div className="metric-grid small">
                {items.map((m) => (
                  <Card key={m.key} k={m.key} value={metrics[m.key]} meta={m} currency={currency} window={window} />
                ))}
              </div>
            </div>
          );
        })}
        {unknown.length > 0 && (
          <div className="metric-grid small">
            {unknown.map((k) => (
              <Card key={k} k={k} value={metrics[k]} currency={currency} />
            ))}
          </div>
        )}
      </details>
    </div>
  );
}
