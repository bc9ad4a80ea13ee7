// k6's end-of-test summary, as text: thresholds with ✓ or ✗ and the value they judged, the
// checks, then every metric (trends as avg/min/med/max/p(90)/p(95)/p(99)).

import type { Stats } from "./metric-registry.js";
import type { RunReport } from "./run-report.js";
import type { RunnerLoad } from "./runner-load.js";

/** TREND_STATS are the trend statistics the summary shows, in order. */
export const TREND_STATS = ["avg", "min", "med", "max", "p(90)", "p(95)", "p(99)"] as const;

/** trendStat reads one of TREND_STATS. */
export function trendStat(stats: Stats, name: (typeof TREND_STATS)[number]): number {
  switch (name) {
    case "avg":
      return stats.avg;
    case "min":
      return stats.min;
    case "max":
      return stats.max;
    case "med":
      return stats.percentile(50);
    default:
      return stats.percentile(Number(name.slice(2, -1)));
  }
}

/** summaryText renders report as k6 prints it at the end of a run. */
export function summaryText(report: RunReport): string {
  const lines: string[] = [];
  const judged = report.metrics.filter((m) => m.thresholds.length > 0);
  if (judged.length > 0) {
    lines.push("  █ THRESHOLDS", "");
    for (const metric of judged) {
      lines.push(`    ${metric.name}`);
      for (const t of metric.thresholds) {
        const shown = format(
          metric.stats,
          t.observed,
          /^(rate)/.test(t.source) || metric.stats.type === "rate" ? "rate" : "value",
        );
        lines.push(`    ${t.ok ? "✓" : "✗"} '${t.source}' ${t.source.split(/[<>=!]/)[0]}=${shown}`);
      }
      lines.push("");
    }
  }
  lines.push("  █ TOTAL RESULTS", "");
  for (const check of report.checks) {
    lines.push(
      `    ${check.fails === 0 ? "✓" : "✗"} ${check.name}${check.fails === 0 ? "" : `: ${check.fails} failed of ${check.passes + check.fails}`}`,
    );
  }
  if (report.checks.length > 0) lines.push("");
  for (const metric of report.metrics) {
    if (metric.stats.samples === 0 && metric.stats.type !== "counter") continue;
    lines.push(`    ${`${metric.name}`.padEnd(36, ".")}: ${line(metric.stats)}`);
  }
  lines.push("", `  running (${(report.durationMs / 1000).toFixed(1)}s)`);
  return lines.join("\n");
}

function line(stats: Stats): string {
  switch (stats.type) {
    case "counter":
      return `${trim(stats.count).padEnd(8)} ${trim(stats.rate)}/s`;
    case "rate":
      return `${(stats.rate * 100).toFixed(2)}% ✓ ${stats.count} ✗ ${stats.samples - stats.count}`;
    case "gauge":
      return `${trim(stats.value).padEnd(8)} min=${trim(stats.min)} max=${trim(stats.max)}`;
    case "trend":
      return TREND_STATS.map(
        (name) => `${name}=${format(stats, trendStat(stats, name), "value")}`,
      ).join(" ");
  }
}

/** format shows a value of stats: a time with its unit, a rate as a percentage, else a number. */
function format(stats: Stats, value: number, as: "rate" | "value"): string {
  if (as === "rate") return `${(value * 100).toFixed(2)}%`;
  if (!stats.isTime) return trim(value);
  if (Number.isNaN(value)) return "n/a";
  if (value < 1) return `${trim(value * 1000)}µs`;
  if (value < 1000) return `${trim(value)}ms`;
  return `${trim(value / 1000)}s`;
}

function trim(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(2);
}

/**
 * runnerText says how loaded the runner was: its CPU, its CPU per iteration (and so the most
 * iterations a second its one thread could start, whatever the target), its event loop's delay;
 * and warns when it, not the target, may have set the pace (see RunnerLoad).
 */
export function runnerText(runner: RunnerLoad, iterations: number): string {
  const perIteration = iterations > 0 ? runner.cpuMicros / iterations : Number.NaN;
  const lines = [
    `  runner: CPU ${Math.round(runner.cpuShare * 100)}% of a core` +
      (iterations > 0
        ? `, ${Math.round(perIteration)}µs per iteration (at most ~${Math.floor(1e6 / perIteration)} iterations/s on one core)`
        : "") +
      `; event loop delay p99 ${trim(runner.loopDelayP99Ms)}ms, max ${trim(runner.loopDelayMaxMs)}ms`,
  ];
  if (runner.warning !== undefined) lines.push(`  ⚠ ${runner.warning}`);
  return lines.join("\n");
}
