import { describe, expect, it } from "vitest";
import { matchesStrategy, words } from "../src/lib/strategySearch";
import { fixAcronyms, humanize } from "../src/lib/schemaForm";
import { defaultCapital, defaultMaxPositions, PRODUCT_MARKETS } from "../src/lib/backtestForm";

const s = (name: string, description = "", tags: string[] = [], category = "trend") => ({ name, description, tags, category });
const RSI = s("rsi_mean_reversion", "Buys when RSI(14) falls below a level", ["oscillator"], "mean_reversion");
const MR = s("mean_reversion", "Fades moves away from a moving average", ["reversal"], "mean_reversion");
const SMA = s("sma_crossover", "Fast SMA crossing a slow one", ["trend"]);

describe("strategy search: whole-word prefixes", () => {
  it("splits on anything that is not a letter or digit", () => {
    expect(words("rsi_mean-reversion RSI(14)")).toEqual(["rsi", "mean", "reversion", "rsi", "14"]);
  });
  it("never matches letters inside a word", () => {
    expect(matchesStrategy(MR, "rsi")).toBe(false); // "reve-rsi-on"
    expect(matchesStrategy(RSI, "rsi")).toBe(true);
    expect(matchesStrategy(SMA, "ross")).toBe(false);
    expect(matchesStrategy(SMA, "over")).toBe(false);
  });
  it("matches the start of any word of the name, category, tags or description", () => {
    expect(matchesStrategy(SMA, "cross")).toBe(true);
    expect(matchesStrategy(SMA, "sma_cross")).toBe(true);
    expect(matchesStrategy(MR, "revers")).toBe(true);
    expect(matchesStrategy(MR, "moving")).toBe(true);
    expect(matchesStrategy(RSI, "oscil")).toBe(true);
    expect(matchesStrategy(RSI, "RSI Mean")).toBe(true); // any case, every word
    expect(matchesStrategy(RSI, "rsi trend")).toBe(false);
  });
  it("an empty search matches everything", () => {
    expect(matchesStrategy(MR, "  ")).toBe(true);
  });
});

describe("labels", () => {
  it("writes known abbreviations in capitals", () => {
    expect(humanize("rsi_period")).toBe("RSI period");
    expect(humanize("macd_signal")).toBe("MACD signal");
    expect(humanize("atr_multiplier")).toBe("ATR multiplier");
    expect(fixAcronyms("Fast ema length")).toBe("Fast EMA length");
  });
  it("leaves other words alone, including words that contain an abbreviation", () => {
    expect(humanize("fast_period")).toBe("Fast period");
    expect(humanize("mean_reversion")).toBe("Mean reversion");
    expect(fixAcronyms("Smart threshold")).toBe("Smart threshold");
  });
});

describe("form defaults", () => {
  it("capital per market, from GET /api/v2/markets", () => {
    const markets = [
      { code: "US", default_capital: 100_000 },
      { code: "IN", default_capital: 1_000_000 },
    ];
    expect(defaultCapital("US", markets)).toBe(100_000);
    expect(defaultCapital("IN", markets)).toBe(1_000_000);
    expect(defaultCapital("IN", undefined)).toBeUndefined(); // not loaded yet: the form keeps its value
    expect(defaultCapital("24x7", markets)).toBeUndefined();
  });
  it("10 positions for universes of more than 10 symbols only", () => {
    expect(defaultMaxPositions("universe", 50)).toBe("10");
    expect(defaultMaxPositions("universe", 10)).toBe("");
    expect(defaultMaxPositions("universe", 6)).toBe("");
    expect(defaultMaxPositions("symbols", 50)).toBe("");
  });
  it("delivery/intraday only where the fees differ", () => {
    expect(PRODUCT_MARKETS.has("IN")).toBe(true);
    expect(PRODUCT_MARKETS.has("US")).toBe(false);
  });
});
