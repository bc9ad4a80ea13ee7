// The relationships a filter matches, a page at a time, each deletable.

import { useState } from "preact/hooks";
import { relationshipText } from "../../../src/cli/api-values.js";
import type { Relationship } from "../../../src/gen/latch/v1/core_pb.js";
import { RelationshipUpdate_Operation } from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { UNARY_TIMEOUT_MS } from "../api/clients.js";
import { useClients } from "../api/clients-context.js";
import { useAction } from "../api/use-call.js";
import { ErrorNote } from "../ui/error-note.js";
import { TimeText } from "../ui/time-text.js";

/**
 * RelationshipListProps are the relationships shown and what to do after one is deleted:
 * undefined when the key may not delete, and no delete button is offered.
 */
export interface RelationshipListProps {
  readonly relationships: readonly Relationship[];
  readonly onDeleted: ((token: string) => void) | undefined;
}

/** RelationshipList shows relationships in a table, with a delete button each when offered. */
export function RelationshipList({ relationships, onDeleted }: RelationshipListProps) {
  if (relationships.length === 0) return <p>No relationship matches.</p>;
  return (
    <div class="table-scroll">
      <table>
        <thead>
          <tr>
            <th scope="col">Relationship</th>
            <th scope="col">Expires</th>
            {onDeleted === undefined ? null : <th scope="col">Action</th>}
          </tr>
        </thead>
        <tbody>
          {relationships.map((relationship) => {
            const text = relationshipText(relationship);
            return (
              <tr key={text}>
                <td>
                  <code>{text}</code>
                </td>
                <td>
                  {relationship.expiresAt === undefined ? (
                    "never"
                  ) : (
                    <TimeText at={relationship.expiresAt} />
                  )}
                </td>
                {onDeleted === undefined ? null : (
                  <td>
                    <DeleteButton relationship={relationship} text={text} onDeleted={onDeleted} />
                  </td>
                )}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}

interface DeleteButtonProps {
  readonly relationship: Relationship;
  readonly text: string;
  readonly onDeleted: (token: string) => void;
}

/** DeleteButton deletes one relationship after a confirmation. */
function DeleteButton({ relationship, text, onDeleted }: DeleteButtonProps) {
  const clients = useClients();
  const [confirming, setConfirming] = useState(false);
  const [action, run] = useAction();
  const remove = () =>
    run(async (signal) => {
      const written = await clients.relationships.writeRelationships(
        { updates: [{ operation: RelationshipUpdate_Operation.DELETE, relationship }] },
        { signal, timeoutMs: UNARY_TIMEOUT_MS },
      );
      onDeleted(written.writtenAt);
    });
  if (!confirming) {
    return (
      <button type="button" onClick={() => setConfirming(true)} aria-label={`Delete ${text}`}>
        Delete…
      </button>
    );
  }
  return (
    <>
      <button type="button" class="danger" onClick={remove} disabled={action.running}>
        Yes, delete
      </button>{" "}
      <button type="button" onClick={() => setConfirming(false)}>
        Cancel
      </button>
      {action.error === undefined ? null : <ErrorNote message={action.error} />}
    </>
  );
}
