// The server's Prometheus counters, read from /metrics on its HTTP port, for the server benchmark.

/** CacheLookups are the server's sub-problem cache lookups so far (`latch_cache_lookups_total`). */
export interface CacheLookups {
  readonly hits: number;
  readonly misses: number;
}

/** readCacheLookups fetches /metrics from the server's HTTP port and reads the lookup counters. */
export async function readCacheLookups(httpPort: number): Promise<CacheLookups> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  const text = await response.text();
  const counter = (result: string): number => {
    const sample = `latch_cache_lookups_total{result="${result}"} `;
    const line = text.split("\n").find((l) => l.startsWith(sample));
    // prom-client leaves a label value out until it is first counted.
    return line === undefined ? 0 : Number(line.slice(sample.length));
  };
  return { hits: counter("hit"), misses: counter("miss") };
}
