// `latch serve` as a process: start on the embedded store, serve, stop cleanly on SIGTERM; one
// process per data directory; a port it cannot open stops it at once, releasing the directory.

import { cp, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer, type Server } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { LOCK_FILE } from "../../src/store/postgres/data-directory-lock.js";
import { createPgliteStore } from "../../src/store/postgres/pglite-store.js";
import { freePort } from "../support/free-port.js";
import { logged, type ServedLatch, serveLatch, servingPorts } from "../support/latch-serve.js";
import { runLatch } from "./run-cli-helper.js";

const running: ServedLatch[] = [];
const held: Server[] = [];
afterEach(async () => {
  for (const served of running.splice(0)) served.process.kill("SIGKILL");
  for (const server of held.splice(0)) await new Promise((resolve) => server.close(resolve));
});

// A new embedded database takes many seconds to create: the tests that need one of their own
// start from a copy of one made (and migrated) once.
let scratch: string;
let prepared: string;
beforeAll(async () => {
  scratch = await mkdtemp(join(tmpdir(), "latch-serve-"));
  prepared = join(scratch, "prepared");
  await (await createPgliteStore({ dataDir: prepared })).close();
}, 300_000);
afterAll(async () => {
  await rm(scratch, { recursive: true, force: true });
});

let copies = 0;
/** dataDirectory is a new copy of the prepared database. */
async function dataDirectory(): Promise<string> {
  const dataDir = join(scratch, `data-${++copies}`);
  await cp(prepared, dataDir, { recursive: true });
  return dataDir;
}

/** hold takes port on 127.0.0.1, as another program would. */
async function hold(port: number): Promise<void> {
  const server = createServer();
  held.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
}

/** lockHolder reads the pid and start time the data directory's lock names, if it has one. */
async function lockHolder(dataDir: string): Promise<{ pid: number; since: string } | undefined> {
  try {
    return JSON.parse(await readFile(join(dataDir, LOCK_FILE), "utf8"));
  } catch {
    return undefined;
  }
}

const post = (port: number, method: string, body: unknown) =>
  fetch(`http://127.0.0.1:${port}/latch.v1.${method}`, {
    method: "POST",
    headers: { "content-type": "application/json" },
    body: JSON.stringify(body),
  });

/** makeOwner writes `agent:AGENT#owner@user:alice` through the server on port. */
async function makeOwner(port: number, agent: string): Promise<void> {
  const written = await post(port, "RelationshipService/WriteRelationships", {
    updates: [
      {
        operation: "OPERATION_TOUCH",
        relationship: {
          resource: { type: "agent", id: agent },
          relation: "owner",
          subject: { object: { type: "user", id: "alice" } },
        },
      },
    ],
  });
  expect(written.status).toBe(200);
}

/** ownerCanManage checks `agent:AGENT#manage@user:alice`, fully consistent, through port. */
async function ownerCanManage(port: number, agent: string): Promise<string> {
  const checked = await post(port, "PermissionService/Check", {
    consistency: { fullyConsistent: true },
    resource: { type: "agent", id: agent },
    permission: "manage",
    subject: { object: { type: "user", id: "alice" } },
  });
  return ((await checked.json()) as { result: string }).result;
}

/** serve starts `latch serve` with env, on the embedded store, and stops it after the test. */
function serve(env: Record<string, string>): ServedLatch {
  const served = serveLatch(env);
  running.push(served);
  return served;
}

/** httpPortOf waits for the start-up line and returns the HTTP port it names. */
async function httpPortOf(served: ServedLatch): Promise<number> {
  return (await servingPorts(served)).httpPort;
}

describe("latch serve", () => {
  it("says which of its node flags node runs without, and serves all the same", async () => {
    const served = serveLatch(
      { LATCH_DATA_DIR: await dataDirectory() },
      [],
      ["--max-semi-space-size=32"],
    );
    running.push(served);
    const port = await httpPortOf(served);
    const [warning] = await logged(served, /.*node runs without.*/);
    expect(warning).toContain('"level":"warn"');
    expect(warning).toContain("node runs without --no-allocation-site-pretenuring:");
    expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
  });

  it("serves the example schema on a new embedded store, keeps it across restarts, and stops on SIGTERM", async () => {
    const dataDir = await mkdtemp(join(tmpdir(), "latch-serve-"));
    try {
      const first = serve({ LATCH_DATA_DIR: dataDir });
      const port = await httpPortOf(first);
      expect(first.log()).toContain("DEVELOPMENT MODE");
      expect(first.log()).toContain("wrote the example agent schema");
      expect(first.log()).not.toContain("node runs without");
      expect((await fetch(`http://127.0.0.1:${port}/readyz`)).status).toBe(200);
      const write = await fetch(
        `http://127.0.0.1:${port}/latch.v1.RelationshipService/WriteRelationships`,
        {
          method: "POST",
          headers: { "content-type": "application/json" },
          body: JSON.stringify({
            updates: [
              {
                operation: "OPERATION_TOUCH",
                relationship: {
                  resource: { type: "agent", id: "helper" },
                  relation: "owner",
                  subject: { object: { type: "user", id: "alice" } },
                },
              },
            ],
          }),
        },
      );
      expect(write.status).toBe(200);
      first.process.kill("SIGTERM");
      expect(await first.exited).toBe(0);
      expect(first.log()).toContain("stopped");

      const second = serve({ LATCH_DATA_DIR: dataDir });
      const again = await httpPortOf(second);
      expect(second.log()).not.toContain("wrote the example");
      const check = await fetch(`http://127.0.0.1:${again}/latch.v1.PermissionService/Check`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          resource: { type: "agent", id: "helper" },
          permission: "manage",
          subject: { object: { type: "user", id: "alice" } },
        }),
      });
      expect(await check.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
      second.process.kill("SIGTERM");
      expect(await second.exited).toBe(0);
    } finally {
      await rm(dataDir, { recursive: true, force: true });
    }
  }, 300_000);

  it("refuses to bind beyond 127.0.0.1 without an API key", async () => {
    const served = serve({ LATCH_HOST: "0.0.0.0", LATCH_DATA_DIR: "/nonexistent/never-opened" });
    expect(await served.exited).toBe(2);
    expect(served.log()).toContain("no API key is configured");
  });

  it("refuses a bad alert rule file before opening the store, naming the line and column", async () => {
    const directory = await mkdtemp(join(tmpdir(), "latch-alerts-"));
    const rules = join(directory, "alerts.yaml");
    await writeFile(
      rules,
      "rules:\n  - name: burst\n    match: {}\n    condition: { count: 3, within: often }\n",
    );
    try {
      const served = serve({ LATCH_ALERTS: rules, LATCH_DATA_DIR: "/nonexistent/never-opened" });
      expect(await served.exited).toBe(2);
      expect(served.log()).toContain(
        `${rules}:4:36: rule 'burst': condition: within: a positive duration`,
      );
      const off = serve({
        LATCH_ALERTS: rules,
        LATCH_DECISIONS: "off",
        LATCH_DATA_DIR: "/nonexistent/never-opened",
      });
      expect(await off.exited).toBe(2);
      expect(off.log()).toContain(
        "alert rules read the decision log, which LATCH_DECISIONS turns off",
      );
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
  });
});

describe("latch serve on a data directory", () => {
  it("refuses a second server (and latch migrate) on a directory in use, naming the process, and loses nothing", async () => {
    const dataDir = await dataDirectory();
    const first = serve({ LATCH_DATA_DIR: dataDir });
    const port = await httpPortOf(first);
    await makeOwner(port, "first");
    const holder = await lockHolder(dataDir);
    expect(holder?.pid).toBe(first.process.pid);

    const second = serve({ LATCH_DATA_DIR: dataDir });
    expect(await second.exited).toBe(1);
    expect(second.log()).toContain(
      `latch serve: the embedded database in ${dataDir} is in use by process ${first.process.pid} (latch serve, since ${holder?.since}): stop it first, or use another data directory\n`,
    );
    // Refused at once: it never opened the database.
    expect(second.log()).not.toContain("opening the embedded database");
    expect(await runLatch(["migrate", "--data-dir", dataDir], {}, { env: {} })).toMatchObject({
      exitCode: 1,
      stdout: "",
      stderr: `latch migrate: the embedded database in ${dataDir} is in use by process ${first.process.pid} (latch serve, since ${holder?.since}): stop it first, or use another data directory\n`,
    });
    expect(await ownerCanManage(port, "first")).toBe("CHECK_RESULT_ALLOWED");

    first.process.kill("SIGTERM");
    expect(await first.exited).toBe(0);
    expect(await lockHolder(dataDir)).toBeUndefined();
    const third = serve({ LATCH_DATA_DIR: dataDir });
    expect(await ownerCanManage(await httpPortOf(third), "first")).toBe("CHECK_RESULT_ALLOWED");
  }, 300_000);

  it("takes over the lock of a server killed with SIGKILL, whose acknowledged writes are kept", async () => {
    const dataDir = await dataDirectory();
    const killed = serve({ LATCH_DATA_DIR: dataDir });
    await makeOwner(await httpPortOf(killed), "killed");
    killed.process.kill("SIGKILL");
    await killed.exited;
    expect((await lockHolder(dataDir))?.pid).toBe(killed.process.pid);

    const next = serve({ LATCH_DATA_DIR: dataDir });
    const port = await httpPortOf(next);
    expect((await lockHolder(dataDir))?.pid).toBe(next.process.pid);
    expect(await ownerCanManage(port, "killed")).toBe("CHECK_RESULT_ALLOWED");
  }, 300_000);
});

describe("latch serve with a port taken", () => {
  it("exits at once when the gRPC port is taken, saying which and what sets it", async () => {
    const taken = await freePort();
    await hold(taken);
    const dataDir = await dataDirectory();
    const served = serve({ LATCH_DATA_DIR: dataDir, LATCH_GRPC_PORT: String(taken) });
    expect(await served.exited).toBe(1);
    expect(served.log()).toContain(
      `latch serve: gRPC port ${taken} on 127.0.0.1 is in use (set LATCH_GRPC_PORT)\n`,
    );
    expect(served.log()).not.toContain("opening the embedded database");
    expect(await lockHolder(dataDir)).toBeUndefined();
  }, 300_000);

  it("stops everything it started when the HTTP port is taken while it starts, releasing the directory", async () => {
    const dataDir = await dataDirectory();
    const grpcPort = await freePort();
    const httpPort = await freePort();
    const served = serve({
      LATCH_DATA_DIR: dataDir,
      LATCH_GRPC_PORT: String(grpcPort),
      LATCH_HTTP_PORT: String(httpPort),
      // A Redis client reconnects forever: the process exits only if it was closed.
      REDIS_URL: "redis://127.0.0.1:6379",
    });
    // Taken after the check at start-up, while the database opens.
    await logged(served, /opening the embedded database/);
    await hold(httpPort);
    expect(await served.exited).toBe(1);
    expect(served.log()).toContain(
      `latch serve: HTTP port ${httpPort} on 127.0.0.1 is in use (set LATCH_HTTP_PORT)\n`,
    );
    expect(await lockHolder(dataDir)).toBeUndefined();
    // The gRPC port it had opened is free again, and the directory can be served.
    await hold(grpcPort);
    const next = serve({ LATCH_DATA_DIR: dataDir });
    expect(await httpPortOf(next)).toBeGreaterThan(0);
  }, 300_000);
});
