import { useEffect, useRef, useState, type FormEvent } from "react";
import { NavLink, Outlet } from "react-router";
import { getToken, onAuthRequired, onTokenChanged, setToken, withTokenParam } from "../lib/auth";
import { useTheme } from "../lib/theme";

const LINKS = [
  { to: "/strategies", label: "Strategies", id: "nav-strategies" },
  { to: "/backtests/new", label: "New backtest", id: "nav-new" },
  { to: "/runs", label: "Runs", id: "nav-runs" },
  { to: "/optimizations", label: "Optimise", id: "nav-optimise" },
  { to: "/screens", label: "Screens", id: "nav-screens" },
  { to: "/walk-forwards", label: "Walk-forward", id: "nav-walkforward" },
  { to: "/data", label: "Data", id: "nav-data" },
  { to: "/build", label: "Build", id: "nav-build" },
];

export default function Layout() {
  const { theme, toggle } = useTheme();
  const [token, setTokenState] = useState<string | null>(() => getToken());
  const [epoch, setEpoch] = useState(0);
  const [panel, setPanel] = useState<null | "asked" | "refused" | "open">(null);
  useEffect(
    () =>
      onTokenChanged(() => {
        setTokenState(getToken());
        setEpoch((e) => e + 1); // the page remounts and loads again with the new token
      }),
    [],
  );
  useEffect(() => onAuthRequired(() => setPanel((p) => (p === "open" ? p : getToken() ? "refused" : "asked"))), []);
  return (
    <div className="app">
      <a className="skip-link" href="#main">
        Skip to content
      </a>
      <header className="topbar">
        <NavLink to="/strategies" className="brand" aria-label="Ava home">
          <span className="brand-mark" aria-hidden="true">
            ▲
          </span>
          Ava
        </NavLink>
        <nav aria-label="Main">
          {LINKS.map((l) => (
            <NavLink key={l.to} to={l.to} data-testid={l.id} className={({ isActive }) => (isActive ? "active" : "")}>
              {l.label}
            </NavLink>
          ))}
        </nav>
        <div className="spacer" />
        <a className="muted small" href={withTokenParam("/docs")} target="_blank" rel="noreferrer">
          API docs
        </a>
        <button
          type="button"
          className={"btn btn-ghost" + (token ? "" : " muted")}
          data-testid="token-button"
          onClick={() => setPanel((p) => (p ? null : "open"))}
          aria-expanded={panel !== null}
          aria-controls="token-panel"
          title={token ? "API token set (stored in this browser)" : "Enter the API token"}
        >
          {token ? "Token set" : "API token"}
        </button>
        <button
          type="button"
          className="btn btn-ghost"
          data-testid="theme-toggle"
          onClick={toggle}
          aria-label={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
          title={`Switch to ${theme === "dark" ? "light" : "dark"} theme`}
        >
          {theme === "dark" ? "☀ Light" : "☾ Dark"}
        </button>
      </header>
      {panel !== null && <TokenPanel reason={panel} hasToken={token !== null} onClose={() => setPanel(null)} />}
      <main id="main" tabIndex={-1}>
        <Outlet key={epoch} />
      </main>
    </div>
  );
}

/** Where the API token is entered: opened from the header, or by the first 401. */
function TokenPanel({ reason, hasToken, onClose }: { reason: "asked" | "refused" | "open"; hasToken: boolean; onClose: () => void }) {
  const [value, setValue] = useState("");
  const input = useRef<HTMLInputElement>(null);
  useEffect(() => input.current?.focus(), []);
  const save = (e: FormEvent) => {
    e.preventDefault();
    if (!value.trim()) return;
    setToken(value);
    onClose();
  };
  return (
    <section id="token-panel" className="token-panel" data-testid="token-panel" aria-label="API token">
      <form className="form" onSubmit={save}>
        <p className={reason === "open" ? "small muted" : "small neg"} data-testid="token-reason" role={reason === "open" ? undefined : "alert"}>
          {reason === "asked"
            ? "This server requires an API token (AVA_API_TOKEN). Enter it to use Ava."
            : reason === "refused"
              ? "The server refused the stored API token. Enter the current one."
              : "The API token is sent with every request and kept in this browser's storage only."}
        </p>
        <div className="field-row">
          <div className="field grow">
            <label htmlFor="token-input">API token</label>
            <input
              id="token-input"
              ref={input}
              type="password"
              autoComplete="off"
              value={value}
              onChange={(e) => setValue(e.target.value)}
              placeholder={hasToken ? "•••••••• (stored)" : "paste the token"}
              data-testid="token-input"
            />
          </div>
        </div>
        <div className="form-actions">
          <button type="submit" className="btn btn-primary" data-testid="token-save" disabled={!value.trim()}>
            Save token
          </button>
          {hasToken && (
            <button
              type="button"
              className="btn btn-ghost"
              data-testid="token-clear"
              onClick={() => {
                setToken(null);
                onClose();
              }}
            >
              Forget token
            </button>
          )}
          <button type="button" className="btn btn-ghost" onClick={onClose}>
            Close
          </button>
        </div>
      </form>
    </section>
  );
}
