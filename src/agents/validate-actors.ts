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
  const members = [chain.subject];
  actors.forEach((actor, index) => {
    const field = `actors[${index}]`;
    const fail = (message: string): never => {
      throw new EngineError("invalid-argument", `${field}: ${message}`);
    };
    if (actor.relation !== undefined)
      fail("an actor is an object like agent:bot, not a subject set");
    if (actor.id === WILDCARD) fail("an actor is an object like agent:bot, not a wildcard");
    if (!schema.definitions.has(actor.type)) {
      throw new EngineError(
        "invalid-argument",
        `${field}.type: the schema has no definition '${actor.type}'`,
      );
    }
    if (!schema.member(actor.type, actFor)) {
      fail(
        `definition '${actor.type}' has no permission '${actFor}' (LATCH_ACT_FOR_PERMISSION), so a ${actor.type} cannot act for anyone`,
      );
    }
    const repeated = members.findIndex((member) => sameSubject(member, actor));
    if (repeated === 0)
      fail(`${formatSubjectRef(actor)} is the subject; an actor acts for another`);
    if (repeated > 0) {
      fail(
        `${formatSubjectRef(actor)} is already actors[${repeated - 1}]; a member appears in a chain once`,
      );
    }
    members.push(actor);
  });
}

function sameSubject(a: SubjectRef, b: SubjectRef): boolean {
  return a.type === b.type && a.id === b.id && a.relation === b.relation;
}
