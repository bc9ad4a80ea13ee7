// Percentiles of a benchmark's latencies.

/** percentile is the q-quantile (0..1) of sorted, ascending; NaN for none. */
export function percentile(sorted: readonly number[], q: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN;
}

/** latencyStats are p50, p99 and the maximum of latencies, in milliseconds. */
export function latencyStats(latencies: readonly number[]) {
  const sorted = [...latencies].sort((x, y) => x - y);
  return {
    p50_ms: percentile(sorted, 0.5),
    p99_ms: percentile(sorted, 0.99),
    max_ms: sorted.at(-1) ?? Number.NaN,
  };
}
