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

export default function TradesTable({
  page,
  error,
  loading,
  query,
  onQuery,
  currency,
  onRetry,
}: {
  page: Page<Trade> | undefined;
  error: unknown;
  loading: boolean;
  query: TradesQuery;
  onQuery: (q: TradesQuery) => void;
  currency: string;
  onRetry?: () => void;
}) {
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
        <span className="muted">trades</span>
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
      {page && page.total === 0 ? <Empty>This run made no trades.</Empty> : null}
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
                <tr key={t.seq} data-testid="trade-row">
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
