// The samples a load test records, by metric, each with its tags: k6's four metric types, and the
// statistics its summary and thresholds read (a submetric, `name{tag:value}`, is the samples of
// a metric whose tags hold those values).

/** MetricType is one of k6's four metric types. */
export type MetricType = "counter" | "gauge" | "rate" | "trend";

/** Tags are a sample's tags: the scenario's and the call's. */
export type Tags = Readonly<Record<string, string>>;

/** Metric is one metric's samples, in the order they were added. */
export interface Metric {
  readonly name: string;
  readonly type: MetricType;
  /** isTime: the values are milliseconds (a Trend made with `isTime`, or a built-in timing). */
  readonly isTime: boolean;
  readonly values: number[];
  readonly tags: Tags[];
}

/** MetricRegistry holds every metric of a run by name. */
export class MetricRegistry {
  readonly metrics = new Map<string, Metric>();

  /** define returns the metric name, making it when new; a name keeps its first type. */
  define(name: string, type: MetricType, isTime = false): Metric {
    const known = this.metrics.get(name);
    if (known !== undefined) {
      if (known.type !== type) {
        throw new Error(`metric ${name} is a ${known.type}, not a ${type}`);
      }
      return known;
    }
    const metric: Metric = { name, type, isTime, values: [], tags: [] };
    this.metrics.set(name, metric);
    return metric;
  }

  /** add records one sample. */
  add(metric: Metric, value: number, tags: Tags): void {
    metric.values.push(value);
    metric.tags.push(tags);
  }
}

/** Stats are what the summary and thresholds read of a metric (or submetric). */
export interface Stats {
  readonly type: MetricType;
  readonly isTime: boolean;
  readonly samples: number;
  /** Counter: the sum; Rate: the non-zero samples; Gauge: the last value. */
  readonly count: number;
  readonly value: number;
  readonly rate: number;
  readonly avg: number;
  readonly min: number;
  readonly max: number;
  /** percentile p (0–100) of the values, interpolated as k6 does; NaN with no samples. */
  percentile(p: number): number;
}

/** SUBMETRIC is `name{key:value,...}`. */
const SUBMETRIC = /^([^{]+)\{([^}]*)\}$/;

/** selection parses a metric or submetric name into the metric's name and the tags it selects. */
export function selection(name: string): { metric: string; tags: Record<string, string> } {
  const match = SUBMETRIC.exec(name);
  if (match === null) return { metric: name, tags: {} };
  const tags: Record<string, string> = {};
  for (const pair of match[2]!.split(",")) {
    const at = pair.indexOf(":");
    if (at === -1) throw new Error(`submetric ${name}: "${pair}" is not key:value`);
    tags[pair.slice(0, at).trim()] = pair
      .slice(at + 1)
      .trim()
      .replace(/^["']|["']$/g, "");
  }
  return { metric: match[1]!.trim(), tags };
}

/** statsOf computes the stats of metric's samples whose tags hold every selected tag. */
export function statsOf(metric: Metric, selected: Record<string, string>, seconds: number): Stats {
  const keys = Object.entries(selected);
  const values =
    keys.length === 0
      ? metric.values
      : metric.values.filter((_, i) => keys.every(([k, v]) => metric.tags[i]![k] === v));
  let sum = 0;
  let nonZero = 0;
  let min = Number.POSITIVE_INFINITY;
  let max = Number.NEGATIVE_INFINITY;
  for (const v of values) {
    sum += v;
    if (v !== 0) nonZero++;
    if (v < min) min = v;
    if (v > max) max = v;
  }
  const n = values.length;
  let sorted: Float64Array | undefined;
  const percentile = (p: number): number => {
    if (n === 0) return Number.NaN;
    sorted ??= Float64Array.from(values).sort();
    const rank = (p / 100) * (n - 1);
    const low = Math.floor(rank);
    const high = Math.min(n - 1, low + 1);
    return sorted[low]! + (sorted[high]! - sorted[low]!) * (rank - low);
  };
  const count = metric.type === "counter" ? sum : metric.type === "rate" ? nonZero : n;
  return {
    type: metric.type,
    isTime: metric.isTime,
    samples: n,
    count,
    value:
      metric.type === "gauge"
        ? (values[n - 1] ?? 0)
        : metric.type === "rate"
          ? ratio(nonZero, n)
          : sum,
    rate: metric.type === "rate" ? ratio(nonZero, n) : seconds > 0 ? count / seconds : 0,
    avg: n === 0 ? Number.NaN : sum / n,
    min: n === 0 ? Number.NaN : min,
    max: n === 0 ? Number.NaN : max,
    percentile,
  };
}

function ratio(part: number, whole: number): number {
  return whole === 0 ? 0 : part / whole;
}
