// The console's place in its URL: a path under /console and a query, so that every view can be shared.

import { useEffect, useState } from "preact/hooks";

/** BASE is where the server serves the console. */
const BASE = "/console";
/** The event navigate fires, for the components that follow the route. */
const NAVIGATED = "latch:navigated";

/** Route is a view's address: its path segments under /console, and its query. */
export interface Route {
  readonly segments: readonly string[];
  readonly query: URLSearchParams;
}

/** currentRoute reads the route from the window's location. */
export function currentRoute(): Route {
  const path = window.location.pathname.startsWith(BASE)
    ? window.location.pathname.slice(BASE.length)
    : "";
  const segments = path
    .split("/")
    .filter((s) => s !== "")
    .map((s) => decodeURIComponent(s));
  return { segments, query: new URLSearchParams(window.location.search) };
}

/**
 * consoleHref is the URL of a view: segments (encoded) under /console, and the query's non-empty
 * entries.
 */
export function consoleHref(
  segments: readonly string[],
  query: Readonly<Record<string, string | undefined>> = {},
): string {
  const path = segments.map((s) => `/${encodeURIComponent(s)}`).join("");
  const params = new URLSearchParams();
  for (const [name, value] of Object.entries(query)) {
    if (value !== undefined && value !== "") params.set(name, value);
  }
  const search = params.toString();
  return `${BASE}${path === "" ? "/" : path}${search === "" ? "" : `?${search}`}`;
}

/** navigate shows the view at href (from {@link consoleHref}), as a new history entry unless replace. */
export function navigate(href: string, replace = false): void {
  if (replace) window.history.replaceState(null, "", href);
  else window.history.pushState(null, "", href);
  window.dispatchEvent(new Event(NAVIGATED));
}

/** useRoute is the current route, following navigation and the browser's back and forward. */
export function useRoute(): Route {
  const [route, setRoute] = useState(currentRoute);
  useEffect(() => {
    const follow = () => setRoute(currentRoute());
    window.addEventListener("popstate", follow);
    window.addEventListener(NAVIGATED, follow);
    return () => {
      window.removeEventListener("popstate", follow);
      window.removeEventListener(NAVIGATED, follow);
    };
  }, []);
  return route;
}
