// Benchmark: a schema write over a loaded SQL store (Postgres and PGlite), and how long relationship
// writes made meanwhile wait for it. Prints a table, or JSON with --json.
//   npm run bench:schema-write [-- --json] [-- --relationships N] [-- --no-postgres]

import { SchemaConflictError } from "../../src/api/api-error.js";
import { storeFitCheck } from "../../src/api/schema-fit.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createPgliteStore } from "../../src/store/postgres/pglite-store.js";
import { createPostgresStore } from "../../src/store/postgres/postgres-store.js";
import type { Store } from "../../src/store/store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import {
  createTestDatabase,
  findPostgres,
  requirePostgresOnCi,
} from "../store/postgres/test-database.js";

const args = process.argv.slice(2);
const json = args.includes("--json");
const count = Number(args[args.indexOf("--relationships") + 1] ?? 0) || 300_000;
/** Schema writes timed per case; the table shows the median. */
const ROUNDS = 5;

const BASE = `definition user {}

definition group {
  relation member: user
}

definition document {
  relation owner: user
  relation viewer: user | group#member
  permission view = viewer + owner
}
`;

/**
 * The schema writes timed, each from BASE and back: what each changes, and its text (none: the
 * relationship writes alone, for comparison).
 */
const CASES: readonly { readonly name: string; readonly text?: string }[] = [
  { name: "none (relationship writes alone)" },
  {
    name: "adds a relation (nothing removable)",
    text: BASE.replace("permission", "relation editor: user\n  permission"),
  },
  { name: "drops an unused subject type", text: BASE.replace(" | group#member", "") },
  {
    name: "drops a used subject type (refused)",
    text: BASE.replace("viewer: user | group#member", "viewer: group#member"),
  },
];

function* dataset(): Generator<Relationship> {
  for (let i = 0; i < count; i++) {
    const user = { type: "user", id: `u${i % 5_000}` };
    yield i % 6 === 0
      ? { resource: { type: "group", id: `g${i}` }, relation: "member", subject: user }
      : { resource: { type: "document", id: `d${i}` }, relation: "viewer", subject: user };
  }
}

/** writeSchema writes text as SchemaService does, and says whether the store refused it. */
async function writeSchema(store: Store, text: string): Promise<"written" | "refused"> {
  const loaded = loadSchema(text);
  if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
  try {
    await store.writeSchema(text, storeFitCheck(loaded.schema));
    return "written";
  } catch (error) {
    if (error instanceof SchemaConflictError) return "refused";
    throw error;
  }
}

interface CaseResult {
  readonly store: string;
  readonly change: string;
  /** Whether the schema write was written or refused ("-" without one). */
  readonly outcome: string;
  /** Median schema write, in milliseconds. */
  readonly schemaWriteMs: number;
  /** Relationship writes made one after another while the schema writes ran: how many, and the longest. */
  readonly concurrentWrites: number;
  readonly concurrentWriteP50Ms: number;
  readonly concurrentWriteMaxMs: number;
  /**
   * The longest the event loop was blocked during a schema write (median over the rounds): PGlite
   * runs in process, on this thread, so a long statement stalls every request, not just writes.
   */
  readonly eventLoopBlockedMs: number;
}

const ms = (since: bigint) => Number(process.hrtime.bigint() - since) / 1e6;
const median = (values: readonly number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)]!;

/**
 * watchEventLoop runs a 1 ms timer until stopped; stop resolves with the longest gap between two
 * of its runs, beyond the 1 ms: how long the event loop was blocked at most.
 */
function watchEventLoop(): { stop(): Promise<number> } {
  let longest = 0;
  let last = process.hrtime.bigint();
  let running = true;
  const tick = () => {
    longest = Math.max(longest, ms(last) - 1);
    last = process.hrtime.bigint();
    if (running) setTimeout(tick, 1);
  };
  setTimeout(tick, 1);
  return {
    async stop() {
      running = false;
      // The timer due during the last block runs first, and counts it.
      await new Promise((resolve) => setTimeout(resolve, 1));
      return Math.max(0, longest);
    },
  };
}

async function benchStore(name: string, store: Store): Promise<CaseResult[]> {
  await writeSchema(store, BASE);
  console.error(`${name}: importing ${count} relationships`);
  const importing = process.hrtime.bigint();
  await store.importRelationships(dataset());
  console.error(`${name}: imported in ${(ms(importing) / 1000).toFixed(1)} s`);
  const results: CaseResult[] = [];
  let next = 0;
  for (const change of CASES) {
    console.error(`${name}: schema write that ${change.name}`);
    const schemaWrites: number[] = [];
    const writes: number[] = [];
    const blocked: number[] = [];
    let outcome = "-";
    for (let round = 0; round < ROUNDS; round++) {
      let writing = true;
      let written = 0;
      // Relationship writes, one after another, from just before the schema write until it ends
      // (with no schema write, five of them).
      const writer = (async () => {
        // A write is due when the one before it ends: PGlite in process runs each statement on
        // this thread, so the time it stalls the next write shows only counted from there.
        let due = process.hrtime.bigint();
        while (change.text === undefined ? written < 5 : writing) {
          await store.write([
            {
              operation: "touch",
              relationship: {
                resource: { type: "document", id: `w${next++}` },
                relation: "owner",
                subject: { type: "user", id: "u1" },
              },
            },
          ]);
          writes.push(ms(due));
          due = process.hrtime.bigint();
          written++;
          // PGlite in memory answers without I/O: yield, or the timers below would never run.
          await new Promise((resolve) => setImmediate(resolve));
        }
      })();
      if (change.text !== undefined) {
        await new Promise((resolve) => setTimeout(resolve, 5));
        const loop = watchEventLoop();
        const started = process.hrtime.bigint();
        outcome = await writeSchema(store, change.text);
        schemaWrites.push(ms(started));
        blocked.push(await loop.stop());
      }
      writing = false;
      await writer;
      await writeSchema(store, BASE);
    }
    results.push({
      store: name,
      change: change.name,
      outcome,
      schemaWriteMs: schemaWrites.length === 0 ? 0 : median(schemaWrites),
      concurrentWrites: writes.length,
      concurrentWriteP50Ms: median(writes),
      concurrentWriteMaxMs: Math.max(...writes),
      eventLoopBlockedMs: blocked.length === 0 ? 0 : median(blocked),
    });
  }
  return results;
}

const results: CaseResult[] = [];
const server = await findPostgres();
requirePostgresOnCi(server);
if (server.url === undefined || args.includes("--no-postgres")) {
  console.warn(`skipping Postgres: ${server.reason}`);
} else {
  const database = await createTestDatabase(server.url);
  const store = await createPostgresStore({ connectionString: database.url, maxConnections: 4 });
  try {
    results.push(...(await benchStore("Postgres", store)));
  } finally {
    await store.close();
    await database.drop();
  }
}
const lite = await createPgliteStore();
try {
  results.push(...(await benchStore("PGlite (in memory)", lite)));
} finally {
  await lite.close();
}

if (json) {
  console.log(JSON.stringify({ relationships: count, rounds: ROUNDS, results }));
} else {
  console.log(
    `${count} relationships; each schema write ${ROUNDS} times (median), with relationship writes made one after another meanwhile\n`,
  );
  console.log(
    "| store | schema change | outcome | schema write ms | event loop blocked ms | writes meanwhile | write p50 ms | write max ms |",
  );
  console.log("|---|---|---|---:|---:|---:|---:|---:|");
  for (const r of results) {
    console.log(
      `| ${r.store} | ${r.change} | ${r.outcome} | ${r.schemaWriteMs.toFixed(1)} | ${r.eventLoopBlockedMs.toFixed(1)} | ${r.concurrentWrites} | ${r.concurrentWriteP50Ms.toFixed(2)} | ${r.concurrentWriteMaxMs.toFixed(1)} |`,
    );
  }
}
