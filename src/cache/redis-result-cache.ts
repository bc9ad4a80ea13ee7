// The shared result cache in Redis (one server or a Redis Cluster), which fails open to a miss.

import { Cluster, Redis } from "ioredis";
import { type CachedResult, decodeCachedResult, encodeCachedResult } from "./cached-result.js";
import type { ResultCache } from "./result-cache.js";

/** RedisCacheOptions configure {@link connectRedisCache}. */
export interface RedisCacheOptions {
  /** `redis://host:port` of one server, or of any node of a cluster when `cluster` is set. */
  readonly url: string;
  /** Connect with `ioredis.Cluster`, discovering the other nodes from `url`. */
  readonly cluster?: boolean;
  /** How long an entry lives in Redis; results stay exact regardless, this only bounds memory. */
  readonly ttlMs: number;
  /** Prepended to every key, so that several stores can share one Redis. */
  readonly keyPrefix: string;
}

/** A command slower than this counts as a failure: a check never waits long for Redis. */
const COMMAND_TIMEOUT_MS = 100;

/** RedisHealth is whether Redis answers, and the last error when it does not. */
export interface RedisHealth {
  readonly ok: boolean;
  readonly error?: string;
}

/**
 * RedisResultCache keeps results in Redis for every replica. While Redis does not answer, reads
 * are misses and writes are dropped (commands fail at once rather than queue), and `health`
 * says so; ioredis reconnects in the background, and the first command that succeeds marks it
 * healthy again. Entries carry their revision and read sets, so each replica checks them against
 * its own change tracker: an entry from before an outage is never served stale.
 */
export class RedisResultCache implements ResultCache {
  private state: RedisHealth = { ok: true };

  constructor(
    private readonly client: Redis | Cluster,
    private readonly options: RedisCacheOptions,
  ) {
    client.on("error", (error: Error) => this.down(error));
  }

  /** health is the state of the connection, for /readyz and metrics. */
  get health(): RedisHealth {
    return this.state;
  }

  /** peek finds nothing: every entry is in Redis, a round trip away. */
  peek(): undefined {
    return undefined;
  }

  async get(key: string): Promise<CachedResult | undefined> {
    try {
      const text = await this.client.get(this.options.keyPrefix + key);
      this.up();
      return text === null ? undefined : decodeCachedResult(text);
    } catch (error) {
      this.down(error);
      return undefined;
    }
  }

  async set(key: string, result: CachedResult): Promise<void> {
    try {
      await this.client.set(
        this.options.keyPrefix + key,
        encodeCachedResult(result),
        "PX",
        this.options.ttlMs,
      );
      this.up();
    } catch (error) {
      this.down(error);
    }
  }

  async close(): Promise<void> {
    this.client.disconnect();
  }

  private up(): void {
    if (!this.state.ok) this.state = { ok: true };
  }

  private down(error: unknown): void {
    this.state = { ok: false, error: error instanceof Error ? error.message : String(error) };
  }
}

/** connectRedisCache opens a client (reconnecting forever) and the cache over it. */
export function connectRedisCache(options: RedisCacheOptions): RedisResultCache {
  const common = {
    enableOfflineQueue: false,
    commandTimeout: COMMAND_TIMEOUT_MS,
    maxRetriesPerRequest: 0,
  };
  const client = options.cluster
    ? new Cluster([options.url], { redisOptions: common, enableOfflineQueue: false })
    : new Redis(options.url, { ...common, retryStrategy: (times) => Math.min(times * 50, 1000) });
  return new RedisResultCache(client, options);
}
