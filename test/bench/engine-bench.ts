// Benchmark: in-process Check over the memory store (no result cache) against SpiceDB embedded, on one
// generated dataset (documents in a folder tree five deep, nested groups three deep, 10,000 users,
// about 100,000 relationships) and one check sequence. Prints checks/s, p50 and p99, and ratios.
//   npm run bench:engine [-- --json] [-- --checks N]

import { createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { startSpiceDbOracle } from "../oracle/spicedb-oracle.js";
import { generateDataset, SCHEMA, seededRandom } from "./engine-dataset.js";

interface Measured {
  readonly perSecond: number;
  readonly p50: number;
  readonly p99: number;
  readonly allowed: number;
}

async function measure(
  checks: readonly [string, string][],
  run: (document: string, user: string) => Promise<boolean>,
): Promise<Measured> {
  const latencies: number[] = [];
  let allowed = 0;
  const start = process.hrtime.bigint();
  for (const [document, user] of checks) {
    const t = process.hrtime.bigint();
    if (await run(document, user)) allowed++;
    latencies.push(Number(process.hrtime.bigint() - t) / 1e6);
  }
  const seconds = Number(process.hrtime.bigint() - start) / 1e9;
  latencies.sort((a, b) => a - b);
  const at = (q: number) =>
    latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))]!;
  return { perSecond: checks.length / seconds, p50: at(0.5), p99: at(0.99), allowed };
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
const engine = createCheckEngine({ schema: loaded.schema });
const revision = await store.headRevision();
const check = async (document: string, user: string) => {
  const reader = store.snapshot(revision, new Date());
  const result = await engine.check(reader, {
    resource: { type: "document", id: document },
    permission: "view",
    subject: { type: "user", id: user },
  });
  return result.result === "allowed";
};
await measure(checks.slice(0, 20), check);
const latch = await measure(checks, check);

const oracle = await startSpiceDbOracle(SCHEMA, relationships, { minimizeLatency: true });
const spicedbCheck = async (document: string, user: string) => {
  const result = await oracle.check({ type: "document", id: document }, "view", {
    type: "user",
    id: user,
  });
  return result.kind === "allowed";
};
await measure(checks.slice(0, 20), spicedbCheck);
const spicedb = await measure(checks, spicedbCheck);
await oracle.close();

if (latch.allowed !== spicedb.allowed) {
  console.error(
    `answers differ: Latch allowed ${latch.allowed}, SpiceDB allowed ${spicedb.allowed}`,
  );
  process.exitCode = 1;
}

if (json) {
  console.log(
    JSON.stringify({
      relationships: relationships.length,
      checks: count,
      latch,
      spicedb,
      throughput_ratio: latch.perSecond / spicedb.perSecond,
    }),
  );
} else {
  console.log(
    `${relationships.length} relationships, ${documents} documents, ${users} users; ${count} checks (same sequence), one at a time\n`,
  );
  console.log("| engine | checks/s | p50 ms | p99 ms | allowed | × SpiceDB throughput |");
  console.log("|---|---:|---:|---:|---:|---:|");
  for (const [name, m] of [
    ["SpiceDB embedded (minimize_latency)", spicedb],
    ["Latch, memory store, no cache", latch],
  ] as const) {
    console.log(
      `| ${name} | ${m.perSecond.toFixed(0)} | ${m.p50.toFixed(3)} | ${m.p99.toFixed(3)} | ${m.allowed} | ${(m.perSecond / spicedb.perSecond).toFixed(1)} |`,
    );
  }
}
