// The legs of a decision, in the order that names its denial: member by member along the chain.

import type { ObjectRef, SubjectRef } from "../tuple/relationship.js";
import type { LegQuestion } from "./decision-leg.js";
import { SUSPENDED, SUSPENSIONS } from "./suspension-leg.js";

/**
 * ActorChain is who a decision is for: `subject`, and the actors acting for it, the subject's
 * direct delegate first and the one making the call last. The chain's members are the subject,
 * then the actors in that order.
 */
export interface ActorChain {
  readonly subject: SubjectRef;
  readonly actors?: readonly SubjectRef[];
}

/** LegPlan says which legs a schema gives a decision. */
export interface LegPlan {
  /** Whether the schema holds suspensions: then every member that is an object has a suspension leg. */
  readonly suspensions: boolean;
  /** The permission (or relation) on an actor's object that lets it act for a member. */
  readonly actFor: string;
}

/** Asked is what a decision is about: a permission on a resource. */
export interface Asked {
  readonly resource: ObjectRef;
  readonly permission: string;
}

/**
 * decisionLegs lists the legs of a decision on `asked` for `chain`, member by member in chain
 * order, each member's as suspension, delegation (from an actor to the member before it), then
 * permission: the first denied leg in this order names the denial. Without `asked`, only the legs
 * that name no resource: whether the chain may act at all. A subject set has no suspension leg:
 * only objects and wildcards are suspended.
 */
export function decisionLegs(chain: ActorChain, plan: LegPlan, asked?: Asked): LegQuestion[] {
  const legs: LegQuestion[] = [];
  const actors = chain.actors ?? [];
  // A loop without closures: every check, cached or not, lists its legs here.
  for (let index = 0; index <= actors.length; index++) {
    const member = index === 0 ? chain.subject : actors[index - 1]!;
    if (plan.suspensions && member.relation === undefined) {
      legs.push({
        kind: "suspension",
        member,
        resource: SUSPENSIONS,
        permission: SUSPENDED,
        subject: member,
      });
    }
    if (index > 0) {
      legs.push({
        kind: "delegation",
        member,
        resource: { type: member.type, id: member.id },
        permission: plan.actFor,
        subject: index === 1 ? chain.subject : actors[index - 2]!,
      });
    }
    if (asked !== undefined) {
      legs.push({
        kind: "permission",
        member,
        resource: asked.resource,
        permission: asked.permission,
        subject: member,
      });
    }
  }
  return legs;
}
