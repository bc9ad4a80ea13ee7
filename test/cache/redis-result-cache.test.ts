// The Redis result cache against real redis-server processes: round trips, outages, a cluster.

import { afterAll, beforeAll, expect, it } from "vitest";
import type { CachedResult } from "../../src/cache/cached-result.js";
import { connectRedisCache, type RedisResultCache } from "../../src/cache/redis-result-cache.js";
import {
  describeWithRedisServer,
  type PrivateRedis,
  startPrivateRedis,
  startPrivateRedisCluster,
} from "../support/private-redis.js";

const RESULT: CachedResult = {
  kind: "allowed",
  missing: [],
  validFrom: 1_800_000_000_000,
  validUntil: Number.POSITIVE_INFINITY,
  computedAt: 7,
  depthRequired: 3,
  reads: ["document:a#viewer", "group:eng#member"],
};

async function eventually(condition: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error("condition not met in time");
    await new Promise((resolve) => setTimeout(resolve, 50));
  }
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
    await eventually(async () => {
      await cache.set("k1", RESULT);
      return (await cache.get("k1")) !== undefined;
    });
    expect(await cache.get("k1")).toEqual(RESULT);
    const conditional = {
      ...RESULT,
      kind: "conditional" as const,
      missing: ["region"],
      validUntil: 5,
    };
    await cache.set("k2", conditional);
    expect(await cache.get("k2")).toEqual(conditional);
    expect(await cache.get("absent")).toBeUndefined();
    expect(cache.health).toEqual({ ok: true });
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
    await eventually(async () => {
      await cache.set("k5", RESULT);
      return cache.health.ok;
    });
    // A restarted Redis is empty: the entry from before the outage is gone, not stale.
    expect(await cache.get("k3")).toBeUndefined();
    expect(await cache.get("k5")).toEqual(RESULT);
  }, 30_000);
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
  }, 60_000);

  afterAll(async () => {
    await cache?.close();
    await Promise.all(nodes.map((node) => node.destroy()));
  });

  it("spreads keys over the nodes' slots and reads every one back", async () => {
    const keys = Array.from({ length: 200 }, (_, i) => `document:d${i}#view@user:u${i}`);
    await eventually(async () => {
      await cache.set(keys[0]!, RESULT);
      return (await cache.get(keys[0]!)) !== undefined;
    });
    await Promise.all(keys.map((key, i) => cache.set(key, { ...RESULT, computedAt: i })));
    const read = await Promise.all(keys.map((key) => cache.get(key)));
    expect(read.map((r) => r?.computedAt)).toEqual(keys.map((_, i) => i));
    expect(cache.health).toEqual({ ok: true });
  }, 30_000);
});
