// A process that records decisions without pause until stopped, for the durability tests: what it
// says it recorded (async) or what the log acknowledged (sync), a line each, on stdout.
//
// Environment: DECISIONS_DATABASE_URL (Postgres) or DECISIONS_DATA_DIR (PGlite), DECISIONS_MODE.
// Lines: `ready`, then `recorded N` every 500 records (async) or `acked ID` per commit (sync);
// on SIGTERM it stops recording, closes the log (writing what is queued), then `final N`.

import type { DecisionMode } from "../../../src/decisions/decision-log.js";
import { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../../src/store/postgres/postgres-store.js";
import { makeDecision } from "../decision-fixtures.js";

const SYNC_WORKERS = 16;

const url = process.env.DECISIONS_DATABASE_URL;
const store =
  url === undefined
    ? await createPgliteStore({ dataDir: process.env.DECISIONS_DATA_DIR ?? "" })
    : await createPostgresStore({ connectionString: url });
const mode = (process.env.DECISIONS_MODE ?? "async") as Exclude<DecisionMode, "off">;
const log = await SqlDecisionLog.open(
  store.database,
  { mode, retentionMs: 86_400_000, redactKeys: [] },
  { countDecisions: () => {}, log: (line) => process.stderr.write(`${line}\n`) },
);
let stopped = false;
let recorded = 0;
const stopping = new Promise<void>((resolve) => process.once("SIGTERM", () => resolve()));
stopping.then(() => {
  stopped = true;
});
process.stdout.write("ready\n");

if (mode === "async") {
  while (!stopped) {
    for (let i = 0; i < 100; i++) log.record(makeDecision());
    recorded += 100;
    if (recorded % 500 === 0) process.stdout.write(`recorded ${recorded}\n`);
    await new Promise((resolve) => setImmediate(resolve));
  }
} else {
  await Promise.all(
    Array.from({ length: SYNC_WORKERS }, async () => {
      while (!stopped) {
        const decision = makeDecision();
        await log.record(decision);
        recorded++;
        process.stdout.write(`acked ${decision.decisionId}\n`);
      }
    }),
  );
}
await stopping;
await log.close(10_000);
await store.close();
process.stdout.write(`final ${recorded}\n`);
