// Latch's Expand tree as SpiceDB's PermissionRelationshipTree.

import { v1 } from "@authzed/authzed-node";
import type { MessageInitShape } from "@bufbuild/protobuf";
import { EngineError } from "../engine/engine-error.js";
import {
  ExpandArrow_Function,
  type ExpandNodeSchema,
} from "../gen/latch/v1/permission_service_pb.js";
import { spiceObject, spiceSubject } from "./translate-core.js";

type ExpandNode = MessageInitShape<typeof ExpandNodeSchema>;

const Operation = v1.AlgebraicSubjectSet_Operation;

/**
 * spiceTree is a Latch expansion, asked with its subject sets named, as SpiceDB's tree: a leaf
 * lists its subjects; union, intersection and exclusion keep their shape (a permission of one
 * term is a union of it); an arrow is the union (`all`: the intersection) of the expansions of
 * the objects it walked, where an object whose type lacks the target is an empty leaf at the
 * arrow; `self` is a leaf of the object itself; nil and a cycle are empty leaves. It throws max depth where the expansion stopped at its
 * depth (an arrow walked without its target's expansion): a tree cut short could leave out what
 * an exclusion subtracts.
 */
export function spiceTree(node: ExpandNode): v1.PermissionRelationshipTree {
  const at = { expandedObject: spiceObject(node.object), expandedRelation: node.relation ?? "" };
  const intermediate = (
    operation: v1.AlgebraicSubjectSet_Operation,
    children: readonly v1.PermissionRelationshipTree[],
  ): v1.PermissionRelationshipTree => ({
    ...at,
    treeType: { oneofKind: "intermediate", intermediate: { operation, children: [...children] } },
  });
  const kind = node.kind;
  switch (kind?.case) {
    case "leaf":
      return leaf(
        at,
        (kind.value.subjects ?? []).map((s) => spiceSubject(s.subject)),
      );
    case "union":
      return intermediate(Operation.UNION, (kind.value.children ?? []).map(spiceTree));
    case "intersection":
      return intermediate(Operation.INTERSECTION, (kind.value.children ?? []).map(spiceTree));
    case "exclusion":
      return intermediate(Operation.EXCLUSION, [
        spiceTree(kind.value.base ?? {}),
        spiceTree(kind.value.subtracted ?? {}),
      ]);
    case "arrow": {
      const all = kind.value.function === ExpandArrow_Function.ALL;
      const walked = (kind.value.walks ?? []).map(({ expansion }) => {
        if (expansion === undefined) throw tooDeep(node);
        // A bare nil under a walk is an object whose type lacks the target.
        return expansion.kind?.case === "nil" ? leaf(at, []) : spiceTree(expansion);
      });
      return intermediate(all ? Operation.INTERSECTION : Operation.UNION, walked);
    }
    case "itself":
      return leaf(at, [{ object: at.expandedObject, optionalRelation: "" }]);
    default:
      // nil, and a cycle (SpiceDB fails with max depth on cyclic data instead).
      return leaf(at, []);
  }
}

type TreeAt = Pick<v1.PermissionRelationshipTree, "expandedObject" | "expandedRelation">;

function leaf(at: TreeAt, subjects: v1.SubjectReference[]): v1.PermissionRelationshipTree {
  return { ...at, treeType: { oneofKind: "leaf", leaf: { subjects } } };
}

function tooDeep(node: ExpandNode): EngineError {
  const where = `${node.object?.type}:${node.object?.id}#${node.relation}`;
  return new EngineError(
    "max-depth",
    `the expansion went deeper than the depth limit at ${where}; the data nests too deeply or recurses`,
  );
}
