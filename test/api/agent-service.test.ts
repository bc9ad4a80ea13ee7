// AgentService over gRPC and Connect JSON: suspensions of agents, people and every agent; expiry,
// Watch, the list; bad input refused by field with nothing written; keys and scopes.

import { status } from "@grpc/grpc-js";
import { beforeAll, describe, expect, it } from "vitest";
import { hashApiKey } from "../../src/api/api-keys.js";
import { AGENT_SCHEMA } from "../agents/agent-schema.js";
import { widening } from "../support/time-window.js";
import { waitFor } from "../support/wait-for.js";
import {
  clientStream,
  expectStatus,
  type JsonMessage,
  relationship,
  serverStream,
  subject,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";

/** The data: alice and bob view the plan, as do their agents: alice's bot, and bob's helper. */
const DATA = [
  relationship("agent:bot", "owner", "user:alice"),
  relationship("agent:helper", "owner", "user:bob"),
  relationship("document:plan", "viewer", "user:alice"),
  relationship("document:plan", "viewer", "user:bob"),
  relationship("document:plan", "viewer", "agent:bot"),
  relationship("document:plan", "viewer", "agent:helper"),
];

const FULLY_CONSISTENT = { fullyConsistent: true };

const test = useTestServer();
const agents = () => test().clients.agents;
const permissions = () => test().clients.permissions;

const suspend = (who: JsonMessage, reason: string, extra: JsonMessage = {}) =>
  unary(agents(), "Suspend", { subject: who, reason, ...extra });
const resume = (who: JsonMessage) => unary(agents(), "Resume", { subject: who });
const listSuspensions = async () =>
  (await unary(agents(), "ListSuspensions", { consistency: FULLY_CONSISTENT })).suspensions;

/** check asks document:plan#view for `who`, with actors, at fully_consistent. */
const check = (who: JsonMessage, actors: JsonMessage[] = []) =>
  unary(permissions(), "Check", {
    resource: { type: "document", id: "plan" },
    permission: "view",
    subject: who,
    actors,
    consistency: FULLY_CONSISTENT,
  });

const alice = subject("user", "alice");
const bob = subject("user", "bob");
const bot = subject("agent", "bot");
const helper = subject("agent", "helper");
const everyAgent = subject("agent", "*");

beforeAll(async () => {
  const { clients } = test();
  await unary(clients.schema, "WriteSchema", { schema: AGENT_SCHEMA });
  await unary(clients.relationships, "WriteRelationships", {
    updates: DATA.map((rel) => update("TOUCH", rel)),
  });
});

describe("Suspend, ListSuspensions, Resume", () => {
  it("records who suspended, why, since and until when, and lifts it once", async () => {
    const before = Date.now();
    const suspended = await suspend(bot, "leaked token");
    expect(suspended.suspendedAt).toMatch(/^lt1_/);
    const { suspension } = suspended;
    expect(suspension).toMatchObject({
      subject: bot,
      reason: "leaked token",
      suspendedBy: "development",
    });
    expect(Number(suspension.suspendedAt.seconds) * 1000).toBeGreaterThanOrEqual(
      Math.floor(before / 1000) * 1000,
    );
    expect(suspension.expiresAt).toBeNull();
    expect(await listSuspensions()).toEqual([suspension]);

    const again = await suspend(bot, "leaked token, rotated", {
      expiresAt: { seconds: String(Math.floor(Date.now() / 1000) + 3600), nanos: 0 },
    });
    expect(await listSuspensions()).toEqual([again.suspension]);

    const resumed = await resume(bot);
    expect(resumed.resumedAt).toMatch(/^lt1_/);
    expect(await listSuspensions()).toEqual([]);
    await expectStatus(resume(bot), status.NOT_FOUND, "subject: agent:bot is not suspended");
  });

  it("serves the same over Connect JSON", async () => {
    const post = async (method: string, body: unknown) => {
      const response = await fetch(`${test().httpUrl}/latch.v1.AgentService/${method}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: (await response.json()) as JsonMessage };
    };
    const who = { object: { type: "agent", id: "helper" } };
    const suspended = await post("Suspend", { subject: who, reason: "over JSON" });
    expect(suspended.status).toBe(200);
    expect(suspended.body.suspension).toMatchObject({ subject: who, reason: "over JSON" });
    const listed = await post("ListSuspensions", {
      consistency: { atLeastAsFresh: suspended.body.suspendedAt },
    });
    expect(listed.body.suspensions).toEqual([suspended.body.suspension]);
    expect((await post("Resume", { subject: who })).status).toBe(200);
    const again = await post("Resume", { subject: who });
    expect(again.status).toBe(404);
    expect(again.body).toMatchObject({ code: "not_found" });
  });

  it("lists by page, in subject order, each page resuming after the last one's cursor", async () => {
    const suspended = ["*", "a1", "a2", "a3", "a4"].map((id) => subject("agent", id));
    let token = "";
    for (const who of suspended) token = (await suspend(who, "paged")).suspendedAt;
    const pages: JsonMessage[] = [];
    let cursor = "";
    let consistency: JsonMessage = { atLeastAsFresh: token };
    do {
      const page = await unary(agents(), "ListSuspensions", { consistency, pageSize: 2, cursor });
      pages.push(page);
      consistency = { atExactSnapshot: page.readAt };
      cursor = page.nextCursor;
    } while (cursor !== "");
    expect(pages.map((page) => page.suspensions.map((s: JsonMessage) => s.subject))).toEqual([
      suspended.slice(0, 2),
      suspended.slice(2, 4),
      suspended.slice(4),
    ]);
    expect(pages.map((page) => page.nextCursor)).toEqual(["agent:a1", "agent:a3", ""]);
    expect(new Set(pages.map((page) => page.readAt)).size).toBe(1);
    // A page that ends with the last suspension says no other follows.
    const whole = await unary(agents(), "ListSuspensions", {
      consistency: FULLY_CONSISTENT,
      pageSize: 5,
    });
    expect([whole.suspensions.length, whole.nextCursor]).toEqual([5, ""]);
    for (const who of suspended) await resume(who);
  });

  it("lists 100 a page unless asked otherwise", async () => {
    const suspended = Array.from({ length: 101 }, (_, i) => subject("agent", `x${1000 + i}`));
    await Promise.all(suspended.map((who) => suspend(who, "many")));
    const first = await unary(agents(), "ListSuspensions", { consistency: FULLY_CONSISTENT });
    expect([first.suspensions.length, first.nextCursor]).toEqual([100, "agent:x1099"]);
    const rest = await unary(agents(), "ListSuspensions", {
      consistency: { atExactSnapshot: first.readAt },
      cursor: first.nextCursor,
    });
    expect(rest.suspensions.map((s: JsonMessage) => s.subject)).toEqual([suspended[100]]);
    expect(rest.nextCursor).toBe("");
    await Promise.all(suspended.map((who) => resume(who)));
  });

  it("reads as relationships of latch/suspension, exported and imported like any", async () => {
    const { clients } = test();
    await suspend(helper, "exported");
    const exported = await serverStream(clients.relationships, "ExportRelationships", {
      filter: { resourceType: "latch/suspension" },
      consistency: FULLY_CONSISTENT,
    });
    const [suspension] = exported.flatMap((batch) => batch.relationships);
    expect(suspension).toMatchObject({
      resource: { type: "latch/suspension", id: "all" },
      relation: "suspended",
      subject: helper,
      caveat: { name: "latch/suspension_note" },
    });
    await resume(helper);
    await clientStream(clients.relationships, "ImportRelationships", [
      { relationships: [suspension] },
    ]);
    expect((await listSuspensions()).map((s: JsonMessage) => s.reason)).toEqual(["exported"]);
    await resume(helper);
  });
});

describe("what a suspension denies", () => {
  it("denies a suspended agent in every chain that holds it, SUSPENDED, naming it", async () => {
    expect((await check(alice, [bot])).result).toBe("CHECK_RESULT_ALLOWED");
    const { suspendedAt } = await suspend(bot, "prompt injection");
    const denied = await unary(permissions(), "Check", {
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: alice,
      actors: [bot],
      consistency: { atLeastAsFresh: suspendedAt },
    });
    expect(denied).toMatchObject({
      result: "CHECK_RESULT_DENIED",
      deniedBy: bot,
      reason: "DENIAL_REASON_SUSPENDED",
    });
    expect(denied.legs).toContainEqual(
      expect.objectContaining({
        kind: "KIND_SUSPENSION",
        member: bot,
        result: "CHECK_RESULT_DENIED",
      }),
    );
    // As a subject itself, too; and nobody else is touched.
    expect(await check(bot)).toMatchObject({ result: "CHECK_RESULT_DENIED", deniedBy: bot });
    expect((await check(bob, [helper])).result).toBe("CHECK_RESULT_ALLOWED");
    await resume(bot);
    expect((await check(alice, [bot])).result).toBe("CHECK_RESULT_ALLOWED");
  });

  it("suspending a person cuts off every agent acting for them", async () => {
    await suspend(alice, "left the company");
    expect(await check(alice)).toMatchObject({
      result: "CHECK_RESULT_DENIED",
      deniedBy: alice,
      reason: "DENIAL_REASON_SUSPENDED",
    });
    expect(await check(alice, [bot])).toMatchObject({
      result: "CHECK_RESULT_DENIED",
      deniedBy: alice,
      reason: "DENIAL_REASON_SUSPENDED",
    });
    expect((await check(bot)).result).toBe("CHECK_RESULT_ALLOWED");
    expect((await check(bob, [helper])).result).toBe("CHECK_RESULT_ALLOWED");
    await resume(alice);
    expect((await check(alice, [bot])).result).toBe("CHECK_RESULT_ALLOWED");
  });

  it("suspending agent:* stops every agent, people untouched, until it alone is lifted", async () => {
    await suspend(bot, "its own");
    await suspend(everyAgent, "emergency stop");
    for (const [who, actors] of [
      [alice, [bot]],
      [bob, [helper]],
    ] as const) {
      expect(await check(who, [...actors])).toMatchObject({
        result: "CHECK_RESULT_DENIED",
        deniedBy: actors[0],
        reason: "DENIAL_REASON_SUSPENDED",
      });
    }
    expect((await check(bob)).result).toBe("CHECK_RESULT_ALLOWED");
    await resume(everyAgent);
    expect((await check(bob, [helper])).result).toBe("CHECK_RESULT_ALLOWED");
    expect((await check(alice, [bot])).reason).toBe("DENIAL_REASON_SUSPENDED");
    await resume(bot);
  });

  it("answers each CheckBulk item for its own chain; a plain item reads as it always has", async () => {
    await suspend(bot, "bulk");
    const item = (who: JsonMessage, actors: JsonMessage[] = []) => ({
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: who,
      actors,
    });
    const { pairs } = await unary(permissions(), "CheckBulk", {
      items: [
        item(alice, [bot]),
        item(bob, [helper]),
        item(subject("user", "carol")),
        item(alice, [alice]),
      ],
      consistency: FULLY_CONSISTENT,
    });
    expect(
      pairs.map((p: JsonMessage) =>
        p.response === "error"
          ? p.error.message
          : [p.item.result, p.item.reason, p.item.legs.length > 0],
      ),
    ).toEqual([
      ["CHECK_RESULT_DENIED", "DENIAL_REASON_SUSPENDED", true],
      ["CHECK_RESULT_ALLOWED", "DENIAL_REASON_UNSPECIFIED", true],
      ["CHECK_RESULT_DENIED", "DENIAL_REASON_UNSPECIFIED", false],
      expect.stringContaining("actors[0]"),
    ]);
    expect(pairs[0].item.deniedBy).toEqual(bot);
    expect(pairs[2].item.deniedBy).toBeNull();
    await resume(bot);
  });

  it("an expiring suspension ends by itself: denied until expires_at, allowed after", async () => {
    // The suspension must be written and checked before it expires: on a machine too slow for
    // the window, the test starts again with a wider one.
    await widening([1_500, 5_000, 20_000], async (window) => {
      const expiresAt = window.end.getTime();
      await window.inTime(
        suspend(helper, "for a moment", {
          expiresAt: {
            seconds: String(Math.floor(expiresAt / 1000)),
            nanos: (expiresAt % 1000) * 1e6,
          },
        }),
      );
      expect((await window.inTime(check(bob, [helper]))).reason).toBe("DENIAL_REASON_SUSPENDED");
      await waitFor(
        "the suspension to expire",
        async () => (await check(bob, [helper])).result === "CHECK_RESULT_ALLOWED",
        window.ms + 10_000,
      );
      expect(Date.now()).toBeGreaterThanOrEqual(expiresAt);
      expect(await listSuspensions()).toEqual([]);
    });
  });
});

describe("Watch", () => {
  it("shows a Suspend as a touch and a Resume as a delete of latch/suspension", async () => {
    const { clients } = test();
    const from = (await unary(clients.schema, "ReadSchema", {})).readAt;
    await suspend(bot, "watched");
    await resume(bot);
    const call = clients.relationships as unknown as Record<
      string,
      (r: JsonMessage) => AsyncIterable<JsonMessage> & { cancel(): void }
    >;
    const stream = call.watch!({ since: from, resourceTypes: ["latch/suspension"] });
    const changes: JsonMessage[] = [];
    for await (const response of stream) {
      changes.push(...response.changes);
      if (changes.length === 2) break;
    }
    stream.cancel();
    expect(changes.map((c) => [c.operation, c.relationship.subject])).toEqual([
      ["OPERATION_TOUCH", bot],
      ["OPERATION_DELETE", bot],
    ]);
    expect(changes[0]?.relationship.caveat.context).toBeDefined();
  });
});

describe("bad input", () => {
  /** refused expects call to fail INVALID_ARGUMENT naming field, with nothing written and the server serving on. */
  async function refused(call: () => Promise<unknown>, ...contains: string[]) {
    const { store } = test();
    const head = await store.headRevision();
    await expectStatus(call(), status.INVALID_ARGUMENT, ...contains);
    expect(await store.headRevision()).toBe(head);
    expect((await check(bob)).result).toBe("CHECK_RESULT_ALLOWED");
  }

  it("refuses a Suspend or Resume of what cannot be suspended, naming the field", async () => {
    await refused(() => suspend(subject("ghost", "x"), "why"), "subject.object.type", "'ghost'");
    await refused(
      () => suspend(subject("latch/suspension", "all"), "why"),
      "subject.object.type",
      "Latch's own definition",
    );
    await refused(
      () => suspend(subject("agent", "bot", "owner"), "why"),
      "subject.relation",
      "not of the subject set agent:bot#owner",
    );
    await refused(() => unary(agents(), "Suspend", { reason: "why" }), "subject is required");
    await refused(() => resume(subject("ghost", "x")), "subject.object.type");
  });

  it("refuses an empty or long reason, and an expiry that has passed", async () => {
    await refused(() => suspend(bot, ""), "reason: required");
    await refused(() => suspend(bot, "   "), "reason: required");
    await refused(() => suspend(bot, "x".repeat(1025)), "reason: 1025 characters", "1024");
    await refused(
      () => suspend(bot, "late", { expiresAt: { seconds: "1000", nanos: 0 } }),
      "expires_at: 1970-01-01T00:16:40Z is not in the future",
    );
    expect(await listSuspensions()).toEqual([]);
  });

  it("refuses a ListSuspensions page size past the limit, and a cursor it did not return", async () => {
    const list = (request: JsonMessage) => () => unary(agents(), "ListSuspensions", request);
    await refused(list({ pageSize: 1001 }), "page_size: at most 1000, got 1001");
    await refused(list({ cursor: "nope" }), "cursor: not a cursor ListSuspensions returned");
    await refused(
      list({ cursor: "group:eng#member" }),
      "cursor: not a cursor ListSuspensions returned",
      "subject set",
    );
  });

  it("refuses writes and deletes of latch/ types: suspensions change through AgentService", async () => {
    const { clients } = test();
    await refused(
      () =>
        unary(clients.relationships, "WriteRelationships", {
          updates: [
            update(
              "TOUCH",
              relationship("latch/suspension:all", "suspended", "agent:bot", {
                caveat: { name: "latch/suspension_note" },
              }),
            ),
          ],
        }),
      "updates[0].relationship.resource.type",
      "reserved for Latch's built-in definitions",
      "AgentService",
    );
    await refused(
      () =>
        unary(clients.relationships, "WriteRelationships", {
          updates: [
            update("DELETE", relationship("latch/suspension:all", "suspended", "agent:bot")),
          ],
        }),
      "updates[0].relationship.resource.type",
    );
    await refused(
      () =>
        unary(clients.relationships, "DeleteRelationships", {
          filter: { resourceType: "latch/suspension" },
        }),
      "filter.resource_type",
      "AgentService",
    );
  });

  it("leaves suspensions to AgentService when a DeleteRelationships filter names no resource type, though reads carry them", async () => {
    const { clients } = test();
    const { suspendedAt } = await suspend(bot, "kept through deletes");
    const filter = { subjectType: "agent", subjectIds: ["bot"] };
    const read = async (token: string) =>
      (
        await serverStream(clients.relationships, "ReadRelationships", {
          filter,
          consistency: { atLeastAsFresh: token },
        })
      ).map(({ relationship: r }) => `${r.resource.type}:${r.resource.id}#${r.relation}`);
    expect(await read(suspendedAt)).toEqual([
      "document:plan#viewer",
      "latch/suspension:all#suspended",
    ]);
    // The limit counts what the delete would delete: the suspension is not among them.
    const deleted = await unary(clients.relationships, "DeleteRelationships", {
      filter,
      limit: 1,
    });
    expect(deleted.deletedCount).toBe("1");
    expect(await read(deleted.deletedAt)).toEqual(["latch/suspension:all#suspended"]);
    expect((await listSuspensions()).map((s: JsonMessage) => s.subject)).toEqual([bot]);
    expect(await check(bot)).toMatchObject({ deniedBy: bot, reason: "DENIAL_REASON_SUSPENDED" });
    await unary(clients.relationships, "WriteRelationships", {
      updates: [update("TOUCH", relationship("document:plan", "viewer", "agent:bot"))],
    });
    await resume(bot);
    expect((await check(alice, [bot])).result).toBe("CHECK_RESULT_ALLOWED");
  });

  it("refuses a schema that defines latch/ names, at the line, and keeps serving the old one", async () => {
    const { clients } = test();
    const text = `${AGENT_SCHEMA}\ndefinition latch/suspension {\n  relation suspended: user\n}\n`;
    await refused(
      () => unary(clients.schema, "WriteSchema", { schema: text }),
      "schema:18:12: definition 'latch/suspension': the prefix 'latch/' is reserved",
    );
    const { diagnostics } = await unary(clients.schema, "ValidateSchema", { schema: text });
    expect(diagnostics.map((d: JsonMessage) => [d.code, d.line])).toEqual([["reserved-name", 18]]);
    expect((await unary(clients.schema, "ReadSchema", {})).schema).toBe(AGENT_SCHEMA);
  });

  it("refuses a schema write that would strand suspensions, saying how to lift them", async () => {
    const { clients } = test();
    await suspend(subject("robot", "r2"), "haywire");
    const withoutRobots = AGENT_SCHEMA.replace("definition robot {}\n", "").replace(" | robot", "");
    await expectStatus(
      unary(clients.schema, "WriteSchema", { schema: withoutRobots }),
      status.FAILED_PRECONDITION,
      "definition 'robot' is removed while objects of it are suspended",
      "lift it first: latch resume robot:r2",
    );
    await resume(subject("robot", "r2"));
  });

  it("refuses actor chains the engine cannot decide on, naming the actor", async () => {
    const many = Array.from({ length: 17 }, (_, i) => subject("agent", `a${i}`));
    await refused(() => check(alice, many), "actors: 17 actors is more than the limit of 16");
    await refused(() => check(alice, [alice]), "actors[0]");
    await refused(() => check(alice, [bot, bot]), "actors[1]");
    await refused(() => check(alice, [subject("robot", "r2")]), "actors[0]", "act_for");
    await refused(() => check(alice, [everyAgent]), "actors[0]");
    await refused(() => check(alice, [subject("agent", "bot", "owner")]), "actors[0]");
  });
});

describe("with API keys", () => {
  const keys = [
    { name: "admin", sha256: hashApiKey("admin-secret"), scopes: ["admin" as const] },
    { name: "ops", sha256: hashApiKey("ops-secret"), scopes: ["write" as const, "read" as const] },
    { name: "checker", sha256: hashApiKey("check-secret"), scopes: ["check" as const] },
  ];
  const keyed = useTestServer(keys);
  const as = (token: string) => ({ token });

  beforeAll(async () => {
    const { clients } = keyed();
    await unary(clients.schema, "WriteSchema", { schema: AGENT_SCHEMA }, as("admin-secret"));
  });

  it("records the key's name as who suspended, and asks write to suspend, read to list", async () => {
    const { clients } = keyed();
    const suspended = await unary(
      clients.agents,
      "Suspend",
      { subject: bot, reason: "by ops" },
      as("ops-secret"),
    );
    expect(suspended.suspension.suspendedBy).toBe("ops");
    await expectStatus(
      unary(clients.agents, "Suspend", { subject: bot, reason: "no" }, as("check-secret")),
      status.PERMISSION_DENIED,
      "lacks the scope 'write'",
    );
    await expectStatus(
      unary(clients.agents, "ListSuspensions", {}, as("check-secret")),
      status.PERMISSION_DENIED,
      "lacks the scope 'read'",
    );
    const listed = await unary(
      clients.agents,
      "ListSuspensions",
      { consistency: FULLY_CONSISTENT },
      as("ops-secret"),
    );
    expect(listed.suspensions.map((s: JsonMessage) => s.suspendedBy)).toEqual(["ops"]);
  });
});
