// DecisionService on a server: the records a log wrote, read over both ports with the `audit`
// scope; bad input refused INVALID_ARGUMENT naming the field; no log, FAILED_PRECONDITION.

import { Code, ConnectError, createClient } from "@connectrpc/connect";
import { createGrpcTransport } from "@connectrpc/connect-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type ApiKey, hashApiKey } from "../../../src/api/api-keys.js";
import type { LatchServer } from "../../../src/api/latch-server.js";
import { decisionRecord } from "../../../src/cli/decision-text.js";
import type { SqlDecisionLog } from "../../../src/decisions/sql-decision-log.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { createMemoryStore } from "../../../src/store/memory/memory-store.js";
import { startTestServer } from "../../api/api-harness.js";
import { waitFor } from "../../support/wait-for.js";
import { makeDecision } from "../decision-fixtures.js";
import { DECISION_STORES, type OpenedStore, openSyncLog } from "./decision-stores.js";

const AUDITOR = "lk_auditor-secret";
const CHECKER = "lk_checker-secret";
const KEYS: ApiKey[] = [
  { name: "auditor", sha256: hashApiKey(AUDITOR), scopes: ["audit"] },
  { name: "checker", sha256: hashApiKey(CHECKER), scopes: ["check"] },
];

/** The last store that runs here: Postgres when a server answers, else PGlite. */
const { open } = [...DECISION_STORES].reverse().find((s) => s.open !== undefined)!;

/** post calls a unary method over Connect JSON and returns the status and body. */
async function post(server: LatchServer, method: string, body: unknown, key = AUDITOR) {
  const response = await fetch(
    `http://127.0.0.1:${server.httpPort}/latch.v1.DecisionService/${method}`,
    {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${key}` },
      body: JSON.stringify(body),
    },
  );
  return { status: response.status, body: (await response.json()) as Record<string, unknown> };
}

describe("DecisionService", () => {
  let opened: OpenedStore | undefined;
  let writer: SqlDecisionLog | undefined;
  let server: LatchServer | undefined;
  const decisions = Array.from({ length: 12 }, (_, i) =>
    makeDecision({ subject: `user:u${i % 3}`, result: i % 2 === 0 ? "allowed" : "denied" }),
  );

  beforeAll(async () => {
    opened = await open!();
    const database = opened.store.database;
    server = await startTestServer(opened.store, KEYS, {
      decisions: { database, settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] } },
    });
    // Known decisions, written through a log of its own on the same tables.
    writer = await openSyncLog(database);
    await Promise.all(decisions.map((d) => writer!.record(d)));
  });

  afterAll(async () => {
    await server?.close(1000);
    await writer?.close(1000);
    await opened?.close();
  });

  const grpcClient = () =>
    createClient(
      DecisionService,
      createGrpcTransport({
        baseUrl: `http://127.0.0.1:${server!.grpcPort}`,
        interceptors: [
          (next) => (request) => {
            request.header.set("authorization", `Bearer ${AUDITOR}`);
            return next(request);
          },
        ],
      }),
    );

  it("lists, gets and verifies over gRPC, with the records as written", async () => {
    const client = grpcClient();
    const page = await client.listDecisions({ filter: { subject: "user:u1" } });
    const wanted = decisions.filter((d) => d.subject === "user:u1").reverse();
    expect(page.decisions.map(decisionRecord)).toEqual(wanted.map((d) => ({ ...d, masked: [] })));
    const { decision } = await client.getDecision({ decisionId: decisions[3]!.decisionId });
    expect(decisionRecord(decision!)).toEqual({ ...decisions[3], masked: [] });
    const report = await client.verifyDecisions({});
    expect(report.problem).toBeUndefined();
    expect(report.decisions).toBe(12n);
  });

  it("streams new decisions over gRPC", async () => {
    const stop = new AbortController();
    const seen: string[] = [];
    const streaming = (async () => {
      try {
        for await (const response of grpcClient().watchDecisions({}, { signal: stop.signal })) {
          seen.push(...response.decisions.map((d) => d.decisionId));
        }
      } catch (error) {
        if (!stop.signal.aborted) throw error;
      }
    })();
    // The stream starts at the head when the server first reads it: write until one shows.
    const written: string[] = [];
    await waitFor(
      "a decision written during the stream, on it",
      async () => {
        const decision = makeDecision();
        await writer!.record(decision);
        written.push(decision.decisionId);
        return seen.some((id) => written.includes(id));
      },
      20_000,
    );
    expect(decisions.some((d) => seen.includes(d.decisionId))).toBe(false);
    stop.abort();
    await streaming;
  });

  it("gets over Connect JSON, and says NOT_FOUND for an id it does not hold", async () => {
    const found = await post(server!, "GetDecision", { decisionId: decisions[0]!.decisionId });
    expect(found.status).toBe(200);
    expect(found.body.decision).toMatchObject({
      decisionId: decisions[0]!.decisionId,
      subject: "user:u0",
    });
    const missing = await post(server!, "GetDecision", {
      decisionId: "01900000-0000-7000-8000-000000000000",
    });
    expect(missing.body).toMatchObject({ code: "not_found" });
  });

  it("refuses bad input with INVALID_ARGUMENT naming the field", async () => {
    const first = await post(server!, "ListDecisions", {
      filter: { subject: "user" },
      pageSize: 2,
    });
    const cursor = first.body.nextCursor;
    expect(cursor).toMatch(/^dc1_/);
    const cases: [string, unknown, RegExp][] = [
      ["ListDecisions", { filter: { subjekt: "user:alice" } }, /subjekt/],
      ["GetDecision", { decisionId: "42" }, /^decision_id: not a decision id/],
      [
        "ListDecisions",
        { filter: { since: "2026-02-01T00:00:00Z", until: "2026-01-01T00:00:00Z" } },
        /^filter\.until: must be after filter\.since .*reversed/,
      ],
      [
        "ListDecisions",
        { filter: { subject: "user:u1" }, cursor },
        /^cursor: this cursor belongs to another query/,
      ],
      ["ListDecisions", { cursor: "lt1_abc" }, /^cursor: not a cursor/],
      ["ListDecisions", { pageSize: 5000 }, /^page_size: at most 1000/],
      ["ListDecisions", { filter: { subject: "user:a b" } }, /^filter\.subject: /],
      [
        "ListDecisions",
        { filter: { actor: "agent" } },
        /^filter\.actor: an object such as agent:bot/,
      ],
      ["ListDecisions", { filter: { apiKey: "no spaces" } }, /^filter\.api_key: /],
      ["VerifyDecisions", { since: { seconds: "-99999999999999" } }, /./],
    ];
    for (const [method, body, message] of cases) {
      const answer = await post(server!, method, body);
      expect(answer.body, JSON.stringify(body)).toMatchObject({ code: "invalid_argument" });
      expect(String(answer.body.message), JSON.stringify(body)).toMatch(message);
    }
  });

  it("refuses a watch with an end", async () => {
    const error = await (async () => {
      for await (const _ of grpcClient().watchDecisions({ filter: { until: { seconds: 1n } } })) {
        // Never reached: the stream fails before its first message.
      }
    })().catch((reason: unknown) => ConnectError.from(reason));
    expect(error).toMatchObject({ code: Code.InvalidArgument });
    expect((error as ConnectError).rawMessage).toMatch(/^filter\.until: a watch has no end/);
  });

  it("needs the audit scope", async () => {
    const answer = await post(server!, "ListDecisions", {}, CHECKER);
    expect(answer.body).toMatchObject({ code: "permission_denied" });
    expect(String(answer.body.message)).toContain("lacks the scope 'audit'");
  });

  it("answers FAILED_PRECONDITION on a server with no decision log", async () => {
    const bare = await startTestServer(createMemoryStore(), KEYS);
    try {
      const answer = await post(bare, "ListDecisions", {});
      expect(answer.body).toMatchObject({ code: "failed_precondition" });
    } finally {
      await bare.close(1000);
    }
  });
});
