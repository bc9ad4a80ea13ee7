// Background failures are said: once per kind of work and cause a minute, never an unreachable
// store (readiness says that); and a SQL store tells of the background work that failed.

import { afterEach, describe, expect, it } from "vitest";
import { createPgliteStore } from "../../src/store/postgres/pglite-store.js";
import type { SqlBackedStore } from "../../src/store/postgres/sql-store.js";
import { StoreUnavailableError } from "../../src/store/store.js";
import { BackgroundFailures } from "../../src/telemetry/background-failures.js";
import { waitFor } from "../support/wait-for.js";

describe("BackgroundFailures", () => {
  it("says each cause of each work once a minute, and nothing of an unreachable store", () => {
    const lines: string[] = [];
    let now = 0;
    const failures = new BackgroundFailures(
      (line) => lines.push(line),
      () => now,
    );
    failures.report("garbage collection", new Error("disk full"));
    now = 59_999;
    failures.report("garbage collection", new Error("disk full"));
    failures.report("garbage collection", new Error("out of memory"));
    failures.report("logging expiries", new Error("disk full"));
    failures.report("logging expiries", new StoreUnavailableError("the database does not answer"));
    now = 60_000;
    failures.report("garbage collection", new Error("disk full"));
    expect(lines).toEqual([
      "garbage collection failed (disk full); trying again",
      "garbage collection failed (out of memory); trying again",
      "logging expiries failed (disk full); trying again",
      "garbage collection failed (disk full); trying again",
    ]);
  });
});

describe("a SQL store's background work", () => {
  const opened: SqlBackedStore[] = [];
  afterEach(async () => {
    for (const store of opened.splice(0)) await store.close();
  });

  it("tells of garbage collection that fails, and goes on", async () => {
    const reported: string[] = [];
    const store = await createPgliteStore({
      gcIntervalMs: 20,
      onBackgroundError: (work, error) => reported.push(`${work}: ${(error as Error).message}`),
    });
    opened.push(store);
    // Garbage collection reads the commit times; without them, every run fails.
    await store.database.exec("ALTER TABLE latch_commits RENAME TO latch_commits_away");
    await waitFor("a failed collection to be told", () => reported.length > 0, 60_000);
    expect(reported[0]).toMatch(/^garbage collection: .*latch_commits/);
    await store.database.exec("ALTER TABLE latch_commits_away RENAME TO latch_commits");
  });
});
