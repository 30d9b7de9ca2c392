/** The new-backtest form's state, its client-side validation (mirroring RunConfig in
 * src/ava_backtest/domain/config.py) and the request body it becomes. Error keys are the API's
 * field names so client and server errors land in the same place. */

import type { BacktestRequest, Market } from "../api/types";
import { validateParams, type ParamField, type ParamValues } from "./schemaForm";

export const SIZING_MODES = [
  { value: "equal_slots", label: "Equal slots (equity / max positions)", needsValue: false },
  { value: "fraction", label: "Fraction of equity", needsValue: true },
  { value: "fixed_cash", label: "Fixed cash per entry", needsValue: true },
  { value: "fixed_units", label: "Fixed units (shares)", needsValue: true },
  { value: "risk", label: "Risk fraction over stop distance", needsValue: true },
  { value: "target_weight", label: "Strategy's target weights", needsValue: false },
  // Overlays learnt in the engine (docs/sizing.md); their options keep the API's defaults here.
  { value: "kelly", label: "Kelly from own closed trades (half-Kelly, cap 25%)", needsValue: false },
  { value: "monte_carlo", label: "Monte Carlo: largest fraction within a 20% drawdown", needsValue: false },
  { value: "risk_parity", label: "Risk parity over the held symbols", needsValue: false },
] as const;

export interface BacktestFormState {
  strategy_name: string;
  params: ParamValues;
  market: string;
  target: "universe" | "symbols";
  universe: string;
  symbols: string;
  start_date: string;
  end_date: string;
  initial_capital: string;
  sizing_mode: string;
  sizing_value: string;
  sizing_fractional: boolean;
  max_positions: string;
  portfolio: "shared" | "independent";
  costs_model: "market" | "none";
  costs_product: "delivery" | "intraday";
  slippage_bps: string;
  fill: "next_open" | "close";
  adjustment: "events" | "adjusted" | "none";
  benchmark: string;
}

export const initialForm = (strategy = ""): BacktestFormState => ({
  strategy_name: strategy,
  params: {},
  market: "US",
  target: "universe",
  universe: "",
  symbols: "",
  start_date: "",
  end_date: "",
  initial_capital: "100000",
  sizing_mode: "equal_slots",
  sizing_value: "",
  sizing_fractional: false,
  max_positions: "",
  portfolio: "shared",
  costs_model: "market",
  costs_product: "delivery",
  slippage_bps: "0",
  fill: "next_open",
  adjustment: "events",
  benchmark: "",
});

/** The API's largest initial capital (RunConfig MAX_CAPITAL). */
export const MAX_CAPITAL = 1e12;

export function parseSymbols(text: string): string[] {
  return text
    .split(/[\s,;]+/)
    .map((s) => s.trim().toUpperCase())
    .filter(Boolean);
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
function validDate(s: string): boolean {
  if (!DATE.test(s)) return false;
  const d = new Date(s + "T00:00:00Z");
  return !Number.isNaN(d.getTime()) && d.toISOString().slice(0, 10) === s;
}

export interface FormResult {
  body: BacktestRequest | null;
  errors: Record<string, string>;
}

export function validateForm(form: BacktestFormState, fields: ParamField[]): FormResult {
  const errors: Record<string, string> = {};
  if (!form.strategy_name) errors.strategy_name = "choose a strategy";
  const { params, errors: pErr } = validateParams(fields, form.params);
  Object.assign(errors, pErr);

  let universe: string | undefined;
  let symbols: string[] | undefined;
  if (form.target === "universe") {
    if (!form.universe) errors.universe = "choose a universe (or switch to symbols)";
    else universe = form.universe;
  } else {
    symbols = parseSymbols(form.symbols);
    if (!symbols.length) errors.symbols = "enter at least one symbol";
    else if (new Set(symbols).size !== symbols.length) errors.symbols = "symbols contains duplicates";
  }

  if (form.start_date && !validDate(form.start_date)) errors.start_date = "use YYYY-MM-DD";
  if (form.end_date && !validDate(form.end_date)) errors.end_date = "use YYYY-MM-DD";
  if (!errors.start_date && !errors.end_date && form.start_date && form.end_date && form.start_date > form.end_date)
    errors.end_date = `start_date ${form.start_date} is after end_date ${form.end_date}`;

  const capital = Number(form.initial_capital);
  if (form.initial_capital.trim() === "" || !Number.isFinite(capital)) errors.initial_capital = "enter a number";
  else if (capital <= 0) errors.initial_capital = "Input should be greater than 0";
  else if (capital > MAX_CAPITAL) errors.initial_capital = `Input should be less than or equal to ${MAX_CAPITAL}`;

  const mode = SIZING_MODES.find((m) => m.value === form.sizing_mode);
  let sizingValue: number | undefined;
  if (!mode) errors["sizing.mode"] = "choose a sizing mode";
  // A mode without a value (its input disabled) sends none: the overlay modes refuse one.
  if (mode && !mode.needsValue) {
    // nothing to check
  } else if (form.sizing_value.trim() !== "") {
    const v = Number(form.sizing_value);
    if (!Number.isFinite(v)) errors["sizing.value"] = "enter a number";
    else if (v <= 0) errors["sizing.value"] = "Input should be greater than 0";
    else if ((form.sizing_mode === "fraction" || form.sizing_mode === "risk") && v > 1)
      errors.sizing = `sizing value for '${form.sizing_mode}' is a fraction of equity (0 < value <= 1)`;
    else sizingValue = v;
  } else if (mode?.needsValue) {
    errors.sizing = `sizing mode '${form.sizing_mode}' needs a value`;
  }

  let maxPositions: number | undefined;
  if (form.max_positions.trim() !== "") {
    const n = Number(form.max_positions);
    if (!Number.isInteger(n)) errors.max_positions = "enter a whole number";
    else if (n < 1) errors.max_positions = "Input should be greater than or equal to 1";
    else maxPositions = n;
  }

  const slip = Number(form.slippage_bps === "" ? 0 : form.slippage_bps);
  if (!Number.isFinite(slip)) errors.slippage_bps = "enter a number";
  else if (slip < 0 || slip > 1000) errors.slippage_bps = "between 0 and 1000 bps";

  if (Object.keys(errors).length) return { body: null, errors };

  const body: BacktestRequest = {
    strategy_name: form.strategy_name,
    params,
    market: form.market,
    initial_capital: capital,
    sizing: { mode: form.sizing_mode, fractional: form.sizing_fractional },
    portfolio: form.portfolio,
    costs: { model: form.costs_model, product: form.costs_product },
    slippage_bps: slip,
    fill: form.fill,
    adjustment: form.adjustment,
  };
  if (universe) body.universe = universe;
  if (symbols) body.symbols = symbols;
  if (form.start_date) body.start_date = form.start_date;
  if (form.end_date) body.end_date = form.end_date;
  if (sizingValue !== undefined) body.sizing.value = sizingValue;
  if (maxPositions !== undefined) body.max_positions = maxPositions;
  const benchmark = form.benchmark.trim();
  // a symbol, "none" for no benchmark, or empty for the universe's or market's default
  if (benchmark) body.benchmark = benchmark.toLowerCase() === "none" ? "none" : benchmark.toUpperCase();
  return { body, errors };
}


/** The form's starting capital: the market's `default_capital` from GET /api/v2/markets (the
 * market registry, as the API applies when a run names none); undefined until the markets load. */
export function defaultCapital(market: string, markets: Pick<Market, "code" | "default_capital">[] | undefined): number | undefined {
  return markets?.find((m) => m.code === market)?.default_capital;
}

/** Universes larger than this get `MANY_POSITIONS` positions by default instead of one slot per symbol. */
export const MANY_SYMBOLS = 10;
export const MANY_POSITIONS = 10;

/** The form's default max positions: 10 for a universe of more than 10 symbols, else none (one slot per symbol). */
export function defaultMaxPositions(target: "universe" | "symbols", nSymbols: number): string {
  return target === "universe" && nSymbols > MANY_SYMBOLS ? String(MANY_POSITIONS) : "";
}

/** Markets whose fee schedules tell delivery (held overnight) from intraday trades apart. */
export const PRODUCT_MARKETS = new Set(["IN"]);
