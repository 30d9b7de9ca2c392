/** The API token (the server's AVA_API_TOKEN), entered once and kept in this browser's
 * localStorage. Sent as `Authorization: Bearer <token>` on every request and as `?token=` on the
 * WebSocket (a browser cannot set headers there). A 401 or a WebSocket closed with 4401 asks the
 * page to prompt for it ("ava-auth-required"). */

export const TOKEN_KEY = "ava-api-token";
/** The close code the server uses for a WebSocket refused for its token. */
export const WS_UNAUTHORIZED = 4401;
const CHANGED = "ava-token-changed";
const REQUIRED = "ava-auth-required";

export function getToken(): string | null {
  try {
    const t = localStorage.getItem(TOKEN_KEY);
    return t && t.trim() ? t.trim() : null;
  } catch {
    return null; // storage disabled: no token
  }
}

export function setToken(token: string | null): void {
  const t = token?.trim() || null;
  try {
    if (t) localStorage.setItem(TOKEN_KEY, t);
    else localStorage.removeItem(TOKEN_KEY);
  } catch {
    /* storage disabled: nothing to keep */
  }
  window.dispatchEvent(new Event(CHANGED));
}

/** Headers of `init` plus the bearer token, when one is set (an explicit Authorization wins). */
export function withAuth(init: RequestInit = {}): RequestInit {
  const token = getToken();
  if (!token) return init;
  const headers = new Headers(init.headers);
  if (!headers.has("authorization")) headers.set("authorization", `Bearer ${token}`);
  return { ...init, headers };
}

/** `url` with `token=<token>` added to its query, when one is set. */
export function withTokenParam(url: string): string {
  const token = getToken();
  if (!token) return url;
  return url + (url.includes("?") ? "&" : "?") + "token=" + encodeURIComponent(token);
}

export function authRequired(): void {
  window.dispatchEvent(new Event(REQUIRED));
}

export function onTokenChanged(fn: () => void): () => void {
  window.addEventListener(CHANGED, fn);
  return () => window.removeEventListener(CHANGED, fn);
}

export function onAuthRequired(fn: () => void): () => void {
  window.addEventListener(REQUIRED, fn);
  return () => window.removeEventListener(REQUIRED, fn);
}
