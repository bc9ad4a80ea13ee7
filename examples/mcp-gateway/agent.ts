// A stand-in for an AI agent: lists the tools the MCP gateway lets it see, or calls one.
//
//   tsx agent.ts list
//   tsx agent.ts call TOOL '{"argument": "value"}'
//
// It runs `latch mcp-gateway --config examples/mcp-gateway/gateway.yaml --stdio` as its MCP server,
// as a desktop agent would, passing on LATCH_MCP_TOKEN (its key) and LATCH_MCP_ON_BEHALF_OF (its user).

import { Client } from "@modelcontextprotocol/sdk/client/index.js";
import { StdioClientTransport } from "@modelcontextprotocol/sdk/client/stdio.js";
import type { CallToolResult } from "@modelcontextprotocol/sdk/types.js";

const [command, tool, args] = process.argv.slice(2);
const env = Object.fromEntries(
  Object.entries(process.env).filter((entry): entry is [string, string] => entry[1] !== undefined),
);
const client = new Client({ name: "example-agent", version: "1.0.0" });
await client.connect(
  new StdioClientTransport({
    command: "latch",
    args: ["mcp-gateway", "--config", "examples/mcp-gateway/gateway.yaml", "--stdio"],
    env,
  }),
);
try {
  if (command === "list") {
    for (const { name } of (await client.listTools()).tools) console.log(name);
  } else if (command === "call" && tool !== undefined) {
    const result = (await client.callTool({
      name: tool,
      arguments: JSON.parse(args ?? "{}"),
    })) as CallToolResult;
    for (const part of result.content) if (part.type === "text") console.log(part.text);
    if (result.isError) process.exitCode = 1;
  } else {
    console.error("usage: agent.ts list | call TOOL [JSON]");
    process.exitCode = 2;
  }
} finally {
  await client.close();
}
