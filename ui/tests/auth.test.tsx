import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { cleanup, fireEvent, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";
import { api, wsUrl } from "../src/api/client";
import { TOKEN_KEY, getToken, setToken, withAuth, withTokenParam } from "../src/lib/auth";
import Layout from "../src/components/Layout";
import { ThemeProvider } from "../src/lib/theme";
import { useAsync } from "../src/lib/hooks";

function stubFetch(check: (url: string, init?: RequestInit) => Response) {
  const calls: { url: string; auth: string | null }[] = [];
  vi.stubGlobal(
    "fetch",
    vi.fn(async (url: string, init?: RequestInit) => {
      calls.push({ url, auth: new Headers(init?.headers).get("authorization") });
      return check(url, init);
    }),
  );
  return calls;
}

beforeEach(() => localStorage.clear());
afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  localStorage.clear();
});

describe("the API token", () => {
  it("is stored in localStorage, trimmed, and forgotten", () => {
    expect(getToken()).toBeNull();
    setToken("  s3cret  ");
    expect(localStorage.getItem(TOKEN_KEY)).toBe("s3cret");
    expect(getToken()).toBe("s3cret");
    setToken(null);
    expect(localStorage.getItem(TOKEN_KEY)).toBeNull();
  });

  it("adds a bearer header, keeping other headers and an explicit Authorization", () => {
    expect(withAuth({ method: "GET" })).toEqual({ method: "GET" }); // no token: unchanged
    setToken("tok");
    const h = new Headers(withAuth({ headers: { "content-type": "application/json" } }).headers);
    expect(h.get("authorization")).toBe("Bearer tok");
    expect(h.get("content-type")).toBe("application/json");
    expect(new Headers(withAuth({ headers: { Authorization: "Bearer other" } }).headers).get("authorization")).toBe("Bearer other");
  });

  it("goes on the WebSocket URL as ?token=, encoded", () => {
    expect(wsUrl("/ws/backtests/abc")).not.toContain("token=");
    setToken("a b&c");
    const url = wsUrl("/ws/backtests/abc");
    expect(url).toMatch(/^ws:\/\/[^/]+\/ws\/backtests\/abc\?token=a%20b%26c$/);
    expect(withTokenParam("/docs?x=1")).toBe("/docs?x=1&token=a%20b%26c");
  });

  it("is sent on every API request: GET, POST and uploads", async () => {
    setToken("tok");
    const calls = stubFetch(() => new Response("{}", { status: 200 }));
    await api.markets();
    await api.createBacktest({ strategy_name: "sma_crossover" } as never);
    await api.upload(new FormData());
    await api.cancel("x");
    expect(calls.map((c) => c.auth)).toEqual(["Bearer tok", "Bearer tok", "Bearer tok", "Bearer tok"]);
  });
});

function Probe() {
  const d = useAsync(() => api.markets(), []);
  return <div data-testid="probe">{d.error ? "refused" : d.data ? "loaded" : "loading"}</div>;
}

describe("Layout's token panel", () => {
  it("opens on a 401, stores the token, and reloads the page with it", async () => {
    const calls = stubFetch((_url, init) => {
      const ok = new Headers(init?.headers).get("authorization") === "Bearer right";
      return ok
        ? new Response("[]", { status: 200 })
        : new Response(JSON.stringify({ error: { code: "unauthorized", message: "missing or wrong bearer token", details: null } }), { status: 401 });
    });
    render(
      <ThemeProvider>
        <MemoryRouter initialEntries={["/"]}>
          <Routes>
            <Route element={<Layout />}>
              <Route index element={<Probe />} />
            </Route>
          </Routes>
        </MemoryRouter>
      </ThemeProvider>,
    );
    expect(await screen.findByTestId("token-panel")).toBeTruthy();
    expect(screen.getByTestId("token-reason").textContent).toMatch(/requires an API token/);
    expect(screen.getByTestId("probe").textContent).toBe("refused");
    fireEvent.change(screen.getByTestId("token-input"), { target: { value: "right" } });
    fireEvent.click(screen.getByTestId("token-save"));
    await waitFor(() => expect(screen.getByTestId("probe").textContent).toBe("loaded"));
    expect(screen.queryByTestId("token-panel")).toBeNull();
    expect(localStorage.getItem(TOKEN_KEY)).toBe("right");
    expect(calls.at(-1)?.auth).toBe("Bearer right");
    expect(screen.getByTestId("token-button").textContent).toMatch(/Token set/);
  });
});
