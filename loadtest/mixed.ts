// Checks with a stream of writes, as an application makes them: each VU, on its first iteration
// and every 50th, grants or revokes a scratch relationship of its own, and the token of that
// write flows into every check it asks afterwards (`at_least_as_fresh`), so the reads see it: the
// write's own grant is asked at once and must show it, and the seeded checks, which no write
// touches, keep their answers.
// Run `seed.ts` first. LATCH_TARGET, LATCH_API_KEY, LATCH_DOCUMENTS (as seeded), LATCH_RATE
// (calls/s, default 500), LATCH_DURATION (default 30s)

import { check } from "k6";
import { SharedArray } from "k6/data";
import { type Client, StatusOK } from "k6/net/grpc";
import { documentsFromEnv, generateDataset, type SeededCheck, sizesFor } from "./dataset.ts";
import { CHECK, checkRequest, connect, expectedResult, params, resultOf, WRITE } from "./latch.ts";
import { zipfPicker } from "./zipf.ts";

/** Each VU writes (and reads its write back) on its first iteration and every this many after. */
const WRITE_EVERY = 50;
const rate = Number(__ENV.LATCH_RATE || 500);

export const options = {
  scenarios: {
    mixed: {
      executor: "constant-arrival-rate",
      rate,
      timeUnit: "1s",
      duration: __ENV.LATCH_DURATION || "30s",
      preAllocatedVUs: Math.max(10, Math.ceil(rate / 50)),
      maxVUs: Math.max(50, Math.ceil(rate / 10)),
    },
  },
  thresholds: {
    "grpc_req_duration{kind:check}": ["p(99)<50"],
    "grpc_req_duration{kind:write}": ["p(99)<250"],
    checks: ["rate==1"],
  },
};

const checks = new SharedArray<SeededCheck>(
  "checks",
  () => generateDataset(sizesFor(documentsFromEnv(__ENV))).checks,
);
const pick = zipfPicker(checks.length);
let client: Client | undefined;
/** The token of this VU's last write: its reads must be at least as fresh. */
let token = "";
/** Whether this VU's scratch grant stands after its last write. */
let granted = false;

export default async function (): Promise<void> {
  client ??= connect();
  if (__ITER % WRITE_EVERY === 0) return writeAndReadBack(client);
  const seeded = checks[pick()]!;
  const tags = {
    kind: "check",
    expected: seeded.allowed ? "allowed" : "denied",
    on_behalf: String(seeded.agent !== ""),
  };
  const response = await client.asyncInvoke(CHECK, checkRequest(seeded, token), params(tags));
  check(response, { "the seeded answer": (r) => resultOf(r) === expectedResult(seeded) }, tags);
}

async function writeAndReadBack(client: Client): Promise<void> {
  const scratch: SeededCheck = {
    document: `lt_scratch_${__VU}`,
    user: `lt_scratch_${__VU}`,
    agent: "",
    allowed: !granted,
  };
  const relationship = {
    resource: { type: "document", id: scratch.document },
    relation: "viewer",
    subject: { object: { type: "user", id: scratch.user } },
  };
  const operation = scratch.allowed ? "OPERATION_TOUCH" : "OPERATION_DELETE";
  const written = await client.asyncInvoke(
    WRITE,
    { updates: [{ operation, relationship }] },
    params({ kind: "write" }),
  );
  if (!check(written, { "the write commits": (r) => r.status === StatusOK })) return;
  token = (written.message as { writtenAt: string }).writtenAt;
  granted = scratch.allowed;
  const read = await client.asyncInvoke(
    CHECK,
    checkRequest(scratch, token),
    params({ kind: "check" }),
  );
  check(read, {
    "a read at the write's token sees it": (r) => resultOf(r) === expectedResult(scratch),
  });
}
