import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate } from "react-router";
import { api, wfApi } from "../api/client";
import { TERMINAL, type Page, type RunStatus, type WalkForward, type WalkForwardRequest } from "../api/types";
import { formatDateTime, formatNumber, formatPct } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { Empty, ErrorBox, Loading, Pager, Section, StatusBadge, errorText } from "../components/ui";

const LIMIT = 20;

/** The walk-forward list and the form that starts one. */
export default function WalkForwardsPage() {
  const [offset, setOffset] = useState(0);
  const [data, setData] = useState<Page<WalkForward> | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);

  useEffect(() => {
    const ac = new AbortController();
    wfApi.list({ limit: LIMIT, offset }, ac.signal).then(
      (d) => !ac.signal.aborted && (setData(d), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    return () => ac.abort();
  }, [offset, tick]);

  const anyActive = (data?.items ?? []).some((w) => !TERMINAL.includes(w.status as RunStatus));
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => setTick((x) => x + 1), 2000);
    return () => clearInterval(t);
  }, [anyActive]);

  return (
    <div className="page">
      <div className="page-head">
        <h1>Walk-forward analysis</h1>
        <p className="muted">Optimise in sample, trade the choice out of sample, window after window; judge the stitched out-of-sample record.</p>
      </div>
      <NewWalkForward />
      <Section title="Walk-forwards" testId="wf-list">
        {error ? (
          <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} />
        ) : !data ? (
          <Loading label="Loading walk-forwards…" />
        ) : data.items.length === 0 ? (
          <Empty>No walk-forward yet: start one above.</Empty>
        ) : (
          <>
            <p className="muted small" data-testid="wf-total">
              {data.total} {data.total === 1 ? "walk-forward" : "walk-forwards"}
            </p>
            <div className="table-wrap">
              <table className="table" data-testid="wf-table">
                <thead>
                  <tr>
                    <th>Created</th>
                    <th>Strategy</th>
                    <th>Symbols</th>
                    <th>Status</th>
                    <th>Windows</th>
                    <th>OOS return</th>
                    <th title="annualised OOS return / mean annualised IS return">Efficiency</th>
                  </tr>
                </thead>
                <tbody>
                  {data.items.map((w) => (
                    <tr key={w.id} data-testid="wf-row">
                      <td>
                        <Link to={`/walk-forwards/${w.id}`} className="mono">
                          {formatDateTime(w.created_at)}
                        </Link>
                      </td>
                      <td>{w.strategy_name}</td>
                      <td className="mono small">{w.symbols.join(", ")}</td>
                      <td>
                        <StatusBadge status={w.status} />
                      </td>
                      <td className="num">
                        {w.windows_done} / {w.n_windows} {w.mode}
                      </td>
                      <td className="num">{formatPct(w.oos_return)}</td>
                      <td className="num">{formatNumber(w.efficiency, 2, null)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
            <Pager offset={offset} limit={LIMIT} total={data.total} prefix="wf" onChange={setOffset} />
          </>
        )}
      </Section>
    </div>
  );
}

function num(v: string): number | null {
  return v.trim() === "" ? null : Number(v);
}

function NewWalkForward() {
  const navigate = useNavigate();
  const strategies = useAsync((s) => api.strategies({}, s), []);
  const [f, setF] = useState({
    strategy: "sma_crossover",
    symbols: "AAPL",
    start: "",
    end: "",
    mode: "rolling",
    folds: "5",
    is: "",
    oos: "",
    step: "",
    gap: "0",
    objective: "sharpe",
    carry: false,
  });
  const [busy, setBusy] = useState(false);
  const [err, setErr] = useState<string | null>(null);
  const set = (k: keyof typeof f, v: string | boolean) => setF((x) => ({ ...x, [k]: v }));

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setErr(null);
    const lengths = f.is.trim() !== "" || f.oos.trim() !== "";
    const body: WalkForwardRequest = {
      strategy_name: f.strategy,
      symbols: f.symbols.split(",").map((s) => s.trim()).filter(Boolean),
      start_date: f.start || undefined,
      end_date: f.end || undefined,
      mode: f.mode as "rolling" | "anchored",
      folds: lengths ? null : num(f.folds),
      is_sessions: num(f.is),
      oos_sessions: num(f.oos),
      step: num(f.step),
      gap: Number(f.gap || 0),
      carry_over: f.carry,
      objective: { metric: f.objective, direction: "maximize" },
    };
    try {
      const wf = await wfApi.create(body);
      navigate(`/walk-forwards/${wf.id}`);
    } catch (x) {
      setErr(errorText(x));
    } finally {
      setBusy(false);
    }
  };

  return (
    <Section title="New walk-forward" testId="wf-form">
      <form className="form" onSubmit={submit}>
        <div className="field-row">
          <div className="field">
            <label htmlFor="wf-strategy">Strategy</label>
            <select id="wf-strategy" value={f.strategy} onChange={(e) => set("strategy", e.target.value)}>
              {(strategies.data?.items ?? [{ name: f.strategy }]).map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="wf-symbols">Symbols</label>
            <input id="wf-symbols" value={f.symbols} onChange={(e) => set("symbols", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-start">Start</label>
            <input id="wf-start" type="date" value={f.start} onChange={(e) => set("start", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-end">End</label>
            <input id="wf-end" type="date" value={f.end} onChange={(e) => set("end", e.target.value)} />
          </div>
        </div>
        <div className="field-row">
          <div className="field">
            <label htmlFor="wf-mode">Windows</label>
            <select id="wf-mode" value={f.mode} onChange={(e) => set("mode", e.target.value)}>
              <option>rolling</option>
              <option>anchored</option>
            </select>
          </div>
          <div className="field">
            <label htmlFor="wf-folds">Folds</label>
            <input id="wf-folds" inputMode="numeric" value={f.folds} onChange={(e) => set("folds", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-is">In-sample sessions</label>
            <input id="wf-is" inputMode="numeric" placeholder="from folds" value={f.is} onChange={(e) => set("is", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-oos">Out-of-sample sessions</label>
            <input id="wf-oos" inputMode="numeric" placeholder="from folds" value={f.oos} onChange={(e) => set("oos", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-step">Step</label>
            <input id="wf-step" inputMode="numeric" placeholder="= out of sample" value={f.step} onChange={(e) => set("step", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-gap">Gap (purge)</label>
            <input id="wf-gap" inputMode="numeric" value={f.gap} onChange={(e) => set("gap", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-objective">Objective</label>
            <input id="wf-objective" value={f.objective} onChange={(e) => set("objective", e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="wf-carry">
              <input id="wf-carry" type="checkbox" checked={f.carry} onChange={(e) => set("carry", e.target.checked)} /> carry positions over
            </label>
          </div>
        </div>
        <p className="muted small">In each window a grid of a few values per parameter (from the strategy's bounds) is optimised in sample.</p>
        {err && (
          <div className="field-error" role="alert" data-testid="wf-error">
            {err}
          </div>
        )}
        <button type="submit" className="btn btn-primary" disabled={busy} data-testid="wf-submit">
          {busy ? "Starting…" : "Start walk-forward"}
        </button>
      </form>
    </Section>
  );
}
