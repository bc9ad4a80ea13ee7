// Where suspensions live, as the engine asks about them: `latch/suspension:all#suspended@member`.

import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { ObjectRef } from "../tuple/relationship.js";
import {
  SUSPENDED_RELATION,
  SUSPENSION_DEFINITION,
  SUSPENSION_OBJECT_ID,
} from "./suspension-names.js";

/**
 * SUSPENSIONS is the object whose `suspended` relation lists the suspended subjects (an object,
 * or a type's wildcard to suspend every object of the type), and SUSPENDED that relation. Their
 * definition is one Latch adds to every schema it serves.
 */
export const SUSPENSIONS: ObjectRef = Object.freeze({
  type: SUSPENSION_DEFINITION,
  id: SUSPENSION_OBJECT_ID,
});

/** SUSPENDED is the relation of {@link SUSPENSIONS} that holds the suspended subjects. */
export const SUSPENDED = SUSPENDED_RELATION;

/**
 * hasSuspensions says whether a schema can hold suspensions: without the definition (a schema
 * compiled outside a server, as `latch validate` does), no decision has suspension legs.
 */
export function hasSuspensions(schema: CompiledSchema): boolean {
  return schema.member(SUSPENSIONS.type, SUSPENDED)?.kind === "relation";
}
