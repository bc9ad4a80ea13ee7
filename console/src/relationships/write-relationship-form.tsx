// Writing one relationship, typed as the CLI takes it: `document:plan#viewer@user:alice[expiration:…]`.

import { useState } from "preact/hooks";
import { RelationshipUpdate_Operation } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { relationshipInput } from "../api/parse-input.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";

/** WriteRelationshipForm writes (creates or replaces) one relationship, then calls onWritten. */
export function WriteRelationshipForm({
  onWritten,
}: {
  readonly onWritten: (token: string) => void;
}) {
  const clients = useClients();
  const [text, setText] = useState("");
  const [action, run] = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    run(async (signal) => {
      const relationship = relationshipInput("relationship", text);
      const written = await clients.relationships.writeRelationships(
        { updates: [{ operation: RelationshipUpdate_Operation.TOUCH, relationship }] },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      setText("");
      onWritten(written.writtenAt);
    });
  };
  return (
    <form class="write-form" onSubmit={submit} aria-label="Write a relationship">
      <label>
        New relationship
        <input
          required
          value={text}
          placeholder="document:plan#viewer@user:alice[expiration:2026-12-31T00:00:00Z]"
          onInput={(event) => setText(event.currentTarget.value)}
        />
      </label>
      <button type="submit" disabled={action.running}>
        {action.running ? "Writing…" : "Write"}
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </form>
  );
}
