// What the MCP gateway relays of an allowed call, from a server answering by JSON and by event
// stream: its result and its error as the server gave them (a large result too), a call asking
// for progress, the client's cancellation; and a malformed tools/call, refused without reaching
// the server.

import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Client } from "@modelcontextprotocol/sdk/client/index.js";
import type { StreamableHTTPClientTransport } from "@modelcontextprotocol/sdk/client/streamableHttp.js";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CallToolRequestSchema,
  ErrorCode,
  ListToolsRequestSchema,
  McpError,
  ResultSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it, vi } from "vitest";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { createHttpCaller } from "../../../src/mcp-gateway/upstream-calls.js";
import { ASSISTANT_KEY, directClient, type GatewayRig, startRig } from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};
const TOOLS = ["echo", "large", "fail", "progress", "slow"];
/** Two megabytes: many chunks of a stream, and more than a body the gateway takes from a client. */
const LARGE = "x".repeat(2 * 1024 * 1024);

/** A server answering by JSON or by event stream, a session per client, recording what reached it. */
async function startServer(json: boolean) {
  const seen: string[] = [];
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http: HttpServer = createServer(async (request, response) => {
    const id = request.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (transport === undefined) {
      const fresh = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        enableJsonResponse: json,
        onsessioninitialized: (sessionId) => void sessions.set(sessionId, fresh),
      });
      await session(seen).connect(fresh);
      transport = fresh;
    }
    await transport.handleRequest(request, response);
  });
  await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`,
    seen,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((t) => t.close()));
      http.closeAllConnections();
      await new Promise((resolve) => http.close(resolve));
    },
  };
}

function session(seen: string[]): Server {
  const server = new Server({ name: "docs", version: "1" }, { capabilities: { tools: {} } });
  server.setRequestHandler(ListToolsRequestSchema, () => ({
    tools: TOOLS.map((name) => ({ name, inputSchema: { type: "object" as const } })),
  }));
  server.setRequestHandler(CallToolRequestSchema, async (request, extra) => {
    const { name, arguments: args } = request.params;
    seen.push(name);
    switch (name) {
      case "large":
        return { content: [{ type: "text", text: LARGE }] };
      case "fail":
        throw new McpError(ErrorCode.InvalidParams, "no such document", { document_id: "q4" });
      case "progress": {
        const progressToken = extra._meta?.progressToken;
        if (progressToken !== undefined) {
          seen.push("progress asked");
          for (const progress of [1, 2])
            await extra.sendNotification({
              method: "notifications/progress",
              params: { progressToken, progress, total: 2 },
            });
        }
        return { content: [{ type: "text", text: "done" }] };
      }
      case "slow":
        await new Promise((resolve) => extra.signal.addEventListener("abort", resolve));
        seen.push("cancelled");
        return { content: [] };
      default:
        // Fields no schema names, and numbers as written: relayed as they are.
        return {
          content: [{ type: "text", text: JSON.stringify(args ?? {}) }],
          structuredContent: { args: args ?? {} },
          "example.com/trace": { spans: [1, 2.5, -0.125], nested: { empty: {} } },
        };
    }
  });
  return server;
}

let rig: GatewayRig;

beforeAll(async () => {
  rig = await startRig("stdio", "async");
  await rig.latchCli(
    "rel",
    "touch",
    ...TOOLS.flatMap((tool) => [
      `mcp_tool:docs/${tool}#caller@user:alice`,
      `mcp_tool:docs/${tool}#caller@agent:assistant`,
    ]),
  );
});
afterAll(async () => {
  await rig?.close();
});

describe.each([
  ["JSON", true],
  ["an event stream", false],
])("the MCP gateway relays, the server answering by %s", (_, json) => {
  let upstream: Awaited<ReturnType<typeof startServer>>;
  let gatewayUrl: string;
  let gateway: Client;
  let direct: Client;

  beforeAll(async () => {
    upstream = await startServer(json);
    const fronting = await rig.fronting(upstream.url);
    gatewayUrl = fronting.url;
    gateway = await fronting.connect(AS_ASSISTANT);
    direct = await directClient(upstream.url);
  });
  afterAll(async () => {
    await direct?.close();
    await upstream?.close();
  });

  it("a result as the server gave it, fields no schema names included", async () => {
    const params = { arguments: { document_id: "roadmap", limit: 3, tags: ["a", "b"] } };
    const through = await gateway.request(
      { method: "tools/call", params: { name: "docs__echo", ...params } },
      ResultSchema,
    );
    const itself = await direct.request(
      { method: "tools/call", params: { name: "echo", ...params } },
      ResultSchema,
    );
    expect(through).toEqual(itself);
    expect(through["example.com/trace"]).toEqual({
      spans: [1, 2.5, -0.125],
      nested: { empty: {} },
    });
  });

  it("a large result whole", async () => {
    const result = await gateway.callTool({ name: "docs__large" });
    expect((result.content as { text: string }[])[0]!.text).toBe(LARGE);
  });

  it("the server's error unchanged: its code, message and data", async () => {
    const failed = (client: Client, name: string) =>
      client.callTool({ name }).then(
        () => undefined,
        (error: McpError) => ({ code: error.code, message: error.message, data: error.data }),
      );
    const through = await failed(gateway, "docs__fail");
    expect(through).toEqual(await failed(direct, "fail"));
    expect(through).toMatchObject({
      code: ErrorCode.InvalidParams,
      data: { document_id: "q4" },
    });
  });

  // The gateway answers a call as one JSON body: progress has no stream to reach the client on.
  it("a call asking for progress, with a token of the gateway's own", async () => {
    const result = await gateway.callTool({ name: "docs__progress" }, undefined, {
      onprogress: () => {},
    });
    expect(result.content).toEqual([{ type: "text", text: "done" }]);
    expect(upstream.seen).toContain("progress asked");
  });

  it("the server's progress to the caller, under the call's own token", async () => {
    const transport = direct.transport as StreamableHTTPClientTransport;
    const caller = createHttpCaller("docs", new URL(upstream.url), direct, transport);
    const progress: number[] = [];
    const answer = await caller.call(
      { name: "progress" },
      { timeout: 10_000, onprogress: (p) => progress.push(p.progress) },
    );
    caller.close();
    expect(answer).toEqual({ result: { content: [{ type: "text", text: "done" }] } });
    // A server answering by JSON has no stream to send progress on.
    expect(progress).toEqual(json ? [] : [1, 2]);
  });

  it("the client's cancellation to the server", async () => {
    const controller = new AbortController();
    const call = gateway.callTool({ name: "docs__slow" }, undefined, {
      signal: controller.signal,
    });
    await vi.waitFor(() => expect(upstream.seen).toContain("slow"));
    controller.abort("no longer needed");
    await expect(call).rejects.toThrow("no longer needed");
    await vi.waitFor(() => expect(upstream.seen).toContain("cancelled"));
  });

  it("refuses a malformed tools/call as the SDK does, without calling the server", async () => {
    const transport = gateway.transport as StreamableHTTPClientTransport;
    const call = async (params: unknown) => {
      const response = await fetch(gatewayUrl, {
        method: "POST",
        headers: {
          ...AS_ASSISTANT,
          "content-type": "application/json",
          accept: "application/json, text/event-stream",
          "mcp-session-id": transport.sessionId!,
          "mcp-protocol-version": transport.protocolVersion!,
        },
        body: JSON.stringify({ jsonrpc: "2.0", id: 7, method: "tools/call", params }),
      });
      return (await response.json()) as { id: number; error?: { code: number } };
    };
    const before = upstream.seen.length;
    for (const params of [
      { name: 5 },
      { name: "docs__echo", arguments: ["roadmap"] },
      { arguments: {} },
    ]) {
      const answer = await call(params);
      expect(answer.id).toBe(7);
      expect(answer.error?.code).toBeTypeOf("number");
    }
    expect(upstream.seen.length).toBe(before);
    expect((await call({ name: "docs__echo", arguments: { a: 1 } })).error).toBeUndefined();
  });
});
