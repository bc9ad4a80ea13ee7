// The gateway's Streamable HTTP endpoint: a session per client, each request's identity checked.

import { randomUUID } from "node:crypto";
import type { IncomingMessage, ServerResponse } from "node:http";
import { WebStandardStreamableHTTPServerTransport } from "@modelcontextprotocol/sdk/server/webStandardStreamableHttp.js";
import { isInitializeRequest } from "@modelcontextprotocol/sdk/types.js";
import { answerCall, cancelledCall, directCall, type RequestId } from "./direct-tool-call.js";
import {
  type Identity,
  IdentityError,
  type IdentityResolver,
  ON_BEHALF_OF_HEADER,
} from "./identity.js";
import { createProxySession, type ProxySession, type SessionSettings } from "./proxy-session.js";

/** MCP_PATH is where the gateway serves MCP over Streamable HTTP. */
export const MCP_PATH = "/mcp";

interface Session {
  readonly identity: Identity;
  readonly transport: WebStandardStreamableHTTPServerTransport;
  readonly proxy: ProxySession;
  /** The calls in flight that the gateway answers itself, to cancel. */
  readonly calls: Map<RequestId, AbortController>;
  /** performance.now() of its last request. */
  usedAt: number;
}

/** McpHttpHandler answers the requests to {@link MCP_PATH}; close ends every session. */
export interface McpHttpHandler {
  handle(request: IncomingMessage, response: ServerResponse): Promise<void>;
  close(): Promise<void>;
}

/**
 * createMcpHttpHandler serves sessions over Streamable HTTP. Every request authenticates (an
 * expired JWT ends its session's use at its next request), and a request with a session id must
 * resolve to that session's identity. Bodies above `maxBodyBytes` are refused, and so are
 * sessions beyond `maxSessions`, once those idle for `sessionIdleMs` are closed.
 */
export function createMcpHttpHandler(
  resolve: IdentityResolver,
  settings: SessionSettings,
): McpHttpHandler {
  const sessions = new Map<string, Session>();
  const { maxBodyBytes, maxSessions, sessionIdleMs } = settings.config.limits;

  const handle = async (request: IncomingMessage, response: ServerResponse) => {
    let identity: Identity;
    try {
      identity = await resolve({
        authorization: request.headers.authorization,
        onBehalfOf: header(request, ON_BEHALF_OF_HEADER),
      });
    } catch (error) {
      if (!(error instanceof IdentityError)) throw error;
      return refuse(response, 401, error.message);
    }
    const sessionId = header(request, "mcp-session-id");
    let body: unknown;
    if (request.method === "POST") {
      const read = await readJson(request, maxBodyBytes);
      if ("refusal" in read) return refuse(response, read.status, read.refusal);
      body = read.body;
    }
    if (sessionId !== undefined) {
      const session = sessions.get(sessionId);
      if (session === undefined)
        return refuse(response, 404, "no such session: initialize a new one");
      if (!sameIdentity(session.identity, identity)) {
        return refuse(response, 403, "the session belongs to another identity");
      }
      session.usedAt = performance.now();
      // The hot path: a call on a session the gateway answers itself (see direct-tool-call).
      const call = request.method === "POST" ? directCall(request.headers, body) : undefined;
      if (call !== undefined) return answerCall(session, sessionId, call, response);
      const cancelled = cancelledCall(body, session.calls);
      cancelled?.controller.abort(cancelled.reason);
      return serve(session.transport, request, response, body);
    }
    if (request.method !== "POST" || !isInitializeRequest(body)) {
      return refuse(response, 400, "send initialize first, or the mcp-session-id of a session");
    }
    // Clients that never end their sessions would otherwise hold every place.
    if (sessions.size >= maxSessions) await closeIdle(sessions, sessionIdleMs);
    if (sessions.size >= maxSessions)
      return refuse(response, 503, `at the limit of ${maxSessions} sessions`);
    const proxy = createProxySession(identity, settings);
    const calls = new Map<RequestId, AbortController>();
    const transport: WebStandardStreamableHTTPServerTransport =
      new WebStandardStreamableHTTPServerTransport({
        sessionIdGenerator: randomUUID,
        // A call's answer as one JSON body: cheaper than an event stream for both sides.
        enableJsonResponse: true,
        onsessioninitialized: (id) => {
          sessions.set(id, { identity, transport, proxy, calls, usedAt: performance.now() });
        },
      });
    transport.onclose = () => {
      if (transport.sessionId !== undefined) sessions.delete(transport.sessionId);
      for (const controller of calls.values()) controller.abort("the session closed");
    };
    await proxy.server.connect(transport);
    await serve(transport, request, response, body);
  };

  return {
    handle,
    close: async () => {
      await Promise.allSettled([...sessions.values()].map((s) => s.transport.close()));
      sessions.clear();
    },
  };
}

/**
 * serve hands a request to transport and writes its answer. The SDK's Node transport does this
 * through a request listener made per request that converts both ways; here the request becomes a
 * web Request of its method and headers (the body was read already), and an answer that is not an
 * event stream is written whole, with its length, in one write rather than as a chunk and an end.
 * An event stream is written event by event until either side ends it.
 */
async function serve(
  transport: WebStandardStreamableHTTPServerTransport,
  request: IncomingMessage,
  response: ServerResponse,
  parsedBody: unknown,
): Promise<void> {
  const headers = new Headers();
  const raw = request.rawHeaders;
  for (let i = 0; i < raw.length; i += 2) headers.append(raw[i]!, raw[i + 1]!);
  const method = request.method ?? "GET";
  const answer = await transport.handleRequest(
    new Request(`http://${request.headers.host ?? "gateway"}${request.url ?? MCP_PATH}`, {
      method,
      headers,
    }),
    { parsedBody },
  );
  const outgoing: Record<string, string> = {};
  for (const [name, value] of answer.headers) outgoing[name] = value;
  const stream = answer.headers.get("content-type")?.startsWith("text/event-stream") === true;
  if (answer.body === null || !stream) {
    const bytes = Buffer.from(await answer.arrayBuffer());
    if (answer.body !== null) outgoing["content-length"] = String(bytes.length);
    response.writeHead(answer.status, outgoing).end(bytes);
    return;
  }
  response.writeHead(answer.status, outgoing);
  response.flushHeaders();
  const reader = answer.body.getReader();
  // A client gone cancels the stream, which ends it in the transport too.
  response.once("close", () => void reader.cancel().catch(() => {}));
  try {
    for (let next = await reader.read(); !next.done; next = await reader.read()) {
      response.write(next.value);
    }
  } catch {
    // Cancelled as its client went: there is no one left to tell.
  }
  response.end();
}

async function closeIdle(sessions: Map<string, Session>, idleMs: number): Promise<void> {
  const before = performance.now() - idleMs;
  const idle = [...sessions.entries()].filter(([, s]) => s.usedAt < before);
  for (const [id] of idle) sessions.delete(id);
  await Promise.allSettled(idle.map(([, s]) => s.transport.close()));
}

function header(request: IncomingMessage, name: string): string | undefined {
  const value = request.headers[name];
  return Array.isArray(value) ? value[0] : value;
}

function sameIdentity(a: Identity, b: Identity): boolean {
  return (
    a.subject === b.subject &&
    a.actors.length === b.actors.length &&
    a.actors.every((x, i) => x === b.actors[i])
  );
}

async function readJson(
  request: IncomingMessage,
  limit: number,
): Promise<{ body: unknown } | { status: number; refusal: string }> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of request as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > limit)
      return { status: 413, refusal: `the body is more than the limit of ${limit} bytes` };
    chunks.push(chunk);
  }
  try {
    return { body: JSON.parse(Buffer.concat(chunks).toString("utf8")) };
  } catch {
    return { status: 400, refusal: "the body is not JSON" };
  }
}

/** refuse answers with a JSON-RPC error, as the transport itself does. */
function refuse(response: ServerResponse, status: number, message: string): void {
  response.writeHead(status, { "content-type": "application/json" });
  response.end(JSON.stringify({ jsonrpc: "2.0", error: { code: -32000, message }, id: null }));
}
