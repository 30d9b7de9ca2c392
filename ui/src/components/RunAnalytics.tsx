import { useEffect, useRef, useState } from "react";
import { LineSeries } from "lightweight-charts";
import { analyticsApi } from "../api/client";
import type { EquityPoint, PortfolioRebalance, PortfolioReport, PortfolioWeighting } from "../api/types";
import { useAsync } from "../lib/hooks";
import { chartColors, useTheme } from "../lib/theme";
import { toChartTime } from "../lib/time";
import { formatCompact, formatCurrency, formatNumber, formatPct } from "../lib/format";
import { correlationColour, correlationText, parseWeights } from "../lib/portfolio";
import { ErrorBox, Loading, Section } from "./ui";
import { fitWhenSized, makeChart } from "./charts";

/** The correlation heatmap of the runs' daily returns (GET /analytics/correlation). */
export function CorrelationPanel({ ids }: { ids: string[] }) {
  const { theme } = useTheme();
  const dark = theme === "dark";
  const corr = useAsync((s) => analyticsApi.correlation(ids, s), [ids.join(",")]);
  return (
    <Section title="Correlation of daily returns" testId="correlation-panel">
      {corr.error ? (
        <ErrorBox error={corr.error} title="Correlation not available" />
      ) : !corr.data ? (
        <Loading label="Measuring correlation…" />
      ) : (
        <>
          <p className="muted small">
            Pearson correlation of daily simple returns, each pair over the dates both runs have a return ({corr.data.start} – {corr.data.end}). The number
            under each coefficient is how many dates it covers.
          </p>
          <div className="table-wrap">
            <table className="table corr-heatmap" data-testid="correlation-heatmap" style={{ width: "auto" }}>
              <thead>
                <tr>
                  <th />
                  {corr.data.labels.map((_, j) => (
                    <th key={j} className="num" style={{ minWidth: 78, textAlign: "center" }}>
                      {j + 1}
                    </th>
                  ))}
                </tr>
              </thead>
              <tbody>
                {corr.data.labels.map((label, i) => (
                  <tr key={i}>
                    <th scope="row" className="small" style={{ maxWidth: 320 }}>
                      {i + 1}. {label}
                    </th>
                    {corr.data!.matrix[i].map((v, j) => (
                      <td
                        key={j}
                        data-testid={`corr-cell-${i}-${j}`}
                        data-value={v ?? ""}
                        title={`${corr.data!.labels[i]} / ${corr.data!.labels[j]}: ${v === null ? "undefined" : v.toFixed(4)} over ${corr.data!.overlap[i][j]} dates`}
                        style={{ background: correlationColour(v, dark), color: correlationText(v, dark), textAlign: "center", fontVariantNumeric: "tabular-nums" }}
                      >
                        <div style={{ fontWeight: 600 }}>{v === null ? "—" : v.toFixed(2)}</div>
                        <div style={{ fontSize: 10.5, opacity: 0.8 }}>{corr.data!.overlap[i][j]}</div>
                      </td>
                    ))}
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <div className="small muted" style={{ display: "flex", alignItems: "center", gap: 8, marginTop: 8 }} aria-hidden>
            −1
            <span
              style={{
                display: "inline-block",
                width: 160,
                height: 10,
                borderRadius: 4,
                background: `linear-gradient(to right, ${correlationColour(-1, dark)}, ${correlationColour(0, dark)}, ${correlationColour(1, dark)})`,
              }}
            />
            +1
          </div>
          {corr.data.notes.map((n) => (
            <p key={n} className="notice warn small" role="note">
              {n}
            </p>
          ))}
        </>
      )}
    </Section>
  );
}

interface Query {
  weighting: PortfolioWeighting;
  weights?: number[];
  rebalance: PortfolioRebalance;
  vol_window?: number;
}

const CARDS: [string, string, (r: PortfolioReport) => string][] = [
  ["total_return", "Total return", (r) => formatPct(r.metrics.total_return)],
  ["cagr", "CAGR", (r) => formatPct(r.metrics.cagr)],
  ["annual_volatility", "Annual volatility", (r) => formatPct(r.metrics.annual_volatility)],
  ["sharpe", "Sharpe ratio", (r) => formatNumber(r.metrics.sharpe, 2, null)],
  ["sortino", "Sortino ratio", (r) => formatNumber(r.metrics.sortino, 2, null)],
  ["max_drawdown", "Max drawdown", (r) => formatPct(r.metrics.max_drawdown)],
  ["diversification_ratio", "Diversification ratio", (r) => formatNumber(r.diversification_ratio, 3, null)],
  ["final_equity", "Final equity", (r) => formatCurrency(r.metrics.final_equity, r.currency)],
];

/** The "combine" view: the runs as one portfolio (GET /analytics/portfolio). */
export function CombinePanel({ ids, labels, points }: { ids: string[]; labels: string[]; points: EquityPoint[][] }) {
  const [weighting, setWeighting] = useState<PortfolioWeighting>("equal");
  const [rebalance, setRebalance] = useState<PortfolioRebalance>("monthly");
  const [text, setText] = useState<string[]>(ids.map(() => "1"));
  const [volWindow, setVolWindow] = useState("63");
  const [formError, setFormError] = useState<string | null>(null);
  const [query, setQuery] = useState<Query>({ weighting: "equal", rebalance: "monthly" });
  const result = useAsync((s) => analyticsApi.portfolio(ids, query, s), [ids.join(","), JSON.stringify(query)]);

  const submit = () => {
    setFormError(null);
    if (weighting === "given") {
      const parsed = parseWeights(text);
      if ("error" in parsed) return setFormError(parsed.error);
      setQuery({ weighting, rebalance, weights: parsed.weights });
    } else if (weighting === "inverse_volatility") {
      const n = Number(volWindow);
      if (!Number.isInteger(n) || n < 2) return setFormError("volatility window: a whole number of days >= 2");
      setQuery({ weighting, rebalance, vol_window: n });
    } else setQuery({ weighting, rebalance });
  };
  const r = result.data;
  return (
    <Section title="Combine into a portfolio" testId="combine-panel">
      <form
        className="field-row"
        onSubmit={(e) => {
          e.preventDefault();
          submit();
        }}
      >
        <div className="field">
          <label htmlFor="combine-weighting">Weights</label>
          <select id="combine-weighting" data-testid="combine-weighting" value={weighting} onChange={(e) => setWeighting(e.target.value as PortfolioWeighting)}>
            <option value="equal">equal</option>
            <option value="inverse_volatility">inverse volatility</option>
            <option value="given">my weights</option>
          </select>
        </div>
        <div className="field">
          <label htmlFor="combine-rebalance">Rebalance</label>
          <select id="combine-rebalance" data-testid="combine-rebalance" value={rebalance} onChange={(e) => setRebalance(e.target.value as PortfolioRebalance)}>
            {(["daily", "weekly", "monthly", "quarterly", "never"] as const).map((v) => (
              <option key={v} value={v}>
                {v}
              </option>
            ))}
          </select>
        </div>
        {weighting === "inverse_volatility" && (
          <div className="field">
            <label htmlFor="combine-vol-window" title="daily returns before the portfolio starts, used to estimate each run's volatility">
              Volatility window (days)
            </label>
            <input id="combine-vol-window" data-testid="combine-vol-window" inputMode="numeric" value={volWindow} onChange={(e) => setVolWindow(e.target.value)} />
          </div>
        )}
        {weighting === "given" &&
          ids.map((id, i) => (
            <div className="field" key={id}>
              <label htmlFor={`combine-weight-${i}`} title={labels[i]}>
                Weight {i + 1}
              </label>
              <input
                id={`combine-weight-${i}`}
                data-testid={`combine-weight-${i}`}
                inputMode="decimal"
                value={text[i] ?? ""}
                onChange={(e) => setText(text.map((t, k) => (k === i ? e.target.value : t)))}
              />
            </div>
          ))}
        <div className="field" style={{ justifyContent: "flex-end", flex: 0 }}>
          <span className="label">&nbsp;</span>
          <button type="submit" className="btn btn-primary" data-testid="combine-submit">
            Combine
          </button>
        </div>
      </form>
      {formError && (
        <div className="field-error" role="alert" data-testid="combine-form-error">
          {formError}
        </div>
      )}
      {result.error ? (
        <ErrorBox error={result.error} title="These runs cannot be combined" />
      ) : !r ? (
        <Loading label="Combining…" />
      ) : (
        <div data-testid="combine-result" style={{ opacity: result.loading ? 0.6 : 1 }}>
          <p className="muted small" data-testid="combine-summary">
            {r.weighting === "inverse_volatility" ? "Inverse-volatility" : r.weighting === "given" ? "Given" : "Equal"} weights, rebalanced {r.rebalance}
            {r.rebalance !== "never" ? ` (${r.rebalances} times)` : ""}, {r.start} – {r.end} ({r.n_dates} common dates), starting at {formatCurrency(r.initial_capital, r.currency)}.
          </p>
          <div className="metric-grid small" style={{ marginBottom: 12 }}>
            {CARDS.map(([key, label, show]) => (
              <div className="metric-card" key={key} data-testid={`combine-metric-${key}`} title={key === "diversification_ratio" ? "sum of weight x volatility of each run / volatility of the portfolio; above 1, combining lowered the risk" : label}>
                <div className="metric-label">{label}</div>
                <div className="metric-value">{show(r)}</div>
              </div>
            ))}
          </div>
          <CombinedChart report={r} labels={labels} points={points} />
          <div className="table-wrap" style={{ marginTop: 12 }}>
            <table className="table" data-testid="combine-table">
              <thead>
                <tr>
                  <th>Run</th>
                  <th className="num">Target weight</th>
                  <th className="num">Weight at the end</th>
                  <th className="num">Volatility</th>
                  <th className="num">Return over the window</th>
                </tr>
              </thead>
              <tbody>
                {r.labels.map((label, i) => (
                  <tr key={r.ids[i]}>
                    <td className="small">{label}</td>
                    <td className="num" data-testid={`combine-weight-value-${i}`}>{formatPct(r.weight_list[i])}</td>
                    <td className="num">{formatPct(r.final_weights[i])}</td>
                    <td className="num">{formatPct(r.volatilities[i])}</td>
                    <td className="num">{formatPct(r.run_returns[i])}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          {r.notes.map((n) => (
            <p key={n} className="notice small" role="note">
              {n}
            </p>
          ))}
        </div>
      )}
    </Section>
  );
}

/** The portfolio's equity, with each run rebased to the same start for reference. */
function CombinedChart({ report, labels, points }: { report: PortfolioReport; labels: string[]; points: EquityPoint[][] }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  useEffect(() => {
    if (!el.current) return;
    const c = chartColors(theme);
    const ch = makeChart(el.current, theme, { localization: { priceFormatter: (v: number) => formatCompact(v, report.currency) } });
    const start = report.start;
    points.forEach((pts, i) => {
      const from = pts.findIndex((p) => p.date.slice(0, 10) >= start);
      if (from < 0) return;
      const base = pts[from].equity;
      const s = ch.addSeries(LineSeries, { color: c.palette[i % c.palette.length], lineWidth: 1, lineStyle: 2, title: `${i + 1}`, priceLineVisible: false, lastValueVisible: false });
      const seen = new Set<string>();
      const data = [];
      for (const p of pts.slice(from)) {
        const d = p.date.slice(0, 10);
        if (d > report.end) break;
        if (seen.has(d)) data.pop(); // intraday: keep each date's last bar
        seen.add(d);
        data.push({ time: toChartTime(d), value: (report.initial_capital * p.equity) / base });
      }
      s.setData(data);
    });
    const port = ch.addSeries(LineSeries, { color: dark(theme) ? "#f0f6fc" : "#1f2328", lineWidth: 3, title: "portfolio", priceLineVisible: false });
    port.setData(report.equity_curve.map((p) => ({ time: toChartTime(p.date), value: p.equity })));
    const unfit = fitWhenSized(ch, el.current);
    return () => {
      unfit();
      ch.remove();
    };
  }, [report, points, theme]);
  const c = chartColors(theme);
  return (
    <div>
      <div className="chart-legend">
        <span>
          <span className="swatch" style={{ background: dark(theme) ? "#f0f6fc" : "#1f2328" }} /> portfolio
        </span>
        {labels.map((l, i) => (
          <span key={l}>
            <span className="swatch" style={{ background: c.palette[i % c.palette.length] }} /> {i + 1}. {l} (rebased, dashed)
          </span>
        ))}
      </div>
      <div ref={el} className="chart" data-testid="combine-chart" style={{ height: 340 }} role="img" aria-label="Combined portfolio equity" />
    </div>
  );
}

function dark(theme: string): boolean {
  return theme === "dark";
}
