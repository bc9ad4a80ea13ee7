// The bounds on each port's connections: handshake and idle timeouts, and the connection limit.

import { connect as connectHttp2 } from "node:http2";
import { connect, type Socket } from "node:net";
import { describe, expect, it } from "vitest";
import {
  clientsAt,
  type JsonMessage,
  relationship,
  unary,
  update,
  useTestServer,
} from "./api-harness.js";
import { TEST_SCHEMA } from "./api-schema.js";

/** open connects a raw TCP socket and sends `sent`; its data is read (and dropped) so that its close is seen. */
function open(port: number, sent = ""): Promise<Socket> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, "127.0.0.1", () => {
      if (sent !== "") socket.write(sent);
      resolve(socket);
    });
    socket.once("error", reject);
    socket.resume();
  });
}

/** closed resolves when the socket has closed, whoever closed it. */
function closed(socket: Socket): Promise<void> {
  return new Promise((resolve) => {
    if (socket.closed) resolve();
    else socket.once("close", () => resolve());
  });
}

const healthy = (clients: ReturnType<typeof clientsAt>) =>
  unary(clients.health, "Check", { service: "" });

describe("a connection that does not complete its handshake in time", () => {
  const handshakeTimeoutMs = 300;
  const test = useTestServer([], undefined, { connections: { handshakeTimeoutMs } });

  it("is closed on the gRPC port (a partial HTTP/2 preface), while healthy clients are served", async () => {
    const { server, clients } = test();
    await healthy(clients);
    const started = Date.now();
    const sockets = await Promise.all(
      Array.from({ length: 50 }, () => open(server.grpcPort, "PRI * HTTP/2.0\r\n")),
    );
    await Promise.all(sockets.map(closed));
    // Closed by the timeout, not refused: no earlier than it.
    expect(Date.now() - started).toBeGreaterThanOrEqual(handshakeTimeoutMs - 20);
    expect(await healthy(clients)).toMatchObject({ status: "SERVING" });
  });

  it("is closed on the HTTP port (a request whose headers never end)", async () => {
    const { server } = test();
    const sockets = await Promise.all(
      Array.from({ length: 20 }, () =>
        open(server.httpPort, "GET /healthz HTTP/1.1\r\nhost: latch\r\n"),
      ),
    );
    await Promise.all(sockets.map(closed));
  });
});

describe("the connection limit", () => {
  const refusals: string[] = [];
  const test = useTestServer([], undefined, {
    connections: { maxConnections: 3 },
    onConnectionLimit: (port, max) => refusals.push(`${port} port at ${max}`),
  });

  it("refuses gRPC connections past it, while the connections it holds keep working", async () => {
    const { server } = test();
    // Each client on its own connection.
    const held = [1, 2, 3].map(() =>
      clientsAt(`127.0.0.1:${server.grpcPort}`, { "grpc.use_local_subchannel_pool": 1 }),
    );
    try {
      for (const clients of held) await healthy(clients);
      const extra = await open(server.grpcPort);
      await closed(extra);
      expect(refusals).toEqual(["gRPC port at 3"]);
      for (const clients of held)
        expect(await healthy(clients)).toMatchObject({ status: "SERVING" });
    } finally {
      for (const clients of held) for (const client of Object.values(clients)) client.close();
    }
  });

  it("refuses HTTP connections past it", async () => {
    const { server } = test();
    const held = await Promise.all([1, 2, 3].map(() => open(server.httpPort)));
    try {
      await closed(await open(server.httpPort));
      expect(refusals).toContain("HTTP port at 3");
    } finally {
      for (const socket of held) socket.destroy();
    }
  });
});

describe("a gRPC connection with a call in progress", () => {
  const test = useTestServer([], undefined, {
    connections: { idleTimeoutMs: 300, keepaliveMs: 100 },
  });

  it("outlives the idle timeout that closes idle connections: a Watch stream goes on", async () => {
    const { server, clients } = test();
    const { writtenAt } = await unary(clients.schema, "WriteSchema", { schema: TEST_SCHEMA });
    const call = clients.relationships as unknown as Record<
      string,
      (request: JsonMessage) => AsyncIterable<JsonMessage> & { cancel(): void }
    >;
    // From the schema's token, so that the first write comes after the stream's start however
    // late the server starts it.
    const stream = call.watch!({ resourceTypes: ["group"], since: writtenAt })[
      Symbol.asyncIterator
    ]();
    const write = (id: string) =>
      unary(clients.relationships, "WriteRelationships", {
        updates: [update("TOUCH", relationship(`group:${id}`, "member", "user:ann"))],
      });
    const nextId = async () => (await stream.next()).value?.changes[0].relationship.resource.id;

    // The stream is open once it has delivered a change.
    const first = nextId();
    await write("before");
    expect(await first).toBe("before");
    // An idle connection opened now is closed once the idle timeout has passed.
    const idle = connectHttp2(`http://127.0.0.1:${server.grpcPort}`);
    await new Promise<void>((resolve) => idle.once("close", () => resolve()));
    const second = nextId();
    await write("after");
    expect(await second).toBe("after");
    await stream.return?.();
  });
});
