// Every on-behalf-of question worth asking of a generated chain case: each permission of each object, for each chain.

import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { AGENT, chainMembers, SUSPENSION } from "./chain-scenario.js";
import { type CheckQuery, checkUniverse } from "./check-universe.js";

/** ChainQuery is one check on behalf of a subject: `actors` act for it, nearest first. */
export interface ChainQuery extends CheckQuery {
  readonly actors: readonly SubjectRef[];
}

/** MAX_CHAIN is the most actors a generated chain has. */
const MAX_CHAIN = 3;

/**
 * chainUniverse lists, for every relation and permission of every object (of the types that are
 * neither agents nor suspensions, as {@link checkUniverse} finds them), every chain: a user or an
 * agent as the subject, with none to three distinct agents acting for it, never itself.
 */
export function chainUniverse(
  schema: CompiledSchema,
  relationships: readonly Relationship[],
): ChainQuery[] {
  const asked = new Map<string, Pick<CheckQuery, "resource" | "permission">>();
  for (const { resource, permission } of checkUniverse(schema, relationships)) {
    if (resource.type === AGENT || resource.type === SUSPENSION.type) continue;
    asked.set(`${resource.type}:${resource.id}#${permission}`, { resource, permission });
  }
  const chains = allChains();
  return [...asked.values()].flatMap((question) =>
    chains.map((chain) => ({ ...question, ...chain })),
  );
}

/** allChains lists every chain of the pools' users and agents with at most MAX_CHAIN actors. */
export function allChains(): { subject: SubjectRef; actors: SubjectRef[] }[] {
  const { users, agents } = chainMembers();
  const chains: { subject: SubjectRef; actors: SubjectRef[] }[] = [];
  const extend = (subject: SubjectRef, actors: SubjectRef[]) => {
    chains.push({ subject, actors });
    if (actors.length === MAX_CHAIN) return;
    for (const agent of agents) {
      if (agent.id === subject.id && agent.type === subject.type) continue;
      if (actors.some((actor) => actor.id === agent.id)) continue;
      extend(subject, [...actors, agent]);
    }
  };
  for (const subject of [...users, ...agents]) extend(subject, []);
  return chains;
}
