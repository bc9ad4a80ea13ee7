// The MCP gateway offers no tasks: a server's tool that must run as a task is left out of the
// list (a client could not call it through the gateway), the server's other tools listed as ever.

import { randomUUID } from "node:crypto";
import { createServer, type Server as HttpServer } from "node:http";
import type { AddressInfo } from "node:net";
import { Server } from "@modelcontextprotocol/sdk/server/index.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { CallToolRequestSchema, ListToolsRequestSchema } from "@modelcontextprotocol/sdk/types.js";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ON_BEHALF_OF_HEADER } from "../../../src/mcp-gateway/identity.js";
import { ASSISTANT_KEY, type GatewayRig, startRig } from "./gateway-harness.js";

const AS_ASSISTANT = {
  authorization: `Bearer ${ASSISTANT_KEY}`,
  [ON_BEHALF_OF_HEADER]: "user:alice",
};

describe("tasks through the MCP gateway", () => {
  let rig: GatewayRig;
  let http: HttpServer;
  let url: string;

  beforeAll(async () => {
    rig = await startRig("stdio", "async");
    await rig.latchCli(
      "rel",
      "touch",
      "mcp_tool:docs/index_documents#caller@user:alice",
      "mcp_tool:docs/index_documents#caller@agent:assistant",
    );
    const server = new Server({ name: "docs", version: "1" }, { capabilities: { tools: {} } });
    server.setRequestHandler(ListToolsRequestSchema, () => ({
      tools: [
        { name: "list_documents", inputSchema: { type: "object" } },
        {
          name: "index_documents",
          inputSchema: { type: "object" },
          execution: { taskSupport: "required" },
        },
      ],
    }));
    server.setRequestHandler(CallToolRequestSchema, () => ({
      content: [{ type: "text", text: "roadmap" }],
    }));
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: randomUUID });
    await server.connect(transport);
    http = createServer((request, response) => void transport.handleRequest(request, response));
    await new Promise<void>((resolve) => http.listen(0, "127.0.0.1", resolve));
    url = `http://127.0.0.1:${(http.address() as AddressInfo).port}/mcp`;
  });
  afterAll(async () => {
    await rig?.close();
    http?.closeAllConnections();
    await new Promise((resolve) => http?.close(resolve));
  });

  it("leaves out a tool that must run as a task, and lists the rest", async () => {
    const gateway = await rig.fronting(url);
    const client = await gateway.connect(AS_ASSISTANT);
    const { tools } = await client.listTools();
    expect(tools.map((t) => t.name)).toEqual(["docs__list_documents"]);
    expect(client.getServerCapabilities()?.tasks).toBeUndefined();
  });
});
