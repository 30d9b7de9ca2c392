import { useMemo } from "react";
import type { EquityPoint } from "../api/types";
import { monthlyReturns } from "../lib/monthly";
import { formatPct } from "../lib/format";

const MONTHS = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"];

function cellStyle(v: number | null | undefined, scale: number): React.CSSProperties {
  if (v === null || v === undefined) return {};
  const a = Math.min(1, Math.abs(v) / scale);
  const hue = v >= 0 ? "var(--pos-rgb)" : "var(--neg-rgb)";
  return { background: `rgba(${hue}, ${0.1 + 0.65 * a})` };
}

export default function MonthlyHeatmap({ points, effectiveStart }: { points: EquityPoint[]; effectiveStart?: string | null }) {
  const table = useMemo(() => monthlyReturns(points, effectiveStart), [points, effectiveStart]);
  const scale = useMemo(() => {
    const all = table.years.flatMap((y) => table.months[y].filter((x): x is number => x !== null).map(Math.abs)).sort((a, b) => a - b);
    return all.length ? Math.max(0.01, all[Math.floor(all.length * 0.95)] ?? all[all.length - 1]) : 0.05;
  }, [table]);
  if (!table.years.length) return <p className="muted">No equity data.</p>;
  return (
    <div className="table-wrap">
      <table className="table heatmap" data-testid="monthly-heatmap">
        <thead>
          <tr>
            <th>Year</th>
            {MONTHS.map((m) => (
              <th key={m} className="num">
                {m}
              </th>
            ))}
            <th className="num">Year</th>
          </tr>
        </thead>
        <tbody>
          {table.years.map((y) => (
            <tr key={y}>
              <th scope="row">{y}</th>
              {table.months[y].map((v, i) => {
                const warm = table.warmup.has(`${y}-${String(i + 1).padStart(2, "0")}`);
                return (
                  <td
                    key={i}
                    className={"num" + (warm ? " muted warmup" : "")}
                    data-testid={warm ? "heatmap-warmup" : undefined}
                    style={cellStyle(v, scale)}
                    title={warm ? `${MONTHS[i]} ${y}: warm-up (the strategy's indicators were not yet defined)` : v === null ? "" : `${MONTHS[i]} ${y}: ${formatPct(v)}`}
                  >
                    {v === null ? "" : formatPct(v, 1)}
                  </td>
                );
              })}
              <td className="num strong" style={cellStyle(table.yearly[y], scale * 3)}>
                {y in table.yearly ? formatPct(table.yearly[y], 1) : ""}
              </td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
