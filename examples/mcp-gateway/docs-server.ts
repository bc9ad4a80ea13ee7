// A small MCP server to put behind the gateway: a few documents, tools to list, read, write and
// delete them, and tools that ask the client (its model, its user, its roots). The documents are
// resources too (`docs://documents/{document_id}`, and `docs://index` listing them), which one may
// subscribe to; a change logs a line and tells the clients.
//
// Run over stdio (`tsx docs-server.ts`) or Streamable HTTP (`tsx docs-server.ts --http 9000`, at
// /mcp). With MCP_CALL_LOG set, it appends the name of each tool it runs to that file, a line each,
// so that one can see which calls reached it (and `notifications/roots/list_changed` when a client
// says its roots changed).

import { randomUUID } from "node:crypto";
import { appendFileSync } from "node:fs";
import { createServer } from "node:http";
import { completable } from "@modelcontextprotocol/sdk/server/completable.js";
import { McpServer, ResourceTemplate } from "@modelcontextprotocol/sdk/server/mcp.js";
import { StdioServerTransport } from "@modelcontextprotocol/sdk/server/stdio.js";
import { StreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/streamableHttp.js";
import {
  CreateMessageResultSchema,
  ElicitResultSchema,
  ListRootsResultSchema,
  RootsListChangedNotificationSchema,
  SubscribeRequestSchema,
  UnsubscribeRequestSchema,
} from "@modelcontextprotocol/sdk/types.js";
import { z } from "zod";

const documents = new Map([
  ["roadmap", "Q3: ship the MCP gateway."],
  ["salaries", "Confidential."],
]);

function logCall(what: string): void {
  const log = process.env.MCP_CALL_LOG;
  if (log) appendFileSync(log, `${what}\n`);
}

const INDEX = "docs://index";
/** Every connected server (one per HTTP session), with the URIs its client subscribed to. */
const connected = new Map<McpServer, Set<string>>();

/** changed tells every client the documents changed, and those subscribed to the index. */
function changed(): void {
  for (const [server, subscribed] of connected) {
    server.sendResourceListChanged();
    if (subscribed.has(INDEX)) void server.server.sendResourceUpdated({ uri: INDEX });
  }
}

const matching = (prefix: string | undefined) =>
  [...documents.keys()].filter((id) => id.startsWith(prefix ?? ""));

function docsServer(): McpServer {
  const server = new McpServer(
    { name: "docs", version: "1.0.0" },
    { capabilities: { logging: {}, resources: { subscribe: true } } },
  );
  const subscribed = new Set<string>();
  connected.set(server, subscribed);
  server.server.onclose = () => {
    connected.delete(server);
  };
  // The roots are asked for afresh at each list_roots call; a change is only logged.
  server.server.setNotificationHandler(RootsListChangedNotificationSchema, () => {
    logCall("notifications/roots/list_changed");
  });
  server.server.setRequestHandler(SubscribeRequestSchema, ({ params }) => {
    subscribed.add(params.uri);
    return {};
  });
  server.server.setRequestHandler(UnsubscribeRequestSchema, ({ params }) => {
    subscribed.delete(params.uri);
    return {};
  });
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
      changed();
      return { content: [{ type: "text", text: `deleted ${document_id}` }] };
    },
  );
  server.registerTool(
    "write_document",
    {
      description: "Write a document",
      inputSchema: { ...byId, text: z.string().describe("its text") },
    },
    async ({ document_id, text }, extra) => {
      logCall("write_document");
      // Sent as part of the call, so that the line reaches the client before the result.
      const log = (level: "debug" | "info", data: string) =>
        extra.sendNotification({
          method: "notifications/message",
          params: { level, logger: "docs", data },
        });
      await log("debug", `writing ${text.length} characters`);
      documents.set(document_id, text);
      await log("info", `wrote ${document_id}`);
      changed();
      return { content: [{ type: "text", text: `wrote ${document_id}` }] };
    },
  );
  server.registerTool(
    "summarize_document",
    { description: "Summarize a document with the client's model", inputSchema: byId },
    async ({ document_id }, extra) => {
      logCall("summarize_document");
      const summary = await extra.sendRequest(
        {
          method: "sampling/createMessage",
          params: {
            messages: [
              {
                role: "user",
                content: { type: "text", text: `Summarize: ${documents.get(document_id) ?? ""}` },
              },
            ],
            maxTokens: 100,
          },
        },
        CreateMessageResultSchema,
      );
      const text = summary.content.type === "text" ? summary.content.text : "";
      return { content: [{ type: "text", text }] };
    },
  );
  server.registerTool(
    "choose_document",
    { description: "Ask the user which document to read" },
    async (extra) => {
      logCall("choose_document");
      const answer = await extra.sendRequest(
        {
          method: "elicitation/create",
          params: {
            message: "Which document?",
            requestedSchema: {
              type: "object",
              properties: { document_id: { type: "string" } },
              required: ["document_id"],
            },
          },
        },
        ElicitResultSchema,
      );
      const chosen = answer.action === "accept" ? String(answer.content?.document_id) : undefined;
      const text =
        chosen === undefined ? answer.action : (documents.get(chosen) ?? "no such document");
      return { content: [{ type: "text", text }] };
    },
  );
  server.registerTool("list_roots", { description: "List the client's roots" }, async (extra) => {
    logCall("list_roots");
    const { roots } = await extra.sendRequest(
      { method: "roots/list", params: {} },
      ListRootsResultSchema,
    );
    return { content: [{ type: "text", text: roots.map((r) => r.uri).join("\n") }] };
  });
  server.registerResource("index", INDEX, { description: "Every document's id" }, (uri) => ({
    contents: [{ uri: uri.href, text: [...documents.keys()].join("\n") }],
  }));
  server.registerResource(
    "document",
    new ResourceTemplate("docs://documents/{document_id}", {
      list: () => ({
        resources: [...documents.keys()].map((id) => ({
          uri: `docs://documents/${id}`,
          name: id,
        })),
      }),
      complete: { document_id: matching },
    }),
    { description: "A document" },
    (uri, { document_id }) => ({
      contents: [{ uri: uri.href, text: documents.get(String(document_id)) ?? "" }],
    }),
  );
  server.registerPrompt(
    "summarize",
    {
      description: "Ask for a summary of a document",
      argsSchema: {
        document_id: completable(z.string().describe("the document's id"), matching),
      },
    },
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
  // A session, with a server of its own, per client (it may ask the client, and be subscribed
  // to); the documents are shared.
  const port = Number(process.argv[httpAt + 1] ?? 9000);
  const sessions = new Map<string, StreamableHTTPServerTransport>();
  const http = createServer(async (request, response) => {
    const id = request.headers["mcp-session-id"];
    let transport = typeof id === "string" ? sessions.get(id) : undefined;
    if (transport === undefined) {
      const fresh: StreamableHTTPServerTransport = new StreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        onsessioninitialized: (sessionId) => {
          sessions.set(sessionId, fresh);
        },
      });
      fresh.onclose = () => sessions.delete(fresh.sessionId ?? "");
      await docsServer().connect(fresh);
      transport = fresh;
    }
    await transport.handleRequest(request, response);
  });
  http.listen(port, "127.0.0.1", () => {
    const address = http.address();
    process.stderr.write(
      `docs MCP server on http://127.0.0.1:${typeof address === "object" && address ? address.port : port}/mcp\n`,
    );
  });
}
