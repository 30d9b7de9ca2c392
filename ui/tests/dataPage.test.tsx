import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import type { ProviderInfo, SyncState } from "../src/api/marketData";
import { ProviderTable } from "../src/components/data/ProviderStatus";
import SyncPanel, { checkSyncForm } from "../src/components/data/SyncPanel";

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
});

const fmp: ProviderInfo = {
  name: "fmp",
  title: "Financial Modeling Prep",
  markets: ["US", "IN"],
  timeframes: ["1d", "1h"],
  configured: true,
  key_variables: ["FMP_API_KEY"],
  requests_per_minute: 300,
  reachable: true,
  error: null,
};
const alpaca: ProviderInfo = { ...fmp, name: "alpaca", title: "Alpaca", markets: ["US"], configured: false, key_variables: ["ALPACA_API_KEY", "ALPACA_SECRET_KEY"], reachable: null, error: "not configured" };

describe("provider status", () => {
  it("names the variables a vendor without its key needs", () => {
    render(<ProviderTable items={[fmp, alpaca]} />);
    expect(screen.getByTestId("provider-fmp").dataset.configured).toBe("yes");
    expect(screen.getByTestId("provider-missing-alpaca").textContent).toBe("set ALPACA_API_KEY + ALPACA_SECRET_KEY");
    expect(screen.getByTestId("provider-reachable-fmp").textContent).toContain("reachable");
    expect(screen.getByTestId("provider-reachable-alpaca").textContent).toContain("not checked");
  });
});

describe("sync form", () => {
  it("names the field of each mistake", () => {
    const ok = { universe: "djia", provider: "", timeframe: "1d", start: "2024-01-02", end: "2024-03-28" };
    expect(checkSyncForm(ok, "2026-01-01")).toEqual({});
    expect(checkSyncForm({ ...ok, start: "2024-04-01" }, "2026-01-01")).toEqual({ end: "end: on or after start" });
    expect(checkSyncForm({ ...ok, universe: "", timeframe: "2h", start: "x" }, "2026-01-01")).toEqual({
      universe: "universe: choose a universe",
      timeframe: "timeframe: one of 1d, 1h, 15m, 5m, 1m",
      start: "start: a date (YYYY-MM-DD)",
    });
  });

  it("starts a sync, follows it by polling when the socket fails, and lists errors per symbol", async () => {
    const running: SyncState = { status: "running", total: 2, done: 1, current: "MSFT", errors: [], started_at: "t", completed_at: null, universe: "djia" };
    const done: SyncState = { ...running, status: "completed", done: 2, current: null, errors: [{ symbol: "WMT", error: "fmp WMT: unknown symbol" }], completed_at: "t2" };
    const posted: unknown[] = [];
    let polls = 0;
    vi.stubGlobal(
      "fetch",
      vi.fn(async (url: string, init?: RequestInit) => {
        if (url.endsWith("/data/sync") && init?.method === "POST") {
          posted.push(JSON.parse(String(init.body)));
          return new Response(JSON.stringify(running), { status: 202 });
        }
        if (url.endsWith("/data/sync/status")) {
          polls += 1;
          return new Response(JSON.stringify(polls === 1 ? { ...running, status: "idle" } : done), { status: 200 });
        }
        return new Response("{}", { status: 404 });
      }),
    );
    // a socket that fails at once: the page falls back to polling
    class FailingSocket {
      onmessage = null;
      onerror: ((e: unknown) => void) | null = null;
      onclose: ((e: unknown) => void) | null = null;
      constructor() {
        setTimeout(() => this.onerror?.({}), 0);
      }
      close() {}
    }
    vi.stubGlobal("WebSocket", FailingSocket);
    const finished = vi.fn();
    render(<SyncPanel universes={[{ name: "djia", market: "US", size: 30 } as never]} providers={[fmp, alpaca]} onFinished={finished} />);
    // alpaca is offered but disabled without its keys
    const opt = screen.getByRole("option", { name: /Alpaca/ }) as HTMLOptionElement;
    expect(opt.disabled).toBe(true);
    fireEvent.change(screen.getByTestId("sync-start"), { target: { value: "2024-01-02" } });
    fireEvent.change(screen.getByTestId("sync-end"), { target: { value: "2024-03-28" } });
    fireEvent.click(screen.getByTestId("sync-submit"));
    await waitFor(() => expect(screen.getByTestId("sync-progress").dataset.status).toBe("completed"), { timeout: 4000 });
    expect(posted).toEqual([{ universe: "djia", timeframe: "1d", start: "2024-01-02", end: "2024-03-28" }]);
    expect(screen.getByTestId("sync-counts").textContent).toContain("2 of 2 symbols");
    expect(screen.getByTestId("sync-counts").textContent).toContain("polling");
    expect(screen.getAllByTestId("sync-error").map((r) => r.textContent)).toEqual(["WMTfmp WMT: unknown symbol"]);
    expect(finished).toHaveBeenCalledTimes(1);
  });
});
