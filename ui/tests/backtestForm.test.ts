import { describe, expect, it } from "vitest";
import { initialForm, parseSymbols, SIZING_MODES, validateForm } from "../src/lib/backtestForm";
import { fieldsFromSchema } from "../src/lib/schemaForm";

const fields = fieldsFromSchema({
  properties: { fast_period: { type: "integer", default: 20, minimum: 5, maximum: 100 } },
});

const base = () => ({ ...initialForm("sma_crossover"), universe: "us_sample", params: { fast_period: "20" } });

describe("validateForm", () => {
  it("builds the request body", () => {
    const { body, errors } = validateForm({ ...base(), start_date: "2005-01-01", end_date: "2010-12-31", max_positions: "3" }, fields);
    expect(errors).toEqual({});
    expect(body).toEqual({
      strategy_name: "sma_crossover",
      params: { fast_period: 20 },
      market: "US",
      universe: "us_sample",
      start_date: "2005-01-01",
      end_date: "2010-12-31",
      initial_capital: 100000,
      sizing: { mode: "equal_slots", fractional: false },
      max_positions: 3,
      portfolio: "shared",
      costs: { model: "market", product: "delivery" },
      slippage_bps: 0,
      fill: "next_open",
      adjustment: "events",
    });
  });
  it("mirrors the API's checks with its field names", () => {
    const { body, errors } = validateForm(
      { ...base(), params: { fast_period: "1" }, initial_capital: "-5", start_date: "2010-01-01", end_date: "2009-01-01", slippage_bps: "2000", max_positions: "0" },
      fields,
    );
    expect(body).toBeNull();
    expect(Object.keys(errors).sort()).toEqual(["end_date", "initial_capital", "max_positions", "params.fast_period", "slippage_bps"]);
    expect(errors.initial_capital).toBe("Input should be greater than 0");
  });
  it("needs a universe or symbols, without duplicates", () => {
    expect(validateForm({ ...base(), universe: "" }, fields).errors.universe).toBeTruthy();
    expect(validateForm({ ...base(), target: "symbols", symbols: " " }, fields).errors.symbols).toBeTruthy();
    expect(validateForm({ ...base(), target: "symbols", symbols: "aapl, AAPL" }, fields).errors.symbols).toMatch(/duplicates/);
    const { body } = validateForm({ ...base(), target: "symbols", symbols: "aapl msft,ibm" }, fields);
    expect(body?.symbols).toEqual(["AAPL", "MSFT", "IBM"]);
    expect(body?.universe).toBeUndefined();
  });
  it("checks sizing like the API", () => {
    expect(validateForm({ ...base(), sizing_mode: "fraction" }, fields).errors.sizing).toMatch(/needs a value/);
    expect(validateForm({ ...base(), sizing_mode: "fraction", sizing_value: "1.5" }, fields).errors.sizing).toMatch(/fraction of equity/);
    expect(validateForm({ ...base(), sizing_mode: "fixed_cash", sizing_value: "0" }, fields).errors["sizing.value"]).toBeTruthy();
    expect(validateForm({ ...base(), sizing_mode: "fraction", sizing_value: "0.1" }, fields).body?.sizing).toEqual({ mode: "fraction", value: 0.1, fractional: false });
  });

  it("offers the sizing overlays and sends them without a value", () => {
    const modes = SIZING_MODES.map((m) => m.value);
    expect(modes).toEqual(expect.arrayContaining(["kelly", "monte_carlo", "risk_parity"]));
    for (const mode of ["kelly", "monte_carlo", "risk_parity"]) {
      // A value left in the (now disabled) input is not sent: the API refuses one for these modes.
      const r = validateForm({ ...base(), sizing_mode: mode, sizing_value: "0.3" }, fields);
      expect(r.errors).toEqual({});
      expect(r.body?.sizing).toEqual({ mode, fractional: false });
    }
  });
  it("refuses a capital past the API's maximum", () => {
    expect(validateForm({ ...base(), initial_capital: "1e308" }, fields).errors.initial_capital).toMatch(/less than or equal/);
    expect(validateForm({ ...base(), initial_capital: "1e12" }, fields).errors).toEqual({});
  });
  it("sends the benchmark as a symbol, none, or not at all (the default)", () => {
    expect(validateForm(base(), fields).body).not.toHaveProperty("benchmark");
    expect(validateForm({ ...base(), benchmark: " None " }, fields).body?.benchmark).toBe("none");
    expect(validateForm({ ...base(), benchmark: "ixic" }, fields).body?.benchmark).toBe("IXIC");
  });
  it("rejects impossible dates", () => {
    expect(validateForm({ ...base(), start_date: "2021-02-30" }, fields).errors.start_date).toBeTruthy();
  });
});

describe("parseSymbols", () => {
  it("splits on commas, spaces and semicolons and upper-cases", () => {
    expect(parseSymbols(" aapl,msft;  ibm\nGOOG ")).toEqual(["AAPL", "MSFT", "IBM", "GOOG"]);
  });
});
