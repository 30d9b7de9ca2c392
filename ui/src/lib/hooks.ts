import { useCallback, useEffect, useRef, useState, type DependencyList } from "react";

export interface Async<T> {
  data: T | undefined;
  error: unknown;
  loading: boolean;
  reload: () => void;
}

/** Run an async loader when deps change; abort the previous one. `initial`: the data already
 * at hand for the first deps (then the first load is skipped). */
export function useAsync<T>(load: (signal: AbortSignal) => Promise<T>, deps: DependencyList, initial?: () => T | undefined): Async<T> {
  const [state, setState] = useState<{ data: T | undefined; error: unknown; loading: boolean }>(() => {
    const data = initial?.();
    return { data, error: null, loading: data === undefined };
  });
  const skip = useRef(state.data !== undefined);
  const [tick, setTick] = useState(0);
  useEffect(() => {
    if (skip.current) {
      skip.current = false;
      return;
    }
    const ac = new AbortController();
    setState((s) => ({ ...s, loading: true, error: null }));
    load(ac.signal).then(
      (data) => !ac.signal.aborted && setState({ data, error: null, loading: false }),
      (error) => !ac.signal.aborted && setState((s) => ({ data: s.data, error, loading: false })),
    );
    return () => ac.abort();
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [...deps, tick]);
  return { ...state, reload: () => setTick((t) => t + 1) };
}

/** Is the element on screen, or within `margin` px of it (once true, stays true)? Returns a
 * callback ref. An element already on screen when it mounts is known at once (before the first
 * paint), not a frame later from the observer. */
export function useInView<T extends Element>(margin = 300): [(el: T | null) => void, boolean] {
  const [el, setEl] = useState<T | null>(null);
  const [seen, setSeen] = useState(false);
  const ref = useCallback(
    (node: T | null) => {
      setEl(node);
      if (!node || typeof window === "undefined") return;
      const r = node.getBoundingClientRect();
      if ((r.width > 0 || r.height > 0) && r.bottom >= -margin && r.top <= window.innerHeight + margin) setSeen(true);
    },
    [margin],
  );
  useEffect(() => {
    if (seen || !el) return;
    if (typeof IntersectionObserver === "undefined") {
      setSeen(true);
      return;
    }
    const io = new IntersectionObserver(
      (entries) => {
        if (entries.some((e) => e.isIntersecting)) setSeen(true);
      },
      { rootMargin: `${margin}px` },
    );
    io.observe(el);
    return () => io.disconnect();
  }, [seen, el, margin]);
  return [ref, seen];
}

export function useDebounced<T>(value: T, ms = 200): T {
  const [v, setV] = useState(value);
  useEffect(() => {
    const t = setTimeout(() => setV(value), ms);
    return () => clearTimeout(t);
  }, [value, ms]);
  return v;
}

/** Run `fn` when the page is next idle (at most `timeout` ms later); returns the cancel. */
export function whenIdle(fn: () => void, timeout = 300): () => void {
  const w = window as Window & { requestIdleCallback?: (cb: () => void, o?: { timeout: number }) => number; cancelIdleCallback?: (h: number) => void };
  if (w.requestIdleCallback && w.cancelIdleCallback) {
    const h = w.requestIdleCallback(fn, { timeout });
    return () => w.cancelIdleCallback!(h);
  }
  const t = window.setTimeout(fn, 0);
  return () => window.clearTimeout(t);
}

/** Has a page's first drawing settled? `settle()` says so (a chart has painted; the work goes to
 * the next idle moment); without it: the first idle moment once `ready` is true while `waitFor`
 * is false (nothing in view to wait for), and at the latest `maxMs` after `ready` (a chart that
 * never paints). Starts over when `key` changes. */
export function useSettled(key: string, ready: boolean, waitFor: boolean, maxMs = 3000): { done: boolean; settle: () => void } {
  const [done, setDone] = useState<{ key: string; done: boolean }>({ key, done: false });
  const [asked, setAsked] = useState<string | null>(null);
  const isDone = done.key === key && done.done;
  const settle = useCallback(() => setAsked(key), [key]);
  useEffect(() => {
    if (isDone) return;
    const finish = () => setDone({ key, done: true });
    if (asked === key) return whenIdle(finish);
    if (!ready) return;
    const cancelIdle = waitFor ? () => {} : whenIdle(finish);
    const t = window.setTimeout(finish, maxMs);
    return () => {
      cancelIdle();
      window.clearTimeout(t);
    };
  }, [key, ready, waitFor, asked, isDone, maxMs]);
  return { done: isDone, settle };
}
