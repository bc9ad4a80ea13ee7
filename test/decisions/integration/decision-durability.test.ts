// What the decision log keeps when its process or its database goes away: SIGTERM under load in
// async mode writes every record first; kill -9 in sync mode loses no acknowledged record; a
// Postgres server that crashes and restarts mid-run delays sync records, loses none, and the
// writer goes on by itself.

import { type ChildProcess, spawn } from "node:child_process";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, describe, expect, it } from "vitest";
import { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import {
  findPostgresBinaries,
  type PrivatePostgres,
  startPrivatePostgres,
} from "../../support/private-postgres.js";
import { waitFor } from "../../support/wait-for.js";
import { makeDecision } from "../decision-fixtures.js";

const CHILD = fileURLToPath(new URL("./decision-writer-child.ts", import.meta.url));
const PATIENCE_MS = 60_000;

const postgres = await findPostgres();
requirePostgresOnCi(postgres);
const binaries = findPostgresBinaries();
if (binaries.bin === undefined) requirePostgresOnCi({ reason: binaries.reason });

/** Where a child writes: a Postgres database, or a PGlite directory. */
interface Target {
  readonly env: Record<string, string>;
  /** open opens the same database again, in this process, once the child is gone. */
  open(): Promise<SqlBackedStore>;
}

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

const TARGETS: readonly { name: string; make: (() => Promise<Target>) | undefined }[] = [
  {
    name: "PGlite",
    make: async () => {
      const dir = await mkdtemp(join(tmpdir(), "latch-decisions-"));
      cleanups.push(() => rm(dir, { recursive: true, force: true }));
      return {
        env: { DECISIONS_DATA_DIR: dir },
        open: () => createPgliteStore({ dataDir: dir }),
      };
    },
  },
  {
    name: "Postgres",
    make:
      postgres.url === undefined
        ? undefined
        : async () => {
            const database: TestDatabase = await createTestDatabase(postgres.url!);
            cleanups.push(() => database.drop());
            return {
              env: { DECISIONS_DATABASE_URL: database.url },
              open: () => createPostgresStore({ connectionString: database.url }),
            };
          },
  },
];

/** Child is a running decision-writer-child, its stdout lines kept as they come. */
interface Child {
  readonly lines: string[];
  readonly exited: Promise<number | null>;
  readonly process: ChildProcess;
}

function startChild(env: Record<string, string>, mode: "async" | "sync"): Child {
  const child = spawn(process.execPath, ["--import", "tsx", CHILD], {
    env: { ...process.env, ...env, DECISIONS_MODE: mode },
    stdio: ["ignore", "pipe", "inherit"],
  });
  const lines: string[] = [];
  let partial = "";
  child.stdout?.setEncoding("utf8").on("data", (chunk: string) => {
    const parts = (partial + chunk).split("\n");
    partial = parts.pop() ?? "";
    lines.push(...parts);
  });
  const exited = new Promise<number | null>((resolve) =>
    child.once("exit", (code) => resolve(code)),
  );
  cleanups.push(async () => {
    child.kill("SIGKILL");
    await exited;
  });
  return { lines, exited, process: child };
}

/** decisionIds reads every decision id the database holds. */
async function decisionIds(store: SqlBackedStore): Promise<Set<string>> {
  const rows = await store.database.query("SELECT decision_id::text AS id FROM latch_decisions");
  return new Set(rows.map((row) => String(row.id)));
}

describe.each(TARGETS)("the decision log's durability on $name", ({ make }) => {
  it.skipIf(make === undefined)(
    "writes every record of an async run on SIGTERM",
    async () => {
      const target = await make!();
      const child = startChild(target.env, "async");
      const recorded = () =>
        Math.max(0, ...child.lines.map((l) => Number(/^recorded (\d+)$/.exec(l)?.[1] ?? 0)));
      await waitFor("the child to record 5,000", () => recorded() >= 5000, PATIENCE_MS);
      child.process.kill("SIGTERM");
      expect(await child.exited).toBe(0);
      const final = Number(/^final (\d+)$/.exec(child.lines[child.lines.length - 1] ?? "")?.[1]);
      expect(final).toBeGreaterThanOrEqual(5000);
      const store = await target.open();
      try {
        expect((await decisionIds(store)).size).toBe(final);
      } finally {
        await store.close();
      }
    },
    PATIENCE_MS * 2,
  );

  it.skipIf(make === undefined)(
    "loses no acknowledged record of a sync run on kill -9",
    async () => {
      const target = await make!();
      const child = startChild(target.env, "sync");
      const acked = () => child.lines.filter((l) => l.startsWith("acked "));
      await waitFor(
        "the child to have 300 records acknowledged",
        () => acked().length >= 300,
        PATIENCE_MS,
      );
      child.process.kill("SIGKILL");
      await child.exited;
      const store = await target.open();
      try {
        const kept = await decisionIds(store);
        const lost = acked()
          .map((l) => l.slice("acked ".length))
          .filter((id) => !kept.has(id));
        expect(lost).toEqual([]);
      } finally {
        await store.close();
      }
    },
    PATIENCE_MS * 2,
  );
});

describe("the decision log across a Postgres restart", () => {
  const bin = binaries.bin;
  let server: PrivatePostgres | undefined;
  afterAll(async () => {
    await server?.destroy();
  });

  it.skipIf(bin === undefined)(
    "delays sync records while Postgres is down, loses none acknowledged, and goes on after",
    async () => {
      server = await startPrivatePostgres(bin!);
      const store = await createPostgresStore({ connectionString: server.url });
      const lines: string[] = [];
      const log = await SqlDecisionLog.open(
        store.database,
        { mode: "sync", retentionMs: 86_400_000, redactKeys: [] },
        { countDecisions: () => {}, log: (line) => lines.push(line) },
      );
      const acked: string[] = [];
      let stopped = false;
      const workers = Array.from({ length: 8 }, async () => {
        while (!stopped) {
          const decision = makeDecision();
          await log.record(decision);
          acked.push(decision.decisionId);
        }
      });
      await waitFor("records before the crash", () => acked.length >= 200, PATIENCE_MS);
      await server.crash();
      const atCrash = acked.length;
      await waitFor(
        "the writer to meet the outage",
        () => lines.some((l) => l.includes("cannot write")),
        PATIENCE_MS,
      );
      await server.start();
      await waitFor("records after the restart", () => acked.length >= atCrash + 200, PATIENCE_MS);
      stopped = true;
      await Promise.all(workers);
      const kept = await decisionIds(store);
      expect(acked.filter((id) => !kept.has(id))).toEqual([]);
      expect(lines.some((l) => l.startsWith("decision log: writing again after"))).toBe(true);
      const report = await log.verify();
      expect(report.problem).toBeUndefined();
      expect(report.records).toBe(kept.size);
      await log.close(5000);
      await store.close();
    },
    PATIENCE_MS * 3,
  );
});
