// A server that cannot open a port stops whatever it had started, and says which port and why.

import { createServer, type Server } from "node:net";
import { afterEach, describe, expect, it } from "vitest";
import { ApiKeyRing } from "../../src/api/api-keys.js";
import { startServer } from "../../src/api/latch-server.js";
import { ListenError } from "../../src/api/listen-error.js";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import { freePort } from "../support/free-port.js";

const held: Server[] = [];
afterEach(async () => {
  for (const server of held.splice(0)) await new Promise((resolve) => server.close(resolve));
});

/** listening takes port on 127.0.0.1 (a free one for 0) and resolves to it. */
async function listening(port = 0): Promise<number> {
  const server = createServer();
  held.push(server);
  await new Promise<void>((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address !== "object") throw new Error("no address");
  return address.port;
}

function start(grpcPort: number, httpPort: number) {
  return startServer({
    store: createMemoryStore(),
    keys: new ApiKeyRing([]),
    host: "127.0.0.1",
    grpcPort,
    httpPort,
    onInternalError: () => {},
    log: () => {},
  });
}

describe("startServer with a port taken", () => {
  it("rejects when the gRPC port is taken, naming it", async () => {
    const taken = await listening();
    const error = await start(taken, 0).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ListenError);
    expect((error as ListenError).message).toBe(`gRPC port ${taken} on 127.0.0.1 is in use`);
  });

  it("rejects when the HTTP port is taken, and closes the gRPC port it had opened", async () => {
    const taken = await listening();
    const grpcPort = await freePort();
    const error = await start(grpcPort, taken).catch((e: unknown) => e);
    expect((error as ListenError).message).toBe(`HTTP port ${taken} on 127.0.0.1 is in use`);
    // Nothing listens on the gRPC port any more: another server can take it.
    expect(await listening(grpcPort)).toBe(grpcPort);
  });
});
