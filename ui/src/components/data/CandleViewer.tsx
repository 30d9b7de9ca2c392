import { useEffect, useRef, useState } from "react";
import { CandlestickSeries, HistogramSeries, type UTCTimestamp } from "lightweight-charts";
import { marketDataApi } from "../../api/client";
import type { CandlesResponse, SymbolMatch } from "../../api/marketData";
import { useAsync } from "../../lib/hooks";
import { chartColors, useTheme } from "../../lib/theme";
import { toChartTime } from "../../lib/time";
import { formatCompact, formatPrice } from "../../lib/format";
import { ErrorBox, Loading } from "../ui";
import { fitWhenSized, makeChart } from "../charts";
import { TIMEFRAMES } from "./SyncPanel";

function daysAgo(n: number): string {
  return new Date(Date.now() - n * 86_400_000).toISOString().slice(0, 10);
}

/** Candles of one symbol from the market-data store (symbol search by name or ticker, any
 * timeframe incl. intraday), drawn with their volume. */
export default function CandleViewer({ markets, pick }: { markets: string[]; pick?: { symbol: string; market: string; timeframe?: string; start?: string; end?: string; nonce: number } | null }) {
  const [market, setMarket] = useState("US");
  const [query, setQuery] = useState("");
  const [debounced, setDebounced] = useState("");
  const [symbol, setSymbol] = useState("");
  const [timeframe, setTimeframe] = useState("1d");
  const [start, setStart] = useState(daysAgo(365));
  const [end, setEnd] = useState(daysAgo(0));

  useEffect(() => {
    if (!pick) return;
    setMarket(pick.market);
    setSymbol(pick.symbol);
    setQuery(pick.symbol);
    if (pick.timeframe) setTimeframe(pick.timeframe);
    if (pick.start) setStart(pick.start);
    if (pick.end) setEnd(pick.end);
  }, [pick]);

  useEffect(() => {
    const t = setTimeout(() => setDebounced(query.trim()), 250);
    return () => clearTimeout(t);
  }, [query]);
  const search = useAsync<SymbolMatch[]>(
    (s) => (debounced.length >= 1 && debounced.toUpperCase() !== symbol ? marketDataApi.search(debounced, market, s).then((r) => r.results) : Promise.resolve([])),
    [debounced, market, symbol],
  );
  const candles = useAsync<CandlesResponse | null>(
    (s) => (symbol ? marketDataApi.candles({ symbol, market, timeframe, start, end }, s) : Promise.resolve(null)),
    [symbol, market, timeframe, start, end],
  );

  return (
    <div data-testid="candle-viewer">
      <div className="toolbar">
        <label className="small">
          Market{" "}
          <select value={market} onChange={(e) => setMarket(e.target.value)} data-testid="candles-market">
            {(markets.length ? markets : ["US", "IN"]).map((m) => (
              <option key={m} value={m}>
                {m}
              </option>
            ))}
          </select>
        </label>
        <div className="symbol-search" style={{ position: "relative" }}>
          <input
            type="search"
            value={query}
            onChange={(e) => setQuery(e.target.value)}
            onKeyDown={(e) => {
              if (e.key === "Enter" && query.trim()) setSymbol(query.trim().toUpperCase());
            }}
            placeholder="Search a symbol or company"
            aria-label="Symbol search"
            data-testid="candles-search"
            autoComplete="off"
          />
          {search.data && search.data.length > 0 && (
            <ul className="search-results" role="listbox" data-testid="candles-results" style={{ position: "absolute", zIndex: 5, listStyle: "none", margin: 0, padding: 4, background: "var(--surface)", border: "1px solid var(--border)", borderRadius: 6, minWidth: 280 }}>
              {search.data.slice(0, 12).map((r) => (
                <li key={`${r.symbol}-${r.exchange}`}>
                  <button
                    type="button"
                    role="option"
                    aria-selected={false}
                    className="btn btn-ghost btn-small"
                    data-testid="candles-result"
                    data-symbol={r.symbol}
                    onClick={() => {
                      setSymbol(r.symbol);
                      setQuery(r.symbol);
                    }}
                  >
                    <span className="mono strong">{r.symbol}</span> <span className="muted small">{r.name}</span> {r.exchange ? <span className="muted small">· {r.exchange}</span> : null}
                  </button>
                </li>
              ))}
            </ul>
          )}
          {search.error ? <span className="small neg">{String((search.error as Error).message ?? search.error)}</span> : null}
        </div>
        <div className="segmented" role="group" aria-label="Timeframe">
          {TIMEFRAMES.map((t) => (
            <button key={t} type="button" className={t === timeframe ? "active" : ""} aria-pressed={t === timeframe} data-testid={`candles-tf-${t}`} onClick={() => setTimeframe(t)}>
              {t}
            </button>
          ))}
        </div>
        <label className="small">
          From <input type="date" value={start} onChange={(e) => setStart(e.target.value)} data-testid="candles-start" />
        </label>
        <label className="small">
          To <input type="date" value={end} onChange={(e) => setEnd(e.target.value)} data-testid="candles-end" />
        </label>
      </div>
      {!symbol ? <p className="muted">Search a symbol to see its candles.</p> : null}
      {candles.error ? <ErrorBox error={candles.error} onRetry={candles.reload} /> : null}
      {candles.loading && symbol ? <Loading label={`Loading ${symbol} ${timeframe} candles…`} /> : null}
      {candles.data && !candles.error ? <CandleChart data={candles.data} /> : null}
    </div>
  );
}

export function CandleChart({ data }: { data: CandlesResponse }) {
  const el = useRef<HTMLDivElement>(null);
  const { theme } = useTheme();
  const rows = data.candles;
  const last = rows.length ? rows[rows.length - 1] : null;
  useEffect(() => {
    if (!el.current || !rows.length) return;
    const c = chartColors(theme);
    const intraday = data.timeframe !== "1d" || rows[0].ts.length > 10;
    const ch = makeChart(el.current, theme, { timeScale: { timeVisible: intraday, borderColor: c.border } });
    const candles = ch.addSeries(CandlestickSeries, {
      upColor: c.up,
      downColor: c.down,
      borderUpColor: c.up,
      borderDownColor: c.down,
      wickUpColor: c.up,
      wickDownColor: c.down,
      priceLineVisible: false,
    });
    const times = rows.map((r) => toChartTime(r.ts));
    candles.setData(rows.map((r, i) => ({ time: times[i] as UTCTimestamp, open: r.open, high: r.high, low: r.low, close: r.close })));
    const vol = ch.addSeries(
      HistogramSeries,
      { color: c.benchmark, priceFormat: { type: "custom", formatter: (v: number) => formatCompact(v, "USD").replace("$", ""), minMove: 1 }, priceLineVisible: false, lastValueVisible: false, title: "Volume" },
      1,
    );
    vol.setData(rows.map((r, i) => ({ time: times[i] as UTCTimestamp, value: r.volume ?? 0, color: r.close >= r.open ? c.up + "88" : c.down + "88" })));
    ch.panes()[1]?.setHeight(80);
    const unfit = fitWhenSized(ch, el.current);
    el.current.dataset.drawnBars = String(candles.data().length);
    return () => {
      unfit();
      ch.remove();
    };
  }, [rows, data.timeframe, theme]);
  return (
    <div>
      <p className="small muted" data-testid="candles-caption">
        <strong className="mono">{data.symbol}</strong> · {data.market} · {data.timeframe} · {rows.length.toLocaleString("en-US")} bars · source {data.source}
        {last ? ` · last ${last.ts} close ${formatPrice(last.close, data.market === "IN" ? "INR" : "USD")}` : ""}
      </p>
      {rows.length === 0 ? <p className="muted">No candles for {data.symbol} in this range.</p> : null}
      <div
        ref={el}
        className="chart"
        style={{ height: 420, display: rows.length ? "block" : "none" }}
        data-testid="candle-chart"
        data-symbol={data.symbol}
        data-bars={rows.length}
        data-last-close={last ? String(last.close) : ""}
        data-last-ts={last ? last.ts : ""}
        role="img"
        aria-label={`${data.symbol} ${data.timeframe} candlesticks`}
      />
    </div>
  );
}
