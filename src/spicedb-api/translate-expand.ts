// Latch's Expand tree as SpiceDB's PermissionRelationshipTree.

import { v1 } from "@authzed/authzed-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import {
  ExpandArrow_Function,
  type ExpandNodeSchema,
} from "../gen/latch/v1/permission_service_pb.js";
import { spiceObject, spiceSubject } from "./translate-core.js";

type ExpandNode = MessageInitShape<typeof ExpandNodeSchema>;

const Operation = v1.AlgebraicSubjectSet_Operation;

/**
 * spiceTree is a Latch expansion as SpiceDB's tree: a leaf lists its subjects (a subject set is
 * named, not expanded in place, as in SpiceDB); union, intersection and exclusion keep their
 * shape; an arrow is the union (`all`: the intersection) of what each walked relationship reaches;
 * nil is an empty union and a cycle an empty leaf.
 */
export function spiceTree(node: ExpandNode | undefined): v1.PermissionRelationshipTree {
  const base = {
    expandedObject: spiceObject(node?.object),
    expandedRelation: node?.relation ?? "",
  };
  const kind = node?.kind;
  const intermediate = (
    operation: v1.AlgebraicSubjectSet_Operation,
    children: readonly (ExpandNode | undefined)[],
  ): v1.PermissionRelationshipTree => ({
    ...base,
    treeType: {
      oneofKind: "intermediate",
      intermediate: { operation, children: children.map(spiceTree) },
    },
  });
  switch (kind?.case) {
    case "leaf":
      return {
        ...base,
        treeType: {
          oneofKind: "leaf",
          leaf: {
            subjects: (kind.value.subjects ?? []).map((s) => spiceSubject(s.subject)),
          },
        },
      };
    case "union":
      return intermediate(Operation.UNION, kind.value.children ?? []);
    case "intersection":
      return intermediate(Operation.INTERSECTION, kind.value.children ?? []);
    case "exclusion":
      return intermediate(Operation.EXCLUSION, [kind.value.base, kind.value.subtracted]);
    case "arrow": {
      const all = kind.value.function === ExpandArrow_Function.ALL;
      const walks = (kind.value.walks ?? []).map((walk) => walk.expansion);
      return intermediate(all ? Operation.INTERSECTION : Operation.UNION, walks);
    }
    case "cycle":
      return { ...base, treeType: { oneofKind: "leaf", leaf: { subjects: [] } } };
    default:
      return intermediate(Operation.UNION, []);
  }
}
