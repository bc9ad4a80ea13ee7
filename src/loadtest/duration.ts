// k6's durations: "30s", "1m30s", "500ms", "2h", or a number of milliseconds.

import { LoadTestError } from "./load-test-error.js";

const PART = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
const UNIT_MS: Record<string, number> = { ms: 1, s: 1000, m: 60_000, h: 3_600_000 };

/** parseDuration reads a duration in milliseconds, naming field when it is not one. */
export function parseDuration(value: unknown, field: string): number {
  if (typeof value === "number" && Number.isFinite(value) && value >= 0) return value;
  if (typeof value === "string" && /^(\d+(?:\.\d+)?(ms|s|m|h))+$/.test(value)) {
    let ms = 0;
    for (const [, amount, unit] of value.matchAll(PART)) ms += Number(amount) * UNIT_MS[unit!]!;
    return ms;
  }
  throw new LoadTestError(
    "options",
    `${field}: ${JSON.stringify(value)} is not a duration such as "30s", "1m30s" or "500ms"`,
  );
}
