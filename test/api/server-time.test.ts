// The server's time over the API: business hours by the server's clock, and a caller's `now` refused
// (LATCH_SERVER_CONTEXT) over gRPC and Connect JSON, for Check, CheckBulk and both lookups.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import {
  expectStatus,
  type JsonMessage,
  ref,
  relationship,
  serverStream,
  struct,
  subject,
  type TestServer,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";

const SCHEMA = `caveat business_hours(now timestamp) {
  now.getDayOfWeek() >= 1 && now.getDayOfWeek() <= 5 && now.getHours() >= 9 && now.getHours() < 17
}

caveat in_region(region string) {
  region == "eu"
}

definition user {}

definition document {
  relation viewer: user with business_hours | user with in_region
  permission view = viewer
}
`;

/** A Wednesday at 10:00 UTC: inside business hours. */
const WEDNESDAY_MORNING = "2026-03-04T10:00:00Z";

/** setUp writes the schema and alice's business-hours grants: by the clock, and frozen in time. */
function setUp(test: () => TestServer): void {
  beforeAll(async () => {
    const { clients } = test();
    await unary(clients.schema, "WriteSchema", { schema: SCHEMA });
    await unary(clients.relationships, "WriteRelationships", {
      updates: [
        update(
          "TOUCH",
          relationship("document:plan", "viewer", "user:alice", {
            caveat: { name: "business_hours" },
          }),
        ),
        // A relationship may carry its own `now`: the refusal is of callers' contexts only.
        update(
          "TOUCH",
          relationship("document:frozen", "viewer", "user:alice", {
            caveat: { name: "business_hours", context: struct({ now: WEDNESDAY_MORNING }) },
          }),
        ),
        update(
          "TOUCH",
          relationship("document:eu", "viewer", "user:alice", { caveat: { name: "in_region" } }),
        ),
      ],
    });
  });
}

/** inBusinessHours is what business_hours says of a time. */
function inBusinessHours(time: Date): boolean {
  const day = time.getUTCDay();
  return day >= 1 && day <= 5 && time.getUTCHours() >= 9 && time.getUTCHours() < 17;
}

const alice = subject("user", "alice");
const checkOf = (id: string, context?: Record<string, unknown>): JsonMessage => ({
  resource: ref("document", id),
  permission: "view",
  subject: alice,
  ...(context === undefined ? {} : { context: struct(context) }),
});

describe("over gRPC, with the default LATCH_SERVER_CONTEXT", () => {
  const test = useTestServer();
  setUp(test);
  const permissions = () => test().clients.permissions;

  it("answers business hours by the server's clock, valid until the end of the decision's second", async () => {
    const answer = await unary(permissions(), "Check", checkOf("plan"));
    const validUntil = Number(answer.validUntil.seconds) * 1000 + answer.validUntil.nanos / 1e6;
    // The decision's time is the second before validUntil: the answer is business hours then.
    const decided = new Date(validUntil - 1000);
    expect(validUntil % 1000).toBe(0);
    expect(answer.result).toBe(
      inBusinessHours(decided) ? "CHECK_RESULT_ALLOWED" : "CHECK_RESULT_DENIED",
    );
    expect(Math.abs(decided.getTime() - Date.now())).toBeLessThan(60_000);
    // A relationship's own `now` still decides for it.
    expect((await unary(permissions(), "Check", checkOf("frozen"))).result).toBe(
      "CHECK_RESULT_ALLOWED",
    );
  });

  it("refuses a caller's now in Check, whatever the time it claims, and serves on", async () => {
    for (const now of [WEDNESDAY_MORNING, "2026-03-07T10:00:00Z"]) {
      await expectStatus(
        unary(permissions(), "Check", checkOf("plan", { now })),
        status.INVALID_ARGUMENT,
        "context.now: a request may not supply 'now': LATCH_SERVER_CONTEXT reserves it for the server, which fills it with the time of the decision",
      );
    }
    // Other parameters are the caller's to give.
    expect((await unary(permissions(), "Check", checkOf("eu", { region: "eu" }))).result).toBe(
      "CHECK_RESULT_ALLOWED",
    );
  });

  it("refuses a whole CheckBulk whose item supplies now, naming the item", async () => {
    await expectStatus(
      unary(permissions(), "CheckBulk", {
        items: [checkOf("eu", { region: "eu" }), checkOf("frozen"), checkOf("plan", { now: "" })],
      }),
      status.INVALID_ARGUMENT,
      "items[2].context.now: a request may not supply 'now'",
      "LATCH_SERVER_CONTEXT",
    );
    const answered = await unary(permissions(), "CheckBulk", {
      items: [checkOf("eu", { region: "eu" }), checkOf("frozen")],
    });
    expect(answered.pairs.map((pair: JsonMessage) => pair.item.result)).toEqual([
      "CHECK_RESULT_ALLOWED",
      "CHECK_RESULT_ALLOWED",
    ]);
  });

  it("refuses a caller's now in LookupResources and LookupSubjects", async () => {
    const context = struct({ now: WEDNESDAY_MORNING });
    await expectStatus(
      serverStream(permissions(), "LookupResources", {
        resourceType: "document",
        permission: "view",
        subject: alice,
        context,
      }),
      status.INVALID_ARGUMENT,
      "context.now",
      "LATCH_SERVER_CONTEXT",
    );
    await expectStatus(
      serverStream(permissions(), "LookupSubjects", {
        resource: ref("document", "plan"),
        permission: "view",
        subjectType: "user",
        context,
      }),
      status.INVALID_ARGUMENT,
      "context.now",
      "LATCH_SERVER_CONTEXT",
    );
    const found = await serverStream(permissions(), "LookupResources", {
      resourceType: "document",
      permission: "view",
      subject: alice,
    });
    expect(found.map((item) => item.resourceId)).toContain("frozen");
  });
});

describe("over Connect JSON", () => {
  const test = useTestServer();
  setUp(test);
  const post = (method: string, body: unknown, contentType = "application/json") =>
    fetch(`${test().httpUrl}/latch.v1.PermissionService/${method}`, {
      method: "POST",
      headers: { "content-type": contentType },
      body: body instanceof Uint8Array ? body : JSON.stringify(body),
    });
  const check = (id: string, context?: Record<string, unknown>) => ({
    resource: { type: "document", id },
    permission: "view",
    subject: { object: { type: "user", id: "alice" } },
    ...(context === undefined ? {} : { context }),
  });
  const refusal = {
    code: "invalid_argument",
    message:
      "context.now: a request may not supply 'now': LATCH_SERVER_CONTEXT reserves it for the server, which fills it with the time of the decision",
  };

  it("refuses a caller's now in Check and CheckBulk, and serves on", async () => {
    const refused = await post("Check", check("plan", { now: WEDNESDAY_MORNING }));
    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual(refusal);
    const bulk = await post("CheckBulk", { items: [check("frozen"), check("plan", { now: 1 })] });
    expect(bulk.status).toBe(400);
    expect(await bulk.json()).toEqual({
      code: "invalid_argument",
      message: expect.stringMatching(/^items\[1\]\.context\.now: .*LATCH_SERVER_CONTEXT/),
    });
    const answered = await post("Check", check("frozen"));
    expect(await answered.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
  });

  it("refuses a caller's now in a streamed LookupResources", async () => {
    const message = Buffer.from(
      JSON.stringify({
        resourceType: "document",
        permission: "view",
        subject: { object: { type: "user", id: "alice" } },
        context: { now: WEDNESDAY_MORNING },
      }),
    );
    const envelope = Buffer.alloc(5);
    envelope.writeUInt32BE(message.length, 1);
    const response = await post(
      "LookupResources",
      Buffer.concat([envelope, message]),
      "application/connect+json",
    );
    const body = Buffer.from(await response.arrayBuffer());
    // One envelope: the end of the stream (flags 2), holding the error.
    expect(body[0]).toBe(2);
    expect(JSON.parse(body.subarray(5).toString())).toEqual({ error: refusal });
  });
});

describe("with LATCH_SERVER_CONTEXT set empty", () => {
  const test = useTestServer([], () => createMemoryStore(), { serverContext: [] });
  setUp(test);

  it("takes a caller's now, which then decides", async () => {
    const permissions = test().clients.permissions;
    expect(
      (await unary(permissions, "Check", checkOf("plan", { now: WEDNESDAY_MORNING }))).result,
    ).toBe("CHECK_RESULT_ALLOWED");
    expect(
      (await unary(permissions, "Check", checkOf("plan", { now: "2026-03-07T10:00:00Z" }))).result,
    ).toBe("CHECK_RESULT_DENIED");
  });
});

describe("with LATCH_SERVER_CONTEXT=now,region", () => {
  const test = useTestServer([], () => createMemoryStore(), { serverContext: ["now", "region"] });
  setUp(test);

  it("refuses each parameter it lists", async () => {
    await expectStatus(
      unary(test().clients.permissions, "Check", checkOf("eu", { region: "eu" })),
      status.INVALID_ARGUMENT,
      "context.region: a request may not supply 'region': LATCH_SERVER_CONTEXT reserves it for the server",
    );
  });
});
