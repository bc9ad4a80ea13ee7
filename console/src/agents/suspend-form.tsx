// Suspending a subject: a reason, and how long (until resumed, or a while).

import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { useEffect, useRef, useState } from "preact/hooks";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { subjectInput } from "../api/parse-input.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";

/** The durations offered, in minutes; 0 lasts until resumed. */
const DURATIONS = [
  { minutes: 0, label: "until resumed" },
  { minutes: 15, label: "15 minutes" },
  { minutes: 60, label: "1 hour" },
  { minutes: 24 * 60, label: "1 day" },
  { minutes: 7 * 24 * 60, label: "1 week" },
];

/** SuspendFormProps name the subject and what to do once it is suspended or the form is left. */
export interface SuspendFormProps {
  readonly subject: string;
  /** The submit button's words; `Suspend SUBJECT` when unset. */
  readonly confirmLabel?: string;
  readonly onDone: () => void;
  readonly onCancel: () => void;
}

/** SuspendForm suspends subject with a reason, until resumed or for a while. */
export function SuspendForm({ subject, confirmLabel, onDone, onCancel }: SuspendFormProps) {
  const clients = useClients();
  const [reason, setReason] = useState("");
  const [minutes, setMinutes] = useState(0);
  const [action, run] = useAction();
  const reasonField = useRef<HTMLInputElement>(null);
  useEffect(() => reasonField.current?.focus(), []);
  const submit = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      await clients.agents.suspend(
        {
          subject: subjectInput("subject", subject),
          reason: reason.trim(),
          ...(minutes === 0 ? {} : { expiresAt: timestampFromMs(Date.now() + minutes * 60_000) }),
        },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      onDone();
    });
  };
  return (
    <form class="inline-form" onSubmit={submit} aria-label={`Suspend ${subject}`}>
      <label>
        Reason
        <input
          ref={reasonField}
          required
          maxLength={1024}
          value={reason}
          onInput={(event) => setReason(event.currentTarget.value)}
        />
      </label>
      <label>
        For
        <select
          value={String(minutes)}
          onChange={(event) => setMinutes(Number(event.currentTarget.value))}
        >
          {DURATIONS.map((d) => (
            <option key={d.minutes} value={String(d.minutes)}>
              {d.label}
            </option>
          ))}
        </select>
      </label>
      <button type="submit" class="danger" disabled={action.running}>
        {action.running ? "Suspending…" : (confirmLabel ?? `Suspend ${subject}`)}
      </button>
      <button type="button" onClick={onCancel}>
        Cancel
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </form>
  );
}
