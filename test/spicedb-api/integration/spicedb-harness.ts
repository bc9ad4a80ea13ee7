// A Latch server for the SpiceDB API tests, driven by the official @authzed/authzed-node client.

import { v1 } from "@authzed/authzed-node";
import type { ServiceError } from "@grpc/grpc-js";
import { afterAll, beforeAll, expect } from "vitest";
import type { ApiKey } from "../../../src/api/api-keys.js";
import {
  hostPort,
  type TestServer,
  type TestServerOptions,
  useTestServer,
} from "../../api/api-harness.js";

/** SpiceTestServer is a running Latch with SpiceDB's client on its gRPC port. */
export interface SpiceTestServer extends TestServer {
  /** The promise client of @authzed/authzed-node, as SpiceDB users make it. */
  readonly spice: v1.ZedPromiseClientInterface;
  /** The same client's callback methods: streams that do not end by themselves (Watch). */
  readonly spiceStreams: v1.ZedClientInterface;
  /** clientWith is a client sending key as its bearer token; closed after the file. */
  clientWith(key: string): v1.ZedPromiseClientInterface;
}

/**
 * useSpiceTestServer starts a Latch server for the enclosing file (see useTestServer) and an
 * @authzed/authzed-node client for its gRPC port, in plaintext, with token as its key.
 */
export function useSpiceTestServer(
  keys: readonly ApiKey[] = [],
  token = "any-token",
  options: TestServerOptions = {},
): () => SpiceTestServer {
  const latch = useTestServer(keys, undefined, options);
  const clients: v1.ZedClientInterface[] = [];
  let running: SpiceTestServer | undefined;
  beforeAll(() => {
    const test = latch();
    const address = hostPort("127.0.0.1", test.server.grpcPort);
    const connect = (key: string) => {
      const client = v1.NewClient(key, address, v1.ClientSecurity.INSECURE_PLAINTEXT_CREDENTIALS);
      clients.push(client);
      return client;
    };
    const client = connect(token);
    running = {
      ...test,
      spice: client.promises,
      spiceStreams: client,
      clientWith: (key) => connect(key).promises,
    };
  });
  afterAll(() => {
    for (const client of clients) client.close();
  });
  return () => {
    if (running === undefined) throw new Error("the test server is not running");
    return running;
  };
}

/** consistentAt is SpiceDB's consistency at least as fresh as token. */
export function consistentAt(token: v1.ZedToken | undefined): v1.Consistency {
  if (token === undefined) throw new Error("no ZedToken");
  return v1.Consistency.create({
    requirement: { oneofKind: "atLeastAsFresh", atLeastAsFresh: token },
  });
}

/** FULLY_CONSISTENT is SpiceDB's fully consistent read. */
export const FULLY_CONSISTENT = v1.Consistency.create({
  requirement: { oneofKind: "fullyConsistent", fullyConsistent: true },
});

/** obj is an object reference `type:id`. */
export function obj(text: string): v1.ObjectReference {
  const [objectType = "", objectId = ""] = text.split(":");
  return v1.ObjectReference.create({ objectType, objectId });
}

/** subj is a subject reference `type:id` or `type:id#relation`. */
export function subj(text: string): v1.SubjectReference {
  const [object = "", optionalRelation = ""] = text.split("#");
  return v1.SubjectReference.create({ object: obj(object), optionalRelation });
}

/** rel is a relationship `type:id#relation@type:id[#relation]`, with a caveat or expiry if given. */
export function rel(
  text: string,
  extra: Partial<Pick<v1.Relationship, "optionalCaveat" | "optionalExpiresAt">> = {},
): v1.Relationship {
  const [resource = "", subject = ""] = text.split("@");
  const [object = "", relation = ""] = resource.split("#");
  return v1.Relationship.create({
    resource: obj(object),
    relation,
    subject: subj(subject),
    ...extra,
  });
}

/** touch, create and remove are the updates of one relationship. */
export const touch = (r: v1.Relationship) =>
  v1.RelationshipUpdate.create({
    operation: v1.RelationshipUpdate_Operation.TOUCH,
    relationship: r,
  });
export const create = (r: v1.Relationship) =>
  v1.RelationshipUpdate.create({
    operation: v1.RelationshipUpdate_Operation.CREATE,
    relationship: r,
  });
export const remove = (r: v1.Relationship) =>
  v1.RelationshipUpdate.create({
    operation: v1.RelationshipUpdate_Operation.DELETE,
    relationship: r,
  });

/** relText writes a SpiceDB relationship as `type:id#relation@type:id[#relation]`. */
export function relText(r: v1.Relationship | undefined): string {
  const s = r?.subject;
  const relation = s?.optionalRelation ? `#${s.optionalRelation}` : "";
  return `${r?.resource?.objectType}:${r?.resource?.objectId}#${r?.relation}@${s?.object?.objectType}:${s?.object?.objectId}${relation}`;
}

/**
 * expectSpiceError awaits call's failure and expects its gRPC code and, if given, the
 * ErrorReason SpiceDB's clients read from `grpc-status-details-bin`.
 */
export async function expectSpiceError(
  call: Promise<unknown>,
  code: number,
  reason?: string,
): Promise<ServiceError> {
  const error = (await call.then(
    () => {
      throw new Error("the call succeeded");
    },
    (e: unknown) => e,
  )) as ServiceError;
  expect({ code: error.code, message: error.details }).toMatchObject({ code });
  if (reason !== undefined) expect(errorReason(error)).toBe(reason);
  return error;
}

/**
 * errorReason is the ErrorInfo reason in an error's `grpc-status-details-bin`, decoded here from
 * the wire format (google.rpc.Status field 3, Any field 2, ErrorInfo field 1) as any client would.
 */
export function errorReason(error: ServiceError): string | undefined {
  const [details] = error.metadata?.get("grpc-status-details-bin") ?? [];
  if (!(details instanceof Buffer)) return undefined;
  const any = field(details, 3);
  const info = any === undefined ? undefined : field(any, 2);
  return info === undefined ? undefined : field(info, 1)?.toString("utf8");
}

/** field is the first length-delimited field `number` of a protobuf message. */
function field(bytes: Buffer, number: number): Buffer | undefined {
  let at = 0;
  const varint = () => {
    let value = 0;
    let shift = 0;
    for (;;) {
      const byte = bytes[at++] ?? 0;
      value += (byte & 0x7f) * 2 ** shift;
      shift += 7;
      if (byte < 0x80) return value;
    }
  };
  while (at < bytes.length) {
    const tag = varint();
    const wire = tag & 7;
    if (wire === 0) varint();
    else if (wire === 2) {
      const length = varint();
      if (tag >>> 3 === number) return bytes.subarray(at, at + length);
      at += length;
    } else if (wire === 5) at += 4;
    else at += 8;
  }
  return undefined;
}
