// A small MCP server to put behind the gateway: a few documents, tools to list, read and delete them.
//
// Run over stdio (`tsx docs-server.ts`) or Streamable HTTP (`tsx docs-server.ts --http 9000`, at
// /mcp). With MCP_CALL_LOG set, it appends the name of each tool it runs to that file, a line each,
// so that one can see which calls reached it.

import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { McpServer } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import { z } from "zod";

const documents = new Map([
  ["roadmap", "Q3: ship the MCP gateway."],
  ["salaries", "Confidential."],
]);

function logCall(tool: string): void {
  const log = process.env.MCP_CALL_LOG;
  if (log) appendFileSync(log, `${tool}\n`);
}

function docsServer(): McpServer {
  const server = new McpServer({ name: "docs", version: "1.0.0" });
  server.registerTool("list_documents", { description: "List the documents' ids" }, () => {
    logCall("list_documents");
    return { content: [{ type: "text", text: [...documents.keys()].join("\n") }] };
  });
  const byId = { document_id: z.string().describe("the document's id") };
  server.registerTool(
    "read_document",
    { description: "Read a document", inputSchema: byId },
    ({ document_id }) => {
      logCall("read_document");
      const text = documents.get(document_id);
      if (text === undefined)
        return { content: [{ type: "text", text: `no document ${document_id}` }], isError: true };
      return { content: [{ type: "text", text }] };
    },
  );
  server.registerTool(
    "delete_document",
    { description: "Delete a document", inputSchema: byId },
    ({ document_id }) => {
      logCall("delete_document");
      documents.delete(document_id);
      return { content: [{ type: "text", text: `deleted ${document_id}` }] };
    },
  );
  server.registerResource(
    "index",
    "docs://index",
    { description: "Every document's id" },
    (uri) => ({
      contents: [{ uri: uri.href, text: [...documents.keys()].join("\n") }],
    }),
  );
  server.registerPrompt(
    "summarize",
    { description: "Ask for a summary of a document", argsSchema: byId },
    ({ document_id }) => ({
      messages: [
        { role: "user", content: { type: "text", text: `Summarize the document ${document_id}.` } },
      ],
    }),
  );
  return server;
}

const httpAt = process.argv.indexOf("--http");
if (httpAt < 0) {
  await docsServer().connect(new StdioServerTransport());
} else {
  // Stateless: each request gets a server of its own; the documents are shared.
  const port = Number(process.argv[httpAt + 1] ?? 9000);
  const http = createServer(async (request, response) => {
    const transport = new StreamableHTTPServerTransport({ sessionIdGenerator: undefined });
    response.on("close", () => void transport.close());
    await docsServer().connect(transport);
    await transport.handleRequest(request, response);
  });
  http.listen(port, "127.0.0.1", () => {
    const address = http.address();
    process.stderr.write(
      `docs MCP server on http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/mcp\n`,
    );
  });
}
