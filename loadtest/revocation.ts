// Revocation: the time from a revoking write's acknowledgement to the first check that answers
// denied, on a grant whose allowed answer was just asked (and so cached). Each iteration grants a
// VU's scratch relationship, asks it, deletes it, then asks at `minimize_latency` back to back
// until denied (the Trend revocation_ms); a check at the delete's token must deny at once (the
// Counter stale_allows_with_token counts those that did not).
//   LATCH_TARGET, LATCH_API_KEY, LATCH_DURATION (default 20s); needs no seeding.

import { check, fail } from "k6";
import { Counter, Trend } from "k6/metrics";
import { type Client, StatusOK } from "k6/net/grpc";
import type { SeededCheck } from "./dataset.ts";
import { CHECK, checkRequest, connect, params, resultOf, WRITE } from "./latch.ts";

/** How long a revoked grant may go on being allowed before the iteration gives up. */
const PATIENCE_MS = 5000;

export const options = {
  scenarios: {
    revocations: { executor: "constant-vus", vus: 4, duration: __ENV.LATCH_DURATION || "20s" },
  },
  thresholds: {
    revocation_ms: ["p(99)<10"],
    stale_allows_with_token: ["count==0"],
    checks: ["rate==1"],
  },
};

const revocation = new Trend("revocation_ms", true);
const staleWithToken = new Counter("stale_allows_with_token");
let client: Client | undefined;

export default async function (): Promise<void> {
  client ??= connect();
  const grant: SeededCheck = {
    document: `lt_revoke_${__VU}`,
    user: `lt_revoke_${__VU}`,
    agent: "",
    allowed: true,
  };
  const relationship = {
    resource: { type: "document", id: grant.document },
    relation: "viewer",
    subject: { object: { type: "user", id: grant.user } },
  };
  const touched = await write(client, "OPERATION_TOUCH", relationship);
  const before = await client.asyncInvoke(CHECK, checkRequest(grant, touched), params());
  if (!check(before, { "allowed once granted": (r) => resultOf(r) === "CHECK_RESULT_ALLOWED" }))
    return;
  const deleted = await write(client, "OPERATION_DELETE", relationship);
  const acknowledged = Date.now();
  for (;;) {
    const after = await client.asyncInvoke(CHECK, checkRequest(grant), params());
    if (resultOf(after) === "CHECK_RESULT_DENIED") break;
    if (Date.now() - acknowledged > PATIENCE_MS) {
      check(after, { "denied once revoked": () => false });
      return;
    }
  }
  revocation.add(Date.now() - acknowledged);
  const fresh = await client.asyncInvoke(CHECK, checkRequest(grant, deleted), params());
  if (resultOf(fresh) !== "CHECK_RESULT_DENIED") staleWithToken.add(1);
}

async function write(client: Client, operation: string, relationship: object): Promise<string> {
  const written = await client.asyncInvoke(
    WRITE,
    { updates: [{ operation, relationship }] },
    params(),
  );
  if (written.status !== StatusOK) fail(`WriteRelationships failed: status ${written.status}`);
  return (written.message as { writtenAt: string }).writtenAt;
}
