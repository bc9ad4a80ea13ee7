// Check and CheckBulk by example: explanations of each kind, per-item errors, the depth limit, reads per level.

import { describe, expect, it } from "vitest";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { renderExplanation } from "../../src/engine/render-explanation.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { parseRelationship } from "../../src/tuple/parse-relationship.js";
import { roundTripReader } from "./round-trip-reader.js";

const SCHEMA = `definition user {}
definition group {
	relation member: user | group#member | group#member with over_limit
}
definition folder {
	relation parent: folder
	relation viewer: user | group#member
	permission view = viewer + parent->view
}
definition document {
	relation parent: folder
	relation viewer: user | user with over_limit
	relation approved: user
	relation banned: user
	relation owner: folder | folder with over_limit
	permission view = (viewer + parent->view) - banned
	permission approve = view & approved
	permission own_any = owner->viewer
	permission own_all = owner.all(viewer)
}
caveat over_limit(limit int, amount int) {
	amount < limit
}
`;

async function setUp(lines: string[]) {
  const loaded = loadSchema(SCHEMA);
  if (!loaded.ok) throw new Error(loaded.diagnostics[0]?.message);
  const store = createMemoryStore();
  const updates = lines.map((line) => {
    const parsed = parseRelationship(line);
    if (!parsed.ok) throw new Error(parsed.error.message);
    return { operation: "touch" as const, relationship: parsed.value };
  });
  const { revision } = await store.write(updates);
  return {
    engine: createCheckEngine({ schema: loaded.schema, dispatcher: createLocalDispatcher() }),
    reader: store.snapshot(revision, new Date()),
  };
}

const user = (id: string) => ({ type: "user", id });
const doc = (id: string) => ({ type: "document", id });

describe("Check", () => {
  it("proves an allowed answer with the chain of relationships that grants it", async () => {
    const { engine, reader } = await setUp([
      "document:plan#parent@folder:eng",
      "folder:eng#viewer@group:eng#member",
      "group:eng#member@user:alice",
    ]);
    const result = await engine.check(reader, {
      resource: doc("plan"),
      permission: "view",
      subject: user("alice"),
      explain: true,
    });
    expect(result.result).toBe("allowed");
    expect(renderExplanation(result.explanation!, user("alice")).join("\n")).toContain(
      "document:plan#parent@folder:eng → folder:eng#viewer@group:eng#member → group:eng#member@user:alice",
    );
  });

  it("says which exclusion removed the subject, and which side of an intersection was missing", async () => {
    const { engine, reader } = await setUp([
      "document:plan#viewer@user:bob",
      "document:plan#banned@user:bob",
      "document:memo#viewer@user:carol",
    ]);
    const banned = await engine.check(reader, {
      resource: doc("plan"),
      permission: "view",
      subject: user("bob"),
      explain: true,
    });
    expect(banned.result).toBe("denied");
    expect(renderExplanation(banned.explanation!, user("bob")).join("\n")).toContain(
      "document:plan#banned",
    );
    const unapproved = await engine.check(reader, {
      resource: doc("memo"),
      permission: "approve",
      subject: user("carol"),
      explain: true,
    });
    expect(unapproved.result).toBe("denied");
    expect(renderExplanation(unapproved.explanation!, user("carol")).join("\n")).toContain(
      "document:memo#approved",
    );
  });

  it("names the caveat and its missing parameters for a conditional answer", async () => {
    const { engine, reader } = await setUp([
      'document:plan#viewer@user:dana[over_limit:{"limit":10}]',
    ]);
    const open = await engine.check(reader, {
      resource: doc("plan"),
      permission: "view",
      subject: user("dana"),
      explain: true,
    });
    expect(open).toMatchObject({ result: "conditional", missing: ["amount"] });
    expect(renderExplanation(open.explanation!, user("dana")).join("\n")).toContain("over_limit");
    // The relationship's values win over the request's.
    const decided = await engine.check(reader, {
      resource: doc("plan"),
      permission: "view",
      subject: user("dana"),
      context: { limit: 1000, amount: 50 },
    });
    expect(decided.result).toBe("denied");
  });

  it("awaits only the parameters of a derivation that does not come back on a cycle", async () => {
    // g1's members include g1's own members under over_limit: that derivation grants alice only
    // under more conditions than the one through g2, so its missing `limit` never decides.
    const { engine, reader } = await setUp([
      'group:g1#member@group:g2#member[over_limit:{"limit":5}]',
      "group:g1#member@group:g1#member[over_limit]",
      "group:g2#member@user:alice",
    ]);
    const question = { resource: { type: "group", id: "g1" }, permission: "member" };
    const open = await engine.check(reader, { ...question, subject: user("alice") });
    expect(open).toMatchObject({ result: "conditional", missing: ["amount"] });
    const decided = await engine.check(reader, {
      ...question,
      subject: user("alice"),
      context: { amount: 3 },
    });
    expect(decided.result).toBe("allowed");
  });

  it("reads each level of its walk in one query from a store with round trips", async () => {
    const { engine, reader } = await setUp([
      "document:plan#parent@folder:eng",
      "folder:eng#parent@folder:root",
      "folder:eng#viewer@group:eng#member",
      "group:eng#member@user:bob",
      "folder:root#viewer@user:carol",
    ]);
    const database = roundTripReader(reader);
    const check = (id: string) =>
      engine.check(database, { resource: doc("plan"), permission: "view", subject: user(id) });
    // document:plan#viewer and #parent; folder:eng#viewer and #parent; group:eng#member,
    // folder:root#viewer and #parent: seven sets, three levels.
    expect((await check("alice")).result).toBe("denied");
    expect(database.queries).toBe(3);
    expect((await check("carol")).result).toBe("allowed");
  });

  it("fails a walk deeper than the depth limit with a clear error", async () => {
    const chain = Array.from({ length: 60 }, (_, i) => `group:g${i}#member@group:g${i + 1}#member`);
    const { engine, reader } = await setUp([...chain, "group:g60#member@user:erin"]);
    await expect(
      engine.check(reader, {
        resource: { type: "group", id: "g0" },
        permission: "member",
        subject: user("erin"),
      }),
    ).rejects.toThrow(/depth limit/);
    const shallow = await engine.check(reader, {
      resource: { type: "group", id: "g20" },
      permission: "member",
      subject: user("erin"),
    });
    expect(shallow.result).toBe("allowed");
  });
});

describe("CheckBulk", () => {
  it("answers every item, and an item's error fails only that item", async () => {
    const { engine, reader } = await setUp([
      "document:a#viewer@user:alice",
      'document:b#viewer@user:alice[over_limit:{"limit":"ten"}]',
      "document:c#parent@folder:eng",
      "folder:eng#viewer@user:alice",
    ]);
    const items = await engine.checkBulk(reader, [
      { resource: doc("a"), permission: "view", subject: user("alice") },
      { resource: doc("b"), permission: "view", subject: user("alice") },
      { resource: doc("c"), permission: "view", subject: user("alice") },
      { resource: doc("d"), permission: "view", subject: user("alice") },
      { resource: doc("a"), permission: "no_such_permission", subject: user("alice") },
    ]);
    expect(items.map((item) => (item.ok ? item.result.result : item.error.code))).toEqual([
      "allowed",
      "caveat-error",
      "allowed",
      "denied",
      "invalid-argument",
    ]);
  });

  it("keeps each item's caveats to its own answer where items share a relationship's subject", async () => {
    // SpiceDB 1.54's CheckBulkPermissions makes a's `own_all` conditional here, with b's caveat.
    const { engine, reader } = await setUp([
      "document:a#owner@folder:eng",
      "document:b#owner@folder:eng[over_limit]",
      "folder:eng#viewer@user:alice",
    ]);
    const items = await engine.checkBulk(
      reader,
      ["own_all", "own_any"].flatMap((permission) =>
        [doc("a"), doc("b")].map((resource) => ({ resource, permission, subject: user("alice") })),
      ),
    );
    expect(items.map((item) => (item.ok ? item.result.result : item.error.code))).toEqual([
      "allowed",
      "conditional",
      "allowed",
      "conditional",
    ]);
  });
});
