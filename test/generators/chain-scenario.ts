// fast-check generator of on-behalf-of cases: schemas with agents that act for users, delegations, suspensions.

import fc from "fast-check";
import type { AllowedSubject, CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import type { Relationship, SubjectRef } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import type { Chooser } from "./choice-tape.js";
import { fixedNow, objectPool, relationshipsFor } from "./relationships-for.js";
import { requestContextFor } from "./request-context-for.js";
import { type SchemaCase, schemaCaseWith } from "./schema-case.js";

/** AGENT is the type of the actors of generated chains. */
export const AGENT = "agent";
/** ACT_FOR is the permission on an agent that lets it act for someone, as the engine's default. */
export const ACT_FOR = "act_for";

/**
 * The definition Latch adds to the schemas it serves to hold suspensions, written here by hand:
 * `latch/suspension:all#suspended@<subject>`, each relationship under a note and with an expiry.
 * Latch's own note caveat is `true` whatever it carries; SpiceDB refuses a caveat that ignores
 * its parameters, so this one reads each of them, and a note that lacks one leaves the
 * suspension conditional, which must fail closed.
 */
export const SUSPENSION = {
  type: "latch/suspension",
  id: "all",
  relation: "suspended",
  caveat: "latch/suspension_note",
} as const;

const SUSPENSION_NOTE = `caveat ${SUSPENSION.caveat}(reason string, suspended_by string, suspended_at timestamp) {
  reason == reason && suspended_by == suspended_by && suspended_at == suspended_at
}`;

/** suspensionDefinition is the suspension definition for a schema's types. */
export function suspensionDefinition(types: readonly string[]): string {
  const traits = `with ${SUSPENSION.caveat} and expiration`;
  const subjects = types.flatMap((type) => [`${type} ${traits}`, `${type}:* ${traits}`]);
  return `definition ${SUSPENSION.type} {\n  relation ${SUSPENSION.relation}: ${subjects.join(" | ")}\n}`;
}

/** ChainScenario is one generated on-behalf-of case, to be evaluated at `fixedNow`. */
export interface ChainScenario {
  /** The schema with agents and the suspension definition. */
  readonly schemaCase: SchemaCase;
  /** Relationships of the schema without suspensions, then the suspensions. */
  readonly relationships: Relationship[];
  readonly context: Record<string, unknown>;
}

/**
 * chainScenario generates schemas whose relations admit agents (and `agent:*`) where they admit
 * users, an `agent` definition whose `act_for` permission rests on a `delegate` relation (from
 * users and other agents, and sometimes every user, or only while a caveat holds or until an
 * expiry) and sometimes excludes a `blocked` relation, relationships for all of it, and suspensions of users, agents and
 * wildcards, expired or not, some with a note missing a parameter.
 */
export function chainScenario(): fc.Arbitrary<ChainScenario> {
  return schemaCaseWith({ principals: [AGENT], extra: agentDefinition }).chain((base) => {
    const types = [...base.schema.definitions.keys()];
    const text = [
      ...(base.text.startsWith("use expiration") ? [] : ["use expiration"]),
      base.text.trimEnd(),
      SUSPENSION_NOTE,
      suspensionDefinition(types),
    ].join("\n\n");
    const loaded = loadSchema(`${text}\n`);
    if (!loaded.ok) {
      const problems = loaded.diagnostics.map((d) => d.message).join("\n");
      throw new Error(`chainScenario generated an invalid schema:\n${text}\n${problems}`);
    }
    const schemaCase: SchemaCase & fc.WithToStringMethod = {
      text: `${text}\n`,
      schema: loaded.schema,
      [fc.toStringMethod]: () => `schema:\n${text}\n`,
    };
    // Delegations, and grants to users and agents themselves, apart from the rest: so that
    // often every member of a chain holds the permission, and every delegation of it holds.
    const delegations = fc
      .tuple(
        relationshipsFor(base.schema, { relations: [`${AGENT}#delegate`], maxRelationships: 8 }),
        plainDelegations(base.schema),
      )
      .map((parts) => parts.flat());
    const grants = sharedGrants(base.schema);
    return fc.record({
      schemaCase: fc.constant(schemaCase),
      relationships: fc
        .tuple(relationshipsFor(base.schema), grants, delegations, suspensions())
        .map((parts) => lastOfEach(parts.flat())),
      context: requestContextFor(base.schema),
    });
  });
}

/**
 * sharedGrants generates relations granted to several users and agents at once, on relations
 * that admit both plainly (no caveat, no expiry): then whole chains hold a permission together.
 */
function sharedGrants(schema: CompiledSchema): fc.Arbitrary<Relationship[]> {
  const plain = (type: string) => (s: AllowedSubject) =>
    s.type === type && s.relation === undefined && !s.wildcard && !s.caveat && !s.expiration;
  const slots = [...schema.definitions.values()].flatMap((definition) =>
    definition.name === AGENT
      ? []
      : [...definition.members.values()].flatMap((member) =>
          member.kind === "relation" &&
          member.allowedSubjects.some(plain("user")) &&
          member.allowedSubjects.some(plain(AGENT))
            ? [{ type: definition.name, relation: member.name }]
            : [],
        ),
  );
  if (slots.length === 0) return fc.constant([]);
  const { users, agents } = chainMembers();
  const grant = fc.constantFrom(...slots).chain(({ type, relation }) =>
    fc
      .record({
        id: fc.constantFrom(...objectPool(type)),
        members: fc.subarray([...users, ...agents], { minLength: 2 }),
      })
      .map(({ id, members }) =>
        members.map((subject): Relationship => ({ resource: { type, id }, relation, subject })),
      ),
  );
  return fc.array(grant, { maxLength: 4 }).map((grants) => grants.flat());
}

/**
 * plainDelegations generates, for each agent, delegations from some users and agents: plain, or
 * for a user, under a caveat of the delegation's (with no context of its own) when there is one.
 */
function plainDelegations(schema: CompiledSchema): fc.Arbitrary<Relationship[]> {
  const { users, agents } = chainMembers();
  const delegate = schema.member(AGENT, "delegate");
  const caveats =
    delegate?.kind === "relation"
      ? delegate.allowedSubjects.flatMap((s) =>
          s.type === "user" && s.caveat !== undefined && !s.expiration && !s.wildcard
            ? [s.caveat]
            : [],
        )
      : [];
  const delegation = (agent: SubjectRef, subject: SubjectRef) =>
    fc
      .option(
        subject.type === "user" && caveats.length > 0
          ? fc.constantFrom(...caveats)
          : fc.constant(undefined),
        { nil: undefined, freq: 2 },
      )
      .map(
        (caveat): Relationship => ({
          resource: { type: AGENT, id: agent.id },
          relation: "delegate",
          subject,
          ...(caveat !== undefined && { caveat: { name: caveat } }),
        }),
      );
  return fc
    .tuple(
      ...agents.map((agent) =>
        fc
          .subarray([...users, ...agents.filter((other) => other.id !== agent.id)])
          .chain((subjects) => fc.tuple(...subjects.map((subject) => delegation(agent, subject)))),
      ),
    )
    .map((parts) => parts.flat());
}

/** lastOfEach keeps one relationship per key, the last, as writing them all in order would. */
function lastOfEach(relationships: readonly Relationship[]): Relationship[] {
  return [...new Map(relationships.map((r) => [relationshipKey(r), r])).values()];
}

/** chainMembers lists the subjects chains are made of: the users and agents of the pools. */
export function chainMembers(): { users: SubjectRef[]; agents: SubjectRef[] } {
  return {
    users: objectPool("user").map((id) => ({ type: "user", id })),
    agents: objectPool(AGENT).map((id) => ({ type: AGENT, id })),
  };
}

/** agentDefinition writes the `agent` definition from the tape, given the schema's caveats. */
function agentDefinition(choose: Chooser, caveats: readonly string[]): string {
  const optional = [
    "user:*",
    "user with expiration",
    `${AGENT} with expiration`,
    ...caveats.flatMap((caveat) => [`user with ${caveat}`, `user with ${caveat} and expiration`]),
  ];
  const delegate = ["user", AGENT, ...choose.subset(optional, 0, 4)];
  const lines = [`  relation delegate: ${delegate.join(" | ")}`];
  if (choose.bool()) {
    const blocked =
      caveats.length > 0 && choose.bool() ? `user with ${choose.pick(caveats)}` : "user";
    lines.push(`  relation blocked: ${blocked}`, `  permission ${ACT_FOR} = delegate - blocked`);
  } else {
    lines.push(`  permission ${ACT_FOR} = delegate`);
  }
  return `definition ${AGENT} {\n${lines.join("\n")}\n}`;
}

const HOUR = 3_600_000;
/** Suspensions end in the past (no longer in force), or later. */
const SUSPENSION_ENDS = [-HOUR, HOUR, 24 * HOUR];

/** suspensions generates a few suspensions of users, agents and their wildcards. */
function suspensions(): fc.Arbitrary<Relationship[]> {
  const { users, agents } = chainMembers();
  const wildcards: SubjectRef[] = [
    { type: "user", id: "*" },
    { type: AGENT, id: "*" },
  ];
  const note = {
    reason: "generated",
    suspended_by: "test",
    suspended_at: "2025-06-01T11:00:00Z",
  };
  const suspension = fc
    .record({
      // A wildcard suspends every member of its type: rarer, so that most chains can still act.
      subject: fc.oneof(
        { weight: 8, arbitrary: fc.constantFrom(...users, ...agents) },
        { weight: 1, arbitrary: fc.constantFrom(...wildcards) },
      ),
      ends: fc.constantFrom(...SUSPENSION_ENDS),
      // One note in six lacks a parameter: the suspension is then conditional.
      complete: fc.nat({ max: 5 }).map((n) => n > 0),
    })
    .map(
      ({ subject, ends, complete }): Relationship => ({
        resource: { type: SUSPENSION.type, id: SUSPENSION.id },
        relation: SUSPENSION.relation,
        subject,
        caveat: {
          name: SUSPENSION.caveat,
          context: complete ? note : { reason: note.reason },
        },
        expiresAt: new Date(fixedNow.getTime() + ends),
      }),
    );
  return fc.uniqueArray(suspension, {
    maxLength: 2,
    selector: (r) => `${r.subject.type}:${r.subject.id}`,
  });
}
