// The Redis result cache against real redis-server processes: round trips, outages, a cluster.

import { isDeepStrictEqual } from "node:util";
import { afterAll, beforeAll, expect, it } from "vitest";
import type { CachedResult } from "../../../src/cache/cached-result.js";
import { connectRedisCache, type RedisResultCache } from "../../../src/cache/redis-result-cache.js";
import {
  describeWithRedisServer,
  type PrivateRedis,
  startPrivateRedis,
  startPrivateRedisCluster,
} from "../../support/private-redis.js";
import { waitFor } from "../../support/wait-for.js";

const RESULT: CachedResult = {
  kind: "allowed",
  missing: [],
  conditionFalse: false,
  validFrom: 1_800_000_000_000,
  validUntil: Number.POSITIVE_INFINITY,
  computedAt: 7,
  depthRequired: 3,
  reads: ["document:a#viewer", "group:eng#member"],
};

/**
 * stored writes result under key until it reads back. A command slower than the cache's timeout
 * fails open (the write dropped, the read a miss), as it should, and a cluster client whose slot
 * refresh timed out answers misses until it has the slots again: a loaded machine makes both
 * happen, for seconds at a time.
 */
async function stored(cache: RedisResultCache, key: string, result: CachedResult): Promise<void> {
  await waitFor(
    `${key} to read back`,
    async () => {
      await cache.set(key, result);
      return isDeepStrictEqual(await cache.get(key), result);
    },
    20_000,
  );
}

await describeWithRedisServer("Redis result cache on one server", () => {
  let redis: PrivateRedis;
  let cache: RedisResultCache;

  beforeAll(async () => {
    redis = await startPrivateRedis();
    cache = connectRedisCache({ url: redis.url, ttlMs: 60_000, keyPrefix: "test:" });
  });

  afterAll(async () => {
    await cache?.close();
    await redis?.destroy();
  });

  it("keeps results, Infinity included, and treats garbage as a miss", async () => {
    await stored(cache, "k1", RESULT);
    const conditional = {
      ...RESULT,
      kind: "conditional" as const,
      missing: ["region"],
      validUntil: 5,
    };
    await stored(cache, "k2", conditional);
    // A denial keeps whether a false caveat decided it: the reason an answer from Redis gives.
    await stored(cache, "k2-condition", { ...RESULT, kind: "denied", conditionFalse: true });
    expect(cache.health).toEqual({ ok: true });
    expect(await cache.get("absent")).toBeUndefined();
  });

  it("answers misses at once while Redis is down, says so, and recovers when it returns", async () => {
    await cache.set("k3", RESULT);
    await redis.stop();
    const started = Date.now();
    expect(await cache.get("k3")).toBeUndefined();
    await cache.set("k4", RESULT);
    expect(Date.now() - started).toBeLessThan(1000);
    expect(cache.health.ok).toBe(false);
    await redis.start();
    await waitFor(
      "the cache to be healthy again",
      async () => {
        await cache.set("k5", RESULT);
        return cache.health.ok;
      },
      20_000,
    );
    // A restarted Redis is empty: the entry from before the outage is gone, not stale.
    expect(await cache.get("k3")).toBeUndefined();
    expect(await cache.get("k5")).toEqual(RESULT);
  });
});

await describeWithRedisServer("Redis result cache on a three-node cluster", () => {
  let nodes: PrivateRedis[] = [];
  let cache: RedisResultCache;

  beforeAll(async () => {
    nodes = await startPrivateRedisCluster();
    cache = connectRedisCache({
      url: nodes[0]!.url,
      cluster: true,
      ttlMs: 60_000,
      keyPrefix: "test:",
    });
  });

  afterAll(async () => {
    await cache?.close();
    await Promise.all(nodes.map((node) => node.destroy()));
  });

  it("spreads keys over the nodes' slots and reads every one back", async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `document:d${i}#view@user:u${i}`);
    await Promise.all(keys.map((key, i) => stored(cache, key, { ...RESULT, computedAt: i })));
    expect(cache.health).toEqual({ ok: true });
  });
});
