// Lifting a suspension: one button, its error in words.

import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { subjectInput } from "../api/parse-input.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";

/** ResumeButtonProps name the subject, as suspended, and what to do once it is resumed. */
export interface ResumeButtonProps {
  readonly subject: string;
  readonly label: string;
  readonly onDone: () => void;
}

/** ResumeButton resumes subject. */
export function ResumeButton({ subject, label, onDone }: ResumeButtonProps) {
  const clients = useClients();
  const [action, run] = useAction();
  const resume = () =>
    run(async (signal) => {
      await clients.agents.resume(
        { subject: subjectInput("subject", subject) },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      onDone();
    });
  return (
    <>
      <button type="button" onClick={resume} disabled={action.running}>
        {action.running ? "Resuming…" : label}
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </>
  );
}
