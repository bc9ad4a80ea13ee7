// Relationships to write under a generated schema, most of which it refuses, for the differential
// test of WriteRelationships' validation: each allowed subject as allowed, and as it is not.

import type { CaveatType } from "../../../src/schema/caveat/caveat-type.js";
import type { AllowedSubject, CompiledSchema } from "../../../src/schema/compiled-schema.js";
import type { Relationship, SubjectRef } from "../../../src/tuple/relationship.js";
import { WILDCARD } from "../../../src/tuple/relationship.js";

const DAY_MS = 86_400_000;

/**
 * writeCandidates lists relationships to write, one by one, under schema, each on a resource of
 * its own (`w1`, `w2`, ...) so that no write depends on another: for every relation, each allowed
 * subject as allowed (with its caveat's context whole, partial or absent), then without its
 * caveat, with another caveat, with a context value of the wrong type or an unknown parameter,
 * with an expiry (future and past) where none is allowed or none given where one is required, as
 * the wildcard where it is not and as a subject set of a permission or an unknown relation; a
 * subject type the relation does not admit; a permission, an unknown relation and an unknown
 * type as the relation written.
 */
export function writeCandidates(schema: CompiledSchema): WriteCandidate[] {
  const candidates: WriteCandidate[] = [];
  const add = (variant: string, type: string, written: Omit<Relationship, "resource">) => {
    const resource = { type, id: `w${candidates.length + 1}` };
    candidates.push({ variant, relationship: { resource, ...written } });
  };
  const now = Date.now();
  const caveats = [...schema.caveats.values()];
  for (const definition of schema.definitions.values()) {
    for (const member of definition.members.values()) {
      const type = definition.name;
      if (member.kind === "permission") {
        add("a permission", type, { relation: member.name, subject: { type: "user", id: "s1" } });
        continue;
      }
      const relation = member.name;
      for (const allowed of member.allowedSubjects) {
        const subject = allowedSubject(allowed);
        const expiresAt = allowed.expiration ? new Date(now + DAY_MS) : undefined;
        const as = (
          variant: string,
          changes: Partial<Omit<Relationship, "resource" | "relation">>,
        ) => add(variant, type, { relation, subject, ...(expiresAt && { expiresAt }), ...changes });
        const caveat =
          allowed.caveat === undefined ? undefined : schema.caveats.get(allowed.caveat);
        if (caveat === undefined) as("as allowed", {});
        else {
          const parameters = [...caveat.parameters];
          const whole = Object.fromEntries(parameters.map(([name, t]) => [name, goodValue(t)]));
          const [first] = parameters;
          as("as allowed, its context whole", { caveat: { name: caveat.name, context: whole } });
          as("as allowed, no context", { caveat: { name: caveat.name } });
          if (first !== undefined) {
            const [name, parameterType] = first;
            as("as allowed, a partial context", {
              caveat: { name: caveat.name, context: { [name]: goodValue(parameterType) } },
            });
            as("a context value of the wrong type", {
              caveat: { name: caveat.name, context: { [name]: badValue(parameterType) } },
            });
          }
          as("an unknown parameter in the context", {
            caveat: { name: caveat.name, context: { ...whole, unknown_parameter: 1 } },
          });
          as("without its caveat", { caveat: undefined });
        }
        const other = caveats.find((c) => c.name !== allowed.caveat);
        if (other !== undefined) as("another caveat", { caveat: { name: other.name } });
        as("an unknown caveat", { caveat: { name: "no_such_caveat" } });
        if (allowed.expiration) as("no expiry", { expiresAt: undefined });
        else as("an expiry", { expiresAt: new Date(now + DAY_MS) });
        as("a past expiry", { expiresAt: new Date(now - DAY_MS) });
        if (allowed.relation === undefined) {
          as(allowed.wildcard ? "an object for a wildcard" : "a wildcard", {
            subject: { type: allowed.type, id: allowed.wildcard ? "s1" : WILDCARD },
          });
        }
        const subjectMembers = [...(schema.definitions.get(allowed.type)?.members.values() ?? [])];
        const permission = subjectMembers.find((m) => m.kind === "permission");
        if (permission !== undefined) {
          as("a subject set of a permission", {
            subject: { type: allowed.type, id: "s1", relation: permission.name },
          });
        }
        as("a subject set of an unknown relation", {
          subject: { type: allowed.type, id: "s1", relation: "no_such_relation" },
        });
      }
      const admitted = new Set(member.allowedSubjects.map((a) => a.type));
      const stranger = [...schema.definitions.keys()].find((t) => !admitted.has(t));
      if (stranger !== undefined) {
        add("a subject type not admitted", type, {
          relation,
          subject: { type: stranger, id: "s1" },
        });
      }
    }
    const unknown = { relation: "no_such_relation", subject: { type: "user", id: "s1" } };
    add("an unknown relation", definition.name, unknown);
  }
  add("an unknown type", "no_such_type", {
    relation: "member",
    subject: { type: "user", id: "s1" },
  });
  return candidates;
}

/** WriteCandidate is a relationship to write, with what makes it a candidate (for failures). */
export interface WriteCandidate {
  readonly variant: string;
  readonly relationship: Relationship;
}

/** allowedSubject is a subject an allowed subject type admits: `s1`, its set, or the wildcard. */
function allowedSubject(allowed: AllowedSubject): SubjectRef {
  if (allowed.wildcard) return { type: allowed.type, id: WILDCARD };
  return { type: allowed.type, id: "s1", ...(allowed.relation && { relation: allowed.relation }) };
}

/** goodValue is a JSON value of a caveat parameter's type. */
function goodValue(type: CaveatType): unknown {
  switch (type.kind) {
    case "int":
    case "uint":
      return 3;
    case "double":
      return 1.5;
    case "bool":
      return true;
    case "string":
      return "red";
    case "timestamp":
      return "2025-06-01T09:00:00Z";
    case "duration":
      return "1h";
    case "ipaddress":
      return "10.0.0.1";
    case "bytes":
      return "cmVk";
    case "any":
      return { any: ["thing"] };
    case "list":
      return [goodValue(type.element)];
    case "map":
      return { key: goodValue(type.value) };
  }
}

/** badValue is a JSON value no parameter of type takes (a string for an int, ...). */
function badValue(type: CaveatType): unknown {
  switch (type.kind) {
    case "string":
    case "bytes":
      return { not: "a string" };
    case "list":
      return "not a list";
    case "map":
      return ["not", "a", "map"];
    case "any":
      return null;
    default:
      return "not-a-value";
  }
}
