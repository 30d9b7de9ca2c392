import { useCallback, useEffect, useMemo, useRef, useState } from "react";
import { Link, useParams } from "react-router";
import { allTrades, api, metricsMeta, takePrefetch } from "../api/client";
import { TERMINAL, type EquityPoint, type MetricMeta, type Page, type Run, type RunStatus, type Trade } from "../api/types";
import { useInView, useSettled } from "../lib/hooks";
import { useRunEvents } from "../lib/runEvents";
import { download, toCsv, TRADE_COLUMNS } from "../lib/csv";
import { formatCurrency, formatDateTime, formatDuration, runCurrency } from "../lib/format";
import { ErrorBox, Loading, Section, SyntheticBadge, errorText } from "../components/ui";
import MetricCards from "../components/MetricCards";
import EquityChart from "../components/EquityChart";
import PriceChart, { type TradeFocus } from "../components/PriceChart";
import { prefetchPriceChart } from "../lib/priceChartData";
import TradesTable, { NO_FILTER, filterTrades, isFiltered, pageOf, type TradesFilter, type TradesQuery } from "../components/TradesTable";
import MonthlyHeatmap from "../components/MonthlyHeatmap";
import RunConfig from "../components/RunConfig";
import SymbolBreakdown from "../components/SymbolBreakdown";
import EquityViews from "../components/EquityViews";
import RunLabel from "../components/RunLabel";

export default function RunPage() {
  const { id = "" } = useParams();
  const [run, setRun] = useState<Run | null>(null);
  const [runError, setRunError] = useState<unknown>(null);
  const [equity, setEquity] = useState<EquityPoint[] | null>(null);
  const [tq, setTq] = useState<TradesQuery>({ limit: 25, offset: 0, sort: "seq" });
  const [trades, setTrades] = useState<Page<Trade> | undefined>();
  const [tradesError, setTradesError] = useState<unknown>(null);
  const [tradesLoading, setTradesLoading] = useState(true);
  const [meta, setMeta] = useState<MetricMeta[] | undefined>();
  const [actionError, setActionError] = useState<string | null>(null);
  const [busy, setBusy] = useState<string | null>(null);
  const [all, setAll] = useState<Trade[] | undefined>();
  const allPromise = useRef<Promise<Trade[]> | null>(null);
  const [tick, setTick] = useState(0);
  const loadedTq = useRef<TradesQuery | null>(null);
  const [filter, setFilter] = useState<TradesFilter>(NO_FILTER);
  const [focus, setFocus] = useState<TradeFocus | null>(null);
  const [chartSymbol, setChartSymbol] = useState<{ symbol: string } | null>(null);

  // first load: the run, its equity curve and the first page of trades, in parallel
  useEffect(() => {
    const ac = new AbortController();
    setRunError(null);
    setAll(undefined);
    allPromise.current = null;
    loadedTq.current = tq;
    const first = tick === 0 && tq.limit === 25 && tq.offset === 0 && tq.sort === "seq";
    const pre = <T,>(key: "run" | "equity" | "trades", load: () => Promise<T>) => (first && takePrefetch<T>(id, key)) || load();
    pre("run", () => api.run(id, ac.signal)).then(
      (x) => {
        if (ac.signal.aborted) return;
        setRun(x);
        // the price chart's bars and indicator series load alongside the equity curve
        if (first) prefetchPriceChart(x);
      },
      (e) => !ac.signal.aborted && setRunError(e),
    );
    pre("equity", () => api.equity(id, ac.signal)).then((x) => !ac.signal.aborted && setEquity(x.points), () => {});
    setTradesLoading(true);
    pre("trades", () => api.trades(id, tq, ac.signal)).then(
      (x) => {
        if (ac.signal.aborted) return;
        setTrades(x);
        setTradesError(null);
        setTradesLoading(false);
      },
      (e) => {
        if (ac.signal.aborted) return;
        setTradesError(e);
        setTradesLoading(false);
      },
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [id, tick]);

  useEffect(() => {
    metricsMeta().then(setMeta, () => {});
  }, []);

  // later trade pages / sorts
  useEffect(() => {
    if (loadedTq.current === tq) return; // the first page came with the first load
    const ac = new AbortController();
    setTradesLoading(true);
    api.trades(id, tq, ac.signal).then(
      (x) => {
        if (ac.signal.aborted) return; // a later page was asked for: this answer is stale
        setTrades(x);
        setTradesError(null);
        setTradesLoading(false);
      },
      (e) => {
        if (ac.signal.aborted) return;
        setTradesError(e);
        setTradesLoading(false);
      },
    );
    return () => ac.abort();
  }, [id, tq]);

  const active = Boolean(run && !TERMINAL.includes(run.status));
  const onTerminal = useCallback((_s: RunStatus) => setTick((t) => t + 1), []);
  const live = useRunEvents(id, active, onTerminal);

  const loadAll = useCallback(() => {
    if (!allPromise.current) {
      allPromise.current = allTrades(id);
      allPromise.current.then(setAll, () => {
        allPromise.current = null;
      });
    }
    return allPromise.current;
  }, [id]);

  const [priceRef, priceVisible] = useInView<HTMLDivElement>();
  // What the first screen does not need to be read (every trade, for the chart's markers; the
  // rolling views, the per-symbol table, the monthly returns) waits until the charts in view have
  // painted, so it does not compete with their first drawing: the price chart's paint when it is
  // in view, else the page's first idle moment once the equity curve is there.
  const settled = useSettled(id, equity !== null, priceVisible);
  useEffect(() => {
    if (settled.done && priceVisible && equity !== null && run?.status === "completed") loadAll().catch(() => {});
  }, [settled.done, priceVisible, equity, run?.status, loadAll]);

  useEffect(() => {
    if (isFiltered(filter)) loadAll().catch(() => {});
  }, [filter, loadAll]);
  const [tradesRef, tradesVisible] = useInView<HTMLDivElement>();
  const [viewsRef, viewsVisible] = useInView<HTMLDivElement>();
  const [symbolsRef, symbolsVisible] = useInView<HTMLDivElement>();
  useEffect(() => {
    if (settled.done && tradesVisible && run?.status === "completed") loadAll().catch(() => {});
  }, [settled.done, tradesVisible, run?.status, loadAll]);
  const filterOptions = useMemo(() => {
    const uniq = (xs: string[]) => Array.from(new Set(xs)).sort();
    return {
      symbols: all ? uniq(all.map((t) => t.symbol)) : (run?.symbols ?? []),
      sides: all ? uniq(all.map((t) => t.direction)) : ["long", "short"],
      exitReasons: all ? uniq(all.map((t) => t.exit_reason)) : undefined,
    };
  }, [all, run?.symbols]);
  // With a filter the table pages through the run's trades here (all of them are loaded once).
  const shownTrades = useMemo(() => (isFiltered(filter) ? (all ? pageOf(filterTrades(all, filter), tq) : undefined) : trades), [filter, all, tq, trades]);
  const selectTrade = useCallback((t: Trade) => {
    setFocus({ trade: t, nonce: Date.now() });
    document.querySelector('[data-testid="price-chart"]')?.scrollIntoView({ block: "start" });
  }, []);

  if (runError) {
    return (
      <div className="page">
        <ErrorBox error={runError} title={(runError as { status?: number }).status === 404 ? `Run ${id} not found` : undefined} />
        <p>
          <Link to="/runs">← All runs</Link>
        </p>
      </div>
    );
  }
  if (!run) return <div className="page"><Loading label="Loading run…" /></div>;

  const status: RunStatus = (active && live.status) || run.status;
  const percent = status === "completed" ? 100 : Math.round(active ? Math.max(live.percent, (run.progress ?? 0) * 100) : (run.progress ?? 0) * 100);
  const currency = runCurrency(run);

  async function cancel() {
    setBusy("cancel");
    setActionError(null);
    try {
      setRun(await api.cancel(id));
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  async function exportCsv() {
    setBusy("csv");
    try {
      const rows = await loadAll();
      // numbered from 1, as the table numbers them
      const numbered = rows.map((t) => ({ ...t, seq: t.seq + 1 }));
      download(`${run!.strategy_name}_${id.slice(0, 8)}_trades.csv`, toCsv(numbered, [...TRADE_COLUMNS]), "text/csv");
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(null);
    }
  }
  async function exportJson() {
    setBusy("json");
    try {
      const [rows, eq] = await Promise.all([loadAll(), equity ? Promise.resolve(equity) : api.equity(id).then((x) => x.points)]);
      const doc = { run, equity_curve: eq, trades: rows };
      download(`${run!.strategy_name}_${id.slice(0, 8)}.json`, JSON.stringify(doc, null, 2), "application/json");
    } catch (e) {
      setActionError(errorText(e));
    } finally {
      setBusy(null);
    }
  }

  return (
    <div className="page">
      <div className="page-head row">
        <div>
          <p className="crumbs">
            <Link to="/runs">Runs</Link> / <span className="mono">{id.slice(0, 8)}</span>
          </p>
          <h1>
            <span className="mono">{run.strategy_name}</span> <span className="muted">on</span> {run.universe ?? (run.symbols ?? []).join(", ")}{" "}
            <span className="muted small">({run.market})</span>
          </h1>
          <div className="badges">
            <span className={`badge status-${status}`} data-testid="run-status">
              {status}
            </span>
            <SyntheticBadge show={run.synthetic} />
            <span className="muted small">created {formatDateTime(run.created_at)}</span>
            {run.final_equity !== null && <span className="muted small">final equity {formatCurrency(run.final_equity, currency)}</span>}
          </div>
          <RunLabel run={run} onChange={setRun} />
        </div>
        <div className="actions">
          {active && (
            <button type="button" className="btn btn-danger" data-testid="cancel-run" onClick={cancel} disabled={busy === "cancel" || Boolean(run.cancel_requested)}>
              {busy === "cancel" || run.cancel_requested ? "Cancelling…" : "Cancel run"}
            </button>
          )}
          <Link className="btn" to={`/backtests/new?from=${id}`}>
            Re-run with changes
          </Link>
          <button type="button" className="btn" data-testid="export-csv" onClick={exportCsv} disabled={status !== "completed" || busy === "csv"}>
            {busy === "csv" ? "Exporting…" : "Export trades CSV"}
          </button>
          <button type="button" className="btn" data-testid="export-json" onClick={exportJson} disabled={status !== "completed" || busy === "json"}>
            {busy === "json" ? "Exporting…" : "Export JSON"}
          </button>
        </div>
      </div>
      {actionError && (
        <div className="form-error" role="alert">
          {actionError}
        </div>
      )}

      <Section title="Progress" testId="run-progress">
        <div className="progress-row">
          <div className="progress" data-testid="progress-bar" role="progressbar" aria-valuemin={0} aria-valuemax={100} aria-valuenow={percent} aria-label="Run progress">
            <div className={`progress-fill status-${status}`} style={{ width: `${percent}%` }} />
          </div>
          <span className="progress-percent strong" data-testid="progress-percent">
            {percent}%
          </span>
        </div>
        <p className="muted small" aria-live="polite">
          {active ? (
            <>
              {run.cancel_requested ? "cancel requested: stopping the worker…" : (live.message ?? run.progress_message ?? (status === "queued" ? "waiting for a worker…" : "running…"))}
              {live.symbol && (
                <>
                  {" "}· <span className="mono">{live.symbol}</span>
                </>
              )}
              {live.eta !== null && <> · about {formatDuration(live.eta)} left</>}
              {live.reconnecting && <> · reconnecting…</>}
            </>
          ) : status === "completed" ? (
            <>Done{run.timings?.total !== undefined ? ` in ${run.timings.total < 1 ? Math.round(run.timings.total * 1000) + " ms" : formatDuration(run.timings.total)}` : ""}.</>
          ) : (
            <>
              {status}
              {run.progress_message && run.progress_message !== status ? ` — ${run.progress_message}` : ""}
            </>
          )}
        </p>
        {live.logs.length > 0 && active && (
          <details>
            <summary className="small">Log ({live.logs.length})</summary>
            <pre className="log">{live.logs.join("\n")}</pre>
          </details>
        )}
        {(run.error || live.terminalMessage) && status !== "completed" && (
          <div className="form-error" role="alert" data-testid="run-error">
            {run.error_code ? <strong>{run.error_code}: </strong> : null}
            {run.error ?? live.terminalMessage}
          </div>
        )}
      </Section>

      {run.notes && run.notes.length > 0 && (
        <div className="notes" data-testid="run-notes">
          <strong>Notes</strong>
          <ul>
            {run.notes.map((n, i) => (
              <li key={i}>{n}</li>
            ))}
          </ul>
        </div>
      )}

      {status === "completed" && (
        <>
          <Section title="Performance" testId="metrics">
            {run.metrics ? <MetricCards metrics={run.metrics} meta={meta} currency={currency} /> : <p className="muted">No metrics recorded.</p>}
          </Section>
          <Section title="Equity and drawdown">
            {equity === null ? <Loading label="Loading equity curve…" /> : equity.length === 0 ? <p className="muted">No equity points.</p> : <EquityChart points={equity} currency={currency} />}
          </Section>
          <div ref={viewsRef}>
            <Section title="Rolling risk, exposure, drawdowns and returns" testId="equity-views-section">
              {viewsVisible && settled.done ? <EquityViews runId={id} /> : <div style={{ height: 820 }} />}
            </Section>
          </div>
          <div ref={priceRef}>
            <Section title="Prices and trades" testId="price-chart">
              {priceVisible && equity !== null ? <PriceChart run={run} trades={all} focus={focus} symbol={chartSymbol} onPainted={settled.settle} /> : <div style={{ height: 460 }} />}
            </Section>
          </div>
          <div ref={symbolsRef} className="lazy-render">
          <Section title="By symbol" testId="symbol-breakdown">
            {symbolsVisible && settled.done ? (
            <SymbolBreakdown
              runId={id}
              currency={currency}
              onChart={(symbol) => {
                setChartSymbol({ symbol });
                document.querySelector('[data-testid="price-chart"]')?.scrollIntoView({ block: "start" });
              }}
            />
            ) : (
              <div style={{ height: 160 }} />
            )}
          </Section>
          </div>
          <div ref={tradesRef} className="lazy-render">
          <Section title="Trades">
            <TradesTable
              page={shownTrades}
              error={tradesError}
              loading={isFiltered(filter) ? !all : tradesLoading}
              query={tq}
              onQuery={setTq}
              currency={currency}
              onRetry={() => setTq({ ...tq })}
              filter={filter}
              onFilter={(f) => {
                setFilter(f);
                setTq({ ...tq, offset: 0 });
              }}
              options={filterOptions}
              onSelect={selectTrade}
              selected={focus?.trade.seq ?? null}
            />
          </Section>
          </div>
          <div className="lazy-render">
            <Section title="Monthly returns">{equity && settled.done ? <MonthlyHeatmap points={equity} effectiveStart={run.effective_start} /> : <Loading />}</Section>
          </div>
        </>
      )}
      <div className="lazy-render">
        <Section title="Configuration">
          <RunConfig run={run} />
        </Section>
      </div>
    </div>
  );
}
