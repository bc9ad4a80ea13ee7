// Expand's tree: every permission named as asked, and subject sets expanded or only named.

import { describe, expect, it } from "vitest";
import { type ExpandNode, expand } from "../../src/engine/expand.js";
import { compile, load } from "./lookup-test-helpers.js";

const SCHEMA = compile(`
definition user {}

definition group {
  relation member: user
}

definition folder {
  relation viewer: user | group#member
  permission view = viewer
}

definition document {
  relation parent: folder
  permission read = parent->view
  permission nothing = nil
}`);

const DATA = [
  "group:eng#member@user:bob",
  "folder:f#viewer@group:eng#member",
  "folder:f#viewer@user:alice",
  "document:d#parent@folder:f",
];

/** outline is a tree as `kind node` lines, indented by depth: its shape without the subjects' details. */
function outline(node: ExpandNode, indent = ""): string[] {
  const line = `${indent}${node.kind} ${node.node}`;
  const inner = `${indent}  `;
  switch (node.kind) {
    case "leaf":
      return [
        line,
        ...node.subjects.flatMap((s) => (s.expansion ? outline(s.expansion, inner) : [])),
      ];
    case "union":
    case "intersection":
      return [line, ...node.children.flatMap((child) => outline(child, inner))];
    case "arrow":
      return [line, ...node.walks.flatMap((w) => (w.expansion ? outline(w.expansion, inner) : []))];
    case "exclusion":
      return [line, ...outline(node.base, inner), ...outline(node.subtracted, inner)];
    default:
      return [line];
  }
}

describe("expand", () => {
  it("names a permission of one term as a union of it, down an arrow and for nil", async () => {
    const fixture = await load(SCHEMA, DATA);
    const reader = await fixture.reader();
    const tree = await expand(SCHEMA, reader, {
      resource: { type: "document", id: "d" },
      relation: "read",
      depth: 10,
    });
    expect(outline(tree)).toEqual([
      "union document:d#read",
      "  arrow document:d#read",
      "    union folder:f#view",
      "      leaf folder:f#viewer",
      "        leaf group:eng#member",
    ]);
    const nothing = { resource: { type: "document", id: "d" }, relation: "nothing", depth: 10 };
    expect(outline(await expand(SCHEMA, reader, nothing))).toEqual([
      "union document:d#nothing",
      "  nil document:d#nothing",
    ]);
  });

  it("with subject sets named, follows arrows as deep as asked but expands no subject set", async () => {
    const fixture = await load(SCHEMA, DATA);
    const tree = await expand(SCHEMA, await fixture.reader(), {
      resource: { type: "document", id: "d" },
      relation: "read",
      depth: 10,
      subjectSetsNamed: true,
    });
    expect(outline(tree)).toEqual([
      "union document:d#read",
      "  arrow document:d#read",
      "    union folder:f#view",
      "      leaf folder:f#viewer",
    ]);
  });
});
