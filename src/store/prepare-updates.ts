// Checks a write's updates before anything is applied, and copies their relationships for storage.

import { formatRelationship } from "../tuple/format-relationship.js";
import type { Relationship, RelationshipCaveat, SubjectRef } from "../tuple/relationship.js";
import { relationshipKey } from "../tuple/relationship-key.js";
import { formatTimestamp } from "../tuple/timestamp.js";
import { validateRelationship } from "../tuple/validate-relationship.js";
import { type RelationshipUpdate, StoreError, type UpdateOperation } from "./store.js";
import { checkCount } from "./write-limits.js";

/** PreparedUpdate is an update checked for a write, its relationship a frozen copy. */
export interface PreparedUpdate {
  readonly operation: UpdateOperation;
  readonly relationship: Relationship;
  readonly key: string;
}

const OPERATIONS: ReadonlySet<string> = new Set<UpdateOperation>(["create", "touch", "delete"]);

/**
 * prepareUpdates checks updates against the rules that do not depend on the stored state, throwing
 * a StoreError: at most maxUpdates of them ("too-many-updates"), each a valid relationship, none
 * already expired at nowMs unless deleted, and no relationship updated twice ("invalid-argument").
 */
export function prepareUpdates(
  updates: readonly RelationshipUpdate[],
  maxUpdates: number,
  nowMs: number,
): PreparedUpdate[] {
  checkCount("updates", updates.length, maxUpdates);
  const keys = new Set<string>();
  return updates.map(({ operation, relationship }) => {
    if (!OPERATIONS.has(operation)) {
      throw new StoreError(
        "invalid-argument",
        `unknown update operation ${JSON.stringify(operation)}`,
      );
    }
    const problem = validateRelationship(relationship);
    if (problem !== undefined) {
      const text = formatRelationship(relationship);
      throw new StoreError("invalid-argument", `cannot ${operation} ${text}: ${problem}`);
    }
    const { expiresAt } = relationship;
    if (operation !== "delete" && expiresAt !== undefined && expiresAt.getTime() <= nowMs) {
      throw new StoreError(
        "invalid-argument",
        `cannot ${operation} ${formatRelationship(relationship)}: it expired at ${formatTimestamp(expiresAt)}, before the write`,
      );
    }
    // V8 builds the key as a rope; normalize() returns it flat (keys are ASCII), and flat keys
    // compare much faster when queries sort and page by them.
    const key = relationshipKey(relationship).normalize();
    if (keys.has(key)) {
      throw new StoreError("invalid-argument", `a write updates ${key} more than once`);
    }
    keys.add(key);
    return { operation, relationship: frozenCopy(relationship), key };
  });
}

/** A copy the caller cannot change after the write; readers share it, so it is frozen. */
function frozenCopy(rel: Relationship): Relationship {
  return Object.freeze({
    resource: Object.freeze({ type: rel.resource.type, id: rel.resource.id }),
    relation: rel.relation,
    subject: Object.freeze(copySubject(rel.subject)),
    ...(rel.caveat === undefined ? {} : { caveat: copyCaveat(rel.caveat) }),
    ...(rel.expiresAt === undefined ? {} : { expiresAt: new Date(rel.expiresAt.getTime()) }),
  });
}

function copySubject({ type, id, relation }: SubjectRef): SubjectRef {
  return relation === undefined ? { type, id } : { type, id, relation };
}

function copyCaveat({ name, context }: RelationshipCaveat): RelationshipCaveat {
  return Object.freeze(
    context === undefined ? { name } : { name, context: Object.freeze(structuredClone(context)) },
  );
}
