import { createContext, useCallback, useContext, useEffect, useState, type ReactNode } from "react";

export type Theme = "light" | "dark";
const KEY = "ava-theme";

function initialTheme(): Theme {
  try {
    const saved = localStorage.getItem(KEY);
    if (saved === "light" || saved === "dark") return saved;
  } catch {
    /* private mode */
  }
  return typeof window !== "undefined" && window.matchMedia?.("(prefers-color-scheme: dark)").matches ? "dark" : "light";
}

const Ctx = createContext<{ theme: Theme; toggle: () => void }>({ theme: "light", toggle: () => {} });

export function ThemeProvider({ children }: { children: ReactNode }) {
  const [theme, setTheme] = useState<Theme>(initialTheme);
  useEffect(() => {
    document.documentElement.dataset.theme = theme;
  }, [theme]);
  useEffect(() => {
    // follow the system while the user has not chosen
    const mq = window.matchMedia?.("(prefers-color-scheme: dark)");
    if (!mq) return;
    const on = (e: MediaQueryListEvent) => {
      if (!localStorage.getItem(KEY)) setTheme(e.matches ? "dark" : "light");
    };
    mq.addEventListener?.("change", on);
    return () => mq.removeEventListener?.("change", on);
  }, []);
  const toggle = useCallback(() => {
    setTheme((t) => {
      const next = t === "dark" ? "light" : "dark";
      try {
        localStorage.setItem(KEY, next);
      } catch {
        /* ignore */
      }
      return next;
    });
  }, []);
  return <Ctx.Provider value={{ theme, toggle }}>{children}</Ctx.Provider>;
}

export const useTheme = () => useContext(Ctx);

/** Chart colours for the current theme. */
export function chartColors(theme: Theme) {
  const dark = theme === "dark";
  return {
    bg: dark ? "#14171c" : "#ffffff",
    text: dark ? "#c9d1d9" : "#333d47",
    grid: dark ? "#232830" : "#eef1f4",
    border: dark ? "#30363d" : "#d8dde3",
    equity: dark ? "#58a6ff" : "#1f6feb",
    benchmark: dark ? "#8b949e" : "#8a94a0",
    drawdown: dark ? "rgba(248,81,73,0.45)" : "rgba(207,34,46,0.35)",
    drawdownLine: dark ? "#f85149" : "#cf222e",
    up: dark ? "#3fb950" : "#1a7f37",
    down: dark ? "#f85149" : "#cf222e",
    fast: "#d29922",
    slow: dark ? "#bc8cff" : "#8250df",
    palette: dark
      ? ["#58a6ff", "#3fb950", "#d29922", "#bc8cff"]
      : ["#1f6feb", "#1a7f37", "#bf8700", "#8250df"],
  };
}
