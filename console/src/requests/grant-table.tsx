// The approved grants still in force, each revocable before it expires.

import { useState } from "preact/hooks";
import { relationshipText } from "../../../src/cli/api-values.js";
import {
  type AccessRequest,
  ApprovalService,
} from "../../../src/gen/latch/v1/approval_service_pb.js";
import { useAllows } from "../api/access-context.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";
import { TimeText } from "../ui/time-text.js";

/** GrantTable lists approved requests with a revoke button each, when the key may revoke. */
export function GrantTable({ grants }: { readonly grants: readonly AccessRequest[] }) {
  const mayRevoke = useAllows()(ApprovalService.method.revoke);
  if (grants.length === 0) return <p>No approved grant is in force.</p>;
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Grant</th>
            <th scope="col">Approved by</th>
            <th scope="col">Expires</th>
            {mayRevoke ? <th scope="col">Action</th> : null}
          </tr>
        </thead>
        <tbody>
          {grants.map((grant) => (
            <tr key={grant.id}>
              <td>
                <code>{relationshipText(grant.relationship)}</code>
              </td>
              <td>
                {grant.decidedBy}
                {grant.note === "" ? "" : `: ${grant.note}`}
              </td>
              <td>
                <TimeText at={grant.grantExpiresAt} />
              </td>
              {mayRevoke ? (
                <td>
                  <RevokeButton grant={grant} />
                </td>
              ) : null}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function RevokeButton({ grant }: { readonly grant: AccessRequest }) {
  const clients = useClients();
  const [note, setNote] = useState("");
  const [action, run] = useAction();
  const revoke = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      await clients.approvals.revoke(
        { id: grant.id, note: note.trim() },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
    });
  };
  return (
    <form class="inline-form" onSubmit={revoke} aria-label={`Revoke grant ${grant.id}`}>
      <label>
        Note
        <input maxLength={1024} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" class="danger" disabled={action.running}>
        Revoke
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </form>
  );
}
