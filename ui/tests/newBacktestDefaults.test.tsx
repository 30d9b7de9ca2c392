import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import NewBacktestPage from "../src/pages/NewBacktestPage";

const sma = {
  name: "sma_crossover", version: "2", category: "trend", description: "SMA cross", tags: [], direction: "long_only",
  timeframe: "daily", requires: [], warmup: 51,
  parameters: { type: "object", properties: { fast_period: { type: "integer", default: 20, minimum: 5, maximum: 100 } } },
};
const rsi = {
  ...sma, name: "rsi_mean_reversion", description: "RSI",
  parameters: { type: "object", properties: { rsi_period: { type: "integer", default: 14, minimum: 2, maximum: 50 } } },
};
const fifty = Array.from({ length: 50 }, (_, i) => `SYM${i}`);
const routes: Record<string, unknown> = {
  "/api/v2/strategies": [sma, rsi], // the original's unpaginated array
  "/api/v2/strategies/sma_crossover": sma,
  "/api/v2/strategies/rsi_mean_reversion": rsi,
  "/api/v2/markets": [
    { code: "US", name: "US", currency: "USD", default_benchmark: "GSPC", default_capital: 100000 },
    { code: "IN", name: "India", currency: "INR", default_benchmark: "NIFTY50", default_capital: 1000000 },
  ],
  "/api/v2/universes": {
    items: [
      { name: "us_sample", market: "US", symbols: ["AAPL"], size: 1, benchmark: "GSPC", synthetic: false, survivorship_biased: true, custom: false, data_present: true },
      { name: "in_fifty", market: "IN", symbols: fifty, size: 50, benchmark: null, synthetic: true, survivorship_biased: false, custom: false, data_present: true },
    ],
    total: 2,
  },
  "/api/v2/data/symbols?market=US": { items: [{ symbol: "AAPL", name: "Apple", kind: "equity", timeframe: "1d", price_basis: "as_traded", first: "2000-03-01", last: "2013-03-01", synthetic: false }], total: 1 },
  "/api/v2/data/symbols?market=IN": {
    items: fifty.map((symbol) => ({ symbol, name: symbol, kind: "equity", timeframe: "1d", price_basis: "synthetic", first: "2010-01-01", last: "2020-01-01", synthetic: true })),
    total: 50,
  },
};

function mockFetch(post: () => { status: number; body: unknown }) {
  vi.stubGlobal("fetch", vi.fn(async (url: string, init?: RequestInit) => {
    if (init?.method === "POST") {
      const r = post();
      return new Response(JSON.stringify(r.body), { status: r.status });
    }
    const data = routes[url];
    return new Response(JSON.stringify(data ?? { error: { code: "not_found", message: url } }), { status: data ? 200 : 404 });
  }));
}

function renderPage() {
  return render(
    <MemoryRouter initialEntries={["/backtests/new?strategy=sma_crossover"]}>
      <Routes>
        <Route path="/backtests/new" element={<NewBacktestPage />} />
      </Routes>
    </MemoryRouter>,
  );
}

const value = (id: string) => (screen.getByTestId(id) as HTMLInputElement).value;

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("NewBacktestPage defaults and small things", () => {
  it("drops the API's banner and parameter errors when another strategy is chosen", async () => {
    mockFetch(() => ({
      status: 422,
      body: { error: { code: "validation_error", message: "bad", details: { fields: [{ field: "params.fast_period", message: "too small" }] } } },
    }));
    renderPage();
    await screen.findByTestId("param-fast_period");
    await waitFor(() => expect(value("universe-select")).toBe("us_sample"));
    fireEvent.click(screen.getByTestId("submit-backtest"));
    expect((await screen.findByTestId("form-error")).textContent).toMatch(/rejected/);
    fireEvent.change(screen.getByTestId("strategy-select"), { target: { value: "rsi_mean_reversion" } });
    await screen.findByTestId("param-rsi_period");
    expect(screen.queryByTestId("form-error")).toBeNull();
    expect(screen.getByLabelText(/RSI period/)).toBe(screen.getByTestId("param-rsi_period"));
  });

  it("follows the market's capital and the universe's size until typed over; delivery only in India", async () => {
    mockFetch(() => ({ status: 201, body: { id: "x" } }));
    renderPage();
    await screen.findByTestId("param-fast_period");
    await waitFor(() => expect(value("universe-select")).toBe("us_sample"));
    expect(value("capital-input")).toBe("100000");
    expect(value("max-positions")).toBe("");
    expect(screen.queryByTestId("costs-product")).toBeNull();

    fireEvent.change(screen.getByTestId("market-select"), { target: { value: "IN" } });
    await waitFor(() => expect(value("universe-select")).toBe("in_fifty"));
    await waitFor(() => expect(value("capital-input")).toBe("1000000"));
    expect(screen.getByTestId("capital-default").textContent).toContain("₹10,00,000");
    await waitFor(() => expect(value("max-positions")).toBe("10"));
    expect(screen.getByTestId("maxpos-default").textContent).toMatch(/10 by default/);
    expect(screen.getByTestId("costs-product")).toBeTruthy();
    // the 50 symbols' coverage is folded away, its summary counted
    const details = (await screen.findByTestId("coverage-details")) as HTMLDetailsElement;
    expect(details.open).toBe(false);
    expect(details.textContent).toMatch(/^50 symbols/);
    expect(screen.getAllByText("Timeframe").length).toBeGreaterThan(0);

    // typed values stay when the market changes back
    fireEvent.change(screen.getByTestId("capital-input"), { target: { value: "250000" } });
    fireEvent.change(screen.getByTestId("market-select"), { target: { value: "US" } });
    await waitFor(() => expect(value("universe-select")).toBe("us_sample"));
    expect(value("capital-input")).toBe("250000");
    await waitFor(() => expect(value("max-positions")).toBe(""));
  });
});
