import { afterEach, describe, expect, it, vi } from "vitest";
import { cleanup, render, screen, waitFor } from "@testing-library/react";
import { MemoryRouter, Route, Routes } from "react-router";

// The chart draws on a canvas jsdom does not have; what it is given is what matters here.
const drawn: { formatter?: (v: number) => string; series: number[][] } = { series: [] };
vi.mock("../src/components/charts", () => ({
  makeChart: (_el: unknown, _theme: unknown, extra: { localization?: { priceFormatter?: (v: number) => string } }) => {
    drawn.formatter = extra.localization?.priceFormatter;
    return {
      addSeries: () => ({ setData: (pts: { value: number }[]) => drawn.series.push(pts.map((p) => p.value)) }),
      priceScale: () => ({ applyOptions: () => {} }),
      remove: () => {},
    };
  },
  fitWhenSized: () => () => {},
}));

import ComparePage from "../src/pages/ComparePage";
import { UploadReport } from "../src/pages/DataPage";

const meta = [
  { key: "total_return", label: "Total return", unit: "pct", higher_is_better: true, formula: "" },
  { key: "total_fees", label: "Total fees", unit: "currency", higher_is_better: false, formula: "" },
  { key: "final_equity", label: "Final equity", unit: "currency", higher_is_better: true, formula: "" },
];
function run(id: string, market: string, currency: string, ret: number, fees: number, equity: number) {
  return {
    id, status: "completed", strategy_name: "sma_crossover", market, currency, config: {}, params: {},
    metrics: { total_return: ret, total_fees: fees, final_equity: equity },
  };
}
const RUNS: Record<string, unknown> = {
  us: run("us", "US", "USD", 0.1, 59621, 110000),
  in: run("in", "IN", "INR", 0.16, 46958, 116200),
  us2: run("us2", "US", "USD", 0.05, 30000, 105000),
};
const curve = (start: number, end: number) => ({ points: [{ date: "2020-01-02", equity: start }, { date: "2020-12-31", equity: end }] });

function stub() {
  vi.stubGlobal("fetch", vi.fn(async (url: string) => {
    const m = url.match(/^\/api\/v2\/backtests\/([^/]+)(\/equity-curve)?$/);
    if (url === "/api/v2/meta/metrics") return new Response(JSON.stringify(meta));
    if (m && m[2]) return new Response(JSON.stringify({ run_id: m[1], ...curve(100000, (RUNS[m[1]] as { metrics: { final_equity: number } }).metrics.final_equity) }));
    if (m) return new Response(JSON.stringify(RUNS[m[1]]));
    return new Response("{}", { status: 404 });
  }));
}

function renderCompare(ids: string) {
  return render(
    <MemoryRouter initialEntries={[`/compare?ids=${ids}`]}>
      <Routes>
        <Route path="/compare" element={<ComparePage />} />
      </Routes>
    </MemoryRouter>,
  );
}

afterEach(() => {
  cleanup();
  vi.unstubAllGlobals();
  drawn.series = [];
  drawn.formatter = undefined;
});

describe("ComparePage across currencies", () => {
  it("shows each run's money in its own currency and never ranks ₹ against $", async () => {
    stub();
    renderCompare("us,in");
    expect(await screen.findByTestId("currency-note")).toBeTruthy();
    // returns are one number everywhere: ranked across currencies (once the metric metadata is in)
    await waitFor(() => expect(screen.getByTestId("compare-total_return-1").className).toContain("best"));
    expect(screen.getByTestId("compare-final_equity-0").textContent).toBe("$110,000.00");
    expect(screen.getByTestId("compare-final_equity-1").textContent).toBe("₹1,16,200.00");
    expect(screen.getByTestId("compare-total_fees-1").textContent).toBe("₹46,958.00");
    // fees ₹46,958 are not "better" than $59,621; equities are not ranked either
    for (const k of ["total_fees", "final_equity"])
      for (const i of [0, 1]) expect(screen.getByTestId(`compare-${k}-${i}`).className).not.toContain("best");
    // the chart is rebased to 100 and cannot be switched to money
    const normalize = screen.getByTestId("compare-normalize") as HTMLInputElement;
    expect(normalize.checked && normalize.disabled).toBe(true);
    expect(drawn.series.map((s) => s[0])).toEqual([100, 100]);
    expect(drawn.formatter?.(116.2)).toBe("116.2");
  });

  it("ranks money within one currency", async () => {
    stub();
    renderCompare("us,in,us2");
    await screen.findByTestId("currency-note");
    await waitFor(() => expect(screen.getByTestId("compare-total_fees-2").className).toContain("best")); // $30,000 < $59,621
    expect(screen.getByTestId("compare-total_fees-1").className).not.toContain("best"); // the ₹ run is alone
    expect(screen.getByTestId("compare-final_equity-0").className).toContain("best");
  });

  it("one currency: no note, money on the axis in that currency", async () => {
    stub();
    renderCompare("us,us2");
    await screen.findByTestId("compare-table");
    expect(screen.queryByTestId("currency-note")).toBeNull();
    expect((screen.getByTestId("compare-normalize") as HTMLInputElement).disabled).toBe(false);
  });
});

describe("UploadReport", () => {
  it("reconciles rows in the file, bars stored and the warnings", () => {
    render(
      <UploadReport
        checkedRows={400}
        result={{
          symbol: "MYCO", market: "US", rows: 386, rows_in_file: 400, rows_dropped: 14, first: "2020-01-02", last: "2021-07-30", source: "myco.csv",
          validation: {
            issues: [], issues_total: 14, repaired: 14,
            summary: [{ kind: "non_session", detail: "not a US session; dropped", severity: "warning", action: "repair", count: 14, first: "2020-01-04", last: "2021-07-04" }],
          },
        }}
      />,
    );
    expect(screen.getByTestId("upload-counts").textContent).toMatch(/386 bars stored .* from 400 rows in the file; 14 rows dropped/);
    const w = screen.getByTestId("upload-warning-non_session").textContent;
    expect(w).toContain("14 rows: not a US session; dropped");
    expect(w).toContain("2020-01-04 – 2021-07-04");
  });
});
