// /metrics on a running server over PGlite and Postgres: RPC latency by method and code on both
// ports, checks by result, source and on-behalf-of, the change stream's lag, the decision log's
// queue, and the Postgres pool (absent on PGlite, which has none).

import * as grpc from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import type { LatchServer } from "../../../src/api/latch-server.js";
import { AGENT_SCHEMA } from "../../agents/agent-schema.js";
import {
  type ApiClients,
  connectClients,
  expectStatus,
  type JsonMessage,
  relationship,
  serverStream,
  startTestServer,
  subject,
  unary,
  update,
} from "../../api/api-harness.js";
import { DECISION_STORES, type OpenedStore } from "../../decisions/integration/decision-stores.js";
import { waitFor } from "../../support/wait-for.js";

/** Samples are a scrape's lines: `name{labels}` (labels as written) to value. */
type Samples = Map<string, number>;

/** parse reads the Prometheus text format's samples, skipping comments. */
function parse(text: string): Samples {
  const samples: Samples = new Map();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

/** series names a sample by metric and labels, in the order prom-client writes them. */
function series(name: string, labels: Record<string, string> = {}): string {
  const written = Object.entries(labels).map(([k, v]) => `${k}="${v}"`);
  return written.length === 0 ? name : `${name}{${written.join(",")}}`;
}

const CHECK = "latch.v1.PermissionService/Check";
const READ = "latch.v1.RelationshipService/ReadRelationships";
const WATCH = "latch.v1.RelationshipService/Watch";

const checkCount = (samples: Samples, code: string) =>
  samples.get(series("latch_rpc_duration_seconds_count", { method: CHECK, code })) ?? 0;
const checks = (samples: Samples, result: string, cached: boolean, onBehalfOf: boolean) =>
  samples.get(
    series("latch_checks_total", {
      result,
      served_from_cache: String(cached),
      on_behalf_of: String(onBehalfOf),
    }),
  ) ?? 0;

describe.each(DECISION_STORES)("/metrics on $name", ({ name, open }) => {
  let opened: OpenedStore | undefined;
  let server: LatchServer | undefined;
  let clients: ApiClients | undefined;

  const scrape = async () => {
    const response = await fetch(`http://127.0.0.1:${server!.httpPort}/metrics`);
    expect(response.status).toBe(200);
    return parse(await response.text());
  };
  const check = (who: string, extra: JsonMessage = {}) =>
    unary(clients!.permissions, "Check", {
      resource: { type: "document", id: "plan" },
      permission: "view",
      subject: subject("user", who),
      ...extra,
    });

  beforeAll(async () => {
    if (open === undefined) return;
    opened = await open();
    const database = opened.store.database;
    server = await startTestServer(opened.store, [], {
      database,
      decisions: { database, settings: { mode: "async", retentionMs: 86_400_000, redactKeys: [] } },
    });
    clients = connectClients(server.grpcPort);
    await unary(clients.schema, "WriteSchema", { schema: AGENT_SCHEMA });
    await unary(clients.relationships, "WriteRelationships", {
      updates: [
        relationship("agent:bot", "owner", "user:alice"),
        relationship("document:plan", "viewer", "user:alice"),
        relationship("document:plan", "viewer", "agent:bot"),
      ].map((rel) => update("TOUCH", rel)),
    });
  });

  afterAll(async () => {
    for (const client of Object.values(clients ?? {})) client.close();
    await server?.close(1000);
    await opened?.close();
  });

  it.skipIf(open === undefined)(
    "time every call by method and code, and count checks by source and on-behalf-of",
    async () => {
      const before = await scrape();
      // Each answer says its result and whether the cache gave it: the counts must agree with what
      // was said. A check at minimize_latency may read before the writes above reached the change
      // tracker, and is then denied.
      const answers = new Map<string, number>();
      const counted = (response: JsonMessage) => {
        const key = `${response.result}/${response.servedFromCache === true}`;
        answers.set(key, (answers.get(key) ?? 0) + 1);
        return key;
      };
      // At the head revision (the cache may hold it already), then asked until the cache answers
      // at a read point that holds the writes (on a busy machine it may move on a few times first).
      counted(await check("alice", { consistency: { fullyConsistent: true } }));
      const allowedFromCache = "CHECK_RESULT_ALLOWED/true";
      let last = "";
      const deadline = Date.now() + 20_000;
      while (last !== allowedFromCache && Date.now() < deadline)
        last = counted(await check("alice"));
      expect(last).toBe(allowedFromCache);
      let ok = [...answers.values()].reduce((sum, n) => sum + n, 0);
      // The bot acting for alice.
      await check("alice", { actors: [subject("agent", "bot")] });
      ok++;
      // Refused over gRPC, and over Connect JSON on the HTTP port.
      await expectStatus(
        unary(clients!.permissions, "Check", {
          resource: { type: "document", id: "plan" },
          permission: "nope",
          subject: subject("user", "alice"),
        }),
        grpc.status.INVALID_ARGUMENT,
      );
      const refused = await fetch(`http://127.0.0.1:${server!.httpPort}/${CHECK}`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ resource: { type: "", id: "plan" }, permission: "view" }),
      });
      expect(refused.status).toBe(400);
      // A stream counts once, when it ends.
      await serverStream(clients!.relationships, "ReadRelationships", {
        filter: { resourceType: "document" },
      });

      const after = await scrape();
      expect(checkCount(after, "OK") - checkCount(before, "OK")).toBe(ok);
      expect(checkCount(after, "INVALID_ARGUMENT") - checkCount(before, "INVALID_ARGUMENT")).toBe(
        2,
      );
      const read = series("latch_rpc_duration_seconds_count", { method: READ, code: "OK" });
      expect((after.get(read) ?? 0) - (before.get(read) ?? 0)).toBe(1);
      // Every call falls in the +Inf bucket; the smallest bucket is under a millisecond.
      const bucket = (le: string) =>
        after.get(series("latch_rpc_duration_seconds_bucket", { le, method: CHECK, code: "OK" }));
      expect(bucket("+Inf")).toBe(checkCount(after, "OK"));
      expect(bucket("0.0001")).toBeGreaterThanOrEqual(0);
      expect(
        after.get(series("latch_rpc_duration_seconds_sum", { method: CHECK, code: "OK" })),
      ).toBeGreaterThan(0);

      for (const [result, name] of [
        ["allowed", "CHECK_RESULT_ALLOWED"],
        ["denied", "CHECK_RESULT_DENIED"],
      ] as const) {
        for (const cached of [false, true]) {
          expect(
            checks(after, result, cached, false) - checks(before, result, cached, false),
            `${result} answers, served from the cache: ${cached}`,
          ).toBe(answers.get(`${name}/${cached}`) ?? 0);
        }
      }
      const onBehalf =
        checks(after, "allowed", false, true) +
        checks(after, "allowed", true, true) -
        checks(before, "allowed", false, true) -
        checks(before, "allowed", true, true);
      expect(onBehalf).toBe(1);
    },
  );

  it.skipIf(open === undefined)("count a stream the client cancels as CANCELLED", async () => {
    const cancelled = series("latch_rpc_duration_seconds_count", {
      method: WATCH,
      code: "CANCELLED",
    });
    const before = (await scrape()).get(cancelled) ?? 0;
    const watch = clients!.relationships as unknown as Record<
      string,
      (request: JsonMessage) => grpc.ClientReadableStream<JsonMessage>
    >;
    const call = watch.Watch!.call(clients!.relationships, {});
    call.on("error", () => {});
    let changes = 0;
    call.on("data", () => changes++);
    // A Watch opens from the head: touch until one of the writes reaches it.
    await waitFor(
      "the Watch open",
      async () => {
        await unary(clients!.relationships, "WriteRelationships", {
          updates: [update("TOUCH", relationship("document:plan", "viewer", "user:bob"))],
        });
        return changes > 0;
      },
      10_000,
    );
    call.cancel();
    await waitFor(
      "the cancelled Watch counted",
      async () => (await scrape()).get(cancelled) === before + 1,
      10_000,
    );
  });

  it.skipIf(open === undefined)(
    "report the change stream's lag, the decision log's queue and the pool",
    async () => {
      // The server reads the store's head every second; the stream has applied every write.
      await waitFor(
        "the change stream caught up",
        async () => {
          const samples = await scrape();
          return (
            samples.get("latch_change_stream_lag_revisions") === 0 &&
            samples.get("latch_change_stream_lag_seconds") === 0
          );
        },
        10_000,
      );
      await waitFor(
        "the checks' decisions written",
        async () => (await scrape()).get("latch_decisions_written_total")! > 0,
        10_000,
      );
      const samples = await scrape();
      expect(samples.get("latch_decisions_queued")).toBeGreaterThanOrEqual(0);
      expect(samples.get("latch_decisions_dropped_total")).toBe(0);
      const pool = ["in_use", "idle", "waiting"].map((state) =>
        samples.get(series("latch_db_pool_connections", { state })),
      );
      if (name === "Postgres") {
        for (const value of pool) expect(value).toBeGreaterThanOrEqual(0);
        expect(pool[0]! + pool[1]!).toBeGreaterThan(0);
      } else {
        expect(pool).toEqual([undefined, undefined, undefined]);
      }
    },
  );
});
