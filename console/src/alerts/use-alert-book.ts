// The alerts a filter matches: the newest listed, then each new one as WatchAlerts streams it.

import { useEffect, useState } from "preact/hooks";
import type { Alert, AlertFilter } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { type ById, withItems } from "../api/by-id.js";
import { type Clients, UNARY_TIMEOUT_MS } from "../api/clients.js";
import { errorText, isCanceled } from "../api/error-text.js";

/** The most alerts the page lists at first, newest first. */
export const LISTED = 200;

/** AlertBookState is where the page's alerts stand. */
export type AlertBookState =
  | { readonly status: "loading" }
  | { readonly status: "failed"; readonly message: string }
  | {
      readonly status: "live" | "stopped";
      readonly alerts: ById<Alert>;
      /** Why live updates stopped, when they did. */
      readonly stopped?: string;
    };

/**
 * useAlertBook lists the newest alerts matching filter (undefined: none, the filter is wrong),
 * then follows those raised after the newest listed (after id 0 when none was, so that an alert
 * raised between the two calls is not missed), until the page goes away or key changes (another
 * filter, a reload). onAlert replaces one alert the page changed itself (an acknowledgement).
 */
export function useAlertBook(
  clients: Clients,
  filter: AlertFilter | undefined,
  key: string,
): [AlertBookState, (alert: Alert) => void] {
  const [state, setState] = useState<AlertBookState>({ status: "loading" });
  // The filter's identity is key: the URL's query and the reload count.
  useEffect(() => {
    if (filter === undefined) return;
    const abort = new AbortController();
    const { signal } = abort;
    setState({ status: "loading" });
    const follow = async () => {
      const listed = await clients.alerts.listAlerts(
        { filter, pageSize: LISTED },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      setState({ status: "live", alerts: withItems(new Map(), listed.alerts) });
      const raised = clients.alerts.watchAlerts(
        { filter, afterId: listed.alerts[0]?.id ?? "0" },
        { signal },
      );
      for await (const { alert } of raised) {
        if (alert !== undefined) setState((previous) => withAlert(previous, alert));
      }
    };
    follow().then(
      () => {
        if (!signal.aborted)
          setState((previous) => stopped(previous, "the server ended the stream"));
      },
      (error: unknown) => {
        if (!signal.aborted && !isCanceled(error)) {
          setState((previous) => stopped(previous, errorText(error)));
        }
      },
    );
    return () => abort.abort();
  }, [clients, key]);
  return [state, (alert) => setState((previous) => withAlert(previous, alert))];
}

function withAlert(state: AlertBookState, alert: Alert): AlertBookState {
  if (state.status !== "live" && state.status !== "stopped") return state;
  return { ...state, alerts: withItems(state.alerts, [alert]) };
}

/** stopped is state once its call failed or its stream ended: failed before a listing, else stopped. */
function stopped(state: AlertBookState, message: string): AlertBookState {
  if (state.status === "loading") return { status: "failed", message };
  if (state.status === "failed") return state;
  return { status: "stopped", alerts: state.alerts, stopped: message };
}
