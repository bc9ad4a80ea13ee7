// Two Latch processes, A and B, on one fresh Postgres database and one Redis: the setup, teardown,
// command line and request helpers of the benchmarks that time what a write through A does to B.

import { performance } from "node:perf_hooks";
import { createUnaryLatchClient, type LatchClient } from "../../src/cli/client.js";
import { SERVER_NODE_FLAGS } from "../../src/cli/server-node-flags.js";
import { createTestDatabase, findPostgres } from "../store/postgres/test-database.js";
import { chooseRedis } from "./bench-redis.js";
import { readReadyLine } from "./child-ready-line.js";
import type { ReplicaTargetReady } from "./replica-bench-target.js";
import { killBenchChildren, spawnBenchChild } from "./server-bench-children.js";

/** BenchReplicasOptions configure {@link startBenchReplicas}. */
export interface BenchReplicasOptions {
  /** The Redis to share (`--redis`); else the local one, or a private one. */
  readonly redis?: string;
  /** Set in both children's environment (LATCH_BENCH_ALERTS: the decision log on, those rules). */
  readonly env?: Readonly<Record<string, string>>;
}

/** BenchReplicas are A and B serving, and how to take everything down. */
export interface BenchReplicas {
  readonly a: LatchClient;
  readonly b: LatchClient;
  readonly redisUrl: string;
  /** close closes the clients, kills both children, and drops the database (and a private Redis). */
  close(): Promise<void>;
}

/**
 * startBenchReplicas creates a Postgres database, chooses a Redis, and starts A and then B (A
 * applies the migrations; B finds the database ready), each a child process serving on
 * 127.0.0.1, its connections named latch-bench-a and latch-bench-b in Postgres; it resolves once
 * both serve. What it started is taken down if it fails.
 */
export async function startBenchReplicas(
  options: BenchReplicasOptions = {},
): Promise<BenchReplicas> {
  const postgres = await findPostgres();
  if (postgres.url === undefined)
    throw new Error(`the benchmark needs Postgres: ${postgres.reason}`);
  const database = await createTestDatabase(postgres.url);
  const redis = await chooseRedis(options.redis);
  const clients: LatchClient[] = [];
  const close = async () => {
    for (const client of clients) client.close();
    killBenchChildren();
    await redis.owned?.destroy();
    await database.drop();
  };
  const start = async (name: string): Promise<LatchClient> => {
    const url = new URL(database.url);
    url.searchParams.set("application_name", name);
    // The child inherits the environment as it is at the spawn.
    Object.assign(process.env, options.env, {
      LATCH_BENCH_DATABASE_URL: url.toString(),
      LATCH_BENCH_REDIS_URL: redis.url,
    });
    const target = spawnBenchChild(
      "test/bench/replica-bench-target.ts",
      undefined,
      ["pipe", "pipe", "inherit"],
      [],
      SERVER_NODE_FLAGS,
    );
    const ready = await readReadyLine<ReplicaTargetReady>(target);
    // The lean unary client a service calling Check per request would use: the benchmark's own
    // CPU per call, on the same cores as A, B and Postgres, is then a small part of what it times.
    const client = createUnaryLatchClient({ LATCH_ENDPOINT: `127.0.0.1:${ready.grpcPort}` });
    clients.push(client);
    return client;
  };
  try {
    const a = await start("latch-bench-a");
    const b = await start("latch-bench-b");
    return { a, b, redisUrl: redis.url, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** ReplicaBenchArgs are the command line of a two-replica benchmark. */
export interface ReplicaBenchArgs {
  readonly json: boolean;
  readonly trials: number;
  readonly redis: string | undefined;
}

/** readReplicaBenchArgs reads `--json`, `--trials N` (default defaultTrials) and `--redis URL`. */
export function readReplicaBenchArgs(defaultTrials: number): ReplicaBenchArgs {
  const args = process.argv.slice(2);
  const option = (name: string): string | undefined => {
    const at = args.indexOf(name);
    return at === -1 ? undefined : args[at + 1];
  };
  const trials = Number(option("--trials") ?? defaultTrials);
  if (!Number.isSafeInteger(trials) || trials < 1) {
    throw new Error(`--trials must be a positive integer, got ${option("--trials")}`);
  }
  return { json: args.includes("--json"), trials, redis: option("--redis") };
}

/** wallNow is the time of day in epoch ms with sub-millisecond resolution. */
export const wallNow = () => performance.timeOrigin + performance.now();
