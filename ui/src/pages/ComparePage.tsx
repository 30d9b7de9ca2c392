import { useEffect, useMemo, useRef, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { LineSeries, PriceScaleMode } from "lightweight-charts";
import { api, metricsMeta } from "../api/client";
import type { EquityPoint, MetricMeta, Run } from "../api/types";
import { useAsync } from "../lib/hooks";
import { humanize } from "../lib/schemaForm";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { CURRENCY_SYMBOL, bestIndices, formatCompact, formatMetric, runCurrency } from "../lib/format";
import { ErrorBox, Loading, Section, StatusBadge, SyntheticBadge } from "../components/ui";
import { fitWhenSized, makeChart } from "../components/charts";
import { WINDOW_KEYS, benchmarkWindow } from "../components/MetricCards";
import { CombinePanel, CorrelationPanel } from "../components/RunAnalytics";

interface Loaded {
  run: Run;
  points: EquityPoint[];
}

export default function ComparePage() {
  const [sp] = useSearchParams();
  const ids = useMemo(() => (sp.get("ids") ?? "").split(",").map((s) => s.trim()).filter(Boolean).slice(0, 4), [sp]);
  const data = useAsync<Loaded[]>(
    (s) => Promise.all(ids.map(async (id) => ({ run: await api.run(id, s), points: (await api.equity(id, s)).points }))),
    [ids.join(",")],
  );
  const meta = useAsync<MetricMeta[]>(() => metricsMeta(), []);
  const [normalize, setNormalize] = useState(true);
  const [log, setLog] = useState(false);

  if (ids.length < 2)
    return (
      <div className="page">
        <h1>Compare runs</h1>
        <p className="muted">
          Pick 2–4 runs on the <Link to="/runs">Runs</Link> page and press Compare.
        </p>
      </div>
    );
  if (data.error) return <div className="page"><ErrorBox error={data.error} /></div>;
  if (!data.data) return <div className="page"><Loading label="Loading runs…" /></div>;
  const runs = data.data;
  // metric order and labels from /meta/metrics; without it, whatever keys the runs carry
  const runKeys = [...new Set(runs.flatMap((r) => Object.keys(r.run.metrics ?? {})))];
  const metaKeys = (meta.data ?? []).map((m) => m.key);
  const keys = [...metaKeys, ...runKeys.filter((k) => !metaKeys.includes(k) && !WINDOW_KEYS.includes(k))].filter((k) => runs.some((r) => r.run.metrics && k in r.run.metrics));
  const byKey = new Map((meta.data ?? []).map((m) => [m.key, m]));
  const labels = runs.map((r, i) => `${i + 1}. ${r.run.strategy_name}`);
  const currencies = runs.map((r) => runCurrency(r.run));
  const distinct = [...new Set(currencies)];
  const mixed = distinct.length > 1;

  // Money is ranked only among runs of one currency; returns and ratios across all of them.
  const best = (k: string): Set<number> => {
    const m = byKey.get(k);
    if (!m || m.higher_is_better === null) return new Set();
    const values = runs.map((r) => r.run.metrics?.[k]);
    return bestIndices(values, m.higher_is_better, m.unit === "currency" ? currencies : null);
  };

  return (
    <div className="page">
      <div className="page-head">
        <p className="crumbs">
          <Link to="/runs">Runs</Link> / compare
        </p>
        <h1>Compare {runs.length} runs</h1>
      </div>
      {mixed && (
        <p className="notice warn currency-note" data-testid="currency-note" role="note">
          These runs are in {distinct.map((c) => `${c} (${CURRENCY_SYMBOL[c] ?? c})`).join(" and ")}: equity is drawn rebased to 100, money is shown in each run's
          own currency, and "best" marks money only among runs of the same currency.
        </p>
      )}
      <Section
        title="Equity curves"
        actions={
          <>
            <label className="check small">
              <input
                type="checkbox"
                checked={normalize || mixed}
                disabled={mixed}
                onChange={(e) => setNormalize(e.target.checked)}
                data-testid="compare-normalize"
                title={mixed ? "Runs in different currencies are compared rebased to 100 only" : undefined}
              />{" "}
              start at 100
            </label>
            <label className="check small">
              <input type="checkbox" checked={log} onChange={(e) => setLog(e.target.checked)} /> log scale
            </label>
          </>
        }
      >
        <CompareChart runs={runs} labels={labels} normalize={normalize || mixed} log={log} currency={distinct[0]} />
      </Section>
      <Section title="Metrics">
        <div className="table-wrap">
          <table className="table compare" data-testid="compare-table">
            <thead>
              <tr>
                <th>Metric</th>
                {runs.map((r, i) => (
                  <th key={r.run.id} className="num">
                    <Link to={`/runs/${r.run.id}`}>{labels[i]}</Link>
                    <div className="muted small mono">
                      {r.run.id.slice(0, 8)} · <span data-testid={`compare-currency-${i}`}>{currencies[i]}</span>
                    </div>
                  </th>
                ))}
              </tr>
            </thead>
            <tbody>
              <tr>
                <th scope="row">Status</th>
                {runs.map((r) => (
                  <td key={r.run.id} className="num">
                    <StatusBadge status={r.run.status} />
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Data</th>
                {runs.map((r) => (
                  <td key={r.run.id} className="num small">
                    {r.run.market} · {r.run.universe ?? (r.run.symbols ?? []).join(", ")} <SyntheticBadge show={r.run.synthetic} />
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Parameters</th>
                {runs.map((r) => (
                  <td key={r.run.id} className="num mono small">
                    {Object.entries(r.run.params ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(", ") || "—"}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row">Period</th>
                {runs.map((r) => (
                  <td key={r.run.id} className="num mono small">
                    {r.points[0]?.date.slice(0, 10) ?? "—"} – {r.points[r.points.length - 1]?.date.slice(0, 10) ?? "—"}
                  </td>
                ))}
              </tr>
              <tr>
                <th scope="row" title="the bars alpha, beta, information ratio and benchmark return cover">Benchmark window</th>
                {runs.map((r, i) => (
                  <td key={r.run.id} className="num mono small" data-testid={`compare-benchmark-window-${i}`}>
                    {benchmarkWindow(r.run.metrics ?? {}) ?? "no benchmark"}
                  </td>
                ))}
              </tr>
              {keys.map((k) => {
                const b = best(k);
                const m = byKey.get(k);
                return (
                  <tr key={k}>
                    <th scope="row" title={m ? `${m.label}: ${m.formula}` : k}>
                      {m?.label ?? humanize(k)}
                    </th>
                    {runs.map((r, i) => (
                      <td
                        key={r.run.id}
                        className={"num" + (b.has(i) ? " best" : "")}
                        data-testid={`compare-${k}-${i}`}
                        title={b.has(i) ? (m?.unit === "currency" && mixed ? `best among the ${currencies[i]} runs` : "best") : undefined}
                      >
                        {formatMetric(r.run.metrics?.[k], m?.unit, currencies[i], k)}
                      </td>
                    ))}
                  </tr>
                );
              })}
            </tbody>
          </table>
        </div>
      </Section>
      <CorrelationPanel ids={runs.map((r) => r.run.id)} />
      <CombinePanel
        ids={runs.map((r) => r.run.id)}
        labels={runs.map((r) => `${r.run.strategy_name} ${r.run.id.slice(0, 8)}`)}
        points={runs.map((r) => r.points)}
      />
    </div>
  );
}

/** Overlaid equity curves. In money only when every run has one currency (`currency`); the
 * page passes `normalize` when they do not. */
function CompareChart({ runs, labels, normalize, log, currency }: { runs: Loaded[]; labels: string[]; normalize: boolean; log: boolean; currency: string }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    if (!el.current) return;
    const c = chartColors(theme);
    const ch = makeChart(el.current, theme, {
      localization: { priceFormatter: (v: number) => (normalize ? v.toFixed(1) : formatCompact(v, currency)) },
    });
    runs.forEach((r, i) => {
      if (!r.points.length) return;
      const base = r.points[0].equity;
      const s = ch.addSeries(LineSeries, { color: c.palette[i % c.palette.length], lineWidth: 2, title: labels[i], priceLineVisible: false });
      s.setData(r.points.map((p) => ({ time: toChartTime(p.date), value: normalize ? (100 * p.equity) / base : p.equity })));
    });
    ch.priceScale("right").applyOptions({ mode: log ? PriceScaleMode.Logarithmic : PriceScaleMode.Normal });
    const unfit = fitWhenSized(ch, el.current);
    return () => {
      unfit();
      ch.remove();
    };
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [runs, labels.join("|"), normalize, log, theme, currency]);
  const c = chartColors(theme);
  return (
    <div>
      <div className="chart-legend">
        {runs.map((r, i) => (
          <span key={r.run.id}>
            <span className="swatch" style={{ background: c.palette[i % c.palette.length] }} /> {labels[i]} <span className="muted mono small">{r.run.id.slice(0, 8)}</span>
          </span>
        ))}
      </div>
      <div ref={el} className="chart" data-testid="compare-chart" style={{ height: 380 }} role="img" aria-label="Equity curves overlaid" />
    </div>
  );
}
