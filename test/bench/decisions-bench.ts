// Benchmark: the decision log's writer on Postgres (a fresh database, dropped after) and PGlite.
// 1. Sustained rate: decisions offered at a fixed rate for a while in async mode, then the log
//    closed; "lost" is what was offered less what the table holds (it must be 0), with the
//    writer's own drop count beside it.
// 2. The most the writer sustains: offered as fast as the queue takes them (the producer waits
//    while half a queue is waiting), written per second.
// 3. Sync mode: what `await log.record()` adds to a response, p50 and p99, by concurrent callers.
// Prints tables, or JSON with --json.
//   npm run bench:decisions [-- --json] [-- --seconds N]

import { setTimeout as delay } from "node:timers/promises";
import type { DecisionMode } from "../../src/decisions/decision-log.js";
import { MAX_QUEUE } from "../../src/decisions/decision-writer.js";
import { SqlDecisionLog } from "../../src/decisions/sql-decision-log.js";
import { createPgliteStore } from "../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { SqlBackedStore } from "../../src/store/postgres/sql-store.js";
import { makeDecision } from "../decisions/decision-fixtures.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
} from "../store/postgres/test-database.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const seconds = Number(args[args.indexOf("--seconds") + 1] ?? 0) || 10;
const RATES = [2_000, 10_000, 20_000];
const CONCURRENCY = [1, 16, 64];
const SYNC_RECORDS = 3_000;
/** The producer's tick: each offers rate × TICK_MS / 1000 decisions. */
const TICK_MS = 10;

interface RateRow {
  readonly store: string;
  readonly offeredPerSecond: number;
  readonly offered: number;
  readonly inTable: number;
  readonly lost: number;
  readonly droppedByWriter: number;
  readonly writtenPerSecond: number;
}

interface SyncRow {
  readonly store: string;
  readonly concurrency: number;
  readonly p50Ms: number;
  readonly p99Ms: number;
  readonly perSecond: number;
}

/** openLog opens a log on a fresh store, counting what the writer drops. */
async function openLog(store: SqlBackedStore, mode: Exclude<DecisionMode, "off">) {
  let dropped = 0;
  const log = await SqlDecisionLog.open(
    store.database,
    { mode, retentionMs: 86_400_000, redactKeys: [] },
    {
      countDecisions: (outcome, count) => {
        if (outcome === "dropped") dropped += count;
      },
      log: (line) => console.error(line),
    },
  );
  return { log, dropped: () => dropped };
}

async function count(store: SqlBackedStore): Promise<number> {
  const [row] = await store.database.query("SELECT count(*)::int AS n FROM latch_decisions");
  return Number(row?.n);
}

/**
 * offered runs the producer at rate (decisions/s; Infinity: as fast as the queue takes them) for
 * the benchmark's seconds, closes the log, and compares what the table holds.
 */
async function offered(name: string, open: () => Promise<SqlBackedStore>, rate: number) {
  const store = await open();
  try {
    const { log, dropped } = await openLog(store, "async");
    const before = await count(store);
    const started = performance.now();
    let sent = 0;
    while (performance.now() - started < seconds * 1000) {
      const due = Number.isFinite(rate)
        ? Math.floor(((performance.now() - started) / 1000) * rate) - sent
        : log.queued < MAX_QUEUE / 2
          ? 500
          : 0;
      for (let i = 0; i < due; i++) log.record(makeDecision());
      sent += Math.max(due, 0);
      await delay(TICK_MS);
    }
    await log.close(60_000);
    const elapsed = (performance.now() - started) / 1000;
    const inTable = (await count(store)) - before;
    return {
      store: name,
      offeredPerSecond: Number.isFinite(rate) ? rate : Math.round(sent / elapsed),
      offered: sent,
      inTable,
      lost: sent - inTable,
      droppedByWriter: dropped(),
      writtenPerSecond: Math.round(inTable / elapsed),
    } satisfies RateRow;
  } finally {
    await store.close();
  }
}

/** syncLatency measures `await record()` by callers at once, each recording in turn. */
async function syncLatency(name: string, open: () => Promise<SqlBackedStore>, callers: number) {
  const store = await open();
  try {
    const { log } = await openLog(store, "sync");
    const latencies: number[] = [];
    const each = Math.ceil(SYNC_RECORDS / callers);
    const started = performance.now();
    await Promise.all(
      Array.from({ length: callers }, async () => {
        for (let i = 0; i < each; i++) {
          const t = performance.now();
          await log.record(makeDecision());
          latencies.push(performance.now() - t);
        }
      }),
    );
    const elapsed = (performance.now() - started) / 1000;
    await log.close(10_000);
    latencies.sort((a, b) => a - b);
    const at = (q: number) =>
      latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
    return {
      store: name,
      concurrency: callers,
      p50Ms: at(0.5),
      p99Ms: at(0.99),
      perSecond: Math.round(latencies.length / elapsed),
    } satisfies SyncRow;
  } finally {
    await store.close();
  }
}

const server = await findPostgres();
requirePostgresOnCi(server);
const stores: [string, () => Promise<SqlBackedStore>][] = [];
const databases: { drop(): Promise<void> }[] = [];
if (server.url !== undefined) {
  const url = server.url;
  stores.push([
    "Postgres",
    async () => {
      const database = await createTestDatabase(url);
      databases.push(database);
      return createPostgresStore({ connectionString: database.url });
    },
  ]);
}
stores.push(["PGlite", () => createPgliteStore({})]);

const rates: RateRow[] = [];
const syncs: SyncRow[] = [];
try {
  for (const [name, open] of stores) {
    for (const rate of [...RATES, Number.POSITIVE_INFINITY]) {
      // PGlite, in process, is measured at its most only: it is not a store for this load.
      if (name === "PGlite" && Number.isFinite(rate)) continue;
      rates.push(await offered(name, open, rate));
    }
    for (const callers of CONCURRENCY) syncs.push(await syncLatency(name, open, callers));
  }
} finally {
  for (const database of databases) await database.drop();
}

if (json) {
  console.log(JSON.stringify({ seconds, rates, syncs }));
} else {
  console.log(
    `\nDecision log, async: offered for ${seconds} s, then closed (all queued written)\n`,
  );
  console.log(
    "| store | offered/s | offered | in table | lost | dropped by writer | written/s | written / offered |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of rates) {
    console.log(
      `| ${r.store} | ${r.offeredPerSecond.toLocaleString("en")} | ${r.offered.toLocaleString("en")} | ${r.inTable.toLocaleString("en")} | ${r.lost} | ${r.droppedByWriter} | ${r.writtenPerSecond.toLocaleString("en")} | ${(r.inTable / Math.max(1, r.offered)).toFixed(2)} |`,
    );
  }
  console.log(
    `\nDecision log, sync: the time \`await log.record()\` adds to a response (${SYNC_RECORDS.toLocaleString("en")} records)\n`,
  );
  console.log("| store | concurrent callers | added p50 ms | added p99 ms | records/s |");
  console.log("|---|---:|---:|---:|---:|");
  for (const s of syncs) {
    console.log(
      `| ${s.store} | ${s.concurrency} | ${s.p50Ms.toFixed(2)} | ${s.p99Ms.toFixed(2)} | ${s.perSecond.toLocaleString("en")} |`,
    );
  }
}
