// `--summary-export`: the run's results as JSON in k6's export format: metrics by name (trends'
// statistics, counters' count and rate, rates' passes, fails and value), each threshold under its
// metric with true when it FAILED (as k6 writes it), and the checks under the root group.

import { createHash } from "node:crypto";
import type { Stats } from "./metric-registry.js";
import type { RunReport } from "./run-report.js";
import { TREND_STATS, trendStat } from "./summary-text.js";

/** summaryExport is report in k6's `--summary-export` format. */
export function summaryExport(report: RunReport): object {
  const metrics: Record<string, object> = {};
  for (const metric of report.metrics) {
    const thresholds = Object.fromEntries(metric.thresholds.map((t) => [t.source, !t.ok]));
    metrics[metric.name] = {
      ...values(metric.stats),
      ...(metric.thresholds.length > 0 ? { thresholds } : {}),
    };
  }
  const checks = Object.fromEntries(
    report.checks.map((check) => [
      check.name,
      {
        name: check.name,
        path: `::${check.name}`,
        id: md5(`::${check.name}`),
        passes: check.passes,
        fails: check.fails,
      },
    ]),
  );
  return {
    root_group: { name: "", path: "", id: md5(""), groups: {}, checks },
    options: { summaryTrendStats: [...TREND_STATS], summaryTimeUnit: "", noColor: false },
    state: { isStdOutTTY: false, isStdErrTTY: false, testRunDurationMs: report.durationMs },
    metrics,
  };
}

function values(stats: Stats): object {
  switch (stats.type) {
    case "counter":
      return { count: stats.count, rate: stats.rate };
    case "rate":
      return { passes: stats.count, fails: stats.samples - stats.count, value: stats.rate };
    case "gauge":
      return { value: stats.value, min: stats.min, max: stats.max };
    case "trend":
      return Object.fromEntries(TREND_STATS.map((name) => [name, trendStat(stats, name)]));
  }
}

function md5(text: string): string {
  return createHash("md5").update(text).digest("hex");
}
