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
 * readsBySubject says whether a check of `type#relation` reads, of each set, only the
 * relationships that could name its subject directly (the subject itself, or its type's wildcard)
 * rather than all of them: true for {@link SUSPENDED}, which may hold thousands of suspensions of
 * which a leg needs at most two. The engine reads so while the relation admits no subject sets
 * (the built-in one admits none), whose members only a walk of all of them would find. A cached
 * answer of such a check rests on those relationships alone, by their keys
 * (`latch/suspension:all#suspended@agent:bot`): the change tracker keys their changes so too, so
 * that suspending one agent leaves every other agent's cached legs standing, and suspending
 * `agent:*` invalidates every agent's.
 */
export function readsBySubject(type: string, relation: string): boolean {
  return type === SUSPENSIONS.type && relation === SUSPENDED;
}

/**
 * hasSuspensions says whether a schema can hold suspensions: without the definition (a schema
 * compiled outside a server, as `latch validate` does), no decision has suspension legs.
 */
export function hasSuspensions(schema: CompiledSchema): boolean {
  return schema.member(SUSPENSIONS.type, SUSPENDED)?.kind === "relation";
}
