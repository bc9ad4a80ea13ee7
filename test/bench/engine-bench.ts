// Benchmark: in-process Check over the memory store (no result cache) against SpiceDB embedded, on one
// generated dataset (documents in a folder tree five deep, nested groups three deep, 10,000 users,
// about 100,000 relationships) and one check sequence. Prints checks/s, p50 and p99, and ratios.
//   npm run bench:engine [-- --json] [-- --checks N]

import { createCheckEngine } from "../../src/engine/check-engine.js";
import { loadSchema } from "../../src/schema/load-schema.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Relationship } from "../../src/tuple/relationship.js";
import { relationshipKey } from "../../src/tuple/relationship-key.js";
import { startSpiceDbOracle } from "../oracle/spicedb-oracle.js";

const SCHEMA = `definition user {}

definition group {
	relation member: user | group#member
}

definition folder {
	relation parent: folder
	relation viewer: user | group#member
	permission view = viewer + parent->view
}

definition document {
	relation parent: folder
	relation viewer: user | group#member
	relation banned: user
	permission view = (viewer + parent->view) - banned
}
`;

/** random is a small seeded generator (mulberry32), so every run checks the same sequence. */
function seededRandom(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function generateDataset(random: () => number): {
  relationships: Relationship[];
  documents: number;
  users: number;
} {
  const users = 10_000;
  const relationships: Relationship[] = [];
  const seen = new Set<string>();
  const pick = (n: number) => Math.floor(random() * n);
  const rel = (
    type: string,
    id: string,
    relation: string,
    subjectType: string,
    subjectId: string,
    subjectRelation?: string,
  ) => {
    const relationship = {
      resource: { type, id },
      relation,
      subject: { type: subjectType, id: subjectId, relation: subjectRelation },
    };
    const key = relationshipKey(relationship);
    if (seen.has(key)) return;
    seen.add(key);
    relationships.push(relationship);
  };

  // Groups three deep: 10 top groups, each with 10 middle groups, each with 10 leaf groups.
  for (let top = 0; top < 10; top++) {
    for (let mid = 0; mid < 10; mid++) {
      rel("group", `g${top}`, "member", "group", `g${top}_${mid}`, "member");
      for (let leaf = 0; leaf < 10; leaf++)
        rel("group", `g${top}_${mid}`, "member", "group", `g${top}_${mid}_${leaf}`, "member");
    }
  }
  for (let user = 0; user < users; user++) {
    for (let k = 0; k < 2; k++)
      rel("group", `g${pick(10)}_${pick(10)}_${pick(10)}`, "member", "user", `u${user}`);
  }
  // Folders five deep, five children each: 781 folders.
  const folders: string[] = ["f"];
  for (let level = 1; level < 5; level++) {
    for (const parent of folders.filter((f) => f.split("_").length === level)) {
      for (let child = 0; child < 5; child++) {
        const id = `${parent}_${child}`;
        folders.push(id);
        rel("folder", id, "parent", "folder", parent);
      }
    }
  }
  for (const folder of folders) {
    const depth = folder.split("_").length;
    if (depth >= 3)
      rel("folder", folder, "viewer", "group", `g${pick(10)}_${pick(10)}_${pick(10)}`, "member");
    for (let k = 0; k < 3; k++) rel("folder", folder, "viewer", "user", `u${pick(users)}`);
  }
  let documents = 0;
  while (relationships.length < 100_000) {
    const id = `d${documents++}`;
    rel("document", id, "parent", "folder", folders[folders.length - 1 - pick(625)]!);
    rel("document", id, "viewer", "user", `u${pick(users)}`);
    rel("document", id, "viewer", "user", `u${pick(users)}`);
    if (random() < 0.1) rel("document", id, "banned", "user", `u${pick(users)}`);
  }
  return { relationships, documents, users };
}

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
