import { useState } from "react";
import { marketDataApi, providerList } from "../../api/client";
import type { ProviderInfo } from "../../api/marketData";
import { useAsync } from "../../lib/hooks";
import { formatNumber } from "../../lib/format";
import { Empty, ErrorBox, Loading } from "../ui";

/** The market-data vendors: configured (and which variables configure them), reachable (on
 * demand: a check pings each configured vendor once), and their request limits. */
export default function ProviderStatus({ onLoaded }: { onLoaded?: (p: ProviderInfo[]) => void }) {
  const [check, setCheck] = useState(false);
  const [tick, setTick] = useState(0);
  const list = useAsync(
    (s) =>
      marketDataApi.providers(check, s).then((r) => {
        const items = providerList(r);
        onLoaded?.(items);
        return items;
      }),
    [check, tick],
  );
  return (
    <div data-testid="providers">
      <div className="toolbar">
        <button
          type="button"
          className="btn btn-small"
          data-testid="providers-check"
          disabled={list.loading}
          onClick={() => (check ? setTick((t) => t + 1) : setCheck(true))}
        >
          {list.loading && check ? "Checking…" : "Check connectivity"}
        </button>
        <span className="muted small">Keys come from the server's environment; a vendor without its key is skipped in the fallback order.</span>
      </div>
      {list.error ? <ErrorBox error={list.error} onRetry={list.reload} /> : !list.data ? <Loading label="Loading providers…" /> : list.data.length === 0 ? <Empty>No providers.</Empty> : <ProviderTable items={list.data} />}
    </div>
  );
}

export function ProviderTable({ items }: { items: ProviderInfo[] }) {
  return (
    <div className="table-wrap">
      <table className="table" data-testid="providers-table">
        <thead>
          <tr>
            <th>Provider</th>
            <th>Markets</th>
            <th>Timeframes</th>
            <th>Configured</th>
            <th>Reachable</th>
            <th className="num">Requests / min</th>
            <th>Key variables</th>
          </tr>
        </thead>
        <tbody>
          {items.map((p) => (
            <tr key={p.name} data-testid={`provider-${p.name}`} data-configured={p.configured ? "yes" : "no"}>
              <td>
                <strong>{p.title}</strong> <span className="muted mono small">{p.name}</span>
              </td>
              <td>{p.markets.join(", ")}</td>
              <td className="small">{p.timeframes.join(" ")}</td>
              <td>
                {p.configured ? (
                  <span className="badge badge-ok">configured</span>
                ) : (
                  <span className="badge badge-warn" data-testid={`provider-missing-${p.name}`}>
                    set {p.key_variables.join(" + ") || "its key"}
                  </span>
                )}
              </td>
              <td data-testid={`provider-reachable-${p.name}`}>
                {p.reachable === true ? (
                  <span className="badge badge-ok">reachable</span>
                ) : p.reachable === false ? (
                  <span className="badge badge-warn" title={p.error ?? ""}>
                    unreachable
                  </span>
                ) : (
                  <span className="muted small">not checked</span>
                )}
                {p.reachable === false && p.error ? <div className="small neg">{p.error}</div> : null}
              </td>
              <td className="num">{formatNumber(p.requests_per_minute, 0, null)}</td>
              <td className="mono small">{p.key_variables.length ? p.key_variables.join(", ") : "none needed"}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
