import { describe, expect, it } from "vitest";
import { correlationColour, correlationText, parseWeights } from "../src/lib/portfolio";

describe("correlation heatmap colours", () => {
  it("is white at 0, red at +1, blue at -1, grey when undefined", () => {
    expect(correlationColour(0)).toBe("rgb(250,250,250)");
    expect(correlationColour(1)).toBe("rgb(207,34,46)");
    expect(correlationColour(-1)).toBe("rgb(31,111,235)");
    expect(correlationColour(null)).toBe("#eceff3");
    expect(correlationColour(2)).toBe(correlationColour(1));
  });
  it("writes white on strong colours", () => {
    expect(correlationText(0.9)).toBe("#ffffff");
    expect(correlationText(-0.9)).toBe("#ffffff");
    expect(correlationText(0.1)).toBe("#1f2328");
  });
});

describe("parseWeights", () => {
  it("accepts numbers >= 0, not all zero", () => {
    expect(parseWeights(["2", "1", " 1 "])).toEqual({ weights: [2, 1, 1] });
    expect(parseWeights(["0", "0"])).toEqual({ error: "weights: not all 0" });
    expect(parseWeights(["1", "-1"])).toEqual({ error: 'weight 2: a number >= 0, got "-1"' });
    expect(parseWeights(["1", ""])).toEqual({ error: 'weight 2: a number >= 0, got ""' });
    expect(parseWeights(["x", "1"])).toEqual({ error: 'weight 1: a number >= 0, got "x"' });
  });
});
