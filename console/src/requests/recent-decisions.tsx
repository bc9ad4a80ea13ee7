// The latest decisions a subject took part in (as the subject or as an actor), for an approver to weigh.

import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useCall } from "../api/use-call.js";
import { DecisionTable } from "../decisions/decision-table.js";
import { CallView } from "../ui/call-view.js";

/** How many recent decisions are shown. */
const RECENT = 5;

/** RecentDecisions lists the last few decisions subject asked for or acted in, newest first. */
export function RecentDecisions({ subject }: { readonly subject: string }) {
  const clients = useClients();
  const [state, retry] = useCall(
    async (signal) => {
      const options = { signal, timeoutMs: UNARY_TIMEOUT_MS };
      const [asSubject, asActor] = await Promise.all([
        clients.decisions.listDecisions({ filter: { subject }, pageSize: RECENT }, options),
        clients.decisions.listDecisions({ filter: { actor: subject }, pageSize: RECENT }, options),
      ]);
      // Decision ids are UUIDv7s: their text sorts by time.
      return [...asSubject.decisions, ...asActor.decisions]
        .sort((a, b) => b.decisionId.localeCompare(a.decisionId))
        .slice(0, RECENT);
    },
    [subject],
  );
  return (
    <CallView state={state} what={`the decisions of ${subject}`} onRetry={retry}>
      {(decisions) => <DecisionTable decisions={decisions} />}
    </CallView>
  );
}
