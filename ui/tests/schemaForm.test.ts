import { describe, expect, it } from "vitest";
import { boundsText, defaultValues, fieldsFromSchema, validateParams, type JsonSchemaObject } from "../src/lib/schemaForm";

const schema: JsonSchemaObject = {
  type: "object",
  properties: {
    fast_period: { type: "integer", default: 20, minimum: 5, maximum: 100, description: "Fast SMA" },
    slow_period: { type: "integer", default: 50, minimum: 10, maximum: 300 },
    threshold: { type: "number", default: 0.5, exclusiveMinimum: 0, maximum: 1 },
    allow_short: { type: "boolean", default: false },
    ma_type: { enum: ["sma", "ema"], default: "sma" },
    lookback: { type: "integer", minimum: 1 },
  },
  required: ["lookback"],
};

describe("fieldsFromSchema", () => {
  const fields = fieldsFromSchema(schema);
  it("derives kinds, bounds and defaults in order", () => {
    expect(fields.map((f) => [f.name, f.kind])).toEqual([
      ["fast_period", "integer"],
      ["slow_period", "integer"],
      ["threshold", "number"],
      ["allow_short", "boolean"],
      ["ma_type", "enum"],
      ["lookback", "integer"],
    ]);
    expect(fields[0]).toMatchObject({ minimum: 5, maximum: 100, default: 20, step: 1, description: "Fast SMA", label: "Fast period" });
    expect(fields[2].step).toBe("any");
    expect(fields[4].options).toEqual(["sma", "ema"]);
    expect(fields[5].required).toBe(true);
    expect(fields[0].required).toBe(false);
    expect(boundsText(fields[0])).toBe("5 ≤ x ≤ 100");
    expect(boundsText(fields[2])).toBe("0 < x ≤ 1");
  });
  it("handles an empty or missing schema", () => {
    expect(fieldsFromSchema(undefined)).toEqual([]);
    expect(fieldsFromSchema({ type: "object" })).toEqual([]);
  });
  it("gives defaults as raw input values", () => {
    expect(defaultValues(fields)).toEqual({
      fast_period: "20",
      slow_period: "50",
      threshold: "0.5",
      allow_short: false,
      ma_type: "sma",
      lookback: "",
    });
  });
});

describe("validateParams", () => {
  const fields = fieldsFromSchema(schema);
  const ok = { ...defaultValues(fields), lookback: "3" };
  it("converts valid values to typed params", () => {
    const r = validateParams(fields, { ...ok, allow_short: true, ma_type: "ema" });
    expect(r.errors).toEqual({});
    expect(r.params).toEqual({ fast_period: 20, slow_period: 50, threshold: 0.5, allow_short: true, ma_type: "ema", lookback: 3 });
  });
  it("reports bounds with the API's field names", () => {
    const r = validateParams(fields, { ...ok, fast_period: "1", slow_period: "301" });
    expect(r.errors["params.fast_period"]).toBe("1 is below the minimum 5 (allowed 5 ≤ x ≤ 100)");
    expect(r.errors["params.slow_period"]).toMatch(/above the maximum 300/);
  });
  it("rejects non-integers, non-numbers, exclusive bounds, bad choices and missing required", () => {
    const r = validateParams(fields, { ...ok, fast_period: "7.5", slow_period: "abc", threshold: "0", ma_type: "wma", lookback: "" });
    expect(r.errors["params.fast_period"]).toMatch(/whole number/);
    expect(r.errors["params.slow_period"]).toMatch(/must be a number/);
    expect(r.errors["params.threshold"]).toMatch(/greater than 0/);
    expect(r.errors["params.ma_type"]).toMatch(/one of sma, ema/);
    expect(r.errors["params.lookback"]).toMatch(/required/);
  });
  it("leaves empty optional fields to the API default", () => {
    const r = validateParams(fields, { ...ok, fast_period: "" });
    expect(r.errors).toEqual({});
    expect("fast_period" in r.params).toBe(false);
  });
});
