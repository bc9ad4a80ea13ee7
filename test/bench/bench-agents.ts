// The benchmarks' agents: the engine benchmark's schema with an agent type, and agents that hold
// what their users hold, so that a check on a user's behalf allows exactly what the user may do.

import type { Relationship } from "../../src/tuple/relationship.js";
import { SCHEMA } from "./engine-dataset.js";

const ADMITTED = /relation (member|viewer): user \| group#member/g;

if ((SCHEMA.match(ADMITTED) ?? []).length !== 3)
  throw new Error("the engine benchmark's schema changed: give its agents their relations");

/**
 * AGENT_SCHEMA is the engine benchmark's schema where agents are members and viewers as users are,
 * and an agent acts for the users and agents that delegate to it.
 */
export const AGENT_SCHEMA = `${SCHEMA.replace(ADMITTED, "relation $1: user | agent | group#member")}
definition agent {
	relation delegate: user | agent
	permission act_for = delegate
}
`;

/** agentOf is the agent acting for a user (`a<user>`), and agentOf(agentOf(user)) the one acting for it. */
export function agentOf(id: string): string {
  return `a${id}`;
}

/**
 * agentsFor gives each of `users` (each user of the relationships when undefined) an agent, and
 * an agent acting for that one: both members and viewers wherever the user is, each delegated to
 * by the member before it. Returns only the relationships to add.
 */
export function agentsFor(
  relationships: readonly Relationship[],
  users?: ReadonlySet<string>,
): Relationship[] {
  const added: Relationship[] = [];
  const delegating = new Set<string>();
  for (const r of relationships) {
    const { subject } = r;
    if (subject.type !== "user" || (r.relation !== "member" && r.relation !== "viewer")) continue;
    if (users !== undefined && !users.has(subject.id)) continue;
    delegating.add(subject.id);
    const first = agentOf(subject.id);
    for (const agent of [first, agentOf(first)])
      added.push({ ...r, subject: { type: "agent", id: agent } });
  }
  for (const user of delegating) {
    const first = agentOf(user);
    added.push(
      {
        resource: { type: "agent", id: first },
        relation: "delegate",
        subject: { type: "user", id: user },
      },
      {
        resource: { type: "agent", id: agentOf(first) },
        relation: "delegate",
        subject: { type: "agent", id: first },
      },
    );
  }
  return added;
}
