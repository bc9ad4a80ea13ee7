// Clients of a test server over each transport: gRPC, Connect JSON and Connect protobuf, with the status a call ends with.

import type { DescService } from "@bufbuild/protobuf";
import { type Client, Code, ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcTransport } from "@connectrpc/connect-node";
import { expect } from "vitest";
import type { TestServer } from "./api-harness.js";

/** TransportName names a way to call the server: its gRPC port, or Connect on its HTTP port. */
export type TransportName = "grpc" | "connect-json" | "connect-proto";

/** ALL_TRANSPORTS are every transport; a value JSON cannot carry is tested over the binary ones. */
export const ALL_TRANSPORTS: readonly TransportName[] = ["grpc", "connect-json", "connect-proto"];
/** BINARY_TRANSPORTS carry protobuf's binary format: values JSON cannot write (nanos -1, NaN). */
export const BINARY_TRANSPORTS: readonly TransportName[] = ["grpc", "connect-proto"];

const transports = new WeakMap<TestServer, Map<TransportName, Transport>>();

/** clientOf is a client of service on server over the named transport, made once per server. */
export function clientOf<S extends DescService>(
  server: TestServer,
  name: TransportName,
  service: S,
): Client<S> {
  let made = transports.get(server);
  if (made === undefined) {
    made = new Map();
    transports.set(server, made);
  }
  let transport = made.get(name);
  if (transport === undefined) {
    transport =
      name === "grpc"
        ? createGrpcTransport({ baseUrl: `http://127.0.0.1:${server.server.grpcPort}` })
        : createConnectTransport({
            baseUrl: server.httpUrl,
            httpVersion: "1.1",
            useBinaryFormat: name === "connect-proto",
          });
    made.set(name, transport);
  }
  return createClient(service, transport);
}

/**
 * expectRefusal expects call to fail with code and a message that contains each of contains,
 * and the store's head revision to be where it was: the refused request wrote nothing.
 */
export async function expectRefusal(
  server: TestServer,
  call: () => Promise<unknown>,
  code: Code,
  ...contains: string[]
): Promise<ConnectError> {
  const before = await server.store.headRevision();
  const error = await call().then(
    () => undefined,
    (reason: unknown) => ConnectError.from(reason),
  );
  expect(error, `expected ${Code[code]}, got an answer`).toBeDefined();
  expect(`${Code[error!.code]}: ${error!.rawMessage}`).toContain(`${Code[code]}: `);
  for (const text of contains) expect(error!.rawMessage).toContain(text);
  expect(await server.store.headRevision()).toBe(before);
  return error!;
}

/** drain reads a server stream to its end and returns its messages. */
export async function drain<T>(stream: AsyncIterable<T>): Promise<T[]> {
  const messages: T[] = [];
  for await (const message of stream) messages.push(message);
  return messages;
}

/** envelope frames message as Connect streams and gRPC-Web do: flags, 4-byte big-endian length, bytes. */
export function envelope(message: Uint8Array, flags = 0): Uint8Array {
  const framed = new Uint8Array(5 + message.length);
  framed[0] = flags;
  new DataView(framed.buffer).setUint32(1, message.length);
  framed.set(message, 5);
  return framed;
}
