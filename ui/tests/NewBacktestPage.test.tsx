import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import NewBacktestPage from "../src/pages/NewBacktestPage";

const strategy = {
  name: "sma_crossover", version: "2", category: "trend", description: "SMA cross", tags: [], direction: "long_only",
  timeframe: "daily", requires: [], warmup: 51,
  parameters: {
    type: "object",
    properties: {
      fast_period: { type: "integer", default: 20, minimum: 5, maximum: 100, description: "Fast SMA" },
      use_filter: { type: "boolean", default: true },
      mode: { enum: ["a", "b"], default: "a" },
    },
  },
};
const routes: Record<string, unknown> = {
  "/api/v2/strategies": [strategy], // the original's unpaginated array
  "/api/v2/strategies/sma_crossover": strategy,
  "/api/v2/markets": [{ code: "US", name: "US", currency: "USD", default_benchmark: "GSPC", default_capital: 100000 }],
  "/api/v2/universes": { items: [{ name: "us_sample", market: "US", symbols: ["AAPL"], size: 1, benchmark: "GSPC", synthetic: false, survivorship_biased: true, custom: false, data_present: true }], total: 1 },
  "/api/v2/data/symbols?market=US": { items: [{ symbol: "AAPL", name: "Apple", kind: "equity", timeframe: "1d", price_basis: "as_traded", first: "2000-03-01", last: "2013-03-01", synthetic: false }], total: 1 },
};

function mockFetch(post: (body: unknown) => { status: number; body: unknown }) {
  const calls: unknown[] = [];
  vi.stubGlobal("fetch", vi.fn(async (url: string, init?: RequestInit) => {
    if (init?.method === "POST") {
      const body = JSON.parse(String(init.body));
      calls.push(body);
      const r = post(body);
      return new Response(JSON.stringify(r.body), { status: r.status });
    }
    const data = routes[url];
    return new Response(JSON.stringify(data ?? { error: { code: "not_found", message: url } }), { status: data ? 200 : 404 });
  }));
  return calls;
}

function renderPage() {
  return render(
    <MemoryRouter initialEntries={["/backtests/new?strategy=sma_crossover"]}>
      <Routes>
        <Route path="/backtests/new" element={<NewBacktestPage />} />
        <Route path="/runs/:id" element={<div data-testid="run-page" />} />
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

describe("NewBacktestPage", () => {
  it("generates inputs from the JSON Schema with defaults and bounds", async () => {
    mockFetch(() => ({ status: 500, body: {} }));
    renderPage();
    const fast = (await screen.findByTestId("param-fast_period")) as HTMLInputElement;
    expect(fast.type).toBe("number");
    expect(fast.value).toBe("20");
    expect(fast.min).toBe("5");
    expect(fast.max).toBe("100");
    expect((screen.getByTestId("param-use_filter") as HTMLInputElement).checked).toBe(true);
    expect((screen.getByTestId("param-mode") as HTMLSelectElement).value).toBe("a");
    expect(screen.getByLabelText(/Fast period/)).toBe(fast);
  });

  it("shows client-side errors next to the field and does not submit", async () => {
    const calls = mockFetch(() => ({ status: 201, body: { id: "x" } }));
    renderPage();
    const fast = await screen.findByTestId("param-fast_period");
    await waitFor(() => expect((screen.getByTestId("universe-select") as HTMLSelectElement).value).toBe("us_sample"));
    fireEvent.change(fast, { target: { value: "1" } });
    fireEvent.click(screen.getByTestId("submit-backtest"));
    expect((await screen.findByTestId("error-params.fast_period")).textContent).toMatch(/below the minimum 5/);
    expect(screen.getByTestId("form-error")).toBeTruthy();
    expect(fast.getAttribute("aria-invalid")).toBe("true");
    expect(calls).toEqual([]);
  });

  it("shows the API's field errors next to the field", async () => {
    const calls = mockFetch(() => ({
      status: 422,
      body: { error: { code: "data_error", message: "start_date: before the data", details: { fields: [{ field: "start_date", message: "start_date: before the data" }] } } },
    }));
    renderPage();
    await screen.findByTestId("param-fast_period");
    await waitFor(() => expect((screen.getByTestId("universe-select") as HTMLSelectElement).value).toBe("us_sample"));
    fireEvent.change(screen.getByTestId("start-date"), { target: { value: "1990-01-01" } });
    fireEvent.submit(screen.getByTestId("submit-backtest").closest("form")!);
    expect((await screen.findByTestId("error-start_date")).textContent).toBe("before the data");
    expect(calls).toEqual([
      expect.objectContaining({ strategy_name: "sma_crossover", universe: "us_sample", start_date: "1990-01-01", params: { fast_period: 20, use_filter: true, mode: "a" } }),
    ]);
  });

  it("goes to the run page on success", async () => {
    mockFetch(() => ({ status: 201, body: { id: "abc" } }));
    renderPage();
    await screen.findByTestId("param-fast_period");
    await waitFor(() => expect((screen.getByTestId("universe-select") as HTMLSelectElement).value).toBe("us_sample"));
    fireEvent.click(screen.getByTestId("submit-backtest"));
    expect(await screen.findByTestId("run-page")).toBeTruthy();
  });
});
