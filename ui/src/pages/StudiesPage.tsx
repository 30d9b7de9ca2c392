import { useEffect, useState } from "react";
import { Link, useSearchParams } from "react-router";
import { api } from "../api/client";
import { TERMINAL, type Page, type RunStatus, type Study } from "../api/types";
import { formatDateTime, formatNumber } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { Empty, ErrorBox, Loading, Pager, StatusBadge } from "../components/ui";

const STATUSES = ["queued", "running", "completed", "failed", "cancelled", "interrupted"];
const LIMIT = 25;

export default function StudiesPage() {
  const [sp, setSp] = useSearchParams();
  const status = sp.get("status") ?? "";
  const strategy = sp.get("strategy") ?? "";
  const sort = sp.get("sort") ?? "-created_at";
  const offset = Number(sp.get("offset") ?? 0) || 0;
  const [data, setData] = useState<Page<Study> | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const strategies = useAsync((s) => api.strategies({}, s), []);

  const setFilter = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v);
    else n.delete(k);
    if (k !== "offset") n.delete("offset");
    setSp(n, { replace: true });
  };

  useEffect(() => {
    const ac = new AbortController();
    api.studies({ status: status || undefined, strategy: strategy || undefined, limit: LIMIT, offset, sort }, ac.signal).then(
      (d) => !ac.signal.aborted && (setData(d), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    return () => ac.abort();
  }, [status, strategy, sort, offset, tick]);

  // refresh while a study is active
  const anyActive = (data?.items ?? []).some((s) => !TERMINAL.includes(s.status as RunStatus));
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => setTick((x) => x + 1), 2000);
    return () => clearInterval(t);
  }, [anyActive]);

  const sortHead = (key: string, label: string) => {
    const on = sort === key || sort === `-${key}`;
    const desc = sort === `-${key}`;
    return (
      <th aria-sort={on ? (desc ? "descending" : "ascending") : "none"}>
        <button type="button" className="th-sort" data-testid={`studies-sort-${key}`} onClick={() => setFilter("sort", on && desc ? key : `-${key}`)}>
          {label} {on ? (desc ? "▼" : "▲") : ""}
        </button>
      </th>
    );
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Optimisation studies</h1>
        <p className="muted">
          Parameter searches with their overfitting score.{" "}
          <Link to="/optimizations/new" className="btn btn-primary btn-small" data-testid="new-study-link">
            Start a study
          </Link>
        </p>
      </div>
      <div className="filters form">
        <div className="field-row">
          <div className="field">
            <label htmlFor="f-status">Status</label>
            <select id="f-status" value={status} onChange={(e) => setFilter("status", e.target.value)}>
              <option value="">any</option>
              {STATUSES.map((s) => (
                <option key={s}>{s}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="f-strategy">Strategy</label>
            <select id="f-strategy" value={strategy} onChange={(e) => setFilter("strategy", e.target.value)}>
              <option value="">any</option>
              {(strategies.data?.items ?? []).map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          </div>
        </div>
      </div>
      {error ? (
        <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} />
      ) : !data ? (
        <Loading label="Loading studies…" />
      ) : data.items.length === 0 ? (
        <Empty>
          No study yet. <Link to="/optimizations/new">Start one</Link> from a strategy.
        </Empty>
      ) : (
        <>
          <p className="muted small" data-testid="studies-total">
            {data.total} {data.total === 1 ? "study" : "studies"}
          </p>
          <div className="table-wrap">
            <table className="table" data-testid="studies-table">
              <thead>
                <tr>
                  {sortHead("created_at", "Created")}
                  {sortHead("strategy_name", "Strategy")}
                  {sortHead("status", "Status")}
                  <th>Sampler</th>
                  <th>Objective</th>
                  {sortHead("n_trials", "Trials")}
                  {sortHead("best_value", "Best")}
                  <th title="0: no sign of luck … 1: all luck">Overfitting score</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id} data-testid="study-row">
                    <td>
                      <Link to={`/optimizations/${s.id}`} className="mono">
                        {formatDateTime(s.created_at)}
                      </Link>
                    </td>
                    <td>{s.strategy_name}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td>{s.sampler}</td>
                    <td className="mono small">
                      {s.objectives.map((o) => `${o.direction === "maximize" ? "max" : "min"} ${o.metric}`).join(", ")}
                    </td>
                    <td className="num">
                      {s.trials_done} / {s.n_trials}
                    </td>
                    <td className="num">{formatNumber(s.best_value, 3, null)}</td>
                    <td className="num">
                      {formatNumber(s.overfitting?.score ?? null, 2, null)} {s.overfitting?.verdict ? <span className="muted small">({s.overfitting.verdict})</span> : null}
                    </td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={LIMIT} total={data.total} prefix="studies" onChange={(o) => setFilter("offset", String(o))} />
        </>
      )}
    </div>
  );
}
