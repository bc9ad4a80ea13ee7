// Renders an Expand tree for people: one set a line, its members indented below it.

import {
  ExpandArrow_Function,
  type ExpandedSubject,
  type ExpandNode,
} from "../gen/latch/v1/permission_service_pb.js";
import { formatRelationship } from "../tuple/format-relationship.js";
import { relationshipOf, relationshipText } from "./api-values.js";

const INDENT = "  ";

/**
 * renderExpandTree writes the tree as lines: each set as `document:plan#view (union)`, the
 * subjects of a relation below it (with their caveat and expiration), a subject set's own
 * expansion below the subject, an arrow's relationships each followed by the target's tree, and
 * the subtracted side of an exclusion as `minus …`.
 */
export function renderExpandTree(node: ExpandNode): string[] {
  const label = `${node.object?.type}:${node.object?.id}#${node.relation}`;
  const { kind } = node;
  switch (kind.case) {
    case "leaf":
      return [label, ...indent(kind.value.subjects.flatMap((s) => subjectLines(node, s)))];
    case "union":
    case "intersection":
      return [
        `${label} (${kind.case})`,
        ...indent(kind.value.children.flatMap((child) => renderExpandTree(child))),
      ];
    case "exclusion": {
      const base = kind.value.base === undefined ? [] : renderExpandTree(kind.value.base);
      const [first, ...rest] =
        kind.value.subtracted === undefined ? [] : renderExpandTree(kind.value.subtracted);
      const subtracted = first === undefined ? [] : [`minus ${first}`, ...rest];
      return [`${label} (exclusion)`, ...indent([...base, ...subtracted])];
    }
    case "arrow": {
      const { tupleset, target, walks } = kind.value;
      const arrow =
        kind.value.function === ExpandArrow_Function.ALL
          ? `${tupleset}.all(${target})`
          : `${tupleset}->${target}`;
      const lines = walks.flatMap((walk) => [
        relationshipText(walk.relationship),
        ...indent(walk.expansion === undefined ? [] : renderExpandTree(walk.expansion)),
      ]);
      return [`${label} (${arrow})`, ...indent(lines)];
    }
    case "nil":
      return [`${label} (nil)`];
    case "itself":
      return [`${label} (self)`, ...indent([`${node.object?.type}:${node.object?.id}`])];
    case "cycle":
      return [`${label} (on a cycle in the data: not expanded again)`];
    case undefined:
      return [label];
  }
}

/** subjectLines writes a subject stored in a leaf, then its own expansion. */
function subjectLines(leaf: ExpandNode, stored: ExpandedSubject): string[] {
  const relationship = relationshipOf({
    $typeName: "latch.v1.Relationship",
    resource: leaf.object,
    relation: leaf.relation,
    subject: stored.subject,
    caveat: stored.caveat,
    expiresAt: stored.expiresAt,
  });
  // The subject with its caveat and expiration is the relationship's text after the `@`.
  const text = formatRelationship(relationship);
  const subject = text.slice(text.indexOf("@") + 1);
  return [
    subject,
    ...indent(stored.expansion === undefined ? [] : renderExpandTree(stored.expansion)),
  ];
}

function indent(lines: readonly string[]): string[] {
  return lines.map((line) => INDENT + line);
}
