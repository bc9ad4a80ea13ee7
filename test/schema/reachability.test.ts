// Reachability: recursive sets, pruning by subject type, reverse edges and direct entries.

import { describe, expect, it } from "vitest";
import type { CompiledSchema } from "../../src/schema/compiled-schema.js";
import { loadSchema } from "../../src/schema/load-schema.js";

function compile(text: string): CompiledSchema {
  const loaded = loadSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  return loaded.schema;
}

const SCHEMA = `definition user {}
definition agent {}
definition group {
	relation member: user | group#member
}
definition folder {
	relation parent: folder
	relation viewer: user | group#member
	permission view = viewer + parent->view
	permission edit = viewer
}
definition document {
	relation parent: folder
	relation owner: agent
	permission view = parent->view - owner
	permission read = view
}
`;

describe("reachability", () => {
  const { reachability } = compile(SCHEMA);

  it("marks the sets that can depend on themselves as recursive, and only those", () => {
    expect(reachability.isRecursive("group", "member")).toBe(true);
    expect(reachability.isRecursive("folder", "view")).toBe(true);
    expect(reachability.isRecursive("folder", "viewer")).toBe(false);
    expect(reachability.isRecursive("folder", "edit")).toBe(false);
    expect(reachability.isRecursive("document", "view")).toBe(false);
    expect(reachability.isRecursive("document", "read")).toBe(false);
  });

  it("knows which subject types can reach a permission, ignoring the subtracted side", () => {
    expect(reachability.canReach("document", "view", "user")).toBe(true);
    expect(reachability.canReach("document", "view", "agent")).toBe(false);
    expect(reachability.canReach("document", "owner", "agent")).toBe(true);
    expect(reachability.canReach("folder", "view", "agent")).toBe(false);
  });

  it("lists reverse edges and direct entries for lookups", () => {
    expect(reachability.usesOf("folder", "view")).toEqual(
      expect.arrayContaining([
        { kind: "arrow", type: "folder", name: "view", tupleset: "parent", function: "any" },
        { kind: "arrow", type: "document", name: "view", tupleset: "parent", function: "any" },
      ]),
    );
    expect(reachability.usesOf("group", "member")).toEqual(
      expect.arrayContaining([
        { kind: "subject-set", type: "group", name: "member" },
        { kind: "subject-set", type: "folder", name: "viewer" },
      ]),
    );
    expect(reachability.directEntries("agent")).toEqual([
      { type: "document", relation: "owner", wildcard: false, self: false },
    ]);
  });

  it("enters a subject type at each permission of its own type that grants `self`, not one that subtracts it", () => {
    const { reachability: withSelf } = compile(`use self
definition user {
  relation blocked: user
  permission view = self + blocked
  permission read = view
  permission post = blocked - self
}
definition group {
  relation owner: user
  permission manage = owner->view
}`);
    expect(withSelf.directEntries("user")).toEqual(
      expect.arrayContaining([
        { type: "user", relation: "blocked", wildcard: false, self: false },
        { type: "user", relation: "view", wildcard: false, self: true },
        { type: "group", relation: "owner", wildcard: false, self: false },
      ]),
    );
    expect(withSelf.directEntries("user")).toHaveLength(3);
    expect(withSelf.canReach("user", "read", "user")).toBe(true);
    expect(withSelf.canReach("group", "manage", "user")).toBe(true);
    expect(withSelf.canReach("group", "manage", "group")).toBe(false);
  });
});
