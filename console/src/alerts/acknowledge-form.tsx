// Acknowledging an open alert: a note for the record, and the alert as acknowledged.

import { useState } from "preact/hooks";
import type { Alert } from "../../../src/gen/latch/v1/alert_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";

/** AcknowledgeFormProps are the open alert and what to do with it once acknowledged. */
export interface AcknowledgeFormProps {
  readonly alert: Alert;
  readonly onDone: (alert: Alert) => void;
}

/** AcknowledgeForm acknowledges alert with an optional note. */
export function AcknowledgeForm({ alert, onDone }: AcknowledgeFormProps) {
  const clients = useClients();
  const [note, setNote] = useState("");
  const [action, run] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      const response = await clients.alerts.acknowledgeAlert(
        { id: alert.id, note: note.trim() },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      if (response.alert !== undefined) onDone(response.alert);
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Acknowledge alert ${alert.id}`}>
      <label>
        Note
        <input maxLength={1024} value={note} onInput={(e) => setNote(e.currentTarget.value)} />
      </label>
      <button type="submit" disabled={action.running}>
        {action.running ? "Acknowledging…" : "Acknowledge"}
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </form>
  );
}
