// The relationships a denied member may ask for (LATCH_REQUESTABLE), so a denial can become a request.

import type { CheckRequest, CheckResult } from "../engine/check-engine.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import { includedRelations } from "../schema/included-relations.js";
import type { Relationship, SubjectRef } from "../tuple/relationship.js";

/** NONE is the answer for most checks, shared: nothing is made on the hot path. */
const NONE: readonly Relationship[] = Object.freeze([]);

/** The configured relations each permission includes, per schema, by `type#permission`. */
const candidates = new WeakMap<
  CompiledSchema,
  WeakMap<ReadonlySet<string>, Map<string, readonly string[]>>
>();

/**
 * requestableRelationships lists, for a denial whose member lacked the permission, the
 * relationships that member may ask for with RequestAccess: each `type#relation` of `configured`
 * (LATCH_REQUESTABLE) on the resource's type that the checked permission includes on the same
 * object (see {@link includedRelations}) and that admits the member's type `with expiration` and
 * without a caveat, as RequestAccess requires. Empty for an answer that is not such a denial.
 */
export function requestableRelationships(
  schema: CompiledSchema,
  configured: ReadonlySet<string>,
  question: CheckRequest,
  result: CheckResult,
): readonly Relationship[] {
  if (configured.size === 0 || result.result !== "denied") return NONE;
  // A suspended member, a missing delegation or a false caveat is not cured by a grant.
  if (result.reason !== undefined && result.reason !== "no-permission") return NONE;
  const member: SubjectRef = result.deniedBy ?? question.subject;
  const { resource } = question;
  const fits = (relation: string) => {
    const definition = schema.member(resource.type, relation);
    return (
      definition?.kind === "relation" &&
      definition.allowedSubjects.some(
        (allowed) =>
          allowed.type === member.type &&
          allowed.relation === member.relation &&
          !allowed.wildcard &&
          allowed.expiration &&
          allowed.caveat === undefined,
      )
    );
  };
  return candidatesFor(schema, configured, resource.type, question.permission)
    .filter(fits)
    .map((relation) => ({ resource, relation, subject: member }));
}

/** candidatesFor is the configured relations of `type` that `permission` includes, cached. */
function candidatesFor(
  schema: CompiledSchema,
  configured: ReadonlySet<string>,
  type: string,
  permission: string,
): readonly string[] {
  let bySchema = candidates.get(schema);
  if (bySchema === undefined) {
    bySchema = new WeakMap();
    candidates.set(schema, bySchema);
  }
  let byPermission = bySchema.get(configured);
  if (byPermission === undefined) {
    byPermission = new Map();
    bySchema.set(configured, byPermission);
  }
  const key = `${type}#${permission}`;
  let found = byPermission.get(key);
  if (found === undefined) {
    found = [...includedRelations(schema, type, permission)].filter((relation) =>
      configured.has(`${type}#${relation}`),
    );
    byPermission.set(key, found);
  }
  return found;
}
