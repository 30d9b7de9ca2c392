import type { JsonSchemaObject } from "../lib/schemaForm";
import type { MetricUnit } from "../lib/format";

export interface StrategySummary {
  name: string;
  version: string;
  category: string;
  description: string;
  tags: string[];
  direction: string;
  timeframe: string;
  requires: string[];
  style?: string;
}

export interface StrategyDetail extends StrategySummary {
  parameters: JsonSchemaObject;
  warmup: number;
  cross_sectional?: boolean;
  timing?: string;
  exit_at?: string;
}

export interface Market {
  code: string;
  name: string;
  exchanges: string[];
  currency: string;
  timezone: string;
  calendar: string;
  session_open: string;
  session_close: string;
  trading_days_per_year: number;
  lot_size: number;
  tick_size: number;
  settlement: string;
  default_benchmark: string;
  overnight_short_allowed: boolean;
  /** a run's initial capital when it names none (the market registry's) */
  default_capital: number;
  /** runs over a universe of more than `many_symbols` symbols hold this many positions by default */
  default_max_positions: number;
  many_symbols: number;
}

export interface FeeLine {
  name: string;
  basis: string;
  on_buy: boolean;
  on_sell: boolean;
  rate: number;
  min: number;
  max: number | null;
  max_pct_value: number | null;
  round_dp: number;
}

export interface MarketDetail extends Market {
  cost_models: { product: string; exchange: string; as_of: string; lines: FeeLine[] }[];
  sessions_this_year?: number;
}

export interface Universe {
  name: string;
  market: string;
  symbols: string[];
  size: number;
  benchmark: string | null;
  description?: string;
  synthetic: boolean;
  survivorship_biased: boolean;
  custom: boolean;
  data_present: boolean;
  missing?: string[];
}

export interface SymbolInfo {
  symbol: string;
  market?: string;
  name: string;
  kind: string;
  timeframe: string;
  price_basis: string;
  first: string;
  last: string;
  synthetic: boolean;
  source?: string;
  licence?: string;
}

export interface Bar {
  time: string;
  open: number | null;
  high: number | null;
  low: number | null;
  close: number | null;
  volume: number | null;
}

export interface BarsResponse {
  market: string;
  symbol: string;
  adjustment: string;
  synthetic: boolean;
  notes: string[];
  bars: Bar[];
  total: number;
}

/** One of a strategy's declared display series, as the run computed it (GET /backtests/{id}/indicators). */
export interface IndicatorSeries {
  name: string;
  label: string;
  kind: "overlay" | "pane";
  pane: string;
  levels: number[];
  style: "line" | "histogram" | "dots";
  values: (number | null)[];
}

export interface IndicatorsResponse {
  run_id: string;
  symbol: string;
  strategy: string;
  /** The prices the series were computed on: "adjusted" unless the run used none. */
  prices: "adjusted" | "as_traded";
  dates: string[];
  /** adjusted / as-traded price per date (1 where they are the same). */
  factor: (number | null)[];
  series: IndicatorSeries[];
  notes: string[];
}

/** GET /data/bars as columns: one entry per bar in each list. */
export interface BarColumns {
  market: string;
  symbol: string;
  adjustment: "adjusted" | "as_traded";
  synthetic: boolean;
  notes: string[];
  time: string[];
  open: (number | null)[];
  high: (number | null)[];
  low: (number | null)[];
  close: (number | null)[];
  volume: (number | null)[];
  total: number;
}

/** GET /backtests/{id}/price-chart: a symbol's bars over the run and the strategy's series, in one answer. */
export interface PriceChartResponse {
  run_id: string;
  symbol: string;
  prices: "adjusted" | "as_traded";
  bars: BarColumns;
  indicators: IndicatorsResponse;
}

export type RunStatus = "queued" | "running" | "completed" | "failed" | "cancelled" | "interrupted";
export const TERMINAL: RunStatus[] = ["completed", "failed", "cancelled", "interrupted"];

export interface Run {
  id: string;
  status: RunStatus;
  strategy_name: string;
  market: string;
  universe: string | null;
  symbols: string[] | null;
  config: Record<string, unknown> & {
    initial_capital?: number;
    start_date?: string | null;
    end_date?: string | null;
    adjustment?: string;
    fill?: string;
  };
  params: Record<string, unknown> | null;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  progress: number | null;
  progress_message: string | null;
  error: string | null;
  error_code: string | null;
  code_version: string | null;
  data_fingerprint: string | null;
  metrics: Record<string, number | null> | null;
  currency: string | null;
  synthetic: boolean | null;
  effective_start: string | null;
  notes: string[] | null;
  n_trades: number | null;
  final_equity: number | null;
  timings: Record<string, number> | null;
  /** a cancel accepted while the worker is between reports: the status changes once it stops */
  cancel_requested?: boolean | null;
}

export interface Page<T> {
  items: T[];
  total: number;
  limit?: number;
  offset?: number;
}

export interface Trade {
  seq: number;
  symbol: string;
  direction: string;
  entry_time: string;
  exit_time: string;
  entry_price: number;
  exit_price: number;
  qty: number;
  pnl_gross: number;
  fees: number;
  dividends: number;
  pnl_net: number;
  return_pct: number | null;
  exit_reason: string;
  bars_held: number;
  /** Shares sold; differs from qty (shares bought) when a split happened while open. */
  exit_qty?: number | null;
  /** The trade on the adjusted price scale the strategy used (empty for older runs). */
  entry_price_adj?: number | null;
  exit_price_adj?: number | null;
  qty_adj?: number | null;
}

export interface EquityPoint {
  date: string;
  equity: number;
  cash: number | null;
  drawdown: number | null;
  exposure: number | null;
  benchmark: number | null;
}

export interface MetricMeta {
  key: string;
  label: string;
  unit: MetricUnit;
  formula: string;
  higher_is_better: boolean | null;
  group: "returns" | "risk" | "distribution" | "trades" | "benchmark";
}

export interface BacktestRequest {
  strategy_name: string;
  params: Record<string, unknown>;
  market: string;
  universe?: string;
  symbols?: string[];
  start_date?: string;
  end_date?: string;
  initial_capital: number;
  sizing: { mode: string; value?: number; fractional: boolean };
  max_positions?: number;
  portfolio: "shared" | "independent";
  costs: { model: "market" | "none"; product: "delivery" | "intraday" };
  slippage_bps: number;
  fill: "next_open" | "close";
  adjustment: "events" | "adjusted" | "none";
  benchmark?: string;
}

/** One group of the upload validator's findings, e.g. 14 rows "not a US session; dropped". */
export interface UploadIssueGroup {
  kind: string;
  detail: string;
  severity: string;
  action: string;
  count: number;
  first: string | null;
  last: string | null;
}

/** POST /api/v2/data/upload: what was stored, and what the validator did to the file. */
export interface UploadResponse {
  symbol: string;
  market: string;
  /** bars stored */
  rows: number;
  /** data rows read from the file */
  rows_in_file: number;
  rows_dropped: number;
  first: string;
  last: string;
  source: string;
  validation: {
    issues: Record<string, unknown>[];
    issues_total: number;
    repaired: number;
    summary: UploadIssueGroup[];
  };
}

/** One trial of an optimisation study (GET /optimizations/{id}/trials). */
export interface Trial {
  number: number;
  params: Record<string, number | string | boolean>;
  /** complete, infeasible, too_few_trades, failed or interrupted */
  state: string;
  /** the objective values, in the study's objectives order */
  values: (number | null)[];
  metrics: Record<string, unknown>;
  duration_ms: number | null;
  error: string;
  finished_at: string | null;
}

export interface Interval {
  estimate: number | null;
  low: number | null;
  high: number | null;
}

export interface Overfitting {
  pbo: number | null;
  pbo_logits: number[];
  dsr: number | null;
  psr: number | null;
  sr0: number | null;
  min_track_record: number | null;
  n_obs: number | null;
  n_trials: number | null;
  stability: number | null;
  stability_neighbours: number | null;
  degradation: number | null;
  score: number | null;
  verdict: string | null;
  explanation: string[];
  bootstrap: Record<string, Interval>;
}

export interface Objective {
  metric: string;
  direction: "maximize" | "minimize";
}

export interface Study {
  id: string;
  status: RunStatus;
  strategy_name: string;
  market: string;
  universe: string | null;
  symbols: string[];
  spec: Record<string, unknown>;
  sampler: string;
  objectives: Objective[];
  n_trials: number;
  trials_done: number;
  created_at: string | null;
  started_at: string | null;
  finished_at: string | null;
  progress: number;
  progress_message: string | null;
  best_trial: number | null;
  best_params: Record<string, unknown> | null;
  best_value: number | null;
  pareto: number[] | null;
  overfitting: Overfitting | null;
  holdout: Record<string, unknown> | null;
  elapsed_s: number | null;
  error: string | null;
  error_code: string | null;
  code_version: string | null;
}

export interface RangeSpec {
  low?: number;
  high?: number;
  step?: number;
  choices?: (number | string | boolean)[];
  log?: boolean;
}

export type Sampler = "tpe" | "random" | "grid" | "cmaes" | "nsga2";

export interface StudyRequest extends BacktestRequest {
  param_ranges: Record<string, RangeSpec>;
  objectives: Objective[];
  sampler: Sampler;
  n_trials?: number;
  seed?: number;
  min_trades: number;
  holdout_start?: string;
}

export interface Importance {
  study_id: string;
  objective: string;
  method: string;
  importances: Record<string, number>;
  trials: number;
}

/** GET /analytics/correlation: Pearson on daily returns, pairwise over common dates. */
export interface CorrelationReport {
  labels: string[];
  ids: string[];
  matrix: (number | null)[][];
  overlap: number[][];
  market: string | null;
  markets: string[];
  currencies: string[];
  start: string | null;
  end: string | null;
  notes: string[];
}

export type PortfolioWeighting = "equal" | "inverse_volatility" | "given";
export type PortfolioRebalance = "daily" | "weekly" | "monthly" | "quarterly" | "never";

/** GET /analytics/portfolio: the runs combined in target weights. */
export interface PortfolioReport {
  labels: string[];
  ids: string[];
  weights: Record<string, number>;
  weight_list: number[];
  final_weights: number[];
  weighting: PortfolioWeighting;
  rebalance: PortfolioRebalance;
  rebalances: number;
  vol_window: number | null;
  market: string | null;
  currency: string;
  initial_capital: number;
  periods_per_year: number;
  start: string;
  end: string;
  n_dates: number;
  equity_curve: { date: string; equity: number }[];
  metrics: Record<string, number | null>;
  diversification_ratio: number | null;
  volatilities: (number | null)[];
  portfolio_volatility: number | null;
  run_returns: number[];
  notes: string[];
}

/** A walk-forward window (`/walk-forwards/{id}/windows`). */
export interface WalkForwardWindow {
  index: number;
  status: string; // planned, optimised, completed, no_trial
  is_start: string;
  is_end: string;
  oos_start: string;
  oos_end: string;
  params: Record<string, unknown> | null;
  is_value: number | null;
  oos_value: number | null;
  is_metrics: Record<string, number | null>;
  oos_metrics: Record<string, number | null>;
  trials: number | null;
  elapsed_s: number | null;
  error: string;
}

export interface WalkForwardOverfitting {
  psr: number | null;
  dsr: number | null;
  sr0: number | null;
  sharpe: number | null;
  n_obs: number;
  n_trials: number;
  min_track_record: number | null;
  parameter_persistence: number | null;
  degradation: number | null;
  score: number | null;
  verdict: string;
  explanation: string[];
  bootstrap: Record<string, { estimate: number | null; low: number | null; high: number | null }>;
}

export interface WalkForwardResult {
  plan: { mode: string; is_sessions: number; oos_sessions: number; step: number; gap: number; folds: number | null; n_windows: number };
  oos_equity: { date: string; equity: number }[];
  is_equity: { date: string; equity: number }[];
  hindsight: { params: Record<string, unknown> | null; value?: number | null } | null;
  oos_metrics: Record<string, number | null>;
  efficiency: number | null;
  efficiency_sharpe: number | null;
  drift: Record<string, unknown[]>;
  overfitting: WalkForwardOverfitting;
  handover: { window: number; date: string; symbol: string; direction: string; qty: number; entry_date: string; closed: string | null }[];
  carry_over: boolean;
  currency: string;
  notes: string[];
  trades: Record<string, unknown>[];
}

export interface WalkForward {
  id: string;
  status: RunStatus;
  strategy_name: string;
  market: string;
  symbols: string[];
  spec?: Record<string, unknown>;
  mode: string;
  objective: string;
  n_windows: number;
  windows_done: number;
  created_at: string | null;
  finished_at: string | null;
  progress: number;
  progress_message?: string | null;
  efficiency: number | null;
  oos_return: number | null;
  result?: WalkForwardResult | null;
  runner: string | null;
  elapsed_s?: number | null;
  error: string | null;
  error_code?: string | null;
}

export interface WalkForwardRequest {
  strategy_name: string;
  symbols?: string[];
  universe?: string;
  start_date?: string;
  end_date?: string;
  mode?: "rolling" | "anchored";
  folds?: number | null;
  is_sessions?: number | null;
  oos_sessions?: number | null;
  step?: number | null;
  gap?: number;
  carry_over?: boolean;
  objective?: { metric: string; direction: "maximize" | "minimize" };
  sampler?: string;
  costs?: { model: string };
}

/** Universe screens (`/api/v2/screens`). */
export interface Screen {
  id: string;
  status: RunStatus;
  strategy_name: string;
  market: string;
  universe: string | null;
  symbols: string[];
  spec: Record<string, unknown>;
  n_symbols: number;
  symbols_done: number;
  created_at: string | null;
  finished_at: string | null;
  progress: number;
  progress_message: string | null;
  runner: string | null;
  elapsed_s: number | null;
  error: string | null;
  headline: string[];
}

export interface ScreenRow {
  symbol: string;
  status: "complete" | "failed";
  metrics: Record<string, number | null> | null;
  bars: number | null;
  start: string | null;
  end: string | null;
  error: string | null;
  run_id: string | null;
}

export interface ScreenRequest {
  strategy_name: string;
  universe?: string;
  symbols?: string[];
  market?: string;
  params?: Record<string, unknown>;
  start_date?: string;
  end_date?: string;
}

/** A run's label (PATCH /backtests/{id}); merged into Run. `notes` are the run's own, `label_notes` a person's. */
export interface Run {
  name?: string | null;
  tags?: string[];
  label_notes?: string | null;
}

export interface RunLabelPatch {
  name?: string | null;
  tags?: string[];
  notes?: string | null;
}

/** GET /backtests/{id}/symbols: one row per traded symbol (closed trades). */
export interface SymbolRow {
  symbol: string;
  trades: number;
  winners: number;
  win_rate: number | null;
  pnl_net: number;
  pnl_gross: number;
  fees: number;
  dividends: number;
  return_contribution: number;
  bars_held: number;
  exposure: number;
}

export interface SymbolBreakdown {
  run_id: string;
  items: SymbolRow[];
  totals: Omit<SymbolRow, "symbol">;
  initial_capital: number;
  run_pnl: number | null;
  not_in_closed_trades: number | null;
  sessions: number;
}

/** GET /backtests/{id}/equity-views */
export interface DrawdownPeriod {
  start: string;
  trough: string;
  recovery: string | null;
  depth: number;
  length: number;
  to_trough: number;
}

export interface EquityViews {
  run_id: string;
  dates: string[];
  window: number;
  periods_per_year: number;
  drawdowns: DrawdownPeriod[];
  rolling: { sharpe: (number | null)[]; volatility: (number | null)[]; beta?: (number | null)[] };
  histogram: { edges: number[]; counts: number[]; n: number };
  exposure: (number | null)[];
}
