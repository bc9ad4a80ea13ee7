// The MCP gateway's session limits: at `maxSessions` a new session is refused until one ends or
// has been idle for `sessionIdleMs`, and the idle one closed to make room is gone.

import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { ASSISTANT_KEY, type GatewayRig, startRig } from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};

describe("the MCP gateway's session limits", () => {
  let rig: GatewayRig;

  beforeAll(async () => {
    rig = await startRig("stdio");
  });
  afterAll(async () => {
    await rig?.close();
  });

  it("refuses a session beyond maxSessions, and takes one once another ends", async () => {
    const capped = await rig.another("{ maxSessions: 2 }");
    const first = await capped.connect(AS_ASSISTANT);
    await capped.connect(AS_ASSISTANT);
    await expect(capped.connect(AS_ASSISTANT)).rejects.toThrow(/at the limit of 2 sessions/);
    await (first.transport as StreamableHTTPClientTransport).terminateSession();
    const third = await capped.connect(AS_ASSISTANT);
    expect((await third.listTools()).tools.length).toBeGreaterThan(0);
  });

  it("closes a session idle for sessionIdleMs to make room for a new one", async () => {
    const idle = await rig.another("{ maxSessions: 1, sessionIdleMs: 50 }");
    const old = await idle.connect(AS_ASSISTANT);
    // Refused while the old session has been used within the idle time; then let in.
    const young = await vi.waitFor(() => idle.connect(AS_ASSISTANT), {
      timeout: 10_000,
      interval: 20,
    });
    expect((await young.listTools()).tools.length).toBeGreaterThan(0);
    await expect(old.listTools()).rejects.toThrow(/no such session/);
  });
});
