// Benchmark: in-process Check over the memory store (no result cache) against SpiceDB embedded, on one
// generated dataset (documents in a folder tree five deep, nested groups three deep, 10,000 users,
// about 100,000 relationships) and one check sequence. SpiceDB is timed both ways it reads:
// fully_consistent, whose answers Latch's must equal, and minimize_latency (its default), whose
// cached snapshot may miss the last writes right after loading. Prints checks/s, p50, p99, ratios.
// Then the engine's CPU per check answered from the in-process cache, plain and on behalf of the
// user by one and two agents, with ratios to the plain check.
//   npm run bench:engine [-- --json] [-- --checks N]

import { createLocalDispatcher } from "../../src/dispatch/local-dispatcher.js";
import { createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { type OracleConsistency, startSpiceDbOracle } from "../oracle/spicedb-oracle.js";
import { generateDataset, SCHEMA, seededRandom } from "./engine-dataset.js";
import { type HotRow, measureHotChains } from "./engine-hot-chains.js";

type Check = (document: string, user: string) => Promise<boolean>;

interface Measured {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly allowed: number;
  /** Each check's answer, in the sequence's order. */
  readonly answers: readonly boolean[];
}

/** WARM_UP is how many checks run, untimed, before each measured sequence. */
const WARM_UP = 20;

async function measure(checks: readonly [string, string][], run: Check): Promise<Measured> {
  for (const [document, user] of checks.slice(0, WARM_UP)) await run(document, user);
  const latencies: number[] = [];
  const answers: boolean[] = [];
  const start = process.hrtime.bigint();
  for (const [document, user] of checks) {
    const t = process.hrtime.bigint();
    answers.push(await run(document, user));
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  const allowed = answers.filter(Boolean).length;
  return { perSecond: checks.length / seconds, p50: at(0.5), p99: at(0.99), allowed, answers };
}

/** differing returns the indexes of the checks whose answers differ. */
function differing(a: Measured, b: Measured): number[] {
  return a.answers.flatMap((answer, index) => (answer === b.answers[index] ? [] : [index]));
}

/** measureSpiceDb loads a new embedded SpiceDB and times the sequence read at consistency. */
async function measureSpiceDb(consistency: OracleConsistency): Promise<Measured> {
  const started = await startSpiceDbOracle(SCHEMA, relationships);
  try {
    const oracle = started.reading(consistency);
    return await measure(checks, async (document, user) => {
      const result = await oracle.check({ type: "document", id: document }, "view", {
        type: "user",
        id: user,
      });
      return result.kind === "allowed";
    });
  } finally {
    await started.close();
  }
}

const args = process.argv.slice(2);
const json = args.includes("--json");
const count = Number(args[args.indexOf("--checks") + 1] ?? 0) || 2_000;

const random = seededRandom(42);
const { relationships, documents, users } = generateDataset(random);
const checks: [string, string][] = Array.from({ length: count }, () => [
  `d${Math.floor(random() * documents)}`,
  `u${Math.floor(random() * users)}`,
]);

const loaded = loadSchema(SCHEMA);
if (!loaded.ok) throw new Error(loaded.diagnostics.map((d) => d.message).join("\n"));
const store = createMemoryStore({ maxUpdatesPerWrite: 1_000 });
for (let i = 0; i < relationships.length; i += 1_000) {
  await store.write(
    relationships.slice(i, i + 1_000).map((relationship) => ({ operation: "touch", relationship })),
  );
}
const engine = createCheckEngine({ schema: loaded.schema, dispatcher: createLocalDispatcher() });
const revision = await store.headRevision();
const latch = await measure(checks, async (document, user) => {
  const reader = store.snapshot(revision, new Date());
  const result = await engine.check(reader, {
    resource: { type: "document", id: document },
    permission: "view",
    subject: { type: "user", id: user },
  });
  return result.result === "allowed";
});

// Each mode on a SpiceDB of its own, loaded just before: neither run finds the other's cache.
const consistent = await measureSpiceDb("fully_consistent");
const minimizeLatency = await measureSpiceDb("minimize_latency");

const wrong = differing(latch, consistent);
if (wrong.length > 0) {
  const examples = wrong
    .slice(0, 5)
    .map(
      (i) => `document:${checks[i]?.[0]}#view@user:${checks[i]?.[1]}: Latch ${latch.answers[i]}`,
    );
  console.error(
    `answers differ from SpiceDB fully_consistent on ${wrong.length} checks, e.g.\n  ${examples.join("\n  ")}`,
  );
  process.exitCode = 1;
}
const stale = differing(minimizeLatency, consistent).length;

const hot = await measureHotChains(relationships, checks);
// Each user's agents hold what the user holds: on its behalf, exactly as much is allowed.
const unlike = hot.filter((row) => row.allowed !== latch.allowed);
if (unlike.length > 0) {
  console.error(
    `hot checks allow other than the user's own ${latch.allowed}: ${unlike.map((r) => `${r.name} ${r.allowed}`).join(", ")}`,
  );
  process.exitCode = 1;
}
/** The plain check the others are compared with: with its suspension leg, as a server runs it. */
const plainHot = hot[1]!;
const hotRatio = (row: HotRow) => row.cpuMicros / plainHot.cpuMicros;

if (json) {
  const numbers = ({ perSecond, p50, p99, allowed }: Measured) => ({
    perSecond,
    p50,
    p99,
    allowed,
  });
  console.log(
    JSON.stringify({
      relationships: relationships.length,
      checks: count,
      latch: numbers(latch),
      spicedb_fully_consistent: numbers(consistent),
      spicedb_minimize_latency: numbers(minimizeLatency),
      throughput_ratio_fully_consistent: latch.perSecond / consistent.perSecond,
      throughput_ratio_minimize_latency: latch.perSecond / minimizeLatency.perSecond,
      answers_differing: wrong.length,
      minimize_latency_answers_differing: stale,
      hot_from_cache: hot.map((row) => ({ ...row, ratio_to_plain: hotRatio(row) })),
    }),
  );
} else {
  console.log(
    `${relationships.length} relationships, ${documents} documents, ${users} users; ${count} checks (same sequence), one at a time\n`,
  );
  console.log(
    "| engine | checks/s | p50 ms | p99 ms | allowed | × SpiceDB fully_consistent | × SpiceDB minimize_latency |",
  );
  console.log("|---|---:|---:|---:|---:|---:|---:|");
  for (const [name, m] of [
    ["SpiceDB embedded, fully_consistent", consistent],
    ["SpiceDB embedded, minimize_latency", minimizeLatency],
    ["Latch, memory store, no cache", latch],
  ] as const) {
    console.log(
      `| ${name} | ${m.perSecond.toFixed(0)} | ${m.p50.toFixed(3)} | ${m.p99.toFixed(3)} | ${m.allowed} | ${(m.perSecond / consistent.perSecond).toFixed(1)} | ${(m.perSecond / minimizeLatency.perSecond).toFixed(1)} |`,
    );
  }
  console.log(
    `\nLatch's answers ${wrong.length === 0 ? "equal" : `differ on ${wrong.length} checks from`} SpiceDB's at fully_consistent; at minimize_latency, ${stale} of SpiceDB's answers differ from its own fully consistent ones (its snapshot may lag the last writes).`,
  );
  console.log(
    `\nFrom the in-process cache (answerAtOnce, the server's hot path), the same ${count} checks, engine CPU per check (median of rounds):\n`,
  );
  console.log("| check | µs CPU | × plain | allowed |");
  console.log("|---|---:|---:|---:|");
  for (const row of hot) {
    console.log(
      `| ${row.name} | ${row.cpuMicros.toFixed(2)} | ${hotRatio(row).toFixed(2)} | ${row.allowed} |`,
    );
  }
}
