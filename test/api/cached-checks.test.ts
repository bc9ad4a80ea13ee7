// Checks the result cache answers: marked served_from_cache on both ports, counted in /metrics, never
// stale, and bypassed by explanations and fully consistent reads.

import { beforeAll, describe, expect, it } from "vitest";
import { widening } from "../support/time-window.js";
import { waitFor } from "../support/wait-for.js";
import {
  type JsonMessage,
  ref,
  relationship,
  struct,
  subject,
  unary,
  update,
  useTestServer,
  writeTestData,
} from "./api-harness.js";

const test = useTestServer();
let writtenAt = "";

beforeAll(async () => {
  writtenAt = await writeTestData(test().clients, [
    relationship("document:plan", "viewer", "user:alice"),
    relationship("document:plan", "viewer", "user:bob"),
    relationship("document:memo", "viewer", "user:carl", {
      caveat: { name: "in_region", context: struct({ allowed: ["eu"] }) },
    }),
  ]);
});

const fresh = (token: string) => ({ consistency: { atLeastAsFresh: token } });

const check = (resource: string, who: string, extra: JsonMessage = {}) =>
  unary(test().clients.permissions, "Check", {
    resource: ref(...(resource.split(":") as [string, string])),
    permission: "view",
    subject: subject(...(who.split(":") as [string, string])),
    ...extra,
  });

/** cachedCheck asks until the cache answers (the first answers compute and keep it). */
async function cachedCheck(resource: string, who: string): Promise<JsonMessage> {
  await check(resource, who, fresh(writtenAt));
  for (let attempt = 0; attempt < 50; attempt++) {
    const answer = await check(resource, who);
    if (answer.servedFromCache) return answer;
  }
  throw new Error(`the cache never answered ${resource}#view@${who}`);
}

async function metric(name: string, labels: string): Promise<number> {
  const text = await (await fetch(`${test().httpUrl}/metrics`)).text();
  const line = text.split("\n").find((l) => l.startsWith(`${name}{${labels}}`));
  return line === undefined ? 0 : Number(line.slice(line.lastIndexOf(" ") + 1));
}

describe("cached checks", () => {
  it("are marked served_from_cache over gRPC and Connect, with the same answer and token", async () => {
    const first = await check("document:plan", "user:alice", fresh(writtenAt));
    expect(first).toMatchObject({ result: "CHECK_RESULT_ALLOWED", servedFromCache: false });
    const cached = await cachedCheck("document:plan", "user:alice");
    expect(cached.result).toBe("CHECK_RESULT_ALLOWED");
    expect((await check("document:plan", "user:alice")).checkedAt).toBe(cached.checkedAt);

    const response = await fetch(`${test().httpUrl}/latch.v1.PermissionService/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        resource: { type: "document", id: "plan" },
        permission: "view",
        subject: { object: { type: "user", id: "alice" } },
      }),
    });
    expect(await response.json()).toMatchObject({
      result: "CHECK_RESULT_ALLOWED",
      servedFromCache: true,
    });
  });

  it("keep a conditional answer's missing parameters", async () => {
    const cached = await cachedCheck("document:memo", "user:carl");
    expect(cached).toMatchObject({
      result: "CHECK_RESULT_CONDITIONAL",
      missingParameters: ["region"],
    });
  });

  it("are not served for explanations or fully consistent reads", async () => {
    await cachedCheck("document:plan", "user:bob");
    const explained = await check("document:plan", "user:bob", { explain: true });
    expect(explained.servedFromCache).toBe(false);
    expect(explained.explanation).toBeTruthy();
    const consistent = await check("document:plan", "user:bob", {
      consistency: { fullyConsistent: true },
    });
    expect(consistent).toMatchObject({ result: "CHECK_RESULT_ALLOWED", servedFromCache: false });
  });

  it("stop at a revocation: the delete's token denies, and so does minimize_latency after", async () => {
    await cachedCheck("document:plan", "user:alice");
    const { deletedAt } = await unary(test().clients.relationships, "DeleteRelationships", {
      filter: { resourceType: "document", resourceIds: ["plan"], relation: "viewer" },
    });
    expect((await check("document:plan", "user:alice", fresh(deletedAt))).result).toBe(
      "CHECK_RESULT_DENIED",
    );
    expect((await check("document:plan", "user:alice")).result).toBe("CHECK_RESULT_DENIED");
  });

  it("answer the first check after an expiry from the cache: computed ahead, as of the expiry", async () => {
    // The grant must be written and checked before it expires: on a machine too slow for the
    // window, the test starts again on a new document, with a wider one.
    let attempt = 0;
    await widening([800, 3_000, 10_000], async (window) => {
      const resource = `document:trial${attempt++}`;
      // Not on a whole second: an answer that ends with its second is taken for one that used the
      // server's time, and computed ahead only once asked again. Later, not earlier, than the
      // window's end, so that a write too late for it is a missed window, not a refusal.
      const end = window.end.getTime();
      const expiresAt = end % 1000 === 0 ? end + 1 : end;
      const { writtenAt: granted } = await window.inTime(
        unary(test().clients.relationships, "WriteRelationships", {
          updates: [
            update(
              "TOUCH",
              relationship(resource, "viewer", "user:dana", {
                expiresAt: {
                  seconds: String(Math.floor(expiresAt / 1000)),
                  nanos: (expiresAt % 1000) * 1e6,
                },
              }),
            ),
          ],
        }),
      );
      // A check starts computing the answer ahead once the expiry is less than a second away.
      await waitFor("the expiry to be near", () => expiresAt - Date.now() < 800, window.ms);
      const before = await window.inTime(check(resource, "user:dana", fresh(granted)));
      expect(before.result).toBe("CHECK_RESULT_ALLOWED");
      await window.closed();
      expect(await check(resource, "user:dana")).toMatchObject({
        result: "CHECK_RESULT_DENIED",
        servedFromCache: true,
      });
    });
  });

  it("are counted in /metrics by source, with the lookups that hit", async () => {
    await cachedCheck("document:memo", "user:carl");
    const [checksBefore, hitsBefore] = [
      await metric(
        "latch_checks_total",
        'result="conditional",served_from_cache="true",on_behalf_of="false"',
      ),
      await metric("latch_cache_lookups_total", 'result="hit"'),
    ];
    expect((await check("document:memo", "user:carl")).servedFromCache).toBe(true);
    expect(
      await metric(
        "latch_checks_total",
        'result="conditional",served_from_cache="true",on_behalf_of="false"',
      ),
    ).toBe(checksBefore + 1);
    // One lookup per leg: the subject's suspension (the server adds latch/suspension to every
    // schema) and its permission.
    expect(await metric("latch_cache_lookups_total", 'result="hit"')).toBe(hitsBefore + 2);
  });
});
