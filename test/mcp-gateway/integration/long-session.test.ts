// A long MCP gateway session, the server over HTTP: thousands of calls through one session leave
// no listeners piling up on the transport's signal (Node would warn of a leak) and open no new
// connections to the server.

import { randomUUID } from "node:crypto";
import { getEventListeners } from "node:events";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createKeptAliveFetch } from "../../../src/mcp-gateway/http-fetch.js";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { ASSISTANT_KEY, type GatewayMode, type GatewayRig, startRig } from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};
/** More than the 1,500 abort listeners after which Node warns, had each call left one. */
const CALLS = 1_600;

/** An MCP server of one session in this process, counting the connections made to it. */
async function startCountingServer(): Promise<{
  url: string;
  connections: () => number;
  close: () => Promise<void>;
}> {
  const mcp = new McpServer({ name: "docs", version: "1" });
  mcp.registerTool("list_documents", { description: "List the documents' ids" }, () => ({
    content: [{ type: "text", text: "roadmap" }],
  }));
  const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID });
  await mcp.connect(transport);
  let connections = 0;
  const http: HttpServer = createServer((request, response) => {
    void transport.handleRequest(request, response);
  });
  http.on("connection", () => connections++);
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  const { port } = http.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/mcp`,
    connections: () => connections,
    close: async () => {
      await mcp.close();
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

describe.each<GatewayMode>(["standalone", "serve"])("a long MCP gateway session (%s)", (mode) => {
  let rig: GatewayRig;
  let upstream: Awaited<ReturnType<typeof startCountingServer>>;

  beforeAll(async () => {
    rig = await startRig("stdio", "async", mode);
    upstream = await startCountingServer();
  });
  afterAll(async () => {
    await rig?.close();
    await upstream?.close();
  });

  it("leaves no listener behind per call, and opens no connection per call", async () => {
    const warnings: Error[] = [];
    const onWarning = (warning: Error) => {
      if (warning.name === "MaxListenersExceededWarning") warnings.push(warning);
    };
    process.on("warning", onWarning);
    const gateway = await rig.fronting(upstream.url);
    // This test's own client too: the global fetch would pile listeners up on its side.
    const kept = createKeptAliveFetch();
    const signals = new Set<AbortSignal>();
    const client = new Client({ name: "long-session", version: "1" });
    await client.connect(
      new StreamableHTTPClientTransport(new URL(gateway.url), {
        fetch: (url, init) => {
          if (init?.signal) signals.add(init.signal);
          return kept.fetch(url, init);
        },
        requestInit: { headers: AS_ASSISTANT },
      }),
    );
    try {
      const call = async () => {
        const result = await client.callTool({ name: "docs__list_documents" });
        expect(result.isError).toBeFalsy();
      };
      for (let i = 0; i < 100; i++) await call();
      const connectionsEarly = upstream.connections();
      for (let i = 100; i < CALLS; i++) await call();
      expect(upstream.connections()).toBe(connectionsEarly);
      // A warning is emitted on the next tick; a call's round trip spans several.
      await call();
      expect(warnings.map((w) => w.message)).toEqual([]);
      // The transport's one signal: at most the listener of its standing event stream.
      expect(signals.size).toBe(1);
      for (const signal of signals)
        expect(getEventListeners(signal, "abort").length).toBeLessThanOrEqual(1);
    } finally {
      process.off("warning", onWarning);
      await client.close();
      kept.close();
    }
  }, 120_000);
});
