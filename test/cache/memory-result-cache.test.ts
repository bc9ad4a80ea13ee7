// The default bound of the in-process cache: from the memory available, within a quarter of V8's heap.

import { describe, expect, it } from "vitest";
import { defaultCacheBytes } from "../../src/cache/memory-result-cache.js";

const MIB = 1024 * 1024;
const GIB = 1024 * MIB;

describe("defaultCacheBytes", () => {
  it("takes a tenth of the memory, at most 1 GiB, when the heap is large", () => {
    expect(defaultCacheBytes(2 * GIB, 4 * GIB)).toBe(Math.floor((2 * GIB) / 10));
    expect(defaultCacheBytes(64 * GIB, 8 * GIB)).toBe(GIB);
  });

  it("takes at least 64 MiB of a small memory when the heap allows", () => {
    expect(defaultCacheBytes(256 * MIB, 4 * GIB)).toBe(64 * MIB);
  });

  it("never takes more than a quarter of the heap limit", () => {
    // node --max-old-space-size=256 on a machine with 16 GiB: V8's limit is 304 MiB.
    expect(defaultCacheBytes(16 * GIB, 304 * MIB)).toBe(76 * MIB);
    expect(defaultCacheBytes(256 * MIB, 128 * MIB)).toBe(32 * MIB);
  });
});
