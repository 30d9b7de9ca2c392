import type { Page, Trade } from "../api/types";
import { formatCurrency, formatDate, formatNumber, formatPct, formatPrice } from "../lib/format";
import { Empty, ErrorBox, Loading, Pager } from "./ui";

export const PAGE_SIZES = [25, 100, 500, 5000];
const SORTABLE: Record<string, string> = {
  seq: "#",
  symbol: "Symbol",
  entry_time: "Entry",
  exit_time: "Exit",
  qty: "Qty",
  fees: "Fees",
  pnl_net: "Net P&L",
  return_pct: "Return",
  bars_held: "Bars",
};

export interface TradesQuery {
  limit: number;
  offset: number;
  sort: string;
}

export interface TradesFilter {
  symbol: string;
  side: string;
  exitReason: string;
  outcome: "" | "winner" | "loser";
}

export const NO_FILTER: TradesFilter = { symbol: "", side: "", exitReason: "", outcome: "" };

export function isFiltered(f: TradesFilter): boolean {
  return Boolean(f.symbol || f.side || f.exitReason || f.outcome);
}

/** The trades that pass the filter (winner: net P&L > 0; loser: net P&L <= 0). */
export function filterTrades(trades: Trade[], f: TradesFilter): Trade[] {
  return trades.filter(
    (t) =>
      (!f.symbol || t.symbol === f.symbol) &&
      (!f.side || t.direction === f.side) &&
      (!f.exitReason || t.exit_reason === f.exitReason) &&
      (!f.outcome || (f.outcome === "winner" ? t.pnl_net > 0 : t.pnl_net <= 0)),
  );
}

/** One page of ``trades`` in the query's order (as the API sorts: ties by trade number). */
export function pageOf(trades: Trade[], q: TradesQuery): Page<Trade> {
  const key = q.sort.replace(/^-/, "") as keyof Trade;
  const sign = q.sort.startsWith("-") ? -1 : 1;
  const rows = [...trades].sort((a, b) => {
    const x = a[key] ?? -Infinity;
    const y = b[key] ?? -Infinity;
    return (x < y ? -sign : x > y ? sign : 0) || a.seq - b.seq;
  });
  return { items: rows.slice(q.offset, q.offset + q.limit), total: rows.length, limit: q.limit, offset: q.offset } as Page<Trade>;
}

export default function TradesTable({
  page,
  error,
  loading,
  query,
  onQuery,
  currency,
  onRetry,
  filter,
  onFilter,
  options,
  onSelect,
  selected,
}: {
  page: Page<Trade> | undefined;
  error: unknown;
  loading: boolean;
  query: TradesQuery;
  onQuery: (q: TradesQuery) => void;
  currency: string;
  onRetry?: () => void;
  filter?: TradesFilter;
  onFilter?: (f: TradesFilter) => void;
  /** the choices of each filter (from all the run's trades), once they are loaded */
  /** the choices of each filter; exit reasons once all the run's trades are loaded */
  options?: { symbols: string[]; sides: string[]; exitReasons?: string[] };
  onSelect?: (t: Trade) => void;
  selected?: number | null;
}) {
  const f = filter ?? NO_FILTER;
  const pick = (label: string, key: keyof TradesFilter, values: string[] | undefined, names?: Record<string, string>) => (
    <label className="small">
      {label}{" "}
      <select value={f[key]} data-testid={`trades-filter-${key}`} disabled={!values} onChange={(e) => onFilter?.({ ...f, [key]: e.target.value })}>
        <option value="">all</option>
        {(values ?? []).map((v) => (
          <option key={v} value={v}>
            {names?.[v] ?? v}
          </option>
        ))}
      </select>
    </label>
  );
  const sortKey = query.sort.replace(/^-/, "");
  const desc = query.sort.startsWith("-");
  const header = (key: string, label?: string, num = false) => {
    const sortable = key in SORTABLE;
    const active = sortKey === key;
    const text = label ?? SORTABLE[key] ?? key;
    return (
      <th className={num ? "num" : ""} aria-sort={active ? (desc ? "descending" : "ascending") : undefined}>
        {sortable ? (
          <button
            type="button"
            className="th-sort"
            data-testid={`trades-sort-${key}`}
            onClick={() => onQuery({ ...query, offset: 0, sort: active && !desc ? `-${key}` : key })}
          >
            {text}
            <span aria-hidden="true">{active ? (desc ? " ▼" : " ▲") : ""}</span>
          </button>
        ) : (
          text
        )}
      </th>
    );
  };
  return (
    <div>
      <div className="toolbar">
        <span data-testid="trades-total" className="strong">
          {page ? page.total : "…"}
        </span>
        <span className="muted">trades{isFiltered(f) ? " (filtered)" : ""}</span>
        {onFilter && (
          <>
            {pick("Symbol", "symbol", options?.symbols ?? [])}
            {pick("Side", "side", options?.sides ?? [])}
            {pick("Exit", "exitReason", options?.exitReasons)}
            {pick("Outcome", "outcome", ["winner", "loser"], { winner: "winners", loser: "losers" })}
            {isFiltered(f) && (
              <button type="button" className="btn btn-small" data-testid="trades-filter-clear" onClick={() => onFilter(NO_FILTER)}>
                Clear
              </button>
            )}
          </>
        )}
        <span className="spacer" />
        <label className="small">
          Rows per page{" "}
          <select
            value={query.limit}
            data-testid="trades-page-size"
            onChange={(e) => onQuery({ ...query, offset: 0, limit: Number(e.target.value) })}
          >
            {PAGE_SIZES.map((n) => (
              <option key={n} value={n}>
                {n}
              </option>
            ))}
          </select>
        </label>
        {page && <Pager prefix="trades" offset={query.offset} limit={query.limit} total={page.total} onChange={(offset) => onQuery({ ...query, offset })} />}
      </div>
      {error ? <ErrorBox error={error} onRetry={onRetry} /> : null}
      {!page && loading ? <Loading label="Loading trades…" /> : null}
      {page && page.total === 0 ? <Empty>{isFiltered(f) ? "No trade matches these filters." : "This run made no trades."}</Empty> : null}
      {page && page.total > 0 && onSelect ? <p className="muted small table-hint">Click a trade to see it on the price chart. Scroll the table sideways for more columns →</p> : null}
      {page && page.total > 0 && (
        <div className={"table-wrap" + (loading ? " is-loading" : "")}>
          <table className="table trades" data-testid="trades-table">
            <thead>
              <tr>
                {header("seq")}
                {header("symbol")}
                <th>Side</th>
                {header("entry_time")}
                <th className="num">Entry price</th>
                {header("exit_time")}
                <th className="num">Exit price</th>
                {header("qty", undefined, true)}
                <th className="num">Gross P&amp;L</th>
                {header("fees", undefined, true)}
                <th className="num">Dividends</th>
                {header("pnl_net", undefined, true)}
                {header("return_pct", undefined, true)}
                {header("bars_held", undefined, true)}
                <th>Exit reason</th>
              </tr>
            </thead>
            <tbody>
              {page.items.map((t) => (
                <tr
                  key={t.seq}
                  data-testid="trade-row"
                  data-seq={t.seq + 1}
                  className={(onSelect ? "clickable" : "") + (selected === t.seq ? " selected" : "")}
                  onClick={onSelect ? () => onSelect(t) : undefined}
                  tabIndex={onSelect ? 0 : undefined}
                  onKeyDown={onSelect ? (e) => e.key === "Enter" && onSelect(t) : undefined}
                  aria-selected={onSelect ? selected === t.seq : undefined}
                >
                  <td className="mono muted">{t.seq + 1}</td>
                  <td className="mono">{t.symbol}</td>
                  <td>{t.direction}</td>
                  <td className="mono">{formatDate(t.entry_time)}</td>
                  <td className="num">
                    {formatPrice(t.entry_price, currency)}
                    <Adjusted actual={t.entry_price} adjusted={t.entry_price_adj} currency={currency} />
                  </td>
                  <td className="mono">{formatDate(t.exit_time)}</td>
                  <td className="num">
                    {formatPrice(t.exit_price, currency)}
                    <Adjusted actual={t.exit_price} adjusted={t.exit_price_adj} currency={currency} />
                  </td>
                  <td className="num">
                    {formatNumber(t.qty, Number.isInteger(t.qty) ? 0 : 4, currency)}
                    {t.exit_qty != null && Math.abs(t.exit_qty - t.qty) > 1e-9 ? (
                      <span className="sub muted" title="shares sold at exit: a split happened while the trade was open">
                        sold {formatNumber(t.exit_qty, Number.isInteger(t.exit_qty) ? 0 : 4, currency)}
                      </span>
                    ) : null}
                  </td>
                  <td className={"num " + (t.pnl_gross >= 0 ? "pos" : "neg")}>{formatCurrency(t.pnl_gross, currency)}</td>
                  <td className="num">{formatCurrency(t.fees, currency)}</td>
                  <td className="num">{t.dividends ? formatCurrency(t.dividends, currency) : "—"}</td>
                  <td className={"num strong " + (t.pnl_net >= 0 ? "pos" : "neg")}>{formatCurrency(t.pnl_net, currency)}</td>
                  <td className={"num " + ((t.return_pct ?? 0) >= 0 ? "pos" : "neg")}>{formatPct(t.return_pct)}</td>
                  <td className="num">{t.bars_held}</td>
                  <td>
                    <span className="badge badge-soft">{t.exit_reason}</span>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}
    </div>
  );
}

/** The adjusted-scale price under the real fill, where the two differ (splits, dividends). */
function Adjusted({ actual, adjusted, currency }: { actual: number; adjusted: number | null | undefined; currency: string }) {
  if (adjusted == null || Math.abs(adjusted - actual) <= 1e-9 * Math.max(1, Math.abs(actual))) return null;
  return (
    <span className="sub muted" title="on the split- and dividend-adjusted scale the signals used" data-testid="adjusted-price">
      adj {formatPrice(adjusted, currency)}
    </span>
  );
}
