import { describe, expect, it } from "vitest";
import { ApiError, mapApiError } from "../src/lib/apiErrors";

describe("mapApiError", () => {
  it("maps pydantic field lists", () => {
    const e = new ApiError(422, {
      code: "validation_error",
      message: "initial_capital: Input should be greater than 0",
      details: { fields: [{ field: "initial_capital", message: "Input should be greater than 0" }, { field: "sizing.value", message: "sizing.value: bad" }] },
    });
    expect(mapApiError(e)).toEqual({ fields: { initial_capital: "Input should be greater than 0", "sizing.value": "bad" }, form: null });
  });
  it("maps a single details.field with the prefix stripped", () => {
    const e = new ApiError(422, {
      code: "invalid_parameter",
      message: "params.fast_period: 1 is below the minimum 5 (allowed 5..100)",
      details: { field: "params.fast_period" },
    });
    expect(mapApiError(e).fields).toEqual({ "params.fast_period": "1 is below the minimum 5 (allowed 5..100)" });
  });
  it("sends model-level messages to the form, or to the field they name", () => {
    const body = (message: string) =>
      new ApiError(422, { code: "validation_error", message: `body: ${message}`, details: { fields: [{ field: "body", message }] } });
    expect(mapApiError(body("start_date 2010-01-01 is after end_date 2009-01-01")).fields.start_date).toMatch(/after end_date/);
    expect(mapApiError(body("something else"))).toEqual({ fields: {}, form: "something else" });
  });
  it("keeps data errors on their field and handles plain errors", () => {
    const e = new ApiError(422, { code: "data_error", message: "symbols: AAPL has no bars", details: { field: "symbols", symbol: "AAPL" } });
    expect(mapApiError(e).fields.symbols).toBe("AAPL has no bars");
    expect(mapApiError(new ApiError(500, { code: "internal_error", message: "boom" }))).toEqual({ fields: {}, form: "boom" });
    expect(mapApiError(new Error("offline"))).toEqual({ fields: {}, form: "offline" });
  });
});
