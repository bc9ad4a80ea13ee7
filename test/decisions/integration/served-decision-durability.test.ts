// What `latch serve` keeps of the decisions it answered when it goes away under load: SIGTERM in
// async mode writes the record of every answer it gave (on Postgres and on the embedded store);
// kill -9 in sync mode loses the record of no answer received, each committed before its answer.

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it } from "vitest";
import { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../../src/store/postgres/sql-store.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
} from "../../store/postgres/test-database.js";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";
import { waitFor } from "../../support/wait-for.js";
import { startLoad, writeLoadData } from "./decision-load.js";

const PATIENCE_MS = 60_000;
/**
 * Enough callers that calls are in flight at the signal and async records wait in the queue (on
 * the embedded store, slower, the queue is often written while the calls in flight finish).
 */
const CALLERS = 16;
/** Answers received before the signal. */
const BEFORE_SIGNAL = 500;

const postgres = await findPostgres();
requirePostgresOnCi(postgres);

const cleanups: (() => Promise<void>)[] = [];
afterAll(async () => {
  for (const cleanup of cleanups.reverse()) await cleanup();
});

/** Database is where a served Latch keeps its data, and how to open it again after it exited. */
interface Database {
  readonly env: Record<string, string>;
  open(): Promise<SqlBackedStore>;
}

const onPostgres =
  postgres.url === undefined
    ? undefined
    : async (): Promise<Database> => {
        const database = await createTestDatabase(postgres.url!);
        cleanups.push(() => database.drop());
        return {
          env: { DATABASE_URL: database.url },
          open: () => createPostgresStore({ connectionString: database.url }),
        };
      };

const embedded = async (): Promise<Database> => {
  const dataDir = await mkdtemp(join(tmpdir(), "latch-served-decisions-"));
  cleanups.push(() => rm(dataDir, { recursive: true, force: true }));
  return {
    env: { LATCH_DATA_DIR: dataDir },
    open: () => createPgliteStore({ dataDir }),
  };
};

/**
 * answerUntil serves database in the given decision mode, drives the load at it, sends signal
 * once BEFORE_SIGNAL answers have come (with calls in flight), and returns once the callers have
 * stopped and the server has exited: the decision ids of every answer received, and the server.
 */
async function answerUntil(
  database: Database,
  mode: "async" | "sync",
  signal: NodeJS.Signals,
): Promise<{ answered: string[]; served: ServedLatch }> {
  const served = serveLatch({ ...database.env, LATCH_DECISIONS: mode });
  const gone = () => served.process.exitCode !== null || served.process.signalCode !== null;
  cleanups.push(async () => {
    served.process.kill("SIGKILL");
    await served.exited;
  });
  const { grpcPort } = await servingPorts(served);
  await writeLoadData(grpcPort);
  const load = startLoad(grpcPort, CALLERS);
  cleanups.push(async () => load.stop());
  await waitFor(
    `${BEFORE_SIGNAL} answers`,
    () => {
      const failure = load.failure();
      if (failure !== undefined) throw failure;
      return load.answered.size >= BEFORE_SIGNAL;
    },
    PATIENCE_MS,
  );
  load.expectEnd();
  served.process.kill(signal);
  await waitFor(`latch serve to exit on ${signal}`, gone, PATIENCE_MS);
  await waitFor("the callers to stop", () => load.callers() === 0, PATIENCE_MS);
  // A call that failed between the threshold and the signal is the server's fault all the same.
  expect(load.failure()).toBeUndefined();
  expect(served.log()).not.toContain("internal error");
  return { answered: [...load.answered], served };
}

/**
 * missingFrom opens the database again and returns the answered ids it holds no record of; the
 * log's chain must verify whole, however the server ended.
 */
async function missingFrom(database: Database, answered: readonly string[]): Promise<string[]> {
  const store = await database.open();
  try {
    const rows = await store.database.query(
      "SELECT decision_id::text AS id FROM latch_decisions WHERE decision_id = ANY($1::uuid[])",
      [answered],
    );
    const kept = new Set(rows.map((row) => String(row.id)));
    const log = await SqlDecisionLog.open(
      store.database,
      { mode: "off", retentionMs: 86_400_000, redactKeys: [] },
      { countDecisions: () => {}, log: () => {} },
    );
    const report = await log.verify();
    await log.close(0);
    expect(report.problem).toBeUndefined();
    expect(report.records).toBeGreaterThanOrEqual(kept.size);
    return answered.filter((id) => !kept.has(id));
  } finally {
    await store.close();
  }
}

const SIGTERM_CASES = [
  { name: "Postgres", make: onPostgres },
  { name: "the embedded store", make: embedded },
];

describe.each(SIGTERM_CASES)("latch serve on $name, decisions async", ({ make }) => {
  it.skipIf(make === undefined)(
    "writes the record of every answer it gave when SIGTERM stops it under load",
    async () => {
      const database = await make!();
      const { answered, served } = await answerUntil(database, "async", "SIGTERM");
      expect(await served.exited).toBe(0);
      expect(served.log()).toContain("stopped");
      expect(served.log()).not.toContain("could not be written");
      expect(await missingFrom(database, answered)).toEqual([]);
    },
    PATIENCE_MS * 3,
  );
});

describe("latch serve on Postgres, decisions sync", () => {
  it.skipIf(onPostgres === undefined)(
    "loses the record of no answer received when kill -9 stops it under load",
    async () => {
      const database = await onPostgres!();
      const { answered, served } = await answerUntil(database, "sync", "SIGKILL");
      expect(served.process.signalCode).toBe("SIGKILL");
      expect(await missingFrom(database, answered)).toEqual([]);
    },
    PATIENCE_MS * 3,
  );
});
