// The server's Prometheus series, read from /metrics on its HTTP port, for the server benchmark.

/** CacheLookups are the server's sub-problem cache lookups so far (`latch_cache_lookups_total`). */
export interface CacheLookups {
  readonly hits: number;
  readonly misses: number;
}

/** readCacheLookups fetches /metrics from the server's HTTP port and reads the lookup counters. */
export async function readCacheLookups(httpPort: number): Promise<CacheLookups> {
  const text = await readMetrics(httpPort);
  const counter = (result: string): number => {
    const sample = `latch_cache_lookups_total{result="${result}"} `;
    const line = text.split("\n").find((l) => l.startsWith(sample));
    // prom-client leaves a label value out until it is first counted.
    return line === undefined ? 0 : Number(line.slice(sample.length));
  };
  return { hits: counter("hit"), misses: counter("miss") };
}

/**
 * readGcSeconds fetches /metrics from the server's HTTP port and sums its garbage collections'
 * pauses so far, every kind (`nodejs_gc_duration_seconds_sum`).
 */
export async function readGcSeconds(httpPort: number): Promise<number> {
  const text = await readMetrics(httpPort);
  return text
    .split("\n")
    .filter((line) => line.startsWith("nodejs_gc_duration_seconds_sum{"))
    .reduce((total, line) => total + Number(line.slice(line.lastIndexOf(" ") + 1)), 0);
}

async function readMetrics(httpPort: number): Promise<string> {
  const response = await fetch(`http://127.0.0.1:${httpPort}/metrics`);
  if (!response.ok) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
