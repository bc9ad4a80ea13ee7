// The process's garbage collections on /metrics: every one counted, by kind, in every server's registry.

import { PerformanceObserver } from "node:perf_hooks";
import type { Registry } from "prom-client";
import { describe, expect, it } from "vitest";
import { createMetrics } from "../../src/telemetry/metrics.js";
import { waitFor } from "../support/wait-for.js";

/** counts are a registry's `nodejs_gc_duration_seconds_count` lines, a kind each. */
async function counts(registry: Registry): Promise<string[]> {
  const text = await registry.getSingleMetricAsString("nodejs_gc_duration_seconds");
  return text.split("\n").filter((line) => line.startsWith("nodejs_gc_duration_seconds_count"));
}

/** collections is the count of collections a registry shows, all kinds together. */
async function collections(registry: Registry): Promise<number> {
  const lines = await counts(registry);
  return lines.reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

/** churn allocates young garbage in one go: enough for several young-generation collections. */
function churn(): void {
  let kept: number[][] = [];
  for (let i = 0; i < 400_000; i++) {
    kept.push([i, i + 1, i + 2]);
    if (kept.length === 1000) kept = [];
  }
}

describe("nodejs_gc_duration_seconds", () => {
  it("counts every collection Node reports, however many it reports at once", async () => {
    const metrics = createMetrics();
    const before = await collections(metrics.registry);
    // An observer of its own, counting each entry: several collections in one synchronous churn
    // reach an observer together, and each must be counted.
    let seen = 0;
    const observer = new PerformanceObserver((list) => {
      seen += list.getEntries().length;
    });
    observer.observe({ entryTypes: ["gc"] });
    try {
      churn();
      churn();
      await waitFor("several collections reported", () => seen >= 3, 30_000);
      expect((await collections(metrics.registry)) - before).toBeGreaterThanOrEqual(seen);
    } finally {
      observer.disconnect();
    }
  });

  it("is the process's, shown by each server's registry alike, with the kind of each collection", async () => {
    const first = createMetrics();
    const second = createMetrics();
    churn();
    const minor = 'nodejs_gc_duration_seconds_count{kind="minor"}';
    await waitFor(
      "a young-generation collection counted",
      async () => (await counts(first.registry)).some((line) => line.startsWith(minor)),
      30_000,
    );
    expect(await counts(second.registry)).toEqual(await counts(first.registry));
  });
});
