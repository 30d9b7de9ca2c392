/** Types of the market-data endpoints (providers, sync, symbol search, candles) and of a
 * trade's stop/target levels. */

export interface ProviderInfo {
  name: string;
  title: string;
  markets: string[];
  timeframes: string[];
  configured: boolean;
  /** the environment variables that configure it (the original's names) */
  key_variables: string[];
  requests_per_minute: number;
  /** null: not checked (or not configured) */
  reachable: boolean | null;
  error: string | null;
}

export interface SyncError {
  symbol: string;
  error: string;
}

export type SyncStatus = "idle" | "running" | "completed" | "failed";

export interface SyncState {
  message?: string | null;
  status: SyncStatus;
  total: number;
  done: number;
  current: string | null;
  errors: SyncError[];
  started_at: string | null;
  completed_at: string | null;
  universe?: string | null;
  provider?: string | null;
  market?: string | null;
  timeframe?: string | null;
  start?: string | null;
  end?: string | null;
  requests?: number;
  bars_written?: number;
  skipped?: number;
}

export interface SyncRequest {
  universe?: string;
  symbols?: string[];
  provider?: string;
  market?: string;
  timeframe: string;
  start: string;
  end: string;
}

export interface SymbolMatch {
  symbol: string;
  name: string;
  exchange: string | null;
  sector: string | null;
}

export interface SymbolSearch {
  results: SymbolMatch[];
  market: string;
}

export interface Candle {
  ts: string;
  open: number;
  high: number;
  low: number;
  close: number;
  volume: number | null;
  adj_close: number | null;
}

export interface CandlesResponse {
  symbol: string;
  market: string;
  timeframe: string;
  source: string;
  candles: Candle[];
}

export interface LevelPoint {
  time: string;
  value: number | null;
}

export interface TradeLevels {
  run_id: string;
  seq: number;
  symbol: string;
  direction: string;
  exit_reason: string;
  /** the stop the engine tested on each bar (fixed or trailing, the tighter); null: none */
  stop: LevelPoint[] | null;
  target: LevelPoint[] | null;
  trailing: boolean;
  prices: "as_traded";
}
