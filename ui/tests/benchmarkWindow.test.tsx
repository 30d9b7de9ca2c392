import { afterEach, describe, expect, it } from "vitest";
import { cleanup, render, screen } from "@testing-library/react";
import MetricCards, { benchmarkWindow } from "../src/components/MetricCards";

const meta = [
  { key: "total_return", label: "Total return", unit: "pct", higher_is_better: true, formula: "", group: "returns" },
  { key: "beta", label: "Beta", unit: "ratio", higher_is_better: null, formula: "", group: "benchmark" },
  { key: "benchmark_return", label: "Benchmark return", unit: "pct", higher_is_better: null, formula: "", group: "benchmark" },
] as const;

afterEach(cleanup);

describe("benchmark window", () => {
  it("is stated beside every benchmark-relative figure, not shown as cards of its own", () => {
    const metrics = {
      total_return: 0.5, beta: 0.4, benchmark_return: 1.04,
      benchmark_start: "1999-01-04", benchmark_end: "2018-12-31", benchmark_bars: 5031,
    } as unknown as Record<string, number | null>;
    render(<MetricCards metrics={metrics} meta={[...meta]} currency="USD" />);
    const over = "over 1999-01-04 – 2018-12-31 (5,031 bars)";
    expect(screen.getByTestId("metric-window-benchmark_return").textContent).toBe(over);
    expect(screen.getByTestId("metric-window-beta").textContent).toBe(over);
    expect(screen.queryByTestId("metric-window-total_return")).toBeNull();
    for (const k of ["benchmark_start", "benchmark_end", "benchmark_bars"]) {
      expect(screen.queryByTestId(`metric-${k}`)).toBeNull();
    }
    expect(screen.getByText("All metrics (3)")).toBeTruthy();
  });

  it("is absent without a benchmark", () => {
    expect(benchmarkWindow({ benchmark_start: null, benchmark_end: null, benchmark_bars: null })).toBeNull();
    expect(benchmarkWindow({})).toBeNull();
    render(<MetricCards metrics={{ benchmark_return: null }} meta={[...meta]} currency="USD" />);
    expect(screen.queryByTestId("metric-window-benchmark_return")).toBeNull();
  });
});
