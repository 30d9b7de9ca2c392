import { useEffect, useRef, useState } from "react";
import { Link, useNavigate, useSearchParams } from "react-router";
import { api, runLabelApi } from "../api/client";
import { TERMINAL, type Page, type Run } from "../api/types";
import { useAsync } from "../lib/hooks";
import { formatCurrency, formatDateTime, formatNumber, formatPct, runCurrency } from "../lib/format";
import { Empty, ErrorBox, Loading, Pager, StatusBadge, SyntheticBadge, errorText } from "../components/ui";

const STATUSES = ["queued", "running", "completed", "failed", "cancelled", "interrupted"];
const LIMIT = 25;

/** A column header that sorts the list by its key (best first on the first click). */
function SortHeader({ label, k, sort, onSort, lowFirst = false }: { label: string; k: string; sort: string; onSort: (s: string) => void; lowFirst?: boolean }) {
  const on = sort.replace(/^-/, "") === k;
  const desc = sort.startsWith("-");
  const next = on ? (desc ? k : `-${k}`) : lowFirst ? k : `-${k}`;
  return (
    <th className="num" aria-sort={on ? (desc ? "descending" : "ascending") : "none"}>
      <button type="button" className="th-sort" onClick={() => onSort(next)} data-testid={`runs-sort-${k}`} title={`Sort by ${label.toLowerCase()}`}>
        {label}
        {on ? (desc ? " ↓" : " ↑") : ""}
      </button>
    </th>
  );
}

export default function RunsPage() {
  const [sp, setSp] = useSearchParams();
  const navigate = useNavigate();
  const strategy = sp.get("strategy") ?? "";
  const market = sp.get("market") ?? "";
  const status = sp.get("status") ?? "";
  const from = sp.get("from") ?? "";
  const to = sp.get("to") ?? "";
  const sort = sp.get("sort") ?? "-created_at";
  const search = sp.get("search") ?? "";
  const [searchText, setSearchText] = useState(search);
  const offset = Number(sp.get("offset") ?? 0) || 0;
  const [selected, setSelected] = useState<string[]>([]);
  const [confirming, setConfirming] = useState<string | null>(null);
  const [message, setMessage] = useState<string | null>(null);
  const [data, setData] = useState<Page<Run> | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [loading, setLoading] = useState(true);
  const [tick, setTick] = useState(0);
  const confirmTimer = useRef<ReturnType<typeof setTimeout> | undefined>(undefined);

  const strategies = useAsync((s) => api.strategies({}, s), []);
  const markets = useAsync(() => api.markets(), []);

  const setFilter = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    if (v) n.set(k, v);
    else n.delete(k);
    if (k !== "offset") n.delete("offset");
    setSp(n, { replace: true });
  };

  // the search box writes the URL a moment after typing stops (and follows the URL back)
  useEffect(() => setSearchText(search), [search]);
  useEffect(() => {
    if (searchText.trim() === search) return;
    const t = setTimeout(() => setFilter("search", searchText.trim()), 300);
    return () => clearTimeout(t);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [searchText]);

  useEffect(() => {
    const ac = new AbortController();
    setLoading(true);
    runLabelApi
      .list(
        {
          search: search || undefined,
          strategy: strategy || undefined,
          market: market || undefined,
          status: status || undefined,
          created_from: from ? `${from}T00:00:00` : undefined,
          created_to: to ? `${to}T23:59:59` : undefined,
          limit: LIMIT,
          offset,
          sort,
        },
        ac.signal,
      )
      .then(
        (d) => {
          setData(d);
          setError(null);
          setLoading(false);
        },
        (e) => {
          if (ac.signal.aborted) return;
          setError(e);
          setLoading(false);
        },
      );
    return () => ac.abort();
  }, [search, strategy, market, status, from, to, sort, offset, tick]);

  // refresh while something on this page is still queued or running
  const anyActive = (data?.items ?? []).some((r) => !TERMINAL.includes(r.status));
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => setTick((x) => x + 1), 2000);
    return () => clearInterval(t);
  }, [anyActive]);

  const toggle = (id: string) =>
    setSelected((s) => (s.includes(id) ? s.filter((x) => x !== id) : s.length >= 4 ? s : [...s, id]));

  async function cancel(id: string) {
    setMessage(null);
    try {
      await api.cancel(id);
      setTick((t) => t + 1);
    } catch (e) {
      setMessage(errorText(e));
    }
  }
  async function remove(id: string) {
    if (confirming !== id) {
      setConfirming(id);
      clearTimeout(confirmTimer.current);
      confirmTimer.current = setTimeout(() => setConfirming(null), 5000);
      return;
    }
    setConfirming(null);
    setMessage(null);
    try {
      await api.remove(id);
      setSelected((s) => s.filter((x) => x !== id));
      setMessage(`Deleted run ${id.slice(0, 8)}.`);
      setTick((t) => t + 1);
    } catch (e) {
      setMessage(errorText(e));
    }
  }

  const canCompare = selected.length >= 2 && selected.length <= 4;
  const filtered = Boolean(search || strategy || market || status || from || to);

  return (
    <div className="page">
      <div className="page-head row">
        <div>
          <h1>Runs</h1>
          <p className="muted">
            <span data-testid="runs-total" className="strong">
              {data ? formatNumber(data.total, 0, null) : "…"}
            </span>{" "}
            runs{filtered ? " match these filters" : ""}. Select 2–4 to compare.
          </p>
        </div>
        <div className="actions">
          <button
            type="button"
            className="btn btn-primary"
            data-testid="compare-runs"
            disabled={!canCompare}
            onClick={() => navigate(`/compare?ids=${selected.join(",")}`)}
          >
            Compare {selected.length ? `(${selected.length})` : ""}
          </button>
          <Link className="btn" to="/backtests/new">
            New backtest
          </Link>
        </div>
      </div>
      <div className="toolbar filters">
        <label>
          Search{" "}
          <input
            type="search"
            value={searchText}
            onChange={(e) => setSearchText(e.target.value)}
            placeholder="name, tag, strategy, notes"
            maxLength={200}
            data-testid="runs-search"
            aria-label="Search runs by name, tag, strategy or notes"
          />
        </label>
        <label>
          Strategy{" "}
          <select value={strategy} onChange={(e) => setFilter("strategy", e.target.value)} data-testid="runs-filter-strategy">
            <option value="">All</option>
            {(strategies.data?.items ?? []).map((s) => (
              <option key={s.name} value={s.name}>
                {s.name}
              </option>
            ))}
          </select>
        </label>
        <label>
          Market{" "}
          <select value={market} onChange={(e) => setFilter("market", e.target.value)} data-testid="runs-filter-market">
            <option value="">All</option>
            {(markets.data ?? []).map((m) => (
              <option key={m.code} value={m.code}>
                {m.code}
              </option>
            ))}
          </select>
        </label>
        <label>
          Status{" "}
          <select value={status} onChange={(e) => setFilter("status", e.target.value)} data-testid="runs-filter-status">
            <option value="">All</option>
            {STATUSES.map((s) => (
              <option key={s} value={s}>
                {s}
              </option>
            ))}
          </select>
        </label>
        <label>
          Created from <input type="date" value={from} onChange={(e) => setFilter("from", e.target.value)} data-testid="runs-filter-from" />
        </label>
        <label>
          to <input type="date" value={to} onChange={(e) => setFilter("to", e.target.value)} data-testid="runs-filter-to" />
        </label>
        <label>
          Sort{" "}
          <select value={sort} onChange={(e) => setFilter("sort", e.target.value)} data-testid="runs-sort">
            <option value="-created_at">Newest first</option>
            <option value="created_at">Oldest first</option>
            <option value="strategy_name">Strategy A–Z</option>
            <option value="name">Name A–Z</option>
            <option value="status">Status</option>
            {/* by return, never by raw equity: $ and ₹ equities are not comparable */}
            <option value="-total_return">Return ↓</option>
            <option value="total_return">Return ↑</option>
            <option value="-sharpe">Sharpe ↓</option>
            <option value="-cagr">CAGR ↓</option>
            <option value="-sortino">Sortino ↓</option>
            <option value="-max_drawdown">Max drawdown (smallest first)</option>
            <option value="-win_rate">Win rate ↓</option>
            <option value="-profit_factor">Profit factor ↓</option>
            <option value="-n_trades">Trades ↓</option>
            {/* a sort named in the URL that is not listed above still shows */}
            {![
              "-created_at", "created_at", "strategy_name", "name", "status", "-total_return", "total_return", "-sharpe", "-cagr",
              "-sortino", "-max_drawdown", "-win_rate", "-profit_factor", "-n_trades",
            ].includes(sort) && <option value={sort}>{sort.replace(/^-/, "")} {sort.startsWith("-") ? "↓" : "↑"}</option>}
          </select>
        </label>
        {filtered && (
          <button type="button" className="btn btn-ghost btn-small" onClick={() => setSp({}, { replace: true })} data-testid="runs-clear-filters">
            Clear filters
          </button>
        )}
      </div>
      {message && (
        <div className="notice" role="status">
          {message}
        </div>
      )}
      {error ? <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} /> : null}
      {!data && loading ? <Loading label="Loading runs…" /> : null}
      {data && data.total === 0 && (
        <Empty>
          No runs {filtered ? "match these filters" : "yet"}. <Link to="/backtests/new">Start a backtest</Link>.
        </Empty>
      )}
      {data && data.items.length > 0 && (
        <>
          <div className={"table-wrap" + (loading ? " is-loading" : "")}>
            <table className="table runs" data-testid="runs-table">
              <thead>
                <tr>
                  <th>
                    <span className="sr-only">Select</span>
                  </th>
                  <th>Run</th>
                  <th>Strategy</th>
                  <th>Market</th>
                  <th>Universe / symbols</th>
                  <th>Status</th>
                  <th>Created</th>
                  <SortHeader label="Return" k="total_return" sort={sort} onSort={(v) => setFilter("sort", v)} />
                  <SortHeader label="Sharpe" k="sharpe" sort={sort} onSort={(v) => setFilter("sort", v)} />
                  <SortHeader label="Max DD" k="max_drawdown" sort={sort} onSort={(v) => setFilter("sort", v)} />
                  <SortHeader label="Trades" k="n_trades" sort={sort} onSort={(v) => setFilter("sort", v)} />
                  <SortHeader label="Final equity" k="final_equity" sort={sort} onSort={(v) => setFilter("sort", v)} />
                  <th>
                    <span className="sr-only">Actions</span>
                  </th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((r) => {
                  const cur = runCurrency(r);
                  const active = !TERMINAL.includes(r.status);
                  const isSel = selected.includes(r.id);
                  return (
                    <tr key={r.id} data-testid={`run-row-${r.id}`} className={isSel ? "selected" : ""}>
                      <td>
                        <input
                          type="checkbox"
                          checked={isSel}
                          disabled={!isSel && selected.length >= 4}
                          onChange={() => toggle(r.id)}
                          data-testid={`select-run-${r.id}`}
                          aria-label={`Select run ${r.id.slice(0, 8)} for comparison`}
                        />
                      </td>
                      <td>
                        <Link to={`/runs/${r.id}`} className="mono">
                          {r.id.slice(0, 8)}
                        </Link>
                        {r.name && (
                          <div className="strong small" data-testid={`run-name-${r.id}`}>
                            {r.name}
                          </div>
                        )}
                        {(r.tags ?? []).length > 0 && (
                          <div className="small" title={r.label_notes ?? undefined}>
                            {(r.tags ?? []).map((t) => (
                              <span key={t} className="tag">
                                {t}
                              </span>
                            ))}
                          </div>
                        )}
                      </td>
                      <td className="mono">{r.strategy_name}</td>
                      <td>{r.market}</td>
                      <td>
                        {r.universe ?? <span className="mono small">{(r.symbols ?? []).join(", ")}</span>} <SyntheticBadge show={r.synthetic} />
                      </td>
                      <td>
                        <StatusBadge status={r.status} />
                        {active && r.progress !== null && <span className="muted small"> {Math.round((r.progress ?? 0) * 100)}%</span>}
                      </td>
                      <td className="small">{formatDateTime(r.created_at)}</td>
                      <td className={"num " + ((r.metrics?.total_return ?? 0) >= 0 ? "pos" : "neg")}>{formatPct(r.metrics?.total_return)}</td>
                      <td className="num">{formatNumber(r.metrics?.sharpe, 2, null)}</td>
                      <td className="num">{formatPct(r.metrics?.max_drawdown)}</td>
                      <td className="num">{r.n_trades == null ? "—" : formatNumber(r.n_trades, 0, null)}</td>
                      <td className="num" data-testid={`final-equity-${r.id}`}>
                        {formatCurrency(r.final_equity, cur, 0)}
                      </td>
                      <td className="row-actions">
                        {active && (
                          <button type="button" className="btn btn-small" data-testid={`cancel-run-${r.id}`} onClick={() => cancel(r.id)}>
                            Cancel
                          </button>
                        )}
                        <button
                          type="button"
                          className={"btn btn-small " + (confirming === r.id ? "btn-danger" : "btn-ghost")}
                          data-testid={`delete-run-${r.id}`}
                          onClick={() => remove(r.id)}
                          aria-label={confirming === r.id ? `Confirm deleting run ${r.id.slice(0, 8)}` : `Delete run ${r.id.slice(0, 8)}`}
                        >
                          {confirming === r.id ? "Confirm delete" : "Delete"}
                        </button>
                      </td>
                    </tr>
                  );
                })}
              </tbody>
            </table>
          </div>
          <Pager prefix="runs" offset={offset} limit={LIMIT} total={data.total} onChange={(o) => setFilter("offset", o ? String(o) : "")} />
        </>
      )}
    </div>
  );
}
