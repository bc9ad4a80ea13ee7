// Rejects actor chains the engine cannot decide on: too long, not objects, repeated, or unable to act.

import { EngineError } from "../engine/engine-error.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import { type SubjectRef, WILDCARD } from "../tuple/relationship.js";
import type { ActorChain } from "./decision-legs.js";

/** MAX_ACTORS is the longest actor chain a decision takes: RFC 8693 delegation rarely nests deeper. */
export const MAX_ACTORS = 16;

/**
 * validateActors throws an "invalid-argument" EngineError, naming the field, for a chain with more
 * than {@link MAX_ACTORS} actors, an actor that is a subject set or a wildcard, one whose type the
 * schema lacks or whose type has no `actFor` relation or permission (so it can act for no one), or
 * one that is already a member of the chain (the subject, or an actor before it).
 */
export function validateActors(schema: CompiledSchema, chain: ActorChain, actFor: string): void {
  const actors = chain.actors ?? [];
  if (actors.length > MAX_ACTORS) {
    throw new EngineError(
      "invalid-argument",
      `actors: ${actors.length} actors is more than the limit of ${MAX_ACTORS}`,
    );
  }
  // A loop without closures: every check on behalf of someone, cached or not, passes here.
  for (let index = 0; index < actors.length; index++) {
    const problem = actorProblem(schema, chain, index, actFor);
    if (problem !== undefined)
      throw new EngineError("invalid-argument", `actors[${index}]${problem}`);
  }
}

/**
 * actorProblem says what is wrong with `chain.actors[index]`, as the end of a message that starts
 * with the field (`.type: …` or `: …`), or undefined when nothing is.
 */
function actorProblem(
  schema: CompiledSchema,
  chain: ActorChain,
  index: number,
  actFor: string,
): string | undefined {
  const actors = chain.actors!;
  const actor = actors[index]!;
  if (actor.relation !== undefined)
    return ": an actor is an object like agent:bot, not a subject set";
  if (actor.id === WILDCARD) return ": an actor is an object like agent:bot, not a wildcard";
  if (!schema.definitions.has(actor.type))
    return `.type: the schema has no definition '${actor.type}'`;
  if (!schema.member(actor.type, actFor))
    return `: definition '${actor.type}' has no permission '${actFor}' (LATCH_ACT_FOR_PERMISSION), so a ${actor.type} cannot act for anyone`;
  if (sameSubject(chain.subject, actor))
    return `: ${formatSubjectRef(actor)} is the subject; an actor acts for another`;
  for (let before = 0; before < index; before++) {
    if (sameSubject(actors[before]!, actor))
      return `: ${formatSubjectRef(actor)} is already actors[${before}]; a member appears in a chain once`;
  }
  return undefined;
}

function sameSubject(a: SubjectRef, b: SubjectRef): boolean {
  return a.type === b.type && a.id === b.id && a.relation === b.relation;
}
