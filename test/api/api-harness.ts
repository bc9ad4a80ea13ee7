// An in-process Latch server and an independent gRPC client built from the .proto files with proto-loader.

import { fileURLToPath } from "node:url";
import * as grpc from "@grpc/grpc-js";
import { loadSync } from "@grpc/proto-loader";
import { afterAll, beforeAll } from "vitest";
import { type ApiKey, ApiKeyRing } from "../../src/api/api-keys.js";
import { type LatchServer, type ServerOptions, startServer } from "../../src/api/latch-server.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store } from "../../src/store/store.js";
import { TEST_SCHEMA } from "./api-schema.js";

const PROTO_DIRECTORY = fileURLToPath(new URL("../../proto/", import.meta.url));
const REFLECTION_PROTO = fileURLToPath(
  new URL("../../node_modules/@grpc/reflection/build/proto/", import.meta.url),
);
const HEALTH_PROTO = fileURLToPath(
  new URL("../../node_modules/grpc-health-check/proto/", import.meta.url),
);

/** The protos as grpcurl or any client would load them: no generated code of Latch's. */
const definitions = grpc.loadPackageDefinition(
  loadSync(
    [
      "latch/v1/permission_service.proto",
      "latch/v1/relationship_service.proto",
      "latch/v1/schema_service.proto",
      "latch/v1/agent_service.proto",
      "health/v1/health.proto",
      "grpc/reflection/v1/reflection.proto",
      "grpc/reflection/v1alpha/reflection.proto",
    ],
    {
      includeDirs: [PROTO_DIRECTORY, REFLECTION_PROTO, HEALTH_PROTO],
      longs: String,
      enums: String,
      defaults: true,
      oneofs: true,
    },
  ),
);

/** JsonMessage is a message as proto-loader decodes it. */
// biome-ignore lint/suspicious/noExplicitAny: proto-loader messages are untyped by design; the tests read them as JSON.
export type JsonMessage = Record<string, any>;

type Constructor = new (
  address: string,
  credentials: grpc.ChannelCredentials,
  options?: grpc.ChannelOptions,
) => grpc.Client;

function service(path: string): Constructor {
  let node: unknown = definitions;
  for (const part of path.split(".")) node = (node as Record<string, unknown>)[part];
  return node as Constructor;
}

/** ApiClients holds a client per service, each on the server's gRPC port. */
export interface ApiClients {
  readonly permissions: grpc.Client;
  readonly relationships: grpc.Client;
  readonly schema: grpc.Client;
  readonly agents: grpc.Client;
  readonly health: grpc.Client;
  readonly reflection: grpc.Client;
  readonly reflectionAlpha: grpc.Client;
}

/** connectClients makes a client per service for the gRPC port on 127.0.0.1; close each after. */
export function connectClients(grpcPort: number): ApiClients {
  return clientsAt(hostPort("127.0.0.1", grpcPort));
}

/**
 * startTestServer serves store on free ports of 127.0.0.1 with keys, if any; a fault of Latch's
 * fails the call that met it, and the log is dropped, unless options say otherwise.
 */
export function startTestServer(
  store: Store,
  keys: readonly ApiKey[] = [],
  options: Partial<Pick<ServerOptions, "onInternalError" | "log">> & TestServerOptions = {},
): Promise<LatchServer> {
  return startServer({
    store,
    keys: new ApiKeyRing(keys),
    host: "127.0.0.1",
    grpcPort: 0,
    httpPort: 0,
    onInternalError: (method, error) => {
      throw new Error(`internal error in ${method}: ${String(error)}`);
    },
    log: () => {},
    ...options,
  });
}

/** TestServer is a running server on a fresh memory store, with clients and its HTTP address. */
export interface TestServer {
  readonly store: Store;
  readonly server: LatchServer;
  readonly clients: ApiClients;
  readonly httpUrl: string;
}

/** TestServerOptions are the server options a test may set; the rest are the harness's. */
export type TestServerOptions = Partial<
  Pick<
    ServerOptions,
    | "host"
    | "connections"
    | "onConnectionLimit"
    | "serverContext"
    | "decisions"
    | "cache"
    | "database"
  >
>;

/**
 * overriding is store with the methods in overrides in place of its own, for a test that watches
 * or slows what the server asks of its store; overrides call the store's own as they need.
 */
export function overriding(store: Store, overrides: Partial<Store>): Store {
  return new Proxy(store, {
    get(target, property) {
      const own = Reflect.get(overrides, property);
      if (own !== undefined) return own;
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}

/**
 * useTestServer starts a server for the enclosing file or describe block (with keys, if any, on
 * the store makeStore opens, on 127.0.0.1 unless options say otherwise) and stops it after.
 */
export function useTestServer(
  keys: readonly ApiKey[] = [],
  makeStore: () => Store = () => createMemoryStore(),
  options: TestServerOptions = {},
): () => TestServer {
  let running: TestServer | undefined;
  beforeAll(async () => {
    const store = makeStore();
    const server = await startTestServer(store, keys, options);
    const host = options.host ?? "127.0.0.1";
    running = {
      store,
      server,
      httpUrl: `http://${hostPort(host, server.httpPort)}`,
      clients: clientsAt(hostPort(host, server.grpcPort)),
    };
  });
  afterAll(async () => {
    if (running === undefined) return;
    for (const client of Object.values(running.clients)) client.close();
    await running.server.close(1000);
    await running.store.close();
  });
  return () => {
    if (running === undefined) throw new Error("the test server is not running");
    return running;
  };
}

/** hostPort writes host and port as an address: `[::1]:50051` for an IPv6 host. */
export function hostPort(host: string, port: number): string {
  return host.includes(":") ? `[${host}]:${port}` : `${host}:${port}`;
}

/**
 * clientsAt makes a client per service for the gRPC server at address, sharing one connection
 * (or, with `grpc.use_local_subchannel_pool`, one of their own).
 */
export function clientsAt(address: string, channelOptions: grpc.ChannelOptions = {}): ApiClients {
  const credentials = grpc.credentials.createInsecure();
  const make = (path: string) => new (service(path))(address, credentials, channelOptions);
  return {
    permissions: make("latch.v1.PermissionService"),
    relationships: make("latch.v1.RelationshipService"),
    schema: make("latch.v1.SchemaService"),
    agents: make("latch.v1.AgentService"),
    health: make("grpc.health.v1.Health"),
    reflection: make("grpc.reflection.v1.ServerReflection"),
    reflectionAlpha: make("grpc.reflection.v1alpha.ServerReflection"),
  };
}

/** CallOptions add metadata and a deadline to a call. */
export interface CallOptions {
  readonly token?: string;
  readonly deadlineMs?: number;
}

function metadataOf(options: CallOptions): grpc.Metadata {
  const metadata = new grpc.Metadata();
  if (options.token !== undefined) metadata.set("authorization", `Bearer ${options.token}`);
  return metadata;
}

function callOptionsOf(options: CallOptions): grpc.CallOptions {
  return options.deadlineMs === undefined ? {} : { deadline: Date.now() + options.deadlineMs };
}

type Method = (...args: unknown[]) => grpc.ClientUnaryCall & grpc.ClientReadableStream<unknown>;

function method(client: grpc.Client, name: string): Method {
  const fn = (client as unknown as Record<string, Method>)[name];
  if (fn === undefined) throw new Error(`no method ${name}`);
  return fn.bind(client);
}

/** unary calls a unary method and resolves with its response or rejects with its ServiceError. */
export function unary(
  client: grpc.Client,
  name: string,
  request: JsonMessage,
  options: CallOptions = {},
): Promise<JsonMessage> {
  return new Promise((resolve, reject) => {
    method(client, name)(
      request,
      metadataOf(options),
      callOptionsOf(options),
      (error: grpc.ServiceError | null, response: JsonMessage) =>
        error === null ? resolve(response) : reject(error),
    );
  });
}

/** serverStream calls a server-streaming method and collects every response. */
export async function serverStream(
  client: grpc.Client,
  name: string,
  request: JsonMessage,
  options: CallOptions = {},
): Promise<JsonMessage[]> {
  const call = method(client, name)(request, metadataOf(options), callOptionsOf(options));
  const responses: JsonMessage[] = [];
  for await (const response of call as AsyncIterable<JsonMessage>) responses.push(response);
  return responses;
}

/** clientStream calls a client-streaming method with requests and resolves with the response. */
export function clientStream(
  client: grpc.Client,
  name: string,
  requests: readonly JsonMessage[],
  options: CallOptions = {},
): Promise<JsonMessage> {
  return new Promise((resolve, reject) => {
    const call = method(client, name)(
      metadataOf(options),
      callOptionsOf(options),
      (error: grpc.ServiceError | null, response: JsonMessage) =>
        error === null ? resolve(response) : reject(error),
    ) as unknown as grpc.ClientWritableStream<JsonMessage>;
    for (const request of requests) call.write(request);
    call.end();
  });
}

/** callFails expects call to fail with code and a message that contains each of `contains`. */
export async function expectStatus(
  call: Promise<unknown>,
  code: grpc.status,
  ...contains: string[]
): Promise<grpc.ServiceError> {
  const error = await call.then(
    () => {
      throw new Error(`expected status ${grpc.status[code]}, got a response`);
    },
    (e: grpc.ServiceError) => e,
  );
  if (error.code !== code) {
    throw new Error(
      `expected status ${grpc.status[code]}, got ${grpc.status[error.code]}: ${error.details}`,
    );
  }
  for (const text of contains) {
    if (!error.details.includes(text)) {
      throw new Error(`expected the message to contain ${JSON.stringify(text)}: ${error.details}`);
    }
  }
  return error;
}

/** ref builds an ObjectRef; subject a SubjectRef; relationship a Relationship message. */
export const ref = (type: string, id: string): JsonMessage => ({ type, id });
export const subject = (type: string, id: string, relation = ""): JsonMessage => ({
  object: ref(type, id),
  relation,
});
export const relationship = (
  resource: string,
  relation: string,
  who: string,
  extra: JsonMessage = {},
): JsonMessage => {
  const [rt = "", rid = ""] = resource.split(":");
  const [sref = "", srel = ""] = who.split("#");
  const [st = "", sid = ""] = sref.split(":");
  return { resource: ref(rt, rid), relation, subject: subject(st, sid, srel), ...extra };
};

/**
 * writeTestData writes TEST_SCHEMA, then touches each relationship in one write, and resolves with
 * that write's token.
 */
export async function writeTestData(
  clients: ApiClients,
  relationships: readonly JsonMessage[],
): Promise<string> {
  await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
  const response = await unary(clients.relationships, "WriteRelationships", {
    updates: relationships.map((rel) => update("TOUCH", rel)),
  });
  return response.writtenAt;
}

/** touchUpdate makes a TOUCH update. */
export const update = (operation: string, rel: JsonMessage): JsonMessage => ({
  operation: `OPERATION_${operation}`,
  relationship: rel,
});

/** struct writes a JSON object as a google.protobuf.Struct message, as a generic client must. */
export function struct(object: Record<string, unknown>): JsonMessage {
  return { fields: Object.fromEntries(Object.entries(object).map(([k, v]) => [k, value(v)])) };
}

function value(v: unknown): JsonMessage {
  if (v === null) return { nullValue: "NULL_VALUE" };
  if (typeof v === "string") return { stringValue: v };
  if (typeof v === "number") return { numberValue: v };
  if (typeof v === "boolean") return { boolValue: v };
  if (Array.isArray(v)) return { listValue: { values: v.map(value) } };
  return { structValue: struct(v as Record<string, unknown>) };
}
