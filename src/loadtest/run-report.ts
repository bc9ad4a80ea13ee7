// What a run measured, as the summary and the export show it: each metric's stats, the
// submetrics thresholds name, each threshold's verdict, and the checks by name.

import { type MetricRegistry, type Stats, selection, statsOf } from "./metric-registry.js";
import type { Threshold } from "./thresholds.js";

/** ThresholdVerdict is one threshold and whether it held. */
export interface ThresholdVerdict {
  readonly source: string;
  readonly ok: boolean;
  readonly observed: number;
}

/** MetricReport is one metric or submetric with its thresholds. */
export interface MetricReport {
  readonly name: string;
  readonly stats: Stats;
  readonly thresholds: ThresholdVerdict[];
}

/** CheckCount is how often one check passed and failed. */
export interface CheckCount {
  readonly name: string;
  passes: number;
  fails: number;
}

/** RunReport is a whole run's results. */
export interface RunReport {
  readonly durationMs: number;
  readonly metrics: MetricReport[];
  readonly checks: CheckCount[];
  /** ok: every threshold held. */
  readonly ok: boolean;
}

/**
 * report computes the run's results: every metric, and each submetric a threshold names (a
 * threshold on a metric the run never recorded judges no samples: it fails unless it accepts
 * zero counts).
 */
export function report(
  registry: MetricRegistry,
  thresholds: Threshold[],
  durationMs: number,
): RunReport {
  const seconds = durationMs / 1000;
  const names = new Set([...registry.metrics.keys(), ...thresholds.map((t) => t.metric)]);
  const metrics: MetricReport[] = [];
  for (const name of [...names].sort()) {
    const chosen = selection(name);
    const metric = registry.metrics.get(chosen.metric) ?? registry.define(chosen.metric, "counter");
    const stats = statsOf(metric, chosen.tags, seconds);
    const verdicts = thresholds
      .filter((t) => t.metric === name)
      .map((t) => ({ source: t.source, ok: t.holds(stats), observed: t.observed(stats) }));
    metrics.push({ name, stats, thresholds: verdicts });
  }
  const checks = new Map<string, CheckCount>();
  const checkMetric = registry.metrics.get("checks");
  checkMetric?.values.forEach((value, i) => {
    const name = checkMetric.tags[i]!.check ?? "";
    const count = checks.get(name) ?? { name, passes: 0, fails: 0 };
    checks.set(name, count);
    if (value !== 0) count.passes++;
    else count.fails++;
  });
  const ok = metrics.every((m) => m.thresholds.every((t) => t.ok));
  return { durationMs, metrics, checks: [...checks.values()], ok };
}

/** thresholdsHold says whether every abortOnFail threshold holds on what is recorded so far. */
export function abortingThresholdFails(
  registry: MetricRegistry,
  thresholds: Threshold[],
  elapsedMs: number,
): Threshold | undefined {
  for (const threshold of thresholds) {
    if (!threshold.abortOnFail) continue;
    const chosen = selection(threshold.metric);
    const metric = registry.metrics.get(chosen.metric);
    if (metric === undefined) continue;
    if (!threshold.holds(statsOf(metric, chosen.tags, elapsedMs / 1000))) return threshold;
  }
  return undefined;
}
