// Deciding a pending request: approve for as long as asked or less, or deny; a note for the record.

import { useState } from "preact/hooks";
import type { AccessRequest } from "../../../src/gen/latch/v1/approval_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction } from "../api/use-call.js";
import { secondsText } from "../ui/duration-text.js";
import { ErrorNote } from "../ui/error-note.js";

/** Shorter grants offered besides the whole duration asked for, in seconds. */
const SHORTER = [15 * 60, 30 * 60, 3600, 4 * 3600, 86_400];

/**
 * DecideForm approves request (for the duration chosen, never more than asked) or denies it.
 * The inbox drops it once the server's change stream says it is decided.
 */
export function DecideForm({ request }: { readonly request: AccessRequest }) {
  const clients = useClients();
  const asked = Number(request.duration?.seconds ?? 0n);
  const [seconds, setSeconds] = useState(asked);
  const [note, setNote] = useState("");
  const [action, run] = useAction();
  const approve = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      await clients.approvals.approve(
        {
          id: request.id,
          note: note.trim(),
          // The whole duration asked for is sent as unset: exactly what was asked, to the nanosecond.
          ...(seconds >= asked ? {} : { duration: { seconds: BigInt(seconds) } }),
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
    });
  };
  const deny = () =>
    run(async (signal) => {
      await clients.approvals.deny(
        { id: request.id, note: note.trim() },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
    });
  const choices = [asked, ...SHORTER.filter((s) => s < asked)];
  return (
    <form class="inline-form" onSubmit={approve} aria-label={`Decide request ${request.id}`}>
      <label>
        Grant for
        <select
          value={String(seconds)}
          onChange={(event) => setSeconds(Number(event.currentTarget.value))}
        >
          {choices.map((s) => (
            <option key={s} value={String(s)}>
              {secondsText(s)}
              {s === asked ? " (as asked)" : ""}
            </option>
          ))}
        </select>
      </label>
      <label>
        Note
        <input maxLength={1024} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.running}>
        Approve
      </button>
      <button type="button" class="danger" disabled={action.running} onClick={deny}>
        Deny
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </form>
  );
}
