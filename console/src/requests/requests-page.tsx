// The Access requests page: the inbox of pending requests and the grants in force, both live.

import { useState } from "preact/hooks";
import { ApprovalService } from "../../../src/gen/latch/v1/approval_service_pb.js";
import { useClients } from "../api/clients-context.js";
import { ErrorNote } from "../ui/error-note.js";
import { Loading } from "../ui/loading.js";
import { ScopeNote } from "../ui/scope-note.js";
import { GrantTable } from "./grant-table.js";
import { GRANTS, INBOX, withStatus } from "./request-book.js";
import { RequestCard } from "./request-card.js";
import { useRequestBook } from "./use-request-book.js";

/** RequestsPage shows pending requests to decide and approved grants to revoke, as they change. */
export function RequestsPage() {
  const clients = useClients();
  const [round, setRound] = useState(0);
  const state = useRequestBook(clients, round);
  const reload = () => setRound((n) => n + 1);
  if (state.status === "loading") {
    return (
      <section>
        <h1>Access requests</h1>
        <Loading what="access requests" />
      </section>
    );
  }
  if (state.status === "failed") {
    return (
      <section>
        <h1>Access requests</h1>
        <ErrorNote message={state.message} onRetry={reload} />
      </section>
    );
  }
  const pending = withStatus(state.book, INBOX);
  return (
    <section>
      <h1>Access requests</h1>
      {state.status === "live" ? (
        <p class="hint" role="status">
          Live: requests appear and leave as they are made and decided.
        </p>
      ) : (
        <ErrorNote message={`Live updates stopped: ${state.stopped}`} onRetry={reload} />
      )}
      <ScopeNote
        method={ApprovalService.method.approve}
        action="Approving, denying or revoking access"
      />
      <h2>Pending ({pending.length})</h2>
      {pending.length === 0 ? <p>No request is waiting.</p> : null}
      {pending.map((request) => (
        <RequestCard key={request.id} request={request} />
      ))}
      <h2>Grants in force</h2>
      <GrantTable grants={withStatus(state.book, GRANTS)} />
    </section>
  );
}
