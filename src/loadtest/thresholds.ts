// k6 thresholds: `p(99)<10`, `rate<0.01`, `count==0`, `avg<=5`, ... on a metric or submetric,
// each as a string or as `{ threshold, abortOnFail }`.

import { LoadTestError } from "./load-test-error.js";
import type { Stats } from "./metric-registry.js";

/** Threshold is one parsed threshold expression of one metric. */
export interface Threshold {
  /** The metric or submetric name, as the options name it. */
  readonly metric: string;
  /** The expression as written, which the summary shows. */
  readonly source: string;
  readonly abortOnFail: boolean;
  /** holds says whether stats meet the threshold. */
  holds(stats: Stats): boolean;
  /** observed is the value the threshold compared. */
  observed(stats: Stats): number;
}

const EXPRESSION =
  /^\s*(p\(\s*(\d+(?:\.\d+)?)\s*\)|avg|min|max|med|count|rate|value)\s*(<=|>=|===|==|!=|<|>)\s*(-?\d+(?:\.\d+)?)\s*$/;

const COMPARE: Record<string, (a: number, b: number) => boolean> = {
  "<": (a, b) => a < b,
  "<=": (a, b) => a <= b,
  ">": (a, b) => a > b,
  ">=": (a, b) => a >= b,
  "==": (a, b) => a === b,
  "===": (a, b) => a === b,
  "!=": (a, b) => a !== b,
};

type ThresholdSpec = string | { threshold: string; abortOnFail?: boolean };

/** parseThresholds reads `options.thresholds`, naming the metric and expression that do not parse. */
export function parseThresholds(options: unknown): Threshold[] {
  if (options === undefined) return [];
  if (typeof options !== "object" || options === null) {
    throw new LoadTestError(
      "options",
      "options.thresholds must be an object of metric: [expressions]",
    );
  }
  const thresholds: Threshold[] = [];
  for (const [metric, specs] of Object.entries(options as Record<string, unknown>)) {
    if (!Array.isArray(specs)) {
      throw new LoadTestError("options", `options.thresholds.${metric} must be an array`);
    }
    for (const spec of specs as ThresholdSpec[]) {
      const source = typeof spec === "string" ? spec : spec?.threshold;
      const match = typeof source === "string" ? EXPRESSION.exec(source) : null;
      if (match === null) {
        throw new LoadTestError(
          "options",
          `options.thresholds.${metric}: ${JSON.stringify(spec)} is not a threshold such as "p(99)<10", "rate<0.01" or "count==0"`,
        );
      }
      const [, aggregate, percent, operator, bound] = match as unknown as [
        string,
        string,
        string | undefined,
        string,
        string,
      ];
      const observed = aggregation(aggregate, percent);
      const compare = COMPARE[operator]!;
      thresholds.push({
        metric,
        source: source!,
        abortOnFail: typeof spec === "object" && spec.abortOnFail === true,
        observed,
        holds: (stats) => compare(observed(stats), Number(bound)),
      });
    }
  }
  return thresholds;
}

function aggregation(name: string, percent: string | undefined): (stats: Stats) => number {
  if (percent !== undefined) return (stats) => stats.percentile(Number(percent));
  switch (name) {
    case "avg":
      return (stats) => stats.avg;
    case "min":
      return (stats) => stats.min;
    case "max":
      return (stats) => stats.max;
    case "med":
      return (stats) => stats.percentile(50);
    case "count":
      return (stats) => stats.count;
    case "rate":
      return (stats) => stats.rate;
    default:
      return (stats) => stats.value;
  }
}
