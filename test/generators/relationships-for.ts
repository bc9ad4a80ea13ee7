// fast-check generator of relationships a schema accepts, over small id pools so that they share and cycle.

import fc from "fast-check";
import type { AllowedSubject, CompiledSchema } from "../../src/schema/compiled-schema.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { caveatContext } from "./caveat-menu.js";

/** fixedNow is the evaluation time of generated cases; expiries are drawn around it. */
export const fixedNow = new Date("2025-06-01T12:00:00.000Z");

/** PoolOptions sizes a generated dataset. */
export interface PoolOptions {
  /** How many ids each type's pool holds (default 3). */
  readonly maxObjectsPerType?: number;
  /** The most relationships to generate (default 40). */
  readonly maxRelationships?: number;
  /** Only relationships of these relations (`type#relation`); of every relation when unset. */
  readonly relations?: readonly string[];
}

const DEFAULT_OBJECTS_PER_TYPE = 3;
const DEFAULT_RELATIONSHIPS = 40;
const USER_NAMES = ["alice", "bob", "carol", "dave", "erin", "frank", "grace", "heidi"];
const SECOND = 1_000;
const HOUR = 3_600 * SECOND;
/** Offsets from {@link fixedNow}: past, exactly now (already expired) and future. */
const EXPIRY_OFFSETS = [-24 * HOUR, -HOUR, -SECOND, 0, SECOND, HOUR, 24 * HOUR];

/**
 * objectPool lists the ids generated for a type: `alice`, `bob`, ... for `user`, else the type's
 * first letter and a number (`f1`, `f2` for `folder`).
 */
export function objectPool(type: string, options: PoolOptions = {}): string[] {
  const size = options.maxObjectsPerType ?? DEFAULT_OBJECTS_PER_TYPE;
  return Array.from({ length: size }, (_, i) =>
    type === "user" && i < USER_NAMES.length ? USER_NAMES[i]! : `${type[0]}${i + 1}`,
  );
}

/**
 * relationshipsFor generates a set of relationships (unique by resource, relation and subject) that
 * the schema accepts: each matches one allowed subject of its relation exactly, with the caveat it
 * names (and a context that is absent, empty, partial or full, with well-typed values) and an
 * expiry exactly when it says `with expiration` (some before {@link fixedNow}, one of them equal to
 * it, some after). Ids come from {@link objectPool}, so objects recur and hierarchies cycle.
 */
export function relationshipsFor(
  schema: CompiledSchema,
  options: PoolOptions = {},
): fc.Arbitrary<Relationship[]> {
  const wanted = (type: string, relation: string) =>
    options.relations === undefined || options.relations.includes(`${type}#${relation}`);
  const slots = [...schema.definitions.values()].flatMap((definition) =>
    [...definition.members.values()].flatMap((member) =>
      member.kind === "relation" && wanted(definition.name, member.name)
        ? member.allowedSubjects.map((allowed) => ({
            type: definition.name,
            relation: member.name,
            allowed,
          }))
        : [],
    ),
  );
  if (slots.length === 0) return fc.constant([]);
  const relationship = fc.constantFrom(...slots).chain(({ type, relation, allowed }) =>
    fc
      .record({
        resourceId: fc.constantFrom(...objectPool(type, options)),
        subjectId: allowed.wildcard
          ? fc.constant("*")
          : fc.constantFrom(...objectPool(allowed.type, options)),
        context: caveatContextFor(schema, allowed),
        expiresAt: allowed.expiration
          ? fc
              .constantFrom(...EXPIRY_OFFSETS)
              .map((offset) => new Date(fixedNow.getTime() + offset))
          : fc.constant(undefined),
      })
      .map(
        ({ resourceId, subjectId, context, expiresAt }): Relationship => ({
          resource: { type, id: resourceId },
          relation,
          subject: {
            type: allowed.type,
            id: subjectId,
            ...(allowed.relation !== undefined && { relation: allowed.relation }),
          },
          ...(allowed.caveat !== undefined && {
            caveat: { name: allowed.caveat, ...(context !== undefined && { context }) },
          }),
          ...(expiresAt !== undefined && { expiresAt }),
        }),
      ),
  );
  return fc.uniqueArray(relationship, {
    maxLength: options.maxRelationships ?? DEFAULT_RELATIONSHIPS,
    selector: relationshipKey,
  });
}

/** The context written with a caveated relationship: none, or one from {@link caveatContext}. */
function caveatContextFor(
  schema: CompiledSchema,
  allowed: AllowedSubject,
): fc.Arbitrary<Record<string, unknown> | undefined> {
  if (allowed.caveat === undefined) return fc.constant(undefined);
  const caveat = schema.caveats.get(allowed.caveat);
  if (caveat === undefined) throw new Error(`relationshipsFor: unknown caveat ${allowed.caveat}`);
  return fc.option(caveatContext(caveat.parameters), { nil: undefined });
}
