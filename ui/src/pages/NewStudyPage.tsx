import { useEffect, useMemo, useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { api, metricsMeta } from "../api/client";
import type { Sampler, StrategyDetail, StudyRequest } from "../api/types";
import { initialForm, parseSymbols, validateForm, type BacktestFormState } from "../lib/backtestForm";
import { mapApiError } from "../lib/apiErrors";
import { useAsync } from "../lib/hooks";
import { buildRanges, gridSize, rangesFromFields, type RangeRow } from "../lib/optimize";
import { defaultValues, fieldsFromSchema, humanize, type ParamField } from "../lib/schemaForm";
import { ErrorBox, FieldError, Loading } from "../components/ui";
import { formatNumber } from "../lib/format";

const SAMPLERS: { value: Sampler; label: string }[] = [
  { value: "grid", label: "Grid (every combination; vectorised)" },
  { value: "tpe", label: "TPE (Bayesian, seeded)" },
  { value: "random", label: "Random (seeded)" },
  { value: "cmaes", label: "CMA-ES (numeric spaces)" },
  { value: "nsga2", label: "NSGA-II (several objectives)" },
];

export default function NewStudyPage() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const [form, setForm] = useState<BacktestFormState>(() => ({ ...initialForm(sp.get("strategy") ?? ""), costs_model: "none" }));
  const [rows, setRows] = useState<RangeRow[]>([]);
  const [sampler, setSampler] = useState<Sampler>("grid");
  const [objective, setObjective] = useState("sharpe");
  const [direction, setDirection] = useState<"maximize" | "minimize">("maximize");
  const [nTrials, setNTrials] = useState("100");
  const [seed, setSeed] = useState("0");
  const [minTrades, setMinTrades] = useState("1");
  const [holdout, setHoldout] = useState("");
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);

  const strategies = useAsync((s) => api.strategies({}, s), []);
  const markets = useAsync(() => api.markets(), []);
  const universes = useAsync(() => api.universes(), []);
  const metrics = useAsync(() => metricsMeta(), []);
  const detail = useAsync<StrategyDetail | null>(
    (s) => (form.strategy_name ? api.strategy(form.strategy_name, s) : Promise.resolve(null)),
    [form.strategy_name],
  );
  const fields: ParamField[] = useMemo(() => fieldsFromSchema(detail.data?.parameters), [detail.data]);
  useEffect(() => {
    setRows(rangesFromFields(fields));
    setForm((f) => ({ ...f, params: defaultValues(fields) }));
  }, [fields]);

  const marketUniverses = useMemo(() => (universes.data?.items ?? []).filter((u) => u.market === form.market), [universes.data, form.market]);
  useEffect(() => {
    if (!universes.data) return;
    if (form.universe && marketUniverses.some((u) => u.name === form.universe)) return;
    setForm((f) => ({ ...f, universe: marketUniverses[0]?.name ?? "" }));
  }, [marketUniverses, universes.data, form.universe]);

  const set = <K extends keyof BacktestFormState>(k: K, v: BacktestFormState[K]) => setForm((f) => ({ ...f, [k]: v }));
  const setRow = (name: string, patch: Partial<RangeRow>) => {
    setRows((rs) => rs.map((r) => (r.name === name ? { ...r, ...patch } : r)));
    setErrors((e) => {
      const n = { ...e };
      delete n[`param_ranges.${name}`];
      return n;
    });
  };
  const preview = useMemo(() => buildRanges(rows, sampler), [rows, sampler]);
  const size = sampler === "grid" ? gridSize(preview.ranges) : null;
  const objectiveMetrics = (metrics.data ?? []).filter((m) => m.unit !== ("flag" as never));

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const varied = new Set(rows.filter((r) => r.enabled).map((r) => r.name));
    const { body: base, errors: baseErrors } = validateForm(form, fields);
    const { ranges, errors: rangeErrors } = buildRanges(rows, sampler);
    const errs: Record<string, string> = { ...baseErrors, ...rangeErrors };
    const n = Number(nTrials);
    if (sampler !== "grid" && (!Number.isInteger(n) || n < 1)) errs.n_trials = "n_trials: a whole number of at least 1";
    const s = Number(seed);
    if (!Number.isInteger(s) || s < 0) errs.seed = "seed: a whole number ≥ 0";
    const mt = Number(minTrades);
    if (!Number.isInteger(mt) || mt < 0) errs.min_trades = "min_trades: a whole number ≥ 0";
    if (holdout && form.start_date && holdout <= form.start_date) errs.holdout_start = "holdout_start must be after start_date";
    if (holdout && form.end_date && holdout > form.end_date) errs.holdout_start = "holdout_start must be on or before end_date";
    if (!base || Object.keys(errs).length) {
      setErrors(errs);
      setFormError("Fix the highlighted fields.");
      return;
    }
    // only the parameters that do not vary are fixed
    const params = Object.fromEntries(Object.entries(base.params).filter(([k]) => !varied.has(k)));
    const body: StudyRequest = {
      ...base,
      params,
      param_ranges: ranges,
      objectives: [{ metric: objective, direction }],
      sampler,
      seed: s,
      min_trades: mt,
    };
    if (sampler !== "grid") body.n_trials = n;
    if (holdout) body.holdout_start = holdout;
    setErrors({});
    setSubmitting(true);
    try {
      const study = await api.createStudy(body);
      navigate(`/optimizations/${study.id}`);
    } catch (err) {
      const m = mapApiError(err);
      setErrors(m.fields);
      const loose = Object.entries(m.fields).map(([k, v]) => `${k}: ${v}`);
      setFormError([m.form, ...loose].filter(Boolean).join("; ") || "The API refused the study.");
    } finally {
      setSubmitting(false);
    }
  }

  if (strategies.error) return <div className="page"><ErrorBox error={strategies.error} onRetry={strategies.reload} /></div>;

  return (
    <div className="page">
      <div className="page-head">
        <h1>New optimisation study</h1>
        <p className="muted">
          Search a strategy's parameters for the best objective, then judge the winner with the overfitting panel (PBO, Deflated Sharpe, stability).
        </p>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label="New optimisation study">
        <div className="form-grid">
          <fieldset className="panel">
            <legend>Strategy and parameter ranges</legend>
            <div className="field">
              <label htmlFor="strategy">Strategy</label>
              <select id="strategy" data-testid="strategy-select" value={form.strategy_name} onChange={(e) => set("strategy_name", e.target.value)}>
                <option value="">— choose —</option>
                {(strategies.data?.items ?? []).map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({humanize(s.category)})
                  </option>
                ))}
              </select>
              <FieldError name="strategy_name" errors={errors} />
            </div>
            {detail.loading && form.strategy_name && !detail.data ? <Loading label="Loading parameters…" /> : null}
            {detail.error ? <ErrorBox error={detail.error} onRetry={detail.reload} /> : null}
            {rows.length > 0 && (
              <div className="table-wrap"><table className="table compact range-table" data-testid="range-table">
                <thead>
                  <tr>
                    <th>Vary</th>
                    <th>Parameter</th>
                    <th>Low</th>
                    <th>High</th>
                    <th>Step</th>
                    <th title="sample on a log scale (not for grids)">Log</th>
                  </tr>
                </thead>
                <tbody>
                  {rows.map((r) => (
                    <tr key={r.name} data-testid={`range-${r.name}`}>
                      <td>
                        <input type="checkbox" checked={r.enabled} aria-label={`vary ${r.name}`} data-testid={`range-${r.name}-vary`} onChange={(e) => setRow(r.name, { enabled: e.target.checked })} />
                      </td>
                      <td className="mono small" title={r.min !== undefined || r.max !== undefined ? `strategy bounds ${r.min ?? "−∞"} … ${r.max ?? "∞"}` : undefined}>
                        {r.name}
                        <FieldError name={`param_ranges.${r.name}`} errors={errors} />
                      </td>
                      {r.kind === "enum" || r.kind === "boolean" ? (
                        <td colSpan={4}>
                          <input aria-label={`${r.name} choices`} data-testid={`range-${r.name}-choices`} value={r.choices} disabled={!r.enabled} onChange={(e) => setRow(r.name, { choices: e.target.value })} />
                        </td>
                      ) : (
                        <>
                          <td>
                            <input type="number" step="any" aria-label={`${r.name} low`} data-testid={`range-${r.name}-low`} value={r.low} min={r.min} max={r.max} disabled={!r.enabled} onChange={(e) => setRow(r.name, { low: e.target.value })} />
                          </td>
                          <td>
                            <input type="number" step="any" aria-label={`${r.name} high`} data-testid={`range-${r.name}-high`} value={r.high} min={r.min} max={r.max} disabled={!r.enabled} onChange={(e) => setRow(r.name, { high: e.target.value })} />
                          </td>
                          <td>
                            <input type="number" step="any" aria-label={`${r.name} step`} data-testid={`range-${r.name}-step`} value={r.step} placeholder="none" disabled={!r.enabled} onChange={(e) => setRow(r.name, { step: e.target.value })} />
                          </td>
                          <td>
                            <input type="checkbox" aria-label={`${r.name} log scale`} checked={r.log} disabled={!r.enabled} onChange={(e) => setRow(r.name, { log: e.target.checked })} />
                          </td>
                        </>
                      )}
                    </tr>
                  ))}
                </tbody>
              </table></div>
            )}
            <FieldError name="param_ranges" errors={errors} />
            <p className="hint" data-testid="grid-size">
              Pre-filled with the strategy's own bounds; narrow them. Parameters not varied keep their defaults.
              {size !== null && <> Grid: <strong>{formatNumber(size, 0)}</strong> combinations.</>}
            </p>
          </fieldset>

          <fieldset className="panel">
            <legend>Search</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor="sampler">Sampler</label>
                <select id="sampler" data-testid="sampler-select" value={sampler} onChange={(e) => setSampler(e.target.value as Sampler)}>
                  {SAMPLERS.map((s) => (
                    <option key={s.value} value={s.value}>
                      {s.label}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <label htmlFor="n-trials">Trials</label>
                <input id="n-trials" type="number" min={1} step={1} data-testid="n-trials" value={sampler === "grid" ? "" : nTrials} placeholder={sampler === "grid" ? "all grid points" : ""} disabled={sampler === "grid"} onChange={(e) => setNTrials(e.target.value)} />
                <FieldError name="n_trials" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="seed">Seed</label>
                <input id="seed" type="number" min={0} step={1} data-testid="seed-input" value={seed} onChange={(e) => setSeed(e.target.value)} />
                <FieldError name="seed" errors={errors} />
              </div>
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor="objective">Objective</label>
                <select id="objective" data-testid="objective-select" value={objective} onChange={(e) => {
                  setObjective(e.target.value);
                  const m = objectiveMetrics.find((x) => x.key === e.target.value);
                  if (m && m.higher_is_better !== null) setDirection(m.higher_is_better ? "maximize" : "minimize");
                }}>
                  {(objectiveMetrics.length ? objectiveMetrics : [{ key: "sharpe", label: "Sharpe" }]).map((m) => (
                    <option key={m.key} value={m.key}>
                      {m.label} ({m.key})
                    </option>
                  ))}
                </select>
                <FieldError name="objectives" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="direction">Direction</label>
                <select id="direction" data-testid="direction-select" value={direction} onChange={(e) => setDirection(e.target.value as "maximize" | "minimize")}>
                  <option value="maximize">Maximise</option>
                  <option value="minimize">Minimise</option>
                </select>
              </div>
              <div className="field">
                <label htmlFor="min-trades">Min trades</label>
                <input id="min-trades" type="number" min={0} step={1} data-testid="min-trades" value={minTrades} onChange={(e) => setMinTrades(e.target.value)} />
                <FieldError name="min_trades" errors={errors} />
              </div>
            </div>
            <div className="field">
              <label htmlFor="holdout">Hold-out start</label>
              <input id="holdout" type="date" data-testid="holdout-start" value={holdout} onChange={(e) => setHoldout(e.target.value)} />
              <FieldError name="holdout_start" errors={errors} />
              <p className="hint">Optional: optimise before this date, then run the best parameters from it (out of sample).</p>
            </div>
          </fieldset>

          <fieldset className="panel">
            <legend>Data</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor="market">Market</label>
                <select id="market" data-testid="market-select" value={form.market} onChange={(e) => set("market", e.target.value)}>
                  {(markets.data ?? [{ code: "US", name: "United States", currency: "USD" }]).map((m) => (
                    <option key={m.code} value={m.code}>
                      {m.code} — {m.name}
                    </option>
                  ))}
                </select>
              </div>
              <div className="field">
                <span className="label" id="target-label">Trade</span>
                <div className="segmented" role="radiogroup" aria-labelledby="target-label">
                  <label>
                    <input type="radio" name="target" data-testid="target-universe" checked={form.target === "universe"} onChange={() => set("target", "universe")} /> a universe
                  </label>
                  <label>
                    <input type="radio" name="target" data-testid="target-symbols" checked={form.target === "symbols"} onChange={() => set("target", "symbols")} /> symbols
                  </label>
                </div>
              </div>
            </div>
            {form.target === "universe" ? (
              <div className="field">
                <label htmlFor="universe">Universe</label>
                <select id="universe" data-testid="universe-select" value={form.universe} onChange={(e) => set("universe", e.target.value)}>
                  {marketUniverses.map((u) => (
                    <option key={u.name} value={u.name}>
                      {u.name} ({u.size} symbols)
                    </option>
                  ))}
                </select>
                <FieldError name="universe" errors={errors} />
              </div>
            ) : (
              <div className="field">
                <label htmlFor="symbols">Symbols</label>
                <input id="symbols" data-testid="symbols-input" placeholder="AAPL, MSFT" value={form.symbols} onChange={(e) => set("symbols", e.target.value)} />
                <FieldError name="symbols" errors={errors} />
                <p className="hint">{parseSymbols(form.symbols).length} symbol(s)</p>
              </div>
            )}
            <div className="field-row">
              <div className="field">
                <label htmlFor="start">Start date</label>
                <input id="start" type="date" data-testid="start-date" value={form.start_date} onChange={(e) => set("start_date", e.target.value)} />
                <FieldError name="start_date" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="end">End date</label>
                <input id="end" type="date" data-testid="end-date" value={form.end_date} onChange={(e) => set("end_date", e.target.value)} />
                <FieldError name="end_date" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="costs">Costs</label>
                <select id="costs" data-testid="costs-model" value={form.costs_model} onChange={(e) => set("costs_model", e.target.value as "market" | "none")}>
                  <option value="market">Market's fee schedule</option>
                  <option value="none">No costs</option>
                </select>
              </div>
            </div>
          </fieldset>
        </div>
        {formError && (
          <div className="form-error" data-testid="form-error" role="alert" tabIndex={-1}>
            {formError}
          </div>
        )}
        <div className="form-actions">
          <button type="submit" className="btn btn-primary btn-large" data-testid="submit-study" disabled={submitting || !form.strategy_name}>
            {submitting ? "Starting…" : "Start study"}
          </button>
          <span className="muted small">Validated here first, then by the API (bounds, objective, grid size, data).</span>
        </div>
      </form>
    </div>
  );
}
