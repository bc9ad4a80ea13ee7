// Expand: the userset tree of a relation or permission on an object, down to a requested depth.

import type { CompiledSchema, Rewrite } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import type {
  ObjectRef,
  Relationship,
  RelationshipCaveat,
  SubjectRef,
} from "../tuple/relationship.js";
import { WILDCARD } from "../tuple/relationship.js";
import { EngineError } from "./engine-error.js";

/** ExpandedSubject is a subject stored in a relation; a subject set carries its own expansion while depth lasts. */
export interface ExpandedSubject {
  readonly subject: SubjectRef;
  readonly caveat?: RelationshipCaveat;
  readonly expiresAt?: Date;
  /** The expansion of a subject set (`group:eng#member`), when the depth allowed it. */
  readonly expansion?: ExpandNode;
}

/** ArrowWalk is one relationship an arrow follows; `expansion` is absent once the depth is used up. */
export interface ArrowWalk {
  readonly relationship: Relationship;
  readonly expansion?: ExpandNode;
}

/** ExpandNode is a node of the userset tree; `node` names the set as `type:id#name`. */
export type ExpandNode =
  /** The subjects stored for a relation. */
  | { readonly kind: "leaf"; readonly node: string; readonly subjects: readonly ExpandedSubject[] }
  | {
      readonly kind: "union" | "intersection";
      readonly node: string;
      readonly children: readonly ExpandNode[];
    }
  /** An arrow: each relationship of the tupleset walked, with the target's expansion on its subject. */
  | {
      readonly kind: "arrow";
      readonly node: string;
      readonly function: "any" | "all";
      readonly tupleset: string;
      readonly target: string;
      readonly walks: readonly ArrowWalk[];
    }
  | {
      readonly kind: "exclusion";
      readonly node: string;
      readonly base: ExpandNode;
      readonly subtracted: ExpandNode;
    }
  | { readonly kind: "nil"; readonly node: string }
  /** `self`: the object itself is the set's one subject. */
  | { readonly kind: "self"; readonly node: string; readonly object: ObjectRef }
  /** The set met itself in the data; not expanded again. */
  | { readonly kind: "cycle"; readonly node: string };

/** ExpandRequest asks for the tree of `relation` on `resource`, expanding subject sets `depth` levels deep. */
export interface ExpandRequest {
  readonly resource: ObjectRef;
  readonly relation: string;
  /** How many levels of subject sets and arrows to follow; 1 shows only the object's own sets. */
  readonly depth: number;
  /** Whether leaves only name their subject sets, as SpiceDB's trees do (arrows are still followed). */
  readonly subjectSetsNamed?: boolean;
}

/** ExpandScope is what every step of one expansion reads from, and whether it expands subject sets. */
interface ExpandScope {
  readonly schema: CompiledSchema;
  readonly reader: SnapshotReader;
  readonly subjectSetsNamed: boolean;
}

/**
 * expand builds the userset tree of a relation or permission at the reader's snapshot. A
 * permission is named in its tree: one made of a single term (`permission view = viewer`) is a
 * union of that term, as in SpiceDB's trees.
 */
export async function expand(
  schema: CompiledSchema,
  reader: SnapshotReader,
  request: ExpandRequest,
): Promise<ExpandNode> {
  const { resource, relation, depth } = request;
  if (!schema.member(resource.type, relation)) {
    throw new EngineError(
      "invalid-argument",
      `relation: definition '${resource.type}' has no relation or permission '${relation}'`,
    );
  }
  if (!Number.isInteger(depth) || depth < 1)
    throw new EngineError("invalid-argument", "depth: must be a whole number of at least 1");
  const scope = { schema, reader, subjectSetsNamed: request.subjectSetsNamed === true };
  return expandSet(scope, resource, relation, depth, new Set());
}

async function expandSet(
  scope: ExpandScope,
  object: ObjectRef,
  name: string,
  depth: number,
  path: ReadonlySet<string>,
): Promise<ExpandNode> {
  const node = `${object.type}:${object.id}#${name}`;
  if (path.has(node)) return { kind: "cycle", node };
  const below = new Set(path).add(node);
  const member = scope.schema.member(object.type, name);
  if (!member) return { kind: "nil", node };
  if (member.kind === "permission") {
    const { rewrite } = member;
    const made = await expandRewrite(scope, object, node, rewrite, depth, below);
    const operation =
      rewrite.kind === "union" || rewrite.kind === "intersection" || rewrite.kind === "exclusion";
    return operation ? made : { kind: "union", node, children: [made] };
  }

  const rows = await scope.reader.query({
    resourceType: object.type,
    resourceIds: [object.id],
    relation: name,
  });
  const subjects = await Promise.all(
    rows.map(async (row): Promise<ExpandedSubject> => {
      const { subject } = row;
      const expandable = subject.relation !== undefined && depth > 1 && !scope.subjectSetsNamed;
      const expansion = expandable
        ? await expandSet(
            scope,
            { type: subject.type, id: subject.id },
            subject.relation!,
            depth - 1,
            below,
          )
        : undefined;
      return { subject, caveat: row.caveat, expiresAt: row.expiresAt, expansion };
    }),
  );
  return { kind: "leaf", node, subjects };
}

async function expandRewrite(
  scope: ExpandScope,
  object: ObjectRef,
  node: string,
  rewrite: Rewrite,
  depth: number,
  path: ReadonlySet<string>,
): Promise<ExpandNode> {
  switch (rewrite.kind) {
    case "nil":
      return { kind: "nil", node };
    case "self":
      return { kind: "self", node, object };
    case "computed":
      return expandSet(scope, object, rewrite.name, depth, path);
    case "union":
    case "intersection": {
      const children = await Promise.all(
        rewrite.children.map((child) => expandRewrite(scope, object, node, child, depth, path)),
      );
      return { kind: rewrite.kind, node, children };
    }
    case "exclusion": {
      const [base, subtracted] = await Promise.all([
        expandRewrite(scope, object, node, rewrite.base, depth, path),
        expandRewrite(scope, object, node, rewrite.subtracted, depth, path),
      ]);
      return { kind: "exclusion", node, base, subtracted };
    }
    case "arrow": {
      const rows: Relationship[] = await scope.reader.query({
        resourceType: object.type,
        resourceIds: [object.id],
        relation: rewrite.tupleset,
      });
      const related = rows.filter((row) => row.subject.id !== WILDCARD);
      const walks = await Promise.all(
        related.map(async (relationship): Promise<ArrowWalk> => {
          const target = { type: relationship.subject.type, id: relationship.subject.id };
          if (!scope.schema.member(target.type, rewrite.target)) {
            // An object whose type lacks the target contributes nobody (and fails `.all()`). Only
            // here is a walk's expansion a bare nil: a nil permission is a union of its nil.
            const node = `${target.type}:${target.id}#${rewrite.target}`;
            return { relationship, expansion: { kind: "nil", node } };
          }
          if (depth <= 1) return { relationship };
          return {
            relationship,
            expansion: await expandSet(scope, target, rewrite.target, depth - 1, path),
          };
        }),
      );
      return {
        kind: "arrow",
        node,
        function: rewrite.function,
        tupleset: rewrite.tupleset,
        target: rewrite.target,
        walks,
      };
    }
  }
}
