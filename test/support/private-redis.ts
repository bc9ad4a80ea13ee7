// Redis servers of one test's own (single or a three-node cluster), which the test may kill and restart.

import { type ChildProcess, execFile, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { promisify } from "node:util";
import { describe, it } from "vitest";
import { freePort } from "./free-port.js";
import { waitFor } from "./wait-for.js";

const run = promisify(execFile);

/** redisServerMissing says why no private Redis can start (no redis-server binary), or undefined. */
export async function redisServerMissing(): Promise<string | undefined> {
  try {
    await run("redis-server", ["--version"]);
    return undefined;
  } catch {
    return "redis-server is not installed (Debian: apt-get install redis-server)";
  }
}

/**
 * describeWithRedisServer registers suite when redis-server exists; without it, the suite fails on
 * CI (CI=true, which must never skip it) and is skipped with the reason elsewhere.
 */
export async function describeWithRedisServer(name: string, suite: () => void): Promise<void> {
  const missing = await redisServerMissing();
  if (missing === undefined) {
    describe(name, suite);
  } else if (process.env.CI === "true") {
    describe(name, () => {
      it("needs redis-server on CI", () => {
        throw new Error(missing);
      });
    });
  } else {
    describe.skip(`${name} (${missing})`, suite);
  }
}

/** PrivateRedis is a redis-server on a port of its own; stop and start keep the port. */
export interface PrivateRedis {
  readonly port: number;
  readonly url: string;
  /** stop kills the server (SIGKILL): clients lose their connections at once. */
  stop(): Promise<void>;
  /** start starts it again on the same port, empty. */
  start(): Promise<void>;
  destroy(): Promise<void>;
}

/** startPrivateRedis starts redis-server on a free port, with extra arguments (cluster mode). */
export async function startPrivateRedis(extra: readonly string[] = []): Promise<PrivateRedis> {
  const port = await freePort();
  const dir = await mkdtemp(join(tmpdir(), "latch-redis-"));
  let child: ChildProcess | undefined;
  const start = async () => {
    child = spawn(
      "redis-server",
      [
        "--port",
        String(port),
        "--bind",
        "127.0.0.1",
        "--save",
        "",
        "--appendonly",
        "no",
        "--dir",
        dir,
        ...extra,
      ],
      { stdio: "ignore" },
    );
    await waitForPing(port);
  };
  const stop = async () => {
    const running = child;
    child = undefined;
    if (running === undefined || running.exitCode !== null) return;
    const exited = new Promise((resolve) => running.once("exit", resolve));
    running.kill("SIGKILL");
    await exited;
  };
  await start();
  return {
    port,
    url: `redis://127.0.0.1:${port}`,
    stop,
    start,
    async destroy() {
      await stop();
      await rm(dir, { recursive: true, force: true });
    },
  };
}

/**
 * startPrivateRedisCluster starts three redis-server nodes in cluster mode and joins them, every
 * slot assigned, no replicas.
 */
export async function startPrivateRedisCluster(): Promise<PrivateRedis[]> {
  const nodes: PrivateRedis[] = [];
  try {
    for (let i = 0; i < 3; i++) {
      nodes.push(
        await startPrivateRedis(["--cluster-enabled", "yes", "--cluster-node-timeout", "2000"]),
      );
    }
    await run("redis-cli", [
      "--cluster",
      "create",
      ...nodes.map((node) => `127.0.0.1:${node.port}`),
      "--cluster-replicas",
      "0",
      "--cluster-yes",
    ]);
    for (const node of nodes) await waitForClusterOk(node.port);
    return nodes;
  } catch (error) {
    await Promise.all(nodes.map((node) => node.destroy()));
    throw error;
  }
}

/** How long a redis-server may take to answer, or a cluster to be ready, on a loaded machine. */
const PATIENCE_MS = 30_000;

function waitForPing(port: number): Promise<void> {
  return waitFor(
    `redis-server on port ${port} to answer`,
    async () => {
      const answer = await run("redis-cli", ["-p", String(port), "ping"]).catch(() => undefined);
      return answer?.stdout.trim() === "PONG";
    },
    PATIENCE_MS,
  );
}

function waitForClusterOk(port: number): Promise<void> {
  return waitFor(
    `the Redis cluster node on port ${port} to be ready`,
    async () => {
      const { stdout } = await run("redis-cli", ["-p", String(port), "cluster", "info"]);
      return stdout.includes("cluster_state:ok");
    },
    PATIENCE_MS,
  );
}
