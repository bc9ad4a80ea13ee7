// A change stream that stops applying changes without an error (its notifications lost): the
// server says so, turns unready, and minimize_latency reads the store's head instead of serving
// ever older answers; once the stream applies again, all is as before.

import { expect, it } from "vitest";
import { createMemoryStore } from "../../src/store/memory/memory-store.js";
import type { Store, WatchOptions } from "../../src/store/store.js";
import { waitFor } from "../support/wait-for.js";
import { connectClients, overriding, startTestServer, unary } from "./api-harness.js";

const PATIENCE_MS = 60_000;
const SCHEMA = "definition user {}\n\ndefinition document {\n  relation viewer: user\n}\n";

it("a change stream that stops applying makes the server unready, and reads go to the head", async () => {
  const memory = createMemoryStore();
  let stalled = true;
  let unstall = () => {};
  const resumed = new Promise<void>((resolve) => {
    unstall = resolve;
  });
  // While stalled, the tracker's stream yields nothing and does not end, as one whose
  // notifications are lost; unstalled, it ends and the tracker follows the store's own again.
  let watches = 0;
  const store: Store = overriding(memory, {
    // The change tracker's own stream is the first: it stalls; any later one is the store's.
    watch: (after, options?: WatchOptions) =>
      watches++ === 0 && stalled
        ? silentUntil(resumed, options?.signal)
        : memory.watch(after, options),
  });
  const logged: string[] = [];
  const server = await startTestServer(store, [], {
    cache: { maxChangeLagMs: 1000 },
    log: (line) => logged.push(line),
  });
  const clients = connectClients(server.grpcPort);
  const readyz = async () => (await fetch(`http://127.0.0.1:${server.httpPort}/readyz`)).status;
  try {
    await unary(clients.schema, "WriteSchema", { schema: SCHEMA });
    await unary(clients.relationships, "WriteRelationships", {
      updates: [
        {
          operation: "OPERATION_TOUCH",
          relationship: {
            resource: { type: "document", id: "plan" },
            relation: "viewer",
            subject: { object: { type: "user", id: "alice" } },
          },
        },
      ],
    });
    await waitFor("/readyz to say not ready", async () => (await readyz()) === 503, PATIENCE_MS);
    expect(logged.some((line) => line.startsWith("the change stream lags: revision"))).toBe(true);
    // The tracker applied nothing, yet minimize_latency sees the write: it reads the head.
    const check = await unary(clients.permissions, "Check", {
      resource: { type: "document", id: "plan" },
      permission: "viewer",
      subject: { object: { type: "user", id: "alice" } },
    });
    expect(check.result).toBe("CHECK_RESULT_ALLOWED");
    expect(check.servedFromCache).toBe(false);

    // The stream follows again (as after a restart of it): ready, and said so.
    stalled = false;
    unstall();
    await waitFor("/readyz to say ready", async () => (await readyz()) === 200, PATIENCE_MS);
    expect(logged).toContain(
      "the change stream caught up; minimize_latency reads through the cache again",
    );
  } finally {
    for (const client of Object.values(clients)) client.close();
    await server.close(1000);
  }
});

/** silentUntil is a change stream that yields nothing and ends once resumed, or signal aborts. */
async function* silentUntil(resumed: Promise<void>, signal: AbortSignal | undefined) {
  const aborted = new Promise<void>((resolve) =>
    signal?.addEventListener("abort", () => resolve()),
  );
  await Promise.race([resumed, aborted]);
  yield* [];
}
