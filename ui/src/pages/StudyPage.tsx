import { useCallback, useEffect, useMemo, useRef, useState, type MouseEvent } from "react";
import { useNavigate, useParams } from "react-router";
import { allStudyTrials, api, metricsMeta, studyExportUrl } from "../api/client";
import { TERMINAL, type Importance, type MetricMeta, type Overfitting, type Page, type RunStatus, type Study, type Trial } from "../api/types";
import { getToken, withAuth } from "../lib/auth";
import { formatDateTime, formatDuration, formatMetric, formatNumber, formatPct } from "../lib/format";
import { heatmap, history, importance, IMPORTANCE_HELP, slice, trialValue } from "../lib/optimize";
import { useStudyEvents } from "../lib/studyEvents";
import { ErrorBox, Loading, Pager, Section, StatusBadge, errorText } from "../components/ui";
import { HeatmapPlot, HistoryChart, SlicePlot } from "../components/StudyCharts";

const PAGE = 25;

export default function StudyPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [study, setStudy] = useState<Study | null>(null);
  const [error, setError] = useState<unknown>(null);
  const [trials, setTrials] = useState<Trial[]>([]);
  const [page, setPage] = useState<Page<Trial> | null>(null);
  const [q, setQ] = useState({ offset: 0, sort: "number" });
  const [tick, setTick] = useState(0);
  const [apiImportance, setApiImportance] = useState<Importance | null>(null);
  const [meta, setMeta] = useState<MetricMeta[]>([]);
  const [busy, setBusy] = useState<string | null>(null);
  const [actionError, setActionError] = useState<string | null>(null);
  const [sliceParam, setSliceParam] = useState("");
  const [hx, setHx] = useState("");
  const [hy, setHy] = useState("");

  useEffect(() => {
    metricsMeta().then(setMeta, () => {});
  }, []);

  // the study and every trial (for the charts); again on each (throttled) live update
  useEffect(() => {
    const ac = new AbortController();
    api.study(id, ac.signal).then(
      (s) => !ac.signal.aborted && (setStudy(s), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    allStudyTrials(id, ac.signal).then((t) => !ac.signal.aborted && setTrials(t), () => {});
    return () => ac.abort();
  }, [id, tick]);

  // the table's page (server-side paging and sorting, true total)
  useEffect(() => {
    const ac = new AbortController();
    api.trials(id, { limit: PAGE, offset: q.offset, sort: q.sort }, ac.signal).then((p) => !ac.signal.aborted && setPage(p), () => {});
    return () => ac.abort();
  }, [id, q, tick]);

  const status = study?.status;
  const active = status === "queued" || status === "running";
  const last = useRef(0);
  const pending = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);
  const onChange = useCallback((terminal: RunStatus | null) => {
    clearTimeout(pending.current);
    const now = Date.now();
    if (terminal || now - last.current > 800) {
      last.current = now;
      setTick((t) => t + 1);
    } else {
      pending.current = setTimeout(() => {
        last.current = Date.now();
        setTick((t) => t + 1);
      }, 800);
    }
  }, []);
  useEffect(() => () => clearTimeout(pending.current), []);
  const live = useStudyEvents(id, Boolean(active), onChange);

  useEffect(() => {
    if (status !== "completed") return;
    const ac = new AbortController();
    api.importance(id, ac.signal).then((x) => !ac.signal.aborted && setApiImportance(x), () => setApiImportance(null));
    return () => ac.abort();
  }, [id, status]);

  const params = useMemo(() => Object.keys((study?.spec?.param_ranges as Record<string, unknown> | null) ?? trials[0]?.params ?? {}), [study, trials]);
  useEffect(() => {
    if (!params.length) return;
    if (!params.includes(sliceParam)) setSliceParam(params[0]);
    if (!params.includes(hx)) setHx(params[0]);
    if (!params.includes(hy) || hy === hx) setHy(params[1] ?? params[0]);
  }, [params, sliceParam, hx, hy]);

  const direction = study?.objectives[0]?.direction ?? "maximize";
  const metric = study?.objectives[0]?.metric ?? "value";
  const hist = useMemo(() => history(trials, direction), [trials, direction]);
  const clientImportance = useMemo(() => importance(trials, params), [trials, params]);
  const sl = useMemo(() => (sliceParam ? slice(trials, sliceParam) : []), [trials, sliceParam]);
  // a grid: one cell per value (up to 20); sampled values: about sqrt(trials) equal-width bins
  const bins = study?.sampler === "grid" ? 20 : Math.min(12, Math.max(3, Math.round(Math.sqrt(hist.length))));
  const hm = useMemo(() => (hx && hy ? heatmap(trials, hx, hy, direction, 0, bins) : null), [trials, hx, hy, direction, bins]);
  // the API names the best trial when the study completes; before (or once cancelled), the best so far
  const bestSoFar = useMemo(() => {
    const last = hist[hist.length - 1];
    return last ? hist.find((p) => p.value === last.best) ?? null : null;
  }, [hist]);

  if (error) return <div className="page"><ErrorBox error={error} /></div>;
  if (!study) return <div className="page"><Loading label="Loading study…" /></div>;

  const done = live.trialsDone ?? study.trials_done;
  const total = live.nTrials ?? study.n_trials;
  const percent = status === "completed" ? 100 : total ? Math.round((100 * done) / total) : 0;
  const metaOf = (k: string) => meta.find((m) => m.key === k);
  const fmtValue = (v: number | null | undefined) => formatMetric(v ?? null, metaOf(metric)?.unit, "USD", metric);

  async function act(name: string, fn: () => Promise<unknown>) {
    setBusy(name);
    setActionError(null);
    try {
      await fn();
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  const imp = apiImportance && Object.keys(apiImportance.importances).length ? apiImportance.importances : clientImportance;
  const impHelp = apiImportance
    ? `From the API: Optuna's PED-ANOVA importance over ${apiImportance.trials} complete trials (how differently each parameter is distributed among the top trials than among all of them), scaled to sum to 1.`
    : IMPORTANCE_HELP;

  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Study <span className="mono">{study.id.slice(0, 8)}</span> · {study.strategy_name}{" "}
          <StatusBadge status={live.status && !TERMINAL.includes(status as RunStatus) ? live.status : study.status} testId="study-status" />
        </h1>
        <p className="muted">
          {study.sampler} sampler · {direction === "maximize" ? "maximise" : "minimise"} <span className="mono">{metric}</span> · {study.market}{" "}
          {study.universe ?? study.symbols.join(", ")} · created {formatDateTime(study.created_at)}
          {study.elapsed_s != null && <> · {formatDuration(study.elapsed_s)}</>}
        </p>
        <div className="form-actions">
          {active && (
            <button type="button" className="btn" data-testid="cancel-study" disabled={busy !== null} onClick={() => act("cancel", async () => setStudy(await api.cancelStudy(id)))}>
              Cancel
            </button>
          )}
          <button
            type="button"
            className="btn btn-primary"
            data-testid="open-best-run"
            disabled={busy !== null || (study.best_trial === null && !bestSoFar)}
            title="Run the best trial's parameters as a normal backtest (whole period, hold-out included)"
            onClick={() =>
              act("best", async () => navigate(`/runs/${(await api.bestRun(id, study.best_trial === null ? bestSoFar?.number : undefined)).id}`))
            }
          >
            {busy === "best" ? "Starting…" : "Open best trial as a backtest run"}
          </button>
          {!active && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="delete-study"
              disabled={busy !== null}
              onClick={() => {
                if (window.confirm("Delete this study and its trials?")) act("delete", async () => (await api.removeStudy(id), navigate("/optimizations")));
              }}
            >
              Delete
            </button>
          )}
          <span className="muted small">Export:</span>
          <ExportLink id={id} what="trials" format="csv" />
          <ExportLink id={id} what="trials" format="parquet" />
          <ExportLink id={id} what="returns" format="csv" disabled={status !== "completed"} />
          <ExportLink id={id} what="returns" format="parquet" disabled={status !== "completed"} />
        </div>
        {actionError && <div className="form-error" role="alert" data-testid="action-error">{actionError}</div>}
        {study.error && <div className="form-error" role="alert">{study.error_code}: {study.error}</div>}
      </div>

      <Section title="Progress" testId="study-progress">
        <div className="progress-row">
          <div className="progress" data-testid="study-progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label="Study progress">
            <div className={`progress-fill status-${status}`} style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-percent strong" data-testid="trials-done">
            {done} / {total} trials
          </span>
        </div>
        {study.best_trial === null && bestSoFar && (
          <p data-testid="best-summary">
            Best so far: trial <strong>#{bestSoFar.number}</strong>, {metric} <strong>{fmtValue(bestSoFar.value)}</strong> with{" "}
            <span className="mono">
              {Object.entries(trials.find((t) => t.number === bestSoFar.number)?.params ?? {})
                .map(([k, v]) => `${k}=${String(v)}`)
                .join(", ")}
            </span>
          </p>
        )}
        {study.best_trial !== null && (
          <p data-testid="best-summary">
            Best: trial <strong>#{study.best_trial}</strong>, {metric} <strong>{fmtValue(study.best_value)}</strong> with{" "}
            <span className="mono">{Object.entries(study.best_params ?? {}).map(([k, v]) => `${k}=${String(v)}`).join(", ")}</span>
          </p>
        )}
      </Section>

      <OverfittingPanel of={study.overfitting} status={study.status} holdout={study.holdout} />

      <div className="study-grid">
        <Section title="Optimisation history" testId="history-panel">
          {hist.length ? <HistoryChart points={hist} /> : <p className="muted">No complete trial yet.</p>}
          <p className="hint">Dots: {metric} per complete trial; line: the best so far.</p>
        </Section>
        <Section
          title={
            <span title={impHelp} data-testid="importance-help">
              Parameter importance <span className="help-mark" aria-hidden="true">?</span>
            </span>
          }
          testId="importance-panel"
        >
          <div className="importance" title={impHelp}>
            {params.map((p) => (
              <div key={p} className="importance-row" data-testid={`importance-${p}`}>
                <span className="mono small importance-name">{p}</span>
                <span className="importance-track">
                  <span className="importance-bar" style={{ width: `${Math.round(100 * (imp[p] ?? 0))}%` }} />
                </span>
                <span className="small importance-value">{formatPct(imp[p] ?? 0, 0)}</span>
              </div>
            ))}
          </div>
          <p className="hint">{apiImportance ? "PED-ANOVA (Optuna), from the API." : "Variance explained (η²), computed here from the trials."} Hover for how.</p>
        </Section>
      </div>

      <div className="study-grid">
        <Section
          title="Slice"
          testId="slice-panel"
          actions={
            <select aria-label="slice parameter" data-testid="slice-param" value={sliceParam} onChange={(e) => setSliceParam(e.target.value)}>
              {params.map((p) => (
                <option key={p}>{p}</option>
              ))}
            </select>
          }
        >
          {sl.length ? <SlicePlot points={sl} param={sliceParam} /> : <p className="muted">No complete trial yet.</p>}
        </Section>
        <Section
          title="Heatmap"
          testId="heatmap-panel"
          actions={
            <>
              <select aria-label="heatmap x parameter" data-testid="heatmap-x" value={hx} onChange={(e) => setHx(e.target.value)}>
                {params.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
              ×
              <select aria-label="heatmap y parameter" data-testid="heatmap-y" value={hy} onChange={(e) => setHy(e.target.value)}>
                {params.map((p) => (
                  <option key={p}>{p}</option>
                ))}
              </select>
            </>
          }
        >
          {hm && hm.min !== null ? <HeatmapPlot map={hm} px={hx} py={hy} direction={direction} /> : <p className="muted">No complete trial yet.</p>}
          <p className="hint">The best {metric} per cell; green is better. Many distinct values are grouped into equal-width bins.</p>
        </Section>
      </div>

      <Section title={<>Trials <span className="muted small" data-testid="trials-total">{page?.total ?? 0} in all</span></>} testId="trials-panel">
        <TrialsTable page={page} params={params} metric={metric} fmtValue={fmtValue} best={study.best_trial} sort={q.sort} onSort={(sort) => setQ({ offset: 0, sort })} />
        {page && page.total > PAGE && <Pager offset={q.offset} limit={PAGE} total={page.total} prefix="trials" onChange={(offset) => setQ((x) => ({ ...x, offset }))} />}
      </Section>
    </div>
  );
}

function ExportLink({ id, what, format, disabled }: { id: string; what: "trials" | "returns"; format: "csv" | "parquet"; disabled?: boolean }) {
  const url = studyExportUrl(id, what, format);
  const click = async (e: MouseEvent<HTMLAnchorElement>) => {
    if (disabled) return e.preventDefault();
    if (!getToken()) return; // a plain download
    e.preventDefault(); // with a token: the bearer header, then a blob
    const res = await fetch(url, withAuth());
    const blob = await res.blob();
    const a = document.createElement("a");
    a.href = URL.createObjectURL(blob);
    a.download = `optimization-${id}-${what}.${format}`;
    a.click();
    setTimeout(() => URL.revokeObjectURL(a.href), 1000);
  };
  return (
    <a
      className={"btn btn-small" + (disabled ? " disabled" : "")}
      href={url}
      onClick={click}
      aria-disabled={disabled}
      data-testid={`export-${what}-${format}`}
      title={what === "trials" ? "one row per trial: parameters, objective, every metric" : "trials × periods daily returns (what PBO and DSR are computed from); written when the study completes"}
    >
      {what} .{format}
    </a>
  );
}

const SORTS: { key: string; label: string }[] = [
  { key: "number", label: "#" },
  { key: "state", label: "State" },
  { key: "value", label: "Objective" },
  { key: "metric:trade_count", label: "Trades" },
  { key: "duration_ms", label: "ms" },
];

function TrialsTable({
  page,
  params,
  metric,
  fmtValue,
  best,
  sort,
  onSort,
}: {
  page: Page<Trial> | null;
  params: string[];
  metric: string;
  fmtValue: (v: number | null) => string;
  best: number | null;
  sort: string;
  onSort: (s: string) => void;
}) {
  if (!page) return <Loading label="Loading trials…" />;
  const head = (key: string, label: string) => {
    const on = sort === key || sort === `-${key}`;
    const desc = sort === `-${key}`;
    return (
      <th key={key} className="num" aria-sort={on ? (desc ? "descending" : "ascending") : "none"}>
        <button type="button" className="th-sort" data-testid={`sort-${key}`} onClick={() => onSort(on && !desc ? `-${key}` : key)}>
          {label} {on ? (desc ? "▼" : "▲") : ""}
        </button>
      </th>
    );
  };
  return (
    <div className="table-wrap">
      <table className="table compact" data-testid="trials-table">
        <thead>
          <tr>
            {head("number", "#")}
            {head("state", "State")}
            {params.map((p) => (
              <th key={p} className="num mono small">
                {p}
              </th>
            ))}
            {head("value", metric)}
            {SORTS.slice(3).map((s) => head(s.key, s.label))}
          </tr>
        </thead>
        <tbody>
          {page.items.map((t) => (
            <tr key={t.number} data-testid="trial-row" className={t.number === best ? "row-best" : undefined}>
              <td className="num mono">{t.number}{t.number === best ? " ★" : ""}</td>
              <td className="small">{t.state.replace(/_/g, " ")}</td>
              {params.map((p) => (
                <td key={p} className="num mono">
                  {String(t.params[p] ?? "")}
                </td>
              ))}
              <td className="num">{fmtValue(trialValue(t))}</td>
              <td className="num">{formatNumber((t.metrics.trade_count as number | undefined) ?? null, 0, null)}</td>
              <td className="num muted">{formatNumber(t.duration_ms, 0, null)}</td>
            </tr>
          ))}
          {!page.items.length && (
            <tr>
              <td colSpan={params.length + 5} className="muted">
                No trials yet.
              </td>
            </tr>
          )}
        </tbody>
      </table>
    </div>
  );
}

const fmt = (v: number | null | undefined, d = 2) => formatNumber(v ?? null, d, null);

function OverfittingPanel({ of, status, holdout }: { of: Overfitting | null; status: string; holdout: Record<string, unknown> | null }) {
  if (!of)
    return (
      <Section title="Overfitting" testId="overfitting-panel">
        <p className="muted">{status === "completed" ? "No overfitting statistics (too few complete trials)." : "Computed when the study completes."}</p>
      </Section>
    );
  const verdictClass = of.verdict === "low" ? "badge-ok" : of.verdict === "high" || of.verdict === "moderate" ? "badge-warn" : "";
  const stats: [string, string, string][] = [
    ["score", fmt(of.score), "0: no sign of luck … 1: all luck; summarises the statistics below"],
    ["pbo", fmt(of.pbo), "probability of backtest overfitting (CSCV): how often the in-sample best ranks below the median out of sample"],
    ["dsr", fmt(of.dsr), "Deflated Sharpe Ratio: probability the best Sharpe beats what luck reaches with this many trials"],
    ["psr", fmt(of.psr), "Probabilistic Sharpe Ratio: probability the true Sharpe is above 0"],
    ["min_track_record", of.min_track_record == null ? "∞" : `${fmt(of.min_track_record, 0)} periods`, "minimum track record length for the Sharpe to be significant"],
    ["stability", fmt(of.stability), "how much of the objective survives in the best point's neighbourhood (1: flat plateau)"],
    ["degradation", fmt(of.degradation), "hold-out / in-sample objective"],
    ["n_trials", fmt(of.n_trials, 0), "trials the deflation accounts for"],
  ];
  return (
    <Section
      title={
        <>
          Overfitting{" "}
          <span className={`badge ${verdictClass}`} data-testid="overfitting-verdict">
            {of.verdict ?? "unknown"} risk
          </span>
        </>
      }
      testId="overfitting-panel"
    >
      <div className="metric-grid">
        {stats.map(([k, v, help]) => (
          <div key={k} className="metric-card" title={help} data-testid={`of-${k}`}>
            <div className="metric-label">{k.replace(/_/g, " ")}</div>
            <div className="metric-value">{v}</div>
          </div>
        ))}
      </div>
      {Object.keys(of.bootstrap).length > 0 && (
        <table className="table compact" data-testid="bootstrap-table">
          <thead>
            <tr>
              <th>Bootstrap 95% interval (block, seeded)</th>
              <th className="num">low</th>
              <th className="num">estimate</th>
              <th className="num">high</th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(of.bootstrap).map(([k, iv]) => (
              <tr key={k}>
                <td className="mono small">{k}</td>
                <td className="num">{fmt(iv.low, 3)}</td>
                <td className="num">{fmt(iv.estimate, 3)}</td>
                <td className="num">{fmt(iv.high, 3)}</td>
              </tr>
            ))}
          </tbody>
        </table>
      )}
      {holdout && holdout.out_of_sample !== undefined && (
        <p className="small" data-testid="holdout-line">
          Hold-out from {String(holdout.start)}: {String(holdout.metric)} in sample {fmt(holdout.in_sample as number)}, out of sample {fmt(holdout.out_of_sample as number)}.
        </p>
      )}
      <ul className="explanation" data-testid="overfitting-explanation">
        {of.explanation.map((line, i) => (
          <li key={i}>{line}</li>
        ))}
      </ul>
      <p className="hint">
        Formulas and papers: docs/overfitting.md in the repository.
      </p>
    </Section>
  );
}
