// Run by memory-cache-heap.test.ts in a child process with a small heap: fills the default in-process cache through the engine, then prints what it measured.

import { getHeapStatistics } from "node:v8";
import { type CachedResult, sizeOfCachedResult } from "../../../src/cache/cached-result.js";
import { ChangeTracker } from "../../../src/cache/change-tracker.js";
import {
  DEFAULT_MEMORY_CACHE_BYTES,
  MemoryResultCache,
} from "../../../src/cache/memory-result-cache.js";
import type { ResultCache } from "../../../src/cache/result-cache.js";
import { createCombinedDispatcher } from "../../../src/dispatch/combined-dispatcher.js";
import { type CheckRequest, createCheckEngine } from "../../../src/engine/check-engine.js";
import { loadSchema } from "../../../src/schema/load-schema.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { REVOCATION_SCHEMA } from "../../bench/revocation-bench-schema.js";

/** FillReport is the line this script prints. */
export interface FillReport {
  readonly checks: number;
  /** The estimated bytes of every entry the engine kept: many times the cache's bound. */
  readonly offeredBytes: number;
  readonly maxBytes: number;
  readonly heapLimit: number;
  /** How much the heap grew, after a full collection, while the cache filled. */
  readonly grownBytes: number;
}

const checks = Number(process.argv[2]);
const BATCH = 1000;
const { gc } = globalThis as { gc?: () => void };
if (gc === undefined) throw new Error("run with --expose-gc");
const heapUsed = () => {
  gc();
  return process.memoryUsage().heapUsed;
};

const loaded = loadSchema(REVOCATION_SCHEMA);
if (!loaded.ok) throw new Error("the revocation schema does not load");
const store = createMemoryStore();
const tracker = new ChangeTracker(store, await store.headRevision());
const cache = new MemoryResultCache();
let offeredBytes = 0;
/** The default cache, counting the estimated size of what it is given. */
const counted: ResultCache = {
  peek: (key) => cache.peek(key),
  get: (key) => cache.get(key),
  set(key: string, result: CachedResult) {
    offeredBytes += sizeOfCachedResult(key, result);
    return cache.set(key, result);
  },
  close: () => cache.close(),
};
const engine = createCheckEngine({
  schema: loaded.schema,
  dispatcher: createCombinedDispatcher({ results: counted, tracker, keyPrefix: "1|" }),
});
const reader = store.snapshot(tracker.appliedRevision, new Date());

const before = heapUsed();
for (let start = 0; start < checks; start += BATCH) {
  // Ids as long as a UUID's: each check keeps two entries (the permission and its relation).
  const batch = Array.from(
    { length: BATCH },
    (_, i): CheckRequest => ({
      resource: { type: "document", id: `doc-${String(start + i).padStart(32, "0")}` },
      permission: "view",
      subject: { type: "user", id: "alice" },
    }),
  );
  await engine.checkBulk(reader, batch);
}
const report: FillReport = {
  checks,
  offeredBytes,
  maxBytes: DEFAULT_MEMORY_CACHE_BYTES,
  heapLimit: getHeapStatistics().heap_size_limit,
  grownBytes: heapUsed() - before,
};
console.log(JSON.stringify(report));
tracker.close();
await store.close();
