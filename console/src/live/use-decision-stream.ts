// Decisions as WatchDecisions streams them, until the page goes away or the filter changes.

import { useEffect, useState } from "preact/hooks";
import type { Decision, DecisionFilter } from "../../../src/gen/latch/v1/decision_service_pb.js";
import type { Clients } from "../api/clients.js";
import { errorText, isCanceled } from "../api/error-text.js";

/** StreamState says whether the stream runs, and why it stopped. */
export type StreamState =
  | { readonly status: "live" }
  | { readonly status: "stopped"; readonly message: string };

/**
 * useDecisionStream follows the decisions matching filter (undefined: none, the filter is wrong),
 * calling onDecisions with each batch; key restarts it (a reconnect, or another filter).
 */
export function useDecisionStream(
  clients: Clients,
  filter: DecisionFilter | undefined,
  key: string,
  onDecisions: (decisions: readonly Decision[]) => void,
): StreamState {
  const [state, setState] = useState<StreamState>({ status: "live" });
  // The filter's identity is key: the URL's query and the reconnect count.
  useEffect(() => {
    if (filter === undefined) return;
    const abort = new AbortController();
    setState({ status: "live" });
    const follow = async () => {
      const stream = clients.decisions.watchDecisions({ filter }, { signal: abort.signal });
      for await (const response of stream) onDecisions(response.decisions);
    };
    follow().then(
      () => {
        if (!abort.signal.aborted) {
          setState({ status: "stopped", message: "the server ended the stream" });
        }
      },
      (error: unknown) => {
        if (!abort.signal.aborted && !isCanceled(error)) {
          setState({ status: "stopped", message: errorText(error) });
        }
      },
    );
    return () => abort.abort();
  }, [clients, key]);
  return state;
}
