import { useMemo, useState } from "react";
import { workbenchApi } from "../api/client";
import type { SymbolBreakdown as Breakdown, SymbolRow } from "../api/types";
import { useAsync } from "../lib/hooks";
import { formatCurrency, formatNumber, formatPct } from "../lib/format";
import { Empty, ErrorBox, Loading } from "./ui";

type Key = keyof SymbolRow;
const COLUMNS: { key: Key; label: string; title?: string }[] = [
  { key: "symbol", label: "Symbol" },
  { key: "pnl_net", label: "Net P&L" },
  { key: "return_contribution", label: "Contribution", title: "net P&L / initial capital: the symbols' contributions add up to the closed trades' share of the return" },
  { key: "trades", label: "Trades" },
  { key: "win_rate", label: "Win rate", title: "winners (net P&L > 0) / closed trades" },
  { key: "exposure", label: "Exposure", title: "bars held by its closed trades / the run's sessions" },
  { key: "fees", label: "Fees" },
  { key: "dividends", label: "Dividends" },
];

/** The run's closed trades by symbol (computed by the API), sortable; a symbol opens its chart. */
export default function SymbolBreakdown({ runId, currency, onChart }: { runId: string; currency: string; onChart: (symbol: string) => void }) {
  const data = useAsync<Breakdown>((s) => workbenchApi.symbols(runId, s), [runId]);
  const [sort, setSort] = useState<{ key: Key; desc: boolean }>({ key: "pnl_net", desc: true });
  const rows = useMemo(() => {
    const items = [...(data.data?.items ?? [])];
    const sign = sort.desc ? -1 : 1;
    return items.sort((a, b) => {
      const x = a[sort.key] ?? -Infinity;
      const y = b[sort.key] ?? -Infinity;
      return (x < y ? -sign : x > y ? sign : 0) || a.symbol.localeCompare(b.symbol);
    });
  }, [data.data, sort]);
  if (data.error) return <ErrorBox error={data.error} onRetry={data.reload} />;
  if (!data.data) return <Loading label="Loading the per-symbol breakdown…" />;
  if (!rows.length) return <Empty>No closed trades.</Empty>;
  const t = data.data.totals;
  const money = (v: number) => <span className={v >= 0 ? "pos" : "neg"}>{formatCurrency(v, currency)}</span>;
  const cells = (r: Omit<SymbolRow, "symbol">, total = false) => (
    <>
      <td className="num strong">{money(r.pnl_net)}</td>
      <td className="num">{formatPct(r.return_contribution, 2, true)}</td>
      <td className="num">{formatNumber(r.trades, 0, currency)}</td>
      <td className="num">{formatPct(r.win_rate, 1)}</td>
      <td className="num" title={total ? "positions open on average (bars held by all closed trades / sessions)" : undefined}>
        {total ? `${formatNumber(r.exposure, 2, currency)} avg. positions` : formatPct(r.exposure, 1)}
      </td>
      <td className="num">{formatCurrency(r.fees, currency)}</td>
      <td className="num">{r.dividends ? formatCurrency(r.dividends, currency) : "—"}</td>
    </>
  );
  return (
    <div className="table-wrap">
      <table className="table" data-testid="symbol-table">
        <thead>
          <tr>
            {COLUMNS.map((c) => {
              const active = sort.key === c.key;
              return (
                <th key={c.key} className={c.key === "symbol" ? "" : "num"} title={c.title} aria-sort={active ? (sort.desc ? "descending" : "ascending") : undefined}>
                  <button type="button" className="th-sort" data-testid={`symbol-sort-${c.key}`} onClick={() => setSort({ key: c.key, desc: active ? !sort.desc : c.key !== "symbol" })}>
                    {c.label}
                    <span aria-hidden="true">{active ? (sort.desc ? " ▼" : " ▲") : ""}</span>
                  </button>
                </th>
              );
            })}
          </tr>
        </thead>
        <tbody>
          {rows.map((r) => (
            <tr key={r.symbol} data-testid="symbol-row" data-symbol={r.symbol} data-pnl={r.pnl_net} data-trades={r.trades} data-fees={r.fees}>
              <td>
                <button type="button" className="link mono" data-testid="symbol-chart" onClick={() => onChart(r.symbol)} title={`show ${r.symbol} on the price chart`}>
                  {r.symbol}
                </button>
              </td>
              {cells(r)}
            </tr>
          ))}
        </tbody>
        <tfoot>
          <tr data-testid="symbol-totals" data-pnl={t.pnl_net} data-trades={t.trades} data-fees={t.fees}>
            <th scope="row">All symbols</th>
            {cells(t, true)}
          </tr>
          {data.data.not_in_closed_trades !== null && Math.abs(data.data.not_in_closed_trades) > 0.005 ? (
            <tr className="muted" data-testid="symbol-open">
              <th scope="row" colSpan={1}>Still open at the end</th>
              <td className="num">{money(data.data.not_in_closed_trades)}</td>
              <td className="num">{formatPct(data.data.not_in_closed_trades / data.data.initial_capital, 2, true)}</td>
              <td colSpan={5} className="small">marked to market, not a closed trade: with it, the run's P&amp;L is {formatCurrency(data.data.run_pnl, currency)}</td>
            </tr>
          ) : null}
        </tfoot>
      </table>
    </div>
  );
}
