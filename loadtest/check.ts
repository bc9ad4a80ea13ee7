// Check load: an open model (a constant arrival rate, whatever the latency) of Check calls, each a
// Zipf choice over the seeded checks, asserting every answer against the one the dataset knows.
// Run `seed.ts` first. k6 run loadtest/check.ts, or npm run loadtest -- loadtest/check.ts.
//   LATCH_TARGET, LATCH_API_KEY, LATCH_DOCUMENTS (as seeded), LATCH_RATE (checks/s, default
//   1000), LATCH_DURATION (default 30s), LATCH_P99_MS (the p99 threshold, default 25)

import { check } from "k6";
import { SharedArray } from "k6/data";
import type { Client } from "k6/net/grpc";
import { documentsFromEnv, generateDataset, type SeededCheck, sizesFor } from "./dataset.ts";
import { CHECK, checkRequest, connect, expectedResult, params, resultOf } from "./latch.ts";
import { zipfPicker } from "./zipf.ts";

const rate = Number(__ENV.LATCH_RATE || 1000);

export const options = {
  scenarios: {
    checks: {
      executor: "constant-arrival-rate",
      rate,
      timeUnit: "1s",
      duration: __ENV.LATCH_DURATION || "30s",
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 50)),
      maxVUs: Math.max(50, Math.ceil(rate / 10)),
    },
  },
  thresholds: {
    grpc_req_duration: [`p(99)<${__ENV.LATCH_P99_MS || 25}`],
    checks: ["rate==1"],
  },
};

const checks = new SharedArray<SeededCheck>(
  "checks",
  () => generateDataset(sizesFor(documentsFromEnv(__ENV))).checks,
);
const pick = zipfPicker(checks.length);
let client: Client | undefined;

export default async function (): Promise<void> {
  client ??= connect();
  const seeded = checks[pick()]!;
  const tags = {
    expected: seeded.allowed ? "allowed" : "denied",
    on_behalf: String(seeded.agent !== ""),
  };
  const response = await client.asyncInvoke(CHECK, checkRequest(seeded), params(tags));
  check(response, { "the seeded answer": (r) => resultOf(r) === expectedResult(seeded) }, tags);
}
