import { useEffect, useState, type FormEvent } from "react";
import { Link, useNavigate, useParams, useSearchParams } from "react-router";
import { api, screensApi } from "../api/client";
import { TERMINAL, type Page, type Screen, type ScreenRow } from "../api/types";
import { formatDateTime, formatNumber, formatPct } from "../lib/format";
import { useAsync } from "../lib/hooks";
import { Empty, ErrorBox, Loading, Pager, StatusBadge, errorText } from "../components/ui";

const PCT = new Set(["total_return", "cagr", "max_drawdown", "win_rate", "exposure"]);
const LABEL: Record<string, string> = {
  total_return: "Total return",
  cagr: "CAGR",
  sharpe: "Sharpe",
  sortino: "Sortino",
  max_drawdown: "Max drawdown",
  win_rate: "Win rate",
  profit_factor: "Profit factor",
  trade_count: "Trades",
  exposure: "Exposure",
  final_equity: "Final equity",
};
const LIMIT = 50;

function cell(metric: string, v: number | null | undefined): string {
  if (PCT.has(metric)) return formatPct(v ?? null);
  if (metric === "trade_count") return formatNumber(v ?? null, 0, null);
  if (metric === "final_equity") return formatNumber(v ?? null, 0, null);
  return formatNumber(v ?? null, 3, null);
}

/** /screens: start a screen (strategy x universe) and the list of screens. */
export default function ScreensPage() {
  const navigate = useNavigate();
  const [offset, setOffset] = useState(0);
  const [tick, setTick] = useState(0);
  const [data, setData] = useState<Page<Screen> | undefined>();
  const [error, setError] = useState<unknown>(null);
  const strategies = useAsync((s) => api.strategies({}, s), []);
  const universes = useAsync(() => api.universes(), []);
  const [strategy, setStrategy] = useState("sma_crossover");
  const [universe, setUniverse] = useState("us_sample");
  const [start, setStart] = useState("");
  const [end, setEnd] = useState("");
  const [submitError, setSubmitError] = useState<string | null>(null);
  const [busy, setBusy] = useState(false);

  useEffect(() => {
    const ac = new AbortController();
    screensApi.list({ limit: 25, offset }, ac.signal).then(
      (d) => !ac.signal.aborted && (setData(d), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    return () => ac.abort();
  }, [offset, tick]);
  const anyActive = (data?.items ?? []).some((s) => !TERMINAL.includes(s.status));
  useEffect(() => {
    if (!anyActive) return;
    const t = setInterval(() => setTick((x) => x + 1), 1500);
    return () => clearInterval(t);
  }, [anyActive]);

  const submit = async (e: FormEvent) => {
    e.preventDefault();
    setBusy(true);
    setSubmitError(null);
    const market = universes.data?.items.find((u) => u.name === universe)?.market ?? "US";
    try {
      const s = await screensApi.create({
        strategy_name: strategy,
        universe,
        market,
        start_date: start || undefined,
        end_date: end || undefined,
      });
      navigate(`/screens/${s.id}`);
    } catch (err) {
      setSubmitError(errorText(err));
    } finally {
      setBusy(false);
    }
  };

  return (
    <div className="page">
      <div className="page-head">
        <h1>Universe screens</h1>
        <p className="muted">One strategy and its parameters backtested on every symbol of a universe alone: one row per symbol.</p>
      </div>
      <form className="form filters" onSubmit={submit} data-testid="screen-form">
        <div className="field-row">
          <div className="field">
            <label htmlFor="sc-strategy">Strategy</label>
            <select id="sc-strategy" value={strategy} onChange={(e) => setStrategy(e.target.value)}>
              {(strategies.data?.items ?? [{ name: strategy }]).map((s) => (
                <option key={s.name}>{s.name}</option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sc-universe">Universe</label>
            <select id="sc-universe" value={universe} onChange={(e) => setUniverse(e.target.value)}>
              {(universes.data?.items ?? [{ name: universe, size: 0 }]).map((u) => (
                <option key={u.name} value={u.name}>
                  {u.name} {u.size ? `(${u.size})` : ""}
                </option>
              ))}
            </select>
          </div>
          <div className="field">
            <label htmlFor="sc-start">Start</label>
            <input id="sc-start" type="date" value={start} onChange={(e) => setStart(e.target.value)} />
          </div>
          <div className="field">
            <label htmlFor="sc-end">End</label>
            <input id="sc-end" type="date" value={end} onChange={(e) => setEnd(e.target.value)} />
          </div>
          <div className="field">
            <label>&nbsp;</label>
            <button type="submit" className="btn btn-primary" disabled={busy} data-testid="screen-submit">
              {busy ? "Starting…" : "Run screen"}
            </button>
          </div>
        </div>
        {submitError ? (
          <p className="error" role="alert" data-testid="screen-submit-error">
            {submitError}
          </p>
        ) : null}
      </form>
      {error ? (
        <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} />
      ) : !data ? (
        <Loading label="Loading screens…" />
      ) : data.items.length === 0 ? (
        <Empty>No screen yet: pick a strategy and a universe above.</Empty>
      ) : (
        <>
          <p className="muted small" data-testid="screens-total">
            {data.total} {data.total === 1 ? "screen" : "screens"}
          </p>
          <div className="table-wrap">
            <table className="table" data-testid="screens-table">
              <thead>
                <tr>
                  <th>Created</th>
                  <th>Strategy</th>
                  <th>Universe</th>
                  <th>Status</th>
                  <th>Symbols</th>
                  <th>Ran on</th>
                </tr>
              </thead>
              <tbody>
                {data.items.map((s) => (
                  <tr key={s.id} data-testid="screen-list-row">
                    <td>
                      <Link to={`/screens/${s.id}`} className="mono">
                        {formatDateTime(s.created_at)}
                      </Link>
                    </td>
                    <td>{s.strategy_name}</td>
                    <td>{s.universe ?? s.symbols.join(", ")}</td>
                    <td>
                      <StatusBadge status={s.status} />
                    </td>
                    <td className="num">
                      {s.symbols_done} / {s.n_symbols}
                    </td>
                    <td className="mono small">{s.runner ?? "—"}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <Pager offset={offset} limit={25} total={data.total} prefix="screens" onChange={setOffset} />
        </>
      )}
    </div>
  );
}

/** /screens/:id: progress, and the rows sorted by any headline metric, each opening its run. */
export function ScreenPage() {
  const { id = "" } = useParams();
  const navigate = useNavigate();
  const [sp, setSp] = useSearchParams();
  const sort = sp.get("sort") ?? "-sharpe";
  const offset = Number(sp.get("offset") ?? 0) || 0;
  const [screen, setScreen] = useState<Screen | undefined>();
  const [rows, setRows] = useState<(Page<ScreenRow> & { sort?: string }) | undefined>();
  const [error, setError] = useState<unknown>(null);
  const [tick, setTick] = useState(0);
  const [opening, setOpening] = useState<string | null>(null);
  const [openError, setOpenError] = useState<string | null>(null);

  useEffect(() => {
    const ac = new AbortController();
    Promise.all([screensApi.get(id, ac.signal), screensApi.rows(id, { sort, limit: LIMIT, offset }, ac.signal)]).then(
      ([s, r]) => !ac.signal.aborted && (setScreen(s), setRows(r), setError(null)),
      (e) => !ac.signal.aborted && setError(e),
    );
    return () => ac.abort();
  }, [id, sort, offset, tick]);
  const active = screen !== undefined && !TERMINAL.includes(screen.status);
  useEffect(() => {
    if (!active) return;
    const t = setInterval(() => setTick((x) => x + 1), 1000);
    return () => clearInterval(t);
  }, [active]);

  const setParam = (k: string, v: string) => {
    const n = new URLSearchParams(sp);
    n.set(k, v);
    if (k !== "offset") n.delete("offset");
    setSp(n, { replace: true });
  };
  const open = async (symbol: string) => {
    setOpening(symbol);
    setOpenError(null);
    try {
      const run = await screensApi.rowRun(id, symbol);
      navigate(`/runs/${run.id}`);
    } catch (e) {
      setOpenError(`${symbol}: ${errorText(e)}`);
    } finally {
      setOpening(null);
    }
  };
  const head = (key: string) => {
    const on = sort === key || sort === `-${key}`;
    const desc = sort === `-${key}`;
    return (
      <th key={key} aria-sort={on ? (desc ? "descending" : "ascending") : "none"}>
        <button type="button" className="th-sort" data-testid={`screen-sort-${key}`} onClick={() => setParam("sort", on && desc ? key : `-${key}`)}>
          {LABEL[key] ?? key} {on ? (desc ? "▼" : "▲") : ""}
        </button>
      </th>
    );
  };

  if (error) return <ErrorBox error={error} onRetry={() => setTick((t) => t + 1)} />;
  if (!screen || !rows) return <Loading label="Loading screen…" />;
  const headline = screen.headline.length ? screen.headline : Object.keys(LABEL);
  return (
    <div className="page">
      <div className="page-head">
        <h1>
          Screen: {screen.strategy_name} on {screen.universe ?? `${screen.n_symbols} symbols`}
        </h1>
        <p className="muted">
          <StatusBadge status={screen.status} testId="screen-status" />{" "}
          <span data-testid="screen-progress">
            {screen.symbols_done} / {screen.n_symbols} symbols
          </span>
          {screen.runner ? <span className="mono small"> · ran on {screen.runner}</span> : null}
          {screen.elapsed_s !== null ? <span className="small"> · {formatNumber(screen.elapsed_s, 1, null)} s</span> : null}{" "}
          <Link to="/screens" className="small">
            all screens
          </Link>
          {active ? (
            <button
              type="button"
              className="btn btn-small"
              data-testid="screen-cancel"
              onClick={() => screensApi.cancel(id).then(() => setTick((t) => t + 1), (e) => setOpenError(errorText(e)))}
            >
              Cancel
            </button>
          ) : null}
        </p>
        <p className="muted small">
          Each row is the strategy backtested on that symbol alone with the screen's settings; open a row to get that backtest as a run (the same
          numbers).
        </p>
        {screen.error ? <p className="error">{screen.error}</p> : null}
        {openError ? (
          <p className="error" role="alert" data-testid="screen-open-error">
            {openError}
          </p>
        ) : null}
      </div>
      <p className="muted small" data-testid="screen-rows-total">
        {rows.total} rows, sorted by {rows.sort ?? sort}
      </p>
      <div className="table-wrap">
        <table className="table" data-testid="screen-rows">
          <thead>
            <tr>
              {head("symbol")}
              {headline.map((m) => head(m))}
              <th>Run</th>
            </tr>
          </thead>
          <tbody>
            {rows.items.map((r) => (
              <tr key={r.symbol} data-testid="screen-row" data-symbol={r.symbol}>
                <td className="mono">{r.symbol}</td>
                {r.status === "complete" ? (
                  headline.map((m) => (
                    <td key={m} className="num" data-metric={m} data-value={r.metrics?.[m] ?? ""}>
                      {cell(m, r.metrics?.[m])}
                    </td>
                  ))
                ) : (
                  <td colSpan={headline.length} className="error small">
                    failed: {r.error}
                  </td>
                )}
                <td>
                  {r.status === "complete" ? (
                    <button
                      type="button"
                      className="btn btn-small"
                      data-testid={`screen-open-${r.symbol}`}
                      disabled={opening !== null}
                      onClick={() => open(r.symbol)}
                    >
                      {opening === r.symbol ? "Opening…" : r.run_id ? "Open run" : "Run it"}
                    </button>
                  ) : null}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
      <Pager offset={offset} limit={LIMIT} total={rows.total} prefix="screen-rows" onChange={(o) => setParam("offset", String(o))} />
    </div>
  );
}
