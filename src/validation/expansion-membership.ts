// The membership set of an expansion tree, as SpiceDB's developer tools compute expected relations.

import { DEFAULT_MAX_DEPTH } from "../engine/check-engine.js";
import { type ExpandNode, expand } from "../engine/expand.js";
import type { CompiledSchema } from "../schema/compiled-schema.js";
import type { SnapshotReader } from "../store/store.js";
import { formatSubjectRef } from "../tuple/format-relationship.js";
import type { ObjectRef } from "../tuple/relationship.js";
import {
  addMember,
  conditionMembership,
  EMPTY_MEMBERSHIP,
  excludeMembership,
  intersectMembership,
  type MembershipSet,
  unionMembership,
} from "./membership-set.js";
import { ValidationError } from "./validation-error.js";

interface Context {
  readonly schema: CompiledSchema;
  readonly reader: SnapshotReader;
  readonly maxDepth: number;
}

/**
 * expectedMembership expands `relation` on `resource` and folds the tree into a membership set:
 * the subjects stored in each relation reached, marked `<type:id#relation>`; unions merge them,
 * intersections keep subjects on every side, exclusions remove them (or exclude them from a
 * wildcard), and every subject under a caveated relationship (a subject set's or an arrow's) is
 * caveated. Expired relationships are not read. A cycle in the data adds nothing (SpiceDB fails
 * with max depth instead); an expansion deeper than maxDepth (the engine's depth limit, by
 * default) throws a ValidationError.
 */
export async function expectedMembership(
  schema: CompiledSchema,
  reader: SnapshotReader,
  resource: ObjectRef,
  relation: string,
  maxDepth = DEFAULT_MAX_DEPTH,
): Promise<MembershipSet> {
  const tree = await expand(schema, reader, { resource, relation, depth: maxDepth });
  return membershipOf(tree, { schema, reader, maxDepth });
}

async function membershipOf(node: ExpandNode, context: Context): Promise<MembershipSet> {
  switch (node.kind) {
    case "nil":
    case "cycle":
      return EMPTY_MEMBERSHIP;
    case "leaf":
      return leafMembership(node, context);
    case "self":
      return addMember(EMPTY_MEMBERSHIP, node.object, false, node.node);
    case "union":
    case "intersection":
      return combine(
        node.kind,
        await Promise.all(node.children.map((child) => membershipOf(child, context))),
      );
    case "arrow":
      return combine(
        node.function === "all" ? "intersection" : "union",
        await arrowMemberships(node, context),
      );
    case "exclusion": {
      const [base, subtracted] = await Promise.all([
        membershipOf(node.base, context),
        membershipOf(node.subtracted, context),
      ]);
      return excludeMembership(base, subtracted);
    }
  }
}

function combine(kind: "union" | "intersection", sets: readonly MembershipSet[]): MembershipSet {
  if (kind === "union") return sets.reduce(unionMembership, EMPTY_MEMBERSHIP);
  // `.all()` over no related object has nothing to intersect: nobody (SpiceDB rejects the tree instead).
  const [first, ...rest] = sets;
  return first === undefined ? EMPTY_MEMBERSHIP : rest.reduce(intersectMembership, first);
}

async function leafMembership(
  node: Extract<ExpandNode, { kind: "leaf" }>,
  context: Context,
): Promise<MembershipSet> {
  let set = EMPTY_MEMBERSHIP;
  for (const { subject, caveat } of node.subjects) {
    set = addMember(set, subject, caveat !== undefined, node.node);
  }
  for (const { subject, caveat, expansion } of node.subjects) {
    if (subject.relation === undefined) continue;
    if (expansion === undefined) throw depthExceeded(formatSubjectRef(subject), context);
    const members = await membershipOf(expansion, context);
    set = unionMembership(set, conditionMembership(members, caveat !== undefined));
  }
  return set;
}

async function arrowMemberships(
  node: Extract<ExpandNode, { kind: "arrow" }>,
  context: Context,
): Promise<MembershipSet[]> {
  return Promise.all(
    node.walks.map(async ({ relationship, expansion }) => {
      if (expansion === undefined) throw depthExceeded(`${node.node}->${node.tupleset}`, context);
      const members = await membershipOf(expansion, context);
      return conditionMembership(members, relationship.caveat !== undefined);
    }),
  );
}

function depthExceeded(at: string, { maxDepth }: Context): ValidationError {
  return new ValidationError(
    "max-depth",
    `the expansion went deeper than ${maxDepth} levels at ${at}; the data nests too deeply (LATCH_MAX_DEPTH raises the limit)`,
  );
}
