// The Redis a two-process benchmark shares: the one given, the local one if it answers, or a private one.

import { Redis } from "ioredis";
import { type PrivateRedis, startPrivateRedis } from "../support/private-redis.js";

async function redisAnswers(url: string): Promise<boolean> {
  const client = new Redis(url, {
    lazyConnect: true,
    connectTimeout: 1000,
    maxRetriesPerRequest: 0,
    retryStrategy: () => null,
  });
  try {
    await client.connect();
    return (await client.ping()) === "PONG";
  } catch {
    return false;
  } finally {
    client.disconnect();
  }
}

/**
 * chooseRedis is given (a `--redis` URL), else REDIS_URL or the local 127.0.0.1:6379 if it
 * answers, else a private redis-server (owned: the caller destroys it).
 */
export async function chooseRedis(
  given: string | undefined,
): Promise<{ url: string; owned?: PrivateRedis }> {
  if (given !== undefined) return { url: given };
  const local = process.env.REDIS_URL || "redis://127.0.0.1:6379";
  if (await redisAnswers(local)) return { url: local };
  const owned = await startPrivateRedis();
  return { url: owned.url, owned };
}
