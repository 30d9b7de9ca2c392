import { useEffect, useMemo, useRef, useState, type FormEvent } from "react";
import { useNavigate, useSearchParams } from "react-router";
import { api } from "../api/client";
import type { Run, StrategyDetail, SymbolInfo } from "../api/types";
import {
  defaultCapital,
  defaultMaxPositions,
  initialForm,
  MANY_POSITIONS,
  MANY_SYMBOLS,
  parseSymbols,
  PRODUCT_MARKETS,
  SIZING_MODES,
  validateForm,
  type BacktestFormState,
} from "../lib/backtestForm";
import { mapApiError } from "../lib/apiErrors";
import { useAsync } from "../lib/hooks";
import { boundsText, defaultValues, fieldsFromSchema, humanize, type ParamField } from "../lib/schemaForm";
import { ErrorBox, FieldError, Loading, SyntheticBadge } from "../components/ui";
import { formatCurrency, formatDate, formatNumber } from "../lib/format";

/** Error keys this form shows next to a field; anything else goes to the form-level message. */
const FIELD_KEYS = new Set([
  "strategy_name",
  "market",
  "universe",
  "symbols",
  "start_date",
  "end_date",
  "initial_capital",
  "sizing",
  "sizing.mode",
  "sizing.value",
  "sizing.fractional",
  "max_positions",
  "portfolio",
  "costs",
  "costs.model",
  "costs.product",
  "slippage_bps",
  "fill",
  "adjustment",
  "benchmark",
]);

export default function NewBacktestPage() {
  const [sp] = useSearchParams();
  const navigate = useNavigate();
  const [form, setForm] = useState<BacktestFormState>(() => initialForm(sp.get("strategy") ?? ""));
  const [errors, setErrors] = useState<Record<string, string>>({});
  const [formError, setFormError] = useState<string | null>(null);
  const [submitting, setSubmitting] = useState(false);
  const fromRun = sp.get("from");
  const pendingRun = useRef<Run | null>(null);
  const [paramsFor, setParamsFor] = useState<string | null>(null);
  // capital and max positions follow the market and universe until someone types their own
  const touched = useRef({ capital: Boolean(fromRun), maxpos: Boolean(fromRun) });

  const strategies = useAsync((s) => api.strategies({}, s), []);
  const markets = useAsync(() => api.markets(), []);
  const universes = useAsync(() => api.universes(), []);
  const symbols = useAsync(() => api.symbols(form.market), [form.market]);
  const detail = useAsync<StrategyDetail | null>(
    (s) => (form.strategy_name ? api.strategy(form.strategy_name, s) : Promise.resolve(null)),
    [form.strategy_name],
  );
  const fields: ParamField[] = useMemo(() => fieldsFromSchema(detail.data?.parameters), [detail.data]);

  // pre-fill from an earlier run (?from=id)
  useEffect(() => {
    if (!fromRun) return;
    api.run(fromRun).then((r) => {
      pendingRun.current = r;
      const c = r.config as Record<string, any>;
      setForm((f) => ({
        ...f,
        strategy_name: r.strategy_name,
        market: r.market,
        target: r.universe ? "universe" : "symbols",
        universe: r.universe ?? "",
        symbols: (r.symbols ?? []).join(", "),
        start_date: c.start_date ?? "",
        end_date: c.end_date ?? "",
        initial_capital: String(c.initial_capital ?? 100000),
        sizing_mode: c.sizing?.mode ?? "equal_slots",
        sizing_value: c.sizing?.value != null ? String(c.sizing.value) : "",
        sizing_fractional: Boolean(c.sizing?.fractional),
        max_positions: c.max_positions != null ? String(c.max_positions) : "",
        portfolio: c.portfolio ?? "shared",
        costs_model: c.costs?.model ?? "market",
        costs_product: c.costs?.product ?? "delivery",
        slippage_bps: String(c.slippage_bps ?? 0),
        fill: c.fill ?? "next_open",
        adjustment: c.adjustment ?? "events",
        benchmark: c.benchmark ?? "",
      }));
    }, () => {});
  }, [fromRun]);

  // parameter defaults whenever the strategy changes (or the run's params when pre-filling)
  useEffect(() => {
    if (!detail.data) return;
    const defaults = defaultValues(fields);
    const r = pendingRun.current;
    if (r && r.strategy_name === detail.data.name && r.params) {
      for (const [k, v] of Object.entries(r.params)) if (k in defaults) defaults[k] = typeof v === "boolean" ? v : String(v);
      pendingRun.current = null;
    }
    setForm((f) => ({ ...f, params: defaults }));
    setParamsFor(detail.data.name);
  }, [detail.data, fields]);

  // a universe of the chosen market by default
  const marketUniverses = useMemo(
    () => (universes.data?.items ?? []).filter((u) => u.market === form.market),
    [universes.data, form.market],
  );
  useEffect(() => {
    if (!universes.data) return;
    if (form.universe && marketUniverses.some((u) => u.name === form.universe)) return;
    setForm((f) => ({ ...f, universe: marketUniverses[0]?.name ?? "" }));
  }, [marketUniverses, universes.data, form.universe]);

  const set = <K extends keyof BacktestFormState>(k: K, v: BacktestFormState[K]) => {
    setForm((f) => ({ ...f, [k]: v }));
    if (k === "initial_capital") touched.current.capital = true;
    if (k === "max_positions") touched.current.maxpos = true;
    if (k === "strategy_name") {
      // another strategy: the last answer's banner and parameter errors no longer apply
      setFormError(null);
      setErrors((e) => Object.fromEntries(Object.entries(e).filter(([key]) => !key.startsWith("params.") && key !== "strategy_name")));
    }
    const apiKey = k === "sizing_mode" ? "sizing.mode" : k === "sizing_value" ? "sizing.value" : k === "costs_model" ? "costs.model" : (k as string);
    if (errors[apiKey] || (k.startsWith("sizing") && errors.sizing)) {
      setErrors((e) => {
        const n = { ...e };
        delete n[apiKey];
        if (k.startsWith("sizing")) delete n.sizing;
        return n;
      });
    }
  };
  const setParam = (name: string, v: string | boolean) => {
    setForm((f) => ({ ...f, params: { ...f.params, [name]: v } }));
    if (errors[`params.${name}`])
      setErrors((e) => {
        const n = { ...e };
        delete n[`params.${name}`];
        return n;
      });
  };

  const symbolMap = useMemo(() => new Map((symbols.data?.items ?? []).map((s) => [s.symbol, s])), [symbols.data]);
  const chosenSymbols: string[] = useMemo(() => {
    if (form.target === "symbols") return parseSymbols(form.symbols);
    return marketUniverses.find((u) => u.name === form.universe)?.symbols ?? [];
  }, [form.target, form.symbols, form.universe, marketUniverses]);
  const currency = markets.data?.find((m) => m.code === form.market)?.currency ?? "USD";
  const marketCapital = defaultCapital(form.market, markets.data);
  const universe = marketUniverses.find((u) => u.name === form.universe);

  // the market's default capital, and a delivery/intraday choice only where fees differ
  useEffect(() => {
    setForm((f) => {
      const capital = defaultCapital(f.market, markets.data);
      return {
        ...f,
        initial_capital: touched.current.capital || capital === undefined ? f.initial_capital : String(capital),
        costs_product: PRODUCT_MARKETS.has(f.market) ? f.costs_product : "delivery",
      };
    });
  }, [form.market, markets.data]);
  // 10 positions for a universe of more than 10 symbols, else one slot per symbol
  const nChosen = chosenSymbols.length;
  useEffect(() => {
    if (touched.current.maxpos) return;
    setForm((f) => ({ ...f, max_positions: defaultMaxPositions(f.target, nChosen) }));
  }, [form.target, nChosen]);

  function focusFirstError(errs: Record<string, string>) {
    const first = Object.keys(errs)[0];
    if (!first) return;
    requestAnimationFrame(() => {
      const el =
        [...document.querySelectorAll<HTMLElement>("[data-error-key]")].find((x) => x.dataset.errorKey === first) ??
        document.querySelector<HTMLElement>(`[data-testid="form-error"]`);
      el?.focus();
    });
  }

  async function submit(e: FormEvent) {
    e.preventDefault();
    setFormError(null);
    const { body, errors: errs } = validateForm(form, fields);
    if (!body) {
      setErrors(errs);
      const loose = Object.entries(errs).filter(([k]) => !FIELD_KEYS.has(k) && !k.startsWith("params."));
      setFormError(loose.length ? loose.map(([k, v]) => `${k}: ${v}`).join("; ") : "Fix the highlighted fields.");
      focusFirstError(errs);
      return;
    }
    setErrors({});
    setSubmitting(true);
    try {
      const run = await api.createBacktest(body);
      navigate(`/runs/${run.id}`);
    } catch (err) {
      const m = mapApiError(err);
      const fieldsOut: Record<string, string> = {};
      const loose: string[] = [];
      for (const [k, v] of Object.entries(m.fields)) {
        // model-level symbol/date errors show next to whichever target is in use
        if (k.startsWith("params.") && fields.some((f) => `params.${f.name}` === k)) fieldsOut[k] = v;
        else if (FIELD_KEYS.has(k)) fieldsOut[k] = v;
        else loose.push(`${k}: ${v}`);
      }
      if (m.form) loose.unshift(m.form);
      setErrors(fieldsOut);
      setFormError(loose.length ? loose.join("; ") : Object.keys(fieldsOut).length ? "The API rejected the highlighted fields." : null);
      focusFirstError(fieldsOut);
    } finally {
      setSubmitting(false);
    }
  }

  if (strategies.error) return <div className="page"><ErrorBox error={strategies.error} onRetry={strategies.reload} /></div>;

  const inv = (k: string) => (errors[k] ? { "aria-invalid": true as const, "aria-describedby": `error-${k}`, "data-error-key": k } : { "data-error-key": k });

  return (
    <div className="page">
      <div className="page-head">
        <h1>New backtest</h1>
        <p className="muted">Choose a strategy and its parameters, the data, and the trading assumptions. Enter submits.</p>
      </div>
      <form className="form" onSubmit={submit} noValidate aria-label="New backtest">
        <div className="form-grid">
          <fieldset className="panel">
            <legend>Strategy</legend>
            <div className="field">
              <label htmlFor="strategy">Strategy</label>
              <select
                id="strategy"
                data-testid="strategy-select"
                value={form.strategy_name}
                onChange={(e) => set("strategy_name", e.target.value)}
                {...inv("strategy_name")}
              >
                <option value="">— choose —</option>
                {(strategies.data?.items ?? []).map((s) => (
                  <option key={s.name} value={s.name}>
                    {s.name} ({humanize(s.category)})
                  </option>
                ))}
              </select>
              <FieldError name="strategy_name" errors={errors} />
              {detail.data && <p className="hint">{detail.data.description}</p>}
            </div>
            {detail.loading && form.strategy_name && !detail.data ? <Loading label="Loading parameters…" /> : null}
            {detail.error ? <ErrorBox error={detail.error} /> : null}
            {detail.data && fields.length === 0 && <p className="muted">No parameters.</p>}
            <div className="param-grid">
              {detail.data &&
                paramsFor === detail.data.name &&
                detail.data.name === form.strategy_name &&
                fields.map((f) => (
                  <ParamInput key={`${detail.data!.name}.${f.name}`} field={f} value={form.params[f.name]} onChange={(v) => setParam(f.name, v)} errors={errors} />
                ))}
            </div>
            {detail.data && detail.data.requires.length > 0 && (
              <p className="hint">
                Needs: {detail.data.requires.join(", ")} — warm-up {formatNumber(detail.data.warmup, 0, null)} bars.
              </p>
            )}
          </fieldset>

          <fieldset className="panel">
            <legend>Data</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor="market">Market</label>
                <select id="market" data-testid="market-select" value={form.market} onChange={(e) => set("market", e.target.value)} {...inv("market")}>
                  {(markets.data ?? [{ code: "US", name: "United States", currency: "USD" }]).map((m) => (
                    <option key={m.code} value={m.code}>
                      {m.code} — {m.name} ({m.currency})
                    </option>
                  ))}
                </select>
                <FieldError name="market" errors={errors} />
              </div>
              <div className="field">
                <span className="label" id="target-label">Trade</span>
                <div className="segmented" role="radiogroup" aria-labelledby="target-label">
                  <label>
                    <input type="radio" name="target" checked={form.target === "universe"} onChange={() => set("target", "universe")} /> a universe
                  </label>
                  <label>
                    <input type="radio" name="target" checked={form.target === "symbols"} onChange={() => set("target", "symbols")} /> symbols
                  </label>
                </div>
              </div>
            </div>
            {form.target === "universe" ? (
              <div className="field">
                <label htmlFor="universe">Universe</label>
                <select id="universe" data-testid="universe-select" value={form.universe} onChange={(e) => set("universe", e.target.value)} {...inv("universe")}>
                  {marketUniverses.length === 0 && <option value="">no universe for {form.market}</option>}
                  {marketUniverses.map((u) => (
                    <option key={u.name} value={u.name}>
                      {u.name} ({formatNumber(u.size, 0, null)} symbols{u.synthetic ? ", synthetic" : ""})
                    </option>
                  ))}
                </select>
                <FieldError name="universe" errors={errors} />
                <FieldError name="symbols" errors={errors} />
                {universe && (
                  <p className="hint">
                    {universe.description} <SyntheticBadge show={universe.synthetic} />
                    {universe.survivorship_biased && <span className="badge badge-soft">survivorship-biased</span>}
                    {!universe.data_present && <span className="badge badge-warn">data missing: {(universe.missing ?? []).join(", ")}</span>}
                  </p>
                )}
              </div>
            ) : (
              <div className="field">
                <label htmlFor="symbols">Symbols</label>
                <input
                  id="symbols"
                  data-testid="symbols-input"
                  placeholder="AAPL, MSFT, IBM"
                  value={form.symbols}
                  onChange={(e) => set("symbols", e.target.value)}
                  list="symbol-options"
                  autoComplete="off"
                  {...inv("symbols")}
                />
                <datalist id="symbol-options">
                  {(symbols.data?.items ?? []).map((s) => (
                    <option key={s.symbol} value={s.symbol}>
                      {s.name}
                    </option>
                  ))}
                </datalist>
                <FieldError name="symbols" errors={errors} />
                <p className="hint">Comma- or space-separated. Available: {(symbols.data?.items ?? []).map((s) => s.symbol).join(", ") || "…"}</p>
              </div>
            )}
            <Coverage symbols={chosenSymbols} info={symbolMap} loading={symbols.loading} />
            <div className="field-row">
              <div className="field">
                <label htmlFor="start">Start date</label>
                <input id="start" type="date" data-testid="start-date" value={form.start_date} onChange={(e) => set("start_date", e.target.value)} {...inv("start_date")} />
                <FieldError name="start_date" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="end">End date</label>
                <input id="end" type="date" data-testid="end-date" value={form.end_date} onChange={(e) => set("end_date", e.target.value)} {...inv("end_date")} />
                <FieldError name="end_date" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="benchmark">Benchmark</label>
                <input id="benchmark" data-testid="benchmark-input" title="a symbol to compare with, none for no benchmark, or empty for the default (left out, with a note, where it has no data)" placeholder={universe?.benchmark ?? markets.data?.find((m) => m.code === form.market)?.default_benchmark ?? "default"} value={form.benchmark} onChange={(e) => set("benchmark", e.target.value)} {...inv("benchmark")} />
                <FieldError name="benchmark" errors={errors} />
              </div>
            </div>
            <p className="hint">Leave dates empty to use all the data.</p>
          </fieldset>

          <fieldset className="panel">
            <legend>Capital and sizing</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor="capital">Initial capital ({currency})</label>
                <input id="capital" type="number" inputMode="decimal" min={0} step="any" data-testid="capital-input" value={form.initial_capital} onChange={(e) => set("initial_capital", e.target.value)} {...inv("initial_capital")} />
                <FieldError name="initial_capital" errors={errors} />
                <p className="hint" data-testid="capital-default">
                  Default for {form.market}: {marketCapital === undefined ? "…" : formatCurrency(marketCapital, currency, 0)}
                </p>
              </div>
              <div className="field">
                <label htmlFor="maxpos">Max positions</label>
                <input id="maxpos" type="number" min={1} step={1} placeholder="all symbols" data-testid="max-positions" value={form.max_positions} onChange={(e) => set("max_positions", e.target.value)} {...inv("max_positions")} />
                <FieldError name="max_positions" errors={errors} />
                <p className="hint" data-testid="maxpos-default">
                  {form.target === "universe" && nChosen > MANY_SYMBOLS
                    ? `${MANY_POSITIONS} by default for a universe of more than ${MANY_SYMBOLS} symbols (equity / ${MANY_POSITIONS} per entry)`
                    : "Empty: one slot per symbol"}
                </p>
              </div>
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor="sizing">Sizing</label>
                <select id="sizing" data-testid="sizing-mode" value={form.sizing_mode} onChange={(e) => set("sizing_mode", e.target.value)} {...inv("sizing.mode")}>
                  {SIZING_MODES.map((m) => (
                    <option key={m.value} value={m.value}>
                      {m.label}
                    </option>
                  ))}
                </select>
                <FieldError name="sizing.mode" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="sizing-value">
                  Sizing value {form.sizing_mode === "fraction" || form.sizing_mode === "risk" ? "(0–1)" : form.sizing_mode === "fixed_cash" ? `(${currency})` : form.sizing_mode === "fixed_units" ? "(units)" : "(not used)"}
                </label>
                <input
                  id="sizing-value"
                  type="number"
                  step="any"
                  data-testid="sizing-value"
                  value={form.sizing_value}
                  disabled={!SIZING_MODES.find((m) => m.value === form.sizing_mode)?.needsValue}
                  onChange={(e) => set("sizing_value", e.target.value)}
                  {...inv(errors.sizing ? "sizing" : "sizing.value")}
                />
                <FieldError name="sizing.value" errors={errors} />
                <FieldError name="sizing" errors={errors} />
              </div>
            </div>
            <div className="field-row">
              <label className="check">
                <input type="checkbox" checked={form.sizing_fractional} onChange={(e) => set("sizing_fractional", e.target.checked)} data-testid="sizing-fractional" /> Fractional quantities
              </label>
              <div className="field">
                <label htmlFor="portfolio">Portfolio</label>
                <select id="portfolio" data-testid="portfolio-select" value={form.portfolio} onChange={(e) => set("portfolio", e.target.value as "shared" | "independent")}>
                  <option value="shared">Shared cash</option>
                  <option value="independent">Independent per symbol</option>
                </select>
                <FieldError name="portfolio" errors={errors} />
              </div>
            </div>
          </fieldset>

          <fieldset className="panel">
            <legend>Costs and fills</legend>
            <div className="field-row">
              <div className="field">
                <label htmlFor="costs">Costs</label>
                <select id="costs" data-testid="costs-model" value={form.costs_model} onChange={(e) => set("costs_model", e.target.value as "market" | "none")} {...inv("costs.model")}>
                  <option value="market">Market's fee schedule</option>
                  <option value="none">No costs</option>
                </select>
                <FieldError name="costs.model" errors={errors} />
                <FieldError name="costs" errors={errors} />
              </div>
              {PRODUCT_MARKETS.has(form.market) && (
                <div className="field">
                  <label htmlFor="product">Product</label>
                  <select id="product" data-testid="costs-product" value={form.costs_product} disabled={form.costs_model === "none"} onChange={(e) => set("costs_product", e.target.value as "delivery" | "intraday")}>
                    <option value="delivery">Delivery</option>
                    <option value="intraday">Intraday</option>
                  </select>
                </div>
              )}
              <div className="field">
                <label htmlFor="slippage">Slippage (bps)</label>
                <input id="slippage" type="number" min={0} max={1000} step="any" data-testid="slippage-input" value={form.slippage_bps} onChange={(e) => set("slippage_bps", e.target.value)} {...inv("slippage_bps")} />
                <FieldError name="slippage_bps" errors={errors} />
              </div>
            </div>
            <div className="field-row">
              <div className="field">
                <label htmlFor="fill">Fill timing</label>
                <select id="fill" data-testid="fill-select" value={form.fill} onChange={(e) => set("fill", e.target.value as "next_open" | "close")} {...inv("fill")}>
                  <option value="next_open">Next bar's open</option>
                  <option value="close">Same bar's close (optimistic)</option>
                </select>
                <FieldError name="fill" errors={errors} />
              </div>
              <div className="field">
                <label htmlFor="adjustment">Price adjustment</label>
                <select id="adjustment" data-testid="adjustment-select" value={form.adjustment} onChange={(e) => set("adjustment", e.target.value as "events" | "adjusted" | "none")}>
                  <option value="events">Events (signals adjusted, fills as traded)</option>
                  <option value="adjusted">Adjusted prices</option>
                  <option value="none">None (raw)</option>
                </select>
                <FieldError name="adjustment" errors={errors} />
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
          <button type="submit" className="btn btn-primary btn-large" data-testid="submit-backtest" disabled={submitting}>
            {submitting ? "Starting…" : "Run backtest"}
          </button>
          <span className="muted small">Validated here first, then by the API.</span>
        </div>
      </form>
    </div>
  );
}

function ParamInput({
  field: f,
  value,
  onChange,
  errors,
}: {
  field: ParamField;
  value: string | boolean | undefined;
  onChange: (v: string | boolean) => void;
  errors: Record<string, string>;
}) {
  const key = `params.${f.name}`;
  const id = `param-${f.name}`;
  const aria = errors[key] ? { "aria-invalid": true as const, "aria-describedby": `error-${key}` } : {};
  const hint = [f.kind === "enum" ? "" : boundsText(f), f.default !== undefined ? `default ${String(f.default)}` : ""].filter(Boolean).join(" · ");
  if (f.kind === "boolean")
    return (
      <div className="field">
        <label className="check" htmlFor={id}>
          <input id={id} type="checkbox" data-testid={id} data-error-key={key} checked={Boolean(value)} onChange={(e) => onChange(e.target.checked)} {...aria} /> {f.label}
        </label>
        {f.description && <p className="hint">{f.description}</p>}
        <FieldError name={key} errors={errors} />
      </div>
    );
  return (
    <div className="field">
      <label htmlFor={id} title={f.description}>
        {f.label} <span className="muted mono small">{f.name}</span>
      </label>
      {f.kind === "enum" ? (
        <select id={id} data-testid={id} data-error-key={key} value={String(value ?? "")} onChange={(e) => onChange(e.target.value)} {...aria}>
          {(f.options ?? []).map((o) => (
            <option key={String(o)} value={String(o)}>
              {String(o)}
            </option>
          ))}
        </select>
      ) : (
        <input
          id={id}
          data-testid={id}
          data-error-key={key}
          type={f.kind === "string" ? "text" : "number"}
          inputMode={f.kind === "integer" ? "numeric" : "decimal"}
          min={f.minimum}
          max={f.maximum}
          step={f.step}
          value={String(value ?? "")}
          onChange={(e) => onChange(e.target.value)}
          {...aria}
        />
      )}
      <p className="hint">
        {f.description}
        {hint ? <span className="mono"> ({hint})</span> : null}
      </p>
      <FieldError name={key} errors={errors} />
    </div>
  );
}

function Coverage({ symbols, info, loading }: { symbols: string[]; info: Map<string, SymbolInfo>; loading: boolean }) {
  if (!symbols.length) return null;
  if (loading && info.size === 0) return <Loading label="Checking data…" />;
  const known = symbols.map((s) => info.get(s)).filter((x): x is SymbolInfo => Boolean(x));
  const unknown = symbols.filter((s) => !info.has(s));
  const firsts = known.map((k) => k.first).sort();
  const lasts = known.map((k) => k.last).sort();
  const table = <CoverageTable known={known} unknown={unknown} />;
  return (
    <div className="coverage" data-testid="data-coverage">
      {known.length > 0 && (
        <p className="small">
          Data from <strong>{formatDate(firsts[0])}</strong> to <strong>{formatDate(lasts[lasts.length - 1])}</strong>; all symbols overlap{" "}
          {firsts[firsts.length - 1] <= lasts[0] ? (
            <>
              <strong>{formatDate(firsts[firsts.length - 1])}</strong> – <strong>{formatDate(lasts[0])}</strong>
            </>
          ) : (
            <strong>never</strong>
          )}
          .
        </p>
      )}
      {symbols.length > COLLAPSE_OVER ? (
        <details data-testid="coverage-details">
          <summary className="small">
            {formatNumber(symbols.length, 0, null)} symbols{unknown.length ? `, ${formatNumber(unknown.length, 0, null)} without data` : ""} — show each symbol's coverage
          </summary>
          {table}
        </details>
      ) : (
        table
      )}
    </div>
  );
}

const COLLAPSE_OVER = 10;

function CoverageTable({ known, unknown }: { known: SymbolInfo[]; unknown: string[] }) {
  return (
      <table className="table compact" data-testid="coverage-table">
        <thead>
          <tr>
            <th>Symbol</th>
            <th>Name</th>
            <th>Timeframe</th>
            <th>From</th>
            <th>To</th>
            <th>Prices</th>
          </tr>
        </thead>
        <tbody>
          {known.map((s) => (
            <tr key={s.symbol}>
              <td className="mono">{s.symbol}</td>
              <td>
                {s.name} {s.synthetic && <SyntheticBadge />}
              </td>
              <td>{s.timeframe}</td>
              <td className="mono">{s.first}</td>
              <td className="mono">{s.last}</td>
              <td className="muted">{s.price_basis.replace(/_/g, " ")}</td>
            </tr>
          ))}
          {unknown.map((s) => (
            <tr key={s} className="row-warn">
              <td className="mono">{s}</td>
              <td colSpan={5}>no data for this symbol in this market</td>
            </tr>
          ))}
        </tbody>
      </table>
  );
}
