// Benchmark: the SQL store on Postgres (a fresh database, dropped after) and PGlite: bulk import rate
// (into the empty store, then again over it), point-read p50 (the floor), and Check with no cache on the engine benchmark's dataset, with SQL
// round trips per Check, writes of one create, and writes of one touch (new, then unchanged). Prints a table, or JSON with --json.
//   npm run bench:store [-- --json] [-- --checks N]

import { PGlite } from "@electric-sql/pglite";
import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import type { Revision } from "../../src/revision/revision.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { importRelationships } from "../../src/store/postgres/bulk-import.js";
import { createPgExecutor } from "../../src/store/postgres/pg-executor.js";
import { createPgliteExecutor } from "../../src/store/postgres/pglite-executor.js";
import type { SqlExecutor } from "../../src/store/postgres/sql-executor.js";
import { createSqlStore } from "../../src/store/postgres/sql-store.js";
import type { Store } from "../../src/store/store.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
} from "../store/postgres/test-database.js";
import { generateDataset, SCHEMA, seededRandom } from "./engine-dataset.js";

interface Latencies {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
}

interface StoreResult {
  readonly store: string;
  readonly importPerSecond: number;
  /** The same relationships imported again into the loaded store: each replaces a live one. */
  readonly reimportPerSecond: number;
  readonly pointRead: Latencies;
  readonly check: Latencies & { readonly allowed: number; readonly roundTrips: number };
  /** Writes of one create each, of a new relationship. */
  readonly create: Latencies;
  /** Writes of one touch each: of a new relationship, then of the same again (no change). */
  readonly touch: { readonly added: Latencies; readonly unchanged: Latencies };
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const checkCount = Number(args[args.indexOf("--checks") + 1] ?? 0) || 500;
const READS = 2_000;
const TOUCHES = 500;

const random = seededRandom(42);
const { relationships, documents, users } = generateDataset(random);
const checks: [string, string][] = Array.from({ length: checkCount }, () => [
  `d${Math.floor(random() * documents)}`,
  `u${Math.floor(random() * users)}`,
]);
const reads = Array.from({ length: READS }, () => `d${Math.floor(random() * documents)}`);
const loaded = loadSchema(SCHEMA);
if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
const engine = createCheckEngine({ schema: loaded.schema, dispatcher: createLocalDispatcher() });

async function timed<T>(
  items: readonly T[],
  run: (item: T) => Promise<unknown>,
): Promise<Latencies> {
  const latencies: number[] = [];
  const start = process.hrtime.bigint();
  for (const item of items) {
    const t = process.hrtime.bigint();
    await run(item);
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: items.length / seconds, p50: at(0.5), p99: at(0.99) };
}

function checker(store: Store, at: Revision): (check: [string, string]) => Promise<boolean> {
  return async ([document, user]) => {
    const result = await engine.check(store.snapshot(at, new Date()), {
      resource: { type: "document", id: document },
      permission: "view",
      subject: { type: "user", id: user },
    });
    return result.result === "allowed";
  };
}

/** benchStore measures one database behind executor; the caller closes the executor. */
async function benchStore(name: string, executor: SqlExecutor): Promise<StoreResult> {
  let queries = 0;
  const counting: SqlExecutor = {
    ...executor,
    query: (sql, params) => {
      queries++;
      return executor.query(sql, params);
    },
    close: async () => {},
  };
  const store = await createSqlStore(counting);
  try {
    const started = process.hrtime.bigint();
    const { revision: at, imported } = await importRelationships(executor, relationships);
    const importSeconds = Number(process.hrtime.bigint() - started) / 1e9;
    const read = (id: string) =>
      store
        .snapshot(at, new Date())
        .query({ resourceType: "document", resourceIds: [id], relation: "viewer" });
    await timed(reads.slice(0, 50), read);
    const pointRead = await timed(reads, read);
    const check = checker(store, at);
    await timed(checks.slice(0, 20), check);
    let allowed = 0;
    const before = queries;
    const checked = await timed(checks, async (c) => {
      if (await check(c)) allowed++;
    });
    const roundTrips = (queries - before) / checks.length;
    const written = (name: string) =>
      Array.from({ length: TOUCHES }, (_, i) => ({
        resource: { type: "document", id: `${name}${i}` },
        relation: "viewer",
        subject: { type: "user", id: `u${i}` },
      }));
    const created = await timed(written("created"), (relationship) =>
      store.write([{ operation: "create", relationship }]),
    );
    const touched = written("touched");
    const touch = (relationship: (typeof touched)[number]) =>
      store.write([{ operation: "touch", relationship }]);
    const added = await timed(touched, touch);
    const unchanged = await timed(touched, touch);
    const again = process.hrtime.bigint();
    await importRelationships(executor, relationships);
    const reimportSeconds = Number(process.hrtime.bigint() - again) / 1e9;
    return {
      store: name,
      importPerSecond: imported / importSeconds,
      reimportPerSecond: imported / reimportSeconds,
      pointRead,
      check: { ...checked, allowed, roundTrips },
      create: created,
      touch: { added, unchanged },
    };
  } finally {
    await store.close();
  }
}

/** memoryAllowed is how many checks the memory store allows: the answer both SQL stores must give. */
async function memoryAllowed(): Promise<number> {
  const store = createMemoryStore({ maxUpdatesPerWrite: 1_000 });
  for (let i = 0; i < relationships.length; i += 1_000) {
    await store.write(
      relationships
        .slice(i, i + 1_000)
        .map((relationship) => ({ operation: "touch", relationship })),
    );
  }
  const check = checker(store, await store.headRevision());
  let allowed = 0;
  for (const c of checks) if (await check(c)) allowed++;
  return allowed;
}

const results: StoreResult[] = [];
const server = await findPostgres();
requirePostgresOnCi(server);
if (server.url === undefined) {
  console.warn(`skipping Postgres: ${server.reason}`);
} else {
  const database = await createTestDatabase(server.url);
  const executor = createPgExecutor({ connectionString: database.url, max: 4 });
  try {
    results.push(await benchStore("Postgres", executor));
  } finally {
    await executor.close();
    await database.drop();
  }
}
const lite = await PGlite.create();
try {
  results.push(await benchStore("PGlite (in memory)", createPgliteExecutor(lite)));
} finally {
  await lite.close();
}
const expected = await memoryAllowed();
for (const r of results) {
  if (r.check.allowed !== expected) {
    console.error(`${r.store} allowed ${r.check.allowed}, the memory store ${expected}`);
    process.exitCode = 1;
  }
}

if (json) {
  console.log(
    JSON.stringify({
      relationships: relationships.length,
      checks: checkCount,
      reads: READS,
      results: results.map((r) => ({
        ...r,
        check_p50_over_point_read_p50: r.check.p50 / r.pointRead.p50,
      })),
    }),
  );
} else {
  console.log(
    `${relationships.length} relationships imported in one transaction (then again, replacing them all); ${READS} point reads; ${checkCount} checks (engine-bench sequence), one at a time, no cache; ${TOUCHES} writes of one create each, of new relationships; ${TOUCHES} writes of one touch each, of new relationships, then the same again (no change)\n`,
  );
  console.log(
    "| store | import rows/s | re-import rows/s | point read p50 ms (floor) | checks/s | Check p50 ms | Check p99 ms | Check p50 × floor | SQL round trips / Check | allowed | create p50 × floor | touch new p50 × floor | touch unchanged p50 × floor |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|");
  for (const r of results) {
    const c = r.check;
    console.log(
      `| ${r.store} | ${r.importPerSecond.toFixed(0)} | ${r.reimportPerSecond.toFixed(0)} | ${r.pointRead.p50.toFixed(3)} | ${c.perSecond.toFixed(0)} | ${c.p50.toFixed(3)} | ${c.p99.toFixed(3)} | ${(c.p50 / r.pointRead.p50).toFixed(1)} | ${c.roundTrips.toFixed(2)} | ${c.allowed} | ${(r.create.p50 / r.pointRead.p50).toFixed(1)} | ${(r.touch.added.p50 / r.pointRead.p50).toFixed(1)} | ${(r.touch.unchanged.p50 / r.pointRead.p50).toFixed(1)} |`,
    );
  }
}
