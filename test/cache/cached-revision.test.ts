// A cached result answers reads at the revision it was computed at or later, never earlier ones.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCombinedDispatcher } from "../../src/dispatch/combined-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { SnapshotReader, Store } from "../../src/store/store.js";
import { rel } from "../store/store-test-helpers.js";

const SCHEMA = `definition user {}
definition group {
  relation member: user
}
definition document {
  relation viewer: group#member
  permission view = viewer
}
`;

const open: { store: Store; tracker: ChangeTracker }[] = [];
afterEach(async () => {
  for (const { store, tracker } of open.splice(0)) {
    tracker.close();
    await store.close();
  }
});

/** gated holds reader's first query until `open` is called. */
function gated(
  reader: SnapshotReader,
): SnapshotReader & { open(): void; readonly asked: Promise<void> } {
  let release!: () => void;
  let asked!: () => void;
  const gate = new Promise<void>((resolve) => {
    release = resolve;
  });
  const firstAsked = new Promise<void>((resolve) => {
    asked = resolve;
  });
  return {
    revision: reader.revision,
    now: reader.now,
    open: () => release(),
    asked: firstAsked,
    async query(filter, options) {
      asked();
      await gate;
      return reader.query(filter, options);
    },
  };
}

describe("the caching dispatcher", () => {
  it("does not answer a read at one revision with a result computed at a later one", async () => {
    const loaded = loadSchema(SCHEMA);
    if (!loaded.ok) throw new Error("schema");
    const store = createMemoryStore();
    const tracker = new ChangeTracker(store, await store.headRevision());
    open.push({ store, tracker });
    const engine = createCheckEngine({
      schema: loaded.schema,
      dispatcher: createCombinedDispatcher({
        results: new MemoryResultCache(),
        tracker,
        keyPrefix: "test|",
      }),
    });
    const before = await store.write([
      { operation: "touch", relationship: rel("document:plan#viewer@group:team#member") },
      { operation: "touch", relationship: rel("group:team#member@user:alice") },
    ]);
    expect(await tracker.waitFor(before.revision, 1000)).toBe(true);
    const alice = { type: "user", id: "alice" };
    const plan = { resource: { type: "document", id: "plan" }, permission: "view", subject: alice };

    // A check at the first revision reads document:plan#viewer, then, held there, waits. Both
    // checks are evaluated in the same millisecond, as concurrent requests can be.
    const now = new Date();
    const reader = gated(store.snapshot(before.revision, now));
    const early = engine.check(reader, plan);
    await reader.asked;
    // Meanwhile alice leaves the team, and a check at the new revision caches group:team#member.
    const after = await store.write([
      { operation: "delete", relationship: rel("group:team#member@user:alice") },
    ]);
    expect(await tracker.waitFor(after.revision, 1000)).toBe(true);
    const team = { resource: { type: "group", id: "team" }, permission: "member", subject: alice };
    expect((await engine.check(store.snapshot(after.revision, now), team)).result).toBe("denied");
    // The early check then asks about group:team#member: as of its own revision, alice was in.
    reader.open();
    expect((await early).result).toBe("allowed");
  });
});
