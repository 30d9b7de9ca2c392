import { NavLink, Outlet } from "react-router";
import { useTheme } from "../lib/theme";

const LINKS = [
  { to: "/strategies", label: "Strategies", id: "nav-strategies" },
  { to: "/backtests/new", label: "New backtest", id: "nav-new" },
  { to: "/runs", label: "Runs", id: "nav-runs" },
  { to: "/data", label: "Data", id: "nav-data" },
];

export default function Layout() {
  const { theme, toggle } = useTheme();
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
        <a className="muted small" href="/docs" target="_blank" rel="noreferrer">
          API docs
        </a>
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
      <main id="main" tabIndex={-1}>
        <Outlet />
      </main>
    </div>
  );
}
