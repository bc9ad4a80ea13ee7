// The process's garbage collections, for /metrics: how long each kind held up the main thread.

import { constants, type NodeGCPerformanceDetail, PerformanceObserver } from "node:perf_hooks";
import { Histogram } from "prom-client";

/** GcKind names the collections Node reports: young-generation, full, incremental marking steps, weak callbacks. */
type GcKind = "minor" | "major" | "incremental" | "weakcb";

const GC_KINDS = new Map<number, GcKind>([
  [constants.NODE_PERFORMANCE_GC_MINOR, "minor"],
  [constants.NODE_PERFORMANCE_GC_MAJOR, "major"],
  [constants.NODE_PERFORMANCE_GC_INCREMENTAL, "incremental"],
  [constants.NODE_PERFORMANCE_GC_WEAKCB, "weakcb"],
]);

/** From 100 µs (a young-generation collection of a quiet server) to 1 s (a full one of a large heap). */
const GC_BUCKETS = [0.0001, 0.00025, 0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1];

let processGcDurations: Histogram<"kind"> | undefined;

/**
 * gcDurations is the process's histogram of its garbage collections' pauses by kind
 * (`nodejs_gc_duration_seconds`, named as Prometheus's Node.js clients name it), observed from the
 * first call on. There is one per process, which every server's registry shows: a collection
 * pauses the process, not one server. Every collection is counted, however many Node reports at
 * once: prom-client's own collector observes only the first of those, which under load (several
 * young-generation collections between two turns of the event loop) leaves some out. The time
 * the collector's helper threads spend beside the main thread is not in it.
 */
export function gcDurations(): Histogram<"kind"> {
  if (processGcDurations !== undefined) return processGcDurations;
  const histogram = new Histogram({
    name: "nodejs_gc_duration_seconds",
    help: "Garbage collections of the process, by kind (minor, major, incremental, weakcb): how long each held up the main thread.",
    labelNames: ["kind"],
    buckets: GC_BUCKETS,
    registers: [],
  });
  const byKind = new Map([...GC_KINDS].map(([code, kind]) => [code, histogram.labels({ kind })]));
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      // A "gc" entry's detail, which the types leave out of PerformanceEntry.
      const { kind } = (entry as unknown as { readonly detail: NodeGCPerformanceDetail }).detail;
      byKind.get(kind)?.observe(entry.duration / 1000);
    }
  }).observe({ entryTypes: ["gc"] });
  processGcDurations = histogram;
  return histogram;
}
