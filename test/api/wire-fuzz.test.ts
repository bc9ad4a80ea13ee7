// Fuzzing the wire formats against a real server: mutated protobuf over gRPC, Connect and gRPC-Web; hostile Connect JSON.

import { create, type DescMethod, type MessageInitShape, toBinary } from "@bufbuild/protobuf";
import * as grpc from "@grpc/grpc-js";
import fc from "fast-check";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { PermissionService } from "../../src/gen/latch/v1/permission_service_pb.js";
import { RelationshipService } from "../../src/gen/latch/v1/relationship_service_pb.js";
import { SchemaService } from "../../src/gen/latch/v1/schema_service_pb.js";
import { relationship, unary, useTestServer, writeTestData } from "./api-harness.js";
import { envelope } from "./transports.js";

const test = useTestServer();

/** Runs per property: the whole file takes a few seconds, in `npm test` on every run. */
const RUNS = 60;

const alice = { object: { type: "user", id: "alice" } };
const plan = { type: "document", id: "plan" };
const context = { region: "eu", allowed: ["eu", "us"], nested: { n: 1.5, ok: true, none: null } };
const rel = {
  resource: plan,
  relation: "viewer",
  subject: alice,
  caveat: { name: "in_region", context },
  expiresAt: { seconds: 4_102_444_800n, nanos: 5 },
};
const filter = {
  resourceType: "document",
  resourceIds: ["plan", "other"],
  relation: "viewer",
  subjectType: "user",
  subjectIds: ["alice"],
  subjectRelation: "",
};

/** Seed is a valid request of a method, the starting point of mutations. */
interface Seed {
  readonly method: DescMethod;
  readonly message: Uint8Array;
}

function seed<M extends DescMethod>(method: M, init: MessageInitShape<M["input"]>): Seed {
  return { method, message: toBinary(method.input, create(method.input, init)) };
}

/** Valid requests of every method but Watch (which never ends) and WriteSchema (another suite's). */
const SEEDS: readonly Seed[] = [
  seed(PermissionService.method.check, {
    resource: plan,
    permission: "view",
    subject: alice,
    context,
    consistency: { requirement: { case: "fullyConsistent", value: true } },
    explain: true,
  }),
  seed(PermissionService.method.checkBulk, {
    items: [{ resource: plan, permission: "view", subject: alice, context }],
  }),
  seed(PermissionService.method.expand, { resource: plan, permission: "view", depth: 3 }),
  seed(PermissionService.method.lookupResources, {
    resourceType: "document",
    permission: "view",
    subject: alice,
    limit: 2,
    cursor: "",
  }),
  seed(PermissionService.method.lookupSubjects, {
    resource: plan,
    permission: "view",
    subjectType: "user",
  }),
  seed(RelationshipService.method.writeRelationships, {
    updates: [{ operation: 2, relationship: rel }],
    preconditions: [{ operation: 2, filter }],
  }),
  seed(RelationshipService.method.deleteRelationships, { filter, limit: 5 }),
  seed(RelationshipService.method.readRelationships, {
    filter,
    limit: 3,
    cursor: "document:plan#viewer@user:alice",
  }),
  seed(RelationshipService.method.importRelationships, { relationships: [rel] }),
  seed(RelationshipService.method.exportRelationships, { filter }),
  seed(SchemaService.method.readSchema, {}),
  seed(SchemaService.method.validateSchema, { schema: "definition user {}" }),
];

type Mutation =
  | { readonly kind: "truncate"; readonly at: number }
  | { readonly kind: "flip"; readonly at: number; readonly bit: number }
  | { readonly kind: "insert"; readonly at: number; readonly bytes: Uint8Array }
  | { readonly kind: "wire-type"; readonly at: number; readonly type: number }
  | { readonly kind: "huge-length"; readonly at: number; readonly field: number };

const mutation: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({ kind: fc.constant("truncate"), at: fc.nat() }),
  fc.record({ kind: fc.constant("flip"), at: fc.nat(), bit: fc.nat(7) }),
  fc.record({ kind: fc.constant("insert"), at: fc.nat(), bytes: fc.uint8Array({ maxLength: 12 }) }),
  fc.record({ kind: fc.constant("wire-type"), at: fc.nat(), type: fc.nat(7) }),
  fc.record({
    kind: fc.constant("huge-length"),
    at: fc.nat(),
    field: fc.integer({ min: 1, max: 9 }),
  }),
);

/** mutate applies a mutation at a position within bytes (taken modulo its length). */
function mutate(bytes: Uint8Array, m: Mutation): Uint8Array {
  const at = bytes.length === 0 ? 0 : m.at % bytes.length;
  switch (m.kind) {
    case "truncate":
      return bytes.subarray(0, at);
    case "flip": {
      const out = Uint8Array.from(bytes);
      if (out.length > 0) out[at] = out[at]! ^ (1 << m.bit);
      return out;
    }
    case "insert":
      return concat(bytes.subarray(0, at), m.bytes, bytes.subarray(at));
    case "wire-type": {
      const out = Uint8Array.from(bytes);
      if (out.length > 0) out[at] = (out[at]! & ~0b111) | m.type;
      return out;
    }
    case "huge-length": {
      // A length-delimited field claiming ~4 GiB, then whatever followed.
      const field = Uint8Array.from([(m.field << 3) | 2, 0xff, 0xff, 0xff, 0xff, 0x0f]);
      return concat(bytes.subarray(0, at), field, bytes.subarray(at));
    }
  }
}

function concat(...parts: Uint8Array[]): Uint8Array {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0));
  let offset = 0;
  for (const part of parts) {
    out.set(part, offset);
    offset += part.length;
  }
  return out;
}

const mutated = fc
  .record({
    seed: fc.constantFrom(...SEEDS),
    mutations: fc.array(mutation, { minLength: 1, maxLength: 4 }),
  })
  .map(({ seed: s, mutations }) => ({
    method: s.method,
    bytes: mutations.reduce(mutate, s.message),
  }));

const path = (method: DescMethod) => `/${method.parent.typeName}/${method.name}`;

let client: grpc.Client;
beforeAll(async () => {
  await writeTestData(test().clients, [relationship("document:plan", "viewer", "user:alice")]);
  client = new grpc.Client(
    `127.0.0.1:${test().server.grpcPort}`,
    grpc.credentials.createInsecure(),
  );
});
afterAll(() => client.close());

/** grpcCall sends bytes as the request of method over gRPC and resolves with the call's status. */
function grpcCall(method: DescMethod, bytes: Uint8Array): Promise<grpc.StatusObject> {
  const raw = (b: Buffer) => b;
  const request = Buffer.from(bytes);
  const options = { deadline: Date.now() + 5_000 };
  return new Promise((resolve) => {
    const done = (error: grpc.ServiceError | null) =>
      resolve(error ?? { code: grpc.status.OK, details: "", metadata: new grpc.Metadata() });
    const metadata = new grpc.Metadata();
    switch (method.methodKind) {
      case "unary":
        client.makeUnaryRequest(path(method), raw, raw, request, metadata, options, done);
        return;
      case "server_streaming": {
        const call = client.makeServerStreamRequest(
          path(method),
          raw,
          raw,
          request,
          metadata,
          options,
        );
        call.on("data", () => {});
        call.on("error", () => {});
        call.on("status", resolve);
        return;
      }
      default: {
        const call = client.makeClientStreamRequest(
          path(method),
          raw,
          raw,
          metadata,
          options,
          done,
        );
        call.write(request);
        call.end();
      }
    }
  });
}

/** HttpAnswer is an HTTP response reduced to what the properties judge. */
interface HttpAnswer {
  readonly status: number;
  /** The Connect or gRPC-Web code the body or trailer carries, as a name (`ok` when none). */
  readonly code: string;
  readonly text: string;
}

async function httpCall(method: DescMethod, type: string, body: Uint8Array): Promise<HttpAnswer> {
  const response = await fetch(`${test().httpUrl}${path(method)}`, {
    method: "POST",
    headers: {
      "content-type": type,
      ...(type.startsWith("application/grpc-web") ? { "x-grpc-web": "1" } : {}),
    },
    body,
  });
  const bytes = new Uint8Array(await response.arrayBuffer());
  const text = new TextDecoder().decode(bytes);
  return { status: response.status, code: codeOf(type, response.status, bytes, text), text };
}

const GRPC_CODE_NAMES: Record<string, string> = {
  "0": "ok",
  "13": "internal",
  "14": "unavailable",
  "2": "unknown",
};

/** codeOf reads the status an HTTP answer carries, in whichever way its protocol writes it. */
function codeOf(type: string, status: number, bytes: Uint8Array, text: string): string {
  if (type.startsWith("application/grpc-web")) {
    const code = /grpc-status: ?(\d+)/.exec(text)?.[1] ?? "missing";
    return GRPC_CODE_NAMES[code] ?? `grpc ${code}`;
  }
  if (type.startsWith("application/connect+")) {
    // The stream's last envelope (flags 2) holds {} or {"error":{"code":...}}.
    let at = 0;
    let last = "";
    while (at + 5 <= bytes.length) {
      const length = new DataView(bytes.buffer, bytes.byteOffset + at + 1, 4).getUint32(0);
      if (bytes[at] === 2) last = new TextDecoder().decode(bytes.subarray(at + 5, at + 5 + length));
      at += 5 + length;
    }
    if (status !== 200) return `http ${status}`;
    return last === "" ? "missing end" : (JSON.parse(last).error?.code ?? "ok");
  }
  if (status === 200) return "ok";
  try {
    return String(JSON.parse(text).code);
  } catch {
    return `http ${status}`;
  }
}

/** A fault of Latch's, or a server gone: what no request may cause. */
const FAULTS = ["internal", "unknown", "unavailable", "missing", "missing end"];

/**
 * judge runs send and checks its outcome: never a fault, and a refused request leaves the store's
 * head where it was.
 */
async function judge(send: () => Promise<{ failed: boolean; fault: string | undefined }>) {
  const before = await test().store.headRevision();
  const { failed, fault } = await send();
  expect(fault, "a request the client got wrong is no fault of Latch's").toBeUndefined();
  if (failed) expect(await test().store.headRevision()).toBe(before);
}

const httpJudgement = (answer: HttpAnswer) => ({
  failed: answer.code !== "ok",
  fault:
    answer.status >= 500 || FAULTS.includes(answer.code)
      ? `${answer.status} ${answer.code}: ${answer.text.slice(0, 300)}`
      : undefined,
});

describe("fuzzing the wire formats", () => {
  it("gRPC: mutated protobuf is answered, never INTERNAL, and refusals write nothing", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async ({ method, bytes }) => {
        await judge(async () => {
          const status = await grpcCall(method, bytes);
          const fault = [grpc.status.INTERNAL, grpc.status.UNKNOWN, grpc.status.UNAVAILABLE];
          return {
            failed: status.code !== grpc.status.OK,
            fault: fault.includes(status.code)
              ? `${grpc.status[status.code]}: ${status.details}`
              : undefined,
          };
        });
      }),
      { numRuns: RUNS },
    );
  });

  it("Connect application/proto and connect+proto: mutated protobuf is never a 500", async () => {
    await fc.assert(
      fc.asyncProperty(mutated, async ({ method, bytes }) => {
        await judge(async () =>
          httpJudgement(
            method.methodKind === "unary"
              ? await httpCall(method, "application/proto", bytes)
              : await httpCall(method, "application/connect+proto", envelope(bytes)),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("gRPC-Web: mutated frames (messages and envelopes) are never INTERNAL", async () => {
    const frame = fc.record({
      flags: fc.constantFrom(0, 0, 0, 1, 2, 0x80),
      cut: fc.option(fc.nat(), { nil: undefined }),
    });
    await fc.assert(
      fc.asyncProperty(mutated, frame, async ({ method, bytes }, { flags, cut }) => {
        const framed = envelope(bytes, flags);
        const body = cut === undefined ? framed : framed.subarray(0, cut % (framed.length + 1));
        await judge(async () =>
          httpJudgement(await httpCall(method, "application/grpc-web+proto", body)),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("Connect JSON: wrong types, deep nesting, huge strings, NUL and unpaired surrogates are never a 500", async () => {
    const nasty = fc.constantFrom(
      "\u0000",
      "a\u0000b",
      "\ud800",
      "x\udfffy",
      "x".repeat(70_000),
      "document:plan#viewer@user:alice",
      "lt1_AAAA",
      "*",
      "",
    );
    const deep = fc.integer({ min: 30, max: 3_000 }).map((depth) => {
      let value: unknown = "eu";
      for (let i = 0; i < depth; i++) value = i % 2 === 0 ? { a: value } : [value];
      return value;
    });
    const value = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }),
      nasty,
      deep,
      fc.double(),
      fc.bigInt().map(String),
    );
    const fieldNames = fc.constantFrom(
      "resource",
      "subject",
      "permission",
      "context",
      "filter",
      "updates",
      "preconditions",
      "items",
      "cursor",
      "consistency",
      "limit",
      "expiresAt",
      "relationships",
      "resourceType",
      "resourceIds",
      "schema",
      "depth",
    );
    const body = fc.oneof(
      fc.dictionary(fieldNames, value, { maxKeys: 5 }).map((o) => JSON.stringify(o)),
      fc
        .record({ field: fieldNames, inner: fc.dictionary(fieldNames, value, { maxKeys: 3 }) })
        .map(({ field, inner }) => JSON.stringify({ [field]: inner })),
      fc.string({ maxLength: 50 }),
      deep.map((v) => JSON.stringify(v)),
    );
    const methods = SEEDS.map((s) => s.method);
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...methods), body, async (method, text) => {
        const bytes = new TextEncoder().encode(text);
        await judge(async () =>
          httpJudgement(
            method.methodKind === "unary"
              ? await httpCall(method, "application/json", bytes)
              : await httpCall(method, "application/connect+json", envelope(bytes)),
          ),
        );
      }),
      { numRuns: RUNS },
    );
  });

  it("still answers a known Check afterwards, on both ports", async () => {
    await writeTestData(test().clients, [relationship("document:plan", "viewer", "user:alice")]);
    const check = { resource: plan, permission: "view", subject: alice };
    const answer = await unary(test().clients.permissions, "Check", {
      ...check,
      consistency: { fullyConsistent: true },
    });
    expect(answer.result).toBe("CHECK_RESULT_ALLOWED");
    const http = await fetch(`${test().httpUrl}/latch.v1.PermissionService/Check`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify(check),
    });
    expect(await http.json()).toMatchObject({ result: "CHECK_RESULT_ALLOWED" });
  });
});
