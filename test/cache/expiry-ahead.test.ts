// Answers computed ahead of an expiry: served from the expiry on, never before, never once stale.

import { afterEach, describe, expect, it } from "vitest";
import { ChangeTracker } from "../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../src/cache/memory-result-cache.js";
import { createCachingDispatcher } from "../../src/dispatch/caching-dispatcher.js";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createSingleflightDispatcher } from "../../src/dispatch/singleflight-dispatcher.js";
import { type CheckEngine, createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { REVOCATION_SCHEMA } from "../bench/revocation-bench-schema.js";
import { rel } from "../store/store-test-helpers.js";

const open: { store: Store; tracker: ChangeTracker }[] = [];
afterEach(async () => {
  for (const { store, tracker } of open.splice(0)) {
    tracker.close();
    await store.close();
  }
});

async function cachedEngine(): Promise<{
  store: Store;
  tracker: ChangeTracker;
  engine: CheckEngine;
}> {
  const loaded = loadSchema(REVOCATION_SCHEMA);
  if (!loaded.ok) throw new Error("the revocation schema does not load");
  const store = createMemoryStore();
  const tracker = new ChangeTracker(store, await store.headRevision());
  open.push({ store, tracker });
  const engine = createCheckEngine({
    schema: loaded.schema,
    dispatcher: createCachingDispatcher({
      cache: new MemoryResultCache(),
      tracker,
      next: createSingleflightDispatcher(createLocalDispatcher()),
      keyPrefix: "test|",
    }),
  });
  return { store, tracker, engine };
}

const question = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { type: "user", id: "alice" },
};

/** grant writes document:plan#viewer@user:alice expiring at expiresAt and waits for the tracker. */
async function grant(store: Store, tracker: ChangeTracker, expiresAt: number): Promise<void> {
  const relationship = {
    ...rel("document:plan#viewer@user:alice"),
    expiresAt: new Date(expiresAt),
  };
  const { revision } = await store.write([{ operation: "touch", relationship }]);
  expect(await tracker.waitFor(revision, 1000)).toBe(true);
}

describe("an answer computed ahead of an expiry", () => {
  it("is served from the expiry on, and the answer before it until then", async () => {
    const { store, tracker, engine } = await cachedEngine();
    const expiresAt = Date.now() + 5_000;
    await grant(store, tracker, expiresAt);
    const now = () => store.snapshot(tracker.appliedRevision, new Date());
    expect((await engine.check(now(), question)).result).toBe("allowed");
    expect(engine.answerAtOnce(question, Date.now())?.result).toBe("allowed");
    // Past the expiry, nothing is known yet: the store must be read.
    expect(engine.answerAtOnce(question, expiresAt)).toBeUndefined();

    const atExpiry = store.snapshot(tracker.appliedRevision, new Date(expiresAt));
    expect((await engine.check(atExpiry, question)).result).toBe("denied");
    expect(engine.answerAtOnce(question, expiresAt - 1)?.result).toBe("allowed");
    expect(engine.answerAtOnce(question, expiresAt)).toMatchObject({
      result: "denied",
      servedFromCache: true,
    });
  });

  it("is dropped when a set it read changes before the expiry", async () => {
    const { store, tracker, engine } = await cachedEngine();
    const expiresAt = Date.now() + 5_000;
    await grant(store, tracker, expiresAt);
    const read = (at: number) => store.snapshot(tracker.appliedRevision, new Date(at));
    await engine.check(read(Date.now()), question);
    expect((await engine.check(read(expiresAt), question)).result).toBe("denied");
    // The grant is extended: the answer computed ahead for the old expiry no longer holds.
    await grant(store, tracker, expiresAt + 60_000);
    expect(engine.answerAtOnce(question, expiresAt)).toBeUndefined();
    expect((await engine.check(read(expiresAt), question)).result).toBe("allowed");
  });
});
