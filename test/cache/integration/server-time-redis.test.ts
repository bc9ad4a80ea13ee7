// Answers that used the server's time, shared through Redis: another replica takes them only within their second.

import { afterAll, beforeAll, expect, it } from "vitest";
import { ChangeTracker } from "../../../src/cache/change-tracker.js";
import { MemoryResultCache } from "../../../src/cache/memory-result-cache.js";
import { connectRedisCache, type RedisResultCache } from "../../../src/cache/redis-result-cache.js";
import { TieredResultCache } from "../../../src/cache/tiered-result-cache.js";
import { createCombinedDispatcher } from "../../../src/dispatch/combined-dispatcher.js";
import { type CheckEngine, createCheckEngine } from "../../../src/engine/check-engine.js";
import type { Revision } from "../../../src/revision/revision.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import type { Store } from "../../../src/store/store.js";
import {
  describeWithRedisServer,
  type PrivateRedis,
  startPrivateRedis,
} from "../../support/private-redis.js";
import { waitFor } from "../../support/wait-for.js";
import { at, serverTimeSchema, writeBusinessHoursGrant } from "../server-time-fixture.js";

const plan = {
  resource: { type: "document", id: "plan" },
  permission: "view",
  subject: { type: "user", id: "alice" },
};

await describeWithRedisServer("the server's time through Redis", () => {
  let redis: PrivateRedis;
  let shared: RedisResultCache;
  let store: Store;
  let tracker: ChangeTracker;
  let revision: Revision;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    shared = connectRedisCache({ url: redis.url, ttlMs: 60_000, keyPrefix: "test:" });
    store = createMemoryStore();
    tracker = new ChangeTracker(store, await store.headRevision());
    revision = await writeBusinessHoursGrant(store);
    expect(await tracker.waitFor(revision, 1000)).toBe(true);
  });

  afterAll(async () => {
    tracker?.close();
    await store?.close();
    await shared?.close();
    await redis?.destroy();
  });

  /** replica is a new server's engine: an empty cache in process, in front of the shared Redis. */
  const replica = (): CheckEngine =>
    createCheckEngine({
      schema: serverTimeSchema(),
      dispatcher: createCombinedDispatcher({
        results: new TieredResultCache(new MemoryResultCache(), shared),
        tracker,
        keyPrefix: "schema1|",
      }),
    });
  const checkAt = (engine: CheckEngine, time: number) =>
    engine.check(store.snapshot(revision, new Date(time)), plan);

  it("is taken by another replica in its second, and never in the next", async () => {
    expect(await checkAt(replica(), at("16:59:59.200"))).toMatchObject({
      result: "allowed",
      servedFromCache: false,
    });
    // Once written, another replica finds it in Redis for the same second.
    await waitFor(
      "the answer of 16:59:59 in Redis",
      async () => (await checkAt(replica(), at("16:59:59.600"))).servedFromCache,
      10_000,
    );
    expect(await checkAt(replica(), at("17:00:00.100"))).toMatchObject({
      result: "denied",
      servedFromCache: false,
      validUntil: at("17:00:01"),
    });
  });
});
