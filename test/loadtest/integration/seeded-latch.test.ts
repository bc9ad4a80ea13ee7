// The load scripts against a real Latch (`latch serve` on a fresh Postgres database): the seed
// script's dataset is what the check scripts expect (every answer they assert is the one Latch
// gives), a mixed run's reads see its writes, and the revocation script sees every revoked grant
// denied. Low rates, short runs: the verdicts read are correctness, never latency (latency
// thresholds are set out of reach, or left unread).

import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  createTestDatabase,
  postgresForTests,
  type TestDatabase,
} from "../../store/postgres/test-database.js";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";
import { readExport, runLoadtest } from "./run-loadtest.js";

/** A small dataset: 500 documents, about 1,300 relationships and 500 checks. */
const DOCUMENTS = "LATCH_DOCUMENTS=500";
/** A p99 threshold no loaded test machine misses: these tests judge answers, not speed. */
const NO_LATENCY_LIMIT = "LATCH_P99_MS=600000";

const serverUrl = await postgresForTests("load scripts against Latch");

describe.runIf(serverUrl !== undefined)("load scripts against Latch", () => {
  let database: TestDatabase;
  let served: ServedLatch;
  let target: string;
  let scratch: string;

  beforeAll(async () => {
    database = await createTestDatabase(serverUrl!);
    scratch = await mkdtemp(join(tmpdir(), "latch-loadtest-"));
    served = serveLatch({ DATABASE_URL: database.url, LATCH_DATA_DIR: scratch });
    target = `127.0.0.1:${(await servingPorts(served)).grpcPort}`;
  });

  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await database?.drop();
    await rm(scratch, { recursive: true, force: true });
  });

  const run = async (script: string, ...env: string[]) => {
    const file = join(scratch, `${script.replace(/\W/g, "_")}.json`);
    const args = [script, "--target", target, "--summary-export", file];
    const done = await runLoadtest([...args, ...env.flatMap((pair) => ["--env", pair])]);
    return { ...done, metrics: await readExport(file) };
  };

  it("seeds the dataset, and the check script gets the answer it expects on every call", async () => {
    const seeded = await run("loadtest/seed.ts", DOCUMENTS);
    expect(seeded.code, seeded.output).toBe(0);
    expect(seeded.metrics.checks).toMatchObject({ passes: 2, fails: 0 });

    const checked = await run(
      "loadtest/check.ts",
      DOCUMENTS,
      NO_LATENCY_LIMIT,
      "LATCH_RATE=50",
      "LATCH_DURATION=3s",
    );
    expect(checked.code, checked.output).toBe(0);
    expect(checked.metrics.checks!.fails).toBe(0);
    expect(checked.metrics.checks!.passes).toBeGreaterThan(0);
  });

  it("mixes writes into the checks, whose reads at the writes' tokens see them", async () => {
    const mixed = await run("loadtest/mixed.ts", DOCUMENTS, "LATCH_RATE=100", "LATCH_DURATION=3s");
    expect(mixed.metrics.checks!.fails, mixed.output).toBe(0);
    expect(mixed.output).toContain("✓ a read at the write's token sees it");
  });

  it("measures revocations, each denied in the end and at once at the delete's token", async () => {
    const revoked = await run("loadtest/revocation.ts", "LATCH_DURATION=2s");
    expect(revoked.metrics.checks!.fails, revoked.output).toBe(0);
    expect(revoked.metrics.stale_allows_with_token!.count).toBe(0);
    expect(revoked.metrics.revocation_ms!["p(99)"]).toBeGreaterThanOrEqual(0);
  });
});
