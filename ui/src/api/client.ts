import { ApiError } from "../lib/apiErrors";
import { authRequired, withAuth, withTokenParam } from "../lib/auth";
import type { Screen, ScreenRequest, ScreenRow } from "./types";
import type {
  BacktestRequest,
  BarsResponse,
  EquityPoint,
  IndicatorsResponse,
  Market,
  MarketDetail,
  MetricMeta,
  Page,
  PriceChartResponse,
  Importance,
  Run,
  Study,
  StudyRequest,
  Trial,
  StrategyDetail,
  StrategySummary,
  SymbolInfo,
  Trade,
  Universe,
  UploadResponse,
  CorrelationReport,
  PortfolioReport,
  PortfolioRebalance,
  PortfolioWeighting,
} from "./types";
import type { WalkForward, WalkForwardRequest, WalkForwardWindow } from "./types";
import type { EquityViews, SymbolBreakdown } from "./types";
import type { CandlesResponse, ProviderInfo, SymbolSearch, SyncRequest, SyncState, TradeLevels } from "./marketData";

export const API = "/api/v2";

function qs(params: Record<string, string | number | undefined | null | boolean>): string {
  const u = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) if (v !== undefined && v !== null && v !== "") u.set(k, String(v));
  const s = u.toString();
  return s ? "?" + s : "";
}

interface Raw {
  ok: boolean;
  status: number;
  text: string;
  statusText?: string;
}

async function request<T>(path: string, init?: RequestInit): Promise<T> {
  let raw: Raw;
  try {
    const res = await fetch(API + path, withAuth(init));
    raw = { ok: res.ok, status: res.status, statusText: res.statusText, text: await res.text() };
    if (res.status === 401) authRequired(); // the page asks for the API token
  } catch (e) {
    if ((e as Error).name === "AbortError") throw e;
    throw new ApiError(0, { code: "network_error", message: "cannot reach the Ava API — is `ava serve` running?" });
  }
  return parse<T>(raw);
}

function parse<T>(res: Raw): T {
  const text = res.text;
  let body: unknown = null;
  try {
    body = text ? JSON.parse(text) : null;
  } catch {
    body = null;
  }
  if (!res.ok) {
    const err = (body as { error?: { code: string; message: string; details?: unknown } } | null)?.error;
    throw new ApiError(res.status, {
      code: err?.code ?? (res.status === 404 ? "not_found" : "http_error"),
      message: err?.message ?? `${res.status} ${res.statusText ?? ""}`.trim(),
      details: (err?.details as never) ?? null,
    });
  }
  return body as T;
}

const json = (method: string, body: unknown): RequestInit => ({
  method,
  headers: { "content-type": "application/json" },
  body: JSON.stringify(body),
});

export const api = {
  // GET /strategies answers the original README's unpaginated array (the count in X-Total-Count);
  // the pages keep their {items, total} view of it.
  strategies: async (q: { category?: string; direction?: string; search?: string } = {}, signal?: AbortSignal): Promise<Page<StrategySummary>> => {
    const items = await request<StrategySummary[]>(`/strategies${qs(q)}`, { signal });
    return { items, total: items.length, limit: items.length, offset: 0 };
  },
  strategy: (name: string, signal?: AbortSignal) =>
    request<StrategyDetail>(`/strategies/${encodeURIComponent(name)}`, { signal }),
  markets: () => request<Market[]>(`/markets`),
  market: (code: string) => request<MarketDetail>(`/markets/${encodeURIComponent(code)}`),
  universes: () => request<Page<Universe>>(`/universes`),
  symbols: (market: string) => request<Page<SymbolInfo>>(`/data/symbols${qs({ market })}`),
  bars: (
    market: string,
    symbol: string,
    q: { start?: string; end?: string; prices?: "adjusted" | "as_traded" },
    signal?: AbortSignal,
  ) => request<BarsResponse>(`/data/bars/${encodeURIComponent(market)}/${encodeURIComponent(symbol)}${qs(q)}`, { signal }),
  /** A symbol's bars (as columns) and the strategy's series for the run page's price chart;
   * without a symbol or prices: the run's first symbol in the view the chart opens with. */
  priceChart: (runId: string, q: { symbol?: string; prices?: "adjusted" | "as_traded" }, signal?: AbortSignal) =>
    request<PriceChartResponse>(`/backtests/${encodeURIComponent(runId)}/price-chart${qs(q)}`, { signal }),
  indicators: (runId: string, symbol: string, signal?: AbortSignal) =>
    request<IndicatorsResponse>(`/backtests/${encodeURIComponent(runId)}/indicators${qs({ symbol })}`, { signal }),
  upload: (form: FormData) => request<UploadResponse>(`/data/upload`, { method: "POST", body: form }),
  metricsMeta: () => request<MetricMeta[]>(`/meta/metrics`),
  createBacktest: (body: BacktestRequest) => request<Run>(`/backtests`, json("POST", body)),
  runs: (
    q: {
      status?: string;
      market?: string;
      strategy?: string;
      created_from?: string;
      created_to?: string;
      limit?: number;
      offset?: number;
      sort?: string;
    },
    signal?: AbortSignal,
  ) => request<Page<Run>>(`/backtests${qs(q)}`, { signal }),
  run: (id: string, signal?: AbortSignal) => request<Run>(`/backtests/${encodeURIComponent(id)}`, { signal }),
  trades: (id: string, q: { limit?: number; offset?: number; sort?: string }, signal?: AbortSignal) =>
    request<Page<Trade>>(`/backtests/${encodeURIComponent(id)}/trades${qs(q)}`, { signal }),
  equity: (id: string, signal?: AbortSignal) =>
    request<{ run_id: string; points: EquityPoint[] }>(`/backtests/${encodeURIComponent(id)}/equity-curve`, { signal }),
  cancel: (id: string) => request<Run>(`/backtests/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  remove: (id: string) => request<{ id: string; deleted: boolean }>(`/backtests/${encodeURIComponent(id)}`, { method: "DELETE" }),
  createStudy: (body: StudyRequest) => request<Study>(`/optimizations`, json("POST", body)),
  studies: (
    q: { status?: string; strategy?: string; market?: string; limit?: number; offset?: number; sort?: string },
    signal?: AbortSignal,
  ) => request<Page<Study>>(`/optimizations${qs(q)}`, { signal }),
  study: (id: string, signal?: AbortSignal) => request<Study>(`/optimizations/${encodeURIComponent(id)}`, { signal }),
  trials: (id: string, q: { limit?: number; offset?: number; sort?: string; state?: string }, signal?: AbortSignal) =>
    request<Page<Trial>>(`/optimizations/${encodeURIComponent(id)}/trials${qs(q)}`, { signal }),
  importance: (id: string, signal?: AbortSignal) =>
    request<Importance>(`/optimizations/${encodeURIComponent(id)}/importance`, { signal }),
  cancelStudy: (id: string) => request<Study>(`/optimizations/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  removeStudy: (id: string) =>
    request<{ id: string; deleted: boolean }>(`/optimizations/${encodeURIComponent(id)}`, { method: "DELETE" }),
  bestRun: (id: string, trial?: number) =>
    request<Run>(`/optimizations/${encodeURIComponent(id)}/best-run`, json("POST", trial === undefined ? {} : { trial })),
};

/** The export URL of a study (trials table or return matrix, Parquet or CSV). */
export function studyExportUrl(id: string, what: "trials" | "returns", format: "parquet" | "csv"): string {
  return withTokenParam(`${API}/optimizations/${encodeURIComponent(id)}/export${qs({ what, format })}`);
}

/** Every trial of a study (pages of 5000, by number). */
export async function allStudyTrials(id: string, signal?: AbortSignal): Promise<Trial[]> {
  const out: Trial[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await api.trials(id, { limit: 5000, offset, sort: "number" }, signal);
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

/** Every trade of a run (pages of 5000). */
export async function allTrades(id: string, signal?: AbortSignal): Promise<Trade[]> {
  const out: Trade[] = [];
  for (let offset = 0; ; offset += 5000) {
    const page = await api.trades(id, { limit: 5000, offset, sort: "seq" }, signal);
    out.push(...page.items);
    if (out.length >= page.total || page.items.length === 0) return out;
  }
}

/** Metric metadata is static: fetch once, share. */
let metaPromise: Promise<MetricMeta[]> | null = null;
export function metricsMeta(): Promise<MetricMeta[]> {
  if (!metaPromise)
    metaPromise = api.metricsMeta().catch((e) => {
      metaPromise = null;
      throw e;
    });
  return metaPromise;
}

/** The WebSocket URL of `path`, with `?token=` when an API token is set. */
export function wsUrl(path: string): string {
  const proto = window.location.protocol === "https:" ? "wss:" : "ws:";
  return withTokenParam(`${proto}//${window.location.host}${path}`);
}

/** Requests index.html started for a run page before the app loaded (each used once); "chart":
 * the price chart of the run's first symbol, in the view it opens with. */
type PrefetchKey = "run" | "equity" | "trades" | "chart";
export function takePrefetch<T>(id: string, key: PrefetchKey): Promise<T> | null {
  const w = window as unknown as { __avaPrefetch?: { id: string } & Partial<Record<PrefetchKey, Promise<Raw>>> };
  const p = w.__avaPrefetch;
  if (!p || p.id !== id || !p[key]) return null;
  const promise = p[key]!;
  delete p[key];
  return promise.then((raw) => {
    if (raw.status === 401) authRequired();
    return parse<T>(raw);
  });
}

/** Repeated query parameters (backtest_ids=A&backtest_ids=B) plus single ones. */
function qsMany(many: Record<string, (string | number)[]>, one: Record<string, string | number | undefined>): string {
  const u = new URLSearchParams();
  for (const [k, vs] of Object.entries(many)) for (const v of vs) u.append(k, String(v));
  for (const [k, v] of Object.entries(one)) if (v !== undefined && v !== "") u.set(k, String(v));
  return "?" + u.toString();
}

/** Portfolio analytics across runs (GET /analytics/correlation and /analytics/portfolio). */
export const analyticsApi = {
  correlation: (ids: string[], signal?: AbortSignal) =>
    request<CorrelationReport>(`/analytics/correlation${qsMany({ backtest_ids: ids }, {})}`, { signal }),
  portfolio: (
    ids: string[],
    q: { weighting: PortfolioWeighting; weights?: number[]; rebalance: PortfolioRebalance; vol_window?: number },
    signal?: AbortSignal,
  ) =>
    request<PortfolioReport>(
      `/analytics/portfolio${qsMany(
        { backtest_ids: ids, weights: q.weighting === "given" ? (q.weights ?? []) : [] },
        { weighting: q.weighting, rebalance: q.rebalance, vol_window: q.weighting === "inverse_volatility" ? q.vol_window : undefined },
      )}`,
      { signal },
    ),
};

/** Walk-forward analyses (`/api/v2/walk-forwards`). */
export const wfApi = {
  create: (body: WalkForwardRequest) => request<WalkForward>(`/walk-forwards`, json("POST", body)),
  list: (q: { status?: string; strategy?: string; limit?: number; offset?: number; sort?: string }, signal?: AbortSignal) =>
    request<Page<WalkForward>>(`/walk-forwards${qs(q)}`, { signal }),
  get: (id: string, signal?: AbortSignal) => request<WalkForward>(`/walk-forwards/${encodeURIComponent(id)}`, { signal }),
  windows: (id: string, signal?: AbortSignal) =>
    request<Page<WalkForwardWindow>>(`/walk-forwards/${encodeURIComponent(id)}/windows?limit=5000`, { signal }),
  cancel: (id: string) => request<WalkForward>(`/walk-forwards/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  remove: (id: string) => request<{ id: string; deleted: boolean }>(`/walk-forwards/${encodeURIComponent(id)}`, { method: "DELETE" }),
};

/** Universe screens (`/api/v2/screens`): each symbol of a universe backtested alone. */
export const screensApi = {
  create: (body: ScreenRequest) => request<Screen>(`/screens`, json("POST", body)),
  list: (q: { status?: string; strategy?: string; limit?: number; offset?: number; sort?: string }, signal?: AbortSignal) =>
    request<Page<Screen>>(`/screens${qs(q)}`, { signal }),
  get: (id: string, signal?: AbortSignal) => request<Screen>(`/screens/${encodeURIComponent(id)}`, { signal }),
  rows: (id: string, q: { limit?: number; offset?: number; sort?: string; status?: string }, signal?: AbortSignal) =>
    request<Page<ScreenRow>>(`/screens/${encodeURIComponent(id)}/rows${qs(q)}`, { signal }),
  cancel: (id: string) => request<Screen>(`/screens/${encodeURIComponent(id)}/cancel`, { method: "POST" }),
  remove: (id: string) => request<{ id: string; deleted: boolean }>(`/screens/${encodeURIComponent(id)}`, { method: "DELETE" }),
  /** The row's backtest run: made on first open, the same run afterwards. */
  rowRun: (id: string, symbol: string) =>
    request<Run>(`/screens/${encodeURIComponent(id)}/rows/${encodeURIComponent(symbol)}/run`, { method: "POST" }),
};

/** A run's name, tags and notes (`PATCH /api/v2/backtests/{id}`) and the runs list with `search`. */
export const runLabelApi = {
  patch: (id: string, body: import("./types").RunLabelPatch) =>
    request<Run>(`/backtests/${encodeURIComponent(id)}`, json("PATCH", body)),
  list: (
    q: {
      status?: string;
      market?: string;
      strategy?: string;
      created_from?: string;
      created_to?: string;
      search?: string;
      limit?: number;
      offset?: number;
      sort?: string;
    },
    signal?: AbortSignal,
  ) => request<Page<Run>>(`/backtests${qs(q)}`, { signal }),
};

/** Custom universes (create, edit, delete) and uploaded symbols (delete). */
export const universesApi = {
  create: (body: { name: string; market: string; symbols: string[]; description?: string }) =>
    request<Universe>(`/universes`, json("POST", body)),
  patch: (name: string, body: { symbols?: string[]; description?: string }) =>
    request<Universe>(`/universes/${encodeURIComponent(name)}`, json("PATCH", body)),
  remove: (name: string) => request<{ name: string; deleted: boolean }>(`/universes/${encodeURIComponent(name)}`, { method: "DELETE" }),
  removeUpload: (market: string, symbol: string) =>
    request<{ deleted: boolean }>(`/data/upload/${encodeURIComponent(market)}/${encodeURIComponent(symbol)}`, { method: "DELETE" }),
};

export const workbenchApi = {
  symbols: (runId: string, signal?: AbortSignal) => request<SymbolBreakdown>(`/backtests/${encodeURIComponent(runId)}/symbols`, { signal }),
  equityViews: (runId: string, window: number, signal?: AbortSignal) =>
    request<EquityViews>(`/backtests/${encodeURIComponent(runId)}/equity-views${qs({ window, bins: 40, top: 5 })}`, { signal }),
};

/** Market data from the vendors: provider status, syncs, symbol search, candles; and a trade's
 * stop/target levels (derived from the strategy's signals). */
export const marketDataApi = {
  providers: (check = false, signal?: AbortSignal) =>
    request<ProvidersResponse>(`/data/providers${qs({ check: check || undefined })}`, { signal }),
  startSync: (body: SyncRequest) => request<SyncState>(`/data/sync`, json("POST", body)),
  syncStatus: (signal?: AbortSignal) => request<SyncState>(`/data/sync/status`, { signal }),
  search: (q: string, market: string, signal?: AbortSignal) =>
    request<SymbolSearch>(`/symbols/search${qs({ q, market })}`, { signal }),
  candles: (q: { symbol: string; market: string; timeframe: string; start: string; end: string }, signal?: AbortSignal) =>
    request<CandlesResponse>(`/data/candles${qs(q)}`, { signal }),
  tradeLevels: (runId: string, seq: number, signal?: AbortSignal) =>
    request<TradeLevels>(`/backtests/${encodeURIComponent(runId)}/trades/${seq}/levels`, { signal }),
};

/** GET /data/providers answers `{items, checked}` (a bare list is read too). */
export type ProvidersResponse = ProviderInfo[] | { items: ProviderInfo[]; checked?: boolean };
export function providerList(r: ProvidersResponse): ProviderInfo[] {
  return Array.isArray(r) ? r : r.items;
}
