// `latch serve` traced over OTLP/HTTP JSON to a receiver the test runs: a Check carrying a caller's
// traceparent, on each port, is a server span beneath the caller's, with the engine's dispatches,
// the store's queries and Redis's commands beneath it (those after the walk's awaits too), and
// its trace id in the decision record; calls without one are not sampled
// (parentbased_traceidratio at 0). Its log is JSON lines, and /metrics' per-check histograms move
// with the checks.

import { randomBytes } from "node:crypto";
import { mkdtemp, rm } from "node:fs/promises";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { v1 } from "@authzed/authzed-node";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { Metadata } from "@grpc/grpc-js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { decisionRecord } from "../../../src/cli/decision-text.js";
import { DecisionService } from "../../../src/gen/latch/v1/decision_service_pb.js";
import { CheckResult, PermissionService } from "../../../src/gen/latch/v1/permission_service_pb.js";
import {
  RelationshipService,
  RelationshipUpdate_Operation,
} from "../../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../../src/gen/latch/v1/schema_service_pb.js";
import { type ServedLatch, serveLatch, servingPorts } from "../../support/latch-serve.js";
import {
  type OtlpReceiver,
  type ReceivedSpan,
  startOtlpReceiver,
} from "../../support/otlp-receiver.js";
import { waitFor } from "../../support/wait-for.js";

const SCHEMA = `
definition user {}

definition folder {
  relation viewer: user
}

definition document {
  relation parent: folder
  relation viewer: user
  permission view = viewer + parent->viewer
}
`;

const RELATIONSHIPS = [
  ["document", "plan", "parent", "folder", "eng"],
  ["folder", "eng", "viewer", "user", "alice"],
  ["folder", "eng", "viewer", "user", "bob"],
  ["folder", "eng", "viewer", "user", "dave"],
] as const;

const hex = (bytes: number) => randomBytes(bytes).toString("hex");

/** Samples are a scrape's lines: `name{labels}` to value. */
function scrape(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split("\n")) {
    if (line === "" || line.startsWith("#")) continue;
    const space = line.lastIndexOf(" ");
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

describe("latch serve, traced", () => {
  let receiver: OtlpReceiver;
  let served: ServedLatch;
  let dataDir: string;
  let ports: { grpcPort: number; httpPort: number };
  const transports: Record<"gRPC" | "HTTP", () => Transport> = {
    gRPC: () => createGrpcTransport({ baseUrl: `http://127.0.0.1:${ports.grpcPort}` }),
    HTTP: () =>
      createConnectTransport({ baseUrl: `http://127.0.0.1:${ports.httpPort}`, httpVersion: "1.1" }),
  };
  let permissions: Client<typeof PermissionService>;
  const metrics = async () =>
    scrape(await (await fetch(`http://127.0.0.1:${ports.httpPort}/metrics`)).text());

  beforeAll(async () => {
    receiver = await startOtlpReceiver();
    dataDir = await mkdtemp(join(tmpdir(), "latch-traces-"));
    served = serveLatch({
      LATCH_DATA_DIR: dataDir,
      REDIS_URL: "redis://127.0.0.1:6379",
      OTEL_EXPORTER_OTLP_ENDPOINT: receiver.endpoint,
      OTEL_EXPORTER_OTLP_PROTOCOL: "http/json",
      OTEL_TRACES_SAMPLER: "parentbased_traceidratio",
      OTEL_TRACES_SAMPLER_ARG: "0",
      OTEL_BSP_SCHEDULE_DELAY: "50",
    });
    ports = await servingPorts(served);
    const transport = transports.gRPC();
    await createClient(SchemaService, transport).writeSchema({ schema: SCHEMA });
    await createClient(RelationshipService, transport).writeRelationships({
      updates: RELATIONSHIPS.map(([type, id, relation, subjectType, subjectId]) => ({
        operation: RelationshipUpdate_Operation.TOUCH,
        relationship: {
          resource: { type, id },
          relation,
          subject: { object: { type: subjectType, id: subjectId } },
        },
      })),
    });
    permissions = createClient(PermissionService, transport);
    // minimize_latency reads at the change stream's revision: once it has applied the writes.
    await waitFor(
      "the writes to be applied",
      async () =>
        (
          await permissions.check({
            resource: { type: "document", id: "plan" },
            permission: "view",
            subject: { object: { type: "user", id: "dave" } },
          })
        ).result === CheckResult.ALLOWED,
      60_000,
    );
  }, 120_000);

  afterAll(async () => {
    served?.process.kill("SIGTERM");
    await served?.exited;
    await receiver?.close();
    if (dataDir !== undefined) await rm(dataDir, { recursive: true, force: true });
  });

  it.each([
    ["gRPC", "alice"],
    ["HTTP", "bob"],
  ] as const)(
    "continues the caller's trace of a Check over %s, down to the store and Redis, and records its id",
    async (port, who) => {
      const before = await metrics();
      const traceId = hex(16);
      const callerSpan = hex(8);
      const check = await createClient(PermissionService, transports[port]()).check(
        {
          resource: { type: "document", id: "plan" },
          permission: "view",
          subject: { object: { type: "user", id: who } },
        },
        { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } },
      );
      expect(check.result).toBe(CheckResult.ALLOWED);
      expect(check.servedFromCache).toBe(false);

      const inTrace = () => receiver.spans.filter((span) => span.traceId === traceId);
      const named = (name: string) => inTrace().filter((span) => span.name === name);
      // The server span ends last: once it is exported, so are the spans beneath it.
      await waitFor(
        "the server span",
        () => named("latch.v1.PermissionService/Check").length > 0,
        30_000,
      );
      const [server] = named("latch.v1.PermissionService/Check");
      expect(server).toMatchObject({
        parentSpanId: callerSpan,
        kind: 2,
        attributes: {
          "rpc.system": port === "gRPC" ? "grpc" : "connect_rpc",
          "rpc.service": "latch.v1.PermissionService",
          "rpc.method": "Check",
          "rpc.grpc.status_code": 0,
        },
      });
      const byId = new Map(inTrace().map((span) => [span.spanId, span]));
      const ancestors = (span: ReceivedSpan): string[] => {
        const parent = byId.get(span.parentSpanId);
        return parent === undefined ? [] : [parent.name, ...ancestors(parent)];
      };
      const [document] = named("check document#view");
      expect(document).toMatchObject({
        parentSpanId: server!.spanId,
        attributes: { "latch.depth": 0, "latch.cached": false, "latch.result": "allowed" },
      });
      // The arrow's dispatch to the folder, one level down.
      expect(named("check folder#viewer")[0]).toMatchObject({
        attributes: { "latch.depth": 1, "latch.result": "allowed" },
      });
      expect(ancestors(named("check folder#viewer")[0]!)).toContain("check document#view");
      const queries = named("SELECT relationships");
      expect(queries.length).toBeGreaterThan(0);
      for (const query of queries) {
        expect(query).toMatchObject({ kind: 3, attributes: { "db.system": "postgresql" } });
        expect(query.attributes["db.response.returned_rows"]).toEqual(expect.any(Number));
        expect(ancestors(query)).toContain("latch.v1.PermissionService/Check");
      }
      const redis = named("redis GET");
      expect(redis.length).toBeGreaterThan(0);
      expect(redis[0]!.attributes).toMatchObject({
        "db.system": "redis",
        "latch.cache_hit": false,
      });
      // The results computed are kept after the walk's awaits, still within the dispatches'
      // trace; a SET may end after the server span.
      await waitFor("the Redis SET spans", () => named("redis SET").length > 0, 30_000);
      for (const command of [...named("redis GET"), ...named("redis SET")]) {
        expect(ancestors(command)).toContain("latch.v1.PermissionService/Check");
        expect(ancestors(command)[0]).toMatch(/^check /);
      }
      // Identifiers are not traced unless LATCH_TRACE_IDENTIFIERS allows it.
      for (const span of inTrace()) {
        expect(
          Object.keys(span.attributes).filter((key) => /ids|subject|context|query\.text/.test(key)),
        ).toEqual([]);
      }

      const decisions = createClient(DecisionService, transports.gRPC());
      const { decision } = await decisions.getDecision({ decisionId: check.decisionId });
      expect(decisionRecord(decision!).traceId).toBe(traceId);

      const after = await metrics();
      const moved = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(moved("latch_check_dispatches_count")).toBe(1);
      expect(moved("latch_check_dispatches_sum")).toBeGreaterThanOrEqual(2);
      expect(moved("latch_check_store_queries_count")).toBe(1);
      expect(moved("latch_check_store_queries_sum")).toBeGreaterThanOrEqual(1);
    },
    60_000,
  );

  it("spans a streaming call over its whole stream, beneath the caller's", async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const found: string[] = [];
    for await (const item of permissions.lookupResources(
      {
        resourceType: "document",
        permission: "view",
        subject: { object: { type: "user", id: "alice" } },
      },
      { headers: { traceparent: `00-${traceId}-${callerSpan}-01` } },
    )) {
      found.push(item.resourceId);
    }
    expect(found).toEqual(["plan"]);
    const lookup = () =>
      receiver.spans.find(
        (span) => span.traceId === traceId && span.name.endsWith("/LookupResources"),
      );
    await waitFor("the lookup's server span", () => lookup() !== undefined, 30_000);
    expect(lookup()).toMatchObject({
      parentSpanId: callerSpan,
      kind: 2,
      attributes: { "rpc.method": "LookupResources", "rpc.grpc.status_code": 0 },
    });
    const beneath = receiver.spans.filter(
      (span) => span.traceId === traceId && span.parentSpanId === lookup()!.spanId,
    );
    expect(beneath.length).toBeGreaterThan(0);
  });

  it("spans a call on SpiceDB's API as a latch.v1 call, beneath the caller's", async () => {
    const traceId = hex(16);
    const callerSpan = hex(8);
    const client = v1.NewClient(
      "any-token",
      `127.0.0.1:${ports.grpcPort}`,
      v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS,
    );
    const metadata = new Metadata();
    metadata.set("traceparent", `00-${traceId}-${callerSpan}-01`);
    try {
      const answer = await client.promises.checkPermission(
        v1.CheckPermissionRequest.create({
          resource: { objectType: "document", objectId: "plan" },
          permission: "view",
          subject: { object: { objectType: "user", objectId: "alice" }, optionalRelation: "" },
        }),
        metadata,
      );
      expect(answer.permissionship).toBe(v1.CheckPermissionResponse_Permissionship.HAS_PERMISSION);
    } finally {
      client.close();
    }
    const name = "authzed.api.v1.PermissionsService/CheckPermission";
    const server = () =>
      receiver.spans.find((span) => span.traceId === traceId && span.name === name);
    await waitFor("the SpiceDB call's server span", () => server() !== undefined, 30_000);
    expect(server()).toMatchObject({
      parentSpanId: callerSpan,
      kind: 2,
      attributes: {
        "rpc.system": "grpc",
        "rpc.service": "authzed.api.v1.PermissionsService",
        "rpc.method": "CheckPermission",
        "rpc.grpc.status_code": 0,
      },
    });
  });

  it("samples no call that came without a sampled traceparent, and logs JSON lines", async () => {
    const traced = new Set(
      receiver.spans
        .filter((span) => span.name === "latch.v1.PermissionService/Check")
        .map((span) => span.traceId),
    );
    expect(traced.size).toBe(2);
    const others = receiver.spans.filter(
      (span) => span.name.endsWith("/LookupResources") || span.name.startsWith("authzed.api.v1."),
    );
    for (const span of others) traced.add(span.traceId);
    expect(receiver.spans.filter((span) => !traced.has(span.traceId))).toEqual([]);

    const lines = served.log().trimEnd().split("\n");
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    for (const line of parsed) {
      expect(line).toMatchObject({
        level: expect.any(String),
        msg: expect.any(String),
        time: expect.any(String),
      });
    }
    expect(parsed.map((line) => line.msg)).toContainEqual(
      expect.stringMatching(/^latch serving on/),
    );
  });
});
