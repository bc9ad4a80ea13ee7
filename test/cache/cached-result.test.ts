// Cache entries as Redis keeps them: every field survives the round trip, other formats are misses.

import { describe, expect, it } from "vitest";
import {
  type CachedResult,
  decodeCachedResult,
  encodeCachedResult,
} from "../../src/cache/cached-result.js";

const DENIED_BY_CONDITION: CachedResult = {
  kind: "denied",
  missing: [],
  conditionFalse: true,
  validFrom: 1_800_000_000_000,
  validUntil: Number.POSITIVE_INFINITY,
  computedAt: 12,
  depthRequired: 2,
  reads: ["agent:bot#delegate"],
};

describe("encodeCachedResult and decodeCachedResult", () => {
  it("keep a denial's false-caveat flag, and a plain denial's absence of it", () => {
    expect(decodeCachedResult(encodeCachedResult(DENIED_BY_CONDITION))).toEqual(
      DENIED_BY_CONDITION,
    );
    const plain = { ...DENIED_BY_CONDITION, conditionFalse: false };
    expect(decodeCachedResult(encodeCachedResult(plain))).toEqual(plain);
  });

  it("read the flag only on denials, as outcomes carry it", () => {
    const allowed = { ...DENIED_BY_CONDITION, kind: "allowed" as const };
    expect(decodeCachedResult(encodeCachedResult(allowed))?.conditionFalse).toBe(false);
  });

  it("take an entry written without the flag (an older Latch) or with a bad one for a miss", () => {
    const encoded = JSON.parse(encodeCachedResult(DENIED_BY_CONDITION)) as unknown[];
    expect(decodeCachedResult(JSON.stringify(encoded.slice(0, 7)))).toBeUndefined();
    expect(decodeCachedResult(JSON.stringify([...encoded.slice(0, 7), true]))).toBeUndefined();
  });
});
